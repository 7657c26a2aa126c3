//! The parameters section of the report: the scenario's inputs and the run's settings in
//! words and units, from run.json and, when still as run, the scenario file.

use std::fmt::Write as _;

use super::format::{escape, for_reading, reading, whole};
use crate::chart::data::RunData;

/// The scenario's inputs and the run's settings in words and units, read tolerantly from
/// run.json (a field it lacks shows "—"; fields added later are listed after, for reading)
/// and from the scenario file when it is at hand ([`RunData::scenario`]). run.json itself
/// stays in the directory, exact.
pub(super) fn parameters(h: &mut String, data: &RunData) {
    let meta = &data.meta;
    let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let number = |k: &str| meta.get(k).and_then(serde_json::Value::as_f64);
    let dash = || "—".to_string();
    let scenario = data.scenario.as_ref();
    let mut rows: Vec<(&str, String)> = Vec::new();
    rows.push((
        "scenario",
        match (text("scenario_name"), scenario) {
            (Some(n), Some(s)) if !s.description.is_empty() => format!("{n}: {}", s.description),
            (Some(n), _) => n,
            (None, _) => dash(),
        },
    ));
    rows.push((
        "scenario file",
        match text("scenario_path") {
            Some(p) if scenario.is_some() => format!("{p} (unchanged since the run)"),
            Some(p) => format!(
                "{p} (moved or changed since the run: providers, carers, births and scope not shown)"
            ),
            None => dash(),
        },
    ));
    let days = data
        .meta_date("report_start")
        .zip(data.meta_date("report_end"))
        .map(|(a, b)| (b - a).num_days() + 1);
    rows.push((
        "period",
        match (text("report_start"), text("report_end")) {
            (Some(a), Some(b)) => format!(
                "{a} to {b}{}{}",
                days.map(|d| format!(" ({} days)", whole(d as f64)))
                    .unwrap_or_default(),
                number("warmup_days")
                    .map(|w| format!(", after {} days of warm-up", whole(w)))
                    .unwrap_or_default()
            ),
            _ => dash(),
        },
    ));
    let names: Vec<&str> = data.regions.iter().take(8).map(String::as_str).collect();
    rows.push((
        "regions",
        format!(
            "{}: {}{}",
            number("regions").map_or_else(|| whole(data.regions.len() as f64), whole),
            names.join(", "),
            if data.regions.len() > names.len() {
                format!(" and {} more", data.regions.len() - names.len())
            } else {
                String::new()
            }
        ),
    ));
    rows.push((
        "providers",
        scenario.map_or_else(dash, |s| whole(s.providers.len() as f64)),
    ));
    rows.push((
        "carers",
        scenario.map_or_else(dash, |s| {
            let carers: u32 = s.providers.iter().map(|p| p.carers).sum();
            format!(
                "{} employed at the start, {} h a week by default",
                whole(f64::from(carers)),
                reading(s.carers.contract_hours_per_week)
            )
        }),
    ));
    rows.push((
        "births",
        scenario.map_or_else(dash, |s| {
            let births: f64 = s
                .regions
                .iter()
                .flat_map(|r| &r.postcodes)
                .map(|p| p.births_per_year)
                .sum();
            format!("{} a year (the postcodes' births per year)", whole(births))
        }),
    ));
    // run.json's scope when it records one (a --scope flag changes it); else the file's.
    let scope = text("scope").map(|s| (s, "")).or_else(|| {
        scenario.map(|s| {
            (
                s.policy.scope.as_str().to_string(),
                ", as the scenario file sets it",
            )
        })
    });
    rows.push((
        "capacity scope",
        scope.map_or_else(dash, |(scope, source)| {
            let what = match scope.as_str() {
                "provider" => "each provider with its own carers",
                "region" => "carers pooled over the region",
                "waiting-list" => "each provider, with the region's waiting list between them",
                _ => "",
            };
            if what.is_empty() {
                format!("{scope}{source}")
            } else {
                format!("{scope} ({what}{source})")
            }
        }),
    ));
    rows.push(("policies", policy_list(meta).unwrap_or_else(dash)));
    if data.has_variants() {
        let swept: Vec<&str> = data
            .variants
            .first()
            .map(|(_, p)| p.iter().map(|(path, _)| path.as_str()).collect())
            .unwrap_or_default();
        rows.push((
            "variants",
            format!(
                "{} of {} (the Variants table)",
                data.variants.len(),
                swept.join(", ")
            ),
        ));
    }
    // A seed is a u64, beyond f64's exact integers.
    rows.push((
        "seed",
        meta.get("seed")
            .and_then(serde_json::Value::as_u64)
            .map_or_else(dash, |s| s.to_string()),
    ));
    rows.push((
        "replications",
        number("replications").map_or_else(dash, whole),
    ));
    rows.push(("threads", number("threads").map_or_else(dash, whole)));
    rows.push((
        "run time",
        match number("wall_seconds") {
            Some(s) => format!(
                "{} s{}",
                reading(s),
                match (number("events"), number("events_per_second")) {
                    (Some(e), Some(r)) => {
                        format!(", {} events ({} a second)", whole(e), whole(r))
                    }
                    _ => String::new(),
                }
            ),
            None => dash(),
        },
    ));
    rows.push((
        "mothers.csv",
        match meta.get("mothers_csv").and_then(serde_json::Value::as_bool) {
            Some(true) => "written".to_string(),
            Some(false) => "not written (--mothers-csv writes it)".to_string(),
            None => dash(),
        },
    ));
    rows.push(("kraamsim", text("kraamsim_version").unwrap_or_else(dash)));
    // Fields shown above, or bookkeeping of the run (resume, interruption).
    const SHOWN: [&str; 21] = [
        "scope",
        "kraamsim_version",
        "scenario_name",
        "scenario_path",
        "scenario_sha256",
        "seed",
        "replications",
        "regions",
        "threads",
        "policy",
        "policies",
        "variant",
        "variants",
        "report_start",
        "report_end",
        "warmup_days",
        "mothers_csv",
        "wall_seconds",
        "events",
        "events_per_second",
        "resume_key",
    ];
    let bookkeeping = ["interrupted", "units_done", "units_total"];
    let others: Vec<(&String, String)> = meta
        .iter()
        .filter(|(k, _)| !SHOWN.contains(&k.as_str()) && !bookkeeping.contains(&k.as_str()))
        .map(|(k, v)| (k, for_reading(v)))
        .collect();
    h.push_str(
        "<h2>Scenario and run</h2>\n<p>The scenario's inputs and the run's settings; run.json \
         in this directory has them exactly.</p>\n<table id=\"parameters\">\n",
    );
    for (key, value) in rows
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .chain(others.into_iter().map(|(k, v)| (k.replace('_', " "), v)))
    {
        let _ = writeln!(
            h,
            "<tr><th class=\"name\">{}</th><td class=\"name\">{}</td></tr>",
            escape(&key),
            escape(&value)
        );
    }
    h.push_str("</table>\n");
}

/// run.json's `policies`, as "a, b, c" (`None` when run.json has none).
pub(super) fn policy_list(meta: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let names = meta.get("policies")?.as_array()?;
    Some(
        names
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )
}
