//! What a run prints on stdout: the one-screen table of the summary (mean and 95% interval
//! per policy and region; the mean alone where one replication gives no interval) and the
//! scenario's workforce in one line.

use std::fmt::Write as _;

use crate::results::Totals;
use crate::scenario::Scenario;

use super::{ALL, CLOSURES_CSV, REGISTRATIONS_CSV};
use super::rows::SummaryRow;
use super::stats::{Estimate, estimate};

/// The one-screen summary, with 95% half-widths over replications. With one policy: per
/// region (up to 15, largest gap first) and all regions. With several: one line per policy
/// over all regions, to compare them.
///
/// `variants` are a sweep's variant ids with what each sets (empty for a single run): the
/// table names its rows by id, so what the ids mean is printed under it.
pub fn summary_table(
    s: &Scenario,
    rows: &[SummaryRow<'_>],
    variants_set: &[(String, Vec<(String, String)>)],
) -> String {
    // (variant, policy) groups, in the order they ran.
    let mut groups: Vec<(&str, &str)> = Vec::new();
    let mut policies: Vec<&str> = Vec::new();
    for row in rows {
        if !groups.contains(&(row.variant, row.policy)) {
            groups.push((row.variant, row.policy));
        }
        if !policies.contains(&row.policy) {
            policies.push(row.policy);
        }
    }
    let estimate_of = |group: (&str, &str), region: &str, f: &dyn Fn(&Totals) -> f64| {
        let v: Vec<f64> = rows
            .iter()
            .filter(|row| (row.variant, row.policy) == group && row.region == region)
            .map(|row| f(&row.totals))
            .collect();
        estimate(&v)
    };
    let pct =
        |num: fn(&Totals) -> f64| move |t: &Totals| 100.0 * num(t) / (t.mothers as f64).max(1.0);
    let below = pct(|t| t.mothers_below_minimum as f64);
    let mut out = String::new();
    let variants = groups.len() / policies.len().max(1);
    let _ = writeln!(
        out,
        "{} | policy {} | {}{} replication(s) | {} to {}",
        s.name,
        policies.join(", "),
        if variants > 1 {
            format!("{variants} variants | ")
        } else {
            String::new()
        },
        s.replications,
        s.period.start,
        s.period.end
    );
    let _ = writeln!(
        out,
        "{:<24} {:>9} {:>15} {:>15} {:>15} {:>15} {:>13}",
        if groups.len() > 1 {
            "variant policy (all)"
        } else {
            "region"
        },
        "mothers",
        "% below min",
        "% no care",
        "% full indic.",
        "delivered h/m",
        "assists missed"
    );
    let line = |out: &mut String, label: &str, group: (&str, &str), region: &str| {
        // One replication gives no interval: no `±` that would look like certainty.
        let f = |e: Estimate| match e.ci95 {
            Some(_) => format!("{:.1} ±{:.1}", e.mean, e.half_width()),
            None => format!("{:.1}", e.mean),
        };
        let mothers = estimate_of(group, region, &|t| t.mothers as f64);
        let delivered = estimate_of(group, region, &|t| {
            t.delivered_hours / (t.mothers as f64).max(1.0)
        });
        let missed = estimate_of(group, region, &|t| {
            100.0 * t.birth_assists_missed as f64 / (t.birth_assists_requested as f64).max(1.0)
        });
        let _ = writeln!(
            out,
            "{:<24} {:>9.0} {:>15} {:>15} {:>15} {:>15} {:>13}",
            truncate(label, 24),
            mothers.mean,
            f(estimate_of(group, region, &below)),
            f(estimate_of(
                group,
                region,
                &pct(|t| t.mothers_without_care as f64)
            )),
            f(estimate_of(
                group,
                region,
                &pct(|t| t.mothers_full_indication as f64)
            )),
            f(delivered),
            format!("{:.1}%", missed.mean),
        );
    };
    if let [group] = groups[..] {
        let mut regions: Vec<&str> = s.regions.iter().map(|r| r.name.as_str()).collect();
        regions.sort_by(|a, b| {
            let gap = |r: &str| estimate_of(group, r, &below).mean;
            gap(b).total_cmp(&gap(a))
        });
        for region in regions.iter().take(15).copied().chain([ALL]) {
            line(&mut out, region, group, region);
        }
        if s.regions.len() > 15 {
            let _ = writeln!(
                out,
                "({} more regions in summary.csv)",
                s.regions.len() - 15
            );
        }
    } else {
        for &(variant, policy) in groups.iter().take(30) {
            let label = if variants > 1 {
                format!("{variant} {policy}")
            } else {
                policy.to_string()
            };
            line(&mut out, &label, (variant, policy), ALL);
        }
        if groups.len() > 30 {
            let _ = writeln!(out, "({} more in stats.csv)", groups.len() - 30);
        }
        let _ = writeln!(out, "(per region: summary.csv and stats.csv)");
        for (id, set) in variants_set.iter().take(30) {
            let set: Vec<String> = set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let _ = writeln!(out, "{id}: {}", set.join(", "));
        }
        if variants_set.len() > 30 {
            let _ = writeln!(out, "({} more in variants.csv)", variants_set.len() - 30);
        }
    }
    let _ = writeln!(
        out,
        "columns: mothers per replication; % of them below the 24 h minimum, without care, with \
         their full indication; delivered hours per mother; % of birth-assistance requests missed"
    );
    if s.replications > 1 {
        let _ = writeln!(
            out,
            "±: half the 95% interval over the {} replications (Student t, as stats.csv)",
            s.replications
        );
    } else {
        let _ = writeln!(
            out,
            "one replication: no interval (run more with --replications N for one)"
        );
    }
    let (carers, mean_hours) = workforce(s);
    let births = s.expected_births();
    let _ = writeln!(
        out,
        "input{}: {births:.0} expected births a year; {carers} carers, {mean_hours:.1} contract hours a week on average",
        if variants > 1 { " (first variant)" } else { "" }
    );
    // Where a coordinator finds what the observed-practice events did (files written only then).
    if !s.provider_closures.is_empty() {
        let _ = writeln!(
            out,
            "{CLOSURES_CSV}: per closing provider, the mothers moved (booked, in care), refused and sent elsewhere, and its carers who joined others or left"
        );
    }
    if s.policy.waiting_list.refusals {
        let _ = writeln!(
            out,
            "{REGISTRATIONS_CSV}: per region, mothers booked with their provider, placed by the waiting list or refused, early and late registrants (refused mothers count as without care)"
        );
    }
    out
}

/// Carers of the scenario (after `capacity_factor`, as the simulation rounds them) and their
/// mean contract hours per week.
pub fn workforce(s: &Scenario) -> (u64, f64) {
    let mut carers = 0u64;
    let mut hours = 0.0;
    for p in &s.providers {
        let n = u64::from(crate::generate::carers_of(s, p));
        carers += n;
        hours += n as f64
            * p.contract_hours_per_week
                .unwrap_or(s.carers.contract_hours_per_week);
    }
    (carers, hours / (carers as f64).max(1.0))
}

pub(super) fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equity::Equity;

    /// The summary rows of one replication of the baseline's one region and `ALL`, with
    /// `below` of 200 mothers below the minimum.
    fn replication<'a>(s: &'a Scenario, replication: u32, below: u64) -> Vec<SummaryRow<'a>> {
        let totals = Totals {
            mothers: 200,
            mothers_below_minimum: below,
            ..Totals::default()
        };
        [s.regions[0].name.as_str(), ALL]
            .into_iter()
            .map(|region| SummaryRow {
                variant: "base",
                policy: "minimum-first",
                replication,
                region,
                totals: totals.clone(),
                equity: Equity::default(),
            })
            .collect()
    }

    fn all_line(table: &str) -> &str {
        table
            .lines()
            .find(|l| l.starts_with("ALL "))
            .expect("a line for all regions")
    }

    #[test]
    fn one_replication_shows_the_mean_without_an_interval() {
        let mut s = crate::scenario::load_default().scenario;
        s.replications = 1;
        let table = summary_table(&s, &replication(&s, 0, 50), &[]);
        let all = all_line(&table);
        assert!(all.contains(" 25.0 "), "{all}");
        assert!(!all.contains('±'), "{all}");
        assert!(table.contains("one replication: no interval"), "{table}");
    }

    #[test]
    fn several_replications_show_half_the_95_percent_interval() {
        let mut s = crate::scenario::load_default().scenario;
        s.replications = 2;
        let mut rows = replication(&s, 0, 50);
        rows.extend(replication(&s, 1, 30));
        let table = summary_table(&s, &rows, &[]);
        // 25% and 15%: mean 20, standard error 5, t(0.975, 1 df) = 12.706.
        assert!(all_line(&table).contains("20.0 ±63.5"), "{table}");
        assert!(table.contains("over the 2 replications"), "{table}");
    }

    #[test]
    fn a_long_label_is_cut_at_a_character_not_a_byte() {
        assert_eq!(truncate("Súdwest-Fryslân", 10), "Súdwest-Fr");
        assert_eq!(truncate("Fryslân", 24), "Fryslân");
    }
}
