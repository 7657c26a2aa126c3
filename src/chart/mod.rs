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
//! (rayon). A policy has one colour in every chart ([`policy_colour`], [`LineLook`]); that
//! and the rest of the look every chart shares (text sizes, legend, axes, ticks) are in
//! `style`. The DejaVu Sans font is compiled in (`assets/fonts/`, licence beside it), so
//! PNGs are identical on any machine, with or without fonts installed. [`report`] builds
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
mod style;
mod workforce;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use rayon::prelude::*;

pub use data::RunData;

use crate::output::{Layout, dir};

// The shared look, used here and by every chart's file through `super::`.
use style::{
    LineLook, Ticked, TimeAxis, draw_legend, label_style, nice_ceiling, nice_ticks, okabe_ito,
    policy_colour, text_width, tick_number, tick_style, title_style,
};

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
