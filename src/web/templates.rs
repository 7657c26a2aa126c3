//! The pages' HTML templates (minijinja), compiled into the binary with their CSS and
//! JavaScript inline, so the app works offline. Templates named `*.html` escape every value
//! they print (minijinja's auto-escaping), which is what keeps an uploaded file's text or an
//! error message from becoming markup.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("index.html", include_str!("templates/index.html")),
    ("error.html", include_str!("templates/error.html")),
    ("scenario.html", include_str!("templates/scenario.html")),
    ("forecast.html", include_str!("templates/forecast.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("run.html", include_str!("templates/run.html")),
    ("compare.html", include_str!("templates/compare.html")),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in TEMPLATES {
            env.add_template(name, text)
                .unwrap_or_else(|e| panic!("template {name} does not compile: {e}"));
        }
        env
    })
}

/// The page `name` with `ctx`, as text; a template error is a bug and shows as one.
pub fn render_string(name: &str, ctx: minijinja::Value) -> String {
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(page) => page,
        Err(e) => format!(
            "<!doctype html><title>error</title><p>internal error: template {name}: {}</p>",
            html_escape::encode_text(&e.to_string())
        ),
    }
}

/// The page `name` with `ctx`, 200 OK.
pub fn render(name: &str, ctx: minijinja::Value) -> Response {
    Html(render_string(name, ctx)).into_response()
}

/// The page `name` with `ctx` and the status code `status` (a form with errors: 422).
pub fn render_status(status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    (status, Html(render_string(name, ctx))).into_response()
}

/// A form's errors grouped by field, for the template's `errors[field]` beside each input.
pub fn errors_by_field(errors: &super::FieldErrors) -> minijinja::Value {
    let mut by_field: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (field, message) in errors {
        by_field.entry(field).or_default().push(message);
    }
    val(&by_field)
}

/// A serializable value for a template's context.
pub fn val<T: serde::Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        let env = super::env();
        for (name, _) in super::TEMPLATES {
            env.get_template(name).unwrap();
        }
    }
}
