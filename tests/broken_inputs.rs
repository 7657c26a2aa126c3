//! The corpus of broken inputs (`tests/broken/`, see its README): every file is refused by
//! `kraamsim validate` and by `kraamsim run` with exit code 2, a message naming the file, line,
//! column and field (each `# expect:` fragment of the file), no panic, and for `run` no output
//! directory. Plus the regressions found by fuzzing, fed to the library loader.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kraamsim::scenario;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken")
}

/// The corpus scenarios, sorted, each with its expected fragments.
fn cases() -> Vec<(PathBuf, Vec<String>)> {
    cases_in(&corpus())
}

/// The scenarios of one corpus directory, sorted, each with its expected fragments.
fn cases_in(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            // Lossy: one case is deliberately not UTF-8 (after its header).
            let text = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
            let expect: Vec<String> = text
                .lines()
                .filter_map(|l| l.strip_prefix("# expect: "))
                .map(str::to_string)
                .collect();
            assert!(
                !expect.is_empty(),
                "{} has no `# expect:` line",
                path.display()
            );
            (path, expect)
        })
        .collect()
}

/// Checks one command's failure on `path`; returns its stderr.
fn assert_refused(cmd: &mut Command, path: &Path, expect: &[String]) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let name = path.file_name().unwrap().to_string_lossy();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{name}: expected exit code 2, stderr:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{name}: panic:\n{stderr}"
    );
    for fragment in expect {
        assert!(
            stderr.contains(fragment),
            "{name}: `{fragment}` is not in stderr:\n{stderr}"
        );
    }
    // Every error line names a file, a line, a column and a field.
    let located = regex_free_location(&stderr);
    assert!(
        located,
        "{name}: no `FILE:LINE:COLUMN: `field`` in:\n{stderr}"
    );
    stderr
}

/// Whether some line looks like `  path/x.toml:12:5: `field`: ...` (or `.csv`).
fn regex_free_location(stderr: &str) -> bool {
    stderr.lines().any(|line| {
        let Some((place, rest)) = line.trim().split_once(": `") else {
            return false;
        };
        let mut parts = place.rsplitn(3, ':');
        let column = parts.next().unwrap_or("");
        let row = parts.next().unwrap_or("");
        let file = parts.next().unwrap_or("");
        (file.ends_with(".toml") || file.ends_with(".csv"))
            && row.parse::<usize>().is_ok_and(|n| n > 0)
            && column.parse::<usize>().is_ok_and(|n| n > 0)
            && rest.contains('`')
    })
}

#[test]
fn the_corpus_covers_every_kind_of_mistake() {
    let names: Vec<String> = cases()
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for kind in [
        "syntax-",
        "truncated",
        "non-utf8",
        "empty",
        "type-",
        "unknown-key-",
        "out-of-range",
        "dangling-",
        "sweep-",
        "csv-empty-",
        "csv-missing-column",
        "csv-bad-number",
        "csv-extra-field",
        "csv-non-utf8",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(kind)),
            "no `{kind}*` case in tests/broken"
        );
    }
}

#[test]
fn validate_refuses_every_broken_file_with_its_place() {
    for (path, expect) in cases() {
        let mut cmd = Command::cargo_bin("kraamsim").unwrap();
        cmd.arg("validate").arg(&path);
        assert_refused(&mut cmd, &path, &expect);
    }
}

/// Runs `kraamsim SUBCOMMAND PATH --out DIR --replications N -q` in `tmp`: it must refuse the
/// file (see [`assert_refused`]) and leave no output directory.
fn assert_refused_without_output(
    tmp: &Path,
    subcommand: &str,
    path: &Path,
    expect: &[String],
    replications: u32,
) {
    let out = tmp.join("out");
    let mut cmd = Command::cargo_bin("kraamsim").unwrap();
    cmd.current_dir(tmp)
        .arg(subcommand)
        .arg(path)
        .arg("--out")
        .arg(&out)
        .args(["--replications", &replications.to_string(), "-q"]);
    assert_refused(&mut cmd, path, expect);
    assert!(
        !out.exists(),
        "{}: created {}",
        path.display(),
        out.display()
    );
}

#[test]
fn run_refuses_every_broken_file_before_creating_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    for (path, expect) in cases() {
        assert_refused_without_output(tmp.path(), "run", &path, &expect, 1);
        assert!(
            !tmp.path().join("output").exists(),
            "{}: created a default output directory",
            path.display()
        );
    }
}

/// `tests/broken/forecast/`: broken bookings.csv, roster.csv and `[forecast]` tables. Each is
/// refused by `kraamsim forecast` with exit code 2, its place (CSV file, line, column and
/// field, or the scenario's line), no panic and no output directory.
#[test]
fn forecast_refuses_every_broken_bookings_and_roster_before_creating_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = cases_in(&corpus().join("forecast"));
    assert!(
        cases.len() >= 9,
        "the forecast corpus has {} cases",
        cases.len()
    );
    for (path, expect) in cases {
        assert_refused_without_output(tmp.path(), "forecast", &path, &expect, 2);
        // `validate` checks the forecast files too, once the as-of date is known.
        if !path.ends_with("no-as-of.toml") {
            let mut cmd = Command::cargo_bin("kraamsim").unwrap();
            cmd.arg("validate").arg(&path);
            assert_refused(&mut cmd, &path, &expect);
        }
    }
}

/// The forecast corpus's own data files are fine where they are meant to be: the good
/// bookings and roster forecast without error.
#[test]
fn forecast_corpus_good_files_forecast() {
    let dir = corpus().join("forecast");
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("good.toml");
    let text = fs::read_to_string(dir.join("no-as-of.toml"))
        .unwrap()
        .replace(
            "data/ok-bookings.csv",
            &dir.join("data/ok-bookings.csv").display().to_string(),
        )
        .replace(
            "data/ok-roster.csv",
            &dir.join("data/ok-roster.csv").display().to_string(),
        );
    fs::write(&scenario, text).unwrap();
    Command::cargo_bin("kraamsim")
        .unwrap()
        .arg("forecast")
        .arg(&scenario)
        .args([
            "--as-of",
            "2027-05-05",
            "--weeks",
            "3",
            "--replications",
            "3",
            "-q",
        ])
        .arg("--out")
        .arg(tmp.path().join("out"))
        .assert()
        .success();
    // A Wednesday: 21 days over four ISO weeks, the first and last cut.
    let weeks = fs::read_to_string(tmp.path().join("out/forecast-weeks.csv")).unwrap();
    let days: Vec<&str> = weeks
        .lines()
        .filter(|l| l.contains(",ALL,ALL,"))
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(days, ["5", "7", "7", "2"], "{weeks}");
    assert!(weeks.contains("2027-05-03,5,"), "{weeks}");
}

#[test]
fn the_library_reports_the_same_errors() {
    // `load_file` is what the CLI calls; its Display is what the CLI prints after `error: `.
    for (path, expect) in cases() {
        let err = match scenario::load_file(&path) {
            Ok(loaded) => match scenario::variants(&loaded) {
                Ok(_) => panic!("{} loads", path.display()),
                Err(e) => e,
            },
            Err(e) => e,
        };
        let text = err.to_string();
        for fragment in &expect {
            assert!(text.contains(fragment), "{}: {text}", path.display());
        }
        assert!(err.errors.iter().all(|e| !e.message.is_empty()));
    }
}

#[test]
fn a_sweep_file_with_a_bad_value_still_validates_its_good_base() {
    // The base of sweep-bad-value.toml is valid: only the sweep is at fault, and the error
    // points at the bad value, not at the base.
    let path = corpus().join("sweep-bad-value.toml");
    let loaded = scenario::load_file(&path).unwrap();
    let err = scenario::variants(&loaded).unwrap_err();
    assert_eq!(err.errors.len(), 1, "{err}");
    assert_eq!(err.errors[0].path, "sweep.\"carers.capacity_factor\"[1]");
}

#[test]
fn a_missing_scenario_file_is_exit_2_without_a_position() {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("kraamsim")
        .unwrap()
        .current_dir(tmp.path())
        .args(["validate", "no-such.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no-such.toml: `(file)`: cannot read file",
        ));
}

#[test]
fn a_region_without_carers_loads_once_it_says_why() {
    let postcodes: &[u8] = b"pc4,region,births_per_year\n1234,R,100\n";
    let providers: &[u8] = b"provider,region,market_share,contract_type,postcodes\nP,R,1,A,\n";
    let carers: &[u8] = b"provider,region,carers,contract_hours_per_week\nP,R,0,22\n";
    let files = [
        ("pc.csv", postcodes),
        ("prov.csv", providers),
        ("car.csv", carers),
    ];
    let data = "[data]\npostcodes = \"pc.csv\"\nproviders = \"prov.csv\"\ncarers = \"car.csv\"\n";
    let silent = format!("name = \"n\"\n{data}");
    let err = scenario::parse_with_data(&silent, "s.toml", &files).unwrap_err();
    assert_eq!(err.errors.len(), 1, "{err}");
    assert!(err.to_string().contains("pc.csv:2:2: `region`"), "{err}");
    // The CSV region says why through an inline entry of the same name.
    let said = format!(
        "name = \"n\"\n{data}[[regions]]\nname = \"R\"\npostcodes = []\nno_carers_reason = \"closure\"\n"
    );
    let s = scenario::parse_with_data(&said, "s.toml", &files).unwrap();
    assert_eq!(s.regions.len(), 1);
    assert_eq!(s.regions[0].postcodes.len(), 1);
    // A reason where there are carers is a contradiction.
    let carers: &[u8] = b"provider,region,carers,contract_hours_per_week\nP,R,3,22\n";
    let files = [files[0], files[1], ("car.csv", carers)];
    let err = scenario::parse_with_data(&said, "s.toml", &files).unwrap_err();
    assert!(
        err.to_string().contains("`regions[0].no_carers_reason`"),
        "{err}"
    );
}
