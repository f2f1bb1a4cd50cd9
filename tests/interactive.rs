//! The interactive mode (`dn -Q`) on a real pseudo-terminal, read back
//! through a terminal emulator: typing, results, toggles, errors, the
//! editor, printing a selection, resizing, and every way the screen ends
//! (the terminal restored, no process left).

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::hay;
use crate::pty::Screen;
use crate::util::Dir;

/// How long a screen may take to show what a test waits for.
const SOON: Duration = Duration::from_secs(20);

/// Starts `dn -Q ARGS` in `dir` on an 80×24 terminal.
fn start(dir: &Dir, args: &[&str]) -> Screen {
    start_env(dir, args, &[])
}

/// Starts `dn -Q ARGS` in `dir` with extra environment.
fn start_env(dir: &Dir, args: &[&str], env: &[(&str, &str)]) -> Screen {
    let mut all = vec!["-Q"];
    all.extend_from_slice(args);
    Screen::start(&dir.root, &all, 24, 80, env)
}

/// The pids whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Checks that the terminal was put back: the alternate screen left and
/// the cursor shown, after the last time it was entered.
fn assert_restored(raw: &[u8]) {
    let find = |pat: &[u8]| raw.windows(pat.len()).rposition(|w| w == pat);
    let left = find(b"\x1b[?1049l").expect("the alternate screen was never left");
    let entered = find(b"\x1b[?1049h").expect("the alternate screen was never entered");
    assert!(left > entered, "the alternate screen was entered again after leaving");
    let shown = find(b"\x1b[?25h").expect("the cursor was never shown");
    assert!(shown > entered);
}

/// `-Q PATTERN` searches at once: path headings in order, each match on
/// its own row with its line number; the first match is selected.
#[test]
fn a_pattern_searches_at_once_in_path_order() {
    let dir = hay::screen_material(test_dir!());
    let mut s = start(&dir, &["needle"]);
    s.wait_for("results", SOON, |t| t.contains("done") && t.contains("evil.txt"));
    let text = s.text();
    let a = text.find("a/x.rs").unwrap();
    let b = text.find("b.txt").unwrap();
    let e = text.find("evil.txt").unwrap();
    assert!(a < b && b < e, "not in path order:\n{text}");
    assert!(text.contains("2:let needle = 1;"), "{text}");
    assert!(text.contains("1:one needle"), "{text}");
    assert!(!text.contains("three Needle"), "case-sensitive by default:\n{text}");
    assert!(!text.contains("c.md"), "{text}");
    let row = text.lines().position(|l| l.contains("2:let needle")).unwrap() as u16;
    assert!(s.with_screen(|sc| sc.cell(row, 10).unwrap().inverse()), "first match not selected");
    s.keys(b"\x1b");
    let (status, _, _) = s.finish(SOON);
    assert_eq!(status.code(), Some(0));
}

/// Typing searches, Backspace (DEL) and Ctrl-U edit, a query with no match
/// leaves nothing old on screen, Alt-i toggles case, a bad regex says
/// "error" and keeps the last good results.
#[test]
fn typing_editing_toggling_and_errors() {
    let dir = hay::screen_material(test_dir!());
    let mut s = start(&dir, &[]);
    s.wait_for("the prompt", SOON, |t| t.starts_with(">"));
    s.keys(b"needle");
    s.wait_for("results", SOON, |t| t.contains("1:one needle") && t.contains("done"));
    s.keys(b"zz");
    s.wait_for("no match", SOON, |t| t.contains("> needlezz") && t.contains("done"));
    assert!(!s.text().contains("one needle"), "old results stayed:\n{}", s.text());
    s.keys(b"\x7f\x7f");
    s.wait_for("results again", SOON, |t| t.contains("> needle ") || t.contains("1:one needle"));
    s.keys(b"\x1bi");
    s.wait_for("case-insensitive results", SOON, |t| {
        t.contains("3:three Needle") && t.contains("-i")
    });
    s.keys(b"(");
    s.wait_for("an error", SOON, |t| t.lines().last().unwrap_or("").contains("error"));
    assert!(s.text().contains("3:three Needle"), "the last good results went:\n{}", s.text());
    s.keys(b"\x15");
    s.wait_for("a cleared query", SOON, |t| t.lines().next().unwrap_or("").trim() == ">");
    s.keys(b"\x03");
    let (status, _, _) = s.finish(SOON);
    assert!(status.code().is_some(), "{status:?}");
}

/// Enter runs $EDITOR +LINE FILE on the selected match, then redraws.
#[test]
fn enter_opens_the_editor_at_the_line() {
    let dir = hay::screen_material(test_dir!());
    let log = dir.root.join("editor.log");
    let script = dir.root.join("ed.sh");
    std::fs::write(&script, format!("#!/bin/sh\necho \"$@\" > '{}'\n", log.display())).unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&script).status().unwrap();
    let editor = script.to_string_lossy().into_owned();
    let mut s = start_env(&dir, &["needle"], &[("EDITOR", &editor), ("VISUAL", "")]);
    s.wait_for("results", SOON, |t| t.contains("done"));
    s.keys(b"\x1b[B\r");
    let deadline = std::time::Instant::now() + SOON;
    while !log.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let args = std::fs::read_to_string(&log).expect("the editor ran");
    assert_eq!(args.trim(), "+1 b.txt");
    s.wait_for("a redraw", SOON, |t| t.contains("1:one needle") && t.contains("done"));
    s.keys(b"\x1b");
    s.finish(SOON);
}

/// Ctrl-O quits printing the selected match to stdout in the usual format,
/// and with -l the path, so `vim $(dn -Q -l)` works.
#[test]
fn ctrl_o_prints_the_selection() {
    let dir = hay::screen_material(test_dir!());
    let mut s = start(&dir, &["needle"]);
    s.wait_for("results", SOON, |t| t.contains("done"));
    s.keys(b"\x0f");
    let (status, out, _) = s.finish(SOON);
    assert_eq!(status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out), "a/x.rs:let needle = 1;\n");
    let mut s = start(&dir, &["-l", "needle"]);
    s.wait_for("results", SOON, |t| t.contains("done"));
    s.keys(b"\x1b[B\t\x1b[B\t");
    s.keys(b"\x0f");
    let (_, out, _) = s.finish(SOON);
    assert_eq!(String::from_utf8_lossy(&out), "b.txt\nevil.txt\n");
}

/// Esc quits: the terminal is restored and no worker is left.
#[test]
fn esc_quits_and_restores_the_terminal() {
    let dir = hay::screen_material(test_dir!());
    let mut s = start(&dir, &["needle"]);
    s.wait_for("results", SOON, |t| t.contains("done"));
    let workers = children(s.pid());
    assert!(!workers.is_empty(), "no worker processes");
    s.keys(b"\x1b");
    let (status, _, raw) = s.finish(SOON);
    assert_eq!(status.code(), Some(0));
    assert_restored(&raw);
    for w in workers {
        assert!(!crate::pty::alive(w), "worker {w} left");
    }
}

/// SIGTERM and SIGHUP end the session: dn dies by that signal, after
/// restoring the terminal, and leaves no worker behind.
#[test]
fn sigterm_and_sighup_restore_and_reap() {
    for sig in [Signal::SIGTERM, Signal::SIGHUP] {
        let dir = hay::screen_material(Dir::new(&format!("interactive-{sig:?}")));
        let s = start(&dir, &["needle"]);
        s.wait_for("results", SOON, |t| t.contains("done"));
        let workers = children(s.pid());
        kill(Pid::from_raw(s.pid() as i32), sig).unwrap();
        let (status, _, raw) = s.finish(SOON);
        assert_eq!(status.signal(), Some(sig as i32), "{sig:?}: {status:?}");
        assert_restored(&raw);
        for w in workers {
            assert!(!crate::pty::alive(w), "worker {w} left after {sig:?}");
        }
    }
}

/// Resizing redraws the screen at the new size.
#[test]
fn resizing_redraws() {
    let dir = hay::screen_material(test_dir!());
    let mut s = start(&dir, &["needle"]);
    s.wait_for("results", SOON, |t| t.contains("done"));
    s.resize(12, 60);
    s.wait_for("the status line on the new last row", SOON, |t| {
        t.lines().count() <= 12 && t.lines().last().is_some_and(|l| l.contains("done"))
    });
    s.keys(b"\x1b");
    s.finish(SOON);
}

/// A file's escape sequence is drawn visibly, never sent to the terminal.
#[test]
fn file_contents_cannot_drive_the_terminal() {
    let dir = hay::screen_material(test_dir!());
    let mut s = start(&dir, &["clip"]);
    s.wait_for("results", SOON, |t| t.contains("done") && t.contains("evil.txt"));
    assert!(s.text().contains("^[]52;c;ZXZpbA==^G"), "{}", s.text());
    assert!(!s.raw().windows(4).any(|w| w == b"\x1b]52"), "the OSC 52 reached the terminal");
    s.keys(b"\x1b");
    s.finish(SOON);
}

/// A worker killed during the session is replaced; searching goes on.
#[test]
fn a_killed_worker_is_replaced() {
    let dir = hay::screen_material(test_dir!());
    let mut s = start(&dir, &["needle"]);
    s.wait_for("results", SOON, |t| t.contains("done"));
    for w in children(s.pid()) {
        kill(Pid::from_raw(w as i32), Signal::SIGKILL).unwrap();
    }
    s.keys(b"\x7f\x7f");
    s.wait_for("results of the new query", SOON, |t| {
        t.contains("> need ") || t.contains("1:one need")
    });
    s.wait_for("done", SOON, |t| t.contains("done") && t.contains("1:one needle"));
    s.keys(b"\x1b");
    let (status, _, _) = s.finish(SOON);
    assert!(status.code().is_some());
}

/// With no terminal to draw on, one line says so, exit 2.
#[test]
fn no_terminal_is_a_clear_error() {
    let dir = hay::screen_material(test_dir!());
    let out = std::process::Command::new("setsid")
        .arg(crate::util::dn_bin())
        .args(["-Q", "needle"])
        .current_dir(&dir.root)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("terminal") && err.contains("/dev/tty"), "{err}");
}

/// A query that matches more lines than the screen keeps (20,000) keeps
/// the first ones in path order and counts the rest exactly, whether they
/// were drawn and dropped or only counted by the workers.
#[test]
fn results_beyond_the_window_are_counted() {
    let dir = test_dir!();
    let lines: String = (0..1000).map(|i| format!("hit {i}\n")).collect();
    for f in 0..30 {
        dir.create(format!("f{f:02}.txt"), &lines);
    }
    let mut s = Screen::start(&dir.root, &["-Q", "hit"], 24, 120, &[]);
    s.wait_for("the count", SOON, |t| t.contains("done") && t.contains("more lines not shown"));
    let text = s.text();
    assert!(text.contains("30000 matches"), "{text}");
    assert!(text.contains("10000 more lines not shown"), "{text}");
    assert!(text.contains("f00.txt"), "the first file is not shown:\n{text}");
    s.keys(b"\x1b");
    s.finish(SOON);
}

/// Alt-p shows the selected file around its line beside the results; Alt-u
/// walks again without ignore files, so an ignored file's match appears.
#[test]
fn preview_and_rewalk_toggles() {
    let dir = hay::screen_material(test_dir!());
    dir.git_init();
    dir.create(".gitignore", "secret.txt\n");
    dir.create("secret.txt", "needle in an ignored file\n");
    let mut s = Screen::start(&dir.root, &["-Q", "needle"], 24, 160, &[]);
    s.wait_for("results", SOON, |t| t.contains("done") && t.contains("a/x.rs"));
    assert!(!s.text().contains("secret.txt"), "an ignored file was searched:\n{}", s.text());
    s.keys(b"\x1bp");
    s.wait_for("the preview", SOON, |t| t.contains("fn main() {}"));
    s.keys(b"\x1bu");
    s.wait_for("the ignored file", SOON, |t| {
        t.contains("secret.txt") && t.contains("-u") && t.contains("done")
    });
    s.keys(b"\x1b");
    s.finish(SOON);
}
