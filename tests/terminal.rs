//! A terminal no file can hijack: on a terminal, control characters from
//! file contents and names are shown, never sent, in every output mode and
//! on stderr; piped output stays byte for byte ripgrep's.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::pty::run_on_tty;
use crate::util::Dir;

/// A file whose lines try the attacks on record: OSC 52 (clipboard), erase
/// line, a bare carriage return, an OSC 8 link, a C1 CSI; and a file whose
/// name holds an escape sequence.
fn hostile(dir: &Dir) {
    dir.create(
        "evil.txt",
        b"clip \x1b]52;c;ZXZpbA==\x07 needle\n\x1b[2Khidden needle\nbare\rneedle\n\
          \x1b]8;;http://x\x1b\\link needle\x1b]8;;\x1b\\\nc1 \xc2\x9b2J needle\nplain needle\n",
    );
    dir.create(OsStr::from_bytes(b"name\x1b[31m.txt"), "needle in a named file\n");
}

/// True when `out` holds an ESC, BEL or bare CR that came from a file (the
/// runs use --color never, so dn itself writes none; the terminal turns
/// each newline into CR LF, which is allowed).
fn has_raw_control(out: &[u8]) -> bool {
    out.iter().enumerate().any(|(i, &b)| match b {
        0x1b | 0x07 => true,
        b'\r' => out.get(i + 1) != Some(&b'\n'),
        _ => false,
    }) || out.windows(2).any(|w| w == b"\xc2\x9b")
}

/// Every output mode shows the controls visibly and sends none of them.
#[test]
fn controls_from_files_are_shown_not_sent_in_every_mode() {
    let dir = test_dir!();
    hostile(&dir);
    let modes: &[&[&str]] = &[
        &[],
        &["-n", "--heading"],
        &["--no-heading", "-C1"],
        &["-o"],
        &["-r", "X"],
        &["--vimgrep"],
        &["-l"],
        &["-c"],
    ];
    for mode in modes {
        let mut args = vec!["--color", "never"];
        args.extend_from_slice(mode);
        args.push("needle");
        let run = run_on_tty(&dir.root, &args, true, false);
        assert_eq!(run.status.code(), Some(0), "{mode:?}");
        let shown = String::from_utf8_lossy(&run.tty);
        assert!(!has_raw_control(&run.tty), "{mode:?} sent a control: {shown:?}");
        assert!(shown.contains("name^[[31m.txt"), "{mode:?}: {shown:?}");
    }
    let run = run_on_tty(&dir.root, &["--color", "never", "-N", "needle", "evil.txt"], true, false);
    let shown = String::from_utf8_lossy(&run.tty);
    for seen in [
        "clip ^[]52;c;ZXZpbA==^G needle",
        "^[[2Khidden needle",
        "bare^Mneedle",
        "^[]8;;http://x^[\\link needle^[]8;;^[\\",
        "c1 \\u009b2J needle",
    ] {
        assert!(shown.contains(seen), "missing {seen:?} in {shown:?}");
    }
}

/// With colour, an escaped character is set apart in reverse video.
#[test]
fn escaped_controls_stand_out_in_colour() {
    let dir = test_dir!();
    hostile(&dir);
    let run =
        run_on_tty(&dir.root, &["--color", "always", "-N", "hidden", "evil.txt"], true, false);
    let shown = String::from_utf8_lossy(&run.tty);
    assert!(shown.contains("\x1b[7m^[\x1b[27m[2K"), "{shown:?}");
}

/// --no-sanitize sends the file's bytes as they are, as rg does.
#[test]
fn no_sanitize_sends_the_bytes() {
    let dir = test_dir!();
    hostile(&dir);
    let run =
        run_on_tty(&dir.root, &["--color", "never", "--no-sanitize", "-N", "clip"], true, false);
    assert!(
        run.tty.windows(6).any(|w| w == b"\x1b]52;c"),
        "{:?}",
        String::from_utf8_lossy(&run.tty)
    );
}

/// Piped, the output is the file's bytes unchanged (ripgrep's), whatever
/// stderr is.
#[test]
fn piped_output_is_untouched() {
    let dir = test_dir!();
    hostile(&dir);
    let run = run_on_tty(&dir.root, &["--color", "always", "-N", "bare", "evil.txt"], false, true);
    // rg 15.2.0's bytes for the same command.
    eqnice!(b"\x1b[0m\x1b[1m\x1b[31mbare\x1b[0m\rneedle\n".to_vec(), &run.stdout);
}

/// On a terminal stderr, a message naming a hostile path shows its
/// controls; piped, the message is ripgrep's bytes.
#[test]
fn messages_on_a_terminal_are_sanitized() {
    let dir = test_dir!();
    hostile(&dir);
    let missing = "gone\x1b[2J";
    let run = run_on_tty(&dir.root, &["needle", missing], false, true);
    assert_eq!(run.status.code(), Some(2));
    let shown = String::from_utf8_lossy(&run.tty);
    assert!(shown.contains("gone^[[2J: No such file or directory"), "{shown:?}");
    assert!(!has_raw_control(&run.tty), "{shown:?}");
    let piped = dir.command().args(["needle", missing]).output();
    assert!(piped.stderr.windows(4).any(|w| w == b"\x1b[2J"), "piped stderr was changed");
}
