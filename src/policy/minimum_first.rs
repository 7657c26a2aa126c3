//! The minimum-first policy required by the insurers (`DESIGN.md` §2).

use super::{
    AllocationPolicy, DayInput, MotherDay, TIERS, Tier, TierHours, reserve_for_due_soon,
    water_fill::{Claim, water_fill},
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
/// 5. tier 3, then tier 4, from what is left after the reservation.
#[derive(Debug, Clone, Copy, Default)]
pub struct MinimumFirst;

impl AllocationPolicy for MinimumFirst {
    fn name(&self) -> &'static str {
        "minimum-first"
    }

    fn allocate_day(&self, input: &DayInput<'_>, plan: &mut [TierHours]) {
        let mothers = input.mothers;
        debug_assert_eq!(mothers.len(), plan.len());
        plan.iter_mut().for_each(|p| *p = [0.0; TIERS]);
        let mut capacity_left = input.capacity.max(0.0);
        let mut claims = Vec::with_capacity(mothers.len());
        let mut hours = vec![0.0; mothers.len()];

        let mut serve = |tier: Tier,
                         demand: &dyn Fn(&MotherDay, &TierHours) -> f64,
                         budget: f64,
                         plan: &mut [TierHours]|
         -> f64 {
            let t = tier as usize;
            claims.clear();
            claims.extend(mothers.iter().zip(plan.iter()).map(|(m, p)| {
                let room = (m.daily_cap - p.iter().sum::<f64>()).max(0.0);
                let owed = (m.owed[t] - p[t]).max(0.0);
                Claim {
                    demand: demand(m, p).min(room).min(owed).max(0.0),
                    owed,
                    indicated: m.indicated[t],
                }
            }));
            water_fill(&claims, budget, &mut hours);
            for (p, h) in plan.iter_mut().zip(&hours) {
                p[t] += h;
            }
            hours.iter().sum()
        };

        // Steps 1 and 2: each guaranteed tier's share of the day.
        for tier in [Tier::Minimum, Tier::Medical] {
            let t = tier as usize;
            let share = |m: &MotherDay, _: &TierHours| m.owed[t] / f64::from(m.days_left.max(1));
            capacity_left -= serve(tier, &share, capacity_left, plan);
        }
        // Step 3: the rest of the guaranteed tiers, front-loaded.
        for tier in [Tier::Minimum, Tier::Medical] {
            let rest = |_: &MotherDay, _: &TierHours| f64::INFINITY;
            capacity_left -= serve(tier, &rest, capacity_left, plan);
        }
        // Step 4: hold back what the coming days need for guaranteed hours.
        let given: f64 = input.capacity.max(0.0) - capacity_left;
        let still_owed: f64 = mothers
            .iter()
            .zip(plan.iter())
            .map(|(m, p)| (m.owed_guaranteed() - p[0] - p[1]).max(0.0))
            .sum();
        let extra_allowed = if input.coming_days.is_empty() {
            capacity_left
        } else {
            let reserve = reserve_for_due_soon(input.coming_days, still_owed);
            (input.week_budget_left - given - reserve).clamp(0.0, capacity_left)
        };
        // Step 5: tiers 3 and 4 from what the reservation leaves.
        let mut extra_left = extra_allowed.max(0.0);
        for tier in [Tier::RestEarly, Tier::RestLate] {
            let rest = |_: &MotherDay, _: &TierHours| f64::INFINITY;
            extra_left -= serve(tier, &rest, extra_left, plan);
        }
    }
}
