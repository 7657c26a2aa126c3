//! Policy comparison: the key outcomes over all regions, one row per policy (and per variant
//! of a sweep), with their 95% confidence intervals over replications as whiskers.
//!
//! The intervals are computed like stats.csv's (Student t over replications, the same
//! `output::estimate`), but of each replication's percentage from summary.csv: stats.csv has
//! intervals of counts and hours, and the interval of a ratio is not the ratio of intervals.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{Metric, RunData, Totals};
use super::{
    DrawResult, Meta, Ticked, label_style, nice_ceiling, nice_ticks, policy_colour, text_width,
    tick_number, tick_style, title_style,
};
use crate::output::Estimate;

/// The metrics compared, as (panel title, value of a replication's totals).
const METRICS: [(&str, Metric); 4] = [
    ("% below the 24 h minimum", |t| {
        t.pct_of_mothers(t.below_minimum)
    }),
    ("% without any care", |t| t.pct_of_mothers(t.without_care)),
    ("% with full indication", |t| {
        t.pct_of_mothers(t.full_indication)
    }),
    ("shortfall, % of indicated hours", Totals::shortfall_pct),
];

const PANEL_W: u32 = 270;
const ROW_H: u32 = 36;

struct Row {
    label: String,
    policy: String,
    estimates: Vec<Estimate>,
}

pub struct Comparison {
    title: String,
    rows: Vec<Row>,
    replications: usize,
    label_w: u32,
}

impl Comparison {
    pub fn new(data: &RunData) -> Comparison {
        let rows: Vec<Row> = (0..data.groups.len())
            .map(|g| Row {
                label: data.group_label(g),
                policy: data.groups[g].policy.clone(),
                estimates: METRICS
                    .iter()
                    .map(|(_, f)| data.estimate(g, None, f))
                    .collect(),
            })
            .collect();
        let label_w = rows
            .iter()
            .map(|r| text_width(&r.label, 14))
            .max()
            .unwrap_or(0)
            .max(60)
            + 20;
        let replications = data.replications(0);
        Comparison {
            title: format!(
                "Outcomes per {}, all regions: {}",
                if rows.len() > 1 && data.variants.is_empty() {
                    "policy"
                } else if rows.len() > 1 {
                    "variant and policy"
                } else {
                    "run"
                },
                data.name()
            ),
            rows,
            replications,
            label_w,
        }
    }

    pub(super) fn meta(&self) -> Meta {
        let plot_h = (self.rows.len() as u32 * ROW_H).max(120);
        Meta {
            name: "policy-comparison",
            title: self.title.clone(),
            caption: format!(
                "Each row is a policy{}; dots are means over all regions, whiskers the 95% \
                 confidence interval over {} replication(s) (Student t; none with one \
                 replication). Left: mothers below the legal minimum and without any care, in \
                 % of mothers; right: mothers who got their full indication, and hours not \
                 delivered in % of the indicated hours (every mother's, those turned away \
                 included). Read the full indications beside the mothers without care: \
                 refuse-when-full serves the mothers it takes on in full and gives the ones \
                 it turns away nothing.",
                if self.rows.len() > 1 {
                    " (variant and policy for a sweep)"
                } else {
                    ""
                },
                self.replications
            ),
            size: ((self.label_w + 4 * PANEL_W + 30).max(1000), plot_h + 190),
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title, title_style())?;
        let (w, h) = root.dim_in_pixel();
        let (plots, legend) = root.split_vertically(h - 44);
        let panel_w = (w - self.label_w - 30) / 4;
        let breaks: Vec<u32> = (1..4).map(|i| self.label_w + i * panel_w).collect();
        let panels = plots.split_by_breakpoints(breaks, [] as [u32; 0]);
        let n = self.rows.len();
        let centres: Vec<f64> = (0..n).map(|i| (n - i) as f64 - 0.5).collect();
        for (m, panel) in panels.iter().enumerate() {
            let hi = self
                .rows
                .iter()
                .map(|r| {
                    let e = r.estimates[m];
                    e.ci95.map_or(e.mean, |(_, hi)| hi)
                })
                .fold(0.0, f64::max);
            let x_max = if m == 2 {
                100.0
            } else {
                nice_ceiling(hi * 1.08)
            };
            let ticks = nice_ticks(x_max);
            let tick_label = |x: f64| format!("{}%", tick_number(x));
            // Tick labels are centred on their tick: the margins hold half the first and
            // the last label, so each panel's labels stay inside it and cannot run into the
            // next panel's (they did: "10%0%").
            let half = |x: f64| -> u32 {
                let (w, _) = panel
                    .estimate_text_size(&tick_label(x), &tick_style())
                    .unwrap_or((text_width(&tick_label(x), 14), 0));
                w.div_ceil(2) + 4
            };
            let last = ticks.last().copied().unwrap_or(x_max);
            // The last label sits where its tick is, short of the right end when the ticks
            // do not reach x_max.
            let plot_w = panel.dim_in_pixel().0 as f64;
            let short_of_end = (plot_w * (1.0 - last / x_max) * 0.9) as u32;
            let mut chart = ChartBuilder::on(panel)
                .margin_right(half(last).saturating_sub(short_of_end).max(12))
                .margin_left(if m == 0 { 10 } else { half(0.0) })
                .margin_top(6)
                .caption(METRICS[m].0, label_style())
                .x_label_area_size(44)
                .y_label_area_size(if m == 0 { self.label_w } else { 4 })
                .build_cartesian_2d(
                    Ticked::new(0f64..x_max, ticks),
                    Ticked::new(0f64..n as f64, centres.clone()),
                )?;
            let label_of = |y: &f64| {
                let i = (n as f64 - y - 0.5).round().max(0.0) as usize;
                if m == 0 {
                    self.rows
                        .get(i)
                        .map(|r| r.label.clone())
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(RGBColor(245, 245, 245))
                .bold_line_style(RGBColor(220, 220, 220))
                .x_label_formatter(&|x| tick_label(*x))
                .y_label_formatter(&label_of)
                .x_desc("percent")
                .label_style(tick_style())
                .axis_desc_style(tick_style())
                .draw()?;
            for (i, row) in self.rows.iter().enumerate() {
                let y = (n - i) as f64 - 0.5;
                let e = row.estimates[m];
                let colour = policy_colour(&row.policy);
                if let Some((lo, hi)) = e.ci95 {
                    chart.draw_series([ErrorBar::new_horizontal(
                        y,
                        lo.max(0.0),
                        e.mean,
                        hi,
                        colour.stroke_width(2),
                        12,
                    )])?;
                }
                chart.draw_series([
                    Circle::new((e.mean, y), 6, colour.filled()),
                    Circle::new((e.mean, y), 6, BLACK.stroke_width(1)),
                ])?;
            }
        }
        self.draw_legend(&legend)
    }

    /// Policy colours, and what the whiskers are.
    fn draw_legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut policies: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !policies.contains(&r.policy.as_str()) {
                policies.push(&r.policy);
            }
        }
        let mut x = self.label_w as i32 / 2;
        let y = 14;
        for p in policies {
            area.draw(&Circle::new((x + 6, y + 8), 6, policy_colour(p).filled()))?;
            area.draw(&Circle::new((x + 6, y + 8), 6, BLACK.stroke_width(1)))?;
            area.draw(&Text::new(p.to_string(), (x + 18, y), tick_style()))?;
            x += 30 + text_width(p, 14) as i32;
        }
        let whiskers = if self.replications > 1 {
            format!(
                "whiskers: 95% confidence interval over {} replications",
                self.replications
            )
        } else {
            "one replication: no confidence interval".to_string()
        };
        area.draw(&Text::new(whiskers, (x + 10, y), tick_style()))
    }
}
