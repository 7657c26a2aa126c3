//! The run-derived numbers of README.md and docs/*.md against the code: the cheap figures
//! (`examples/doc-figures/figures.rs`, the scenarios that run in seconds) must be exactly what
//! the current code computes, and an edited number must be reported. The expensive figures
//! (the national year) are checked by `doc-figures --check` in `.ci/run`.

#[path = "../examples/doc-figures/figures.rs"]
#[allow(dead_code)]
mod figures;
#[path = "../examples/doc-figures/markers.rs"]
#[allow(dead_code)]
mod markers;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use figures::Cost;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The cheap figures, computed once for all tests of this file.
fn cheap() -> &'static BTreeMap<String, String> {
    static VALUES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    VALUES.get_or_init(|| {
        let mut runs = figures::Runs::new(Path::new(env!("CARGO_BIN_EXE_kraamsim")), root())
            .expect("a temporary directory");
        figures::compute(&figures::all(), &mut runs, Cost::Cheap).expect("cheap figures")
    })
}

#[test]
fn cheap_figures_in_the_docs_are_what_the_code_computes() {
    let docs = markers::documents(root()).unwrap();
    let all = figures::all();
    let names: Vec<&str> = all.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        markers::unknown_and_unused(&docs, &names),
        Vec::<String>::new()
    );
    let values = cheap();
    assert!(values.len() >= 30, "only {} cheap figures", values.len());
    let bad: Vec<String> = docs
        .iter()
        .flat_map(|d| markers::mismatches(d, values))
        .collect();
    assert!(
        bad.is_empty(),
        "{}\nrun `cargo run --release --example doc-figures -- --write`",
        bad.join("\n")
    );
}

/// A copy of `name` with the first marker of `figure` holding `edit(value)`.
fn edited(name: &str, figure: &str, edit: impl Fn(&str) -> String) -> (markers::Doc, usize) {
    let doc = markers::Doc::read(root(), name).unwrap();
    let m = doc.markers.iter().find(|m| m.name == figure).unwrap();
    let mut text = doc.text.clone();
    text.replace_range(m.span.clone(), &edit(doc.value(m)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.md");
    std::fs::write(&path, &text).unwrap();
    let copy = markers::Doc::read(dir.path(), "copy.md").unwrap();
    (copy, m.line)
}

#[test]
fn a_deliberately_edited_number_fails_the_check() {
    let values = cheap();
    // An inline figure of README, one tenth off.
    let figure = "policy-comparison.below.minimum-first";
    let (doc, line) = edited("README.md", figure, |v| {
        format!("{:.1}", v.parse::<f64>().unwrap() + 0.1)
    });
    let code = &values[figure];
    let said = format!("{:.1}", code.parse::<f64>().unwrap() + 0.1);
    assert_eq!(
        markers::mismatches(&doc, values),
        vec![format!(
            "copy.md:{line} fig {figure}: doc says {said}, code gives {code}"
        )]
    );
    // One cell of a generated table: reported at its own line.
    let figure = "policy-comparison.tiers";
    let (doc, line) = edited("docs/policies.md", figure, |v| {
        v.replacen("| minimum-first | ", "| minimum-first | 9", 1)
    });
    let bad = markers::mismatches(&doc, values);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].starts_with(&format!(
            "copy.md:{} fig {figure}: doc says `| minimum-first | 9",
            line + 2
        )),
        "{}",
        bad[0]
    );
    // Rewriting the copy puts the code's figures back.
    let fixed =
        markers::Doc::parse("copy.md", "copy.md".into(), markers::rewrite(&doc, values)).unwrap();
    assert!(markers::mismatches(&fixed, values).is_empty());
}

#[test]
fn a_marker_of_no_figure_and_a_figure_in_no_document_are_errors() {
    let doc = markers::Doc::parse(
        "x.md",
        "x.md".into(),
        "a\nb <!-- fig:no.such -->1<!-- /fig -->\n".into(),
    )
    .unwrap();
    assert_eq!(
        markers::unknown_and_unused(&[doc], &["known"]),
        vec![
            "x.md:2 fig no.such: no such figure (doc-figures defines it nowhere)".to_string(),
            "fig known: defined but marked in no document (README.md, docs/*.md)".to_string(),
        ]
    );
}
