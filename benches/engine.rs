//! The event queue alone, in the classic hold model: pop the earliest event, push one a
//! random time later, at a steady queue size.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kraamsim::engine::EventQueue;

/// A cheap deterministic increment stream (xorshift), so the benchmark measures the queue.
fn next(x: &mut u64) -> u32 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    (*x % 10_000) as u32 + 1
}

fn hold(c: &mut Criterion) {
    const OPS: u64 = 100_000;
    let mut group = c.benchmark_group("event_queue_hold");
    group.throughput(Throughput::Elements(OPS));
    for size in [1_000usize, 100_000] {
        group.bench_function(format!("size_{size}"), |b| {
            b.iter_batched_ref(
                || {
                    let mut q = EventQueue::with_capacity(size + 1);
                    let mut x = 0x9E37_79B9_7F4A_7C15u64;
                    for i in 0..size {
                        q.schedule(next(&mut x), i as u32);
                    }
                    (q, x)
                },
                |(q, x)| {
                    for _ in 0..OPS {
                        let (t, e) = q.pop().expect("steady size");
                        q.schedule(t + next(x), e);
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
