//! A sharded sweep on a real (single-node, loopback) Slurm cluster: a job array of 4 shard
//! tasks and a merge job that waits for them (`--dependency=afterok`), compared byte for byte
//! with a local sweep. Needs Debian's slurmctld, slurmd, slurm-client and munge, which
//! `.ci/run` installs; elsewhere `build.rs` marks the test ignored with the reason, unless
//! KRAAMSIM_REQUIRE_ALL_TESTS is set, which runs it and turns the missing package into a
//! failure.

use std::path::{Path, PathBuf};
use std::process::Command;

include!("common/slurm_programs.rs");

fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default() + ":/usr/sbin:/sbin";
    path.split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

#[test]
#[cfg_attr(
    kraamsim_without_slurm,
    ignore = "Slurm not installed (apt-get install slurmctld slurmd slurm-client munge; then cargo test again)"
)]
fn sweep_as_a_slurm_job_array_merges_into_the_local_result() {
    let missing: Vec<&str> = SLURM_PROGRAMS
        .into_iter()
        .filter(|p| find(p).is_none())
        .collect();
    if !missing.is_empty() {
        let reason = format!(
            "Slurm test skipped: {} not installed (apt-get install slurmctld slurmd slurm-client munge)",
            missing.join(", ")
        );
        assert!(
            std::env::var_os("KRAAMSIM_REQUIRE_ALL_TESTS").is_none(),
            "{reason}, and KRAAMSIM_REQUIRE_ALL_TESTS is set"
        );
        eprintln!("{reason}");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_kraamsim");
    let scenario = root.join("scenarios/capacity-sweep.toml");
    let work = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(root.join("tests/slurm/sweep-on-slurm.sh"))
        .arg(bin)
        .arg(&scenario)
        .arg(work.path())
        .arg("4")
        .status()
        .expect("bash runs");
    assert!(
        status.success(),
        "the Slurm run failed (see its output above)"
    );
    let local = work.path().join("local");
    let status = Command::new(bin)
        .arg("sweep")
        .arg(&scenario)
        .args(["-q", "--out"])
        .arg(&local)
        .status()
        .unwrap();
    assert!(status.success());
    let merged = work.path().join("merged");
    for f in ["summary.csv", "weekly.csv", "stats.csv", "variants.csv"] {
        assert!(
            std::fs::read(local.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f}: the merged Slurm result differs from the local sweep"
        );
    }
    // Four array tasks each wrote a shard.
    let shards = std::fs::read_dir(work.path().join("shards"))
        .unwrap()
        .count();
    assert_eq!(shards, 4);
}
