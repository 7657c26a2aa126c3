//! Sweeps: a scenario's `[sweep]` grid turned into variants, each a complete scenario.
//!
//! Each `[sweep]` entry maps a field path (`"carers.capacity_factor"`, `"policy.scope"`) to a
//! list of values. The variants are every combination, in the order of the paths (sorted) and
//! of their values, named `v000`, `v001`, ... A variant is made by setting its values in the
//! scenario's TOML and loading that like a file, so every value gets the same type and range
//! checks as one written in the file; a bad value is reported at its `[sweep]` entry.

use std::path::Path;

use toml::{Table, Value};

use super::{FieldError, LoadedScenario, Scenario, ScenarioError, parse_in};

/// The most variants a sweep may have.
const MAX_VARIANTS: usize = 10_000;

/// One point of a sweep's grid.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `v000`, `v001`, ...: stable for a given `[sweep]`.
    pub id: String,
    /// (field path, value as written in TOML), in path order.
    pub params: Vec<(String, String)>,
    pub scenario: Scenario,
}

/// The variants of a scenario's `[sweep]`; a scenario without one has a single variant, `base`.
pub fn variants(loaded: &LoadedScenario) -> Result<Vec<Variant>, ScenarioError> {
    let sweep = &loaded.scenario.sweep;
    if sweep.is_empty() {
        return Ok(vec![Variant {
            id: crate::run::BASE_VARIANT.to_string(),
            params: Vec::new(),
            scenario: loaded.scenario.clone(),
        }]);
    }
    let fail = |path: String, message: String| ScenarioError {
        file: loaded.source_name.clone(),
        errors: vec![FieldError {
            file: None,
            line: 1,
            column: 1,
            path,
            message,
        }],
    };
    let grid: Vec<(&String, &Vec<Value>)> = sweep.iter().collect();
    let mut count = 1usize;
    for (path, values) in &grid {
        if values.is_empty() {
            return Err(fail(
                format!("sweep.\"{path}\""),
                "needs at least one value".into(),
            ));
        }
        count = count.saturating_mul(values.len());
    }
    if count > MAX_VARIANTS {
        return Err(fail(
            "sweep".into(),
            format!("the grid has {count} variants; at most {MAX_VARIANTS} are allowed"),
        ));
    }
    let mut table: Table = loaded
        .text
        .parse()
        .map_err(|e: toml::de::Error| fail(String::new(), e.to_string()))?;
    table.remove("sweep");
    let width = (count - 1).to_string().len().max(3);
    let mut out = Vec::with_capacity(count);
    for index in 0..count {
        // Mixed radix: the last path changes fastest.
        let mut rest = index;
        let mut chosen = vec![0; grid.len()];
        for (k, (_, values)) in grid.iter().enumerate().rev() {
            chosen[k] = rest % values.len();
            rest /= values.len();
        }
        let mut variant = table.clone();
        let mut params = Vec::with_capacity(grid.len());
        for ((path, values), &i) in grid.iter().zip(&chosen) {
            let value = values[i].clone();
            set(&mut variant, path, value.clone())
                .map_err(|m| fail(format!("sweep.\"{path}\""), m))?;
            params.push(((*path).clone(), value.to_string()));
        }
        let text = toml::to_string(&variant).map_err(|e| fail("sweep".into(), e.to_string()))?;
        let id = format!("v{index:0width$}");
        let scenario = parse_in(
            &text,
            &loaded.source_name,
            loaded.base.as_deref().map(Path::new),
        )
        .map_err(|e| {
            let detail: Vec<String> = e
                .errors
                .iter()
                .map(|f| format!("`{}`: {}", f.path, f.message))
                .collect();
            let set: Vec<String> = params.iter().map(|(p, v)| format!("{p} = {v}")).collect();
            fail(
                "sweep".into(),
                format!(
                    "variant {id} ({}) is invalid: {}",
                    set.join(", "),
                    detail.join("; ")
                ),
            )
        })?;
        out.push(Variant {
            id,
            params,
            scenario,
        });
    }
    Ok(out)
}

/// Sets the dotted `path` in `table` to `value`, creating tables on the way.
fn set(table: &mut Table, path: &str, value: Value) -> Result<(), String> {
    let mut keys = path.split('.').peekable();
    let mut current = table;
    while let Some(key) = keys.next() {
        if key.is_empty() {
            return Err(format!(
                "`{path}` is not a field path like `carers.capacity_factor`"
            ));
        }
        if keys.peek().is_none() {
            current.insert(key.to_string(), value);
            return Ok(());
        }
        let entry = current
            .entry(key.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        current = match entry {
            Value::Table(t) => t,
            _ => return Err(format!("`{key}` in `{path}` is not a table")),
        };
    }
    Err(format!("`{path}` is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(extra: &str) -> LoadedScenario {
        let text = format!(
            "{}\n{extra}",
            super::super::DEFAULT_SCENARIO.replace("replications = 5", "replications = 1")
        );
        let scenario = super::super::parse(&text, "s.toml").unwrap();
        LoadedScenario {
            scenario,
            source_name: "s.toml".into(),
            text,
            base: None,
        }
    }

    #[test]
    fn grid_is_every_combination_last_path_fastest() {
        let l = loaded(
            "[sweep]\n\"carers.capacity_factor\" = [0.8, 1.2]\n\"policy.scope\" = [\"provider\", \"region\"]",
        );
        let v = variants(&l).unwrap();
        let ids: Vec<_> = v.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["v000", "v001", "v002", "v003"]);
        assert_eq!(
            v[1].params[0],
            ("carers.capacity_factor".into(), "0.8".into())
        );
        assert_eq!(v[1].params[1], ("policy.scope".into(), "\"region\"".into()));
        assert_eq!(v[2].scenario.carers.capacity_factor, 1.2);
        assert_eq!(
            v[2].scenario.policy.scope,
            super::super::CapacityScope::Provider
        );
        assert!(v.iter().all(|v| v.scenario.sweep.is_empty()));
    }

    #[test]
    fn a_bad_value_names_the_variant_and_the_field() {
        let l = loaded("[sweep]\n\"carers.capacity_factor\" = [1.0, -2.0]");
        let err = variants(&l).unwrap_err().to_string();
        assert!(err.contains("v001"), "{err}");
        assert!(err.contains("carers.capacity_factor"), "{err}");
    }

    #[test]
    fn no_sweep_is_one_base_variant() {
        let v = variants(&loaded("")).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].id, "base");
    }
}
