//! The Lorenz curve of delivered / indicated hours over all mothers, one line per policy (and
//! per variant of a sweep), from lorenz.csv: mothers sorted from worst-off to best-off, the
//! cumulative share of mothers against their cumulative share of the summed ratios. The
//! diagonal is perfect equality (every mother the same share of her indication); the further
//! below it a line sags, the more unequal the care. The legend gives each line's Gini
//! coefficient (twice the area between diagonal and curve; summary.csv, mean over
//! replications).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::RunData;
use super::{
    DrawResult, LineLook, Meta, Ticked, draw_legend, label_style, tick_style, title_style,
};

/// Lines drawn at most; more would be unreadable (the equity table in the report has all).
const MAX_LINES: usize = 8;

struct Line {
    label: String,
    /// Its policy's colour (the same in every chart), dashed per variant in a sweep.
    look: LineLook,
    /// (% of mothers, % of the ratio sum), from (0, 0) to (100, 100).
    points: Vec<(f64, f64)>,
}

pub struct Lorenz {
    title: String,
    caption: String,
    lines: Vec<Line>,
}

impl Lorenz {
    /// The chart, or `None` when the output has no lorenz.csv.
    pub fn new(data: &RunData) -> Option<Lorenz> {
        let groups: Vec<usize> = (0..data.groups.len())
            .filter(|&g| data.lorenz.get(g).is_some_and(|c| c.len() > 1))
            .collect();
        if groups.is_empty() {
            return None;
        }
        let shown = &groups[..groups.len().min(MAX_LINES)];
        let looks = LineLook::of(data, shown);
        let lines: Vec<Line> = shown
            .iter()
            .zip(looks)
            .map(|(&g, look)| {
                let gini = data.estimate(g, None, |t| t.equity.gini).mean;
                Line {
                    label: format!("{} (Gini {gini:.3})", data.group_label(g)),
                    look,
                    points: data.lorenz[g]
                        .iter()
                        .map(|&(m, r)| (100.0 * m, 100.0 * r))
                        .collect(),
                }
            })
            .collect();
        let left_out = groups.len().saturating_sub(MAX_LINES);
        Some(Lorenz {
            title: format!(
                "Who bears the shortfall: Lorenz curve of delivered / indicated hours, {}",
                data.name()
            ),
            caption: format!(
                "Mothers of all regions and replications sorted from the lowest to the highest \
                 share of their indicated hours delivered (x), against the cumulative share of \
                 those shares (y). The diagonal is equal care for all; a line further below it \
                 means the shortfall falls on fewer mothers, more heavily. Gini in the legend \
                 (0 = equal).{}",
                if left_out > 0 {
                    format!(" {left_out} more lines in the equity table below.")
                } else {
                    String::new()
                }
            ),
            lines,
        })
    }

    pub(super) fn meta(&self) -> Meta {
        Meta {
            name: "lorenz",
            title: self.title.clone(),
            caption: self.caption.clone(),
            size: (900, 760),
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title, title_style())?;
        let ticks: Vec<f64> = (0..=10).map(|i| 10.0 * i as f64).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_top(4)
            .x_label_area_size(52)
            .y_label_area_size(76)
            .build_cartesian_2d(
                Ticked::new(0f64..100.0, ticks.clone()),
                Ticked::new(0f64..100.0, ticks),
            )?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_label_formatter(&|x| format!("{x:.0}%"))
            .y_label_formatter(&|y| format!("{y:.0}%"))
            .x_desc("cumulative share of mothers, worst-off first")
            .y_desc("cumulative share of delivered / indicated")
            .label_style(tick_style())
            .axis_desc_style(label_style())
            .draw()?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.0), (100.0, 100.0)],
                6,
                4,
                grey.stroke_width(1),
            ))?
            .label("equal care for all")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], grey.stroke_width(1)));
        for line in &self.lines {
            let look = line.look;
            let style = look.colour.stroke_width(2);
            let points = line.points.iter().copied();
            match look.dash {
                None => chart.draw_series(LineSeries::new(points, style))?,
                Some((dash, gap)) => {
                    chart.draw_series(DashedLineSeries::new(points, dash, gap, style))?
                }
            }
            .label(line.label.as_str())
            .legend(move |p| look.legend(p));
        }
        draw_legend(&mut chart)
    }
}
