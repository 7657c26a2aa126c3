//! bookings.csv and roster.csv (`docs/data-format.md`, Forecast files): a KSV's known state
//! on the as-of date, read with the scenario's CSV reader so that every error names file,
//! line, column and field, and checked against the scenario (regions, providers, postcodes)
//! and the as-of date. All problems of both files are reported at once: the rows that parse
//! are checked even when others do not, and each problem that can repeat row after row has a
//! kind (`FieldError::of_kind`), so that a file of wrong rows is one line per kind. Dates are
//! `YYYY-MM-DD` or, as Dutch Excel exports them, `DD-MM-YYYY`.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::generate::region_providers;
use crate::model::BirthPlace;
use crate::scenario::data::{self, Column, CsvOrigin, Row, Source, column, number_column};
use crate::scenario::{FieldError, ForecastParams, LoadedScenario, Scenario, ScenarioError};

/// A mother registered by the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    /// Her id in the file (for messages and to keep rows apart).
    pub mother: String,
    /// Index of her provider in the region.
    pub provider: u16,
    pub postcode: u16,
    /// Index of her postcode in the region's list.
    pub postcode_index: u16,
    pub registration: NaiveDate,
    pub due: NaiveDate,
    pub indicated_hours: Option<f64>,
    pub medical_hours: Option<f64>,
    pub birth_place: Option<BirthPlace>,
    /// Her first day of care at home: on or before the as-of date she is in care; after it,
    /// she has given birth and comes home that day.
    pub care_start: Option<NaiveDate>,
    /// Her days of care at home.
    pub care_days: Option<u32>,
    /// Care hours had so far (only in care).
    pub delivered_hours: f64,
}

/// A carer on the roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterCarer {
    pub carer: String,
    pub provider: u16,
    pub contract_hours_per_week: f64,
    /// Planned holidays, first and last day (inclusive).
    pub holidays: Vec<(NaiveDate, NaiveDate)>,
    /// Known absences (sickness, leave): first day and last day, or no last day when her
    /// return is not known.
    pub absences: Vec<(NaiveDate, Option<NaiveDate>)>,
}

/// The known state of one region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionKnown {
    pub bookings: Vec<Booking>,
    pub carers: Vec<RosterCarer>,
}

/// The known state of every region of a scenario on the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub as_of: NaiveDate,
    /// Per region of the scenario, in its order.
    pub regions: Vec<RegionKnown>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookingRow {
    mother: String,
    region: String,
    provider: String,
    postcode: u16,
    // Dates are read as text and parsed here: a date that does not parse is then reported at
    // its column (serde's error for it carries no field).
    registration_date: String,
    due_date: String,
    #[serde(default)]
    indicated_hours: Option<f64>,
    #[serde(default)]
    medical_hours: Option<f64>,
    #[serde(default)]
    birth_place: Option<String>,
    #[serde(default)]
    care_start: Option<String>,
    #[serde(default)]
    care_days: Option<u32>,
    #[serde(default)]
    delivered_hours: Option<f64>,
}

impl Row for BookingRow {
    const COLUMNS: &'static [Column] = &[
        column("mother", true, "a mother's id"),
        column("region", true, "a region name"),
        column("provider", true, "a provider name"),
        number_column("postcode", true, "a 4-digit postcode 1000-9999"),
        column("registration_date", true, "a date YYYY-MM-DD or DD-MM-YYYY"),
        column("due_date", true, "a date YYYY-MM-DD or DD-MM-YYYY"),
        number_column(
            "indicated_hours",
            false,
            "a number of hours 0-1000, or empty when not known",
        ),
        number_column(
            "medical_hours",
            false,
            "a number of hours 0-1000, or empty when not known",
        ),
        column(
            "birth_place",
            false,
            "home, outpatient, clinical, or empty when not known",
        ),
        column(
            "care_start",
            false,
            "a date YYYY-MM-DD or DD-MM-YYYY, or empty before the birth",
        ),
        number_column(
            "care_days",
            false,
            "a whole number of days 1-30, or empty when not known",
        ),
        number_column(
            "delivered_hours",
            false,
            "a number of hours 0-1000, or empty",
        ),
    ];
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterRow {
    carer: String,
    region: String,
    provider: String,
    contract_hours_per_week: f64,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    absences: String,
}

impl Row for RosterRow {
    const COLUMNS: &'static [Column] = &[
        column("carer", true, "a carer's id"),
        column("region", true, "a region name"),
        column("provider", true, "a provider name"),
        number_column(
            "contract_hours_per_week",
            true,
            "a number of hours per week, 0-60",
        ),
        column(
            "holidays",
            false,
            "date ranges FIRST..LAST separated by spaces, or empty",
        ),
        column(
            "absences",
            false,
            "date ranges FIRST..LAST or FIRST.. separated by spaces, or empty",
        ),
    ];
}

/// Reads and checks the bookings and roster named by `params` (relative to `base`, the
/// scenario file's directory) for the as-of date `as_of`. Errors are every problem found in
/// either file.
pub fn read(
    s: &Scenario,
    params: &ForecastParams,
    base: &Path,
    as_of: NaiveDate,
) -> Result<Known, Vec<FieldError>> {
    read_from(s, params, Source::Dir(base), as_of)
}

/// [`read`] for a loaded scenario file (`s` is its scenario, perhaps with flags applied):
/// the errors as one [`ScenarioError`] of that file, a file that cannot be read reported at
/// its line in the scenario.
pub fn read_for(
    loaded: &LoadedScenario,
    s: &Scenario,
    params: &ForecastParams,
    as_of: NaiveDate,
) -> Result<Known, ScenarioError> {
    let base = loaded.base.clone().unwrap_or_default();
    read(s, params, &base, as_of).map_err(|mut errors| {
        for e in errors.iter_mut().filter(|e| e.line == 0) {
            let key = e.path.trim_start_matches("forecast.");
            let (line, column) = place_in_scenario(&loaded.text, key);
            (e.file, e.line, e.column) = (None, line, column);
        }
        ScenarioError {
            file: loaded.source_name.clone(),
            errors,
        }
    })
}

/// As [`read`], with the files in memory (name as written in `[forecast]` -> contents).
pub fn read_in_memory(
    s: &Scenario,
    params: &ForecastParams,
    files: &[(&str, &[u8])],
    as_of: NaiveDate,
) -> Result<Known, Vec<FieldError>> {
    read_from(s, params, Source::Memory(files), as_of)
}

fn read_from(
    s: &Scenario,
    params: &ForecastParams,
    source: Source<'_>,
    as_of: NaiveDate,
) -> Result<Known, Vec<FieldError>> {
    let mut known = Known {
        as_of,
        regions: vec![RegionKnown::default(); s.regions.len()],
    };
    let mut errors = Vec::new();
    let places = Places::new(s);
    // The rows that parse are checked even when others do not, so that one run shows every
    // problem of both files.
    let bookings = data::read_rows::<BookingRow>(source, &params.bookings, "forecast.bookings");
    errors.extend(bookings.errors);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, origin) in bookings.rows {
        if let Some(line) = seen.insert(row.mother.clone(), origin.line) {
            errors.push(
                data::error(
                    &origin,
                    "mother",
                    format!(
                        "mother `{}` is already booked on line {line}; give each mother one row",
                        row.mother
                    ),
                )
                .of_kind("rows of a mother booked on an earlier line; give each mother one row"),
            );
            continue;
        }
        match booking(s, &places, row, &origin, as_of) {
            Ok((region, b)) => known.regions[region].bookings.push(b),
            Err(e) => errors.extend(e),
        }
    }
    let roster = data::read_rows::<RosterRow>(source, &params.roster, "forecast.roster");
    errors.extend(roster.errors);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, origin) in roster.rows {
        if let Some(line) = seen.insert(row.carer.clone(), origin.line) {
            errors.push(
                data::error(
                    &origin,
                    "carer",
                    format!(
                        "carer `{}` is already on line {line}; give each carer one row",
                        row.carer
                    ),
                )
                .of_kind("rows of a carer on an earlier line; give each carer one row"),
            );
            continue;
        }
        match roster_carer(&places, row, &origin) {
            Ok((region, c)) => known.regions[region].carers.push(c),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(known)
    } else {
        Err(errors)
    }
}

/// The scenario's regions and providers by name.
struct Places<'a> {
    regions: HashMap<&'a str, usize>,
    /// Per region: provider name -> (index in the region, its work area; empty: all).
    providers: Vec<HashMap<&'a str, (u16, &'a [u16])>>,
    s: &'a Scenario,
}

impl<'a> Places<'a> {
    fn new(s: &'a Scenario) -> Self {
        Places {
            regions: s
                .regions
                .iter()
                .enumerate()
                .map(|(i, r)| (r.name.as_str(), i))
                .collect(),
            providers: (0..s.regions.len())
                .map(|r| {
                    region_providers(s, r)
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| (p.name.as_str(), (i as u16, p.postcodes.as_slice())))
                        .collect()
                })
                .collect(),
            s,
        }
    }

    /// The region and provider of a row, or the errors naming them.
    fn find(
        &self,
        region: &str,
        provider: &str,
        origin: &CsvOrigin,
    ) -> Result<(usize, u16, &'a [u16]), FieldError> {
        let Some(&r) = self.regions.get(region) else {
            let names: Vec<&str> = self.s.regions.iter().map(|r| r.name.as_str()).collect();
            return Err(data::error(
                origin,
                "region",
                format!(
                    "no region `{region}` in the scenario (its regions: {})",
                    names.join(", ")
                ),
            )
            .of_kind(format!(
                "rows naming region `{region}`, which is not in the scenario (its regions: {})",
                names.join(", ")
            )));
        };
        match self.providers[r].get(provider) {
            Some(&(p, area)) => Ok((r, p, area)),
            None => {
                let mut names: Vec<&str> = self.providers[r].keys().copied().collect();
                names.sort_unstable();
                Err(data::error(
                    origin,
                    "provider",
                    format!(
                        "no provider `{provider}` in region `{region}` (its providers: {})",
                        names.join(", ")
                    ),
                )
                .of_kind(format!(
                    "rows naming provider `{provider}`, which is not in region `{region}` (its providers: {})",
                    names.join(", ")
                )))
            }
        }
    }
}

fn booking(
    s: &Scenario,
    places: &Places<'_>,
    row: BookingRow,
    origin: &CsvOrigin,
    as_of: NaiveDate,
) -> Result<(usize, Booking), Vec<FieldError>> {
    let (region, provider, area) = places
        .find(&row.region, &row.provider, origin)
        .map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let date = |field: &str, text: &str| {
        parse_date(text.trim()).map_err(|message| {
            data::error(origin, field, message).of_kind(format!("values that are not {DATE}"))
        })
    };
    let registration_date = date("registration_date", &row.registration_date);
    let due_date = date("due_date", &row.due_date);
    let care_start = row
        .care_start
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| date("care_start", t))
        .transpose();
    let (registration_date, due_date, care_start) = match (registration_date, due_date, care_start)
    {
        (Ok(r), Ok(d), Ok(c)) => (r, d, c),
        (r, d, c) => {
            return Err([r.err(), d.err(), c.err()].into_iter().flatten().collect());
        }
    };
    // Each problem with its kind: the problem without this row's values, for the grouped
    // line of a file with many (`ScenarioError`'s display).
    let mut fail = |field: &str, message: String, kind: String| {
        errors.push(data::error(origin, field, message).of_kind(kind))
    };
    let postcodes = &s.regions[region].postcodes;
    let postcode_index = postcodes.iter().position(|p| p.pc4 == row.postcode);
    if postcode_index.is_none() {
        fail(
            "postcode",
            format!(
                "postcode {} is not in region `{}`",
                row.postcode, row.region
            ),
            format!(
                "bookings with a postcode that is not in region `{}`",
                row.region
            ),
        );
    } else if !area.is_empty() && !area.contains(&row.postcode) {
        fail(
            "postcode",
            format!(
                "provider `{}` does not work in postcode {}",
                row.provider, row.postcode
            ),
            format!(
                "bookings of provider `{}` in a postcode outside its work area",
                row.provider
            ),
        );
    }
    if registration_date > as_of {
        fail(
            "registration_date",
            format!(
                "must be on or before the as-of date {as_of} (a booking is a registration made), got {}",
                registration_date
            ),
            format!(
                "bookings registered after the as-of date {as_of} (a booking is a registration made)"
            ),
        );
    }
    let days_to_due = (due_date - registration_date).num_days();
    if !(-60..=300).contains(&days_to_due) {
        fail(
            "due_date",
            format!(
                "must lie within 300 days after the registration date {} (a pregnancy), got {}",
                registration_date, due_date
            ),
            "bookings whose due date is not within 300 days after the registration date"
                .to_string(),
        );
    }
    let hours = |v: Option<f64>| v.filter(|h| !(0.0..=1000.0).contains(h));
    for (field, value) in [
        ("indicated_hours", hours(row.indicated_hours)),
        ("medical_hours", hours(row.medical_hours)),
        ("delivered_hours", hours(row.delivered_hours)),
    ] {
        if let Some(v) = value {
            fail(
                field,
                format!("must be a number of hours 0-1000, got {v}"),
                "values that are not a number of hours 0-1000".to_string(),
            );
        }
    }
    if let (Some(m), Some(i)) = (row.medical_hours, row.indicated_hours)
        && m > i
    {
        fail(
            "medical_hours",
            format!("must not exceed indicated_hours ({i}), got {m}"),
            "bookings whose medical_hours exceed their indicated_hours".to_string(),
        );
    }
    let birth_place = match row.birth_place.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("home") => Some(BirthPlace::Home),
        Some("outpatient") => Some(BirthPlace::Outpatient),
        Some("clinical") => Some(BirthPlace::Clinical),
        Some(other) => {
            fail(
                "birth_place",
                format!("must be home, outpatient, clinical or empty, got `{other}`"),
                "values that are not home, outpatient, clinical or empty".to_string(),
            );
            None
        }
    };
    if let Some(d) = row.care_days.filter(|d| !(1..=30).contains(d)) {
        fail(
            "care_days",
            format!("must be a whole number of days 1-30, got {d}"),
            "values that are not a whole number of days 1-30".to_string(),
        );
    }
    match care_start {
        Some(start) if start <= as_of => {
            if let Some(days) = row.care_days
                && start + chrono::Duration::days(i64::from(days)) <= as_of
            {
                fail(
                    "care_days",
                    format!(
                        "her care ({days} days from {start}) ended before the as-of date {as_of}; leave mothers whose care has ended out of the bookings"
                    ),
                    format!(
                        "bookings whose care ended before the as-of date {as_of} (leave mothers whose care has ended out of the bookings)"
                    ),
                );
            }
            if start < registration_date.min(as_of) - chrono::Duration::days(30) {
                fail(
                    "care_start",
                    format!(
                        "must not be more than 30 days before the registration date {}, got {start}",
                        registration_date
                    ),
                    "bookings whose care starts more than 30 days before their registration date"
                        .to_string(),
                );
            }
        }
        Some(start) => {
            if row.delivered_hours.is_some_and(|h| h > 0.0) {
                fail(
                    "delivered_hours",
                    format!(
                        "her care starts after the as-of date ({start}), so she cannot have had hours yet"
                    ),
                    format!(
                        "bookings with delivered hours whose care starts after the as-of date {as_of}"
                    ),
                );
            }
            if (start - as_of).num_days() > 60 {
                fail(
                    "care_start",
                    format!(
                        "a mother home from hospital more than 60 days after the as-of date {as_of}? got {start}"
                    ),
                    format!(
                        "bookings whose care starts more than 60 days after the as-of date {as_of}"
                    ),
                );
            }
        }
        None => {
            let latest = i64::from(s.births.latest_days_after_due);
            if (as_of - due_date).num_days() > latest {
                fail(
                    "due_date",
                    format!(
                        "a mother not yet in care (no care_start) must be due at most {latest} days before the as-of date {as_of} (births.latest_days_after_due), got {}",
                        due_date
                    ),
                    format!(
                        "bookings not yet in care (no care_start) with a due date more than {latest} days before the as-of date {as_of} (births.latest_days_after_due)"
                    ),
                );
            }
            if row.delivered_hours.is_some_and(|h| h > 0.0) {
                fail(
                    "delivered_hours",
                    "only a mother in care (care_start on or before the as-of date) has had hours"
                        .to_string(),
                    format!(
                        "bookings not in care on the as-of date {as_of} with delivered hours (only a mother in care has had hours)"
                    ),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        region,
        Booking {
            mother: row.mother,
            provider,
            postcode: row.postcode,
            postcode_index: postcode_index.expect("checked") as u16,
            registration: registration_date,
            due: due_date,
            indicated_hours: row.indicated_hours,
            medical_hours: row.medical_hours,
            birth_place,
            care_start,
            care_days: row.care_days,
            delivered_hours: row.delivered_hours.unwrap_or(0.0),
        },
    ))
}

fn roster_carer(
    places: &Places<'_>,
    row: RosterRow,
    origin: &CsvOrigin,
) -> Result<(usize, RosterCarer), Vec<FieldError>> {
    let (region, provider, _) = places
        .find(&row.region, &row.provider, origin)
        .map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    if !(0.0..=60.0).contains(&row.contract_hours_per_week) {
        errors.push(
            data::error(
                origin,
                "contract_hours_per_week",
                format!(
                    "must be a number of hours per week, 0-60, got {}",
                    row.contract_hours_per_week
                ),
            )
            .of_kind("values that are not a number of hours per week, 0-60"),
        );
    }
    let mut holidays = Vec::new();
    for (first, last) in ranges(&row.holidays, origin, "holidays", &mut errors) {
        match last {
            Some(last) => holidays.push((first, last)),
            None => errors.push(
                data::error(
                    origin,
                    "holidays",
                    format!("a planned holiday needs a last day: `{first}..LAST`"),
                )
                .of_kind("holidays without a last day (write FIRST..LAST)"),
            ),
        }
    }
    let absences = ranges(&row.absences, origin, "absences", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        region,
        RosterCarer {
            carer: row.carer,
            provider,
            contract_hours_per_week: row.contract_hours_per_week,
            holidays,
            absences,
        },
    ))
}

/// The dates the forecast files take, for messages.
const DATE: &str = "a date YYYY-MM-DD or DD-MM-YYYY";

/// A date within the dates any input may use ([`scenario::date_range`]): `YYYY-MM-DD` (ISO,
/// what kraamsim writes), or `DD-MM-YYYY` (`05-07-2027`), as Dutch Excel exports a date.
/// The two cannot be mistaken for each other (the year has four digits, first or last). A
/// date with `/` is refused: `05/07/2027` is 5 July in a Dutch export and 7 May in an
/// American one. The message echoes the text, so an impossible date (`2027-02-30`) is seen
/// as written.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let (first, last) = crate::scenario::date_range();
    let iso = NaiveDate::parse_from_str(text, "%Y-%m-%d");
    let dutch = || {
        // The year last with four digits: `5-7-27` is no date (chrono would read year 27).
        let year_last = text.rsplit('-').next().is_some_and(|y| y.len() == 4);
        NaiveDate::parse_from_str(text, "%d-%m-%Y")
            .ok()
            .filter(|_| year_last)
    };
    match iso.ok().or_else(dutch) {
        Some(d) if d >= first && d <= last => Ok(d),
        Some(_) => Err(format!("`{text}` is outside {first} to {last}")),
        None if text.contains('/') => Err(format!(
            "`{text}` is not a date kraamsim reads: with `/` the order of day and month is not certain; write YYYY-MM-DD (2027-07-05) or DD-MM-YYYY (05-07-2027)"
        )),
        None => Err(format!(
            "`{text}` is not a date; write YYYY-MM-DD with a real day (2027-07-05), or DD-MM-YYYY (05-07-2027)"
        )),
    }
}

/// Date ranges `FIRST..LAST` (inclusive) or `FIRST..` separated by spaces.
fn ranges(
    text: &str,
    origin: &CsvOrigin,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let mut out = Vec::new();
    for item in text.split_whitespace() {
        let Some((a, b)) = item.split_once("..") else {
            errors.push(data::error(
                origin,
                field,
                format!(
                    "`{item}` is not a date range: write FIRST..LAST (2027-07-05..2027-07-18), or FIRST.. when the end is not known, separated by spaces"
                ),
            )
            .of_kind("values that are not date ranges FIRST..LAST separated by spaces"));
            continue;
        };
        let first = parse_date(a);
        let last = (!b.is_empty()).then(|| parse_date(b)).transpose();
        match (first, last) {
            (Ok(first), Ok(Some(last))) if last < first => errors.push(
                data::error(
                    origin,
                    field,
                    format!("`{item}`: the last day is before the first"),
                )
                .of_kind("date ranges whose last day is before the first"),
            ),
            (Ok(first), Ok(last)) => out.push((first, last)),
            (Err(message), _) | (_, Err(message)) => errors.push(
                data::error(origin, field, format!("`{item}`: {message}"))
                    .of_kind(format!("date ranges with a day that is not {DATE}")),
            ),
        }
    }
    out
}

/// The line and column (1-based) of `key = ...` in the `[forecast]` table of scenario text,
/// or of the table's header when the key is not there (or (1, 1) without the table): the
/// place to report a problem that has none of its own, such as a file that cannot be read.
pub fn place_in_scenario(text: &str, key: &str) -> (usize, usize) {
    let mut table = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            if table.is_some() {
                break;
            }
            if trimmed.trim_end() == "[forecast]" {
                table = Some(i + 1);
            }
            continue;
        }
        if table.is_some()
            && let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return (i + 1, line.len() - trimmed.len() + 1);
        }
    }
    (table.unwrap_or(1), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_in_the_forecast_table_only() {
        let text = "name = \"x\"\nroster = 1\n[forecast]\nbookings = \"b.csv\"\n  roster = \"r.csv\"\n[period]\nweeks = 3\n";
        assert_eq!(place_in_scenario(text, "roster"), (5, 3));
        assert_eq!(place_in_scenario(text, "weeks"), (3, 1));
        assert_eq!(place_in_scenario("name = 1", "roster"), (1, 1));
    }
}
