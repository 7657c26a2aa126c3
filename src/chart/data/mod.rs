//! Reading an output directory back for the charts: run.json, summary.csv, weekly.csv,
//! yearly.csv (its `ALL` rows), variants.csv (sweeps) and mothers.csv (when written) into
//! plain aggregated structs.
//!
//! Columns are found by their header name (outputs may gain columns, never rename them), and
//! every problem names the file, and the line and column where there is one, so that
//! `kraamsim chart DIR` on a foreign or damaged directory says what is wrong instead of
//! drawing nonsense. Rows are aggregated while they are read: weekly.csv and mothers.csv of a
//! long national run do not have to fit in memory as rows.
//!
//! [`RunData`] and [`read`] are here; the records it holds are in `records`, the CSV reader
//! by header name in `table`, and one file per kind of input: `meta` (run.json, the
//! scenario, variants.csv), `summary` (summary.csv, lorenz.csv, mothers.csv) and `weekly`
//! (weekly.csv, yearly.csv).

mod meta;
mod records;
mod summary;
mod table;
mod weekly;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::ChartError;
use crate::output::{ALL, Estimate, estimate};
use crate::scenario::Scenario;

pub use records::{
    Assist, BANDS, Distribution, DistributionSource, Equity, Group, Metric, SOURCES,
    SummaryRow, Tiers, Totals, VariantParams, WeekSums, YearRow, band_of, year_estimate,
};
pub(super) use table::{Table, bad};

use meta::{read_meta, read_variants, scenario_at_hand};
use summary::{read_lorenz, read_mothers, read_summary};
use weekly::{read_weekly, read_yearly};

/// Everything the charts and the report use from an output directory.
#[derive(Debug, Clone)]
pub struct RunData {
    pub dir: PathBuf,
    /// run.json as written.
    pub meta: serde_json::Map<String, serde_json::Value>,
    pub groups: Vec<Group>,
    /// Regions in the order of summary.csv (the scenario's), without `ALL`.
    pub regions: Vec<String>,
    pub summary: Vec<SummaryRow>,
    /// Monday of every week in weekly.csv, ascending.
    pub weeks: Vec<NaiveDate>,
    /// `weekly[group][region][week]`, summed over replications.
    pub weekly: Vec<Vec<Vec<WeekSums>>>,
    /// variants.csv: (variant id, [(field path, value)]); empty unless a sweep.
    pub variants: Vec<VariantParams>,
    pub distribution: Distribution,
    /// Whether summary.csv has the equity columns.
    pub has_equity: bool,
    /// Whether summary.csv has the birth-assistance-per-day-part and continuity columns.
    pub has_assist: bool,
    /// summary.csv has the carers distribution and the third-carer reasons.
    pub has_continuity: bool,
    /// Whether summary.csv has the per-tier columns.
    pub has_tiers: bool,
    /// lorenz.csv: per group, the Lorenz curve of delivered / indicated hours over all
    /// regions as (cumulative share of mothers, cumulative share of the ratio sum), both
    /// 0-1, from (0, 0); empty when the file is absent.
    pub lorenz: Vec<Vec<(f64, f64)>>,
    /// yearly.csv, rows of region `ALL` only; empty when the file is absent (outputs from
    /// before the multi-year model).
    pub yearly: Vec<YearRow>,
    /// The calendar years of `yearly`, ascending.
    pub years: Vec<i32>,
    /// Whether yearly.csv has the FTE by source (`carer_fte_from_*`).
    pub has_fte_by_source: bool,
    /// The scenario as written, when its file is at hand and unchanged since the run
    /// ([`meta::scenario_at_hand`]).
    pub scenario: Option<Scenario>,
}

impl RunData {
    /// A text field of run.json, or "".
    pub fn meta_str(&self, key: &str) -> &str {
        self.meta.get(key).and_then(|v| v.as_str()).unwrap_or("")
    }

    /// A date field of run.json.
    pub fn meta_date(&self, key: &str) -> Option<NaiveDate> {
        self.meta_str(key).parse().ok()
    }

    /// The scenario's name (run.json), or the directory's name.
    pub fn name(&self) -> String {
        match self.meta_str("scenario_name") {
            "" => self
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            name => name.to_string(),
        }
    }

    /// Replications of a group (summary rows of region ALL).
    pub fn replications(&self, group: usize) -> usize {
        self.summary
            .iter()
            .filter(|r| r.group == group && r.region.is_none())
            .count()
    }

    /// The estimate over replications of `f` of a group's totals for a region (`None`: ALL).
    pub fn estimate(
        &self,
        group: usize,
        region: Option<usize>,
        f: impl Fn(&Totals) -> f64,
    ) -> Estimate {
        let values: Vec<f64> = self
            .summary
            .iter()
            .filter(|r| r.group == group && r.region == region)
            .map(|r| f(&r.totals))
            .collect();
        estimate(&values)
    }

    /// Whether the rows come from more than one variant (a sweep).
    pub fn has_variants(&self) -> bool {
        self.groups
            .iter()
            .any(|g| g.variant != self.groups[0].variant)
    }

    /// ", variant v000" for the titles of charts that show only the first variant of a
    /// sweep; empty otherwise.
    pub fn first_variant_note(&self) -> String {
        if self.has_variants() {
            format!(", variant {}", self.groups[0].variant)
        } else {
            String::new()
        }
    }

    /// A short label of a group: the policy, with the variant and what it sets for sweeps.
    pub fn group_label(&self, group: usize) -> String {
        let g = &self.groups[group];
        if !self.has_variants() {
            return g.policy.clone();
        }
        match self.variants.iter().find(|(id, _)| *id == g.variant) {
            Some((_, params)) if !params.is_empty() => {
                let values: Vec<&str> = params.iter().map(|(_, v)| v.as_str()).collect();
                format!("{} ({}) {}", g.variant, values.join(", "), g.policy)
            }
            _ => format!("{} {}", g.variant, g.policy),
        }
    }

    /// The groups of the first variant (its policies).
    pub fn first_variant_groups(&self) -> Vec<usize> {
        (0..self.groups.len())
            .filter(|&g| self.groups[g].variant == self.groups[0].variant)
            .collect()
    }

    /// The first group of each variant, in order: the workforce is the same under every
    /// policy of a variant (it is planned before any policy runs), so one group stands for it.
    pub fn variant_groups(&self) -> Vec<usize> {
        (0..self.groups.len())
            .filter(|&g| {
                !self.groups[..g]
                    .iter()
                    .any(|o| o.variant == self.groups[g].variant)
            })
            .collect()
    }

    /// What the values in a variant's label are: "variant (a_trainees_per_fte,
    /// every_provider)", the last part of each swept field path in variants.csv's order, for
    /// the key of a chart whose labels are [`RunData::variant_label`]s. Empty outside a sweep.
    pub fn variant_key(&self) -> String {
        match self.variants.first() {
            Some((_, params)) if !params.is_empty() && self.has_variants() => {
                let names: Vec<&str> = params
                    .iter()
                    .map(|(path, _)| path.rsplit('.').next().unwrap_or(path))
                    .collect();
                format!("variant ({})", names.join(", "))
            }
            _ => String::new(),
        }
    }

    /// A short label of a variant: its id and what it sets (empty outside a sweep).
    pub fn variant_label(&self, group: usize) -> String {
        let id = &self.groups[group].variant;
        if !self.has_variants() {
            return String::new();
        }
        match self.variants.iter().find(|(v, _)| v == id) {
            Some((_, params)) if !params.is_empty() => {
                let values: Vec<&str> = params.iter().map(|(_, v)| v.as_str()).collect();
                format!("{id} ({})", values.join(", "))
            }
            _ => id.clone(),
        }
    }

    /// The estimate over replications of `f` of a group's `ALL` row of `year` in yearly.csv.
    pub fn year_estimate(&self, group: usize, year: i32, f: impl Fn(&YearRow) -> f64) -> Estimate {
        year_estimate(&self.yearly, group, year, f)
    }

    /// Whether yearly.csv shows the workforce changing: anyone joining or leaving, or in
    /// training, in any year. A run with a fixed workforce has nothing to chart by source.
    pub fn workforce_changes(&self) -> bool {
        self.yearly.iter().any(|r| r.turnover > 0.0)
    }

    /// The days of the week starting `monday` inside the reporting period (7 when run.json
    /// does not give the period).
    pub fn days_in_period(&self, monday: NaiveDate) -> u32 {
        let (Some(start), Some(end)) =
            (self.meta_date("report_start"), self.meta_date("report_end"))
        else {
            return 7;
        };
        (0..7)
            .map(|d| monday + chrono::Days::new(d))
            .filter(|day| *day >= start && *day <= end)
            .count() as u32
    }
}

impl RunData {
    /// Nothing read yet but run.json (`meta`).
    pub(super) fn empty(dir: &Path, meta: serde_json::Map<String, serde_json::Value>) -> RunData {
        RunData {
            dir: dir.to_path_buf(),
            meta,
            groups: Vec::new(),
            regions: Vec::new(),
            summary: Vec::new(),
            weeks: Vec::new(),
            weekly: Vec::new(),
            variants: Vec::new(),
            distribution: Distribution {
                source: DistributionSource::RegionWeeks,
                counts: Vec::new(),
            },
            has_equity: false,
            lorenz: Vec::new(),
            yearly: Vec::new(),
            years: Vec::new(),
            has_fte_by_source: false,
            has_assist: false,
            has_continuity: false,
            has_tiers: false,
            scenario: None,
        }
    }
}

/// Reads the output directory `dir`.
pub fn read(dir: &Path) -> Result<RunData, ChartError> {
    let meta = read_meta(dir)?;
    let mut data = RunData::empty(dir, meta);
    data.scenario = scenario_at_hand(&data.meta);
    let mut interner = Interner::default();
    read_summary(dir, &mut data, &mut interner)?;
    read_weekly(dir, &mut data, &mut interner)?;
    if dir.join("variants.csv").exists() {
        data.variants = read_variants(dir)?;
    }
    if dir.join("mothers.csv").exists() {
        data.distribution = read_mothers(dir, &mut data, &mut interner)?;
    }
    if dir.join("lorenz.csv").exists() {
        read_lorenz(dir, &mut data, &mut interner)?;
    }
    if dir.join(crate::output::YEARLY_CSV).exists() {
        read_yearly(dir, &mut data, &mut interner)?;
    }
    data.lorenz.resize_with(data.groups.len(), Vec::new);
    // Groups or regions first seen after summary.csv get empty weekly data.
    let weeks = data.weeks.len();
    data.weekly.resize_with(data.groups.len(), Vec::new);
    for per_group in &mut data.weekly {
        per_group.resize_with(data.regions.len(), || vec![WeekSums::default(); weeks]);
    }
    data.distribution
        .counts
        .resize(data.groups.len(), [0; BANDS.len()]);
    Ok(data)
}

/// Groups and regions by name.
#[derive(Default)]
pub(super) struct Interner {
    groups: HashMap<(String, String), usize>,
    regions: HashMap<String, usize>,
}

impl Interner {
    pub(super) fn group(&mut self, data: &mut RunData, variant: &str, policy: &str) -> usize {
        if let Some(&g) = self.groups.get(&(variant.to_string(), policy.to_string())) {
            return g;
        }
        let g = data.groups.len();
        data.groups.push(Group {
            variant: variant.to_string(),
            policy: policy.to_string(),
        });
        self.groups
            .insert((variant.to_string(), policy.to_string()), g);
        g
    }

    pub(super) fn region(&mut self, data: &mut RunData, name: &str) -> Option<usize> {
        if name == ALL {
            return None;
        }
        if let Some(&r) = self.regions.get(name) {
            return Some(r);
        }
        let r = data.regions.len();
        data.regions.push(name.to_string());
        self.regions.insert(name.to_string(), r);
        Some(r)
    }
}
