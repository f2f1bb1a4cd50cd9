//! Wires one run together: compile, fork the pool, start the threads, then
//! drive the dispatch/print loop until the search is done or cancelled.
//!
//! The loop runs on the main thread and owns all run state: which worker
//! holds which files, the reorder buffer and stdout. It is the only module
//! that knows every other one.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io::{self, IsTerminal};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;

use crate::config::{Config, Mode};
use crate::doorbell::Doorbell;
use crate::exit::ExitStatus;
use crate::order::{Finished, Release, Reorder};
use crate::output::Output;
use crate::pool::{Readout, WorkerPool};
use crate::walk::WalkItem;
use crate::wire::{Job, Response};

/// The SGR reset written when a coloured search is cancelled on a terminal.
pub(crate) const COLOR_RESET: &[u8] = b"\x1b[0m";
/// Most files in one batch. Small, because while one worker is held up by
/// a big file, the files queued behind it hold back every later file's
/// output: batches of 256 held 4 MB of `-n return` output, 64 hold little,
/// at no measurable cost in time.
const MAX_BATCH: usize = 64;
/// Most files assigned to one worker and not yet finished.
const MAX_IN_FLIGHT: usize = 2 * MAX_BATCH;
/// Most chunks of walked files (up to 512 each) queued between the walker
/// and the main loop: enough to never starve, few enough to stay small.
const WALK_CHUNKS: usize = 8;
/// Most walked files held ready for dispatch.
const PENDING_CAP: usize = 1024;
/// Dispatch pauses while this much output waits for an earlier file, and
/// only the pipe of the worker holding the next file to print is read.
const HELD_BYTES_CAP: usize = 16 << 20;
/// Dispatch pauses while this many files wait to be released.
const WINDOW_CAP: usize = 32 << 10;
/// How often the loop wakes to redraw the progress line.
const PROGRESS_TICK: Duration = crate::progress::INTERVAL;
/// How long cancelled workers get to exit before SIGKILL.
const KILL_GRACE: Duration = Duration::from_millis(20);

/// Runs `dn` with `cfg`; returns how the process should end.
pub(crate) fn run(cfg: Config) -> anyhow::Result<ExitStatus> {
    match cfg.mode {
        Mode::Types => return list_types(&cfg),
        Mode::Files => return list_files(&cfg),
        Mode::Search(_) => {}
    }
    let matcher = crate::matcher::build(&cfg)?;
    if !cfg.matches_possible() {
        return Ok(ExitStatus::NoMatch);
    }
    io::Write::flush(&mut io::stdout())?;
    let pool = WorkerPool::start(cfg.workers, &cfg, &matcher)?;
    // From here on the process may have threads; it never forks again.
    crate::signals::block()?;
    let mut search = Search::new(&cfg, pool)?;
    search.run()
}

/// Where a file stands: its job and how often a worker died on it.
#[derive(Debug, Clone)]
struct Task {
    job: Job,
    attempts: u8,
}

impl AsRef<Job> for Task {
    /// The job, for encoding a batch without copying it.
    fn as_ref(&self) -> &Job {
        &self.job
    }
}

/// State of one search run, driven by the main thread.
struct Search<'a> {
    cfg: &'a Config,
    pool: WorkerPool,
    /// Files assigned to each worker, in the order it will finish them.
    in_flight: Vec<VecDeque<Task>>,
    alive: Vec<bool>,
    /// Files walked (or handed back) and not yet assigned.
    pending: VecDeque<Task>,
    order: Reorder,
    out: Output,
    walk_rx: Receiver<Vec<WalkItem>>,
    /// Rung by the walker after each chunk it sends.
    walk_bell: Doorbell,
    walk_done: bool,
    sig_rx: Receiver<Signal>,
    /// Rung by the signal waiter when it sends a signal.
    sig_bell: Doorbell,
    /// Frames decoded from one read, waiting to be handled.
    responses: Vec<Response>,
    started: Instant,
    /// Colour escapes may have reached a terminal.
    color_tty: bool,
}

impl<'a> Search<'a> {
    /// Starts the signal waiter and the walker (unless the roots are all
    /// files, which are queued at once).
    fn new(cfg: &'a Config, pool: WorkerPool) -> anyhow::Result<Search<'a>> {
        let color_tty = cfg.color && io::stdout().is_terminal();
        let (sig_tx, sig_rx) = crossbeam_channel::bounded(4);
        let (sig_bell, ringer) = crate::doorbell::doorbell()?;
        crate::signals::spawn_waiter(sig_tx, ringer, pool.pids(), color_tty)?;
        let (walk_tx, walk_rx) = crossbeam_channel::bounded(WALK_CHUNKS);
        let (walk_bell, ringer) = crate::doorbell::doorbell()?;
        let files = crate::walk::files_now(cfg);
        if files.is_none() {
            crate::walk::spawn(cfg, walk_tx, Some(ringer))?;
        }
        let n = pool.len();
        let mut search = Search {
            cfg,
            pool,
            in_flight: vec![VecDeque::new(); n],
            alive: vec![true; n],
            pending: VecDeque::new(),
            order: Reorder::new(),
            out: Output::new(cfg),
            walk_rx,
            walk_bell,
            walk_done: files.is_some(),
            sig_rx,
            sig_bell,
            responses: Vec::new(),
            started: Instant::now(),
            color_tty,
        };
        if let Some(items) = files {
            search.add_walk_items(items)?;
        }
        Ok(search)
    }

    /// Runs the loop to the end and returns the exit status.
    fn run(&mut self) -> anyhow::Result<ExitStatus> {
        match self.drive() {
            Ok(Some(stop)) => Ok(self.cancel(stop)),
            Ok(None) => self.finish(),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(self.cancel(Stop::BrokenPipe)),
            Err(e) => Err(e.into()),
        }
    }

    /// The event loop; returns `Some(stop)` when the search must end early.
    fn drive(&mut self) -> io::Result<Option<Stop>> {
        loop {
            // Walked files first (a walk error is a result to release),
            // then release: it may lift the back-pressure on dispatch, and
            // with nothing in flight no event would wake the loop again.
            self.take_walk()?;
            if let Some(stop) = self.release()? {
                return Ok(Some(stop));
            }
            self.dispatch()?;
            if self.is_complete() {
                return Ok(None);
            }
            if self.alive.iter().all(|a| !a) {
                self.abandon()?;
                continue;
            }
            let mut ready = self.wait(PollTimeout::ZERO)?;
            if ready.is_empty() {
                // Nothing to do until something happens: show what we have.
                self.out.flush()?;
                let tick = self.out.progress.enabled().then_some(PROGRESS_TICK);
                ready = self.wait(tick.map_or(PollTimeout::NONE, poll_timeout))?;
            }
            for source in ready {
                if let Some(stop) = self.on_ready(source)? {
                    return Ok(Some(stop));
                }
            }
            self.tick_progress();
        }
    }

    /// Polls every source the loop listens to now, up to `timeout`; returns
    /// those that are ready.
    fn wait(&self, timeout: PollTimeout) -> io::Result<Vec<Source>> {
        let mut sources = vec![Source::Signal];
        let mut fds = vec![PollFd::new(self.sig_bell.fd(), PollFlags::POLLIN)];
        if self.wants_walk() {
            sources.push(Source::Walk);
            fds.push(PollFd::new(self.walk_bell.fd(), PollFlags::POLLIN));
        }
        for k in (0..self.pool.len()).filter(|&k| self.reads_from(k)) {
            if let Some(fd) = self.pool.results_fd(k) {
                sources.push(Source::Worker(k));
                fds.push(PollFd::new(fd, PollFlags::POLLIN));
            }
        }
        match nix::poll::poll(&mut fds, timeout) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        }
        let ready = |fd: &PollFd| fd.revents().is_some_and(|r| !r.is_empty());
        Ok(sources.into_iter().zip(&fds).filter(|(_, fd)| ready(fd)).map(|(s, _)| s).collect())
    }

    /// Whether worker `k`'s pipe is read now: every worker's is, unless too
    /// much output waits on an earlier file; then only that of the one
    /// holding the next file to print, so the others block on their full
    /// pipes and held output stays bounded however much is printed.
    fn reads_from(&self, k: usize) -> bool {
        self.order.held_bytes() <= HELD_BYTES_CAP || self.head_worker() == Some(k)
    }

    /// Handles one ready source; returns `Some(stop)` to end the search.
    fn on_ready(&mut self, source: Source) -> io::Result<Option<Stop>> {
        match source {
            Source::Signal => {
                self.sig_bell.drain();
                Ok(self.sig_rx.try_recv().ok().map(Stop::Signal))
            }
            Source::Walk => {
                // The loop takes the chunks before it dispatches.
                self.walk_bell.drain();
                Ok(None)
            }
            Source::Worker(k) => self.on_worker(k),
        }
    }

    /// Redraws the progress line, naming the file the output waits on.
    fn tick_progress(&mut self) {
        if !self.out.progress.due() {
            return;
        }
        let head = self.order.head();
        let current = self.in_flight.iter().flatten().find(|t| t.job.seq == head);
        let name = current.map(|t| display(&t.job.path)).unwrap_or_default();
        let bytes = crate::progress::bytes_read(&self.pool.pids());
        self.out.draw_progress(bytes, &name);
    }

    /// True while more walked files are wanted.
    fn wants_walk(&self) -> bool {
        !self.walk_done && self.pending.len() < PENDING_CAP
    }

    /// True when everything was walked, searched and printed.
    fn is_complete(&self) -> bool {
        self.walk_done && self.pending.is_empty() && self.order.len() == 0
    }

    /// Takes the chunks of walk items already sent (never waits), while
    /// more are wanted; notes the end of the walk.
    fn take_walk(&mut self) -> io::Result<()> {
        while self.wants_walk() {
            match self.walk_rx.try_recv() {
                Ok(chunk) => self.add_walk_items(chunk)?,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => self.walk_done = true,
            }
        }
        Ok(())
    }

    /// Queues every item of a chunk, in order.
    fn add_walk_items(&mut self, chunk: Vec<WalkItem>) -> io::Result<()> {
        for item in chunk {
            self.add_walk_item(item)?;
        }
        Ok(())
    }

    /// Gives a walk item its sequence number and queues it.
    fn add_walk_item(&mut self, item: WalkItem) -> io::Result<()> {
        match item {
            WalkItem::Hay { path, explicit, stdin } => {
                let seq = self.order.push();
                self.pending
                    .push_back(Task { job: Job { seq, explicit, stdin, path }, attempts: 0 });
            }
            WalkItem::Error(msg) => {
                let seq = self.order.push();
                self.order.finish(seq, Finished { error: Some(msg), ..Default::default() });
            }
            WalkItem::Warning(msg) => self.out.message(&msg)?,
        }
        Ok(())
    }

    /// Hands batches to workers that have room, unless output is backed up.
    fn dispatch(&mut self) -> io::Result<()> {
        let live = self.alive.iter().filter(|a| **a).count().max(1);
        for k in 0..self.pool.len() {
            if self.pending.is_empty() || self.backed_up() {
                break;
            }
            if !self.alive[k] || self.in_flight[k].len() > MAX_IN_FLIGHT - MAX_BATCH {
                continue;
            }
            let size = (self.pending.len() / live).clamp(1, MAX_BATCH);
            let tasks: Vec<Task> = self.pending.drain(..size.min(self.pending.len())).collect();
            let sent = self.pool.send(k, &tasks);
            self.in_flight[k].extend(tasks);
            if sent.is_err() {
                // The worker is gone; the poll of its pipe will report it and its
                // files will be handed to the others.
                self.pool.close(k);
            }
        }
        Ok(())
    }

    /// The worker searching the next file to print, if one is.
    fn head_worker(&self) -> Option<usize> {
        let head = self.order.head();
        self.in_flight.iter().position(|q| q.front().is_some_and(|t| t.job.seq == head))
    }

    /// True when too much output waits on an earlier file to dispatch more
    /// (never while the next file to print waits to be dispatched itself).
    fn backed_up(&self) -> bool {
        let next = self.pending.front().map_or(0, |t| t.job.seq);
        if next == self.order.head() && !self.pending.is_empty() {
            return false;
        }
        self.order.held_bytes() > HELD_BYTES_CAP
            || next.saturating_sub(self.order.head()) > WINDOW_CAP as u64
    }

    /// Writes everything the reorder buffer can release; stops early for -q.
    fn release(&mut self) -> io::Result<Option<Stop>> {
        while let Some(rel) = self.order.next() {
            match rel {
                Release::Partial(bytes) => self.out.partial(&bytes)?,
                Release::Finished(fin) => self.out.finished(fin)?,
            }
            if self.quit_after_match() && self.out.matched {
                return Ok(Some(Stop::Quit));
            }
        }
        Ok(None)
    }

    /// ripgrep's rule: -q ends the search at the first match, unless --stats
    /// needs the whole search.
    fn quit_after_match(&self) -> bool {
        self.cfg.quiet && !self.cfg.stats
    }

    /// Reads and handles what worker `k` sent, or its end.
    fn on_worker(&mut self, k: usize) -> io::Result<Option<Stop>> {
        let mut resps = std::mem::take(&mut self.responses);
        let readout = self.pool.read(k, &mut resps);
        let mut matched = false;
        for r in resps.drain(..) {
            matched |= self.on_response(k, r);
        }
        self.responses = resps;
        if let Readout::Gone(why) = readout {
            return self.on_gone(k, why);
        }
        // -q prints nothing, so any match, in any order, ends it.
        Ok((matched && self.quit_after_match()).then_some(Stop::Quit))
    }

    /// Records one frame from worker `k`; true if it finished a matching file.
    fn on_response(&mut self, k: usize, resp: Response) -> bool {
        match resp {
            Response::Chunk { seq, bytes } => {
                self.order.chunk(seq, &bytes);
                false
            }
            Response::Done { seq, has_match, stats, error, bytes } => {
                self.landed(k, seq);
                let fin = Finished { bytes, has_match, stats, error, searched: true };
                self.order.finish(seq, fin);
                has_match
            }
            Response::Quiet { first, count, stats } => {
                // The run's summed stats go with its first file.
                let mut stats = Some(stats);
                for seq in first..first + u64::from(count) {
                    self.landed(k, seq);
                    let stats = stats.take().unwrap_or_default();
                    self.order
                        .finish(seq, Finished { stats, searched: true, ..Default::default() });
                }
                false
            }
        }
    }

    /// File `seq` came back from worker `k`: it is no longer in flight.
    fn landed(&mut self, k: usize, seq: u64) {
        let queue = &mut self.in_flight[k];
        if queue.front().is_some_and(|t| t.job.seq == seq) {
            queue.pop_front();
        } else if let Some(pos) = queue.iter().position(|t| t.job.seq == seq) {
            queue.remove(pos);
        }
    }

    /// Worker `k` closed its result pipe: reap it; if it died while it still
    /// had files, hand them to the others (the file it was in is retried
    /// once, then reported as not searched).
    fn on_gone(&mut self, k: usize, why: Option<String>) -> io::Result<Option<Stop>> {
        self.alive[k] = false;
        self.pool.close(k);
        if why.is_some() {
            // Its stream is corrupt but it may still run: stop it first.
            self.pool.kill(k);
        }
        let status = self.pool.reap(k);
        if cancel_signal(status).is_some() {
            // A terminal's ^C reaches the whole process group: if our own
            // copy of the signal follows, this is a cancellation.
            if let Ok(own) = self.sig_rx.recv_timeout(Duration::from_millis(200)) {
                return Ok(Some(Stop::Signal(own)));
            }
        }
        let tasks: Vec<Task> = self.in_flight[k].drain(..).collect();
        if tasks.is_empty() && matches!(status, WaitStatus::Exited(_, 0)) {
            return Ok(None);
        }
        let how = describe(status, why.as_deref());
        let pid = self.pool.pid(k);
        match tasks.first() {
            None => self.out.error(&format!("worker {pid} {how}"))?,
            Some(t) => {
                let path = display(&t.job.path);
                let n = tasks.len();
                self.out.error(&format!("worker {pid} {how} while searching {path}; its {n} unfinished file(s) go to the other workers"))?;
            }
        }
        self.requeue(tasks, &how);
        Ok(None)
    }

    /// Puts a dead worker's files back at the front of the queue; the first
    /// (the one it was searching) counts an attempt.
    fn requeue(&mut self, mut tasks: Vec<Task>, how: &str) {
        if let Some(first) = tasks.first_mut() {
            first.attempts += 1;
            if first.attempts >= 2 {
                let t = tasks.remove(0);
                let msg =
                    format!("{}: not searched: a worker {how} on it twice", display(&t.job.path));
                self.order.restart(t.job.seq);
                self.order.finish(t.job.seq, Finished { error: Some(msg), ..Default::default() });
            }
        }
        for t in tasks.into_iter().rev() {
            self.order.restart(t.job.seq);
            self.pending.push_front(t);
        }
    }

    /// Every worker is dead: report what will not be searched, mark it
    /// finished with that error, and let the loop print the rest.
    fn abandon(&mut self) -> io::Result<()> {
        let mut left: Vec<Task> = self.pending.drain(..).collect();
        left.extend(self.in_flight.iter_mut().flat_map(|q| q.drain(..)));
        let first = left.iter().min_by_key(|t| t.job.seq).map(|t| display(&t.job.path));
        let mut more = 0usize;
        while let Ok(chunk) = self.walk_rx.recv() {
            more += chunk.iter().filter(|i| matches!(i, WalkItem::Hay { .. })).count();
        }
        self.walk_done = true;
        self.out.error(&format!(
            "every worker died; {} file(s) were not searched, starting with {}",
            left.len() + more,
            first.unwrap_or_else(|| "(none)".into())
        ))?;
        for t in left {
            self.order.restart(t.job.seq);
            self.order.finish(t.job.seq, Finished { searched: false, ..Default::default() });
        }
        Ok(())
    }

    /// Normal end: print the summary, let the workers exit, reap them.
    fn finish(&mut self) -> anyhow::Result<ExitStatus> {
        self.pool.shutdown(Duration::from_secs(5));
        self.out.progress.clear();
        if self.cfg.has_implicit_path && !self.out.searched && !self.out.errored {
            self.out.message(
                "No files were searched, which means dn probably applied a filter you didn't expect.",
            )?;
            self.out.errored = true;
        }
        if self.cfg.stats {
            if let Some(mode) = self.cfg.search_mode() {
                self.out.summary(mode, self.started)?;
            }
        }
        self.out.flush()?;
        Ok(ExitStatus::from_run(self.out.matched, self.out.errored, self.cfg.quiet))
    }

    /// Early end: stop every worker, drop unprinted results, reset colour on
    /// a terminal, and report how to exit.
    fn cancel(&mut self, stop: Stop) -> ExitStatus {
        self.pool.signal_all(Signal::SIGTERM);
        self.pool.shutdown(KILL_GRACE);
        self.out.progress.clear();
        if let Stop::Signal(sig) = stop {
            if self.color_tty {
                let _ = self.out.raw(COLOR_RESET);
            }
            let _ = self.out.flush();
            return ExitStatus::Signaled(sig);
        }
        // A closed stdout (as ripgrep) and -q's first match both exit 0.
        let _ = self.out.flush();
        ExitStatus::Match
    }
}

/// Something the loop waits on.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The signal waiter's bell.
    Signal,
    /// The walker's bell.
    Walk,
    /// Worker `k`'s result pipe.
    Worker(usize),
}

/// A poll timeout for `d` (the longest poll allows, if `d` is longer).
fn poll_timeout(d: Duration) -> PollTimeout {
    PollTimeout::try_from(d).unwrap_or(PollTimeout::MAX)
}

/// Why a search ends early.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// SIGINT, SIGTERM or SIGHUP.
    Signal(Signal),
    /// stdout was closed (exit 0, as ripgrep).
    BrokenPipe,
    /// -q found a match.
    Quit,
}

/// The cancellation signal a worker died by, if any.
fn cancel_signal(st: WaitStatus) -> Option<Signal> {
    match st {
        WaitStatus::Signaled(_, sig @ (Signal::SIGINT | Signal::SIGTERM | Signal::SIGHUP), _) => {
            Some(sig)
        }
        _ => None,
    }
}

/// Describes how a worker ended, for a message.
fn describe(st: WaitStatus, why: Option<&str>) -> String {
    match (st, why) {
        (WaitStatus::Signaled(_, sig, _), _) => format!("was killed by {sig}"),
        (WaitStatus::Exited(_, code), Some(why)) => format!("exited with code {code} ({why})"),
        (WaitStatus::Exited(_, code), None) => format!("exited with code {code}"),
        (_, _) => "ended unexpectedly".to_string(),
    }
}

/// Renders raw path bytes for a message.
fn display(path: &[u8]) -> String {
    Path::new(OsStr::from_bytes(path)).display().to_string()
}

/// `--type-list`: prints every type and its globs.
fn list_types(cfg: &Config) -> anyhow::Result<ExitStatus> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let defs = cfg.walk.types.definitions();
    for def in defs {
        io::Write::write_all(
            &mut out,
            format!("{}: {}\n", def.name(), def.globs().join(", ")).as_bytes(),
        )?;
    }
    io::Write::flush(&mut out)?;
    Ok(if defs.is_empty() { ExitStatus::NoMatch } else { ExitStatus::Match })
}

/// `--files`: prints the files that would be searched, in order.
fn list_files(cfg: &Config) -> anyhow::Result<ExitStatus> {
    use grep_printer::PathPrinterBuilder;
    let out = grep_cli::stdout(if cfg.color {
        termcolor::ColorChoice::Always
    } else {
        termcolor::ColorChoice::Never
    });
    let mut printer = PathPrinterBuilder::new()
        .color_specs(cfg.color_specs.clone())
        .separator(cfg.path_separator)
        .terminator(cfg.path_terminator.unwrap_or(b'\n'))
        .build(out);
    let (tx, rx) = crossbeam_channel::bounded(WALK_CHUNKS);
    crate::walk::spawn(cfg, tx, None)?;
    let (mut matched, mut errored) = (false, false);
    for item in rx.into_iter().flatten() {
        match item {
            WalkItem::Hay { path, .. } => {
                matched = true;
                if cfg.quiet {
                    break;
                }
                match printer.write(Path::new(OsStr::from_bytes(&path))) {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                        return Ok(ExitStatus::Match)
                    }
                    r => r?,
                }
            }
            WalkItem::Error(msg) => {
                errored = true;
                if !cfg.no_messages {
                    eprintln!("dn: {msg}");
                }
            }
            WalkItem::Warning(msg) => eprintln!("dn: {msg}"),
        }
    }
    Ok(ExitStatus::from_run(matched, errored, cfg.quiet))
}
