//! `kraamsim merge`: the shards of a sweep combined into the output one run would have made.
//!
//! A shard (`kraamsim sweep FILE --shard I/N`) runs every N-th (variant, replication) unit and
//! writes the usual files with only its rows, plus totals.csv (the summary at full precision)
//! and `"shard": "I/N"` in run.json. Merging puts the row blocks of every (variant, policy,
//! replication) back in run order (variant, policy as listed, replication), rewrites them with
//! the same CSV writer, and computes stats.csv from the exact totals: the files are
//! byte-identical to an unsharded sweep's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{
    CLOSURE_COLUMNS, CLOSURES_CSV, REGISTRATION_COLUMNS, REGISTRATIONS_CSV,
    CsvFile, MOTHER_COLUMNS, OutputDir, OutputError, PROVIDER_COLUMNS, PROVIDERS_CSV, RESUME_DIR,
    SUMMARY_METRICS, SummaryRow, TOTALS_CSV, TRANSFER_COLUMNS, Tally, TallyKind, WEEKLY_COLUMNS,
    YEARLY_COLUMNS, YEARLY_CSV, check_columns, dir, header, parse_metrics, remove_dir_if_present,
    stats_file, totals_from_values, write_atomic, write_summary_row, yearly,
};
use crate::scenario::PolicyName;

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Output(#[from] OutputError),
}

fn input(message: String) -> MergeError {
    MergeError::Input(message)
}

/// What a shard's run.json says about it.
struct Shard {
    dir: PathBuf,
    index: u32,
    count: u32,
    meta: serde_json::Value,
}

fn read_shard(dir: &Path) -> Result<Shard, MergeError> {
    let path = dir.join("run.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        input(format!(
            "{}: cannot read ({e}); is it a shard output?",
            path.display()
        ))
    })?;
    let meta: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| input(format!("{}: not valid JSON: {e}", path.display())))?;
    let shard = meta["shard"].as_str().ok_or_else(|| {
        input(format!(
            "{}: not a shard (no \"shard\"); shards come from `kraamsim sweep FILE --shard I/N`",
            path.display()
        ))
    })?;
    if meta["interrupted"] == true {
        return Err(input(format!(
            "{}: shard {shard} was interrupted; finish it with the same `kraamsim sweep ... --shard` command and --resume",
            dir.display()
        )));
    }
    let (index, count) = super::super::run::parse_shard(shard)
        .map_err(|e| input(format!("{}: \"shard\": {e}", path.display())))?;
    Ok(Shard {
        dir: dir.to_path_buf(),
        index,
        count,
        meta,
    })
}

/// The records of one CSV file of a shard, grouped by their (variant, policy, replication)
/// block, in file order within a block.
type Blocks = BTreeMap<(String, usize, u32), Vec<csv::StringRecord>>;

fn read_blocks(
    path: &Path,
    expected: &[&str],
    policy_order: &[String],
    blocks: &mut Blocks,
) -> Result<(), MergeError> {
    let bad = |e: String| input(format!("{}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    check_columns(reader.headers().map_err(|e| bad(e.to_string()))?, expected).map_err(bad)?;
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let policy = policy_order
            .iter()
            .position(|p| p == &record[1])
            .ok_or_else(|| {
                bad(format!(
                    "policy `{}` is not in run.json's policies",
                    &record[1]
                ))
            })?;
        let replication: u32 = record[2]
            .parse()
            .map_err(|_| bad(format!("replication `{}` is not a number", &record[2])))?;
        blocks
            .entry((record[0].to_string(), policy, replication))
            .or_default()
            .push(record);
    }
    Ok(())
}

/// Merges the shard output directories `dirs` into `target` (held and checked by
/// [`OutputDir::open`]: `--force` replaces an earlier output). `charts`: whether charts will
/// be drawn for it (run.json's `no_charts`, so that `sweep --from` of the merged run.json
/// writes the same files).
pub fn merge(dirs: &[PathBuf], target: &OutputDir, charts: bool) -> Result<(), MergeError> {
    let out = target.path();
    let mut shards: Vec<Shard> = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<_, _>>()?;
    shards.sort_by_key(|s| s.index);
    let first = shards
        .first()
        .ok_or_else(|| input("no shard directories given".into()))?;
    let count = first.count;
    for s in &shards {
        if s.count != count || s.meta["scenario_sha256"] != first.meta["scenario_sha256"] {
            return Err(input(format!(
                "{} is shard {}/{} of {}, not of the same sweep as {} (shard {}/{})",
                s.dir.display(),
                s.index,
                s.count,
                s.meta["scenario_path"],
                first.dir.display(),
                first.index,
                count
            )));
        }
        for key in [
            "seed",
            "replications",
            "policies",
            "variants",
            "mothers_csv",
            "data_files",
            "overrides",
        ] {
            if s.meta[key] != first.meta[key] {
                return Err(input(format!(
                    "{}: `{key}` differs from {} ({} vs {})",
                    s.dir.display(),
                    first.dir.display(),
                    s.meta[key],
                    first.meta[key]
                )));
            }
        }
    }
    let present: Vec<u32> = shards.iter().map(|s| s.index).collect();
    if let Some(w) = present.windows(2).find(|w| w[0] == w[1]) {
        return Err(input(format!("shard {}/{count} is given twice", w[0])));
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !present.contains(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(input(format!(
            "incomplete set of shards: missing {}; run `kraamsim sweep {} --shard I/N` for each",
            missing.join(", "),
            first.meta["scenario_path"].as_str().unwrap_or("FILE")
        )));
    }
    let policies: Vec<String> = first.meta["policies"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mothers = first.meta["mothers_csv"].as_bool().unwrap_or(false);

    let mut totals = Blocks::new();
    let mut weekly = Blocks::new();
    let mut transfers = Blocks::new();
    let mut mother_rows = Blocks::new();
    let mut yearly_blocks = Blocks::new();
    let mut provider_blocks = Blocks::new();
    // closures.csv and registrations.csv exist only when a variant has closures or refusals,
    // so a shard without such variants has none: the merged file is there when any shard's is.
    let mut optional = [
        (CLOSURES_CSV, &CLOSURE_COLUMNS[..], Blocks::new(), false),
        (REGISTRATIONS_CSV, &REGISTRATION_COLUMNS[..], Blocks::new(), false),
    ];
    let policy_names: Vec<&str> = policies.iter().map(String::as_str).collect();
    let mut tallies = [
        Tally::new(TallyKind::Postcodes),
        Tally::new(TallyKind::Lorenz),
    ];
    for s in &shards {
        let read = |name: &str, columns: &[&str], blocks: &mut Blocks| {
            read_blocks(&s.dir.join(name), &header(columns), &policies, blocks)
        };
        read(TOTALS_CSV, &SUMMARY_METRICS, &mut totals)?;
        read("weekly.csv", &WEEKLY_COLUMNS, &mut weekly)?;
        read("transfers.csv", &TRANSFER_COLUMNS, &mut transfers)?;
        read(YEARLY_CSV, &YEARLY_COLUMNS, &mut yearly_blocks)?;
        read(PROVIDERS_CSV, &PROVIDER_COLUMNS, &mut provider_blocks)?;
        for t in &mut tallies {
            let path = s.dir.join(t.kind.file());
            t.read(&path, None, &policy_names)
                .map_err(|e| input(format!("{}: {e}", path.display())))?;
        }
        if mothers {
            read("mothers.csv", &MOTHER_COLUMNS, &mut mother_rows)?;
        }
        for (name, columns, blocks, present) in &mut optional {
            if s.dir.join(*name).exists() {
                read(name, columns, blocks)?;
                *present = true;
            }
        }
    }

    // Summary rows from the exact totals, in run order.
    let names: Vec<(String, &'static str)> = policies
        .iter()
        .map(|p| Ok((p.clone(), static_policy(p)?)))
        .collect::<Result<_, MergeError>>()?;
    let mut rows = Vec::new();
    for ((variant, policy, replication), records) in &totals {
        for record in records {
            let values = parse_metrics(record).map_err(|e| input(format!("{TOTALS_CSV}: {e}")))?;
            let (totals, equity) = totals_from_values(&values);
            rows.push(SummaryRow {
                variant: variant.as_str(),
                policy: names[*policy].1,
                replication: *replication,
                region: record.get(3).unwrap_or_default(),
                totals,
                equity,
            });
        }
    }
    let mut summary = CsvFile::create(out, "summary.csv", &header(&SUMMARY_METRICS))?;
    for row in &rows {
        write_summary_row(&mut summary, row)?;
    }
    let mut yearly_rows = Vec::new();
    let mut year_file = CsvFile::create(out, YEARLY_CSV, &header(&YEARLY_COLUMNS))?;
    for record in yearly_blocks.values().flatten() {
        year_file.write(record)?;
        let fields: Vec<&str> = record.iter().collect();
        yearly_rows
            .push(yearly::yearly_row(&fields).map_err(|e| input(format!("{YEARLY_CSV}: {e}")))?);
    }
    let mut provider_file = CsvFile::create(out, PROVIDERS_CSV, &header(&PROVIDER_COLUMNS))?;
    for record in provider_blocks.values().flatten() {
        provider_file.write(record)?;
    }
    let stats = stats_file(out, &rows, &yearly_rows)?;
    let mut week_file = CsvFile::create(out, "weekly.csv", &header(&WEEKLY_COLUMNS))?;
    for record in weekly.values().flatten() {
        week_file.write(record)?;
    }
    let mut transfer_file = CsvFile::create(out, "transfers.csv", &header(&TRANSFER_COLUMNS))?;
    for record in transfers.values().flatten() {
        transfer_file.write(record)?;
    }
    let mut files = vec![
        summary,
        week_file,
        transfer_file,
        stats,
        year_file,
        provider_file,
    ];
    for t in &tallies {
        files.push(t.file(out, &policy_names)?);
    }
    for (name, columns, blocks, present) in &optional {
        if *present {
            let mut f = CsvFile::create(out, name, &header(columns))?;
            for record in blocks.values().flatten() {
                f.write(record)?;
            }
            files.push(f);
        } else {
            remove_stale(out, name)?;
        }
    }
    if mothers {
        let mut m = CsvFile::create(out, "mothers.csv", &header(&MOTHER_COLUMNS))?;
        for record in mother_rows.values().flatten() {
            m.write(record)?;
        }
        files.push(m);
    } else {
        remove_stale(out, "mothers.csv")?;
    }
    let variants = first.dir.join("variants.csv");
    let mut written: Vec<String> = files
        .iter()
        .map(|f| {
            f.path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    written.push("run.json".to_string());
    if variants.exists() {
        written.push("variants.csv".to_string());
    }
    dir::record(out, target.layout().kind, &written)?;
    for f in files {
        f.persist()?;
    }
    if variants.exists() {
        let bytes = std::fs::read(&variants).map_err(|source| OutputError::Io {
            path: variants.clone(),
            source,
        })?;
        write_atomic(out, "variants.csv", |w| {
            w.write_all(&bytes).map_err(|source| OutputError::Io {
                path: out.join("variants.csv"),
                source,
            })
        })?;
    }
    // run.json last: the first shard's, with the whole run's events and no shard mark.
    let mut meta = first.meta.clone();
    let events: u64 = shards
        .iter()
        .filter_map(|s| s.meta["events"].as_u64())
        .sum();
    meta["events"] = events.into();
    let units: u64 = shards
        .iter()
        .filter_map(|s| s.meta["units_done"].as_u64())
        .sum();
    meta["units_done"] = units.into();
    meta["merged_shards"] = count.into();
    // Written by kraamsim before run.json was a recipe: no recipe fields are made up for it.
    if meta.get("command").is_some() {
        meta["no_charts"] = (!charts).into();
    }
    if let Some(m) = meta.as_object_mut() {
        m.remove("shard");
    }
    write_atomic(out, "run.json", |w| {
        let io = |source| OutputError::Io {
            path: out.join("run.json"),
            source,
        };
        serde_json::to_writer_pretty(&mut *w, &meta).map_err(|e| io(e.into()))?;
        writeln!(w).map_err(io)
    })?;
    remove_dir_if_present(&out.join(RESUME_DIR))?;
    dir::record(out, target.layout().kind, &[])?;
    Ok(())
}

/// Removes file `name` of `out` if an earlier output in this directory left it: it is not
/// part of this result.
fn remove_stale(out: &Path, name: &str) -> Result<(), MergeError> {
    let path = out.join(name);
    if path.exists() {
        std::fs::remove_file(&path).map_err(|source| OutputError::Io { path, source })?;
    }
    Ok(())
}

/// The static name of a policy written in a shard's output.
fn static_policy(name: &str) -> Result<&'static str, MergeError> {
    PolicyName::from_name(name)
        .map(PolicyName::as_str)
        .ok_or_else(|| input(format!("unknown policy `{name}` in a shard")))
}
