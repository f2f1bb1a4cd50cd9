//! The only `fork()` in dragnet, the re-exec that replaces it once the
//! parent has threads, and the child-side hygiene around both.
//!
//! `fork_child` must only be called while the process has a single thread;
//! its child never returns: it runs its entry and `_exit`s. A worker made
//! later is never a bare fork of the multi-threaded parent: `reexec` starts
//! a fresh `dn` in its hidden worker mode, the pipes on its stdin and
//! stdout, which then reads its query from the pipe.

use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use anyhow::Context;
use nix::fcntl::OFlag;
use nix::sys::signal::Signal;
use nix::unistd::{ForkResult, Pid};

/// The first argument that starts `dn` as a re-executed worker; the second
/// is the parent's pid.
pub(crate) const WORKER_FLAG: &str = "--dragnet-worker-v1";

/// The child's ends of its two pipes.
pub(crate) struct WorkerIo {
    /// Read end of the request pipe.
    pub(crate) requests: File,
    /// Write end of the result pipe.
    pub(crate) results: File,
}

/// The parent's and the child's ends of a worker's two pipes.
pub(crate) struct Pipes {
    /// Write end of the request pipe (parent → worker): the parent's.
    pub(crate) req_w: OwnedFd,
    /// Read end of the result pipe (worker → parent): the parent's.
    pub(crate) res_r: OwnedFd,
    /// The child's ends.
    pub(crate) child: (OwnedFd, OwnedFd),
}

/// Creates a worker's two pipes (close-on-exec: a re-executed worker gets
/// its ends as stdin and stdout, which `Command` sets up).
pub(crate) fn pipes() -> anyhow::Result<Pipes> {
    let (req_r, req_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).context("failed to create a pipe")?;
    let (res_r, res_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).context("failed to create a pipe")?;
    Ok(Pipes { req_w, res_r, child: (req_r, res_w) })
}

/// Forks a child that closes what `forget` closes (the parent's ends of
/// every other worker's pipes), then runs `entry` on its ends of `pipes`
/// and exits with its code. Returns the child's pid and the parent's ends.
///
/// Call only while the process is single-threaded.
pub(crate) fn fork_child(
    pipes: Pipes,
    forget: &mut dyn FnMut(),
    entry: &dyn Fn(WorkerIo) -> i32,
) -> anyhow::Result<(Pid, OwnedFd, OwnedFd)> {
    debug_assert_single_threaded();
    let parent = nix::unistd::getpid();
    // SAFETY: the process is single-threaded here (fork happens before any
    // thread is started; checked in debug builds), so the child may
    // allocate and run ordinary Rust code. The child never returns: it
    // leaves through `child_main`, which ends in `_exit`.
    match unsafe { nix::unistd::fork() }.context("failed to fork a worker")? {
        ForkResult::Child => {
            // Close the parent's ends of every earlier worker's pipes and of
            // our own, so that EOF reaches the right process.
            forget();
            let Pipes { req_w, res_r, child: (req_r, res_w) } = pipes;
            drop((req_w, res_r));
            let io = WorkerIo { requests: req_r.into(), results: res_w.into() };
            child_main(parent, io, entry)
        }
        ForkResult::Parent { child } => Ok((child, pipes.req_w, pipes.res_r)),
    }
}

/// Starts a fresh `dn` as a worker (safe once the parent has threads): its
/// stdin is the request pipe, its stdout the result pipe, and its stderr
/// `shared` (the memory of the current generation) or /dev/null. Returns
/// its pid and the parent's ends.
pub(crate) fn reexec(
    pipes: Pipes,
    shared: Option<&OwnedFd>,
) -> anyhow::Result<(Pid, OwnedFd, OwnedFd)> {
    let Pipes { req_w, res_r, child: (req_r, res_w) } = pipes;
    let stderr = match shared {
        Some(fd) => Stdio::from(fd.try_clone().context("failed to pass on the shared memory")?),
        None => Stdio::null(),
    };
    let child = Command::new("/proc/self/exe")
        .arg0("dn")
        .arg(WORKER_FLAG)
        .arg(nix::unistd::getpid().to_string())
        .stdin(Stdio::from(req_r))
        .stdout(Stdio::from(res_w))
        .stderr(stderr)
        .spawn()
        .context("failed to start a worker")?;
    // The `Child` is dropped without waiting: the pool reaps the pid.
    Ok((Pid::from_raw(child.id() as i32), req_w, res_r))
}

/// The setup of a re-executed worker: dies with `parent` (or exits at once
/// if it is already gone), takes its pipes off stdin and stdout and the
/// shared memory off stderr, and points all three at /dev/null. None if the
/// parent is gone.
pub(crate) fn adopt(parent: Pid) -> Option<(WorkerIo, Option<OwnedFd>)> {
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
    if nix::unistd::getppid() != parent {
        return None;
    }
    let requests = nix::unistd::dup(std::io::stdin().as_fd()).ok()?;
    let results = nix::unistd::dup(std::io::stdout().as_fd()).ok()?;
    let shared = nix::unistd::dup(std::io::stderr().as_fd()).ok();
    silence_stdio();
    silence_stdin();
    let io = WorkerIo { requests: requests.into(), results: results.into() };
    Some((io, shared))
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

/// Points stdin at /dev/null (a re-executed worker's stdin was its pipe).
fn silence_stdin() {
    if let Ok(null) = File::open("/dev/null") {
        let _ = nix::unistd::dup2_stdin(&null);
    }
}

/// Ends the worker process at once, without running exit handlers or
/// flushing buffers inherited from the parent.
pub(crate) fn exit_now(code: i32) -> ! {
    // SAFETY: `_exit` only terminates the calling process; it is always
    // safe to call, and skipping atexit handlers is the point (the parent's
    // inherited stdio buffers must not be flushed twice).
    unsafe { libc::_exit(code) }
}

/// In debug builds on Linux, panics if the process has more than one thread.
fn debug_assert_single_threaded() {
    #[cfg(all(debug_assertions, target_os = "linux"))]
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        assert_eq!(dir.count(), 1, "fork_child called with threads running");
    }
}
