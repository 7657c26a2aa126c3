//! Marks the tests that need a Debian package (chromium for the report test, Slurm and munge
//! for the job-array test) as ignored, with the reason, when the package is absent: a plain
//! `cargo test` then shows `ignored, chromium not installed ...` and counts it, instead of a
//! pass that did nothing. With `KRAAMSIM_REQUIRE_ALL_TESTS` set (`.ci/run`) nothing is
//! ignored: the tests run, and a missing package fails them.

use std::env;
use std::path::Path;

include!("tests/common/slurm_programs.rs");

/// Whether `program` is an executable file on PATH (or in /usr/sbin, /sbin, where Debian puts
/// the Slurm daemons).
fn installed(program: &str) -> bool {
    let path = env::var("PATH").unwrap_or_default() + ":/usr/sbin:/sbin";
    path.split(':')
        .any(|dir| Path::new(dir).join(program).is_file())
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=tests/common/slurm_programs.rs");
    println!("cargo::rerun-if-env-changed=KRAAMSIM_REQUIRE_ALL_TESTS");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(kraamsim_without_chromium)");
    println!("cargo::rustc-check-cfg=cfg(kraamsim_without_slurm)");
    if env::var_os("KRAAMSIM_REQUIRE_ALL_TESTS").is_some() {
        return;
    }
    if !installed("chromium") {
        println!("cargo::rustc-cfg=kraamsim_without_chromium");
    }
    if !SLURM_PROGRAMS.iter().all(|p| installed(p)) {
        println!("cargo::rustc-cfg=kraamsim_without_slurm");
    }
}
