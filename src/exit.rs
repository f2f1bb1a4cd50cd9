//! How the process ends: exit codes 0/1/2 from a run's tally, or death by
//! the signal that cancelled it, so shells see 130 for SIGINT and 143 for
//! SIGTERM.

use nix::sys::signal::{SigHandler, SigSet, Signal};

/// The outcome of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Something matched (exit 0).
    Match,
    /// Nothing matched (exit 1).
    NoMatch,
    /// An error happened (exit 2).
    Error,
    /// Cancelled by a signal: die by it.
    Signaled(Signal),
}

/// What a finished run found out, the only input of its exit code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Something matched (or, for --files, was listed).
    pub(crate) matched: bool,
    /// An error was reported.
    pub(crate) errored: bool,
    /// -q was given.
    pub(crate) quiet: bool,
}

impl ExitStatus {
    /// ripgrep's rule: a match wins unless an error happened, except that
    /// with -q a match is success even after errors.
    pub(crate) fn from_tally(t: Tally) -> ExitStatus {
        if t.matched && (t.quiet || !t.errored) {
            ExitStatus::Match
        } else if t.errored {
            ExitStatus::Error
        } else {
            ExitStatus::NoMatch
        }
    }
}

/// Ends the process with `status`; never returns.
pub(crate) fn exit(status: ExitStatus) -> ! {
    match status {
        ExitStatus::Match => std::process::exit(0),
        ExitStatus::NoMatch => std::process::exit(1),
        ExitStatus::Error => std::process::exit(2),
        ExitStatus::Signaled(sig) => die_by(sig),
    }
}

/// Restores the default action for `sig`, unblocks it and raises it, so the
/// process dies the way it was killed.
pub(crate) fn die_by(sig: Signal) -> ! {
    // SAFETY: installing SIG_DFL runs no handler code; nothing in this
    // process relies on a handler for `sig` any more (we are exiting).
    unsafe {
        let _ = nix::sys::signal::signal(sig, SigHandler::SigDfl);
    }
    let mut set = SigSet::empty();
    set.add(sig);
    let _ = set.thread_unblock();
    let _ = nix::sys::signal::raise(sig);
    std::process::exit(128 + sig as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status of a tally.
    fn of(matched: bool, errored: bool, quiet: bool) -> ExitStatus {
        ExitStatus::from_tally(Tally { matched, errored, quiet })
    }

    /// 0/1/2 follow ripgrep, including -q's match-wins-over-errors rule.
    #[test]
    fn exit_codes_follow_ripgrep() {
        assert_eq!(of(true, false, false), ExitStatus::Match);
        assert_eq!(of(false, false, false), ExitStatus::NoMatch);
        assert_eq!(of(true, true, false), ExitStatus::Error);
        assert_eq!(of(false, true, false), ExitStatus::Error);
        assert_eq!(of(true, true, true), ExitStatus::Match);
        assert_eq!(of(false, true, true), ExitStatus::Error);
    }
}
