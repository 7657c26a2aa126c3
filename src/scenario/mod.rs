//! Scenario loading: TOML text -> validated [`Scenario`], or every error with its place.
//!
//! Parsing is done twice on purpose. serde gives the typed [`Scenario`]; a second, spanned
//! parse (`toml::de::DeTable`) lets us turn a field path such as `providers[2].carers` into a
//! line and column, and a serde error's byte span back into a field path. So every message
//! names file, line, column and field, whether it comes from a type error or from a semantic
//! check in [`validate`].

mod calendar;
mod csv_dialect;
pub(crate) mod data;
mod schema;
mod sweep;
mod validate;

pub use schema::*;
pub use sweep::{BASE_VARIANT, Variant, base_values, variants};
pub use validate::{NAME_MAX_CHARS, SizeLimits, check_name, date_range, expected_mothers};

use std::fmt;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The built-in default scenario, used by `kraamsim run` without a file.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/baseline.toml");
/// The name shown for the built-in scenario.
pub const DEFAULT_SCENARIO_NAME: &str = "<built-in baseline>";

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The file the error is in when it is not the scenario itself (a CSV data file).
    pub file: Option<String>,
    pub line: usize,
    pub column: usize,
    /// Dotted field path, e.g. `providers[1].carers`; empty for the whole file.
    pub path: String,
    pub message: String,
    /// The problem without the row's own values, written to follow a count ("bookings whose
    /// care ended before the as-of date 2027-06-01"), for a problem that can repeat row
    /// after row of a CSV file: the errors of one file, field and kind are shown as one line
    /// with their rows (a whole file of wrong rows, the as-of date a month late, is then a
    /// few lines to read, not hundreds). `None` for a problem shown on its own.
    pub kind: Option<String>,
}

impl FieldError {
    /// This error as one of a `kind` that can repeat row after row (see [`FieldError::kind`]).
    pub fn of_kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
}

/// All problems found in one scenario file.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ScenarioError {
    pub file: String,
    pub errors: Vec<FieldError>,
}

/// At most this many distinct errors are printed; the rest are counted.
pub const MAX_SHOWN_ERRORS: usize = 50;

/// Errors of one kind in this many rows of a file or more are shown as one line; fewer are
/// shown one by one, each with its own values, which are easier to fix than a row list.
pub const MIN_GROUPED_ROWS: usize = 4;

/// A group of errors of one kind lists at most this many of its rows.
pub const MAX_SHOWN_ROWS: usize = 10;

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "{}: {n} error{}",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        // A broken file can produce errors by the million (a repeated value in a long list,
        // a CSV file of wrong rows): errors of one kind in one file and field, in
        // MIN_GROUPED_ROWS rows or more, are one line with their rows, identical lines are shown once, and only the first
        // MAX_SHOWN_ERRORS distinct ones.
        let mut kinds: std::collections::HashMap<(&str, &str, &str), Vec<usize>> =
            std::collections::HashMap::new();
        for e in &self.errors {
            if let Some(kind) = &e.kind {
                let file = e.file.as_deref().unwrap_or(&self.file);
                let rows = kinds
                    .entry((file, e.path.as_str(), kind.as_str()))
                    .or_default();
                if rows.last() != Some(&e.line) {
                    rows.push(e.line);
                }
            }
        }
        let mut shown = std::collections::HashSet::new();
        let mut hidden = std::collections::HashSet::new();
        let hasher = std::hash::RandomState::new();
        for e in &self.errors {
            let path = if e.path.is_empty() { "(file)" } else { &e.path };
            let file = e.file.as_deref().unwrap_or(&self.file);
            let group = e
                .kind
                .as_deref()
                .and_then(|kind| Some(kind).zip(kinds.get(&(file, e.path.as_str(), kind))))
                .filter(|(_, rows)| rows.len() >= MIN_GROUPED_ROWS);
            let line = if let Some((kind, rows)) = group {
                // At the group's first row, which is where this error is the first time.
                format!(
                    "{file}:{}:{}: `{path}`: {} {kind}: {}",
                    rows[0],
                    e.column,
                    rows.len(),
                    row_list(rows)
                )
            } else if e.line == 0 {
                // The file as a whole (it cannot be read): there is no place to point at.
                format!("{file}: `{path}`: {}", e.message)
            } else {
                format!("{file}:{}:{}: `{path}`: {}", e.line, e.column, e.message)
            };
            if shown.contains(&line) {
                continue;
            }
            if shown.len() == MAX_SHOWN_ERRORS {
                // Counted by hash: a file of a million bad rows is not kept twice in memory.
                hidden.insert(hasher.hash_one(&line));
                continue;
            }
            write!(f, "\n  {line}")?;
            shown.insert(line);
        }
        if !hidden.is_empty() {
            write!(
                f,
                "\n  ... and {} more; fix the errors above first (identical lines are shown once)",
                hidden.len()
            )?;
        }
        Ok(())
    }
}

/// A loaded scenario with the text it came from (for run.json's SHA-256).
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    /// The file path as given, or [`DEFAULT_SCENARIO_NAME`].
    pub source_name: String,
    pub text: String,
    /// The directory its data files are relative to (none for the built-in scenario).
    pub base: Option<std::path::PathBuf>,
}

/// The largest scenario file kraamsim reads (the data belong in `[data]` CSV files).
pub const MAX_SCENARIO_FILE_BYTES: u64 = 16 << 20;

/// Reads and validates a scenario file.
pub fn load_file(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let name = path.display().to_string();
    let fail = |line, column, message| ScenarioError {
        file: name.clone(),
        errors: vec![FieldError {
            file: None,
            line,
            column,
            path: String::new(),
            message,
            kind: None,
        }],
    };
    let bytes = data::read_input_file(path, MAX_SCENARIO_FILE_BYTES)
        .map_err(|e| fail(0, 0, format!("cannot read file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let (line, column) = line_col(&before, valid);
        fail(
            line,
            column,
            format!("not valid UTF-8 (byte {valid}); scenario files must be saved as UTF-8"),
        )
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_in(&text, &name, Some(base)).map(|scenario| LoadedScenario {
        base: Some(base.to_path_buf()),
        scenario,
        source_name: name,
        text,
    })
}

/// The built-in default scenario.
pub fn load_default() -> LoadedScenario {
    let scenario = parse(DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME)
        .expect("the built-in scenario is valid (tested)");
    LoadedScenario {
        scenario,
        source_name: DEFAULT_SCENARIO_NAME.to_string(),
        text: DEFAULT_SCENARIO.to_string(),
        base: None,
    }
}

/// The rows of a group of errors (`rows 2, 5, 9`), the first [`MAX_SHOWN_ROWS`] of them.
/// A row is a line of the file, the header being row 1, as a spreadsheet numbers them.
fn row_list(rows: &[usize]) -> String {
    let shown: Vec<String> = rows
        .iter()
        .take(MAX_SHOWN_ROWS)
        .map(usize::to_string)
        .collect();
    if rows.len() > MAX_SHOWN_ROWS {
        format!(
            "rows {}, … (first {MAX_SHOWN_ROWS} shown)",
            shown.join(", ")
        )
    } else {
        format!("rows {}", shown.join(", "))
    }
}

/// Parses and validates scenario text; `file` names it in errors. Data files are not
/// allowed (there is no directory to find them in): use [`load_file`] for those.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    parse_in(text, file, None)
}

/// Parses and validates scenario text whose data files are relative to `base`.
pub fn parse_in(text: &str, file: &str, base: Option<&Path>) -> Result<Scenario, ScenarioError> {
    parse_from(text, file, base.map(data::Source::Dir))
}

/// Parses and validates scenario text whose data files are given in memory: (name as written
/// in `[data]`, contents). For tests and fuzzing; a name not given is a missing file.
pub fn parse_with_data(
    text: &str,
    file: &str,
    data: &[(&str, &[u8])],
) -> Result<Scenario, ScenarioError> {
    parse_from(text, file, Some(data::Source::Memory(data)))
}

fn parse_from(
    text: &str,
    file: &str,
    base: Option<data::Source<'_>>,
) -> Result<Scenario, ScenarioError> {
    let fail = |errors| ScenarioError {
        file: file.to_string(),
        errors,
    };
    let spanned = DeTable::parse(text).map_err(|e| {
        let span = e.span();
        let (line, column) = span.as_ref().map_or((0, 0), |s| line_col(text, s.start));
        fail(vec![FieldError {
            file: None,
            line,
            column,
            path: String::new(),
            message: with_value(
                e.message().trim_end().to_string(),
                text,
                &span.unwrap_or(0..0),
            ),
            kind: None,
        }])
    })?;
    let mut scenario: Scenario = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let (line, column) = line_col(text, span.start);
        let mut path = path_at(&spanned, &span);
        // serde points a missing field at its table (the whole file, for a top-level one):
        // name the field itself, so the message says what to add and where.
        if let Some(field) = e
            .message()
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            path = if path.is_empty() {
                field.to_string()
            } else {
                format!("{path}.{field}")
            };
        }
        let message = with_value(plain_type_error(&path, e.message()), text, &span);
        fail(vec![FieldError {
            file: None,
            line,
            column,
            path,
            message,
            kind: None,
        }])
    })?;
    let origins = match (scenario.data.clone(), base) {
        (Some(files), Some(base)) => data::load(&mut scenario, &files, base).map_err(|errors| {
            // A data file that cannot be opened: point at its name in the scenario.
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    if e.line == 0 && e.path.starts_with("data.") {
                        let (line, column) =
                            span_of(&spanned, &e.path).map_or((1, 1), |s| line_col(text, s.start));
                        (e.file, e.line, e.column) = (None, line, column);
                    }
                    e
                })
                .collect();
            fail(errors)
        })?,
        (Some(_), None) => {
            let (line, column) =
                span_of(&spanned, "data").map_or((1, 1), |s| line_col(text, s.start));
            return Err(fail(vec![FieldError {
                file: None,
                line,
                column,
                path: "data".to_string(),
                message: "data files need a scenario file to be relative to".to_string(),
                kind: None,
            }]));
        }
        _ => data::Origins::default(),
    };
    let problems = validate::validate(&scenario);
    if problems.is_empty() {
        return Ok(scenario);
    }
    let errors = problems
        .into_iter()
        .map(|(path, message)| {
            if let Some(e) = csv_location(&origins, &path, &message) {
                return e;
            }
            let (line, column) = span_of(&spanned, &path)
                .map(|s| line_col(text, s.start))
                .unwrap_or((1, 1));
            FieldError {
                file: None,
                line,
                column,
                path,
                message,
                kind: None,
            }
        })
        .collect();
    Err(fail(errors))
}

/// `message`, then the text it is about as written (`2027-02-30`), when that is one short
/// piece of a line the message does not already quote: an impossible value is easier to fix
/// when it is seen.
fn with_value(message: String, text: &str, span: &Range<usize>) -> String {
    match text.get(span.clone()) {
        Some(value)
            if !value.trim().is_empty()
                && value.len() <= 80
                && !value.contains('\n')
                && !message.contains(value.trim().trim_matches('"')) =>
        {
            format!("{message}, got `{}`", value.trim())
        }
        _ => message,
    }
}

/// A serde type error in the words of `docs/scenario-format.md` rather than Rust's: what the
/// field allows instead of `expected u32`.
fn plain_type_error(path: &str, message: &str) -> String {
    const TYPES: [(&str, &str); 5] = [
        ("expected u16", "expected a whole number 0-65535"),
        ("expected u32", "expected a whole number 0-4294967295"),
        (
            "expected u64",
            "expected a whole number 0-18446744073709551615",
        ),
        ("expected f64", "expected a number"),
        ("expected a formatted date string", "expected a date"),
    ];
    let mut out = message.to_string();
    let postcode = path.ends_with(".pc4") || path.contains(".postcodes[");
    if postcode {
        out = out.replace("expected u16", "expected a 4-digit postcode 1000-9999");
    }
    for (rust, plain) in TYPES {
        out = out.replace(rust, plain);
    }
    if let Some(i) = out.find("expected struct ") {
        out.truncate(i);
        out.push_str("expected a table of settings");
    }
    if path.starts_with("period.") && (path.ends_with(".start") || path.ends_with(".end")) {
        out.push_str(" (write a quoted ISO date such as \"2027-01-01\")");
    }
    did_you_mean(&out)
}

/// serde's `unknown field `x`, expected one of `a`, `b`` with the nearest field named first,
/// when one is near enough to be the intended one (`replicatons` → `replications`).
fn did_you_mean(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((typed, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let fields = expected.split('`').skip(1).step_by(2);
    match nearest(typed, fields) {
        Some(field) => {
            let others = expected.trim_start_matches(", ");
            format!("unknown field `{typed}`: did you mean `{field}`? ({others})")
        }
        None => message.to_string(),
    }
}

/// Of `candidates`, the one nearest to `typed` if it is near enough to be a typo of it: at
/// most a third of its letters different (Damerau-Levenshtein: a swap counts once), at most 3.
pub(crate) fn nearest<'a>(
    typed: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (strsim::damerau_levenshtein(typed, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The CSV row and column of a problem in an entry that came from a data file.
fn csv_location(origins: &data::Origins, path: &str, message: &str) -> Option<FieldError> {
    let steps = parse_path(path);
    let (origin, field) = match steps.as_slice() {
        [Step::Key("providers"), Step::Index(i), rest @ ..] => {
            let field = last_key(rest);
            let from_carers = matches!(field, "carers" | "contract_hours_per_week");
            match origins.carers.get(i) {
                Some(o) if from_carers => (o, field),
                _ => (origins.providers.get(i)?, field),
            }
        }
        // A region from postcodes.csv: its first row, column `region`.
        [Step::Key("regions"), Step::Index(r), Step::Key("name")] => {
            (origins.postcodes.get(&(*r, 0))?, "region")
        }
        [
            Step::Key("regions"),
            Step::Index(r),
            Step::Key("postcodes"),
            Step::Index(p),
            rest @ ..,
        ] => (origins.postcodes.get(&(*r, *p))?, last_key(rest)),
        _ => return None,
    };
    let field = match field {
        "name" => "provider",
        "contract" => "contract_type",
        other => other,
    };
    Some(FieldError {
        file: Some(origin.file.to_string()),
        line: origin.line,
        column: origin.column(field),
        path: field.to_string(),
        message: message.to_string(),
        kind: None,
    })
}

fn last_key<'a>(steps: &[Step<'a>]) -> &'a str {
    steps
        .iter()
        .rev()
        .find_map(|s| match s {
            Step::Key(k) => Some(*k),
            Step::Index(_) => None,
        })
        .unwrap_or("")
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// One step of a field path: a table key or an array index.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn parse_path(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                steps.push(Step::Index(i));
            }
        }
    }
    steps
}

/// The source span of the value at `path`, or of its deepest existing ancestor (a missing
/// field is reported where its table is).
fn span_of(root: &Spanned<DeTable<'_>>, path: &str) -> Option<Range<usize>> {
    let mut span = root.span();
    let mut current: Option<&DeValue<'_>> = None;
    let mut table = Some(root.get_ref());
    for step in parse_path(path) {
        let next: Option<&Spanned<DeValue<'_>>> = match (step, table, current) {
            (Step::Key(k), Some(t), _) => t
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == k)
                .map(|(_, v)| v),
            (Step::Index(i), _, Some(DeValue::Array(a))) => a.get(i),
            _ => None,
        };
        let Some(value) = next else { break };
        span = value.span();
        current = Some(value.get_ref());
        table = match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    Some(span)
}

/// The dotted path of the innermost key or value whose span contains `target`.
///
/// Containers are searched by their children, not by their own span: an array of tables
/// (`[[providers]]`) is spread over the file and its span covers only part of it.
fn path_at(root: &Spanned<DeTable<'_>>, target: &Range<usize>) -> String {
    fn inside(s: Range<usize>, target: &Range<usize>) -> bool {
        s.start <= target.start && target.start < s.end.max(s.start + 1)
    }
    fn join(prefix: &str, rest: Option<String>) -> String {
        match rest {
            Some(r) if r.starts_with('[') => format!("{prefix}{r}"),
            Some(r) if !r.is_empty() => format!("{prefix}.{r}"),
            _ => prefix.to_string(),
        }
    }
    fn in_table(t: &DeTable<'_>, target: &Range<usize>) -> Option<String> {
        for (key, v) in t.iter() {
            let name = key.get_ref().as_ref();
            if let Some(rest) = in_value(v, target) {
                return Some(join(name, Some(rest)));
            }
            if inside(key.span(), target) {
                return Some(name.to_string());
            }
        }
        None
    }
    fn in_value(v: &Spanned<DeValue<'_>>, target: &Range<usize>) -> Option<String> {
        match v.get_ref() {
            DeValue::Table(t) => {
                in_table(t, target).or_else(|| inside(v.span(), target).then(String::new))
            }
            DeValue::Array(a) => a
                .iter()
                .enumerate()
                .find_map(|(i, x)| in_value(x, target).map(|r| join(&format!("[{i}]"), Some(r))))
                .or_else(|| inside(v.span(), target).then(String::new)),
            _ => inside(v.span(), target).then(String::new),
        }
    }
    in_table(root.get_ref(), target).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_field_gets_the_nearest_one_suggested() {
        let serde = "unknown field `replicatons`, expected one of `name`, `seed`, `replications`";
        assert_eq!(
            did_you_mean(serde),
            "unknown field `replicatons`: did you mean `replications`? (expected one of `name`, \
             `seed`, `replications`)"
        );
        // Nothing near enough: serde's message as it was.
        let far = "unknown field `colour`, expected one of `name`, `seed`";
        assert_eq!(did_you_mean(far), far);
        assert_eq!(
            nearest("capacty_factor", ["capacity_factor", "carers"].into_iter()),
            Some("capacity_factor")
        );
        assert_eq!(nearest("sed", ["seed", "name"].into_iter()), Some("seed"));
        assert_eq!(nearest("xyz", ["seed", "name"].into_iter()), None);
    }

    const MINIMAL: &str = r#"
name = "t"
[[regions]]
name = "R"
postcodes = [{ pc4 = 1234, births_per_year = 100 }]
[[providers]]
name = "P"
region = "R"
carers = 10
"#;

    #[test]
    fn minimal_scenario_gets_domain_defaults() {
        let s = parse(MINIMAL, "t.toml").unwrap();
        assert_eq!(s.policy.minimum_hours, 24.0);
        assert_eq!(s.indication.care_window_days, 8);
        assert_eq!(s.carers.contract_hours_per_week, 22.0);
        assert_eq!(s.period.warmup_days, 280);
        // The defaults README's "The model in brief" states, in its words.
        // "registration week (85% before week 20)"
        assert_eq!(s.registration.early_share, 0.85);
        assert_eq!(s.policy.early_registration_week, 20);
        // "LIP indication (49 h breastfeeding or 45 h formula, plus medical hours for some,
        // minus 6 h per hospital day, 24-80 h), care window of 8 days (10 with medical hours)"
        assert_eq!(s.indication.breastfeeding_hours, 49.0);
        assert_eq!(s.indication.formula_hours, 45.0);
        assert!(s.indication.medical_share > 0.0);
        assert_eq!(s.indication.hospital_day_deduction_hours, 6.0);
        assert_eq!((s.indication.min_hours, s.indication.max_hours), (24.0, 80.0));
        assert_eq!(s.indication.extended_care_window_days, 10);
        // "averaged over 4-week periods ... at most an 8-hour shift, 36 hours a week and 6
        // days in a row, 22 free weekends a year; holidays (partly in July-August)"
        assert_eq!(s.carers.averaging_weeks, 4);
        assert_eq!(s.carers.max_hours_per_day, 8.0);
        assert_eq!(s.indication.max_hours_per_day, 8.0);
        assert_eq!(s.carers.max_hours_per_week, 36.0);
        assert_eq!(s.carers.max_days_in_row, 6);
        assert_eq!(s.carers.free_weekends, 22);
        assert!(s.carers.summer_holiday_weeks > 0);
        assert!(s.carers.summer_holiday_weeks < s.carers.holiday_weeks);
        // "Tiers: 1 minimum (24 h)": minimum-first by provider; "holds back what the coming
        // two weeks need": today and the 13 days after it.
        assert_eq!(s.policy.name, crate::policy::PolicyName::MinimumFirst);
        assert!(s.policy.reserve_for_due_soon);
        assert_eq!(s.policy.reservation_horizon_days, 13);
        // "as many as a planner needs for a 1% chance that a request finds none free"
        assert_eq!(s.birth_assist.target_miss, 0.01);
        assert!(s.birth_assist.on_call.is_none());
        // "Workforce over the years": "carers leave (10.8% a year ...)", "A: at least 1 per
        // 20 FTE a year; B: ≥ 70% of hours by employed carers", trainees "work half hours for
        // 24 months"; off unless `dynamic = true`.
        assert!(!s.workforce.dynamic);
        assert_eq!(s.workforce.attrition_per_year, 0.108);
        assert_eq!(s.contracts.a_trainees_per_fte, 1.0 / 20.0);
        assert_eq!(s.contracts.min_employed_share, 0.70);
        assert_eq!(s.workforce.trainee_hours_share, 0.5);
        assert_eq!(s.workforce.training_months, 24);
    }

    #[test]
    fn unknown_key_is_rejected_with_line_and_path() {
        let text = MINIMAL.replace("carers = 10", "carers = 10\ncarrers = 3");
        let err = parse(&text, "t.toml").unwrap_err();
        let e = &err.errors[0];
        assert!(e.message.contains("unknown field `carrers`"), "{err}");
        assert_eq!(e.line, 10);
        assert!(e.path.starts_with("providers"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_field() {
        let text = MINIMAL.replace("carers = 10", "carers = \"ten\"");
        let err = parse(&text, "t.toml").unwrap_err();
        assert_eq!(err.errors[0].line, 9);
        assert_eq!(err.errors[0].path, "providers[0].carers", "{err}");
    }

    #[test]
    fn semantic_errors_are_all_reported_with_positions() {
        let text = MINIMAL
            .replace("carers = 10", "carers = 10\nmarket_share = -1")
            .replace(
                "name = \"t\"",
                "name = \"t\"\n[birth_place]\nhome_share = 1.5",
            );
        let err = parse(&text, "t.toml").unwrap_err();
        let paths: Vec<_> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"birth_place.home_share"), "{err}");
        assert!(paths.contains(&"providers[0].market_share"), "{err}");
        let home = err
            .errors
            .iter()
            .find(|e| e.path == "birth_place.home_share")
            .unwrap();
        assert_eq!((home.line, home.column), (4, 14));
    }

    #[test]
    fn a_policy_listed_twice_is_an_error() {
        let text = MINIMAL.replace(
            "name = \"t\"",
            "name = \"t\"\n[policy]\ncompare = [\"proportional\", \"minimum-first\"]",
        );
        let err = parse(&text, "t.toml").unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!(err.errors[0].path, "policy.compare[1]");
        assert_eq!(err.errors[0].line, 4);
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse("name = \n", "bad.toml").unwrap_err();
        assert_eq!(err.errors[0].line, 1);
        assert!(err.to_string().starts_with("bad.toml: 1 error"));
    }

    #[test]
    fn builtin_default_is_valid() {
        let s = load_default();
        assert!(!s.scenario.regions.is_empty());
    }
}
