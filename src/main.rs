//! The `kraamsim` command line: parse flags, call the library, print, map errors to exit
//! codes (0 success, 2 bad input, 1 internal failure).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use kraamsim::output::{self, OutputWriter, RunMeta};
use kraamsim::run::{self, RunLabels, RunOptions};
use kraamsim::scenario::{self, CapacityScope, LoadedScenario, PolicyName};

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
        Command::Run {
            scenario,
            out,
            seed,
            replications,
            threads,
            policy,
            scope,
            mothers,
            quiet,
        } => {
            let started = Instant::now();
            let mut loaded: LoadedScenario = match &scenario {
                Some(path) => scenario::load_file(path).map_err(Failure::bad_input)?,
                None => {
                    eprintln!("no scenario given: running the built-in baseline scenario");
                    scenario::load_default()
                }
            };
            let s = &mut loaded.scenario;
            if let Some(seed) = seed {
                s.seed = seed;
            }
            if let Some(r) = replications {
                s.replications = r;
            }
            if let Some(policy) = policy {
                s.policy.compare.clear();
                s.policy.name = match policy {
                    PolicyArg::MinimumFirst => PolicyName::MinimumFirst,
                    PolicyArg::Proportional => PolicyName::Proportional,
                    PolicyArg::FirstComeFirstServed => PolicyName::FirstComeFirstServed,
                    PolicyArg::RefuseWhenFull => PolicyName::RefuseWhenFull,
                };
            }
            if let Some(scope) = scope {
                s.policy.scope = match scope {
                    ScopeArg::Provider => CapacityScope::Provider,
                    ScopeArg::Region => CapacityScope::Region,
                };
            }
            let out = out.unwrap_or_else(|| PathBuf::from("output").join(&s.name));
            // Refuse a bad output directory before spending time on the run.
            output::prepare_dir(&out).map_err(Failure::bad_input)?;
            let options = RunOptions {
                threads: threads.map(usize::from),
                keep_mothers: mothers,
                progress: !quiet,
            };
            let labels = RunLabels::new(s);
            let mut writer =
                OutputWriter::create(&out, s, &labels, mothers).map_err(Failure::internal)?;
            let stats = run::run_batches(s, &options, &labels, |batch| writer.add(&batch))
                .map_err(Failure::internal)?;
            // Wall time from start-up until the last replication's rows are written; run.json
            // cannot time its own writing (the time printed below includes it).
            let wall = started.elapsed().as_secs_f64();
            let meta = RunMeta::new(
                s,
                &loaded.source_name,
                &loaded.text,
                &labels,
                &stats,
                mothers,
                wall,
            );
            let rows = writer.finish(&meta).map_err(Failure::internal)?;
            say!("{}", output::summary_table(s, &rows).trim_end());
            say!(
                "{} events in {:.3} s ({:.0} events/s); outputs in {}",
                stats.events,
                started.elapsed().as_secs_f64(),
                meta.events_per_second,
                out.display()
            );
            Ok(())
        }
    }
}
