//! The checkpoint of an interrupted run (`.kraamsim-resume`): which units are finished, each
//! kept file's length and SHA-256, and the rows read back from it on `--resume`, so that a
//! resumed run writes the bytes an uninterrupted one would.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::scenario::Scenario;

use super::{ALL, OutputError, YEARLY_CSV, io_message, yearly};
use super::dir::RESUME_DIR;
use super::files::CsvFile;
use super::rows::{SummaryRow, TOTALS_CSV, header};
use super::run_json::sha256_hex;
use super::schema::{SUMMARY_METRICS, check_columns, parse_metrics, totals_from_values};
use super::writer::VariantRef;
use super::yearly::{YEARLY_COLUMNS, YearlyRow};

pub(super) const PROGRESS_JSON: &str = "progress.json";

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
    pub(super) fn read(dir: &Path) -> Result<Self, OutputError> {
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

    pub(super) fn length_of(&self, name: &str) -> Option<u64> {
        self.files
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, l, _)| *l)
    }
}

/// The length (at most `len` bytes read) and SHA-256 of the first `len` bytes of `path`.
pub(super) fn file_sha256(path: &Path, len: u64) -> Result<(u64, String), OutputError> {
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

pub(super) fn hex(bytes: &[u8]) -> String {
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

/// Moves `file` into the resume directory `keep` as `name`; its checkpoint entry.
pub(super) fn kept_file(
    keep: &Path,
    name: &str,
    file: CsvFile,
) -> Result<(String, u64, String), OutputError> {
    let path = keep.join(name);
    let len = file.persist_as(&path)?;
    let (_, sha) = file_sha256(&path, len)?;
    Ok((name.to_string(), len, sha))
}

/// Each record of the kept file `name` of a checkpoint, up to its recorded length, once its
/// header is `expected`; `each` says what is wrong with a record, which becomes a
/// damaged-checkpoint error.
pub(super) fn for_checkpoint_records(
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
pub(super) fn read_checkpoint_rows<'a>(
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
pub(super) fn read_checkpoint_yearly(
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
