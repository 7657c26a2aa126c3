//! The forecast's backtest (docs/forecast.md, "Backtest"): a simulated run of a one-region
//! forecast scenario is the "real" future; its state on the period's first day is written as
//! bookings and roster ([`super::snapshot`]), read back as a coordinator's files would be, and
//! forecast; the real weeks are then held against the forecast's bands.
//!
//! Here rather than in the test alone so that `tests/forecast.rs` (which asserts the
//! coverage) and `examples/doc-figures` (which writes the measured coverage into the docs)
//! compute the same numbers.

use super::{Bands, Known, Settings, input, snapshot};
use crate::model::Calendar;
use crate::scenario::Scenario;
use crate::sim::{self, Checks, RegionResult};

/// The weekly metrics the backtest holds against the bands, in the bands' metric order.
pub const METRICS: [&str; 4] = [
    "demand_hours",
    "carer_contract_hours",
    "shortfall_hours",
    "mothers_below_minimum",
];

/// How many week × metric points of the real runs lay within the forecast's P10-P90.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Per metric of [`METRICS`]: the points inside the band, and all points.
    pub inside: [usize; 4],
    pub points: [usize; 4],
}

impl Coverage {
    pub fn total_inside(&self) -> usize {
        self.inside.iter().sum()
    }

    pub fn total_points(&self) -> usize {
        self.points.iter().sum()
    }

    /// The share of all points inside.
    pub fn share(&self) -> f64 {
        self.total_inside() as f64 / self.total_points().max(1) as f64
    }

    /// The share of metric `m`'s points inside.
    pub fn metric_share(&self, m: usize) -> f64 {
        self.inside[m] as f64 / self.points[m].max(1) as f64
    }
}

/// The known state of replication `truth` of `s` at `period.start`, through a snapshot's
/// files (`s` needs a `[forecast]` section naming them).
pub fn known_from_snapshot(s: &Scenario, truth: u32) -> Result<Known, String> {
    let params = s
        .forecast
        .clone()
        .ok_or("the scenario has no [forecast] section")?;
    let snap = snapshot::snapshot(s, truth);
    let files: [(&str, &[u8]); 2] = [
        (params.bookings.as_str(), snap.bookings.as_bytes()),
        (params.roster.as_str(), snap.roster.as_bytes()),
    ];
    input::read_in_memory(s, &params, &files, s.period.start).map_err(|errors| {
        let first = errors.first().map_or(String::new(), |e| {
            format!(": line {}, `{}`: {}", e.line, e.path, e.message)
        });
        format!(
            "a snapshot did not read back ({} errors){first}",
            errors.len()
        )
    })
}

/// Forecasts `s` from `known` over its period's whole weeks, with `replications` futures.
pub fn forecast_known(s: &Scenario, known: &Known, replications: u32) -> Result<Bands, String> {
    let settings = Settings {
        as_of: s.period.start,
        weeks: ((s.period.end - s.period.start).num_days() as u32 + 1) / 7,
        replications,
        threads: None,
    };
    super::forecast(s, known, &settings).map_err(|e| e.to_string())
}

/// Replication `truth` of the scenario's first region, simulated from its start: the real
/// future a forecast from its snapshot is compared with.
pub fn real_run(s: &Scenario, truth: u32) -> RegionResult {
    let cal = Calendar::new(s);
    let policy = s.policy.name.policy(s.policy.rationing);
    sim::run_region(s, &cal, 0, truth, policy.as_ref(), false, Checks::default())
}

/// Replications `0..truths` of `s` as the real futures, each forecast from its own snapshot
/// with `replications` futures: how many of their weeks' four metrics lie within P10-P90 of
/// the first region. With bands that are right about 80% do.
pub fn coverage(s: &Scenario, truths: u32, replications: u32) -> Result<Coverage, String> {
    let mut c = Coverage {
        inside: [0; 4],
        points: [0; 4],
    };
    for truth in 0..truths {
        let real = real_run(s, truth);
        let bands = forecast_known(s, &known_from_snapshot(s, truth)?, replications)?;
        let region = bands
            .series
            .iter()
            .find(|x| x.provider == "ALL" && x.region != "ALL")
            .ok_or("the forecast has no region")?;
        if real.weeks.len() != bands.weeks.len() {
            return Err(format!(
                "the run has {} weeks, the forecast {}",
                real.weeks.len(),
                bands.weeks.len()
            ));
        }
        for (w, week) in real.weeks.iter().enumerate() {
            let values = [
                week.demand_hours,
                week.carer_contract_hours,
                week.shortfall_hours,
                week.mothers_below_minimum as f64,
            ];
            for (m, v) in values.into_iter().enumerate() {
                c.points[m] += 1;
                c.inside[m] += usize::from(region.weeks[w][m].covers(v));
            }
        }
    }
    Ok(c)
}

/// The forecast's mean demand over the horizon (from replication 0's snapshot, with
/// `replications` futures) over the mean real demand of replications `0..truths`: 1 when the
/// mothers still to register are neither lost nor counted twice.
pub fn demand_ratio(s: &Scenario, truths: u32, replications: u32) -> Result<f64, String> {
    let mut real_demand = 0.0;
    for truth in 0..truths {
        let real = real_run(s, truth);
        real_demand += real.weeks.iter().map(|w| w.demand_hours).sum::<f64>();
    }
    real_demand /= f64::from(truths);
    let bands = forecast_known(s, &known_from_snapshot(s, 0)?, replications)?;
    let region = &bands.series[bands.series.len() - 2];
    let forecast_demand: f64 = region.weeks.iter().map(|w| w[0].mean).sum();
    Ok(forecast_demand / real_demand)
}
