//! The `kraamsim` command line: parse flags, call the library, print, map errors to exit
//! codes (0 success, 2 bad input, 1 internal failure).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::{Parser, Subcommand};

use kraamsim::output::{self, DirMode, OutputDir, OutputError, OutputWriter, RunMeta, Start};
use kraamsim::recipe::{self, Overrides, Recipe, RecipeError, RunSettings};
use kraamsim::run::{self, RunLabels, RunOptions, RunStats};
use kraamsim::scenario::{self, CapacityScope, LoadedScenario, PolicyName, Variant};

#[derive(Parser)]
#[command(
    name = "kraamsim",
    version = concat!(env!("CARGO_PKG_VERSION"), " (source revision ", env!("KRAAMSIM_SOURCE_REVISION"), ")"),
    about = "Simulate kraamzorg capacity and fair allocation of carer hours"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (the built-in baseline when no file is given) and write its outputs.
    Run {
        /// Scenario file (TOML). Without it (and without --from), the built-in baseline
        /// scenario runs.
        #[arg(conflicts_with = "from")]
        scenario: Option<PathBuf>,
        #[command(flatten)]
        args: RunArgs,
    },
    /// Run every variant of a scenario's [sweep] grid and write them into one output.
    Sweep {
        /// Scenario file (TOML) with a [sweep] section.
        #[arg(required_unless_present = "from", conflicts_with = "from")]
        scenario: Option<PathBuf>,
        /// Run only slice I of N (0 <= I < N) of the variants x replications, for
        /// `kraamsim merge`; `auto` reads Slurm's SLURM_ARRAY_TASK_ID / _COUNT (/ _MIN).
        #[arg(long, conflicts_with = "from")]
        shard: Option<String>,
        #[command(flatten)]
        args: RunArgs,
    },
    /// Combine the shard outputs of a sweep into the output one unsharded sweep would write.
    Merge {
        /// The shards' output directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory for the merged result.
        #[arg(long)]
        out: PathBuf,
        /// Replace an earlier kraamsim output in --out.
        #[arg(long)]
        force: bool,
        /// Do not draw charts/ and report.html.
        #[arg(long)]
        no_charts: bool,
    },
    /// Redraw the charts (charts/*.png, *.svg) and report.html of an output directory.
    Chart {
        /// An output directory of `run`, `sweep` or `merge`.
        dir: PathBuf,
    },
    /// Generate a synthetic dataset (CSV files for a scenario's [data] section).
    Generate {
        #[command(subcommand)]
        what: GenerateWhat,
    },
    /// Check a scenario file and print every error with its line and column.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Forecast the coming weeks from today's bookings and roster (the scenario's
    /// [forecast] table): bands of demand, carer hours, shortfall and mothers below the
    /// minimum, the weeks at risk and what would help (docs/forecast.md).
    Forecast {
        /// Scenario file (TOML) with a [forecast] table naming bookings.csv and roster.csv.
        #[arg(required_unless_present = "from", conflicts_with = "from")]
        scenario: Option<PathBuf>,
        #[command(flatten)]
        args: ForecastArgs,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout, e.g.
    /// `kraamsim completions bash > ~/.local/share/bash-completion/completions/kraamsim`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout, e.g. `kraamsim man > kraamsim.1 && man ./kraamsim.1`.
    Man,
    /// Developer tool: write a simulated run's state at the scenario's period.start as
    /// bookings.csv and roster.csv (for backtests and the shipped example).
    #[command(hide = true)]
    ForecastSnapshot {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// The replication whose state is written.
        #[arg(long, default_value_t = 0)]
        replication: u32,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Directory for bookings.csv and roster.csv.
        #[arg(long)]
        out: PathBuf,
        /// Replace bookings.csv and roster.csv already in --out (they may be a KSV's own
        /// exports, so they are never replaced without it).
        #[arg(long)]
        force: bool,
    },
}

/// The flags of `forecast`.
#[derive(clap::Args)]
struct ForecastArgs {
    /// Rerun the forecast an output's forecast.json records (OUT/forecast.json): the same
    /// scenario, bookings, roster and settings; refused when one of its files changed.
    #[arg(long, value_name = "FORECAST_JSON", conflicts_with_all = ["as_of", "weeks", "replications", "seed", "policy", "scope", "no_charts"])]
    from: Option<PathBuf>,
    /// The day the bookings and roster describe, YYYY-MM-DD [default: forecast.as_of].
    #[arg(long, value_parser = parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// Weeks to forecast [default: forecast.weeks, 16].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=104))]
    weeks: Option<u32>,
    /// Output directory [default: output/<scenario name>-forecast].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replications of the future [default: forecast.replications, 200].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    replications: Option<u32>,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Forecast under this allocation policy instead of the scenario's.
    #[arg(long, value_enum)]
    policy: Option<PolicyArg>,
    /// Override the capacity scope: `provider`, `region` (pooled, KSV) or `waiting-list`.
    #[arg(long, value_enum)]
    scope: Option<ScopeArg>,
    /// Worker threads [default: all cores]; the outputs do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// No timing line on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Replace an earlier forecast in the output directory.
    #[arg(long)]
    force: bool,
    /// Do not draw charts/ and report.html.
    #[arg(long)]
    no_charts: bool,
}

/// A date flag, YYYY-MM-DD, within the dates a scenario may use.
fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| format!("`{text}` is not a date YYYY-MM-DD ({e})"))?;
    if !(1900..=2199).contains(&chrono::Datelike::year(&date)) {
        return Err(format!(
            "`{text}`: must be a date from 1900-01-01 to 2199-12-31"
        ));
    }
    Ok(date)
}

/// The flags of `run` and `sweep`.
#[derive(clap::Args)]
struct RunArgs {
    /// Rerun the run an output's run.json records (OUT/run.json): the same scenario, data
    /// files and settings, byte-identical outputs; refused when one of its files changed.
    #[arg(long, value_name = "RUN_JSON", conflicts_with_all = ["seed", "replications", "policy", "scope", "mothers", "check", "no_charts"])]
    from: Option<PathBuf>,
    /// Output directory [default: output/<scenario name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override the scenario's number of replications (at least 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    replications: Option<u32>,
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Run only this allocation policy (instead of the scenario's policy and compare list).
    #[arg(long, value_enum)]
    policy: Option<PolicyArg>,
    /// Override the policy's capacity scope: `provider`, `region` (pooled, KSV) or
    /// `waiting-list` (per provider, with the KSV's regional waiting list).
    #[arg(long, value_enum)]
    scope: Option<ScopeArg>,
    /// Also write mothers.csv, one row per mother.
    #[arg(long)]
    mothers: bool,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Replace an earlier kraamsim output in the output directory (or write into a
    /// directory that is not one, leaving its other files alone).
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Finish a run that was interrupted (Ctrl-C, SIGTERM): same command, same output
    /// directory; finished replications are kept and the result is byte-identical to an
    /// uninterrupted run.
    #[arg(long)]
    resume: bool,
    /// Also check the expensive runtime invariants (tier order of minimum-first on every
    /// scope-day, each mother's delivered hours, every carer's budget); slower.
    #[arg(long)]
    check: bool,
    /// Do not draw charts/ and report.html (`kraamsim chart DIR` draws them later).
    #[arg(long)]
    no_charts: bool,
}

impl RunArgs {
    /// What the flags decide about the outputs, as run.json records it.
    fn settings(&self, command: recipe::Command, shard: Option<(u32, u32)>) -> RunSettings {
        RunSettings {
            command,
            overrides: Overrides {
                seed: self.seed,
                replications: self.replications,
                policy: self.policy.map(PolicyArg::name),
                scope: self.scope.map(ScopeArg::scope),
                ..Overrides::default()
            },
            threads_requested: self.threads,
            mothers: self.mothers,
            check: self.check,
            no_charts: self.no_charts,
            shard,
        }
    }

    /// Where and how to write, which does not change what is written.
    fn invocation(&self) -> Invocation {
        Invocation {
            out: self.out.clone(),
            quiet: self.quiet,
            force: self.force,
            resume: self.resume,
        }
    }
}

impl ForecastArgs {
    /// The flags that override the scenario, as forecast.json records them.
    fn overrides(&self) -> Overrides {
        Overrides {
            seed: self.seed,
            replications: self.replications,
            policy: self.policy.map(PolicyArg::name),
            scope: self.scope.map(ScopeArg::scope),
            as_of: self.as_of,
            weeks: self.weeks,
        }
    }
}

/// The flags of a run that are not part of its recipe: where the outputs go, whether an
/// earlier output may be replaced or resumed, and whether progress is shown.
struct Invocation {
    out: Option<PathBuf>,
    quiet: bool,
    force: bool,
    resume: bool,
}

#[derive(Subcommand)]
enum GenerateWhat {
    /// The national dataset: ~4,000 postcodes in 71 KSV regions, providers and carers whose
    /// totals match the national figures (births per province, 9,000 carers, 22 h a week).
    National {
        /// Seed of the dataset's random choices.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory for postcodes.csv, providers.csv and carers.csv (absent or empty).
        #[arg(long)]
        out: PathBuf,
        /// Replace an earlier generated dataset in --out (or add the files to a directory
        /// that is not one, leaving its other files alone).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PolicyArg {
    MinimumFirst,
    Proportional,
    FirstComeFirstServed,
    RefuseWhenFull,
    /// The validation model: one carer per mother or no care (Erlang-B loss system).
    Loss,
}

impl PolicyArg {
    fn name(self) -> PolicyName {
        match self {
            PolicyArg::MinimumFirst => PolicyName::MinimumFirst,
            PolicyArg::Proportional => PolicyName::Proportional,
            PolicyArg::FirstComeFirstServed => PolicyName::FirstComeFirstServed,
            PolicyArg::RefuseWhenFull => PolicyName::RefuseWhenFull,
            PolicyArg::Loss => PolicyName::Loss,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ScopeArg {
    Provider,
    Region,
    WaitingList,
}

impl ScopeArg {
    fn scope(self) -> CapacityScope {
        match self {
            ScopeArg::Provider => CapacityScope::Provider,
            ScopeArg::Region => CapacityScope::Region,
            ScopeArg::WaitingList => CapacityScope::WaitingList,
        }
    }
}

/// Prints a line on stdout, ignoring a closed pipe (`kraamsim run | head` must not panic: the
/// outputs are written already, and the reader chose to stop reading).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// A failure and the exit code it maps to.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn bad_input(e: impl std::fmt::Display) -> Self {
        Failure {
            code: 2,
            message: e.to_string(),
        }
    }
    fn internal(e: impl std::fmt::Display) -> Self {
        Failure {
            code: 1,
            message: e.to_string(),
        }
    }
}

impl From<RecipeError> for Failure {
    /// A recipe that cannot be read or whose inputs changed: the user's files, exit 2.
    fn from(e: RecipeError) -> Self {
        Failure::bad_input(e)
    }
}

impl From<OutputError> for Failure {
    /// Every output error comes from the user's directory or machine (a path, a permission, a
    /// full disk, a damaged checkpoint): exit 2.
    fn from(e: OutputError) -> Self {
        Failure::bad_input(e)
    }
}

/// Holds `dir` for a command (`OutputDir::open`) and says so when it clears a killed run's
/// lock.
fn open_dir(
    dir: &std::path::Path,
    layout: output::Layout,
    mode: DirMode,
    resume_key: &str,
) -> Result<OutputDir, Failure> {
    let held = OutputDir::open(dir, layout, mode, resume_key)?;
    if let Some(pid) = &held.killed_run {
        eprintln!(
            "note: {} held the lock of a kraamsim command that was killed (process {pid}); its temporary files were removed",
            dir.display()
        );
    }
    Ok(held)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn dispatch(command: Command) -> Result<(), Failure> {
    match command {
        Command::Generate {
            what: GenerateWhat::National { seed, out, force },
        } => {
            use kraamsim::generate::national;
            let data = national::generate(seed);
            let files = national::files(&data);
            let layout = output::Layout::new(
                "dataset",
                output::dir::MANIFEST,
                files.iter().map(|(n, _)| n.to_string()).collect(),
            );
            let mode = if force {
                DirMode::Replace
            } else {
                DirMode::New
            };
            let target = open_dir(&out, layout, mode, "")?;
            output::dir::write_files(&target, &files)?;
            say!(
                "wrote {} postcodes, {} providers in {} regions to {}",
                data.postcodes.len(),
                data.providers.len(),
                kraamsim::generate::national::REGIONS,
                out.display()
            );
            Ok(())
        }
        Command::Completions { shell } => {
            let mut cli = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cli, "kraamsim", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => {
            let cli = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(cli)
                .render(&mut page)
                .map_err(Failure::internal)?;
            say!("{}", String::from_utf8_lossy(&page).trim_end());
            Ok(())
        }
        Command::Validate { scenario } => {
            let loaded = scenario::load_file(&scenario).map_err(Failure::bad_input)?;
            // Every variant of a [sweep] is checked like a file of its own.
            let variants = scenario::variants(&loaded).map_err(Failure::bad_input)?;
            let s = &loaded.scenario;
            // A [forecast] with an as-of date: its bookings and roster are checked too.
            if let Some(params) = &s.forecast
                && let Some(as_of) = params.as_of
            {
                kraamsim::forecast::input::read_for(&loaded, s, params, as_of)
                    .map_err(Failure::bad_input)?;
            }
            let sweep = if s.sweep.is_empty() {
                String::new()
            } else {
                format!(", {} sweep variants", variants.len())
            };
            say!(
                "{}: valid ({} region(s), {} provider(s), {} to {}{sweep})",
                loaded.source_name,
                s.regions.len(),
                s.providers.len(),
                s.period.start,
                s.period.end
            );
            Ok(())
        }
        Command::Run { scenario, args } => {
            let started = Instant::now();
            if let Some(from) = &args.from {
                return rerun(from, recipe::Command::Run, &args, started);
            }
            let loaded: LoadedScenario = match &scenario {
                Some(path) => scenario::load_file(path).map_err(Failure::bad_input)?,
                None => {
                    eprintln!("no scenario given: running the built-in baseline scenario");
                    scenario::load_default()
                }
            };
            let settings = args.settings(recipe::Command::Run, None);
            let variants = variants_to_run(&loaded, &settings)?;
            execute(
                &loaded,
                variants,
                &settings,
                &args.invocation(),
                None,
                started,
            )
        }
        Command::Merge {
            dirs,
            out,
            force,
            no_charts,
        } => {
            let mode = if force {
                DirMode::Replace
            } else {
                DirMode::New
            };
            let target = open_dir(&out, run::output_layout(!no_charts), mode, "")?;
            output::merge(&dirs, &target, !no_charts).map_err(|e| match e {
                output::MergeError::Input(m) => Failure::bad_input(m),
                output::MergeError::Output(e) => Failure::from(e),
            })?;
            say!("merged {} shards into {}", dirs.len(), out.display());
            charts(&out, !no_charts, false)
        }
        Command::Chart { dir } => {
            if !dir.is_dir() {
                return Err(Failure::bad_input(format!(
                    "{}: no such directory (give an output directory of `run`, `sweep`, `merge` or `forecast`)",
                    dir.display()
                )));
            }
            let _held = OutputDir::lock(&dir, run::output_layout(true))?;
            charts(&dir, true, true)
        }
        Command::Forecast { scenario, args } => match (&args.from, &scenario) {
            (Some(from), _) => {
                let recipe = Recipe::read(from, recipe::Command::Forecast)?;
                if let Some(note) = recipe.other_build() {
                    eprintln!("note: {note}");
                }
                let loaded = recipe.load_scenario()?;
                let settings = ForecastSettings {
                    overrides: recipe.overrides,
                    threads_requested: args.threads.or(recipe.threads_requested),
                    no_charts: recipe.no_charts,
                };
                forecast(&loaded, &settings, &args, Some(&recipe))
            }
            (None, Some(path)) => {
                let loaded = scenario::load_file(path).map_err(Failure::bad_input)?;
                let settings = ForecastSettings {
                    overrides: args.overrides(),
                    threads_requested: args.threads,
                    no_charts: args.no_charts,
                };
                forecast(&loaded, &settings, &args, None)
            }
            (None, None) => unreachable!("clap requires a scenario without --from"),
        },
        Command::ForecastSnapshot {
            scenario,
            replication,
            seed,
            out,
            force,
        } => {
            let loaded = scenario::load_file(&scenario).map_err(Failure::bad_input)?;
            let mut s = loaded.scenario;
            if let Some(seed) = seed {
                s.seed = seed;
            }
            for name in ["bookings.csv", "roster.csv"] {
                let path = out.join(name);
                if path.exists() && !force {
                    return Err(Failure::bad_input(format!(
                        "{} exists; pass --force to replace it with the simulated state",
                        path.display()
                    )));
                }
            }
            let snap = kraamsim::forecast::snapshot::snapshot(&s, replication);
            kraamsim::forecast::snapshot::write(&out, &snap)?;
            say!(
                "wrote the state of replication {replication} at {} to {}/bookings.csv and roster.csv",
                s.period.start,
                out.display()
            );
            Ok(())
        }
        Command::Sweep {
            scenario,
            shard,
            args,
        } => {
            let started = Instant::now();
            let (Some(path), None) = (&scenario, &args.from) else {
                let from = args.from.as_deref().expect("clap requires FILE or --from");
                return rerun(from, recipe::Command::Sweep, &args, started);
            };
            let loaded = scenario::load_file(path).map_err(Failure::bad_input)?;
            let shard = shard
                .map(|text| parse_shard_flag(&text))
                .transpose()
                .map_err(Failure::bad_input)?;
            let settings = args.settings(recipe::Command::Sweep, shard);
            let variants = variants_to_run(&loaded, &settings)?;
            execute(
                &loaded,
                variants,
                &settings,
                &args.invocation(),
                None,
                started,
            )
        }
    }
}

/// The variants a `run` (the base, without its [sweep]) or a `sweep` (every one) runs, each
/// with the command-line overrides applied.
fn variants_to_run(
    loaded: &LoadedScenario,
    settings: &RunSettings,
) -> Result<Vec<Variant>, Failure> {
    let mut variants = match settings.command {
        recipe::Command::Sweep => {
            if loaded.scenario.sweep.is_empty() {
                return Err(Failure::bad_input(format!(
                    "{}: has no [sweep] section; use `kraamsim run` for a single scenario",
                    loaded.source_name
                )));
            }
            scenario::variants(loaded).map_err(Failure::bad_input)?
        }
        _ => {
            if !loaded.scenario.sweep.is_empty() {
                // A broken [sweep] is a mistake in the file even when only the base runs.
                scenario::variants(loaded).map_err(Failure::bad_input)?;
                eprintln!(
                    "note: this scenario has a [sweep]; `run` uses its base values, `kraamsim sweep` runs every variant"
                );
            }
            let mut base = loaded.scenario.clone();
            base.sweep.clear();
            vec![Variant {
                id: kraamsim::run::BASE_VARIANT.to_string(),
                params: Vec::new(),
                scenario: base,
            }]
        }
    };
    for v in &mut variants {
        settings.overrides.apply(&mut v.scenario);
    }
    Ok(variants)
}

/// `kraamsim run|sweep --from RUN_JSON`: the recorded scenario (refused when it or a data
/// file changed) with the recorded settings, into `--out` (default: the scenario's usual
/// directory); `--threads` may differ, the outputs do not depend on it.
fn rerun(
    from: &std::path::Path,
    command: recipe::Command,
    args: &RunArgs,
    started: Instant,
) -> Result<(), Failure> {
    let recipe = Recipe::read(from, command)?;
    if let Some(note) = recipe.other_build() {
        eprintln!("note: {note}");
    }
    let loaded = recipe.load_scenario()?;
    let settings = recipe.run_settings(args.threads);
    let variants = variants_to_run(&loaded, &settings)?;
    let first = &variants[0].scenario;
    let policies: Vec<&str> = first
        .policies()
        .into_iter()
        .map(PolicyName::as_str)
        .collect();
    recipe.expect("seed", first.seed)?;
    recipe.expect("replications", first.replications)?;
    recipe.expect("policies", policies)?;
    recipe.expect("scope", first.policy.scope.as_str())?;
    recipe.expect("variants", variants.len())?;
    execute(
        &loaded,
        variants,
        &settings,
        &args.invocation(),
        Some(&recipe),
        started,
    )
}

/// What a forecast takes from its command line that decides its outputs, as forecast.json
/// records it.
struct ForecastSettings {
    overrides: Overrides,
    threads_requested: Option<u16>,
    no_charts: bool,
}

/// `kraamsim forecast`: read the known state of the loaded scenario, check the output
/// directory, forecast, write, print the weekly table. With a `recipe` (`--from`), its
/// recorded inputs are checked against what is read and its effective settings against what
/// the recorded overrides give.
fn forecast(
    loaded: &LoadedScenario,
    settings: &ForecastSettings,
    args: &ForecastArgs,
    recipe: Option<&Recipe>,
) -> Result<(), Failure> {
    use kraamsim::forecast::{self, write};
    let started = Instant::now();
    let mut s = loaded.scenario.clone();
    let params = s.forecast.clone().ok_or_else(|| {
        Failure::bad_input(format!(
            "{}: has no [forecast] table; it names the bookings and roster files (docs/forecast.md)",
            loaded.source_name
        ))
    })?;
    let o = &settings.overrides;
    let as_of = o.as_of.or(params.as_of).ok_or_else(|| {
        let (line, column) = forecast::input::place_in_scenario(&loaded.text, "as_of");
        Failure::bad_input(scenario::ScenarioError {
            file: loaded.source_name.clone(),
            errors: vec![scenario::FieldError {
                file: None,
                line,
                column,
                path: "forecast.as_of".to_string(),
                message: "no as-of date: pass --as-of YYYY-MM-DD or set forecast.as_of".to_string(),
                kind: None,
            }],
        })
    })?;
    o.apply_to_forecast(&mut s);
    let run_settings = forecast::Settings {
        as_of,
        weeks: o.weeks.unwrap_or(params.weeks),
        replications: o.replications.unwrap_or(params.replications),
        threads: settings.threads_requested.map(usize::from),
    };
    let known =
        forecast::input::read_for(loaded, &s, &params, as_of).map_err(Failure::bad_input)?;
    let data_files = recipe::input_files(loaded, &[&s], true)?;
    if let Some(recipe) = recipe {
        recipe.check_inputs(&data_files)?;
        recipe.expect("as_of", as_of.to_string())?;
        recipe.expect("weeks", run_settings.weeks)?;
        recipe.expect("replications", run_settings.replications)?;
        recipe.expect("seed", s.seed)?;
        recipe.expect("policy", s.policy.name.as_str())?;
        recipe.expect("scope", s.policy.scope.as_str())?;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-forecast", s.name)));
    let mode = if args.force {
        DirMode::Replace
    } else {
        DirMode::New
    };
    let target = open_dir(&out, write::layout(!settings.no_charts), mode, "")?;
    let bands = forecast::forecast(&s, &known, &run_settings).map_err(Failure::internal)?;
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
        scenario_sha256: output::sha256_hex(&loaded.text),
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
        threads_requested: settings.threads_requested,
        no_charts: settings.no_charts,
        wall_seconds: started.elapsed().as_secs_f64(),
        known: write::known_counts(&bands),
    };
    write::write_dir(&target, &bands, &meta, !settings.no_charts).map_err(|e| match e {
        write::WriteError::Refused(m) => Failure::bad_input(m),
        write::WriteError::Output(e) => Failure::from(e),
        write::WriteError::Chart(e) => chart_failure(e, false),
    })?;
    say!("{}", write::table(&bands));
    if !args.quiet {
        eprintln!(
            "forecast in {:.2} s; outputs in {}",
            started.elapsed().as_secs_f64(),
            out.display()
        );
    }
    Ok(())
}

/// `--shard I/N` or `--shard auto` (Slurm job arrays).
fn parse_shard_flag(text: &str) -> Result<(u32, u32), String> {
    if text != "auto" {
        return run::parse_shard(text).map_err(|e| format!("--shard {e}"));
    }
    let var = |name: &str| -> Result<Option<u32>, String> {
        match std::env::var(name) {
            Ok(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("--shard auto: {name}=`{v}` is not a number")),
            Err(_) => Ok(None),
        }
    };
    let (Some(id), Some(count)) = (var("SLURM_ARRAY_TASK_ID")?, var("SLURM_ARRAY_TASK_COUNT")?)
    else {
        return Err(
            "--shard auto needs SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (run it as a Slurm array task)"
                .to_string(),
        );
    };
    let first = var("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
    let index = id
        .checked_sub(first)
        .ok_or("--shard auto: SLURM_ARRAY_TASK_ID < SLURM_ARRAY_TASK_MIN")?;
    run::parse_shard(&format!("{index}/{count}")).map_err(|e| format!("--shard auto: {e}"))
}

/// Runs every variant (one for `run`; overrides applied, `variants_to_run`) into one output
/// directory and prints the summary. With a shard (I, N), runs only the (variant,
/// replication) units whose number in run order is I modulo N, for `kraamsim merge`. With a
/// `recipe` (`--from`), the data files read must be the ones it records.
fn execute(
    loaded: &LoadedScenario,
    variants: Vec<Variant>,
    settings: &RunSettings,
    how: &Invocation,
    recipe: Option<&Recipe>,
    started: Instant,
) -> Result<(), Failure> {
    let shard = settings.shard;
    let scenarios: Vec<&kraamsim::scenario::Scenario> =
        variants.iter().map(|v| &v.scenario).collect();
    let data_files = recipe::input_files(loaded, &scenarios, false)?;
    if let Some(recipe) = recipe {
        recipe.check_inputs(&data_files)?;
    }
    let first = &variants[0].scenario;
    let out = how
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&first.name));
    // From the effective settings: `--seed` of the scenario's own seed is the same run.
    let resume_key =
        output::run_resume_key(&loaded.text, &scenarios, settings.mothers, settings.shard);
    let mode = match (how.force, how.resume) {
        (_, true) => DirMode::Resume,
        (true, false) => DirMode::Replace,
        (false, false) => DirMode::New,
    };
    // Refuse a bad output directory before spending time on the run.
    let draws_charts = !settings.no_charts && shard.is_none();
    let target = open_dir(&out, run::output_layout(draws_charts), mode, &resume_key)?;
    if target.start == Start::Complete {
        say!(
            "{}: this run finished already; nothing to resume",
            out.display()
        );
        return Ok(());
    }
    let stop = stop_on_signals().map_err(Failure::internal)?;
    let options = RunOptions {
        threads: settings.threads_requested.map(usize::from),
        keep_mothers: settings.mothers,
        progress: !how.quiet,
        replications: None,
        skip_units: 0,
        stop: Some(Arc::clone(&stop)),
        checks: kraamsim::sim::Checks {
            thorough: settings.check,
        },
    };
    let labels: Vec<RunLabels> = variants
        .iter()
        .map(|v| RunLabels::for_variant(&v.id, &v.scenario))
        .collect();
    let refs: Vec<output::VariantRef> = labels
        .iter()
        .zip(&variants)
        .map(|(l, v)| (l, &v.scenario))
        .collect();
    let mut writer = match shard {
        Some(_) => OutputWriter::create_shard(&target, settings.mothers, &resume_key, &refs),
        None => OutputWriter::create(&target, settings.mothers, &resume_key, &refs),
    }?;
    // Units (variant, policy, replication) of this run, and those an interrupted run kept.
    let mut to_skip = writer.units_done();
    let mut units_total = 0;
    let mut events = 0;
    let mut threads = 1;
    for (index, (v, l)) in variants.iter().zip(&labels).enumerate() {
        let reps = v.scenario.replications;
        let mut options = options.clone();
        if let Some((i, n)) = shard {
            let unit = |rep: u32| index as u64 * u64::from(reps) + u64::from(rep);
            let mine: Vec<u32> = (0..reps)
                .filter(|&r| unit(r) % u64::from(n) == u64::from(i))
                .collect();
            if mine.is_empty() {
                continue;
            }
            options.replications = Some(mine);
        }
        let units = (l.policies.len()
            * options
                .replications
                .as_ref()
                .map_or(reps as usize, Vec::len)) as u64;
        units_total += units;
        if to_skip >= units {
            to_skip = to_skip.saturating_sub(units);
            continue;
        }
        options.skip_units = std::mem::take(&mut to_skip) as usize;
        let stats = run::run_batches(&v.scenario, &options, l, |batch| {
            writer.add(&v.scenario, l, &batch)
        })
        .map_err(|e| match e {
            run::RunError::Sink(e) => Failure::from(e),
            e => Failure::internal(e),
        })?;
        events += stats.events;
        threads = stats.threads;
    }
    // Whatever a stop request interrupted (a batch being simulated, the rows being written,
    // or variants not yet begun: their run returns at once) shows as units not written.
    let interrupted = writer.units_done() < units_total;
    let variants_set: Vec<(String, Vec<(String, String)>)> = if variants.len() > 1 {
        variants
            .iter()
            .map(|v| (v.id.clone(), v.params.clone()))
            .collect()
    } else {
        Vec::new()
    };
    if !variants_set.is_empty() && !interrupted {
        writer.write_variants(&variants_set)?;
    }
    // Wall time from start-up until the last replication's rows are written; run.json cannot
    // time its own writing (the time printed below includes it).
    let wall = started.elapsed().as_secs_f64();
    let stats = RunStats {
        events,
        threads,
        wall: started.elapsed(),
        interrupted,
    };
    let mut meta = RunMeta::new(
        first,
        &loaded.source_name,
        &loaded.text,
        &labels[0],
        &stats,
        settings,
        wall,
    );
    meta.data_files = data_files;
    meta.variants = variants.len();
    meta.units_total = units_total;
    if variants.len() > 1 {
        meta.variant = "sweep (see variants.csv)".to_string();
    }
    if interrupted {
        let done = writer.units_done();
        writer.interrupt(&meta)?;
        // Charts of an earlier run here no longer match; `--resume` draws the new ones.
        let _ = kraamsim::chart::remove(&out);
        return Err(Failure {
            code: 130,
            message: format!(
                "interrupted: {done} of {units_total} replications (of every variant and policy) are kept in {}; run the same command with --resume to finish",
                out.display()
            ),
        });
    }
    let rows = writer.finish(&meta)?;
    say!(
        "{}",
        output::summary_table(first, &rows, &variants_set).trim_end()
    );
    say!(
        "{} events in {:.3} s ({:.0} events/s); outputs in {} (to run again into it, add \
         --force, which replaces them; or give another --out)",
        events,
        started.elapsed().as_secs_f64(),
        meta.events_per_second,
        out.display()
    );
    // A shard is only part of a sweep: its charts come after `kraamsim merge`.
    charts(&out, draws_charts, false)
}

/// Draws the charts and report.html of the output directory `dir` (or, with `draw` false,
/// removes those of an earlier run there); `redraw` for `kraamsim chart DIR`.
fn charts(dir: &std::path::Path, draw: bool, redraw: bool) -> Result<(), Failure> {
    let started = Instant::now();
    let drawn = kraamsim::chart::update(dir, draw).map_err(|e| chart_failure(e, redraw))?;
    if let Some(drawn) = drawn {
        say!(
            "charts and report in {:.2} s: {}",
            started.elapsed().as_secs_f64(),
            drawn.report.display()
        );
    }
    Ok(())
}

/// A failure to draw charts: bad input for `kraamsim chart DIR` when the directory is not a
/// complete output, and always when the disk or a file of the user's is in the way; otherwise
/// (a chart that cannot be drawn from a complete output) a bug.
fn chart_failure(e: kraamsim::chart::ChartError, redraw: bool) -> Failure {
    use kraamsim::chart::ChartError;
    let environment = matches!(
        e,
        ChartError::Io { .. } | ChartError::Output(_) | ChartError::Refused(_)
    );
    let message = format!(
        "{e}; the CSV files and run.json in this directory are complete, `kraamsim chart` redraws the charts"
    );
    match e {
        ChartError::Input(m) if redraw => Failure::bad_input(m),
        _ if environment => Failure::bad_input(message),
        _ => Failure::internal(message),
    }
}

/// A flag that SIGINT (Ctrl-C) and SIGTERM set, so that a run stops between jobs and keeps
/// what it finished. A second signal while the first is handled ends the process at once.
fn stop_on_signals() -> std::io::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // The shutdown is registered first, so it sees the flag as the previous signal left it.
        flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&stop))?;
        flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}
