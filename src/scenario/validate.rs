//! Semantic checks of a parsed scenario: ranges, order, references.
//!
//! Every check runs, so a user sees all problems of a file at once. Each problem is a field
//! path and a message that says the bad value and what is allowed; `super::parse` turns the
//! path into a line and column.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::schema::*;

type Problems = Vec<(String, String)>;

struct Checker {
    problems: Problems,
}

impl Checker {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push((path.into(), message.into()));
    }

    /// A finite number within [lo, hi].
    fn range(&mut self, path: &str, value: f64, lo: f64, hi: f64) {
        self.range_at(|| path.to_string(), value, lo, hi);
    }

    /// [`Checker::range`] for the per-row checks of large data files: the path is only
    /// formatted when the check fails.
    fn range_at(&mut self, path: impl FnOnce() -> String, value: f64, lo: f64, hi: f64) {
        if !value.is_finite() || value < lo || value > hi {
            self.fail(
                path(),
                format!("must be between {lo} and {hi}, got {value}"),
            );
        }
    }

    fn int_range(&mut self, path: &str, value: u32, lo: u32, hi: u32) {
        if value < lo || value > hi {
            self.fail(path, format!("must be between {lo} and {hi}, got {value}"));
        }
    }

    fn share(&mut self, path: &str, value: f64) {
        self.range(path, value, 0.0, 1.0);
    }
}

/// How large one region-replication may be before kraamsim refuses to start it: the mothers it
/// is expected to generate over warm-up and period, and the carers of its providers after
/// `carers.capacity_factor`. A run holds one region-replication per thread in memory (about a
/// kilobyte per mother over a run), so these keep a run within a few gigabytes; the
/// environment variables `KRAAMSIM_MAX_MOTHERS` and `KRAAMSIM_MAX_CARERS` raise them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizeLimits {
    pub mothers: f64,
    pub carers: f64,
}

impl SizeLimits {
    pub const DEFAULT: SizeLimits = SizeLimits {
        mothers: 2_000_000.0,
        carers: 200_000.0,
    };

    /// The defaults, or the values of `KRAAMSIM_MAX_MOTHERS` / `KRAAMSIM_MAX_CARERS` (read
    /// once per process; a value that is not a positive number is ignored).
    pub fn from_env() -> SizeLimits {
        static LIMITS: std::sync::OnceLock<SizeLimits> = std::sync::OnceLock::new();
        *LIMITS.get_or_init(|| {
            let read = |name: &str, default: f64| {
                std::env::var(name)
                    .ok()
                    .and_then(|v| v.trim().replace('_', "").parse::<f64>().ok())
                    .filter(|v| v.is_finite() && *v > 0.0)
                    .unwrap_or(default)
            };
            SizeLimits {
                mothers: read("KRAAMSIM_MAX_MOTHERS", Self::DEFAULT.mothers),
                carers: read("KRAAMSIM_MAX_CARERS", Self::DEFAULT.carers),
            }
        })
    }
}

/// The mothers each region of `s` is expected to generate over its warm-up and period, in
/// region order: births per year x the year's trend x the months' weights, day by day.
pub fn expected_mothers(s: &Scenario) -> Vec<f64> {
    use chrono::Datelike;
    let cal = crate::model::Calendar::new(s);
    let factor = s.births.daily_factor();
    let trend = 1.0 + s.births.trend_per_year;
    let base_year = s.period.start.year();
    // The region-independent part: a region's expected mothers are its births per year
    // times this.
    let per_annual: f64 = (cal.first_birth_day..=cal.last_birth_day)
        .map(|day| {
            let date = cal.date(day);
            factor[date.month0() as usize] * trend.powi(date.year() - base_year)
        })
        .sum();
    s.regions
        .iter()
        .map(|r| r.postcodes.iter().map(|p| p.births_per_year).sum::<f64>() * per_annual)
        .collect()
}

/// Refuses a scenario whose largest region-replication is beyond `limits`, naming the field
/// that makes it so and how to allow it.
fn check_size(c: &mut Checker, s: &Scenario, limits: SizeLimits) {
    let allow = |var: &str, limit: f64| {
        format!("the limit is {limit:.0} per region and replication (set {var} to raise it)")
    };
    let mothers = expected_mothers(s);
    if let Some((ri, &most)) = mothers
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .filter(|(_, m)| **m > limits.mothers)
    {
        let without_trend = {
            let mut flat = s.clone();
            flat.births.trend_per_year = 0.0;
            expected_mothers(&flat)[ri]
        };
        let path = if s.births.trend_per_year > 0.0 && without_trend <= limits.mothers {
            "births.trend_per_year".to_string()
        } else if (s.period.end - s.period.start).num_days() > 3 * 365 {
            "period.end".to_string()
        } else {
            format!("regions[{ri}].postcodes")
        };
        c.fail(
            path,
            format!(
                "region `{}` would have about {most:.3e} mothers over the warm-up and the period; {}",
                s.regions[ri].name,
                allow("KRAAMSIM_MAX_MOTHERS", limits.mothers)
            ),
        );
    }
    for region in &s.regions {
        let listed: f64 = s
            .providers
            .iter()
            .filter(|p| p.region == region.name)
            .map(|p| f64::from(p.carers))
            .sum();
        let carers = listed * s.carers.capacity_factor;
        if carers > limits.carers {
            let path = if listed <= limits.carers {
                "carers.capacity_factor"
            } else {
                "providers"
            };
            c.fail(
                path,
                format!(
                    "region `{}` would have {carers:.3e} carers; {}",
                    region.name,
                    allow("KRAAMSIM_MAX_CARERS", limits.carers)
                ),
            );
            break;
        }
    }
}

/// The longest scenario name, in characters: it becomes a folder name (`output/NAME`), and file
/// systems stop at 255 bytes.
pub const NAME_MAX_CHARS: usize = 100;

/// A scenario's name becomes the default output folder (`output/NAME`, `output/NAME-forecast`),
/// so it must be one safe path component: no separators, no `..`, nothing hidden, no control
/// characters, not too long. `--out` is the only way to write elsewhere.
pub fn check_name(name: &str) -> Result<(), String> {
    let shown: String = name.chars().take(40).flat_map(char::escape_debug).collect();
    let rule = "the name becomes the output folder (output/NAME), so it may hold only letters, digits, spaces, `-`, `_` and `.` (not first)";
    if name.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    let count = name.chars().count();
    if count > NAME_MAX_CHARS {
        return Err(format!(
            "is {count} characters long, at most {NAME_MAX_CHARS} are allowed: {rule}"
        ));
    }
    if name.starts_with('.') || name.trim() != name {
        return Err(format!(
            "`{shown}` starts with `.` or a space, or ends with a space: {rule}"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|ch| !(ch.is_alphanumeric() || matches!(ch, ' ' | '-' | '_' | '.')))
    {
        return Err(format!("`{shown}` holds `{}`: {rule}", bad.escape_debug()));
    }
    Ok(())
}

/// All semantic problems of `s`, as (field path, message); empty when the scenario is valid.
pub fn validate(s: &Scenario) -> Problems {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if let Err(why) = check_name(&s.name) {
        c.fail("name", why);
    }
    c.int_range("replications", s.replications, 1, 100_000);
    check_period(&mut c, &s.period);
    check_policy(&mut c, s);
    check_births(&mut c, &s.births);
    check_registration(&mut c, s);
    check_birth_place(&mut c, &s.birth_place);
    check_indication(&mut c, &s.indication);
    check_carers(&mut c, &s.carers);
    let b = &s.birth_assist;
    c.share("birth_assist.home_share", b.home_share);
    c.share("birth_assist.outpatient_share", b.outpatient_share);
    c.range("birth_assist.hours", b.hours, 0.0, 24.0);
    c.range("birth_assist.target_miss", b.target_miss, 0.0001, 0.5);
    check_on_call(&mut c, b);
    check_workforce(&mut c, &s.workforce);
    check_contracts(&mut c, &s.contracts);
    check_regions_and_providers(&mut c, s);
    check_provider_closures(&mut c, s);
    if let Some(f) = &s.forecast {
        for (path, file) in [
            ("forecast.bookings", &f.bookings),
            ("forecast.roster", &f.roster),
        ] {
            if file.trim().is_empty() {
                c.fail(path, "must name a CSV file (relative to the scenario file)");
            }
        }
        let date = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
        let (first, last) = (date(FIRST_DATE), date(LAST_DATE));
        if let Some(as_of) = f.as_of.filter(|d| *d < first || *d > last) {
            c.fail(
                "forecast.as_of",
                format!("must be a date from {first} to {last}, got {as_of}"),
            );
        }
        c.int_range("forecast.weeks", f.weeks, 1, 104);
        c.int_range("forecast.replications", f.replications, 1, 100_000);
    }
    // Only a scenario that is otherwise valid has a size worth estimating.
    if c.problems.is_empty() {
        check_size(&mut c, s, SizeLimits::from_env());
    }
    c.problems
}

/// On-call carers per day part (at most 1,000 each) and the day parts' start hours: each
/// 0-23, in the cyclic order night, day, evening (e.g. `[0, 8, 16]` or `[23, 7, 15]`).
fn check_on_call(c: &mut Checker, b: &BirthAssistParams) {
    if let Some(on_call) = b.on_call {
        for (i, n) in on_call.into_iter().enumerate() {
            c.int_range(&format!("birth_assist.on_call[{i}]"), n, 0, 1000);
        }
    }
    let parts = b.day_parts;
    let mut hours_ok = true;
    for (i, h) in parts.into_iter().enumerate() {
        if h > 23 {
            c.int_range(&format!("birth_assist.day_parts[{i}]"), h, 0, 23);
            hours_ok = false;
        }
    }
    if hours_ok {
        let rel = |h: u32| (h + 24 - parts[0]) % 24;
        if !(0 < rel(parts[1]) && rel(parts[1]) < rel(parts[2])) {
            c.fail(
                "birth_assist.day_parts",
                format!(
                    "must be the start hours of night, day and evening in that order around \
                     the clock, each part at least an hour long (e.g. [0, 8, 16]), got {parts:?}"
                ),
            );
        }
    }
}

/// The dates a period may use: the calendar arithmetic of a run stays far from chrono's
/// limits, and a year outside this range is a typo.
const FIRST_DATE: (i32, u32, u32) = (1900, 1, 1);
const LAST_DATE: (i32, u32, u32) = (2199, 12, 31);

/// The first and last date any input may use, scenario or forecast CSV.
pub fn date_range() -> (NaiveDate, NaiveDate) {
    let date = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    (date(FIRST_DATE), date(LAST_DATE))
}

fn check_period(c: &mut Checker, p: &Period) {
    let (first, last) = date_range();
    for (path, value) in [("period.start", p.start), ("period.end", p.end)] {
        if value < first || value > last {
            c.fail(
                path,
                format!("must be a date from {first} to {last}, got {value}"),
            );
        }
    }
    if p.end < p.start {
        c.fail(
            "period.end",
            format!(
                "must not be before period.start ({}), got {}",
                p.start, p.end
            ),
        );
    } else if (p.end - p.start).num_days() > 366 * 50 {
        c.fail(
            "period.end",
            "the reporting period may span at most 50 years",
        );
    }
    c.int_range("period.warmup_days", p.warmup_days, 0, 3650);
}

fn check_policy(c: &mut Checker, s: &Scenario) {
    let p = &s.policy;
    for (i, name) in p.compare.iter().enumerate() {
        if *name == p.name || p.compare[..i].contains(name) {
            c.fail(
                format!("policy.compare[{i}]"),
                format!(
                    "policy `{}` is already run; list each policy once",
                    name.as_str()
                ),
            );
        }
    }
    c.range("policy.minimum_hours", p.minimum_hours, 0.0, 1000.0);
    c.int_range(
        "policy.reservation_horizon_days",
        p.reservation_horizon_days,
        0,
        90,
    );
    c.int_range(
        "policy.early_registration_week",
        p.early_registration_week,
        1,
        42,
    );
    check_waiting_list(c, s);
}

/// The waiting list's settings: a limit that is not negative, and provider names and
/// postcodes that exist.
fn check_waiting_list(c: &mut Checker, s: &Scenario) {
    let wl = &s.policy.waiting_list;
    if let Some(limit) = wl.max_transfers_per_day
        && !(0..=1_000_000).contains(&limit)
    {
        c.fail(
            "policy.waiting_list.max_transfers_per_day",
            format!("must be between 0 and 1000000 mothers a day, got {limit}"),
        );
    }
    for (i, name) in wl.priority.iter().enumerate() {
        if !s.providers.iter().any(|p| &p.name == name) {
            c.fail(
                format!("policy.waiting_list.priority[{i}]"),
                format!("no provider named `{name}`"),
            );
        } else if wl.priority[..i].contains(name) {
            c.fail(
                format!("policy.waiting_list.priority[{i}]"),
                format!("provider `{name}` is listed twice"),
            );
        }
    }
    if wl.refusals && s.policy.scope != CapacityScope::WaitingList {
        c.fail(
            "policy.waiting_list.refusals",
            format!(
                "refusals need scope = \"waiting-list\" (the list places a mother her provider cannot book), got scope = \"{}\"",
                s.policy.scope.as_str()
            ),
        );
    }
    if !(wl.booking_share > 0.0 && wl.booking_share <= 1.0) {
        c.fail(
            "policy.waiting_list.booking_share",
            format!(
                "must be more than 0 and at most 1, got {}",
                wl.booking_share
            ),
        );
    }
    if !wl.priority.is_empty() && wl.order != WaitingListOrder::Priority {
        c.fail(
            "policy.waiting_list.priority",
            "is used only with order = \"priority\"; set it, or remove the list",
        );
    }
    for (i, pc) in wl.postcodes.iter().enumerate() {
        let known = s
            .regions
            .iter()
            .flat_map(|r| &r.postcodes)
            .any(|p| p.pc4 == *pc);
        if !known {
            c.fail(
                format!("policy.waiting_list.postcodes[{i}]"),
                format!("postcode {pc} is not in any region"),
            );
        }
    }
}

/// `[[provider_closures]]`: a known provider closing once, within the period; its carers'
/// shares to other providers of its region summing to at most 1; and every postcode it
/// covers covered by another provider of its region still open then, so that its mothers
/// have somewhere to go.
fn check_provider_closures(c: &mut Checker, s: &Scenario) {
    let find = |name: &str| -> Result<&ProviderSpec, String> {
        let mut found = s.providers.iter().filter(|p| p.name == name);
        match (found.next(), found.next()) {
            (Some(p), None) => Ok(p),
            (Some(_), Some(_)) => Err(format!(
                "provider `{name}` is named in more than one region; closures need a unique name"
            )),
            (None, _) => Err(format!("no provider named `{name}`")),
        }
    };
    for (i, closure) in s.provider_closures.iter().enumerate() {
        let at = format!("provider_closures[{i}]");
        let provider = match find(&closure.provider) {
            Ok(p) => p,
            Err(why) => {
                c.fail(format!("{at}.provider"), why);
                continue;
            }
        };
        if s.provider_closures[..i]
            .iter()
            .any(|k| k.provider == closure.provider)
        {
            c.fail(
                format!("{at}.provider"),
                format!("provider `{}` closes twice", closure.provider),
            );
        }
        let (start, end) = (s.period.start, s.period.end);
        if closure.date < start || closure.date > end {
            c.fail(
                format!("{at}.date"),
                format!(
                    "must be within the reporting period {start} to {end}, got {}",
                    closure.date
                ),
            );
        }
        let mut total = 0.0;
        for (j, join) in closure.carers_join.iter().enumerate() {
            let field = |name: &str| format!("{at}.carers_join[{j}].{name}");
            c.share(&field("share"), join.share);
            total += join.share;
            match find(&join.provider) {
                Err(why) => c.fail(field("provider"), why),
                Ok(q) if q.name == provider.name => c.fail(
                    field("provider"),
                    "the closing provider's carers cannot join the provider itself",
                ),
                Ok(q) if q.region != provider.region => c.fail(
                    field("provider"),
                    format!(
                        "provider `{}` is in region `{}`, not in the closing provider's `{}`",
                        q.name, q.region, provider.region
                    ),
                ),
                Ok(_) => {}
            }
        }
        if total > 1.0 + 1e-9 {
            c.fail(
                format!("{at}.carers_join"),
                format!("shares sum to {total}, more than 1"),
            );
        }
        // Providers of the region still open on the day it closes.
        let closed_by = |name: &str| {
            s.provider_closures
                .iter()
                .any(|k| k.provider == name && k.date <= closure.date)
        };
        let others: Vec<&ProviderSpec> = s
            .providers
            .iter()
            .filter(|q| q.region == provider.region && !closed_by(&q.name))
            .collect();
        let Some(region) = s.regions.iter().find(|r| r.name == provider.region) else {
            continue;
        };
        let covers =
            |q: &ProviderSpec, pc: u16| q.postcodes.is_empty() || q.postcodes.contains(&pc);
        let orphans: Vec<String> = region
            .postcodes
            .iter()
            .map(|p| p.pc4)
            .filter(|&pc| covers(provider, pc) && !others.iter().any(|q| covers(q, pc)))
            .map(|pc| pc.to_string())
            .collect();
        if !orphans.is_empty() {
            let shown: Vec<&str> = orphans.iter().take(5).map(String::as_str).collect();
            c.fail(
                format!("{at}.provider"),
                format!(
                    "no other provider of region `{}` open on {} covers postcode(s) {}{}: its mothers there would have nowhere to go",
                    provider.region,
                    closure.date,
                    shown.join(", "),
                    if orphans.len() > 5 { ", ..." } else { "" }
                ),
            );
        }
    }
}

fn check_births(c: &mut Checker, b: &Births) {
    for (i, w) in b.monthly_weights.iter().enumerate() {
        c.range(&format!("births.monthly_weights[{i}]"), *w, 0.0, 1e12);
    }
    if b.monthly_weights.iter().sum::<f64>() <= 0.0 {
        c.fail(
            "births.monthly_weights",
            "at least one month must have births",
        );
    }
    c.range("births.due_date_sd_days", b.due_date_sd_days, 0.0, 60.0);
    c.range("births.trend_per_year", b.trend_per_year, -0.5, 0.5);
    c.int_range(
        "births.earliest_days_before_due",
        b.earliest_days_before_due,
        0,
        120,
    );
    c.int_range(
        "births.latest_days_after_due",
        b.latest_days_after_due,
        0,
        60,
    );
}

fn check_registration(c: &mut Checker, s: &Scenario) {
    let r = &s.registration;
    let early_week = s.policy.early_registration_week;
    c.share("registration.early_share", r.early_share);
    c.int_range("registration.first_week", r.first_week, 1, 42);
    c.int_range("registration.last_week", r.last_week, 1, 42);
    if r.last_week < r.first_week {
        c.fail(
            "registration.last_week",
            format!(
                "must not be before registration.first_week ({}), got {}",
                r.first_week, r.last_week
            ),
        );
    }
    if r.early_share > 0.0 && r.first_week >= early_week {
        c.fail(
            "registration.first_week",
            format!(
                "must be before policy.early_registration_week ({early_week}) when early_share > 0, got {}",
                r.first_week
            ),
        );
    }
    if r.early_share < 1.0 && r.last_week < early_week {
        c.fail(
            "registration.last_week",
            format!(
                "must be at least policy.early_registration_week ({early_week}) when early_share < 1, got {}",
                r.last_week
            ),
        );
    }
}

fn check_birth_place(c: &mut Checker, b: &BirthPlaceParams) {
    c.share("birth_place.home_share", b.home_share);
    c.share("birth_place.outpatient_share", b.outpatient_share);
    c.share("birth_place.caesarean_share", b.caesarean_share);
    c.share(
        "birth_place.clinical_overnight_share",
        b.clinical_overnight_share,
    );
    let total = b.home_share + b.outpatient_share + b.caesarean_share;
    if total > 1.0 + 1e-9 {
        c.fail(
            "birth_place.caesarean_share",
            format!("home + outpatient + caesarean shares must be at most 1, got {total}"),
        );
    }
    let [lo, hi] = b.caesarean_hospital_days;
    if lo > hi || hi > 14 {
        c.fail(
            "birth_place.caesarean_hospital_days",
            format!("must be [lowest, highest] with lowest <= highest <= 14, got [{lo}, {hi}]"),
        );
    }
}

fn check_indication(c: &mut Checker, i: &IndicationParams) {
    c.range(
        "indication.breastfeeding_hours",
        i.breastfeeding_hours,
        0.0,
        1000.0,
    );
    c.range("indication.formula_hours", i.formula_hours, 0.0, 1000.0);
    c.share("indication.breastfeeding_share", i.breastfeeding_share);
    c.share("indication.medical_share", i.medical_share);
    let [lo, hi] = i.medical_extra_hours;
    if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi && hi <= 1000.0) {
        c.fail(
            "indication.medical_extra_hours",
            format!(
                "must be [lowest, highest] with 0 <= lowest <= highest <= 1000, got [{lo}, {hi}]"
            ),
        );
    }
    c.range("indication.min_hours", i.min_hours, 0.0, 1000.0);
    c.range("indication.max_hours", i.max_hours, 0.0, 1000.0);
    if i.max_hours < i.min_hours {
        c.fail(
            "indication.max_hours",
            format!(
                "must be at least indication.min_hours ({}), got {}",
                i.min_hours, i.max_hours
            ),
        );
    }
    c.range(
        "indication.hospital_day_deduction_hours",
        i.hospital_day_deduction_hours,
        0.0,
        24.0,
    );
    c.int_range("indication.care_window_days", i.care_window_days, 1, 30);
    c.int_range(
        "indication.extended_care_window_days",
        i.extended_care_window_days,
        i.care_window_days,
        30,
    );
    c.range(
        "indication.max_hours_per_day",
        i.max_hours_per_day,
        0.5,
        24.0,
    );
    c.share("indication.digital_share", i.digital_share);
}

fn check_workforce(c: &mut Checker, w: &WorkforceParams) {
    // A share of 1 a year would be an infinite hazard: every carer gone at once.
    c.range(
        "workforce.attrition_per_year",
        w.attrition_per_year,
        0.0,
        0.99,
    );
    c.range(
        "workforce.early_attrition_per_year",
        w.early_attrition_per_year,
        0.0,
        0.99,
    );
    c.range("workforce.early_years", w.early_years, 0.0, 50.0);
    c.range("workforce.hired_per_year", w.hired_per_year, 0.0, 100_000.0);
    c.range(
        "workforce.hired_share_per_year",
        w.hired_share_per_year,
        0.0,
        1.0,
    );
    c.int_range("workforce.training_months", w.training_months, 1, 120);
    c.share("workforce.completion_rate", w.completion_rate);
    c.share("workforce.trainee_hours_share", w.trainee_hours_share);
}

fn check_contracts(c: &mut Checker, k: &ContractParams) {
    c.range(
        "contracts.a_trainees_per_fte",
        k.a_trainees_per_fte,
        0.0,
        10.0,
    );
    c.range(
        "contracts.other_trainees_per_fte",
        k.other_trainees_per_fte,
        0.0,
        10.0,
    );
    c.share("contracts.min_employed_share", k.min_employed_share);
    c.share("contracts.default_employed_share", k.default_employed_share);
    c.share(
        "contracts.platform_employed_share",
        k.platform_employed_share,
    );
    c.range(
        "contracts.fte_hours_per_week",
        k.fte_hours_per_week,
        1.0,
        80.0,
    );
}

fn check_carers(c: &mut Checker, k: &CarerParams) {
    c.range(
        "carers.contract_hours_per_week",
        k.contract_hours_per_week,
        0.0,
        60.0,
    );
    c.range("carers.productive_share", k.productive_share, 0.0, 1.0);
    c.range("carers.max_hours_per_day", k.max_hours_per_day, 0.5, 24.0);
    c.range(
        "carers.max_hours_per_week",
        k.max_hours_per_week,
        0.5,
        168.0,
    );
    c.int_range("carers.max_days_in_row", k.max_days_in_row, 1, 366);
    c.int_range("carers.averaging_weeks", k.averaging_weeks, 1, 13);
    c.int_range("carers.free_weekends", k.free_weekends, 0, 52);
    c.int_range("carers.holiday_weeks", k.holiday_weeks, 0, 26);
    c.int_range(
        "carers.summer_holiday_weeks",
        k.summer_holiday_weeks,
        0,
        k.holiday_weeks.min(8),
    );
    c.range("carers.sickness_absence", k.sickness_absence, 0.0, 0.9);
    c.range(
        "carers.sickness_mean_days",
        k.sickness_mean_days,
        1.0,
        365.0,
    );
    c.range("carers.capacity_factor", k.capacity_factor, 0.0, 100.0);
}

fn check_regions_and_providers(c: &mut Checker, s: &Scenario) {
    if s.regions.is_empty() {
        c.fail("regions", "a scenario needs at least one region");
    }
    // Indexed by postcode: which region has it, and whether a provider covers it. Plain
    // vectors rather than hash sets: a national dataset has thousands of postcodes.
    let mut postcode_region: Vec<Option<usize>> = vec![None; usize::from(u16::MAX) + 1];
    let mut region_index: HashMap<&str, usize> = HashMap::new();
    for (ri, r) in s.regions.iter().enumerate() {
        let at = format!("regions[{ri}]");
        if r.name.trim().is_empty() {
            c.fail(format!("{at}.name"), "must not be empty");
        } else if *region_index.entry(r.name.as_str()).or_insert(ri) != ri {
            c.fail(
                format!("{at}.name"),
                format!("region `{}` is listed twice", r.name),
            );
        }
        if r.postcodes.is_empty() {
            c.fail(
                format!("{at}.postcodes"),
                "a region needs at least one postcode",
            );
        }
        for (pi, p) in r.postcodes.iter().enumerate() {
            let field = |name: &str| format!("{at}.postcodes[{pi}].{name}");
            if !(1000..=9999).contains(&p.pc4) {
                c.fail(
                    field("pc4"),
                    format!("must be a 4-digit postcode 1000-9999, got {}", p.pc4),
                );
            }
            match postcode_region[usize::from(p.pc4)] {
                Some(other) => c.fail(
                    field("pc4"),
                    format!(
                        "postcode {} is already in region `{}`",
                        p.pc4, s.regions[other].name
                    ),
                ),
                None => postcode_region[usize::from(p.pc4)] = Some(ri),
            }
            c.range_at(|| field("births_per_year"), p.births_per_year, 0.0, 1e6);
        }
    }
    let mut covered = vec![false; usize::from(u16::MAX) + 1];
    // Per region (by its first entry, when a name is listed twice).
    let mut carers_in_region = vec![0u64; s.regions.len()];
    let mut providers_in_region = vec![0usize; s.regions.len()];
    let mut provider_names = HashSet::new();
    // Per postcode: times listed by the provider at hand (cleared after each provider).
    let mut listed = vec![0u8; usize::from(u16::MAX) + 1];
    for (i, p) in s.providers.iter().enumerate() {
        let at = format!("providers[{i}]");
        if p.name.trim().is_empty() {
            c.fail(format!("{at}.name"), "must not be empty");
        } else if !provider_names.insert((p.region.as_str(), p.name.as_str())) {
            c.fail(
                format!("{at}.name"),
                format!(
                    "provider `{}` is listed twice in region `{}`",
                    p.name, p.region
                ),
            );
        }
        let Some(&ri) = region_index.get(p.region.as_str()) else {
            let known: Vec<_> = s.regions.iter().map(|r| r.name.as_str()).collect();
            c.fail(
                format!("{at}.region"),
                format!(
                    "no region named `{}`; known: {}",
                    p.region,
                    known.join(", ")
                ),
            );
            continue;
        };
        let region = &s.regions[ri];
        // How often each postcode of this provider was listed so far: a repeat is reported
        // once, at its second listing, however long the list (a table, not a scan per code).
        for (k, pc) in p.postcodes.iter().enumerate() {
            let times = &mut listed[usize::from(*pc)];
            *times = times.saturating_add(1);
            if *times == 2 {
                c.fail(
                    format!("{at}.postcodes[{k}]"),
                    format!("postcode {pc} is listed twice"),
                );
            } else if *times == 1 && postcode_region[usize::from(*pc)] != Some(ri) {
                c.fail(
                    format!("{at}.postcodes[{k}]"),
                    format!("postcode {pc} is not in region `{}`", region.name),
                );
            }
        }
        p.postcodes
            .iter()
            .for_each(|pc| listed[usize::from(*pc)] = 0);
        if p.postcodes.is_empty() {
            region
                .postcodes
                .iter()
                .for_each(|x| covered[usize::from(x.pc4)] = true);
        } else {
            p.postcodes
                .iter()
                .for_each(|pc| covered[usize::from(*pc)] = true);
        }
        if !(p.market_share.is_finite() && p.market_share > 0.0 && p.market_share <= 1e6) {
            c.fail(
                format!("{at}.market_share"),
                format!("must be a positive number, got {}", p.market_share),
            );
        }
        c.int_range(&format!("{at}.carers"), p.carers, 0, 1_000_000);
        carers_in_region[ri] += u64::from(p.carers);
        providers_in_region[ri] += 1;
        if let Some(h) = p.contract_hours_per_week {
            c.range(&format!("{at}.contract_hours_per_week"), h, 0.0, 60.0);
        }
        if let Some(e) = p.employed_share {
            c.range_at(|| format!("{at}.employed_share"), e, 0.0, 1.0);
        }
    }
    for (ri, r) in s.regions.iter().enumerate() {
        let births: f64 = r.postcodes.iter().map(|p| p.births_per_year).sum();
        let has_providers = providers_in_region[ri] > 0;
        match &r.no_carers_reason {
            Some(reason) if reason.trim().is_empty() => c.fail(
                format!("regions[{ri}].no_carers_reason"),
                "must say why the region has no carers, got an empty text",
            ),
            Some(_) if carers_in_region[ri] > 0 => c.fail(
                format!("regions[{ri}].no_carers_reason"),
                format!(
                    "region `{}` has {} carers; remove no_carers_reason or set its providers' carers to 0",
                    r.name, carers_in_region[ri]
                ),
            ),
            None if births > 0.0 && has_providers && carers_in_region[ri] == 0 => c.fail(
                format!("regions[{ri}].name"),
                format!(
                    "region `{}` has {births} births a year but its providers have no carers: give them carers (`carers`, or rows in carers.csv), or say why with `no_carers_reason = \"...\"` in its [[regions]] entry",
                    r.name
                ),
            ),
            _ => {}
        }
        for (pi, p) in r.postcodes.iter().enumerate() {
            if p.births_per_year > 0.0 && !covered[usize::from(p.pc4)] {
                c.fail(
                    format!("regions[{ri}].postcodes[{pi}].pc4"),
                    format!(
                        "postcode {} has births but no provider covers it: add it to a provider of region `{}`",
                        p.pc4, r.name
                    ),
                );
            }
        }
    }
}
