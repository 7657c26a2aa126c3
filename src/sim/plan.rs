//! The day's plan (07:00 each day): per capacity scope, the mothers in care and coming, the
//! carers' room and the birth-assistance posts go into the policy (`crate::policy`), and its
//! hours per mother come back. `apply_plan` checks them, books them on mothers and tiers and
//! hands them to carers (`super::hand_out`); the waiting list lends between providers first
//! (`super::waiting_list`).

use crate::engine::MINUTES_PER_DAY;
use crate::model::Day;
use crate::policy::{ComingDay, DayInput, TIERS};
use crate::results::{ThirdCarer, Violation};
use crate::scenario::CapacityScope;

use super::{
    Event, PLAN_MINUTE, Simulation, continuity, count_tier_order_violations,
    early_registrant_left_behind, invariants,
};
use super::continuity::Family;

impl<'a> Simulation<'a> {
    pub(super) fn day_plan(&mut self, day: Day) {
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

    /// Counts the scope's previous plan-day if it took more hours (care and birth
    /// assistance) than its carers could work; a broken invariant, so the run stops there.
    pub(super) fn check_capacity(&mut self, scope: usize, day: Day) {
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
    pub(super) fn prepare_scope(&mut self, scope: usize, day: Day) {
        self.check_capacity(scope, day);
        let mut capacity = 0.0;
        let mut week_budget = 0.0;
        // Contract hours of the carers present today (for the reporting period's totals).
        let mut contract = 0.0;
        let weekday = self.cal.weekday(day);
        // On Saturday and Sunday: the calendar week, for the carers' free weekends.
        let weekend = (weekday >= 5).then(|| self.cal.week(day));
        let weekends = &self.weekends;
        for &id in &self.scopes[scope].carers {
            let c = &mut self.carers[id as usize];
            c.hours_today = 0.0;
            c.room_today = if c.absent == 0 {
                contract += c.daily_care_hours;
                match weekend {
                    Some(week) if weekends.is_free(id, week) => 0.0,
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
    pub(super) fn plannable(&self, scope: usize) -> f64 {
        let sc = &self.scopes[scope];
        let free = sc.capacity_today - sc.assist_debt_today;
        (free - sc.on_call_reserve.min(free) - sc.lent_today).max(0.0)
    }

    /// Asks the policy for the scope-day's plan (kept in the scope).
    #[inline]
    pub(super) fn plan(&mut self, scope: usize) {
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
    pub(super) fn plan_scope(&mut self, scope: usize, day: Day, week: Option<usize>) {
        self.prepare_scope(scope, day);
        self.plan(scope);
        self.apply_plan(scope, day, week);
    }

    /// Hands a planned scope-day's hours to carers and adds them to the totals.
    #[inline]
    pub(super) fn apply_plan(&mut self, scope: usize, day: Day, week: Option<usize>) {
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
            for i in 0..self.scopes[scope].carers.len() {
                let c = self.scopes[scope].carers[i];
                let st = &self.carers[c as usize];
                let free = weekday >= 5 && self.weekends.is_free(c, week);
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
}
