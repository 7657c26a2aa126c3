//! End-to-end tests of the `kraamsim` binary: the output contract (`DESIGN.md` §5), determinism
//! across thread counts and seeds, scenario validation errors, bad flags, and output-directory
//! safety. Every run uses few replications and `-q` so the whole file stays fast.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers

/// The binary under test.
fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").expect("the kraamsim binary is built")
}

/// A scenario file shipped in `scenarios/`.
fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Runs a scenario file quietly into `out` with extra flags; asserts success.
fn run_ok(scenario: &Path, out: &Path, extra: &[&str]) {
    kraamsim()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .args(extra)
        .assert()
        .success();
}

/// Stderr must not show a panic: bad input is an error message, never a crash.
fn no_panic() -> impl Predicate<str> {
    predicate::str::contains("panicked").not()
}

/// baseline.toml with `edit` applied to its text, written into `dir` as `name`.
fn edited_baseline(dir: &Path, name: &str, edit: impl FnOnce(&str) -> String) -> PathBuf {
    let text = fs::read_to_string(scenario("baseline.toml")).unwrap();
    let path = dir.join(name);
    fs::write(&path, edit(&text)).unwrap();
    path
}

/// Replaces the first line of `text` that starts with `key =` (after trimming) by `new`;
/// returns the new text and the 1-based number of that line.
fn replace_first_line(text: &str, key: &str, new: &str) -> (String, usize) {
    let mut found = None;
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let is_key = l
                .trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            if found.is_none() && is_key {
                found = Some(i + 1);
                new.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    let line = found.unwrap_or_else(|| panic!("baseline.toml has no `{key} =` line"));
    (lines.join("\n") + "\n", line)
}

// ---------------------------------------------------------------------------------------------
// 1. Default run: built-in baseline, output contract

#[test]
fn run_without_scenario_uses_builtin_baseline_and_writes_contract_files() {
    let cwd = TempDir::new().unwrap();
    kraamsim()
        .current_dir(cwd.path())
        .args(["run", "--replications", "1", "-q"])
        .assert()
        .success()
        .stderr(predicate::str::contains("built-in baseline").and(no_panic()));

    let out = cwd.path().join("output").join("baseline");
    for file in [
        "run.json",
        "summary.csv",
        "weekly.csv",
        "stats.csv",
        "yearly.csv",
        "providers.csv",
    ] {
        assert!(
            out.join(file).is_file(),
            "{file} missing in {}",
            out.display()
        );
    }
    assert!(
        !out.join("mothers.csv").exists(),
        "mothers.csv is opt-in (--mothers) but was written"
    );

    let summary = String::from_utf8(read(&out.join("summary.csv"))).unwrap();
    let mut lines = summary.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("summary.csv has a header")
        .split(',')
        .collect();
    let region_col = header
        .iter()
        .position(|c| *c == "region")
        .expect("summary.csv has a region column");
    assert!(
        lines.any(|l| l.split(',').nth(region_col) == Some("ALL")),
        "summary.csv has no row with region ALL:\n{summary}"
    );

    let meta = read_json(&out.join("run.json"));
    for key in [
        "seed",
        "replications",
        "threads",
        "wall_seconds",
        "events",
        "events_per_second",
        "scenario_sha256",
    ] {
        assert!(meta.get(key).is_some(), "run.json lacks `{key}`: {meta}");
    }
    assert_eq!(meta["replications"], 1, "--replications 1 not recorded");
    assert!(
        meta["events"].as_u64().unwrap_or(0) > 0,
        "no events: {meta}"
    );
    let sha = meta["scenario_sha256"].as_str().expect("sha is a string");
    assert!(
        sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "scenario_sha256 is not 64 hex chars: {sha:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Thread count does not change results

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads() {
    let tmp = TempDir::new().unwrap();
    let ksv = scenario("ksv-area.toml");
    let (one, two) = (tmp.path().join("t1"), tmp.path().join("t2"));
    let flags = ["--replications", "3", "--mothers"];
    run_ok(&ksv, &one, &[&flags[..], &["--threads", "1"]].concat());
    run_ok(&ksv, &two, &[&flags[..], &["--threads", "2"]].concat());

    assert_eq!(read_json(&one.join("run.json"))["threads"], 1);
    assert_eq!(read_json(&two.join("run.json"))["threads"], 2);
    for file in [
        "summary.csv",
        "weekly.csv",
        "stats.csv",
        "mothers.csv",
        "postcodes.csv",
        "lorenz.csv",
    ] {
        let (a, b) = (read(&one.join(file)), read(&two.join(file)));
        assert!(!a.is_empty(), "{file} is empty");
        assert!(a == b, "{file} differs between --threads 1 and --threads 2");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Seeds

#[test]
fn same_seed_reproduces_and_other_seed_differs() {
    let tmp = TempDir::new().unwrap();
    let base = scenario("baseline.toml");
    let run = |dir: &str, seed: &str| {
        let out = tmp.path().join(dir);
        run_ok(&base, &out, &["--replications", "1", "--seed", seed]);
        out
    };
    let (a, b, c) = (run("a", "42"), run("b", "42"), run("c", "43"));

    let summary = |d: &Path| read(&d.join("summary.csv"));
    assert!(
        summary(&a) == summary(&b),
        "same seed, different summary.csv"
    );
    assert!(
        summary(&a) != summary(&c),
        "seeds 42 and 43 gave identical summary.csv"
    );

    let meta = read_json(&c.join("run.json"));
    assert_eq!(meta["seed"], 43, "--seed not recorded in run.json");
    let file_sha = format!("{:x}", Sha256::digest(read(&base)));
    assert_eq!(
        meta["scenario_sha256"].as_str(),
        Some(file_sha.as_str()),
        "run.json's scenario_sha256 is not the SHA-256 of the scenario file"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Shipped scenarios are valid

#[test]
fn every_shipped_scenario_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    for file in &files {
        kraamsim()
            .arg("validate")
            .arg(file)
            .assert()
            .success()
            .stdout(predicate::str::contains("valid"))
            .stderr(no_panic());
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Bad scenarios

#[test]
fn validate_reports_every_semantic_error_with_file_line_column_and_path() {
    let tmp = TempDir::new().unwrap();
    let mut market_line = 0;
    let mut home_line = 0;
    let file = edited_baseline(tmp.path(), "two-errors.toml", |text| {
        assert!(
            !text.contains("[birth_place]"),
            "baseline.toml already has [birth_place]; adapt this test"
        );
        let (text, line) = replace_first_line(text, "market_share", "market_share = -1");
        market_line = line;
        home_line = text.lines().count() + 3;
        text + "\n[birth_place]\nhome_share = 1.5\n"
    });

    let assert = kraamsim()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(no_panic());
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let name = file.display().to_string();
    assert!(stderr.contains(&name), "file name missing:\n{stderr}");
    assert!(
        predicate::str::is_match(r":\d+:\d+:")
            .unwrap()
            .eval(&stderr),
        "no :LINE:COL: in:\n{stderr}"
    );
    assert!(
        stderr.contains("birth_place.home_share"),
        "birth_place.home_share not reported:\n{stderr}"
    );
    assert!(
        stderr.contains("providers[0].market_share"),
        "providers[0].market_share not reported:\n{stderr}"
    );
    // Positions point at the offending values.
    assert!(
        stderr.contains(&format!("{name}:{home_line}:14: `birth_place.home_share`")),
        "home_share not located at line {home_line}, column 14:\n{stderr}"
    );
    assert!(
        predicate::str::is_match(format!(
            r":{market_line}:\d+: `providers\[0\]\.market_share`"
        ))
        .unwrap()
        .eval(&stderr),
        "market_share not located at line {market_line}:\n{stderr}"
    );
}

#[test]
fn validate_rejects_unknown_key() {
    let tmp = TempDir::new().unwrap();
    let file = edited_baseline(tmp.path(), "typo.toml", |text| {
        replace_first_line(text, "carers", "carers = 120\ncarrers = 3").0
    });
    kraamsim()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown field")
                .and(predicate::str::contains("carrers"))
                .and(predicate::str::contains("typo.toml"))
                .and(no_panic()),
        );
}

#[test]
fn run_with_bad_scenario_fails_before_creating_out_dir() {
    let tmp = TempDir::new().unwrap();
    let file = edited_baseline(tmp.path(), "bad.toml", |text| {
        replace_first_line(text, "market_share", "market_share = -1").0
    });
    let out = tmp.path().join("never-created");
    kraamsim()
        .current_dir(tmp.path())
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--replications", "1", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("providers[0].market_share").and(no_panic()));
    assert!(
        !out.exists(),
        "{} was created for a bad scenario",
        out.display()
    );
    assert!(
        !tmp.path().join("output").exists(),
        "a default output directory was created for a bad scenario"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Bad flags

#[test]
fn bad_flags_exit_2_with_a_message() {
    let tmp = TempDir::new().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["run", "--replications", "0", "-q"], "--replications"),
        (&["run", "--threads", "0", "-q"], "--threads"),
        (&["run", "--scope", "nowhere", "-q"], "nowhere"),
        (&["run", "missing.toml", "-q"], "missing.toml"),
    ];
    for (args, mentions) in cases {
        kraamsim()
            .current_dir(tmp.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(mentions).and(no_panic()));
    }
    assert!(
        !tmp.path().join("output").exists(),
        "a failed invocation created an output directory"
    );
}

// ---------------------------------------------------------------------------------------------
// 7. Output directory safety

#[test]
fn refuses_non_empty_foreign_out_dir() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("mine");
    fs::create_dir(&out).unwrap();
    let notes = out.join("notes.txt");
    fs::write(&notes, "do not delete\n").unwrap();

    kraamsim()
        .arg("run")
        .arg(scenario("baseline.toml"))
        .arg("--out")
        .arg(&out)
        .args(["--replications", "1", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run.json").and(no_panic()));

    assert_eq!(fs::read_to_string(&notes).unwrap(), "do not delete\n");
    let names: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        ["notes.txt"],
        "files were added to a foreign directory"
    );
}

#[test]
fn a_second_run_replaces_an_earlier_output_only_with_force() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let base = scenario("baseline.toml");
    run_ok(&base, &out, &["--replications", "1", "--seed", "1"]);
    let first = read(&out.join("summary.csv"));
    assert_eq!(read_json(&out.join("run.json"))["seed"], 1);

    kraamsim()
        .arg("run")
        .arg(&base)
        .args(["-q", "--replications", "1", "--seed", "2", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("earlier kraamsim output")
                .and(predicate::str::contains("--force")),
        );
    assert_eq!(
        read(&out.join("summary.csv")),
        first,
        "left alone without --force"
    );

    run_ok(
        &base,
        &out,
        &["--replications", "1", "--seed", "2", "--force"],
    );
    assert_eq!(
        read_json(&out.join("run.json"))["seed"],
        2,
        "run.json not replaced by the second run"
    );
    assert!(
        read(&out.join("summary.csv")) != first,
        "summary.csv not replaced by the second run"
    );
}

#[test]
fn policy_flag_selects_the_policy_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    kraamsim()
        .args([
            "run",
            "--replications",
            "1",
            "-q",
            "--policy",
            "first-come-first-served",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("policy first-come-first-served"));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary
            .lines()
            .skip(1)
            .all(|l| l.starts_with("base,first-come-first-served,"))
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["policy"], "first-come-first-served");
    kraamsim()
        .args(["run", "--policy", "lottery", "-q"])
        .assert()
        .code(2);
}

#[test]
fn sweep_runs_every_variant_identically_on_any_thread_count() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/capacity-sweep.toml");
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("t{threads}"));
        kraamsim()
            .arg("sweep")
            .arg(&scenario)
            .args(["--replications", "1", "-q", "--threads", threads, "--out"])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicates::str::contains("6 variants"));
        out
    };
    let (one, two) = (run("1"), run("2"));
    let variants = std::fs::read_to_string(one.join("variants.csv")).unwrap();
    assert_eq!(variants.lines().count(), 7, "{variants}");
    assert!(
        variants.starts_with("variant,carers.capacity_factor,policy.scope\nv000,0.8,provider\n")
    );
    let summary = std::fs::read_to_string(one.join("summary.csv")).unwrap();
    // 6 variants x 2 policies x 1 replication x (1 region + ALL), plus the header.
    assert_eq!(summary.lines().count(), 1 + 6 * 2 * 2);
    for f in ["summary.csv", "weekly.csv", "stats.csv", "variants.csv"] {
        assert!(
            std::fs::read(one.join(f)).unwrap() == std::fs::read(two.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn sweep_rejects_a_scenario_without_a_grid_and_bad_grid_values() {
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    kraamsim()
        .arg("sweep")
        .arg(&baseline)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no [sweep]"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(&baseline).unwrap()
        + "\n[sweep]\n\"carers.capacity_factor\" = [1.0, -1.0]\n";
    std::fs::write(&bad, text).unwrap();
    let out = dir.path().join("out");
    kraamsim()
        .arg("sweep")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            // Located at the bad value of the [sweep] list.
            predicates::str::contains("bad.toml:")
                .and(predicates::str::contains(
                    "`sweep.\"carers.capacity_factor\"[1]`",
                ))
                .and(predicates::str::contains("value -1.0 is invalid")),
        );
    assert!(!out.exists());
}

/// Runs `kraamsim sweep` of the capacity sweep with `extra` flags into `out`.
fn sweep_into(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/capacity-sweep.toml");
    let flags = [&["--replications", "2", "--mothers"], extra].concat();
    sweep(&scenario, out, &flags)
}

/// Runs `kraamsim sweep SCENARIO -q FLAGS --out OUT`, outside any Slurm job array (whose
/// variables would pick a shard).
fn sweep(scenario: &Path, out: &Path, flags: &[&str]) -> assert_cmd::assert::Assert {
    kraamsim()
        .arg("sweep")
        .arg(scenario)
        .arg("-q")
        .args(flags)
        .arg("--out")
        .arg(out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .assert()
}

#[test]
fn sharded_sweep_merges_into_the_unsharded_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sweep_into(&d.join("full"), &[]).success();
    for i in 0..3 {
        sweep_into(&d.join(format!("s{i}")), &["--shard", &format!("{i}/3")]).success();
    }
    // Merging an incomplete set names the missing shard and writes nothing.
    kraamsim()
        .args(["merge"])
        .arg(d.join("s0"))
        .arg(d.join("s2"))
        .arg("--out")
        .arg(d.join("partial"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing 1/3"));
    assert!(!d.join("partial").exists());
    // A failed shard is rerun alone; then the set is complete.
    fs::remove_dir_all(d.join("s1")).unwrap();
    sweep_into(&d.join("s1"), &["--shard", "1/3"]).success();
    kraamsim()
        .args(["merge"])
        .arg(d.join("s2"))
        .arg(d.join("s0"))
        .arg(d.join("s1"))
        .arg("--out")
        .arg(d.join("merged"))
        .assert()
        .success();
    for f in [
        "summary.csv",
        "weekly.csv",
        "stats.csv",
        "mothers.csv",
        "variants.csv",
        "postcodes.csv",
        "lorenz.csv",
        "transfers.csv",
        "yearly.csv",
        "providers.csv",
    ] {
        assert!(
            fs::read(d.join("full").join(f)).unwrap()
                == fs::read(d.join("merged").join(f)).unwrap(),
            "{f} differs after merging"
        );
    }
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("merged/run.json")).unwrap()).unwrap();
    assert_eq!(meta["merged_shards"], 3);
    assert!(meta.get("shard").is_none());

    // A shard file whose header differs from what merge reads (another kraamsim version, a
    // hand edit) is refused by file and column, for every file merge reads, and nothing is
    // written: merge never concatenates rows under the wrong column names.
    for f in [
        "totals.csv",
        "weekly.csv",
        "mothers.csv",
        "postcodes.csv",
        "lorenz.csv",
        "transfers.csv",
        "yearly.csv",
        "providers.csv",
    ] {
        let path = d.join("s1").join(f);
        let original = fs::read_to_string(&path).unwrap();
        let (header, rows) = original.split_once('\n').unwrap();
        let last = header.rsplit(',').next().unwrap();
        let renamed = format!(
            "{},renamed\n{rows}",
            &header[..header.len() - last.len() - 1]
        );
        fs::write(&path, renamed).unwrap();
        let out = d.join(format!("bad-{f}"));
        kraamsim()
            .args(["merge"])
            .arg(d.join("s0"))
            .arg(d.join("s1"))
            .arg(d.join("s2"))
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(
                predicates::str::contains(f).and(predicates::str::contains(format!(
                    "`renamed` where `{last}`"
                ))),
            );
        assert!(
            !out.exists(),
            "merge wrote {} after refusing {f}",
            out.display()
        );
        fs::write(&path, original).unwrap();
    }
}

#[test]
fn shard_auto_reads_slurm_array_variables() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/capacity-sweep.toml");
    let out = dir.path().join("task");
    kraamsim()
        .arg("sweep")
        .arg(&scenario)
        .args(["--replications", "1", "-q", "--shard", "auto", "--out"])
        .arg(&out)
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("SLURM_ARRAY_TASK_MIN", "4")
        .env("SLURM_ARRAY_TASK_COUNT", "4")
        .assert()
        .success();
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["shard"], "1/4");
    // Outside a Slurm array, and with a shard out of range: exit 2, nothing written.
    sweep_into(&dir.path().join("none"), &["--shard", "auto"])
        .code(2)
        .stderr(predicates::str::contains("SLURM_ARRAY_TASK_ID"));
    sweep_into(&dir.path().join("range"), &["--shard", "3/3"]).code(2);
    assert!(!dir.path().join("none").exists() && !dir.path().join("range").exists());
}

/// The terminal table explains itself: a sweep names what each variant sets and what ±
/// means; a single replication shows no ± at all (no interval, not a zero-width one).
#[test]
fn the_terminal_table_says_what_variants_and_intervals_are() {
    let dir = TempDir::new().unwrap();
    // What a successful command printed, stdout and stderr.
    let printed = |cmd: &mut Command| {
        let out = cmd.assert().success().get_output().clone();
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
    };
    let text = printed(
        kraamsim()
            .arg("sweep")
            .arg(scenario("capacity-sweep.toml"))
            .args(["--replications", "2", "--no-charts", "--out"])
            .arg(dir.path().join("sweep")),
    );
    assert!(
        text.contains("v000: carers.capacity_factor = 0.8, policy.scope = \"provider\""),
        "{text}"
    );
    assert!(
        text.contains("v005: carers.capacity_factor = 1.2, policy.scope = \"region\""),
        "{text}"
    );
    assert!(
        text.contains("±: half the 95% interval over the 2 replications"),
        "{text}"
    );
    assert!(text.contains("columns: mothers per replication"), "{text}");

    let text = printed(
        kraamsim()
            .args(["run", "--replications", "1", "--no-charts", "--out"])
            .arg(dir.path().join("one")),
    );
    let all = text
        .lines()
        .find(|l| l.starts_with("ALL"))
        .expect("an ALL row");
    assert!(!all.contains('±'), "{all}");
    assert!(text.contains("one replication: no interval"), "{text}");
}

/// `forecast` takes the run flags that make sense for it: the same bookings and roster under
/// pooled carers (`--scope region`) leave fewer mothers below the minimum in the summer than
/// per provider, and forecast.json records the scope and policy used.
#[test]
fn forecast_takes_scope_and_policy_flags() {
    let dir = TempDir::new().unwrap();
    let below = |scope: &str| -> f64 {
        let out = dir.path().join(scope);
        kraamsim()
            .arg("forecast")
            .arg(scenario("ksv-forecast/ksv-forecast.toml"))
            .args([
                "--replications",
                "40",
                "--no-charts",
                "-q",
                "--policy",
                "minimum-first",
            ])
            .args(["--scope", scope, "--out"])
            .arg(&out)
            .assert()
            .success();
        let meta = read_json(&out.join("forecast.json"));
        assert_eq!(meta["scope"], scope, "{meta}");
        assert_eq!(meta["policy"], "minimum-first", "{meta}");
        let weeks = String::from_utf8(read(&out.join("forecast-weeks.csv"))).unwrap();
        weeks
            .lines()
            .filter(|l| l.contains(",ALL,ALL,"))
            .map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap())
            .sum()
    };
    let (own, pooled) = (below("provider"), below("region"));
    assert!(pooled < own, "pooled {pooled}, per provider {own}");
}

/// Shell completions and the manual page come from the same flag definitions as the CLI.
#[test]
fn completions_and_man_page_cover_every_command() {
    // Every command README lists, in every shell README names, and in the manual page.
    let commands = [
        "run",
        "sweep",
        "merge",
        "forecast",
        "chart",
        "serve",
        "validate",
        "generate",
        "completions",
        "man",
    ];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = kraamsim().args(["completions", shell]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        for word in commands.iter().chain(&["replications", "scope"]) {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = kraamsim().arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(page.contains(".TH kraamsim 1"), "{page}");
    for command in commands {
        let entry = format!("kraamsim\\-{command}(1)");
        assert!(page.contains(&entry), "man page lacks {entry}");
    }
    kraamsim()
        .args(["completions", "fishy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

/// The forecast report says everything the terminal says: the weeks at risk in the same
/// words, and the birth-assistance table.
#[test]
fn forecast_report_has_the_weeks_at_risk_and_birth_assistance() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("f");
    let run = kraamsim()
        .arg("forecast")
        .arg(scenario("ksv-forecast/ksv-forecast.toml"))
        .args(["--replications", "40", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let terminal = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    let report = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert!(report.contains("<h2>Weeks at risk</h2>"));
    assert!(report.contains("<h2>Birth assistance, per week</h2>"));
    let risks: Vec<&str> = terminal
        .lines()
        .skip_while(|l| !l.starts_with("Weeks at risk"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(!risks.is_empty(), "the summer is at risk: {terminal}");
    for line in risks {
        // The report escapes HTML; these lines have no characters that need it.
        assert!(
            report.contains(&format!("<li>{line}</li>")),
            "report lacks: {line}"
        );
    }
}

/// Running the same command twice keeps the first run's outputs safe, and the first run says
/// how to run again.
#[test]
fn a_run_says_how_to_run_again_into_its_directory() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("o");
    let args = ["run", "--replications", "1", "--no-charts", "--out"];
    let first = kraamsim().args(args).arg(&out).assert().success();
    let text = String::from_utf8(first.get_output().stdout.clone()).unwrap();
    assert!(text.contains("to run again into it, add --force"), "{text}");
    kraamsim().args(args).arg(&out).assert().code(2);
    kraamsim()
        .args(args)
        .arg(&out)
        .arg("--force")
        .assert()
        .success();
}

/// `kraamsim chart DIR` redraws a forecast directory from its CSV files and forecast.json,
/// byte for byte what `kraamsim forecast` drew (both draw from the files: issue 25 item 6).
#[test]
fn chart_redraws_a_forecast_directory_byte_for_byte() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("f");
    kraamsim()
        .arg("forecast")
        .arg(scenario("ksv-forecast/ksv-forecast.toml"))
        .args(["--replications", "20", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let drawn = ["charts/forecast.png", "charts/forecast.svg", "report.html"];
    let before: Vec<Vec<u8>> = drawn.iter().map(|f| read(&out.join(f))).collect();
    for f in drawn {
        fs::remove_file(out.join(f)).unwrap();
    }
    kraamsim()
        .arg("chart")
        .arg(&out)
        .assert()
        .success()
        .stderr(no_panic());
    for (f, bytes) in drawn.iter().zip(&before) {
        assert!(read(&out.join(f)) == *bytes, "{f} differs after redrawing");
    }
    // The report still has the known state, read back from forecast.json.
    let report = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert!(report.contains("mothers booked"), "{report}");
    // A forecast without its forecast.json is incomplete: a clear error, exit 2.
    fs::remove_file(out.join("forecast.json")).unwrap();
    kraamsim()
        .arg("chart")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("forecast.json").and(no_panic()));
}

/// A sweep whose variants close providers and refuse mothers writes closures.csv and
/// registrations.csv; merging its shards keeps both, byte for byte (observed-2024 with a
/// two-variant sweep, one replication).
#[test]
fn merged_shards_keep_closures_and_registrations() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let text = fs::read_to_string(scenarios.join("observed-2024.toml"))
        .unwrap()
        .replace(
            "\"data/national/",
            &format!("\"{}/", scenarios.join("data/national").display()),
        );
    let scenario = d.join("observed-sweep.toml");
    fs::write(
        &scenario,
        format!("{text}\n[sweep]\n\"policy.waiting_list.booking_share\" = [0.5, 0.6]\n"),
    )
    .unwrap();
    let sweep_to = |out: &str, extra: &[&str]| {
        let flags = [&["--replications", "1", "--no-charts"], extra].concat();
        sweep(&scenario, &d.join(out), &flags).success();
    };
    sweep_to("full", &[]);
    sweep_to("s0", &["--shard", "0/2"]);
    sweep_to("s1", &["--shard", "1/2"]);
    kraamsim()
        .args(["merge", "--no-charts"])
        .arg(d.join("s0"))
        .arg(d.join("s1"))
        .arg("--out")
        .arg(d.join("merged"))
        .assert()
        .success();
    for f in ["closures.csv", "registrations.csv", "summary.csv"] {
        let full = fs::read(d.join("full").join(f)).unwrap();
        assert!(
            full.len() > 200,
            "{f} of the unsharded sweep is nearly empty"
        );
        assert!(
            full == fs::read(d.join("merged").join(f)).unwrap(),
            "{f} differs after merging"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Column promise and cross-file totals (README, "Outputs")

/// Each output file's header as written on 2026-12-04 (a sweep of ksv-waiting-list.toml with
/// --mothers). README: "columns are a promise: they may be added to, never renamed". Never
/// edit a list here except to append what a new column's commit adds.
const FROZEN_HEADERS: [(&str, &str); 10] = [
    (
        "summary.csv",
        "variant,policy,replication,region,mothers,mothers_below_minimum,mothers_without_care,mothers_full_indication,indicated_hours,delivered_hours,shortfall_hours,medical_shortfall_hours,carer_hours_available,carer_hours_used,birth_assists_requested,birth_assists_missed,carer_contract_hours,mothers_transferred,late_registrants,late_shortfall_hours,max_shortfall_hours,share_below_minimum,share_without_care,mean_delivered_ratio,p10_delivered_ratio,gini_delivered_ratio,late_share_of_mothers,late_share_of_shortfall,birth_assists_requested_night,birth_assists_requested_day,birth_assists_requested_evening,birth_assists_missed_night,birth_assists_missed_day,birth_assists_missed_evening,on_call_hours_night,on_call_hours_day,on_call_hours_evening,mothers_over_two_carers,tier1_indicated_hours,tier2_indicated_hours,tier3_indicated_hours,tier4_indicated_hours,tier1_delivered_hours,tier2_delivered_hours,tier3_delivered_hours,tier4_delivered_hours,tier1_fill,tier2_fill,tier3_fill,tier4_fill,late_tier4_while_early_behind,birth_assists_called_away_night,birth_assists_called_away_day,birth_assists_called_away_evening,assist_hours_from_care_night,assist_hours_from_care_day,assist_hours_from_care_evening,mothers_one_carer,mothers_two_carers,mothers_three_carers,mothers_four_plus_carers,third_carer_away,third_carer_rest,third_carer_busy,third_carer_other,carer_hours_workable",
    ),
    (
        "weekly.csv",
        "variant,policy,replication,region,week_start,births,active_mothers,demand_hours,delivered_hours,carer_hours_available,mothers_below_minimum,shortfall_hours,carer_contract_hours,carer_hours_workable",
    ),
    (
        "stats.csv",
        "variant,policy,region,metric,mean,ci95_low,ci95_high,replications",
    ),
    (
        "yearly.csv",
        "variant,policy,replication,region,year,births,mothers_below_minimum,shortfall_hours,carers,carer_fte,trainees,carers_joined,carers_left,mothers,indicated_hours,delivered_hours,carers_hired,trainees_started,trainees_qualified,trainees_dropped_out,carers_from_start,carers_from_training,carers_from_hiring,trainee_fte,carer_fte_from_start,carer_fte_from_training,carer_fte_from_hiring",
    ),
    (
        "postcodes.csv",
        "variant,policy,region,postcode,replications,mothers,mothers_below_minimum,share_below_minimum",
    ),
    (
        "lorenz.csv",
        "variant,policy,region,bin,ratio_from,ratio_to,replications,mothers,ratio_sum,mothers_share,ratio_share",
    ),
    (
        "providers.csv",
        "variant,policy,replication,region,provider,year,contract,fte,trainees_started,employed_share,meets_rule,eligible_contract,trainees_required",
    ),
    (
        "transfers.csv",
        "variant,policy,replication,region,from_provider,to_provider,transfers",
    ),
    ("variants.csv", "variant,policy.scope"),
    (
        "mothers.csv",
        "variant,policy,replication,region,postcode,mother_id,registration_date,registration_week,due_date,birth_date,birth_place,hospital_days,indicated_hours,medical_hours,delivered_hours,minimum_met,carers",
    ),
];

/// The shipped waiting-list sweep (three scopes x two policies) with `flags`, into `out`.
fn waiting_list_sweep(out: &Path, flags: &[&str]) {
    sweep(&scenario("ksv-waiting-list.toml"), out, flags)
        .success()
        .stderr(no_panic());
}

/// The rows of a CSV file by column name.
fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            header
                .iter()
                .zip(row.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn every_output_keeps_its_columns_in_their_order() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    waiting_list_sweep(&out, &["--replications", "1", "--mothers", "--no-charts"]);
    for (file, frozen) in FROZEN_HEADERS {
        let text = fs::read_to_string(out.join(file))
            .unwrap_or_else(|e| panic!("{file} not written: {e}"));
        let written: Vec<&str> = text.lines().next().unwrap_or_default().split(',').collect();
        // Every frozen column, in the frozen order; new ones may sit anywhere in between.
        let mut at = 0;
        for column in frozen.split(',') {
            let Some(i) = written[at..].iter().position(|c| *c == column) else {
                panic!(
                    "{file}: column `{column}` is gone or out of order (a renamed column breaks \
                     every reader of the file); header: {}",
                    written.join(",")
                );
            };
            at += i + 1;
        }
    }
}

#[test]
fn postcodes_and_transfers_add_up_to_the_summary() {
    // README: postcodes.csv has "the share below the minimum per PC4 postcode (summed over
    // replications)", transfers.csv "counts the mothers moved per pair of providers".
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    waiting_list_sweep(&out, &["--replications", "2", "--no-charts"]);
    let number = |row: &std::collections::HashMap<String, String>, column: &str| -> f64 {
        row[column].parse().unwrap()
    };
    // Per (variant, policy, region): [mothers, below the minimum] of postcodes.csv against
    // the sum over replications of summary.csv's rows, and likewise for region ALL.
    let mut postcodes: std::collections::BTreeMap<(String, String, String), [f64; 2]> =
        Default::default();
    for row in csv_rows(&out.join("postcodes.csv")) {
        let counts = [
            number(&row, "mothers"),
            number(&row, "mothers_below_minimum"),
        ];
        assert_eq!(number(&row, "replications"), 2.0, "{row:?}");
        for region in [row["region"].clone(), "ALL".to_string()] {
            let sum = postcodes
                .entry((row["variant"].clone(), row["policy"].clone(), region))
                .or_default();
            sum[0] += counts[0];
            sum[1] += counts[1];
        }
    }
    let mut summary: std::collections::BTreeMap<(String, String, String), [f64; 2]> =
        Default::default();
    let mut transferred: std::collections::BTreeMap<(String, String, String), f64> =
        Default::default();
    let summary_rows = csv_rows(&out.join("summary.csv"));
    for row in &summary_rows {
        let key = (
            row["variant"].clone(),
            row["policy"].clone(),
            row["region"].clone(),
        );
        let sum = summary.entry(key).or_default();
        sum[0] += number(row, "mothers");
        sum[1] += number(row, "mothers_below_minimum");
        if row["region"] != "ALL" {
            *transferred
                .entry((
                    row["variant"].clone(),
                    row["policy"].clone(),
                    row["replication"].clone(),
                ))
                .or_default() += number(row, "mothers_transferred");
        }
    }
    assert_eq!(postcodes, summary);
    assert!(
        summary.values().any(|[_, below]| *below > 0.0),
        "no mother below the minimum: the comparison shows nothing"
    );

    // transfers.csv: rows for the waiting-list variant only (v001), every ordered pair of the
    // region's providers. Its moves are counted on the days of the reporting period, summary's
    // mothers_transferred by the period the mother's care ends (docs/policies.md): the two
    // differ only by the mothers moved near either end of the period, a few percent.
    let transfers = csv_rows(&out.join("transfers.csv"));
    assert_eq!(
        transfers.len(),
        4 * 3 * 2 * 2,
        "4 x 3 provider pairs, 2 policies, 2 reps"
    );
    let mut moves: std::collections::BTreeMap<(String, String, String), f64> = Default::default();
    for row in transfers {
        assert_eq!(row["variant"], "v001", "{row:?}");
        assert_ne!(row["from_provider"], row["to_provider"], "{row:?}");
        *moves
            .entry((
                row["variant"].clone(),
                row["policy"].clone(),
                row["replication"].clone(),
            ))
            .or_default() += number(&row, "transfers");
    }
    assert_eq!(moves.len(), 4, "2 policies x 2 replications: {moves:?}");
    for (key, mothers) in &transferred {
        if key.0 != "v001" {
            assert_eq!(*mothers, 0.0, "{key:?} has no waiting list");
            continue;
        }
        let moved = moves[key];
        assert!(
            *mothers > 50.0 && (moved - mothers).abs() <= 0.05 * mothers,
            "{key:?}: transfers.csv moved {moved}, summary.csv transferred {mothers}"
        );
    }
}

#[test]
fn run_writes_into_an_existing_empty_directory() {
    // README: "A command writes only into an absent or empty directory".
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("empty");
    fs::create_dir(&out).unwrap();
    run_ok(
        &scenario("baseline.toml"),
        &out,
        &["--replications", "1", "--no-charts"],
    );
    assert!(out.join("summary.csv").is_file() && out.join("run.json").is_file());
}
