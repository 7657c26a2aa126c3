//! The smaller commands as calls: [`merge`] (shards of a sweep into one output),
//! [`draw_charts`] / [`redraw_charts`] (charts of an output directory), [`validate`] (a
//! scenario and what it names), [`generate_national`] (the synthetic national dataset) and
//! [`forecast_snapshot`] (a forecast's example files from a simulated run).

use std::path::{Path, PathBuf};

use crate::output::{self, DirMode, OutputDir};
use crate::scenario::{self, LoadedScenario, Scenario};

use super::Error;

/// Combines the output directories of a sharded sweep (`Run::sweep(..).shard(i, n)`) into
/// `out`: the bytes one unsharded sweep writes, apart from run.json's timings. With
/// `replace`, an earlier kraamsim output in `out` is replaced. Charts are not drawn: call
/// [`draw_charts`] after (with `false`, it removes those of an earlier output there).
pub fn merge(dirs: &[PathBuf], out: &Path, replace: bool, charts: bool) -> Result<(), Error> {
    let mode = if replace {
        DirMode::Replace
    } else {
        DirMode::New
    };
    let target = super::open_dir(
        out,
        output::run_layout(super::chart_files(charts)),
        mode,
        "",
    )?;
    output::merge(dirs, &target, charts).map_err(|e| match e {
        output::MergeError::Input(m) => Error::input(m),
        output::MergeError::Output(e) => Error::from(e),
    })
}

/// Draws the charts and report.html of the complete output directory `dir` (with `draw`
/// false, removes those an earlier run left there); returns report.html's path when it drew.
pub fn draw_charts(dir: &Path, draw: bool) -> Result<Option<PathBuf>, Error> {
    let drawn = crate::chart::update(dir, draw).map_err(|e| super::chart_error(e, false))?;
    Ok(drawn.map(|d| d.report))
}

/// Redraws the charts of an output directory of `run`, `sweep`, `merge` or `forecast`
/// (`kraamsim chart DIR`), holding its lock while it draws; a directory that is not a
/// complete output is the caller's mistake.
pub fn redraw_charts(dir: &Path) -> Result<Option<PathBuf>, Error> {
    if !dir.is_dir() {
        return Err(Error::input(format!(
            "{}: no such directory (give an output directory of `run`, `sweep`, `merge` or `forecast`)",
            dir.display()
        )));
    }
    let _held = OutputDir::lock(dir, output::run_layout(super::chart_files(true)))?;
    let drawn = crate::chart::update(dir, true).map_err(|e| super::chart_error(e, true))?;
    Ok(drawn.map(|d| d.report))
}

/// What [`validate`] found in a valid scenario.
#[derive(Debug, Clone)]
pub struct Validated {
    pub regions: usize,
    pub providers: usize,
    /// Variants of its `[sweep]` (0 without one).
    pub sweep_variants: usize,
}

/// Checks beyond loading what `kraamsim validate` checks: every variant of a `[sweep]`
/// like a file of its own, and a `[forecast]` with an as-of date's bookings and roster.
pub fn validate(loaded: &LoadedScenario) -> Result<Validated, Error> {
    let variants = scenario::variants(loaded)?;
    let s = &loaded.scenario;
    if let Some(params) = &s.forecast
        && let Some(as_of) = params.as_of
    {
        crate::forecast::input::read_for(loaded, s, params, as_of).map_err(Error::input)?;
    }
    Ok(Validated {
        regions: s.regions.len(),
        providers: s.providers.len(),
        sweep_variants: if s.sweep.is_empty() {
            0
        } else {
            variants.len()
        },
    })
}

/// Generates the synthetic national dataset from `seed` and writes postcodes.csv,
/// providers.csv and carers.csv into `out` (absent or empty; with `replace`, an earlier
/// generated dataset there is replaced). Returns the postcodes and providers written.
pub fn generate_national(seed: u64, out: &Path, replace: bool) -> Result<(usize, usize), Error> {
    use crate::generate::national;
    let data = national::generate(seed);
    let files = national::files(&data);
    let layout = output::Layout::new(
        "dataset",
        output::dir::MANIFEST,
        files.iter().map(|(n, _)| n.to_string()).collect(),
    );
    let mode = if replace {
        DirMode::Replace
    } else {
        DirMode::New
    };
    let target = super::open_dir(out, layout, mode, "")?;
    output::dir::write_files(&target, &files)?;
    Ok((data.postcodes.len(), data.providers.len()))
}

/// The number of KSV regions of the synthetic national dataset ([`generate_national`]).
pub const NATIONAL_REGIONS: usize = crate::generate::national::REGIONS;

/// Writes the simulated state of `scenario`'s replication `replication` on its period's
/// start as a forecast's bookings.csv and roster.csv into `out` (`kraamsim
/// forecast-snapshot`): the example files of a forecast, made by the model itself.
pub fn forecast_snapshot(scenario: &Scenario, replication: u32, out: &Path) -> Result<(), Error> {
    let snap = crate::forecast::snapshot::snapshot(scenario, replication);
    crate::forecast::snapshot::write(out, &snap)?;
    Ok(())
}
