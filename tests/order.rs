//! Output order: any number of workers prints the same bytes as one worker,
//! in sorted path order, on a tree of a few thousand files.

use crate::hay;
use crate::util::Dir;

/// Runs `dn args` with `-jN` and returns stdout.
fn run(dir: &Dir, jobs: &str, args: &[&str]) -> Vec<u8> {
    dir.command().args(["-j", jobs]).args(args).stdout()
}

/// Parallel output equals single-worker output, for several output modes.
#[test]
fn parallel_output_is_identical_to_one_worker() {
    let dir = hay::many_files(test_dir!());
    let cases: &[&[&str]] = &[
        &["needle"],
        &["-n", "-i", "needle"],
        &["-C1", "--heading", "-i", "needle"],
        &["-c", "needle"],
        &["-l", "hay"],
        &["--files-without-match", "needle"],
        &["--json", "needle"],
        &["--vimgrep", "-w", "needle"],
    ];
    for args in cases {
        let one = run(&dir, "1", args);
        assert!(!one.is_empty(), "{args:?} printed nothing");
        for jobs in ["2", "8"] {
            let many = run(&dir, jobs, args);
            if args[0] == "--json" {
                assert_eq!(strip_elapsed(&one), strip_elapsed(&many), "{args:?} with -j{jobs}");
            } else {
                assert!(one == many, "{args:?} with -j{jobs} differs from -j1");
            }
        }
    }
}

/// The file paths come out in sorted order, directory by directory.
#[test]
fn paths_come_out_sorted() {
    let dir = hay::many_files(test_dir!());
    let out = String::from_utf8(run(&dir, "8", &["-l", "needle"])).unwrap();
    let paths: Vec<&str> = out.lines().collect();
    assert_eq!(paths.len(), 1200);
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

/// Removes the timing fields that legitimately differ between runs.
fn strip_elapsed(json: &[u8]) -> String {
    let text = String::from_utf8_lossy(json);
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let mut v = v;
            scrub(&mut v);
            v.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Deletes `elapsed`, `elapsed_total` and `bytes_printed` keys recursively.
fn scrub(v: &mut serde_json::Value) {
    if let Some(map) = v.as_object_mut() {
        map.remove("elapsed");
        map.remove("elapsed_total");
        map.remove("bytes_printed");
        for (_, child) in map.iter_mut() {
            scrub(child);
        }
    }
}

/// A directory's entries come out sorted by name, each subdirectory at its
/// name's place (so `a/x` before `a-b` and `a.txt`, unlike a sort of whole
/// paths), and paths keep the root as written (`d/`, `d//`), as with
/// `rg --sort path`; any number of walker threads gives the same bytes.
#[test]
fn walk_order_is_by_name_per_directory() {
    let dir = test_dir!();
    for rel in ["d/a/x", "d/a-b", "d/a.txt", "d/ab", "d/B", "d/sub/y/z", "d/sub/y.c"] {
        dir.create(rel, "hit\n");
    }
    let want =
        "d/B:hit\nd/a/x:hit\nd/a-b:hit\nd/a.txt:hit\nd/ab:hit\nd/sub/y/z:hit\nd/sub/y.c:hit\n";
    for jobs in ["1", "2", "7"] {
        assert_eq!(String::from_utf8(run(&dir, jobs, &["hit", "d"])).unwrap(), want);
        let slash = want.replace("d/", "d//");
        assert_eq!(String::from_utf8(run(&dir, jobs, &["hit", "d//"])).unwrap(), slash);
    }
}

/// `--sort none` prints each file whole as soon as it is searched: a file
/// named after a FIFO that nobody writes to yet is printed first, and the
/// FIFO's lines come when it is written; every file's lines stay together,
/// and the lines are those of the sorted search.
#[test]
fn sort_none_prints_files_as_they_finish() {
    use std::io::{BufRead, BufReader, Write};
    let dir = hay::many_files(test_dir!());
    let sorted = run(&dir, "2", &["-n", "needle"]);
    let unsorted = run(&dir, "2", &["--sort", "none", "-n", "needle"]);
    let lines = |b: &[u8]| {
        let mut v: Vec<String> = String::from_utf8_lossy(b).lines().map(str::to_owned).collect();
        v.sort();
        v
    };
    assert_eq!(lines(&sorted), lines(&unsorted));
    let mut seen = Vec::new();
    for line in String::from_utf8_lossy(&unsorted).lines() {
        let path = line.split(':').next().unwrap().to_string();
        if seen.last() != Some(&path) {
            assert!(!seen.contains(&path), "{path}'s lines are split");
            seen.push(path);
        }
    }
    let fifo = dir.root.join("slow.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    dir.create("fast.txt", "needle fast\n");
    let mut child = dir
        .command()
        .args(["-j2", "--sort", "none", "needle", "slow.fifo", "fast.txt"])
        .cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The FIFO is fed once the first line was read, or after 20 s if it
    // never comes (so a regression fails the test instead of hanging it).
    let (fed_tx, fed_rx) = std::sync::mpsc::channel::<()>();
    let feeder = std::thread::spawn(move || {
        let _ = fed_rx.recv_timeout(std::time::Duration::from_secs(20));
        let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        w.write_all(b"needle slow\n").unwrap();
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let _ = fed_tx.send(());
    feeder.join().unwrap();
    assert_eq!(first, "fast.txt:needle fast\n", "the later file waited for the FIFO");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert_eq!(rest, "slow.fifo:needle slow\n");
    assert!(child.wait().unwrap().success());
}
