//! Running a scenario: the list of independent jobs (replication x region), mapped in
//! parallel with rayon, and the results in job order.
//!
//! Each job builds its own population from its own random streams (see `crate::generate`),
//! so the results do not depend on which thread ran which job, nor in what order; `collect`
//! keeps job order, so the outputs are byte-identical for any `--threads`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::model::Calendar;
use crate::policy::{AllocationPolicy, MinimumFirst};
use crate::scenario::{PolicyName, Scenario};
use crate::sim::{self, RegionResult};

/// The variant id of a plain run (sweeps add more).
pub const BASE_VARIANT: &str = "base";

/// How to run, beyond the scenario itself.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Worker threads; `None` uses all cores.
    pub threads: Option<usize>,
    /// Keep a record per mother (for mothers.csv).
    pub keep_mothers: bool,
    /// Report progress on stderr for runs longer than about a second.
    pub progress: bool,
}

/// All results of one run, in job order: replication-major, then region.
#[derive(Debug, Clone)]
pub struct RunResults {
    pub variant: String,
    pub policy: &'static str,
    pub calendar: Calendar,
    pub results: Vec<RegionResult>,
    pub events: u64,
    pub threads: usize,
    pub wall: Duration,
}

/// The policy object for a scenario's policy name.
pub fn policy_for(name: PolicyName) -> Box<dyn AllocationPolicy> {
    match name {
        PolicyName::MinimumFirst => Box::new(MinimumFirst),
    }
}

/// Runs every replication of every region of `scenario`.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<RunResults, rayon::ThreadPoolBuildError> {
    let started = Instant::now();
    let calendar = Calendar::new(scenario);
    let policy = policy_for(scenario.policy.name);
    let jobs: Vec<(u32, usize)> = (0..scenario.replications)
        .flat_map(|rep| (0..scenario.regions.len()).map(move |region| (rep, region)))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()?;
    let threads = pool.current_num_threads();
    let progress = Progress::new(jobs.len(), options.progress);
    let results: Vec<RegionResult> = pool.install(|| {
        jobs.par_iter()
            .map(|&(rep, region)| {
                let r = sim::run_region(
                    scenario,
                    &calendar,
                    region,
                    rep,
                    policy.as_ref(),
                    options.keep_mothers,
                );
                progress.tick();
                r
            })
            .collect()
    });
    progress.finish();
    let events = results.iter().map(|r| r.events).sum();
    Ok(RunResults {
        variant: BASE_VARIANT.to_string(),
        policy: policy.name(),
        calendar,
        results,
        events,
        threads,
        wall: started.elapsed(),
    })
}

/// Progress on stderr: a bar on a terminal, plain lines otherwise, and nothing at all for
/// the first second (short runs stay quiet).
struct Progress {
    total: usize,
    done: AtomicUsize,
    last_line: AtomicUsize,
    started: Instant,
    enabled: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize, enabled: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = (enabled && terminal).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} region-replications",
                )
                .expect("valid template"),
            );
            bar
        });
        Progress {
            total,
            done: AtomicUsize::new(0),
            last_line: AtomicUsize::new(0),
            started: Instant::now(),
            enabled,
            bar,
        }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.enabled || self.started.elapsed() < Duration::from_secs(1) {
            return;
        }
        if let Some(bar) = &self.bar {
            if bar.is_hidden() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_position(done as u64);
            return;
        }
        // Plain lines at every tenth.
        let tenth = done * 10 / self.total.max(1);
        if self.last_line.fetch_max(tenth, Ordering::Relaxed) < tenth {
            eprintln!(
                "progress: {done}/{} region-replications ({:.1} s)",
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
