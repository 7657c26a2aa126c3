//! postcodes.csv and lorenz.csv: integer counts summed over replications.
//!
//! Both files hold one row per (variant, policy, region, key) with counts added up over the
//! replications (a postcode's mothers and mothers below the minimum; a ratio bin's mothers and
//! summed delivered / indicated in millionths, see `crate::equity::RatioBins`). Integers add
//! up exactly in any order, so a shard's or an interrupted run's file read back and added to
//! gives the bytes one run writes: `kraamsim merge` and `--resume` use [`Tally::read`].

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::number::fixed;
use super::{CsvFile, OutputError, check_columns};
use crate::equity::{RATIO_BINS, RATIO_UNIT, RatioBins};

/// One row: region, key (postcode or bin) and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct TallyRow {
    pub region: String,
    pub key: u32,
    pub counts: Vec<u64>,
}

/// Which file a [`Tally`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyKind {
    Postcodes,
    Lorenz,
}

impl TallyKind {
    pub fn file(self) -> &'static str {
        match self {
            TallyKind::Postcodes => "postcodes.csv",
            TallyKind::Lorenz => "lorenz.csv",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            TallyKind::Postcodes => &[
                "variant",
                "policy",
                "region",
                "postcode",
                "replications",
                "mothers",
                "mothers_below_minimum",
                "share_below_minimum",
            ],
            TallyKind::Lorenz => &[
                "variant",
                "policy",
                "region",
                "bin",
                "ratio_from",
                "ratio_to",
                "replications",
                "mothers",
                "ratio_sum",
                "mothers_share",
                "ratio_share",
            ],
        }
    }
}

/// Counts per (variant, policy index), rows in region then key order.
#[derive(Debug, Clone)]
pub struct Tally {
    pub kind: TallyKind,
    pub groups: BTreeMap<(String, usize), Vec<TallyRow>>,
}

impl Tally {
    pub fn new(kind: TallyKind) -> Self {
        Tally {
            kind,
            groups: BTreeMap::new(),
        }
    }

    /// The rows of a group, made by `make` the first time.
    pub fn group(
        &mut self,
        variant: &str,
        policy: usize,
        make: impl FnOnce() -> Vec<TallyRow>,
    ) -> &mut Vec<TallyRow> {
        self.groups
            .entry((variant.to_string(), policy))
            .or_insert_with(make)
    }

    /// Adds `rows` to the group's rows (which must have the same regions and keys, in order).
    fn add_rows(
        &mut self,
        variant: &str,
        policy: usize,
        rows: Vec<TallyRow>,
    ) -> Result<(), String> {
        match self.groups.get_mut(&(variant.to_string(), policy)) {
            None => {
                self.groups.insert((variant.to_string(), policy), rows);
            }
            Some(have) => {
                if have.len() != rows.len() {
                    return Err(format!(
                        "variant {variant}: {} rows where {} were expected",
                        rows.len(),
                        have.len()
                    ));
                }
                for (h, r) in have.iter_mut().zip(rows) {
                    if h.region != r.region || h.key != r.key {
                        return Err(format!(
                            "variant {variant}: row {} {} where {} {} was expected",
                            r.region, r.key, h.region, h.key
                        ));
                    }
                    h.counts
                        .iter_mut()
                        .zip(&r.counts)
                        .for_each(|(a, b)| *a += b);
                }
            }
        }
        Ok(())
    }

    /// Adds the first `len` bytes (all with `None`) of a file this module wrote; `policies`
    /// gives each policy name its index.
    pub fn read(&mut self, path: &Path, len: Option<u64>, policies: &[&str]) -> Result<(), String> {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let reader: Box<dyn Read> = match len {
            Some(l) => Box::new(file.take(l)),
            None => Box::new(file),
        };
        let mut csv = csv::Reader::from_reader(reader);
        let columns = self.kind.columns();
        check_columns(csv.headers().map_err(|e| e.to_string())?, columns)?;
        // The header is checked, so a column's place is its place in `columns`.
        let col = |name: &str| {
            columns
                .iter()
                .position(|c| *c == name)
                .expect("a tally reads only its own columns")
        };
        let mut groups: Vec<((String, usize), Vec<TallyRow>)> = Vec::new();
        for record in csv.records() {
            let r = record.map_err(|e| e.to_string())?;
            let policy = policies
                .iter()
                .position(|p| *p == &r[1])
                .ok_or_else(|| format!("unknown policy `{}`", &r[1]))?;
            let number = |i: usize| -> Result<u64, String> {
                r[i].parse()
                    .map_err(|_| format!("`{}` is not a whole number", &r[i]))
            };
            let counts = match self.kind {
                TallyKind::Postcodes => vec![
                    number(col("replications"))?,
                    number(col("mothers"))?,
                    number(col("mothers_below_minimum"))?,
                ],
                TallyKind::Lorenz => vec![
                    number(col("replications"))?,
                    number(col("mothers"))?,
                    parse_fixed(&r[col("ratio_sum")])?,
                ],
            };
            let key = (r[0].to_string(), policy);
            let row = TallyRow {
                region: r[2].to_string(),
                key: r[3].parse().map_err(|_| format!("`{}`", &r[3]))?,
                counts,
            };
            match groups.last_mut() {
                Some((k, rows)) if *k == key => rows.push(row),
                _ => groups.push((key, vec![row])),
            }
        }
        for ((variant, policy), rows) in groups {
            self.add_rows(&variant, policy, rows)?;
        }
        Ok(())
    }

    /// Writes the file under its temporary name in `dir`.
    pub fn file(&self, dir: &Path, policies: &[&str]) -> Result<CsvFile, OutputError> {
        let mut out = CsvFile::create(dir, self.kind.file(), self.kind.columns())?;
        for ((variant, policy), rows) in &self.groups {
            let policy = policies.get(*policy).copied().unwrap_or("?");
            match self.kind {
                TallyKind::Postcodes => {
                    for r in rows {
                        let [reps, mothers, below] = [r.counts[0], r.counts[1], r.counts[2]];
                        let share = if mothers > 0 {
                            below as f64 / mothers as f64
                        } else {
                            0.0
                        };
                        out.write([
                            variant.as_str(),
                            policy,
                            &r.region,
                            &r.key.to_string(),
                            &reps.to_string(),
                            &mothers.to_string(),
                            &below.to_string(),
                            &fixed(share, 6),
                        ])?;
                    }
                }
                TallyKind::Lorenz => {
                    for region_rows in rows.chunks(RATIO_BINS) {
                        let mut bins = RatioBins::default();
                        for (b, r) in region_rows.iter().enumerate() {
                            bins.mothers[b] = r.counts[1];
                            bins.ratio_sum[b] = r.counts[2];
                        }
                        let lorenz = bins.lorenz();
                        for (b, r) in region_rows.iter().enumerate() {
                            let (from, to) = if b + 1 == RATIO_BINS {
                                (1.0, 1.0)
                            } else {
                                (b as f64 / 100.0, (b + 1) as f64 / 100.0)
                            };
                            out.write([
                                variant.as_str(),
                                policy,
                                &r.region,
                                &b.to_string(),
                                &fixed(from, 2),
                                &fixed(to, 2),
                                &r.counts[0].to_string(),
                                &r.counts[1].to_string(),
                                &format_fixed(r.counts[2]),
                                &fixed(lorenz[b].0, 6),
                                &fixed(lorenz[b].1, 6),
                            ])?;
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A sum in millionths as a decimal with six places (exact).
fn format_fixed(v: u64) -> String {
    let unit = RATIO_UNIT as u64;
    format!("{}.{:06}", v / unit, v % unit)
}

/// The inverse of [`format_fixed`].
fn parse_fixed(text: &str) -> Result<u64, String> {
    let bad = || format!("`{text}` is not a sum with six decimals");
    let (whole, frac) = text.split_once('.').ok_or_else(bad)?;
    if frac.len() != 6 {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let frac: u64 = frac.parse().map_err(|_| bad())?;
    Ok(whole * RATIO_UNIT as u64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_sums_round_trip() {
        for v in [0, 1, 999_999, 1_000_000, 123_456_789_012] {
            assert_eq!(parse_fixed(&format_fixed(v)).unwrap(), v);
        }
        assert_eq!(format_fixed(3_250_000), "3.250000");
    }

    #[test]
    fn counts_read_back_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = Tally::new(TallyKind::Postcodes);
        t.group("base", 0, || {
            vec![TallyRow {
                region: "R".into(),
                key: 1234,
                counts: vec![2, 10, 1],
            }]
        });
        t.file(dir.path(), &["minimum-first"])
            .unwrap()
            .persist()
            .unwrap();
        let path = dir.path().join("postcodes.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.ends_with("base,minimum-first,R,1234,2,10,1,0.100000\n"),
            "{text}"
        );
        t.read(&path, None, &["minimum-first"]).unwrap();
        assert_eq!(t.groups[&("base".into(), 0)][0].counts, vec![4, 20, 2]);
    }
}
