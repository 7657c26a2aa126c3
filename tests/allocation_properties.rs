//! Property tests of the minimum-first allocation (`DESIGN.md` §2): each property is one
//! guarantee of `MinimumFirst::allocate_day` that a wrong plan would break.

use kraamsim::policy::{
    AllocationPolicy, ComingDay, DayInput, MinimumFirst, MotherDay, TIERS, Tier, TierHours,
    reserve_for_due_soon, reserve_for_guarantees,
};
use proptest::collection::vec;
use proptest::prelude::*;

const EPS: f64 = 1e-6;
const T1: usize = Tier::Minimum as usize;
const T2: usize = Tier::Medical as usize;
const T3: usize = Tier::RestEarly as usize;
const T4: usize = Tier::RestLate as usize;

// ---------------------------------------------------------------------------------------------
// Helpers

fn plan_day(
    mothers: &[MotherDay],
    capacity: f64,
    week_budget_left: f64,
    coming_days: &[ComingDay],
) -> Vec<TierHours> {
    let input = DayInput {
        mothers,
        capacity,
        week_budget_left,
        coming_days,
    };
    let mut plan = vec![[f64::NAN; TIERS]; mothers.len()];
    MinimumFirst::default().allocate_day(&input, &mut plan);
    plan
}

fn total(hours: &TierHours) -> f64 {
    hours.iter().sum()
}

fn owed_total(m: &MotherDay) -> f64 {
    m.owed.iter().sum()
}

/// Her hours of tier `t` that only today can hold: what she is owed of tiers 1..=t beyond
/// what her days after today can take at her cap, less what she has of them today.
fn today_only(m: &MotherDay, given: &TierHours, t: usize) -> f64 {
    let later = m.daily_cap * f64::from(m.days_left.max(1) - 1);
    let owed: f64 = m.owed[..=t].iter().sum();
    let got: f64 = given[..=t].iter().sum();
    (owed - later - got).clamp(0.0, (m.owed[t] - given[t]).max(0.0))
}

/// What she should have of tier `t` by the end of today to stay on track: an even share of
/// the tier over her days left, or the hours only today can hold if more (given the hours of
/// earlier tiers in `given`).
fn day_share(m: &MotherDay, given: &TierHours, t: usize) -> f64 {
    let mut before = *given;
    before[t] = 0.0;
    (m.owed[t] / f64::from(m.days_left.max(1)))
        .max(today_only(m, &before, t))
        .min(m.owed[t])
}

/// Her tier-1 share of the day within her cap (steps 1a and 1b of the policy).
fn tier1_day_share(m: &MotherDay) -> f64 {
    day_share(m, &[0.0; TIERS], T1).min(m.daily_cap)
}

/// Her room left today after `given`.
fn room(m: &MotherDay, given: &TierHours) -> f64 {
    (m.daily_cap - total(given)).max(0.0)
}

/// What she asks of tier 4 in total today: her day share within her room after tiers 1-3.
fn tier4_demand(m: &MotherDay, given: &TierHours) -> f64 {
    let before = [given[T1], given[T2], given[T3], 0.0];
    day_share(m, &before, T4).min(room(m, &before))
}

/// The tier-3 hours still owed after today that the coming `horizon` days can hold, after her
/// tier-1/2 hours (the policy's step 6).
fn early_owed_this_week(m: &MotherDay, p: &TierHours, horizon: usize) -> f64 {
    let owed3 = (m.owed[T3] - p[T3]).max(0.0);
    let owed12 = (m.owed_guaranteed() - p[T1] - p[T2]).max(0.0);
    let room = m.daily_cap * f64::from(m.days_left.saturating_sub(1).min(horizon as u32));
    (owed12 + owed3).min(room) - owed12.min(room)
}

fn mother(indicated: TierHours, owed: TierHours, days_left: u32, daily_cap: f64) -> MotherDay {
    MotherDay {
        indicated,
        owed,
        days_left,
        daily_cap,
        registration_order: 0,
    }
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: got {actual}, expected {expected}"
    );
}

// ---------------------------------------------------------------------------------------------
// Generators

/// A fraction of a tier still owed: often none or all of it.
fn fraction() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(0.0), 1 => Just(1.0), 3 => 0.0f64..=1.0]
}

/// A sane mother: tier 1 = min(24, total); tiers 2-4 only above a full minimum; at most one of
/// tier 3 (early) and tier 4 (late); owed <= indicated in every tier.
fn arb_mother() -> impl Strategy<Value = MotherDay> {
    (
        prop_oneof![3 => Just(24.0), 1 => 0.0f64..24.0],
        prop_oneof![1 => Just(0.0), 2 => 0.0f64..30.0],
        prop_oneof![1 => Just(0.0), 3 => 0.0f64..40.0],
        any::<bool>(),
        proptest::array::uniform4(fraction()),
        1u32..=10,
        prop_oneof![1 => (1u32..=10).prop_map(f64::from), 1 => 1.0f64..=10.0],
    )
        .prop_map(|(t1, t2, rest, early, frac, days_left, daily_cap)| {
            let full_minimum = t1 >= 24.0;
            let t2 = if full_minimum { t2 } else { 0.0 };
            let rest = if full_minimum { rest } else { 0.0 };
            let (t3, t4) = if early { (rest, 0.0) } else { (0.0, rest) };
            let indicated = [t1, t2, t3, t4];
            let mut owed = [0.0; TIERS];
            for ((o, i), f) in owed.iter_mut().zip(indicated).zip(frac) {
                *o = i * f;
            }
            mother(indicated, owed, days_left, daily_cap)
        })
}

fn arb_coming_day() -> impl Strategy<Value = ComingDay> {
    (
        0.0f64..200.0,
        prop_oneof![1 => Just(0.0), 3 => 0.0f64..100.0],
    )
        .prop_map(|(capacity, due_soon_need)| ComingDay {
            capacity,
            due_soon_need,
            due_soon_rest_early: due_soon_need / 2.0,
        })
}

/// (mothers, capacity, week_budget_left, coming_days) of any scope-day.
fn arb_day() -> impl Strategy<Value = (Vec<MotherDay>, f64, f64, Vec<ComingDay>)> {
    (
        vec(arb_mother(), 0..40),
        prop_oneof![1 => Just(0.0), 6 => 0.0f64..300.0],
        prop_oneof![1 => Just(0.0), 3 => 0.0f64..500.0],
        vec(arb_coming_day(), 0..6),
    )
        .prop_map(|(mothers, capacity, extra_budget, coming)| {
            (mothers, capacity, capacity + extra_budget, coming)
        })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1024,
        // Minimal counterexamples are reported in the failure message; no regression files.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config())]

    /// 1. Feasibility: within capacity, owed hours per tier, and the daily cap.
    #[test]
    fn plan_is_feasible((mothers, capacity, budget, coming) in arb_day()) {
        let plan = plan_day(&mothers, capacity, budget, &coming);
        prop_assert_eq!(plan.len(), mothers.len());
        let delivered: f64 = plan.iter().map(total).sum();
        prop_assert!(delivered <= capacity + 1e-9, "delivered {delivered} > capacity {capacity}");
        for (i, (m, p)) in mothers.iter().zip(&plan).enumerate() {
            for (t, (&hours, &owed)) in p.iter().zip(&m.owed).enumerate() {
                prop_assert!(hours.is_finite() && hours >= 0.0, "mother {i} tier {t}: {hours}");
                prop_assert!(hours <= owed + 1e-9, "mother {i} tier {t}: {hours} > owed {owed}");
            }
            prop_assert!(total(p) <= m.daily_cap + 1e-9,
                "mother {i}: {} > daily cap {}", total(p), m.daily_cap);
        }
    }

    /// 2. Lexicographic: nobody gets tier-3/4 hours while a mother who still has room today is
    /// left owing tier-1/2 hours.
    #[test]
    fn no_extras_while_guaranteed_hours_are_owed((mothers, capacity, budget, coming) in arb_day()) {
        let plan = plan_day(&mothers, capacity, budget, &coming);
        let extras = plan.iter().any(|p| p[T3] > 1e-9 || p[T4] > 1e-9);
        if extras {
            for (i, (m, p)) in mothers.iter().zip(&plan).enumerate() {
                let left = m.owed_guaranteed() - p[T1] - p[T2];
                let at_cap = total(p) >= m.daily_cap - EPS;
                prop_assert!(left <= EPS || at_cap,
                    "extras given while mother {i} still owes {left} tier-1/2 hours with \
                     room {}", m.daily_cap - total(p));
            }
        }
    }

    /// 3. Tier 3 is a guarantee against tier 4: no tier-4 hour is given while an early
    /// registrant who still has room today is behind on her tier 3; and tier 4 is never
    /// front-loaded (at most a late registrant's share of the day).
    #[test]
    fn no_tier4_while_an_early_registrant_could_take_tier3(
        (mothers, capacity, budget, coming) in arb_day(),
    ) {
        let plan = plan_day(&mothers, capacity, budget, &coming);
        let tier4_given = plan.iter().any(|p| p[T4] > 1e-9);
        for (i, (m, p)) in mothers.iter().zip(&plan).enumerate() {
            prop_assert!(p[T4] <= tier4_demand(m, p) + EPS,
                "mother {i}: tier 4 {} above her share {}", p[T4], tier4_demand(m, p));
            if tier4_given {
                let behind = m.owed[T3] - p[T3];
                prop_assert!(behind <= EPS || room(m, p) <= EPS,
                    "tier 4 given while early registrant {i} is owed {behind} h of tier 3 with \
                     {} h of room", room(m, p));
            }
        }
    }

    /// 4. With enough capacity (and no reservation) nothing is rationed: every mother gets her
    /// guaranteed hours and then her tier 3 up to her daily cap, a late registrant her tier-4
    /// share of the day.
    #[test]
    fn enough_capacity_serves_everyone(
        mothers in vec(arb_mother(), 0..40),
        slack in prop_oneof![1 => Just(0.0), 3 => 0.0f64..50.0],
        extra_budget in 0.0f64..100.0,
    ) {
        let need: f64 = mothers.iter().map(|m| m.daily_cap.min(owed_total(m))).sum();
        let capacity = need + slack;
        let plan = plan_day(&mothers, capacity, capacity + extra_budget, &[]);
        for (i, (m, p)) in mothers.iter().zip(&plan).enumerate() {
            let guaranteed = m.owed_guaranteed();
            prop_assert!((p[T1] + p[T2] - m.daily_cap.min(guaranteed)).abs() <= EPS,
                "mother {i}: tier 1+2 {} != min(cap {}, owed {guaranteed})",
                p[T1] + p[T2], m.daily_cap);
            if m.daily_cap >= guaranteed {
                prop_assert!((p[T1] - m.owed[T1]).abs() <= EPS && (p[T2] - m.owed[T2]).abs() <= EPS,
                    "mother {i} has room but got {p:?} of owed {:?}", m.owed);
            }
            let want3 = m.owed[T3].min(room(m, &[p[T1], p[T2], 0.0, 0.0]));
            prop_assert!((p[T3] - want3).abs() <= EPS,
                "mother {i}: tier 3 {} instead of {want3}", p[T3]);
            let want4 = tier4_demand(m, p);
            prop_assert!((p[T4] - want4).abs() <= EPS,
                "mother {i}: tier 4 {} instead of her share {want4}", p[T4]);
        }
    }

    /// 5. The reservation: tier-3/4 hours never eat into what the coming days of the week need
    /// for guaranteed hours.
    #[test]
    fn extras_respect_the_reservation(
        (mothers, capacity, budget, _) in arb_day(),
        coming in vec(arb_coming_day(), 1..6),
    ) {
        let plan = plan_day(&mothers, capacity, budget, &coming);
        let guaranteed_given: f64 = plan.iter().map(|p| p[T1] + p[T2]).sum();
        let extras_given: f64 = plan.iter().map(|p| p[T3] + p[T4]).sum();
        let still_owed: f64 = mothers
            .iter()
            .zip(&plan)
            .map(|(m, p)| (m.owed_guaranteed() - p[T1] - p[T2]).max(0.0))
            .sum();
        let reserve = reserve_for_due_soon(&coming, still_owed);
        let allowed = (budget - guaranteed_given - reserve).max(0.0);
        prop_assert!(extras_given <= allowed + EPS,
            "extras {extras_given} > allowed {allowed} (budget {budget}, guaranteed \
             {guaranteed_given}, reserve {reserve})");
        // Tier 4 also leaves what the coming days need for the early registrants' tier 3.
        let tier4_given: f64 = plan.iter().map(|p| p[T4]).sum();
        let early_owed: f64 = mothers
            .iter()
            .zip(&plan)
            .map(|(m, p)| early_owed_this_week(m, p, coming.len()))
            .sum();
        let reserve = reserve_for_guarantees(&coming, still_owed + early_owed);
        let others_given: f64 = plan.iter().map(|p| p[T1] + p[T2] + p[T3]).sum();
        let allowed = (budget - others_given - reserve).max(0.0);
        prop_assert!(tier4_given <= allowed + EPS,
            "tier 4 {tier4_given} > allowed {allowed} (reserve for tiers 1-3 {reserve})");
    }

    /// 6. Deadlines, then max-min within tier 1, when the tier-1 day shares exceed capacity:
    /// nothing goes to later tiers; no mother gets tier-1 hours that could wait while another
    /// is left short of hours only today can hold (she would end below the minimum while the
    /// other could still have been helped later); and a mother left short of her share ends
    /// owing no larger share of her minimum than any mother with as many care days left or
    /// more who got more than her hours of today (the water level; on the level, fewest days
    /// left first).
    #[test]
    fn tier1_shortage_serves_deadlines_then_max_min(
        mothers in vec(arb_mother(), 1..40),
        fill in 0.0f64..1.0,
    ) {
        let demand: f64 = mothers.iter().map(tier1_day_share).sum();
        prop_assume!(demand > 1e-3);
        let capacity = demand * fill;
        let plan = plan_day(&mothers, capacity, capacity, &[]);
        let tier1: f64 = plan.iter().map(|p| p[T1]).sum();
        prop_assert!((tier1 - capacity).abs() <= EPS * demand.max(1.0),
            "tier 1 got {tier1} of capacity {capacity}");
        for (i, p) in plan.iter().enumerate() {
            prop_assert!(p[T2] <= 1e-9 && p[T3] <= 1e-9 && p[T4] <= 1e-9,
                "mother {i} got later-tier hours {p:?} in a tier-1 shortage");
        }
        let today = |m: &MotherDay| today_only(m, &[0.0; TIERS], T1).min(m.daily_cap);
        let waitable = |m: &MotherDay, p: &TierHours| p[T1] - today(m);
        let behind = |m: &MotherDay, p: &TierHours| (m.owed[T1] - p[T1]) / m.indicated[T1];
        for (i, (mi, pi)) in mothers.iter().zip(&plan).enumerate() {
            if pi[T1] < today(mi) - 1e-9 {
                for (j, (mj, pj)) in mothers.iter().zip(&plan).enumerate() {
                    prop_assert!(waitable(mj, pj) <= EPS,
                        "mother {j} got {} h of tier 1 that could wait while mother {i} got \
                         {} of the {} h only today can hold", waitable(mj, pj), pi[T1], today(mi));
                }
            }
            if mi.indicated[T1] <= 0.0 || pi[T1] >= tier1_day_share(mi) - 1e-9 {
                continue;
            }
            let behind_i = behind(mi, pi);
            for (j, (mj, pj)) in mothers.iter().zip(&plan).enumerate() {
                // The tie rule: a mother with fewer care days left may come out ahead.
                if i != j && waitable(mj, pj) > 1e-9 && mj.days_left >= mi.days_left {
                    let behind_j = behind(mj, pj);
                    prop_assert!(behind_i <= behind_j + EPS,
                        "short mother {i} ends {behind_i} behind, more than mother {j} who got \
                         {} h and ends {behind_j} behind", pj[T1]);
                }
            }
        }
    }

    /// 7. Determinism and symmetry: permuting the mothers permutes the plan.
    #[test]
    fn permuting_mothers_permutes_the_plan(
        ((mothers, order), capacity, budget, coming) in (
            vec(arb_mother(), 0..40).prop_flat_map(|ms| {
                let order: Vec<usize> = (0..ms.len()).collect();
                (Just(ms), Just(order).prop_shuffle())
            }),
            0.0f64..300.0,
            0.0f64..500.0,
            vec(arb_coming_day(), 0..6),
        ),
    ) {
        let budget = capacity + budget;
        let plan = plan_day(&mothers, capacity, budget, &coming);
        prop_assert_eq!(&plan, &plan_day(&mothers, capacity, budget, &coming));
        let permuted: Vec<MotherDay> = order.iter().map(|&k| mothers[k]).collect();
        let permuted_plan = plan_day(&permuted, capacity, budget, &coming);
        for (pos, &k) in order.iter().enumerate() {
            for t in 0..TIERS {
                prop_assert!((permuted_plan[pos][t] - plan[k][t]).abs() <= 1e-9,
                    "mother {k} tier {t}: {} in original order, {} permuted",
                    plan[k][t], permuted_plan[pos][t]);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Whole small runs: one scope, mothers starting on different days, planned day after day.

/// A mother of a small run: her tiers, the day her care starts and her days of care.
#[derive(Debug, Clone)]
struct RunMother {
    indicated: TierHours,
    start: u32,
    days: u32,
    daily_cap: f64,
}

fn arb_run_mother() -> impl Strategy<Value = RunMother> {
    (arb_mother(), 0u32..10, 4u32..=10, 6.0f64..=10.0).prop_map(|(m, start, days, cap)| RunMother {
        indicated: m.indicated,
        start,
        days,
        daily_cap: cap,
    })
}

/// Runs the mothers through their care windows with `capacity(day)` hours a day (the budget
/// equal to the day's capacity, no reservation), calling `each_day` with every day's inputs
/// and plan. Returns each mother's hours delivered per tier.
fn run_days(
    mothers: &[RunMother],
    capacity: impl Fn(u32) -> f64,
    mut each_day: impl FnMut(&[MotherDay], &[TierHours]),
) -> Vec<TierHours> {
    let mut delivered = vec![[0.0; TIERS]; mothers.len()];
    let last = mothers.iter().map(|m| m.start + m.days).max().unwrap_or(0);
    for day in 0..last {
        let active: Vec<usize> = (0..mothers.len())
            .filter(|&i| (mothers[i].start..mothers[i].start + mothers[i].days).contains(&day))
            .collect();
        let inputs: Vec<MotherDay> = active
            .iter()
            .map(|&i| {
                let r = &mothers[i];
                let mut owed = [0.0; TIERS];
                for t in 0..TIERS {
                    owed[t] = (r.indicated[t] - delivered[i][t]).max(0.0);
                }
                MotherDay {
                    indicated: r.indicated,
                    owed,
                    days_left: r.start + r.days - day,
                    daily_cap: r.daily_cap,
                    registration_order: i as u64,
                }
            })
            .collect();
        let c = capacity(day);
        let plan = plan_day(&inputs, c, c, &[]);
        each_day(&inputs, &plan);
        for (&i, p) in active.iter().zip(&plan) {
            for t in 0..TIERS {
                delivered[i][t] += p[t];
            }
        }
    }
    delivered
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..config() })]

    /// 8. With enough capacity every mother gets her full indication over her care window
    /// (when her window can hold it at her daily cap).
    #[test]
    fn enough_capacity_gives_every_mother_her_full_indication(
        mothers in vec(arb_run_mother(), 1..12),
    ) {
        let mothers: Vec<RunMother> = mothers
            .into_iter()
            .filter(|m| total(&m.indicated) <= m.daily_cap * f64::from(m.days))
            .collect();
        let plenty: f64 = mothers.iter().map(|m| m.daily_cap).sum::<f64>() + 1.0;
        let delivered = run_days(&mothers, |_| plenty, |_, _| {});
        for (i, (m, d)) in mothers.iter().zip(&delivered).enumerate() {
            for (t, (got, indicated)) in d.iter().zip(m.indicated).enumerate() {
                prop_assert!((got - indicated).abs() <= 1e-6,
                    "mother {i} tier {t}: {got} of {indicated} h");
            }
        }
    }

    /// 9. Over a run short of hours: on no day does a mother get hours that could wait (of
    /// tier 1, or any of tiers 2-4) while another is left short of tier-1 hours only that day
    /// could hold (so she ends below the minimum while the other could still have been helped
    /// later); and no tier-4 hour is given while an early registrant with room is behind on
    /// tier 3.
    #[test]
    fn short_runs_keep_the_deadlines_and_the_tier_order(
        mothers in vec(arb_run_mother(), 1..12),
        capacities in vec(0.0f64..30.0, 20),
    ) {
        let mut breaches = Vec::new();
        run_days(&mothers, |d| capacities[d as usize], |inputs, plan| {
            let urgent_short = inputs.iter().zip(plan).any(|(m, p)| {
                p[T1] < today_only(m, &[0.0; TIERS], T1).min(m.daily_cap) - 1e-9
            });
            let tier4 = plan.iter().any(|p| p[T4] > 1e-9);
            for (m, p) in inputs.iter().zip(plan) {
                let waitable = p[T1] - today_only(m, &[0.0; TIERS], T1).min(m.daily_cap);
                if urgent_short && (waitable > EPS || total(p) - p[T1] > EPS) {
                    breaches.push(format!("hours that could wait given on an urgent day: {p:?}"));
                }
                if tier4 && m.owed[T3] - p[T3] > EPS && room(m, p) > EPS {
                    breaches.push(format!("tier 4 given while an early registrant is behind: {p:?}"));
                }
            }
        });
        prop_assert!(breaches.is_empty(), "{breaches:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-computed examples

#[test]
fn tier1_is_served_before_tier3() {
    // A: owed her full 24 h minimum over 8 days (share 3), and 20 h of tier 3; cap 8.
    // B: owed 18 of 24 over 3 days (share 6), and 10 h of tier 4; cap 8.
    // Capacity 10. Step 1: A 3, B 6 (1 h left). Step 3: the rest of tier 1, max-min on the
    // share still owed: A owes 21/24, B 12/24, so the last hour goes to A. No tier 3/4.
    let mothers = [
        mother([24.0, 0.0, 20.0, 0.0], [24.0, 0.0, 20.0, 0.0], 8, 8.0),
        mother([24.0, 0.0, 0.0, 10.0], [18.0, 0.0, 0.0, 10.0], 3, 8.0),
    ];
    let plan = plan_day(&mothers, 10.0, 10.0, &[]);
    assert_close(plan[0][T1], 4.0, "A tier 1");
    assert_close(plan[1][T1], 6.0, "B tier 1");
    for p in &plan {
        assert_close(p[T2] + p[T3] + p[T4], 0.0, "later tiers");
    }
}

#[test]
fn tier3_is_served_before_tier4() {
    // A owes 4 h of her minimum over 2 days and 20 h of tier 3; B only 10 h of tier 4 over 5
    // days. Capacity 10: A gets 2 (share) + 2 (rest of tier 1), then her tier-3 on-track share
    // max(20/2, 20 - 10*1) = 10, cut to her room of 6. B gets nothing.
    let mothers = [
        mother([24.0, 0.0, 30.0, 0.0], [4.0, 0.0, 20.0, 0.0], 2, 10.0),
        mother([24.0, 0.0, 0.0, 10.0], [0.0, 0.0, 0.0, 10.0], 5, 10.0),
    ];
    let plan = plan_day(&mothers, 10.0, 10.0, &[]);
    assert_close(plan[0][T1], 4.0, "A tier 1");
    assert_close(plan[0][T3], 6.0, "A tier 3");
    assert_close(total(&plan[1]), 0.0, "B total");
    // With 16 h, B gets her on-track share 10/5 = 2 of the 6 left; 4 h stay unused.
    let plan = plan_day(&mothers, 16.0, 16.0, &[]);
    assert_close(total(&plan[0]), 10.0, "A total");
    assert_close(plan[1][T4], 2.0, "B tier 4");
}

#[test]
fn medical_hours_come_before_extras_but_after_the_minimum_share() {
    // One mother, cap 6: owes 12 h of tier 1 over 4 days (share 3), 8 h of tier 2 over the
    // same days (share 2), 10 h of tier 3. Capacity 6: shares 3 + 2, then 1 more of tier 1.
    let mothers = [mother(
        [24.0, 8.0, 10.0, 0.0],
        [12.0, 8.0, 10.0, 0.0],
        4,
        6.0,
    )];
    let plan = plan_day(&mothers, 6.0, 6.0, &[]);
    assert_close(plan[0][T1], 4.0, "tier 1");
    assert_close(plan[0][T2], 2.0, "tier 2");
    assert_close(plan[0][T3], 0.0, "tier 3");
}

#[test]
fn reservation_holds_back_extras() {
    // A owes her full minimum (share 3 over 8 days), cap 4: she gets 4 h of tier 1 and still
    // owes 20. B owes only 10 h of tier 3 on her last day (share 10), cap 8. Capacity 10, 12 h
    // of the week left, one coming day with roster 5 and due-soon need 3: reserve =
    // min(3 + 20, 5) = 5, so extras may use 12 - 4 - 5 = 3 h. Without the coming day B would
    // get the 6 h left today.
    let mothers = [
        mother([24.0, 0.0, 10.0, 0.0], [24.0, 0.0, 10.0, 0.0], 8, 4.0),
        mother([24.0, 0.0, 10.0, 0.0], [0.0, 0.0, 10.0, 0.0], 1, 8.0),
    ];
    let coming = [ComingDay {
        capacity: 5.0,
        due_soon_need: 3.0,
        due_soon_rest_early: 0.0,
    }];
    let plan = plan_day(&mothers, 10.0, 12.0, &coming);
    assert_close(plan[0][T1], 4.0, "A tier 1");
    assert_close(plan[0][T3], 0.0, "A tier 3");
    assert_close(plan[1][T3], 3.0, "B tier 3 with reservation");
    let plan = plan_day(&mothers, 10.0, 12.0, &[]);
    assert_close(plan[1][T3], 6.0, "B tier 3 without reservation");
}

#[test]
fn tier1_shortage_helps_the_furthest_behind_first() {
    // Shares: A 24/4 = 6, B 12/4 = 3, C 6/2 = 3 (all tier 1 indicated 24, cap 8). Capacity 6
    // < 12: water-filling on owed/indicated. A starts at 24/24, B at 12/24, C at 6/24.
    // A alone down to 12/24 would take 12 h > 6, so A gets all 6 and ends at 18/24.
    let mothers = [
        mother([24.0, 0.0, 0.0, 0.0], [24.0, 0.0, 0.0, 0.0], 4, 8.0),
        mother([24.0, 0.0, 0.0, 0.0], [12.0, 0.0, 0.0, 0.0], 4, 8.0),
        mother([24.0, 0.0, 0.0, 0.0], [6.0, 0.0, 0.0, 0.0], 2, 8.0),
    ];
    let plan = plan_day(&mothers, 6.0, 6.0, &[]);
    assert_close(plan[0][T1], 6.0, "A");
    assert_close(plan[1][T1], 0.0, "B");
    assert_close(plan[2][T1], 0.0, "C");
    // Capacity 9: A's demand (6) is met; B and C are capped at 3, A would have continued
    // but her share is reached, so B (furthest behind of the rest, at 12/24) gets the 3 h.
    let plan = plan_day(&mothers, 9.0, 9.0, &[]);
    assert_close(plan[0][T1], 6.0, "A");
    assert_close(plan[1][T1], 3.0, "B");
    assert_close(plan[2][T1], 0.0, "C");
}

#[test]
fn the_mother_on_her_last_day_comes_first() {
    // The worked example of docs/policies.md. 12 h today, every cap 8 h.
    // Anna: last day, 8 h of her minimum still owed: all 8 can only be given today.
    // Bea: first of 8 days, owed all 24 h (share 3), an early registrant with 25 h of tier 3.
    // Carla: 5 days left, owed 10 h of her minimum (share 2) and 20 h of tier 4.
    // Anna's 8 h first; then the shares (5 h) from the 4 h left, max-min on the share still
    // owed: Bea (24/24 behind) gets her 3 h, Carla (10/24) the last hour. Max-min alone would
    // have given Anna 7 h (she is only 8/24 behind) and left her below the minimum for good.
    let mothers = [
        mother([24.0, 0.0, 0.0, 0.0], [8.0, 0.0, 0.0, 0.0], 1, 8.0),
        mother([24.0, 0.0, 25.0, 0.0], [24.0, 0.0, 25.0, 0.0], 8, 8.0),
        mother([24.0, 0.0, 0.0, 20.0], [10.0, 0.0, 0.0, 20.0], 5, 8.0),
    ];
    let plan = plan_day(&mothers, 12.0, 12.0, &[]);
    assert_close(plan[0][T1], 8.0, "Anna");
    assert_close(plan[1][T1], 3.0, "Bea");
    assert_close(plan[2][T1], 1.0, "Carla");
    assert_close(plan.iter().map(|p| p[T3] + p[T4]).sum(), 0.0, "tiers 3-4");
    // 30 h: the minimum is front-loaded, every mother gets tier-1 hours up to her cap, and
    // the 6 h left find nobody with room (no tier 3 or 4 today).
    let plan = plan_day(&mothers, 30.0, 30.0, &[]);
    assert_close(plan[0][T1], 8.0, "Anna, 30 h");
    assert_close(plan[1][T1], 8.0, "Bea, 30 h");
    assert_close(plan[2][T1], 8.0, "Carla, 30 h");
}
