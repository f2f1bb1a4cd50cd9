//! The scheduling rules of one search, with no I/O: which files wait, which
//! worker holds which files, which workers are alive, how often a file has
//! killed a worker, when dispatch must pause for the output to catch up,
//! and what a worker's death costs. The main loop hands it events and does
//! what it says; every rule is unit-tested here.
//!
//! It never loses a file: a file leaves it only by landing (its result came
//! back), by being given up on (it killed two workers, or it was standard
//! input, which cannot be read again) or by being abandoned (no worker is
//! left), and the last two are returned to the caller to report.

use std::collections::VecDeque;

use crate::wire::Job;

/// The sizes the rules work with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Most files in one batch. Small, because while one worker is held up
    /// by a big file, the files queued behind it hold back every later
    /// file's output: batches of 256 held 4 MB of `-n return` output, 64
    /// hold little, at no measurable cost in time.
    pub(crate) max_batch: usize,
    /// Most files assigned to one worker and not yet finished (two
    /// batches: a worker never waits for its next one).
    pub(crate) max_in_flight: usize,
    /// Most walked files held ready for dispatch.
    pub(crate) pending_cap: usize,
    /// Dispatch pauses while this much output waits for an earlier file,
    /// and only the pipe of the worker holding the next file to print is
    /// read.
    pub(crate) held_bytes_cap: usize,
    /// Dispatch pauses while this many files wait to be released.
    pub(crate) window_cap: usize,
    /// Most workers started to replace dead ones, in one search.
    pub(crate) replacements: usize,
}

impl Limits {
    /// The limits of a search with `workers` workers.
    pub(crate) fn for_workers(workers: usize) -> Limits {
        Limits {
            max_batch: 64,
            max_in_flight: 128,
            pending_cap: 1024,
            held_bytes_cap: 16 << 20,
            window_cap: 32 << 10,
            replacements: 2 * workers + 4,
        }
    }
}

/// A file and how often a worker died searching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Task {
    /// The file.
    pub(crate) job: Job,
    attempts: u8,
}

impl AsRef<Job> for Task {
    /// The job, for encoding a batch without copying it.
    fn as_ref(&self) -> &Job {
        &self.job
    }
}

/// Where the output stands, for back-pressure.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Flow {
    /// The next file to print.
    pub(crate) head: u64,
    /// Bytes of output waiting for an earlier file.
    pub(crate) held_bytes: usize,
}

/// What a file's landing means for the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Landed {
    /// Go on.
    Continue,
    /// -q found a match: the search is over.
    Quit,
}

/// Why a file was given up on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GaveUp {
    /// It was being searched when a worker died, for the second time.
    KilledTwice,
    /// It is standard input, which cannot be read again.
    Stdin,
}

/// What a worker's death means.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Death {
    /// The file it was searching (the first it held), if any.
    pub(crate) current: Option<Job>,
    /// How many unfinished files it held.
    pub(crate) held: usize,
    /// The files handed back to the queue, to be searched again.
    pub(crate) requeued: Vec<u64>,
    /// The files given up on, and why.
    pub(crate) gave_up: Vec<(Job, GaveUp)>,
    /// A replacement should be started in its slot.
    pub(crate) replace: bool,
}

/// The scheduling state of one search.
#[derive(Debug)]
pub(crate) struct Scheduler {
    limits: Limits,
    /// Files walked (or handed back) and not yet assigned, in order.
    pending: VecDeque<Task>,
    /// Files assigned to each worker, in the order it will finish them.
    held: Vec<VecDeque<Task>>,
    alive: Vec<bool>,
    /// -q: the first match ends the search.
    quit_on_match: bool,
    replacements_left: usize,
    /// Nothing more is dispatched (-q matched).
    stopped: bool,
}

impl Scheduler {
    /// A scheduler for `workers` live workers.
    pub(crate) fn new(workers: usize, limits: Limits, quit_on_match: bool) -> Scheduler {
        Scheduler {
            limits,
            pending: VecDeque::new(),
            held: vec![VecDeque::new(); workers],
            alive: vec![true; workers],
            quit_on_match,
            replacements_left: limits.replacements,
            stopped: false,
        }
    }

    /// A scheduler for the workers whose slots are `alive`.
    pub(crate) fn with_alive(alive: Vec<bool>, limits: Limits, quit_on_match: bool) -> Scheduler {
        let mut s = Scheduler::new(alive.len(), limits, quit_on_match);
        s.alive = alive;
        s
    }

    /// Queues a walked file.
    pub(crate) fn push(&mut self, job: Job) {
        self.pending.push_back(Task { job, attempts: 0 });
    }

    /// True while more walked files are wanted.
    pub(crate) fn wants_walk(&self) -> bool {
        !self.stopped && self.pending.len() < self.limits.pending_cap
    }

    /// True when nothing waits and no worker holds anything.
    pub(crate) fn is_idle(&self) -> bool {
        self.pending.is_empty() && self.held.iter().all(VecDeque::is_empty)
    }

    /// True when at least one worker is alive.
    pub(crate) fn any_alive(&self) -> bool {
        self.alive.iter().any(|a| *a)
    }

    /// The file `seq`, if a worker holds it.
    pub(crate) fn held_job(&self, seq: u64) -> Option<&Job> {
        self.held.iter().flatten().map(|t| &t.job).find(|j| j.seq == seq)
    }

    /// Takes the batches to send now: one for each live worker with room for
    /// a whole batch, unless the output is backed up; the workers holding
    /// fewest files come first, so that files walked one at a time spread
    /// over idle workers (rather than queue behind one blocked on a FIFO).
    /// The caller sends each, then gives it back with `assign`.
    pub(crate) fn dispatch(&mut self, flow: Flow) -> Vec<(usize, Vec<Task>)> {
        let live = self.alive.iter().filter(|a| **a).count().max(1);
        let mut order: Vec<usize> = (0..self.held.len()).collect();
        order.sort_by_key(|&k| self.held[k].len());
        let mut out = Vec::new();
        for k in order {
            if self.stopped || self.pending.is_empty() || self.backed_up(flow) {
                break;
            }
            let room = self.held[k].len() + self.limits.max_batch <= self.limits.max_in_flight;
            if !self.alive[k] || !room {
                continue;
            }
            let size = (self.pending.len() / live).clamp(1, self.limits.max_batch);
            out.push((k, self.pending.drain(..size.min(self.pending.len())).collect()));
        }
        out
    }

    /// Records that worker `k` was sent `tasks` (even if the send failed:
    /// its death will hand them back).
    pub(crate) fn assign(&mut self, k: usize, tasks: Vec<Task>) {
        self.held[k].extend(tasks);
    }

    /// True when too much output waits on an earlier file to dispatch more
    /// (never while the next file to print waits to be dispatched itself).
    pub(crate) fn backed_up(&self, flow: Flow) -> bool {
        let next = self.pending.front().map_or(0, |t| t.job.seq);
        if next == flow.head && !self.pending.is_empty() {
            return false;
        }
        flow.held_bytes > self.limits.held_bytes_cap
            || next.saturating_sub(flow.head) > self.limits.window_cap as u64
    }

    /// The worker searching the next file to print, if one is.
    pub(crate) fn head_worker(&self, head: u64) -> Option<usize> {
        self.held.iter().position(|q| q.front().is_some_and(|t| t.job.seq == head))
    }

    /// Whether worker `k`'s pipe is read now: every worker's is, unless too
    /// much output waits on an earlier file; then only that of the one
    /// holding the next file to print, so the others block on their full
    /// pipes and held output stays bounded however much is printed.
    pub(crate) fn reads_from(&self, k: usize, flow: Flow) -> bool {
        flow.held_bytes <= self.limits.held_bytes_cap || self.head_worker(flow.head) == Some(k)
    }

    /// File `seq` came back from worker `k`, matching or not.
    pub(crate) fn landed(&mut self, k: usize, seq: u64, has_match: bool) -> Landed {
        let queue = &mut self.held[k];
        if queue.front().is_some_and(|t| t.job.seq == seq) {
            queue.pop_front();
        } else if let Some(pos) = queue.iter().position(|t| t.job.seq == seq) {
            queue.remove(pos);
        }
        if has_match && self.quit_on_match {
            self.stopped = true;
            return Landed::Quit;
        }
        Landed::Continue
    }

    /// Worker `k` died: the files it held go back to the front of the queue
    /// in order; the one it was searching counts an attempt and is given up
    /// on at its second, and standard input is given up on at once.
    pub(crate) fn died(&mut self, k: usize) -> Death {
        self.alive[k] = false;
        let mut tasks: Vec<Task> = self.held[k].drain(..).collect();
        let mut death = Death {
            current: tasks.first().map(|t| t.job.clone()),
            held: tasks.len(),
            ..Death::default()
        };
        if let Some(first) = tasks.first_mut() {
            first.attempts += 1;
        }
        let (gave_up, back): (Vec<Task>, Vec<Task>) =
            tasks.drain(..).partition(|t| t.attempts >= 2 || t.job.stdin);
        for t in gave_up {
            let why = if t.job.stdin { GaveUp::Stdin } else { GaveUp::KilledTwice };
            death.gave_up.push((t.job, why));
        }
        death.requeued = back.iter().map(|t| t.job.seq).collect();
        for t in back.into_iter().rev() {
            self.pending.push_front(t);
        }
        let work_left = !self.stopped && !self.is_idle();
        if work_left && self.replacements_left > 0 {
            self.replacements_left -= 1;
            death.replace = true;
        }
        death
    }

    /// A replacement is alive in slot `k` (whose old worker died).
    pub(crate) fn revive(&mut self, k: usize) {
        debug_assert!(self.held[k].is_empty());
        self.alive[k] = true;
    }

    /// A worker was added in a new slot, the next one; returns its index.
    pub(crate) fn add_worker(&mut self) -> usize {
        self.held.push(VecDeque::new());
        self.alive.push(true);
        self.held.len() - 1
    }

    /// How many workers are alive.
    pub(crate) fn live(&self) -> usize {
        self.alive.iter().filter(|a| **a).count()
    }

    /// No worker is left: takes every file not yet searched, in order, for
    /// the caller to report.
    pub(crate) fn abandon(&mut self) -> Vec<Job> {
        let mut left: Vec<Job> = self.pending.drain(..).map(|t| t.job).collect();
        left.extend(self.held.iter_mut().flat_map(|q| q.drain(..)).map(|t| t.job));
        left.sort_by_key(|j| j.seq);
        left
    }
}

/// Looks taken of the workers before `DiskWatch` decides.
const DISK_WINDOW: u32 = 5;

/// Decides when a search waits on the disk rather than on the CPU: then
/// more workers keep more reads in flight (a cold cache). It counts, over
/// a window of looks, how many workers were waiting on the disk while files
/// were queued for them; when that is at least half of all looks, the live
/// workers are doubled, up to a cap. On a warm cache workers never wait on
/// the disk and nothing is added.
#[derive(Debug)]
pub(crate) struct DiskWatch {
    /// Most workers the search may have.
    cap: usize,
    looks: u32,
    /// Workers seen waiting, summed over the window's looks.
    waiting: usize,
    /// Workers alive, summed over the window's looks.
    seen: usize,
}

impl DiskWatch {
    /// A watch that never lets a search grow past `cap` workers.
    pub(crate) fn new(cap: usize) -> DiskWatch {
        DiskWatch { cap, looks: 0, waiting: 0, seen: 0 }
    }

    /// Never adds a worker again (one could not be started).
    pub(crate) fn stop(&mut self) {
        self.cap = 0;
    }

    /// True while looking can still add workers (`live` are alive).
    pub(crate) fn active(&self, live: usize) -> bool {
        live < self.cap
    }

    /// One look: `waiting` of the `live` workers wait on the disk, and
    /// `queued` says whether files wait to be searched. Returns how many
    /// workers to add now.
    pub(crate) fn look(&mut self, waiting: usize, live: usize, queued: bool) -> usize {
        if !queued || !self.active(live) {
            *self = DiskWatch::new(self.cap);
            return 0;
        }
        self.looks += 1;
        self.waiting += waiting;
        self.seen += live;
        if self.looks < DISK_WINDOW {
            return 0;
        }
        let slow = 2 * self.waiting >= self.seen;
        *self = DiskWatch::new(self.cap);
        if slow {
            live.min(self.cap - live)
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small limits, so that every rule shows with a few files.
    fn limits() -> Limits {
        Limits {
            max_batch: 2,
            max_in_flight: 4,
            pending_cap: 8,
            held_bytes_cap: 100,
            window_cap: 10,
            replacements: 1,
        }
    }

    /// A scheduler with `workers` workers and files `0..files` queued.
    fn with_files(workers: usize, files: u64) -> Scheduler {
        let mut s = Scheduler::new(workers, limits(), false);
        for seq in 0..files {
            s.push(Job {
                seq,
                explicit: false,
                stdin: false,
                regular: true,
                path: format!("f{seq}").into(),
            });
        }
        s
    }

    /// Dispatches and assigns everything dispatchable; returns which worker
    /// got which files.
    fn run_dispatch(s: &mut Scheduler, flow: Flow) -> Vec<(usize, Vec<u64>)> {
        let mut got = Vec::new();
        for (k, tasks) in s.dispatch(flow) {
            got.push((k, tasks.iter().map(|t| t.job.seq).collect()));
            s.assign(k, tasks);
        }
        got
    }

    /// Batches go to every worker with room, never more than two batches
    /// in flight per worker, and a landing makes room again; as the queue
    /// empties, batches shrink so that the last files spread over workers.
    #[test]
    fn dispatch_fills_each_worker_up_to_two_batches() {
        let mut s = with_files(2, 10);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![0, 1]), (1, vec![2, 3])]);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![4, 5]), (1, vec![6, 7])]);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![]);
        s.landed(0, 0, false);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![]);
        s.landed(0, 1, false);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![8])]);
        s.landed(1, 2, false);
        s.landed(1, 3, false);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(1, vec![9])]);
        assert!(!s.is_idle());
    }

    /// A worker that dies holding N files hands all N back, in order, at
    /// the front of the queue; the one it was in counts an attempt.
    #[test]
    fn a_dead_workers_files_are_requeued_in_order() {
        let mut s = with_files(2, 6);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![0, 1]), (1, vec![2, 3])]);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![4]), (1, vec![5])]);
        let death = s.died(0);
        assert_eq!(death.current.as_ref().map(|j| j.seq), Some(0));
        assert_eq!(death.held, 3);
        assert_eq!(death.requeued, vec![0, 1, 4]);
        assert!(death.gave_up.is_empty());
        assert!(death.replace, "work is left and the budget allows one replacement");
        // Worker 1 is full; once it finishes its files, it gets the requeued
        // ones, in order.
        for seq in [2, 3, 5] {
            s.landed(1, seq, false);
        }
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(1, vec![0, 1])]);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(1, vec![4])]);
    }

    /// The retried file kills a second worker: it is given up on, named,
    /// and the files behind it are still searched.
    #[test]
    fn a_file_that_kills_two_workers_is_given_up() {
        let mut s = with_files(2, 3);
        // Batches of one (3 files over 2 workers): worker 0 holds 0, 1 holds 1.
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![0]), (1, vec![1])]);
        let first = s.died(0);
        assert_eq!(first.requeued, vec![0]);
        s.landed(1, 1, false);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(1, vec![0, 2])]);
        let second = s.died(1);
        assert_eq!(second.gave_up.len(), 1);
        assert_eq!(second.gave_up[0].0.seq, 0);
        assert_eq!(second.gave_up[0].1, GaveUp::KilledTwice);
        assert!(!second.requeued.contains(&0));
        assert!(!second.replace, "the one replacement was used up");
        assert_eq!(s.abandon().iter().map(|j| j.seq).collect::<Vec<_>>(), second.requeued);
    }

    /// Standard input is never searched twice: given up on at the first death.
    #[test]
    fn stdin_is_given_up_at_once() {
        let mut s = Scheduler::new(1, limits(), false);
        s.push(Job {
            seq: 0,
            explicit: true,
            stdin: true,
            regular: false,
            path: b"<stdin>".to_vec(),
        });
        run_dispatch(&mut s, Flow::default());
        let death = s.died(0);
        assert_eq!(death.gave_up.len(), 1);
        assert_eq!(death.gave_up[0].1, GaveUp::Stdin);
        assert!(s.is_idle());
        assert!(!death.replace, "nothing is left to search");
    }

    /// When every worker is dead and no replacement is allowed, everything
    /// left is abandoned, in order, and nothing is lost.
    #[test]
    fn all_workers_dead_abandons_the_rest() {
        let mut s = with_files(2, 7);
        run_dispatch(&mut s, Flow::default());
        let a = s.died(0);
        assert!(a.replace);
        let b = s.died(1);
        assert!(!b.replace);
        assert!(!s.any_alive());
        let left: Vec<u64> = s.abandon().iter().map(|j| j.seq).collect();
        assert_eq!(left, (0..7).collect::<Vec<_>>());
        assert!(s.is_idle());
    }

    /// A replacement revives the slot and takes work again.
    #[test]
    fn a_revived_slot_takes_work() {
        let mut s = with_files(1, 4);
        run_dispatch(&mut s, Flow::default());
        assert!(s.died(0).replace);
        assert!(s.dispatch(Flow::default()).is_empty(), "a dead slot gets nothing");
        s.revive(0);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![0, 1])]);
    }

    /// -q: the first matching file stops the search and all dispatch.
    #[test]
    fn quiet_stops_at_the_first_match() {
        let mut s = Scheduler::new(2, limits(), true);
        for seq in 0..6 {
            s.push(Job { seq, explicit: false, stdin: false, regular: true, path: vec![] });
        }
        run_dispatch(&mut s, Flow::default());
        assert_eq!(s.landed(0, 0, false), Landed::Continue);
        assert_eq!(s.landed(1, 2, true), Landed::Quit);
        assert!(s.dispatch(Flow::default()).is_empty());
        assert!(!s.wants_walk());
    }

    /// Too much held output pauses dispatch and the reading of every pipe
    /// but the head worker's; once it is printed, both resume. The head
    /// file itself is always dispatched.
    #[test]
    fn back_pressure_holds_and_resumes() {
        let mut s = with_files(2, 8);
        run_dispatch(&mut s, Flow::default());
        s.landed(1, 2, false);
        s.landed(1, 3, false);
        let jammed = Flow { head: 0, held_bytes: 1000 };
        assert!(s.backed_up(jammed));
        assert!(s.dispatch(jammed).is_empty());
        assert!(s.reads_from(0, jammed), "the head worker is always read");
        assert!(!s.reads_from(1, jammed));
        let clear = Flow { head: 0, held_bytes: 10 };
        assert!(s.reads_from(1, clear));
        // Worker 1 finished its files: it holds fewer, so it is served first.
        assert_eq!(run_dispatch(&mut s, clear), vec![(1, vec![4, 5]), (0, vec![6])]);
        // Files far ahead of the head also hold dispatch back...
        // (files land at once, but file 0's output never comes: head stays 0)
        let mut s = with_files(1, 40);
        let mut sent = 0;
        loop {
            let batches = s.dispatch(Flow::default());
            if batches.is_empty() {
                break;
            }
            for (k, tasks) in batches {
                let seqs: Vec<u64> = tasks.iter().map(|t| t.job.seq).collect();
                sent += seqs.len();
                s.assign(k, tasks);
                for seq in seqs {
                    s.landed(k, seq, false);
                }
            }
        }
        assert_eq!(sent, 12, "dispatch stops once the next file is 10 past the head");
        assert!(s.backed_up(Flow { head: 0, held_bytes: 0 }));
        assert!(!s.backed_up(Flow { head: 2, held_bytes: 0 }));
        // ...but never the head file itself.
        let mut s = with_files(1, 3);
        assert!(!s.backed_up(Flow { head: 0, held_bytes: 1000 }));
        assert_eq!(run_dispatch(&mut s, Flow { head: 0, held_bytes: 1000 }), vec![(0, vec![0, 1])]);
    }

    /// Files that arrive one at a time go to the idle worker, not behind
    /// the one still busy with the first (which may block on a FIFO).
    #[test]
    fn a_lone_file_goes_to_the_idle_worker() {
        let mut s = with_files(2, 1);
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(0, vec![0])]);
        s.push(Job { seq: 1, explicit: false, stdin: false, regular: true, path: vec![] });
        assert_eq!(run_dispatch(&mut s, Flow::default()), vec![(1, vec![1])]);
    }

    /// The walk is wanted until the queue is full.
    #[test]
    fn walk_intake_stops_at_the_cap() {
        let mut s = with_files(1, 7);
        assert!(s.wants_walk());
        s.push(Job { seq: 7, explicit: false, stdin: false, regular: true, path: vec![] });
        assert!(!s.wants_walk());
    }

    /// Workers that wait on the disk for half of a window's looks are
    /// doubled, up to the cap; a warm search, or one with nothing queued,
    /// never grows.
    #[test]
    fn disk_watch_doubles_workers_that_wait_on_the_disk() {
        let mut w = DiskWatch::new(8);
        let window = |w: &mut DiskWatch, waiting, live, queued| {
            (0..DISK_WINDOW).map(|_| w.look(waiting, live, queued)).sum::<usize>()
        };
        assert_eq!(window(&mut w, 0, 2, true), 0, "warm: never waits");
        assert_eq!(window(&mut w, 1, 2, true), 2, "half the looks: doubled");
        assert_eq!(window(&mut w, 4, 4, false), 0, "nothing queued");
        assert_eq!(window(&mut w, 3, 6, true), 2, "up to the cap");
        assert!(!w.active(8));
        assert_eq!(window(&mut w, 8, 8, true), 0, "at the cap");
        // A look with nothing queued starts the window again.
        let mut w = DiskWatch::new(8);
        for _ in 0..DISK_WINDOW - 1 {
            assert_eq!(w.look(2, 2, true), 0);
        }
        assert_eq!(w.look(2, 2, false), 0);
        assert_eq!(w.look(2, 2, true), 0);
        // Once a worker could not be started, it never grows again.
        w.stop();
        assert!(!w.active(2));
        assert_eq!(window(&mut w, 2, 2, true), 0, "stopped");
    }

    /// An added worker gets the next slot and can be given files.
    #[test]
    fn added_worker_takes_the_next_slot() {
        let mut s = Scheduler::new(1, limits(), false);
        for seq in 0..6 {
            s.push(Job { seq, explicit: false, stdin: false, regular: true, path: vec![] });
        }
        assert_eq!(s.add_worker(), 1);
        assert_eq!(s.live(), 2);
        let got: Vec<usize> = s.dispatch(Flow::default()).into_iter().map(|(k, _)| k).collect();
        assert_eq!(got, vec![0, 1]);
    }
}
