//! The single owner of stdout: writes released results in order, inserts
//! the separator between files, prints diagnostics, sums the stats and
//! renders the `--stats` block or the JSON summary.
//!
//! Nothing else in dragnet writes to stdout. A broken pipe surfaces as an
//! `io::ErrorKind::BrokenPipe` error for the caller to turn into exit 0.

use std::io::{self, BufWriter, Stdout, Write};
use std::time::{Duration, Instant};

use crate::config::{Buffering, Config, SearchMode};
use crate::order::Finished;
use crate::progress::Progress;
use crate::wire::FileStats;

/// Writes results to stdout and keeps the run's totals.
pub(crate) struct Output {
    out: BufWriter<Stdout>,
    /// Printed between two files' outputs (then a newline).
    separator: Option<Vec<u8>>,
    /// Whether any file's output has been written.
    ever_written: bool,
    /// Whether the current (head) file has started writing.
    file_started: bool,
    line_buffered: bool,
    no_messages: bool,
    /// The live progress line on stderr, if enabled.
    pub(crate) progress: Progress,
    /// Files searched and released so far.
    pub(crate) files: u64,
    /// Of those, files with a match.
    pub(crate) files_matched: u64,
    /// Stats summed over every file released.
    pub(crate) totals: FileStats,
    pub(crate) matched: bool,
    pub(crate) searched: bool,
    pub(crate) errored: bool,
}

impl Output {
    /// Creates the writer for a run configured by `cfg`.
    pub(crate) fn new(cfg: &Config) -> Output {
        Output {
            out: BufWriter::with_capacity(64 << 10, io::stdout()),
            separator: cfg.file_separator.clone(),
            ever_written: false,
            file_started: false,
            line_buffered: cfg.buffering == Buffering::Line,
            no_messages: cfg.no_messages,
            progress: Progress::new(cfg.progress),
            files: 0,
            files_matched: 0,
            totals: FileStats::default(),
            matched: false,
            searched: false,
            errored: false,
        }
    }

    /// Writes part of the current file's output.
    pub(crate) fn partial(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_file_bytes(bytes)?;
        self.maybe_flush()
    }

    /// Writes the end of the current file's output and records its result.
    pub(crate) fn finished(&mut self, fin: Finished) -> io::Result<()> {
        self.write_file_bytes(&fin.bytes)?;
        self.file_started = false;
        if fin.searched {
            self.searched = true;
            self.files += 1;
            self.files_matched += u64::from(fin.has_match);
            self.matched |= fin.has_match;
            self.totals.add(&fin.stats);
        }
        if let Some(msg) = fin.error {
            self.error(&msg)?;
        }
        self.maybe_flush()
    }

    /// Writes file bytes, preceded by the file separator when this is the
    /// first output of a file that is not the first file with output.
    fn write_file_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if !self.file_started {
            self.file_started = true;
            if let (true, Some(sep)) = (self.ever_written, &self.separator) {
                self.out.write_all(sep)?;
                self.out.write_all(b"\n")?;
            }
            self.ever_written = true;
        }
        self.out.write_all(bytes)
    }

    /// Prints an error for the user and marks the run as errored.
    pub(crate) fn error(&mut self, msg: &str) -> io::Result<()> {
        self.errored = true;
        if !self.no_messages {
            self.message(msg)?;
        }
        Ok(())
    }

    /// Prints a message on stderr after flushing what stdout holds.
    pub(crate) fn message(&mut self, msg: &str) -> io::Result<()> {
        self.out.flush()?;
        self.progress.clear();
        let _ = writeln!(io::stderr().lock(), "dn: {msg}");
        Ok(())
    }

    /// Redraws the progress line: `bytes` read so far, `current` the file
    /// the output is waiting on.
    pub(crate) fn draw_progress(&mut self, bytes: u64, current: &str) {
        self.progress.draw(self.files, self.files_matched, bytes, current);
    }

    /// Flushes when line buffered (a terminal or --line-buffered).
    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.line_buffered {
            self.out.flush()?;
        }
        Ok(())
    }

    /// Writes everything buffered to stdout.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Writes raw bytes (the colour reset on cancel) and flushes.
    pub(crate) fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.out.flush()
    }

    /// Writes the `--stats` block or the JSON summary, as ripgrep does.
    pub(crate) fn summary(&mut self, mode: SearchMode, started: Instant) -> io::Result<()> {
        let elapsed = started.elapsed();
        let t = self.totals;
        if mode == SearchMode::Json {
            let line = json_summary(&t, elapsed);
            self.out.write_all(line.as_bytes())?;
            return self.out.write_all(b"\n");
        }
        write!(
            self.out,
            "\n{} matches\n{} matched lines\n{} files contained matches\n{} files searched\n\
             {} bytes printed\n{} bytes searched\n{:0.6} seconds spent searching\n{:0.6} seconds total\n",
            t.matches,
            t.matched_lines,
            t.searches_with_match,
            t.searches,
            t.bytes_printed,
            t.bytes_searched,
            Duration::from_nanos(t.elapsed_nanos).as_secs_f64(),
            elapsed.as_secs_f64(),
        )
    }
}

/// Renders ripgrep's JSON summary message (keys in sorted order).
fn json_summary(t: &FileStats, elapsed: Duration) -> String {
    let e = Duration::from_nanos(t.elapsed_nanos);
    let v = serde_json::json!({
        "type": "summary",
        "data": {
            "stats": {
                "elapsed": {"secs": e.as_secs(), "nanos": e.subsec_nanos(), "human": format!("{:0.6}s", e.as_secs_f64())},
                "searches": t.searches,
                "searches_with_match": t.searches_with_match,
                "bytes_searched": t.bytes_searched,
                "bytes_printed": t.bytes_printed,
                "matched_lines": t.matched_lines,
                "matches": t.matches,
            },
            "elapsed_total": {
                "secs": elapsed.as_secs(),
                "nanos": elapsed.subsec_nanos(),
                "human": format!("{:0.6}s", elapsed.as_secs_f64()),
            },
        }
    });
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary line has ripgrep's sorted key order.
    #[test]
    fn json_summary_keys_are_sorted_like_ripgrep() {
        let t = FileStats { searches: 2, matches: 3, ..Default::default() };
        let s = json_summary(&t, Duration::from_millis(1500));
        assert!(s.starts_with(r#"{"data":{"elapsed_total":{"human":"1.500000s","nanos":500000000,"secs":1},"stats":{"bytes_printed":0,"bytes_searched":0,"elapsed":{"human":"0.000000s","nanos":0,"secs":0},"matched_lines":0,"matches":3,"searches":2,"searches_with_match":0}},"type":"summary"}"#), "{s}");
    }
}
