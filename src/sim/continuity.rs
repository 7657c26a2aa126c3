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

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// One mother's part of a scope-day's placement: one record per mother, so that the day's
/// passes over the mothers (hand-out, placement) read one array.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// Hours from her own provider's carers still to place today (consumed by [`place`]).
    pub need: f64,
    /// Her carers as placement prefers them: her latest first, then her earlier ones (padded
    /// with [`NO_CARER`]).
    pub known: [u32; KNOWN_CARERS],
    /// Her care starts today: she has no carer to keep.
    pub fresh: bool,
    /// The carer who gave her most today and the hours (`NO_CARER`: none yet).
    pub main: (u32, f64),
}

impl Family {
    pub fn new(need: f64, known: [u32; KNOWN_CARERS], fresh: bool) -> Self {
        Family {
            need,
            known,
            fresh,
            main: (NO_CARER, 0.0),
        }
    }
}

/// Scratch vectors of [`place`], kept between calls so that a scope-day allocates nothing.
#[derive(Debug, Default)]
pub struct PlaceScratch {
    /// The hand-out's hours left, in roster order.
    hand: Vec<f64>,
    /// The families still short after their known carers, in family order.
    short: Vec<u32>,
}

/// Hours below which a piece does not make a carer one of the mother's carers, nor her main
/// one (float residue).
pub const PIECE_EPS: f64 = 1e-6;

/// Places each family's `need` (hours from her own provider's carers today, consumed) with
/// the carers of `handout` (in roster order), who have `to_hand[c]` hours each to give
/// (indexed by carer id; what is left there afterwards means nothing; `scratch` keeps its
/// vectors from call to call). Each piece is passed to `placed(family, carer, hours)` in
/// the order given (so a mother's carers of the day come in order), and the family keeps the
/// carer who gave her most (`main`, pieces over [`PIECE_EPS`]). Returns the hours no carer was
/// left to give (0 when the carers' hours cover the needs).
///
/// With `continuity`, first every mother gets what she can from the carers she already had
/// (`known`), before any carer is given to a new family; a mother still short then gets one
/// new carer who can give all she still needs, if one is found, else the next carers in
/// roster order. Without it, the needs are cut from the carers in roster order.
pub fn place(
    families: &mut [Family],
    handout: &[u32],
    to_hand: &mut [f64],
    continuity: bool,
    scratch: &mut PlaceScratch,
    mut placed: impl FnMut(usize, u32, f64),
) -> f64 {
    let PlaceScratch { hand, short } = scratch;
    let mut piece = |f: &mut Family, i: usize, c: u32, x: f64| {
        if x > PIECE_EPS && x > f.main.1 {
            f.main = (c, x);
        }
        placed(i, c, x);
    };
    // Takes what known carer `c` still has for family `i` (up to her need).
    let mut from_known = |f: &mut Family, i: usize, c: u32| {
        let x = to_hand[c as usize].min(f.need);
        if x > EPS {
            to_hand[c as usize] -= x;
            f.need -= x;
            piece(f, i, c, x);
        }
    };
    // The later passes only concern the mothers still short (`short`, in family order).
    short.clear();
    for (i, f) in families.iter_mut().enumerate() {
        // Every mother's latest carer first (then, below, her earlier ones, so that a mother
        // back with an earlier carer does not take the hours of that carer's current
        // families).
        let latest = f.known[0];
        if continuity && latest != NO_CARER && f.need > EPS {
            from_known(f, i, latest);
        }
        if f.need > EPS {
            short.push(i as u32);
        } else {
            f.need = 0.0;
        }
    }
    if continuity {
        for &i in short.iter() {
            let f = &mut families[i as usize];
            let known = f.known;
            for &c in &known[1..] {
                if f.need <= EPS || c == NO_CARER {
                    break;
                }
                from_known(f, i as usize, c);
            }
        }
        short.retain(|&i| {
            let f = &mut families[i as usize];
            if f.need <= EPS {
                f.need = 0.0;
            }
            f.need > 0.0
        });
    }
    // From here on carers are only taken in roster order: their hours left, in that order
    // (`hand[j]` is `handout[j]`'s), are one contiguous array.
    hand.clear();
    hand.extend(handout.iter().map(|&c| to_hand[c as usize]));
    let mut next = 0;
    let skip_empty = |next: &mut usize, hand: &[f64]| {
        while *next < hand.len() && hand[*next] <= EPS {
            *next += 1;
        }
    };
    if continuity {
        // One new carer who can give all she still needs: first for the mothers with no
        // carer yet (the hand-out keeps such a carer for each mother whose care starts), then
        // for the others. No carer has more than `most` left (an upper bound: hours are only
        // taken), so a larger need is not searched for.
        let most = hand.iter().copied().fold(0.0, f64::max);
        for new_family in [true, false] {
            for &i in short.iter() {
                let (i, f) = (i as usize, &mut families[i as usize]);
                if f.need <= EPS || f.need > most + EPS || (f.known[0] == NO_CARER) != new_family {
                    continue;
                }
                skip_empty(&mut next, hand);
                let whole = hand[next..]
                    .iter()
                    .take(LOOKAHEAD)
                    .position(|&h| h >= f.need - EPS);
                if let Some(j) = whole.map(|j| next + j) {
                    hand[j] = (hand[j] - f.need).max(0.0);
                    let x = f.need;
                    f.need = 0.0;
                    piece(f, i, handout[j], x);
                }
            }
        }
    }
    // The rest is cut from the carers in roster order (with continuity: the one with most
    // hours left of the next few first, for the fewest pieces).
    let mut unplaced = 0.0;
    for &i in short.iter() {
        let (i, f) = (i as usize, &mut families[i as usize]);
        while f.need > EPS {
            skip_empty(&mut next, hand);
            if next == hand.len() {
                break;
            }
            let mut k = next;
            if continuity {
                for j in next + 1..hand.len().min(next + SPLIT_LOOKAHEAD) {
                    if hand[j] > hand[k] {
                        k = j;
                    }
                }
            }
            let x = hand[k].min(f.need);
            hand[k] -= x;
            f.need -= x;
            piece(f, i, handout[k], x);
        }
        if f.need > EPS {
            unplaced += f.need;
        }
        f.need = 0.0;
    }
    unplaced
}

/// `x` as an integer that orders as [`f64::total_cmp`] orders floats (the same bit trick).
fn total_order(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// Scratch vectors of [`assign`], kept between calls.
#[derive(Debug, Default)]
pub struct AssignScratch {
    /// The carers with room who had no family after step 1, best first: their priority (as
    /// [`total_order`]) and place in the roster.
    free: Vec<(Reverse<i64>, u32)>,
    /// By carer id: she has been given a family today.
    taken: Vec<bool>,
    /// The families still short, in family order.
    short: Vec<u32>,
}

/// Names the carers of a scope-day as kraamzorg is planned: **a family keeps her main carer**.
/// `room[c]` are the hours carer `c` can still work today (consumed); `carers` the scope's
/// carers in roster order; `priority(c)` how long carer `c` can carry a family over the
/// coming days (her budget, her days until a rest day or a free weekend). `known` of each
/// family lists her carers, her main one (the first) first. Each piece goes to
/// `placed(family, carer, hours)`. Returns the hours no carer had room for (0 when the rooms
/// cover the needs).
///
/// 1. Every family first gets what she can from her main carer, then, for what is still
///    open, from her other carers (her second one, for the days the main one is off).
/// 2. A family still short gets **one new carer who can give all she still needs**: the free
///    carer (no family yet today) who can carry her longest, so that she can stay the coming
///    days; families without a carer first.
/// 3. What is left is cut from as few carers as can give it (each time the one with most room
///    left): a third carer only when absence or shortage leaves no other way.
///
/// The hours each family gets were fixed by the policy before; this only names carers.
pub fn assign(
    families: &mut [Family],
    carers: &[u32],
    room: &mut [f64],
    priority: impl Fn(u32) -> f64,
    scratch: &mut AssignScratch,
    mut placed: impl FnMut(usize, u32, f64),
) -> f64 {
    let AssignScratch { free, taken, short } = scratch;
    if taken.len() < room.len() {
        taken.resize(room.len(), false);
    }
    let mut give =
        |f: &mut Family, i: usize, c: u32, x: f64, taken: &mut [bool], room: &mut [f64]| {
            room[c as usize] -= x;
            f.need -= x;
            taken[c as usize] = true;
            if x > PIECE_EPS && x > f.main.1 {
                f.main = (c, x);
            }
            placed(i, c, x);
        };
    // 1. Her own carers: the main one for every family first, then the others.
    for round in 0..2 {
        for (i, f) in families.iter_mut().enumerate() {
            let known = f.known;
            let mine = if round == 0 { &known[..1] } else { &known[1..] };
            for &c in mine {
                if f.need <= EPS || c == NO_CARER {
                    break;
                }
                let x = room[c as usize].min(f.need);
                if x > EPS {
                    give(f, i, c, x, taken, room);
                }
            }
        }
    }
    short.clear();
    short.extend((0..families.len() as u32).filter(|&i| families[i as usize].need > EPS));
    // 2. One new carer for all she still needs, the free carer who can carry her longest first
    //    (the first in roster order on a tie: the key holds the place in the roster, so no
    //    two keys are equal and an unstable sort gives the one order). A carer with less room
    //    than the smallest need left never qualifies; the others' priorities are read once,
    //    and only on a scope-day with a family short.
    free.clear();
    if let Some(smallest) = short.iter().map(|&i| families[i as usize].need).reduce(f64::min) {
        free.extend(carers.iter().enumerate().filter_map(|(k, &c)| {
            let r = room[c as usize];
            (!taken[c as usize] && r > EPS && r >= smallest - EPS)
                .then(|| (Reverse(total_order(priority(c))), k as u32))
        }));
        free.sort_unstable();
    }
    // The free carers before `first` have all been given a family.
    let mut first = 0;
    for new_family in [true, false] {
        for &i in short.iter() {
            let f = &mut families[i as usize];
            if f.need <= EPS || (f.known[0] == NO_CARER) != new_family {
                continue;
            }
            while free
                .get(first)
                .is_some_and(|&(_, k)| taken[carers[k as usize] as usize])
            {
                first += 1;
            }
            let whole = free[first..].iter().map(|&(_, k)| carers[k as usize]).find(|&c| {
                !taken[c as usize] && room[c as usize] >= f.need - EPS
            });
            if let Some(c) = whole {
                let x = f.need.min(room[c as usize]);
                give(f, i as usize, c, x, taken, room);
            }
        }
    }
    // 3. The rest, from as few carers as can give it: each time the carer with most room
    //    left (the first in roster order on a tie), kept in a heap.
    let mut unplaced = 0.0;
    let mut heap: Option<BinaryHeap<(u64, Reverse<usize>)>> = None;
    for &i in short.iter() {
        let f = &mut families[i as usize];
        if f.need > EPS {
            // Positive floats order as their bits.
            let by_room = heap.get_or_insert_with(|| {
                carers
                    .iter()
                    .enumerate()
                    .filter(|&(_, &c)| room[c as usize] > EPS)
                    .map(|(k, &c)| (room[c as usize].to_bits(), Reverse(k)))
                    .collect()
            });
            while f.need > EPS {
                let Some((_, Reverse(k))) = by_room.pop() else {
                    break;
                };
                let c = carers[k];
                let x = room[c as usize].min(f.need);
                give(f, i as usize, c, x, taken, room);
                if room[c as usize] > EPS {
                    by_room.push((room[c as usize].to_bits(), Reverse(k)));
                }
            }
        }
        if f.need > EPS {
            unplaced += f.need;
        }
        f.need = 0.0;
    }
    for &c in carers {
        taken[c as usize] = false;
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

    fn families(needs: &[f64], known: &[[u32; KNOWN_CARERS]]) -> Vec<Family> {
        let fresh = |k: &[u32; KNOWN_CARERS]| k[0] == NO_CARER;
        needs
            .iter()
            .zip(known)
            .map(|(&n, k)| Family::new(n, *k, fresh(k)))
            .collect()
    }

    /// Each mother's known carers from a drawn history: its first distinct ids below
    /// `carers`, at most [`KNOWN_CARERS`].
    fn known_lists(history: &[Vec<u32>], carers: u32) -> Vec<[u32; KNOWN_CARERS]> {
        history
            .iter()
            .map(|ids| {
                let mut k = [NO_CARER; KNOWN_CARERS];
                let mut j = 0;
                for &c in ids {
                    if c < carers && j < KNOWN_CARERS && !k.contains(&c) {
                        k[j] = c;
                        j += 1;
                    }
                }
                k
            })
            .collect()
    }

    /// One piece of placement: (family, carer, hours).
    type Piece = (usize, u32, f64);

    /// The rules of [`place`] written out literally, as the oracle for its faster passes:
    /// every pass goes over every mother, and a carer's hours left are looked up by id. It
    /// returns the pieces in order, the hours not placed and each mother's main carer.
    fn place_by_the_rules(
        families: &[Family],
        handout: &[u32],
        to_hand: &[f64],
        continuity: bool,
    ) -> (Vec<Piece>, f64, Vec<(u32, f64)>) {
        let mut left = to_hand.to_vec();
        let mut need: Vec<f64> = families.iter().map(|f| f.need).collect();
        let mut main = vec![(NO_CARER, 0.0); families.len()];
        let mut pieces = Vec::new();
        let mut give = |i: usize, c: u32, x: f64, pieces: &mut Vec<Piece>| {
            if x > PIECE_EPS && x > main[i].1 {
                main[i] = (c, x);
            }
            pieces.push((i, c, x));
        };
        if continuity {
            // Rule 1: every mother's latest carer; rule 2: then her earlier ones.
            for carers in [0..1, 1..KNOWN_CARERS] {
                for (i, family) in families.iter().enumerate() {
                    for &c in &family.known[carers.clone()] {
                        if need[i] <= EPS || c == NO_CARER {
                            break;
                        }
                        let x = left[c as usize].min(need[i]);
                        if x > EPS {
                            left[c as usize] -= x;
                            need[i] -= x;
                            give(i, c, x, &mut pieces);
                        }
                    }
                }
            }
        }
        let first_with_hours = |from: usize, left: &[f64]| {
            (from..handout.len())
                .find(|&j| left[handout[j] as usize] > EPS)
                .unwrap_or(handout.len())
        };
        let mut next = 0;
        if continuity {
            // Rule 3: one new carer with room for all she still needs, new families first.
            let most = handout
                .iter()
                .map(|&c| left[c as usize])
                .fold(0.0, f64::max);
            for new_family in [true, false] {
                for (i, family) in families.iter().enumerate() {
                    let wanted = need[i] > EPS && need[i] <= most + EPS;
                    if !wanted || (family.known[0] == NO_CARER) != new_family {
                        continue;
                    }
                    next = first_with_hours(next, &left);
                    let window = next..handout.len().min(next + LOOKAHEAD);
                    if let Some(j) = window
                        .into_iter()
                        .find(|&j| left[handout[j] as usize] >= need[i] - EPS)
                    {
                        let c = handout[j];
                        left[c as usize] = (left[c as usize] - need[i]).max(0.0);
                        give(i, c, need[i], &mut pieces);
                        need[i] = 0.0;
                    }
                }
            }
        }
        // Rule 4: the rest in hand-out order (with continuity, the carer with most left of
        // the next few first).
        let mut unplaced = 0.0;
        for (i, need) in need.iter_mut().enumerate() {
            while *need > EPS {
                next = first_with_hours(next, &left);
                let Some(&first) = handout.get(next) else {
                    break;
                };
                let mut best = first;
                if continuity {
                    let window = &handout[next + 1..handout.len().min(next + SPLIT_LOOKAHEAD)];
                    for &c in window {
                        if left[c as usize] > left[best as usize] {
                            best = c;
                        }
                    }
                }
                let x = left[best as usize].min(*need);
                left[best as usize] -= x;
                *need -= x;
                give(i, best, x, &mut pieces);
            }
            if *need > EPS {
                unplaced += *need;
            }
        }
        (pieces, unplaced, main)
    }

    #[test]
    fn total_order_orders_as_total_cmp() {
        let xs = [
            f64::NEG_INFINITY,
            -3.5,
            -0.0,
            0.0,
            1e-300,
            2.0,
            8.0,
            36.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(total_order(a).cmp(&total_order(b)), a.total_cmp(&b), "{a} {b}");
            }
        }
    }

    #[test]
    fn a_family_keeps_its_carer_and_a_new_one_gives_all_hours() {
        // Carers 0, 1, 2 give 8, 8 and 4 hours today. Mother 0 had carer 1, mother 1 nobody,
        // mother 2 had carer 0.
        let mut to_hand = vec![8.0, 8.0, 4.0];
        let needs = [6.0, 6.0, 6.0];
        let history = [known(&[1]), known(&[]), known(&[0])];
        let mut got = Vec::new();
        let mut fams = families(&needs, &history);
        let mut hand = PlaceScratch::default();
        let left = place(
            &mut fams,
            &[0, 1, 2],
            &mut to_hand,
            true,
            &mut hand,
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
        // The family keeps the one who gave most.
        assert_eq!(fams[1].main, (2, 4.0));
        // Without continuity the roster order decides: mother 0 gets carer 0.
        let mut to_hand = vec![8.0, 8.0, 4.0];
        let mut got = Vec::new();
        place(
            &mut families(&needs, &history),
            &[0, 1, 2],
            &mut to_hand,
            false,
            &mut PlaceScratch::default(),
            |i, c, h| got.push((i, c, h)),
        );
        assert_eq!(got[0], (0, 0, 6.0));
    }

    #[test]
    fn a_new_carer_who_can_give_all_hours_is_preferred() {
        // Carer 0 has 2 h left, carer 1 a full day: a new family goes to carer 1 only.
        let mut to_hand = vec![2.0, 8.0];
        let mut got = Vec::new();
        place(
            &mut families(&[6.0], &[[NO_CARER; KNOWN_CARERS]]),
            &[0, 1],
            &mut to_hand,
            true,
            &mut PlaceScratch::default(),
            |i, c, h| got.push((i, c, h)),
        );
        assert_eq!(got, vec![(0, 1, 6.0)]);
    }

    proptest! {
        /// `place` gives exactly the pieces of the rules written out literally (the same
        /// carers, in the same order, to the bit), so its faster passes change nothing.
        #[test]
        fn placement_follows_the_rules_to_the_bit(
            // Whole hours as well, so that carers and needs tie (the rules' `>`, `>=`).
            needs in proptest::collection::vec(prop_oneof![
                Just(0.0), 1e-10f64..1e-8, (1u32..13).prop_map(f64::from), 0.0f64..12.0,
            ], 0..30),
            history in proptest::collection::vec(
                proptest::collection::vec(0u32..16, 0..KNOWN_CARERS + 2), 30),
            hours in proptest::collection::vec(
                prop_oneof![Just(0.0), (1u32..9).prop_map(f64::from), 0.0f64..8.0], 16),
            order in Just((0..16u32).collect::<Vec<_>>()).prop_shuffle(),
            working in 0usize..=16,
            continuity in any::<bool>(),
        ) {
            let handout = &order[..working];
            let known_of = known_lists(&history[..needs.len()], hours.len() as u32);
            // Only the carers handing out have hours to give.
            let mut to_hand = vec![0.0; hours.len()];
            for &c in handout {
                to_hand[c as usize] = hours[c as usize];
            }
            let mut fams = families(&needs, &known_of);
            let (want, want_unplaced, want_main) =
                place_by_the_rules(&fams, handout, &to_hand, continuity);
            let mut got = Vec::new();
            let unplaced = place(&mut fams, handout, &mut to_hand, continuity,
                &mut PlaceScratch::default(), |i, c, h| got.push((i, c, h)));
            prop_assert_eq!(got, want);
            prop_assert_eq!(unplaced.to_bits(), want_unplaced.to_bits());
            let main: Vec<_> = fams.iter().map(|f| f.main).collect();
            prop_assert_eq!(main, want_main);
        }

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
            let known_of = known_lists(&history[..needs.len()], n);
            let mut got = vec![0.0; needs.len()];
            let mut by_carer = vec![0.0; to_hand.len()];
            let mut fams = families(&needs, &known_of);
            let unplaced = place(&mut fams, &handout, &mut to_hand, continuity, &mut PlaceScratch::default(),
                |i, c, h| { got[i] += h; by_carer[c as usize] += h; });
            prop_assert!(unplaced < 1e-6);
            for (g, want) in got.iter().zip(&needs) {
                prop_assert!((g - want).abs() < 1e-6, "placed {} of {}", g, want);
            }
            for (b, have) in by_carer.iter().zip(&before) {
                prop_assert!(*b <= have + 1e-6);
            }
        }

        /// [`assign`] names carers without changing hours: it places exactly what the carers
        /// have room for (all planned hours when their room covers them), never more than a
        /// carer's room or a family's need; and a family whose main carer (her first) is
        /// hers alone and has room for all she needs gets every hour from her.
        #[test]
        fn naming_places_every_hour_the_carers_have_room_for(
            needs in proptest::collection::vec(0.0f64..10.0, 0..30),
            room in proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..8.0], 1..25),
            history in proptest::collection::vec(
                proptest::collection::vec(0u32..25, 0..KNOWN_CARERS), 30),
            priority in proptest::collection::vec(0.0f64..50.0, 25),
        ) {
            let n = room.len() as u32;
            let known_of = known_lists(&history[..needs.len()], n);
            let mut fams = families(&needs, &known_of);
            let carers: Vec<u32> = (0..n).collect();
            let mut left = room.clone();
            let mut got = vec![0.0; needs.len()];
            let mut by_carer = vec![0.0; room.len()];
            let mut from = vec![Vec::new(); needs.len()];
            let unplaced = assign(&mut fams, &carers, &mut left, |c| priority[c as usize],
                &mut AssignScratch::default(), |i, c, x| {
                    got[i] += x;
                    by_carer[c as usize] += x;
                    from[i].push(c);
                });
            let (need, have): (f64, f64) = (needs.iter().sum(), room.iter().sum());
            let placed: f64 = got.iter().sum();
            prop_assert!((placed - need.min(have)).abs() < 1e-6, "{} of {} with {}", placed, need, have);
            prop_assert!((unplaced - (need - placed)).abs() < 1e-6);
            for (g, want) in got.iter().zip(&needs) {
                prop_assert!(*g <= want + 1e-9);
            }
            for (b, r) in by_carer.iter().zip(&room) {
                prop_assert!(*b <= r + 1e-9);
            }
            for (i, k) in known_of.iter().enumerate() {
                let main = k[0];
                let alone = known_of.iter().filter(|o| o[0] == main).count() == 1;
                if main != NO_CARER && alone && room[main as usize] >= needs[i] {
                    prop_assert!(from[i].iter().all(|&c| c == main), "family {} from {:?}", i, from[i]);
                }
            }
        }

        /// With carers to spare (more carers with a full shift free than families), every
        /// family new today gets one carer for all her hours: never a split first day.
        #[test]
        fn a_new_family_gets_one_carer_when_carers_are_free(
            needs in proptest::collection::vec(0.5f64..8.0, 1..20),
            extra in 0usize..10,
        ) {
            let n = needs.len() + extra;
            let mut room = vec![8.0; n];
            let carers: Vec<u32> = (0..n as u32).collect();
            let mut fams = families(&needs, &vec![[NO_CARER; KNOWN_CARERS]; needs.len()]);
            let mut from = vec![Vec::new(); needs.len()];
            assign(&mut fams, &carers, &mut room, |_| 1.0, &mut AssignScratch::default(),
                |i, c, _| from[i].push(c));
            for f in &from {
                prop_assert_eq!(f.len(), 1);
            }
        }
    }
}
