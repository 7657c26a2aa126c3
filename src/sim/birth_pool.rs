//! Birth assistance (partusassistentie): carers on call per day part, per provider or pooled
//! over the KSV region (the partuspoule), as a loss system.
//!
//! The day has three parts, night, day and evening (`birth_assist.day_parts`). In each part a
//! number of carers is on call: each is a *post*. Under `pool = "provider"` every provider has
//! its own posts for its own mothers; under `pool = "region"` the region has one set of posts,
//! staffed by its providers in proportion to their carers (largest remainder, see
//! [`apportion`]). A request (a birth that needs a carer, at its birth minute) takes a free
//! post: her own provider's first, then (pooled) any other; the post is busy for
//! `birth_assist.hours`. The posts are a loss system, Erlang-B for `c` posts and offered load
//! `requests per hour × hours` when every part has the same posts
//! (`scenarios/validation/birth-pool-erlang-b.toml`, `tests/validation.rs`). Unless the
//! scenario gives them (`on_call`), the posts of each part are the fewest whose Erlang-B loss
//! at the part's expected load is at most `birth_assist.target_miss` ([`posts_for`]).
//!
//! A request that finds no free post is not turned away: as in practice, a carer on duty is
//! called away (`Simulation::birth` in `super`), and the hours come from her families' care.
//! Only a scope with no carer at work that day misses a birth.
//!
//! A post keeps its state across the part boundary: a carer busy at the change of part is
//! relieved when she is back (the post stays busy until her assist ends). This is the
//! conservative reading (a fresh shift would be free at once), and it keeps the model a
//! stationary loss system, so Erlang-B holds exactly.
//!
//! Capacity: each post holds back `min(hours, part length)` of its provider's care hours every
//! day (room for one assist; the rest of on-call duty is standby, part of the unproductive
//! share of contract hours, `carers.productive_share`). The hours an assist takes come from
//! the carers of the provider whose post served it (`Simulation::birth` in `super`).

use crate::engine::{MINUTES_PER_DAY, Minutes};
use crate::results::DAY_PARTS;
use crate::scenario::BirthAssistParams;

/// The start hours of the night, day and evening parts (validated: cyclic order).
#[derive(Debug, Clone, Copy)]
pub struct DayParts {
    starts: [u32; DAY_PARTS],
}

impl DayParts {
    pub fn new(starts: [u32; DAY_PARTS]) -> Self {
        DayParts { starts }
    }

    /// The part (0 night, 1 day, 2 evening) of the day that `minute` falls in.
    pub fn of_minute(&self, minute: Minutes) -> usize {
        let hour = (minute % MINUTES_PER_DAY) / 60;
        let rel = |h: u32| (h + 24 - self.starts[0]) % 24;
        let h = rel(hour);
        if h < rel(self.starts[1]) {
            0
        } else if h < rel(self.starts[2]) {
            1
        } else {
            2
        }
    }

    /// Length of each part in hours (they add up to 24).
    pub fn hours(&self) -> [f64; DAY_PARTS] {
        let s = self.starts;
        std::array::from_fn(|p| f64::from((s[(p + 1) % DAY_PARTS] + 24 - s[p]) % 24))
    }
}

/// One pool's posts.
#[derive(Debug, Clone, Default)]
struct Pool {
    /// Per post: the minute her current assist ends (0: free).
    busy_until: Vec<Minutes>,
    /// Per part: the provider staffing each post (post `i` is `staffed[p][i]`).
    staffed: [Vec<u16>; DAY_PARTS],
}

/// The on-call posts of one region.
#[derive(Debug, Clone)]
pub struct OnCall {
    parts: DayParts,
    pools: Vec<Pool>,
    /// Per provider: its pool.
    pool_of: Vec<u16>,
    assist_minutes: Minutes,
    /// Per provider: care hours its posts hold back every day.
    held: Vec<f64>,
    /// The region's on-call duty hours per day, per part: posts × part length.
    pub duty_hours: [f64; DAY_PARTS],
    /// Per provider: the on-call duty hours per day, per part, of the posts it staffs.
    provider_duty: Vec<[f64; DAY_PARTS]>,
}

impl OnCall {
    /// The posts of a region with `carers[k]` carers at provider `k`. `requests[k][p]` are
    /// provider `k`'s expected requests per day in part `p` (for posts sized to
    /// `target_miss` when `on_call` is absent).
    pub fn new(
        params: &BirthAssistParams,
        pooled: bool,
        carers: &[u32],
        requests: &[[f64; DAY_PARTS]],
    ) -> Self {
        let n = carers.len();
        let parts = DayParts::new(params.day_parts);
        let lengths = parts.hours();
        // Posts for `r` expected requests a day in part `p`: the offered load is the requests
        // per hour of the part times the hours an assist takes.
        let derive = |r: f64, p: usize| {
            let load = if lengths[p] > 0.0 {
                r / lengths[p] * params.hours
            } else {
                0.0
            };
            posts_for(load, params.target_miss)
        };
        let mut pools = Vec::new();
        let pool_of;
        if pooled {
            let mut pool = Pool::default();
            for p in 0..DAY_PARTS {
                let posts = match params.on_call {
                    Some(on_call) => on_call[p],
                    None => derive(requests.iter().map(|r| r[p]).sum(), p),
                };
                for (k, &count) in apportion(posts, carers).iter().enumerate() {
                    pool.staffed[p].extend(std::iter::repeat_n(k as u16, count as usize));
                }
            }
            pools.push(pool);
            pool_of = vec![0; n];
        } else {
            for (k, expected) in requests.iter().enumerate().take(n) {
                let mut pool = Pool::default();
                for p in 0..DAY_PARTS {
                    let posts = match params.on_call {
                        Some(on_call) => on_call[p],
                        None => derive(expected[p], p),
                    };
                    pool.staffed[p] = vec![k as u16; posts as usize];
                }
                pools.push(pool);
            }
            pool_of = (0..n as u16).collect();
        }
        let mut held = vec![0.0; n];
        let mut duty_hours = [0.0; DAY_PARTS];
        let mut provider_duty = vec![[0.0; DAY_PARTS]; n];
        for pool in &mut pools {
            let most = pool.staffed.iter().map(Vec::len).max().unwrap_or(0);
            pool.busy_until = vec![0; most];
            for p in 0..DAY_PARTS {
                for &k in &pool.staffed[p] {
                    held[k as usize] += params.hours.min(lengths[p]);
                    provider_duty[k as usize][p] += lengths[p];
                }
                duty_hours[p] += pool.staffed[p].len() as f64 * lengths[p];
            }
        }
        OnCall {
            parts,
            pools,
            pool_of,
            assist_minutes: (params.hours * 60.0).round() as Minutes,
            held,
            duty_hours,
            provider_duty,
        }
    }

    /// The day part of `minute`.
    pub fn part_of(&self, minute: Minutes) -> usize {
        self.parts.of_minute(minute)
    }

    /// Care hours provider `k`'s posts hold back every day.
    pub fn held_hours(&self, k: usize) -> f64 {
        self.held.get(k).copied().unwrap_or(0.0)
    }

    /// On-call duty hours per day, per part, of the posts provider `k` staffs (its own, or
    /// its share of the region's pool): they add up to [`OnCall::duty_hours`].
    pub fn provider_duty_hours(&self, k: usize) -> [f64; DAY_PARTS] {
        self.provider_duty
            .get(k)
            .copied()
            .unwrap_or([0.0; DAY_PARTS])
    }

    /// A request at `minute` from a mother of provider `provider`: takes a free post (her own
    /// provider's first) whose provider `has_room` for the assist's hours, and returns that
    /// provider; `None` when the request is missed.
    pub fn request(
        &mut self,
        minute: Minutes,
        provider: u16,
        has_room: impl Fn(u16) -> bool,
    ) -> Option<u16> {
        let part = self.part_of(minute);
        let &pool = self.pool_of.get(provider as usize)?;
        let pool = &mut self.pools[pool as usize];
        let staffed = &pool.staffed[part];
        let free = |i: usize, busy: &[Minutes]| busy[i] <= minute && has_room(staffed[i]);
        let post = (0..staffed.len())
            .find(|&i| staffed[i] == provider && free(i, &pool.busy_until))
            .or_else(|| (0..staffed.len()).find(|&i| free(i, &pool.busy_until)))?;
        pool.busy_until[post] = minute + self.assist_minutes;
        Some(staffed[post])
    }
}

/// Erlang's loss formula: the chance that a request finds all `posts` busy when requests
/// arrive at random (Poisson) with `load` = arrival rate × holding time (in erlangs). The
/// recursion B(0) = 1, B(c) = A·B(c-1) / (c + A·B(c-1)) is exact and stable.
pub fn erlang_b(posts: u32, load: f64) -> f64 {
    (1..=posts).fold(1.0, |b, c| erlang_b_step(b, c, load))
}

/// B(c) from B(c-1): one step of Erlang-B's recursion.
fn erlang_b_step(previous: f64, posts: u32, load: f64) -> f64 {
    load * previous / (f64::from(posts) + load * previous)
}

/// The fewest posts whose Erlang-B loss at `load` is at most `target` (no posts without
/// load). How a planner sizes on-call duty to a chance of a miss: the posts grow with the
/// square root of the load, so a pool needs fewer than its providers would apart.
pub fn posts_for(load: f64, target: f64) -> u32 {
    if load <= 0.0 {
        return 0;
    }
    let mut posts = 0;
    let mut b = 1.0;
    while b > target && posts < MAX_POSTS {
        posts += 1;
        b = erlang_b_step(b, posts, load);
    }
    posts
}

/// Posts per part at most (the scenario's `on_call` range): a bound for absurd loads.
const MAX_POSTS: u32 = 1000;

/// Divides `posts` over providers in proportion to their `carers`, by largest remainder
/// (Hamilton): each gets the whole part of its quota, and the posts left go to the largest
/// fractional parts, the lower index first on ties. No carers: no posts.
pub fn apportion(posts: u32, carers: &[u32]) -> Vec<u32> {
    let total: u64 = carers.iter().map(|&c| u64::from(c)).sum();
    if total == 0 {
        return vec![0; carers.len()];
    }
    // Integer arithmetic, so the result does not depend on rounding.
    let quota = |c: u32| u64::from(posts) * u64::from(c);
    let mut out: Vec<u32> = carers.iter().map(|&c| (quota(c) / total) as u32).collect();
    let given: u32 = out.iter().sum();
    let mut order: Vec<usize> = (0..carers.len()).collect();
    order.sort_by_key(|&k| (std::cmp::Reverse(quota(carers[k]) % total), k));
    for &k in order.iter().take((posts - given) as usize) {
        out[k] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(on_call: Option<[u32; 3]>) -> BirthAssistParams {
        BirthAssistParams {
            on_call,
            ..BirthAssistParams::default()
        }
    }

    #[test]
    fn day_parts_wrap_around_midnight() {
        let d = DayParts::new([0, 8, 16]);
        assert_eq!(d.of_minute(0), 0);
        assert_eq!(d.of_minute(8 * 60 - 1), 0);
        assert_eq!(d.of_minute(8 * 60), 1);
        assert_eq!(d.of_minute(16 * 60), 2);
        assert_eq!(d.of_minute(MINUTES_PER_DAY + 23 * 60), 2);
        assert_eq!(d.hours(), [8.0, 8.0, 8.0]);
        let d = DayParts::new([23, 7, 15]);
        assert_eq!(d.of_minute(23 * 60), 0);
        assert_eq!(d.of_minute(3 * 60), 0);
        assert_eq!(d.of_minute(7 * 60), 1);
        assert_eq!(d.of_minute(22 * 60 + 59), 2);
        assert_eq!(d.hours(), [8.0, 8.0, 8.0]);
        assert_eq!(DayParts::new([0, 7, 19]).hours(), [7.0, 12.0, 5.0]);
    }

    #[test]
    fn largest_remainder_gives_every_post_once() {
        // Quotas 1.8, 0.9, 0.3: one whole post, then the largest remainders 0.9 and 0.8.
        assert_eq!(apportion(3, &[60, 30, 10]), vec![2, 1, 0]);
        assert_eq!(apportion(3, &[50, 30, 20]), vec![1, 1, 1]);
        assert_eq!(apportion(5, &[10, 10]), vec![3, 2]);
        assert_eq!(apportion(4, &[0, 0]), vec![0, 0]);
        assert_eq!(apportion(7, &[1, 2, 3, 4]).iter().sum::<u32>(), 7);
    }

    #[test]
    fn a_busy_post_misses_the_next_request_and_the_pool_lends_one() {
        // Two providers with one post each in every part.
        let mut own = OnCall::new(&params(Some([1, 1, 1])), false, &[10, 10], &[[0.0; 3]; 2]);
        assert_eq!(own.held_hours(0), 12.0);
        assert_eq!(own.duty_hours, [16.0, 16.0, 16.0]);
        assert_eq!(own.request(60, 0, |_| true), Some(0));
        // Provider 0's carer is out for four hours; provider 1's cannot come.
        assert_eq!(own.request(120, 0, |_| true), None);
        assert_eq!(own.request(120, 1, |_| true), Some(1));
        assert_eq!(own.request(60 + 240, 0, |_| true), Some(0));
        // Pooled, two posts per part (one per provider): the second request goes to the
        // other provider's post, the third is missed.
        let mut pool = OnCall::new(&params(Some([2, 2, 2])), true, &[10, 10], &[[0.0; 3]; 2]);
        assert_eq!(pool.request(60, 0, |_| true), Some(0));
        assert_eq!(pool.request(61, 0, |_| true), Some(1));
        assert_eq!(pool.request(62, 1, |_| true), None);
        // Each provider staffs one of the two posts: half the duty hours each.
        assert_eq!(pool.provider_duty_hours(0), [8.0, 8.0, 8.0]);
        assert_eq!(pool.provider_duty_hours(1), [8.0, 8.0, 8.0]);
        // A provider without room cannot serve.
        let mut pool = OnCall::new(&params(Some([2, 2, 2])), true, &[10, 10], &[[0.0; 3]; 2]);
        assert_eq!(pool.request(60, 0, |k| k == 1), Some(1));
    }

    #[test]
    fn posts_are_the_fewest_whose_erlang_b_loss_meets_the_target() {
        // Textbook: B(5, 2) = 0.0367, B(6, 2) = 0.0121, B(7, 2) = 0.0034.
        assert!((erlang_b(6, 2.0) - 0.012_085).abs() < 1e-5);
        assert_eq!(posts_for(2.0, 0.01), 7);
        assert_eq!(posts_for(2.0, 0.05), 5);
        assert_eq!(posts_for(0.0, 0.01), 0);
        // Pooling: four providers of load 0.5 each need 4 × 3 posts apart (B(3, 0.5) =
        // 0.0127 > 1%, so 4 each: B(4, 0.5) = 0.0016), together (load 2) only 7.
        assert_eq!(posts_for(0.5, 0.01), 4);
        assert!(posts_for(2.0, 0.01) < 4 * posts_for(0.5, 0.01));
        for load in [0.1, 0.7, 3.0, 12.5] {
            let c = posts_for(load, 0.01);
            assert!(erlang_b(c, load) <= 0.01);
            assert!(erlang_b(c - 1, load) > 0.01);
        }
    }

    #[test]
    fn derived_posts_meet_the_target_miss_at_the_part_load() {
        // 0.4 requests a day in an 8-hour part, 4 hours each: load 0.2 erlang, B(2, 0.2) =
        // 0.016 > 1%, B(3, 0.2) = 0.0011: 3 posts. 2.0 a day: load 1.0, 5 posts (B = 0.0031;
        // B(4, 1) = 0.0154). No requests: none.
        let on_call = OnCall::new(&params(None), false, &[5], &[[0.4, 2.0, 0.0]]);
        assert_eq!(on_call.duty_hours, [24.0, 40.0, 0.0]);
        assert_eq!(on_call.held_hours(0), 8.0 * 4.0);
    }
}
