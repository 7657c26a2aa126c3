//! What the events do (`super::Event`): a mother registers, gives birth (a home birth asks
//! for birth assistance), starts and ends care; a carer's absence starts; a week starts and
//! a day closes (the carers' budgets and the supply figure). Each handler changes the state
//! of mothers and carers and schedules what follows; the day's plan is in `super::plan`.

use crate::equity;
use crate::engine::{MINUTES_PER_DAY, Minutes};
use crate::model::{AbsenceKind, Day};
use crate::policy::Booking;
use crate::results::MotherOutcome;

use super::{
    Event, FULL_INDICATION_SLACK, PLAN_MINUTE, Simulation, credit_workable, days_off, invariants,
    on_holiday, scope_index, working_days_lost,
};
use super::closure::Stage;
use super::state::{MotherState, budget_period_end};

impl<'a> Simulation<'a> {
    /// The mother is known to her provider: she enters the forecast of mothers due soon.
    pub(super) fn register(&mut self, m: u32, day: Day) {
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
    pub(super) fn take_on(&mut self, m: u32) -> bool {
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
    pub(super) fn forecast(&mut self, m: u32, sign: f64) {
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

    pub(super) fn birth(&mut self, time: Minutes, m: u32) {
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
    pub(super) fn call_away(&mut self, provider: u16, hours: f64) -> Option<f64> {
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

    pub(super) fn care_start(&mut self, time: Minutes, m: u32) {
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
    pub(super) fn add_unserved_demand(&mut self, first: Day, last: Day, daily_demand: f64) {
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
    pub(super) fn hold_carer(&mut self, time: Minutes, m: u32) {
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
    pub(super) fn admit(&mut self, m: u32) {
        self.enter_ward(m, self.mother_state[m as usize].clone());
    }

    /// Mother `m` enters the ward of `st.scope` with state `st`, and her place there is kept
    /// (the counterpart of [`Simulation::discharge`]).
    pub(super) fn enter_ward(&mut self, m: u32, st: MotherState) {
        let daily_cap = self.s.indication.max_hours_per_day;
        let slot = self.scopes[st.scope as usize].admit(m, st, daily_cap);
        self.ward_slot[m as usize] = slot as u32;
    }

    /// Mother `m` leaves the ward of `scope`: her state (`None` if she is not in it, as a
    /// mother turned away never was). Her place tells where she is; it is hers only while she
    /// is in the ward, so the id found there is checked.
    pub(super) fn discharge(&mut self, scope: usize, m: u32) -> Option<MotherState> {
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
    pub(super) fn write_back_wards(&mut self) {
        for sc in &self.scopes {
            for (&m, st) in sc.active.iter().zip(&sc.in_care) {
                self.mother_state[m as usize] = st.clone();
            }
        }
    }

    pub(super) fn care_end(&mut self, m: u32) {
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

    pub(super) fn absence_start(&mut self, time: Minutes, carer: u32, absence: u32) {
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
    pub(super) fn start_week(&mut self, day: Day) {
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
    pub(super) fn close_day(&mut self) {
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
    pub(super) fn close_budget_period(&mut self, c: usize, later: f64) {
        let budget_left = self.carers[c].week_budget - later;
        credit_workable(
            &mut self.supply[c],
            budget_left,
            &mut self.weeks,
            &mut self.totals,
        );
    }
}
