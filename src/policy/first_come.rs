//! The first-come-first-served policy: full needs in order of registration.

use super::{AllocationPolicy, DayInput, TierHours};

/// First come, first served: mothers in order of registration each get their full day's need
/// ([`super::MotherDay::day_need`]) until the day's capacity runs out; later registrants get
/// what is left, or nothing (`DESIGN.md` §2). A comparison policy: it does not protect the
/// legal minimum of late registrants.
#[derive(Debug, Clone, Copy, Default)]
pub struct FirstComeFirstServed;

impl AllocationPolicy for FirstComeFirstServed {
    fn name(&self) -> &'static str {
        "first-come-first-served"
    }

    fn allocate_day(&self, input: &DayInput<'_>, plan: &mut [TierHours]) {
        let mut order: Vec<usize> = (0..input.mothers.len()).collect();
        order.sort_unstable_by_key(|&i| input.mothers[i].registration_order);
        let mut left = input.capacity.max(0.0);
        for i in order {
            let m = &input.mothers[i];
            let hours = m.day_need().min(left);
            left -= hours;
            plan[i] = m.in_tier_order(hours);
        }
    }
}
