//! [`Forecast`]: `kraamsim forecast` as a call: read the known state a scenario's
//! `[forecast]` table names (bookings and roster), simulate the coming weeks, write the
//! forecast directory with forecast.json.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use chrono::NaiveDate;

use crate::forecast::{self, write};
use crate::output::DirMode;
use crate::recipe::{self, Overrides, Recipe};
use crate::scenario::{self, CapacityScope, LoadedScenario, PolicyName};

use super::Error;

/// A forecast of a loaded scenario with a `[forecast]` table, set up with builder calls;
/// nothing runs until [`Forecast::to_dir`]. The settings override the `[forecast]` table
/// and the scenario as the command-line flags do, and forecast.json records them.
#[derive(Debug, Clone)]
pub struct Forecast<'a> {
    loaded: &'a LoadedScenario,
    overrides: Overrides,
    threads_requested: Option<u16>,
    charts: bool,
    replace: bool,
    recipe: Option<&'a Recipe>,
    stop: Option<Arc<AtomicBool>>,
}

/// What [`Forecast::to_dir`] wrote.
#[derive(Debug, Clone)]
pub struct ForecastWritten {
    pub out: PathBuf,
    /// The weekly table of bands the command line prints.
    pub table: String,
}

impl<'a> Forecast<'a> {
    pub fn new(loaded: &'a LoadedScenario) -> Self {
        Forecast {
            loaded,
            overrides: Overrides::default(),
            threads_requested: None,
            charts: true,
            replace: false,
            recipe: None,
            stop: None,
        }
    }

    /// The forecast a forecast.json records (`--from`), with `loaded` from
    /// [`Recipe::load_scenario`]: its settings, checked against what it records.
    pub fn from_recipe(loaded: &'a LoadedScenario, recipe: &'a Recipe) -> Self {
        Forecast {
            overrides: recipe.overrides,
            threads_requested: recipe.threads_requested,
            charts: !recipe.no_charts,
            recipe: Some(recipe),
            ..Forecast::new(loaded)
        }
    }

    /// A flag that stops the forecast when set (from another thread: a cancel button): no
    /// region-replication starts after it, nothing is written, and [`Forecast::to_dir`]
    /// fails with [`ErrorKind::Interrupted`](super::ErrorKind::Interrupted).
    pub fn stop(mut self, stop: Arc<AtomicBool>) -> Self {
        self.stop = Some(stop);
        self
    }

    /// The day the bookings and roster describe, instead of `forecast.as_of`.
    pub fn as_of(mut self, day: NaiveDate) -> Self {
        self.overrides.as_of = Some(day);
        self
    }

    /// Weeks to forecast, instead of `forecast.weeks`.
    pub fn weeks(mut self, weeks: u32) -> Self {
        self.overrides.weeks = Some(weeks);
        self
    }

    /// Replications of the future, instead of `forecast.replications`.
    pub fn replications(mut self, replications: u32) -> Self {
        self.overrides.replications = Some(replications);
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.overrides.seed = Some(seed);
        self
    }

    /// Forecast under this policy instead of the scenario's.
    pub fn policy(mut self, policy: PolicyName) -> Self {
        self.overrides.policy = Some(policy);
        self
    }

    pub fn scope(mut self, scope: CapacityScope) -> Self {
        self.overrides.scope = Some(scope);
        self
    }

    /// Worker threads (default: all cores); the outputs do not depend on it.
    pub fn threads(mut self, threads: u16) -> Self {
        self.threads_requested = Some(threads);
        self
    }

    /// Whether charts/ and report.html are drawn (default: yes).
    pub fn charts(mut self, charts: bool) -> Self {
        self.charts = charts;
        self
    }

    /// Replace an earlier forecast in the output directory.
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// The output directory the command line uses without `--out`:
    /// `output/<scenario name>-forecast`.
    pub fn default_out(&self) -> PathBuf {
        PathBuf::from("output").join(format!("{}-forecast", self.loaded.scenario.name))
    }

    /// Reads the known state, checks the output directory, forecasts and writes the forecast
    /// directory (CSV files, forecast.json, charts). With a recipe, its recorded inputs are
    /// checked against what is read and its effective settings against what the recorded
    /// overrides give.
    pub fn to_dir(&self, out: impl AsRef<Path>) -> Result<ForecastWritten, Error> {
        let out = out.as_ref();
        let started = Instant::now();
        let loaded = self.loaded;
        let mut s = loaded.scenario.clone();
        let params = s.forecast.clone().ok_or_else(|| {
            Error::input(format!(
                "{}: has no [forecast] table; it names the bookings and roster files (docs/forecast.md)",
                loaded.source_name
            ))
        })?;
        let o = &self.overrides;
        let as_of = o.as_of.or(params.as_of).ok_or_else(|| {
            let (line, column) = forecast::input::place_in_scenario(&loaded.text, "as_of");
            Error::input(scenario::ScenarioError {
                file: loaded.source_name.clone(),
                errors: vec![scenario::FieldError {
                    file: None,
                    line,
                    column,
                    path: "forecast.as_of".to_string(),
                    message: "no as-of date: pass --as-of YYYY-MM-DD or set forecast.as_of"
                        .to_string(),
                    kind: None,
                }],
            })
        })?;
        o.apply_to_forecast(&mut s);
        let run_settings = forecast::Settings {
            as_of,
            weeks: o.weeks.unwrap_or(params.weeks),
            replications: o.replications.unwrap_or(params.replications),
            threads: self.threads_requested.map(usize::from),
        };
        let known = forecast::input::read_for(loaded, &s, &params, as_of).map_err(Error::input)?;
        let data_files = recipe::input_files(loaded, &[&s], true)?;
        if let Some(recipe) = self.recipe {
            recipe.check_inputs(&data_files)?;
            recipe.expect("as_of", as_of.to_string())?;
            recipe.expect("weeks", run_settings.weeks)?;
            recipe.expect("replications", run_settings.replications)?;
            recipe.expect("seed", s.seed)?;
            recipe.expect("policy", s.policy.name.as_str())?;
            recipe.expect("scope", s.policy.scope.as_str())?;
        }
        let mode = if self.replace {
            DirMode::Replace
        } else {
            DirMode::New
        };
        let target = super::open_dir(
            out,
            write::layout(super::chart_files(self.charts)),
            mode,
            "",
        )?;
        let bands = forecast::forecast_until(&s, &known, &run_settings, self.stop.as_deref())
            .map_err(|e| match e {
                forecast::ForecastError::Stopped => Error {
                    kind: super::ErrorKind::Interrupted,
                    message: e.to_string(),
                },
                e => Error::internal(e),
            })?;
        let file_sha = |field: &str| {
            data_files
                .iter()
                .find(|f| f.field == field)
                .map(|f| f.sha256.clone())
                .unwrap_or_default()
        };
        let meta = write::Meta {
            kraamsim_version: recipe::VERSION,
            source_revision: recipe::SOURCE_REVISION,
            command: recipe::Command::Forecast.as_str(),
            scenario_name: s.name.clone(),
            scenario_path: loaded.source_name.clone(),
            scenario_sha256: crate::output::sha256_hex(&loaded.text),
            bookings: params.bookings.clone(),
            bookings_sha256: file_sha("forecast.bookings"),
            roster: params.roster.clone(),
            roster_sha256: file_sha("forecast.roster"),
            data_files: data_files.clone(),
            overrides: *o,
            as_of: as_of.to_string(),
            weeks: run_settings.weeks,
            seed: s.seed,
            replications: run_settings.replications,
            policy: s.policy.name.as_str().to_string(),
            scope: s.policy.scope.as_str().to_string(),
            threads: run_settings
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            threads_requested: self.threads_requested,
            no_charts: !self.charts,
            wall_seconds: started.elapsed().as_secs_f64(),
            known: write::known_counts(&bands),
        };
        write::write_tables(&target, &bands)?;
        let drawn = if self.charts {
            crate::chart::forecast::draw(target.path(), write::meta_fields(&meta)).map(drop)
        } else {
            crate::chart::remove(target.path())
        };
        drawn.map_err(|e| super::chart_error(e, false))?;
        write::write_meta(target.path(), &meta)?;
        Ok(ForecastWritten {
            out: out.to_path_buf(),
            table: write::table(&bands),
        })
    }
}
