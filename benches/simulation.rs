//! Whole simulations: one region for one year (the built-in baseline, one replication).

use criterion::{Criterion, criterion_group, criterion_main};
use kraamsim::model::Calendar;
use kraamsim::policy::MinimumFirst;
use kraamsim::scenario;
use kraamsim::sim::run_region;

fn one_region_year(c: &mut Criterion) {
    let s = scenario::load_default().scenario;
    let cal = Calendar::new(&s);
    c.bench_function("one_region_one_year", |b| {
        b.iter(|| run_region(&s, &cal, 0, 0, &MinimumFirst, false))
    });
}

criterion_group!(benches, one_region_year);
criterion_main!(benches);
