//! The honest supply figure: the carer hours that could really have been worked
//! (`carer_hours_workable` in weekly.csv and summary.csv).
//!
//! `carer_hours_available` adds up each day's room of every carer present (her shift, the
//! week's 36 hours, what is left of her budget), as if no other day used the same budget: a
//! carer with 88 hours left of a 4-week period has room for 8 hours on each of its 28 days,
//! 224 hours "available". Here every carer's budget period is closed once: what she worked,
//! plus her unused room of the period's days but never more than the budget she had left
//! unspent at its end. Summed over a period it is at most her budget for it (her contract care
//! hours for the days she was not away), and on every day it lies between what she worked and
//! her room.

/// One carer's unused room in her current budget period, per reporting week, until the
/// period ends and [`SupplyLedger::close`] shares out her unspent budget.
#[derive(Debug, Clone, Default)]
pub struct SupplyLedger {
    /// Unused room of the period's days in the reporting period: (reporting week, hours),
    /// one entry per week, in order.
    by_week: Vec<(u32, f64)>,
    /// Unused room of all the period's days (also those outside the reporting period, which
    /// share the same budget).
    idle: f64,
}

impl SupplyLedger {
    /// Records the unused room `idle` of one day of her period (in reporting week `week`,
    /// `None` outside the reporting period).
    pub fn add_idle(&mut self, week: Option<usize>, idle: f64) {
        if idle <= 0.0 {
            return;
        }
        self.idle += idle;
        if let Some(w) = week {
            match self.by_week.last_mut() {
                Some((last, hours)) if *last == w as u32 => *hours += idle,
                _ => self.by_week.push((w as u32, idle)),
            }
        }
    }

    /// Ends the period with `budget_left` hours of her budget unspent: each week's unused
    /// room counts as workable in the share the unspent budget covers (all of it when the
    /// budget covers all unused room). Passes `(week, hours)` to `workable` and starts the
    /// next period empty.
    pub fn close(&mut self, budget_left: f64, mut workable: impl FnMut(usize, f64)) {
        if self.idle > 0.0 {
            let share = (budget_left.max(0.0) / self.idle).min(1.0);
            for &(w, hours) in &self.by_week {
                if share > 0.0 {
                    workable(w as usize, hours * share);
                }
            }
        }
        self.by_week.clear();
        self.idle = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn closed(ledger: &mut SupplyLedger, budget_left: f64) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        ledger.close(budget_left, |w, h| out.push((w, h)));
        out
    }

    #[test]
    fn unspent_budget_is_shared_over_the_weeks_of_unused_room() {
        let mut l = SupplyLedger::default();
        l.add_idle(Some(3), 8.0);
        l.add_idle(Some(3), 8.0);
        l.add_idle(Some(4), 16.0);
        // 32 hours of unused room, 8 hours of budget left: a quarter of each week's room.
        assert_eq!(closed(&mut l, 8.0), vec![(3, 4.0), (4, 4.0)]);
        // The next period starts empty.
        assert!(closed(&mut l, 100.0).is_empty());
    }

    #[test]
    fn room_the_budget_covers_counts_whole_and_days_outside_the_report_share_the_budget() {
        let mut l = SupplyLedger::default();
        l.add_idle(None, 10.0); // warm-up day of the same period
        l.add_idle(Some(0), 10.0);
        assert_eq!(closed(&mut l, 40.0), vec![(0, 10.0)]);
        l.add_idle(None, 10.0);
        l.add_idle(Some(0), 10.0);
        assert_eq!(closed(&mut l, 10.0), vec![(0, 5.0)]);
        l.add_idle(Some(1), 10.0);
        assert!(closed(&mut l, 0.0).is_empty());
    }

    proptest! {
        /// Over a period, what she worked plus what the ledger shares out is at most her
        /// budget, and at most what she worked plus her unused room.
        #[test]
        fn a_period_never_counts_more_than_its_budget(
            days in proptest::collection::vec((0.0f64..8.0, 0.0f64..8.0, 0u32..5), 1..40),
            budget in 0.0f64..300.0,
        ) {
            let mut l = SupplyLedger::default();
            let mut worked = 0.0;
            let mut idle = 0.0;
            let mut budget_left = budget;
            for &(w, room, week) in &days {
                // She works at most what her budget has left.
                let w = w.min(budget_left);
                budget_left -= w;
                worked += w;
                idle += room;
                l.add_idle(Some(week as usize), room);
            }
            let shared: f64 = closed(&mut l, budget_left).iter().map(|x| x.1).sum();
            prop_assert!(worked + shared <= budget + 1e-9);
            prop_assert!(shared <= idle + 1e-9);
            prop_assert!(shared >= idle.min(budget_left) - 1e-9);
        }
    }
}
