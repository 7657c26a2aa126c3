//! Interrupted runs lose nothing: a real signal stops a long run, the finished replications
//! are kept (and nothing partial sits under a final name), and `--resume` finishes it into
//! files byte-identical to an uninterrupted run. Also the guards around `--resume` and
//! `--force`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("kraamsim")
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// `run NATIONAL -q --replications 16 --threads 2`: long enough to be interrupted halfway.
fn national_run(national: &Path) -> Vec<&str> {
    let national = national.to_str().unwrap();
    vec![
        "run",
        national,
        "-q",
        "--replications",
        "16",
        "--threads",
        "2",
    ]
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// Whether the run writing into `out` has handed at least one batch to its summary file (a
/// hidden temporary `.summary.csv.*` that has grown past its buffer).
fn first_batch_written(out: &Path) -> bool {
    fs::read_dir(out).into_iter().flatten().flatten().any(|e| {
        e.file_name().to_string_lossy().starts_with(".summary.csv.")
            && e.metadata().map(|m| m.len() > 0).unwrap_or(false)
    })
}

/// Starts `kraamsim ARGS`, sends SIGTERM once the first batch is written, and returns the exit
/// code.
fn run_and_interrupt(args: &[&str], out: &Path) -> i32 {
    let mut child = Command::new(binary())
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !first_batch_written(out) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no batch written within a minute"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it could be interrupted");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stopped_in = signalled.elapsed();
    assert!(
        stopped_in < Duration::from_secs(1),
        "took {stopped_in:?} to stop after SIGTERM"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--resume"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    output.status.code().expect("exited, not killed")
}

fn run_to_end(args: &[&str], out: &Path) {
    let status = Command::new(binary())
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{args:?} failed");
}

fn assert_same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            fs::read(a.join(f)).unwrap() == fs::read(b.join(f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// The interrupted directory holds run.json (marked) and the hidden checkpoint, no result
/// file under a final name.
fn assert_interrupted(out: &Path) -> serde_json::Value {
    let meta = json(&out.join("run.json"));
    assert_eq!(meta["interrupted"], true);
    for f in [
        "summary.csv",
        "weekly.csv",
        "stats.csv",
        "mothers.csv",
        "yearly.csv",
        "providers.csv",
    ] {
        assert!(!out.join(f).exists(), "{f} of an unfinished run");
    }
    assert!(out.join(".kraamsim-resume/progress.json").exists());
    let done = meta["units_done"].as_u64().unwrap();
    let total = meta["units_total"].as_u64().unwrap();
    assert!(0 < done && done < total, "{done} of {total} units done");
    meta
}

/// Interrupts `kraamsim ARGS` once its first batch is written, checks what the interrupted
/// directory holds, resumes it, and compares `files` with an uninterrupted run's.
fn interrupt_resume_and_compare(args: &[&str], files: &[&str]) {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("interrupted");
    assert_eq!(run_and_interrupt(args, &out), 130);
    assert_interrupted(&out);
    assert!(!out.join("variants.csv").exists());

    let mut resume = args.to_vec();
    resume.push("--resume");
    run_to_end(&resume, &out);
    assert_eq!(json(&out.join("run.json"))["interrupted"], false);
    assert!(!out.join(".kraamsim-resume").exists(), "checkpoint left");

    let reference = tmp.path().join("reference");
    run_to_end(args, &reference);
    assert_same_files(&out, &reference, files);
}

#[test]
fn a_national_run_killed_halfway_resumes_into_identical_files() {
    let national = scenario("national.toml");
    interrupt_resume_and_compare(
        &national_run(&national),
        &[
            "summary.csv",
            "weekly.csv",
            "stats.csv",
            "postcodes.csv",
            "lorenz.csv",
            "yearly.csv",
            "providers.csv",
        ],
    );
}

#[test]
fn an_interrupted_sweep_resumes_into_identical_files() {
    let sweep = scenario("capacity-sweep.toml");
    interrupt_resume_and_compare(
        &[
            "sweep",
            sweep.to_str().unwrap(),
            "-q",
            "--replications",
            "24",
            "--threads",
            "2",
            "--mothers",
        ],
        &[
            "summary.csv",
            "weekly.csv",
            "stats.csv",
            "variants.csv",
            "mothers.csv",
            "postcodes.csv",
            "lorenz.csv",
            "transfers.csv",
            "yearly.csv",
            "providers.csv",
        ],
    );
}

#[test]
fn resume_refuses_another_run_and_accepts_a_finished_one() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let base = scenario("baseline.toml");
    let base = base.to_str().unwrap();
    run_to_end(&["run", base, "-q", "--replications", "2"], &out);
    let summary = fs::read(out.join("summary.csv")).unwrap();

    // The same run, finished: nothing to do, nothing changed.
    let done = Command::new(binary())
        .args([
            "run",
            base,
            "-q",
            "--replications",
            "2",
            "--resume",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(done.status.success());
    assert!(String::from_utf8_lossy(&done.stdout).contains("nothing to resume"));
    assert_eq!(fs::read(out.join("summary.csv")).unwrap(), summary);

    // Another seed is another run: exit 2, files untouched.
    let other = Command::new(binary())
        .args(["run", base, "-q", "--replications", "2", "--seed", "9"])
        .args(["--resume", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("another scenario, seed"));
    assert_eq!(fs::read(out.join("summary.csv")).unwrap(), summary);

    // --resume in a directory that is not an output at all.
    let foreign = tmp.path().join("foreign");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let nothing = Command::new(binary())
        .args(["run", base, "-q", "--resume", "--out"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(nothing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("no interrupted kraamsim run"));

    // --force and --resume together make no sense.
    let both = Command::new(binary())
        .args(["run", base, "-q", "--force", "--resume", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn force_adds_to_a_foreign_directory_without_touching_its_files() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("mine");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "keep me").unwrap();
    let base = scenario("baseline.toml");
    run_to_end(
        &[
            "run",
            base.to_str().unwrap(),
            "-q",
            "--replications",
            "1",
            "--force",
        ],
        &out,
    );
    assert_eq!(
        fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert!(out.join("run.json").exists());
}

/// baseline.toml thirty times larger (60,000 births a year, 6,000 carers) over twenty years:
/// one region-replication takes several seconds, so a signal lands inside one.
fn long_single_region(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(scenario("baseline.toml")).unwrap();
    let mut long = String::new();
    for line in text.lines() {
        let line = if line.starts_with("end = ") {
            "end = \"2046-12-31\"".to_string()
        } else if let Some(i) = line.find("births_per_year = ") {
            let (head, tail) = line.split_at(i + "births_per_year = ".len());
            let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
            let births: u32 = digits.parse().unwrap();
            format!("{head}{}{}", births * 30, &tail[digits.len()..])
        } else if let Some(n) = line.strip_prefix("carers = ") {
            format!("carers = {}", n.parse::<u32>().unwrap() * 30)
        } else {
            line.to_string()
        };
        long.push_str(&line);
        long.push('\n');
    }
    let path = dir.join("long.toml");
    fs::write(&path, long).unwrap();
    path
}

/// Starts `kraamsim run SCENARIO --replications 3 --threads 2 --out OUT` and waits until it
/// holds its directory and has worked for `busy`.
fn start_long_run(scenario: &Path, out: &Path, busy: Duration) -> std::process::Child {
    let child = Command::new(binary())
        .args(["run", scenario.to_str().unwrap(), "-q", "--no-charts"])
        .args(["--replications", "3", "--threads", "2", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !out.join(".kraamsim-lock").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(busy);
    child
}

fn signal(child: &std::process::Child, name: &str) {
    let sent = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn ctrl_c_inside_a_long_region_replication_stops_within_a_second_and_counts_what_it_kept() {
    let tmp = TempDir::new().unwrap();
    let long = long_single_region(tmp.path());
    let out = tmp.path().join("out");
    let child = start_long_run(&long, &out, Duration::from_millis(1000));
    let signalled = Instant::now();
    signal(&child, "-INT");
    let output = child.wait_with_output().unwrap();
    let stopped_in = signalled.elapsed();
    assert!(
        stopped_in < Duration::from_secs(1),
        "took {stopped_in:?} to stop after SIGINT"
    );
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kept: u64 = stderr
        .split("interrupted: ")
        .nth(1)
        .and_then(|rest| rest.split(" of 3 replications").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of kept replications in: {stderr}"));
    let progress = json(&out.join(".kraamsim-resume/progress.json"));
    assert_eq!(progress["units_done"].as_u64(), Some(kept), "{stderr}");
}

#[test]
fn a_killed_run_is_explained_and_force_clears_its_temporary_files() {
    let tmp = TempDir::new().unwrap();
    let long = long_single_region(tmp.path());
    let out = tmp.path().join("out");
    let mut child = start_long_run(&long, &out, Duration::from_millis(500));
    signal(&child, "-KILL");
    child.wait().unwrap();
    let temporary = |out: &Path| -> Vec<String> {
        fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.') && n != ".kraamsim-manifest.json")
            .collect()
    };
    assert!(!temporary(&out).is_empty(), "nothing left to clean");

    let again = |extra: &[&str]| {
        Command::new(binary())
            .args(["run", long.to_str().unwrap(), "-q", "--no-charts"])
            .args(["--replications", "3", "--threads", "2", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    for extra in [&[][..], &["--resume"][..]] {
        let refused = again(extra);
        assert_eq!(refused.status.code(), Some(2), "{extra:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("was killed"), "{extra:?}: {stderr}");
        assert!(stderr.contains("--force"), "{extra:?}: {stderr}");
    }

    let base = scenario("baseline.toml");
    let forced = Command::new(binary())
        .args(["run", base.to_str().unwrap(), "-q", "--no-charts"])
        .args(["--replications", "1", "--force", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(forced.status.success());
    assert!(String::from_utf8_lossy(&forced.stderr).contains("temporary files were removed"));
    assert!(temporary(&out).is_empty(), "left: {:?}", temporary(&out));
    assert!(out.join("summary.csv").is_file());
}

#[test]
fn resume_refuses_a_checkpoint_truncated_or_edited_at_the_same_size() {
    let tmp = TempDir::new().unwrap();
    let national = scenario("national.toml");
    let args = national_run(&national);
    let out = tmp.path().join("interrupted");
    assert_eq!(run_and_interrupt(&args, &out), 130);
    let kept = |dir: &Path| dir.join(".kraamsim-resume/summary.csv");
    type Damage = fn(&Path);
    let damage: [(&str, Damage); 2] = [
        ("truncated", |f| {
            let len = fs::metadata(f).unwrap().len();
            fs::OpenOptions::new()
                .write(true)
                .open(f)
                .unwrap()
                .set_len(len - 1)
                .unwrap();
        }),
        ("same size", |f| {
            let mut bytes = fs::read(f).unwrap();
            let last = bytes.len() - 2; // before the final newline
            bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
            fs::write(f, bytes).unwrap();
        }),
    ];
    for (how, damage) in damage {
        let copy = tmp.path().join(how);
        let copied = Command::new("cp")
            .arg("-a")
            .arg(&out)
            .arg(&copy)
            .status()
            .unwrap();
        assert!(copied.success());
        damage(&kept(&copy));
        let resumed = Command::new(binary())
            .args(&args)
            .arg("--resume")
            .arg("--out")
            .arg(&copy)
            .output()
            .unwrap();
        assert_eq!(resumed.status.code(), Some(2), "{how}");
        let stderr = String::from_utf8_lossy(&resumed.stderr);
        assert!(stderr.contains("is damaged"), "{how}: {stderr}");
        assert!(stderr.contains("summary.csv"), "{how}: {stderr}");
    }
}

/// The peak resident memory (VmHWM, kB) of a run of `kraamsim ARGS`, read from /proc while
/// it runs (the last reading before it exits; the peak only grows).
#[cfg(target_os = "linux")]
fn peak_memory_kb(args: &[&str]) -> u64 {
    let mut child = Command::new(binary())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(kb) = fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak = peak.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.wait().unwrap().success(), "kraamsim {args:?}");
    peak
}

/// README: memory does not grow with the number of replications beyond the per-replication
/// summary rows that stats.csv needs (a few kB each): results are written as they come, in
/// batches. Ten times the replications of the baseline take about 5 MB more (measured: 12 MB
/// for 100, 17 MB for 1,000). Were the region results kept until the end, each would hold
/// its weekly totals (53 weeks of 22 fields) and its mothers' ratios, over 15 kB, and the 900
/// more would add another 13 MB or more.
#[test]
fn memory_stays_flat_in_the_number_of_replications() {
    if !cfg!(target_os = "linux") {
        eprintln!("skipped: peak memory is read from /proc (Linux only)");
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let dir = TempDir::new().unwrap();
        let peak = |reps: &str, out: &str| {
            let out = dir.path().join(out);
            let out = out.to_str().unwrap();
            let args = [
                "run",
                "-q",
                "--no-charts",
                "--threads",
                "2",
                "--replications",
                reps,
                "--out",
                out,
            ];
            peak_memory_kb(&args)
        };
        let (small, large) = (peak("100", "small"), peak("1000", "large"));
        eprintln!("peak memory: {small} kB for 100 replications, {large} kB for 1,000");
        assert!(
            large < small + 12_000,
            "peak memory {small} kB for 100 replications, {large} kB for 1,000"
        );
    }
}
