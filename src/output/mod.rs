//! Writing an output directory (`DESIGN.md` §5): summary.csv, weekly.csv, stats.csv,
//! optional mothers.csv, and run.json, plus the one-screen table on stdout.
//!
//! Every file is written to a temporary name in the output directory and renamed into place,
//! so an interrupted run never leaves a truncated file under a final name. run.json is
//! written last: its presence marks a complete kraamsim output directory.
//!
//! [`OutputWriter`] streams: summary, weekly and mothers rows are written as each batch of
//! replications arrives (`crate::run::run_batches`), so memory does not grow with the number
//! of replications; only the per-replication summary totals are kept, for stats.csv.

pub mod dir;
mod merge;
mod number;
mod schema;
mod stats;
mod tally;
mod yearly;

pub use dir::{DirMode, Layout, OutputDir, RESUME_DIR, Start};
pub use merge::{MergeError, merge};
pub(crate) use schema::check_columns;
use schema::parse_metrics;
pub use schema::{
    Column, DAY_PART_METRICS, Format, LATER_SUMMARY_METRICS, METRICS, SUMMARY_COLUMNS,
    SUMMARY_METRICS, WEEK_COLUMNS, WEEKLY_COLUMNS, WeekColumn, is_ratio, join_names, metric_values,
    summary_column, tier_fill, totals_from_values,
};
pub use stats::{Estimate, estimate};
use tally::{Tally, TallyKind, TallyRow};
pub use yearly::{PROVIDER_COLUMNS, YEARLY_COLUMNS, YearlyRow};

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::equity::{self, Equity, RATIO_BINS, RatioBins};
use crate::model::Calendar;
use crate::recipe::{InputFile, Overrides, RunSettings};
use crate::results::{RegionResult, RegistrationOutcome, Totals};
use crate::run::{RunLabels, RunStats};
use crate::scenario::Scenario;

/// Errors while writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{0} exists and is not a kraamsim output directory (it has files but no run.json); choose another --out, or pass --force to add the outputs to it"
    )]
    NotOutputDir(PathBuf),
    #[error("{0} holds an earlier kraamsim output; pass --force to replace it")]
    EarlierOutput(PathBuf),
    #[error(
        "{0} holds an interrupted kraamsim run; finish it with the command that started it plus --resume, or pass --force to replace it"
    )]
    InterruptedOutput(PathBuf),
    #[error("--resume: {0} holds no interrupted kraamsim run to resume (no {RESUME_DIR}/)")]
    NothingToResume(PathBuf),
    #[error(
        "--resume: {0} holds a run of another scenario, seed, replication count, policy or flags; resume with exactly the command that started it, or pass --force to start over"
    )]
    ResumeMismatch(PathBuf),
    #[error("--resume: {path} is damaged ({why}); pass --force to start over")]
    BadCheckpoint { path: PathBuf, why: String },
    /// A directory the command may not write into, for a reason it names in full.
    #[error("{0}")]
    Refused(String),
    #[error("writing {path}: {}", io_message(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {path}: {}", csv_message(source))]
    Csv { path: PathBuf, source: csv::Error },
}

/// An I/O error as a user reads it: the cause they can act on first, then the system's words.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let hint = match e.kind() {
        ErrorKind::StorageFull => {
            "no space left on the device: free some space, or write elsewhere with --out"
        }
        ErrorKind::QuotaExceeded => {
            "disk quota exceeded: free some space, or write elsewhere with --out"
        }
        ErrorKind::PermissionDenied => "permission denied: choose an --out you may write to",
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only: choose another --out",
        ErrorKind::NotADirectory => "a part of the path is a file, not a directory",
        _ => return e.to_string(),
    };
    format!("{hint} ({e})")
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io_message(io),
        _ => e.to_string(),
    }
}

/// Region name used for the totals over all regions.
pub const ALL: &str = "ALL";

/// One summary row: a policy's totals for one replication and region (or [`ALL`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow<'a> {
    pub variant: &'a str,
    pub policy: &'static str,
    pub replication: u32,
    pub region: &'a str,
    pub totals: Totals,
    pub equity: Equity,
}

impl SummaryRow<'_> {
    /// The values of [`SUMMARY_METRICS`].
    pub fn values(&self) -> [f64; METRICS] {
        metric_values(&self.totals, &self.equity)
    }
}

/// The summary rows of one replication under one policy: its regions (scenario order), then
/// `ALL`.
fn replication_rows<'a>(
    s: &'a Scenario,
    variant: &'a str,
    chunk: &[RegionResult],
) -> Vec<SummaryRow<'a>> {
    let mut rows = Vec::with_capacity(chunk.len() + 1);
    let mut all = Totals::default();
    let mut ratios =
        equity::Ratios::with_capacity(chunk.iter().map(|r| r.ratios.steps.len()).sum());
    for r in chunk {
        rows.push(SummaryRow {
            variant,
            policy: r.policy,
            replication: r.replication,
            region: s.regions[r.region].name.as_str(),
            totals: r.totals.clone(),
            equity: r.equity,
        });
        all.add(&r.totals);
        ratios.extend(&r.ratios);
    }
    // Gini and P10 of ALL need every mother of the replication: the regions' ratios together.
    let equity = Equity::of(&all.equity_counts(), &ratios);
    rows.push(SummaryRow {
        variant,
        policy: chunk[0].policy,
        replication: chunk[0].replication,
        region: ALL,
        totals: all,
        equity,
    });
    rows
}

const PROGRESS_JSON: &str = "progress.json";

/// What `run`, `sweep` and `merge` write into an output directory (`dir`): the CSV files,
/// run.json, the resume directory of an interrupted run, and `charts`, the files of the
/// charts and report.html when they are drawn (`crate::chart::files`; empty: those of an
/// earlier run are removed only where kraamsim wrote them). The charts are named by the
/// caller because they are drawn above this layer.
pub fn run_layout(charts: Vec<String>) -> Layout {
    let mut files: Vec<String> = OUTPUT_FILES.map(String::from).to_vec();
    files.extend(["run.json", RESUME_DIR].map(String::from));
    files.extend(charts);
    Layout::new("run", "run.json", files)
}

/// The files of an output directory that a run writes; an interrupted run removes those of
/// an earlier output, so that nothing of another run is left beside its run.json.
pub const OUTPUT_FILES: [&str; 13] = [
    "summary.csv",
    "weekly.csv",
    "stats.csv",
    "mothers.csv",
    "variants.csv",
    TOTALS_CSV,
    "postcodes.csv",
    "lorenz.csv",
    "transfers.csv",
    YEARLY_CSV,
    PROVIDERS_CSV,
    CLOSURES_CSV,
    REGISTRATIONS_CSV,
];

/// One row per provider closure (`[[provider_closures]]`), replication and policy: the
/// mothers and carers it moved. Written only for a scenario with closures.
pub const CLOSURES_CSV: &str = "closures.csv";
/// One row per registration outcome (booked, placed by the waiting list, refused), region,
/// replication and policy. Written only with `policy.waiting_list.refusals`.
pub const REGISTRATIONS_CSV: &str = "registrations.csv";

/// One row per region (and `ALL`) and calendar year of the reporting period.
pub const YEARLY_CSV: &str = "yearly.csv";
/// One row per provider and year: its contract and whether it meets it.
pub const PROVIDERS_CSV: &str = "providers.csv";

/// Where an interrupted run stopped: the number of (variant, policy, replication) units it
/// finished, in run order, and the length of each kept file at that point. A resumed run
/// reads exactly those lengths, so a crash between renaming a file and writing this record
/// cannot mix in rows of a later unit.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub resume_key: String,
    pub units_done: u64,
    pub units_total: u64,
    /// File name in [`RESUME_DIR`], the bytes of it that belong to the finished units, and
    /// the SHA-256 of those bytes: a kept file changed since (truncated, edited, even at the
    /// same size) is found before anything is resumed from it.
    pub files: Vec<(String, u64, String)>,
}

impl Checkpoint {
    fn read(dir: &Path) -> Result<Self, OutputError> {
        let path = dir.join(RESUME_DIR).join(PROGRESS_JSON);
        let text = std::fs::read_to_string(&path).map_err(|source| OutputError::Io {
            path: path.clone(),
            source,
        })?;
        let checkpoint: Checkpoint =
            serde_json::from_str(&text).map_err(|e| OutputError::BadCheckpoint {
                path,
                why: e.to_string(),
            })?;
        for (name, len, sha) in &checkpoint.files {
            let kept = dir.join(RESUME_DIR).join(name);
            let (found_len, found_sha) = file_sha256(&kept, *len)?;
            let change = if found_len != *len {
                format!("{found_len} bytes where {len} were kept")
            } else {
                "same length, other contents: its SHA-256 differs".to_string()
            };
            if found_len != *len || &found_sha != sha {
                return Err(OutputError::BadCheckpoint {
                    path: kept,
                    why: format!("it changed since the run was interrupted: {change}"),
                });
            }
        }
        Ok(checkpoint)
    }

    fn length_of(&self, name: &str) -> Option<u64> {
        self.files
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, l, _)| *l)
    }
}

/// The length (at most `len` bytes read) and SHA-256 of the first `len` bytes of `path`.
fn file_sha256(path: &Path, len: u64) -> Result<(u64, String), OutputError> {
    let io = |source| OutputError::BadCheckpoint {
        path: path.to_path_buf(),
        why: io_message(&source),
    };
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let copied = std::io::copy(&mut (&mut file).take(len), &mut hasher).map_err(io)?;
    let longer = file.read(&mut [0u8]).map_err(io)? > 0;
    let found = if longer { len + 1 } else { copied };
    Ok((found, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A stable key of a run's identity for `--resume`: a hash of everything that decides its
/// output bytes (not the thread count, which does not).
pub fn resume_key(parts: &[&str]) -> String {
    sha256_hex(&parts.join("\u{1f}"))
}

/// The resume key of a `run` or `sweep`: its scenario text, then each variant's *effective*
/// scenario (after the command-line overrides, with what its data files gave), then whether
/// it writes mothers.csv and which shard it is. A flag that repeats the scenario's own value
/// (`--seed` of its seed) is the same run, and a data file changed while a run was
/// interrupted is not.
pub fn run_resume_key(
    text: &str,
    variants: &[&Scenario],
    keep_mothers: bool,
    shard: Option<(u32, u32)>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    for s in variants {
        hasher.update([0x1f]);
        // serde_json writes the fields in declaration order and maps sorted (BTreeMap), so
        // the same scenario always gives the same bytes.
        serde_json::to_writer(&mut hasher, s).expect("a scenario serializes to JSON");
    }
    hasher.update(format!("\u{1f}mothers={keep_mothers} shard={shard:?}").as_bytes());
    hex(&hasher.finalize())
}

/// A hidden temporary file in `dir` that will become `name`, readable like any file the
/// user writes (tempfile's default is owner-only).
fn temp_file(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir)
}

/// Writes `contents` to `dir/name` through a temporary file and a rename.
pub(crate) fn write_atomic(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let path = dir.join(name);
    let io = |source| OutputError::Io {
        path: path.clone(),
        source,
    };
    let mut tmp = temp_file(dir, name).map_err(io)?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(io)?;
    }
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(())
}

/// The columns that key every row of summary.csv, weekly.csv and mothers.csv.
const ROW_KEY: [&str; 4] = ["variant", "policy", "replication", "region"];

/// A header: the row key, then `columns`.
fn header<'a>(columns: &[&'a str]) -> Vec<&'a str> {
    ROW_KEY
        .iter()
        .copied()
        .chain(columns.iter().copied())
        .collect()
}

const MOTHER_COLUMNS: [&str; 13] = [
    "postcode",
    "mother_id",
    "registration_date",
    "registration_week",
    "due_date",
    "birth_date",
    "birth_place",
    "hospital_days",
    "indicated_hours",
    "medical_hours",
    "delivered_hours",
    "minimum_met",
    "carers",
];

const TRANSFER_COLUMNS: [&str; 3] = ["from_provider", "to_provider", "transfers"];

const CLOSURE_COLUMNS: [&str; 8] = [
    "provider",
    "date",
    "mothers_booked_moved",
    "mothers_in_care_moved",
    "mothers_refused",
    "registrations_redirected",
    "carers_joined",
    "carers_left",
];

const REGISTRATION_COLUMNS: [&str; 4] = [
    "outcome",
    "mothers",
    "early_registrants",
    "late_registrants",
];

const STATS_COLUMNS: [&str; 8] = [
    "variant",
    "policy",
    "region",
    "metric",
    "mean",
    "ci95_low",
    "ci95_high",
    "replications",
];

/// Formats hours with fixed precision so outputs are byte-stable and readable.
fn hours(x: f64) -> String {
    number::fixed(x, 3)
}

/// A CSV file being written under a temporary name in the output directory.
struct CsvFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
    out: csv::Writer<BufWriter<File>>,
}

impl CsvFile {
    fn create(dir: &Path, name: &str, header: &[&str]) -> Result<Self, OutputError> {
        let path = dir.join(name);
        let io = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        let tmp = temp_file(dir, name).map_err(io)?;
        let file = tmp.as_file().try_clone().map_err(io)?;
        let mut csv = CsvFile {
            out: csv::Writer::from_writer(BufWriter::new(file)),
            tmp,
            path,
        };
        csv.write(header)?;
        Ok(csv)
    }

    fn write<I, T>(&mut self, record: I) -> Result<(), OutputError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.out
            .write_record(record)
            .map_err(|source| OutputError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    /// A file that continues the first `len` bytes of `from` (a file kept by an interrupted
    /// run, header included).
    fn resume(dir: &Path, name: &str, from: &Path, len: u64) -> Result<Self, OutputError> {
        let path = dir.join(name);
        let io = |source| OutputError::Io {
            path: from.to_path_buf(),
            source,
        };
        let mut tmp = temp_file(dir, name).map_err(io)?;
        let source = File::open(from).map_err(io)?;
        let copied = std::io::copy(&mut source.take(len), tmp.as_file_mut()).map_err(io)?;
        if copied != len {
            return Err(OutputError::BadCheckpoint {
                path: from.to_path_buf(),
                why: format!("{copied} bytes where {len} were recorded"),
            });
        }
        let file = tmp.as_file().try_clone().map_err(io)?;
        Ok(CsvFile {
            out: csv::Writer::from_writer(BufWriter::new(file)),
            tmp,
            path,
        })
    }

    /// Flushes everything and renames the file into place.
    fn persist(self) -> Result<(), OutputError> {
        let path = self.path.clone();
        self.persist_as(&path).map(drop)
    }

    /// Flushes everything and renames the file to `target`; returns its length in bytes.
    fn persist_as(self, target: &Path) -> Result<u64, OutputError> {
        let io = |source| OutputError::Io {
            path: self.path.clone(),
            source,
        };
        let buffered = self
            .out
            .into_inner()
            .map_err(|e| io(std::io::Error::new(e.error().kind(), e.error().to_string())))?;
        let file = buffered.into_inner().map_err(|e| io(e.into_error()))?;
        let len = file.metadata().map_err(io)?.len();
        self.tmp.persist(target).map_err(|e| io(e.error))?;
        Ok(len)
    }
}

/// Writes an output directory while a run streams its results in.
pub struct OutputWriter<'a> {
    dir: PathBuf,
    /// The layout's kind, for the manifest (`dir::record`).
    kind: &'static str,
    summary: Option<CsvFile>,
    weekly: Option<CsvFile>,
    mothers: Option<CsvFile>,
    transfers: Option<CsvFile>,
    /// closures.csv and registrations.csv, open only when a variant has closures or
    /// refusals, so that no other scenario's output changes.
    closures: Option<CsvFile>,
    registrations: Option<CsvFile>,
    /// postcodes.csv and lorenz.csv, counted up over replications.
    postcodes: Tally,
    lorenz: Tally,
    /// The policies of the rows so far, in run order (the index of a tally's group).
    policies: Vec<&'static str>,
    yearly: Option<CsvFile>,
    providers: Option<CsvFile>,
    /// The yearly.csv rows written so far, as read back from their text (for stats.csv).
    yearly_rows: Vec<YearlyRow>,
    /// Also write totals.csv, the summary at full precision, for `kraamsim merge` (shards).
    exact: bool,
    rows: Vec<SummaryRow<'a>>,
    /// (variant, policy, replication) units written so far, in run order.
    units: u64,
    resume_key: String,
    resumed: bool,
}

/// A variant's labels and scenario: what rows read back from a checkpoint are matched to.
pub type VariantRef<'a> = (&'a RunLabels, &'a Scenario);

impl<'a> OutputWriter<'a> {
    /// Opens the files of an output in `out` (held and checked by [`OutputDir::open`]; an
    /// earlier kraamsim output there is replaced when the run finishes). To resume, the kept
    /// rows are matched to `variants`.
    pub fn create(
        out: &OutputDir,
        keep_mothers: bool,
        resume_key: &str,
        variants: &[VariantRef<'a>],
    ) -> Result<Self, OutputError> {
        let dir = out.path();
        let start = &out.start;
        let mut writer = OutputWriter {
            dir: dir.to_path_buf(),
            kind: out.layout().kind,
            summary: None,
            weekly: None,
            mothers: None,
            transfers: None,
            closures: None,
            registrations: None,
            postcodes: Tally::new(TallyKind::Postcodes),
            lorenz: Tally::new(TallyKind::Lorenz),
            policies: variants
                .first()
                .map(|(labels, _)| labels.policies.clone())
                .unwrap_or_default(),
            yearly: None,
            providers: None,
            yearly_rows: Vec::new(),
            exact: false,
            rows: Vec::new(),
            units: 0,
            resume_key: resume_key.to_string(),
            resumed: false,
        };
        let open = |name: &str, columns: &[&str]| match start {
            Start::Resume(c) => {
                let len = c
                    .length_of(name)
                    .ok_or_else(|| OutputError::BadCheckpoint {
                        path: dir.join(RESUME_DIR).join(PROGRESS_JSON),
                        why: format!("no length recorded for {name}"),
                    })?;
                CsvFile::resume(dir, name, &dir.join(RESUME_DIR).join(name), len)
            }
            _ => CsvFile::create(dir, name, &header(columns)),
        };
        writer.summary = Some(open("summary.csv", &SUMMARY_METRICS)?);
        writer.weekly = Some(open("weekly.csv", &WEEKLY_COLUMNS)?);
        writer.transfers = Some(open("transfers.csv", &TRANSFER_COLUMNS)?);
        if variants
            .iter()
            .any(|(_, s)| !s.provider_closures.is_empty())
        {
            writer.closures = Some(open(CLOSURES_CSV, &CLOSURE_COLUMNS)?);
        }
        if variants.iter().any(|(_, s)| s.policy.waiting_list.refusals) {
            writer.registrations = Some(open(REGISTRATIONS_CSV, &REGISTRATION_COLUMNS)?);
        }
        if keep_mothers {
            writer.mothers = Some(open("mothers.csv", &MOTHER_COLUMNS)?);
        }
        writer.yearly = Some(open(YEARLY_CSV, &YEARLY_COLUMNS)?);
        writer.providers = Some(open(PROVIDERS_CSV, &PROVIDER_COLUMNS)?);
        if let Start::Resume(checkpoint) = start {
            for tally in [&mut writer.postcodes, &mut writer.lorenz] {
                let name = tally.kind.file();
                let path = dir.join(RESUME_DIR).join(name);
                tally
                    .read(&path, checkpoint.length_of(name), &writer.policies)
                    .map_err(|why| OutputError::BadCheckpoint { path, why })?;
            }
            writer.yearly_rows = read_checkpoint_yearly(dir, checkpoint)?;
            writer.rows = read_checkpoint_rows(dir, checkpoint, variants)?;
            writer.units = checkpoint.units_done;
            writer.resumed = true;
        }
        Ok(writer)
    }

    /// [`OutputWriter::create`] for a shard of a sweep: also writes totals.csv, the summary at
    /// full precision, so that `kraamsim merge` computes stats.csv exactly as one run would.
    pub fn create_shard(
        out: &OutputDir,
        keep_mothers: bool,
        resume_key: &str,
        variants: &[VariantRef<'a>],
    ) -> Result<Self, OutputError> {
        let mut writer = Self::create(out, keep_mothers, resume_key, variants)?;
        writer.exact = true;
        Ok(writer)
    }

    /// Units (variant, policy, replication) finished so far, kept ones included.
    pub fn units_done(&self) -> u64 {
        self.units
    }

    /// Writes the rows of a batch of whole replications (regions in scenario order) of the
    /// variant `labels` names, whose scenario is `scenario`.
    pub fn add(
        &mut self,
        scenario: &'a Scenario,
        labels: &'a RunLabels,
        batch: &[RegionResult],
    ) -> Result<(), OutputError> {
        for chunk in batch.chunks(scenario.regions.len()) {
            // The per-region files (weekly.csv, mothers.csv, transfers.csv, half of the
            // writing) are written beside the rest, on a thread of their own.
            let mut weekly = self.weekly.take().expect("open until finish");
            let mut mothers = self.mothers.take();
            let mut transfers = self.transfers.take().expect("open until finish");
            let mut closures = self.closures.take();
            let mut registrations = self.registrations.take();
            let (per_region, rest) = std::thread::scope(|threads| {
                let per_region = threads.spawn(|| {
                    for r in chunk {
                        write_weekly_rows(&mut weekly, scenario, labels, r)?;
                        if let Some(mothers) = mothers.as_mut() {
                            write_mother_rows(mothers, scenario, labels, r)?;
                        }
                        write_transfer_rows(&mut transfers, scenario, labels, r)?;
                        if let Some(out) = closures.as_mut() {
                            write_closure_rows(out, scenario, labels, r)?;
                        }
                        if let Some(out) = registrations.as_mut() {
                            write_registration_rows(out, scenario, labels, r)?;
                        }
                    }
                    Ok::<(), OutputError>(())
                });
                let rest = self.add_replication(scenario, labels, chunk);
                let per_region = per_region
                    .join()
                    .expect("writing the per-region files does not panic");
                (per_region, rest)
            });
            self.weekly = Some(weekly);
            self.mothers = mothers;
            self.transfers = Some(transfers);
            self.closures = closures;
            self.registrations = registrations;
            per_region?;
            rest?;
        }
        Ok(())
    }

    /// Adds one replication's summary rows, postcode and ratio counts and yearly rows.
    fn add_replication(
        &mut self,
        scenario: &'a Scenario,
        labels: &'a RunLabels,
        chunk: &[RegionResult],
    ) -> Result<(), OutputError> {
        let rows = replication_rows(scenario, &labels.variant, chunk);
        let summary = self.summary.as_mut().expect("open until finish");
        for row in &rows {
            write_summary_row(summary, row)?;
        }
        self.rows.extend(rows);
        self.units += 1;
        self.count_up(scenario, &labels.variant, chunk);
        let yearly = self.yearly.as_mut().expect("open until finish");
        for rec in yearly::yearly_records(scenario, labels, chunk) {
            yearly.write(&rec)?;
            let row = yearly::yearly_row(&rec).expect("a row just formatted reads back");
            self.yearly_rows.push(row);
        }
        // The workforce is the same under every policy: written once, for the first.
        if chunk
            .first()
            .is_some_and(|r| r.policy == labels.policies[0])
        {
            let providers = self.providers.as_mut().expect("open until finish");
            for r in chunk {
                for rec in yearly::provider_records(scenario, labels, r) {
                    providers.write(&rec)?;
                }
            }
        }
        Ok(())
    }

    /// Adds a replication's postcode counts and ratio bins to postcodes.csv and lorenz.csv.
    fn count_up(&mut self, s: &Scenario, variant: &str, chunk: &[RegionResult]) {
        let policy = match self.policies.iter().position(|p| *p == chunk[0].policy) {
            Some(i) => i,
            None => {
                self.policies.push(chunk[0].policy);
                self.policies.len() - 1
            }
        };
        let rows = self.postcodes.group(variant, policy, || {
            chunk
                .iter()
                .flat_map(|r| {
                    let region = &s.regions[r.region];
                    region.postcodes.iter().map(|p| TallyRow {
                        region: region.name.clone(),
                        key: u32::from(p.pc4),
                        counts: vec![0; 3],
                    })
                })
                .collect()
        });
        let counts = chunk.iter().flat_map(|r| r.postcodes.iter());
        for (row, [mothers, below]) in rows.iter_mut().zip(counts) {
            row.counts[0] += 1;
            row.counts[1] += mothers;
            row.counts[2] += below;
        }
        // lorenz.csv: all regions together (the curve of a run); per region it would be
        // 101 rows for each of 71 regions in a national run.
        let mut all = RatioBins::default();
        chunk.iter().for_each(|r| all.add(&r.bins));
        let rows = self.lorenz.group(variant, policy, || {
            (0..RATIO_BINS)
                .map(|b| TallyRow {
                    region: ALL.to_string(),
                    key: b as u32,
                    counts: vec![0; 3],
                })
                .collect()
        });
        for (b, row) in rows.iter_mut().enumerate() {
            row.counts[0] += 1;
            row.counts[1] += all.mothers[b];
            row.counts[2] += all.ratio_sum[b];
        }
    }

    /// Writes variants.csv: one row per variant of a sweep with the values it sets.
    pub fn write_variants(
        &self,
        variants: &[(String, Vec<(String, String)>)],
    ) -> Result<(), OutputError> {
        let mut columns: Vec<&str> = vec!["variant"];
        if let Some((_, params)) = variants.first() {
            columns.extend(params.iter().map(|(path, _)| path.as_str()));
        }
        let mut file = CsvFile::create(&self.dir, "variants.csv", &columns)?;
        for (id, params) in variants {
            let mut rec = vec![id.as_str()];
            rec.extend(params.iter().map(|(_, value)| value.trim_matches('"')));
            file.write(&rec)?;
        }
        dir::record(&self.dir, self.kind, &["variants.csv".to_string()])?;
        file.persist()
    }

    /// Writes stats.csv, renames every file into place and writes run.json last. Returns the
    /// summary rows (for the terminal table).
    pub fn finish(mut self, meta: &RunMeta) -> Result<Vec<SummaryRow<'a>>, OutputError> {
        let dir = self.dir.clone();
        // stats.csv and postcodes.csv are the two slow files (a national run: 3 ms each)
        // and independent: written side by side while the workers are idle.
        let (stats, postcodes) = std::thread::scope(|scope| {
            let stats = scope.spawn(|| stats_file(&dir, &self.rows, &self.yearly_rows));
            let postcodes = self.postcodes.file(&dir, &self.policies);
            let stats = stats.join().expect("writing stats.csv does not panic");
            (stats, postcodes)
        });
        let (stats, postcodes) = (stats?, postcodes?);
        let lorenz = self.lorenz.file(&dir, &self.policies)?;
        // Recorded before they are renamed into place: the manifest never misses a file of ours.
        let mut written: Vec<String> = [
            "summary.csv",
            "weekly.csv",
            "transfers.csv",
            "stats.csv",
            "postcodes.csv",
            "lorenz.csv",
            YEARLY_CSV,
            PROVIDERS_CSV,
            "run.json",
        ]
        .map(String::from)
        .to_vec();
        if self.exact {
            written.push(TOTALS_CSV.to_string());
        }
        if self.mothers.is_some() {
            written.push("mothers.csv".to_string());
        }
        if self.closures.is_some() {
            written.push(CLOSURES_CSV.to_string());
        }
        if self.registrations.is_some() {
            written.push(REGISTRATIONS_CSV.to_string());
        }
        dir::record(&dir, self.kind, &written)?;
        for file in [
            self.summary.take(),
            self.weekly.take(),
            self.transfers.take(),
            Some(stats),
            Some(postcodes),
            Some(lorenz),
            self.yearly.take(),
            self.providers.take(),
        ] {
            file.expect("open until finish").persist()?;
        }
        // A stale file of an earlier run into this folder would not belong to this run.
        for (name, file) in [
            (CLOSURES_CSV, self.closures.take()),
            (REGISTRATIONS_CSV, self.registrations.take()),
        ] {
            match file {
                Some(file) => file.persist()?,
                None => remove_if_present(&dir.join(name))?,
            }
        }
        if self.exact {
            exact_totals_file(&dir, &self.rows)?.persist()?;
        } else {
            remove_if_present(&dir.join(TOTALS_CSV))?;
        }
        match self.mothers.take() {
            Some(mothers) => mothers.persist()?,
            // A stale file from an earlier run with --mothers would not belong to this run.
            None => remove_if_present(&dir.join("mothers.csv"))?,
        }
        let mut meta = meta.clone();
        meta.resume_key = self.resume_key.clone();
        meta.units_done = self.units;
        write_run_json(&dir, &meta)?;
        remove_dir_if_present(&dir.join(RESUME_DIR))?;
        dir::record(&dir, self.kind, &[])?;
        Ok(std::mem::take(&mut self.rows))
    }

    /// Ends an interrupted run: keeps the finished units' rows in [`RESUME_DIR`] for
    /// `--resume`, removes the files of any earlier output (they would not belong to this
    /// run), and writes run.json with `"interrupted": true`. No file under a final name holds
    /// a part of this run.
    pub fn interrupt(mut self, meta: &RunMeta) -> Result<(), OutputError> {
        let dir = self.dir.clone();
        let keep = dir.join(RESUME_DIR);
        dir::record(
            &dir,
            self.kind,
            &[RESUME_DIR.to_string(), "run.json".to_string()],
        )?;
        if !self.resumed {
            // A checkpoint of some earlier run (this one started afresh with --force).
            remove_dir_if_present(&keep)?;
        }
        std::fs::create_dir_all(&keep).map_err(|source| OutputError::Io {
            path: keep.clone(),
            source,
        })?;
        let mut files = Vec::new();
        let kept = [
            ("summary.csv", self.summary.take()),
            ("weekly.csv", self.weekly.take()),
            ("mothers.csv", self.mothers.take()),
            ("transfers.csv", self.transfers.take()),
            (
                "postcodes.csv",
                Some(self.postcodes.file(&dir, &self.policies)?),
            ),
            ("lorenz.csv", Some(self.lorenz.file(&dir, &self.policies)?)),
            (YEARLY_CSV, self.yearly.take()),
            (PROVIDERS_CSV, self.providers.take()),
            (CLOSURES_CSV, self.closures.take()),
            (REGISTRATIONS_CSV, self.registrations.take()),
        ];
        for (name, file) in kept {
            if let Some(file) = file {
                files.push(kept_file(&keep, name, file)?);
            }
        }
        let exact = exact_totals_file(&dir, &self.rows)?;
        files.push(kept_file(&keep, TOTALS_CSV, exact)?);
        let checkpoint = Checkpoint {
            resume_key: self.resume_key.clone(),
            units_done: self.units,
            units_total: meta.units_total,
            files,
        };
        write_atomic(&keep, PROGRESS_JSON, |w| {
            serde_json::to_writer_pretty(&mut *w, &checkpoint).map_err(|e| OutputError::Io {
                path: keep.join(PROGRESS_JSON),
                source: e.into(),
            })
        })?;
        for name in OUTPUT_FILES {
            remove_if_present(&dir.join(name))?;
        }
        let mut meta = meta.clone();
        meta.interrupted = true;
        meta.resume_key = self.resume_key.clone();
        meta.units_done = self.units;
        write_run_json(&dir, &meta)?;
        dir::record(&dir, self.kind, &[])?;
        Ok(())
    }
}

/// Moves `file` into the resume directory `keep` as `name`; its checkpoint entry.
fn kept_file(keep: &Path, name: &str, file: CsvFile) -> Result<(String, u64, String), OutputError> {
    let path = keep.join(name);
    let len = file.persist_as(&path)?;
    let (_, sha) = file_sha256(&path, len)?;
    Ok((name.to_string(), len, sha))
}

fn write_run_json(dir: &Path, meta: &RunMeta) -> Result<(), OutputError> {
    write_atomic(dir, "run.json", |w| {
        let io = |source| OutputError::Io {
            path: dir.join("run.json"),
            source,
        };
        serde_json::to_writer_pretty(&mut *w, meta).map_err(|e| io(e.into()))?;
        writeln!(w).map_err(io)
    })
}

fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    absent_is_fine(path, std::fs::remove_file(path))
}

fn remove_dir_if_present(path: &Path) -> Result<(), OutputError> {
    absent_is_fine(path, std::fs::remove_dir_all(path))
}

/// A removal that found nothing to remove succeeded.
fn absent_is_fine(path: &Path, removed: std::io::Result<()>) -> Result<(), OutputError> {
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Each record of the kept file `name` of a checkpoint, up to its recorded length, once its
/// header is `expected`; `each` says what is wrong with a record, which becomes a
/// damaged-checkpoint error.
fn for_checkpoint_records(
    dir: &Path,
    checkpoint: &Checkpoint,
    name: &str,
    expected: &[&str],
    mut each: impl FnMut(&csv::StringRecord) -> Result<(), String>,
) -> Result<(), OutputError> {
    let path = dir.join(RESUME_DIR).join(name);
    let bad = |why: String| OutputError::BadCheckpoint {
        path: path.clone(),
        why,
    };
    let len = checkpoint
        .length_of(name)
        .ok_or_else(|| bad("no length recorded".into()))?;
    let file = File::open(&path).map_err(|e| bad(e.to_string()))?;
    let mut reader = csv::Reader::from_reader(file.take(len));
    check_columns(reader.headers().map_err(|e| bad(e.to_string()))?, expected).map_err(&bad)?;
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        each(&record).map_err(&bad)?;
    }
    Ok(())
}

/// The summary rows an interrupted run finished, read back at full precision from the
/// checkpoint's totals.csv and matched to the labels and region names of `variants`.
fn read_checkpoint_rows<'a>(
    dir: &Path,
    checkpoint: &Checkpoint,
    variants: &[VariantRef<'a>],
) -> Result<Vec<SummaryRow<'a>>, OutputError> {
    let mut rows = Vec::new();
    let expected = header(&SUMMARY_METRICS);
    for_checkpoint_records(dir, checkpoint, TOTALS_CSV, &expected, |record| {
        let (labels, scenario) = variants
            .iter()
            .find(|(l, _)| l.variant == record[0])
            .ok_or_else(|| format!("unknown variant `{}`", &record[0]))?;
        let policy = labels
            .policies
            .iter()
            .find(|p| **p == &record[1])
            .ok_or_else(|| format!("unknown policy `{}`", &record[1]))?;
        let region = match &record[3] {
            ALL => ALL,
            name => scenario
                .regions
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.name.as_str())
                .ok_or_else(|| format!("unknown region `{name}`"))?,
        };
        let (totals, equity) = totals_from_values(&parse_metrics(record)?);
        rows.push(SummaryRow {
            variant: labels.variant.as_str(),
            policy,
            replication: record[2]
                .parse()
                .map_err(|_| format!("replication `{}`", &record[2]))?,
            region,
            totals,
            equity,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// The yearly.csv rows an interrupted run finished, read back from the kept file.
fn read_checkpoint_yearly(
    dir: &Path,
    checkpoint: &Checkpoint,
) -> Result<Vec<YearlyRow>, OutputError> {
    let mut rows = Vec::new();
    let expected = header(&YEARLY_COLUMNS);
    for_checkpoint_records(dir, checkpoint, YEARLY_CSV, &expected, |record| {
        let fields: Vec<&str> = record.iter().collect();
        rows.push(yearly::yearly_row(&fields)?);
        Ok(())
    })?;
    Ok(rows)
}

/// stats.csv of `rows` (the summary metrics), then of `yearly` (each metric per calendar
/// year, named `metric.year`), under its temporary name.
fn stats_file(
    dir: &Path,
    rows: &[SummaryRow<'_>],
    yearly: &[YearlyRow],
) -> Result<CsvFile, OutputError> {
    let mut stats = CsvFile::create(dir, "stats.csv", &STATS_COLUMNS)?;
    let mut write =
        |variant: &str, policy: &str, region: &str, metric: &str, format: Format, est: Estimate| {
            let f = |v: f64| format.stats(v);
            let (lo, hi) = est
                .ci95
                .map_or((String::new(), String::new()), |(l, h)| (f(l), f(h)));
            stats.write([
                variant,
                policy,
                region,
                metric,
                &f(est.mean),
                &lo,
                &hi,
                &est.n.to_string(),
            ])
        };
    for (variant, policy, region, column, est) in stats_rows(rows) {
        write(variant, policy, region, column.name, column.format, est)?;
    }
    // The yearly metrics are all written as hours are (`metric.year`, three decimals).
    for (variant, policy, region, metric, est) in yearly::yearly_stats(yearly) {
        write(&variant, &policy, &region, &metric, Format::Hours, est)?;
    }
    Ok(stats)
}

/// The file a shard writes its exact totals to.
pub const TOTALS_CSV: &str = "totals.csv";

/// totals.csv of `rows` (a shard's, or a checkpoint's), under its temporary name.
fn exact_totals_file(dir: &Path, rows: &[SummaryRow<'_>]) -> Result<CsvFile, OutputError> {
    let mut exact = CsvFile::create(dir, TOTALS_CSV, &header(&SUMMARY_METRICS))?;
    for row in rows {
        write_exact_row(&mut exact, row)?;
    }
    Ok(exact)
}

/// A summary row at full precision (shortest text that reads back to the same `f64`).
fn write_exact_row(out: &mut CsvFile, row: &SummaryRow<'_>) -> Result<(), OutputError> {
    write_row(out, row, |v, _| v.to_string())
}

/// A summary.csv row: each column in its [`Format`] (counts as integers, hours to three
/// decimals, ratios to six).
fn write_summary_row(out: &mut CsvFile, row: &SummaryRow<'_>) -> Result<(), OutputError> {
    write_row(out, row, |v, format| format.summary(v))
}

/// A row's key columns, then each column's value written by `write(value, its format)`.
fn write_row(
    out: &mut CsvFile,
    row: &SummaryRow<'_>,
    write: impl Fn(f64, Format) -> String,
) -> Result<(), OutputError> {
    let mut rec = vec![
        row.variant.to_string(),
        row.policy.to_string(),
        row.replication.to_string(),
        row.region.to_string(),
    ];
    rec.extend(
        row.values()
            .iter()
            .zip(&SUMMARY_COLUMNS)
            .map(|(v, c)| write(*v, c.format)),
    );
    out.write(&rec)
}

/// Per variant and policy (run order), region (scenario order, then `ALL`) and column of
/// summary.csv: the estimate over replications. Orders are taken from the rows, as they were
/// written.
pub fn stats_rows<'a>(
    rows: &[SummaryRow<'a>],
) -> Vec<(&'a str, &'static str, &'a str, &'static Column, Estimate)> {
    let mut groups: Vec<(&'a str, &'static str, &'a str)> = Vec::new();
    for row in rows {
        let key = (row.variant, row.policy, row.region);
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    let mut out = Vec::new();
    for (variant, policy, region) in groups {
        let per_rep: Vec<[f64; METRICS]> = rows
            .iter()
            .filter(|r| r.variant == variant && r.policy == policy && r.region == region)
            .map(SummaryRow::values)
            .collect();
        for (i, column) in SUMMARY_COLUMNS.iter().enumerate() {
            let values: Vec<f64> = per_rep.iter().map(|v| v[i]).collect();
            out.push((variant, policy, region, column, estimate(&values)));
        }
    }
    out
}

fn write_weekly_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let region = &s.regions[r.region].name;
    let replication = r.replication.to_string();
    for (i, wk) in r.weeks.iter().enumerate() {
        let week_start = labels.calendar.report_week_start(i).to_string();
        let cells: Vec<String> = WEEK_COLUMNS
            .iter()
            .map(|c| c.format.summary((c.get)(wk)))
            .collect();
        let key = [
            labels.variant.as_str(),
            r.policy,
            &replication,
            region,
            &week_start,
        ];
        out.write(key.into_iter().chain(cells.iter().map(String::as_str)))?;
    }
    Ok(())
}

fn write_mother_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let cal = &labels.calendar;
    let region = &s.regions[r.region].name;
    let replication = r.replication.to_string();
    for (m, o) in &r.mothers {
        out.write([
            labels.variant.as_str(),
            r.policy,
            &replication,
            region,
            &m.postcode.to_string(),
            &m.id.to_string(),
            &cal.date(m.registration_day).to_string(),
            &m.registration_week.to_string(),
            &cal.date(m.due_day).to_string(),
            &cal.date(m.birth_minute / crate::engine::MINUTES_PER_DAY)
                .to_string(),
            m.birth_place.as_str(),
            &m.hospital_days.to_string(),
            &hours(o.indicated_total()),
            &hours(m.indication.medical_hours),
            &hours(o.delivered_total()),
            if o.minimum_met { "true" } else { "false" },
            &o.carers.to_string(),
        ])?;
    }
    Ok(())
}

/// transfers.csv: per replication, region and ordered pair of the region's providers, the
/// mothers the waiting list moved in the reporting period (only for `scope = "waiting-list"`).
fn write_transfer_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    if r.transfers.is_empty() {
        return Ok(());
    }
    let providers = crate::generate::region_providers(s, r.region);
    let n = providers.len();
    let region = &s.regions[r.region].name;
    let replication = r.replication.to_string();
    for (from, p) in providers.iter().enumerate() {
        for (to, q) in providers.iter().enumerate() {
            if from != to {
                out.write([
                    labels.variant.as_str(),
                    r.policy,
                    &replication,
                    region,
                    &p.name,
                    &q.name,
                    &r.transfers[from * n + to].to_string(),
                ])?;
            }
        }
    }
    Ok(())
}

/// closures.csv: per replication, region and closure of one of the region's providers, the
/// mothers it moved or left without care and where its carers went.
fn write_closure_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let providers = crate::generate::region_providers(s, r.region);
    let region = &s.regions[r.region].name;
    let replication = r.replication.to_string();
    for c in &r.closures {
        let date = Calendar::new(s).date(c.day).to_string();
        out.write([
            labels.variant.as_str(),
            r.policy,
            &replication,
            region,
            &providers[usize::from(c.provider)].name,
            &date,
            &c.booked_moved.to_string(),
            &c.in_care_moved.to_string(),
            &c.refused.to_string(),
            &c.registrations_redirected.to_string(),
            &c.carers_joined.to_string(),
            &c.carers_left.to_string(),
        ])?;
    }
    Ok(())
}

/// registrations.csv: per replication, region and registration outcome, the mothers whose
/// care ended (or would have ended) in the reporting period, early and late registrants.
fn write_registration_rows(
    out: &mut CsvFile,
    s: &Scenario,
    labels: &RunLabels,
    r: &RegionResult,
) -> Result<(), OutputError> {
    let region = &s.regions[r.region].name;
    let replication = r.replication.to_string();
    for (outcome, [early, late]) in RegistrationOutcome::ALL.iter().zip(&r.registrations) {
        out.write([
            labels.variant.as_str(),
            r.policy,
            &replication,
            region,
            outcome.as_str(),
            &(early + late).to_string(),
            &early.to_string(),
            &late.to_string(),
        ])?;
    }
    Ok(())
}

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

/// Lower-case hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The one-screen summary, with 95% half-widths over replications. With one policy: per
/// region (up to 15, largest gap first) and all regions. With several: one line per policy
/// over all regions, to compare them.
///
/// `variants` are a sweep's variant ids with what each sets (empty for a single run): the
/// table names its rows by id, so what the ids mean is printed under it.
pub fn summary_table(
    s: &Scenario,
    rows: &[SummaryRow<'_>],
    variants_set: &[(String, Vec<(String, String)>)],
) -> String {
    // (variant, policy) groups, in the order they ran.
    let mut groups: Vec<(&str, &str)> = Vec::new();
    let mut policies: Vec<&str> = Vec::new();
    for row in rows {
        if !groups.contains(&(row.variant, row.policy)) {
            groups.push((row.variant, row.policy));
        }
        if !policies.contains(&row.policy) {
            policies.push(row.policy);
        }
    }
    let estimate_of = |group: (&str, &str), region: &str, f: &dyn Fn(&Totals) -> f64| {
        let v: Vec<f64> = rows
            .iter()
            .filter(|row| (row.variant, row.policy) == group && row.region == region)
            .map(|row| f(&row.totals))
            .collect();
        estimate(&v)
    };
    let pct =
        |num: fn(&Totals) -> f64| move |t: &Totals| 100.0 * num(t) / (t.mothers as f64).max(1.0);
    let below = pct(|t| t.mothers_below_minimum as f64);
    let mut out = String::new();
    let variants = groups.len() / policies.len().max(1);
    let _ = writeln!(
        out,
        "{} | policy {} | {}{} replication(s) | {} to {}",
        s.name,
        policies.join(", "),
        if variants > 1 {
            format!("{variants} variants | ")
        } else {
            String::new()
        },
        s.replications,
        s.period.start,
        s.period.end
    );
    let _ = writeln!(
        out,
        "{:<24} {:>9} {:>15} {:>15} {:>15} {:>15} {:>13}",
        if groups.len() > 1 {
            "variant policy (all)"
        } else {
            "region"
        },
        "mothers",
        "% below min",
        "% no care",
        "% full indic.",
        "delivered h/m",
        "assists missed"
    );
    let line = |out: &mut String, label: &str, group: (&str, &str), region: &str| {
        // One replication gives no interval: no `±` that would look like certainty.
        let f = |e: Estimate| match e.ci95 {
            Some(_) => format!("{:.1} ±{:.1}", e.mean, e.half_width()),
            None => format!("{:.1}", e.mean),
        };
        let mothers = estimate_of(group, region, &|t| t.mothers as f64);
        let delivered = estimate_of(group, region, &|t| {
            t.delivered_hours / (t.mothers as f64).max(1.0)
        });
        let missed = estimate_of(group, region, &|t| {
            100.0 * t.birth_assists_missed as f64 / (t.birth_assists_requested as f64).max(1.0)
        });
        let _ = writeln!(
            out,
            "{:<24} {:>9.0} {:>15} {:>15} {:>15} {:>15} {:>13}",
            truncate(label, 24),
            mothers.mean,
            f(estimate_of(group, region, &below)),
            f(estimate_of(
                group,
                region,
                &pct(|t| t.mothers_without_care as f64)
            )),
            f(estimate_of(
                group,
                region,
                &pct(|t| t.mothers_full_indication as f64)
            )),
            f(delivered),
            format!("{:.1}%", missed.mean),
        );
    };
    if let [group] = groups[..] {
        let mut regions: Vec<&str> = s.regions.iter().map(|r| r.name.as_str()).collect();
        regions.sort_by(|a, b| {
            let gap = |r: &str| estimate_of(group, r, &below).mean;
            gap(b).total_cmp(&gap(a))
        });
        for region in regions.iter().take(15).copied().chain([ALL]) {
            line(&mut out, region, group, region);
        }
        if s.regions.len() > 15 {
            let _ = writeln!(
                out,
                "({} more regions in summary.csv)",
                s.regions.len() - 15
            );
        }
    } else {
        for &(variant, policy) in groups.iter().take(30) {
            let label = if variants > 1 {
                format!("{variant} {policy}")
            } else {
                policy.to_string()
            };
            line(&mut out, &label, (variant, policy), ALL);
        }
        if groups.len() > 30 {
            let _ = writeln!(out, "({} more in stats.csv)", groups.len() - 30);
        }
        let _ = writeln!(out, "(per region: summary.csv and stats.csv)");
        for (id, set) in variants_set.iter().take(30) {
            let set: Vec<String> = set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let _ = writeln!(out, "{id}: {}", set.join(", "));
        }
        if variants_set.len() > 30 {
            let _ = writeln!(out, "({} more in variants.csv)", variants_set.len() - 30);
        }
    }
    let _ = writeln!(
        out,
        "columns: mothers per replication; % of them below the 24 h minimum, without care, with \
         their full indication; delivered hours per mother; % of birth-assistance requests missed"
    );
    if s.replications > 1 {
        let _ = writeln!(
            out,
            "±: half the 95% interval over the {} replications (Student t, as stats.csv)",
            s.replications
        );
    } else {
        let _ = writeln!(
            out,
            "one replication: no interval (run more with --replications N for one)"
        );
    }
    let (carers, mean_hours) = workforce(s);
    let births = s.expected_births();
    let _ = writeln!(
        out,
        "input{}: {births:.0} expected births a year; {carers} carers, {mean_hours:.1} contract hours a week on average",
        if variants > 1 { " (first variant)" } else { "" }
    );
    // Where a coordinator finds what the observed-practice events did (files written only then).
    if !s.provider_closures.is_empty() {
        let _ = writeln!(
            out,
            "{CLOSURES_CSV}: per closing provider, the mothers moved (booked, in care), refused and sent elsewhere, and its carers who joined others or left"
        );
    }
    if s.policy.waiting_list.refusals {
        let _ = writeln!(
            out,
            "{REGISTRATIONS_CSV}: per region, mothers booked with their provider, placed by the waiting list or refused, early and late registrants (refused mothers count as without care)"
        );
    }
    out
}

/// Carers of the scenario (after `capacity_factor`, as the simulation rounds them) and their
/// mean contract hours per week.
pub fn workforce(s: &Scenario) -> (u64, f64) {
    let mut carers = 0u64;
    let mut hours = 0.0;
    for p in &s.providers {
        let n = u64::from(crate::generate::carers_of(s, p));
        carers += n;
        hours += n as f64
            * p.contract_hours_per_week
                .unwrap_or(s.carers.contract_hours_per_week);
    }
    (carers, hours / (carers as f64).max(1.0))
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}
