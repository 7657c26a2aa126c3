//! What the run was: run.json, the scenario file it names (when still as run), and a
//! sweep's variants.csv.

use std::path::Path;

use super::VariantParams;
use super::table::{Table, bad};
use crate::chart::ChartError;
use crate::scenario::Scenario;

pub(super) fn read_meta(dir: &Path) -> Result<serde_json::Map<String, serde_json::Value>, ChartError> {
    if !dir.is_dir() {
        return Err(ChartError::Input(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    let path = dir.join("run.json");
    if !path.exists() {
        return Err(ChartError::Input(format!(
            "{} is not a kraamsim output directory: it has no run.json (an output is complete once run.json is written)",
            dir.display()
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| bad(&path, e))?;
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Object(map)) if map.get("interrupted") == Some(&true.into()) => {
            Err(ChartError::Input(format!(
                "{} holds an interrupted run (run.json: \"interrupted\": true); finish it with the same command and --resume",
                dir.display()
            )))
        }
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad(&path, "not a JSON object")),
        Err(e) => Err(bad(&path, format!("not valid JSON: {e}"))),
    }
}

/// The scenario of a run as written, for the report: read from run.json's `scenario_path`
/// (the built-in baseline by its name) only when its text still has run.json's
/// `scenario_sha256`, so that the report never describes a file edited since the run.
/// `None` when it is moved, changed or unreadable: the report then shows "—" for the inputs
/// only the scenario has (providers, carers, births, scope) and a per-variant headline.
pub(super) fn scenario_at_hand(meta: &serde_json::Map<String, serde_json::Value>) -> Option<Scenario> {
    let text = |k: &str| meta.get(k).and_then(|v| v.as_str());
    let path = text("scenario_path")?;
    let loaded = if path == crate::scenario::DEFAULT_SCENARIO_NAME {
        crate::scenario::load_default()
    } else {
        crate::scenario::load_file(Path::new(path)).ok()?
    };
    (crate::output::sha256_hex(&loaded.text) == text("scenario_sha256")?).then_some(loaded.scenario)
}

pub(super) fn read_variants(dir: &Path) -> Result<Vec<VariantParams>, ChartError> {
    let mut t = Table::open(dir, "variants.csv", &["variant"], &[])?;
    let header = t.reader.headers().map_err(|e| bad(&t.path, e))?.clone();
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    while t.next(&mut rec)? {
        let params = header
            .iter()
            .zip(rec.iter())
            .skip(1)
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        out.push((rec.get(0).unwrap_or("").to_string(), params));
    }
    Ok(out)
}
