//! Equity metrics: how the shortfall is spread over mothers, not only how large it is.
//!
//! Pure functions over the per-mother ratio delivered / indicated hours, kept sorted. The
//! simulation (`crate::sim`) collects a region's ratios as its mothers' care ends and computes
//! the region's [`Equity`]; `crate::output` concatenates the regions of a replication for the
//! row `ALL` (Gini and P10 need every mother) and writes the values as summary.csv columns
//! (with intervals in stats.csv). [`RatioBins`] is the binned distribution behind lorenz.csv:
//! integer counts and fixed-point sums, so that shards and resumed runs add up exactly.
//! Every formula, with a worked example, is in `docs/metrics.md`.

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

/// The counts of a row that the shares are taken of: a row's totals as the simulation keeps
/// them (`sim::Totals::equity_counts`), so that this module does not depend on the simulation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RowCounts {
    pub mothers: u64,
    pub mothers_below_minimum: u64,
    pub mothers_without_care: u64,
    pub late_registrants: u64,
    pub late_shortfall_hours: f64,
    pub shortfall_hours: f64,
}

impl Equity {
    /// The metrics of a row from its counts and its mothers' ratios.
    pub fn of(t: &RowCounts, ratios: &Ratios) -> Self {
        let share = |x: f64, of: f64| if of > 0.0 { x / of } else { 0.0 };
        let mothers = t.mothers as f64;
        let sums = ratios.sums();
        Equity {
            share_below_minimum: share(t.mothers_below_minimum as f64, mothers),
            share_without_care: share(t.mothers_without_care as f64, mothers),
            mean_delivered_ratio: mean_of(&sums),
            p10_delivered_ratio: f64::from(sums.p10) / f64::from(RATIO_STEPS),
            gini_delivered_ratio: gini_of(&sums),
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

/// Steps of the ratio scale: the equity metrics are computed on ratios rounded to the
/// nearest 1/10,000 (0.01 percentage point).
pub const RATIO_STEPS: u16 = 10_000;

/// A ratio in steps of 1/[`RATIO_STEPS`], rounded to the nearest.
pub fn to_steps(ratio: f32) -> u16 {
    (f64::from(ratio.clamp(0.0, 1.0)) * f64::from(RATIO_STEPS) + 0.5) as u16
}

/// The ratios delivered / indicated of a set of mothers, in steps of 1/[`RATIO_STEPS`], in
/// no particular order (two bytes a mother). The metrics count them into a histogram of the
/// 10,001 possible values instead of sorting them, and add them up in integers: a
/// replication's regions together (the row `ALL`) cost one pass over its mothers, and the
/// result does not depend on the order in which mothers or regions come.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ratios {
    pub steps: Vec<u16>,
}

/// What the metrics need of a set of ratios: their histogram, reduced to integer sums.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RatioSums {
    n: u64,
    /// Sum of the values (in steps).
    sum: u64,
    /// Sum of rank x value over the values in ascending order, ranks 1..n (in steps).
    rank_weighted: u128,
    /// The value (in steps) at 1-based rank ceil(0.1 n), for the 10th percentile.
    p10: u16,
}

impl Ratios {
    pub fn with_capacity(n: usize) -> Self {
        Ratios {
            steps: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, ratio: f32) {
        self.steps.push(to_steps(ratio));
    }

    /// Appends another set.
    pub fn extend(&mut self, other: &Ratios) {
        self.steps.extend_from_slice(&other.steps);
    }

    pub fn len(&self) -> u64 {
        self.steps.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn sums(&self) -> RatioSums {
        let mut counts = vec![0u32; usize::from(RATIO_STEPS) + 1];
        for &v in &self.steps {
            counts[usize::from(v)] += 1;
        }
        let n = self.len();
        let p10_rank = (n as f64 * 0.10).ceil() as u64;
        let (mut seen, mut sum, mut rank_weighted, mut p10) = (0u64, 0u64, 0u128, RATIO_STEPS);
        let mut p10_found = false;
        for (v, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = u64::from(c);
            // The values of this bin hold ranks seen + 1 ..= seen + c.
            let ranks = u128::from(c) * u128::from(seen) + u128::from(c * (c + 1) / 2);
            rank_weighted += ranks * v as u128;
            sum += c * v as u64;
            seen += c;
            if !p10_found && seen >= p10_rank.max(1) {
                p10 = v as u16;
                p10_found = true;
            }
        }
        RatioSums {
            n,
            sum,
            rank_weighted,
            p10,
        }
    }

    /// Mean of the ratios; 1 with no mothers (nobody went short).
    pub fn mean(&self) -> f64 {
        mean_of(&self.sums())
    }

    /// The 10th percentile by nearest rank: the value at 1-based rank ceil(0.1 n) in
    /// ascending order; 1 with no mothers.
    pub fn p10(&self) -> f64 {
        f64::from(self.sums().p10) / f64::from(RATIO_STEPS)
    }

    /// Gini coefficient: G = 2 sum_i i x_(i) / (n sum_i x_(i)) - (n + 1) / n over the
    /// values in ascending order x_(1) <= ... <= x_(n); 0 with no mothers or when all got
    /// nothing.
    pub fn gini(&self) -> f64 {
        gini_of(&self.sums())
    }
}

fn mean_of(s: &RatioSums) -> f64 {
    if s.n == 0 {
        return 1.0;
    }
    s.sum as f64 / f64::from(RATIO_STEPS) / s.n as f64
}

fn gini_of(s: &RatioSums) -> f64 {
    if s.n == 0 || s.sum == 0 {
        return 0.0;
    }
    let n = s.n as f64;
    (2.0 * s.rank_weighted as f64 / (n * s.sum as f64) - (n + 1.0) / n).max(0.0)
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
        // Rounded to the nearest millionth (ratios are not negative).
        self.ratio_sum[bin] += (f64::from(ratio) * RATIO_UNIT + 0.5) as u64;
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

    fn ratios(x: &[f32]) -> Ratios {
        let mut r = Ratios::default();
        x.iter().for_each(|&v| r.push(v));
        r
    }

    /// The worked example of docs/metrics.md: five mothers with ratios 0, 0.5, 0.75, 1, 1.
    #[test]
    fn hand_computed_example() {
        let x = ratios(&[1.0, 0.5, 0.0, 1.0, 0.75]);
        assert_eq!(x.mean(), 0.65);
        // ceil(0.1 x 5) = 1: the lowest value.
        assert_eq!(x.p10(), 0.0);
        // sum = 3.25; sum i x_i = 0 + 1 + 2.25 + 4 + 5 = 12.25;
        // G = 2 x 12.25 / (5 x 3.25) - 6 / 5 = 24.5 / 16.25 - 1.2 = 0.307692...
        assert!((x.gini() - (24.5 / 16.25 - 1.2)).abs() < 1e-12);
        // Mean absolute difference over all ordered pairs / (2 mean) gives the same.
        let v = [0.0f64, 0.5, 0.75, 1.0, 1.0];
        let mad: f64 = v
            .iter()
            .flat_map(|a| v.iter().map(move |b| (a - b).abs()))
            .sum::<f64>()
            / 25.0;
        assert!((x.gini() - mad / (2.0 * 0.65)).abs() < 1e-12);

        let t = RowCounts {
            mothers: 5,
            mothers_below_minimum: 1,
            mothers_without_care: 1,
            shortfall_hours: 1.75 * 48.0,
            late_registrants: 2,
            // The late registrants are the mothers with 0 and 0.5: 48 + 24 hours short.
            late_shortfall_hours: 72.0,
        };
        let e = Equity::of(&t, &x);
        assert_eq!(e.share_below_minimum, 0.2);
        assert_eq!(e.share_without_care, 0.2);
        assert_eq!(e.late_share_of_mothers, 0.4);
        assert!((e.late_share_of_shortfall - 72.0 / 84.0).abs() < 1e-12);
        assert_eq!(e.gini_delivered_ratio, x.gini());
    }

    #[test]
    fn equal_ratios_have_gini_zero_and_no_mothers_is_no_shortfall() {
        assert!(ratios(&[0.8; 7]).gini().abs() < 1e-12);
        assert_eq!(ratios(&[1.0; 7]).gini(), 0.0);
        assert_eq!(ratios(&[0.0; 3]).gini(), 0.0);
        let none = ratios(&[]);
        assert_eq!((none.gini(), none.mean(), none.p10()), (0.0, 1.0, 1.0));
        // One mother of n has everything: G = (n - 1) / n.
        assert!((ratios(&[0.0, 0.0, 0.0, 1.0]).gini() - 0.75).abs() < 1e-12);
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let x: Vec<f32> = (1..=20).map(|i| i as f32 / 20.0).collect();
        assert_eq!(ratios(&x).p10(), 0.1);
        assert_eq!(ratios(&x[..11]).p10(), 0.1);
        assert_eq!(ratios(&x[..10]).p10(), 0.05);
        // Rank 1 of one mother with her full indication.
        assert_eq!(ratios(&[1.0]).p10(), 1.0);
        // Ratios are taken to the nearest 1/10,000.
        assert_eq!(ratios(&[0.123_449]).p10(), 0.1234);
    }

    #[test]
    fn regions_merged_give_the_metrics_of_all_their_mothers() {
        let (a, b) = ([0.1f32, 0.9, 1.0, 1.0], [0.0f32, 0.5, 0.95, 1.0]);
        let mut all = Ratios::default();
        all.extend(&ratios(&b));
        all.extend(&ratios(&a));
        let direct = ratios(&[a, b].concat());
        assert_eq!(all.gini(), direct.gini());
        assert_eq!(all.p10(), direct.p10());
        assert_eq!(all.mean(), direct.mean());
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
}
