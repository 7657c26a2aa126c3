//! The event engine: a clock and a deterministic event queue.
//!
//! It is generic over the event type and knows nothing of kraamzorg. The per-region
//! simulation (`crate::sim`) owns one `EventQueue`, pops events in order and schedules new
//! ones. Events are ordered by time and then by insertion sequence, so two events at the same
//! minute always come out in the order they were scheduled: a run never depends on the heap's
//! internal layout, and the same inputs give the same event order on every machine.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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

/// A future-event list with a clock.
///
/// `pop` advances the clock to the popped event's time. Scheduling an event in the past is a
/// logic error of the caller; it is clamped to "now" so the clock never runs backwards.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    now: Minutes,
    next_seq: u32,
    popped: u64,
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

    /// An empty queue with room for `capacity` events before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
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
        let key = (u64::from(time) << 32) | u64::from(seq);
        self.heap.push(Entry { key, event });
    }

    /// Removes and returns the earliest event, advancing the clock to its time.
    pub fn pop(&mut self) -> Option<(Minutes, E)> {
        let entry = self.heap.pop()?;
        let time = entry.time();
        self.now = time;
        self.popped += 1;
        Some((time, entry.event))
    }

    /// The time of the earliest pending event, if any.
    pub fn peek_time(&self) -> Option<Minutes> {
        self.heap.peek().map(Entry::time)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no events are pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
