//! CSV dialects of the scenario's `[data]` files (docs/data-format.md, "Dialects"): a Dutch
//! Excel export (`;`, decimal commas, a byte-order mark, `\r\n`) or a tab-separated file
//! loads exactly as the comma-separated original; a header that mixes separators, and a
//! number with a thousands separator, are errors that say what to write.

mod common;

use std::fs;
use std::path::Path;

use kraamsim::scenario;

/// The national scenario loaded with its three data files rewritten by `rewrite`.
fn national_with(rewrite: impl Fn(&str) -> Vec<u8>) -> Result<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let text = fs::read_to_string(root.join("national.toml")).unwrap();
    let names = [
        "data/national/postcodes.csv",
        "data/national/providers.csv",
        "data/national/carers.csv",
    ];
    let files: Vec<Vec<u8>> = names
        .iter()
        .map(|n| rewrite(&fs::read_to_string(root.join(n)).unwrap()))
        .collect();
    let data: Vec<(&str, &[u8])> = names
        .iter()
        .copied()
        .zip(files.iter().map(|f| &f[..]))
        .collect();
    scenario::parse_with_data(&text, "national.toml", &data)
        .map(|s| format!("{s:?}"))
        .map_err(|e| e.to_string())
}

#[test]
fn the_national_dataset_as_a_dutch_excel_export_loads_identically() {
    let comma = national_with(|t| t.as_bytes().to_vec()).unwrap();
    let dutch = common::dutch_excel(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/national/providers.csv"),
        )
        .unwrap(),
    );
    // The export is what it claims to be: a BOM, `;`, a decimal comma, `\r\n`.
    let text = String::from_utf8(dutch).unwrap();
    assert!(text.starts_with("\u{feff}provider;region;market_share;"));
    assert!(text.contains(";0,239;") && text.ends_with("\r\n"));
    assert!(text.lines().all(|l| l.split(';').count() == 5), "{text}");
    assert_eq!(national_with(common::dutch_excel).unwrap(), comma);
    // A tab-separated file with decimal commas, as Excel's "Text (Tab delimited)".
    let tabs = |t: &str| {
        String::from_utf8(common::dutch_excel(t))
            .unwrap()
            .replace(';', "\t")
            .into_bytes()
    };
    assert_eq!(national_with(tabs).unwrap(), comma);
}

#[test]
fn a_semicolon_header_is_never_one_unknown_column() {
    // Quoted whole, the header is one column holding `;`: what was found is said.
    let quoted = |t: &str| {
        let dutch = String::from_utf8(common::dutch_excel(t)).unwrap();
        let (header, rest) = dutch.split_once("\r\n").unwrap();
        format!("\"{}\"\r\n{rest}", header.trim_start_matches('\u{feff}')).into_bytes()
    };
    let e = national_with(quoted).unwrap_err();
    assert!(!e.contains("unknown column"), "{e}");
    assert!(
        e.contains("postcodes.csv:1:1: `pc4;region;births_per_year;province`: the file is read as `;`-separated (its header has `;`), but `pc4;region;births_per_year;province` is read as one column holding `;`"),
        "{e}"
    );
}

#[test]
fn a_decimal_comma_in_a_comma_separated_file_says_where_it_is_read() {
    let quoted_comma = |t: &str| {
        if t.starts_with("provider,region,market_share") {
            t.replacen(",0.239,", ",\"0,239\",", 1).into_bytes()
        } else {
            t.as_bytes().to_vec()
        }
    };
    let e = national_with(quoted_comma).unwrap_err();
    assert!(
        e.contains("must be a positive number, got `0,239` (invalid float literal); a decimal comma is read only in a `;`-separated file"),
        "{e}"
    );
}

/// providers.csv takes the optional `employed_share` column its docs list (it was refused as
/// an unknown column), in either dialect.
#[test]
fn providers_csv_takes_its_documented_employed_share_column() {
    let with_share = |t: &str| {
        if t.starts_with("provider,region,market_share") {
            let mut lines = t.lines();
            let mut out = format!("{},employed_share\n", lines.next().unwrap());
            for (i, line) in lines.enumerate() {
                let share = if i == 0 { "0.45" } else { "" };
                out.push_str(&format!("{line},{share}\n"));
            }
            out
        } else {
            t.to_string()
        }
    };
    let comma = national_with(|t| with_share(t).into_bytes()).unwrap();
    assert!(comma.contains("employed_share: Some(0.45)"));
    assert_eq!(
        national_with(|t| common::dutch_excel(&with_share(t))).unwrap(),
        comma
    );
}
