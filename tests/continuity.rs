//! Continuity (`policy.continuity`, `src/sim/continuity.rs`) is the allocation's second rule:
//! it decides which carer gives a mother her planned hours, never how many hours she gets
//! that day. For the same scenario and seed, a run with continuity delivers as many tier-1
//! and tier-2 hours as one without (to the noise of two runs that part ways) and leaves no
//! more mothers below the minimum, while far fewer mothers see more than two carers.

use std::path::Path;

use kraamsim::run::{self, RunOptions, RunResults};
use kraamsim::scenario::{self, CapacityScope, Scenario};
use kraamsim::sim::Totals;

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    scenario::load_file(&path).unwrap().scenario
}

fn run(s: &Scenario) -> RunResults {
    let options = RunOptions {
        threads: Some(2),
        keep_mothers: true,
        progress: false,
        ..RunOptions::default()
    };
    run::run(s, &options).unwrap()
}

/// Every mother's (region, replication, id, delivered hours per tier as bits, carers).
fn mothers(r: &RunResults) -> Vec<(usize, u32, u32, [u64; 4], u8)> {
    r.results
        .iter()
        .flat_map(|x| {
            x.mothers.iter().map(move |(m, o)| {
                (
                    x.region,
                    x.replication,
                    m.id,
                    o.delivered.map(f64::to_bits),
                    o.carers,
                )
            })
        })
        .collect()
}

fn totals(r: &RunResults) -> Totals {
    let mut t = Totals::default();
    for x in &r.results {
        t.add(&x.totals);
    }
    t
}

/// Runs `name` with and without continuity; returns mothers over two carers (on, off).
fn compare(name: &str, replications: u32, scope: Option<CapacityScope>) -> (u64, u64) {
    let mut s = load(name);
    if let Some(scope) = scope {
        s.policy.scope = scope;
    }
    s.replications = replications;
    assert!(s.policy.continuity, "continuity is on by default");
    let on = run(&s);
    s.policy.continuity = false;
    let off = run(&s);
    let (m_on, m_off) = (mothers(&on), mothers(&off));
    assert_eq!(m_on.len(), m_off.len());
    assert!(!m_on.is_empty());
    for (a, b) in m_on.iter().zip(&m_off) {
        assert_eq!(
            (a.0, a.1, a.2),
            (b.0, b.1, b.2),
            "same mothers in the same order"
        );
    }
    let (t_on, t_off) = (totals(&on), totals(&off));
    let over = (t_on.mothers_over_two_carers, t_off.mothers_over_two_carers);
    // Whom a family is given changes which carers have room on later days (rest days, free
    // weekends, 36 hours a week), so the two runs part ways and hours move between mothers
    // and days (on the day itself naming never changes hours: the proptests of
    // `sim::continuity`). What must hold is that naming costs the guaranteed tiers nothing
    // beyond that noise: tier-1 plus tier-2 hours within 0.2% (one run of summer-shortage:
    // -0.01%), and mothers below the minimum within 0.5% of the mothers.
    let guaranteed = |t: &Totals| t.tier_delivered_hours[0] + t.tier_delivered_hours[1];
    let (a, b) = (guaranteed(&t_on), guaranteed(&t_off));
    println!("{name}: tier 1-2 delivered {a:.1} h with continuity, {b:.1} without");
    assert!(
        a >= 0.998 * b,
        "{name}: tier 1-2 hours {a} with continuity, {b} without"
    );
    let slack = t_off.mothers / 200;
    assert!(
        t_on.mothers_below_minimum <= t_off.mothers_below_minimum + slack,
        "{name}: below minimum {} with continuity, {} without",
        t_on.mothers_below_minimum,
        t_off.mothers_below_minimum
    );
    println!(
        "{name}: below minimum {} with continuity, {} without",
        t_on.mothers_below_minimum, t_off.mothers_below_minimum
    );
    assert_eq!(t_on.mothers_without_care, t_off.mothers_without_care);
    let carers = |m: &[(usize, u32, u32, [u64; 4], u8)]| {
        m.iter().map(|x| f64::from(x.4)).sum::<f64>() / m.len() as f64
    };
    println!(
        "{name}: mothers over two carers {} with continuity, {} without; mean carers {:.2} vs {:.2}",
        over.0,
        over.1,
        carers(&m_on),
        carers(&m_off)
    );
    assert!(
        over.0 < over.1,
        "{name}: continuity must lower mothers over two carers: {over:?}"
    );
    assert!(carers(&m_on) < carers(&m_off));
    over
}

#[test]
fn continuity_never_changes_hours_with_enough_carers() {
    compare("baseline.toml", 2, None);
}

#[test]
fn continuity_never_changes_hours_in_a_summer_shortage() {
    let mut s = load("summer-shortage.toml");
    s.replications = 1;
    // There is a shortage: some mothers end below the minimum with and without continuity.
    assert!(totals(&run(&s)).mothers_below_minimum > 0);
    compare("summer-shortage.toml", 2, None);
}

#[test]
fn continuity_never_changes_hours_with_the_waiting_list() {
    compare("ksv-area.toml", 1, Some(CapacityScope::WaitingList));
}
