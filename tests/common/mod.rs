//! Helpers shared by the integration tests (a module, not a test target of its own).
// Each test target compiles this module and uses some of its helpers, not all.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use kraamsim::run::{self, RunOptions, RunResults};
use kraamsim::scenario::{self, Scenario, Variant};

/// Runs `s` through the library on two threads (`keep_mothers`: keep per-mother records).
pub fn run(s: &Scenario, keep_mothers: bool) -> RunResults {
    let options = RunOptions {
        threads: Some(2),
        keep_mothers,
        progress: false,
        ..RunOptions::default()
    };
    run::run(s, &options).unwrap()
}

/// The variants of the shipped scenario `scenarios/NAME` (its sweep), as `kraamsim sweep`
/// runs them.
pub fn shipped_variants(name: &str) -> Vec<Variant> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let loaded = scenario::load_file(&path).unwrap();
    scenario::variants(&loaded).unwrap()
}

/// Runs `kraamsim sweep SCENARIO ARGS` unsharded into `dir/full` and as shards 0/2 and 1/2,
/// merges the shards (named in reverse order) into `dir/merged` with `merge_args`, and asserts
/// that each of `files` is byte-identical in the two.
pub fn assert_shards_merge_byte_for_byte(
    dir: &Path,
    scenario: &Path,
    args: &[&str],
    merge_args: &[&str],
    files: &[&str],
) {
    let sweep = |out: &Path, shard: &[&str]| {
        Command::cargo_bin("kraamsim")
            .unwrap()
            .arg("sweep")
            .arg(scenario)
            .args(args)
            .args(shard)
            .arg("--out")
            .arg(out)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .assert()
            .success();
    };
    sweep(&dir.join("full"), &[]);
    sweep(&dir.join("s0"), &["--shard", "0/2"]);
    sweep(&dir.join("s1"), &["--shard", "1/2"]);
    Command::cargo_bin("kraamsim")
        .unwrap()
        .arg("merge")
        .arg(dir.join("s1"))
        .arg(dir.join("s0"))
        .arg("--out")
        .arg(dir.join("merged"))
        .args(merge_args)
        .assert()
        .success();
    for f in files {
        let (a, b) = (
            std::fs::read(dir.join("full").join(f)).unwrap(),
            std::fs::read(dir.join("merged").join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs after merging");
    }
}

/// `csv`, a file in kraamsim's own dialect (`,`, decimal points, ISO dates, no quoted
/// fields), as Dutch Excel exports it: a byte-order mark, `;` between fields, decimal
/// commas, dates DD-MM-YYYY (also in date ranges `FIRST..LAST`), `\r\n` line ends.
pub fn dutch_excel(csv: &str) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    for line in csv.lines() {
        let fields: Vec<String> = line.split(',').map(dutch_field).collect();
        out.extend_from_slice(fields.join(";").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn dutch_field(field: &str) -> String {
    if field.parse::<f64>().is_ok() {
        return field.replace('.', ",");
    }
    let dutch_date = |text: &str| match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => d.format("%d-%m-%Y").to_string(),
        Err(_) => text.to_string(),
    };
    field
        .split(' ')
        .map(|item| {
            item.split("..")
                .map(dutch_date)
                .collect::<Vec<_>>()
                .join("..")
        })
        .collect::<Vec<_>>()
        .join(" ")
}
