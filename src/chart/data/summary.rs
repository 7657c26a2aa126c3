//! The per-replication totals: summary.csv (every row), lorenz.csv (its `ALL` curves) and
//! mothers.csv (counted into the bands of the distribution chart while read).

use std::path::Path;

use super::table::{Table, bad};
use super::{
    Assist, BANDS, Distribution, DistributionSource, Equity, Interner, RunData, SummaryRow,
    Tiers, Totals, band_of,
};
use crate::chart::ChartError;
use crate::output::LATER_SUMMARY_METRICS;

/// The columns of mothers.csv the distribution chart reads (a test checks that the writer's
/// header, `crate::output::MOTHER_COLUMNS` after the row key, has them).
const MOTHERS_READ: [&str; 4] = ["variant", "policy", "indicated_hours", "delivered_hours"];

pub(super) fn read_summary(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
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
pub(super) fn read_lorenz(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
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

pub(super) fn read_mothers(
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
}
