//! The single owner of stdout: writes released results in order, inserts
//! the separator between files, prints diagnostics through `Messages` (after
//! flushing what stdout holds, so the two streams interleave in order),
//! sums the stats, renders the `--stats` block or the JSON summary, and
//! ends the run with one `Tally`.
//!
//! Nothing else in dragnet writes to stdout (but the signal thread's last
//! colour reset, when the main thread is stuck, and the one-shot texts
//! written by `write_stdout`). A failed write surfaces as an error that says
//! "error writing to stdout" (exit 2); a broken pipe keeps its
//! `io::ErrorKind::BrokenPipe` for the caller to turn into exit 0.

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::time::{Duration, Instant};

use grep_printer::Stats;

use crate::config::{Buffering, RunOpts};
use crate::exit::Tally;
use crate::messages::Messages;
use crate::order::Finished;
use crate::progress::Progress;
use crate::query::SearchMode;

/// The SGR reset written when a coloured search is cancelled on a terminal.
pub(crate) const COLOR_RESET: &[u8] = b"\x1b[0m";

/// A write to stdout that failed: says so, and keeps the cause's text
/// (its `io::ErrorKind` stays on the `io::Error` that carries it).
#[derive(Debug)]
struct WriteFailed(io::Error);

impl std::fmt::Display for WriteFailed {
    /// "error writing to stdout: CAUSE".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error writing to stdout: {}", self.0)
    }
}

impl std::error::Error for WriteFailed {}

/// Marks `e`, from a write to stdout, as such (once); the kind is kept, so
/// a broken pipe is still recognised.
pub(crate) fn write_failed(e: io::Error) -> io::Error {
    if e.get_ref().is_some_and(|inner| inner.is::<WriteFailed>()) {
        return e;
    }
    io::Error::new(e.kind(), WriteFailed(e))
}

/// stdout, whose errors say they are errors writing to stdout.
pub(crate) struct StdoutWriter(Stdout);

impl StdoutWriter {
    /// The process's stdout.
    pub(crate) fn new() -> StdoutWriter {
        StdoutWriter(io::stdout())
    }
}

impl Write for StdoutWriter {
    /// Writes to stdout; a failure is marked as a write to stdout.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(write_failed)
    }

    /// Flushes stdout; a failure is marked as a write to stdout.
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(write_failed)
    }
}

/// Writes `bytes` to stdout at once and flushes (help, version, the man
/// page, completions); an error says it was writing to stdout.
pub(crate) fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = StdoutWriter::new();
    out.write_all(bytes)?;
    out.flush()
}

/// Writes results to stdout and keeps the run's totals.
pub(crate) struct Output {
    out: BufWriter<StdoutWriter>,
    /// Printed between two files' outputs (then a newline).
    separator: Option<Vec<u8>>,
    /// Whether any file's output has been written.
    ever_written: bool,
    /// Whether the current (head) file has started writing.
    file_started: bool,
    line_buffered: bool,
    /// Colour escapes may reach a terminal (reset them on cancel).
    color_tty: bool,
    quiet: bool,
    msgs: Messages,
    /// Files searched and released so far.
    files: u64,
    /// Of those, files with a match.
    files_matched: u64,
    /// Stats summed over every file released.
    totals: Stats,
    matched: bool,
    searched: bool,
    started: Instant,
}

impl Output {
    /// Creates the writer for a run configured by `run`; `color` says
    /// whether colour escapes are printed.
    pub(crate) fn new(run: &RunOpts, color: bool) -> Output {
        let progress = Progress::new(run.progress);
        Output {
            out: BufWriter::with_capacity(64 << 10, StdoutWriter::new()),
            separator: run.file_separator.clone(),
            ever_written: false,
            file_started: false,
            line_buffered: run.buffering == Buffering::Line,
            color_tty: color && io::stdout().is_terminal(),
            quiet: run.quiet,
            msgs: Messages::new(
                run.no_messages,
                run.no_ignore_messages,
                progress,
                run.sanitize_stderr,
            ),
            files: 0,
            files_matched: 0,
            totals: Stats::new(),
            matched: false,
            searched: false,
            started: Instant::now(),
        }
    }

    /// True when colour escapes may have reached a terminal.
    pub(crate) fn color_tty(&self) -> bool {
        self.color_tty
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
            self.totals += fin.stats;
        }
        if let Some(msg) = fin.error {
            self.error(&msg)?;
        }
        self.maybe_flush()
    }

    /// Writes one entry of a listing (--files, --type-list): it counts as a
    /// match for the exit code.
    pub(crate) fn listed(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.matched = true;
        self.out.write_all(bytes)?;
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

    /// Reports an error (exit 2), after what stdout holds.
    pub(crate) fn error(&mut self, msg: &str) -> io::Result<()> {
        self.out.flush()?;
        self.msgs.error(msg);
        Ok(())
    }

    /// Reports a note (not an error), after what stdout holds.
    pub(crate) fn note(&mut self, msg: &str) -> io::Result<()> {
        self.out.flush()?;
        self.msgs.note(msg);
        Ok(())
    }

    /// Reports a problem with an ignore file, after what stdout holds.
    pub(crate) fn ignore_problem(&mut self, msg: &str) -> io::Result<()> {
        self.out.flush()?;
        self.msgs.ignore_problem(msg);
        Ok(())
    }

    /// The progress line.
    pub(crate) fn progress(&mut self) -> &mut Progress {
        self.msgs.progress()
    }

    /// Redraws the progress line: `bytes` read so far, `current` the file
    /// the output is waiting on.
    pub(crate) fn draw_progress(&mut self, bytes: u64, current: &str) {
        let (files, matched) = (self.files, self.files_matched);
        self.msgs.progress().draw(files, matched, bytes, current);
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

    /// A search was cut short: erases the progress line, resets colour on a
    /// terminal (output may have stopped inside a coloured span) and
    /// flushes, ignoring errors (the run is ending anyway).
    pub(crate) fn cut_short(&mut self, reset_color: bool) {
        self.msgs.progress().clear();
        if reset_color && self.color_tty {
            let _ = self.out.write_all(COLOR_RESET);
        }
        let _ = self.out.flush();
    }

    /// Ends a search that ran to its end: the "nothing searched" hint (an
    /// error) when filters left nothing to search, the summary when asked
    /// for; returns the run's tally.
    pub(crate) fn end_search(
        &mut self,
        implicit_path: bool,
        summary: Option<SearchMode>,
    ) -> io::Result<Tally> {
        self.msgs.progress().clear();
        if implicit_path && !self.searched && !self.msgs.errored() {
            // ripgrep's words, word for word (editors and scripts look
            // for them).
            self.error(
                "No files were searched, which means ripgrep probably applied a filter you \
                 didn't expect.\nRunning with --debug will show why files are being skipped.",
            )?;
        }
        if let Some(mode) = summary {
            self.summary(mode)?;
        }
        self.flush()?;
        Ok(self.tally())
    }

    /// What the run found out, for its exit code.
    pub(crate) fn tally(&self) -> Tally {
        Tally { matched: self.matched, errored: self.msgs.errored(), quiet: self.quiet }
    }

    /// Writes the `--stats` block or the JSON summary, as ripgrep does.
    fn summary(&mut self, mode: SearchMode) -> io::Result<()> {
        let elapsed = self.started.elapsed();
        let t = &self.totals;
        if mode == SearchMode::Json {
            let line = json_summary(t, elapsed);
            self.out.write_all(line.as_bytes())?;
            return self.out.write_all(b"\n");
        }
        write!(
            self.out,
            "\n{} matches\n{} matched lines\n{} files contained matches\n{} files searched\n\
             {} bytes printed\n{} bytes searched\n{:0.6} seconds spent searching\n{:0.6} seconds total\n",
            t.matches(),
            t.matched_lines(),
            t.searches_with_match(),
            t.searches(),
            t.bytes_printed(),
            t.bytes_searched(),
            t.elapsed().as_secs_f64(),
            elapsed.as_secs_f64(),
        )
    }
}

/// Renders ripgrep's JSON summary message (keys in sorted order).
fn json_summary(t: &Stats, elapsed: Duration) -> String {
    let e = t.elapsed();
    let v = serde_json::json!({
        "type": "summary",
        "data": {
            "stats": {
                "elapsed": {"secs": e.as_secs(), "nanos": e.subsec_nanos(), "human": format!("{:0.6}s", e.as_secs_f64())},
                "searches": t.searches(),
                "searches_with_match": t.searches_with_match(),
                "bytes_searched": t.bytes_searched(),
                "bytes_printed": t.bytes_printed(),
                "matched_lines": t.matched_lines(),
                "matches": t.matches(),
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

    /// A failed write says it was writing to stdout, once, and keeps its
    /// kind (a broken pipe stays one).
    #[test]
    fn write_errors_name_stdout_and_keep_their_kind() {
        let full = write_failed(io::Error::from_raw_os_error(28));
        assert_eq!(
            full.to_string(),
            "error writing to stdout: No space left on device (os error 28)"
        );
        assert_eq!(write_failed(full).to_string().matches("stdout").count(), 1);
        let pipe = write_failed(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(pipe.kind(), io::ErrorKind::BrokenPipe);
    }

    /// The summary line has ripgrep's sorted key order.
    #[test]
    fn json_summary_keys_are_sorted_like_ripgrep() {
        let mut t = Stats::new();
        t.add_searches(2);
        t.add_matches(3);
        let s = json_summary(&t, Duration::from_millis(1500));
        assert!(s.starts_with(r#"{"data":{"elapsed_total":{"human":"1.500000s","nanos":500000000,"secs":1},"stats":{"bytes_printed":0,"bytes_searched":0,"elapsed":{"human":"0.000000s","nanos":0,"secs":0},"matched_lines":0,"matches":3,"searches":2,"searches_with_match":0}},"type":"summary"}"#), "{s}");
    }
}
