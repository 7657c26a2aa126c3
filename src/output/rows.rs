//! The rows of each output file: their columns (beside `schema`'s summary and weekly
//! columns) and the functions that write one region-replication's rows of summary.csv,
//! weekly.csv, mothers.csv, transfers.csv, closures.csv, registrations.csv, stats.csv and
//! totals.csv.

use std::path::Path;

use serde::Serialize;

use crate::equity;
use crate::equity::Equity;
use crate::model::Calendar;
use crate::results::{RegionResult, RegistrationOutcome, Totals};
use crate::run::RunLabels;
use crate::scenario::Scenario;

use super::{ALL, OutputError, number, yearly};
use super::files::CsvFile;
use super::schema::{Column, Format, METRICS, SUMMARY_COLUMNS, SUMMARY_METRICS, WEEK_COLUMNS, metric_values};
use super::stats::{Estimate, estimate};
use super::yearly::YearlyRow;

/// One summary row: a policy's totals for one replication and region (or [`ALL`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow<'a> {
    pub variant: &'a str,
    pub policy: &'static str,
    pub replication: u32,
    pub region: &'a str,
    pub totals: Totals,
    pub equity: Equity,
}

impl SummaryRow<'_> {
    /// The values of [`SUMMARY_METRICS`].
    pub fn values(&self) -> [f64; METRICS] {
        metric_values(&self.totals, &self.equity)
    }
}

/// The summary rows of one replication under one policy: its regions (scenario order), then
/// `ALL`.
pub(super) fn replication_rows<'a>(
    s: &'a Scenario,
    variant: &'a str,
    chunk: &[RegionResult],
) -> Vec<SummaryRow<'a>> {
    let mut rows = Vec::with_capacity(chunk.len() + 1);
    let mut all = Totals::default();
    let mut ratios =
        equity::Ratios::with_capacity(chunk.iter().map(|r| r.ratios.steps.len()).sum());
    for r in chunk {
        rows.push(SummaryRow {
            variant,
            policy: r.policy,
            replication: r.replication,
            region: s.regions[r.region].name.as_str(),
            totals: r.totals.clone(),
            equity: r.equity,
        });
        all.add(&r.totals);
        ratios.extend(&r.ratios);
    }
    // Gini and P10 of ALL need every mother of the replication: the regions' ratios together.
    let equity = Equity::of(&all.equity_counts(), &ratios);
    rows.push(SummaryRow {
        variant,
        policy: chunk[0].policy,
        replication: chunk[0].replication,
        region: ALL,
        totals: all,
        equity,
    });
    rows
}

/// The columns that key every row of summary.csv, weekly.csv and mothers.csv.
pub const ROW_KEY: [&str; 4] = ["variant", "policy", "replication", "region"];

/// A header: the row key, then `columns`.
pub fn header<'a>(columns: &[&'a str]) -> Vec<&'a str> {
    ROW_KEY
        .iter()
        .copied()
        .chain(columns.iter().copied())
        .collect()
}

/// mothers.csv after the row key; [`MotherRow`] has these fields after the key, in this order.
pub const MOTHER_COLUMNS: [&str; 13] = [
    "postcode",
    "mother_id",
    "registration_date",
    "registration_week",
    "due_date",
    "birth_date",
    "birth_place",
    "hospital_days",
    "indicated_hours",
    "medical_hours",
    "delivered_hours",
    "minimum_met",
    "carers",
];

/// transfers.csv after the row key; [`TransferRow`] has these fields after the key.
pub const TRANSFER_COLUMNS: [&str; 3] = ["from_provider", "to_provider", "transfers"];

/// One row of mothers.csv: the row key, then [`MOTHER_COLUMNS`]. serde writes the fields in
/// declaration order, so the field names are the column names; the header merge and the
/// charts read is `header(&MOTHER_COLUMNS)`, and a test checks that the two agree.
#[derive(Debug, Serialize)]
pub struct MotherRow<'a> {
    pub variant: &'a str,
    pub policy: &'a str,
    pub replication: u32,
    pub region: &'a str,
    pub postcode: u16,
    pub mother_id: u32,
    pub registration_date: String,
    pub registration_week: u32,
    pub due_date: String,
    pub birth_date: String,
    pub birth_place: &'a str,
    pub hospital_days: u32,
    pub indicated_hours: String,
    pub medical_hours: String,
    pub delivered_hours: String,
    pub minimum_met: bool,
    pub carers: u8,
}

/// One row of transfers.csv: the row key, then [`TRANSFER_COLUMNS`] (checked like
/// [`MotherRow`]).
#[derive(Debug, Serialize)]
pub struct TransferRow<'a> {
    pub variant: &'a str,
    pub policy: &'a str,
    pub replication: u32,
    pub region: &'a str,
    pub from_provider: &'a str,
    pub to_provider: &'a str,
    pub transfers: u64,
}

/// closures.csv after the row key; [`ClosureRow`] has these fields after the key.
pub const CLOSURE_COLUMNS: [&str; 8] = [
    "provider",
    "date",
    "mothers_booked_moved",
    "mothers_in_care_moved",
    "mothers_refused",
    "registrations_redirected",
    "carers_joined",
    "carers_left",
];

/// registrations.csv after the row key; [`RegistrationRow`] has these fields after the key.
pub const REGISTRATION_COLUMNS: [&str; 4] = [
    "outcome",
    "mothers",
    "early_registrants",
    "late_registrants",
];

/// One row of closures.csv: the row key, then [`CLOSURE_COLUMNS`] (checked like
/// [`MotherRow`]): one closure of a provider and where its mothers and carers went.
#[derive(Debug, Serialize)]
pub struct ClosureRow<'a> {
    pub variant: &'a str,
    pub policy: &'a str,
    pub replication: u32,
    pub region: &'a str,
    pub provider: &'a str,
    pub date: String,
    pub mothers_booked_moved: u64,
    pub mothers_in_care_moved: u64,
    pub mothers_refused: u64,
    pub registrations_redirected: u64,
    pub carers_joined: u64,
    pub carers_left: u64,
}

/// One row of registrations.csv: the row key, then [`REGISTRATION_COLUMNS`] (checked like
/// [`MotherRow`]): the mothers of one registration outcome, early and late registrants.
#[derive(Debug, Serialize)]
pub struct RegistrationRow<'a> {
    pub variant: &'a str,
    pub policy: &'a str,
    pub replication: u32,
    pub region: &'a str,
    pub outcome: &'static str,
    pub mothers: u64,
    pub early_registrants: u64,
    pub late_registrants: u64,
}

pub(super) const STATS_COLUMNS: [&str; 8] = [
    "variant",
    "policy",
    "region",
    "metric",
    "mean",
    "ci95_low",
    "ci95_high",
    "replications",
];

/// Formats hours with fixed precision so outputs are byte-stable and readable.
pub(super) fn hours(x: f64) -> String {
    number::fixed(x, 3)
}

/// stats.csv of `rows` (the summary metrics), then of `yearly` (each metric per calendar
/// year, named `metric.year`), under its temporary name.
pub(super) fn stats_file(
    dir: &Path,
    rows: &[SummaryRow<'_>],
    yearly: &[YearlyRow],
) -> Result<CsvFile, OutputError> {
    let mut stats = CsvFile::create(dir, "stats.csv", &STATS_COLUMNS)?;
    let mut write =
        |variant: &str, policy: &str, region: &str, metric: &str, format: Format, est: Estimate| {
            let f = |v: f64| format.stats(v);
            let (lo, hi) = est
                .ci95
                .map_or((String::new(), String::new()), |(l, h)| (f(l), f(h)));
            stats.write([
                variant,
                policy,
                region,
                metric,
                &f(est.mean),
                &lo,
                &hi,
                &est.n.to_string(),
            ])
        };
    for (variant, policy, region, column, est) in stats_rows(rows) {
        write(variant, policy, region, column.name, column.format, est)?;
    }
    // The yearly metrics are all written as hours are (`metric.year`, three decimals).
    for (variant, policy, region, metric, est) in yearly::yearly_stats(yearly) {
        write(&variant, &policy, &region, &metric, Format::Hours, est)?;
    }
    Ok(stats)
}

/// The file a shard writes its exact totals to.
pub const TOTALS_CSV: &str = "totals.csv";

/// totals.csv of `rows` (a shard's, or a checkpoint's), under its temporary name.
pub(super) fn exact_totals_file(
    dir: &Path,
    rows: &[SummaryRow<'_>],
) -> Result<CsvFile, OutputError> {
    let mut exact = CsvFile::create(dir, TOTALS_CSV, &header(&SUMMARY_METRICS))?;
    for row in rows {
        write_exact_row(&mut exact, row)?;
    }
    Ok(exact)
}

/// A summary row at full precision (shortest text that reads back to the same `f64`).
pub(super) fn write_exact_row(out: &mut CsvFile, row: &SummaryRow<'_>) -> Result<(), OutputError> {
    write_row(out, row, |v, _| v.to_string())
}

/// A summary.csv row: each column in its [`Format`] (counts as integers, hours to three
/// decimals, ratios to six).
pub(super) fn write_summary_row(
    out: &mut CsvFile,
    row: &SummaryRow<'_>,
) -> Result<(), OutputError> {
    write_row(out, row, |v, format| format.summary(v))
}

/// A row's key columns, then each column's value written by `write(value, its format)`.
pub(super) fn write_row(
    out: &mut CsvFile,
    row: &SummaryRow<'_>,
    write: impl Fn(f64, Format) -> String,
) -> Result<(), OutputError> {
    let mut rec = vec![
        row.variant.to_string(),
        row.policy.to_string(),
        row.replication.to_string(),
        row.region.to_string(),
    ];
    rec.extend(
        row.values()
            .iter()
            .zip(&SUMMARY_COLUMNS)
            .map(|(v, c)| write(*v, c.format)),
    );
    out.write(&rec)
}

/// Per variant and policy (run order), region (scenario order, then `ALL`) and column of
/// summary.csv: the estimate over replications. Orders are taken from the rows, as they were
/// written.
pub fn stats_rows<'a>(
    rows: &[SummaryRow<'a>],
) -> Vec<(&'a str, &'static str, &'a str, &'static Column, Estimate)> {
    let mut groups: Vec<(&'a str, &'static str, &'a str)> = Vec::new();
    for row in rows {
        let key = (row.variant, row.policy, row.region);
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    let mut out = Vec::new();
    for (variant, policy, region) in groups {
        let per_rep: Vec<[f64; METRICS]> = rows
            .iter()
            .filter(|r| r.variant == variant && r.policy == policy && r.region == region)
            .map(SummaryRow::values)
            .collect();
        for (i, column) in SUMMARY_COLUMNS.iter().enumerate() {
            let values: Vec<f64> = per_rep.iter().map(|v| v[i]).collect();
            out.push((variant, policy, region, column, estimate(&values)));
        }
    }
    out
}

pub(super) fn write_weekly_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let region = &s.regions[r.region].name;
    let replication = r.replication.to_string();
    for (i, wk) in r.weeks.iter().enumerate() {
        let week_start = labels.calendar.report_week_start(i).to_string();
        let cells: Vec<String> = WEEK_COLUMNS
            .iter()
            .map(|c| c.format.summary((c.get)(wk)))
            .collect();
        let key = [
            labels.variant.as_str(),
            r.policy,
            &replication,
            region,
            &week_start,
        ];
        out.write(key.into_iter().chain(cells.iter().map(String::as_str)))?;
    }
    Ok(())
}

pub(super) fn write_mother_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let cal = &labels.calendar;
    let region = &s.regions[r.region].name;
    for (m, o) in &r.mothers {
        out.serialize(&MotherRow {
            variant: labels.variant.as_str(),
            policy: r.policy,
            replication: r.replication,
            region,
            postcode: m.postcode,
            mother_id: m.id,
            registration_date: cal.date(m.registration_day).to_string(),
            registration_week: m.registration_week,
            due_date: cal.date(m.due_day).to_string(),
            birth_date: cal
                .date(m.birth_minute / crate::engine::MINUTES_PER_DAY)
                .to_string(),
            birth_place: m.birth_place.as_str(),
            hospital_days: m.hospital_days,
            indicated_hours: hours(o.indicated_total()),
            medical_hours: hours(m.indication.medical_hours),
            delivered_hours: hours(o.delivered_total()),
            minimum_met: o.minimum_met,
            carers: o.carers,
        })?;
    }
    Ok(())
}

/// transfers.csv: per replication, region and ordered pair of the region's providers, the
/// mothers the waiting list moved in the reporting period (only for `scope = "waiting-list"`).
pub(super) fn write_transfer_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    if r.transfers.is_empty() {
        return Ok(());
    }
    let providers = crate::generate::region_providers(s, r.region);
    let n = providers.len();
    let region = &s.regions[r.region].name;
    for (from, p) in providers.iter().enumerate() {
        for (to, q) in providers.iter().enumerate() {
            if from != to {
                out.serialize(&TransferRow {
                    variant: labels.variant.as_str(),
                    policy: r.policy,
                    replication: r.replication,
                    region,
                    from_provider: &p.name,
                    to_provider: &q.name,
                    transfers: r.transfers[from * n + to],
                })?;
            }
        }
    }
    Ok(())
}

/// closures.csv: per replication, region and closure of one of the region's providers, the
/// mothers it moved or left without care and where its carers went.
pub(super) fn write_closure_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let providers = crate::generate::region_providers(s, r.region);
    let region = &s.regions[r.region].name;
    for c in &r.closures {
        out.serialize(&ClosureRow {
            variant: labels.variant.as_str(),
            policy: r.policy,
            replication: r.replication,
            region,
            provider: &providers[usize::from(c.provider)].name,
            date: Calendar::new(s).date(c.day).to_string(),
            mothers_booked_moved: c.booked_moved,
            mothers_in_care_moved: c.in_care_moved,
            mothers_refused: c.refused,
            registrations_redirected: c.registrations_redirected,
            carers_joined: c.carers_joined,
            carers_left: c.carers_left,
        })?;
    }
    Ok(())
}

/// registrations.csv: per replication, region and registration outcome, the mothers whose
/// care ended (or would have ended) in the reporting period, early and late registrants.
pub(super) fn write_registration_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let region = &s.regions[r.region].name;
    for (outcome, [early, late]) in RegistrationOutcome::ALL.iter().zip(&r.registrations) {
        out.serialize(&RegistrationRow {
            variant: labels.variant.as_str(),
            policy: r.policy,
            replication: r.replication,
            region,
            outcome: outcome.as_str(),
            mothers: early + late,
            early_registrants: *early,
            late_registrants: *late,
        })?;
    }
    Ok(())
}

/// The header serde writes for `row`: its field names, in order (for the tests that hold
/// each row struct to its file's column list).
#[cfg(test)]
pub(super) fn serde_header(row: &impl Serialize) -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(row).unwrap();
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    text.lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writers serialise these structs; merge checks a shard's header against
    /// `header(&X_COLUMNS)` and the charts find columns by those names. A field renamed,
    /// added or moved without its column (or the other way round) fails here.
    #[test]
    fn mothers_and_transfers_rows_have_the_columns_merge_reads() {
        let mother = MotherRow {
            variant: "base",
            policy: "minimum-first",
            replication: 0,
            region: "Utrecht",
            postcode: 3511,
            mother_id: 7,
            registration_date: "2025-01-02".into(),
            registration_week: 12,
            due_date: "2025-03-01".into(),
            birth_date: "2025-03-03".into(),
            birth_place: "home",
            hospital_days: 0,
            indicated_hours: "49.000".into(),
            medical_hours: "0.000".into(),
            delivered_hours: "40.000".into(),
            minimum_met: true,
            carers: 2,
        };
        assert_eq!(serde_header(&mother), header(&MOTHER_COLUMNS));
        let transfer = TransferRow {
            variant: "base",
            policy: "minimum-first",
            replication: 0,
            region: "Utrecht",
            from_provider: "A",
            to_provider: "B",
            transfers: 3,
        };
        assert_eq!(serde_header(&transfer), header(&TRANSFER_COLUMNS));
    }

    /// closures.csv and registrations.csv: the same check, and the bytes of a row as the
    /// positional writer wrote them.
    #[test]
    fn closure_and_registration_rows_have_their_columns() {
        let closure = ClosureRow {
            variant: "base",
            policy: "minimum-first",
            replication: 1,
            region: "Utrecht",
            provider: "A",
            date: "2024-06-01".into(),
            mothers_booked_moved: 12,
            mothers_in_care_moved: 3,
            mothers_refused: 0,
            registrations_redirected: 40,
            carers_joined: 5,
            carers_left: 2,
        };
        assert_eq!(serde_header(&closure), header(&CLOSURE_COLUMNS));
        let registration = RegistrationRow {
            variant: "base",
            policy: "minimum-first",
            replication: 1,
            region: "Utrecht",
            outcome: RegistrationOutcome::RefusedNoRoom.as_str(),
            mothers: 9,
            early_registrants: 7,
            late_registrants: 2,
        };
        assert_eq!(serde_header(&registration), header(&REGISTRATION_COLUMNS));
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_writer(Vec::new());
        w.serialize(&closure).unwrap();
        w.serialize(&registration).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "base,minimum-first,1,Utrecht,A,2024-06-01,12,3,0,40,5,2\n\
             base,minimum-first,1,Utrecht,refused-no-room,9,7,2\n"
        );
    }

    /// A serialised row is the bytes the positional writer wrote: numbers and `true` as
    /// `to_string` gives them, text quoted only where it must be.
    #[test]
    fn a_serialised_row_is_formatted_as_before() {
        let row = TransferRow {
            variant: "v1",
            policy: "minimum-first",
            replication: 4,
            region: "Noord, Oost",
            from_provider: "A",
            to_provider: "B",
            transfers: 12,
        };
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(&row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "v1,minimum-first,4,\"Noord, Oost\",A,B,12\n");
    }
}
