//! Shapes of work other than one tree: many files named on the command line
//! (read through the worker's first buffer, not memory-mapped), binary data
//! at that buffer's edges, and the searcher's buffer history with one worker.

use crate::util::Dir;

/// Runs dn in `dir` with `args`; returns stdout (exit 0 or 1 expected).
fn run(dir: &Dir, args: &[&str]) -> String {
    let o = dir.command().args(args).output();
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{:?}: {:?}\nstderr: {}",
        args,
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// A tree of files with a NUL byte (or none) just before, at and just past
/// the end of the worker's first 64 KiB buffer, one with a NUL after a
/// line end in its first 3 bytes (the searcher reads 3 bytes first), NULs
/// mid-file, and BOMs; returns the names, sorted.
fn edge_files(dir: &Dir) -> Vec<String> {
    let top = "needle top\n";
    for size in [65535, 65536, 65537] {
        let fill = size - top.len() - 1;
        dir.create(format!("s{size}.bin"), format!("{top}{}\0", "x".repeat(fill)));
        dir.create(
            format!("e{size}.bin"),
            format!("{top}{}\0needle after\nline\n", "y".repeat(fill)),
        );
        dir.create(format!("t{size}.txt"), format!("{top}{}\n", "z".repeat(fill)));
    }
    dir.create("early.bin", "x\nyy\0needle\n");
    dir.create("mid.bin", "needle one\0needle two\nthree\0\0four needle\n");
    let utf16: Vec<u8> = "hi needle\nno\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    dir.create("u16.txt", [&[0xFF, 0xFE][..], &utf16].concat());
    dir.create("u8bom.txt", b"\xEF\xBB\xBFneedle first\n");
    let mut names: Vec<String> = std::fs::read_dir(&dir.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// More than ten named files are read, not mapped: their binary data is
/// converted by a read search wherever it is (this output is rg 15's,
/// `rg --sort path`), with any number of workers.
#[test]
fn named_binary_files_at_the_buffer_edges() {
    let dir = test_dir!();
    let names = edge_files(&dir);
    assert!(names.len() > 10, "enough files to turn memory maps off");
    let lines = "\
e65535.bin: binary file matches (found \"\\0\" byte around offset 65534)
e65536.bin: binary file matches (found \"\\0\" byte around offset 65535)
e65537.bin:1:needle top
e65537.bin: binary file matches (found \"\\0\" byte around offset 65536)
early.bin: binary file matches (found \"\\0\" byte around offset 4)
mid.bin: binary file matches (found \"\\0\" byte around offset 10)
s65535.bin: binary file matches (found \"\\0\" byte around offset 65534)
s65536.bin: binary file matches (found \"\\0\" byte around offset 65535)
s65537.bin:1:needle top
s65537.bin: binary file matches (found \"\\0\" byte around offset 65536)
t65535.txt:1:needle top
t65536.txt:1:needle top
t65537.txt:1:needle top
u16.txt:1:hi needle
u8bom.txt:1:needle first
";
    // Converted NULs are line ends: `-c .` counts the lines they make.
    let counts = "\
e65535.bin:4
e65536.bin:4
e65537.bin:4
early.bin:3
mid.bin:4
s65535.bin:2
s65536.bin:2
s65537.bin:2
t65535.txt:2
t65536.txt:2
t65537.txt:2
u16.txt:2
u8bom.txt:1
";
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for j in ["-j1", "-j2", "-j3"] {
        let args = |flags: &[&'static str]| [&[j][..], flags, &names].concat();
        eqnice!(lines, run(&dir, &args(&["-n", "needle"])));
        eqnice!(counts, run(&dir, &args(&["-c", "."])));
    }
}

/// The same files found by walking: binary data ends the search, after the
/// lines of the searcher's first read (3 bytes) when they hold a line end
/// (this output is rg 15's).
#[test]
fn walked_binary_files_at_the_buffer_edges() {
    let dir = test_dir!();
    edge_files(&dir);
    let needle = "\
e65537.bin:1:needle top
e65537.bin: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 65536)
s65537.bin:1:needle top
s65537.bin: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 65536)
t65535.txt:1:needle top
t65536.txt:1:needle top
t65537.txt:1:needle top
u16.txt:1:hi needle
u8bom.txt:1:needle first
";
    let x = "\
early.bin:1:x
early.bin: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 4)
";
    for j in ["-j1", "-j2"] {
        eqnice!(needle, run(&dir, &[j, "-n", "needle"]));
        eqnice!(x, run(&dir, &[j, "-n", "x", "-g", "*.bin"]));
    }
}

/// With one worker, a file comes to the searcher after the same files as in
/// `rg --sort path`, and finds its buffer grown by them: a 200 KB line
/// grows it, so the next file's NUL at 64 KiB arrives in its first read
/// and hides the line before it (this output is rg 15's).
#[test]
fn one_worker_keeps_the_searchers_buffer_history() {
    let dir = test_dir!();
    dir.create("a-long.txt", format!("needle long\n{}\n", "x".repeat(200_000)));
    dir.create("b.bin", format!("needle top\n{}\0", "x".repeat(65537 - 12)));
    let mut args = vec!["-j1", "-n", "-M20", "needle", "a-long.txt", "b.bin"];
    let pads: Vec<String> = (0..10).map(|i| format!("p{i}.txt")).collect();
    for p in &pads {
        dir.create(p, "plain\n");
        args.push(p);
    }
    let expected = "\
a-long.txt:1:needle long
b.bin: binary file matches (found \"\\0\" byte around offset 65536)
";
    eqnice!(expected, run(&dir, &args));
}

/// More than ten roots are classified by the walk as it reaches them: files,
/// directories, a link to one, stdin and a missing path still come out in
/// the order given, each directory sorted (this output is rg 15's).
#[test]
fn many_roots_of_every_kind_keep_their_order() {
    let dir = test_dir!();
    dir.create("b.txt", "needle b\n").create("a.txt", "needle a\n");
    dir.create("d/x.txt", "needle x\n").create("d/sub/c.txt", "needle c\n");
    std::os::unix::fs::symlink("d", dir.root.join("dl")).unwrap();
    let mut args = vec!["needle", "b.txt", "d", "missing", "a.txt", "dl", "-", "d/sub/c.txt"];
    let pads: Vec<String> = (0..6).map(|i| format!("p{i}.txt")).collect();
    for p in &pads {
        dir.create(p, format!("needle {p}\n"));
        args.push(p);
    }
    let o = dir.command().args(&args).with_stdin(b"needle in\n");
    let expected = "\
b.txt:needle b
d/sub/c.txt:needle c
d/x.txt:needle x
a.txt:needle a
dl/sub/c.txt:needle c
dl/x.txt:needle x
<stdin>:needle in
d/sub/c.txt:needle c
p0.txt:needle p0.txt
p1.txt:needle p1.txt
p2.txt:needle p2.txt
p3.txt:needle p3.txt
p4.txt:needle p4.txt
p5.txt:needle p5.txt
";
    eqnice!(expected, o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("missing: IO error for operation on missing: No such file"), "{err}");
    assert_eq!(o.status.code(), Some(2));
}
