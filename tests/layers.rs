//! The module layers of `docs/architecture.md`: a module imports only modules of lower layers.
//!
//! Reads every file under `src/` (its test module left out), collects the crate modules it
//! names in code (`crate::x`, `super::super::x` and deeper, comments ignored), and fails on
//! an import that goes up or sideways. This keeps the domain types free of the scenario
//! format and of the simulation, and the simulation free of outputs and charts, so that each
//! layer can be read, tested and reused without the ones above it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The layered modules, bottom first; a module may import only modules of earlier entries.
/// Modules of one entry do not import each other.
const LAYERS: &[&[&str]] = &[
    // Domain types and the event queue; pure tools.
    &["model", "engine", "equity", "csv_text"],
    // The allocation rule, over domain types only.
    &["policy"],
    // The scenario format, its validation and its calendar.
    &["scenario"],
    // Mothers and carers drawn from a scenario.
    &["generate"],
    // What a region simulation reports: totals, outcomes, closures.
    &["results"],
    // The day-by-day simulation.
    &["sim"],
    // Replications and regions run in parallel, in batches.
    &["run"],
    // The recipe a run.json or forecast.json records, and `--from` reruns.
    &["recipe"],
    // The output files, the directory protocol, run.json, merge.
    &["output"],
    // The forecast from the known state, and its files.
    &["forecast"],
    // Charts and report.html of a run or forecast directory.
    &["chart"],
    // The library API: the commands as calls.
    &["api"],
];

/// Modules above the layers: the crate root and the command line, which may import any
/// layer, and `web` (a web layer over `api`, on its way from another branch). A layered
/// module must not import any of them.
const ABOVE: &[&str] = &["lib", "main", "web"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under src/: `sim/state.rs` is [sim, state], `sim/mod.rs` [sim].
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without its comments and without its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level crate modules `text` names, seen from the module at `path`.
fn imports(text: &str, path: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `kraamsim_crate::`
        }
        let name = ident(&text[i + "crate::".len()..]);
        if !name.is_empty() {
            out.insert(name);
        }
    }
    for (i, _) in text.match_indices("super::") {
        if text[..i].ends_with("super::") {
            continue; // counted from the first `super` of the chain
        }
        let mut rest = &text[i..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        // `super` from a file's module goes to its parent; at the top level, the crate root.
        let base = path.len().saturating_sub(ups);
        if base == 0 {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_module_imports_a_module_above_it_or_beside_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let path = module_path(&src, file);
        let top = path[0].clone();
        let known = layer_of(&top).is_some() || ABOVE.contains(&top.as_str());
        if !known {
            problems.push(format!(
                "src/{}: module `{top}` is in no layer of tests/layers.rs",
                path.join("/")
            ));
            continue;
        }
        let Some(layer) = layer_of(&top) else {
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for target in imports(&code(&text), &path) {
            if target == top || target == "self" {
                continue;
            }
            let ok = layer_of(&target).is_some_and(|l| l < layer);
            // Names of the crate root that are not modules (none today) would show here too.
            if !ok {
                problems.push(format!(
                    "{}: `{top}` (layer {layer}) imports `{target}` ({})",
                    file.strip_prefix(src.parent().unwrap()).unwrap().display(),
                    match layer_of(&target) {
                        Some(l) => format!("layer {l}"),
                        None => "above the layers".to_string(),
                    }
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_import_reader_sees_crate_and_super_paths_but_not_comments() {
    let path = vec!["sim".to_string(), "state".to_string()];
    let text = code(
        "use crate::model::Day;\nuse super::birth_pool::X;\nlet y = super::super::run::go();\n\
         // crate::chart in a comment\n#[cfg(test)]\nmod tests {\n use crate::output::Y;\n}\n",
    );
    let found: Vec<String> = imports(&text, &path).into_iter().collect();
    assert_eq!(found, ["model", "run"]);
}
