//! run.json: what ran, with which inputs, how fast; written last, so that its presence marks a
//! complete output directory, and read back by merge, the charts and `--from`.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::recipe::{InputFile, Overrides, RunSettings};
use crate::run::{RunLabels, RunStats};
use crate::scenario::Scenario;

use super::OutputError;
use super::checkpoint::hex;
use super::files::write_atomic;

/// run.json: what ran, with which inputs, how fast; a recipe `kraamsim run|sweep --from`
/// reruns (`crate::recipe`). Fields are added, never renamed or removed: merge and the charts
/// read them, and older outputs must stay readable.
#[derive(Debug, Clone, Serialize)]
pub struct RunMeta {
    pub kraamsim_version: &'static str,
    /// The git commit kraamsim was built from (`-dirty`: with uncommitted changes; `unknown`:
    /// built outside a git checkout).
    pub source_revision: &'static str,
    /// `run` or `sweep`: the command whose `--from` reruns this file.
    pub command: &'static str,
    pub scenario_name: String,
    pub scenario_path: String,
    pub scenario_sha256: String,
    /// Every data file the scenario read (`[data]`), with its path and SHA-256.
    pub data_files: Vec<InputFile>,
    /// The command-line flags that override the scenario, as given (`null`: not given).
    pub overrides: Overrides,
    /// The effective values (of the first variant, for a sweep).
    pub seed: u64,
    pub replications: u32,
    pub regions: usize,
    /// Threads the run used; `threads_requested` is `--threads` as given (`null`: all cores).
    pub threads: usize,
    pub threads_requested: Option<u16>,
    /// The capacity scope (of the first variant, for a sweep).
    pub scope: String,
    /// The first (main) policy; `policies` lists all that ran.
    pub policy: String,
    pub policies: Vec<String>,
    pub variant: String,
    /// Variants run (more than one for a sweep; see variants.csv).
    pub variants: usize,
    pub report_start: String,
    pub report_end: String,
    pub warmup_days: u32,
    pub mothers_csv: bool,
    /// `--check`: the expensive runtime invariants were checked too.
    pub check: bool,
    /// `--no-charts`: charts/ and report.html were not drawn.
    pub no_charts: bool,
    /// `I/N` when this is shard I of N of a sweep (`kraamsim merge` combines them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub wall_seconds: f64,
    pub events: u64,
    pub events_per_second: f64,
    /// Whether a signal stopped the run; then only `units_done` of `units_total` (variant,
    /// policy, replication) units are done and `--resume` finishes it.
    pub interrupted: bool,
    pub units_done: u64,
    pub units_total: u64,
    /// Identifies the run for `--resume` (see [`resume_key`]).
    pub resume_key: String,
}

impl RunMeta {
    pub fn new(
        s: &Scenario,
        path: &str,
        text: &str,
        labels: &RunLabels,
        run: &RunStats,
        settings: &RunSettings,
        wall_seconds: f64,
    ) -> Self {
        RunMeta {
            kraamsim_version: crate::recipe::VERSION,
            source_revision: crate::recipe::SOURCE_REVISION,
            command: settings.command.as_str(),
            scenario_name: s.name.clone(),
            scenario_path: path.to_string(),
            scenario_sha256: sha256_hex(text),
            data_files: Vec::new(),
            overrides: settings.overrides,
            seed: s.seed,
            replications: s.replications,
            regions: s.regions.len(),
            threads: run.threads,
            threads_requested: settings.threads_requested,
            scope: s.policy.scope.as_str().to_string(),
            policy: labels.policies[0].to_string(),
            policies: labels.policies.iter().map(|p| p.to_string()).collect(),
            variant: labels.variant.clone(),
            variants: 1,
            report_start: s.period.start.to_string(),
            report_end: s.period.end.to_string(),
            warmup_days: s.period.warmup_days,
            mothers_csv: settings.mothers,
            check: settings.check,
            no_charts: settings.no_charts,
            shard: settings.shard.map(|(i, n)| format!("{i}/{n}")),
            wall_seconds,
            events: run.events,
            events_per_second: run.events as f64 / wall_seconds.max(1e-9),
            interrupted: false,
            units_done: 0,
            units_total: 0,
            resume_key: String::new(),
        }
    }
}

pub(super) fn write_run_json(dir: &Path, meta: &RunMeta) -> Result<(), OutputError> {
    write_atomic(dir, "run.json", |w| {
        let io = |source| OutputError::Io {
            path: dir.join("run.json"),
            source,
        };
        serde_json::to_writer_pretty(&mut *w, meta).map_err(|e| io(e.into()))?;
        writeln!(w).map_err(io)
    })
}

/// Lower-case hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}
