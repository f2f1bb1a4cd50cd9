//! Searches one file into the frame writer, in a worker process: ripgrep's
//! search worker (matcher + searcher + printer) for one query, minus any
//! stdout access, with its preprocessor (--pre) and decompression (-z)
//! commands.
//!
//! It never touches stdout or stderr; its output and errors go back to the
//! parent as frames through `FrameWriter`. A search whose query has been
//! superseded stops at the next read and sends nothing. The commands it
//! starts die with the worker (`die_with_worker`).

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use grep_cli::{CommandReader, CommandReaderBuilder, DecompressionMatcher};
use grep_printer::Stats;
use grep_searcher::{Searcher, SearcherBuilder};

use crate::frames::FrameWriter;
use crate::matcher::Matcher;
use crate::opener::{Opened, Opener};
use crate::printer::{self, Printer};
use crate::query::{Query, SearcherOpts};
use crate::wire::{self, Job};

/// A regular file is read into a buffer of this size first; one that fits is
/// searched there. It is the searcher's own buffer size (and the span its
/// slice search checks for binary data), so a file that fits gets exactly
/// the verdict a read search gives it.
const HEAD_CAP: usize = 64 << 10;

/// Tells whether the query being searched is still the current one.
#[derive(Clone, Copy)]
pub(crate) struct Currency {
    /// The generation the parent wants searched now (shared memory).
    now: &'static AtomicU64,
    /// The generation of this worker's query.
    mine: u64,
}

impl Currency {
    /// A check of generation `mine` against the shared counter `now`.
    pub(crate) fn new(now: &'static AtomicU64, mine: u64) -> Currency {
        Currency { now, mine }
    }

    /// True once the parent has moved on to a newer query.
    pub(crate) fn superseded(&self) -> bool {
        self.now.load(Ordering::Relaxed) != self.mine
    }
}

/// The error a read returns once the query is superseded.
#[derive(Debug)]
struct Superseded;

impl std::fmt::Display for Superseded {
    /// A short phrase (never shown: superseded searches send nothing).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("query superseded")
    }
}

impl std::error::Error for Superseded {}

/// True when `e` is the error of a superseded search.
fn is_superseded(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Superseded>())
}

/// A reader that fails with `Superseded` once its query is no longer
/// current: a search is dropped within one buffer (64 KiB) of the change.
struct Checked<'r> {
    inner: &'r mut dyn io::Read,
    currency: Option<Currency>,
}

impl io::Read for Checked<'_> {
    /// Reads from the inner reader unless the query was superseded.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.currency.is_some_and(|c| c.superseded()) {
            return Err(io::Error::other(Superseded));
        }
        self.inner.read(buf)
    }
}

/// A file whose first bytes were read into `head` already, read on as if
/// they had not been: a read takes what is left of `head` and fills the
/// rest of the buffer with one read of the file, as one read of the file
/// from that offset would (a regular file gives as much as asked).
struct Resumed<'h> {
    head: &'h [u8],
    file: File,
}

impl io::Read for Resumed<'_> {
    /// Copies from `head`, then reads the file into the room left; an error
    /// of that read after some bytes of `head` waits for the next call.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.len().min(buf.len());
        buf[..n].copy_from_slice(&self.head[..n]);
        self.head = &self.head[n..];
        if n == buf.len() {
            return Ok(n);
        }
        match self.file.read(&mut buf[n..]) {
            Ok(m) => Ok(n + m),
            Err(_) if n > 0 => Ok(n),
            Err(e) => Err(e),
        }
    }
}

/// Where the bytes of one search come from.
enum Source<'r> {
    /// Open the path (the searcher may memory-map it).
    Path,
    /// A stream: stdin, a decompression command's output or a big file.
    Reader(&'r mut dyn io::Read),
    /// A whole file, already in memory.
    Slice(&'r [u8]),
}

/// What searching one file produced, besides its output.
struct Outcome {
    has_match: bool,
    stats: Option<Stats>,
}

/// The preprocessor of a query (--pre, --pre-glob).
struct Preprocessor {
    /// The command.
    bin: PathBuf,
    /// The files it applies to (all when empty).
    globs: ignore::overrides::Override,
}

/// A matcher, a searcher and a printer for one query: searches files one
/// at a time.
pub(crate) struct SearchWorker<W: Write> {
    /// The query's generation.
    gen: u64,
    opts: SearcherOpts,
    matcher: Matcher,
    searcher: Searcher,
    printer: Printer<FrameWriter<W>>,
    /// Set with --pre.
    pre: Option<Preprocessor>,
    /// Set with -z: knows the decompression command of compressed files.
    decomp: Option<DecompressionMatcher>,
    /// Starts preprocessor and decompression commands.
    commands: CommandReaderBuilder,
    /// The first `HEAD_CAP` bytes of a regular file (see `run_headed`).
    head: Vec<u8>,
    /// Opens the regular files read into `head`.
    opener: Opener,
    /// Whether the query is still current, when queries can change.
    currency: Option<Currency>,
    /// The printer that only counts (for files past the screen's window),
    /// writing nowhere; made when first needed.
    counter: Option<Printer<FrameWriter<io::Sink>>>,
    /// The query's printer options (to make `counter`).
    printer_opts: crate::query::PrinterOpts,
    /// The current file is only counted.
    counting: bool,
    /// Tasks may run out (RLIMIT_NPROC): before a command starts, wait
    /// until the last one's stderr thread no longer counts.
    settle: bool,
}

impl<W: Write> SearchWorker<W> {
    /// Builds a worker for query `q` of generation `gen`, compiled into
    /// `matcher`, whose output leaves through `out`.
    pub(crate) fn new(
        q: &Query,
        gen: u64,
        matcher: Matcher,
        out: FrameWriter<W>,
        currency: Option<Currency>,
    ) -> Self {
        let decomp = q.input.search_zip.then(DecompressionMatcher::new);
        // The parent checked the globs: a worker cannot fail on them.
        let pre = q.input.pre.as_ref().map(|bin| Preprocessor {
            bin: PathBuf::from(OsStr::from_bytes(bin)),
            globs: q
                .input
                .pre_glob_matcher()
                .unwrap_or_else(|_| ignore::overrides::Override::empty()),
        });
        let commands_used = q.input.search_zip || q.input.pre.is_some();
        let settle = commands_used && crate::budget::tasks_may_run_out();
        let mut commands = CommandReaderBuilder::new();
        commands.async_stderr(true);
        let mut out = out;
        out.set_style(q.printer.color, q.printer.sanitize);
        let (searcher, printer) = (searcher(&q.searcher), printer::build(&q.printer, out));
        let opts = q.searcher.clone();
        SearchWorker {
            gen,
            opts,
            matcher,
            searcher,
            printer,
            pre,
            decomp,
            commands,
            head: Vec::new(),
            opener: Opener::default(),
            currency,
            counter: None,
            printer_opts: q.printer.clone(),
            counting: false,
            settle,
        }
    }

    /// Gives back the frame writer, to build the worker of the next query.
    pub(crate) fn into_writer(self) -> FrameWriter<W> {
        match self.printer {
            Printer::Standard(p) => p.into_inner(),
            Printer::Summary(p) => p.into_inner(),
            Printer::Json(p) => p.into_inner(),
        }
    }

    /// The generation of this worker's query.
    pub(crate) fn gen(&self) -> u64 {
        self.gen
    }

    /// True once this worker's query is no longer the current one.
    pub(crate) fn superseded(&self) -> bool {
        self.currency.is_some_and(|c| c.superseded())
    }

    /// Searches one file and queues its done frame (output, stats, error),
    /// with no output when `counting` (its matches are counted in the
    /// stats); fails only when the pipe to the parent broke.
    pub(crate) fn search(&mut self, job: &Job, counting: bool) -> io::Result<()> {
        self.printer.get_mut().begin(self.gen, job.seq)?;
        self.counting = counting;
        if counting {
            let opts = &self.printer_opts;
            let counter = self.counter.get_or_insert_with(|| {
                let mut p = opts.clone();
                (p.mode, p.quiet, p.stats) = (crate::query::SearchMode::CountMatches, false, true);
                printer::build(&p, FrameWriter::new(io::sink(), false))
            });
            counter.get_mut().begin(self.gen, job.seq)?;
        }
        let bin = if job.explicit { self.opts.binary_explicit } else { self.opts.binary_implicit };
        let bin = bin.detection();
        self.searcher.set_binary_detection(bin.clone());
        let path = Path::new(OsStr::from_bytes(&job.path));
        log::trace!("{}: binary detection: {:?}", path.display(), bin);
        let result = if job.stdin {
            let stdin = io::stdin();
            self.run(path, Source::Reader(&mut stdin.lock()))
        } else if self.should_preprocess(path) {
            self.run_preprocessed(path)
        } else if let Some(cmd) = self.decomp.as_ref().and_then(|d| d.command(path)) {
            self.run_decompressed(path, cmd)
        } else if job.regular && !self.opts.mmap {
            self.run_headed(path, bin.quit_byte().or(bin.convert_byte()))
        } else {
            self.run(path, Source::Path)
        };
        let out = self.printer.get_mut();
        match result {
            Ok(o) => out.done(o.has_match, o.stats.unwrap_or_default(), None),
            Err(e) if is_pipe_error(&e) => Err(e),
            Err(e) if is_superseded(&e) => {
                out.abandon();
                Ok(())
            }
            Err(e) => out.done(false, Stats::new(), Some(format!("{}: {}", path.display(), e))),
        }
    }

    /// Reads the stderr of --pre and -z commands after their output rather
    /// than on a thread of its own (for a worker in dn's own process, run
    /// when threads are scarce: the thread could not be started).
    pub(crate) fn read_stderr_after(&mut self) {
        self.commands.async_stderr(false);
        self.settle = false;
    }

    /// Starts `cmd` for its output (--pre, -z). When tasks may run out,
    /// waits first until the thread that read the last command's stderr
    /// is gone (the kernel counts an ended thread for a moment; the thread
    /// this one starts cannot fail to start without a panic).
    fn start(&mut self, cmd: &mut Command) -> io::Result<CommandReader> {
        if self.settle {
            crate::budget::settle_threads(1);
        }
        self.commands.build(cmd).map_err(io::Error::from)
    }

    /// Where the frames go (for a worker in dn's own process, the memory
    /// they are read back from).
    pub(crate) fn sink(&mut self) -> &mut W {
        self.printer.get_mut().sink()
    }

    /// Sends every queued frame to the parent.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.printer.get_mut().flush_frames()
    }

    /// Lets go of the directory handle that opened the last files, at the
    /// end of a batch: a later batch may come after that directory's path
    /// names another one.
    pub(crate) fn forget_dirs(&mut self) {
        self.opener.forget();
    }

    /// True when `path` goes through the preprocessor: there is one, and
    /// its globs (if any) do not rule the path out.
    fn should_preprocess(&self, path: &Path) -> bool {
        self.pre
            .as_ref()
            .is_some_and(|p| p.globs.is_empty() || !p.globs.matched(path, false).is_ignore())
    }

    /// Searches the output of `PRE path` run with the file on its stdin
    /// (--pre), with ripgrep's messages when it cannot start or fails.
    fn run_preprocessed(&mut self, path: &Path) -> io::Result<Outcome> {
        let bin = &self.pre.as_ref().expect("checked by caller").bin;
        let mut cmd = Command::new(bin);
        cmd.arg(path).stdin(Stdio::from(File::open(path)?));
        die_with_worker(&mut cmd);
        let mut rdr = self.start(&mut cmd).map_err(|err| {
            io::Error::other(format!("preprocessor command could not start: '{cmd:?}': {err}"))
        })?;
        let result = self.run(path, Source::Reader(&mut rdr)).map_err(|err| {
            if is_pipe_error(&err) || is_superseded(&err) {
                return err;
            }
            io::Error::other(format!("preprocessor command failed: '{cmd:?}': {err}"))
        });
        finish(rdr, result)
    }

    /// Searches the output of `cmd path`, the decompression command for
    /// `path` (-z); a command that cannot start leaves the file to be
    /// searched as it is (as ripgrep does).
    fn run_decompressed(&mut self, path: &Path, mut cmd: Command) -> io::Result<Outcome> {
        cmd.arg(path);
        die_with_worker(&mut cmd);
        let mut rdr = match self.start(&mut cmd) {
            Ok(rdr) => rdr,
            Err(err) => {
                log::debug!(
                    "{}: error spawning command '{cmd:?}': {err} (falling back to uncompressed reader)",
                    path.display()
                );
                return self.run(path, Source::Reader(&mut File::open(path)?));
            }
        };
        let result = self.run(path, Source::Reader(&mut rdr));
        finish(rdr, result)
    }

    /// Searches a regular file with one syscall fewer than the searcher's
    /// own reading (which first reads 3 bytes to sniff a BOM), two where a
    /// short read ends a file (see `opener`): the file is read into
    /// `head`, and if it all fits and holds no binary byte, it is
    /// searched there as a slice (which sniffs the BOM in memory). Else it is
    /// read-searched from `head` and then the file (`Resumed`), which hands
    /// the searcher the same bytes in the same pieces as the file would, so
    /// the output is the searcher's own: where binary data is found, what a
    /// quit skips and what a convert (named files) turns into line ends
    /// depend on those pieces, and a slice search converts nothing. Not with
    /// --mmap (nor for up to ten named files, mapped as ripgrep does).
    fn run_headed(&mut self, path: &Path, binary: Option<u8>) -> io::Result<Outcome> {
        let Opened { mut file, short_read_ends } = self.opener.open(path)?;
        let mut head = std::mem::take(&mut self.head);
        head.resize(HEAD_CAP, 0);
        let result = match wire::fill(&mut file, short_read_ends, &mut head) {
            Ok(n)
                if n < HEAD_CAP
                    && binary.is_none_or(|b| memchr::memchr(b, &head[..n]).is_none()) =>
            {
                self.run(path, Source::Slice(&head[..n]))
            }
            Ok(n) => self.run(path, Source::Reader(&mut Resumed { head: &head[..n], file })),
            Err(e) => Err(e),
        };
        self.head = head;
        result
    }

    /// Runs the searcher over `src` into the printer, naming it `path`,
    /// with the query's engine (the one dispatch on the engine per file).
    fn run(&mut self, path: &Path, src: Source<'_>) -> io::Result<Outcome> {
        let (s, currency) = (&mut self.searcher, self.currency);
        if let (true, Some(p)) = (self.counting, self.counter.as_mut()) {
            return match &self.matcher {
                Matcher::Rust(m) => search_with(m, s, p, path, src, currency),
                #[cfg(feature = "pcre2")]
                Matcher::Pcre2(m) => search_with(m, s, p, path, src, currency),
            };
        }
        let p = &mut self.printer;
        match &self.matcher {
            Matcher::Rust(m) => search_with(m, s, p, path, src, currency),
            #[cfg(feature = "pcre2")]
            Matcher::Pcre2(m) => search_with(m, s, p, path, src, currency),
        }
    }
}

/// Closes a command's reader after its search: the search's error first,
/// then the command's (its exit status and stderr).
fn finish(mut rdr: CommandReader, result: io::Result<Outcome>) -> io::Result<Outcome> {
    let closed = rdr.close();
    let outcome = result?;
    closed?;
    Ok(outcome)
}

/// Makes the command that `cmd` starts die (SIGKILL) when this worker
/// dies, however it dies, so that a cancelled search leaves no
/// preprocessor or decompressor behind; it fails to start if the worker is
/// already gone. (The command's own children are its business.)
fn die_with_worker(cmd: &mut Command) {
    let worker = std::process::id();
    // SAFETY: the closure runs in the forked child between fork and exec;
    // it only makes two async-signal-safe system calls (prctl, getppid),
    // and neither allocates nor takes a lock. The death signal is set
    // before the parent check, so a worker that dies after the check is
    // covered by the signal, and one that died before is seen by it.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::getppid() as u32 != worker {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

/// Runs `s` with matcher `m` over `src` into the printer `p`, naming it
/// `path`; a reader is checked for a superseded query at each read.
fn search_with<M: grep_matcher::Matcher, W: Write>(
    m: &M,
    s: &mut Searcher,
    p: &mut Printer<FrameWriter<W>>,
    path: &Path,
    src: Source<'_>,
    currency: Option<Currency>,
) -> io::Result<Outcome> {
    macro_rules! go {
        ($sink:expr, $stats:expr) => {{
            let mut sink = $sink;
            match src {
                Source::Reader(inner) => {
                    s.search_reader(m, Checked { inner, currency }, &mut sink)?
                }
                Source::Slice(b) => s.search_slice(m, b, &mut sink)?,
                Source::Path => s.search_path(m, path, &mut sink)?,
            }
            Ok(Outcome { has_match: sink.has_match(), stats: $stats(&sink) })
        }};
    }
    match p {
        Printer::Standard(p) => {
            go!(p.sink_with_path(m, path), |s: &grep_printer::StandardSink<_, _>| s
                .stats()
                .cloned())
        }
        Printer::Summary(p) => {
            go!(p.sink_with_path(m, path), |s: &grep_printer::SummarySink<_, _>| s.stats().cloned())
        }
        Printer::Json(p) => {
            go!(p.sink_with_path(m, path), |s: &grep_printer::JSONSink<_, _>| Some(
                s.stats().clone()
            ))
        }
    }
}

/// True for the errors that mean the parent has gone away.
pub(crate) fn is_pipe_error(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
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
fn searcher(o: &SearcherOpts) -> Searcher {
    let mut b = SearcherBuilder::new();
    b.max_matches(o.max_count)
        .line_terminator(o.terminator.line_terminator())
        .invert_match(o.invert_match)
        .line_number(o.line_number)
        .multi_line(o.multiline)
        .stop_on_nonmatch(o.stop_on_nonmatch)
        .memory_map(mmap_choice(o.mmap));
    if o.passthru {
        b.passthru(true);
    } else {
        b.before_context(o.before_context).after_context(o.after_context);
    }
    if let Some(label) = &o.encoding {
        // The parent checked the label; a worker cannot fail on it.
        if let Ok(enc) = grep_searcher::Encoding::new(label) {
            b.encoding(Some(enc));
        }
    }
    b.bom_sniffing(o.bom_sniffing);
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A file's bytes, read in pieces of the given sizes: by the file itself
    /// and by `Resumed` after its first `cut` bytes went to a head buffer.
    fn pieces(sizes: &[usize], cut: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let path = std::env::temp_dir().join(format!("dn-resumed-{}-{cut}", std::process::id()));
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let read_all = |r: &mut dyn Read| -> Vec<Vec<u8>> {
            let mut out = Vec::new();
            for &n in sizes.iter().cycle().take(64) {
                let mut buf = vec![0; n];
                let got = r.read(&mut buf).unwrap();
                out.push(buf[..got].to_vec());
            }
            out
        };
        let direct = read_all(&mut File::open(&path).unwrap());
        let mut file = File::open(&path).unwrap();
        let mut head = vec![0; cut];
        assert_eq!(wire::read_full(&mut file, &mut head).unwrap(), cut);
        let resumed = read_all(&mut Resumed { head: &head, file });
        std::fs::remove_file(&path).unwrap();
        (direct, resumed)
    }

    /// `Resumed` hands out the same pieces as the file would, whether a read
    /// ends inside the head, at its end or past it.
    #[test]
    fn resumed_reads_like_the_file() {
        for cut in [0, 3, HEAD_CAP] {
            let (direct, resumed) = pieces(&[3, 65533, 11, 393_216, 7], cut);
            assert_eq!(direct, resumed, "head of {cut} bytes");
        }
    }
}
