//! Pseudo-terminal harness: runs the real `dn` with a terminal on its
//! stdout and/or stderr, and reads back what reached the terminal.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

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
    let pty = nix::pty::openpty(Some(&size), None).expect("openpty");
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
