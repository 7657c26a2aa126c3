//! Practice as observed (issue 23): a provider closing during the year
//! (`[[provider_closures]]`) and the waiting list refusing the mothers it cannot place
//! (`policy.waiting_list.refusals`), through the library and the command line.

use std::path::Path;

use assert_cmd::Command;
use kraamsim::model::{Calendar, Day};
use kraamsim::policy::MinimumFirst;
use kraamsim::scenario::{self, CapacityScope, Scenario};
use kraamsim::sim::{Checks, RegionResult, RegistrationOutcome, run_region};

/// The KSV area of `scenarios/ksv-area.toml` (four providers, one region), "Kraamzorg
/// Vecht" (34 carers, postcodes all covered by "Gooi Kraamzorg") closing on 1 June: half of
/// its carers join Gooi Kraamzorg, a quarter Flexzorg, the rest leave.
fn ksv_area_with_closure() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ksv-area.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = format!(
        "{text}\n[[provider_closures]]\nprovider = \"Kraamzorg Vecht\"\ndate = \"2027-06-01\"\n\
         carers_join = [{{ provider = \"Gooi Kraamzorg\", share = 0.5 }}, {{ provider = \"Flexzorg\", share = 0.25 }}]\n"
    );
    scenario::parse(&text, "ksv-area-closure.toml").unwrap()
}

fn run_checked(s: &Scenario, replication: u32) -> RegionResult {
    let cal = Calendar::new(s);
    let checks = Checks { thorough: true };
    run_region(
        s,
        &cal,
        0,
        replication,
        &MinimumFirst::default(),
        true,
        checks,
    )
}

/// Hours conserved, supply respected, no broken invariant.
fn assert_conserved(r: &RegionResult) {
    assert_eq!(r.violation, None);
    assert_eq!(r.tier_order_violations, 0);
    let t = &r.totals;
    let tol = 1e-6 * t.indicated_hours.max(1.0);
    assert!((t.indicated_hours - t.delivered_hours - t.shortfall_hours).abs() < tol);
    assert!(t.carer_hours_used <= t.carer_hours_available + 1e-6);
    assert!(t.carer_hours_used <= t.carer_hours_workable + 1e-6);
    assert!(t.mothers_without_care <= t.mothers_below_minimum);
    for w in &r.weeks {
        assert!(w.delivered_hours <= w.carer_hours_available + 1e-6);
    }
}

fn closing_day(s: &Scenario) -> Day {
    let date = s.provider_closures[0].date;
    (date - Calendar::new(s).start).num_days() as Day
}

#[test]
fn a_closing_provider_s_mothers_are_moved_and_none_is_lost() {
    let with = ksv_area_with_closure();
    let mut without = with.clone();
    without.provider_closures.clear();
    let vecht = 1u16; // second provider of the region, in file order
    let day = closing_day(&with);
    for scope in [CapacityScope::Provider, CapacityScope::WaitingList] {
        let (mut a, mut b) = (with.clone(), without.clone());
        a.policy.scope = scope;
        b.policy.scope = scope;
        let closed = run_checked(&a, 0);
        let open = run_checked(&b, 0);
        assert_conserved(&closed);
        // None lost: the same mothers are counted, each once.
        assert_eq!(closed.totals.mothers, open.totals.mothers, "{scope:?}");
        let ids = |r: &RegionResult| {
            let mut v: Vec<u32> = r.mothers.iter().map(|(_, o)| o.mother).collect();
            v.sort_unstable();
            v
        };
        assert_eq!(ids(&closed), ids(&open), "{scope:?}");
        assert_eq!(closed.totals.mothers_without_care, 0, "{scope:?}");
        // What the closure did: mothers booked and in care moved, carers by their shares
        // (34 carers: 17 to Gooi, round(34 x 0.75) - 17 = 9 to Flexzorg, 8 leave).
        let c = &closed.closures[0];
        assert_eq!((c.provider, c.day), (vecht, day));
        assert!(c.booked_moved > 50, "{c:?}");
        assert!(c.in_care_moved > 0, "{c:?}");
        assert!(c.registrations_redirected > 50, "{c:?}");
        assert_eq!((c.carers_joined, c.carers_left, c.refused), (26, 8, 0));
        // Nobody is with the closed provider once it closed: a mother born from three days
        // before the closure was (at the latest) in care on its day; mothers whose care had
        // ended long before stay counted with it.
        let birth_day = |m: &kraamsim::model::Mother| m.birth_minute / (24 * 60);
        assert!(
            closed
                .mothers
                .iter()
                .filter(|(m, _)| birth_day(m) + 3 >= day)
                .all(|(m, _)| m.provider != vecht)
        );
        assert!(
            closed
                .mothers
                .iter()
                .any(|(m, _)| birth_day(m) + 20 < day && m.provider == vecht)
        );
        // Eight carers fewer for the second half of the year: fewer contract hours (the
        // hours delivered may even rise, as Vecht's mothers move to better staffed Gooi).
        let (lost, kept) = (
            closed.totals.carer_contract_hours,
            open.totals.carer_contract_hours,
        );
        assert!(lost < kept - 8.0 * 20.0 * 10.0, "{lost} vs {kept}");
    }
}

#[test]
fn a_closure_under_pooled_carers_moves_mothers_and_carers_leave() {
    let mut s = ksv_area_with_closure();
    s.policy.scope = CapacityScope::Region;
    let r = run_checked(&s, 1);
    assert_conserved(&r);
    let c = &r.closures[0];
    assert!(c.booked_moved > 0 && c.in_care_moved > 0, "{c:?}");
    assert_eq!(c.carers_left, 8);
}

/// `scenarios/ksv-waiting-list.toml` (Kraamzorg Vecht far short of carers) under the
/// waiting list, with refusals at `booking_share`.
fn waiting_list_with_refusals(booking_share: f64) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ksv-waiting-list.toml");
    let mut s = scenario::load_file(&path).unwrap().scenario;
    s.sweep.clear();
    s.policy.scope = CapacityScope::WaitingList;
    s.policy.waiting_list.refusals = true;
    s.policy.waiting_list.booking_share = booking_share;
    s
}

fn count(r: &RegionResult, outcome: RegistrationOutcome) -> [u64; 2] {
    let k = RegistrationOutcome::ALL
        .iter()
        .position(|o| *o == outcome)
        .unwrap();
    r.registrations[k]
}

#[test]
fn the_waiting_list_refuses_whom_it_cannot_place_late_registrants_most() {
    let s = waiting_list_with_refusals(1.0);
    let r = run_checked(&s, 0);
    assert_conserved(&r);
    // Every mother counted has exactly one registration outcome.
    let all: u64 = r.registrations.iter().flatten().sum();
    assert_eq!(all, r.totals.mothers);
    let refused = count(&r, RegistrationOutcome::RefusedNoRoom);
    let placed = count(&r, RegistrationOutcome::PlacedByList);
    assert!(refused[0] + refused[1] > 0, "{:?}", r.registrations);
    assert!(placed[0] + placed[1] > 0, "{:?}", r.registrations);
    // A refused mother gets no kraamzorg (and is below the minimum).
    assert!(refused[0] + refused[1] <= r.totals.mothers_without_care);
    let unserved = r
        .mothers
        .iter()
        .filter(|(_, o)| o.delivered.iter().sum::<f64>() == 0.0)
        .count() as u64;
    assert!(unserved >= refused[0] + refused[1]);
    // Late registrants find the rosters booked by the early ones: refused more often.
    let late_mothers = r.totals.late_registrants;
    let early_mothers = r.totals.mothers - late_mothers;
    let late_rate = refused[1] as f64 / late_mothers as f64;
    let early_rate = refused[0] as f64 / early_mothers as f64;
    assert!(late_rate > 2.0 * early_rate, "{late_rate} vs {early_rate}");
}

#[test]
fn refusals_that_never_bite_change_nothing() {
    // Bookings of 1% of the indicated hours always fit: every mother is booked with her own
    // provider, and the run is the waiting list's without refusals, hour for hour.
    let with = waiting_list_with_refusals(0.01);
    let mut without = with.clone();
    without.policy.waiting_list.refusals = false;
    without.policy.waiting_list.booking_share = 1.0;
    let a = run_checked(&with, 2);
    let b = run_checked(&without, 2);
    let own = count(&a, RegistrationOutcome::OwnProvider);
    assert_eq!(own[0] + own[1], a.totals.mothers);
    assert_eq!(a.totals.delivered_hours, b.totals.delivered_hours);
    assert_eq!(
        a.totals.mothers_below_minimum,
        b.totals.mothers_below_minimum
    );
    assert!(b.registrations.is_empty());
}

fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").unwrap()
}

#[test]
fn observed_2024_writes_its_closures_and_registrations() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/observed-2024.toml");
    kraamsim()
        .args(["run", "--no-charts", "--replications", "1", "--out"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let closures = read("closures.csv");
    let mut lines = closures.lines();
    assert_eq!(
        lines.next().unwrap(),
        "variant,policy,replication,region,provider,date,mothers_booked_moved,\
         mothers_in_care_moved,mothers_refused,registrations_redirected,carers_joined,carers_left"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows.len(),
        scenario::load_file(&scenario)
            .unwrap()
            .scenario
            .provider_closures
            .len()
    );
    // Registrations: one outcome per mother counted, as many as summary.csv's ALL row.
    let mothers_in_summary: u64 = read("summary.csv")
        .lines()
        .find(|l| l.starts_with("base,minimum-first,0,ALL,"))
        .and_then(|l| l.split(',').nth(4))
        .unwrap()
        .parse()
        .unwrap();
    // Read by column name, as a reader of the output should.
    let mut registrations = csv::Reader::from_path(out.join("registrations.csv")).unwrap();
    let mothers = registrations
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "mothers")
        .unwrap();
    let registered: u64 = registrations
        .records()
        .map(|r| r.unwrap()[mothers].parse::<u64>().unwrap())
        .sum();
    assert_eq!(registered, mothers_in_summary);
    // The other scenarios write neither file.
    let plain = dir.path().join("plain");
    kraamsim()
        .args(["run", "--no-charts", "--replications", "1", "--out"])
        .arg(&plain)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ksv-area.toml"))
        .assert()
        .success();
    assert!(!plain.join("closures.csv").exists());
    assert!(!plain.join("registrations.csv").exists());
}
