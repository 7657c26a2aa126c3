//! The headline of the report: which group it shows (a run's main policy, a sweep's
//! scenario as written), its figures as cards and a table of every policy and variant, and
//! one sentence on the worst weeks and regions.

use std::fmt::Write as _;

use super::format::{Format, escape, hours, pct, whole};
use crate::chart::data::{Metric, RunData, Totals, WeekSums};

/// The headline figures: cards for the main policy, and a table of every policy and variant.
pub(super) fn headline(h: &mut String, data: &RunData) {
    let figures: [(&str, Format, Metric); 6] = [
        (
            "mothers (whose care ended in the period)",
            |e| whole(e.mean),
            |t| t.mothers,
        ),
        ("below the 24 h minimum", pct, |t| {
            t.pct_of_mothers(t.below_minimum)
        }),
        ("without any care", pct, |t| {
            t.pct_of_mothers(t.without_care)
        }),
        ("full indication", pct, |t| {
            t.pct_of_mothers(t.full_indication)
        }),
        ("shortfall hours", hours, |t| t.shortfall_hours),
        (
            "shortfall, % of indicated hours",
            pct,
            Totals::shortfall_pct,
        ),
    ];
    let reps = data.replications(0);
    let intervals = if reps > 1 {
        format!(", mean of {reps} replications with the 95% confidence interval in brackets")
    } else {
        ", one replication (no interval)".to_string()
    };
    let main = headline_group(data);
    match &main {
        Headline::Group(g, note) => {
            let _ = write!(
                h,
                "<h2>Headline: {}</h2>\n<p>All regions{intervals}.{}</p>\n<div class=\"cards\">\n",
                escape(&data.group_label(*g)),
                if note.is_empty() {
                    String::new()
                } else {
                    format!(" {}", escape(note))
                }
            );
            for (label, format, f) in figures {
                let _ = writeln!(
                    h,
                    "<div class=\"card\"><div class=\"value\">{}</div><div class=\"label\">{}</div></div>",
                    format(data.estimate(*g, None, f)),
                    escape(label)
                );
            }
            h.push_str("</div>\n");
        }
        Headline::PerVariant(why) => {
            let _ = writeln!(
                h,
                "<h2>Headline: every variant</h2>\n<p>All regions{intervals}. {}</p>",
                escape(why)
            );
        }
    }
    when_and_where(h, data, main.group());
    if data.groups.len() > 1 {
        h.push_str(
            "<table id=\"headline-table\">\n<tr><th class=\"name\">variant / policy</th><th>mothers</th><th>% below minimum</th>\
             <th>% without care</th><th>% full indication</th><th>shortfall hours</th>\
             <th>shortfall % of indicated</th></tr>\n",
        );
        for g in 0..data.groups.len() {
            let _ = write!(
                h,
                "<tr><td class=\"name\">{}</td>",
                escape(&data.group_label(g))
            );
            for (_, format, f) in figures {
                let _ = write!(h, "<td>{}</td>", format(data.estimate(g, None, f)));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
}

/// One sentence on the worst weeks (all regions) and regions, for the headline's group.
fn when_and_where(h: &mut String, data: &RunData, group: usize) {
    let worst_weeks = |f: fn(&WeekSums) -> (f64, f64)| -> Vec<String> {
        let mut weeks: Vec<(usize, f64)> = (0..data.weeks.len())
            .filter_map(|w| {
                let mut sum = WeekSums::default();
                for r in &data.weekly[group] {
                    sum.add(&r[w]);
                }
                let (num, den) = f(&sum);
                (den > 0.0 && num > 0.0).then(|| (w, 100.0 * num / den))
            })
            .collect();
        weeks.sort_by(|a, b| b.1.total_cmp(&a.1));
        weeks
            .iter()
            .take(3)
            .map(|(w, v)| format!("{} ({v:.1}%)", data.weeks[*w].format("%-d %b %Y")))
            .collect()
    };
    let below = worst_weeks(|w| (w.below_minimum, w.births));
    let shortfall = worst_weeks(|w| (w.shortfall_hours, w.demand_hours));
    let mut text = Vec::new();
    if !below.is_empty() {
        text.push(format!(
            "most mothers below the minimum (per 100 births) in the weeks starting {}",
            below.join(", ")
        ));
    }
    if !shortfall.is_empty() {
        text.push(format!(
            "largest shortfall (% of indicated hours) in the weeks starting {}",
            shortfall.join(", ")
        ));
    }
    if data.regions.len() > 1 {
        let mut regions: Vec<(usize, f64)> = (0..data.regions.len())
            .map(|r| {
                let e = data.estimate(group, Some(r), |t| t.pct_of_mothers(t.below_minimum));
                (r, e.mean)
            })
            .collect();
        regions.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top: Vec<String> = regions
            .iter()
            .take(3)
            .map(|(r, v)| format!("{} ({v:.1}%)", data.regions[*r]))
            .collect();
        text.push(format!("most below the minimum in {}", top.join(", ")));
    }
    if !text.is_empty() {
        let of = if data.groups.len() > 1 {
            format!(" ({})", data.group_label(group))
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<p><strong>When and where{}:</strong> {}.</p>",
            escape(&of),
            escape(&text.join("; "))
        );
    }
}

/// What the headline shows.
pub(super) enum Headline {
    /// The cards of one (variant, policy) group, with a note on why that one.
    Group(usize, String),
    /// A sweep whose own values are not one of its variants, or whose scenario file is not
    /// at hand: no single variant stands for it, the table of every variant is the headline.
    PerVariant(String),
}

impl Headline {
    /// The group the rest of the report's "main" figures describe (regions, when and where).
    pub(super) fn group(&self) -> usize {
        match self {
            Headline::Group(g, _) => *g,
            Headline::PerVariant(_) => 0,
        }
    }
}

/// The headline of a run is its main policy. A sweep's is the scenario as written: the
/// variant whose swept values are the file's own (a policy analyst reads a sweep as "the plan,
/// and what changes around it"); when no variant has them all, or the scenario file is not at
/// hand to say what they are, no variant is singled out and every variant is the headline,
/// saying why. v000 is never chosen just for being first.
pub(super) fn headline_group(data: &RunData) -> Headline {
    if !data.has_variants() {
        return Headline::Group(0, String::new());
    }
    let Some(scenario) = &data.scenario else {
        return Headline::PerVariant(
            "The scenario file is not where run.json says, or has changed since the run, so \
             its own values are not known here; the table has every variant."
                .to_string(),
        );
    };
    let base = crate::scenario::base_values(scenario);
    let own: Vec<String> = base
        .iter()
        .map(|(path, v)| format!("{path} = {}", v.as_deref().unwrap_or("—")))
        .collect();
    let matches = |params: &[(String, String)]| {
        base.iter().all(|(path, value)| {
            value.as_ref().is_some_and(|value| {
                params.iter().any(|(p, v)| {
                    p == path
                        && v.parse::<f64>()
                            .ok()
                            .zip(value.parse::<f64>().ok())
                            .map_or(v == value, |(a, b)| a == b)
                })
            })
        })
    };
    let variant = data.variants.iter().find(|(_, params)| matches(params));
    match variant.and_then(|(id, _)| data.groups.iter().position(|g| g.variant == *id)) {
        Some(g) => Headline::Group(
            g,
            format!(
                "The scenario as written ({}): the variant with its own values; every variant \
                 in the table below.",
                own.join(", ")
            ),
        ),
        None => Headline::PerVariant(format!(
            "The scenario's own values ({}) are not one of the variants, so no single variant \
             stands for it: the table has every variant.",
            own.join(", ")
        )),
    }
}
