//! Hostile or careless use of the command line: a scenario name that would leave the output
//! directory, a scenario too large to fit in memory, `--force` on a directory holding the
//! user's own files, and `generate` over an earlier dataset. Each must end with exit 2 and a
//! message, or leave the user's files as they were.

use std::fs;
use std::path::{Path, PathBuf};

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
