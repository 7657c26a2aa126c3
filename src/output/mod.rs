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

mod checkpoint;
pub mod dir;
mod files;
mod merge;
mod number;
mod rows;
mod run_json;
mod schema;
mod stats;
mod table;
mod tally;
mod writer;
mod yearly;

// The files of this module by concern; their items are this module's (`output::X`). Each
// file names what it imports from its siblings and the crate.
pub use checkpoint::*;
pub(crate) use files::*;
pub use rows::*;
pub use run_json::*;
pub use table::*;
pub use writer::*;

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
use tally::{Tally, TallyKind};
pub use yearly::{PROVIDER_COLUMNS, YEARLY_COLUMNS, YearlyRow};

use std::path::PathBuf;

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
