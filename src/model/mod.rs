//! Domain types: mothers, carers, indications, birth places, and the simulation calendar.
//!
//! These are plain data produced by `crate::generate` and read by `crate::sim`. Time is kept
//! in whole simulation days (`Day`, day 0 = the first simulated day) for planning and in
//! minutes (`crate::engine::Minutes`) for events; [`Calendar`] converts to dates at the edges.

use chrono::{Datelike, Duration, NaiveDate};

/// Number of tiers.
pub const TIERS: usize = 4;

/// A tier of a mother's indicated hours, in serving order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// min(legal minimum, indicated): guaranteed to every mother.
    Minimum = 0,
    /// Medically indicated hours above the minimum: guaranteed to every mother.
    Medical = 1,
    /// Remaining indicated hours of a mother registered before the early-registration week.
    RestEarly = 2,
    /// Remaining indicated hours of a late registrant: served only when all else is.
    RestLate = 3,
}

/// Hours per tier, indexed by `Tier as usize`.
pub type TierHours = [f64; TIERS];

/// A simulation day: day 0 is the first simulated day (the start of the warm-up).
pub type Day = u32;

/// Where a mother gives birth, which decides when care at home starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthPlace {
    /// At home, with birth assistance (partusassistentie) by a carer.
    Home,
    /// Birth centre or first-line outpatient: home the same day.
    Outpatient,
    /// Second-line (hospital) birth, home after `hospital_days`.
    Clinical,
}

impl BirthPlace {
    pub fn as_str(self) -> &'static str {
        match self {
            BirthPlace::Home => "home",
            BirthPlace::Outpatient => "outpatient",
            BirthPlace::Clinical => "clinical",
        }
    }
}

/// A mother's LIP indication (Landelijk Indicatieprotocol), after hospital-day deduction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indication {
    /// Total indicated hours.
    pub total_hours: f64,
    /// Medically indicated hours above the legal minimum (tier 2).
    pub medical_hours: f64,
    /// Days of care at home (the care window less the hospital days).
    pub home_days: u32,
}

impl Indication {
    /// Splits the indication into tiers: the minimum, the medical hours, and the rest, which
    /// is tier 3 for an early registrant and tier 4 for a late one.
    pub fn tiers(&self, minimum_hours: f64, registered_early: bool) -> TierHours {
        let minimum = self.total_hours.min(minimum_hours);
        let medical = self.medical_hours.min(self.total_hours - minimum).max(0.0);
        let rest = (self.total_hours - minimum - medical).max(0.0);
        if registered_early {
            [minimum, medical, rest, 0.0]
        } else {
            [minimum, medical, 0.0, rest]
        }
    }
}

/// A mother (kraamvrouw): when she registers and gives birth, and what she is indicated.
#[derive(Debug, Clone, PartialEq)]
pub struct Mother {
    /// Index within her region's population.
    pub id: u32,
    pub postcode: u16,
    /// Index of her postcode in her region's list (scenario order).
    pub postcode_index: u16,
    /// Index of her provider within the region.
    pub provider: u16,
    /// Pregnancy week in which she registered with the provider.
    pub registration_week: u32,
    pub registration_day: Day,
    pub due_day: Day,
    /// Birth time in minutes since the simulation start.
    pub birth_minute: u32,
    pub birth_place: BirthPlace,
    pub hospital_days: u32,
    pub indication: Indication,
    /// Whether her birth needs a carer on call (birth assistance).
    pub needs_birth_assist: bool,
}

/// Why a carer is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceKind {
    /// Planned leave: known to the roster in advance.
    Holiday,
    /// Sickness: known only from its first day.
    Sickness,
    /// Before she joins or after she has left the provider (a dynamic workforce): known to
    /// the roster in advance, like a holiday (hiring is planned, leaving comes with notice).
    NotEmployed,
}

impl AbsenceKind {
    /// Whether the roster knows it in advance (everything but sickness).
    pub fn is_planned(self) -> bool {
        self != AbsenceKind::Sickness
    }
}

/// How a carer came to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarerOrigin {
    /// Listed in the scenario: there at the start.
    Listed,
    /// Hired from the labour market during the reporting period, qualified.
    Hired,
    /// Started training during (or shortly before) the reporting period.
    Trainee,
}

/// A period a carer does not work: days `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absence {
    pub kind: AbsenceKind,
    pub start: Day,
    pub end: Day,
}

/// A carer (kraamverzorgende).
#[derive(Debug, Clone, PartialEq)]
pub struct Carer {
    /// Index of her provider within the region.
    pub provider: u16,
    /// Contract hours per week that go to care (contract hours x productive share).
    pub weekly_care_hours: f64,
    pub max_hours_per_day: f64,
    /// Holidays, sickness spells and the days she is not employed, sorted by start.
    pub absences: Vec<Absence>,
    /// Contract hours per week (for FTE).
    pub contract_hours_per_week: f64,
    pub origin: CarerOrigin,
    /// First day employed (0 for a listed carer).
    pub joined: Day,
    /// First day no longer employed (`Day::MAX`: stays to the end).
    pub left: Day,
    /// First day with a qualified carer's hours (a Monday); before it, from `joined`, she is
    /// a trainee with `workforce.trainee_hours_share` of them. Equal to `joined` for
    /// qualified carers; a trainee who drops out leaves before it.
    pub qualifies: Day,
}

impl Carer {
    /// Whether she is employed on `day`.
    pub fn employed(&self, day: Day) -> bool {
        self.joined <= day && day < self.left
    }

    /// Whether she is employed and qualified on `day`.
    pub fn qualified_on(&self, day: Day) -> bool {
        self.employed(day) && self.qualifies <= day
    }

    /// Whether she is employed and in training on `day`.
    pub fn training_on(&self, day: Day) -> bool {
        self.employed(day) && day < self.qualifies
    }

    /// Whether she qualifies (a trainee who does not drop out; every qualified carer).
    pub fn completes(&self) -> bool {
        self.qualifies < self.left
    }
}

/// Converts between simulation days and calendar dates for one scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calendar {
    /// The date of day 0.
    pub start: NaiveDate,
    /// The weekday of day 0 (Monday = 0): `start`'s, kept so that [`Calendar::weekday`], asked
    /// for every event and plan, needs no date arithmetic.
    pub start_weekday: u32,
    /// First day of the reporting period.
    pub report_start: Day,
    /// Last day of the reporting period (inclusive); the simulation's last day.
    pub report_end: Day,
    /// First day on which births are generated: earlier births cannot touch the reporting
    /// period (their care ends before it and before any counted mother's care starts).
    pub first_birth_day: Day,
    /// Last day on which births are generated: late enough that every mother due within a
    /// week of the end is in the forecast.
    pub last_birth_day: Day,
}

impl Calendar {
    pub fn date(&self, day: Day) -> NaiveDate {
        self.start + Duration::days(i64::from(day))
    }

    /// Calendar month 0..12 of a day.
    pub fn month0(&self, day: Day) -> usize {
        self.date(day).month0() as usize
    }

    /// Weekday, Monday = 0.
    ///
    /// Counted on from day 0's weekday rather than through a date: the simulation asks this
    /// several times per simulated day, and date arithmetic is comparatively slow.
    pub fn weekday(&self, day: Day) -> u32 {
        (self.start_weekday + day % 7) % 7
    }

    /// The calendar week of `day`, counted from the week of day 0 (weeks run Monday to
    /// Sunday): what the carers' free weekends and budget periods are laid out on.
    pub fn week(&self, day: Day) -> u32 {
        (day + self.start_weekday) / 7
    }

    /// Number of days in the reporting period.
    pub fn report_days(&self) -> u32 {
        self.report_end - self.report_start + 1
    }

    /// Whether `day` lies in the reporting period.
    pub fn in_report(&self, day: Day) -> bool {
        (self.report_start..=self.report_end).contains(&day)
    }

    /// Index of the ISO week of `day` among the weeks that overlap the reporting period.
    pub fn report_week(&self, day: Day) -> usize {
        let first_monday = self.report_start - self.weekday(self.report_start);
        ((day - first_monday) / 7) as usize
    }

    /// Number of ISO weeks that overlap the reporting period.
    pub fn report_weeks(&self) -> usize {
        self.report_week(self.report_end) + 1
    }

    /// Monday of the `index`-th reporting week.
    pub fn report_week_start(&self, index: usize) -> NaiveDate {
        let first_monday = self.report_start - self.weekday(self.report_start);
        self.date(first_monday + 7 * index as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_split_minimum_medical_and_rest() {
        let ind = Indication {
            total_hours: 49.0,
            medical_hours: 10.0,
            home_days: 8,
        };
        assert_eq!(ind.tiers(24.0, true), [24.0, 10.0, 15.0, 0.0]);
        assert_eq!(ind.tiers(24.0, false), [24.0, 10.0, 0.0, 15.0]);
        let small = Indication {
            total_hours: 20.0,
            medical_hours: 5.0,
            home_days: 5,
        };
        assert_eq!(small.tiers(24.0, true), [20.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn calendar_weeks_are_iso_weeks() {
        let s = crate::scenario::load_default().scenario;
        let c = Calendar::new(&s);
        assert_eq!(c.date(c.report_start), s.period.start);
        assert_eq!(c.date(c.report_end), s.period.end);
        // 2027-01-01 is a Friday in ISO week 2026-W53, which starts Monday 2026-12-28.
        assert_eq!(
            c.report_week_start(0),
            NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()
        );
        assert_eq!(c.report_weeks(), 53);
        for day in 0..14 {
            assert_eq!(c.weekday(day), c.date(day).weekday().num_days_from_monday());
        }
    }
}
