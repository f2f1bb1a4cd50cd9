//! The results of the current query, as the screen shows them: each file's
//! rows (line number, match or context, text), kept in path order however
//! they arrive, within a bounded window; what falls outside the window is
//! only counted, so a query that matches every line of a huge tree costs
//! bounded memory.
//!
//! It parses what a worker's printer renders for the screen (see
//! `session::screen_query`): `LINE:text` for a matching line, `LINE-text`
//! for context, anything else (a binary-file notice) as a note.

use std::collections::BTreeMap;

/// Most rows kept in memory for the screen.
pub(crate) const MAX_ROWS: usize = 20_000;
/// Most bytes of one row's text kept (the rest is cut: the screen is
/// narrower than this, and the preview reads the file itself).
const MAX_TEXT: usize = 4096;

/// What a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A matching line.
    Match,
    /// A context line.
    Context,
    /// A notice from the printer (such as a binary file match).
    Note,
}

/// One line of a file's results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    /// Its line number (0 for a note).
    pub(crate) line: u64,
    /// What it is.
    pub(crate) kind: Kind,
    /// Its text, without the line end.
    pub(crate) text: Vec<u8>,
}

/// One file's results.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileRows {
    /// The file's path.
    pub(crate) path: Vec<u8>,
    /// Its rows, in order.
    pub(crate) rows: Vec<Row>,
    /// The end of its output that is not a whole line yet.
    tail: Vec<u8>,
}

/// The current query's results.
#[derive(Debug)]
pub(crate) struct Results {
    files: BTreeMap<u64, FileRows>,
    /// Rows kept.
    rows: usize,
    cap: usize,
    /// Files at or after this position are not kept (the window is full).
    cutoff: u64,
    /// Rows seen but not kept.
    pub(crate) unkept: u64,
    /// Changes whenever rows are added or removed.
    version: u64,
}

impl Results {
    /// An empty window of at most `cap` rows.
    pub(crate) fn new(cap: usize) -> Results {
        Results { files: BTreeMap::new(), rows: 0, cap, cutoff: u64::MAX, unkept: 0, version: 0 }
    }

    /// Forgets everything (a new query starts).
    pub(crate) fn clear(&mut self) {
        let version = self.version + 1;
        *self = Results::new(self.cap);
        self.version = version;
    }

    /// A number that changes whenever rows are added or removed.
    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// The number of rows kept.
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    /// True when no row is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The files with rows, in path order.
    pub(crate) fn files(&self) -> impl Iterator<Item = (u64, &FileRows)> {
        self.files.iter().map(|(seq, f)| (*seq, f))
    }

    /// The first file position the window has no room for (u64::MAX while
    /// it has room): files from there on need only be counted.
    pub(crate) fn cutoff(&self) -> u64 {
        self.cutoff
    }

    /// Counts the `lines` matching lines of file `seq`, which was searched
    /// without rendering (it was past the window).
    pub(crate) fn count_unkept(&mut self, lines: u64) {
        self.unkept += lines;
    }

    /// The path of file `seq`, if it has rows kept.
    pub(crate) fn path(&self, seq: u64) -> Option<&[u8]> {
        self.files.get(&seq).map(|f| f.path.as_slice())
    }

    /// The row `idx` of file `seq`, if kept.
    pub(crate) fn row(&self, seq: u64, idx: usize) -> Option<(&[u8], &Row)> {
        let f = self.files.get(&seq)?;
        f.rows.get(idx).map(|r| (f.path.as_slice(), r))
    }

    /// Adds output of file `seq` (at `path`); `last` says it is the end of
    /// the file's output.
    pub(crate) fn add(&mut self, seq: u64, path: &[u8], bytes: &[u8], last: bool) {
        if bytes.is_empty() && !last {
            return;
        }
        if seq >= self.cutoff {
            self.unkept += count_lines(bytes, last);
            return;
        }
        let f = self.files.entry(seq).or_default();
        if f.path.is_empty() {
            f.path = path.to_vec();
        }
        let mut data = std::mem::take(&mut f.tail);
        data.extend_from_slice(bytes);
        let mut added = 0;
        let mut rest = &data[..];
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            f.rows.push(parse(&rest[..nl]));
            added += 1;
            rest = &rest[nl + 1..];
        }
        if last && !rest.is_empty() {
            f.rows.push(parse(rest));
            added += 1;
        } else if !last {
            f.tail = rest[..rest.len().min(MAX_TEXT)].to_vec();
        }
        if f.rows.is_empty() && f.tail.is_empty() {
            self.files.remove(&seq);
        }
        self.rows += added;
        self.version += u64::from(added > 0);
        self.shrink();
    }

    /// Forgets the rows of file `seq`: it is being searched again.
    pub(crate) fn restart(&mut self, seq: u64) {
        if let Some(f) = self.files.remove(&seq) {
            self.rows -= f.rows.len();
            self.version += 1;
        }
    }

    /// Drops the last files (in path order) until the rows fit the window;
    /// a first file bigger than the window alone is cut.
    fn shrink(&mut self) {
        while self.rows > self.cap {
            let (&last, _) = self.files.iter().next_back().expect("rows imply files");
            if self.files.len() == 1 {
                let f = self.files.get_mut(&last).expect("exists");
                let cut = self.rows - self.cap;
                f.rows.truncate(f.rows.len() - cut);
                self.unkept += cut as u64;
                self.rows = self.cap;
                self.cutoff = self.cutoff.min(last + 1);
                return;
            }
            let f = self.files.remove(&last).expect("exists");
            self.rows -= f.rows.len();
            self.unkept += f.rows.len() as u64;
            self.cutoff = self.cutoff.min(last);
        }
    }
}

/// The number of lines in a piece of output (a last piece without a final
/// line end still counts one).
fn count_lines(bytes: &[u8], last: bool) -> u64 {
    let n = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    n + u64::from(last && !bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// Parses one rendered line: `LINE:text`, `LINE-text` or a note.
fn parse(line: &[u8]) -> Row {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    let kind = match line.get(digits) {
        Some(b':') if digits > 0 => Kind::Match,
        Some(b'-') if digits > 0 => Kind::Context,
        _ => return Row { line: 0, kind: Kind::Note, text: cut(line) },
    };
    let n = std::str::from_utf8(&line[..digits]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    Row { line: n, kind, text: cut(&line[digits + 1..]) }
}

/// At most `MAX_TEXT` bytes of `text`.
fn cut(text: &[u8]) -> Vec<u8> {
    text[..text.len().min(MAX_TEXT)].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of every file, as (seq, line, kind) triples.
    fn shape(r: &Results) -> Vec<(u64, u64, Kind)> {
        r.files().flat_map(|(s, f)| f.rows.iter().map(move |row| (s, row.line, row.kind))).collect()
    }

    /// Matches, context and notes are told apart; CRLF ends are dropped.
    #[test]
    fn rows_are_parsed() {
        let mut r = Results::new(100);
        r.add(0, b"a.txt", b"3:foo\r\n4-bar\nbinary file matches\n12:x:y\n", true);
        let f = r.files().next().unwrap().1;
        assert_eq!(f.rows[0], Row { line: 3, kind: Kind::Match, text: b"foo".to_vec() });
        assert_eq!(f.rows[1], Row { line: 4, kind: Kind::Context, text: b"bar".to_vec() });
        assert_eq!(f.rows[2].kind, Kind::Note);
        assert_eq!(f.rows[3], Row { line: 12, kind: Kind::Match, text: b"x:y".to_vec() });
    }

    /// Files that arrive out of order are kept in path order, and a file's
    /// output may come in pieces that cut lines anywhere.
    #[test]
    fn out_of_order_and_pieces() {
        let mut r = Results::new(100);
        r.add(5, b"e", b"1:e\n", true);
        r.add(2, b"b", b"7:b1\n8:b", false);
        r.add(2, b"b", b"2\n", true);
        r.add(0, b"a", b"1:a\n", true);
        assert_eq!(
            shape(&r),
            vec![
                (0, 1, Kind::Match),
                (2, 7, Kind::Match),
                (2, 8, Kind::Match),
                (5, 1, Kind::Match)
            ]
        );
        assert_eq!(r.row(2, 1).unwrap().1.text, b"b2");
        r.restart(2);
        assert_eq!(shape(&r).len(), 2);
    }

    /// The window keeps the first rows in path order: later files are
    /// dropped and counted, whatever order they came in.
    #[test]
    fn the_window_keeps_the_first_rows() {
        let mut r = Results::new(4);
        r.add(9, b"z", b"1:z\n2:z\n", true);
        r.add(1, b"b", b"1:b\n2:b\n", true);
        r.add(0, b"a", b"1:a\n2:a\n", true);
        assert_eq!(shape(&r).iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 0, 1, 1]);
        assert_eq!(r.unkept, 2);
        r.add(12, b"y", b"1:y\n", true);
        assert_eq!(r.unkept, 3, "a file past the cutoff is only counted");
        let mut big = Results::new(3);
        big.add(0, b"a", b"1:a\n2:a\n3:a\n4:a\n5:a\n", true);
        assert_eq!(shape(&big).len(), 3);
        assert_eq!(big.unkept, 2);
        big.add(1, b"b", b"1:b\n", true);
        assert_eq!(big.unkept, 3);
    }
}
