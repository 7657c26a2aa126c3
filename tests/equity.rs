//! Issue 12: the equity metrics and the KSV's regional waiting list, end to end.
//!
//! The waiting list's guarantee (no mother left short of her tier-1/2 share of the day while a
//! provider covering her postcode gives tier-3/4 hours) is checked on every region-day by the
//! simulation under `--check`; these tests run it, show the same check does find breaches per
//! provider (so it is not vacuous), and check the shipped comparison's outcome.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kraamsim::run::{self, RunOptions, RunResults};
use kraamsim::scenario::{self, CapacityScope, PolicyName, Scenario};
use kraamsim::sim::{Checks, Totals};

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn load(name: &str) -> Scenario {
    scenario::load_file(&path(name)).unwrap().scenario
}

fn run_checked(s: &Scenario) -> RunResults {
    let options = RunOptions {
        threads: Some(2),
        checks: Checks { thorough: true },
        ..RunOptions::default()
    };
    run::run(s, &options).unwrap_or_else(|e| panic!("{e}"))
}

fn total(r: &RunResults, policy: &str) -> Totals {
    let mut t = Totals::default();
    for x in r.results.iter().filter(|x| x.policy == policy) {
        t.add(&x.totals);
    }
    t
}

#[test]
fn the_waiting_list_leaves_nobody_short_while_a_covering_provider_gives_extras() {
    let mut s = load("ksv-waiting-list.toml");
    s.replications = 3;
    s.policy.compare.clear();
    // From ample to very short: the guarantee must hold at every level.
    for factor in [0.7, 1.0, 1.3] {
        s.carers.capacity_factor = factor;
        s.policy.scope = CapacityScope::Provider;
        let per_provider = run_checked(&s);
        s.policy.scope = CapacityScope::WaitingList;
        // `--check` turns a breach into an error: the run would fail.
        let waiting_list = run_checked(&s);
        let breaches = |r: &RunResults| r.results.iter().map(|x| x.waiting_list_breaches).sum();
        let per_provider_breaches: u64 = breaches(&per_provider);
        assert_eq!(breaches(&waiting_list), 0, "capacity x{factor}");
        if factor <= 1.0 {
            assert!(
                per_provider_breaches > 0,
                "capacity x{factor}: the check found nothing to fix per provider"
            );
        }
        let (a, b) = (
            total(&per_provider, "minimum-first"),
            total(&waiting_list, "minimum-first"),
        );
        assert_eq!(a.mothers, b.mothers, "same mothers");
        assert!(b.mothers_below_minimum <= a.mothers_below_minimum);
        assert!(b.mothers_transferred > 0 || per_provider_breaches == 0);
        for x in &waiting_list.results {
            assert_eq!(x.tier_order_violations, 0);
            assert_eq!(x.capacity_exceeded_days, 0);
            let moved: u64 = x.transfers.iter().sum();
            assert_eq!(
                moved > 0,
                x.totals.mothers_transferred > 0,
                "transfers counted"
            );
        }
    }
}

#[test]
fn the_waiting_list_closes_most_of_the_gap_to_pooling() {
    let mut s = load("ksv-waiting-list.toml");
    s.replications = 4;
    s.policy.compare.clear();
    let mut below = Vec::new();
    for scope in [
        CapacityScope::Provider,
        CapacityScope::WaitingList,
        CapacityScope::Region,
    ] {
        s.policy.scope = scope;
        let t = total(&run_checked(&s), "minimum-first");
        below.push(t.mothers_below_minimum as f64 / t.mothers as f64);
    }
    let (provider, waiting_list, pooled) = (below[0], below[1], below[2]);
    assert!(
        provider - waiting_list > 0.75 * (provider - pooled),
        "below the minimum: per provider {provider}, waiting list {waiting_list}, pooled {pooled}"
    );
}

#[test]
fn a_daily_limit_and_fixed_priority_are_respected() {
    let mut s = load("ksv-waiting-list.toml");
    s.replications = 2;
    s.policy.name = PolicyName::MinimumFirst;
    s.policy.compare.clear();
    s.policy.scope = CapacityScope::WaitingList;
    let free = total(&run_checked(&s), "minimum-first");
    s.policy.waiting_list.max_transfers_per_day = Some(0);
    let none = run_checked(&s);
    assert_eq!(total(&none, "minimum-first").mothers_transferred, 0);
    s.policy.waiting_list.max_transfers_per_day = Some(1);
    let one = total(&run_checked(&s), "minimum-first");
    assert!(0 < one.mothers_transferred && one.mothers_transferred <= free.mothers_transferred);
    // Flexzorg asked first: it takes mothers from Kraamzorg Vecht that Gooi would otherwise.
    s.policy.waiting_list.max_transfers_per_day = None;
    s.policy.waiting_list.order = kraamsim::scenario::WaitingListOrder::Priority;
    s.policy.waiting_list.priority = vec!["Flexzorg".into()];
    let flex_first = run_checked(&s);
    let most_spare = {
        s.policy.waiting_list.order = kraamsim::scenario::WaitingListOrder::MostSpare;
        s.policy.waiting_list.priority.clear();
        run_checked(&s)
    };
    // Providers: 0 Gooi, 1 Vecht, 2 Eemnes-Laren, 3 Flexzorg; pair (1 -> 3) is index 7.
    let to_flex = |r: &RunResults| -> u64 { r.results.iter().map(|x| x.transfers[7]).sum() };
    assert!(to_flex(&flex_first) > to_flex(&most_spare));
}

fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").unwrap()
}

#[test]
fn bad_waiting_list_settings_exit_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(path("ksv-waiting-list.toml")).unwrap();
    let text = text.replace(
        "order = \"most-spare\"",
        "order = \"priority\"\npriority = [\"Kraamzorg Nergens\"]\nmax_transfers_per_day = -2\npostcodes = [1211, 9999]",
    );
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, &text).unwrap();
    let line = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let out = kraamsim()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let name = file.display().to_string();
    for (field, at, what) in [
        (
            "policy.waiting_list.priority[0]",
            line("priority ="),
            "no provider named `Kraamzorg Nergens`",
        ),
        (
            "policy.waiting_list.max_transfers_per_day",
            line("max_transfers_per_day"),
            "got -2",
        ),
        (
            "policy.waiting_list.postcodes[1]",
            line("postcodes = [1211, 9999]"),
            "postcode 9999",
        ),
    ] {
        assert!(
            err.contains(&format!("{name}:{at}:")) && err.contains(&format!("`{field}`: ")),
            "{field} at line {at} not reported:\n{err}"
        );
        assert!(err.contains(what), "{what}:\n{err}");
    }
}

#[test]
fn a_sharded_waiting_list_sweep_merges_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::assert_shards_merge_byte_for_byte(
        d,
        &path("ksv-waiting-list.toml"),
        &["-q", "--replications", "2"],
        &[],
        &[
            "summary.csv",
            "stats.csv",
            "postcodes.csv",
            "lorenz.csv",
            "transfers.csv",
        ],
    );
    let transfers = std::fs::read_to_string(d.join("full/transfers.csv")).unwrap();
    // Only the waiting-list variant (v001) has transfer rows: 4 x 3 pairs x 2 policies x 2.
    assert_eq!(transfers.lines().count(), 1 + 12 * 2 * 2, "{transfers}");
    let lorenz = std::fs::read_to_string(d.join("full/lorenz.csv")).unwrap();
    // The last bin's cumulative shares are 1 (every mother, the whole ratio).
    let last = lorenz
        .lines()
        .find(|l| l.starts_with("v000,minimum-first,ALL,100,"))
        .unwrap();
    assert!(last.ends_with(",1.000000,1.000000"), "{last}");
}
