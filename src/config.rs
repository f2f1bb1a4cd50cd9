//! Turns parsed flags into a validated, fully resolved `Config`, the way
//! ripgrep's "high args" do; the only place that reads the environment.
//!
//! A config comes in parts: the run's own options (`RunOpts`), the query
//! that workers search with (`query::Query`: matcher, searcher, printer and
//! input options) and the walk's options (`WalkOptions`). Each part is
//! resolved by its own function and each builder takes only its part.
//! Everything that can fail on bad input (patterns, globs, types, numbers)
//! fails here or in `Query`'s builders, in the parent, before any worker is
//! forked.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::cli::{Args, ColorWhen, Engine, SortKind};
use crate::query::{
    Binary, Case, EngineChoice, Hyperlinks, InputOpts, MatcherOpts, PrinterOpts, Query, SearchMode,
    SearcherOpts, Terminator,
};

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

/// The order results are printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sort {
    /// What is compared.
    pub(crate) kind: SortKind,
    /// Descending instead of ascending.
    pub(crate) reverse: bool,
}

/// How the output stream is flushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Buffering {
    /// After every line (a terminal, or --line-buffered).
    Line,
    /// When the buffer fills.
    Block,
}

/// What a path given on the command line is, found out once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RootKind {
    /// `-`: standard input (always, even where a file named `-` exists).
    Stdin,
    /// A regular file, or a link to one.
    File,
    /// A directory (not a link to one).
    Dir,
    /// A link to a directory (walked by the sequential walk, which follows
    /// a root link).
    DirLink,
    /// Anything else: a missing path, a broken link, a device... (the
    /// sequential walk reports or skips it).
    Other,
    /// Not looked at yet: with more than `CLASSIFY_UP_FRONT` roots no option
    /// of the run depends on what they are, so the walk classifies each
    /// when it comes to it, while the workers search the ones before.
    Later,
}

/// A search waiting on the disk may grow to this many times its workers
/// (on 2 cores a cold-cache search of the Linux tree took 5.7 s with 2
/// workers, 4.1 s with 8).
const DISK_GROWTH: usize = 4;

/// Up to this many roots are classified while the options are resolved:
/// ripgrep's memory-map rule looks at up to ten, the file name rule and the
/// worker count at one.
const CLASSIFY_UP_FRONT: usize = 10;

/// A path given on the command line (or the implicit `./`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Root {
    /// The path as given.
    pub(crate) path: PathBuf,
    /// What it is.
    pub(crate) kind: RootKind,
}

/// Everything a run needs, resolved from flags and environment.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// What the run does.
    pub(crate) mode: Mode,
    /// The run's own options.
    pub(crate) run: RunOpts,
    /// What workers search with.
    pub(crate) query: Query,
    /// What is walked.
    pub(crate) walk: WalkOptions,
}

/// The options of the run itself: what to search, with how many workers, in
/// what order, and how the parent reports.
#[derive(Clone, Debug)]
pub(crate) struct RunOpts {
    /// The roots to search, in the order given.
    pub(crate) roots: Vec<Root>,
    /// No path was given: `./` (or stdin) was assumed.
    pub(crate) has_implicit_path: bool,
    /// Worker processes to fork.
    pub(crate) workers: usize,
    /// Most workers a search may grow to while its workers wait on the disk
    /// (a cold cache): four times `workers` unless -j fixed the count.
    pub(crate) max_workers: usize,
    /// Threads that list directories (the worker count before it is cut
    /// down for a few named files; 0 for the sequential walk, when the
    /// limits leave no threads for more).
    pub(crate) walk_threads: usize,
    /// The output order.
    pub(crate) sort: Sort,
    /// -q: stop at the first match, print nothing.
    pub(crate) quiet: bool,
    /// -Q: the interactive search screen.
    pub(crate) interactive: bool,
    /// Print the summary (--stats, or JSON's summary message).
    pub(crate) stats: bool,
    /// Show the live progress line on stderr.
    pub(crate) progress: bool,
    /// How stdout is flushed.
    pub(crate) buffering: Buffering,
    /// Suppress error messages (--no-messages).
    pub(crate) no_messages: bool,
    /// Suppress problems with ignore files (--no-ignore-messages).
    pub(crate) no_ignore_messages: bool,
    /// Show control characters in messages visibly (stderr is a terminal).
    pub(crate) sanitize_stderr: bool,
    /// Printed between two files' outputs (then a newline).
    pub(crate) file_separator: Option<Vec<u8>>,
}

/// The directory-walk settings, handed to `ignore::WalkBuilder`.
#[derive(Clone, Debug)]
pub(crate) struct WalkOptions {
    /// Walk hidden files and directories.
    pub(crate) hidden: bool,
    /// Follow symbolic links.
    pub(crate) follow: bool,
    /// Descend at most this deep.
    pub(crate) max_depth: Option<usize>,
    /// Skip walked files bigger than this.
    pub(crate) max_filesize: Option<u64>,
    /// Ignore .gitignore and other VCS rules.
    pub(crate) no_ignore_vcs: bool,
    /// Ignore .ignore, .rgignore and .dnignore.
    pub(crate) no_ignore_dot: bool,
    /// Ignore the ignore files of parent directories.
    pub(crate) no_ignore_parent: bool,
    /// Ignore the global gitignore.
    pub(crate) no_ignore_global: bool,
    /// Ignore .git/info/exclude.
    pub(crate) no_ignore_exclude: bool,
    /// Ignore the --ignore-file files.
    pub(crate) no_ignore_files: bool,
    /// Apply .gitignore outside git repositories too.
    pub(crate) no_require_git: bool,
    /// Stay on the roots' file systems.
    pub(crate) one_file_system: bool,
    /// Extra gitignore-format files (--ignore-file).
    pub(crate) ignore_files: Vec<PathBuf>,
    /// Match ignore-file globs case insensitively.
    pub(crate) ignore_case_insensitive: bool,
    /// The file type filter.
    pub(crate) types: ignore::types::Types,
    /// The -g/--iglob overrides.
    pub(crate) globs: ignore::overrides::Override,
    /// The directory relative paths are resolved against.
    pub(crate) cwd: PathBuf,
    /// Skip the file stdout writes to (when searching).
    pub(crate) skip_stdout: bool,
}

/// What the terminal situation is; read once.
#[derive(Clone, Copy, Debug)]
struct Ttys {
    stdout: bool,
    stderr: bool,
}

impl Config {
    /// Resolves `args` into a `Config`, or fails with a one-line reason.
    pub(crate) fn from_args(mut args: Args) -> anyhow::Result<Config> {
        apply_unrestricted(&mut args);
        apply_pretty(&mut args);
        let ttys = Ttys {
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        };
        let mode = mode(&args);
        let patterns = patterns(&mut args, mode)?;
        let (roots, has_implicit_path) = roots(&mut args, mode);
        let printer = printer_opts(&args, mode, &roots, ttys.stdout)?;
        let searcher = searcher_opts(&args, mode, &printer, &roots, ttys.stdout)?;
        let matcher = matcher_opts(&args, patterns, &searcher);
        let run = run_opts(&args, mode, roots, has_implicit_path, &printer, ttys)?;
        let walk = walk_options(&args, matches!(mode, Mode::Search(_)))?;
        let input = input_opts(&args, &walk.cwd)?;
        let cfg = Config { mode, run, query: Query { matcher, searcher, printer, input }, walk };
        cfg.log();
        Ok(cfg)
    }

    /// Reports the resolved options with --debug (nothing otherwise).
    fn log(&self) {
        if !log::log_enabled!(log::Level::Debug) {
            return;
        }
        let w = &self.walk;
        log::debug!("mode: {:?}", self.mode);
        log::debug!("run: {:?}", self.run);
        log::debug!("matcher: {:?}", self.query.matcher);
        log::debug!("searcher: {:?}", self.query.searcher);
        log::debug!("printer: {:?}", self.query.printer);
        let input = &self.query.input;
        log::debug!(
            "input: search_zip={} pre={:?} pre_globs={:?}",
            input.search_zip,
            input.pre.as_deref().map(String::from_utf8_lossy),
            input.pre_globs,
        );
        log::debug!(
            "walk: hidden={} follow={} max_depth={:?} max_filesize={:?} no_ignore_vcs={} \
             no_ignore_dot={} no_ignore_parent={} no_ignore_global={} no_ignore_exclude={} \
             no_ignore_files={} no_require_git={} one_file_system={} ignore_files={:?} \
             globs={} cwd={}",
            w.hidden,
            w.follow,
            w.max_depth,
            w.max_filesize,
            w.no_ignore_vcs,
            w.no_ignore_dot,
            w.no_ignore_parent,
            w.no_ignore_global,
            w.no_ignore_exclude,
            w.no_ignore_files,
            w.no_require_git,
            w.one_file_system,
            w.ignore_files,
            w.globs.num_ignores() + w.globs.num_whitelists(),
            w.cwd.display(),
        );
    }

    /// True when the search cannot match anything (ripgrep's shortcut).
    pub(crate) fn matches_possible(&self) -> bool {
        (self.query.searcher.invert_match || !self.query.matcher.patterns.is_empty())
            && self.query.searcher.max_count != Some(0)
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

/// Expands -u, -uu and -uuu into the flags they stand for (as ripgrep's
/// --no-ignore, -u leaves --ignore-file files in force).
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
        if args.positional.is_empty() && args.query {
            return Ok(vec![String::new()]); // -Q starts with an empty query
        }
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

/// Resolves the roots to search, each classified once, here or (past
/// `CLASSIFY_UP_FRONT` of them) by the walk: (roots, implicit).
fn roots(args: &mut Args, mode: Mode) -> (Vec<Root>, bool) {
    let paths: Vec<PathBuf> = args.positional.drain(..).map(PathBuf::from).collect();
    if paths.len() > CLASSIFY_UP_FRONT {
        let later = |path| Root { path, kind: RootKind::Later };
        return (paths.into_iter().map(later).collect(), false);
    }
    if !paths.is_empty() {
        return (paths.into_iter().map(classify).collect(), false);
    }
    let stdin_used = args.file.iter().any(|f| f == Path::new("-"));
    let use_cwd = !grep_cli::is_readable_stdin()
        || stdin_used
        || args.query
        || !matches!(mode, Mode::Search(_));
    if use_cwd {
        (vec![Root { path: PathBuf::from("./"), kind: RootKind::Dir }], true)
    } else {
        (vec![Root { path: PathBuf::from("-"), kind: RootKind::Stdin }], true)
    }
}

/// Finds out what `path` is, with one `lstat` (and one `stat` for a link).
pub(crate) fn classify(path: PathBuf) -> Root {
    if path == Path::new("-") {
        return Root { path, kind: RootKind::Stdin };
    }
    let kind = match std::fs::symlink_metadata(&path) {
        Ok(md) if md.is_dir() => RootKind::Dir,
        Ok(md) if md.is_file() => RootKind::File,
        Ok(md) if md.file_type().is_symlink() => match std::fs::metadata(&path) {
            Ok(md) if md.is_file() => RootKind::File,
            Ok(md) if md.is_dir() => RootKind::DirLink,
            _ => RootKind::Other,
        },
        _ => RootKind::Other,
    };
    Root { path, kind }
}

/// True when every root is a regular file or stdin (never for roots not
/// classified yet).
fn all_files(roots: &[Root]) -> bool {
    roots.iter().all(|r| matches!(r.kind, RootKind::File | RootKind::Stdin))
}

/// ripgrep's memory-map rule: up to ten roots, all regular files.
fn mmap_by_default(roots: &[Root]) -> bool {
    roots.len() <= 10 && roots.iter().all(|r| r.kind == RootKind::File)
}

/// Resolves the printer's part of the query.
fn printer_opts(
    args: &Args,
    mode: Mode,
    roots: &[Root],
    stdout_tty: bool,
) -> anyhow::Result<PrinterOpts> {
    let search_mode = match mode {
        Mode::Search(m) => Some(m),
        _ => None,
    };
    let heading = match (args.heading, args.no_heading) {
        (true, _) => !args.vimgrep,
        (_, true) => false,
        _ => !args.vimgrep && stdout_tty,
    };
    let one_file = roots.len() == 1 && !matches!(roots[0].kind, RootKind::Dir | RootKind::DirLink);
    let with_filename = if args.with_filename {
        true
    } else if args.no_filename {
        false
    } else {
        args.vimgrep || !one_file
    };
    crate::printer::color_specs(&args.colors)?;
    Ok(PrinterOpts {
        mode: search_mode.unwrap_or(SearchMode::Standard),
        quiet: args.quiet,
        color: color(args, stdout_tty),
        colors: args.colors.clone(),
        column: if args.no_column { false } else { args.column || args.vimgrep },
        heading,
        with_filename,
        byte_offset: args.byte_offset,
        only_matching: args.only_matching,
        vimgrep: args.vimgrep,
        replace: args.replace.clone().map(String::into_bytes),
        max_columns: args.max_columns.filter(|&n| n > 0),
        max_columns_preview: args.max_columns_preview,
        trim: args.trim,
        path_terminator: args.null.then_some(b'\0'),
        path_separator: path_separator(args.path_separator.as_deref())?,
        context_separator: context_separator(args),
        field_context_separator: unescape(&args.field_context_separator),
        field_match_separator: unescape(&args.field_match_separator),
        include_zero: args.include_zero,
        stats: search_mode.is_some() && (args.stats || search_mode == Some(SearchMode::Json)),
        hyperlink: hyperlinks(args, color(args, stdout_tty)),
        sanitize: stdout_tty && !args.no_sanitize,
    })
}

/// The hyperlink settings, when a format is given and colour is on (rg
/// prints hyperlinks only with colour): the {host} comes from
/// --hostname-bin or the system, the {wslprefix} from WSL_DISTRO_NAME.
fn hyperlinks(args: &Args, color: bool) -> Option<Hyperlinks> {
    let format = args.hyperlink_format.as_deref().filter(|f| !f.is_empty())?;
    if !color || format.parse::<grep_printer::HyperlinkFormat>().is_ok_and(|f| f.is_empty()) {
        return None;
    }
    let bin = args.hostname_bin.as_deref().filter(|p| !p.is_empty()).map(Path::new);
    let host = hostname(bin);
    let wsl_prefix = std::env::var_os("WSL_DISTRO_NAME")
        .and_then(|d| d.into_string().ok())
        .map(|d| format!("wsl$/{d}"));
    log::debug!("hyperlink format: {format:?}, host: {host:?}, wsl prefix: {wsl_prefix:?}");
    Some(Hyperlinks { format: format.to_string(), host, wsl_prefix })
}

/// The hostname: the trimmed output of `bin` (run with no arguments) if
/// it gives one, else the system's; None if neither is valid UTF-8.
fn hostname(bin: Option<&Path>) -> Option<String> {
    let from_bin = bin.and_then(|bin| {
        let mut cmd = std::process::Command::new(bin);
        cmd.stdin(std::process::Stdio::null());
        let out = grep_cli::CommandReader::new(&mut cmd)
            .map_err(std::io::Error::from)
            .and_then(std::io::read_to_string);
        match out {
            Ok(out) if !out.trim().is_empty() => Some(out.trim().to_string()),
            Ok(_) => {
                log::debug!("{}: printed no hostname; using the system's", bin.display());
                None
            }
            Err(err) => {
                log::debug!("{}: {err}; using the system's hostname", bin.display());
                None
            }
        }
    });
    from_bin.or_else(|| grep_cli::hostname().ok()?.into_string().ok())
}

/// Resolves the searcher's part of the query (`printer` is resolved first:
/// line numbers depend on the output mode and columns).
fn searcher_opts(
    args: &Args,
    mode: Mode,
    printer: &PrinterOpts,
    roots: &[Root],
    stdout_tty: bool,
) -> anyhow::Result<SearcherOpts> {
    let only_stdin = roots.len() == 1 && roots[0].kind == RootKind::Stdin;
    let searching = matches!(mode, Mode::Search(_));
    let (before_context, after_context) = context(args);
    let (binary_explicit, binary_implicit) = binary(args);
    let (encoding, bom_sniffing) = encoding(args.encoding.as_deref().filter(|_| !args.no_encoding))
        .context("error parsing flag --encoding")?;
    Ok(SearcherOpts {
        invert_match: args.invert_match,
        max_count: args.max_count,
        line_number: searching && line_number(args, printer, stdout_tty && !only_stdin),
        before_context,
        after_context,
        passthru: args.passthru,
        binary_explicit,
        binary_implicit,
        encoding,
        bom_sniffing,
        mmap: !args.no_mmap && (args.mmap || mmap_by_default(roots)),
        multiline: args.multiline,
        terminator: terminator(args),
        stop_on_nonmatch: args.stop_on_nonmatch,
    })
}

/// Resolves the matcher's part of the query.
fn matcher_opts(args: &Args, patterns: Vec<String>, searcher: &SearcherOpts) -> MatcherOpts {
    MatcherOpts {
        patterns,
        engine: engine(args),
        case: case(args),
        fixed_strings: args.fixed_strings,
        word: args.word_regexp,
        line_regexp: args.line_regexp,
        multiline: args.multiline,
        dotall: args.multiline_dotall,
        terminator: searcher.terminator,
        no_unicode: args.no_unicode,
        ban_nul: searcher.binary_implicit != Binary::Text,
        regex_size_limit: args.regex_size_limit,
        dfa_size_limit: args.dfa_size_limit,
    }
}

/// The engine: -P, --no-pcre2, --engine and the deprecated
/// --[no-]auto-hybrid-regex override each other (clap kept the last).
fn engine(args: &Args) -> EngineChoice {
    if args.pcre2 {
        EngineChoice::Pcre2
    } else if args.no_pcre2 || args.no_auto_hybrid_regex {
        EngineChoice::Default
    } else if args.auto_hybrid_regex {
        EngineChoice::Auto
    } else {
        match args.engine {
            Engine::Default => EngineChoice::Default,
            Engine::Pcre2 => EngineChoice::Pcre2,
            Engine::Auto => EngineChoice::Auto,
        }
    }
}

/// Resolves how files are read: -z, or --pre with its globs (checked
/// here; clap made the last of -z and --pre win).
fn input_opts(args: &Args, cwd: &Path) -> anyhow::Result<InputOpts> {
    let pre = args.pre.as_ref().filter(|p| !p.is_empty());
    let input = InputOpts {
        search_zip: args.search_zip,
        pre: pre.map(|p| p.as_bytes().to_vec()),
        pre_globs: args.pre_glob.clone(),
        cwd: cwd.as_os_str().as_bytes().to_vec(),
    };
    input.pre_glob_matcher()?;
    Ok(input)
}

/// Resolves the run's own options.
fn run_opts(
    args: &Args,
    mode: Mode,
    roots: Vec<Root>,
    has_implicit_path: bool,
    printer: &PrinterOpts,
    ttys: Ttys,
) -> anyhow::Result<RunOpts> {
    let search_mode = match mode {
        Mode::Search(m) => Some(m),
        _ => None,
    };
    // A few named files (or stdin) need no more workers than files (and
    // one file need not ask how many CPUs there are: that reads cgroup
    // files, a noticeable part of an editor's one-file search).
    let named_files = all_files(&roots);
    let mut workers = workers(args, named_files && roots.len() == 1)?;
    let walk_threads = workers;
    if named_files {
        workers = workers.min(roots.len());
    }
    let fixed = matches!(args.threads, Some(n) if n > 0) || named_files && roots.len() == 1;
    let max_workers = if fixed { workers } else { workers * DISK_GROWTH };
    Ok(RunOpts {
        max_workers,
        file_separator: file_separator(args, search_mode, printer),
        has_implicit_path,
        workers,
        walk_threads,
        sort: sort(args),
        quiet: args.quiet,
        interactive: args.query,
        stats: printer.stats,
        progress: progress(args, search_mode, ttys),
        buffering: if args.line_buffered || (ttys.stdout && !args.block_buffered) {
            Buffering::Line
        } else {
            Buffering::Block
        },
        no_messages: args.no_messages,
        no_ignore_messages: args.no_ignore_messages,
        sanitize_stderr: ttys.stderr && !args.no_sanitize,
        roots,
    })
}

/// Decides whether line numbers are shown in a search, as ripgrep does.
fn line_number(args: &Args, printer: &PrinterOpts, tty: bool) -> bool {
    if args.line_number {
        return true;
    }
    if args.no_line_number || args.quiet {
        return false;
    }
    match printer.mode {
        SearchMode::Standard => tty || printer.column || args.vimgrep,
        SearchMode::Json => true,
        _ => false,
    }
}

/// Whether to draw the progress line: only on a terminal stderr, when
/// forced or when results go elsewhere than the terminal (never for JSON
/// unless forced), and never with -q or while --debug/--trace log.
fn progress(args: &Args, mode: Option<SearchMode>, ttys: Ttys) -> bool {
    let logging = log::max_level() != log::LevelFilter::Off;
    if mode.is_none() || args.quiet || args.no_progress || !ttys.stderr || logging {
        return false;
    }
    args.progress || (!ttys.stdout && mode != Some(SearchMode::Json))
}

/// Returns (before, after) context line counts; -A/-B win over -C.
fn context(args: &Args) -> (usize, usize) {
    let c = args.context.unwrap_or(0);
    (args.before_context.unwrap_or(c), args.after_context.unwrap_or(c))
}

/// The separator printed between the outputs of two files, if any.
fn file_separator(args: &Args, mode: Option<SearchMode>, printer: &PrinterOpts) -> Option<Vec<u8>> {
    if mode != Some(SearchMode::Standard) {
        return None;
    }
    let (before, after) = context(args);
    if printer.heading {
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

/// The sort mode; dn's default is ascending path order. The deprecated
/// --sort-files is --sort path, --no-sort-files is --sort none.
fn sort(args: &Args) -> Sort {
    match (args.sort, args.sortr) {
        (_, Some(kind)) => Sort { kind, reverse: true },
        (Some(kind), None) => Sort { kind, reverse: false },
        _ if args.no_sort_files => Sort { kind: SortKind::None, reverse: false },
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

/// The line terminator from --crlf and --null-data.
fn terminator(args: &Args) -> Terminator {
    if args.crlf {
        Terminator::Crlf
    } else if args.null_data {
        Terminator::Nul
    } else {
        Terminator::Lf
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

/// Binary handling for explicit and implicit files, as ripgrep sets it.
fn binary(args: &Args) -> (Binary, Binary) {
    if args.text || args.null_data {
        return (Binary::Text, Binary::Text);
    }
    let implicit = if args.binary { Binary::Convert } else { Binary::Quit };
    (Binary::Convert, implicit)
}

/// Parses --encoding: (explicit encoding label, whether to sniff BOMs).
fn encoding(label: Option<&str>) -> anyhow::Result<(Option<String>, bool)> {
    match label {
        None | Some("auto") => Ok((None, true)),
        Some("none") => Ok((None, false)),
        Some(l) => {
            grep_searcher::Encoding::new(l).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok((Some(l.to_string()), true))
        }
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

/// Builds the walk settings: types, globs and ignore switches.
fn walk_options(args: &Args, searching: bool) -> anyhow::Result<WalkOptions> {
    let cwd = current_dir()?;
    Ok(WalkOptions {
        hidden: args.hidden,
        follow: args.follow,
        max_depth: args.max_depth,
        max_filesize: args.max_filesize,
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

/// The directory relative paths are resolved against, as ripgrep finds
/// it: the process's current directory or, when that was deleted, `$PWD`
/// (the shell's idea of it; absolute paths are still searched then).
fn current_dir() -> anyhow::Result<PathBuf> {
    let err = match std::env::current_dir() {
        Ok(cwd) => return Ok(cwd),
        Err(err) => err,
    };
    match std::env::var_os("PWD") {
        Some(pwd) if !pwd.is_empty() => Ok(PathBuf::from(pwd)),
        _ => bail!("failed to get current working directory: {err} --- did your CWD get deleted?"),
    }
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

/// The config file's environment variable and path: DRAGNET_CONFIG_PATH,
/// or ripgrep's RIPGREP_CONFIG_PATH when that one is unset. None when
/// neither names a file (an empty value names none).
fn config_file() -> Option<(&'static str, OsString)> {
    let var = if std::env::var_os("DRAGNET_CONFIG_PATH").is_some() {
        "DRAGNET_CONFIG_PATH"
    } else {
        "RIPGREP_CONFIG_PATH"
    };
    let path = std::env::var_os(var).filter(|p| !p.is_empty())?;
    Some((var, path))
}

/// Reads the flags of the config file (see `config_file`): one per line,
/// blank lines and `#` comments skipped. A file that cannot be read is
/// reported (as ripgrep does) and ignored; it never stops the search.
pub(crate) fn config_file_args() -> Vec<OsString> {
    let Some((var, path)) = config_file() else {
        return Vec::new();
    };
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(err) => {
            crate::messages::early(&format!(
                "failed to read the file specified in {var}: {}: {err}",
                Path::new(&path).display()
            ));
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

    /// --path-separator accepts one byte or nothing, never more.
    #[test]
    fn path_separator_must_be_one_byte() {
        assert_eq!(path_separator(Some("/")).unwrap(), Some(b'/'));
        assert_eq!(path_separator(Some("")).unwrap(), None);
        assert!(path_separator(Some("ab")).is_err());
    }

    /// `-` is stdin whatever exists by that name; files, directories and
    /// missing paths are told apart.
    #[test]
    fn roots_are_classified_once() {
        let dir = std::env::temp_dir().join(format!("dn-classify-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("-")).unwrap();
        std::fs::write(dir.join("f"), b"x").unwrap();
        assert_eq!(classify(PathBuf::from("-")).kind, RootKind::Stdin);
        assert_eq!(classify(dir.join("f")).kind, RootKind::File);
        assert_eq!(classify(dir.join("-")).kind, RootKind::Dir);
        assert_eq!(classify(dir.join("missing")).kind, RootKind::Other);
        std::os::unix::fs::symlink(dir.join("f"), dir.join("l")).unwrap();
        assert_eq!(classify(dir.join("l")).kind, RootKind::File);
        std::os::unix::fs::symlink(dir.join("-"), dir.join("ld")).unwrap();
        assert_eq!(classify(dir.join("ld")).kind, RootKind::DirLink);
        std::os::unix::fs::symlink(dir.join("missing"), dir.join("broken")).unwrap();
        assert_eq!(classify(dir.join("broken")).kind, RootKind::Other);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Past ten roots, none is looked at while the options are resolved:
    /// the walk classifies them.
    #[test]
    fn many_roots_are_left_to_the_walk() {
        use clap::Parser;
        let mut args = Args::try_parse_from(["dn", "-"]).unwrap();
        let (few, _) = roots(&mut args, Mode::Search(SearchMode::Standard));
        assert_eq!(few[0].kind, RootKind::Stdin);
        let names = (0..=CLASSIFY_UP_FRONT).map(|i| format!("r{i}"));
        let mut args =
            Args::try_parse_from(std::iter::once("dn".to_string()).chain(names)).unwrap();
        let (many, _) = roots(&mut args, Mode::Search(SearchMode::Standard));
        assert_eq!(many.len(), CLASSIFY_UP_FRONT + 1);
        assert!(many.iter().all(|r| r.kind == RootKind::Later));
    }
}
