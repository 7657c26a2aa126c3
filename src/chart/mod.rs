//! Charts and the HTML report of an output directory (`DESIGN.md` §5): `OUT/charts/*.png` and
//! `*.svg`, and `OUT/report.html`.
//!
//! Everything is drawn from the CSV files and run.json of a finished output ([`data`]), or
//! the CSV files and forecast.json of a forecast ([`forecast`]), never from simulator state,
//! so `kraamsim chart DIR` redraws an earlier, merged or forecast output exactly as it was
//! drawn. Each chart kind has its own file (`heatmap`, `capacity`, `comparison`,
//! `distribution`, `lorenz`, `workforce`, `forecast`) with one drawing function generic over
//! plotters' `DrawingBackend`, which [`draw_all`] runs twice, into a PNG buffer (through
//! `glyphs::Png`, which places text right) and an SVG string, for all charts in parallel
//! (rayon). A policy has one colour in every chart ([`policy_colour`], [`LineLook`]). The DejaVu Sans font is compiled in (`assets/fonts/`, licence beside it), so PNGs
//! are identical on any machine, with or without fonts installed. [`report`] builds
//! report.html with the PNGs inline.
//!
//! Writing goes through temporary names: the charts into a hidden temporary directory and
//! report.html into a temporary file in the output directory; only when everything is drawn
//! are they recorded in the directory's manifest (`output::dir`) and renamed into place one
//! by one, and then the charts of an earlier run that were not drawn again are removed. A
//! failure leaves no temporary file behind, and [`update`] removes charts and a report of an
//! earlier run that would no longer match the CSV files. Only kraamsim's own files are
//! replaced or removed: a file of the user's in `charts/` stays.

mod capacity;
mod comparison;
pub mod data;
mod distribution;
pub mod forecast;
mod glyphs;
mod heatmap;
mod lorenz;
pub mod report;
mod workforce;

use std::path::{Path, PathBuf};
use std::sync::Once;

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;
use plotters::style::FontStyle;
use rayon::prelude::*;

pub use data::RunData;

use crate::output::{Layout, dir};

/// Errors while drawing charts.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The directory is not a (complete) kraamsim output, or a file in it is malformed.
    #[error("{0}")]
    Input(String),
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file of the user's is where a chart would go: left alone, and the charts not drawn.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error("drawing chart `{chart}`: {message}")]
    Draw {
        chart: &'static str,
        message: String,
    },
}

/// The directory of the charts inside an output directory.
pub const CHARTS_DIR: &str = "charts";
/// The report inside an output directory.
pub const REPORT: &str = "report.html";

/// The stem of every chart file kraamsim draws (`Rendered::name`), in `charts/` as PNG and
/// SVG: the names an output directory's folder rule protects (`output::dir`).
pub const CHART_NAMES: [&str; 9] = [
    "gap-heatmap",
    "shortfall-heatmap",
    "capacity-demand",
    "policy-comparison",
    "delivered-distribution",
    "lorenz",
    "workforce",
    "yearly-below-minimum",
    "forecast",
];

/// Every path (relative to an output directory) that drawing charts may write or remove:
/// `charts/NAME.png` and `.svg` for [`CHART_NAMES`], and report.html.
pub fn files() -> Vec<String> {
    let mut files: Vec<String> = CHART_NAMES
        .iter()
        .flat_map(|n| ["png", "svg"].map(|ext| format!("{CHARTS_DIR}/{n}.{ext}")))
        .collect();
    files.push(REPORT.to_string());
    files
}

/// One chart, drawn as PNG and SVG.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// File stem in `charts/`.
    pub name: &'static str,
    pub title: String,
    /// What the chart shows, for the report.
    pub caption: String,
    pub size: (u32, u32),
    pub png: Vec<u8>,
    pub svg: String,
}

/// What [`draw_all`] wrote.
#[derive(Debug, Clone)]
pub struct Drawn {
    /// The chart files, in `charts/`.
    pub files: Vec<PathBuf>,
    pub report: PathBuf,
}

static FONT: Once = Once::new();

/// Registers the bundled DejaVu Sans as plotters' "sans-serif" (once per process).
fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .unwrap_or_else(|_| panic!("the bundled DejaVuSans.ttf is a valid font"));
    });
}

/// Draws every chart and report.html of the output directory `dir` (see the module doc).
pub fn draw_all(dir: &Path) -> Result<Drawn, ChartError> {
    if layout_of(dir).kind == "forecast" {
        return forecast::redraw(dir);
    }
    let data = data::read(dir)?;
    let rendered = render_all(&data)?;
    let html = report::html(&data, &rendered);
    write_all(dir, &rendered, &html)
}

/// Draws the charts of `data` in memory.
pub fn render_all(data: &RunData) -> Result<Vec<Rendered>, ChartError> {
    register_font();
    let figures = figures(data);
    // One figure per task, so that the threads run out of figures together (as in `run`).
    figures.par_iter().with_max_len(1).map(render).collect()
}

/// After a run: draws the charts and report (`draw`), or removes those of an earlier run in
/// `dir` that no longer match its CSV files (`!draw`). When drawing fails, stale charts are
/// removed too, and the error is returned.
pub fn update(dir: &Path, draw: bool) -> Result<Option<Drawn>, ChartError> {
    if !draw {
        remove(dir)?;
        return Ok(None);
    }
    match draw_all(dir) {
        Ok(drawn) => Ok(Some(drawn)),
        Err(e) => {
            let _ = remove(dir);
            Err(e)
        }
    }
}

/// Removes the charts and report.html that kraamsim wrote in an output directory, if there
/// (a file of the user's in `charts/` stays, and so does `charts/` then).
pub fn remove(dir: &Path) -> Result<(), ChartError> {
    let layout = layout_of(dir);
    dir::remove_owned(dir, &layout, &layout.files)?;
    Ok(())
}

/// The chart files of the output in `dir`, as a layout of its kind (run or forecast).
fn layout_of(dir: &Path) -> Layout {
    let (kind, marker) = match dir::Manifest::read(dir) {
        Ok(Some(m)) if m.kind == "forecast" => ("forecast", "forecast.json"),
        Ok(_) if dir.join("forecast.json").is_file() => ("forecast", "forecast.json"),
        _ => ("run", "run.json"),
    };
    Layout::new(kind, marker, files())
}

/// Writes the charts and the report through temporary names (see the module doc).
fn write_all(dir: &Path, rendered: &[Rendered], html: &str) -> Result<Drawn, ChartError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ChartError::Io { path, source }
    };
    let tmp = tempfile::Builder::new()
        .prefix(".charts.")
        .tempdir_in(dir)
        .map_err(io(dir))?;
    let mut files = Vec::new();
    for r in rendered {
        for (ext, bytes) in [("png", r.png.as_slice()), ("svg", r.svg.as_bytes())] {
            let name = format!("{}.{ext}", r.name);
            std::fs::write(tmp.path().join(&name), bytes).map_err(io(&dir.join(&name)))?;
            files.push(dir.join(CHARTS_DIR).join(name));
        }
    }
    let report_path = dir.join(REPORT);
    let mut report = tempfile::Builder::new()
        .prefix(".report.html.")
        .tempfile_in(dir)
        .map_err(io(&report_path))?;
    std::io::Write::write_all(report.as_file_mut(), html.as_bytes()).map_err(io(&report_path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |m| std::fs::Permissions::from_mode(m);
        std::fs::set_permissions(report.path(), mode(0o644)).map_err(io(&report_path))?;
    }
    // Everything is drawn: each file replaces only a file of ours (a file of the user's under
    // a chart's name was refused before the run; this is the last guard), recorded first.
    let layout = layout_of(dir);
    let owned = dir::owned(dir, &layout)?;
    let mut names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name())
        .map(|n| format!("{CHARTS_DIR}/{}", n.to_string_lossy()))
        .collect();
    names.push(REPORT.to_string());
    if let Some(theirs) = names
        .iter()
        .find(|n| !owned.contains(*n) && dir.join(n).symlink_metadata().is_ok())
    {
        return Err(ChartError::Refused(format!(
            "{} was not written by kraamsim; it is left alone, so the charts are not drawn: move it, then run `kraamsim chart {}`",
            dir.join(theirs).display(),
            dir.display()
        )));
    }
    let charts = dir.join(CHARTS_DIR);
    if !charts.is_dir() {
        std::fs::create_dir(&charts).map_err(io(&charts))?;
    }
    dir::record(dir, layout.kind, &names)?;
    for file in &files {
        let name = file.file_name().expect("a chart file has a name");
        std::fs::rename(tmp.path().join(name), file).map_err(io(file))?;
    }
    report.persist(&report_path).map_err(|e| ChartError::Io {
        path: report_path.clone(),
        source: e.error,
    })?;
    drop(tmp);
    // The charts of an earlier run that were not drawn this time.
    let stale: Vec<String> = layout
        .files
        .iter()
        .filter(|f| !names.contains(f))
        .cloned()
        .collect();
    dir::remove_owned(dir, &layout, &stale)?;
    Ok(Drawn {
        files,
        report: report_path,
    })
}

/// The charts of an output, in the order of the report.
enum Figure {
    Heatmap(heatmap::Heatmap),
    Capacity(capacity::Capacity),
    Comparison(comparison::Comparison),
    Distribution(distribution::DistributionChart),
    Lorenz(lorenz::Lorenz),
    Workforce(workforce::WorkforceChart),
    BelowMinimum(workforce::BelowMinimumChart),
    /// A forecast's only chart.
    Fan(forecast::FanChart),
}

fn figures(data: &RunData) -> Vec<Figure> {
    let mut figures = vec![
        Figure::Heatmap(heatmap::Heatmap::gap(data)),
        Figure::Heatmap(heatmap::Heatmap::shortfall(data)),
        Figure::Capacity(capacity::Capacity::new(data)),
        Figure::Comparison(comparison::Comparison::new(data)),
        Figure::Distribution(distribution::DistributionChart::new(data)),
    ];
    // Outputs from before the equity metrics have no lorenz.csv.
    figures.extend(lorenz::Lorenz::new(data).map(Figure::Lorenz));
    // Only outputs with several years in yearly.csv (the workforce one also needs a changing
    // workforce); the report puts them in its workforce section.
    figures.extend(workforce::WorkforceChart::new(data).map(Figure::Workforce));
    figures.extend(workforce::BelowMinimumChart::new(data).map(Figure::BelowMinimum));
    figures
}

/// What every chart kind provides.
struct Meta {
    name: &'static str,
    title: String,
    caption: String,
    size: (u32, u32),
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

impl Figure {
    fn meta(&self) -> Meta {
        match self {
            Figure::Heatmap(f) => f.meta(),
            Figure::Capacity(f) => f.meta(),
            Figure::Comparison(f) => f.meta(),
            Figure::Distribution(f) => f.meta(),
            Figure::Lorenz(f) => f.meta(),
            Figure::Workforce(f) => f.meta(),
            Figure::BelowMinimum(f) => f.meta(),
            Figure::Fan(f) => f.meta(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        match self {
            Figure::Heatmap(f) => f.draw(root),
            Figure::Capacity(f) => f.draw(root),
            Figure::Comparison(f) => f.draw(root),
            Figure::Distribution(f) => f.draw(root),
            Figure::Lorenz(f) => f.draw(root),
            Figure::Workforce(f) => f.draw(root),
            Figure::BelowMinimum(f) => f.draw(root),
            Figure::Fan(f) => f.draw(root),
        }?;
        root.present()
    }
}

fn render(figure: &Figure) -> Result<Rendered, ChartError> {
    let meta = figure.meta();
    let (w, h) = meta.size;
    let failed = |message: String| ChartError::Draw {
        chart: meta.name,
        message,
    };
    // PNG and SVG side by side: the two heatmaps take a third of the drawing, and as whole
    // jobs they would leave one thread idle at the end.
    let (png, svg) = rayon::join(
        || {
            let mut pixels = vec![255u8; w as usize * h as usize * 3];
            {
                let root = glyphs::Png(BitMapBackend::with_buffer(&mut pixels, (w, h)))
                    .into_drawing_area();
                figure.draw(&root).map_err(|e| failed(e.to_string()))?;
            }
            encode_png(&pixels, w, h).map_err(|e| failed(e.to_string()))
        },
        || {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                figure.draw(&root).map_err(|e| failed(e.to_string()))?;
            }
            Ok::<_, ChartError>(svg)
        },
    );
    let (png, svg) = (png?, svg?);
    Ok(Rendered {
        name: meta.name,
        title: meta.title,
        caption: meta.caption,
        size: meta.size,
        png,
        svg,
    })
}

/// An RGB buffer as PNG bytes.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Speed first, size still modest. National's shortfall heatmap (1325x1210): Fast with
        // Paeth 196 kB in 1.7 ms; Default (Sub filter) 151 kB in 36 ms; Default unfiltered
        // 122 kB in 17 ms; Fast with Sub 530 kB.
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::FilterType::Paeth);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Shared style: text sizes, the Okabe-Ito palette, the time axis.

/// Chart titles.
fn title_style() -> TextStyle<'static> {
    ("sans-serif", 22).into_font().color(&BLACK)
}
/// Axis descriptions.
fn label_style() -> TextStyle<'static> {
    ("sans-serif", 16).into_font().color(&BLACK)
}
/// Tick labels and legends.
fn tick_style() -> TextStyle<'static> {
    ("sans-serif", 14).into_font().color(&BLACK)
}

/// The legend of a chart, the same in every chart: upper left, on a light box.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
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
mod okabe_ito {
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
fn policy_colour(policy: &str) -> RGBColor {
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
struct LineLook {
    colour: RGBColor,
    /// (dash, gap) in pixels; `None`: solid.
    dash: Option<(u32, u32)>,
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
    fn of(data: &RunData, groups: &[usize]) -> Vec<LineLook> {
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
    fn legend<DB: DrawingBackend>(self, (x, y): (i32, i32)) -> LegendMark<DB> {
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
struct TimeAxis {
    first: NaiveDate,
    days: f64,
}

impl TimeAxis {
    fn new(weeks: &[NaiveDate]) -> Self {
        let first = weeks.first().copied().unwrap_or_default();
        TimeAxis {
            first,
            days: 7.0 * weeks.len() as f64,
        }
    }

    /// Days since the start of the first of each month inside the axis.
    fn ticks(&self) -> Vec<f64> {
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
    fn label(&self, x: f64) -> String {
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
struct Ticked {
    range: std::ops::Range<f64>,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Self {
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
fn tick_number(v: f64) -> String {
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
fn nice_ceiling(x: f64) -> f64 {
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
fn nice_ticks(max: f64) -> Vec<f64> {
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
fn text_width(text: &str, size: u32) -> u32 {
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
