//! Cancellation signals (SIGINT, SIGTERM, SIGHUP): blocked in every parent
//! thread and received by one waiter thread with `sigwait`, which reports
//! the first one and makes a second one kill everything at once.
//!
//! Why not `ctrlc`: its handler is not told which signal arrived, and the
//! parent must die by that same signal (130 vs 143). `sigwait` gives the
//! signal number, needs no async-signal-safe handler, and is in `nix`. The
//! waiter reaches the workers only through the pool's `KillHandle`.

use std::time::Duration;

use crossbeam_channel::Sender;
use nix::sys::signal::{SigSet, Signal};

use crate::doorbell::Ringer;
use crate::pool::KillHandle;

/// The signals that cancel a search.
fn cancel_set() -> SigSet {
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set.add(Signal::SIGHUP);
    set
}

/// Blocks the cancel signals in the calling thread; threads started later
/// inherit the mask. Call after forking and before starting any thread.
pub(crate) fn block() -> anyhow::Result<()> {
    cancel_set().thread_block()?;
    Ok(())
}

/// Unblocks the cancel signals in the calling thread again, when no waiter
/// thread could be started: a signal then ends dn by its default action
/// (dying by it, as the waiter would make it), and the workers die with
/// it (their parent-death signal).
pub(crate) fn unblock() -> anyhow::Result<()> {
    cancel_set().thread_unblock()?;
    Ok(())
}

/// How long the main thread gets to clean up after a signal before the
/// waiter does it (the main thread may be stuck writing to a full pipe).
const WATCHDOG: Duration = Duration::from_millis(90);

/// Starts the waiter thread: the first signal is sent on `tx` (and `bell`
/// rung) and passed on to the workers (not reaped here: the main thread
/// does that). If a second signal comes, or the process still runs
/// `WATCHDOG` later, the waiter kills and reaps the workers, writes `reset`
/// to stdout if given (the colour reset on a terminal), and re-raises the
/// signal. (It waits with a timeout rather than with a timer thread: a
/// thread may not be there to start when processes are few.)
pub(crate) fn spawn_waiter(
    tx: Sender<Signal>,
    bell: Ringer,
    workers: KillHandle,
    reset: Option<&'static [u8]>,
) -> anyhow::Result<()> {
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        let set = cancel_set();
        let Ok(sig) = set.wait() else { return };
        let _ = tx.send(sig);
        bell.ring();
        // Stop the workers now rather than when the main thread gets to it:
        // it may be blocked writing output, and the workers would keep both
        // the CPU and that output coming meanwhile. A worker that dies by
        // this signal reads as cancellation, not as a crash.
        workers.signal_all(sig);
        wait_at_most(&set, WATCHDOG);
        workers.kill_and_reap_all();
        if let Some(reset) = reset {
            let _ = nix::unistd::write(std::io::stdout(), reset);
        }
        crate::exit::die_by(sig);
    })?;
    Ok(())
}

/// Waits until one of `set` (blocked in this thread) is pending and takes
/// it, or `limit` has passed.
fn wait_at_most(set: &SigSet, limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let timeout = libc::timespec {
            tv_sec: left.as_secs() as libc::time_t,
            tv_nsec: left.subsec_nanos() as libc::c_long,
        };
        // SAFETY: sigtimedwait only reads the signal set and the timeout,
        // both valid for the call, and may be given no siginfo to fill.
        let got = unsafe { libc::sigtimedwait(set.as_ref(), std::ptr::null_mut(), &timeout) };
        let interrupted = got < 0 && nix::errno::Errno::last() == nix::errno::Errno::EINTR;
        if !interrupted || left.is_zero() {
            return;
        }
    }
}

/// The signals the interactive mode waits for: the cancel set and SIGWINCH
/// (the terminal was resized).
fn interactive_set() -> SigSet {
    let mut set = cancel_set();
    set.add(Signal::SIGWINCH);
    set
}

/// Blocks the interactive mode's signals in the calling thread (threads
/// started later inherit the mask). Call after forking, before any thread.
pub(crate) fn block_interactive() -> anyhow::Result<()> {
    interactive_set().thread_block()?;
    Ok(())
}

/// How long the interactive loop gets to end the session after SIGTERM or
/// SIGHUP before the waiter does it (restoring the terminal first).
const INTERACTIVE_WATCHDOG: Duration = Duration::from_millis(300);

/// Starts the interactive mode's waiter thread: every signal is sent on
/// `tx` (and `bell` rung). After SIGTERM or SIGHUP the loop must end the
/// session; if it has not within `INTERACTIVE_WATCHDOG`, or a second such
/// signal comes, the waiter calls `restore` (the terminal), kills and reaps
/// the workers and re-raises the signal.
pub(crate) fn spawn_interactive(
    tx: Sender<Signal>,
    bell: Ringer,
    workers: KillHandle,
    restore: fn(),
) -> anyhow::Result<()> {
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        let set = interactive_set();
        let mut ending: Option<Signal> = None;
        loop {
            let Ok(sig) = set.wait() else { return };
            if ending.is_some() && matches!(sig, Signal::SIGTERM | Signal::SIGHUP) {
                break;
            }
            let _ = tx.send(sig);
            bell.ring();
            if matches!(sig, Signal::SIGTERM | Signal::SIGHUP) && ending.is_none() {
                ending = Some(sig);
                let _ = std::thread::Builder::new().name("watchdog".into()).spawn(move || {
                    std::thread::sleep(INTERACTIVE_WATCHDOG);
                    let _ = nix::sys::signal::kill(nix::unistd::getpid(), sig);
                });
            }
        }
        restore();
        workers.kill_and_reap_all();
        crate::exit::die_by(ending.unwrap_or(Signal::SIGTERM));
    })?;
    Ok(())
}
