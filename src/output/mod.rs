//! Writing an output directory (`DESIGN.md` §5): summary.csv, weekly.csv, stats.csv,
//! optional mothers.csv, and run.json, plus the one-screen table on stdout.
//!
//! Every file is written to a temporary name in the output directory and renamed into place,
//! so an interrupted run never leaves a truncated file under a final name. run.json is
//! written last: its presence marks a complete kraamsim output directory.

mod stats;

pub use stats::{Estimate, estimate};

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::run::RunResults;
use crate::scenario::Scenario;
use crate::sim::Totals;

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

/// Whether a metric counts mothers or assists (written as an integer in summary.csv).
pub fn is_count(metric: &str) -> bool {
    metric.starts_with("mothers") || metric.starts_with("birth_assists")
}

/// Region name used for the totals over all regions.
pub const ALL: &str = "ALL";

/// Per replication, per region (scenario order) and `ALL` last: the summary totals.
pub fn summary_rows<'a>(s: &'a Scenario, run: &RunResults) -> Vec<(u32, &'a str, Totals)> {
    let mut rows = Vec::new();
    let n = s.regions.len();
    for chunk in run.results.chunks(n) {
        let mut all = Totals::default();
        for r in chunk {
            rows.push((
                r.replication,
                s.regions[r.region].name.as_str(),
                r.totals.clone(),
            ));
            all.add(&r.totals);
        }
        rows.push((chunk[0].replication, ALL, all));
    }
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
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(io)?;
    }
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(())
}

/// The columns that key every row of summary.csv, weekly.csv and mothers.csv.
const ROW_KEY: [&str; 4] = ["variant", "policy", "replication", "region"];

/// A CSV writer over the file being written.
type CsvOut<'a> = csv::Writer<&'a mut dyn Write>;

/// Writes the CSV file `dir/name` with `fill`, atomically, naming the file in any error.
fn write_csv(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut CsvOut<'_>) -> csv::Result<()>,
) -> Result<(), OutputError> {
    write_atomic(dir, name, |w| {
        let mut out = csv::Writer::from_writer(w);
        fill(&mut out)
            .and_then(|()| out.flush().map_err(csv::Error::from))
            .map_err(|source| OutputError::Csv {
                path: dir.join(name),
                source,
            })
    })
}

/// A header: the row key, then `columns`.
fn header<'a>(columns: &[&'a str]) -> Vec<&'a str> {
    ROW_KEY
        .iter()
        .copied()
        .chain(columns.iter().copied())
        .collect()
}

/// Formats hours with fixed precision so outputs are byte-stable and readable.
fn hours(x: f64) -> String {
    format!("{x:.3}")
}

/// Writes every output file of a run into `dir` (created if needed).
pub fn write_outputs(
    dir: &Path,
    s: &Scenario,
    meta: &RunMeta,
    run: &RunResults,
    keep_mothers: bool,
) -> Result<(), OutputError> {
    prepare_dir(dir)?;
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let rows = summary_rows(s, run);
    write_csv(dir, "summary.csv", |out| {
        out.write_record(header(&SUMMARY_METRICS))?;
        for (rep, region, t) in &rows {
            let mut rec = vec![
                run.variant.clone(),
                run.policy.to_string(),
                rep.to_string(),
                region.to_string(),
            ];
            rec.extend(metric_values(t).iter().zip(SUMMARY_METRICS).map(|(v, m)| {
                if is_count(m) {
                    format!("{v:.0}")
                } else {
                    hours(*v)
                }
            }));
            out.write_record(&rec)?;
        }
        Ok(())
    })?;
    write_csv(dir, "weekly.csv", |out| write_weekly(out, s, run))?;
    write_csv(dir, "stats.csv", |out| {
        out.write_record([
            "variant",
            "policy",
            "region",
            "metric",
            "mean",
            "ci95_low",
            "ci95_high",
            "replications",
        ])?;
        for (region, metric, est) in stats_rows(s, &rows) {
            let (lo, hi) = est.ci95.map_or((String::new(), String::new()), |(l, h)| {
                (hours(l), hours(h))
            });
            out.write_record([
                run.variant.as_str(),
                run.policy,
                region,
                metric,
                &hours(est.mean),
                &lo,
                &hi,
                &est.n.to_string(),
            ])?;
        }
        Ok(())
    })?;
    if keep_mothers {
        write_csv(dir, "mothers.csv", |out| write_mothers(out, s, run))?;
    } else if dir.join("mothers.csv").exists() {
        // A stale file from an earlier run with --mothers would not belong to this run.
        std::fs::remove_file(dir.join("mothers.csv")).map_err(|source| OutputError::Io {
            path: dir.join("mothers.csv"),
            source,
        })?;
    }
    write_atomic(dir, "run.json", |w| {
        serde_json::to_writer_pretty(&mut *w, meta).map_err(|e| OutputError::Io {
            path: dir.join("run.json"),
            source: e.into(),
        })?;
        writeln!(w).map_err(|source| OutputError::Io {
            path: dir.join("run.json"),
            source,
        })
    })
}

/// Per region (scenario order, then `ALL`) and metric: the estimate over replications.
pub fn stats_rows<'a>(
    s: &'a Scenario,
    rows: &[(u32, &'a str, Totals)],
) -> Vec<(&'a str, &'static str, Estimate)> {
    let regions = s.regions.iter().map(|r| r.name.as_str()).chain([ALL]);
    let mut out = Vec::new();
    for region in regions {
        let per_rep: Vec<[f64; 13]> = rows
            .iter()
            .filter(|(_, r, _)| *r == region)
            .map(|(_, _, t)| metric_values(t))
            .collect();
        for (i, metric) in SUMMARY_METRICS.iter().enumerate() {
            let values: Vec<f64> = per_rep.iter().map(|v| v[i]).collect();
            out.push((region, *metric, estimate(&values)));
        }
    }
    out
}

fn write_weekly(out: &mut CsvOut<'_>, s: &Scenario, run: &RunResults) -> csv::Result<()> {
    out.write_record(header(&[
        "week_start",
        "births",
        "active_mothers",
        "demand_hours",
        "delivered_hours",
        "carer_hours_available",
        "mothers_below_minimum",
        "shortfall_hours",
        "carer_contract_hours",
    ]))?;
    for r in &run.results {
        let region = &s.regions[r.region].name;
        for (i, wk) in r.weeks.iter().enumerate() {
            out.write_record([
                run.variant.as_str(),
                run.policy,
                &r.replication.to_string(),
                region,
                &run.calendar.report_week_start(i).to_string(),
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
    }
    Ok(())
}

fn write_mothers(out: &mut CsvOut<'_>, s: &Scenario, run: &RunResults) -> csv::Result<()> {
    out.write_record(header(&[
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
    ]))?;
    let cal = &run.calendar;
    for r in &run.results {
        let region = &s.regions[r.region].name;
        for (m, o) in &r.mothers {
            out.write_record([
                run.variant.as_str(),
                run.policy,
                &r.replication.to_string(),
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
    pub policy: String,
    pub variant: String,
    pub report_start: String,
    pub report_end: String,
    pub warmup_days: u32,
    pub mothers_csv: bool,
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
        run: &RunResults,
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
            policy: run.policy.to_string(),
            variant: run.variant.clone(),
            report_start: s.period.start.to_string(),
            report_end: s.period.end.to_string(),
            warmup_days: s.period.warmup_days,
            mothers_csv: keep_mothers,
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

/// The one-screen summary: per region (up to 15, largest gap first) and all regions, the
/// key shares with their 95% half-widths over replications.
pub fn summary_table(s: &Scenario, run: &RunResults) -> String {
    let rows = summary_rows(s, run);
    let mut regions: Vec<&str> = s.regions.iter().map(|r| r.name.as_str()).collect();
    let share = |region: &str, f: &dyn Fn(&Totals) -> f64| {
        let v: Vec<f64> = rows
            .iter()
            .filter(|(_, r, _)| *r == region)
            .map(|(_, _, t)| f(t))
            .collect();
        estimate(&v)
    };
    let pct =
        |num: fn(&Totals) -> f64| move |t: &Totals| 100.0 * num(t) / (t.mothers as f64).max(1.0);
    let below = pct(|t| t.mothers_below_minimum as f64);
    regions.sort_by(|a, b| share(b, &below).mean.total_cmp(&share(a, &below).mean));
    let shown: Vec<&str> = regions.iter().take(15).copied().chain([ALL]).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} | policy {} | {} replication(s) | {} to {}",
        s.name, run.policy, s.replications, s.period.start, s.period.end
    );
    let _ = writeln!(
        out,
        "{:<24} {:>9} {:>15} {:>15} {:>15} {:>15} {:>13}",
        "region",
        "mothers",
        "% below min",
        "% no care",
        "% full indic.",
        "delivered h/m",
        "assists missed"
    );
    for region in shown {
        let f = |e: Estimate| format!("{:.1} ±{:.1}", e.mean, e.half_width());
        let mothers = share(region, &|t| t.mothers as f64);
        let delivered = share(region, &|t| t.delivered_hours / (t.mothers as f64).max(1.0));
        let missed = share(region, &|t| {
            100.0 * t.birth_assists_missed as f64 / (t.birth_assists_requested as f64).max(1.0)
        });
        let _ = writeln!(
            out,
            "{:<24} {:>9.0} {:>15} {:>15} {:>15} {:>15} {:>13}",
            truncate(region, 24),
            mothers.mean,
            f(share(region, &below)),
            f(share(region, &pct(|t| t.mothers_without_care as f64))),
            f(share(region, &pct(|t| t.mothers_full_indication as f64))),
            f(delivered),
            format!("{:.1}%", missed.mean),
        );
    }
    if s.regions.len() > 15 {
        let _ = writeln!(
            out,
            "({} more regions in summary.csv)",
            s.regions.len() - 15
        );
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}
