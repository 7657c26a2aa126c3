//! A synthetic national dataset: about 4,000 PC4 postcodes in 71 KSV regions, providers and
//! carers, whose totals match the national figures of `DOMAIN.md`.
//!
//! The postcodes and their births are invented, but the totals are not: births per province
//! are CBS 2023 (82056NED, summing to 164,487), the number of PC4 areas is 4,068 (2020), the
//! number of regions 71 (one per VSV, the assumption of DOMAIN.md), carers 9,000 (IGJ, January
//! 2023) with 22 contract hours a week on average (CPB 2021). Monthly seasonality is not in
//! the data: it is the scenario's `births.monthly_weights` (CBS 83474NED). Everything else is
//! drawn from a seeded stream, so `kraamsim generate national --seed N` always writes the same
//! files.

use std::path::Path;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal};

use crate::csv_text::CsvText;

/// A province: name, births in 2023, and its PC4 ranges (inclusive).
pub type Province = (&'static str, u32, &'static [(u16, u16)]);

/// Births per province in 2023 (CBS 82056NED) and the PC4 range(s) each province gets here.
/// Ranges follow the real first digits roughly; they only need to be disjoint.
pub const PROVINCES: [Province; 12] = [
    ("Noord-Holland", 27_545, &[(1000, 1299), (1400, 2199)]),
    ("Flevoland", 4_966, &[(1300, 1399), (8200, 8399)]),
    ("Zuid-Holland", 37_427, &[(2200, 3399)]),
    ("Utrecht", 14_070, &[(3400, 3999)]),
    ("Zeeland", 3_359, &[(4300, 4599)]),
    ("Noord-Brabant", 23_425, &[(4600, 5799)]),
    ("Limburg", 8_781, &[(5800, 6499)]),
    ("Gelderland", 19_397, &[(4000, 4299), (6500, 7399)]),
    ("Overijssel", 10_935, &[(7400, 7799), (8000, 8199)]),
    ("Drenthe", 4_041, &[(7800, 7999), (9400, 9499)]),
    ("Friesland", 5_698, &[(8400, 9299)]),
    ("Groningen", 4_843, &[(9300, 9399), (9500, 9999)]),
];

/// PC4 areas in the Netherlands (2020).
pub const POSTCODES: usize = 4_068;
/// KSV regions (assumption: one per VSV, 71).
pub const REGIONS: usize = 71;
/// Carers, persons (IGJ, January 2023).
pub const CARERS: u32 = 9_000;
/// Mean contract hours per week (CPB 2021).
pub const MEAN_CONTRACT_HOURS: f64 = 22.0;

/// Splits `total` into integers proportional to `weights` (largest remainder), so the parts
/// sum to `total` exactly.
pub fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut short = total - parts.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for i in order.into_iter().cycle() {
        if short == 0 {
            break;
        }
        parts[i] += 1;
        short -= 1;
    }
    parts
}

/// One row of each output file, kept as plain records.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// (pc4, region, births per year, province)
    pub postcodes: Vec<(u16, String, u64, &'static str)>,
    /// (provider, region, market share, contract type, postcodes or empty for all)
    pub providers: Vec<(String, String, f64, &'static str, Vec<u16>)>,
    /// (provider, region, carers, contract hours per week)
    pub carers: Vec<(String, String, u64, f64)>,
}

/// Generates the national dataset from `seed`.
pub fn generate(seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let births: Vec<f64> = PROVINCES.iter().map(|p| f64::from(p.1)).collect();
    // Postcodes per province: by the size of its ranges (rural provinces have many areas).
    let range_sizes: Vec<f64> = PROVINCES
        .iter()
        .map(|p| p.2.iter().map(|(a, b)| f64::from(b - a + 1)).sum())
        .collect();
    let postcode_counts = apportion(POSTCODES as u64, &range_sizes);
    // Regions per province: by births, at least one each.
    let extra = apportion((REGIONS - PROVINCES.len()) as u64, &births);
    let region_counts: Vec<u64> = extra.iter().map(|x| x + 1).collect();
    let spread = LogNormal::new(0.0, 0.6).expect("valid sigma");

    let mut data = Dataset {
        postcodes: Vec::new(),
        providers: Vec::new(),
        carers: Vec::new(),
    };
    let mut region_births: Vec<(String, u64)> = Vec::new();
    for (pi, (province, province_births, ranges)) in PROVINCES.iter().enumerate() {
        // Choose the province's postcodes: an evenly spaced, randomly offset subset of its
        // ranges, in ascending order so regions are contiguous blocks.
        let codes: Vec<u16> = ranges.iter().flat_map(|&(a, b)| a..=b).collect();
        let n = postcode_counts[pi] as usize;
        let step = codes.len() as f64 / n as f64;
        let chosen: Vec<u16> = (0..n)
            .map(|i| {
                // Within [i step, (i + 1) step - 1): distinct for every i when step >= 1.
                let at = i as f64 * step + rng.random::<f64>() * (step - 1.0);
                codes[(at as usize).min(codes.len() - 1)]
            })
            .collect();
        let weights: Vec<f64> = chosen.iter().map(|_| spread.sample(&mut rng)).collect();
        let pc_births = apportion(u64::from(*province_births), &weights);
        let regions = region_counts[pi] as usize;
        let per_region = apportion(n as u64, &vec![1.0; regions]);
        let mut next = 0usize;
        for (r, count) in per_region.iter().enumerate() {
            let name = format!("{province} {}", r + 1);
            let mut total = 0;
            for k in next..next + *count as usize {
                data.postcodes
                    .push((chosen[k], name.clone(), pc_births[k], *province));
                total += pc_births[k];
            }
            next += *count as usize;
            region_births.push((name, total));
        }
    }
    // Carers per region by births, then per provider by market share.
    let weights: Vec<f64> = region_births.iter().map(|r| r.1 as f64).collect();
    let region_carers = apportion(u64::from(CARERS), &weights);
    let mut hours_total = 0.0;
    let mut provider_index = 0;
    for ((region, _), carers) in region_births.iter().zip(region_carers) {
        let codes: Vec<u16> = data
            .postcodes
            .iter()
            .filter(|p| &p.1 == region)
            .map(|p| p.0)
            .collect();
        let n = rng.random_range(2..=5usize);
        let shares: Vec<f64> = (0..n).map(|_| 0.3 + rng.random::<f64>()).collect();
        let sum: f64 = shares.iter().sum();
        let provider_carers = apportion(carers, &shares);
        for k in 0..n {
            provider_index += 1;
            let name = format!("Kraamzorg {provider_index:03}");
            // The largest provider covers the whole region; others a contiguous part of it.
            let area = if k == 0 || codes.len() < 4 {
                Vec::new()
            } else {
                let len = rng.random_range(codes.len() / 3..=codes.len());
                let start = rng.random_range(0..=codes.len() - len);
                codes[start..start + len].to_vec()
            };
            let contract = match rng.random::<f64>() {
                u if u < 0.5 => "A",
                u if u < 0.9 => "B",
                _ => "platform",
            };
            let hours = (MEAN_CONTRACT_HOURS + rng.random_range(-4.0..4.0f64)).round();
            hours_total += hours * provider_carers[k] as f64;
            let share = (shares[k] / sum * 1000.0).round() / 1000.0;
            data.providers
                .push((name.clone(), region.clone(), share, contract, area));
            data.carers
                .push((name, region.clone(), provider_carers[k], hours));
        }
    }
    // Shift every provider's hours so the national mean is exactly 22 h (to 0.01 h).
    let shift = MEAN_CONTRACT_HOURS - hours_total / f64::from(CARERS);
    for c in &mut data.carers {
        c.3 = ((c.3 + shift) * 100.0).round() / 100.0;
    }
    data
}

/// The dataset's files, each with its text: postcodes.csv, providers.csv and carers.csv. The
/// command line writes them through the output directory protocol (`output::dir`).
pub fn files(data: &Dataset) -> [(&'static str, String); 3] {
    let mut postcodes = CsvText::new(&["pc4", "region", "births_per_year", "province"]);
    for (pc, region, births, province) in &data.postcodes {
        postcodes.row([
            pc.to_string(),
            region.clone(),
            births.to_string(),
            province.to_string(),
        ]);
    }
    let mut providers = CsvText::new(&[
        "provider",
        "region",
        "market_share",
        "contract_type",
        "postcodes",
    ]);
    for (name, region, share, contract, area) in &data.providers {
        let area: Vec<String> = area.iter().map(u16::to_string).collect();
        providers.row([
            name.clone(),
            region.clone(),
            share.to_string(),
            contract.to_string(),
            area.join(" "),
        ]);
    }
    let mut carers = CsvText::new(&["provider", "region", "carers", "contract_hours_per_week"]);
    for (name, region, count, hours) in &data.carers {
        carers.row([
            name.clone(),
            region.clone(),
            count.to_string(),
            hours.to_string(),
        ]);
    }
    let (postcodes, providers, carers) = (postcodes.finish(), providers.finish(), carers.finish());
    [
        ("postcodes.csv", postcodes),
        ("providers.csv", providers),
        ("carers.csv", carers),
    ]
}

/// Writes the dataset's [`files`] into `dir` (made if absent), replacing files of these names.
pub fn write(data: &Dataset, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in files(data) {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_sums_exactly_and_follows_weights() {
        let parts = apportion(10, &[1.0, 1.0, 1.0]);
        assert_eq!(parts.iter().sum::<u64>(), 10);
        assert_eq!(parts, vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0.0, 2.0]), vec![0, 7]);
    }

    #[test]
    fn national_totals_match_the_sources() {
        let d = generate(1);
        assert_eq!(d.postcodes.len(), POSTCODES);
        let births: u64 = d.postcodes.iter().map(|p| p.2).sum();
        assert_eq!(births, 164_487);
        for (name, province_births, _) in PROVINCES {
            let sum: u64 = d
                .postcodes
                .iter()
                .filter(|p| p.3 == name)
                .map(|p| p.2)
                .sum();
            assert_eq!(sum, u64::from(province_births), "{name}");
        }
        let mut regions: Vec<&str> = d.postcodes.iter().map(|p| p.1.as_str()).collect();
        regions.dedup();
        assert_eq!(regions.len(), REGIONS);
        let carers: u64 = d.carers.iter().map(|c| c.2).sum();
        assert_eq!(carers, u64::from(CARERS));
        let hours: f64 = d.carers.iter().map(|c| c.2 as f64 * c.3).sum::<f64>() / carers as f64;
        assert!((hours - MEAN_CONTRACT_HOURS).abs() < 0.01, "{hours}");
        let mut codes: Vec<u16> = d.postcodes.iter().map(|p| p.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), POSTCODES, "postcodes are unique");
    }

    #[test]
    fn same_seed_same_dataset() {
        assert_eq!(generate(7), generate(7));
        assert_ne!(generate(7), generate(8));
    }
}
