//! Searches one file into an output buffer, in a worker process: ripgrep's
//! search worker (matcher + searcher + printer), minus any stdout access.
//!
//! It never touches stdout or stderr; its output and errors go back to the
//! parent as frames through `FrameWriter`.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use grep_printer::{JSONBuilder, StandardBuilder, Stats, SummaryBuilder, SummaryKind, JSON};
use grep_printer::{Standard, Summary};
use grep_regex::RegexMatcher;
use grep_searcher::{Searcher, SearcherBuilder};
use termcolor::{ColorSpec, WriteColor};

use crate::config::{Config, SearchMode};
use crate::wire::{self, FileStats, Job};

/// Output of one file above this size is sent ahead as a chunk frame.
const CHUNK_LIMIT: usize = 1 << 20;
/// Output waits at most this long in a worker before it is sent.
const STREAM_DELAY: Duration = Duration::from_millis(2);
/// Encoded frames above this size are written to the pipe at once.
const FLUSH_LIMIT: usize = 64 << 10;
/// A walked file is read into a buffer of this size first; one that fits is
/// searched there. It is the searcher's own buffer size (and the span its
/// slice search checks for binary data), so a file that fits gets exactly
/// the verdict a read search gives it.
const HEAD_CAP: usize = 64 << 10;

/// The printer's writer: renders into a buffer, and owns the result pipe
/// through which that buffer leaves as frames.
pub(crate) struct FrameWriter {
    /// The current file's rendered output not yet sent.
    cur: Vec<u8>,
    /// Encoded frames waiting to be written to the pipe.
    frames: Vec<u8>,
    /// Whether colour escapes are written.
    color: bool,
    /// The file whose output is being rendered.
    seq: u64,
    /// The write end of this worker's result pipe.
    pipe: File,
    /// When frames were last written.
    flushed_at: Instant,
    /// Queued frames include some file's output.
    pending_output: bool,
    /// A run of consecutive files that ended silently, not yet encoded:
    /// first sequence number, count and summed stats.
    quiet: Option<(u64, u32, FileStats)>,
}

impl FrameWriter {
    /// Creates a writer that sends frames down `pipe`.
    pub(crate) fn new(pipe: File, color: bool) -> FrameWriter {
        FrameWriter {
            cur: Vec::new(),
            frames: Vec::new(),
            color,
            seq: 0,
            pipe,
            flushed_at: Instant::now(),
            pending_output: false,
            quiet: None,
        }
    }

    /// Starts rendering file `seq`; any leftover output is discarded.
    fn begin(&mut self, seq: u64) -> io::Result<()> {
        self.seq = seq;
        self.cur.clear();
        if self.output_is_stale() {
            self.flush_frames()?;
        }
        Ok(())
    }

    /// Queued frames hold output that has waited `STREAM_DELAY` or more.
    fn output_is_stale(&self) -> bool {
        self.pending_output && self.flushed_at.elapsed() >= STREAM_DELAY
    }

    /// Queues the done frame for the current file (or adds a silent file to
    /// the quiet run).
    fn done(&mut self, has_match: bool, stats: &FileStats, error: Option<&str>) -> io::Result<()> {
        let had_output = !self.cur.is_empty();
        if !had_output && !has_match && error.is_none() {
            self.add_quiet(stats);
            return Ok(());
        }
        self.end_quiet();
        wire::encode_done(&mut self.frames, self.seq, has_match, stats, error, &self.cur);
        self.cur.clear();
        // Output should reach the printer soon, but one write per file
        // costs more than the search of a small file: output leaves when
        // the last write is `STREAM_DELAY` old; silent records go in bulk.
        self.pending_output |= had_output;
        if self.output_is_stale() || self.frames.len() >= FLUSH_LIMIT {
            self.flush_frames()?;
        }
        Ok(())
    }

    /// Adds the current (silent) file to the quiet run, or starts a new run
    /// if it does not follow the last one. (Stale output waiting is sent by
    /// the next `begin` or at the batch's end.)
    fn add_quiet(&mut self, stats: &FileStats) {
        match &mut self.quiet {
            Some((first, count, sum)) if *first + u64::from(*count) == self.seq => {
                *count += 1;
                sum.add(stats);
            }
            _ => {
                self.end_quiet();
                self.quiet = Some((self.seq, 1, *stats));
            }
        }
    }

    /// Encodes the quiet run, if any, so frames keep the order of the files.
    fn end_quiet(&mut self) {
        if let Some((first, count, stats)) = self.quiet.take() {
            wire::encode_quiet(&mut self.frames, first, count, &stats);
        }
    }

    /// Writes every queued frame to the pipe.
    pub(crate) fn flush_frames(&mut self) -> io::Result<()> {
        self.end_quiet();
        if !self.frames.is_empty() {
            self.pipe.write_all(&self.frames)?;
            self.frames.clear();
        }
        self.flushed_at = Instant::now();
        self.pending_output = false;
        Ok(())
    }

    /// Sends the current output ahead as a chunk (big outputs stream).
    /// Only whole lines leave: a cancelled search never prints half a line
    /// (or half a colour escape); the rest waits for the next chunk.
    fn send_chunk(&mut self) -> io::Result<()> {
        let Some(end) = self.cur.iter().rposition(|&b| b == b'\n') else { return Ok(()) };
        self.end_quiet();
        wire::encode_chunk(&mut self.frames, self.seq, &self.cur[..=end]);
        self.cur.drain(..=end);
        self.flush_frames()
    }
}

impl Write for FrameWriter {
    /// Appends to the current file's output, sending a chunk when it is big.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.cur.extend_from_slice(buf);
        if self.cur.len() >= CHUNK_LIMIT && buf.contains(&b'\n') {
            self.send_chunk()?;
        }
        Ok(buf.len())
    }

    /// Nothing to do: frames leave at file and batch boundaries.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WriteColor for FrameWriter {
    /// Colour is on when the parent decided so.
    fn supports_color(&self) -> bool {
        self.color
    }

    /// Writes the ANSI escape for `spec` into the output.
    fn set_color(&mut self, spec: &ColorSpec) -> io::Result<()> {
        if self.color {
            termcolor::Ansi::new(&mut self.cur).set_color(spec)?;
        }
        Ok(())
    }

    /// Writes the ANSI reset escape into the output.
    fn reset(&mut self) -> io::Result<()> {
        if self.color {
            termcolor::Ansi::new(&mut self.cur).reset()?;
        }
        Ok(())
    }
}

/// The printer chosen for the output mode.
enum Printer {
    Standard(Standard<FrameWriter>),
    Summary(Summary<FrameWriter>),
    Json(JSON<FrameWriter>),
}

/// A matcher, a searcher and a printer: searches files one at a time.
pub(crate) struct SearchWorker<'a> {
    cfg: &'a Config,
    matcher: &'a RegexMatcher,
    searcher: Searcher,
    printer: Printer,
    /// Set with -z: runs decompression commands for compressed files.
    decomp: Option<grep_cli::DecompressionReaderBuilder>,
    /// The first `HEAD_CAP` bytes of a walked file (see `run_walked`).
    head: Vec<u8>,
}

/// Where the bytes of one search come from.
enum Source<'r> {
    /// Open the path (the searcher may memory-map it).
    Path,
    /// A stream: stdin or a decompression command's output.
    Reader(&'r mut dyn io::Read),
    /// A whole file, already in memory.
    Slice(&'r [u8]),
}

/// What searching one file produced, besides its output.
struct Outcome {
    has_match: bool,
    stats: Option<Stats>,
}

impl<'a> SearchWorker<'a> {
    /// Builds a worker whose output leaves through `out`.
    pub(crate) fn new(cfg: &'a Config, matcher: &'a RegexMatcher, out: FrameWriter) -> Self {
        let decomp = cfg.search_zip.then(|| {
            let mut b = grep_cli::DecompressionReaderBuilder::new();
            b.async_stderr(true);
            b
        });
        let (searcher, printer) = (searcher(cfg), printer(cfg, out));
        SearchWorker { cfg, matcher, searcher, printer, decomp, head: Vec::new() }
    }

    /// Searches one file and queues its done frame (output, stats, error).
    pub(crate) fn search(&mut self, job: &Job) -> io::Result<()> {
        self.writer().begin(job.seq)?;
        let bin = if job.explicit { &self.cfg.binary_explicit } else { &self.cfg.binary_implicit };
        self.searcher.set_binary_detection(bin.clone());
        let path = Path::new(OsStr::from_bytes(&job.path));
        let result = if job.stdin {
            let stdin = io::stdin();
            self.run(path, Source::Reader(&mut stdin.lock()))
        } else if self.decomp.as_ref().is_some_and(|d| d.get_matcher().has_command(path)) {
            self.run_decompressed(path)
        } else if !job.explicit && !self.cfg.mmap && bin.convert_byte().is_none() {
            self.run_walked(path)
        } else {
            self.run(path, Source::Path)
        };
        match result {
            Ok(o) => {
                let stats = o.stats.as_ref().map(to_wire).unwrap_or_default();
                self.writer().done(o.has_match, &stats, None)
            }
            Err(e) if is_pipe_error(&e) => Err(e),
            Err(e) => {
                let msg = format!("{}: {}", path.display(), e);
                self.writer().done(false, &FileStats::default(), Some(&msg))
            }
        }
    }

    /// Sends every queued frame to the parent.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.writer().flush_frames()
    }

    /// The printer's writer.
    fn writer(&mut self) -> &mut FrameWriter {
        match &mut self.printer {
            Printer::Standard(p) => p.get_mut(),
            Printer::Summary(p) => p.get_mut(),
            Printer::Json(p) => p.get_mut(),
        }
    }

    /// Searches the output of the decompression command for `path` (-z).
    fn run_decompressed(&mut self, path: &Path) -> io::Result<Outcome> {
        let mut rdr = self.decomp.as_ref().expect("checked by caller").build(path)?;
        let result = self.run(path, Source::Reader(&mut rdr));
        let closed = rdr.close();
        let outcome = result?;
        closed?;
        Ok(outcome)
    }

    /// Searches a file found by the walk with one syscall fewer than the
    /// searcher's own reading (which first reads 3 bytes to sniff a BOM): the
    /// file is read into `head`; if it all fits, it is searched as a slice
    /// (which sniffs the BOM in memory), else as `head` followed by the rest
    /// of the file. Either way the searcher sees the same bytes and gives the
    /// same output. Not for files named on the command line (their binary
    /// data is converted, which only a read search does), nor with --mmap.
    fn run_walked(&mut self, path: &Path) -> io::Result<Outcome> {
        let mut file = File::open(path)?;
        let mut head = std::mem::take(&mut self.head);
        head.resize(HEAD_CAP, 0);
        let result = match wire::read_full(&mut file, &mut head) {
            Ok(n) if n < HEAD_CAP => self.run(path, Source::Slice(&head[..n])),
            Ok(n) => self.run(path, Source::Reader(&mut io::Read::chain(&head[..n], file))),
            Err(e) => Err(e),
        };
        self.head = head;
        result
    }

    /// Runs the searcher over `src` into the printer, naming it `path`.
    fn run(&mut self, path: &Path, src: Source<'_>) -> io::Result<Outcome> {
        let m = self.matcher;
        let s = &mut self.searcher;
        macro_rules! go {
            ($sink:expr, $stats:expr) => {{
                let mut sink = $sink;
                match src {
                    Source::Reader(r) => s.search_reader(m, r, &mut sink)?,
                    Source::Slice(b) => s.search_slice(m, b, &mut sink)?,
                    Source::Path => s.search_path(m, path, &mut sink)?,
                }
                Ok(Outcome { has_match: sink.has_match(), stats: $stats(&sink) })
            }};
        }
        match &mut self.printer {
            Printer::Standard(p) => {
                go!(p.sink_with_path(m, path), |s: &grep_printer::StandardSink<_, _>| s
                    .stats()
                    .cloned())
            }
            Printer::Summary(p) => {
                go!(p.sink_with_path(m, path), |s: &grep_printer::SummarySink<_, _>| s
                    .stats()
                    .cloned())
            }
            Printer::Json(p) => {
                go!(p.sink_with_path(m, path), |s: &grep_printer::JSONSink<_, _>| Some(
                    s.stats().clone()
                ))
            }
        }
    }
}

/// True for the errors that mean the parent has gone away.
pub(crate) fn is_pipe_error(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Converts printer stats to their wire form.
fn to_wire(s: &Stats) -> FileStats {
    FileStats {
        elapsed_nanos: s.elapsed().as_nanos() as u64,
        searches: s.searches(),
        searches_with_match: s.searches_with_match(),
        bytes_searched: s.bytes_searched(),
        bytes_printed: s.bytes_printed(),
        matched_lines: s.matched_lines(),
        matches: s.matches(),
    }
}

/// ripgrep's memory-map choice: maps for a few explicit files, else reads.
fn mmap_choice(mmap: bool) -> grep_searcher::MmapChoice {
    if !mmap {
        return grep_searcher::MmapChoice::never();
    }
    // SAFETY: the map is only read, and only for the length of one search.
    // If the file is truncated under it, the kernel raises SIGBUS in this
    // worker process alone: the parent sees the worker die, retries the
    // file on another worker and reports it if that fails too. The signal
    // is contained by the process boundary (this is fault isolation).
    unsafe { grep_searcher::MmapChoice::auto() }
}

/// Builds the searcher exactly as ripgrep configures it.
fn searcher(cfg: &Config) -> Searcher {
    let term = if cfg.crlf {
        grep_matcher::LineTerminator::crlf()
    } else if cfg.null_data {
        grep_matcher::LineTerminator::byte(b'\0')
    } else {
        grep_matcher::LineTerminator::byte(b'\n')
    };
    let mut b = SearcherBuilder::new();
    b.max_matches(cfg.max_count)
        .line_terminator(term)
        .invert_match(cfg.invert_match)
        .line_number(cfg.line_number)
        .multi_line(cfg.multiline)
        .stop_on_nonmatch(cfg.stop_on_nonmatch)
        .memory_map(mmap_choice(cfg.mmap));
    if cfg.passthru {
        b.passthru(true);
    } else {
        b.before_context(cfg.before_context).after_context(cfg.after_context);
    }
    if let Some(enc) = &cfg.encoding {
        b.encoding(Some(enc.clone()));
    }
    b.bom_sniffing(cfg.bom_sniffing);
    b.build()
}

/// Builds the printer for the output mode, as ripgrep configures it; the
/// separator between files is left to the parent, which alone knows order.
fn printer(cfg: &Config, out: FrameWriter) -> Printer {
    let mode = cfg.search_mode().unwrap_or(SearchMode::Standard);
    let kind = match (cfg.quiet, mode) {
        (true, SearchMode::FilesWithoutMatch) => Some(SummaryKind::QuietWithoutMatch),
        (true, _) => Some(SummaryKind::QuietWithMatch),
        (false, SearchMode::FilesWithMatches) => Some(SummaryKind::PathWithMatch),
        (false, SearchMode::FilesWithoutMatch) => Some(SummaryKind::PathWithoutMatch),
        (false, SearchMode::Count) => Some(SummaryKind::Count),
        (false, SearchMode::CountMatches) => Some(SummaryKind::CountMatches),
        (false, SearchMode::Json | SearchMode::Standard) => None,
    };
    if let Some(kind) = kind {
        return Printer::Summary(
            SummaryBuilder::new()
                .color_specs(cfg.color_specs.clone())
                .exclude_zero(!cfg.include_zero)
                .kind(kind)
                .path(cfg.with_filename)
                .path_terminator(cfg.path_terminator)
                .separator_field(b":".to_vec())
                .separator_path(cfg.path_separator)
                .stats(cfg.stats)
                .build(out),
        );
    }
    if mode == SearchMode::Json {
        return Printer::Json(
            JSONBuilder::new()
                .pretty(false)
                .always_begin_end(false)
                .replacement(cfg.replace.clone())
                .build(out),
        );
    }
    Printer::Standard(
        StandardBuilder::new()
            .byte_offset(cfg.byte_offset)
            .color_specs(cfg.color_specs.clone())
            .column(cfg.column)
            .heading(cfg.heading)
            .max_columns_preview(cfg.max_columns_preview)
            .max_columns(cfg.max_columns)
            .only_matching(cfg.only_matching)
            .path(cfg.with_filename)
            .path_terminator(cfg.path_terminator)
            .per_match_one_line(true)
            .per_match(cfg.vimgrep)
            .replacement(cfg.replace.clone())
            .separator_context(cfg.context_separator.clone())
            .separator_field_context(cfg.field_context_separator.clone())
            .separator_field_match(cfg.field_match_separator.clone())
            .separator_path(cfg.path_separator)
            .stats(cfg.stats)
            .trim_ascii(cfg.trim)
            .build(out),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek};

    /// The frames a `FrameWriter` sends (through a temporary file named
    /// after `name`) while `write` drives it, then flushes it.
    fn frames_of(name: &str, write: impl FnOnce(&mut FrameWriter)) -> Vec<wire::Response> {
        let path = std::env::temp_dir().join(format!("dn-{name}-{}", std::process::id()));
        let file = File::options().read(true).write(true).create(true).truncate(true).open(&path);
        let mut file = file.unwrap();
        let mut w = FrameWriter::new(file.try_clone().unwrap(), false);
        write(&mut w);
        w.flush_frames().unwrap();
        let mut bytes = Vec::new();
        file.rewind().unwrap();
        file.read_to_end(&mut bytes).unwrap();
        let _ = std::fs::remove_file(&path);
        let (mut rdr, mut payload, mut got) = (&bytes[..], Vec::new(), Vec::new());
        while let Some(tag) = wire::read_frame(&mut rdr, &mut payload).unwrap() {
            got.push(wire::decode_response(tag, &payload).unwrap());
        }
        got
    }

    /// Big output leaves in chunks that end at line ends, and nothing is
    /// lost or reordered across chunks and the final done frame.
    #[test]
    fn chunks_cut_only_at_line_ends() {
        let text: Vec<u8> = (0..200_000).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let frames = frames_of("chunks", |w| {
            w.begin(7).unwrap();
            for piece in text.chunks(7) {
                w.write_all(piece).unwrap();
            }
            w.done(true, &FileStats::default(), None).unwrap();
        });
        let (mut all, mut chunks) = (Vec::new(), 0);
        for frame in frames {
            match frame {
                wire::Response::Chunk { seq, bytes } => {
                    assert_eq!(seq, 7);
                    assert_eq!(bytes.last(), Some(&b'\n'), "a chunk ends mid-line");
                    chunks += 1;
                    all.extend(bytes);
                }
                wire::Response::Done { bytes, .. } => all.extend(bytes),
                other => panic!("unexpected frame {other:?}"),
            }
        }
        assert!(chunks >= 1, "output over the limit was not chunked");
        assert!(all == text, "chunked output differs from what was written");
    }

    /// Silent files that follow one another travel as one quiet frame; a
    /// file with output, or a gap in the numbers, ends the run.
    #[test]
    fn silent_files_travel_as_quiet_runs() {
        let one = FileStats { searches: 1, bytes_searched: 10, ..Default::default() };
        let got = frames_of("quiet", |w| {
            for seq in [0, 1, 2, 3, 4, 5, 7] {
                w.begin(seq).unwrap();
                if seq == 3 {
                    w.write_all(b"hit\n").unwrap();
                }
                w.done(seq == 3, &one, None).unwrap();
            }
        });
        let three = FileStats { searches: 3, bytes_searched: 30, ..Default::default() };
        let two = FileStats { searches: 2, bytes_searched: 20, ..Default::default() };
        let done = |seq, bytes: &[u8]| wire::Response::Done {
            seq,
            has_match: true,
            stats: one,
            error: None,
            bytes: bytes.to_vec(),
        };
        assert_eq!(
            got,
            vec![
                wire::Response::Quiet { first: 0, count: 3, stats: three },
                done(3, b"hit\n"),
                wire::Response::Quiet { first: 4, count: 2, stats: two },
                wire::Response::Quiet { first: 7, count: 1, stats: one },
            ]
        );
    }
}
