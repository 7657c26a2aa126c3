//! The library's front door: what the `kraamsim` command does, as calls a program can make.
//!
//! [`Run`] runs a scenario (or every variant of its `[sweep]`) and writes the output
//! directory `kraamsim run` / `kraamsim sweep` writes ([`Run::to_dir`]), or hands the results
//! to the caller ([`Run::stream`], [`Run::results`]). [`Forecast`] is `kraamsim forecast`,
//! [`merge`] is `kraamsim merge`, [`draw_charts`] and [`redraw_charts`] are `kraamsim chart`.
//! Everything below this module (scenario, run, output, chart, forecast) does one step;
//! this module strings the steps together once, so that `main.rs` and a researcher's program
//! run the same code and get the same bytes.
//!
//! Every failure is an [`Error`] whose [`ErrorKind`] says whose it is (the caller's input, a
//! bug, an interruption): the command line maps it to an exit code ([`Error::exit_code`]).

mod forecast;
mod run;
mod tools;

use std::path::Path;

pub use forecast::{Forecast, ForecastWritten};
pub use run::{Batch, Run, Written};
pub use tools::{
    NATIONAL_REGIONS, Validated, draw_charts, forecast_snapshot, generate_national, merge,
    redraw_charts, validate,
};

use crate::scenario::{LoadedScenario, ScenarioError};

/// Whose failure an [`Error`] is, which decides the command line's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file, flag or directory of the caller's is wrong, missing or in the way (exit 2).
    Input,
    /// A bug in kraamsim, or a failure the caller cannot fix by changing the input (exit 1).
    Internal,
    /// A stop request (SIGINT, SIGTERM or [`Run::stop`]) ended a run early; what it finished
    /// is kept, and resuming finishes it (exit 130).
    Interrupted,
}

/// A failure with its message (naming the file, line and field where they are known) and
/// its [`ErrorKind`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    /// The caller's input is wrong (exit code 2).
    pub fn input(e: impl std::fmt::Display) -> Self {
        Error {
            kind: ErrorKind::Input,
            message: e.to_string(),
        }
    }

    /// A bug or an internal failure (exit code 1).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error {
            kind: ErrorKind::Internal,
            message: e.to_string(),
        }
    }

    /// The exit code of the command line for this error: 2 for bad input, 1 for an internal
    /// failure, 130 (128 + SIGINT) for an interrupted run.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Input => 2,
            ErrorKind::Internal => 1,
            ErrorKind::Interrupted => 130,
        }
    }
}

impl From<ScenarioError> for Error {
    /// A scenario that cannot be read or is invalid: the caller's file.
    fn from(e: ScenarioError) -> Self {
        Error::input(e)
    }
}

impl From<crate::run::RunError<Error>> for Error {
    /// A sink's own error as it is; a broken invariant (a bug, named by region, date and
    /// mother) or worker threads that cannot start: internal (exit code 1).
    fn from(e: crate::run::RunError<Error>) -> Self {
        match e {
            crate::run::RunError::Sink(e) => e,
            e => Error::internal(e),
        }
    }
}

impl From<crate::recipe::RecipeError> for Error {
    /// A recipe that cannot be read or whose inputs changed: the caller's files.
    fn from(e: crate::recipe::RecipeError) -> Self {
        Error::input(e)
    }
}

impl From<crate::output::OutputError> for Error {
    /// Every output error comes from the caller's directory or machine (a path, a permission,
    /// a full disk, a damaged checkpoint).
    fn from(e: crate::output::OutputError) -> Self {
        Error::input(e)
    }
}

impl LoadedScenario {
    /// Reads, parses and validates the scenario file `path` with the data files its `[data]`
    /// section names (`kraamsim validate` prints the same errors).
    pub fn load(path: impl AsRef<Path>) -> Result<LoadedScenario, ScenarioError> {
        crate::scenario::load_file(path.as_ref())
    }

    /// The built-in baseline scenario (`scenarios/baseline.toml`, compiled in): what
    /// `kraamsim run` runs without a file.
    pub fn baseline() -> LoadedScenario {
        crate::scenario::load_default()
    }
}

/// The files of `crate::chart` when `charts` are drawn, none otherwise: what a run or forecast
/// directory's layout adds for them.
fn chart_files(charts: bool) -> Vec<String> {
    if charts {
        crate::chart::files()
    } else {
        Vec::new()
    }
}

/// Holds `dir` for a command (`OutputDir::open`) and says on stderr when it clears a killed
/// run's lock: the caller should know that the temporary files it finds gone were removed.
fn open_dir(
    dir: &Path,
    layout: crate::output::Layout,
    mode: crate::output::DirMode,
    resume_key: &str,
) -> Result<crate::output::OutputDir, Error> {
    let held = crate::output::OutputDir::open(dir, layout, mode, resume_key)?;
    if let Some(pid) = &held.killed_run {
        eprintln!(
            "note: {} held the lock of a kraamsim command that was killed (process {pid}); its temporary files were removed",
            dir.display()
        );
    }
    Ok(held)
}

/// A failure to draw charts: bad input for a redraw (`kraamsim chart DIR`) when the directory
/// is not a complete output, and always when the disk or a file of the caller's is in the
/// way; otherwise (a chart that cannot be drawn from a complete output) a bug.
fn chart_error(e: crate::chart::ChartError, redraw: bool) -> Error {
    use crate::chart::ChartError;
    let environment = matches!(
        e,
        ChartError::Io { .. } | ChartError::Output(_) | ChartError::Refused(_)
    );
    let message = format!(
        "{e}; the CSV files and run.json in this directory are complete, `kraamsim chart` redraws the charts"
    );
    match e {
        ChartError::Input(m) if redraw => Error::input(m),
        _ if environment => Error::input(message),
        _ => Error::internal(message),
    }
}
