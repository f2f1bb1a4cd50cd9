//! The trees the integration tests search, shared by the test modules:
//! each builder fills a fresh directory (see `test_dir!`) and returns it.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::util::Dir;

/// Builds the small greeting tree shared by the matching and printing tests.
pub fn greetings(dir: Dir) -> Dir {
    dir.create("a.txt", "hello world\nHello World\nfoo bar\nfoobar baz\nhelloworld\n");
    dir.create("b.txt", "nothing\nhello there\nHELLO\n");
    dir.create("sub/c.rs", "sub hello\nbar\n");
    dir
}

/// Builds a tree for context tests: twenty numbered lines and two short files.
pub fn contexts(dir: Dir) -> Dir {
    let numbered: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    dir.create("n.txt", numbered);
    dir.create("m.txt", "x\nmatch\ny\n");
    dir.create("trim.txt", "   indented match\n\tTab match\n");
    dir
}

/// Builds a git tree with ignore files, hidden entries and several file types.
pub fn walkable(dir: Dir) -> Dir {
    dir.git_init();
    dir.create("src/main.rs", "fn x() {} // needle\n");
    dir.create("docs/README.md", "needle in md\n");
    dir.create("notes.txt", "needle txt\n");
    dir.create("Script.PY", "needle py\n");
    dir.create(".hidden.txt", "needle hidden\n");
    dir.create(".hdir/f.txt", "needle\n");
    dir.create(".gitignore", "ignored.txt\n");
    dir.create("ignored.txt", "needle ignored\n");
    dir.create(".ignore", "dotig.txt\n");
    dir.create("dotig.txt", "needle dotignore\n");
    dir.create(".rgignore", "rgig.txt\n");
    dir.create("rgig.txt", "needle rgig\n");
    dir
}

/// Two small text files, one with two matches of hello.
pub fn two_files(dir: Dir) -> Dir {
    dir.create("a.txt", "hello world\nhelloworld\n");
    dir.create("b.txt", "nothing here\n");
    dir
}

/// Builds the editor tree: ignore rules, hidden files, a CRLF file, a non-UTF-8 name, a
/// `node_modules` folder and (when `git`) a `.git` directory with a config that mentions needle.
pub fn editors(dir: Dir, git: bool) -> Dir {
    if git {
        dir.git_init();
        dir.create(".git/config", "[core]\n\tneedle = true\n");
    }
    dir.create(".gitignore", "ignored.txt\nbuild/\n");
    dir.create("ignored.txt", "needle ignored by git\n");
    dir.create("build/out.txt", "needle in build\n");
    dir.create(".hidden.txt", "hidden Needle\n");
    dir.create(".config/settings.json", "{\"needle\": true}\n");
    dir.create("node_modules/pkg/index.js", "module.exports = 'needle';\n");
    dir.create("src/main.rs", "fn main() {\n    let needle = 1;\n    let NEEDLE = 2;\n}\n");
    dir.create("src/lib.rs", "// a.b (needle) literal\npub fn find_needle() {}\n");
    dir.create("src/sub/deep.rs", "const Needle: u8 = 0;\n");
    dir.create("docs/guide.md", "Find the needle.\nNo match here.\n");
    dir.create("crlf.txt", "needle one\r\nplain\r\nNeedle two\r\n");
    dir.create(OsStr::from_bytes(b"caf\xe9.txt"), b"needle latin1 caf\xe9\n");
    dir
}

/// Builds a tree of 3000 files over nested directories, some matching.
pub fn many_files(dir: Dir) -> Dir {
    for i in 0..3000 {
        let body = match i % 5 {
            0 => format!("needle {i}\nhay\nneedle again {i}\n"),
            1 => "hay only\n".repeat(i % 40 + 1),
            2 => format!("{}needle at the end {i}\n", "filler line\n".repeat(i % 300)),
            3 => String::new(),
            _ => format!("context before\nNeedle {i}\ncontext after\n"),
        };
        dir.create(format!("d{}/e{}/f{i:04}.txt", i % 7, i % 13), body);
    }
    dir
}

/// The sherlock text used throughout ripgrep's own tests.
pub const SHERLOCK: &str = "\
For the Doctor Watsons of this world, as opposed to the Sherlock
Holmeses, success in the province of detective work must always
be, to a very large extent, the result of luck. Sherlock Holmes
can extract a clew from a wisp of straw or a flake of cigar ash;
but Doctor Watson has to have it taken out for him and dusted,
and exhibited clearly, with a label attached.
";

/// Builds the five files the expected outputs were made from.
pub fn json_corpus(dir: Dir) -> Dir {
    dir.create("sherlock.txt", SHERLOCK);
    dir.create(OsStr::from_bytes(b"bad\xffname.txt"), b"caf\xe9 Watson latin1 line\nplain line\n");
    dir.create("bin2.dat", b"Watson first\nmore\0tail Watson\n");
    dir.create("inv.txt", "keep a\nfoo b\nkeep c\nkeep d\n");
    dir.create("nonl.txt", "no newline at end Watson");
    dir
}

/// A tree with look-around, backreference, case, CRLF and Unicode material.
pub fn pcre2_material(dir: Dir) -> Dir {
    dir.create("a.txt", "foo bar\nfoobar\nthe Sherlock\nabcabc\nFOO Bar\nnaïve café\n");
    dir.create("b.txt", "line one\r\nline two\r\n");
    dir
}

/// A small tree: matches in several files, in different case, a context
/// line, and a file with an escape sequence in it.
pub fn screen_material(dir: Dir) -> Dir {
    dir.create("b.txt", "one needle\ntwo\nthree Needle\n");
    dir.create("a/x.rs", "fn main() {}\nlet needle = 1;\n");
    dir.create("c.md", "nothing here\n");
    dir.create("evil.txt", "clip \x1b]52;c;ZXZpbA==\x07 needle\n");
    dir
}

/// A tree for the preprocessor tests: the data under `data/`, and three preprocessors under
/// `bin/`: one that reads the file on its stdin, one that reads the path it is given, one
/// that fails.
pub fn preprocessed(dir: Dir) -> Dir {
    dir.create("data/a.txt", "Sherlock one\nnothing\n");
    dir.create("data/b.up", "sherlock lower\n");
    dir.create("bin/up.sh", "#!/bin/sh\ntr a-z A-Z\n");
    dir.create("bin/tag.sh", "#!/bin/sh\nsed \"s|^|$1: |\" \"$1\"\n");
    dir.create("bin/fail.sh", "#!/bin/sh\necho \"cannot convert $1\" >&2\nexit 3\n");
    for script in ["up.sh", "tag.sh", "fail.sh"] {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.root.join("bin").join(script);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}
