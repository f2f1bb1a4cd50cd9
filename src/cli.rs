//! The command line: every flag `dn` accepts, declared once with clap derive.
//!
//! This is the single source of truth for parsing, `--help`, the man page
//! and the shell completions. It is pure data and parsing: no I/O. Flag
//! values are checked as ripgrep checks them while parsing (numbers, sizes,
//! colour specs, hyperlink formats, encodings), and a bad one is reported
//! in ripgrep's words (`error_line`); everything that needs more than one
//! flag is `config.rs`'s job.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Parser, ValueEnum};

/// `dn --version`: the version, then the enabled features, as `rg --version`
/// (the PCRE2 line is added at run time, see `long_version`).
#[cfg(feature = "pcre2")]
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\n\nfeatures:+pcre2,+search-zip,+mmap,+json,+progress",
    "\nengines: Rust regex (grep-regex), PCRE2 (grep-pcre2); workers: forked processes"
);
/// `dn --version` without PCRE2.
#[cfg(not(feature = "pcre2"))]
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\n\nfeatures:-pcre2,+search-zip,+mmap,+json,+progress",
    "\nengine: Rust regex (grep-regex); workers: forked processes"
);

/// The long version text: `LONG_VERSION` and the PCRE2 line of
/// `--pcre2-version`, computed once.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| format!("{LONG_VERSION}\n\n{}", crate::matcher::pcre2_version().0))
}

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
    /// No order: each file is printed as soon as it is searched.
    None,
}

/// Which regex engine to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Engine {
    /// Rust's regex engine.
    Default,
    /// PCRE2 (look-around, backreferences).
    Pcre2,
    /// The default engine, or PCRE2 when the default one cannot compile
    /// the pattern.
    Auto,
}

/// dn (dragnet): recursively search the current directory for lines matching a regex pattern.
///
/// dn respects gitignore rules, skips hidden files and binary files, searches
/// with forked worker processes and prints results in sorted path order.
#[derive(Debug, Parser)]
#[command(
    name = "dn",
    version,
    long_version = long_version(),
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
    /// Search the output of COMMAND PATH instead of each file (the file is
    /// also its stdin).
    ///
    /// Runs once per file searched, by the worker searching it; an empty
    /// value turns it off. --pre and -z override each other (the last one
    /// wins). A command that fails is reported with its stderr, naming the
    /// file.
    #[arg(
        long,
        value_name = "COMMAND",
        help_heading = "Input options",
        overrides_with_all = ["no_pre", "search_zip"]
    )]
    pub(crate) pre: Option<OsString>,
    /// Don't run a preprocessor (undoes --pre).
    #[arg(long, hide = true, overrides_with = "pre")]
    pub(crate) no_pre: bool,
    /// Only run --pre on files matching this glob ('!' excludes); can be
    /// given more than once.
    #[arg(long, value_name = "GLOB", help_heading = "Input options", allow_hyphen_values = true)]
    pub(crate) pre_glob: Vec<String>,

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
    /// Which regex engine to use: default, pcre2 or auto.
    ///
    /// auto uses the default engine unless it cannot compile the pattern
    /// (look-around, backreferences), then PCRE2. -P, --engine and
    /// --no-pcre2 override each other; the last one wins.
    #[arg(
        long,
        value_enum,
        value_name = "ENGINE",
        default_value = "default",
        help_heading = "Search options",
        overrides_with_all = ["pcre2", "no_pcre2", "auto_hybrid_regex", "no_auto_hybrid_regex"]
    )]
    pub(crate) engine: Engine,
    /// Use PCRE2 (same as --engine pcre2).
    #[arg(
        short = 'P',
        long,
        help_heading = "Search options",
        overrides_with_all = ["engine", "no_pcre2", "auto_hybrid_regex", "no_auto_hybrid_regex"]
    )]
    pub(crate) pcre2: bool,
    /// Use the default engine (undoes -P).
    #[arg(
        long,
        hide = true,
        overrides_with_all = ["engine", "pcre2", "auto_hybrid_regex", "no_auto_hybrid_regex"]
    )]
    pub(crate) no_pcre2: bool,
    /// Deprecated: --engine auto.
    #[arg(
        long,
        hide = true,
        overrides_with_all = ["engine", "pcre2", "no_pcre2", "no_auto_hybrid_regex"]
    )]
    pub(crate) auto_hybrid_regex: bool,
    /// Deprecated: --engine default.
    #[arg(
        long,
        hide = true,
        overrides_with_all = ["engine", "pcre2", "no_pcre2", "auto_hybrid_regex"]
    )]
    pub(crate) no_auto_hybrid_regex: bool,
    /// The size limit of the regex DFA cache (suffixes K, M, G).
    #[arg(
        long,
        value_name = "NUM+SUFFIX?",
        help_heading = "Search options",
        value_parser = size_usize,
        allow_hyphen_values = true
    )]
    pub(crate) dfa_size_limit: Option<usize>,
    /// The size limit of a compiled regex (suffixes K, M, G).
    #[arg(
        long,
        value_name = "NUM+SUFFIX?",
        help_heading = "Search options",
        value_parser = size_usize,
        allow_hyphen_values = true
    )]
    pub(crate) regex_size_limit: Option<usize>,
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
    #[arg(
        short = 'm',
        long,
        value_name = "NUM",
        help_heading = "Search options",
        value_parser = number::<u64>,
        allow_hyphen_values = true
    )]
    pub(crate) max_count: Option<u64>,
    /// Let matches span lines.
    #[arg(short = 'U', long, help_heading = "Search options")]
    pub(crate) multiline: bool,
    /// Make '.' match line terminators in multiline mode.
    #[arg(long, help_heading = "Search options")]
    pub(crate) multiline_dotall: bool,
    /// Disable Unicode mode in the pattern.
    #[arg(long, help_heading = "Search options", alias = "no-pcre2-unicode")]
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
        overrides_with = "no_encoding",
        value_parser = encoding_label
    )]
    pub(crate) encoding: Option<String>,
    /// Undo -E: detect the encoding from a BOM again (the default).
    #[arg(long, help_heading = "Search options", overrides_with = "encoding", hide = true)]
    pub(crate) no_encoding: bool,
    /// Number of worker processes (default: number of CPUs).
    ///
    /// Workers are forked once at start-up and search files in batches; the
    /// output is identical for any number of workers.
    #[arg(
        short = 'j',
        long,
        value_name = "NUM",
        help_heading = "Search options",
        value_parser = number::<usize>,
        allow_hyphen_values = true
    )]
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
        help_heading = "Filter options",
        value_parser = number::<usize>,
        allow_hyphen_values = true
    )]
    pub(crate) max_depth: Option<usize>,
    /// Skip files larger than NUM bytes (suffixes K, M, G).
    #[arg(
        long,
        value_name = "NUM+SUFFIX?",
        help_heading = "Filter options",
        value_parser = size,
        allow_hyphen_values = true
    )]
    pub(crate) max_filesize: Option<u64>,
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
    #[arg(
        short = 'A',
        long,
        value_name = "NUM",
        help_heading = "Output options",
        value_parser = number::<usize>,
        allow_hyphen_values = true
    )]
    pub(crate) after_context: Option<usize>,
    /// Print lines before each match.
    #[arg(
        short = 'B',
        long,
        value_name = "NUM",
        help_heading = "Output options",
        value_parser = number::<usize>,
        allow_hyphen_values = true
    )]
    pub(crate) before_context: Option<usize>,
    /// Print lines before and after each match.
    #[arg(
        short = 'C',
        long,
        value_name = "NUM",
        help_heading = "Output options",
        value_parser = number::<usize>,
        allow_hyphen_values = true
    )]
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
    #[arg(
        long,
        value_name = "COLOR_SPEC",
        help_heading = "Output options",
        value_parser = color_spec
    )]
    pub(crate) colors: Vec<String>,
    /// Turn file paths into hyperlinks (with colour): a format such as
    /// 'file://{host}{path}', or an alias.
    ///
    /// The aliases are default, none, file, grep+, kitty, macvim, textmate,
    /// vscode, vscode-insiders and vscodium (and cursor); an empty value
    /// turns hyperlinks off (the default). Variables: {path}, {host},
    /// {line}, {column}, {wslprefix}.
    #[arg(
        long,
        value_name = "FORMAT",
        help_heading = "Output options",
        value_parser = hyperlink_format
    )]
    pub(crate) hyperlink_format: Option<String>,
    /// A program that prints the hostname, for the {host} of hyperlinks
    /// (default: the system's hostname).
    #[arg(long, value_name = "COMMAND", help_heading = "Output options")]
    pub(crate) hostname_bin: Option<OsString>,
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
    #[arg(
        short = 'M',
        long,
        value_name = "NUM",
        help_heading = "Output options",
        value_parser = number::<u64>,
        allow_hyphen_values = true
    )]
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
    ///
    /// --passthru and -A/-B/-C override each other; the last one wins.
    #[arg(
        long,
        alias = "passthrough",
        help_heading = "Output options",
        overrides_with_all = ["after_context", "before_context", "context"]
    )]
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
    /// Sort results in ascending order (path order is the default).
    ///
    /// dn prints in path order by default, at full parallel speed. modified,
    /// accessed and created sort the whole file list first, then search in
    /// parallel and print in that order. none prints each file's results as
    /// soon as the file is searched (the fastest first result).
    #[arg(
        long,
        value_enum,
        value_name = "SORTBY",
        help_heading = "Output options",
        overrides_with_all = ["sortr", "sort_files", "no_sort_files"]
    )]
    pub(crate) sort: Option<SortKind>,
    /// Sort results in descending order.
    #[arg(
        long,
        value_enum,
        value_name = "SORTBY",
        help_heading = "Output options",
        overrides_with_all = ["sort", "sort_files", "no_sort_files"]
    )]
    pub(crate) sortr: Option<SortKind>,
    /// Deprecated: --sort path.
    #[arg(long, hide = true, overrides_with_all = ["sort", "sortr", "no_sort_files"])]
    pub(crate) sort_files: bool,
    /// Deprecated: --sort none.
    #[arg(long, hide = true, overrides_with_all = ["sort", "sortr", "sort_files"])]
    pub(crate) no_sort_files: bool,
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
    /// Print debug messages on stderr: the resolved options, the ignore
    /// files read and why each path was skipped.
    #[arg(long, help_heading = "Logging options", overrides_with = "trace")]
    pub(crate) debug: bool,
    /// Print even more messages than --debug.
    #[arg(long, help_heading = "Logging options", overrides_with = "debug")]
    pub(crate) trace: bool,

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
    /// Print the version of PCRE2 built in, and whether it has a JIT.
    #[arg(long, help_heading = "Other behaviors")]
    pub(crate) pcre2_version: bool,
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
    #[arg(long = "unicode", alias = "pcre2-unicode", hide = true, overrides_with = "no_unicode")]
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

/// Parses a count (a flag's NUM), in ripgrep's words on failure.
fn number<T: std::str::FromStr<Err = std::num::ParseIntError>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e| format!("value is not a valid number: {e}"))
}

/// Parses a size like 10K, 2M or 1G into bytes, in ripgrep's words on
/// failure.
fn size(s: &str) -> Result<u64, String> {
    grep_cli::parse_human_readable_size(s).map_err(|e| format!("invalid size: {e}"))
}

/// Parses a size that must fit in memory (a regex size limit).
fn size_usize(s: &str) -> Result<usize, String> {
    usize::try_from(size(s)?).map_err(|_| "size is too big".to_string())
}

/// Checks a --colors spec (type:attribute:value); keeps it as given.
fn color_spec(s: &str) -> Result<String, String> {
    s.parse::<grep_printer::UserColorSpec>().map(|_| s.to_string()).map_err(|e| e.to_string())
}

/// Checks a --hyperlink-format (a format or an alias); keeps it as given.
fn hyperlink_format(s: &str) -> Result<String, String> {
    s.parse::<grep_printer::HyperlinkFormat>()
        .map(|_| s.to_string())
        .map_err(|e| format!("invalid hyperlink format: {e}"))
}

/// Checks an --encoding label (auto, none or a WHATWG label).
fn encoding_label(s: &str) -> Result<String, String> {
    if s != "auto" && s != "none" {
        grep_searcher::Encoding::new(s).map_err(|e| e.to_string())?;
    }
    Ok(s.to_string())
}

/// One flag as written on the command line.
struct Written {
    /// The flag's clap id.
    id: String,
    /// How it was spelled: `-A`, `--after-context`, `--maxdepth`.
    spelling: String,
    /// Its value, for a flag that takes one.
    value: Option<String>,
}

/// Lexes `argv` (program name first) the way clap reads it, into the flags
/// written, in order; stops at `--`. Unknown flags are skipped.
fn written_flags(argv: &[OsString]) -> Vec<Written> {
    use clap::CommandFactory;
    let cmd = Args::command();
    let args: Vec<&clap::Arg> = cmd.get_arguments().collect();
    let takes = |a: &clap::Arg| a.get_action().takes_values();
    let mut out = Vec::new();
    let mut it = argv.iter().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(tok) = it.next() {
        if tok == "--" {
            break;
        }
        if let Some(long) = tok.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let found = args.iter().find(|a| {
                a.get_long() == Some(name)
                    || a.get_all_aliases().is_some_and(|al| al.contains(&name))
            });
            let Some(arg) = found else { continue };
            let value = if takes(arg) { inline.or_else(|| it.next()) } else { None };
            let (id, spelling) = (arg.get_id().to_string(), format!("--{name}"));
            out.push(Written { id, spelling, value });
        } else if let Some(shorts) = tok.strip_prefix('-') {
            for (i, c) in shorts.char_indices() {
                let Some(arg) = args.iter().find(|a| a.get_short() == Some(c)) else { break };
                let (id, spelling) = (arg.get_id().to_string(), format!("-{c}"));
                if takes(arg) {
                    let rest = &shorts[i + c.len_utf8()..];
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    let value = if rest.is_empty() { it.next() } else { Some(rest.to_string()) };
                    out.push(Written { id, spelling, value });
                    break;
                }
                out.push(Written { id, spelling, value: None });
            }
        }
    }
    out
}

/// How the flag `id` was written in `argv`: the first time it was given
/// `value` if that is known, else the first time at all; `--ID` if never.
pub(crate) fn spelling(argv: &[OsString], id: &str, value: Option<&str>) -> String {
    let written: Vec<Written> = written_flags(argv).into_iter().filter(|w| w.id == id).collect();
    let with_value = written.iter().find(|w| value.is_some() && w.value.as_deref() == value);
    match with_value.or(written.first()) {
        Some(w) => w.spelling.clone(),
        None => format!("--{}", id.replace('_', "-")),
    }
}

/// Renders a clap error as one line (as ripgrep words it where ripgrep
/// has words for it: `error parsing flag -A: value is not a valid
/// number: ...`), without the usage block. `argv` is what was parsed.
pub(crate) fn error_line(e: &clap::Error, argv: &[OsString]) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first).to_string();
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let flag_id = || {
        use clap::CommandFactory;
        let shown = context(ContextKind::InvalidArg)?;
        let name = shown.split([' ', '=']).next()?.to_string();
        let cmd = Args::command();
        let arg = cmd.get_arguments().find(|a| {
            a.get_long().is_some_and(|l| name == format!("--{l}"))
                || a.get_short().is_some_and(|c| name == format!("-{c}"))
        })?;
        Some(arg.get_id().to_string())
    };
    let value = context(ContextKind::InvalidValue);
    let why = match e.kind() {
        ErrorKind::ValueValidation => std::error::Error::source(e).map(|s| s.to_string()),
        ErrorKind::InvalidValue if first.contains("a value is required") => None,
        ErrorKind::InvalidValue => value.as_ref().map(|v| {
            if flag_id().as_deref() == Some("engine") {
                format!("unrecognized regex engine '{v}'")
            } else {
                format!("choice '{v}' is unrecognized")
            }
        }),
        _ => return with_suggestion(e, first),
    };
    let Some(id) = flag_id() else { return with_suggestion(e, first) };
    let flag = spelling(argv, &id, value.as_deref());
    match why {
        Some(why) => format!("error parsing flag {flag}: {why}"),
        None => format!("missing value for flag {flag}"),
    }
}

/// `first` with clap's suggestion of a similar flag, if it has one.
fn with_suggestion(e: &clap::Error, first: String) -> String {
    match e.get(clap::error::ContextKind::SuggestedArg) {
        Some(tip) => format!("{first} (did you mean '{tip}'?)"),
        None => first,
    }
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
