//! What a run may start within the process's limits: how many worker
//! processes, helper threads and directory-listing threads fit in the file
//! descriptors (RLIMIT_NOFILE) and tasks (RLIMIT_NPROC: the processes and
//! threads of the user) left. `plan` holds the rules, pure and unit-tested;
//! `room` measures what is left; `describe` words what was cut, for the
//! one note that says so.
//!
//! Nothing tells how many tasks the user already runs, so when the limit
//! may bind, `room` starts as many threads as the run could want, counts
//! those it got and lets them end: `ignore`'s parallel walker panics (and
//! can hang) when it cannot start a thread, so it is only used when its
//! threads are known to fit, with a margin.

use std::time::{Duration, Instant};

use nix::sys::resource::{getrlimit, Resource, RLIM_INFINITY};

/// Descriptors every search needs: one file or directory open at a time.
const FDS_BASE: usize = 1;
/// Descriptors a worker process holds in dn (its two pipes' ends).
const FDS_WORKER: usize = 2;
/// Descriptors a worker needs on top while it is started (the child's ends).
const FDS_FORK: usize = 2;
/// Descriptors of a doorbell (an eventfd).
const FDS_BELL: usize = 1;
/// Descriptors one walking thread may hold (a directory, an ignore file).
const FDS_WALK: usize = 2;
/// Tasks kept free while the parallel walk starts its threads (besides
/// those the workers' commands may take), against tasks started meanwhile.
const TASKS_MARGIN: usize = 1;
/// Tasks a worker may hold for a --pre or -z command: the command, the
/// thread reading its stderr, and the last file's thread, which the kernel
/// may count for a moment after it ended.
pub(crate) const COMMAND_TASKS: usize = 3;
/// A descriptor limit at least this high leaves room for any run.
const FDS_PLENTY: u64 = 4096;
/// Stack of a probe thread (it only waits).
const PROBE_STACK: usize = 64 << 10;
/// Longest wait for probe threads to be gone from the kernel's count.
const PROBE_SETTLE: Duration = Duration::from_secs(1);

/// What a run would start if nothing limited it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Want {
    /// Worker processes.
    pub(crate) workers: usize,
    /// A thread that waits for signals.
    pub(crate) signals: bool,
    /// A thread that walks directories while the search runs.
    pub(crate) walker: bool,
    /// Threads that list directories in parallel, under the walker.
    pub(crate) walk_threads: usize,
    /// Tasks each worker may start besides itself (a --pre or -z command
    /// and the thread that reads its stderr).
    pub(crate) worker_tasks: usize,
    /// Descriptors the run holds besides those counted here (-Q's).
    pub(crate) extra_fds: usize,
}

impl Want {
    /// The most tasks the run could start (and `room` probes for).
    fn tasks(&self) -> usize {
        let workers = self.workers.max(1) * (1 + self.worker_tasks);
        let parallel = self.walk_threads + 1 + TASKS_MARGIN;
        workers + usize::from(self.signals) + usize::from(self.walker) + parallel
    }
}

/// What the limits leave; None where nothing binds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Room {
    /// Tasks that can still be started.
    pub(crate) tasks: Option<usize>,
    /// File descriptors still free.
    pub(crate) fds: Option<usize>,
    /// RLIMIT_NPROC, when it binds (for the note).
    pub(crate) nproc: Option<u64>,
    /// RLIMIT_NOFILE, when it binds (for the note).
    pub(crate) nofile: Option<u64>,
}

/// What a run starts: `Want` cut down to fit `Room`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Worker processes (0: search in dn's own process).
    pub(crate) workers: usize,
    /// The signal-waiting thread (else a signal ends dn by its default
    /// action, and the workers die with it).
    pub(crate) signals: bool,
    /// The walker thread (else the walk is done before the search).
    pub(crate) walker: bool,
    /// Threads that list directories in parallel (0: the sequential walk).
    pub(crate) walk_threads: usize,
}

/// Tasks and descriptors not yet given out.
struct Left {
    tasks: usize,
    fds: usize,
}

impl Left {
    /// Gives out `tasks` and `fds` if they fit with `spare` more
    /// descriptors free (needed only while the thing starts).
    fn take(&mut self, tasks: usize, fds: usize, spare: usize) -> bool {
        if self.tasks < tasks || self.fds < fds + spare {
            return false;
        }
        self.tasks -= tasks;
        self.fds -= fds;
        true
    }
}

/// Cuts `want` down to what `room` holds. In order, as long as it fits:
/// one file open at a time (without it nothing can run: None), one
/// worker with the tasks of its commands (else those tasks are kept for
/// the search in dn's own process), the signal thread, the walker thread,
/// the other workers, then as many parallel walking threads as fit
/// besides a margin (only under a walker thread).
pub(crate) fn plan(want: &Want, room: &Room) -> Option<Plan> {
    let mut left =
        Left { tasks: room.tasks.unwrap_or(usize::MAX), fds: room.fds.unwrap_or(usize::MAX) };
    let mut plan = Plan::default();
    if !left.take(0, FDS_BASE + want.extra_fds, 0) {
        return None;
    }
    let worker = 1 + want.worker_tasks;
    if want.workers > 0 && left.take(worker, FDS_WORKER, FDS_FORK) {
        plan.workers = 1;
    } else {
        left.tasks = left.tasks.saturating_sub(want.worker_tasks);
    }
    plan.signals = want.signals && left.take(1, FDS_BELL, 0);
    plan.walker = want.walker && left.take(1, FDS_BELL + FDS_WALK, 0);
    while plan.workers < want.workers && left.take(worker, FDS_WORKER, FDS_FORK) {
        plan.workers += 1;
    }
    if plan.walker {
        let fits =
            |t: usize| left.tasks >= t + 1 + TASKS_MARGIN && left.fds + FDS_WALK >= FDS_WALK * t;
        plan.walk_threads = (0..=want.walk_threads).rev().find(|&t| fits(t)).unwrap_or(0);
    }
    Some(plan)
}

/// The plan of a run that nothing limits.
pub(crate) fn unlimited(want: &Want) -> Plan {
    plan(want, &Room::default()).unwrap_or_default()
}

/// Measures what the limits leave for a run that wants `want` (probing
/// the task limit with threads when it may bind). Call while the process
/// is single-threaded: it is again when this returns.
pub(crate) fn room(want: &Want) -> Room {
    let mut room = Room::default();
    if let Some((limit, free)) = free_fds() {
        room.fds = Some(free);
        room.nofile = Some(limit);
    }
    if let Some(limit) = binding_nproc(want.tasks()) {
        room.tasks = Some(probe_threads(want.tasks()));
        room.nproc = Some(limit);
    }
    room
}

/// RLIMIT_NOFILE and the descriptors free under it, unless it is high
/// enough for any run.
fn free_fds() -> Option<(u64, usize)> {
    let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
    if soft == RLIM_INFINITY || soft >= FDS_PLENTY {
        return None;
    }
    let open = match std::fs::read_dir("/proc/self/fd") {
        // The listing's own descriptor is in it.
        Ok(dir) => {
            let numbers = dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok());
            numbers.filter(|&fd| fd < soft).count().saturating_sub(1)
        }
        // Not a single descriptor is free.
        Err(e) if e.raw_os_error() == Some(libc::EMFILE) => soft as usize,
        // No /proc: assume the standard three.
        Err(_) => 3,
    };
    Some((soft, (soft as usize).saturating_sub(open)))
}

/// RLIMIT_NPROC when it may keep `want` more tasks from starting: it is
/// finite, dn does not run as root (which it does not bind), and the
/// system does not run so few tasks that the user's cannot reach it.
fn binding_nproc(want: usize) -> Option<u64> {
    let (soft, _) = getrlimit(Resource::RLIMIT_NPROC).ok()?;
    if soft == RLIM_INFINITY || nix::unistd::getuid().is_root() {
        return None;
    }
    let all = std::fs::read_to_string("/proc/loadavg").ok().and_then(|s| total_tasks(&s));
    match all {
        Some(all) if all.saturating_add(want as u64) <= soft => None,
        _ => Some(soft),
    }
}

/// True when RLIMIT_NPROC may keep this process from starting a task.
pub(crate) fn tasks_may_run_out() -> bool {
    binding_nproc(TASKS_MARGIN).is_some()
}

/// Waits (at most `PROBE_SETTLE`) until the kernel counts no more than
/// `threads` threads in this process: threads that ended and were joined
/// may still count for a moment.
pub(crate) fn settle_threads(threads: usize) {
    let deadline = Instant::now() + PROBE_SETTLE;
    while own_tasks().is_some_and(|now| now > threads) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(50));
    }
}

/// The number of tasks on the system, from /proc/loadavg's fourth field
/// ("running/total").
fn total_tasks(loadavg: &str) -> Option<u64> {
    loadavg.split_whitespace().nth(3)?.split('/').nth(1)?.parse().ok()
}

/// Starts up to `want` threads that wait, counts those that started, lets
/// them end and waits until the kernel no longer counts them (a joined
/// thread may still hold its place for a moment); returns the count.
fn probe_threads(want: usize) -> usize {
    let before = own_tasks();
    let (hold, wait) = crossbeam_channel::bounded::<()>(0);
    let mut started = Vec::new();
    for _ in 0..want {
        let wait = wait.clone();
        let spawned = std::thread::Builder::new()
            .name("probe".into())
            .stack_size(PROBE_STACK)
            .spawn(move || {
                let _ = wait.recv();
            });
        match spawned {
            Ok(handle) => started.push(handle),
            Err(_) => break,
        }
    }
    drop(hold);
    let got = started.len();
    for handle in started {
        let _ = handle.join();
    }
    if let Some(before) = before {
        settle_threads(before);
    }
    got
}

/// The threads of this process, from /proc/self/task.
fn own_tasks() -> Option<usize> {
    Some(std::fs::read_dir("/proc/self/task").ok()?.count())
}

/// Why a run got less than it wanted: the limits that bound, and what
/// failed when something could not be started.
#[derive(Debug, Default)]
pub(crate) struct Why {
    causes: Vec<String>,
}

impl Why {
    /// The limits of `room` that cut `want` down.
    pub(crate) fn limits(want: &Want, room: &Room) -> Why {
        let full = unlimited(want);
        let mut why = Why::default();
        let tasks_only = Room { fds: None, ..*room };
        if let (Some(n), true) = (room.nproc, plan(want, &tasks_only) != Some(full)) {
            why.causes.push(format!("RLIMIT_NPROC is {n} (processes and threads of the user)"));
        }
        let fds_only = Room { tasks: None, ..*room };
        if let (Some(n), true) = (room.nofile, plan(want, &fds_only) != Some(full)) {
            why.causes.push(format!("RLIMIT_NOFILE is {n} (open files)"));
        }
        why
    }

    /// Adds a failure to start something (`err` says what).
    pub(crate) fn failed(&mut self, err: &anyhow::Error) {
        self.causes.push(format!("{err:#}"));
    }
}

/// The note for a run that wanted `want` and got `got`, because of `why`;
/// None when nothing the user would notice was cut.
pub(crate) fn describe(want: &Want, got: &Plan, why: &Why) -> Option<String> {
    let full = unlimited(want);
    let mut cuts = Vec::new();
    if got.workers < full.workers {
        cuts.push(match got.workers {
            0 => "searching in dn's own process (no worker process)".to_string(),
            n => format!("searching with {n} of {} workers", full.workers),
        });
    }
    if full.walker && !got.walker {
        cuts.push("walking directories before searching".to_string());
    }
    if got.walk_threads < full.walk_threads {
        cuts.push(match got.walk_threads {
            0 | 1 => "listing directories on one thread".to_string(),
            n => format!("listing directories on {n} of {} threads", full.walk_threads),
        });
    }
    if cuts.is_empty() {
        return None;
    }
    let why = if why.causes.is_empty() { "limits".to_string() } else { why.causes.join("; ") };
    Some(format!("note: {why}: {}", cuts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A search of directories with `workers` workers and walking threads.
    fn search(workers: usize) -> Want {
        Want { workers, signals: true, walker: true, walk_threads: workers, ..Want::default() }
    }

    /// Room for `tasks` more tasks and `fds` more descriptors.
    fn room(tasks: Option<usize>, fds: Option<usize>) -> Room {
        Room { tasks, fds, nproc: tasks.map(|_| 10), nofile: fds.map(|_| 12) }
    }

    /// The plan of `(workers, signals, walker, walk threads)`.
    fn p(workers: usize, signals: bool, walker: bool, walk_threads: usize) -> Plan {
        Plan { workers, signals, walker, walk_threads }
    }

    /// Without limits, everything wanted is started.
    #[test]
    fn nothing_is_cut_without_limits() {
        assert_eq!(plan(&search(4), &Room::default()), Some(p(4, true, true, 4)));
        assert_eq!(describe(&search(4), &p(4, true, true, 4), &Why::default()), None);
    }

    /// Few tasks: one worker first, then the signal thread, the walker,
    /// more workers, and a parallel walk only with room to spare; none at
    /// all: everything in dn's own process, on its own thread.
    #[test]
    fn few_tasks_go_to_one_worker_then_the_threads() {
        let want = search(2);
        let by_tasks = |n| plan(&want, &room(Some(n), None)).unwrap();
        assert_eq!(by_tasks(0), p(0, false, false, 0));
        assert_eq!(by_tasks(1), p(1, false, false, 0));
        assert_eq!(by_tasks(2), p(1, true, false, 0));
        assert_eq!(by_tasks(3), p(1, true, true, 0));
        assert_eq!(by_tasks(4), p(2, true, true, 0));
        assert_eq!(by_tasks(5), p(2, true, true, 0), "no margin for a parallel walk");
        assert_eq!(by_tasks(6), p(2, true, true, 0), "t threads take t + 1, and the margin");
        assert_eq!(by_tasks(7), p(2, true, true, 1));
        assert_eq!(by_tasks(8), p(2, true, true, 2));
        assert_eq!(by_tasks(100), p(2, true, true, 2));
        // The commands of --pre and -z take tasks too, in a worker or, when
        // none can start, in dn's own process (before any thread).
        let pre = Want { worker_tasks: 2, ..want };
        let by_tasks = |n| plan(&pre, &room(Some(n), None)).unwrap();
        assert_eq!(by_tasks(2), p(0, false, false, 0));
        assert_eq!(by_tasks(3), p(1, false, false, 0));
        assert_eq!(by_tasks(7), p(1, true, true, 0));
        assert_eq!(by_tasks(11), p(2, true, true, 1));
        assert_eq!(by_tasks(12), p(2, true, true, 2));
    }

    /// Few descriptors: a worker needs four to start and keeps two, a
    /// bell takes one, a walking thread two; the first descriptor is the
    /// search's own.
    #[test]
    fn few_descriptors_are_shared_out_in_order() {
        let want = search(2);
        let by_fds = |n| plan(&want, &room(None, Some(n))).unwrap();
        assert_eq!(plan(&want, &room(None, Some(0))), None, "nothing can be opened");
        assert_eq!(by_fds(1), p(0, false, false, 0));
        assert_eq!(by_fds(2), p(0, true, false, 0));
        assert_eq!(by_fds(5), p(1, true, false, 0));
        assert_eq!(by_fds(7), p(1, true, true, 1));
        assert_eq!(by_fds(9), p(1, true, true, 2));
        assert_eq!(by_fds(10), p(1, true, true, 2), "a second worker needs four free");
        assert_eq!(by_fds(11), p(2, true, true, 2));
    }

    /// The note names the limit that bound and what was cut, once.
    #[test]
    fn the_note_says_what_was_cut_and_why() {
        let want = search(2);
        let r = room(Some(4), None);
        let got = plan(&want, &r).unwrap();
        assert_eq!(
            describe(&want, &got, &Why::limits(&want, &r)).as_deref(),
            Some(
                "note: RLIMIT_NPROC is 10 (processes and threads of the user): \
                 listing directories on one thread"
            )
        );
        let mut why = Why::default();
        why.failed(&anyhow::anyhow!("EAGAIN: Try again").context("failed to fork a worker"));
        assert_eq!(
            describe(&want, &p(0, true, true, 2), &why).as_deref(),
            Some(
                "note: failed to fork a worker: EAGAIN: Try again: \
                 searching in dn's own process (no worker process)"
            )
        );
        // A cut that no limit explains still says what was cut.
        assert!(describe(&want, &p(2, true, false, 0), &Why::default()).is_some());
    }

    /// The total of tasks is the fourth field's second number.
    #[test]
    fn total_tasks_reads_loadavg() {
        assert_eq!(total_tasks("0.52 0.58 0.59 2/345 12345\n"), Some(345));
        assert_eq!(total_tasks("garbage"), None);
    }

    /// Probing starts threads and leaves none behind.
    #[test]
    fn probing_leaves_no_thread_behind() {
        let got = probe_threads(3);
        assert_eq!(got, 3);
    }
}
