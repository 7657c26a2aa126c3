//! The tables of the report after the charts, over all regions per policy and variant
//! (equity, tiers, birth assistance, continuity), per region for the headline's group, and
//! a sweep's variants.

use std::fmt::Write as _;

use super::format::{escape, hours, pct, ratio, whole};
use super::headline::headline_group;
use crate::chart::data::{RunData, Totals};

/// How the shortfall is spread (`docs/metrics.md`), over all regions, per policy and
/// variant: the worst-off, the inequality, and who bears it.
pub(super) fn equity_table(h: &mut String, data: &RunData) {
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
pub(super) fn tier_table(h: &mut String, data: &RunData) {
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
pub(super) fn assist_table(h: &mut String, data: &RunData) {
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
pub(super) fn continuity_table(h: &mut String, data: &RunData) {
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
pub(super) fn regions_table(h: &mut String, data: &RunData) {
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
pub(super) fn variants_table(h: &mut String, data: &RunData) {
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
