//! Continuity of carers (the seed's "at most two carers per family"): which carer gives each
//! mother the hours the plan gave her.
//!
//! The order of the rules is the insurers': the policy first decides how many hours each
//! mother gets (minimum first); the scope's carers then hand out that day's total in roster
//! order (`Simulation::apply_plan` in `super`), which fixes how many hours each carer works.
//! Only then does [`place`] decide which of those carers serves which mother. So continuity
//! can change who comes, never how many hours anyone gets, nor any carer's hours (and with
//! them the capacity of later days): `policy.continuity = false` gives the same hours to the
//! byte (`tests/continuity.rs`).

/// How many of a mother's carers are remembered (by id). `carers` is exact up to this many
/// distinct carers; beyond it a returning carer not remembered counts again (an upper bound;
/// `mothers_over_two_carers` is always exact).
pub const KNOWN_CARERS: usize = 6;

/// No carer (padding of a mother's known carers).
pub const NO_CARER: u32 = u32::MAX;

/// Hours below this are not handed out (float residue).
const EPS: f64 = 1e-9;

/// How far past the first carer with hours left [`place`] looks for a new carer who can give
/// a mother all of her remaining hours (bounded, so placement stays linear).
const LOOKAHEAD: usize = 8;

/// How many carers from the first with hours left a split looks at for the one with most.
const SPLIT_LOOKAHEAD: usize = 4;

/// Places each mother's `needs` (hours from her own provider's carers today, consumed to 0)
/// with the carers of `handout` (in roster order), who have `to_hand[c]` hours each to give
/// (indexed by carer id, consumed). `placed(mother, carer, hours)` is called for each piece.
/// Returns the hours no carer was left to give (0 when the carers' hours cover the needs).
///
/// With `continuity`, first every mother gets what she can from the carers she already had
/// (`known[i]`, preferred first, padded with [`NO_CARER`]), before any carer is given to a new
/// family; a mother still short then gets one new carer who can give all she still needs, if
/// one is found, else the next carers in roster order. Without it, the needs are cut from the
/// carers in roster order.
pub fn place(
    needs: &mut [f64],
    known: &[[u32; KNOWN_CARERS]],
    handout: &[u32],
    to_hand: &mut [f64],
    continuity: bool,
    mut placed: impl FnMut(usize, u32, f64),
) -> f64 {
    if continuity {
        // Every mother's latest carer first, then (a second round) her earlier ones, so that
        // a mother back with an earlier carer does not take the hours of that carer's
        // current families.
        for round in [0..1, 1..KNOWN_CARERS] {
            for (i, (need, mine)) in needs.iter_mut().zip(known).enumerate() {
                for &c in &mine[round.clone()] {
                    if *need <= EPS || c == NO_CARER {
                        break;
                    }
                    let x = to_hand[c as usize].min(*need);
                    if x > EPS {
                        to_hand[c as usize] -= x;
                        *need -= x;
                        placed(i, c, x);
                    }
                }
            }
        }
    }
    let mut next = 0;
    let skip_empty = |next: &mut usize, to_hand: &[f64]| {
        while *next < handout.len() && to_hand[handout[*next] as usize] <= EPS {
            *next += 1;
        }
    };
    if continuity {
        // One new carer who can give all she still needs: first for the mothers with no
        // carer yet (the hand-out keeps such a carer for each mother whose care starts), then
        // for the others. No carer has more than `most` left (an upper bound: hours are only
        // taken), so a larger need is not searched for.
        let most = handout
            .iter()
            .map(|&c| to_hand[c as usize])
            .fold(0.0, f64::max);
        for new_family in [true, false] {
            for (i, need) in needs.iter_mut().enumerate() {
                if *need <= EPS || *need > most + EPS || (known[i][0] == NO_CARER) != new_family {
                    continue;
                }
                skip_empty(&mut next, to_hand);
                let whole = handout[next..]
                    .iter()
                    .take(LOOKAHEAD)
                    .find(|&&c| to_hand[c as usize] >= *need - EPS);
                if let Some(&c) = whole {
                    to_hand[c as usize] = (to_hand[c as usize] - *need).max(0.0);
                    placed(i, c, *need);
                    *need = 0.0;
                }
            }
        }
    }
    // The rest is cut from the carers in roster order (with continuity: the one with most
    // hours left of the next few first, for the fewest pieces).
    let mut unplaced = 0.0;
    for (i, need) in needs.iter_mut().enumerate() {
        while *need > EPS {
            skip_empty(&mut next, to_hand);
            if next == handout.len() {
                break;
            }
            let mut k = next;
            if continuity {
                for j in next + 1..handout.len().min(next + SPLIT_LOOKAHEAD) {
                    if to_hand[handout[j] as usize] > to_hand[handout[k] as usize] {
                        k = j;
                    }
                }
            }
            let c = handout[k];
            let x = to_hand[c as usize].min(*need);
            to_hand[c as usize] -= x;
            *need -= x;
            placed(i, c, x);
        }
        if *need > EPS {
            unplaced += *need;
        }
        *need = 0.0;
    }
    unplaced
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn known(list: &[u32]) -> [u32; KNOWN_CARERS] {
        let mut k = [NO_CARER; KNOWN_CARERS];
        k[..list.len()].copy_from_slice(list);
        k
    }

    #[test]
    fn a_family_keeps_its_carer_and_a_new_one_gives_all_hours() {
        // Carers 0, 1, 2 give 8, 8 and 4 hours today. Mother 0 had carer 1, mother 1 nobody,
        // mother 2 had carer 0.
        let mut to_hand = vec![8.0, 8.0, 4.0];
        let mut needs = vec![6.0, 6.0, 6.0];
        let history = [known(&[1]), known(&[]), known(&[0])];
        let mut got = Vec::new();
        let left = place(
            &mut needs,
            &history,
            &[0, 1, 2],
            &mut to_hand,
            true,
            |i, c, h| got.push((i, c, h)),
        );
        assert_eq!(left, 0.0);
        // Mothers 0 and 2 keep their carers. Mother 1 is new, and no carer can give all her
        // 6 h (0 and 1 have 2 h left, 2 has 4 h): she gets the most hours first, 4 h from
        // carer 2, then 2 h from carer 0: two carers, not three.
        assert_eq!(got[0], (0, 1, 6.0));
        assert_eq!(got[1], (2, 0, 6.0));
        let mother1: Vec<_> = got.iter().filter(|g| g.0 == 1).collect();
        assert_eq!(mother1, vec![&(1, 2, 4.0), &(1, 0, 2.0)]);
        // Without continuity the roster order decides: mother 0 gets carer 0.
        let mut to_hand = vec![8.0, 8.0, 4.0];
        let mut needs = vec![6.0, 6.0, 6.0];
        let mut got = Vec::new();
        place(
            &mut needs,
            &history,
            &[0, 1, 2],
            &mut to_hand,
            false,
            |i, c, h| got.push((i, c, h)),
        );
        assert_eq!(got[0], (0, 0, 6.0));
    }

    #[test]
    fn a_new_carer_who_can_give_all_hours_is_preferred() {
        // Carer 0 has 2 h left, carer 1 a full day: a new family goes to carer 1 only.
        let mut to_hand = vec![2.0, 8.0];
        let mut needs = vec![6.0];
        let mut got = Vec::new();
        place(
            &mut needs,
            &[[NO_CARER; KNOWN_CARERS]],
            &[0, 1],
            &mut to_hand,
            true,
            |i, c, h| got.push((i, c, h)),
        );
        assert_eq!(got, vec![(0, 1, 6.0)]);
    }

    proptest! {
        /// Continuity never changes how many hours a mother gets: whenever the carers' hours
        /// cover the needs, every mother's placed hours equal her planned hours, with or
        /// without continuity, and no carer gives more than she has.
        #[test]
        fn placed_hours_equal_planned_hours(
            needs in proptest::collection::vec(0.0f64..12.0, 0..30),
            room in proptest::collection::vec(0.0f64..8.0, 1..20),
            history in proptest::collection::vec(
                proptest::collection::vec(0u32..20, 0..KNOWN_CARERS), 30),
            spare in 0.0f64..20.0,
            continuity in any::<bool>(),
        ) {
            let total: f64 = needs.iter().sum();
            let mut to_hand = room.clone();
            // Top up the last carer so that the hours cover the needs.
            let have: f64 = to_hand.iter().sum();
            *to_hand.last_mut().unwrap() += (total - have).max(0.0) + spare;
            let before = to_hand.clone();
            let handout: Vec<u32> = (0..to_hand.len() as u32).collect();
            let n = to_hand.len() as u32;
            let known_of: Vec<_> = (0..needs.len()).map(|i| {
                let mut k = [NO_CARER; KNOWN_CARERS];
                let mut j = 0;
                for &c in &history[i] {
                    if c < n && !k.contains(&c) {
                        k[j] = c;
                        j += 1;
                    }
                }
                k
            }).collect();
            let mut got = vec![0.0; needs.len()];
            let mut by_carer = vec![0.0; to_hand.len()];
            let mut left = needs.clone();
            let unplaced = place(&mut left, &known_of, &handout, &mut to_hand, continuity,
                |i, c, h| { got[i] += h; by_carer[c as usize] += h; });
            prop_assert!(unplaced < 1e-6);
            for (g, want) in got.iter().zip(&needs) {
                prop_assert!((g - want).abs() < 1e-6, "placed {} of {}", g, want);
            }
            for (b, have) in by_carer.iter().zip(&before) {
                prop_assert!(*b <= have + 1e-6);
            }
        }
    }
}
