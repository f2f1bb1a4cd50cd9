//! Turns parsed flags into a validated, fully resolved `Config`, the way
//! ripgrep's "high args" do; the only place that reads the environment.
//!
//! Everything that can fail on bad input (patterns, globs, types, numbers)
//! fails here, in the parent, before any worker is forked.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use grep_printer::{ColorSpecs, UserColorSpec};
use grep_searcher::{BinaryDetection, Encoding};

use crate::cli::{Args, ColorWhen, Engine, SortKind};

/// What the run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Search, printing in the given output mode.
    Search(SearchMode),
    /// List the files that would be searched.
    Files,
    /// List the file type table.
    Types,
}

/// How search results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SearchMode {
    Standard,
    Count,
    CountMatches,
    FilesWithMatches,
    FilesWithoutMatch,
    Json,
}

/// Case sensitivity of the pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    Sensitive,
    Insensitive,
    Smart,
}

/// The order results are printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sort {
    pub(crate) kind: SortKind,
    pub(crate) reverse: bool,
}

/// How the output stream is flushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Buffering {
    Line,
    Block,
}

/// Everything a run needs, resolved from flags and environment.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) mode: Mode,
    pub(crate) patterns: Vec<String>,
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) has_implicit_path: bool,
    pub(crate) workers: usize,
    /// Threads that list directories (the worker count before it is cut
    /// down for a few named files).
    pub(crate) walk_threads: usize,
    pub(crate) sort: Sort,
    // matcher
    pub(crate) case: Case,
    pub(crate) fixed_strings: bool,
    pub(crate) word: bool,
    pub(crate) line_regexp: bool,
    pub(crate) multiline: bool,
    pub(crate) multiline_dotall: bool,
    pub(crate) crlf: bool,
    pub(crate) null_data: bool,
    pub(crate) no_unicode: bool,
    /// `--engine auto`: errors name both engines, as ripgrep's do.
    pub(crate) engine_auto: bool,
    // searcher
    pub(crate) invert_match: bool,
    pub(crate) max_count: Option<u64>,
    pub(crate) line_number: bool,
    pub(crate) before_context: usize,
    pub(crate) after_context: usize,
    pub(crate) passthru: bool,
    pub(crate) binary_explicit: BinaryDetection,
    pub(crate) binary_implicit: BinaryDetection,
    pub(crate) encoding: Option<Encoding>,
    pub(crate) bom_sniffing: bool,
    /// Memory-map files, as ripgrep does for a few explicit files.
    pub(crate) mmap: bool,
    // printer
    pub(crate) color: bool,
    pub(crate) color_specs: ColorSpecs,
    pub(crate) column: bool,
    pub(crate) heading: bool,
    pub(crate) with_filename: bool,
    pub(crate) byte_offset: bool,
    pub(crate) only_matching: bool,
    pub(crate) vimgrep: bool,
    pub(crate) replace: Option<Vec<u8>>,
    pub(crate) max_columns: Option<u64>,
    pub(crate) max_columns_preview: bool,
    pub(crate) trim: bool,
    pub(crate) path_terminator: Option<u8>,
    pub(crate) path_separator: Option<u8>,
    /// None with --no-context-separator.
    pub(crate) context_separator: Option<Vec<u8>>,
    pub(crate) field_context_separator: Vec<u8>,
    pub(crate) field_match_separator: Vec<u8>,
    pub(crate) file_separator: Option<Vec<u8>>,
    pub(crate) include_zero: bool,
    pub(crate) stats: bool,
    /// Show the live progress line on stderr.
    pub(crate) progress: bool,
    pub(crate) quiet: bool,
    pub(crate) buffering: Buffering,
    pub(crate) no_messages: bool,
    pub(crate) no_ignore_messages: bool,
    pub(crate) stop_on_nonmatch: bool,
    pub(crate) search_zip: bool,
    // walk
    pub(crate) walk: WalkOptions,
}

/// The directory-walk settings, handed to `ignore::WalkBuilder`.
#[derive(Clone, Debug)]
pub(crate) struct WalkOptions {
    pub(crate) hidden: bool,
    pub(crate) follow: bool,
    pub(crate) max_depth: Option<usize>,
    pub(crate) max_filesize: Option<u64>,
    pub(crate) no_ignore_vcs: bool,
    pub(crate) no_ignore_dot: bool,
    pub(crate) no_ignore_parent: bool,
    pub(crate) no_ignore_global: bool,
    pub(crate) no_ignore_exclude: bool,
    pub(crate) no_ignore_files: bool,
    pub(crate) no_require_git: bool,
    pub(crate) one_file_system: bool,
    pub(crate) ignore_files: Vec<PathBuf>,
    pub(crate) ignore_case_insensitive: bool,
    pub(crate) types: ignore::types::Types,
    pub(crate) globs: ignore::overrides::Override,
    pub(crate) cwd: PathBuf,
    pub(crate) skip_stdout: bool,
}

impl Config {
    /// Resolves `args` into a `Config`, or fails with a one-line reason.
    /// (Long only because it is one struct literal; each field that needs
    /// logic is resolved by a small function below.)
    pub(crate) fn from_args(mut args: Args) -> anyhow::Result<Config> {
        apply_unrestricted(&mut args);
        apply_pretty(&mut args);
        if args.engine == Engine::Pcre2 {
            bail!("PCRE2 is not available in this build of dn (use --engine default)");
        }
        let mode = mode(&args);
        let is_tty = std::io::stdout().is_terminal();
        let patterns = patterns(&mut args, mode)?;
        let (paths, has_implicit_path, is_one_file) = paths(&mut args, mode);
        let only_stdin = paths.len() == 1 && paths[0] == Path::new("-");
        let search_mode = match mode {
            Mode::Search(m) => Some(m),
            _ => None,
        };
        let heading = match (args.heading, args.no_heading) {
            (true, _) => !args.vimgrep,
            (_, true) => false,
            _ => !args.vimgrep && is_tty,
        };
        let column = if args.no_column { false } else { args.column || args.vimgrep };
        let line_number = line_number(&args, search_mode, is_tty && !only_stdin, column);
        let (before_context, after_context) = context(&args);
        let file_separator =
            file_separator(&args, search_mode, heading, before_context, after_context);
        let context_separator = context_separator(&args);
        let stats = search_mode.is_some() && (args.stats || search_mode == Some(SearchMode::Json));
        let progress = progress(&args, search_mode, is_tty);
        // A few named files (or stdin) need no more workers than files (and
        // one file need not ask how many CPUs there are: that reads cgroup
        // files, a noticeable part of an editor's one-file search).
        let named_files = paths.iter().all(|p| p == Path::new("-") || p.is_file());
        let mut workers = workers(&args, named_files && paths.len() == 1)?;
        let walk_threads = workers;
        if named_files {
            workers = workers.min(paths.len());
        }
        let walk = walk_options(&args, search_mode.is_some())?;
        let color = color(&args, is_tty);
        let color_specs = color_specs(&args.colors)?;
        let (binary_explicit, binary_implicit) = binary(&args);
        let (encoding, bom_sniffing) =
            encoding(args.encoding.as_deref().filter(|_| !args.no_encoding))
                .context("error parsing flag --encoding")?;
        let mmap = !args.no_mmap
            && (args.mmap || (paths.len() <= 10 && paths.iter().all(|p| p.is_file())));
        Ok(Config {
            mode,
            patterns,
            has_implicit_path,
            workers,
            walk_threads,
            sort: sort(&args),
            case: case(&args),
            fixed_strings: args.fixed_strings,
            word: args.word_regexp,
            line_regexp: args.line_regexp,
            multiline: args.multiline,
            multiline_dotall: args.multiline_dotall,
            crlf: args.crlf,
            null_data: args.null_data,
            no_unicode: args.no_unicode,
            engine_auto: args.engine == Engine::Auto,
            invert_match: args.invert_match,
            max_count: args.max_count,
            line_number,
            before_context,
            after_context,
            passthru: args.passthru,
            binary_explicit,
            binary_implicit,
            encoding,
            bom_sniffing,
            mmap,
            color,
            color_specs,
            column,
            heading,
            with_filename: if args.with_filename {
                true
            } else if args.no_filename {
                false
            } else {
                args.vimgrep || !is_one_file
            },
            byte_offset: args.byte_offset,
            only_matching: args.only_matching,
            vimgrep: args.vimgrep,
            replace: args.replace.map(String::into_bytes),
            max_columns: args.max_columns.filter(|&n| n > 0),
            max_columns_preview: args.max_columns_preview,
            trim: args.trim,
            path_terminator: args.null.then_some(b'\0'),
            path_separator: path_separator(args.path_separator.as_deref())?,
            context_separator,
            field_context_separator: unescape(&args.field_context_separator),
            field_match_separator: unescape(&args.field_match_separator),
            file_separator,
            include_zero: args.include_zero,
            stats,
            progress,
            quiet: args.quiet,
            buffering: if args.line_buffered || (is_tty && !args.block_buffered) {
                Buffering::Line
            } else {
                Buffering::Block
            },
            no_messages: args.no_messages,
            no_ignore_messages: args.no_ignore_messages,
            stop_on_nonmatch: args.stop_on_nonmatch,
            search_zip: args.search_zip,
            paths,
            walk,
        })
    }

    /// True when the search cannot match anything (ripgrep's shortcut).
    pub(crate) fn matches_possible(&self) -> bool {
        (self.invert_match || !self.patterns.is_empty()) && self.max_count != Some(0)
    }

    /// The search output mode, if this run searches.
    pub(crate) fn search_mode(&self) -> Option<SearchMode> {
        match self.mode {
            Mode::Search(m) => Some(m),
            _ => None,
        }
    }
}

/// -p: colour always (unless --color says otherwise), headings and line
/// numbers (unless --no-heading or -N say otherwise).
fn apply_pretty(args: &mut Args) {
    if !args.pretty {
        return;
    }
    if args.color == ColorWhen::Auto {
        args.color = ColorWhen::Always;
    }
    args.heading |= !args.no_heading;
    args.line_number |= !args.no_line_number;
}

/// Expands -u, -uu and -uuu into the flags they stand for.
fn apply_unrestricted(args: &mut Args) {
    if args.unrestricted >= 1 {
        args.no_ignore = true;
    }
    if args.unrestricted >= 2 {
        args.hidden = true;
    }
    if args.unrestricted >= 3 {
        args.binary = true;
    }
    if args.no_ignore {
        args.no_ignore_vcs = true;
        args.no_ignore_dot = true;
        args.no_ignore_parent = true;
        args.no_ignore_exclude = true;
        args.no_ignore_global = true;
        args.no_ignore_files = true;
    }
}

/// Picks the run mode from the mode flags (clap already made the last one win).
fn mode(args: &Args) -> Mode {
    if args.type_list {
        return Mode::Types;
    }
    if args.files {
        return Mode::Files;
    }
    let m = if args.json {
        SearchMode::Json
    } else if args.files_with_matches {
        SearchMode::FilesWithMatches
    } else if args.files_without_match {
        SearchMode::FilesWithoutMatch
    } else if args.count_matches && args.invert_match {
        SearchMode::Count
    } else if args.count_matches || (args.count && args.only_matching) {
        SearchMode::CountMatches
    } else if args.count {
        SearchMode::Count
    } else {
        SearchMode::Standard
    };
    Mode::Search(m)
}

/// Collects the patterns from -e, -f or the first positional argument.
fn patterns(args: &mut Args, mode: Mode) -> anyhow::Result<Vec<String>> {
    if !matches!(mode, Mode::Search(_)) {
        return Ok(vec![]);
    }
    if args.regexp.is_empty() && args.file.is_empty() {
        if args.positional.is_empty() {
            bail!("dn requires at least one pattern to execute a search");
        }
        let pat = args.positional.remove(0);
        let Ok(pat) = pat.into_string() else { bail!("pattern given is not valid UTF-8") };
        return Ok(vec![pat]);
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut add = |p: String| {
        if seen.insert(p.clone()) {
            out.push(p);
        }
    };
    for p in args.regexp.drain(..) {
        add(p);
    }
    for f in &args.file {
        let pats = if f == Path::new("-") {
            grep_cli::patterns_from_stdin()
        } else {
            grep_cli::patterns_from_path(f)
        };
        for p in pats? {
            add(p);
        }
    }
    Ok(out)
}

/// Resolves the paths to search: (paths, implicit, is_one_file).
fn paths(args: &mut Args, mode: Mode) -> (Vec<PathBuf>, bool, bool) {
    let paths: Vec<PathBuf> = args.positional.drain(..).map(PathBuf::from).collect();
    if !paths.is_empty() {
        let one = paths.len() == 1 && (paths[0] == Path::new("-") || !paths[0].is_dir());
        return (paths, false, one);
    }
    let stdin_used = args.file.iter().any(|f| f == Path::new("-"));
    let use_cwd = !grep_cli::is_readable_stdin() || stdin_used || !matches!(mode, Mode::Search(_));
    if use_cwd {
        (vec![PathBuf::from("./")], true, false)
    } else {
        (vec![PathBuf::from("-")], true, true)
    }
}

/// Decides whether line numbers are shown, as ripgrep does.
fn line_number(args: &Args, mode: Option<SearchMode>, tty: bool, column: bool) -> bool {
    if args.line_number {
        return true;
    }
    if args.no_line_number || args.quiet {
        return false;
    }
    match mode {
        Some(SearchMode::Standard) => tty || column || args.vimgrep,
        Some(SearchMode::Json) => true,
        _ => false,
    }
}

/// Whether to draw the progress line: only on a terminal stderr, when
/// forced or when results go elsewhere than the terminal (never for JSON
/// unless forced), and never with -q.
fn progress(args: &Args, mode: Option<SearchMode>, stdout_tty: bool) -> bool {
    if mode.is_none() || args.quiet || args.no_progress || !std::io::stderr().is_terminal() {
        return false;
    }
    args.progress || (!stdout_tty && mode != Some(SearchMode::Json))
}

/// Returns (before, after) context line counts; -A/-B win over -C.
fn context(args: &Args) -> (usize, usize) {
    let c = args.context.unwrap_or(0);
    (args.before_context.unwrap_or(c), args.after_context.unwrap_or(c))
}

/// The separator printed between the outputs of two files, if any.
fn file_separator(
    args: &Args,
    mode: Option<SearchMode>,
    heading: bool,
    before: usize,
    after: usize,
) -> Option<Vec<u8>> {
    if mode != Some(SearchMode::Standard) {
        return None;
    }
    if heading {
        Some(vec![])
    } else if !args.passthru && (before > 0 || after > 0) {
        context_separator(args)
    } else {
        None
    }
}

/// The separator between context blocks; None with --no-context-separator.
fn context_separator(args: &Args) -> Option<Vec<u8>> {
    (!args.no_context_separator).then(|| unescape(&args.context_separator))
}

/// The number of worker processes to fork (one by default when `one_file`
/// is all there is to search).
fn workers(args: &Args, one_file: bool) -> anyhow::Result<usize> {
    let n = match args.threads {
        Some(0) | None if one_file => 1,
        Some(0) | None => std::thread::available_parallelism().map_or(1, |n| n.get()).min(12),
        Some(n) => n,
    };
    if n > 256 {
        bail!("-j/--threads {n} is too many (at most 256 workers)");
    }
    Ok(n)
}

/// The sort mode; dn's default is ascending path order.
fn sort(args: &Args) -> Sort {
    match (args.sort, args.sortr) {
        (_, Some(kind)) => Sort { kind, reverse: true },
        (Some(kind), None) => Sort { kind, reverse: false },
        _ => Sort { kind: SortKind::Path, reverse: false },
    }
}

/// Case mode from -i/-s/-S (clap made the last one win).
fn case(args: &Args) -> Case {
    if args.ignore_case {
        Case::Insensitive
    } else if args.smart_case {
        Case::Smart
    } else {
        Case::Sensitive
    }
}

/// Whether to emit colour escapes.
fn color(args: &Args, is_tty: bool) -> bool {
    match args.color {
        ColorWhen::Always | ColorWhen::Ansi => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            is_tty
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_some_and(|t| t != "dumb")
        }
    }
}

/// ripgrep's default colours plus the user's --colors specs.
fn color_specs(user: &[String]) -> anyhow::Result<ColorSpecs> {
    let mut specs = grep_printer::default_color_specs();
    for s in user {
        let spec: UserColorSpec = s.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
        specs.push(spec);
    }
    Ok(ColorSpecs::new(&specs))
}

/// Binary detection for explicit and implicit files, as ripgrep sets it.
fn binary(args: &Args) -> (BinaryDetection, BinaryDetection) {
    if args.text || args.null_data {
        return (BinaryDetection::none(), BinaryDetection::none());
    }
    let implicit =
        if args.binary { BinaryDetection::convert(b'\0') } else { BinaryDetection::quit(b'\0') };
    (BinaryDetection::convert(b'\0'), implicit)
}

/// Parses --encoding: (explicit encoding, whether to sniff BOMs).
fn encoding(label: Option<&str>) -> anyhow::Result<(Option<Encoding>, bool)> {
    match label {
        None | Some("auto") => Ok((None, true)),
        Some("none") => Ok((None, false)),
        Some(l) => Ok((Some(Encoding::new(l).map_err(|e| anyhow::anyhow!("{e}"))?), true)),
    }
}

/// Parses --path-separator: a single byte.
fn path_separator(sep: Option<&str>) -> anyhow::Result<Option<u8>> {
    let Some(sep) = sep else { return Ok(None) };
    let bytes = unescape(sep);
    match bytes.len() {
        0 => Ok(None),
        1 => Ok(Some(bytes[0])),
        _ => bail!(
            "A path separator must be exactly one byte, but the given separator is {} bytes: {sep}",
            bytes.len()
        ),
    }
}

/// Unescapes `\t`, `\n`, `\x7F` and friends, as ripgrep does for separators.
fn unescape(s: &str) -> Vec<u8> {
    grep_cli::unescape(s)
}

/// Parses a size like 10K, 2M or 1G into bytes.
pub(crate) fn parse_size(s: &str) -> anyhow::Result<u64> {
    let (num, mult) = match s.as_bytes().last() {
        Some(b'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some(b'M') => (&s[..s.len() - 1], 1 << 20),
        Some(b'G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let n: u64 = num.parse().map_err(|_| {
        anyhow::anyhow!(
            "invalid --max-filesize '{s}': expected a number with an optional K, M or G suffix"
        )
    })?;
    n.checked_mul(mult).ok_or_else(|| anyhow::anyhow!("--max-filesize '{s}' is too large"))
}

/// Builds the walk settings: types, globs and ignore switches.
fn walk_options(args: &Args, searching: bool) -> anyhow::Result<WalkOptions> {
    let cwd = std::env::current_dir().context("failed to get the current directory")?;
    Ok(WalkOptions {
        hidden: args.hidden,
        follow: args.follow,
        max_depth: args.max_depth,
        max_filesize: args.max_filesize.as_deref().map(parse_size).transpose()?,
        no_ignore_vcs: args.no_ignore_vcs,
        no_ignore_dot: args.no_ignore_dot,
        no_ignore_parent: args.no_ignore_parent,
        no_ignore_global: args.no_ignore_global,
        no_ignore_exclude: args.no_ignore_exclude,
        ignore_case_insensitive: args.ignore_file_case_insensitive,
        no_ignore_files: args.no_ignore_files,
        no_require_git: args.no_require_git,
        one_file_system: args.one_file_system,
        ignore_files: args.ignore_file.clone(),
        types: types(args)?,
        globs: globs(args, &cwd)?,
        skip_stdout: searching,
        cwd,
    })
}

/// Builds the file type matcher from the default table and -t/-T/--type-*.
fn types(args: &Args) -> anyhow::Result<ignore::types::Types> {
    let mut b = ignore::types::TypesBuilder::new();
    b.add_defaults();
    for name in &args.type_clear {
        b.clear(name);
    }
    for def in &args.type_add {
        b.add_def(def)?;
    }
    for name in &args.type_ {
        b.select(name);
    }
    for name in &args.type_not {
        b.negate(name);
    }
    Ok(b.build()?)
}

/// Builds the -g/--iglob override matcher.
fn globs(args: &Args, cwd: &Path) -> anyhow::Result<ignore::overrides::Override> {
    if args.glob.is_empty() && args.iglob.is_empty() {
        return Ok(ignore::overrides::Override::empty());
    }
    let mut b = ignore::overrides::OverrideBuilder::new(cwd);
    if args.glob_case_insensitive {
        b.case_insensitive(true)?;
    }
    for g in &args.glob {
        b.add(g)?;
    }
    b.case_insensitive(true)?;
    for g in &args.iglob {
        b.add(g)?;
    }
    Ok(b.build()?)
}

/// Reads the flags of the DRAGNET_CONFIG_PATH file: one per line, blank
/// lines and `#` comments skipped. A file that cannot be read is reported
/// (as ripgrep does) and ignored; it never stops the search.
pub(crate) fn config_file_args() -> Vec<OsString> {
    let Some(path) = std::env::var_os("DRAGNET_CONFIG_PATH").filter(|p| !p.is_empty()) else {
        return Vec::new();
    };
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!(
                "dn: failed to read the file specified in DRAGNET_CONFIG_PATH: {}: {err}",
                Path::new(&path).display()
            );
            return Vec::new();
        }
    };
    text.split(|&b| b == b'\n')
        .map(|line| line.trim_ascii())
        .filter(|line| !line.is_empty() && !line.starts_with(b"#"))
        .map(|line| OsString::from_vec(line.to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// --max-filesize takes K, M and G suffixes and rejects junk and overflow.
    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("10").unwrap(), 10);
        assert_eq!(parse_size("2K").unwrap(), 2048);
        assert_eq!(parse_size("1M").unwrap(), 1 << 20);
        assert_eq!(parse_size("3G").unwrap(), 3 << 30);
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    /// --path-separator accepts one byte or nothing, never more.
    #[test]
    fn path_separator_must_be_one_byte() {
        assert_eq!(path_separator(Some("/")).unwrap(), Some(b'/'));
        assert_eq!(path_separator(Some("")).unwrap(), None);
        assert!(path_separator(Some("ab")).is_err());
    }
}
