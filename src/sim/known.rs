//! Starting a region from known state instead of a warm-up, and reading a region's state on
//! a given day: the two ends of a season forecast (`crate::forecast`).
//!
//! A forecast knows, on its as-of date, which mothers are registered and which are in care
//! with how many hours so far, and which carers work when. [`run_region_from`] takes that
//! state as a population whose first mothers are already in care ([`KnownStart`]) and runs
//! the same event handlers and daily plan as a normal run from the as-of date on, recording
//! each day's demand, available hours and care outcomes per provider ([`DayLog`]).
//! [`state_at`] is the other way round: it runs a normal simulation up to a day and returns
//! what a coordinator would know then, so a forecast can be checked against the run's real
//! future (the backtest in `tests/forecast.rs`).

use super::{Checks, Event, MINUTES_PER_DAY, MotherOutcome, RegionResult, Simulation};
use crate::generate::{self, Population};
use crate::model::{Calendar, Carer, Day, Mother};
use crate::policy::{AllocationPolicy, TIERS, TierHours};
use crate::results::DAY_PARTS;
use crate::scenario::Scenario;

/// A mother already in care when a forecast starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InCare {
    /// Care hours she has had so far.
    pub delivered_hours: f64,
    /// Her last day of care at home (on or after the first simulated day).
    pub last_day: Day,
}

/// The state a forecast starts from, beyond the population itself: the first
/// `in_care.len()` mothers of the population are in care on the first day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KnownStart {
    pub in_care: Vec<InCare>,
}

/// One provider on one day of a forecast.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProviderDay {
    /// Indicated hours of her mothers in care, each spread evenly over her days at home
    /// (as `demand_hours` in weekly.csv).
    pub demand_hours: f64,
    /// Contract care hours of her carers at work that day (weekly care hours / 7 each, as
    /// `carer_contract_hours` in weekly.csv): the supply net of holidays and sickness.
    /// (weekly.csv's `carer_hours_available`, what each carer could work that day within
    /// her daily maximum, counts every carer's room on every day and so overstates a week.)
    pub contract_hours: f64,
    /// Of her mothers whose care ended this day: how many...
    pub mothers_ended: u32,
    /// ...ended below the minimum...
    pub mothers_below_minimum: u32,
    /// ...their indicated minus delivered hours...
    pub shortfall_hours: f64,
    /// ...the hours they lacked to reach the minimum (min(minimum, indicated))...
    pub minimum_shortfall_hours: f64,
    /// ...and to reach their guaranteed hours (tiers 1 and 2: minimum and medical).
    pub guaranteed_shortfall_hours: f64,
    /// Birth-assistance requests of her mothers born this day, per day part (night, day,
    /// evening: `birth_pool::DAY_PART_NAMES`), whichever post served them...
    pub assists_requested: [u32; DAY_PARTS],
    /// ...and of those, the requests missed (no free post, or no carer hours left).
    pub assists_missed: [u32; DAY_PARTS],
    /// On-call duty hours of the posts she staffs this day, per day part (posts × part
    /// length; under a regional pool her share of the region's posts).
    pub on_call_hours: [f64; DAY_PARTS],
}

/// A forecast's record per day of the reporting period and provider of the region.
#[derive(Debug, Clone, PartialEq)]
pub struct DayLog {
    /// The reporting period's first day.
    pub first_day: Day,
    pub days: usize,
    pub providers: usize,
    /// `days x providers`, day-major.
    pub cells: Vec<ProviderDay>,
    /// Postcodes of the region (scenario order) and ISO weeks of the reporting period.
    pub postcodes: usize,
    pub weeks: usize,
    /// `weeks x postcodes`, week-major: of the mothers of the postcode whose care ended
    /// that week, those below the minimum and their indicated minus delivered hours.
    pub postcode_weeks: Vec<[f64; 2]>,
    /// Each carer's provider (the scope may pool them).
    carer_provider: Vec<u16>,
}

impl DayLog {
    fn new(cal: &Calendar, providers: usize, postcodes: usize, carer_provider: Vec<u16>) -> Self {
        let days = cal.report_days() as usize;
        let weeks = cal.report_weeks();
        DayLog {
            first_day: cal.report_start,
            days,
            providers,
            cells: vec![ProviderDay::default(); days * providers],
            postcodes,
            weeks,
            postcode_weeks: vec![[0.0; 2]; weeks * postcodes],
            carer_provider,
        }
    }

    /// Provider `provider` on the `day`-th day of the reporting period.
    pub fn get(&self, day: usize, provider: usize) -> &ProviderDay {
        &self.cells[day * self.providers + provider]
    }

    /// Postcode `postcode` (index in the region) in the `week`-th ISO week of the period.
    pub fn postcode_week(&self, week: usize, postcode: usize) -> [f64; 2] {
        self.postcode_weeks[week * self.postcodes + postcode]
    }

    fn cell(&mut self, day: Day, provider: u16) -> &mut ProviderDay {
        let i = (day - self.first_day) as usize * self.providers + usize::from(provider);
        &mut self.cells[i]
    }
}

/// Runs one region from known state: `population` holds the mothers in care first (as many
/// as `known.in_care`), then every other mother (registered or still to register, each with
/// her registration day on or after the calendar's first day), and the carers with their
/// absences. Nothing is simulated before `calendar.first_birth_day`, which must be the
/// reporting period's first day. Returns the run's result and its day-by-day record.
#[allow(clippy::too_many_arguments)]
pub fn run_region_from(
    scenario: &Scenario,
    calendar: &Calendar,
    region: usize,
    replication: u32,
    population: Population,
    known: &KnownStart,
    policy: &dyn AllocationPolicy,
    checks: Checks,
) -> (RegionResult, DayLog) {
    debug_assert_eq!(calendar.first_birth_day, calendar.report_start);
    let carer_provider: Vec<u16> = population.carers.iter().map(|c| c.provider).collect();
    let providers = generate::region_providers(scenario, region).len().max(1);
    let mut sim = Simulation::new(scenario, calendar, region, population, policy, false);
    sim.checks = checks;
    sim.in_care_at_start = known.in_care.len();
    let postcodes = scenario.regions[region].postcodes.len();
    sim.log = Some(Box::new(DayLog::new(
        calendar,
        providers,
        postcodes,
        carer_provider,
    )));
    for (i, care) in known.in_care.iter().enumerate() {
        let st = &mut sim.mother_state[i];
        st.delivered = split_delivered(&st.indicated, care.delivered_hours);
        st.first_day = calendar.report_start;
        st.last_day = care.last_day.max(calendar.report_start);
        let last = st.last_day;
        sim.admit(i as u32);
        sim.queue
            .schedule((last + 1) * MINUTES_PER_DAY, Event::CareEnd(i as u32));
    }
    sim.schedule_start();
    sim.advance((calendar.report_end + 1) * MINUTES_PER_DAY);
    let log = *sim.log.take().expect("set above");
    (sim.result(region, replication), log)
}

/// Hours had so far, per tier: the minimum first, then medical hours, then the rest. That is
/// the order in which minimum-first serves a mother (it front-loads tiers 1 and 2), so it is
/// the split she most likely had; the hours a snapshot gives are a total.
fn split_delivered(indicated: &TierHours, hours: f64) -> TierHours {
    let mut left = hours.max(0.0);
    let mut out = [0.0; TIERS];
    for t in 0..TIERS {
        out[t] = left.min(indicated[t]);
        left -= out[t];
    }
    // Hours beyond the indication (a snapshot's rounding) stay with the last tier indicated.
    if left > 0.0 {
        let last = (0..TIERS).rev().find(|&t| indicated[t] > 0.0).unwrap_or(0);
        out[last] += left;
    }
    out
}

impl Simulation<'_> {
    /// Records the day's demand and carers' contract hours per provider (before the plan,
    /// after the absences that start today).
    pub(super) fn log_day(&mut self, day: Day) {
        if !self.cal.in_report(day) {
            return;
        }
        let log = self.log.as_mut().expect("logging");
        for k in 0..log.providers {
            log.cell(day, k as u16).on_call_hours = self.on_call.provider_duty_hours(k);
        }
        for (c, carer) in self.carers.iter().enumerate() {
            if carer.absent == 0 {
                let provider = log.carer_provider[c];
                log.cell(day, provider).contract_hours += carer.daily_care_hours;
            }
        }
        for scope in &self.scopes {
            for (&m, st) in scope.active.iter().zip(&scope.in_care) {
                let provider = self.mothers[m as usize].provider;
                log.cell(day, provider).demand_hours += st.daily_demand;
            }
        }
    }

    /// Records a birth-assistance request of mother `m` at `minute` in day part `part`, for
    /// her provider (also when another provider's post served it).
    pub(super) fn log_assist(&mut self, m: u32, minute: super::Minutes, part: usize, missed: bool) {
        let day = minute / MINUTES_PER_DAY;
        if !self.cal.in_report(day) {
            return;
        }
        let provider = self.mothers[m as usize].provider;
        let cell = self.log.as_mut().expect("logging").cell(day, provider);
        cell.assists_requested[part] += 1;
        cell.assists_missed[part] += u32::from(missed);
    }

    /// Records how mother `m`'s care ended, on her last day, for her (first) provider.
    pub(super) fn log_care_end(&mut self, m: u32) {
        let st = &self.mother_state[m as usize];
        if !self.cal.in_report(st.last_day) {
            return;
        }
        let minimum = self.s.policy.minimum_hours;
        let outcome = MotherOutcome::new(m, st, minimum);
        let (indicated, delivered) = (outcome.indicated_total(), outcome.delivered_total());
        let guaranteed = st.indicated[0] + st.indicated[1];
        let provider = self.mothers[m as usize].provider;
        let postcode = usize::from(self.mothers[m as usize].postcode_index);
        let last_day = st.last_day;
        let week = self.cal.report_week(last_day);
        let log = self.log.as_mut().expect("logging");
        let area = &mut log.postcode_weeks[week * log.postcodes + postcode];
        area[0] += f64::from(u8::from(!outcome.minimum_met));
        area[1] += (indicated - delivered).max(0.0);
        let cell = log.cell(last_day, provider);
        cell.mothers_ended += 1;
        cell.mothers_below_minimum += u32::from(!outcome.minimum_met);
        cell.shortfall_hours += (indicated - delivered).max(0.0);
        cell.minimum_shortfall_hours += (minimum.min(indicated) - delivered).max(0.0);
        cell.guaranteed_shortfall_hours += (guaranteed - delivered).max(0.0);
    }
}

/// What a region's simulation knows at the start of a day (before its first event): the
/// population as generated, and for each mother whether she has registered and her care so
/// far.
#[derive(Debug, Clone)]
pub struct RegionState {
    pub mothers: Vec<Mother>,
    pub carers: Vec<Carer>,
    /// Per mother: care hours had so far.
    pub delivered: Vec<f64>,
    /// Per mother: her first and last day of care at home, once her care has started.
    pub care: Vec<Option<(Day, Day)>>,
    /// Per mother: taken on by her provider (false also before she registers).
    pub taken_on: Vec<bool>,
}

/// Runs region `region`, replication `replication` of `scenario` as a normal run does, up to
/// the start of `day` (every event before 00:00 of it), and returns its state then.
pub fn state_at(
    scenario: &Scenario,
    calendar: &Calendar,
    region: usize,
    replication: u32,
    policy: &dyn AllocationPolicy,
    day: Day,
) -> RegionState {
    let population = generate::population(scenario, calendar, region, replication);
    let mothers = population.mothers.clone();
    let carers = population.carers.clone();
    let mut sim = Simulation::new(scenario, calendar, region, population, policy, false);
    sim.schedule_start();
    sim.advance((day * MINUTES_PER_DAY).saturating_sub(1));
    sim.write_back_wards();
    let started = |st: &super::MotherState| st.last_day > 0 || st.first_day > 0;
    RegionState {
        delivered: sim
            .mother_state
            .iter()
            .map(|st| st.delivered.iter().sum())
            .collect(),
        care: sim
            .mother_state
            .iter()
            .map(|st| started(st).then_some((st.first_day, st.last_day)))
            .collect(),
        taken_on: mothers
            .iter()
            .zip(&sim.mother_state)
            .map(|(m, st)| m.registration_day < day && !st.refused)
            .collect(),
        mothers,
        carers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_had_fill_the_minimum_then_medical_then_the_rest() {
        let indicated = [24.0, 10.0, 15.0, 0.0];
        assert_eq!(split_delivered(&indicated, 30.0), [24.0, 6.0, 0.0, 0.0]);
        assert_eq!(split_delivered(&indicated, 40.0), [24.0, 10.0, 6.0, 0.0]);
        assert_eq!(split_delivered(&indicated, 50.0), [24.0, 10.0, 16.0, 0.0]);
        assert_eq!(split_delivered(&indicated, -1.0), [0.0; TIERS]);
    }
}
