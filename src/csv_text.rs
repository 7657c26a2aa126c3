//! CSV text built in memory through the `csv` crate, for the files that are written whole
//! (the forecast's tables, a generated dataset, a forecast snapshot): quoting is the crate's
//! (RFC 4180, only where a field needs it), so no writer here quotes by hand.

/// A CSV table being written to memory: a header, then rows of the same length.
pub struct CsvText(csv::Writer<Vec<u8>>);

impl CsvText {
    /// A table with this header line.
    pub fn new(header: &[&str]) -> CsvText {
        let mut text = CsvText(csv::Writer::from_writer(Vec::new()));
        text.row(header);
        text
    }

    /// Appends one row. A row whose length differs from the header's is a bug in the caller,
    /// not bad input, so it panics rather than writing a file no reader accepts.
    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.0
            .write_record(fields)
            .expect("a row as long as its header, written to memory");
    }

    /// The table's text.
    pub fn finish(self) -> String {
        let bytes = self
            .0
            .into_inner()
            .expect("flushing a CSV writer into memory cannot fail");
        String::from_utf8(bytes).expect("CSV fields are written from UTF-8 strings")
    }
}

#[cfg(test)]
mod tests {
    use super::CsvText;

    #[test]
    fn quotes_only_the_fields_that_need_it() {
        let mut t = CsvText::new(&["region", "hours"]);
        t.row(["Gooi, Vecht", "1.5"]);
        t.row(["Zeeland \"Zuid\"", "2"]);
        t.row(["Drenthe", ""]);
        assert_eq!(
            t.finish(),
            "region,hours\n\"Gooi, Vecht\",1.5\n\"Zeeland \"\"Zuid\"\"\",2\nDrenthe,\n"
        );
    }
}
