//! The event engine: a clock and a deterministic event queue.
//!
//! It is generic over the event type and knows nothing of kraamzorg. The per-region
//! simulation (`crate::sim`) owns one `EventQueue`, pops events in order and schedules new
//! ones. Events are ordered by time and then by insertion sequence, so two events at the same
//! minute always come out in the order they were scheduled: a run never depends on the heap's
//! internal layout, and the same inputs give the same event order on every machine.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Simulation time in whole minutes since the simulation's start.
///
/// One unit for the whole engine: minutes are fine enough for a birth time and coarse enough
/// that a `u32` covers 8,000 years.
pub type Minutes = u32;

/// Minutes in one day.
pub const MINUTES_PER_DAY: Minutes = 24 * 60;

/// A queued event with its sort key: the time in the high 32 bits and the insertion
/// sequence in the low 32 bits, so one integer comparison orders by (time, sequence). Keeping
/// the entry small and the comparison a single `u64` compare is what makes the heap fast.
struct Entry<E> {
    key: u64,
    event: E,
}

impl<E> Entry<E> {
    fn time(&self) -> Minutes {
        (self.key >> 32) as Minutes
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// How many days ahead events are kept in per-day buckets; later ones wait in an ordered
/// overflow heap (a simulation schedules at most a couple of years ahead, so in practice
/// never), which keeps memory bounded for any time a caller may schedule.
const BUCKET_DAYS: usize = 4096;

/// Room in a fresh day bucket: about a day's events of a region, so that the buckets filled
/// when a simulation schedules its whole year up front rarely regrow.
const NEW_BUCKET_CAPACITY: usize = 32;

/// A future-event list with a clock.
///
/// `pop` advances the clock to the popped event's time. Scheduling an event in the past is a
/// logic error of the caller; it is clamped to "now" so the clock never runs backwards.
///
/// Layout (a calendar queue with one bucket per day): each later day's events wait unordered
/// in that day's bucket; when their day comes the bucket is sorted once and popped from its
/// end. Events scheduled into the current day after it was opened (a birth's care starting
/// the same day) go to a small heap beside it, and `pop` takes the earlier of the two. A
/// simulation schedules most events days or months ahead (registrations, births, absences)
/// but handles a few dozen a day, so pushing is O(1) and a day costs one small sort. The
/// order is exactly that of one heap over all events: (time, insertion sequence).
pub struct EventQueue<E> {
    /// The current day's bucket, sorted by key from last to first: the next event is at the
    /// end.
    today: Vec<Entry<E>>,
    /// Events of day `day` or earlier scheduled after the day was opened.
    today_late: BinaryHeap<Entry<E>>,
    /// `later[i]`: the events of day `day + 1 + i`, unordered.
    later: VecDeque<Vec<Entry<E>>>,
    /// Events more than [`BUCKET_DAYS`] days ahead when they were scheduled.
    far: BinaryHeap<Entry<E>>,
    /// Emptied buffers, reused for new day buckets: a simulation opens a bucket a day, and
    /// growing a fresh vector for each would make the allocator a hot spot.
    spare: Vec<Vec<Entry<E>>>,
    /// The day that `today` holds. Invariant: `today` and `today_late` are both empty only
    /// if the queue is.
    day: u32,
    len: usize,
    now: Minutes,
    next_seq: u32,
    popped: u64,
}

/// Sorts a day's bucket (events in the order they were scheduled) from last to first by
/// (time, sequence). The events at the day's first minute (registrations, absences, the ends
/// of care: about half of a day's) are already in sequence order, so they are moved to the
/// front as they are (a swap partition keeps their order) and only the others are sorted.
fn order_bucket<E>(bucket: &mut [Entry<E>], first_minute: Minutes) {
    let mut at_start = 0;
    for i in 0..bucket.len() {
        if bucket[i].time() == first_minute {
            bucket.swap(at_start, i);
            at_start += 1;
        }
    }
    // Keys are unique (the sequence number), so unstable is exact.
    bucket[at_start..].sort_unstable_by_key(|e| e.key);
    bucket.reverse();
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue with the clock at zero.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue with room for `capacity` events of one day before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            today: Vec::with_capacity(capacity),
            today_late: BinaryHeap::new(),
            later: VecDeque::new(),
            far: BinaryHeap::new(),
            spare: Vec::new(),
            day: 0,
            len: 0,
            now: 0,
            next_seq: 0,
            popped: 0,
        }
    }

    /// The current simulation time: the time of the last popped event.
    pub fn now(&self) -> Minutes {
        self.now
    }

    /// Schedules `event` at `time` (clamped to now if it lies in the past).
    ///
    /// # Panics
    /// After 2^32 events scheduled on one queue (the sequence number is 32 bits; a region-year
    /// schedules about 10^4).
    pub fn schedule(&mut self, time: Minutes, event: E) {
        let time = time.max(self.now);
        let seq = self.next_seq;
        self.next_seq = seq
            .checked_add(1)
            .expect("fewer than 2^32 events scheduled on one queue");
        let entry = Entry {
            key: (u64::from(time) << 32) | u64::from(seq),
            event,
        };
        let day = time / MINUTES_PER_DAY;
        self.len += 1;
        if self.len == 1 {
            // The queue was empty, so every bucket is: start the calendar at this day.
            self.day = day;
        }
        if day <= self.day {
            self.today_late.push(entry);
            return;
        }
        let ahead = (day - self.day - 1) as usize;
        if ahead >= BUCKET_DAYS {
            self.far.push(entry);
            return;
        }
        while ahead >= self.later.len() {
            let bucket = self
                .spare
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(NEW_BUCKET_CAPACITY));
            self.later.push_back(bucket);
        }
        self.later[ahead].push(entry);
    }

    /// Removes and returns the earliest event, advancing the clock to its time.
    pub fn pop(&mut self) -> Option<(Minutes, E)> {
        let from_bucket = match (self.today.last(), self.today_late.peek()) {
            (Some(a), Some(b)) => a.key < b.key,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let entry = if from_bucket {
            self.today.pop()
        } else {
            self.today_late.pop()
        }
        .expect("checked above");
        self.len -= 1;
        if self.today.is_empty() && self.today_late.is_empty() && self.len > 0 {
            self.next_day();
        }
        let time = entry.time();
        self.now = time;
        self.popped += 1;
        Some((time, entry.event))
    }

    /// The current day ran out: moves on to the next day with events, sorts its bucket, and
    /// takes any overflow events of that day.
    fn next_day(&mut self) {
        while self.today.is_empty() && self.today_late.is_empty() {
            match self.later.pop_front() {
                Some(mut bucket) => {
                    self.day += 1;
                    if bucket.is_empty() {
                        self.spare.push(bucket);
                    } else {
                        order_bucket(&mut bucket, self.day * MINUTES_PER_DAY);
                        let done = std::mem::replace(&mut self.today, bucket);
                        self.spare.push(done);
                    }
                }
                None => {
                    // Only overflow events are left: jump to the first one's day.
                    let first = self.far.peek().expect("events pending").time();
                    self.day = first / MINUTES_PER_DAY;
                }
            }
            while self
                .far
                .peek()
                .is_some_and(|e| e.time() / MINUTES_PER_DAY <= self.day)
            {
                let entry = self.far.pop().expect("peeked");
                self.today_late.push(entry);
            }
        }
    }

    /// The time of the earliest pending event, if any.
    pub fn peek_time(&self) -> Option<Minutes> {
        let bucket = self.today.last().map(|e| e.key);
        let late = self.today_late.peek().map(|e| e.key);
        let key = match (bucket, late) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some((key >> 32) as Minutes)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no events are pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many events have been popped so far: the run's event count.
    pub fn events_processed(&self) -> u64 {
        self.popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        q.schedule(30, "c");
        q.schedule(10, "a");
        q.schedule(20, "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(10, "a"), (20, "b"), (30, "c")]);
    }

    #[test]
    fn ties_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.schedule(5, i);
        }
        q.schedule(1, -1);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        let expected: Vec<i32> = std::iter::once(-1).chain(0..100).collect();
        assert_eq!(order, expected);
    }

    #[test]
    fn clock_follows_pops_and_never_runs_backwards() {
        let mut q = EventQueue::new();
        q.schedule(100, 'x');
        assert_eq!(q.now(), 0);
        q.pop();
        assert_eq!(q.now(), 100);
        q.schedule(50, 'y'); // in the past: clamped to now
        assert_eq!(q.pop(), Some((100, 'y')));
        assert_eq!(q.events_processed(), 2);
        assert!(q.is_empty());
    }

    #[test]
    fn a_days_first_minute_keeps_insertion_order() {
        // Most of a simulation's events fall on a day's first minute and come out of the
        // bucket unsorted (`order_bucket`): interleaved with later minutes of the same day,
        // they must still pop in the order they were scheduled.
        let mut q = EventQueue::new();
        q.schedule(0, 0);
        let day = 3 * MINUTES_PER_DAY;
        let times = [day, day + 600, day, day + 5, day, day + 600, day, day + 1];
        for (i, &t) in times.iter().enumerate() {
            q.schedule(t, i + 1);
        }
        assert_eq!(q.pop(), Some((0, 0)));
        let mut want: Vec<(Minutes, usize)> = times.iter().copied().zip(1..).collect();
        want.sort_by_key(|&(t, i)| (t, i));
        let got: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn matches_one_ordered_list_across_days_and_far_ahead() {
        // Against a reference that keeps every pending event in one sorted list: same-day,
        // next-day, at a day's first minute, months-ahead, beyond the bucket horizon, in the
        // past, and an emptied queue.
        let mut q = EventQueue::new();
        let mut reference: Vec<(Minutes, u64, u32)> = Vec::new();
        let mut seq = 0u64;
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut rand = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let far = MINUTES_PER_DAY * (BUCKET_DAYS as Minutes + 10);
        for step in 0..20_000u32 {
            if rand(3) > 0 || q.is_empty() {
                let delta = match rand(7) {
                    0 => 0,
                    // The first minute of a coming day (where a simulation puts most events).
                    5 => {
                        let day = q.now() / MINUTES_PER_DAY + 1 + rand(3) as Minutes;
                        day * MINUTES_PER_DAY - q.now()
                    }
                    1 => rand(u64::from(MINUTES_PER_DAY)) as Minutes,
                    2 => rand(u64::from(300 * MINUTES_PER_DAY)) as Minutes,
                    3 => far + rand(u64::from(3 * MINUTES_PER_DAY)) as Minutes,
                    _ => rand(u64::from(3 * MINUTES_PER_DAY)) as Minutes,
                };
                let time = if rand(20) == 0 {
                    q.now().saturating_sub(5) // in the past: clamped to now
                } else {
                    q.now() + delta
                };
                q.schedule(time, step);
                reference.push((time.max(q.now()), seq, step));
                seq += 1;
            } else {
                let i = (0..reference.len())
                    .min_by_key(|&i| (reference[i].0, reference[i].1))
                    .unwrap();
                let (time, _, event) = reference.remove(i);
                assert_eq!(q.peek_time(), Some(time));
                assert_eq!(q.pop(), Some((time, event)));
            }
            assert_eq!(q.len(), reference.len());
        }
        reference.sort_by_key(|&(t, s, _)| (t, s));
        for (time, _, event) in reference {
            assert_eq!(q.pop(), Some((time, event)));
        }
        assert!(q.pop().is_none() && q.is_empty());
    }

    #[test]
    fn interleaved_schedule_and_pop_is_deterministic() {
        // The hold model: pop one, push one later; two identical runs give identical sequences.
        let run = || {
            let mut q = EventQueue::new();
            for i in 0..50u32 {
                q.schedule(i * 7 % 13, i);
            }
            let mut out = Vec::new();
            for step in 0..500u32 {
                let (t, e) = q.pop().unwrap();
                out.push((t, e));
                q.schedule(t + (step * 31 + e) % 17, e);
            }
            out
        };
        let a = run();
        assert_eq!(a, run());
        assert!(
            a.windows(2).all(|w| w[0].0 <= w[1].0),
            "time never decreases"
        );
    }
}
