//! report.html: one self-contained page per output directory (no network, no other files):
//! the scenario and its parameters (run.json), the headline figures with their 95% intervals,
//! the charts as inline PNG data URIs, the workforce over the years (multi-year outputs), the
//! per-region table sorted by gap, and the variants of a sweep.
//!
//! The HTML is written by hand with every text escaped ([`escape`]); a templating engine would
//! be a dependency for one page. A small inline script marks `<body data-images-ok="true">`
//! once every image has loaded and decoded, which the browser test reads.
//!
//! This file assembles the page ([`html`]); the headline is in `headline`, the tables in
//! `tables`, the parameters in `parameters`, and how a figure is written in `format`.

mod format;
mod headline;
mod parameters;
mod tables;

use std::fmt::Write as _;

use super::Rendered;
use super::data::RunData;

pub use format::{base64, escape};
pub(super) use format::whole;

use format::pct2;
use headline::headline;
use parameters::{parameters, policy_list};
use tables::{
    assist_table, continuity_table, equity_table, regions_table, tier_table, variants_table,
};

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
