//! Region data from CSV files: postcodes, providers and carers (`docs/data-format.md`).
//!
//! A scenario's `[data]` section names the files (relative to the scenario file). Their rows
//! are appended to the scenario's inline `[[regions]]` and `[[providers]]`, and each row's
//! origin is remembered so that the semantic checks of `validate` can point at the CSV file,
//! row and column instead of the TOML file.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use serde::Deserialize;

use super::FieldError;
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

/// Reads every data file of `files` (paths relative to `base`) into `s`.
pub fn load(s: &mut Scenario, files: &DataFiles, base: &Path) -> Result<Origins, Vec<FieldError>> {
    let mut origins = Origins::default();
    let mut errors = Vec::new();
    if let Some(f) = &files.postcodes {
        match read_rows::<PostcodeRow>(base, f) {
            Ok(rows) => add_postcodes(s, rows, &mut origins),
            Err(e) => errors.extend(e),
        }
    }
    if let Some(f) = &files.providers {
        match read_rows::<ProviderRow>(base, f) {
            Ok(rows) => errors.extend(add_providers(s, rows, &mut origins)),
            Err(e) => errors.extend(e),
        }
    }
    if let Some(f) = &files.carers {
        match read_rows::<CarerRow>(base, f) {
            Ok(rows) => errors.extend(add_carers(s, rows)),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(origins)
    } else {
        Err(errors)
    }
}

fn error(origin: &CsvOrigin, field: &str, message: String) -> FieldError {
    FieldError {
        file: Some(origin.file.to_string()),
        line: origin.line,
        column: origin.column(field),
        path: field.to_string(),
        message,
    }
}

/// All rows of a CSV file with their origins, or every row's parse error.
fn read_rows<T: for<'de> Deserialize<'de>>(
    base: &Path,
    name: &str,
) -> Result<Vec<(T, CsvOrigin)>, Vec<FieldError>> {
    let path = base.join(name);
    let shown: Rc<str> = path.display().to_string().into();
    let whole_file = |message: String| {
        vec![FieldError {
            file: Some(shown.to_string()),
            line: 0,
            column: 0,
            path: String::new(),
            message,
        }]
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&path)
        .map_err(|e| whole_file(format!("cannot read file: {e}")))?;
    let header = Rc::new(
        reader
            .headers()
            .map_err(|e| whole_file(format!("cannot read the header: {e}")))?
            .clone(),
    );
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    // One record buffer for the whole file: a national file has thousands of rows.
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                let unreadable = matches!(e.kind(), csv::ErrorKind::Io(_));
                errors.push(FieldError {
                    file: Some(shown.to_string()),
                    line,
                    column: 0,
                    path: String::new(),
                    message: e.to_string(),
                });
                if unreadable {
                    break; // the file itself failed: later rows cannot be read either
                }
                continue;
            }
        }
        let origin = CsvOrigin {
            file: Rc::clone(&shown),
            line: record.position().map_or(0, |p| p.line() as usize),
            header: Rc::clone(&header),
        };
        match record.deserialize::<T>(Some(&header)) {
            Ok(row) => rows.push((row, origin)),
            Err(e) => {
                let (field, message) = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => {
                        let field = err
                            .field()
                            .and_then(|i| header.get(i as usize))
                            .unwrap_or_default()
                            .to_string();
                        (field, err.kind().to_string())
                    }
                    other => (String::new(), format!("{other:?}")),
                };
                errors.push(error(&origin, &field, message));
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
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
fn add_carers(s: &mut Scenario, rows: Vec<(CarerRow, CsvOrigin)>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (row, origin) in rows {
        let found = s
            .providers
            .iter_mut()
            .find(|p| p.name == row.provider && p.region == row.region);
        match found {
            Some(p) => {
                p.carers = row.carers;
                p.contract_hours_per_week = Some(row.contract_hours_per_week);
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
