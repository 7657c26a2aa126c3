//! No panic on any input: random bytes and mutated copies of the shipped scenarios and data
//! files go through the loader, which must return a scenario or errors. A mutated scenario
//! that loads and is small enough (births, period; one replication) is then simulated with
//! every runtime invariant on (`--check`): no panic, no invariant broken, every number finite
//! and the hours conserved. cargo-fuzz targets for the same loaders live in `fuzz/`.
//!
//! `LOADER_FUZZ_TRACE=1 cargo test --release --test loader_fuzz -- --nocapture` prints one line
//! per simulated scenario (about 700 of the 5,500 cases reach the simulator).

use std::path::Path;

use proptest::prelude::*;

use kraamsim::run::{self, RunOptions};
use kraamsim::scenario::{self, Scenario};
use kraamsim::sim::Checks;

fn shipped(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The shipped scenarios that need no data files.
fn scenarios() -> Vec<String> {
    [
        "scenarios/baseline.toml",
        "scenarios/summer-shortage.toml",
        "scenarios/ksv-area.toml",
        "scenarios/policy-comparison.toml",
        "scenarios/capacity-sweep.toml",
        "scenarios/validation/erlang-b.toml",
        "scenarios/validation/little.toml",
    ]
    .iter()
    .map(|p| shipped(p))
    .collect()
}

/// The head (first `rows` lines) of each national data file, and a scenario that loads them.
const DATA_SCENARIO: &str = "name = \"data\"\nreplications = 1\n[period]\nstart = \"2027-01-01\"\nend = \"2027-03-31\"\n[data]\npostcodes = \"postcodes.csv\"\nproviders = \"providers.csv\"\ncarers = \"carers.csv\"\n";
const DATA_FILES: [&str; 3] = ["postcodes.csv", "providers.csv", "carers.csv"];

fn data_heads() -> [Vec<u8>; 3] {
    // The first region of the national dataset, whole: its postcodes, providers and carers.
    let region = "Noord-Holland 1";
    DATA_FILES.map(|f| {
        let text = shipped(&format!("scenarios/data/national/{f}"));
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for l in lines.filter(|l| l.contains(region)) {
            out.push_str(l);
            out.push('\n');
        }
        out.into_bytes()
    })
}

fn load_with(text: &str, files: &[Vec<u8>; 3]) -> Result<Scenario, scenario::ScenarioError> {
    let named: Vec<(&str, &[u8])> = DATA_FILES
        .iter()
        .zip(files)
        .map(|(n, b)| (*n, b.as_slice()))
        .collect();
    scenario::parse_with_data(text, "fuzz.toml", &named)
}

/// Values that sit on or beyond the edges of the schema's types and ranges.
const EDGES: &[&str] = &[
    "0",
    "-1",
    "1",
    "0.5",
    "1.0000001",
    "-0.0",
    "1e-300",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551616",
    "\"\"",
    "\"x\"",
    "\"2027-02-29\"",
    "\"1899-12-31\"",
    "\"2199-12-31\"",
    "[]",
    "[1, 2]",
    "{}",
    "true",
];

/// One edit of a text: a byte-level change, or a value-level one that keeps the TOML shape
/// (those mostly give files that still load, and so reach the simulator).
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the `n`-th number in the text by an edge value.
    Number(usize, usize),
    /// Scale the `n`-th number by a factor.
    Scale(usize, f64),
    /// Delete line `n`.
    DeleteLine(usize),
    /// Duplicate line `n`.
    DuplicateLine(usize),
    /// Truncate at a fraction of the length.
    Truncate(f64),
    /// Overwrite the byte at a fraction of the length.
    Byte(f64, u8),
    /// Insert bytes at a fraction of the length.
    Insert(f64, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0usize..400, 0..EDGES.len()).prop_map(|(n, e)| Mutation::Number(n, e)),
        4 => (0usize..400, prop_oneof![Just(0.0), Just(0.1), Just(0.5), Just(2.0), Just(10.0), Just(-1.0)])
            .prop_map(|(n, f)| Mutation::Scale(n, f)),
        2 => (0usize..200).prop_map(Mutation::DeleteLine),
        1 => (0usize..200).prop_map(Mutation::DuplicateLine),
        1 => (0.0f64..1.0).prop_map(Mutation::Truncate),
        2 => (0.0f64..1.0, any::<u8>()).prop_map(|(at, b)| Mutation::Byte(at, b)),
        1 => (0.0f64..1.0, prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
    ]
}

/// Byte ranges of the numbers in `text` (a digit run with its sign, dot and exponent).
fn numbers(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_digit() {
            let start = if i > 0 && text[i - 1] == b'-' {
                i - 1
            } else {
                i
            };
            let mut end = i;
            while end < text.len() && (text[end].is_ascii_alphanumeric() || text[end] == b'.') {
                end += 1;
            }
            out.push((start, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn apply(text: &[u8], m: &Mutation) -> Vec<u8> {
    let at = |f: f64| ((text.len() as f64 * f) as usize).min(text.len());
    let lines = || text.split(|&b| b == b'\n').collect::<Vec<_>>();
    match m {
        Mutation::Number(..) | Mutation::Scale(..) if numbers(text).is_empty() => text.to_vec(),
        Mutation::Number(n, e) => {
            let nums = numbers(text);
            let (s, t) = nums[n % nums.len()];
            [&text[..s], EDGES[*e].as_bytes(), &text[t..]].concat()
        }
        Mutation::Scale(n, f) => {
            let nums = numbers(text);
            let (s, t) = nums[n % nums.len()];
            let old = std::str::from_utf8(&text[s..t]).unwrap_or("1");
            let new = match old.parse::<i64>() {
                Ok(i) => format!("{}", (i as f64 * f).round() as i64),
                Err(_) => old
                    .parse::<f64>()
                    .map_or(old.to_string(), |x| format!("{:?}", x * f)),
            };
            [&text[..s], new.as_bytes(), &text[t..]].concat()
        }
        Mutation::DeleteLine(n) => {
            let mut l = lines();
            let k = n % l.len();
            l.remove(k);
            l.join(&b'\n')
        }
        Mutation::DuplicateLine(n) => {
            let mut l = lines();
            let k = n % l.len();
            l.insert(k, l[k]);
            l.join(&b'\n')
        }
        Mutation::Truncate(f) => text[..at(*f)].to_vec(),
        Mutation::Byte(f, b) => {
            let mut t = text.to_vec();
            if !t.is_empty() {
                let i = at(*f).min(t.len() - 1);
                t[i] = *b;
            }
            t
        }
        Mutation::Insert(f, bytes) => {
            let i = at(*f);
            [&text[..i], bytes.as_slice(), &text[i..]].concat()
        }
    }
}

/// Runs a loaded scenario if it is small; checks what the outputs promise.
fn simulate_if_small(mut s: Scenario) {
    let days = (s.period.end - s.period.start).num_days();
    let births = s.expected_births();
    if births >= 20_000.0 || days > 731 || s.regions.len() > 50 {
        return;
    }
    s.replications = 1;
    if std::env::var_os("LOADER_FUZZ_TRACE").is_some() {
        eprintln!("TRACE simulated {} births/yr {} days", births, days);
    }
    let options = RunOptions {
        threads: Some(1),
        checks: Checks { thorough: true },
        ..RunOptions::default()
    };
    let r = run::run(&s, &options).unwrap_or_else(|e| panic!("run failed: {e}"));
    for res in &r.results {
        let t = &res.totals;
        for (name, v) in [
            ("indicated", t.indicated_hours),
            ("delivered", t.delivered_hours),
            ("shortfall", t.shortfall_hours),
            ("available", t.carer_hours_available),
            ("used", t.carer_hours_used),
            ("contract", t.carer_contract_hours),
        ] {
            assert!(v.is_finite() && v >= -1e-6, "{name} hours = {v}");
        }
        let tol = 1e-6 * t.indicated_hours.max(1.0);
        assert!((t.delivered_hours + t.shortfall_hours - t.indicated_hours).abs() <= tol);
        assert!(t.delivered_hours <= t.indicated_hours + tol);
        assert!(t.mothers_below_minimum <= t.mothers);
        let weekly: f64 = res.weeks.iter().map(|w| w.delivered_hours).sum();
        assert!(weekly.is_finite());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_the_scenario_loader(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = scenario::parse(&text, "fuzz.toml");
        let _ = load_with(&text, &data_heads());
    }

    #[test]
    fn random_bytes_never_panic_the_csv_loaders(
        which in 0usize..3,
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut files = data_heads();
        files[which] = bytes;
        let _ = load_with(DATA_SCENARIO, &files);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_load_or_fail_cleanly_and_run_when_they_load(
        which in 0usize..7,
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let texts = scenarios();
        let mut text = texts[which].clone().into_bytes();
        for m in &edits {
            text = apply(&text, m);
        }
        let text = String::from_utf8_lossy(&text);
        if let Ok(s) = scenario::parse(&text, "fuzz.toml") {
            let loaded = scenario::LoadedScenario {
                scenario: s.clone(),
                source_name: "fuzz.toml".into(),
                text: text.to_string(),
                base: None,
            };
            let _ = scenario::variants(&loaded);
            simulate_if_small(s);
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_data_files_load_or_fail_cleanly_and_run_when_they_load(
        which in 0usize..3,
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut files = data_heads();
        for m in &edits {
            files[which] = apply(&files[which], m);
        }
        if let Ok(s) = load_with(DATA_SCENARIO, &files) {
            simulate_if_small(s);
        }
    }
}

#[test]
fn the_unmutated_inputs_load_and_run() {
    // The mutations start from valid files, so that most edits reach the simulator.
    for text in scenarios() {
        let s = scenario::parse(&text, "fuzz.toml").unwrap();
        simulate_if_small(s);
    }
    let s = load_with(DATA_SCENARIO, &data_heads()).unwrap();
    assert!(s.expected_births() > 0.0);
    simulate_if_small(s);
}
