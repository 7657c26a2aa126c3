//! The `kraamsim` command line: parse flags, call the library, print, map errors to exit
//! codes (0 success, 2 bad input, 1 internal failure).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use kraamsim::{
    CapacityScope, Command as RecipeCommand, Error, Forecast, LoadedScenario, PolicyName, Recipe,
    Run,
};

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
    /// Serve the web app (forecast and scenario pages) on http://127.0.0.1:PORT/ until
    /// Ctrl-C; docs/web.md.
    Serve {
        /// Port to listen on; 0 lets the system choose a free one (the first line printed
        /// says which).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on. Anything but loopback makes the app reachable from other
        /// machines, without a login: a warning is printed.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the app in the default browser.
        #[arg(long)]
        open: bool,
        /// Directory for the runs' inputs and outputs (kept); default: a temporary directory
        /// removed at exit.
        #[arg(long)]
        workdir: Option<PathBuf>,
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
    policy: Option<PolicyName>,
    /// Override the capacity scope: `provider`, `region` (pooled, KSV) or `waiting-list`.
    #[arg(long, value_enum)]
    scope: Option<CapacityScope>,
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
    policy: Option<PolicyName>,
    /// Override the policy's capacity scope: `provider`, `region` (pooled, KSV) or
    /// `waiting-list` (per provider, with the KSV's regional waiting list).
    #[arg(long, value_enum)]
    scope: Option<CapacityScope>,
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

impl RunArgs {
    /// The run the flags describe, with the settings run.json records.
    fn apply<'a>(&self, run: Run<'a>) -> Run<'a> {
        let mut run = run
            .mothers(self.mothers)
            .check(self.check)
            .charts(!self.no_charts);
        if let Some(seed) = self.seed {
            run = run.seed(seed);
        }
        if let Some(replications) = self.replications {
            run = run.replications(replications);
        }
        if let Some(policy) = self.policy {
            run = run.policy(policy);
        }
        if let Some(scope) = self.scope {
            run = run.scope(scope);
        }
        self.how(run)
    }

    /// Where and how to write and show progress, which does not change what is written.
    fn how<'a>(&self, mut run: Run<'a>) -> Run<'a> {
        if let Some(threads) = self.threads {
            run = run.threads(threads);
        }
        run.progress(!self.quiet)
            .replace(self.force)
            .resume(self.resume)
            .stop_on_signals(true)
    }
}

impl ForecastArgs {
    /// The forecast the flags describe.
    fn apply<'a>(&self, mut f: Forecast<'a>) -> Forecast<'a> {
        if let Some(day) = self.as_of {
            f = f.as_of(day);
        }
        if let Some(weeks) = self.weeks {
            f = f.weeks(weeks);
        }
        if let Some(replications) = self.replications {
            f = f.replications(replications);
        }
        if let Some(seed) = self.seed {
            f = f.seed(seed);
        }
        if let Some(policy) = self.policy {
            f = f.policy(policy);
        }
        if let Some(scope) = self.scope {
            f = f.scope(scope);
        }
        f.charts(!self.no_charts)
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
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(command: Command) -> Result<(), Error> {
    match command {
        Command::Generate {
            what: GenerateWhat::National { seed, out, force },
        } => {
            let (postcodes, providers) = kraamsim::generate_national(seed, &out, force)?;
            say!(
                "wrote {postcodes} postcodes, {providers} providers in {} regions to {}",
                kraamsim::NATIONAL_REGIONS,
                out.display()
            );
            Ok(())
        }
        Command::Serve {
            port,
            bind,
            open,
            workdir,
        } => kraamsim::web::serve(kraamsim::web::ServeOptions {
            bind,
            port,
            open,
            workdir,
        }),
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
                .map_err(Error::internal)?;
            say!("{}", String::from_utf8_lossy(&page).trim_end());
            Ok(())
        }
        Command::Validate { scenario } => {
            let loaded = LoadedScenario::load(&scenario)?;
            let found = kraamsim::validate(&loaded)?;
            let s = &loaded.scenario;
            let sweep = match found.sweep_variants {
                0 => String::new(),
                n => format!(", {n} sweep variants"),
            };
            say!(
                "{}: valid ({} region(s), {} provider(s), {} to {}{sweep})",
                loaded.source_name,
                found.regions,
                found.providers,
                s.period.start,
                s.period.end
            );
            Ok(())
        }
        Command::Run { scenario, args } => {
            let started = Instant::now();
            if let Some(from) = &args.from {
                return rerun(from, RecipeCommand::Run, &args, started);
            }
            let loaded = match &scenario {
                Some(path) => LoadedScenario::load(path)?,
                None => {
                    eprintln!("no scenario given: running the built-in baseline scenario");
                    LoadedScenario::baseline()
                }
            };
            let run = args.apply(Run::new(&loaded)).started_at(started);
            write_run(&run, &args.out, started)
        }
        Command::Sweep {
            scenario,
            shard,
            args,
        } => {
            let started = Instant::now();
            let (Some(path), None) = (&scenario, &args.from) else {
                let from = args.from.as_deref().expect("clap requires FILE or --from");
                return rerun(from, RecipeCommand::Sweep, &args, started);
            };
            let loaded = LoadedScenario::load(path)?;
            let shard = shard
                .map(|text| parse_shard_flag(&text))
                .transpose()
                .map_err(Error::input)?;
            let mut run = args.apply(Run::sweep(&loaded)).started_at(started);
            if let Some((i, n)) = shard {
                run = run.shard(i, n);
            }
            write_run(&run, &args.out, started)
        }
        Command::Merge {
            dirs,
            out,
            force,
            no_charts,
        } => {
            kraamsim::merge(&dirs, &out, force, !no_charts)?;
            say!("merged {} shards into {}", dirs.len(), out.display());
            charts(|| kraamsim::draw_charts(&out, !no_charts))
        }
        Command::Chart { dir } => charts(|| kraamsim::redraw_charts(&dir)),
        Command::Forecast { scenario, args } => {
            let started = Instant::now();
            let recipe = match &args.from {
                Some(from) => {
                    let recipe = Recipe::read(from, RecipeCommand::Forecast)?;
                    if let Some(note) = recipe.other_build() {
                        eprintln!("note: {note}");
                    }
                    Some(recipe)
                }
                None => None,
            };
            let loaded = match (&recipe, &scenario) {
                (Some(recipe), _) => recipe.load_scenario()?,
                (None, Some(path)) => LoadedScenario::load(path)?,
                (None, None) => unreachable!("clap requires a scenario without --from"),
            };
            let mut forecast = match &recipe {
                Some(recipe) => Forecast::from_recipe(&loaded, recipe),
                None => args.apply(Forecast::new(&loaded)),
            };
            if let Some(threads) = args.threads {
                forecast = forecast.threads(threads);
            }
            let out = args.out.clone().unwrap_or_else(|| forecast.default_out());
            let written = forecast.replace(args.force).to_dir(&out)?;
            say!("{}", written.table);
            if !args.quiet {
                eprintln!(
                    "forecast in {:.2} s; outputs in {}",
                    started.elapsed().as_secs_f64(),
                    out.display()
                );
            }
            Ok(())
        }
        Command::ForecastSnapshot {
            scenario,
            replication,
            seed,
            out,
            force,
        } => {
            let loaded = LoadedScenario::load(&scenario)?;
            let mut s = loaded.scenario;
            if let Some(seed) = seed {
                s.seed = seed;
            }
            for name in ["bookings.csv", "roster.csv"] {
                let path = out.join(name);
                if path.exists() && !force {
                    return Err(Error::input(format!(
                        "{} exists; pass --force to replace it with the simulated state",
                        path.display()
                    )));
                }
            }
            kraamsim::forecast_snapshot(&s, replication, &out)?;
            say!(
                "wrote the state of replication {replication} at {} to {}/bookings.csv and roster.csv",
                s.period.start,
                out.display()
            );
            Ok(())
        }
    }
}

/// Writes a run or sweep into `--out` (default: output/<scenario name>), prints its summary
/// and timing, then draws its charts.
fn write_run(run: &Run<'_>, out: &Option<PathBuf>, started: Instant) -> Result<(), Error> {
    let out = out.clone().unwrap_or_else(|| run.default_out());
    let written = run.write(&out)?;
    if written.finished_already {
        say!(
            "{}: this run finished already; nothing to resume",
            out.display()
        );
        return Ok(());
    }
    say!("{}", written.summary);
    say!(
        "{} events in {:.3} s ({:.0} events/s); outputs in {} (to run again into it, add \
         --force, which replaces them; or give another --out)",
        written.events,
        started.elapsed().as_secs_f64(),
        written.events_per_second,
        out.display()
    );
    charts(|| written.draw_charts())
}

/// Draws (or removes) charts and says where report.html is and how long it took.
fn charts(draw: impl FnOnce() -> Result<Option<PathBuf>, Error>) -> Result<(), Error> {
    let started = Instant::now();
    if let Some(report) = draw()? {
        say!(
            "charts and report in {:.2} s: {}",
            started.elapsed().as_secs_f64(),
            report.display()
        );
    }
    Ok(())
}

/// `kraamsim run|sweep --from RUN_JSON`: the recorded scenario (refused when it or a data
/// file changed) with the recorded settings, into `--out` (default: the scenario's usual
/// directory); `--threads` may differ, the outputs do not depend on it.
fn rerun(
    from: &std::path::Path,
    command: RecipeCommand,
    args: &RunArgs,
    started: Instant,
) -> Result<(), Error> {
    let recipe = Recipe::read(from, command)?;
    if let Some(note) = recipe.other_build() {
        eprintln!("note: {note}");
    }
    let loaded = recipe.load_scenario()?;
    let run = args
        .how(Run::from_recipe(&loaded, &recipe))
        .started_at(started);
    write_run(&run, &args.out, started)
}

/// `--shard I/N` or `--shard auto` (Slurm job arrays).
fn parse_shard_flag(text: &str) -> Result<(u32, u32), String> {
    if text != "auto" {
        return kraamsim::parse_shard(text).map_err(|e| format!("--shard {e}"));
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
    kraamsim::parse_shard(&format!("{index}/{count}")).map_err(|e| format!("--shard auto: {e}"))
}
