//! A KSV coordinator's season forecast (`kraamsim forecast`, docs/forecast.md): from the
//! bookings and roster known on an as-of date to bands of the coming weeks' demand, carer
//! hours, shortfall and mothers below the minimum, birth-assistance requests, misses and
//! on-call hours per day part, and what would help.
//!
//! Instead of a warm-up, each region starts on the as-of date from known state
//! ([`input`]): the mothers in care with the hours they have had, the mothers registered and
//! not yet in care, and the carers with their holidays and known absences. What is not known
//! is drawn from the scenario's usual distributions, on streams keyed by (seed,
//! replication, region, entity) like every other draw (`crate::generate`):
//! - a booked mother's unknown birth place, indication and care days, and her birth date
//!   given her due date (her birth is on or after the as-of date, or she would be in care);
//! - the mothers who have not registered yet ([`future`]): for each due date, the expected
//!   births due then times the chance that such a mother registers on or after the as-of
//!   date, so that the mothers already booked are not counted twice;
//! - sickness after the as-of date, and how long a sickness under way still lasts.
//!
//! Each (replication, region) is one job run by `sim::run_region_from` with a day-by-day
//! record per provider; [`bands`] turns the replications into P10/P50/P90 per day and ISO
//! week, provider, region and `ALL`, and [`write`] writes forecast.csv, forecast-weeks.csv
//! and forecast.json, the chart and the report. [`snapshot`] goes the other way: it writes a
//! simulated run's state on a day as bookings.csv and roster.csv (for the backtest and the
//! shipped example).

pub mod backtest;
pub mod bands;
mod future;
pub mod input;
pub mod snapshot;
pub mod write;

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike, Duration, NaiveDate};
use rand::RngExt;
use rayon::prelude::*;

use crate::generate::{self, EntityRng, Population, forecast_rng};
use crate::model::{Absence, AbsenceKind, BirthPlace, Calendar, Carer, CarerOrigin, Day, Mother};
use crate::scenario::Scenario;
use crate::sim::{self, Checks, DayLog, InCare, KnownStart};
pub use bands::Bands;
pub use input::{Known, RegionKnown};

/// How to forecast, beyond the scenario and the known state.
#[derive(Debug, Clone)]
pub struct Settings {
    pub as_of: NaiveDate,
    pub weeks: u32,
    pub replications: u32,
    /// Worker threads; `None` uses all cores. The result does not depend on it.
    pub threads: Option<usize>,
}

/// Why a forecast could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    /// Its stop flag was set (a cancelled run in the web app): no file is written.
    #[error("the forecast was stopped before it finished")]
    Stopped,
    #[error("starting worker threads: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    /// A broken runtime invariant: a bug, reported with where it happened.
    #[error(
        "internal error: invariant broken in region {region}, replication {replication}: {what}"
    )]
    Invariant {
        region: String,
        replication: u32,
        what: String,
    },
}

/// The calendar of a forecast: day 0 is the Monday of the as-of date's ISO week (so weeks
/// are ISO weeks), the reporting period runs from the as-of date for `weeks` weeks, and
/// nothing is simulated before the as-of date (no warm-up: the known state replaces it).
pub fn calendar(s: &Scenario, as_of: NaiveDate, weeks: u32) -> Calendar {
    let offset = as_of.weekday().num_days_from_monday();
    let report_end = offset + 7 * weeks - 1;
    let start = as_of - Duration::days(i64::from(offset));
    Calendar {
        start,
        start_weekday: start.weekday().num_days_from_monday(),
        report_start: offset,
        report_end,
        first_birth_day: offset,
        last_birth_day: report_end + s.births.latest_days_after_due + 8,
    }
}

/// Index ranges of the forecast's random streams (below 2^48, see `forecast_rng`).
const BOOKED_STREAM: u64 = 1 << 40;
const FUTURE_STREAM: u64 = 2 << 40;
const CARER_STREAM: u64 = 3 << 40;

/// Runs every replication of every region from the known state and returns the bands.
pub fn forecast(s: &Scenario, known: &Known, settings: &Settings) -> Result<Bands, ForecastError> {
    forecast_until(s, known, settings, None)
}

/// [`forecast`], ended early with [`ForecastError::Stopped`] once `stop` is set: no
/// region-replication starts after that, so a cancelled forecast ends within one of them.
pub fn forecast_until(
    s: &Scenario,
    known: &Known,
    settings: &Settings,
    stop: Option<&AtomicBool>,
) -> Result<Bands, ForecastError> {
    let cal = calendar(s, settings.as_of, settings.weeks);
    let models: Vec<future::FutureMothers> = (0..s.regions.len())
        .map(|r| future::FutureMothers::new(s, &cal, r))
        .collect();
    let policy = s.policy.name.policy(s.policy.rationing);
    let jobs: Vec<(u32, usize)> = (0..settings.replications)
        .flat_map(|rep| (0..s.regions.len()).map(move |r| (rep, r)))
        .collect();
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = settings.threads {
        pool = pool.num_threads(t);
    }
    let pool = pool.build()?;
    let logs: Vec<Result<DayLog, ForecastError>> = pool.install(|| {
        // One job per task, so that the threads run out of work together (as in `run`).
        jobs.par_iter()
            .with_max_len(1)
            .map(|&(rep, r)| {
                if stop.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                    return Err(ForecastError::Stopped);
                }
                let (population, start) =
                    population(s, &cal, r, rep, &known.regions[r], &models[r]);
                let (result, log) = sim::run_region_from(
                    s,
                    &cal,
                    r,
                    rep,
                    population,
                    &start,
                    policy.as_ref(),
                    Checks::default(),
                );
                match result.violation {
                    Some(v) => Err(ForecastError::Invariant {
                        region: s.regions[r].name.clone(),
                        replication: rep,
                        what: format!("day {}: {}", cal.date(v.day), v.what),
                    }),
                    None => Ok(log),
                }
            })
            .collect()
    });
    let logs = logs.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(Bands::new(s, &cal, known, settings, &logs))
}

/// The day index of `date` in `cal` (negative before day 0).
fn day_of(cal: &Calendar, date: NaiveDate) -> i64 {
    (date - cal.start).num_days()
}

/// Pregnancy week of a registration `days_before_due` days before the due date: week w
/// runs from 280 - 7w to 286 - 7w days before it, as the generator lays it out.
fn registration_week(days_before_due: i64) -> u32 {
    ((280 - days_before_due + 6).div_euclid(7)).clamp(1, 45) as u32
}

/// The population of one region in one replication, and the mothers in care at the start:
/// the bookings (those in care first), then the mothers still to register, and the roster.
fn population(
    s: &Scenario,
    cal: &Calendar,
    region: usize,
    replication: u32,
    known: &RegionKnown,
    future: &future::FutureMothers,
) -> (Population, KnownStart) {
    let k = cal.report_start;
    let as_of = cal.date(k);
    let mut mothers = Vec::new();
    let mut start = KnownStart::default();
    let (in_care, waiting): (Vec<_>, Vec<_>) = known
        .bookings
        .iter()
        .enumerate()
        .partition(|(_, b)| b.care_start.is_some_and(|c| c <= as_of));
    for (i, b) in in_care.into_iter().chain(waiting) {
        let mut rng = forecast_rng(s.seed, replication, region, BOOKED_STREAM | i as u64);
        let (mother, care) = booked_mother(s, cal, b, &mut rng, future);
        if let Some(care) = care {
            start.in_care.push(care);
        }
        mothers.push(mother);
    }
    let mut rng = forecast_rng(s.seed, replication, region, FUTURE_STREAM);
    future.draw(s, cal, &mut rng, &mut mothers);
    for (id, m) in mothers.iter_mut().enumerate() {
        m.id = id as u32;
    }
    let carers = known
        .carers
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let mut rng = forecast_rng(s.seed, replication, region, CARER_STREAM | j as u64);
            roster_carer(s, cal, c, &mut rng)
        })
        .collect();
    (
        Population {
            mothers,
            carers,
            providers: Vec::new(),
        },
        start,
    )
}

/// A booked mother: what the booking says, the rest drawn; and her care so far if she is
/// in care on the as-of date.
fn booked_mother(
    s: &Scenario,
    cal: &Calendar,
    b: &input::Booking,
    rng: &mut EntityRng,
    future: &future::FutureMothers,
) -> (Mother, Option<InCare>) {
    let k = i64::from(cal.report_start);
    let (mut place, mut hospital_days) = generate::draw_birth_place(s, rng);
    if let Some(known) = b.birth_place
        && known != place
    {
        place = known;
        hospital_days = match known {
            BirthPlace::Clinical => clinical_stay(s, rng),
            _ => 0,
        };
    }
    let mut indication = generate::draw_indication(s, rng, hospital_days);
    if let Some(total) = b.indicated_hours {
        let medical = b
            .medical_hours
            .unwrap_or(indication.medical_hours)
            .min(total);
        if b.medical_hours.is_some() || medical > 0.0 {
            let ind = &s.indication;
            let window = if medical > 0.0 {
                ind.extended_care_window_days
            } else {
                ind.care_window_days
            };
            indication.home_days = window.saturating_sub(hospital_days).max(1);
        }
        indication.total_hours = total;
        indication.medical_hours = medical;
    } else if let Some(medical) = b.medical_hours {
        indication.medical_hours = medical.min(indication.total_hours);
    }
    if let Some(days) = b.care_days {
        indication.home_days = days;
    }
    let due_day = day_of(cal, b.due);
    let mut mother = Mother {
        id: 0,
        postcode: b.postcode,
        postcode_index: b.postcode_index,
        provider: b.provider,
        registration_week: registration_week((b.due - b.registration).num_days()),
        // Her real registration day (before the as-of date, so before the first plan): it
        // orders first-come policies and ties, and her registration enters the forecast of
        // mothers due soon before the first plan, as it had.
        registration_day: day_of(cal, b.registration).clamp(0, k) as Day,
        due_day: due_day.max(0) as Day,
        birth_minute: (k * 1440) as u32,
        birth_place: place,
        hospital_days,
        indication,
        needs_birth_assist: false,
    };
    match b.care_start.map(|c| day_of(cal, c)) {
        Some(first) if first <= k => {
            let last = (first + i64::from(indication.home_days) - 1).max(k);
            let care = InCare {
                delivered_hours: b.delivered_hours,
                last_day: last as Day,
            };
            (mother, Some(care))
        }
        Some(first) => {
            // Born, home on day `first`: the simulation's birth at the as-of date starts
            // care 3 hours later (home) or the morning after the hospital days (clinical),
            // so the birth and the days in hospital are set to start care on `first`.
            if first == k + 1 {
                mother.birth_minute = (k * 1440 + 1439) as u32;
                mother.hospital_days = 0;
            } else {
                mother.hospital_days = (first - k - 1) as u32;
            }
            (mother, None)
        }
        None => {
            // Not born yet: born on or after the as-of date, spread around her due date.
            let offset = future.birth_offset(rng, due_day - k);
            let birth_day = (due_day - offset).max(k);
            mother.birth_minute = (birth_day * 1440) as u32 + rng.random_range(0..1440);
            mother.needs_birth_assist = generate::draw_birth_assist(s, rng, place);
            (mother, None)
        }
    }
}

/// Days in hospital after a clinical birth, as the generator draws them for the clinical
/// share of births (a caesarean or another second-line birth).
fn clinical_stay(s: &Scenario, rng: &mut EntityRng) -> u32 {
    let bp = &s.birth_place;
    let clinical = (1.0 - bp.home_share - bp.outpatient_share).max(1e-12);
    if rng.random::<f64>() < bp.caesarean_share / clinical {
        let [lo, hi] = bp.caesarean_hospital_days;
        rng.random_range(lo..=hi)
    } else {
        u32::from(rng.random::<f64>() < bp.clinical_overnight_share)
    }
}

/// A roster carer with her holidays, her known absences and the sickness still to come.
fn roster_carer(
    s: &Scenario,
    cal: &Calendar,
    c: &input::RosterCarer,
    rng: &mut EntityRng,
) -> Carer {
    let k = i64::from(cal.report_start);
    let last = i64::from(cal.report_end) + 1;
    let mut absences = Vec::new();
    let mut push = |kind, start: i64, end: i64| {
        let (start, end) = (start.max(k), end.min(last));
        if end > start {
            absences.push(Absence {
                kind,
                start: start as Day,
                end: end as Day,
            });
        }
    };
    for &(first, to) in &c.holidays {
        push(
            AbsenceKind::Holiday,
            day_of(cal, first),
            day_of(cal, to) + 1,
        );
    }
    // Sickness after the as-of date starts once a sickness under way is over.
    let mut healthy_from = k;
    for &(first, to) in &c.absences {
        let first = day_of(cal, first);
        let end = match to {
            Some(to) => day_of(cal, to) + 1,
            // Return not known: the rest of the spell, as a new one (no memory).
            None => first.max(k) + i64::from(generate::sickness_days(s, rng)),
        };
        if first <= k {
            healthy_from = healthy_from.max(end);
            push(AbsenceKind::Sickness, first, end);
        } else {
            // Known ahead (a planned operation, leave): the roster knows it, like a holiday.
            push(AbsenceKind::Holiday, first, end);
        }
    }
    if healthy_from < last {
        generate::sickness_spells(s, healthy_from as Day, last as Day, rng, &mut absences);
    }
    absences.sort_by_key(|a| (a.start, a.end));
    let contract = c.contract_hours_per_week;
    Carer {
        provider: c.provider,
        weekly_care_hours: contract * s.carers.productive_share,
        max_hours_per_day: s.carers.max_hours_per_day,
        absences,
        contract_hours_per_week: contract,
        origin: CarerOrigin::Listed,
        joined: 0,
        left: Day::MAX,
        qualifies: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_weeks_match_the_generator_layout() {
        // Week w registers 280 - 7w + (0..7) days before the due date.
        for w in 1..=40 {
            for j in 0..7 {
                assert_eq!(registration_week(280 - 7 * i64::from(w) + j), w);
            }
        }
        assert_eq!(registration_week(400), 1);
    }

    #[test]
    fn calendar_starts_on_the_monday_of_the_as_of_week() {
        let s = crate::scenario::load_default().scenario;
        let as_of = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap(); // a Saturday
        let cal = calendar(&s, as_of, 16);
        assert_eq!(cal.date(cal.report_start), as_of);
        assert_eq!(cal.start.weekday(), chrono::Weekday::Mon);
        assert_eq!(cal.report_days(), 16 * 7);
        assert_eq!(cal.report_week_start(0), cal.start);
    }
}
