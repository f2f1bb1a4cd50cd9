//! Wires one run together: picks the mode, and for a search compiles the
//! query, starts the pool while the process is single-threaded, then the
//! signal waiter and the walker, and hands them to the engine.
//!
//! It holds no run state of its own: the pool owns the processes, the
//! scheduler the files, the output stdout and the tally.

use std::cell::RefCell;
use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::rc::Rc;

use grep_printer::PathPrinterBuilder;

use crossbeam_channel::Receiver;

use crate::budget::{self, Plan};
use crate::config::{Config, Mode};
use crate::engine::{Feeds, Search};
use crate::exit::ExitStatus;
use crate::output::{Output, COLOR_RESET};
use crate::pool::worker::Initial;
use crate::pool::WorkerPool;
use crate::walk::WalkItem;

/// Most chunks of walked files (up to 512 each) queued between the walker
/// and the main loop: enough to never starve, few enough to stay small.
const WALK_CHUNKS: usize = 8;

/// The generation of a batch run's one query.
const FIRST_GEN: u64 = 1;

/// Runs `dn` with `cfg`; returns how the process should end.
pub(crate) fn run(cfg: Config) -> anyhow::Result<ExitStatus> {
    match cfg.mode {
        Mode::Types => list_types(&cfg),
        Mode::Files => list_files(&cfg),
        Mode::Search(_) if cfg.run.interactive => crate::interactive::run(&cfg),
        Mode::Search(_) => search(&cfg),
    }
}

/// A batch search: compile, fit the run to the process's limits, fork,
/// then run the engine to the end.
fn search(cfg: &Config) -> anyhow::Result<ExitStatus> {
    let matcher = crate::matcher::build(&cfg.query.matcher)?;
    if !cfg.matches_possible() {
        return Ok(ExitStatus::NoMatch);
    }
    io::Write::flush(&mut io::stdout())?;
    let items = crate::walk::files_now(cfg);
    let want = wanted(cfg, items.is_none());
    let room = budget::room(&want);
    let Some(plan) = budget::plan(&want, &room) else {
        anyhow::bail!("no file descriptor is free to search with (RLIMIT_NOFILE)");
    };
    let mut why = budget::Why::limits(&want, &room);
    let mut pool = WorkerPool::new(false)?;
    let initial = || Initial { gen: FIRST_GEN, query: &cfg.query, matcher: &matcher };
    let mut got = plan;
    got.workers = fork_workers(&mut pool, plan.workers, &initial, &mut why);
    if got.workers < plan.workers {
        // The task limit was reached: no thread would be left for a
        // parallel walk.
        got.walk_threads = 0;
    }
    if got.workers == 0 {
        pool.add_local(initial());
    }
    // From here on the process may have threads; it never forks again.
    crate::signals::block()?;
    let mut out = Output::new(&cfg.run, cfg.query.printer.color);
    let (sig_tx, sig) = crossbeam_channel::bounded(4);
    let reset = out.color_tty().then_some(COLOR_RESET);
    let sig_bell = start_signals(plan.signals, sig_tx, pool.kill_handle(), reset, &mut why)?;
    got.signals = sig_bell.is_some();
    let mut walk_cfg = cfg.clone();
    walk_cfg.run.walk_threads = got.walk_threads;
    let (walk, walk_bell, walked) = match items {
        Some(items) => (ended(), None, Some(items)),
        None => start_walk(&walk_cfg, &mut got, &mut why)?,
    };
    if let Some(note) = budget::describe(&want, &got, &why) {
        out.note(&note)?;
    }
    let walk_done = walked.is_some();
    // Under a binding limit the run keeps what it fitted: it never grows.
    let mut cfg = cfg.clone();
    if room != budget::Room::default() {
        cfg.run.max_workers = got.workers;
    }
    let feeds = Feeds { walk, walk_bell, walk_done, sig, sig_bell };
    Search::new(&cfg, &mut pool, feeds, out, FIRST_GEN, walked.unwrap_or_default())?.run()
}

/// What a search of `cfg` would start if nothing limited it (`walks`:
/// there are directories to walk, or the walk is sorted after).
fn wanted(cfg: &Config, walks: bool) -> budget::Want {
    let commands = cfg.query.input.pre.is_some() || cfg.query.input.search_zip;
    budget::Want {
        workers: cfg.run.workers,
        signals: true,
        walker: walks,
        walk_threads: if walks { cfg.run.walk_threads } else { 0 },
        worker_tasks: if commands { budget::COMMAND_TASKS } else { 0 },
        extra_fds: 0,
    }
}

/// Forks up to `n` workers searching `initial`'s query, stopping at the first
/// that cannot be started (its error goes to `why`); returns how many were.
fn fork_workers<'q>(
    pool: &mut WorkerPool,
    n: usize,
    initial: &dyn Fn() -> Initial<'q>,
    why: &mut budget::Why,
) -> usize {
    for started in 0..n {
        if let Err(e) = pool.fork(&|io| crate::pool::worker::run(io, Some(initial()), None)) {
            why.failed(&e);
            return started;
        }
    }
    n
}

/// Starts the signal waiter (if `wanted`), its signals sent on `tx`;
/// returns its doorbell. Without one (not wanted, or it could not start:
/// the error goes to `why`), the cancel signals are unblocked again.
fn start_signals(
    wanted: bool,
    tx: crossbeam_channel::Sender<nix::sys::signal::Signal>,
    workers: crate::pool::KillHandle,
    reset: Option<&'static [u8]>,
    why: &mut budget::Why,
) -> anyhow::Result<Option<crate::doorbell::Doorbell>> {
    if wanted {
        let started =
            crate::doorbell::doorbell().map_err(anyhow::Error::from).and_then(|(bell, ringer)| {
                crate::signals::spawn_waiter(tx, ringer, workers, reset).map(|()| bell)
            });
        match started {
            Ok(bell) => return Ok(Some(bell)),
            Err(e) => why.failed(&e.context("could not start the signal thread")),
        }
    }
    crate::signals::unblock()?;
    Ok(None)
}

/// The walk's channel, its doorbell and, when it was done here (no walker
/// thread was planned or could start: the error goes to `why`, and `got`
/// says so), all its items.
type Walk = (Receiver<Vec<WalkItem>>, Option<crate::doorbell::Doorbell>, Option<Vec<WalkItem>>);

/// Starts the walker thread of `cfg` when `got` plans one, else walks here.
fn start_walk(cfg: &Config, got: &mut Plan, why: &mut budget::Why) -> anyhow::Result<Walk> {
    if got.walker {
        let (tx, rx) = crossbeam_channel::bounded(WALK_CHUNKS);
        let started = crate::doorbell::doorbell()
            .map_err(anyhow::Error::from)
            .and_then(|(bell, ringer)| crate::walk::spawn(cfg, tx, Some(ringer)).map(|_| bell));
        match started {
            Ok(bell) => return Ok((rx, Some(bell), None)),
            Err(e) => why.failed(&e),
        }
        got.walker = false;
    }
    got.walk_threads = 0;
    let mut here = cfg.clone();
    here.run.walk_threads = 0;
    let mut items = Vec::new();
    crate::walk::walk_here(&here, &mut |item| {
        items.push(item);
        true
    });
    Ok((ended(), None, Some(items)))
}

/// The channel of a walk that is over before the search: closed, empty.
fn ended() -> Receiver<Vec<WalkItem>> {
    crossbeam_channel::bounded(0).1
}

/// `--type-list`: prints every type and its globs.
fn list_types(cfg: &Config) -> anyhow::Result<ExitStatus> {
    let mut out = Output::new(&cfg.run, false);
    let defs = cfg.walk.types.definitions();
    for def in defs {
        out.listed(format!("{}: {}\n", def.name(), def.globs().join(", ")).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitStatus::from_tally(out.tally()))
}

/// `--files`: prints the files that would be searched, in order, walked
/// on a thread (or, when the limits leave none, here).
fn list_files(cfg: &Config) -> anyhow::Result<ExitStatus> {
    let p = &cfg.query.printer;
    let listed_bytes = Rc::new(RefCell::new(Vec::new()));
    let printer = PathPrinterBuilder::new()
        .color_specs(crate::printer::color_specs(&p.colors)?)
        .hyperlink(crate::printer::hyperlink_config(p.hyperlink.as_ref()))
        .separator(p.path_separator)
        .terminator(p.path_terminator.unwrap_or(b'\n'))
        .build(Listing { buf: listed_bytes.clone(), color: p.color });
    let out = Output::new(&cfg.run, p.color);
    let mut lister = Lister { out, printer, bytes: listed_bytes, quiet: cfg.run.quiet };
    let want = budget::Want {
        walker: true,
        walk_threads: cfg.run.walk_threads,
        ..budget::Want::default()
    };
    let room = budget::room(&want);
    let Some(mut got) = budget::plan(&want, &room) else {
        anyhow::bail!("no file descriptor is free to list files with (RLIMIT_NOFILE)");
    };
    let mut why = budget::Why::limits(&want, &room);
    let mut walk_cfg = cfg.clone();
    walk_cfg.run.walk_threads = got.walk_threads;
    let (tx, rx) = crossbeam_channel::bounded(WALK_CHUNKS);
    let walker = got.walker.then(|| crate::walk::spawn(&walk_cfg, tx, None));
    if let Some(Err(e)) = walker {
        why.failed(&e);
        (got.walker, got.walk_threads, walk_cfg.run.walk_threads) = (false, 0, 0);
    }
    // Walked here, the list still streams: only the threads are missed.
    if let Some(note) = budget::describe(&want, &budget::Plan { walker: true, ..got }, &why) {
        lister.out.note(&note)?;
    }
    let mut listed = Ok(true);
    let mut each = |item| {
        listed = lister.take(item);
        matches!(listed, Ok(true))
    };
    if got.walker {
        let _ = rx.into_iter().flatten().all(&mut each);
    } else {
        crate::walk::walk_here(&walk_cfg, &mut each);
    }
    match listed.and_then(|_| lister.out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitStatus::Match),
        r => r.map(|()| ExitStatus::from_tally(lister.out.tally())).map_err(Into::into),
    }
}

/// The output side of --files: prints each walked item as it comes.
struct Lister {
    out: Output,
    printer: grep_printer::PathPrinter<Listing>,
    /// What the printer rendered for the last path.
    bytes: Rc<RefCell<Vec<u8>>>,
    /// -q: the first file ends the listing (printing nothing).
    quiet: bool,
}

impl Lister {
    /// Prints `item` (a path, or its error or warning); false when the
    /// listing is over (-q's first file).
    fn take(&mut self, item: WalkItem) -> io::Result<bool> {
        match item {
            WalkItem::Hay { .. } if self.quiet => {
                self.out.listed(b"")?;
                return Ok(false);
            }
            WalkItem::Hay { path, .. } => {
                self.printer.write(Path::new(OsStr::from_bytes(&path)))?;
                let bytes = std::mem::take(&mut *self.bytes.borrow_mut());
                self.out.listed(&bytes)?;
            }
            WalkItem::Error(msg) => self.out.error(&msg)?,
            WalkItem::Warning(msg) => self.out.ignore_problem(&msg)?,
        }
        Ok(true)
    }
}

/// The path printer's writer for --files: collects one path's bytes (with
/// colour escapes when `color`) in a buffer it shares with the loop, which
/// hands them to `Output`.
struct Listing {
    buf: Rc<RefCell<Vec<u8>>>,
    color: bool,
}

impl io::Write for Listing {
    /// Appends to the shared buffer.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    /// Nothing to flush: `Output` writes the bytes.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl termcolor::WriteColor for Listing {
    /// Colour as the run decided.
    fn supports_color(&self) -> bool {
        self.color
    }

    /// Appends the ANSI escape for `spec`.
    fn set_color(&mut self, spec: &termcolor::ColorSpec) -> io::Result<()> {
        termcolor::Ansi::new(&mut *self.buf.borrow_mut()).set_color(spec)
    }

    /// Appends the ANSI reset escape.
    fn reset(&mut self) -> io::Result<()> {
        termcolor::Ansi::new(&mut *self.buf.borrow_mut()).reset()
    }

    /// Hyperlinks go with colour, as in ripgrep.
    fn supports_hyperlinks(&self) -> bool {
        self.color
    }

    /// Appends the escape that opens (or closes) a hyperlink.
    fn set_hyperlink(&mut self, link: &termcolor::HyperlinkSpec) -> io::Result<()> {
        termcolor::Ansi::new(&mut *self.buf.borrow_mut()).set_hyperlink(link)
    }
}
