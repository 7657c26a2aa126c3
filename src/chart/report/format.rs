//! How the report writes a figure: escaped text, numbers with thousands separators, shares
//! and hours with their 95% intervals, run.json values for reading, and base64 for the
//! inline PNGs.

use crate::output::Estimate;

/// Formats an estimate for the page.
pub(super) type Format = fn(Estimate) -> String;

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
pub(in crate::chart) fn whole(x: f64) -> String {
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
pub(super) fn pct(e: Estimate) -> String {
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
pub(super) fn hours(e: Estimate) -> String {
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

/// "0.98%" or "0.98% (0.91–1.05)": a small percentage with two decimals, where one would
/// round the shares below the minimum of the better variants to the same figure.
pub(super) fn pct2(e: Estimate) -> String {
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

/// "0.125" or "0.125 (0.121–0.128)": a ratio with its interval.
pub(super) fn ratio(e: Estimate) -> String {
    match e.ci95 {
        Some((lo, hi)) => format!("{:.3}<span class=\"ci\"> ({lo:.3}–{hi:.3})</span>", e.mean),
        None => format!("{:.3}", e.mean),
    }
}

/// A figure for reading: thousands separators, at most two decimals, no trailing zeros
/// (`2,549,155.78`, `0.15`, `12`).
pub(super) fn reading(x: f64) -> String {
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

/// A run.json value for reading: numbers as [`reading`], lists joined, yes / no.
pub(super) fn for_reading(value: &serde_json::Value) -> String {
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
