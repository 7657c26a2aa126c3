//! Practice as observed in 2023-2024 (`DOMAIN.md`, "shortage in practice"): a provider
//! closing during the year (`[[provider_closures]]`) and the waiting list refusing mothers
//! it cannot place (`policy.waiting_list.refusals`).
//!
//! Both act on registrations and on who belongs to which provider, never on how a day's
//! hours are divided: that stays with the policy (`crate::policy`) and the daily plan in
//! `super`. Without closures and refusals nothing here runs, so every other scenario's
//! results are what they were.
//!
//! A closure on day D, just before that day's plan: the provider takes no new mothers (a
//! mother who would have registered with it registers with another covering her postcode);
//! its booked mothers and those in care move to other providers covering their postcode;
//! its carers join other providers of the region by the shares given, in roster order, and
//! the rest leave kraamzorg. Where a mother goes: with refusals on, the first provider in
//! the waiting list's order that can book her; otherwise (and for mothers in care, who are
//! never refused) the covering provider with the most rostered contract care hours that day
//! per mother it holds (booked or in care), ties in file order, so that the closing
//! provider's mothers spread over the others in proportion to their carers; with the
//! waiting list's `order = "priority"`, the first covering provider of that order.

use super::{Event, Simulation, scope_index};
use crate::engine::MINUTES_PER_DAY;
use crate::model::Day;
use crate::results::{ClosureResult, RegistrationOutcome};
use crate::scenario::{CapacityScope, WaitingListOrder};

/// Where a mother is, for a closure: who must move on its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Stage {
    #[default]
    NotRegistered,
    /// Registered (taken on or refused), care not started.
    Booked,
    InCare,
    Ended,
}

/// The running state of closures and refusals in one region-replication.
#[derive(Debug, Clone, Default)]
pub(super) struct Observed {
    /// The region's closures, in scenario order.
    pub closures: Vec<ClosureResult>,
    /// Per provider: its first closed day (`Day::MAX`: never closes).
    pub closed_from: Vec<Day>,
    /// Per provider: mothers taken on and not yet discharged (booked or in care).
    pub load: Vec<u32>,
    /// Per mother: where she is.
    pub stage: Vec<Stage>,
    /// Per carer: her provider (index within the region).
    pub carer_provider: Vec<u16>,
    /// Per carer: left kraamzorg with a closure (her absences no longer count).
    pub left_field: Vec<bool>,
    /// With refusals: per scope and day, the hours booked at registration.
    pub list_booked: Vec<Vec<f64>>,
    /// With refusals: per mother, how her registration went.
    pub outcome: Vec<RegistrationOutcome>,
    /// With refusals: mothers counted in the reporting period per outcome and
    /// [early, late] registrant (empty without refusals).
    pub registrations: Vec<[u64; 2]>,
}

/// How many providers, capacity scopes, days of bookings and mothers a region has.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sizes {
    pub providers: usize,
    pub scopes: usize,
    pub days: usize,
    pub mothers: usize,
}

impl Observed {
    /// The state for region `region`: `sizes` its providers, capacity scopes, days of
    /// bookings and mothers; `carer_provider` each carer's provider; `start` the date of day 0.
    pub fn new(
        s: &crate::scenario::Scenario,
        region: usize,
        sizes: Sizes,
        carer_provider: Vec<u16>,
        start: chrono::NaiveDate,
    ) -> Self {
        let Sizes {
            providers,
            scopes,
            days,
            mothers,
        } = sizes;
        let names: Vec<&str> = crate::generate::region_providers(s, region)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let index = |name: &str| names.iter().position(|n| *n == name).map(|i| i as u16);
        let mut closed_from = vec![Day::MAX; providers];
        let mut closures = Vec::new();
        for c in &s.provider_closures {
            let Some(p) = index(&c.provider) else {
                continue;
            };
            let day = (c.date - start).num_days() as Day;
            closed_from[p as usize] = day;
            let joins = c
                .carers_join
                .iter()
                .filter_map(|j| index(&j.provider).map(|q| (q, j.share)))
                .collect();
            closures.push(ClosureResult {
                provider: p,
                day,
                joins,
                ..ClosureResult::default()
            });
        }
        let refusals = s.policy.waiting_list.refusals;
        Observed {
            closures,
            closed_from,
            load: vec![0; providers],
            stage: vec![Stage::NotRegistered; mothers],
            left_field: vec![false; carer_provider.len()],
            carer_provider,
            list_booked: if refusals {
                vec![vec![0.0; days]; scopes]
            } else {
                Vec::new()
            },
            outcome: if refusals {
                vec![RegistrationOutcome::OwnProvider; mothers]
            } else {
                Vec::new()
            },
            registrations: if refusals {
                vec![[0; 2]; RegistrationOutcome::ALL.len()]
            } else {
                Vec::new()
            },
        }
    }

    pub fn refusals(&self) -> bool {
        !self.outcome.is_empty()
    }
}

impl Simulation<'_> {
    /// Schedules each closure just before its day's plan (and after that day's
    /// registrations, which come at midnight): inserted before any plan, so it comes first
    /// at the plan's minute.
    pub(super) fn schedule_closures(&mut self) {
        for (k, c) in self.observed.closures.iter().enumerate() {
            if c.day >= self.cal.first_birth_day && c.day <= self.cal.report_end {
                self.queue.schedule(
                    c.day * MINUTES_PER_DAY + super::PLAN_MINUTE,
                    Event::Closure(k as u16),
                );
            }
        }
    }

    /// The mother registers: with her provider, or, when it has closed, with the one the
    /// closure rule gives her; with refusals on, only where a provider covering her postcode
    /// can book her. Returns whether she is taken on (before the policy's own check).
    pub(super) fn register_observed(&mut self, m: u32, day: Day) -> bool {
        self.observed.stage[m as usize] = Stage::Booked;
        let own = self.mothers[m as usize].provider;
        if self.observed.closed_from[own as usize] <= day {
            let to = self.destination(m, day, own);
            self.set_provider(m, to);
            if let Some(c) = self
                .observed
                .closures
                .iter_mut()
                .find(|c| c.provider == own)
            {
                c.registrations_redirected += 1;
            }
        }
        if !self.observed.refusals() {
            return true;
        }
        let own = self.mothers[m as usize].provider;
        if self.fits(m, own, day) {
            self.book(m, 1.0, day);
            return true;
        }
        match self.first_with_room(m, day, own) {
            Some(to) => {
                self.set_provider(m, to);
                self.book(m, 1.0, day);
                self.observed.outcome[m as usize] = RegistrationOutcome::PlacedByList;
                true
            }
            None => {
                self.observed.outcome[m as usize] = RegistrationOutcome::RefusedNoRoom;
                false
            }
        }
    }

    /// Counts a mother whose care ends in the reporting period by how her registration went.
    pub(super) fn count_registration(&mut self, m: u32) {
        if self.observed.refusals() {
            let outcome = self.observed.outcome[m as usize];
            let k = RegistrationOutcome::ALL
                .iter()
                .position(|o| *o == outcome)
                .expect("listed");
            let late = usize::from(self.mother_state[m as usize].late);
            self.observed.registrations[k][late] += 1;
        }
    }

    /// The hours a provider books for mother `m` a day (refusals), and the days they cover
    /// (from her due date over her days of care, within the bookings kept).
    fn booking(&self, m: u32) -> (f64, std::ops::Range<usize>) {
        let mother = &self.mothers[m as usize];
        let ind = &mother.indication;
        let per_day =
            self.s.policy.waiting_list.booking_share * ind.total_hours / f64::from(ind.home_days);
        let len = self.observed.list_booked.first().map_or(0, Vec::len);
        let first = (mother.due_day as usize).min(len);
        let last = (first + ind.home_days as usize).min(len);
        (per_day, first..last)
    }

    /// Whether provider `p` can book mother `m`: on every expected day of hers from `today`
    /// its bookings and hers stay within its roster's contract care hours.
    fn fits(&self, m: u32, p: u16, today: Day) -> bool {
        if self.observed.closed_from[p as usize] <= today {
            return false;
        }
        let scope = scope_index(self.s.policy.scope, p);
        let (h, days) = self.booking(m);
        let roster = &self.scopes[scope].roster_contract;
        let booked = &self.observed.list_booked[scope];
        days.filter(|&d| d >= today as usize)
            .all(|d| booked[d] + h <= roster[d] + 1e-9)
    }

    /// Adds (`sign` = 1) or removes (-1) mother `m`'s booking with her current provider,
    /// on her expected days from `today`.
    fn book(&mut self, m: u32, sign: f64, today: Day) {
        if !self.observed.refusals() {
            return;
        }
        let scope = self.mother_state[m as usize].scope as usize;
        let (h, days) = self.booking(m);
        let booked = &mut self.observed.list_booked[scope];
        for d in days.filter(|&d| d >= today as usize) {
            booked[d] = (booked[d] + sign * h).max(0.0);
        }
    }

    /// The other providers covering mother `m`'s postcode and open on `day`, but `not`.
    fn candidates(&self, m: u32, day: Day, not: u16) -> Vec<u16> {
        let pc = self.mothers[m as usize].postcode;
        (0..self.observed.closed_from.len() as u16)
            .filter(|&q| {
                q != not
                    && self.observed.closed_from[q as usize] > day
                    && self.coverage.covers(q as usize, pc)
            })
            .collect()
    }

    /// With refusals: the first provider but `not` covering her postcode, in the waiting
    /// list's order, that can book her (`order = "most-spare"`: most unbooked contract hours
    /// on her tightest day first).
    fn first_with_room(&self, m: u32, day: Day, not: u16) -> Option<u16> {
        let mut found = self.candidates(m, day, not);
        found.retain(|&q| self.fits(m, q, day));
        let (_, days) = self.booking(m);
        let room = |q: u16| {
            let scope = scope_index(self.s.policy.scope, q);
            let roster = &self.scopes[scope].roster_contract;
            let booked = &self.observed.list_booked[scope];
            days.clone()
                .filter(|&d| d >= day as usize)
                .map(|d| roster[d] - booked[d])
                .fold(f64::INFINITY, f64::min)
        };
        match self.s.policy.waiting_list.order {
            WaitingListOrder::Priority => found
                .into_iter()
                .min_by_key(|&q| (self.coverage.rank[q as usize], q)),
            WaitingListOrder::MostSpare => found
                .into_iter()
                .max_by(|&a, &b| room(a).total_cmp(&room(b)).then(b.cmp(&a))),
        }
    }

    /// Where a mother of closing (or closed) provider `from` goes without a booking check:
    /// the waiting list's priority order when it has one, else the covering provider with the
    /// most rostered contract care hours today per mother it holds (ties in file order).
    /// Validation guarantees some provider covers her postcode.
    fn destination(&self, m: u32, day: Day, from: u16) -> u16 {
        let found = self.candidates(m, day, from);
        let wl = &self.s.policy.waiting_list;
        if self.s.policy.scope == CapacityScope::WaitingList
            && wl.order == WaitingListOrder::Priority
        {
            return found
                .into_iter()
                .min_by_key(|&q| (self.coverage.rank[q as usize], q))
                .expect("validation: another provider covers every postcode");
        }
        let per_mother = |q: u16| {
            let scope = scope_index(self.s.policy.scope, q);
            let hours = self.scopes[scope]
                .roster_contract
                .get(day as usize)
                .copied()
                .unwrap_or(0.0);
            hours / f64::from(self.observed.load[q as usize] + 1)
        };
        found
            .into_iter()
            .max_by(|&a, &b| per_mother(a).total_cmp(&per_mother(b)).then(b.cmp(&a)))
            .expect("validation: another provider covers every postcode")
    }

    /// Mother `m` (not in care) now belongs to provider `to`.
    fn set_provider(&mut self, m: u32, to: u16) {
        self.mothers[m as usize].provider = to;
        self.mother_state[m as usize].scope = scope_index(self.s.policy.scope, to) as u16;
    }

    /// Closure `k`'s day has come: the provider's carers join others or leave, its booked
    /// mothers and those in care move. Mothers' loads move with them, so the rule spreads
    /// them over the providers as it goes.
    pub(super) fn close_provider(&mut self, k: usize) {
        let (p, day) = (
            self.observed.closures[k].provider,
            self.observed.closures[k].day,
        );
        self.move_carers(k);
        let mut booked_moved = 0;
        let mut in_care_moved = 0;
        let mut refused = 0;
        for m in 0..self.mothers.len() as u32 {
            if self.mothers[m as usize].provider != p || self.mother_state[m as usize].refused {
                continue;
            }
            match self.observed.stage[m as usize] {
                Stage::Booked => {
                    let to = if self.observed.refusals() {
                        self.book(m, -1.0, day);
                        self.first_with_room(m, day, p)
                    } else {
                        Some(self.destination(m, day, p))
                    };
                    self.take_booking(m, -1.0);
                    self.forecast(m, -1.0);
                    self.observed.load[p as usize] =
                        self.observed.load[p as usize].saturating_sub(1);
                    match to {
                        Some(to) => {
                            self.set_provider(m, to);
                            self.book(m, 1.0, day);
                            self.take_booking(m, 1.0);
                            self.forecast(m, 1.0);
                            self.observed.load[to as usize] += 1;
                            booked_moved += 1;
                        }
                        None => {
                            self.mother_state[m as usize].refused = true;
                            self.observed.outcome[m as usize] =
                                RegistrationOutcome::RefusedAfterClosure;
                            refused += 1;
                        }
                    }
                }
                Stage::InCare => {
                    let to = self.destination(m, day, p);
                    self.observed.load[p as usize] =
                        self.observed.load[p as usize].saturating_sub(1);
                    self.observed.load[to as usize] += 1;
                    let from_scope = self.mother_state[m as usize].scope as usize;
                    let to_scope = scope_index(self.s.policy.scope, to);
                    self.mothers[m as usize].provider = to;
                    if from_scope != to_scope {
                        self.mother_state[m as usize].scope = to_scope as u16;
                        let mut st = self
                            .discharge(from_scope, m)
                            .expect("a mother in care moves");
                        st.scope = to_scope as u16;
                        self.enter_ward(m, st);
                    }
                    self.book(m, 1.0, day);
                    in_care_moved += 1;
                }
                Stage::NotRegistered | Stage::Ended => {}
            }
        }
        let c = &mut self.observed.closures[k];
        c.booked_moved = booked_moved;
        c.in_care_moved = in_care_moved;
        c.refused = refused;
    }

    /// Adds (1) or removes (-1) mother `m`'s booking of the policy's own check (`take_on`:
    /// her whole indication over her expected days) with her current scope.
    fn take_booking(&mut self, m: u32, sign: f64) {
        let mother = &self.mothers[m as usize];
        let scope = &mut self.scopes[self.mother_state[m as usize].scope as usize];
        let first = (mother.due_day as usize).min(scope.booked.len());
        let last = (first + mother.indication.home_days as usize).min(scope.booked.len());
        let h = mother.indication.total_hours / f64::from(mother.indication.home_days);
        for b in &mut scope.booked[first..last] {
            *b = (*b + sign * h).max(0.0);
        }
    }

    /// The closing provider's carers, in roster order: the first shares join the providers
    /// of `carers_join` in turn (each share of the count rounded at its cumulative boundary),
    /// the rest leave kraamzorg. A carer who moves takes her rostered days from the closing
    /// provider's scope to the new one; one who leaves is away for good.
    fn move_carers(&mut self, k: usize) {
        let (p, day) = (
            self.observed.closures[k].provider,
            self.observed.closures[k].day,
        );
        let ids: Vec<u32> = (0..self.carers.len() as u32)
            .filter(|&c| {
                self.observed.carer_provider[c as usize] == p
                    && !self.observed.left_field[c as usize]
            })
            .collect();
        let n = ids.len() as f64;
        let mut bounds = Vec::new();
        let mut cum = 0.0;
        for &(q, share) in &self.observed.closures[k].joins {
            cum += share;
            bounds.push(((n * cum).round() as usize, q));
        }
        let (mut joined, mut left) = (0, 0);
        for (rank, &c) in ids.iter().enumerate() {
            let to = bounds.iter().find(|(b, _)| rank < *b).map(|&(_, q)| q);
            let from_scope = self.carers[c as usize].scope as usize;
            // Her rostered days from today: not those of an absence known by now.
            let absences = &self.carer_absences[c as usize];
            let off = |d: Day| {
                absences
                    .iter()
                    .any(|a| (a.kind.is_planned() || a.start <= day) && a.start <= d && d < a.end)
            };
            let (hours, contract) = (
                self.carers[c as usize].max_hours_per_day,
                self.qualified_daily_hours[c as usize],
            );
            let len = self.scopes[from_scope].planned_capacity.len() as Day;
            let days: Vec<usize> = (day..len)
                .filter(|&d| !off(d))
                .map(|d| d as usize)
                .collect();
            for &d in &days {
                self.scopes[from_scope].planned_capacity[d] -= hours;
                self.scopes[from_scope].roster_contract[d] -= contract;
            }
            match to {
                Some(q) => {
                    let to_scope = scope_index(self.s.policy.scope, q);
                    for &d in &days {
                        self.scopes[to_scope].planned_capacity[d] += hours;
                        self.scopes[to_scope].roster_contract[d] += contract;
                    }
                    if to_scope != from_scope {
                        self.scopes[from_scope].carers.retain(|&x| x != c);
                        self.scopes[to_scope].carers.push(c);
                        self.carers[c as usize].scope = to_scope as u16;
                    }
                    self.observed.carer_provider[c as usize] = q;
                    joined += 1;
                }
                None => {
                    self.scopes[from_scope].carers.retain(|&x| x != c);
                    // Her last day closed for the supply figure as `close_day` would (she
                    // is in no scope from now on, so nothing resets her day again), then
                    // her budget period ends.
                    let (worked, idle) = {
                        let st = &mut self.carers[c as usize];
                        (
                            std::mem::take(&mut st.hours_today),
                            std::mem::take(&mut st.room_today),
                        )
                    };
                    if let Some(w) = self.plan_week.filter(|_| worked > 0.0) {
                        self.weeks[w].carer_hours_workable += worked;
                        self.totals.carer_hours_workable += worked;
                    }
                    self.supply[c as usize].add_idle(self.plan_week, idle);
                    let budget = self.carers[c as usize].week_budget;
                    super::credit_workable(
                        &mut self.supply[c as usize],
                        budget,
                        &mut self.weeks,
                        &mut self.totals,
                    );
                    let st = &mut self.carers[c as usize];
                    st.absent += 1;
                    st.daily_care_hours = 0.0;
                    st.week_budget = 0.0;
                    self.qualified_daily_hours[c as usize] = 0.0;
                    self.observed.left_field[c as usize] = true;
                    left += 1;
                }
            }
        }
        let c = &mut self.observed.closures[k];
        c.carers_joined = joined;
        c.carers_left = left;
    }
}
