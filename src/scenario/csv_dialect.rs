//! The dialect of a CSV input file, sniffed from its header line.
//!
//! kraamsim writes, and its docs show, comma-separated files with decimal points. A planning
//! system's export opened and saved in Dutch Excel is another dialect: `;` between fields,
//! a decimal comma (`36,5`), a UTF-8 byte-order mark and `\r\n` line ends. A coordinator
//! should not have to convert it, and she must never get a number silently misread, so
//! every CSV reader of kraamsim (`data::read_rows`, for the `[data]` files and forecast's
//! bookings and roster) builds its `csv::Reader` here and passes each number through
//! [`Dialect::number`] before serde sees it.
//!
//! The rules (docs/data-format.md, "Dialects"):
//! - a UTF-8 byte-order mark before the header is dropped;
//! - the separator is `;` when the header line has a `;` and no `,`, a tab when it has a tab
//!   and neither of the others, else `,`: a header names columns, so it holds no separator of
//!   another dialect;
//! - with `;` or tab, where a comma cannot be a separator, a number may have a decimal comma
//!   (`36,5` is 36.5). A thousands separator (`1.234,5`, `1.234.567`) and a `.` followed by
//!   exactly three digits (`1.234`: a thousand or one?) are refused with what to write
//!   instead; any other decimal point (`36.5`) is read as one;
//! - with `,` numbers are read as written (a decimal comma would have split the field).

use std::borrow::Cow;

/// The UTF-8 byte-order mark Excel writes at the start of a "CSV UTF-8" file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a CSV file separates its fields and writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// The byte between fields: `,`, `;` or a tab.
    pub separator: u8,
}

impl Dialect {
    /// The dialect of a file's bytes, and the bytes to read (without a byte-order mark).
    pub fn sniff(bytes: &[u8]) -> (Dialect, &[u8]) {
        let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let header = body.split(|&b| b == b'\n').next().unwrap_or_default();
        let has = |c: u8| header.contains(&c);
        let separator = if has(b';') && !has(b',') {
            b';'
        } else if has(b'\t') && !has(b',') && !has(b';') {
            b'\t'
        } else {
            b','
        };
        (Dialect { separator }, body)
    }

    /// A reader of `body` (the bytes [`Dialect::sniff`] returned) in this dialect. Fields are
    /// not trimmed here: the callers trim the rare record that needs it.
    pub fn reader<'a>(&self, body: &'a [u8]) -> csv::Reader<&'a [u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.separator)
            .from_reader(body)
    }

    /// The separator as written in messages: `,`, `;` or `tab`.
    pub fn separator_name(&self) -> &'static str {
        separator_name(self.separator)
    }

    /// Whether numbers may have a decimal comma: only where the comma is not the separator.
    pub fn decimal_comma(&self) -> bool {
        self.separator != b','
    }

    /// A number field in the form serde reads (`36,5` -> `36.5`), or what is wrong with it
    /// and what to write instead. Text that is no number at all is passed on as it is, for
    /// the column's own message.
    pub fn number<'a>(&self, field: &'a str) -> Result<Cow<'a, str>, String> {
        if !self.decimal_comma() || !field.contains([',', '.']) {
            return Ok(Cow::Borrowed(field));
        }
        let commas = field.matches(',').count();
        let points = field.matches('.').count();
        let sep = self.separator_name();
        if commas > 0 && points > 0 || points > 1 {
            let plain: String = field.chars().filter(|&c| c != '.').collect();
            return Err(format!(
                "`{field}` has `.` as a thousands separator; write the number without it: `{plain}` (a `{sep}`-separated file takes a decimal comma)"
            ));
        }
        if commas > 1 {
            return Err(format!(
                "`{field}` has more than one decimal comma; write one, as in `1234,5`"
            ));
        }
        if commas == 1 {
            return Ok(Cow::Owned(field.replacen(',', ".", 1)));
        }
        // One `.`: a decimal point, unless it could be a thousands separator.
        let (whole, fraction) = field.split_once('.').unwrap_or((field, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let whole_digits = whole.trim_start_matches(['-', '+']);
        if digits(whole_digits) && fraction.len() == 3 && digits(fraction) {
            return Err(format!(
                "`{field}` could be a thousand and more (`.` as a thousands separator) or a decimal: write `{whole}{fraction}` for the first, `{whole},{fraction}` for the second (a `{sep}`-separated file takes a decimal comma)"
            ));
        }
        Ok(Cow::Borrowed(field))
    }
}

/// A separator byte as written in messages.
pub(crate) fn separator_name(separator: u8) -> &'static str {
    match separator {
        b';' => ";",
        b'\t' => "tab",
        _ => ",",
    }
}

/// The separator of another dialect that a header column contains (`mother;region` in a file
/// read as `,`-separated), if any: the header then mixes separators, or was quoted whole.
pub(crate) fn foreign_separator(column: &str) -> Option<u8> {
    [b';', b'\t', b',']
        .into_iter()
        .find(|&c| column.as_bytes().contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_comes_from_the_header_and_a_bom_is_dropped() {
        let (d, body) = Dialect::sniff(b"\xEF\xBB\xBFpc4;region\r\n1234;R,S\r\n");
        assert_eq!(d.separator, b';');
        assert!(body.starts_with(b"pc4"));
        assert_eq!(Dialect::sniff(b"pc4,region\n1;2;3\n").0.separator, b',');
        assert_eq!(Dialect::sniff(b"pc4\tregion\n").0.separator, b'\t');
        // A header with both is read with `,` (and its `;` column reported by the caller).
        assert_eq!(Dialect::sniff(b"pc4;region,x\n").0.separator, b',');
        assert_eq!(Dialect::sniff(b"").0.separator, b',');
    }

    #[test]
    fn a_decimal_comma_is_read_only_where_the_comma_is_no_separator() {
        let semi = Dialect { separator: b';' };
        assert_eq!(semi.number("36,5").unwrap(), "36.5");
        assert_eq!(semi.number("-0,25").unwrap(), "-0.25");
        assert_eq!(semi.number("36.5").unwrap(), "36.5");
        assert_eq!(semi.number("41.01").unwrap(), "41.01");
        assert_eq!(semi.number("22").unwrap(), "22");
        assert_eq!(semi.number("lots").unwrap(), "lots");
        let comma = Dialect { separator: b',' };
        assert_eq!(comma.number("36,5").unwrap(), "36,5");
        assert_eq!(comma.number("1.234").unwrap(), "1.234");
    }

    #[test]
    fn a_thousands_separator_is_refused_with_what_to_write() {
        let semi = Dialect { separator: b';' };
        let e = semi.number("1.234,5").unwrap_err();
        assert!(
            e.contains("thousands separator") && e.contains("`1234,5`"),
            "{e}"
        );
        let e = semi.number("1.234.567").unwrap_err();
        assert!(e.contains("`1234567`"), "{e}");
        let e = semi.number("1.234").unwrap_err();
        assert!(e.contains("`1234`") && e.contains("`1,234`"), "{e}");
        assert!(semi.number("1,2,3").unwrap_err().contains("more than one"));
    }
}
