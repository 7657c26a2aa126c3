//! A simulated run's state on a day as bookings.csv and roster.csv: what a coordinator would
//! know then, in the files `kraamsim forecast` reads (`kraamsim forecast-snapshot`, a
//! developer command).
//!
//! It lets a forecast be checked against the future that the same run then actually had (the
//! backtest in `tests/forecast.rs`), and makes the shipped example reproducible. Only what is
//! known on the day is written: for a mother not yet born, no birth place, indication or
//! days of care (the forecast draws them); for a carer sick on the day, the day her sickness
//! began but not its end; no sickness to come. The day is the scenario's `period.start`, so
//! the run's reporting period is the forecast's future.

use std::path::Path;

use crate::csv_text::CsvText;
use crate::generate::region_providers;
use crate::model::{AbsenceKind, Calendar, Day};
use crate::output::{self, OutputError};
use crate::scenario::Scenario;
use crate::sim;

/// The two files' contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub bookings: String,
    pub roster: String,
}

/// The state of replication `replication` of `s` at the start of `period.start`, every
/// region, under the scenario's (first) policy.
pub fn snapshot(s: &Scenario, replication: u32) -> Snapshot {
    let cal = Calendar::new(s);
    let k = cal.report_start;
    let policy = s.policy.name.policy(s.policy.rationing);
    let mut bookings = CsvText::new(&[
        "mother",
        "region",
        "provider",
        "postcode",
        "registration_date",
        "due_date",
        "indicated_hours",
        "medical_hours",
        "birth_place",
        "care_start",
        "care_days",
        "delivered_hours",
    ]);
    let mut roster = CsvText::new(&[
        "carer",
        "region",
        "provider",
        "contract_hours_per_week",
        "holidays",
        "absences",
    ]);
    for (r, region) in s.regions.iter().enumerate() {
        let providers = region_providers(s, r);
        let state = sim::state_at(s, &cal, r, replication, policy.as_ref(), k);
        let date = |d: Day| cal.date(d);
        for (i, m) in state.mothers.iter().enumerate() {
            if !state.taken_on[i] {
                continue;
            }
            let born = m.birth_minute < k * 1440;
            // (care start, care days, hours so far) once she is born.
            let care = match state.care[i] {
                Some((_, last)) if last < k => continue, // her care is over
                Some((first, last)) => Some((first, last - first + 1, Some(state.delivered[i]))),
                None if born => {
                    // Born, not home yet: the day her care will start, by the rule of
                    // `sim` (3 hours after a birth at home or outpatient, counted from the
                    // next day's plan when after 07:00; the morning after the hospital days).
                    let first = if m.hospital_days == 0 {
                        let t = m.birth_minute + 180;
                        t / 1440 + u32::from(t % 1440 > 7 * 60)
                    } else {
                        m.birth_minute / 1440 + m.hospital_days + 1
                    };
                    Some((first, m.indication.home_days, None))
                }
                None => None,
            };
            let (indicated, medical, place, start, days, delivered) = match care {
                Some((first, days, delivered)) => (
                    format!("{:.2}", m.indication.total_hours),
                    format!("{:.2}", m.indication.medical_hours),
                    m.birth_place.as_str().to_string(),
                    date(first).to_string(),
                    days.to_string(),
                    delivered.map_or(String::new(), |h| format!("{h:.3}")),
                ),
                None => Default::default(),
            };
            bookings.row([
                format!("r{r}-m{}", m.id),
                region.name.clone(),
                providers[m.provider as usize].name.clone(),
                m.postcode.to_string(),
                date(m.registration_day).to_string(),
                date(m.due_day).to_string(),
                indicated,
                medical,
                place,
                start,
                days,
                delivered,
            ]);
        }
        for (j, c) in state.carers.iter().enumerate() {
            if !c.employed(k) {
                continue;
            }
            let range =
                |a: &crate::model::Absence| format!("{}..{}", date(a.start), date(a.end - 1));
            let holidays: Vec<String> = c
                .absences
                .iter()
                .filter(|a| a.kind == AbsenceKind::Holiday && a.end > k)
                .map(range)
                .collect();
            let sick: Vec<String> = c
                .absences
                .iter()
                .filter(|a| a.kind == AbsenceKind::Sickness && a.start < k && a.end > k)
                .map(|a| format!("{}..", date(a.start)))
                .collect();
            roster.row([
                format!("r{r}-c{j}"),
                region.name.clone(),
                providers[c.provider as usize].name.clone(),
                c.contract_hours_per_week.to_string(),
                holidays.join(" "),
                sick.join(" "),
            ]);
        }
    }
    Snapshot {
        bookings: bookings.finish(),
        roster: roster.finish(),
    }
}

/// Writes bookings.csv and roster.csv into `dir` (created if needed).
pub fn write(dir: &Path, snap: &Snapshot) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, text) in [
        ("bookings.csv", &snap.bookings),
        ("roster.csv", &snap.roster),
    ] {
        let path = dir.join(name);
        output::write_atomic(dir, name, |w| {
            w.write_all(text.as_bytes())
                .map_err(|source| OutputError::Io {
                    path: path.clone(),
                    source,
                })
        })?;
    }
    Ok(())
}
