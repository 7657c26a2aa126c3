//! The shipped scenarios and the forecast example, compiled into the binary, so the server
//! works from any directory and reads no file outside its workdir.

/// (file stem, TOML text) of every scenario in `scenarios/` the scenario page offers.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("baseline", include_str!("../../scenarios/baseline.toml")),
    (
        "birth-pool",
        include_str!("../../scenarios/birth-pool.toml"),
    ),
    (
        "capacity-sweep",
        include_str!("../../scenarios/capacity-sweep.toml"),
    ),
    ("ksv-area", include_str!("../../scenarios/ksv-area.toml")),
    (
        "ksv-waiting-list",
        include_str!("../../scenarios/ksv-waiting-list.toml"),
    ),
    ("national", include_str!("../../scenarios/national.toml")),
    (
        "observed-2024",
        include_str!("../../scenarios/observed-2024.toml"),
    ),
    (
        "policy-comparison",
        include_str!("../../scenarios/policy-comparison.toml"),
    ),
    (
        "summer-shortage",
        include_str!("../../scenarios/summer-shortage.toml"),
    ),
    (
        "workforce-2031",
        include_str!("../../scenarios/workforce-2031.toml"),
    ),
];

/// The national dataset as the shipped scenarios' `[data]` sections name it, relative to
/// the scenario file: (path, contents). A run directory gets a copy when its scenario names
/// them; a `[data]` path that is not one of these is refused.
pub const NATIONAL_DATA: &[(&str, &str)] = &[
    (
        "data/national/postcodes.csv",
        include_str!("../../scenarios/data/national/postcodes.csv"),
    ),
    (
        "data/national/providers.csv",
        include_str!("../../scenarios/data/national/providers.csv"),
    ),
    (
        "data/national/carers.csv",
        include_str!("../../scenarios/data/national/carers.csv"),
    ),
];

/// The forecast example of docs/forecast.md: the base scenario and its bookings and roster.
pub const FORECAST_SCENARIO: &str = include_str!("../../scenarios/ksv-forecast/ksv-forecast.toml");
pub const FORECAST_BOOKINGS: &str = include_str!("../../scenarios/ksv-forecast/bookings.csv");
pub const FORECAST_ROSTER: &str = include_str!("../../scenarios/ksv-forecast/roster.csv");

/// The shipped scenario with this stem.
pub fn scenario(stem: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(s, _)| *s == stem).map(|(_, t)| *t)
}
