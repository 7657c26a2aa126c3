//! `kraamsim serve` end to end, without a browser: the binary is started on a free port with
//! its own workdir, and the tests talk HTTP to it as a browser would (forms posted as
//! multipart, redirects to the run's page, the run's status polled). What they check: the
//! loopback default, the upload limit, path traversal, errors shown next to their field,
//! results matching the command line byte for byte, two runs at once, cancel, a clean exit
//! on SIGTERM, and README's promises: a run's zip reruns on the command line, the pages
//! refer to nothing outside the app, and the scenario page's levers reach the run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A running `kraamsim serve`; killed when dropped (a test that passed stopped it itself).
struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    url: String,
    /// The workdir (`--workdir`), inside `_tmp`.
    workdir: PathBuf,
    _tmp: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> (Server, Vec<String>) {
    let tmp = TempDir::new().unwrap();
    let workdir = tmp.path().join("work");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kraamsim"))
        .args(["serve", "--port", "0", "--workdir"])
        .arg(&workdir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kraamsim serve starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("kraamsim serving on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_string();
    // What it said on stderr before listening (the --bind warning), without waiting for more.
    let mut stderr_lines = Vec::new();
    if !extra.is_empty() {
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        stderr_lines.push(line);
    }
    (
        Server {
            child,
            url,
            workdir,
            _tmp: tmp,
        },
        stderr_lines,
    )
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .into()
}

/// A multipart form: text fields and files (field, file name, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "kraamsim-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    for (name, file, bytes) in files {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a form; (status, Location header, body).
fn post(
    server: &Server,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (u16, String, String) {
    let (content_type, body) = multipart(fields, files);
    let mut resp = agent()
        .post(format!("{}{}", server.url, path.trim_start_matches('/')))
        .header("Content-Type", &content_type)
        .send(&body[..])
        .unwrap();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, location, text)
}

fn get(server: &Server, path: &str) -> (u16, String) {
    let mut resp = agent()
        .get(format!("{}{}", server.url, path.trim_start_matches('/')))
        .call()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

/// The status line of a request sent byte for byte as written (no client normalizes the
/// path first).
fn raw_status(server: &Server, path: &str) -> u16 {
    let addr = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let response = String::from_utf8_lossy(&bytes);
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status for {path}: {response:?}"))
}

/// Waits until the run at `location` (`/runs/ID`) is no longer running; its final status.
fn wait(server: &Server, location: &str) -> String {
    let started = Instant::now();
    loop {
        let (code, body) = get(server, &format!("{location}/status"));
        assert_eq!(code, 200, "{body}");
        if !body.contains("\"running\"") {
            let status = body.split("\"status\":\"").nth(1).unwrap();
            return status.split('"').next().unwrap().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run {location} still running after 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn run_dir(server: &Server, location: &str) -> PathBuf {
    server
        .workdir
        .join("runs")
        .join(location.trim_start_matches("/runs/"))
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/ksv-forecast")
            .join(name),
    )
    .unwrap()
}

/// Posts a form to `path` that starts a run and waits until the run is done: its page.
fn finished_run(
    server: &Server,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> String {
    let (code, location, body) = post(server, path, fields, files);
    assert_eq!(code, 303, "{path}: {body}");
    assert_eq!(wait(server, &location), "done", "{location}");
    location
}

/// A finished forecast of the shipped example files (3 May 2027, per provider) over `weeks`.
fn example_forecast(server: &Server, weeks: &str) -> String {
    finished_run(
        server,
        "/forecast",
        &[
            ("as_of", "2027-05-03"),
            ("weeks", weeks),
            ("scope", "provider"),
        ],
        &[
            ("bookings", "bookings.csv", &example("bookings.csv")),
            ("roster", "roster.csv", &example("roster.csv")),
        ],
    )
}

/// `kraamsim run` of `scenario` with `--seed`, into a new directory; its stats.csv.
fn cli_stats(scenario: &Path, seed: &str, out: &Path) -> Vec<u8> {
    let status = Command::new(env!("CARGO_BIN_EXE_kraamsim"))
        .arg("run")
        .arg(scenario)
        .args(["--seed", seed, "--no-charts", "-q", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(out.join("stats.csv")).unwrap()
}

#[test]
fn it_listens_on_loopback_unless_told_and_then_warns() {
    let (server, _) = start(&[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "default address: {}",
        server.url
    );
    let (code, body) = get(&server, "/");
    assert_eq!(code, 200);
    assert!(body.contains("href=\"/forecast\"") && body.contains("href=\"/scenario\""));
    let (other, stderr) = start(&["--bind", "0.0.0.0"]);
    assert!(other.url.starts_with("http://0.0.0.0:"), "{}", other.url);
    assert!(
        stderr[0].starts_with("warning: serving on 0.0.0.0"),
        "{stderr:?}"
    );
}

#[test]
fn an_upload_over_the_limit_is_refused_with_413() {
    let (server, _) = start(&[]);
    let big = vec![b'x'; 6 << 20];
    let (code, _, body) = post(
        &server,
        "/forecast",
        &[],
        &[("bookings", "bookings.csv", &big)],
    );
    assert_eq!(code, 413);
    assert!(body.contains("too large"), "{body}");
    assert_eq!(
        std::fs::read_dir(server.workdir.join("runs"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn paths_from_the_client_never_reach_the_disk() {
    let (server, _) = start(&[]);
    for path in [
        "/runs/../../etc/passwd",
        "/runs/%2e%2e/%2e%2e/etc/passwd",
        "/runs/..%2f..%2fetc%2fpasswd",
        "/download/..%2f..",
        "/runs/%2e%2e/files/charts/passwd",
        "/runs/x/recipe/..%2f..%2f..%2fetc%2fpasswd",
        "/forecast/example/..%2f..%2fCargo.toml",
    ] {
        let code = raw_status(&server, path);
        assert!((400..500).contains(&code), "{path}: {code}");
    }
    // A run's files are served by name from its own directory only.
    let location = finished_run(
        &server,
        "/scenario",
        &[
            ("scenario", "baseline"),
            ("replications", "1"),
            ("policy", "minimum-first"),
        ],
        &[],
    );
    for path in [
        format!("{location}/files/charts/..%2f..%2fscenario.toml"),
        format!("{location}/files/..%2f/stats.csv"),
        format!("{location}/recipe/..%2fscenario.toml"),
    ] {
        let code = raw_status(&server, &path);
        assert!((400..500).contains(&code), "{path}: {code}");
    }
    assert_eq!(
        raw_status(&server, &format!("{location}/files/charts/lorenz.png")),
        200
    );
    // An upload whose file name is a path is refused, and nothing is written for it.
    let before = std::fs::read_dir(server.workdir.join("runs"))
        .unwrap()
        .count();
    let (code, _, _) = post(
        &server,
        "/forecast",
        &[("as_of", "2027-05-03")],
        &[
            ("bookings", "../../x", &example("bookings.csv")),
            ("roster", "roster.csv", &example("roster.csv")),
        ],
    );
    assert_eq!(code, 400);
    assert_eq!(
        std::fs::read_dir(server.workdir.join("runs"))
            .unwrap()
            .count(),
        before
    );
    assert!(!server.workdir.parent().unwrap().join("x").exists());
    assert!(!server.workdir.join("x").exists());
}

#[test]
fn a_broken_roster_shows_its_row_and_column_next_to_the_field() {
    let (server, _) = start(&[]);
    let roster = String::from_utf8(example("roster.csv")).unwrap();
    // Row 3 (the header is row 1) gets a date that does not exist.
    let broken: Vec<String> = roster
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 2 {
                l.replacen("2027-07-", "2027-13-", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    let (code, _, body) = post(
        &server,
        "/forecast",
        &[
            ("as_of", "2027-05-03"),
            ("weeks", "9"),
            ("scope", "provider"),
        ],
        &[
            ("bookings", "bookings.csv", &example("bookings.csv")),
            ("roster", "roster.csv", broken.join("\n").as_bytes()),
        ],
    );
    assert_eq!(code, 422, "{body}");
    let error = body
        .split("<p class=\"field-error\" data-field=\"roster\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no roster error in {body}"));
    let error = error.split("</p>").next().unwrap();
    assert!(error.starts_with("roster.csv:3:5:"), "{error}");
    assert!(
        error.contains("`holidays`") && error.contains("row 3, column 5"),
        "{error}"
    );
    // The other inputs are kept.
    assert!(body.contains("name=\"weeks\" value=\"9\""), "{body}");
    assert_eq!(
        std::fs::read_dir(server.workdir.join("runs"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn a_lever_the_loader_refuses_is_shown_next_to_it() {
    let (server, _) = start(&[]);
    let (code, _, body) = post(
        &server,
        "/scenario",
        &[
            ("scenario", "baseline"),
            ("capacity_factor", "-0.5"),
            ("replications", "0"),
            ("policy", "minimum-first"),
        ],
        &[],
    );
    assert_eq!(code, 422);
    let field = |name: &str| {
        body.split(&format!("data-field=\"{name}\">"))
            .nth(1)
            .map(|e| e.split("</p>").next().unwrap().to_string())
            .unwrap_or_else(|| panic!("no error for {name} in {body}"))
    };
    assert!(
        field("capacity_factor").contains("carers.capacity_factor"),
        "{}",
        field("capacity_factor")
    );
    assert!(field("replications").contains("from 1 to 100000"));
    assert!(body.contains("value=\"-0.5\""));
}

#[test]
fn the_baseline_from_the_page_is_the_command_lines_run() {
    let (server, _) = start(&[]);
    let location = finished_run(
        &server,
        "/scenario",
        &[
            ("scenario", "baseline"),
            ("capacity_factor", "0.6"),
            ("scope", "provider"),
            ("policy", "minimum-first"),
            ("policy", "proportional"),
            ("replications", "3"),
            ("seed", "11"),
        ],
        &[],
    );
    let (_, page) = get(&server, &location);
    assert!(page.contains("<span id=\"status\">done</span>"));
    assert!(page.contains("<section id=\"headline\">"));
    for metric in ["below_minimum", "hours_per_mother", "mothers"] {
        assert!(
            page.contains(&format!("data-metric=\"{metric}\"")),
            "{metric}"
        );
    }
    assert!(page.contains("<section id=\"charts\">") && page.contains("<img src="));
    assert!(page.contains("id=\"download-zip\"") && page.contains("id=\"download-recipe\""));
    // The recipe is the scenario that reproduces the run with the command line.
    let dir = run_dir(&server, &location);
    let recipe = dir.join("scenario.toml");
    let text = std::fs::read_to_string(&recipe).unwrap();
    assert!(text.contains("capacity_factor = 0.6"), "{text}");
    let tmp = TempDir::new().unwrap();
    let cli = cli_stats(&recipe, "11", &tmp.path().join("cli"));
    assert_eq!(std::fs::read(dir.join("out/stats.csv")).unwrap(), cli);
    // Fewer carers than the shipped baseline: the page's lever reached the model.
    let shipped = cli_stats(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml"),
        "11",
        &tmp.path().join("shipped"),
    );
    assert_ne!(shipped, cli);
    download_zip(&server, &location);
}

#[test]
fn two_runs_at_once_both_finish_with_their_own_outputs() {
    let (server, _) = start(&[]);
    let submit = |seed: &'static str| {
        let server = &server;
        move || {
            post(
                server,
                "/scenario",
                &[
                    ("scenario", "baseline"),
                    ("policy", "minimum-first"),
                    ("seed", seed),
                ],
                &[],
            )
        }
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(submit("101"));
        let b = s.spawn(submit("202"));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!((a.0, b.0), (303, 303));
    assert_ne!(a.1, b.1);
    assert_eq!(wait(&server, &a.1), "done");
    assert_eq!(wait(&server, &b.1), "done");
    let tmp = TempDir::new().unwrap();
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    for (location, seed) in [(&a.1, "101"), (&b.1, "202")] {
        let web = std::fs::read(run_dir(&server, location).join("out/stats.csv")).unwrap();
        let cli = cli_stats(&baseline, seed, &tmp.path().join(seed));
        assert!(
            web == cli,
            "run {location} (seed {seed}) differs from the command line's"
        );
    }
}

#[test]
fn a_run_can_be_cancelled() {
    let (server, _) = start(&[]);
    let (code, location, _) = post(
        &server,
        "/scenario",
        &[
            ("scenario", "national"),
            ("policy", "minimum-first"),
            ("replications", "200"),
        ],
        &[],
    );
    assert_eq!(code, 303);
    let (code, _, _) = post(&server, &format!("{location}/cancel"), &[], &[]);
    assert_eq!(code, 303);
    assert_eq!(wait(&server, &location), "cancelled");
    let (_, page) = get(&server, &location);
    assert!(page.contains("<span id=\"status\">cancelled</span>"));
}

#[test]
fn the_forecast_page_shows_the_fan_chart_weeks_at_risk_and_a_what_if() {
    let (server, _) = start(&[]);
    let location = example_forecast(&server, "16");
    let (_, page) = get(&server, &location);
    assert!(page.contains("<figure id=\"fan-chart\">") && page.contains("charts/forecast.png"));
    let at_risk = page.split("<table id=\"weeks-at-risk\">").nth(1).unwrap();
    let at_risk = at_risk.split("</table>").next().unwrap();
    // The example's summer: the week of 26 July is likely short, at Kraamzorg Vecht.
    assert!(
        at_risk.contains("<td>2027-07-26</td>") && at_risk.contains("Kraamzorg Vecht (likely)"),
        "{at_risk}"
    );
    assert!(
        page.contains("<section id=\"extra-hours\">")
            && page.contains("<section id=\"birth-assistance\">")
    );
    // What-if: 200 more hours a week for Kraamzorg Vecht in its summer weeks.
    let (code, whatif, body) = post(
        &server,
        &format!("{location}/whatif"),
        &[
            ("extra_hours", "200"),
            ("whatif_provider", "Kraamzorg Vecht"),
            ("whatif_weeks", "2027-07-19"),
            ("whatif_weeks", "2027-07-26"),
            ("whatif_weeks", "2027-08-02"),
        ],
        &[],
    );
    assert_eq!(code, 303, "{body}");
    assert_eq!(wait(&server, &whatif), "done");
    let (_, page) = get(&server, &whatif);
    assert!(
        page.contains("id=\"whatif-note\"") && page.contains("6 virtual carer(s)"),
        "{page}"
    );
    assert!(page.contains("id=\"fan-chart-base\"") && page.contains("id=\"fan-chart\""));
    let roster = std::fs::read_to_string(run_dir(&server, &whatif).join("roster.csv")).unwrap();
    assert!(
        roster.contains("what-if-6,Gooi en Vechtstreek,Kraamzorg Vecht,33.33"),
        "{roster}"
    );
}

#[test]
fn sigterm_stops_it_cleanly() {
    let (mut server, _) = start(&[]);
    let (code, _) = get(&server, "/scenario");
    assert_eq!(code, 200);
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The run's `download.zip`, read.
fn download_zip(server: &Server, location: &str) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
    let mut resp = agent()
        .get(format!(
            "{}{}/download.zip",
            server.url,
            location.trim_start_matches('/')
        ))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{location}/download.zip");
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .unwrap();
    zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("download.zip is a zip")
}

/// The CSV files of an output directory (name, bytes), sorted: the outputs that hold no
/// timings, so a rerun must give them byte for byte.
fn csv_files(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".csv"))
        .map(|name| {
            let bytes = std::fs::read(out.join(&name)).unwrap();
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Unpacks the run's zip, checks it holds the inputs of `inputs` as the run directory has
/// them and the outputs `outputs` under `out/`, reruns the unpacked `scenario.toml` with
/// `kraamsim COMMAND`, and checks the rerun writes the zip's CSV files byte for byte.
fn assert_zip_reruns(
    server: &Server,
    location: &str,
    command: &str,
    inputs: &[&str],
    outputs: &[&str],
) {
    let mut archive = download_zip(server, location);
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    let dir = run_dir(server, location);
    for name in inputs {
        let mut bytes = Vec::new();
        archive
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} is not in {location}'s zip: {names:?}"))
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(bytes, std::fs::read(dir.join(name)).unwrap(), "{name}");
    }
    for name in outputs {
        let name = format!("out/{name}");
        assert!(
            names.contains(&name),
            "{name} is not in {location}'s zip: {names:?}"
        );
    }
    let tmp = TempDir::new().unwrap();
    archive.extract(tmp.path()).unwrap();
    let rerun = tmp.path().join("rerun");
    let status = Command::new(env!("CARGO_BIN_EXE_kraamsim"))
        .arg(command)
        .arg(tmp.path().join("scenario.toml"))
        .args(["--no-charts", "-q", "--out"])
        .arg(&rerun)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "kraamsim {command} of the zip's scenario.toml"
    );
    let zipped = csv_files(&tmp.path().join("out"));
    assert!(!zipped.is_empty());
    assert_eq!(
        zipped.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        csv_files(&rerun).iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, bytes), (_, again)) in zipped.iter().zip(&csv_files(&rerun)) {
        assert!(
            bytes == again,
            "{name}: the rerun of the zip's scenario.toml differs"
        );
    }
}

/// README: "every run downloads as a zip with the scenario file that reruns it on the
/// command line": a scenario run's and a forecast's zip, unpacked, rerun and compared.
#[test]
fn every_run_downloads_as_a_zip_that_reruns_on_the_command_line() {
    let (server, _) = start(&[]);
    let location = finished_run(
        &server,
        "/scenario",
        &[
            ("scenario", "baseline"),
            ("capacity_factor", "0.6"),
            ("policy", "minimum-first"),
            ("policy", "proportional"),
            ("replications", "2"),
            ("seed", "11"),
        ],
        &[],
    );
    assert_zip_reruns(
        &server,
        &location,
        "run",
        &["scenario.toml"],
        &["stats.csv", "summary.csv", "run.json"],
    );
    let location = example_forecast(&server, "4");
    assert_zip_reruns(
        &server,
        &location,
        "forecast",
        &["scenario.toml", "bookings.csv", "roster.csv"],
        &["forecast.csv", "forecast.json"],
    );
}

/// Whether a URL a page refers to leaves the app: an absolute URL with a scheme other than
/// `data:`, or a protocol-relative `//host/...`.
fn is_external(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    if url.starts_with("//") {
        return true;
    }
    match url.split_once(':') {
        Some((scheme, _)) => {
            let is_scheme = !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
            is_scheme && scheme != "data"
        }
        None => false,
    }
}

/// A URL a page refers to, and whether a GET of it must answer: not for a form's action
/// (posted to) nor for the start of a URL a script completes (`'/forecast/example/' + name`),
/// which are only checked to be local.
struct Reference {
    url: String,
    fetch: bool,
}

/// Every URL `page` refers to: attribute values (`src=`, `href=`, `action=`), CSS `url(...)`
/// and `@import`, and the string a script's `fetch(` or `EventSource(` starts with.
fn references(page: &str) -> Vec<Reference> {
    let lower = page.to_ascii_lowercase();
    let mut found = Vec::new();
    for marker in [
        "src=",
        "href=",
        "action=",
        "url(",
        "@import",
        "fetch(",
        "eventsource(",
    ] {
        for (at, _) in lower.match_indices(marker) {
            let rest = page[at + marker.len()..].trim_start();
            if marker == "@import" && rest.to_ascii_lowercase().starts_with("url(") {
                continue; // found as `url(`
            }
            let (url, after) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &rest[1..];
                    let end = inner.find(q).unwrap_or(inner.len());
                    (&inner[..end], inner[end..].get(1..).unwrap_or(""))
                }
                _ => {
                    let end = rest
                        .find(|c: char| c.is_whitespace() || "<>);\"'".contains(c))
                        .unwrap_or(rest.len());
                    (&rest[..end], &rest[end..])
                }
            };
            let url = url
                .replace("&#x2f;", "/")
                .replace("&#47;", "/")
                .replace("&amp;", "&");
            let prefix = after.trim_start().starts_with('+');
            found.push(Reference {
                url,
                fetch: marker != "action=" && !prefix,
            });
        }
    }
    found
}

/// README: "everything is inside the binary, so it works offline": no page refers to
/// anything outside the app, and every local URL a page refers to answers.
#[test]
fn the_pages_refer_to_nothing_outside_the_app_and_every_link_answers() {
    let (server, _) = start(&[]);
    let scenario_run = finished_run(
        &server,
        "/scenario",
        &[
            ("scenario", "baseline"),
            ("policy", "minimum-first"),
            ("replications", "1"),
        ],
        &[],
    );
    let forecast_run = example_forecast(&server, "4");
    let id = |location: &str| location.trim_start_matches("/runs/").to_string();
    let compare = format!("/compare?a={}&b={}", id(&scenario_run), id(&scenario_run));
    let mut fetched = 0;
    for path in [
        "/",
        "/scenario",
        "/forecast",
        &scenario_run,
        &forecast_run,
        &compare,
    ] {
        let (code, page) = get(&server, path);
        assert_eq!(code, 200, "{path}");
        let refs = references(&page);
        assert!(!refs.is_empty(), "{path} refers to nothing: {page}");
        for r in &refs {
            assert!(!is_external(&r.url), "{path} refers to {}", r.url);
            if !r.fetch || r.url.is_empty() || r.url.starts_with('#') {
                continue;
            }
            let target = if r.url.starts_with('/') {
                r.url.clone()
            } else {
                format!("{}/{}", path.rsplit_once('/').unwrap().0, r.url)
            };
            let (code, _) = get(&server, &target);
            assert_eq!(code, 200, "{path} refers to {target}, which answers {code}");
            fetched += 1;
        }
    }
    // The forecast page's script fetches '/forecast/example/' + name + '.csv' for these.
    for name in ["bookings", "roster"] {
        let (code, _) = get(&server, &format!("/forecast/example/{name}.csv"));
        assert_eq!(code, 200, "{name}");
    }
    assert!(fetched > 10, "only {fetched} local references fetched");
}

/// The value of the scenario form's input `name` as the page shows it.
fn shown_value(form: &str, name: &str) -> String {
    let input = form
        .split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no input {name} in {form}"));
    input.split('"').next().unwrap().to_string()
}

/// The `<td>` texts of each row of a table's body.
fn body_rows(table: &str) -> Vec<Vec<String>> {
    let body = table
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let text = cell.split_once('>').unwrap().1;
                    text.split("</td>").next().unwrap().to_string()
                })
                .collect()
        })
        .collect()
}

/// README: the analyst moves the levers (digital share, training ratio, policies), follows
/// the progress, and gets the regions by gap and a side-by-side comparison. The levers end
/// up in the scenario the run loaded, the status counts every replication of both policies,
/// the regions are sorted by their gap, and two runs compare side by side.
#[test]
fn the_scenario_pages_levers_reach_the_run_and_its_results_compare() {
    let (server, _) = start(&[]);
    let (_, form) = get(&server, "/scenario?scenario=national");
    // Values the page does not show, so the page must write them.
    assert_ne!(shown_value(&form, "digital_share"), "0.35");
    assert_ne!(shown_value(&form, "training_ratio"), "0.45");
    let location = finished_run(
        &server,
        "/scenario",
        &[
            ("scenario", "national"),
            ("digital_share", "0.35"),
            ("training_ratio", "0.45"),
            ("policy", "minimum-first"),
            ("policy", "proportional"),
            ("replications", "1"),
        ],
        &[],
    );
    let dir = run_dir(&server, &location);
    let loaded = kraamsim::LoadedScenario::load(dir.join("scenario.toml")).unwrap();
    assert_eq!(loaded.scenario.indication.digital_share, 0.35);
    assert_eq!(loaded.scenario.contracts.a_trainees_per_fte, 0.45);
    // Progress in units of one replication of one policy: both policies' replication.
    let (code, status) = get(&server, &format!("{location}/status"));
    assert_eq!(code, 200);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(
        (status["done"].as_u64(), status["total"].as_u64()),
        (Some(2), Some(2)),
        "{status}"
    );

    let (_, page) = get(&server, &location);
    // The headline side by side: a column per policy, a cell per policy in every row.
    let headline = page.split("<section id=\"headline\">").nth(1).unwrap();
    let headline = headline.split("</section>").next().unwrap();
    assert!(
        headline.contains("<th>figure</th><th>minimum-first</th><th>proportional</th>"),
        "{headline}"
    );
    for row in body_rows(headline) {
        assert_eq!(row.len(), 3, "{row:?}");
    }
    assert!(page.contains("charts/policy-comparison.png"));
    // The regions by gap: every region of the run, the largest shortfall per mother first.
    let regions = page.split("<section id=\"regions\">").nth(1).unwrap();
    let regions = regions.split("</section>").next().unwrap();
    assert!(
        regions.contains("<h2>Regions by gap (minimum-first)</h2>"),
        "{regions}"
    );
    let rows = body_rows(regions);
    let run_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/run.json")).unwrap()).unwrap();
    assert_eq!(Some(rows.len() as u64), run_json["regions"].as_u64());
    let gaps: Vec<f64> = rows.iter().map(|r| r[3].parse().unwrap()).collect();
    assert!(gaps.windows(2).all(|w| w[0] >= w[1]), "{gaps:?}");
    assert!(gaps[0] > gaps[gaps.len() - 1], "{gaps:?}");

    // Two runs side by side.
    let other = finished_run(
        &server,
        "/scenario",
        &[
            ("scenario", "baseline"),
            ("policy", "minimum-first"),
            ("replications", "1"),
        ],
        &[],
    );
    let (code, compare) = get(
        &server,
        &format!(
            "/compare?a={}&b={}",
            location.trim_start_matches("/runs/"),
            other.trim_start_matches("/runs/")
        ),
    );
    assert_eq!(code, 200, "{compare}");
    let side = compare.split("<div class=\"side\">").nth(1).unwrap();
    for part in ["headline-a", "regions-a", "headline-b", "regions-b"] {
        assert!(side.contains(&format!("<section id=\"{part}\">")), "{part}");
    }
    assert!(
        side.contains(&format!("href=\"{location}\">national")),
        "{side}"
    );
    assert!(
        side.contains(&format!("href=\"{other}\">baseline")),
        "{side}"
    );
}
