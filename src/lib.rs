//! kraamsim: a discrete-event simulator of regional maternity home care (kraamzorg)
//! capacity, and of how the scarce carer hours are shared among mothers.
//!
//! A run flows through the modules in this order:
//! `scenario` (load and validate a TOML file) -> `run` (one job per replication x region, in
//! parallel) -> `generate` (each job's mothers and carers from its own random streams) ->
//! `sim` (the job's event loop over `engine`, with a daily plan by a `policy`) -> `output`
//! (CSV files, run.json, statistics over replications) -> `chart` (charts and report.html,
//! drawn from the written files). `model` holds the domain types they share; `recipe` reads
//! run.json back to rerun it (`--from`). `main.rs` is only the command line.

mod api;

pub use api::{
    Batch, Error, ErrorKind, Forecast, ForecastWritten, Run, Validated, Written, draw_charts,
    generate_national, merge, redraw_charts, validate,
};
pub use scenario::{CapacityScope, LoadedScenario, PolicyName, Scenario};

pub mod chart;
pub mod engine;
pub mod equity;
pub mod forecast;
pub mod generate;
pub mod model;
pub mod output;
pub mod policy;
pub mod recipe;
pub mod run;
pub mod scenario;
pub mod sim;
