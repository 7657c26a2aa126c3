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
}

/// Splits `budget` hours over `claims`, writing each mother's hours into `out`.
///
/// With enough budget everyone gets her demand. Otherwise the split is max-min fair on the
/// *share of the tier still owed*: it finds the level `L` such that every mother is served
/// down to `owed - L * indicated` (within `0..=demand`). So the mother furthest behind, as a
/// share of her own tier, is helped first, and nobody is left further behind than anybody who
/// got hours. Mothers at an equal share are lowered together.
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
    for &(at, change) in breakpoints.iter() {
        let served_at = served + slope * (level - at);
        if served_at >= budget && slope > 0.0 {
            level -= (budget - served) / slope;
            served = budget;
            break;
        }
        served = served_at;
        level = at;
        slope += change;
    }
    debug_assert!(served >= budget - 1e-6 * budget.max(1.0));
    let mut given = 0.0;
    for (o, c) in out.iter_mut().zip(claims) {
        let w = c.indicated.max(1e-9);
        *o = (c.owed - level * w).clamp(0.0, c.demand.max(0.0));
        given += *o;
    }
    // Rounding can overshoot by a few ulps; never hand out more than the budget.
    if given > budget {
        let scale = budget / given;
        out.iter_mut().for_each(|o| *o *= scale);
    }
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

    proptest! {
        #[test]
        fn water_fill_is_feasible_and_max_min_fair(
            raw in proptest::collection::vec((0.0f64..10.0, 0.0f64..1.0, 1.0f64..60.0), 1..40),
            budget in 0.0f64..200.0,
        ) {
            let claims: Vec<Claim> = raw.iter().map(|&(d, frac, ind)| {
                let owed = ind * frac;
                claim(d.min(owed), owed, ind)
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
            // her tier) than any mother who got hours: nobody is served past the level.
            for (i, (xi, ci)) in out.iter().zip(&claims).enumerate() {
                if *xi < ci.demand - 1e-9 {
                    let behind_i = (ci.owed - xi) / ci.indicated;
                    for (j, (xj, cj)) in out.iter().zip(&claims).enumerate() {
                        if i != j && *xj > 1e-9 {
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
