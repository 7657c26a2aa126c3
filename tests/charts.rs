//! Charts and report.html (issue 6): every run draws each chart as a PNG that decodes, has the
//! size its SVG twin declares and is not blank, and as an SVG with text; `kraamsim chart DIR`
//! redraws the same bytes; `--no-charts` draws none (and removes stale ones); a directory that
//! is not an output, or a damaged CSV, is a clear error with exit code 2. The runs are small
//! (summer-shortage with two replications) so that the whole file takes a few seconds.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

#[path = "common/svg.rs"]
mod svg;
use svg::{POLICY_COLOURS, SvgText, has_raw_float, policy_marks, table_cells, texts};

/// The charts every run draws (file stems in `charts/`).
const CHARTS: [&str; 6] = [
    "gap-heatmap",
    "shortfall-heatmap",
    "capacity-demand",
    "policy-comparison",
    "delivered-distribution",
    "lorenz",
];

fn kraamsim() -> Command {
    Command::cargo_bin("kraamsim").expect("the kraamsim binary is built")
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn no_panic() -> impl Predicate<str> {
    predicate::str::contains("panicked").not()
}

/// summer-shortage, two replications, into `out`, with extra flags.
fn run_small(out: &Path, extra: &[&str]) {
    kraamsim()
        .arg("run")
        .arg(scenario("summer-shortage.toml"))
        .arg("--out")
        .arg(out)
        .args(["--replications", "2", "-q"])
        .args(extra)
        .assert()
        .success()
        .stderr(no_panic());
}

/// The files of `charts/` and report.html, by name, with their bytes.
fn chart_files(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.push((
        "report.html".into(),
        fs::read(out.join("report.html")).unwrap(),
    ));
    files.sort();
    files
}

/// A decoded PNG: width, height and RGB(A) pixels.
fn decode_png(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let file = fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{} does not decode as PNG: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{}: not a colour image", path.display());
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// `width="W" height="H"` of an SVG's root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let start = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + svg[start..].find('"').unwrap();
        svg[start..end].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// The text of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            t.get(start..end)
        })
        .collect()
}

/// No temporary files of the chart writer are left in `out`.
fn assert_no_temporaries(out: &Path) {
    let hidden: Vec<String> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".kraamsim-manifest.json")
        .collect();
    assert!(hidden.is_empty(), "temporary files left: {hidden:?}");
}

#[test]
fn run_draws_every_chart_as_png_and_svg_and_a_self_contained_report() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    run_small(&out, &[]);
    for name in CHARTS {
        let png = out.join("charts").join(format!("{name}.png"));
        let svg_path = out.join("charts").join(format!("{name}.svg"));
        let (w, h, pixels) = decode_png(&png);
        let svg = fs::read_to_string(&svg_path).unwrap();
        assert!(
            svg.starts_with("<svg"),
            "{name}.svg does not start with <svg"
        );
        assert!(
            svg.trim_end().ends_with("</svg>"),
            "{name}.svg is not closed"
        );
        assert!(svg.contains("<text"), "{name}.svg has no text");
        for label in svg_texts(&svg) {
            assert!(
                !has_raw_float(label),
                "{name}.svg shows a raw float: `{label}`"
            );
        }
        assert_eq!(
            (w, h),
            svg_size(&svg),
            "{name}: the PNG and the SVG differ in size"
        );
        assert!(
            (900..=4000).contains(&w) && (300..=4000).contains(&h),
            "{name}.png is {w}x{h}"
        );
        // Not blank: many colours, and a good share of the picture is not background.
        let colours: HashSet<[u8; 3]> = pixels.iter().copied().collect();
        let ink = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
        assert!(
            colours.len() >= 20,
            "{name}.png has {} colours",
            colours.len()
        );
        assert!(
            ink * 20 > pixels.len(),
            "{name}.png is nearly blank ({ink} of {} pixels drawn)",
            pixels.len()
        );
    }
    // Fixed-size charts.
    assert_eq!(decode_png(&out.join("charts/capacity-demand.png")).0, 1200);
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        report.matches("src=\"data:image/png;base64,").count(),
        CHARTS.len(),
        "every chart is inline in the report"
    );
    for external in [
        "src=\"http",
        "href=",
        "url(",
        "@import",
        "src=\"/",
        "src=\"charts",
    ] {
        assert!(
            !report.contains(external),
            "report.html refers to `{external}`"
        );
    }
    for text in [
        "summer-shortage",
        "Eemland",
        "below the 24 h minimum",
        "Regions by gap",
        "imagesOk",
        "seed",
        "Tiers: whose hours come first",
        // README: "summary.csv and the report show how many mothers had 1, 2, 3 or 4+ carers".
        "<h2>Carers per family</h2>",
    ] {
        assert!(report.contains(text), "report.html lacks `{text}`");
    }
    // The tier table: minimum-first never gives tier 4 before an early registrant's tier 3.
    let tiers = &report[report.find("id=\"tier-table\"").expect("a tier table")..];
    let row = &tiers[tiers.find("minimum-first").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.ends_with("<td>0<span class=\"ci\"> (0–0)</span></td>") || row.ends_with("<td>0</td>"),
        "{row}"
    );
    assert_no_temporaries(&out);
}

#[test]
fn chart_command_redraws_the_same_bytes() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    run_small(&out, &["--mothers"]);
    let first = chart_files(&out);
    assert_eq!(first.len(), 2 * CHARTS.len() + 1);
    // Over existing charts, and from scratch.
    for remove in [false, true] {
        if remove {
            fs::remove_dir_all(out.join("charts")).unwrap();
            fs::remove_file(out.join("report.html")).unwrap();
        }
        kraamsim()
            .arg("chart")
            .arg(&out)
            .assert()
            .success()
            .stdout(predicate::str::contains("report.html"));
        let again = chart_files(&out);
        assert_eq!(first.len(), again.len());
        for ((name, a), (name2, b)) in first.iter().zip(&again) {
            assert_eq!(name, name2);
            assert!(a == b, "{name} differs when redrawn");
        }
    }
    // With mothers.csv the distribution is per mother.
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("per mother"));
    assert_no_temporaries(&out);
}

#[test]
fn no_charts_draws_none_and_removes_stale_ones() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    run_small(&out, &["--no-charts"]);
    assert!(out.join("run.json").exists());
    assert!(!out.join("charts").exists() && !out.join("report.html").exists());
    // Charts of an earlier run would not match the new CSV files: they go.
    kraamsim().arg("chart").arg(&out).assert().success();
    assert!(out.join("charts").exists() && out.join("report.html").exists());
    run_small(&out, &["--no-charts", "--seed", "7", "--force"]);
    assert!(!out.join("charts").exists() && !out.join("report.html").exists());
}

#[test]
fn chart_refuses_a_directory_that_is_not_an_output() {
    let tmp = TempDir::new().unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    kraamsim().arg("chart").arg(&empty).assert().code(2).stderr(
        predicate::str::contains("not a kraamsim output directory")
            .and(predicate::str::contains("run.json"))
            .and(no_panic()),
    );
    assert!(!empty.join("charts").exists());
    kraamsim()
        .arg("chart")
        .arg(tmp.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such directory").and(no_panic()));
}

#[test]
fn chart_names_the_file_line_and_column_of_a_malformed_csv() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    run_small(&out, &["--no-charts"]);
    let weekly = fs::read_to_string(out.join("weekly.csv")).unwrap();
    let cases: [(&str, String, &[&str]); 4] = [
        (
            "weekly.csv",
            // Line 3, column 8 (demand_hours) is not a number.
            {
                let mut lines: Vec<String> = weekly.lines().map(String::from).collect();
                let mut fields: Vec<&str> = lines[2].split(',').collect();
                fields[7] = "lots";
                lines[2] = fields.join(",");
                lines.join("\n") + "\n"
            },
            &["weekly.csv", "line 3", "column 8", "demand_hours", "`lots`"],
        ),
        (
            "weekly.csv",
            weekly.replacen("week_start", "week", 1),
            &["weekly.csv", "missing column `week_start`"],
        ),
        (
            "weekly.csv",
            weekly.replacen("\n", "\nbase,minimum-first,0\n", 1),
            &["weekly.csv", "line 2", "3 fields"],
        ),
        (
            "summary.csv",
            String::from("variant,policy\n"),
            &["summary.csv", "missing column `replication`"],
        ),
    ];
    for (file, text, expected) in cases {
        let original = fs::read(out.join(file)).unwrap();
        fs::write(out.join(file), text).unwrap();
        let mut check = predicate::str::contains("panicked").not().boxed();
        for e in expected {
            check = check.and(predicate::str::contains(*e)).boxed();
        }
        kraamsim()
            .arg("chart")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(check);
        fs::write(out.join(file), original).unwrap();
        assert!(
            !out.join("charts").exists(),
            "charts drawn from a bad {file}"
        );
        assert_no_temporaries(&out);
    }
    let meta = fs::read_to_string(out.join("run.json")).unwrap();
    fs::write(
        out.join("run.json"),
        meta.replace("\"interrupted\": false", "\"interrupted\": true"),
    )
    .unwrap();
    kraamsim()
        .arg("chart")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("interrupted").and(no_panic()));
    fs::write(out.join("run.json"), "{ not json").unwrap();
    kraamsim()
        .arg("chart")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run.json").and(predicate::str::contains("JSON")));
}

#[test]
fn a_merged_sweep_gets_charts_and_shards_do_not() {
    let tmp = TempDir::new().unwrap();
    let mut shards = Vec::new();
    for i in 0..2 {
        let dir = tmp.path().join(format!("shard{i}"));
        kraamsim()
            .arg("sweep")
            .arg(scenario("capacity-sweep.toml"))
            .arg("--out")
            .arg(&dir)
            .args(["--replications", "1", "-q", "--shard", &format!("{i}/2")])
            .assert()
            .success();
        assert!(!dir.join("charts").exists(), "a shard drew charts");
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    kraamsim()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    for name in CHARTS {
        assert!(merged.join("charts").join(format!("{name}.png")).exists());
    }
    let report = fs::read_to_string(merged.join("report.html")).unwrap();
    // Sweep variants are labelled with what they set, and listed.
    assert!(report.contains("v000 (0.8, provider) minimum-first"));
    assert!(report.contains("<h2>Variants</h2>"));
}

/// The workforce sweep of tests/workforce.rs (two variants: today's contracts and every
/// provider A with twice the training) with fewer carers, so that there is a gap to draw.
fn workforce_sweep() -> String {
    include_str!("scenarios/workforce-sweep.toml")
        .replace("carers = 110", "carers = 60")
        .replace("carers = 70", "carers = 40")
}

/// The charts drawn only from several years of yearly.csv.
const YEARLY_CHARTS: [&str; 2] = ["workforce", "yearly-below-minimum"];

#[test]
fn a_multi_year_workforce_sweep_draws_the_yearly_charts_the_same_every_time() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("wf.toml");
    fs::write(&file, workforce_sweep()).unwrap();
    let sweep = |out: &Path| {
        kraamsim()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(out)
            .arg("-q")
            .assert()
            .success()
            .stderr(no_panic());
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    sweep(&a);
    sweep(&b);
    for name in YEARLY_CHARTS {
        let png = a.join("charts").join(format!("{name}.png"));
        let (w, h, pixels) = decode_png(&png);
        let svg = fs::read_to_string(a.join("charts").join(format!("{name}.svg"))).unwrap();
        assert_eq!((w, h), svg_size(&svg), "{name}: PNG and SVG differ in size");
        let colours: HashSet<[u8; 3]> = pixels.iter().copied().collect();
        let ink = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
        assert!(
            colours.len() >= 20,
            "{name}.png has {} colours",
            colours.len()
        );
        assert!(ink * 20 > pixels.len(), "{name}.png is nearly blank");
        // Every year on the x axis; the variants in the titles or the legend.
        for text in ["2027", "2028", "2029", "v000", "v001"] {
            assert!(svg.contains(text), "{name}.svg lacks `{text}`");
        }
    }
    let workforce = fs::read_to_string(a.join("charts/workforce.svg")).unwrap();
    for text in ["stayed", "trained", "hired", "FTE on 31 December", "±"] {
        assert!(workforce.contains(text), "workforce.svg lacks `{text}`");
    }
    // Two runs give the same charts (report.html differs: it shows run.json's wall time and
    // paths), and a redraw the same charts and report.
    let first = chart_files(&a);
    assert_eq!(first.len(), 2 * (CHARTS.len() + YEARLY_CHARTS.len()) + 1);
    for ((name, x), (_, y)) in first.iter().zip(&chart_files(&b)) {
        assert!(
            name == "report.html" || x == y,
            "two runs drew different {name}"
        );
    }
    kraamsim().arg("chart").arg(&a).assert().success();
    assert!(
        first == chart_files(&a),
        "kraamsim chart drew different bytes"
    );
    // The report's workforce section: both charts and the years × variants table.
    let report = fs::read_to_string(a.join("report.html")).unwrap();
    assert_eq!(
        report.matches("src=\"data:image/png;base64,").count(),
        CHARTS.len() + YEARLY_CHARTS.len()
    );
    let section = &report[report
        .find("Workforce over the years")
        .expect("a workforce section")..];
    assert!(
        section.contains("id=\"workforce\"") && section.contains("id=\"yearly-below-minimum\"")
    );
    let table = &section[section.find("yearly-below-minimum-table").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr>").count(),
        1 + 3,
        "a header and a row per year"
    );
    assert!(table.contains("v001 (0.1, A) minimum-first"), "{table}");
    assert_eq!(
        table.matches("<span class=\"ci\">").count(),
        3 * 2,
        "an interval per cell"
    );
}

#[test]
fn a_single_year_or_a_fixed_workforce_draws_no_workforce_chart() {
    let tmp = TempDir::new().unwrap();
    // One year (summer-shortage): neither yearly chart, and no workforce section.
    let out = tmp.path().join("one-year");
    run_small(&out, &[]);
    for name in YEARLY_CHARTS {
        assert!(
            !out.join("charts").join(format!("{name}.png")).exists(),
            "{name} drawn"
        );
    }
    assert!(
        !fs::read_to_string(out.join("report.html"))
            .unwrap()
            .contains("Workforce over the years")
    );
    // Three years of the same carers: the share below the minimum per year, but no chart of
    // where the carers came from (they all stayed).
    let file = tmp.path().join("fixed.toml");
    fs::write(
        &file,
        workforce_sweep()
            .replace("dynamic = true", "dynamic = false")
            .replace("hired_per_year = 5", ""),
    )
    .unwrap();
    let out = tmp.path().join("fixed");
    kraamsim()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    assert!(out.join("charts/yearly-below-minimum.png").exists());
    assert!(!out.join("charts/workforce.png").exists());
    assert!(!out.join("charts/workforce.svg").exists());
}

// ---------------------------------------------------------------------------------------------
// Issue 25 item 8: one colour per policy, tick labels that do not collide, captions that say
// what the rows are, labels drawn as written.

/// The width of a tick label at the charts' nominal 14 px per em (wider than either the PNG's
/// or the SVG's rendering): DejaVu Sans advances of digits, point and percent sign.
fn tick_label_width(text: &str) -> f64 {
    // Advances in DejaVu Sans' font units (2048 an em).
    text.chars()
        .map(|c| match c {
            '0'..='9' => 1303.0,
            '.' => 651.0,
            '%' => 1946.0,
            _ => 1434.0,
        })
        .sum::<f64>()
        / 2048.0
        * 14.0
}

/// policy-comparison, two replications, into `out`.
fn policy_comparison(out: &Path) {
    kraamsim()
        .arg("run")
        .arg(scenario("policy-comparison.toml"))
        .arg("--out")
        .arg(out)
        .args(["--replications", "2", "-q"])
        .assert()
        .success()
        .stderr(no_panic());
}

#[test]
fn every_chart_draws_a_policy_in_its_own_colour_and_tick_labels_do_not_collide() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("pc");
    policy_comparison(&out);
    let charts = [
        "lorenz",
        "policy-comparison",
        "capacity-demand",
        "delivered-distribution",
        "gap-heatmap",
        "shortfall-heatmap",
    ];
    let found = policy_marks(&out, &charts);
    for chart in charts {
        for (policy, colour) in POLICY_COLOURS {
            let marks: Vec<&(String, String, String)> = found
                .iter()
                .filter(|(c, p, _)| c == chart && p == policy)
                .collect();
            assert!(!marks.is_empty(), "{chart}: no mark beside {policy}");
            for (_, _, c) in marks {
                assert_eq!(c, colour, "{chart}: {policy} drawn in {c}, not {colour}");
            }
        }
    }

    // The x tick labels of the four panels: centred on their ticks, on one row; the boxes of
    // neighbours (in particular the last of a panel and the first of the next) must not
    // overlap ("10%0%").
    let svg = fs::read_to_string(out.join("charts/policy-comparison.svg")).unwrap();
    let mut ticks: Vec<SvgText> = texts(&svg)
        .into_iter()
        .filter(|t| {
            t.anchor == "middle"
                && t.text.ends_with('%')
                && t.text[..t.text.len() - 1].parse::<f64>().is_ok()
        })
        .collect();
    let row = ticks.iter().map(|t| t.y as i64).max().unwrap();
    ticks.retain(|t| t.y as i64 == row);
    ticks.sort_by(|a, b| a.x.total_cmp(&b.x));
    assert!(ticks.len() >= 12, "four panels of ticks: {ticks:?}");
    for pair in ticks.windows(2) {
        let right = pair[0].x + tick_label_width(&pair[0].text) / 2.0;
        let left = pair[1].x - tick_label_width(&pair[1].text) / 2.0;
        assert!(
            right < left,
            "tick labels `{}` at {} and `{}` at {} overlap",
            pair[0].text,
            pair[0].x,
            pair[1].text,
            pair[1].x
        );
    }

    // Heatmaps with a row per policy say so, and do not promise the worst regions on top.
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    for id in ["gap-heatmap", "shortfall-heatmap"] {
        let start = report.find(&format!("<figure id=\"{id}\"")).unwrap();
        let caption = &report[start..start + report[start..].find("</figure>").unwrap()];
        assert!(caption.contains("by policy (in the scenario"), "{caption}");
        assert!(!caption.contains("worst regions"), "{caption}");
    }
}

/// A region's name is one text as written in the heatmap's SVG ("Friesland 2", not split),
/// and the region heatmap's caption says its worst regions are on top.
#[test]
fn region_labels_are_drawn_as_written() {
    let dir = TempDir::new().unwrap();
    let text = fs::read_to_string(scenario("summer-shortage.toml"))
        .unwrap()
        .replace("\"Eemland\"", "\"Friesland 2\"");
    let file = dir.path().join("friesland.toml");
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    kraamsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--replications", "1", "-q"])
        .assert()
        .success();
    for chart in ["gap-heatmap", "shortfall-heatmap"] {
        let svg = fs::read_to_string(out.join("charts").join(format!("{chart}.svg"))).unwrap();
        let labels: Vec<String> = texts(&svg).into_iter().map(|t| t.text).collect();
        assert!(
            labels.iter().any(|l| l == "Friesland 2"),
            "{chart}: {labels:?}"
        );
    }
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("worst regions at the top"));
}

// ---------------------------------------------------------------------------------------------
// Issue 25 items 8 (sweep headline) and 9 (the report's parameters in words).

/// The rows of the report's "Scenario and run" table, as (name, value).
fn parameter_rows(report: &str) -> Vec<(String, String)> {
    let start = report
        .find("<table id=\"parameters\">")
        .expect("a parameters table");
    let table = &report[start..start + report[start..].find("</table>").unwrap()];
    table
        .split("<tr><th class=\"name\">")
        .skip(1)
        .map(|row| {
            let (name, rest) = row.split_once("</th><td class=\"name\">").unwrap();
            let value = rest.split("</td>").next().unwrap();
            (name.to_string(), value.to_string())
        })
        .collect()
}

#[test]
fn the_report_shows_the_scenario_in_words_and_rounded_figures() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("pc");
    policy_comparison(&out);
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    for cell in table_cells(&report) {
        assert!(!has_raw_float(&cell), "a raw float in a table cell: {cell}");
    }
    let rows = parameter_rows(&report);
    let value = |name: &str| -> &str {
        &rows
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no row `{name}`: {rows:?}"))
            .1
    };
    assert_eq!(value("regions"), "1: Eemland");
    assert_eq!(value("providers"), "2");
    assert!(value("carers").starts_with("137 employed"), "{rows:?}");
    assert!(value("births").starts_with("2,000 a year"), "{rows:?}");
    assert!(value("capacity scope").starts_with("region"), "{rows:?}");
    assert!(value("period").starts_with("2027-01-01 to 2027-12-31 (365 days)"));
    assert_eq!(value("replications"), "2");
    assert!(value("run time").contains(" s"), "{rows:?}");
    assert!(value("policies").starts_with("minimum-first, refuse-when-full"));

    // run.json stays exact; a field it lacks reads "—", and one it gains is shown rounded.
    let meta_path = out.join("run.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&meta_path).unwrap()).unwrap();
    let map = meta.as_object_mut().unwrap();
    map.remove("threads");
    map.insert(
        "queue_seconds".into(),
        serde_json::json!(2549155.7803904894),
    );
    let edited = serde_json::to_string_pretty(&meta).unwrap();
    fs::write(&meta_path, &edited).unwrap();
    kraamsim().arg("chart").arg(&out).assert().success();
    assert_eq!(fs::read_to_string(&meta_path).unwrap(), edited);
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    let rows = parameter_rows(&report);
    assert!(rows.contains(&("threads".into(), "—".into())), "{rows:?}");
    assert!(
        rows.contains(&("queue seconds".into(), "2,549,155.78".into())),
        "{rows:?}"
    );
}

/// A sweep's headline is the scenario as written: the variant with the file's own values
/// (capacity-sweep: capacity factor 1.0 and provider scope, v002), not v000; when the file's
/// values are not a variant, every variant is the headline and the report says why.
#[test]
fn a_sweep_headline_is_the_scenario_as_written() {
    let dir = TempDir::new().unwrap();
    let sweep = |file: &Path, out: &Path| {
        kraamsim()
            .arg("sweep")
            .arg(file)
            .arg("--out")
            .arg(out)
            .args(["--replications", "1", "-q"])
            .assert()
            .success()
            .stderr(no_panic());
        fs::read_to_string(out.join("report.html")).unwrap()
    };
    let report = sweep(&scenario("capacity-sweep.toml"), &dir.path().join("a"));
    assert!(
        report.contains("<h2>Headline: v002 (1.0, provider) minimum-first</h2>"),
        "{}",
        &report[report.find("<h2>Headline").unwrap()..][..300]
    );
    assert!(report.contains("carers.capacity_factor = 1.0, policy.scope = provider"));

    let text = fs::read_to_string(scenario("capacity-sweep.toml"))
        .unwrap()
        .replace(
            "\"carers.capacity_factor\" = [0.8, 1.0, 1.2]",
            "\"carers.capacity_factor\" = [0.8, 1.2]",
        );
    let file = dir.path().join("no-base.toml");
    fs::write(&file, text).unwrap();
    let report = sweep(&file, &dir.path().join("b"));
    assert!(report.contains("<h2>Headline: every variant</h2>"));
    assert!(report.contains("are not one of the variants"));
    assert!(report.contains("<table id=\"headline-table\">"));
}
