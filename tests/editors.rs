//! Editor integration: the exact command lines that VS Code, telescope.nvim, Neovim's `grepprg`,
//! fzf.vim, fzf-lua, consult, deadgrep and xref pass to ripgrep must print what `rg` prints.
//!
//! Every expected literal below was produced once by running `rg --sort path` (ripgrep 15.2.0)
//! with the same arguments on the same tree, with stdout piped and stdin closed. JSON output has
//! its `elapsed` objects replaced by `E`, as in `json.rs`. The flag sets come from
//! shared/research/users-and-editors.md, section 2.

use std::process::Command;

use crate::hay;
use crate::json::{normalise, Message};
use crate::util::Dir;

/// Adds `long.txt` (lines of 5007 and 1507 bytes) and `notes.txt.gz` (made by `gzip`).
fn add_long_and_gzip(dir: &Dir) {
    let long = format!("short needle\n{} needle\n{} needle\n", "x".repeat(5000), "y".repeat(1500));
    dir.create("long.txt", long);
    dir.create("notes.txt", "needle zipped\nanother line\n");
    let status =
        Command::new("gzip").args(["-n", "notes.txt"]).current_dir(&dir.root).status().unwrap();
    assert!(status.success(), "gzip failed");
}

/// Runs `dn args` in `dir`, asserting exit 0, and returns stdout.
fn run(dir: &Dir, args: &[&str]) -> Vec<u8> {
    dir.command().args(args).stdout()
}

/// Runs a `--json` command in `dir`, checks exit 0 and that VS Code's parser would accept every
/// line (one typed message per `\n`-terminated line), and returns the normalised output.
fn run_json(dir: &Dir, args: &[&str]) -> String {
    let text = String::from_utf8(run(dir, args)).expect("JSON output is UTF-8");
    assert!(text.ends_with('\n'), "last JSON line is not terminated");
    for line in text.lines() {
        let parsed: Result<Message, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not a ripgrep message: {line}: {parsed:?}");
    }
    normalise(&text)
}

/// Runs `dn args` in `dir`, asserting exit 2 and empty stdout; returns stderr as text.
fn error(dir: &Dir, args: &[&str]) -> String {
    let out = dir.command().args(args).assert_code(2);
    eqnice!("", &out.stdout);
    String::from_utf8(out.stderr).unwrap()
}

/// VS Code text search, regex form: case-insensitive, hidden files, `-g '!…'` excludes, `--crlf`
/// (so `.` stops before `\r`), `--engine auto`, `--json`, then `-- .`.
#[test]
fn vscode_text_search_regex() {
    let dir = hay::editors(test_dir!(), true);
    let got = run_json(
        &dir,
        &[
            "--hidden",
            "--no-require-git",
            "--ignore-case",
            "-g",
            "!**/node_modules",
            "-g",
            "!**/.git",
            "--no-ignore-parent",
            "--crlf",
            "--engine",
            "auto",
            "--regexp",
            r"ne+dle\b.*",
            "--no-config",
            "--no-ignore-global",
            "--json",
            "--",
            ".",
        ],
    );
    let expected = r#"{"type":"begin","data":{"path":{"text":"./.config/settings.json"}}}
{"type":"match","data":{"path":{"text":"./.config/settings.json"},"lines":{"text":"{\"needle\": true}\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"needle\": true}"},"start":2,"end":16}]}}
{"type":"end","data":{"path":{"text":"./.config/settings.json"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":17,"bytes_printed":283,"matched_lines":1,"matches":1}}}
{"type":"begin","data":{"path":{"text":"./.hidden.txt"}}}
{"type":"match","data":{"path":{"text":"./.hidden.txt"},"lines":{"text":"hidden Needle\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Needle"},"start":7,"end":13}]}}
{"type":"end","data":{"path":{"text":"./.hidden.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":14,"bytes_printed":249,"matched_lines":1,"matches":1}}}
{"type":"begin","data":{"path":{"bytes":"Li9jYWbpLnR4dA=="}}}
{"type":"match","data":{"path":{"bytes":"Li9jYWbpLnR4dA=="},"lines":{"bytes":"bmVlZGxlIGxhdGluMSBjYWbpCg=="},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"needle latin1 caf"},"start":0,"end":17}]}}
{"type":"end","data":{"path":{"bytes":"Li9jYWbpLnR4dA=="},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":19,"bytes_printed":282,"matched_lines":1,"matches":1}}}
{"type":"begin","data":{"path":{"text":"./crlf.txt"}}}
{"type":"match","data":{"path":{"text":"./crlf.txt"},"lines":{"text":"needle one\r\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"needle one"},"start":0,"end":10}]}}
{"type":"match","data":{"path":{"text":"./crlf.txt"},"lines":{"text":"Needle two\r\n"},"line_number":3,"absolute_offset":19,"submatches":[{"match":{"text":"Needle two"},"start":0,"end":10}]}}
{"type":"end","data":{"path":{"text":"./crlf.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":31,"bytes_printed":438,"matched_lines":2,"matches":2}}}
{"type":"begin","data":{"path":{"text":"./docs/guide.md"}}}
{"type":"match","data":{"path":{"text":"./docs/guide.md"},"lines":{"text":"Find the needle.\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"needle."},"start":9,"end":16}]}}
{"type":"end","data":{"path":{"text":"./docs/guide.md"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":32,"bytes_printed":257,"matched_lines":1,"matches":1}}}
{"type":"begin","data":{"path":{"text":"./src/lib.rs"}}}
{"type":"match","data":{"path":{"text":"./src/lib.rs"},"lines":{"text":"// a.b (needle) literal\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"needle) literal"},"start":8,"end":23}]}}
{"type":"match","data":{"path":{"text":"./src/lib.rs"},"lines":{"text":"pub fn find_needle() {}\n"},"line_number":2,"absolute_offset":24,"submatches":[{"match":{"text":"needle() {}"},"start":12,"end":23}]}}
{"type":"end","data":{"path":{"text":"./src/lib.rs"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":48,"bytes_printed":473,"matched_lines":2,"matches":2}}}
{"type":"begin","data":{"path":{"text":"./src/main.rs"}}}
{"type":"match","data":{"path":{"text":"./src/main.rs"},"lines":{"text":"    let needle = 1;\n"},"line_number":2,"absolute_offset":12,"submatches":[{"match":{"text":"needle = 1;"},"start":8,"end":19}]}}
{"type":"match","data":{"path":{"text":"./src/main.rs"},"lines":{"text":"    let NEEDLE = 2;\n"},"line_number":3,"absolute_offset":32,"submatches":[{"match":{"text":"NEEDLE = 2;"},"start":8,"end":19}]}}
{"type":"end","data":{"path":{"text":"./src/main.rs"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":54,"bytes_printed":464,"matched_lines":2,"matches":2}}}
{"type":"begin","data":{"path":{"text":"./src/sub/deep.rs"}}}
{"type":"match","data":{"path":{"text":"./src/sub/deep.rs"},"lines":{"text":"const Needle: u8 = 0;\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Needle: u8 = 0;"},"start":6,"end":21}]}}
{"type":"end","data":{"path":{"text":"./src/sub/deep.rs"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":22,"bytes_printed":274,"matched_lines":1,"matches":1}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":2720,"bytes_searched":256,"elapsed":E,"matched_lines":11,"matches":11,"searches":9,"searches_with_match":8}},"type":"summary"}
"#;
    eqnice!(expected, got);
}

/// VS Code text search with a folder include: `-g '!*'` first, then the include's anchored
/// components (`src/**/*.rs` spread into four globs), a `**` include, then the excludes. No `.git`
/// here, so `--no-require-git` is what keeps `.gitignore` in force.
#[test]
fn vscode_text_search_includes_after_exclude_all() {
    let dir = hay::editors(test_dir!(), false);
    let got = run_json(
        &dir,
        &[
            "--hidden",
            "--no-require-git",
            "--case-sensitive",
            "-g",
            "!*",
            "-g",
            "/src",
            "-g",
            "/src/**",
            "-g",
            "/src/**/*.rs",
            "-g",
            "/src/**/*.rs/**",
            "-g",
            "**/*.md",
            "-g",
            "!**/node_modules",
            "--no-ignore-parent",
            "--crlf",
            "--engine",
            "auto",
            "--regexp",
            "Needle|needle",
            "--no-config",
            "--json",
            "--",
            ".",
        ],
    );
    let expected = r#"{"type":"begin","data":{"path":{"text":"./src/lib.rs"}}}
{"type":"match","data":{"path":{"text":"./src/lib.rs"},"lines":{"text":"// a.b (needle) literal\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"needle"},"start":8,"end":14}]}}
{"type":"match","data":{"path":{"text":"./src/lib.rs"},"lines":{"text":"pub fn find_needle() {}\n"},"line_number":2,"absolute_offset":24,"submatches":[{"match":{"text":"needle"},"start":12,"end":18}]}}
{"type":"end","data":{"path":{"text":"./src/lib.rs"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":48,"bytes_printed":459,"matched_lines":2,"matches":2}}}
{"type":"begin","data":{"path":{"text":"./src/main.rs"}}}
{"type":"match","data":{"path":{"text":"./src/main.rs"},"lines":{"text":"    let needle = 1;\n"},"line_number":2,"absolute_offset":12,"submatches":[{"match":{"text":"needle"},"start":8,"end":14}]}}
{"type":"end","data":{"path":{"text":"./src/main.rs"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":54,"bytes_printed":256,"matched_lines":1,"matches":1}}}
{"type":"begin","data":{"path":{"text":"./src/sub/deep.rs"}}}
{"type":"match","data":{"path":{"text":"./src/sub/deep.rs"},"lines":{"text":"const Needle: u8 = 0;\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Needle"},"start":6,"end":12}]}}
{"type":"end","data":{"path":{"text":"./src/sub/deep.rs"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":22,"bytes_printed":265,"matched_lines":1,"matches":1}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":980,"bytes_searched":124,"elapsed":E,"matched_lines":4,"matches":4,"searches":3,"searches_with_match":3}},"type":"summary"}
"#;
    eqnice!(expected, got);
}

/// VS Code text search, fixed-string form with surrounding context: the literal comes after
/// `--`, before `.`, and context lines become `context` messages.
#[test]
fn vscode_text_search_fixed_strings() {
    let dir = hay::editors(test_dir!(), true);
    let got = run_json(
        &dir,
        &[
            "--hidden",
            "--no-require-git",
            "--ignore-case",
            "-g",
            "!**/node_modules",
            "-g",
            "!**/.git",
            "--no-ignore-parent",
            "--crlf",
            "--fixed-strings",
            "--no-config",
            "--no-ignore-global",
            "--json",
            "--before-context",
            "1",
            "--after-context",
            "1",
            "--",
            "a.b (needle)",
            ".",
        ],
    );
    let expected = r#"{"type":"begin","data":{"path":{"text":"./src/lib.rs"}}}
{"type":"match","data":{"path":{"text":"./src/lib.rs"},"lines":{"text":"// a.b (needle) literal\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"a.b (needle)"},"start":3,"end":15}]}}
{"type":"context","data":{"path":{"text":"./src/lib.rs"},"lines":{"text":"pub fn find_needle() {}\n"},"line_number":2,"absolute_offset":24,"submatches":[]}}
{"type":"end","data":{"path":{"text":"./src/lib.rs"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":48,"bytes_printed":420,"matched_lines":1,"matches":1}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":420,"bytes_searched":256,"elapsed":E,"matched_lines":1,"matches":1,"searches":9,"searches_with_match":1}},"type":"summary"}
"#;
    eqnice!(expected, got);
}

/// VS Code text search for a pattern with a newline: VS Code rewrites `\n` to `\r?\n` and adds
/// `--multiline`; the match spans two CRLF lines.
#[test]
fn vscode_text_search_multiline_crlf() {
    let dir = hay::editors(test_dir!(), true);
    let got = run_json(
        &dir,
        &[
            "--hidden",
            "--no-require-git",
            "--ignore-case",
            "-g",
            "!**/node_modules",
            "-g",
            "!**/.git",
            "--no-ignore-parent",
            "--crlf",
            "--engine",
            "auto",
            "--regexp",
            r"one\r?\nplain",
            "--no-config",
            "--no-ignore-global",
            "--json",
            "--multiline",
            "--",
            ".",
        ],
    );
    let expected = r#"{"type":"begin","data":{"path":{"text":"./crlf.txt"}}}
{"type":"match","data":{"path":{"text":"./crlf.txt"},"lines":{"text":"needle one\r\nplain\r\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"one\r\nplain"},"start":7,"end":17}]}}
{"type":"end","data":{"path":{"text":"./crlf.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":31,"bytes_printed":257,"matched_lines":2,"matches":1}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":257,"bytes_searched":256,"elapsed":E,"matched_lines":2,"matches":1,"searches":9,"searches_with_match":1}},"type":"summary"}
"#;
    eqnice!(expected, got);
}

/// VS Code file search (quick open): `--files --hidden --follow` with excludes; the symlinked
/// folder is listed through the link.
#[test]
fn vscode_file_search() {
    let dir = hay::editors(test_dir!(), true);
    std::os::unix::fs::symlink("docs", dir.root.join("linked")).unwrap();
    let got = run(
        &dir,
        &[
            "--files",
            "--hidden",
            "--case-sensitive",
            "--no-require-git",
            "-g",
            "!**/.git",
            "-g",
            "!**/node_modules",
            "--no-ignore-parent",
            "--follow",
            "--no-config",
            "--no-ignore-global",
        ],
    );
    let expected = b"\
.config/settings.json\n\
.gitignore\n\
.hidden.txt\n\
caf\xe9.txt\n\
crlf.txt\n\
docs/guide.md\n\
linked/guide.md\n\
src/lib.rs\n\
src/main.rs\n\
src/sub/deep.rs\n\
";
    eqnice!(expected, got);
}

/// telescope.nvim live_grep: the default `vimgrep_arguments`, then `-- <prompt>`. A lowercase
/// prompt is case-insensitive under `--smart-case`, a capitalised one is not.
#[test]
fn telescope_live_grep() {
    let dir = hay::editors(test_dir!(), true);
    let base = ["--color=never", "--no-heading", "--with-filename", "--line-number", "--column"];
    let lower = [&base[..], &["--smart-case", "--", "needle"]].concat();
    let expected = b"\
caf\xe9.txt:1:1:needle latin1 caf\xe9\n\
crlf.txt:1:1:needle one\r\n\
crlf.txt:3:1:Needle two\r\n\
docs/guide.md:1:10:Find the needle.\n\
node_modules/pkg/index.js:1:19:module.exports = 'needle';\n\
src/lib.rs:1:9:// a.b (needle) literal\n\
src/lib.rs:2:13:pub fn find_needle() {}\n\
src/main.rs:2:9:    let needle = 1;\n\
src/main.rs:3:9:    let NEEDLE = 2;\n\
src/sub/deep.rs:1:7:const Needle: u8 = 0;\n\
";
    eqnice!(expected, run(&dir, &lower));
    let upper = [&base[..], &["--smart-case", "--", "Needle"]].concat();
    let expected = b"\
crlf.txt:3:1:Needle two\r\n\
src/sub/deep.rs:1:7:const Needle: u8 = 0;\n\
";
    eqnice!(expected, run(&dir, &upper));
}

/// Neovim's built-in `grepprg` (`rg --vimgrep -uu`): ignored, hidden and `.git` files are
/// searched, binary files are not.
#[test]
fn neovim_grepprg() {
    let dir = hay::editors(test_dir!(), true);
    let got = run(&dir, &["--vimgrep", "-uu", "needle"]);
    let expected = b"\
.config/settings.json:1:3:{\"needle\": true}\n\
.git/config:2:2:\tneedle = true\n\
build/out.txt:1:1:needle in build\n\
caf\xe9.txt:1:1:needle latin1 caf\xe9\n\
crlf.txt:1:1:needle one\r\n\
docs/guide.md:1:10:Find the needle.\n\
ignored.txt:1:1:needle ignored by git\n\
node_modules/pkg/index.js:1:19:module.exports = 'needle';\n\
src/lib.rs:1:9:// a.b (needle) literal\n\
src/lib.rs:2:13:pub fn find_needle() {}\n\
src/main.rs:2:9:    let needle = 1;\n\
";
    eqnice!(expected, got);
}

/// consult-ripgrep: `--null` after the path, `--max-columns=1000` omits the two long lines,
/// `--search-zip` reads the gzip file.
#[test]
fn consult_ripgrep() {
    let dir = hay::editors(test_dir!(), true);
    add_long_and_gzip(&dir);
    let got = run(
        &dir,
        &[
            "--null",
            "--line-buffered",
            "--color=never",
            "--max-columns=1000",
            "--path-separator",
            "/",
            "--smart-case",
            "--no-heading",
            "--with-filename",
            "--line-number",
            "--search-zip",
            "-e",
            "needle",
        ],
    );
    let expected = b"\
caf\xe9.txt\x001:needle latin1 caf\xe9\n\
crlf.txt\x001:needle one\r\n\
crlf.txt\x003:Needle two\r\n\
docs/guide.md\x001:Find the needle.\n\
long.txt\x001:short needle\n\
long.txt\x002:[Omitted long matching line]\n\
long.txt\x003:[Omitted long matching line]\n\
node_modules/pkg/index.js\x001:module.exports = 'needle';\n\
notes.txt.gz\x001:needle zipped\n\
src/lib.rs\x001:// a.b (needle) literal\n\
src/lib.rs\x002:pub fn find_needle() {}\n\
src/main.rs\x002:    let needle = 1;\n\
src/main.rs\x003:    let NEEDLE = 2;\n\
src/sub/deep.rs\x001:const Needle: u8 = 0;\n\
";
    eqnice!(expected, got);
}

/// fzf.vim `:Rg`: `--color=always` output, compared as exact ANSI bytes.
#[test]
fn fzf_vim_rg() {
    let dir = hay::editors(test_dir!(), true);
    let got = run(
        &dir,
        &[
            "--column",
            "--line-number",
            "--no-heading",
            "--color=always",
            "--smart-case",
            "--",
            "needle",
        ],
    );
    let expected = b"\
\x1b[0m\x1b[35mcaf\xe9.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m latin1 caf\xe9\n\
\x1b[0m\x1b[35mcrlf.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m one\r\n\
\x1b[0m\x1b[35mcrlf.txt\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m two\r\n\
\x1b[0m\x1b[35mdocs/guide.md\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m10\x1b[0m:Find the \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m.\n\
\x1b[0m\x1b[35mnode_modules/pkg/index.js\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m19\x1b[0m:module.exports = '\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m';\n\
\x1b[0m\x1b[35msrc/lib.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m9\x1b[0m:// a.b (\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m) literal\n\
\x1b[0m\x1b[35msrc/lib.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m13\x1b[0m:pub fn find_\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m() {}\n\
\x1b[0m\x1b[35msrc/main.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m9\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m = 1;\n\
\x1b[0m\x1b[35msrc/main.rs\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m9\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mNEEDLE\x1b[0m = 2;\n\
\x1b[0m\x1b[35msrc/sub/deep.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m7\x1b[0m:const \x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m: u8 = 0;\n\
";
    eqnice!(expected, got);
}

/// fzf-lua grep: `--max-columns=4096` omits the 5007-byte line but prints the 1507-byte one.
#[test]
fn fzf_lua_grep() {
    let dir = hay::editors(test_dir!(), true);
    add_long_and_gzip(&dir);
    let got = run(
        &dir,
        &[
            "--column",
            "--line-number",
            "--no-heading",
            "--color=always",
            "--smart-case",
            "--max-columns=4096",
            "-e",
            "needle",
        ],
    );
    let long_line = "y".repeat(1500);
    let head: &[u8] = b"\
\x1b[0m\x1b[35mcaf\xe9.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m latin1 caf\xe9\n\
\x1b[0m\x1b[35mcrlf.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m one\r\n\
\x1b[0m\x1b[35mcrlf.txt\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m two\r\n\
\x1b[0m\x1b[35mdocs/guide.md\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m10\x1b[0m:Find the \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m.\n\
\x1b[0m\x1b[35mlong.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m7\x1b[0m:short \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m\n\
\x1b[0m\x1b[35mlong.txt\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m5002\x1b[0m:[Omitted long line with 1 matches]\n\
\x1b[0m\x1b[35mlong.txt\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m1502\x1b[0m:";
    let tail: &[u8] = b" \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m\n\
\x1b[0m\x1b[35mnode_modules/pkg/index.js\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m19\x1b[0m:module.exports = '\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m';\n\
\x1b[0m\x1b[35msrc/lib.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m9\x1b[0m:// a.b (\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m) literal\n\
\x1b[0m\x1b[35msrc/lib.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m13\x1b[0m:pub fn find_\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m() {}\n\
\x1b[0m\x1b[35msrc/main.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m9\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m = 1;\n\
\x1b[0m\x1b[35msrc/main.rs\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m9\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mNEEDLE\x1b[0m = 2;\n\
\x1b[0m\x1b[35msrc/sub/deep.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m7\x1b[0m:const \x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m: u8 = 0;\n\
";
    let expected = [head, long_line.as_bytes(), tail].concat();
    eqnice!(expected, got);
}

/// fzf-lua files: `--color=never --files -g "!.git" -g "!.jj"`.
#[test]
fn fzf_lua_files() {
    let dir = hay::editors(test_dir!(), true);
    let got = run(&dir, &["--color=never", "--files", "-g", "!.git", "-g", "!.jj"]);
    let expected = b"\
caf\xe9.txt\n\
crlf.txt\n\
docs/guide.md\n\
node_modules/pkg/index.js\n\
src/lib.rs\n\
src/main.rs\n\
src/sub/deep.rs\n\
";
    eqnice!(expected, got);
}

/// deadgrep: `--color=ansi` with `--no-column`, `--glob=!/.git/`, then `-- <term> .`; exact ANSI
/// bytes, once as is and once with deadgrep's optional `--hidden`.
#[test]
fn deadgrep() {
    let dir = hay::editors(test_dir!(), true);
    let head = [
        "--no-config",
        "--color=ansi",
        "--line-number",
        "--no-heading",
        "--no-column",
        "--with-filename",
        "--smart-case",
    ];
    let plain = [&head[..], &["--glob=!/.git/", "--", "needle", "."]].concat();
    let expected = b"\
\x1b[0m\x1b[35m./caf\xe9.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m latin1 caf\xe9\n\
\x1b[0m\x1b[35m./crlf.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m one\r\n\
\x1b[0m\x1b[35m./crlf.txt\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m two\r\n\
\x1b[0m\x1b[35m./docs/guide.md\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:Find the \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m.\n\
\x1b[0m\x1b[35m./node_modules/pkg/index.js\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:module.exports = '\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m';\n\
\x1b[0m\x1b[35m./src/lib.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:// a.b (\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m) literal\n\
\x1b[0m\x1b[35m./src/lib.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:pub fn find_\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m() {}\n\
\x1b[0m\x1b[35m./src/main.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m = 1;\n\
\x1b[0m\x1b[35m./src/main.rs\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mNEEDLE\x1b[0m = 2;\n\
\x1b[0m\x1b[35m./src/sub/deep.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:const \x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m: u8 = 0;\n\
";
    eqnice!(expected, run(&dir, &plain));
    let hidden = [&head[..], &["--hidden", "--glob=!/.git/", "--", "needle", "."]].concat();
    let expected = b"\
\x1b[0m\x1b[35m./.config/settings.json\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:{\"\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m\": true}\n\
\x1b[0m\x1b[35m./.hidden.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:hidden \x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m\n\
\x1b[0m\x1b[35m./caf\xe9.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m latin1 caf\xe9\n\
\x1b[0m\x1b[35m./crlf.txt\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m one\r\n\
\x1b[0m\x1b[35m./crlf.txt\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m two\r\n\
\x1b[0m\x1b[35m./docs/guide.md\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:Find the \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m.\n\
\x1b[0m\x1b[35m./node_modules/pkg/index.js\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:module.exports = '\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m';\n\
\x1b[0m\x1b[35m./src/lib.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:// a.b (\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m) literal\n\
\x1b[0m\x1b[35m./src/lib.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:pub fn find_\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m() {}\n\
\x1b[0m\x1b[35m./src/main.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m = 1;\n\
\x1b[0m\x1b[35m./src/main.rs\x1b[0m:\x1b[0m\x1b[32m3\x1b[0m:    let \x1b[0m\x1b[1m\x1b[31mNEEDLE\x1b[0m = 2;\n\
\x1b[0m\x1b[35m./src/sub/deep.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:const \x1b[0m\x1b[1m\x1b[31mNeedle\x1b[0m: u8 = 0;\n\
";
    eqnice!(expected, run(&dir, &hidden));
}

/// Emacs xref (`xargs -0 rg --null -nH --no-heading --no-messages -g '!*/' -e R FILES`): files
/// print in argument order, a missing file gives exit 2 and no message.
#[test]
fn emacs_xref() {
    let dir = hay::editors(test_dir!(), true);
    let out = dir
        .command()
        .args(["--null", "-nH", "--no-heading", "--no-messages", "-g", "!*/", "-e", "needle"])
        .args(["src/lib.rs", "gone.txt", "crlf.txt", "docs/guide.md"])
        .assert_code(2);
    let expected = b"\
src/lib.rs\x001:// a.b (needle) literal\n\
src/lib.rs\x002:pub fn find_needle() {}\n\
crlf.txt\x001:needle one\r\n\
docs/guide.md\x001:Find the needle.\n\
";
    eqnice!(expected, out.stdout);
    eqnice!("", out.stderr);
}

/// A DRAGNET_CONFIG_PATH file with `# comment` lines, a blank line and indented flags changes
/// the results (`--smart-case`, a glob); `--no-config` ignores it.
#[test]
fn config_file_applies_unless_no_config() {
    let dir = hay::editors(test_dir!(), true);
    let conf = Dir::new("editors-config-file");
    conf.create(
        "dnrc",
        "# editors share one config\n--smart-case\n\n  # indented comment\n  --glob=!src/sub  \n",
    );
    let with_config = b"\
caf\xe9.txt:1:needle latin1 caf\xe9\n\
crlf.txt:1:needle one\r\n\
crlf.txt:3:Needle two\r\n\
docs/guide.md:1:Find the needle.\n\
node_modules/pkg/index.js:1:module.exports = 'needle';\n\
src/lib.rs:1:// a.b (needle) literal\n\
src/lib.rs:2:pub fn find_needle() {}\n\
src/main.rs:2:    let needle = 1;\n\
src/main.rs:3:    let NEEDLE = 2;\n\
";
    let without_config = b"\
caf\xe9.txt:1:needle latin1 caf\xe9\n\
crlf.txt:1:needle one\r\n\
docs/guide.md:1:Find the needle.\n\
node_modules/pkg/index.js:1:module.exports = 'needle';\n\
src/lib.rs:1:// a.b (needle) literal\n\
src/lib.rs:2:pub fn find_needle() {}\n\
src/main.rs:2:    let needle = 1;\n\
";
    let config = conf.root.join("dnrc");
    let mut cmd = dir.command();
    cmd.cmd.env("DRAGNET_CONFIG_PATH", &config);
    eqnice!(with_config, cmd.args(["-n", "needle"]).stdout());
    let mut cmd = dir.command();
    cmd.cmd.env("DRAGNET_CONFIG_PATH", &config);
    eqnice!(without_config, cmd.args(["-n", "--no-config", "needle"]).stdout());
    eqnice!(without_config, run(&dir, &["-n", "needle"]));
}

/// `--no-config` only counts as a flag: as the pattern after `--` (telescope's form) the config
/// file still applies, as in rg.
#[test]
fn config_file_pattern_named_no_config() {
    let dir = hay::editors(test_dir!(), true);
    dir.create("nc.txt", "--no-config needle\n--NO-CONFIG Needle\n");
    let conf = Dir::new("editors-config-pattern-file");
    conf.create("dnrc", "--smart-case\n");
    let mut cmd = dir.command();
    cmd.cmd.env("DRAGNET_CONFIG_PATH", conf.root.join("dnrc"));
    let got = cmd.args(["-n", "--", "--no-config"]).stdout();
    eqnice!("nc.txt:1:--no-config needle\nnc.txt:2:--NO-CONFIG Needle\n", got);
}

/// A DRAGNET_CONFIG_PATH naming a missing file is reported on stderr and the search still
/// runs (rg: "failed to read the file specified in RIPGREP_CONFIG_PATH", exit 0).
#[test]
fn config_file_missing_is_not_fatal() {
    let dir = hay::editors(test_dir!(), true);
    let mut cmd = dir.command();
    cmd.cmd.env("DRAGNET_CONFIG_PATH", dir.root.join("no-such-dnrc"));
    let out = cmd.args(["-c", "needle"]).assert_code(0);
    let expected = b"\
caf\xe9.txt:1\n\
crlf.txt:1\n\
docs/guide.md:1\n\
node_modules/pkg/index.js:1\n\
src/lib.rs:2\n\
src/main.rs:1\n\
";
    eqnice!(expected, out.stdout);
    assert!(!out.stderr.is_empty(), "the unreadable config file is not reported");
}

/// An invalid regex on its own: rg's `regex parse error:` message, byte for byte.
#[test]
fn error_invalid_regex() {
    let dir = hay::editors(test_dir!(), true);
    let stderr = error(&dir, &["("]);
    eqnice!("dn: regex parse error:\n    (?:()\n    ^\nerror: unclosed group\n", stderr);
}

/// The VS Code regex form (`--engine auto`) with an invalid pattern. rg wraps the error ("regex
/// could not be compiled with either the default regex engine or with PCRE2.") so that a line
/// starts with `regex parse error`, which is the test VS Code applies to every stderr line.
#[test]
fn error_invalid_regex_vscode_engine_auto() {
    let dir = hay::editors(test_dir!(), true);
    let args = ["--hidden", "--no-require-git", "--ignore-case", "--crlf", "--engine", "auto"];
    let args = [&args[..], &["--regexp", "(", "--no-config", "--json", "--", "."]].concat();
    let stderr = error(&dir, &args);
    assert!(stderr.lines().any(|l| l.starts_with("regex parse error")), "stderr: {stderr}");
}

/// A `\n` in a regex without `--multiline`: rg's `the literal "\n" is not allowed` message.
#[test]
fn error_literal_newline() {
    let dir = hay::editors(test_dir!(), true);
    let stderr = error(&dir, &[r"a\nb"]);
    let expected = "dn: the literal \"\\n\" is not allowed in a regex\n\nConsider enabling \
                    multiline mode with the --multiline flag (or -U for short).\nWhen multiline \
                    mode is enabled, new line characters can be matched.\n";
    eqnice!(expected, stderr);
}

/// The same `\n` under `--engine auto`: PCRE2 takes it (as rg with PCRE2 does: no match, exit
/// 1); without PCRE2, rg prints the message as an unprefixed line inside its "could not be
/// compiled with either engine" wrapper.
#[test]
fn error_literal_newline_engine_auto() {
    let dir = hay::editors(test_dir!(), true);
    let args = ["--hidden", "--crlf", "--engine", "auto", "--regexp", r"a\nb", "--json", "."];
    if cfg!(feature = "pcre2") {
        let out = dir.command().args(args).assert_code(1);
        eqnice!("", &out.stderr);
        return;
    }
    let stderr = error(&dir, &args);
    let line = "the literal \"\\n\" is not allowed in a regex";
    assert!(stderr.lines().any(|l| l == line), "stderr: {stderr}");
}

/// Invalid globs: the same `error parsing glob '…': …` line as rg (VS Code matches the prefix).
#[test]
fn error_invalid_glob() {
    let dir = hay::editors(test_dir!(), true);
    let stderr = error(&dir, &["--hidden", "-g", "[", "--regexp", "needle", "--json", "."]);
    eqnice!("dn: error parsing glob '[': unclosed character class; missing ']'\n", stderr);
    let stderr = error(&dir, &["-g", "{a,b", "needle"]);
    let expected = "dn: error parsing glob '{a,b': unclosed alternate group; missing '}' \
                    (maybe escape '{' with '[{]'?)\n";
    eqnice!(expected, stderr);
}

/// An unknown `--encoding`: rg says `error parsing flag --encoding: grep config error: unknown
/// encoding: foo`; VS Code looks for `grep config error: unknown encoding:` in the first line.
#[test]
fn error_unknown_encoding() {
    let dir = hay::editors(test_dir!(), true);
    let stderr = error(&dir, &["--encoding", "foo", "--regexp", "needle", "--json", "."]);
    let first = stderr.lines().next().unwrap_or("");
    assert!(first.contains("grep config error: unknown encoding: foo"), "stderr: {stderr}");
    let expected = "dn: error parsing flag --encoding: grep config error: unknown encoding: foo\n";
    eqnice!(expected, stderr);
}
