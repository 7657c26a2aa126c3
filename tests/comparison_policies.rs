//! Property tests of the comparison policies (`DESIGN.md` §2): proportional and
//! first-come-first-served. Each guarantee is stated as a property over random scope-days.

use kraamsim::policy::{
    AllocationPolicy, Booking, DayInput, FirstComeFirstServed, MotherDay, Proportional,
    RefuseWhenFull, TIERS, TierHours,
};
use proptest::prelude::*;

fn mothers() -> impl Strategy<Value = Vec<MotherDay>> {
    proptest::collection::vec(
        (
            0.0f64..=24.0,
            0.0f64..30.0,
            0.0f64..40.0,
            any::<bool>(),
            0.0f64..=1.0,
            1u32..=10,
            1.0f64..=10.0,
            0u64..1000,
        ),
        0..40,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (t1, t2, rest, early, frac, days_left, cap, reg))| {
                let indicated = if early {
                    [t1, t2, rest, 0.0]
                } else {
                    [t1, t2, 0.0, rest]
                };
                MotherDay {
                    indicated,
                    owed: indicated.map(|h| h * frac),
                    days_left,
                    daily_cap: cap,
                    // Unique keys, as in the simulation (registration day, then id).
                    registration_order: (reg << 32) | i as u64,
                }
            })
            .collect()
    })
}

fn plan_for(policy: &dyn AllocationPolicy, mothers: &[MotherDay], capacity: f64) -> Vec<TierHours> {
    let input = DayInput {
        mothers,
        capacity,
        week_budget_left: capacity,
        coming_days: &[],
    };
    let mut plan = vec![[0.0; TIERS]; mothers.len()];
    policy.allocate_day(&input, &mut plan);
    plan
}

/// What every policy must respect: capacity, owed hours, the daily cap, and tiers filled in
/// serving order (the hours of a tier-blind policy are reported tier 1 first).
fn assert_feasible(
    mothers: &[MotherDay],
    plan: &[TierHours],
    capacity: f64,
) -> Result<(), TestCaseError> {
    let total: f64 = plan.iter().flatten().sum();
    prop_assert!(total <= capacity + 1e-9);
    for (m, p) in mothers.iter().zip(plan) {
        prop_assert!(p.iter().sum::<f64>() <= m.daily_cap + 1e-9);
        for t in 0..TIERS {
            prop_assert!(p[t] >= 0.0 && p[t] <= m.owed[t] + 1e-9);
            if t + 1 < TIERS && p[t + 1..].iter().any(|&h| h > 0.0) {
                prop_assert!(
                    (p[t] - m.owed[t]).abs() < 1e-9,
                    "tier {} before tier {} is served",
                    t + 1,
                    t + 2
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn proportional_gives_everyone_the_same_fraction(ms in mothers(), capacity in 0.0f64..300.0) {
        let plan = plan_for(&Proportional, &ms, capacity);
        assert_feasible(&ms, &plan, capacity)?;
        let need: f64 = ms.iter().map(|m| m.day_need()).sum();
        let fraction = if need <= capacity { 1.0 } else { capacity / need };
        for (m, p) in ms.iter().zip(&plan) {
            let got: f64 = p.iter().sum();
            prop_assert!((got - fraction * m.day_need()).abs() < 1e-9);
        }
    }

    #[test]
    fn first_come_serves_in_registration_order(ms in mothers(), capacity in 0.0f64..300.0) {
        let plan = plan_for(&FirstComeFirstServed, &ms, capacity);
        assert_feasible(&ms, &plan, capacity)?;
        // Whoever gets hours, every mother registered before her got her whole need.
        for (m, p) in ms.iter().zip(&plan) {
            if p.iter().sum::<f64>() > 0.0 {
                for (n, q) in ms.iter().zip(&plan) {
                    if n.registration_order < m.registration_order {
                        prop_assert!((q.iter().sum::<f64>() - n.day_need()).abs() < 1e-9);
                    }
                }
            }
        }
        // And the capacity is used up to the needs: nobody is short while hours are left.
        let given: f64 = plan.iter().flatten().sum();
        let need: f64 = ms.iter().map(|m| m.day_need()).sum();
        prop_assert!((given - need.min(capacity)).abs() < 1e-6 * need.max(1.0));
    }

    #[test]
    fn refuse_when_full_books_only_within_the_roster(
        days in proptest::collection::vec((0.0f64..50.0, 0.0f64..50.0), 1..12),
        hours_per_day in 0.0f64..10.0,
    ) {
        let booked: Vec<f64> = days.iter().map(|d| d.0).collect();
        let capacity: Vec<f64> = days.iter().map(|d| d.1).collect();
        let booking = Booking { hours_per_day, booked: &booked, capacity: &capacity };
        let room_every_day = booked.iter().zip(&capacity).all(|(b, c)| b + hours_per_day <= c + 1e-9);
        prop_assert_eq!(RefuseWhenFull.accepts(&booking), room_every_day);
        // Only refuse-when-full ever turns a mother away.
        prop_assert!(Proportional.accepts(&booking) && FirstComeFirstServed.accepts(&booking));
    }

    #[test]
    fn refuse_when_full_serves_those_taken_on_first_come(ms in mothers(), capacity in 0.0f64..300.0) {
        prop_assert_eq!(
            plan_for(&RefuseWhenFull, &ms, capacity),
            plan_for(&FirstComeFirstServed, &ms, capacity)
        );
    }

    #[test]
    fn with_enough_capacity_both_meet_every_days_need(ms in mothers()) {
        let capacity: f64 = ms.iter().map(|m| m.day_need()).sum::<f64>() + 1.0;
        for policy in [&Proportional as &dyn AllocationPolicy, &FirstComeFirstServed] {
            let plan = plan_for(policy, &ms, capacity);
            for (m, p) in ms.iter().zip(&plan) {
                prop_assert!((p.iter().sum::<f64>() - m.day_need()).abs() < 1e-9);
            }
        }
    }
}

#[test]
fn day_need_is_the_even_share_unless_the_cap_forces_more() {
    let m = MotherDay {
        indicated: [24.0, 0.0, 16.0, 0.0],
        owed: [24.0, 0.0, 16.0, 0.0],
        days_left: 8,
        daily_cap: 8.0,
        registration_order: 0,
    };
    assert_eq!(m.day_need(), 5.0);
    let rushed = MotherDay { days_left: 5, ..m };
    // 40 h in 5 days at 8 h a day: 8 h today.
    assert_eq!(rushed.day_need(), 8.0);
    assert_eq!(m.in_tier_order(30.0), [24.0, 0.0, 6.0, 0.0]);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Minimum-first with `rationing = "proportional"`: on a day that cannot meet every
    /// minimum, each mother gets the same fraction of what she asks of tier 1.
    #[test]
    fn proportional_rationing_cuts_every_claim_by_the_same_factor(
        owed in proptest::collection::vec(1.0f64..=24.0, 1..30),
        cap in 4.0f64..=10.0,
        fraction in 0.05f64..0.95,
    ) {
        use kraamsim::policy::MinimumFirst;
        use kraamsim::scenario::Rationing;
        let ms: Vec<MotherDay> = owed
            .iter()
            .enumerate()
            .map(|(i, &h)| MotherDay {
                indicated: [24.0, 0.0, 0.0, 0.0],
                owed: [h, 0.0, 0.0, 0.0],
                days_left: 1,
                daily_cap: cap,
                registration_order: i as u64,
            })
            .collect();
        let asked: Vec<f64> = ms.iter().map(|m| m.owed[0].min(cap)).collect();
        let capacity = fraction * asked.iter().sum::<f64>();
        let policy = MinimumFirst { rationing: Rationing::Proportional };
        let plan = plan_for(&policy, &ms, capacity);
        for (p, a) in plan.iter().zip(&asked) {
            prop_assert!((p[0] - a * fraction).abs() < 1e-9, "{} vs {}", p[0], a * fraction);
        }
        // The default, max-min, instead helps the mother furthest behind first.
        let max_min = plan_for(&MinimumFirst::default(), &ms, capacity);
        prop_assert!((max_min.iter().map(|p| p[0]).sum::<f64>() - capacity).abs() < 1e-6);
    }
}
