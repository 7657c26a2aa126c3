//! The minimum-first policy required by the insurers (`DESIGN.md` §2).

use std::cell::RefCell;

use crate::scenario::Rationing;

use super::{
    AllocationPolicy, DayInput, MotherDay, TIERS, Tier, TierHours, reserve_for_due_soon,
    water_fill::{Claim, water_fill_in},
};

/// Minimum-first: tier 1 before 2 before 3 before 4, with a reservation for the coming days.
///
/// A day is planned in steps, each rationed max-min fairly when capacity runs short:
/// 1. every mother's tier-1 *share of the day*: what she still owes divided by her days left,
///    so that she stays on track for the minimum within her care window;
/// 2. the same for tier 2 (medical hours);
/// 3. the rest of tiers 1 and 2, up to her daily cap: guaranteed hours are front-loaded before
///    anyone gets extras, so a later shortage (sickness) cannot take them away;
/// 4. the reservation: of the week's remaining contract hours, what the coming days need for
///    tier 1 and 2 of mothers due soon (and of mothers in care still owed) is held back;
/// 5. tier 3, then tier 4, from what is left after the reservation: each mother's share of
///    the day ([`on_track_share`]), so extras are spread over her window rather than burning
///    the week's budget on the first day.
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

/// Buffers of one tier's rationing, reused from call to call: the policy runs for every
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
    let mut capacity_left = input.capacity.max(0.0);

    // Steps 1-3: the guaranteed tiers, in one pass when nothing needs rationing (which also
    // sums what is still owed and gathers the tier-3 claims of step 5).
    let rest_early = Tier::RestEarly as usize;
    let (left, still_owed, early_claimed) =
        match guaranteed_in_full(mothers, plan, capacity_left, scratch) {
            Some((left, still_owed)) => (left, still_owed, true),
            None => {
                plan.iter_mut().for_each(|p| *p = [0.0; TIERS]);
                let left =
                    guaranteed_step_by_step(mothers, plan, capacity_left, rationing, scratch);
                (left, still_owed_after(mothers, plan), false)
            }
        };
    capacity_left = left;
    // Step 4: hold back what the coming days need for guaranteed hours.
    let given = input.capacity.max(0.0) - capacity_left;
    let extra_allowed = if input.coming_days.is_empty() {
        capacity_left
    } else {
        let reserve = reserve_for_due_soon(input.coming_days, still_owed);
        (input.week_budget_left - given - reserve).min(capacity_left)
    };
    // Step 5: tiers 3 and 4, each mother's share of the day, from what is left.
    let mut extra_left = extra_allowed.max(0.0);
    for tier in [Tier::RestEarly, Tier::RestLate] {
        let t = tier as usize;
        let share = |m: &MotherDay, p: &TierHours| on_track_share(m, p, t);
        if !(t == rest_early && early_claimed) {
            collect_claims(mothers, plan, t, share, scratch);
        }
        extra_left -= grant(plan, t, extra_left, rationing, scratch);
        extra_left = extra_left.max(0.0);
    }
}

/// Step 4's hours still owed: each mother's tier-1/2 hours owed beyond today's plan.
fn still_owed_after(mothers: &[MotherDay], plan: &[TierHours]) -> f64 {
    mothers
        .iter()
        .zip(plan)
        .map(|(m, p)| still_owed_of(m, p))
        .sum()
}

fn still_owed_of(m: &MotherDay, p: &TierHours) -> f64 {
    (m.owed_guaranteed() - p[0] - p[1]).max(0.0)
}

/// One step: every mother claims `demand` hours of `tier` (within her room today and what she
/// is still owed of the tier), `budget` is rationed over the claims with [`super::water_fill`], and
/// the hours are added to `plan`. Returns the hours given.
///
/// Generic over `demand` so that it is inlined into the per-mother loop.
fn serve(
    mothers: &[MotherDay],
    plan: &mut [TierHours],
    tier: Tier,
    demand: impl Fn(&MotherDay, &TierHours) -> f64,
    budget: f64,
    rationing: Rationing,
    scratch: &mut Scratch,
) -> f64 {
    let t = tier as usize;
    collect_claims(mothers, plan, t, demand, scratch);
    grant(plan, t, budget, rationing, scratch)
}

/// The claims of one step on tier `t` (into `scratch`, with their total). Only mothers still
/// owed something of the tier claim; the others would claim 0 hours, and leaving them out
/// changes no sum (tier 4, say, concerns a few late registrants).
fn collect_claims(
    mothers: &[MotherDay],
    plan: &[TierHours],
    t: usize,
    demand: impl Fn(&MotherDay, &TierHours) -> f64,
    scratch: &mut Scratch,
) {
    scratch.clear_claims();
    for (i, (m, p)) in mothers.iter().zip(plan.iter()).enumerate() {
        if m.owed[t] > p[t] {
            scratch.add_claim(i, claim(m, p, t, demand(m, p)));
        }
    }
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

/// The guaranteed steps' daily share (steps 1 and 2) and rest (step 3), in serving order.
const GUARANTEED_STEPS: [(Tier, bool); 4] = [
    (Tier::Minimum, false),
    (Tier::Medical, false),
    (Tier::Minimum, true),
    (Tier::Medical, true),
];

/// What a mother asks of tier `t` in a guaranteed step: the rest of the tier, or her share of
/// the day (what she is owed over her days left).
fn guaranteed_demand(m: &MotherDay, t: usize, rest: bool) -> f64 {
    if rest {
        f64::INFINITY
    } else {
        m.owed[t] / f64::from(m.days_left.max(1))
    }
}

/// Steps 1-3 as four rationed steps, one tier-step at a time. Returns the capacity left.
fn guaranteed_step_by_step(
    mothers: &[MotherDay],
    plan: &mut [TierHours],
    mut capacity_left: f64,
    rationing: Rationing,
    scratch: &mut Scratch,
) -> f64 {
    for (tier, rest) in GUARANTEED_STEPS {
        let t = tier as usize;
        let demand = |m: &MotherDay, _: &TierHours| guaranteed_demand(m, t, rest);
        let given = serve(
            mothers,
            plan,
            tier,
            demand,
            capacity_left,
            rationing,
            scratch,
        );
        capacity_left = (capacity_left - given).max(0.0);
    }
    capacity_left
}

/// Steps 1-3 in one pass over the mothers, for the common day on which every step's claims
/// fit the capacity left: then each step grants every claim in full, so going mother by
/// mother gives exactly the hours (and sums) of going step by step.
///
/// The same pass sums step 4's hours still owed and gathers step 5's tier-3 claims (into
/// `scratch`): both depend only on a mother's own plan after step 3. Returns (capacity left,
/// hours still owed), or `None` when some step would have had to ration (the plan and the
/// claims are then partial, to be done again step by step).
fn guaranteed_in_full(
    mothers: &[MotherDay],
    plan: &mut [TierHours],
    capacity: f64,
    scratch: &mut Scratch,
) -> Option<(f64, f64)> {
    let mut step_totals = [0.0; GUARANTEED_STEPS.len()];
    let mut still_owed = 0.0;
    let early = Tier::RestEarly as usize;
    scratch.clear_claims();
    for (i, (m, p)) in mothers.iter().zip(plan.iter_mut()).enumerate() {
        for (total, (tier, rest)) in step_totals.iter_mut().zip(GUARANTEED_STEPS) {
            let t = tier as usize;
            if m.owed[t] <= p[t] {
                continue; // nothing owed: a claim of 0 hours
            }
            let hours = claim(m, p, t, guaranteed_demand(m, t, rest)).demand;
            p[t] += hours;
            *total += hours;
        }
        still_owed += still_owed_of(m, p);
        if m.owed[early] > p[early] {
            scratch.add_claim(i, claim(m, p, early, on_track_share(m, p, early)));
        }
    }
    let mut capacity_left = capacity;
    for total in step_totals {
        if total > capacity_left.max(0.0) {
            return None;
        }
        capacity_left = (capacity_left - total).max(0.0);
    }
    Some((capacity_left, still_owed))
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
    }
}

/// A mother's tier-`t` hours for today that keep her on track for the whole tier: an even
/// share of what she is owed over her days left, or more when her remaining days at her daily
/// cap could otherwise not hold all she is still owed.
pub fn on_track_share(m: &MotherDay, given_today: &TierHours, t: usize) -> f64 {
    let days = f64::from(m.days_left.max(1));
    let owed_t = (m.owed[t] - given_today[t]).max(0.0);
    let owed_all: f64 = (0..TIERS)
        .map(|u| (m.owed[u] - given_today[u]).max(0.0))
        .sum();
    let later_room = m.daily_cap * (days - 1.0);
    (owed_t / days).max(owed_all - later_room).min(owed_t)
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

    #[test]
    fn on_track_share_is_even_unless_the_cap_forces_more() {
        let m = mother([0.0, 0.0, 20.0, 0.0], 5);
        assert_eq!(on_track_share(&m, &[0.0; TIERS], 2), 4.0);
        // 38 h owed in 5 days at 8 h a day: at least 6 h today.
        let m = mother([0.0, 0.0, 38.0, 0.0], 5);
        assert_eq!(on_track_share(&m, &[0.0; TIERS], 2), 7.6);
        let m = mother([10.0, 0.0, 30.0, 0.0], 5);
        assert_eq!(on_track_share(&m, &[8.0, 0.0, 0.0, 0.0], 2), 6.0);
    }

    #[test]
    fn minimum_before_extras_when_short() {
        // Two mothers, 10 h: the new mother's minimum comes before the other's tier-3 hours.
        let mothers = [
            mother([24.0, 0.0, 25.0, 0.0], 8),
            mother([0.0, 0.0, 25.0, 0.0], 5),
        ];
        let input = DayInput {
            mothers: &mothers,
            capacity: 10.0,
            week_budget_left: 10.0,
            coming_days: &[],
        };
        let mut plan = [[0.0; TIERS]; 2];
        MinimumFirst::default().allocate_day(&input, &mut plan);
        assert_eq!(plan[0], [8.0, 0.0, 0.0, 0.0]);
        assert_eq!(plan[1], [0.0, 0.0, 2.0, 0.0]);
    }

    #[test]
    fn reservation_holds_back_the_coming_days_needs() {
        let mothers = [mother([0.0, 0.0, 30.0, 0.0], 5)];
        let coming = [ComingDay {
            capacity: 8.0,
            due_soon_need: 8.0,
        }];
        let input = DayInput {
            mothers: &mothers,
            capacity: 8.0,
            week_budget_left: 12.0,
            coming_days: &coming,
        };
        let mut plan = [[0.0; TIERS]; 1];
        MinimumFirst::default().allocate_day(&input, &mut plan);
        // 12 h left this week, 8 h reserved for tomorrow's new mother: 4 h of extras today.
        assert_eq!(plan[0], [0.0, 0.0, 4.0, 0.0]);
        let free = DayInput {
            coming_days: &[],
            ..input
        };
        MinimumFirst::default().allocate_day(&free, &mut plan);
        assert_eq!(plan[0], [0.0, 0.0, 6.0, 0.0]);
    }
}
