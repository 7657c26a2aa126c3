//! The regional waiting list in the simulation: which mothers it moves to another provider
//! (`crate::policy::waiting_list` decides, pure), the transfer itself, and the `--check`
//! count of mother-days left short while another provider covering her postcode gave
//! tier-3/4 hours.

use crate::policy::waiting_list::{
    LenderOrder, SPARE_EPS, Waiting, add_loan, lacking_today, place_waiting_list, spare_hours,
};
use crate::scenario::WaitingListOrder;

use super::Simulation;

impl<'a> Simulation<'a> {
    /// The waiting list's guarantee, checked on the day's final plans (`--check`): mothers
    /// still short of their tier-1/2 share of the day (after any hours lent to them) whose
    /// postcode another provider covers that gave tier-3/4 hours today. Must be 0 under the
    /// waiting list with minimum-first and no daily limit; per provider it is what the
    /// waiting list would fix.
    pub(super) fn count_waiting_list_breaches(&self) -> u64 {
        let extras: Vec<bool> = self
            .scopes
            .iter()
            .map(|sc| sc.plan.iter().map(|p| p[2] + p[3]).sum::<f64>() > SPARE_EPS)
            .collect();
        if !extras.contains(&true) {
            return 0;
        }
        let postcodes = &self.s.policy.waiting_list.postcodes;
        let mut breaches = 0;
        for (a, sc) in self.scopes.iter().enumerate() {
            for (i, (m, p)) in sc.inputs.iter().zip(&sc.plan).enumerate() {
                if lacking_today(m, p) <= SPARE_EPS {
                    continue;
                }
                let pc = self.mothers[sc.active[i] as usize].postcode;
                if !postcodes.is_empty() && !postcodes.contains(&pc) {
                    continue;
                }
                let helped = (0..self.scopes.len())
                    .any(|b| b != a && extras[b] && self.coverage.covers(b, pc));
                breaches += u64::from(helped);
            }
        }
        breaches
    }

    /// The regional waiting list for one day, after every provider planned its own mothers:
    /// each mother left short of her tier-1/2 share of the day is offered to the other
    /// providers covering her postcode that have spare hours, which lend her what she lacks
    /// today; she moves to the first of them for the rest of her care (after today's hours
    /// are handed out). The lenders plan again with what they have left. `docs/policies.md`,
    /// The regional waiting list, states the rule.
    pub(super) fn waiting_list(&mut self) -> Vec<(u32, usize)> {
        let n = self.scopes.len();
        let wl = &self.s.policy.waiting_list;
        let tier_aware = self.policy.keeps_tier_order();
        let mut spare: Vec<f64> = (0..n)
            .map(|b| spare_hours(self.plannable(b), &self.scopes[b].plan, tier_aware))
            .collect();
        if spare.iter().all(|&x| x <= SPARE_EPS) {
            return Vec::new();
        }
        // The list, with where each mother is: (scope, index in it, postcode).
        let mut list = Vec::new();
        let mut at = Vec::new();
        for (a, sc) in self.scopes.iter().enumerate() {
            for (i, (m, p)) in sc.inputs.iter().zip(&sc.plan).enumerate() {
                let lacking = lacking_today(m, p);
                if lacking <= SPARE_EPS {
                    continue;
                }
                let pc = self.mothers[sc.active[i] as usize].postcode;
                if !wl.postcodes.is_empty() && !wl.postcodes.contains(&pc) {
                    continue;
                }
                list.push(Waiting {
                    provider: a,
                    days_left: m.days_left,
                    registration_order: m.registration_order,
                    lacking,
                });
                at.push((a, i, pc));
            }
        }
        let order = match wl.order {
            WaitingListOrder::MostSpare => LenderOrder::MostSpare,
            WaitingListOrder::Priority => LenderOrder::Priority(&self.coverage.rank),
        };
        let limit = wl
            .max_transfers_per_day
            .map_or(usize::MAX, |l| l.max(0) as usize);
        let coverage = &self.coverage;
        let covers = |b: usize, w: usize| coverage.covers(b, at[w].2);
        let placement = place_waiting_list(&mut spare, &list, covers, order, limit);
        for loan in &placement.loans {
            let (a, i, _) = at[loan.waiting];
            self.scopes[loan.lender].lent_today += loan.hours;
            let owed = self.scopes[a].inputs[i].owed;
            add_loan(&owed, &mut self.scopes[a].plan[i], loan.hours);
            self.scopes[a].borrowed.push((i, loan.lender, loan.hours));
        }
        for b in 0..n {
            // In the order of the scope's mothers, as `apply_plan` reads them.
            self.scopes[b].borrowed.sort_by_key(|&(i, _, _)| i);
            // A lender plans again with what it has left: only its spare hours were lent, so
            // its own mothers keep their tier-1/2 hours (checked by the tier order as usual).
            if self.scopes[b].lent_today > 0.0 {
                self.plan(b);
            }
        }
        placement
            .moves
            .iter()
            .map(|&(w, to)| {
                let (a, i, _) = at[w];
                (self.scopes[a].active[i], to)
            })
            .collect()
    }

    /// Moves mother `m` to provider `to` for the rest of her care (waiting list).
    pub(super) fn transfer(&mut self, m: u32, to: usize, in_report: bool) {
        let from = self.mother_state[m as usize].scope as usize;
        self.mother_state[m as usize].scope = to as u16;
        let mut st = self.discharge(from, m).expect("a mother in care moves");
        st.scope = to as u16;
        st.transferred = true;
        self.enter_ward(m, st);
        if in_report {
            self.transfers[from * self.scopes.len() + to] += 1;
        }
    }
}
