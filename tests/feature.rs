//! Feature tests: each flag and file-handling rule, checked against output taken from ripgrep.
//!
//! Every expected literal below was produced once by running `rg --sort path` with the same
//! arguments on the same tree, with stdout piped and stdin closed.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crate::hay;
use crate::util::Dir;

/// Runs `dn ARGS` in `dir` and returns stdout, asserting exit status 0.
fn run(dir: &Dir, args: &[&str]) -> Vec<u8> {
    dir.command().args(args).stdout()
}

/// Runs `dn ARGS` in `dir`, asserting exit status 1 and empty stdout.
fn no_match(dir: &Dir, args: &[&str]) {
    let out = dir.command().args(args).assert_code(1);
    eqnice!("", &out.stdout);
}

/// Creates a symbolic link at `link` (relative to the tree) pointing at `target`.
fn symlink(dir: &Dir, target: &str, link: &str) {
    std::os::unix::fs::symlink(target, dir.root.join(link)).unwrap();
}

/// Sets the modification time of `rel` to `secs` seconds after the epoch.
fn set_mtime(dir: &Dir, rel: &str, secs: u64) {
    let file = std::fs::File::options().write(true).open(dir.root.join(rel)).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
}

/// A plain pattern prints `path:line` for each matching line, in path order.
#[test]
fn plain_search() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello world
a.txt:helloworld
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(expected, run(&dir, &["hello"]));
}

/// Several -e/--regexp patterns are combined as alternatives.
#[test]
fn regexp_multiple() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello world
a.txt:foo bar
a.txt:foobar baz
a.txt:helloworld
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(expected, run(&dir, &["-e", "hello", "-e", "foo"]));
    eqnice!(expected, run(&dir, &["--regexp=hello", "--regexp", "foo"]));
}

/// A pattern that starts with a dash can be given with -e.
#[test]
fn regexp_dash_pattern() {
    let dir = test_dir!();
    dir.create("a.txt", "a -x b\nplain\n");
    eqnice!("a -x b\n", run(&dir, &["-e", "-x", "a.txt"]));
}

/// -f/--file reads one pattern per line from a file.
#[test]
fn file_patterns() {
    let dir = hay::greetings(test_dir!());
    dir.create("pats/p", "hello\nfoo\n");
    let expected = "\
a.txt:hello world
a.txt:foo bar
a.txt:foobar baz
a.txt:helloworld
b.txt:hello there
";
    eqnice!(expected, run(&dir, &["-f", "pats/p", "a.txt", "b.txt"]));
    eqnice!(expected, run(&dir, &["--file", "pats/p", "a.txt", "b.txt"]));
}

/// An empty line in a -f pattern file matches every line.
#[test]
fn file_patterns_empty_line() {
    let dir = hay::greetings(test_dir!());
    dir.create("pats/q", "x\n\n");
    eqnice!("a.txt:5\nb.txt:3\n", run(&dir, &["-f", "pats/q", "-c", "a.txt", "b.txt"]));
}

/// -i matches regardless of case.
#[test]
fn ignore_case() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello world
a.txt:Hello World
a.txt:helloworld
b.txt:hello there
b.txt:HELLO
sub/c.rs:sub hello
";
    eqnice!(expected, run(&dir, &["-i", "hello"]));
    eqnice!(expected, run(&dir, &["--ignore-case", "hello"]));
}

/// -S is case-insensitive for an all-lowercase pattern and sensitive otherwise.
#[test]
fn smart_case() {
    let dir = hay::greetings(test_dir!());
    let lower = "\
a.txt:hello world
a.txt:Hello World
a.txt:helloworld
b.txt:hello there
b.txt:HELLO
sub/c.rs:sub hello
";
    eqnice!(lower, run(&dir, &["-S", "hello"]));
    eqnice!("a.txt:Hello World\n", run(&dir, &["-S", "Hello"]));
    eqnice!("a.txt:Hello World\n", run(&dir, &["--smart-case", "Hello"]));
}

/// -s restores case sensitivity, and the last of -i/-s wins.
#[test]
fn case_sensitive_overrides() {
    let dir = hay::greetings(test_dir!());
    eqnice!("a.txt:Hello World\n", run(&dir, &["-i", "-s", "Hello"]));
    let insensitive = "\
a.txt:hello world
a.txt:Hello World
a.txt:helloworld
b.txt:hello there
b.txt:HELLO
sub/c.rs:sub hello
";
    eqnice!(insensitive, run(&dir, &["-s", "-i", "hello"]));
    no_match(&dir, &["-s", "HeLLo"]);
}

/// -w only matches whole words.
#[test]
fn word_regexp() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello world
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(expected, run(&dir, &["-w", "hello"]));
}

/// -x only matches whole lines.
#[test]
fn line_regexp() {
    let dir = hay::greetings(test_dir!());
    eqnice!("a.txt:foo bar\n", run(&dir, &["-x", "foo.bar"]));
    no_match(&dir, &["-x", "foo"]);
}

/// -F treats the pattern as a literal, so `.` does not match any character.
#[test]
fn fixed_strings() {
    let dir = hay::greetings(test_dir!());
    no_match(&dir, &["-F", "foo.bar"]);
    let expected = "\
a.txt:foo bar
a.txt:foobar baz
sub/c.rs:bar
";
    eqnice!(expected, run(&dir, &["-F", "-e", "o.b", "-e", "bar"]));
}

/// -v prints the lines that do not match.
#[test]
fn invert_match() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:Hello World
a.txt:foo bar
a.txt:foobar baz
b.txt:nothing
b.txt:HELLO
sub/c.rs:bar
";
    eqnice!(expected, run(&dir, &["-v", "hello"]));
}

/// -n adds line numbers and a later -N removes them again.
#[test]
fn line_numbers() {
    let dir = hay::greetings(test_dir!());
    let numbered = "\
a.txt:1:hello world
a.txt:5:helloworld
b.txt:2:hello there
sub/c.rs:1:sub hello
";
    eqnice!(numbered, run(&dir, &["-n", "hello"]));
    let plain = "\
a.txt:hello world
a.txt:helloworld
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(plain, run(&dir, &["-n", "-N", "hello"]));
}

/// --column prints the line number and the 1-based column of the first match.
#[test]
fn column() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:1:1:hello world
a.txt:5:1:helloworld
b.txt:2:1:hello there
sub/c.rs:1:5:sub hello
";
    eqnice!(expected, run(&dir, &["--column", "hello"]));
}

/// -c prints the number of matching lines per file.
#[test]
fn count() {
    let dir = hay::greetings(test_dir!());
    eqnice!("a.txt:2\nb.txt:1\nsub/c.rs:1\n", run(&dir, &["-c", "hello"]));
    eqnice!("2\n", run(&dir, &["-c", "hello", "a.txt"]));
}

/// --count-matches counts every match, not every line.
#[test]
fn count_matches() {
    let dir = hay::greetings(test_dir!());
    eqnice!("a.txt:10\nb.txt:2\nsub/c.rs:1\n", run(&dir, &["--count-matches", "o"]));
}

/// -l prints only the names of files with a match.
#[test]
fn files_with_matches() {
    let dir = hay::greetings(test_dir!());
    eqnice!("a.txt\nb.txt\nsub/c.rs\n", run(&dir, &["-l", "hello"]));
}

/// --files-without-match prints only the names of files with no match.
#[test]
fn files_without_match() {
    let dir = hay::greetings(test_dir!());
    eqnice!("b.txt\nsub/c.rs\n", run(&dir, &["--files-without-match", "foo"]));
}

/// -o prints each match on its own line.
#[test]
fn only_matching() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello
a.txt:hello
b.txt:hello
sub/c.rs:hello
";
    eqnice!(expected, run(&dir, &["-o", "hel+o"]));
    let numbered = "\
a.txt:1:hello
a.txt:2:Hello
a.txt:5:hello
b.txt:2:hello
b.txt:3:HELLO
sub/c.rs:1:hello
";
    eqnice!(numbered, run(&dir, &["-o", "-n", "-i", "hello"]));
}

/// -r replaces matches, expanding numbered groups like `$1`.
#[test]
fn replace_numbered_group() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:[h] world
a.txt:[h]world
b.txt:[h] there
sub/c.rs:sub [h]
";
    eqnice!(expected, run(&dir, &["-r", "[$1]", "(h)ello"]));
    eqnice!("a.txt:oo\na.txt:oo\n", run(&dir, &["-o", "-r", "$1", "f(o+)"]));
}

/// --replace expands named groups written as `${name}`.
#[test]
fn replace_named_group() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello <wor>
a.txt:hello<wor>
";
    eqnice!(expected, run(&dir, &["--replace", "<${w}>", "(?P<w>wor)ld"]));
}

/// -A prints lines after each match.
#[test]
fn after_context() {
    let dir = hay::contexts(test_dir!());
    eqnice!("n.txt:line 5\nn.txt-line 6\n", run(&dir, &["-A", "1", "line.5$", "n.txt", "m.txt"]));
}

/// -B prints lines before each match, with `--` between non-adjacent groups.
#[test]
fn before_context_separator() {
    let dir = hay::contexts(test_dir!());
    let expected = "\
line 1
line 2
line 3
--
line 7
line 8
line 9
";
    eqnice!(expected, run(&dir, &["-B", "2", "-e", "line 3$", "-e", "line 9$", "n.txt"]));
}

/// -C prints context on both sides, using `-` after context line numbers.
#[test]
fn context_with_numbers() {
    let dir = hay::contexts(test_dir!());
    let expected = "\
9-line 9
10:line 10
11-line 11
--
14-line 14
15:line 15
16-line 16
";
    eqnice!(expected, run(&dir, &["-C", "1", "-n", "line.1[05]$", "n.txt"]));
}

/// Overlapping context windows are merged without a separator.
#[test]
fn context_adjacent_groups_merge() {
    let dir = hay::contexts(test_dir!());
    let expected = "\
line 3
line 4
line 5
line 6
line 7
";
    eqnice!(expected, run(&dir, &["-C1", "-e", "line.4$", "-e", "line.6$", "n.txt"]));
}

/// Context at the start and end of a file is clipped.
#[test]
fn context_at_file_edges() {
    let dir = hay::contexts(test_dir!());
    let expected = "\
1-line 1
2:line 2
3-line 3
--
19-line 19
20:line 20
";
    eqnice!(expected, run(&dir, &["-n", "-C1", "-e", "line.2$", "-e", "line 20", "n.txt"]));
}

/// A `--` separator is also printed between the context groups of different files.
#[test]
fn context_separator_between_files() {
    let dir = hay::contexts(test_dir!());
    let expected = "\
m.txt-x
m.txt:match
m.txt-y
--
trim.txt:   indented match
trim.txt:\tTab match
";
    eqnice!(expected, run(&dir, &["-C1", "match"]));
}

/// With --heading and context, files are separated by a blank line rather than `--`.
#[test]
fn context_with_heading() {
    let dir = hay::contexts(test_dir!());
    let expected = "\
m.txt
x
match
y

trim.txt
   indented match
\tTab match
";
    eqnice!(expected, run(&dir, &["-C1", "--heading", "match"]));
}

/// --context-separator replaces the `--` line, and -C0 prints no separator at all.
#[test]
fn context_separator_custom() {
    let dir = hay::contexts(test_dir!());
    let expected = "\
line 1
line 2
line 3
XX
line 8
line 9
line 10
";
    let args = ["--context-separator", "XX", "-C1", "-e", "line.2$", "-e", "line.9$", "n.txt"];
    eqnice!(expected, run(&dir, &args));
    eqnice!(
        "x\ny\n",
        run(&dir, &["--context-separator", "XX", "-C0", "-e", "x", "-e", "y", "m.txt"])
    );
}

/// -m stops after the given number of matching lines in each file.
#[test]
fn max_count() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello world
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(expected, run(&dir, &["-m", "1", "hello"]));
    let ctx = hay::contexts(test_dir!());
    eqnice!("line 1\nline 2\n", run(&ctx, &["-m", "2", "line", "n.txt"]));
    eqnice!("line 1\nline 2\nline 3\n", run(&ctx, &["-m1", "-A2", "line", "n.txt"]));
}

/// A single file has no name prefix unless -H asks for one.
#[test]
fn with_filename() {
    let dir = hay::greetings(test_dir!());
    eqnice!("hello world\nhelloworld\n", run(&dir, &["hello", "a.txt"]));
    eqnice!("a.txt:hello world\na.txt:helloworld\n", run(&dir, &["-H", "hello", "a.txt"]));
}

/// -I/--no-filename drops the name prefix even when walking a directory.
#[test]
fn no_filename() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
hello world
helloworld
hello there
sub hello
";
    eqnice!(expected, run(&dir, &["-I", "hello"]));
    eqnice!(expected, run(&dir, &["--no-filename", "hello"]));
}

/// --heading groups matches under the file name with a blank line between files.
#[test]
fn heading() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt
hello world
helloworld

b.txt
hello there

sub/c.rs
sub hello
";
    eqnice!(expected, run(&dir, &["--heading", "hello"]));
    let numbered = "\
a.txt
1:hello world
5:helloworld

b.txt
2:hello there

sub/c.rs
1:sub hello
";
    eqnice!(numbered, run(&dir, &["--heading", "-n", "hello"]));
}

/// --no-heading (the piped default) puts the name on every line, and overrides --heading.
#[test]
fn no_heading() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello world
a.txt:helloworld
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(expected, run(&dir, &["--no-heading", "hello"]));
    eqnice!(expected, run(&dir, &["--heading", "--no-heading", "hello"]));
}

/// --null ends file names with a NUL byte instead of `:` or a newline.
#[test]
fn null_separator() {
    let dir = hay::greetings(test_dir!());
    eqnice!("a.txt\0b.txt\0sub/c.rs\0", run(&dir, &["--null", "-l", "hello"]));
    let expected = "\
a.txt\0hello world
a.txt\0helloworld
b.txt\0hello there
sub/c.rs\0sub hello
";
    eqnice!(expected, run(&dir, &["--null", "hello"]));
}

/// --color always emits ripgrep's exact escape sequences for paths and matches.
#[test]
fn color_always() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
\x1b[0m\x1b[35ma.txt\x1b[0m:\x1b[0m\x1b[1m\x1b[31mhello\x1b[0m world
\x1b[0m\x1b[35ma.txt\x1b[0m:\x1b[0m\x1b[1m\x1b[31mhello\x1b[0mworld
\x1b[0m\x1b[35mb.txt\x1b[0m:\x1b[0m\x1b[1m\x1b[31mhello\x1b[0m there
\x1b[0m\x1b[35msub/c.rs\x1b[0m:sub \x1b[0m\x1b[1m\x1b[31mhello\x1b[0m
";
    eqnice!(expected, run(&dir, &["--color", "always", "hello"]));
}

/// --color always also colours line and column numbers.
#[test]
fn color_always_numbers() {
    let dir = hay::greetings(test_dir!());
    let expected = concat!(
        "\x1b[0m\x1b[35ma.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m1\x1b[0m:",
        "\x1b[0m\x1b[1m\x1b[31mhello\x1b[0m world\n",
        "\x1b[0m\x1b[35ma.txt\x1b[0m:\x1b[0m\x1b[32m5\x1b[0m:\x1b[0m1\x1b[0m:",
        "\x1b[0m\x1b[1m\x1b[31mhello\x1b[0mworld\n",
        "\x1b[0m\x1b[35mb.txt\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m1\x1b[0m:",
        "\x1b[0m\x1b[1m\x1b[31mhello\x1b[0m there\n",
        "\x1b[0m\x1b[35msub/c.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m5\x1b[0m:",
        "sub \x1b[0m\x1b[1m\x1b[31mhello\x1b[0m\n",
    );
    eqnice!(expected, run(&dir, &["--color", "always", "-n", "--column", "hello"]));
}

/// --color always with --heading colours the heading line.
#[test]
fn color_always_heading() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
\x1b[0m\x1b[35ma.txt\x1b[0m
\x1b[0m\x1b[1m\x1b[31mhello\x1b[0m world
\x1b[0m\x1b[1m\x1b[31mhello\x1b[0mworld

\x1b[0m\x1b[35mb.txt\x1b[0m
\x1b[0m\x1b[1m\x1b[31mhello\x1b[0m there

\x1b[0m\x1b[35msub/c.rs\x1b[0m
sub \x1b[0m\x1b[1m\x1b[31mhello\x1b[0m
";
    eqnice!(expected, run(&dir, &["--color", "always", "--heading", "hello"]));
}

/// --color never prints no escapes.
#[test]
fn color_never() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:hello world
a.txt:helloworld
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(expected, run(&dir, &["--color", "never", "hello"]));
}

/// A flag given twice is accepted and the last value wins, as in ripgrep.
#[test]
fn repeated_flags_last_wins() {
    let dir = hay::greetings(test_dir!());
    let all = "\
a.txt:hello world
a.txt:helloworld
b.txt:hello there
sub/c.rs:sub hello
";
    eqnice!(all, run(&dir, &["--color", "always", "--color", "never", "hello"]));
    eqnice!(all, run(&dir, &["-m1", "-m2", "hello"]));
    eqnice!(
        "1:1:hello world\n5:1:helloworld\n",
        run(&dir, &["--column", "--column", "hello", "a.txt"])
    );
    eqnice!(
        "a.txt\nb.txt\nsub/c.rs\n",
        run(&dir, &["--sortr", "path", "--sort", "path", "-l", "hello"])
    );
    eqnice!(
        "sub/c.rs\nb.txt\na.txt\n",
        run(&dir, &["--sort", "path", "--sortr", "path", "-l", "hello"])
    );
    eqnice!("a.txt\nb.txt\nsub/c.rs\n", run(&dir, &["--hidden", "--hidden", "-l", "hello"]));
}

/// --trim strips leading whitespace from printed lines.
#[test]
fn trim() {
    let dir = hay::contexts(test_dir!());
    eqnice!("indented match\nTab match\n", run(&dir, &["--trim", "match", "trim.txt"]));
    eqnice!("match\nmatch\n", run(&dir, &["--trim", "-o", "match", "trim.txt"]));
}

/// --passthru prints every line, marking matches and non-matches like context.
#[test]
fn passthru() {
    let dir = hay::contexts(test_dir!());
    eqnice!("x\nmatch\ny\n", run(&dir, &["--passthru", "match", "m.txt"]));
    eqnice!("1-x\n2:match\n3-y\n", run(&dir, &["--passthru", "-n", "match", "m.txt"]));
    eqnice!("x\nX\ny\n", run(&dir, &["--passthru", "-r", "X", "match", "m.txt"]));
}

/// -M omits lines longer than the limit; --max-columns-preview shows their start instead.
#[test]
fn max_columns() {
    let dir = test_dir!();
    dir.create("cols.txt", "short match\nthis is a much longer line with a match in it\n");
    let omitted = "short match\n[Omitted long matching line]\n";
    eqnice!(omitted, run(&dir, &["-M", "20", "match", "cols.txt"]));
    eqnice!(omitted, run(&dir, &["--max-columns=20", "match", "cols.txt"]));
    let numbered = "1:short match\n2:[Omitted long matching line]\n";
    eqnice!(numbered, run(&dir, &["-M", "20", "-n", "match", "cols.txt"]));
    let preview = "short match\nthis is a much longe [... omitted end of long line]\n";
    eqnice!(preview, run(&dir, &["-M", "20", "--max-columns-preview", "match", "cols.txt"]));
}

/// -U lets a pattern match across lines and prints every line the match touches.
#[test]
fn multiline() {
    let dir = test_dir!();
    dir.create("ml.txt", "start\nmiddle\nend\nstart again\n");
    eqnice!("start\nmiddle\n", run(&dir, &["-U", "start\\nmiddle", "ml.txt"]));
    let numbered = "1:start\n2:middle\n3:end\n";
    eqnice!(numbered, run(&dir, &["--multiline", "-n", "start\\nmiddle\\nend", "ml.txt"]));
    eqnice!("d\ns\n", run(&dir, &["-U", "-o", "d\\ns", "ml.txt"]));
}

/// Without --multiline-dotall `.` stops at newlines; with it, `.` crosses them.
#[test]
fn multiline_dotall() {
    let dir = test_dir!();
    dir.create("ml.txt", "start\nmiddle\nend\nstart again\n");
    no_match(&dir, &["-U", "start.*end", "ml.txt"]);
    let expected = "start\nmiddle\nend\n";
    eqnice!(expected, run(&dir, &["-U", "--multiline-dotall", "start.*end", "ml.txt"]));
}

/// --crlf lets `$` match before `\r\n`; without it the `\r` blocks the match.
#[test]
fn crlf() {
    let dir = test_dir!();
    dir.create("crlf.txt", "one\r\ntwo\r\nthree\r\n");
    no_match(&dir, &["o$", "crlf.txt"]);
    eqnice!("two\r\n", run(&dir, &["--crlf", "o$", "crlf.txt"]));
    eqnice!("e\r\ne\r\n", run(&dir, &["--crlf", "-o", "e$", "crlf.txt"]));
}

/// Lines of a CRLF file are printed with their `\r\n` intact.
#[test]
fn crlf_file_lines_kept() {
    let dir = test_dir!();
    dir.create("crlf.txt", "one\r\ntwo\r\nthree\r\n");
    eqnice!("crlf.txt:2:two\r\n", run(&dir, &["-n", "two"]));
}

/// -a/--text searches a binary file as text, printing the NUL byte.
#[test]
fn text_mode() {
    let dir = test_dir!();
    dir.create("bin.dat", "text match\0binary\nmore match\n");
    let expected = "binary file matches (found \"\\0\" byte around offset 10)\n";
    eqnice!(expected, run(&dir, &["match", "bin.dat"]));
    eqnice!("text match\0binary\nmore match\n", run(&dir, &["-a", "match", "bin.dat"]));
    eqnice!("2\n", run(&dir, &["--text", "-c", "match", "bin.dat"]));
}

/// -q prints nothing and exits 0 on a match.
#[test]
fn quiet() {
    let dir = hay::greetings(test_dir!());
    eqnice!("", run(&dir, &["-q", "hello"]));
    let out = dir.command().args(["-q", "nomatch"]).assert_code(1);
    eqnice!("", &out.stdout);
}

/// -g includes only matching paths and `!` globs exclude them.
#[test]
fn glob_include_exclude() {
    let dir = hay::walkable(test_dir!());
    eqnice!("src/main.rs:fn x() {} // needle\n", run(&dir, &["-g", "*.rs", "needle"]));
    let excluded = "\
Script.PY:needle py
docs/README.md:needle in md
src/main.rs:fn x() {} // needle
";
    eqnice!(excluded, run(&dir, &["-g", "!*.txt", "needle"]));
    eqnice!("docs/README.md:needle in md\n", run(&dir, &["--glob", "docs/**", "needle"]));
}

/// A whitelisting -g glob overrides ignore rules and hidden-file filtering.
#[test]
fn glob_overrides_ignores() {
    let dir = hay::walkable(test_dir!());
    let expected = "\
.hidden.txt
dotig.txt
ignored.txt
notes.txt
rgig.txt
";
    eqnice!(expected, run(&dir, &["--files", "-g", "*.txt"]));
}

/// Globs are case-sensitive, --iglob is not.
#[test]
fn iglob() {
    let dir = hay::walkable(test_dir!());
    let out = dir.command().args(["-g", "*.py", "needle"]).assert_code(2);
    eqnice!("", &out.stdout);
    eqnice!("Script.PY:needle py\n", run(&dir, &["--iglob", "*.py", "needle"]));
}

/// -g with a directory name, and brace alternatives.
#[test]
fn glob_directories_and_braces() {
    let dir = test_dir!();
    dir.create("a/n.md", "needle\n");
    dir.create("a/b/deep.log", "needle\n");
    dir.create("keep.log", "needle\n");
    dir.create("top.txt", "needle\n");
    eqnice!("keep.log\ntop.txt\n", run(&dir, &["-g", "!a", "--files"]));
    eqnice!("a/n.md\n", run(&dir, &["-g", "a/*", "--files"]));
    eqnice!("a/b/deep.log\na/n.md\nkeep.log\n", run(&dir, &["-g", "*.{md,log}", "--files"]));
}

/// -t selects a file type and -T excludes one.
#[test]
fn type_select_and_negate() {
    let dir = hay::walkable(test_dir!());
    eqnice!("src/main.rs:fn x() {} // needle\n", run(&dir, &["-t", "rust", "needle"]));
    let negated = "\
Script.PY:needle py
docs/README.md:needle in md
notes.txt:needle txt
";
    eqnice!(negated, run(&dir, &["-T", "rust", "needle"]));
    eqnice!("docs/README.md:needle in md\n", run(&dir, &["-t", "md", "-t", "py", "needle"]));
}

/// --type-list includes the standard definitions, one `name: globs` per line.
#[test]
fn type_list_common_lines() {
    let dir = test_dir!();
    let out = String::from_utf8(run(&dir, &["--type-list"])).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.contains(&"rust: *.rs"), "{out}");
    assert!(lines.contains(&"py: *.py, *.pyi"), "{out}");
    assert!(lines.contains(&"md: *.markdown, *.md, *.mdown, *.mdwn, *.mdx, *.mkd, *.mkdn"));
    let names: Vec<&str> = lines.iter().map(|l| l.split(':').next().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, names, "type list is not sorted by name");
}

/// --type-list uses the same definitions as ripgrep 15 (checked on lines that vary by version).
#[test]
fn type_list_matches_ripgrep_definitions() {
    let dir = test_dir!();
    let out = String::from_utf8(run(&dir, &["--type-list"])).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.contains(&"lisp: *.el, *.jl, *.lisp, *.lsp, *.sc, *.scm"), "{out}");
    assert!(lines.contains(&"lock: *.lock, package-lock.json"), "{out}");
    assert!(!lines.iter().any(|l| l.starts_with("scheme:")), "{out}");
    assert_eq!(lines.len(), 224, "{out}");
}

/// Hidden files and directories are skipped by default and searched with --hidden.
#[test]
fn hidden() {
    let dir = hay::walkable(test_dir!());
    let default = "\
Script.PY:needle py
docs/README.md:needle in md
notes.txt:needle txt
src/main.rs:fn x() {} // needle
";
    eqnice!(default, run(&dir, &["needle"]));
    let hidden = "\
.hdir/f.txt:needle
.hidden.txt:needle hidden
Script.PY:needle py
docs/README.md:needle in md
notes.txt:needle txt
src/main.rs:fn x() {} // needle
";
    eqnice!(hidden, run(&dir, &["--hidden", "needle"]));
}

/// --no-ignore disables .gitignore, .ignore and .rgignore rules.
#[test]
fn no_ignore() {
    let dir = hay::walkable(test_dir!());
    let expected = "\
Script.PY:needle py
docs/README.md:needle in md
dotig.txt:needle dotignore
ignored.txt:needle ignored
notes.txt:needle txt
rgig.txt:needle rgig
src/main.rs:fn x() {} // needle
";
    eqnice!(expected, run(&dir, &["--no-ignore", "needle"]));
}

/// --no-ignore-vcs disables .gitignore but keeps .ignore and .rgignore.
#[test]
fn no_ignore_vcs() {
    let dir = hay::walkable(test_dir!());
    let expected = "\
Script.PY:needle py
docs/README.md:needle in md
ignored.txt:needle ignored
notes.txt:needle txt
src/main.rs:fn x() {} // needle
";
    eqnice!(expected, run(&dir, &["--no-ignore-vcs", "needle"]));
}

/// --no-ignore-dot disables .ignore and .rgignore but keeps .gitignore.
#[test]
fn no_ignore_dot() {
    let dir = hay::walkable(test_dir!());
    let expected = "\
Script.PY:needle py
docs/README.md:needle in md
dotig.txt:needle dotignore
notes.txt:needle txt
rgig.txt:needle rgig
src/main.rs:fn x() {} // needle
";
    eqnice!(expected, run(&dir, &["--no-ignore-dot", "needle"]));
}

/// A .gitignore in a parent of the search path applies unless --no-ignore-parent is given.
#[test]
fn no_ignore_parent() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "p.txt\n");
    dir.create("sub/p.txt", "needle p\n");
    dir.create("sub/q.txt", "needle q\n");
    let mut cmd = dir.command();
    cmd.cmd.current_dir(dir.root.join("sub"));
    eqnice!("q.txt:needle q\n", cmd.args(["needle"]).stdout());
    let mut cmd = dir.command();
    cmd.cmd.current_dir(dir.root.join("sub"));
    let expected = "p.txt:needle p\nq.txt:needle q\n";
    eqnice!(expected, cmd.args(["--no-ignore-parent", "needle"]).stdout());
    let expected = "sub/p.txt:needle p\nsub/q.txt:needle q\n";
    eqnice!(expected, run(&dir, &["--no-ignore-parent", "needle", "sub"]));
}

/// -u, -uu and -uuu progressively disable ignores, hidden filtering and binary filtering.
#[test]
fn unrestricted_levels() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "ignored.txt\n");
    dir.create("ignored.txt", "needle\n");
    dir.create(".hidden.txt", "needle\n");
    dir.create("bin.dat", "needle\0bin\n");
    dir.create("plain.txt", "needle\n");
    eqnice!("plain.txt:needle\n", run(&dir, &["needle"]));
    eqnice!("ignored.txt:needle\nplain.txt:needle\n", run(&dir, &["-u", "needle"]));
    let uu = ".hidden.txt:needle\nignored.txt:needle\nplain.txt:needle\n";
    eqnice!(uu, run(&dir, &["-uu", "needle"]));
    let uuu = "\
.hidden.txt:needle
bin.dat: binary file matches (found \"\\0\" byte around offset 6)
ignored.txt:needle
plain.txt:needle
";
    eqnice!(uuu, run(&dir, &["-uuu", "needle"]));
}

/// Symlinked directories and files are skipped when walking unless -L/--follow is given.
#[test]
fn follow_symlinks() {
    let dir = test_dir!();
    dir.create("real/r.txt", "needle real\n");
    dir.create("f.txt", "needle file\n");
    symlink(&dir, "real", "link");
    symlink(&dir, "f.txt", "flink.txt");
    eqnice!("f.txt:needle file\nreal/r.txt:needle real\n", run(&dir, &["needle"]));
    let followed = "\
f.txt:needle file
flink.txt:needle file
link/r.txt:needle real
real/r.txt:needle real
";
    eqnice!(followed, run(&dir, &["-L", "needle"]));
    eqnice!(followed, run(&dir, &["--follow", "needle"]));
}

/// A symlink named explicitly is searched, whether it points at a file or a directory.
#[test]
fn symlink_explicit_paths() {
    let dir = test_dir!();
    dir.create("real/r.txt", "needle real\n");
    dir.create("f.txt", "needle file\n");
    symlink(&dir, "real", "link");
    symlink(&dir, "f.txt", "flink.txt");
    eqnice!("needle file\n", run(&dir, &["needle", "flink.txt"]));
    eqnice!("link/r.txt:needle real\n", run(&dir, &["needle", "link"]));
}

/// Files named on the command line are searched whatever the filters say
/// (ignore files, globs, types, hidden, size), as ripgrep does.
#[test]
fn explicit_files_bypass_filters() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "ign.c\n");
    dir.create("ign.c", "needle c\n");
    dir.create(".hid", "needle hid\n");
    let both = ".hid:needle hid\nign.c:needle c\n";
    eqnice!(both, run(&dir, &["needle", ".hid", "ign.c"]));
    eqnice!(
        both,
        run(&dir, &["-g", "!*.c", "-tpy", "--max-filesize", "1", "needle", ".hid", "ign.c"])
    );
}

/// -d/--max-depth limits how deep the walk descends.
#[test]
fn max_depth() {
    let dir = test_dir!();
    dir.create("d0.txt", "needle\n");
    dir.create("x/d1.txt", "needle\n");
    dir.create("x/y/d2.txt", "needle\n");
    eqnice!("d0.txt\n", run(&dir, &["-d", "1", "--files"]));
    eqnice!("d0.txt:needle\nx/d1.txt:needle\n", run(&dir, &["--max-depth", "2", "needle"]));
    eqnice!("needle\n", run(&dir, &["--max-depth", "0", "needle", "x/d1.txt"]));
}

/// --max-filesize skips files larger than the limit, with K suffixes understood.
#[test]
fn max_filesize() {
    let dir = test_dir!();
    dir.create("big.txt", format!("{}needle\n", "x".repeat(2000)));
    dir.create("small.txt", "needle\n");
    eqnice!("small.txt:needle\n", run(&dir, &["--max-filesize", "1K", "needle"]));
    eqnice!("big.txt\nsmall.txt\n", run(&dir, &["--max-filesize", "3000", "--files"]));
}

/// --files lists the files that would be searched, in path order.
#[test]
fn files() {
    let dir = hay::walkable(test_dir!());
    let expected = "\
Script.PY
docs/README.md
notes.txt
src/main.rs
";
    eqnice!(expected, run(&dir, &["--files"]));
    let hidden = "\
.gitignore
.hdir/f.txt
.hidden.txt
.ignore
.rgignore
Script.PY
docs/README.md
notes.txt
src/main.rs
";
    eqnice!(hidden, run(&dir, &["--files", "--hidden"]));
}

/// One thread and four threads give exactly the same output.
#[test]
fn threads_same_output() {
    let dir = test_dir!();
    for i in 0..30 {
        dir.create(format!("d{}/f{:02}.txt", i % 4, i), format!("head\nneedle {i}\ntail\n"));
    }
    let expected: String = (0..30)
        .map(|i| (i % 4, i))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(d, i)| format!("d{d}/f{i:02}.txt:2:needle {i}\n"))
        .collect();
    let one = run(&dir, &["-j1", "-n", "needle"]);
    let four = run(&dir, &["-j4", "-n", "needle"]);
    eqnice!(&expected, &one);
    eqnice!(&expected, &four);
}

/// --sort path and --sortr path order results forwards and backwards.
#[test]
fn sort_path() {
    let dir = hay::walkable(test_dir!());
    let forward = "Script.PY\ndocs/README.md\nnotes.txt\nsrc/main.rs\n";
    eqnice!(forward, run(&dir, &["--sort", "path", "--files"]));
    let backward = "src/main.rs\nnotes.txt\ndocs/README.md\nScript.PY\n";
    eqnice!(backward, run(&dir, &["--sortr", "path", "--files"]));
    let matches = "\
src/main.rs:fn x() {} // needle
notes.txt:needle txt
docs/README.md:needle in md
Script.PY:needle py
";
    eqnice!(matches, run(&dir, &["--sortr", "path", "needle"]));
}

/// --sort modified orders by modification time, oldest first; --sortr reverses it.
#[test]
fn sort_modified() {
    let dir = test_dir!();
    dir.create("a.txt", "needle\n");
    dir.create("b.txt", "needle\n");
    dir.create("c.txt", "needle\n");
    set_mtime(&dir, "a.txt", 1_578_009_600);
    set_mtime(&dir, "b.txt", 1_577_836_800);
    set_mtime(&dir, "c.txt", 1_577_923_200);
    eqnice!(
        "b.txt:needle\nc.txt:needle\na.txt:needle\n",
        run(&dir, &["--sort", "modified", "needle"])
    );
    eqnice!(
        "a.txt:needle\nc.txt:needle\nb.txt:needle\n",
        run(&dir, &["--sortr", "modified", "needle"])
    );
    eqnice!("b.txt\nc.txt\na.txt\n", run(&dir, &["--sort", "modified", "--files"]));
}

/// Rules in .gitignore (globs, negation, directories, anchoring) are honoured in a git tree.
#[test]
fn gitignore_rules() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "*.log\n!keep.log\nbuild/\n/rootonly.txt\n");
    dir.create("x.log", "needle\n");
    dir.create("keep.log", "needle\n");
    dir.create("build/o.txt", "needle\n");
    dir.create("rootonly.txt", "needle\n");
    dir.create("a/rootonly.txt", "needle\n");
    dir.create("a/b/deep.log", "needle\n");
    dir.create("a/.gitignore", "*.md\n");
    dir.create("a/n.md", "needle\n");
    let expected = "a/rootonly.txt:needle\nkeep.log:needle\n";
    eqnice!(expected, run(&dir, &["needle"]));
}

/// A .gitignore outside a git repository is not honoured, but .ignore is.
#[test]
fn gitignore_needs_git_repo() {
    let dir = test_dir!();
    dir.create(".gitignore", "a.txt\n");
    dir.create(".ignore", "b.txt\n");
    dir.create("a.txt", "needle\n");
    dir.create("b.txt", "needle\n");
    dir.create("c.txt", "needle\n");
    eqnice!("a.txt:needle\nc.txt:needle\n", run(&dir, &["needle"]));
}

/// .rgignore takes precedence over .ignore and .gitignore, including `!` re-includes.
#[test]
fn rgignore_precedence() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "*.log\n");
    dir.create(".ignore", "c/\n");
    dir.create(".rgignore", "!x.log\n");
    dir.create("x.log", "needle\n");
    dir.create("y.log", "needle\n");
    dir.create("c/n.md", "needle\n");
    dir.create("t.txt", "needle\n");
    eqnice!("t.txt:needle\nx.log:needle\n", run(&dir, &["needle"]));
}

/// A file listed in .dnignore is not searched (dn-specific; there is no ripgrep equivalent).
#[test]
fn dnignore() {
    let dir = test_dir!();
    dir.create(".dnignore", "skip.txt\n");
    dir.create("keep.txt", "needle\n");
    dir.create("skip.txt", "needle\n");
    eqnice!("keep.txt:needle\n", run(&dir, &["needle"]));
    eqnice!("keep.txt\n", run(&dir, &["--files"]));
    eqnice!("keep.txt:needle\nskip.txt:needle\n", run(&dir, &["--no-ignore", "needle"]));
}

/// A file with a NUL byte is skipped when found by walking.
#[test]
fn binary_skipped_when_walking() {
    let dir = test_dir!();
    dir.create("bin.dat", "needle\0bin\n");
    dir.create("t.txt", "needle\n");
    eqnice!("t.txt:needle\n", run(&dir, &["needle"]));
    eqnice!("t.txt:1\n", run(&dir, &["-c", "needle"]));
}

/// A binary file named explicitly reports "binary file matches" with the NUL offset.
#[test]
fn binary_explicit_path() {
    let dir = test_dir!();
    dir.create("bin.dat", "needle\0bin\n");
    dir.create("t.txt", "needle\n");
    let alone = "binary file matches (found \"\\0\" byte around offset 6)\n";
    eqnice!(alone, run(&dir, &["needle", "bin.dat"]));
    let both = "\
bin.dat: binary file matches (found \"\\0\" byte around offset 6)
t.txt:needle
";
    eqnice!(both, run(&dir, &["needle", "bin.dat", "t.txt"]));
}

/// A NUL byte far into a walked file stops the search with a warning after earlier matches.
#[test]
fn binary_late_nul_when_walking() {
    let dir = test_dir!();
    dir.create("late.bin", format!("needle early\n{}\n\0needle late\n", "x".repeat(200_000)));
    dir.create("t.txt", "needle\n");
    let expected = concat!(
        "late.bin:needle early\n",
        "late.bin: WARNING: stopped searching binary file after match ",
        "(found \"\\0\" byte around offset 200014)\n",
        "t.txt:needle\n",
    );
    eqnice!(expected, run(&dir, &["needle"]));
    let explicit = "\
needle early
binary file matches (found \"\\0\" byte around offset 200014)
";
    eqnice!(explicit, run(&dir, &["needle", "late.bin"]));
}

/// Inverted matching on an explicitly named binary file behaves like ripgrep.
#[test]
fn binary_explicit_invert() {
    let dir = test_dir!();
    dir.create("s2.bin", "a\nb\n\0c\n");
    let msg = "binary file matches (found \"\\0\" byte around offset 4)\n";
    eqnice!(msg, run(&dir, &["-v", "zzz", "s2.bin"]));
    eqnice!("3\n", run(&dir, &["-c", "-v", "zzz", "s2.bin"]));
}

/// File names that are not valid UTF-8 are printed as their raw bytes.
#[test]
fn non_utf8_file_name() {
    let dir = test_dir!();
    let name = PathBuf::from(std::ffi::OsStr::from_bytes(b"bad\xffname.txt"));
    dir.create(&name, "needle ff\n");
    dir.create("a.txt", "needle\n");
    eqnice!(b"bad\xffname.txt:needle ff\n", run(&dir, &["ff"]));
    eqnice!(b"a.txt\nbad\xffname.txt\n", run(&dir, &["--files"]));
    eqnice!(b"bad\xffname.txt\0", run(&dir, &["--null", "-l", "ff"]));
}

/// A file without a trailing newline gets one added to its last printed line.
#[test]
fn no_trailing_newline() {
    let dir = test_dir!();
    dir.create("nonl.txt", "first\nneedle no newline");
    eqnice!("nonl.txt:needle no newline\n", run(&dir, &["needle"]));
    eqnice!("needle\n", run(&dir, &["-o", "needle", "nonl.txt"]));
    eqnice!("2\n", run(&dir, &["-c", "", "nonl.txt"]));
}

/// Empty files never match, are listed by --files and by --files-without-match.
#[test]
fn empty_file() {
    let dir = test_dir!();
    dir.create("empty.txt", "");
    dir.create("full.txt", "needle\n");
    no_match(&dir, &["-c", "", "empty.txt"]);
    eqnice!("empty.txt\nfull.txt\n", run(&dir, &["--files"]));
    eqnice!("empty.txt\n", run(&dir, &["--files-without-match", "needle"]));
}

/// A 100k-character line is printed in full, and its match column is exact.
#[test]
fn long_line() {
    let dir = test_dir!();
    let line = format!("{}needle{}", "a".repeat(50_000), "b".repeat(50_000));
    dir.create("long.txt", format!("{line}\n"));
    eqnice!(format!("long.txt:{line}\n"), run(&dir, &["needle"]));
    eqnice!("1:50001:needle\n", run(&dir, &["--column", "-o", "needle", "long.txt"]));
    eqnice!("[Omitted long matching line]\n", run(&dir, &["-M", "10", "needle", "long.txt"]));
}

/// With stdin piped and no path, stdin is searched instead of the current directory.
#[test]
fn stdin_no_path() {
    let dir = test_dir!();
    dir.create("a.txt", "needle in file\n");
    let out = dir.command().args(["needle"]).with_stdin(b"a needle\nno\nneedle b\n");
    assert_eq!(out.status.code(), Some(0));
    eqnice!("a needle\nneedle b\n", &out.stdout);
    let out = dir.command().args(["-H", "needle"]).with_stdin(b"x needle\n");
    eqnice!("<stdin>:x needle\n", &out.stdout);
    let out = dir.command().args(["needle"]).with_stdin(b"nothing\n");
    assert_eq!(out.status.code(), Some(1));
    eqnice!("", &out.stdout);
}

/// `-` names stdin explicitly and can be mixed with files, keeping argument order.
#[test]
fn stdin_dash() {
    let dir = test_dir!();
    dir.create("a.txt", "needle\n");
    let out = dir.command().args(["-n", "needle", "-"]).with_stdin(b"a needle\nno\n");
    eqnice!("1:a needle\n", &out.stdout);
    let out = dir.command().args(["needle", "-", "a.txt"]).with_stdin(b"a needle\n");
    eqnice!("<stdin>:a needle\na.txt:needle\n", &out.stdout);
    let out = dir.command().args(["needle", "a.txt", "-"]).with_stdin(b"a needle\n");
    eqnice!("a.txt:needle\n<stdin>:a needle\n", &out.stdout);
    let out = dir.command().args(["--heading", "needle", "-", "a.txt"]).with_stdin(b"a needle\n");
    eqnice!("<stdin>\na needle\n\na.txt\nneedle\n", &out.stdout);
}

/// Binary data on stdin is reported like an explicit binary file.
#[test]
fn stdin_binary() {
    let dir = test_dir!();
    let out = dir.command().args(["needle"]).with_stdin(b"a\0needle\n");
    eqnice!("binary file matches (found \"\\0\" byte around offset 1)\n", &out.stdout);
}

/// The implicit `./` is stripped when no path is given but kept for an explicit `./` or `.`.
#[test]
fn dot_slash_prefix() {
    let dir = test_dir!();
    dir.create("a.txt", "needle\n");
    dir.create("sub/b.txt", "needle\n");
    eqnice!("a.txt:needle\nsub/b.txt:needle\n", run(&dir, &["needle"]));
    eqnice!("./a.txt:needle\n./sub/b.txt:needle\n", run(&dir, &["needle", "./"]));
    eqnice!("./a.txt:needle\n./sub/b.txt:needle\n", run(&dir, &["needle", "."]));
    eqnice!("./sub/b.txt:needle\n", run(&dir, &["needle", "./sub"]));
    eqnice!("needle\n", run(&dir, &["needle", "./a.txt"]));
    eqnice!("./a.txt\n./sub/b.txt\n", run(&dir, &["--files", "."]));
}

/// A FIFO met while walking is skipped without blocking the search.
#[test]
fn fifo_does_not_hang() {
    let dir = test_dir!();
    dir.create("a.txt", "needle\n");
    let status = std::process::Command::new("mkfifo").arg(dir.root.join("fifo")).status().unwrap();
    assert!(status.success());
    let mut cmd = dir.command();
    cmd.args(["needle"]);
    cmd.cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dn did not finish within 10 s with a FIFO in the tree");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    eqnice!("a.txt:needle\n", &out.stdout);
}

/// A file reached through a link is read to its end however its reads
/// come: a link, in a directory of regular files, to a procfs file (whose
/// reads stop short, a page at a time) is counted whole, walked with -L and
/// named among more than ten files (so that it is read, not mapped).
#[test]
fn a_link_to_procfs_is_read_to_its_end() {
    let dir = test_dir!();
    let names: Vec<String> = (0..11).map(|i| format!("f{i:02}")).collect();
    for n in &names {
        dir.create(n, "x\n");
    }
    std::os::unix::fs::symlink("/proc/kallsyms", dir.root.join("ks")).unwrap();
    // kallsyms reads the same for every reader, and is long.
    let Ok(text) = std::fs::read_to_string("/proc/kallsyms") else {
        eprintln!("skipped: /proc/kallsyms cannot be read here");
        return;
    };
    let lines = text.lines().count();
    assert!(lines > 1000, "/proc/kallsyms has {lines} lines");
    let want = format!("ks:{lines}\n");
    let mut cmd = dir.command();
    cmd.args(["-c", "-L", "-g", "ks", "."]);
    eqnice!(want.clone(), cmd.stdout());
    let mut cmd = dir.command();
    cmd.args(["-c", "."]).args(&names).args(["ks"]);
    let out = String::from_utf8(cmd.stdout()).unwrap();
    assert!(out.ends_with(&want), "{out}");
}

/// --vimgrep prints `path:line:column:text` once per match.
#[test]
fn vimgrep() {
    let dir = hay::greetings(test_dir!());
    let expected = "\
a.txt:1:5:hello world
a.txt:2:5:Hello World
a.txt:3:3:foo bar
b.txt:2:5:hello there
";
    eqnice!(expected, run(&dir, &["--vimgrep", "o ", "a.txt", "b.txt"]));
}

/// Walked files read into the worker's first buffer (64 KiB) and searched
/// there, or past it: BOMs are still sniffed and a NUL byte at or just past
/// the buffer's end gives ripgrep's verdict (this output is rg 15's).
#[test]
fn walked_files_at_the_first_buffer_edges() {
    let dir = test_dir!();
    let top = "needle top\n";
    for size in [65535, 65536, 65537] {
        let body = format!("{top}{}\0", "x".repeat(size - top.len() - 1));
        dir.create(format!("s{size}.bin"), body);
    }
    dir.create("t65537.txt", format!("{top}{}\n\0needle after\n", "y".repeat(65536 - 12)));
    let utf16: Vec<u8> = "hi needle\nno\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    dir.create("u16.txt", [&[0xFF, 0xFE][..], &utf16].concat());
    dir.create("u8bom.txt", b"\xEF\xBB\xBFneedle first\n");
    let expected = concat!(
        "s65537.bin:1:needle top\n",
        "s65537.bin: WARNING: stopped searching binary file after match ",
        "(found \"\\0\" byte around offset 65536)\n",
        "t65537.txt:1:needle top\n",
        "t65537.txt: WARNING: stopped searching binary file after match ",
        "(found \"\\0\" byte around offset 65536)\n",
        "u16.txt:1:hi needle\n",
        "u8bom.txt:1:needle first\n",
    );
    eqnice!(expected, run(&dir, &["-n", "needle"]));
}

/// `--no-encoding` undoes an earlier `-E` (BOMs are sniffed again), and a
/// later `-E` undoes it, as in ripgrep.
#[test]
fn no_encoding_undoes_encoding() {
    let dir = test_dir!();
    let utf16: Vec<u8> = "hi needle\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    dir.create("u16.txt", [&[0xFF, 0xFE][..], &utf16].concat());
    no_match(&dir, &["-E", "none", "needle", "u16.txt"]);
    eqnice!("hi needle\n", run(&dir, &["-E", "none", "--no-encoding", "needle", "u16.txt"]));
    no_match(&dir, &["--no-encoding", "-E", "none", "needle", "u16.txt"]);
}

/// The flags that undo others (as a config file's flags are undone on the
/// command line): the one given last wins.
#[test]
fn undoing_flags_last_one_wins() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "ignored.txt\n");
    dir.create("ignored.txt", "needle\n");
    dir.create(".hidden.txt", "needle\n");
    dir.create("plain.txt", "needle\n");
    let plain = "plain.txt:needle\n";
    eqnice!(plain, run(&dir, &["--hidden", "--no-hidden", "needle"]));
    eqnice!(
        ".hidden.txt:needle\nplain.txt:needle\n",
        run(&dir, &["--no-hidden", "--hidden", "needle"])
    );
    eqnice!(plain, run(&dir, &["--no-ignore", "--ignore", "needle"]));
    eqnice!("needle\n", run(&dir, &["-F", "--no-fixed-strings", "n.edle", "plain.txt"]));
    no_match(&dir, &["--no-fixed-strings", "-F", "n.edle", "plain.txt"]);
}

/// --no-context-separator drops the `--` between context blocks and between
/// files, as in ripgrep (this output is rg 15's); a later
/// --context-separator brings one back.
#[test]
fn no_context_separator() {
    let dir = test_dir!();
    for f in ["f1.txt", "f2.txt"] {
        dir.create(f, "a\nneedle\nb\nc\nd\ne\nneedle\n");
    }
    let one = |f: &str| format!("{f}-a\n{f}:needle\n{f}-b\n{f}-e\n{f}:needle\n");
    let expected = one("f1.txt") + &one("f2.txt");
    eqnice!(expected, run(&dir, &["-C1", "--no-context-separator", "needle"]));
    let back = run(&dir, &["-C1", "--no-context-separator", "--context-separator", "XX", "needle"]);
    let f1 = "f1.txt-a\nf1.txt:needle\nf1.txt-b\nXX\nf1.txt-e\nf1.txt:needle\n";
    eqnice!(format!("{f1}XX\n"), &back[..f1.len() + 3]);
}

/// -p is --color always --heading -n, each part overridable.
#[test]
fn pretty_is_color_heading_line_numbers() {
    let dir = test_dir!();
    dir.create("a.txt", "x\nneedle\n");
    let long = run(&dir, &["--color", "always", "--heading", "-n", "needle"]);
    assert!(long.starts_with(b"\x1b["), "{}", String::from_utf8_lossy(&long));
    eqnice!(long, run(&dir, &["-p", "needle"]));
    eqnice!("a.txt\n2:needle\n", run(&dir, &["-p", "--color", "never", "needle"]));
    eqnice!(
        "a.txt:needle\n",
        run(&dir, &["-p", "--color", "never", "--no-heading", "-N", "needle"])
    );
}

/// --stop-on-nonmatch stops reading a file at the first non-matching line
/// after a match; --mmap on a walked file gives ripgrep's memory-map verdict
/// on binary data past the first 64 KiB (this output is rg 15's).
#[test]
fn stop_on_nonmatch_and_mmap() {
    let dir = test_dir!();
    dir.create("s.txt", "needle 1\nneedle 2\nx\nneedle 3\n");
    eqnice!(
        "1:needle 1\n2:needle 2\n",
        run(&dir, &["--stop-on-nonmatch", "-n", "needle", "s.txt"])
    );
    let late = format!("needle top\n{}\0", "x".repeat(65536 - 11));
    dir.create("late/late.bin", late);
    eqnice!("late/late.bin:needle top\n", run(&dir, &["--mmap", "needle", "late"]));
    let read = run(&dir, &["--no-mmap", "needle", "late"]);
    assert!(String::from_utf8_lossy(&read).contains("WARNING: stopped searching binary file"));
}

/// --no-ignore-messages silences the problems with ignore files, and
/// --ignore-messages brings them back.
#[test]
fn no_ignore_messages() {
    let dir = test_dir!();
    dir.create(".ignore", "{a\n");
    dir.create("a.txt", "needle\n");
    let loud = dir.command().args(["needle"]).output();
    assert!(String::from_utf8_lossy(&loud.stderr).contains("unclosed alternate group"));
    for args in [&["--no-ignore-messages", "needle"][..], &["--no-ignore-messages", "--files"]] {
        let quiet = dir.command().args(args).output();
        eqnice!("", &quiet.stderr);
    }
    let back = dir.command().args(["--no-ignore-messages", "--ignore-messages", "needle"]).output();
    assert!(!back.stderr.is_empty());
}

/// --ignore-file-case-insensitive matches ignore-file globs without regard
/// to case; --no-ignore-file-case-insensitive undoes it.
#[test]
fn ignore_file_case_insensitive() {
    let dir = test_dir!();
    dir.git_init();
    dir.create(".gitignore", "FOO.txt\n");
    dir.create("foo.txt", "needle\n");
    dir.create("bar.txt", "needle\n");
    let both = "bar.txt:needle\nfoo.txt:needle\n";
    eqnice!(both, run(&dir, &["needle"]));
    eqnice!("bar.txt:needle\n", run(&dir, &["--ignore-file-case-insensitive", "needle"]));
    let undone = ["--ignore-file-case-insensitive", "--no-ignore-file-case-insensitive", "needle"];
    eqnice!(both, run(&dir, &undone));
}

/// --pre searches what the command prints: the file is its stdin and its path its argument;
/// --pre-glob picks the files it applies to ('!' excludes), --no-pre turns it off.
#[test]
fn preprocessor() {
    let dir = hay::preprocessed(test_dir!());
    let both = "data/a.txt:SHERLOCK ONE\ndata/b.up:SHERLOCK LOWER\n";
    eqnice!(both, run(&dir, &["--pre", "bin/up.sh", "SHERLOCK", "data"]));
    let args = ["--pre", "bin/up.sh", "--pre-glob", "*.up", "SHERLOCK", "data"];
    eqnice!("data/b.up:SHERLOCK LOWER\n", run(&dir, &args));
    let args = ["--pre", "bin/up.sh", "--pre-glob", "!*.up", "-i", "sherlock", "data"];
    eqnice!("data/a.txt:SHERLOCK ONE\ndata/b.up:sherlock lower\n", run(&dir, &args));
    let args = ["--pre", "bin/tag.sh", "-n", "Sherlock", "data/a.txt"];
    eqnice!("1:data/a.txt: Sherlock one\n", run(&dir, &args));
    eqnice!(
        "data/a.txt:1\ndata/b.up:1\n",
        run(&dir, &["--pre", "./bin/up.sh", "-c", "SHERLOCK", "data"])
    );
    let args = ["--pre", "bin/up.sh", "--no-pre", "Sherlock", "data"];
    eqnice!("data/a.txt:Sherlock one\n", run(&dir, &args));
    eqnice!("data/a.txt:Sherlock one\n", run(&dir, &["--pre=", "Sherlock", "data"]));
    // -z and --pre override each other: the last one wins.
    no_match(&dir, &["--pre", "bin/up.sh", "-z", "SHERLOCK", "data"]);
    eqnice!(both, run(&dir, &["-z", "--pre", "bin/up.sh", "SHERLOCK", "data"]));
}

/// A preprocessor that fails is reported with its stderr, naming the file (exit 2); one that
/// cannot start, likewise. Both in ripgrep's words.
#[test]
fn preprocessor_failures() {
    let dir = hay::preprocessed(test_dir!());
    let out = dir.command().args(["--pre", "bin/fail.sh", "Sherlock", "data/a.txt"]).assert_code(2);
    eqnice!("", &out.stdout);
    let line = "-".repeat(79);
    let expected = format!(
        "dn: data/a.txt: preprocessor command failed: '\"bin/fail.sh\" \"data/a.txt\"': \n\
         {line}\ncannot convert data/a.txt\n{line}\n"
    );
    eqnice!(expected, &out.stderr);
    let out = dir.command().args(["--pre", "nosuch", "Sherlock", "data/a.txt"]).assert_code(2);
    eqnice!("", &out.stdout);
    let expected = "dn: data/a.txt: preprocessor command could not start: '\"nosuch\" \
                    \"data/a.txt\"': No such file or directory (os error 2)\n";
    eqnice!(expected, &out.stderr);
    // The other files are still searched.
    let args = ["--pre", "bin/fail.sh", "--pre-glob", "*.up", "Sherlock", "data"];
    let out = dir.command().args(args).assert_code(2);
    eqnice!("data/a.txt:Sherlock one\n", &out.stdout);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("dn: data/b.up: preprocessor"));
}

/// Hyperlinks (only with colour, as in rg): the default and custom formats, an alias, the
/// --hostname-bin host, and --files. Expected bytes from rg, with this tree's path put in.
#[test]
fn hyperlinks() {
    let dir = test_dir!();
    dir.create("a.txt", "Sherlock one\nnothing\n");
    dir.create("bin/host.sh", "#!/bin/sh\necho \"  testhost  \"\n");
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.root.join("bin/host.sh");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let abs = std::fs::canonicalize(&dir.root).unwrap().join("a.txt");
    let abs = abs.display();
    let host = ["--hostname-bin", "bin/host.sh"];
    let mut args = vec!["--color=always", "--hyperlink-format=file://{host}{path}#{line}"];
    args.extend(host);
    args.extend(["-H", "--column", "Sherlock", "a.txt"]);
    let expected = format!(
        "\x1b]8;;file://testhost{abs}#1\x1b\\\x1b[0m\x1b[35ma.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\
         \x1b[0m1\x1b[0m\x1b]8;;\x1b\\:\x1b[0m\x1b[1m\x1b[31mSherlock\x1b[0m one\n"
    );
    eqnice!(expected, run(&dir, &args));
    let mut args = vec!["--color=always", "--hyperlink-format=default", "--files", "a.txt"];
    args.extend(host);
    let expected =
        format!("\x1b]8;;file://testhost{abs}\x1b\\\x1b[0m\x1b[35ma.txt\x1b[0m\x1b]8;;\x1b\\\n");
    eqnice!(expected, run(&dir, &args));
    let mut args = vec!["--color=always", "--hyperlink-format=vscode", "-l", "Sherlock"];
    args.extend(host);
    let expected =
        format!("\x1b]8;;vscode://file{abs}:1:1\x1b\\\x1b[0m\x1b[35ma.txt\x1b[0m\x1b]8;;\x1b\\\n");
    eqnice!(expected, run(&dir, &args));
    // No colour, no hyperlinks; an empty format or `none` turns them off.
    eqnice!("Sherlock one\n", run(&dir, &["--hyperlink-format=default", "Sherlock", "a.txt"]));
    let plain = "\x1b[0m\x1b[35ma.txt\x1b[0m\n";
    eqnice!(plain, run(&dir, &["--color=always", "--hyperlink-format=", "--files", "a.txt"]));
    eqnice!(plain, run(&dir, &["--color=always", "--hyperlink-format=none", "--files", "a.txt"]));
}

/// -u (--no-ignore) leaves --ignore-file in force (rg's f1466).
#[test]
fn no_ignore_keeps_ignore_file() {
    let dir = test_dir!();
    dir.git_init();
    dir.create("foo", "");
    dir.create("bar", "");
    dir.create(".myignore", "bar");
    eqnice!("foo\n", run(&dir, &["--files", "--ignore-file", ".myignore", "-u"]));
    eqnice!("foo\n", run(&dir, &["--files", "--ignore-file", ".myignore", "--no-ignore"]));
    let all = "bar\nfoo\n";
    eqnice!(all, run(&dir, &["--files", "--ignore-file", ".myignore", "--no-ignore-files"]));
}

/// --passthru and -A/-B/-C override each other: the last one wins (rg's r1868).
#[test]
fn passthru_and_context_last_wins() {
    let dir = test_dir!();
    dir.create("test", "foo\nbar\nbaz\nquux\n");
    let cases: [(&[&str], &str); 7] = [
        (&["--passthru", "-C1"], "foo\nbar\nbaz\n"),
        (&["-C1", "--passthru"], "foo\nbar\nbaz\nquux\n"),
        (&["--passthru", "-B1"], "foo\nbar\n"),
        (&["-B1", "--passthru"], "foo\nbar\nbaz\nquux\n"),
        (&["--passthru", "-A1"], "bar\nbaz\n"),
        (&["-A1", "--passthru"], "foo\nbar\nbaz\nquux\n"),
        (&["-A1", "--passthru", "-B1"], "foo\nbar\n"),
    ];
    for (flags, expected) in cases {
        let mut args = flags.to_vec();
        args.extend(["bar", "test"]);
        eqnice!(expected, run(&dir, &args));
    }
}

/// With no path and piped stdin, stdin is searched even where a directory named `-` exists
/// (rg's r1223).
#[test]
fn dash_directory_does_not_hide_stdin() {
    let dir = test_dir!();
    dir.mkdir("-");
    dir.create("a.json", "{}");
    dir.create("a.txt", "some text");
    let out = dir.command().args(["a"]).with_stdin(b"a.json\na.txt");
    assert_eq!(out.status.code(), Some(0));
    eqnice!("a.json\na.txt\n", &out.stdout);
}

/// The deprecated --sort-files is --sort path; --no-sort-files undoes it (rg's f263, r693).
#[test]
fn sort_files_deprecated_flags() {
    let dir = test_dir!();
    for name in ["foo", "abc", "zoo", "bar"] {
        dir.create(name, "test\n");
    }
    eqnice!("abc:test\nbar:test\nfoo:test\nzoo:test\n", run(&dir, &["--sort-files", "test"]));
    eqnice!("abc:1\nbar:1\nfoo:1\nzoo:1\n", run(&dir, &["-C1", "-c", "--sort-files", "test"]));
    let out = run(&dir, &["--sort-files", "--no-sort-files", "-c", "test"]);
    let mut lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["abc:1", "bar:1", "foo:1", "zoo:1"]);
}

/// RIPGREP_CONFIG_PATH is read when DRAGNET_CONFIG_PATH is unset (a relative path is relative
/// to the working directory); DRAGNET_CONFIG_PATH, even empty, takes precedence.
#[test]
fn ripgrep_config_path() {
    let dir = test_dir!();
    dir.create("sherlock", "the Sherlock\nsherlock lower\n");
    dir.create(".ripgreprc", "--ignore-case\n");
    dir.create(".dnrc", "--count\n");
    no_match(&dir, &["SHERLOCK", "sherlock"]);
    let mut cmd = dir.command();
    cmd.cmd.env("RIPGREP_CONFIG_PATH", ".ripgreprc");
    eqnice!("the Sherlock\nsherlock lower\n", cmd.args(["SHERLOCK", "sherlock"]).stdout());
    let mut cmd = dir.command();
    cmd.cmd.env("RIPGREP_CONFIG_PATH", ".ripgreprc").env("DRAGNET_CONFIG_PATH", ".dnrc");
    eqnice!("1\n", cmd.args(["Sherlock", "sherlock"]).stdout());
    let mut cmd = dir.command();
    cmd.cmd.env("RIPGREP_CONFIG_PATH", ".ripgreprc").env("DRAGNET_CONFIG_PATH", "");
    let out = cmd.args(["SHERLOCK", "sherlock"]).assert_code(1);
    eqnice!("", &out.stdout);
    let mut cmd = dir.command();
    cmd.cmd.env("RIPGREP_CONFIG_PATH", "nosuch");
    let out = cmd.args(["Sherlock", "sherlock"]).assert_code(0);
    let expected = "dn: failed to read the file specified in RIPGREP_CONFIG_PATH: nosuch: No such \
                    file or directory (os error 2)\n";
    eqnice!(expected, &out.stderr);
}

/// --dfa-size-limit and --regex-size-limit reach the regex engine: a tiny DFA cache still
/// finds the match (rg's f362), a tiny regex limit refuses the pattern with rg's message.
#[test]
fn regex_size_limits() {
    let dir = test_dir!();
    dir.create("sherlock", "For the Doctor Watsons\nFor\n");
    let args = ["--dfa-size-limit", "10", r"For\s", "sherlock"];
    eqnice!("For the Doctor Watsons\n", run(&dir, &args));
    let args = ["--regex-size-limit", "10K", r"[0-9]\w+", "sherlock"];
    let out = dir.command().args(args).assert_code(2);
    eqnice!("dn: compiled regex exceeds size limit of 10240\n", &out.stderr);
}

/// When filters leave nothing to search, rg's two-line hint is printed (its words, word for
/// word, as rg's f1404 checks); nothing with --no-messages.
#[test]
fn nothing_searched_hint() {
    let dir = test_dir!();
    dir.create(".ignore", "ignored-dir/**");
    dir.create("ignored-dir/foo", "needle");
    let out = dir.command().args(["needle"]).assert_code(2);
    let expected = "dn: No files were searched, which means ripgrep probably applied a filter you \
                    didn't expect.\nRunning with --debug will show why files are being skipped.\n";
    eqnice!(expected, &out.stderr);
    let out = dir.command().args(["--no-messages", "needle"]).assert_code(2);
    eqnice!("", &out.stderr);
}
