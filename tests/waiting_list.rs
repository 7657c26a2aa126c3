//! Property tests of the regional waiting list's lending step (`policy::waiting_list`), with
//! no simulation: random providers' spare hours, random lists of mothers short of their
//! guaranteed hours, random coverage; and random scope-days planned with minimum-first for
//! what a lender may lend.

use kraamsim::policy::waiting_list::{
    LenderOrder, SPARE_EPS, Waiting, add_loan, lacking_today, place_waiting_list, spare_hours,
};
use kraamsim::policy::{AllocationPolicy, DayInput, MinimumFirst, MotherDay, TIERS, TierHours};
use proptest::collection::vec;
use proptest::prelude::*;

const EPS: f64 = 1e-9;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A region-day: spare hours per provider, the list, coverage (provider x mother), the
/// priority ranks, the daily limit.
type RegionDay = (Vec<f64>, Vec<Waiting>, Vec<Vec<bool>>, Vec<usize>, usize);

fn arb_region_day() -> impl Strategy<Value = RegionDay> {
    (2usize..6).prop_flat_map(|n| {
        (
            vec(prop_oneof![1 => Just(0.0), 3 => 0.0f64..40.0], n),
            vec(
                (0..n, 1u32..10, 0u64..50, 0.0f64..10.0).prop_map(|(provider, days, reg, l)| {
                    Waiting {
                        provider,
                        days_left: days,
                        registration_order: reg,
                        lacking: l,
                    }
                }),
                0..30,
            ),
            vec(vec(prop_oneof![1 => Just(false), 3 => Just(true)], 30), n),
            Just((0..n).rev().collect::<Vec<usize>>()),
            prop_oneof![3 => Just(usize::MAX), 1 => 0usize..5],
        )
    })
}

proptest! {
    #![proptest_config(config())]

    /// Conservation: what each provider lends is exactly what its spare hours lose, never
    /// more than it had; a mother borrows at most what she lacks, only from other providers
    /// covering her; she moves to her first lender, and only when she got hours.
    #[test]
    fn loans_conserve_hours_and_respect_coverage(
        (spare0, list, covers, rank, limit) in arb_region_day(),
        most_spare in any::<bool>(),
    ) {
        let mut spare = spare0.clone();
        let order = if most_spare { LenderOrder::MostSpare } else { LenderOrder::Priority(&rank) };
        let p = place_waiting_list(&mut spare, &list, |b, w| covers[b][w], order, limit);
        let mut lent = vec![0.0; spare.len()];
        let mut borrowed = vec![0.0; list.len()];
        for loan in &p.loans {
            prop_assert!(loan.hours > 0.0);
            prop_assert!(loan.lender != list[loan.waiting].provider, "lent to her own provider");
            prop_assert!(covers[loan.lender][loan.waiting], "lender does not cover her");
            lent[loan.lender] += loan.hours;
            borrowed[loan.waiting] += loan.hours;
        }
        for b in 0..spare.len() {
            prop_assert!(spare[b] >= -EPS);
            prop_assert!((spare0[b] - spare[b] - lent[b]).abs() <= 1e-9 * spare0[b].max(1.0),
                "provider {b}: {} spare, {} lent, {} left", spare0[b], lent[b], spare[b]);
        }
        for (w, m) in list.iter().enumerate() {
            prop_assert!(borrowed[w] <= m.lacking + EPS, "mother {w} borrowed more than she lacks");
        }
        prop_assert!(p.moves.len() <= limit);
        for &(w, to) in &p.moves {
            let first = p.loans.iter().find(|l| l.waiting == w).map(|l| l.lender);
            prop_assert_eq!(first, Some(to), "mother {} moves to her first lender", w);
        }
        let lent_total: f64 = lent.iter().sum();
        let borrowed_total: f64 = borrowed.iter().sum();
        prop_assert!((lent_total - borrowed_total).abs() <= 1e-9 * lent_total.max(1.0));
    }

    /// The list's guarantee: with no daily limit, a mother left short has no covering
    /// provider (other than her own) with spare hours left.
    #[test]
    fn a_mother_left_short_has_no_covering_lender_with_spare_hours(
        (spare0, list, covers, rank, _) in arb_region_day(),
    ) {
        let mut spare = spare0;
        let p = place_waiting_list(&mut spare, &list, |b, w| covers[b][w],
                                   LenderOrder::Priority(&rank), usize::MAX);
        for (w, m) in list.iter().enumerate() {
            let got: f64 = p.loans.iter().filter(|l| l.waiting == w).map(|l| l.hours).sum();
            if got < m.lacking - SPARE_EPS {
                for (b, s) in spare.iter().enumerate() {
                    prop_assert!(b == m.provider || !covers[b][w] || *s <= SPARE_EPS,
                        "mother {w} short by {} while provider {b} has {s} spare",
                        m.lacking - got);
                }
            }
        }
    }

    /// A lender never lends hours its own mothers need for their minimum (or medical hours):
    /// plan a scope-day with minimum-first, lend any part of its spare hours, plan again with
    /// what is left: every mother keeps at least her tier-1/2 hours.
    #[test]
    fn lending_spare_hours_keeps_the_lenders_mothers_guaranteed_hours(
        mothers in vec(arb_mother(), 0..30),
        capacity in 0.0f64..200.0,
        extra_budget in 0.0f64..100.0,
        part in 0.0f64..=1.0,
    ) {
        let budget = capacity + extra_budget;
        let before = plan_day(&mothers, capacity, budget);
        let spare = spare_hours(capacity, &before, true);
        prop_assert!(spare <= capacity + 1e-9);
        let lent = spare * part;
        let after = plan_day(&mothers, capacity - lent, budget - lent);
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            prop_assert!(a[0] >= b[0] - 1e-9 && a[1] >= b[1] - 1e-9,
                "mother {i}: tier 1/2 {:?} before lending {lent} h, {:?} after", &b[..2], &a[..2]);
        }
    }

    /// A transfer never takes a mother below her minimum: the hours lent to her only add to
    /// her tier-1 then tier-2 hours, within what she is owed and her daily cap.
    #[test]
    fn a_loan_only_adds_guaranteed_hours_within_her_cap(
        m in arb_mother(),
        planned in proptest::array::uniform4(0.0f64..=1.0),
        part in 0.0f64..=1.0,
    ) {
        // Some plan within what she is owed and her cap.
        let mut plan: TierHours = [0.0; TIERS];
        let mut room = m.daily_cap;
        for ((p, owed), share) in plan.iter_mut().zip(m.owed).zip(planned) {
            *p = (owed * share).min(room);
            room -= *p;
        }
        let lacking = lacking_today(&m, &plan);
        let before = plan;
        add_loan(&m.owed, &mut plan, lacking * part);
        prop_assert!(plan[0] >= before[0] && plan[1] >= before[1]);
        prop_assert!(plan[0] <= m.owed[0] + 1e-9 && plan[1] <= m.owed[1] + 1e-9);
        prop_assert_eq!(&plan[2..], &before[2..]);
        let total: f64 = plan.iter().sum();
        prop_assert!(total <= m.daily_cap + 1e-9, "{total} above her cap {}", m.daily_cap);
        prop_assert!((total - before.iter().sum::<f64>() - lacking * part).abs() <= 1e-9,
            "the loan's hours all reach her plan");
    }
}

fn plan_day(mothers: &[MotherDay], capacity: f64, budget: f64) -> Vec<TierHours> {
    let input = DayInput {
        mothers,
        capacity,
        week_budget_left: budget,
        coming_days: &[],
    };
    let mut plan = vec![[0.0; TIERS]; mothers.len()];
    MinimumFirst::default().allocate_day(&input, &mut plan);
    plan
}

fn arb_mother() -> impl Strategy<Value = MotherDay> {
    (
        prop_oneof![3 => Just(24.0), 1 => 0.0f64..24.0],
        0.0f64..20.0,
        0.0f64..30.0,
        any::<bool>(),
        proptest::array::uniform4(0.0f64..=1.0),
        1u32..=10,
        1.0f64..=10.0,
    )
        .prop_map(|(t1, t2, rest, early, frac, days_left, daily_cap)| {
            let indicated = if early {
                [t1, t2, rest, 0.0]
            } else {
                [t1, t2, 0.0, rest]
            };
            let mut owed = [0.0; TIERS];
            for ((o, i), f) in owed.iter_mut().zip(indicated).zip(frac) {
                *o = i * f;
            }
            MotherDay {
                indicated,
                owed,
                days_left,
                daily_cap,
                registration_order: 0,
            }
        })
}
