//! Runtime invariants: what must hold on every scope-day whatever the policy, so that a bug
//! shows up as a clear internal error naming the day and mother instead of a wrong number in
//! the outputs.
//!
//! The cheap checks run always (a few comparisons per mother-day, inside loops that run
//! anyway); the expensive ones only with `--check`.

use super::state::CarerState;
use crate::model::Day;
use crate::policy::{MotherDay, TierHours};
use crate::results::Violation;

/// Rounding slack in hours: plans are sums of divisions, not exact.
const SLACK: f64 = 1e-6;

/// How much checking a run does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checks {
    /// `--check`: also the expensive invariants (the tier order of policies that promise it,
    /// per-mother conservation, carers' budgets).
    pub thorough: bool,
}

/// Cheap check of one mother's plan for the day: finite, not negative, no more than she is
/// owed per tier and no more than her daily cap. It runs for every mother-day, so the test
/// is a few comparisons and the message is built only on failure.
pub fn check_mother_plan(
    day: Day,
    mother: u32,
    m: &MotherDay,
    plan: &TierHours,
) -> Result<(), Violation> {
    if plan_ok(m, plan) {
        Ok(())
    } else {
        Err(describe_bad_plan(day, mother, m, plan))
    }
}

/// The test of [`check_mother_plan`] alone, for the hot loop (no `Result` to move around).
#[inline]
pub fn plan_ok(m: &MotherDay, plan: &TierHours) -> bool {
    let mut ok = true;
    let mut total = 0.0;
    for (&h, &owed) in plan.iter().zip(&m.owed) {
        // Written so that NaN fails: every comparison with NaN is false. (`&`, not `&&`: no
        // branch per tier in the hot loop.)
        ok &= (h >= -SLACK) & (h <= owed + SLACK);
        total += h;
    }
    ok && total <= m.daily_cap + SLACK
}

#[cold]
fn describe_bad_plan(day: Day, mother: u32, m: &MotherDay, plan: &TierHours) -> Violation {
    let what = plan
        .iter()
        .zip(&m.owed)
        .enumerate()
        .find(|(_, (h, owed))| !(**h >= -SLACK && **h <= **owed + SLACK))
        .map(|(t, (h, owed))| {
            format!(
                "planned {h:.6} hours of tier {} but is owed {owed:.6} (allowed: 0 to what is owed)",
                t + 1
            )
        })
        .unwrap_or_else(|| {
            format!(
                "planned {:.6} hours in one day, above the daily cap of {:.6}",
                plan.iter().sum::<f64>(),
                m.daily_cap
            )
        });
    Violation {
        day,
        mother: Some(mother),
        what,
    }
}

/// Cheap check of care inside the window: hours only on her days at home.
pub fn check_in_window(
    day: Day,
    mother: u32,
    hours: f64,
    first_day: Day,
    last_day: Day,
) -> Result<(), Violation> {
    if !in_window(day, hours, first_day, last_day) {
        return Err(Violation {
            day,
            mother: Some(mother),
            what: format!(
                "given {hours:.6} hours outside her care window (days {first_day} to {last_day})"
            ),
        });
    }
    Ok(())
}

/// The test of [`check_in_window`] alone, for the hot loop.
#[inline]
pub fn in_window(day: Day, hours: f64, first_day: Day, last_day: Day) -> bool {
    hours <= 0.0 || (first_day..=last_day).contains(&day)
}

/// Cheap check of a scope-day's hand-out: everything planned found a carer with room.
/// (That the carers never work more than they could is checked per plan-day, birth
/// assistance included, by the simulation's capacity check.)
pub fn check_delivery(day: Day, placed: f64, unplaced: f64) -> Result<(), Violation> {
    if unplaced > SLACK {
        return Err(Violation {
            day,
            mother: None,
            what: format!(
                "planned {:.6} hours but the carers had room for only {placed:.6}",
                placed + unplaced
            ),
        });
    }
    Ok(())
}

/// Expensive check (`--check`) at the end of a mother's care: per tier, delivered hours are
/// within 0 and the indicated hours, so delivered + shortfall = indicated holds exactly.
pub fn check_mother_total(
    day: Day,
    mother: u32,
    indicated: &TierHours,
    delivered: &TierHours,
) -> Result<(), Violation> {
    for (t, (&got, &due)) in delivered.iter().zip(indicated).enumerate() {
        if !(got >= -SLACK && got <= due + SLACK) {
            return Err(Violation {
                day,
                mother: Some(mother),
                what: format!(
                    "delivered {got:.6} hours of tier {} against {due:.6} indicated",
                    t + 1
                ),
            });
        }
    }
    Ok(())
}

/// Expensive check (`--check`) of a carer after a day's hand-out: her room today and her
/// period's budget are not negative, and the collective agreement's working-time rules hold
/// (at most a shift today, at most the week's hours, at most the days in a row, nothing on a
/// free weekend: `free_weekend` says today is one of hers).
pub fn check_carer(
    day: Day,
    carer: u32,
    st: &CarerState,
    free_weekend: bool,
) -> Result<(), Violation> {
    let broken = if st.room_today < -SLACK || st.week_budget < -SLACK {
        format!(
            "left with {:.6} hours of room today and {:.6} in her budget period",
            st.room_today, st.week_budget
        )
    } else if st.hours_today > st.max_hours_per_day + SLACK {
        format!(
            "worked {:.6} hours today, more than a shift",
            st.hours_today
        )
    } else if st.week_hours > st.max_week_hours + SLACK {
        format!("worked {:.6} hours this week", st.week_hours)
    } else if st.days_in_row > st.max_days_in_row {
        format!("worked {} days in a row", st.days_in_row)
    } else if free_weekend && st.hours_today > SLACK {
        format!("worked {:.6} hours on her free weekend", st.hours_today)
    } else {
        return Ok(());
    };
    Err(Violation {
        day,
        mother: None,
        what: format!("carer {carer} {broken}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mother(owed: TierHours, cap: f64) -> MotherDay {
        MotherDay {
            indicated: owed,
            owed,
            days_left: 3,
            daily_cap: cap,
            registration_order: 0,
        }
    }

    #[test]
    fn a_plan_within_what_she_is_owed_passes() {
        let m = mother([8.0, 2.0, 4.0, 4.0], 8.0);
        assert!(check_mother_plan(1, 0, &m, &[4.0, 2.0, 1.0, 1.0]).is_ok());
    }

    #[test]
    fn negative_excessive_or_nan_plans_are_caught() {
        let m = mother([8.0, 2.0, 4.0, 4.0], 8.0);
        for bad in [
            [-1.0, 0.0, 0.0, 0.0],
            [0.0, 3.0, 0.0, 0.0],
            [f64::NAN, 0.0, 0.0, 0.0],
            [6.0, 2.0, 1.0, 0.0],
        ] {
            let v = check_mother_plan(5, 7, &m, &bad).unwrap_err();
            assert_eq!((v.day, v.mother), (5, Some(7)), "{bad:?}");
        }
    }

    #[test]
    fn care_outside_the_window_and_overdelivery_are_caught() {
        assert!(check_in_window(10, 1, 2.0, 11, 18).is_err());
        assert!(check_in_window(19, 1, 2.0, 11, 18).is_err());
        assert!(check_in_window(10, 1, 0.0, 11, 18).is_ok());
        assert!(check_in_window(11, 1, 2.0, 11, 18).is_ok());
        assert!(check_delivery(3, 9.5, 0.5).is_err());
        assert!(check_delivery(3, 10.0, 0.0).is_ok());
        assert!(check_mother_total(3, 0, &[24.0, 0.0, 0.0, 0.0], &[25.0, 0.0, 0.0, 0.0]).is_err());
        let mut st = CarerState::new(0, 36.0, 8.0);
        st.max_week_hours = 36.0;
        st.max_days_in_row = 6;
        st.week_budget = 10.0;
        st.hours_today = 8.0;
        st.week_hours = 36.0;
        st.days_in_row = 6;
        assert!(check_carer(3, 0, &st, false).is_ok());
        assert!(check_carer(3, 0, &st, true).is_err(), "free weekend");
        for broken in [
            |s: &mut CarerState| s.room_today = -0.1,
            |s: &mut CarerState| s.week_budget = -0.1,
            |s: &mut CarerState| s.hours_today = 8.5,
            |s: &mut CarerState| s.week_hours = 36.5,
            |s: &mut CarerState| s.days_in_row = 7,
        ] {
            let mut bad = st.clone();
            broken(&mut bad);
            assert!(check_carer(3, 0, &bad, false).is_err(), "{bad:?}");
        }
    }
}
