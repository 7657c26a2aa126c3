//! One CSV file of an output directory being read by header name ([`Table`]), and the
//! error that names the file ([`bad`]): every reader of [`super`] and the forecast's chart
//! data go through it, so that every problem says the file, line and column.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::chart::ChartError;

pub(in crate::chart) fn bad(path: &Path, message: impl std::fmt::Display) -> ChartError {
    ChartError::Input(format!("{}: {message}", path.display()))
}

/// A CSV file of the output being read, with the positions of the columns asked for.
pub(in crate::chart) struct Table {
    pub(super) path: PathBuf,
    pub(super) reader: csv::Reader<BufReader<File>>,
    names: Vec<&'static str>,
    columns: Vec<Option<usize>>,
}

impl Table {
    /// Opens `dir/name`; every column of `required` must be in its header, `optional` ones
    /// may be missing.
    pub(in crate::chart) fn open(
        dir: &Path,
        name: &str,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Table, ChartError> {
        let path = dir.join(name);
        let file = File::open(&path).map_err(|e| {
            bad(
                &path,
                format!("cannot read ({e}); is this a complete kraamsim output?"),
            )
        })?;
        let mut reader = csv::Reader::from_reader(BufReader::new(file));
        let header = reader.headers().map_err(|e| bad(&path, e))?.clone();
        let find = |c: &str| header.iter().position(|h| h == c);
        let mut columns = Vec::new();
        for c in required {
            columns.push(Some(find(c).ok_or_else(|| {
                bad(
                    &path,
                    format!("line 1: missing column `{c}` (is this a kraamsim output?)"),
                )
            })?));
        }
        columns.extend(optional.iter().map(|c| find(c)));
        let names = required.iter().chain(optional).copied().collect();
        Ok(Table {
            path,
            reader,
            names,
            columns,
        })
    }

    /// The index (among the columns asked for) of the column named `name`, to pass to
    /// [`Table::number`] and the others: found once per file, never by counting positions.
    /// A name not asked for in [`Table::open`] is a mistake of the caller.
    pub(in crate::chart) fn col(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("column `{name}` was not asked for"))
    }

    /// Whether the file has the column `name` (one asked for as optional may be missing).
    pub(in crate::chart) fn has(&self, name: &str) -> bool {
        self.columns[self.col(name)].is_some()
    }

    /// The next record, or `None` at the end.
    pub(in crate::chart) fn next(&mut self, record: &mut csv::StringRecord) -> Result<bool, ChartError> {
        self.reader.read_record(record).map_err(|e| {
            let at = e
                .position()
                .map(|p| format!("line {}: ", p.line()))
                .unwrap_or_default();
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("{len} fields where the header has {expected_len}"),
                _ => e.to_string(),
            };
            bad(&self.path, format!("{at}{message}"))
        })
    }

    fn line(record: &csv::StringRecord) -> u64 {
        record.position().map_or(0, |p| p.line())
    }

    /// The text of column `i` (of those asked for), `None` if an optional one is missing.
    pub(in crate::chart) fn text<'r>(&self, record: &'r csv::StringRecord, i: usize) -> Option<&'r str> {
        self.columns[i].and_then(|c| record.get(c))
    }

    /// The number in column `i`; 0 for a missing optional column.
    pub(in crate::chart) fn number(&self, record: &csv::StringRecord, i: usize) -> Result<f64, ChartError> {
        let Some(c) = self.columns[i] else {
            return Ok(0.0);
        };
        let text = record.get(c).unwrap_or("");
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error_at(record, i, format!("`{text}` is not a number"))),
        }
    }

    /// The whole number in column `i`.
    pub(in crate::chart) fn whole<T: std::str::FromStr>(
        &self,
        record: &csv::StringRecord,
        i: usize,
    ) -> Result<T, ChartError> {
        let text = self.text(record, i).unwrap_or("");
        text.parse()
            .map_err(|_| self.error_at(record, i, format!("`{text}` is not a whole number")))
    }

    pub(in crate::chart) fn error_at(
        &self,
        record: &csv::StringRecord,
        i: usize,
        message: String,
    ) -> ChartError {
        bad(
            &self.path,
            format!(
                "line {}, column {} (`{}`): {message}",
                Self::line(record),
                self.columns[i].map_or(0, |c| c + 1),
                self.names[i]
            ),
        )
    }
}
