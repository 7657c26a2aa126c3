//! run.json as a recipe: everything needed to make an output again, and `--from`, which
//! makes it again.
//!
//! A researcher who finds an output directory must be able to tell exactly what produced it
//! and to produce it again, byte for byte. So run.json (`output::RunMeta`, for `run` and
//! `sweep`) and forecast.json (`forecast::write::Meta`) record, besides the effective
//! settings they always had, the command, the command-line [`Overrides`] as given, the flags
//! that decide which files are written, the SHA-256 of every input file ([`InputFile`]: the
//! scenario's `[data]` CSV files and a forecast's bookings and roster) and the source
//! revision of kraamsim ([`SOURCE_REVISION`], embedded by build.rs).
//!
//! `kraamsim run|sweep|forecast --from OUT/run.json` reads such a file back ([`Recipe::read`]),
//! refuses when the scenario or a data file is missing or no longer has its recorded SHA-256
//! ([`Recipe::load_scenario`]), applies the recorded overrides again and checks that they give
//! the recorded effective settings ([`Recipe::expect`]). The overrides, not the effective
//! values, are what is applied: in a sweep a flag overrides every variant, while a swept field
//! differs between variants, so only the flags as given reproduce it.
//!
//! Everything here fails with a [`RecipeError`] naming the file and the field: bad input,
//! exit code 2 at the command line.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::scenario::{
    self, CapacityScope, DEFAULT_SCENARIO_NAME, LoadedScenario, PolicyName, Scenario,
};

/// kraamsim's version (Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit kraamsim was built from, with `-dirty` when tracked files differed from it;
/// `unknown` when it was built outside a git checkout (build.rs).
pub const SOURCE_REVISION: &str = env!("KRAAMSIM_SOURCE_REVISION");

/// The largest run.json / forecast.json `--from` reads; real ones are a few KB.
const MAX_RECIPE_BYTES: u64 = 16 << 20;

/// The command that wrote an output, and the one `--from` must be given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    Run,
    Sweep,
    Forecast,
}

/// The file a forecast writes its recipe to (its metadata, written last). Named here, with
/// the commands, because the output directory protocol (`crate::output::dir`) reads it too.
pub const FORECAST_JSON: &str = "forecast.json";

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Sweep => "sweep",
            Command::Forecast => "forecast",
        }
    }

    /// The file the command writes its recipe to.
    pub fn recipe_file(self) -> &'static str {
        match self {
            Command::Run | Command::Sweep => "run.json",
            Command::Forecast => FORECAST_JSON,
        }
    }
}

/// The command-line flags that change a scenario's results, as given (`None`: not given, the
/// scenario's own value holds). `--from` applies them again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// `--seed`.
    #[serde(default)]
    pub seed: Option<u64>,
    /// `--replications` (for a forecast: instead of `forecast.replications`).
    #[serde(default)]
    pub replications: Option<u32>,
    /// `--policy`: only this policy, no comparison.
    #[serde(default)]
    pub policy: Option<PolicyName>,
    /// `--scope`.
    #[serde(default)]
    pub scope: Option<CapacityScope>,
    /// `--as-of` (forecast only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    /// `--weeks` (forecast only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<u32>,
}

impl Overrides {
    /// Sets the seed, the replications, the policy and the scope of a scenario to run (every
    /// variant of a sweep: a flag overrides a swept value too).
    pub fn apply(&self, s: &mut Scenario) {
        if let Some(r) = self.replications {
            s.replications = r;
        }
        self.apply_to_forecast(s);
    }

    /// What a forecast takes from the overrides into its scenario: the seed, the policy and
    /// the scope (its replications are the forecast's own, `forecast.replications`).
    pub fn apply_to_forecast(&self, s: &mut Scenario) {
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        if let Some(policy) = self.policy {
            s.policy.compare.clear();
            s.policy.name = policy;
        }
        if let Some(scope) = self.scope {
            s.policy.scope = scope;
        }
    }
}

/// What `run` and `sweep` take from their command line that decides their outputs (and
/// `--threads`), recorded in run.json and applied again by `--from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    pub command: Command,
    pub overrides: Overrides,
    /// `--threads` as given (`None`: all cores); the outputs do not depend on it.
    pub threads_requested: Option<u16>,
    /// `--mothers`: also write mothers.csv.
    pub mothers: bool,
    /// `--check`: the expensive runtime invariants too.
    pub check: bool,
    /// `--no-charts`.
    pub no_charts: bool,
    /// `--shard I/N`: only this slice of a sweep.
    pub shard: Option<(u32, u32)>,
}

/// An input file a run read besides its scenario, with its SHA-256 when it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputFile {
    /// The scenario field naming it: `data.postcodes`, `forecast.bookings`, ...
    pub field: String,
    /// Its path as kraamsim opened it: the scenario's directory joined with the name in the
    /// scenario, so relative when the scenario path was (relative to the working directory
    /// of the run, where `--from` looks for it too).
    pub path: String,
    pub sha256: String,
}

/// A recipe that cannot be read or used, or an input that changed since: bad input.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct RecipeError(pub String);

/// Lower-case hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bytes of an input file, as the scenario loader reads them (a regular file, size
/// limited).
fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    scenario::data::read_input_file(path, scenario::data::MAX_DATA_FILE_BYTES)
}

/// Every data file `scenarios` read (the `[data]` files of each, once: a sweep may set them
/// per variant), and with `forecast` the `[forecast]` bookings and roster of the first, each
/// with the SHA-256 of its contents now (just after loading).
pub fn input_files(
    loaded: &LoadedScenario,
    scenarios: &[&Scenario],
    forecast: bool,
) -> Result<Vec<InputFile>, RecipeError> {
    let Some(base) = &loaded.base else {
        // The built-in scenario reads no files.
        return Ok(Vec::new());
    };
    let mut named: Vec<(&str, &str)> = Vec::new();
    for s in scenarios {
        if let Some(d) = &s.data {
            for (field, name) in [
                ("data.postcodes", &d.postcodes),
                ("data.providers", &d.providers),
                ("data.carers", &d.carers),
            ] {
                if let Some(name) = name {
                    named.push((field, name));
                }
            }
        }
    }
    if forecast && let Some(f) = scenarios.first().and_then(|s| s.forecast.as_ref()) {
        named.push(("forecast.bookings", &f.bookings));
        named.push(("forecast.roster", &f.roster));
    }
    let mut files: Vec<InputFile> = Vec::new();
    for (field, name) in named {
        let path = base.join(name);
        let shown = path.display().to_string();
        if files.iter().any(|f| f.path == shown) {
            continue;
        }
        let bytes = read_input(&path).map_err(|e| {
            RecipeError(format!(
                "{}: `{field}`: cannot read {shown}: {e}",
                loaded.source_name
            ))
        })?;
        files.push(InputFile {
            field: field.to_string(),
            path: shown,
            sha256: sha256_hex(&bytes),
        });
    }
    Ok(files)
}

/// What `--from` reads from a run.json or forecast.json.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The file it came from, for messages.
    pub file: String,
    pub command: Command,
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub data_files: Vec<InputFile>,
    pub overrides: Overrides,
    /// `--threads` as given (`None`: all cores); the outputs do not depend on it.
    pub threads_requested: Option<u16>,
    /// `--mothers` (`mothers_csv`).
    pub mothers: bool,
    /// `--check`.
    pub check: bool,
    /// `--no-charts`.
    pub no_charts: bool,
    /// `--shard I/N` of a sweep's shard.
    pub shard: Option<(u32, u32)>,
    /// The whole file, for [`Recipe::expect`].
    json: serde_json::Map<String, serde_json::Value>,
}

impl Recipe {
    /// Reads the recipe `path` for `command`; refuses one of another command, naming the
    /// command it belongs to, and one written before run.json was a recipe.
    pub fn read(path: &Path, command: Command) -> Result<Recipe, RecipeError> {
        let file = path.display().to_string();
        let fail = |message: String| RecipeError(format!("{file}: {message}"));
        let bytes = scenario::data::read_input_file(path, MAX_RECIPE_BYTES)
            .map_err(|e| fail(format!("cannot read: {e}")))?;
        let json: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes)
            .map_err(|e| {
                fail(format!(
                    "not a kraamsim run.json or forecast.json (not a JSON object: {e})"
                ))
            })?;
        let written_by = match json.get("command") {
            None => {
                return Err(fail(
                    "has no `command`: it was written by a kraamsim from before run.json recorded \
                     a whole run; run its scenario again with the flags it lists"
                        .to_string(),
                ));
            }
            Some(value) => Command::deserialize(value).map_err(|_| {
                fail(format!(
                    "`command` is {value}, expected \"run\", \"sweep\" or \"forecast\""
                ))
            })?,
        };
        if written_by != command {
            return Err(fail(format!(
                "this is a {}'s {}; use `kraamsim {} --from {file}`",
                written_by.as_str(),
                written_by.recipe_file(),
                written_by.as_str()
            )));
        }
        let field = |key: &str| json.get(key).cloned().unwrap_or(serde_json::Value::Null);
        fn parse<T: serde::de::DeserializeOwned>(
            value: serde_json::Value,
            key: &str,
            file: &str,
        ) -> Result<T, RecipeError> {
            serde_json::from_value(value).map_err(|e| RecipeError(format!("{file}: `{key}`: {e}")))
        }
        let text = |key: &str| -> Result<String, RecipeError> {
            match field(key) {
                serde_json::Value::String(s) => Ok(s),
                serde_json::Value::Null => Err(fail(format!("`{key}` is missing"))),
                other => Err(fail(format!("`{key}` is {other}, expected a string"))),
            }
        };
        let flag = |key: &str| -> Result<bool, RecipeError> {
            match field(key) {
                serde_json::Value::Null => Ok(false),
                v => parse(v, key, &file),
            }
        };
        let shard = match field("shard") {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => {
                Some(crate::run::parse_shard(&s).map_err(|e| fail(format!("`shard`: {e}")))?)
            }
            other => return Err(fail(format!("`shard` is {other}, expected \"I/N\""))),
        };
        if field("data_files").is_null() {
            return Err(fail(
                "`data_files` is missing: without the SHA-256 of the data files the run cannot \
                 be checked"
                    .to_string(),
            ));
        }
        Ok(Recipe {
            command,
            scenario_path: text("scenario_path")?,
            scenario_sha256: text("scenario_sha256")?,
            data_files: parse(field("data_files"), "data_files", &file)?,
            overrides: match field("overrides") {
                serde_json::Value::Null => Overrides::default(),
                v => parse(v, "overrides", &file)?,
            },
            threads_requested: parse(field("threads_requested"), "threads_requested", &file)?,
            mothers: flag("mothers_csv")?,
            check: flag("check")?,
            no_charts: flag("no_charts")?,
            shard,
            file,
            json,
        })
    }

    /// The settings of a `run` or `sweep` recipe; `threads` (`--threads` of the rerun)
    /// replaces the recorded thread count.
    pub fn run_settings(&self, threads: Option<u16>) -> RunSettings {
        RunSettings {
            command: self.command,
            overrides: self.overrides,
            threads_requested: threads.or(self.threads_requested),
            mothers: self.mothers,
            check: self.check,
            no_charts: self.no_charts,
            shard: self.shard,
        }
    }

    /// Loads the recorded scenario from its recorded path (relative to the working
    /// directory, as when it was run) after checking that it and every recorded data file
    /// still have their recorded SHA-256: a changed input would give other results under the
    /// same name.
    pub fn load_scenario(&self) -> Result<LoadedScenario, RecipeError> {
        let fail = |message: String| RecipeError(format!("{}: {message}", self.file));
        let changed = |what: &str, path: &str, field: &str, now: &str, then: &str| {
            fail(format!(
                "{what} {path} changed since the run (SHA-256 {now}, `{field}` records {then}); \
                 restore it, or run the scenario anew instead of --from"
            ))
        };
        let loaded = if self.scenario_path == DEFAULT_SCENARIO_NAME {
            let loaded = scenario::load_default();
            let now = sha256_hex(loaded.text.as_bytes());
            if now != self.scenario_sha256 {
                return Err(changed(
                    "the built-in baseline scenario",
                    "of this kraamsim",
                    "scenario_sha256",
                    &now,
                    &self.scenario_sha256,
                ));
            }
            loaded
        } else {
            let path = Path::new(&self.scenario_path);
            let bytes = read_input(path).map_err(|e| {
                fail(format!(
                    "`scenario_path`: cannot read the scenario {}: {e} (a relative path is \
                     read from the current directory, as it was when the run was made)",
                    self.scenario_path
                ))
            })?;
            let now = sha256_hex(&bytes);
            if now != self.scenario_sha256 {
                return Err(changed(
                    "the scenario",
                    &self.scenario_path,
                    "scenario_sha256",
                    &now,
                    &self.scenario_sha256,
                ));
            }
            // Before loading: a changed data file is named as changed, not as whatever its
            // new contents do wrong.
            self.check_data_files()?;
            scenario::load_file(path).map_err(|e| fail(e.to_string()))?
        };
        Ok(loaded)
    }

    /// Each recorded data file, read from its recorded path, must have its recorded SHA-256.
    fn check_data_files(&self) -> Result<(), RecipeError> {
        for (i, f) in self.data_files.iter().enumerate() {
            let bytes = read_input(Path::new(&f.path)).map_err(|e| {
                RecipeError(format!(
                    "{}: `data_files[{i}]` ({}): cannot read {}: {e}",
                    self.file, f.field, f.path
                ))
            })?;
            let now = sha256_hex(&bytes);
            if now != f.sha256 {
                return Err(RecipeError(format!(
                    "{}: the data file {} ({}) changed since the run (SHA-256 {now}, \
                     `data_files[{i}]` records {}); restore it, or run the scenario anew \
                     instead of --from",
                    self.file, f.path, f.field, f.sha256
                )));
            }
        }
        Ok(())
    }

    /// The input files of the rerun (from [`input_files`]) must be the recorded ones: the
    /// scenario is the same, so only a hand-edited recipe gets here.
    pub fn check_inputs(&self, now: &[InputFile]) -> Result<(), RecipeError> {
        match now.iter().find(|f| !self.data_files.contains(f)) {
            Some(f) => Err(RecipeError(format!(
                "{}: `data_files` does not list {} ({}, SHA-256 {}), which the scenario reads",
                self.file, f.path, f.field, f.sha256
            ))),
            None => Ok(()),
        }
    }

    /// The recorded value of `field` must be `effective`, what the recorded scenario with the
    /// recorded overrides gives: a recipe whose settings were edited by hand would otherwise
    /// rerun silently as something other than it says.
    pub fn expect(&self, field: &str, effective: impl Serialize) -> Result<(), RecipeError> {
        let effective = serde_json::to_value(effective).expect("settings serialize to JSON");
        let recorded = self.json.get(field).unwrap_or(&serde_json::Value::Null);
        if *recorded == effective {
            return Ok(());
        }
        Err(RecipeError(format!(
            "{}: `{field}` is {recorded}, but the scenario with the recorded `overrides` gives \
             {effective}; was the file edited? To change a setting, run the scenario with flags",
            self.file
        )))
    }

    /// A note when the recipe was written by another build of kraamsim, whose results may
    /// differ from this one's.
    pub fn other_build(&self) -> Option<String> {
        let version = self.json.get("kraamsim_version").and_then(|v| v.as_str());
        let revision = self.json.get("source_revision").and_then(|v| v.as_str());
        if version == Some(VERSION) && revision == Some(SOURCE_REVISION) {
            return None;
        }
        Some(format!(
            "{} was written by kraamsim {} (source revision {}); this is {VERSION} ({SOURCE_REVISION}): if the code changed, the outputs may differ",
            self.file,
            version.unwrap_or("?"),
            revision.unwrap_or("?")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_the_empty_input_is_the_published_one() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn the_source_revision_is_a_commit_or_unknown() {
        let commit = SOURCE_REVISION
            .strip_suffix("-dirty")
            .or_else(|| SOURCE_REVISION.strip_suffix("-unknown-status"))
            .unwrap_or(SOURCE_REVISION);
        assert!(
            commit == "unknown"
                || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
            "{SOURCE_REVISION}"
        );
    }

    #[test]
    fn a_policy_override_runs_that_policy_alone() {
        let mut s = scenario::load_default().scenario;
        s.policy.compare = vec![PolicyName::Proportional];
        let o = Overrides {
            seed: Some(7),
            replications: Some(2),
            policy: Some(PolicyName::FirstComeFirstServed),
            scope: Some(CapacityScope::Region),
            ..Overrides::default()
        };
        o.apply(&mut s);
        assert_eq!((s.seed, s.replications), (7, 2));
        assert_eq!(s.policies(), vec![PolicyName::FirstComeFirstServed]);
        assert_eq!(s.policy.scope, CapacityScope::Region);
    }

    #[test]
    fn overrides_round_trip_through_json() {
        let o = Overrides {
            seed: Some(3),
            policy: Some(PolicyName::RefuseWhenFull),
            as_of: NaiveDate::from_ymd_opt(2027, 5, 3),
            ..Overrides::default()
        };
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.contains("\"policy\":\"refuse-when-full\""), "{json}");
        assert!(!json.contains("weeks"), "{json}");
        assert_eq!(serde_json::from_str::<Overrides>(&json).unwrap(), o);
    }
}
