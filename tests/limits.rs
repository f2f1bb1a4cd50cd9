//! Resource limits and odd environments (issue 15, part 4), on the real
//! binary: a deleted current directory, a full disk on stdout, few
//! processes (RLIMIT_NPROC, as an unprivileged uid) and few descriptors
//! (RLIMIT_NOFILE). Every run has a deadline: dn must never hang, never
//! panic, and never report "no match" for a search that did not run.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
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
    let status = wait_deadline(&mut child, name, &err_path);
    Output {
        status,
        stdout: std::fs::read(out_path).unwrap(),
        stderr: std::fs::read(err_path).unwrap(),
    }
}

/// Waits for `child`, killing it and failing the test (`name`, with the
/// stderr written to `err_path`) if it is still running after `DEADLINE`.
fn wait_deadline(child: &mut std::process::Child, name: &str, err_path: &Path) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(err_path).unwrap_or_default();
            panic!("{name}: dn still running after {DEADLINE:?} (a hang); stderr: {err}");
        }
        std::thread::sleep(Duration::from_millis(5));
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
    let rel = format!("../dn-missing-{}.txt", std::process::id());
    let out = run(fresh().args(["hello", &rel]), "deleted-rel");
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
    assert!(stderr(&out).contains(&format!("{rel}: ")), "stderr: {}", stderr(&out));
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
        let (rx, tx) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
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
    let pty = crate::util::openpty(Some(&size));
    let (mut master, slave): (std::fs::File, std::fs::File) = (pty.master.into(), pty.slave.into());
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    // Held open so that dn's exit does not hang the terminal up, which can
    // drop what dn wrote last before it is read here.
    let _held = slave.try_clone().unwrap();
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

/// A copy of dn's path that any uid may run: the binary itself when every
/// directory above it lets others through, else a copy in a world-readable
/// temporary directory (made once).
fn public_dn() -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let bin = dn_bin();
        let others_may =
            |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o001 != 0);
        if bin.ancestors().all(others_may) {
            return bin;
        }
        let dir = std::env::temp_dir().join(format!("dn-limits-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = dir.join("dn");
        std::fs::copy(&bin, &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        copy
    })
    .clone()
}

/// Makes every directory (0755) and file (0644) under `root` readable by
/// anyone.
fn open_to_all(root: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    mode(root, 0o755).unwrap();
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            open_to_all(&path);
        } else {
            mode(&path, 0o644).unwrap();
        }
    }
}

/// A tree of 30 directories of 2 subdirectories of 4 files, a third of
/// them matching, readable by anyone.
fn wide_tree(name: &str) -> Dir {
    let dir = Dir::new(name);
    for d in 0..30 {
        for e in 0..2 {
            for f in 0..4 {
                let text =
                    if (d + e + f) % 3 == 0 { "hello there\nnothing\n" } else { "nothing\n" };
                dir.create(format!("d{d:02}/e{e}/f{f}.txt"), text);
            }
        }
    }
    dir.create("a.txt", "hello top\n");
    open_to_all(&dir.root);
    dir
}

/// A uid no one else uses, so that its process count is dn's alone
/// (distinct for each call).
fn fresh_uid() -> u32 {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    40_000 + (std::process::id() % 5_000) * 4 + n % 4
}

/// `dn ARGS` in `dir` as the unprivileged `uid`, under `limit` (a prlimit
/// option such as `--nproc=3`), if any.
fn as_user(uid: u32, limit: Option<&str>, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.arg(format!("--reuid={uid}")).arg(format!("--regid={uid}")).arg("--clear-groups");
    if let Some(limit) = limit {
        cmd.args(["prlimit", limit]);
    }
    cmd.arg(public_dn()).args(args).current_dir(dir);
    cmd
}

/// `out` without the times of JSON messages (which differ between runs).
fn timeless(out: &[u8]) -> Vec<u8> {
    /// Drops every "elapsed..." key, at any depth.
    fn strip(v: &mut serde_json::Value) {
        if let Some(map) = v.as_object_mut() {
            map.retain(|k, _| !k.starts_with("elapsed"));
            map.values_mut().for_each(strip);
        }
    }
    let text = String::from_utf8_lossy(out);
    let mut lines = Vec::new();
    for line in text.lines() {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(mut v) if v.is_object() => {
                strip(&mut v);
                lines.push(v.to_string());
            }
            _ => lines.push(line.to_string()),
        }
    }
    lines.join("\n").into_bytes()
}

/// Modes a limited run must get exactly right.
const LIMITED_MODES: &[&[&str]] = &[
    &["hello"],
    &["-n", "hello", "a.txt"],
    &["-c", "hello"],
    &["-j4", "hello"],
    &["--sortr", "path", "hello"],
    &["--json", "hello"],
    &["--files"],
];

/// Few processes (RLIMIT_NPROC of 1 to 10, for a uid that runs nothing
/// else): dn searches with what it can get, down to no worker and no
/// thread at all; it never hangs, never panics, never says "no match",
/// and prints exactly what an unrestricted run prints, saying what it cut.
#[test]
fn few_processes_still_search_everything() {
    let dir = wide_tree("nproc");
    let pre: &[&str] = &["--pre", "cat", "-c", "hello"];
    for &args in LIMITED_MODES.iter().chain([&pre]) {
        let uid = fresh_uid();
        let full = run(&mut as_user(uid, None, &dir.root, args), "nproc-full");
        assert_eq!(full.status.code(), Some(0), "{args:?}: {}", stderr(&full));
        for n in 1..=10 {
            let what = format!("{args:?} with RLIMIT_NPROC {n}");
            let limit = format!("--nproc={n}");
            let out = run(&mut as_user(uid, Some(&limit), &dir.root, args), "nproc");
            no_panic(&out, &what);
            if n == 1 && args == pre {
                // No task at all for the command: each file says so.
                assert_eq!(out.status.code(), Some(2), "{what}");
                let failed = stderr(&out).matches("preprocessor command could not start").count();
                assert_eq!(failed, 241, "{what}: {}", stderr(&out));
                continue;
            }
            assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
            assert!(timeless(&out.stdout) == timeless(&full.stdout), "{what}: {}", stderr(&out));
            for line in stderr(&out).lines() {
                assert!(line.starts_with("dn: note: RLIMIT_NPROC is"), "{what}: {line}");
            }
        }
    }
}

/// The pids whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// True while `pid` exists and is not a zombie.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|t| t.rfind(')').map(|i| !t[i + 2..].starts_with('Z')))
        .unwrap_or(false)
}

/// Few processes do not cost cancellation: a search stuck on a FIFO that
/// nobody writes dies by SIGTERM at once, with or without a signal thread
/// (without one, the signal's default action ends dn and its workers die
/// with it), and leaves no process behind.
#[test]
fn few_processes_still_cancel() {
    use std::os::unix::process::ExitStatusExt;
    let dir = wide_tree("nproc-cancel");
    let fifo = dir.root.join("stuck.fifo");
    assert!(Command::new("mkfifo").arg("-m644").arg(&fifo).status().unwrap().success());
    for n in [1, 2, 3, 4, 10] {
        let limit = format!("--nproc={n}");
        let mut cmd =
            as_user(fresh_uid(), Some(&limit), &dir.root, &["hello", "d00", "stuck.fifo"]);
        let mut child =
            cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(500));
        let workers = children(child.id());
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if started.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                panic!("RLIMIT_NPROC {n}: dn ignored SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(status.signal(), Some(libc::SIGTERM), "RLIMIT_NPROC {n}: {status:?}");
        let deadline = Instant::now() + Duration::from_secs(2);
        while workers.iter().any(|&w| alive(w)) {
            assert!(Instant::now() < deadline, "RLIMIT_NPROC {n}: workers {workers:?} left");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Makes `cmd` start with no descriptor but its standard three, whatever
/// this process holds open without close-on-exec at that moment (a test
/// binary can hold some: at RLIMIT_NOFILE 4, one inherited descriptor left
/// the loader none, and dn never started).
fn inherit_only_stdio(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: runs in the forked child before exec, and makes one system
    // call (close_range), which is async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
            Ok(())
        });
    }
}

/// Few descriptors (RLIMIT_NOFILE of 4 to 16): dn uses fewer workers and
/// threads, or none, and prints exactly what an unrestricted run prints,
/// saying what it cut; where not a single descriptor is free it says so
/// and exits 2 (only possible at the lowest limits).
#[test]
fn few_descriptors_still_search_everything() {
    let dir = wide_tree("nofile");
    let modes: Vec<&[&str]> =
        LIMITED_MODES.iter().copied().chain([&["--sort", "none", "-c", "hello"][..]]).collect();
    for args in modes {
        let mut cmd = Command::new(dn_bin());
        let full = run(cmd.args(args).current_dir(&dir.root), "nofile-full");
        assert_eq!(full.status.code(), Some(0), "{args:?}: {}", stderr(&full));
        for n in 4..=16 {
            let what = format!("{args:?} with RLIMIT_NOFILE {n}");
            let mut cmd = Command::new("prlimit");
            cmd.arg(format!("--nofile={n}")).arg(dn_bin()).args(args).current_dir(&dir.root);
            inherit_only_stdio(&mut cmd);
            let out = run(&mut cmd, "nofile");
            no_panic(&out, &what);
            let err = stderr(&out);
            if out.status.code() == Some(2) && n < 7 {
                assert!(err.contains("no file descriptor is free"), "{what}: {err}");
                continue;
            }
            assert_eq!(out.status.code(), Some(0), "{what}: {err}");
            let (mut got, mut want) = (out.stdout.clone(), full.stdout.clone());
            if args.contains(&"none") {
                // Files in the order they finished: compare the lines.
                got = sorted_lines(&got);
                want = sorted_lines(&want);
            }
            assert!(timeless(&got) == timeless(&want), "{what}: output differs: {err}");
            for line in err.lines() {
                assert!(line.starts_with("dn: note: RLIMIT_NOFILE is"), "{what}: {line}");
            }
        }
    }
}

/// The lines of `out`, sorted.
fn sorted_lines(out: &[u8]) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
    lines.sort();
    lines.join(&b'\n')
}

/// A tree that one worker takes a while to search: 6 files of 8 MiB of
/// words, and 200 small ones (made once).
fn slow_tree() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("limits-slow-v1");
        let done = dir.join(".complete");
        if !done.exists() {
            let _ = std::fs::remove_dir_all(&dir);
            let line = |i: usize| format!("alpha beta {i} gamma delta {:08x} epsilon\n", i * 7919);
            for f in 0..6 {
                let text: String = (f * 300_000..f * 300_000 + 200_000).map(line).collect();
                let p = dir.join(format!("big/{f}.txt"));
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            for f in 0..200 {
                let text: String = (f * 50..f * 50 + 50).map(line).collect();
                let p = dir.join(format!("small/{:02}/{f:03}.txt", f % 10));
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            std::fs::write(&done, b"").unwrap();
        }
        dir
    })
}

/// The search the -j1 tests run: long enough to kill its worker mid-way.
const SLOW: &[&str] = &["-j1", "--count-matches", r"\w+"];

/// Starts `bin SLOW` in the slow tree, stdout and stderr to files in
/// `out`; returns it once its worker is searching, with the worker's pid.
fn start_slow(bin: &Path, out: &Dir) -> (std::process::Child, u32) {
    let mut child = Command::new(bin)
        .args(SLOW)
        .current_dir(slow_tree())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out.root.join("stdout")).unwrap())
        .stderr(std::fs::File::create(out.root.join("stderr")).unwrap())
        .spawn()
        .expect("start dn");
    let started = Instant::now();
    let worker = loop {
        if let Some(&w) = children(child.id()).first() {
            break w;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("dn never started its worker");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    std::thread::sleep(Duration::from_millis(150));
    (child, worker)
}

/// Waits for `child` (at most `DEADLINE`); returns its output from `out`.
fn finish_slow(mut child: std::process::Child, out: &Dir) -> Output {
    let status = wait_deadline(&mut child, "slow search", &out.root.join("stderr"));
    let read = |name| std::fs::read(out.root.join(name)).unwrap();
    Output { status, stdout: read("stdout"), stderr: read("stderr") }
}

/// Kills `pid` with SIGKILL.
fn sigkill(pid: u32) {
    let pid = nix::unistd::Pid::from_raw(pid as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).unwrap();
}

/// Starts the slow -j1 search with `bin`, calls `before` with dn's pid,
/// kills its worker and waits: asserts exit 2 and a message naming the
/// killed worker; returns dn's pid, its output and its stderr.
fn kill_the_worker(bin: &Path, name: &str, before: impl FnOnce(u32)) -> (u32, Output, String) {
    let out_dir = Dir::new(name);
    let (child, worker) = start_slow(bin, &out_dir);
    let pid = child.id();
    before(pid);
    sigkill(worker);
    let out = finish_slow(child, &out_dir);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("worker {worker} was killed by SIGKILL while searching")),
        "{err}"
    );
    (pid, out, err)
}

/// With -j1, the one worker killed mid-search: its files "will be searched
/// again" by the replacement (there is no other worker to hand them to),
/// and they are: the output is the full output.
#[test]
fn one_worker_killed_is_replaced_and_its_files_searched_again() {
    let full = run(Command::new(dn_bin()).args(SLOW).current_dir(slow_tree()), "j1-full");
    assert_eq!(full.status.code(), Some(0));
    let (_, out, err) = kill_the_worker(&dn_bin(), "j1-killed", |_| ());
    assert!(err.contains("unfinished file(s) will be searched again"), "{err}");
    assert!(!err.contains("other workers") && !err.contains("not searched"), "{err}");
    assert!(out.stdout == full.stdout, "output differs from the undisturbed run: {err}");
}

/// With -j1, the one worker killed when no replacement can start (dn's
/// binary may no longer be run): dn never claims its files will be
/// searched again; it says the replacement failed and names what was not
/// searched, exit 2, and leaves no process behind.
#[test]
fn one_worker_killed_without_a_replacement_says_what_is_lost() {
    use std::os::unix::fs::PermissionsExt;
    let bin_dir = Dir::new("j1-bin");
    let bin = bin_dir.root.join("dn");
    std::fs::copy(dn_bin(), &bin).unwrap();
    let unrunnable = |_| {
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o000)).unwrap();
    };
    let (pid, _, err) = kill_the_worker(&bin, "j1-lost", unrunnable);
    assert!(!err.contains("searched again") && !err.contains("other workers"), "{err}");
    assert!(err.contains("could not start a worker to replace it: "), "{err}");
    assert!(err.contains("every worker died; "), "{err}");
    assert!(children(pid).is_empty());
}
