//! Exit status and error reporting: 0 on a match, 1 on none, 2 on errors, with clean messages.

use std::process::Output;

use crate::hay;

/// Returns stderr as text.
fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that stderr is exactly one non-empty line and returns it.
fn one_line_error(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "expected one line of stderr, got:\n{err}");
    assert!(err.ends_with('\n'), "stderr does not end with a newline: {err:?}");
    assert!(err.trim().len() > 4, "stderr is too short: {err:?}");
    err
}

/// Asserts that nothing in stderr looks like a Rust panic.
fn no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panic on stderr:\n{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "panic hint on stderr:\n{err}");
}

/// A match exits 0 with the match on stdout and nothing on stderr.
#[test]
fn match_exits_zero() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["hello"]).assert_code(0);
    eqnice!("a.txt:hello world\na.txt:helloworld\n", &out.stdout);
    eqnice!("", &out.stderr);
}

/// No match exits 1 with nothing on stdout or stderr.
#[test]
fn no_match_exits_one() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["zzz"]).assert_code(1);
    eqnice!("", &out.stdout);
    eqnice!("", &out.stderr);
}

/// Output modes that print nothing for no match (-c, -l, -v on every line) also exit 1.
#[test]
fn no_match_in_other_modes_exits_one() {
    let dir = hay::two_files(test_dir!());
    for args in
        [&["-c", "zzz"][..], &["-l", "zzz"], &["-v", ".", "a.txt"], &["--count-matches", "zzz"]]
    {
        let out = dir.command().args(args).assert_code(1);
        eqnice!("", &out.stdout);
    }
}

/// --files-without-match exits 0 when it lists a file and 1 when it lists none.
#[test]
fn files_without_match_status() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["--files-without-match", "zzz", "a.txt"]).assert_code(0);
    eqnice!("a.txt\n", &out.stdout);
    let out = dir.command().args(["--files-without-match", "hello", "a.txt"]).assert_code(1);
    eqnice!("", &out.stdout);
}

/// --files exits 0 when it lists a file and 1 when the filters leave none.
#[test]
fn files_status() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["--files"]).assert_code(0);
    eqnice!("a.txt\nb.txt\n", &out.stdout);
    let out = dir.command().args(["--files", "-g", "*.zz"]).assert_code(1);
    eqnice!("", &out.stdout);
}

/// An invalid regex exits 2 with a parse error on stderr and nothing on stdout.
#[test]
fn invalid_regex() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["(unclosed"]).assert_code(2);
    eqnice!("", &out.stdout);
    let err = stderr(&out);
    assert!(!err.is_empty());
    assert!(err.contains("regex parse error"), "{err}");
    assert!(err.contains("unclosed group"), "{err}");
    no_panic(&out);
}

/// An invalid regex among several -e patterns is still an error.
#[test]
fn invalid_regex_among_several() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["-e", "hello", "-e", "["]).assert_code(2);
    eqnice!("", &out.stdout);
    assert!(stderr(&out).contains("regex parse error"), "{}", stderr(&out));
}

/// A literal `\n` without -U is rejected with advice to use multiline mode.
#[test]
fn newline_without_multiline() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["hello\\nworld", "a.txt"]).assert_code(2);
    eqnice!("", &out.stdout);
    let err = stderr(&out);
    assert!(err.contains("the literal \"\\n\" is not allowed in a regex"), "{err}");
    assert!(err.contains("--multiline"), "{err}");
}

/// An unknown flag exits 2 with exactly one line of stderr naming the flag.
#[test]
fn unknown_flag() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["--no-such-flag", "hello"]).assert_code(2);
    eqnice!("", &out.stdout);
    let err = one_line_error(&out);
    assert!(err.contains("--no-such-flag"), "{err}");
}

/// A non-numeric -m exits 2 with rg's one line, naming the flag as it was written.
#[test]
fn bad_number() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["-m", "abc", "hello"]).assert_code(2);
    eqnice!("", &out.stdout);
    let err = one_line_error(&out);
    eqnice!(
        "dn: error parsing flag -m: value is not a valid number: invalid digit found in string\n",
        err
    );
    let out = dir.command().args(["--max-count=abc", "hello"]).assert_code(2);
    let err = one_line_error(&out);
    let expected =
        "dn: error parsing flag --max-count: value is not a valid number: invalid digit \
                    found in string\n";
    eqnice!(expected, err);
}

/// Other bad flag values exit 2 with ripgrep's line (taken from rg 15.2.0), the flag named as
/// it was written.
#[test]
fn bad_flag_values() {
    let dir = hay::two_files(test_dir!());
    let nan = "value is not a valid number: invalid digit found in string";
    let size = "invalid size: invalid format for size '1Q', which should be a non-empty sequence \
                of digits followed by an optional 'K', 'M' or 'G' suffix";
    let styles = "unrecognized style attribute ''. Choose from: nobold, bold, nointense, intense, \
                  nounderline, underline, noitalic, italic.";
    let cases: [(&[&str], String); 16] = [
        (&["-A", "xyz", "x"], format!("-A: {nan}")),
        (&["-nA", "xyz", "x"], format!("-A: {nan}")),
        (&["--after-context=-1", "x"], format!("--after-context: {nan}")),
        (&["--context=5x", "x"], format!("--context: {nan}")),
        (&["-C", "1", "-C", "y", "x"], format!("-C: {nan}")),
        (&["-j", "abc", "x"], format!("-j: {nan}")),
        (&["--maxdepth", "x", "x"], format!("--maxdepth: {nan}")),
        (&["-M", "10Z", "x"], format!("-M: {nan}")),
        (&["--color", "sometimes", "x"], "--color: choice 'sometimes' is unrecognized".into()),
        (&["--sort", "bogus", "x"], "--sort: choice 'bogus' is unrecognized".into()),
        (&["--sortr=bogus", "x"], "--sortr: choice 'bogus' is unrecognized".into()),
        (&["--engine", "bogus", "x"], "--engine: unrecognized regex engine 'bogus'".into()),
        (&["--max-filesize", "1Q", "x"], format!("--max-filesize: {size}")),
        (&["--dfa-size-limit", "1Q", "x"], format!("--dfa-size-limit: {size}")),
        (&["--colors=match:style:", "x"], format!("--colors: {styles}")),
        (&["-uuuu", "x"], "-u: flag can only be repeated up to 3 times".into()),
    ];
    for (args, why) in cases {
        let out = dir.command().args(args).assert_code(2);
        eqnice!("", &out.stdout);
        eqnice!(format!("dn: error parsing flag {why}\n"), one_line_error(&out));
        no_panic(&out);
    }
    let out = dir.command().args(["-A"]).assert_code(2);
    eqnice!("dn: missing value for flag -A\n", one_line_error(&out));
    let out = dir.command().args(["--hyperlink-format", "{path", "x"]).assert_code(2);
    let expected = "dn: error parsing flag --hyperlink-format: invalid hyperlink format: unclosed \
                    variable: found '{' without a corresponding '}' following it\n";
    eqnice!(expected, one_line_error(&out));
}

/// An unknown file type exits 2 with one line naming the type.
#[test]
fn unknown_type() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["-t", "nosuchtype", "hello"]).assert_code(2);
    eqnice!("", &out.stdout);
    let err = one_line_error(&out);
    assert!(err.contains("nosuchtype"), "{err}");
}

/// A malformed --type-add definition exits 2.
#[test]
fn bad_type_add() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["--type-add", "bad", "x"]).assert_code(2);
    let err = one_line_error(&out);
    assert!(err.contains("invalid definition"), "{err}");
}

/// No pattern at all exits 2.
#[test]
fn missing_pattern() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().assert_code(2);
    eqnice!("", &out.stdout);
    let err = one_line_error(&out);
    assert!(err.contains("at least one pattern"), "{err}");
}

/// A missing path alongside a matching one exits 2, still printing the match.
#[test]
fn missing_path_with_match() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["hello", "missing.txt", "a.txt"]).assert_code(2);
    eqnice!("a.txt:hello world\na.txt:helloworld\n", &out.stdout);
    let err = one_line_error(&out);
    assert!(err.contains("missing.txt"), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
}

/// A missing path with no match anywhere exits 2.
#[test]
fn missing_path_without_match() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["zzz", "missing.txt", "a.txt"]).assert_code(2);
    eqnice!("", &out.stdout);
    assert!(stderr(&out).contains("missing.txt"));
}

/// -q exits 0 on a match even when another path is missing, in either order.
#[test]
fn quiet_match_with_missing_path() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["-q", "hello", "missing.txt", "a.txt"]).assert_code(0);
    eqnice!("", &out.stdout);
    let out = dir.command().args(["-q", "hello", "a.txt", "missing.txt"]).assert_code(0);
    eqnice!("", &out.stdout);
}

/// -q exits 1 when nothing matches, and 2 when nothing matches and a path is missing.
#[test]
fn quiet_no_match() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["-q", "zzz", "a.txt"]).assert_code(1);
    eqnice!("", &out.stdout);
    eqnice!("", &out.stderr);
    let out = dir.command().args(["-q", "zzz", "missing.txt", "a.txt"]).assert_code(2);
    eqnice!("", &out.stdout);
}

/// Filters that leave nothing to search exit 2 with a hint on stderr.
#[test]
fn nothing_searched() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["-g", "*.zz", "hello"]).assert_code(2);
    eqnice!("", &out.stdout);
    assert!(stderr(&out).contains("No files were searched"), "{}", stderr(&out));
}

/// --engine pcre2 and -P search with PCRE2 (exit 0 on a match), or, without PCRE2 built in,
/// exit 2 with one clear line.
#[test]
fn engine_pcre2() {
    let dir = hay::two_files(test_dir!());
    for args in [&["--engine", "pcre2", r"hello(?=\s)"][..], &["-P", r"hello(?=\s)"]] {
        if cfg!(feature = "pcre2") {
            let out = dir.command().args(args).assert_code(0);
            eqnice!("a.txt:hello world\n", &out.stdout);
            eqnice!("", &out.stderr);
        } else {
            let out = dir.command().args(args).assert_code(2);
            eqnice!("", &out.stdout);
            eqnice!("dn: PCRE2 is not available in this build of dn\n", one_line_error(&out));
        }
    }
    let out = dir.command().args(["-P", "(", "a.txt"]).assert_code(2);
    eqnice!("", &out.stdout);
    one_line_error(&out);
}

/// A missing -f pattern file exits 2 with ripgrep's message, naming the file once.
#[test]
fn missing_pattern_file() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["-f", "nosuchfile"]).assert_code(2);
    eqnice!("", &out.stdout);
    eqnice!("dn: nosuchfile: No such file or directory (os error 2)\n", &out.stderr);
}

/// A missing --ignore-file is reported on stderr but does not stop the search.
#[test]
fn missing_ignore_file() {
    let dir = hay::two_files(test_dir!());
    let out = dir.command().args(["--ignore-file", "nosuch", "hello"]).assert_code(0);
    eqnice!("a.txt:hello world\na.txt:helloworld\n", &out.stdout);
    let err = one_line_error(&out);
    assert!(err.contains("nosuch"), "{err}");
}

/// No error path ever prints a panic message.
#[test]
fn errors_never_panic() {
    let dir = hay::two_files(test_dir!());
    let cases: [&[&str]; 14] = [
        &["(unclosed"],
        &["--no-such-flag"],
        &["-m", "abc", "x"],
        &["-t", "nosuchtype", "x"],
        &["x", "missing.txt"],
        &["--engine", "bogus", "x"],
        &["-f", "nosuchfile"],
        &["--regexp"],
        &["-r"],
        &[],
        &["-M", "10Z", "x"],
        &["--type-add", "bad", "x"],
        &["-A", "-1", "x"],
        &["-P", "("],
    ];
    for args in cases {
        let out = dir.command().args(args).assert_code(2);
        no_panic(&out);
        assert!(!out.stderr.is_empty(), "no error message for {args:?}");
    }
}

/// --no-messages silences problems with --ignore-file files too, as rg
/// does (it used to print them); the search goes on.
#[test]
fn no_messages_silences_ignore_file_problems() {
    let dir = hay::two_files(test_dir!());
    let out = dir
        .command()
        .args(["--no-messages", "--ignore-file", "/nonexistent", "hello"])
        .assert_code(0);
    eqnice!("a.txt:hello world\na.txt:helloworld\n", &out.stdout);
    eqnice!("", &out.stderr);
}

/// A file root is classified once: `dn PATTERN FILE` stats the file by
/// its name once (it used to be seven times). Skipped where strace is
/// missing (CI installs it).
#[test]
fn a_named_file_is_stated_once() {
    let dir = hay::two_files(test_dir!());
    let trace = dir.root.join("trace.txt");
    let Ok(out) = std::process::Command::new("strace")
        .args(["-f", "-e", "trace=%stat,%lstat,%fstat,statx", "-o"])
        .arg(&trace)
        .arg(crate::util::dn_bin())
        .args(["hello", "a.txt"])
        .current_dir(&dir.root)
        .stdin(std::process::Stdio::null())
        .output()
    else {
        eprintln!("strace is not installed: skipped");
        return;
    };
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let trace = std::fs::read_to_string(&trace).unwrap();
    let by_name = trace.lines().filter(|l| l.contains("\"a.txt\"")).count();
    assert_eq!(by_name, 1, "a.txt was stated {by_name} times:\n{trace}");
}
