//! Equity metrics: how the shortfall is spread over mothers, not only how large it is.
//!
//! Pure functions over the per-mother ratio delivered / indicated hours, kept sorted. The
//! simulation (`crate::sim`) collects a region's ratios as its mothers' care ends and computes
//! the region's [`Equity`]; `crate::output` concatenates the regions of a replication for the
//! row `ALL` (Gini and P10 need every mother) and writes the values as summary.csv columns
//! (with intervals in stats.csv). [`RatioBins`] is the binned distribution behind lorenz.csv:
//! integer counts and fixed-point sums, so that shards and resumed runs add up exactly.
//! Every formula, with a worked example, is in `docs/metrics.md`.

use crate::sim::Totals;

/// The equity metrics of one row (a region, or `ALL`, of one replication).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Equity {
    /// mothers_below_minimum / mothers.
    pub share_below_minimum: f64,
    /// mothers_without_care / mothers.
    pub share_without_care: f64,
    /// Mean over mothers of delivered / indicated.
    pub mean_delivered_ratio: f64,
    /// 10th percentile (nearest rank) of delivered / indicated.
    pub p10_delivered_ratio: f64,
    /// Gini coefficient of delivered / indicated over mothers (0: all equal).
    pub gini_delivered_ratio: f64,
    /// late_registrants / mothers.
    pub late_share_of_mothers: f64,
    /// late_shortfall_hours / shortfall_hours (0 when there is no shortfall).
    pub late_share_of_shortfall: f64,
}

/// The equity columns of summary.csv (and metrics of stats.csv), in order.
pub const EQUITY_METRICS: [&str; 7] = [
    "share_below_minimum",
    "share_without_care",
    "mean_delivered_ratio",
    "p10_delivered_ratio",
    "gini_delivered_ratio",
    "late_share_of_mothers",
    "late_share_of_shortfall",
];

impl Equity {
    /// The metrics of a row from its totals and its mothers' ratios, sorted ascending.
    pub fn of(t: &Totals, sorted_ratios: &[f32]) -> Self {
        let share = |x: f64, of: f64| if of > 0.0 { x / of } else { 0.0 };
        let mothers = t.mothers as f64;
        Equity {
            share_below_minimum: share(t.mothers_below_minimum as f64, mothers),
            share_without_care: share(t.mothers_without_care as f64, mothers),
            mean_delivered_ratio: mean(sorted_ratios),
            p10_delivered_ratio: percentile(sorted_ratios, 0.10),
            gini_delivered_ratio: gini(sorted_ratios),
            late_share_of_mothers: share(t.late_registrants as f64, mothers),
            late_share_of_shortfall: share(t.late_shortfall_hours, t.shortfall_hours),
        }
    }

    /// The values in [`EQUITY_METRICS`] order.
    pub fn values(&self) -> [f64; 7] {
        [
            self.share_below_minimum,
            self.share_without_care,
            self.mean_delivered_ratio,
            self.p10_delivered_ratio,
            self.gini_delivered_ratio,
            self.late_share_of_mothers,
            self.late_share_of_shortfall,
        ]
    }

    /// The inverse of [`Equity::values`].
    pub fn from_values(v: &[f64; 7]) -> Self {
        Equity {
            share_below_minimum: v[0],
            share_without_care: v[1],
            mean_delivered_ratio: v[2],
            p10_delivered_ratio: v[3],
            gini_delivered_ratio: v[4],
            late_share_of_mothers: v[5],
            late_share_of_shortfall: v[6],
        }
    }
}

/// A mother's delivered / indicated hours (1 when nothing was indicated: nothing was short).
pub fn delivered_ratio(indicated: f64, delivered: f64) -> f32 {
    if indicated > 0.0 {
        (delivered / indicated).clamp(0.0, 1.0) as f32
    } else {
        1.0
    }
}

/// Mean of the ratios; 1 with no mothers (nobody went short).
pub fn mean(x: &[f32]) -> f64 {
    if x.is_empty() {
        return 1.0;
    }
    x.iter().map(|&v| f64::from(v)).sum::<f64>() / x.len() as f64
}

/// The `q` quantile by nearest rank: the value at 1-based rank ceil(q n) of the sorted
/// values; 1 with no mothers.
pub fn percentile(sorted: &[f32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 1.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1])
}

/// Gini coefficient of sorted (ascending) non-negative values:
/// G = 2 sum_i i x_(i) / (n sum_i x_(i)) - (n + 1) / n, with i = 1..n. 0 when there are no
/// values or they sum to 0 (everyone equal: all got nothing).
pub fn gini(sorted: &[f32]) -> f64 {
    let n = sorted.len() as f64;
    let (mut sum, mut weighted) = (0.0, 0.0);
    for (i, &x) in sorted.iter().enumerate() {
        let x = f64::from(x);
        sum += x;
        weighted += (i + 1) as f64 * x;
    }
    if sorted.is_empty() || sum <= 0.0 {
        return 0.0;
    }
    (2.0 * weighted / (n * sum) - (n + 1.0) / n).max(0.0)
}

/// Sorts a replication's ratios, concatenated from regions whose ratios are sorted already.
/// A stable sort merges the sorted runs in O(n log regions).
pub fn merge_sorted(all: &mut [f32]) {
    all.sort_by(f32::total_cmp);
}

/// Number of bins of [`RatioBins`]: 100 of width 0.01 below 1, and one for mothers who got
/// their full indication.
pub const RATIO_BINS: usize = 101;

/// Fixed-point unit of the ratio sums in [`RatioBins`]: millionths.
pub const RATIO_UNIT: f64 = 1e6;

/// The distribution of delivered / indicated over mothers: per bin, mothers and the sum of
/// their ratios in millionths. Integers, so that bins of shards and of resumed runs add up
/// to exactly what one run counts. Bin k < 100 holds ratios in [k/100, (k+1)/100) of mothers
/// short of their full indication; bin 100 the mothers who got it (as in
/// `mothers_full_indication`).
#[derive(Debug, Clone, PartialEq)]
pub struct RatioBins {
    pub mothers: [u64; RATIO_BINS],
    pub ratio_sum: [u64; RATIO_BINS],
}

impl Default for RatioBins {
    fn default() -> Self {
        RatioBins {
            mothers: [0; RATIO_BINS],
            ratio_sum: [0; RATIO_BINS],
        }
    }
}

impl RatioBins {
    /// Counts one mother with ratio `ratio`; `full` when she got her full indication.
    pub fn add_mother(&mut self, ratio: f32, full: bool) {
        let bin = if full {
            RATIO_BINS - 1
        } else {
            ((f64::from(ratio) * 100.0) as usize).min(RATIO_BINS - 2)
        };
        self.mothers[bin] += 1;
        self.ratio_sum[bin] += (f64::from(ratio) * RATIO_UNIT).round() as u64;
    }

    pub fn add(&mut self, other: &RatioBins) {
        for b in 0..RATIO_BINS {
            self.mothers[b] += other.mothers[b];
            self.ratio_sum[b] += other.ratio_sum[b];
        }
    }

    /// The Lorenz curve at the bin edges: per bin, the cumulative share of mothers and of
    /// the summed ratio of the mothers in this bin and all lower ones. (0, 0) is implied.
    pub fn lorenz(&self) -> [(f64, f64); RATIO_BINS] {
        let mothers: u64 = self.mothers.iter().sum();
        let total: u64 = self.ratio_sum.iter().sum();
        let (mut m, mut r) = (0u64, 0u64);
        std::array::from_fn(|b| {
            m += self.mothers[b];
            r += self.ratio_sum[b];
            let share = |x: u64, of: u64| if of > 0 { x as f64 / of as f64 } else { 0.0 };
            (share(m, mothers), share(r, total))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of docs/metrics.md: five mothers with ratios 0, 0.5, 0.75, 1, 1.
    #[test]
    fn hand_computed_example() {
        let x = [0.0f32, 0.5, 0.75, 1.0, 1.0];
        assert_eq!(mean(&x), 0.65);
        // ceil(0.1 x 5) = 1: the lowest value.
        assert_eq!(percentile(&x, 0.10), 0.0);
        // sum = 3.25; sum i x_i = 0 + 1 + 2.25 + 4 + 5 = 12.25;
        // G = 2 x 12.25 / (5 x 3.25) - 6 / 5 = 24.5 / 16.25 - 1.2 = 0.307692...
        assert!((gini(&x) - (24.5 / 16.25 - 1.2)).abs() < 1e-12);
        // Mean absolute difference over all ordered pairs / (2 mean) gives the same.
        let n = x.len() as f64;
        let mad: f64 = x
            .iter()
            .flat_map(|a| x.iter().map(move |b| f64::from((a - b).abs())))
            .sum::<f64>()
            / (n * n);
        assert!((gini(&x) - mad / (2.0 * 0.65)).abs() < 1e-12);

        let t = Totals {
            mothers: 5,
            mothers_below_minimum: 1,
            mothers_without_care: 1,
            mothers_full_indication: 2,
            indicated_hours: 5.0 * 48.0,
            delivered_hours: 3.25 * 48.0,
            shortfall_hours: 1.75 * 48.0,
            late_registrants: 2,
            // The late registrants are the mothers with 0 and 0.5: 48 + 24 hours short.
            late_shortfall_hours: 72.0,
            ..Totals::default()
        };
        let e = Equity::of(&t, &x);
        assert_eq!(e.share_below_minimum, 0.2);
        assert_eq!(e.share_without_care, 0.2);
        assert_eq!(e.late_share_of_mothers, 0.4);
        assert!((e.late_share_of_shortfall - 72.0 / 84.0).abs() < 1e-12);
    }

    #[test]
    fn equal_ratios_have_gini_zero_and_no_mothers_is_no_shortfall() {
        assert_eq!(gini(&[0.8; 7]), 0.0);
        assert_eq!(gini(&[0.0; 3]), 0.0);
        assert_eq!(gini(&[]), 0.0);
        assert_eq!((mean(&[]), percentile(&[], 0.1)), (1.0, 1.0));
        // One mother of n has everything: G = (n - 1) / n.
        assert!((gini(&[0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let x: Vec<f32> = (1..=20).map(|i| i as f32).collect();
        assert_eq!(percentile(&x, 0.10), 2.0);
        assert_eq!(percentile(&x[..11], 0.10), 2.0);
        assert_eq!(percentile(&x[..10], 0.10), 1.0);
    }

    #[test]
    fn ratio_bins_and_lorenz_of_the_worked_example() {
        let mut bins = RatioBins::default();
        for (r, full) in [
            (0.0, false),
            (0.5, false),
            (0.75, false),
            (1.0, true),
            (1.0, true),
        ] {
            bins.add_mother(r, full);
        }
        assert_eq!(bins.mothers[0], 1);
        assert_eq!(bins.mothers[50], 1);
        assert_eq!(bins.mothers[75], 1);
        assert_eq!(bins.mothers[100], 2);
        let l = bins.lorenz();
        assert_eq!(l[0], (0.2, 0.0));
        assert_eq!(l[50], (0.4, 0.5 / 3.25));
        assert_eq!(l[75], (0.6, 1.25 / 3.25));
        assert_eq!(l[100], (1.0, 1.0));
        // A ratio just under 1 of a mother short of her indication stays below bin 100.
        let mut b = RatioBins::default();
        b.add_mother(0.999_9, false);
        assert_eq!(b.mothers[99], 1);
    }

    #[test]
    fn merging_sorted_runs_sorts() {
        let mut x = vec![0.1f32, 0.5, 1.0, 0.0, 0.7, 0.9];
        merge_sorted(&mut x);
        assert_eq!(x, vec![0.0, 0.1, 0.5, 0.7, 0.9, 1.0]);
    }
}
