//! The PCRE2 engine (-P, --engine pcre2|auto): searches and errors, checked against ripgrep
//! built with PCRE2.
//!
//! Every expected literal was produced by `/opt/rg-pcre2/bin/rg --sort path` (ripgrep 15.2.0
//! with PCRE2 10.45) with the same arguments on the same tree, stdout piped, stdin closed.
//! Without the `pcre2` feature only the refusals are checked.

use crate::hay;
use crate::util::Dir;

/// Runs `dn --sort path ARGS` in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Dir, args: &[&str]) -> (i32, String, String) {
    let out = dir.command().args(["--sort", "path"]).args(args).output();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Look-around and backreferences, which only PCRE2 has.
#[cfg(feature = "pcre2")]
#[test]
fn pcre2_look_around_and_backreferences() {
    let dir = hay::pcre2_material(test_dir!());
    eqnice!("a.txt:foo bar\n", run(&dir, &["-P", r"foo(?=\s)"]).1);
    eqnice!("a.txt:foo bar\n", run(&dir, &["--pcre2", r"foo(?=\s)"]).1);
    eqnice!("a.txt:foo bar\n", run(&dir, &["--engine", "pcre2", r"foo(?=\s)"]).1);
    eqnice!("a.txt:abcabc\n", run(&dir, &["-P", r"(abc)\1"]).1);
    eqnice!("a.txt:foo\n", run(&dir, &["-P", "-o", r"\w+(?=bar)"]).1);
    let expected = "\
a.txt:f<oo> bar
a.txt:f<oo>bar
a.txt:the Sherl<o>ck
b.txt:line <o>ne\r
b.txt:line tw<o>\r
";
    eqnice!(expected, run(&dir, &["-P", "-r", "<$1>", "(o+)"]).1);
}

/// --engine auto (and the deprecated --auto-hybrid-regex) falls back to PCRE2 only when the
/// default engine cannot compile the pattern.
#[cfg(feature = "pcre2")]
#[test]
fn pcre2_auto_falls_back() {
    let dir = hay::pcre2_material(test_dir!());
    eqnice!("a.txt:the Sherlock\n", run(&dir, &["--engine", "auto", r"(?<=the\s)Sherlock"]).1);
    let args = ["--no-pcre2", "--auto-hybrid-regex", r"(?<=the\s)Sherlock"];
    eqnice!("a.txt:the Sherlock\n", run(&dir, &args).1);
    // A pattern the default engine takes is searched by it.
    eqnice!("a.txt:abcabc\n", run(&dir, &["--engine", "auto", "abcabc"]).1);
}

/// Case, word, line, fixed-string and inverted searches configure PCRE2 as rg does.
#[cfg(feature = "pcre2")]
#[test]
fn pcre2_search_options() {
    let dir = hay::pcre2_material(test_dir!());
    eqnice!("a.txt:foo bar\na.txt:foobar\na.txt:FOO Bar\n", run(&dir, &["-P", "-i", "foo"]).1);
    eqnice!("a.txt:foo bar\na.txt:foobar\na.txt:FOO Bar\n", run(&dir, &["-P", "-S", "foo"]).1);
    assert_eq!(run(&dir, &["-P", "-S", "Foo"]).0, 1);
    eqnice!("a.txt:foo bar\n", run(&dir, &["-P", "-w", "foo"]).1);
    eqnice!("a.txt:foo bar\n", run(&dir, &["-P", "-x", r"foo\sbar"]).1);
    assert_eq!(run(&dir, &["-P", "-F", "a.t"]).0, 1);
    eqnice!("a.txt:3\nb.txt:2\n", run(&dir, &["-P", "-c", "o"]).1);
    eqnice!("a.txt:3:5:the Sherlock\n", run(&dir, &["-P", "-n", "--column", "Sher"]).1);
    eqnice!("a.txt:abcabc\na.txt:FOO Bar\na.txt:naïve café\n", run(&dir, &["-P", "-v", "o"]).1);
    eqnice!("b.txt:line two\r\n", run(&dir, &["-P", "--crlf", "two$"]).1);
}

/// Multiline mode, with and without --multiline-dotall.
#[cfg(feature = "pcre2")]
#[test]
fn pcre2_multiline() {
    let dir = hay::pcre2_material(test_dir!());
    eqnice!("a.txt:foo bar\na.txt:foobar\n", run(&dir, &["-P", "-U", r"bar\nfoo"]).1);
    let args = ["-P", "-U", "--multiline-dotall", "bar.foo"];
    eqnice!("a.txt:foo bar\na.txt:foobar\n", run(&dir, &args).1);
    assert_eq!(run(&dir, &["-P", "-U", "bar.foo"]).0, 1);
}

/// Unicode is on by default; --no-pcre2-unicode (rg's deprecated spelling of --no-unicode)
/// makes `\w` ASCII, and --pcre2-unicode undoes it.
#[cfg(feature = "pcre2")]
#[test]
fn pcre2_unicode_switches() {
    let dir = hay::pcre2_material(test_dir!());
    eqnice!("a.txt:café\n", run(&dir, &["-P", "-o", r"caf\w"]).1);
    assert_eq!(run(&dir, &["-P", "--no-pcre2-unicode", "-o", r"caf\w"]).0, 1);
    assert_eq!(run(&dir, &["-P", "--no-unicode", "-o", r"caf\w"]).0, 1);
    let args = ["-P", "--no-pcre2-unicode", "--pcre2-unicode", "-o", r"caf\w"];
    eqnice!("a.txt:café\n", run(&dir, &args).1);
}

/// JSON output with PCRE2 is rg's, submatches included (timings aside).
#[cfg(feature = "pcre2")]
#[test]
fn pcre2_json() {
    let dir = hay::pcre2_material(test_dir!());
    let (code, out, _) = run(&dir, &["-P", "--json", r"Sher\w+"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    eqnice!(r#"{"type":"begin","data":{"path":{"text":"a.txt"}}}"#, lines[0]);
    let expected = r#"{"type":"match","data":{"path":{"text":"a.txt"},"lines":{"text":"the Sherlock\n"},"line_number":3,"absolute_offset":15,"submatches":[{"match":{"text":"Sherlock"},"start":4,"end":12}]}}"#;
    eqnice!(expected, lines[1]);
    assert!(lines[2].starts_with(
        r#"{"type":"end","data":{"path":{"text":"a.txt"},"binary_offset":null,"stats":{"elapsed":"#
    ));
    assert!(lines[3].starts_with(r#"{"data":{"elapsed_total":"#), "{}", lines[3]);
}

/// -P, --no-pcre2 and --engine override each other: the last one wins. A pattern that needs
/// PCRE2 then fails in the default engine, with rg's hint.
#[test]
fn last_engine_flag_wins() {
    let dir = hay::pcre2_material(test_dir!());
    let (code, out, err) = run(&dir, &["-P", "--no-pcre2", r"(?<=the\s)Sherlock"]);
    assert_eq!(code, 2);
    eqnice!("", out);
    let mut expected = "\
dn: regex parse error:
    (?:(?<=the\\s)Sherlock)
       ^^^^
error: look-around, including look-ahead and look-behind, is not supported
"
    .to_string();
    if cfg!(feature = "pcre2") {
        expected.push_str(
            "
Consider enabling PCRE2 with the --pcre2 flag, which can handle backreferences
and look-around.
",
        );
    }
    eqnice!(expected, err);
    let (code, _, err) = run(&dir, &["--engine", "pcre2", "--engine", "default", r"(?<=x)y"]);
    assert_eq!(code, 2);
    assert!(err.contains("look-around"), "{err}");
    if cfg!(feature = "pcre2") {
        let args = ["--no-pcre2", "--engine", "default", "-P", r"(?<=the\s)Sherlock"];
        eqnice!("a.txt:the Sherlock\n", run(&dir, &args).1);
    }
}

/// A pattern PCRE2 rejects: its message, exit 2; under --engine auto, rg's two-engine report.
#[cfg(feature = "pcre2")]
#[test]
fn pcre2_errors() {
    let dir = hay::pcre2_material(test_dir!());
    let (code, out, err) = run(&dir, &["-P", "("]);
    assert_eq!(code, 2);
    eqnice!("", out);
    eqnice!("dn: PCRE2: error compiling pattern at offset 5: missing closing parenthesis\n", err);
    let (code, _, err) = run(&dir, &["--engine", "auto", "(?<=("]);
    assert_eq!(code, 2);
    let tilde = "~".repeat(79);
    let expected = format!(
        "dn: regex could not be compiled with either the default regex engine or with PCRE2.

default regex engine error:
{tilde}
regex parse error:
    (?:(?<=()
       ^^^^
error: look-around, including look-ahead and look-behind, is not supported
{tilde}

PCRE2 regex engine error:
PCRE2: error compiling pattern at offset 9: missing closing parenthesis
"
    );
    eqnice!(expected, err);
}

/// Without PCRE2 built in, asking for it is a clear one-line error (rg's message).
#[cfg(not(feature = "pcre2"))]
#[test]
fn pcre2_unavailable() {
    let dir = hay::pcre2_material(test_dir!());
    for args in [&["-P", "foo"][..], &["--engine", "pcre2", "foo"]] {
        let (code, out, err) = run(&dir, args);
        assert_eq!(code, 2);
        eqnice!("", out);
        eqnice!("dn: PCRE2 is not available in this build of dn\n", err);
    }
}

/// --pcre2-version says which PCRE2 is built in (exit 0), or that none is (exit 1); the
/// --version features line says +pcre2 or -pcre2.
#[test]
fn pcre2_version_and_features() {
    let dir = hay::pcre2_material(test_dir!());
    let (code, out, err) = run(&dir, &["--pcre2-version"]);
    eqnice!("", err);
    let version = dir.command().args(["--version"]).output();
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    if cfg!(feature = "pcre2") {
        assert_eq!(code, 0);
        // ripgrep 15.2.0 ships PCRE2 10.45, as the bundled sources dn builds.
        assert!(out.starts_with("PCRE2 10.45 is available (JIT is "), "{out}");
        assert!(version.contains("features:+pcre2,"), "{version}");
        assert!(version.contains(out.trim_end()), "{version}");
    } else {
        assert_eq!(code, 1);
        eqnice!("PCRE2 is not available in this build of dn.\n", out);
        assert!(version.contains("features:-pcre2,"), "{version}");
    }
}
