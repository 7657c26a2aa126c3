//! The proportional policy: every mother gets the same fraction of her day's need.

use super::{AllocationPolicy, DayInput, TierHours};

/// Proportional: when the day's capacity cannot meet every mother's need, each gets the same
/// fraction of it, whatever her tiers (`DESIGN.md` §2). Her need is her whole indication's
/// share of the day ([`super::MotherDay::day_need`]), so over her care window every mother
/// receives about the same fraction of her indicated hours. No reservation for mothers due
/// soon. A comparison policy: it does not protect the legal minimum.
#[derive(Debug, Clone, Copy, Default)]
pub struct Proportional;

impl AllocationPolicy for Proportional {
    fn name(&self) -> &'static str {
        "proportional"
    }

    fn allocate_day(&self, input: &DayInput<'_>, plan: &mut [TierHours]) {
        let total: f64 = input.mothers.iter().map(|m| m.day_need()).sum();
        let capacity = input.capacity.max(0.0);
        let fraction = if total <= capacity {
            1.0
        } else {
            capacity / total
        };
        for (m, p) in input.mothers.iter().zip(plan.iter_mut()) {
            *p = m.in_tier_order(m.day_need() * fraction);
        }
    }
}
