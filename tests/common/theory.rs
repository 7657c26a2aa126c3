//! The measurements of the theory checks (docs/validation.md §1, docs/birth-assistance.md
//! "Validated against Erlang B"): each configuration whose answer is known in closed form,
//! run, and reduced to what was measured, what theory says, and the tolerance.
//!
//! Shared by `tests/validation.rs`, which asserts each measurement within its tolerance, and
//! `examples/doc-figures/figures.rs`, which writes the same measurements into the docs' tables;
//! so a table can only show what the test checked. Included by path in both (not a module of
//! `tests/common/mod.rs`, which other tests compile without needing this).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::Datelike;
use kraamsim::engine::MINUTES_PER_DAY;
use kraamsim::generate;
use kraamsim::model::Calendar;
use kraamsim::run::{self, RunOptions, RunResults};
use kraamsim::scenario::{self, Scenario};
use kraamsim::sim::{RegionResult, erlang_b, posts_for};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// Two-sided level of every check.
pub const LEVEL: f64 = 0.999;

/// `scenarios/NAME` of the repository at `root`.
pub fn load(root: &Path, name: &str) -> Result<Scenario, String> {
    Ok(scenario::load_file(&root.join("scenarios").join(name))
        .map_err(|e| e.to_string())?
        .scenario)
}

/// `s` run through the library on two threads (`keep_mothers`: keep per-mother records).
pub fn run(s: &Scenario, keep_mothers: bool) -> Result<RunResults, String> {
    let options = RunOptions {
        threads: Some(2),
        keep_mothers,
        ..RunOptions::default()
    };
    run::run(s, &options).map_err(|e| e.to_string())
}

/// Mean of `values` and the half-width of its two-sided [`LEVEL`] Student-t interval.
pub fn t_interval(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    assert!(n >= 2.0);
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .unwrap()
        .inverse_cdf(0.5 + LEVEL / 2.0);
    (mean, t * (var / n).sqrt())
}

/// A chi-square test: Pearson's statistic of observed counts against expected counts, and the
/// [`LEVEL`] critical value for `cells - 1` degrees of freedom (the expected counts are fixed
/// by the configuration, not estimated).
#[derive(Debug, Clone, Copy)]
pub struct ChiSquare {
    pub stat: f64,
    pub critical: f64,
    pub df: usize,
}

pub fn chi_square(observed: &[u64], expected: &[f64]) -> ChiSquare {
    let stat = observed
        .iter()
        .zip(expected)
        .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
        .sum();
    let df = observed.len() - 1;
    ChiSquare {
        stat,
        critical: ChiSquared::new(df as f64).unwrap().inverse_cdf(LEVEL),
        df,
    }
}

/// The results of one region, one per replication, for the scenario's first policy.
pub fn per_replication(r: &RunResults, region: usize) -> Vec<&RegionResult> {
    let first = r.policies[0];
    r.results
        .iter()
        .filter(|x| x.region == region && x.policy == first)
        .collect()
}

/// The births of replication 0 of a scenario against the rates it configures.
#[derive(Debug, Clone)]
pub struct Arrivals {
    /// Births in the reporting year.
    pub births: u64,
    /// Expected births in the year, and the [`LEVEL`] tolerance of a Poisson count around it.
    pub expected: f64,
    pub tolerance: f64,
    pub per_month: ChiSquare,
    pub per_weekday: ChiSquare,
    /// Against a year without seasonality: must be rejected (the test has power).
    pub against_flat: ChiSquare,
    /// The month and weekday counts and their expectations, for the test's messages.
    pub months: ([u64; 12], [f64; 12]),
    pub weekdays: ([u64; 7], [f64; 7]),
}

/// Births per month and weekday of replication 0 of `s`, against its configured rates
/// (Poisson per day: the region's births a year x the month's weight / the weights' total /
/// the month's days).
pub fn arrivals(s: &Scenario) -> Arrivals {
    let cal = Calendar::new(s);
    let total_weight: f64 = s.births.monthly_weights.iter().sum();
    let annual = s.expected_births();
    let mut expected_month = [0.0; 12];
    let mut expected_weekday = [0.0; 7];
    for day in cal.report_start..=cal.report_end {
        let date = cal.date(day);
        let month = date.month0() as usize;
        let days_in_month = f64::from(
            (date.with_day(1).unwrap() + chrono::Months::new(1) - chrono::Duration::days(1)).day(),
        );
        let rate = annual * s.births.monthly_weights[month] / total_weight / days_in_month;
        expected_month[month] += rate;
        expected_weekday[cal.weekday(day) as usize] += rate;
    }
    let mut month = [0u64; 12];
    let mut weekday = [0u64; 7];
    for region in 0..s.regions.len() {
        for m in &generate::population(s, &cal, region, 0).mothers {
            let day = m.birth_minute / MINUTES_PER_DAY;
            if cal.in_report(day) {
                month[cal.month0(day)] += 1;
                weekday[cal.weekday(day) as usize] += 1;
            }
        }
    }
    let days = [
        31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
    ];
    let flat: Vec<f64> = days.iter().map(|d| annual * d / 365.0).collect();
    let expected: f64 = expected_month.iter().sum();
    let z = Normal::new(0.0, 1.0)
        .unwrap()
        .inverse_cdf(0.5 + LEVEL / 2.0);
    Arrivals {
        births: month.iter().sum(),
        expected,
        tolerance: z * expected.sqrt(),
        per_month: chi_square(&month, &expected_month),
        per_weekday: chi_square(&weekday, &expected_weekday),
        against_flat: chi_square(&month, &flat),
        months: (month, expected_month),
        weekdays: (weekday, expected_weekday),
    }
}

/// Births per province of replication 0 of `national.toml` (the repository at `root`)
/// against CBS 2023, the expected births of the national dataset (a non-leap year's
/// expectation is exactly the annual figure).
pub fn provinces(root: &Path, s: &Scenario) -> Result<(ChiSquare, Vec<u64>), String> {
    use kraamsim::generate::national::PROVINCES;
    let cal = Calendar::new(s);
    let path = root.join("scenarios/data/national/postcodes.csv");
    let csv = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut province_of = HashMap::new();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let postcode: u16 = f[0]
            .parse()
            .map_err(|_| format!("postcodes.csv: `{line}`"))?;
        let p = PROVINCES
            .iter()
            .position(|x| Some(&x.0) == f.get(3))
            .ok_or_else(|| format!("postcodes.csv: unknown province in `{line}`"))?;
        province_of.insert(postcode, p);
    }
    let mut observed = vec![0u64; PROVINCES.len()];
    for region in 0..s.regions.len() {
        for m in generate::population(s, &cal, region, 0).mothers {
            if cal.in_report(m.birth_minute / MINUTES_PER_DAY) {
                observed[province_of[&m.postcode]] += 1;
            }
        }
    }
    let expected: Vec<f64> = PROVINCES.iter().map(|p| f64::from(p.1)).collect();
    Ok((chi_square(&observed, &expected), observed))
}

/// One region of a loss system: the share lost (mothers without care, or assists finding no
/// post free) against Erlang-B(servers, load).
#[derive(Debug, Clone)]
pub struct Loss {
    pub region: String,
    pub servers: u32,
    /// Offered load a in erlang, from the configuration.
    pub load: f64,
    /// Mean over replications and the [`LEVEL`] half-width.
    pub mean: f64,
    pub tolerance: f64,
    pub theory: f64,
    pub replications: usize,
    /// Per day part (night, day, evening) for the birth-assistance pool: mean and half-width.
    pub parts: Vec<(f64, f64)>,
}

/// `validation/erlang-b.toml` run by `r`: the `loss` policy as an M/D/c/c queue, each region
/// offered load a = births per day x days of care, c = its carers.
pub fn loss_system(s: &Scenario, r: &RunResults) -> Vec<Loss> {
    let care_days = f64::from(s.indication.care_window_days);
    s.regions
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let births_per_day: f64 = region
                .postcodes
                .iter()
                .map(|p| p.births_per_year)
                .sum::<f64>()
                / 365.0;
            let load = births_per_day * care_days;
            let carers: u32 = s
                .providers
                .iter()
                .filter(|p| p.region == region.name)
                .map(|p| p.carers)
                .sum();
            let shares: Vec<f64> = per_replication(r, i)
                .iter()
                .map(|x| x.totals.mothers_without_care as f64 / x.totals.mothers as f64)
                .collect();
            let (mean, tolerance) = t_interval(&shares);
            Loss {
                region: region.name.clone(),
                servers: carers,
                load,
                mean,
                tolerance,
                theory: erlang_b(carers, load),
                replications: shares.len(),
                parts: Vec::new(),
            }
        })
        .collect()
}

/// `validation/birth-pool-erlang-b.toml` run by `r`: with the same posts in every day part
/// and every birth asking for an assist, the share of requests finding no post free (served
/// by a carer called away, or missed) against Erlang-B(posts, births per hour x hours),
/// overall and per day part.
pub fn birth_pool(s: &Scenario, r: &RunResults) -> Vec<Loss> {
    let b = &s.birth_assist;
    let posts = b.on_call.expect("posts set in the file")[0];
    let share = |missed: u64, requested: u64| missed as f64 / requested.max(1) as f64;
    s.regions
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let births_per_hour: f64 = region
                .postcodes
                .iter()
                .map(|p| p.births_per_year)
                .sum::<f64>()
                / 8760.0;
            let load = births_per_hour * b.hours;
            let reps = per_replication(r, i);
            let overall: Vec<f64> = reps
                .iter()
                .map(|x| {
                    let t = &x.totals;
                    let away: u64 = t.birth_assists_called_away_by_part.iter().sum();
                    share(t.birth_assists_missed + away, t.birth_assists_requested)
                })
                .collect();
            let (mean, tolerance) = t_interval(&overall);
            let parts = (0..3)
                .map(|part| {
                    let shares: Vec<f64> = reps
                        .iter()
                        .map(|x| {
                            let t = &x.totals;
                            share(
                                t.birth_assists_missed_by_part[part]
                                    + t.birth_assists_called_away_by_part[part],
                                t.birth_assists_requested_by_part[part],
                            )
                        })
                        .collect();
                    t_interval(&shares)
                })
                .collect();
            Loss {
                region: region.name.clone(),
                servers: posts,
                load,
                mean,
                tolerance,
                theory: erlang_b(posts, load),
                replications: reps.len(),
                parts,
            }
        })
        .collect()
}

/// One region of the birth-assistance pool with its posts sized to a target.
#[derive(Debug, Clone)]
pub struct Sized {
    pub region: String,
    /// The posts `posts_for` gave the parts, over all replications.
    pub posts: BTreeSet<u32>,
    /// Every part of every replication had its posts' duty hours, and an Erlang-B loss for
    /// them at most the target.
    pub posts_as_sized: bool,
    /// Share of requests finding no post free: mean and [`LEVEL`] half-width.
    pub share: (f64, f64),
    /// That share minus Erlang-B's for the posts given: mean and half-width.
    pub gap: (f64, f64),
}

/// Replications of the sizing check.
pub const SIZED_REPLICATIONS: u32 = 10;
/// Its target share of requests missed.
pub const SIZED_TARGET: f64 = 0.02;

/// `validation/birth-pool-erlang-b.toml` without `on_call`, sized to [`SIZED_TARGET`]
/// (`on_call_sized_to_a_target_matches_erlang_b_for_a_single_pool`): each part of each
/// replication gets the fewest posts whose Erlang-B loss at its load is at most the target.
pub fn sized_pool(mut s: Scenario) -> Result<Vec<Sized>, String> {
    s.birth_assist.on_call = None;
    s.birth_assist.target_miss = SIZED_TARGET;
    s.replications = SIZED_REPLICATIONS;
    let hours = s.birth_assist.hours;
    let r = run(&s, false)?;
    Ok(s.regions
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let (mut gaps, mut shares) = (Vec::new(), Vec::new());
            let mut posts_given = BTreeSet::new();
            let mut as_sized = true;
            for x in per_replication(&r, i) {
                let t = &x.totals;
                let mut expected = 0.0;
                for p in 0..3 {
                    let requests = t.birth_assists_requested_by_part[p] as f64;
                    let load = requests / 365.0 / 8.0 * hours;
                    let posts = posts_for(load, SIZED_TARGET);
                    posts_given.insert(posts);
                    as_sized &= t.on_call_hours[p] == f64::from(posts) * 8.0 * 365.0
                        && erlang_b(posts, load) <= SIZED_TARGET;
                    expected += requests * erlang_b(posts, load);
                }
                let requested = t.birth_assists_requested as f64;
                let away: u64 = t.birth_assists_called_away_by_part.iter().sum();
                let share = (t.birth_assists_missed + away) as f64 / requested;
                gaps.push(share - expected / requested);
                shares.push(share);
            }
            Sized {
                region: region.name.clone(),
                posts: posts_given,
                posts_as_sized: as_sized,
                share: t_interval(&shares),
                gap: t_interval(&gaps),
            }
        })
        .collect())
}

/// Mean days of care at home per mother implied by the configuration: the care window (the
/// extended one with medical hours) less the hospital days of her birth place.
pub fn mean_care_days(s: &Scenario) -> f64 {
    let ind = &s.indication;
    let bp = &s.birth_place;
    let [lo, hi] = bp.caesarean_hospital_days;
    let other = 1.0 - bp.home_share - bp.outpatient_share - bp.caesarean_share;
    // (probability, hospital days)
    let mut stays = vec![
        (bp.home_share + bp.outpatient_share, 0),
        (other * (1.0 - bp.clinical_overnight_share), 0),
        (other * bp.clinical_overnight_share, 1),
    ];
    for d in lo..=hi {
        stays.push((bp.caesarean_share / f64::from(hi - lo + 1), d));
    }
    let windows = [
        (1.0 - ind.medical_share, ind.care_window_days),
        (ind.medical_share, ind.extended_care_window_days),
    ];
    let mut mean = 0.0;
    for (pw, w) in windows {
        for &(ps, h) in &stays {
            mean += pw * ps * f64::from(w.saturating_sub(h).max(1));
        }
    }
    mean
}

/// Little's law on `validation/little.toml` (one region) run by `r` with its mothers kept.
#[derive(Debug, Clone)]
pub struct Little {
    /// Births per day and mean days of care from the configuration.
    pub lambda: f64,
    pub w: f64,
    /// Mean mothers in care at the daily plans: mean and [`LEVEL`] half-width.
    pub l: (f64, f64),
    /// Mean days of care of the mothers the simulation counted: mean and half-width.
    pub w_counted: (f64, f64),
    pub replications: usize,
}

pub fn little(s: &Scenario, r: &RunResults) -> Little {
    let cal = Calendar::new(s);
    let days = f64::from(cal.report_end - cal.report_start + 1);
    let reps = per_replication(r, 0);
    let l: Vec<f64> = reps.iter().map(|x| x.mother_days as f64 / days).collect();
    let counted: Vec<f64> = reps
        .iter()
        .map(|x| {
            let n = x.mothers.len() as f64;
            x.mothers
                .iter()
                .map(|(m, _)| f64::from(m.indication.home_days))
                .sum::<f64>()
                / n
        })
        .collect();
    Little {
        lambda: s.expected_births() / days,
        w: mean_care_days(s),
        l: t_interval(&l),
        w_counted: t_interval(&counted),
        replications: reps.len(),
    }
}

/// The runs whose conservation `tests/validation.rs` checks: every shipped regional
/// scenario and the validation scenarios at 2 replications, and a deep shortage (ksv-area
/// at 30% of its carers, one replication) under all five policies, by provider and pooled.
pub fn conservation_cases(root: &Path) -> Result<Vec<Scenario>, String> {
    use kraamsim::scenario::{CapacityScope, PolicyName};
    let mut cases = Vec::new();
    for name in [
        "baseline.toml",
        "summer-shortage.toml",
        "ksv-area.toml",
        "validation/erlang-b.toml",
        "validation/little.toml",
    ] {
        let mut s = load(root, name)?;
        s.replications = 2;
        cases.push(s);
    }
    let mut deep = load(root, "ksv-area.toml")?;
    deep.replications = 1;
    deep.carers.capacity_factor = 0.3;
    for scope in [CapacityScope::Provider, CapacityScope::Region] {
        deep.policy.scope = scope;
        deep.policy.name = PolicyName::MinimumFirst;
        deep.policy.compare = vec![
            PolicyName::Proportional,
            PolicyName::FirstComeFirstServed,
            PolicyName::RefuseWhenFull,
            PolicyName::Loss,
        ];
        cases.push(deep.clone());
    }
    Ok(cases)
}
