//! Capacity, demand and delivered hours over the reporting period: one point per ISO week,
//! summed over regions and averaged over replications, as hours per day; weeks partly
//! outside the reporting period are left out.
//!
//! Lines: demand (indicated hours spread over the mothers' days at home), the carers'
//! contract care hours (the supply), the hours they could really have worked within their
//! budgets and the working-time rules (`carer_hours_workable`: below the contract hours where
//! rest days, free weekends and the 36-hour week leave hours unusable), and delivered hours
//! per policy of the first variant; the
//! shortfall of the main policy (hours not delivered, counted in the week care ended) is
//! shaded below. Where demand rises above capacity in summer, delivered follows capacity and
//! the shortfall shows.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{RunData, WeekSums};
use super::{
    DrawResult, Meta, Ticked, TimeAxis, draw_legend, label_style, nice_ceiling, okabe_ito,
    policy_colour, tick_style, title_style,
};

struct Series {
    label: String,
    colour: RGBColor,
    width: u32,
    points: Vec<(f64, f64)>,
}

pub struct Capacity {
    title: String,
    axis: TimeAxis,
    lines: Vec<Series>,
    shortfall: Series,
    y_max: f64,
}

impl Capacity {
    pub fn new(data: &RunData) -> Capacity {
        let groups = data.first_variant_groups();
        let axis = TimeAxis::new(&data.weeks);
        let full_weeks = data
            .weeks
            .iter()
            .filter(|w| data.days_in_period(**w) == 7)
            .count();
        // Per day of the week inside the period, summed over regions, mean over replications.
        let per_day = |g: usize, f: fn(&WeekSums) -> f64| -> Vec<(f64, f64)> {
            data.weeks
                .iter()
                .enumerate()
                .filter_map(|(w, monday)| {
                    // Weeks partly outside the reporting period are left out: their edge
                    // days count differently per column (e.g. care delivered to mothers
                    // who gave birth in the warm-up), which shows as spikes.
                    let days = data.days_in_period(*monday);
                    if days < 7 && full_weeks > 0 {
                        return None;
                    }
                    let total: f64 = data.weekly[g]
                        .iter()
                        .map(|weeks| {
                            let s = &weeks[w];
                            if s.rows == 0 {
                                0.0
                            } else {
                                f(s) / s.rows as f64
                            }
                        })
                        .sum();
                    Some((7.0 * w as f64 + 3.5, total / f64::from(days.max(1))))
                })
                .collect()
        };
        let main = groups[0];
        let mut lines = vec![Series {
            label: "demand: indicated hours".to_string(),
            colour: okabe_ito::BLACK,
            width: 3,
            points: per_day(main, |s| s.demand_hours),
        }];
        let capacity = per_day(main, |s| s.contract_hours);
        if capacity.iter().any(|p| p.1 > 0.0) {
            lines.push(Series {
                label: "capacity: carers' contract care hours".to_string(),
                colour: okabe_ito::BLUE,
                width: 3,
                points: capacity,
            });
        }
        // What the carers could really have worked: their hours within budget and the
        // working-time rules (weekly.csv `carer_hours_workable`; outputs before it lack it).
        let workable = per_day(main, |s| s.workable_hours);
        if workable.iter().any(|p| p.1 > 0.0) {
            lines.push(Series {
                label: "could be worked: carers' hours within budget and rules".to_string(),
                // Grey: the policies' colours stay theirs alone.
                colour: RGBColor(110, 110, 110),
                width: 2,
                points: workable,
            });
        }
        for &g in &groups {
            let policy = &data.groups[g].policy;
            lines.push(Series {
                label: if groups.len() > 1 {
                    format!("delivered: {policy}")
                } else {
                    "delivered hours".to_string()
                },
                colour: policy_colour(policy),
                width: 2,
                points: per_day(g, |s| s.delivered_hours),
            });
        }
        let shortfall = Series {
            label: format!("shortfall ({})", data.groups[main].policy),
            colour: okabe_ito::VERMILLION,
            width: 1,
            points: per_day(main, |s| s.shortfall_hours),
        };
        let y_max = nice_ceiling(
            lines
                .iter()
                .chain([&shortfall])
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .fold(0.0, f64::max)
                * 1.3,
        );
        let reps = data.replications(main);
        let variant = data.first_variant_note();
        Capacity {
            title: format!(
                "Capacity, demand and delivered care per day: {}{variant}{}",
                data.name(),
                if reps > 1 {
                    format!(" (mean of {reps} replications)")
                } else {
                    String::new()
                }
            ),
            axis,
            lines,
            shortfall,
            y_max,
        }
    }

    pub(super) fn meta(&self) -> Meta {
        Meta {
            name: "capacity-demand",
            title: self.title.clone(),
            caption: "Hours of care per day, each ISO week's average over all regions: demand \
                      (the indicated hours of the mothers at home, and of those turned away at \
                      registration under refuse-when-full on the days their care would have had), \
                      capacity (the carers' \
                      contract care hours, lower in holiday weeks), hours delivered per policy, \
                      and the main policy's shortfall (shaded). A gap between demand and \
                      delivered is care that was indicated but not given."
                .to_string(),
            size: (1200, 620),
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title, title_style())?;
        let axis = &self.axis;
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_top(4)
            .x_label_area_size(52)
            .y_label_area_size(86)
            .build_cartesian_2d(Ticked::new(0f64..axis.days, axis.ticks()), 0f64..self.y_max)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_label_formatter(&|x| axis.label(*x))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("ISO week (labels at the first of each month)")
            .y_desc("hours per day (weekly mean)")
            .label_style(tick_style())
            .axis_desc_style(label_style())
            .draw()?;
        let s = &self.shortfall;
        chart
            .draw_series(AreaSeries::new(
                s.points.iter().copied(),
                0.0,
                s.colour.mix(0.45).filled(),
            ))?
            .label(s.label.as_str())
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 24, y + 6)], s.colour.mix(0.45).filled())
            });
        for line in &self.lines {
            let style = line.colour.stroke_width(line.width);
            chart
                .draw_series(LineSeries::new(line.points.iter().copied(), style))?
                .label(line.label.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
        }
        draw_legend(&mut chart)
    }
}
