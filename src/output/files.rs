//! Files under a temporary name in the output directory, renamed into place when complete
//! (`write_atomic`, `CsvFile`), so an interrupted run never leaves a truncated file under a
//! final name; and removing files that may be absent.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};


use super::OutputError;

/// A hidden temporary file in `dir` that will become `name`, readable like any file the
/// user writes (tempfile's default is owner-only).
pub(super) fn temp_file(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir)
}

/// Writes `contents` to `dir/name` through a temporary file and a rename.
pub(crate) fn write_atomic(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let path = dir.join(name);
    let io = |source| OutputError::Io {
        path: path.clone(),
        source,
    };
    let mut tmp = temp_file(dir, name).map_err(io)?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(io)?;
    }
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A CSV file being written under a temporary name in the output directory.
pub(super) struct CsvFile {
    pub(super) path: PathBuf,
    tmp: tempfile::NamedTempFile,
    out: csv::Writer<BufWriter<File>>,
}

impl CsvFile {
    pub(super) fn create(dir: &Path, name: &str, header: &[&str]) -> Result<Self, OutputError> {
        let path = dir.join(name);
        let io = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        let tmp = temp_file(dir, name).map_err(io)?;
        let file = tmp.as_file().try_clone().map_err(io)?;
        let mut csv = CsvFile {
            out: rows_writer(file),
            tmp,
            path,
        };
        csv.write(header)?;
        Ok(csv)
    }

    /// Writes one row of a serde struct ([`MotherRow`] and the others): its fields in
    /// declaration order, each formatted as `write` would (the header is written once, by
    /// `create`, from the file's column list, which a test checks against the struct).
    pub(super) fn serialize(&mut self, row: &impl serde::Serialize) -> Result<(), OutputError> {
        self.out.serialize(row).map_err(|source| OutputError::Csv {
            path: self.path.clone(),
            source,
        })
    }

    pub(super) fn write<I, T>(&mut self, record: I) -> Result<(), OutputError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.out
            .write_record(record)
            .map_err(|source| OutputError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    /// A file that continues the first `len` bytes of `from` (a file kept by an interrupted
    /// run, header included).
    pub(super) fn resume(
        dir: &Path,
        name: &str,
        from: &Path,
        len: u64,
    ) -> Result<Self, OutputError> {
        let path = dir.join(name);
        let io = |source| OutputError::Io {
            path: from.to_path_buf(),
            source,
        };
        let mut tmp = temp_file(dir, name).map_err(io)?;
        let source = File::open(from).map_err(io)?;
        let copied = std::io::copy(&mut source.take(len), tmp.as_file_mut()).map_err(io)?;
        if copied != len {
            return Err(OutputError::BadCheckpoint {
                path: from.to_path_buf(),
                why: format!("{copied} bytes where {len} were recorded"),
            });
        }
        let file = tmp.as_file().try_clone().map_err(io)?;
        Ok(CsvFile {
            out: rows_writer(file),
            tmp,
            path,
        })
    }

    /// Flushes everything and renames the file into place.
    pub(super) fn persist(self) -> Result<(), OutputError> {
        let path = self.path.clone();
        self.persist_as(&path).map(drop)
    }

    /// Flushes everything and renames the file to `target`; returns its length in bytes.
    pub(super) fn persist_as(self, target: &Path) -> Result<u64, OutputError> {
        let io = |source| OutputError::Io {
            path: self.path.clone(),
            source,
        };
        let buffered = self
            .out
            .into_inner()
            .map_err(|e| io(std::io::Error::new(e.error().kind(), e.error().to_string())))?;
        let file = buffered.into_inner().map_err(|e| io(e.into_error()))?;
        let len = file.metadata().map_err(io)?.len();
        self.tmp.persist(target).map_err(|e| io(e.error))?;
        Ok(len)
    }
}

pub(super) fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    absent_is_fine(path, std::fs::remove_file(path))
}

pub(super) fn remove_dir_if_present(path: &Path) -> Result<(), OutputError> {
    absent_is_fine(path, std::fs::remove_dir_all(path))
}

/// A removal that found nothing to remove succeeded.
pub(super) fn absent_is_fine(path: &Path, removed: std::io::Result<()>) -> Result<(), OutputError> {
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// The CSV writer of a [`CsvFile`]. Without headers: the header is the first record `create`
/// writes (or the kept file's, on resume), so `serialize` must not write the struct's again.
fn rows_writer(file: File) -> csv::Writer<BufWriter<File>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(BufWriter::new(file))
}
