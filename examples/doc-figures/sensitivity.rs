//! The one-at-a-time sensitivity analysis of `docs/validation.md` §3, read from the output of
//! `kraamsim sweep scenarios/validation/sensitivity.toml`: per variant the headline results
//! over all regions (summary.csv, region `ALL`) with their Student-t 95% interval over
//! replications, and per field its low and high value with their results.
//!
//! Shared by `examples/tornado.rs` (which draws the chart from it) and `doc-figures` (which
//! writes the table into the doc), so the table and the chart can never disagree.

use std::collections::BTreeMap;
use std::path::Path;

use kraamsim::output::{Estimate, estimate};

/// The headline results, in the order of [`Sensitivity::base`] and each bar's estimates.
pub const METRICS: [&str; 3] = [
    "delivered h per mother",
    "% mothers with full indication",
    "% mothers below the minimum",
];

/// A field moved low and high, with the results of each.
pub struct Bar {
    pub field: String,
    /// The field's value in the base variant.
    pub base_value: String,
    pub low: (String, [Estimate; 3]),
    pub high: (String, [Estimate; 3]),
}

impl Bar {
    /// How far the headline result `k` moves from the low to the high value.
    pub fn swing(&self, k: usize) -> f64 {
        (self.high.1[k].mean - self.low.1[k].mean).abs()
    }
}

/// The base (variant `v000`, the first of variants.csv) and one bar per field moved,
/// largest swing of delivered hours first.
pub struct Sensitivity {
    pub base: [Estimate; 3],
    pub bars: Vec<Bar>,
}

/// One replication's headline results from its `ALL` row.
fn headline(row: &BTreeMap<String, f64>) -> Result<[f64; 3], String> {
    let get = |name: &str| {
        row.get(name)
            .copied()
            .ok_or_else(|| format!("summary.csv has no column {name}"))
    };
    let mothers = get("mothers")?.max(1.0);
    Ok([
        get("delivered_hours")? / mothers,
        100.0 * get("mothers_full_indication")? / mothers,
        100.0 * get("mothers_below_minimum")? / mothers,
    ])
}

impl Sensitivity {
    /// Reads variants.csv and summary.csv of a one-at-a-time sweep's output directory.
    pub fn read(dir: &Path) -> Result<Sensitivity, String> {
        let open = |name: &str| {
            let path = dir.join(name);
            csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        // variant -> value of each field
        let mut reader = open("variants.csv")?;
        let fields: Vec<String> = reader
            .headers()
            .map_err(|e| format!("variants.csv: {e}"))?
            .iter()
            .skip(1)
            .map(String::from)
            .collect();
        let mut variants: Vec<(String, Vec<String>)> = Vec::new();
        for row in reader.records() {
            let row = row.map_err(|e| format!("variants.csv: {e}"))?;
            variants.push((
                row[0].to_string(),
                row.iter().skip(1).map(String::from).collect(),
            ));
        }
        // variant -> headline results per replication
        let mut results: BTreeMap<String, Vec<[f64; 3]>> = BTreeMap::new();
        let mut reader = open("summary.csv")?;
        let header = reader
            .headers()
            .map_err(|e| format!("summary.csv: {e}"))?
            .clone();
        for row in reader.records() {
            let row = row.map_err(|e| format!("summary.csv: {e}"))?;
            if &row[3] != "ALL" {
                continue;
            }
            let values: BTreeMap<String, f64> = header
                .iter()
                .zip(row.iter())
                .skip(4)
                .map(|(h, v)| {
                    v.parse::<f64>()
                        .map(|x| (h.to_string(), x))
                        .map_err(|_| format!("summary.csv: `{v}` in column {h} is not a number"))
                })
                .collect::<Result<_, String>>()?;
            results
                .entry(row[0].to_string())
                .or_default()
                .push(headline(&values)?);
        }
        let estimates = |variant: &str| -> Result<[Estimate; 3], String> {
            let reps = results
                .get(variant)
                .ok_or_else(|| format!("summary.csv has no variant {variant}"))?;
            Ok(std::array::from_fn(|k| {
                estimate(&reps.iter().map(|r| r[k]).collect::<Vec<_>>())
            }))
        };
        let (base_id, base_values) = variants.first().ok_or("variants.csv has no variant")?;
        let base = estimates(base_id)?;

        let mut bars = Vec::new();
        for (k, field) in fields.iter().enumerate() {
            let mut moved: Vec<(f64, String, [Estimate; 3])> = Vec::new();
            for (id, values) in variants.iter().filter(|(_, v)| v[k] != base_values[k]) {
                moved.push((
                    values[k].parse().unwrap_or(0.0),
                    values[k].clone(),
                    estimates(id)?,
                ));
            }
            moved.sort_by(|a, b| a.0.total_cmp(&b.0));
            if let (Some(low), Some(high)) = (moved.first(), moved.last()) {
                bars.push(Bar {
                    field: field.clone(),
                    base_value: base_values[k].clone(),
                    low: (low.1.clone(), low.2),
                    high: (high.1.clone(), high.2),
                });
            }
        }
        bars.sort_by(|a, b| b.swing(0).total_cmp(&a.swing(0)));
        Ok(Sensitivity { base, bars })
    }

    /// The markdown table of `docs/validation.md` §3: each result as mean ±half-width, with
    /// the change from the base in brackets.
    pub fn table(&self) -> String {
        let cell = |e: &Estimate, digits: usize| {
            format!("{:.digits$} ±{:.digits$}", e.mean, e.half_width())
        };
        let base = &self.base;
        let mut t = format!(
            "| field | value | {} | {} | {} |\n| --- | --- | --- | --- | --- |\n| (base: national.toml) | | {} | {} | {} |\n",
            METRICS[0],
            METRICS[1],
            METRICS[2],
            cell(&base[0], 2),
            cell(&base[1], 1),
            cell(&base[2], 2)
        );
        for b in &self.bars {
            for (value, e) in [&b.low, &b.high] {
                t += &format!(
                    "| `{}` (base {}) | {value} | {} ({:+.2}) | {} ({:+.1}) | {} ({:+.2}) |\n",
                    b.field,
                    b.base_value,
                    cell(&e[0], 2),
                    e[0].mean - base[0].mean,
                    cell(&e[1], 1),
                    e[1].mean - base[1].mean,
                    cell(&e[2], 2),
                    e[2].mean - base[2].mean,
                );
            }
        }
        t
    }
}
