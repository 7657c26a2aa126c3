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
//!
//! `Simulation` is one struct whose methods are spread over files by concern: this file runs
//! the event loop and reads off the result; `setup` builds the state (`Simulation::new`),
//! `events` handles the events, `plan` makes the day's plan, `hand_out` gives its hours to
//! carers, `waiting_list` moves mothers between providers. Each file names what it imports,
//! so that a reader sees which parts of the state and the policy a concern touches.

mod birth_pool;
mod closure;
mod continuity;
mod events;
mod hand_out;
mod invariants;
mod known;
mod plan;
mod setup;
mod state;
mod supply;
mod waiting_list;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{EventQueue, MINUTES_PER_DAY, Minutes};
use crate::equity::{Equity, RatioBins, Ratios};
use crate::generate::{self, ReportYear};
use crate::model::{Absence, Calendar, Day, Mother};
use crate::policy::{AllocationPolicy, MotherDay, TierHours};
use crate::scenario::{CapacityScope, Scenario};

use birth_pool::OnCall;
pub use birth_pool::{erlang_b, posts_for};
use closure::Observed;
use continuity::Family;
pub use invariants::Checks;
pub use known::{DayLog, InCare, KnownStart, ProviderDay, RegionState, run_region_from, state_at};
use state::{CarerState, MotherState, Scope, WeekendRota};
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
    /// The carers' free weekends (`carers.free_weekends`), as a table.
    weekends: WeekendRota,
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
    use crate::model::AbsenceKind;

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
