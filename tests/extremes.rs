//! Absurd but valid inputs run and give sensible results: no carers at all, no births, exactly
//! one mother, a 10-year period, 1,000 small regions. Each runs through the command line into
//! a real output directory; every number written must be finite and the hours must add up
//! (delivered + shortfall = indicated on every row of summary.csv).

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;

use kraamsim::run::{self, RunOptions};
use kraamsim::scenario;

/// A one-region scenario: `births` a year in one postcode, one provider with `carers`.
fn one_region(name: &str, births: f64, carers: u32, extra: &str) -> String {
    format!(
        "name = \"{name}\"\nreplications = 1\n{extra}\n[[regions]]\nname = \"R\"\npostcodes = [{{ pc4 = 3811, births_per_year = {births:?} }}]\n\n[[providers]]\nname = \"P\"\nregion = \"R\"\ncarers = {carers}\n"
    )
}

/// The rows of a CSV file as column -> value maps.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = `{}` is not a number", row[column]))
}

/// Runs `text` through `kraamsim run` into a fresh directory, checks every output file, and
/// returns summary.csv's rows and the stdout.
fn run_cli(text: &str, extra: &[&str]) -> (Vec<HashMap<String, String>>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let output = Command::cargo_bin("kraamsim")
        .unwrap()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["-q", "--check"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "run failed:\n{stderr}");
    // No NaN or infinity anywhere: not in the files, not in the table on stdout.
    for f in ["summary.csv", "weekly.csv", "stats.csv", "run.json"] {
        let content = fs::read_to_string(out.join(f)).unwrap();
        let lower = content.to_lowercase();
        assert!(
            !lower.contains("nan") && !lower.contains("inf"),
            "{f} has a NaN or infinity:\n{}",
            &content[..content.len().min(2000)]
        );
    }
    assert!(!stdout.to_lowercase().contains("nan"), "{stdout}");
    let summary = rows(&out.join("summary.csv"));
    for row in &summary {
        for (column, value) in row {
            if let Ok(x) = value.parse::<f64>() {
                assert!(x.is_finite() && x >= 0.0, "{column} = {value}");
            }
        }
        let indicated = num(row, "indicated_hours");
        let balance = num(row, "delivered_hours") + num(row, "shortfall_hours") - indicated;
        assert!(
            balance.abs() <= 0.01 + 1e-6 * indicated,
            "hours do not add up: {row:?}"
        );
        assert!(num(row, "mothers_below_minimum") <= num(row, "mothers"));
    }
    // weekly.csv: every number finite and not negative.
    for row in rows(&out.join("weekly.csv")) {
        for (column, value) in &row {
            if let Ok(x) = value.parse::<f64>() {
                assert!(x.is_finite() && x >= 0.0, "weekly {column} = {value}");
            }
        }
    }
    (summary, stdout)
}

fn all_row(summary: &[HashMap<String, String>]) -> &HashMap<String, String> {
    summary.iter().find(|r| r["region"] == "ALL").unwrap()
}

#[test]
fn zero_carers_deliver_nothing_and_leave_everyone_below_the_minimum() {
    let text = one_region("no-carers", 2000.0, 0, "").replace(
        "name = \"R\"\n",
        "name = \"R\"\nno_carers_reason = \"what if every carer left\"\n",
    );
    let (summary, stdout) = run_cli(&text, &[]);
    let all = all_row(&summary);
    let mothers = num(all, "mothers");
    println!(
        "zero carers: {mothers} mothers, {} below minimum, {} without care, delivered {} h of {} h",
        all["mothers_below_minimum"],
        all["mothers_without_care"],
        all["delivered_hours"],
        all["indicated_hours"]
    );
    assert!(mothers > 1500.0, "{all:?}");
    assert_eq!(num(all, "delivered_hours"), 0.0);
    assert_eq!(num(all, "carer_hours_available"), 0.0);
    assert_eq!(num(all, "mothers_below_minimum"), mothers);
    assert_eq!(num(all, "mothers_without_care"), mothers);
    assert_eq!(
        num(all, "birth_assists_missed"),
        num(all, "birth_assists_requested")
    );
    assert!(stdout.contains("100.0"), "{stdout}");

    // The capacity lever at 0 is the same situation, stated for the whole scenario.
    let text = one_region(
        "factor-zero",
        2000.0,
        50,
        "[carers]\ncapacity_factor = 0.0\n",
    );
    let (summary, _) = run_cli(&text, &[]);
    assert_eq!(num(all_row(&summary), "delivered_hours"), 0.0);
}

#[test]
fn zero_births_give_zero_rows_not_nan() {
    let text = one_region("no-births", 0.0, 10, "");
    let (summary, _) = run_cli(&text, &["--replications", "3"]);
    let all = all_row(&summary);
    assert_eq!(num(all, "mothers"), 0.0);
    assert_eq!(num(all, "indicated_hours"), 0.0);
    assert!(num(all, "carer_hours_available") > 0.0, "{all:?}");
}

#[test]
fn exactly_one_mother_gets_her_whole_indication() {
    // About one birth a year; the first seed whose year counts exactly one mother.
    let text = one_region("one-mother", 1.0, 5, "");
    let mut s = scenario::parse(&text, "one.toml").unwrap();
    let seed = (0..500)
        .find(|&seed| {
            s.seed = seed;
            let r = run::run(&s, &RunOptions::default()).unwrap();
            r.results[0].totals.mothers == 1
        })
        .expect("a seed with exactly one mother");
    let (summary, _) = run_cli(&text, &["--seed", &seed.to_string()]);
    let all = all_row(&summary);
    println!(
        "one mother (seed {seed}): indicated {} h, delivered {} h",
        all["indicated_hours"], all["delivered_hours"]
    );
    assert_eq!(num(all, "mothers"), 1.0);
    assert_eq!(num(all, "mothers_full_indication"), 1.0);
    assert_eq!(num(all, "mothers_below_minimum"), 0.0);
    assert!(num(all, "indicated_hours") >= 24.0);
    assert!((num(all, "delivered_hours") - num(all, "indicated_hours")).abs() < 1e-6);
}

#[test]
fn a_ten_year_period_runs_and_scales_with_its_length() {
    let year = one_region("one-year", 2000.0, 110, "");
    let decade = one_region(
        "ten-years",
        2000.0,
        110,
        "[period]\nstart = \"2027-01-01\"\nend = \"2036-12-31\"\n",
    );
    let (one, _) = run_cli(&year, &[]);
    let (ten, _) = run_cli(&decade, &[]);
    let (m1, m10) = (num(all_row(&one), "mothers"), num(all_row(&ten), "mothers"));
    let (d1, d10) = (
        num(all_row(&one), "delivered_hours") / m1,
        num(all_row(&ten), "delivered_hours") / m10,
    );
    println!("one year: {m1} mothers, {d1:.1} h each; ten years: {m10} mothers, {d10:.1} h each");
    // Ten years have about ten times the mothers (Poisson: well within 5%), and each gets
    // about what she gets in one year.
    assert!((m10 / m1 - 10.0).abs() < 0.5, "{m1} vs {m10}");
    assert!((d10 - d1).abs() < 2.0, "{d1} vs {d10}");
}

#[test]
fn a_thousand_small_regions_run_with_a_row_each() {
    let mut text = String::from("name = \"thousand\"\nreplications = 1\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "[[regions]]\nname = \"R{i:04}\"\npostcodes = [{{ pc4 = {}, births_per_year = 20 }}]\n[[providers]]\nname = \"P\"\nregion = \"R{i:04}\"\ncarers = 2\n",
            1000 + i
        ));
    }
    let (summary, _) = run_cli(&text, &["--scope", "region"]);
    assert_eq!(summary.len(), 1001, "1,000 regions and ALL");
    let all = all_row(&summary);
    let regions_mothers: f64 = summary
        .iter()
        .filter(|r| r["region"] != "ALL")
        .map(|r| num(r, "mothers"))
        .sum();
    assert_eq!(regions_mothers, num(all, "mothers"));
    let mothers = num(all, "mothers");
    println!(
        "1,000 regions: {mothers} mothers, {:.1} h delivered each, {} below minimum",
        num(all, "delivered_hours") / mothers,
        all["mothers_below_minimum"]
    );
    assert!((mothers - 20_000.0).abs() < 600.0, "{mothers}");
}
