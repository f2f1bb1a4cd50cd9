//! Test harness: temporary directory trees and a builder for `dn` commands.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Asserts two byte strings are equal, showing both as text on failure.
#[macro_export]
macro_rules! eqnice {
    ($expected:expr, $got:expr) => {{
        let expected_value = $expected;
        let got_value = $got;
        let expected: &[u8] = expected_value.as_ref();
        let got: &[u8] = got_value.as_ref();
        if expected != got {
            panic!(
                "\n===== expected =====\n{}\n===== got =====\n{}\n===================\n",
                String::from_utf8_lossy(expected),
                String::from_utf8_lossy(got)
            );
        }
    }};
}

/// A fresh, empty directory named after the test that calls it (its
/// module and function), so every test works in a tree of its own.
#[macro_export]
macro_rules! test_dir {
    () => {{
        fn here() {}
        let path = std::any::type_name_of_val(&here);
        let path = path.strip_suffix("::here").unwrap_or(path);
        let name: Vec<&str> = path.split("::").skip(1).collect();
        $crate::util::Dir::new(&name.join("-"))
    }};
}

/// Path of the `dn` binary under test.
pub fn dn_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dn"))
}

/// A temporary directory, removed when dropped.
pub struct Dir {
    pub root: PathBuf,
}

impl Dir {
    /// Creates a fresh empty directory named after `name`.
    pub fn new(name: &str) -> Dir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let root =
            std::env::temp_dir().join(format!("dn-test-{}-{}-{}", std::process::id(), name, n));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Dir { root }
    }

    /// Writes `contents` to `rel`, creating parent directories.
    pub fn create<C: AsRef<[u8]>>(&self, rel: impl AsRef<Path>, contents: C) -> &Dir {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
        self
    }

    /// Creates the directory `rel`.
    pub fn mkdir(&self, rel: impl AsRef<Path>) -> &Dir {
        std::fs::create_dir_all(self.root.join(rel)).unwrap();
        self
    }

    /// Makes the tree a git repository (so .gitignore applies).
    pub fn git_init(&self) -> &Dir {
        self.mkdir(".git")
    }

    /// A `dn` command running in this directory, with stdin closed.
    pub fn command(&self) -> TestCommand {
        let mut cmd = Command::new(dn_bin());
        cmd.current_dir(&self.root)
            .stdin(Stdio::null())
            .env_remove("DRAGNET_CONFIG_PATH")
            .env_remove("RIPGREP_CONFIG_PATH")
            .env_remove("NO_COLOR");
        TestCommand { cmd }
    }
}

impl Drop for Dir {
    /// Removes the tree.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A `dn` invocation being built.
pub struct TestCommand {
    pub cmd: Command,
}

impl TestCommand {
    /// Appends arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Runs and returns the raw output.
    pub fn output(&mut self) -> Output {
        self.cmd.output().expect("failed to run dn")
    }

    /// Runs, asserts exit 0 and empty stderr, returns stdout.
    pub fn stdout(&mut self) -> Vec<u8> {
        let o = self.output();
        assert!(
            o.status.code() == Some(0),
            "expected success, got {:?}\nstderr: {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    }

    /// Runs and asserts the exit code; returns the output.
    pub fn assert_code(&mut self, code: i32) -> Output {
        let o = self.output();
        assert_eq!(
            o.status.code(),
            Some(code),
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }

    /// Runs with `input` on stdin; returns the output.
    pub fn with_stdin(&mut self, input: &[u8]) -> Output {
        use std::io::Write;
        self.cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }
}

/// `nix::pty::openpty`, with both ends closed on exec: openpty leaves them
/// inheritable, and the commands other tests start meanwhile would inherit
/// them (a slave held by another test's dn keeps a terminal from closing; a
/// descriptor inherited counts against a test's RLIMIT_NOFILE, where the
/// loader of a dn run at 4 descriptors then fails before dn starts).
pub fn openpty(size: Option<&nix::pty::Winsize>) -> nix::pty::OpenptyResult {
    use nix::fcntl::{fcntl, FcntlArg, FdFlag};
    let pty = nix::pty::openpty(size, None).expect("openpty");
    for fd in [&pty.master, &pty.slave] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("FD_CLOEXEC");
    }
    pty
}
