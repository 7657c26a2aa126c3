//! A policy comparison through the public API alone (`kraamsim::{LoadedScenario, Run, ...}`):
//!
//! ```text
//! cargo run --release --example policy_comparison -- [SCENARIO] [REPLICATIONS]
//! ```
//!
//! runs every policy of `scenarios/policy-comparison.toml` (or SCENARIO) under each capacity
//! scope, on the same mothers and carers (common random numbers), streaming the results
//! instead of writing files, and prints a markdown table per scope: the share of mothers
//! below the 24-hour legal minimum, without care and with their full indication, and the
//! hours delivered per mother, summed over replications and regions. It is built by
//! `cargo test` and clippy (`--all-targets`), so it keeps compiling against the API.

use std::collections::BTreeMap;
use std::error::Error;

use kraamsim::{Batch, CapacityScope, LoadedScenario, Run, Totals};

/// The sums of one policy's results over replications and regions.
#[derive(Default)]
struct Sums {
    mothers: u64,
    below_minimum: u64,
    without_care: u64,
    full_indication: u64,
    delivered_hours: f64,
}

impl Sums {
    fn add(&mut self, t: &Totals) {
        self.mothers += t.mothers;
        self.below_minimum += t.mothers_below_minimum;
        self.without_care += t.mothers_without_care;
        self.full_indication += t.mothers_full_indication;
        self.delivered_hours += t.delivered_hours;
    }

    fn percent(&self, count: u64) -> f64 {
        100.0 * count as f64 / self.mothers.max(1) as f64
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "scenarios/policy-comparison.toml".to_string());
    let replications: u32 = match args.next() {
        Some(n) => n.parse().map_err(|e| format!("REPLICATIONS `{n}`: {e}"))?,
        None => 5,
    };
    let loaded = LoadedScenario::load(&path)?;
    println!(
        "# {}: {} replications, policies {:?}\n",
        loaded.scenario.name,
        replications,
        loaded
            .scenario
            .policies()
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
    );
    for scope in [
        CapacityScope::Provider,
        CapacityScope::Region,
        CapacityScope::WaitingList,
    ] {
        // Policies in the order they ran (the scenario's policy, then its compare list).
        let mut by_policy: BTreeMap<usize, (&'static str, Sums)> = BTreeMap::new();
        let stats = Run::new(&loaded)
            .scope(scope)
            .replications(replications)
            .stream(|batch: Batch<'_>| {
                for r in &batch.results {
                    let order = batch
                        .labels
                        .policies
                        .iter()
                        .position(|p| *p == r.policy)
                        .expect("a result of one of the run's policies");
                    by_policy
                        .entry(order)
                        .or_insert_with(|| (r.policy, Sums::default()))
                        .1
                        .add(&r.totals);
                }
                Ok::<(), std::convert::Infallible>(())
            })?;
        println!("## scope {} ({} events)\n", scope.as_str(), stats.events);
        println!(
            "| policy | mothers | % below minimum | % without care | % full indication | delivered h per mother |"
        );
        println!("|---|---:|---:|---:|---:|---:|");
        for (policy, s) in by_policy.values() {
            println!(
                "| {policy} | {} | {:.2} | {:.2} | {:.2} | {:.1} |",
                s.mothers,
                s.percent(s.below_minimum),
                s.percent(s.without_care),
                s.percent(s.full_indication),
                s.delivered_hours / s.mothers.max(1) as f64
            );
        }
        println!();
    }
    Ok(())
}
