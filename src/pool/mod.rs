//! The worker pool: forks the searcher processes up front, sends them
//! batches, reads their frames on one thread each, signals and reaps them.
//!
//! `Drop` kills and reaps whatever is still running, so no return path can
//! leak a child. It never forks after `start`, and never waits on a pid it
//! does not own.

pub(crate) mod spawn;
pub(crate) mod worker;

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use grep_regex::RegexMatcher;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::config::Config;
use crate::wire::{self, Job, Response};

/// What a reader thread reports about its worker.
#[derive(Debug)]
pub(crate) enum PoolEvent {
    /// Frames decoded from worker `k`, in the order it sent them.
    Responses(usize, Vec<Response>),
    /// Worker `k`'s result pipe ended (the worker exited or died); carries
    /// the protocol error if the stream was cut inside a frame.
    Gone(usize, Option<String>),
}

/// One worker as the parent sees it.
#[derive(Debug)]
struct Member {
    pid: Pid,
    requests: Option<File>,
    results: Option<File>,
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
        let members = spawned
            .into_iter()
            .map(|s| Member {
                pid: s.pid,
                requests: Some(s.requests),
                results: Some(s.results),
                status: None,
            })
            .collect();
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

    /// Starts one thread per worker that decodes its frames into `tx`,
    /// pausing while `gate` says so.
    pub(crate) fn start_readers(
        &mut self,
        tx: &Sender<PoolEvent>,
        gate: &Arc<ReadGate>,
    ) -> anyhow::Result<()> {
        for (k, m) in self.members.iter_mut().enumerate() {
            let Some(results) = m.results.take() else { continue };
            let (tx, gate) = (tx.clone(), gate.clone());
            std::thread::Builder::new()
                .name(format!("reader-{k}"))
                .spawn(move || read_loop(k, results, tx, &gate))?;
        }
        Ok(())
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

impl Drop for WorkerPool {
    /// Kills and reaps every worker still running.
    fn drop(&mut self) {
        self.signal_all(Signal::SIGKILL);
        self.shutdown(Duration::ZERO);
    }
}

/// Back-pressure on the readers: while too much output waits for an
/// earlier file, only the reader of the worker that holds the next file to
/// print keeps reading; the others stop, their pipes fill, and their
/// workers wait, so held output stays bounded however much is printed.
#[derive(Debug, Default)]
pub(crate) struct ReadGate {
    /// Whether output is held back, and the worker holding the head file.
    state: Mutex<(bool, Option<usize>)>,
    turn: Condvar,
}

impl ReadGate {
    /// Records whether output is `backed_up` and which worker holds the
    /// next file to print; wakes the readers when that may let one go on.
    pub(crate) fn update(&self, backed_up: bool, head: Option<usize>) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if *st != (backed_up, head) {
            *st = (backed_up, head);
            self.turn.notify_all();
        }
    }

    /// Waits until reader `k` may read on.
    fn wait_turn(&self, k: usize) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while st.0 && st.1 != Some(k) {
            st = self.turn.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Decodes worker `k`'s frames until EOF, forwarding them in bulk; between
/// reads from the pipe it waits for its turn at `gate`.
fn read_loop(k: usize, results: File, tx: Sender<PoolEvent>, gate: &ReadGate) {
    let mut rdr = BufReader::with_capacity(64 << 10, results);
    let mut payload = Vec::new();
    let mut batch = Vec::new();
    let end = loop {
        if rdr.buffer().is_empty() {
            gate.wait_turn(k);
        }
        match wire::read_frame(&mut rdr, &mut payload) {
            Ok(Some(tag)) => match wire::decode_response(tag, &payload) {
                Ok(resp) => batch.push(resp),
                Err(e) => break Some(e.to_string()),
            },
            Ok(None) => break None,
            Err(e) => break Some(e.to_string()),
        }
        if rdr.buffer().is_empty()
            && tx.send(PoolEvent::Responses(k, std::mem::take(&mut batch))).is_err()
        {
            return;
        }
    };
    if !batch.is_empty() {
        let _ = tx.send(PoolEvent::Responses(k, batch));
    }
    // Drain whatever follows a corrupt frame so the worker never blocks.
    let _ = io::copy(&mut rdr.take(u64::MAX), &mut io::sink());
    let _ = tx.send(PoolEvent::Gone(k, end));
}
