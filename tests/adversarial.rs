//! Hostile or careless use of the command line: a scenario name that would leave the output
//! directory, a scenario too large to fit in memory, `--force` on a directory holding the
//! user's own files, data files that are devices or FIFOs, millions of errors, two runs into
//! one directory, a full or read-only disk. Each must end with exit 2 and a message, or leave
//! the user's files as they were.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").unwrap()
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// baseline.toml with its first line `name = "..."` replaced.
fn baseline_named(dir: &Path, name: &str) -> PathBuf {
    let text = fs::read_to_string(scenario("baseline.toml")).unwrap();
    let text = text.replacen("name = \"baseline\"", &format!("name = {name:?}"), 1);
    let path = dir.join("s.toml");
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_scenario_name_that_is_not_one_safe_path_component_is_refused() {
    let tmp = TempDir::new().unwrap();
    for name in ["../escape", "a/b", "..", ""] {
        let path = baseline_named(tmp.path(), name);
        kraamsim()
            .arg("validate")
            .arg(&path)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("name").and(predicate::str::contains("panicked").not()),
            );
    }
    assert!(!tmp.path().parent().unwrap().join("escape").exists());
}

#[test]
fn a_scenario_beyond_the_size_limit_is_refused_before_it_runs() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    kraamsim()
        .arg("run")
        .arg(scenario("baseline.toml"))
        .arg("--out")
        .arg(&out)
        .env("KRAAMSIM_MAX_MOTHERS", "100")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KRAAMSIM_MAX_MOTHERS"));
    assert!(!out.exists(), "no output directory is left");
}

#[test]
fn force_keeps_the_users_files_and_refuses_one_under_a_kraamsim_name() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("charts")).unwrap();
    fs::write(out.join("notes.txt"), "mine\n").unwrap();
    fs::write(out.join("charts").join("holiday.png"), "mine\n").unwrap();
    let run = |extra: &[&str]| {
        let mut c = kraamsim();
        c.arg("run")
            .arg(scenario("baseline.toml"))
            .arg("--out")
            .arg(&out)
            .args(["--replications", "1", "-q", "--force"])
            .args(extra);
        c
    };
    run(&[]).assert().success();
    run(&[]).assert().success();
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine\n");
    assert_eq!(
        fs::read_to_string(out.join("charts").join("holiday.png")).unwrap(),
        "mine\n"
    );
    assert!(out.join("summary.csv").is_file());

    // A file of the user's under a name the run writes is refused, before any work.
    let other = tmp.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("summary.csv"), "mine\n").unwrap();
    kraamsim()
        .arg("run")
        .arg(scenario("baseline.toml"))
        .arg("--out")
        .arg(&other)
        .args(["--replications", "1", "-q", "--force"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not written by kraamsim"));
    assert_eq!(
        fs::read_to_string(other.join("summary.csv")).unwrap(),
        "mine\n"
    );
}

#[test]
fn a_file_or_a_dangling_link_as_out_is_an_error_with_exit_2() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("afile");
    fs::write(&file, "x").unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), &link).unwrap();
    for out in [file.join("sub"), file.clone(), link] {
        kraamsim()
            .arg("run")
            .arg(scenario("baseline.toml"))
            .arg("--out")
            .arg(&out)
            .args(["--replications", "1", "-q"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("panicked").not());
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn thread_and_replication_counts_out_of_range_are_refused_with_exit_2() {
    for args in [
        ["--threads", "0"],
        ["--threads", "100000"],
        ["--replications", "0"],
        ["--replications", "100001"],
    ] {
        kraamsim()
            .arg("run")
            .arg(scenario("baseline.toml"))
            .args(args)
            .arg("-q")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(args[0]));
    }
}

/// A scenario in `dir` whose `[data]` files are `postcodes`, `providers` and `carers` (paths
/// relative to `dir`), over the small valid region of `tests/broken/data/ok-*.csv`.
fn scenario_with_data(dir: &Path, postcodes: &str, providers: &str, carers: &str) -> PathBuf {
    let path = dir.join("s.toml");
    let text = format!(
        "name = \"data\"\n[data]\npostcodes = {postcodes:?}\nproviders = {providers:?}\ncarers = {carers:?}\n"
    );
    fs::write(&path, text).unwrap();
    for name in ["ok-postcodes.csv", "ok-providers.csv", "ok-carers.csv"] {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/broken/data")
            .join(name);
        fs::copy(from, dir.join(name)).unwrap();
    }
    path
}

/// `kraamsim run SCENARIO --out OUT -q` plus `extra`.
fn run_into(scenario: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = kraamsim();
    c.arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .args(extra);
    c
}

#[test]
fn a_device_a_fifo_or_a_directory_as_an_input_file_is_refused_at_once() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let s = scenario_with_data(dir, "ok-postcodes.csv", "ok-providers.csv", "ok-carers.csv");
    kraamsim().arg("validate").arg(&s).assert().success();

    let fifo = dir.join("fifo.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.csv")).unwrap();
    fs::create_dir(dir.join("folder.csv")).unwrap();
    for bad in ["fifo.csv", "zero.csv", "folder.csv"] {
        let s = scenario_with_data(dir, "ok-postcodes.csv", bad, "ok-carers.csv");
        // Without the check, the FIFO blocks for ever and /dev/zero fills the memory.
        run_into(&s, &dir.join("out"), &[])
            .timeout(Duration::from_secs(20))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("data.providers").and(predicate::str::contains(
                    if bad == "folder.csv" {
                        "a directory"
                    } else {
                        "not a regular file"
                    },
                )),
            );
        assert!(!dir.join("out").exists());
    }
    // The scenario file itself.
    assert_validate_refuses(&fifo, "not a regular file");
}

/// `kraamsim validate SCENARIO` ends within 20 s with exit 2 and `fragment` on stderr (a
/// hang on a FIFO or a read of an endless file would time out).
fn assert_validate_refuses(scenario: &Path, fragment: &str) {
    kraamsim()
        .arg("validate")
        .arg(scenario)
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(fragment));
}

#[test]
fn a_data_file_beyond_the_size_limit_is_refused_without_reading_it() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let big = fs::File::create(dir.join("big.csv")).unwrap();
    big.set_len((256 << 20) + 1).unwrap(); // sparse: no disk used
    let s = scenario_with_data(dir, "big.csv", "ok-providers.csv", "ok-carers.csv");
    assert_validate_refuses(&s, "larger than the limit of 256 MB");
}

#[test]
fn a_postcode_repeated_200000_times_is_reported_once_and_long_error_lists_are_capped() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let repeated = vec!["1234"; 200_000].join(" ");
    fs::write(
        dir.join("providers.csv"),
        format!("provider,region,market_share,contract_type,postcodes\nP,R,1,A,{repeated}\n"),
    )
    .unwrap();
    let s = scenario_with_data(dir, "ok-postcodes.csv", "providers.csv", "ok-carers.csv");
    let out = kraamsim()
        .arg("validate")
        .arg(&s)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("listed twice").count(), 1, "{stderr}");
    assert!(stderr.lines().count() < 5, "{stderr}");

    // 300 rows with a value of one kind that does not parse: one line with its rows.
    let mut postcodes = String::from("pc4,region,births_per_year\n");
    for i in 0..300 {
        postcodes.push_str(&format!("{},R,lots\n", 1000 + i));
    }
    fs::write(dir.join("postcodes.csv"), postcodes).unwrap();
    let s = scenario_with_data(dir, "postcodes.csv", "ok-providers.csv", "ok-carers.csv");
    let out = kraamsim().arg("validate").arg(&s).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("300 errors"), "{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(
        stderr.contains("postcodes.csv:2:3: `births_per_year`: 300 values that are not a number of births, 0-1000000: rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (first 10 shown)"),
        "{stderr}"
    );

    // 300 distinct errors the scenario's checks find: the first 50 are shown, the rest
    // counted.
    let mut postcodes = String::from("pc4,region,births_per_year\n");
    for i in 0..300 {
        postcodes.push_str(&format!("{},R,-1\n", 1000 + i));
    }
    fs::write(dir.join("postcodes.csv"), postcodes).unwrap();
    let out = kraamsim().arg("validate").arg(&s).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("300 errors"), "{stderr}");
    assert_eq!(stderr.matches("got -1").count(), 50, "{stderr}");
    assert!(stderr.contains("... and 250 more"), "{stderr}");
}

/// summary.csv of a run of baseline.toml with `seed` and one replication.
fn reference_summary(dir: &Path, seed: &str) -> Vec<u8> {
    let out = dir.join(format!("reference-{seed}"));
    run_into(
        &scenario("baseline.toml"),
        &out,
        &["--replications", "1", "--no-charts", "--seed", seed],
    )
    .assert()
    .success();
    fs::read(out.join("summary.csv")).unwrap()
}

#[test]
fn two_runs_started_together_into_one_directory_never_mix() {
    let tmp = TempDir::new().unwrap();
    let references = [
        reference_summary(tmp.path(), "1"),
        reference_summary(tmp.path(), "2"),
    ];
    for trial in 0..20 {
        let out = tmp.path().join(format!("trial-{trial}"));
        let start = |seed: &str| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("kraamsim"))
                .args(["run", scenario("baseline.toml").to_str().unwrap(), "-q"])
                .args([
                    "--replications",
                    "1",
                    "--no-charts",
                    "--seed",
                    seed,
                    "--out",
                ])
                .arg(&out)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start("1"), start("2"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let codes = [a.status.code(), b.status.code()];
        // One wins; the other is refused (the lock is held, or the winner's output is there).
        let winner = match codes {
            [Some(0), Some(2)] => 0,
            [Some(2), Some(0)] => 1,
            _ => panic!(
                "trial {trial}: exit codes {codes:?}\n{}\n{}",
                String::from_utf8_lossy(&a.stderr),
                String::from_utf8_lossy(&b.stderr)
            ),
        };
        let meta: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join("run.json")).unwrap()).unwrap();
        assert_eq!(
            meta["seed"],
            [1, 2][winner],
            "trial {trial}: run.json of the loser"
        );
        assert!(
            fs::read(out.join("summary.csv")).unwrap() == references[winner],
            "trial {trial}: summary.csv is not the winner's"
        );
        let hidden: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.') && n != ".kraamsim-manifest.json")
            .collect();
        assert!(hidden.is_empty(), "trial {trial}: left {hidden:?}");
    }
}

#[test]
fn merge_onto_an_existing_output_is_refused_without_force() {
    let tmp = TempDir::new().unwrap();
    let sweep = scenario("capacity-sweep.toml");
    for shard in ["0/2", "1/2"] {
        kraamsim()
            .arg("sweep")
            .arg(&sweep)
            .args([
                "-q",
                "--no-charts",
                "--replications",
                "1",
                "--shard",
                shard,
                "--out",
            ])
            .arg(tmp.path().join(shard.replace('/', "-")))
            .assert()
            .success();
    }
    let existing = tmp.path().join("existing");
    run_into(
        &scenario("baseline.toml"),
        &existing,
        &["--replications", "1", "--no-charts"],
    )
    .assert()
    .success();
    let before = fs::read(existing.join("summary.csv")).unwrap();
    let merge = |force: bool| {
        let mut c = kraamsim();
        c.arg("merge")
            .arg(tmp.path().join("0-2"))
            .arg(tmp.path().join("1-2"))
            .args(["--no-charts", "--out"])
            .arg(&existing);
        if force {
            c.arg("--force");
        }
        c
    };
    merge(false)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --force to replace it"));
    assert_eq!(fs::read(existing.join("summary.csv")).unwrap(), before);
    merge(true).assert().success();
    assert!(existing.join("variants.csv").is_file());
}

/// A small tmpfs mounted at a fresh directory, or None (with the reason printed) where this
/// process may not mount one (not root, or no CAP_SYS_ADMIN).
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> Option<SmallDisk> {
        let at = dir.join("disk");
        fs::create_dir(&at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // `.ci/run` runs as root: there a skip would hide a test that did nothing.
            assert!(
                std::env::var_os("KRAAMSIM_REQUIRE_ALL_TESTS").is_none(),
                "cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN), and KRAAMSIM_REQUIRE_ALL_TESTS is set"
            );
            println!("SKIPPED: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)");
            return None;
        }
        Some(SmallDisk(at))
    }

    fn remount_read_only(&self) {
        let ok = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
#[cfg_attr(
    kraamsim_without_root,
    ignore = "needs root to mount a small tmpfs (run the tests as root, as .ci/run does)"
)]
fn a_full_or_read_only_disk_is_an_error_with_exit_2_and_no_half_written_directory() {
    let tmp = TempDir::new().unwrap();
    let Some(disk) = SmallDisk::mount(tmp.path(), "64k") else {
        return;
    };
    let out = disk.0.join("out");
    run_into(
        &scenario("national.toml"),
        &out,
        &["--replications", "1", "--no-charts"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("no space left on the device"));
    assert!(!out.exists(), "a half-written output directory is left");

    disk.remount_read_only();
    run_into(&scenario("baseline.toml"), &out, &["--replications", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("read-only"));
}

#[test]
fn forecast_snapshot_never_replaces_a_bookings_file_without_force() {
    let tmp = TempDir::new().unwrap();
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ksv-forecast/ksv-forecast.toml");
    fs::write(tmp.path().join("bookings.csv"), "mine\n").unwrap();
    let snapshot = |force: bool| {
        let mut c = kraamsim();
        c.arg("forecast-snapshot")
            .arg(&example)
            .arg("--out")
            .arg(tmp.path());
        if force {
            c.arg("--force");
        }
        c
    };
    snapshot(false)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        fs::read_to_string(tmp.path().join("bookings.csv")).unwrap(),
        "mine\n"
    );
    assert!(!tmp.path().join("roster.csv").exists());
    snapshot(true).assert().success();
    assert!(tmp.path().join("roster.csv").is_file());
}
