//! The loss policy: a validation model with a closed-form answer (Erlang-B), not a rule anyone
//! proposes for kraamzorg.

use super::{AllocationPolicy, DayInput, FirstComeFirstServed, TierHours};

/// One carer per mother, or nothing: when a mother's care at home starts, she is given one
/// free carer of her scope for her whole care window (her days at home, counted from the
/// moment care starts); a mother who finds every carer present already holding a mother gets
/// no care at all (she is *lost*, and counts as without care). The carer is free again exactly
/// `home_days` days after the care start. The mothers held are then given their full day's
/// need ([`FirstComeFirstServed`], which with enough hours per carer is every need).
///
/// With Poisson arrivals (births at a constant rate, no hospital days) and carers always
/// present, this is the M/G/c/c loss system, whose share of mothers lost is the Erlang-B
/// formula of the offered load (births per day x days of care) and the number of carers:
/// `tests/validation.rs` and `scenarios/validation/erlang-b.toml` check that it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Loss;

impl AllocationPolicy for Loss {
    fn name(&self) -> &'static str {
        "loss"
    }

    fn one_carer_per_mother(&self) -> bool {
        true
    }

    fn allocate_day(&self, input: &DayInput<'_>, plan: &mut [TierHours]) {
        FirstComeFirstServed.allocate_day(input, plan);
    }
}
