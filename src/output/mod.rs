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

mod merge;
mod stats;

pub use merge::{MergeError, merge};
pub use stats::{Estimate, estimate};

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::run::{RunLabels, RunStats};
use crate::scenario::Scenario;
use crate::sim::{RegionResult, Totals};

/// Errors while writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{0} exists and is not a kraamsim output directory (it has files but no run.json); choose another --out or remove it"
    )]
    NotOutputDir(PathBuf),
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
}

/// The metrics of summary.csv (and of stats.csv), in column order.
pub const SUMMARY_METRICS: [&str; 13] = [
    "mothers",
    "mothers_below_minimum",
    "mothers_without_care",
    "mothers_full_indication",
    "indicated_hours",
    "delivered_hours",
    "shortfall_hours",
    "medical_shortfall_hours",
    "carer_hours_available",
    "carer_hours_used",
    "birth_assists_requested",
    "birth_assists_missed",
    "carer_contract_hours",
];

/// The values of [`SUMMARY_METRICS`] for one row.
pub fn metric_values(t: &Totals) -> [f64; 13] {
    [
        t.mothers as f64,
        t.mothers_below_minimum as f64,
        t.mothers_without_care as f64,
        t.mothers_full_indication as f64,
        t.indicated_hours,
        t.delivered_hours,
        t.shortfall_hours,
        t.medical_shortfall_hours,
        t.carer_hours_available,
        t.carer_hours_used,
        t.birth_assists_requested as f64,
        t.birth_assists_missed as f64,
        t.carer_contract_hours,
    ]
}

/// The inverse of [`metric_values`], for totals read back from a shard's totals.csv.
pub fn totals_from_values(v: &[f64; 13]) -> Totals {
    Totals {
        mothers: v[0] as u64,
        mothers_below_minimum: v[1] as u64,
        mothers_without_care: v[2] as u64,
        mothers_full_indication: v[3] as u64,
        indicated_hours: v[4],
        delivered_hours: v[5],
        shortfall_hours: v[6],
        medical_shortfall_hours: v[7],
        carer_hours_available: v[8],
        carer_hours_used: v[9],
        birth_assists_requested: v[10] as u64,
        birth_assists_missed: v[11] as u64,
        carer_contract_hours: v[12],
    }
}

/// Whether a metric counts mothers or assists (written as an integer in summary.csv).
pub fn is_count(metric: &str) -> bool {
    metric.starts_with("mothers") || metric.starts_with("birth_assists")
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
    for r in chunk {
        rows.push(SummaryRow {
            variant,
            policy: r.policy,
            replication: r.replication,
            region: s.regions[r.region].name.as_str(),
            totals: r.totals.clone(),
        });
        all.add(&r.totals);
    }
    rows.push(SummaryRow {
        variant,
        policy: chunk[0].policy,
        replication: chunk[0].replication,
        region: ALL,
        totals: all,
    });
    rows
}

/// Checks that `dir` may receive output: absent, empty, or an earlier kraamsim output.
pub fn prepare_dir(dir: &Path) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    };
    if dir.exists() {
        let has_files = std::fs::read_dir(dir).map_err(io)?.next().is_some();
        if has_files && !dir.join("run.json").exists() {
            return Err(OutputError::NotOutputDir(dir.to_path_buf()));
        }
    }
    Ok(())
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
fn write_atomic(
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

const WEEKLY_COLUMNS: [&str; 9] = [
    "week_start",
    "births",
    "active_mothers",
    "demand_hours",
    "delivered_hours",
    "carer_hours_available",
    "mothers_below_minimum",
    "shortfall_hours",
    "carer_contract_hours",
];

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
    format!("{x:.3}")
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

    /// Flushes everything and renames the file into place.
    fn persist(self) -> Result<(), OutputError> {
        let io = |source| OutputError::Io {
            path: self.path.clone(),
            source,
        };
        let buffered = self
            .out
            .into_inner()
            .map_err(|e| io(std::io::Error::new(e.error().kind(), e.error().to_string())))?;
        buffered.into_inner().map_err(|e| io(e.into_error()))?;
        self.tmp.persist(&self.path).map_err(|e| io(e.error))?;
        Ok(())
    }
}

/// Writes an output directory while a run streams its results in.
pub struct OutputWriter<'a> {
    dir: PathBuf,
    /// Whether this writer made the directory (and so removes it if the run fails).
    created_dir: bool,
    summary: Option<CsvFile>,
    weekly: Option<CsvFile>,
    mothers: Option<CsvFile>,
    /// totals.csv: the summary at full precision, written by shards for `kraamsim merge`.
    exact: Option<CsvFile>,
    rows: Vec<SummaryRow<'a>>,
}

impl<'a> OutputWriter<'a> {
    /// Opens the files of an output directory in `dir` (created if needed; an earlier
    /// kraamsim output there is replaced when the run finishes).
    pub fn create(dir: &Path, keep_mothers: bool) -> Result<Self, OutputError> {
        Self::create_with(dir, keep_mothers, false)
    }

    /// [`OutputWriter::create`] for a shard of a sweep: also writes totals.csv, the summary at
    /// full precision, so that `kraamsim merge` computes stats.csv exactly as one run would.
    pub fn create_shard(dir: &Path, keep_mothers: bool) -> Result<Self, OutputError> {
        Self::create_with(dir, keep_mothers, true)
    }

    fn create_with(dir: &Path, keep_mothers: bool, exact: bool) -> Result<Self, OutputError> {
        prepare_dir(dir)?;
        let created_dir = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut writer = OutputWriter {
            dir: dir.to_path_buf(),
            created_dir,
            summary: None,
            weekly: None,
            mothers: None,
            exact: None,
            rows: Vec::new(),
        };
        if exact {
            writer.exact = Some(CsvFile::create(dir, TOTALS_CSV, &header(&SUMMARY_METRICS))?);
        }
        writer.summary = Some(CsvFile::create(
            dir,
            "summary.csv",
            &header(&SUMMARY_METRICS),
        )?);
        writer.weekly = Some(CsvFile::create(
            dir,
            "weekly.csv",
            &header(&WEEKLY_COLUMNS),
        )?);
        if keep_mothers {
            writer.mothers = Some(CsvFile::create(
                dir,
                "mothers.csv",
                &header(&MOTHER_COLUMNS),
            )?);
        }
        Ok(writer)
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
            let rows = replication_rows(scenario, &labels.variant, chunk);
            let summary = self.summary.as_mut().expect("open until finish");
            for row in &rows {
                write_summary_row(summary, row)?;
                if let Some(exact) = self.exact.as_mut() {
                    write_exact_row(exact, row)?;
                }
            }
            self.rows.extend(rows);
            let weekly = self.weekly.as_mut().expect("open until finish");
            for r in chunk {
                write_weekly_rows(weekly, scenario, labels, r)?;
            }
            if let Some(mothers) = self.mothers.as_mut() {
                for r in chunk {
                    write_mother_rows(mothers, scenario, labels, r)?;
                }
            }
        }
        Ok(())
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
        file.persist()
    }

    /// Writes stats.csv, renames every file into place and writes run.json last. Returns the
    /// summary rows (for the terminal table).
    pub fn finish(mut self, meta: &RunMeta) -> Result<Vec<SummaryRow<'a>>, OutputError> {
        let dir = self.dir.clone();
        let stats = stats_file(&dir, &self.rows)?;
        for file in [self.summary.take(), self.weekly.take(), Some(stats)] {
            file.expect("open until finish").persist()?;
        }
        if let Some(exact) = self.exact.take() {
            exact.persist()?;
        }
        match self.mothers.take() {
            Some(mothers) => mothers.persist()?,
            // A stale file from an earlier run with --mothers would not belong to this run.
            None if dir.join("mothers.csv").exists() => {
                std::fs::remove_file(dir.join("mothers.csv")).map_err(|source| OutputError::Io {
                    path: dir.join("mothers.csv"),
                    source,
                })?
            }
            None => {}
        }
        write_atomic(&dir, "run.json", |w| {
            let io = |source| OutputError::Io {
                path: dir.join("run.json"),
                source,
            };
            serde_json::to_writer_pretty(&mut *w, meta).map_err(|e| io(e.into()))?;
            writeln!(w).map_err(io)
        })?;
        self.created_dir = false;
        Ok(std::mem::take(&mut self.rows))
    }
}

impl Drop for OutputWriter<'_> {
    /// A run that fails before `finish` leaves no output behind: the temporary files go, and
    /// so does the directory if this writer made it.
    fn drop(&mut self) {
        drop((
            self.summary.take(),
            self.weekly.take(),
            self.mothers.take(),
            self.exact.take(),
        ));
        if self.created_dir {
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// stats.csv of `rows`, under its temporary name.
fn stats_file(dir: &Path, rows: &[SummaryRow<'_>]) -> Result<CsvFile, OutputError> {
    let mut stats = CsvFile::create(dir, "stats.csv", &STATS_COLUMNS)?;
    for (variant, policy, region, metric, est) in stats_rows(rows) {
        let (lo, hi) = est.ci95.map_or((String::new(), String::new()), |(l, h)| {
            (hours(l), hours(h))
        });
        stats.write([
            variant,
            policy,
            region,
            metric,
            &hours(est.mean),
            &lo,
            &hi,
            &est.n.to_string(),
        ])?;
    }
    Ok(stats)
}

/// The file a shard writes its exact totals to.
pub const TOTALS_CSV: &str = "totals.csv";

/// A summary row at full precision (shortest text that reads back to the same `f64`).
fn write_exact_row(out: &mut CsvFile, row: &SummaryRow<'_>) -> Result<(), OutputError> {
    write_row(out, row, |v, _| v.to_string())
}

/// A summary.csv row: counts as integers, hours to three decimals.
fn write_summary_row(out: &mut CsvFile, row: &SummaryRow<'_>) -> Result<(), OutputError> {
    write_row(out, row, |v, metric| {
        if is_count(metric) {
            format!("{v:.0}")
        } else {
            hours(v)
        }
    })
}

/// A row's key columns, then each metric formatted by `format(value, metric)`.
fn write_row(
    out: &mut CsvFile,
    row: &SummaryRow<'_>,
    format: impl Fn(f64, &str) -> String,
) -> Result<(), OutputError> {
    let mut rec = vec![
        row.variant.to_string(),
        row.policy.to_string(),
        row.replication.to_string(),
        row.region.to_string(),
    ];
    rec.extend(
        metric_values(&row.totals)
            .iter()
            .zip(SUMMARY_METRICS)
            .map(|(v, m)| format(*v, m)),
    );
    out.write(&rec)
}

/// Per variant and policy (run order), region (scenario order, then `ALL`) and metric: the
/// estimate over replications. Orders are taken from the rows, as they were written.
pub fn stats_rows<'a>(
    rows: &[SummaryRow<'a>],
) -> Vec<(&'a str, &'static str, &'a str, &'static str, Estimate)> {
    let mut groups: Vec<(&'a str, &'static str, &'a str)> = Vec::new();
    for row in rows {
        let key = (row.variant, row.policy, row.region);
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    let mut out = Vec::new();
    for (variant, policy, region) in groups {
        let per_rep: Vec<[f64; 13]> = rows
            .iter()
            .filter(|r| r.variant == variant && r.policy == policy && r.region == region)
            .map(|r| metric_values(&r.totals))
            .collect();
        for (i, metric) in SUMMARY_METRICS.iter().enumerate() {
            let values: Vec<f64> = per_rep.iter().map(|v| v[i]).collect();
            out.push((variant, policy, region, *metric, estimate(&values)));
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
        out.write([
            labels.variant.as_str(),
            r.policy,
            &replication,
            region,
            &labels.calendar.report_week_start(i).to_string(),
            &wk.births.to_string(),
            &wk.active_mothers.to_string(),
            &hours(wk.demand_hours),
            &hours(wk.delivered_hours),
            &hours(wk.carer_hours_available),
            &wk.mothers_below_minimum.to_string(),
            &hours(wk.shortfall_hours),
            &hours(wk.carer_contract_hours),
        ])?;
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

/// run.json: what ran, with which inputs, how fast.
#[derive(Debug, Clone, Serialize)]
pub struct RunMeta {
    pub kraamsim_version: &'static str,
    pub scenario_name: String,
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub replications: u32,
    pub regions: usize,
    pub threads: usize,
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
    /// `I/N` when this is shard I of N of a sweep (`kraamsim merge` combines them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub wall_seconds: f64,
    pub events: u64,
    pub events_per_second: f64,
    pub interrupted: bool,
}

impl RunMeta {
    pub fn new(
        s: &Scenario,
        path: &str,
        text: &str,
        labels: &RunLabels,
        run: &RunStats,
        keep_mothers: bool,
        wall_seconds: f64,
    ) -> Self {
        RunMeta {
            kraamsim_version: env!("CARGO_PKG_VERSION"),
            scenario_name: s.name.clone(),
            scenario_path: path.to_string(),
            scenario_sha256: sha256_hex(text),
            seed: s.seed,
            replications: s.replications,
            regions: s.regions.len(),
            threads: run.threads,
            policy: labels.policies[0].to_string(),
            policies: labels.policies.iter().map(|p| p.to_string()).collect(),
            variant: labels.variant.clone(),
            variants: 1,
            report_start: s.period.start.to_string(),
            report_end: s.period.end.to_string(),
            warmup_days: s.period.warmup_days,
            mothers_csv: keep_mothers,
            shard: None,
            wall_seconds,
            events: run.events,
            events_per_second: run.events as f64 / wall_seconds.max(1e-9),
            interrupted: false,
        }
    }
}

/// Lower-case hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The one-screen summary, with 95% half-widths over replications. With one policy: per
/// region (up to 15, largest gap first) and all regions. With several: one line per policy
/// over all regions, to compare them.
pub fn summary_table(s: &Scenario, rows: &[SummaryRow<'_>]) -> String {
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
        let f = |e: Estimate| format!("{:.1} ±{:.1}", e.mean, e.half_width());
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
    }
    let (carers, mean_hours) = workforce(s);
    let births = s.expected_births();
    let _ = writeln!(
        out,
        "input{}: {births:.0} expected births a year; {carers} carers, {mean_hours:.1} contract hours a week on average",
        if variants > 1 { " (first variant)" } else { "" }
    );
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
