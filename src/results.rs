//! What a region simulation reports: the totals of a region-replication over the reporting
//! period, per week and per year, each mother's outcome, closures, registrations and a broken
//! invariant if one ended the job.
//!
//! These are the simulation's results, not its running state, so they live below `crate::sim`:
//! the outputs, the charts, the run orchestration and the forecast read them without depending
//! on how the simulation works (`docs/architecture.md`, the layers). `crate::sim` fills them and
//! re-exports them under their old paths.

use crate::model::{Day, Mother};
use crate::policy::TierHours;

/// Number of day parts.
pub const DAY_PARTS: usize = 3;

/// Names of the day parts, as in the summary.csv columns.
pub const DAY_PART_NAMES: [&str; DAY_PARTS] = ["night", "day", "evening"];

/// Why a family got a third carer, where the seed asks for at most two: the first reason that
/// applies on the day the third one came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThirdCarer {
    /// Her carers were away: holiday or sickness.
    Away = 0,
    /// Her carers were at work but at a working-time limit: a free weekend, a rest day after
    /// six in a row, 36 hours in the week, or their budget for the period spent.
    Rest = 1,
    /// One of her carers had hours that day, but fewer than she needed: her carers' hours
    /// went to other families too (shortage).
    Busy = 2,
    /// Continuity switched off, or a carer lent by another provider.
    Other = 3,
}

impl ThirdCarer {
    pub const COUNT: usize = 4;
}

/// How one mother's care ended.
#[derive(Debug, Clone, PartialEq)]
pub struct MotherOutcome {
    /// Index into the region's population.
    pub mother: u32,
    pub indicated: TierHours,
    pub delivered: TierHours,
    pub minimum_met: bool,
    pub carers: u8,
    /// Why she got a third carer (`None`: she had at most two).
    pub third_carer: Option<ThirdCarer>,
    /// A late registrant (registered in or after the early-registration week).
    pub late: bool,
    /// Moved to another provider by the regional waiting list.
    pub transferred: bool,
    /// Got tier-4 hours on a day an early registrant of her scope was behind on tier 3.
    pub tier4_while_early_behind: bool,
}

impl MotherOutcome {
    pub fn indicated_total(&self) -> f64 {
        self.indicated.iter().sum()
    }

    pub fn delivered_total(&self) -> f64 {
        self.delivered.iter().sum()
    }
}

/// Summary totals of one region (or of all regions) over the reporting period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub mothers: u64,
    pub mothers_below_minimum: u64,
    pub mothers_without_care: u64,
    pub mothers_full_indication: u64,
    pub indicated_hours: f64,
    pub delivered_hours: f64,
    pub shortfall_hours: f64,
    pub medical_shortfall_hours: f64,
    /// Hours carers could have worked, day by day (present, within max per day and budget).
    pub carer_hours_available: f64,
    /// Contract care hours of the carers present (weekly care hours / 7 per day present).
    pub carer_contract_hours: f64,
    /// Hours carers could really have worked: what they worked plus their unused room as far
    /// as their budget covered it, no budget counted twice (`crate::sim`'s supply ledger).
    pub carer_hours_workable: f64,
    pub carer_hours_used: f64,
    pub birth_assists_requested: u64,
    pub birth_assists_missed: u64,
    /// Mothers moved to another provider by the regional waiting list.
    pub mothers_transferred: u64,
    /// Mothers registered in or after the early-registration week...
    pub late_registrants: u64,
    /// ...and their indicated minus delivered hours.
    pub late_shortfall_hours: f64,
    /// The largest shortfall (indicated minus delivered) of one mother.
    pub max_shortfall_hours: f64,
    /// Birth-assistance requests and missed requests per day part (night, day, evening)...
    pub birth_assists_requested_by_part: [u64; DAY_PARTS],
    pub birth_assists_missed_by_part: [u64; DAY_PARTS],
    /// ...and the carers' on-call duty hours per day part.
    pub on_call_hours: [f64; DAY_PARTS],
    /// Requests that found no on-call carer free and were served by a carer called away
    /// from her families, per day part...
    pub birth_assists_called_away_by_part: [u64; DAY_PARTS],
    /// ...and the care hours those families lost (the assist's hours beyond the spare room
    /// of the day), per day part.
    pub assist_hours_from_care_by_part: [f64; DAY_PARTS],
    /// Mothers who had more than two distinct carers (the seed's continuity aim).
    pub mothers_over_two_carers: u64,
    /// Mothers with care by the number of distinct carers they had: 1, 2, 3, 4 or more.
    pub mothers_by_carers: [u64; 4],
    /// Mothers with a third carer, by why ([`ThirdCarer`]: away, rest, busy, other).
    pub third_carer_reasons: [u64; ThirdCarer::COUNT],
    /// Indicated and delivered hours per tier (1 minimum, 2 medical, 3 rest of early
    /// registrants, 4 rest of late registrants).
    pub tier_indicated_hours: TierHours,
    pub tier_delivered_hours: TierHours,
    /// Late registrants who got tier-4 hours on a day an early registrant of their scope was
    /// behind on tier 3 and had room for more (0 under minimum-first).
    pub late_tier4_while_early_behind: u64,
}

impl Totals {
    pub fn add_mother(&mut self, o: &MotherOutcome) {
        let indicated = o.indicated_total();
        let delivered = o.delivered_total();
        self.mothers += 1;
        self.mothers_below_minimum += u64::from(!o.minimum_met);
        self.mothers_without_care += u64::from(delivered <= 1e-9);
        self.mothers_full_indication += u64::from(delivered >= indicated - 1e-6);
        self.indicated_hours += indicated;
        self.delivered_hours += delivered;
        self.shortfall_hours += indicated - delivered;
        self.medical_shortfall_hours += (o.indicated[1] - o.delivered[1]).max(0.0);
        self.mothers_transferred += u64::from(o.transferred);
        let short = (indicated - delivered).max(0.0);
        if o.late {
            self.late_registrants += 1;
            self.late_shortfall_hours += indicated - delivered;
        }
        self.max_shortfall_hours = self.max_shortfall_hours.max(short);
        self.mothers_over_two_carers += u64::from(o.carers > 2);
        if o.carers > 0 {
            self.mothers_by_carers[usize::from(o.carers.min(4)) - 1] += 1;
        }
        if let Some(why) = o.third_carer {
            self.third_carer_reasons[why as usize] += 1;
        }
        add_tiers(&mut self.tier_indicated_hours, &o.indicated);
        add_tiers(&mut self.tier_delivered_hours, &o.delivered);
        self.late_tier4_while_early_behind += u64::from(o.tier4_while_early_behind);
    }

    pub fn add(&mut self, o: &Totals) {
        self.mothers += o.mothers;
        self.mothers_below_minimum += o.mothers_below_minimum;
        self.mothers_without_care += o.mothers_without_care;
        self.mothers_full_indication += o.mothers_full_indication;
        self.indicated_hours += o.indicated_hours;
        self.delivered_hours += o.delivered_hours;
        self.shortfall_hours += o.shortfall_hours;
        self.medical_shortfall_hours += o.medical_shortfall_hours;
        self.carer_hours_available += o.carer_hours_available;
        self.carer_contract_hours += o.carer_contract_hours;
        self.carer_hours_workable += o.carer_hours_workable;
        self.carer_hours_used += o.carer_hours_used;
        self.birth_assists_requested += o.birth_assists_requested;
        self.birth_assists_missed += o.birth_assists_missed;
        self.mothers_transferred += o.mothers_transferred;
        self.late_registrants += o.late_registrants;
        self.late_shortfall_hours += o.late_shortfall_hours;
        self.max_shortfall_hours = self.max_shortfall_hours.max(o.max_shortfall_hours);
        for p in 0..DAY_PARTS {
            self.birth_assists_requested_by_part[p] += o.birth_assists_requested_by_part[p];
            self.birth_assists_missed_by_part[p] += o.birth_assists_missed_by_part[p];
            self.on_call_hours[p] += o.on_call_hours[p];
            self.birth_assists_called_away_by_part[p] += o.birth_assists_called_away_by_part[p];
            self.assist_hours_from_care_by_part[p] += o.assist_hours_from_care_by_part[p];
        }
        self.mothers_over_two_carers += o.mothers_over_two_carers;
        for i in 0..4 {
            self.mothers_by_carers[i] += o.mothers_by_carers[i];
            self.third_carer_reasons[i] += o.third_carer_reasons[i];
        }
        add_tiers(&mut self.tier_indicated_hours, &o.tier_indicated_hours);
        add_tiers(&mut self.tier_delivered_hours, &o.tier_delivered_hours);
        self.late_tier4_while_early_behind += o.late_tier4_while_early_behind;
    }
}

/// Adds hours per tier.
fn add_tiers(sum: &mut TierHours, hours: &TierHours) {
    sum.iter_mut().zip(hours).for_each(|(s, h)| *s += h);
}

/// Totals of one region in one ISO week of the reporting period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekTotals {
    pub births: u64,
    /// Distinct mothers in care on at least one day of the week.
    pub active_mothers: u64,
    /// Indicated hours of the mothers in care, spread evenly over their days of care.
    pub demand_hours: f64,
    /// Care hours delivered on the week's days.
    pub delivered_hours: f64,
    pub carer_hours_available: f64,
    pub carer_contract_hours: f64,
    /// Hours the carers could really have worked ([`Totals::carer_hours_workable`]).
    pub carer_hours_workable: f64,
    /// Of the mothers whose care ended this week: how many below the minimum...
    pub mothers_below_minimum: u64,
    /// ...and their indicated minus delivered hours.
    pub shortfall_hours: f64,
}

impl WeekTotals {
    pub fn add_mother(&mut self, o: &MotherOutcome) {
        self.mothers_below_minimum += u64::from(!o.minimum_met);
        self.shortfall_hours += o.indicated_total() - o.delivered_total();
    }
}

/// Totals of one region in one calendar year of the reporting period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearTotals {
    pub year: i32,
    /// Births in the year.
    pub births: u64,
    /// Mothers whose care ended in the year, and of them...
    pub mothers: u64,
    /// ...those below the minimum...
    pub mothers_below_minimum: u64,
    /// ...and their indicated, delivered and missing hours.
    pub indicated_hours: f64,
    pub delivered_hours: f64,
    pub shortfall_hours: f64,
    /// The carers: how many, joined, left (the same for every policy).
    pub workforce: crate::generate::WorkforceYear,
}

impl YearTotals {
    pub fn add_mother(&mut self, o: &MotherOutcome) {
        let (indicated, delivered) = (o.indicated_total(), o.delivered_total());
        self.mothers += 1;
        self.mothers_below_minimum += u64::from(!o.minimum_met);
        self.indicated_hours += indicated;
        self.delivered_hours += delivered;
        self.shortfall_hours += indicated - delivered;
    }
}

/// Everything one region-replication job reports.
#[derive(Debug, Clone)]
pub struct RegionResult {
    /// Name of the policy that planned it.
    pub policy: &'static str,
    pub region: usize,
    pub replication: u32,
    pub totals: Totals,
    pub weeks: Vec<WeekTotals>,
    /// Per calendar year of the reporting period.
    pub years: Vec<YearTotals>,
    /// Each provider's contract figures per year (the same for every policy).
    pub providers: Vec<crate::generate::ProviderYear>,
    /// Mothers counted in the reporting period, when `--mothers` asked for them.
    pub mothers: Vec<(Mother, MotherOutcome)>,
    pub events: u64,
    /// Scope-day mothers left behind on tier 1/2 while others got tier-3/4 hours: must be 0
    /// for minimum-first.
    pub tier_order_violations: u64,
    /// The broken invariant that ended this job early, if any (an internal error).
    pub violation: Option<Violation>,
    /// Scope plan-days (07:00 to 07:00) on which the hours taken (care and birth assistance)
    /// exceeded the hours the present carers could work: must be 0.
    pub capacity_exceeded_days: u64,
    /// Mothers in care summed over the days of the reporting period (one count per daily
    /// plan): divided by the period's days, the mean number of mothers in care (Little's law).
    pub mother_days: u64,
    /// delivered / indicated of every mother counted: for the equity metrics of the row
    /// `ALL` (dropped with the batch once its replication is written).
    pub ratios: crate::equity::Ratios,
    /// The region's equity metrics (`crate::equity`).
    pub equity: crate::equity::Equity,
    /// The distribution of delivered / indicated (lorenz.csv).
    pub bins: crate::equity::RatioBins,
    /// Per postcode of the region (scenario order): mothers counted and those below the
    /// minimum (postcodes.csv).
    pub postcodes: Vec<[u64; 2]>,
    /// Waiting-list transfers in the reporting period per (from, to) provider pair, row-major
    /// over the region's providers; empty unless the scope is `waiting-list`.
    pub transfers: Vec<u64>,
    /// The region's provider closures and what each did (closures.csv).
    pub closures: Vec<ClosureResult>,
    /// With `policy.waiting_list.refusals`: mothers counted in the reporting period per
    /// registration outcome (`RegistrationOutcome::ALL`) and [early, late] registrant
    /// (registrations.csv); empty otherwise.
    pub registrations: Vec<[u64; 2]>,
    /// With `--check`, per provider or waiting list: mother-days left short of the tier-1/2
    /// share of the day while another provider covering her postcode gave tier-3/4 hours
    /// (0 under the waiting list with minimum-first and no daily limit).
    pub waiting_list_breaches: u64,
}

impl Totals {
    /// The counts the equity shares are taken of (`crate::equity::Equity::of`).
    pub fn equity_counts(&self) -> crate::equity::RowCounts {
        crate::equity::RowCounts {
            mothers: self.mothers,
            mothers_below_minimum: self.mothers_below_minimum,
            mothers_without_care: self.mothers_without_care,
            late_registrants: self.late_registrants,
            late_shortfall_hours: self.late_shortfall_hours,
            shortfall_hours: self.shortfall_hours,
        }
    }
}

/// How a mother's registration ended (`registrations.csv`, with refusals on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistrationOutcome {
    /// Booked with her own provider (the one she chose, or, after it closed, the one the
    /// closure rule gave her).
    #[default]
    OwnProvider,
    /// Her provider had no room; the waiting list booked her with another.
    PlacedByList,
    /// No provider covering her postcode had room at her registration: no kraamzorg.
    RefusedNoRoom,
    /// Booked with a provider that closed before her care; no provider covering her
    /// postcode had room for her then: no kraamzorg.
    RefusedAfterClosure,
}

impl RegistrationOutcome {
    pub const ALL: [RegistrationOutcome; 4] = [
        RegistrationOutcome::OwnProvider,
        RegistrationOutcome::PlacedByList,
        RegistrationOutcome::RefusedNoRoom,
        RegistrationOutcome::RefusedAfterClosure,
    ];

    /// The name in registrations.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationOutcome::OwnProvider => "booked-own-provider",
            RegistrationOutcome::PlacedByList => "placed-by-waiting-list",
            RegistrationOutcome::RefusedNoRoom => "refused-no-room",
            RegistrationOutcome::RefusedAfterClosure => "refused-after-closure",
        }
    }

    pub fn refused(self) -> bool {
        matches!(
            self,
            RegistrationOutcome::RefusedNoRoom | RegistrationOutcome::RefusedAfterClosure
        )
    }
}

/// One provider closure of a region and what it did (closures.csv).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClosureResult {
    /// The closing provider (index within the region).
    pub provider: u16,
    /// Its first closed day.
    pub day: Day,
    /// Where its carers go: provider (index within the region) and share.
    pub joins: Vec<(u16, f64)>,
    /// Mothers registered with it, care not started, moved to another provider.
    pub booked_moved: u64,
    /// Mothers in its care moved to another provider for the rest of their care.
    pub in_care_moved: u64,
    /// Booked mothers no provider had room for (with refusals): no kraamzorg.
    pub refused: u64,
    /// Mothers who would have registered with it after it closed and registered elsewhere.
    pub registrations_redirected: u64,
    pub carers_joined: u64,
    pub carers_left: u64,
}

/// A broken invariant: where and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Simulation day (see `crate::model::Calendar`).
    pub day: Day,
    /// The mother's index in the region's population, when one mother is concerned.
    pub mother: Option<u32>,
    pub what: String,
}
