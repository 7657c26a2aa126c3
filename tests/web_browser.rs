//! The web app (`kraamsim serve`, docs/web.md) in a real headless browser: Playwright for
//! Python drives Debian's chromium through `tests/web/browser.py`, which uploads the shipped
//! ksv-forecast files and finds the fan chart and the weeks-at-risk table, runs the baseline
//! scenario with a changed capacity factor and finds the headline figures, and uploads a
//! broken roster and finds the error with its row and column. Any console error fails it.
//! Screenshots are kept in `target/test-artefacts/web-browser/`.
//!
//! Needs `/usr/bin/chromium` and the Python package `playwright` (`pip install playwright`; its
//! own browser download is not needed), which `.ci/run` installs. Where either is missing,
//! `build.rs` marks the test ignored with the reason, unless KRAAMSIM_REQUIRE_ALL_TESTS is
//! set, which runs it and turns the missing package into a failure.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Debian's chromium and a Python with Playwright, or `None` (a skip, with the reason printed);
/// under KRAAMSIM_REQUIRE_ALL_TESTS (`.ci/run`) a missing one fails instead.
fn browser_driver_or_skip() -> Option<PathBuf> {
    let chromium = Path::new("/usr/bin/chromium");
    let playwright = Command::new(python())
        .args(["-c", "import playwright.sync_api"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let reason = if !chromium.is_file() {
        "web browser test skipped: chromium not installed (apt-get install chromium)"
    } else if !playwright {
        "web browser test skipped: the Python package playwright is not installed (pip install playwright)"
    } else {
        return Some(chromium.to_path_buf());
    };
    assert!(
        std::env::var_os("KRAAMSIM_REQUIRE_ALL_TESTS").is_none(),
        "{reason}, and KRAAMSIM_REQUIRE_ALL_TESTS is set"
    );
    eprintln!("{reason}");
    None
}

fn python() -> String {
    std::env::var("KRAAMSIM_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// A running `kraamsim serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(workdir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kraamsim"))
            .args(["serve", "--port", "0", "--workdir"])
            .arg(workdir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start kraamsim serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .expect("read the server's first line");
        let url = first
            .trim()
            .strip_prefix("kraamsim serving on ")
            .unwrap_or_else(|| panic!("unexpected first line from serve: {first:?}"))
            .to_string();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shipped roster with a contract that is not a number on its third carer (line 4).
fn broken_roster(dir: &Path) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let roster = fs::read_to_string(manifest.join("scenarios/ksv-forecast/roster.csv")).unwrap();
    let broken: Vec<String> = roster
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i != 3 {
                return line.to_string();
            }
            let mut cells: Vec<&str> = line.split(',').collect();
            cells[3] = "lots";
            cells.join(",")
        })
        .collect();
    let path = dir.join("broken-roster.csv");
    fs::write(&path, broken.join("\n") + "\n").unwrap();
    path
}

#[test]
#[cfg_attr(
    kraamsim_without_browser_driver,
    ignore = "chromium or the Python package playwright not installed (apt-get install chromium; pip install playwright; then cargo test again)"
)]
fn coordinator_and_analyst_pages_work_in_headless_chromium() {
    let Some(chromium) = browser_driver_or_skip() else {
        return;
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(&work.path().join("serve"));
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "serve binds to loopback by default, printed {}",
        server.url
    );
    let shots = manifest.join("target/test-artefacts/web-browser");
    let broken = broken_roster(work.path());
    let out = Command::new(python())
        .arg(manifest.join("tests/web/browser.py"))
        .arg(&server.url)
        .arg(&shots)
        .arg(manifest.join("scenarios/ksv-forecast"))
        .arg(&broken)
        .env("KRAAMSIM_CHROMIUM", &chromium)
        .output()
        .expect("run python3 tests/web/browser.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser steps failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all browser steps passed"), "{stdout}");
    for shot in [
        "web-forecast.png",
        "web-scenario.png",
        "web-broken-roster.png",
    ] {
        let len = fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(
            len > 10_000,
            "screenshot {shot} missing or blank ({len} bytes)"
        );
    }
}
