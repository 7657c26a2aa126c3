//! Allocation policies: how one scope's carer hours for one day are divided over its mothers.
//!
//! This is the product's heart, so it is kept pure: a policy maps (the mothers' state, today's
//! capacity, the week's remaining budget, the forecast of coming days) to hours per mother per
//! tier. No I/O, no randomness, no clock; `crate::sim` gathers the inputs and applies the plan.
//!
//! Tiers (`DESIGN.md` §2): 1 the legal minimum, 2 medically indicated hours, 3 the rest for
//! mothers registered early, 4 the rest for late registrants. [`MinimumFirst`] serves them
//! lexicographically and rations each tier max-min fairly with [`water_fill`].
//!
//! [`PolicyName`] below is the registry of policies: the one list (besides a policy's own
//! file) that a new policy is added to.
//!
//! [`waiting_list`] is the regional waiting list's lending step between providers: not a
//! policy but a capacity arrangement any policy runs under, pure in the same way.

mod first_come;
mod loss;
mod minimum_first;
mod proportional;
mod refuse_when_full;
pub mod waiting_list;
mod water_fill;

pub use first_come::FirstComeFirstServed;
pub use loss::Loss;
pub use minimum_first::{MinimumFirst, Step, on_track_share, step_demand, today_only};
pub use proportional::Proportional;
pub use refuse_when_full::RefuseWhenFull;
pub use water_fill::{Claim, water_fill, water_fill_in};

use serde::{Deserialize, Serialize};

// The registry of allocation policies: the one list a new policy is added to.
//
// [`PolicyName`] is the name of a policy everywhere it is written: scenario files and run.json
// read it with serde, `--policy` with clap, and the outputs write [`PolicyName::as_str`].
// serde and clap both spell a variant in kebab-case (`FirstComeFirstServed` is
// `first-come-first-served`), and `as_str` is the name the policy gives itself in its own file
// ([`AllocationPolicy::name`]); a test below fails when the three disagree. Adding a policy
// touches its own file (the struct, its `name` and its `allocate_day`) and this one: its
// `mod` and `pub use` lines above, a variant of [`PolicyName`] and its arm in
// [`PolicyName::policy`], whose `match` the compiler checks for completeness.

/// The allocation policies kraamsim knows.
///
/// A variant's doc comment is its help text in `kraamsim run --help`, so only a policy whose
/// name does not say what it is has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
pub enum PolicyName {
    MinimumFirst,
    Proportional,
    FirstComeFirstServed,
    RefuseWhenFull,
    /// The validation model: one carer per mother or no care (Erlang-B loss system).
    Loss,
}

impl PolicyName {
    /// The policy object of this name; `rationing` is how minimum-first divides a tier it
    /// cannot serve in full (the scenario's `policy.rationing`; the other policies have no
    /// parameter).
    pub fn policy(self, rationing: Rationing) -> Box<dyn AllocationPolicy> {
        match self {
            PolicyName::MinimumFirst => Box::new(MinimumFirst { rationing }),
            PolicyName::Proportional => Box::new(Proportional),
            PolicyName::FirstComeFirstServed => Box::new(FirstComeFirstServed),
            PolicyName::RefuseWhenFull => Box::new(RefuseWhenFull),
            PolicyName::Loss => Box::new(Loss),
        }
    }

    /// The name as written in scenario files and outputs: the one the policy gives itself.
    pub fn as_str(self) -> &'static str {
        self.policy(Rationing::default()).name()
    }

    /// Every policy, in the order of [`PolicyName`].
    pub fn all() -> &'static [PolicyName] {
        <PolicyName as clap::ValueEnum>::value_variants()
    }

    /// The policy written `name` in a scenario file or an output, if there is one.
    pub fn from_name(name: &str) -> Option<PolicyName> {
        Self::all().iter().copied().find(|p| p.as_str() == name)
    }
}

// The tiers are domain vocabulary (an indication is split into them), so they live in
// `crate::model`; a policy serves them in order.
pub use crate::model::{TIERS, Tier, TierHours};

/// How a tier that cannot be served in full is divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rationing {
    /// Max-min fair on the share of the tier still owed (water-filling): the mother furthest
    /// behind is helped first.
    #[default]
    MaxMin,
    /// Every claim cut by the same factor.
    Proportional,
}

/// One mother's state at the start of a day's plan, as a policy sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotherDay {
    /// Hours indicated per tier (her tier totals).
    pub indicated: TierHours,
    /// Hours per tier not yet delivered.
    pub owed: TierHours,
    /// Care days left, today included (at least 1).
    pub days_left: u32,
    /// The most hours she can receive today (one carer's shift).
    pub daily_cap: f64,
    /// Order of registration: earlier registrations have smaller keys (first-come policies).
    pub registration_order: u64,
}

impl MotherDay {
    /// Hours of tier 1 and 2 still owed.
    pub fn owed_guaranteed(&self) -> f64 {
        self.owed[Tier::Minimum as usize] + self.owed[Tier::Medical as usize]
    }

    /// Hours of all tiers still owed.
    pub fn owed_total(&self) -> f64 {
        self.owed.iter().sum()
    }

    /// Her whole indication's share of the day: what she is owed over her days left, or more
    /// when the days after today at her daily cap could not hold the rest; at most her cap.
    /// The day's need for policies that do not look at tiers.
    pub fn day_need(&self) -> f64 {
        let days = f64::from(self.days_left.max(1));
        let owed = self.owed_total();
        (owed / days)
            .max(owed - self.daily_cap * (days - 1.0))
            .min(owed)
            .min(self.daily_cap)
            .max(0.0)
    }

    /// Splits `hours` of hers over the tiers in serving order (tier 1 first), for reporting
    /// what a tier-blind policy gave.
    pub fn in_tier_order(&self, mut hours: f64) -> TierHours {
        let mut out = [0.0; TIERS];
        for (o, owed) in out.iter_mut().zip(self.owed) {
            let h = hours.min(owed);
            *o = h;
            hours -= h;
        }
        out
    }
}

/// A coming day of the current budget week, for the reservation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComingDay {
    /// Carer hours the known roster can work that day (carers not on leave or sick).
    pub capacity: f64,
    /// Tier-1/2 hours that mothers due soon (registered, not yet in care) will need that day.
    pub due_soon_need: f64,
    /// Tier-3 hours that early registrants due soon will need that day (front-loaded after
    /// their tier-1/2 hours, within their daily cap): what tier-4 hours today must not take.
    pub due_soon_rest_early: f64,
}

/// Everything a policy needs to plan one scope-day.
#[derive(Debug, Clone, Copy)]
pub struct DayInput<'a> {
    pub mothers: &'a [MotherDay],
    /// Carer hours that can be worked today in this scope.
    pub capacity: f64,
    /// Contract hours left this week in this scope, today included (>= capacity). Hours given
    /// today are gone for the rest of the week: this is what makes a reservation matter.
    pub week_budget_left: f64,
    /// The remaining days of the budget week after today; empty disables the reservation.
    pub coming_days: &'a [ComingDay],
}

/// A registration asking for a place, as a policy sees it: the hours a day her indication
/// needs over her expected days of care, what is already booked on those days and what the
/// scope's roster can give on them.
#[derive(Debug, Clone, Copy)]
pub struct Booking<'a> {
    pub hours_per_day: f64,
    /// Hours already booked on each of her expected days of care.
    pub booked: &'a [f64],
    /// Contract care hours of the carers rostered on each of those days.
    pub capacity: &'a [f64],
}

/// An allocation policy: plans one scope-day.
pub trait AllocationPolicy: Sync + Send {
    /// The name used in outputs.
    fn name(&self) -> &'static str;

    /// Whether a mother who registers is taken on. Every policy but refuse-when-full takes
    /// every mother: turning mothers away is what the insurers forbid.
    fn accepts(&self, _booking: &Booking<'_>) -> bool {
        true
    }

    /// Whether the policy promises the minimum-first tier order (nobody owed tier 1-2 hours
    /// while someone gets tier 3-4 hours): `--check` then treats a breach as an error.
    fn keeps_tier_order(&self) -> bool {
        false
    }

    /// Whether each mother needs one carer of her own for her whole care window, and gets no
    /// care when none is free as her care starts (the [`Loss`] validation model). Every other
    /// policy shares the day's hours over all mothers in care.
    fn one_carer_per_mother(&self) -> bool {
        false
    }

    /// Writes the hours each mother gets today, per tier, into `plan` (one entry per mother,
    /// same order as `input.mothers`). Must never exceed a mother's owed hours or daily cap,
    /// nor in total the capacity.
    fn allocate_day(&self, input: &DayInput<'_>, plan: &mut [TierHours]);
}

/// The hours of today's remaining budget that the coming days of the week need for tier 1
/// and 2: the due-soon mothers' needs and what mothers in care are still owed, each day
/// capped by that day's roster. Tier-3/4 hours today may only come from what is left after
/// this reserve.
pub fn reserve_for_due_soon(coming_days: &[ComingDay], still_owed_in_care: f64) -> f64 {
    reserve_for(coming_days, still_owed_in_care, |day| day.due_soon_need)
}

/// The hours of today's remaining budget that the coming days of the week need for tiers 1
/// to 3 (the guarantees of an early registrant): as [`reserve_for_due_soon`], with the tier-3
/// hours of early registrants due soon, and `still_owed_in_care` counting the tier-3 hours
/// mothers in care can still receive this week. Tier-4 hours today may only come from what
/// is left after this reserve.
pub fn reserve_for_guarantees(coming_days: &[ComingDay], still_owed_in_care: f64) -> f64 {
    reserve_for(coming_days, still_owed_in_care, |day| {
        day.due_soon_need + day.due_soon_rest_early
    })
}

/// The reserve for the coming days' `need`, with `still_owed_in_care` carried from day to
/// day until a day's roster can take it.
fn reserve_for(
    coming_days: &[ComingDay],
    still_owed_in_care: f64,
    need: impl Fn(&ComingDay) -> f64,
) -> f64 {
    let mut carried = still_owed_in_care;
    let mut reserve = 0.0;
    for day in coming_days {
        let need = need(day) + carried;
        let served = need.min(day.capacity);
        carried = need - served;
        reserve += served;
    }
    reserve
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_is_capped_by_each_days_roster() {
        let days = [
            ComingDay {
                capacity: 10.0,
                due_soon_need: 4.0,
                due_soon_rest_early: 0.0,
            },
            ComingDay {
                capacity: 3.0,
                due_soon_need: 5.0,
                due_soon_rest_early: 2.0,
            },
        ];
        // Day 1: 4 + 6 carried = 10 (all served); day 2: 5 needed, 3 possible.
        assert_eq!(reserve_for_due_soon(&days, 6.0), 13.0);
        assert_eq!(reserve_for_due_soon(&[], 6.0), 0.0);
        // With the early registrants' tier 3, day 2 needs 7 and still gets 3.
        assert_eq!(reserve_for_guarantees(&days, 6.0), 13.0);
        assert_eq!(reserve_for_guarantees(&days, 0.0), 7.0);
    }

    /// serde (scenario files, run.json), clap (`--policy`) and the outputs spell every
    /// policy the same way.
    #[test]
    fn serde_clap_and_the_policy_agree_on_every_name() {
        assert!(PolicyName::all().contains(&PolicyName::Loss));
        for &p in PolicyName::all() {
            let serde = serde_json::to_value(p).unwrap();
            assert_eq!(serde, serde_json::Value::String(p.as_str().to_string()));
            let clap = clap::ValueEnum::to_possible_value(&p).unwrap();
            assert_eq!(clap.get_name(), p.as_str());
            let back: PolicyName = serde_json::from_value(serde).unwrap();
            assert_eq!(back, p);
            assert_eq!(PolicyName::from_name(p.as_str()), Some(p));
        }
        assert_eq!(PolicyName::from_name("fair"), None);
    }
}
