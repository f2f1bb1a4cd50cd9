//! The worker pool: forks the searcher processes up front, sends them
//! batches, reads and decodes their frames when the main loop's `poll` says
//! a result pipe is ready, signals and reaps them.
//!
//! `Drop` kills and reaps whatever is still running, so no return path can
//! leak a child. It never forks after `start`, and never waits on a pid it
//! does not own.

pub(crate) mod spawn;
pub(crate) mod worker;

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use grep_regex::RegexMatcher;
use nix::fcntl::{FcntlArg, OFlag};
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::config::Config;
use crate::wire::{self, Job, Response, Split};

/// Least room offered to one read from a result pipe: small, so that a
/// search with little output never touches (page-faults in) more; a read
/// that fills it doubles it, up to `OFFER_MAX`.
const READ_MIN: usize = 8 << 10;
/// Most room offered to a read beyond what the frame at the front needs: a
/// bigger buffer costs memory in every worker's inbox and saves little.
const OFFER_MAX: usize = 128 << 10;
/// Most bytes taken from one result pipe per read, so that a frame of a
/// gigabyte-long line grows the buffer only as its bytes arrive.
const READ_MAX: usize = 1 << 20;

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

/// Bytes read from a result pipe and not yet decoded.
#[derive(Debug, Default)]
struct Inbox {
    buf: Vec<u8>,
    /// Room to offer the next read (grows while reads fill it).
    offer: usize,
    /// Start of the bytes not yet decoded.
    start: usize,
    /// End of the bytes read.
    end: usize,
}

impl Inbox {
    /// Makes room for the next read, given that the frame at the front needs
    /// `need` bytes in all; returns the free space to read into.
    fn room(&mut self, need: usize) -> &mut [u8] {
        let have = self.end - self.start;
        let want = need.saturating_sub(have).min(READ_MAX).max(self.offer).max(READ_MIN);
        if self.buf.len() - self.end < want {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, have);
            if self.buf.len() < have + want {
                self.buf.resize(have + want, 0);
            }
        }
        &mut self.buf[self.end..]
    }

    /// Counts `n` bytes just read into the room; a read that filled it
    /// offers twice the room next time.
    fn filled(&mut self, n: usize) {
        if self.end + n == self.buf.len() {
            self.offer = (2 * self.offer).clamp(READ_MIN, OFFER_MAX);
        }
        self.end += n;
    }

    /// Decodes every whole frame read so far into `out`; returns the size
    /// the frame at the front needs in all.
    fn decode(&mut self, out: &mut Vec<Response>) -> Result<usize, wire::WireError> {
        loop {
            match wire::split_frame(&self.buf[self.start..self.end])? {
                Split::Frame { tag, payload, used } => {
                    out.push(wire::decode_response(tag, payload)?);
                    self.start += used;
                }
                Split::Need(n) => {
                    if self.start == self.end {
                        (self.start, self.end) = (0, 0);
                    }
                    return Ok(n);
                }
            }
        }
    }
}

/// One worker as the parent sees it.
#[derive(Debug)]
struct Member {
    pid: Pid,
    requests: Option<File>,
    /// Read end of the result pipe, non-blocking; None once it ended.
    results: Option<File>,
    inbox: Inbox,
    /// Size of the frame at the front of the inbox.
    need: usize,
    status: Option<WaitStatus>,
}

/// The forked searcher processes.
#[derive(Debug)]
pub(crate) struct WorkerPool {
    members: Vec<Member>,
    frame: Vec<u8>,
}

impl WorkerPool {
    /// Forks `n` workers that search with `cfg` and `matcher`; must be called
    /// while the process is single-threaded.
    pub(crate) fn start(
        n: usize,
        cfg: &Config,
        matcher: &RegexMatcher,
    ) -> anyhow::Result<WorkerPool> {
        let entry = |io| worker::run(cfg, matcher, io);
        let spawned = spawn::fork_workers(n, &entry)?;
        let mut members = Vec::with_capacity(spawned.len());
        for s in spawned {
            // Only the parent's end: the worker's end stays blocking.
            nix::fcntl::fcntl(&s.results, FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
            // A bigger pipe: fewer reads, and fewer stops of a worker with
            // much output. Without it (a per-user limit) all still works.
            let _ = nix::fcntl::fcntl(&s.results, FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
            members.push(Member {
                pid: s.pid,
                requests: Some(s.requests),
                results: Some(s.results),
                inbox: Inbox::default(),
                need: 4,
                status: None,
            });
        }
        Ok(WorkerPool { members, frame: Vec::new() })
    }

    /// Number of workers forked.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// The process ids of every worker.
    pub(crate) fn pids(&self) -> Vec<Pid> {
        self.members.iter().map(|m| m.pid).collect()
    }

    /// The process id of worker `k`.
    pub(crate) fn pid(&self, k: usize) -> Pid {
        self.members[k].pid
    }

    /// The result pipe of worker `k` to poll, unless it has ended.
    pub(crate) fn results_fd(&self, k: usize) -> Option<BorrowedFd<'_>> {
        self.members[k].results.as_ref().map(|f| f.as_fd())
    }

    /// Reads what worker `k` has sent (without blocking) and decodes every
    /// whole frame into `out`, in the order sent.
    pub(crate) fn read(&mut self, k: usize, out: &mut Vec<Response>) -> Readout {
        let m = &mut self.members[k];
        let Some(pipe) = m.results.as_mut() else { return Readout::Gone(None) };
        let ended = loop {
            match pipe.read(m.inbox.room(m.need)) {
                Ok(0) => break Some(m.inbox.start < m.inbox.end),
                Ok(n) => {
                    m.inbox.filled(n);
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
        match m.inbox.decode(out) {
            Ok(need) => {
                m.need = need;
                Readout::Open
            }
            Err(e) => m.end(Some(e.to_string())),
        }
    }

    /// Sends a batch of jobs to worker `k`.
    pub(crate) fn send<J: AsRef<Job>>(&mut self, k: usize, jobs: &[J]) -> io::Result<()> {
        let Some(pipe) = self.members[k].requests.as_mut() else {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "worker request pipe closed"));
        };
        self.frame.clear();
        wire::encode_batch(&mut self.frame, jobs);
        pipe.write_all(&self.frame)
    }

    /// Closes worker `k`'s request pipe: it finishes its batches and exits.
    pub(crate) fn close(&mut self, k: usize) {
        self.members[k].requests = None;
    }

    /// Sends `sig` to every worker not yet reaped.
    pub(crate) fn signal_all(&self, sig: Signal) {
        for m in self.members.iter().filter(|m| m.status.is_none()) {
            let _ = nix::sys::signal::kill(m.pid, sig);
        }
    }

    /// Sends SIGKILL to worker `k` unless it was already reaped.
    pub(crate) fn kill(&self, k: usize) {
        let m = &self.members[k];
        if m.status.is_none() {
            let _ = nix::sys::signal::kill(m.pid, Signal::SIGKILL);
        }
    }

    /// Waits for worker `k` to exit and returns how it ended.
    pub(crate) fn reap(&mut self, k: usize) -> WaitStatus {
        let m = &mut self.members[k];
        if let Some(st) = m.status {
            return st;
        }
        let st = loop {
            match nix::sys::wait::waitpid(m.pid, None) {
                Err(nix::errno::Errno::EINTR) => continue,
                Ok(st) => break st,
                Err(_) => break WaitStatus::StillAlive,
            }
        };
        m.status = Some(st);
        st
    }

    /// Closes every request pipe, then reaps every worker; those still alive
    /// after `grace` are killed.
    pub(crate) fn shutdown(&mut self, grace: Duration) {
        for m in &mut self.members {
            m.requests = None;
        }
        let deadline = Instant::now() + grace;
        let mut killed = false;
        while self.members.iter().any(|m| m.status.is_none()) {
            for m in self.members.iter_mut().filter(|m| m.status.is_none()) {
                match nix::sys::wait::waitpid(m.pid, Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::EINTR) => {}
                    Ok(st) => m.status = Some(st),
                    Err(_) => m.status = Some(WaitStatus::StillAlive),
                }
            }
            if !killed && Instant::now() >= deadline {
                self.signal_all(Signal::SIGKILL);
                killed = true;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

impl Member {
    /// Closes the result pipe and frees its buffer; reports `why` it ended.
    fn end(&mut self, why: Option<String>) -> Readout {
        self.results = None;
        self.inbox = Inbox::default();
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
