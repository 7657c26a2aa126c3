//! The national scenario next to the published figures: the tables of `docs/validation.md`.
//!
//! ```text
//! cargo run --release --example national_figures -- [REPLICATIONS]
//! ```
//!
//! runs `scenarios/national.toml` (10 replications unless given) and prints markdown tables:
//! births per month and per province (counted from the generated population of each
//! replication), and the headline results of the simulated year, each with the mean and the
//! Student-t 95% interval over replications.

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use chrono::Datelike;
use kraamsim::engine::MINUTES_PER_DAY;
use kraamsim::generate::{self, national::PROVINCES};
use kraamsim::model::Calendar;
use kraamsim::output::{Estimate, estimate};
use kraamsim::run::{self, RunOptions};
use kraamsim::scenario;

/// CBS 83474NED, 2020: births per month; October-December only as a total (41,340).
const CBS_MONTHS_2020: [f64; 9] = [
    14085.0, 12905.0, 13556.0, 13375.0, 13791.0, 13928.0, 15625.0, 15110.0, 14966.0,
];
const CBS_OCT_DEC_2020: f64 = 41340.0;

fn cell(e: &Estimate, digits: usize) -> String {
    format!(
        "{:.digits$} ({:.digits$}-{:.digits$})",
        e.mean,
        e.ci95.unwrap().0,
        e.ci95.unwrap().1
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let replications: u32 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = scenario::load_file(&root.join("scenarios/national.toml"))?.scenario;
    s.replications = replications;
    let cal = Calendar::new(&s);

    // Births per month (Oct-Dec together) and province, per replication.
    let csv = std::fs::read_to_string(root.join("scenarios/data/national/postcodes.csv"))?;
    let province_of: HashMap<u16, usize> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let p = PROVINCES
                .iter()
                .position(|x| x.0 == f[3])
                .expect("province");
            (f[0].parse().expect("pc4"), p)
        })
        .collect();
    let mut months = vec![Vec::new(); 10];
    let mut provinces = vec![Vec::new(); PROVINCES.len()];
    let mut years = Vec::new();
    for rep in 0..replications {
        let mut m = [0.0; 10];
        let mut p = vec![0.0; PROVINCES.len()];
        for region in 0..s.regions.len() {
            for mother in generate::population(&s, &cal, region, rep).mothers {
                let day = mother.birth_minute / MINUTES_PER_DAY;
                if cal.in_report(day) {
                    m[cal.month0(day).min(9)] += 1.0;
                    p[province_of[&mother.postcode]] += 1.0;
                }
            }
        }
        years.push(m.iter().sum::<f64>());
        for (acc, v) in months.iter_mut().zip(m) {
            acc.push(v);
        }
        for (acc, v) in provinces.iter_mut().zip(p) {
            acc.push(v);
        }
    }
    let year = estimate(&years);
    let cbs_2020: f64 = CBS_MONTHS_2020.iter().sum::<f64>() + CBS_OCT_DEC_2020;
    println!(
        "Births in the year: {} (CBS 2023: 164,487)\n",
        cell(&year, 0)
    );
    println!("| month | CBS 2020 | CBS share | simulated births (95% CI) | simulated share |");
    println!("| --- | --- | --- | --- | --- |");
    let names = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct-Dec",
    ];
    for (k, name) in names.iter().enumerate() {
        let cbs = CBS_MONTHS_2020.get(k).copied().unwrap_or(CBS_OCT_DEC_2020);
        let e = estimate(&months[k]);
        println!(
            "| {name} | {cbs:.0} | {:.2}% | {} | {:.2}% |",
            100.0 * cbs / cbs_2020,
            cell(&e, 0),
            100.0 * e.mean / year.mean
        );
    }
    println!("\n| province | CBS 2023 | simulated births (95% CI) | difference |");
    println!("| --- | --- | --- | --- |");
    for (k, (name, births, _)) in PROVINCES.iter().enumerate() {
        let e = estimate(&provinces[k]);
        println!(
            "| {name} | {births} | {} | {:+.1}% |",
            cell(&e, 0),
            100.0 * (e.mean / f64::from(*births) - 1.0)
        );
    }

    // The simulated year.
    let r = run::run(
        &s,
        &RunOptions {
            threads: Some(2),
            keep_mothers: false,
            ..RunOptions::default()
        },
    )?;
    let weeks = cal.report_weeks();
    let summer_weeks: Vec<bool> = (0..weeks)
        .map(|i| (7..=8).contains(&cal.report_week_start(i).month()))
        .collect();
    let mut metrics: Vec<[f64; 8]> = Vec::new();
    for rep in 0..replications {
        let mut t = kraamsim::sim::Totals::default();
        let (mut summer_short, mut short, mut summer_below, mut below) = (0.0, 0.0, 0.0, 0.0);
        for x in r.results.iter().filter(|x| x.replication == rep) {
            t.add(&x.totals);
            for (i, w) in x.weeks.iter().enumerate() {
                short += w.shortfall_hours;
                below += w.mothers_below_minimum as f64;
                if summer_weeks[i] {
                    summer_short += w.shortfall_hours;
                    summer_below += w.mothers_below_minimum as f64;
                }
            }
        }
        let mothers = t.mothers as f64;
        let demand = t.indicated_hours + t.birth_assists_requested as f64 * s.birth_assist.hours;
        metrics.push([
            t.delivered_hours / mothers,
            t.indicated_hours / mothers,
            t.carer_contract_hours / demand,
            100.0 * t.mothers_full_indication as f64 / mothers,
            100.0 * t.mothers_below_minimum as f64 / mothers,
            100.0 * t.mothers_without_care as f64 / mothers,
            100.0 * summer_short / short,
            100.0 * summer_below / below.max(1.0),
        ]);
    }
    let e = |k: usize| estimate(&metrics.iter().map(|m| m[k]).collect::<Vec<_>>());
    let summer_share = 100.0 * summer_weeks.iter().filter(|&&b| b).count() as f64 / weeks as f64;
    println!("\n| figure | simulated (95% CI) |");
    println!("| --- | --- |");
    println!("| delivered hours per mother | {} |", cell(&e(0), 2));
    println!("| indicated hours per mother | {} |", cell(&e(1), 2));
    println!(
        "| supply / demand (contract care hours of carers present / indicated + birth-assistance hours) | {} |",
        cell(&e(2), 3)
    );
    println!(
        "| mothers with their full indication, % | {} |",
        cell(&e(3), 1)
    );
    println!("| mothers below the 24 h minimum, % | {} |", cell(&e(4), 2));
    println!("| mothers without care, % | {} |", cell(&e(5), 2));
    println!(
        "| shortfall hours in July-August weeks, % (those weeks are {summer_share:.0}% of the year) | {} |",
        cell(&e(6), 1)
    );
    println!(
        "| mothers below the minimum in July-August weeks, % of all below | {} |",
        cell(&e(7), 1)
    );
    Ok(())
}
