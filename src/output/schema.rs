//! The columns of summary.csv (and the metrics of stats.csv and totals.csv), defined once:
//! each [`Column`] names itself, reads its value from a row's [`Totals`] and [`Equity`], sets
//! it back when a row is read from totals.csv (`--resume`, `kraamsim merge`), and says how it
//! is written. The header, the writers, the reader and stats.csv all go through
//! [`SUMMARY_COLUMNS`], so a new column is one line of it, and a file whose header does not
//! match is refused by name instead of being read by position (`check_columns`).
//!
//! weekly.csv's columns after `week_start` are [`WEEK_COLUMNS`], read from a [`WeekTotals`]
//! the same way.
//!
//! The order of the table is the output contract: the first columns from [`Totals`], then the
//! equity metrics (`docs/metrics.md`), then the columns added since (what older outputs lack,
//! [`LATER_SUMMARY_METRICS`]).

use crate::equity::{EQUITY_METRICS, Equity};
use crate::results::{DAY_PARTS, Totals, WeekTotals};

use super::{hours, number};

/// How a column's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Mothers or assists: an integer in summary.csv; a mean over replications (stats.csv)
    /// as hours are.
    Count,
    /// Hours (and other amounts): three decimals.
    Hours,
    /// A share or ratio in [0, 1]: six decimals.
    Ratio,
}

impl Format {
    /// The value as summary.csv writes it.
    pub fn summary(self, v: f64) -> String {
        match self {
            Format::Count => number::fixed(v, 0),
            Format::Hours => hours(v),
            Format::Ratio => number::fixed(v, 6),
        }
    }

    /// The value as stats.csv writes it (a mean or an interval bound: counts are not whole).
    pub fn stats(self, v: f64) -> String {
        match self {
            Format::Ratio => number::fixed(v, 6),
            Format::Count | Format::Hours => hours(v),
        }
    }
}

/// One column of summary.csv: its name, how to get its value from a row, how to set it back
/// when a row is read (a derived column sets nothing), and how it is written.
#[derive(Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub get: fn(&Totals, &Equity) -> f64,
    pub set: fn(&mut Totals, &mut Equity, f64),
    pub format: Format,
}

impl std::fmt::Debug for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({}, {:?})", self.name, self.format)
    }
}

type Get = fn(&Totals, &Equity) -> f64;
type Set = fn(&mut Totals, &mut Equity, f64);

const fn count(name: &'static str, get: Get, set: Set) -> Column {
    Column {
        name,
        get,
        set,
        format: Format::Count,
    }
}

const fn amount(name: &'static str, get: Get, set: Set) -> Column {
    Column {
        name,
        get,
        set,
        format: Format::Hours,
    }
}

const fn ratio(name: &'static str, get: Get, set: Set) -> Column {
    Column {
        name,
        get,
        set,
        format: Format::Ratio,
    }
}

/// A ratio derived from other columns: written, never read back.
const fn derived(name: &'static str, get: Get) -> Column {
    ratio(name, get, |_, _, _| {})
}

/// Number of metrics per summary row.
pub const METRICS: usize = SUMMARY_COLUMNS.len();

/// The columns of summary.csv after the four key columns, in order (see the module doc).
#[rustfmt::skip]
pub const SUMMARY_COLUMNS: [Column; 62] = [
    count("mothers", |t, _| t.mothers as f64, |t, _, v| t.mothers = v as u64),
    count("mothers_below_minimum", |t, _| t.mothers_below_minimum as f64, |t, _, v| t.mothers_below_minimum = v as u64),
    count("mothers_without_care", |t, _| t.mothers_without_care as f64, |t, _, v| t.mothers_without_care = v as u64),
    count("mothers_full_indication", |t, _| t.mothers_full_indication as f64, |t, _, v| t.mothers_full_indication = v as u64),
    amount("indicated_hours", |t, _| t.indicated_hours, |t, _, v| t.indicated_hours = v),
    amount("delivered_hours", |t, _| t.delivered_hours, |t, _, v| t.delivered_hours = v),
    amount("shortfall_hours", |t, _| t.shortfall_hours, |t, _, v| t.shortfall_hours = v),
    amount("medical_shortfall_hours", |t, _| t.medical_shortfall_hours, |t, _, v| t.medical_shortfall_hours = v),
    amount("carer_hours_available", |t, _| t.carer_hours_available, |t, _, v| t.carer_hours_available = v),
    amount("carer_hours_used", |t, _| t.carer_hours_used, |t, _, v| t.carer_hours_used = v),
    count("birth_assists_requested", |t, _| t.birth_assists_requested as f64, |t, _, v| t.birth_assists_requested = v as u64),
    count("birth_assists_missed", |t, _| t.birth_assists_missed as f64, |t, _, v| t.birth_assists_missed = v as u64),
    amount("carer_contract_hours", |t, _| t.carer_contract_hours, |t, _, v| t.carer_contract_hours = v),
    count("mothers_transferred", |t, _| t.mothers_transferred as f64, |t, _, v| t.mothers_transferred = v as u64),
    count("late_registrants", |t, _| t.late_registrants as f64, |t, _, v| t.late_registrants = v as u64),
    amount("late_shortfall_hours", |t, _| t.late_shortfall_hours, |t, _, v| t.late_shortfall_hours = v),
    amount("max_shortfall_hours", |t, _| t.max_shortfall_hours, |t, _, v| t.max_shortfall_hours = v),
    // The equity metrics (`crate::equity`, docs/metrics.md).
    ratio(EQUITY_METRICS[0], |_, e| e.share_below_minimum, |_, e, v| e.share_below_minimum = v),
    ratio(EQUITY_METRICS[1], |_, e| e.share_without_care, |_, e, v| e.share_without_care = v),
    ratio(EQUITY_METRICS[2], |_, e| e.mean_delivered_ratio, |_, e, v| e.mean_delivered_ratio = v),
    ratio(EQUITY_METRICS[3], |_, e| e.p10_delivered_ratio, |_, e, v| e.p10_delivered_ratio = v),
    ratio(EQUITY_METRICS[4], |_, e| e.gini_delivered_ratio, |_, e, v| e.gini_delivered_ratio = v),
    ratio(EQUITY_METRICS[5], |_, e| e.late_share_of_mothers, |_, e, v| e.late_share_of_mothers = v),
    ratio(EQUITY_METRICS[6], |_, e| e.late_share_of_shortfall, |_, e, v| e.late_share_of_shortfall = v),
    // Added after the equity columns: birth assistance per day part (`sim::DAY_PART_NAMES`,
    // named as forecast.csv names them: `DAY_PART_METRICS`).
    count(DAY_PART_METRICS[0], |t, _| t.birth_assists_requested_by_part[0] as f64, |t, _, v| t.birth_assists_requested_by_part[0] = v as u64),
    count(DAY_PART_METRICS[1], |t, _| t.birth_assists_requested_by_part[1] as f64, |t, _, v| t.birth_assists_requested_by_part[1] = v as u64),
    count(DAY_PART_METRICS[2], |t, _| t.birth_assists_requested_by_part[2] as f64, |t, _, v| t.birth_assists_requested_by_part[2] = v as u64),
    count(DAY_PART_METRICS[3], |t, _| t.birth_assists_missed_by_part[0] as f64, |t, _, v| t.birth_assists_missed_by_part[0] = v as u64),
    count(DAY_PART_METRICS[4], |t, _| t.birth_assists_missed_by_part[1] as f64, |t, _, v| t.birth_assists_missed_by_part[1] = v as u64),
    count(DAY_PART_METRICS[5], |t, _| t.birth_assists_missed_by_part[2] as f64, |t, _, v| t.birth_assists_missed_by_part[2] = v as u64),
    amount(DAY_PART_METRICS[6], |t, _| t.on_call_hours[0], |t, _, v| t.on_call_hours[0] = v),
    amount(DAY_PART_METRICS[7], |t, _| t.on_call_hours[1], |t, _, v| t.on_call_hours[1] = v),
    amount(DAY_PART_METRICS[8], |t, _| t.on_call_hours[2], |t, _, v| t.on_call_hours[2] = v),
    count("mothers_over_two_carers", |t, _| t.mothers_over_two_carers as f64, |t, _, v| t.mothers_over_two_carers = v as u64),
    // The tiers: 1 minimum, 2 medical, 3 rest of early registrants, 4 rest of late
    // registrants; the fill is delivered over indicated (1 when nothing was indicated).
    amount("tier1_indicated_hours", |t, _| t.tier_indicated_hours[0], |t, _, v| t.tier_indicated_hours[0] = v),
    amount("tier2_indicated_hours", |t, _| t.tier_indicated_hours[1], |t, _, v| t.tier_indicated_hours[1] = v),
    amount("tier3_indicated_hours", |t, _| t.tier_indicated_hours[2], |t, _, v| t.tier_indicated_hours[2] = v),
    amount("tier4_indicated_hours", |t, _| t.tier_indicated_hours[3], |t, _, v| t.tier_indicated_hours[3] = v),
    amount("tier1_delivered_hours", |t, _| t.tier_delivered_hours[0], |t, _, v| t.tier_delivered_hours[0] = v),
    amount("tier2_delivered_hours", |t, _| t.tier_delivered_hours[1], |t, _, v| t.tier_delivered_hours[1] = v),
    amount("tier3_delivered_hours", |t, _| t.tier_delivered_hours[2], |t, _, v| t.tier_delivered_hours[2] = v),
    amount("tier4_delivered_hours", |t, _| t.tier_delivered_hours[3], |t, _, v| t.tier_delivered_hours[3] = v),
    derived("tier1_fill", |t, _| tier_fill(t.tier_indicated_hours[0], t.tier_delivered_hours[0])),
    derived("tier2_fill", |t, _| tier_fill(t.tier_indicated_hours[1], t.tier_delivered_hours[1])),
    derived("tier3_fill", |t, _| tier_fill(t.tier_indicated_hours[2], t.tier_delivered_hours[2])),
    derived("tier4_fill", |t, _| tier_fill(t.tier_indicated_hours[3], t.tier_delivered_hours[3])),
    // Late registrants given tier-4 hours on a day an early registrant of their scope was
    // behind on tier 3 with room for more.
    count("late_tier4_while_early_behind", |t, _| t.late_tier4_while_early_behind as f64, |t, _, v| t.late_tier4_while_early_behind = v as u64),
    // What birth assistance beyond the on-call posts cost, per day part: requests served by a
    // carer called away from her families, and the care hours those families lost.
    count("birth_assists_called_away_night", |t, _| t.birth_assists_called_away_by_part[0] as f64, |t, _, v| t.birth_assists_called_away_by_part[0] = v as u64),
    count("birth_assists_called_away_day", |t, _| t.birth_assists_called_away_by_part[1] as f64, |t, _, v| t.birth_assists_called_away_by_part[1] = v as u64),
    count("birth_assists_called_away_evening", |t, _| t.birth_assists_called_away_by_part[2] as f64, |t, _, v| t.birth_assists_called_away_by_part[2] = v as u64),
    amount("assist_hours_from_care_night", |t, _| t.assist_hours_from_care_by_part[0], |t, _, v| t.assist_hours_from_care_by_part[0] = v),
    amount("assist_hours_from_care_day", |t, _| t.assist_hours_from_care_by_part[1], |t, _, v| t.assist_hours_from_care_by_part[1] = v),
    amount("assist_hours_from_care_evening", |t, _| t.assist_hours_from_care_by_part[2], |t, _, v| t.assist_hours_from_care_by_part[2] = v),
    // Continuity of care: mothers with care by how many distinct carers they had, and those
    // with a third carer by why she came (`sim::ThirdCarer`).
    count("mothers_one_carer", |t, _| t.mothers_by_carers[0] as f64, |t, _, v| t.mothers_by_carers[0] = v as u64),
    count("mothers_two_carers", |t, _| t.mothers_by_carers[1] as f64, |t, _, v| t.mothers_by_carers[1] = v as u64),
    count("mothers_three_carers", |t, _| t.mothers_by_carers[2] as f64, |t, _, v| t.mothers_by_carers[2] = v as u64),
    count("mothers_four_plus_carers", |t, _| t.mothers_by_carers[3] as f64, |t, _, v| t.mothers_by_carers[3] = v as u64),
    // Written as hours (three decimals), as they always were.
    amount("third_carer_away", |t, _| t.third_carer_reasons[0] as f64, |t, _, v| t.third_carer_reasons[0] = v as u64),
    amount("third_carer_rest", |t, _| t.third_carer_reasons[1] as f64, |t, _, v| t.third_carer_reasons[1] = v as u64),
    amount("third_carer_busy", |t, _| t.third_carer_reasons[2] as f64, |t, _, v| t.third_carer_reasons[2] = v as u64),
    amount("third_carer_other", |t, _| t.third_carer_reasons[3] as f64, |t, _, v| t.third_carer_reasons[3] = v as u64),
    // The honest supply figure (`sim::Totals::carer_hours_workable`).
    amount("carer_hours_workable", |t, _| t.carer_hours_workable, |t, _, v| t.carer_hours_workable = v),
];

/// The names of [`SUMMARY_COLUMNS`], in order: summary.csv's header after the key columns.
pub const SUMMARY_METRICS: [&str; METRICS] = {
    let mut out = [""; METRICS];
    let mut i = 0;
    while i < METRICS {
        out[i] = SUMMARY_COLUMNS[i].name;
        i += 1;
    }
    out
};

/// Where the columns added after the equity columns start.
const LATER_START: usize = 17 + EQUITY_METRICS.len();

/// The metrics added to summary.csv after the equity columns (birth assistance per day part,
/// continuity, the tiers): what a reader of older outputs finds missing.
pub const LATER_SUMMARY_METRICS: &[&str] = SUMMARY_METRICS.split_at(LATER_START).1;

/// One column of weekly.csv after `week_start`: its name, its value in a region-week's
/// [`WeekTotals`], and how it is written (counts whole, hours to three decimals).
#[derive(Clone, Copy)]
pub struct WeekColumn {
    pub name: &'static str,
    pub get: fn(&WeekTotals) -> f64,
    pub format: Format,
}

const fn week(name: &'static str, format: Format, get: fn(&WeekTotals) -> f64) -> WeekColumn {
    WeekColumn { name, get, format }
}

/// The columns of weekly.csv after the key columns and `week_start`, in order.
#[rustfmt::skip]
pub const WEEK_COLUMNS: [WeekColumn; 9] = [
    week("births", Format::Count, |w| w.births as f64),
    week("active_mothers", Format::Count, |w| w.active_mothers as f64),
    week("demand_hours", Format::Hours, |w| w.demand_hours),
    week("delivered_hours", Format::Hours, |w| w.delivered_hours),
    week("carer_hours_available", Format::Hours, |w| w.carer_hours_available),
    week("mothers_below_minimum", Format::Count, |w| w.mothers_below_minimum as f64),
    week("shortfall_hours", Format::Hours, |w| w.shortfall_hours),
    week("carer_contract_hours", Format::Hours, |w| w.carer_contract_hours),
    week("carer_hours_workable", Format::Hours, |w| w.carer_hours_workable),
];

/// weekly.csv's header after the key columns: `week_start`, then [`WEEK_COLUMNS`].
pub const WEEKLY_COLUMNS: [&str; 1 + WEEK_COLUMNS.len()] = {
    let mut out = ["week_start"; 1 + WEEK_COLUMNS.len()];
    let mut i = 0;
    while i < WEEK_COLUMNS.len() {
        out[1 + i] = WEEK_COLUMNS[i].name;
        i += 1;
    }
    out
};

/// Joins two lists of column names at compile time. A list that repeats another one (the
/// day-part metrics in summary.csv and forecast.csv) is built from it, so the two cannot fall
/// out of step: the build fails unless `N = A + B`.
pub const fn join_names<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "the joined list must hold both lists exactly");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

/// The birth-assistance metrics per day part (`sim::DAY_PART_NAMES`), as summary.csv and
/// forecast.csv both name them: requests, then missed requests, then on-call hours.
pub const DAY_PART_METRICS: [&str; 3 * DAY_PARTS] = [
    "birth_assists_requested_night",
    "birth_assists_requested_day",
    "birth_assists_requested_evening",
    "birth_assists_missed_night",
    "birth_assists_missed_day",
    "birth_assists_missed_evening",
    "on_call_hours_night",
    "on_call_hours_day",
    "on_call_hours_evening",
];

/// Delivered over indicated hours of one tier; 1 when nothing was indicated (nothing is
/// missing).
pub fn tier_fill(indicated: f64, delivered: f64) -> f64 {
    if indicated > 0.0 {
        delivered / indicated
    } else {
        1.0
    }
}

/// The column of summary.csv named `name`.
pub fn summary_column(name: &str) -> Option<&'static Column> {
    SUMMARY_COLUMNS.iter().find(|c| c.name == name)
}

/// Whether a metric of summary.csv is a share or ratio in [0, 1] (written with six decimals).
pub fn is_ratio(metric: &str) -> bool {
    summary_column(metric).is_some_and(|c| c.format == Format::Ratio)
}

/// The values of [`SUMMARY_COLUMNS`] for one row.
pub fn metric_values(t: &Totals, e: &Equity) -> [f64; METRICS] {
    SUMMARY_COLUMNS.map(|c| (c.get)(t, e))
}

/// The inverse of [`metric_values`], for rows read back from a totals.csv.
pub fn totals_from_values(v: &[f64; METRICS]) -> (Totals, Equity) {
    let mut totals = Totals::default();
    let mut equity = Equity::default();
    for (c, v) in SUMMARY_COLUMNS.iter().zip(v) {
        (c.set)(&mut totals, &mut equity, *v);
    }
    (totals, equity)
}

/// Checks that a header read back from an output file is exactly `expected`, and says which
/// column differs. Every reader of kraamsim's own files (merge, resume, the tallies) checks
/// this before reading a row, so a file from another kraamsim version, whose columns may sit
/// elsewhere, is refused by name instead of being read by position.
pub(crate) fn check_columns(header: &csv::StringRecord, expected: &[&str]) -> Result<(), String> {
    for (i, want) in expected.iter().enumerate() {
        match header.get(i) {
            Some(found) if found == *want => {}
            Some(found) => {
                return Err(format!(
                    "column {} is `{found}` where `{want}` was expected (written by another kraamsim version?)",
                    i + 1
                ));
            }
            None => {
                return Err(format!(
                    "missing column `{want}` (written by another kraamsim version?)"
                ));
            }
        }
    }
    if header.len() > expected.len() {
        return Err(format!(
            "{} columns where {} were expected (written by another kraamsim version?)",
            header.len(),
            expected.len()
        ));
    }
    Ok(())
}

/// Reads the metric fields of a totals.csv record (after the four key columns) whose header
/// [`check_columns`] accepted.
pub(super) fn parse_metrics(record: &csv::StringRecord) -> Result<[f64; METRICS], String> {
    if record.len() != 4 + METRICS {
        return Err(format!(
            "{} columns where {} were expected (written by another kraamsim version?)",
            record.len(),
            4 + METRICS
        ));
    }
    let mut values = [0.0; METRICS];
    for (v, field) in values.iter_mut().zip(record.iter().skip(4)) {
        *v = field
            .parse()
            .map_err(|_| format!("`{field}` is not a number"))?;
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, a) in SUMMARY_METRICS.iter().enumerate() {
            assert!(!SUMMARY_METRICS[..i].contains(a), "`{a}` twice");
        }
    }

    #[test]
    fn weekly_names_are_unique_and_keep_their_order() {
        for (i, a) in WEEKLY_COLUMNS.iter().enumerate() {
            assert!(!WEEKLY_COLUMNS[..i].contains(a), "`{a}` twice");
        }
        assert_eq!(WEEKLY_COLUMNS[0], "week_start");
        assert_eq!(WEEKLY_COLUMNS[9], "carer_hours_workable");
    }

    #[test]
    fn each_weekly_column_reads_its_own_field() {
        let w = WeekTotals {
            births: 1,
            active_mothers: 2,
            demand_hours: 3.5,
            delivered_hours: 4.5,
            carer_hours_available: 5.5,
            carer_contract_hours: 6.5,
            carer_hours_workable: 7.5,
            mothers_below_minimum: 8,
            shortfall_hours: 9.5,
        };
        let written: Vec<String> = WEEK_COLUMNS
            .iter()
            .map(|c| c.format.summary((c.get)(&w)))
            .collect();
        assert_eq!(
            written,
            [
                "1", "2", "3.500", "4.500", "5.500", "8", "9.500", "6.500", "7.500"
            ]
        );
    }

    #[test]
    fn day_part_and_equity_names_keep_their_places() {
        assert_eq!(SUMMARY_METRICS[17..LATER_START], EQUITY_METRICS);
        assert_eq!(
            SUMMARY_METRICS[LATER_START..LATER_START + 9],
            DAY_PART_METRICS
        );
        assert_eq!(LATER_SUMMARY_METRICS[0], DAY_PART_METRICS[0]);
        assert_eq!(SUMMARY_METRICS[METRICS - 1], "carer_hours_workable");
    }

    /// A `Totals` and `Equity` with a different value in every field: a column that reads one
    /// field and sets another, or two columns swapped, does not round-trip.
    fn distinct() -> (Totals, Equity) {
        let mut n = 0u64;
        let mut next = || {
            n += 1;
            n
        };
        let mut h = || next() as f64 + 0.5;
        let totals = Totals {
            mothers: 1001,
            mothers_below_minimum: 1002,
            mothers_without_care: 1003,
            mothers_full_indication: 1004,
            indicated_hours: h(),
            delivered_hours: h(),
            shortfall_hours: h(),
            medical_shortfall_hours: h(),
            carer_hours_available: h(),
            carer_hours_used: h(),
            birth_assists_requested: 1005,
            birth_assists_missed: 1006,
            carer_contract_hours: h(),
            mothers_transferred: 1007,
            late_registrants: 1008,
            late_shortfall_hours: h(),
            max_shortfall_hours: h(),
            birth_assists_requested_by_part: [1009, 1010, 1011],
            birth_assists_missed_by_part: [1012, 1013, 1014],
            on_call_hours: [h(), h(), h()],
            mothers_over_two_carers: 1015,
            tier_indicated_hours: [h(), h(), h(), h()],
            tier_delivered_hours: [h(), h(), h(), h()],
            late_tier4_while_early_behind: 1016,
            birth_assists_called_away_by_part: [1017, 1018, 1019],
            assist_hours_from_care_by_part: [h(), h(), h()],
            mothers_by_carers: [1020, 1021, 1022, 1023],
            third_carer_reasons: [1024, 1025, 1026, 1027],
            carer_hours_workable: h(),
        };
        let equity = Equity::from_values(&[0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17]);
        (totals, equity)
    }

    #[test]
    fn values_round_trip_through_the_table() {
        let (t, e) = distinct();
        let values = metric_values(&t, &e);
        let (t2, e2) = totals_from_values(&values);
        assert_eq!(t2, t);
        assert_eq!(e2, e);
        // Every stored value is distinct, so a column that reads the wrong field shows.
        let fills = ["tier1_fill", "tier2_fill", "tier3_fill", "tier4_fill"];
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate().take(i) {
                let derived =
                    fills.contains(&SUMMARY_METRICS[i]) || fills.contains(&SUMMARY_METRICS[j]);
                assert!(
                    derived || a != b,
                    "{} and {} read the same value",
                    SUMMARY_METRICS[j],
                    SUMMARY_METRICS[i]
                );
            }
        }
    }

    #[test]
    fn the_written_header_is_accepted_and_a_swapped_one_refused() {
        let expected = super::super::header(&SUMMARY_METRICS);
        let good = csv::StringRecord::from(expected.clone());
        assert_eq!(check_columns(&good, &expected), Ok(()));
        let mut names = expected.clone();
        names.swap(4, 5);
        let err = check_columns(&csv::StringRecord::from(names), &expected).unwrap_err();
        assert!(
            err.contains("column 5 is `mothers_below_minimum` where `mothers`"),
            "{err}"
        );
    }
}
