//! The regional waiting list's lending step (*wachtlijstcoördinatie*): after every provider of
//! a region planned its own mothers, the mothers left short of their guaranteed hours today
//! borrow hours from the other providers covering their postcode that have hours to spare.
//!
//! Pure, like the policies: `crate::sim` gathers each provider's spare hours and the list of
//! mothers short, calls [`place_waiting_list`], then applies the loans (the lenders' carers
//! work them, the borrowers' plans get them with [`add_loan`]) and moves each placed mother to
//! her first lender. `docs/policies.md`, "The regional waiting list", states the rule.

use super::{MotherDay, TierHours};

/// Hours below which a mother counts as served and a provider as without spare hours.
pub const SPARE_EPS: f64 = 1e-6;

/// The hours of her tier-1/2 share of the day that a plan leaves a mother without, within
/// her daily cap: her guaranteed hours still owed over her days left (or more when the days
/// after today at her cap could not hold the rest), less the tier-1/2 hours planned. What
/// puts her on the waiting list.
pub fn lacking_today(m: &MotherDay, p: &TierHours) -> f64 {
    let owed = m.owed_guaranteed();
    let days = f64::from(m.days_left.max(1));
    let share = (owed / days)
        .max(owed - m.daily_cap * (days - 1.0))
        .min(owed)
        .min(m.daily_cap);
    let room = m.daily_cap - p.iter().sum::<f64>();
    (share - p[0] - p[1]).min(room).max(0.0)
}

/// A provider's hours to spare for other providers' mothers today: what its plan leaves
/// unused of the hours it could plan, and, for a policy that keeps the tier order
/// (minimum-first), the hours it planned for tiers 3 and 4. Never its tier-1/2 hours: lending
/// cannot take its own mothers' guaranteed hours away.
pub fn spare_hours(plannable: f64, plan: &[TierHours], tier_aware: bool) -> f64 {
    let planned: f64 = plan.iter().flatten().sum();
    let extras: f64 = plan.iter().map(|p| p[2] + p[3]).sum();
    let unused = (plannable - planned).max(0.0);
    unused + if tier_aware { extras } else { 0.0 }
}

/// Adds `hours` lent to a mother to her plan: tier 1 first, then tier 2 (within what she is
/// still owed of each; the hours were what she lacked, so they fit).
pub fn add_loan(owed: &TierHours, plan: &mut TierHours, hours: f64) {
    let mut left = hours;
    for t in 0..2 {
        let h = left.min((owed[t] - plan[t]).max(0.0));
        plan[t] += h;
        left -= h;
    }
}

/// A mother on the waiting list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waiting {
    /// Her own provider (never one of her lenders).
    pub provider: usize,
    /// Care days left, today included: fewest first.
    pub days_left: u32,
    /// Order of registration: earlier first among equal days left.
    pub registration_order: u64,
    /// Hours of her tier-1/2 share of the day her provider's plan leaves her without
    /// ([`lacking_today`]).
    pub lacking: f64,
}

/// In which order the providers covering a mother are asked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LenderOrder<'a> {
    /// Most spare hours (at that moment) first; ties by provider index (file order).
    MostSpare,
    /// By rank per provider (lowest first), ties by provider index.
    Priority(&'a [usize]),
}

/// Hours one provider lends one mother of the list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loan {
    /// Index into the list given to [`place_waiting_list`].
    pub waiting: usize,
    pub lender: usize,
    pub hours: f64,
}

/// What the waiting list decided for one region-day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placement {
    /// The loans, in the order they were made.
    pub loans: Vec<Loan>,
    /// Each placed mother (index into the list) and the provider she moves to: her first
    /// lender.
    pub moves: Vec<(usize, usize)>,
}

/// Places the mothers of the waiting list for one region-day.
///
/// The mothers are taken in order of days of care left (fewest first: the least time to
/// catch up), then registration. Each is offered to the providers other than her own that
/// cover her postcode (`covers(provider, mother)`) and still have spare hours, in `order`;
/// the first lends her what she lacks, up to its spare hours; if that is not enough the next
/// lends the rest, and so on. She then moves to the first lender. At most `max_moves`
/// mothers are placed. `spare` (per provider) is reduced by what each lends, so hours are
/// conserved: what a provider lends is exactly what its spare hours lose.
pub fn place_waiting_list(
    spare: &mut [f64],
    waiting: &[Waiting],
    covers: impl Fn(usize, usize) -> bool,
    order: LenderOrder<'_>,
    max_moves: usize,
) -> Placement {
    let mut placement = Placement::default();
    if spare.iter().all(|&x| x <= SPARE_EPS) {
        return placement;
    }
    let mut list: Vec<usize> = (0..waiting.len())
        .filter(|&w| waiting[w].lacking > SPARE_EPS)
        .collect();
    list.sort_by_key(|&w| (waiting[w].days_left, waiting[w].registration_order));
    let mut lenders = Vec::new();
    for w in list {
        if placement.moves.len() >= max_moves {
            break;
        }
        let mother = &waiting[w];
        lenders.clear();
        lenders.extend(
            (0..spare.len())
                .filter(|&b| b != mother.provider && spare[b] > SPARE_EPS && covers(b, w)),
        );
        if lenders.is_empty() {
            continue;
        }
        match order {
            LenderOrder::MostSpare => {
                lenders.sort_by(|&x, &y| spare[y].total_cmp(&spare[x]).then(x.cmp(&y)));
            }
            LenderOrder::Priority(rank) => lenders.sort_by_key(|&b| (rank[b], b)),
        }
        let mut lacking = mother.lacking;
        for &b in &lenders {
            let give = spare[b].min(lacking);
            spare[b] -= give;
            lacking -= give;
            placement.loans.push(Loan {
                waiting: w,
                lender: b,
                hours: give,
            });
            if lacking <= SPARE_EPS {
                break;
            }
        }
        placement.moves.push((w, lenders[0]));
    }
    placement
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(provider: usize, days_left: u32, lacking: f64) -> Waiting {
        Waiting {
            provider,
            days_left,
            registration_order: 0,
            lacking,
        }
    }

    #[test]
    fn fewest_days_left_first_and_the_most_spare_lender_first() {
        // Provider 0 is full; 1 has 3 spare hours, 2 has 5. Mother A (4 days left) lacks 4 h,
        // mother B (1 day left) lacks 6 h: B first, from 2 (5 h) then 1 (1 h); A gets the
        // 2 h left at 1.
        let mut spare = [0.0, 3.0, 5.0];
        let list = [waiting(0, 4, 4.0), waiting(0, 1, 6.0)];
        let p = place_waiting_list(&mut spare, &list, |_, _| true, LenderOrder::MostSpare, 9);
        let loans: Vec<(usize, usize, f64)> = p
            .loans
            .iter()
            .map(|l| (l.waiting, l.lender, l.hours))
            .collect();
        assert_eq!(loans, [(1, 2, 5.0), (1, 1, 1.0), (0, 1, 2.0)]);
        assert_eq!(p.moves, [(1, 2), (0, 1)]);
        assert_eq!(spare, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_provider_that_does_not_cover_her_postcode_never_lends() {
        let mut spare = [0.0, 8.0, 8.0];
        let list = [waiting(0, 2, 4.0)];
        let rank = [0, 1, 0];
        let covers = |b: usize, _| b != 2;
        let p = place_waiting_list(&mut spare, &list, covers, LenderOrder::Priority(&rank), 9);
        assert_eq!(p.moves, [(0, 1)]);
        assert_eq!(spare, [0.0, 4.0, 8.0]);
    }

    #[test]
    fn a_loan_goes_to_tier_1_then_tier_2() {
        let mut plan = [20.0, 0.0, 0.0, 0.0];
        add_loan(&[24.0, 6.0, 0.0, 0.0], &mut plan, 5.0);
        assert_eq!(plan, [24.0, 1.0, 0.0, 0.0]);
    }
}
