//! The workforce over the years (issue 10): per calendar year, the qualified carers on 31
//! December stacked by where they came from (stayed from the start, qualified trainees,
//! hires), one panel per variant, carers above and FTE below; and the share of mothers below
//! the minimum per year, one line per variant (and policy), both with 95% intervals over
//! replications.
//!
//! Both are drawn from yearly.csv's `ALL` rows ([`RunData::yearly`]) and only when it has more
//! than one year: a single year is a single point, which the policy comparison already shows.
//! The workforce chart also needs the workforce to change (someone joining, leaving or in
//! training): a fixed workforce would be one flat colour, "stayed", in every bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{RunData, SOURCES, YearRow};
use super::report::whole;
use super::{
    DrawResult, LineLook, Meta, Ticked, draw_legend, label_style, nice_ceiling, okabe_ito,
    text_width, tick_style, title_style,
};
use crate::output::Estimate;

/// Panels (variants) drawn at most; the report's table has every variant.
const MAX_PANELS: usize = 6;
const PANEL_W: u32 = 330;
const PANEL_H: u32 = 330;
/// Room left of the first panel for the y axis and its description.
const AXIS_W: u32 = 96;

/// The colour of each of [`SOURCES`]: the carers who stayed in the calm blue, the new ones in
/// the two warmer colours.
const SOURCE_COLOURS: [RGBColor; 3] = [okabe_ito::SKY_BLUE, okabe_ito::GREEN, okabe_ito::ORANGE];

/// One year of one variant: the mean of each source and the estimate of the total.
struct Bar {
    year: i32,
    carers: [f64; 3],
    carers_total: Estimate,
    fte: [f64; 3],
    fte_total: Estimate,
}

struct Panel {
    label: String,
    bars: Vec<Bar>,
}

pub struct WorkforceChart {
    title: String,
    caption: String,
    years: Vec<i32>,
    panels: Vec<Panel>,
    /// Whether the FTE row is drawn (outputs before `carer_fte_from_*` have only carers).
    fte: bool,
    replications: usize,
    /// What the values in the panel titles are (sweeps).
    key: String,
}

/// The mean over replications of each source of `rows` (`f` picks carers or FTE).
fn source_means(data: &RunData, group: usize, year: i32, f: fn(&YearRow) -> [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|s| data.year_estimate(group, year, |r| f(r)[s]).mean)
}

impl WorkforceChart {
    /// The chart, or `None` without several years of a changing workforce.
    pub fn new(data: &RunData) -> Option<WorkforceChart> {
        if data.years.len() < 2 || !data.workforce_changes() {
            return None;
        }
        let groups = data.variant_groups();
        let panels: Vec<Panel> = groups
            .iter()
            .take(MAX_PANELS)
            .map(|&g| Panel {
                label: match data.variant_label(g) {
                    l if l.is_empty() => "all regions".to_string(),
                    l => l,
                },
                bars: data
                    .years
                    .iter()
                    .map(|&year| Bar {
                        year,
                        carers: source_means(data, g, year, |r| r.carers_by_source),
                        carers_total: data.year_estimate(g, year, |r| r.carers),
                        fte: source_means(data, g, year, |r| r.fte_by_source),
                        fte_total: data.year_estimate(g, year, |r| r.carer_fte),
                    })
                    .collect(),
            })
            .collect();
        let left_out = groups.len().saturating_sub(MAX_PANELS);
        let replications = data
            .yearly
            .iter()
            .filter(|r| r.group == groups[0] && r.year == data.years[0])
            .count();
        Some(WorkforceChart {
            title: format!(
                "Qualified carers on 31 December by where they came from: {}",
                data.name()
            ),
            caption: format!(
                "All regions, mean over {replications} replication(s) (yearly.csv). Each bar \
                 stacks the qualified carers employed on the year's last day{}: those listed at \
                 the start of the period who stayed, trainees who qualified since, and \
                 experienced carers hired from the labour market; trainees still in training \
                 are not in the bars. Above each bar: the total, and the half-width of its 95% \
                 confidence interval over replications (Student t; none with one replication; \
                 too narrow to draw as whiskers at this scale).{}{}",
                if data.has_fte_by_source {
                    " (top) and their FTE (bottom, contract hours / FTE hours)"
                } else {
                    ""
                },
                if panels.len() > 1 {
                    " One panel per variant, the same axes in each."
                } else {
                    ""
                },
                if left_out > 0 {
                    format!(" {left_out} more variant(s) in yearly.csv.")
                } else {
                    String::new()
                }
            ),
            years: data.years.clone(),
            panels,
            fte: data.has_fte_by_source,
            replications,
            key: data.variant_key(),
        })
    }

    pub(super) fn meta(&self) -> Meta {
        let rows = if self.fte { 2 } else { 1 };
        Meta {
            name: "workforce",
            title: self.title.clone(),
            caption: self.caption.clone(),
            size: (
                (AXIS_W + self.panels.len() as u32 * PANEL_W + 20).max(1000),
                rows * PANEL_H + 120,
            ),
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title, title_style())?;
        let (_, h) = root.dim_in_pixel();
        let (plots, legend) = root.split_vertically(h - 60);
        let rows = if self.fte { 2 } else { 1 };
        let row_areas = plots.split_evenly((rows, 1));
        type Pick = fn(&Bar) -> (&[f64; 3], Estimate);
        let measures: [(&str, Pick); 2] = [
            ("qualified carers", |b| (&b.carers, b.carers_total)),
            ("FTE", |b| (&b.fte, b.fte_total)),
        ];
        for (row, (unit, pick)) in row_areas.iter().zip(measures) {
            // The same y axis in every panel of a row, so the variants compare by eye.
            let top = self
                .panels
                .iter()
                .flat_map(|p| &p.bars)
                .map(|b| {
                    let (_, total) = pick(b);
                    total.ci95.map_or(total.mean, |(_, hi)| hi)
                })
                .fold(0.0, f64::max);
            // Room for the labels above the bars, rounded up to a twentieth of a power of ten
            // (a plain nice ceiling would leave a third of the FTE row empty).
            let step = nice_ceiling(top) / 20.0;
            let y_max = (top * 1.1 / step).ceil() * step;
            let breaks: Vec<u32> = (1..self.panels.len() as u32)
                .map(|i| AXIS_W + i * PANEL_W)
                .collect();
            let areas = row.split_by_breakpoints(breaks, [] as [u32; 0]);
            for (i, (panel, area)) in self.panels.iter().zip(&areas).enumerate() {
                self.draw_panel(
                    area,
                    panel,
                    i == 0,
                    unit,
                    pick,
                    y_max,
                    rows == 1 || unit == "FTE",
                )?;
            }
        }
        self.draw_legend(&legend)
    }

    /// One variant's bars of one measure (`pick`), on the y axis 0..`y_max`.
    #[allow(clippy::too_many_arguments)]
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        first: bool,
        unit: &str,
        pick: fn(&Bar) -> (&[f64; 3], Estimate),
        y_max: f64,
        x_labels: bool,
    ) -> DrawResult<DB> {
        let (x0, x1) = (
            f64::from(self.years[0]) - 0.5,
            f64::from(*self.years.last().expect("two years or more")) + 0.5,
        );
        let ticks: Vec<f64> = self.years.iter().map(|&y| f64::from(y)).collect();
        let caption = if unit == "FTE" {
            String::new()
        } else {
            panel.label.clone()
        };
        let mut builder = ChartBuilder::on(area);
        builder
            .margin_right(14)
            .margin_left(if first { 6 } else { 4 })
            .margin_top(6)
            .x_label_area_size(if x_labels { 30 } else { 8 })
            .y_label_area_size(if first { AXIS_W - 6 } else { 0 });
        if !caption.is_empty() {
            builder.caption(caption, label_style());
        }
        let mut chart = builder.build_cartesian_2d(Ticked::new(x0..x1, ticks), 0f64..y_max)?;
        let x_label = |x: &f64| {
            if x_labels {
                format!("{x:.0}")
            } else {
                String::new()
            }
        };
        let y_label = |y: &f64| if first { whole(*y) } else { String::new() };
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .bold_line_style(RGBColor(220, 220, 220))
            .y_labels(6)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .label_style(tick_style())
            .axis_desc_style(label_style());
        if first {
            mesh.y_desc(format!("{unit} on 31 December"));
        }
        mesh.draw()?;
        for bar in &panel.bars {
            let (parts, total) = pick(bar);
            let x = f64::from(bar.year);
            let mut base = 0.0;
            for (v, colour) in parts.iter().zip(SOURCE_COLOURS) {
                let rect = [(x - 0.36, base), (x + 0.36, base + v)];
                chart.draw_series([
                    Rectangle::new(rect, colour.filled()),
                    Rectangle::new(rect, RGBColor(60, 60, 60).stroke_width(1)),
                ])?;
                base += v;
            }
            // The interval as a number: at ±0.5% of the total, a whisker would be a dot.
            let label = |text: String, size: u32, at: f64| {
                Text::new(
                    text,
                    (x, at),
                    ("sans-serif", size)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
            };
            let above = total.mean + y_max * 0.012;
            chart.draw_series([label(whole(total.mean), 13, above)])?;
            if total.ci95.is_some() {
                let pm = format!("±{}", whole(total.half_width()));
                chart.draw_series([label(pm, 11, above + y_max * 0.045)])?;
            }
        }
        Ok(())
    }

    /// The sources' colours, and what the whiskers are.
    fn draw_legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut x = AXIS_W as i32;
        let y = 12;
        let names = [
            "stayed (listed at the start)",
            "trained (qualified trainees)",
            "hired (experienced)",
        ];
        for (name, colour) in names.iter().zip(SOURCE_COLOURS) {
            area.draw(&Rectangle::new([(x, y), (x + 18, y + 16)], colour.filled()))?;
            area.draw(&Rectangle::new(
                [(x, y), (x + 18, y + 16)],
                RGBColor(60, 60, 60).stroke_width(1),
            ))?;
            area.draw(&Text::new(name.to_string(), (x + 26, y), tick_style()))?;
            x += 50 + text_width(name, 14) as i32;
        }
        debug_assert_eq!(names.len(), SOURCES.len());
        let interval = if self.replications > 1 {
            format!(
                "above the bars: total ± half the 95% interval ({} replications)",
                self.replications
            )
        } else {
            "above the bars: total (one replication: no interval)".to_string()
        };
        area.draw(&Text::new(interval, (x + 10, y), tick_style()))?;
        if !self.key.is_empty() {
            let key = format!("panels: {}", self.key);
            area.draw(&Text::new(key, (AXIS_W as i32, y + 24), tick_style()))?;
        }
        Ok(())
    }
}

/// Lines of the below-minimum chart drawn at most (the table below it has every one).
const MAX_LINES: usize = 8;

struct Line {
    label: String,
    /// Its policy's colour (the same in every chart), dashed per variant in a sweep.
    look: LineLook,
    /// Per year of [`BelowMinimumChart::years`].
    points: Vec<Estimate>,
}

/// The share of mothers below the minimum per calendar year, one line per group.
pub struct BelowMinimumChart {
    title: String,
    caption: String,
    years: Vec<i32>,
    lines: Vec<Line>,
    /// What the values in the line labels are (sweeps), the legend's first row.
    key: String,
}

impl BelowMinimumChart {
    /// The chart, or `None` when yearly.csv is absent or has a single year.
    pub fn new(data: &RunData) -> Option<BelowMinimumChart> {
        if data.years.len() < 2 {
            return None;
        }
        let groups: Vec<usize> = (0..data.groups.len()).collect();
        let shown = &groups[..groups.len().min(MAX_LINES)];
        let lines: Vec<Line> = shown
            .iter()
            .zip(LineLook::of(data, shown))
            .map(|(&g, look)| Line {
                label: data.group_label(g),
                look,
                points: data
                    .years
                    .iter()
                    .map(|&y| data.year_estimate(g, y, YearRow::pct_below_minimum))
                    .collect(),
            })
            .collect();
        let left_out = groups.len().saturating_sub(MAX_LINES);
        let replications = lines[0].points[0].n;
        Some(BelowMinimumChart {
            title: format!("Mothers below the 24 h minimum per year: {}", data.name()),
            caption: format!(
                "All regions: mothers whose care ended in the year with less than the legal \
                 minimum, as a percentage of the mothers whose care ended in the year \
                 (yearly.csv). Dots are means over {replications} replication(s), whiskers the \
                 95% confidence interval of each replication's share (Student t; none with one \
                 replication); the lines are shifted a little sideways so the whiskers do not \
                 hide each other.{}",
                if left_out > 0 {
                    format!(" {left_out} more line(s) in the table below.")
                } else {
                    String::new()
                }
            ),
            years: data.years.clone(),
            lines,
            key: match data.variant_key() {
                k if k.is_empty() => k,
                k => format!("{k} policy"),
            },
        })
    }

    pub(super) fn meta(&self) -> Meta {
        Meta {
            name: "yearly-below-minimum",
            title: self.title.clone(),
            caption: self.caption.clone(),
            size: (1100, 640),
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title, title_style())?;
        let top = self
            .lines
            .iter()
            .flat_map(|l| &l.points)
            .map(|e| e.ci95.map_or(e.mean, |(_, hi)| hi))
            .fold(0.0, f64::max);
        // Room above the highest whisker for the legend in the upper left.
        let legend_rows = self.lines.len() + usize::from(!self.key.is_empty());
        let y_max = nice_ceiling(top * (1.1 + 0.04 * legend_rows.min(6) as f64));
        let (x0, x1) = (
            f64::from(self.years[0]) - 0.4,
            f64::from(*self.years.last().expect("two years or more")) + 0.4,
        );
        let ticks: Vec<f64> = self.years.iter().map(|&y| f64::from(y)).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_top(4)
            .x_label_area_size(52)
            .y_label_area_size(76)
            .build_cartesian_2d(Ticked::new(x0..x1, ticks), 0f64..y_max)?;
        let decimals = if y_max < 2.0 { 2 } else { 1 };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.decimals$}%"))
            .x_desc("calendar year (mothers whose care ended in it)")
            .y_desc("% of mothers below the minimum")
            .label_style(tick_style())
            .axis_desc_style(label_style())
            .draw()?;
        if !self.key.is_empty() {
            // A legend row without a mark: what the numbers in the labels below it are.
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), u32>>())?
                .label(self.key.as_str())
                .legend(|(x, y)| Circle::new((x, y), 0, WHITE.filled()));
        }
        let n = self.lines.len() as f64;
        for (i, line) in self.lines.iter().enumerate() {
            let look = line.look;
            let colour = look.colour;
            let shift = 0.05 * (i as f64 - (n - 1.0) / 2.0);
            let points: Vec<(f64, Estimate)> = self
                .years
                .iter()
                .zip(&line.points)
                .map(|(&y, &e)| (f64::from(y) + shift, e))
                .collect();
            let means = points.iter().map(|&(x, e)| (x, e.mean));
            let style = colour.stroke_width(2);
            match look.dash {
                None => chart.draw_series(LineSeries::new(means, style))?,
                Some((dash, gap)) => {
                    chart.draw_series(DashedLineSeries::new(means, dash, gap, style))?
                }
            }
            .label(line.label.as_str())
            .legend(move |p| look.legend(p));
            chart.draw_series(points.iter().filter_map(|&(x, e)| {
                e.ci95.map(|(lo, hi)| {
                    ErrorBar::new_vertical(x, lo.max(0.0), e.mean, hi, colour.stroke_width(2), 10)
                })
            }))?;
            chart.draw_series(
                points
                    .iter()
                    .map(|&(x, e)| Circle::new((x, e.mean), 5, colour.filled())),
            )?;
        }
        draw_legend(&mut chart)
    }
}
