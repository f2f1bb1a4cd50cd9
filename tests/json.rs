//! `--json` output: every line must deserialize into ripgrep's message types
//! (unknown fields rejected), and the bytes must equal ripgrep 15's output
//! for the same search once elapsed times are normalised.
//!
//! The expected outputs were produced once by ripgrep 15.2.0 on the files
//! built by `hay::json_corpus(test_dir!())` (see shared/research/rg-json-examples.txt).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use serde::Deserialize;

use crate::hay;

/// A value that is either UTF-8 text or base64 bytes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Data {
    text: Option<String>,
    bytes: Option<String>,
}

/// ripgrep's `elapsed` object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Duration {
    secs: u64,
    nanos: u32,
    human: String,
}

/// Per-file and summary statistics.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Stats {
    elapsed: Duration,
    searches: u64,
    searches_with_match: u64,
    bytes_searched: u64,
    bytes_printed: u64,
    matched_lines: u64,
    matches: u64,
}

/// One submatch of a match or context line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SubMatch {
    #[serde(rename = "match")]
    m: Data,
    replacement: Option<Data>,
    start: usize,
    end: usize,
}

/// A match or context message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Lines {
    path: Data,
    lines: Data,
    line_number: Option<u64>,
    absolute_offset: u64,
    submatches: Vec<SubMatch>,
}

/// The messages of ripgrep's JSON Lines format.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "lowercase", deny_unknown_fields)]
#[allow(dead_code)]
pub enum Message {
    Begin { path: Data },
    End { path: Data, binary_offset: Option<u64>, stats: Stats },
    Match(Lines),
    Context(Lines),
    Summary { elapsed_total: Duration, stats: Stats },
}

/// Replaces every `"elapsed…":{…}` object with `E`.
pub fn normalise(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("\"elapsed") {
        let colon = i + rest[i..].find(':').unwrap();
        let close = colon + rest[colon..].find('}').unwrap();
        out.push_str(&rest[..=colon]);
        out.push('E');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Runs `dn args` on the corpus and checks exit code, schema and bytes.
fn check<I, S>(args: I, code: i32, expected: &str)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let dir = hay::json_corpus(test_dir!());
    let out = dir.command().args(args).assert_code(code);
    let text = String::from_utf8(out.stdout).expect("JSON output is UTF-8");
    for line in text.lines() {
        let parsed: Result<Message, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not a ripgrep message: {line}: {parsed:?}");
    }
    let got: Vec<String> = text.lines().map(normalise).collect();
    eqnice!(expected, got.join("\n"));
}

/// The summary is the last line and sums the per-file stats.
#[test]
fn summary_sums_the_files() {
    let dir = hay::json_corpus(test_dir!());
    let out = dir.command().args(["--json", "-j2", "-e", "Watson", "-e", "keep"]).stdout();
    let text = String::from_utf8(out).unwrap();
    let msgs: Vec<Message> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut matches = 0;
    for m in &msgs[..msgs.len() - 1] {
        if let Message::End { stats, .. } = m {
            matches += stats.matches;
        }
    }
    match msgs.last().unwrap() {
        Message::Summary { stats, .. } => assert_eq!(stats.matches, matches),
        other => panic!("last message is not the summary: {other:?}"),
    }
    assert_eq!(matches, 7);
}

/// The normaliser really removes timing and nothing else.
#[test]
fn normalise_only_touches_elapsed() {
    let line =
        r#"{"a":1,"elapsed":{"secs":0,"nanos":5,"human":"0.1s"},"b":{"elapsed_total":{"x":1}}}"#;
    assert_eq!(normalise(line), r#"{"a":1,"elapsed":E,"b":{"elapsed_total":E}}"#);
}

/// `rg --json -B1 Watson sherlock.txt`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_before_context() {
    let expected = r#"{"type":"begin","data":{"path":{"text":"sherlock.txt"}}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"For the Doctor Watsons of this world, as opposed to the Sherlock\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Watson"},"start":15,"end":21}]}}
{"type":"context","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"can extract a clew from a wisp of straw or a flake of cigar ash;\n"},"line_number":4,"absolute_offset":193,"submatches":[]}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"but Doctor Watson has to have it taken out for him and dusted,\n"},"line_number":5,"absolute_offset":258,"submatches":[{"match":{"text":"Watson"},"start":11,"end":17}]}}
{"type":"end","data":{"path":{"text":"sherlock.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":367,"bytes_printed":740,"matched_lines":2,"matches":2}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":740,"bytes_searched":367,"elapsed":E,"matched_lines":2,"matches":2,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(["--json", "-B1", "Watson", "sherlock.txt"], 0, expected);
}

/// `rg --json Watson $'bad\xffname.txt'`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_non_utf8_path_and_line() {
    let expected = r#"{"type":"begin","data":{"path":{"bytes":"YmFk/25hbWUudHh0"}}}
{"type":"match","data":{"path":{"bytes":"YmFk/25hbWUudHh0"},"lines":{"bytes":"Y2Fm6SBXYXRzb24gbGF0aW4xIGxpbmUK"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Watson"},"start":5,"end":11}]}}
{"type":"end","data":{"path":{"bytes":"YmFk/25hbWUudHh0"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":35,"bytes_printed":275,"matched_lines":1,"matches":1}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":275,"bytes_searched":35,"elapsed":E,"matched_lines":1,"matches":1,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(
        [OsStr::new("--json"), OsStr::new("Watson"), OsStr::from_bytes(b"bad\xffname.txt")],
        0,
        expected,
    );
}

/// `rg --json -j1 --sort path Watson`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_directory_search() {
    let expected = r#"{"type":"begin","data":{"path":{"bytes":"YmFk/25hbWUudHh0"}}}
{"type":"match","data":{"path":{"bytes":"YmFk/25hbWUudHh0"},"lines":{"bytes":"Y2Fm6SBXYXRzb24gbGF0aW4xIGxpbmUK"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Watson"},"start":5,"end":11}]}}
{"type":"end","data":{"path":{"bytes":"YmFk/25hbWUudHh0"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":35,"bytes_printed":275,"matched_lines":1,"matches":1}}}
{"type":"begin","data":{"path":{"text":"nonl.txt"}}}
{"type":"match","data":{"path":{"text":"nonl.txt"},"lines":{"text":"no newline at end Watson"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Watson"},"start":18,"end":24}]}}
{"type":"end","data":{"path":{"text":"nonl.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":24,"bytes_printed":249,"matched_lines":1,"matches":1}}}
{"type":"begin","data":{"path":{"text":"sherlock.txt"}}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"For the Doctor Watsons of this world, as opposed to the Sherlock\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Watson"},"start":15,"end":21}]}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"but Doctor Watson has to have it taken out for him and dusted,\n"},"line_number":5,"absolute_offset":258,"submatches":[{"match":{"text":"Watson"},"start":11,"end":17}]}}
{"type":"end","data":{"path":{"text":"sherlock.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":367,"bytes_printed":541,"matched_lines":2,"matches":2}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":1065,"bytes_searched":453,"elapsed":E,"matched_lines":4,"matches":4,"searches":5,"searches_with_match":3}},"type":"summary"}"#;
    check(["--json", "-j1", "--sort", "path", "Watson"], 0, expected);
}

/// `rg --json -v -A1 keep inv.txt`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_inverted_with_context() {
    let expected = r#"{"type":"begin","data":{"path":{"text":"inv.txt"}}}
{"type":"match","data":{"path":{"text":"inv.txt"},"lines":{"text":"foo b\n"},"line_number":2,"absolute_offset":7,"submatches":[]}}
{"type":"context","data":{"path":{"text":"inv.txt"},"lines":{"text":"keep c\n"},"line_number":3,"absolute_offset":13,"submatches":[{"match":{"text":"keep"},"start":0,"end":4}]}}
{"type":"end","data":{"path":{"text":"inv.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":27,"bytes_printed":361,"matched_lines":1,"matches":0}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":361,"bytes_searched":27,"elapsed":E,"matched_lines":1,"matches":0,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(["--json", "-v", "-A1", "keep", "inv.txt"], 0, expected);
}

/// `rg --json -U '(?s)luck\..*?Watson' sherlock.txt`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_multiline() {
    let expected = r#"{"type":"begin","data":{"path":{"text":"sherlock.txt"}}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"be, to a very large extent, the result of luck. Sherlock Holmes\ncan extract a clew from a wisp of straw or a flake of cigar ash;\nbut Doctor Watson has to have it taken out for him and dusted,\n"},"line_number":3,"absolute_offset":129,"submatches":[{"match":{"text":"luck. Sherlock Holmes\ncan extract a clew from a wisp of straw or a flake of cigar ash;\nbut Doctor Watson"},"start":42,"end":146}]}}
{"type":"end","data":{"path":{"text":"sherlock.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":367,"bytes_printed":531,"matched_lines":3,"matches":1}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":531,"bytes_searched":367,"elapsed":E,"matched_lines":3,"matches":1,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(["--json", "-U", r"(?s)luck\..*?Watson", "sherlock.txt"], 0, expected);
}

/// `rg --json -N -e Sherlock -e Doctor sherlock.txt`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_several_submatches_no_line_numbers() {
    let expected = r#"{"type":"begin","data":{"path":{"text":"sherlock.txt"}}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"For the Doctor Watsons of this world, as opposed to the Sherlock\n"},"line_number":null,"absolute_offset":0,"submatches":[{"match":{"text":"Doctor"},"start":8,"end":14},{"match":{"text":"Sherlock"},"start":56,"end":64}]}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"be, to a very large extent, the result of luck. Sherlock Holmes\n"},"line_number":null,"absolute_offset":129,"submatches":[{"match":{"text":"Sherlock"},"start":48,"end":56}]}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"but Doctor Watson has to have it taken out for him and dusted,\n"},"line_number":null,"absolute_offset":258,"submatches":[{"match":{"text":"Doctor"},"start":4,"end":10}]}}
{"type":"end","data":{"path":{"text":"sherlock.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":367,"bytes_printed":843,"matched_lines":3,"matches":4}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":843,"bytes_searched":367,"elapsed":E,"matched_lines":3,"matches":4,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(["--json", "-N", "-e", "Sherlock", "-e", "Doctor", "sherlock.txt"], 0, expected);
}

/// `rg --json -r Moriarty Watson sherlock.txt`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_replacement() {
    let expected = r#"{"type":"begin","data":{"path":{"text":"sherlock.txt"}}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"For the Doctor Watsons of this world, as opposed to the Sherlock\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Watson"},"replacement":{"text":"Moriarty"},"start":15,"end":21}]}}
{"type":"match","data":{"path":{"text":"sherlock.txt"},"lines":{"text":"but Doctor Watson has to have it taken out for him and dusted,\n"},"line_number":5,"absolute_offset":258,"submatches":[{"match":{"text":"Watson"},"replacement":{"text":"Moriarty"},"start":11,"end":17}]}}
{"type":"end","data":{"path":{"text":"sherlock.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":367,"bytes_printed":609,"matched_lines":2,"matches":2}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":609,"bytes_searched":367,"elapsed":E,"matched_lines":2,"matches":2,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(["--json", "-r", "Moriarty", "Watson", "sherlock.txt"], 0, expected);
}

/// `rg --json '^' nonl.txt`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_empty_match_no_trailing_newline() {
    let expected = r#"{"type":"begin","data":{"path":{"text":"nonl.txt"}}}
{"type":"match","data":{"path":{"text":"nonl.txt"},"lines":{"text":"no newline at end Watson"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":""},"start":0,"end":0}]}}
{"type":"end","data":{"path":{"text":"nonl.txt"},"binary_offset":null,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":24,"bytes_printed":241,"matched_lines":1,"matches":1}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":241,"bytes_searched":24,"elapsed":E,"matched_lines":1,"matches":1,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(["--json", "^", "nonl.txt"], 0, expected);
}

/// `rg --json Watson bin2.dat`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_explicit_binary_file() {
    let expected = r#"{"type":"begin","data":{"path":{"text":"bin2.dat"}}}
{"type":"match","data":{"path":{"text":"bin2.dat"},"lines":{"text":"Watson first\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"Watson"},"start":0,"end":6}]}}
{"type":"match","data":{"path":{"text":"bin2.dat"},"lines":{"text":"more\u0000tail Watson\n"},"line_number":2,"absolute_offset":13,"submatches":[{"match":{"text":"Watson"},"start":10,"end":16}]}}
{"type":"end","data":{"path":{"text":"bin2.dat"},"binary_offset":17,"stats":{"elapsed":E,"searches":1,"searches_with_match":1,"bytes_searched":17,"bytes_printed":433,"matched_lines":2,"matches":2}}}
{"data":{"elapsed_total":E,"stats":{"bytes_printed":433,"bytes_searched":17,"elapsed":E,"matched_lines":2,"matches":2,"searches":1,"searches_with_match":1}},"type":"summary"}"#;
    check(["--json", "Watson", "bin2.dat"], 0, expected);
}

/// `rg --json NOPE sherlock.txt`, as ripgrep 15.2.0 prints it (elapsed times normalised).
#[test]
fn json_no_match_only_summary() {
    let expected = r#"{"data":{"elapsed_total":E,"stats":{"bytes_printed":0,"bytes_searched":367,"elapsed":E,"matched_lines":0,"matches":0,"searches":1,"searches_with_match":0}},"type":"summary"}"#;
    check(["--json", "NOPE", "sherlock.txt"], 1, expected);
}
