//! Forecast bands: per day and per ISO week, for each provider, each region and `ALL`, the
//! P10, P50, P90 and mean over the replications of each metric.
//!
//! A band is taken over the replications' values of the whole series (a region's value in a
//! replication is the sum over its providers, before the quantile), so the P50 of a region
//! is not the sum of its providers' P50s. Quantiles interpolate linearly between order
//! statistics (Hyndman and Fan type 7, the default of R and numpy).

use chrono::NaiveDate;

use super::{Known, Settings};
use crate::model::Calendar;
use crate::output::{DAY_PART_METRICS, join_names};
use crate::results::DAY_PARTS;
use crate::scenario::Scenario;
use crate::sim::{DayLog, ProviderDay};

/// Number of metrics.
pub const M: usize = 17;

/// The metrics, as named in forecast.csv. The birth-assistance metrics per day part are
/// named as in a run's summary.csv (`output::DAY_PART_METRICS`).
pub const METRICS: [&str; M] = join_names(
    [
        "demand_hours",
        "carer_contract_hours",
        "shortfall_hours",
        "mothers_below_minimum",
        "hours_to_minimum",
        "hours_to_guaranteed",
        "birth_assists_requested",
        "birth_assists_missed",
    ],
    DAY_PART_METRICS,
);
pub const DEMAND: usize = 0;
pub const AVAILABLE: usize = 1;
pub const SHORTFALL: usize = 2;
pub const BELOW_MINIMUM: usize = 3;
pub const TO_MINIMUM: usize = 4;
pub const TO_GUARANTEED: usize = 5;
/// Birth-assistance requests and missed requests, all day parts.
pub const ASSISTS_REQUESTED: usize = 6;
pub const ASSISTS_MISSED: usize = 7;
/// The first of the requests per day part (night, day, evening); then the missed, then the
/// on-call hours, each per day part.
pub const ASSISTS_REQUESTED_BY_PART: usize = 8;
pub const ASSISTS_MISSED_BY_PART: usize = ASSISTS_REQUESTED_BY_PART + DAY_PARTS;
pub const ON_CALL_HOURS_BY_PART: usize = ASSISTS_MISSED_BY_PART + DAY_PARTS;

/// The row label of a sum over providers or regions.
pub const ALL: &str = "ALL";

fn values(c: &ProviderDay) -> [f64; M] {
    let requested = c.assists_requested.map(f64::from);
    let missed = c.assists_missed.map(f64::from);
    let mut v = [0.0; M];
    v[..ASSISTS_REQUESTED].copy_from_slice(&[
        c.demand_hours,
        c.contract_hours,
        c.shortfall_hours,
        f64::from(c.mothers_below_minimum),
        c.minimum_shortfall_hours,
        c.guaranteed_shortfall_hours,
    ]);
    v[ASSISTS_REQUESTED] = requested.iter().sum();
    v[ASSISTS_MISSED] = missed.iter().sum();
    v[ASSISTS_REQUESTED_BY_PART..ASSISTS_MISSED_BY_PART].copy_from_slice(&requested);
    v[ASSISTS_MISSED_BY_PART..ON_CALL_HOURS_BY_PART].copy_from_slice(&missed);
    v[ON_CALL_HOURS_BY_PART..].copy_from_slice(&c.on_call_hours);
    v
}

/// The (region, provider) cells a series adds up; `None`: every provider of the region.
type Cells = Vec<(usize, Option<usize>)>;

/// P10, P50, P90 and mean of one metric.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Band {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub mean: f64,
}

impl Band {
    /// The band of `values` (sorted in place).
    pub fn of(values: &mut [f64]) -> Band {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        if n == 0 {
            return Band::default();
        }
        let q = |p: f64| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            values[lo] + (h - lo as f64) * (values[hi] - values[lo])
        };
        Band {
            p10: q(0.1),
            p50: q(0.5),
            p90: q(0.9),
            mean: values.iter().sum::<f64>() / n as f64,
        }
    }

    /// Whether `x` lies within P10-P90 (inclusive, with a little slack for rounding).
    pub fn covers(&self, x: f64) -> bool {
        let eps = 1e-6 * x.abs().max(1.0);
        x >= self.p10 - eps && x <= self.p90 + eps
    }
}

/// An ISO week of the forecast window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Week {
    /// Its Monday.
    pub start: NaiveDate,
    /// Days of the week inside the forecast window (7 but at a window's ragged ends).
    pub days: u32,
    /// Index of its first day in the window.
    pub first: usize,
}

/// The bands of one provider, one region (`provider` = `ALL`) or all regions.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub region: String,
    pub provider: String,
    /// Per day of the window, per metric.
    pub days: Vec<[Band; M]>,
    /// Per week, per metric.
    pub weeks: Vec<[Band; M]>,
    /// Per week: carer-weeks of planned holiday on the roster (holiday days / 7).
    pub holiday_carer_weeks: Vec<f64>,
    /// Mean weekly care hours of a carer on the roster (contract x productive share): what
    /// one carer-week of holiday shifted out of a week gives.
    pub carer_week_hours: f64,
}

impl Series {
    /// Whether this is a sum over regions (the row `ALL`, `ALL`).
    pub fn is_all(&self) -> bool {
        self.region == ALL
    }
}

/// The bands of one postcode (PC4 area) per week: mothers below the minimum and shortfall
/// hours of its mothers whose care ended that week (at any provider).
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeSeries {
    pub region: String,
    pub postcode: u16,
    /// Per week: [mothers below the minimum, shortfall hours].
    pub weeks: Vec<[Band; 2]>,
}

/// Everything a forecast reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    pub as_of: NaiveDate,
    pub replications: u32,
    /// The dates of the window's days.
    pub dates: Vec<NaiveDate>,
    pub weeks: Vec<Week>,
    /// Per region: its providers, then the region (`ALL`); then all regions.
    pub series: Vec<Series>,
    /// Per region, per postcode (scenario order).
    pub postcodes: Vec<PostcodeSeries>,
    /// Per region: its name, bookings, of them in care on the as-of date, roster carers.
    pub known_counts: Vec<(String, usize, usize, usize)>,
}

impl Bands {
    /// Bands from the jobs' day logs (in job order: replication, then region).
    pub fn new(
        s: &Scenario,
        cal: &Calendar,
        known: &Known,
        settings: &Settings,
        logs: &[DayLog],
    ) -> Self {
        let n_regions = s.regions.len();
        let reps = settings.replications as usize;
        let days = cal.report_days() as usize;
        let dates: Vec<NaiveDate> = (0..days)
            .map(|d| cal.date(cal.report_start + d as u32))
            .collect();
        let mut weeks: Vec<Week> = Vec::new();
        for (d, date) in dates.iter().enumerate() {
            let monday =
                *date - chrono::Duration::days(i64::from(cal.weekday(cal.report_start + d as u32)));
            match weeks.last_mut() {
                Some(w) if w.start == monday => w.days += 1,
                _ => weeks.push(Week {
                    start: monday,
                    days: 1,
                    first: d,
                }),
            }
        }
        // Which (region, provider) cells each series adds up.
        let mut members: Vec<(String, String, Cells)> = Vec::new();
        for (r, region) in s.regions.iter().enumerate() {
            let providers = crate::generate::region_providers(s, r);
            for (p, spec) in providers.iter().enumerate() {
                members.push((region.name.clone(), spec.name.clone(), vec![(r, Some(p))]));
            }
            members.push((region.name.clone(), ALL.to_string(), vec![(r, None)]));
        }
        members.push((
            ALL.to_string(),
            ALL.to_string(),
            (0..n_regions).map(|r| (r, None)).collect(),
        ));
        let value = |rep: usize, day: usize, cells: &[(usize, Option<usize>)]| {
            let mut v = [0.0; M];
            for &(r, p) in cells {
                let log = &logs[rep * n_regions + r];
                let providers: Vec<usize> = match p {
                    Some(p) => vec![p],
                    None => (0..log.providers).collect(),
                };
                for p in providers {
                    for (x, y) in v.iter_mut().zip(values(log.get(day, p))) {
                        *x += y;
                    }
                }
            }
            v
        };
        let series = members
            .into_iter()
            .map(|(region, provider, cells)| {
                // per replication, per day, per metric
                let per_rep: Vec<Vec<[f64; M]>> = (0..reps)
                    .map(|rep| (0..days).map(|d| value(rep, d, &cells)).collect())
                    .collect();
                let mut buf = vec![0.0; reps];
                let mut band = |f: &dyn Fn(usize) -> f64| {
                    for (rep, b) in buf.iter_mut().enumerate() {
                        *b = f(rep);
                    }
                    Band::of(&mut buf)
                };
                let day_bands = (0..days)
                    .map(|d| std::array::from_fn(|m| band(&|rep| per_rep[rep][d][m])))
                    .collect();
                let week_bands = weeks
                    .iter()
                    .map(|w| {
                        let range = w.first..w.first + w.days as usize;
                        std::array::from_fn(|m| {
                            band(&|rep| per_rep[rep][range.clone()].iter().map(|v| v[m]).sum())
                        })
                    })
                    .collect();
                let (holiday_carer_weeks, carer_week_hours) =
                    roster_weeks(s, known, &weeks, *dates.last().expect("a day"), &cells);
                Series {
                    region,
                    provider,
                    days: day_bands,
                    weeks: week_bands,
                    holiday_carer_weeks,
                    carer_week_hours,
                }
            })
            .collect();
        let mut postcodes = Vec::new();
        let mut buf = vec![0.0; reps];
        for (r, region) in s.regions.iter().enumerate() {
            for (i, pc) in region.postcodes.iter().enumerate() {
                let weeks = (0..weeks.len())
                    .map(|w| {
                        std::array::from_fn(|m| {
                            for (rep, b) in buf.iter_mut().enumerate() {
                                *b = logs[rep * n_regions + r].postcode_week(w, i)[m];
                            }
                            Band::of(&mut buf)
                        })
                    })
                    .collect();
                postcodes.push(PostcodeSeries {
                    region: region.name.clone(),
                    postcode: pc.pc4,
                    weeks,
                });
            }
        }
        let known_counts = s
            .regions
            .iter()
            .zip(&known.regions)
            .map(|(r, k)| {
                let in_care = k
                    .bookings
                    .iter()
                    .filter(|b| b.care_start.is_some_and(|c| c <= known.as_of))
                    .count();
                (r.name.clone(), k.bookings.len(), in_care, k.carers.len())
            })
            .collect();
        Bands {
            as_of: settings.as_of,
            replications: settings.replications,
            dates,
            weeks,
            series,
            postcodes,
            known_counts,
        }
    }

    /// The series of all regions (the last).
    pub fn all(&self) -> &Series {
        self.series.last().expect("ALL is always there")
    }
}

/// Per week, the carer-weeks of planned holiday of a series' roster carers within the
/// forecast window (holiday days / 7), and their mean weekly care hours.
fn roster_weeks(
    s: &Scenario,
    known: &Known,
    weeks: &[Week],
    window_last: NaiveDate,
    cells: &[(usize, Option<usize>)],
) -> (Vec<f64>, f64) {
    let mut holiday = vec![0.0; weeks.len()];
    let (mut hours, mut carers) = (0.0, 0usize);
    for &(r, p) in cells {
        for c in &known.regions[r].carers {
            if p.is_some_and(|p| usize::from(c.provider) != p) {
                continue;
            }
            carers += 1;
            hours += c.contract_hours_per_week * s.carers.productive_share;
            for (w, week) in weeks.iter().enumerate() {
                let first = week.start;
                let last = (week.start + chrono::Duration::days(6)).min(window_last);
                let window_first = first.max(known.as_of);
                let days: i64 = c
                    .holidays
                    .iter()
                    .map(|&(a, b)| {
                        let (from, to) = (a.max(window_first), b.min(last));
                        ((to - from).num_days() + 1).max(0)
                    })
                    .sum();
                holiday[w] += days as f64 / 7.0;
            }
        }
    }
    let mean = if carers == 0 {
        0.0
    } else {
        hours / carers as f64
    };
    (holiday, mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let mut v: Vec<f64> = (1..=11).map(f64::from).rev().collect();
        let b = Band::of(&mut v);
        assert_eq!((b.p10, b.p50, b.p90, b.mean), (2.0, 6.0, 10.0, 6.0));
        let mut two = vec![0.0, 10.0];
        let b = Band::of(&mut two);
        assert!((b.p10 - 1.0).abs() < 1e-12 && (b.p90 - 9.0).abs() < 1e-12);
        assert!(b.covers(5.0) && !b.covers(0.5) && !b.covers(9.5));
    }
}
