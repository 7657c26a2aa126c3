//! Validation against theory: configurations whose answer is known in closed form
//! (`docs/validation.md`). Each check's tolerance comes from the sample: a Student-t interval
//! over independent replications, or a chi-square critical value, at a two-sided 99.9% level
//! so that a correct model fails about once in a thousand seeds (the seeds are fixed, so a
//! pass is reproducible). The degenerate scenarios are shipped in `scenarios/validation/`.
//!
//! `cargo test --release --test validation -- --nocapture` prints every measured value next
//! to its theoretical value and tolerance.

#[path = "common/theory.rs"]
mod theory;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use kraamsim::engine::MINUTES_PER_DAY;
use kraamsim::generate;
use kraamsim::model::{Calendar, Mother};
use kraamsim::run::RunResults;
use kraamsim::scenario::{self, PolicyName, Scenario};
use kraamsim::sim::{Totals, erlang_b};
use theory::{LEVEL, per_replication};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn path(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

fn load(name: &str) -> Scenario {
    theory::load(root(), name).unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario, keep_mothers: bool) -> RunResults {
    theory::run(s, keep_mothers).unwrap()
}

#[test]
fn erlang_b_recursion_matches_known_values() {
    // Textbook values: B(1, a) = a / (1 + a); B(2, 1) = 0.2; B(10, 10) = 0.21458.
    assert!((erlang_b(1, 3.0) - 0.75).abs() < 1e-12);
    assert!((erlang_b(2, 1.0) - 0.2).abs() < 1e-12);
    assert!((erlang_b(10, 10.0) - 0.214_582).abs() < 1e-6);
    // Stable for large systems where the direct formula overflows.
    let b = erlang_b(2000, 1900.0);
    assert!(b.is_finite() && b > 0.0 && b < 0.05, "{b}");
}

// ---------------------------------------------------------------------------------------
// Loss system

/// Birth assistance (`src/sim/birth_pool.rs`) is a loss system: with c posts in every day
/// part and every birth asking for an assist of h hours, the share of requests that find no
/// post free (served by a carer called away, or missed) is Erlang-B(c, λh), overall and in
/// each day part (the posts keep their state across parts).
#[test]
fn birth_assistance_pool_matches_erlang_b() {
    let s = load("validation/birth-pool-erlang-b.toml");
    let b = &s.birth_assist;
    let posts = b.on_call.expect("posts set in the file");
    assert!(
        posts.iter().all(|&n| n == posts[0]),
        "the same posts in every part"
    );
    assert_eq!(
        s.birth_place.outpatient_share, 1.0,
        "every birth outpatient"
    );
    assert_eq!(b.outpatient_share, 1.0, "every birth asks for an assist");
    let r = run(&s, false);
    for (i, pool) in theory::birth_pool(&s, &r).iter().enumerate() {
        let (mean, tol, theory) = (pool.mean, pool.tolerance, pool.theory);
        println!(
            "birth pool {}: c = {}, a = {:.2}: missed {mean:.4} vs Erlang-B {theory:.4} \
             ± {tol:.4}",
            pool.region, pool.servers, pool.load
        );
        assert!(
            (mean - theory).abs() <= tol,
            "{}: {mean} ± {tol} vs {theory}",
            pool.region
        );
        for (part, &(mean, tol)) in pool.parts.iter().enumerate() {
            assert!(
                (mean - theory).abs() <= tol,
                "{} part {part}: {mean} ± {tol} vs {theory}",
                pool.region
            );
        }
        // The parts add up to the totals, and the duty hours are posts x 24 h a day.
        for x in per_replication(&r, i) {
            let t = &x.totals;
            assert_eq!(
                t.birth_assists_requested_by_part.iter().sum::<u64>(),
                t.birth_assists_requested
            );
            assert_eq!(
                t.birth_assists_missed_by_part.iter().sum::<u64>(),
                t.birth_assists_missed
            );
            let duty: f64 = t.on_call_hours.iter().sum();
            assert!(
                (duty - f64::from(posts[0]) * 24.0 * 365.0).abs() < 1e-6,
                "{duty}"
            );
            assert_eq!(x.capacity_exceeded_days, 0);
        }
    }
}

/// Without `on_call`, the posts of each part are sized as a planner would: the fewest whose
/// Erlang-B loss at the part's expected load is at most `target_miss`. For a single pool
/// with every birth asking for an assist: that many posts in each part and replication
/// (sized to the replication's own births, as the simulation does), and a share of requests
/// finding none free that matches Erlang-B for them, below the target.
#[test]
fn on_call_sized_to_a_target_matches_erlang_b_for_a_single_pool() {
    let s = load("validation/birth-pool-erlang-b.toml");
    for pool in theory::sized_pool(s).unwrap() {
        let ((mean, share_tol), (gap, tol)) = (pool.share, pool.gap);
        println!(
            "{}: posts {:?}, {mean:.4} ± {share_tol:.4} find no post free; minus Erlang-B: \
             {gap:.4} ± {tol:.4}",
            pool.region, pool.posts
        );
        assert!(pool.posts_as_sized, "{}", pool.region);
        assert!(gap.abs() <= tol, "{}: {gap} ± {tol}", pool.region);
        assert!(
            mean <= theory::SIZED_TARGET + share_tol,
            "{}: {mean}",
            pool.region
        );
    }
}

#[test]
fn loss_system_matches_erlang_b_from_light_to_heavy_load() {
    let s = load("validation/erlang-b.toml");
    assert_eq!(s.policy.name, PolicyName::Loss);
    // The configuration that makes it M/D/c/c; if any of this changes, the theory below
    // no longer applies.
    let days_in_month = [
        31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
    ];
    assert_eq!(
        s.births.monthly_weights, days_in_month,
        "constant birth rate"
    );
    assert_eq!(s.birth_place.outpatient_share, 1.0, "no hospital days");
    assert_eq!(s.indication.medical_share, 0.0, "one care window length");
    assert_eq!(s.carers.holiday_weeks + s.carers.summer_holiday_weeks, 0);
    assert_eq!(s.carers.sickness_absence, 0.0);
    assert!(s.indication.breastfeeding_hours / f64::from(s.indication.care_window_days) <= 8.0);

    let r = run(&s, true);
    let mut losses = Vec::new();
    for (i, loss) in theory::loss_system(&s, &r).iter().enumerate() {
        let (mean, tol, theory) = (loss.mean, loss.tolerance, loss.theory);
        assert_eq!(loss.replications, s.replications as usize);
        println!(
            "erlang-b {}: c = {}, a = {:.2}: lost {mean:.4} vs Erlang-B {theory:.4}, \
             tolerance ±{tol:.4} ({} replications, {LEVEL} t)",
            loss.region, loss.servers, loss.load, loss.replications
        );
        assert!(
            (mean - theory).abs() <= tol,
            "{}: simulated {mean:.4} ± {tol:.4}, Erlang-B {theory:.4}",
            loss.region
        );
        losses.push(theory);
        // One carer per mother or none: served mothers saw exactly one carer and got their
        // whole indication; lost mothers got nothing.
        for x in per_replication(&r, i) {
            for (_, o) in &x.mothers {
                let delivered = o.delivered_total();
                if delivered > 0.0 {
                    assert_eq!(o.carers, 1);
                    assert!((delivered - o.indicated_total()).abs() < 1e-9);
                } else {
                    assert_eq!(o.carers, 0);
                }
            }
            assert_eq!(x.capacity_exceeded_days, 0);
        }
    }
    // From light to heavy.
    assert!(losses.first().unwrap() < &0.05 && losses.last().unwrap() > &0.5);
}

// ---------------------------------------------------------------------------------------
// Little's law

#[test]
fn littles_law_mothers_in_care_equal_birth_rate_times_care_days() {
    let s = load("validation/little.toml");
    let cal = Calendar::new(&s);
    let days = f64::from(cal.report_end - cal.report_start + 1);
    assert_eq!(days, 365.0, "a whole non-leap year");
    let little = theory::little(&s, &run(&s, true));
    let (lambda, w) = (little.lambda, little.w);
    assert!((w - 7.795).abs() < 1e-9, "W from the defaults: {w}");
    let theory = lambda * w;
    let (mean, tol) = little.l;
    println!(
        "little: L = {mean:.3} mothers in care vs lambda W = {lambda:.3} x {w:.3} = {theory:.3}, \
         tolerance ±{tol:.3} ({} replications, {LEVEL} t)",
        little.replications
    );
    assert!((mean - theory).abs() <= tol, "L {mean} ± {tol} vs {theory}");
    // The mean care days of the mothers the simulation counted agree with W as well.
    let (w_sim, w_tol) = little.w_counted;
    println!("little: W = {w_sim:.4} days simulated vs {w:.4}, tolerance ±{w_tol:.4}");
    assert!((w_sim - w).abs() <= w_tol);
}

// ---------------------------------------------------------------------------------------
// Arrivals

#[test]
fn births_per_month_and_weekday_match_the_configured_rates() {
    let a = theory::arrivals(&load("national.toml"));
    let (births, m, d) = (a.births, a.per_month, a.per_weekday);
    println!(
        "arrivals: {births} births; per month chi-square {:.2} ({} df), critical {:.2}",
        m.stat, m.df, m.critical
    );
    assert!(m.stat < m.critical, "months: {:?}", a.months);
    println!(
        "arrivals: per weekday chi-square {:.2} ({} df), critical {:.2}",
        d.stat, d.df, d.critical
    );
    assert!(d.stat < d.critical, "weekdays: {:?}", a.weekdays);
    // The test has power: births do not fit a flat year (no seasonality) ...
    let flat = a.against_flat;
    println!(
        "arrivals: against a flat year chi-square {:.1}, critical {:.2}",
        flat.stat, flat.critical
    );
    assert!(flat.stat > flat.critical, "the seasonality is detectable");
    // ... and the total agrees with the configured births a year (Poisson, 99.9%).
    println!(
        "arrivals: total {births} vs {:.0}, tolerance ±{:.0}",
        a.expected, a.tolerance
    );
    assert!((births as f64 - a.expected).abs() < a.tolerance);
}

#[test]
fn births_per_province_match_cbs() {
    // The national dataset's expected births per province are CBS 2023 exactly; the simulated
    // births of one year, per province, fit them (chi-square, 11 df).
    let (c, observed) = theory::provinces(root(), &load("national.toml")).unwrap();
    println!(
        "provinces: chi-square {:.2} ({} df), critical {:.2}",
        c.stat, c.df, c.critical
    );
    assert!(c.stat < c.critical, "{observed:?}");
}

// ---------------------------------------------------------------------------------------
// Conservation

/// The last day of care at home of a mother, from her birth as generated: what the simulation
/// must do, computed independently of it (care starts 3 hours after a home or outpatient
/// birth, at 11:00 on the day of discharge after hospital days; the first day of care is
/// the first 07:00 plan at or after the start).
fn last_care_day(m: &Mother) -> u32 {
    let day = m.birth_minute / MINUTES_PER_DAY;
    let start = if m.hospital_days == 0 {
        m.birth_minute + 180
    } else {
        (day + m.hospital_days) * MINUTES_PER_DAY + 660
    };
    let first = if start % MINUTES_PER_DAY <= 420 {
        start / MINUTES_PER_DAY
    } else {
        start / MINUTES_PER_DAY + 1
    };
    first + m.indication.home_days - 1
}

/// Every conservation law on one run, with the mothers kept.
fn assert_conserved(s: &Scenario, r: &RunResults) {
    let cal = Calendar::new(s);
    for x in &r.results {
        let t = &x.totals;
        let at = format!(
            "{} {} rep {} region {}",
            s.name, x.policy, x.replication, x.region
        );
        // Every generated mother whose care ends in the period is counted, exactly once.
        let population = generate::population(s, &cal, x.region, x.replication);
        let expected: HashSet<u32> = population
            .mothers
            .iter()
            .filter(|m| cal.in_report(last_care_day(m)))
            .map(|m| m.id)
            .collect();
        let counted: Vec<u32> = x.mothers.iter().map(|(m, _)| m.id).collect();
        let unique: HashSet<u32> = counted.iter().copied().collect();
        assert_eq!(unique.len(), counted.len(), "{at}: a mother counted twice");
        assert_eq!(unique, expected, "{at}: counted mothers");
        assert_eq!(t.mothers, counted.len() as u64, "{at}");
        // Per mother: 0 <= delivered <= indicated in every tier, so delivered + shortfall =
        // indicated with a shortfall >= 0; and the totals are the sums over mothers.
        let mut sum = Totals::default();
        for (m, o) in &x.mothers {
            assert_eq!(
                m, &population.mothers[m.id as usize],
                "{at}: the generated mother"
            );
            for tier in 0..4 {
                assert!(o.delivered[tier] >= 0.0, "{at}");
                assert!(
                    o.delivered[tier] <= o.indicated[tier] + 1e-9,
                    "{at}: tier {tier}"
                );
            }
            assert!((o.indicated_total() - m.indication.total_hours).abs() < 1e-9);
            sum.add_mother(o);
        }
        let tol = 1e-9 * t.indicated_hours.max(1.0);
        assert_eq!(
            (
                sum.mothers,
                sum.mothers_below_minimum,
                sum.mothers_without_care,
                sum.mothers_full_indication
            ),
            (
                t.mothers,
                t.mothers_below_minimum,
                t.mothers_without_care,
                t.mothers_full_indication
            ),
            "{at}"
        );
        for (a, b) in [
            (sum.indicated_hours, t.indicated_hours),
            (sum.delivered_hours, t.delivered_hours),
            (sum.shortfall_hours, t.shortfall_hours),
            (sum.medical_shortfall_hours, t.medical_shortfall_hours),
        ] {
            assert!((a - b).abs() < tol, "{at}: {a} vs {b}");
        }
        assert!((t.delivered_hours + t.shortfall_hours - t.indicated_hours).abs() < tol);
        // Weeks add up to the period: births, shortfall and mothers below the minimum of the
        // mothers ending each week, and the hours delivered on its days (+ birth assistance)
        // are the carer hours used.
        let weeks = |f: fn(&kraamsim::sim::WeekTotals) -> f64| x.weeks.iter().map(f).sum::<f64>();
        let births_in_report = population
            .mothers
            .iter()
            .filter(|m| cal.in_report(m.birth_minute / MINUTES_PER_DAY))
            .count() as f64;
        assert_eq!(weeks(|w| w.births as f64), births_in_report, "{at}");
        assert_eq!(
            weeks(|w| w.mothers_below_minimum as f64),
            t.mothers_below_minimum as f64,
            "{at}"
        );
        assert!((weeks(|w| w.shortfall_hours) - t.shortfall_hours).abs() < tol);
        let assists = (t.birth_assists_requested - t.birth_assists_missed) as f64;
        let used = weeks(|w| w.delivered_hours) + assists * s.birth_assist.hours;
        assert!(
            (used - t.carer_hours_used).abs() < 1e-9 * used.max(1.0),
            "{at}: {used} vs {}",
            t.carer_hours_used
        );
        assert!((weeks(|w| w.carer_hours_available) - t.carer_hours_available).abs() < 1e-6);
        // Carer hours used never exceed what the present carers could work, on any plan-day
        // of any scope (checked inside the simulation), nor in any week or the period.
        assert_eq!(x.capacity_exceeded_days, 0, "{at}");
        for w in &x.weeks {
            assert!(w.delivered_hours <= w.carer_hours_available + 1e-6, "{at}");
        }
        assert!(t.carer_hours_used <= t.carer_hours_available + 1e-6, "{at}");
        if x.policy == "minimum-first" {
            assert_eq!(x.tier_order_violations, 0, "{at}");
        }
    }
}

#[test]
fn conservation_under_every_policy_in_shortage_and_plenty() {
    let cases = theory::conservation_cases(root()).unwrap();
    let mut mothers = 0;
    for s in &cases {
        let r = run(s, true);
        assert_conserved(s, &r);
        mothers += r.results.iter().map(|x| x.totals.mothers).sum::<u64>();
    }
    println!("conservation: {mothers} mothers in {} runs", cases.len());
    assert!(mothers > 20_000);
}

/// Runs the shipped scenario `name` through the command line with `flags` into `out`.
fn run_cli(name: &str, out: &Path, flags: &[&str]) {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kraamsim"))
        .args(["run", path(name).to_str().unwrap()])
        .args(flags)
        .args(["--quiet", "--out"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// The rows of a CSV file: its header and its records.
fn csv_table(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    (header, reader.records().map(Result::unwrap).collect())
}

#[test]
fn summary_csv_aggregates_add_up_over_regions() {
    // Through the command line, on the national scenario (71 regions): per replication and
    // column, the `ALL` row is the sum of the region rows, and on every row delivered +
    // shortfall = indicated.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_cli("national.toml", &out, &["--replications", "2"]);
    let (header, rows) = csv_table(&out.join("summary.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let numeric: Vec<usize> = (col("mothers")..header.len()).collect();
    let mut sums: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    let mut all: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for row in &rows {
        let values: Vec<f64> = numeric.iter().map(|&i| row[i].parse().unwrap()).collect();
        let v = |name: &str| values[col(name) - col("mothers")];
        let indicated = v("indicated_hours");
        assert!(
            (v("delivered_hours") + v("shortfall_hours") - indicated).abs()
                < 1e-3 * indicated.max(1.0),
            "{row:?}"
        );
        let rep = row[col("replication")].to_string();
        if &row[col("region")] == "ALL" {
            all.insert(rep, values);
        } else {
            let acc = sums.entry(rep).or_insert_with(|| vec![0.0; values.len()]);
            acc.iter_mut().zip(&values).for_each(|(a, b)| *a += b);
        }
    }
    assert_eq!(all.len(), 2);
    // The equity metrics (docs/metrics.md) and the tier fills are not sums over regions: ALL
    // is computed over all mothers. The largest shortfall of ALL is the largest of the
    // regions'.
    let max_col = col("max_shortfall_hours") - col("mothers");
    let additive = |name: &str| name != "max_shortfall_hours" && !kraamsim::output::is_ratio(name);
    for (rep, total) in &all {
        for ((a, b), &i) in sums[rep].iter().zip(total).zip(&numeric) {
            if !additive(&header[i]) {
                continue;
            }
            // Rows are written to 3 decimals: 71 roundings of at most 0.0005 each.
            assert!((a - b).abs() < 0.05, "rep {rep} {}: {a} vs {b}", &header[i]);
        }
        assert!(total[max_col] <= sums[rep][max_col] && total[max_col] > 0.0);
        for name in header.iter().filter(|h| kraamsim::output::is_ratio(h)) {
            let v = total[col(name) - col("mothers")];
            assert!((0.0..=1.0).contains(&v), "rep {rep} {name}: {v}");
        }
        // A tier's fill is its delivered over its indicated hours, over all mothers.
        for t in 1..=4 {
            let v = |name: String| total[col(&name) - col("mothers")];
            let (ind, del) = (
                v(format!("tier{t}_indicated_hours")),
                v(format!("tier{t}_delivered_hours")),
            );
            let fill = v(format!("tier{t}_fill"));
            assert!(
                ind <= 0.0 || (fill - del / ind).abs() < 1e-5,
                "rep {rep} tier {t}"
            );
        }
    }
}

#[test]
fn stats_csv_is_the_mean_and_t_interval_of_summary_rows_over_replications() {
    // README: stats.csv holds "the mean and its 95% interval over replications". Recomputed
    // here from summary.csv's per-replication rows of the same policy and region, as
    // src/output/stats.rs documents: the mean, and mean ± t(0.975, n - 1) · s / √n with the
    // sample standard deviation s; t(0.975, 2) = 4.302653 for 3 replications.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_cli(
        "ksv-area.toml",
        &out,
        &["--replications", "3", "--no-charts"],
    );
    let (header, rows) = csv_table(&out.join("summary.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut samples: std::collections::HashMap<(String, String, String), Vec<f64>> =
        Default::default();
    for row in &rows {
        for (i, metric) in header.iter().enumerate().skip(col("mothers")) {
            let key = (
                row[col("policy")].to_string(),
                row[col("region")].to_string(),
                metric.to_string(),
            );
            samples
                .entry(key)
                .or_default()
                .push(row[i].parse().unwrap());
        }
    }
    const T_975_2: f64 = 4.302_652_729_749_464;
    let (stats_header, stats) = csv_table(&out.join("stats.csv"));
    let s = |name: &str| stats_header.iter().position(|h| h == name).unwrap();
    let mut checked = 0;
    let mut intervals = 0;
    for row in &stats {
        let key = (
            row[s("policy")].to_string(),
            row[s("region")].to_string(),
            row[s("metric")].to_string(),
        );
        // Metrics of yearly.csv (`births.2027`, ...) are not in summary.csv; the others, 62
        // per region and ALL, are.
        let Some(values) = samples.get(&key) else {
            continue;
        };
        assert_eq!(values.len(), 3, "{key:?}");
        assert_eq!(&row[s("replications")], "3", "{key:?}");
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let half = T_975_2 * sd / n.sqrt();
        // Both files round: allow a few units of stats.csv's last decimal.
        let field = &row[s("mean")];
        let decimals = field.split_once('.').map_or(0, |(_, d)| d.len());
        let tolerance = 5.0 * 10f64.powi(-(decimals as i32));
        for (column, expected) in [
            ("mean", mean),
            ("ci95_low", mean - half),
            ("ci95_high", mean + half),
        ] {
            let written: f64 = row[s(column)].parse().unwrap();
            assert!(
                (written - expected).abs() <= tolerance,
                "{key:?} {column}: stats.csv {written}, from summary.csv {expected} ({values:?})"
            );
        }
        checked += 1;
        intervals += usize::from(half > 10.0 * tolerance);
    }
    assert!(checked >= 100, "only {checked} stats rows compared");
    assert!(
        intervals > 50,
        "only {intervals} intervals wider than rounding"
    );
}

#[test]
fn carers_per_family_add_up_to_the_mothers_with_care() {
    // README: summary.csv shows "how many mothers had 1, 2, 3 or 4+ carers and why a third
    // came". docs/metrics.md: the four counts cover the mothers with care (mothers without
    // care are in none); mothers_over_two_carers is the three and the four-plus; the reasons
    // for a third carer add up to them. refuse-when-full leaves mothers without any care.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_cli(
        "policy-comparison.toml",
        &out,
        &["--replications", "2", "--no-charts"],
    );
    let (header, rows) = csv_table(&out.join("summary.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut without_care = 0.0;
    for row in &rows {
        let v = |name: &str| -> f64 { row[col(name)].parse().unwrap() };
        let by_carers = v("mothers_one_carer")
            + v("mothers_two_carers")
            + v("mothers_three_carers")
            + v("mothers_four_plus_carers");
        assert_eq!(
            by_carers,
            v("mothers") - v("mothers_without_care"),
            "{row:?}"
        );
        let over_two = v("mothers_three_carers") + v("mothers_four_plus_carers");
        assert_eq!(over_two, v("mothers_over_two_carers"), "{row:?}");
        let reasons = v("third_carer_away")
            + v("third_carer_rest")
            + v("third_carer_busy")
            + v("third_carer_other");
        assert_eq!(reasons, over_two, "{row:?}");
        without_care += v("mothers_without_care");
    }
    assert!(
        without_care > 0.0,
        "no mother without care: the identity shows nothing"
    );
}

#[test]
fn every_validation_scenario_is_valid_and_runs() {
    let dir = path("validation");
    let mut ran = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let loaded = scenario::load_file(&p).unwrap_or_else(|e| panic!("{e}"));
            // Sweeps run their first variant here; the sensitivity test runs them all.
            let mut s = scenario::variants(&loaded).unwrap().remove(0).scenario;
            s.replications = 1;
            let r = run(&s, false);
            assert!(r.results.iter().map(|x| x.totals.mothers).sum::<u64>() > 0);
            ran += 1;
        }
    }
    assert!(ran >= 2);
}

// ---------------------------------------------------------------------------------------
// Calibration bands (docs/validation.md, "National figures")

#[test]
fn calibrated_national_figures_stay_in_their_documented_bands() {
    let mut s = load("national.toml");
    s.replications = 3;
    let cal = Calendar::new(&s);
    let r = run(&s, false);
    let summer: Vec<bool> = (0..cal.report_weeks())
        .map(|i| (7..=8).contains(&cal.report_week_start(i).month()))
        .collect();
    let summer_weeks = summer.iter().filter(|&&b| b).count() as f64 / summer.len() as f64;
    for rep in 0..s.replications {
        let mut t = Totals::default();
        let (mut short, mut summer_short) = (0.0, 0.0);
        for x in r.results.iter().filter(|x| x.replication == rep) {
            t.add(&x.totals);
            for (w, &is_summer) in x.weeks.iter().zip(&summer) {
                short += w.shortfall_hours;
                if is_summer {
                    summer_short += w.shortfall_hours;
                }
            }
        }
        let mothers = t.mothers as f64;
        let delivered = t.delivered_hours / mothers;
        let demand = t.indicated_hours + t.birth_assists_requested as f64 * s.birth_assist.hours;
        let balance = t.carer_contract_hours / demand;
        let below = t.mothers_below_minimum as f64 / mothers;
        let summer_share = summer_short / short;
        println!(
            "national rep {rep}: delivered {delivered:.2} h/mother (band 41-43), supply/demand \
             {balance:.3} (0.85-1.02), summer shortfall share {summer_share:.3} (>= {:.3}, \
             <= 0.70), below minimum {below:.4} (<= 0.01)",
            2.0 * summer_weeks
        );
        // Bo Geboortezorg (2023): ~42 h delivered per mother.
        assert!((41.0..=43.0).contains(&delivered), "delivered {delivered}");
        // DOMAIN.md: supply and demand near balance; IGJ's ~1,500 short of ~11,000 needed
        // would be ~0.86.
        assert!((0.85..=1.02).contains(&balance), "supply/demand {balance}");
        // Shortage concentrated in summer: July-August weeks carry at least twice their share
        // of the year's shortfall.
        assert!(
            summer_share >= 2.0 * summer_weeks && summer_share <= 0.70,
            "{summer_share}"
        );
        // Minimum-first keeps the legal minimum for almost everyone.
        assert!(below <= 0.01, "below minimum {below}");
        assert_eq!(t.mothers_without_care, 0);
    }
}

#[test]
fn sensitivity_sweep_is_one_at_a_time_over_the_domain_assumptions() {
    let loaded = scenario::load_file(&path("validation/sensitivity.toml")).unwrap();
    let variants = scenario::variants(&loaded).unwrap();
    // The base and a low and a high value for each of 7 assumptions.
    assert_eq!(variants.len(), 1 + 2 * 7);
    let base = &variants[0];
    for v in &variants[1..] {
        let moved = v
            .params
            .iter()
            .zip(&base.params)
            .filter(|(a, b)| a.1 != b.1)
            .count();
        assert_eq!(moved, 1, "{}: {:?}", v.id, v.params);
    }
    // The base is the calibrated national scenario.
    let national = load("national.toml");
    assert_eq!(
        base.scenario.carers.productive_share,
        national.carers.productive_share
    );
    assert_eq!(base.scenario.expected_births(), national.expected_births());
    // Directions that must hold (2 replications, each variant on the same mothers): more
    // sickness delivers fewer hours; more summer leave puts more mothers below the minimum.
    let delivered_and_below = |id: &str| {
        let mut s = variants
            .iter()
            .find(|v| v.id == id)
            .unwrap()
            .scenario
            .clone();
        s.replications = 2;
        let mut t = Totals::default();
        for x in run(&s, false).results {
            t.add(&x.totals);
        }
        (t.delivered_hours, t.mothers_below_minimum)
    };
    let field = |path: &str, value: &str| {
        variants
            .iter()
            .find(|v| v.params.iter().any(|(p, x)| p == path && x == value) && v.id != base.id)
            .unwrap()
            .id
            .clone()
    };
    let base_result = delivered_and_below(&base.id);
    let sick = delivered_and_below(&field("carers.sickness_absence", "0.104"));
    let summer = delivered_and_below(&field("carers.summer_holiday_weeks", "3"));
    assert!(sick.0 < base_result.0);
    assert!(summer.1 > base_result.1);
}
