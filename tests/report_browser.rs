//! report.html in a real headless browser (Debian's chromium): it loads with no console
//! message (the report logs nothing, so any message is an error), every image loads and
//! decodes (the page's own check, `<body data-images-ok="true">`, read with `--dump-dom`), and
//! a screenshot is not blank. The same checks run on a deliberately broken copy (one corrupt
//! image, one script error) and must fail there, so a passing test means something.
//!
//! A second test looks at the reports of four kinds of output (the baseline, the policy
//! comparison, a sweep and a forecast) as a reader does: no table cell of the rendered page
//! has a raw float (a number with more than three decimals), each policy has one colour in
//! every chart of a report (the mark beside its label in the charts' SVGs, which the PNGs in
//! the page are drawn with), and a screenshot of each is kept in
//! `target/test-artefacts/report-browser/` for a person to look at.
//!
//! Needs `/usr/bin/chromium` (or `chromium` on PATH), which `.ci/run` installs; elsewhere
//! `build.rs` marks the test ignored with the reason (a plain `cargo test` prints `ignored,
//! chromium not installed ...`), unless KRAAMSIM_REQUIRE_ALL_TESTS is set, which runs it and
//! turns the missing browser into a failure.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/svg.rs"]
mod svg;

/// Debian's chromium, or `None` (a skip, with the reason printed) where it is not installed;
/// under KRAAMSIM_REQUIRE_ALL_TESTS (`.ci/run`) a missing chromium fails instead.
fn chromium_or_skip() -> Option<PathBuf> {
    let bin = find_chromium();
    if bin.is_none() {
        let reason = "browser test skipped: chromium not installed (apt-get install chromium)";
        assert!(
            std::env::var_os("KRAAMSIM_REQUIRE_ALL_TESTS").is_none(),
            "{reason}, and KRAAMSIM_REQUIRE_ALL_TESTS is set"
        );
        eprintln!("{reason}");
    }
    bin
}

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    ["/usr/bin/chromium".to_string()]
        .into_iter()
        .map(PathBuf::from)
        .chain(path.split(':').map(|d| Path::new(d).join("chromium")))
        .find(|p| p.is_file())
}

/// What the browser saw of a page.
struct Seen {
    /// The DOM after load (`--dump-dom`).
    dom: String,
    /// Console messages from chromium's log.
    console: Vec<String>,
    /// Distinct colours and non-white share of a screenshot.
    screenshot_colours: usize,
    screenshot_ink: f64,
}

/// Runs chromium headless with `args` and `page`, writing stdout and stderr to files in
/// `work`; kills it (this process only) after two minutes.
fn chromium(bin: &Path, work: &Path, tag: &str, args: &[String], page: &Path) -> (String, String) {
    let profile = work.join(format!("profile-{tag}"));
    fs::create_dir_all(&profile).unwrap();
    let stdout = work.join(format!("{tag}.out"));
    let stderr = work.join(format!("{tag}.err"));
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout).unwrap())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium ({tag}) did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let err = fs::read_to_string(&stderr).unwrap_or_default();
    assert!(status.success(), "chromium ({tag}) failed: {status}\n{err}");
    (fs::read_to_string(&stdout).unwrap_or_default(), err)
}

/// Loads `page` twice: once for the DOM and the console log, once for a screenshot.
fn look_at(bin: &Path, work: &Path, tag: &str, page: &Path) -> Seen {
    let (dom, log) = chromium(
        bin,
        work,
        &format!("{tag}-dom"),
        &[
            "--enable-logging=stderr".into(),
            "--v=0".into(),
            "--dump-dom".into(),
        ],
        page,
    );
    // chromium logs every console message of the page as `...:CONSOLE(line)] "text", source: ...`
    // (newer versions `:CONSOLE:line]`), whatever its level.
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    let shot = work.join(format!("{tag}.png"));
    chromium(
        bin,
        work,
        &format!("{tag}-shot"),
        &[
            "--window-size=1320,2400".into(),
            format!("--screenshot={}", shot.display()),
        ],
        page,
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        fs::File::open(&shot).expect("chromium wrote the screenshot"),
    ));
    let mut reader = decoder.read_info().expect("the screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let colours: HashSet<[u8; 3]> = pixels.iter().copied().collect();
    let ink = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
    Seen {
        dom,
        console,
        screenshot_colours: colours.len(),
        screenshot_ink: ink as f64 / pixels.len().max(1) as f64,
    }
}

/// What is wrong with a page, empty when nothing is.
fn problems(seen: &Seen, images: usize) -> Vec<String> {
    let mut out = Vec::new();
    if !seen.console.is_empty() {
        out.push(format!("console messages: {:?}", seen.console));
    }
    if !seen.dom.contains("data-images-ok=\"true\"") {
        out.push("not every image rendered (data-images-ok is not \"true\")".into());
    }
    if !seen.dom.contains(&format!("data-images=\"{images}\"")) {
        out.push(format!("the page does not have {images} images"));
    }
    if seen.screenshot_colours < 50 || seen.screenshot_ink < 0.05 {
        out.push(format!(
            "the screenshot looks blank ({} colours, {:.1}% drawn)",
            seen.screenshot_colours,
            100.0 * seen.screenshot_ink
        ));
    }
    out
}

#[test]
#[cfg_attr(
    kraamsim_without_chromium,
    ignore = "chromium not installed (apt-get install chromium; then cargo test again)"
)]
fn report_renders_in_headless_chromium() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_kraamsim"))
        .arg("run")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/summer-shortage.toml"))
        .arg("--out")
        .arg(&out)
        .args(["--replications", "2", "-q"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let report = out.join("report.html");
    let html = fs::read_to_string(&report).unwrap();
    let images = html.matches("<img ").count();
    // The five charts of every run and the Lorenz curve (lorenz.csv).
    assert_eq!(images, 6);

    let seen = look_at(&bin, work.path(), "report", &report);
    let found = problems(&seen, images);
    assert!(found.is_empty(), "report.html in chromium: {found:#?}");

    // The checks must catch a broken page: a corrupt image and a script error.
    let broken = work.path().join("broken.html");
    fs::write(
        &broken,
        html.replacen("base64,iVBOR", "base64,AAAAiVBOR", 1)
            .replacen(
                "<script>",
                "<script>no_such_function();</script><script>",
                1,
            ),
    )
    .unwrap();
    let seen = look_at(&bin, work.path(), "broken", &broken);
    let found = problems(&seen, images);
    assert!(
        found.iter().any(|p| p.contains("console")),
        "a script error went unnoticed: {found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("image")),
        "a corrupt image went unnoticed: {found:?}"
    );
}

/// Where the screenshots of [`reports_show_rounded_tables_and_one_colour_per_policy`] are
/// kept: `target/test-artefacts/report-browser/` (or under CARGO_TARGET_DIR).
fn artefact_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("test-artefacts").join("report-browser");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `kraamsim ARGS --out OUT -q`; asserts success.
fn kraamsim(args: &[&str], out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_kraamsim"))
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "kraamsim {args:?} failed");
}

#[test]
#[cfg_attr(
    kraamsim_without_chromium,
    ignore = "chromium not installed (apt-get install chromium; then cargo test again)"
)]
fn reports_show_rounded_tables_and_one_colour_per_policy() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let artefacts = artefact_dir();
    let outputs: [(&str, &[&str]); 4] = [
        ("baseline", &["run", "--replications", "2"]),
        (
            "policy-comparison",
            &[
                "run",
                "scenarios/policy-comparison.toml",
                "--replications",
                "2",
            ],
        ),
        (
            "sweep",
            &[
                "sweep",
                "scenarios/capacity-sweep.toml",
                "--replications",
                "1",
            ],
        ),
        (
            "forecast",
            &[
                "forecast",
                "scenarios/ksv-forecast/ksv-forecast.toml",
                "--replications",
                "20",
            ],
        ),
    ];
    for (name, args) in outputs {
        kraamsim(args, &work.path().join(name));
    }
    // Each report in chromium on a thread of its own (chromium mostly waits).
    let doms: Vec<(&str, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = outputs
            .iter()
            .map(|(name, _)| {
                let (bin, work, artefacts) = (&bin, work.path(), &artefacts);
                scope.spawn(move || {
                    let page = work.join(name).join("report.html");
                    let (dom, _) = chromium(
                        bin,
                        work,
                        &format!("{name}-dom"),
                        &["--dump-dom".into()],
                        &page,
                    );
                    let shot = artefacts.join(format!("{name}.png"));
                    let _ = fs::remove_file(&shot);
                    chromium(
                        bin,
                        work,
                        &format!("{name}-shot"),
                        &[
                            "--window-size=1320,2400".into(),
                            format!("--screenshot={}", shot.display()),
                        ],
                        &page,
                    );
                    let bytes =
                        fs::read(&shot).unwrap_or_else(|e| panic!("{name}: no screenshot: {e}"));
                    assert!(
                        bytes.starts_with(b"\x89PNG"),
                        "{name}: the screenshot is not a PNG"
                    );
                    (*name, dom)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (name, dom) in &doms {
        let cells = svg::table_cells(dom);
        assert!(cells.len() > 20, "{name}: the report has tables");
        let raw: Vec<&String> = cells.iter().filter(|c| svg::has_raw_float(c)).collect();
        assert!(raw.is_empty(), "{name}: raw floats in table cells: {raw:?}");

        // The charts of the page, by their figure ids, read from their SVG twins.
        let out = work.path().join(name);
        let charts: Vec<&str> = dom
            .split("<figure id=\"")
            .skip(1)
            .filter_map(|f| f.split('"').next())
            .filter(|id| out.join("charts").join(format!("{id}.svg")).is_file())
            .collect();
        assert!(!charts.is_empty(), "{name}: no charts in the page");
        let marks = svg::policy_marks(&out, &charts);
        if *name != "forecast" {
            assert!(
                marks.iter().map(|m| &m.0).collect::<HashSet<_>>().len() >= 3,
                "{name}: policies marked in at least three charts: {marks:?}"
            );
        }
        for (policy, colour) in svg::POLICY_COLOURS {
            let wrong: Vec<_> = marks
                .iter()
                .filter(|m| m.1 == policy && m.2 != colour)
                .collect();
            assert!(
                wrong.is_empty(),
                "{name}: {policy} is {colour} in some charts but not in {wrong:?}"
            );
        }
    }
}
