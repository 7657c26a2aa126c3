//! The figure markers of the documentation: finding them, comparing what they hold with what the
//! code computes, and rewriting them.
//!
//! A figure written inline sits between `<!-- fig:NAME -->` and `<!-- /fig -->` on one line. A
//! generated block (a whole table) has both markers on lines of their own, and its text is the
//! lines between them. Markers are HTML comments, so the rendered markdown shows only the figure.
//! Kept apart from `figures.rs` (what each figure is) so that a test can check the marker rules
//! on a document without running anything.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

const OPEN: &str = "<!-- fig:";
const CLOSE: &str = "<!-- /fig -->";

/// One marked figure in a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub name: String,
    /// 1-based line of the figure's first character (for a block, the line after the opening
    /// marker).
    pub line: usize,
    /// Byte range of the figure in the document.
    pub span: Range<usize>,
    /// A block: its figure is whole lines, ending with a newline.
    pub block: bool,
}

/// One document with its markers.
#[derive(Debug, Clone)]
pub struct Doc {
    /// As printed in messages: relative to the repository root.
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    pub markers: Vec<Marker>,
}

impl Doc {
    /// Reads and parses a document; a malformed marker is an error naming file and line.
    pub fn read(root: &Path, name: &str) -> Result<Doc, String> {
        let path = root.join(name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        Doc::parse(name, path, text)
    }

    pub fn parse(name: &str, path: PathBuf, text: String) -> Result<Doc, String> {
        let markers = markers(&text).map_err(|(line, msg)| format!("{name}:{line}: {msg}"))?;
        Ok(Doc {
            name: name.to_string(),
            path,
            text,
            markers,
        })
    }

    /// What the document says for a marker.
    pub fn value(&self, m: &Marker) -> &str {
        &self.text[m.span.clone()]
    }
}

/// The documents that hold figures: README.md and every `docs/*.md`, in name order.
pub fn documents(root: &Path) -> Result<Vec<Doc>, String> {
    let mut names = vec!["README.md".to_string()];
    let dir = root.join("docs");
    let mut docs: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    names.extend(docs);
    names.iter().map(|n| Doc::read(root, n)).collect()
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// `text` with every inline code span (between backticks on one line) blanked, byte for byte,
/// so that a doc can show the marker syntax in backticks without it being taken for a marker.
fn without_code_spans(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for line in text.split_inclusive('\n') {
        let start = line.as_ptr() as usize - text.as_ptr() as usize;
        let ticks: Vec<usize> = line.match_indices('`').map(|(i, _)| start + i).collect();
        for pair in ticks.chunks_exact(2) {
            bytes[pair[0]..=pair[1]].fill(b' ');
        }
    }
    String::from_utf8(bytes).expect("only whole characters between ASCII backticks are blanked")
}

/// Every marker of `text`, in order; an error is (line, message). Markers in inline code
/// (`` `<!-- fig:x -->` ``) are text, not markers.
pub fn markers(text: &str) -> Result<Vec<Marker>, (usize, String)> {
    let masked = without_code_spans(text);
    let text = masked.as_str();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(OPEN) {
        let open = from + i;
        let line = line_of(text, open);
        let name_start = open + OPEN.len();
        let end = text[name_start..]
            .find("-->")
            .map(|k| name_start + k)
            .ok_or((line, "`<!-- fig:` without its `-->`".to_string()))?;
        let name = text[name_start..end].trim().to_string();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err((line, format!("bad figure name `{name}`")));
        }
        let after = end + 3;
        let line_start = text[..open].rfind('\n').map_or(0, |k| k + 1);
        let line_end = text[after..].find('\n').map_or(text.len(), |k| after + k);
        let block =
            text[line_start..open].trim().is_empty() && text[after..line_end].trim().is_empty();
        let (span, next) = if block {
            let start = (line_end + 1).min(text.len());
            // The closing marker alone on a line.
            let mut at = start;
            let close = loop {
                if at >= text.len() {
                    return Err((line, format!("block fig:{name} has no `{CLOSE}` line")));
                }
                let e = text[at..].find('\n').map_or(text.len(), |k| at + k);
                let l = text[at..e].trim();
                if l == CLOSE {
                    break at;
                }
                if l.contains(OPEN) || l.contains(CLOSE) {
                    return Err((
                        line_of(text, at),
                        format!("a marker inside block fig:{name}"),
                    ));
                }
                at = e + 1;
            };
            (start..close, close + CLOSE.len())
        } else {
            let close = text[after..line_end]
                .find(CLOSE)
                .map(|k| after + k)
                .ok_or((line, format!("fig:{name} has no `{CLOSE}` on its line")))?;
            if text[after..close].contains(OPEN) {
                return Err((line, format!("a marker inside fig:{name}")));
            }
            (after..close, close + CLOSE.len())
        };
        out.push(Marker {
            name,
            line: line_of(text, span.start),
            span,
            block,
        });
        from = next;
    }
    if let Some(i) = text[from..].find(CLOSE) {
        return Err((
            line_of(text, from + i),
            format!("`{CLOSE}` without its opening marker"),
        ));
    }
    Ok(out)
}

/// A figure as written into a block: whole lines.
pub fn as_block(value: &str) -> String {
    if value.ends_with('\n') {
        value.to_string()
    } else {
        format!("{value}\n")
    }
}

/// The markers whose figure differs from `values` (figures missing from `values` are not
/// compared), each as `FILE:LINE fig NAME: doc says X, code gives Y`; for a block, at its
/// first differing line.
pub fn mismatches(doc: &Doc, values: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for m in &doc.markers {
        let Some(code) = values.get(&m.name) else {
            continue;
        };
        let said = doc.value(m);
        if !m.block {
            if said != code {
                out.push(format!(
                    "{}:{} fig {}: doc says {said}, code gives {code}",
                    doc.name, m.line, m.name
                ));
            }
            continue;
        }
        let code = as_block(code);
        if said == code {
            continue;
        }
        let (a, b): (Vec<&str>, Vec<&str>) = (said.lines().collect(), code.lines().collect());
        let k = (0..a.len().max(b.len()))
            .find(|&k| a.get(k) != b.get(k))
            .unwrap_or(0);
        out.push(format!(
            "{}:{} fig {}: doc says {}, code gives {}",
            doc.name,
            m.line + k,
            m.name,
            a.get(k)
                .map_or("(no line)".to_string(), |l| format!("`{l}`")),
            b.get(k)
                .map_or("(no line)".to_string(), |l| format!("`{l}`")),
        ));
    }
    out
}

/// The document with every marker named in `values` holding that value.
pub fn rewrite(doc: &Doc, values: &BTreeMap<String, String>) -> String {
    let mut text = doc.text.clone();
    for m in doc.markers.iter().rev() {
        if let Some(v) = values.get(&m.name) {
            let v = if m.block { as_block(v) } else { v.clone() };
            text.replace_range(m.span.clone(), &v);
        }
    }
    text
}

/// Markers naming no known figure, and known figures found in no document: either means a
/// figure would silently go unchecked.
pub fn unknown_and_unused(docs: &[Doc], known: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for d in docs {
        for m in &d.markers {
            if !known.contains(&m.name.as_str()) {
                out.push(format!(
                    "{}:{} fig {}: no such figure (doc-figures defines it nowhere)",
                    d.name, m.line, m.name
                ));
            }
        }
    }
    for name in known {
        if !docs
            .iter()
            .any(|d| d.markers.iter().any(|m| m.name == *name))
        {
            out.push(format!(
                "fig {name}: defined but marked in no document (README.md, docs/*.md)"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_block_markers_are_found_and_rewritten() {
        let text =
            "a <!-- fig:x -->1.0<!-- /fig --> b\n<!-- fig:t -->\n| 1 |\n<!-- /fig -->\nend\n";
        let doc = Doc::parse("d.md", "d.md".into(), text.to_string()).unwrap();
        assert_eq!(doc.markers.len(), 2);
        let shown =
            "`<!-- fig:x -->1<!-- /fig -->` and `<!-- fig:NAME -->` are shown, not marked\n";
        assert_eq!(markers(shown), Ok(vec![]));
        assert_eq!(doc.value(&doc.markers[0]), "1.0");
        assert_eq!(doc.value(&doc.markers[1]), "| 1 |\n");
        assert_eq!(doc.markers[1].line, 3);
        let values: BTreeMap<String, String> = [("x", "2.0"), ("t", "| 2 |\n| 3 |")]
            .map(|(a, b)| (a.into(), b.into()))
            .into();
        let bad = mismatches(&doc, &values);
        assert_eq!(bad[0], "d.md:1 fig x: doc says 1.0, code gives 2.0");
        assert_eq!(bad[1], "d.md:3 fig t: doc says `| 1 |`, code gives `| 2 |`");
        let new = rewrite(&doc, &values);
        assert_eq!(
            new,
            "a <!-- fig:x -->2.0<!-- /fig --> b\n<!-- fig:t -->\n| 2 |\n| 3 |\n<!-- /fig -->\nend\n"
        );
        let again = Doc::parse("d.md", "d.md".into(), new).unwrap();
        assert!(mismatches(&again, &values).is_empty());
    }

    #[test]
    fn malformed_markers_are_errors_with_their_line() {
        for (text, line) in [
            ("x\n<!-- fig:a -->1\n", 2),
            ("x\n<!-- fig:a -->\n1\n", 2),
            ("1<!-- /fig -->\n", 1),
            ("<!-- fig:a b -->1<!-- /fig -->\n", 1),
            ("`<!-- fig:a -->` and\n<!-- /fig -->\n", 2),
        ] {
            assert_eq!(markers(text).unwrap_err().0, line, "{text}");
        }
    }
}
