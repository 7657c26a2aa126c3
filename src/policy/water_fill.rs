//! Max-min fair rationing of one tier ("water-filling").

/// One mother's claim on a rationed tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Claim {
    /// Hours she asks for today in this tier.
    pub demand: f64,
    /// Hours of this tier she is still owed (>= demand).
    pub owed: f64,
    /// Hours of this tier she was indicated (> 0 when demand > 0).
    pub indicated: f64,
    /// Her care days left, today included: among mothers equally far behind, fewest first.
    pub days_left: u32,
}

/// Splits `budget` hours over `claims`, writing each mother's hours into `out`.
///
/// With enough budget everyone gets her demand. Otherwise the split is max-min fair on the
/// *share of the tier still owed*: it finds the level `L` such that every mother is served
/// down to `owed - L * indicated` (within `0..=demand`). So the mother furthest behind, as a
/// share of her own tier, is helped first, and nobody is left further behind than anybody who
/// got hours. Mothers at an equal share are lowered together.
///
/// **Ties.** Where the budget runs out, the mothers still being served are all equally far
/// behind (the water level has brought them together), and the budget can take them only
/// part of the way down to the next level. Those hours go to the mothers with the fewest
/// care days left first (`DESIGN.md` §2: "the mother with fewest care days left first on
/// ties"), each as far as the next level; mothers with the same days left are lowered
/// together. Splitting them equally instead would leave a mother with less time to catch up
/// as far behind as one with more.
///
/// The level is found exactly by sweeping the breakpoints of the piecewise-linear total, so it
/// costs O(n log n) and no tolerance tuning.
pub fn water_fill(claims: &[Claim], budget: f64, out: &mut [f64]) {
    water_fill_in(claims, budget, out, &mut Vec::new());
}

/// [`water_fill`] with a caller-owned buffer for the breakpoints, so that a policy running
/// for every scope-day does not allocate each time.
pub fn water_fill_in(
    claims: &[Claim],
    budget: f64,
    out: &mut [f64],
    breakpoints: &mut Vec<(f64, f64)>,
) {
    debug_assert_eq!(claims.len(), out.len());
    let budget = budget.max(0.0);
    let total_demand: f64 = claims.iter().map(|c| c.demand.max(0.0)).sum();
    if total_demand <= budget {
        for (o, c) in out.iter_mut().zip(claims) {
            *o = c.demand.max(0.0);
        }
        return;
    }
    if budget == 0.0 {
        out.fill(0.0);
        return;
    }
    // Each claim's hours as a function of the level L: 0 above owed/w, demand below
    // (owed - demand)/w, linear with slope -w in between. Sweep L downwards.
    breakpoints.clear();
    for c in claims.iter().filter(|c| c.demand > 0.0) {
        let w = c.indicated.max(1e-9);
        breakpoints.push((c.owed / w, w));
        breakpoints.push(((c.owed - c.demand) / w, -w));
    }
    // Unstable is enough: equal levels only change the order of additions to the slope, and
    // the sort is deterministic, so the result is the same on every run.
    breakpoints.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut level = breakpoints[0].0;
    let mut served = 0.0;
    let mut slope = 0.0;
    // The slab of levels in which the budget runs out: from `high` down to `low` (when
    // rounding keeps it from running out, every claim is served at the last level).
    let mut slab = None;
    for &(at, change) in breakpoints.iter() {
        let served_at = served + slope * (level - at);
        if served_at >= budget && slope > 0.0 {
            slab = Some((level, at));
            served = budget;
            break;
        }
        served = served_at;
        level = at;
        slope += change;
    }
    debug_assert!(served >= budget - 1e-6 * budget.max(1.0));
    let (high, low) = slab.unwrap_or((level, level));
    let given = serve_last_slab(claims, budget, high, low, out);
    // Rounding can overshoot by a few ulps; never hand out more than the budget.
    if given > budget {
        let scale = budget / given;
        out.iter_mut().for_each(|o| *o *= scale);
    }
}

/// A claim's hours when the water is at `level` (as a share of her tier still owed).
fn hours_at(c: &Claim, level: f64) -> f64 {
    (c.owed - level * c.indicated.max(1e-9)).clamp(0.0, c.demand.max(0.0))
}

/// Serves every claim down to `high`, then the rest of `budget` within the slab down to
/// `low` to the claims active in it (all equally far behind at `high`), fewest care days
/// left first, claims with the same days left lowered together. Writes the hours into `out`
/// and returns their sum.
fn serve_last_slab(claims: &[Claim], budget: f64, high: f64, low: f64, out: &mut [f64]) -> f64 {
    let mut rest = budget;
    for (o, c) in out.iter_mut().zip(claims) {
        *o = hours_at(c, high);
        rest -= *o;
    }
    let room = |c: &Claim| hours_at(c, low) - hours_at(c, high);
    // The groups of claims active in the slab by days left, fewest first (found one after the
    // other, without a buffer: there are few distinct days left).
    let mut after = None;
    while rest > 0.0 {
        let next = claims
            .iter()
            .filter(|c| room(c) > 0.0 && after.is_none_or(|a| c.days_left > a))
            .map(|c| c.days_left)
            .min();
        let Some(d) = next else { break };
        after = Some(d);
        let group: f64 = claims.iter().filter(|c| c.days_left == d).map(room).sum();
        if group <= 0.0 {
            continue;
        }
        let fraction = (rest / group).min(1.0);
        for (o, c) in out.iter_mut().zip(claims) {
            if c.days_left == d {
                *o += room(c) * fraction;
            }
        }
        rest -= group * fraction;
    }
    out.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn claim(demand: f64, owed: f64, indicated: f64) -> Claim {
        Claim {
            demand,
            owed,
            indicated,
            days_left: 5,
        }
    }

    #[test]
    fn enough_budget_serves_every_demand() {
        let claims = [claim(3.0, 24.0, 24.0), claim(5.0, 10.0, 24.0)];
        let mut out = [0.0; 2];
        water_fill(&claims, 100.0, &mut out);
        assert_eq!(out, [3.0, 5.0]);
    }

    #[test]
    fn mother_furthest_behind_is_helped_first() {
        // A is owed all 24 h, B only 12 of 24: 6 h go to A until both owe the same share.
        let claims = [claim(24.0, 24.0, 24.0), claim(12.0, 12.0, 24.0)];
        let mut out = [0.0; 2];
        water_fill(&claims, 6.0, &mut out);
        assert!(
            (out[0] - 6.0).abs() < 1e-9 && out[1].abs() < 1e-9,
            "{out:?}"
        );
        // With 14 h, A gets 12 + 1 and B 1: both then owe 11/24.
        water_fill(&claims, 14.0, &mut out);
        assert!(
            (out[0] - 13.0).abs() < 1e-9 && (out[1] - 1.0).abs() < 1e-9,
            "{out:?}"
        );
    }

    #[test]
    fn equal_claims_share_equally() {
        let claims = [claim(8.0, 24.0, 24.0); 4];
        let mut out = [0.0; 4];
        water_fill(&claims, 10.0, &mut out);
        assert!(out.iter().all(|x| (x - 2.5).abs() < 1e-9), "{out:?}");
    }

    #[test]
    fn on_a_tie_fewest_days_left_first() {
        // Two new mothers, both owed all 24 h (equally behind), asking 3 and 4.8 h today; 3 h
        // to share: all go to the one with 5 days left, none to the one with 8.
        let claims = [
            Claim {
                days_left: 8,
                ..claim(3.0, 24.0, 24.0)
            },
            Claim {
                days_left: 5,
                ..claim(4.8, 24.0, 24.0)
            },
        ];
        let mut out = [0.0; 2];
        water_fill(&claims, 3.0, &mut out);
        assert!(
            out[0].abs() < 1e-9 && (out[1] - 3.0).abs() < 1e-9,
            "{out:?}"
        );
        // 5 h: coming down together to 21/24 would take 6 h. The one with 5 days left is
        // served to that level first (3 h), the other gets the 2 h left (not 2.5 h each).
        water_fill(&claims, 5.0, &mut out);
        assert!(
            (out[0] - 2.0).abs() < 1e-9 && (out[1] - 3.0).abs() < 1e-9,
            "{out:?}"
        );
    }

    proptest! {
        #[test]
        fn water_fill_is_feasible_and_max_min_fair(
            raw in proptest::collection::vec(
                (0.0f64..10.0, 0.0f64..1.0, 1.0f64..60.0, 1u32..4), 1..40),
            budget in 0.0f64..200.0,
        ) {
            let claims: Vec<Claim> = raw.iter().map(|&(d, frac, ind, days)| {
                let owed = ind * frac;
                Claim { days_left: days, ..claim(d.min(owed), owed, ind) }
            }).collect();
            let mut out = vec![0.0; claims.len()];
            water_fill(&claims, budget, &mut out);
            let total: f64 = out.iter().sum();
            let demand: f64 = claims.iter().map(|c| c.demand).sum();
            prop_assert!(total <= budget + 1e-9);
            prop_assert!((total - demand.min(budget)).abs() <= 1e-6 * demand.max(1.0));
            for (x, c) in out.iter().zip(&claims) {
                prop_assert!(*x >= 0.0 && *x <= c.demand + 1e-12);
            }
            // Max-min: a mother left short of her demand ends no further behind (as a share of
            // her tier) than any mother who got hours, unless that mother has fewer care days
            // left (the tie rule): nobody else is served past the level.
            for (i, (xi, ci)) in out.iter().zip(&claims).enumerate() {
                if *xi < ci.demand - 1e-9 {
                    let behind_i = (ci.owed - xi) / ci.indicated;
                    for (j, (xj, cj)) in out.iter().zip(&claims).enumerate() {
                        if i != j && *xj > 1e-9 && cj.days_left >= ci.days_left {
                            let behind_j = (cj.owed - xj) / cj.indicated;
                            prop_assert!(behind_j >= behind_i - 1e-6,
                                "mother {j} got hours while ending less behind than short mother {i}");
                        }
                    }
                }
            }
        }
    }
}
