//! The --debug/--trace logger: what dn and its libraries (the walk's
//! `ignore`, the regex and printer crates) say through `log`, printed on
//! stderr as ripgrep prints it (`dn: DEBUG|target|file:line: message`).
//!
//! Off by default, and then costs one relaxed load per log call site. The
//! logger writes to its own copy of stderr, taken before any worker is
//! forked, so that forked workers (whose stderr is /dev/null) still log.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsFd;
use std::sync::OnceLock;

/// The logger, once installed.
static LOGGER: Logger = Logger { out: OnceLock::new() };

/// Writes each record as one line, with one `write` (so that the lines of
/// several processes do not interleave within a line).
struct Logger {
    /// A close-on-exec copy of stderr.
    out: OnceLock<File>,
}

/// Turns logging on at `level` (nothing happens for `Off`).
pub(crate) fn init(level: log::LevelFilter) {
    if level == log::LevelFilter::Off {
        return;
    }
    let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() else { return };
    let _ = LOGGER.out.set(File::from(fd));
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}

impl log::Log for Logger {
    /// Everything up to the max level (which `log` checks first) is shown.
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    /// Prints `dn: LEVEL|target|file:line: message` on the copy of stderr.
    fn log(&self, record: &log::Record<'_>) {
        let Some(out) = self.out.get() else { return };
        let mut line = format!("dn: {}|{}", record.level(), record.target());
        match (record.file(), record.line()) {
            (Some(file), Some(n)) => line.push_str(&format!("|{file}:{n}")),
            (Some(file), None) => line.push_str(&format!("|{file}")),
            _ => {}
        }
        line.push_str(&format!(": {}\n", record.args()));
        let _ = (&*out).write_all(line.as_bytes());
    }

    /// Nothing is buffered.
    fn flush(&self) {}
}
