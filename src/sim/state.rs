//! The running state of a region simulation (its results are in `crate::results`).

use super::continuity::{KNOWN_CARERS, NO_CARER};
use crate::model::Day;
use crate::policy::{ComingDay, MotherDay, TIERS, TierHours};
use crate::results::{MotherOutcome, ThirdCarer};

/// What changes about a mother while she is simulated.
#[derive(Debug, Clone)]
pub struct MotherState {
    pub scope: u16,
    /// Indicated hours per tier.
    pub indicated: TierHours,
    /// Indicated hours per day at home (total / home days): her share of a day's demand,
    /// kept here so that the daily plan does not have to reach into `Mother`.
    pub daily_demand: f64,
    /// Registration day and id, as one key: the order of first-come policies.
    pub registration_order: u64,
    /// Turned away at registration (refuse-when-full): she gets no care.
    pub refused: bool,
    /// Delivered hours per tier so far.
    pub delivered: TierHours,
    /// First and last day of care at home (set at care start).
    pub first_day: Day,
    pub last_day: Day,
    /// Carer who gave most hours on her latest day of care: asked first the next day.
    pub last_carer: Option<u32>,
    /// Distinct carers seen (the first few ids kept to recognise a returning carer; the
    /// count is exact up to `KNOWN_CARERS`, see `super::continuity`).
    pub seen: [u32; KNOWN_CARERS],
    pub carers: u8,
    /// Why she got a third carer (`None`: she has not).
    pub third_carer: Option<ThirdCarer>,
    /// Reporting week in which she was last counted as active (u32::MAX: never).
    pub last_week: u32,
    /// Registered in or after the early-registration week (a late registrant).
    pub late: bool,
    /// Moved to another provider by the regional waiting list at least once.
    pub transferred: bool,
    /// Got tier-4 hours on a day an early registrant of her scope was left behind on tier 3
    /// with room for more.
    pub tier4_while_early_behind: bool,
}

impl MotherState {
    pub fn new(scope: u16, indicated: TierHours, daily_demand: f64) -> Self {
        MotherState {
            scope,
            indicated,
            daily_demand,
            registration_order: 0,
            refused: false,
            delivered: [0.0; TIERS],
            first_day: 0,
            last_day: 0,
            last_carer: None,
            seen: [NO_CARER; KNOWN_CARERS],
            carers: 0,
            third_carer: None,
            last_week: u32::MAX,
            late: false,
            transferred: false,
            tier4_while_early_behind: false,
        }
    }

    /// Hours per tier still owed.
    pub fn owed(&self) -> TierHours {
        std::array::from_fn(|t| (self.indicated[t] - self.delivered[t]).max(0.0))
    }

    /// Her entry in the plan of `day` (`daily_cap`: the most hours a mother gets in a day).
    pub fn plan_entry(&self, day: Day, daily_cap: f64) -> MotherDay {
        MotherDay {
            indicated: self.indicated,
            owed: self.owed(),
            days_left: self.last_day + 1 - day,
            daily_cap,
            registration_order: self.registration_order,
        }
    }

    /// Records that carer `c` gave her hours (counted once however often she comes); `why`
    /// she needed her, asked only if `c` is her third carer.
    pub fn note_carer(&mut self, c: u32, why: impl FnOnce() -> ThirdCarer) {
        if self.seen.contains(&c) {
            return;
        }
        if let Some(slot) = self.seen.iter_mut().find(|s| **s == NO_CARER) {
            *slot = c;
        }
        self.carers = self.carers.saturating_add(1);
        if self.carers == 3 {
            self.third_carer = Some(why());
        }
    }

    /// Her carers in the order she prefers them: the one of her latest day first, then the
    /// others she had (padded with `NO_CARER`).
    pub fn known_carers(&self) -> [u32; KNOWN_CARERS] {
        let Some(last) = self.last_carer else {
            return self.seen;
        };
        if self.seen[0] == last {
            return self.seen; // her first carer is still her main one: the order as seen
        }
        let mut out = [NO_CARER; KNOWN_CARERS];
        out[0] = last;
        let mut j = 1;
        for &c in self.seen.iter().take_while(|&&c| c != NO_CARER) {
            if c != last && j < KNOWN_CARERS {
                out[j] = c;
                j += 1;
            }
        }
        out
    }
}

/// What changes about a carer.
#[derive(Debug, Clone)]
pub struct CarerState {
    pub scope: u16,
    /// Contract care hours per day: weekly care hours / 7 (divided once, here).
    pub daily_care_hours: f64,
    pub max_hours_per_day: f64,
    /// Number of absences (holiday, sickness) in force: she works only when 0.
    pub absent: u32,
    /// Care hours left in her budget period ([`budget_period_end`]).
    pub week_budget: f64,
    /// The day after her current budget period ([`budget_period_end`]).
    pub period_end: u32,
    /// Care hours worked in the current calendar week (at most `max_week_hours`).
    pub week_hours: f64,
    /// Days in a row she has worked, up to `worked_until - 1` (at most `max_days_in_row`).
    pub days_in_row: u32,
    /// The collective agreement's limits on her work (CAO Kraamzorg, DOMAIN.md "How care is
    /// organised day to day"; `carers.max_hours_per_week` and `carers.max_days_in_row`): at
    /// most 36 hours a week (care hours: in a kraamweek almost all of her hours are spent
    /// with families) and six days in a row (36 hours of unbroken rest in every 7 × 24 h).
    /// A shift is at most `max_hours_per_day`.
    pub max_week_hours: f64,
    pub max_days_in_row: u32,
    /// Hours she can still work today.
    pub room_today: f64,
    /// Hours she has worked today (care and birth assistance).
    pub hours_today: f64,
    /// Under a one-carer-per-mother policy: the minute at which the mother she holds no longer
    /// needs her (0: free).
    pub held_until: u32,
    /// The day after the last day she handed out planned care hours (0: never): yesterday's
    /// carers hand out first (`Simulation::hand_out`).
    pub worked_until: u32,
    /// The planned care hours she handed out on that day.
    pub last_load: f64,
}

impl CarerState {
    /// Her room on a day she is not away: her shift, her period's budget and the week's limit,
    /// and none after `max_days_in_row` days in a row (`worked_yesterday`: she worked the day
    /// before).
    pub fn room(&self, worked_yesterday: bool) -> f64 {
        if worked_yesterday && self.days_in_row >= self.max_days_in_row {
            return 0.0;
        }
        self.max_hours_per_day
            .min(self.week_budget)
            .min(self.max_week_hours - self.week_hours)
            .max(0.0)
    }

    /// The hours she can give a family over the coming days as things stand: her budget, and
    /// her shifts until she must rest (`worked_yesterday`: today continues a run of days) or
    /// her next free weekend (`days_to_free_weekend` days from today). A coordinator picks the
    /// carer whose coming days fit the family's: the one who can carry her longest.
    pub fn can_carry(
        &self,
        worked_yesterday: bool,
        days_to_free_weekend: u32,
        days_to_monday: u32,
    ) -> f64 {
        let days_in_row = if worked_yesterday {
            self.days_in_row
        } else {
            0
        };
        let days = self
            .max_days_in_row
            .saturating_sub(days_in_row)
            .min(days_to_free_weekend);
        // This week's hours left, and a new week's if her run reaches Monday.
        let mut week = (self.max_week_hours - self.week_hours).max(0.0);
        if days > days_to_monday {
            week += self.max_week_hours;
        }
        self.week_budget
            .min(f64::from(days) * self.max_hours_per_day)
            .min(week)
    }

    /// Counts `day` as a working day of hers (once a day, however many pieces she gives):
    /// her run of days in a row goes on if she worked yesterday, else starts again. Returns
    /// whether today is new to her (her first piece of the day).
    pub fn begin_day(&mut self, day: u32) -> bool {
        if self.worked_until == day + 1 {
            return false;
        }
        self.days_in_row = if self.worked_until == day {
            self.days_in_row + 1
        } else {
            1
        };
        self.worked_until = day + 1;
        true
    }

    /// Takes `hours` she works today off her room, her budget and her week.
    pub fn work(&mut self, hours: f64) {
        self.room_today -= hours;
        self.hours_today += hours;
        self.week_budget -= hours;
        self.week_hours += hours;
    }

    pub fn new(scope: u16, weekly_care_hours: f64, max_hours_per_day: f64) -> Self {
        CarerState {
            scope,
            daily_care_hours: weekly_care_hours / 7.0,
            max_hours_per_day,
            absent: 0,
            week_budget: 0.0,
            period_end: 0,
            week_hours: 0.0,
            days_in_row: 0,
            max_week_hours: f64::INFINITY,
            max_days_in_row: u32::MAX,
            room_today: 0.0,
            hours_today: 0.0,
            held_until: 0,
            worked_until: 0,
            last_load: 0.0,
        }
    }
}

/// The day after the budget period of carer `carer` that holds `day`, when day 0 is a
/// `start_weekday` (Monday = 0). A carer's contract hours are an average over periods of
/// `weeks` calendar weeks (`carers.averaging_weeks`); the carers' periods are staggered (carer
/// `c` starts hers in the weeks `w` with `(w + c) % weeks == 0`), as each carer has her own
/// roster: were they all to end together, a shortage that spends every budget early would
/// leave a whole region without carers in the last days of every period.
pub fn budget_period_end(carer: u32, day: u32, weeks: u32, start_weekday: u32) -> u32 {
    let weeks = weeks.max(1);
    let week = (day + start_weekday) / 7;
    let into = (week + carer % weeks) % weeks;
    (week + weeks - into) * 7 - start_weekday
}

/// Whether carer `carer` has the weekend of calendar week `week` free, when she has
/// `free_weekends` free weekends a year (CAO Kraamzorg: at least 22). Her free weekends are
/// spread evenly over the year (every 52 weeks in a row hold exactly `free_weekends` of
/// them) and carers take turns: each starts at her own place in the 52-week cycle, so in
/// every week about the same share of carers is off. Known ahead, like a holiday.
pub fn weekend_free(carer: u32, week: u32, free_weekends: u32) -> bool {
    let free = u64::from(free_weekends.min(52));
    // 23 is coprime to 52: the carers' starting places cover the cycle evenly.
    let w = u64::from(week) + u64::from(carer) * 23 % 52;
    (w + 1) * free / 52 > w * free / 52
}

/// How many days from `day` (a `weekday`, Monday = 0, of calendar week `week`) carer `carer`
/// can come before her next free weekend, looking at most `horizon` days ahead (0 when today
/// is part of one). The rule as written; the day loop reads it from [`WeekendRota`].
#[cfg(test)]
pub fn days_to_free_weekend(
    carer: u32,
    week: u32,
    weekday: u32,
    free_weekends: u32,
    horizon: u32,
) -> u32 {
    let mut saturday = 5i64 - i64::from(weekday); // days from today to this week's Saturday
    let mut w = week;
    // From Monday to Sunday, this week's Sunday is still ahead (or today): `saturday` >= -1.
    while saturday < i64::from(horizon) {
        if weekend_free(carer, w, free_weekends) {
            return saturday.max(0) as u32;
        }
        saturday += 7;
        w += 1;
    }
    horizon
}

/// The free weekends of every carer, read from a table instead of computed: the day loop asks
/// for each carer on every weekend day and for every free carer a family might be given
/// (about 10^7 times in a national year). [`weekend_free`] repeats every 52 weeks (each 52
/// weeks in a row hold exactly `free_weekends` free ones), so one cycle is all there is.
#[derive(Debug, Clone)]
pub struct WeekendRota {
    /// Whether week `w` of the cycle is free for carer 0 ([`weekend_free`]).
    free: [bool; 52],
    /// Weeks from week `w` of the cycle to the next free one (0: `w` is free); `u8::MAX` when
    /// no weekend is free.
    weeks_to_free: [u8; 52],
}

impl WeekendRota {
    pub fn new(free_weekends: u32) -> Self {
        let free: [bool; 52] = std::array::from_fn(|w| weekend_free(0, w as u32, free_weekends));
        let weeks_to_free = std::array::from_fn(|w| {
            (0..52)
                .find(|k| free[(w + k) % 52])
                .map_or(u8::MAX, |k| k as u8)
        });
        WeekendRota {
            free,
            weeks_to_free,
        }
    }

    /// Carer `carer`'s place in the cycle in calendar week `week`.
    fn cycle_week(carer: u32, week: u32) -> usize {
        ((u64::from(week) + u64::from(carer) * 23 % 52) % 52) as usize
    }

    /// [`weekend_free`], from the table.
    #[inline]
    pub fn is_free(&self, carer: u32, week: u32) -> bool {
        self.free[Self::cycle_week(carer, week)]
    }

    /// `days_to_free_weekend` (the rule as written, in the tests), from the table.
    #[inline]
    pub fn days_to_free(&self, carer: u32, week: u32, weekday: u32, horizon: u32) -> u32 {
        let weeks = self.weeks_to_free[Self::cycle_week(carer, week)];
        let saturday = 5 - i64::from(weekday) + 7 * i64::from(weeks);
        if weeks == u8::MAX || saturday >= i64::from(horizon) {
            horizon
        } else {
            saturday.max(0) as u32
        }
    }
}

/// A capacity scope: a provider, or a whole region when carers are pooled.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Mothers in care now (ids), and in the same order their state and their entry of the
    /// day's plan: the ward. While a mother is in care her state lives here (the copy in
    /// `Simulation::mother_state` is stale): the day loop (prepare, plan, hand-out,
    /// placement) walks these arrays in order every day instead of reaching into the
    /// region's mothers at random. [`Scope::admit`] moves her state in,
    /// [`Scope::discharge`] hands it back.
    pub active: Vec<u32>,
    /// The state of each mother of `active`, in the same order.
    pub in_care: Vec<MotherState>,
    /// Its carers, in generation order.
    pub carers: Vec<u32>,
    /// Per day: hours the known roster can work (holidays known ahead, sickness from onset).
    pub planned_capacity: Vec<f64>,
    /// Per day: tier-1/2 hours that registered mothers not yet in care will need.
    pub due_soon_need: Vec<f64>,
    /// Per day: tier-3 hours that early registrants not yet in care will need.
    pub due_soon_rest_early: Vec<f64>,
    /// Per day: contract care hours of the carers rostered (holidays known ahead), against
    /// which a provider books registrations.
    pub roster_contract: Vec<f64>,
    /// Per day: hours booked for the mothers taken on (full indication over her days).
    pub booked: Vec<f64>,
    /// Hours held back every day for birth assistance.
    pub on_call_reserve: f64,
    /// Carer hours still free today (after the plan), for birth assistance.
    pub room_left: f64,
    /// Next carer to take hours from today.
    pub cursor: usize,
    /// Carer hours that could be worked in the current plan-day (07:00 to 07:00), and the
    /// hours taken in it so far (the plan and birth assistance): for the capacity check.
    pub capacity_today: f64,
    pub used_today: f64,
    /// Today's week budget of its carers and contract hours of those present.
    pub week_budget_today: f64,
    pub contract_today: f64,
    /// Hours lent today to other providers' mothers (waiting list).
    pub lent_today: f64,
    /// Birth-assistance hours worked by carers called away from their families (no on-call
    /// carer was free) beyond the day's spare room: taken from the next plan-day's hours
    /// before the policy divides them (`assist_debt`), and what was taken today.
    pub assist_debt: f64,
    pub assist_debt_today: f64,
    /// The plan's view of the mothers in care (same order as `active`): fixed fields set at
    /// admission, owed hours and days left brought up to date by `prepare_scope`; and the
    /// day's plan, their hours.
    pub inputs: Vec<MotherDay>,
    pub plan: Vec<TierHours>,
    pub coming: Vec<ComingDay>,
    /// Hours other providers lend today: (index in `active`, lender scope, hours), by index.
    pub borrowed: Vec<(usize, usize, f64)>,
    /// The carers who hand out today's plan, in roster order (for `super::continuity`).
    pub handout: Vec<u32>,
    /// The carers who handed out the previous plan-day's hours, in that order.
    pub worked_yesterday: Vec<u32>,
}

impl Scope {
    pub fn new(days: usize) -> Self {
        Scope {
            active: Vec::new(),
            in_care: Vec::new(),
            carers: Vec::new(),
            planned_capacity: vec![0.0; days],
            due_soon_need: vec![0.0; days],
            due_soon_rest_early: vec![0.0; days],
            roster_contract: vec![0.0; days],
            booked: vec![0.0; days],
            on_call_reserve: 0.0,
            room_left: 0.0,
            cursor: 0,
            capacity_today: 0.0,
            used_today: 0.0,
            week_budget_today: 0.0,
            contract_today: 0.0,
            lent_today: 0.0,
            assist_debt: 0.0,
            assist_debt_today: 0.0,
            inputs: Vec::new(),
            plan: Vec::new(),
            coming: Vec::new(),
            borrowed: Vec::new(),
            handout: Vec::new(),
            worked_yesterday: Vec::new(),
        }
    }

    /// Takes mother `m` into care with her state, and her plan entry (`daily_cap`: the most
    /// hours a mother gets in a day). Her days left are set by the next `prepare_scope`, as
    /// for every mother in care. Returns her place in the ward (her index in `active`).
    pub fn admit(&mut self, m: u32, state: MotherState, daily_cap: f64) -> usize {
        self.inputs
            .push(state.plan_entry(state.first_day, daily_cap));
        self.active.push(m);
        self.in_care.push(state);
        self.active.len() - 1
    }

    /// The mother at place `pos` of the ward leaves care: her state, to be written back, and
    /// the id of the mother now at `pos` (`None` if the leaver was the last). The last mother
    /// takes her place, as the plan's order has always been kept. The caller keeps each
    /// mother's place (`Simulation::ward_slot`), so that a mother leaving a ward of dozens is
    /// not searched for.
    pub fn discharge(&mut self, pos: usize) -> (MotherState, Option<u32>) {
        self.active.swap_remove(pos);
        self.inputs.swap_remove(pos);
        let state = self.in_care.swap_remove(pos);
        (state, self.active.get(pos).copied())
    }
}

/// A mother's outcome is read off her running state when her care ends.
impl MotherOutcome {
    pub fn new(mother: u32, st: &MotherState, minimum_hours: f64) -> Self {
        let indicated_total: f64 = st.indicated.iter().sum();
        let delivered_total: f64 = st.delivered.iter().sum();
        MotherOutcome {
            mother,
            indicated: st.indicated,
            delivered: st.delivered,
            minimum_met: delivered_total >= minimum_hours.min(indicated_total) - 1e-6,
            carers: st.carers,
            third_carer: st.third_carer,
            late: st.late,
            transferred: st.transferred,
            tier4_while_early_behind: st.tier4_while_early_behind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mother in care from day 3 to day 10, with `id` medical hours.
    fn mother(id: u32) -> MotherState {
        let mut st = MotherState::new(0, [24.0, f64::from(id), 0.0, 0.0], 5.0);
        st.first_day = 3;
        st.last_day = 10;
        st
    }

    #[test]
    fn the_ward_keeps_ids_states_and_plan_entries_in_one_order() {
        let mut scope = Scope::new(4);
        for (pos, id) in [7, 8, 9].into_iter().enumerate() {
            assert_eq!(scope.admit(id, mother(id), 8.0), pos);
        }
        // The leaver's place goes to the last mother, in all three arrays alike.
        let (gone, moved) = scope.discharge(0);
        assert_eq!(gone.indicated[1], 7.0);
        assert_eq!(moved, Some(9));
        assert_eq!(scope.active, [9, 8]);
        let medical =
            |s: &Scope| -> Vec<f64> { s.in_care.iter().map(|m| m.indicated[1]).collect() };
        assert_eq!(medical(&scope), [9.0, 8.0]);
        let owed: Vec<f64> = scope.inputs.iter().map(|m| m.owed[1]).collect();
        assert_eq!(owed, [9.0, 8.0]);
        assert_eq!(scope.inputs[0].days_left, 8);
        // The last mother leaving moves nobody.
        assert_eq!(scope.discharge(1).1, None);
        assert_eq!(scope.active, [9]);
    }

    #[test]
    fn the_weekend_rota_gives_what_the_rule_gives() {
        for free_weekends in [0, 1, 22, 26, 51, 52] {
            let rota = WeekendRota::new(free_weekends);
            for carer in [0, 1, 7, 51, 52, 1000, 12345] {
                for week in 0..160 {
                    assert_eq!(
                        rota.is_free(carer, week),
                        weekend_free(carer, week, free_weekends)
                    );
                    for weekday in 0..7 {
                        for horizon in [0, 1, 6, 10, 30] {
                            assert_eq!(
                                rota.days_to_free(carer, week, weekday, horizon),
                                days_to_free_weekend(carer, week, weekday, free_weekends, horizon),
                                "{free_weekends} {carer} {week} {weekday} {horizon}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn known_carers_put_the_latest_first_then_the_others_as_seen() {
        let mut st = MotherState::new(0, [24.0, 0.0, 0.0, 0.0], 5.0);
        for c in [4, 5, 6] {
            st.note_carer(c, || ThirdCarer::Other);
        }
        st.note_carer(5, || ThirdCarer::Other);
        assert_eq!(st.carers, 3);
        assert_eq!(st.known_carers()[..3], [4, 5, 6]);
        st.last_carer = Some(6);
        assert_eq!(st.known_carers()[..4], [6, 4, 5, NO_CARER]);
        st.last_carer = Some(4);
        assert_eq!(st.known_carers()[..3], [4, 5, 6]);
    }
}
