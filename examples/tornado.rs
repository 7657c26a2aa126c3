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

use std::error::Error;
use std::path::Path;

use kraamsim::output::Estimate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// The reading of the sweep and the table, shared with `doc-figures` (which writes the table
/// into docs/validation.md), so the chart and the doc's table come from the same code.
#[path = "doc-figures/sensitivity.rs"]
mod sensitivity;

use sensitivity::{Bar, METRICS, Sensitivity};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: tornado SWEEP_OUTPUT_DIR OUTPUT_PREFIX".into());
    }
    let prefix = &args[2];
    let sensitivity = Sensitivity::read(Path::new(&args[1]))?;
    print!("{}", sensitivity.table());
    let Sensitivity { base, bars } = sensitivity;
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
                format!("{} (base {:.1})", METRICS[k], base[k].mean),
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
