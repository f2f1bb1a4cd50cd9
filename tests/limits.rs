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
