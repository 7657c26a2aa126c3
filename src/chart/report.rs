//! report.html: one self-contained page per output directory (no network, no other files):
//! the scenario and its parameters (run.json), the headline figures with their 95% intervals,
//! the charts as inline PNG data URIs, the workforce over the years (multi-year outputs), the
//! per-region table sorted by gap, and the variants of a sweep.
//!
//! The HTML is written by hand with every text escaped ([`escape`]); a templating engine would
//! be a dependency for one page. A small inline script marks `<body data-images-ok="true">`
//! once every image has loaded and decoded, which the browser test reads.

use std::fmt::Write as _;

use super::Rendered;
use super::data::{Metric, RunData, Totals, WeekSums};

/// Formats an estimate for the page.
type Format = fn(Estimate) -> String;
use crate::output::Estimate;

/// Escapes text for HTML element content and for attribute values in either quote (`&`, `<`,
/// `>`, `"` and `'`), so one function serves every place the report puts a name or a path.
pub fn escape(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

/// Standard base64 (RFC 4648, with padding), for the PNG charts embedded in the report.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A number with thousands separators, no decimals.
pub(super) fn whole(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < -0.5 { format!("-{out}") } else { out }
}

/// "1.6%" or "1.6% <small>(1.1–2.1)</small>" with an interval, cut to 0-100% (a share
/// cannot leave it, though a t interval of few replications can).
fn pct(e: Estimate) -> String {
    match e.ci95 {
        Some((lo, hi)) => format!(
            "{:.1}%<span class=\"ci\"> ({:.1}–{:.1})</span>",
            e.mean,
            lo.max(0.0),
            hi.min(100.0)
        ),
        None => format!("{:.1}%", e.mean),
    }
}

/// Hours with thousands separators and the interval.
fn hours(e: Estimate) -> String {
    match e.ci95 {
        Some((lo, hi)) => format!(
            "{}<span class=\"ci\"> ({}–{})</span>",
            whole(e.mean),
            whole(lo.max(0.0)),
            whole(hi)
        ),
        None => whole(e.mean),
    }
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 0 auto; max-width: 1320px;
       padding: 0 24px 48px; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7em; margin: 28px 0 4px; }
h2 { font-size: 1.3em; margin-top: 40px; border-bottom: 2px solid #0072b2; padding-bottom: 4px; }
p.lead { color: #444; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: 10px 16px; min-width: 170px; }
.card .value { font-size: 1.6em; font-weight: bold; }
.card .label { color: #444; font-size: 0.9em; }
.ci { color: #555; font-size: 0.85em; font-weight: normal; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #eef4f9; }
td.name, th.name { text-align: left; }
figure { margin: 24px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #333; max-width: 1100px; margin-top: 6px; }
footer { margin-top: 40px; color: #555; font-size: 0.85em; }
";

/// A tiny check for tests and for the reader: every image loaded and decoded.
const SCRIPT: &str = "
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.length > 0 && images.every(function (img) {
    return img.complete && img.naturalWidth > 0;
  });
  document.body.dataset.images = String(images.length);
  document.body.dataset.imagesOk = ok ? 'true' : 'false';
});
";

/// The report of `data` with the charts `charts`.
pub fn html(data: &RunData, charts: &[Rendered]) -> String {
    let name = escape(&data.name());
    let mut h = String::with_capacity(
        charts.iter().map(|c| c.png.len() * 4 / 3).sum::<usize>() + 64 * 1024,
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>kraamsim report: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let policies = policy_list(&data.meta).unwrap_or_default();
    let reps = data.replications(0);
    let _ = write!(
        h,
        "<h1>kraamsim report: {name}</h1>\n<p class=\"lead\">Maternity home care (kraamzorg) from {} to {}: \
         {} region(s), policy {}, {reps} replication(s){}.</p>\n",
        escape(data.meta_str("report_start")),
        escape(data.meta_str("report_end")),
        data.regions.len(),
        escape(&policies),
        if data.variants.is_empty() {
            String::new()
        } else {
            format!(", {} variants", data.variants.len())
        },
    );
    headline(&mut h, data);
    h.push_str("<h2>Charts</h2>\n");
    let (yearly, others): (Vec<&Rendered>, Vec<&Rendered>) =
        charts.iter().partition(|c| YEARLY_CHARTS.contains(&c.name));
    for c in others {
        figure(&mut h, c);
    }
    workforce_section(&mut h, data, &yearly);
    equity_table(&mut h, data);
    tier_table(&mut h, data);
    assist_table(&mut h, data);
    continuity_table(&mut h, data);
    regions_table(&mut h, data);
    variants_table(&mut h, data);
    parameters(&mut h, data);
    let _ = write!(
        h,
        "<footer>Written by kraamsim {} from the CSV files of this output directory \
         (summary.csv, weekly.csv, stats.csv{}{}). Charts as PNG and SVG in <code>charts/</code>; \
         redraw with <code>kraamsim chart DIR</code>. Charts use the DejaVu Sans font (DejaVu \
         fonts licence, bundled with kraamsim).</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(data.meta_str("kraamsim_version")),
        if data.years.len() > 1 {
            ", yearly.csv"
        } else {
            ""
        },
        if data.distribution.source == super::data::DistributionSource::Mothers {
            ", mothers.csv"
        } else {
            ""
        }
    );
    h
}

/// The charts of yearly.csv, shown in the workforce section rather than with the others.
const YEARLY_CHARTS: [&str; 2] = ["workforce", "yearly-below-minimum"];

/// A chart as an inline PNG with its caption.
fn figure(h: &mut String, c: &Rendered) {
    let _ = write!(
        h,
        "<figure id=\"{id}\">\n<img src=\"data:image/png;base64,{}\" width=\"{}\" height=\"{}\" alt=\"{}\">\n\
         <figcaption><strong>{}</strong> {}</figcaption>\n</figure>\n",
        base64(&c.png),
        c.size.0,
        c.size.1,
        escape(&c.title),
        escape(&c.title),
        escape(&c.caption),
        id = c.name,
    );
}

/// "0.98%" or "0.98% (0.91–1.05)": a small percentage with two decimals, where one would
/// round the shares below the minimum of the better variants to the same figure.
fn pct2(e: Estimate) -> String {
    match e.ci95 {
        Some((lo, hi)) => format!(
            "{:.2}%<span class=\"ci\"> ({:.2}–{:.2})</span>",
            e.mean,
            lo.max(0.0),
            hi
        ),
        None => format!("{:.2}%", e.mean),
    }
}

/// Multi-year outputs: the yearly charts, and a table of years × variants (and policies) of
/// the mean share of mothers below the minimum with its interval. Nothing for a single year.
fn workforce_section(h: &mut String, data: &RunData, charts: &[&Rendered]) {
    if data.years.len() < 2 {
        return;
    }
    h.push_str(
        "<h2 id=\"workforce-years\">Workforce over the years</h2>\n<p>Per calendar year, all \
         regions (yearly.csv): who the qualified carers are and how many mothers fall below \
         the 24 h minimum. Reading guide in docs/workforce.md.</p>\n",
    );
    for c in charts {
        figure(h, c);
    }
    let groups: Vec<usize> = (0..data.groups.len()).collect();
    let _ = write!(
        h,
        "<p>Mothers below the minimum, % of the mothers whose care ended in the year: mean \
         over replications with the 95% interval in brackets.</p>\n<table id=\"yearly-below-minimum-table\">\n\
         <tr><th class=\"name\">year</th>"
    );
    for &g in &groups {
        let _ = write!(h, "<th>{}</th>", escape(&data.group_label(g)));
    }
    h.push_str("</tr>\n");
    for &year in &data.years {
        let _ = write!(h, "<tr><td class=\"name\">{year}</td>");
        for &g in &groups {
            let e = data.year_estimate(g, year, super::data::YearRow::pct_below_minimum);
            let _ = write!(h, "<td>{}</td>", pct2(e));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// The headline figures: cards for the main policy, and a table of every policy and variant.
fn headline(h: &mut String, data: &RunData) {
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

/// "0.125" or "0.125 (0.121–0.128)": a ratio with its interval.
fn ratio(e: Estimate) -> String {
    match e.ci95 {
        Some((lo, hi)) => format!("{:.3}<span class=\"ci\"> ({lo:.3}–{hi:.3})</span>", e.mean),
        None => format!("{:.3}", e.mean),
    }
}

/// How the shortfall is spread (`docs/metrics.md`), over all regions, per policy and
/// variant: the worst-off, the inequality, and who bears it.
fn equity_table(h: &mut String, data: &RunData) {
    if !data.has_equity {
        return;
    }
    h.push_str(
        "<h2>Equity: how the shortfall is spread</h2>\n<p>All regions; mean over replications \
         with the 95% interval. Ratio = a mother's delivered / indicated hours. Gini: 0 when \
         every mother gets the same share of her indication. Late registrants registered in \
         week 20 of pregnancy or later; a shortfall share above their share of mothers means \
         they bear more than their part. Definitions in docs/metrics.md.</p>\n<table>\n\
         <tr><th class=\"name\">variant / policy</th><th>% below minimum</th>\
         <th>mean ratio</th><th>P10 ratio</th><th>Gini</th><th>largest shortfall (h)</th>\
         <th>late registrants: % of mothers</th><th>late registrants: % of shortfall</th>\
         <th>mothers transferred</th></tr>\n",
    );
    for g in 0..data.groups.len() {
        let e = |f: fn(&Totals) -> f64| data.estimate(g, None, f);
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&data.group_label(g)),
            pct(e(|t| t.pct_of_mothers(t.below_minimum))),
            ratio(e(|t| t.equity.mean_ratio)),
            ratio(e(|t| t.equity.p10_ratio)),
            ratio(e(|t| t.equity.gini)),
            hours(e(|t| t.equity.max_shortfall_hours)),
            pct(e(|t| 100.0 * t.equity.late_share_of_mothers)),
            pct(e(|t| 100.0 * t.equity.late_share_of_shortfall)),
            hours(e(|t| t.equity.transferred)),
        );
    }
    h.push_str("</table>\n");
}

/// Who gets which hours (`DESIGN.md` §2), over all regions, per policy and variant: the
/// fill of every tier, and the late registrants given tier-4 hours while an early registrant
/// was behind on her tier 3.
fn tier_table(h: &mut String, data: &RunData) {
    if !data.has_tiers {
        return;
    }
    h.push_str(
        "<h2>Tiers: whose hours come first</h2>\n<p>All regions; mean over replications with \
         the 95% interval. Fill: delivered over indicated hours of the tier, every mother's \
         (those turned away included). Tier 1 the 24-hour minimum, 2 medical hours, 3 the rest \
         for mothers registered before week 20 of pregnancy (guaranteed), 4 the rest for later \
         registrants. The last column counts late registrants who got tier-4 hours on a day an \
         early registrant of their scope was still owed tier-3 hours with room for more: 0 \
         under minimum-first. Definitions in docs/metrics.md.</p>\n<table id=\"tier-table\">\n\
         <tr><th class=\"name\">variant / policy</th><th>tier-1 fill</th><th>tier-2 fill</th>\
         <th>tier-3 fill</th><th>tier-4 fill</th>\
         <th>late registrants given tier 4 while an early one was behind</th></tr>\n",
    );
    for g in 0..data.groups.len() {
        let e = |f: fn(&Totals) -> f64| data.estimate(g, None, f);
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&data.group_label(g)),
            ratio(e(|t| t.tiers.fill(0))),
            ratio(e(|t| t.tiers.fill(1))),
            ratio(e(|t| t.tiers.fill(2))),
            ratio(e(|t| t.tiers.fill(3))),
            hours(e(|t| t.tiers.late_tier4_while_early_behind)),
        );
    }
    h.push_str("</table>\n");
}

/// Missed birth-assistance requests in day part `P` as a percentage of its requests.
fn missed_pct<const P: usize>(t: &Totals) -> f64 {
    100.0 * t.assist.missed[P] / t.assist.requested[P].max(1.0)
}

fn called_away_pct<const P: usize>(t: &Totals) -> f64 {
    100.0 * t.assist.called_away[P] / t.assist.requested[P].max(1.0)
}

/// Birth assistance per day part (`docs/birth-assistance.md`) and continuity, over all
/// regions, per policy and variant.
fn assist_table(h: &mut String, data: &RunData) {
    if !data.has_assist {
        return;
    }
    h.push_str(
        "<h2>Birth assistance and continuity</h2>\n<p>All regions; mean over replications \
         with the 95% interval. Requests: births that needed a carer; called away: no carer \
         on call was free, so a carer on duty left her families for the birth (the care hours \
         they lost are the cost); missed: no carer of her provider at work that day; on-call \
         hours: carers on call × hours of the day part. Over two carers: mothers who saw more \
         than two carers (the seed's aim is at most two). Definitions in docs/metrics.md.</p>\n\
         <table>\n<tr><th class=\"name\">variant / policy</th>\
         <th>requests night / day / evening</th><th>% missed night</th><th>% missed day</th>\
         <th>% missed evening</th><th>% called away night / day / evening</th>\
         <th>care hours lost</th><th>on-call hours night / day / evening</th>\
         <th>% over two carers</th></tr>\n",
    );
    for g in 0..data.groups.len() {
        let e = |f: fn(&Totals) -> f64| data.estimate(g, None, f);
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}</td><td>{:.0} / {:.0} / {:.0}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1} / {:.1} / {:.1}</td><td>{:.0}</td><td>{:.0} / {:.0} / {:.0}</td><td>{}</td></tr>",
            escape(&data.group_label(g)),
            e(|t| t.assist.requested[0]).mean,
            e(|t| t.assist.requested[1]).mean,
            e(|t| t.assist.requested[2]).mean,
            pct(e(missed_pct::<0>)),
            pct(e(missed_pct::<1>)),
            pct(e(missed_pct::<2>)),
            e(called_away_pct::<0>).mean,
            e(called_away_pct::<1>).mean,
            e(called_away_pct::<2>).mean,
            e(|t| t.assist.hours_from_care.iter().sum()).mean,
            e(|t| t.assist.on_call_hours[0]).mean,
            e(|t| t.assist.on_call_hours[1]).mean,
            e(|t| t.assist.on_call_hours[2]).mean,
            pct(e(|t| t.pct_of_mothers(t.assist.over_two_carers))),
        );
    }
    h.push_str("</table>\n");
}

/// Mothers with care who had `N` carers (`N` = 4: four or more), as a percentage.
fn carers_pct<const N: usize>(t: &Totals) -> f64 {
    100.0 * t.assist.carers[N - 1] / t.assist.carers.iter().sum::<f64>().max(1.0)
}

/// Mothers with a third carer for reason `R` (away, rest, busy, other), as a percentage of
/// the mothers with care.
fn third_pct<const R: usize>(t: &Totals) -> f64 {
    100.0 * t.assist.third_carer[R] / t.assist.carers.iter().sum::<f64>().max(1.0)
}

/// How many carers a family saw (the seed's aim: at most two) and why a third one came, over
/// all regions, per policy and variant.
fn continuity_table(h: &mut String, data: &RunData) {
    if !data.has_continuity {
        return;
    }
    h.push_str(
        "<h2>Carers per family</h2>\n<p>All regions; mean over replications with the 95% \
         interval, as a percentage of the mothers who got care. A family keeps her main carer \
         and gets a second one for the days the main one is off (the seed's aim: at most two). \
         Why a third came: <b>away</b>, her carers were on holiday or sick; <b>rest</b>, they \
         were at a working-time limit (free weekend, rest day after six in a row, 36 hours in \
         the week, their hours for the 4-week period spent); <b>busy</b>, one of them had hours \
         that day but not enough, her carers' hours going to other families too; <b>other</b>, \
         continuity switched off or a carer lent by another provider. Definitions in \
         docs/metrics.md.</p>\n\
         <table>\n<tr><th class=\"name\">variant / policy</th><th>% 1 carer</th>\
         <th>% 2 carers</th><th>% 3 carers</th><th>% 4 or more</th><th>% at most two</th>\
         <th>third carer: % away</th><th>% rest</th><th>% busy</th><th>% other</th></tr>\n",
    );
    for g in 0..data.groups.len() {
        let e = |f: fn(&Totals) -> f64| data.estimate(g, None, f);
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&data.group_label(g)),
            pct(e(carers_pct::<1>)),
            pct(e(carers_pct::<2>)),
            pct(e(carers_pct::<3>)),
            pct(e(carers_pct::<4>)),
            pct(e(|t| carers_pct::<1>(t) + carers_pct::<2>(t))),
            pct(e(third_pct::<0>)),
            pct(e(third_pct::<1>)),
            pct(e(third_pct::<2>)),
            pct(e(third_pct::<3>)),
        );
    }
    h.push_str("</table>\n");
}

/// Per region (the headline's group): the figures, sorted by the share below the minimum.
fn regions_table(h: &mut String, data: &RunData) {
    let group = headline_group(data).group();
    let below = |t: &Totals| t.pct_of_mothers(t.below_minimum);
    let mut order: Vec<(usize, f64)> = (0..data.regions.len())
        .map(|r| (r, data.estimate(group, Some(r), below).mean))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let _ = write!(
        h,
        "<h2>Regions by gap</h2>\n<p>{}, per region, largest share below the minimum first.</p>\n\
         <table>\n<tr><th class=\"name\">region</th><th>mothers</th><th>% below minimum</th>\
         <th>% without care</th><th>% full indication</th><th>shortfall hours</th>\
         <th>shortfall % of indicated</th></tr>\n",
        escape(&data.group_label(group))
    );
    for (r, _) in order {
        let e = |f: fn(&Totals) -> f64| data.estimate(group, Some(r), f);
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&data.regions[r]),
            whole(e(|t| t.mothers).mean),
            pct(e(below)),
            pct(e(|t| t.pct_of_mothers(t.without_care))),
            pct(e(|t| t.pct_of_mothers(t.full_indication))),
            hours(e(|t| t.shortfall_hours)),
            pct(e(Totals::shortfall_pct)),
        );
    }
    h.push_str("</table>\n");
}

/// variants.csv of a sweep.
fn variants_table(h: &mut String, data: &RunData) {
    let Some((_, first)) = data.variants.first() else {
        return;
    };
    h.push_str("<h2>Variants</h2>\n<table>\n<tr><th class=\"name\">variant</th>");
    for (path, _) in first {
        let _ = write!(h, "<th>{}</th>", escape(path));
    }
    h.push_str("</tr>\n");
    for (id, params) in &data.variants {
        let _ = write!(h, "<tr><td class=\"name\">{}</td>", escape(id));
        for (_, value) in params {
            let _ = write!(h, "<td>{}</td>", escape(value));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// What the headline shows.
enum Headline {
    /// The cards of one (variant, policy) group, with a note on why that one.
    Group(usize, String),
    /// A sweep whose own values are not one of its variants, or whose scenario file is not
    /// at hand: no single variant stands for it, the table of every variant is the headline.
    PerVariant(String),
}

impl Headline {
    /// The group the rest of the report's "main" figures describe (regions, when and where).
    fn group(&self) -> usize {
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
fn headline_group(data: &RunData) -> Headline {
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

/// A figure for reading: thousands separators, at most two decimals, no trailing zeros
/// (`2,549,155.78`, `0.15`, `12`).
fn reading(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let cents = (x.abs() * 100.0).round();
    let int = (cents / 100.0).trunc();
    let frac = (cents - 100.0 * int) as u64;
    let mut text = whole(int);
    if frac > 0 {
        let decimals = format!("{frac:02}");
        text.push('.');
        text.push_str(decimals.trim_end_matches('0'));
    }
    if x < 0.0 && text != "0" {
        text.insert(0, '-');
    }
    text
}

/// The scenario's inputs and the run's settings in words and units, read tolerantly from
/// run.json (a field it lacks shows "—"; fields added later are listed after, for reading)
/// and from the scenario file when it is at hand ([`RunData::scenario`]). run.json itself
/// stays in the directory, exact.
fn parameters(h: &mut String, data: &RunData) {
    let meta = &data.meta;
    let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let number = |k: &str| meta.get(k).and_then(serde_json::Value::as_f64);
    let dash = || "—".to_string();
    let scenario = data.scenario.as_ref();
    let mut rows: Vec<(&str, String)> = Vec::new();
    rows.push((
        "scenario",
        match (text("scenario_name"), scenario) {
            (Some(n), Some(s)) if !s.description.is_empty() => format!("{n}: {}", s.description),
            (Some(n), _) => n,
            (None, _) => dash(),
        },
    ));
    rows.push((
        "scenario file",
        match text("scenario_path") {
            Some(p) if scenario.is_some() => format!("{p} (unchanged since the run)"),
            Some(p) => format!(
                "{p} (moved or changed since the run: providers, carers, births and scope not shown)"
            ),
            None => dash(),
        },
    ));
    let days = data
        .meta_date("report_start")
        .zip(data.meta_date("report_end"))
        .map(|(a, b)| (b - a).num_days() + 1);
    rows.push((
        "period",
        match (text("report_start"), text("report_end")) {
            (Some(a), Some(b)) => format!(
                "{a} to {b}{}{}",
                days.map(|d| format!(" ({} days)", whole(d as f64)))
                    .unwrap_or_default(),
                number("warmup_days")
                    .map(|w| format!(", after {} days of warm-up", whole(w)))
                    .unwrap_or_default()
            ),
            _ => dash(),
        },
    ));
    let names: Vec<&str> = data.regions.iter().take(8).map(String::as_str).collect();
    rows.push((
        "regions",
        format!(
            "{}: {}{}",
            number("regions").map_or_else(|| whole(data.regions.len() as f64), whole),
            names.join(", "),
            if data.regions.len() > names.len() {
                format!(" and {} more", data.regions.len() - names.len())
            } else {
                String::new()
            }
        ),
    ));
    rows.push((
        "providers",
        scenario.map_or_else(dash, |s| whole(s.providers.len() as f64)),
    ));
    rows.push((
        "carers",
        scenario.map_or_else(dash, |s| {
            let carers: u32 = s.providers.iter().map(|p| p.carers).sum();
            format!(
                "{} employed at the start, {} h a week by default",
                whole(f64::from(carers)),
                reading(s.carers.contract_hours_per_week)
            )
        }),
    ));
    rows.push((
        "births",
        scenario.map_or_else(dash, |s| {
            let births: f64 = s
                .regions
                .iter()
                .flat_map(|r| &r.postcodes)
                .map(|p| p.births_per_year)
                .sum();
            format!("{} a year (the postcodes' births per year)", whole(births))
        }),
    ));
    // run.json's scope when it records one (a --scope flag changes it); else the file's.
    let scope = text("scope").map(|s| (s, "")).or_else(|| {
        scenario.map(|s| {
            (
                s.policy.scope.as_str().to_string(),
                ", as the scenario file sets it",
            )
        })
    });
    rows.push((
        "capacity scope",
        scope.map_or_else(dash, |(scope, source)| {
            let what = match scope.as_str() {
                "provider" => "each provider with its own carers",
                "region" => "carers pooled over the region",
                "waiting-list" => "each provider, with the region's waiting list between them",
                _ => "",
            };
            if what.is_empty() {
                format!("{scope}{source}")
            } else {
                format!("{scope} ({what}{source})")
            }
        }),
    ));
    rows.push(("policies", policy_list(meta).unwrap_or_else(dash)));
    if data.has_variants() {
        let swept: Vec<&str> = data
            .variants
            .first()
            .map(|(_, p)| p.iter().map(|(path, _)| path.as_str()).collect())
            .unwrap_or_default();
        rows.push((
            "variants",
            format!(
                "{} of {} (the Variants table)",
                data.variants.len(),
                swept.join(", ")
            ),
        ));
    }
    // A seed is a u64, beyond f64's exact integers.
    rows.push((
        "seed",
        meta.get("seed")
            .and_then(serde_json::Value::as_u64)
            .map_or_else(dash, |s| s.to_string()),
    ));
    rows.push((
        "replications",
        number("replications").map_or_else(dash, whole),
    ));
    rows.push(("threads", number("threads").map_or_else(dash, whole)));
    rows.push((
        "run time",
        match number("wall_seconds") {
            Some(s) => format!(
                "{} s{}",
                reading(s),
                match (number("events"), number("events_per_second")) {
                    (Some(e), Some(r)) => {
                        format!(", {} events ({} a second)", whole(e), whole(r))
                    }
                    _ => String::new(),
                }
            ),
            None => dash(),
        },
    ));
    rows.push((
        "mothers.csv",
        match meta.get("mothers_csv").and_then(serde_json::Value::as_bool) {
            Some(true) => "written".to_string(),
            Some(false) => "not written (--mothers-csv writes it)".to_string(),
            None => dash(),
        },
    ));
    rows.push(("kraamsim", text("kraamsim_version").unwrap_or_else(dash)));
    // Fields shown above, or bookkeeping of the run (resume, interruption).
    const SHOWN: [&str; 21] = [
        "scope",
        "kraamsim_version",
        "scenario_name",
        "scenario_path",
        "scenario_sha256",
        "seed",
        "replications",
        "regions",
        "threads",
        "policy",
        "policies",
        "variant",
        "variants",
        "report_start",
        "report_end",
        "warmup_days",
        "mothers_csv",
        "wall_seconds",
        "events",
        "events_per_second",
        "resume_key",
    ];
    let bookkeeping = ["interrupted", "units_done", "units_total"];
    let others: Vec<(&String, String)> = meta
        .iter()
        .filter(|(k, _)| !SHOWN.contains(&k.as_str()) && !bookkeeping.contains(&k.as_str()))
        .map(|(k, v)| (k, for_reading(v)))
        .collect();
    h.push_str(
        "<h2>Scenario and run</h2>\n<p>The scenario's inputs and the run's settings; run.json \
         in this directory has them exactly.</p>\n<table id=\"parameters\">\n",
    );
    for (key, value) in rows
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .chain(others.into_iter().map(|(k, v)| (k.replace('_', " "), v)))
    {
        let _ = writeln!(
            h,
            "<tr><th class=\"name\">{}</th><td class=\"name\">{}</td></tr>",
            escape(&key),
            escape(&value)
        );
    }
    h.push_str("</table>\n");
}

/// A run.json value for reading: numbers as [`reading`], lists joined, yes / no.
fn for_reading(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), reading),
        serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::Array(a) => a.iter().map(for_reading).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(o) => o
            .iter()
            .map(|(k, v)| format!("{k}: {}", for_reading(v)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// run.json's `policies`, as "a, b, c" (`None` when run.json has none).
fn policy_list(meta: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let names = meta.get("policies")?.as_array()?;
    Some(
        names
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
    }

    #[test]
    fn figures_are_rounded_for_reading() {
        assert_eq!(reading(2549155.7803904894), "2,549,155.78");
        assert_eq!(reading(0.152684023), "0.15");
        assert_eq!(reading(12.0), "12");
        assert_eq!(reading(0.5), "0.5");
        assert_eq!(reading(-3.999), "-4");
        assert_eq!(
            for_reading(&serde_json::json!([1.23456, true, "x"])),
            "1.23, yes, x"
        );
    }

    #[test]
    fn whole_numbers_get_separators() {
        assert_eq!(whole(164487.4), "164,487");
        assert_eq!(whole(999.0), "999");
        assert_eq!(whole(1000.0), "1,000");
    }
}
