//! Running a scenario: the list of independent jobs (replication x region), mapped in
//! parallel with rayon, and the results in job order.
//!
//! Each job builds its own population from its own random streams (see `crate::generate`),
//! so the results do not depend on which thread ran which job, nor in what order; `collect`
//! keeps job order, so the outputs are byte-identical for any `--threads`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::model::Calendar;
use crate::policy::AllocationPolicy;
use crate::results::RegionResult;
use crate::scenario::{PolicyName, Scenario};
use crate::sim;

pub use crate::scenario::BASE_VARIANT;

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
    /// Skip the first this many (policy, replication) units in run order: they were finished
    /// by an earlier, interrupted run that is being resumed.
    pub skip_units: usize,
    /// Set (by a signal handler) to stop early: no new job starts, the batch being simulated
    /// is dropped, and every batch finished before it has reached the sink.
    pub stop: Option<Arc<AtomicBool>>,
    /// Which runtime invariants to check (`--check` adds the expensive ones).
    pub checks: sim::Checks,
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
    /// Whether `RunOptions::stop` ended the run before every unit was done.
    pub interrupted: bool,
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
    /// A broken runtime invariant: a bug, reported with where it happened.
    #[error("internal error: invariant broken in {0}")]
    Invariant(String),
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

/// Jobs per batch to aim for: enough for both threads to stay busy to the end of a batch,
/// few enough that a batch's results are small.
const JOBS_PER_BATCH: usize = 256;

/// Runs every replication of every region of `scenario`, collecting all results.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<RunResults, RunError<std::convert::Infallible>> {
    let labels = RunLabels::new(scenario);
    let mut results = Vec::new();
    let stats = run_batches(scenario, options, &labels, |batch| {
        results.extend(batch);
        Ok(())
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
        .map(|name| name.policy(scenario.policy.rationing))
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
    let stopped = || {
        options
            .stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    };
    let batches = batches(policies.len(), &reps, options.skip_units, reps_per_batch);
    let units: usize = batches.iter().map(|(_, chunk)| chunk.len()).sum();
    let progress = Progress::new(units * regions, options.progress);
    // A whole batch, or `None` when a stop request left some of its jobs undone.
    let largest_first = largest_first(scenario);
    let simulate = |policy: &dyn AllocationPolicy, chunk: &[u32]| -> Option<Vec<RegionResult>> {
        // Started largest region first, so that the threads run out of work together (a
        // national run's regions differ threefold in births); put back in run order after.
        let jobs: Vec<(usize, u32, usize)> = chunk
            .iter()
            .enumerate()
            .flat_map(|(i, &rep)| {
                largest_first
                    .iter()
                    .map(move |&region| (i * regions + region, rep, region))
            })
            .collect();
        // One job per task (`with_max_len(1)`): rayon otherwise runs runs of neighbouring
        // jobs as one unsplittable piece, and on a national year one thread was left with
        // the last six regions alone (26 ms of 166). Jobs take milliseconds; a task costs
        // microseconds.
        let mut done: Vec<(usize, RegionResult)> = jobs
            .par_iter()
            .with_max_len(1)
            .map(|&(slot, rep, region)| {
                if stopped() {
                    return None;
                }
                let control = sim::Control {
                    keep_mothers: options.keep_mothers,
                    checks: options.checks,
                    stop: options.stop.as_deref(),
                };
                let r =
                    sim::run_region_with(scenario, &labels.calendar, region, rep, policy, control)?;
                progress.tick();
                Some((slot, r))
            })
            .collect::<Option<_>>()?;
        done.sort_unstable_by_key(|&(slot, _)| slot);
        Some(done.into_iter().map(|(_, r)| r).collect())
    };
    let mut events = 0;
    let mut interrupted = false;
    let mut pending: Option<Vec<RegionResult>> = None;
    for (p, chunk) in batches {
        if stopped() {
            interrupted = true;
            break;
        }
        let done = pending.take();
        let policy = policies[p].as_ref();
        let (sunk, batch) = pool.install(|| {
            rayon::join(
                || done.map_or(Ok(()), &mut sink),
                || simulate(policy, chunk),
            )
        });
        sunk.map_err(RunError::Sink)?;
        let Some(batch) = batch else {
            interrupted = true;
            break;
        };
        if let Some(r) = batch.iter().find(|r| r.violation.is_some()) {
            return Err(RunError::Invariant(describe_violation(scenario, labels, r)));
        }
        events += batch.iter().map(|r| r.events).sum::<u64>();
        pending = Some(batch);
    }
    // A batch simulated in full is kept even after a stop request: writing it takes a
    // fraction of the time simulating it did, and its replications are finished work.
    if let Some(batch) = pending {
        sink(batch).map_err(RunError::Sink)?;
    }
    progress.finish();
    Ok(RunStats {
        events,
        threads,
        wall: started.elapsed(),
        interrupted,
    })
}

/// Region indices by expected births, largest first (ties in index order): the order in
/// which a batch's jobs start.
fn largest_first(scenario: &Scenario) -> Vec<usize> {
    let births: Vec<f64> = scenario
        .regions
        .iter()
        .map(|r| r.postcodes.iter().map(|p| p.births_per_year).sum())
        .collect();
    let mut order: Vec<usize> = (0..births.len()).collect();
    order.sort_by(|&a, &b| births[b].total_cmp(&births[a]).then(a.cmp(&b)));
    order
}

/// Where and what: region, replication, policy, date, mother.
fn describe_violation(scenario: &Scenario, labels: &RunLabels, r: &RegionResult) -> String {
    let v = r.violation.as_ref().expect("a violation");
    let mother = v
        .mother
        .map(|m| format!(", mother {m} of the region's population"))
        .unwrap_or_default();
    format!(
        "region {}, replication {}, policy {}, variant {}, {}{mother}: {}",
        scenario.regions[r.region].name,
        r.replication,
        r.policy,
        labels.variant,
        labels.calendar.date(v.day),
        v.what
    )
}

/// The batches of a run in order: (policy index, replications), at most `per_batch`
/// replications each, never mixing policies, after skipping the first `skip` (policy,
/// replication) units of the run order (policy, then replication).
fn batches(policies: usize, reps: &[u32], skip: usize, per_batch: usize) -> Vec<(usize, &[u32])> {
    (0..policies)
        .flat_map(|p| {
            let done = skip.saturating_sub(p * reps.len()).min(reps.len());
            reps[done..].chunks(per_batch).map(move |chunk| (p, chunk))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::{RunError, RunLabels, batches, describe_violation};
    use crate::results::Violation;
    use crate::scenario::load_default;
    use crate::sim::{self, Checks};

    /// README: "A violation stops the run with exit code 1, naming the region, date and
    /// mother". A real job's result of the baseline, given a violation on day 40 of its
    /// reporting period (2027-02-10) concerning mother 7.
    #[test]
    fn a_violation_is_an_internal_error_naming_region_date_and_mother() {
        let scenario = load_default().scenario;
        let labels = RunLabels::new(&scenario);
        let policy = scenario.policy.name.policy(scenario.policy.rationing);
        let mut result = sim::run_region(
            &scenario,
            &labels.calendar,
            0,
            0,
            policy.as_ref(),
            false,
            Checks::default(),
        );
        result.violation = Some(Violation {
            day: labels.calendar.report_start + 40,
            mother: Some(7),
            what: "negative hours".to_string(),
        });
        let error = crate::api::Error::from(RunError::Invariant(describe_violation(
            &scenario, &labels, &result,
        )));
        let text = error.to_string();
        for part in ["Eemland", "2027-02-10", "mother 7", "negative hours"] {
            assert!(text.contains(part), "`{part}` missing from: {text}");
        }
        assert_eq!(error.exit_code(), 1, "{text}");
    }

    #[test]
    fn batches_split_by_policy_and_skip_a_prefix_of_units() {
        let reps = [0, 1, 2, 3, 4];
        let all = batches(2, &reps, 0, 2);
        assert_eq!(
            all,
            vec![
                (0, &reps[0..2]),
                (0, &reps[2..4]),
                (0, &reps[4..5]),
                (1, &reps[0..2]),
                (1, &reps[2..4]),
                (1, &reps[4..5])
            ]
        );
        // Resuming after 6 units: policy 0 is done, policy 1 starts at its second replication.
        assert_eq!(
            batches(2, &reps, 6, 2),
            vec![(1, &reps[1..3]), (1, &reps[3..5])]
        );
        assert!(batches(2, &reps, 10, 2).is_empty());
        assert!(batches(2, &reps, 99, 2).is_empty());
    }
}
