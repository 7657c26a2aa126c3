//! The per-region simulation: events change the state of mothers and carers, and each day's
//! plan asks the policy how to divide the carers' hours.
//!
//! One region in one replication is one independent job. Its mothers and carers come from
//! `crate::generate`; it owns one `EventQueue` and reports [`RegionResult`] totals for the
//! reporting period. Events: a mother registers (and enters the forecast of mothers due soon),
//! gives birth (a home birth asks for birth assistance), starts care at home, ends care; a
//! carer's holiday or sickness starts or ends; and every morning the day's plan runs.
//!
//! Carers' contract hours are a weekly budget (Monday to Sunday) that a carer can spread over
//! the week within her maximum hours per day. That is why a reservation matters: hours given
//! today are missing later in the week.

mod birth_pool;
mod closure;
mod continuity;
mod invariants;
mod known;
mod state;
mod supply;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{EventQueue, MINUTES_PER_DAY, Minutes};
use crate::equity::{self, Equity, RatioBins, Ratios};
use crate::generate::{self, Population, ReportYear};
use crate::model::{Absence, AbsenceKind, Calendar, Day, Mother};
use crate::policy::waiting_list::{
    LenderOrder, SPARE_EPS, Waiting, add_loan, lacking_today, place_waiting_list, spare_hours,
};
use crate::policy::{AllocationPolicy, Booking, ComingDay, DayInput, MotherDay, TIERS, TierHours};
use crate::scenario::{AssistPool, CapacityScope, Scenario, WaitingListOrder};

use birth_pool::OnCall;
pub use birth_pool::{erlang_b, posts_for};
use closure::{Observed, Stage};
use continuity::Family;
pub use invariants::Checks;
pub use known::{DayLog, InCare, KnownStart, ProviderDay, RegionState, run_region_from, state_at};
use state::{
    CarerState, MotherState, Scope, budget_period_end, days_to_free_weekend, weekend_free,
};
use supply::SupplyLedger;

// The results live in `crate::results`; their old paths stay for the callers of `sim`.
pub use crate::results::{
    ClosureResult, DAY_PART_NAMES, DAY_PARTS, MotherOutcome, RegionResult, RegistrationOutcome,
    ThirdCarer, Totals, Violation, WeekTotals, YearTotals,
};

/// The daily plan runs at 07:00; care that starts later that day begins with the next plan.
const PLAN_MINUTE: Minutes = 7 * 60;

/// Room (hours) below which a carer hands out planned hours only after the others.
const SHIFT_HOURS: f64 = 4.0;

/// A mother got her full indication when delivered >= indicated - this (as in `Totals`).
const FULL_INDICATION_SLACK: f64 = 1e-6;

/// The work areas of a region's providers, for the waiting list.
#[derive(Debug, Clone, Default)]
struct Coverage {
    /// Per provider: its postcodes, sorted; `None` covers the whole region.
    areas: Vec<Option<Vec<u16>>>,
    /// Per provider: its place in the waiting list's priority order (`order = "priority"`):
    /// listed providers by their position, the others after them.
    rank: Vec<usize>,
}

impl Coverage {
    fn new(s: &Scenario, region: usize, n_providers: usize) -> Self {
        let providers = generate::region_providers(s, region);
        let mut areas: Vec<Option<Vec<u16>>> = providers
            .iter()
            .map(|p| {
                (!p.postcodes.is_empty()).then(|| {
                    let mut a = p.postcodes.clone();
                    a.sort_unstable();
                    a
                })
            })
            .collect();
        areas.resize(n_providers, Some(Vec::new()));
        let priority = &s.policy.waiting_list.priority;
        let rank = (0..n_providers)
            .map(|i| {
                providers
                    .get(i)
                    .and_then(|p| priority.iter().position(|n| *n == p.name))
                    .unwrap_or(priority.len())
            })
            .collect();
        Coverage { areas, rank }
    }

    /// Whether provider `p` works in postcode `pc`.
    fn covers(&self, p: usize, pc: u16) -> bool {
        match &self.areas[p] {
            None => true,
            Some(area) => area.binary_search(&pc).is_ok(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Register(u32),
    Birth(u32),
    CareStart(u32),
    CareEnd(u32),
    DayPlan(Day),
    AbsenceStart {
        carer: u32,
        absence: u32,
    },
    AbsenceEnd {
        carer: u32,
    },
    /// A trainee qualifies (always on a Monday, before the week's budgets are set): from now
    /// on she has a qualified carer's hours.
    Qualify {
        carer: u32,
    },
    /// A provider closes (index into the region's closures, `closure`).
    Closure(u16),
}

/// Runs one region for one replication under `policy`. A broken invariant (see
/// [`Checks`]) ends the run early and is returned in `RegionResult::violation`.
pub fn run_region(
    scenario: &Scenario,
    calendar: &Calendar,
    region: usize,
    replication: u32,
    policy: &dyn AllocationPolicy,
    keep_mothers: bool,
    checks: Checks,
) -> RegionResult {
    let control = Control {
        keep_mothers,
        checks,
        stop: None,
    };
    run_region_with(scenario, calendar, region, replication, policy, control)
        .expect("a run without a stop flag runs to the end")
}

/// How one region-replication runs besides its inputs: whether it keeps every mother's
/// outcome, how much it checks, and the flag that stops it early.
#[derive(Debug, Clone, Copy, Default)]
pub struct Control<'a> {
    pub keep_mothers: bool,
    pub checks: Checks,
    /// Checked at the start of every simulated day: once set (Ctrl-C, SIGTERM), the run gives
    /// up and returns nothing. One region-replication of a long period takes seconds, so
    /// checking only between jobs would keep a user waiting.
    pub stop: Option<&'a AtomicBool>,
}

/// [`run_region`] under `control`: `None` when its stop flag ended the run early.
pub fn run_region_with(
    scenario: &Scenario,
    calendar: &Calendar,
    region: usize,
    replication: u32,
    policy: &dyn AllocationPolicy,
    control: Control<'_>,
) -> Option<RegionResult> {
    let Control {
        keep_mothers,
        checks,
        stop,
    } = control;
    // Setting up a long region-replication takes a second or more (a twenty-year region of
    // half a million mothers): the stop flag is checked between its phases too, not only in
    // the day loop, so that Ctrl-C is answered within a second.
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    let mut population = generate::population(scenario, calendar, region, replication);
    if stopped() {
        return None;
    }
    let years = generate::report_years(calendar);
    let workforce = generate::workforce_years(scenario, &years, &population.carers);
    let providers = std::mem::take(&mut population.providers);
    if stopped() {
        return None;
    }
    let mut sim = Simulation::new(scenario, calendar, region, population, policy, keep_mothers);
    if stopped() {
        return None;
    }
    sim.checks = checks;
    sim.stop = stop;
    sim.year_totals = years
        .iter()
        .zip(workforce)
        .map(|(y, w)| YearTotals {
            year: y.year,
            workforce: w,
            ..YearTotals::default()
        })
        .collect();
    sim.years = years;
    let mut result = sim.run(region, replication)?;
    result.providers = providers;
    Some(result)
}

struct Simulation<'a> {
    s: &'a Scenario,
    /// The stop flag of [`Control`], and whether it ended the run.
    stop: Option<&'a AtomicBool>,
    stopped: bool,
    cal: &'a Calendar,
    policy: &'a dyn AllocationPolicy,
    mothers: Vec<Mother>,
    /// Per mother: her state, except while she is in care: then it lives in her scope's
    /// ward (`Scope::in_care`) and this copy is stale, all but `scope`, which is kept
    /// current because `care_end` and `transfer` find her ward by it.
    mother_state: Vec<MotherState>,
    carers: Vec<CarerState>,
    carer_absences: Vec<Vec<Absence>>,
    /// Per carer: how many of her first absences (sorted by start) are over for good, so
    /// that the weekly budget reset does not read them again. Only leading ones: a later
    /// absence may end before an earlier, longer one.
    absences_over: Vec<u32>,
    scopes: Vec<Scope>,
    queue: EventQueue<Event>,
    totals: Totals,
    weeks: Vec<WeekTotals>,
    /// The calendar years of the reporting period and their totals.
    years: Vec<ReportYear>,
    year_totals: Vec<YearTotals>,
    /// Per carer: her daily care hours once qualified (trainees have fewer before).
    qualified_daily_hours: Vec<f64>,
    /// (day, carer) of the trainees who qualify during the simulation.
    qualifying: Vec<(Day, u32)>,
    outcomes: Vec<(Mother, MotherOutcome)>,
    keep_mothers: bool,
    tier_order_violations: u64,
    checks: Checks,
    /// The first broken invariant; the run stops at it.
    violation: Option<Violation>,
    capacity_exceeded_days: u64,
    mother_days: u64,
    /// The region's providers' work areas (for the waiting list).
    coverage: Coverage,
    waiting_list_breaches: u64,
    /// Waiting-list transfers in the reporting period, per (from, to) provider, row-major.
    transfers: Vec<u64>,
    /// Equity: each counted mother's delivered / indicated, the binned distribution, and
    /// per postcode (index in the region's list) mothers and mothers below the minimum.
    ratios: Ratios,
    bins: RatioBins,
    postcode_counts: Vec<[u64; 2]>,
    /// A forecast's start from known state (`known`): the first this many mothers are in
    /// care when the simulation starts, so they never register.
    in_care_at_start: usize,
    /// A forecast's day-by-day record per provider (`known`); `None` in a normal run.
    log: Option<Box<DayLog>>,
    /// Birth assistance: the carers on call per day part.
    on_call: OnCall,
    /// Per carer: hours of today's hand-out not yet placed with a mother (`continuity`).
    to_hand: Vec<f64>,
    /// Scratch for `apply_plan`: per mother of the scope (in the ward's order), her part of
    /// the day's placement (`continuity::Family`).
    families: Vec<Family>,
    /// Scratch for `hand_out` under a one-carer-per-mother policy: per mother, her hours
    /// still open after her held carer's.
    open: Vec<f64>,
    /// Scratch for `continuity::place`.
    place_scratch: continuity::PlaceScratch,
    /// Scratch of `continuity::assign`, and the day's pieces (family, carer, hours).
    assign_scratch: continuity::AssignScratch,
    pieces: Vec<(u32, u32, f64)>,
    /// Per mother in care: her place in her scope's ward (her index in `Scope::active`), kept
    /// by [`Simulation::admit`] and [`Simulation::discharge`]; stale once she has left.
    ward_slot: Vec<u32>,
    /// Per carer: her unused room in her current budget period (`carer_hours_workable`).
    supply: Vec<SupplyLedger>,
    /// The reporting week of the latest day planned (`None`: before or after the reporting
    /// period, or no day planned yet): the week whose day [`Simulation::close_day`] closes.
    plan_week: Option<usize>,
    /// Provider closures and refusals at registration (`closure`).
    observed: Observed,
}

impl<'a> Simulation<'a> {
    fn new(
        s: &'a Scenario,
        cal: &'a Calendar,
        region: usize,
        population: Population,
        policy: &'a dyn AllocationPolicy,
        keep_mothers: bool,
    ) -> Self {
        let scope_of = |provider: u16| scope_index(s.policy.scope, provider);
        let n_providers = population
            .carers
            .iter()
            .map(|c| c.provider as usize + 1)
            .chain(population.mothers.iter().map(|m| m.provider as usize + 1))
            .max()
            .unwrap_or(1);
        let n_scopes = match s.policy.scope {
            CapacityScope::Provider | CapacityScope::WaitingList => n_providers,
            CapacityScope::Region => 1,
        };
        let horizon = cal.last_birth_day as usize + 64;
        let mut scopes: Vec<Scope> = (0..n_scopes).map(|_| Scope::new(horizon)).collect();
        let mut carers = Vec::with_capacity(population.carers.len());
        let mut carer_absences = Vec::with_capacity(population.carers.len());
        let mut qualified_daily_hours = Vec::with_capacity(population.carers.len());
        let mut qualifying = Vec::new();
        // A trainee's share of a qualified carer's hours, and her training days (before the
        // day she qualifies, from the day she joins).
        let trainee_share = s.workforce.trainee_hours_share;
        let mut training: Vec<(u32, Day, Day)> = Vec::new();
        let provider_of_carer: Vec<u16> = population.carers.iter().map(|c| c.provider).collect();
        for (i, c) in population.carers.into_iter().enumerate() {
            let scope = scope_of(c.provider);
            scopes[scope].carers.push(i as u32);
            let mut state = CarerState::new(scope as u16, c.weekly_care_hours, c.max_hours_per_day);
            state.max_week_hours = s.carers.max_hours_per_week;
            state.max_days_in_row = s.carers.max_days_in_row;
            qualified_daily_hours.push(state.daily_care_hours);
            if c.qualifies > c.joined && c.qualifies > cal.first_birth_day {
                training.push((i as u32, c.joined, c.qualifies.min(c.left)));
                state.daily_care_hours *= trainee_share;
                if c.completes() && c.qualifies <= cal.report_end {
                    qualifying.push((c.qualifies, i as u32));
                }
            }
            carers.push(state);
            carer_absences.push(c.absences);
        }
        // The roster known in advance: every carer on every day with her qualified hours,
        // less her holidays and the days she is not employed, less what a trainee does not
        // work.
        let mut everyone = vec![(0.0, 0.0); n_scopes];
        for (c, full) in carers.iter().zip(&qualified_daily_hours) {
            everyone[c.scope as usize].0 += c.max_hours_per_day;
            everyone[c.scope as usize].1 += full;
        }
        for (scope, (hours, contract)) in scopes.iter_mut().zip(everyone) {
            scope.planned_capacity.fill(hours);
            scope.roster_contract.fill(contract);
        }
        for (i, c) in carers.iter().enumerate() {
            let scope = &mut scopes[c.scope as usize];
            for a in carer_absences[i].iter().filter(|a| a.kind.is_planned()) {
                for d in a.start as usize..(a.end as usize).min(scope.planned_capacity.len()) {
                    scope.planned_capacity[d] -= c.max_hours_per_day;
                    scope.roster_contract[d] -= qualified_daily_hours[i];
                }
            }
        }
        for &(i, from, to) in &training {
            let scope = &mut scopes[carers[i as usize].scope as usize];
            let less = qualified_daily_hours[i as usize] * (1.0 - trainee_share);
            let days = &mut scope.roster_contract;
            for d in (from as usize).min(days.len())..(to as usize).min(days.len()) {
                days[d] -= less;
            }
        }
        // Birth assistance: the carers on call per day part (per provider or pooled), each
        // post holding back the hours of one assist from its provider's scope every day.
        let on_call = {
            let report_days = f64::from(cal.report_days());
            let ba = &s.birth_assist;
            let parts = birth_pool::DayParts::new(ba.day_parts);
            let mut requests = vec![[0.0; DAY_PARTS]; n_providers];
            for m in &population.mothers {
                if m.needs_birth_assist && cal.in_report(m.birth_minute / MINUTES_PER_DAY) {
                    requests[m.provider as usize][parts.of_minute(m.birth_minute)] += 1.0;
                }
            }
            for r in requests.iter_mut().flatten() {
                *r /= report_days;
            }
            let mut carers_of = vec![0u32; n_providers];
            for &c in &provider_of_carer {
                carers_of[c as usize] += 1;
            }
            let pooled = match ba.pool {
                Some(pool) => pool == AssistPool::Region,
                None => s.policy.scope == CapacityScope::Region,
            };
            OnCall::new(ba, pooled, &carers_of, &requests)
        };
        for k in 0..n_providers {
            scopes[scope_of(k as u16)].on_call_reserve += on_call.held_hours(k);
        }
        let tiers_of = |m: &Mother| {
            let early = m.registration_week < s.policy.early_registration_week;
            m.indication.tiers(s.policy.minimum_hours, early)
        };
        let mother_state = population
            .mothers
            .iter()
            .map(|m| {
                let daily_demand = m.indication.total_hours / f64::from(m.indication.home_days);
                let mut st =
                    MotherState::new(scope_of(m.provider) as u16, tiers_of(m), daily_demand);
                st.registration_order = (u64::from(m.registration_day) << 32) | u64::from(m.id);
                st.late = m.registration_week >= s.policy.early_registration_week;
                st
            })
            .collect();
        let n_mothers = population.mothers.len();
        let n_weeks = cal.report_weeks();
        let waiting_list = s.policy.scope == CapacityScope::WaitingList;
        let coverage = if s.policy.scope != CapacityScope::Region || !s.provider_closures.is_empty()
        {
            Coverage::new(s, region, n_providers)
        } else {
            Coverage::default()
        };
        Simulation {
            s,
            cal,
            policy,
            mothers: population.mothers,
            mother_state,
            carers,
            absences_over: vec![0; carer_absences.len()],
            carer_absences,
            scopes,
            queue: EventQueue::with_capacity(4096),
            totals: Totals::default(),
            weeks: vec![WeekTotals::default(); n_weeks],
            years: Vec::new(),
            year_totals: Vec::new(),
            qualified_daily_hours,
            qualifying,
            outcomes: Vec::new(),
            keep_mothers,
            tier_order_violations: 0,
            checks: Checks::default(),
            stop: None,
            stopped: false,
            violation: None,
            capacity_exceeded_days: 0,
            mother_days: 0,
            coverage,
            waiting_list_breaches: 0,
            transfers: vec![
                0;
                if waiting_list {
                    n_providers * n_providers
                } else {
                    0
                }
            ],
            ratios: Ratios::default(),
            bins: RatioBins::default(),
            postcode_counts: vec![[0; 2]; s.regions[region].postcodes.len()],
            in_care_at_start: 0,
            log: None,
            on_call,
            to_hand: vec![0.0; provider_of_carer.len()],
            observed: Observed::new(
                s,
                region,
                closure::Sizes {
                    providers: n_providers,
                    scopes: n_scopes,
                    days: horizon,
                    mothers: n_mothers,
                },
                provider_of_carer.clone(),
                cal.start,
            ),
            families: Vec::new(),
            open: Vec::new(),
            place_scratch: Default::default(),
            assign_scratch: Default::default(),
            pieces: Vec::new(),
            ward_slot: vec![u32::MAX; n_mothers],
            supply: vec![SupplyLedger::default(); provider_of_carer.len()],
            plan_week: None,
        }
    }

    fn run(mut self, region: usize, replication: u32) -> Option<RegionResult> {
        self.schedule_start();
        self.stopped = self.stop.is_some_and(|s| s.load(Ordering::Relaxed));
        self.advance((self.cal.report_end + 1) * MINUTES_PER_DAY);
        if self.stopped {
            return None;
        }
        Some(self.result(region, replication))
    }

    /// Schedules the first events: registrations, absences, qualifications, the first plan.
    fn schedule_start(&mut self) {
        for m in &self.mothers[self.in_care_at_start..] {
            self.queue
                .schedule(m.registration_day * MINUTES_PER_DAY, Event::Register(m.id));
        }
        for (i, absences) in self.carer_absences.iter().enumerate() {
            for (k, a) in absences.iter().enumerate() {
                if a.end > self.cal.first_birth_day {
                    self.queue.schedule(
                        a.start * MINUTES_PER_DAY,
                        Event::AbsenceStart {
                            carer: i as u32,
                            absence: k as u32,
                        },
                    );
                }
            }
        }
        for &(day, carer) in &self.qualifying {
            self.queue
                .schedule(day * MINUTES_PER_DAY, Event::Qualify { carer });
        }
        self.schedule_closures();
        let first_day = self.cal.first_birth_day;
        self.queue.schedule(
            first_day * MINUTES_PER_DAY + PLAN_MINUTE,
            Event::DayPlan(first_day),
        );
    }

    /// Handles every event up to and including minute `stop` (or the first broken invariant).
    fn advance(&mut self, stop: Minutes) {
        while let Some(time) = self.queue.peek_time() {
            if time > stop || self.violation.is_some() || self.stopped {
                break;
            }
            let (time, event) = self.queue.pop().expect("peeked");
            self.handle(time, event);
        }
    }

    /// The region's result once the queue has run to the end of the reporting period.
    fn result(mut self, region: usize, replication: u32) -> RegionResult {
        self.close_day();
        // A budget period still running holds budget for its days after the run: only the
        // rest covers unused room within it.
        let after = self.cal.report_end + 1;
        for c in 0..self.carers.len() {
            let st = &self.carers[c];
            let to = st.period_end.max(after);
            let off = days_off(&self.carer_absences[c], after, to, after);
            let later = st.daily_care_hours * f64::from(to - after - off);
            self.close_budget_period(c, later);
        }
        for scope in 0..self.scopes.len() {
            self.check_capacity(scope, self.cal.report_end + 1);
        }
        let report_days = f64::from(self.cal.report_days());
        self.totals.on_call_hours = self.on_call.duty_hours.map(|h| h * report_days);
        let ratios = std::mem::take(&mut self.ratios);
        RegionResult {
            equity: Equity::of(&self.totals.equity_counts(), &ratios),
            ratios,
            bins: self.bins,
            postcodes: self.postcode_counts,
            transfers: self.transfers,
            closures: std::mem::take(&mut self.observed.closures),
            registrations: std::mem::take(&mut self.observed.registrations),
            waiting_list_breaches: self.waiting_list_breaches,
            policy: self.policy.name(),
            region,
            replication,
            totals: self.totals,
            weeks: self.weeks,
            years: self.year_totals,
            providers: Vec::new(),
            mothers: self.outcomes,
            events: self.queue.events_processed(),
            tier_order_violations: self.tier_order_violations,
            violation: self.violation,
            capacity_exceeded_days: self.capacity_exceeded_days,
            mother_days: self.mother_days,
        }
    }

    /// Records the first broken invariant.
    fn check(&mut self, result: Result<(), Violation>) {
        if let Err(v) = result
            && self.violation.is_none()
        {
            self.violation = Some(v);
        }
    }

    fn handle(&mut self, time: Minutes, event: Event) {
        match event {
            Event::Register(m) => self.register(m, time / MINUTES_PER_DAY),
            Event::Birth(m) => self.birth(time, m),
            Event::CareStart(m) => self.care_start(time, m),
            Event::CareEnd(m) => {
                self.care_end(m);
                if self.log.is_some() {
                    self.log_care_end(m);
                }
            }
            Event::DayPlan(day) => {
                if self.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                    self.stopped = true;
                    return;
                }
                self.day_plan(day)
            }
            Event::AbsenceStart { carer, absence } => self.absence_start(time, carer, absence),
            Event::AbsenceEnd { carer } => self.carers[carer as usize].absent -= 1,
            Event::Qualify { carer } => {
                self.carers[carer as usize].daily_care_hours =
                    self.qualified_daily_hours[carer as usize];
            }
            Event::Closure(k) => self.close_provider(usize::from(k)),
        }
    }

    /// Index of the reporting period's calendar year that `day` (in the period) is in.
    fn year_of(&self, day: Day) -> Option<usize> {
        self.years.iter().position(|y| day <= y.last)
    }

    /// The mother is known to her provider: she enters the forecast of mothers due soon.
    fn register(&mut self, m: u32, day: Day) {
        let mother = &self.mothers[m as usize];
        self.queue.schedule(mother.birth_minute, Event::Birth(m));
        // Her provider may have closed, and with refusals the waiting list may have no room.
        if self.register_observed(m, day) && self.take_on(m) {
            let provider = self.mothers[m as usize].provider as usize;
            self.observed.load[provider] += 1;
            self.forecast(m, 1.0);
        } else {
            self.mother_state[m as usize].refused = true;
        }
    }

    /// Asks the policy whether the registering mother is taken on, and books her expected days
    /// of care (from her due date, her whole indication spread evenly) when she is.
    fn take_on(&mut self, m: u32) -> bool {
        let mother = &self.mothers[m as usize];
        let scope = &mut self.scopes[self.mother_state[m as usize].scope as usize];
        let first = (mother.due_day as usize).min(scope.booked.len());
        let last = (first + mother.indication.home_days as usize).min(scope.booked.len());
        let hours_per_day = mother.indication.total_hours / f64::from(mother.indication.home_days);
        let booking = Booking {
            hours_per_day,
            booked: &scope.booked[first..last],
            capacity: &scope.roster_contract[first..last],
        };
        if !self.policy.accepts(&booking) {
            return false;
        }
        scope.booked[first..last]
            .iter_mut()
            .for_each(|b| *b += hours_per_day);
        true
    }

    /// Adds (`sign` = 1) or removes (-1) a mother's expected tier-1/2 hours, front-loaded from
    /// her due date at her daily cap, to her scope's forecast; and an early registrant's tier-3
    /// hours, front-loaded after them within the same cap, to the forecast for tier 3.
    fn forecast(&mut self, m: u32, sign: f64) {
        let mother = &self.mothers[m as usize];
        let st = &self.mother_state[m as usize];
        let cap = self.s.indication.max_hours_per_day;
        let mut guaranteed = st.indicated[0] + st.indicated[1];
        let mut early = st.indicated[2];
        let sc = &mut self.scopes[st.scope as usize];
        let mut day = mother.due_day as usize;
        while (guaranteed > 0.0 || early > 0.0) && day < sc.due_soon_need.len() {
            let h = guaranteed.min(cap);
            let e = early.min(cap - h);
            sc.due_soon_need[day] = (sc.due_soon_need[day] + sign * h).max(0.0);
            sc.due_soon_rest_early[day] = (sc.due_soon_rest_early[day] + sign * e).max(0.0);
            guaranteed -= h;
            early -= e;
            day += 1;
        }
    }

    fn birth(&mut self, time: Minutes, m: u32) {
        let (needs_assist, hospital_days) = {
            let mother = &self.mothers[m as usize];
            (mother.needs_birth_assist, mother.hospital_days)
        };
        let day = time / MINUTES_PER_DAY;
        let in_report = self.cal.in_report(day);
        if in_report {
            self.weeks[self.cal.report_week(day)].births += 1;
            if let Some(y) = self.year_of(day) {
                self.year_totals[y].births += 1;
            }
        }
        if needs_assist {
            let hours = self.s.birth_assist.hours;
            let provider = self.mothers[m as usize].provider;
            let part = self.on_call.part_of(time);
            // A mother turned away has no provider to send a carer. The post's provider must
            // have the hours left in the plan-day (held back by the on-call reserve).
            let refused = self.mother_state[m as usize].refused;
            let on_call = if refused {
                None
            } else {
                let (scopes, scope) = (&self.scopes, self.s.policy.scope);
                self.on_call.request(time, provider, |k| {
                    scopes[scope_index(scope, k)].room_left >= hours
                })
            };
            if let Some(k) = on_call {
                let scope = scope_index(self.s.policy.scope, k);
                self.take_hours(scope, hours);
                self.scopes[scope].used_today += hours;
            }
            // No on-call carer free: a carer of her provider on duty is called away.
            let from_care = match (on_call, refused) {
                (None, false) => self.call_away(provider, hours),
                _ => None,
            };
            let served = on_call.is_some() || from_care.is_some();
            if self.log.is_some() {
                self.log_assist(m, time, part, !served);
            }
            if in_report {
                self.totals.birth_assists_requested += 1;
                self.totals.birth_assists_requested_by_part[part] += 1;
                if let Some(lost) = from_care {
                    self.totals.birth_assists_called_away_by_part[part] += 1;
                    self.totals.assist_hours_from_care_by_part[part] += lost;
                }
                if served {
                    self.totals.carer_hours_used += hours;
                } else {
                    self.totals.birth_assists_missed += 1;
                    self.totals.birth_assists_missed_by_part[part] += 1;
                }
            }
        }
        // Home and outpatient: care from a few hours after birth; clinical: from discharge,
        // late morning after the hospital days.
        let start = match hospital_days {
            0 => time + 3 * 60,
            n => (day + n) * MINUTES_PER_DAY + 11 * 60,
        };
        self.queue.schedule(start, Event::CareStart(m));
    }

    /// Birth assistance by a carer on duty with the families of `provider`'s scope, called
    /// away because no on-call carer was free: the scope's spare room of the day gives what
    /// it can, the rest is taken from the next plan-day's hours before the policy divides
    /// them (her families lose it). Returns the hours taken from care; `None` (a miss) when
    /// no carer of the scope is at work today.
    fn call_away(&mut self, provider: u16, hours: f64) -> Option<f64> {
        let scope = scope_index(self.s.policy.scope, provider);
        // Rare (a few in a hundred requests), so a scan of the scope's carers is cheap; the
        // day's capacity would not do: a birth before the first plan of a run has none yet.
        let carers = &self.carers;
        let at_work = self.scopes[scope]
            .carers
            .iter()
            .any(|&c| carers[c as usize].absent == 0 && carers[c as usize].daily_care_hours > 0.0);
        if !at_work {
            return None;
        }
        let spare = self.scopes[scope].room_left.min(hours);
        if spare > 0.0 {
            let (_, left) = self.take_hours(scope, spare);
            self.scopes[scope].used_today += spare - left;
        }
        let lost = hours - spare;
        self.scopes[scope].assist_debt += lost;
        Some(lost)
    }

    fn care_start(&mut self, time: Minutes, m: u32) {
        self.observed.stage[m as usize] = Stage::InCare;
        if !self.mother_state[m as usize].refused {
            self.forecast(m, -1.0);
            if self.policy.one_carer_per_mother() {
                self.hold_carer(time, m);
            }
        }
        let refused = self.mother_state[m as usize].refused;
        let day = time / MINUTES_PER_DAY;
        let first = if time % MINUTES_PER_DAY <= PLAN_MINUTE {
            day
        } else {
            day + 1
        };
        let last = first + self.mothers[m as usize].indication.home_days - 1;
        let st = &mut self.mother_state[m as usize];
        st.first_day = first;
        st.last_day = last;
        let daily_demand = st.daily_demand;
        // A mother turned away is counted when her care would have ended, with no hours; her
        // need is in the weeks' demand all the same, so that every policy's demand (and the
        // shortfall against it) counts every mother.
        if refused {
            self.add_unserved_demand(first, last, daily_demand);
        } else {
            self.admit(m);
        }
        self.queue
            .schedule((last + 1) * MINUTES_PER_DAY, Event::CareEnd(m));
    }

    /// Adds the daily need of a mother who gets no care (turned away at registration, or
    /// finding no free carer in the loss model) to the demand of the reporting weeks her
    /// care would have had, as a mother in care's is added day by day in `apply_plan`.
    fn add_unserved_demand(&mut self, first: Day, last: Day, daily_demand: f64) {
        for day in first..=last {
            if self.cal.in_report(day) {
                self.weeks[self.cal.report_week(day)].demand_hours += daily_demand;
            }
        }
    }

    /// One carer per mother (the loss model): the first carer of her scope who is present and
    /// holds no mother is hers from now until `home_days` days later; with none free she is
    /// lost and gets no care. Her plan-days are exactly the daily plans in that interval, so
    /// no plan has more mothers in care than carers held.
    fn hold_carer(&mut self, time: Minutes, m: u32) {
        let days = self.mothers[m as usize].indication.home_days;
        let st = &mut self.mother_state[m as usize];
        let free = self.scopes[st.scope as usize]
            .carers
            .iter()
            .copied()
            .find(|&c| {
                let c = &self.carers[c as usize];
                c.absent == 0 && c.held_until <= time
            });
        match free {
            Some(c) => {
                self.carers[c as usize].held_until = time + days * MINUTES_PER_DAY;
                st.last_carer = Some(c);
            }
            None => st.refused = true,
        }
    }

    /// Mother `m`'s care starts: her state moves into her scope's ward.
    fn admit(&mut self, m: u32) {
        self.enter_ward(m, self.mother_state[m as usize].clone());
    }

    /// Mother `m` enters the ward of `st.scope` with state `st`, and her place there is kept
    /// (the counterpart of [`Simulation::discharge`]).
    fn enter_ward(&mut self, m: u32, st: MotherState) {
        let daily_cap = self.s.indication.max_hours_per_day;
        let slot = self.scopes[st.scope as usize].admit(m, st, daily_cap);
        self.ward_slot[m as usize] = slot as u32;
    }

    /// Mother `m` leaves the ward of `scope`: her state (`None` if she is not in it, as a
    /// mother turned away never was). Her place tells where she is; it is hers only while she
    /// is in the ward, so the id found there is checked.
    fn discharge(&mut self, scope: usize, m: u32) -> Option<MotherState> {
        let pos = self.ward_slot[m as usize] as usize;
        let ward = &mut self.scopes[scope];
        if ward.active.get(pos) != Some(&m) {
            return None;
        }
        let (st, moved) = ward.discharge(pos);
        if let Some(k) = moved {
            self.ward_slot[k as usize] = pos as u32;
        }
        Some(st)
    }

    /// Writes the state of every mother in care back (for a look at the whole region).
    fn write_back_wards(&mut self) {
        for sc in &self.scopes {
            for (&m, st) in sc.active.iter().zip(&sc.in_care) {
                self.mother_state[m as usize] = st.clone();
            }
        }
    }

    fn care_end(&mut self, m: u32) {
        self.observed.stage[m as usize] = Stage::Ended;
        if !self.mother_state[m as usize].refused {
            let load = &mut self.observed.load[self.mothers[m as usize].provider as usize];
            *load = load.saturating_sub(1);
        }
        let scope = self.mother_state[m as usize].scope as usize;
        if let Some(st) = self.discharge(scope, m) {
            self.mother_state[m as usize] = st;
        }
        if self.checks.thorough {
            let st = &self.mother_state[m as usize];
            let r = invariants::check_mother_total(st.last_day, m, &st.indicated, &st.delivered);
            self.check(r);
        }
        if !self.cal.in_report(self.mother_state[m as usize].last_day) {
            return;
        }
        self.count_registration(m);
        let st = &self.mother_state[m as usize];
        let outcome = MotherOutcome::new(m, st, self.s.policy.minimum_hours);
        self.totals.add_mother(&outcome);
        self.weeks[self.cal.report_week(st.last_day)].add_mother(&outcome);
        let (indicated, delivered) = (outcome.indicated_total(), outcome.delivered_total());
        let ratio = equity::delivered_ratio(indicated, delivered);
        self.ratios.push(ratio);
        self.bins
            .add_mother(ratio, delivered >= indicated - FULL_INDICATION_SLACK);
        let counts =
            &mut self.postcode_counts[usize::from(self.mothers[m as usize].postcode_index)];
        counts[0] += 1;
        counts[1] += u64::from(!outcome.minimum_met);
        if let Some(y) = self.year_of(st.last_day) {
            self.year_totals[y].add_mother(&outcome);
        }
        if self.keep_mothers {
            self.outcomes
                .push((self.mothers[m as usize].clone(), outcome));
        }
    }

    fn absence_start(&mut self, time: Minutes, carer: u32, absence: u32) {
        // A carer who left kraamzorg with a closure is away for good already.
        if self.observed.left_field[carer as usize] {
            return;
        }
        let a = self.carer_absences[carer as usize][absence as usize];
        let day = time / MINUTES_PER_DAY;
        self.queue
            .schedule(a.end * MINUTES_PER_DAY, Event::AbsenceEnd { carer });
        let c = &mut self.carers[carer as usize];
        c.absent += 1;
        // What she had left of today's room goes with her: no birth assistance from a carer
        // who is away (`--check` caught this: her week's budget went below zero).
        let gone = std::mem::take(&mut c.room_today);
        let scope = &mut self.scopes[c.scope as usize];
        scope.room_left = (scope.room_left - gone).max(0.0);
        if a.kind == AbsenceKind::Sickness {
            // Sickness is news on its first day: the period's budget and the roster lose her
            // days from now on (holidays were known all along).
            // Only days the budget still counted as working: not her holidays, nor days of an
            // earlier spell (both already left out of it).
            let absences = &self.carer_absences[carer as usize];
            let lost = working_days_lost(absences, &a, c.period_end.max(day));
            c.week_budget = (c.week_budget - c.daily_care_hours * f64::from(lost)).max(0.0);
            let planned = &mut self.scopes[c.scope as usize].planned_capacity;
            let end = a.end.min(planned.len() as Day);
            // Holiday days were never in the roster: take each day off once. Most spells meet
            // no holiday, and then no day needs looking up in her absences.
            let meets_holiday = absences
                .iter()
                .any(|h| h.kind.is_planned() && h.start < end && a.start < h.end);
            for d in a.start..end {
                if !(meets_holiday && on_holiday(absences, d)) {
                    planned[d as usize] -= c.max_hours_per_day;
                }
            }
        }
    }

    /// On the first day and on Mondays: every carer's week starts (no hours worked yet), and
    /// for the carers whose budget period starts, her budget for the period is her weekly care
    /// hours / 7 for each day of it she is rostered to work ([`budget_period_end`]: periods of
    /// `carers.averaging_weeks` weeks, staggered over the carers; with 1 this is the
    /// Monday-Sunday week).
    fn start_week(&mut self, day: Day) {
        let weeks = self.s.carers.averaging_weeks;
        let start_weekday = self.cal.start_weekday;
        let carers = self.carers.iter_mut().zip(&self.carer_absences);
        for (id, ((c, absences), over)) in carers.zip(&mut self.absences_over).enumerate() {
            c.week_hours = 0.0;
            if day < c.period_end {
                continue;
            }
            credit_workable(
                &mut self.supply[id],
                c.week_budget,
                &mut self.weeks,
                &mut self.totals,
            );
            c.period_end = budget_period_end(id as u32, day, weeks, start_weekday);
            // The leading absences that ended before this period never count again.
            while absences.get(*over as usize).is_some_and(|a| a.end <= day) {
                *over += 1;
            }
            // Known now: holidays, and sickness that has begun by today.
            let off = days_off(&absences[*over as usize..], day, c.period_end, day + 1);
            let working = c.period_end - day - off;
            c.week_budget = c.daily_care_hours * f64::from(working);
        }
    }

    /// Closes the latest day planned for the supply figure (`carer_hours_workable`, see
    /// `supply`): what each carer worked counts in its week, her unused room goes to her
    /// ledger until her budget period ends. Runs before the next day's plan (births and
    /// call-aways come until then) and once more at the end of the run.
    fn close_day(&mut self) {
        let week = self.plan_week;
        for (c, ledger) in self.carers.iter().zip(&mut self.supply) {
            if let Some(w) = week.filter(|_| c.hours_today > 0.0) {
                self.weeks[w].carer_hours_workable += c.hours_today;
                self.totals.carer_hours_workable += c.hours_today;
            }
            ledger.add_idle(week, c.room_today);
        }
        self.plan_week = None;
    }

    /// Ends carer `c`'s budget period for the supply figure at the end of the run: her unspent
    /// budget, less the part held for the period's days after the run (`later`), covers her
    /// unused room ([`SupplyLedger::close`]).
    fn close_budget_period(&mut self, c: usize, later: f64) {
        let budget_left = self.carers[c].week_budget - later;
        credit_workable(
            &mut self.supply[c],
            budget_left,
            &mut self.weeks,
            &mut self.totals,
        );
    }

    fn day_plan(&mut self, day: Day) {
        self.close_day();
        if day == self.cal.first_birth_day || self.cal.weekday(day) == 0 {
            self.start_week(day);
        }
        if self.log.is_some() {
            self.log_day(day);
        }
        if day < self.cal.report_end {
            self.queue.schedule(
                (day + 1) * MINUTES_PER_DAY + PLAN_MINUTE,
                Event::DayPlan(day + 1),
            );
        }
        let in_report = self.cal.in_report(day);
        let week = in_report.then(|| self.cal.report_week(day));
        self.plan_week = week;
        if self.s.policy.scope != CapacityScope::WaitingList {
            for scope in 0..self.scopes.len() {
                self.plan_scope(scope, day, week);
            }
            if self.s.policy.scope == CapacityScope::Provider && self.checks.thorough {
                self.waiting_list_breaches += self.count_waiting_list_breaches();
            }
            return;
        }
        // The waiting list: every provider plans, then the list lends and moves mothers.
        for scope in 0..self.scopes.len() {
            self.prepare_scope(scope, day);
            self.plan(scope);
        }
        let moves = self.waiting_list();
        for scope in 0..self.scopes.len() {
            self.apply_plan(scope, day, week);
        }
        if self.checks.thorough {
            let breaches = self.count_waiting_list_breaches();
            self.waiting_list_breaches += breaches;
            let limited = self.s.policy.waiting_list.max_transfers_per_day.is_some();
            if breaches > 0 && !limited && self.policy.keeps_tier_order() {
                self.check(Err(Violation {
                    day,
                    mother: None,
                    what: format!(
                        "{breaches} mother(s) left short of their tier-1/2 share while a provider covering their postcode gave tier-3/4 hours"
                    ),
                }));
            }
        }
        for (m, to) in moves {
            self.transfer(m, to, in_report);
        }
    }

    /// The waiting list's guarantee, checked on the day's final plans (`--check`): mothers
    /// still short of their tier-1/2 share of the day (after any hours lent to them) whose
    /// postcode another provider covers that gave tier-3/4 hours today. Must be 0 under the
    /// waiting list with minimum-first and no daily limit; per provider it is what the
    /// waiting list would fix.
    fn count_waiting_list_breaches(&self) -> u64 {
        let extras: Vec<bool> = self
            .scopes
            .iter()
            .map(|sc| sc.plan.iter().map(|p| p[2] + p[3]).sum::<f64>() > SPARE_EPS)
            .collect();
        if !extras.contains(&true) {
            return 0;
        }
        let postcodes = &self.s.policy.waiting_list.postcodes;
        let mut breaches = 0;
        for (a, sc) in self.scopes.iter().enumerate() {
            for (i, (m, p)) in sc.inputs.iter().zip(&sc.plan).enumerate() {
                if lacking_today(m, p) <= SPARE_EPS {
                    continue;
                }
                let pc = self.mothers[sc.active[i] as usize].postcode;
                if !postcodes.is_empty() && !postcodes.contains(&pc) {
                    continue;
                }
                let helped = (0..self.scopes.len())
                    .any(|b| b != a && extras[b] && self.coverage.covers(b, pc));
                breaches += u64::from(helped);
            }
        }
        breaches
    }

    /// Counts the scope's previous plan-day if it took more hours (care and birth
    /// assistance) than its carers could work; a broken invariant, so the run stops there.
    fn check_capacity(&mut self, scope: usize, day: Day) {
        let sc = &self.scopes[scope];
        if sc.used_today > sc.capacity_today + 1e-6 * sc.capacity_today.max(1.0) {
            self.capacity_exceeded_days += 1;
            let what = format!(
                "the carers worked {:.6} hours (care and birth assistance) with {:.6} available",
                sc.used_today, sc.capacity_today
            );
            self.check(Err(Violation {
                day: day.saturating_sub(1),
                mother: None,
                what,
            }));
        }
    }

    /// Gathers one scope-day's inputs: today's room of every carer, the mothers in care and
    /// the coming days of the week (kept in the scope for [`Simulation::plan`]).
    #[inline]
    fn prepare_scope(&mut self, scope: usize, day: Day) {
        self.check_capacity(scope, day);
        let mut capacity = 0.0;
        let mut week_budget = 0.0;
        // Contract hours of the carers present today (for the reporting period's totals).
        let mut contract = 0.0;
        let weekday = self.cal.weekday(day);
        // On Saturday and Sunday: the calendar week, for the carers' free weekends.
        let weekend = (weekday >= 5).then(|| self.cal.week(day));
        let free_weekends = self.s.carers.free_weekends;
        for &id in &self.scopes[scope].carers {
            let c = &mut self.carers[id as usize];
            c.hours_today = 0.0;
            c.room_today = if c.absent == 0 {
                contract += c.daily_care_hours;
                match weekend {
                    Some(week) if weekend_free(id, week, free_weekends) => 0.0,
                    _ => c.room(c.worked_until == day),
                }
            } else {
                0.0
            };
            capacity += c.room_today;
            week_budget += c.week_budget;
        }
        let sc = &mut self.scopes[scope];
        sc.cursor = 0;
        sc.capacity_today = capacity;
        sc.used_today = 0.0;
        sc.week_budget_today = week_budget;
        sc.contract_today = contract;
        sc.lent_today = 0.0;
        // Hours of yesterday's call-aways beyond its spare room come first (a carer who
        // assisted a birth works less for her families); what today cannot give is dropped.
        let debt = std::mem::take(&mut sc.assist_debt).min(capacity);
        sc.assist_debt_today = 0.0;
        if debt > 0.0 {
            let (_, left) = self.take_hours(scope, debt);
            let sc = &mut self.scopes[scope];
            sc.assist_debt_today = debt - left;
            sc.used_today += debt - left;
        }
        let sc = &mut self.scopes[scope];
        sc.borrowed.clear();
        for (input, st) in sc.inputs.iter_mut().zip(&sc.in_care) {
            input.owed = st.owed();
            input.days_left = st.last_day + 1 - day;
        }
        sc.coming.clear();
        if self.s.policy.reserve_for_due_soon {
            let horizon = self.s.policy.reservation_horizon_days;
            for d in (day + 1..).take(horizon as usize) {
                let d = d as usize;
                let coming = ComingDay {
                    capacity: sc.planned_capacity.get(d).copied().unwrap_or(0.0),
                    due_soon_need: sc.due_soon_need.get(d).copied().unwrap_or(0.0),
                    due_soon_rest_early: sc.due_soon_rest_early.get(d).copied().unwrap_or(0.0),
                };
                sc.coming.push(coming);
            }
        }
    }

    /// The hours the policy may divide today in `scope`: its carers' room less the on-call
    /// hours and the hours lent to the waiting list.
    #[inline]
    fn plannable(&self, scope: usize) -> f64 {
        let sc = &self.scopes[scope];
        let free = sc.capacity_today - sc.assist_debt_today;
        (free - sc.on_call_reserve.min(free) - sc.lent_today).max(0.0)
    }

    /// Asks the policy for the scope-day's plan (kept in the scope).
    #[inline]
    fn plan(&mut self, scope: usize) {
        let capacity = self.plannable(scope);
        let sc = &mut self.scopes[scope];
        let on_call = sc
            .on_call_reserve
            .min(sc.capacity_today - sc.assist_debt_today);
        sc.plan.clear();
        sc.plan.resize(sc.inputs.len(), [0.0; TIERS]);
        let input = DayInput {
            mothers: &sc.inputs,
            capacity,
            week_budget_left: sc.week_budget_today - sc.assist_debt_today - on_call - sc.lent_today,
            coming_days: &sc.coming,
        };
        self.policy.allocate_day(&input, &mut sc.plan);
    }

    /// Plans one scope-day: gather inputs, ask the policy, hand the hours to carers.
    #[inline]
    fn plan_scope(&mut self, scope: usize, day: Day, week: Option<usize>) {
        self.prepare_scope(scope, day);
        self.plan(scope);
        self.apply_plan(scope, day, week);
    }

    /// The regional waiting list for one day, after every provider planned its own mothers:
    /// each mother left short of her tier-1/2 share of the day is offered to the other
    /// providers covering her postcode that have spare hours, which lend her what she lacks
    /// today; she moves to the first of them for the rest of her care (after today's hours
    /// are handed out). The lenders plan again with what they have left. `docs/policies.md`,
    /// The regional waiting list, states the rule.
    fn waiting_list(&mut self) -> Vec<(u32, usize)> {
        let n = self.scopes.len();
        let wl = &self.s.policy.waiting_list;
        let tier_aware = self.policy.keeps_tier_order();
        let mut spare: Vec<f64> = (0..n)
            .map(|b| spare_hours(self.plannable(b), &self.scopes[b].plan, tier_aware))
            .collect();
        if spare.iter().all(|&x| x <= SPARE_EPS) {
            return Vec::new();
        }
        // The list, with where each mother is: (scope, index in it, postcode).
        let mut list = Vec::new();
        let mut at = Vec::new();
        for (a, sc) in self.scopes.iter().enumerate() {
            for (i, (m, p)) in sc.inputs.iter().zip(&sc.plan).enumerate() {
                let lacking = lacking_today(m, p);
                if lacking <= SPARE_EPS {
                    continue;
                }
                let pc = self.mothers[sc.active[i] as usize].postcode;
                if !wl.postcodes.is_empty() && !wl.postcodes.contains(&pc) {
                    continue;
                }
                list.push(Waiting {
                    provider: a,
                    days_left: m.days_left,
                    registration_order: m.registration_order,
                    lacking,
                });
                at.push((a, i, pc));
            }
        }
        let order = match wl.order {
            WaitingListOrder::MostSpare => LenderOrder::MostSpare,
            WaitingListOrder::Priority => LenderOrder::Priority(&self.coverage.rank),
        };
        let limit = wl
            .max_transfers_per_day
            .map_or(usize::MAX, |l| l.max(0) as usize);
        let coverage = &self.coverage;
        let covers = |b: usize, w: usize| coverage.covers(b, at[w].2);
        let placement = place_waiting_list(&mut spare, &list, covers, order, limit);
        for loan in &placement.loans {
            let (a, i, _) = at[loan.waiting];
            self.scopes[loan.lender].lent_today += loan.hours;
            let owed = self.scopes[a].inputs[i].owed;
            add_loan(&owed, &mut self.scopes[a].plan[i], loan.hours);
            self.scopes[a].borrowed.push((i, loan.lender, loan.hours));
        }
        for b in 0..n {
            // In the order of the scope's mothers, as `apply_plan` reads them.
            self.scopes[b].borrowed.sort_by_key(|&(i, _, _)| i);
            // A lender plans again with what it has left: only its spare hours were lent, so
            // its own mothers keep their tier-1/2 hours (checked by the tier order as usual).
            if self.scopes[b].lent_today > 0.0 {
                self.plan(b);
            }
        }
        placement
            .moves
            .iter()
            .map(|&(w, to)| {
                let (a, i, _) = at[w];
                (self.scopes[a].active[i], to)
            })
            .collect()
    }

    /// Moves mother `m` to provider `to` for the rest of her care (waiting list).
    fn transfer(&mut self, m: u32, to: usize, in_report: bool) {
        let from = self.mother_state[m as usize].scope as usize;
        self.mother_state[m as usize].scope = to as u16;
        let mut st = self.discharge(from, m).expect("a mother in care moves");
        st.scope = to as u16;
        st.transferred = true;
        self.enter_ward(m, st);
        if in_report {
            self.transfers[from * self.scopes.len() + to] += 1;
        }
    }

    /// Hands a planned scope-day's hours to carers and adds them to the totals.
    #[inline]
    fn apply_plan(&mut self, scope: usize, day: Day, week: Option<usize>) {
        let capacity = self.scopes[scope].capacity_today;
        let contract = self.scopes[scope].contract_today;
        let inputs = std::mem::take(&mut self.scopes[scope].inputs);
        let plan = std::mem::take(&mut self.scopes[scope].plan);
        let borrowed = std::mem::take(&mut self.scopes[scope].borrowed);
        let broken = count_tier_order_violations(&inputs, &plan);
        self.tier_order_violations += broken;
        if broken > 0 && self.checks.thorough && self.policy.keeps_tier_order() {
            self.check(Err(Violation {
                day,
                mother: None,
                what: format!(
                    "{broken} mother(s) still owed minimum or medical hours while others got other hours"
                ),
            }));
        }

        // Late registrants given tier-4 hours while an early registrant could have taken more
        // of her tier 3 (counted per mother, for summary.csv).
        let early_left_behind = early_registrant_left_behind(&inputs, &plan);
        let tier4_given = plan.iter().any(|p| p[3] > 1e-9);
        if early_left_behind
            && tier4_given
            && self.checks.thorough
            && self.policy.keeps_tier_order()
        {
            self.check(Err(Violation {
                day,
                mother: None,
                what: "tier-4 hours given while an early registrant with room was still owed tier-3 hours"
                    .to_string(),
            }));
        }

        let mut delivered = 0.0;
        let mut unplaced = 0.0;
        let mut demand = 0.0;
        let mut own_used = 0.0;
        self.scopes[scope].room_left = capacity - self.scopes[scope].used_today;
        if week.is_some() {
            self.mother_days += self.scopes[scope].active.len() as u64;
        }
        let active = std::mem::take(&mut self.scopes[scope].active);
        let mut in_care = std::mem::take(&mut self.scopes[scope].in_care);
        let mut loans = borrowed.iter().peekable();
        let mut families = std::mem::take(&mut self.families);
        let continuity = self.s.policy.continuity;
        // Kraamzorg as planned: every family keeps her main carer (`continuity::assign`).
        let naming = continuity && !self.policy.one_carer_per_mother();
        families.clear();
        for (i, ((&m, st), hours)) in active.iter().zip(&mut in_care).zip(&plan).enumerate() {
            let total: f64 = hours.iter().sum();
            let md = &inputs[i];
            if early_left_behind && hours[3] > 1e-9 {
                st.tier4_while_early_behind = true;
            }
            if !(invariants::plan_ok(md, hours)
                && invariants::in_window(day, total, st.first_day, st.last_day))
            {
                let found = invariants::check_mother_plan(day, m, md, hours).and(
                    invariants::check_in_window(day, m, total, st.first_day, st.last_day),
                );
                self.check(found);
            }
            // Hours lent by other providers (waiting list) come from their carers; her own
            // provider's carers give the rest, placed below.
            let mut own = total;
            let mut lender_carer = None;
            while let Some(&&(_, b, h)) = loans.peek().filter(|l| l.0 == i) {
                loans.next();
                own -= h;
                let (c, left) = self.take_hours(b, h);
                self.scopes[b].used_today += h - left;
                unplaced += left;
                lender_carer = lender_carer.or(c);
            }
            // Her first hours: she has no carer to keep (the same with continuity on or off).
            let fresh = st.delivered.iter().sum::<f64>() <= 0.0;
            for (d, h) in st.delivered.iter_mut().zip(hours) {
                *d += h;
            }
            // A lender's carer is one of hers (before `known_carers`, which then lists her).
            let main = lender_carer.map_or((continuity::NO_CARER, 0.0), |c| {
                st.note_carer(c, || ThirdCarer::Other);
                (c, 0.0)
            });
            // Her carers as placement will prefer them (read here, where her state is at hand).
            let known = if naming {
                // Her main carer first, whenever she is at work, then her second.
                st.seen
            } else if continuity {
                st.known_carers()
            } else {
                [continuity::NO_CARER; continuity::KNOWN_CARERS]
            };
            families.push(Family {
                main,
                ..Family::new(own.max(0.0), known, fresh)
            });
            delivered += total;
            if let Some(w) = week {
                demand += st.daily_demand;
                if st.last_week != w as u32 {
                    st.last_week = w as u32;
                    self.weeks[w].active_mothers += 1;
                }
            }
        }
        // The scope's carers hand out the day's own hours in roster order (how much each
        // works does not depend on who she serves), then `continuity::place` decides who
        // serves whom.
        let own_total: f64 = families.iter().map(|f| f.need).sum();
        if own_total > 0.0 && naming {
            let left = self.name_carers(scope, &mut in_care, &mut families, day);
            own_used += own_total - left;
            unplaced += left;
        } else if own_total > 0.0 {
            let left = self.hand_out(scope, &in_care, &families, own_total, day);
            own_used += own_total - left;
            unplaced += left;
            let sc = &mut self.scopes[scope];
            // A carer who gives her a piece is one of her carers (in the order they came).
            continuity::place(
                &mut families,
                &sc.handout,
                &mut self.to_hand,
                continuity,
                &mut self.place_scratch,
                |i, c, h| {
                    if h > continuity::PIECE_EPS {
                        in_care[i].note_carer(c, || ThirdCarer::Other);
                    }
                },
            );
            for &c in &sc.handout {
                self.to_hand[c as usize] = 0.0;
            }
            // Today's carers are tomorrow's first (`hand_out`, step 1).
            std::mem::swap(&mut sc.handout, &mut sc.worked_yesterday);
            sc.handout.clear();
        }
        for (st, f) in in_care.iter_mut().zip(&families) {
            if f.main.0 != continuity::NO_CARER {
                st.last_carer = Some(f.main.0);
            }
        }
        self.families = families;
        let sc = &mut self.scopes[scope];
        sc.active = active;
        sc.in_care = in_care;
        sc.used_today += own_used;
        sc.inputs = inputs;
        sc.plan = plan;
        sc.borrowed = borrowed;
        // The scope's own carers worked its own plan and what it lent.
        let worked = own_used + sc.lent_today;
        self.check(invariants::check_delivery(day, worked, unplaced));
        if self.checks.thorough {
            let weekday = self.cal.weekday(day);
            let week = self.cal.week(day);
            let free_weekends = self.s.carers.free_weekends;
            for i in 0..self.scopes[scope].carers.len() {
                let c = self.scopes[scope].carers[i];
                let st = &self.carers[c as usize];
                let free = weekday >= 5 && weekend_free(c, week, free_weekends);
                let r = invariants::check_carer(day, c, st, free);
                self.check(r);
            }
        }
        if let Some(w) = week {
            let wk = &mut self.weeks[w];
            wk.delivered_hours += delivered;
            wk.demand_hours += demand;
            wk.carer_hours_available += capacity;
            wk.carer_contract_hours += contract;
            self.totals.carer_hours_available += capacity;
            self.totals.carer_contract_hours += contract;
            self.totals.carer_hours_used += delivered;
        }
    }

    /// Names the carers of the scope-day with continuity (`continuity::assign`: a family keeps
    /// her main carer) and has them work the hours; returns the hours no carer had room for.
    fn name_carers(
        &mut self,
        scope: usize,
        in_care: &mut [MotherState],
        families: &mut [Family],
        day: Day,
    ) -> f64 {
        let mut room = std::mem::take(&mut self.to_hand);
        let sc = &mut self.scopes[scope];
        for &c in &sc.carers {
            room[c as usize] = self.carers[c as usize].room_today;
        }
        let carers = &mut self.carers;
        let weekday = self.cal.weekday(day);
        let week = self.cal.week(day);
        let free_weekends = self.s.carers.free_weekends;
        let mut pieces = std::mem::take(&mut self.pieces);
        pieces.clear();
        let left = continuity::assign(
            families,
            &sc.carers,
            &mut room,
            |c| {
                let st = &carers[c as usize];
                let free = days_to_free_weekend(c, week, weekday, free_weekends, CARRY_DAYS);
                st.can_carry(st.worked_until == day, free, 7 - weekday)
            },
            &mut self.assign_scratch,
            |i, c, x| pieces.push((i as u32, c, x)),
        );
        // Who served whom, and why a family got a third carer: read from her carers' room
        // before anyone works today's pieces.
        for &(i, c, x) in &pieces {
            if x > continuity::PIECE_EPS {
                let known = &families[i as usize].known;
                in_care[i as usize].note_carer(c, || why_another_carer(known, carers));
            }
        }
        let mut worked = 0.0;
        for &(_, c, x) in &pieces {
            let st = &mut carers[c as usize];
            if st.begin_day(day) {
                sc.handout.push(c);
            }
            st.work(x);
            worked += x;
        }
        for &c in &sc.carers {
            room[c as usize] = 0.0;
        }
        sc.room_left = (sc.room_left - worked).max(0.0);
        std::mem::swap(&mut sc.handout, &mut sc.worked_yesterday);
        sc.handout.clear();
        self.to_hand = room;
        self.pieces = pieces;
        left
    }

    /// Takes the day's planned hours (`need` of the scope's families, `total` in all, `fresh`
    /// for those whose care starts now) from the scope's carers and records what each gives
    /// (`Scope::handout`, `to_hand`) for `continuity::place`; returns the hours no carer had
    /// room for. What each carer gives depends only on the hours, never on who served whom
    /// the days before (so `policy.continuity` never changes a carer's hours, nor later
    /// capacity), and leaves room for continuity:
    /// 1. the carers who handed out hours yesterday (in yesterday's order) give what they
    ///    gave yesterday (within today's room), up to the hours of the mothers already in
    ///    care: they can keep their families;
    /// 2. each mother whose care starts gets a carer not yet working today who can give all
    ///    of her hours (roster order);
    /// 3. the rest comes from carers with at least [`SHIFT_HOURS`] of room, then from those
    ///    with less (a sliver of a carer's day would add a carer to a family), roster order.
    ///
    /// Under a one-carer-per-mother policy (`loss`), each mother's held carer gives her hours
    /// first (the policy's rule), and the passes above hand out the rest.
    fn hand_out(
        &mut self,
        scope: usize,
        in_care: &[MotherState],
        families: &[Family],
        total: f64,
        day: Day,
    ) -> f64 {
        let sc = &mut self.scopes[scope];
        let carers = &mut self.carers;
        let to_hand = &mut self.to_hand;
        // Per mother: hours still to hand out after her held carer's (loss policy).
        let mut open = std::mem::take(&mut self.open);
        open.clear();
        let mut give = |c: u32, x: f64, carers: &mut [CarerState]| {
            let st = &mut carers[c as usize];
            st.work(x);
            if to_hand[c as usize] == 0.0 {
                sc.handout.push(c);
                st.begin_day(day);
                st.last_load = 0.0;
            }
            st.last_load += x;
            to_hand[c as usize] += x;
        };
        if self.policy.one_carer_per_mother() {
            open.extend(families.iter().map(|f| f.need));
            for (st, need) in in_care.iter().zip(open.iter_mut()) {
                let Some(c) = st.last_carer else {
                    continue;
                };
                let x = carers[c as usize].room_today.min(*need);
                if carers[c as usize].scope as usize == scope && x > 0.0 {
                    *need -= x;
                    give(c, x, carers);
                }
            }
        }
        // Without a held carer, a mother's open hours are her need.
        let open_of = |i: usize| open.get(i).copied().unwrap_or(families[i].need);
        let fresh = |i: usize| families[i].fresh;
        let mut rest: f64 = (0..families.len())
            .filter(|&i| !fresh(i))
            .map(open_of)
            .sum();
        let yesterday = std::mem::take(&mut sc.worked_yesterday);
        for &c in &yesterday {
            if rest <= 1e-12 {
                break;
            }
            let st = &carers[c as usize];
            if st.worked_until == day {
                let x = st.room_today.min(st.last_load).min(rest);
                // Not a sliver of what she gave yesterday.
                if x > 0.0 && (x >= SHIFT_HOURS || x >= st.last_load || x >= rest) {
                    rest -= x;
                    give(c, x, carers);
                }
            }
        }
        let mut next = 0;
        for need in (0..families.len()).filter(|&i| fresh(i)).map(open_of) {
            if need <= 0.0 {
                continue;
            }
            while next < sc.carers.len() {
                let st = &carers[sc.carers[next] as usize];
                if st.worked_until != day + 1 && st.room_today >= need {
                    break;
                }
                next += 1;
            }
            match sc.carers.get(next) {
                Some(&c) => give(c, need, carers),
                None => rest += need,
            }
        }
        for pass in 0..2 {
            for &c in &sc.carers {
                if rest <= 1e-12 {
                    break;
                }
                let room = carers[c as usize].room_today;
                let x = room.min(rest);
                if (room >= SHIFT_HOURS) == (pass == 0) && x > 0.0 {
                    rest -= x;
                    give(c, x, carers);
                }
            }
        }
        let left = rest.max(0.0);
        sc.worked_yesterday = yesterday;
        sc.room_left = (sc.room_left - (total - left)).max(0.0);
        self.open = open;
        left
    }

    /// Takes `hours` from the scope's carers with room today, in roster order from the day's
    /// cursor; returns the carer who gave the most and the hours no carer had room for (zero
    /// unless the plan was more than the carers could work): for birth assistance and hours
    /// lent to the waiting list.
    fn take_hours(&mut self, scope: usize, hours: f64) -> (Option<u32>, f64) {
        let sc = &mut self.scopes[scope];
        let mut left = hours;
        let mut main: Option<(u32, f64)> = None;
        let mut give = |c: u32, carers: &mut [CarerState], left: &mut f64| {
            let st = &mut carers[c as usize];
            let x = st.room_today.min(*left);
            if x > 0.0 {
                st.work(x);
                *left -= x;
                if main.is_none_or(|(_, best)| x > best) {
                    main = Some((c, x));
                }
            }
        };
        while left > 1e-12 && sc.cursor < sc.carers.len() {
            let c = sc.carers[sc.cursor];
            give(c, &mut self.carers, &mut left);
            if left > 1e-12 {
                sc.cursor += 1;
            }
        }
        if left > 1e-12 {
            // The cursor only moves forward within a day; wrap once for hours freed earlier.
            sc.cursor = 0;
            for i in 0..sc.carers.len() {
                if left <= 1e-12 {
                    break;
                }
                give(sc.carers[i], &mut self.carers, &mut left);
            }
        }
        sc.room_left = (sc.room_left - (hours - left)).max(0.0);
        (main.map(|(c, _)| c), left.max(0.0))
    }
}

/// Ends a carer's budget period for the supply figure: the unused room her unspent
/// `budget_left` covers ([`SupplyLedger::close`]) counts as workable in its weeks and in the
/// totals (at a period's end in `start_week`, and at the end of the run).
fn credit_workable(
    ledger: &mut SupplyLedger,
    budget_left: f64,
    weeks: &mut [WeekTotals],
    totals: &mut Totals,
) {
    ledger.close(budget_left, |w, hours| {
        weeks[w].carer_hours_workable += hours;
        totals.carer_hours_workable += hours;
    });
}

/// The capacity scope of provider `k`'s carers.
fn scope_index(scope: CapacityScope, k: u16) -> usize {
    match scope {
        CapacityScope::Provider | CapacityScope::WaitingList => k as usize,
        CapacityScope::Region => 0,
    }
}

/// How far ahead a coordinator looks when she picks a carer for a family: a kraamweek and a
/// few days (the longest care window is 10 days).
const CARRY_DAYS: u32 = 10;

/// Why a family whose carers are `known` needs another one today ([`ThirdCarer`]), from her
/// carers' state before today's hours were named: one of them had room, but not enough (her
/// hours went to other families too); else one was away (holiday, sickness); else they were
/// all at a working-time limit.
fn why_another_carer(known: &[u32], carers: &[CarerState]) -> ThirdCarer {
    let mine = || known.iter().filter(|&&c| c != continuity::NO_CARER);
    if mine().any(|&c| carers[c as usize].room_today > continuity::PIECE_EPS) {
        ThirdCarer::Busy
    } else if mine().any(|&c| carers[c as usize].absent > 0) {
        ThirdCarer::Away
    } else {
        ThirdCarer::Rest
    }
}

/// Whether a carer's planned leave covers day `d`.
fn on_holiday(absences: &[Absence], d: Day) -> bool {
    absences
        .iter()
        .any(|h| h.kind.is_planned() && (h.start..h.end).contains(&d))
}

/// How many days of `from..to` a carer is known to be away: her holidays, and sickness spells
/// that began before `known_before` (later sickness is news on its first day). Absences are
/// sorted by start, so the scan stops at the first one after `to`, and overlapping absences
/// count each day once (what lies before `covered` was counted).
fn days_off(absences: &[Absence], from: Day, to: Day, known_before: Day) -> u32 {
    let mut off = 0;
    let mut covered = from;
    for a in absences.iter().take_while(|a| a.start < to) {
        if a.kind.is_planned() || a.start < known_before {
            let (start, end) = (a.start.max(covered), a.end.min(to));
            if end > start {
                off += end - start;
                covered = end;
            }
        }
    }
    off
}

/// How many days of the budget period a sickness spell starting today takes from the budget:
/// its days before `period_end` that the budget still counted as working (not a holiday, not
/// in an earlier spell).
fn working_days_lost(absences: &[Absence], spell: &Absence, period_end: Day) -> u32 {
    let day = spell.start;
    let end = spell.end.min(period_end).max(day);
    (end - day) - days_off(absences, day, end, day)
}

/// The minimum-first guarantee, checked on every scope-day (cheap, always on): if anyone got
/// tier-3/4 hours, nobody may still be owed tier-1/2 hours while below her daily cap. Counts
/// the mothers for whom it fails; policies that do not promise it (none yet) report them too.
/// Whether an early registrant ends the scope-day's plan still owed tier-3 hours with room
/// left today: a day on which tier-4 hours went before her guarantee if anyone got them.
fn early_registrant_left_behind(mothers: &[MotherDay], plan: &[TierHours]) -> bool {
    mothers.iter().zip(plan).any(|(m, p)| {
        let behind = m.owed[2] - p[2] > 1e-6;
        let room = m.daily_cap - p.iter().sum::<f64>() > 1e-6;
        m.indicated[2] > 0.0 && behind && room
    })
}

fn count_tier_order_violations(mothers: &[MotherDay], plan: &[TierHours]) -> u64 {
    let extras: f64 = plan.iter().map(|p| p[2] + p[3]).sum();
    if extras <= 1e-9 {
        return 0;
    }
    mothers
        .iter()
        .zip(plan)
        .filter(|(m, p)| {
            let behind = m.owed_guaranteed() - p[0] - p[1] > 1e-6;
            let room = m.daily_cap - p.iter().sum::<f64>() > 1e-6;
            behind && room
        })
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn absence(kind: AbsenceKind, start: Day, end: Day) -> Absence {
        Absence { kind, start, end }
    }

    #[test]
    fn days_off_counts_holidays_and_sickness_already_begun() {
        // Week of days 0 (Monday) to 6: holiday Wednesday-Friday, sickness from Saturday.
        let absences = [
            absence(AbsenceKind::Holiday, 2, 5),
            absence(AbsenceKind::Sickness, 5, 20),
        ];
        // On Monday only the holiday is known.
        assert_eq!(days_off(&absences, 0, 7, 1), 3);
        // From Saturday on, the sickness is known too.
        assert_eq!(days_off(&absences, 5, 7, 6), 2);
        // Over four weeks, overlapping absences count each day once.
        let overlapping = [
            absence(AbsenceKind::Holiday, 2, 10),
            absence(AbsenceKind::Sickness, 4, 8),
            absence(AbsenceKind::Holiday, 9, 12),
        ];
        assert_eq!(days_off(&overlapping, 0, 28, 28), 10);
        assert_eq!(days_off(&overlapping, 0, 28, 4), 10);
        assert_eq!(days_off(&overlapping, 3, 5, 0), 2);
    }

    #[test]
    fn sickness_during_a_holiday_week_takes_only_working_days_from_the_budget() {
        // Sick from Tuesday (day 1) for ten days, with a holiday Wednesday-Friday already left
        // out of the week's budget: the spell costs the budget Tuesday, Saturday and Sunday.
        let absences = [
            absence(AbsenceKind::Holiday, 2, 5),
            absence(AbsenceKind::Sickness, 1, 11),
        ];
        assert_eq!(working_days_lost(&absences, &absences[1], 7), 3);
        // A two-day spell on Saturday costs both days.
        let short = [absence(AbsenceKind::Sickness, 5, 7)];
        assert_eq!(working_days_lost(&short, &short[0], 7), 2);
    }
}
