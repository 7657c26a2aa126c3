//! The workforce over the years: carers leaving, hired and trained, and the insurer
//! contracts (A, B, platform) each provider is given and meets.
//!
//! With `workforce.dynamic`, the carers of a region are planned up front for the whole run,
//! like their holidays: each listed carer gets a day she leaves (annual attrition as a
//! constant hazard), and each calendar year of the reporting period every provider starts
//! trainees by its contract (an A provider at least `contracts.a_trainees_per_fte` per
//! employed FTE) and the region hires experienced carers. A trainee works a share of a
//! qualified carer's hours until she qualifies after `workforce.training_months`, or drops
//! out before (`1 - completion_rate` of them). New carers leave at `early_attrition_per_year`
//! in their first `early_years`, then at `attrition_per_year`. Trainees already in training
//! when the period starts (started in the training period before it, at the same yearly
//! number) are there from the start, so the first years do not lack qualifying carers.
//!
//! The simulation sees a carer outside her employment as away on planned leave
//! ([`AbsenceKind::NotEmployed`]), and a trainee as a carer with fewer hours until the Monday
//! she qualifies. So the daily plan is unchanged, and the mothers are untouched: every draw
//! here comes from streams of their own (common random numbers across workforce variants).
//! Each new carer has her own stream, keyed by provider and her number among the provider's
//! hires (or trainees), so a variant that trains more keeps the other variant's carers as
//! they were.

use chrono::Datelike;
use rand::RngExt;
use rand_distr::{Distribution, Poisson};

use super::{EntityRng, Stream, absences, cumulative, entity_rng, pick, region_providers};
use crate::model::{Absence, AbsenceKind, Calendar, Carer, CarerOrigin, Day};
use crate::scenario::{ContractRule, ContractType, ProviderSpec, Scenario, WorkforceParams};

/// Days per year, for rates and durations given in years.
const DAYS_PER_YEAR: f64 = 365.25;

/// One calendar year of the reporting period: its year number and its first and last days
/// within the period (a partial first or last year is cut to the period).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportYear {
    pub year: i32,
    pub first: Day,
    pub last: Day,
}

impl ReportYear {
    /// The share of the calendar year inside the reporting period.
    pub fn fraction(&self) -> f64 {
        let days_in_year = if chrono::NaiveDate::from_ymd_opt(self.year, 2, 29).is_some() {
            366.0
        } else {
            365.0
        };
        f64::from(self.last - self.first + 1) / days_in_year
    }
}

/// The calendar years of the reporting period, in order.
pub fn report_years(cal: &Calendar) -> Vec<ReportYear> {
    let mut out = Vec::new();
    let mut first = cal.report_start;
    while first <= cal.report_end {
        let year = cal.date(first).year();
        let next = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("valid date");
        let next_day = (next - cal.start).num_days() as Day;
        let last = (next_day - 1).min(cal.report_end);
        out.push(ReportYear { year, first, last });
        first = last + 1;
    }
    out
}

/// The contract a provider is given: the national rule, or its own (B when it lists none).
pub fn contract_of(s: &Scenario, p: &ProviderSpec) -> ContractType {
    match s.contracts.every_provider {
        ContractRule::AsListed => p.contract.unwrap_or(ContractType::B),
        ContractRule::A => ContractType::A,
        ContractRule::B => ContractType::B,
        ContractRule::Platform => ContractType::Platform,
    }
}

/// Share of a provider's care hours by employed carers: its own figure, or the default for
/// its kind (a provider listed as platform brokers mostly self-employed carers).
pub fn employed_share_of(s: &Scenario, p: &ProviderSpec) -> f64 {
    p.employed_share.unwrap_or(match p.contract {
        Some(ContractType::Platform) => s.contracts.platform_employed_share,
        _ => s.contracts.default_employed_share,
    })
}

/// One provider in one year of the reporting period: its contract and whether it meets it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderYear {
    /// Index of the provider within its region.
    pub provider: u16,
    pub year: i32,
    /// The contract it is given.
    pub contract: ContractType,
    /// The best contract its employed share and training earn: platform below the least
    /// employed share, A when it also trains enough, B otherwise.
    pub eligible: ContractType,
    /// FTE of its qualified carers on the year's first day (contract hours / FTE hours).
    pub fte: f64,
    pub employed_share: f64,
    /// Trainees an A contract asks for this year (per employed FTE, for the part of the
    /// year in the reporting period).
    pub trainees_required: f64,
    pub trainees_started: u32,
    /// Whether it meets the rules of the contract it is given.
    pub meets_rule: bool,
}

/// The workforce figures of one region in one calendar year of the reporting period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WorkforceYear {
    /// Qualified carers employed on the year's last day...
    pub carers: u64,
    /// ...their FTE...
    pub carer_fte: f64,
    /// ...and the trainees in training that day.
    pub trainees: u64,
    /// Qualified carers who joined during the year (hired or qualified)...
    pub carers_joined: u64,
    /// ...and who left (trainees dropping out are not counted here).
    pub carers_left: u64,
    pub carers_hired: u64,
    pub trainees_started: u64,
    pub trainees_qualified: u64,
    pub trainees_dropped_out: u64,
    /// The qualified carers of the year's last day by where they came from.
    pub carers_from_start: u64,
    pub carers_from_training: u64,
    pub carers_from_hiring: u64,
    /// Their FTE by the same sources (contract hours differ between providers, so the FTE
    /// split is not the head-count split): what the workforce chart stacks.
    pub carer_fte_from_start: f64,
    pub carer_fte_from_training: f64,
    pub carer_fte_from_hiring: f64,
    /// FTE of the trainees on the year's last day (their contract hours, not the reduced
    /// care hours they work while training).
    pub trainee_fte: f64,
}

/// The workforce figures of each year of `years` from a region's carers.
pub fn workforce_years(s: &Scenario, years: &[ReportYear], carers: &[Carer]) -> Vec<WorkforceYear> {
    let fte_hours = s.contracts.fte_hours_per_week;
    years
        .iter()
        .map(|y| {
            let mut w = WorkforceYear::default();
            let within = |d: Day| y.first <= d && d <= y.last;
            for c in carers {
                if c.qualified_on(y.last) {
                    let fte = c.contract_hours_per_week / fte_hours;
                    w.carers += 1;
                    w.carer_fte += fte;
                    let (heads, source_fte) = match c.origin {
                        CarerOrigin::Listed => {
                            (&mut w.carers_from_start, &mut w.carer_fte_from_start)
                        }
                        CarerOrigin::Trainee => {
                            (&mut w.carers_from_training, &mut w.carer_fte_from_training)
                        }
                        CarerOrigin::Hired => {
                            (&mut w.carers_from_hiring, &mut w.carer_fte_from_hiring)
                        }
                    };
                    *heads += 1;
                    *source_fte += fte;
                }
                if c.training_on(y.last) {
                    w.trainees += 1;
                    w.trainee_fte += c.contract_hours_per_week / fte_hours;
                }
                match c.origin {
                    CarerOrigin::Hired if within(c.joined) => {
                        w.carers_hired += 1;
                        w.carers_joined += 1;
                    }
                    CarerOrigin::Trainee => {
                        w.trainees_started += u64::from(within(c.joined));
                        if c.completes() && within(c.qualifies) && c.qualifies > c.joined {
                            w.trainees_qualified += 1;
                            w.carers_joined += 1;
                        }
                        if !c.completes() && within(c.left) {
                            w.trainees_dropped_out += 1;
                        }
                    }
                    _ => {}
                }
                if c.completes() && within(c.left) {
                    w.carers_left += 1;
                }
            }
            w
        })
        .collect()
}

/// The first Monday on or after `day`.
fn monday_from(cal: &Calendar, day: Day) -> Day {
    day + (7 - cal.weekday(day)) % 7
}

/// The day a carer who starts (or qualifies) on `from` leaves: a constant hazard per year,
/// `early` for the first `early_years` of her work (`early_left` of which are still ahead),
/// `later` after. One uniform number decides it, so a higher rate only brings the day
/// forward (variants differ as little as they can). `Day::MAX`: she stays.
fn leave_day(w: &WorkforceParams, u: f64, from: Day, early_left: f64) -> Day {
    let hazard = |share: f64| -(1.0 - share).ln();
    let (he, h) = (
        hazard(w.early_attrition_per_year),
        hazard(w.attrition_per_year),
    );
    let e = -(1.0 - u).ln(); // Exp(1)
    let years = if e < he * early_left {
        e / he
    } else if h > 0.0 {
        early_left + (e - he * early_left) / h
    } else {
        f64::INFINITY
    };
    let days = years * DAYS_PER_YEAR;
    if days.is_finite() && days < 1e7 {
        // At least a day: she joined (or qualified) and so was there.
        from.saturating_add((days.round() as Day).max(1))
    } else {
        Day::MAX
    }
}

/// Keeps a carer's absences within her employment and adds the days she is not employed.
fn fit_absences(carer: &mut Carer, last: Day) {
    let (joined, left) = (carer.joined, carer.left.min(last));
    let mut out: Vec<Absence> = carer
        .absences
        .iter()
        .filter_map(|a| {
            let (start, end) = (a.start.max(joined), a.end.min(left));
            (end > start).then_some(Absence {
                kind: a.kind,
                start,
                end,
            })
        })
        .collect();
    if joined > 0 {
        out.push(Absence {
            kind: AbsenceKind::NotEmployed,
            start: 0,
            end: joined,
        });
    }
    if left < last {
        out.push(Absence {
            kind: AbsenceKind::NotEmployed,
            start: left,
            end: last,
        });
    }
    out.sort_by_key(|a| (a.start, a.end));
    carer.absences = out;
}

/// Trainees a provider with `employed_fte` starts in a year (`fraction` of it in the
/// period) under `contract`: an A provider the least whole number that meets the rule, the
/// others their expected number rounded at random (`u`).
fn trainees_to_start(
    s: &Scenario,
    contract: ContractType,
    employed_fte: f64,
    fraction: f64,
    u: f64,
) -> u32 {
    let k = &s.contracts;
    match contract {
        ContractType::A => (k.a_trainees_per_fte * employed_fte * fraction - 1e-9)
            .ceil()
            .max(0.0) as u32,
        _ => {
            let x = k.other_trainees_per_fte * employed_fte * fraction;
            (x.floor() + f64::from(u8::from(u < x.fract()))) as u32
        }
    }
}

/// Per provider of the region: its contract, employed share and contract hours.
struct ProviderInfo {
    contract: ContractType,
    employed_share: f64,
    contract_hours: f64,
    /// Numbers of the next hire and the next trainee, for their streams.
    hires: u64,
    trainees: u64,
}

/// Makes the region's workforce dynamic (with `workforce.dynamic`): leaving days for the
/// listed `carers` (`listed_index[i]` is carer i's stream index), then trainees in training
/// at the start, then each year's trainees and hires. Returns every provider's contract
/// figures per year; without `workforce.dynamic` the carers are left as they are and no
/// trainees start.
pub(super) fn plan_workforce(
    s: &Scenario,
    cal: &Calendar,
    region: usize,
    replication: u32,
    carers: &mut Vec<Carer>,
    listed_index: &[u64],
) -> Vec<ProviderYear> {
    let w = &s.workforce;
    let years = report_years(cal);
    let last = cal.report_end + 1;
    let specs = region_providers(s, region);
    let mut providers: Vec<ProviderInfo> = specs
        .iter()
        .map(|p| ProviderInfo {
            contract: contract_of(s, p),
            employed_share: employed_share_of(s, p),
            contract_hours: p
                .contract_hours_per_week
                .unwrap_or(s.carers.contract_hours_per_week),
            hires: 0,
            trainees: 0,
        })
        .collect();
    let fte_hours = s.contracts.fte_hours_per_week;
    // Qualified FTE and carers per provider on `day`.
    let fte_on = |carers: &[Carer], day: Day| {
        let mut fte = vec![0.0; specs.len()];
        let mut heads = vec![0.0; specs.len()];
        for c in carers.iter().filter(|c| c.qualified_on(day)) {
            fte[c.provider as usize] += c.contract_hours_per_week / fte_hours;
            heads[c.provider as usize] += 1.0;
        }
        (fte, heads)
    };
    let training_days = (f64::from(w.training_months) * DAYS_PER_YEAR / 12.0).round() as Day;
    let training_years = f64::from(training_days) / DAYS_PER_YEAR;

    if w.dynamic {
        for (c, &index) in carers.iter_mut().zip(listed_index) {
            let mut rng = entity_rng(s.seed, replication, region, Stream::Leave, index);
            c.left = leave_day(w, rng.random(), cal.report_start, 0.0);
            fit_absences(c, last);
        }
        // Trainees in training when the period starts.
        let (fte, _) = fte_on(carers, cal.report_start);
        let mut rng = entity_rng(s.seed, replication, region, Stream::Workforce, 0);
        for (pi, p) in providers.iter().enumerate() {
            let efte = fte[pi] * p.employed_share;
            let per_year = match p.contract {
                ContractType::A => (s.contracts.a_trainees_per_fte * efte - 1e-9)
                    .ceil()
                    .max(0.0),
                _ => s.contracts.other_trainees_per_fte * efte,
            };
            let expected = per_year * training_years;
            let u: f64 = rng.random();
            let n = expected.floor() as u64 + u64::from(u < expected.fract());
            for k in 0..n {
                let index = ((pi as u64) << 24) | (1 << 23) | k;
                let mut crng = entity_rng(s.seed, replication, region, Stream::Trainee, index);
                // Started `ago` days before the period (perhaps before the simulation's day 0:
                // then she is there from day 0).
                let ago = crng.random_range(1..=training_days.max(1));
                let started = i64::from(cal.report_start) - i64::from(ago);
                if let Some(c) = new_trainee(s, cal, &mut crng, pi, p, started, training_days)
                    && c.left > cal.report_start
                {
                    carers.push(c);
                }
            }
        }
    }

    let mut out = Vec::with_capacity(years.len() * specs.len());
    for (yi, y) in years.iter().enumerate() {
        let (fte, heads) = fte_on(carers, y.first);
        let fraction = y.fraction();
        let mut rng = entity_rng(
            s.seed,
            replication,
            region,
            Stream::Workforce,
            yi as u64 + 1,
        );
        let span = y.last - y.first + 1;
        for (pi, p) in providers.iter_mut().enumerate() {
            let efte = fte[pi] * p.employed_share;
            let u: f64 = rng.random();
            let started = if w.dynamic {
                trainees_to_start(s, p.contract, efte, fraction, u)
            } else {
                0
            };
            for _ in 0..started {
                let index = ((pi as u64) << 24) | p.trainees;
                p.trainees += 1;
                let mut crng = entity_rng(s.seed, replication, region, Stream::Trainee, index);
                let joined = y.first + crng.random_range(0..span);
                let started = i64::from(joined);
                if let Some(c) = new_trainee(s, cal, &mut crng, pi, p, started, training_days) {
                    carers.push(c);
                }
            }
            let k = &s.contracts;
            let required = match p.contract {
                ContractType::A => k.a_trainees_per_fte * efte * fraction,
                _ => 0.0,
            };
            let trains_enough = f64::from(started) >= k.a_trainees_per_fte * efte * fraction - 1e-9;
            let eligible = if p.employed_share < k.min_employed_share {
                ContractType::Platform
            } else if trains_enough {
                ContractType::A
            } else {
                ContractType::B
            };
            let employed_ok = p.employed_share >= k.min_employed_share;
            let meets_rule = match p.contract {
                ContractType::A => employed_ok && trains_enough,
                ContractType::B => employed_ok,
                ContractType::Platform => true,
            };
            out.push(ProviderYear {
                provider: pi as u16,
                year: y.year,
                contract: p.contract,
                eligible,
                fte: fte[pi],
                employed_share: p.employed_share,
                trainees_required: required,
                trainees_started: started,
                meets_rule,
            });
        }
        if !w.dynamic {
            continue;
        }
        // Hires: a yearly number per region plus a share of its qualified carers, spread
        // over the providers by their qualified carers.
        let total_heads: f64 = heads.iter().sum();
        let mean = (w.hired_per_year + w.hired_share_per_year * total_heads) * fraction;
        let hires = if mean > 0.0 {
            Poisson::new(mean).expect("mean > 0").sample(&mut rng) as u64
        } else {
            0
        };
        let weights = if total_heads > 0.0 {
            cumulative(heads.iter().copied())
        } else {
            cumulative(providers.iter().map(|_| 1.0))
        };
        for _ in 0..hires {
            let pi = pick(&weights, rng.random());
            let p = &mut providers[pi];
            let index = ((pi as u64) << 24) | p.hires;
            p.hires += 1;
            let mut crng = entity_rng(s.seed, replication, region, Stream::Hire, index);
            let joined = y.first + crng.random_range(0..span);
            let mut c = blank_carer(s, cal, &mut crng, pi, p.contract_hours, CarerOrigin::Hired);
            c.joined = joined;
            c.qualifies = joined;
            c.left = leave_day(w, crng.random(), joined, w.early_years);
            fit_absences(&mut c, last);
            carers.push(c);
        }
    }
    out
}

/// A carer of provider `pi` with her absences drawn, employed from day 0 for good (the
/// caller sets her employment).
fn blank_carer(
    s: &Scenario,
    cal: &Calendar,
    rng: &mut EntityRng,
    pi: usize,
    contract_hours: f64,
    origin: CarerOrigin,
) -> Carer {
    Carer {
        provider: pi as u16,
        weekly_care_hours: contract_hours * s.carers.productive_share,
        max_hours_per_day: s.carers.max_hours_per_day,
        absences: absences(s, cal, rng),
        contract_hours_per_week: contract_hours,
        origin,
        joined: 0,
        left: Day::MAX,
        qualifies: 0,
    }
}

/// A trainee of provider `pi` who starts training on day `started` (negative: before the
/// simulation's day 0, from which she is then there): she qualifies on the first Monday
/// after `training_days`, or drops out at a uniform time before it; `None` if she would
/// start after the simulation ends.
fn new_trainee(
    s: &Scenario,
    cal: &Calendar,
    rng: &mut EntityRng,
    pi: usize,
    p: &ProviderInfo,
    started: i64,
    training_days: Day,
) -> Option<Carer> {
    let w = &s.workforce;
    let last = cal.report_end + 1;
    let joined = started.max(0) as Day;
    if joined >= last {
        return None;
    }
    let completes = rng.random::<f64>() < w.completion_rate;
    let dropout: f64 = rng.random();
    let leave_u: f64 = rng.random();
    let mut c = blank_carer(s, cal, rng, pi, p.contract_hours, CarerOrigin::Trainee);
    let end = (started + i64::from(training_days)).max(i64::from(joined) + 1) as Day;
    c.joined = joined;
    c.qualifies = monday_from(cal, end);
    c.left = if completes {
        leave_day(w, leave_u, c.qualifies, w.early_years)
    } else {
        // Leaves during training: at least a day in, before she would qualify.
        let length = (i64::from(c.qualifies) - started - 1) as f64;
        (started + 1 + (dropout * length) as i64).max(i64::from(joined) + 1) as Day
    };
    fit_absences(&mut c, last);
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leave_day_follows_the_hazards() {
        let mut w = WorkforceParams {
            attrition_per_year: 0.1,
            early_attrition_per_year: 0.1,
            ..WorkforceParams::default()
        };
        // The median of a 10%-a-year exit: ln 2 / -ln 0.9 = 6.58 years.
        let median = leave_day(&w, 0.5, 0, 0.0);
        assert!(
            (f64::from(median) / DAYS_PER_YEAR - 6.579).abs() < 0.01,
            "{median}"
        );
        // u = 0.1 is a leave within the first year at a 10% rate.
        assert!(leave_day(&w, 0.0999, 0, 0.0) < 366);
        w.attrition_per_year = 0.0;
        w.early_attrition_per_year = 0.0;
        assert_eq!(leave_day(&w, 0.99, 10, 2.0), Day::MAX);
        // A higher early rate brings a leave within the early years forward.
        w.attrition_per_year = 0.1;
        w.early_attrition_per_year = 0.3;
        assert!(leave_day(&w, 0.2, 0, 2.0) < leave_day(&w, 0.2, 0, 0.0));
    }

    #[test]
    fn report_years_cut_the_period_at_new_year() {
        let mut s = crate::scenario::load_default().scenario;
        s.period.start = chrono::NaiveDate::from_ymd_opt(2027, 7, 1).unwrap();
        s.period.end = chrono::NaiveDate::from_ymd_opt(2029, 3, 31).unwrap();
        let cal = Calendar::new(&s);
        let years = report_years(&cal);
        let ys: Vec<i32> = years.iter().map(|y| y.year).collect();
        assert_eq!(ys, [2027, 2028, 2029]);
        assert_eq!(years[0].first, cal.report_start);
        assert_eq!(cal.date(years[0].last).to_string(), "2027-12-31");
        assert_eq!(cal.date(years[1].first).to_string(), "2028-01-01");
        assert_eq!(years[2].last, cal.report_end);
        assert!((years[1].fraction() - 1.0).abs() < 1e-12);
        assert!((years[0].fraction() - 184.0 / 365.0).abs() < 1e-12);
    }
}
