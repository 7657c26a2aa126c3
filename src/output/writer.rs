//! [`OutputWriter`]: an output directory written while a run streams its batches in, the
//! per-region files on a second thread beside the rest, the checkpoint after every batch,
//! stats.csv and run.json at the end.

use std::path::PathBuf;

use crate::equity::{RATIO_BINS, RatioBins};
use crate::results::RegionResult;
use crate::run::RunLabels;
use crate::scenario::Scenario;

use super::{ALL, CLOSURES_CSV, OUTPUT_FILES, OutputError, PROVIDERS_CSV, REGISTRATIONS_CSV, YEARLY_CSV, dir, yearly};
use super::checkpoint::{Checkpoint, PROGRESS_JSON, kept_file, read_checkpoint_rows, read_checkpoint_yearly};
use super::dir::{OutputDir, RESUME_DIR, Start};
use super::files::{CsvFile, remove_dir_if_present, remove_if_present, write_atomic};
use super::rows::{CLOSURE_COLUMNS, MOTHER_COLUMNS, REGISTRATION_COLUMNS, SummaryRow, TOTALS_CSV, TRANSFER_COLUMNS, exact_totals_file, header, replication_rows, write_closure_rows, write_mother_rows, write_registration_rows, write_summary_row, write_transfer_rows, write_weekly_rows};
use super::rows::stats_file;
use super::run_json::{RunMeta, write_run_json};
use super::schema::{SUMMARY_METRICS, WEEKLY_COLUMNS};
use super::tally::{Tally, TallyKind, TallyRow};
use super::yearly::{PROVIDER_COLUMNS, YEARLY_COLUMNS, YearlyRow};

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
    pub(super) fn add_replication(
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
                for row in yearly::provider_rows(scenario, labels, r) {
                    providers.serialize(&row)?;
                }
            }
        }
        Ok(())
    }

    /// Adds a replication's postcode counts and ratio bins to postcodes.csv and lorenz.csv.
    pub(super) fn count_up(&mut self, s: &Scenario, variant: &str, chunk: &[RegionResult]) {
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
