//! Writes and checks every run-derived number of README.md and docs/*.md.
//!
//! ```text
//! cargo run --release --example doc-figures -- --write [--only cheap|all]
//! cargo run --release --example doc-figures -- --check [--only cheap|all]
//! ```
//!
//! A figure sits between markers (`<!-- fig:NAME -->42.07<!-- /fig -->`, or a block with the
//! markers on lines of their own); `figures.rs` says how each is computed. `--write` rewrites
//! the marked figures in place; `--check` prints every figure that differs from what the code
//! computes, as `FILE:LINE fig NAME: doc says X, code gives Y`, and exits 1. Either way a
//! marker naming no figure, or a figure marked nowhere, is an error (exit 2). `--only cheap`
//! (seconds; what `cargo test --release` checks) leaves out the national year, the sweeps
//! over it, observed-2024 and the workforce sweep; the default is `all`, as in `.ci/run`.
//!
//! Which run-derived numbers are deliberately left unmarked (timings, figures of earlier
//! versions, inputs): docs/architecture.md, "Figures in the docs".
//!
//! The figures come from the kraamsim binary of this tree, which this command first builds
//! (`cargo build --release --bin kraamsim --example doc-figures`), so they are never those of a
//! stale build.

#[path = "figures.rs"]
mod figures;
#[path = "markers.rs"]
mod markers;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use figures::Cost;

fn usage() -> ExitCode {
    eprintln!("usage: doc-figures --write|--check [--only cheap|all]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut write = None;
    let mut only = Cost::Expensive;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--write" => write = Some(true),
            "--check" => write = Some(false),
            "--only" => {
                i += 1;
                only = match args.get(i).map(String::as_str) {
                    Some("cheap") => Cost::Cheap,
                    Some("all") => Cost::Expensive,
                    _ => return usage(),
                };
            }
            _ => return usage(),
        }
        i += 1;
    }
    let Some(write) = write else {
        return usage();
    };
    match run(write, only) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("doc-figures: {e}");
            ExitCode::from(2)
        }
    }
}

/// The kraamsim binary beside this example's directory (`target/release/kraamsim`), built now.
fn kraamsim_binary() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        // With this example in the same build, dev-dependencies unify features as for
        // `cargo run --example` and `cargo test`: the binary is reused, not rebuilt.
        .args(["build", "--release", "--quiet", "--bin", "kraamsim"])
        .args(["--example", "doc-figures"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release --bin kraamsim failed".into());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join(format!("kraamsim{}", std::env::consts::EXE_SUFFIX)))
        .ok_or("no directory above this example")?;
    if !bin.is_file() {
        return Err(format!("{} was not built", bin.display()));
    }
    Ok(bin)
}

/// Checks (or writes) the figures; `Ok(false)` when a check found mismatches.
fn run(write: bool, only: Cost) -> Result<bool, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = markers::documents(root)?;
    let figures = figures::all();
    let names: Vec<&str> = figures.iter().map(|f| f.name.as_str()).collect();
    let problems = markers::unknown_and_unused(&docs, &names);
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let bin = kraamsim_binary()?;
    let started = std::time::Instant::now();
    let mut runs = figures::Runs::new(&bin, root)?;
    let values = figures::compute(&figures, &mut runs, only)?;
    let mut bad = Vec::new();
    for doc in &docs {
        let found = markers::mismatches(doc, &values);
        if write && !found.is_empty() {
            std::fs::write(&doc.path, markers::rewrite(doc, &values))
                .map_err(|e| format!("writing {}: {e}", doc.path.display()))?;
            eprintln!("{}: {} figure(s) rewritten", doc.name, found.len());
        }
        bad.extend(found);
    }
    let marked: usize = docs
        .iter()
        .flat_map(|d| &d.markers)
        .filter(|m| values.contains_key(&m.name))
        .count();
    eprintln!(
        "{} figure(s) in {marked} marker(s) computed in {:.1} s",
        values.len(),
        started.elapsed().as_secs_f64()
    );
    if write {
        return Ok(true);
    }
    for line in &bad {
        println!("{line}");
    }
    if !bad.is_empty() {
        eprintln!(
            "{} marked figure(s) differ from the code; `cargo run --release --example doc-figures -- --write` rewrites them",
            bad.len()
        );
    }
    Ok(bad.is_empty())
}
