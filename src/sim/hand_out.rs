//! The hand-out: a scope's planned hours go to its carers, with the working-time rules and
//! continuity of care (`super::continuity`): which carers a family keeps, how much each gives,
//! and what is taken from the carers' room and budgets.

use crate::model::Day;

use super::{CARRY_DAYS, SHIFT_HOURS, Simulation, continuity, why_another_carer};
use super::continuity::Family;
use super::state::{CarerState, MotherState};

impl<'a> Simulation<'a> {
    /// Names the carers of the scope-day with continuity (`continuity::assign`: a family keeps
    /// her main carer) and has them work the hours; returns the hours no carer had room for.
    pub(super) fn name_carers(
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
        let weekends = &self.weekends;
        let mut pieces = std::mem::take(&mut self.pieces);
        pieces.clear();
        let left = continuity::assign(
            families,
            &sc.carers,
            &mut room,
            |c| {
                let st = &carers[c as usize];
                let free = weekends.days_to_free(c, week, weekday, CARRY_DAYS);
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
    pub(super) fn hand_out(
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
    pub(super) fn take_hours(&mut self, scope: usize, hours: f64) -> (Option<u32>, f64) {
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
