//! The shipped national dataset: reproducible from its documented command, totals equal to
//! the figures it was generated from, and a national run that counts them.

use std::path::Path;

use kraamsim::generate::national::{self, CARERS, POSTCODES, PROVINCES, REGIONS};
use kraamsim::run::{self, RunOptions};
use kraamsim::scenario;

fn shipped() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/national")
}

#[test]
fn shipped_dataset_is_what_the_documented_command_writes() {
    let dir = tempfile::tempdir().unwrap();
    national::write(&national::generate(1), dir.path()).unwrap();
    for f in ["postcodes.csv", "providers.csv", "carers.csv"] {
        let fresh = std::fs::read(dir.path().join(f)).unwrap();
        let ours = std::fs::read(shipped().join(f)).unwrap();
        assert!(
            fresh == ours,
            "{f} differs from `kraamsim generate national --seed 1`"
        );
    }
}

#[test]
fn the_documented_command_line_writes_the_shipped_dataset() {
    // README: `kraamsim generate national [--seed N] --out DIR`, run as the binary.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("national");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kraamsim"))
        .args(["generate", "national", "--seed", "1", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&out), names(&shipped()));
    for f in names(&shipped()) {
        assert!(
            std::fs::read(out.join(&f)).unwrap() == std::fs::read(shipped().join(&f)).unwrap(),
            "{f} differs from `kraamsim generate national --seed 1 --out DIR`"
        );
    }
}

#[test]
fn national_scenario_totals_match_the_national_figures() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national.toml");
    let s = scenario::load_file(&path).unwrap().scenario;
    assert_eq!(s.regions.len(), REGIONS);
    let postcodes: usize = s.regions.iter().map(|r| r.postcodes.len()).sum();
    assert_eq!(postcodes, POSTCODES);
    let births = s.expected_births();
    let expected: u32 = PROVINCES.iter().map(|p| p.1).sum();
    assert_eq!(births, f64::from(expected));
    assert_eq!(expected, 164_487, "CBS 82056NED, 2023");
    let (carers, hours) = kraamsim::output::workforce(&s);
    assert_eq!(carers, u64::from(CARERS));
    assert!((hours - 22.0).abs() < 0.01, "mean contract hours {hours}");

    // One national year counts the dataset's births within 2% (Poisson noise is ~0.25%).
    let r = run::run(
        &s,
        &RunOptions {
            threads: Some(2),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let mothers: u64 = r.results.iter().map(|x| x.totals.mothers).sum();
    let rel = (mothers as f64 - births).abs() / births;
    assert!(rel < 0.02, "{mothers} mothers vs {births} births");
    assert!(r.results.iter().all(|x| x.tier_order_violations == 0));
}

#[test]
fn bad_data_rows_are_reported_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("s.toml"),
        "name = \"csv\"\n[data]\npostcodes = \"pc.csv\"\nproviders = \"prov.csv\"\ncarers = \"car.csv\"\n",
    )
    .unwrap();
    std::fs::write(
        d.join("pc.csv"),
        "pc4,region,births_per_year\n1234,R,100\n12x4,R,50\n2345,R,-3\n",
    )
    .unwrap();
    std::fs::write(
        d.join("prov.csv"),
        "provider,region,market_share,contract_type,postcodes\nP,R,-1,A,\nQ,Nowhere,1,C,\n",
    )
    .unwrap();
    std::fs::write(
        d.join("car.csv"),
        "provider,region,carers,contract_hours_per_week\nX,R,3,20\n",
    )
    .unwrap();
    let err = scenario::load_file(&d.join("s.toml"))
        .unwrap_err()
        .to_string();
    // Parse errors of every file at once, each with its file, line and column.
    assert!(err.contains("pc.csv:3:1: `pc4`"), "{err}");
    assert!(err.contains("prov.csv:3:4: `contract_type`"), "{err}");
    assert!(err.contains("car.csv:2:1: `provider`"), "{err}");

    // Once rows parse, semantic errors point at the CSV row too.
    std::fs::write(
        d.join("pc.csv"),
        "pc4,region,births_per_year\n1234,R,100\n2345,R,-3\n",
    )
    .unwrap();
    std::fs::write(
        d.join("prov.csv"),
        "provider,region,market_share,contract_type,postcodes\nP,R,-1,A,\nQ,R,1,B,1234 9999\n",
    )
    .unwrap();
    std::fs::write(
        d.join("car.csv"),
        "provider,region,carers,contract_hours_per_week\nP,R,3,20\n",
    )
    .unwrap();
    let err = scenario::load_file(&d.join("s.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("pc.csv:3:3: `births_per_year`"), "{err}");
    assert!(err.contains("prov.csv:2:3: `market_share`"), "{err}");
    assert!(err.contains("prov.csv:3:5: `postcodes`"), "{err}");
}
