//! The forecast page (`/forecast`), for a KSV coordinator: upload bookings.csv and
//! roster.csv (docs/forecast.md; a `;`-separated Dutch export is read as the command line
//! reads it), choose the as-of date, weeks and scope, and see the fan chart, the weeks at
//! risk with the providers and postcodes that feel them, the extra carer hours to the
//! minimum and to the full indication, and birth assistance; then a what-if.
//!
//! The base scenario is the shipped `ksv-forecast.toml` (or an uploaded one) with its
//! `[forecast]` table pointed at the uploaded files under fixed names, and the page's
//! as-of date, weeks and scope written into it: that file and the two CSV files are the
//! recipe `kraamsim forecast scenario.toml` reruns.
//!
//! The forecast has no lever for extra hours, so the what-if adds them the way a
//! coordinator would: as extra carers on the roster (virtual carers of the chosen provider
//! with those contract hours, away in the weeks not chosen); the page says so.

use std::sync::Arc;

use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::runs::{self, Job, Kind, Staged};
use super::scenario_page::num;
use super::uploads::{self, Form};
use super::{
    FieldErrors, Row, Shared, error_page, loader_errors, provide_data, read_csv, shipped, templates,
};
use crate::api::{Error, Forecast};
use crate::scenario::{CapacityScope, LoadedScenario};

/// What the form shows back (the user's values, also after an error).
#[derive(Debug, Clone, Serialize)]
struct Values {
    as_of: String,
    weeks: String,
    scope: String,
}

impl Values {
    fn example() -> Values {
        Values {
            as_of: "2027-05-03".into(),
            weeks: "16".into(),
            scope: "provider".into(),
        }
    }
}

/// `GET /forecast`: the form.
pub async fn form() -> Response {
    render_form(StatusCode::OK, &Values::example(), &Vec::new())
}

fn render_form(status: StatusCode, v: &Values, errors: &FieldErrors) -> Response {
    templates::render_status(
        status,
        "forecast.html",
        minijinja::context! {
            v => templates::val(v),
            scopes => CapacityScope::names(),
            errors => templates::errors_by_field(errors),
        },
    )
}

/// `GET /forecast/example/{file}`: the shipped example's bookings.csv or roster.csv, for the
/// page's "use the example files" button.
pub async fn example_file(UrlPath(file): UrlPath<String>) -> Response {
    let body = match file.as_str() {
        "bookings.csv" => shipped::FORECAST_BOOKINGS,
        "roster.csv" => shipped::FORECAST_ROSTER,
        _ => return error_page(StatusCode::NOT_FOUND, "No such file."),
    };
    ([(header::CONTENT_TYPE, "text/csv")], body).into_response()
}

/// `POST /forecast`: checks the files and settings, starts the forecast; errors re-render
/// the form (422) next to their fields.
pub async fn submit(State(app): State<Shared>, multipart: Multipart) -> Response {
    let form = match uploads::read(multipart, &["bookings", "roster", "scenario_file"]).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let values = Values {
        as_of: form.get("as_of").unwrap_or_default().to_string(),
        weeks: form.get("weeks").unwrap_or_default().to_string(),
        scope: form.get("scope").unwrap_or_default().to_string(),
    };
    let app2 = Arc::clone(&app);
    let v2 = values.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        let staged = app2
            .runs
            .stage()
            .map_err(|e| vec![("bookings".to_string(), e.message)])?;
        let example = form.get("use_example") == Some("1");
        let bookings = form
            .files
            .get("bookings")
            .map(Vec::as_slice)
            .or(example.then_some(shipped::FORECAST_BOOKINGS.as_bytes()));
        let roster = form
            .files
            .get("roster")
            .map(Vec::as_slice)
            .or(example.then_some(shipped::FORECAST_ROSTER.as_bytes()));
        let mut errors = FieldErrors::new();
        for (field, file, given) in [
            ("bookings", "bookings.csv", bookings),
            ("roster", "roster.csv", roster),
        ] {
            match given {
                Some(bytes) => {
                    if let Err(e) = std::fs::write(staged.dir.join(file), bytes) {
                        errors.push((field.into(), e.to_string()));
                    }
                }
                None => errors.push((
                    field.into(),
                    format!(
                        "{file}: choose the file (or press \u{201c}use the example files\u{201d})"
                    ),
                )),
            }
        }
        let base = match form.files.get("scenario_file") {
            Some(bytes) => {
                uploads::scenario_text(bytes).map_err(|m| vec![("scenario_file".to_string(), m)])?
            }
            None => shipped::FORECAST_SCENARIO.to_string(),
        };
        let uploaded = form.files.contains_key("scenario_file");
        let prepared = prepare(staged, &base, uploaded, &v2, errors)?;
        Ok::<_, FieldErrors>(prepared)
    })
    .await;
    match prepared {
        Ok(Ok((staged, loaded, title))) => {
            let job = app.runs.start(
                staged,
                Kind::Forecast,
                title,
                None,
                String::new(),
                move |job| run_forecast(job, &loaded),
            );
            Redirect::to(&format!("/runs/{}", job.id)).into_response()
        }
        Ok(Err(errors)) => render_form(StatusCode::UNPROCESSABLE_ENTITY, &values, &errors),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The forecast of a job: the same call as `kraamsim forecast`, into `<run>/out`.
fn run_forecast(job: &Arc<Job>, loaded: &LoadedScenario) -> Result<(), Error> {
    job.state.send_modify(|s| s.total = 1);
    // The cancel button stops it between region-replications (nothing is written then).
    Forecast::new(loaded)
        .stop(Arc::clone(&job.stop))
        .to_dir(job.out())?;
    job.state.send_modify(|s| s.done = 1);
    Ok(())
}

/// The base scenario with the page's settings and the uploaded files' fixed names, written
/// into the run directory (which holds bookings.csv and roster.csv already) and loaded; then
/// the two files read as the forecast will read them, so their errors show on the form.
fn prepare(
    staged: Staged,
    base: &str,
    uploaded: bool,
    v: &Values,
    mut errors: FieldErrors,
) -> Result<(Staged, LoadedScenario, String), FieldErrors> {
    let base_field = "scenario_file";
    let mut table: toml::Table = toml::from_str(base).map_err(|e| {
        vec![(
            base_field.to_string(),
            format!("scenario.toml: {}", e.message().trim_end()),
        )]
    })?;
    let mut set = |key: &str, value: toml::Value| {
        if let Some(f) = table
            .entry("forecast".to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
        {
            f.insert(key.to_string(), value);
        }
    };
    set("bookings", toml::Value::String("bookings.csv".into()));
    set("roster", toml::Value::String("roster.csv".into()));
    // As `kraamsim forecast --as-of` and `--weeks` take them.
    if !v.as_of.is_empty() {
        match NaiveDate::parse_from_str(&v.as_of, "%Y-%m-%d") {
            // Scenario files write dates as strings (`as_of = "2027-05-03"`).
            Ok(d) if (1900..=2199).contains(&d.year()) => {
                set("as_of", toml::Value::String(d.to_string()))
            }
            _ => errors.push((
                "as_of".into(),
                format!(
                    "`as_of`: `{}` is not a date YYYY-MM-DD from 1900-01-01 to 2199-12-31",
                    v.as_of
                ),
            )),
        }
    }
    if !v.weeks.is_empty() {
        match v.weeks.parse::<u32>() {
            Ok(w) if (1..=104).contains(&w) => set("weeks", toml::Value::Integer(i64::from(w))),
            _ => errors.push((
                "weeks".into(),
                format!(
                    "`weeks`: `{}`: must be a whole number from 1 to 104",
                    v.weeks
                ),
            )),
        }
    }
    if !v.scope.is_empty() {
        if CapacityScope::names().contains(&v.scope.as_str()) {
            if let Some(p) = table
                .entry("policy".to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
            {
                p.insert("scope".into(), toml::Value::String(v.scope.clone()));
            }
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
    if let Err(m) = provide_data(&table, &staged.dir) {
        errors.push((base_field.into(), m));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = format!(
        "# Written by kraamsim serve: {} with the forecast page's settings.\n# `kraamsim forecast scenario.toml` reruns it (bookings.csv and roster.csv beside it).\n{}",
        if uploaded {
            "an uploaded scenario"
        } else {
            "scenarios/ksv-forecast/ksv-forecast.toml"
        },
        toml::to_string(&table).map_err(|e| vec![(base_field.to_string(), e.to_string())])?
    );
    let path = staged.dir.join("scenario.toml");
    std::fs::write(&path, &text).map_err(|e| vec![(base_field.to_string(), e.to_string())])?;
    let route = |fe: &crate::scenario::FieldError| route(fe, base_field);
    let loaded = LoadedScenario::load(&path).map_err(|e| loader_errors(&e, &staged.dir, route))?;
    check_files(&loaded).map_err(|e| loader_errors(&e, &staged.dir, route))?;
    let title = format!("{} forecast", loaded.scenario.name);
    Ok((staged, loaded, title))
}

/// Reads the bookings and roster as [`Forecast::to_dir`] will, for their errors with row
/// and column (the API's error is one text; the form needs them by file).
fn check_files(loaded: &LoadedScenario) -> Result<(), crate::scenario::ScenarioError> {
    let s = &loaded.scenario;
    let Some(params) = &s.forecast else {
        return Ok(());
    };
    let Some(as_of) = params.as_of else {
        return Err(crate::scenario::ScenarioError {
            file: "scenario.toml".into(),
            errors: vec![crate::scenario::FieldError {
                file: None,
                line: 0,
                column: 0,
                path: "forecast.as_of".into(),
                message: "no as-of date: give one".into(),
                kind: None,
            }],
        });
    };
    crate::forecast::input::read_for(loaded, s, params, as_of).map(|_| ())
}

/// The form field an error of the scenario, bookings or roster belongs next to.
fn route(fe: &crate::scenario::FieldError, base_field: &str) -> String {
    let file = fe.file.as_deref().unwrap_or_default();
    let field = if file.ends_with("bookings.csv") || fe.path == "forecast.bookings" {
        "bookings"
    } else if file.ends_with("roster.csv") || fe.path == "forecast.roster" {
        "roster"
    } else {
        match fe.path.as_str() {
            "forecast.as_of" => "as_of",
            "forecast.weeks" => "weeks",
            "policy.scope" => "scope",
            _ => base_field,
        }
    };
    field.to_string()
}

/// A forecast's result page content, from the files the forecast wrote.
#[derive(Debug, Serialize)]
pub struct ForecastResult {
    pub chart: Option<String>,
    pub at_risk: Vec<WeekAtRisk>,
    pub weeks: Vec<WeekRow>,
}

#[derive(Debug, Serialize)]
pub struct WeekAtRisk {
    pub week: String,
    pub region: String,
    pub risk: String,
    pub below_minimum: String,
    pub providers: String,
    pub postcodes: String,
    pub why: String,
}

/// One region row of forecast-weeks.csv (provider `ALL`): hours to the minimum (+medical)
/// and to the full indication, and birth assistance.
#[derive(Debug, Serialize)]
pub struct WeekRow {
    pub week: String,
    pub region: String,
    pub risk: String,
    pub to_guaranteed: String,
    pub to_full: String,
    pub carer_weeks: String,
    pub holidays: String,
    pub assists_requested: String,
    pub assists_missed: String,
    pub worst_day_part: String,
}

fn f(row: &Row, key: &str) -> f64 {
    num(row, key).unwrap_or(0.0)
}

/// A count of mothers as docs/forecast.md prints it: whole when whole, else one decimal.
fn count(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

pub fn result(job: &Job) -> Result<ForecastResult, String> {
    let out = job.out();
    let weeks = read_csv(&out.join("forecast-weeks.csv"))?;
    let postcodes = read_csv(&out.join("forecast-postcodes.csv"))?;
    let get = |r: &Row, k: &str| r.get(k).cloned().unwrap_or_default();
    // The region rows (provider ALL); the all-regions row only when there are several.
    let mut regions: Vec<&str> = weeks
        .iter()
        .filter_map(|r| r.get("region").map(String::as_str))
        .filter(|r| *r != "ALL")
        .collect();
    regions.dedup();
    let region_rows: Vec<&Row> = weeks
        .iter()
        .filter(|r| r.get("provider").map(String::as_str) == Some("ALL"))
        .filter(|r| regions.len() > 1 || r.get("region").map(String::as_str) != Some("ALL"))
        .collect();
    let mut at_risk = Vec::new();
    for r in region_rows.iter().filter(|r| get(r, "risk") != "no") {
        let (week, region) = (get(r, "week_start"), get(r, "region"));
        let providers: Vec<String> = weeks
            .iter()
            .filter(|p| {
                get(p, "week_start") == week
                    && get(p, "region") == region
                    && get(p, "provider") != "ALL"
                    && get(p, "risk") != "no"
            })
            .map(|p| format!("{} ({})", get(p, "provider"), get(p, "risk")))
            .collect();
        let mut areas: Vec<(f64, String)> = postcodes
            .iter()
            .filter(|p| get(p, "week_start") == week && get(p, "region") == region)
            .map(|p| (f(p, "below_minimum_p90"), get(p, "postcode")))
            .filter(|(x, _)| *x > 0.0)
            .collect();
        areas.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        at_risk.push(WeekAtRisk {
            week,
            region,
            risk: get(r, "risk"),
            below_minimum: format!(
                "{} / {}",
                count(f(r, "below_minimum_p50")),
                count(f(r, "below_minimum_p90"))
            ),
            providers: providers.join(", "),
            postcodes: areas
                .iter()
                .take(6)
                .map(|(x, pc)| format!("{pc} (P90 {})", count(*x)))
                .collect::<Vec<_>>()
                .join(", "),
            why: get(r, "why"),
        });
    }
    let weeks = region_rows
        .iter()
        .map(|r| WeekRow {
            week: get(r, "week_start"),
            region: get(r, "region"),
            risk: get(r, "risk"),
            to_guaranteed: format!(
                "{:.0} / {:.0}",
                f(r, "hours_to_guaranteed_p50"),
                f(r, "hours_to_guaranteed_p90")
            ),
            to_full: format!(
                "{:.0} / {:.0}",
                f(r, "hours_to_full_p50"),
                f(r, "hours_to_full_p90")
            ),
            carer_weeks: format!(
                "{} / {}",
                get(r, "carer_weeks_to_guaranteed_p90"),
                get(r, "carer_weeks_to_full_p90")
            ),
            holidays: get(r, "holiday_carer_weeks"),
            assists_requested: count(f(r, "birth_assists_requested_p50")),
            assists_missed: format!(
                "{} / {}",
                count(f(r, "birth_assists_missed_p50")),
                count(f(r, "birth_assists_missed_p90"))
            ),
            worst_day_part: match get(r, "worst_day_part") {
                p if p.is_empty() => "–".to_string(),
                p => format!("{p} ({:.0}%)", 100.0 * f(r, "worst_day_part_missed_share")),
            },
        })
        .collect();
    let chart =
        runs::listed(&out.join("charts"), "forecast.png").map(|_| "forecast.png".to_string());
    Ok(ForecastResult {
        chart,
        at_risk,
        weeks,
    })
}

/// The what-if form of a finished forecast: its weeks (those at risk ticked) and providers.
#[derive(Debug, Serialize)]
pub struct WhatIfForm {
    pub weeks: Vec<(String, bool)>,
    pub providers: Vec<String>,
}

pub fn whatif_form(job: &Job) -> Result<WhatIfForm, String> {
    let rows = read_csv(&job.out().join("forecast-weeks.csv"))?;
    let mut weeks: Vec<(String, bool)> = Vec::new();
    let mut providers: Vec<String> = Vec::new();
    for r in &rows {
        let week = r.get("week_start").cloned().unwrap_or_default();
        let provider = r.get("provider").cloned().unwrap_or_default();
        let risky = r.get("risk").map(String::as_str) != Some("no");
        if provider == "ALL" {
            match weeks.iter_mut().find(|(w, _)| *w == week) {
                Some(w) => w.1 |= risky,
                None => weeks.push((week, risky)),
            }
        } else if !providers.contains(&provider) {
            providers.push(provider);
        }
    }
    weeks.sort();
    Ok(WhatIfForm { weeks, providers })
}

/// The most contract hours one virtual carer of the what-if gets (CAO Kraamzorg: a 36-hour
/// week); more extra hours are spread over more carers.
const MAX_CONTRACT_HOURS: f64 = 36.0;

/// `POST /runs/{id}/whatif`: the forecast again with extra carers on the roster in the
/// chosen weeks; its page shows it beside the first.
pub async fn whatif(
    State(app): State<Shared>,
    UrlPath(id): UrlPath<String>,
    multipart: Multipart,
) -> Response {
    let Some(base) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    if base.kind != Kind::Forecast || base.state().status != runs::Status::Done {
        return error_page(
            StatusCode::CONFLICT,
            "The what-if needs a finished forecast.",
        );
    }
    let form = match uploads::read(multipart, &[]).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let app2 = Arc::clone(&app);
    let base2 = Arc::clone(&base);
    let prepared = tokio::task::spawn_blocking(move || prepare_whatif(&app2, &base2, &form)).await;
    match prepared {
        Ok(Ok((staged, loaded, note))) => {
            let title = format!("{} (what-if)", base.title);
            let job = app.runs.start(
                staged,
                Kind::Forecast,
                title,
                Some(base.id.clone()),
                note,
                move |job| run_forecast(job, &loaded),
            );
            Redirect::to(&format!("/runs/{}", job.id)).into_response()
        }
        Ok(Err(message)) => error_page(StatusCode::UNPROCESSABLE_ENTITY, &message),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn prepare_whatif(
    app: &Shared,
    base: &Job,
    form: &Form,
) -> Result<(Staged, LoadedScenario, String), String> {
    let hours_text = form.get("extra_hours").unwrap_or_default();
    let hours: f64 = hours_text
        .parse()
        .ok()
        .filter(|h: &f64| h.is_finite() && *h > 0.0 && *h <= 10_000.0)
        .ok_or_else(|| format!("`extra_hours`: `{hours_text}`: give the extra carer hours per week, a number above 0 (at most 10000)"))?;
    let chosen: Vec<NaiveDate> = form
        .all("whatif_weeks")
        .iter()
        .map(|w| {
            NaiveDate::parse_from_str(w, "%Y-%m-%d")
                .map_err(|_| format!("`whatif_weeks`: `{w}` is not a week"))
        })
        .collect::<Result<_, _>>()?;
    if chosen.is_empty() {
        return Err("`whatif_weeks`: choose the weeks that get the extra hours".into());
    }
    let provider = form.get("whatif_provider").unwrap_or_default().to_string();
    let loaded = LoadedScenario::load(base.dir.join("scenario.toml")).map_err(|e| e.to_string())?;
    let params = loaded
        .scenario
        .forecast
        .clone()
        .ok_or("the base has no [forecast] table")?;
    let as_of = params.as_of.ok_or("the base has no as-of date")?;
    let weeks = params.weeks;
    let roster = std::fs::read(base.dir.join("roster.csv")).map_err(|e| e.to_string())?;
    let (roster, note) = add_carers(&roster, &provider, hours, &chosen, as_of, weeks)?;
    let staged = app.runs.stage().map_err(|e| e.message)?;
    for name in ["scenario.toml", "bookings.csv"] {
        std::fs::copy(base.dir.join(name), staged.dir.join(name)).map_err(|e| e.to_string())?;
    }
    std::fs::write(staged.dir.join("roster.csv"), roster).map_err(|e| e.to_string())?;
    if let Ok(table) = toml::from_str::<toml::Table>(&loaded.text) {
        provide_data(&table, &staged.dir)?;
    }
    let loaded =
        LoadedScenario::load(staged.dir.join("scenario.toml")).map_err(|e| e.to_string())?;
    check_files(&loaded).map_err(|e| {
        e.to_string()
            .replace(&format!("{}/", staged.dir.display()), "")
    })?;
    Ok((staged, loaded, note))
}

/// The roster with virtual carers of `provider` holding `hours` contract hours a week in
/// total, away (a known absence) in every forecast week not chosen; in the roster's own
/// dialect (separator, decimal comma, line ends). Returns the roster and what it did, in
/// words for the page.
fn add_carers(
    roster: &[u8],
    provider: &str,
    hours: f64,
    chosen: &[NaiveDate],
    as_of: NaiveDate,
    weeks: u32,
) -> Result<(Vec<u8>, String), String> {
    let body = roster.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(roster);
    let header_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let separator = if header_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let crlf = header_line.ends_with(b"\r");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .from_reader(body);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("roster.csv: {e}"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_carer), Some(c_region), Some(c_provider), Some(c_hours)) = (
        col("carer"),
        col("region"),
        col("provider"),
        col("contract_hours_per_week"),
    ) else {
        return Err(
            "roster.csv: needs the columns carer, region, provider, contract_hours_per_week".into(),
        );
    };
    let mut region = None;
    for record in reader.records().flatten() {
        if record.get(c_provider).map(str::trim) == Some(provider) {
            region = record.get(c_region).map(|r| r.trim().to_string());
            break;
        }
    }
    let region = region
        .ok_or_else(|| format!("`whatif_provider`: `{provider}` has no carer on the roster"))?;
    let n = (hours / MAX_CONTRACT_HOURS).ceil().max(1.0);
    let each = hours / n;
    let each_text = {
        let t = format!("{each:.2}");
        if separator == b';' {
            t.replace('.', ",")
        } else {
            t
        }
    };
    // Day 0 of the forecast is the Monday of the as-of date's week.
    let monday = as_of - Duration::days(i64::from(as_of.weekday().num_days_from_monday()));
    let mut away = Vec::new();
    for w in 0..weeks {
        let start = monday + Duration::weeks(i64::from(w));
        if !chosen.contains(&start) {
            away.push(format!(
                "{}..{}",
                start.max(as_of),
                start + Duration::days(6)
            ));
        }
    }
    let mut out = roster.to_vec();
    let newline: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    if !out.ends_with(b"\n") {
        out.extend_from_slice(newline);
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator)
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    for i in 0..n as usize {
        let mut row = vec![String::new(); headers.len()];
        row[c_carer] = format!("what-if-{}", i + 1);
        row[c_region] = region.clone();
        row[c_provider] = provider.to_string();
        row[c_hours] = each_text.clone();
        if let Some(c) = col("absences") {
            row[c] = away.join(" ");
        }
        writer.write_record(&row).map_err(|e| e.to_string())?;
    }
    out.extend(writer.into_inner().map_err(|e| e.to_string())?);
    let chosen_text: Vec<String> = chosen.iter().map(NaiveDate::to_string).collect();
    let note = format!(
        "What-if: {hours} extra contract hours a week for {provider} in the weeks of {}, added to the roster as {n} virtual carer(s) of {each:.2} contract hours each, away (a known absence) in the other weeks. Their care hours are contract hours × carers.productive_share, as for every carer on the roster. (The forecast has no lever for extra hours; extra carers on the roster are how the roster says it.)",
        chosen_text.join(", ")
    );
    Ok((out, note))
}
