//! A forecast's outputs: forecast.csv (the bands), forecast-weeks.csv (weeks at risk, what
//! would help and birth assistance), forecast-postcodes.csv (per PC4 area), the fan chart and report.html, and forecast.json (written last, like a
//! run's run.json: a directory with it is complete). The columns are documented in
//! docs/forecast.md.
//!
//! Every file goes through a temporary name and a rename (`output::write_atomic`), and the
//! output directory is checked with `output::prepare_dir` before anything is written, so a
//! bad input or an existing output never leaves a half-written directory.
//!
//! What the forecast says about each week (risk, what would help, the stdout table) is in
//! `advice`; this file writes the files.

mod advice;

pub use advice::{
    NO_WEEK_AT_RISK, PostcodeWeek, Risk, WeekAdvice, WeekRow, advice, is_top, mothers,
    postcode_weeks, table, weeks_at_risk, worst_part_text,
};

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;

use super::bands::{Band, Bands, METRICS, Series};
use crate::csv_text::CsvText;
use crate::output::{self, Layout, OutputDir, OutputError};
use crate::results::DAY_PART_NAMES;

/// The bands file.
pub const FORECAST_CSV: &str = "forecast.csv";
/// The columns of forecast.csv, in order: written by [`forecast_csv`] and read by the chart
/// (`crate::chart::forecast`) through this one list.
pub const FORECAST_COLUMNS: [&str; 10] = [
    "level",
    "period_start",
    "days",
    "region",
    "provider",
    "metric",
    "p10",
    "p50",
    "p90",
    "mean",
];
/// Weeks at risk and what would help.
pub const WEEKS_CSV: &str = "forecast-weeks.csv";
/// The columns of forecast-weeks.csv, in order: written by [`weeks_csv`] and read by name
/// by the chart (`crate::chart::forecast`), so the two cannot disagree.
pub const WEEKS_COLUMNS: [&str; 24] = [
    "week_start",
    "days",
    "region",
    "provider",
    "risk",
    "below_minimum_p50",
    "below_minimum_p90",
    "demand_hours_p50",
    "carer_contract_hours_p50",
    "hours_to_minimum_p50",
    "hours_to_minimum_p90",
    "hours_to_guaranteed_p50",
    "hours_to_guaranteed_p90",
    "hours_to_full_p50",
    "hours_to_full_p90",
    "carer_weeks_to_guaranteed_p90",
    "carer_weeks_to_full_p90",
    "holiday_carer_weeks",
    "why",
    "birth_assists_requested_p50",
    "birth_assists_missed_p50",
    "birth_assists_missed_p90",
    "worst_day_part",
    "worst_day_part_missed_share",
];
/// Per postcode and week: mothers below the minimum and shortfall hours.
pub const POSTCODES_CSV: &str = "forecast-postcodes.csv";
/// The forecast's metadata, written last.
pub use crate::recipe::FORECAST_JSON;

/// What forecast.json records: a recipe `kraamsim forecast --from` reruns
/// (`crate::recipe`). Fields are added, never renamed or removed.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub kraamsim_version: &'static str,
    /// The git commit kraamsim was built from (`-dirty`: with uncommitted changes).
    pub source_revision: &'static str,
    /// Always `forecast`: the command whose `--from` reruns this file.
    pub command: &'static str,
    pub scenario_name: String,
    pub scenario_path: String,
    pub scenario_sha256: String,
    /// Every file the forecast read besides the scenario (its `[data]` files, bookings and
    /// roster), with its path and SHA-256.
    pub data_files: Vec<crate::recipe::InputFile>,
    /// The command-line flags that override the scenario, as given (`null`: not given).
    pub overrides: crate::recipe::Overrides,
    pub bookings: String,
    pub bookings_sha256: String,
    pub roster: String,
    pub roster_sha256: String,
    pub as_of: String,
    pub weeks: u32,
    pub seed: u64,
    pub replications: u32,
    pub policy: String,
    pub scope: String,
    pub threads: usize,
    /// `--threads` as given (`null`: all cores); `threads` is what ran.
    pub threads_requested: Option<u16>,
    /// `--no-charts`: charts/ and report.html were not drawn.
    pub no_charts: bool,
    pub wall_seconds: f64,
    /// The known state per region on the as-of date (bookings, mothers in care, carers on
    /// the roster): the report's first lines, kept here so that `kraamsim chart DIR` can
    /// redraw the report from the directory alone.
    pub known: Vec<KnownCount>,
}

/// One region's known state on the as-of date, as forecast.json records it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct KnownCount {
    pub region: String,
    pub bookings: usize,
    pub in_care: usize,
    pub carers: usize,
}

/// The known state of every region of `b`, for [`Meta::known`].
pub fn known_counts(b: &Bands) -> Vec<KnownCount> {
    b.known_counts
        .iter()
        .map(|(region, bookings, in_care, carers)| KnownCount {
            region: region.clone(),
            bookings: *bookings,
            in_care: *in_care,
            carers: *carers,
        })
        .collect()
}

fn num(x: f64) -> String {
    format!("{x:.3}")
}

/// forecast.csv: one row per level (day, week) x series x metric x period.
pub fn forecast_csv(b: &Bands) -> String {
    let mut out = CsvText::new(&FORECAST_COLUMNS);
    let mut row = |level: &str, start: String, days: u32, s: &Series, m: usize, band: &Band| {
        out.row([
            level.to_string(),
            start,
            days.to_string(),
            s.region.clone(),
            s.provider.clone(),
            METRICS[m].to_string(),
            num(band.p10),
            num(band.p50),
            num(band.p90),
            num(band.mean),
        ]);
    };
    for s in &b.series {
        for m in 0..METRICS.len() {
            for (d, date) in b.dates.iter().enumerate() {
                row("day", date.to_string(), 1, s, m, &s.days[d][m]);
            }
        }
    }
    for s in &b.series {
        for m in 0..METRICS.len() {
            for (w, week) in b.weeks.iter().enumerate() {
                row(
                    "week",
                    week.start.to_string(),
                    week.days,
                    s,
                    m,
                    &s.weeks[w][m],
                );
            }
        }
    }
    out.finish()
}

/// forecast-postcodes.csv: one row per postcode x week.
pub fn postcodes_csv(b: &Bands) -> String {
    let mut out = CsvText::new(&[
        "week_start",
        "days",
        "region",
        "postcode",
        "below_minimum_p10",
        "below_minimum_p50",
        "below_minimum_p90",
        "below_minimum_mean",
        "shortfall_hours_p10",
        "shortfall_hours_p50",
        "shortfall_hours_p90",
        "shortfall_hours_mean",
    ]);
    for pc in &b.postcodes {
        for (w, week) in b.weeks.iter().enumerate() {
            let [below, short] = &pc.weeks[w];
            out.row([
                week.start.to_string(),
                week.days.to_string(),
                pc.region.clone(),
                pc.postcode.to_string(),
                num(below.p10),
                num(below.p50),
                num(below.p90),
                num(below.mean),
                num(short.p10),
                num(short.p50),
                num(short.p90),
                num(short.mean),
            ]);
        }
    }
    out.finish()
}

/// forecast-weeks.csv: one row per series x week.
pub fn weeks_csv(b: &Bands) -> String {
    let mut out = CsvText::new(&WEEKS_COLUMNS);
    for a in advice(b) {
        let (part, share) = match a.worst_part {
            Some((p, share)) => (DAY_PART_NAMES[p], num(share)),
            None => ("", String::new()),
        };
        out.row([
            a.week.start.to_string(),
            a.week.days.to_string(),
            a.region.clone(),
            a.provider.clone(),
            a.risk.as_str().to_string(),
            num(a.below_minimum.p50),
            num(a.below_minimum.p90),
            num(a.demand.p50),
            num(a.available.p50),
            num(a.to_minimum.p50),
            num(a.to_minimum.p90),
            num(a.to_guaranteed.p50),
            num(a.to_guaranteed.p90),
            num(a.to_full.p50),
            num(a.to_full.p90),
            format!("{:.1}", a.carer_weeks_guaranteed_p90),
            format!("{:.1}", a.carer_weeks_full_p90),
            format!("{:.1}", a.holiday_carer_weeks),
            a.why(),
            num(a.assists_requested.p50),
            num(a.assists_missed.p50),
            num(a.assists_missed.p90),
            part.to_string(),
            share,
        ]);
    }
    out.finish()
}

/// What a forecast writes into its directory (`output::dir`): the CSV files, forecast.json,
/// and `charts`, the files of the chart and report.html when they are drawn
/// (`crate::chart::files`, above this layer; empty: none).
pub fn layout(charts: Vec<String>) -> Layout {
    let mut files: Vec<String> = [FORECAST_CSV, WEEKS_CSV, POSTCODES_CSV, FORECAST_JSON]
        .map(String::from)
        .to_vec();
    files.extend(charts);
    Layout::new("forecast", FORECAST_JSON, files)
}

/// Writes the tables of a forecast into `out` (held and checked by `OutputDir::open` with
/// [`layout`] before the forecast ran). The caller then draws the chart and report from
/// these files and [`meta_fields`] (`crate::chart::forecast::draw`, as `kraamsim chart DIR`
/// draws them later: one way to draw a forecast) or removes those of an earlier one, and
/// writes forecast.json last with [`write_meta`].
pub fn write_tables(out: &OutputDir, b: &Bands) -> Result<(), OutputError> {
    let dir = out.path();
    let io = |source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    };
    // A forecast.json of an earlier forecast goes first: until the new one is written, the
    // directory does not claim to be complete.
    let meta_path = dir.join(FORECAST_JSON);
    if meta_path.exists() {
        std::fs::remove_file(&meta_path).map_err(io)?;
    }
    let text = |s: String| {
        move |w: &mut dyn std::io::Write| {
            w.write_all(s.as_bytes()).map_err(|source| OutputError::Io {
                path: Path::new("").to_path_buf(),
                source,
            })
        }
    };
    let written = [FORECAST_CSV, WEEKS_CSV, POSTCODES_CSV, FORECAST_JSON].map(String::from);
    output::dir::record(dir, out.layout().kind, &written)?;
    output::write_atomic(dir, FORECAST_CSV, text(forecast_csv(b)))?;
    output::write_atomic(dir, WEEKS_CSV, text(weeks_csv(b)))?;
    output::write_atomic(dir, POSTCODES_CSV, text(postcodes_csv(b)))?;
    Ok(())
}

/// forecast.json's fields, as the chart reads them from the file.
pub fn meta_fields(meta: &Meta) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(meta) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => unreachable!("Meta is a struct"),
    }
}

/// Writes forecast.json into `dir`, last: a directory with it is complete.
pub fn write_meta(dir: &Path, meta: &Meta) -> Result<(), OutputError> {
    let meta_path = dir.join(FORECAST_JSON);
    let json = serde_json::to_string_pretty(meta).expect("plain data serialises");
    output::write_atomic(dir, FORECAST_JSON, |w| {
        w.write_all(json.as_bytes())
            .and_then(|()| w.write_all(b"\n"))
            .map_err(|source| OutputError::Io {
                path: meta_path.clone(),
                source,
            })
    })?;
    let _ = std::io::stdout().flush();
    Ok(())
}
