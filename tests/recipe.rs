//! run.json as a recipe (issue 23): `kraamsim run|sweep|forecast --from OUT/run.json` makes
//! every CSV, PNG and SVG of an output again, byte for byte, with the settings the first run
//! had (flags included), and refuses, naming the file, when an input changed or the recipe
//! belongs to another command. Each run is small (few replications) to keep the file fast.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").expect("the kraamsim binary is built")
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> serde_json::Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The CSV, PNG and SVG files under `dir` (recursively), as paths relative to it, sorted.
fn result_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("csv" | "png" | "svg")
            ) {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

/// Every CSV, PNG and SVG of `first` is in `again` with the same bytes, and no other; at
/// least `at_least` of them, and charts when `charts`.
fn assert_same_results(first: &Path, again: &Path, at_least: usize, charts: bool) {
    let files = result_files(first);
    assert_eq!(files, result_files(again), "the reruns wrote other files");
    assert!(files.len() >= at_least, "too few files: {files:?}");
    let has_png = files.iter().any(|f| f.extension().unwrap() == "png");
    assert_eq!(has_png, charts, "{files:?}");
    for f in &files {
        assert!(
            fs::read(first.join(f)).unwrap() == fs::read(again.join(f)).unwrap(),
            "{} differs after --from",
            f.display()
        );
    }
}

/// The scenario that `tests/broken/data/ok-*.csv` describe, as `s.toml` in `dir` with copies
/// of the CSV files: a run that reads `[data]` files.
fn scenario_with_data(dir: &Path) -> PathBuf {
    for name in ["ok-postcodes.csv", "ok-providers.csv", "ok-carers.csv"] {
        fs::copy(
            manifest_dir().join("tests/broken/data").join(name),
            dir.join(name),
        )
        .unwrap();
    }
    let path = dir.join("s.toml");
    fs::write(
        &path,
        "name = \"data\"\nreplications = 2\n[period]\nstart = \"2027-01-01\"\nend = \"2027-03-31\"\n\
         [data]\npostcodes = \"ok-postcodes.csv\"\nproviders = \"ok-providers.csv\"\ncarers = \"ok-carers.csv\"\n",
    )
    .unwrap();
    path
}

/// (a) A run with overrides, made from a relative scenario path, is rerun from its run.json
/// (on another thread count) into byte-identical files; run.json records every setting.
#[test]
fn run_from_reproduces_a_run_with_overrides_byte_for_byte() {
    let tmp = TempDir::new().unwrap();
    let (first, again) = (tmp.path().join("first"), tmp.path().join("again"));
    kraamsim()
        .current_dir(manifest_dir())
        .args(["run", "scenarios/policy-comparison.toml"])
        .args(["--scope", "provider", "--policy", "proportional"])
        .args(["--replications", "2", "--seed", "7", "--mothers"])
        .args(["--threads", "2", "-q", "--out"])
        .arg(&first)
        .assert()
        .success();
    let meta = read_json(&first.join("run.json"));
    assert_eq!(meta["command"], "run");
    assert_eq!(meta["scenario_path"], "scenarios/policy-comparison.toml");
    assert_eq!(meta["scope"], "provider");
    assert_eq!(meta["policies"], serde_json::json!(["proportional"]));
    assert_eq!(
        (meta["seed"].as_u64(), meta["replications"].as_u64()),
        (Some(7), Some(2))
    );
    assert_eq!(
        meta["overrides"],
        serde_json::json!({"seed": 7, "replications": 2, "policy": "proportional", "scope": "provider"})
    );
    assert_eq!(meta["threads_requested"], 2);
    assert_eq!(
        (&meta["mothers_csv"], &meta["check"], &meta["no_charts"]),
        (&true.into(), &false.into(), &false.into())
    );
    assert_eq!(meta["data_files"], serde_json::json!([]));
    let revision = meta["source_revision"].as_str().unwrap();
    assert!(
        revision == "unknown" || revision[..40].chars().all(|c| c.is_ascii_hexdigit()),
        "{revision}"
    );

    kraamsim()
        .current_dir(manifest_dir())
        .args(["run", "--threads", "1", "-q", "--from"])
        .arg(first.join("run.json"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    assert_same_results(&first, &again, 10, true);
    // The rerun's recipe is the same recipe (threads and timing aside).
    let rerun = read_json(&again.join("run.json"));
    for key in [
        "command",
        "scenario_path",
        "scenario_sha256",
        "overrides",
        "seed",
        "replications",
        "policies",
        "scope",
        "mothers_csv",
        "resume_key",
    ] {
        assert_eq!(rerun[key], meta[key], "{key}");
    }
    assert_eq!(rerun["threads_requested"], 1);

    // Into the same directory only with --force, as any run.
    let from = first.join("run.json");
    kraamsim()
        .current_dir(manifest_dir())
        .args(["run", "-q", "--out"])
        .arg(&again)
        .arg("--from")
        .arg(&from)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    kraamsim()
        .current_dir(manifest_dir())
        .args(["run", "-q", "--force", "--no-charts"])
        .arg("--from")
        .arg(&from)
        .assert()
        .code(2);
    kraamsim()
        .current_dir(manifest_dir())
        .args(["run", "-q", "--force", "--out"])
        .arg(&again)
        .arg("--from")
        .arg(&from)
        .assert()
        .success();
    assert_same_results(&first, &again, 10, true);

    // `kraamsim --version` names the revision run.json records.
    let version = kraamsim().arg("--version").assert().success();
    let version = String::from_utf8(version.get_output().stdout.clone()).unwrap();
    assert!(
        version.contains(&format!("(source revision {revision})")),
        "{version} vs {revision}"
    );
}

/// Without `--out`, a rerun writes where a run of its scenario would: `output/<name>` in the
/// current directory.
#[test]
fn run_from_writes_to_the_scenarios_usual_directory() {
    let tmp = TempDir::new().unwrap();
    kraamsim()
        .current_dir(tmp.path())
        .arg("run")
        .arg(manifest_dir().join("scenarios/baseline.toml"))
        .args(["--replications", "1", "--no-charts", "-q", "--out", "first"])
        .assert()
        .success();
    kraamsim()
        .current_dir(tmp.path())
        .args(["run", "-q", "--from", "first/run.json"])
        .assert()
        .success();
    assert_same_results(
        &tmp.path().join("first"),
        &tmp.path().join("output/baseline"),
        8,
        false,
    );
}

/// (b) A sweep (with a flag that overrides every variant), and one shard of it, rerun from
/// their run.json byte for byte.
#[test]
fn sweep_from_reproduces_a_sweep_and_a_shard() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let sweep = |out: &Path, extra: &[&str]| {
        kraamsim()
            .arg("sweep")
            .arg(manifest_dir().join("scenarios/capacity-sweep.toml"))
            .args(["--replications", "2", "-q", "--out"])
            .arg(out)
            .args(extra)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .assert()
            .success();
    };
    let rerun = |from: &Path, out: &Path| {
        kraamsim()
            .args(["sweep", "-q", "--from"])
            .arg(from.join("run.json"))
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    sweep(&d.join("full"), &["--scope", "region"]);
    let meta = read_json(&d.join("full/run.json"));
    assert_eq!(meta["command"], "sweep");
    assert_eq!(meta["variants"], 6);
    rerun(&d.join("full"), &d.join("full-again"));
    assert_same_results(&d.join("full"), &d.join("full-again"), 12, true);

    sweep(&d.join("s1"), &["--shard", "1/3"]);
    rerun(&d.join("s1"), &d.join("s1-again"));
    assert_eq!(read_json(&d.join("s1-again/run.json"))["shard"], "1/3");
    // A shard draws no charts: they come after `kraamsim merge`.
    assert_same_results(&d.join("s1"), &d.join("s1-again"), 10, false);
}

/// (c) A forecast (bookings and roster are data files too) rerun from its forecast.json.
#[test]
fn forecast_from_reproduces_a_forecast() {
    let tmp = TempDir::new().unwrap();
    let (first, again) = (tmp.path().join("first"), tmp.path().join("again"));
    kraamsim()
        .arg("forecast")
        .arg(manifest_dir().join("scenarios/ksv-forecast/ksv-forecast.toml"))
        .args([
            "--replications",
            "20",
            "--weeks",
            "8",
            "--seed",
            "5",
            "-q",
            "--out",
        ])
        .arg(&first)
        .assert()
        .success();
    let meta = read_json(&first.join("forecast.json"));
    assert_eq!(meta["command"], "forecast");
    let fields: Vec<&str> = meta["data_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["forecast.bookings", "forecast.roster"]);
    assert_eq!(meta["data_files"][0]["sha256"], meta["bookings_sha256"]);
    kraamsim()
        .args(["forecast", "-q", "--threads", "1", "--from"])
        .arg(first.join("forecast.json"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    assert_same_results(&first, &again, 5, true);
    let rerun = read_json(&again.join("forecast.json"));
    for key in ["weeks", "seed", "replications", "as_of", "overrides"] {
        assert_eq!(rerun[key], meta[key], "{key}");
    }
}

/// (d) A run that read `[data]` files reruns byte for byte while they are unchanged; once one
/// changes, or is gone, or the scenario changed, `--from` refuses with exit 2 naming the file
/// and writes nothing.
#[test]
fn a_changed_data_file_or_scenario_is_refused_naming_it() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let scenario = scenario_with_data(d);
    kraamsim()
        .arg("run")
        .arg(&scenario)
        .args(["--no-charts", "-q", "--out"])
        .arg(d.join("first"))
        .assert()
        .success();
    let meta = read_json(&d.join("first/run.json"));
    let files = meta["data_files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "{meta}");
    assert_eq!(files[2]["field"], "data.carers");
    assert_eq!(
        files[2]["path"],
        d.join("ok-carers.csv").display().to_string()
    );
    let from = d.join("first/run.json");
    let rerun = |out: &str| {
        let mut c = kraamsim();
        c.args(["run", "-q", "--from"])
            .arg(&from)
            .arg("--out")
            .arg(d.join(out));
        c
    };
    rerun("again").assert().success();
    assert_same_results(&d.join("first"), &d.join("again"), 8, false);

    let carers = d.join("ok-carers.csv");
    let original = fs::read(&carers).unwrap();
    fs::write(&carers, [original.as_slice(), b"\n"].concat()).unwrap();
    rerun("changed").assert().code(2).stderr(
        predicate::str::contains(carers.display().to_string())
            .and(predicate::str::contains("changed since the run"))
            .and(predicate::str::contains("panicked").not()),
    );
    assert!(!d.join("changed").exists());
    fs::remove_file(&carers).unwrap();
    rerun("missing")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(carers.display().to_string()));
    assert!(!d.join("missing").exists());

    fs::write(&carers, original).unwrap();
    fs::write(
        &scenario,
        fs::read_to_string(&scenario).unwrap() + "seed = 3\n",
    )
    .unwrap();
    rerun("edited")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "the scenario {} changed",
            scenario.display()
        )));
    assert!(!d.join("edited").exists());
}

/// (e) A recipe given to the wrong command names the command it belongs to; `--from` takes
/// no scenario and no flag that would change the results; a hand-edited setting is refused.
#[test]
fn a_recipe_of_another_command_or_edited_is_refused() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    kraamsim()
        .args(["run", "--replications", "1", "--no-charts", "-q", "--out"])
        .arg(d.join("run"))
        .assert()
        .success();
    let from = d.join("run/run.json");
    for command in ["sweep", "forecast"] {
        kraamsim()
            .args([command, "--from"])
            .arg(&from)
            .arg("--out")
            .arg(d.join(command))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(from.display().to_string())
                    .and(predicate::str::contains("this is a run's run.json"))
                    .and(predicate::str::contains("use `kraamsim run --from")),
            );
        assert!(!d.join(command).exists());
    }
    for flag in [
        &["--seed", "3"][..],
        &["--replications", "2"],
        &["--policy", "proportional"],
        &["--scope", "region"],
        &["--mothers"],
        &["--check"],
        &["--no-charts"],
    ] {
        kraamsim()
            .args(["run", "--from"])
            .arg(&from)
            .args(flag)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be used with"));
    }
    kraamsim()
        .args(["run", "scenarios/baseline.toml", "--from"])
        .arg(&from)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));

    let mut meta = read_json(&from);
    meta["seed"] = 8.into();
    let edited = d.join("edited.json");
    fs::write(&edited, meta.to_string()).unwrap();
    kraamsim()
        .args(["run", "-q", "--from"])
        .arg(&edited)
        .arg("--out")
        .arg(d.join("edited"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`seed` is 8"));
    meta.as_object_mut().unwrap().remove("command");
    fs::write(&edited, meta.to_string()).unwrap();
    kraamsim()
        .args(["run", "-q", "--from"])
        .arg(&edited)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no `command`"));
    assert!(!d.join("edited").exists());
}

/// (f) The resume key comes from the effective settings: `--seed` of the scenario's own
/// seed is the same run (same key, so `--resume` accepts it); another seed is not.
#[test]
fn the_resume_key_is_that_of_the_effective_settings() {
    let tmp = TempDir::new().unwrap();
    let key = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        kraamsim()
            .arg("run")
            .arg(manifest_dir().join("scenarios/baseline.toml"))
            .args(["--replications", "1", "--no-charts", "-q", "--out"])
            .arg(&out)
            .args(extra)
            .assert()
            .success();
        read_json(&out.join("run.json"))["resume_key"].clone()
    };
    let baseline = kraamsim::scenario::load_file(&manifest_dir().join("scenarios/baseline.toml"))
        .unwrap()
        .scenario;
    let own_seed = baseline.seed.to_string();
    let plain = key("plain", &[]);
    assert_eq!(plain, key("own-seed", &["--seed", &own_seed]));
    assert_eq!(plain, key("own-scope", &["--scope", "provider"]));
    assert_ne!(plain, key("other-seed", &["--seed", "8"]));

    // The same through the library.
    let mut with_flag = baseline.clone();
    kraamsim::recipe::Overrides {
        seed: Some(baseline.seed),
        ..Default::default()
    }
    .apply(&mut with_flag);
    let text = "the scenario text";
    assert_eq!(
        kraamsim::output::run_resume_key(text, &[&baseline], false, None),
        kraamsim::output::run_resume_key(text, &[&with_flag], false, None)
    );
    with_flag.seed += 1;
    assert_ne!(
        kraamsim::output::run_resume_key(text, &[&baseline], false, None),
        kraamsim::output::run_resume_key(text, &[&with_flag], false, None)
    );
}

#[test]
fn run_json_names_the_version_that_wrote_it() {
    // README: run.json holds "the run's recipe"; its version is this build's.
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    kraamsim()
        .args(["run", "--replications", "1", "-q", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let meta = read_json(&out.join("run.json"));
    assert_eq!(
        meta["kraamsim_version"],
        env!("CARGO_PKG_VERSION"),
        "{meta}"
    );
}
