//! What a forecast says about each week: how likely mothers fall below the minimum
//! ([`Risk`]), why, and what would help ([`WeekAdvice`], as forecast-weeks.csv has it), the
//! postcodes most at risk, and the weeks at risk in words ([`weeks_at_risk`]) and the
//! one-screen summary ([`table`]) that the terminal and report.html share.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::forecast::bands::{
    ALL, ASSISTS_MISSED, ASSISTS_MISSED_BY_PART, ASSISTS_REQUESTED, ASSISTS_REQUESTED_BY_PART,
    AVAILABLE, BELOW_MINIMUM, Band, Bands, DEMAND, M, SHORTFALL, TO_GUARANTEED,
    TO_MINIMUM, Week,
};
use crate::results::{DAY_PART_NAMES, DAY_PARTS};

/// One postcode area in one week: mothers below the minimum (P90 and mean over the futures),
/// as forecast-postcodes.csv has it. The terminal takes them from the bands, the report
/// from the file, and both name the postcodes at risk with [`weeks_at_risk`].
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeWeek {
    pub week_start: NaiveDate,
    pub postcode: String,
    pub below_minimum_p90: f64,
    pub below_minimum_mean: f64,
}

/// Every postcode x week of `b`, in forecast-postcodes.csv's order.
pub fn postcode_weeks(b: &Bands) -> Vec<PostcodeWeek> {
    b.postcodes
        .iter()
        .flat_map(|pc| {
            b.weeks
                .iter()
                .zip(&pc.weeks)
                .map(|(week, [below, _])| PostcodeWeek {
                    week_start: week.start,
                    postcode: pc.postcode.to_string(),
                    below_minimum_p90: below.p90,
                    below_minimum_mean: below.mean,
                })
        })
        .collect()
}

/// The postcodes most at risk in the week starting `week`: those with mothers below the
/// minimum in at least 1 of 10 futures, by P90 then mean, at most `n`.
fn postcodes_at_risk(postcodes: &[PostcodeWeek], week: NaiveDate, n: usize) -> Vec<String> {
    let mut at_risk: Vec<&PostcodeWeek> = postcodes
        .iter()
        .filter(|pc| pc.week_start == week && pc.below_minimum_p90 > 0.0)
        .collect();
    at_risk.sort_by(|a, b| {
        b.below_minimum_p90
            .total_cmp(&a.below_minimum_p90)
            .then(b.below_minimum_mean.total_cmp(&a.below_minimum_mean))
    });
    at_risk
        .into_iter()
        .take(n)
        .map(|pc| format!("{} (P90 {:.0})", pc.postcode, pc.below_minimum_p90))
        .collect()
}

/// How likely a week is to leave mothers below the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// No mother below the minimum in 9 of 10 simulated futures.
    None,
    /// Some below the minimum in at least 1 of 10 futures (P90 > 0).
    Possible,
    /// Some below the minimum in at least half the futures (P50 > 0).
    Likely,
}

impl Risk {
    pub fn of(below_minimum: &Band) -> Risk {
        if below_minimum.p50 > 0.0 {
            Risk::Likely
        } else if below_minimum.p90 > 0.0 {
            Risk::Possible
        } else {
            Risk::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::None => "no",
            Risk::Possible => "possible",
            Risk::Likely => "likely",
        }
    }

    /// The risk as forecast-weeks.csv writes it ([`Risk::as_str`]).
    pub fn parse(text: &str) -> Option<Risk> {
        [Risk::None, Risk::Possible, Risk::Likely]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// One week of one series: its risk and what would help.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekAdvice {
    pub week: Week,
    pub region: String,
    pub provider: String,
    pub risk: Risk,
    pub below_minimum: Band,
    pub demand: Band,
    pub available: Band,
    pub to_minimum: Band,
    pub to_guaranteed: Band,
    pub to_full: Band,
    /// Carer-weeks (a roster carer's mean weekly care hours) that would give the P90 hours
    /// to the guaranteed hours and to the full indication.
    pub carer_weeks_guaranteed_p90: f64,
    pub carer_weeks_full_p90: f64,
    pub holiday_carer_weeks: f64,
    /// Birth-assistance requests and missed requests, all day parts.
    pub assists_requested: Band,
    pub assists_missed: Band,
    /// The day part with the largest share of its requests missed (mean missed / mean
    /// requested over the futures), and that share; `None` when no future misses one.
    pub worst_part: Option<(usize, f64)>,
}

/// The day part of a week with the largest share of its requests missed (ratio of the means
/// over the futures, the earlier part on ties), and the share; `None` without a miss.
fn worst_part(bands: &[Band; M]) -> Option<(usize, f64)> {
    let mut worst: Option<(usize, f64)> = None;
    for p in 0..DAY_PARTS {
        let requested = bands[ASSISTS_REQUESTED_BY_PART + p].mean;
        let missed = bands[ASSISTS_MISSED_BY_PART + p].mean;
        if requested > 0.0 && missed > 0.0 {
            let share = missed / requested;
            if worst.is_none_or(|(_, w)| share > w) {
                worst = Some((p, share));
            }
        }
    }
    worst
}

/// A count of mothers from a band (a quantile over the futures, so it can fall between two
/// whole numbers): whole when it is one, else with one decimal, so that a P50 of 0.5 next
/// to "likely" does not read `0`.
pub fn mothers(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{:.0}", x.round())
    } else {
        format!("{x:.1}")
    }
}

impl WeekAdvice {
    /// The worst day part in words: `evening 12%`, or `-` when no request is missed.
    pub fn worst_part_text(&self) -> String {
        match self.worst_part {
            Some((p, share)) => worst_part_text(DAY_PART_NAMES[p], share),
            None => worst_part_text("", 0.0),
        }
    }

    /// Why the week is at risk, in words.
    pub fn why(&self) -> String {
        match self.risk {
            Risk::None => String::new(),
            Risk::Likely => format!(
                "in half the futures {} or more mothers end below the minimum; demand {} h vs {} h carer hours (P50)",
                mothers(self.below_minimum.p50),
                self.demand.p50.round(),
                self.available.p50.round()
            ),
            Risk::Possible => format!(
                "in 1 of 10 futures {} or more mothers end below the minimum; demand {} h vs {} h carer hours (P50)",
                mothers(self.below_minimum.p90),
                self.demand.p50.round(),
                self.available.p50.round()
            ),
        }
    }
}

/// One row of forecast-weeks.csv as the terminal and the report show it: P50 and P90 where
/// the file has them, the reason in words and the worst day part as text. The terminal makes
/// it from the bands ([`WeekAdvice::row`]), the report reads it back from the file, so that
/// both say the same.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekRow {
    pub week_start: NaiveDate,
    pub days: u32,
    pub region: String,
    pub provider: String,
    pub risk: Risk,
    pub below_minimum_p50: f64,
    pub below_minimum_p90: f64,
    pub demand_p50: f64,
    pub available_p50: f64,
    pub to_guaranteed_p50: f64,
    pub to_guaranteed_p90: f64,
    pub to_full_p50: f64,
    pub to_full_p90: f64,
    pub carer_weeks_guaranteed_p90: f64,
    pub carer_weeks_full_p90: f64,
    pub holiday_carer_weeks: f64,
    pub why: String,
    pub assists_requested_p50: f64,
    pub assists_missed_p50: f64,
    pub assists_missed_p90: f64,
    /// [`WeekAdvice::worst_part_text`].
    pub worst_part: String,
}

impl WeekAdvice {
    /// The week as the terminal and the report show it.
    pub fn row(&self) -> WeekRow {
        WeekRow {
            week_start: self.week.start,
            days: self.week.days,
            region: self.region.clone(),
            provider: self.provider.clone(),
            risk: self.risk,
            below_minimum_p50: self.below_minimum.p50,
            below_minimum_p90: self.below_minimum.p90,
            demand_p50: self.demand.p50,
            available_p50: self.available.p50,
            to_guaranteed_p50: self.to_guaranteed.p50,
            to_guaranteed_p90: self.to_guaranteed.p90,
            to_full_p50: self.to_full.p50,
            to_full_p90: self.to_full.p90,
            carer_weeks_guaranteed_p90: self.carer_weeks_guaranteed_p90,
            carer_weeks_full_p90: self.carer_weeks_full_p90,
            holiday_carer_weeks: self.holiday_carer_weeks,
            why: self.why(),
            assists_requested_p50: self.assists_requested.p50,
            assists_missed_p50: self.assists_missed.p50,
            assists_missed_p90: self.assists_missed.p90,
            worst_part: self.worst_part_text(),
        }
    }
}

/// The day-part name and missed share of forecast-weeks.csv as
/// [`WeekAdvice::worst_part_text`] writes them.
pub fn worst_part_text(part: &str, share: f64) -> String {
    if part.is_empty() {
        "-".to_string()
    } else {
        format!("{part} {:.0}%", 100.0 * share)
    }
}

/// Every week of every series, in forecast.csv's series order.
pub fn advice(b: &Bands) -> Vec<WeekAdvice> {
    let mut out = Vec::new();
    for s in &b.series {
        for (w, week) in b.weeks.iter().enumerate() {
            let bands = &s.weeks[w];
            let per_carer_week = |hours: f64| {
                if s.carer_week_hours > 0.0 {
                    hours / s.carer_week_hours
                } else {
                    0.0
                }
            };
            out.push(WeekAdvice {
                week: *week,
                region: s.region.clone(),
                provider: s.provider.clone(),
                risk: Risk::of(&bands[BELOW_MINIMUM]),
                below_minimum: bands[BELOW_MINIMUM],
                demand: bands[DEMAND],
                available: bands[AVAILABLE],
                to_minimum: bands[TO_MINIMUM],
                to_guaranteed: bands[TO_GUARANTEED],
                to_full: bands[SHORTFALL],
                carer_weeks_guaranteed_p90: per_carer_week(bands[TO_GUARANTEED].p90),
                carer_weeks_full_p90: per_carer_week(bands[SHORTFALL].p90),
                holiday_carer_weeks: s.holiday_carer_weeks[w],
                assists_requested: bands[ASSISTS_REQUESTED],
                assists_missed: bands[ASSISTS_MISSED],
                worst_part: worst_part(bands),
            });
        }
    }
    out
}

/// Whether a row is the summary of the whole forecast: with one region its own row
/// (provider `ALL`), with several the row of all regions.
pub fn is_top(a: &WeekRow, single_region: bool) -> bool {
    if single_region {
        a.region != ALL && a.provider == ALL
    } else {
        a.region == ALL
    }
}

/// The one-screen summary: the known state, the weekly table of all regions, and the weeks
/// at risk with the providers that feel it.
pub fn table(b: &Bands) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Forecast from {} for {} weeks, {} replications of the future",
        b.as_of,
        b.weeks.len(),
        b.replications
    );
    for (region, bookings, in_care, carers) in &b.known_counts {
        let _ = writeln!(
            t,
            "  {region}: {bookings} mothers booked ({in_care} in care on {}), {carers} carers on the roster",
            b.as_of
        );
    }
    let _ = writeln!(
        t,
        "\nWhat helps, per week ({}; hours are P50 / P90 over the futures):",
        if b.known_counts.len() == 1 {
            b.known_counts[0].0.clone()
        } else {
            "all regions".to_string()
        }
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:<9} {:>9} {:>13} {:>14} {:>13} {:>16} {:>9}",
        "week",
        "days",
        "risk",
        "below min",
        "demand/avail",
        "to minimum h",
        "to full h",
        "carer-weeks P90",
        "holidays"
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:<9} {:>9} {:>13} {:>14} {:>13} {:>16} {:>9}",
        "", "", "", "P50/P90", "P50 h", "(+medical)", "", "min / full", "c-weeks"
    );
    let all: Vec<WeekRow> = advice(b).iter().map(WeekAdvice::row).collect();
    // One region: its own row (provider ALL); several: the row of all regions.
    let single = b.known_counts.len() == 1;
    let top: Vec<&WeekRow> = all.iter().filter(|a| is_top(a, single)).collect();
    for a in &top {
        let _ = writeln!(
            t,
            "{:<11} {:>4} {:<9} {:>9} {:>13} {:>14} {:>13} {:>16} {:>9.1}",
            a.week_start.to_string(),
            a.days,
            a.risk.as_str(),
            format!(
                "{}/{}",
                mothers(a.below_minimum_p50),
                mothers(a.below_minimum_p90)
            ),
            format!("{:.0}/{:.0}", a.demand_p50, a.available_p50),
            format!("{:.0}/{:.0}", a.to_guaranteed_p50, a.to_guaranteed_p90),
            format!("{:.0}/{:.0}", a.to_full_p50, a.to_full_p90),
            format!(
                "{:.1} / {:.1}",
                a.carer_weeks_guaranteed_p90, a.carer_weeks_full_p90
            ),
            a.holiday_carer_weeks
        );
    }
    let _ = writeln!(
        t,
        "\nBirth assistance, per week (all day parts; worst day part: the largest share missed):"
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:>12} {:>8} {:>16}",
        "week", "days", "requests P50", "missed", "worst day part"
    );
    let _ = writeln!(
        t,
        "{:<11} {:>4} {:>12} {:>8} {:>16}",
        "", "", "", "P50/P90", "(missed share)"
    );
    for a in &top {
        let _ = writeln!(
            t,
            "{:<11} {:>4} {:>12.0} {:>8} {:>16}",
            a.week_start.to_string(),
            a.days,
            a.assists_requested_p50,
            format!(
                "{}/{}",
                mothers(a.assists_missed_p50),
                mothers(a.assists_missed_p90)
            ),
            a.worst_part
        );
    }
    let at_risk = weeks_at_risk(&all, &postcode_weeks(b), !single);
    if at_risk.is_empty() {
        let _ = writeln!(t, "\n{NO_WEEK_AT_RISK}");
    } else {
        let _ = writeln!(t, "\nWeeks at risk:");
        for line in at_risk {
            let _ = writeln!(t, "  {line}");
        }
    }
    t
}

pub const NO_WEEK_AT_RISK: &str =
    "No week at risk: in 9 of 10 futures every mother gets her minimum.";

/// The weeks at risk in words, one line each: when, how likely, why, and which providers and
/// postcodes feel it (`all`: every row of forecast-weeks.csv; `several_regions`: the
/// summary rows are those of all regions). The terminal and report.html show the same lines.
pub fn weeks_at_risk(
    all: &[WeekRow],
    postcodes: &[PostcodeWeek],
    several_regions: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    let top = all
        .iter()
        .filter(|a| is_top(a, !several_regions) && a.risk != Risk::None);
    for a in top {
        let providers: Vec<String> = all
            .iter()
            .filter(|p| {
                p.week_start == a.week_start
                    && p.provider != ALL
                    && p.risk != Risk::None
                    && (several_regions || p.region == a.region)
            })
            .map(|p| {
                if several_regions {
                    format!("{} / {} ({})", p.region, p.provider, p.risk.as_str())
                } else {
                    format!("{} ({})", p.provider, p.risk.as_str())
                }
            })
            .collect();
        let postcodes = postcodes_at_risk(postcodes, a.week_start, 4);
        lines.push(format!(
            "{} {}: {}{}{}",
            a.week_start,
            a.risk.as_str(),
            a.why,
            if providers.is_empty() {
                String::new()
            } else {
                format!("; providers: {}", providers.join(", "))
            },
            if postcodes.is_empty() {
                String::new()
            } else {
                format!("; postcodes: {}", postcodes.join(", "))
            }
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fractional_count_of_mothers_keeps_one_decimal() {
        assert_eq!(mothers(0.5), "0.5");
        assert_eq!(mothers(2.1), "2.1");
        assert_eq!(mothers(3.0), "3");
        assert_eq!(mothers(12.98), "13");
        assert_eq!(mothers(0.0), "0");
    }
}
