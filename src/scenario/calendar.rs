//! The simulation calendar of a scenario: warm-up and reporting period laid out in days.
//!
//! [`Calendar`] is a domain type (`crate::model`), plain and free of the scenario format; its
//! constructor from a scenario lives here, with the format it reads, so the domain layer
//! does not depend on the scenario layer.

use chrono::{Datelike, Duration};

use super::Scenario;
use crate::model::Calendar;

impl Calendar {
    /// Lays out warm-up and reporting period for `s`.
    pub fn new(s: &Scenario) -> Self {
        let ind = &s.indication;
        let longest_stay =
            ind.extended_care_window_days + s.birth_place.caesarean_hospital_days[1] + 1;
        // Twice the longest stay: the mothers whose care overlaps the first counted mother's
        // care are all generated, so the reporting period starts in steady state.
        let lead = 2 * longest_stay;
        let warmup = s.period.warmup_days.max(lead);
        let report_len = (s.period.end - s.period.start).num_days().max(0) as u32;
        let start = s.period.start - Duration::days(i64::from(warmup));
        Calendar {
            start,
            start_weekday: start.weekday().num_days_from_monday(),
            report_start: warmup,
            report_end: warmup + report_len,
            first_birth_day: warmup - lead,
            last_birth_day: warmup + report_len + s.births.latest_days_after_due + 8,
        }
    }
}
