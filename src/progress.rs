//! The live progress line on stderr for long searches: files searched and
//! matched, bytes, elapsed time, rate and the file being worked on.
//!
//! Drawn only when enabled (see `config::progress`), only after the search
//! has run for `DELAY`, at most every `INTERVAL`; always erased before
//! anything else is written to stderr and when the search ends.

use std::io::Write;
use std::time::{Duration, Instant};

/// No line for searches shorter than this.
const DELAY: Duration = Duration::from_millis(500);
/// At most this often a redraw.
pub(crate) const INTERVAL: Duration = Duration::from_millis(100);

/// The state of the progress line.
pub(crate) struct Progress {
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
    shown: bool,
    width: usize,
}

impl Progress {
    /// A progress line, drawn only when `enabled`.
    pub(crate) fn new(enabled: bool) -> Progress {
        let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(80);
        Progress { enabled, started: Instant::now(), last: None, shown: false, width }
    }

    /// True when the line may be drawn at all.
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// True when a redraw is due (checked before gathering what to show).
    pub(crate) fn due(&self) -> bool {
        let now = Instant::now();
        self.enabled && now - self.started >= DELAY && self.last.is_none_or(|t| now - t >= INTERVAL)
    }

    /// Redraws the line: `files` searched, `matched` of them with a match,
    /// `bytes` read so far, `current` the file being worked on.
    pub(crate) fn draw(&mut self, files: u64, matched: u64, bytes: u64, current: &str) {
        let now = Instant::now();
        self.last = Some(now);
        let line = render(
            files,
            matched,
            bytes,
            now - self.started,
            current,
            self.width.saturating_sub(1),
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{line}");
        let _ = err.flush();
        self.shown = true;
    }

    /// Erases the line if it is on screen.
    pub(crate) fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(b"\r\x1b[K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

/// Formats the line, cut to `width` characters.
fn render(
    files: u64,
    matched: u64,
    bytes: u64,
    elapsed: Duration,
    current: &str,
    width: usize,
) -> String {
    let secs = elapsed.as_secs_f64().max(0.001);
    let rate = bytes as f64 / secs;
    let head = format!(
        "dn: {files} files, {} matched, {} in {:.1}s ({}/s) ",
        matched,
        human(bytes as f64),
        secs,
        human(rate)
    );
    let room = width.saturating_sub(head.chars().count());
    let cur: String = if current.chars().count() > room {
        let skip = current.chars().count() - room.saturating_sub(1);
        std::iter::once('…').chain(current.chars().skip(skip + 1)).collect()
    } else {
        current.to_string()
    };
    let mut line = head + &cur;
    line = line.chars().take(width).collect();
    line
}

/// Formats a byte count as B, KiB, MiB or GiB.
fn human(n: f64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut n = n;
    let mut i = 0;
    while n >= 1024.0 && i < UNITS.len() - 1 {
        n /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n:.0} {}", UNITS[i])
    } else {
        format!("{n:.1} {}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The progress line fits the terminal and keeps the end of the path.
    #[test]
    fn the_line_fits_the_width() {
        let long = "a/".repeat(100) + "file.c";
        let line = render(1234, 7, 5 << 30, Duration::from_secs(2), &long, 79);
        assert!(line.chars().count() <= 79, "{line}");
        assert!(line.starts_with("dn: 1234 files, 7 matched, 5.0 GiB in 2.0s (2.5 GiB/s) "));
        assert!(line.ends_with("file.c"), "{line}");
    }

    /// Byte counts render as B, KiB and MiB.
    #[test]
    fn sizes_are_human() {
        assert_eq!(human(512.0), "512 B");
        assert_eq!(human(1536.0), "1.5 KiB");
        assert_eq!(human(3.0 * 1024.0 * 1024.0), "3.0 MiB");
    }
}
