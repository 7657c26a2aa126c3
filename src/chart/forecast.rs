//! The forecast's fan chart (`charts/forecast.png`, `.svg`): per ISO week of the forecast, the
//! P10-P90 band and the P50 line of (1) demand and available carer hours, (2) shortfall hours
//! and (3) mothers below the minimum, summed over the forecast's regions. Values are per
//! week (a ragged first or last week has fewer days, which its label says).
//!
//! Drawn from the bands in memory (`crate::forecast::Bands`), then written with the rest of
//! a forecast's outputs; the drawing and the all-or-nothing writing are those of every other
//! chart ([`super::render`]'s PNG and SVG, [`super::write_all`]).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    ChartError, DrawResult, Drawn, Rendered, label_style, nice_ceiling, okabe_ito, register_font,
    tick_style, title_style,
};
use crate::forecast::bands::{AVAILABLE, BELOW_MINIMUM, Band, Bands, DEMAND, M, SHORTFALL};

const SIZE: (u32, u32) = (1100, 1000);

struct Line {
    label: &'static str,
    colour: RGBColor,
    bands: Vec<Band>,
}

struct Panel {
    title: &'static str,
    unit: &'static str,
    lines: Vec<Line>,
}

/// The fan chart of a forecast.
pub struct FanChart {
    title: String,
    labels: Vec<String>,
    panels: Vec<Panel>,
}

impl FanChart {
    pub fn new(bands: &Bands) -> Self {
        let all = bands.all();
        let metric =
            |m: usize| -> Vec<Band> { all.weeks.iter().map(|w: &[Band; M]| w[m]).collect() };
        let labels = bands
            .weeks
            .iter()
            .map(|w| {
                let mut l = w.start.format("%d %b").to_string();
                if w.days < 7 {
                    l.push_str(&format!(" ({}d)", w.days));
                }
                l
            })
            .collect();
        FanChart {
            title: format!(
                "Forecast from {} — P10–P90 band and P50 over {} replications",
                bands.as_of, bands.replications
            ),
            labels,
            panels: vec![
                Panel {
                    title: "Demand and available carer hours per week",
                    unit: "hours per week",
                    lines: vec![
                        Line {
                            label: "demand (indicated hours)",
                            colour: okabe_ito::BLACK,
                            bands: metric(DEMAND),
                        },
                        Line {
                            label: "carer hours available (contracts of carers at work)",
                            colour: okabe_ito::BLUE,
                            bands: metric(AVAILABLE),
                        },
                    ],
                },
                Panel {
                    title: "Shortfall: indicated hours not delivered (week care ended)",
                    unit: "hours per week",
                    lines: vec![Line {
                        label: "shortfall hours",
                        colour: okabe_ito::VERMILLION,
                        bands: metric(SHORTFALL),
                    }],
                },
                Panel {
                    title: "Mothers below the legal minimum (week care ended)",
                    unit: "mothers per week",
                    lines: vec![Line {
                        label: "mothers below minimum",
                        colour: okabe_ito::PURPLE,
                        bands: metric(BELOW_MINIMUM),
                    }],
                },
            ],
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (title_area, body) = root.split_vertically(40);
        title_area.draw(&Text::new(self.title.clone(), (20, 10), title_style()))?;
        let areas = body.split_evenly((self.panels.len(), 1));
        let n = self.labels.len().max(1);
        for (panel, area) in self.panels.iter().zip(&areas) {
            let top = panel
                .lines
                .iter()
                .flat_map(|l| l.bands.iter().map(|b| b.p90.max(b.p50)))
                .fold(0.0_f64, f64::max);
            let y_max = nice_ceiling(top.max(1.0) * 1.08);
            let mut chart = ChartBuilder::on(area)
                .caption(panel.title, label_style())
                .margin(8)
                .x_label_area_size(34)
                .y_label_area_size(70)
                .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..y_max)?;
            let labels = &self.labels;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n.min(18))
                .x_label_formatter(&|x| {
                    let i = x.round();
                    if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                        labels[i as usize].clone()
                    } else {
                        String::new()
                    }
                })
                .light_line_style(RGBColor(245, 245, 245))
                .y_label_formatter(&|y| format!("{y:.0}"))
                .y_desc(panel.unit)
                .label_style(tick_style())
                .axis_desc_style(label_style())
                .draw()?;
            for line in &panel.lines {
                let upper = line
                    .bands
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (i as f64, b.p90));
                let lower = line
                    .bands
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, b)| (i as f64, b.p10));
                let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
                chart.draw_series(std::iter::once(Polygon::new(
                    outline,
                    line.colour.mix(0.22).filled(),
                )))?;
                let colour = line.colour;
                chart
                    .draw_series(LineSeries::new(
                        line.bands
                            .iter()
                            .enumerate()
                            .map(|(i, b)| (i as f64, b.p50)),
                        colour.stroke_width(3),
                    ))?
                    .label(format!("{} (P50; band P10–P90)", line.label))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
                    });
            }
            super::draw_legend(&mut chart)?;
        }
        root.present()
    }

    /// The chart as PNG and SVG.
    pub fn render(&self) -> Result<Rendered, ChartError> {
        register_font();
        let (w, h) = SIZE;
        let failed = |message: String| ChartError::Draw {
            chart: "forecast",
            message,
        };
        let mut pixels = vec![255u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            self.draw(&root).map_err(|e| failed(e.to_string()))?;
        }
        let png = super::encode_png(&pixels, w, h).map_err(|e| failed(e.to_string()))?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            self.draw(&root).map_err(|e| failed(e.to_string()))?;
        }
        Ok(Rendered {
            name: "forecast",
            title: "Forecast bands".to_string(),
            caption: "Per week, summed over the regions: the shaded band holds 8 in 10 \
                      simulated futures (P10 to P90), the line is the median (P50)."
                .to_string(),
            size: SIZE,
            png,
            svg,
        })
    }
}

/// Writes `charts/` (the fan chart) and report.html (`html`, built by the caller around the
/// rendered chart) into `dir`, all or nothing.
pub fn write(dir: &Path, rendered: &Rendered, html: &str) -> Result<Drawn, ChartError> {
    super::write_all(dir, std::slice::from_ref(rendered), html)
}
