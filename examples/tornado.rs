//! The sensitivity table and tornado chart of `docs/validation.md`, from the output of a
//! one-at-a-time sweep (`scenarios/validation/sensitivity.toml`):
//!
//! ```text
//! kraamsim sweep scenarios/validation/sensitivity.toml --out output/sensitivity
//! cargo run --release --example tornado -- output/sensitivity docs/validation
//! ```
//!
//! prints the table (markdown) and writes `docs/validation-tornado.png` and `.svg`. Variant
//! `v000` is the base; every other variant moves one field. Results are per replication over
//! all regions (summary.csv, region `ALL`), with the Student-t 95% interval over replications.
//! A one-off chart for the validation page, deliberately not a general chart module.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use kraamsim::output::{Estimate, estimate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// The headline results, as functions of a replication's `ALL` row.
const METRICS: [(&str, &str); 3] = [
    ("delivered h per mother", "delivered"),
    ("% mothers with full indication", "full"),
    ("% mothers below the minimum", "below"),
];

/// One replication's headline results.
fn headline(row: &BTreeMap<String, f64>) -> [f64; 3] {
    let mothers = row["mothers"].max(1.0);
    [
        row["delivered_hours"] / mothers,
        100.0 * row["mothers_full_indication"] / mothers,
        100.0 * row["mothers_below_minimum"] / mothers,
    ]
}

/// A field moved low and high, with the results of each.
struct Bar {
    field: String,
    low: (String, [Estimate; 3]),
    high: (String, [Estimate; 3]),
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: tornado SWEEP_OUTPUT_DIR OUTPUT_PREFIX".into());
    }
    let dir = Path::new(&args[1]);
    let prefix = &args[2];

    // variant -> (field -> value)
    let mut variants: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut reader = csv::Reader::from_path(dir.join("variants.csv"))?;
    let fields: Vec<String> = reader.headers()?.iter().skip(1).map(String::from).collect();
    for row in reader.records() {
        let row = row?;
        let values = fields
            .iter()
            .cloned()
            .zip(row.iter().skip(1).map(String::from))
            .collect();
        variants.push((row[0].to_string(), values));
    }
    // variant -> headline results per replication
    let mut results: BTreeMap<String, Vec<[f64; 3]>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(dir.join("summary.csv"))?;
    let header = reader.headers()?.clone();
    for row in reader.records() {
        let row = row?;
        if &row[3] != "ALL" {
            continue;
        }
        let values: BTreeMap<String, f64> = header
            .iter()
            .zip(row.iter())
            .skip(4)
            .map(|(h, v)| Ok((h.to_string(), v.parse::<f64>()?)))
            .collect::<Result<_, std::num::ParseFloatError>>()?;
        results
            .entry(row[0].to_string())
            .or_default()
            .push(headline(&values));
    }
    let estimates = |variant: &str| -> [Estimate; 3] {
        let reps = &results[variant];
        std::array::from_fn(|k| estimate(&reps.iter().map(|r| r[k]).collect::<Vec<_>>()))
    };
    let (base_id, base_values) = &variants[0];
    let base = estimates(base_id);

    let mut bars = Vec::new();
    for (k, field) in fields.iter().enumerate() {
        let mut moved: Vec<(f64, String, [Estimate; 3])> = variants
            .iter()
            .filter(|(_, values)| values[k].1 != base_values[k].1)
            .map(|(id, values)| {
                let v = values[k].1.clone();
                (v.parse().unwrap_or(0.0), v, estimates(id))
            })
            .collect();
        moved.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let (Some(low), Some(high)) = (moved.first(), moved.last()) {
            bars.push(Bar {
                field: field.clone(),
                low: (low.1.clone(), low.2),
                high: (high.1.clone(), high.2),
            });
        }
    }
    // Largest swing of delivered hours first.
    let swing = |b: &Bar, k: usize| (b.high.1[k].mean - b.low.1[k].mean).abs();
    bars.sort_by(|a, b| swing(b, 0).total_cmp(&swing(a, 0)));

    print_table(&base, base_values, &bars);

    plotters::style::register_font(
        "sans-serif",
        FontStyle::Normal,
        include_bytes!("../assets/fonts/DejaVuSans.ttf"),
    )
    .map_err(|_| "the bundled font is invalid")?;
    let png = format!("{prefix}-tornado.png");
    let svg = format!("{prefix}-tornado.svg");
    {
        let root = BitMapBackend::new(&png, (1500, 520)).into_drawing_area();
        draw(&root, &base, &bars)?;
        root.present()?;
    }
    {
        let root = SVGBackend::new(&svg, (1500, 520)).into_drawing_area();
        draw(&root, &base, &bars)?;
        root.present()?;
    }
    eprintln!("wrote {png} and {svg}");
    Ok(())
}

fn cell(e: &Estimate, digits: usize) -> String {
    format!("{:.digits$} ±{:.digits$}", e.mean, e.half_width())
}

fn print_table(base: &[Estimate; 3], base_values: &[(String, String)], bars: &[Bar]) {
    println!(
        "| field | value | {} | {} | {} |",
        METRICS[0].0, METRICS[1].0, METRICS[2].0
    );
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| (base: national.toml) | | {} | {} | {} |",
        cell(&base[0], 2),
        cell(&base[1], 1),
        cell(&base[2], 2)
    );
    for b in bars {
        let base_value = &base_values
            .iter()
            .find(|(f, _)| f == &b.field)
            .expect("field")
            .1;
        for (value, e) in [&b.low, &b.high] {
            println!(
                "| `{}` (base {base_value}) | {value} | {} ({:+.2}) | {} ({:+.1}) | {} ({:+.2}) |",
                b.field,
                cell(&e[0], 2),
                e[0].mean - base[0].mean,
                cell(&e[1], 1),
                e[1].mean - base[1].mean,
                cell(&e[2], 2),
                e[2].mean - base[2].mean,
            );
        }
    }
}

/// Three tornado panels, one per headline result,
/// each bar the change from the base when the field is at its low (blue) or high (orange)
/// value.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    base: &[Estimate; 3],
    bars: &[Bar],
) -> Result<(), Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (title, body) = root.split_vertically(50);
    title.draw(&Text::new(
        "Sensitivity of the national year to the DOMAIN.md assumptions (one at a time)",
        (20, 15),
        ("sans-serif", 20).into_font(),
    ))?;
    let low_colour = RGBColor(49, 110, 180);
    let high_colour = RGBColor(230, 140, 40);
    for (j, (label, colour)) in [("low value", low_colour), ("high value", high_colour)]
        .into_iter()
        .enumerate()
    {
        let x = 1200 + 140 * j as i32;
        title.draw(&Rectangle::new([(x, 18), (x + 24, 34)], colour.filled()))?;
        title.draw(&Text::new(
            label,
            (x + 30, 18),
            ("sans-serif", 15).into_font(),
        ))?;
    }
    let (first, rest) = body.split_horizontally(560);
    let panels = [first.clone()]
        .into_iter()
        .chain(rest.split_evenly((1, 2)))
        .collect::<Vec<_>>();
    for (k, panel) in panels.iter().enumerate() {
        let deltas: Vec<(f64, f64)> = bars
            .iter()
            .map(|b| {
                (
                    b.low.1[k].mean - base[k].mean,
                    b.high.1[k].mean - base[k].mean,
                )
            })
            .collect();
        let extent = deltas
            .iter()
            .flat_map(|&(a, b)| [a.abs(), b.abs()])
            .fold(0.1f64, f64::max)
            * 1.15;
        let n = bars.len();
        let names: Vec<String> = bars.iter().map(|b| b.field.clone()).collect();
        let mut chart = ChartBuilder::on(panel)
            .margin(12)
            .caption(
                format!("{} (base {:.1})", METRICS[k].0, base[k].mean),
                ("sans-serif", 16),
            )
            .x_label_area_size(36)
            .y_label_area_size(if k == 0 { 230 } else { 10 })
            .build_cartesian_2d(-extent..extent, 0.0..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let i = (*y - 0.5).round();
                if k == 0 && (*y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    names[n - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("change from the base")
            .label_style(("sans-serif", 13))
            .draw()?;
        for (i, &(low, high)) in deltas.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (d, colour) in [(low, low_colour), (high, high_colour)] {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.2), (d, y + 0.8)],
                    colour.filled(),
                )))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            BLACK,
        )))?;
    }
    Ok(())
}
