//! Sweeps: a scenario's `[sweep]` grid turned into variants, each a complete scenario.
//!
//! Each `[sweep]` entry maps a field path (`"carers.capacity_factor"`, `"policy.scope"`) to a
//! list of values. The variants are every combination, in the order of the paths (sorted) and
//! of their values, named `v000`, `v001`, ... A variant is made by setting its values in the
//! scenario's TOML and loading that like a file, so every value gets the same type and range
//! checks as one written in the file; a bad value is reported at its `[sweep]` entry.

use std::path::Path;

use toml::{Table, Value};

use super::{FieldError, LoadedScenario, Scenario, ScenarioError, SweepDesign, parse_in};

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

/// The variant id of a plain run (sweeps add more).
pub const BASE_VARIANT: &str = "base";

/// The variants of a scenario's `[sweep]`; a scenario without one has a single variant, `base`.
///
/// Every problem is reported, each at its place in the file: a bad value at its entry of the
/// `[sweep]` list, a combination of values that is invalid together at the `[sweep]` table.
pub fn variants(loaded: &LoadedScenario) -> Result<Vec<Variant>, ScenarioError> {
    let sweep = &loaded.scenario.sweep;
    if sweep.is_empty() {
        return Ok(vec![Variant {
            id: BASE_VARIANT.to_string(),
            params: Vec::new(),
            scenario: loaded.scenario.clone(),
        }]);
    }
    let mut errors: Vec<FieldError> = Vec::new();
    // `key`: a swept field path (None: the `[sweep]` table); `index`: one of its values.
    let at = |key: Option<&str>, index: Option<usize>, message: String| {
        let (line, column) = sweep_position(&loaded.text, key, index);
        let path = match (key, index) {
            (None, _) => "sweep".to_string(),
            (Some(k), None) => format!("sweep.\"{k}\""),
            (Some(k), Some(i)) => format!("sweep.\"{k}\"[{i}]"),
        };
        FieldError {
            file: None,
            line,
            column,
            path,
            message,
            kind: None,
        }
    };
    // Adds a problem once (a bad value fails every variant it is in).
    let add = |errors: &mut Vec<FieldError>, e: FieldError| {
        if !errors.contains(&e) {
            errors.push(e);
        }
    };
    let grid: Vec<(&String, &Vec<Value>)> = sweep.iter().collect();
    for (path, values) in &grid {
        if values.is_empty() {
            add(
                &mut errors,
                at(Some(path), None, "needs at least one value".into()),
            );
        }
        if *path == "sweep" || path.starts_with("sweep.") || *path == "sweep_design" {
            add(
                &mut errors,
                at(
                    Some(path),
                    None,
                    "a sweep cannot sweep `sweep` or `sweep_design`".into(),
                ),
            );
        }
    }
    let done = |errors: Vec<FieldError>| ScenarioError {
        file: loaded.source_name.clone(),
        errors,
    };
    if !errors.is_empty() {
        return Err(done(errors));
    }
    let mut table: Table = match loaded.text.parse() {
        Ok(t) => t,
        Err(e) => {
            let e: toml::de::Error = e;
            add(&mut errors, at(None, None, e.to_string()));
            return Err(done(errors));
        }
    };
    table.remove("sweep");
    table.remove("sweep_design");
    // Each variant: the value chosen for every path, with its index in that path's list
    // (None: the file's own value, the base of a one-at-a-time design).
    type Point = Vec<(Value, Option<usize>)>;
    let points: Vec<Point> = match loaded.scenario.sweep_design {
        SweepDesign::Grid => {
            let count = grid
                .iter()
                .fold(1usize, |n, (_, values)| n.saturating_mul(values.len()));
            if count > MAX_VARIANTS {
                add(
                    &mut errors,
                    at(
                        None,
                        None,
                        format!(
                            "the grid has {count} variants; at most {MAX_VARIANTS} are allowed"
                        ),
                    ),
                );
                return Err(done(errors));
            }
            (0..count)
                .map(|index| {
                    // Mixed radix: the last path changes fastest.
                    let mut rest = index;
                    let mut point = vec![(Value::Boolean(false), None); grid.len()];
                    for (k, (_, values)) in grid.iter().enumerate().rev() {
                        let i = rest % values.len();
                        point[k] = (values[i].clone(), Some(i));
                        rest /= values.len();
                    }
                    point
                })
                .collect()
        }
        SweepDesign::Zip => {
            let n = grid[0].1.len();
            if let Some((path, values)) = grid.iter().find(|(_, v)| v.len() != n) {
                let message = format!(
                    "sweep_design = \"zip\" needs every list to have the same length: `{}` has {n} values, `{path}` has {}",
                    grid[0].0,
                    values.len()
                );
                add(&mut errors, at(Some(path), None, message));
                return Err(done(errors));
            }
            (0..n)
                .map(|i| {
                    grid.iter()
                        .map(|(_, values)| (values[i].clone(), Some(i)))
                        .collect()
                })
                .collect()
        }
        SweepDesign::OneAtATime => {
            // The file's values (defaults where the file is silent) are the base point.
            let full = match Table::try_from(&loaded.scenario) {
                Ok(t) => t,
                Err(e) => {
                    add(&mut errors, at(None, None, e.to_string()));
                    return Err(done(errors));
                }
            };
            let mut base = Vec::with_capacity(grid.len());
            for (path, _) in &grid {
                match get(&full, path) {
                    Some(value) => base.push((value.clone(), None)),
                    None => add(
                        &mut errors,
                        at(
                            Some(path),
                            None,
                            format!("`{path}` is not a field of the scenario"),
                        ),
                    ),
                }
            }
            if !errors.is_empty() {
                return Err(done(errors));
            }
            let mut points = vec![base.clone()];
            for (k, (_, values)) in grid.iter().enumerate() {
                for (i, v) in values.iter().enumerate() {
                    let mut point = base.clone();
                    point[k] = (v.clone(), Some(i));
                    points.push(point);
                }
            }
            points
        }
    };
    let count = points.len();
    let width = (count - 1).to_string().len().max(3);
    let mut out = Vec::with_capacity(count);
    for (index, point) in points.into_iter().enumerate() {
        let mut variant = table.clone();
        let mut params = Vec::with_capacity(grid.len());
        let mut settable = true;
        for ((path, _), (value, _)) in grid.iter().zip(&point) {
            if let Err(m) = set(&mut variant, path, value.clone()) {
                add(&mut errors, at(Some(path), None, m));
                settable = false;
            }
            params.push(((*path).clone(), value.to_string()));
        }
        if !settable {
            continue;
        }
        let id = format!("v{index:0width$}");
        let text = match toml::to_string(&variant) {
            Ok(t) => t,
            Err(e) => {
                add(&mut errors, at(None, None, format!("variant {id}: {e}")));
                continue;
            }
        };
        match parse_in(
            &text,
            &loaded.source_name,
            loaded.base.as_deref().map(Path::new),
        ) {
            Ok(scenario) => out.push(Variant {
                id,
                params,
                scenario,
            }),
            Err(e) => {
                for f in &e.errors {
                    // The swept field this problem is about, if it is one of them.
                    let swept = grid.iter().zip(&point).find(|((path, _), _)| {
                        f.path == **path
                            || f.path.starts_with(&format!("{path}."))
                            || f.path.starts_with(&format!("{path}["))
                    });
                    match swept {
                        // A misspelt key fails the same way for every value: say it once, at
                        // the key.
                        Some(((path, _), _)) if f.message.starts_with("unknown field") => add(
                            &mut errors,
                            at(Some(path), None, format!("`{}`: {}", f.path, f.message)),
                        ),
                        Some(((path, _), (value, Some(i)))) => add(
                            &mut errors,
                            at(
                                Some(path),
                                Some(*i),
                                format!("value {value} is invalid: `{}`: {}", f.path, f.message),
                            ),
                        ),
                        _ => {
                            let set: Vec<String> =
                                params.iter().map(|(p, v)| format!("{p} = {v}")).collect();
                            add(
                                &mut errors,
                                at(
                                    None,
                                    None,
                                    format!(
                                        "variant {id} ({}) is invalid: `{}`: {}",
                                        set.join(", "),
                                        f.path,
                                        f.message
                                    ),
                                ),
                            )
                        }
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(done(errors))
    }
}

/// Line and column of a `[sweep]` entry (`key`), one of its values (`index`), or the
/// `[sweep]` table itself; (1, 1) if the text has none.
fn sweep_position(text: &str, key: Option<&str>, index: Option<usize>) -> (usize, usize) {
    use toml::de::{DeTable, DeValue};
    let Ok(root) = DeTable::parse(text) else {
        return (1, 1);
    };
    let Some((sweep_key, sweep)) = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "sweep")
    else {
        return (1, 1);
    };
    let mut span = sweep_key.span();
    if let (Some(key), DeValue::Table(t)) = (key, sweep.get_ref())
        && let Some((k, v)) = t.iter().find(|(k, _)| k.get_ref().as_ref() == key)
    {
        span = k.span();
        if let (Some(i), DeValue::Array(a)) = (index, v.get_ref())
            && let Some(x) = a.get(i)
        {
            span = x.span();
        }
    }
    super::line_col(text, span.start)
}

/// The scenario's own value of each swept field, as variants.csv writes a variant's (quotes
/// trimmed): what the file sets, or the default where it sets nothing; `None` for a path
/// that names no single value. The report headlines the variant that has all of them, the
/// scenario as written (`chart::report`).
pub fn base_values(scenario: &super::Scenario) -> Vec<(String, Option<String>)> {
    let table = match toml::Value::try_from(scenario) {
        Ok(Value::Table(t)) => t,
        _ => Table::new(),
    };
    scenario
        .sweep
        .keys()
        .map(|path| {
            let value = get(&table, path)
                .filter(|v| !v.is_table() && !v.is_array())
                .map(|v| v.to_string().trim_matches('"').to_string());
            (path.clone(), value)
        })
        .collect()
}

/// The value at the dotted `path` of `table`, if there is one.
fn get<'a>(table: &'a Table, path: &str) -> Option<&'a Value> {
    let (last, parents) = path
        .split('.')
        .collect::<Vec<_>>()
        .split_last()
        .map(|(l, p)| (*l, p.to_vec()))?;
    let mut current = table;
    for key in parents {
        current = current.get(key)?.as_table()?;
    }
    current.get(last)
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
        loaded_with("", extra)
    }

    /// The default scenario with `top` among its top-level keys and `extra` at the end.
    fn loaded_with(top: &str, extra: &str) -> LoadedScenario {
        let text = format!(
            "{top}\n{}\n{extra}",
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
    fn a_misspelt_key_is_reported_once_with_the_field_it_meant() {
        let l = loaded("[sweep]\n\"carers.capacty_factor\" = [0.8, 1.0, 1.2]");
        let err = variants(&l).unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        let e = &err.errors[0];
        assert_eq!(e.path, "sweep.\"carers.capacty_factor\"");
        assert!(
            e.message
                .contains("unknown field `capacty_factor`: did you mean `capacity_factor`?"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_value_is_located_at_its_entry_of_the_sweep() {
        let l = loaded("[sweep]\n\"carers.capacity_factor\" = [1.0, -2.0]");
        let err = variants(&l).unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        let e = &err.errors[0];
        assert_eq!(e.path, "sweep.\"carers.capacity_factor\"[1]");
        // The line of the [sweep] entry, the column of the bad value.
        assert_eq!(e.line, l.text.lines().count());
        assert_eq!(e.column, 34);
        assert!(
            e.message.contains("must be between 0 and 100, got -2"),
            "{err}"
        );
        // A value that breaks another field's check is reported with its variant.
        let l = loaded("[sweep]\n\"policy.early_registration_week\" = [20, 40]");
        let err = variants(&l).unwrap_err().to_string();
        assert!(
            err.contains("variant v001 (policy.early_registration_week = 40) is invalid: `registration.last_week`"),
            "{err}"
        );
    }

    #[test]
    fn one_at_a_time_moves_one_field_from_the_base_at_a_time() {
        let l = loaded_with(
            "sweep_design = \"one-at-a-time\"",
            "[sweep]\n\"carers.capacity_factor\" = [0.8, 1.2]\n\"carers.sickness_absence\" = [0.05]",
        );
        let v = variants(&l).unwrap();
        // Base, then the paths in sorted order: capacity factor, then sickness.
        assert_eq!(v.len(), 4);
        let values: Vec<(f64, f64)> = v
            .iter()
            .map(|v| {
                (
                    v.scenario.carers.capacity_factor,
                    v.scenario.carers.sickness_absence,
                )
            })
            .collect();
        assert_eq!(values, [(1.0, 0.08), (0.8, 0.08), (1.2, 0.08), (1.0, 0.05)]);
        assert_eq!(
            v[0].params,
            [
                ("carers.capacity_factor".to_string(), "1.0".to_string()),
                ("carers.sickness_absence".to_string(), "0.08".to_string())
            ]
        );
        let bad = loaded_with(
            "sweep_design = \"one-at-a-time\"",
            "[sweep]\n\"carers.nonsense\" = [1]",
        );
        let err = variants(&bad).unwrap_err().to_string();
        assert!(err.contains("carers.nonsense"), "{err}");
    }

    #[test]
    fn zip_takes_the_ith_value_of_every_list() {
        let l = loaded_with(
            "sweep_design = \"zip\"",
            "[sweep]\n\"carers.capacity_factor\" = [0.8, 1.2, 1.0]\n\"carers.sickness_absence\" = [0.05, 0.06, 0.07]",
        );
        let v = variants(&l).unwrap();
        let values: Vec<(f64, f64)> = v
            .iter()
            .map(|v| {
                (
                    v.scenario.carers.capacity_factor,
                    v.scenario.carers.sickness_absence,
                )
            })
            .collect();
        assert_eq!(values, [(0.8, 0.05), (1.2, 0.06), (1.0, 0.07)]);
        let bad = loaded_with(
            "sweep_design = \"zip\"",
            "[sweep]\n\"carers.capacity_factor\" = [0.8, 1.2]\n\"carers.sickness_absence\" = [0.05]",
        );
        let err = variants(&bad).unwrap_err().to_string();
        assert!(err.contains("same length"), "{err}");
    }

    #[test]
    fn no_sweep_is_one_base_variant() {
        let v = variants(&loaded("")).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].id, "base");
    }
}
