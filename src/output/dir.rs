//! The output directory protocol shared by every command that writes a directory (`run`,
//! `sweep`, `merge`, `chart`, `forecast`, `generate`): what may be written where, and what may
//! be removed.
//!
//! Three promises rest on it (docs/cli.md, "Output directory safety"):
//! - **Only kraamsim's own files are replaced or removed.** Every file a command writes is
//!   recorded in a manifest ([`MANIFEST`]) *before* it is renamed into place, so the manifest
//!   always lists at least the kraamsim files present. `--force`, `chart` and `--no-charts`
//!   remove only files the manifest lists; a file of the user's under a name kraamsim would
//!   write is a conflict, refused before any work starts ([`OutputDir::open`]). Outputs of
//!   versions before the manifest are recognised by their marker file (run.json,
//!   forecast.json): then the layout's own file names count as kraamsim's.
//! - **One command at a time.** A command holds an advisory lock ([`LOCK`], `flock`) on the
//!   directory for as long as it writes there; a second one gets exit 2 naming the holder's
//!   process id. The kernel releases the lock when the holder dies, and the process id it
//!   wrote is left behind: a lock file that is not locked but names a process is the trace of
//!   a killed run, reported as such.
//! - **Temporary files do not outlive a rerun.** Files are written under hidden temporary
//!   names (`.summary.csv.XXXXXX`) and renamed into place; a killed run leaves them, and the
//!   next `--force` or `--resume` removes them (by their exact pattern, nothing else).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::OutputError;

/// The manifest: which files of the directory kraamsim wrote (JSON, hidden).
pub const MANIFEST: &str = ".kraamsim-manifest.json";
/// The advisory lock file of a command writing into the directory.
pub const LOCK: &str = ".kraamsim-lock";
/// The hidden directory where an interrupted run keeps what it finished.
pub const RESUME_DIR: &str = ".kraamsim-resume";

/// How a command may treat an output directory that is not empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirMode {
    /// Only an absent or empty directory.
    New,
    /// `--force`: replace an earlier kraamsim output, or add files to any other directory
    /// (whose own files are left alone).
    Replace,
    /// `--resume`: finish the interrupted run recorded in the directory.
    Resume,
}

/// What one kind of command writes: its kind (recorded in the manifest), the file whose
/// presence marks a complete output of that kind, and every path (relative, `/`-separated)
/// it may write or remove. Only these names are ever replaced or removed.
#[derive(Debug, Clone)]
pub struct Layout {
    pub kind: &'static str,
    pub marker: &'static str,
    pub files: Vec<String>,
}

impl Layout {
    pub fn new(kind: &'static str, marker: &'static str, files: Vec<String>) -> Self {
        Layout {
            kind,
            marker,
            files,
        }
    }
}

/// The manifest's contents.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// `run`, `forecast` or `dataset`.
    pub kind: String,
    /// Relative paths (`/`-separated) of the files kraamsim wrote, sorted.
    pub files: BTreeSet<String>,
}

impl Manifest {
    /// The directory's manifest, if it has one.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, OutputError> {
        let path = dir.join(MANIFEST);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                OutputError::Refused(format!(
                    "{} is damaged ({e}); it lists the files kraamsim wrote there, so nothing can be replaced safely: choose another --out, or remove the directory",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(OutputError::Io { path, source }),
        }
    }

    fn save(&self, dir: &Path) -> Result<(), OutputError> {
        let json = serde_json::to_string_pretty(self).expect("plain data serialises");
        super::write_atomic(dir, MANIFEST, |w| {
            w.write_all(json.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|source| OutputError::Io {
                    path: dir.join(MANIFEST),
                    source,
                })
        })
    }
}

/// The files of `dir` that kraamsim wrote: the manifest's, or for an output of a version
/// before the manifest (its marker is there, no manifest), the layout's names present.
pub fn owned(dir: &Path, layout: &Layout) -> Result<BTreeSet<String>, OutputError> {
    if let Some(m) = Manifest::read(dir)? {
        return Ok(m.files);
    }
    if dir.join(layout.marker).is_file() && layout.marker != MANIFEST {
        return Ok(layout
            .files
            .iter()
            .filter(|f| dir.join(f).exists())
            .cloned()
            .collect());
    }
    Ok(BTreeSet::new())
}

/// Records in the manifest that `adding` are (or are about to be) kraamsim's files, and drops
/// entries whose file is gone. Called before files are renamed into place, so that the
/// manifest never misses a file kraamsim wrote. `kind` is used when there is no manifest yet.
pub fn record(dir: &Path, kind: &str, adding: &[String]) -> Result<(), OutputError> {
    let mut m = Manifest::read(dir)?.unwrap_or_else(|| Manifest {
        kind: kind.to_string(),
        files: BTreeSet::new(),
    });
    m.files.extend(adding.iter().cloned());
    m.files
        .retain(|f| adding.contains(f) || dir.join(f).symlink_metadata().is_ok());
    m.save(dir)
}

/// Removes the files of `names` that kraamsim owns in `dir` (others are left alone), then
/// any directory of theirs left empty, and updates the manifest.
pub fn remove_owned(dir: &Path, layout: &Layout, names: &[String]) -> Result<(), OutputError> {
    let owned = owned(dir, layout)?;
    let mut parents = BTreeSet::new();
    let mut removed = false;
    for name in names.iter().filter(|n| owned.contains(*n)) {
        let path = dir.join(name);
        let gone = if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match gone {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(OutputError::Io { path, source: e });
            }
            _ => removed = true,
        }
        if let Some(parent) = Path::new(name)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            parents.insert(parent.to_path_buf());
        }
    }
    for parent in parents {
        // Only if empty: a file of the user's in it keeps it.
        let _ = std::fs::remove_dir(dir.join(parent));
    }
    if removed {
        record(dir, layout.kind, &[])?;
    }
    Ok(())
}

/// Writes whole files into the held directory `out`: recorded in the manifest, then each
/// through a temporary name and a rename (`kraamsim generate`).
pub fn write_files(out: &OutputDir, files: &[(&str, String)]) -> Result<(), OutputError> {
    let names: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
    record(out.path(), out.layout().kind, &names)?;
    for (name, text) in files {
        super::write_atomic(out.path(), name, |w| {
            w.write_all(text.as_bytes())
                .map_err(|source| OutputError::Io {
                    path: out.path().join(name),
                    source,
                })
        })?;
    }
    Ok(())
}

/// How a command starts in its output directory, as found by [`OutputDir::open`].
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// From the first unit.
    Fresh,
    /// After the units an interrupted run finished (`--resume`).
    Resume(super::Checkpoint),
    /// `--resume` of a run that finished already: nothing to do.
    Complete,
}

/// An output directory held by this process: locked, checked for its mode, cleared of the
/// temporary files of a killed run. The lock is released (and its file removed) on drop; a
/// directory this process made is removed again if nothing was written into it.
pub struct OutputDir {
    path: PathBuf,
    layout: Layout,
    lock: Option<File>,
    created: bool,
    /// The process id left in the lock file by a run that was killed, if any.
    pub killed_run: Option<String>,
    pub start: Start,
}

impl OutputDir {
    /// Locks `dir` (made if absent) and checks that it may receive output of `layout` in
    /// `mode`; for `--resume`, reads where the interrupted run stopped. `resume_key`
    /// identifies the run (scenario text, seed, replications, policy, flags): a checkpoint
    /// only resumes the run that wrote it.
    pub fn open(
        dir: &Path,
        layout: Layout,
        mode: DirMode,
        resume_key: &str,
    ) -> Result<OutputDir, OutputError> {
        let mut held = Self::lock(dir, layout)?;
        held.start = match held.check(mode, resume_key) {
            Ok(start) => start,
            Err(e) => {
                held.keep_killed_mark();
                return Err(e);
            }
        };
        if mode != DirMode::New {
            remove_temporary_files(dir, &held.layout)?;
        }
        Ok(held)
    }

    /// Locks `dir` for a command that rewrites part of a complete output (`kraamsim chart`):
    /// no folder rule beyond the lock.
    pub fn lock(dir: &Path, layout: Layout) -> Result<OutputDir, OutputError> {
        let created = create_dir(dir)?;
        let mut held = OutputDir {
            path: dir.to_path_buf(),
            layout,
            lock: None,
            created,
            killed_run: None,
            start: Start::Fresh,
        };
        let (file, previous) = take_lock(dir)?;
        held.lock = Some(file);
        held.killed_run = previous;
        Ok(held)
    }

    /// A refused command leaves the mark of a killed run as it found it, so that the next
    /// command still reports it.
    fn keep_killed_mark(&mut self) {
        let Some(pid) = &self.killed_run else {
            return;
        };
        if let Some(file) = self.lock.take() {
            let _ = file.set_len(0);
            let _ = (&file).rewind();
            let _ = (&file).write_all(format!("{pid}\n").as_bytes());
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The folder rule (docs/cli.md, "Output directory safety").
    fn check(&self, mode: DirMode, resume_key: &str) -> Result<Start, OutputError> {
        let dir = &self.path;
        let manifest = Manifest::read(dir)?;
        if let Some(m) = &manifest
            && m.kind != self.layout.kind
        {
            return Err(OutputError::Refused(format!(
                "{} holds the output of a kraamsim {} (see {MANIFEST}), not of a {}; choose another --out",
                dir.display(),
                m.kind,
                self.layout.kind
            )));
        }
        // An output written before manifests existed is known by its marker file.
        if manifest.is_none()
            && let Some((kind, _)) = LEGACY_MARKERS
                .iter()
                .find(|(kind, marker)| *kind != self.layout.kind && dir.join(marker).is_file())
        {
            return Err(OutputError::Refused(format!(
                "{} holds the output of a kraamsim {kind}, not of a {}; choose another --out",
                dir.display(),
                self.layout.kind
            )));
        }
        let entries = user_visible_entries(dir)?;
        let has_resume = dir.join(RESUME_DIR).join(super::PROGRESS_JSON).exists();
        let is_output = manifest.is_some()
            || dir.join(self.layout.marker).is_file()
            || dir.join(RESUME_DIR).exists();
        let killed = |how: &str| {
            let pid = self.killed_run.as_deref().unwrap_or("?");
            OutputError::Refused(format!(
                "{} holds a kraamsim run that was killed before it finished (process {pid} is no longer running); {how}",
                dir.display()
            ))
        };
        match mode {
            _ if entries == 0 && self.killed_run.is_none() => Ok(Start::Fresh),
            DirMode::New if self.killed_run.is_some() => Err(killed(if has_resume {
                "pass --resume to finish it from the replications it kept, or --force to start over"
            } else {
                "its files are incomplete: pass --force to start over"
            })),
            DirMode::New if has_resume => Err(OutputError::InterruptedOutput(dir.to_path_buf())),
            DirMode::New if is_output => Err(OutputError::EarlierOutput(dir.to_path_buf())),
            DirMode::New => Err(OutputError::NotOutputDir(dir.to_path_buf())),
            DirMode::Replace => {
                self.refuse_conflicts()?;
                Ok(Start::Fresh)
            }
            DirMode::Resume => {
                if has_resume {
                    let checkpoint = super::Checkpoint::read(dir)?;
                    if checkpoint.resume_key != resume_key {
                        return Err(OutputError::ResumeMismatch(dir.to_path_buf()));
                    }
                    return Ok(Start::Resume(checkpoint));
                }
                if self.killed_run.is_some() {
                    return Err(killed(
                        "it kept no finished replications (only a run stopped by Ctrl-C or SIGTERM does): pass --force to start over",
                    ));
                }
                let meta = std::fs::read_to_string(dir.join("run.json")).ok();
                let meta: Option<serde_json::Value> =
                    meta.and_then(|text| serde_json::from_str(&text).ok());
                match meta {
                    Some(m) if m["interrupted"] == false && m["resume_key"] == resume_key => {
                        Ok(Start::Complete)
                    }
                    Some(m) if m["interrupted"] == false => {
                        Err(OutputError::ResumeMismatch(dir.to_path_buf()))
                    }
                    _ => Err(OutputError::NothingToResume(dir.to_path_buf())),
                }
            }
        }
    }

    /// `--force` replaces kraamsim's own files only: a file of the user's under a name the
    /// command would write is refused, before any work starts.
    fn refuse_conflicts(&self) -> Result<(), OutputError> {
        let owned = owned(&self.path, &self.layout)?;
        let conflicts: Vec<&str> = self
            .layout
            .files
            .iter()
            .filter(|f| !owned.contains(*f) && self.path.join(f).symlink_metadata().is_ok())
            .map(String::as_str)
            .collect();
        if conflicts.is_empty() {
            return Ok(());
        }
        let (list, verb, them) = match conflicts.as_slice() {
            [one] => (one.to_string(), "was", "it"),
            many => (many.join(", "), "were", "them"),
        };
        Err(OutputError::Refused(format!(
            "{}: {list} {verb} not written by kraamsim, and this command would write {them}; --force replaces only kraamsim's own files: move {them}, or choose another --out",
            self.path.display(),
        )))
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // The lock file goes while it is still locked, so that no other process can take a
        // lock on a file that is about to disappear (`take_lock` checks it locked the file
        // that is at the path).
        if let Some(file) = self.lock.take() {
            let _ = std::fs::remove_file(self.path.join(LOCK));
            drop(file);
        }
        if self.created {
            // Only if empty: nothing was written.
            let _ = std::fs::remove_dir(&self.path);
        }
    }
}

/// The file that marks each kind of output written before manifests existed.
const LEGACY_MARKERS: [(&str, &str); 2] = [
    ("run", "run.json"),
    ("forecast", crate::recipe::FORECAST_JSON),
];

/// Makes `dir` if absent; whether this call made it.
fn create_dir(dir: &Path) -> Result<bool, OutputError> {
    let io = |source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    };
    match dir.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() && !dir.exists() => Err(OutputError::Refused(format!(
            "{} is a symbolic link to something that does not exist; point --out at a directory",
            dir.display()
        ))),
        Ok(_) if !dir.is_dir() => Err(OutputError::Refused(format!(
            "{} is a file, not a directory; choose another --out",
            dir.display()
        ))),
        Ok(_) => Ok(false),
        Err(_) => {
            std::fs::create_dir_all(dir).map_err(io)?;
            Ok(true)
        }
    }
}

/// Takes the directory's lock; returns it and the process id a killed holder left in it.
fn take_lock(dir: &Path) -> Result<(File, Option<String>), OutputError> {
    let path = dir.join(LOCK);
    let io = |source| OutputError::Io {
        path: path.clone(),
        source,
    };
    // A few tries: the holder may remove the file between our open and our lock.
    for _ in 0..100 {
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { "?" } else { holder };
                return Err(OutputError::Refused(format!(
                    "{} is in use by another kraamsim command (process {holder}); wait for it to finish, or choose another --out",
                    dir.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        if !same_file(&file, &path) {
            continue;
        }
        let mut previous = String::new();
        file.read_to_string(&mut previous).map_err(io)?;
        let previous = Some(previous.trim().to_string()).filter(|p| !p.is_empty());
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        {
            let mut w = BufWriter::new(&file);
            writeln!(w, "{}", std::process::id()).map_err(io)?;
            w.flush().map_err(io)?;
        }
        return Ok((file, previous));
    }
    Err(OutputError::Refused(format!(
        "{}: could not take its lock {LOCK} (another command keeps replacing it)",
        dir.display()
    )))
}

/// Whether `file` is the file now at `path` (not one removed since it was opened).
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        path.exists()
    }
}

/// Entries of `dir` other than the lock and the temporary files of a killed run.
fn user_visible_entries(dir: &Path) -> Result<usize, OutputError> {
    let read = std::fs::read_dir(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(read.flatten().filter(|e| e.file_name() != LOCK).count())
}

/// Whether `name` is a temporary name kraamsim gives `target` (`.target.XXXXXX`, the
/// tempfile crate's six random letters and digits).
fn is_temporary_of(name: &str, target: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(target))
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|tail| tail.len() == 6 && tail.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes what a killed command left under temporary names: `.NAME.XXXXXX` for every file
/// name of the layout (in the directory and in `charts/` and the resume directory), and the
/// chart swap directories `.charts.XXXXXX` / `.charts.old.XXXXXX`.
fn remove_temporary_files(dir: &Path, layout: &Layout) -> Result<(), OutputError> {
    let mut targets: BTreeSet<&str> = layout
        .files
        .iter()
        .map(|f| f.rsplit('/').next().unwrap_or(f))
        .collect();
    targets.extend([MANIFEST.trim_start_matches('.'), "charts", "charts.old"]);
    targets.insert(super::PROGRESS_JSON);
    for folder in [dir.to_path_buf(), dir.join("charts"), dir.join(RESUME_DIR)] {
        let Ok(read) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in read.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !targets.iter().any(|t| is_temporary_of(&name, t)) {
                continue;
            }
            let path = entry.path();
            let removed = match entry.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
                _ => std::fs::remove_file(&path),
            };
            removed.map_err(|source| OutputError::Io { path, source })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised_exactly() {
        assert!(is_temporary_of(".summary.csv.a1B2c3", "summary.csv"));
        assert!(!is_temporary_of(".summary.csv.a1B2c", "summary.csv"));
        assert!(!is_temporary_of("summary.csv.a1B2c3", "summary.csv"));
        assert!(!is_temporary_of(".summary.csv.a1B2c3.bak", "summary.csv"));
        assert!(!is_temporary_of(".notes.txt.a1B2c3", "summary.csv"));
    }

    fn layout() -> Layout {
        Layout::new(
            "run",
            "run.json",
            vec!["summary.csv".into(), "charts/lorenz.png".into()],
        )
    }

    #[test]
    fn force_refuses_a_users_file_under_a_kraamsim_name() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("summary.csv"), "mine").unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let e = OutputDir::open(tmp.path(), layout(), DirMode::Replace, "")
            .err()
            .expect("refused");
        assert!(e.to_string().contains("summary.csv"), "{e}");
        assert_eq!(
            std::fs::read(tmp.path().join("summary.csv")).unwrap(),
            b"mine"
        );
    }

    #[test]
    fn remove_owned_leaves_other_files_and_their_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir(dir.join("charts")).unwrap();
        std::fs::write(dir.join("charts/lorenz.png"), "ours").unwrap();
        std::fs::write(dir.join("charts/holiday.png"), "mine").unwrap();
        record(dir, "run", &["charts/lorenz.png".to_string()]).unwrap();
        remove_owned(dir, &layout(), &layout().files).unwrap();
        assert!(!dir.join("charts/lorenz.png").exists());
        assert_eq!(
            std::fs::read(dir.join("charts/holiday.png")).unwrap(),
            b"mine"
        );
        let m = Manifest::read(dir).unwrap().unwrap();
        assert!(m.files.is_empty(), "{m:?}");
    }

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_process_id() {
        let tmp = tempfile::tempdir().unwrap();
        let first = OutputDir::open(tmp.path(), layout(), DirMode::New, "").unwrap();
        let e = OutputDir::open(tmp.path(), layout(), DirMode::New, "")
            .err()
            .expect("locked");
        assert!(
            e.to_string()
                .contains(&format!("process {}", std::process::id())),
            "{e}"
        );
        drop(first);
        assert!(!tmp.path().join(LOCK).exists());
        OutputDir::open(tmp.path(), layout(), DirMode::New, "").unwrap();
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_reported_as_a_killed_run() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(LOCK), "4242\n").unwrap();
        let e = OutputDir::open(tmp.path(), layout(), DirMode::New, "")
            .err()
            .expect("refused");
        assert!(e.to_string().contains("killed"), "{e}");
        assert!(e.to_string().contains("4242"), "{e}");
        let held = OutputDir::open(tmp.path(), layout(), DirMode::Replace, "").unwrap();
        assert_eq!(held.killed_run.as_deref(), Some("4242"));
    }
}
