//! The look every chart shares: text sizes, the legend, a policy's colour and line
//! (Okabe-Ito palette, dashes per variant), the time axis ticked at month starts, an axis with
//! ticks where given, and round tick numbers.

use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;

use super::{DrawResult, RunData};

/// Chart titles.
pub(super) fn title_style() -> TextStyle<'static> {
    ("sans-serif", 22).into_font().color(&BLACK)
}
/// Axis descriptions.
pub(super) fn label_style() -> TextStyle<'static> {
    ("sans-serif", 16).into_font().color(&BLACK)
}
/// Tick labels and legends.
pub(super) fn tick_style() -> TextStyle<'static> {
    ("sans-serif", 14).into_font().color(&BLACK)
}

/// The legend of a chart, the same in every chart: upper left, on a light box.
pub(super) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font(tick_style())
        .draw()
}

/// The Okabe-Ito colour-blind-safe palette.
pub(super) mod okabe_ito {
    use plotters::style::RGBColor;
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
}

/// The colour of a policy, the same in every chart.
pub(super) fn policy_colour(policy: &str) -> RGBColor {
    match policy {
        "minimum-first" => okabe_ito::GREEN,
        "proportional" => okabe_ito::ORANGE,
        "first-come-first-served" => okabe_ito::SKY_BLUE,
        "refuse-when-full" => okabe_ito::PURPLE,
        _ => okabe_ito::YELLOW,
    }
}

/// How a chart draws the line of one (variant, policy) group: in its policy's colour, the
/// same in every chart, and, where a sweep gives a policy several lines, dashed differently
/// per variant (solid for the first), so that colour always means policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LineLook {
    pub(super) colour: RGBColor,
    /// (dash, gap) in pixels; `None`: solid.
    pub(super) dash: Option<(u32, u32)>,
}

/// A legend mark: two pieces of line (one line when solid), in backend pixels.
type LegendMark<DB> = plotters::element::ComposedElement<
    (i32, i32),
    DB,
    PathElement<(i32, i32)>,
    PathElement<(i32, i32)>,
>;

/// Dash patterns of a policy's second, third, ... line.
const DASHES: [(u32, u32); 5] = [(10, 5), (3, 4), (14, 4), (6, 3), (2, 8)];

impl LineLook {
    /// The looks of the lines of `groups` (in the order drawn).
    pub(super) fn of(data: &RunData, groups: &[usize]) -> Vec<LineLook> {
        groups
            .iter()
            .enumerate()
            .map(|(i, &g)| {
                let policy = &data.groups[g].policy;
                let earlier = groups[..i]
                    .iter()
                    .filter(|&&e| data.groups[e].policy == *policy)
                    .count();
                LineLook {
                    colour: policy_colour(policy),
                    dash: earlier.checked_sub(1).map(|k| DASHES[k % DASHES.len()]),
                }
            })
            .collect()
    }

    /// The legend mark at `(x, y)`: 18 px of the line.
    pub(super) fn legend<DB: DrawingBackend>(self, (x, y): (i32, i32)) -> LegendMark<DB> {
        let style = self.colour.stroke_width(3);
        let (dash, gap) = self
            .dash
            .map_or((9, 0), |(d, g)| (d.min(8) as i32, g as i32));
        let second = (dash + gap).min(18);
        EmptyElement::at((x, y))
            + PathElement::new([(0, 0), (dash, 0)], style)
            + PathElement::new([(second, 0), ((second + dash).min(18), 0)], style)
    }
}

/// A time axis in days since the Monday of the first week, ticked at the first of each
/// month.
#[derive(Debug, Clone)]
pub(super) struct TimeAxis {
    first: NaiveDate,
    pub(super) days: f64,
}

impl TimeAxis {
    pub(super) fn new(weeks: &[NaiveDate]) -> Self {
        let first = weeks.first().copied().unwrap_or_default();
        TimeAxis {
            first,
            days: 7.0 * weeks.len() as f64,
        }
    }

    /// Days since the start of the first of each month inside the axis.
    pub(super) fn ticks(&self) -> Vec<f64> {
        let mut out = Vec::new();
        let mut month = NaiveDate::from_ymd_opt(self.first.year(), self.first.month(), 1)
            .expect("the first of a month exists");
        loop {
            let x = (month - self.first).num_days() as f64;
            if x > self.days {
                break;
            }
            if x >= 0.0 {
                out.push(x);
            }
            month = month
                .checked_add_months(chrono::Months::new(1))
                .expect("dates stay in range");
        }
        out
    }

    /// "Jan 2027" for January (and the first tick), else "Feb", "Mar", ...
    pub(super) fn label(&self, x: f64) -> String {
        let date = self.first + chrono::Days::new(x.round().max(0.0) as u64);
        let first_tick = self.ticks().first().is_some_and(|t| (t - x).abs() < 0.5);
        if date.month() == 1 || first_tick {
            date.format("%b %Y").to_string()
        } else {
            date.format("%b").to_string()
        }
    }
}

/// A linear f64 axis with ticks exactly where given (plotters' `WithKeyPoints` over f64 cannot
/// take a label formatter).
#[derive(Debug, Clone)]
pub(super) struct Ticked {
    range: std::ops::Range<f64>,
    ticks: Vec<f64>,
}

impl Ticked {
    pub(super) fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Self {
        Ticked { range, ticks }
    }
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span <= 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let t = (v - self.range.start) / span;
        limit.0 + ((limit.1 - limit.0) as f64 * t + 1e-3).floor() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

/// A tick value as a reader writes it: at most two decimals, no trailing zeros (`0.6`, not
/// `0.6000000000000001`; `2`, not `2.00`).
pub(super) fn tick_number(v: f64) -> String {
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A "nice" upper bound for an axis: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of
/// ten, at or above `x`.
pub(super) fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= x * (1.0 - 1e-9) {
            return m * p;
        }
    }
    10.0 * p
}

/// Ticks from 0 to at most `max` in a step of 1, 2, 2.5 or 5 times a power of ten, at most
/// six of them: where a chart places its tick labels itself, so that it knows them.
pub(super) fn nice_ticks(max: f64) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0];
    }
    let rough = max / 5.0;
    let p = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= rough * (1.0 - 1e-9))
        .unwrap_or(10.0 * p);
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|t| *t <= max * (1.0 + 1e-9))
        .collect()
}

/// The width in pixels of `text` at `size` px (DejaVu Sans averages about 0.6 em a glyph).
pub(super) fn text_width(text: &str, size: u32) -> u32 {
    (text.chars().count() as f64 * size as f64 * 0.6).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_numbers_are_written_as_a_reader_would() {
        assert_eq!(tick_number(0.6000000000000001), "0.6");
        assert_eq!(tick_number(2.0), "2");
        assert_eq!(tick_number(1.25), "1.25");
        assert_eq!(tick_number(-0.0001), "0");
        assert_eq!(tick_number(10.0), "10");
    }

    #[test]
    fn nice_ticks_stay_within_the_axis() {
        assert_eq!(nice_ticks(20.0), [0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(nice_ticks(100.0), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(1.2), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(15.0), [0.0, 5.0, 10.0, 15.0]);
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(3.2), 4.0);
        assert_eq!(nice_ceiling(12.5), 15.0);
        assert_eq!(nice_ceiling(20.0), 20.0);
        assert_eq!(nice_ceiling(0.21), 0.25);
    }

    #[test]
    fn time_axis_ticks_at_month_starts() {
        let first = NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
        let weeks: Vec<NaiveDate> = (0..53).map(|i| first + chrono::Days::new(7 * i)).collect();
        let axis = TimeAxis::new(&weeks);
        let ticks = axis.ticks();
        assert_eq!(ticks[0], 4.0); // 2027-01-01
        assert_eq!(ticks.len(), 13); // up to 2028-01-01
        assert_eq!(axis.label(4.0), "Jan 2027");
        assert_eq!(axis.label(ticks[6]), "Jul");
        assert_eq!(axis.label(ticks[12]), "Jan 2028");
    }
}
