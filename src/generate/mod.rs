//! Synthetic populations: the mothers and carers of one region in one replication.
//!
//! Randomness is keyed by entity, not by draw order: the mothers of a region draw from one
//! stream and each carer from her own, all derived from (seed, replication, region). So a
//! scenario that differs only in policy, or in the number of carers, sees exactly the same
//! mothers, and the carers that both variants have keep the same holidays and sickness
//! (common random numbers). The variant is deliberately not part of the key for that reason.
//!
//! The generator is Xoshiro256++ (a fixed, documented algorithm, so results do not change with
//! the rand version), seeded through SplitMix64 from a hash of the whole key. It was chosen
//! over ChaCha8 for speed: drawing the national population was 6% of a national run's
//! instructions with ChaCha8. Nothing here needs cryptographic strength.

use chrono::Datelike;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp, Normal, Poisson};

pub mod national;
pub mod workforce;

use crate::model::{
    Absence, AbsenceKind, BirthPlace, Calendar, Carer, CarerOrigin, Day, Indication, Mother,
};
use crate::scenario::{ProviderSpec, Scenario};
pub use workforce::{ProviderYear, ReportYear, WorkforceYear, report_years, workforce_years};

/// Which kind of entity a random stream belongs to.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Mothers = 1,
    Carer = 2,
    /// When a listed carer leaves (index: the carer's).
    Leave = 3,
    /// A hired carer (index: provider and hire number).
    Hire = 4,
    /// A trainee (index: provider and trainee number).
    Trainee = 5,
    /// A region's yearly counts of trainees and hires (index: the year's number).
    Workforce = 6,
    /// A season forecast's draws (`crate::forecast`; index: what is drawn and for whom).
    Forecast = 7,
}

/// SplitMix64 finaliser: spreads nearby integers over the whole 64-bit range.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The random generator of every entity.
pub(crate) type EntityRng = Xoshiro256PlusPlus;

/// The random stream of one entity, from a hash of (seed, replication, region, kind of
/// entity, index): distinct keys start the generator at unrelated points of its 2^256 period.
fn entity_rng(seed: u64, replication: u32, region: usize, stream: Stream, index: u64) -> EntityRng {
    let entity = ((stream as u64) << 48) | index;
    let key = mix(mix(mix(mix(seed) ^ u64::from(replication)) ^ region as u64) ^ entity);
    EntityRng::seed_from_u64(key)
}

/// The random stream of one draw of a season forecast (`crate::forecast`), keyed like every
/// other entity by (seed, replication, region) and an index below 2^48.
pub(crate) fn forecast_rng(seed: u64, replication: u32, region: usize, index: u64) -> EntityRng {
    debug_assert!(index < 1 << 48);
    entity_rng(seed, replication, region, Stream::Forecast, index)
}

/// The people of one region in one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    pub mothers: Vec<Mother>,
    /// Every carer who works in the region at some time: the listed ones, then (with
    /// `workforce.dynamic`) the trainees and hires.
    pub carers: Vec<Carer>,
    /// Each provider's contract figures per year of the reporting period, year by year.
    pub providers: Vec<ProviderYear>,
}

/// Draws the population of region `region` for replication `replication`.
pub fn population(s: &Scenario, cal: &Calendar, region: usize, replication: u32) -> Population {
    let (mut carers, listed_index) = carers(s, cal, region, replication);
    let providers =
        workforce::plan_workforce(s, cal, region, replication, &mut carers, &listed_index);
    Population {
        mothers: mothers(s, cal, region, replication),
        carers,
        providers,
    }
}

/// Providers of region `region`, in scenario order: index = provider id within the region.
pub fn region_providers(s: &Scenario, region: usize) -> Vec<&ProviderSpec> {
    let name = &s.regions[region].name;
    s.providers.iter().filter(|p| &p.region == name).collect()
}

/// How many carers a provider has in the simulation: its listed carers times the scenario's
/// capacity factor, rounded.
pub fn carers_of(s: &Scenario, provider: &ProviderSpec) -> u32 {
    (f64::from(provider.carers) * s.carers.capacity_factor).round() as u32
}

/// Cumulative weights, for drawing an index by a uniform number.
pub(crate) fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

/// Index `i` with probability weight_i / total, from a uniform `u` in [0, 1).
pub(crate) fn pick(cum: &[f64], u: f64) -> usize {
    let x = u * cum.last().copied().unwrap_or(0.0);
    cum.partition_point(|&c| c <= x)
        .min(cum.len().saturating_sub(1))
}

/// Births per day of each calendar month, per birth per year: monthly weight / total weight
/// / days in that month (a non-leap year).
pub(crate) fn daily_birth_factor(s: &Scenario) -> [f64; 12] {
    s.births.daily_factor()
}

/// The mothers of a region: births day by day (Poisson with the month's rate), then each
/// mother's postcode, provider, due date, registration, birth place and indication.
fn mothers(s: &Scenario, cal: &Calendar, region: usize, replication: u32) -> Vec<Mother> {
    let mut rng = entity_rng(s.seed, replication, region, Stream::Mothers, 0);
    let postcodes = &s.regions[region].postcodes;
    let annual: f64 = postcodes.iter().map(|p| p.births_per_year).sum();
    let postcode_cum = cumulative(postcodes.iter().map(|p| p.births_per_year));
    let provider_choice = provider_choice(s, region);
    let factor = daily_birth_factor(s);
    let due_spread = Normal::new(0.0, s.births.due_date_sd_days.max(1e-9)).expect("sd >= 0");
    if annual <= 0.0 {
        return Vec::new();
    }
    // Room for the expected number of mothers plus a margin, so the vector rarely regrows.
    let days = f64::from(cal.last_birth_day - cal.first_birth_day + 1);
    let expected = annual * days / 365.0;
    let mut out = Vec::with_capacity((expected * 1.05 + 4.0 * expected.sqrt()) as usize);
    let base_year = s.period.start.year();
    let trend = 1.0 + s.births.trend_per_year;
    for day in cal.first_birth_day..=cal.last_birth_day {
        let date = cal.date(day);
        let years_on = date.year() - base_year;
        let rate = annual * factor[date.month0() as usize] * trend.powi(years_on);
        let count = if rate > 0.0 {
            Poisson::new(rate).expect("rate > 0").sample(&mut rng) as u32
        } else {
            0
        };
        for _ in 0..count {
            let pc = pick(&postcode_cum, rng.random());
            let (ids, cum) = &provider_choice[pc];
            if ids.is_empty() {
                continue; // validation rejects births in uncovered postcodes
            }
            let provider = ids[pick(cum, rng.random())];
            let mut mother = draw_mother(s, &mut rng, &due_spread, day);
            mother.id = out.len() as u32;
            mother.postcode = postcodes[pc].pc4;
            mother.postcode_index = pc as u16;
            mother.provider = provider;
            out.push(mother);
        }
    }
    out
}

/// For each of the region's postcodes, the providers covering it (indices within the region)
/// and the cumulative market shares to draw a mother's provider from.
pub(crate) fn provider_choice(s: &Scenario, region: usize) -> Vec<(Vec<u16>, Vec<f64>)> {
    let providers = region_providers(s, region);
    s.regions[region]
        .postcodes
        .iter()
        .map(|pc| {
            let ids: Vec<u16> = (0..providers.len() as u16)
                .filter(|&i| {
                    let p = providers[i as usize];
                    p.postcodes.is_empty() || p.postcodes.contains(&pc.pc4)
                })
                .collect();
            let cum = cumulative(ids.iter().map(|&i| providers[i as usize].market_share));
            (ids, cum)
        })
        .collect()
}

/// One mother born on `birth_day`: everything but id, postcode and provider.
fn draw_mother(
    s: &Scenario,
    rng: &mut EntityRng,
    due_spread: &Normal<f64>,
    birth_day: Day,
) -> Mother {
    let birth_minute = birth_day * 1440 + rng.random_range(0..1440);
    let offset = due_spread.sample(rng).round().clamp(
        -f64::from(s.births.latest_days_after_due),
        f64::from(s.births.earliest_days_before_due),
    );
    // offset > 0: born before the due date.
    let due_day = (i64::from(birth_day) + offset as i64).max(0) as Day;

    let reg = &s.registration;
    let early_week = s.policy.early_registration_week;
    let early = rng.random::<f64>() < reg.early_share;
    let (lo, hi) = if early {
        (
            reg.first_week,
            early_week.saturating_sub(1).max(reg.first_week),
        )
    } else {
        (
            early_week.max(reg.first_week),
            reg.last_week.max(early_week),
        )
    };
    let registration_week = rng.random_range(lo..=hi);
    // Pregnancy week w starts 280 - 7(w - 1) days before the due date... approximately; a
    // mother cannot register after her birth, so registration is capped at the birth day.
    let days_before_due = 280 - 7 * i64::from(registration_week.min(40)) + rng.random_range(0..7);
    let registration_day =
        (i64::from(due_day) - days_before_due).clamp(0, i64::from(birth_day)) as Day;

    let (birth_place, hospital_days) = draw_birth_place(s, rng);
    let needs_birth_assist = draw_birth_assist(s, rng, birth_place);
    let indication = draw_indication(s, rng, hospital_days);
    Mother {
        id: 0,
        postcode: 0,
        postcode_index: 0,
        provider: 0,
        registration_week,
        registration_day,
        due_day,
        birth_minute,
        birth_place,
        hospital_days,
        indication,
        needs_birth_assist,
    }
}

/// Where she gives birth and how many days she stays in hospital after it.
pub(crate) fn draw_birth_place(s: &Scenario, rng: &mut EntityRng) -> (BirthPlace, u32) {
    let bp = &s.birth_place;
    let u: f64 = rng.random();
    if u < bp.home_share {
        (BirthPlace::Home, 0)
    } else if u < bp.home_share + bp.outpatient_share {
        (BirthPlace::Outpatient, 0)
    } else if u < bp.home_share + bp.outpatient_share + bp.caesarean_share {
        let [lo, hi] = bp.caesarean_hospital_days;
        (BirthPlace::Clinical, rng.random_range(lo..=hi))
    } else {
        let night = rng.random::<f64>() < bp.clinical_overnight_share;
        (BirthPlace::Clinical, u32::from(night))
    }
}

/// Whether a birth at `place` needs a carer on call (birth assistance).
pub(crate) fn draw_birth_assist(s: &Scenario, rng: &mut EntityRng, place: BirthPlace) -> bool {
    let ba = &s.birth_assist;
    let assist_share = match place {
        BirthPlace::Home => ba.home_share,
        BirthPlace::Outpatient => ba.outpatient_share,
        BirthPlace::Clinical => 0.0,
    };
    rng.random::<f64>() < assist_share
}

/// A LIP indication: basic hours by feeding, medical extra hours for some, less the hospital
/// days, kept within [min, max] and within what her days at home can hold.
pub(crate) fn draw_indication(s: &Scenario, rng: &mut EntityRng, hospital_days: u32) -> Indication {
    let ind = &s.indication;
    let basic = if rng.random::<f64>() < ind.breastfeeding_share {
        ind.breastfeeding_hours
    } else {
        ind.formula_hours
    };
    let medical = rng.random::<f64>() < ind.medical_share;
    let [lo, hi] = ind.medical_extra_hours;
    let extra = if medical {
        lo + (hi - lo) * rng.random::<f64>()
    } else {
        0.0
    };
    let window = if medical {
        ind.extended_care_window_days
    } else {
        ind.care_window_days
    };
    let home_days = window.saturating_sub(hospital_days).max(1);
    let deduction = f64::from(hospital_days) * ind.hospital_day_deduction_hours;
    let fits = ind.max_hours_per_day * f64::from(home_days);
    let total = (basic + extra - deduction)
        .clamp(ind.min_hours, ind.max_hours)
        .min(fits);
    let mut indication = Indication {
        total_hours: round_quarter(total),
        medical_hours: round_quarter(extra.min(total)),
        home_days,
    };
    if ind.digital_share > 0.0 {
        indication.total_hours -=
            digital_hours(&indication, s.policy.minimum_hours, ind.digital_share);
    }
    indication
}

/// Hours of an indication given as digital instruction: `share` of its non-medical hours
/// above the minimum (tiers 3 and 4), in whole quarter hours rounded down, so the carer
/// hours left never fall below the minimum nor lose medical hours.
pub fn digital_hours(ind: &Indication, minimum_hours: f64, share: f64) -> f64 {
    let [_, _, early, late] = ind.tiers(minimum_hours, true);
    let rest = early + late;
    ((share * rest * 4.0).floor() / 4.0).clamp(0.0, rest)
}

/// Indications are set in quarter hours.
fn round_quarter(h: f64) -> f64 {
    (h * 4.0).round() / 4.0
}

/// The carers listed for a region: per provider, `carers x capacity_factor` of them, each
/// with her own stream for holidays and sickness; and each one's stream index.
fn carers(s: &Scenario, cal: &Calendar, region: usize, replication: u32) -> (Vec<Carer>, Vec<u64>) {
    let k = &s.carers;
    let mut out = Vec::new();
    let mut indices = Vec::new();
    for (pi, p) in region_providers(s, region).into_iter().enumerate() {
        let n = carers_of(s, p);
        let contract = p
            .contract_hours_per_week
            .unwrap_or(k.contract_hours_per_week);
        for c in 0..n {
            // Stream index: provider in the high bits, carer number in the low bits, so adding
            // carers to one provider leaves every other carer's draws unchanged.
            let index = ((pi as u64) << 24) | u64::from(c);
            let mut rng = entity_rng(s.seed, replication, region, Stream::Carer, index);
            out.push(Carer {
                provider: pi as u16,
                weekly_care_hours: contract * k.productive_share,
                max_hours_per_day: k.max_hours_per_day,
                absences: absences(s, cal, &mut rng),
                contract_hours_per_week: contract,
                origin: CarerOrigin::Listed,
                joined: 0,
                left: Day::MAX,
                qualifies: 0,
            });
            indices.push(index);
        }
    }
    (out, indices)
}

/// Holidays (a summer block in July-August and a block at another time, each year) and
/// sickness spells (onsets as a Poisson process, exponential lengths), sorted by start.
fn absences(s: &Scenario, cal: &Calendar, rng: &mut EntityRng) -> Vec<Absence> {
    let k = &s.carers;
    let last = cal.report_end + 1;
    let mut out = Vec::new();
    let first_year = cal.date(0).year();
    let last_year = cal.date(last).year();
    let other_weeks = k.holiday_weeks - k.summer_holiday_weeks;
    for year in first_year..=last_year {
        let day_of = |m: u32, d: u32| {
            let date = chrono::NaiveDate::from_ymd_opt(year, m, d).expect("valid date");
            (date - cal.start).num_days()
        };
        if k.summer_holiday_weeks > 0 {
            // Start on a day such that the block lies within 1 July - 31 August.
            let span = 62 - 7 * i64::from(k.summer_holiday_weeks);
            let start = day_of(7, 1) + rng.random_range(0..=span.max(0));
            push_absence(
                &mut out,
                AbsenceKind::Holiday,
                start,
                7 * i64::from(k.summer_holiday_weeks),
                last,
            );
        }
        if other_weeks > 0 {
            // Any time from 1 September to 30 June of the year after... kept inside this
            // calendar year: 1 January - 30 June or 1 September - 20 December.
            let spring = rng.random::<bool>();
            let (from, to) = if spring {
                (day_of(1, 1), day_of(6, 30))
            } else {
                (day_of(9, 1), day_of(12, 20))
            };
            let len = 7 * i64::from(other_weeks);
            let start = from + rng.random_range(0..=(to - from - len).max(0));
            push_absence(&mut out, AbsenceKind::Holiday, start, len, last);
        }
    }
    sickness_spells(s, 0, last, rng, &mut out);
    out.sort_by_key(|a| (a.start, a.end));
    out
}

/// Sickness spells from day `from` to `last` (exclusive): onsets as a Poisson process over
/// the days she is not sick, exponential lengths in whole days (at least one).
pub(crate) fn sickness_spells(
    s: &Scenario,
    from: Day,
    last: Day,
    rng: &mut EntityRng,
    out: &mut Vec<Absence>,
) {
    let k = &s.carers;
    let a = k.sickness_absence;
    if a > 0.0 {
        // Onset rate per working day such that the long-run share of days sick is `a`.
        let onset = Exp::new(a / (k.sickness_mean_days * (1.0 - a))).expect("rate > 0");
        let length = Exp::new(1.0 / k.sickness_mean_days).expect("rate > 0");
        let mut day = f64::from(from);
        loop {
            day += onset.sample(rng);
            if day >= f64::from(last) {
                break;
            }
            let len = length.sample(rng).ceil().max(1.0);
            push_absence(out, AbsenceKind::Sickness, day as i64, len as i64, last);
            day += len;
        }
    }
}

/// The length in whole days of a sickness spell, as [`sickness_spells`] draws it; for a
/// spell under way whose end is unknown, the days still to come (exponential lengths have no
/// memory, so the rest of a spell is distributed as a whole one).
pub(crate) fn sickness_days(s: &Scenario, rng: &mut EntityRng) -> u32 {
    let length = Exp::new(1.0 / s.carers.sickness_mean_days).expect("rate > 0");
    length.sample(rng).ceil().max(1.0) as u32
}

fn push_absence(out: &mut Vec<Absence>, kind: AbsenceKind, start: i64, len: i64, last: Day) {
    let start = start.max(0);
    let end = (start + len).min(i64::from(last));
    if end > start {
        out.push(Absence {
            kind,
            start: start as Day,
            end: end as Day,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        crate::scenario::load_default().scenario
    }

    #[test]
    fn same_key_same_population_other_key_other_population() {
        let s = scenario();
        let cal = Calendar::new(&s);
        let a = population(&s, &cal, 0, 0);
        assert_eq!(a, population(&s, &cal, 0, 0));
        assert_ne!(a.mothers, population(&s, &cal, 0, 1).mothers);
    }

    #[test]
    fn mothers_do_not_depend_on_carer_count() {
        let mut s = scenario();
        let cal = Calendar::new(&s);
        let a = population(&s, &cal, 0, 0);
        s.carers.capacity_factor = 0.5;
        let b = population(&s, &cal, 0, 0);
        assert_eq!(a.mothers, b.mothers);
        assert!(b.carers.len() < a.carers.len());
        // Carers present in both keep their absences (streams keyed by carer).
        assert_eq!(a.carers[0], b.carers[0]);
    }

    #[test]
    fn indications_respect_lip_bounds() {
        let s = scenario();
        let cal = Calendar::new(&s);
        let p = population(&s, &cal, 0, 0);
        assert!(!p.mothers.is_empty());
        for m in &p.mothers {
            let i = m.indication;
            assert!(i.total_hours >= s.indication.min_hours.min(8.0 * f64::from(i.home_days)));
            assert!(i.total_hours <= s.indication.max_hours);
            assert!(i.medical_hours <= i.total_hours);
            assert!(m.registration_day <= m.birth_minute / 1440);
        }
    }

    #[test]
    fn yearly_births_match_the_postcode_totals() {
        let s = scenario();
        let cal = Calendar::new(&s);
        let expected: f64 = s.regions[0]
            .postcodes
            .iter()
            .map(|p| p.births_per_year)
            .sum();
        let p = population(&s, &cal, 0, 0);
        let in_report = p
            .mothers
            .iter()
            .filter(|m| cal.in_report(m.birth_minute / 1440))
            .count() as f64;
        // Poisson: 4 standard deviations.
        assert!(
            (in_report - expected).abs() < 4.0 * expected.sqrt(),
            "{in_report} vs {expected}"
        );
    }

    #[test]
    fn pick_follows_weights() {
        let cum = cumulative([1.0, 0.0, 3.0].into_iter());
        assert_eq!(pick(&cum, 0.0), 0);
        assert_eq!(pick(&cum, 0.3), 2);
        assert_eq!(pick(&cum, 0.999), 2);
    }
}
