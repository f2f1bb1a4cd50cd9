//! The only `fork()` in dragnet, and the child-side hygiene around it.
//!
//! Must only be called while the process has a single thread. A child never
//! returns from `fork_workers`: it runs its entry function and `_exit`s, and
//! it never keeps another worker's pipe ends open.

use std::fs::File;
use std::os::fd::OwnedFd;

use anyhow::Context;
use nix::fcntl::OFlag;
use nix::sys::signal::Signal;
use nix::unistd::{ForkResult, Pid};

/// The parent's handle on one forked worker.
#[derive(Debug)]
pub(crate) struct Spawned {
    pub(crate) pid: Pid,
    /// Write end of the request pipe (parent → worker).
    pub(crate) requests: File,
    /// Read end of the result pipe (worker → parent).
    pub(crate) results: File,
}

/// The child's ends of its two pipes.
pub(crate) struct WorkerIo {
    /// Read end of the request pipe.
    pub(crate) requests: File,
    /// Write end of the result pipe.
    pub(crate) results: File,
}

/// Forks `n` workers, each running `entry` and exiting with its code.
///
/// On failure the workers already forked are returned to the caller's
/// cleanup through the error path of `WorkerPool` (they see EOF and exit).
pub(crate) fn fork_workers(
    n: usize,
    entry: &dyn Fn(WorkerIo) -> i32,
) -> anyhow::Result<Vec<Spawned>> {
    debug_assert_single_threaded();
    let parent = nix::unistd::getpid();
    let mut spawned = Vec::with_capacity(n);
    for _ in 0..n {
        let (req_r, req_w) =
            nix::unistd::pipe2(OFlag::O_CLOEXEC).context("failed to create a pipe")?;
        let (res_r, res_w) =
            nix::unistd::pipe2(OFlag::O_CLOEXEC).context("failed to create a pipe")?;
        // SAFETY: the process is single-threaded here (fork happens before
        // any thread is started; checked in debug builds), so the child may
        // allocate and run ordinary Rust code. The child never returns: it
        // leaves through `child_main`, which ends in `_exit`.
        match unsafe { nix::unistd::fork() }.context("failed to fork a worker")? {
            ForkResult::Child => {
                // Close the parent's ends of every earlier worker's pipes and
                // of our own, so that EOF reaches the right process.
                drop(spawned);
                drop((req_w, res_r));
                child_main(
                    parent,
                    WorkerIo { requests: req_r.into(), results: res_w.into() },
                    entry,
                );
            }
            ForkResult::Parent { child } => {
                drop((req_r, res_w));
                spawned.push(Spawned { pid: child, requests: req_w.into(), results: res_r.into() });
            }
        }
    }
    Ok(spawned)
}

/// Sets up the child, runs `entry`, and exits without returning.
fn child_main(parent: Pid, io: WorkerIo, entry: &dyn Fn(WorkerIo) -> i32) -> ! {
    // Die with the parent; then close the race where it died before prctl.
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
    if nix::unistd::getppid() != parent {
        exit_now(0);
    }
    silence_stdio();
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| entry(io))).unwrap_or(101);
    exit_now(code)
}

/// Points stdout and stderr at /dev/null: only the parent ever prints.
fn silence_stdio() {
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        let null: OwnedFd = null.into();
        let _ = nix::unistd::dup2_stdout(&null);
        let _ = nix::unistd::dup2_stderr(&null);
    }
}

/// Ends the worker process at once, without running exit handlers or
/// flushing buffers inherited from the parent.
fn exit_now(code: i32) -> ! {
    // SAFETY: `_exit` only terminates the calling process; it is always
    // safe to call, and skipping atexit handlers is the point (the parent's
    // inherited stdio buffers must not be flushed twice).
    unsafe { libc::_exit(code) }
}

/// In debug builds on Linux, panics if the process has more than one thread.
fn debug_assert_single_threaded() {
    #[cfg(all(debug_assertions, target_os = "linux"))]
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        assert_eq!(dir.count(), 1, "fork_workers called with threads running");
    }
}
