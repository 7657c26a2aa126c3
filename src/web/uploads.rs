//! Reading a posted form (multipart, with files) into memory, within the size limit.
//!
//! The client's file name is only looked at to refuse one with a path in it (no browser
//! sends one; a client that does is probing); it is never used as a path. Uploaded files are
//! written by the pages under fixed names (`scenario.toml`, `bookings.csv`, `roster.csv`)
//! into a run directory the server made.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;

use super::{MAX_UPLOAD_BYTES, error_page};

/// A posted form: its text fields in order (a checkbox group repeats its name) and its
/// non-empty files by field name.
#[derive(Debug, Default, Clone)]
pub struct Form {
    pub fields: Vec<(String, String)>,
    pub files: HashMap<String, Vec<u8>>,
}

impl Form {
    /// The first value of a text field, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .collect()
    }
}

/// An uploaded scenario file as text, or the message its form field shows: the loader reads
/// UTF-8 only, and the byte where the text stops being UTF-8 helps find the bad character.
pub fn scenario_text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        format!(
            "scenario.toml: not valid UTF-8 (byte {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads the whole multipart body. Too large: 413 with a page that says the limit; a file
/// name with a path in it, or a broken body: 400.
pub async fn read(mut multipart: Multipart, file_fields: &[&str]) -> Result<Form, Response> {
    let mut form = Form::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(body_error(e.status(), &e.body_text())),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        if let Some(f) = &file_name
            && (f.contains('/') || f.contains('\\') || f.contains("..") || f.contains('\0'))
        {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                &format!(
                    "the file name `{f}` has a path in it; send the file itself (the server saves it under its own name)"
                ),
            ));
        }
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(body_error(e.status(), &e.body_text())),
        };
        if file_fields.contains(&name.as_str()) {
            if !bytes.is_empty() {
                form.files.insert(name, bytes.to_vec());
            }
        } else {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            form.fields.push((name, text));
        }
    }
    Ok(form)
}

/// The page for a body that could not be read: 413 for one over the limit.
fn body_error(status: StatusCode, text: &str) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "The upload is too large: at most {} MiB per request (scenario, bookings and roster together).",
                MAX_UPLOAD_BYTES >> 20
            ),
        )
    } else {
        error_page(status, &format!("the form could not be read: {text}"))
    }
}

#[cfg(test)]
mod scenario_text_tests {
    #[test]
    fn a_scenario_that_is_not_utf8_names_the_byte_where_it_stops() {
        assert_eq!(
            super::scenario_text(b"name = \"x\"").unwrap(),
            "name = \"x\""
        );
        assert_eq!(
            super::scenario_text(b"name = \"\xff\"").unwrap_err(),
            "scenario.toml: not valid UTF-8 (byte 8); save it as UTF-8"
        );
    }
}
