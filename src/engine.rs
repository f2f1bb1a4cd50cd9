//! The main loop of a batch search: polls the workers' result pipes and the
//! doorbells of the walker and the signal waiter, hands each event to the
//! scheduler (`schedule.rs`) and the reorder buffer (`order.rs`), and does
//! what they say: send batches, print released results, replace a dead
//! worker, cancel. It holds no scheduling rule of its own. A worker in
//! dn's own process (when no worker process could start) is given its
//! turn, one file at a time, whenever no other source is ready.
//!
//! A search is a value run on a pool (`Search` borrows the pool for one
//! generation): the pool outlives it, so a later query can run on the same
//! warm workers.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;

use crate::config::Config;
use crate::doorbell::Doorbell;
use crate::exit::{ExitStatus, Tally};
use crate::order::{Finished, Release, Reorder};
use crate::output::Output;
use crate::pool::{Readout, Status, WorkerPool};
use crate::schedule::{Death, DiskWatch, Flow, GaveUp, Landed, Limits, Scheduler};
use crate::walk::WalkItem;
use crate::wire::{Job, Response};

/// How often the loop wakes to redraw the progress line.
const PROGRESS_TICK: Duration = crate::progress::INTERVAL;
/// How often the loop looks whether the workers wait on the disk.
const DISK_TICK: Duration = Duration::from_millis(20);
/// How long cancelled workers get to exit before SIGKILL.
const KILL_GRACE: Duration = Duration::from_millis(20);
/// How long a worker that died by a cancel signal waits to be explained
/// by our own copy of it (a terminal's ^C reaches the whole group).
const CANCEL_SIGNAL_WAIT: Duration = Duration::from_millis(200);

/// Channels from the walker and the signal waiter, with their doorbells.
pub(crate) struct Feeds {
    /// Walked items, in order, in chunks.
    pub(crate) walk: Receiver<Vec<WalkItem>>,
    /// Rung by the walker after each chunk it sends (None without a walker
    /// thread: the walk was done before).
    pub(crate) walk_bell: Option<Doorbell>,
    /// The walk is over (or was done inline).
    pub(crate) walk_done: bool,
    /// The first cancel signal.
    pub(crate) sig: Receiver<Signal>,
    /// Rung by the signal waiter when it sends a signal (None without a
    /// signal thread: a signal then ends dn by its default action).
    pub(crate) sig_bell: Option<Doorbell>,
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

/// A worker that died by a cancel signal, waiting to be explained.
struct Pending {
    k: usize,
    status: Status,
    until: Instant,
}

/// One search (one query generation) run on a pool.
pub(crate) struct Search<'a> {
    cfg: &'a Config,
    pool: &'a mut WorkerPool,
    feeds: Feeds,
    sched: Scheduler,
    order: Reorder,
    out: Output,
    gen: u64,
    /// The query, serialized, for replacement workers.
    spec: Vec<u8>,
    /// Frames decoded from one read, waiting to be handled.
    responses: Vec<Response>,
    /// Deaths by a cancel signal, not handled yet.
    deferred: Vec<Pending>,
    /// Says when to add workers that keep more reads in flight.
    disk: DiskWatch,
    /// When the workers are looked at next.
    next_look: Instant,
}

impl<'a> Search<'a> {
    /// A search of `cfg`'s query as generation `gen`, on `pool`, fed by
    /// `feeds`, printing to `out`; `items` are walk items already known.
    pub(crate) fn new(
        cfg: &'a Config,
        pool: &'a mut WorkerPool,
        feeds: Feeds,
        out: Output,
        gen: u64,
        items: Vec<WalkItem>,
    ) -> io::Result<Search<'a>> {
        let quit_on_match = cfg.run.quiet && !cfg.run.stats;
        let limits = Limits::for_workers(pool.len());
        let sched = Scheduler::new(pool.len(), limits, quit_on_match);
        let spec = cfg.query.encode();
        let unordered = cfg.run.sort.kind == crate::cli::SortKind::None;
        let disk = DiskWatch::new(cfg.run.max_workers.max(pool.len()));
        let mut search = Search {
            cfg,
            pool,
            feeds,
            sched,
            order: if unordered { Reorder::unordered() } else { Reorder::new() },
            out,
            gen,
            spec,
            responses: Vec::new(),
            deferred: Vec::new(),
            disk,
            next_look: Instant::now() + DISK_TICK,
        };
        search.add_walk_items(items)?;
        Ok(search)
    }

    /// Runs the search to its end and returns the exit status.
    pub(crate) fn run(mut self) -> anyhow::Result<ExitStatus> {
        match self.drive() {
            Ok(Some(stop)) => Ok(self.cancel(stop)),
            Ok(None) => Ok(ExitStatus::from_tally(self.finish()?)),
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
            self.release()?;
            self.dispatch();
            if self.is_complete() {
                return Ok(None);
            }
            self.handle_due_deaths()?;
            if !self.sched.any_alive() && self.deferred.is_empty() {
                self.abandon()?;
                continue;
            }
            let mut ready = self.wait(PollTimeout::ZERO)?;
            if let Some(k) = self.local_turn() {
                ready.push(Source::Worker(k));
            } else if ready.is_empty() {
                // Nothing to do until something happens: show what we have.
                self.out.flush()?;
                let timeout = self.idle_timeout();
                ready = self.wait(timeout)?;
            }
            for source in ready {
                if let Some(stop) = self.on_ready(source)? {
                    return Ok(Some(stop));
                }
            }
            self.tick_progress();
            self.look_at_disk()?;
        }
    }

    /// Searches one file in dn's own process, if a local worker has one and
    /// its output may be read now; returns its slot, to read its frames.
    fn local_turn(&mut self) -> Option<usize> {
        let flow = self.flow();
        let sched = &self.sched;
        self.pool.step_local(|k| sched.reads_from(k, flow))
    }

    /// How long the loop may sleep: until the progress line is due, the
    /// next look at the workers' disk waits, or a deferred death must be
    /// handled; forever otherwise.
    fn idle_timeout(&mut self) -> PollTimeout {
        let now = Instant::now();
        let progress = self.out.progress().enabled().then_some(PROGRESS_TICK);
        let look =
            self.disk.active(self.sched.live()).then(|| self.next_look - now.min(self.next_look));
        let tick = progress.into_iter().chain(look).min();
        let death = self.deferred.iter().map(|p| p.until.saturating_duration_since(now)).min();
        match (tick, death) {
            (None, None) => PollTimeout::NONE,
            (a, b) => poll_timeout(a.into_iter().chain(b).min().unwrap_or_default()),
        }
    }

    /// The output side, for back-pressure (none when files are printed as
    /// they finish: nothing waits on an earlier file then).
    fn flow(&self) -> Flow {
        if self.cfg.run.sort.kind == crate::cli::SortKind::None {
            return Flow { head: u64::MAX, held_bytes: 0 };
        }
        Flow { head: self.order.head(), held_bytes: self.order.held_bytes() }
    }

    /// Polls every source the loop listens to now, up to `timeout`; returns
    /// those that are ready.
    fn wait(&self, timeout: PollTimeout) -> io::Result<Vec<Source>> {
        let (mut sources, mut fds) = (Vec::new(), Vec::new());
        if let Some(bell) = &self.feeds.sig_bell {
            sources.push(Source::Signal);
            fds.push(PollFd::new(bell.fd(), PollFlags::POLLIN));
        }
        if let Some(bell) = self.feeds.walk_bell.as_ref().filter(|_| self.wants_walk()) {
            sources.push(Source::Walk);
            fds.push(PollFd::new(bell.fd(), PollFlags::POLLIN));
        }
        let flow = self.flow();
        for k in (0..self.pool.len()).filter(|&k| self.sched.reads_from(k, flow)) {
            if let Some(fd) = self.pool.results_fd(k) {
                sources.push(Source::Worker(k));
                fds.push(PollFd::new(fd, PollFlags::POLLIN));
            }
        }
        if fds.is_empty() && timeout == PollTimeout::NONE {
            // Nothing could ever wake the loop: say so rather than hang.
            return Err(io::Error::other("the search has nothing left to wait for"));
        }
        match nix::poll::poll(&mut fds, timeout) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        }
        let ready = |fd: &PollFd| fd.revents().is_some_and(|r| !r.is_empty());
        Ok(sources.into_iter().zip(&fds).filter(|(_, fd)| ready(fd)).map(|(s, _)| s).collect())
    }

    /// Handles one ready source; returns `Some(stop)` to end the search.
    fn on_ready(&mut self, source: Source) -> io::Result<Option<Stop>> {
        match source {
            Source::Signal => {
                self.feeds.sig_bell.iter().for_each(Doorbell::drain);
                Ok(self.feeds.sig.try_recv().ok().map(Stop::Signal))
            }
            Source::Walk => {
                // The loop takes the chunks before it dispatches.
                self.feeds.walk_bell.iter().for_each(Doorbell::drain);
                Ok(None)
            }
            Source::Worker(k) => self.on_worker(k),
        }
    }

    /// Redraws the progress line, naming the file the output waits on.
    fn tick_progress(&mut self) {
        if !self.out.progress().due() {
            return;
        }
        let current = self.sched.held_job(self.order.head());
        let name = current.map(|j| display(&j.path)).unwrap_or_default();
        let bytes = self.pool.bytes_read();
        self.out.draw_progress(bytes, &name);
    }

    /// Every `DISK_TICK`, looks whether the workers wait on the disk, and
    /// starts more (re-executed, with this search's query) when the watch
    /// says so; when one cannot be started, growing stops (said with
    /// --debug) and the search goes on with the others.
    fn look_at_disk(&mut self) -> io::Result<()> {
        let now = Instant::now();
        if now < self.next_look || !self.disk.active(self.sched.live()) {
            return Ok(());
        }
        self.next_look = now + DISK_TICK;
        let queued = !self.sched.is_idle() || !self.feeds.walk_done;
        let add = self.disk.look(self.pool.waiting_on_disk(), self.sched.live(), queued);
        for _ in 0..add {
            let started = self.pool.respawn(None).map_err(|e| e.to_string());
            let sent = started.and_then(|k| {
                self.pool.send_query(k, self.gen, &self.spec).map_err(|e| e.to_string())?;
                Ok(k)
            });
            match sent {
                Ok(k) => {
                    let slot = self.sched.add_worker();
                    debug_assert_eq!(slot, k, "the pool and the scheduler number slots alike");
                    log::debug!("workers wait on the disk: started worker {k}");
                }
                // Growing is only a help: the search goes on with the
                // workers it has.
                Err(e) => {
                    log::debug!("could not start another worker: {e}");
                    self.disk.stop();
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// True while more walked files are wanted.
    fn wants_walk(&self) -> bool {
        !self.feeds.walk_done && self.sched.wants_walk()
    }

    /// True when everything was walked, searched and printed.
    fn is_complete(&self) -> bool {
        self.feeds.walk_done
            && self.sched.is_idle()
            && self.order.len() == 0
            && self.deferred.is_empty()
    }

    /// Takes the chunks of walk items already sent (never waits), while
    /// more are wanted; notes the end of the walk.
    fn take_walk(&mut self) -> io::Result<()> {
        while self.wants_walk() {
            match self.feeds.walk.try_recv() {
                Ok(chunk) => self.add_walk_items(chunk)?,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => self.feeds.walk_done = true,
            }
        }
        Ok(())
    }

    /// Gives each walk item its sequence number and queues it, in order.
    fn add_walk_items(&mut self, items: Vec<WalkItem>) -> io::Result<()> {
        for item in items {
            match item {
                WalkItem::Hay { path, explicit, stdin, regular } => {
                    let seq = self.order.push();
                    self.sched.push(Job { seq, explicit, stdin, regular, path });
                }
                WalkItem::Error(msg) => {
                    let seq = self.order.push();
                    self.order.finish(seq, Finished { error: Some(msg), ..Default::default() });
                }
                WalkItem::Warning(msg) => self.out.ignore_problem(&msg)?,
            }
        }
        Ok(())
    }

    /// Sends the batches the scheduler hands out.
    fn dispatch(&mut self) {
        for (k, tasks) in self.sched.dispatch(self.flow()) {
            if self.pool.send_batch(k, self.gen, u64::MAX, &tasks).is_err() {
                // The worker is gone; the poll of its pipe will report it and
                // its files will be handed to the others.
                self.pool.close(k);
            }
            self.sched.assign(k, tasks);
        }
    }

    /// Writes everything the reorder buffer can release.
    fn release(&mut self) -> io::Result<()> {
        while let Some(rel) = self.order.next() {
            match rel {
                Release::Partial(bytes) => self.out.partial(&bytes)?,
                Release::Finished(fin) => self.out.finished(fin)?,
            }
        }
        Ok(())
    }

    /// Reads and handles what worker `k` sent, or its end.
    fn on_worker(&mut self, k: usize) -> io::Result<Option<Stop>> {
        let mut resps = std::mem::take(&mut self.responses);
        let readout = self.pool.read(k, &mut resps);
        let mut quit = false;
        for r in resps.drain(..) {
            quit |= self.on_response(k, r) == Landed::Quit;
        }
        self.responses = resps;
        if let Readout::Gone(why) = readout {
            self.on_gone(k, why)?;
        }
        // -q prints nothing, so any match, in any order, ends it.
        Ok(quit.then_some(Stop::Quit))
    }

    /// Records one frame from worker `k` (of this search's generation).
    fn on_response(&mut self, k: usize, resp: Response) -> Landed {
        match resp {
            Response::Chunk { gen, seq, bytes } if gen == self.gen => {
                self.order.chunk(seq, bytes);
                Landed::Continue
            }
            Response::Done(done) if done.gen == self.gen => {
                let landed = self.sched.landed(k, done.seq, done.has_match);
                let d = *done;
                let fin = Finished {
                    bytes: d.bytes,
                    has_match: d.has_match,
                    stats: d.stats,
                    error: d.error,
                    searched: true,
                };
                self.order.finish(d.seq, fin);
                landed
            }
            Response::Quiet { gen, first, count, stats } if gen == self.gen => {
                // The run's summed stats go with its first file.
                let mut stats = Some(stats);
                for seq in first..first + u64::from(count) {
                    self.sched.landed(k, seq, false);
                    let stats = stats.take().unwrap_or_default();
                    self.order
                        .finish(seq, Finished { stats, searched: true, ..Default::default() });
                }
                Landed::Continue
            }
            _ => Landed::Continue, // a frame of a superseded query
        }
    }

    /// Worker `k` closed its result pipe: reap it; a death by a cancel
    /// signal waits a moment for our own copy of the signal, any other is
    /// handled now.
    fn on_gone(&mut self, k: usize, why: Option<String>) -> io::Result<()> {
        self.pool.close(k);
        if why.is_some() {
            // Its stream is corrupt but it may still run: stop it first.
            self.pool.kill(k);
        }
        let status = self.pool.reap(k);
        if cancel_signal(status).is_some() {
            let until = Instant::now() + CANCEL_SIGNAL_WAIT;
            self.deferred.push(Pending { k, status, until });
            return Ok(());
        }
        self.on_death(k, status, why.as_deref())
    }

    /// Handles the deferred deaths whose wait is over.
    fn handle_due_deaths(&mut self) -> io::Result<()> {
        let now = Instant::now();
        let (due, wait): (Vec<Pending>, Vec<Pending>) =
            std::mem::take(&mut self.deferred).into_iter().partition(|p| p.until <= now);
        self.deferred = wait;
        for p in due {
            self.on_death(p.k, p.status, None)?;
        }
        Ok(())
    }

    /// Worker `k` is gone (reaped, `status`): if it still had files, they go
    /// back to the queue (the scheduler says which), what was given up on
    /// is reported at its place, and a replacement takes its slot. The
    /// files are said to be searched again only if a worker is left to do
    /// it (a replacement started, or another worker is alive).
    fn on_death(&mut self, k: usize, status: Status, why: Option<&str>) -> io::Result<()> {
        let death = self.sched.died(k);
        let clean = matches!(status, Status::Ended(WaitStatus::Exited(_, 0)));
        let pid = self.pool.pid(k);
        let replaced = self.replace(k, &death);
        if death.held == 0 && clean {
            return self.replace_failed(replaced);
        }
        let how = describe(status, why);
        let msg = match &death.current {
            None => format!("worker {pid} {how}"),
            Some(job) => {
                let (path, n) = (display(&job.path), death.held);
                // Without a worker left, `abandon` says what is lost.
                let fate = if !death.requeued.is_empty() && self.sched.any_alive() {
                    format!("; its {n} unfinished file(s) will be searched again")
                } else {
                    String::new()
                };
                format!("worker {pid} {how} while searching {path}{fate}")
            }
        };
        self.out.error(&msg)?;
        self.replace_failed(replaced)?;
        for seq in &death.requeued {
            self.order.restart(*seq);
        }
        for (job, why) in &death.gave_up {
            let path = display(&job.path);
            let msg = match why {
                GaveUp::KilledTwice => format!("{path}: not searched: a worker {how} on it twice"),
                GaveUp::Stdin => format!("{path}: not searched: a worker {how} while reading it"),
            };
            self.order.restart(job.seq);
            self.order.finish(job.seq, Finished { error: Some(msg), ..Default::default() });
        }
        Ok(())
    }

    /// Starts a replacement for worker `k` when the scheduler asks for one;
    /// returns why it could not start, if it could not.
    fn replace(&mut self, k: usize, death: &Death) -> Result<(), String> {
        if !death.replace {
            return Ok(());
        }
        let started = self.pool.respawn(Some(k)).map_err(|e| format!("{e:#}"));
        let sent = started
            .and_then(|k| self.pool.send_query(k, self.gen, &self.spec).map_err(|e| e.to_string()));
        if sent.is_ok() {
            self.sched.revive(k);
        }
        sent
    }

    /// Reports a replacement that could not start.
    fn replace_failed(&mut self, replaced: Result<(), String>) -> io::Result<()> {
        match replaced {
            Ok(()) => Ok(()),
            Err(e) => self.out.error(&format!("could not start a worker to replace it: {e}")),
        }
    }

    /// Every worker is dead: report what will not be searched, mark it
    /// finished with that error, and let the loop print the rest.
    fn abandon(&mut self) -> io::Result<()> {
        let left = self.sched.abandon();
        let first = left.first().map(|j| display(&j.path));
        let mut more = 0usize;
        while let Ok(chunk) = self.feeds.walk.recv() {
            more += chunk.iter().filter(|i| matches!(i, WalkItem::Hay { .. })).count();
        }
        self.feeds.walk_done = true;
        self.out.error(&format!(
            "every worker died; {} file(s) were not searched, starting with {}",
            left.len() + more,
            first.unwrap_or_else(|| "(none)".into())
        ))?;
        for job in left {
            self.order.restart(job.seq);
            self.order.finish(job.seq, Finished { searched: false, ..Default::default() });
        }
        Ok(())
    }

    /// Normal end: let the workers exit, reap them, end the output.
    fn finish(&mut self) -> io::Result<Tally> {
        self.pool.shutdown(Duration::from_secs(5));
        let summary = if self.cfg.run.stats { self.cfg.search_mode() } else { None };
        self.out.end_search(self.cfg.run.has_implicit_path, summary)
    }

    /// Early end: stop every worker, drop unprinted results, reset colour on
    /// a terminal, and report how to exit.
    fn cancel(&mut self, stop: Stop) -> ExitStatus {
        self.pool.signal_all(Signal::SIGTERM);
        self.pool.shutdown(KILL_GRACE);
        match stop {
            Stop::Signal(sig) => {
                self.out.cut_short(true);
                ExitStatus::Signaled(sig)
            }
            // A closed stdout (as ripgrep) and -q's first match both exit 0.
            Stop::BrokenPipe | Stop::Quit => {
                self.out.cut_short(false);
                ExitStatus::Match
            }
        }
    }
}

/// A poll timeout for `d` (the longest poll allows, if `d` is longer).
fn poll_timeout(d: Duration) -> PollTimeout {
    PollTimeout::try_from(d).unwrap_or(PollTimeout::MAX)
}

/// The cancellation signal a worker died by, if any.
fn cancel_signal(st: Status) -> Option<Signal> {
    match st {
        Status::Ended(WaitStatus::Signaled(
            _,
            sig @ (Signal::SIGINT | Signal::SIGTERM | Signal::SIGHUP),
            _,
        )) => Some(sig),
        _ => None,
    }
}

/// Describes how a worker ended, for a message.
pub(crate) fn describe(st: Status, why: Option<&str>) -> String {
    match (st, why) {
        (_, Some(why)) if why.starts_with("corrupt") => {
            format!("sent a bad frame ({why})")
        }
        (Status::Ended(WaitStatus::Signaled(_, sig, _)), _) => format!("was killed by {sig}"),
        (Status::Ended(WaitStatus::Exited(_, code)), Some(why)) => {
            format!("exited with code {code} ({why})")
        }
        (Status::Ended(WaitStatus::Exited(_, code)), None) => format!("exited with code {code}"),
        (_, _) => "ended unexpectedly".to_string(),
    }
}

/// Renders raw path bytes for a message.
pub(crate) fn display(path: &[u8]) -> String {
    Path::new(OsStr::from_bytes(path)).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::unistd::Pid;

    /// A frame longer than the wire allows (or otherwise corrupt) is
    /// reported as a bad frame, even when the worker was then killed, and
    /// never as a bare signal; other deaths say how the worker ended.
    #[test]
    fn a_bad_frame_is_named_as_such() {
        let oversized = ((crate::wire::MAX_FRAME + 2) as u32).to_le_bytes();
        let Err(err) = crate::wire::split_frame(&oversized) else {
            panic!("an oversized frame was accepted");
        };
        let killed = Status::Ended(WaitStatus::Signaled(Pid::from_raw(7), Signal::SIGKILL, false));
        let why = err.to_string();
        assert_eq!(describe(killed, Some(&why)), "sent a bad frame (corrupt frame: bad length)");
        assert_eq!(describe(killed, None), "was killed by SIGKILL");
        let exited = Status::Ended(WaitStatus::Exited(Pid::from_raw(7), 3));
        let cut = crate::wire::WireError::Truncated.to_string();
        assert_eq!(describe(exited, Some(&cut)), "exited with code 3 (frame cut short)");
    }
}
