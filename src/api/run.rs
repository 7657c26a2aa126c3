//! [`Run`]: a scenario's run or sweep, written to an output directory or streamed to the
//! caller.
//!
//! A run is a list of *units* (variant, policy, replication) in run order. [`Run::to_dir`]
//! is `kraamsim run` / `kraamsim sweep`: it holds the output directory, skips the units an
//! interrupted run kept (`resume`), runs only its slice of a sharded sweep, streams each
//! batch of results into the output writer while the next batch is simulated, and writes
//! run.json. [`Run::stream`] runs the same units and hands each batch to the caller instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::output::{self, DirMode, OutputWriter, RunMeta, Start};
use crate::recipe::{self, Command, Overrides, Recipe, RunSettings};
use crate::results::RegionResult;
use crate::run::{self as runner, RunLabels, RunOptions, RunResults, RunStats};
use crate::scenario::{self, CapacityScope, LoadedScenario, PolicyName, Scenario, Variant};

use super::{Error, ErrorKind};

/// A run (or sweep) of a loaded scenario, set up with builder calls; nothing runs until
/// [`Run::to_dir`], [`Run::stream`] or [`Run::results`].
///
/// The settings that change results ([`Run::policy`], [`Run::scope`], [`Run::seed`],
/// [`Run::replications`]) override the scenario's values exactly as the command-line flags
/// do, and run.json records them so that `kraamsim run --from OUT/run.json` reruns the
/// output. The thread count never changes a result.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    loaded: &'a LoadedScenario,
    settings: RunSettings,
    recipe: Option<&'a Recipe>,
    progress: bool,
    replace: bool,
    resume: bool,
    stop: Option<Arc<AtomicBool>>,
    stop_on_signals: bool,
    started: Instant,
    on_progress: Option<Progress>,
}

/// A callback told (units done, units in all) after each batch [`Run::to_dir`] writes, a unit
/// being one replication of one policy of one variant. A web page or a GUI shows it; it is
/// called on the thread that writes, so it must be quick.
#[derive(Clone)]
struct Progress(Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// One batch of results as [`Run::stream`] hands it over: a few whole replications of one
/// policy of one variant, every region of each, in run order.
#[derive(Debug)]
pub struct Batch<'r> {
    /// The variant's id (`base` for a plain run; `v000`, `v001`, ... in a sweep).
    pub variant: &'r str,
    /// The variant's scenario, with the overrides applied.
    pub scenario: &'r Scenario,
    /// The variant's policies (in the order their results come) and calendar.
    pub labels: &'r RunLabels,
    /// One result per (replication, region), replications in order, regions in scenario
    /// order.
    pub results: Vec<RegionResult>,
}

/// What [`Run::write`] wrote, for the caller to report.
#[derive(Debug, Clone)]
pub struct Written {
    /// The output directory.
    pub out: PathBuf,
    /// Whether a resumed run had finished already, so nothing was run or written.
    pub finished_already: bool,
    /// The one-screen summary table the command line prints (empty when finished already).
    pub summary: String,
    /// Simulation events processed, and per second of wall time.
    pub events: u64,
    pub events_per_second: f64,
    /// Whether [`Written::draw_charts`] draws charts (not for `charts(false)` nor a shard,
    /// whose charts come after `kraamsim merge`).
    draws_charts: bool,
}

impl Written {
    /// Draws the charts and report.html of the output directory, or (without charts)
    /// removes those an earlier run left there; returns report.html's path when it drew.
    pub fn draw_charts(&self) -> Result<Option<PathBuf>, Error> {
        if self.finished_already {
            return Ok(None);
        }
        super::draw_charts(&self.out, self.draws_charts)
    }
}

impl<'a> Run<'a> {
    /// A plain run of `loaded` (its base values; a `[sweep]` section is checked and then left
    /// out, as `kraamsim run` does): every policy of the scenario, every replication.
    pub fn new(loaded: &'a LoadedScenario) -> Self {
        Self::with_command(loaded, Command::Run)
    }

    /// Every variant of `loaded`'s `[sweep]` grid, into one output (`kraamsim sweep`).
    pub fn sweep(loaded: &'a LoadedScenario) -> Self {
        Self::with_command(loaded, Command::Sweep)
    }

    /// The run a run.json records (`--from`), with `loaded` from [`Recipe::load_scenario`]:
    /// the same settings, checked against what the recorded overrides give, and the data
    /// files read checked against their recorded SHA-256.
    pub fn from_recipe(loaded: &'a LoadedScenario, recipe: &'a Recipe) -> Self {
        let mut run = Self::with_command(loaded, recipe.command);
        run.settings = recipe.run_settings(None);
        run.recipe = Some(recipe);
        run
    }

    fn with_command(loaded: &'a LoadedScenario, command: Command) -> Self {
        Run {
            loaded,
            settings: RunSettings {
                command,
                overrides: Overrides::default(),
                threads_requested: None,
                mothers: false,
                check: false,
                no_charts: false,
                shard: None,
            },
            recipe: None,
            progress: false,
            replace: false,
            resume: false,
            stop: None,
            stop_on_signals: false,
            started: Instant::now(),
            on_progress: None,
        }
    }

    /// Only this allocation policy, instead of the scenario's policy and compare list.
    pub fn policy(mut self, policy: PolicyName) -> Self {
        self.settings.overrides.policy = Some(policy);
        self
    }

    /// Over which carers capacity is shared, instead of the scenario's scope.
    pub fn scope(mut self, scope: CapacityScope) -> Self {
        self.settings.overrides.scope = Some(scope);
        self
    }

    /// The seed of every random stream, instead of the scenario's.
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.overrides.seed = Some(seed);
        self
    }

    /// Replications instead of the scenario's (at least 1).
    pub fn replications(mut self, replications: u32) -> Self {
        self.settings.overrides.replications = Some(replications);
        self
    }

    /// Worker threads (default: all cores); the results do not depend on it.
    pub fn threads(mut self, threads: u16) -> Self {
        self.settings.threads_requested = Some(threads);
        self
    }

    /// Also write mothers.csv, one row per mother (and keep them in streamed results).
    pub fn mothers(mut self, mothers: bool) -> Self {
        self.settings.mothers = mothers;
        self
    }

    /// Also check the expensive runtime invariants (slower).
    pub fn check(mut self, check: bool) -> Self {
        self.settings.check = check;
        self
    }

    /// Whether [`Run::to_dir`] draws charts/ and report.html (default: yes).
    pub fn charts(mut self, charts: bool) -> Self {
        self.settings.no_charts = !charts;
        self
    }

    /// Only slice `index` of `count` of a sweep's (variant, replication) units, for
    /// [`super::merge`]; refused by [`Run::to_dir`] unless `index < count`.
    pub fn shard(mut self, index: u32, count: u32) -> Self {
        self.settings.shard = Some((index, count));
        self
    }

    /// Progress on stderr for runs longer than a second (default: none).
    pub fn progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// Replace an earlier kraamsim output in the output directory (`--force`).
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// Finish an interrupted run in the output directory (`--resume`); the result is
    /// byte-identical to an uninterrupted run.
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// A flag the caller sets to stop the run early: no new batch starts, finished batches
    /// are kept, and [`Run::to_dir`] fails with [`ErrorKind::Interrupted`].
    pub fn stop(mut self, stop: Arc<AtomicBool>) -> Self {
        self.stop = Some(stop);
        self
    }

    /// Stop as [`Run::stop`] does on SIGINT (Ctrl-C) and SIGTERM; a second signal ends the
    /// process at once. The handlers are installed when the run starts, after the output
    /// directory was accepted, so a signal before it ends the process as usual.
    pub fn stop_on_signals(mut self, on: bool) -> Self {
        self.stop_on_signals = on;
        self
    }

    /// Call `progress(done, total)` after each batch [`Run::to_dir`] writes (units of
    /// (variant, policy, replication); a resumed run starts at the units it kept). Only
    /// reports: what is written does not depend on it.
    pub fn on_progress(mut self, progress: Arc<dyn Fn(u64, u64) + Send + Sync>) -> Self {
        self.on_progress = Some(Progress(progress));
        self
    }

    /// When the run began, for run.json's wall time (default: when [`Run::new`] was called);
    /// the command line passes its start-up, so that loading the scenario counts.
    pub fn started_at(mut self, started: Instant) -> Self {
        self.started = started;
        self
    }

    /// The output directory the command line uses without `--out`: `output/<scenario name>`.
    pub fn default_out(&self) -> PathBuf {
        PathBuf::from("output").join(&self.loaded.scenario.name)
    }

    /// The variants this run runs (one for a plain run; every one of the `[sweep]` grid
    /// for a sweep), each with the overrides applied. A plain run of a scenario with a
    /// `[sweep]` says on stderr that only its base runs.
    pub fn variants(&self) -> Result<Vec<Variant>, Error> {
        let loaded = self.loaded;
        let mut variants = match self.settings.command {
            Command::Sweep => {
                if loaded.scenario.sweep.is_empty() {
                    return Err(Error::input(format!(
                        "{}: has no [sweep] section; use `kraamsim run` for a single scenario",
                        loaded.source_name
                    )));
                }
                scenario::variants(loaded)?
            }
            _ => {
                if !loaded.scenario.sweep.is_empty() {
                    // A broken [sweep] is a mistake in the file even when only the base runs.
                    scenario::variants(loaded)?;
                    eprintln!(
                        "note: this scenario has a [sweep]; `run` uses its base values, `kraamsim sweep` runs every variant"
                    );
                }
                let mut base = loaded.scenario.clone();
                base.sweep.clear();
                vec![Variant {
                    id: runner::BASE_VARIANT.to_string(),
                    params: Vec::new(),
                    scenario: base,
                }]
            }
        };
        for v in &mut variants {
            self.settings.overrides.apply(&mut v.scenario);
        }
        if let Some(recipe) = self.recipe {
            let first = &variants[0].scenario;
            let policies: Vec<&str> = first
                .policies()
                .into_iter()
                .map(PolicyName::as_str)
                .collect();
            recipe.expect("seed", first.seed)?;
            recipe.expect("replications", first.replications)?;
            recipe.expect("policies", policies)?;
            recipe.expect("scope", first.policy.scope.as_str())?;
            recipe.expect("variants", variants.len())?;
        }
        Ok(variants)
    }

    /// Writes the run into `out` and draws its charts: exactly what `kraamsim run` (or
    /// `sweep`) writes with the same settings, byte for byte.
    pub fn to_dir(&self, out: impl AsRef<Path>) -> Result<Written, Error> {
        let written = self.write(out)?;
        written.draw_charts()?;
        Ok(written)
    }

    /// Writes the run's CSV files and run.json into `out`, without touching charts; the
    /// caller reports and then calls [`Written::draw_charts`] (what [`Run::to_dir`] does).
    pub fn write(&self, out: impl AsRef<Path>) -> Result<Written, Error> {
        let out = out.as_ref();
        let settings = &self.settings;
        if let Some((i, n)) = settings.shard
            && (n == 0 || i >= n)
        {
            return Err(Error::input(format!("shard `{i}/{n}`: need 0 <= I < N")));
        }
        let variants = self.variants()?;
        let scenarios: Vec<&Scenario> = variants.iter().map(|v| &v.scenario).collect();
        let data_files = recipe::input_files(self.loaded, &scenarios, false)?;
        if let Some(recipe) = self.recipe {
            recipe.check_inputs(&data_files)?;
        }
        let first = &variants[0].scenario;
        // From the effective settings: `--seed` of the scenario's own seed is the same run.
        let resume_key = output::run_resume_key(
            &self.loaded.text,
            &scenarios,
            settings.mothers,
            settings.shard,
        );
        let mode = match (self.replace, self.resume) {
            (_, true) => DirMode::Resume,
            (true, false) => DirMode::Replace,
            (false, false) => DirMode::New,
        };
        // Refuse a bad output directory before spending time on the run.
        let draws_charts = !settings.no_charts && settings.shard.is_none();
        let target = super::open_dir(
            out,
            output::run_layout(super::chart_files(draws_charts)),
            mode,
            &resume_key,
        )?;
        let mut written = Written {
            out: out.to_path_buf(),
            finished_already: target.start == Start::Complete,
            summary: String::new(),
            events: 0,
            events_per_second: 0.0,
            draws_charts,
        };
        if written.finished_already {
            return Ok(written);
        }
        let stop = self.stop_flag()?;
        let labels = labels(&variants);
        let refs: Vec<output::VariantRef> = labels
            .iter()
            .zip(&variants)
            .map(|(l, v)| (l, &v.scenario))
            .collect();
        let mut writer = match settings.shard {
            Some(_) => OutputWriter::create_shard(&target, settings.mothers, &resume_key, &refs),
            None => OutputWriter::create(&target, settings.mothers, &resume_key, &refs),
        }?;
        // Units (variant, policy, replication) an interrupted run kept.
        let skip = writer.units_done();
        let total = self.units_of(&variants, &labels);
        let progress = self.on_progress.clone();
        if let Some(p) = &progress {
            (p.0)(skip, total);
        }
        let done = self.run_units(&variants, &labels, skip, stop, |v, results| {
            writer
                .add(&variants[v].scenario, &labels[v], &results)
                .map_err(Error::from)?;
            if let Some(p) = &progress {
                (p.0)(writer.units_done(), total);
            }
            Ok(())
        })?;
        // Whatever a stop request interrupted (a batch being simulated, the rows being
        // written, or variants not yet begun: their run returns at once) shows as units not
        // written.
        let interrupted = writer.units_done() < done.units_total;
        let variants_set: Vec<(String, Vec<(String, String)>)> = if variants.len() > 1 {
            variants
                .iter()
                .map(|v| (v.id.clone(), v.params.clone()))
                .collect()
        } else {
            Vec::new()
        };
        if !variants_set.is_empty() && !interrupted {
            writer.write_variants(&variants_set)?;
        }
        // Wall time from start-up until the last replication's rows are written; run.json
        // cannot time its own writing.
        let wall = self.started.elapsed().as_secs_f64();
        let stats = RunStats {
            events: done.events,
            threads: done.threads,
            wall: self.started.elapsed(),
            interrupted,
        };
        let mut meta = RunMeta::new(
            first,
            &self.loaded.source_name,
            &self.loaded.text,
            &labels[0],
            &stats,
            settings,
            wall,
        );
        meta.data_files = data_files;
        meta.variants = variants.len();
        meta.units_total = done.units_total;
        if variants.len() > 1 {
            meta.variant = "sweep (see variants.csv)".to_string();
        }
        if interrupted {
            let kept = writer.units_done();
            writer.interrupt(&meta)?;
            // Charts of an earlier run here no longer match; `--resume` draws the new ones.
            let _ = crate::chart::remove(out);
            return Err(Error {
                kind: ErrorKind::Interrupted,
                message: format!(
                    "interrupted: {kept} of {} replications (of every variant and policy) are kept in {}; run the same command with --resume to finish",
                    done.units_total,
                    out.display()
                ),
            });
        }
        let rows = writer.finish(&meta)?;
        written.summary = output::summary_table(first, &rows, &variants_set)
            .trim_end()
            .to_string();
        written.events = done.events;
        written.events_per_second = meta.events_per_second;
        Ok(written)
    }

    /// Runs every unit and hands each batch of results to `sink`, in run order (variant,
    /// policy, replication), without writing anything. Memory stays flat in the number of
    /// replications: at most two batches are alive at a time, and the sink works on one
    /// while the next is simulated. A sink error stops the run and is returned as an
    /// internal [`Error`] with its message.
    pub fn stream<E: std::fmt::Display + Send>(
        &self,
        mut sink: impl FnMut(Batch<'_>) -> Result<(), E> + Send,
    ) -> Result<RunStats, Error> {
        let started = Instant::now();
        let variants = self.variants()?;
        let labels = labels(&variants);
        let stop = self.stop_flag()?;
        let done = self.run_units(&variants, &labels, 0, stop, |v, results| {
            sink(Batch {
                variant: &variants[v].id,
                scenario: &variants[v].scenario,
                labels: &labels[v],
                results,
            })
            .map_err(Error::internal)
        })?;
        Ok(RunStats {
            events: done.events,
            threads: done.threads,
            wall: started.elapsed(),
            interrupted: done.interrupted,
        })
    }

    /// Every result of the run in memory, one [`RunResults`] per variant: for small runs
    /// and tests (a national run's results take a lot of memory; [`Run::stream`] does not).
    pub fn results(&self) -> Result<Vec<RunResults>, Error> {
        let started = Instant::now();
        let variants = self.variants()?;
        let labels = labels(&variants);
        let mut all: Vec<RunResults> = labels
            .iter()
            .map(|l| RunResults {
                variant: l.variant.clone(),
                policies: l.policies.clone(),
                calendar: l.calendar,
                results: Vec::new(),
                events: 0,
                threads: 0,
                wall: Default::default(),
            })
            .collect();
        let stop = self.stop_flag()?;
        let done = self.run_units(&variants, &labels, 0, stop, |v, results| {
            all[v].events += results.iter().map(|r| r.events).sum::<u64>();
            all[v].results.extend(results);
            Ok(())
        })?;
        for r in &mut all {
            r.threads = done.threads;
            r.wall = started.elapsed();
        }
        Ok(all)
    }

    /// The stop flag: the caller's, or with [`Run::stop_on_signals`] one that SIGINT and
    /// SIGTERM set.
    fn stop_flag(&self) -> Result<Option<Arc<AtomicBool>>, Error> {
        if !self.stop_on_signals {
            return Ok(self.stop.clone());
        }
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::flag;
        let stop = self
            .stop
            .clone()
            .unwrap_or_else(|| Arc::new(AtomicBool::new(false)));
        for signal in [SIGINT, SIGTERM] {
            // The shutdown is registered first, so it sees the flag as the previous signal
            // left it.
            flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&stop))
                .map_err(Error::internal)?;
            flag::register(signal, Arc::clone(&stop)).map_err(Error::internal)?;
        }
        Ok(Some(stop))
    }

    /// The units (variant, policy, replication) this run (its shard) runs, as
    /// [`Run::run_units`] counts them.
    fn units_of(&self, variants: &[Variant], labels: &[RunLabels]) -> u64 {
        variants
            .iter()
            .zip(labels)
            .enumerate()
            .map(|(index, (v, l))| {
                let reps = u64::from(v.scenario.replications);
                let mine = match self.settings.shard {
                    Some((i, n)) => (0..reps)
                        .filter(|&r| (index as u64 * reps + r) % u64::from(n) == u64::from(i))
                        .count() as u64,
                    None => reps,
                };
                l.policies.len() as u64 * mine
            })
            .sum()
    }

    /// Runs the units of `variants` after the first `skip` (done by an interrupted run), only
    /// those of this run's shard, and hands each batch to `sink` with its variant's index. With a shard (I, N), the
    /// (variant, replication) units whose number in run order is I modulo N run.
    fn run_units(
        &self,
        variants: &[Variant],
        labels: &[RunLabels],
        skip: u64,
        stop: Option<Arc<AtomicBool>>,
        mut sink: impl FnMut(usize, Vec<RegionResult>) -> Result<(), Error> + Send,
    ) -> Result<UnitsDone, Error> {
        let settings = &self.settings;
        let options = RunOptions {
            threads: settings.threads_requested.map(usize::from),
            keep_mothers: settings.mothers,
            progress: self.progress,
            replications: None,
            skip_units: 0,
            stop,
            checks: crate::sim::Checks {
                thorough: settings.check,
            },
        };
        let mut to_skip = skip;
        let mut done = UnitsDone {
            units_total: 0,
            events: 0,
            threads: 1,
            interrupted: false,
        };
        for (index, (v, l)) in variants.iter().zip(labels).enumerate() {
            let reps = v.scenario.replications;
            let mut options = options.clone();
            if let Some((i, n)) = settings.shard {
                let unit = |rep: u32| index as u64 * u64::from(reps) + u64::from(rep);
                let mine: Vec<u32> = (0..reps)
                    .filter(|&r| unit(r) % u64::from(n) == u64::from(i))
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                options.replications = Some(mine);
            }
            let units = (l.policies.len()
                * options
                    .replications
                    .as_ref()
                    .map_or(reps as usize, Vec::len)) as u64;
            done.units_total += units;
            if to_skip >= units {
                to_skip = to_skip.saturating_sub(units);
                continue;
            }
            options.skip_units = std::mem::take(&mut to_skip) as usize;
            let stats =
                runner::run_batches(&v.scenario, &options, l, |results| sink(index, results))?;
            done.events += stats.events;
            done.threads = stats.threads;
            done.interrupted |= stats.interrupted;
        }
        Ok(done)
    }
}

/// What [`Run::run_units`] ran.
struct UnitsDone {
    /// Units (variant, policy, replication) of this run (of its shard), done or skipped.
    units_total: u64,
    events: u64,
    threads: usize,
    interrupted: bool,
}

/// The labels of each variant's rows.
fn labels(variants: &[Variant]) -> Vec<RunLabels> {
    variants
        .iter()
        .map(|v| RunLabels::for_variant(&v.id, &v.scenario))
        .collect()
}
