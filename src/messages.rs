//! The one voice on stderr: every message, warning and error the parent
//! prints goes through here (ripgrep's `messages.rs` is the model). It
//! knows --no-messages and --no-ignore-messages, records that an error
//! happened (which decides exit code 2), and keeps the progress line out of
//! the way of what it prints.
//!
//! Workers never print: their errors reach the parent as data and come
//! here. stdout is not written here; the caller flushes it first, so that
//! stdout and stderr interleave in order.

use std::io::Write;

use crate::progress::Progress;

/// The parent's diagnostics for one run.
pub(crate) struct Messages {
    /// --no-messages: errors are counted, not printed.
    no_messages: bool,
    /// --no-ignore-messages: problems with ignore files are not printed.
    no_ignore_messages: bool,
    /// An error was reported.
    errored: bool,
    /// The live progress line, erased before anything is printed.
    progress: Progress,
    /// stderr is a terminal: control characters in messages (from file
    /// names, ignore files) are shown visibly.
    sanitize: bool,
}

impl Messages {
    /// Diagnostics with the given silences and progress line.
    pub(crate) fn new(
        no_messages: bool,
        no_ignore_messages: bool,
        progress: Progress,
        sanitize: bool,
    ) -> Messages {
        Messages { no_messages, no_ignore_messages, errored: false, progress, sanitize }
    }

    /// Reports an error (a file that could not be searched, a lost file, a
    /// missing path): exit code 2; printed unless --no-messages.
    pub(crate) fn error(&mut self, msg: &str) {
        self.errored = true;
        if !self.no_messages {
            self.print(msg);
        }
    }

    /// Reports a problem with an ignore file: not an error; printed unless
    /// --no-messages or --no-ignore-messages.
    pub(crate) fn ignore_problem(&mut self, msg: &str) {
        if !self.no_messages && !self.no_ignore_messages {
            self.print(msg);
        }
    }

    /// Reports something the user should know that is not an error (the
    /// run was cut down to fit the process's limits): printed unless
    /// --no-messages.
    pub(crate) fn note(&mut self, msg: &str) {
        if !self.no_messages {
            self.print(msg);
        }
    }

    /// True once an error was reported.
    pub(crate) fn errored(&self) -> bool {
        self.errored
    }

    /// The progress line.
    pub(crate) fn progress(&mut self) -> &mut Progress {
        &mut self.progress
    }

    /// Prints one message, erasing the progress line first.
    fn print(&mut self, msg: &str) {
        self.progress.clear();
        let mut err = std::io::stderr().lock();
        if self.sanitize {
            let _ = err.write_all(b"dn: ");
            let _ = err.write_all(&crate::sanitize::escaped(msg.as_bytes()));
            let _ = err.write_all(b"\n");
        } else {
            let _ = writeln!(err, "dn: {msg}");
        }
    }
}

/// Prints a message before any run exists (the config file could not be
/// read): always shown, never an error.
pub(crate) fn early(msg: &str) {
    let _ = writeln!(std::io::stderr().lock(), "dn: {msg}");
}

/// Prints the error that ended the run before it could search (a bad flag,
/// pattern or glob): always shown.
pub(crate) fn fatal(err: &anyhow::Error) {
    let _ = writeln!(std::io::stderr().lock(), "dn: {err:#}");
}
