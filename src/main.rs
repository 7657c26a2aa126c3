//! The `kraamsim` command line: parse flags, call the library, print, map errors to exit
//! codes (0 success, 2 bad input, 1 internal failure).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use kraamsim::output::{self, OutputWriter, RunMeta};
use kraamsim::run::{self, RunLabels, RunOptions, RunStats};
use kraamsim::scenario::{self, CapacityScope, LoadedScenario, PolicyName, Scenario, Variant};

#[derive(Parser)]
#[command(
    name = "kraamsim",
    version,
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
        /// Scenario file (TOML). Without it, the built-in baseline scenario runs.
        scenario: Option<PathBuf>,
        #[command(flatten)]
        args: RunArgs,
    },
    /// Run every variant of a scenario's [sweep] grid and write them into one output.
    Sweep {
        /// Scenario file (TOML) with a [sweep] section.
        scenario: PathBuf,
        #[command(flatten)]
        args: RunArgs,
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
}

/// The flags of `run` and `sweep`.
#[derive(clap::Args)]
struct RunArgs {
    /// Output directory [default: output/<scenario name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override the scenario's number of replications (at least 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Run only this allocation policy (instead of the scenario's policy and compare list).
    #[arg(long, value_enum)]
    policy: Option<PolicyArg>,
    /// Override the policy's capacity scope: `provider` or `region` (pooled, KSV).
    #[arg(long, value_enum)]
    scope: Option<ScopeArg>,
    /// Also write mothers.csv, one row per mother.
    #[arg(long)]
    mothers: bool,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

impl RunArgs {
    /// Applies the overriding flags to one scenario (every variant of a sweep).
    fn apply(&self, s: &mut Scenario) {
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        if let Some(r) = self.replications {
            s.replications = r;
        }
        if let Some(policy) = self.policy {
            s.policy.compare.clear();
            s.policy.name = match policy {
                PolicyArg::MinimumFirst => PolicyName::MinimumFirst,
                PolicyArg::Proportional => PolicyName::Proportional,
                PolicyArg::FirstComeFirstServed => PolicyName::FirstComeFirstServed,
                PolicyArg::RefuseWhenFull => PolicyName::RefuseWhenFull,
            };
        }
        if let Some(scope) = self.scope {
            s.policy.scope = match scope {
                ScopeArg::Provider => CapacityScope::Provider,
                ScopeArg::Region => CapacityScope::Region,
            };
        }
    }
}

#[derive(Subcommand)]
enum GenerateWhat {
    /// The national dataset: ~4,000 postcodes in 71 KSV regions, providers and carers whose
    /// totals match the national figures (births per province, 9,000 carers, 22 h a week).
    National {
        /// Seed of the dataset's random choices.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory for postcodes.csv, providers.csv and carers.csv.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PolicyArg {
    MinimumFirst,
    Proportional,
    FirstComeFirstServed,
    RefuseWhenFull,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScopeArg {
    Provider,
    Region,
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
            what: GenerateWhat::National { seed, out },
        } => {
            let data = kraamsim::generate::national::generate(seed);
            kraamsim::generate::national::write(&data, &out).map_err(|e| {
                Failure::internal(format!("writing the dataset to {}: {e}", out.display()))
            })?;
            say!(
                "wrote {} postcodes, {} providers in {} regions to {}",
                data.postcodes.len(),
                data.providers.len(),
                kraamsim::generate::national::REGIONS,
                out.display()
            );
            Ok(())
        }
        Command::Validate { scenario } => {
            let loaded = scenario::load_file(&scenario).map_err(Failure::bad_input)?;
            let s = &loaded.scenario;
            say!(
                "{}: valid ({} region(s), {} provider(s), {} to {})",
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
            let loaded: LoadedScenario = match &scenario {
                Some(path) => scenario::load_file(path).map_err(Failure::bad_input)?,
                None => {
                    eprintln!("no scenario given: running the built-in baseline scenario");
                    scenario::load_default()
                }
            };
            if !loaded.scenario.sweep.is_empty() {
                eprintln!(
                    "note: this scenario has a [sweep]; `run` uses its base values, `kraamsim sweep` runs every variant"
                );
            }
            let mut base = loaded.scenario.clone();
            base.sweep.clear();
            let variants = vec![Variant {
                id: kraamsim::run::BASE_VARIANT.to_string(),
                params: Vec::new(),
                scenario: base,
            }];
            execute(&loaded, variants, &args, started)
        }
        Command::Sweep { scenario, args } => {
            let started = Instant::now();
            let loaded = scenario::load_file(&scenario).map_err(Failure::bad_input)?;
            if loaded.scenario.sweep.is_empty() {
                return Err(Failure::bad_input(format!(
                    "{}: has no [sweep] section; use `kraamsim run` for a single scenario",
                    loaded.source_name
                )));
            }
            let variants = scenario::variants(&loaded).map_err(Failure::bad_input)?;
            execute(&loaded, variants, &args, started)
        }
    }
}

/// Runs every variant (one for `run`) into one output directory and prints the summary.
fn execute(
    loaded: &LoadedScenario,
    mut variants: Vec<Variant>,
    args: &RunArgs,
    started: Instant,
) -> Result<(), Failure> {
    for v in &mut variants {
        args.apply(&mut v.scenario);
    }
    let first = &variants[0].scenario;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&first.name));
    // Refuse a bad output directory before spending time on the run.
    output::prepare_dir(&out).map_err(Failure::bad_input)?;
    let options = RunOptions {
        threads: args.threads.map(usize::from),
        keep_mothers: args.mothers,
        progress: !args.quiet,
    };
    let labels: Vec<RunLabels> = variants
        .iter()
        .map(|v| RunLabels::for_variant(&v.id, &v.scenario))
        .collect();
    let mut writer = OutputWriter::create(&out, args.mothers).map_err(Failure::internal)?;
    let mut events = 0;
    let mut threads = 1;
    for (v, l) in variants.iter().zip(&labels) {
        let stats = run::run_batches(&v.scenario, &options, l, |batch| {
            writer.add(&v.scenario, l, &batch)
        })
        .map_err(Failure::internal)?;
        events += stats.events;
        threads = stats.threads;
    }
    if variants.len() > 1 {
        let table: Vec<(String, Vec<(String, String)>)> = variants
            .iter()
            .map(|v| (v.id.clone(), v.params.clone()))
            .collect();
        writer.write_variants(&table).map_err(Failure::internal)?;
    }
    // Wall time from start-up until the last replication's rows are written; run.json cannot
    // time its own writing (the time printed below includes it).
    let wall = started.elapsed().as_secs_f64();
    let stats = RunStats {
        events,
        threads,
        wall: started.elapsed(),
    };
    let mut meta = RunMeta::new(
        first,
        &loaded.source_name,
        &loaded.text,
        &labels[0],
        &stats,
        args.mothers,
        wall,
    );
    meta.variants = variants.len();
    if variants.len() > 1 {
        meta.variant = "sweep (see variants.csv)".to_string();
    }
    let rows = writer.finish(&meta).map_err(Failure::internal)?;
    say!("{}", output::summary_table(first, &rows).trim_end());
    say!(
        "{} events in {:.3} s ({:.0} events/s); outputs in {}",
        events,
        started.elapsed().as_secs_f64(),
        meta.events_per_second,
        out.display()
    );
    Ok(())
}
