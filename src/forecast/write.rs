//! A forecast's outputs: forecast.csv (the bands), forecast-weeks.csv (weeks at risk, what
//! would help and birth assistance), forecast-postcodes.csv (per PC4 area), the fan chart and report.html, and forecast.json (written last, like a
//! run's run.json: a directory with it is complete). The columns are documented in
//! docs/forecast.md.
//!
//! Every file goes through a temporary name and a rename (`output::write_atomic`), and the
//! output directory is checked with `output::prepare_dir` before anything is written, so a
//! bad input or an existing output never leaves a half-written directory.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::bands::{
    ALL, ASSISTS_MISSED, ASSISTS_MISSED_BY_PART, ASSISTS_REQUESTED, ASSISTS_REQUESTED_BY_PART,
    AVAILABLE, BELOW_MINIMUM, Band, Bands, DEMAND, M, METRICS, SHORTFALL, Series, TO_GUARANTEED,
    TO_MINIMUM, Week,
};
use crate::csv_text::CsvText;
use crate::output::{self, Layout, OutputDir, OutputError};
use crate::results::{DAY_PART_NAMES, DAY_PARTS};

/// The bands file.
pub const FORECAST_CSV: &str = "forecast.csv";
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
    let mut out = CsvText::new(&[
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
    ]);
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

/// One postcode area in one week: mothers below the minimum (P90 and mean over the futures),
/// as forecast-postcodes.csv has it. The terminal takes them from the bands, the report
/// from the file, and both name the postcodes at risk with [`weeks_at_risk`].
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeWeek {
    pub week_start: NaiveDate,
    pub postcode: String,
    pub below_minimum_p90: f64,
    pub below_minimum_mean: f64,
}

/// Every postcode x week of `b`, in forecast-postcodes.csv's order.
pub fn postcode_weeks(b: &Bands) -> Vec<PostcodeWeek> {
    b.postcodes
        .iter()
        .flat_map(|pc| {
            b.weeks
                .iter()
                .zip(&pc.weeks)
                .map(|(week, [below, _])| PostcodeWeek {
                    week_start: week.start,
                    postcode: pc.postcode.to_string(),
                    below_minimum_p90: below.p90,
                    below_minimum_mean: below.mean,
                })
        })
        .collect()
}

/// The postcodes most at risk in the week starting `week`: those with mothers below the
/// minimum in at least 1 of 10 futures, by P90 then mean, at most `n`.
fn postcodes_at_risk(postcodes: &[PostcodeWeek], week: NaiveDate, n: usize) -> Vec<String> {
    let mut at_risk: Vec<&PostcodeWeek> = postcodes
        .iter()
        .filter(|pc| pc.week_start == week && pc.below_minimum_p90 > 0.0)
        .collect();
    at_risk.sort_by(|a, b| {
        b.below_minimum_p90
            .total_cmp(&a.below_minimum_p90)
            .then(b.below_minimum_mean.total_cmp(&a.below_minimum_mean))
    });
    at_risk
        .into_iter()
        .take(n)
        .map(|pc| format!("{} (P90 {:.0})", pc.postcode, pc.below_minimum_p90))
        .collect()
}

/// How likely a week is to leave mothers below the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// No mother below the minimum in 9 of 10 simulated futures.
    None,
    /// Some below the minimum in at least 1 of 10 futures (P90 > 0).
    Possible,
    /// Some below the minimum in at least half the futures (P50 > 0).
    Likely,
}

impl Risk {
    pub fn of(below_minimum: &Band) -> Risk {
        if below_minimum.p50 > 0.0 {
            Risk::Likely
        } else if below_minimum.p90 > 0.0 {
            Risk::Possible
        } else {
            Risk::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::None => "no",
            Risk::Possible => "possible",
            Risk::Likely => "likely",
        }
    }

    /// The risk as forecast-weeks.csv writes it ([`Risk::as_str`]).
    pub fn parse(text: &str) -> Option<Risk> {
        [Risk::None, Risk::Possible, Risk::Likely]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// One week of one series: its risk and what would help.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekAdvice {
    pub week: Week,
    pub region: String,
    pub provider: String,
    pub risk: Risk,
    pub below_minimum: Band,
    pub demand: Band,
    pub available: Band,
    pub to_minimum: Band,
    pub to_guaranteed: Band,
    pub to_full: Band,
    /// Carer-weeks (a roster carer's mean weekly care hours) that would give the P90 hours
    /// to the guaranteed hours and to the full indication.
    pub carer_weeks_guaranteed_p90: f64,
    pub carer_weeks_full_p90: f64,
    pub holiday_carer_weeks: f64,
    /// Birth-assistance requests and missed requests, all day parts.
    pub assists_requested: Band,
    pub assists_missed: Band,
    /// The day part with the largest share of its requests missed (mean missed / mean
    /// requested over the futures), and that share; `None` when no future misses one.
    pub worst_part: Option<(usize, f64)>,
}

/// The day part of a week with the largest share of its requests missed (ratio of the means
/// over the futures, the earlier part on ties), and the share; `None` without a miss.
fn worst_part(bands: &[Band; M]) -> Option<(usize, f64)> {
    let mut worst: Option<(usize, f64)> = None;
    for p in 0..DAY_PARTS {
        let requested = bands[ASSISTS_REQUESTED_BY_PART + p].mean;
        let missed = bands[ASSISTS_MISSED_BY_PART + p].mean;
        if requested > 0.0 && missed > 0.0 {
            let share = missed / requested;
            if worst.is_none_or(|(_, w)| share > w) {
                worst = Some((p, share));
            }
        }
    }
    worst
}

/// A count of mothers from a band (a quantile over the futures, so it can fall between two
/// whole numbers): whole when it is one, else with one decimal, so that a P50 of 0.5 next
/// to "likely" does not read `0`.
pub fn mothers(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{:.0}", x.round())
    } else {
        format!("{x:.1}")
    }
}

impl WeekAdvice {
    /// The worst day part in words: `evening 12%`, or `-` when no request is missed.
    pub fn worst_part_text(&self) -> String {
        match self.worst_part {
            Some((p, share)) => worst_part_text(DAY_PART_NAMES[p], share),
            None => worst_part_text("", 0.0),
        }
    }

    /// Why the week is at risk, in words.
    pub fn why(&self) -> String {
        match self.risk {
            Risk::None => String::new(),
            Risk::Likely => format!(
                "in half the futures {} or more mothers end below the minimum; demand {} h vs {} h carer hours (P50)",
                mothers(self.below_minimum.p50),
                self.demand.p50.round(),
                self.available.p50.round()
            ),
            Risk::Possible => format!(
                "in 1 of 10 futures {} or more mothers end below the minimum; demand {} h vs {} h carer hours (P50)",
                mothers(self.below_minimum.p90),
                self.demand.p50.round(),
                self.available.p50.round()
            ),
        }
    }
}

/// One row of forecast-weeks.csv as the terminal and the report show it: P50 and P90 where
/// the file has them, the reason in words and the worst day part as text. The terminal makes
/// it from the bands ([`WeekAdvice::row`]), the report reads it back from the file, so that
/// both say the same.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekRow {
    pub week_start: NaiveDate,
    pub days: u32,
    pub region: String,
    pub provider: String,
    pub risk: Risk,
    pub below_minimum_p50: f64,
    pub below_minimum_p90: f64,
    pub demand_p50: f64,
    pub available_p50: f64,
    pub to_guaranteed_p50: f64,
    pub to_guaranteed_p90: f64,
    pub to_full_p50: f64,
    pub to_full_p90: f64,
    pub carer_weeks_guaranteed_p90: f64,
    pub carer_weeks_full_p90: f64,
    pub holiday_carer_weeks: f64,
    pub why: String,
    pub assists_requested_p50: f64,
    pub assists_missed_p50: f64,
    pub assists_missed_p90: f64,
    /// [`WeekAdvice::worst_part_text`].
    pub worst_part: String,
}

impl WeekAdvice {
    /// The week as the terminal and the report show it.
    pub fn row(&self) -> WeekRow {
        WeekRow {
            week_start: self.week.start,
            days: self.week.days,
            region: self.region.clone(),
            provider: self.provider.clone(),
            risk: self.risk,
            below_minimum_p50: self.below_minimum.p50,
            below_minimum_p90: self.below_minimum.p90,
            demand_p50: self.demand.p50,
            available_p50: self.available.p50,
            to_guaranteed_p50: self.to_guaranteed.p50,
            to_guaranteed_p90: self.to_guaranteed.p90,
            to_full_p50: self.to_full.p50,
            to_full_p90: self.to_full.p90,
            carer_weeks_guaranteed_p90: self.carer_weeks_guaranteed_p90,
            carer_weeks_full_p90: self.carer_weeks_full_p90,
            holiday_carer_weeks: self.holiday_carer_weeks,
            why: self.why(),
            assists_requested_p50: self.assists_requested.p50,
            assists_missed_p50: self.assists_missed.p50,
            assists_missed_p90: self.assists_missed.p90,
            worst_part: self.worst_part_text(),
        }
    }
}

/// The day-part name and missed share of forecast-weeks.csv as
/// [`WeekAdvice::worst_part_text`] writes them.
pub fn worst_part_text(part: &str, share: f64) -> String {
    if part.is_empty() {
        "-".to_string()
    } else {
        format!("{part} {:.0}%", 100.0 * share)
    }
}

/// Every week of every series, in forecast.csv's series order.
pub fn advice(b: &Bands) -> Vec<WeekAdvice> {
    let mut out = Vec::new();
    for s in &b.series {
        for (w, week) in b.weeks.iter().enumerate() {
            let bands = &s.weeks[w];
            let per_carer_week = |hours: f64| {
                if s.carer_week_hours > 0.0 {
                    hours / s.carer_week_hours
                } else {
                    0.0
                }
            };
            out.push(WeekAdvice {
                week: *week,
                region: s.region.clone(),
                provider: s.provider.clone(),
                risk: Risk::of(&bands[BELOW_MINIMUM]),
                below_minimum: bands[BELOW_MINIMUM],
                demand: bands[DEMAND],
                available: bands[AVAILABLE],
                to_minimum: bands[TO_MINIMUM],
                to_guaranteed: bands[TO_GUARANTEED],
                to_full: bands[SHORTFALL],
                carer_weeks_guaranteed_p90: per_carer_week(bands[TO_GUARANTEED].p90),
                carer_weeks_full_p90: per_carer_week(bands[SHORTFALL].p90),
                holiday_carer_weeks: s.holiday_carer_weeks[w],
                assists_requested: bands[ASSISTS_REQUESTED],
                assists_missed: bands[ASSISTS_MISSED],
                worst_part: worst_part(bands),
            });
        }
    }
    out
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

/// Whether a row is the summary of the whole forecast: with one region its own row
/// (provider `ALL`), with several the row of all regions.
pub fn is_top(a: &WeekRow, single_region: bool) -> bool {
    if single_region {
        a.region != ALL && a.provider == ALL
    } else {
        a.region == ALL
    }
}

/// The one-screen summary: the known state, the weekly table of all regions, and the weeks
/// at risk with the providers that feel it.
pub fn table(b: &Bands) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Forecast from {} for {} weeks, {} replications of the future",
        b.as_of,
        b.weeks.len(),
        b.replications
    );
    for (region, bookings, in_care, carers) in &b.known_counts {
        let _ = writeln!(
            t,
            "  {region}: {bookings} mothers booked ({in_care} in care on {}), {carers} carers on the roster",
            b.as_of
        );
    }
    let _ = writeln!(
        t,
        "\nWhat helps, per week ({}; hours are P50 / P90 over the futures):",
        if b.known_counts.len() == 1 {
            b.known_counts[0].0.clone()
        } else {
            "all regions".to_string()
        }
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:<9} {:>9} {:>13} {:>14} {:>13} {:>16} {:>9}",
        "week",
        "days",
        "risk",
        "below min",
        "demand/avail",
        "to minimum h",
        "to full h",
        "carer-weeks P90",
        "holidays"
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:<9} {:>9} {:>13} {:>14} {:>13} {:>16} {:>9}",
        "", "", "", "P50/P90", "P50 h", "(+medical)", "", "min / full", "c-weeks"
    );
    let all: Vec<WeekRow> = advice(b).iter().map(WeekAdvice::row).collect();
    // One region: its own row (provider ALL); several: the row of all regions.
    let single = b.known_counts.len() == 1;
    let top: Vec<&WeekRow> = all.iter().filter(|a| is_top(a, single)).collect();
    for a in &top {
        let _ = writeln!(
            t,
            "{:<11} {:>4} {:<9} {:>9} {:>13} {:>14} {:>13} {:>16} {:>9.1}",
            a.week_start.to_string(),
            a.days,
            a.risk.as_str(),
            format!(
                "{}/{}",
                mothers(a.below_minimum_p50),
                mothers(a.below_minimum_p90)
            ),
            format!("{:.0}/{:.0}", a.demand_p50, a.available_p50),
            format!("{:.0}/{:.0}", a.to_guaranteed_p50, a.to_guaranteed_p90),
            format!("{:.0}/{:.0}", a.to_full_p50, a.to_full_p90),
            format!(
                "{:.1} / {:.1}",
                a.carer_weeks_guaranteed_p90, a.carer_weeks_full_p90
            ),
            a.holiday_carer_weeks
        );
    }
    let _ = writeln!(
        t,
        "\nBirth assistance, per week (all day parts; worst day part: the largest share missed):"
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:>12} {:>8} {:>16}",
        "week", "days", "requests P50", "missed", "worst day part"
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:>12} {:>8} {:>16}",
        "", "", "", "P50/P90", "(missed share)"
    );
    for a in &top {
        let _ = writeln!(
            t,
            "{:<11} {:>4} {:>12.0} {:>8} {:>16}",
            a.week_start.to_string(),
            a.days,
            a.assists_requested_p50,
            format!(
                "{}/{}",
                mothers(a.assists_missed_p50),
                mothers(a.assists_missed_p90)
            ),
            a.worst_part
        );
    }
    let at_risk = weeks_at_risk(&all, &postcode_weeks(b), !single);
    if at_risk.is_empty() {
        let _ = writeln!(t, "\n{NO_WEEK_AT_RISK}");
    } else {
        let _ = writeln!(t, "\nWeeks at risk:");
        for line in at_risk {
            let _ = writeln!(t, "  {line}");
        }
    }
    t
}

pub const NO_WEEK_AT_RISK: &str =
    "No week at risk: in 9 of 10 futures every mother gets her minimum.";

/// The weeks at risk in words, one line each: when, how likely, why, and which providers and
/// postcodes feel it (`all`: every row of forecast-weeks.csv; `several_regions`: the
/// summary rows are those of all regions). The terminal and report.html show the same lines.
pub fn weeks_at_risk(
    all: &[WeekRow],
    postcodes: &[PostcodeWeek],
    several_regions: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    let top = all
        .iter()
        .filter(|a| is_top(a, !several_regions) && a.risk != Risk::None);
    for a in top {
        let providers: Vec<String> = all
            .iter()
            .filter(|p| {
                p.week_start == a.week_start
                    && p.provider != ALL
                    && p.risk != Risk::None
                    && (several_regions || p.region == a.region)
            })
            .map(|p| {
                if several_regions {
                    format!("{} / {} ({})", p.region, p.provider, p.risk.as_str())
                } else {
                    format!("{} ({})", p.provider, p.risk.as_str())
                }
            })
            .collect();
        let postcodes = postcodes_at_risk(postcodes, a.week_start, 4);
        lines.push(format!(
            "{} {}: {}{}{}",
            a.week_start,
            a.risk.as_str(),
            a.why,
            if providers.is_empty() {
                String::new()
            } else {
                format!("; providers: {}", providers.join(", "))
            },
            if postcodes.is_empty() {
                String::new()
            } else {
                format!("; postcodes: {}", postcodes.join(", "))
            }
        ));
    }
    lines
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fractional_count_of_mothers_keeps_one_decimal() {
        assert_eq!(mothers(0.5), "0.5");
        assert_eq!(mothers(2.1), "2.1");
        assert_eq!(mothers(3.0), "3");
        assert_eq!(mothers(12.98), "13");
        assert_eq!(mothers(0.0), "0");
    }
}
