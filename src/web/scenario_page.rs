//! The scenario page (`/scenario`), for a policy analyst: a shipped scenario or an uploaded
//! one, the main levers, a run, and its result page (headline figures with 95% intervals,
//! charts, regions by gap).
//!
//! The levers are fields of the scenario file, set in its TOML text (docs/web.md lists
//! them): `carers.capacity_factor`, `policy.scope`, `policy.name` + `policy.compare`,
//! `indication.digital_share`, `contracts.a_trainees_per_fte`, `replications`, `seed`. A
//! lever left at the value the page showed for the chosen scenario is not written, so an
//! uploaded file keeps its own. The edited text is loaded by the command line's loader, so
//! its errors (with line, column and field) are shown next to the lever that caused them,
//! and it is the file that reproduces the run with `kraamsim run`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::runs::{self, Job, Kind};
use super::uploads::{self, Form};
use super::{
    FieldErrors, Row, Shared, error_page, loader_errors, provide_data, read_csv, shipped, templates,
};
use crate::api::Run;
use crate::scenario::{CapacityScope, LoadedScenario, PolicyName, Scenario};

/// The levers as the form shows them (text, so that a value the user typed is shown back as
/// typed when it is wrong).
#[derive(Debug, Clone, Serialize, Default)]
struct Levers {
    capacity_factor: String,
    scope: String,
    policy: Vec<String>,
    digital_share: String,
    training_ratio: String,
    replications: String,
    seed: String,
}

impl Levers {
    fn of(s: &Scenario) -> Levers {
        Levers {
            capacity_factor: s.carers.capacity_factor.to_string(),
            scope: s.policy.scope.as_str().to_string(),
            policy: s
                .policies()
                .iter()
                .map(|p| p.as_str().to_string())
                .collect(),
            digital_share: s.indication.digital_share.to_string(),
            training_ratio: s.contracts.a_trainees_per_fte.to_string(),
            replications: s.replications.to_string(),
            seed: s.seed.to_string(),
        }
    }

    fn from_form(form: &Form) -> Levers {
        let text = |name: &str| form.get(name).unwrap_or_default().to_string();
        Levers {
            capacity_factor: text("capacity_factor"),
            scope: text("scope"),
            policy: form.all("policy").iter().map(|s| s.to_string()).collect(),
            digital_share: text("digital_share"),
            training_ratio: text("training_ratio"),
            replications: text("replications"),
            seed: text("seed"),
        }
    }
}

/// The levers of a shipped scenario, read without its data files (only the fields matter).
fn shipped_levers(stem: &str) -> Option<Levers> {
    let text = shipped::scenario(stem)?;
    toml::from_str::<Scenario>(text)
        .ok()
        .map(|s| Levers::of(&s))
}

#[derive(serde::Deserialize)]
pub struct Pick {
    scenario: Option<String>,
}

/// `GET /scenario[?scenario=STEM]`: the form, with the levers of the chosen scenario.
pub async fn form(Query(pick): Query<Pick>) -> Response {
    let stem = pick
        .scenario
        .filter(|s| shipped::scenario(s).is_some())
        .unwrap_or_else(|| "baseline".to_string());
    let levers = shipped_levers(&stem).unwrap_or_default();
    render_form(StatusCode::OK, &stem, &levers, &Vec::new())
}

fn render_form(status: StatusCode, stem: &str, levers: &Levers, errors: &FieldErrors) -> Response {
    templates::render_status(
        status,
        "scenario.html",
        minijinja::context! {
            scenarios => shipped::SCENARIOS.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            chosen => stem,
            v => templates::val(levers),
            policies => PolicyName::all().iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            scopes => CapacityScope::names(),
            errors => templates::errors_by_field(errors),
        },
    )
}

/// `POST /scenario`: checks the form, writes the scenario and starts the run; the browser
/// goes to the run's page. Errors re-render the form (422) with the user's values.
pub async fn submit(State(app): State<Shared>, multipart: Multipart) -> Response {
    let form = match uploads::read(multipart, &["scenario_file"]).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let stem = form.get("scenario").unwrap_or("baseline").to_string();
    let levers = Levers::from_form(&form);
    let app2 = Arc::clone(&app);
    let levers2 = levers.clone();
    let stem2 = stem.clone();
    let prepared =
        tokio::task::spawn_blocking(move || prepare(&app2, &stem2, &form, &levers2)).await;
    match prepared {
        Ok(Ok((staged, loaded, title))) => {
            let job = app.runs.start(
                staged,
                Kind::Scenario,
                title,
                None,
                String::new(),
                move |job| run_scenario(job, &loaded),
            );
            Redirect::to(&format!("/runs/{}", job.id)).into_response()
        }
        Ok(Err(errors)) => render_form(StatusCode::UNPROCESSABLE_ENTITY, &stem, &levers, &errors),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The run of a job: the same calls as `kraamsim run`, into `<run>/out`.
fn run_scenario(job: &Arc<Job>, loaded: &LoadedScenario) -> Result<(), crate::api::Error> {
    let progress_job = Arc::clone(job);
    Run::new(loaded)
        .stop(Arc::clone(&job.stop))
        .on_progress(Arc::new(move |done, total| {
            progress_job.state.send_modify(|s| {
                s.done = done;
                s.total = total;
            })
        }))
        .started_at(Instant::now())
        .to_dir(job.out())?;
    Ok(())
}

/// The form as a scenario file in a new run directory, loaded: or every error, by field.
fn prepare(
    app: &Shared,
    stem: &str,
    form: &Form,
    levers: &Levers,
) -> Result<(runs::Staged, LoadedScenario, String), FieldErrors> {
    let uploaded = form.files.get("scenario_file");
    let source_field = if uploaded.is_some() {
        "scenario_file"
    } else {
        "scenario"
    };
    let err = |field: &str, message: String| vec![(field.to_string(), message)];
    let base_text = match uploaded {
        Some(bytes) => uploads::scenario_text(bytes).map_err(|m| err("scenario_file", m))?,
        None => shipped::scenario(stem)
            .ok_or_else(|| err("scenario", format!("`{stem}`: no such shipped scenario")))?
            .to_string(),
    };
    let mut table: toml::Table = toml::from_str(&base_text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let line = base_text[..span.start.min(base_text.len())]
            .lines()
            .count()
            .max(1);
        err(
            source_field,
            format!("scenario.toml:{line}: {}", e.message().trim_end()),
        )
    })?;
    // What the page showed: a lever left there is the file's own, not written.
    let shown = shipped_levers(stem).unwrap_or_default();
    let mut errors = FieldErrors::new();
    let mut changed = Vec::new();
    set_levers(&mut table, levers, &shown, &mut errors, &mut changed);
    if uploaded.is_some() {
        // The scenario page runs; a forecast's files are the forecast page's business.
        table.remove("forecast");
    }
    // Levers that are not numbers are left out, so the loader still checks the others:
    // the form shows every error at once.
    let text = if changed.is_empty() && uploaded.is_none() {
        base_text
    } else {
        let what = if uploaded.is_some() {
            "an uploaded scenario".to_string()
        } else {
            format!("scenarios/{stem}.toml")
        };
        format!(
            "# Written by kraamsim serve: {what}{}\n# `kraamsim run scenario.toml` reruns it.\n{}",
            if changed.is_empty() {
                String::new()
            } else {
                format!(" with {}", changed.join(", "))
            },
            toml::to_string(&table).map_err(|e| err(source_field, e.to_string()))?
        )
    };
    let staged = app.runs.stage().map_err(|e| err(source_field, e.message))?;
    provide_data(&table, &staged.dir).map_err(|m| err(source_field, m))?;
    let path = staged.dir.join("scenario.toml");
    std::fs::write(&path, &text).map_err(|e| err(source_field, e.to_string()))?;
    let loaded = match LoadedScenario::load(&path) {
        Ok(loaded) if errors.is_empty() => loaded,
        Ok(_) => return Err(errors),
        Err(e) => {
            errors.extend(loader_errors(&e, &staged.dir, |fe| {
                field_of(&fe.path, source_field)
            }));
            return Err(errors);
        }
    };
    let title = format!(
        "{}{}",
        loaded.scenario.name,
        if changed.is_empty() {
            String::new()
        } else {
            format!(" ({})", changed.join(", "))
        }
    );
    Ok((staged, loaded, title))
}

/// The form field a loader error belongs next to, by its field path.
fn field_of(path: &str, source_field: &str) -> String {
    let field = match path {
        "carers.capacity_factor" => "capacity_factor",
        "policy.scope" => "scope",
        p if p == "policy.name" || p.starts_with("policy.compare") => "policy",
        "indication.digital_share" => "digital_share",
        "contracts.a_trainees_per_fte" => "training_ratio",
        "replications" => "replications",
        "seed" => "seed",
        _ => source_field,
    };
    field.to_string()
}

/// Writes the levers that differ from what the page showed into the scenario's table;
/// a value that is not a number of the right kind is an error for its field (the range
/// checks are the loader's).
fn set_levers(
    table: &mut toml::Table,
    v: &Levers,
    shown: &Levers,
    errors: &mut FieldErrors,
    changed: &mut Vec<String>,
) {
    use toml::Value;
    let set = |table: &mut toml::Table, section: Option<&str>, key: &str, value: Value| {
        let target = match section {
            Some(s) => {
                let entry = table
                    .entry(s.to_string())
                    .or_insert_with(|| Value::Table(toml::Table::new()));
                match entry.as_table_mut() {
                    Some(t) => t,
                    None => return,
                }
            }
            None => table,
        };
        target.insert(key.to_string(), value);
    };
    let float = |name: &str, text: &str, errors: &mut FieldErrors| -> Option<f64> {
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                errors.push((
                    name.to_string(),
                    format!("`{name}`: `{text}` is not a number"),
                ));
                None
            }
        }
    };
    let floats = [
        (
            "capacity_factor",
            &v.capacity_factor,
            &shown.capacity_factor,
            "carers",
            "capacity_factor",
        ),
        (
            "digital_share",
            &v.digital_share,
            &shown.digital_share,
            "indication",
            "digital_share",
        ),
        (
            "training_ratio",
            &v.training_ratio,
            &shown.training_ratio,
            "contracts",
            "a_trainees_per_fte",
        ),
    ];
    for (name, text, was, section, key) in floats {
        if text.is_empty() || text == was {
            continue;
        }
        if let Some(x) = float(name, text, errors) {
            set(table, Some(section), key, Value::Float(x));
            changed.push(format!("{section}.{key} = {x}"));
        }
    }
    if !v.scope.is_empty() && v.scope != shown.scope {
        if CapacityScope::names().contains(&v.scope.as_str()) {
            set(
                table,
                Some("policy"),
                "scope",
                Value::String(v.scope.clone()),
            );
            changed.push(format!("policy.scope = {}", v.scope));
        } else {
            errors.push((
                "scope".into(),
                format!(
                    "`scope`: `{}` is not provider, region or waiting-list",
                    v.scope
                ),
            ));
        }
    }
    if v.policy.is_empty() {
        errors.push((
            "policy".into(),
            "`policy`: choose at least one policy to run".into(),
        ));
    } else if v.policy != shown.policy {
        if let Some(bad) = v.policy.iter().find(|p| PolicyName::from_name(p).is_none()) {
            errors.push((
                "policy".into(),
                format!("`policy`: `{bad}` is not a policy"),
            ));
        } else {
            set(
                table,
                Some("policy"),
                "name",
                Value::String(v.policy[0].clone()),
            );
            let rest = v.policy[1..]
                .iter()
                .map(|p| Value::String(p.clone()))
                .collect();
            set(table, Some("policy"), "compare", Value::Array(rest));
            changed.push(format!("policies {}", v.policy.join(", ")));
        }
    }
    if !v.replications.is_empty() && v.replications != shown.replications {
        // As `kraamsim run --replications` takes it.
        match v.replications.parse::<u32>() {
            Ok(n) if (1..=100_000).contains(&n) => {
                set(table, None, "replications", Value::Integer(i64::from(n)));
                changed.push(format!("replications = {n}"));
            }
            _ => errors.push((
                "replications".into(),
                format!(
                    "`replications`: `{}`: must be a whole number from 1 to 100000",
                    v.replications
                ),
            )),
        }
    }
    if !v.seed.is_empty() && v.seed != shown.seed {
        // A TOML integer is signed 64-bit: a larger seed cannot be written in a scenario.
        match v.seed.parse::<i64>() {
            Ok(n) if n >= 0 => {
                set(table, None, "seed", Value::Integer(n));
                changed.push(format!("seed = {n}"));
            }
            _ => errors.push((
                "seed".into(),
                format!(
                    "`seed`: `{}`: must be a whole number from 0 to {}",
                    v.seed,
                    i64::MAX
                ),
            )),
        }
    }
}

/// The result page's content for a finished scenario run.
#[derive(Debug, Serialize)]
pub struct ScenarioResult {
    pub policies: Vec<String>,
    pub replications: u32,
    pub headline: Vec<Headline>,
    pub regions: Vec<RegionGap>,
    pub charts: Vec<String>,
}

/// One headline figure (region ALL): per policy, the mean and its 95% interval.
#[derive(Debug, Serialize)]
pub struct Headline {
    /// The `data-metric` name (docs/web.md lists them with their stats.csv metric).
    pub metric: &'static str,
    pub label: &'static str,
    pub cells: Vec<String>,
}

/// A region's gap under the first policy, for the regions-by-gap table.
#[derive(Debug, Serialize)]
pub struct RegionGap {
    pub region: String,
    pub mothers: String,
    pub below_minimum: String,
    pub shortfall_per_mother: String,
    gap: f64,
}

/// (metric in the page, label, stats.csv metric, scale) of the headline figures.
const HEADLINE: &[(&str, &str, &str, f64)] = &[
    ("mothers", "mothers per replication", "mothers", 1.0),
    (
        "below_minimum",
        "% of mothers below the 24 h minimum",
        "share_below_minimum",
        100.0,
    ),
    (
        "share_without_care",
        "% of mothers without care",
        "share_without_care",
        100.0,
    ),
    (
        "shortfall_hours",
        "shortfall hours (indicated − delivered)",
        "shortfall_hours",
        1.0,
    ),
    (
        "gini_delivered_ratio",
        "Gini of delivered / indicated hours",
        "gini_delivered_ratio",
        1.0,
    ),
    (
        "birth_assists_missed",
        "birth-assistance requests missed",
        "birth_assists_missed",
        1.0,
    ),
];

/// A mean with its interval, or "n/a" for the interval of one replication (as the terminal
/// shows no ± then). Every headline figure is a count, share or number of hours, never
/// negative, while the Student t interval of a small mean over few replications can reach
/// below zero: its lower end is shown cut at zero (stats.csv keeps the bound as computed).
fn with_interval(mean: f64, ci: Option<(f64, f64)>, decimals: usize) -> String {
    match ci {
        Some((lo, hi)) => {
            let lo = lo.max(0.0);
            format!("{mean:.decimals$} (95% CI {lo:.decimals$} to {hi:.decimals$})")
        }
        None => format!("{mean:.decimals$} (95% CI n/a, one replication)"),
    }
}

pub(crate) fn num(row: &Row, key: &str) -> Option<f64> {
    row.get(key).and_then(|v| v.parse().ok())
}

/// Reads the finished run's stats.csv and summary.csv.
pub fn result(job: &Job) -> Result<ScenarioResult, String> {
    let out = job.out();
    let stats = read_csv(&out.join("stats.csv"))?;
    let summary = read_csv(&out.join("summary.csv"))?;
    let mut policies: Vec<String> = Vec::new();
    for r in &stats {
        let p = r.get("policy").cloned().unwrap_or_default();
        if !policies.contains(&p) {
            policies.push(p);
        }
    }
    let first_variant = stats
        .first()
        .and_then(|r| r.get("variant").cloned())
        .unwrap_or_default();
    let of = |policy: &str, region: &str, metric: &str| {
        stats.iter().find(|r| {
            r.get("variant") == Some(&first_variant)
                && r.get("policy").map(String::as_str) == Some(policy)
                && r.get("region").map(String::as_str) == Some(region)
                && r.get("metric").map(String::as_str) == Some(metric)
        })
    };
    let mut replications = 0;
    let mut headline = Vec::new();
    for (metric, label, stat, scale) in HEADLINE {
        let cells = policies
            .iter()
            .map(|p| match of(p, "ALL", stat) {
                Some(r) => {
                    replications = num(r, "replications").unwrap_or(0.0) as u32;
                    let ci = num(r, "ci95_low").zip(num(r, "ci95_high"));
                    let decimals = if *scale == 1.0 && *stat != "gini_delivered_ratio" {
                        1
                    } else {
                        3
                    };
                    let decimals = if *scale == 100.0 { 2 } else { decimals };
                    with_interval(
                        num(r, "mean").unwrap_or(f64::NAN) * scale,
                        ci.map(|(lo, hi)| (lo * scale, hi * scale)),
                        decimals,
                    )
                }
                None => "–".to_string(),
            })
            .collect();
        headline.push(Headline {
            metric,
            label,
            cells,
        });
    }
    // Delivered hours per mother, per replication then the interval, as the terminal's
    // summary computes it (stats.csv has no such metric).
    let cells = policies
        .iter()
        .map(|p| {
            let values: Vec<f64> = summary
                .iter()
                .filter(|r| {
                    r.get("variant") == Some(&first_variant)
                        && r.get("policy") == Some(p)
                        && r.get("region").map(String::as_str) == Some("ALL")
                })
                .filter_map(|r| Some(num(r, "delivered_hours")? / num(r, "mothers")?.max(1.0)))
                .collect();
            let e = crate::output::estimate(&values);
            with_interval(e.mean, e.ci95, 1)
        })
        .collect();
    headline.insert(
        2,
        Headline {
            metric: "hours_per_mother",
            label: "delivered hours per mother",
            cells,
        },
    );
    let mut regions: Vec<RegionGap> = Vec::new();
    if let Some(p) = policies.first() {
        for r in stats.iter().filter(|r| {
            r.get("variant") == Some(&first_variant)
                && r.get("policy") == Some(p)
                && r.get("metric").map(String::as_str) == Some("mothers")
                && r.get("region").map(String::as_str) != Some("ALL")
        }) {
            let region = r.get("region").cloned().unwrap_or_default();
            let mothers = num(r, "mean").unwrap_or(0.0);
            let below = of(p, &region, "share_below_minimum")
                .and_then(|r| num(r, "mean"))
                .unwrap_or(0.0);
            let short = of(p, &region, "shortfall_hours")
                .and_then(|r| num(r, "mean"))
                .unwrap_or(0.0);
            let gap = short / mothers.max(1.0);
            regions.push(RegionGap {
                region,
                mothers: format!("{mothers:.0}"),
                below_minimum: format!("{:.2}", below * 100.0),
                shortfall_per_mother: format!("{gap:.2}"),
                gap,
            });
        }
    }
    regions.sort_by(|a, b| {
        b.gap
            .total_cmp(&a.gap)
            .then_with(|| a.region.cmp(&b.region))
    });
    Ok(ScenarioResult {
        policies,
        replications,
        headline,
        regions,
        charts: runs::chart_names(job),
    })
}

#[cfg(test)]
mod tests {
    use super::with_interval;

    #[test]
    fn an_interval_reaching_below_zero_is_shown_from_zero() {
        assert_eq!(
            with_interval(0.24, Some((-0.05, 0.54)), 2),
            "0.24 (95% CI 0.00 to 0.54)"
        );
        assert_eq!(
            with_interval(44.3, Some((43.3, 45.3)), 1),
            "44.3 (95% CI 43.3 to 45.3)"
        );
        assert_eq!(
            with_interval(1.0, None, 1),
            "1.0 (95% CI n/a, one replication)"
        );
    }
}
