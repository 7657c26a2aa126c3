//! Setting up a region simulation (`Simulation::new`): the population's mothers and carers
//! into their running state, the capacity scopes and their wards, the carers' budgets and
//! absences, the events of the whole run scheduled up front, and the scratch the day's plan
//! reuses. Nothing here runs the simulation; `super` does.

use crate::engine::{EventQueue, MINUTES_PER_DAY};
use crate::equity::{RatioBins, Ratios};
use crate::generate::Population;
use crate::model::{Calendar, Day, Mother};
use crate::policy::AllocationPolicy;
use crate::results::{DAY_PARTS, Totals, WeekTotals};
use crate::scenario::{AssistPool, CapacityScope, Scenario};

use super::{Coverage, Simulation, birth_pool, closure, scope_index};
use super::birth_pool::OnCall;
use super::closure::Observed;
use super::invariants::Checks;
use super::state::{CarerState, MotherState, Scope, WeekendRota};
use super::supply::SupplyLedger;

impl<'a> Simulation<'a> {
    pub(super) fn new(
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
            weekends: WeekendRota::new(s.carers.free_weekends),
            pieces: Vec::new(),
            ward_slot: vec![u32::MAX; n_mothers],
            supply: vec![SupplyLedger::default(); provider_of_carer.len()],
            plan_week: None,
        }
    }
}
