//! How the process ends: exit codes 0/1/2, or death by the signal that
//! cancelled it, so shells see 130 for SIGINT and 143 for SIGTERM.

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

impl ExitStatus {
    /// ripgrep's rule: a match wins unless an error happened, except that
    /// with -q a match is success even after errors.
    pub(crate) fn from_run(matched: bool, errored: bool, quiet: bool) -> ExitStatus {
        if matched && (quiet || !errored) {
            ExitStatus::Match
        } else if errored {
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

    /// 0/1/2 follow ripgrep, including -q's match-wins-over-errors rule.
    #[test]
    fn exit_codes_follow_ripgrep() {
        assert_eq!(ExitStatus::from_run(true, false, false), ExitStatus::Match);
        assert_eq!(ExitStatus::from_run(false, false, false), ExitStatus::NoMatch);
        assert_eq!(ExitStatus::from_run(true, true, false), ExitStatus::Error);
        assert_eq!(ExitStatus::from_run(false, true, false), ExitStatus::Error);
        assert_eq!(ExitStatus::from_run(true, true, true), ExitStatus::Match);
        assert_eq!(ExitStatus::from_run(false, true, true), ExitStatus::Error);
    }
}
