//! The coverage-gap heatmaps: one row per region (per policy and variant when a run has
//! several), one column per ISO week, coloured by the share of mothers below the 24-hour
//! minimum, or by the shortfall as a share of the indicated hours.
//!
//! Region rows are sorted by the year's value, worst first, so the regions that need attention
//! are at the top, under a row for all regions together; rows of policies (and variants) keep
//! the scenario's order and carry a swatch of the policy's colour, and the caption says which
//! rows and which order a heatmap has. Colours are viridis reversed (yellow: small,
//! dark purple: large) up to the 99th percentile of the cells; weeks with no gap are light
//! grey, weeks without data white.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{RunData, WeekSums};
use super::{
    DrawResult, Meta, Ticked, TimeAxis, label_style, nice_ceiling, policy_colour, text_width,
    tick_style, title_style,
};

/// Above this many rows (groups x regions) only the first group is drawn.
const MAX_ROWS: usize = 160;
/// Row labels.
const ROW_FONT: u32 = 13;
const COLORBAR_W: u32 = 190;
/// The label of the row of all regions together.
const ALL_ROW: &str = "all regions";
const NONE_COLOUR: RGBColor = RGBColor(232, 232, 232);
/// The side of a row's policy swatch.
const SWATCH: u32 = 12;

pub struct Heatmap {
    name: &'static str,
    title: String,
    caption: String,
    /// Colour bar description.
    unit: String,
    rows: Vec<String>,
    /// The policy of each row when rows are policies (else `None`): a swatch of its colour
    /// beside the label, as in every other chart.
    row_policies: Vec<Option<String>>,
    /// `values[row][week]` in percent; NaN without data.
    values: Vec<Vec<f64>>,
    axis: TimeAxis,
    max: f64,
    label_w: u32,
    row_h: u32,
}

/// A week's (numerator, denominator) of the heatmap's percentage.
type Ratio = fn(&WeekSums) -> (f64, f64);

impl Heatmap {
    /// Mothers below the minimum per 100 births of the week.
    pub fn gap(data: &RunData) -> Heatmap {
        Heatmap::build(
            data,
            "gap-heatmap",
            "Mothers below the 24 h minimum",
            "% of births",
            "Mothers whose care ended below the 24-hour legal minimum, per 100 births in the \
             same week (mean over replications), by {rows} and ISO week. Grey: none below the \
             minimum.",
            |w| (w.below_minimum, w.births),
        )
    }

    /// Shortfall hours as a share of the week's indicated (demand) hours.
    pub fn shortfall(data: &RunData) -> Heatmap {
        Heatmap::build(
            data,
            "shortfall-heatmap",
            "Shortfall of care hours",
            "% of indicated hours",
            "Indicated hours not delivered (shortfall, counted in the week care ended) as a \
             percentage of the week's indicated hours, by {rows} and ISO week. Grey: no \
             shortfall.",
            |w| (w.shortfall_hours, w.demand_hours),
        )
    }

    fn build(
        data: &RunData,
        name: &'static str,
        what: &str,
        unit: &str,
        caption: &str,
        ratio: Ratio,
    ) -> Heatmap {
        let regions = data.regions.len();
        let mut groups: Vec<usize> = (0..data.groups.len()).collect();
        let mut note = String::new();
        if groups.len() * regions > MAX_ROWS {
            groups.truncate(1);
            note = format!(" ({} only)", data.group_label(0));
        }
        let cell = |w: &WeekSums| {
            let (num, den) = ratio(w);
            if w.rows == 0 || den <= 0.0 {
                if num > 0.0 { 100.0 } else { f64::NAN }
            } else {
                100.0 * num / den
            }
        };
        let mut rows = Vec::new();
        let mut row_policies = Vec::new();
        let mut values = Vec::new();
        if groups.len() == 1 && regions > 1 {
            // The whole area first: the pattern at a glance.
            let all: Vec<f64> = (0..data.weeks.len())
                .map(|w| {
                    let mut sum = WeekSums::default();
                    for r in 0..regions {
                        sum.add(&data.weekly[groups[0]][r][w]);
                    }
                    cell(&sum)
                })
                .collect();
            rows.push(ALL_ROW.to_string());
            row_policies.push(None);
            values.push(all);
        }
        for &g in &groups {
            let mut order: Vec<(usize, f64)> = (0..regions)
                .map(|r| {
                    let (num, den) = data.weekly[g][r].iter().fold((0.0, 0.0), |acc, w| {
                        let (n, d) = ratio(w);
                        (acc.0 + n, acc.1 + d)
                    });
                    (r, if den > 0.0 { num / den } else { 0.0 })
                })
                .collect();
            order.sort_by(|a, b| b.1.total_cmp(&a.1));
            for (r, _) in order {
                rows.push(match (groups.len(), regions) {
                    (1, _) => data.regions[r].clone(),
                    (_, 1) => data.group_label(g),
                    _ => format!("{} · {}", data.group_label(g), data.regions[r]),
                });
                row_policies.push((groups.len() > 1).then(|| data.groups[g].policy.clone()));
                values.push(data.weekly[g][r].iter().map(cell).collect());
            }
        }
        // The scale ends at the 99th percentile, so that a few extreme weeks (small numbers
        // of births) do not wash out the rest; darker cells beyond it are clamped.
        let mut finite: Vec<f64> = values
            .iter()
            .flatten()
            .copied()
            .filter(|v: &f64| v.is_finite() && *v > 0.0)
            .collect();
        finite.sort_by(f64::total_cmp);
        let p99 = finite
            .get((finite.len() as f64 * 0.99) as usize)
            .or(finite.last())
            .copied()
            .unwrap_or(0.0);
        let max = nice_ceiling(p99).min(100.0);
        let label_w = rows
            .iter()
            .map(|r| text_width(r, ROW_FONT))
            .max()
            .unwrap_or(0)
            .max(60)
            + 16
            + if row_policies.iter().any(Option::is_some) {
                SWATCH + 6
            } else {
                0
            };
        let row_h = match rows.len() {
            0..=4 => 60,
            5..=20 => 28,
            _ => 15,
        };
        let reps = data.replications(0);
        let per = match (groups.len(), regions) {
            (1, _) => "region",
            (_, 1) if data.variants.is_empty() => "policy",
            (_, 1) => "variant and policy",
            _ => "policy and region",
        };
        // What the rows are and in which order, in the caption: only rows of regions are
        // sorted worst first.
        let order = match (groups.len(), regions) {
            (1, _) => "region (the worst regions at the top, under all regions together)",
            (_, 1) if data.variants.is_empty() => "policy (in the scenario's order)",
            (_, 1) => "variant and policy (in the order of the variants)",
            _ => "policy and region (per policy, its worst regions at the top)",
        };
        Heatmap {
            name,
            title: format!(
                "{what} by {per} and week: {}{note}{}",
                data.name(),
                if reps > 1 {
                    format!(", mean of {reps} replications")
                } else {
                    String::new()
                }
            ),
            caption: caption.replace("{rows}", order),
            unit: unit.to_string(),
            rows,
            row_policies,
            values,
            axis: TimeAxis::new(&data.weeks),
            max,
            label_w,
            row_h,
        }
    }

    pub(super) fn meta(&self) -> Meta {
        let weeks = self.values.first().map_or(0, Vec::len).max(1) as u32;
        let cell_w = (1000 / weeks).clamp(12, 24);
        let plot_h = (self.rows.len() as u32 * self.row_h).max(240);
        Meta {
            name: self.name,
            title: self.title.clone(),
            caption: self.caption.clone(),
            size: (
                (self.label_w + weeks * cell_w + COLORBAR_W + 40).max(900),
                plot_h + 130,
            ),
        }
    }

    /// The colour of a percentage.
    fn colour(&self, v: f64) -> RGBColor {
        if v.is_nan() {
            WHITE
        } else if v <= 0.0 {
            NONE_COLOUR
        } else {
            let t = (v / self.max).clamp(0.0, 1.0);
            // Reversed, and starting just short of viridis' brightest yellow.
            ViridisRGB::get_color((0.97 * (1.0 - t)) as f32)
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title, title_style())?;
        let (w, _) = root.dim_in_pixel();
        let (main, bar) = root.split_horizontally(w - COLORBAR_W);
        let n = self.rows.len();
        // Label every row when they fit, else every k-th.
        let plot_h = (n as u32 * self.row_h).max(240);
        let every = ((ROW_FONT + 2) as usize * n)
            .div_ceil(plot_h as usize)
            .max(1);
        let key_rows: Vec<f64> = (0..n)
            .step_by(every)
            .map(|i| (n - i) as f64 - 0.5)
            .collect();
        let axis = &self.axis;
        let mut chart = ChartBuilder::on(&main)
            .margin(10)
            .margin_top(4)
            .x_label_area_size(52)
            .y_label_area_size(self.label_w)
            .build_cartesian_2d(
                Ticked::new(0f64..axis.days, axis.ticks()),
                Ticked::new(0f64..n.max(1) as f64, key_rows.clone()),
            )?;
        let label_of = |y: &f64| {
            let i = n as f64 - y - 0.5;
            self.rows
                .get(i.round().max(0.0) as usize)
                .cloned()
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|x| axis.label(*x))
            .y_label_formatter(&label_of)
            .x_desc("ISO week (labels at the first of each month)")
            .x_label_style(tick_style())
            .y_label_style(("sans-serif", ROW_FONT))
            .axis_desc_style(label_style())
            .draw()?;
        // A policy row's swatch just left of its label (labels end a tick's length and a
        // gap left of the plot).
        let (base_x, base_y) = main.get_base_pixel();
        for (i, policy) in self.row_policies.iter().enumerate() {
            let Some(policy) = policy else { continue };
            let y = (n - i) as f64 - 0.5;
            if !key_rows.iter().any(|k| (k - y).abs() < 1e-9) {
                continue;
            }
            let (px, py) = chart.backend_coord(&(0.0, y));
            let (label_w, _) = main
                .estimate_text_size(
                    &self.rows[i],
                    &("sans-serif", ROW_FONT).into_text_style(&main),
                )
                .unwrap_or((text_width(&self.rows[i], ROW_FONT), 0));
            let x = (px - base_x - label_w as i32 - 16 - SWATCH as i32).max(4);
            let y = py - base_y - SWATCH as i32 / 2;
            let corners = [(x, y), (x + SWATCH as i32, y + SWATCH as i32)];
            main.draw(&Rectangle::new(corners, policy_colour(policy).filled()))?;
            main.draw(&Rectangle::new(corners, BLACK.stroke_width(1)))?;
        }
        chart.draw_series(self.values.iter().enumerate().flat_map(|(i, row)| {
            let y0 = (n - i - 1) as f64;
            row.iter().enumerate().map(move |(week, v)| {
                let x0 = 7.0 * week as f64;
                Rectangle::new([(x0, y0), (x0 + 7.0, y0 + 1.0)], self.colour(*v).filled())
            })
        }))?;
        if self.rows.first().is_some_and(|r| r == ALL_ROW) && n > 1 {
            let y = (n - 1) as f64;
            chart.draw_series([PathElement::new(
                [(0.0, y), (axis.days, y)],
                WHITE.stroke_width(3),
            )])?;
        }
        self.draw_colour_bar(&bar)
    }

    /// The legend: a vertical colour bar with its scale, and swatches for none / no data.
    fn draw_colour_bar<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (_, h) = area.dim_in_pixel();
        let bar_h = h.saturating_sub(80).min(420);
        let (top, bottom) = area.split_vertically(bar_h);
        let mut scale = ChartBuilder::on(&top)
            .margin(10)
            .margin_top(4)
            .caption(self.unit.as_str(), ("sans-serif", 14))
            .y_label_area_size(0)
            .right_y_label_area_size(64)
            .build_cartesian_2d(0f64..1.0, 0f64..self.max)?;
        scale
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&|v| {
                if (v - self.max).abs() < 1e-9 && self.max < 100.0 {
                    format!("≥{}%", super::tick_number(*v))
                } else {
                    format!("{}%", super::tick_number(*v))
                }
            })
            .label_style(tick_style())
            .draw()?;
        let steps = 100;
        scale.draw_series((0..steps).map(|i| {
            let lo = self.max * i as f64 / steps as f64;
            let hi = self.max * (i + 1) as f64 / steps as f64;
            Rectangle::new([(0.0, lo), (1.0, hi)], self.colour(hi).filled())
        }))?;
        let swatch = |y: i32, colour: RGBColor, text: &str| -> DrawResult<DB> {
            bottom.draw(&Rectangle::new([(14, y), (30, y + 16)], colour.filled()))?;
            bottom.draw(&Rectangle::new(
                [(14, y), (30, y + 16)],
                BLACK.stroke_width(1),
            ))?;
            bottom.draw(&Text::new(text.to_string(), (36, y), tick_style()))
        };
        swatch(8, NONE_COLOUR, "none")?;
        swatch(30, WHITE, "no data")
    }
}
