//! A sorted walk at parallel speed: `ignore`'s parallel walker lists the
//! directories on several threads, and this module hands the entries on in
//! the exact order of its sequential walker sorted by file name (the order of
//! `rg --sort path`), streaming as soon as the next directory is listed.
//!
//! How: `ignore` calls the walk filter for each entry that survives the
//! ignore rules on the thread that lists the entry's directory, right after
//! that thread visits the directory and before it visits anything else. So
//! every walker thread gathers one listing at a time and hands it over whole
//! when it starts the next (or ends). The assembler then goes depth first
//! over the listings, sorting each one, and waits only when the next
//! directory in the order has not been listed yet. This relies on how
//! `ignore` 0.4.29 (pinned in Cargo.toml) drives the filter; the order tests
//! compare it with the sequential walk and with `rg --sort path`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crossbeam_channel::{Receiver, Sender};
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

/// One result of the walk, as `ignore` yields it.
type Entry = Result<DirEntry, ignore::Error>;

/// What the sorted walk hands on, in order.
pub(crate) enum Found {
    /// A directory, as visited (it carries any problem with its ignore
    /// files).
    Dir(DirEntry),
    /// A regular file (or, with -L, a link to one) to search: its path.
    File(Vec<u8>),
    /// A problem met while walking.
    Error(ignore::Error),
}

/// What a listing keeps of an entry: where its name is in `names`, and
/// whether it is a directory (to enter) or a file (to search). Nothing else
/// found by walking is ever searched (links not followed, FIFOs, sockets,
/// devices), so nothing else is kept.
#[derive(Clone, Copy)]
struct Child {
    start: u32,
    len: u32,
    is_dir: bool,
}

/// One directory's listing: the directory as visited, the names of its
/// entries that passed every filter (end to end in one buffer: a listing
/// costs a few bytes per entry, so a walk far ahead of the search stays
/// small), and the errors met while listing it.
struct Listing {
    dir: DirEntry,
    names: Vec<u8>,
    children: Vec<Child>,
    errors: Vec<ignore::Error>,
}

impl Listing {
    /// An empty listing of `dir`.
    fn new(dir: DirEntry) -> Listing {
        Listing { dir, names: Vec::new(), children: Vec::new(), errors: Vec::new() }
    }

    /// Adds an entry by name.
    fn push(&mut self, name: &[u8], is_dir: bool) {
        let start = self.names.len() as u32;
        self.names.extend_from_slice(name);
        self.children.push(Child { start, len: name.len() as u32, is_dir });
    }

    /// The name of `c`.
    fn name(&self, c: &Child) -> &[u8] {
        &self.names[c.start as usize..(c.start + c.len) as usize]
    }

    /// Sorts the entries by name, as the sequential walk does.
    fn sort(&mut self) {
        let mut children = std::mem::take(&mut self.children);
        children.sort_unstable_by(|a, b| self.name(a).cmp(self.name(b)));
        self.children = children;
    }

    /// The path of entry `c`, built as `Path::join` builds it (as `ignore`
    /// does), so it is byte for byte the path the sequential walk yields.
    fn path_of(&self, c: &Child) -> Vec<u8> {
        let dir = self.dir.path().as_os_str().as_bytes();
        let name = self.name(c);
        let mut path = Vec::with_capacity(dir.len() + 1 + name.len());
        path.extend_from_slice(dir);
        if !dir.ends_with(b"/") {
            path.push(b'/');
        }
        path.extend_from_slice(name);
        path
    }
}

/// What the walker threads hand to the assembler.
enum Msg {
    /// A directory listed in full (boxed: the assembler may hold thousands).
    Listed(Box<Listing>),
    /// An error met outside any listing (about the root itself).
    Stray(ignore::Error),
}

thread_local! {
    /// The listing this walker thread is gathering, if any.
    static PENDING: RefCell<Option<Listing>> = const { RefCell::new(None) };
}

/// Walks one root directory with `threads` threads and passes every
/// directory, searchable file and error to `emit` in ascending file-name
/// order, depth first, as the sequential walk sorted by file name would.
/// `builder` must hold just that root and no `max_filesize` (pass it here).
/// Returns false as soon as `emit` does (the walk is then stopped).
pub(crate) fn walk(
    mut builder: WalkBuilder,
    root: &std::path::Path,
    threads: usize,
    max_filesize: Option<u64>,
    emit: &mut dyn FnMut(Found) -> bool,
) -> bool {
    let (tx, rx) = crossbeam_channel::unbounded();
    let gate = Arc::new(Gate::default());
    builder.threads(threads.max(1)).filter_entry(move |dent| gather(dent, max_filesize));
    let parallel = builder.build_parallel();
    let mut visitors = Visitors { tx, gate: gate.clone() };
    std::thread::scope(|s| {
        let walker = std::thread::Builder::new()
            .name("walk".into())
            .spawn_scoped(s, move || parallel.visit(&mut visitors));
        if walker.is_err() {
            return emit(Found::Error(ignore::Error::Io(std::io::Error::other(
                "could not start the walker threads",
            ))));
        }
        let mut asm = Assembler { rx, gate: &gate, listed: PathMap::default(), strays: Vec::new() };
        let finished = asm.run(root.as_os_str().as_bytes(), emit);
        gate.stop();
        finished
    })
}

/// The walk filter: records a directory or regular file in the current
/// thread's listing and says whether the walker should go into it
/// (directories only: files are handed over with the listing, so they need
/// no visit of their own).
fn gather(dent: &DirEntry, max_filesize: Option<u64>) -> bool {
    let is_dir = match dent.file_type() {
        Some(t) if t.is_dir() => true,
        Some(t) if t.is_file() => false,
        _ => return false,
    };
    if !is_dir && too_big(dent, max_filesize) {
        return false;
    }
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        debug_assert!(
            p.as_ref().is_some_and(|l| dent.path().parent() == Some(l.dir.path())),
            "walk filter called outside its directory's listing: {}",
            dent.path().display()
        );
        if let Some(listing) = p.as_mut() {
            listing.push(file_name(dent), is_dir);
        }
    });
    is_dir
}

/// True if `--max-filesize` rules the file out, as `ignore` decides it.
fn too_big(dent: &DirEntry, max_filesize: Option<u64>) -> bool {
    let Some(max) = max_filesize else { return false };
    dent.metadata().is_ok_and(|md| md.len() > max)
}

/// Most entries listed ahead of the assembler before the walker threads
/// wait for it (unless it waits for a listing itself): this bounds the
/// memory of a walk that runs far ahead of the search.
const MAX_HELD: usize = 4096;

/// Flow control between the walker threads and the assembler.
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
    room: Condvar,
}

/// The state behind a `Gate`.
#[derive(Default)]
struct GateState {
    /// Entries listed and not yet taken by the assembler.
    held: usize,
    /// The assembler waits for a listing: no walker may wait for room.
    starving: bool,
    /// The assembler has stopped: the walk must end.
    stopped: bool,
}

impl Gate {
    /// Locks the state (a panic elsewhere does not make it unusable).
    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts `n` more entries held.
    fn add(&self, n: usize) {
        self.lock().held += n;
    }

    /// Counts `n` entries taken by the assembler; wakes the walkers when
    /// that makes room.
    fn take(&self, n: usize) {
        let mut st = self.lock();
        let was_full = st.held > MAX_HELD;
        st.held -= n.min(st.held);
        if was_full && st.held <= MAX_HELD {
            self.room.notify_all();
        }
    }

    /// Says whether the assembler waits for a listing; while it does, the
    /// walkers run freely (the listing it needs may not exist yet).
    fn starve(&self, starving: bool) {
        self.lock().starving = starving;
        if starving {
            self.room.notify_all();
        }
    }

    /// Ends the walk: every walker is released and told to quit.
    fn stop(&self) {
        self.lock().stopped = true;
        self.room.notify_all();
    }

    /// Waits until the assembler has room for more listings; false once
    /// the walk must end.
    fn wait_room(&self) -> bool {
        let mut st = self.lock();
        while st.held > MAX_HELD && !st.starving && !st.stopped {
            st = self.room.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        !st.stopped
    }
}

/// Builds one visitor per walker thread.
struct Visitors {
    tx: Sender<Msg>,
    gate: Arc<Gate>,
}

impl<'s> ParallelVisitorBuilder<'s> for Visitors {
    /// A visitor that sends finished listings to the assembler.
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor { tx: self.tx.clone(), gate: self.gate.clone() })
    }
}

/// One walker thread's visitor.
struct Visitor {
    tx: Sender<Msg>,
    gate: Arc<Gate>,
}

impl Visitor {
    /// Hands this thread's finished listing, if any, to the assembler,
    /// sorted by name here so that the sorting runs on every walker thread.
    fn flush(&self) {
        if let Some(mut listing) = PENDING.with(|p| p.borrow_mut().take()) {
            listing.sort();
            listing.names.shrink_to_fit();
            listing.children.shrink_to_fit();
            self.gate.add(listing.children.len() + 1);
            // A closed channel means the assembler has stopped: nothing to do.
            let _ = self.tx.send(Msg::Listed(Box::new(listing)));
        }
    }
}

impl ParallelVisitor for Visitor {
    /// A visited entry starts this thread's next listing (the filter fills
    /// it), once the assembler has room; an error joins the listing under
    /// way, or goes alone.
    fn visit(&mut self, entry: Entry) -> WalkState {
        match entry {
            Ok(dir) => {
                self.flush();
                if !self.gate.wait_room() {
                    return WalkState::Quit;
                }
                let listing = Listing::new(dir);
                PENDING.with(|p| *p.borrow_mut() = Some(listing));
            }
            Err(err) => {
                let stray = PENDING.with(|p| match p.borrow_mut().as_mut() {
                    Some(listing) => {
                        listing.errors.push(err);
                        None
                    }
                    None => Some(err),
                });
                if let Some(err) = stray {
                    let _ = self.tx.send(Msg::Stray(err));
                }
            }
        }
        WalkState::Continue
    }
}

impl Drop for Visitor {
    /// The thread is done: its last listing is complete.
    fn drop(&mut self) {
        self.flush();
    }
}

/// Puts the listings back in order.
struct Assembler<'g> {
    rx: Receiver<Msg>,
    gate: &'g Gate,
    /// Listings received but not yet reached, by directory path.
    listed: PathMap<Box<Listing>>,
    /// Errors about the root, to emit at the next chance.
    strays: Vec<ignore::Error>,
}

impl Assembler<'_> {
    /// Emits the walk of `root` depth first in file-name order; returns
    /// false as soon as `emit` does.
    fn run(&mut self, root: &[u8], emit: &mut dyn FnMut(Found) -> bool) -> bool {
        // The listings being gone through, each with where it is.
        let mut stack: Vec<(Box<Listing>, usize)> = Vec::new();
        let mut next_dir = Some(root.to_vec());
        loop {
            if let Some(dir) = next_dir.take() {
                // None: the walk ended without listing it (it was stopped).
                let listing = self.take(&dir);
                if !self.strays.drain(..).all(|e| emit(Found::Error(e))) {
                    return false;
                }
                if let Some(mut listing) = listing {
                    let errors = std::mem::take(&mut listing.errors);
                    if !emit(Found::Dir(listing.dir.clone()))
                        || !errors.into_iter().all(|e| emit(Found::Error(e)))
                    {
                        return false;
                    }
                    stack.push((listing, 0));
                }
            }
            let Some((listing, at)) = stack.last_mut() else { return true };
            let Some(&child) = listing.children.get(*at) else {
                stack.pop();
                continue;
            };
            *at += 1;
            let path = listing.path_of(&child);
            if child.is_dir {
                next_dir = Some(path);
            } else if !emit(Found::File(path)) {
                return false;
            }
        }
    }

    /// Waits for the listing of `dir`, keeping stray errors met meanwhile.
    /// None once the walk has ended without it.
    fn take(&mut self, dir: &[u8]) -> Option<Box<Listing>> {
        let listing = self.wait_for(dir);
        if let Some(l) = &listing {
            self.gate.take(l.children.len() + 1);
        }
        listing
    }

    /// Receives listings until the one of `dir` is in; None once the walk
    /// has ended without it.
    fn wait_for(&mut self, dir: &[u8]) -> Option<Box<Listing>> {
        if let Some(listing) = self.listed.remove(dir) {
            return Some(listing);
        }
        self.gate.starve(true);
        let found = self.receive_until(dir);
        self.gate.starve(false);
        found
    }

    /// `wait_for` once the listing is known to be missing.
    fn receive_until(&mut self, dir: &[u8]) -> Option<Box<Listing>> {
        loop {
            if let Some(listing) = self.listed.remove(dir) {
                return Some(listing);
            }
            match self.rx.recv().ok()? {
                Msg::Listed(l) => {
                    self.listed.insert(l.dir.path().as_os_str().as_bytes().to_vec(), l);
                }
                Msg::Stray(err) => self.strays.push(err),
            }
        }
    }
}

/// A map keyed by path bytes, with a hash cheaper than the default one
/// (the keys are our own walk's paths, so no defence against crafted keys is
/// needed).
type PathMap<V> = HashMap<Vec<u8>, V, BuildHasherDefault<Fnv>>;

/// The FNV-1a hash.
struct Fnv(u64);

impl Default for Fnv {
    /// FNV-1a's offset basis.
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    /// The hash so far.
    fn finish(&self) -> u64 {
        self.0
    }

    /// Mixes in `bytes`, one at a time.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The last component of an entry's path, as bytes: what the sequential walk
/// sorts by (cheaper than `Path::file_name`, which parses components).
fn file_name(d: &DirEntry) -> &[u8] {
    let path = d.path().as_os_str().as_bytes();
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Writes `text` to `root/rel`, creating the directories on the way.
    fn put(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A tree with nested ignore files, hidden entries, names whose sort
    /// order differs from full-path order, a non-UTF-8 name, empty and deep
    /// directories, big files, a link to a directory and a link loop.
    fn tree(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("dn-walk-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        put(&root, ".gitignore", "*.log\nbuild/\n!keep.log\n");
        for rel in ["a/x", "a/y", "a-b", "a.txt", "A", "keep.log", "x.log", "build/z", ".h.txt"] {
            put(&root, rel, "text\n");
        }
        put(&root, "a/.gitignore", "y\n");
        put(&root, ".hidden/in", "text\n");
        put(&root, "deep/1/2/3/4/f", "text\n");
        put(&root, "big", &"0123456789\n".repeat(100));
        std::fs::create_dir_all(root.join("empty")).unwrap();
        for d in 0..60 {
            for f in 0..8 {
                put(&root, &format!("d{}/f{f}", (d * 37) % 60), "text\n");
                put(&root, &format!("d{d}/s/g{f}.c"), "text\n");
            }
            put(&root, &format!("d{d}/.ignore"), "g3.c\n");
        }
        let odd = std::ffi::OsStr::from_bytes(b"odd-\xff\xfe");
        std::fs::write(root.join("a").join(odd), "text\n").unwrap();
        std::os::unix::fs::symlink(root.join("deep"), root.join("link-to-deep")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("deep/1/loop")).unwrap();
        root
    }

    /// The directories, regular files and errors of the sequential walk of
    /// `b` sorted by name, as (path, is error) pairs, errors without a path.
    fn seq(b: &WalkBuilder) -> Vec<(Vec<u8>, bool)> {
        let mut b = b.clone();
        b.sort_by_file_name(|x, y| x.cmp(y));
        b.build()
            .filter(|e| e.as_ref().map_or(true, |d| d.file_type().is_some_and(|t| !t.is_symlink())))
            .filter(|e| {
                e.as_ref()
                    .map_or(true, |d| d.file_type().is_some_and(|t| t.is_dir() || t.is_file()))
            })
            .map(|e| match e {
                Ok(d) => (d.path().as_os_str().as_bytes().to_vec(), false),
                Err(_) => (Vec::new(), true),
            })
            .collect()
    }

    /// What `walk` yields for `b`'s single root with `threads` threads.
    fn par(b: &WalkBuilder, root: &Path, threads: usize, max: Option<u64>) -> Vec<(Vec<u8>, bool)> {
        let mut got = Vec::new();
        assert!(walk(b.clone(), root, threads, max, &mut |e| {
            got.push(key(e));
            true
        }));
        got
    }

    /// An entry as its path bytes, or an error as an empty path.
    fn key(f: Found) -> (Vec<u8>, bool) {
        match f {
            Found::Dir(d) => (d.path().as_os_str().as_bytes().to_vec(), false),
            Found::File(path) => (path, false),
            Found::Error(_) => (Vec::new(), true),
        }
    }

    /// The entries, errors first in the order met (their position may
    /// differ between walkers, their number may not).
    fn sorted_errors(mut v: Vec<(Vec<u8>, bool)>) -> Vec<(Vec<u8>, bool)> {
        v.sort_by_key(|(_, is_err)| !is_err);
        v
    }

    /// On several settings and thread counts, the parallel walk yields
    /// exactly the sequential sorted walk's entries in the same order.
    #[test]
    fn same_order_as_the_sequential_sorted_walk() {
        let root = tree("order");
        type Setting = (&'static str, Box<dyn Fn(&mut WalkBuilder)>, Option<u64>);
        let settings: Vec<Setting> = vec![
            ("default", Box::new(|_| {}), None),
            (
                "hidden, no ignore",
                Box::new(|b| {
                    b.hidden(false).git_ignore(false);
                }),
                None,
            ),
            (
                "max depth 2",
                Box::new(|b| {
                    b.max_depth(Some(2));
                }),
                None,
            ),
            (
                "follow links",
                Box::new(|b| {
                    b.follow_links(true);
                }),
                None,
            ),
            ("max filesize", Box::new(|_| {}), Some(100)),
        ];
        for (name, set, max) in &settings {
            let mut b = WalkBuilder::new(&root);
            set(&mut b);
            let mut seq_b = b.clone();
            seq_b.max_filesize(*max);
            let want = seq(&seq_b);
            assert!(want.len() > 500, "{name}: {} entries", want.len());
            for threads in [1, 2, 3, 8] {
                for _ in 0..3 {
                    let got = par(&b, &root, threads, *max);
                    let (w, g): (Vec<_>, Vec<_>) = (
                        want.iter().filter(|e| !e.1).collect(),
                        got.iter().filter(|e| !e.1).collect(),
                    );
                    assert!(w == g, "{name}, {threads} threads: order differs");
                    assert_eq!(
                        sorted_errors(want.clone()).iter().filter(|e| e.1).count(),
                        sorted_errors(got).iter().filter(|e| e.1).count(),
                        "{name}, {threads} threads: errors differ"
                    );
                }
            }
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    /// When the receiver stops early, the walk ends and says so.
    #[test]
    fn stops_when_emit_refuses() {
        let root = tree("stop");
        let mut n = 0;
        let finished = walk(WalkBuilder::new(&root), &root, 2, None, &mut |_| {
            n += 1;
            n < 10
        });
        assert!(!finished);
        assert_eq!(n, 10);
        let _ = std::fs::remove_dir_all(&root);
    }
}
