//! The plain aggregated records the charts and the report read from an output directory:
//! the totals of a summary.csv row with their equity, birth-assistance and tier parts, the
//! sums of a weekly.csv week, the bands of the distribution chart and a yearly.csv `ALL`
//! row. They hold numbers only; reading them is the other files of [`super`].

use crate::output::{Estimate, estimate};

/// One (variant, policy) pair of the run, in the order summary.csv lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub variant: String,
    pub policy: String,
}

/// The summary figures of one (group, region or ALL, replication), as in summary.csv.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    pub mothers: f64,
    pub below_minimum: f64,
    pub without_care: f64,
    pub full_indication: f64,
    pub indicated_hours: f64,
    pub delivered_hours: f64,
    pub shortfall_hours: f64,
    /// The equity columns of summary.csv (`docs/metrics.md`); 0 in outputs without them.
    pub equity: Equity,
    /// Birth assistance per day part and continuity; 0 in outputs without them.
    pub assist: Assist,
    /// Hours per tier; 0 in outputs without them.
    pub tiers: Tiers,
}

/// Indicated and delivered hours per tier (1 minimum, 2 medical, 3 rest of early
/// registrants, 4 rest of late registrants) of one summary row, and the late registrants
/// given tier-4 hours while an early registrant was behind on tier 3.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tiers {
    pub indicated: [f64; 4],
    pub delivered: [f64; 4],
    pub late_tier4_while_early_behind: f64,
}

impl Tiers {
    /// Delivered over indicated hours of tier `t` (0-based); 1 when nothing was indicated.
    pub fn fill(&self, t: usize) -> f64 {
        crate::output::tier_fill(self.indicated[t], self.delivered[t])
    }
}

/// Birth assistance per day part (night, day, evening) and continuity, of one summary row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Assist {
    pub requested: [f64; 3],
    pub missed: [f64; 3],
    pub on_call_hours: [f64; 3],
    pub over_two_carers: f64,
    /// Requests served by a carer called away from her families (no on-call carer free)...
    pub called_away: [f64; 3],
    /// ...and the care hours those families lost.
    pub hours_from_care: [f64; 3],
    /// Mothers with care by how many carers they had: 1, 2, 3, 4 or more.
    pub carers: [f64; 4],
    /// Mothers with a third carer by why she came (`sim::ThirdCarer`: away, rest, busy,
    /// other).
    pub third_carer: [f64; 4],
}

/// The equity metrics of one summary row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Equity {
    pub mean_ratio: f64,
    pub p10_ratio: f64,
    pub gini: f64,
    pub max_shortfall_hours: f64,
    pub late_share_of_mothers: f64,
    pub late_share_of_shortfall: f64,
    pub transferred: f64,
}

impl Totals {
    /// `part` as a percentage of the mothers (0 without mothers).
    pub fn pct_of_mothers(&self, part: f64) -> f64 {
        if self.mothers > 0.0 {
            100.0 * part / self.mothers
        } else {
            0.0
        }
    }

    /// Shortfall as a percentage of the indicated hours.
    pub fn shortfall_pct(&self) -> f64 {
        if self.indicated_hours > 0.0 {
            100.0 * self.shortfall_hours / self.indicated_hours
        } else {
            0.0
        }
    }
}

/// A figure of a replication's totals (a percentage, hours).
pub type Metric = fn(&Totals) -> f64;

/// A variant of a sweep: its id and the (field path, value) pairs it sets.
pub type VariantParams = (String, Vec<(String, String)>);

/// One row of summary.csv.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub group: usize,
    /// Index into [`RunData::regions`]; `None` for the `ALL` row.
    pub region: Option<usize>,
    pub replication: u32,
    pub totals: Totals,
}

/// weekly.csv of one (group, region, week), summed over the replications.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeekSums {
    pub births: f64,
    pub demand_hours: f64,
    pub delivered_hours: f64,
    pub contract_hours: f64,
    /// What the carers could really have worked (weekly.csv `carer_hours_workable`).
    pub workable_hours: f64,
    pub below_minimum: f64,
    pub shortfall_hours: f64,
    /// Rows added (one per replication).
    pub rows: u32,
}

impl WeekSums {
    pub fn add(&mut self, o: &WeekSums) {
        self.births += o.births;
        self.demand_hours += o.demand_hours;
        self.delivered_hours += o.delivered_hours;
        self.contract_hours += o.contract_hours;
        self.workable_hours += o.workable_hours;
        self.below_minimum += o.below_minimum;
        self.shortfall_hours += o.shortfall_hours;
        self.rows += o.rows;
    }
}

/// Bands of delivered / indicated hours for the distribution chart, as (label, upper bound in
/// percent, exclusive). The last band holds full care (99.95% and more: outputs round hours
/// to three decimals).
pub const BANDS: [(&str, f64); 6] = [
    ("0%", 0.05),
    ("0-49%", 50.0),
    ("50-74%", 75.0),
    ("75-89%", 90.0),
    ("90-99%", 99.95),
    ("100%", f64::INFINITY),
];

/// The band of a percentage.
pub fn band_of(pct: f64) -> usize {
    BANDS
        .iter()
        .position(|(_, upper)| pct < *upper)
        .unwrap_or(BANDS.len() - 1)
}

/// Where the distribution of delivered / indicated hours comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistributionSource {
    /// mothers.csv: one observation per mother.
    Mothers,
    /// weekly.csv (no mothers.csv): one observation per region, week and replication,
    /// delivered over demand hours of the week.
    RegionWeeks,
}

/// Counts per band of delivered / indicated hours, per group.
#[derive(Debug, Clone)]
pub struct Distribution {
    pub source: DistributionSource,
    /// `counts[group][band]`.
    pub counts: Vec<[u64; BANDS.len()]>,
}

/// Where the qualified carers of a year-end came from (yearly.csv `carers_from_*`), in the
/// order the workforce chart stacks them.
pub const SOURCES: [&str; 3] = ["stayed", "trained", "hired"];

/// One row of yearly.csv for all regions (`ALL`): a (group, replication, calendar year).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearRow {
    pub group: usize,
    pub replication: u32,
    pub year: i32,
    /// Mothers whose care ended in the year, and those of them below the minimum.
    pub mothers: f64,
    pub below_minimum: f64,
    /// Qualified carers on the year's last day, and their FTE...
    pub carers: f64,
    pub carer_fte: f64,
    /// ...by [`SOURCES`]: listed at the start and still there, qualified trainees, hires.
    pub carers_by_source: [f64; 3],
    /// The same split of `carer_fte`; zeros in outputs written before these columns.
    pub fte_by_source: [f64; 3],
    /// Carers who joined or left in the year, and trainees at its end: all zero when the
    /// workforce does not change (`workforce.dynamic` off, or every rate zero).
    pub turnover: f64,
}

impl YearRow {
    /// Mothers below the minimum as a percentage of the mothers whose care ended in the
    /// year (0 in a year without mothers).
    pub fn pct_below_minimum(&self) -> f64 {
        if self.mothers > 0.0 {
            100.0 * self.below_minimum / self.mothers
        } else {
            0.0
        }
    }
}

/// The estimate over replications of `f` of the `rows` of `group` in `year`: each
/// replication's own value first (a share per replication, so the interval of a share is
/// not the ratio of two intervals), then their mean and Student-t interval.
pub fn year_estimate(
    rows: &[YearRow],
    group: usize,
    year: i32,
    f: impl Fn(&YearRow) -> f64,
) -> Estimate {
    let values: Vec<f64> = rows
        .iter()
        .filter(|r| r.group == group && r.year == year)
        .map(f)
        .collect();
    estimate(&values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: usize, replication: u32, year: i32, mothers: f64, below: f64) -> YearRow {
        YearRow {
            group,
            replication,
            year,
            mothers,
            below_minimum: below,
            ..YearRow::default()
        }
    }

    #[test]
    fn yearly_share_below_minimum_is_estimated_per_replication() {
        // Group 0 in 2028: 10 of 1,000, 40 of 2,000 and 15 of 500 mothers below the minimum
        // are 1%, 2% and 3%: mean 2% (not the pooled 65 / 3,500 = 1.86%), sd 1, and the 95%
        // interval 2 ± t(0.975, 2) / sqrt(3) = 2 ± 4.302653 / 1.732051 = 2 ± 2.484138.
        let rows = [
            row(0, 0, 2027, 1000.0, 500.0),
            row(0, 0, 2028, 1000.0, 10.0),
            row(1, 0, 2028, 1000.0, 900.0),
            row(0, 1, 2028, 2000.0, 40.0),
            row(0, 2, 2028, 500.0, 15.0),
        ];
        let e = year_estimate(&rows, 0, 2028, YearRow::pct_below_minimum);
        assert_eq!(e.n, 3);
        assert!((e.mean - 2.0).abs() < 1e-12, "{e:?}");
        let (lo, hi) = e.ci95.unwrap();
        assert!((hi - 2.0 - 2.484138).abs() < 1e-5, "{e:?}");
        assert!((2.0 - lo - 2.484138).abs() < 1e-5, "{e:?}");
        // One replication: the value, no interval; a year without mothers counts 0%.
        let e = year_estimate(&rows, 1, 2028, YearRow::pct_below_minimum);
        assert_eq!((e.mean, e.ci95), (90.0, None));
        assert_eq!(row(0, 0, 2027, 0.0, 0.0).pct_below_minimum(), 0.0);
    }

    #[test]
    fn bands_cover_every_percentage() {
        assert_eq!(band_of(0.0), 0);
        assert_eq!(band_of(10.0), 1);
        assert_eq!(band_of(74.9), 2);
        assert_eq!(band_of(99.9), 4);
        assert_eq!(band_of(99.96), 5);
        assert_eq!(band_of(130.0), 5);
    }
}
