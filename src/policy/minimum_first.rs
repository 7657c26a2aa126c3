//! The minimum-first policy required by the insurers (`DESIGN.md` §2).

use std::cell::RefCell;

use super::{
    AllocationPolicy, DayInput, MotherDay, Rationing, TIERS, Tier, TierHours, reserve_for_due_soon,
    reserve_for_guarantees,
    water_fill::{Claim, water_fill_in},
};

/// Minimum-first: tier 1 before 2 before 3 before 4, with a reservation for the coming days.
///
/// A day is planned in steps, each rationed max-min fairly when capacity runs short. Inside
/// every tier the hours that can only be given today ([`Step::Today`]: what she is owed beyond
/// what her days after today can hold at her daily cap) come before her even share of the day
/// ([`Step::Share`]), which comes before any hours that could wait ([`Step::Rest`]):
/// 1. tier 1, today's hours, then every mother's share of the day;
/// 2. the same for tier 2 (medical hours);
/// 3. the rest of tiers 1 and 2, up to her daily cap: guaranteed hours are front-loaded before
///    anyone gets extras, so a later shortage (sickness) cannot take them away;
/// 4. the reservation: of the week's remaining contract hours, what the coming days need for
///    tier 1 and 2 of mothers due soon (and of mothers in care still owed) is held back;
/// 5. tier 3, the early registrants' guarantee, from what is left: today's hours, the share of
///    the day, then the rest up to her daily cap (front-loaded like tiers 1 and 2);
/// 6. a second reservation, now for tiers 1 to 3: what the coming days of the week need for
///    the early registrants due soon and the tier-3 hours still owed to those in care;
/// 7. tier 4 from what is left: today's hours, then the share of the day (never front-loaded:
///    a late registrant's extras never take a day's hours from a guarantee).
#[derive(Debug, Clone, Copy, Default)]
pub struct MinimumFirst {
    /// How a step that cannot be served in full is divided (default: max-min).
    pub rationing: Rationing,
}

impl AllocationPolicy for MinimumFirst {
    fn name(&self) -> &'static str {
        "minimum-first"
    }

    fn keeps_tier_order(&self) -> bool {
        true
    }

    fn allocate_day(&self, input: &DayInput<'_>, plan: &mut [TierHours]) {
        SCRATCH.with_borrow_mut(|scratch| allocate(input, plan, self.rationing, scratch));
    }
}

/// What a mother asks of a tier in one step of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The hours of the tier that only today can still hold: what she is owed of this tier and
    /// the tiers before it beyond what her days after today can take at her daily cap. Not
    /// given today, they are lost for good.
    Today,
    /// Her even share of the day: what she is owed of the tier over her days left (or more,
    /// as [`Step::Today`] demands), so she stays on track for the tier within her window.
    Share,
    /// The rest of the tier up to her daily cap (front-loading a guarantee).
    Rest,
}

/// Buffers of one step's rationing, reused from call to call: the policy runs for every
/// scope-day (about 10^5 times in a national year) and would otherwise allocate each time.
/// They carry nothing from one call to the next, so the policy stays a pure function.
#[derive(Default)]
struct Scratch {
    claims: Vec<Claim>,
    /// Index into the day's mothers of each claim.
    claimants: Vec<usize>,
    hours: Vec<f64>,
    breakpoints: Vec<(f64, f64)>,
    /// The claims' total demand, summed in their order.
    total_demand: f64,
}

impl Scratch {
    /// Starts a step's claims afresh.
    fn clear_claims(&mut self) {
        self.claims.clear();
        self.claimants.clear();
        self.total_demand = 0.0;
    }

    fn add_claim(&mut self, i: usize, claim: Claim) {
        self.total_demand += claim.demand;
        self.claims.push(claim);
        self.claimants.push(i);
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// The guaranteed steps of tiers 1 and 2, in serving order.
const GUARANTEED_STEPS: [(Tier, Step); 6] = [
    (Tier::Minimum, Step::Today),
    (Tier::Minimum, Step::Share),
    (Tier::Medical, Step::Today),
    (Tier::Medical, Step::Share),
    (Tier::Minimum, Step::Rest),
    (Tier::Medical, Step::Rest),
];

/// Tier 3's steps: the early registrants' guarantee, front-loaded.
const EARLY_STEPS: [(Tier, Step); 3] = [
    (Tier::RestEarly, Step::Today),
    (Tier::RestEarly, Step::Share),
    (Tier::RestEarly, Step::Rest),
];

/// Tier 4's steps: never front-loaded.
const LATE_STEPS: [(Tier, Step); 2] =
    [(Tier::RestLate, Step::Today), (Tier::RestLate, Step::Share)];

/// The steps of [`MinimumFirst`] for one scope-day.
fn allocate(
    input: &DayInput<'_>,
    plan: &mut [TierHours],
    rationing: Rationing,
    scratch: &mut Scratch,
) {
    let mothers = input.mothers;
    debug_assert_eq!(mothers.len(), plan.len());
    plan.iter_mut().for_each(|p| *p = [0.0; TIERS]);
    let capacity = input.capacity.max(0.0);

    // Steps 1-3: the guaranteed tiers, in one pass when nothing needs rationing.
    let mut capacity_left = capacity;
    match steps_in_full(mothers, plan, GUARANTEED_STEPS, capacity) {
        Some(totals) => {
            for given in totals {
                capacity_left = (capacity_left - given).max(0.0);
            }
        }
        None => {
            plan.iter_mut().for_each(|p| *p = [0.0; TIERS]);
            for (tier, step) in GUARANTEED_STEPS {
                capacity_left -=
                    serve(mothers, plan, tier, step, capacity_left, rationing, scratch);
                capacity_left = capacity_left.max(0.0);
            }
        }
    }
    let reserving = !input.coming_days.is_empty();
    // Step 4: hold back what the coming days need for guaranteed hours.
    let given = capacity - capacity_left;
    let mut extra_left = if reserving {
        let reserve = reserve_for_due_soon(input.coming_days, still_owed_guaranteed(mothers, plan));
        (input.week_budget_left - given - reserve).min(capacity_left)
    } else {
        capacity_left
    }
    .max(0.0);
    // Step 5: tier 3, the early registrants' guarantee (in one pass when it fits).
    let early = Tier::RestEarly as usize;
    // With no hours left every claim would get 0 hours: nothing to do (in a shortage, most
    // days).
    let early_steps = if extra_left > 0.0 {
        steps_in_full(mothers, plan, EARLY_STEPS, extra_left)
    } else {
        Some([0.0; EARLY_STEPS.len()])
    };
    match early_steps {
        Some(totals) => {
            for got in totals {
                extra_left = (extra_left - got).max(0.0);
                capacity_left = (capacity_left - got).max(0.0);
            }
        }
        None => {
            plan.iter_mut().for_each(|p| p[early] = 0.0);
            for (tier, step) in EARLY_STEPS {
                let got = serve(mothers, plan, tier, step, extra_left, rationing, scratch);
                extra_left = (extra_left - got).max(0.0);
                capacity_left = (capacity_left - got).max(0.0);
            }
        }
    }
    // Step 6: hold back what the coming days need for tiers 1 to 3.
    let given = capacity - capacity_left;
    let mut late_left = if reserving {
        let horizon = input.coming_days.len();
        let reserve = reserve_for_guarantees(
            input.coming_days,
            still_owed_guaranteed(mothers, plan) + early_owed_this_week(mothers, plan, horizon),
        );
        (input.week_budget_left - given - reserve).min(extra_left)
    } else {
        extra_left
    }
    .max(0.0);
    // Step 7: tier 4 from what is left (in one pass when it fits).
    if late_left > 0.0 && steps_in_full(mothers, plan, LATE_STEPS, late_left).is_none() {
        let late = Tier::RestLate as usize;
        plan.iter_mut().for_each(|p| p[late] = 0.0);
        for (tier, step) in LATE_STEPS {
            let got = serve(mothers, plan, tier, step, late_left, rationing, scratch);
            late_left = (late_left - got).max(0.0);
        }
    }
}

/// The tier-1/2 hours still owed after today's plan, summed over the mothers (step 4).
fn still_owed_guaranteed(mothers: &[MotherDay], plan: &[TierHours]) -> f64 {
    mothers
        .iter()
        .zip(plan)
        .map(|(m, p)| (m.owed_guaranteed() - p[0] - p[1]).max(0.0))
        .sum()
}

/// The tier-3 hours still owed after today's plan that the next `horizon` days can hold at
/// each mother's daily cap, after her tier-1/2 hours (step 6): hours she can only receive
/// after the budget week ends need nothing of this week's budget.
fn early_owed_this_week(mothers: &[MotherDay], plan: &[TierHours], horizon: usize) -> f64 {
    let early = Tier::RestEarly as usize;
    mothers
        .iter()
        .zip(plan)
        .map(|(m, p)| {
            let owed3 = (m.owed[early] - p[early]).max(0.0);
            if owed3 <= 0.0 {
                return 0.0;
            }
            let days = m.days_left.saturating_sub(1).min(horizon as u32);
            let room = m.daily_cap * f64::from(days);
            let owed12 = (m.owed_guaranteed() - p[0] - p[1]).max(0.0);
            (owed12 + owed3).min(room) - owed12.min(room)
        })
        .sum()
}

/// One step: every mother still owed something of `tier` claims what the step asks of her
/// ([`step_demand`], within her room today), `budget` is rationed over the claims with
/// [`super::water_fill`], and the hours are added to `plan`. Returns the hours given.
fn serve(
    mothers: &[MotherDay],
    plan: &mut [TierHours],
    tier: Tier,
    step: Step,
    budget: f64,
    rationing: Rationing,
    scratch: &mut Scratch,
) -> f64 {
    let t = tier as usize;
    if budget <= 0.0 {
        return 0.0; // nothing to give: every claim would get 0 hours
    }
    scratch.clear_claims();
    for (i, (m, p)) in mothers.iter().zip(plan.iter()).enumerate() {
        if m.owed[t] > p[t] {
            let c = claim(m, p, t, step_demand(m, p, t, step));
            if c.demand > 0.0 {
                scratch.add_claim(i, c);
            }
        }
    }
    grant(plan, t, budget, rationing, scratch)
}

/// Grants the claims in `scratch` on tier `t` from `budget` (rationed with
/// [`super::water_fill`] when they ask for more) and adds them to `plan`. Returns the hours
/// given.
fn grant(
    plan: &mut [TierHours],
    t: usize,
    budget: f64,
    rationing: Rationing,
    scratch: &mut Scratch,
) -> f64 {
    let (claims, who) = (&scratch.claims, &scratch.claimants);
    let total_demand = scratch.total_demand;
    // Most steps ask for less than the budget: everyone gets her demand (what `water_fill`
    // would give too), without its second pass.
    if total_demand <= budget.max(0.0) {
        for (&i, c) in who.iter().zip(claims.iter()) {
            plan[i][t] += c.demand;
        }
        return total_demand;
    }
    let hours = &mut scratch.hours;
    hours.clear();
    hours.resize(claims.len(), 0.0);
    match rationing {
        Rationing::MaxMin => water_fill_in(claims, budget, hours, &mut scratch.breakpoints),
        Rationing::Proportional => {
            let factor = budget.max(0.0) / total_demand;
            for (h, c) in hours.iter_mut().zip(claims.iter()) {
                *h = c.demand * factor;
            }
        }
    }
    for (&i, h) in who.iter().zip(hours.iter()) {
        plan[i][t] += h;
    }
    hours.iter().sum()
}

/// What a mother asks of tier `t` in `step`, given the hours already planned for her today
/// (before her room and what she is owed of the tier cap it, in [`claim`]).
pub fn step_demand(m: &MotherDay, given_today: &TierHours, t: usize, step: Step) -> f64 {
    match step {
        Step::Today => today_only(m, given_today, t),
        Step::Share => (on_track_share(m, given_today, t) - given_today[t]).max(0.0),
        Step::Rest => f64::INFINITY,
    }
}

/// A mother's hours of tier `t` that only today can still hold: what she is owed of tiers
/// 1..=`t` beyond what her days after today can take at her daily cap, less what she already
/// has today of those tiers. Later tiers are left out: they are served after this one on
/// every coming day too, so they never take room from it.
pub fn today_only(m: &MotherDay, given_today: &TierHours, t: usize) -> f64 {
    let later_room = m.daily_cap * f64::from(m.days_left.max(1) - 1);
    let owed_up_to_t: f64 = m.owed[..=t].iter().sum();
    let given_up_to_t: f64 = given_today[..=t].iter().sum();
    let owed_t = (m.owed[t] - given_today[t]).max(0.0);
    (owed_up_to_t - later_room - given_up_to_t).clamp(0.0, owed_t)
}

/// A run of `steps` in one pass over the mothers, for the common day on which every step's
/// claims fit the budget left: then each step grants every claim in full, so going mother by
/// mother gives exactly the hours (and sums) of going step by step. Returns the hours each
/// step gave, or `None` when some step would have had to ration (the plan's tiers of these
/// steps are then partial, to be done again step by step from zero).
fn steps_in_full<const N: usize>(
    mothers: &[MotherDay],
    plan: &mut [TierHours],
    steps: [(Tier, Step); N],
    budget: f64,
) -> Option<[f64; N]> {
    let mut step_totals = [0.0; N];
    for (m, p) in mothers.iter().zip(plan.iter_mut()) {
        for (total, (tier, step)) in step_totals.iter_mut().zip(steps) {
            let t = tier as usize;
            if m.owed[t] <= p[t] {
                continue; // nothing owed: a claim of 0 hours
            }
            let hours = claim(m, p, t, step_demand(m, p, t, step)).demand;
            p[t] += hours;
            *total += hours;
        }
    }
    let mut left = budget;
    for total in step_totals {
        if total > left.max(0.0) {
            return None;
        }
        left = (left - total).max(0.0);
    }
    Some(step_totals)
}

/// A mother's claim on tier `t` when she asks for `demand` hours: capped by her room left
/// today and what she is still owed of the tier.
fn claim(m: &MotherDay, p: &TierHours, t: usize, demand: f64) -> Claim {
    let room = (m.daily_cap - p.iter().sum::<f64>()).max(0.0);
    let owed = (m.owed[t] - p[t]).max(0.0);
    Claim {
        demand: demand.min(room).min(owed).max(0.0),
        owed,
        indicated: m.indicated[t],
        days_left: m.days_left,
    }
}

/// A mother's tier-`t` hours for today that keep her on track for the tier: an even share of
/// what she was owed of it at the start of the day over her days left, or more when her
/// remaining days at her daily cap could otherwise not hold all she is still owed of it and
/// the tiers before it ([`today_only`]). Counts what she already has of the tier today: the
/// [`Step::Share`] step asks for this less `given_today[t]`.
pub fn on_track_share(m: &MotherDay, given_today: &TierHours, t: usize) -> f64 {
    let days = f64::from(m.days_left.max(1));
    let mut before = *given_today;
    before[t] = 0.0;
    (m.owed[t] / days)
        .max(today_only(m, &before, t))
        .min(m.owed[t])
        .max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ComingDay;

    fn mother(owed: TierHours, days_left: u32) -> MotherDay {
        MotherDay {
            indicated: owed,
            owed,
            days_left,
            daily_cap: 8.0,
            registration_order: 0,
        }
    }

    fn day(
        mothers: &[MotherDay],
        capacity: f64,
        budget: f64,
        coming: &[ComingDay],
    ) -> Vec<TierHours> {
        let input = DayInput {
            mothers,
            capacity,
            week_budget_left: budget,
            coming_days: coming,
        };
        let mut plan = vec![[0.0; TIERS]; mothers.len()];
        MinimumFirst::default().allocate_day(&input, &mut plan);
        plan
    }

    #[test]
    fn on_track_share_is_even_unless_the_cap_forces_more() {
        let m = mother([0.0, 0.0, 20.0, 0.0], 5);
        assert_eq!(on_track_share(&m, &[0.0; TIERS], 2), 4.0);
        // 38 h owed in 5 days at 8 h a day: at least 6 h today.
        let m = mother([0.0, 0.0, 38.0, 0.0], 5);
        assert_eq!(on_track_share(&m, &[0.0; TIERS], 2), 7.6);
        let m = mother([10.0, 0.0, 30.0, 0.0], 5);
        assert_eq!(on_track_share(&m, &[8.0, 0.0, 0.0, 0.0], 2), 6.0);
        // What she already has of the tier today counts towards it.
        assert_eq!(on_track_share(&m, &[8.0, 0.0, 2.0, 0.0], 2), 6.0);
    }

    #[test]
    fn today_only_counts_the_tiers_up_to_this_one() {
        // 10 h of the minimum on her last day: all 10 can only be given today.
        assert_eq!(
            today_only(&mother([10.0, 0.0, 0.0, 0.0], 1), &[0.0; TIERS], 0),
            10.0
        );
        // 20 h of the minimum and 10 h medical over 3 days at 8 h: 16 h fit later, so 4 h of
        // the minimum and (30 - 16 - 4 given) 10 h of tiers 1-2, of which 6 are medical.
        let m = mother([20.0, 10.0, 0.0, 0.0], 3);
        assert_eq!(today_only(&m, &[0.0; TIERS], 0), 4.0);
        assert_eq!(today_only(&m, &[4.0, 0.0, 0.0, 0.0], 1), 10.0);
        // Tier 3 does not make tier 1 urgent: it is served after tier 1 every day.
        assert_eq!(
            today_only(&mother([8.0, 0.0, 40.0, 0.0], 3), &[0.0; TIERS], 0),
            0.0
        );
    }

    #[test]
    fn the_last_day_comes_before_the_share_owed() {
        // The example: A is on her last day still owed 10 h of her minimum; B has just
        // started and is owed all 24 h, further behind as a share. 3 h spare: all go to A,
        // because B can still receive hers on her 7 other days.
        let mothers = [
            MotherDay {
                indicated: [24.0, 0.0, 0.0, 0.0],
                ..mother([10.0, 0.0, 0.0, 0.0], 1)
            },
            mother([24.0, 0.0, 0.0, 0.0], 8),
        ];
        let plan = day(&mothers, 3.0, 3.0, &[]);
        assert_eq!(plan[0], [3.0, 0.0, 0.0, 0.0]);
        assert_eq!(plan[1], [0.0; TIERS]);
    }

    #[test]
    fn minimum_before_extras_when_short() {
        // Two mothers, 10 h: the new mother's minimum comes before the other's tier-3 hours.
        let mothers = [
            mother([24.0, 0.0, 25.0, 0.0], 8),
            mother([0.0, 0.0, 25.0, 0.0], 5),
        ];
        let plan = day(&mothers, 10.0, 10.0, &[]);
        assert_eq!(plan[0], [8.0, 0.0, 0.0, 0.0]);
        assert_eq!(plan[1], [0.0, 0.0, 2.0, 0.0]);
    }

    #[test]
    fn early_registrants_rest_is_front_loaded_before_any_tier_4() {
        // A (early) owes 30 h of tier 3 over 5 days, B (late) 30 h of tier 4. 10 h: A's tier 3
        // is front-loaded to her cap (8 h) before B gets the 2 h left.
        let mothers = [
            mother([0.0, 0.0, 30.0, 0.0], 5),
            mother([0.0, 0.0, 0.0, 30.0], 5),
        ];
        let plan = day(&mothers, 10.0, 10.0, &[]);
        assert_eq!(plan[0], [0.0, 0.0, 8.0, 0.0]);
        assert_eq!(plan[1], [0.0, 0.0, 0.0, 2.0]);
    }

    #[test]
    fn reservation_holds_back_the_coming_days_needs() {
        let mothers = [mother([0.0, 0.0, 30.0, 0.0], 5)];
        let coming = [ComingDay {
            capacity: 8.0,
            due_soon_need: 8.0,
            due_soon_rest_early: 0.0,
        }];
        // 12 h left this week, 8 h reserved for tomorrow's new mother: 4 h of extras today.
        assert_eq!(day(&mothers, 8.0, 12.0, &coming)[0], [0.0, 0.0, 4.0, 0.0]);
        // Without the reservation her tier 3 is front-loaded to her cap.
        assert_eq!(day(&mothers, 8.0, 12.0, &[])[0], [0.0, 0.0, 8.0, 0.0]);
    }

    #[test]
    fn tier_4_waits_for_the_coming_days_early_registrants() {
        // A late registrant on her last day is owed 10 h of tier 4 (8 h fit her cap). The week
        // has 10 h left. Tomorrow an early registrant is due with 8 h of tier 3: those are
        // held back, so the late registrant gets 2 h; with 9 h due, 1 h.
        let mothers = [mother([0.0, 0.0, 0.0, 10.0], 1)];
        let coming = |rest| {
            [ComingDay {
                capacity: 9.0,
                due_soon_need: 0.0,
                due_soon_rest_early: rest,
            }]
        };
        assert_eq!(
            day(&mothers, 8.0, 10.0, &coming(8.0))[0],
            [0.0, 0.0, 0.0, 2.0]
        );
        assert_eq!(
            day(&mothers, 8.0, 10.0, &coming(9.0))[0],
            [0.0, 0.0, 0.0, 1.0]
        );
        // Nobody early due: the tier-1/2 reservation holds nothing back.
        assert_eq!(
            day(&mothers, 8.0, 10.0, &coming(0.0))[0],
            [0.0, 0.0, 0.0, 8.0]
        );
    }
}
