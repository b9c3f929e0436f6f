//! CSV output: one small writer over the `csv` crate for every CSV file and
//! `--csv` listing the crate writes (figure data, training results, search growth).
//!
//! Why a crate and not `format!`: a field may hold a comma, a quote or a line break
//! (loss specs such as `tversky(3/10,7/10)` do), and RFC 4180 quoting is easy to
//! get almost right. The `csv` crate quotes exactly the fields that need it (a
//! delimiter, quote or line break inside), so plain numbers and names stay as they
//! were written before, and spreadsheets, pandas and R read every file back.

/// A CSV document built in memory: a header, then rows, then [`Csv::finish`].
pub struct Csv {
    writer: csv::Writer<Vec<u8>>,
}

impl Csv {
    /// A document whose first record is `header`.
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new()),
        };
        csv.row(header);
        csv
    }

    /// Appends one record. Writing to memory cannot fail.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) {
        self.writer
            .write_record(fields.iter().map(|f| f.as_ref().as_bytes()))
            .expect("writing CSV to memory");
    }

    /// The whole document, every record ended by `\n`.
    pub fn finish(self) -> String {
        let bytes = self.writer.into_inner().expect("writing CSV to memory");
        String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::Csv;
    use proptest::prelude::*;

    #[test]
    fn quotes_only_what_needs_quoting() {
        let mut c = Csv::new(&["loss", "dice"]);
        c.row(&["tversky(3/10,7/10)", "2/3"]);
        c.row(&["say \"hi\"", ""]);
        c.row(&["a\nb", "1e-3"]);
        let expected = concat!(
            "loss,dice\n",
            "\"tversky(3/10,7/10)\",2/3\n",
            "\"say \"\"hi\"\"\",\n",
            "\"a\nb\",1e-3\n",
        );
        assert_eq!(c.finish(), expected);
    }

    proptest! {
        /// Whatever the fields, the csv reader gets them back unchanged.
        #[test]
        fn round_trips(rows in proptest::collection::vec(
            proptest::collection::vec(".{0,8}", 3), 0..6)) {
            let mut c = Csv::new(&["a", "b", "c"]);
            for r in &rows {
                c.row(r);
            }
            let text = c.finish();
            let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            let back: Vec<Vec<String>> = reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect();
            prop_assert_eq!(back, rows);
        }
    }
}
