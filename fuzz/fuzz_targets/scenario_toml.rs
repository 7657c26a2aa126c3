//! Bytes -> the scenario loader (TOML, validation, a sweep's variants): it must return a
//! scenario or errors, never panic. Data files named in `[data]` resolve to small valid CSVs.
#![no_main]

use kraamsim::scenario::{self, LoadedScenario};
use libfuzzer_sys::fuzz_target;

const POSTCODES: &[u8] = b"pc4,region,births_per_year\n1234,R,100\n1235,R,50\n";
const PROVIDERS: &[u8] = b"provider,region,market_share,contract_type,postcodes\nP,R,1,A,\n";
const CARERS: &[u8] = b"provider,region,carers,contract_hours_per_week\nP,R,10,22\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // load_file reports non-UTF-8 before parsing; tested in tests/broken
    };
    let files: &[(&str, &[u8])] = &[
        ("postcodes.csv", POSTCODES),
        ("providers.csv", PROVIDERS),
        ("carers.csv", CARERS),
    ];
    let _ = scenario::parse(text, "fuzz.toml");
    let Ok(s) = scenario::parse_with_data(text, "fuzz.toml", files) else {
        return;
    };
    // A sweep's variants are loaded like files; keep the grid small so inputs stay fast.
    let size = s
        .sweep
        .values()
        .fold(1usize, |n, v| n.saturating_mul(v.len()));
    if !s.sweep.is_empty() && size <= 64 && s.data.is_none() {
        let loaded = LoadedScenario {
            scenario: s,
            source_name: "fuzz.toml".into(),
            text: text.to_string(),
            base: None,
        };
        let _ = scenario::variants(&loaded);
    }
});
