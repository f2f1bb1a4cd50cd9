//! The search engine of the interactive mode: one pool of warm workers and
//! one file list for the whole session, and a run per query on them. A new
//! query supersedes the running one at once: the shared generation counter
//! changes, so every worker drops its search within one read (64 KiB) and
//! skips the batches still queued for it, and frames of the old generation
//! that still arrive are dropped here.
//!
//! The file list is the first walk's, kept for later queries (until a
//! re-walk); files that earlier queries proved cannot match are skipped
//! (`narrow.rs`). Scheduling rules are `schedule.rs`'s, as in a batch run.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use grep_printer::Stats;

use crate::config::Config;
use crate::doorbell::Doorbell;
use crate::engine::display;
use crate::interactive::narrow::{self, Key, Knowledge, Record};
use crate::interactive::results::Results;
use crate::pool::{Readout, WorkerPool};
use crate::query::{Query, SearchMode};
use crate::schedule::{Flow, GaveUp, Limits, Scheduler};
use crate::walk::WalkItem;
use crate::wire::{Job, Response};

/// Most chunks of walked files queued between the walker and the session.
const WALK_CHUNKS: usize = 8;

/// A walk under way.
struct Walking {
    rx: Receiver<Vec<WalkItem>>,
    bell: Doorbell,
}

/// How the current query stands, for the status line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Progress {
    /// Files searched (or skipped as proven misses).
    pub(crate) searched: u64,
    /// Files with a match.
    pub(crate) matched: u64,
    /// Of the searched, files skipped thanks to earlier queries.
    pub(crate) skipped: u64,
    /// Counters summed over the files searched.
    pub(crate) stats: Stats,
    /// How long it has run (or ran).
    pub(crate) elapsed: Duration,
    /// Still searching.
    pub(crate) running: bool,
    /// Stopped before the end (Ctrl-C).
    pub(crate) stopped: bool,
    /// Problems met (files that could not be read, dead workers).
    pub(crate) problems: Vec<String>,
}

/// One query's run.
struct Run {
    gen: u64,
    spec: Vec<u8>,
    sched: Scheduler,
    /// The next file of the list to hand to the scheduler.
    next: usize,
    /// The earlier queries whose findings apply.
    applicable: Vec<Record>,
    /// What this run finds out.
    record: Record,
    started: Instant,
    progress: Progress,
}

/// The session's engine.
pub(crate) struct Session {
    pool: WorkerPool,
    /// Every file to search, in walk order; a file's position is its
    /// sequence number.
    files: Vec<Job>,
    walking: Option<Walking>,
    /// Problems the walk met (missing paths, unreadable directories).
    walk_problems: Vec<String>,
    gen: u64,
    run: Option<Run>,
    knowledge: Knowledge,
    responses: Vec<Response>,
    /// Workers that may still be started to replace dead ones, this
    /// session (a file that kills every worker cannot fork forever).
    respawns_left: usize,
}

/// Most replacement workers in one session.
const MAX_RESPAWNS: usize = 64;

/// The query the workers run for the screen: the user's, rendered as
/// `LINE:text` and `LINE-text` rows without paths, colour or separators,
/// read (not memory-mapped) so that a superseded search stops mid-file.
pub(crate) fn screen_query(q: &Query) -> Query {
    let mut q = q.clone();
    let p = &mut q.printer;
    p.mode = SearchMode::Standard;
    p.quiet = false;
    p.color = false;
    p.column = false;
    p.heading = false;
    p.with_filename = false;
    p.byte_offset = false;
    p.vimgrep = false;
    p.path_terminator = None;
    p.context_separator = None;
    p.field_context_separator = b"-".to_vec();
    p.field_match_separator = b":".to_vec();
    p.stats = true;
    p.sanitize = false;
    q.searcher.line_number = true;
    q.searcher.mmap = false;
    q
}

impl Session {
    /// A session on `pool` (forked by the caller while single-threaded).
    pub(crate) fn new(pool: WorkerPool) -> Session {
        Session {
            pool,
            files: Vec::new(),
            walking: None,
            walk_problems: Vec::new(),
            gen: 0,
            run: None,
            knowledge: Knowledge::default(),
            responses: Vec::new(),
            respawns_left: MAX_RESPAWNS,
        }
    }

    /// Starts walking `cfg`'s roots (forgetting any earlier file list and
    /// what was learnt about it).
    pub(crate) fn walk(&mut self, cfg: &Config) -> anyhow::Result<()> {
        let (tx, rx) = crossbeam_channel::bounded(WALK_CHUNKS);
        let (bell, ringer) = crate::doorbell::doorbell()?;
        crate::walk::spawn(cfg, tx, Some(ringer))?;
        self.walking = Some(Walking { rx, bell });
        self.files.clear();
        self.walk_problems.clear();
        self.knowledge.clear();
        Ok(())
    }

    /// True while the walk is under way.
    pub(crate) fn is_walking(&self) -> bool {
        self.walking.is_some()
    }

    /// Files in the list so far.
    pub(crate) fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Starts query `q` (compiled and checked by the caller), superseding
    /// the one running; `results` is cleared for it.
    pub(crate) fn search(&mut self, q: &Query, results: &mut Results) {
        self.stop();
        self.gen += 1;
        self.pool.set_generation(self.gen);
        let spec = screen_query(q).encode();
        let mut alive = vec![true; self.pool.len()];
        for (k, alive) in alive.iter_mut().enumerate() {
            if self.pool.results_fd(k).is_none() {
                *alive = self.respawn(k);
            }
            if *alive && self.pool.send_query(k, self.gen, &spec).is_err() {
                self.pool.close(k);
            }
        }
        let key = Key::of(q);
        let applicable = self.knowledge.for_key(&key);
        let workers = self.pool.len();
        let limits = Limits {
            held_bytes_cap: usize::MAX,
            window_cap: usize::MAX,
            ..Limits::for_workers(workers)
        };
        self.run = Some(Run {
            gen: self.gen,
            spec,
            sched: Scheduler::with_alive(alive, limits, false),
            next: 0,
            applicable,
            record: Record::new(key),
            started: Instant::now(),
            progress: Progress { running: true, ..Progress::default() },
        });
        results.clear();
        self.pump(results);
    }

    /// Searches nothing (the query is empty): stops the running query and
    /// clears `results`.
    pub(crate) fn idle(&mut self, results: &mut Results) {
        self.stop();
        self.run = None;
        results.clear();
    }

    /// Stops the running query, if any (Ctrl-C, or a new one): workers drop
    /// it; what it learnt is kept.
    pub(crate) fn stop(&mut self) {
        let Some(run) = self.run.as_mut() else { return };
        if run.progress.running {
            run.progress.running = false;
            run.progress.stopped = true;
            run.progress.elapsed = run.started.elapsed();
            self.gen += 1;
            self.pool.set_generation(self.gen);
            self.knowledge.keep(run.record.clone());
        }
    }

    /// True while the current query runs.
    pub(crate) fn is_running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.progress.running)
    }

    /// How the current query stands.
    pub(crate) fn progress(&self) -> Progress {
        let Some(run) = &self.run else { return Progress::default() };
        let mut p = run.progress.clone();
        if p.running {
            p.elapsed = run.started.elapsed();
        }
        p.problems.splice(0..0, self.walk_problems.iter().cloned());
        p
    }

    /// The descriptors to poll: the walk's bell (first) and each worker's
    /// result pipe, with the worker's slot.
    pub(crate) fn fds(&self) -> (Option<BorrowedFd<'_>>, Vec<(usize, BorrowedFd<'_>)>) {
        let walk = self.walking.as_ref().map(|w| w.bell.fd());
        let workers =
            (0..self.pool.len()).filter_map(|k| self.pool.results_fd(k).map(|fd| (k, fd)));
        (walk, workers.collect())
    }

    /// Takes what the walker sent, and feeds the running query.
    pub(crate) fn on_walk(&mut self, results: &Results) {
        let Some(w) = &self.walking else { return };
        w.bell.drain();
        loop {
            match w.rx.try_recv() {
                Ok(chunk) => {
                    for item in chunk {
                        match item {
                            WalkItem::Hay { path, explicit, stdin, regular } => {
                                let seq = self.files.len() as u64;
                                self.files.push(Job { seq, explicit, stdin, regular, path });
                            }
                            WalkItem::Error(msg) | WalkItem::Warning(msg) => {
                                self.walk_problems.push(msg)
                            }
                        }
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.walking = None;
                    break;
                }
            }
        }
        self.pump(results);
    }

    /// Hands files to the scheduler (skipping proven misses) and sends the
    /// batches it gives out, asking for the rendering of only the files
    /// that fit `results`' window; notes the end of the query.
    pub(crate) fn pump(&mut self, results: &Results) {
        let render_below = results.cutoff();
        let Some(run) = self.run.as_mut() else { return };
        if !run.progress.running {
            return;
        }
        while run.sched.wants_walk() && run.next < self.files.len() {
            let job = &self.files[run.next];
            run.next += 1;
            if narrow::skippable(&run.applicable, job.seq) {
                run.record.searched.set(job.seq);
                run.progress.searched += 1;
                run.progress.skipped += 1;
                continue;
            }
            run.sched.push(job.clone());
        }
        let flow = Flow::default();
        for (k, tasks) in run.sched.dispatch(flow) {
            if self.pool.send_batch(k, run.gen, render_below, &tasks).is_err() {
                self.pool.close(k);
            }
            run.sched.assign(k, tasks);
        }
        if !run.sched.any_alive() {
            // No worker could be kept alive (the budget of replacements is
            // spent): say what is left unsearched, and end the query.
            let left = run.sched.abandon().len() + (self.files.len() - run.next);
            run.progress.problems.push(format!("every worker died; {left} file(s) not searched"));
            run.progress.running = false;
            run.progress.stopped = true;
            run.progress.elapsed = run.started.elapsed();
            return;
        }
        let finished =
            self.walking.is_none() && run.next == self.files.len() && run.sched.is_idle();
        if finished {
            run.progress.running = false;
            run.progress.elapsed = run.started.elapsed();
            self.knowledge.keep(run.record.clone());
        }
    }

    /// Reads and handles what worker `k` sent (results go to `results`),
    /// or its end.
    pub(crate) fn on_worker(&mut self, k: usize, results: &mut Results) -> io::Result<()> {
        let mut resps = std::mem::take(&mut self.responses);
        let readout = self.pool.read(k, &mut resps);
        for r in resps.drain(..) {
            self.on_response(k, r, results);
        }
        self.responses = resps;
        if let Readout::Gone(why) = readout {
            self.on_gone(k, why, results);
        }
        self.pump(results);
        Ok(())
    }

    /// Records one frame from worker `k`, unless it belongs to an older
    /// query.
    fn on_response(&mut self, k: usize, resp: Response, results: &mut Results) {
        let Some(run) = self.run.as_mut() else { return };
        match resp {
            Response::Chunk { gen, seq, bytes } if gen == run.gen => {
                let path = &self.files[seq as usize].path;
                results.add(seq, path, &bytes, false);
            }
            Response::Done(done) if done.gen == run.gen => {
                run.sched.landed(k, done.seq, done.has_match);
                let path = &self.files[done.seq as usize].path;
                if done.seq >= results.cutoff() && done.bytes.is_empty() {
                    results.count_unkept(done.stats.matched_lines());
                } else {
                    results.add(done.seq, path, &done.bytes, true);
                }
                let p = &mut run.progress;
                p.searched += 1;
                p.matched += u64::from(done.has_match);
                p.stats += done.stats;
                run.record.searched.set(done.seq);
                if done.has_match {
                    run.record.matched.set(done.seq);
                }
                if let Some(e) = done.error {
                    p.problems.push(e);
                }
            }
            Response::Quiet { gen, first, count, stats } if gen == run.gen => {
                for seq in first..first + u64::from(count) {
                    run.sched.landed(k, seq, false);
                    run.record.searched.set(seq);
                }
                run.progress.searched += u64::from(count);
                run.progress.stats += stats;
            }
            _ => {} // a frame of a superseded query
        }
    }

    /// Worker `k` ended: its files go back to the queue, what killed two
    /// workers is reported, and a fresh worker takes its slot (it gets the
    /// current query first).
    fn on_gone(&mut self, k: usize, why: Option<String>, results: &mut Results) {
        self.pool.close(k);
        if why.is_some() {
            self.pool.kill(k);
        }
        let status = self.pool.reap(k);
        let pid = self.pool.pid(k);
        let Some(run) = self.run.as_mut() else { return };
        let death = run.sched.died(k);
        if death.held > 0 {
            let how = crate::engine::describe(status, why.as_deref());
            run.progress.problems.push(format!("worker {pid} {how}"));
        }
        for seq in &death.requeued {
            results.restart(*seq);
        }
        for (job, why) in &death.gave_up {
            let why = match why {
                GaveUp::KilledTwice => "a worker died on it twice",
                GaveUp::Stdin => "a worker died reading it",
            };
            run.progress.problems.push(format!("{}: not searched: {why}", display(&job.path)));
            run.record.searched.set(job.seq);
            run.progress.searched += 1;
        }
        if !death.replace {
            return; // started again, if it can be, by the next query
        }
        let (gen, spec) = (run.gen, run.spec.clone());
        if self.respawn(k) && self.pool.send_query(k, gen, &spec).is_ok() {
            if let Some(run) = self.run.as_mut() {
                run.sched.revive(k);
            }
        }
    }

    /// Starts a fresh worker in slot `k` (whose worker is reaped), within
    /// the session's budget; true if it started.
    fn respawn(&mut self, k: usize) -> bool {
        if self.respawns_left == 0 {
            return false;
        }
        self.respawns_left -= 1;
        self.pool.reap(k);
        self.pool.respawn(Some(k)).is_ok()
    }

    /// Ends the session: lets the workers go and reaps them.
    pub(crate) fn shutdown(&mut self) {
        self.pool.shutdown(Duration::from_millis(200));
    }
}
