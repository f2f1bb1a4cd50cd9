//! The directory walk: `ignore`'s walker, run on several threads and put in
//! ripgrep's sorted order (see `sorted`), turning entries into haystacks
//! (paths to search) on one thread that feeds the main loop.
//!
//! It decides what is searched (ripgrep's haystack rules: explicit paths,
//! regular files, never FIFOs or devices found while walking) but never
//! searches or prints anything itself.

use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::thread::JoinHandle;
use std::time::SystemTime;

use anyhow::Context;
use crossbeam_channel::Sender;
use ignore::{DirEntry, WalkBuilder};

use crate::cli::SortKind;
use crate::config::{Config, Root, RootKind};
use crate::doorbell::Ringer;

mod sorted;

use sorted::Found;

/// One thing the walk produced, in walk order.
#[derive(Debug)]
pub(crate) enum WalkItem {
    /// A file to search (`regular`: see `Job::regular`).
    Hay { path: Vec<u8>, explicit: bool, stdin: bool, regular: bool },
    /// An error that holds a place in the output order (missing path, ...).
    Error(String),
    /// A problem with an ignore file: reported, but not a search error.
    Warning(String),
}

/// Most items in one message from the walker.
const MAX_CHUNK: usize = 512;

/// Groups walk items into chunks, so the channel (and the wake-up of the
/// thread waiting on it) is paid per chunk, not per file. Chunks start at
/// one item and double, so the first files reach the workers at once.
struct Chunker {
    tx: Sender<Vec<WalkItem>>,
    /// Rung after each chunk sent.
    bell: Option<Ringer>,
    buf: Vec<WalkItem>,
    limit: usize,
}

impl Chunker {
    /// Adds an item; returns false once the receiver is gone.
    fn push(&mut self, item: WalkItem) -> bool {
        self.buf.push(item);
        if self.buf.len() < self.limit {
            return true;
        }
        self.limit = (self.limit * 2).min(MAX_CHUNK);
        self.flush()
    }

    /// Sends what is buffered; returns false once the receiver is gone.
    fn flush(&mut self) -> bool {
        if self.buf.is_empty() {
            return true;
        }
        let sent = self.tx.send(std::mem::take(&mut self.buf)).is_ok();
        if let Some(bell) = &self.bell {
            bell.ring();
        }
        sent
    }
}

/// Starts the walker thread; items arrive on `tx` in order, in chunks,
/// then the channel closes. `bell`, if given, rings after every chunk sent
/// and once the channel is closed.
pub(crate) fn spawn(
    cfg: &Config,
    tx: Sender<Vec<WalkItem>>,
    bell: Option<Ringer>,
) -> anyhow::Result<JoinHandle<()>> {
    let cfg = cfg.clone();
    let handle = std::thread::Builder::new().name("walker".into()).spawn(move || {
        let mut out = Chunker { tx, bell: bell.clone(), buf: Vec::new(), limit: 1 };
        if walk_here(&cfg, &mut |item| out.push(item)) {
            out.flush();
        }
        drop(out);
        if let Some(bell) = bell {
            bell.ring();
        }
    });
    handle.context("could not start the walker thread")
}

/// The whole walk on this thread, each item passed to `emit` in the order
/// the walker thread would send it (for a run that could not start one);
/// returns false as soon as `emit` does.
pub(crate) fn walk_here(cfg: &Config, emit: &mut dyn FnMut(WalkItem) -> bool) -> bool {
    if in_walk_order(cfg.run.sort) {
        walk(cfg, emit)
    } else {
        sorted(cfg).into_iter().all(emit)
    }
}

/// The whole walk at once, on this thread, when every root is a regular
/// file or stdin, searched in the order given (an editor's search of the
/// file open): no walker thread is needed then. None otherwise.
pub(crate) fn files_now(cfg: &Config) -> Option<Vec<WalkItem>> {
    let roots = &cfg.run.roots;
    let files = roots.iter().all(|r| matches!(r.kind, RootKind::File | RootKind::Stdin));
    if !in_walk_order(cfg.run.sort) || !files {
        return None;
    }
    let strip = cfg.run.has_implicit_path;
    Some(roots.iter().map(|r| explicit_root(r, strip)).collect())
}

/// Walks every root in the order given, passing each item to `emit` in
/// the order of the sequential walk sorted by file name, after the problems
/// with --ignore-file files. Directories are walked on several threads
/// (`walk_threads`; with none to spare, 0, by the sequential walk);
/// files and stdin are emitted as they are; runs of other roots (links to
/// directories, missing paths, devices) go through the sequential walk.
/// Roots not classified yet are classified here, one at a time, so the
/// first files are searched while later ones are looked at. Returns false
/// as soon as `emit` does.
fn walk(cfg: &Config, emit: &mut dyn FnMut(WalkItem) -> bool) -> bool {
    let strip = cfg.run.has_implicit_path;
    let max_filesize = cfg.walk.max_filesize;
    if !ignore_file_warnings(cfg).into_iter().all(|w| emit(WalkItem::Warning(w))) {
        return false;
    }
    let mut roots = cfg.run.roots.iter().map(settled).peekable();
    let sequential = |r: &Root| matches!(r.kind, RootKind::DirLink | RootKind::Other);
    while let Some(root) = roots.next() {
        let done = match root.kind {
            RootKind::Dir => {
                let (b, _) = builder(cfg, std::slice::from_ref(&root));
                let ordered = cfg.run.sort.kind != SortKind::None;
                if cfg.run.walk_threads > 0 {
                    let mut each = |found| found_item(found, strip, emit);
                    let one = |dirs: &[Vec<u8>]| {
                        let roots: Vec<Root> = dirs.iter().map(|d| dir_root(d)).collect();
                        unsorted(cfg, &roots).0
                    };
                    let rewalk = rewalkable(&cfg.walk).then_some(sorted::Rewalk {
                        builder: &one,
                        after: sorted::REWALK_AFTER,
                        min_average: sorted::MIN_AVERAGE_LISTING,
                    });
                    let threads = cfg.run.walk_threads;
                    let plan = sorted::Plan { threads, max_filesize, ordered, rewalk };
                    sorted::walk(b, &root.path, plan, &mut each)
                } else {
                    b.build().all(|r| haystack(r, strip, max_filesize, emit))
                }
            }
            // The walk would yield a file root as given, filters aside: skip
            // building it (reading git's config and global excludes cost
            // about 0.3 ms of an editor's one-file search).
            RootKind::File | RootKind::Stdin => emit(explicit_root(&root, strip)),
            _ => {
                let mut group = vec![root];
                while let Some(next) = roots.next_if(sequential) {
                    group.push(next);
                }
                let (b, _) = builder(cfg, &group);
                b.build().all(|r| haystack(r, strip, max_filesize, emit))
            }
        };
        if !done {
            return false;
        }
    }
    true
}

/// Whether a directory found by walking a root, walked again as a root of
/// its own (the ignore files above it read as its parents), yields what the
/// root's walk yields under it: not when the walk follows links (loops are
/// found through the ancestors walked), counts depth, stays on the root's
/// file system, or leaves the ignore files above a root out. (`builder`
/// reads git's exclude file only with its ignore files, as it must:
/// `ignore` looks for `.git` above a root only for the ignore files.)
fn rewalkable(w: &crate::config::WalkOptions) -> bool {
    !w.follow && w.max_depth.is_none() && !w.one_file_system && !w.no_ignore_parent
}

/// A directory found by walking, as a root.
fn dir_root(dir: &[u8]) -> Root {
    let path = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(dir));
    Root { path, kind: RootKind::Dir }
}

/// The root, classified if it was left for the walk to classify.
fn settled(root: &Root) -> Root {
    match root.kind {
        RootKind::Later => crate::config::classify(root.path.clone()),
        _ => root.clone(),
    }
}

/// The problems found reading the --ignore-file files (every walk reads
/// them; they are reported once).
fn ignore_file_warnings(cfg: &Config) -> Vec<String> {
    let w = &cfg.walk;
    match cfg.run.roots.first() {
        Some(first) if !w.no_ignore_files && !w.ignore_files.is_empty() => {
            builder(cfg, std::slice::from_ref(first)).1
        }
        _ => Vec::new(),
    }
}

/// Collects the whole walk and sorts it the way `rg --sort`/`--sortr` do.
fn sorted(cfg: &Config) -> Vec<WalkItem> {
    let (kind, reverse) = (cfg.run.sort.kind, cfg.run.sort.reverse);
    let mut items = Vec::new();
    walk(cfg, &mut |item| {
        items.push(item);
        true
    });
    let (mut hays, other): (Vec<_>, Vec<_>) =
        items.into_iter().partition(|i| matches!(i, WalkItem::Hay { .. }));
    let path_of = |i: &WalkItem| match i {
        WalkItem::Hay { path, .. } => path.clone(),
        _ => Vec::new(),
    };
    if kind == SortKind::Path {
        hays.sort_by(|a, b| {
            Path::new(std::ffi::OsStr::from_bytes(&path_of(b)))
                .cmp(Path::new(std::ffi::OsStr::from_bytes(&path_of(a))))
        });
    } else {
        let mut keyed: Vec<(Option<SystemTime>, WalkItem)> =
            hays.into_iter().map(|h| (timestamp(&path_of(&h), kind), h)).collect();
        keyed.sort_by(|(t1, _), (t2, _)| {
            let o = match (t1, t2) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            if reverse {
                o.reverse()
            } else {
                o
            }
        });
        hays = keyed.into_iter().map(|(_, h)| h).collect();
    }
    other.into_iter().chain(hays).collect()
}

/// The timestamp a --sort mode orders by, if it can be read.
fn timestamp(path: &[u8], kind: SortKind) -> Option<SystemTime> {
    let md = std::fs::metadata(Path::new(std::ffi::OsStr::from_bytes(path))).ok()?;
    match kind {
        SortKind::Modified => md.modified().ok(),
        SortKind::Accessed => md.accessed().ok(),
        SortKind::Created => md.created().ok(),
        _ => None,
    }
}

/// Configures the walker of `roots` (at least one) exactly as ripgrep does
/// for a search; returns it with the problems found reading --ignore-file
/// files.
fn builder(cfg: &Config, roots: &[Root]) -> (WalkBuilder, Vec<String>) {
    let (mut b, warnings) = unsorted(cfg, roots);
    // The order of `rg --sort path`, and what the other sorts start from
    // (their ties keep it). It also keeps the sequential walk to one open
    // directory at a time (each is read whole), which matters when
    // descriptors are few. (The parallel walk ignores it.)
    sort_by_name(&mut b);
    (b, warnings)
}

/// `builder` without the order: the walk goes through each directory as
/// the file system lists it.
fn unsorted(cfg: &Config, roots: &[Root]) -> (WalkBuilder, Vec<String>) {
    let w = &cfg.walk;
    let mut b = WalkBuilder::new(&roots[0].path);
    b.ignore_case_insensitive(w.ignore_case_insensitive);
    let mut warnings = Vec::new();
    for r in &roots[1..] {
        b.add(&r.path);
    }
    if !w.no_ignore_files {
        for f in &w.ignore_files {
            if let Some(err) = b.add_ignore(f) {
                warnings.push(err.to_string());
            }
        }
    }
    // --max-filesize is not given to `ignore`: `searchable` applies it, for
    // both walks.
    b.max_depth(w.max_depth)
        .follow_links(w.follow)
        .threads(1)
        .same_file_system(w.one_file_system)
        .skip_stdout(w.skip_stdout)
        .overrides(w.globs.clone())
        .types(w.types.clone())
        .hidden(!w.hidden)
        .parents(!w.no_ignore_parent)
        .ignore(!w.no_ignore_dot)
        .git_global(!w.no_ignore_vcs && !w.no_ignore_global)
        .git_ignore(!w.no_ignore_vcs)
        .git_exclude(!w.no_ignore_vcs && !w.no_ignore_exclude)
        .require_git(!w.no_require_git)
        .current_dir(&w.cwd);
    if !w.no_ignore_dot {
        b.add_custom_ignore_filename(".rgignore");
        b.add_custom_ignore_filename(".dnignore");
    }
    (b, warnings)
}

/// Makes the sequential walk go through each directory in ascending
/// file-name order, as `rg --sort path` does. It compares whole paths as
/// bytes: entries of one directory share every byte up to their names, so
/// that is the order of the names, without taking each path apart for its
/// name on every comparison (a tenth of a sorted walk's time otherwise).
pub(crate) fn sort_by_name(b: &mut WalkBuilder) {
    b.sort_by_file_path(|x, y| x.as_os_str().as_bytes().cmp(y.as_os_str().as_bytes()));
}

/// True when the walk itself yields the output order (ascending path).
fn in_walk_order(sort: crate::config::Sort) -> bool {
    (sort.kind == SortKind::Path && !sort.reverse) || sort.kind == SortKind::None
}

/// Emits the item, if any, for one thing the sorted walk found (a directory
/// gives a warning about its ignore files, if it has one). Returns false
/// when `emit` does.
fn found_item(found: Found, strip: bool, emit: &mut dyn FnMut(WalkItem) -> bool) -> bool {
    match found {
        Found::Dir { warning, .. } => {
            warning.is_none_or(|e| emit(WalkItem::Warning(e.to_string())))
        }
        Found::File(path) => {
            let path = stripped(path, strip);
            emit(WalkItem::Hay { path, explicit: false, stdin: false, regular: true })
        }
        Found::Error(err) => emit(WalkItem::Error(err.to_string())),
    }
}

/// The item for a root that is a file or stdin: searched whatever the
/// filters say (stdin under the name ripgrep prints for it).
fn explicit_root(root: &Root, strip: bool) -> WalkItem {
    if root.kind == RootKind::Stdin {
        let path = b"<stdin>".to_vec();
        return WalkItem::Hay { path, explicit: true, stdin: true, regular: false };
    }
    let path = stripped(root.path.as_os_str().as_bytes().to_vec(), strip);
    WalkItem::Hay { path, explicit: true, stdin: false, regular: true }
}

/// The one rule for what a walk hands on to be searched, besides the roots
/// themselves (always searched): regular files (with -L, links to them)
/// that --max-filesize does not rule out. Directories, FIFOs, sockets,
/// devices and broken links found by walking are never searched.
pub(crate) fn searchable(dent: &DirEntry, max_filesize: Option<u64>) -> bool {
    if !dent.file_type().is_some_and(|t| t.is_file()) {
        return false;
    }
    let Some(max) = max_filesize else { return true };
    match dent.metadata() {
        Ok(md) if md.len() > max => {
            log::debug!("ignoring {}: {} bytes", dent.path().display(), md.len());
            false
        }
        Ok(_) => true,
        Err(_) => false,
    }
}

/// Cuts the literal "./" that an implicit root leaves at the front.
fn stripped(mut path: Vec<u8>, strip: bool) -> Vec<u8> {
    if strip && path.starts_with(b"./") {
        path.drain(..2);
    }
    path
}

/// Emits the items for one walk result: an error or warning, and the file
/// if it is a root or `searchable`. Returns false when `emit` does.
fn haystack(
    result: Result<DirEntry, ignore::Error>,
    strip: bool,
    max_filesize: Option<u64>,
    emit: &mut dyn FnMut(WalkItem) -> bool,
) -> bool {
    let dent = match result {
        Ok(d) => d,
        Err(err) => return emit(WalkItem::Error(err.to_string())),
    };
    if let Some(err) = dent.error() {
        if !emit(WalkItem::Warning(err.to_string())) {
            return false;
        }
    }
    let is_dir = dent.file_type().is_some_and(|t| t.is_dir())
        || (dent.path_is_symlink() && dent.path().is_dir());
    let explicit = dent.is_stdin() || (dent.depth() == 0 && !is_dir);
    if !explicit && !searchable(&dent, max_filesize) {
        return true;
    }
    // The walk joins names onto the root as given, so an implicit "./" root
    // shows up as a literal "./" prefix (cheaper to cut as bytes). The path's
    // buffer is reused, not copied.
    // Walked files are `searchable`, hence regular; a root may be anything.
    let regular = !explicit || dent.file_type().is_some_and(|t| t.is_file());
    let stdin = dent.is_stdin();
    let path = stripped(dent.into_path().into_os_string().into_vec(), strip);
    emit(WalkItem::Hay { path, explicit, stdin, regular })
}
