//! The workforce over the years (issue 10): multi-year periods with a births trend, carers
//! leaving, hired and trained, the contract types, and the digital-instruction lever.
//!
//! Library-level checks of the "done when" outcomes, plus the command line end to end:
//! yearly.csv and providers.csv, their metrics in stats.csv, and a sharded multi-year sweep
//! that merges byte for byte.

mod common;

use std::fs;

use assert_cmd::Command;
use kraamsim::generate::{ProviderYear, report_years};
use kraamsim::model::Calendar;
use kraamsim::run::RunResults;
use kraamsim::scenario::{self, ContractType, Scenario};
use kraamsim::sim::YearTotals;

use common::run;

fn baseline() -> Scenario {
    scenario::load_default().scenario
}

/// The baseline over 2027-2031 with a dynamic workforce and every rate at zero.
fn five_years_static_rates() -> Scenario {
    let mut s = baseline();
    s.period.end = chrono::NaiveDate::from_ymd_opt(2031, 12, 31).unwrap();
    let w = &mut s.workforce;
    w.dynamic = true;
    w.attrition_per_year = 0.0;
    w.early_attrition_per_year = 0.0;
    w.hired_per_year = 0.0;
    w.hired_share_per_year = 0.0;
    s.contracts.a_trainees_per_fte = 0.0;
    s.contracts.other_trainees_per_fte = 0.0;
    s
}

/// Per replication: the region's years (the baseline has one region).
fn years(r: &RunResults) -> Vec<&[YearTotals]> {
    r.results.iter().map(|x| x.years.as_slice()).collect()
}

#[test]
fn with_no_attrition_hiring_or_training_the_workforce_stays_constant() {
    let s = five_years_static_rates();
    let r = run(&s, false);
    let listed: u64 = s.providers.iter().map(|p| u64::from(p.carers)).sum();
    for reps in years(&r) {
        assert_eq!(reps.len(), 5);
        for y in reps {
            let w = &y.workforce;
            assert_eq!(w.carers, listed, "{}: {w:?}", y.year);
            assert_eq!(w.carers_from_start, listed);
            assert_eq!(
                (
                    w.trainees,
                    w.carers_joined,
                    w.carers_left,
                    w.trainees_started
                ),
                (0, 0, 0, 0)
            );
        }
    }
    // And the care is what the static model gives: the same carers, the same mothers.
    let mut fixed = s.clone();
    fixed.workforce.dynamic = false;
    let f = run(&fixed, false);
    for (a, b) in r.results.iter().zip(&f.results) {
        assert_eq!(a.totals, b.totals);
    }
}

#[test]
fn with_training_only_carers_grow_by_the_qualifying_trainees_each_year() {
    let mut s = five_years_static_rates();
    s.replications = 10;
    s.contracts.every_provider = scenario::ContractRule::A;
    s.contracts.a_trainees_per_fte = 0.1;
    s.workforce.training_months = 12;
    s.workforce.completion_rate = 0.8;
    let r = run(&s, false);
    // Summed over replications: year y's growth against 0.8 x the trainees started in year
    // y - 1 (a 12-month training qualifies the next year; a start in the last days of
    // December may slip a year, hence the 2% allowance).
    let reps = years(&r);
    for y in 1..5 {
        let mut growth = 0.0;
        let mut started = 0.0;
        for rep in &reps {
            growth += rep[y].workforce.carers as f64 - rep[y - 1].workforce.carers as f64;
            started += rep[y - 1].workforce.trainees_started as f64;
            // No attrition, no hires: every joiner is a qualified trainee.
            assert_eq!(
                rep[y].workforce.carers_joined,
                rep[y].workforce.trainees_qualified
            );
            assert_eq!(rep[y].workforce.carers_left, 0);
        }
        let expected = 0.8 * started;
        let sd = (started * 0.8 * 0.2).sqrt();
        assert!(
            (growth - expected).abs() <= 4.0 * sd + 0.02 * expected,
            "year {}: grew by {growth}, expected {expected:.1} ± {:.1}",
            reps[0][y].year,
            4.0 * sd
        );
        assert!(growth > 0.0);
    }
    // The A rule: at least 1 trainee per 10 employed FTE, so every provider meets it.
    for x in &r.results {
        for p in &x.providers {
            assert_eq!(p.contract, ContractType::A);
            assert!(f64::from(p.trainees_started) >= p.trainees_required - 1e-9);
            assert!(p.meets_rule, "{p:?}");
        }
    }
}

#[test]
fn attrition_and_hiring_balance_the_books_every_year() {
    let mut s = five_years_static_rates();
    s.replications = 3;
    s.workforce.attrition_per_year = 0.15;
    s.workforce.early_attrition_per_year = 0.3;
    s.workforce.hired_per_year = 10.0;
    s.contracts.a_trainees_per_fte = 0.05;
    let r = run(&s, false);
    let listed: u64 = s.providers.iter().map(|p| u64::from(p.carers)).sum();
    for rep in years(&r) {
        let mut before = listed;
        let mut left = 0;
        for y in rep {
            let w = &y.workforce;
            assert_eq!(w.carers, before + w.carers_joined - w.carers_left, "{y:?}");
            assert_eq!(
                w.carers,
                w.carers_from_start + w.carers_from_training + w.carers_from_hiring
            );
            let fte = w.carer_fte_from_start + w.carer_fte_from_training + w.carer_fte_from_hiring;
            assert!((fte - w.carer_fte).abs() < 1e-9, "{w:?}");
            assert!(w.carer_fte_from_hiring > 0.0 || w.carers_from_hiring == 0);
            before = w.carers;
            left += w.carers_left;
        }
        // 15% a year leave: about 1 - 0.85^5 = 56% of the listed carers over five years.
        assert!(left as f64 > 0.4 * listed as f64, "{left}");
    }
}

#[test]
fn a_provider_under_the_employed_share_is_reported_platform_only() {
    let mut s = baseline();
    s.replications = 1;
    s.providers[0].contract = Some(ContractType::B);
    s.providers[0].employed_share = Some(0.6);
    s.providers[1].contract = Some(ContractType::B);
    s.providers[1].employed_share = Some(0.8);
    let r = run(&s, false);
    let rows: &[ProviderYear] = &r.results[0].providers;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].eligible, ContractType::Platform);
    assert!(!rows[0].meets_rule);
    assert_eq!(rows[1].eligible, ContractType::B);
    assert!(rows[1].meets_rule);
    // A platform contract is met whatever the employed share.
    s.providers[0].contract = Some(ContractType::Platform);
    let r = run(&s, false);
    assert!(r.results[0].providers[0].meets_rule);
    assert_eq!(r.results[0].providers[0].eligible, ContractType::Platform);
}

#[test]
fn the_digital_lever_never_takes_a_mother_below_the_minimum() {
    let mut s = baseline();
    s.replications = 2;
    s.carers.capacity_factor = 3.0;
    let plain = run(&s, true);
    s.indication.digital_share = 1.0;
    let digital = run(&s, true);
    let minimum = s.policy.minimum_hours;
    let mut less = 0.0;
    for (a, b) in plain.results.iter().zip(&digital.results) {
        assert_eq!(a.mothers.len(), b.mothers.len(), "the same mothers");
        for ((ma, oa), (mb, ob)) in a.mothers.iter().zip(&b.mothers) {
            assert_eq!(ma.id, mb.id);
            let (before, after) = (oa.indicated_total(), ob.indicated_total());
            assert!(after <= before);
            // Never below the minimum, nor below the minimum plus her medical hours.
            let floor = before.min(minimum + ma.indication.medical_hours.min(before));
            assert!(after >= floor - 1e-9, "{before} -> {after}");
            assert!(after >= before.min(minimum) - 1e-9);
            // With carers to spare, everyone gets at least the minimum.
            assert!(ob.minimum_met);
            assert!(ob.delivered_total() >= after.min(minimum) - 1e-6);
            less += before - after;
        }
    }
    assert!(less > 0.0, "the lever saved no hours");
    // A share of one half saves about half as much.
    s.indication.digital_share = 0.5;
    let half = run(&s, true);
    let saved_half: f64 = plain
        .results
        .iter()
        .zip(&half.results)
        .flat_map(|(a, b)| a.mothers.iter().zip(&b.mothers))
        .map(|((_, oa), (_, ob))| oa.indicated_total() - ob.indicated_total())
        .sum();
    assert!(
        (saved_half / less - 0.5).abs() < 0.02,
        "{saved_half} vs {less}"
    );
}

#[test]
fn a_births_trend_compounds_per_year_and_years_add_up_to_the_period() {
    let mut s = five_years_static_rates();
    s.replications = 4;
    s.births.trend_per_year = -0.1;
    let r = run(&s, false);
    let cal = Calendar::new(&s);
    assert_eq!(report_years(&cal).len(), 5);
    let (mut first, mut last) = (0.0, 0.0);
    for x in &r.results {
        first += x.years[0].births as f64;
        last += x.years[4].births as f64;
        // Each year's mothers and births add up to the period's.
        let mothers: u64 = x.years.iter().map(|y| y.mothers).sum();
        assert_eq!(mothers, x.totals.mothers);
        let births: u64 = x.years.iter().map(|y| y.births).sum();
        let weekly: u64 = x.weeks.iter().map(|w| w.births).sum();
        assert_eq!(births, weekly);
        let below: u64 = x.years.iter().map(|y| y.mothers_below_minimum).sum();
        assert_eq!(below, x.totals.mothers_below_minimum);
    }
    // 0.9^4 = 0.656; the counts are Poisson (~8,000 and ~5,250).
    let ratio = last / first;
    let sd = ratio * (1.0 / first + 1.0 / last).sqrt();
    assert!((ratio - 0.6561).abs() < 4.0 * sd, "{ratio}");
}

fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").unwrap()
}

/// A three-year sweep of one region with a dynamic workforce, as a scenario file.
const SWEEP: &str = include_str!("scenarios/workforce-sweep.toml");

#[test]
fn cli_writes_yearly_and_provider_files_and_shards_merge_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("wf.toml");
    fs::write(&file, SWEEP).unwrap();
    common::assert_shards_merge_byte_for_byte(
        d,
        &file,
        &["-q", "--no-charts"],
        &["--no-charts"],
        &["yearly.csv", "providers.csv", "stats.csv", "summary.csv"],
    );
    let yearly = fs::read_to_string(d.join("full/yearly.csv")).unwrap();
    let header = yearly.lines().next().unwrap();
    assert!(header.starts_with(
        "variant,policy,replication,region,year,births,mothers_below_minimum,shortfall_hours,carers,carer_fte,trainees,carers_joined,carers_left"
    ));
    // 2 variants x 2 replications x (1 region + ALL) x 3 years.
    assert_eq!(yearly.lines().count(), 1 + 2 * 2 * 2 * 3);
    // The workforce chart's stacks: stayed + trained + hired is every qualified carer, in
    // heads and in FTE (each written to three decimals), in every row.
    let columns: Vec<&str> = header.split(',').collect();
    let at = |name: &str| columns.iter().position(|c| *c == name).unwrap();
    let mut trained = 0.0;
    for line in yearly.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .skip(4)
            .map(|x| x.parse().unwrap())
            .collect();
        let v = |name: &str| f[at(name) - 4];
        let sources = ["start", "training", "hiring"];
        let heads: f64 = sources.iter().map(|s| v(&format!("carers_from_{s}"))).sum();
        assert_eq!(heads, v("carers"), "{line}");
        let fte: f64 = sources
            .iter()
            .map(|s| v(&format!("carer_fte_from_{s}")))
            .sum();
        assert!((fte - v("carer_fte")).abs() <= 0.002, "{line}");
        trained += v("carer_fte_from_training");
    }
    assert!(trained > 0.0, "no FTE from training in three years");
    let providers = fs::read_to_string(d.join("full/providers.csv")).unwrap();
    assert!(providers.starts_with(
        "variant,policy,replication,region,provider,year,contract,fte,trainees_started,employed_share,meets_rule"
    ));
    // Amersfoort (55% employed) is platform-only: its B contract (v000) and A (v001) unmet.
    let amersfoort: Vec<&str> = providers
        .lines()
        .filter(|l| l.contains(",Amersfoort,"))
        .collect();
    assert_eq!(amersfoort.len(), 2 * 2 * 3);
    for line in &amersfoort {
        assert!(line.contains(",false,platform,"), "{line}");
    }
    assert!(providers.contains("v001,minimum-first,0,Eemland,Eem,2029,A,"));
    let stats = fs::read_to_string(d.join("full/stats.csv")).unwrap();
    for metric in [
        "carers.2029",
        "mothers_below_minimum.2027",
        "trainees_started.2028",
    ] {
        assert!(
            stats.contains(&format!("v001,minimum-first,ALL,{metric},")),
            "stats.csv lacks {metric}"
        );
    }
}

#[test]
fn bad_workforce_values_name_file_line_and_field_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    let text = SWEEP
        .replace(
            "hired_per_year = 5",
            "hired_per_year = 5\nattrition_per_year = 1.5",
        )
        .replace("employed_share = 0.55", "employed_share = 55");
    fs::write(&file, text).unwrap();
    let out = kraamsim().arg("validate").arg(&file).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains(
            "bad.toml:16:22: `workforce.attrition_per_year`: must be between 0 and 0.99, got 1.5"
        ),
        "{err}"
    );
    assert!(
        err.contains("`providers[1].employed_share`: must be between 0 and 1, got 55"),
        "{err}"
    );
    let bad_type = SWEEP.replace("dynamic = true", "dynamic = \"yes\"");
    fs::write(&file, bad_type).unwrap();
    let out = kraamsim().arg("validate").arg(&file).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("bad.toml:14:11: `workforce.dynamic`"), "{err}");
}

#[test]
fn shipped_workforce_2031_closes_the_gap_faster_with_more_training() {
    let variants = common::shipped_variants("workforce-2031.toml");
    assert_eq!(variants.len(), 4);
    // Today's mix against every provider A with twice the training, one replication each
    // (the same mothers in both).
    let gap = |i: usize| {
        let mut s = variants[i].scenario.clone();
        s.replications = 1;
        let r = run(&s, false);
        let last =
            |f: fn(&YearTotals) -> f64| -> f64 { r.results.iter().map(|x| f(&x.years[4])).sum() };
        let carers = last(|y| y.workforce.carers as f64);
        let share = last(|y| y.shortfall_hours) / last(|y| y.indicated_hours);
        (carers, share)
    };
    let (today_carers, today_gap) = gap(0);
    let (trained_carers, trained_gap) = gap(2);
    assert!(
        trained_carers > today_carers + 500.0,
        "{trained_carers} vs {today_carers}"
    );
    assert!(
        trained_gap < today_gap - 0.05,
        "{trained_gap} vs {today_gap}"
    );
}
