//! Runs: the registry of jobs (one directory each, `<workdir>/runs/<id>/`), their progress
//! as server-sent events, cancelling, the run page, and the downloads.
//!
//! A job runs on a blocking thread (simulations are CPU-bound and would stall the async
//! workers that serve pages); its state is a `watch` channel that the event stream and the
//! page read. Run ids are made here; an id from a URL is used only after it is found in the
//! registry, and files are served only by name from a listing of the run's own directory.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use tokio::sync::watch;

use super::{Shared, error_page, forecast_page, safe_segment, scenario_page, templates};
use crate::api::{Error, ErrorKind};

/// What a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Scenario,
    Forecast,
}

/// Where a job is; the page's `id="status"` shows [`Status::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    Done,
    Error,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Done => "done",
            Status::Error => "error",
            Status::Cancelled => "cancelled",
        }
    }
}

/// A job's state: its status, units (replications of a policy) done of all, and for an
/// error or a cancelled run the message.
#[derive(Debug, Clone, Serialize)]
pub struct JobState {
    pub status: Status,
    pub done: u64,
    pub total: u64,
    pub message: String,
}

/// One run or forecast of the app.
pub struct Job {
    pub id: String,
    pub kind: Kind,
    /// `<workdir>/runs/<id>`: the inputs under fixed names, the outputs in `out/`.
    pub dir: PathBuf,
    /// What the run is, in a few words (the scenario's name and the levers moved).
    pub title: String,
    /// For a forecast what-if: the run it changes, shown beside it.
    pub base: Option<String>,
    /// What the run changed, said on its page (a what-if's extra carers).
    pub note: String,
    pub stop: Arc<AtomicBool>,
    pub state: watch::Sender<JobState>,
}

impl Job {
    pub fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    pub fn state(&self) -> JobState {
        self.state.borrow().clone()
    }
}

/// The jobs of this server, by id.
pub struct Registry {
    root: PathBuf,
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    next: AtomicU64,
    /// Set at shutdown: event streams end, so that open pages do not hold the server.
    shutdown: watch::Sender<bool>,
}

/// A run directory made for a form before its inputs are checked: [`Registry::start`]
/// turns it into a job, dropping it removes the directory (a form with errors leaves
/// nothing behind).
pub struct Staged {
    pub id: String,
    pub dir: PathBuf,
    keep: bool,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Registry {
    pub fn new(root: PathBuf) -> Self {
        Registry {
            root,
            jobs: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            shutdown: watch::channel(false).0,
        }
    }

    /// A new run directory with a fresh id: a counter (runs sort by age) and 32 random bits
    /// (ids cannot be guessed from one another).
    pub fn stage(&self) -> Result<Staged, Error> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("{n:04}-{:08x}", rand::random::<u32>());
        let dir = self.root.join(&id);
        std::fs::create_dir(&dir)
            .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
        Ok(Staged {
            id,
            dir,
            keep: false,
        })
    }

    /// The job with this id; an id that is not `[a-z0-9-]` is never looked up.
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        if !safe_segment(id) {
            return None;
        }
        self.jobs.lock().unwrap().get(id).cloned()
    }

    /// Registers the staged directory as a job and runs `work` on a blocking thread; its
    /// result sets the job's final state.
    pub fn start(
        &self,
        mut staged: Staged,
        kind: Kind,
        title: String,
        base: Option<String>,
        note: String,
        work: impl FnOnce(&Arc<Job>) -> Result<(), Error> + Send + 'static,
    ) -> Arc<Job> {
        staged.keep = true;
        let job = Arc::new(Job {
            id: staged.id.clone(),
            kind,
            dir: staged.dir.clone(),
            title,
            base,
            note,
            stop: Arc::new(AtomicBool::new(false)),
            state: watch::channel(JobState {
                status: Status::Running,
                done: 0,
                total: 0,
                message: String::new(),
            })
            .0,
        });
        self.jobs
            .lock()
            .unwrap()
            .insert(job.id.clone(), Arc::clone(&job));
        let running = Arc::clone(&job);
        tokio::task::spawn_blocking(move || {
            let result = work(&running);
            let cancelled = running.stop.load(Ordering::SeqCst);
            let dir = format!("{}/", running.dir.display());
            running.state.send_modify(|s| match result {
                Ok(()) if cancelled => {
                    s.status = Status::Cancelled;
                    s.message =
                        "cancelled (the forecast had finished; its outputs are kept)".into();
                }
                Ok(()) => s.status = Status::Done,
                Err(e) if e.kind == ErrorKind::Interrupted => {
                    s.status = Status::Cancelled;
                    s.message = "cancelled".into();
                }
                Err(e) => {
                    s.status = Status::Error;
                    // Paths in the run's directory are shown as the file names the user knows.
                    s.message = e.message.replace(&dir, "");
                }
            });
        });
        job
    }

    /// Asks every job still running to stop, and ends the event streams (shutdown).
    pub fn stop_all(&self) {
        for job in self.jobs.lock().unwrap().values() {
            job.stop.store(true, Ordering::SeqCst);
        }
        let _ = self.shutdown.send(true);
    }
}

/// `GET /runs/{id}`: the run's page, with its results once done.
pub async fn page(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(job) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    let base = job.base.as_deref().and_then(|b| app.runs.get(b));
    tokio::task::spawn_blocking(move || render_page(&job, base.as_deref()))
        .await
        .unwrap_or_else(|e| error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))
}

fn render_page(job: &Job, base: Option<&Job>) -> Response {
    let state = job.state();
    let result = match (state.status, job.kind) {
        (Status::Done, Kind::Scenario) => scenario_page::result(job).map(templates::val),
        (Status::Done, Kind::Forecast) => forecast_page::result(job).map(templates::val),
        _ => Ok(minijinja::Value::UNDEFINED),
    };
    let (result, read_error) = match result {
        Ok(r) => (r, String::new()),
        Err(e) => (minijinja::Value::UNDEFINED, e),
    };
    let base_result = base
        .filter(|b| b.state().status == Status::Done && b.kind == Kind::Forecast)
        .and_then(|b| forecast_page::result(b).ok())
        .map(templates::val)
        .unwrap_or(minijinja::Value::UNDEFINED);
    let whatif = if job.kind == Kind::Forecast && state.status == Status::Done {
        forecast_page::whatif_form(job)
            .map(templates::val)
            .unwrap_or_default()
    } else {
        minijinja::Value::UNDEFINED
    };
    templates::render(
        "run.html",
        minijinja::context! {
            id => job.id.clone(),
            kind => templates::val(job.kind),
            title => job.title.clone(),
            note => job.note.clone(),
            base => job.base.clone(),
            status => state.status.as_str(),
            done => state.done,
            total => state.total,
            message => if read_error.is_empty() { state.message } else { read_error },
            result => result,
            base_result => base_result,
            whatif => whatif,
        },
    )
}

/// `GET /runs/{id}/status`: the state as JSON (scripts poll it; the page uses the events).
pub async fn status(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(job) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    let body = serde_json::to_string(&job.state()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `GET /runs/{id}/events`: server-sent events: `progress` (`{"done":..,"total":..}`) as
/// batches are written, then one of `done`, `error` or `cancelled`, and the stream ends.
pub async fn events(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(job) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    let rx = job.state.subscribe();
    let shutdown = app.runs.shutdown.subscribe();
    let stream = futures_util::stream::unfold(
        (rx, shutdown, true, false),
        |(mut rx, mut shutdown, first, ended)| async move {
            if ended {
                return None;
            }
            if !first {
                tokio::select! {
                    changed = rx.changed() => if changed.is_err() { return None },
                    _ = shutdown.changed() => return None,
                }
            }
            let s = rx.borrow_and_update().clone();
            let event = match s.status {
                Status::Running => Event::default()
                    .event("progress")
                    .data(format!("{{\"done\":{},\"total\":{}}}", s.done, s.total)),
                other => Event::default()
                    .event(other.as_str())
                    .data(s.message.clone()),
            };
            let ended = s.status != Status::Running;
            Some((
                Ok::<_, std::convert::Infallible>(event),
                (rx, shutdown, false, ended),
            ))
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `POST /runs/{id}/cancel`: sets the run's stop flag (no new batch starts; the run ends as
/// `cancelled` with what it finished kept) and goes back to the run's page.
pub async fn cancel(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(job) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    job.stop.store(true, Ordering::SeqCst);
    Redirect::to(&format!("/runs/{}", job.id)).into_response()
}

/// `GET /runs/{id}/files/charts/{file}`: a chart the run drew, found by name in a listing of
/// its `out/charts/` (a name that is not there is 404, whatever it says).
pub async fn file(
    State(app): State<Shared>,
    UrlPath((id, dir, file)): UrlPath<(String, String, String)>,
) -> Response {
    let Some(job) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    if dir != "charts" {
        return error_page(StatusCode::NOT_FOUND, "No such file.");
    }
    let charts = job.out().join("charts");
    let Some(path) = listed(&charts, &file) else {
        return error_page(StatusCode::NOT_FOUND, "No such file.");
    };
    let mime = match path.extension().and_then(|e| e.to_str()) {
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => return error_page(StatusCode::NOT_FOUND, "No such file."),
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        Err(_) => error_page(StatusCode::NOT_FOUND, "No such file."),
    }
}

/// The file of `dir` whose name is exactly `name`, found by listing `dir`.
pub fn listed(dir: &Path, name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .find(|e| e.file_name().to_str() == Some(name) && e.path().is_file())
        .map(|e| e.path())
}

/// The chart files (PNG) of a run, by name, for the page's `<img>` elements.
pub fn chart_names(job: &Job) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(job.out().join("charts"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".png"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `GET /runs/{id}/download.zip`: the run's directory as a zip (deflate): its inputs under
/// their fixed names (`scenario.toml`, a forecast's `bookings.csv` and `roster.csv`, the
/// national data a scenario names) beside its outputs in `out/`, so that the unpacked zip
/// reruns on the command line and holds what the rerun should give.
pub async fn download_zip(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(job) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    if job.state().status == Status::Running {
        return error_page(StatusCode::CONFLICT, "The run is still running.");
    }
    let dir = job.dir.clone();
    let name = format!("kraamsim-{}.zip", job.id);
    match tokio::task::spawn_blocking(move || zip_dir(&dir)).await {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(e)) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Every file under `dir` in a zip, paths relative to `dir`, sorted.
pub fn zip_dir(dir: &Path) -> Result<Vec<u8>, String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(&entry.path(), &rel, out)?;
            } else if kind.is_file() {
                out.push((rel, entry.path()));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, "", &mut files).map_err(|e| format!("reading the outputs: {e}"))?;
    files.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (rel, path) in files {
        let bytes = std::fs::read(&path).map_err(|e| format!("reading {rel}: {e}"))?;
        zip.start_file(rel.as_str(), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    zip.finish()
        .map(|c| c.into_inner())
        .map_err(|e| e.to_string())
}

/// The files a run's recipe is made of, by the name the URL gives: the scenario file as the
/// run used it, the record of the run, and a forecast's bookings and roster. A name not in
/// this list is 404; the name is matched, never used as a path.
const RECIPE_FILES: &[&str] = &[
    "scenario.toml",
    "run.json",
    "forecast.json",
    "bookings.csv",
    "roster.csv",
];

/// `GET /runs/{id}/recipe/{file}`: one file of [`RECIPE_FILES`], from the run's directory
/// (inputs) or its output directory (run.json, forecast.json).
pub async fn recipe(
    State(app): State<Shared>,
    UrlPath((id, file)): UrlPath<(String, String)>,
) -> Response {
    let Some(job) = app.runs.get(&id) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    let Some(name) = RECIPE_FILES.iter().find(|n| **n == file) else {
        return error_page(StatusCode::NOT_FOUND, "No such file.");
    };
    let dir = if name.ends_with(".json") {
        job.out()
    } else {
        job.dir.clone()
    };
    let Some(path) = listed(&dir, name) else {
        return error_page(StatusCode::NOT_FOUND, "No such file (yet).");
    };
    let mime = if name.ends_with(".json") {
        "application/json"
    } else if name.ends_with(".toml") {
        "application/toml"
    } else {
        "text/csv"
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => error_page(StatusCode::NOT_FOUND, "No such file."),
    }
}

#[derive(serde::Deserialize)]
pub struct CompareQuery {
    a: String,
    b: String,
}

/// `GET /compare?a=ID&b=ID`: two finished scenario runs side by side.
pub async fn compare(State(app): State<Shared>, Query(q): Query<CompareQuery>) -> Response {
    let (Some(a), Some(b)) = (app.runs.get(&q.a), app.runs.get(&q.b)) else {
        return error_page(StatusCode::NOT_FOUND, "No such run.");
    };
    for job in [&a, &b] {
        if job.kind != Kind::Scenario || job.state().status != Status::Done {
            return error_page(
                StatusCode::CONFLICT,
                &format!("run {} is not a finished scenario run", job.id),
            );
        }
    }
    let rendered = tokio::task::spawn_blocking(move || {
        let ra = scenario_page::result(&a)?;
        let rb = scenario_page::result(&b)?;
        Ok::<_, String>(templates::render(
            "compare.html",
            minijinja::context! {
                a => minijinja::context! { id => a.id.clone(), title => a.title.clone(), result => templates::val(&ra) },
                b => minijinja::context! { id => b.id.clone(), title => b.title.clone(), result => templates::val(&rb) },
            },
        ))
    })
    .await;
    match rendered {
        Ok(Ok(page)) => page,
        Ok(Err(e)) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
