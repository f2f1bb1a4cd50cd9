//! Resource limits and odd environments (issue 15, part 4), on the real
//! binary: a deleted current directory, a full disk on stdout, few
//! processes (RLIMIT_NPROC, as an unprivileged uid) and few descriptors
//! (RLIMIT_NOFILE). Every run has a deadline: dn must never hang, never
//! panic, and never report "no match" for a search that did not run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{dn_bin, Dir};

/// The longest any run here may take before it counts as a hang.
const DEADLINE: Duration = Duration::from_secs(20);

/// Runs `cmd` with stdin closed and stdout and stderr in files, killing it
/// and failing the test if it is still running after `DEADLINE`.
fn run(cmd: &mut Command, name: &str) -> Output {
    let out_dir = Dir::new(&format!("limits-out-{name}"));
    let (out_path, err_path) = (out_dir.root.join("stdout"), out_dir.root.join("stderr"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .env_remove("DRAGNET_CONFIG_PATH")
        .env_remove("RIPGREP_CONFIG_PATH")
        .spawn()
        .expect("start dn");
    let started = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(&err_path).unwrap_or_default();
            panic!("{name}: dn still running after {DEADLINE:?} (a hang); stderr: {err}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: std::fs::read(out_path).unwrap(),
        stderr: std::fs::read(err_path).unwrap(),
    }
}

/// stderr as text.
fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that nothing on stderr looks like a Rust panic.
fn no_panic(out: &Output, what: &str) {
    let err = stderr(out);
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{what}: panic:\n{err}");
}

/// A shell command line that enters `dir`, deletes it and runs the rest.
fn in_deleted_dir(dir: &Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(r#"cd "$1" && rmdir "$1" && shift && exec "$@""#).arg("sh").arg(dir);
    cmd
}

/// A file outside the deleted directory, with one matching line.
fn outside_file(dir: &Dir) -> PathBuf {
    let path = dir.root.join("hay.txt");
    std::fs::write(&path, "hello there\nnothing\n").unwrap();
    path
}

/// A deleted current directory: absolute paths are still searched (the
/// shell's $PWD stands in for it, as in ripgrep); relative paths fail as
/// missing files; without $PWD, dn says why it cannot run and exits 2.
#[test]
fn a_deleted_current_directory_still_searches_absolute_paths() {
    let files = Dir::new("deleted-cwd-files");
    let hay = outside_file(&files);
    let gone = Dir::new("deleted-cwd");
    let gone_path = gone.root.clone();
    std::fs::remove_dir_all(&gone.root).unwrap();
    let fresh = || {
        std::fs::create_dir_all(&gone_path).unwrap();
        let mut cmd = in_deleted_dir(&gone_path);
        cmd.env("PWD", &gone_path).arg(dn_bin());
        cmd
    };
    let out = run(fresh().arg("hello").arg(&hay), "deleted-abs");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    eqnice!("hello there\n", &out.stdout);
    eqnice!("", &out.stderr);
    // A directory root given absolutely is walked too.
    let out = run(fresh().arg("hello").arg(&files.root), "deleted-abs-dir");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    eqnice!(format!("{}:hello there\n", hay.display()), &out.stdout);
    // A relative path names nothing any more: an error, as in ripgrep.
    let out = run(fresh().args(["hello", "../x.txt"]), "deleted-rel");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("../x.txt: "), "stderr: {}", stderr(&out));
    no_panic(&out, "relative path");
    // Without $PWD there is no directory to resolve anything against.
    std::fs::create_dir_all(&gone_path).unwrap();
    let mut cmd = in_deleted_dir(&gone_path);
    cmd.args(["env", "-u", "PWD"]).arg(dn_bin()).arg("hello").arg(&hay);
    let out = run(&mut cmd, "deleted-no-pwd");
    assert_eq!(out.status.code(), Some(2));
    eqnice!(
        "dn: failed to get current working directory: No such file or directory (os error 2) \
         --- did your CWD get deleted?\n",
        &out.stderr
    );
}

/// The line dn prints when stdout is a full disk.
const FULL: &str = "dn: error writing to stdout: No space left on device (os error 28)\n";

/// A small tree to search and list.
fn small_tree(name: &str) -> Dir {
    let dir = Dir::new(name);
    dir.create("a.txt", "hello world\n");
    dir.create("sub/b.txt", "hello again\nbye\n");
    dir
}

/// `dn ARGS > /dev/full` in `dir`.
fn to_full_disk(dir: &Dir, args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let mut cmd = Command::new(dn_bin());
    cmd.current_dir(&dir.root).args(args);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .env_remove("DRAGNET_CONFIG_PATH")
        .env_remove("RIPGREP_CONFIG_PATH")
        .spawn()
        .expect("start dn");
    let mut err = Vec::new();
    std::io::Read::read_to_end(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    Output { status: child.wait().unwrap(), stdout: Vec::new(), stderr: err }
}

/// Every mode that writes to stdout reports a full disk in one line and
/// exits 2, however little it writes.
#[test]
fn a_full_disk_on_stdout_is_an_error_in_every_mode() {
    let dir = small_tree("full-disk");
    let modes: &[&[&str]] = &[
        &["hello"],
        &["-n", "hello", "a.txt"],
        &["-c", "hello"],
        &["--count-matches", "hello"],
        &["-l", "hello"],
        &["--files-without-match", "bye"],
        &["--json", "hello"],
        &["--stats", "hello"],
        &["--stats", "-q", "hello"],
        &["-j1", "hello"],
        &["--sort", "none", "hello"],
        &["--sortr", "path", "hello"],
        &["--files"],
        &["--files", "a.txt"],
        &["--type-list"],
        &["--version"],
        &["-V"],
        &["--help"],
        &["-h"],
        &["--pcre2-version"],
        &["--generate", "man"],
        &["--generate", "complete-bash"],
        &["--generate", "complete-zsh"],
        &["--generate", "complete-fish"],
        &["--generate", "complete-powershell"],
        &["--generate", "complete-elvish"],
    ];
    for args in modes {
        let out = to_full_disk(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: stderr: {}", stderr(&out));
        assert_eq!(stderr(&out), FULL, "{args:?}");
    }
    // What writes nothing has nothing to report.
    for (args, code) in [(&["-q", "hello"][..], 0), (&["nomatch"], 1)] {
        let out = to_full_disk(&dir, args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: stderr: {}", stderr(&out));
        eqnice!("", &out.stderr);
    }
}

/// Help, version and the man page into a pipe nobody reads (its read end
/// closed) exit 0, quietly, as a search into a closed pipe does.
#[test]
fn help_and_version_into_a_closed_pipe_exit_zero() {
    for flag in ["--help", "--version", "--generate=man", "--files"] {
        let (rx, tx) = nix::unistd::pipe().unwrap();
        drop(rx);
        let dir = small_tree("closed-pipe");
        let mut cmd = Command::new(dn_bin());
        cmd.current_dir(&dir.root).arg(flag).stdin(Stdio::null()).stdout(tx);
        let out = cmd.stderr(Stdio::piped()).output().expect("run dn");
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", stderr(&out));
        eqnice!("", &out.stderr);
    }
}

/// The interactive mode's Ctrl-O prints the selection to stdout: on a full
/// disk it says so (after the terminal is restored) and exits 2.
#[test]
fn ctrl_o_onto_a_full_disk_is_an_error() {
    use std::io::{Read, Write};
    let dir = small_tree("full-disk-q");
    let size = nix::pty::Winsize { ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0 };
    let pty = nix::pty::openpty(Some(&size), None).expect("openpty");
    let (mut master, slave): (std::fs::File, std::fs::File) = (pty.master.into(), pty.slave.into());
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut child = Command::new("setsid")
        .arg("--ctty")
        .arg(dn_bin())
        .args(["-Q", "hello"])
        .current_dir(&dir.root)
        .env("TERM", "xterm-256color")
        .env_remove("DRAGNET_CONFIG_PATH")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(full)
        .stderr(Stdio::from(slave))
        .spawn()
        .expect("start setsid dn -Q");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (sink, mut reader) = (seen.clone(), master.try_clone().unwrap());
    std::thread::spawn(move || {
        let mut buf = [0u8; 1 << 14];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let has = |what: &str| String::from_utf8_lossy(&seen.lock().unwrap()).contains(what);
    let started = Instant::now();
    while !has("done") {
        assert!(started.elapsed() < DEADLINE, "dn -Q never finished its search");
        std::thread::sleep(Duration::from_millis(10));
    }
    master.write_all(b"\x0f").unwrap();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(started.elapsed() < DEADLINE, "dn -Q did not end after Ctrl-O");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(2));
    while !has("error writing to stdout") && started.elapsed() < DEADLINE {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(has(FULL.trim_end()), "{}", String::from_utf8_lossy(&seen.lock().unwrap()));
}
