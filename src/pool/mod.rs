//! The worker pool: the one owner of the searcher processes. It forks them
//! up front (or re-executes `dn` for a replacement once the parent has
//! threads), sends them queries and batches, reads and decodes their frames
//! when the main loop's `poll` says a result pipe is ready, signals and
//! reaps them. When no worker process can be started at all, a worker in
//! dn's own process (`local`) takes its slot: same batches, same frames,
//! searched when the main loop says so (`step_local`).
//!
//! It is the only holder of worker pids: the signal thread gets a
//! `KillHandle` made here, which sees the live set as it changes. `Drop`
//! kills and reaps whatever was started, so no return path, not even a
//! failure halfway through starting the pool, can leak a child. It never
//! waits on a pid it does not own.

pub(crate) mod inbox;
pub(crate) mod local;
pub(crate) mod shared;
pub(crate) mod spawn;
pub(crate) mod worker;

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, OFlag};
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::wire::{self, Job, Response};
use inbox::Inbox;
use local::Local;
use spawn::WorkerIo;

/// How long `shutdown` asks again at once for workers that have not
/// exited yet, before it sleeps between asks.
const EXIT_SPIN: Duration = Duration::from_millis(2);

/// The size asked for the result pipes (Linux's default most a user may set).
const PIPE_SIZE: i32 = 1 << 20;

/// How a read from a worker's result pipe ended.
#[derive(Debug)]
pub(crate) enum Readout {
    /// The pipe is still open (frames, if any, were decoded).
    Open,
    /// The pipe ended (the worker exited or died); carries the protocol
    /// error if the stream was cut inside a frame or was corrupt.
    Gone(Option<String>),
}

/// What the pool knows of how a worker process stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Not reaped yet.
    Running,
    /// Reaped: how it ended.
    Ended(WaitStatus),
    /// It could not be waited for (someone else reaped it); how it ended
    /// is not known.
    Unknown,
}

/// The pids of the workers not yet reaped, shared with the kill handle.
type Registry = Arc<Mutex<Vec<Pid>>>;

/// Locks the registry (a panic elsewhere does not make it unusable).
fn lock(reg: &Registry) -> MutexGuard<'_, Vec<Pid>> {
    reg.lock().unwrap_or_else(|e| e.into_inner())
}

/// A handle that signals every worker still running, whatever the pool has
/// started or reaped since it was made. A pid leaves the set before it is
/// reaped, so the handle never signals a pid that may have been reused.
#[derive(Clone, Debug)]
pub(crate) struct KillHandle {
    registry: Registry,
}

impl KillHandle {
    /// Sends `sig` to every worker not yet reaped.
    pub(crate) fn signal_all(&self, sig: Signal) {
        for pid in lock(&self.registry).iter() {
            let _ = nix::sys::signal::kill(*pid, sig);
        }
    }

    /// Kills every worker not yet reaped and reaps them (the last resort
    /// before the process dies: nothing else will wait for them).
    pub(crate) fn kill_and_reap_all(&self) {
        let pids: Vec<Pid> = std::mem::take(&mut *lock(&self.registry));
        for pid in &pids {
            let _ = nix::sys::signal::kill(*pid, Signal::SIGKILL);
        }
        for pid in pids {
            let _ = nix::sys::wait::waitpid(pid, None);
        }
    }
}

/// One worker as the parent sees it.
#[derive(Debug)]
struct Member {
    /// Its process (dn's own, for a local worker).
    pid: Pid,
    link: Link,
    status: Status,
}

/// How the parent reaches a worker.
#[derive(Debug)]
enum Link {
    /// A worker process, through its pipes.
    Process {
        /// Write end of the request pipe; None once closed.
        requests: Option<File>,
        /// Read end of the result pipe, non-blocking; None once it ended.
        results: Option<File>,
        inbox: Inbox,
    },
    /// A worker in this process.
    Local(Box<Local>),
}

/// The searcher processes.
pub(crate) struct WorkerPool {
    members: Vec<Member>,
    registry: Registry,
    /// The generation page, when queries can change under the workers.
    shared: Option<shared::Shared>,
    frame: Vec<u8>,
}

impl std::fmt::Debug for WorkerPool {
    /// The members, without the shared page.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerPool").field("members", &self.members).finish()
    }
}

impl WorkerPool {
    /// An empty pool; with `generations`, workers share a generation
    /// counter so that a superseded query stops mid-file.
    pub(crate) fn new(generations: bool) -> anyhow::Result<WorkerPool> {
        let shared = if generations { Some(shared::create()?) } else { None };
        Ok(WorkerPool { members: Vec::new(), registry: Registry::default(), shared, frame: vec![] })
    }

    /// Forks one more worker running `entry`; must be called while the
    /// process is single-threaded. Returns its slot.
    pub(crate) fn fork(&mut self, entry: &dyn Fn(WorkerIo) -> i32) -> anyhow::Result<usize> {
        let pipes = spawn::pipes()?;
        let members = &mut self.members;
        let mut forget = || {
            for m in members.iter_mut() {
                if let Link::Process { requests, results, .. } = &mut m.link {
                    *requests = None;
                    *results = None;
                }
            }
        };
        let (pid, req_w, res_r) = spawn::fork_child(pipes, &mut forget, entry)?;
        self.adopt(None, pid, req_w, res_r)
    }

    /// Starts a fresh worker by re-executing `dn`, in slot `k` (whose old
    /// worker must have been reaped) or in a new slot; returns the slot. It
    /// knows no query until one is sent.
    pub(crate) fn respawn(&mut self, k: Option<usize>) -> anyhow::Result<usize> {
        let pipes = spawn::pipes()?;
        let (pid, req_w, res_r) = spawn::reexec(pipes, self.shared.as_ref().map(|s| &s.fd))?;
        self.adopt(k, pid, req_w, res_r)
    }

    /// Takes a started worker into slot `k` (or a new one) and registers it.
    fn adopt(
        &mut self,
        k: Option<usize>,
        pid: Pid,
        req_w: OwnedFd,
        res_r: OwnedFd,
    ) -> anyhow::Result<usize> {
        lock(&self.registry).push(pid);
        // Only the parent's end: the worker's end stays blocking.
        nix::fcntl::fcntl(&res_r, FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
        // A bigger pipe: fewer reads, and fewer stops of a worker with much
        // output. Without it (a per-user limit) all still works.
        let _ = nix::fcntl::fcntl(&res_r, FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
        let link = Link::Process {
            requests: Some(req_w.into()),
            results: Some(res_r.into()),
            inbox: Inbox::default(),
        };
        self.put(k, Member { pid, link, status: Status::Running })
    }

    /// Adds a worker that searches in this process, with the query it
    /// starts with (for when no worker process could be started); returns
    /// its slot.
    pub(crate) fn add_local(&mut self, initial: worker::Initial) -> usize {
        let link = Link::Local(Box::new(Local::new(initial)));
        let member = Member { pid: nix::unistd::getpid(), link, status: Status::Running };
        self.members.push(member);
        self.members.len() - 1
    }

    /// Puts `member` in slot `k` (whose worker must have ended) or a new
    /// slot; returns the slot.
    fn put(&mut self, k: Option<usize>, member: Member) -> anyhow::Result<usize> {
        match k {
            Some(k) => {
                debug_assert!(self.members[k].status != Status::Running, "slot {k} is busy");
                self.members[k] = member;
                Ok(k)
            }
            None => {
                self.members.push(member);
                Ok(self.members.len() - 1)
            }
        }
    }

    /// A handle the signal thread can stop the workers with.
    pub(crate) fn kill_handle(&self) -> KillHandle {
        KillHandle { registry: self.registry.clone() }
    }

    /// Number of slots (workers started, dead or alive).
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// How many workers are waiting on the disk right now (in the
    /// uninterruptible sleep of a read: state D in /proc/PID/stat).
    pub(crate) fn waiting_on_disk(&self) -> usize {
        let running = self.members.iter().filter(|m| m.status == Status::Running);
        running.filter(|m| proc_state(m.pid) == Some(b'D')).count()
    }

    /// The process id of the worker in slot `k`.
    pub(crate) fn pid(&self, k: usize) -> Pid {
        self.members[k].pid
    }

    /// Makes `gen` the current generation: workers drop any search of an
    /// older one at their next read (the interactive mode's cancel).
    pub(crate) fn set_generation(&self, gen: u64) {
        if let Some(s) = &self.shared {
            s.now.store(gen, Ordering::Release);
        }
    }

    /// The shared generation counter, if there is one (for workers forked
    /// from this pool).
    pub(crate) fn generation_counter(&self) -> Option<&'static std::sync::atomic::AtomicU64> {
        self.shared.as_ref().map(|s| s.now)
    }

    /// Bytes read so far by every worker process still running, from
    /// /proc/PID/io `rchar` (free to gather, unlike per-file sizes); zero
    /// where /proc has no io file.
    pub(crate) fn bytes_read(&self) -> u64 {
        let running = self
            .members
            .iter()
            .filter(|m| m.status == Status::Running && matches!(m.link, Link::Process { .. }));
        running
            .filter_map(|m| std::fs::read_to_string(format!("/proc/{}/io", m.pid)).ok())
            .filter_map(|io| {
                io.lines().find_map(|l| {
                    l.strip_prefix("rchar: ").and_then(|n| n.trim().parse::<u64>().ok())
                })
            })
            .sum()
    }

    /// The result pipe of worker `k` to poll, unless it has ended (a local
    /// worker has none: see `step_local`).
    pub(crate) fn results_fd(&self, k: usize) -> Option<BorrowedFd<'_>> {
        match &self.members[k].link {
            Link::Process { results, .. } => results.as_ref().map(|f| f.as_fd()),
            Link::Local(_) => None,
        }
    }

    /// Searches one file in a local worker with files queued, if `may(k)`
    /// allows reading its slot now; returns the slot, whose frames `read`
    /// then decodes.
    pub(crate) fn step_local(&mut self, may: impl Fn(usize) -> bool) -> Option<usize> {
        let k = self.members.iter().position(|m| match &m.link {
            Link::Local(l) => m.status == Status::Running && l.has_work(),
            Link::Process { .. } => false,
        })?;
        if !may(k) {
            return None;
        }
        if let Link::Local(l) = &mut self.members[k].link {
            l.step();
        }
        Some(k)
    }

    /// Reads what worker `k` has sent (without blocking) and decodes every
    /// whole frame into `out`, in the order sent.
    pub(crate) fn read(&mut self, k: usize, out: &mut Vec<Response>) -> Readout {
        let m = &mut self.members[k];
        let (pipe, inbox) = match &mut m.link {
            Link::Process { results: Some(pipe), inbox, .. } => (pipe, inbox),
            Link::Process { results: None, .. } => return Readout::Gone(None),
            Link::Local(l) => {
                return match l.read(out) {
                    Ok(false) => Readout::Open,
                    Ok(true) => Readout::Gone(None),
                    Err(e) => Readout::Gone(Some(e.to_string())),
                };
            }
        };
        let ended = loop {
            match pipe.read(inbox.room()) {
                Ok(0) => break Some(inbox.is_mid_frame()),
                Ok(n) => {
                    inbox.filled(n);
                    break None;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Readout::Open,
                Err(e) => return m.end(Some(e.to_string())),
            }
        };
        if let Some(cut) = ended {
            return m.end(cut.then(|| wire::WireError::Truncated.to_string()));
        }
        match inbox.decode(out) {
            Ok(()) => Readout::Open,
            Err(e) => m.end(Some(e.to_string())),
        }
    }

    /// Sends query `gen` (serialized as `spec`) to worker `k`.
    pub(crate) fn send_query(&mut self, k: usize, gen: u64, spec: &[u8]) -> io::Result<()> {
        self.frame.clear();
        wire::encode_query(&mut self.frame, gen, spec);
        self.send_frame(k)
    }

    /// Sends a batch of jobs of query `gen` to worker `k` (files from
    /// position `render_below` on are only counted).
    pub(crate) fn send_batch<J: AsRef<Job>>(
        &mut self,
        k: usize,
        gen: u64,
        render_below: u64,
        jobs: &[J],
    ) -> io::Result<()> {
        if let Link::Local(l) = &mut self.members[k].link {
            return l.push(gen, render_below, jobs);
        }
        self.frame.clear();
        wire::encode_batch(&mut self.frame, gen, render_below, jobs);
        self.send_frame(k)
    }

    /// Writes the encoded frame to worker `k`'s request pipe (a local
    /// worker takes no new query: it is never a replacement).
    fn send_frame(&mut self, k: usize) -> io::Result<()> {
        let Link::Process { requests: Some(pipe), .. } = &mut self.members[k].link else {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "worker request pipe closed"));
        };
        pipe.write_all(&self.frame)
    }

    /// Closes worker `k`'s request pipe: it finishes its batches and exits.
    pub(crate) fn close(&mut self, k: usize) {
        match &mut self.members[k].link {
            Link::Process { requests, .. } => *requests = None,
            Link::Local(l) => l.close(),
        }
    }

    /// Sends `sig` to every worker not yet reaped.
    pub(crate) fn signal_all(&self, sig: Signal) {
        self.kill_handle().signal_all(sig);
    }

    /// Sends SIGKILL to worker `k` unless it was already reaped (a local
    /// worker is closed instead: it stops taking batches).
    pub(crate) fn kill(&mut self, k: usize) {
        let m = &mut self.members[k];
        if let Link::Local(l) = &mut m.link {
            l.close();
        } else if m.status == Status::Running {
            let _ = nix::sys::signal::kill(m.pid, Signal::SIGKILL);
        }
    }

    /// Waits for worker `k` to exit and returns how it ended (a local
    /// worker ends at once, as it stands).
    pub(crate) fn reap(&mut self, k: usize) -> Status {
        let m = &mut self.members[k];
        if m.status != Status::Running {
            return m.status;
        }
        if let Link::Local(l) = &mut m.link {
            l.close();
            m.status = Status::Ended(WaitStatus::Exited(m.pid, l.exit_code()));
            return m.status;
        }
        lock(&self.registry).retain(|p| *p != m.pid);
        m.status = loop {
            match nix::sys::wait::waitpid(m.pid, None) {
                Err(nix::errno::Errno::EINTR) => continue,
                Ok(st) => break Status::Ended(st),
                Err(_) => break Status::Unknown,
            }
        };
        m.status
    }

    /// Closes every request pipe, then reaps every worker; those still alive
    /// after `grace` are killed. For the first `EXIT_SPIN` it asks again at
    /// once rather than sleeping: a worker exits within a fraction of a
    /// millisecond of its EOF, and a sleeping parent on an idle (virtual)
    /// CPU wakes late (100 µs sleeps cost an editor's one-file search
    /// about 0.8 ms against this, 400 interleaved runs on 2 cores).
    pub(crate) fn shutdown(&mut self, grace: Duration) {
        for k in 0..self.members.len() {
            self.close(k);
        }
        let start = Instant::now();
        let deadline = start + grace;
        let mut killed = false;
        while self.members.iter().any(|m| m.status == Status::Running) {
            for k in 0..self.members.len() {
                if self.members[k].status == Status::Running && self.has_exited(k) {
                    self.reap(k);
                }
            }
            if !killed && Instant::now() >= deadline {
                self.signal_all(Signal::SIGKILL);
                killed = true;
            }
            if self.members.iter().any(|m| m.status == Status::Running) {
                if start.elapsed() < EXIT_SPIN {
                    std::thread::yield_now();
                } else {
                    std::thread::sleep(Duration::from_micros(100));
                }
            }
        }
    }

    /// True once worker `k` has ended (it is not reaped by asking; a local
    /// worker ends when asked).
    fn has_exited(&self, k: usize) -> bool {
        if let Link::Local(_) = self.members[k].link {
            return true;
        }
        let id = nix::sys::wait::Id::Pid(self.members[k].pid);
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
        match nix::sys::wait::waitid(id, flags) {
            Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::EINTR) => false,
            Ok(_) | Err(_) => true,
        }
    }
}

/// The state letter of process `pid` (R, S, D, ...), if it can be read.
fn proc_state(pid: Pid) -> Option<u8> {
    let stat = std::fs::read(format!("/proc/{pid}/stat")).ok()?;
    // The command name (in parentheses) may hold anything; the state follows it.
    let end = stat.iter().rposition(|&b| b == b')')?;
    stat.get(end + 2).copied()
}

impl Member {
    /// Closes the result pipe and frees its buffer; reports `why` it ended.
    fn end(&mut self, why: Option<String>) -> Readout {
        if let Link::Process { results, inbox, .. } = &mut self.link {
            *results = None;
            *inbox = Inbox::default();
        }
        Readout::Gone(why)
    }
}

impl Drop for WorkerPool {
    /// Kills and reaps every worker still running.
    fn drop(&mut self) {
        self.signal_all(Signal::SIGKILL);
        self.shutdown(Duration::ZERO);
    }
}
