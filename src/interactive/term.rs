//! The terminal of the interactive mode: `/dev/tty`, in raw mode on the
//! alternate screen while the session runs. One guard owns it; its `Drop`,
//! the panic hook and the signal thread's last resort all put the terminal
//! back (raw mode off, main screen, cursor shown), however the session ends.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::fd::{AsFd, BorrowedFd};

use anyhow::Context;
use crossterm::cursor::Show;
use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// What puts a terminal back to normal: main screen, cursor shown (raw
/// mode is turned off beside it).
const RESTORE: &[u8] = b"\x1b[?1049l\x1b[?25h\x1b[0m";

/// The terminal, set up for the session.
pub(crate) struct Term {
    /// The screen ratatui draws on (buffered: ratatui flushes once per
    /// frame, where the terminal would otherwise get a write per escape).
    pub(crate) screen: Terminal<CrosstermBackend<BufWriter<File>>>,
    /// The terminal, for reading keys (polled for input).
    input: File,
}

impl Term {
    /// Opens /dev/tty, switches it to raw mode and the alternate screen;
    /// fails with a clear message when there is no terminal.
    pub(crate) fn open() -> anyhow::Result<Term> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .context("-Q/--query needs a terminal to draw on, and /dev/tty cannot be opened")?;
        let input = tty.try_clone().context("-Q/--query: cannot use the terminal")?;
        install_panic_hook();
        crossterm::terminal::enable_raw_mode()
            .context("-Q/--query: cannot switch the terminal (/dev/tty) to raw mode")?;
        let mut out = tty;
        crossterm::execute!(out, EnterAlternateScreen)?;
        let screen = Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(1 << 16, out)))?;
        Ok(Term { screen, input })
    }

    /// The terminal's descriptor, to poll for keys.
    pub(crate) fn input_fd(&self) -> BorrowedFd<'_> {
        self.input.as_fd()
    }

    /// Gives the terminal back for a while (an editor runs on it).
    pub(crate) fn suspend(&mut self) -> io::Result<()> {
        crossterm::execute!(self.screen.backend_mut(), LeaveAlternateScreen, Show)?;
        crossterm::terminal::disable_raw_mode()
    }

    /// Takes the terminal again after `suspend`; the next frame redraws
    /// everything. (A new `Terminal` rather than `Terminal::clear`, which
    /// asks the terminal where its cursor is and waits for an answer.)
    pub(crate) fn resume(&mut self) -> io::Result<()> {
        crossterm::terminal::enable_raw_mode()?;
        let mut out = self.input.try_clone()?;
        crossterm::execute!(out, EnterAlternateScreen, Clear(ClearType::All))?;
        self.screen = Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(1 << 16, out)))?;
        Ok(())
    }
}

impl Drop for Term {
    /// Puts the terminal back.
    fn drop(&mut self) {
        let _ = self.screen.backend_mut().write_all(RESTORE);
        let _ = self.screen.backend_mut().flush();
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Puts the terminal back from anywhere (the panic hook, the signal
/// thread): raw mode off, main screen, cursor shown.
pub(crate) fn restore_now() {
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        let _ = tty.write_all(RESTORE);
        let _ = tty.flush();
    }
    let _ = crossterm::terminal::disable_raw_mode();
}

/// Makes a panic restore the terminal before its message is printed (so
/// the message is readable and the shell usable).
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_now();
        previous(info);
    }));
}
