//! Reading an output directory back for the charts: run.json, summary.csv, weekly.csv,
//! yearly.csv (its `ALL` rows), variants.csv (sweeps) and mothers.csv (when written) into
//! plain aggregated structs.
//!
//! Columns are found by their header name (outputs may gain columns, never rename them), and
//! every problem names the file, and the line and column where there is one, so that
//! `kraamsim chart DIR` on a foreign or damaged directory says what is wrong instead of
//! drawing nonsense. Rows are aggregated while they are read: weekly.csv and mothers.csv of a
//! long national run do not have to fit in memory as rows.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::ChartError;
use crate::output::{ALL, Estimate, LATER_SUMMARY_METRICS, estimate};
use crate::scenario::Scenario;

/// One (variant, policy) pair of the run, in the order summary.csv lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub variant: String,
    pub policy: String,
}

/// The summary figures of one (group, region or ALL, replication), as in summary.csv.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    pub mothers: f64,
    pub below_minimum: f64,
    pub without_care: f64,
    pub full_indication: f64,
    pub indicated_hours: f64,
    pub delivered_hours: f64,
    pub shortfall_hours: f64,
    /// The equity columns of summary.csv (`docs/metrics.md`); 0 in outputs without them.
    pub equity: Equity,
    /// Birth assistance per day part and continuity; 0 in outputs without them.
    pub assist: Assist,
    /// Hours per tier; 0 in outputs without them.
    pub tiers: Tiers,
}

/// Indicated and delivered hours per tier (1 minimum, 2 medical, 3 rest of early
/// registrants, 4 rest of late registrants) of one summary row, and the late registrants
/// given tier-4 hours while an early registrant was behind on tier 3.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tiers {
    pub indicated: [f64; 4],
    pub delivered: [f64; 4],
    pub late_tier4_while_early_behind: f64,
}

impl Tiers {
    /// Delivered over indicated hours of tier `t` (0-based); 1 when nothing was indicated.
    pub fn fill(&self, t: usize) -> f64 {
        crate::output::tier_fill(self.indicated[t], self.delivered[t])
    }
}

/// Birth assistance per day part (night, day, evening) and continuity, of one summary row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Assist {
    pub requested: [f64; 3],
    pub missed: [f64; 3],
    pub on_call_hours: [f64; 3],
    pub over_two_carers: f64,
    /// Requests served by a carer called away from her families (no on-call carer free)...
    pub called_away: [f64; 3],
    /// ...and the care hours those families lost.
    pub hours_from_care: [f64; 3],
    /// Mothers with care by how many carers they had: 1, 2, 3, 4 or more.
    pub carers: [f64; 4],
    /// Mothers with a third carer by why she came (`sim::ThirdCarer`: away, rest, busy,
    /// other).
    pub third_carer: [f64; 4],
}

/// The equity metrics of one summary row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Equity {
    pub mean_ratio: f64,
    pub p10_ratio: f64,
    pub gini: f64,
    pub max_shortfall_hours: f64,
    pub late_share_of_mothers: f64,
    pub late_share_of_shortfall: f64,
    pub transferred: f64,
}

impl Totals {
    /// `part` as a percentage of the mothers (0 without mothers).
    pub fn pct_of_mothers(&self, part: f64) -> f64 {
        if self.mothers > 0.0 {
            100.0 * part / self.mothers
        } else {
            0.0
        }
    }

    /// Shortfall as a percentage of the indicated hours.
    pub fn shortfall_pct(&self) -> f64 {
        if self.indicated_hours > 0.0 {
            100.0 * self.shortfall_hours / self.indicated_hours
        } else {
            0.0
        }
    }
}

/// A figure of a replication's totals (a percentage, hours).
pub type Metric = fn(&Totals) -> f64;

/// A variant of a sweep: its id and the (field path, value) pairs it sets.
pub type VariantParams = (String, Vec<(String, String)>);

/// One row of summary.csv.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub group: usize,
    /// Index into [`RunData::regions`]; `None` for the `ALL` row.
    pub region: Option<usize>,
    pub replication: u32,
    pub totals: Totals,
}

/// weekly.csv of one (group, region, week), summed over the replications.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeekSums {
    pub births: f64,
    pub demand_hours: f64,
    pub delivered_hours: f64,
    pub contract_hours: f64,
    /// What the carers could really have worked (weekly.csv `carer_hours_workable`).
    pub workable_hours: f64,
    pub below_minimum: f64,
    pub shortfall_hours: f64,
    /// Rows added (one per replication).
    pub rows: u32,
}

impl WeekSums {
    pub fn add(&mut self, o: &WeekSums) {
        self.births += o.births;
        self.demand_hours += o.demand_hours;
        self.delivered_hours += o.delivered_hours;
        self.contract_hours += o.contract_hours;
        self.workable_hours += o.workable_hours;
        self.below_minimum += o.below_minimum;
        self.shortfall_hours += o.shortfall_hours;
        self.rows += o.rows;
    }
}

/// Bands of delivered / indicated hours for the distribution chart, as (label, upper bound in
/// percent, exclusive). The last band holds full care (99.95% and more: outputs round hours
/// to three decimals).
pub const BANDS: [(&str, f64); 6] = [
    ("0%", 0.05),
    ("0-49%", 50.0),
    ("50-74%", 75.0),
    ("75-89%", 90.0),
    ("90-99%", 99.95),
    ("100%", f64::INFINITY),
];

/// The band of a percentage.
pub fn band_of(pct: f64) -> usize {
    BANDS
        .iter()
        .position(|(_, upper)| pct < *upper)
        .unwrap_or(BANDS.len() - 1)
}

/// Where the distribution of delivered / indicated hours comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistributionSource {
    /// mothers.csv: one observation per mother.
    Mothers,
    /// weekly.csv (no mothers.csv): one observation per region, week and replication,
    /// delivered over demand hours of the week.
    RegionWeeks,
}

/// Counts per band of delivered / indicated hours, per group.
#[derive(Debug, Clone)]
pub struct Distribution {
    pub source: DistributionSource,
    /// `counts[group][band]`.
    pub counts: Vec<[u64; BANDS.len()]>,
}

/// Where the qualified carers of a year-end came from (yearly.csv `carers_from_*`), in the
/// order the workforce chart stacks them.
pub const SOURCES: [&str; 3] = ["stayed", "trained", "hired"];

/// One row of yearly.csv for all regions (`ALL`): a (group, replication, calendar year).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearRow {
    pub group: usize,
    pub replication: u32,
    pub year: i32,
    /// Mothers whose care ended in the year, and those of them below the minimum.
    pub mothers: f64,
    pub below_minimum: f64,
    /// Qualified carers on the year's last day, and their FTE...
    pub carers: f64,
    pub carer_fte: f64,
    /// ...by [`SOURCES`]: listed at the start and still there, qualified trainees, hires.
    pub carers_by_source: [f64; 3],
    /// The same split of `carer_fte`; zeros in outputs written before these columns.
    pub fte_by_source: [f64; 3],
    /// Carers who joined or left in the year, and trainees at its end: all zero when the
    /// workforce does not change (`workforce.dynamic` off, or every rate zero).
    pub turnover: f64,
}

impl YearRow {
    /// Mothers below the minimum as a percentage of the mothers whose care ended in the
    /// year (0 in a year without mothers).
    pub fn pct_below_minimum(&self) -> f64 {
        if self.mothers > 0.0 {
            100.0 * self.below_minimum / self.mothers
        } else {
            0.0
        }
    }
}

/// The estimate over replications of `f` of the `rows` of `group` in `year`: each
/// replication's own value first (a share per replication, so the interval of a share is
/// not the ratio of two intervals), then their mean and Student-t interval.
pub fn year_estimate(
    rows: &[YearRow],
    group: usize,
    year: i32,
    f: impl Fn(&YearRow) -> f64,
) -> Estimate {
    let values: Vec<f64> = rows
        .iter()
        .filter(|r| r.group == group && r.year == year)
        .map(f)
        .collect();
    estimate(&values)
}

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
    /// ([`scenario_at_hand`]).
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
    fn empty(dir: &Path, meta: serde_json::Map<String, serde_json::Value>) -> RunData {
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

/// The scenario of a run as written, for the report: read from run.json's `scenario_path`
/// (the built-in baseline by its name) only when its text still has run.json's
/// `scenario_sha256`, so that the report never describes a file edited since the run.
/// `None` when it is moved, changed or unreadable: the report then shows "—" for the inputs
/// only the scenario has (providers, carers, births, scope) and a per-variant headline.
fn scenario_at_hand(meta: &serde_json::Map<String, serde_json::Value>) -> Option<Scenario> {
    let text = |k: &str| meta.get(k).and_then(|v| v.as_str());
    let path = text("scenario_path")?;
    let loaded = if path == crate::scenario::DEFAULT_SCENARIO_NAME {
        crate::scenario::load_default()
    } else {
        crate::scenario::load_file(Path::new(path)).ok()?
    };
    (crate::output::sha256_hex(&loaded.text) == text("scenario_sha256")?).then_some(loaded.scenario)
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

/// The columns of mothers.csv the distribution chart reads (a test checks that the writer's
/// header, `crate::output::MOTHER_COLUMNS` after the row key, has them).
const MOTHERS_READ: [&str; 4] = ["variant", "policy", "indicated_hours", "delivered_hours"];

pub(super) fn bad(path: &Path, message: impl std::fmt::Display) -> ChartError {
    ChartError::Input(format!("{}: {message}", path.display()))
}

fn read_meta(dir: &Path) -> Result<serde_json::Map<String, serde_json::Value>, ChartError> {
    if !dir.is_dir() {
        return Err(ChartError::Input(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    let path = dir.join("run.json");
    if !path.exists() {
        return Err(ChartError::Input(format!(
            "{} is not a kraamsim output directory: it has no run.json (an output is complete once run.json is written)",
            dir.display()
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| bad(&path, e))?;
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Object(map)) if map.get("interrupted") == Some(&true.into()) => {
            Err(ChartError::Input(format!(
                "{} holds an interrupted run (run.json: \"interrupted\": true); finish it with the same command and --resume",
                dir.display()
            )))
        }
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad(&path, "not a JSON object")),
        Err(e) => Err(bad(&path, format!("not valid JSON: {e}"))),
    }
}

/// Groups and regions by name.
#[derive(Default)]
struct Interner {
    groups: HashMap<(String, String), usize>,
    regions: HashMap<String, usize>,
}

impl Interner {
    fn group(&mut self, data: &mut RunData, variant: &str, policy: &str) -> usize {
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

    fn region(&mut self, data: &mut RunData, name: &str) -> Option<usize> {
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

/// A CSV file of the output being read, with the positions of the columns asked for.
pub(super) struct Table {
    path: PathBuf,
    reader: csv::Reader<BufReader<File>>,
    names: Vec<&'static str>,
    columns: Vec<Option<usize>>,
}

impl Table {
    /// Opens `dir/name`; every column of `required` must be in its header, `optional` ones
    /// may be missing.
    pub(super) fn open(
        dir: &Path,
        name: &str,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Table, ChartError> {
        let path = dir.join(name);
        let file = File::open(&path).map_err(|e| {
            bad(
                &path,
                format!("cannot read ({e}); is this a complete kraamsim output?"),
            )
        })?;
        let mut reader = csv::Reader::from_reader(BufReader::new(file));
        let header = reader.headers().map_err(|e| bad(&path, e))?.clone();
        let find = |c: &str| header.iter().position(|h| h == c);
        let mut columns = Vec::new();
        for c in required {
            columns.push(Some(find(c).ok_or_else(|| {
                bad(
                    &path,
                    format!("line 1: missing column `{c}` (is this a kraamsim output?)"),
                )
            })?));
        }
        columns.extend(optional.iter().map(|c| find(c)));
        let names = required.iter().chain(optional).copied().collect();
        Ok(Table {
            path,
            reader,
            names,
            columns,
        })
    }

    /// The index (among the columns asked for) of the column named `name`, to pass to
    /// [`Table::number`] and the others: found once per file, never by counting positions.
    /// A name not asked for in [`Table::open`] is a mistake of the caller.
    pub(super) fn col(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("column `{name}` was not asked for"))
    }

    /// Whether the file has the column `name` (one asked for as optional may be missing).
    pub(super) fn has(&self, name: &str) -> bool {
        self.columns[self.col(name)].is_some()
    }

    /// The next record, or `None` at the end.
    pub(super) fn next(&mut self, record: &mut csv::StringRecord) -> Result<bool, ChartError> {
        self.reader.read_record(record).map_err(|e| {
            let at = e
                .position()
                .map(|p| format!("line {}: ", p.line()))
                .unwrap_or_default();
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("{len} fields where the header has {expected_len}"),
                _ => e.to_string(),
            };
            bad(&self.path, format!("{at}{message}"))
        })
    }

    fn line(record: &csv::StringRecord) -> u64 {
        record.position().map_or(0, |p| p.line())
    }

    /// The text of column `i` (of those asked for), `None` if an optional one is missing.
    pub(super) fn text<'r>(&self, record: &'r csv::StringRecord, i: usize) -> Option<&'r str> {
        self.columns[i].and_then(|c| record.get(c))
    }

    /// The number in column `i`; 0 for a missing optional column.
    pub(super) fn number(&self, record: &csv::StringRecord, i: usize) -> Result<f64, ChartError> {
        let Some(c) = self.columns[i] else {
            return Ok(0.0);
        };
        let text = record.get(c).unwrap_or("");
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error_at(record, i, format!("`{text}` is not a number"))),
        }
    }

    /// The whole number in column `i`.
    pub(super) fn whole<T: std::str::FromStr>(
        &self,
        record: &csv::StringRecord,
        i: usize,
    ) -> Result<T, ChartError> {
        let text = self.text(record, i).unwrap_or("");
        text.parse()
            .map_err(|_| self.error_at(record, i, format!("`{text}` is not a whole number")))
    }

    pub(super) fn error_at(
        &self,
        record: &csv::StringRecord,
        i: usize,
        message: String,
    ) -> ChartError {
        bad(
            &self.path,
            format!(
                "line {}, column {} (`{}`): {message}",
                Self::line(record),
                self.columns[i].map_or(0, |c| c + 1),
                self.names[i]
            ),
        )
    }
}

fn read_summary(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
    let mut t = Table::open(
        dir,
        "summary.csv",
        &[
            "variant",
            "policy",
            "replication",
            "region",
            "mothers",
            "mothers_below_minimum",
            "mothers_without_care",
            "mothers_full_indication",
            "indicated_hours",
            "delivered_hours",
            "shortfall_hours",
        ],
        &[
            "mean_delivered_ratio",
            "p10_delivered_ratio",
            "gini_delivered_ratio",
            "max_shortfall_hours",
            "late_share_of_mothers",
            "late_share_of_shortfall",
            "mothers_transferred",
        ]
        .into_iter()
        .chain(LATER_SUMMARY_METRICS.iter().copied())
        .collect::<Vec<_>>(),
    )?;
    data.has_equity = t.has("gini_delivered_ratio");
    data.has_assist = t.has("birth_assists_requested_night");
    data.has_tiers = t.has("tier1_indicated_hours");
    data.has_continuity = t.has("mothers_one_carer");
    let mut rec = csv::StringRecord::new();
    while t.next(&mut rec)? {
        let text = |i| t.text(&rec, i).unwrap_or("");
        let group = interner.group(data, text(0), text(1));
        let replication = text(2)
            .parse()
            .map_err(|_| t.error_at(&rec, 2, format!("`{}` is not a number", text(2))))?;
        let region = interner.region(data, text(3));
        // Each column by its name (summary.csv's row is small: a lookup per cell is cheap).
        let n = |name: &str| t.number(&rec, t.col(name));
        let each = |names: &[&str]| {
            names
                .iter()
                .map(|name| n(name))
                .collect::<Result<Vec<f64>, _>>()
        };
        let parts = |prefix: &str| -> Result<[f64; 3], ChartError> {
            Ok([
                n(&format!("{prefix}_night"))?,
                n(&format!("{prefix}_day"))?,
                n(&format!("{prefix}_evening"))?,
            ])
        };
        let four = |names: [&str; 4]| -> Result<[f64; 4], ChartError> {
            let v = each(&names)?;
            Ok([v[0], v[1], v[2], v[3]])
        };
        let totals = Totals {
            mothers: n("mothers")?,
            below_minimum: n("mothers_below_minimum")?,
            without_care: n("mothers_without_care")?,
            full_indication: n("mothers_full_indication")?,
            indicated_hours: n("indicated_hours")?,
            delivered_hours: n("delivered_hours")?,
            shortfall_hours: n("shortfall_hours")?,
            equity: Equity {
                mean_ratio: n("mean_delivered_ratio")?,
                p10_ratio: n("p10_delivered_ratio")?,
                gini: n("gini_delivered_ratio")?,
                max_shortfall_hours: n("max_shortfall_hours")?,
                late_share_of_mothers: n("late_share_of_mothers")?,
                late_share_of_shortfall: n("late_share_of_shortfall")?,
                transferred: n("mothers_transferred")?,
            },
            assist: Assist {
                requested: parts("birth_assists_requested")?,
                missed: parts("birth_assists_missed")?,
                on_call_hours: parts("on_call_hours")?,
                over_two_carers: n("mothers_over_two_carers")?,
                called_away: parts("birth_assists_called_away")?,
                hours_from_care: parts("assist_hours_from_care")?,
                carers: four([
                    "mothers_one_carer",
                    "mothers_two_carers",
                    "mothers_three_carers",
                    "mothers_four_plus_carers",
                ])?,
                third_carer: four([
                    "third_carer_away",
                    "third_carer_rest",
                    "third_carer_busy",
                    "third_carer_other",
                ])?,
            },
            tiers: Tiers {
                indicated: four([
                    "tier1_indicated_hours",
                    "tier2_indicated_hours",
                    "tier3_indicated_hours",
                    "tier4_indicated_hours",
                ])?,
                delivered: four([
                    "tier1_delivered_hours",
                    "tier2_delivered_hours",
                    "tier3_delivered_hours",
                    "tier4_delivered_hours",
                ])?,
                late_tier4_while_early_behind: n("late_tier4_while_early_behind")?,
            },
        };
        data.summary.push(SummaryRow {
            group,
            region,
            replication,
            totals,
        });
    }
    if data.summary.is_empty() {
        return Err(bad(&t.path, "no rows"));
    }
    Ok(())
}

/// lorenz.csv: the cumulative points of each (variant, policy), in bin order.
fn read_lorenz(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
    let mut t = Table::open(
        dir,
        "lorenz.csv",
        &[
            "variant",
            "policy",
            "region",
            "mothers_share",
            "ratio_share",
        ],
        &[],
    )?;
    let mut rec = csv::StringRecord::new();
    while t.next(&mut rec)? {
        let text = |i| t.text(&rec, i).unwrap_or("");
        if text(2) != "ALL" {
            continue;
        }
        let group = interner.group(data, text(0), text(1));
        let point = (t.number(&rec, 3)?, t.number(&rec, 4)?);
        if data.lorenz.len() <= group {
            data.lorenz.resize_with(group + 1, Vec::new);
        }
        let curve = &mut data.lorenz[group];
        if curve.is_empty() {
            curve.push((0.0, 0.0));
        }
        curve.push(point);
    }
    Ok(())
}

fn read_weekly(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
    let mut t = Table::open(
        dir,
        "weekly.csv",
        &[
            "variant",
            "policy",
            "region",
            "week_start",
            "births",
            "demand_hours",
            "delivered_hours",
            "mothers_below_minimum",
            "shortfall_hours",
        ],
        // Added after the first outputs: charts of an older output draw without it.
        &["carer_contract_hours", "carer_hours_workable"],
    )?;
    // weekly.csv is long (regions x weeks x replications): each column found once.
    let [
        births,
        demand,
        delivered,
        below,
        shortfall,
        contract,
        workable,
    ] = [
        "births",
        "demand_hours",
        "delivered_hours",
        "mothers_below_minimum",
        "shortfall_hours",
        "carer_contract_hours",
        "carer_hours_workable",
    ]
    .map(|name| t.col(name));
    let mut cells: HashMap<(usize, usize, NaiveDate), WeekSums> = HashMap::new();
    let mut weeks = BTreeSet::new();
    // Without mothers.csv the distribution chart shows delivered / demand hours of each
    // region-week (one per region, week and replication). Weeks with under one hour of
    // demand are left out: their ratio says nothing.
    let mut counts: Vec<[u64; BANDS.len()]> = Vec::new();
    let mut rec = csv::StringRecord::new();
    while t.next(&mut rec)? {
        let text = |i| t.text(&rec, i).unwrap_or("");
        let group = interner.group(data, text(0), text(1));
        let Some(region) = interner.region(data, text(2)) else {
            continue;
        };
        let week: NaiveDate = text(3).parse().map_err(|_| {
            t.error_at(&rec, 3, format!("`{}` is not a date (YYYY-MM-DD)", text(3)))
        })?;
        let sums = WeekSums {
            births: t.number(&rec, births)?,
            demand_hours: t.number(&rec, demand)?,
            delivered_hours: t.number(&rec, delivered)?,
            below_minimum: t.number(&rec, below)?,
            shortfall_hours: t.number(&rec, shortfall)?,
            contract_hours: t.number(&rec, contract)?,
            workable_hours: t.number(&rec, workable)?,
            rows: 1,
        };
        if sums.demand_hours >= 1.0 {
            if counts.len() <= group {
                counts.resize(group + 1, [0; BANDS.len()]);
            }
            counts[group][band_of(100.0 * sums.delivered_hours / sums.demand_hours)] += 1;
        }
        weeks.insert(week);
        cells.entry((group, region, week)).or_default().add(&sums);
    }
    if weeks.is_empty() {
        return Err(bad(&t.path, "no rows"));
    }
    data.weeks = weeks.into_iter().collect();
    data.distribution = Distribution {
        source: DistributionSource::RegionWeeks,
        counts,
    };
    let index: HashMap<NaiveDate, usize> = data
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| (*w, i))
        .collect();
    let empty = vec![WeekSums::default(); data.weeks.len()];
    data.weekly = vec![vec![empty; data.regions.len()]; data.groups.len()];
    for ((g, r, w), sums) in cells {
        data.weekly[g][r][index[&w]] = sums;
    }
    Ok(())
}

/// yearly.csv: the rows of region `ALL`.
fn read_yearly(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
    let mut t = Table::open(
        dir,
        crate::output::YEARLY_CSV,
        &[
            "variant",
            "policy",
            "replication",
            "region",
            "year",
            "mothers",
            "mothers_below_minimum",
            "carers",
            "carer_fte",
            "carers_from_start",
            "carers_from_training",
            "carers_from_hiring",
            "carers_joined",
            "carers_left",
            "trainees",
        ],
        // Added with the workforce charts: older outputs chart the carers without them.
        &[
            "carer_fte_from_start",
            "carer_fte_from_training",
            "carer_fte_from_hiring",
        ],
    )?;
    data.has_fte_by_source = t.columns[15..].iter().all(Option::is_some);
    let mut years = BTreeSet::new();
    let mut rec = csv::StringRecord::new();
    while t.next(&mut rec)? {
        let text = |i| t.text(&rec, i).unwrap_or("");
        if text(3) != ALL {
            continue;
        }
        let group = interner.group(data, text(0), text(1));
        let replication: u32 = t.whole(&rec, 2)?;
        let year: i32 = t.whole(&rec, 4)?;
        let n = |i| t.number(&rec, i);
        data.yearly.push(YearRow {
            group,
            replication,
            year,
            mothers: n(5)?,
            below_minimum: n(6)?,
            carers: n(7)?,
            carer_fte: n(8)?,
            carers_by_source: [n(9)?, n(10)?, n(11)?],
            fte_by_source: [n(15)?, n(16)?, n(17)?],
            turnover: n(12)? + n(13)? + n(14)?,
        });
        years.insert(year);
    }
    data.years = years.into_iter().collect();
    Ok(())
}

fn read_variants(dir: &Path) -> Result<Vec<VariantParams>, ChartError> {
    let mut t = Table::open(dir, "variants.csv", &["variant"], &[])?;
    let header = t.reader.headers().map_err(|e| bad(&t.path, e))?.clone();
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    while t.next(&mut rec)? {
        let params = header
            .iter()
            .zip(rec.iter())
            .skip(1)
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        out.push((rec.get(0).unwrap_or("").to_string(), params));
    }
    Ok(out)
}

fn read_mothers(
    dir: &Path,
    data: &mut RunData,
    interner: &mut Interner,
) -> Result<Distribution, ChartError> {
    let mut t = Table::open(dir, "mothers.csv", &MOTHERS_READ, &[])?;
    let mut counts: Vec<[u64; BANDS.len()]> = Vec::new();
    let mut rec = csv::StringRecord::new();
    while t.next(&mut rec)? {
        let group = interner.group(
            data,
            t.text(&rec, 0).unwrap_or(""),
            t.text(&rec, 1).unwrap_or(""),
        );
        let indicated = t.number(&rec, 2)?;
        let delivered = t.number(&rec, 3)?;
        let pct = if indicated > 0.0 {
            100.0 * delivered / indicated
        } else {
            100.0
        };
        if counts.len() <= group {
            counts.resize(group + 1, [0; BANDS.len()]);
        }
        counts[group][band_of(pct)] += 1;
    }
    Ok(Distribution {
        source: DistributionSource::Mothers,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chart reads mothers.csv by these names; the writer's header must have each.
    #[test]
    fn the_mothers_columns_the_chart_reads_are_in_the_written_header() {
        let written = crate::output::header(&crate::output::MOTHER_COLUMNS);
        for c in MOTHERS_READ {
            assert!(written.contains(&c), "mothers.csv has no column `{c}`");
        }
    }

    fn row(group: usize, replication: u32, year: i32, mothers: f64, below: f64) -> YearRow {
        YearRow {
            group,
            replication,
            year,
            mothers,
            below_minimum: below,
            ..YearRow::default()
        }
    }

    #[test]
    fn yearly_share_below_minimum_is_estimated_per_replication() {
        // Group 0 in 2028: 10 of 1,000, 40 of 2,000 and 15 of 500 mothers below the minimum
        // are 1%, 2% and 3%: mean 2% (not the pooled 65 / 3,500 = 1.86%), sd 1, and the 95%
        // interval 2 ± t(0.975, 2) / sqrt(3) = 2 ± 4.302653 / 1.732051 = 2 ± 2.484138.
        let rows = [
            row(0, 0, 2027, 1000.0, 500.0),
            row(0, 0, 2028, 1000.0, 10.0),
            row(1, 0, 2028, 1000.0, 900.0),
            row(0, 1, 2028, 2000.0, 40.0),
            row(0, 2, 2028, 500.0, 15.0),
        ];
        let e = year_estimate(&rows, 0, 2028, YearRow::pct_below_minimum);
        assert_eq!(e.n, 3);
        assert!((e.mean - 2.0).abs() < 1e-12, "{e:?}");
        let (lo, hi) = e.ci95.unwrap();
        assert!((hi - 2.0 - 2.484138).abs() < 1e-5, "{e:?}");
        assert!((2.0 - lo - 2.484138).abs() < 1e-5, "{e:?}");
        // One replication: the value, no interval; a year without mothers counts 0%.
        let e = year_estimate(&rows, 1, 2028, YearRow::pct_below_minimum);
        assert_eq!((e.mean, e.ci95), (90.0, None));
        assert_eq!(row(0, 0, 2027, 0.0, 0.0).pct_below_minimum(), 0.0);
    }

    #[test]
    fn yearly_csv_rows_of_all_regions_are_read_by_column_name() {
        let dir = tempfile::tempdir().unwrap();
        let header = format!(
            "variant,policy,replication,region,{}",
            crate::output::YEARLY_COLUMNS.join(",")
        );
        // Columns after the key: year, births, mothers_below_minimum, shortfall_hours,
        // carers, carer_fte, trainees, carers_joined, carers_left, mothers, indicated_hours,
        // delivered_hours, carers_hired, trainees_started, trainees_qualified,
        // trainees_dropped_out, carers_from_start, carers_from_training, carers_from_hiring,
        // trainee_fte, carer_fte_from_start, carer_fte_from_training, carer_fte_from_hiring.
        let rows = [
            "v000,minimum-first,0,Eemland,2027,9,1,5.0,100,80.000,7,9,15,9,300.0,295.0,4,6,5,2,88,8,4,5.000,70.000,6.000,4.000",
            "v000,minimum-first,0,ALL,2027,9,2,5.0,100,80.500,7,9,15,9,300.0,295.0,4,6,5,2,88,8,4,5.000,70.500,6.000,4.000",
            "v000,minimum-first,0,ALL,2028,9,3,5.0,101,81.000,7,0,0,9,300.0,295.0,0,6,0,2,80,12,9,5.000,64.000,10.000,7.000",
        ];
        std::fs::write(
            dir.path().join("yearly.csv"),
            format!("{header}\n{}\n", rows.join("\n")),
        )
        .unwrap();
        let mut data = RunData::empty(dir.path(), serde_json::Map::new());
        read_yearly(dir.path(), &mut data, &mut Interner::default()).unwrap();
        assert!(data.has_fte_by_source);
        assert_eq!(data.years, [2027, 2028]);
        assert_eq!(data.yearly.len(), 2, "only the ALL rows");
        let y = data.yearly[0];
        assert_eq!((y.group, y.replication, y.year), (0, 0, 2027));
        assert_eq!((y.mothers, y.below_minimum), (9.0, 2.0));
        assert_eq!((y.carers, y.carer_fte), (100.0, 80.5));
        assert_eq!(y.carers_by_source, [88.0, 8.0, 4.0]);
        assert_eq!(y.fte_by_source, [70.5, 6.0, 4.0]);
        // 9 joined + 15 left + 7 trainees.
        assert_eq!(y.turnover, 31.0);
        assert!(data.workforce_changes());
        // Without the FTE by source (an older output): read, but flagged.
        let old_header = header.replace(
            ",carer_fte_from_start,carer_fte_from_training,carer_fte_from_hiring",
            "",
        );
        let old_rows: Vec<String> = rows
            .iter()
            .map(|r| r.rsplitn(4, ',').last().unwrap().to_string())
            .collect();
        std::fs::write(
            dir.path().join("yearly.csv"),
            format!("{old_header}\n{}\n", old_rows.join("\n")),
        )
        .unwrap();
        let mut data = RunData::empty(dir.path(), serde_json::Map::new());
        read_yearly(dir.path(), &mut data, &mut Interner::default()).unwrap();
        assert!(!data.has_fte_by_source);
        assert_eq!(data.yearly[1].carers_by_source, [80.0, 12.0, 9.0]);
        assert_eq!(data.yearly[1].fte_by_source, [0.0; 3]);
        // A fixed workforce: no one joins, leaves or trains.
        data.yearly.iter_mut().for_each(|r| r.turnover = 0.0);
        assert!(!data.workforce_changes());
    }

    #[test]
    fn bands_cover_every_percentage() {
        assert_eq!(band_of(0.0), 0);
        assert_eq!(band_of(10.0), 1);
        assert_eq!(band_of(74.9), 2);
        assert_eq!(band_of(99.9), 4);
        assert_eq!(band_of(99.96), 5);
        assert_eq!(band_of(130.0), 5);
    }
}
