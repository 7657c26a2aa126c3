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
use crate::policy::{
    AllocationPolicy, FirstComeFirstServed, Loss, MinimumFirst, Proportional, RefuseWhenFull,
};
use crate::scenario::{PolicyName, PolicyParams, Scenario};
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
    /// Run only these replications (a shard of a sweep); `None` runs them all.
    pub replications: Option<Vec<u32>>,
}

/// What a run is, before any job runs: the labels of its rows and its calendar.
#[derive(Debug, Clone)]
pub struct RunLabels {
    pub variant: String,
    /// The policies, in the order their results come.
    pub policies: Vec<&'static str>,
    pub calendar: Calendar,
}

impl RunLabels {
    /// The labels of a plain run: variant [`BASE_VARIANT`].
    pub fn new(scenario: &Scenario) -> Self {
        Self::for_variant(BASE_VARIANT, scenario)
    }

    /// The labels of one variant of a sweep.
    pub fn for_variant(variant: &str, scenario: &Scenario) -> Self {
        RunLabels {
            variant: variant.to_string(),
            policies: scenario
                .policies()
                .into_iter()
                .map(PolicyName::as_str)
                .collect(),
            calendar: Calendar::new(scenario),
        }
    }
}

/// What a finished run measured.
#[derive(Debug, Clone, Copy)]
pub struct RunStats {
    pub events: u64,
    pub threads: usize,
    pub wall: Duration,
}

/// All results of one run, in job order: policy, then replication, then region.
#[derive(Debug, Clone)]
pub struct RunResults {
    pub variant: String,
    pub policies: Vec<&'static str>,
    pub calendar: Calendar,
    pub results: Vec<RegionResult>,
    pub events: u64,
    pub threads: usize,
    pub wall: Duration,
}

/// Why a streamed run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError<E> {
    #[error("starting worker threads: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    #[error(transparent)]
    Sink(E),
}

/// Parses a shard `I/N` (0-based I < N), as given to `kraamsim sweep --shard`.
pub fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not I/N (for example 0/4)"))?;
    let i: u32 = i
        .trim()
        .parse()
        .map_err(|_| format!("`{i}` in `{text}` is not a number"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` in `{text}` is not a number"))?;
    if n == 0 || i >= n {
        return Err(format!("`{text}`: need 0 <= I < N"));
    }
    Ok((i, n))
}

/// The policy object for a policy name, with the scenario's policy parameters.
pub fn policy_for(name: PolicyName, params: &PolicyParams) -> Box<dyn AllocationPolicy> {
    match name {
        PolicyName::MinimumFirst => Box::new(MinimumFirst {
            rationing: params.rationing,
        }),
        PolicyName::Proportional => Box::new(Proportional),
        PolicyName::FirstComeFirstServed => Box::new(FirstComeFirstServed),
        PolicyName::RefuseWhenFull => Box::new(RefuseWhenFull),
        PolicyName::Loss => Box::new(Loss),
    }
}

/// Jobs per batch to aim for: enough for both threads to stay busy to the end of a batch,
/// few enough that a batch's results are small.
const JOBS_PER_BATCH: usize = 256;

/// Runs every replication of every region of `scenario`, collecting all results.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<RunResults, rayon::ThreadPoolBuildError> {
    let labels = RunLabels::new(scenario);
    let mut results = Vec::new();
    let stats = run_batches(scenario, options, &labels, |batch| {
        results.extend(batch);
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        RunError::ThreadPool(e) => e,
        RunError::Sink(never) => match never {},
    })?;
    Ok(RunResults {
        variant: labels.variant,
        policies: labels.policies,
        calendar: labels.calendar,
        results,
        events: stats.events,
        threads: stats.threads,
        wall: stats.wall,
    })
}

/// Runs every policy on every replication of every region of `scenario` and hands the results
/// to `sink` a few whole replications at a time, in job order (policy, then replication, then
/// region).
///
/// Every policy sees the same mothers and carers: a job's population depends only on (seed,
/// replication, region), so differences between policies come from the policy alone (common
/// random numbers). Streaming keeps memory flat in the number of replications: at most two
/// batches of results are alive at a time. Each batch is mapped in parallel and collected in
/// job order, so what `sink` sees does not depend on the thread count. The sink works on one
/// batch while the next one is being simulated, so writing outputs does not leave the workers
/// idle.
pub fn run_batches<E: Send>(
    scenario: &Scenario,
    options: &RunOptions,
    labels: &RunLabels,
    mut sink: impl FnMut(Vec<RegionResult>) -> Result<(), E> + Send,
) -> Result<RunStats, RunError<E>> {
    let started = Instant::now();
    let policies: Vec<Box<dyn AllocationPolicy>> = scenario
        .policies()
        .into_iter()
        .map(|name| policy_for(name, &scenario.policy))
        .collect();
    let regions = scenario.regions.len();
    let reps: Vec<u32> = options
        .replications
        .clone()
        .unwrap_or_else(|| (0..scenario.replications).collect());
    let reps_per_batch = JOBS_PER_BATCH.div_ceil(regions.max(1)).max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()?;
    let threads = pool.current_num_threads();
    let progress = Progress::new(policies.len() * reps.len() * regions, options.progress);
    let simulate = |policy: &dyn AllocationPolicy, chunk: &[u32]| -> Vec<RegionResult> {
        let jobs: Vec<(u32, usize)> = chunk
            .iter()
            .flat_map(|&rep| (0..regions).map(move |region| (rep, region)))
            .collect();
        jobs.par_iter()
            .map(|&(rep, region)| {
                let r = sim::run_region(
                    scenario,
                    &labels.calendar,
                    region,
                    rep,
                    policy,
                    options.keep_mothers,
                );
                progress.tick();
                r
            })
            .collect()
    };
    let batches: Vec<(usize, &[u32])> = (0..policies.len())
        .flat_map(|p| reps.chunks(reps_per_batch).map(move |chunk| (p, chunk)))
        .collect();
    let mut events = 0;
    let mut pending: Option<Vec<RegionResult>> = None;
    for (p, chunk) in batches {
        let done = pending.take();
        let policy = policies[p].as_ref();
        let (sunk, batch) = pool.install(|| {
            rayon::join(
                || done.map_or(Ok(()), &mut sink),
                || simulate(policy, chunk),
            )
        });
        sunk.map_err(RunError::Sink)?;
        events += batch.iter().map(|r| r.events).sum::<u64>();
        pending = Some(batch);
    }
    if let Some(batch) = pending {
        sink(batch).map_err(RunError::Sink)?;
    }
    progress.finish();
    Ok(RunStats {
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
