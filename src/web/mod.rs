//! `kraamsim serve`: a local web app over the library API, for a KSV coordinator (the
//! forecast page) and a policy analyst (the scenario page).
//!
//! The web layer sits on top of [`crate::api`] and adds nothing to the model: a page's form
//! becomes scenario TOML text (the scenario's own file with the levers set), which is written
//! into the run's directory and loaded by the same loader the command line uses, so every
//! error is the loader's, with its line, column and field, and the file is the exact recipe
//! that reproduces the run with `kraamsim run`. Runs are CPU-bound and go to blocking
//! threads; the async workers only serve pages, uploads and progress events.
//!
//! Security model (docs/web.md): loopback by default, uploads size-limited, and no path ever
//! comes from the client: uploads are saved under fixed names in a run directory whose id the
//! server made, URL segments are checked to be `[a-z0-9-]` before use, and downloads serve
//! only files found by listing the run's own directory.

mod forecast_page;
mod runs;
mod scenario_page;
mod shipped;
mod templates;
mod uploads;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::api::Error;

/// The largest request body the server accepts (a scenario, bookings and roster together):
/// a KSV's bookings of a year are well under 1 MiB.
pub const MAX_UPLOAD_BYTES: usize = 5 << 20;

/// How `kraamsim serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on (127.0.0.1 unless `--bind` says otherwise).
    pub bind: IpAddr,
    /// Port; 0 lets the system choose a free one (the printed address says which).
    pub port: u16,
    /// Open the page in the default browser once listening.
    pub open: bool,
    /// Where run directories go; `None`: a temporary directory removed at exit.
    pub workdir: Option<PathBuf>,
}

/// What every handler shares: the run registry and the directory runs are written to.
pub(crate) struct App {
    pub runs: runs::Registry,
}

pub(crate) type Shared = Arc<App>;

/// Serves until Ctrl-C or SIGTERM, then shuts down gracefully (open requests finish; runs in
/// progress are asked to stop) and returns.
pub fn serve(opts: ServeOptions) -> Result<(), Error> {
    if !opts.bind.is_loopback() {
        eprintln!(
            "warning: serving on {}, reachable from other machines: kraamsim serve has no login; \
             anyone who can reach this address can run simulations and read their outputs",
            opts.bind
        );
    }
    // A temporary workdir lives as long as this guard: dropping it at exit removes the runs.
    let (workdir, _temp) = match &opts.workdir {
        Some(dir) => {
            std::fs::create_dir_all(dir.join("runs")).map_err(|e| {
                Error::input(format!(
                    "--workdir {}: cannot create it: {e}",
                    dir.display()
                ))
            })?;
            (dir.clone(), None)
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("kraamsim-serve-")
                .tempdir()
                .map_err(|e| Error::internal(format!("cannot create a temporary workdir: {e}")))?;
            std::fs::create_dir_all(temp.path().join("runs")).map_err(Error::internal)?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    let workdir = workdir
        .canonicalize()
        .map_err(|e| Error::input(format!("--workdir {}: {e}", workdir.display())))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::internal)?;
    let app = Arc::new(App {
        runs: runs::Registry::new(workdir.join("runs")),
    });
    runtime.block_on(async move {
        let addr = SocketAddr::new(opts.bind, opts.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::input(format!("cannot listen on {addr}: {e}")))?;
        let local = listener.local_addr().map_err(Error::internal)?;
        let url = format!("http://{local}/");
        {
            // The first line on stdout, flushed: scripts and tests read the port from it.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "kraamsim serving on {url}");
            let _ = out.flush();
        }
        if opts.open {
            open_browser(&url);
        }
        let shutdown_app = Arc::clone(&app);
        axum::serve(listener, router(app))
            .with_graceful_shutdown(async move {
                shutdown_signal().await;
                eprintln!("stopping: cancelling runs in progress");
                shutdown_app.runs.stop_all();
            })
            .await
            .map_err(Error::internal)
    })?;
    // Runs still on blocking threads saw their stop flag; the runtime waits for them here.
    drop(runtime);
    Ok(())
}

/// The routes; every handler is in the module of its page.
fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/scenario",
            get(scenario_page::form).post(scenario_page::submit),
        )
        .route(
            "/forecast",
            get(forecast_page::form).post(forecast_page::submit),
        )
        .route("/forecast/example/{file}", get(forecast_page::example_file))
        .route("/runs/{id}", get(runs::page))
        .route("/runs/{id}/events", get(runs::events))
        .route("/runs/{id}/status", get(runs::status))
        .route("/runs/{id}/cancel", post(runs::cancel))
        .route("/runs/{id}/whatif", post(forecast_page::whatif))
        .route("/runs/{id}/files/{dir}/{file}", get(runs::file))
        .route("/runs/{id}/download.zip", get(runs::download_zip))
        .route("/runs/{id}/recipe/{file}", get(runs::recipe))
        .route("/compare", get(runs::compare))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .with_state(app)
}

async fn index() -> Response {
    templates::render("index.html", minijinja::context! {})
}

async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "No such page.")
}

/// A plain error page with its status code.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    let page = templates::render_string(
        "error.html",
        minijinja::context! { status => status.as_u16(), message => message },
    );
    (status, Html(page)).into_response()
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Opens `url` in the desktop's browser (`xdg-open`, `open` on macOS); a failure is only
/// reported, the server runs on.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("note: could not open a browser ({opener}: {e}); open {url} yourself");
    }
}

/// Whether `segment` (a run id or a file stem from the URL) is safe to use: `[a-z0-9-]`,
/// 1 to 64 characters. Nothing else from a URL ever reaches a path.
pub(crate) fn safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 64
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Errors of a form, each with the name of the form field it is shown next to.
pub(crate) type FieldErrors = Vec<(String, String)>;

/// A loader's errors as messages for the form's fields: each as the command line prints it
/// (`file:line:column: `field`: message`), with the run directory left out of file names,
/// next to the field `route` gives it.
pub(crate) fn loader_errors(
    e: &crate::scenario::ScenarioError,
    dir: &std::path::Path,
    route: impl Fn(&crate::scenario::FieldError) -> String,
) -> FieldErrors {
    let dir = format!("{}/", dir.display());
    let strip = |s: &str| s.replace(&dir, "");
    e.errors
        .iter()
        .take(crate::scenario::MAX_SHOWN_ERRORS)
        .map(|fe| {
            let file = strip(fe.file.as_deref().unwrap_or(&e.file));
            let path = if fe.path.is_empty() {
                "(file)"
            } else {
                &fe.path
            };
            let message = if fe.line == 0 {
                format!("{file}: `{path}`: {}", strip(&fe.message))
            } else {
                format!(
                    "{file}:{}:{}: `{path}`: {} (row {}, column {})",
                    fe.line,
                    fe.column,
                    strip(&fe.message),
                    fe.line,
                    fe.column
                )
            };
            (route(fe), message)
        })
        .collect()
}

/// Refuses a `[data]` file that is not the shipped national dataset (the server reads no
/// file outside its workdir) and writes the national files into `dir` when named.
pub(crate) fn provide_data(table: &toml::Table, dir: &std::path::Path) -> Result<(), String> {
    let Some(data) = table.get("data").and_then(|d| d.as_table()) else {
        return Ok(());
    };
    for (key, value) in data {
        let name = value.as_str().unwrap_or_default();
        let Some((path, text)) = shipped::NATIONAL_DATA.iter().find(|(p, _)| *p == name) else {
            return Err(format!(
                "`data.{key}` = `{name}`: the web app reads only the shipped national dataset ({}); run a scenario with other data files from the command line",
                shipped::NATIONAL_DATA
                    .iter()
                    .map(|(p, _)| *p)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&target, text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One row of a CSV file the run wrote, by column name.
type Row = std::collections::BTreeMap<String, String>;

/// Reads a CSV file of a run's output (stats.csv, forecast-weeks.csv, ...) into rows by
/// column name, so the pages read outputs by header as the charts do.
fn read_csv(path: &std::path::Path) -> Result<Vec<Row>, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    reader
        .records()
        .map(|r| {
            r.map(|r| {
                headers
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect()
            })
            .map_err(|e| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::safe_segment;

    #[test]
    fn only_plain_segments_are_safe() {
        assert!(safe_segment("0001-ab12cd"));
        for bad in ["", "..", "../x", "a/b", "A", "a.b", "%2e%2e", "a\\b", "a\0"] {
            assert!(!safe_segment(bad), "{bad:?}");
        }
        assert!(!safe_segment(&"a".repeat(65)));
    }
}
