//! A forecast directory's fan chart (`charts/forecast.png`, `.svg`) and report.html: per ISO
//! week of the forecast, the P10-P90 band and the P50 line of (1) demand and available carer
//! hours, (2) shortfall hours and (3) mothers below the minimum, summed over the forecast's
//! regions; the report adds the known state, what would help per week, the weeks at risk and
//! birth assistance. Values are per week (a ragged first or last week has fewer days, which
//! its label says).
//!
//! Both are drawn from the forecast's files only ([`ForecastData::read`]: forecast.csv,
//! forecast-weeks.csv, forecast-postcodes.csv and forecast.json's fields), never from the
//! bands in memory: `kraamsim forecast` calls [`draw`] after writing its CSV files, and
//! `kraamsim chart DIR` calls it with the forecast.json it reads, so the two draw the same
//! bytes. The drawing and the all-or-nothing writing are those of every other chart
//! ([`super::render`], [`super::write_all`]).

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{Table, bad};
use super::report::{base64, escape};
use super::{
    ChartError, DrawResult, Drawn, Figure, Meta, Rendered, label_style, nice_ceiling, okabe_ito,
    tick_style, title_style,
};
use crate::forecast::bands::{ALL, Band};
use crate::forecast::write::{
    self, FORECAST_COLUMNS, FORECAST_CSV, FORECAST_JSON, KnownCount, NO_WEEK_AT_RISK, POSTCODES_CSV, PostcodeWeek,
    Risk, WEEKS_COLUMNS, WEEKS_CSV, WeekRow, is_top, mothers,
};

const SIZE: (u32, u32) = (1100, 1000);

/// The metrics of forecast.csv the fan chart shows, in its order.
const FAN_METRICS: [&str; 4] = [
    "demand_hours",
    "carer_contract_hours",
    "shortfall_hours",
    "mothers_below_minimum",
];

/// What a forecast directory holds, as the chart and the report need it.
pub struct ForecastData {
    /// forecast.json's fields (read tolerantly: a missing one shows as "—").
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The forecast's ISO weeks: Monday and days inside the window.
    pub weeks: Vec<(NaiveDate, u32)>,
    /// Per [`FAN_METRICS`], per week: the band of all regions.
    pub fan: [Vec<Band>; 4],
    /// forecast-weeks.csv.
    pub rows: Vec<WeekRow>,
    /// forecast-postcodes.csv.
    pub postcodes: Vec<PostcodeWeek>,
}

impl ForecastData {
    /// Reads the forecast in `dir`, with `fields` from its forecast.json (or, while the
    /// forecast is being written, those it will write).
    pub fn read(
        dir: &Path,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<ForecastData, ChartError> {
        let mut data = ForecastData {
            fields,
            weeks: Vec::new(),
            fan: Default::default(),
            rows: Vec::new(),
            postcodes: Vec::new(),
        };
        data.read_bands(dir)?;
        data.read_weeks(dir)?;
        data.read_postcodes(dir)?;
        Ok(data)
    }

    /// The week bands of all regions (region and provider `ALL`) from forecast.csv.
    fn read_bands(&mut self, dir: &Path) -> Result<(), ChartError> {
        let mut t = Table::open(dir, FORECAST_CSV, &FORECAST_COLUMNS, &[])?;
        let mut rec = csv::StringRecord::new();
        while t.next(&mut rec)? {
            let is = |i: usize, text: &str| t.text(&rec, i) == Some(text);
            if !(is(0, "week") && is(3, ALL) && is(4, ALL)) {
                continue;
            }
            let Some(m) = FAN_METRICS.iter().position(|m| is(5, m)) else {
                continue;
            };
            let band = Band {
                p10: t.number(&rec, 6)?,
                p50: t.number(&rec, 7)?,
                p90: t.number(&rec, 8)?,
                mean: t.number(&rec, 9)?,
            };
            if m == 0 {
                self.weeks.push((date(&t, &rec, 1)?, t.whole(&rec, 2)?));
            }
            self.fan[m].push(band);
        }
        if self.fan.iter().any(|f| f.len() != self.weeks.len()) || self.weeks.is_empty() {
            return Err(bad(
                &dir.join(FORECAST_CSV),
                "no complete set of week rows of all regions (region and provider ALL)",
            ));
        }
        Ok(())
    }

    fn read_weeks(&mut self, dir: &Path) -> Result<(), ChartError> {
        let mut t = Table::open(dir, WEEKS_CSV, &WEEKS_COLUMNS, &[])?;
        let c = |name: &str| t.col(name);
        let (week_start, days, region, provider, risk_col) = (
            c("week_start"),
            c("days"),
            c("region"),
            c("provider"),
            c("risk"),
        );
        let numbers = [
            "below_minimum_p50",
            "below_minimum_p90",
            "demand_hours_p50",
            "carer_contract_hours_p50",
            "hours_to_guaranteed_p50",
            "hours_to_guaranteed_p90",
            "hours_to_full_p50",
            "hours_to_full_p90",
            "carer_weeks_to_guaranteed_p90",
            "carer_weeks_to_full_p90",
            "holiday_carer_weeks",
            "birth_assists_requested_p50",
            "birth_assists_missed_p50",
            "birth_assists_missed_p90",
        ]
        .map(c);
        let (why, part, part_share) = (
            c("why"),
            c("worst_day_part"),
            c("worst_day_part_missed_share"),
        );
        let mut rec = csv::StringRecord::new();
        while t.next(&mut rec)? {
            let text = |i: usize| t.text(&rec, i).unwrap_or("").to_string();
            let risk = Risk::parse(&text(risk_col)).ok_or_else(|| {
                bad(
                    &dir.join(WEEKS_CSV),
                    format!(
                        "line {}: risk `{}` is not no, possible or likely",
                        rec.position().map_or(0, |p| p.line()),
                        text(risk_col)
                    ),
                )
            })?;
            let share = if text(part_share).is_empty() {
                0.0
            } else {
                t.number(&rec, part_share)?
            };
            self.rows.push(WeekRow {
                week_start: date(&t, &rec, week_start)?,
                days: t.whole(&rec, days)?,
                region: text(region),
                provider: text(provider),
                risk,
                below_minimum_p50: t.number(&rec, numbers[0])?,
                below_minimum_p90: t.number(&rec, numbers[1])?,
                demand_p50: t.number(&rec, numbers[2])?,
                available_p50: t.number(&rec, numbers[3])?,
                to_guaranteed_p50: t.number(&rec, numbers[4])?,
                to_guaranteed_p90: t.number(&rec, numbers[5])?,
                to_full_p50: t.number(&rec, numbers[6])?,
                to_full_p90: t.number(&rec, numbers[7])?,
                carer_weeks_guaranteed_p90: t.number(&rec, numbers[8])?,
                carer_weeks_full_p90: t.number(&rec, numbers[9])?,
                holiday_carer_weeks: t.number(&rec, numbers[10])?,
                why: text(why),
                assists_requested_p50: t.number(&rec, numbers[11])?,
                assists_missed_p50: t.number(&rec, numbers[12])?,
                assists_missed_p90: t.number(&rec, numbers[13])?,
                worst_part: write::worst_part_text(&text(part), share),
            });
        }
        Ok(())
    }

    fn read_postcodes(&mut self, dir: &Path) -> Result<(), ChartError> {
        let mut t = Table::open(
            dir,
            POSTCODES_CSV,
            &[
                "week_start",
                "postcode",
                "below_minimum_p90",
                "below_minimum_mean",
            ],
            &[],
        )?;
        let mut rec = csv::StringRecord::new();
        while t.next(&mut rec)? {
            self.postcodes.push(PostcodeWeek {
                week_start: date(&t, &rec, 0)?,
                postcode: t.text(&rec, 1).unwrap_or("").to_string(),
                below_minimum_p90: t.number(&rec, 2)?,
                below_minimum_mean: t.number(&rec, 3)?,
            });
        }
        Ok(())
    }

    /// A text field of forecast.json, or "—" when it is missing.
    fn field(&self, key: &str) -> String {
        match self.fields.get(key) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => "—".to_string(),
        }
    }

    /// The known state per region (forecast.json's `known`; empty in forecasts from before
    /// it was recorded).
    fn known(&self) -> Vec<KnownCount> {
        self.fields
            .get("known")
            .and_then(|k| serde_json::from_value(k.clone()).ok())
            .unwrap_or_default()
    }

    /// Whether the forecast covers several regions (its summary rows are those of `ALL`).
    fn several_regions(&self) -> bool {
        let mut regions = self.rows.iter().map(|r| &r.region).filter(|r| *r != ALL);
        let first = regions.next();
        regions.any(|r| Some(r) != first)
    }
}

/// The date in column `i` (YYYY-MM-DD).
fn date(t: &Table, rec: &csv::StringRecord, i: usize) -> Result<NaiveDate, ChartError> {
    let text = t.text(rec, i).unwrap_or("");
    text.parse()
        .map_err(|_| t.error_at(rec, i, format!("`{text}` is not a date (YYYY-MM-DD)")))
}

/// Draws the fan chart and report.html of the forecast in `dir` (`fields`: forecast.json's)
/// and writes them, all or nothing.
pub fn draw(
    dir: &Path,
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<Drawn, ChartError> {
    let data = ForecastData::read(dir, fields)?;
    super::register_font();
    let rendered = super::render(&Figure::Fan(FanChart::new(&data)))?;
    let html = report_html(&data, Some(&rendered));
    super::write_all(dir, std::slice::from_ref(&rendered), &html)
}

/// Redraws the forecast in `dir` from its files (`kraamsim chart DIR`).
pub fn redraw(dir: &Path) -> Result<Drawn, ChartError> {
    let path = dir.join(FORECAST_JSON);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        bad(
            &path,
            format!("cannot read ({e}); a forecast is complete once forecast.json is written"),
        )
    })?;
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Object(fields)) => draw(dir, fields),
        Ok(_) => Err(bad(&path, "not a JSON object")),
        Err(e) => Err(bad(&path, format!("not valid JSON: {e}"))),
    }
}

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
    pub fn new(data: &ForecastData) -> Self {
        let labels = data
            .weeks
            .iter()
            .map(|(start, days)| {
                let mut l = start.format("%d %b").to_string();
                if *days < 7 {
                    l.push_str(&format!(" ({days}d)"));
                }
                l
            })
            .collect();
        let [demand, available, shortfall, below] = data.fan.clone();
        FanChart {
            title: format!(
                "Forecast from {} — P10–P90 band and P50 over {} replications",
                data.field("as_of"),
                data.field("replications")
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
                            bands: demand,
                        },
                        Line {
                            label: "carer hours available (contracts of carers at work)",
                            colour: okabe_ito::BLUE,
                            bands: available,
                        },
                    ],
                },
                Panel {
                    title: "Shortfall: indicated hours not delivered (week care ended)",
                    unit: "hours per week",
                    lines: vec![Line {
                        label: "shortfall hours",
                        colour: okabe_ito::VERMILLION,
                        bands: shortfall,
                    }],
                },
                Panel {
                    title: "Mothers below the legal minimum (week care ended)",
                    unit: "mothers per week",
                    lines: vec![Line {
                        label: "mothers below minimum",
                        colour: okabe_ito::PURPLE,
                        bands: below,
                    }],
                },
            ],
        }
    }

    pub(super) fn meta(&self) -> Meta {
        Meta {
            name: "forecast",
            title: "Forecast bands".to_string(),
            caption: "Per week, summed over the regions: the shaded band holds 8 in 10 \
                      simulated futures (P10 to P90), the line is the median (P50)."
                .to_string(),
            size: SIZE,
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
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
        Ok(())
    }
}

/// report.html of a forecast: the known state, the fan chart, what would help per week, the
/// weeks at risk (the terminal's lines) and birth assistance.
pub fn report_html(data: &ForecastData, chart: Option<&Rendered>) -> String {
    let mut h = String::new();
    let name = escape(&data.field("scenario_name"));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>kraamsim forecast: {name}</title>\n<style>\
         body{{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}}\
         table{{border-collapse:collapse;font-size:14px}}td,th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}\
         td:first-child,th:first-child,td.l{{text-align:left}}tr.likely{{background:#fde0d0}}tr.possible{{background:#fff4cc}}\
         img{{max-width:100%;height:auto}}</style>\n</head>\n<body>\n\
         <h1>kraamsim forecast: {name}</h1>\n<p>From {} for {} weeks; {} replications of the future; policy {}, scope {}; seed {}.</p>\n<ul>\n",
        escape(&data.field("as_of")),
        escape(&data.field("weeks")),
        escape(&data.field("replications")),
        escape(&data.field("policy")),
        escape(&data.field("scope")),
        escape(&data.field("seed")),
    );
    for k in data.known() {
        let _ = writeln!(
            h,
            "<li>{}: {} mothers booked ({} in care on the as-of date), {} carers on the roster</li>",
            escape(&k.region),
            k.bookings,
            k.in_care,
            k.carers
        );
    }
    h.push_str("</ul>\n");
    if let Some(c) = chart {
        let _ = writeln!(
            h,
            "<figure id=\"{}\"><img src=\"data:image/png;base64,{}\" width=\"{}\" height=\"{}\" alt=\"{}\">\
             <figcaption>{}</figcaption></figure>",
            c.name,
            base64(&c.png),
            c.size.0,
            c.size.1,
            escape(&c.title),
            escape(&c.caption)
        );
    }
    h.push_str(
        "<h2>What helps, per week</h2>\n<p>Hours that would bring every mother whose care ends \
         that week to her minimum and medical hours, and to her full indication (P50 / P90 \
         of the futures); carer-weeks: those hours in weeks of a roster carer's care hours, \
         the holiday to shift out of the week to cover them.</p>\n<table>\n<tr><th>week</th>\
         <th>region</th><th>provider</th><th>risk</th><th>below minimum P50/P90</th>\
         <th>demand P50 h</th><th>available P50 h</th><th>to minimum+medical h</th>\
         <th>to full h</th><th>carer-weeks P90 (min / full)</th><th>holiday carer-weeks</th></tr>\n",
    );
    // The summary rows first, then every region's and provider's.
    let single = !data.several_regions();
    let top: Vec<&WeekRow> = data.rows.iter().filter(|a| is_top(a, single)).collect();
    let rest = data
        .rows
        .iter()
        .filter(|a| !is_top(a, single) && a.region != ALL);
    for a in top.iter().copied().chain(rest) {
        let _ = writeln!(
            h,
            "<tr class=\"{}\"><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>\
             <td>{} / {}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0} / {:.0}</td><td>{:.0} / {:.0}</td>\
             <td>{:.1} / {:.1}</td><td>{:.1}</td></tr>",
            a.risk.as_str(),
            a.week_start,
            escape(&a.region),
            escape(&a.provider),
            a.risk.as_str(),
            mothers(a.below_minimum_p50),
            mothers(a.below_minimum_p90),
            a.demand_p50,
            a.available_p50,
            a.to_guaranteed_p50,
            a.to_guaranteed_p90,
            a.to_full_p50,
            a.to_full_p90,
            a.carer_weeks_guaranteed_p90,
            a.carer_weeks_full_p90,
            a.holiday_carer_weeks
        );
    }
    h.push_str("</table>\n");
    // What the terminal says after the table, the same words: the report is what a
    // coordinator mails on.
    h.push_str("<h2>Weeks at risk</h2>\n");
    let at_risk = write::weeks_at_risk(&data.rows, &data.postcodes, !single);
    if at_risk.is_empty() {
        let _ = writeln!(h, "<p>{NO_WEEK_AT_RISK}</p>");
    } else {
        h.push_str("<ul>\n");
        for line in at_risk {
            let _ = writeln!(h, "<li>{}</li>", escape(&line));
        }
        h.push_str("</ul>\n");
    }
    h.push_str(
        "<h2>Birth assistance, per week</h2>\n<p>All day parts; requests and missed requests \
         are P50 / P90 of the futures; the worst day part is the one with the largest share \
         missed.</p>\n<table>\n<tr><th>week</th><th>days</th><th>requests P50</th>\
         <th>missed P50 / P90</th><th>worst day part</th></tr>\n",
    );
    for a in &top {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{:.0}</td><td>{} / {}</td><td class=\"l\">{}</td></tr>",
            a.week_start,
            a.days,
            a.assists_requested_p50,
            mothers(a.assists_missed_p50),
            mothers(a.assists_missed_p90),
            escape(&a.worst_part)
        );
    }
    let _ = write!(
        h,
        "</table>\n<footer><p>Written by kraamsim {} (forecast.csv, forecast-weeks.csv, \
         forecast.json in this directory; the chart as PNG and SVG in <code>charts/</code>). \
         Charts use the DejaVu Sans font (DejaVu fonts licence, bundled with kraamsim).</p></footer>\n\
         </body>\n</html>\n",
        escape(&data.field("kraamsim_version"))
    );
    h
}
