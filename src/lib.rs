//! kraamsim: a discrete-event simulator of regional maternity home care (kraamzorg)
//! capacity, and of how the scarce carer hours are shared among mothers.
//!
//! The `kraamsim` command line is a thin layer over this library: every command is a call
//! below, and a program that makes the same call writes the same bytes.
//!
//! # Tutorial
//!
//! ## Load a scenario and write a run
//!
//! A scenario is a TOML file (`docs/scenario.md`); [`LoadedScenario::load`] reads and
//! validates it with the data files it names, and [`LoadedScenario::baseline`] is the
//! built-in baseline. A [`Run`] is set up with builder calls that override the scenario as the
//! command-line flags do, and [`Run::to_dir`] writes exactly what `kraamsim run` writes
//! (summary.csv, weekly.csv, stats.csv, ..., run.json and, unless `charts(false)`, the
//! charts and report.html):
//!
//! ```
//! use kraamsim::{LoadedScenario, Run};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let baseline = LoadedScenario::load("scenarios/baseline.toml")?;
//! let out = tempfile::tempdir()?;
//! // Two replications keep this example fast; the scenario asks for five.
//! let written = Run::new(&baseline)
//!     .replications(2)
//!     .seed(7)
//!     .charts(false)
//!     .to_dir(out.path().join("baseline"))?;
//! assert!(written.out.join("summary.csv").is_file());
//! assert!(written.out.join("run.json").is_file());
//! // The table `kraamsim run` prints: per region, with the 95% half-widths.
//! assert!(written.summary.contains("Eemland"));
//! # Ok(())
//! # }
//! ```
//!
//! run.json records the settings, so `kraamsim run --from OUT/run.json` (or
//! [`Run::from_recipe`]) makes the same directory again, byte for byte.
//!
//! ## Compare policies in memory
//!
//! [`Run::results`] keeps every region's result in memory instead of writing: fine for a
//! small scenario. Every policy sees the same mothers and carers (common random numbers), so
//! a difference between policies comes from the policy alone. [`PolicyName`] lists the
//! policies; [`CapacityScope`] says over which carers capacity is shared.
//!
//! ```
//! use kraamsim::{CapacityScope, LoadedScenario, PolicyName, Run};
//!
//! # fn main() -> Result<(), kraamsim::Error> {
//! let baseline = LoadedScenario::baseline();
//! let below = |policy| -> Result<u64, kraamsim::Error> {
//!     let runs = Run::new(&baseline)
//!         .policy(policy)
//!         .scope(CapacityScope::Provider)
//!         .replications(2)
//!         .results()?;
//!     Ok(runs[0].results.iter().map(|r| r.totals.mothers_below_minimum).sum())
//! };
//! // Minimum-first serves the legal minimum before anything else: it never leaves more
//! // mothers below it than sharing every shortage proportionally does.
//! assert!(below(PolicyName::MinimumFirst)? <= below(PolicyName::Proportional)?);
//! # Ok(())
//! # }
//! ```
//!
//! ## Stream results of a large run
//!
//! [`Run::stream`] hands the results to a sink a few whole replications at a time, in run
//! order (variant, policy, replication, region), while the next batch is simulated: memory
//! stays flat however many replications run. This is how [`Run::to_dir`] writes.
//!
//! ```
//! use kraamsim::{Batch, LoadedScenario, Run};
//!
//! # fn main() -> Result<(), kraamsim::Error> {
//! let baseline = LoadedScenario::baseline();
//! let mut mothers = 0;
//! let stats = Run::new(&baseline)
//!     .replications(2)
//!     .threads(2)
//!     .stream(|batch: Batch<'_>| {
//!         mothers += batch.results.iter().map(|r| r.totals.mothers).sum::<u64>();
//!         Ok::<(), std::convert::Infallible>(())
//!     })?;
//! assert!(mothers > 0 && stats.events > 0);
//! # Ok(())
//! # }
//! ```
//!
//! ## Sweep, shard and merge
//!
//! [`Run::sweep`] runs every variant of the scenario's `[sweep]` grid into one output. On a
//! cluster, each array task runs one shard ([`Run::shard`]) and [`merge`] combines them into
//! the output one unsharded sweep writes:
//!
//! ```
//! use kraamsim::{LoadedScenario, Run};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sweep = LoadedScenario::load("scenarios/capacity-sweep.toml")?;
//! let dir = tempfile::tempdir()?;
//! let run = Run::sweep(&sweep).replications(1).charts(false);
//! let shards = [dir.path().join("shard-0"), dir.path().join("shard-1")];
//! for (i, shard) in shards.iter().enumerate() {
//!     run.clone().shard(i as u32, 2).to_dir(shard)?;
//! }
//! kraamsim::merge(&shards, &dir.path().join("merged"), false, false)?;
//! run.to_dir(dir.path().join("whole"))?;
//! let summary = |d: &str| std::fs::read(dir.path().join(d).join("summary.csv"));
//! assert_eq!(summary("merged")?, summary("whole")?);
//! # Ok(())
//! # }
//! ```
//!
//! ## Forecast the coming weeks
//!
//! [`Forecast`] is `kraamsim forecast`: from today's bookings and roster (the scenario's
//! `[forecast]` table), bands of demand, carer hours and shortfall for the coming weeks.
//!
//! ```
//! use kraamsim::{Forecast, LoadedScenario};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ksv = LoadedScenario::load("scenarios/ksv-forecast/ksv-forecast.toml")?;
//! let out = tempfile::tempdir()?;
//! let written = Forecast::new(&ksv)
//!     .weeks(4)
//!     .replications(20)
//!     .charts(false)
//!     .to_dir(out.path().join("forecast"))?;
//! assert!(written.out.join("forecast.json").is_file());
//! println!("{}", written.table);
//! # Ok(())
//! # }
//! ```
//!
//! ## Errors
//!
//! Every call fails with an [`Error`] whose message names the file, line and field where
//! they are known, and whose [`ErrorKind`] says whose failure it is; the command line exits
//! with [`Error::exit_code`] (2 for bad input).
//!
//! ```
//! use kraamsim::{ErrorKind, LoadedScenario, Run};
//!
//! let baseline = LoadedScenario::baseline();
//! let e = Run::sweep(&baseline).to_dir("never-written").unwrap_err();
//! assert_eq!(e.kind, ErrorKind::Input);
//! assert_eq!(e.exit_code(), 2);
//! assert!(e.message.contains("has no [sweep] section"));
//! ```
//!
//! `examples/policy_comparison.rs` puts these together: a policy comparison through this API
//! alone.
//!
//! # Inside
//!
//! A run flows through the modules in this order:
//! `scenario` (load and validate a TOML file) -> `run` (one job per replication x region, in
//! parallel) -> `generate` (each job's mothers and carers from its own random streams) ->
//! `sim` (the job's event loop over `engine`, with a daily plan by a `policy`) -> `output`
//! (CSV files, run.json, statistics over replications) -> `chart` (charts and report.html,
//! drawn from the written files). `model` holds the domain types they share; `recipe` reads
//! run.json back to rerun it (`--from`); `api` strings the steps together into the calls
//! above, and `main.rs` is only the command line over them.
//!
//! The modules are private. The tests in `tests/`, the benches, the examples that draw
//! documentation figures and the fuzz targets reach into them through the `internals`
//! feature, which makes them public (hidden from these docs); a researcher may turn it on
//! too (`kraamsim = { path = "...", features = ["internals"] }`). They are not the stable
//! API: their items change with the code, while the items at the crate root above are what
//! this tutorial promises.

// Without `internals`, the items only the tests, benches and examples use are unused; with it
// (every `cargo test`, `cargo clippy --all-targets`), they are public and the lints see them.
#![cfg_attr(not(feature = "internals"), allow(dead_code, unused_imports))]

mod api;

pub use api::{
    Batch, Error, ErrorKind, Forecast, ForecastWritten, NATIONAL_REGIONS, Run, Validated, Written,
    draw_charts, forecast_snapshot, generate_national, merge, redraw_charts, validate,
};
pub use recipe::{Command, Recipe};
pub use results::{RegionResult, Totals};
pub use run::{RunLabels, RunResults, RunStats, parse_shard};
pub use scenario::{CapacityScope, LoadedScenario, PolicyName, Scenario, ScenarioError, Variant};

// Not the stable API (see "Inside" above): public only with the `internals` feature, which
// the tests, benches, examples and fuzz targets turn on (Cargo.toml); private otherwise.
macro_rules! inner_modules {
    ($($name:ident),* $(,)?) => {
        $(
            #[cfg(feature = "internals")]
            #[doc(hidden)]
            pub mod $name;
            #[cfg(not(feature = "internals"))]
            mod $name;
        )*
    };
}
inner_modules!(
    chart, engine, equity, forecast, generate, model, output, policy, recipe, results, run,
    scenario, sim,
);
pub(crate) mod csv_text;
/// The local web app (`kraamsim serve`, docs/web.md): pages over the API above.
pub mod web;
