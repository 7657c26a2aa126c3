//! Whole simulations: one region for one year (the built-in baseline, one replication), and
//! the national year (scenarios/national.toml: 71 regions, ~165,000 births) on 2 threads.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use kraamsim::model::Calendar;
use kraamsim::policy::MinimumFirst;
use kraamsim::run::{self, RunOptions};
use kraamsim::scenario;
use kraamsim::sim::run_region;

fn one_region_year(c: &mut Criterion) {
    let s = scenario::load_default().scenario;
    let cal = Calendar::new(&s);
    c.bench_function("one_region_one_year", |b| {
        b.iter(|| {
            run_region(
                &s,
                &cal,
                0,
                0,
                &MinimumFirst::default(),
                false,
                Default::default(),
            )
        })
    });
}

fn national_year(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national.toml");
    let s = scenario::load_file(&path)
        .expect("national scenario")
        .scenario;
    let options = RunOptions {
        threads: Some(2),
        ..RunOptions::default()
    };
    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.bench_function("national_year_2_threads", |b| {
        b.iter(|| run::run(&s, &options).expect("thread pool"))
    });
    group.finish();
}

criterion_group!(benches, one_region_year, national_year);
criterion_main!(benches);
