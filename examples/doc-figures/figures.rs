//! Every number of README.md and docs/*.md that comes from a run of kraamsim, defined once: its
//! name (the `fig:NAME` of its marker), what computes it, and how it is written.
//!
//! Figures read the files a user reads: each scenario is run once by the kraamsim binary into a
//! temporary directory (`Runs::output`), and a figure is taken from its stats.csv, summary.csv
//! or terminal table. The national tables of docs/validation.md need the generated population
//! as well (births per month and province), so they call the library (`Runs::national`), as
//! the old `examples/national_figures.rs` did. Shared by `examples/doc-figures/main.rs` (write
//! and check) and `tests/doc_figures.rs` (checks the cheap figures in `cargo test`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::Datelike;
use kraamsim::engine::MINUTES_PER_DAY;
use kraamsim::generate::{self, national::PROVINCES};
use kraamsim::model::Calendar;
use kraamsim::output::{Estimate, estimate};
use kraamsim::run::{self, RunOptions};
use kraamsim::scenario::{self, CapacityScope};

#[path = "sensitivity.rs"]
mod sensitivity;
// What `tests/validation.rs` measures and asserts; it reads more of it than the docs show.
#[path = "../../tests/common/theory.rs"]
#[allow(dead_code)]
mod theory;

use sensitivity::{Bar, Sensitivity};

pub type Result<T> = std::result::Result<T, String>;

/// Cheap figures run in seconds and are checked by `cargo test --release`; expensive ones
/// (the national year, sweeps over it) only by `doc-figures --check` in `.ci/run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    Cheap,
    Expensive,
}

type Compute = Box<dyn Fn(&mut Runs) -> Result<String>>;

pub struct Figure {
    pub name: String,
    pub cost: Cost,
    compute: Compute,
}

impl Figure {
    fn new(name: impl Into<String>, cost: Cost, compute: Compute) -> Figure {
        Figure {
            name: name.into(),
            cost,
            compute,
        }
    }

    pub fn compute(&self, runs: &mut Runs) -> Result<String> {
        (self.compute)(runs).map_err(|e| format!("fig {}: {e}", self.name))
    }
}

/// One row of stats.csv: the mean and 95% interval (none with one replication).
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub mean: f64,
    pub ci: Option<(f64, f64)>,
}

impl Stat {
    fn half(&self) -> f64 {
        self.ci.map_or(0.0, |(lo, hi)| (hi - lo) / 2.0)
    }
}

/// What one command wrote: its terminal output and its stats.csv.
pub struct Output {
    pub stdout: String,
    /// The output directory, for the files beside stats.csv.
    pub dir: PathBuf,
    /// (variant, policy, region, metric) -> estimate.
    stats: HashMap<(String, String, String, String), Stat>,
}

impl Output {
    pub fn stat(&self, variant: &str, policy: &str, region: &str, metric: &str) -> Result<Stat> {
        self.stats
            .get(&(variant.into(), policy.into(), region.into(), metric.into()))
            .copied()
            .ok_or_else(|| format!("stats.csv has no row {variant},{policy},{region},{metric}"))
    }

    /// Region `ALL` of a plain run.
    fn all(&self, policy: &str, metric: &str) -> Result<Stat> {
        self.stat("base", policy, "ALL", metric)
    }
}

/// The national year of `docs/validation.md` §2, from the library.
pub struct National {
    /// The intended regime's column of docs/validation.md § Practice as observed.
    practice: Practice,
    /// The first three replications as the band test of `tests/validation.rs` prints them.
    band: String,
    /// The totals of all replications and regions.
    totals: kraamsim::sim::Totals,
    /// The totals of replication 0, all regions: what a one-replication run gives.
    first: kraamsim::sim::Totals,
    /// Days of the reporting period.
    report_days: f64,
    estimates: HashMap<&'static str, Estimate>,
    months: String,
    provinces: String,
    summer_weeks_pct: f64,
}

/// The runs figures are taken from, each made once however many figures use it.
pub struct Runs {
    bin: PathBuf,
    root: PathBuf,
    tmp: tempfile::TempDir,
    outputs: HashMap<String, Output>,
    national: Option<National>,
    backtest: Option<kraamsim::forecast::backtest::Coverage>,
    theory: Option<Theory>,
    /// observed-2024 and the arrangements between it and the intended regime, by name.
    practices: HashMap<&'static str, Practice>,
    /// The national year by productive share (`calibration`): delivered hours per mother, %
    /// with the full indication, % below the minimum, over all replications.
    calibrations: Vec<(f64, [f64; 3])>,
    /// summer-shortage with a third of its carers (`deep_shortage`).
    deep_shortage: Option<kraamsim::sim::Totals>,
}

impl Runs {
    /// `bin` is the kraamsim binary of this source tree, `root` the repository.
    pub fn new(bin: &Path, root: &Path) -> Result<Runs> {
        Ok(Runs {
            bin: bin.to_path_buf(),
            root: root.to_path_buf(),
            tmp: tempfile::tempdir().map_err(|e| format!("making a temporary directory: {e}"))?,
            outputs: HashMap::new(),
            national: None,
            backtest: None,
            theory: None,
            practices: HashMap::new(),
            deep_shortage: None,
            calibrations: Vec::new(),
        })
    }

    /// `kraamsim ARGS --out TMP --no-charts --quiet`, run from the repository root.
    pub fn output(&mut self, args: &str) -> Result<&Output> {
        if !self.outputs.contains_key(args) {
            let out = self.tmp.path().join(format!("run{}", self.outputs.len()));
            let result = Command::new(&self.bin)
                .args(args.split_whitespace())
                .arg("--out")
                .arg(&out)
                .args(["--no-charts", "--quiet"])
                .current_dir(&self.root)
                .output()
                .map_err(|e| format!("running {}: {e}", self.bin.display()))?;
            if !result.status.success() {
                return Err(format!(
                    "kraamsim {args} failed: {}",
                    String::from_utf8_lossy(&result.stderr)
                ));
            }
            let stats = read_stats(&out.join("stats.csv"))?;
            let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
            self.outputs.insert(
                args.to_string(),
                Output {
                    stdout,
                    dir: out,
                    stats,
                },
            );
        }
        Ok(&self.outputs[args])
    }

    /// The example forecast scenario, `scenarios/ksv-forecast/ksv-forecast.toml`.
    fn forecast_scenario(&self) -> Result<scenario::Scenario> {
        let path = self.root.join("scenarios/ksv-forecast/ksv-forecast.toml");
        Ok(scenario::load_file(&path)
            .map_err(|e| e.to_string())?
            .scenario)
    }

    /// The forecast backtest of `tests/forecast.rs`: 4 real runs, 100 futures each.
    pub fn backtest(&mut self) -> Result<&kraamsim::forecast::backtest::Coverage> {
        if self.backtest.is_none() {
            let s = self.forecast_scenario()?;
            self.backtest = Some(kraamsim::forecast::backtest::coverage(&s, 4, 100)?);
        }
        Ok(self.backtest.as_ref().expect("just set"))
    }

    /// The theory checks of `tests/validation.rs`, measured as it measures them.
    fn theory(&mut self) -> Result<&Theory> {
        if self.theory.is_none() {
            self.theory = Some(Theory::measure(&self.root)?);
        }
        Ok(self.theory.as_ref().expect("just set"))
    }

    /// `arrangement` of observed-2024 (`ARRANGEMENTS_2024`), 10 replications.
    fn practice(&mut self, arrangement: &'static str) -> Result<&Practice> {
        if !self.practices.contains_key(arrangement) {
            let mut s = observed_scenario(&self.root)?;
            let wl = &mut s.policy.waiting_list;
            match arrangement {
                "observed" => {}
                "booking-0.6" => wl.booking_share = 0.6,
                "booking-0.7" => wl.booking_share = 0.7,
                "per-provider" | "pooled" | "list-unlimited" | "list-2" | "refusals" => {
                    s.provider_closures.clear();
                    if arrangement != "refusals" {
                        wl.refusals = false;
                    }
                    if arrangement == "list-unlimited" {
                        wl.max_transfers_per_day = None;
                    }
                    if arrangement == "pooled" {
                        s.policy.scope = CapacityScope::Region;
                    }
                    if arrangement == "per-provider" {
                        s.policy.scope = CapacityScope::Provider;
                    }
                }
                _ => return Err(format!("no arrangement `{arrangement}`")),
            }
            // The bookings beside the scenario's 0.5 are a check of one assumption: one
            // replication each.
            let replications = if arrangement.starts_with("booking-") {
                1
            } else {
                OBSERVED_REPLICATIONS
            };
            let p = practice_of(s, replications)?;
            self.practices.insert(arrangement, p);
        }
        Ok(&self.practices[arrangement])
    }

    /// The national year with `productive_share`, `NATIONAL_REPLICATIONS` replications.
    fn calibration(&mut self, productive_share: f64) -> Result<[f64; 3]> {
        if let Some((_, v)) = self.calibrations.iter().find(|c| c.0 == productive_share) {
            return Ok(*v);
        }
        let mut s = scenario::load_file(&self.root.join("scenarios/national.toml"))
            .map_err(|e| e.to_string())?
            .scenario;
        s.replications = NATIONAL_REPLICATIONS;
        s.carers.productive_share = productive_share;
        let t = run_totals(&s)?;
        let mothers = t.mothers.max(1) as f64;
        let v = [
            t.delivered_hours / mothers,
            100.0 * t.mothers_full_indication as f64 / mothers,
            100.0 * t.mothers_below_minimum as f64 / mothers,
        ];
        self.calibrations.push((productive_share, v));
        Ok(v)
    }

    pub fn national(&mut self) -> Result<&National> {
        if self.national.is_none() {
            self.national = Some(national(&self.root).map_err(|e| e.to_string())?);
        }
        Ok(self.national.as_ref().expect("just set"))
    }
}

fn read_stats(path: &Path) -> Result<HashMap<(String, String, String, String), Stat>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let num = |k: usize| -> Result<Option<f64>> {
            match f.get(k) {
                Some(&"") => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{}:{}: `{v}` is not a number", path.display(), i + 1)),
                None => Err(format!("{}:{}: too few columns", path.display(), i + 1)),
            }
        };
        let mean = num(4)?.unwrap_or(0.0);
        let ci = num(5)?.zip(num(6)?);
        out.insert(
            (f[0].into(), f[1].into(), f[2].into(), f[3].into()),
            Stat { mean, ci },
        );
    }
    Ok(out)
}

/// `x` with `digits` decimals and a comma between thousands: 164,324.
pub fn thousands(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    let mut grouped = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Mean and interval as in the national tables: `42.07 (42.02-42.12)`.
fn paren(e: &Estimate, digits: usize) -> String {
    let (lo, hi) = e.ci95.unwrap_or((e.mean, e.mean));
    format!("{:.digits$} ({lo:.digits$}-{hi:.digits$})", e.mean)
}

/// Mean and interval as stats.csv gives them: `7.97 [7.22, 8.71]`, scaled by `k`.
fn bracket(s: Stat, k: f64, digits: usize) -> String {
    let (lo, hi) = s.ci.unwrap_or((s.mean, s.mean));
    format!(
        "{:.digits$} [{:.digits$}, {:.digits$}]",
        k * s.mean,
        k * lo,
        k * hi
    )
}

fn pct(s: Stat, digits: usize) -> String {
    format!("{:.digits$}", 100.0 * s.mean)
}

/// Every figure, in no particular order (names are unique).
pub fn all() -> Vec<Figure> {
    let mut f = Vec::new();
    policy_comparison(&mut f);
    summer_shortage(&mut f);
    baseline(&mut f);
    waiting_list(&mut f);
    national_figures(&mut f);
    sensitivity(&mut f);
    birth_pool(&mut f);
    observed(&mut f);
    forecast_backtest(&mut f);
    theory_figures(&mut f);
    birth_assistance_changes(&mut f);
    workforce(&mut f);
    continuity(&mut f);
    deep_shortage(&mut f);
    calibration(&mut f);
    f
}

/// docs/validation.md § Calibration: the national year at other productive shares than the
/// calibrated 0.81, 10 replications each: delivered hours per mother, and at 0.75 also the
/// shares with their full indication and below the minimum.
fn calibration(f: &mut Vec<Figure>) {
    for (name, share) in [("0.75", 0.75), ("0.80", 0.80), ("0.82", 0.82)] {
        f.push(Figure::new(
            format!("calibration.delivered.{name}"),
            Cost::Expensive,
            Box::new(move |r| Ok(format!("{:.1}", r.calibration(share)?[0]))),
        ));
    }
    for (name, k, digits) in [("full-indication", 1, 1), ("below-minimum", 2, 1)] {
        f.push(Figure::new(
            format!("calibration.0.75.{name}"),
            Cost::Expensive,
            Box::new(move |r| Ok(format!("{:.digits$}", r.calibration(0.75)?[k]))),
        ));
    }
}

/// A row of docs/birth-assistance.md's continuity table from the totals of all replications
/// (so ratios of means), in % of the mothers with care.
fn continuity_row(label: &str, t: &kraamsim::sim::Totals, continuity: bool) -> String {
    let with_care = (t.mothers - t.mothers_without_care).max(1) as f64;
    let c = t.mothers_by_carers.map(|n| 100.0 * n as f64 / with_care);
    let reasons = &t.third_carer_reasons;
    let r = |k: usize| 100.0 * reasons[k] as f64 / with_care;
    let (mean, why) = if continuity {
        let mean = t
            .mothers_by_carers
            .iter()
            .enumerate()
            .map(|(k, &n)| (k + 1) as f64 * n as f64)
            .sum::<f64>()
            / with_care;
        (
            format!("{mean:.2}"),
            format!("{:.1}% / {:.1}% / {:.1}%", r(0), r(1), r(2)),
        )
    } else {
        // Every third carer is "other" without continuity, and the mean says little when
        // nearly every family has four or more.
        ("4+".to_string(), String::new())
    };
    format!(
        "| {label} | {:.1}% | {:.1}% | {:.1}% | {:.1}% | {:.1}% | {mean} | {why} |\n",
        c[0],
        c[1],
        c[2],
        c[3],
        c[0] + c[1]
    )
}

/// The totals of all replications and regions of a library run of `s`.
fn run_totals(s: &scenario::Scenario) -> Result<kraamsim::sim::Totals> {
    let r = run::run(
        s,
        &RunOptions {
            threads: Some(2),
            ..RunOptions::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let mut t = kraamsim::sim::Totals::default();
    for x in &r.results {
        t.add(&x.totals);
    }
    Ok(t)
}

/// docs/birth-assistance.md, "Continuity": carers per family in the shipped scenarios, and
/// summer-shortage with continuity on and off.
fn continuity(f: &mut Vec<Figure>) {
    f.push(Figure::new(
        "continuity.table",
        Cost::Expensive,
        Box::new(|r| {
            let load = |name: &str| -> Result<scenario::Scenario> {
                Ok(scenario::load_file(&r.root.join("scenarios").join(name))
                    .map_err(|e| e.to_string())?
                    .scenario)
            };
            let mut t = String::from(
                "| scenario | 1 carer | 2 | 3 | 4+ | at most two | mean | third carer: away / rest / busy |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
            );
            let mut baseline = load("baseline.toml")?;
            let summer = load("summer-shortage.toml")?;
            t += &continuity_row(
                &format!("baseline.toml ({} replications)", baseline.replications),
                &run_totals(&baseline)?,
                true,
            );
            baseline.policy.continuity = false;
            t += &continuity_row("the same, `continuity = false`", &run_totals(&baseline)?, false);
            t += &continuity_row(
                &format!("summer-shortage.toml ({})", summer.replications),
                &run_totals(&summer)?,
                true,
            );
            t += &continuity_row(
                &format!("national.toml ({NATIONAL_REPLICATIONS})"),
                &r.national()?.totals,
                true,
            );
            Ok(t)
        }),
    ));
    // summer-shortage over 20 replications with continuity on and off: mothers below the
    // minimum, and their difference in standard errors of a difference of two counts.
    f.push(Figure::new(
        "continuity.summer-below",
        Cost::Cheap,
        Box::new(|r| {
            let mut s = scenario::load_file(&r.root.join("scenarios/summer-shortage.toml"))
                .map_err(|e| e.to_string())?
                .scenario;
            s.replications = 20;
            let on = run_totals(&s)?;
            s.policy.continuity = false;
            let off = run_totals(&s)?;
            let (a, b) = (on.mothers_below_minimum as f64, off.mothers_below_minimum as f64);
            Ok(format!(
                "{a:.0} mothers below the minimum against {b:.0} without (of {}; {:.1} standard errors)",
                thousands(on.mothers as f64, 0),
                (a - b).abs() / (a + b).max(1.0).sqrt()
            ))
        }),
    ));
}

/// docs/forecast.md's backtest and README's summary of it: 4 runs of the example scenario
/// as the real futures, 100 forecast futures each, as `tests/forecast.rs` asserts them.
fn forecast_backtest(f: &mut Vec<Figure>) {
    use kraamsim::forecast::backtest;
    type Show = fn(&backtest::Coverage) -> String;
    let figures: [(&str, Show); 3] = [
        ("coverage", |c| {
            format!(
                "{} of {} week × metric points, {:.1}%",
                c.total_inside(),
                c.total_points(),
                100.0 * c.share()
            )
        }),
        ("coverage-0", |c| format!("{:.0}", 100.0 * c.share())),
        ("per-metric", |c| {
            let names = ["demand", "carer hours", "shortfall", "below minimum"];
            let parts: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(m, n)| format!("{n} {:.0}%", 100.0 * c.metric_share(m)))
                .collect();
            parts.join(", ")
        }),
    ];
    for (name, show) in figures {
        f.push(Figure::new(
            format!("forecast.backtest.{name}"),
            Cost::Cheap,
            Box::new(move |r| Ok(show(r.backtest()?))),
        ));
    }
    f.push(Figure::new(
        "forecast.backtest.demand-ratio",
        Cost::Cheap,
        Box::new(|r| {
            let s = r.forecast_scenario()?;
            Ok(format!("{:.3}", backtest::demand_ratio(&s, 8, 50)?))
        }),
    ));
}

/// The measurements of the theory checks (`tests/common/theory.rs`), as
/// `tests/validation.rs` makes them.
pub struct Theory {
    national_regions: usize,
    arrivals: theory::Arrivals,
    provinces: theory::ChiSquare,
    loss: Vec<theory::Loss>,
    pool: Vec<theory::Loss>,
    sized: Vec<theory::Sized>,
    little: theory::Little,
    /// Births a year of `little.toml`.
    little_births: f64,
    /// The runs of the conservation check and their mothers.
    conservation: (usize, u64),
}

impl Theory {
    fn measure(root: &Path) -> Result<Theory> {
        let national = theory::load(root, "national.toml")?;
        let loss = theory::load(root, "validation/erlang-b.toml")?;
        let pool = theory::load(root, "validation/birth-pool-erlang-b.toml")?;
        let little = theory::load(root, "validation/little.toml")?;
        let cases = theory::conservation_cases(root)?;
        let mut mothers = 0;
        for s in &cases {
            let r = theory::run(s, false)?;
            mothers += r.results.iter().map(|x| x.totals.mothers).sum::<u64>();
        }
        Ok(Theory {
            national_regions: national.regions.len(),
            arrivals: theory::arrivals(&national),
            provinces: theory::provinces(root, &national)?.0,
            loss: theory::loss_system(&loss, &theory::run(&loss, false)?),
            pool: theory::birth_pool(&pool, &theory::run(&pool, false)?),
            sized: theory::sized_pool(pool)?,
            little: theory::little(&little, &theory::run(&little, true)?),
            little_births: little.expected_births(),
            conservation: (cases.len(), mothers),
        })
    }

    /// The table of docs/validation.md §1.
    fn table(&self) -> String {
        let a = &self.arrivals;
        let level = format!("{:.1}%", 100.0 * theory::LEVEL);
        let mut t = String::from(
            "| check | scenario | measured | theory | tolerance |\n| --- | --- | --- | --- | --- |\n",
        );
        let (m, d, p, flat) = (a.per_month, a.per_weekday, self.provinces, a.against_flat);
        t += &format!(
            "| births per month (chi-square, {} df) | `national.toml`, {} births in the year | chi-square {:.2} | expected per month from `births.monthly_weights` | < {:.2} (critical, {level}) |\n",
            m.df,
            thousands(a.births as f64, 0),
            m.stat,
            m.critical
        );
        t += &format!(
            "| births per weekday (chi-square, {} df) | same | {:.2} | expected per weekday from the daily rates | < {:.2} |\n",
            d.df, d.stat, d.critical
        );
        t += &format!(
            "| births per province (chi-square, {} df) | same | {:.2} | CBS 2023 per province | < {:.2} |\n",
            p.df, p.stat, p.critical
        );
        let expected = thousands(a.expected, 0);
        t += &format!(
            "| births in the year | same | {} | {expected} | ±{} (z {:.2} x sqrt({expected})) |\n",
            thousands(a.births as f64, 0),
            thousands(a.tolerance, 0),
            a.tolerance / a.expected.sqrt()
        );
        t += &format!(
            "| power: births against a flat year (no seasonality) | same | chi-square {:.1} | must be rejected | > {:.2} |\n",
            flat.stat, flat.critical
        );
        let last = self.loss.len().saturating_sub(1);
        for (k, l) in self.loss.iter().enumerate() {
            let (c, load) = (l.servers, short(l.load));
            t += &match k {
                0 => format!(
                    "| loss system, light load: mothers without care | `erlang-b.toml`, c = {c}, a = {load} | {:.4} | Erlang-B({c}, {load}) = {:.4} | ±{:.4} ({} replications) |\n",
                    l.mean, l.theory, l.tolerance, l.replications
                ),
                _ => format!(
                    "| loss system, {}a = {load} | c = {c}, a = {load} | {:.4} | {:.4} | ±{:.4} |\n",
                    if k == last { "heavy load, " } else { "" },
                    l.mean,
                    l.theory,
                    l.tolerance
                ),
            };
        }
        for (k, l) in self.pool.iter().enumerate() {
            let (c, load) = (l.servers, short(l.load));
            t += &match k {
                0 => format!(
                    "| birth-assistance pool, missed requests (overall and per day part) | `birth-pool-erlang-b.toml`, c = {c} on call, a = {load} | {:.4} | Erlang-B({c}, {load}) = {:.4} | t-interval, {} replications, {level} |\n",
                    l.mean, l.theory, l.replications
                ),
                _ => format!(
                    "| birth-assistance pool, a = {load} | c = {c}, a = {load} | {:.4} | {:.4} | same |\n",
                    l.mean, l.theory
                ),
            };
        }
        let l = &self.little;
        t += &format!(
            "| Little's law: mean mothers in care L | `little.toml`, {} births a year, default care windows | {:.2} | lambda x W = {:.3} x {:.3} = {:.2} | ±{:.2} ({} replications) |\n",
            thousands(self.little_births, 0),
            l.l.0,
            l.lambda,
            l.w,
            l.lambda * l.w,
            l.l.1,
            l.replications
        );
        t += &format!(
            "| Little's law: mean care days W of the mothers counted | same | {:.4} | {:.3} (from the configuration's mix) | ±{:.4} |\n",
            l.w_counted.0, l.w, l.w_counted.1
        );
        t += &format!(
            "| conservation (exact, {} runs, {} mothers) | all shipped regional scenarios, the validation scenarios, and `ksv-area` at 30% of its carers under all five policies, by provider and pooled | 0 violations | see below | 1e-9 relative (floating point) |\n",
            self.conservation.0,
            thousands(self.conservation.1 as f64, 0)
        );
        t += &format!(
            "| aggregates in `summary.csv` | `national.toml` through the CLI, 2 replications, {} regions | `ALL` = sum of regions in every column; delivered + shortfall = indicated on every row | | 0.05 (3-decimal rounding of {} rows) |\n",
            self.national_regions, self.national_regions
        );
        t
    }
}

/// docs/validation.md §1 and docs/birth-assistance.md "Validated against Erlang B": what the
/// theory checks of `tests/validation.rs` measured; cheap (seconds).
fn theory_figures(f: &mut Vec<Figure>) {
    type Show = fn(&Theory) -> String;
    let figures: [(&str, Show); 5] = [
        ("validation.theory", |t| t.table()),
        ("birth-assistance.erlang-b", |t| {
            let c = t.pool.first().map_or(0, |l| l.servers);
            let mut s = format!(
                "| offered load a | Erlang-B({c}, a) | simulated share finding no post free |\n| --- | --- | --- |\n"
            );
            for l in &t.pool {
                s += &format!(
                    "| {} | {:.2}% | {:.2}% |\n",
                    short(l.load),
                    100.0 * l.theory,
                    100.0 * l.mean
                );
            }
            s
        }),
        // The posts each region's parts were given, as `4` or `4-5`.
        ("birth-assistance.sized-posts", |t| {
            let posts: Vec<String> = t
                .sized
                .iter()
                .map(|x| match (x.posts.first(), x.posts.last()) {
                    (Some(a), Some(b)) if a == b => a.to_string(),
                    (Some(a), Some(b)) => format!("{a}-{b}"),
                    _ => "none".to_string(),
                })
                .collect();
            and_list(&posts)
        }),
        ("birth-assistance.sized-share", |t| {
            let shares: Vec<String> = t
                .sized
                .iter()
                .map(|x| format!("{:.2}% ± {:.2}", 100.0 * x.share.0, 100.0 * x.share.1))
                .collect();
            and_list(&shares)
        }),
        // The largest difference from Erlang-B, in points.
        ("birth-assistance.sized-gap", |t| {
            let gap = t.sized.iter().map(|x| x.gap.0.abs()).fold(0.0, f64::max);
            format!("{:.2}", 100.0 * gap)
        }),
    ];
    for (name, show) in figures {
        f.push(Figure::new(
            name,
            Cost::Cheap,
            Box::new(move |r| Ok(show(r.theory()?))),
        ));
    }
}

/// `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// Replications of observed-2024 and its arrangements (docs/validation.md).
const OBSERVED_REPLICATIONS: u32 = 10;

/// The rows of docs/validation.md's arrangements table: observed-2024 built up from the
/// intended regime one arrangement at a time (`Runs::practice` says what each changes).
const ARRANGEMENTS_2024: [(&str, &str); 6] = [
    ("pooled", "pooled per region (the intended regime, in 2024)"),
    ("list-unlimited", "waiting list, no daily limit"),
    ("list-2", "waiting list, 2 mothers a day per region"),
    ("refusals", "+ refusals, booking half the indication"),
    ("observed", "+ two closures (= observed-2024)"),
    (
        "per-provider",
        "per provider, no waiting list (`scope = \"provider\"`)",
    ),
];

/// `scenarios/observed-2024.toml` beside the intended regime (`national.toml`): the table and
/// prose of `docs/validation.md` § Practice as observed, in % with half the 95% interval.
fn observed(f: &mut Vec<Figure>) {
    use Cost::Expensive;
    type Show = fn(&Practice) -> Result<String>;
    // (name, how, marked for observed-2024, marked for the intended regime)
    let both: [(&str, Show, bool, bool); 17] = [
        ("below-minimum", |p| p.pm("below-minimum", 2), true, false),
        // The short forms of README's observed-2024 row.
        (
            "below-minimum-1",
            |p| p.mean("below-minimum", 1),
            true,
            false,
        ),
        (
            "below-minimum-mean-2",
            |p| p.mean("below-minimum", 2),
            false,
            true,
        ),
        ("without-care-1", |p| p.mean("without-care", 1), true, false),
        ("without-care-0", |p| p.mean("without-care", 0), false, true),
        ("hours-1", |p| p.mean("hours", 1), true, true),
        ("below-minimum-3", |p| p.pm("below-minimum", 3), false, true),
        (
            "below-minimum-mean-3",
            |p| p.mean("below-minimum", 3),
            false,
            true,
        ),
        ("without-care", |p| p.pm("without-care", 2), true, false),
        ("without-care-3", |p| p.mean("without-care", 3), false, true),
        ("hours", |p| p.pm("hours", 2), true, true),
        ("hours-mean", |p| p.mean("hours", 2), false, true),
        (
            "cut",
            |p| {
                Ok(format!(
                    "{}% of mothers; births in July-August {}%, other months {}%",
                    p.mean("cut", 1)?,
                    p.mean("cut-summer", 1)?,
                    p.mean("cut-other", 1)?
                ))
            },
            true,
            true,
        ),
        (
            "late-early",
            |p| {
                // Three decimals where the shares are a handful of mothers.
                let digits = if p.e("late-below")?.mean < 0.1 { 3 } else { 2 };
                Ok(format!(
                    "late {}%, early {}%",
                    p.mean("late-below", digits)?,
                    p.mean("early-below", digits)?
                ))
            },
            true,
            true,
        ),
        ("assists-missed", |p| p.pm("assists-missed", 2), true, false),
        (
            "assists-missed-mean",
            |p| p.mean("assists-missed", 2),
            false,
            true,
        ),
        (
            "three-plus-carers",
            |p| p.mean("three-plus-carers", 1),
            true,
            true,
        ),
    ];
    for (name, show, observed, intended) in both {
        if observed {
            f.push(Figure::new(
                format!("observed.{name}"),
                Expensive,
                Box::new(move |r| show(r.practice("observed")?)),
            ));
        }
        if intended {
            f.push(Figure::new(
                format!("intended.{name}"),
                Expensive,
                Box::new(move |r| show(&r.national()?.practice)),
            ));
        }
    }
    let observed_only: [(&str, Show); 4] = [
        ("refused-late-1", |p| p.mean("refused-late", 1)),
        ("refused-early-1", |p| p.mean("refused-early", 1)),
        ("refused", |p| {
            Ok(format!(
                "late {}%, early {}%",
                p.mean("refused-late", 2)?,
                p.mean("refused-early", 2)?
            ))
        }),
        ("refused-assists", |p| {
            Ok(format!(
                "{} a year of {} refused",
                thousands(p.e("assists-missed-n")?.mean, 0),
                thousands(p.e("refused-n")?.mean, 0)
            ))
        }),
    ];
    for (name, show) in observed_only {
        f.push(Figure::new(
            format!("observed.{name}"),
            Expensive,
            Box::new(move |r| show(r.practice("observed")?)),
        ));
    }
    // The two closures of observed-2024 (closures.csv), by the towns they stand for.
    for (town, provider) in [("helmond", "Kraamzorg 167"), ("drenthe", "Kraamzorg 230")] {
        f.push(Figure::new(
            format!("observed.closure.{town}"),
            Expensive,
            Box::new(move |r| {
                let c = r.practice("observed")?.closure(provider)?;
                Ok(format!(
                    "{} booked and {} in care moved, {} later registrations went elsewhere, {} refused (no room)",
                    count(c.booked_moved),
                    count(c.in_care_moved),
                    count(c.redirected),
                    count(c.refused)
                ))
            }),
        ));
    }
    // The region of the Helmond closure below the minimum, with the closure and without
    // (the arrangement before it: refusals, no closures).
    f.push(Figure::new(
        "observed.closure.helmond.region",
        Expensive,
        Box::new(|r| {
            let region = r.practice("observed")?.closure("Kraamzorg 167")?.region;
            let name = observed_scenario(&r.root)?.regions[region].name.clone();
            let pm = |e: &Estimate| format!("{:.1} ±{:.1}", e.mean, e.half_width());
            let with = pm(&r.practice("observed")?.region_below[region]);
            let without = pm(&r.practice("refusals")?.region_below[region]);
            Ok(format!(
                "{name} below the minimum {with}% against {without}% without the closure"
            ))
        }),
    ));
    f.push(Figure::new(
        "observed.hours-less",
        Expensive,
        Box::new(|r| {
            let intended = r.national()?.practice.e("hours")?.mean;
            let observed = r.practice("observed")?.e("hours")?.mean;
            Ok(format!("{:.1}", intended - observed))
        }),
    ));
    f.push(Figure::new(
        "observed.arrangements",
        Expensive,
        Box::new(|r| {
            let mut t = String::from(
                "| arrangement | below the minimum | without care | hours per mother | mothers moved by the list during their care (`mothers_transferred`) |\n| --- | --- | --- | --- | --- |\n",
            );
            for (a, label) in ARRANGEMENTS_2024 {
                let p = r.practice(a)?;
                let without = p.e("without-care")?;
                let without = if without.mean < 0.01 {
                    format!("{:.3}%", without.mean)
                } else {
                    format!("{}%", p.pm("without-care", 2)?)
                };
                let below = if p.e("below-minimum")?.mean < 0.1 {
                    p.pm("below-minimum", 3)?
                } else {
                    p.pm("below-minimum", 2)?
                };
                t += &format!(
                    "| {label} | {below}% | {without} | {} | {} |\n",
                    p.pm("hours", 2)?,
                    thousands(p.e("transferred")?.mean, 0)
                );
            }
            Ok(t)
        }),
    ));
    // The arrangements' figures quoted in the prose below the table.
    type Quote = fn(&mut Runs) -> Result<String>;
    let quotes: [(&str, Quote); 10] = [
        ("closures-national", |r| {
            let closed = r.practice("observed")?.e("below-minimum")?.mean;
            let open = r.practice("refusals")?.e("below-minimum")?.mean;
            Ok(format!("{:+.2}", closed - open))
        }),
        ("booking-0.6-without", |r| {
            r.practice("booking-0.6")?.mean("without-care", 1)
        }),
        ("booking-0.7-without", |r| {
            r.practice("booking-0.7")?.mean("without-care", 1)
        }),
        ("unlimited-below", |r| {
            r.practice("list-unlimited")?.mean("below-minimum", 1)
        }),
        ("unlimited-hours-short", |r| {
            let pooled = r.practice("pooled")?.e("hours")?.mean;
            Ok(format!(
                "{:.1}",
                pooled - r.practice("list-unlimited")?.e("hours")?.mean
            ))
        }),
        ("list-2-below", |r| {
            r.practice("list-2")?.mean("below-minimum", 2)
        }),
        ("refusals-below", |r| {
            r.practice("refusals")?.mean("below-minimum", 2)
        }),
        ("refusals-without", |r| {
            r.practice("refusals")?.mean("without-care", 2)
        }),
        ("pooled-hours", |r| r.practice("pooled")?.mean("hours", 2)),
        ("pooled-below", |r| {
            r.practice("pooled")?.mean("below-minimum", 3)
        }),
    ];
    for (name, quote) in quotes {
        f.push(Figure::new(
            format!("observed.{name}"),
            Expensive,
            Box::new(quote),
        ));
    }
}

const COMPARED: [&str; 4] = [
    "minimum-first",
    "refuse-when-full",
    "proportional",
    "first-come-first-served",
];

/// With mothers.csv, for the July-August tier fills (`summer_tier_fill`).
const PC: &str = "run scenarios/policy-comparison.toml --mothers";

/// `scenarios/policy-comparison.toml`: README and docs/policies.md.
fn policy_comparison(f: &mut Vec<Figure>) {
    use Cost::Cheap;
    // The terminal table, as `kraamsim run` prints it, in a code block.
    f.push(Figure::new(
        "policy-comparison.terminal",
        Cheap,
        Box::new(|r| {
            let out = &r.output(PC)?.stdout;
            let lines: Vec<&str> = out
                .lines()
                .skip_while(|l| !l.starts_with("variant policy"))
                .take(1 + COMPARED.len())
                .collect();
            Ok(format!("```\n{}\n```", lines.join("\n")))
        }),
    ));
    for p in COMPARED {
        f.push(Figure::new(
            format!("policy-comparison.below.{p}"),
            Cheap,
            Box::new(move |r| Ok(pct(r.output(PC)?.all(p, "share_below_minimum")?, 1))),
        ));
    }
    f.push(Figure::new(
        "policy-comparison.below-half.minimum-first",
        Cheap,
        Box::new(|r| {
            let s = r.output(PC)?.all("minimum-first", "share_below_minimum")?;
            Ok(format!("{:.1}", 100.0 * s.half()))
        }),
    ));
    for p in ["refuse-when-full", "first-come-first-served"] {
        f.push(Figure::new(
            format!("policy-comparison.without-care.{p}"),
            Cheap,
            Box::new(move |r| Ok(pct(r.output(PC)?.all(p, "share_without_care")?, 1))),
        ));
    }
    f.push(Figure::new(
        "policy-comparison.assists-missed.refuse-when-full",
        Cheap,
        Box::new(|r| {
            let o = r.output(PC)?;
            let missed = o.all("refuse-when-full", "birth_assists_missed")?.mean;
            let requested = o.all("refuse-when-full", "birth_assists_requested")?.mean;
            Ok(format!("{:.1}", 100.0 * missed / requested))
        }),
    ));
    // The demand of the week of 2 August, the same under every policy since refused
    // mothers count in it (docs/policies.md, "refuse when full").
    f.push(Figure::new(
        "policy-comparison.demand-2-august",
        Cheap,
        Box::new(|r| {
            let path = r.output(PC)?.dir.join("weekly.csv");
            let mut reader =
                csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let header = reader.headers().map_err(|e| e.to_string())?.clone();
            let col = |name: &str| {
                header
                    .iter()
                    .position(|h| h == name)
                    .ok_or_else(|| format!("weekly.csv has no column {name}"))
            };
            let (policy, rep, week, demand) = (
                col("policy")?,
                col("replication")?,
                col("week_start")?,
                col("demand_hours")?,
            );
            // policy -> (sum of demand over regions and replications, replications seen)
            let mut sums: BTreeMap<String, (f64, std::collections::BTreeSet<String>)> =
                BTreeMap::new();
            for row in reader.records() {
                let row = row.map_err(|e| format!("weekly.csv: {e}"))?;
                if !row[week].ends_with("-08-02") {
                    continue;
                }
                let v: f64 = row[demand]
                    .parse()
                    .map_err(|_| format!("weekly.csv: `{}` is not a number", &row[demand]))?;
                let e = sums.entry(row[policy].to_string()).or_default();
                e.0 += v;
                e.1.insert(row[rep].to_string());
            }
            let means: Vec<String> = sums
                .values()
                .map(|(sum, reps)| thousands(sum / reps.len().max(1) as f64, 0))
                .collect();
            match means.first() {
                Some(first)
                    if means.len() == COMPARED.len() && means.iter().all(|m| m == first) =>
                {
                    Ok(first.clone())
                }
                _ => Err(format!(
                    "the week of 2 August differs between policies: {means:?}"
                )),
            }
        }),
    ));
    f.push(Figure::new(
        "policy-comparison.shortfall.minimum-first",
        Cheap,
        Box::new(|r| shortfall_pct(r.output(PC)?, "minimum-first")),
    ));
    // The per-tier table of docs/policies.md.
    f.push(Figure::new(
        "policy-comparison.tiers",
        Cheap,
        Box::new(|r| {
            let o = r.output(PC)?;
            let mut t = String::from(
                "| policy | % below minimum | % without care | shortfall, % of indicated | tier-3 fill (early registrants) | tier-4 fill (late registrants) | late registrants given tier 4 while an early one was behind |\n| --- | --- | --- | --- | --- | --- | --- |\n",
            );
            for p in COMPARED {
                t += &format!(
                    "| {p} | {} | {} | {} | {} | {} | {} |\n",
                    bracket(o.all(p, "share_below_minimum")?, 100.0, 1),
                    bracket(o.all(p, "share_without_care")?, 100.0, 1),
                    shortfall_pct(o, p)?,
                    bracket(o.all(p, "tier3_fill")?, 1.0, 3),
                    bracket(o.all(p, "tier4_fill")?, 1.0, 3),
                    bracket(o.all(p, "late_tier4_while_early_behind")?, 1.0, 1),
                );
            }
            Ok(t)
        }),
    ));

    f.push(Figure::new(
        "policy-comparison.summer-tiers",
        Cheap,
        Box::new(|r| {
            let fill = summer_tier_fill(r)?;
            let mut t = String::from(
                "| policy | tier-3 fill | tier-4 fill | difference [95% interval] |\n| --- | --- | --- | --- |\n",
            );
            for p in COMPARED {
                let (early, late, diff) = &fill[p];
                let (lo, hi) = diff.ci95.unwrap_or((diff.mean, diff.mean));
                t += &format!(
                    "| {p} | {:.3} | {:.3} | {:.3} [{lo:.3}, {hi:.3}] |\n",
                    early.mean, late.mean, diff.mean
                );
            }
            Ok(t)
        }),
    ));
    for (name, policy, k) in [
        ("early.minimum-first", "minimum-first", 0),
        ("late.minimum-first", "minimum-first", 1),
    ] {
        f.push(Figure::new(
            format!("policy-comparison.summer-tiers.{name}"),
            Cheap,
            Box::new(move |r| {
                let (early, late, _) = &summer_tier_fill(r)?[policy];
                Ok(format!("{:.2}", [early, late][k].mean))
            }),
        ));
    }
    // The late registrants given tier 4 while an early one was behind, a year, under the
    // policies other than minimum-first: their range, to tens.
    f.push(Figure::new(
        "policy-comparison.late-tier4-range",
        Cheap,
        Box::new(|r| {
            let o = r.output(PC)?;
            let n: Vec<f64> = COMPARED[1..]
                .iter()
                .map(|p| Ok(o.all(p, "late_tier4_while_early_behind")?.mean))
                .collect::<Result<_>>()?;
            let lo = n.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = n.iter().copied().fold(0.0, f64::max);
            Ok(format!(
                "{:.0}-{:.0}",
                10.0 * (lo / 10.0).floor(),
                10.0 * (hi / 10.0).ceil()
            ))
        }),
    ));
    // How many times more mothers end below the minimum under another policy than under
    // minimum-first.
    for (name, policies) in [
        (
            "proportional-fcfs",
            &["proportional", "first-come-first-served"][..],
        ),
        ("refuse-when-full", &["refuse-when-full"][..]),
    ] {
        f.push(Figure::new(
            format!("policy-comparison.below-times.{name}"),
            Cheap,
            Box::new(move |r| {
                let o = r.output(PC)?;
                let base = o.all("minimum-first", "share_below_minimum")?.mean;
                let other: f64 = policies
                    .iter()
                    .map(|p| Ok(o.all(p, "share_below_minimum")?.mean))
                    .sum::<Result<f64>>()?
                    / policies.len() as f64;
                Ok(format!("{:.0}", other / base))
            }),
        ));
    }
}

/// The tier fills of the mothers born in July-August (the shortage months) of
/// policy-comparison, per policy: early registrants' tier-3 fill, late registrants' tier-4
/// fill, and their difference, each an estimate over the replications (from mothers.csv).
///
/// A policy hands out a mother's hours tier 1 first, so her hours above tiers 1 and 2 (the
/// minimum, then her medical hours) are her tier-3 hours if she registered early and her
/// tier-4 hours if late; a fill is those hours delivered over those indicated. Replications
/// where either group has no such hours are left out.
fn summer_tier_fill(r: &mut Runs) -> Result<HashMap<&'static str, (Estimate, Estimate, Estimate)>> {
    let s = scenario::load_file(&r.root.join("scenarios/policy-comparison.toml"))
        .map_err(|e| e.to_string())?
        .scenario;
    let (minimum, early_week) = (s.policy.minimum_hours, s.policy.early_registration_week);
    let year = s.period.start.year();
    let (from, to) = (format!("{year}-07-01"), format!("{year}-08-31"));
    let path = r.output(PC)?.dir.join("mothers.csv");
    let mut reader =
        csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("mothers.csv has no column {name}"))
    };
    let (policy, rep, birth, week, indicated, medical, delivered) = (
        col("policy")?,
        col("replication")?,
        col("birth_date")?,
        col("registration_week")?,
        col("indicated_hours")?,
        col("medical_hours")?,
        col("delivered_hours")?,
    );
    // (policy, replication) -> [early delivered, early indicated, late delivered, late indicated]
    let mut acc: BTreeMap<(String, u32), [f64; 4]> = BTreeMap::new();
    for row in reader.records() {
        let row = row.map_err(|e| format!("mothers.csv: {e}"))?;
        if !(from.as_str()..=to.as_str()).contains(&&row[birth]) {
            continue;
        }
        let num = |k: usize| {
            row[k]
                .parse::<f64>()
                .map_err(|_| format!("mothers.csv: `{}` is not a number", &row[k]))
        };
        let (ind, med, got) = (num(indicated)?, num(medical)?, num(delivered)?);
        let t1 = ind.min(minimum);
        let t2 = med.min(ind - t1).max(0.0);
        let rest = (ind - t1 - t2).max(0.0);
        if rest <= 0.0 {
            continue;
        }
        let above = rest.min((got - t1 - t2).max(0.0));
        let k = if num(week)? < f64::from(early_week) {
            0
        } else {
            2
        };
        let a = acc
            .entry((row[policy].to_string(), num(rep)? as u32))
            .or_default();
        a[k] += above;
        a[k + 1] += rest;
    }
    let mut out = HashMap::new();
    for p in COMPARED {
        let fills: Vec<(f64, f64)> = acc
            .iter()
            .filter(|((q, _), a)| q == p && a[1] > 0.0 && a[3] > 0.0)
            .map(|(_, a)| (a[0] / a[1], a[2] / a[3]))
            .collect();
        if fills.is_empty() {
            return Err(format!("no July-August mothers above tiers 1-2 under {p}"));
        }
        let e: Vec<f64> = fills.iter().map(|x| x.0).collect();
        let l: Vec<f64> = fills.iter().map(|x| x.1).collect();
        let d: Vec<f64> = fills.iter().map(|x| x.0 - x.1).collect();
        out.insert(p, (estimate(&e), estimate(&l), estimate(&d)));
    }
    Ok(out)
}

fn shortfall_pct(o: &Output, policy: &str) -> Result<String> {
    let short = o.all(policy, "shortfall_hours")?.mean;
    let indicated = o.all(policy, "indicated_hours")?.mean;
    Ok(format!("{:.1}", 100.0 * short / indicated))
}

/// `scenarios/summer-shortage.toml` under each policy alone: README's model in brief.
fn summer_shortage(f: &mut Vec<Figure>) {
    for p in ["minimum-first", "proportional", "first-come-first-served"] {
        let args = format!("run scenarios/summer-shortage.toml --policy {p}");
        let a = args.clone();
        f.push(Figure::new(
            format!("summer-shortage.below.{p}"),
            Cost::Cheap,
            Box::new(move |r| Ok(pct(r.output(&a)?.all(p, "share_below_minimum")?, 1))),
        ));
        if p == "first-come-first-served" {
            f.push(Figure::new(
                format!("summer-shortage.without-care.{p}"),
                Cost::Cheap,
                Box::new(move |r| Ok(pct(r.output(&args)?.all(p, "share_without_care")?, 1))),
            ));
        }
    }
}

/// docs/policies.md, "The price of deadlines": summer-shortage with a third of each
/// provider's carers (rounded), one replication, minimum-first.
fn deep_shortage(f: &mut Vec<Figure>) {
    for (name, metric) in [("without-care", 0), ("below-minimum", 1)] {
        f.push(Figure::new(
            format!("summer-shortage.third.{name}"),
            Cost::Cheap,
            Box::new(move |r| {
                if r.deep_shortage.is_none() {
                    let mut s = scenario::load_file(&r.root.join("scenarios/summer-shortage.toml"))
                        .map_err(|e| e.to_string())?
                        .scenario;
                    s.replications = 1;
                    s.policy.compare.clear();
                    for p in &mut s.providers {
                        p.carers = (f64::from(p.carers) / 3.0).round() as u32;
                    }
                    r.deep_shortage = Some(run_totals(&s)?);
                }
                let t = r.deep_shortage.as_ref().expect("just set");
                let n = [t.mothers_without_care, t.mothers_below_minimum][metric];
                Ok(format!("{:.1}", 100.0 * n as f64 / t.mothers.max(1) as f64))
            }),
        ));
    }
}

/// `scenarios/baseline.toml`: README's list of shipped scenarios.
fn baseline(f: &mut Vec<Figure>) {
    f.push(Figure::new(
        "baseline.full-indication",
        Cost::Cheap,
        Box::new(|r| {
            let o = r.output("run scenarios/baseline.toml")?;
            let full = o.all("minimum-first", "mothers_full_indication")?.mean;
            let mothers = o.all("minimum-first", "mothers")?.mean;
            Ok(format!("{:.0}", 100.0 * full / mothers))
        }),
    ));
}

const WL: &str = "sweep scenarios/ksv-waiting-list.toml";
/// The variants of ksv-waiting-list.toml, in its order, with their names in the table.
const ARRANGEMENTS: [(&str, &str); 3] = [
    ("v000", "per provider"),
    ("v001", "waiting list"),
    ("v002", "pooled (region)"),
];

/// `scenarios/ksv-waiting-list.toml`: docs/policies.md and README.
fn waiting_list(f: &mut Vec<Figure>) {
    use Cost::Cheap;
    f.push(Figure::new(
        "ksv-waiting-list.table",
        Cheap,
        Box::new(|r| {
            let o = r.output(WL)?;
            let mut t = String::from(
                "| arrangement | policy | % below minimum | Gini of delivered/indicated | P10 of delivered/indicated | worst shortfall (h) | mothers moved |\n| --- | --- | --- | --- | --- | --- | --- |\n",
            );
            for (v, name) in ARRANGEMENTS {
                for p in ["minimum-first", "proportional"] {
                    let s = |m: &str| o.stat(v, p, "ALL", m);
                    t += &format!(
                        "| {name} | {p} | {} | {} | {} | {} | {:.0} |\n",
                        bracket(s("share_below_minimum")?, 100.0, 2),
                        bracket(s("gini_delivered_ratio")?, 1.0, 3),
                        bracket(s("p10_delivered_ratio")?, 1.0, 3),
                        bracket(s("max_shortfall_hours")?, 1.0, 1),
                        s("mothers_transferred")?.mean,
                    );
                }
            }
            Ok(t)
        }),
    ));
    // Shares below the minimum quoted in README and the prose of docs/policies.md.
    for (v, p, digits) in [
        ("v000", "minimum-first", 1),
        ("v001", "minimum-first", 1),
        ("v001", "minimum-first", 2),
        ("v002", "minimum-first", 1),
        ("v000", "proportional", 1),
        ("v001", "proportional", 1),
        ("v002", "proportional", 1),
    ] {
        let (_, name) = ARRANGEMENTS.iter().find(|a| a.0 == v).expect("a variant");
        let short = name.split(' ').next().expect("a name");
        f.push(Figure::new(
            format!("ksv-waiting-list.below.{short}.{p}.{digits}"),
            Cheap,
            Box::new(move |r| {
                Ok(pct(
                    r.output(WL)?.stat(v, p, "ALL", "share_below_minimum")?,
                    digits,
                ))
            }),
        ));
    }
    f.push(Figure::new(
        "ksv-waiting-list.gap-closed",
        Cheap,
        Box::new(|r| {
            let o = r.output(WL)?;
            let b = |v| {
                Ok::<f64, String>(
                    o.stat(v, "minimum-first", "ALL", "share_below_minimum")?
                        .mean,
                )
            };
            let (own, list, pooled) = (b("v000")?, b("v001")?, b("v002")?);
            Ok(format!("{:.0}", 100.0 * (own - list) / (own - pooled)))
        }),
    ));
    for (name, metric, v, digits) in [
        ("gini.pooled", "gini_delivered_ratio", "v002", 3),
        ("gini.waiting", "gini_delivered_ratio", "v001", 3),
        ("p10.pooled", "p10_delivered_ratio", "v002", 2),
        ("p10.waiting", "p10_delivered_ratio", "v001", 2),
    ] {
        f.push(Figure::new(
            format!("ksv-waiting-list.{name}"),
            Cheap,
            Box::new(move |r| {
                let s = r.output(WL)?.stat(v, "minimum-first", "ALL", metric)?;
                Ok(format!("{:.digits$}", s.mean))
            }),
        ));
    }
    for p in ["minimum-first", "proportional"] {
        f.push(Figure::new(
            format!("ksv-waiting-list.moved.{p}"),
            Cheap,
            Box::new(move |r| {
                let s = r
                    .output(WL)?
                    .stat("v001", p, "ALL", "mothers_transferred")?;
                Ok(format!("{:.0}", s.mean))
            }),
        ));
    }
}

/// Replications of the national figures (docs/validation.md §2).
const NATIONAL_REPLICATIONS: u32 = 10;

/// CBS 83474NED, 2020: births per month; October-December only as a total (41,340).
const CBS_MONTHS_2020: [f64; 9] = [
    14085.0, 12905.0, 13556.0, 13375.0, 13791.0, 13928.0, 15625.0, 15110.0, 14966.0,
];
const CBS_OCT_DEC_2020: f64 = 41340.0;

/// Births per month and province of each replication's generated mothers, and the headline
/// results of the simulated year, each as an estimate over replications.
fn national(root: &Path) -> std::result::Result<National, Box<dyn std::error::Error>> {
    let mut s = scenario::load_file(&root.join("scenarios/national.toml"))?.scenario;
    s.replications = NATIONAL_REPLICATIONS;
    let cal = Calendar::new(&s);

    let csv = std::fs::read_to_string(root.join("scenarios/data/national/postcodes.csv"))?;
    let mut province_of: HashMap<u16, usize> = HashMap::new();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let p = PROVINCES
            .iter()
            .position(|x| Some(&x.0) == f.get(3))
            .ok_or_else(|| format!("postcodes.csv: unknown province in `{line}`"))?;
        province_of.insert(f[0].parse()?, p);
    }
    let mut months = vec![Vec::new(); 10];
    let mut provinces = vec![Vec::new(); PROVINCES.len()];
    let mut years = Vec::new();
    for rep in 0..NATIONAL_REPLICATIONS {
        let mut m = [0.0; 10];
        let mut p = vec![0.0; PROVINCES.len()];
        for region in 0..s.regions.len() {
            for mother in generate::population(&s, &cal, region, rep).mothers {
                let day = mother.birth_minute / MINUTES_PER_DAY;
                if cal.in_report(day) {
                    m[cal.month0(day).min(9)] += 1.0;
                    p[province_of[&mother.postcode]] += 1.0;
                }
            }
        }
        years.push(m.iter().sum::<f64>());
        for (acc, v) in months.iter_mut().zip(m) {
            acc.push(v);
        }
        for (acc, v) in provinces.iter_mut().zip(p) {
            acc.push(v);
        }
    }
    let year = estimate(&years);
    let cbs_2020: f64 = CBS_MONTHS_2020.iter().sum::<f64>() + CBS_OCT_DEC_2020;
    let mut month_table = String::from(
        "| month | CBS 2020 | CBS share | simulated births (95% CI) | simulated share |\n| --- | --- | --- | --- | --- |\n",
    );
    let names = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct-Dec",
    ];
    for (k, name) in names.iter().enumerate() {
        let cbs = CBS_MONTHS_2020.get(k).copied().unwrap_or(CBS_OCT_DEC_2020);
        let e = estimate(&months[k]);
        month_table += &format!(
            "| {name} | {cbs:.0} | {:.2}% | {} | {:.2}% |\n",
            100.0 * cbs / cbs_2020,
            paren(&e, 0),
            100.0 * e.mean / year.mean
        );
    }
    let mut province_table = String::from(
        "| province | CBS 2023 | simulated births (95% CI) | difference |\n| --- | --- | --- | --- |\n",
    );
    let mut worst_province: f64 = 0.0;
    for (k, (name, births, _)) in PROVINCES.iter().enumerate() {
        let e = estimate(&provinces[k]);
        let diff = 100.0 * (e.mean / f64::from(*births) - 1.0);
        worst_province = worst_province.max(diff.abs());
        province_table += &format!("| {name} | {births} | {} | {diff:+.1}% |\n", paren(&e, 0));
    }

    let r = run::run(
        &s,
        &RunOptions {
            threads: Some(2),
            keep_mothers: true,
            ..RunOptions::default()
        },
    )?;
    let practice = Practice::of(&s, &r);
    let mut totals = kraamsim::sim::Totals::default();
    for x in &r.results {
        totals.add(&x.totals);
    }
    let weeks = cal.report_weeks();
    let summer_weeks: Vec<bool> = (0..weeks)
        .map(|i| (7..=8).contains(&cal.report_week_start(i).month()))
        .collect();
    const NAMES: [&str; 14] = [
        "delivered",
        "indicated",
        "supply-demand",
        "full-indication",
        "below-minimum",
        "without-care",
        "summer-shortfall",
        "summer-below",
        "assists-missed",
        "assists-called-away",
        "carers-1",
        "carers-2",
        "carers-3",
        "carers-4",
    ];
    let mut metrics: Vec<[f64; NAMES.len()]> = Vec::new();
    let mut first_totals = kraamsim::sim::Totals::default();
    for rep in 0..NATIONAL_REPLICATIONS {
        let mut t = kraamsim::sim::Totals::default();
        let (mut summer_short, mut short, mut summer_below, mut below) = (0.0, 0.0, 0.0, 0.0);
        for x in r.results.iter().filter(|x| x.replication == rep) {
            t.add(&x.totals);
            for (i, w) in x.weeks.iter().enumerate() {
                short += w.shortfall_hours;
                below += w.mothers_below_minimum as f64;
                if summer_weeks[i] {
                    summer_short += w.shortfall_hours;
                    summer_below += w.mothers_below_minimum as f64;
                }
            }
        }
        if rep == 0 {
            first_totals = t.clone();
        }
        let mothers = t.mothers as f64;
        let demand = t.indicated_hours + t.birth_assists_requested as f64 * s.birth_assist.hours;
        let requests = (t.birth_assists_requested as f64).max(1.0);
        let called_away: u64 = t.birth_assists_called_away_by_part.iter().sum();
        let c = t.mothers_by_carers.map(|n| 100.0 * n as f64 / mothers);
        metrics.push([
            t.delivered_hours / mothers,
            t.indicated_hours / mothers,
            t.carer_contract_hours / demand,
            100.0 * t.mothers_full_indication as f64 / mothers,
            100.0 * t.mothers_below_minimum as f64 / mothers,
            100.0 * t.mothers_without_care as f64 / mothers,
            100.0 * summer_short / short,
            100.0 * summer_below / below.max(1.0),
            100.0 * t.birth_assists_missed as f64 / requests,
            100.0 * called_away as f64 / requests,
            c[0],
            c[1],
            c[2],
            c[3],
        ]);
    }
    // `calibrated_national_figures_stay_in_their_documented_bands` runs replications 0-2 of
    // the same scenario: with streams keyed by replication they are these three.
    let first = |k: usize, digits: usize, unit: &str| {
        metrics[..3]
            .iter()
            .map(|m| format!("{:.digits$}{unit}", m[k]))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let band = format!(
        "{} h, {}, {}, {}",
        first(0, 2, ""),
        first(2, 3, ""),
        first(6, 1, "%"),
        first(4, 2, "%")
    );
    let mut estimates: HashMap<&'static str, Estimate> = NAMES
        .iter()
        .enumerate()
        .map(|(k, name)| {
            (
                *name,
                estimate(&metrics.iter().map(|m| m[k]).collect::<Vec<_>>()),
            )
        })
        .collect();
    estimates.insert("births", year);
    estimates.insert(
        "worst-province",
        Estimate {
            mean: worst_province,
            ci95: None,
            n: 1,
        },
    );
    let summer_weeks_pct =
        100.0 * summer_weeks.iter().filter(|&&b| b).count() as f64 / weeks as f64;
    Ok(National {
        practice,
        totals,
        first: first_totals,
        report_days: f64::from(cal.report_end - cal.report_start + 1),
        band,
        estimates,
        months: month_table,
        provinces: province_table,
        summer_weeks_pct,
    })
}

impl National {
    fn e(&self, name: &str) -> Result<&Estimate> {
        self.estimates
            .get(name)
            .ok_or_else(|| format!("no national figure `{name}`"))
    }

    /// The table of the simulated year.
    fn year_table(&self) -> Result<String> {
        let e = |n| self.e(n);
        let at_most_two = e("carers-1")?.mean + e("carers-2")?.mean;
        Ok(format!(
            "| figure | simulated (95% CI) |\n| --- | --- |\n\
             | delivered hours per mother | {} |\n\
             | indicated hours per mother | {} |\n\
             | supply / demand (contract care hours of carers present / indicated + birth-assistance hours) | {} |\n\
             | mothers with their full indication, % | {} |\n\
             | mothers below the 24 h minimum, % | {} |\n\
             | mothers without care, % | {} |\n\
             | shortfall hours in July-August weeks, % (those weeks are {:.0}% of the year) | {} |\n\
             | mothers below the minimum in July-August weeks, % of all below | {} |\n\
             | birth-assistance requests missed, % / served by a carer called away, % | {:.2} / {:.2} |\n\
             | mothers with at most two carers, % (1 / 2 / 3 / 4+) | {at_most_two:.1} ({:.1} / {:.1} / {:.1} / {:.1}) |\n",
            paren(e("delivered")?, 2),
            paren(e("indicated")?, 2),
            paren(e("supply-demand")?, 3),
            paren(e("full-indication")?, 1),
            paren(e("below-minimum")?, 2),
            paren(e("without-care")?, 2),
            self.summer_weeks_pct,
            paren(e("summer-shortfall")?, 1),
            paren(e("summer-below")?, 1),
            e("assists-missed")?.mean,
            e("assists-called-away")?.mean,
            e("carers-1")?.mean,
            e("carers-2")?.mean,
            e("carers-3")?.mean,
            e("carers-4")?.mean,
        ))
    }
}

/// docs/validation.md §2 and README's national line.
fn national_figures(f: &mut Vec<Figure>) {
    use Cost::Expensive;
    type Show = fn(&National) -> Result<String>;
    let figures: [(&str, Show); 19] = [
        ("months", |n| Ok(n.months.clone())),
        ("provinces", |n| Ok(n.provinces.clone())),
        ("year", |n| n.year_table()),
        ("births", |n| Ok(paren(n.e("births")?, 0))),
        ("births-thousands", |n| {
            let e = n.e("births")?;
            let (lo, hi) = e.ci95.unwrap_or((e.mean, e.mean));
            Ok(format!(
                "{} ({}-{})",
                thousands(e.mean, 0),
                thousands(lo, 0),
                thousands(hi, 0)
            ))
        }),
        ("worst-province", |n| {
            Ok(format!("{:.1}", n.e("worst-province")?.mean))
        }),
        ("delivered", |n| Ok(paren(n.e("delivered")?, 2))),
        ("delivered-1", |n| {
            Ok(format!("{:.1}", n.e("delivered")?.mean))
        }),
        ("indicated-1", |n| {
            Ok(format!("{:.1}", n.e("indicated")?.mean))
        }),
        ("supply-demand", |n| {
            Ok(format!("{:.3}", n.e("supply-demand")?.mean))
        }),
        ("supply-cover", |n| {
            Ok(format!("{:.1}", 100.0 * n.e("supply-demand")?.mean))
        }),
        ("supply-short", |n| {
            Ok(format!("{:.0}", 100.0 * (1.0 - n.e("supply-demand")?.mean)))
        }),
        ("full-indication", |n| {
            Ok(format!("{:.1}", n.e("full-indication")?.mean))
        }),
        ("without-care", |n| {
            Ok(format!("{:.2}", n.e("without-care")?.mean))
        }),
        ("summer-weeks", |n| Ok(format!("{:.0}", n.summer_weeks_pct))),
        ("summer-shortfall", |n| {
            Ok(format!("{:.0}", n.e("summer-shortfall")?.mean))
        }),
        ("summer-below", |n| {
            Ok(format!("{:.1}", n.e("summer-below")?.mean))
        }),
        ("band", |n| Ok(n.band.clone())),
        ("assists-called-away", |n| {
            Ok(format!("{:.2}", n.e("assists-called-away")?.mean))
        }),
    ];
    for (name, show) in figures {
        f.push(Figure::new(
            format!("national.{name}"),
            Expensive,
            Box::new(move |r| show(r.national()?)),
        ));
    }
}

/// The workforce sweep at 5 of its 20 replications: at 20 it takes ~90 s, more than CI's
/// budget for all figures; at 5 about a quarter of that (docs/workforce.md says which run).
const WORKFORCE: &str = "sweep scenarios/workforce-2031.toml --replications 5";
/// The variants of workforce-2031.toml, in its order, as the docs name them.
const WORKFORCE_VARIANTS: [(&str, &str); 4] = [
    ("v000", "today"),
    ("v001", "all A"),
    ("v002", "A ×2"),
    ("v003", "digital"),
];

/// One variant and year of the workforce sweep, region `ALL`, each an estimate over the
/// replications (from yearly.csv): shares in %.
struct WorkforceYear {
    below: Estimate,
    shortfall: Estimate,
    hours: Estimate,
    carers: Estimate,
    trainees: Estimate,
    joined: Estimate,
    left: Estimate,
    indicated: Estimate,
    from_start: Estimate,
    from_training: Estimate,
    from_hiring: Estimate,
}

/// (variant, year) -> its figures, from the `ALL` rows of yearly.csv of the first policy.
fn workforce_years(r: &mut Runs) -> Result<BTreeMap<(String, i32), WorkforceYear>> {
    let path = r.output(WORKFORCE)?.dir.join("yearly.csv");
    let mut reader =
        csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("yearly.csv has no column {name}"))
    };
    let names = [
        "mothers_below_minimum",
        "mothers",
        "shortfall_hours",
        "indicated_hours",
        "delivered_hours",
        "carers",
        "trainees",
        "carers_joined",
        "carers_left",
        "carers_from_start",
        "carers_from_training",
        "carers_from_hiring",
    ];
    let cols: Vec<usize> = names.iter().map(|n| col(n)).collect::<Result<_>>()?;
    let (variant, policy, region, year) = (
        col("variant")?,
        col("policy")?,
        col("region")?,
        col("year")?,
    );
    // (variant, year) -> per replication, the row's values in the order of `names`.
    let mut rows: BTreeMap<(String, i32), Vec<Vec<f64>>> = BTreeMap::new();
    for row in reader.records() {
        let row = row.map_err(|e| format!("yearly.csv: {e}"))?;
        if &row[region] != "ALL" || &row[policy] != "minimum-first" {
            continue;
        }
        let values: Vec<f64> = cols
            .iter()
            .map(|&k| {
                row[k]
                    .parse()
                    .map_err(|_| format!("yearly.csv: `{}` is not a number", &row[k]))
            })
            .collect::<Result<_>>()?;
        let y: i32 = row[year]
            .parse()
            .map_err(|_| format!("yearly.csv: year `{}`", &row[year]))?;
        rows.entry((row[variant].to_string(), y))
            .or_default()
            .push(values);
    }
    Ok(rows
        .into_iter()
        .map(|(key, reps)| {
            let e = |f: &dyn Fn(&[f64]) -> f64| {
                estimate(&reps.iter().map(|v| f(v)).collect::<Vec<_>>())
            };
            let year = WorkforceYear {
                below: e(&|v| 100.0 * v[0] / v[1]),
                shortfall: e(&|v| 100.0 * v[2] / v[3]),
                hours: e(&|v| v[4] / v[1]),
                carers: e(&|v| v[5]),
                trainees: e(&|v| v[6]),
                joined: e(&|v| v[7]),
                left: e(&|v| v[8]),
                indicated: e(&|v| v[3]),
                from_start: e(&|v| v[9]),
                from_training: e(&|v| v[10]),
                from_hiring: e(&|v| v[11]),
            };
            (key, year)
        })
        .collect())
}

/// docs/workforce.md's results of workforce-2031 and README's summary of them.
fn workforce(f: &mut Vec<Figure>) {
    use Cost::Expensive;
    fn year<'a>(
        w: &'a BTreeMap<(String, i32), WorkforceYear>,
        variant: &str,
        y: i32,
    ) -> Result<&'a WorkforceYear> {
        w.get(&(variant.to_string(), y))
            .ok_or_else(|| format!("yearly.csv has no year {y} of {variant}"))
    }
    f.push(Figure::new(
        "workforce.table",
        Expensive,
        Box::new(|r| {
            let w = workforce_years(r)?;
            let pm = |e: &Estimate, digits: usize| {
                format!("{:.digits$} ±{:.digits$}", e.mean, e.half_width())
            };
            let mut t = String::from(
                "| year | variant | below min (%) | shortfall (%) | h/mother | carers | trainees | joined | left |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
            );
            let years: BTreeSet<i32> = w.keys().map(|k| k.1).collect();
            for y in years {
                for (v, name) in WORKFORCE_VARIANTS {
                    let x = year(&w, v, y)?;
                    t += &format!(
                        "| {y} | {name} | {} | {} | {} | {} ±{} | {} | {} | {} |\n",
                        pm(&x.below, 2),
                        pm(&x.shortfall, 1),
                        pm(&x.hours, 1),
                        thousands(x.carers.mean, 0),
                        thousands(x.carers.half_width(), 0),
                        thousands(x.trainees.mean, 0),
                        thousands(x.joined.mean, 0),
                        thousands(x.left.mean, 0),
                    );
                }
            }
            Ok(t)
        }),
    ));
    type Show = fn(&BTreeMap<(String, i32), WorkforceYear>) -> Result<String>;
    let figures: [(&str, Show); 22] = [
        ("carers.today.2031", |w| {
            Ok(thousands(year(w, "v000", 2031)?.carers.mean, 0))
        }),
        ("carers.all-a.2031", |w| {
            Ok(thousands(year(w, "v001", 2031)?.carers.mean, 0))
        }),
        ("carers.a2.2031", |w| {
            Ok(thousands(year(w, "v002", 2031)?.carers.mean, 0))
        }),
        ("shortfall.today.2027", |w| {
            Ok(format!("{:.1}", year(w, "v000", 2027)?.shortfall.mean))
        }),
        ("shortfall.today.2031", |w| {
            Ok(format!("{:.1}", year(w, "v000", 2031)?.shortfall.mean))
        }),
        ("shortfall.all-a.2031", |w| {
            Ok(format!("{:.1}", year(w, "v001", 2031)?.shortfall.mean))
        }),
        ("shortfall.a2.2027", |w| {
            Ok(format!("{:.1}", year(w, "v002", 2027)?.shortfall.mean))
        }),
        ("shortfall.a2.2031", |w| {
            Ok(format!("{:.1}", year(w, "v002", 2031)?.shortfall.mean))
        }),
        ("below.today.2027", |w| {
            Ok(format!("{:.2}", year(w, "v000", 2027)?.below.mean))
        }),
        ("below.today.2031", |w| {
            Ok(format!("{:.2}", year(w, "v000", 2031)?.below.mean))
        }),
        ("below.digital.2031", |w| {
            Ok(format!("{:.2}", year(w, "v003", 2031)?.below.mean))
        }),
        ("below.a2.2031", |w| {
            Ok(format!("{:.2}", year(w, "v002", 2031)?.below.mean))
        }),
        ("below.all-a.2031-ci", |w| {
            let e = &year(w, "v001", 2031)?.below;
            let (lo, hi) = e.ci95.unwrap_or((e.mean, e.mean));
            Ok(format!("{:.2}% ({lo:.2}-{hi:.2})", e.mean))
        }),
        // A ×2's share below the minimum from its lowest year to its highest.
        ("below-range.a2", |w| {
            let n: Vec<f64> = (2027..=2031)
                .map(|y| Ok(year(w, "v002", y)?.below.mean))
                .collect::<Result<_>>()?;
            let lo = n.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = n.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Ok(format!("{lo:.2}-{hi:.2}"))
        }),
        // A variant's trainees over the years, to tens: `~600`.
        ("trainees.all-a", |w| trainees_to_tens(w, "v001")),
        ("trainees.a2", |w| trainees_to_tens(w, "v002")),
        // The carer hours the digital instruction no longer asks for, % of today's mix's.
        ("digital.need-cut", |w| {
            let ind = |v| -> Result<f64> {
                (2027..=2031)
                    .map(|y| Ok(year(w, v, y)?.indicated.mean))
                    .sum()
            };
            Ok(format!(
                "{:.1}",
                100.0 * (1.0 - ind("v003")? / ind("v000")?)
            ))
        }),
        ("shortfall-range.digital", |w| shortfall_range(w, "v003")),
        ("shortfall-range.today", |w| shortfall_range(w, "v000")),
        // The first year from which the shortfall intervals of today's mix, all A and A ×2
        // stay apart.
        ("apart-from", |w| {
            let apart =
                |y: i32| -> Result<bool> {
                    let ci: Vec<(f64, f64)> = ["v000", "v001", "v002"]
                        .iter()
                        .map(|v| {
                            let e = &year(w, v, y)?.shortfall;
                            Ok(e.ci95.unwrap_or((e.mean, e.mean)))
                        })
                        .collect::<Result<_>>()?;
                    Ok((0..3)
                        .all(|i| (0..3).all(|j| i == j || ci[i].1 < ci[j].0 || ci[j].1 < ci[i].0)))
                };
            let mut from = None;
            for y in (2027..=2031).rev() {
                if !apart(y)? {
                    break;
                }
                from = Some(y);
            }
            from.map(|y| y.to_string())
                .ok_or_else(|| "the intervals overlap in 2031".to_string())
        }),
        // The carers on 31 December 2031 by source, per variant but digital (today's mix).
        ("sources-2031", |w| {
            let part = |v| -> Result<(String, String, String)> {
                let x = year(w, v, 2031)?;
                Ok((
                    thousands(x.from_training.mean, 0),
                    thousands(x.from_hiring.mean, 0),
                    thousands(x.carers.mean, 0),
                ))
            };
            let (a, b, c) = (part("v000")?, part("v001")?, part("v002")?);
            Ok(format!(
                "today's mix ends 2031 with {} trained and {} hired ({} in all), every provider A with {} and {} ({}), twice the A training with {} and {} ({})",
                a.0, a.1, a.2, b.0, b.1, b.2, c.0, c.1, c.2
            ))
        }),
        ("stayed", |w| {
            Ok(format!(
                "{} at the end of 2027 and {} at the end of 2031",
                thousands(year(w, "v000", 2027)?.from_start.mean, 0),
                thousands(year(w, "v000", 2031)?.from_start.mean, 0)
            ))
        }),
    ];
    for (name, show) in figures {
        f.push(Figure::new(
            format!("workforce.{name}"),
            Expensive,
            Box::new(move |r| show(&workforce_years(r)?)),
        ));
    }
}

fn trainees_to_tens(w: &BTreeMap<(String, i32), WorkforceYear>, variant: &str) -> Result<String> {
    let n: Vec<f64> = w
        .iter()
        .filter(|(k, _)| k.0 == variant)
        .map(|(_, x)| x.trainees.mean)
        .collect();
    if n.is_empty() {
        return Err(format!("yearly.csv has no {variant}"));
    }
    let mean = n.iter().sum::<f64>() / n.len() as f64;
    Ok(format!("~{}", thousands(10.0 * (mean / 10.0).round(), 0)))
}

/// A variant's shortfall from its lowest year to its highest: `3.2-7.8`.
fn shortfall_range(w: &BTreeMap<(String, i32), WorkforceYear>, variant: &str) -> Result<String> {
    let n: Vec<f64> = w
        .iter()
        .filter(|(k, _)| k.0 == variant)
        .map(|(_, x)| x.shortfall.mean)
        .collect();
    let lo = n.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = n.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if n.is_empty() {
        return Err(format!("yearly.csv has no {variant}"));
    }
    Ok(format!("{lo:.1}-{hi:.1}"))
}

/// A mean count: whole from 10 on (`417`), else with one decimal unless whole (`0.2`, `8`).
fn count(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else {
        short(x)
    }
}

/// docs/birth-assistance.md "What changed for existing scenarios": the national year with
/// one replication (replication 0 of the national run) and the baseline, since requests
/// that find no post free are served by a carer called away.
fn birth_assistance_changes(f: &mut Vec<Figure>) {
    type Show = fn(&National) -> String;
    let national: [(&str, Show); 3] = [
        ("assists", |n| {
            let t = &n.first;
            let away: u64 = t.birth_assists_called_away_by_part.iter().sum();
            let lost: f64 = t.assist_hours_from_care_by_part.iter().sum();
            let requested = t.birth_assists_requested;
            let lost = if lost == 0.0 {
                "no care hours lost to them".to_string()
            } else {
                format!("{} care hours lost to them", short(lost))
            };
            format!(
                "{} of {} requests missed, {away} called away ({:.2}%), {lost}",
                t.birth_assists_missed,
                thousands(requested as f64, 0),
                100.0 * away as f64 / requested.max(1) as f64
            )
        }),
        ("on-call-per-day", |n| {
            thousands(n.first.on_call_hours.iter().sum::<f64>() / n.report_days, 0)
        }),
        ("delivered", |n| {
            let t = &n.first;
            format!("{:.2}", t.delivered_hours / t.mothers.max(1) as f64)
        }),
    ];
    for (name, show) in national {
        f.push(Figure::new(
            format!("national.one-replication.{name}"),
            Cost::Expensive,
            Box::new(move |r| Ok(show(r.national()?))),
        ));
    }
    f.push(Figure::new(
        "baseline.assists-missed",
        Cost::Cheap,
        Box::new(|r| {
            let o = r.output("run scenarios/baseline.toml")?;
            Ok(short(o.all("minimum-first", "birth_assists_missed")?.mean))
        }),
    ));
    f.push(Figure::new(
        "baseline.assists-called-away",
        Cost::Cheap,
        Box::new(|r| {
            let o = r.output("run scenarios/baseline.toml")?;
            let s = |m: &str| Ok::<f64, String>(o.all("minimum-first", m)?.mean);
            let away: f64 = ["night", "day", "evening"]
                .iter()
                .map(|p| s(&format!("birth_assists_called_away_{p}")))
                .sum::<Result<f64>>()?;
            Ok(format!(
                "{} of {}",
                short(away),
                thousands(s("birth_assists_requested")?, 0)
            ))
        }),
    ));
}

/// A count or hours with one decimal, or none when it is whole: `0`, `4.5`.
fn short(x: f64) -> String {
    let one = format!("{x:.1}");
    one.strip_suffix(".0").map_or(one.clone(), String::from)
}

const BIRTH_POOL: &str = "sweep scenarios/birth-pool.toml";

/// docs/birth-assistance.md: per-provider on-call posts against a pool, at two targets.
fn birth_pool(f: &mut Vec<Figure>) {
    f.push(Figure::new(
        "birth-pool.table",
        Cost::Cheap,
        Box::new(|r| {
            let o = r.output(BIRTH_POOL)?;
            let variants = ["v000", "v001", "v002", "v003"];
            let s = |v: &str, m: &str| o.stat(v, "minimum-first", "ALL", m);
            let parts = |v: &str, m: &str| -> Result<f64> {
                ["night", "day", "evening"]
                    .iter()
                    .map(|p| Ok(s(v, &format!("{m}_{p}"))?.mean))
                    .sum()
            };
            let requests = |v: &str| -> Result<String> {
                let n: Vec<String> = ["night", "day", "evening"]
                    .iter()
                    .map(|p| Ok(format!("{:.1}", s(v, &format!("birth_assists_requested_{p}"))?.mean)))
                    .collect::<Result<_>>()?;
                Ok(n.join(" / "))
            };
            let mut rows: Vec<(&str, Vec<String>)> = vec![
                ("requests night / day / evening", vec![]),
                ("called away, all parts", vec![]),
                ("missed", vec![]),
                ("on-call hours, all parts", vec![]),
                ("care hours lost to call-aways", vec![]),
                ("mothers below the minimum", vec![]),
                ("shortfall hours", vec![]),
            ];
            let first = requests("v000")?;
            for v in variants {
                let below = s(v, "mothers_below_minimum")?;
                let req = requests(v)?;
                let cells = [
                    if v != "v000" && req == first { "same".to_string() } else { req },
                    short(parts(v, "birth_assists_called_away")?),
                    short(s(v, "birth_assists_missed")?.mean),
                    thousands(parts(v, "on_call_hours")?, 0),
                    short(parts(v, "assist_hours_from_care")?),
                    format!("{:.1} ± {:.1}", below.mean, below.half()),
                    thousands(s(v, "shortfall_hours")?.mean, 0),
                ];
                for (row, cell) in rows.iter_mut().zip(cells) {
                    row.1.push(cell);
                }
            }
            let mut t = String::from(
                "| | v000: per provider, 1% | v001: pool, 1% | v002: per provider, 5% | v003: pool, 5% |\n| --- | --- | --- | --- | --- |\n",
            );
            for (name, cells) in rows {
                t += &format!("| {name} | {} |\n", cells.join(" | "));
            }
            Ok(t)
        }),
    ));
    f.push(Figure::new(
        "birth-pool.requests",
        Cost::Cheap,
        Box::new(|r| {
            let o = r.output(BIRTH_POOL)?;
            Ok(format!(
                "{:.0}",
                o.stat("v000", "minimum-first", "ALL", "birth_assists_requested")?
                    .mean
            ))
        }),
    ));
    for v in ["v000", "v001"] {
        f.push(Figure::new(
            format!("birth-pool.on-call.{v}"),
            Cost::Cheap,
            Box::new(move |r| {
                let o = r.output(BIRTH_POOL)?;
                let hours: f64 = ["night", "day", "evening"]
                    .iter()
                    .map(|p| {
                        Ok(
                            o.stat(v, "minimum-first", "ALL", &format!("on_call_hours_{p}"))?
                                .mean,
                        )
                    })
                    .sum::<Result<f64>>()?;
                Ok(thousands(hours, 0))
            }),
        ));
    }
    f.push(Figure::new(
        "baseline.available-over-contract",
        Cost::Cheap,
        Box::new(|r| {
            let o = r.output("run scenarios/baseline.toml")?;
            let available = o.all("minimum-first", "carer_hours_available")?.mean;
            let contract = o.all("minimum-first", "carer_contract_hours")?.mean;
            Ok(format!("{:.1}", available / contract))
        }),
    ));
}

const SENSITIVITY: &str = "sweep scenarios/validation/sensitivity.toml";

/// A field of the sweep as the ranking prose names it.
fn assumption(field: &str) -> Result<&'static str> {
    Ok(match field {
        "carers.productive_share" => "productive share",
        "carers.sickness_absence" => "sickness",
        "indication.medical_share" => "medical share",
        "carers.summer_holiday_weeks" => "summer leave",
        "registration.early_share" => "registration-week distribution",
        "birth_place.clinical_overnight_share" => "hospital stay",
        "indication.breastfeeding_share" => "breastfeeding share",
        _ => {
            return Err(format!(
                "the sweep moves `{field}`, which the ranking does not name"
            ));
        }
    })
}

/// A bar's change from the base at its low and high value: `-2.6 / +2.0`.
fn low_high(s: &Sensitivity, bar: &Bar, k: usize, digits: usize) -> String {
    format!(
        "{:+.digits$} / {:+.digits$}",
        bar.low.1[k].mean - s.base[k].mean,
        bar.high.1[k].mean - s.base[k].mean
    )
}

fn bar<'a>(s: &'a Sensitivity, field: &str) -> Result<&'a Bar> {
    s.bars
        .iter()
        .find(|b| b.field == field)
        .ok_or_else(|| format!("the sweep does not move `{field}`"))
}

/// docs/validation.md §3: a sweep of the national year, so expensive. The table is
/// `examples/tornado.rs`'s, from the same code (`sensitivity.rs`).
fn sensitivity(f: &mut Vec<Figure>) {
    type Show = fn(&Sensitivity) -> Result<String>;
    let figures: [(&str, Show); 4] = [
        ("table", |s| Ok(s.table())),
        // The fields in the order of their swing in delivered hours, with the changes.
        ("ranking", |s| {
            let parts: Vec<String> = s
                .bars
                .iter()
                .map(|b| {
                    Ok(format!(
                        "**{}** ({} h)",
                        assumption(&b.field)?,
                        low_high(s, b, 0, 1)
                    ))
                })
                .collect::<Result<_>>()?;
            let (first, rest) = parts.split_first().ok_or("the sweep moves nothing")?;
            let (last, middle) = rest.split_last().ok_or("the sweep moves one field")?;
            Ok(format!(
                "{first}, then {} and the {last}",
                middle.join(", the ")
            ))
        }),
        ("medical-full", |s| {
            Ok(low_high(s, bar(s, "indication.medical_share")?, 1, 1))
        }),
        ("summer-leave-below", |s| {
            Ok(format!(
                "{:.2}",
                bar(s, "carers.summer_holiday_weeks")?.high.1[2].mean
            ))
        }),
    ];
    for (name, show) in figures {
        f.push(Figure::new(
            format!("sensitivity.{name}"),
            Cost::Expensive,
            Box::new(move |r| show(&Sensitivity::read(&r.output(SENSITIVITY)?.dir)?)),
        ));
    }
    f.push(Figure::new(
        "sensitivity.base-below",
        Cost::Expensive,
        Box::new(|r| {
            let s = Sensitivity::read(&r.output(SENSITIVITY)?.dir)?;
            Ok(format!("{:.2}", s.base[2].mean))
        }),
    ));
}

/// The figures of `only` (all of them with `Cost::Expensive`), computed.
pub fn compute(
    figures: &[Figure],
    runs: &mut Runs,
    only: Cost,
) -> Result<BTreeMap<String, String>> {
    figures
        .iter()
        .filter(|f| only == Cost::Expensive || f.cost == Cost::Cheap)
        .map(|f| Ok((f.name.clone(), f.compute(runs)?)))
        .collect()
}

/// The figures of docs/validation.md § Practice as observed of one run, each an estimate
/// over replications (region `ALL`), from the mothers the run kept.
pub struct Practice {
    estimates: HashMap<&'static str, Estimate>,
    /// Per region (scenario order): its share below the minimum, in %.
    region_below: Vec<Estimate>,
    /// The provider closures, in the order of the regions, as closures.csv lists them.
    closures: Vec<Closure>,
}

/// One provider closure of a run: what it did, means over the replications (closures.csv).
struct Closure {
    provider: String,
    region: usize,
    booked_moved: f64,
    in_care_moved: f64,
    redirected: f64,
    refused: f64,
}

/// Indications of at least this many hours count for "cut to the minimum"...
const CUT_INDICATION: f64 = 40.0;
/// ...when at most this many hours were delivered (and at least the 24 h minimum).
const CUT_DELIVERED: f64 = 27.0;

impl Practice {
    /// `r` must have kept its mothers (`RunOptions::keep_mothers`).
    fn of(s: &scenario::Scenario, r: &run::RunResults) -> Practice {
        const NAMES: [&str; 16] = [
            "hours",
            "below-minimum",
            "without-care",
            "cut",
            "cut-summer",
            "cut-other",
            "late-below",
            "early-below",
            "refused-late",
            "refused-early",
            "assists-missed",
            "assists-missed-n",
            "refused-n",
            "three-plus-carers",
            "mothers",
            "transferred",
        ];
        let minimum = s.policy.minimum_hours;
        let cal = &r.calendar;
        let mut rows: Vec<[f64; NAMES.len()]> = Vec::new();
        let mut region_below = vec![Vec::new(); s.regions.len()];
        // (region, provider index) -> [booked moved, in care moved, redirected, refused],
        // summed over replications.
        let mut closures: BTreeMap<(usize, u16), [u64; 4]> = BTreeMap::new();
        for rep in 0..s.replications {
            let mut t = kraamsim::sim::Totals::default();
            // [all, summer, other] x [mothers, cut]; [early, late] x [mothers, below];
            // [early, late] x [registrations, refused]
            let (mut cut, mut by_reg, mut refused) =
                ([[0u64; 2]; 3], [[0u64; 2]; 2], [[0u64; 2]; 2]);
            for x in r.results.iter().filter(|x| x.replication == rep) {
                t.add(&x.totals);
                region_below[x.region].push(
                    100.0 * x.totals.mothers_below_minimum as f64 / x.totals.mothers.max(1) as f64,
                );
                for c in &x.closures {
                    let n = closures.entry((x.region, c.provider)).or_default();
                    for (n, v) in n.iter_mut().zip([
                        c.booked_moved,
                        c.in_care_moved,
                        c.registrations_redirected,
                        c.refused,
                    ]) {
                        *n += v;
                    }
                }
                for (m, o) in &x.mothers {
                    let delivered = o.delivered_total();
                    let is_cut = o.indicated_total() >= CUT_INDICATION
                        && delivered >= minimum - 1e-6
                        && delivered <= CUT_DELIVERED + 1e-6;
                    let month = cal.month0(m.birth_minute / MINUTES_PER_DAY);
                    let season = if (6..=7).contains(&month) { 1 } else { 2 };
                    for k in [0, season] {
                        cut[k][0] += 1;
                        cut[k][1] += u64::from(is_cut);
                    }
                    let l = usize::from(o.late);
                    by_reg[l][0] += 1;
                    by_reg[l][1] += u64::from(!o.minimum_met);
                }
                for (outcome, n) in kraamsim::sim::RegistrationOutcome::ALL
                    .iter()
                    .zip(&x.registrations)
                {
                    let is_refused = matches!(
                        outcome,
                        kraamsim::sim::RegistrationOutcome::RefusedNoRoom
                            | kraamsim::sim::RegistrationOutcome::RefusedAfterClosure
                    );
                    for l in 0..2 {
                        refused[l][0] += n[l];
                        refused[l][1] += if is_refused { n[l] } else { 0 };
                    }
                }
            }
            let share = |a: [u64; 2]| 100.0 * a[1] as f64 / a[0].max(1) as f64;
            let mothers = t.mothers as f64;
            rows.push([
                t.delivered_hours / mothers,
                100.0 * t.mothers_below_minimum as f64 / mothers,
                100.0 * t.mothers_without_care as f64 / mothers,
                share(cut[0]),
                share(cut[1]),
                share(cut[2]),
                share(by_reg[1]),
                share(by_reg[0]),
                share(refused[1]),
                share(refused[0]),
                100.0 * t.birth_assists_missed as f64 / t.birth_assists_requested.max(1) as f64,
                t.birth_assists_missed as f64,
                (refused[0][1] + refused[1][1]) as f64,
                100.0 * (t.mothers_by_carers[2] + t.mothers_by_carers[3]) as f64 / mothers,
                mothers,
                t.mothers_transferred as f64,
            ]);
        }
        let reps = f64::from(s.replications);
        let closures = closures
            .into_iter()
            .map(|((region, provider), n)| {
                let name =
                    &kraamsim::generate::region_providers(s, region)[usize::from(provider)].name;
                let [booked_moved, in_care_moved, redirected, refused] = n.map(|v| v as f64 / reps);
                Closure {
                    provider: name.clone(),
                    region,
                    booked_moved,
                    in_care_moved,
                    redirected,
                    refused,
                }
            })
            .collect();
        Practice {
            region_below: region_below.iter().map(|v| estimate(v)).collect(),
            closures,
            estimates: NAMES
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    (
                        *name,
                        estimate(&rows.iter().map(|m| m[k]).collect::<Vec<_>>()),
                    )
                })
                .collect(),
        }
    }

    fn e(&self, name: &str) -> Result<&Estimate> {
        self.estimates
            .get(name)
            .ok_or_else(|| format!("no practice figure `{name}`"))
    }

    /// Mean ±half the 95% interval: `37.34 ±0.06`.
    fn pm(&self, name: &str, digits: usize) -> Result<String> {
        let e = self.e(name)?;
        Ok(format!("{:.digits$} ±{:.digits$}", e.mean, e.half_width()))
    }

    fn closure(&self, provider: &str) -> Result<&Closure> {
        self.closures
            .iter()
            .find(|c| c.provider == provider)
            .ok_or_else(|| format!("{provider} does not close"))
    }

    fn mean(&self, name: &str, digits: usize) -> Result<String> {
        Ok(format!("{:.digits$}", self.e(name)?.mean))
    }
}

/// A run of `s` through the library with `replications`, keeping the mothers, reduced to
/// its practice figures (the mothers are dropped with the run).
fn practice_of(mut s: scenario::Scenario, replications: u32) -> Result<Practice> {
    s.replications = replications;
    let r = run::run(
        &s,
        &RunOptions {
            threads: Some(2),
            keep_mothers: true,
            ..RunOptions::default()
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(Practice::of(&s, &r))
}

/// `scenarios/observed-2024.toml` and its arrangements, as in docs/validation.md.
fn observed_scenario(root: &Path) -> Result<scenario::Scenario> {
    Ok(
        scenario::load_file(&root.join("scenarios/observed-2024.toml"))
            .map_err(|e| e.to_string())?
            .scenario,
    )
}
