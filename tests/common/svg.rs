//! Reading charts and reports the way a reader does, for the chart tests and the browser
//! test: the texts of an SVG with their positions, the coloured mark beside a legend label,
//! the policy each mark stands for, and the text of a report's table cells.
// Each test target that includes this file uses some of its helpers, not all.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

/// A number with four or more decimals (`0.6000000000000001`): what a reader should never see.
pub fn has_raw_float(text: &str) -> bool {
    let b = text.as_bytes();
    (1..b.len()).any(|i| {
        b[i] == b'.'
            && b[i - 1].is_ascii_digit()
            && b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count() >= 4
    })
}

/// The colour of each policy in every chart (`chart::policy_colour`, Okabe-Ito).
pub const POLICY_COLOURS: [(&str, &str); 4] = [
    ("minimum-first", "#009E73"),
    ("proportional", "#E69F00"),
    ("first-come-first-served", "#56B4E9"),
    ("refuse-when-full", "#CC79A7"),
];

/// A `<text>` element of an SVG: position, anchor and text (trimmed).
#[derive(Debug, Clone)]
pub struct SvgText {
    pub x: f64,
    pub y: f64,
    pub anchor: String,
    pub text: String,
}

/// The value of attribute `name` in the element text `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

pub fn texts(svg: &str) -> Vec<SvgText> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let open = t.find('>')?;
            let tag = &t[..open];
            let end = t.find("</text>")?;
            Some(SvgText {
                x: attr(tag, "x")?.parse().ok()?,
                y: attr(tag, "y")?.parse().ok()?,
                anchor: attr(tag, "text-anchor").unwrap_or("start").to_string(),
                text: t[open + 1..end].trim().to_string(),
            })
        })
        .collect()
}

/// The coloured marks of an SVG (legend lines, dots, swatches): position and colour, leaving
/// out black, white and greys (axes, frames, grid).
pub fn marks(svg: &str) -> Vec<(f64, f64, String)> {
    let mut out = Vec::new();
    for kind in ["<polyline", "<line", "<circle", "<rect"] {
        for part in svg.split(kind).skip(1) {
            let tag = &part[..part.find('>').unwrap_or(part.len())];
            let colour = match attr(tag, "fill") {
                Some(f) if f != "none" => f,
                _ => attr(tag, "stroke").unwrap_or("none"),
            };
            let grey =
                colour.len() == 7 && colour[1..3] == colour[3..5] && colour[3..5] == colour[5..7];
            if colour == "none" || grey {
                continue;
            }
            let number = |name| attr(tag, name).and_then(|v| v.parse::<f64>().ok());
            let at = match kind {
                "<polyline" => attr(tag, "points").and_then(|p| {
                    let (x, y) = p.split_whitespace().next()?.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                }),
                "<line" => number("x1").zip(number("y1")),
                "<circle" => number("cx").zip(number("cy")),
                _ => {
                    number("x").zip(number("y").map(|y| y + number("height").unwrap_or(0.0) / 2.0))
                }
            };
            if let Some((x, y)) = at {
                out.push((x, y, colour.to_string()));
            }
        }
    }
    out
}

/// The colour of the mark beside a label: for a legend entry (text anchored at its start)
/// the mark just left of it on its row; for a row label (anchored at its end) the swatch at
/// the left of its row.
pub fn mark_colour(marks: &[(f64, f64, String)], t: &SvgText) -> Option<String> {
    let (row_top, row_bottom) = if t.anchor == "end" {
        (t.y - 8.0, t.y + 8.0)
    } else {
        (t.y - 2.0, t.y + 18.0)
    };
    marks
        .iter()
        .filter(|(x, y, _)| {
            *y >= row_top && *y <= row_bottom && *x < t.x && (t.anchor == "end" || t.x - x <= 40.0)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|m| m.2.clone())
}

/// For each chart of `charts` in `out`, the colour of the mark of each policy's label
/// (`label_of`: the policy a label names, if it names one).
pub fn policy_marks(out: &Path, charts: &[&str]) -> Vec<(String, String, String)> {
    // A legend or row label of a policy: the name alone, after a sweep variant
    // ("v002 (1.0, provider) minimum-first"), with its Gini, or its delivered hours.
    let label_of = |text: &str| -> Option<&'static str> {
        POLICY_COLOURS.iter().map(|(p, _)| *p).find(|p| {
            text == *p
                || text.ends_with(&format!(" {p}"))
                || text == format!("delivered: {p}")
                || text.starts_with(&format!("{p} (Gini"))
                || text.contains(&format!(" {p} (Gini"))
        })
    };
    let mut found = Vec::new();
    for chart in charts {
        let svg = fs::read_to_string(out.join("charts").join(format!("{chart}.svg"))).unwrap();
        let marks = marks(&svg);
        for t in texts(&svg) {
            if let (Some(p), Some(colour)) = (label_of(&t.text), mark_colour(&marks, &t)) {
                found.push((chart.to_string(), p.to_string(), colour));
            }
        }
    }
    found
}

/// The text of every cell (`<td>`, `<th>`) of the report's tables, tags removed.
pub fn table_cells(report: &str) -> Vec<String> {
    let mut cells = Vec::new();
    for tag in ["<td", "<th"] {
        for part in report.split(tag).skip(1) {
            let Some(open) = part.find('>') else { continue };
            let close = tag.replace('<', "</");
            let end = part.find(&close).unwrap_or(part.len());
            let inner = &part[open + 1..end];
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            cells.push(text);
        }
    }
    cells
}
