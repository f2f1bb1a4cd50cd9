//! Pseudo-terminal harness: runs the real `dn` with a terminal on its
//! stdout and/or stderr (batch mode), or as the controlling terminal of an
//! interactive session (`dn -Q`), and reads back what reached the terminal,
//! as bytes or, through the `vt100` terminal emulator, as a screen.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::dn_bin;

/// What a batch run on a terminal produced.
pub struct TtyRun {
    /// Everything written to the terminal (stdout and/or stderr).
    pub tty: Vec<u8>,
    /// stdout, when it was a pipe.
    pub stdout: Vec<u8>,
    /// How dn ended.
    pub status: ExitStatus,
}

/// Opens a pseudo-terminal of `rows` × `cols`: (master, slave).
fn open_pty(rows: u16, cols: u16) -> (File, File) {
    let size = nix::pty::Winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
    let pty = crate::util::openpty(Some(&size));
    (pty.master.into(), pty.slave.into())
}

/// Reads `master` until the terminal closes (every holder of the slave is
/// gone), on a thread; returns its handle.
fn drain(mut master: File) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 1 << 16];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        all
    })
}

/// Runs `dn args` in `dir` with stdout and/or stderr on a terminal (the
/// other ones piped), stdin closed, and waits for it.
pub fn run_on_tty(dir: &Path, args: &[&str], stdout_tty: bool, stderr_tty: bool) -> TtyRun {
    let (master, slave) = open_pty(24, 200);
    let mut cmd = Command::new(dn_bin());
    cmd.current_dir(dir).args(args).stdin(Stdio::null()).env_remove("DRAGNET_CONFIG_PATH");
    cmd.env("TERM", "xterm-256color").env_remove("NO_COLOR");
    cmd.stdout(if stdout_tty { Stdio::from(slave.try_clone().unwrap()) } else { Stdio::piped() });
    cmd.stderr(if stderr_tty { Stdio::from(slave.try_clone().unwrap()) } else { Stdio::piped() });
    let child = cmd.spawn().expect("spawn dn");
    // The command holds copies of the terminal: the reader sees its end
    // only once every copy outside dn is closed.
    drop((cmd, slave));
    let reader = drain(master);
    let out = child.wait_with_output().expect("wait for dn");
    TtyRun { tty: reader.join().unwrap(), stdout: out.stdout, status: out.status }
}

/// An interactive `dn -Q` session on a terminal it controls, read back
/// through a terminal emulator.
pub struct Screen {
    child: Child,
    master: File,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Everything the terminal received, as bytes.
    raw: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// The terminal's device path (to resize it with stty).
    tty_path: String,
}

impl Screen {
    /// Starts `dn args` in `dir` as the session leader of a new terminal
    /// of `rows` × `cols` (through `setsid --ctty`, so /dev/tty is it), with
    /// extra environment `env`; stdout is a pipe.
    pub fn start(dir: &Path, args: &[&str], rows: u16, cols: u16, env: &[(&str, &str)]) -> Screen {
        let (master, slave) = open_pty(rows, cols);
        let tty_path = std::fs::read_link(format!("/proc/self/fd/{}", fd_of(&slave)))
            .expect("pty path")
            .to_string_lossy()
            .into_owned();
        let mut cmd = Command::new("setsid");
        cmd.arg("--ctty").arg(dn_bin()).args(args).current_dir(dir);
        cmd.env("TERM", "xterm-256color").env_remove("DRAGNET_CONFIG_PATH").env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(slave));
        let child = cmd.spawn().expect("spawn setsid dn -Q");
        drop(cmd);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r, mut m) = (parser.clone(), raw.clone(), master.try_clone().unwrap());
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 1 << 16];
            while let Ok(n) = m.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Screen { child, master, parser, raw, reader: Some(reader), tty_path }
    }

    /// The process id of dn.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Types `bytes` as keys.
    pub fn keys(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }

    /// The screen's text, row by row.
    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Runs `f` on the emulated screen.
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().unwrap().screen())
    }

    /// Everything the terminal received so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Waits until `pred` holds for the screen's text; panics with the
    /// screen after `limit`.
    pub fn wait_for(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + limit;
        loop {
            let text = self.text();
            if pred(&text) {
                return;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Resizes the terminal (the kernel sends SIGWINCH to dn).
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let ok = Command::new("stty")
            .args(["-F", &self.tty_path, "rows", &rows.to_string(), "cols", &cols.to_string()])
            .status()
            .expect("run stty");
        assert!(ok.success());
        self.parser.lock().unwrap().set_size(nz(rows), nz(cols));
    }

    /// Waits for dn to exit (at most `limit`); returns its status, its
    /// stdout, and everything the terminal received (once the terminal is
    /// closed by every process that held it).
    pub fn finish(mut self, limit: Duration) -> (ExitStatus, Vec<u8>, Vec<u8>) {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("dn -Q still running after {limit:?}; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let mut stdout = Vec::new();
        self.child.stdout.take().unwrap().read_to_end(&mut stdout).unwrap();
        if let Some(reader) = self.reader.take() {
            while !reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        (status, stdout, self.raw())
    }
}

/// True while `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|t| t.rfind(')').map(|i| t[i + 2..].starts_with('Z')))
        .is_some_and(|zombie| !zombie)
}

impl Drop for Screen {
    /// Kills dn if it is still running and stops the reader.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            drop(r); // the reader ends when the terminal closes
        }
    }
}

/// `n` as the terminal emulator takes a size (at least 1).
fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).unwrap()
}

/// The raw descriptor number of `f`.
fn fd_of(f: &File) -> i32 {
    use std::os::fd::AsRawFd;
    f.as_raw_fd()
}
