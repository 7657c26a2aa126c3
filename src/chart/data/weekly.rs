//! The series over time: weekly.csv (summed per group, region and week while read, and
//! counted into the distribution chart's bands when there is no mothers.csv) and yearly.csv
//! (its `ALL` rows, one per group, replication and calendar year).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use super::table::{Table, bad};
use super::{
    BANDS, Distribution, DistributionSource, Interner, RunData, WeekSums, YearRow, band_of,
};
use crate::chart::ChartError;
use crate::output::ALL;

pub(super) fn read_weekly(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
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
pub(super) fn read_yearly(dir: &Path, data: &mut RunData, interner: &mut Interner) -> Result<(), ChartError> {
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
    data.has_fte_by_source = [
        "carer_fte_from_start",
        "carer_fte_from_training",
        "carer_fte_from_hiring",
    ]
    .iter()
    .all(|c| t.has(c));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
