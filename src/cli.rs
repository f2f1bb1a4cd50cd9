//! The command line: every flag `dn` accepts, declared once with clap derive.
//!
//! This is the single source of truth for parsing, `--help`, the man page
//! and the shell completions. It is pure data: no I/O, no validation beyond
//! what clap does (that is `config.rs`'s job).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Parser, ValueEnum};

/// `dn --version`: the version, then the enabled features, as `rg --version`.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\n\nfeatures:-pcre2,+search-zip,+mmap,+json,+progress",
    "\nengine: Rust regex (grep-regex); workers: forked processes"
);

/// When to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    /// Never colour.
    Never,
    /// Colour when stdout is a terminal (and NO_COLOR is unset).
    Auto,
    /// Always colour.
    Always,
    /// Always colour, with ANSI escapes.
    Ansi,
}

/// What order to print results in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SortKind {
    /// Walk order: sorted by path (the default).
    Path,
    /// Last modification time.
    Modified,
    /// Last access time.
    Accessed,
    /// Creation time.
    Created,
    /// Walk order (dn always prints in a deterministic order).
    None,
}

/// Which regex engine to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Engine {
    /// Rust's regex engine (the only one built in).
    Default,
    /// Same as default here.
    Auto,
    /// PCRE2 (not available in dn).
    Pcre2,
}

/// dn (dragnet): recursively search the current directory for lines matching a regex pattern.
///
/// dn respects gitignore rules, skips hidden files and binary files, searches
/// with forked worker processes and prints results in sorted path order.
#[derive(Debug, Parser)]
#[command(
    name = "dn",
    version,
    long_version = LONG_VERSION,
    about = "Recursively search for a regex pattern: sorted, parallel, cancellable.",
    override_usage = "dn [OPTIONS] PATTERN [PATH ...]\n       dn [OPTIONS] -e PATTERN ... [PATH ...]\n       dn [OPTIONS] -f PATTERNFILE ... [PATH ...]\n       dn [OPTIONS] --files [PATH ...]\n       dn [OPTIONS] --type-list",
    max_term_width = 80,
    disable_help_subcommand = true,
    args_override_self = true
)]
pub(crate) struct Args {
    /// A regular expression used for searching, then the files or
    /// directories to search.
    #[arg(value_name = "PATTERN|PATH", allow_hyphen_values = false)]
    pub(crate) positional: Vec<OsString>,

    // ---- input ----
    /// A pattern to search for; can be given more than once.
    ///
    /// A line matches when any of the patterns match. Use this form for
    /// patterns that start with a dash: `dn -e -foo`.
    #[arg(
        short = 'e',
        long = "regexp",
        value_name = "PATTERN",
        help_heading = "Input options",
        allow_hyphen_values = true
    )]
    pub(crate) regexp: Vec<String>,
    /// Search for patterns from the given file, one per line.
    #[arg(short = 'f', long = "file", value_name = "PATTERNFILE", help_heading = "Input options")]
    pub(crate) file: Vec<PathBuf>,
    /// Ignore a config file, if DRAGNET_CONFIG_PATH names one.
    #[arg(long, help_heading = "Input options")]
    pub(crate) no_config: bool,
    /// Search in compressed files (gzip, bzip2, xz, lz4, lzma, brotli, zstd).
    ///
    /// Runs the matching decompression program (gzip, xz, ...) for each
    /// compressed file; the program must be installed.
    #[arg(short = 'z', long, help_heading = "Input options")]
    pub(crate) search_zip: bool,
    /// Read the list of files to ignore from this gitignore-format file.
    #[arg(long, value_name = "PATH", help_heading = "Input options")]
    pub(crate) ignore_file: Vec<PathBuf>,
    /// Match the globs of ignore files case insensitively.
    #[arg(long, help_heading = "Input options")]
    pub(crate) ignore_file_case_insensitive: bool,

    // ---- search ----
    /// Treat CRLF as a line terminator.
    #[arg(long, help_heading = "Search options")]
    pub(crate) crlf: bool,
    /// Search case insensitively.
    #[arg(short = 'i', long, help_heading = "Search options", overrides_with_all = ["case_sensitive", "smart_case"])]
    pub(crate) ignore_case: bool,
    /// Search case sensitively (the default).
    #[arg(short = 's', long, help_heading = "Search options", overrides_with_all = ["ignore_case", "smart_case"])]
    pub(crate) case_sensitive: bool,
    /// Search case insensitively unless the pattern has an uppercase letter.
    ///
    /// Editors pass this by default: `dn -S foo` finds Foo, `dn -S Foo` does
    /// not find foo. -i, -s and -S override each other; the last one wins.
    #[arg(short = 'S', long, help_heading = "Search options", overrides_with_all = ["ignore_case", "case_sensitive"])]
    pub(crate) smart_case: bool,
    /// Which regex engine to use (only the default is built in).
    #[arg(
        long,
        value_enum,
        value_name = "ENGINE",
        default_value = "default",
        help_heading = "Search options"
    )]
    pub(crate) engine: Engine,
    /// Treat the pattern as a literal string.
    #[arg(short = 'F', long, help_heading = "Search options")]
    pub(crate) fixed_strings: bool,
    /// Invert matching: show lines that do not match.
    #[arg(short = 'v', long, help_heading = "Search options")]
    pub(crate) invert_match: bool,
    /// Only show matches surrounded by line boundaries.
    #[arg(short = 'x', long, help_heading = "Search options", overrides_with = "word_regexp")]
    pub(crate) line_regexp: bool,
    /// Only show matches surrounded by word boundaries.
    #[arg(short = 'w', long, help_heading = "Search options", overrides_with = "line_regexp")]
    pub(crate) word_regexp: bool,
    /// Limit the number of matching lines per file.
    #[arg(short = 'm', long, value_name = "NUM", help_heading = "Search options")]
    pub(crate) max_count: Option<u64>,
    /// Let matches span lines.
    #[arg(short = 'U', long, help_heading = "Search options")]
    pub(crate) multiline: bool,
    /// Make '.' match line terminators in multiline mode.
    #[arg(long, help_heading = "Search options")]
    pub(crate) multiline_dotall: bool,
    /// Disable Unicode mode in the pattern.
    #[arg(long, help_heading = "Search options")]
    pub(crate) no_unicode: bool,
    /// Use NUL as the line terminator.
    #[arg(long, help_heading = "Search options")]
    pub(crate) null_data: bool,
    /// Text encoding of the files (auto, none, utf-8, utf-16le, latin1, ...).
    #[arg(
        short = 'E',
        long,
        value_name = "ENCODING",
        help_heading = "Search options",
        overrides_with = "no_encoding"
    )]
    pub(crate) encoding: Option<String>,
    /// Undo -E: detect the encoding from a BOM again (the default).
    #[arg(long, help_heading = "Search options", overrides_with = "encoding", hide = true)]
    pub(crate) no_encoding: bool,
    /// Number of worker processes (default: number of CPUs).
    ///
    /// Workers are forked once at start-up and search files in batches; the
    /// output is identical for any number of workers.
    #[arg(short = 'j', long, value_name = "NUM", help_heading = "Search options")]
    pub(crate) threads: Option<usize>,

    // ---- filter ----
    /// Search binary files, but suppress their matching lines.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) binary: bool,
    /// Follow symbolic links.
    #[arg(short = 'L', long, help_heading = "Filter options")]
    pub(crate) follow: bool,
    /// Include or exclude files matching this glob ('!' excludes).
    ///
    /// Globs use gitignore syntax and override ignore files. May be given
    /// more than once; a later glob takes precedence over an earlier one.
    #[arg(
        short = 'g',
        long,
        value_name = "GLOB",
        help_heading = "Filter options",
        allow_hyphen_values = true
    )]
    pub(crate) glob: Vec<String>,
    /// Match globs case insensitively.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) glob_case_insensitive: bool,
    /// Like --glob, but case insensitive.
    #[arg(long, value_name = "GLOB", help_heading = "Filter options", allow_hyphen_values = true)]
    pub(crate) iglob: Vec<String>,
    /// Search hidden files and directories.
    #[arg(short = '.', long, help_heading = "Filter options")]
    pub(crate) hidden: bool,
    /// Descend at most NUM directories.
    #[arg(
        short = 'd',
        long,
        alias = "maxdepth",
        value_name = "NUM",
        help_heading = "Filter options"
    )]
    pub(crate) max_depth: Option<usize>,
    /// Skip files larger than NUM bytes (suffixes K, M, G).
    #[arg(long, value_name = "NUM+SUFFIX?", help_heading = "Filter options")]
    pub(crate) max_filesize: Option<String>,
    /// Don't respect ignore files (.gitignore, .ignore, .dnignore, ...).
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_ignore: bool,
    /// Don't respect .ignore, .dnignore and .rgignore files.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_ignore_dot: bool,
    /// Don't respect .git/info/exclude.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_ignore_exclude: bool,
    /// Don't respect --ignore-file paths.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_ignore_files: bool,
    /// Don't respect the global gitignore file.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_ignore_global: bool,
    /// Don't respect ignore files in parent directories.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_ignore_parent: bool,
    /// Don't respect version control ignore files.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_ignore_vcs: bool,
    /// Respect .gitignore even outside a git repository.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) no_require_git: bool,
    /// Don't cross file system boundaries.
    #[arg(long, help_heading = "Filter options")]
    pub(crate) one_file_system: bool,
    /// Only search files of this type (see --type-list).
    #[arg(short = 't', long = "type", value_name = "TYPE", help_heading = "Filter options")]
    pub(crate) type_: Vec<String>,
    /// Don't search files of this type.
    #[arg(short = 'T', long = "type-not", value_name = "TYPE", help_heading = "Filter options")]
    pub(crate) type_not: Vec<String>,
    /// Add a file type definition, as 'name:glob'.
    #[arg(long, value_name = "TYPESPEC", help_heading = "Filter options")]
    pub(crate) type_add: Vec<String>,
    /// Clear the globs of a file type.
    #[arg(long, value_name = "TYPE", help_heading = "Filter options")]
    pub(crate) type_clear: Vec<String>,
    /// Reduce filtering: -u no ignore files, -uu also hidden, -uuu also binary.
    ///
    /// -u is --no-ignore, -uu adds --hidden, -uuu adds --binary.
    #[arg(short = 'u', long = "unrestricted", action = ArgAction::Count, help_heading = "Filter options")]
    pub(crate) unrestricted: u8,

    // ---- output ----
    /// Search binary files as if they were text.
    #[arg(short = 'a', long, help_heading = "Output options")]
    pub(crate) text: bool,
    /// Print lines after each match.
    #[arg(short = 'A', long, value_name = "NUM", help_heading = "Output options")]
    pub(crate) after_context: Option<usize>,
    /// Print lines before each match.
    #[arg(short = 'B', long, value_name = "NUM", help_heading = "Output options")]
    pub(crate) before_context: Option<usize>,
    /// Print lines before and after each match.
    #[arg(short = 'C', long, value_name = "NUM", help_heading = "Output options")]
    pub(crate) context: Option<usize>,
    /// Print the 0-based byte offset before each line.
    #[arg(short = 'b', long, help_heading = "Output options")]
    pub(crate) byte_offset: bool,
    /// When to use colour.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        help_heading = "Output options"
    )]
    pub(crate) color: ColorWhen,
    /// Print control characters from files as they are, even on a terminal.
    ///
    /// On a terminal, dn shows the control characters it finds in file
    /// contents and names (escape sequences, carriage returns, ...) in a
    /// visible notation such as ^[ or \u009b, so that no file can drive the
    /// terminal. Output to a pipe or a file is never changed.
    #[arg(long, help_heading = "Output options", overrides_with = "sanitize")]
    pub(crate) no_sanitize: bool,
    /// Undoes --no-sanitize.
    #[arg(long, help_heading = "Output options", overrides_with = "no_sanitize", hide = true)]
    pub(crate) sanitize: bool,
    /// Colour settings, as 'type:attribute:value' (e.g. path:fg:magenta).
    #[arg(long, value_name = "COLOR_SPEC", help_heading = "Output options")]
    pub(crate) colors: Vec<String>,
    /// Show column numbers (1-based byte offset of the first match).
    #[arg(long, help_heading = "Output options", overrides_with = "no_column")]
    pub(crate) column: bool,
    /// Don't show column numbers.
    #[arg(long, help_heading = "Output options", overrides_with = "column", hide = true)]
    pub(crate) no_column: bool,
    /// The string between context blocks.
    #[arg(
        long,
        value_name = "SEPARATOR",
        default_value = "--",
        help_heading = "Output options",
        allow_hyphen_values = true
    )]
    pub(crate) context_separator: String,
    /// Print no separator between context blocks (nor between files).
    #[arg(long, help_heading = "Output options", overrides_with = "context_separator")]
    pub(crate) no_context_separator: bool,
    /// The separator between fields of a context line.
    #[arg(
        long,
        value_name = "SEPARATOR",
        default_value = "-",
        help_heading = "Output options",
        allow_hyphen_values = true
    )]
    pub(crate) field_context_separator: String,
    /// The separator between fields of a matching line.
    #[arg(
        long,
        value_name = "SEPARATOR",
        default_value = ":",
        help_heading = "Output options",
        allow_hyphen_values = true
    )]
    pub(crate) field_match_separator: String,
    /// Alias for --color=always --heading --line-number (for a pager).
    #[arg(short = 'p', long, help_heading = "Output options")]
    pub(crate) pretty: bool,
    /// Print the file path above its matches.
    #[arg(long, help_heading = "Output options", overrides_with = "no_heading")]
    pub(crate) heading: bool,
    /// Print the file path on each matching line.
    #[arg(long, help_heading = "Output options", overrides_with = "heading")]
    pub(crate) no_heading: bool,
    /// Print the file path with each matching line.
    #[arg(short = 'H', long, help_heading = "Output options", overrides_with = "no_filename")]
    pub(crate) with_filename: bool,
    /// Never print the file path.
    #[arg(short = 'I', long, help_heading = "Output options", overrides_with = "with_filename")]
    pub(crate) no_filename: bool,
    /// Show line numbers.
    #[arg(short = 'n', long, help_heading = "Output options", overrides_with = "no_line_number")]
    pub(crate) line_number: bool,
    /// Suppress line numbers.
    #[arg(short = 'N', long, help_heading = "Output options", overrides_with = "line_number")]
    pub(crate) no_line_number: bool,
    /// Omit lines longer than NUM bytes.
    #[arg(short = 'M', long, value_name = "NUM", help_heading = "Output options")]
    pub(crate) max_columns: Option<u64>,
    /// Show a preview of lines longer than --max-columns.
    #[arg(long, help_heading = "Output options")]
    pub(crate) max_columns_preview: bool,
    /// Follow each path with a NUL byte.
    #[arg(short = '0', long, help_heading = "Output options")]
    pub(crate) null: bool,
    /// Print only the matched parts of a line.
    #[arg(short = 'o', long, help_heading = "Output options")]
    pub(crate) only_matching: bool,
    /// Print both matching and non-matching lines.
    #[arg(long, alias = "passthrough", help_heading = "Output options")]
    pub(crate) passthru: bool,
    /// The path separator to print (a single byte).
    #[arg(long, value_name = "SEPARATOR", help_heading = "Output options")]
    pub(crate) path_separator: Option<String>,
    /// Replace every match with this text ($1, ${name} expand groups).
    ///
    /// Only the output changes, never a file. Use $$ for a literal $.
    #[arg(
        short = 'r',
        long,
        value_name = "REPLACEMENT",
        help_heading = "Output options",
        allow_hyphen_values = true
    )]
    pub(crate) replace: Option<String>,
    /// Sort results in ascending order (results are always in a fixed order).
    ///
    /// dn prints in path order by default, at full parallel speed. modified,
    /// accessed and created sort the whole file list first, then search in
    /// parallel and print in that order.
    #[arg(
        long,
        value_enum,
        value_name = "SORTBY",
        help_heading = "Output options",
        overrides_with = "sortr"
    )]
    pub(crate) sort: Option<SortKind>,
    /// Sort results in descending order.
    #[arg(
        long,
        value_enum,
        value_name = "SORTBY",
        help_heading = "Output options",
        overrides_with = "sort"
    )]
    pub(crate) sortr: Option<SortKind>,
    /// Trim leading ASCII whitespace from each line.
    #[arg(long, help_heading = "Output options")]
    pub(crate) trim: bool,
    /// Print one line per match, with line and column: file:line:col:text.
    #[arg(long, help_heading = "Output options")]
    pub(crate) vimgrep: bool,
    /// Flush output after every line.
    #[arg(long, help_heading = "Output options", overrides_with = "block_buffered")]
    pub(crate) line_buffered: bool,
    /// Buffer output in blocks.
    #[arg(long, help_heading = "Output options", overrides_with = "line_buffered")]
    pub(crate) block_buffered: bool,

    // ---- output modes ----
    /// Print the number of matching lines per file.
    #[arg(short = 'c', long, help_heading = "Output modes", overrides_with_all = ["count_matches", "files_with_matches", "files_without_match", "json"])]
    pub(crate) count: bool,
    /// Print the number of matches per file.
    #[arg(long, help_heading = "Output modes", overrides_with_all = ["count", "files_with_matches", "files_without_match", "json"])]
    pub(crate) count_matches: bool,
    /// Print only the paths with at least one match.
    #[arg(short = 'l', long, help_heading = "Output modes", overrides_with_all = ["count", "count_matches", "files_without_match", "json"])]
    pub(crate) files_with_matches: bool,
    /// Print only the paths with no match.
    #[arg(long, help_heading = "Output modes", overrides_with_all = ["count", "count_matches", "files_with_matches", "json"])]
    pub(crate) files_without_match: bool,
    /// Print results as JSON Lines (ripgrep's schema).
    ///
    /// One begin, match/context and end message per file that printed
    /// something, then one summary with the summed statistics. Text that
    /// is not UTF-8 is sent as base64 under "bytes".
    #[arg(long, help_heading = "Output modes", overrides_with_all = ["count", "count_matches", "files_with_matches", "files_without_match"])]
    pub(crate) json: bool,
    /// Include files with zero matches in --count output.
    #[arg(long, help_heading = "Output modes")]
    pub(crate) include_zero: bool,

    // ---- logging ----
    /// Suppress error messages about files that could not be read.
    #[arg(long, help_heading = "Logging options")]
    pub(crate) no_messages: bool,
    /// Suppress messages about ignore files that could not be parsed.
    #[arg(long, help_heading = "Logging options")]
    pub(crate) no_ignore_messages: bool,
    /// Do not print anything; exit 0 on the first match.
    ///
    /// The search stops, and its workers are stopped, at the first match.
    #[arg(short = 'q', long, help_heading = "Logging options")]
    pub(crate) quiet: bool,
    /// Show a live progress line on stderr (default: when stderr is a
    /// terminal and stdout is not).
    ///
    /// The line appears after half a second and shows files searched and
    /// matched, bytes read, the rate and the file being searched. It is
    /// erased when the search ends. Never shown when stderr is not a
    /// terminal.
    #[arg(long, help_heading = "Logging options", overrides_with = "no_progress")]
    pub(crate) progress: bool,
    /// Never show the progress line.
    #[arg(long, help_heading = "Logging options", overrides_with = "progress")]
    pub(crate) no_progress: bool,
    /// Print statistics about the search at the end.
    #[arg(long, help_heading = "Logging options")]
    pub(crate) stats: bool,

    // ---- other ----
    /// Search interactively: results as you type, on a full-screen view.
    ///
    /// Opens a search screen on the terminal (/dev/tty, so stdout can be a
    /// pipe): type to search, results appear as they are found, in path
    /// order. PATTERN, if given, is the first query. Every other flag
    /// applies. Alt-i, Alt-s, Alt-w, Alt-f, Alt-x toggle -i, -S, -w, -F, -x;
    /// Alt-u and Alt-h widen the walk (-u, --hidden); Alt-] and Alt-[ add
    /// and remove lines of context. Up/Down, PgUp/PgDn, Home/End move; Enter
    /// opens the selected line in $VISUAL or $EDITOR; Tab marks a line;
    /// Ctrl-O quits printing the marked (or selected) lines to stdout in the
    /// usual format (with -l, their paths); Alt-p shows the preview; Ctrl-R
    /// walks again; Ctrl-C stops a search, and quits when idle; Esc quits.
    #[arg(short = 'Q', long = "query", help_heading = "Other behaviors")]
    pub(crate) query: bool,
    /// Print the files that would be searched, without searching.
    #[arg(long, help_heading = "Other behaviors")]
    pub(crate) files: bool,
    /// List every file type and its globs.
    #[arg(long, help_heading = "Other behaviors")]
    pub(crate) type_list: bool,
    /// Render the man page or a shell completion script to stdout.
    #[arg(long, value_name = "KIND", hide = true, value_parser = ["man", "complete-bash", "complete-zsh", "complete-fish", "complete-powershell", "complete-elvish"])]
    pub(crate) generate: Option<String>,
    /// Search files through memory maps when possible (by default only up
    /// to ten files named on the command line are).
    #[arg(long, help_heading = "Search options", overrides_with = "no_mmap")]
    pub(crate) mmap: bool,
    /// Never search files through memory maps.
    #[arg(long, help_heading = "Search options", overrides_with = "mmap")]
    pub(crate) no_mmap: bool,
    /// Stop reading a file once a non-matching line follows a match.
    #[arg(long, help_heading = "Search options")]
    pub(crate) stop_on_nonmatch: bool,
    /// Hidden flags that undo others.
    #[command(flatten)]
    pub(crate) negations: Negations,
}

/// The flags that undo another flag (`--no-hidden` for `--hidden`,
/// `--ignore` for `--no-ignore`, ...), as ripgrep has them, so that a flag
/// from a config file can be undone on the command line: of a pair, the one
/// given last wins. clap unsets the other one, so nothing reads these.
#[derive(Debug, clap::Args)]
#[allow(dead_code)]
pub(crate) struct Negations {
    /// Don't search in compressed files (undoes -z).
    #[arg(long = "no-search-zip", hide = true, overrides_with = "search_zip")]
    pub(crate) no_search_zip: bool,
    /// Don't treat CRLF as a line terminator (undoes --crlf).
    #[arg(long = "no-crlf", hide = true, overrides_with = "crlf")]
    pub(crate) no_crlf: bool,
    /// Treat the patterns as regexes again (undoes -F).
    #[arg(long = "no-fixed-strings", hide = true, overrides_with = "fixed_strings")]
    pub(crate) no_fixed_strings: bool,
    /// Print matching lines again (undoes -v).
    #[arg(long = "no-invert-match", hide = true, overrides_with = "invert_match")]
    pub(crate) no_invert_match: bool,
    /// Match within single lines again (undoes -U).
    #[arg(long = "no-multiline", hide = true, overrides_with = "multiline")]
    pub(crate) no_multiline: bool,
    /// Undoes --multiline-dotall.
    #[arg(long = "no-multiline-dotall", hide = true, overrides_with = "multiline_dotall")]
    pub(crate) no_multiline_dotall: bool,
    /// Unicode-aware patterns again (undoes --no-unicode).
    #[arg(long = "unicode", hide = true, overrides_with = "no_unicode")]
    pub(crate) unicode: bool,
    /// Skip binary files again (undoes --binary).
    #[arg(long = "no-binary", hide = true, overrides_with = "binary")]
    pub(crate) no_binary: bool,
    /// Don't follow symbolic links (undoes -L).
    #[arg(long = "no-follow", hide = true, overrides_with = "follow")]
    pub(crate) no_follow: bool,
    /// Undoes --glob-case-insensitive.
    #[arg(
        long = "no-glob-case-insensitive",
        hide = true,
        overrides_with = "glob_case_insensitive"
    )]
    pub(crate) no_glob_case_insensitive: bool,
    /// Skip hidden files again (undoes --hidden).
    #[arg(long = "no-hidden", hide = true, overrides_with = "hidden")]
    pub(crate) no_hidden: bool,
    /// Respect ignore files again (undoes --no-ignore).
    #[arg(long = "ignore", hide = true, overrides_with = "no_ignore")]
    pub(crate) ignore: bool,
    /// Undoes --no-ignore-dot.
    #[arg(long = "ignore-dot", hide = true, overrides_with = "no_ignore_dot")]
    pub(crate) ignore_dot: bool,
    /// Undoes --no-ignore-exclude.
    #[arg(long = "ignore-exclude", hide = true, overrides_with = "no_ignore_exclude")]
    pub(crate) ignore_exclude: bool,
    /// Undoes --no-ignore-files.
    #[arg(long = "ignore-files", hide = true, overrides_with = "no_ignore_files")]
    pub(crate) ignore_files: bool,
    /// Undoes --no-ignore-global.
    #[arg(long = "ignore-global", hide = true, overrides_with = "no_ignore_global")]
    pub(crate) ignore_global: bool,
    /// Undoes --no-ignore-parent.
    #[arg(long = "ignore-parent", hide = true, overrides_with = "no_ignore_parent")]
    pub(crate) ignore_parent: bool,
    /// Undoes --no-ignore-vcs.
    #[arg(long = "ignore-vcs", hide = true, overrides_with = "no_ignore_vcs")]
    pub(crate) ignore_vcs: bool,
    /// Undoes --no-require-git.
    #[arg(long = "require-git", hide = true, overrides_with = "no_require_git")]
    pub(crate) require_git: bool,
    /// Undoes --one-file-system.
    #[arg(long = "no-one-file-system", hide = true, overrides_with = "one_file_system")]
    pub(crate) no_one_file_system: bool,
    /// Skip binary data again (undoes -a).
    #[arg(long = "no-text", hide = true, overrides_with = "text")]
    pub(crate) no_text: bool,
    /// Undoes -b.
    #[arg(long = "no-byte-offset", hide = true, overrides_with = "byte_offset")]
    pub(crate) no_byte_offset: bool,
    /// Undoes --max-columns-preview.
    #[arg(long = "no-max-columns-preview", hide = true, overrides_with = "max_columns_preview")]
    pub(crate) no_max_columns_preview: bool,
    /// Undoes --trim.
    #[arg(long = "no-trim", hide = true, overrides_with = "trim")]
    pub(crate) no_trim: bool,
    /// Undoes --line-buffered.
    #[arg(long = "no-line-buffered", hide = true, overrides_with = "line_buffered")]
    pub(crate) no_line_buffered: bool,
    /// Undoes --block-buffered.
    #[arg(long = "no-block-buffered", hide = true, overrides_with = "block_buffered")]
    pub(crate) no_block_buffered: bool,
    /// Undoes --json.
    #[arg(long = "no-json", hide = true, overrides_with = "json")]
    pub(crate) no_json: bool,
    /// Undoes --include-zero.
    #[arg(long = "no-include-zero", hide = true, overrides_with = "include_zero")]
    pub(crate) no_include_zero: bool,
    /// Show error messages again (undoes --no-messages).
    #[arg(long = "messages", hide = true, overrides_with = "no_messages")]
    pub(crate) messages: bool,
    /// Undoes --ignore-file-case-insensitive.
    #[arg(
        long = "no-ignore-file-case-insensitive",
        hide = true,
        overrides_with = "ignore_file_case_insensitive"
    )]
    pub(crate) no_ignore_file_case_insensitive: bool,
    /// Undoes --no-ignore-messages.
    #[arg(long = "ignore-messages", hide = true, overrides_with = "no_ignore_messages")]
    pub(crate) ignore_messages: bool,
    /// Undoes --stats.
    #[arg(long = "no-stats", hide = true, overrides_with = "stats")]
    pub(crate) no_stats: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// clap's own consistency checks pass on the flag definition.
    #[test]
    fn clap_definition_is_consistent() {
        Args::command().debug_assert();
    }

    /// Every flag has help text, and every flag taking a value names it.
    #[test]
    fn every_value_flag_names_its_value_and_has_help() {
        let cmd = Args::command();
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(arg.get_help().is_some(), "{id} has no help");
            if arg.get_action().takes_values() && !arg.is_positional() {
                assert!(arg.get_value_names().is_some(), "{id} has no value name");
            }
        }
    }

    /// Of a flag and the hidden flag that undoes it, the one given last
    /// wins, whichever side the undoing flag is on.
    #[test]
    fn negations_undo_their_flag() {
        let a = Args::try_parse_from(["dn", "--hidden", "--no-hidden", "x"]).unwrap();
        assert!(!a.hidden && a.negations.no_hidden);
        let a = Args::try_parse_from(["dn", "--no-hidden", "--hidden", "x"]).unwrap();
        assert!(a.hidden && !a.negations.no_hidden);
        let a = Args::try_parse_from(["dn", "--no-ignore", "--ignore", "x"]).unwrap();
        assert!(!a.no_ignore && a.negations.ignore);
        let a = Args::try_parse_from(["dn", "--ignore", "--no-ignore", "x"]).unwrap();
        assert!(a.no_ignore && !a.negations.ignore);
        let a = Args::try_parse_from(["dn", "--maxdepth", "2", "x"]).unwrap();
        assert_eq!(a.max_depth, Some(2));
    }

    /// Of -n and -N, the one given last wins.
    #[test]
    fn last_of_two_opposite_flags_wins() {
        let a = Args::try_parse_from(["dn", "-n", "-N", "x"]).unwrap();
        assert!(!a.line_number && a.no_line_number);
        let a = Args::try_parse_from(["dn", "-N", "-n", "x"]).unwrap();
        assert!(a.line_number && !a.no_line_number);
    }
}
