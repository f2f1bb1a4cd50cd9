//! Every flag ripgrep 15 has is accepted (none is refused as unknown), and --debug/--trace
//! tell what was searched and skipped, and why.

use std::process::Command;

use crate::util::Dir;

/// Every long flag of ripgrep 15.2.0 (crates/core/flags/defs.rs: each flag's name, its
/// negation and its aliases), deprecated and hidden ones included.
const RG_LONG_FLAGS: &[&str] = &[
    "after-context",
    "auto-hybrid-regex",
    "before-context",
    "binary",
    "block-buffered",
    "byte-offset",
    "case-sensitive",
    "color",
    "colors",
    "column",
    "context",
    "context-separator",
    "count",
    "count-matches",
    "crlf",
    "debug",
    "dfa-size-limit",
    "encoding",
    "engine",
    "field-context-separator",
    "field-match-separator",
    "file",
    "files",
    "files-with-matches",
    "files-without-match",
    "fixed-strings",
    "follow",
    "generate",
    "glob",
    "glob-case-insensitive",
    "heading",
    "help",
    "hidden",
    "hostname-bin",
    "hyperlink-format",
    "iglob",
    "ignore",
    "ignore-case",
    "ignore-dot",
    "ignore-exclude",
    "ignore-file",
    "ignore-file-case-insensitive",
    "ignore-files",
    "ignore-global",
    "ignore-messages",
    "ignore-parent",
    "ignore-vcs",
    "include-zero",
    "invert-match",
    "json",
    "line-buffered",
    "line-number",
    "line-regexp",
    "max-columns",
    "max-columns-preview",
    "max-count",
    "max-depth",
    "max-filesize",
    "maxdepth",
    "messages",
    "mmap",
    "multiline",
    "multiline-dotall",
    "no-auto-hybrid-regex",
    "no-binary",
    "no-block-buffered",
    "no-byte-offset",
    "no-column",
    "no-config",
    "no-context-separator",
    "no-crlf",
    "no-encoding",
    "no-filename",
    "no-fixed-strings",
    "no-follow",
    "no-glob-case-insensitive",
    "no-heading",
    "no-hidden",
    "no-ignore",
    "no-ignore-dot",
    "no-ignore-exclude",
    "no-ignore-file-case-insensitive",
    "no-ignore-files",
    "no-ignore-global",
    "no-ignore-messages",
    "no-ignore-parent",
    "no-ignore-vcs",
    "no-include-zero",
    "no-invert-match",
    "no-json",
    "no-line-buffered",
    "no-line-number",
    "no-max-columns-preview",
    "no-messages",
    "no-mmap",
    "no-multiline",
    "no-multiline-dotall",
    "no-one-file-system",
    "no-pcre2",
    "no-pcre2-unicode",
    "no-pre",
    "no-require-git",
    "no-search-zip",
    "no-sort-files",
    "no-stats",
    "no-text",
    "no-trim",
    "no-unicode",
    "null",
    "null-data",
    "one-file-system",
    "only-matching",
    "passthrough",
    "passthru",
    "path-separator",
    "pcre2",
    "pcre2-unicode",
    "pcre2-version",
    "pre",
    "pre-glob",
    "pretty",
    "quiet",
    "regex-size-limit",
    "regexp",
    "replace",
    "require-git",
    "search-zip",
    "smart-case",
    "sort",
    "sort-files",
    "sortr",
    "stats",
    "stop-on-nonmatch",
    "text",
    "threads",
    "trace",
    "trim",
    "type",
    "type-add",
    "type-clear",
    "type-list",
    "type-not",
    "unicode",
    "unrestricted",
    "version",
    "vimgrep",
    "with-filename",
    "word-regexp",
];

/// Every short flag of ripgrep 15.2.0.
const RG_SHORT_FLAGS: &str = ".0ABCEFHILMNPSTUVabcdefghijlmnopqrstuvwxz";

/// The real ripgrep, when this machine has it.
const RG: &str = "/opt/rg/bin/rg";

/// The long flags `rg --help` lists, if ripgrep is installed here.
fn rg_help_flags() -> Option<Vec<String>> {
    let out = Command::new(RG).arg("--help").output().ok()?;
    let help = String::from_utf8(out.stdout).ok()?;
    let mut flags: Vec<String> = help
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line
                .strip_prefix('-')
                .filter(|l| l.get(1..3) == Some(", "))
                .map_or(line, |l| &l[3..]);
            let name = line.strip_prefix("--")?;
            let end =
                name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(name.len());
            Some(name[..end].to_string()).filter(|n| !n.is_empty())
        })
        .collect();
    flags.sort();
    flags.dedup();
    Some(flags)
}

/// True when dn refused `flag` as an unknown argument (run alone, in an empty directory).
fn refused(dir: &Dir, flag: &str) -> Option<String> {
    let out = dir.command().args([flag]).output();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (err.contains("unexpected argument") || err.contains("unrecognized flag")).then_some(err)
}

/// dn accepts every long flag of ripgrep 15: the checked-in list, and (when ripgrep is
/// installed) every one `rg --help` lists, which the checked-in list must hold.
#[test]
fn every_rg_long_flag_is_accepted() {
    let dir = test_dir!();
    let mut flags: Vec<String> = RG_LONG_FLAGS.iter().map(|f| f.to_string()).collect();
    if let Some(help) = rg_help_flags() {
        assert!(help.len() > 80, "too few flags found in rg --help: {help:?}");
        for f in &help {
            assert!(RG_LONG_FLAGS.contains(&f.as_str()), "rg --help lists --{f}: add it here");
        }
        flags.extend(help);
    }
    let refusals: Vec<String> =
        flags.iter().filter_map(|f| refused(&dir, &format!("--{f}"))).collect();
    assert!(refusals.is_empty(), "refused: {refusals:#?}");
}

/// dn accepts every short flag of ripgrep 15.
#[test]
fn every_rg_short_flag_is_accepted() {
    let dir = test_dir!();
    let refusals: Vec<String> =
        RG_SHORT_FLAGS.chars().filter_map(|c| refused(&dir, &format!("-{c}"))).collect();
    assert!(refusals.is_empty(), "refused: {refusals:#?}");
}

/// --debug prints the resolved options, each ignore file read and each path skipped with the
/// rule that skipped it, on stderr; stdout is what it is without --debug, and without it
/// stderr is empty. --trace says more.
#[test]
fn debug_and_trace_say_why() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "x.log\n");
    dir.create("x.log", "needle\n");
    dir.create("a.txt", "needle\n");
    dir.create("big.txt", "needle needle needle\n");
    let plain = dir.command().args(["--max-filesize", "10", "needle"]).output();
    eqnice!("a.txt:needle\n", &plain.stdout);
    eqnice!("", &plain.stderr);
    let debug = dir.command().args(["--debug", "--max-filesize", "10", "needle"]).output();
    eqnice!(&plain.stdout, &debug.stdout);
    let err = String::from_utf8_lossy(&debug.stderr).into_owned();
    assert!(err.lines().all(|l| l.starts_with("dn: DEBUG|")), "{err}");
    assert!(err.contains(": matcher: MatcherOpts { patterns: [\"needle\"]"), "{err}");
    assert!(err.contains("opened gitignore file: ./.gitignore"), "{err}");
    let rule =
        "ignoring ./x.log: Ignore(IgnoreMatch(Gitignore(Glob { from: Some(\"./.gitignore\"), \
                original: \"x.log\"";
    assert!(err.contains(rule), "{err}");
    assert!(err.contains("ignoring ./.gitignore: Ignore(IgnoreMatch(Hidden))"), "{err}");
    assert!(err.contains("ignoring ./big.txt: 21 bytes"), "{err}");
    assert!(!err.contains("TRACE|"), "{err}");
    let trace = dir.command().args(["--trace", "needle", "a.txt"]).output();
    eqnice!("needle\n", &trace.stdout);
    let err = String::from_utf8_lossy(&trace.stderr).into_owned();
    assert!(err.contains("dn: TRACE|dn::search|"), "{err}");
    assert!(err.contains("a.txt: binary detection:"), "{err}");
}
