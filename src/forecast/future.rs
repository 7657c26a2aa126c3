//! The mothers who have not registered by the as-of date, drawn so that the booked ones are
//! not counted twice.
//!
//! The generator (`crate::generate`) draws births per day (Poisson, the month's rate), a due
//! date around each birth (a rounded normal offset, clamped), and a registration a drawn
//! pregnancy week before the due date (never after the birth). So the mothers due on day d
//! form a Poisson stream with rate λ_due(d) = Σ_o P(offset = o) λ_birth(d - o), and by Poisson
//! thinning those who have *not* registered by the as-of date A (registration on or after A,
//! and so also birth on or after A) form an independent Poisson stream with rate
//!
//! ```text
//! λ_due(d) × P(d - days_before_due(week) ≥ A) × P(offset ≤ d - A).
//! ```
//!
//! Both conditions are independent draws, so each such mother is drawn from the two
//! conditional tables: her registration week and day among those on or after A, and her
//! birth offset among those that put her birth on or after A. The mothers already booked
//! are exactly the complementary stream: their count does not change the mean of this one
//! (docs/forecast.md explains why this is used rather than "expected minus booked").

use chrono::Datelike;
use rand::RngExt;
use rand_distr::{Distribution, Poisson};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::generate::{self, EntityRng};
use crate::model::{Calendar, Day, Mother};
use crate::scenario::Scenario;

/// One region's model of the mothers still to register; the same for every replication.
#[derive(Debug, Clone)]
pub struct FutureMothers {
    /// First due day (relative to day 0) and the expected mothers still to register per due
    /// day from it.
    first_due: i64,
    expected: Vec<f64>,
    /// (days before due, pregnancy week), sorted by days before due, and the cumulative
    /// probabilities: a registration week and day.
    registrations: Vec<(i64, u32)>,
    registration_cum: Vec<f64>,
    /// Birth offsets (due - birth) from the most overdue, and their cumulative probabilities.
    first_offset: i64,
    offset_cum: Vec<f64>,
    /// For each postcode, its cumulative weight; for each postcode, the providers covering
    /// it and their cumulative market shares.
    postcode_cum: Vec<f64>,
    postcodes: Vec<u16>,
    providers: Vec<(Vec<u16>, Vec<f64>)>,
}

impl FutureMothers {
    pub fn new(s: &Scenario, cal: &Calendar, region: usize) -> Self {
        let k = i64::from(cal.report_start);
        let b = &s.births;
        // Offsets o = due - birth, from -latest (overdue) to +earliest, as the generator
        // draws them: round(N(0, sd)), clamped.
        let first_offset = -i64::from(b.latest_days_after_due);
        let last_offset = i64::from(b.earliest_days_before_due);
        let sd = b.due_date_sd_days.max(1e-9);
        let normal = Normal::new(0.0, sd).expect("sd > 0");
        let cdf = |x: f64| normal.cdf(x);
        let offset_p: Vec<f64> = (first_offset..=last_offset)
            .map(|o| {
                let lo = if o == first_offset {
                    0.0
                } else {
                    cdf(o as f64 - 0.5)
                };
                let hi = if o == last_offset {
                    1.0
                } else {
                    cdf(o as f64 + 0.5)
                };
                (hi - lo).max(0.0)
            })
            .collect();
        let offset_cum = generate::cumulative(offset_p.iter().copied());

        // Registration weeks as the generator draws them: early with `early_share`, each
        // range uniform, then a uniform day of the week.
        let reg = &s.registration;
        let early_week = s.policy.early_registration_week;
        let early = (
            reg.first_week,
            early_week.saturating_sub(1).max(reg.first_week),
        );
        let late = (
            early_week.max(reg.first_week),
            reg.last_week.max(early_week),
        );
        let mut entries: Vec<(i64, u32, f64)> = Vec::new();
        for ((lo, hi), share) in [(early, reg.early_share), (late, 1.0 - reg.early_share)] {
            let weeks = f64::from(hi - lo + 1);
            for w in lo..=hi {
                for j in 0..7 {
                    let days_before_due = 280 - 7 * i64::from(w.min(40)) + j;
                    entries.push((days_before_due, w, share / weeks / 7.0));
                }
            }
        }
        entries.sort_by_key(|e| (e.0, e.1));
        let registration_cum = generate::cumulative(entries.iter().map(|e| e.2));
        let registrations: Vec<(i64, u32)> = entries.iter().map(|e| (e.0, e.1)).collect();

        // Births per day by the month's rate and the trend, as the generator draws them.
        let postcodes = &s.regions[region].postcodes;
        let annual: f64 = postcodes.iter().map(|p| p.births_per_year).sum();
        let factor = generate::daily_birth_factor(s);
        let base_year = s.period.start.year();
        let trend = 1.0 + s.births.trend_per_year;
        let birth_rate = |day: i64| {
            let date = cal.start + chrono::Duration::days(day);
            annual * factor[date.month0() as usize] * trend.powi(date.year() - base_year)
        };
        let first_due = k + first_offset;
        let last_due = i64::from(cal.last_birth_day) + last_offset;
        let expected = (first_due..=last_due)
            .map(|d| {
                let due_rate: f64 = (first_offset..=last_offset)
                    .zip(&offset_p)
                    .map(|(o, p)| p * birth_rate(d - o))
                    .sum();
                let registers_later = prefix_share(&registration_cum, &registrations, d - k);
                let born_later = offset_share(&offset_cum, first_offset, d - k);
                due_rate * registers_later * born_later
            })
            .collect();

        FutureMothers {
            first_due,
            expected,
            registrations,
            registration_cum,
            first_offset,
            offset_cum,
            postcode_cum: generate::cumulative(postcodes.iter().map(|p| p.births_per_year)),
            postcodes: postcodes.iter().map(|p| p.pc4).collect(),
            providers: generate::provider_choice(s, region),
        }
    }

    /// A birth offset (due - birth) given that the birth is at most `max_offset` days
    /// before the due date (on or after the as-of date).
    pub fn birth_offset(&self, rng: &mut EntityRng, max_offset: i64) -> i64 {
        let n = (max_offset - self.first_offset + 1).clamp(1, self.offset_cum.len() as i64);
        let cum = &self.offset_cum[..n as usize];
        if cum.last().copied().unwrap_or(0.0) <= 0.0 {
            return max_offset.max(self.first_offset);
        }
        self.first_offset + generate::pick(cum, rng.random()) as i64
    }

    /// Draws this replication's mothers still to register and appends them to `out`.
    pub fn draw(&self, s: &Scenario, cal: &Calendar, rng: &mut EntityRng, out: &mut Vec<Mother>) {
        let k = i64::from(cal.report_start);
        if self.postcode_cum.last().is_none_or(|&w| w <= 0.0) {
            return;
        }
        for (i, &mean) in self.expected.iter().enumerate() {
            if mean <= 0.0 {
                continue;
            }
            let count = Poisson::new(mean).expect("mean > 0").sample(rng) as u32;
            let due = self.first_due + i as i64;
            for _ in 0..count {
                let pc = generate::pick(&self.postcode_cum, rng.random());
                let (ids, cum) = &self.providers[pc];
                if ids.is_empty() {
                    continue; // validation rejects births in uncovered postcodes
                }
                let provider = ids[generate::pick(cum, rng.random())];
                let n = self
                    .registrations
                    .partition_point(|&(before, _)| before <= due - k)
                    .max(1);
                let (days_before_due, week) =
                    self.registrations[generate::pick(&self.registration_cum[..n], rng.random())];
                let offset = self.birth_offset(rng, due - k);
                let birth_day = (due - offset).max(k);
                let birth_minute = (birth_day * 1440) as u32 + rng.random_range(0..1440);
                let (place, hospital_days) = generate::draw_birth_place(s, rng);
                let needs_birth_assist = generate::draw_birth_assist(s, rng, place);
                let indication = generate::draw_indication(s, rng, hospital_days);
                let registration_day = (due - days_before_due).clamp(k, birth_day);
                out.push(Mother {
                    id: 0,
                    postcode: self.postcodes[pc],
                    postcode_index: pc as u16,
                    provider,
                    registration_week: week,
                    registration_day: registration_day as Day,
                    due_day: due.max(0) as Day,
                    birth_minute,
                    birth_place: place,
                    hospital_days,
                    indication,
                    needs_birth_assist,
                });
            }
        }
    }
}

/// The share of registrations at most `max_days_before_due` days before the due date.
fn prefix_share(cum: &[f64], entries: &[(i64, u32)], max_days_before_due: i64) -> f64 {
    let n = entries.partition_point(|&(before, _)| before <= max_days_before_due);
    let total = cum.last().copied().unwrap_or(0.0);
    if n == 0 || total <= 0.0 {
        0.0
    } else {
        cum[n - 1] / total
    }
}

/// The share of birth offsets at most `max_offset`.
fn offset_share(cum: &[f64], first_offset: i64, max_offset: i64) -> f64 {
    let n = (max_offset - first_offset + 1).clamp(0, cum.len() as i64) as usize;
    let total = cum.last().copied().unwrap_or(0.0);
    if n == 0 || total <= 0.0 {
        0.0
    } else {
        cum[n - 1] / total
    }
}
