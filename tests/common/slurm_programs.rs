/// The programs the Slurm job-array test needs (Debian: slurmctld, slurmd, slurm-client,
/// munge). One list for `build.rs`, which marks the test ignored when one is missing, and for
/// `tests/slurm.rs`, which says which: both `include!` this file.
const SLURM_PROGRAMS: [&str; 7] = [
    "sbatch",
    "squeue",
    "sinfo",
    "slurmctld",
    "slurmd",
    "munged",
    "mungekey",
];
