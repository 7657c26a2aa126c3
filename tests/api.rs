//! The public API (`kraamsim::Run`, ...) against the command line: a program that calls it
//! gets the bytes `kraamsim run` writes, streams the results the outputs are made of, and
//! stops and resumes as `--resume` does.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use kraamsim::{ErrorKind, LoadedScenario, PolicyName, Run};
use tempfile::TempDir;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Every file of an output directory (relative name, bytes), without run.json and the
/// hidden bookkeeping files, which name the directory and time the run.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n != "run.json" && !n.starts_with('.'))
        .map(|n| {
            let bytes = fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    out.sort();
    out
}

/// run.json without the fields that time the run.
fn recipe(dir: &Path) -> serde_json::Value {
    let mut json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("run.json")).unwrap()).unwrap();
    for timing in ["wall_seconds", "events_per_second", "threads"] {
        json.as_object_mut().unwrap().remove(timing);
    }
    json
}

#[test]
fn to_dir_writes_the_bytes_of_kraamsim_run() {
    let tmp = TempDir::new().unwrap();
    let path = scenario("policy-comparison.toml");
    let cli = tmp.path().join("cli");
    Command::cargo_bin("kraamsim")
        .unwrap()
        .args([
            "run",
            path.to_str().unwrap(),
            "-q",
            "--no-charts",
            "--mothers",
        ])
        .args(["--replications", "2", "--seed", "11", "--threads", "2"])
        .arg("--out")
        .arg(&cli)
        .assert()
        .success();
    let loaded = LoadedScenario::load(&path).unwrap();
    let api = tmp.path().join("api");
    let written = Run::new(&loaded)
        .replications(2)
        .seed(11)
        .threads(2)
        .mothers(true)
        .charts(false)
        .to_dir(&api)
        .unwrap();
    assert!(!written.finished_already);
    let (cli_files, api_files) = (files(&cli), files(&api));
    assert!(cli_files.iter().any(|(n, _)| n == "mothers.csv"));
    assert_eq!(
        cli_files.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        api_files.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in cli_files.iter().zip(&api_files) {
        assert!(
            a == b,
            "{name} differs between the command line and the API"
        );
    }
    assert_eq!(recipe(&cli), recipe(&api));
}

#[test]
fn streamed_results_are_the_results_in_memory_in_run_order() {
    let loaded = LoadedScenario::baseline();
    let run = Run::new(&loaded)
        .policy(PolicyName::Proportional)
        .replications(3)
        .threads(2);
    let mut streamed = Vec::new();
    let stats = run
        .stream(|batch| {
            assert_eq!(batch.variant, "base");
            streamed.extend(
                batch
                    .results
                    .iter()
                    .map(|r| (r.policy, r.replication, r.region, r.totals.mothers)),
            );
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap();
    let all = run.results().unwrap();
    assert_eq!(all.len(), 1);
    let in_memory: Vec<_> = all[0]
        .results
        .iter()
        .map(|r| (r.policy, r.replication, r.region, r.totals.mothers))
        .collect();
    assert_eq!(streamed, in_memory);
    let regions = loaded.scenario.regions.len();
    assert_eq!(streamed.len(), 3 * regions);
    assert!(streamed.iter().all(|r| r.0 == "proportional"));
    assert_eq!(stats.events, all[0].events);
    assert!(!stats.interrupted);
}

#[test]
fn a_stopped_run_is_interrupted_and_resuming_it_gives_the_whole_run() {
    let tmp = TempDir::new().unwrap();
    let loaded = LoadedScenario::baseline();
    let run = Run::new(&loaded).replications(2).charts(false);
    let whole = tmp.path().join("whole");
    run.to_dir(&whole).unwrap();
    // A stop requested before the first batch: nothing is simulated, the directory is left
    // resumable.
    let out = tmp.path().join("stopped");
    let e = run
        .clone()
        .stop(Arc::new(AtomicBool::new(true)))
        .to_dir(&out)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Interrupted);
    assert_eq!(e.exit_code(), 130);
    assert!(
        e.message.contains("run the same command with --resume"),
        "{e}"
    );
    let resumed = run.clone().resume(true).to_dir(&out).unwrap();
    assert!(!resumed.finished_already);
    assert_eq!(files(&whole), files(&out));
    // Resuming a finished run does nothing.
    assert!(run.resume(true).to_dir(&out).unwrap().finished_already);
}

#[test]
fn bad_settings_are_input_errors_before_anything_is_written() {
    let tmp = TempDir::new().unwrap();
    let loaded = LoadedScenario::load(scenario("capacity-sweep.toml")).unwrap();
    let out = tmp.path().join("never");
    let e = Run::sweep(&loaded).shard(2, 2).to_dir(&out).unwrap_err();
    assert_eq!((e.kind, e.exit_code()), (ErrorKind::Input, 2));
    assert!(e.message.contains("need 0 <= I < N"), "{e}");
    assert!(!out.exists());
    let missing = LoadedScenario::load(tmp.path().join("absent.toml")).unwrap_err();
    assert!(missing.to_string().contains("absent.toml"), "{missing}");
}

/// A forecast whose stop flag is set (the web app's cancel button) fails as interrupted and
/// leaves no output directory; the same forecast with the flag clear writes its files.
#[test]
fn a_stopped_forecast_writes_nothing_and_says_it_was_interrupted() {
    let loaded = LoadedScenario::load(scenario("ksv-forecast/ksv-forecast.toml")).unwrap();
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("stopped");
    let stop = Arc::new(AtomicBool::new(true));
    let e = kraamsim::Forecast::new(&loaded)
        .replications(4)
        .charts(false)
        .stop(Arc::clone(&stop))
        .to_dir(&out)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Interrupted, "{}", e.message);
    assert_eq!(e.exit_code(), 130);
    assert!(!out.join("forecast.csv").exists() && !out.join("forecast.json").exists());
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .flat_map(|e| fs::read_dir(e.unwrap().path()).into_iter().flatten())
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");

    stop.store(false, std::sync::atomic::Ordering::SeqCst);
    let written = kraamsim::Forecast::new(&loaded)
        .replications(4)
        .charts(false)
        .stop(stop)
        .to_dir(tmp.path().join("finished"))
        .unwrap();
    assert!(written.out.join("forecast.csv").is_file());
}

/// README: `examples/policy_comparison.rs` "compares the policies under every capacity scope
/// through this API alone". `cargo test` builds the examples beside the tests; run it with
/// one replication and read its tables: one per scope, every policy in each, the same mothers.
#[test]
fn the_policy_comparison_example_compares_every_policy_under_every_scope() {
    let test = std::env::current_exe().unwrap();
    let example = test
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("examples").join("policy_comparison"))
        .filter(|p| p.exists());
    let Some(example) = example else {
        // Built by `cargo test` without a test filter; `cargo test --test api` alone skips.
        assert!(
            std::env::var_os("KRAAMSIM_REQUIRE_ALL_TESTS").is_none(),
            "the policy_comparison example is not built, and KRAAMSIM_REQUIRE_ALL_TESTS is set"
        );
        eprintln!("skipped: the policy_comparison example is not built (run `cargo test`)");
        return;
    };
    let out = std::process::Command::new(example)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scenarios/policy-comparison.toml", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let scopes: Vec<&str> = text.split("## scope ").skip(1).collect();
    assert_eq!(scopes.len(), 3, "{text}");
    for (scope, name) in scopes.iter().zip(["provider", "region", "waiting-list"]) {
        assert!(scope.starts_with(name), "{scope}");
        let rows: Vec<Vec<&str>> = scope
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| policy"))
            .map(|l| l.split('|').map(str::trim).collect())
            .collect();
        let policies: Vec<&str> = rows.iter().map(|r| r[1]).collect();
        assert_eq!(
            policies,
            [
                "minimum-first",
                "refuse-when-full",
                "proportional",
                "first-come-first-served"
            ],
            "{scope}"
        );
        // Every policy sees the same mothers (common random numbers).
        assert!(rows.iter().all(|r| r[2] == rows[0][2]), "{scope}");
    }
}
