//! The interactive mode (`dn -Q`): a search screen on the terminal that
//! searches again at every keystroke, on one pool of warm workers and one
//! file list for the whole session. This file is the loop: it polls the
//! terminal, the signal waiter, the walker and the workers, hands keys to
//! the screen and frames to the session, and draws.
//!
//! However the session ends (a quit key, SIGTERM, SIGHUP, a panic, a dead
//! worker), the terminal is restored and every worker reaped.

mod editor;
mod narrow;
mod results;
mod screen;
mod session;
mod term;
mod view;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use crossterm::event::Event;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;

use crate::budget;
use crate::config::Config;
use crate::doorbell::Doorbell;
use crate::exit::ExitStatus;
use crate::pool::WorkerPool;
use crate::query::SearchMode;
use results::{Kind, Results};
use screen::{Action, Screen};
use session::Session;
use term::Term;

/// Redraws happen at most this often while results stream in (the first
/// result is drawn at once).
const FRAME: Duration = Duration::from_millis(30);
/// While a search runs, the status line (its counts and clock) is redrawn
/// this often; results that arrive below a full screen wait for it too
/// (drawing costs the CPU the workers need).
const TICK: Duration = Duration::from_millis(250);

/// Runs the interactive session for `cfg`; returns how dn should end.
pub(crate) fn run(cfg: &Config) -> anyhow::Result<ExitStatus> {
    // Fail early, before forking anything, when there is no terminal.
    drop(std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(|e| {
        anyhow::anyhow!(
            "-Q/--query needs a terminal to draw on, and /dev/tty cannot be opened: {e}"
        )
    })?);
    io::stdout().flush()?;
    let (cfg, pool) = start_pool(cfg)?;
    let cfg = &cfg;
    // From here on the process may have threads; it never forks again.
    crate::signals::block_interactive()?;
    let (sig_tx, sig_rx) = crossbeam_channel::bounded(16);
    let (sig_bell, ringer) = crate::doorbell::doorbell()?;
    crate::signals::spawn_interactive(sig_tx, ringer, pool.kill_handle(), term::restore_now)
        .map_err(|e| e.context("-Q/--query could not start its signal thread"))?;
    let mut session = Session::new(pool);
    let term = Term::open()?;
    let mut ui = Ui::new(cfg, term, session_walk(&mut session, cfg)?, sig_rx, sig_bell);
    let end = ui.run(&mut session);
    session.shutdown();
    let picked = ui.picked();
    drop(ui); // restores the terminal
    let end = end?;
    if let End::Output = end {
        print_picked(cfg, &picked)?;
    }
    Ok(match end {
        End::Signal(sig) => ExitStatus::Signaled(sig),
        End::Output => ExitStatus::Match,
        End::Quit(matched) if matched => ExitStatus::Match,
        End::Quit(_) => ExitStatus::NoMatch,
    })
}

/// Forks the session's workers, as many as the process's limits allow
/// (at least one, with room for the signal and walker threads, or it
/// fails saying so); returns the configuration to walk with (its walking
/// threads cut to fit too) and the pool.
fn start_pool(cfg: &Config) -> anyhow::Result<(Config, WorkerPool)> {
    let workers = cfg.run.walk_threads.max(1);
    let commands = cfg.query.input.pre.is_some() || cfg.query.input.search_zip;
    let want = budget::Want {
        workers,
        signals: true,
        walker: true,
        walk_threads: cfg.run.walk_threads,
        worker_tasks: if commands { budget::COMMAND_TASKS } else { 0 },
        // The generation page, the terminal and crossterm's own.
        extra_fds: 4,
    };
    let room = budget::room(&want);
    let plan = budget::plan(&want, &room).filter(|p| p.workers > 0 && p.signals && p.walker);
    let Some(plan) = plan else {
        anyhow::bail!(
            "-Q/--query needs a worker process and two threads, and the process's limits \
             (RLIMIT_NPROC, RLIMIT_NOFILE) leave no room for them"
        );
    };
    let mut why = budget::Why::limits(&want, &room);
    let mut pool = WorkerPool::new(true)?;
    let now = pool.generation_counter();
    let mut got = plan;
    for started in 0..plan.workers {
        if let Err(e) = pool.fork(&|io| crate::pool::worker::run(io, None, now)) {
            if started == 0 {
                return Err(e.context("-Q/--query needs a worker process"));
            }
            why.failed(&e);
            (got.workers, got.walk_threads) = (started, 0);
            break;
        }
    }
    if let Some(note) = budget::describe(&want, &got, &why) {
        crate::messages::early(&note);
    }
    let mut cfg = cfg.clone();
    cfg.run.walk_threads = got.walk_threads;
    Ok((cfg, pool))
}

/// Starts the first walk; returns the walk configuration it used.
fn session_walk(session: &mut Session, cfg: &Config) -> anyhow::Result<Config> {
    session.walk(cfg)?;
    Ok(cfg.clone())
}

/// How the session ended.
enum End {
    /// A quit key; whether the last query matched.
    Quit(bool),
    /// Ctrl-O: print the picked results.
    Output,
    /// SIGTERM or SIGHUP (or SIGINT from outside).
    Signal(Signal),
}

/// A result picked for printing on exit: path, line number, text.
type Picked = (Vec<u8>, u64, Vec<u8>);

/// The loop's state.
struct Ui<'c> {
    cfg: &'c Config,
    /// The configuration the current file list was walked with.
    walked: Config,
    term: Term,
    screen: Screen,
    results: Results,
    /// The current query's compiled patterns (to highlight matches).
    matcher: Option<crate::matcher::Matcher>,
    preview: Option<view::Preview>,
    signals: Receiver<Signal>,
    sig_bell: Doorbell,
    dirty: bool,
    /// A key was typed: draw at once, whatever the frame rate says.
    urgent: bool,
    drawn: Option<Instant>,
    /// Results were empty at the last draw (a first result is drawn at once).
    was_empty: bool,
}

impl<'c> Ui<'c> {
    /// The loop's state for `cfg` on `term`.
    fn new(
        cfg: &'c Config,
        term: Term,
        walked: Config,
        signals: Receiver<Signal>,
        sig_bell: Doorbell,
    ) -> Ui<'c> {
        Ui {
            cfg,
            walked,
            term,
            screen: Screen::new(cfg),
            results: Results::new(results::MAX_ROWS),
            matcher: None,
            preview: None,
            signals,
            sig_bell,
            dirty: true,
            urgent: true,
            drawn: None,
            was_empty: true,
        }
    }

    /// Runs until the session ends.
    fn run(&mut self, session: &mut Session) -> anyhow::Result<End> {
        self.search(session);
        loop {
            self.draw_if_due(session)?;
            let ready = self.wait(session)?;
            if ready.signal {
                self.sig_bell.drain();
                while let Ok(sig) = self.signals.try_recv() {
                    match sig {
                        Signal::SIGWINCH => {
                            self.term.screen.autoresize()?;
                            self.dirty = true;
                        }
                        Signal::SIGINT if session.is_running() => {
                            session.stop();
                            self.dirty = true;
                        }
                        sig => return Ok(End::Signal(sig)),
                    }
                }
            }
            if ready.walk {
                session.on_walk(&self.results);
                self.dirty = true;
            }
            let was_running = session.is_running();
            for k in ready.workers {
                let (version, rows) = (self.results.version(), self.results.len());
                session.on_worker(k, &mut self.results)?;
                // Rows that land below a full screen can wait for the tick.
                let shown = self.results.version() != version && rows < 2 * self.screen.page;
                self.dirty |= shown || (was_running && !session.is_running());
            }
            if ready.keys {
                if let Some(end) = self.keys(session)? {
                    return Ok(end);
                }
            }
            session.pump(&self.results);
        }
    }

    /// What is ready after one poll.
    fn wait(&self, session: &Session) -> io::Result<Ready> {
        let mut fds = vec![
            PollFd::new(self.term.input_fd(), PollFlags::POLLIN),
            PollFd::new(self.sig_bell.fd(), PollFlags::POLLIN),
        ];
        let (walk, workers) = session.fds();
        if let Some(w) = walk {
            fds.push(PollFd::new(w, PollFlags::POLLIN));
        }
        let first_worker = fds.len();
        fds.extend(workers.iter().map(|(_, fd)| PollFd::new(*fd, PollFlags::POLLIN)));
        let timeout = self.timeout(session);
        match nix::poll::poll(&mut fds, timeout) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        let hit = |fd: &PollFd| fd.revents().is_some_and(|r| !r.is_empty());
        Ok(Ready {
            keys: hit(&fds[0]),
            signal: hit(&fds[1]),
            walk: walk.is_some() && hit(&fds[2]),
            workers: workers
                .iter()
                .zip(&fds[first_worker..])
                .filter(|(_, fd)| hit(fd))
                .map(|((k, _), _)| *k)
                .collect(),
        })
    }

    /// How long the poll may sleep: until the next frame may be drawn when
    /// something changed, a tick while searching, forever otherwise.
    fn timeout(&self, session: &Session) -> PollTimeout {
        let wait = if self.dirty && self.urgent {
            Some(Duration::ZERO)
        } else if self.dirty {
            let since = self.drawn.map_or(FRAME, |t| t.elapsed());
            Some(FRAME.saturating_sub(since))
        } else if session.is_running() {
            Some(TICK)
        } else {
            None
        };
        wait.map_or(PollTimeout::NONE, |d| PollTimeout::try_from(d).unwrap_or(PollTimeout::MAX))
    }

    /// Draws when something changed and a frame is due (at once for the
    /// first result), or when the clock of a running search moves on.
    fn draw_if_due(&mut self, session: &Session) -> io::Result<()> {
        let first_result = self.was_empty && !self.results.is_empty();
        let due = self.urgent || self.drawn.is_none_or(|t| t.elapsed() >= FRAME);
        let tick = session.is_running() && self.drawn.is_none_or(|t| t.elapsed() >= TICK);
        if !((self.dirty && (due || first_result)) || tick) {
            return Ok(());
        }
        self.urgent = false;
        let progress = session.progress();
        self.screen.settle(&self.results);
        self.load_preview();
        let view = view::View {
            screen: &self.screen,
            results: &self.results,
            progress: &progress,
            matcher: self.matcher.as_ref(),
            files: (session.file_count(), session.is_walking()),
            preview: if self.screen.preview { self.preview.as_ref() } else { None },
        };
        let mut top = self.screen.top;
        let mut page = self.screen.page;
        self.term.screen.draw(|f| page = view::draw(f, &view, &mut top))?;
        self.screen.top = top;
        self.screen.page = page.max(1);
        self.drawn = Some(Instant::now());
        self.was_empty = self.results.is_empty();
        self.dirty = false;
        Ok(())
    }

    /// Reads the selected file for the preview, when it is on and changed.
    fn load_preview(&mut self) {
        if !self.screen.preview {
            return;
        }
        let Some((seq, i)) = self.screen.selected else { return };
        let Some((path, _)) = self.results.row(seq, i) else { return };
        if self.preview.as_ref().is_some_and(|p| p.path == path) {
            return;
        }
        let text = read_start(path, 16 << 20);
        let lines = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        self.preview = Some(view::Preview { path: path.to_vec(), lines });
    }

    /// Handles the keys typed; returns how the session ends, if it does.
    fn keys(&mut self, session: &mut Session) -> anyhow::Result<Option<End>> {
        while crossterm::event::poll(Duration::ZERO)? {
            let event = crossterm::event::read()?;
            self.dirty = true;
            self.urgent = true;
            let Event::Key(key) = event else { continue };
            let running = session.is_running();
            match self.screen.key(key, running, &self.results) {
                Action::Redraw => {}
                Action::Search => self.search(session),
                Action::Rewalk => {
                    self.walked = self.screen.walk_config(self.cfg);
                    session.walk(&self.walked)?;
                    self.search(session);
                }
                Action::Stop => session.stop(),
                Action::Open => self.open()?,
                Action::Output => return Ok(Some(End::Output)),
                Action::Quit => return Ok(Some(End::Quit(session.progress().matched > 0))),
            }
        }
        Ok(None)
    }

    /// Compiles the screen's query and starts it; an invalid one is shown
    /// in the status line and the last good results stay.
    fn search(&mut self, session: &mut Session) {
        self.dirty = true;
        if self.screen.text().is_empty() {
            // Nothing to look for (every line would match): wait for a key.
            self.screen.error = None;
            self.screen.reset_selection();
            session.idle(&mut self.results);
            return;
        }
        let q = self.screen.query(&self.cfg.query);
        match crate::matcher::build(&q.matcher) {
            Ok(m) => {
                self.screen.error = None;
                self.matcher = Some(m);
                self.screen.reset_selection();
                session.search(&q, &mut self.results);
            }
            Err(e) => self.screen.error = Some(format!("error: {e:#}")),
        }
        self.dirty = true;
    }

    /// Opens the selected result in the editor, then takes the terminal
    /// back and redraws everything.
    fn open(&mut self) -> anyhow::Result<()> {
        let Some((seq, i)) = self.screen.selected else { return Ok(()) };
        let Some((path, row)) = self.results.row(seq, i) else { return Ok(()) };
        let argv = editor::command_line(&editor::chosen(), path, row.line);
        self.term.suspend()?;
        let tty = || std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty");
        let ran = std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(tty()?)
            .stdout(tty()?)
            .stderr(tty()?)
            .status();
        self.term.resume()?;
        if let Err(e) = ran {
            self.screen.error =
                Some(format!("error: cannot run {}: {e}", argv[0].to_string_lossy()));
        }
        self.dirty = true;
        Ok(())
    }

    /// The marked results, or the selected one if none is marked.
    fn picked(&self) -> Vec<Picked> {
        let places: Vec<_> = if self.screen.marks.is_empty() {
            self.screen.selected.into_iter().collect()
        } else {
            self.screen.marks.iter().copied().collect()
        };
        places
            .into_iter()
            .filter_map(|(seq, i)| self.results.row(seq, i))
            .filter(|(_, row)| row.kind == Kind::Match)
            .map(|(path, row)| (path.to_vec(), row.line, row.text.clone()))
            .collect()
    }
}

/// What one poll found ready.
struct Ready {
    keys: bool,
    signal: bool,
    walk: bool,
    workers: Vec<usize>,
}

/// Prints the picked results to stdout in the usual format: paths with
/// -l, else `path:line:text` lines (path and line number as the flags
/// say for a plain search).
fn print_picked(cfg: &Config, picked: &[Picked]) -> io::Result<()> {
    let mut out = io::BufWriter::new(crate::output::StdoutWriter::new());
    let p = &cfg.query.printer;
    let mut last_path: Option<&[u8]> = None;
    for (path, line, text) in picked {
        if p.mode == SearchMode::FilesWithMatches {
            if last_path != Some(path.as_slice()) {
                out.write_all(path)?;
                out.write_all(&[p.path_terminator.unwrap_or(b'\n')])?;
            }
            last_path = Some(path);
            continue;
        }
        if p.with_filename {
            out.write_all(path)?;
            out.write_all(b":")?;
        }
        if cfg.query.searcher.line_number {
            write!(out, "{line}:")?;
        }
        out.write_all(text)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The first `limit` bytes of the file at `path` (empty if unreadable).
fn read_start(path: &[u8], limit: u64) -> Vec<u8> {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
    let mut buf = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(limit).read_to_end(&mut buf);
    }
    buf
}
