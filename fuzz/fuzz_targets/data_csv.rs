//! Bytes -> each CSV loader: the first byte picks the file (postcodes, providers, carers), the
//! rest is its contents; the other two files are small and valid. Loading must return a
//! scenario or errors, never panic.
#![no_main]

use kraamsim::scenario;
use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name = \"fuzz\"\n[data]\npostcodes = \"postcodes.csv\"\nproviders = \"providers.csv\"\ncarers = \"carers.csv\"\n";
const POSTCODES: &[u8] = b"pc4,region,births_per_year,province\n1234,R,100,Utrecht\n1235,R,50,\n";
const PROVIDERS: &[u8] =
    b"provider,region,market_share,contract_type,postcodes\nP,R,1,A,\nQ,R,0.5,B,1234\n";
const CARERS: &[u8] = b"provider,region,carers,contract_hours_per_week\nP,R,10,22\nQ,R,4,18.5\n";

fuzz_target!(|data: &[u8]| {
    let Some((&which, csv)) = data.split_first() else {
        return;
    };
    let mut files: [(&str, &[u8]); 3] = [
        ("postcodes.csv", POSTCODES),
        ("providers.csv", PROVIDERS),
        ("carers.csv", CARERS),
    ];
    files[usize::from(which % 3)].1 = csv;
    let _ = scenario::parse_with_data(SCENARIO, "fuzz.toml", &files);
});
