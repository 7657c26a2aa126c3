//! The collective agreement's working-time rules (DOMAIN.md "How care is organised day to
//! day"; `carers.*` in docs/scenario-format.md) are never broken, whatever the roster: over
//! random carer parameters, rosters (holidays, sickness) and allocation settings, the
//! simulation's own thorough checks (`--check`, `sim::invariants::check_carer`) find no carer
//! who worked more than a shift in a day, more than the week's hours, more days in a row than
//! allowed, on her free weekend, or beyond her budget for the period.

use std::path::Path;

use chrono::NaiveDate;
use kraamsim::model::Calendar;
use kraamsim::policy::MinimumFirst;
use kraamsim::scenario::{self, CapacityScope, Scenario};
use kraamsim::sim::{self, Checks};
use proptest::prelude::*;

fn summer_shortage() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/summer-shortage.toml");
    scenario::load_file(&path).unwrap().scenario
}

/// Carer rules and roster drawn at random (`(contract, shift, week, days, period, weekends)`,
/// then absence and allocation settings).
#[allow(clippy::type_complexity)]
fn settings() -> impl Strategy<
    Value = (
        (f64, f64, f64, u32, u32, u32),
        (f64, u32, f64, bool, bool, u64),
    ),
> {
    (
        (
            8.0f64..40.0,
            4.0f64..10.0,
            16.0f64..48.0,
            2u32..8,
            1u32..9,
            0u32..53,
        ),
        (
            0.0f64..0.25,
            0u32..8,
            0.4f64..1.6,
            any::<bool>(),
            any::<bool>(),
            any::<u64>(),
        ),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn working_time_rules_are_never_broken(((contract, shift, week, days, period, weekends),
        (sickness, holiday, capacity, continuity, pooled, seed)) in settings())
    {
        let mut s = summer_shortage();
        s.period.end = NaiveDate::from_ymd_opt(2027, 9, 30).unwrap();
        s.seed = seed;
        s.carers.contract_hours_per_week = contract;
        s.carers.max_hours_per_day = shift;
        s.carers.max_hours_per_week = week;
        s.carers.max_days_in_row = days;
        s.carers.averaging_weeks = period;
        s.carers.free_weekends = weekends;
        s.carers.sickness_absence = sickness;
        s.carers.holiday_weeks = holiday;
        s.carers.summer_holiday_weeks = holiday.min(3);
        s.carers.capacity_factor = capacity;
        s.policy.continuity = continuity;
        s.policy.scope = if pooled { CapacityScope::Region } else { CapacityScope::Provider };
        let cal = Calendar::new(&s);
        let checks = Checks { thorough: true };
        let r = sim::run_region(&s, &cal, 0, 0, &MinimumFirst::default(), false, checks);
        prop_assert_eq!(r.violation, None);
        prop_assert!(r.totals.mothers > 0);
    }
}
