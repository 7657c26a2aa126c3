//! The season forecast (`kraamsim forecast`, docs/forecast.md): the backtest (a forecast
//! made from a simulated run's state on a day against that run's real future), the shipped
//! example, reproducibility across thread counts, and the command line.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kraamsim::forecast::{self, Settings, backtest, bands::Bands, input, snapshot};
use kraamsim::scenario::{self, Scenario};
use tempfile::TempDir;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ksv-forecast/ksv-forecast.toml")
}

fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").expect("the kraamsim binary is built")
}

/// The known state of replication `truth` of `s` at `period.start`, as a snapshot's files.
fn known_from_snapshot(s: &Scenario, truth: u32) -> input::Known {
    backtest::known_from_snapshot(s, truth).expect("a snapshot reads back")
}

/// Forecasts `s` from `known` over its period's weeks, with `replications`.
fn forecast_known(s: &Scenario, known: &input::Known, replications: u32) -> Bands {
    backtest::forecast_known(s, known, replications).expect("forecast")
}

/// The backtest (`forecast::backtest`): for a few runs of the example scenario, the state on
/// its period's first day is written as bookings and roster, the forecast of the weeks after
/// it is made from those files alone, and each week's real value of the four metrics (demand,
/// contract carer hours, shortfall, mothers below the minimum) is checked against the
/// forecast's P10-P90. With bands that are right, about 80% of the points lie inside; the
/// measured coverage is written into docs/forecast.md by `doc-figures`.
#[test]
fn the_real_future_of_a_run_lies_within_the_forecast_bands_in_most_weeks() {
    let s = scenario::load_file(&example()).unwrap().scenario;
    let c = backtest::coverage(&s, 4, 100).unwrap();
    println!(
        "backtest coverage of P10-P90 over weeks x metrics: {}/{} = {:.3}",
        c.total_inside(),
        c.total_points(),
        c.share()
    );
    for (m, metric) in backtest::METRICS.iter().enumerate() {
        println!(
            "  {metric:<24} {}/{} = {:.3}",
            c.inside[m],
            c.points[m],
            c.metric_share(m)
        );
        // No metric may be systematically off.
        assert!(
            c.metric_share(m) >= 0.5,
            "{metric}: only {}/{} weeks inside the band",
            c.inside[m],
            c.points[m]
        );
    }
    assert!(
        c.share() >= 0.6,
        "only {}/{} week x metric points inside P10-P90",
        c.total_inside(),
        c.total_points()
    );
}

/// The shipped example's bookings and roster are its own snapshot (so the example is
/// reproducible and the docs' numbers can be re-made).
#[test]
fn shipped_example_files_are_the_scenarios_snapshot() {
    let s = scenario::load_file(&example()).unwrap().scenario;
    let snap = snapshot::snapshot(&s, 0);
    let dir = example().parent().unwrap().to_path_buf();
    assert_eq!(
        fs::read_to_string(dir.join("bookings.csv")).unwrap(),
        snap.bookings,
        "re-make with: kraamsim forecast-snapshot scenarios/ksv-forecast/ksv-forecast.toml --out scenarios/ksv-forecast --force"
    );
    assert_eq!(
        fs::read_to_string(dir.join("roster.csv")).unwrap(),
        snap.roster
    );
}

/// Mothers are neither lost nor counted twice: the forecast's mothers in care over the
/// weeks equal, in the mean, those of the real runs (a fuller check than the bands, which a
/// constant offset could still pass in some weeks).
#[test]
fn the_mothers_still_to_register_are_not_double_counted() {
    let s = scenario::load_file(&example()).unwrap().scenario;
    let ratio = backtest::demand_ratio(&s, 8, 50).unwrap();
    println!("forecast / real demand over the horizon: {ratio:.3}");
    assert!(
        (0.93..=1.07).contains(&ratio),
        "forecast / real demand {ratio}"
    );
}

fn run_forecast(out: &Path, extra: &[&str]) -> String {
    let output = kraamsim()
        .arg("forecast")
        .arg(example())
        .arg("--out")
        .arg(out)
        .args(["--replications", "40", "-q"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "forecast failed: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn forecast_outputs_are_byte_identical_for_one_and_two_threads() {
    let tmp = TempDir::new().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let table_a = run_forecast(&a, &["--threads", "1"]);
    let table_b = run_forecast(&b, &["--threads", "2"]);
    assert_eq!(table_a, table_b);
    for f in [
        "forecast.csv",
        "forecast-weeks.csv",
        "report.html",
        "charts/forecast.png",
        "charts/forecast.svg",
    ] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(a.join("forecast.json")).unwrap()).unwrap();
    assert_eq!(meta["as_of"], "2027-05-03");
    assert_eq!(meta["replications"], 40);
    // Another seed gives other futures.
    let c = tmp.path().join("c");
    run_forecast(&c, &["--seed", "7"]);
    assert_ne!(
        fs::read(a.join("forecast.csv")).unwrap(),
        fs::read(c.join("forecast.csv")).unwrap()
    );
}

#[test]
fn forecast_csv_has_every_level_series_and_metric_with_ordered_bands() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("f");
    let table = run_forecast(
        &out,
        &["--weeks", "6", "--as-of", "2027-05-03", "--no-charts"],
    );
    assert!(table.contains("What helps, per week"), "{table}");
    assert!(!out.join("charts").exists() && !out.join("report.html").exists());
    let text = fs::read_to_string(out.join("forecast.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "level,period_start,days,region,provider,metric,p10,p50,p90,mean"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // 4 providers + region + ALL = 6 series, 17 metrics, 42 days and 6 weeks.
    assert_eq!(rows.len(), 6 * 17 * (42 + 6));
    for r in &rows {
        let (p10, p50, p90): (f64, f64, f64) = (
            r[6].parse().unwrap(),
            r[7].parse().unwrap(),
            r[8].parse().unwrap(),
        );
        assert!(p10 <= p50 && p50 <= p90, "{r:?}");
    }
    // Every birth-assistance metric for every series and week; requests >= missed >= 0 in
    // every band (they hold in every future, so in every quantile and the mean).
    let value = |level: &str, start: &str, region: &str, provider: &str, metric: &str| {
        let r = rows
            .iter()
            .find(|r| {
                r[0] == level
                    && r[1] == start
                    && r[3] == region
                    && r[4] == provider
                    && r[5] == metric
            })
            .unwrap_or_else(|| panic!("no {level} {start} {region}/{provider} {metric}"));
        [6, 7, 8, 9].map(|i| r[i].parse::<f64>().unwrap())
    };
    for r in rows.iter().filter(|r| r[5] == "demand_hours") {
        let (level, start, region, provider) = (r[0], r[1], r[3], r[4]);
        for part in ["", "_night", "_day", "_evening"] {
            let requested = value(
                level,
                start,
                region,
                provider,
                &format!("birth_assists_requested{part}"),
            );
            let missed = value(
                level,
                start,
                region,
                provider,
                &format!("birth_assists_missed{part}"),
            );
            for (q, m) in requested.iter().zip(missed) {
                assert!(
                    *q >= m && m >= 0.0,
                    "{level} {start} {provider}{part}: {requested:?} {missed:?}"
                );
            }
        }
        // A metric's mean summed over the three day parts.
        let over_day_parts = |metric: &str| -> f64 {
            ["night", "day", "evening"]
                .iter()
                .map(|p| value(level, start, region, provider, &format!("{metric}_{p}"))[3])
                .sum()
        };
        assert!(over_day_parts("on_call_hours") >= 0.0);
        // The total's mean is the sum of the day parts' means.
        let parts = over_day_parts("birth_assists_requested");
        let total = value(level, start, region, provider, "birth_assists_requested")[3];
        assert!((parts - total).abs() < 0.01, "{parts} vs {total}");
    }
    // Six weeks of the region have births that ask for assistance.
    let region_requests: f64 = rows
        .iter()
        .filter(|r| {
            r[0] == "week" && r[3] != "ALL" && r[4] == "ALL" && r[5] == "birth_assists_requested"
        })
        .map(|r| r[9].parse::<f64>().unwrap())
        .sum();
    assert!(region_requests > 6.0, "{region_requests}");

    let weeks = fs::read_to_string(out.join("forecast-weeks.csv")).unwrap();
    assert_eq!(weeks.lines().count(), 1 + 6 * 6);
    assert!(
        weeks.lines().next().unwrap().ends_with(
            ",why,birth_assists_requested_p50,birth_assists_missed_p50,birth_assists_missed_p90,\
             worst_day_part,worst_day_part_missed_share"
        ),
        "{weeks}"
    );
    assert!(table.contains("Birth assistance, per week"), "{table}");
    // The region's demand is the sum of its providers' in every replication, so the means add up.
    let mean = |provider: &str| -> f64 {
        rows.iter()
            .filter(|r| {
                r[0] == "week" && r[4] == provider && r[3] != "ALL" && r[5] == "demand_hours"
            })
            .map(|r| r[9].parse::<f64>().unwrap())
            .sum()
    };
    let providers: f64 = [
        "Gooi Kraamzorg",
        "Kraamzorg Vecht",
        "Kraamzorg Eemnes-Laren",
        "Flexzorg",
    ]
    .iter()
    .map(|p| mean(p))
    .sum();
    assert!((providers - mean("ALL")).abs() < 0.01 * providers.max(1.0));

    // Per postcode and week; the postcodes' mean mothers below the minimum add up to the
    // region's (every mother has one postcode).
    let postcodes = fs::read_to_string(out.join("forecast-postcodes.csv")).unwrap();
    let pc_rows: Vec<Vec<&str>> = postcodes
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(pc_rows.len(), 12 * 6);
    let pc_mean: f64 = pc_rows.iter().map(|r| r[7].parse::<f64>().unwrap()).sum();
    let region_mean: f64 = rows
        .iter()
        .filter(|r| {
            r[0] == "week" && r[3] != "ALL" && r[4] == "ALL" && r[5] == "mothers_below_minimum"
        })
        .map(|r| r[9].parse::<f64>().unwrap())
        .sum();
    assert!(
        (pc_mean - region_mean).abs() < 0.01 + 1e-3 * region_mean,
        "{pc_mean} vs {region_mean}"
    );
}

/// The lengths in hours of the day parts that start at `starts`.
fn part_hours(starts: [u32; 3]) -> [f64; 3] {
    std::array::from_fn(|p| f64::from((starts[(p + 1) % 3] + 24 - starts[p]) % 24))
}

/// With `birth_assist.on_call` fixed, every provider staffs that many posts in each day part
/// (`pool = "provider"`), so its on-call hours are posts x part length every day, in every
/// future; pooled over the region the region has those posts once, shared out over the
/// providers.
#[test]
fn forecast_on_call_hours_are_posts_times_day_part_hours() {
    let mut s = scenario::load_file(&example()).unwrap().scenario;
    let posts = [1u32, 2, 1];
    s.birth_assist.on_call = Some(posts);
    s.birth_assist.day_parts = [0, 7, 19];
    let hours = part_hours(s.birth_assist.day_parts);
    assert_eq!(hours, [7.0, 12.0, 5.0]);
    s.birth_assist.pool = Some(scenario::AssistPool::Provider);
    let known = known_from_snapshot(&s, 0);
    let on_call = |b: &Bands, series: usize, w: usize, p: usize| {
        let m = forecast::bands::ON_CALL_HOURS_BY_PART + p;
        let band = b.series[series].weeks[w][m];
        assert_eq!(
            band.p10, band.p90,
            "on-call hours do not vary between futures"
        );
        band.p50
    };
    let own = forecast_known(&s, &known, 10);
    // 4 providers, the region, all regions.
    assert_eq!(own.series.len(), 6);
    for (w, week) in own.weeks.iter().enumerate() {
        let days = f64::from(week.days);
        for p in 0..3 {
            for k in 0..4 {
                assert_eq!(
                    on_call(&own, k, w, p),
                    f64::from(posts[p]) * hours[p] * days
                );
            }
            assert_eq!(
                on_call(&own, 4, w, p),
                4.0 * f64::from(posts[p]) * hours[p] * days
            );
        }
    }
    s.birth_assist.pool = Some(scenario::AssistPool::Region);
    let pooled = forecast_known(&s, &known, 10);
    for (w, week) in pooled.weeks.iter().enumerate() {
        let days = f64::from(week.days);
        for p in 0..3 {
            let region = f64::from(posts[p]) * hours[p] * days;
            assert_eq!(on_call(&pooled, 4, w, p), region);
            let providers: f64 = (0..4).map(|k| on_call(&pooled, k, w, p)).sum();
            assert!((providers - region).abs() < 1e-9);
            // Largest remainder: Gooi Kraamzorg (88 of the 158 carers) staffs one post in
            // every part, the single post of the night and evening and one of the day's two.
            assert_eq!(on_call(&pooled, 0, w, p), hours[p] * days);
        }
    }
}

/// Requests are counted at the mother's own provider, whichever post serves her, and depend
/// only on the births: pooling the on-call posts over the region leaves every request band
/// as it was (same seed, same known state) and changes who is on call.
#[test]
fn pooling_birth_assistance_leaves_the_requests_and_moves_the_on_call_hours() {
    let mut s = scenario::load_file(&example()).unwrap().scenario;
    s.birth_assist.pool = Some(scenario::AssistPool::Provider);
    let known = known_from_snapshot(&s, 1);
    let own = forecast_known(&s, &known, 20);
    s.birth_assist.pool = Some(scenario::AssistPool::Region);
    let pooled = forecast_known(&s, &known, 20);
    let requested = forecast::bands::ASSISTS_REQUESTED_BY_PART;
    let on_call = forecast::bands::ON_CALL_HOURS_BY_PART;
    let mut any_requests = 0.0;
    let mut on_call_moved = false;
    for (a, b) in own.series.iter().zip(&pooled.series) {
        assert_eq!((&a.region, &a.provider), (&b.region, &b.provider));
        for (d, (x, y)) in a.days.iter().zip(&b.days).enumerate() {
            for m in [
                forecast::bands::ASSISTS_REQUESTED,
                requested,
                requested + 1,
                requested + 2,
            ] {
                assert_eq!(x[m], y[m], "{} day {d} metric {m}", a.provider);
            }
            any_requests += x[forecast::bands::ASSISTS_REQUESTED].mean;
            on_call_moved |= (0..3).any(|p| x[on_call + p] != y[on_call + p]);
        }
    }
    assert!(any_requests > 0.0);
    assert!(on_call_moved, "pooling changed no provider's on-call hours");
}

#[test]
fn hours_to_minimum_are_at_most_those_to_guaranteed_and_to_full() {
    // README: forecast-weeks.csv gives "the extra carer hours that would bring every mother to
    // her minimum and to her full indication". Per mother (src/sim/known.rs) the hours to the
    // minimum, max(0, min(24, indicated) - delivered), are at most those to the minimum plus
    // medical hours, which are at most her shortfall, and are 0 for a mother who reached the
    // minimum. Summed per cell and replication and taken as quantiles or means over the
    // replications, every band keeps that order, and a band with no mother below the
    // minimum has no hours to the minimum.
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("f");
    run_forecast(&out, &["--no-charts"]);
    let number = |text: &str| -> f64 { text.parse().unwrap() };
    let mut cells: std::collections::HashMap<String, std::collections::HashMap<String, Vec<f64>>> =
        Default::default();
    let text = fs::read_to_string(out.join("forecast.csv")).unwrap();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        cells.entry(f[..5].join(",")).or_default().insert(
            f[5].to_string(),
            f[6..10].iter().map(|x| number(x)).collect(),
        );
    }
    let mut to_minimum = 0;
    for (cell, m) in &cells {
        let [minimums, guaranteeds, fulls, belows] = [
            "hours_to_minimum",
            "hours_to_guaranteed",
            "shortfall_hours",
            "mothers_below_minimum",
        ]
        .map(|metric| &m[metric]);
        let bands = minimums.iter().zip(guaranteeds).zip(fulls).zip(belows);
        for (band, (((&minimum, &guaranteed), &full), &below)) in
            ["p10", "p50", "p90", "mean"].into_iter().zip(bands)
        {
            assert!(
                0.0 <= minimum && minimum <= guaranteed && guaranteed <= full,
                "{cell} {band}: to minimum {minimum}, to guaranteed {guaranteed}, short {full}"
            );
            if below == 0.0 {
                assert_eq!(minimum, 0.0, "{cell} {band}: no mother below the minimum");
            }
            to_minimum += usize::from(minimum > 0.0);
        }
    }
    assert!(
        to_minimum > 50,
        "only {to_minimum} bands with hours to the minimum"
    );

    let weeks = fs::read_to_string(out.join("forecast-weeks.csv")).unwrap();
    let mut lines = weeks.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut rows = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        for q in ["p50", "p90"] {
            let v = |name: &str| number(f[col(&format!("{name}_{q}"))]);
            let (minimum, guaranteed, full) = (
                v("hours_to_minimum"),
                v("hours_to_guaranteed"),
                v("hours_to_full"),
            );
            assert!(
                0.0 <= minimum && minimum <= guaranteed && guaranteed <= full,
                "{line}"
            );
            if v("below_minimum") == 0.0 {
                assert_eq!(minimum, 0.0, "{line}");
            }
        }
        rows += usize::from(number(f[col("hours_to_minimum_p90")]) > 0.0);
    }
    assert!(
        rows > 5,
        "only {rows} weeks with hours to the minimum:\n{weeks}"
    );
}

#[test]
fn the_example_shows_summer_weeks_at_risk_and_what_would_help() {
    let tmp = TempDir::new().unwrap();
    let table = run_forecast(&tmp.path().join("f"), &[]);
    assert!(table.contains("Weeks at risk:"), "{table}");
    let weeks = fs::read_to_string(tmp.path().join("f/forecast-weeks.csv")).unwrap();
    let likely: Vec<&str> = weeks
        .lines()
        .filter(|l| l.contains(",Gooi en Vechtstreek,ALL,likely,"))
        .collect();
    assert!(
        likely
            .iter()
            .any(|l| l.starts_with("2027-07") || l.starts_with("2027-08")),
        "no summer week likely at risk:\n{weeks}"
    );
    assert!(
        !likely.iter().any(|l| l.starts_with("2027-06")),
        "June should be safe in the example:\n{weeks}"
    );
}

#[test]
fn forecast_refuses_an_earlier_forecast_without_force_and_needs_a_forecast_table() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("f");
    run_forecast(&out, &["--weeks", "2", "--no-charts"]);
    let again = kraamsim()
        .arg("forecast")
        .arg(example())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    run_forecast(&out, &["--weeks", "2", "--no-charts", "--force"]);

    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let none = kraamsim()
        .arg("forecast")
        .arg(&baseline)
        .arg("--out")
        .arg(tmp.path().join("g"))
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("[forecast]"));
    assert!(!tmp.path().join("g").exists());
    let bad_date = kraamsim()
        .arg("forecast")
        .arg(example())
        .args(["--as-of", "2027-13-01"])
        .output()
        .unwrap();
    assert_eq!(bad_date.status.code(), Some(2));

    // Not even --force writes a forecast over a run's output (its charts and report).
    let run = tmp.path().join("run");
    fs::create_dir_all(&run).unwrap();
    fs::write(run.join("run.json"), "{}").unwrap();
    let over_run = kraamsim()
        .arg("forecast")
        .arg(example())
        .arg("--out")
        .arg(&run)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(over_run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&over_run.stderr).contains("output of a kraamsim run"));
    assert_eq!(fs::read_dir(&run).unwrap().count(), 1);
}

/// The example scenario copied into `dir` with `bookings` and `roster` beside it.
fn example_with(dir: &Path, bookings: &[u8], roster: &[u8]) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let scenario = dir.join("ksv-forecast.toml");
    fs::copy(example(), &scenario).unwrap();
    fs::write(dir.join("bookings.csv"), bookings).unwrap();
    fs::write(dir.join("roster.csv"), roster).unwrap();
    scenario
}

/// A file of the shipped example.
fn shipped(name: &str) -> String {
    fs::read_to_string(example().with_file_name(name)).unwrap()
}

/// `kraamsim forecast SCENARIO --out OUT` with few replications and no charts.
fn forecast_cli(scenario: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    kraamsim()
        .arg("forecast")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--replications", "10", "--no-charts", "-q"])
        .args(extra)
        .output()
        .unwrap()
}

/// A planning system's export saved by Dutch Excel (`;`, decimal commas, DD-MM-YYYY dates,
/// a byte-order mark, `\r\n`) forecasts exactly what the comma-separated files do.
#[test]
fn a_dutch_excel_export_of_the_example_forecasts_the_same_bytes() {
    let tmp = TempDir::new().unwrap();
    let (bookings, roster) = (shipped("bookings.csv"), shipped("roster.csv"));
    let (dutch_bookings, dutch_roster) =
        (common::dutch_excel(&bookings), common::dutch_excel(&roster));
    let text = String::from_utf8(dutch_bookings.clone()).unwrap();
    assert!(
        text.starts_with("\u{feff}mother;region;provider;postcode;"),
        "{text}"
    );
    assert!(
        text.contains(";59,00;14,00;clinical;24-04-2027;10;41,019\r\n"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&dutch_roster).contains(";23-07-2027..12-08-2027;"));

    let comma = example_with(
        &tmp.path().join("comma"),
        bookings.as_bytes(),
        roster.as_bytes(),
    );
    let dutch = example_with(&tmp.path().join("dutch"), &dutch_bookings, &dutch_roster);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let run_a = forecast_cli(&comma, &a, &[]);
    let run_b = forecast_cli(&dutch, &b, &[]);
    assert!(
        run_a.status.success(),
        "{}",
        String::from_utf8_lossy(&run_a.stderr)
    );
    assert!(
        run_b.status.success(),
        "{}",
        String::from_utf8_lossy(&run_b.stderr)
    );
    assert_eq!(run_a.stdout, run_b.stdout);
    for f in [
        "forecast.csv",
        "forecast-weeks.csv",
        "forecast-postcodes.csv",
    ] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs between the comma file and its Dutch export"
        );
    }
}

/// Every error of a roster in one run: a reversed holiday on line 2 is reported beside an
/// empty contract on line 5 (whose row does not parse), and nothing is written.
#[test]
fn a_roster_with_errors_in_two_rows_reports_both() {
    let tmp = TempDir::new().unwrap();
    let mut lines: Vec<String> = shipped("roster.csv").lines().map(str::to_string).collect();
    assert!(
        lines[1].contains(",2027-07-23..2027-08-12,"),
        "{}",
        lines[1]
    );
    lines[1] = lines[1].replace(",2027-07-23..2027-08-12,", ",2027-08-12..2027-07-23,");
    let mut fields: Vec<&str> = lines[4].split(',').collect();
    fields[3] = "";
    lines[4] = fields.join(",");
    let roster = lines.join("\n") + "\n";
    let scenario = example_with(
        tmp.path(),
        shipped("bookings.csv").as_bytes(),
        roster.as_bytes(),
    );
    let out = tmp.path().join("out");
    let run = forecast_cli(&scenario, &out, &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("2 errors"), "{stderr}");
    assert!(
        stderr.contains(
            "roster.csv:2:5: `holidays`: `2027-08-12..2027-07-23`: the last day is before the first"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("roster.csv:5:4: `contract_hours_per_week`: must be a number of hours per week, 0-60, got ``"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// An as-of date a month after the files' date makes 130 errors of two kinds: two lines,
/// each with its count, file, line, column, field and first rows.
#[test]
fn an_as_of_date_a_month_late_gives_one_line_per_kind_of_error() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let run = forecast_cli(&example(), &out, &["--as-of", "2027-06-01"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("130 errors"), "{stderr}");
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
    assert!(
        stderr.contains("bookings.csv:2:11: `care_days`: 43 bookings whose care ended before the as-of date 2027-06-01 (leave mothers whose care has ended out of the bookings): rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (first 10 shown)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bookings.csv:45:6: `due_date`: 87 bookings not yet in care (no care_start) with a due date more than 14 days before the as-of date 2027-06-01 (births.latest_days_after_due): rows 45, 46, 47,"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn the_example_validates_with_its_forecast_files() {
    kraamsim().arg("validate").arg(example()).assert().success();
}

// ---------------------------------------------------------------------------------------------
// Mutated bookings and rosters: never a panic; what loads, forecasts.

mod mutated {
    use super::*;
    use proptest::prelude::*;

    const SCENARIO: &str = r#"
name = "fuzz"
[forecast]
bookings = "b.csv"
roster = "r.csv"
[[regions]]
name = "R"
postcodes = [{ pc4 = 3811, births_per_year = 120 }, { pc4 = 3812, births_per_year = 60 }]
[[providers]]
name = "A"
region = "R"
carers = 3
[[providers]]
name = "B"
region = "R"
postcodes = [3812]
carers = 2
"#;

    const BOOKINGS: &str = "mother,region,provider,postcode,registration_date,due_date,indicated_hours,medical_hours,birth_place,care_start,care_days,delivered_hours\n\
m1,R,A,3811,2026-11-02,2027-05-20,,,,,,\n\
m2,R,B,3812,2026-10-12,2027-04-25,49,0,home,2027-04-28,8,30.5\n\
m3,R,A,3812,2026-10-12,2027-04-30,60,12,clinical,2027-05-06,,\n\
m4,R,A,3811,2026-12-01,2027-05-01,,,outpatient,,,\n";

    const ROSTER: &str = "carer,region,provider,contract_hours_per_week,holidays,absences\n\
c1,R,A,22,2027-05-05..2027-05-18,\n\
c2,R,B,24,,2027-04-20..\n\
c3,R,A,16,2027-05-20..2027-05-21 2027-06-01..2027-06-03,2027-05-10..2027-05-12\n";

    /// A text with one byte replaced, inserted or removed at `at`.
    fn mutate(text: &str, at: usize, op: u8, byte: u8) -> Vec<u8> {
        let mut b = text.as_bytes().to_vec();
        let i = at % (b.len() + 1);
        match op % 3 {
            0 if i < b.len() => b[i] = byte,
            1 => b.insert(i, byte),
            _ if i < b.len() => {
                b.remove(i);
            }
            _ => {}
        }
        b
    }

    #[test]
    fn the_unmutated_files_load_with_every_kind_of_booking() {
        let s = scenario::parse(SCENARIO, "fuzz.toml").unwrap();
        let params = s.forecast.clone().unwrap();
        let files: [(&str, &[u8]); 2] =
            [("b.csv", BOOKINGS.as_bytes()), ("r.csv", ROSTER.as_bytes())];
        let as_of = chrono::NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let known = input::read_in_memory(&s, &params, &files, as_of).unwrap();
        assert_eq!(known.regions[0].bookings.len(), 4);
        assert_eq!(known.regions[0].carers.len(), 3);
    }

    /// The known state is what the forecast starts from: a mother in care keeps the hours
    /// she had, and a provider without carers gives her none after the as-of date, so her
    /// outcome on her last day is exact in every future.
    #[test]
    fn mothers_in_care_keep_their_hours_and_end_on_their_last_day() {
        let s = scenario::parse(SCENARIO, "fuzz.toml").unwrap();
        let params = s.forecast.clone().unwrap();
        let bookings =
            format!("{BOOKINGS}m5,R,B,3812,2026-10-01,2027-04-28,45,0,home,2027-04-30,8,10\n");
        // Provider B has no carers on the roster.
        let roster =
            "carer,region,provider,contract_hours_per_week,holidays,absences\nc1,R,A,22,,\n";
        let files: [(&str, &[u8]); 2] =
            [("b.csv", bookings.as_bytes()), ("r.csv", roster.as_bytes())];
        let as_of = chrono::NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let known = input::read_in_memory(&s, &params, &files, as_of).unwrap();
        let settings = Settings {
            as_of,
            weeks: 2,
            replications: 20,
            threads: None,
        };
        let bands = forecast::forecast(&s, &known, &settings).unwrap();
        let b = bands.series.iter().find(|x| x.provider == "B").unwrap();
        let day = |date: &str| {
            bands
                .dates
                .iter()
                .position(|d| d.to_string() == date)
                .unwrap()
        };
        // m2: 30.5 of 49 hours, care 28 April - 5 May: 18.5 short, above the minimum.
        let may5 = &b.days[day("2027-05-05")];
        assert_eq!((may5[2].p10, may5[2].p90), (18.5, 18.5));
        assert_eq!(may5[3].p90, 0.0);
        // m5: 10 of 45 hours, care 30 April - 7 May: below the minimum by 14 hours.
        let may7 = &b.days[day("2027-05-07")];
        assert_eq!((may7[2].p10, may7[2].p90), (35.0, 35.0));
        assert_eq!((may7[3].p10, may7[3].p90), (1.0, 1.0));
        assert_eq!((may7[4].p10, may7[4].p90), (14.0, 14.0));
        // Provider B's carer hours are nil; A's are one carer's 22 x 0.75 / 7 a day.
        assert_eq!(b.days[0][1].p90, 0.0);
        let a = bands.series.iter().find(|x| x.provider == "A").unwrap();
        assert!((a.days[0][1].p50 - 22.0 * 0.75 / 7.0).abs() < 1e-9);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn mutated_files_load_or_fail_cleanly_and_what_loads_forecasts(
            at in 0usize..400,
            op in 0u8..3,
            byte in prop::sample::select(b"0123456789,.-: \nRABm\"x".to_vec()),
            which in 0u8..2,
        ) {
            let s = scenario::parse(SCENARIO, "fuzz.toml").unwrap();
            let params = s.forecast.clone().unwrap();
            let (b, r) = if which == 0 {
                (mutate(BOOKINGS, at, op, byte), ROSTER.as_bytes().to_vec())
            } else {
                (BOOKINGS.as_bytes().to_vec(), mutate(ROSTER, at, op, byte))
            };
            let files: [(&str, &[u8]); 2] = [("b.csv", &b), ("r.csv", &r)];
            let as_of = chrono::NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
            match input::read_in_memory(&s, &params, &files, as_of) {
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for e in &errors {
                        prop_assert!(e.line > 0 && e.column > 0 && !e.message.is_empty(), "{e:?}");
                    }
                }
                Ok(known) => {
                    let settings = Settings { as_of, weeks: 3, replications: 2, threads: Some(1) };
                    let bands = forecast::forecast(&s, &known, &settings).unwrap();
                    for series in &bands.series {
                        for week in &series.weeks {
                            for band in week {
                                prop_assert!(band.p10.is_finite() && band.p10 <= band.p90 + 1e-9);
                                prop_assert!(band.p10 >= -1e-9);
                            }
                        }
                    }
                }
            }
        }
    }
}
