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
//!
//! Memory: the walker threads list directories in an order nobody chooses,
//! so the directory the assembler needs next may come after most of the
//! tree. Once the listings held ahead of the order pass a bound, in big
//! directories, the walk is far ahead of the search: the assembler stops the
//! walker threads, keeps what they listed, and has lister threads list the
//! directories it will need, in the order it will need them and under the
//! same bound, each with a sequential walk rooted there, one level deep (the
//! ignore files above it read as a root's parents: what `rg PATTERN
//! that/dir` does). The caller says when that gives the same walk
//! (`Rewalk`).

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crossbeam_channel::{Receiver, Sender, TryRecvError};
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

/// One result of the walk, as `ignore` yields it.
type Entry = Result<DirEntry, ignore::Error>;

/// What the sorted walk hands on, in order.
pub(crate) enum Found {
    /// A directory, with any problem with its ignore files (and, for the
    /// tests of the order, its path).
    Dir {
        #[cfg(test)]
        path: Vec<u8>,
        warning: Option<ignore::Error>,
    },
    /// A regular file (or, with -L, a link to one) to search: its path.
    File(Vec<u8>),
    /// A problem met while walking.
    Error(ignore::Error),
}

/// An entry gathered while its directory is listed: where its name is in
/// the gathering's `names`, and whether it is a directory (to enter) or a
/// file (to search). Nothing else found by walking is ever searched (links
/// not followed, FIFOs, sockets, devices), so nothing else is kept.
#[derive(Clone, Copy)]
struct Child {
    start: u32,
    len: u32,
    is_dir: bool,
}

/// The listing a walker thread is gathering. Its buffers are reused from
/// one directory to the next, so gathering allocates nothing once warm.
#[derive(Default)]
struct Gathering {
    /// The directory being listed; None between listings.
    dir: Option<DirEntry>,
    names: Vec<u8>,
    children: Vec<Child>,
    errors: Vec<ignore::Error>,
    /// Entries were cut off: the names reached 4 GiB.
    full: bool,
}

impl Gathering {
    /// Adds an entry by name (the whole gathering holds less than 4 GiB of
    /// names: beyond that, entries are cut off with an error).
    fn push(&mut self, name: &[u8], is_dir: bool) {
        let (Ok(start), Ok(len)) = (u32::try_from(self.names.len()), u32::try_from(name.len()))
        else {
            return self.too_big();
        };
        if start.checked_add(len).is_none() {
            return self.too_big();
        }
        self.names.extend_from_slice(name);
        self.children.push(Child { start, len, is_dir });
    }

    /// Records, once, that the directory has too many entries to list.
    fn too_big(&mut self) {
        if !std::mem::replace(&mut self.full, true) {
            let path = self.dir.as_ref().map(|d| d.path().to_path_buf()).unwrap_or_default();
            let err = Box::new(ignore::Error::Io(std::io::Error::other(TOO_BIG)));
            self.errors.push(ignore::Error::WithPath { path, err });
        }
    }

    /// The name of `c`.
    fn name(&self, c: &Child) -> &[u8] {
        &self.names[c.start as usize..(c.start + c.len) as usize]
    }

    /// Turns what was gathered into a sorted listing, sorted by name as
    /// the sequential walk sorts; the gathering is left empty for reuse.
    /// None if no listing was under way.
    fn finish(&mut self) -> Option<Listing> {
        let dir = self.dir.take()?;
        let mut children = std::mem::take(&mut self.children);
        children.sort_unstable_by(|a, b| self.name(a).cmp(self.name(b)));
        let path = dir.path().as_os_str().as_bytes();
        let size = path.len() + self.names.len() + 2 * children.len();
        let mut bytes = Vec::with_capacity(size);
        bytes.extend_from_slice(path);
        for c in &children {
            bytes.push(if c.is_dir { DIR } else { FILE });
            bytes.extend_from_slice(self.name(c));
            bytes.push(0);
        }
        let listing = Listing {
            bytes: bytes.into_boxed_slice(),
            dir_len: path.len(),
            entries: children.len(),
            warning: dir.error().cloned().map(Box::new),
            errors: std::mem::take(&mut self.errors),
        };
        children.clear();
        self.children = children;
        self.names.clear();
        self.full = false;
        Some(listing)
    }
}

/// The error for a directory whose names do not fit a listing.
const TOO_BIG: &str = "directory too large to list in order (4 GiB of names)";
/// Marks a directory in a listing's `bytes`.
const DIR: u8 = b'd';
/// Marks a file in a listing's `bytes`.
const FILE: u8 = b'f';

/// One directory's listing, sorted by name, in one allocation: the
/// directory's path, then each entry as a kind byte (`DIR` or `FILE`), its
/// name and a NUL (which no name contains). The assembler may hold most of a
/// tree's listings when the walk runs ahead of the order, so a listing
/// costs its names and two bytes per entry.
struct Listing {
    bytes: Box<[u8]>,
    dir_len: usize,
    /// Entries listed (for flow control).
    entries: usize,
    /// The directory's problem with its ignore files, if any.
    warning: Option<Box<ignore::Error>>,
    /// Errors met while listing it.
    errors: Vec<ignore::Error>,
}

impl Listing {
    /// The directory's path.
    fn path(&self) -> &[u8] {
        &self.bytes[..self.dir_len]
    }

    /// The entry at byte offset `at` (0 for the first): its name, whether it
    /// is a directory, and the offset of the next entry. None at the end.
    fn entry(&self, at: usize) -> Option<(&[u8], bool, usize)> {
        let rest = self.bytes.get(self.dir_len + at..).filter(|r| !r.is_empty())?;
        let len = rest.iter().position(|&b| b == 0)?;
        Some((&rest[1..len], rest[0] == DIR, at + len + 1))
    }

    /// The path of entry `name`, built as `Path::join` builds it (as
    /// `ignore` does), so it is byte for byte the path the sequential walk
    /// yields.
    fn path_of(&self, name: &[u8]) -> Vec<u8> {
        let dir = self.path();
        let mut path = Vec::with_capacity(dir.len() + 1 + name.len());
        path.extend_from_slice(dir);
        if !dir.ends_with(b"/") {
            path.push(b'/');
        }
        path.extend_from_slice(name);
        path
    }
}

impl PartialEq for Listing {
    /// Listings are the same when their directories are.
    fn eq(&self, other: &Listing) -> bool {
        self.path() == other.path()
    }
}

impl Eq for Listing {}

impl Hash for Listing {
    /// Hashes the directory's path exactly as the path alone hashes, so a
    /// listing is found by path (see `Borrow`).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.path().hash(state);
    }
}

impl Borrow<[u8]> for Box<Listing> {
    /// A boxed listing is looked up by its directory's path.
    fn borrow(&self) -> &[u8] {
        self.path()
    }
}

/// What the walker threads hand to the assembler.
enum Msg {
    /// A directory listed in full (boxed: the assembler may hold thousands).
    Listed(Box<Listing>),
    /// An error met outside any listing (about the root itself).
    Stray(ignore::Error),
    /// A directory a lister thread was asked to list is gone (its error
    /// came as a stray).
    Gone(Vec<u8>),
}

thread_local! {
    /// The listing this walker thread is gathering.
    static PENDING: RefCell<Gathering> = RefCell::new(Gathering::default());
}

/// How the assembler may walk directories itself (see the module doc).
pub(crate) struct Rewalk<'a> {
    /// The unsorted walker of directories as roots, with the walk's
    /// options: it must yield under each directory what the walk of the
    /// whole root yields there (so no -L, --max-depth, --one-file-system or
    /// --no-ignore-parent).
    pub(crate) builder: &'a (dyn Fn(&[Vec<u8>]) -> WalkBuilder + Sync),
    /// Entries held ahead of the order past which the assembler stops the
    /// walker threads and has the rest listed by its own (`REWALK_AFTER`)...
    pub(crate) after: usize,
    /// ...when the listings held average at least this many entries
    /// (`MIN_AVERAGE_LISTING`).
    pub(crate) min_average: usize,
}

/// Entries held ahead of the order (about 11 bytes each) past which the
/// walkers are stopped and the listers take over (in big directories: see
/// `Assembler::should_retire`): bounds the walk's memory at under a
/// megabyte there.
pub(crate) const REWALK_AFTER: usize = 1 << 16;

/// How to walk one root.
pub(crate) struct Plan<'a> {
    /// Walker threads (at least one is used).
    pub(crate) threads: usize,
    /// --max-filesize, applied here.
    pub(crate) max_filesize: Option<u64>,
    /// False for `--sort none`: each directory's entries are passed on as
    /// soon as it is listed, in whatever order the walker threads list them.
    pub(crate) ordered: bool,
    /// How the assembler may walk a directory itself (bounds the memory of
    /// an ordered walk); None: never.
    pub(crate) rewalk: Option<Rewalk<'a>>,
}

/// Walks one root directory as `plan` says and passes every directory,
/// searchable file and error to `emit` in ascending file-name order, depth
/// first, as the sequential walk sorted by file name would (unless not
/// `plan.ordered`). `builder` must hold just that root. Returns false as
/// soon as `emit` does (the walk is then stopped).
pub(crate) fn walk(
    builder: WalkBuilder,
    root: &std::path::Path,
    plan: Plan<'_>,
    emit: &mut dyn FnMut(Found) -> bool,
) -> bool {
    walk_gated(builder, root, plan, Gate::new(MAX_HELD), emit)
}

/// `walk` with the given flow control.
fn walk_gated(
    mut builder: WalkBuilder,
    root: &std::path::Path,
    plan: Plan<'_>,
    gate: Gate,
    emit: &mut dyn FnMut(Found) -> bool,
) -> bool {
    let (tx, rx) = crossbeam_channel::unbounded();
    let gate = Arc::new(gate);
    let max_filesize = plan.max_filesize;
    builder.threads(plan.threads.max(1)).filter_entry(move |dent| gather(dent, max_filesize));
    let parallel = builder.build_parallel();
    let mut visitors = Visitors { tx, gate: gate.clone() };
    // For the lister threads, should the walkers stop (see `Listers`).
    let (ltx, lrx) = crossbeam_channel::unbounded();
    let lgate = Gate::new(plan.rewalk.as_ref().map_or(usize::MAX, |r| r.after));
    let jobs = Jobs::default();
    std::thread::scope(|s| {
        let walker = std::thread::Builder::new()
            .name("walk".into())
            .spawn_scoped(s, move || parallel.visit(&mut visitors));
        if walker.is_err() {
            return emit(Found::Error(ignore::Error::Io(std::io::Error::other(
                "could not start the walker threads",
            ))));
        }
        let mut asm = Assembler {
            rx,
            gate: &gate,
            listed: ListingSet::default(),
            strays: Vec::new(),
            rewalk: plan.rewalk,
            retired: false,
            max_filesize,
            listers: Listers {
                threads: plan.threads.max(1),
                jobs: &jobs,
                gate: &lgate,
                tx: Some(ltx),
            },
            lrx,
            requested: PathSet::default(),
            gone: PathSet::default(),
        };
        let finished = if plan.ordered {
            asm.run(root.as_os_str().as_bytes(), emit, s)
        } else {
            asm.run_unordered(emit)
        };
        gate.stop();
        lgate.stop();
        jobs.close();
        finished
    })
}

/// The walk filter: records a directory or regular file in the current
/// thread's listing and says whether the walker should go into it
/// (directories only: files are handed over with the listing, so they need
/// no visit of their own).
fn gather(dent: &DirEntry, max_filesize: Option<u64>) -> bool {
    let is_dir = dent.file_type().is_some_and(|t| t.is_dir());
    if !is_dir && !super::searchable(dent, max_filesize) {
        return false;
    }
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        debug_assert!(
            p.dir.as_ref().is_some_and(|d| dent.path().parent() == Some(d.path())),
            "walk filter called outside its directory's listing: {}",
            dent.path().display()
        );
        if p.dir.is_some() {
            p.push(file_name(dent), is_dir);
        }
    });
    is_dir
}

/// Most entries listed ahead of the assembler before the walker threads
/// wait for it (unless it waits for a listing itself): this bounds the
/// memory of a walk that runs far ahead of the search.
const MAX_HELD: usize = 4096;

/// Flow control between the walker threads and the assembler.
struct Gate {
    state: Mutex<GateState>,
    room: Condvar,
    /// Entries held past which the walkers wait (`MAX_HELD`, less in tests).
    max_held: usize,
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
    /// A gate that stops the walkers at `max_held` entries held.
    fn new(max_held: usize) -> Gate {
        Gate { state: Mutex::default(), room: Condvar::new(), max_held }
    }

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
        let was_full = st.held > self.max_held;
        st.held -= n.min(st.held);
        if was_full && st.held <= self.max_held {
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

    /// Entries held now.
    fn held(&self) -> usize {
        self.lock().held
    }

    /// Waits until the assembler has room for more listings; false once
    /// the walk must end.
    fn wait_room(&self) -> bool {
        let mut st = self.lock();
        while st.held > self.max_held && !st.starving && !st.stopped {
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
        if let Some(listing) = PENDING.with(|p| p.borrow_mut().finish()) {
            self.gate.add(listing.entries + 1);
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
                PENDING.with(|p| p.borrow_mut().dir = Some(dir));
            }
            Err(err) => {
                let stray = PENDING.with(|p| {
                    let mut p = p.borrow_mut();
                    if p.dir.is_none() {
                        return Some(err);
                    }
                    p.errors.push(err);
                    None
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
struct Assembler<'g, 'r> {
    rx: Receiver<Msg>,
    gate: &'g Gate,
    /// Listings received but not yet reached, found by directory path.
    listed: ListingSet,
    /// Errors about the root, to emit at the next chance.
    strays: Vec<ignore::Error>,
    /// How to walk a directory here, if that is allowed.
    rewalk: Option<Rewalk<'r>>,
    /// The walker threads are stopped: what they did not list, the lister
    /// threads list.
    retired: bool,
    /// The lister threads, once the walkers are stopped.
    listers: Listers<'g>,
    /// What the lister threads send.
    lrx: Receiver<Msg>,
    /// Directories asked of the lister threads and not back yet.
    requested: PathSet,
    /// Directories the lister threads found gone.
    gone: PathSet,
    /// --max-filesize, for the files walked here.
    max_filesize: Option<u64>,
}

/// What the assembler does for the next directory in the order.
enum Next {
    /// Goes through its listing.
    Listed(Box<Listing>),
    /// Lists it here.
    Here,
    /// Nothing: the walk ended without listing it (it was stopped).
    Ended,
}

impl<'g, 'r> Assembler<'g, 'r> {
    /// Emits the walk of `root` depth first in file-name order; returns
    /// false as soon as `emit` does. The lister threads, if needed, are
    /// started in `s`.
    fn run<'s>(
        &mut self,
        root: &[u8],
        emit: &mut dyn FnMut(Found) -> bool,
        s: &'s std::thread::Scope<'s, '_>,
    ) -> bool
    where
        'g: 's,
        'r: 's,
    {
        // The listings being gone through, each with the offset of its next
        // entry.
        let mut stack: Vec<(Box<Listing>, usize)> = Vec::new();
        let mut next_dir = Some(root.to_vec());
        loop {
            if let Some(dir) = next_dir.take() {
                let was_retired = self.retired;
                let listing = match self.take(&dir) {
                    Next::Listed(listing) => Some(listing),
                    Next::Here => self.list_here(&dir),
                    Next::Ended => None,
                };
                if self.retired && !was_retired {
                    self.start_listers(s, &stack);
                }
                if !self.strays.drain(..).all(|e| emit(Found::Error(e))) {
                    return false;
                }
                if let Some(mut listing) = listing {
                    if !Self::enter(&mut listing, emit) {
                        return false;
                    }
                    if self.retired {
                        self.request(&listing, 0);
                    }
                    stack.push((listing, 0));
                }
            }
            let Some((listing, at)) = stack.last_mut() else { return true };
            let Some((name, is_dir, next)) = listing.entry(*at) else {
                stack.pop();
                continue;
            };
            *at = next;
            let path = listing.path_of(name);
            if is_dir {
                next_dir = Some(path);
            } else if !emit(Found::File(path)) {
                return false;
            }
        }
    }

    /// Emits a listed directory and the errors met listing it; returns
    /// false as soon as `emit` does.
    fn enter(listing: &mut Listing, emit: &mut dyn FnMut(Found) -> bool) -> bool {
        let errors = std::mem::take(&mut listing.errors);
        let warning = listing.warning.take().map(|w| *w);
        let dir = Found::Dir {
            #[cfg(test)]
            path: listing.path().to_vec(),
            warning,
        };
        emit(dir) && errors.into_iter().all(|e| emit(Found::Error(e)))
    }

    /// Lists `dir` here; None if it is gone (its error is kept).
    fn list_here(&mut self, dir: &[u8]) -> Option<Box<Listing>> {
        log::debug!("listing {} on the assembler's thread", String::from_utf8_lossy(dir));
        let rewalk = self.rewalk.as_ref()?;
        self.requested.remove(dir);
        let mut found = None;
        let batch = list_batch(rewalk.builder, vec![dir.to_vec()], self.max_filesize, &mut |l| {
            found = Some(Box::new(l));
            true
        })?;
        self.strays.extend(batch.errors);
        found
    }

    /// Asks the lister threads for the directories of `listing` from
    /// offset `at` on that nobody listed, in batches, the first on top.
    fn request(&mut self, listing: &Listing, mut at: usize) {
        let mut batches = Vec::new();
        let mut batch = Vec::new();
        while let Some((name, is_dir, next)) = listing.entry(at) {
            at = next;
            if !is_dir {
                continue;
            }
            let path = listing.path_of(name);
            if self.listed.contains(path.as_slice()) {
                continue;
            }
            self.requested.insert(path.clone());
            batch.push(path);
            if batch.len() == LIST_AT_ONCE {
                batches.push(std::mem::take(&mut batch));
            }
        }
        batches.extend((!batch.is_empty()).then_some(batch));
        for b in batches.into_iter().rev() {
            self.listers.jobs.push(b);
        }
    }

    /// Starts the lister threads (as many as there were walkers) and asks
    /// them for what the listings under way still hold that is not listed,
    /// the deepest on top. Without them, the assembler lists alone.
    fn start_listers<'s>(
        &mut self,
        s: &'s std::thread::Scope<'s, '_>,
        stack: &[(Box<Listing>, usize)],
    ) where
        'g: 's,
        'r: 's,
    {
        let (Some(rewalk), Some(tx)) = (&self.rewalk, self.listers.tx.take()) else { return };
        let (jobs, gate, builder, max) =
            (self.listers.jobs, self.listers.gate, rewalk.builder, self.max_filesize);
        // A lister that cannot start leaves its batches to the assembler,
        // which takes back any batch not taken.
        for _ in 0..self.listers.threads {
            let tx = tx.clone();
            let spawned = std::thread::Builder::new()
                .name("list".into())
                .spawn_scoped(s, move || lister(jobs, gate, builder, max, &tx));
            if spawned.is_err() {
                break;
            }
        }
        for (listing, at) in stack {
            self.request(listing, *at);
        }
    }

    /// Emits every listing as it arrives: the directory, its errors, its
    /// files (its subdirectories come with their own listings); returns
    /// false as soon as `emit` does.
    fn run_unordered(&mut self, emit: &mut dyn FnMut(Found) -> bool) -> bool {
        while let Ok(msg) = self.rx.recv() {
            let mut listing = match msg {
                Msg::Gone(_) => continue,
                Msg::Stray(err) => {
                    if !emit(Found::Error(err)) {
                        return false;
                    }
                    continue;
                }
                Msg::Listed(listing) => listing,
            };
            self.gate.take(listing.entries + 1);
            if !Self::enter(&mut listing, emit) {
                return false;
            }
            let mut at = 0;
            while let Some((name, is_dir, next)) = listing.entry(at) {
                at = next;
                if !is_dir && !emit(Found::File(listing.path_of(name))) {
                    return false;
                }
            }
        }
        true
    }

    /// Waits for the listing of `dir`, keeping stray errors met meanwhile,
    /// unless the assembler should list it itself.
    fn take(&mut self, dir: &[u8]) -> Next {
        let next = self.wait_for(dir);
        if let Next::Listed(l) = &next {
            let gate = if self.retired { self.listers.gate } else { self.gate };
            gate.take(l.entries + 1);
        }
        next
    }

    /// Receives listings until the one of `dir` is in, or until so many are
    /// held that the assembler stops the walkers (then `dir`, if they did
    /// not list it, is listed by the listers or here).
    fn wait_for(&mut self, dir: &[u8]) -> Next {
        if self.retired {
            return self.wait_listed(dir);
        }
        loop {
            if let Some(listing) = self.listed.take(dir) {
                return Next::Listed(listing);
            }
            match self.rx.try_recv() {
                Ok(msg) => self.receive(msg),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return Next::Ended,
            }
        }
        if self.should_retire() {
            self.retire();
            return self.wait_listed(dir);
        }
        self.gate.starve(true);
        let next = self.receive_until(dir);
        self.gate.starve(false);
        next
    }

    /// `wait_for` once the walkers are stopped: the listing of `dir` if it
    /// is in or on its way from a lister, else `dir` to list here (taken
    /// out of its batch if no lister has taken that yet).
    fn wait_listed(&mut self, dir: &[u8]) -> Next {
        loop {
            if let Some(listing) = self.listed.take(dir) {
                return Next::Listed(listing);
            }
            if self.gone.remove(dir) {
                return Next::Ended;
            }
            if self.listers.jobs.steal(dir)
                || !self.requested.contains(dir)
                || self.listers.tx.is_some()
            {
                return Next::Here;
            }
            match self.lrx.recv() {
                Ok(msg) => self.receive(msg),
                Err(_) => return Next::Ended,
            }
        }
    }

    /// Whether to stop the walkers: the assembler may list directories
    /// itself, the walk has run that far ahead, and in big directories (a
    /// walk of the listers costs a fraction of a millisecond, and more with
    /// big ignore files above: worth it for many entries, not for a tree of
    /// small directories, whose listings then wait as before).
    fn should_retire(&self) -> bool {
        self.rewalk.as_ref().is_some_and(|r| {
            let held = self.gate.held();
            held > r.after && held >= r.min_average * self.listed.len().max(1)
        })
    }

    /// Stops the walker threads and keeps every listing they finished (the
    /// count held moves to the listers' gate).
    fn retire(&mut self) {
        log::debug!("{} entries listed ahead: listing the rest in order", self.gate.held());
        self.gate.stop();
        while let Ok(msg) = self.rx.recv() {
            self.receive(msg);
        }
        self.listers.gate.add(self.gate.held());
        self.retired = true;
    }

    /// `wait_for` once the listing is known to be missing, the walkers
    /// running freely.
    fn receive_until(&mut self, dir: &[u8]) -> Next {
        loop {
            if let Some(listing) = self.listed.take(dir) {
                return Next::Listed(listing);
            }
            if self.should_retire() {
                self.retire();
                return self.wait_listed(dir);
            }
            match self.rx.recv() {
                Ok(msg) => self.receive(msg),
                Err(_) => return Next::Ended,
            }
        }
    }

    /// Keeps a listing received, a stray error, or a directory gone.
    fn receive(&mut self, msg: Msg) {
        match msg {
            Msg::Listed(l) => {
                self.requested.remove(l.path());
                self.listed.insert(l);
            }
            Msg::Stray(err) => self.strays.push(err),
            Msg::Gone(dir) => {
                self.requested.remove(dir.as_slice());
                self.gone.insert(dir);
            }
        }
    }
}

/// Entries per listing held, on average, below which the walkers are not
/// stopped (see `should_retire`; the Linux tree averages 17).
pub(crate) const MIN_AVERAGE_LISTING: usize = 64;

/// Most directories listed by one walk of a lister thread.
const LIST_AT_ONCE: usize = 32;

/// Batches of directories the assembler wants listed, the latest first (it
/// goes depth first: what it asked for last, it needs first).
#[derive(Default)]
struct Jobs {
    state: Mutex<JobState>,
    ready: Condvar,
}

/// The state behind `Jobs`.
#[derive(Default)]
struct JobState {
    batches: Vec<Vec<Vec<u8>>>,
    /// The walk is over: the listers quit.
    closed: bool,
}

impl Jobs {
    /// Locks the state (a panic elsewhere does not make it unusable).
    fn lock(&self) -> MutexGuard<'_, JobState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a batch, to be taken first.
    fn push(&self, batch: Vec<Vec<u8>>) {
        self.lock().batches.push(batch);
        self.ready.notify_one();
    }

    /// The latest batches, merged up to `LIST_AT_ONCE` directories (one
    /// walk costs a fraction of a millisecond to set up: small directories
    /// are listed many to a walk), waiting for one; None once closed.
    fn pop(&self) -> Option<Vec<Vec<u8>>> {
        let mut st = self.lock();
        loop {
            if st.closed {
                return None;
            }
            if let Some(mut batch) = st.batches.pop() {
                while let Some(more) = st.batches.last_mut() {
                    if batch.len() + more.len() > LIST_AT_ONCE {
                        break;
                    }
                    batch.append(more);
                    st.batches.pop();
                }
                return Some(batch);
            }
            st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Takes `dir` back out of its batch, unless a lister has taken it;
    /// true if taken. The rest of the batch stays for the listers: the
    /// assembler lists only what it waits for, as the workers may be
    /// waiting for it.
    fn steal(&self, dir: &[u8]) -> bool {
        let mut st = self.lock();
        let found = st
            .batches
            .iter()
            .enumerate()
            .find_map(|(i, b)| b.iter().position(|d| d == dir).map(|j| (i, j)));
        let Some((i, j)) = found else { return false };
        st.batches[i].remove(j);
        if st.batches[i].is_empty() {
            st.batches.remove(i);
        }
        true
    }

    /// Ends the listers' work.
    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }
}

/// The threads that list, in parallel and ahead of the assembler, the
/// directories the walkers did not list once they are stopped: they take
/// batches from `jobs` while `gate` has room (the same bound on the
/// listings held), list each with `list_dirs`, and send the listings.
struct Listers<'g> {
    threads: usize,
    jobs: &'g Jobs,
    gate: &'g Gate,
    /// Taken when the threads start.
    tx: Option<Sender<Msg>>,
}

/// One lister thread's work (see `Listers`).
fn lister(
    jobs: &Jobs,
    gate: &Gate,
    builder: &(dyn Fn(&[Vec<u8>]) -> WalkBuilder + Sync),
    max_filesize: Option<u64>,
    tx: &Sender<Msg>,
) {
    while gate.wait_room() {
        let Some(batch) = jobs.pop() else { return };
        let listed = list_batch(builder, batch, max_filesize, &mut |l| {
            gate.add(l.entries + 1);
            tx.send(Msg::Listed(Box::new(l))).is_ok()
        });
        let Some(listed) = listed else { return };
        // A directory's error comes before the word that it is gone: the
        // assembler emits the errors it holds when it finds the directory
        // gone.
        let errors = listed.errors.into_iter().map(Msg::Stray);
        let missing = listed.missing.into_iter().map(Msg::Gone);
        if !errors.chain(missing).all(|m| tx.send(m).is_ok()) {
            return;
        }
    }
}

/// What listing a batch of directories gave, besides its listings.
struct Batch {
    /// The errors about directories gone.
    errors: Vec<ignore::Error>,
    /// The directories of the batch with no listing (gone).
    missing: Vec<Vec<u8>>,
}

/// Lists the directories of `batch` with one walk of `builder` (see
/// `list_dirs`), handing each listing to `take` as soon as it is complete
/// (the assembler may be waiting for the first), and says which had none;
/// None if `take` said stop.
fn list_batch(
    builder: &(dyn Fn(&[Vec<u8>]) -> WalkBuilder + Sync),
    batch: Vec<Vec<u8>>,
    max_filesize: Option<u64>,
    take: &mut dyn FnMut(Listing) -> bool,
) -> Option<Batch> {
    let mut found = PathSet::default();
    let errors = list_dirs(builder(&batch), max_filesize, &mut |l| {
        found.insert(l.path().to_vec());
        take(l)
    })?;
    let missing = batch.into_iter().filter(|d| !found.contains(d)).collect();
    Some(Batch { errors, missing })
}

/// Lists each root of `builder` (an unsorted walk of directories the walker
/// threads did not list) one level deep, gathered and sorted as the walkers
/// gather and sort, and hands each listing to `take` as it is complete;
/// returns the errors about roots that are gone, or None if `take` said
/// stop. The errors about the ignore files above a root (each comes just
/// before its root, without a depth) are dropped: the walk that read those
/// files reported them.
fn list_dirs(
    mut builder: WalkBuilder,
    max_filesize: Option<u64>,
    take: &mut dyn FnMut(Listing) -> bool,
) -> Option<Vec<ignore::Error>> {
    let mut gone = Vec::new();
    let mut g = Gathering::default();
    let mut held: Option<ignore::Error> = None;
    for result in builder.max_depth(Some(1)).build() {
        let is_root = matches!(&result, Ok(d) if d.depth() == 0);
        if let Some(err) = held.take() {
            if !(is_root && err.depth().is_none()) {
                file_error(&mut g, &mut gone, err);
            }
        }
        match result {
            Err(err) if err.depth() == Some(0) => gone.push(err),
            Err(err) => held = Some(err),
            Ok(dent) if is_root => {
                if !g.finish().is_none_or(&mut *take) {
                    return None;
                }
                g.dir = Some(dent);
            }
            Ok(dent) if dent.file_type().is_some_and(|t| t.is_dir()) => {
                g.push(file_name(&dent), true)
            }
            Ok(dent) if super::searchable(&dent, max_filesize) => g.push(file_name(&dent), false),
            Ok(_) => {}
        }
    }
    if let Some(err) = held {
        file_error(&mut g, &mut gone, err);
    }
    g.finish().is_none_or(take).then_some(gone)
}

/// Files an error met by `list_dirs` with the listing under way (or, with
/// none, with the errors about roots).
fn file_error(g: &mut Gathering, gone: &mut Vec<ignore::Error>, err: ignore::Error) {
    match g.dir {
        Some(_) => g.errors.push(err),
        None => gone.push(err),
    }
}

/// Listings found by their directory's path, with a hash cheaper than the
/// default one (the keys are our own walk's paths, so no defence against
/// crafted keys is needed).
type ListingSet = HashSet<Box<Listing>, BuildHasherDefault<Fnv>>;

/// Directory paths, with the same hash.
type PathSet = HashSet<Vec<u8>, BuildHasherDefault<Fnv>>;

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
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStringExt;
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
        put(&root, ".gitignore", "*.log\nbuild/\n!keep.log\n/d7/s/g1.c\nd9/f2\n");
        put(&root, ".git/info/exclude", "g5.c\n");
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
        put(&root, "d5/.gitignore", "s/g2.c\n");
        put(&root, "d11/s/.ignore", "!g3.c\ng4.c\n");
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

    /// What `walk` yields for `b`'s single root with `threads` threads
    /// (the walkers wait for the assembler past 100 entries held).
    fn par(
        b: &WalkBuilder,
        root: &Path,
        threads: usize,
        max: Option<u64>,
        rewalk: Option<Rewalk<'_>>,
    ) -> Vec<(Vec<u8>, bool)> {
        let mut got = Vec::new();
        let plan = Plan { threads, max_filesize: max, ordered: true, rewalk };
        assert!(walk_gated(b.clone(), root, plan, Gate::new(100), &mut |e| {
            got.push(key(e));
            true
        }));
        got
    }

    /// An entry as its path bytes, or an error as an empty path.
    fn key(f: Found) -> (Vec<u8>, bool) {
        match f {
            Found::Dir { path, .. } => (path, false),
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

    /// Unordered, the walk yields the same entries as ordered (in another
    /// order), each directory before its files.
    #[test]
    fn unordered_walk_yields_the_same_entries() {
        let root = std::env::temp_dir().join(format!("dn-unordered-{}", std::process::id()));
        for i in 0..200 {
            let p = root.join(format!("d{}/e{}/f{i}.txt", i % 7, i % 5));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let b = WalkBuilder::new(&root);
        let collect = |ordered: bool| {
            let mut got = Vec::new();
            let plan = Plan { threads: 3, max_filesize: None, ordered, rewalk: None };
            assert!(walk(b.clone(), &root, plan, &mut |e| {
                got.push(match e {
                    Found::Dir { path, .. } => (path, true),
                    Found::File(path) => (path, false),
                    Found::Error(e) => panic!("{e}"),
                });
                true
            }));
            got
        };
        let (mut ordered, mut unordered) = (collect(true), collect(false));
        for (i, (path, is_dir)) in unordered.iter().enumerate() {
            if !is_dir {
                let parent = &path[..path.iter().rposition(|&c| c == b'/').unwrap()];
                assert!(
                    unordered[..i].iter().any(|(p, d)| *d && p == parent),
                    "file before its dir"
                );
            }
        }
        ordered.sort();
        unordered.sort();
        assert_eq!(ordered, unordered);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// On several settings and thread counts, with and without the walkers
    /// stopped for listers (at once, or midway), the parallel walk yields
    /// exactly the sequential sorted walk's entries in the same order.
    /// (Over 60 lines: half of it is the table of settings.)
    #[test]
    fn same_order_as_the_sequential_sorted_walk() {
        let root = tree("order");
        type Setting = (&'static str, Box<dyn Fn(&mut WalkBuilder) + Sync>, Option<u64>);
        let settings: Vec<Setting> = vec![
            ("default", Box::new(|_| {}), None),
            (
                // dn's --hidden --no-ignore-vcs (git's exclude file goes
                // with its ignore files).
                "hidden, no ignore",
                Box::new(|b| {
                    b.hidden(false).git_ignore(false).git_exclude(false);
                }),
                None,
            ),
            (
                "no exclude, no require git",
                Box::new(|b| {
                    b.git_exclude(false).require_git(false);
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
            // As walk/mod.rs's `rewalkable` rules: never with -L or a depth.
            let may_rewalk = !matches!(*name, "max depth 2" | "follow links");
            let rewalks = std::sync::atomic::AtomicUsize::new(0);
            let one = |dirs: &[Vec<u8>]| {
                rewalks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let mut b = WalkBuilder::new(OsStr::from_bytes(&dirs[0]));
                for d in &dirs[1..] {
                    b.add(OsStr::from_bytes(d));
                }
                set(&mut b);
                b
            };
            // No rewalk; the walkers stopped at once; stopped midway.
            let rewalks_after = [None, Some(0), Some(300)];
            for after in rewalks_after.into_iter().filter(|a| a.is_none() || may_rewalk) {
                for threads in [1, 2, 3, 8] {
                    for _ in 0..3 {
                        let rw = after.map(|after| Rewalk { builder: &one, after, min_average: 0 });
                        let got = par(&b, &root, threads, *max, rw);
                        let (w, g): (Vec<_>, Vec<_>) = (
                            want.iter().filter(|e| !e.1).collect(),
                            got.iter().filter(|e| !e.1).collect(),
                        );
                        let how = format!("{name}, {threads} threads, rewalk after {after:?}");
                        assert!(w == g, "{how}: order differs");
                        assert_eq!(
                            sorted_errors(want.clone()).iter().filter(|e| e.1).count(),
                            sorted_errors(got).iter().filter(|e| e.1).count(),
                            "{how}: errors differ"
                        );
                    }
                }
            }
            let rewalks = rewalks.into_inner();
            assert_eq!(rewalks > 0, may_rewalk, "{name}: {rewalks} rewalks");
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    /// The assembler takes back only the directory it waits for: the rest
    /// of its batch stays queued, and a batch a lister took is not taken.
    #[test]
    fn stealing_takes_one_directory_out_of_its_batch() {
        let jobs = Jobs::default();
        let dirs = |names: &[&str]| names.iter().map(|n| n.as_bytes().to_vec()).collect();
        jobs.push(dirs(&["c", "d"]));
        jobs.push(dirs(&["a", "b"]));
        assert!(jobs.steal(b"a"));
        assert!(!jobs.steal(b"a"));
        assert!(jobs.steal(b"d"));
        assert_eq!(jobs.pop(), Some(dirs(&["b", "c"])));
        assert!(!jobs.steal(b"b"));
        jobs.close();
        assert_eq!(jobs.pop(), None);
    }

    /// `list_dirs` hands each listing out as it is complete, and stops
    /// when told to.
    #[test]
    fn listing_stops_when_the_taker_says_so() {
        let root = tree("stop");
        let dirs: Vec<PathBuf> = ["a", "deep"].iter().map(|d| root.join(d)).collect();
        let mut b = WalkBuilder::new(&dirs[0]);
        b.add(&dirs[1]);
        let mut seen = Vec::new();
        let gone = list_dirs(b, None, &mut |l| {
            seen.push(l.path().to_vec());
            false
        });
        assert!(gone.is_none());
        assert_eq!(seen, [dirs[0].clone().into_os_string().into_vec()]);
        let _ = std::fs::remove_dir_all(&root);
    }

    /// Every listing `list_dirs` hands out, in order, and its errors.
    fn list_all(b: WalkBuilder) -> (Vec<Listing>, Vec<ignore::Error>) {
        let mut listings = Vec::new();
        let gone = list_dirs(b, None, &mut |l| {
            listings.push(l);
            true
        });
        (listings, gone.expect("not stopped"))
    }

    /// A directory gone by the time it is listed is an error, not silence,
    /// and the others of its batch are listed.
    #[test]
    fn a_directory_gone_before_its_listing_is_an_error() {
        let root = tree("gone");
        let dirs: Vec<Vec<u8>> = ["a", "not-there", "deep"]
            .iter()
            .map(|d| root.join(d).into_os_string().into_vec())
            .collect();
        let mut b = WalkBuilder::new(OsStr::from_bytes(&dirs[0]));
        for d in &dirs[1..] {
            b.add(OsStr::from_bytes(d));
        }
        let (listings, gone) = list_all(b);
        let paths: Vec<&[u8]> = listings.iter().map(|l| l.path()).collect();
        assert_eq!(paths, [dirs[0].as_slice(), dirs[2].as_slice()]);
        assert_eq!(gone.len(), 1, "{gone:?}");
        assert!(gone[0].to_string().contains("not-there"), "{}", gone[0]);
        let _ = std::fs::remove_dir_all(&root);
    }

    /// Listed in batches by one walk, each directory's listing holds
    /// exactly what the sequential walk of the whole root yields directly
    /// under it (so the ignore files above it count as they count in the
    /// root's walk), in the same order.
    #[test]
    fn directories_listed_alone_hold_what_the_root_walk_yields_under_them() {
        let root = tree("alone");
        for hidden in [true, false] {
            let mut whole = WalkBuilder::new(&root);
            whole.hidden(hidden);
            let want = seq(&whole);
            let dirs: Vec<Vec<u8>> = want
                .iter()
                .filter(|(p, e)| !e && Path::new(OsStr::from_bytes(p)).is_dir())
                .map(|(p, _)| p.clone())
                .collect();
            assert!(dirs.len() > 100, "{} directories", dirs.len());
            for batch in dirs.chunks(LIST_AT_ONCE) {
                let mut b = WalkBuilder::new(OsStr::from_bytes(&batch[0]));
                b.hidden(hidden);
                for d in &batch[1..] {
                    b.add(OsStr::from_bytes(d));
                }
                let (listings, gone) = list_all(b);
                assert!(gone.is_empty(), "{gone:?}");
                assert_eq!(listings.len(), batch.len());
                for (dir, listing) in batch.iter().zip(&listings) {
                    assert_eq!(listing.path(), dir.as_slice());
                    let under: Vec<&Vec<u8>> = want
                        .iter()
                        .filter(|(p, e)| {
                            !e && Path::new(OsStr::from_bytes(p)).parent()
                                == Some(Path::new(OsStr::from_bytes(dir)))
                        })
                        .map(|(p, _)| p)
                        .collect();
                    let mut got = Vec::new();
                    let mut at = 0;
                    while let Some((name, _, next)) = listing.entry(at) {
                        got.push(listing.path_of(name));
                        at = next;
                    }
                    let got: Vec<&Vec<u8>> = got.iter().collect();
                    assert!(got == under, "{}: differs", String::from_utf8_lossy(dir));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    /// A gathering becomes a listing sorted by name that yields each entry
    /// once, with its kind and its path joined as `Path::join` joins it.
    #[test]
    fn listing_keeps_names_kinds_and_order() {
        let root = tree("listing");
        for (dir, sep) in [(root.clone(), "/"), (root.join(""), "")] {
            let dent = WalkBuilder::new(&dir).build().next().unwrap().unwrap();
            let mut g = Gathering { dir: Some(dent), ..Gathering::default() };
            for (name, is_dir) in [("b", false), ("a.d", true), ("", false), ("ab", false)] {
                g.push(name.as_bytes(), is_dir);
            }
            let listing = g.finish().unwrap();
            assert!(g.dir.is_none() && g.names.is_empty() && g.children.is_empty());
            let base = dir.as_os_str().as_bytes();
            assert_eq!(listing.path(), base);
            assert_eq!(listing.entries, 4);
            let mut got = Vec::new();
            let mut at = 0;
            while let Some((name, is_dir, next)) = listing.entry(at) {
                got.push((listing.path_of(name), is_dir));
                at = next;
            }
            let want = |n: &str, d| ([base, sep.as_bytes(), n.as_bytes()].concat(), d);
            assert_eq!(
                got,
                [want("", false), want("a.d", true), want("ab", false), want("b", false)]
            );
        }
    }

    /// When the receiver stops early, the walk ends and says so.
    #[test]
    fn stops_when_emit_refuses() {
        let root = tree("stop");
        let mut n = 0;
        let plan = Plan { threads: 2, max_filesize: None, ordered: true, rewalk: None };
        let finished = walk(WalkBuilder::new(&root), &root, plan, &mut |_| {
            n += 1;
            n < 10
        });
        assert!(!finished);
        assert_eq!(n, 10);
        let _ = std::fs::remove_dir_all(&root);
    }
}
