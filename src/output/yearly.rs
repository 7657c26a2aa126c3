//! yearly.csv (one row per calendar year of the reporting period), providers.csv (each
//! provider's contract per year) and the yearly metrics of stats.csv.
//!
//! The yearly rows of stats.csv are computed from the values as written in yearly.csv (read
//! back from their text), so a resumed run and `kraamsim merge` of shards, which read the
//! rows back from the files, write the same bytes as one uninterrupted run.

use std::fmt::Write as _;

use super::number::fixed;
use super::{ALL, Estimate, estimate, hours};
use crate::generate::WorkforceYear;
use crate::results::{RegionResult, YearTotals};
use crate::run::RunLabels;
use crate::scenario::Scenario;

/// A yearly.csv metric: its column name, whether it is written with decimals (hours and
/// FTE) or as a count, and its value in a year's totals. [`YEAR_METRICS`] is the one list of
/// them: the header, the values of a row and the names of the yearly stats all come from it.
pub struct YearMetric {
    pub name: &'static str,
    pub decimals: bool,
    pub get: fn(&YearTotals) -> f64,
}

/// yearly.csv's metrics after the row key and the year, in column order.
#[rustfmt::skip]
pub const YEAR_METRICS: [YearMetric; 22] = [
    YearMetric { name: "births", decimals: false, get: |y| y.births as f64 },
    YearMetric { name: "mothers_below_minimum", decimals: false, get: |y| y.mothers_below_minimum as f64 },
    YearMetric { name: "shortfall_hours", decimals: true, get: |y| y.shortfall_hours },
    YearMetric { name: "carers", decimals: false, get: |y| y.workforce.carers as f64 },
    YearMetric { name: "carer_fte", decimals: true, get: |y| y.workforce.carer_fte },
    YearMetric { name: "trainees", decimals: false, get: |y| y.workforce.trainees as f64 },
    YearMetric { name: "carers_joined", decimals: false, get: |y| y.workforce.carers_joined as f64 },
    YearMetric { name: "carers_left", decimals: false, get: |y| y.workforce.carers_left as f64 },
    YearMetric { name: "mothers", decimals: false, get: |y| y.mothers as f64 },
    YearMetric { name: "indicated_hours", decimals: true, get: |y| y.indicated_hours },
    YearMetric { name: "delivered_hours", decimals: true, get: |y| y.delivered_hours },
    YearMetric { name: "carers_hired", decimals: false, get: |y| y.workforce.carers_hired as f64 },
    YearMetric { name: "trainees_started", decimals: false, get: |y| y.workforce.trainees_started as f64 },
    YearMetric { name: "trainees_qualified", decimals: false, get: |y| y.workforce.trainees_qualified as f64 },
    YearMetric { name: "trainees_dropped_out", decimals: false, get: |y| y.workforce.trainees_dropped_out as f64 },
    YearMetric { name: "carers_from_start", decimals: false, get: |y| y.workforce.carers_from_start as f64 },
    YearMetric { name: "carers_from_training", decimals: false, get: |y| y.workforce.carers_from_training as f64 },
    YearMetric { name: "carers_from_hiring", decimals: false, get: |y| y.workforce.carers_from_hiring as f64 },
    YearMetric { name: "trainee_fte", decimals: true, get: |y| y.workforce.trainee_fte },
    YearMetric { name: "carer_fte_from_start", decimals: true, get: |y| y.workforce.carer_fte_from_start },
    YearMetric { name: "carer_fte_from_training", decimals: true, get: |y| y.workforce.carer_fte_from_training },
    YearMetric { name: "carer_fte_from_hiring", decimals: true, get: |y| y.workforce.carer_fte_from_hiring },
];

/// yearly.csv after the row key: the year, then [`YEAR_METRICS`].
pub const YEARLY_COLUMNS: [&str; 1 + YEAR_METRICS.len()] = {
    let mut names = [""; 1 + YEAR_METRICS.len()];
    names[0] = "year";
    let mut i = 0;
    while i < YEAR_METRICS.len() {
        names[i + 1] = YEAR_METRICS[i].name;
        i += 1;
    }
    names
};

/// providers.csv after the row key; [`ProviderRow`] has these fields after the key.
pub const PROVIDER_COLUMNS: [&str; 9] = [
    "provider",
    "year",
    "contract",
    "fte",
    "trainees_started",
    "employed_share",
    "meets_rule",
    "eligible_contract",
    "trainees_required",
];

fn add(sum: &mut YearTotals, y: &YearTotals) {
    sum.births += y.births;
    sum.mothers += y.mothers;
    sum.mothers_below_minimum += y.mothers_below_minimum;
    sum.indicated_hours += y.indicated_hours;
    sum.delivered_hours += y.delivered_hours;
    sum.shortfall_hours += y.shortfall_hours;
    let (a, b): (&mut WorkforceYear, &WorkforceYear) = (&mut sum.workforce, &y.workforce);
    a.carers += b.carers;
    a.carer_fte += b.carer_fte;
    a.trainees += b.trainees;
    a.carers_joined += b.carers_joined;
    a.carers_left += b.carers_left;
    a.carers_hired += b.carers_hired;
    a.trainees_started += b.trainees_started;
    a.trainees_qualified += b.trainees_qualified;
    a.trainees_dropped_out += b.trainees_dropped_out;
    a.carers_from_start += b.carers_from_start;
    a.carers_from_training += b.carers_from_training;
    a.carers_from_hiring += b.carers_from_hiring;
    a.trainee_fte += b.trainee_fte;
    a.carer_fte_from_start += b.carer_fte_from_start;
    a.carer_fte_from_training += b.carer_fte_from_training;
    a.carer_fte_from_hiring += b.carer_fte_from_hiring;
}

/// The yearly.csv records of one replication under one policy (`chunk`: its regions in
/// scenario order): each region's years, then the years of `ALL`.
pub fn yearly_records(
    s: &Scenario,
    labels: &RunLabels,
    chunk: &[RegionResult],
) -> Vec<Vec<String>> {
    let Some(first) = chunk.first() else {
        return Vec::new();
    };
    let mut all: Vec<YearTotals> = first
        .years
        .iter()
        .map(|y| YearTotals {
            year: y.year,
            ..YearTotals::default()
        })
        .collect();
    let mut out = Vec::with_capacity((chunk.len() + 1) * all.len());
    let mut push = |region: &str, r: &RegionResult, years: &[YearTotals]| {
        for y in years {
            let mut rec = vec![
                labels.variant.clone(),
                r.policy.to_string(),
                r.replication.to_string(),
                region.to_string(),
                y.year.to_string(),
            ];
            rec.extend(YEAR_METRICS.iter().map(|m| {
                let x = (m.get)(y);
                if m.decimals { hours(x) } else { fixed(x, 0) }
            }));
            out.push(rec);
        }
    };
    for r in chunk {
        for (sum, y) in all.iter_mut().zip(&r.years) {
            add(sum, y);
        }
        push(&s.regions[r.region].name, r, &r.years);
    }
    push(ALL, first, &all);
    out
}

/// One row of providers.csv: the row key, then [`PROVIDER_COLUMNS`]. serde writes the
/// fields in declaration order; a test checks their names against the columns merge reads.
#[derive(Debug, serde::Serialize)]
pub struct ProviderRow<'a> {
    pub variant: &'a str,
    pub policy: &'a str,
    pub replication: u32,
    pub region: &'a str,
    pub provider: &'a str,
    pub year: i32,
    pub contract: &'static str,
    pub fte: String,
    pub trainees_started: u32,
    pub employed_share: String,
    pub meets_rule: bool,
    pub eligible_contract: &'static str,
    pub trainees_required: String,
}

/// The providers.csv rows of one region-replication.
pub fn provider_rows<'a>(
    s: &'a Scenario,
    labels: &'a RunLabels,
    r: &'a RegionResult,
) -> impl Iterator<Item = ProviderRow<'a>> {
    let providers = crate::generate::region_providers(s, r.region);
    let region = s.regions[r.region].name.as_str();
    r.providers.iter().map(move |p| {
        let spec: &'a crate::scenario::ProviderSpec = providers[p.provider as usize];
        ProviderRow {
            variant: labels.variant.as_str(),
            policy: r.policy,
            replication: r.replication,
            region,
            provider: spec.name.as_str(),
            year: p.year,
            contract: p.contract.as_str(),
            fte: hours(p.fte),
            trainees_started: p.trainees_started,
            employed_share: fixed(p.employed_share, 3),
            meets_rule: p.meets_rule,
            eligible_contract: p.eligible.as_str(),
            trainees_required: hours(p.trainees_required),
        }
    })
}

/// A yearly.csv row as read back from its text: what the yearly stats are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlyRow {
    pub variant: String,
    pub policy: String,
    pub region: String,
    pub year: String,
    pub values: Vec<f64>,
}

/// Reads a yearly.csv record (row key, year, metrics).
pub fn yearly_row<S: AsRef<str>>(record: &[S]) -> Result<YearlyRow, String> {
    if record.len() != 4 + YEARLY_COLUMNS.len() {
        return Err(format!(
            "a yearly.csv row has {} fields, expected {}",
            record.len(),
            4 + YEARLY_COLUMNS.len()
        ));
    }
    let values = record[5..]
        .iter()
        .map(|f| {
            f.as_ref()
                .parse::<f64>()
                .map_err(|_| format!("`{}` is not a number", f.as_ref()))
        })
        .collect::<Result<_, _>>()?;
    Ok(YearlyRow {
        variant: record[0].as_ref().to_string(),
        policy: record[1].as_ref().to_string(),
        region: record[3].as_ref().to_string(),
        year: record[4].as_ref().to_string(),
        values,
    })
}

/// Per (variant, policy, region) in the order of the rows, per year, per metric: the
/// estimate over replications, named `metric.year` (e.g. `mothers_below_minimum.2029`).
pub fn yearly_stats(rows: &[YearlyRow]) -> Vec<(String, String, String, String, Estimate)> {
    let mut groups: Vec<(&str, &str, &str, &str)> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    // Rows come in blocks of a replication; index groups as they first appear.
    let mut index = std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let key = (
            r.variant.as_str(),
            r.policy.as_str(),
            r.region.as_str(),
            r.year.as_str(),
        );
        let g = *index.entry(key).or_insert_with(|| {
            groups.push(key);
            members.push(Vec::new());
            groups.len() - 1
        });
        members[g].push(i);
    }
    // A replication's rows are its regions in order, each with all its years, so the first
    // appearances are in (variant, policy, region, year) order.
    let mut out = Vec::new();
    for g in 0..groups.len() {
        let (variant, policy, region, year) = groups[g];
        for (k, metric) in YEAR_METRICS.iter().map(|m| m.name).enumerate() {
            let v: Vec<f64> = members[g].iter().map(|&i| rows[i].values[k]).collect();
            let mut name = String::with_capacity(metric.len() + 5);
            let _ = write!(name, "{metric}.{year}");
            out.push((
                variant.to_string(),
                policy.to_string(),
                region.to_string(),
                name,
                estimate(&v),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{PROVIDER_COLUMNS, ProviderRow, YEAR_METRICS, YEARLY_COLUMNS};

    /// providers.csv's writer serialises `ProviderRow`; merge checks shards against
    /// `header(&PROVIDER_COLUMNS)`: the two must name the same columns in the same order.
    #[test]
    fn provider_rows_have_the_columns_merge_reads() {
        let row = ProviderRow {
            variant: "base",
            policy: "minimum-first",
            replication: 0,
            region: "Utrecht",
            provider: "A",
            year: 2025,
            contract: "cao",
            fte: "10.000".into(),
            trainees_started: 1,
            employed_share: "0.800".into(),
            meets_rule: true,
            eligible_contract: "cao",
            trainees_required: "1.000".into(),
        };
        assert_eq!(
            crate::output::serde_header(&row),
            crate::output::header(&PROVIDER_COLUMNS)
        );
    }

    /// Hours and FTE carry decimals, counts none: a new metric that breaks the naming rule
    /// is caught here, before a file shows `12.00` births.
    #[test]
    fn hours_and_fte_have_decimals_and_counts_none() {
        for m in &YEAR_METRICS {
            let decimal_name = m.name.ends_with("_hours") || m.name.contains("fte");
            assert_eq!(m.decimals, decimal_name, "{}", m.name);
        }
        assert_eq!(YEARLY_COLUMNS[0], "year");
        assert_eq!(YEARLY_COLUMNS[1..].len(), YEAR_METRICS.len());
    }
}
