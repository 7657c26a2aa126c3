//! Marks the tests that need a Debian package (chromium for the report test, chromium and the
//! Python package playwright for the web app's browser test, Slurm and munge for the job-array
//! test) as ignored, with the reason, when the package is absent: a plain
//! `cargo test` then shows `ignored, chromium not installed ...` and counts it, instead of a
//! pass that did nothing. With `KRAAMSIM_REQUIRE_ALL_TESTS` set (`.ci/run`) nothing is
//! ignored: the tests run, and a missing package fails them. The full-disk test, which
//! mounts a small tmpfs, is marked the same way when the build does not run as root.
//!
//! It also embeds the source revision (`KRAAMSIM_SOURCE_REVISION`: the commit, with `-dirty`
//! when tracked files differ from it, or `unknown` outside a git checkout), so that run.json
//! says exactly which code made an output.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

include!("tests/common/slurm_programs.rs");

/// Whether `program` is an executable file on PATH (or in /usr/sbin, /sbin, where Debian puts
/// the Slurm daemons).
fn installed(program: &str) -> bool {
    let path = env::var("PATH").unwrap_or_default() + ":/usr/sbin:/sbin";
    path.split(':')
        .any(|dir| Path::new(dir).join(program).is_file())
}

/// The output of `git ARGS` in the package directory, trimmed; `None` when git is missing,
/// this is not a git checkout, or the command fails.
fn git(args: &[&str]) -> Option<String> {
    let dir = env::var_os("CARGO_MANIFEST_DIR")?;
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit checked out, with `-dirty` when a tracked file differs from it; `unknown`
/// outside a git checkout. The script runs again when HEAD moves (a commit, a checkout) or a
/// file compiled into kraamsim changes, not on every build.
fn source_revision() -> String {
    let Some(head) = git(&["rev-parse", "HEAD"]) else {
        return "unknown".to_string();
    };
    // A worktree's HEAD is in its own git directory, the branch it points to in the common one.
    let path = |p: String| PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap()).join(p);
    // (A path that does not exist would make cargo run this script on every build: only
    // existing ones are named.)
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]) {
        let git_dir = path(git_dir);
        // HEAD moves on a checkout; the index on a commit, checkout or stash.
        for file in ["HEAD", "index"] {
            if git_dir.join(file).exists() {
                println!("cargo::rerun-if-changed={}", git_dir.join(file).display());
            }
        }
    }
    if let Some(common) = git(&["rev-parse", "--git-common-dir"]) {
        let common = path(common);
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            // The branch's own file; a packed branch has none until its next commit writes
            // it into its folder.
            let loose = common.join(&branch);
            let watched = if loose.exists() {
                Some(loose)
            } else {
                loose.parent().filter(|p| p.exists()).map(Path::to_path_buf)
            };
            if let Some(w) = watched {
                println!("cargo::rerun-if-changed={}", w.display());
            }
        }
        let packed = common.join("packed-refs");
        if packed.exists() {
            println!("cargo::rerun-if-changed={}", packed.display());
        }
    }
    for compiled_in in ["src", "assets", "scenarios", "Cargo.toml", "Cargo.lock"] {
        println!("cargo::rerun-if-changed={compiled_in}");
    }
    // --no-optional-locks: `git status` must not rewrite the index (that would be a change
    // the next build sees).
    let status = git(&[
        "--no-optional-locks",
        "status",
        "--porcelain",
        "--untracked-files=no",
    ]);
    match status {
        Some(s) if s.is_empty() => head,
        Some(_) => format!("{head}-dirty"),
        // Status failed where rev-parse worked: say so rather than claim a clean tree.
        None => format!("{head}-unknown-status"),
    }
}

fn main() {
    println!(
        "cargo::rustc-env=KRAAMSIM_SOURCE_REVISION={}",
        source_revision()
    );
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=tests/common/slurm_programs.rs");
    println!("cargo::rerun-if-env-changed=KRAAMSIM_REQUIRE_ALL_TESTS");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(kraamsim_without_chromium)");
    println!("cargo::rustc-check-cfg=cfg(kraamsim_without_slurm)");
    println!("cargo::rustc-check-cfg=cfg(kraamsim_without_root)");
    println!("cargo::rustc-check-cfg=cfg(kraamsim_without_browser_driver)");
    println!("cargo::rerun-if-env-changed=KRAAMSIM_PYTHON");
    if env::var_os("KRAAMSIM_REQUIRE_ALL_TESTS").is_some() {
        return;
    }
    if !installed("chromium") {
        println!("cargo::rustc-cfg=kraamsim_without_chromium");
    }
    if !installed("chromium") || !python_has_playwright() {
        println!("cargo::rustc-cfg=kraamsim_without_browser_driver");
    }
    if !SLURM_PROGRAMS.iter().all(|p| installed(p)) {
        println!("cargo::rustc-cfg=kraamsim_without_slurm");
    }
    if !root() {
        println!("cargo::rustc-cfg=kraamsim_without_root");
    }
}

/// Whether Python can import Playwright, which drives chromium in the web app's browser test
/// (tests/web_browser.rs). Checked when this script runs; after `pip install playwright`, run
/// `touch build.rs` (or set KRAAMSIM_PYTHON) so that the test is no longer marked ignored.
fn python_has_playwright() -> bool {
    let python = env::var("KRAAMSIM_PYTHON").unwrap_or_else(|_| "python3".to_string());
    Command::new(python)
        .args(["-c", "import playwright.sync_api"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether this build runs as root (`id -u` is 0): only root may mount the tmpfs of the
/// full-disk test (tests/adversarial.rs).
fn root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
