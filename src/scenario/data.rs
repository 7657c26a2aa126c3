//! Region data from CSV files: postcodes, providers and carers (`docs/data-format.md`).
//!
//! A scenario's `[data]` section names the files (relative to the scenario file). Their rows
//! are appended to the scenario's inline `[[regions]]` and `[[providers]]`, and each row's
//! origin is remembered so that the semantic checks of `validate` can point at the CSV file,
//! row and column instead of the TOML file.
//!
//! [`read_rows`] is the one CSV reader of kraamsim's inputs (these files and forecast's
//! bookings and roster): it takes kraamsim's own dialect or a Dutch Excel export
//! (`csv_dialect`), and keeps the rows that parse beside the errors of those that do not, so
//! that every problem of a file is found in one run.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use serde::Deserialize;

use super::FieldError;
use super::csv_dialect::{self, Dialect};
use super::schema::{ContractType, DataFiles, PostcodeSpec, ProviderSpec, RegionSpec, Scenario};

/// Where an entry added from a CSV file came from.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvOrigin {
    pub file: Rc<str>,
    /// 1-based line in the file (the header is line 1).
    pub line: usize,
    /// The file's header, to turn a field name into a column number (shared by all its rows).
    pub header: Rc<csv::StringRecord>,
}

impl CsvOrigin {
    /// 1-based column of `field`, or 1 when the field has no column of its own.
    pub fn column(&self, field: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == field)
            .map_or(1, |i| i + 1)
    }
}

/// Origins of the CSV-loaded entries, by index into the merged scenario.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// (region index, postcode index) -> origin.
    pub postcodes: HashMap<(usize, usize), CsvOrigin>,
    /// provider index -> origin.
    pub providers: HashMap<usize, CsvOrigin>,
    /// provider index -> its carers.csv row (for `carers` and `contract_hours_per_week`).
    pub carers: HashMap<usize, CsvOrigin>,
}

/// A column of a data file: its name, whether it must be there, what it may hold (for
/// messages), and whether it holds a number (which a `;`-separated file may write with a
/// decimal comma, `csv_dialect`).
pub(crate) struct Column {
    name: &'static str,
    required: bool,
    allowed: &'static str,
    number: bool,
}

/// A column of text (names, dates, lists).
pub(crate) const fn column(name: &'static str, required: bool, allowed: &'static str) -> Column {
    Column {
        name,
        required,
        allowed,
        number: false,
    }
}

/// A column of numbers: read with a decimal comma in a `;`- or tab-separated file.
pub(crate) const fn number_column(
    name: &'static str,
    required: bool,
    allowed: &'static str,
) -> Column {
    Column {
        name,
        required,
        allowed,
        number: true,
    }
}

/// A row type of a data file, with its columns.
pub(crate) trait Row: for<'de> Deserialize<'de> {
    const COLUMNS: &'static [Column];
}

impl Row for PostcodeRow {
    const COLUMNS: &'static [Column] = &[
        number_column("pc4", true, "a 4-digit postcode 1000-9999"),
        column("region", true, "a region name"),
        number_column("births_per_year", true, "a number of births, 0-1000000"),
        column("province", false, "any text"),
    ];
}

impl Row for ProviderRow {
    const COLUMNS: &'static [Column] = &[
        column("provider", true, "a provider name"),
        column("region", true, "a region name"),
        number_column("market_share", true, "a positive number"),
        column("contract_type", false, "A, B, platform or empty"),
        number_column("employed_share", false, "a number 0-1, or empty"),
        column(
            "postcodes",
            false,
            "PC4 codes separated by spaces, or empty for the whole region",
        ),
    ];
}

impl Row for CarerRow {
    const COLUMNS: &'static [Column] = &[
        column("provider", true, "a provider name"),
        column("region", true, "a region name"),
        number_column("carers", true, "a whole number of carers, 0-1000000"),
        number_column(
            "contract_hours_per_week",
            true,
            "a number of hours per week, 0-60",
        ),
    ];
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PostcodeRow {
    pc4: u16,
    region: String,
    births_per_year: f64,
    #[serde(default)]
    #[allow(dead_code)] // documentation of the dataset; not used by the model
    province: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderRow {
    provider: String,
    region: String,
    market_share: f64,
    #[serde(default)]
    contract_type: Option<String>,
    /// Share of care hours by employed carers, 0-1; empty for the scenario's default.
    #[serde(default)]
    employed_share: Option<f64>,
    /// Space-separated PC4 codes; empty for the whole region.
    #[serde(default)]
    postcodes: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CarerRow {
    provider: String,
    region: String,
    carers: u32,
    contract_hours_per_week: f64,
}

/// The largest data file (CSV) kraamsim reads: far above a national dataset or a region's
/// bookings (a few MB), far below what would exhaust memory.
pub const MAX_DATA_FILE_BYTES: u64 = 256 << 20;

/// Reads an input file that must be a regular file of at most `limit` bytes. A device
/// (`/dev/zero`) or a FIFO would otherwise grow without bound or block for ever; both are
/// refused before the file is opened, and a file that grows while it is read stops at the
/// limit.
pub fn read_input_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a device, FIFO or socket)"
        };
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("it is {kind}; give the path of a file"),
        ));
    }
    let too_big = || {
        Error::new(
            ErrorKind::InvalidInput,
            format!("it is larger than the limit of {} MB", limit >> 20),
        )
    };
    if meta.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Where the data files come from: a directory (the scenario file's), or memory (tests and
/// fuzzing: name as written in `[data]` -> contents).
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    Dir(&'a Path),
    Memory(&'a [(&'a str, &'a [u8])]),
}

impl Source<'_> {
    /// The name shown in errors, and the file's bytes.
    fn read(&self, name: &str) -> (String, std::io::Result<Vec<u8>>) {
        match self {
            Source::Dir(base) => {
                let path = base.join(name);
                (
                    path.display().to_string(),
                    read_input_file(&path, MAX_DATA_FILE_BYTES),
                )
            }
            Source::Memory(files) => {
                let found = files.iter().find(|(n, _)| *n == name);
                let bytes = found.map(|(_, b)| b.to_vec()).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")
                });
                (name.to_string(), bytes)
            }
        }
    }
}

/// Reads every data file of `files` (paths relative to `base`) into `s`. Every problem of
/// the three files is reported: the rows of a file that parse are checked (a provider's
/// contract type and postcodes) even when other rows do not. The scenario's own checks
/// (`validate`) need all rows, and run only when this succeeds: on a partial dataset they
/// would report a region without carers whose carers.csv row is merely unreadable.
pub fn load(
    s: &mut Scenario,
    files: &DataFiles,
    base: Source<'_>,
) -> Result<Origins, Vec<FieldError>> {
    let mut origins = Origins::default();
    let mut errors = Vec::new();
    if let Some(f) = &files.postcodes {
        let read = read_rows::<PostcodeRow>(base, f, "data.postcodes");
        add_postcodes(s, read.rows, &mut origins);
        errors.extend(read.errors);
    }
    let mut providers_loaded = true;
    if let Some(f) = &files.providers {
        let read = read_rows::<ProviderRow>(base, f, "data.providers");
        providers_loaded = read.errors.is_empty();
        errors.extend(read.errors);
        errors.extend(add_providers(s, read.rows, &mut origins));
    }
    if let Some(f) = &files.carers {
        let read = read_rows::<CarerRow>(base, f, "data.carers");
        errors.extend(read.errors);
        // Rows of a providers.csv that could not be read are missing: matching carers to
        // them would only repeat its errors.
        if providers_loaded {
            errors.extend(add_carers(s, read.rows, &mut origins));
        }
    }
    if errors.is_empty() {
        Ok(origins)
    } else {
        Err(errors)
    }
}

pub(crate) fn error(origin: &CsvOrigin, field: &str, message: String) -> FieldError {
    FieldError {
        file: Some(origin.file.to_string()),
        line: origin.line,
        column: origin.column(field),
        path: field.to_string(),
        message,
        kind: None,
    }
}

/// Whether a field starts or ends with white space (what `csv::StringRecord::trim` removes).
fn has_outer_space(field: &str) -> bool {
    field.starts_with(char::is_whitespace) || field.ends_with(char::is_whitespace)
}

/// The 1-based line of a record at a byte offset, counted from the bytes. In a file with
/// `\r\n` line ends (a spreadsheet export) the csv reader ends a record at the `\r` and
/// places the next one at the `\n`, so its own line count is one short; a record that starts
/// at a `\n` is counted on the line after it. Offsets are asked in increasing order, so each
/// byte is counted once.
#[derive(Default)]
struct LineCounter {
    byte: u64,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], byte: u64) -> usize {
        let mut byte = byte.min(bytes.len() as u64);
        if bytes.get(byte as usize) == Some(&b'\n') {
            byte += 1;
        }
        if byte < self.byte {
            *self = LineCounter::default();
        }
        let newlines = bytes[self.byte as usize..byte as usize]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.byte = byte;
        self.line += newlines;
        self.line + 1
    }
}

/// What a CSV file gave: the rows that parse, each with its origin, and every problem of the
/// file. A row with a problem is left out and the others are kept, so that the caller checks
/// them too and one run shows every error of the file (a bad row 5 does not hide row 2's).
pub(crate) struct ReadRows<T> {
    pub rows: Vec<(T, CsvOrigin)>,
    pub errors: Vec<FieldError>,
}

/// Every row of a CSV file in any dialect (`csv_dialect`: `,` or `;` or tab, a decimal comma
/// where the comma is no separator, a byte-order mark), with its origin, and every problem
/// of the file: a missing, unknown or repeated column (reported once, at the header, and
/// then no rows), a header that mixes separators, and every row that does not parse, each
/// with the bad value and what the column allows.
///
/// A file that cannot be opened is reported as line 0 with the scenario's field `key`
/// (`data.postcodes`), so that the error can point at that line of the scenario.
pub(crate) fn read_rows<T: Row>(base: Source<'_>, name: &str, key: &str) -> ReadRows<T> {
    let (shown, bytes) = base.read(name);
    let shown: Rc<str> = shown.into();
    let at = |line: usize, column: usize, field: &str, message: String| FieldError {
        file: Some(shown.to_string()),
        line,
        column,
        path: field.to_string(),
        message,
        kind: None,
    };
    let fail = |errors| ReadRows {
        rows: Vec::new(),
        errors,
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => return fail(vec![at(0, 0, key, format!("cannot read `{shown}`: {e}"))]),
    };
    let (dialect, body) = Dialect::sniff(&bytes);
    let expected_header = || {
        let separator = if dialect.separator == b';' { ";" } else { "," };
        T::COLUMNS
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(separator)
    };
    // Fields are trimmed (as `csv::Trim::All` would), but only in the rare record that has
    // spaces around a field: the reader's own trimming copies every record.
    let mut reader = dialect.reader(body);
    let header = match reader.headers() {
        Ok(h) => {
            let mut h = h.clone();
            h.trim();
            Rc::new(h)
        }
        Err(e) => {
            return fail(vec![at(
                1,
                1,
                "",
                format!("cannot read the header: {}", csv_message(&e)),
            )]);
        }
    };
    if header.iter().all(str::is_empty) {
        return fail(vec![at(
            1,
            1,
            "",
            format!(
                "the file is empty: expected the header `{}` and one row per entry",
                expected_header()
            ),
        )]);
    }
    // A column name with a separator in it means the header was split at the wrong one:
    // every column would be "unknown", so say what was found instead.
    let mixed = header.iter().enumerate().find_map(|(i, h)| {
        let known = T::COLUMNS.iter().any(|c| c.name == h);
        csv_dialect::foreign_separator(h)
            .filter(|_| !known)
            .map(|found| (i, h, found))
    });
    if let Some((i, h, found)) = mixed {
        let (sep, found) = (dialect.separator_name(), csv_dialect::separator_name(found));
        let message = if dialect.separator == b',' && found != "," {
            format!(
                "the header has both `,` and `{found}` between its columns (`{h}` is read as one column): separate every column by the same one, `,` or `{found}` (as Dutch Excel writes it); the columns are `{}`",
                expected_header()
            )
        } else {
            format!(
                "the file is read as `{sep}`-separated (its header has `{sep}`), but `{h}` is read as one column holding `{found}`: remove the quotes around the header's names, or separate every column by `{sep}`; the columns are `{}`",
                expected_header()
            )
        };
        return fail(vec![at(1, i + 1, h, message)]);
    }
    let mut errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if !T::COLUMNS.iter().any(|c| c.name == h) {
            errors.push(at(
                1,
                i + 1,
                h,
                format!(
                    "unknown column `{h}`; the columns are `{}`",
                    expected_header()
                ),
            ));
        } else if header.iter().take(i).any(|x| x == h) {
            errors.push(at(1, i + 1, h, format!("column `{h}` is there twice")));
        }
    }
    for c in T::COLUMNS.iter().filter(|c| c.required) {
        if !header.iter().any(|h| h == c.name) {
            errors.push(at(
                1,
                header.len() + 1,
                c.name,
                format!(
                    "missing column `{}` ({}); the header must name `{}`",
                    c.name,
                    c.allowed,
                    expected_header()
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return fail(errors); // every row would fail the same way
    }
    let column_of = |field: &str| T::COLUMNS.iter().find(|c| c.name == field);
    // The header's columns that hold numbers, for the decimal comma of a `;` file.
    let numbers: Vec<usize> = (0..header.len())
        .filter(|&i| column_of(&header[i]).is_some_and(|c| c.number))
        .collect();
    let mut rows = Vec::new();
    let mut lines = LineCounter::default();
    // One record buffer for the whole file (a national file has thousands of rows), and one
    // for a record whose numbers are rewritten (`36,5` -> `36.5`).
    let mut record = csv::StringRecord::new();
    let mut plain = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                if record.iter().any(has_outer_space) {
                    record.trim();
                }
            }
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(body, p.byte()));
                let unreadable = matches!(e.kind(), csv::ErrorKind::Io(_));
                let (column, kind) = match e.kind() {
                    csv::ErrorKind::UnequalLengths { len, .. } => (
                        (*len as usize).min(header.len()) + 1,
                        Some(format!(
                            "rows with another number of fields than the header's {} (a `{}`-separated file)",
                            header.len(),
                            dialect.separator_name()
                        )),
                    ),
                    csv::ErrorKind::Utf8 { err, .. } => (
                        err.field() + 1,
                        Some("rows that are not UTF-8 (save the file as UTF-8)".to_string()),
                    ),
                    _ => (1, None),
                };
                let error = at(line, column, "", csv_message(&e));
                errors.push(match kind {
                    Some(kind) => error.of_kind(kind),
                    None => error,
                });
                if unreadable {
                    break; // the file itself failed: later rows cannot be read either
                }
                continue;
            }
        }
        let origin = CsvOrigin {
            file: Rc::clone(&shown),
            line: record
                .position()
                .map_or(0, |p| lines.line_at(body, p.byte())),
            header: Rc::clone(&header),
        };
        let rewrite = dialect.decimal_comma()
            && numbers
                .iter()
                .any(|&i| record.get(i).is_some_and(|f| f.contains([',', '.'])));
        if rewrite {
            match plain_numbers(&dialect, &record, &numbers, &mut plain) {
                Ok(()) => {}
                Err((i, message)) => {
                    let field = &header[i];
                    let allowed = column_of(field).map_or("", |c| c.allowed);
                    errors.push(
                        error(&origin, field, format!("must be {allowed}: {message}")).of_kind(
                            format!(
                                "numbers with `.` between thousands or more than one comma: write a number as `1234,5` (a `{}`-separated file takes a decimal comma and no thousands separator)",
                                dialect.separator_name()
                            ),
                        ),
                    );
                    continue;
                }
            }
        }
        let parsed = if rewrite {
            plain.deserialize::<T>(Some(&header))
        } else {
            record.deserialize::<T>(Some(&header))
        };
        match parsed {
            Ok(row) => rows.push((row, origin)),
            Err(e) => {
                let (field, value, message) = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => {
                        let index = err.field().map(|i| i as usize);
                        let field = index.and_then(|i| header.get(i)).unwrap_or_default();
                        let value = index.and_then(|i| record.get(i)).unwrap_or_default();
                        (field.to_string(), value.to_string(), err.kind().to_string())
                    }
                    other => (String::new(), String::new(), format!("{other:?}")),
                };
                let column = column_of(&field);
                let allowed = column.map_or("", |c| c.allowed);
                // A quoted `36,5` in a `,` file: say where a decimal comma is read.
                let hint = if column.is_some_and(|c| c.number)
                    && !dialect.decimal_comma()
                    && value.contains(',')
                {
                    "; a decimal comma is read only in a `;`-separated file, write a decimal point here"
                } else {
                    ""
                };
                let error = if allowed.is_empty() {
                    error(&origin, &field, message)
                } else {
                    error(
                        &origin,
                        &field,
                        format!("must be {allowed}, got `{value}` ({message}){hint}"),
                    )
                    .of_kind(format!("values that are not {allowed}"))
                };
                errors.push(error);
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(at(
            2,
            1,
            "",
            "the file has a header but no rows: a data file named in [data] must have at least one"
                .to_string(),
        ));
    }
    ReadRows { rows, errors }
}

/// `record` with its number fields (`numbers`, by index) as serde reads them (`36,5` ->
/// `36.5`) in `plain`, or the index of the first field that is no plain number and why.
fn plain_numbers(
    dialect: &Dialect,
    record: &csv::StringRecord,
    numbers: &[usize],
    plain: &mut csv::StringRecord,
) -> Result<(), (usize, String)> {
    plain.clear();
    for (i, field) in record.iter().enumerate() {
        if numbers.contains(&i) {
            plain.push_field(&dialect.number(field).map_err(|m| (i, m))?);
        } else {
            plain.push_field(field);
        }
    }
    plain.set_position(record.position().cloned());
    Ok(())
}

/// A CSV reading error in words, without the position (the caller reports it).
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "not valid UTF-8 in field {} (save the file as UTF-8)",
            err.field() + 1
        ),
        csv::ErrorKind::Io(err) => format!("cannot read file: {err}"),
        _ => e.to_string(),
    }
}

/// Adds each postcode to its region, creating regions in order of first appearance.
fn add_postcodes(s: &mut Scenario, rows: Vec<(PostcodeRow, CsvOrigin)>, origins: &mut Origins) {
    let mut index: HashMap<String, usize> = s
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    for (row, origin) in rows {
        let ri = *index.entry(row.region.clone()).or_insert_with(|| {
            s.regions.push(RegionSpec {
                name: row.region.clone(),
                postcodes: Vec::new(),
                no_carers_reason: None,
            });
            s.regions.len() - 1
        });
        let postcodes = &mut s.regions[ri].postcodes;
        origins.postcodes.insert((ri, postcodes.len()), origin);
        postcodes.push(PostcodeSpec {
            pc4: row.pc4,
            births_per_year: row.births_per_year,
        });
    }
}

fn add_providers(
    s: &mut Scenario,
    rows: Vec<(ProviderRow, CsvOrigin)>,
    origins: &mut Origins,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (row, origin) in rows {
        let mut postcodes = Vec::new();
        for code in row.postcodes.split_whitespace() {
            match code.parse::<u16>() {
                Ok(pc) => postcodes.push(pc),
                Err(_) => errors.push(error(
                    &origin,
                    "postcodes",
                    format!("`{code}` is not a 4-digit postcode; separate postcodes by spaces"),
                )),
            }
        }
        let contract = match row.contract_type.as_deref() {
            None | Some("") => None,
            Some("A") => Some(ContractType::A),
            Some("B") => Some(ContractType::B),
            Some("platform") => Some(ContractType::Platform),
            Some(t) => {
                errors.push(error(
                    &origin,
                    "contract_type",
                    format!("must be A, B or platform, got `{t}`"),
                ));
                None
            }
        };
        origins.providers.insert(s.providers.len(), origin);
        s.providers.push(ProviderSpec {
            name: row.provider,
            region: row.region,
            postcodes,
            market_share: row.market_share,
            carers: 0,
            contract_hours_per_week: None,
            contract,
            employed_share: row.employed_share,
        });
    }
    errors
}

/// Sets each provider's carers and contract hours from carers.csv.
fn add_carers(
    s: &mut Scenario,
    rows: Vec<(CarerRow, CsvOrigin)>,
    origins: &mut Origins,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let index: HashMap<(&str, &str), usize> = s
        .providers
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.name.as_str(), p.region.as_str()), i))
        .collect();
    let mut found = Vec::with_capacity(rows.len());
    for (row, _) in &rows {
        found.push(
            index
                .get(&(row.provider.as_str(), row.region.as_str()))
                .copied(),
        );
    }
    for ((row, origin), found) in rows.into_iter().zip(found) {
        match found {
            Some(i) => {
                if let Some(earlier) = origins.carers.get(&i) {
                    errors.push(error(
                        &origin,
                        "provider",
                        format!(
                            "provider `{}` in region `{}` already has a row (line {}); give each provider one row",
                            row.provider, row.region, earlier.line
                        ),
                    ));
                    continue;
                }
                let p = &mut s.providers[i];
                p.carers = row.carers;
                p.contract_hours_per_week = Some(row.contract_hours_per_week);
                origins.carers.insert(i, origin);
            }
            None => errors.push(error(
                &origin,
                "provider",
                format!(
                    "no provider `{}` in region `{}` (providers come from providers.csv or [[providers]])",
                    row.provider, row.region
                ),
            )),
        }
    }
    errors
}
