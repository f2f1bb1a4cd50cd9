//! A query: the options a worker needs to search files the way the user
//! asked (matcher, searcher, printer, input), as plain data that crosses the
//! pipe, so that workers started later and new queries get exactly what the
//! parent resolved.
//!
//! It holds no compiled state and reads no environment. The parent builds
//! every part once before any worker sees it (`Query::validate`), so a
//! query a worker receives never fails to build there.

use serde::{Deserialize, Serialize};

/// How search results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum SearchMode {
    /// Matching lines, as grep prints them.
    Standard,
    /// The number of matching lines per file (-c).
    Count,
    /// The number of matches per file (--count-matches).
    CountMatches,
    /// The paths of the files with a match (-l).
    FilesWithMatches,
    /// The paths of the files without a match.
    FilesWithoutMatch,
    /// ripgrep's JSON Lines.
    Json,
}

/// Case sensitivity of the pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Case {
    /// Exact case (the default).
    Sensitive,
    /// Any case (-i).
    Insensitive,
    /// Any case unless the pattern has an uppercase letter (-S).
    Smart,
}

/// Which regex engine compiles the patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum EngineChoice {
    /// Rust's regex engine.
    Default,
    /// PCRE2.
    Pcre2,
    /// The default engine, or PCRE2 when the default cannot compile it.
    Auto,
}

/// What the searcher does with a file that looks binary (holds a NUL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Binary {
    /// Search it as text.
    Text,
    /// Stop at the first NUL (skip the rest of the file).
    Quit,
    /// Replace NULs by line terminators and warn on the first match.
    Convert,
}

/// The byte(s) that end a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Terminator {
    /// `\n`.
    Lf,
    /// `\r\n` (also `\n`).
    Crlf,
    /// NUL (--null-data).
    Nul,
}

/// Everything a worker needs for one query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Query {
    /// How patterns are compiled.
    pub(crate) matcher: MatcherOpts,
    /// How files are read and lines found.
    pub(crate) searcher: SearcherOpts,
    /// How results are rendered.
    pub(crate) printer: PrinterOpts,
    /// How a file's bytes are obtained (decompression).
    pub(crate) input: InputOpts,
}

/// The matcher's part of a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MatcherOpts {
    /// The patterns; a line matches when any of them does.
    pub(crate) patterns: Vec<String>,
    /// The engine that compiles them.
    pub(crate) engine: EngineChoice,
    /// Case sensitivity.
    pub(crate) case: Case,
    /// The patterns are literal strings (-F).
    pub(crate) fixed_strings: bool,
    /// Matches must be whole words (-w).
    pub(crate) word: bool,
    /// Matches must be whole lines (-x).
    pub(crate) line_regexp: bool,
    /// Matches may span lines (-U).
    pub(crate) multiline: bool,
    /// `.` matches line terminators (with -U).
    pub(crate) dotall: bool,
    /// How lines end.
    pub(crate) terminator: Terminator,
    /// Unicode-aware patterns are off (--no-unicode).
    pub(crate) no_unicode: bool,
    /// NUL can never match: binary detection stops at it.
    pub(crate) ban_nul: bool,
    /// The size limit of a compiled regex (default engine).
    pub(crate) regex_size_limit: Option<usize>,
    /// The size limit of the DFA cache (default engine).
    pub(crate) dfa_size_limit: Option<usize>,
}

/// The searcher's part of a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SearcherOpts {
    /// Report lines that do not match (-v).
    pub(crate) invert_match: bool,
    /// Stop a file after this many matching lines (-m).
    pub(crate) max_count: Option<u64>,
    /// Count lines, for printing their numbers.
    pub(crate) line_number: bool,
    /// Lines of context before each match.
    pub(crate) before_context: usize,
    /// Lines of context after each match.
    pub(crate) after_context: usize,
    /// Print every line, matching or not (--passthru).
    pub(crate) passthru: bool,
    /// Binary handling of files named on the command line.
    pub(crate) binary_explicit: Binary,
    /// Binary handling of files found by walking.
    pub(crate) binary_implicit: Binary,
    /// An explicit text encoding (a WHATWG label), if one was given.
    pub(crate) encoding: Option<String>,
    /// Look for a byte-order mark to pick the encoding.
    pub(crate) bom_sniffing: bool,
    /// Search files through memory maps when the searcher thinks it pays.
    pub(crate) mmap: bool,
    /// Matches may span lines (-U).
    pub(crate) multiline: bool,
    /// How lines end.
    pub(crate) terminator: Terminator,
    /// Stop reading a file at the first non-matching line after a match.
    pub(crate) stop_on_nonmatch: bool,
}

/// The printer's part of a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PrinterOpts {
    /// The output mode.
    pub(crate) mode: SearchMode,
    /// -q: print nothing, only find out whether something matches.
    pub(crate) quiet: bool,
    /// Write colour escapes.
    pub(crate) color: bool,
    /// The user's --colors specs, applied over ripgrep's defaults.
    pub(crate) colors: Vec<String>,
    /// Print the column of the first match.
    pub(crate) column: bool,
    /// Print the path above a file's lines instead of on each line.
    pub(crate) heading: bool,
    /// Print the path at all.
    pub(crate) with_filename: bool,
    /// Print each line's byte offset.
    pub(crate) byte_offset: bool,
    /// Print only the matched parts (-o).
    pub(crate) only_matching: bool,
    /// One line per match, with line and column (--vimgrep).
    pub(crate) vimgrep: bool,
    /// Replace each match with this (-r).
    pub(crate) replace: Option<Vec<u8>>,
    /// Omit lines longer than this many bytes.
    pub(crate) max_columns: Option<u64>,
    /// Show a preview of an omitted line.
    pub(crate) max_columns_preview: bool,
    /// Trim leading ASCII whitespace.
    pub(crate) trim: bool,
    /// The byte after each path instead of a separator (-0).
    pub(crate) path_terminator: Option<u8>,
    /// The byte printed for `/` in paths.
    pub(crate) path_separator: Option<u8>,
    /// The line between context blocks; None with --no-context-separator.
    pub(crate) context_separator: Option<Vec<u8>>,
    /// Between the fields of a context line.
    pub(crate) field_context_separator: Vec<u8>,
    /// Between the fields of a matching line.
    pub(crate) field_match_separator: Vec<u8>,
    /// Print files with a count of zero too.
    pub(crate) include_zero: bool,
    /// Gather statistics (--stats, --json).
    pub(crate) stats: bool,
    /// Turn paths into hyperlinks (with colour), if a format was given.
    pub(crate) hyperlink: Option<Hyperlinks>,
    /// Show control characters from files visibly (stdout is a terminal).
    pub(crate) sanitize: bool,
}

/// What hyperlinks are made of: the format and the environment the parent
/// found (the worker's is the same machine, but the parent asks once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Hyperlinks {
    /// The --hyperlink-format, as given (a format or an alias; checked).
    pub(crate) format: String,
    /// The {host} value.
    pub(crate) host: Option<String>,
    /// The {wslprefix} value.
    pub(crate) wsl_prefix: Option<String>,
}

/// How a file's bytes are obtained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InputOpts {
    /// Decompress compressed files with their command (-z).
    pub(crate) search_zip: bool,
    /// Search the output of this command (--pre; the path as raw bytes)
    /// instead of the file.
    pub(crate) pre: Option<Vec<u8>>,
    /// The files --pre applies to (--pre-glob; all files when empty).
    pub(crate) pre_globs: Vec<String>,
    /// The directory the globs are relative to (raw bytes).
    pub(crate) cwd: Vec<u8>,
}

impl Query {
    /// Serializes the query for a query frame.
    pub(crate) fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a query always serializes")
    }

    /// Reads a query from a query frame's payload.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Query, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

impl InputOpts {
    /// The matcher of the --pre-glob globs (empty: --pre applies to every
    /// file); fails on a bad glob.
    pub(crate) fn pre_glob_matcher(&self) -> Result<ignore::overrides::Override, ignore::Error> {
        use std::os::unix::ffi::OsStrExt;
        if self.pre_globs.is_empty() {
            return Ok(ignore::overrides::Override::empty());
        }
        let cwd = std::path::Path::new(std::ffi::OsStr::from_bytes(&self.cwd));
        let mut b = ignore::overrides::OverrideBuilder::new(cwd);
        for g in &self.pre_globs {
            b.add(g)?;
        }
        b.build()
    }
}

impl Binary {
    /// The searcher's binary detection for this choice.
    pub(crate) fn detection(self) -> grep_searcher::BinaryDetection {
        match self {
            Binary::Text => grep_searcher::BinaryDetection::none(),
            Binary::Quit => grep_searcher::BinaryDetection::quit(b'\0'),
            Binary::Convert => grep_searcher::BinaryDetection::convert(b'\0'),
        }
    }
}

impl Terminator {
    /// The searcher's line terminator for this choice.
    pub(crate) fn line_terminator(self) -> grep_matcher::LineTerminator {
        match self {
            Terminator::Lf => grep_matcher::LineTerminator::byte(b'\n'),
            Terminator::Crlf => grep_matcher::LineTerminator::crlf(),
            Terminator::Nul => grep_matcher::LineTerminator::byte(b'\0'),
        }
    }
}

#[cfg(test)]
impl Query {
    /// A query with every field set to something (ripgrep's defaults where
    /// they exist), for tests to change. (Long because it is one literal
    /// naming every field of a query.)
    pub(crate) fn for_tests() -> Query {
        Query {
            matcher: MatcherOpts {
                patterns: vec!["x".into()],
                engine: EngineChoice::Default,
                case: Case::Sensitive,
                fixed_strings: false,
                word: false,
                line_regexp: false,
                multiline: false,
                dotall: false,
                terminator: Terminator::Lf,
                no_unicode: false,
                ban_nul: true,
                regex_size_limit: None,
                dfa_size_limit: None,
            },
            searcher: SearcherOpts {
                invert_match: false,
                max_count: None,
                line_number: true,
                before_context: 0,
                after_context: 0,
                passthru: false,
                binary_explicit: Binary::Convert,
                binary_implicit: Binary::Quit,
                encoding: None,
                bom_sniffing: true,
                mmap: false,
                multiline: false,
                terminator: Terminator::Lf,
                stop_on_nonmatch: false,
            },
            printer: PrinterOpts {
                mode: SearchMode::Standard,
                quiet: false,
                color: false,
                colors: vec![],
                column: false,
                heading: false,
                with_filename: true,
                byte_offset: false,
                only_matching: false,
                vimgrep: false,
                replace: None,
                max_columns: None,
                max_columns_preview: false,
                trim: false,
                path_terminator: None,
                path_separator: None,
                context_separator: Some(b"--".to_vec()),
                field_context_separator: b"-".to_vec(),
                field_match_separator: b":".to_vec(),
                include_zero: false,
                stats: false,
                hyperlink: None,
                sanitize: false,
            },
            input: InputOpts {
                search_zip: false,
                pre: None,
                pre_globs: vec![],
                cwd: b"/".to_vec(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query with every kind of field set survives the trip, raw bytes
    /// (not UTF-8) in the replacement, separators and paths included. (Long
    /// because it is one literal naming every field of a query.)
    #[test]
    fn a_query_round_trips() {
        let q = Query {
            matcher: MatcherOpts {
                patterns: vec!["a|b".into(), "ü".into()],
                engine: EngineChoice::Auto,
                case: Case::Smart,
                fixed_strings: false,
                word: true,
                line_regexp: false,
                multiline: true,
                dotall: true,
                terminator: Terminator::Crlf,
                no_unicode: false,
                ban_nul: true,
                regex_size_limit: Some(1 << 20),
                dfa_size_limit: None,
            },
            searcher: SearcherOpts {
                invert_match: true,
                max_count: Some(3),
                line_number: true,
                before_context: 2,
                after_context: 1,
                passthru: false,
                binary_explicit: Binary::Convert,
                binary_implicit: Binary::Quit,
                encoding: Some("utf-16le".into()),
                bom_sniffing: true,
                mmap: false,
                multiline: true,
                terminator: Terminator::Nul,
                stop_on_nonmatch: true,
            },
            printer: PrinterOpts {
                mode: SearchMode::Json,
                quiet: false,
                color: true,
                colors: vec!["path:fg:red".into()],
                column: true,
                heading: false,
                with_filename: true,
                byte_offset: false,
                only_matching: true,
                vimgrep: false,
                replace: Some(vec![0xff, b'$', b'1']),
                max_columns: Some(80),
                max_columns_preview: true,
                trim: true,
                path_terminator: Some(0),
                path_separator: Some(b'\\'),
                context_separator: None,
                field_context_separator: vec![0x80],
                field_match_separator: b":".to_vec(),
                include_zero: true,
                stats: true,
                hyperlink: Some(Hyperlinks {
                    format: "vscode".into(),
                    host: Some("box".into()),
                    wsl_prefix: None,
                }),
                sanitize: true,
            },
            input: InputOpts {
                search_zip: true,
                pre: Some(vec![b'/', 0xfe, b'x']),
                pre_globs: vec!["*.pdf".into()],
                cwd: vec![b'/', 0xff],
            },
        };
        assert_eq!(Query::decode(&q.encode()).unwrap(), q);
        assert!(Query::decode(b"{\"matcher\":1}").is_err());
    }
}
