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

/// A batch search: compile, fork, then run the engine to the end.
fn search(cfg: &Config) -> anyhow::Result<ExitStatus> {
    let matcher = crate::matcher::build(&cfg.query.matcher)?;
    if !cfg.matches_possible() {
        return Ok(ExitStatus::NoMatch);
    }
    io::Write::flush(&mut io::stdout())?;
    let mut pool = WorkerPool::new(false)?;
    let initial = || Initial { gen: FIRST_GEN, query: &cfg.query, matcher: &matcher };
    for _ in 0..cfg.run.workers {
        pool.fork(&|io| crate::pool::worker::run(io, Some(initial()), None))?;
    }
    // From here on the process may have threads; it never forks again.
    crate::signals::block()?;
    let out = Output::new(&cfg.run, cfg.query.printer.color);
    let (sig_tx, sig) = crossbeam_channel::bounded(4);
    let (sig_bell, ringer) = crate::doorbell::doorbell()?;
    let reset = out.color_tty().then_some(COLOR_RESET);
    crate::signals::spawn_waiter(sig_tx, ringer, pool.kill_handle(), reset)?;
    let (walk_tx, walk) = crossbeam_channel::bounded(WALK_CHUNKS);
    let (walk_bell, ringer) = crate::doorbell::doorbell()?;
    let items = crate::walk::files_now(cfg);
    if items.is_none() {
        crate::walk::spawn(cfg, walk_tx, Some(ringer))?;
    }
    let walk_done = items.is_some();
    let feeds = Feeds { walk, walk_bell, walk_done, sig, sig_bell };
    Search::new(cfg, &mut pool, feeds, out, FIRST_GEN, items.unwrap_or_default())?.run()
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

/// `--files`: prints the files that would be searched, in order.
fn list_files(cfg: &Config) -> anyhow::Result<ExitStatus> {
    let p = &cfg.query.printer;
    let mut out = Output::new(&cfg.run, p.color);
    let listed_bytes = Rc::new(RefCell::new(Vec::new()));
    let mut printer = PathPrinterBuilder::new()
        .color_specs(crate::printer::color_specs(&p.colors)?)
        .hyperlink(crate::printer::hyperlink_config(p.hyperlink.as_ref()))
        .separator(p.path_separator)
        .terminator(p.path_terminator.unwrap_or(b'\n'))
        .build(Listing { buf: listed_bytes.clone(), color: p.color });
    let (tx, rx) = crossbeam_channel::bounded(WALK_CHUNKS);
    crate::walk::spawn(cfg, tx, None)?;
    for item in rx.into_iter().flatten() {
        let listed = match item {
            WalkItem::Hay { path, .. } if cfg.run.quiet => {
                out.listed(b"")?;
                drop(path);
                break;
            }
            WalkItem::Hay { path, .. } => {
                printer.write(Path::new(OsStr::from_bytes(&path)))?;
                let bytes = std::mem::take(&mut *listed_bytes.borrow_mut());
                out.listed(&bytes)
            }
            WalkItem::Error(msg) => out.error(&msg),
            WalkItem::Warning(msg) => out.ignore_problem(&msg),
        };
        match listed {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitStatus::Match),
            r => r?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitStatus::Match),
        r => r?,
    }
    Ok(ExitStatus::from_tally(out.tally()))
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
