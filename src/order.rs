//! The reorder buffer: holds each file's results until every file before it
//! in the walk order is finished, then releases them in sequence order.
//!
//! The head file (the next one to print) streams: its chunks are released as
//! they arrive. Unordered (`--sort none`), a file is released whole as soon
//! as it is finished, whatever comes before it. A file whose worker died can be restarted; bytes of its
//! output that were already released are then skipped, so nothing prints
//! twice. It never reorders, drops or duplicates released bytes.

use std::collections::VecDeque;

use grep_printer::Stats;

/// A finished file (or a walk error holding a place in the order).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Finished {
    /// The last of its output (earlier parts were released as chunks).
    pub(crate) bytes: Vec<u8>,
    /// Whether the file matched.
    pub(crate) has_match: bool,
    /// Its search counters.
    pub(crate) stats: Stats,
    /// A message for stderr, printed after the output.
    pub(crate) error: Option<String>,
    /// True when a file was actually searched (not a walk error).
    pub(crate) searched: bool,
}

/// What the buffer releases next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Release {
    /// Part of the head file's output; the file is not finished yet.
    Partial(Vec<u8>),
    /// The head file is finished; the buffer has moved past it.
    Finished(Finished),
}

/// One file's place in the order.
#[derive(Debug, Default)]
struct Slot {
    /// Output received in the current attempt and not yet released.
    pending: Vec<u8>,
    /// Set when the file is finished (boxed: a slot waiting for output
    /// stays small, and tens of thousands may wait behind a slow file).
    done: Option<Box<Finished>>,
    /// Bytes of this file's output already released (across attempts).
    released: u64,
    /// Bytes received in the current attempt.
    seen: u64,
}

impl Slot {
    /// Keeps the part of `bytes` (the next output of the current attempt)
    /// that lies past what was already released; returns the bytes kept.
    /// (Nothing is copied when nothing is pending and nothing skipped: a
    /// big output streams through the head slot without a copy.)
    fn receive(&mut self, bytes: Vec<u8>) -> usize {
        let start = self.seen;
        let len = bytes.len();
        self.seen += len as u64;
        let skip = self.released.saturating_sub(start).min(len as u64) as usize;
        if skip == 0 && self.pending.is_empty() {
            self.pending = bytes;
        } else {
            self.pending.extend_from_slice(&bytes[skip..]);
        }
        len - skip
    }
}

/// The `released` count that marks a slot released out of order (an
/// unordered buffer keeps it until every slot before it is released too).
const GONE: u64 = u64::MAX;

/// Releases results in sequence order; sequence numbers start at 0 and are
/// registered in order with `push`.
#[derive(Debug, Default)]
pub(crate) struct Reorder {
    /// Sequence number of `slots[0]`.
    base: u64,
    slots: VecDeque<Slot>,
    /// Bytes held, for back-pressure.
    held: usize,
    /// Release files as they finish, not in order.
    unordered: bool,
    /// Unordered: the files finished, in the order they finished.
    ready: VecDeque<u64>,
    /// Unordered: slots released but still in `slots`.
    gone: usize,
}

impl Reorder {
    /// Creates an empty buffer expecting sequence number 0 first.
    pub(crate) fn new() -> Reorder {
        Reorder::default()
    }

    /// Creates an empty buffer that releases each file as it finishes.
    pub(crate) fn unordered() -> Reorder {
        Reorder { unordered: true, ..Reorder::default() }
    }

    /// Registers the next sequence number and returns it.
    pub(crate) fn push(&mut self) -> u64 {
        self.slots.push_back(Slot::default());
        self.base + self.slots.len() as u64 - 1
    }

    /// The next sequence number to be released.
    pub(crate) fn head(&self) -> u64 {
        self.base
    }

    /// Sequence numbers registered but not yet released.
    pub(crate) fn len(&self) -> usize {
        self.slots.len() - self.gone
    }

    /// Bytes of output held back, waiting for earlier files.
    pub(crate) fn held_bytes(&self) -> usize {
        self.held
    }

    /// The slot of `seq`, if it is registered and not yet released.
    fn slot(&mut self, seq: u64) -> Option<&mut Slot> {
        let i = usize::try_from(seq.checked_sub(self.base)?).ok()?;
        self.slots.get_mut(i)
    }

    /// Adds part of file `seq`'s output.
    pub(crate) fn chunk(&mut self, seq: u64, bytes: Vec<u8>) {
        if let Some(slot) = self.slot(seq) {
            let kept = slot.receive(bytes);
            self.held += kept;
        }
    }

    /// Marks file `seq` finished, with the rest of its output.
    pub(crate) fn finish(&mut self, seq: u64, fin: Finished) {
        if self.slot(seq).is_some_and(|s| s.released != GONE) {
            self.store(seq, fin);
            if self.unordered {
                self.ready.push_back(seq);
            }
        }
    }

    /// Keeps the end of file `seq`'s output (`finish` without the queue).
    fn store(&mut self, seq: u64, mut fin: Finished) {
        if let Some(slot) = self.slot(seq) {
            if slot.seen == 0 && slot.released == 0 {
                // The whole output came at once: keep it, no copy.
                let added = fin.bytes.len();
                slot.seen = added as u64;
                slot.done = Some(Box::new(fin));
                self.held += added;
                return;
            }
            let before = slot.pending.len();
            slot.receive(std::mem::take(&mut fin.bytes));
            fin.bytes = std::mem::take(&mut slot.pending);
            let added = fin.bytes.len() - before;
            slot.done = Some(Box::new(fin));
            self.held += added;
        }
    }

    /// Forgets the unreleased output of `seq` so it can be searched again;
    /// what was already released will be skipped in the new attempt.
    pub(crate) fn restart(&mut self, seq: u64) {
        if let Some(slot) = self.slot(seq) {
            let dropped = slot.pending.len() + slot.done.as_ref().map_or(0, |d| d.bytes.len());
            slot.pending.clear();
            slot.done = None;
            slot.seen = 0;
            self.held -= dropped;
        }
    }

    /// Releases the next piece of output, if one is ready: in order, or
    /// (unordered) the next file to have finished.
    pub(crate) fn next(&mut self) -> Option<Release> {
        if self.unordered {
            return self.next_finished();
        }
        let slot = self.slots.front_mut()?;
        if let Some(fin) = slot.done.take() {
            self.held -= fin.bytes.len();
            self.slots.pop_front();
            self.base += 1;
            return Some(Release::Finished(*fin));
        }
        if slot.pending.is_empty() {
            return None;
        }
        let bytes = std::mem::take(&mut slot.pending);
        slot.released += bytes.len() as u64;
        self.held -= bytes.len();
        Some(Release::Partial(bytes))
    }

    /// Unordered: releases the next finished file whole (skipping one that
    /// was restarted since), then drops the released slots at the front.
    fn next_finished(&mut self) -> Option<Release> {
        while let Some(seq) = self.ready.pop_front() {
            let Some(slot) = self.slot(seq) else { continue };
            let Some(fin) = slot.done.take() else { continue };
            slot.released = GONE;
            self.held -= fin.bytes.len();
            self.gone += 1;
            while self.slots.front().is_some_and(|s| s.released == GONE) {
                self.slots.pop_front();
                self.base += 1;
                self.gone -= 1;
            }
            return Some(Release::Finished(*fin));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finished record with `bytes` of output.
    fn fin(bytes: &[u8]) -> Finished {
        Finished { bytes: bytes.to_vec(), searched: true, ..Default::default() }
    }

    /// Drains everything ready, concatenating released bytes.
    fn drain(r: &mut Reorder) -> (Vec<u8>, usize) {
        let (mut out, mut files) = (Vec::new(), 0);
        while let Some(rel) = r.next() {
            match rel {
                Release::Partial(b) => out.extend(b),
                Release::Finished(f) => {
                    out.extend(f.bytes);
                    files += 1;
                }
            }
        }
        (out, files)
    }

    /// Results that arrive out of order are released in order.
    #[test]
    fn out_of_order_arrival_is_released_in_order() {
        let mut r = Reorder::new();
        for _ in 0..3 {
            r.push();
        }
        r.finish(2, fin(b"c"));
        r.finish(1, fin(b"b"));
        assert_eq!(drain(&mut r), (vec![], 0));
        r.finish(0, fin(b"a"));
        assert_eq!(drain(&mut r), (b"abc".to_vec(), 3));
        assert_eq!(r.held_bytes(), 0);
        assert_eq!(r.len(), 0);
    }

    /// Files with no output still let the prefix advance.
    #[test]
    fn silent_files_advance_the_prefix() {
        let mut r = Reorder::new();
        for _ in 0..4 {
            r.push();
        }
        r.finish(0, fin(b""));
        r.finish(1, fin(b""));
        r.finish(3, fin(b"d"));
        assert_eq!(drain(&mut r), (vec![], 2));
        assert_eq!(r.head(), 2);
        r.finish(2, fin(b""));
        assert_eq!(drain(&mut r), (b"d".to_vec(), 2));
    }

    /// The head file's chunks stream; a later file's chunks wait.
    #[test]
    fn head_chunks_stream_but_later_chunks_wait() {
        let mut r = Reorder::new();
        r.push();
        r.push();
        r.chunk(1, b"later ".to_vec());
        r.chunk(0, b"first ".to_vec());
        assert_eq!(r.next(), Some(Release::Partial(b"first ".to_vec())));
        assert_eq!(r.next(), None);
        r.finish(0, fin(b"end0 "));
        r.finish(1, fin(b"end1"));
        assert_eq!(drain(&mut r), (b"end0 later end1".to_vec(), 2));
    }

    /// A retried file never prints what was already released.
    #[test]
    fn a_restarted_file_skips_what_was_already_released() {
        let mut r = Reorder::new();
        r.push();
        r.chunk(0, b"line1\n".to_vec());
        assert_eq!(r.next(), Some(Release::Partial(b"line1\n".to_vec())));
        r.chunk(0, b"line2\n".to_vec()); // received, not released, then the worker dies
        r.restart(0);
        assert_eq!(r.held_bytes(), 0);
        r.chunk(0, b"line1\nli".to_vec());
        r.finish(0, fin(b"ne2\nline3\n"));
        assert_eq!(drain(&mut r), (b"line2\nline3\n".to_vec(), 1));
    }

    /// Unordered, each file is released whole as soon as it finishes (its
    /// chunks are held until then); a restarted file is not released early.
    #[test]
    fn unordered_releases_files_as_they_finish() {
        let mut r = Reorder::unordered();
        for _ in 0..4 {
            r.push();
        }
        r.chunk(2, b"c1 ".to_vec());
        assert_eq!(drain(&mut r), (vec![], 0), "a chunk waits for its file's end");
        r.finish(3, fin(b"d"));
        r.finish(2, fin(b"c2"));
        assert_eq!(drain(&mut r), (b"dc1 c2".to_vec(), 2));
        assert_eq!((r.head(), r.len()), (0, 2));
        r.finish(1, fin(b"b"));
        r.restart(1);
        assert_eq!(drain(&mut r), (vec![], 0));
        r.finish(1, fin(b"B"));
        r.finish(0, fin(b"a"));
        assert_eq!(drain(&mut r), (b"Ba".to_vec(), 2));
        assert_eq!((r.head(), r.len(), r.held_bytes()), (4, 0, 0));
    }

    /// A waiting slot stays small: up to `WINDOW_CAP` of them may wait
    /// behind one slow file.
    #[test]
    fn a_slot_is_small() {
        assert!(std::mem::size_of::<Slot>() <= 48, "{}", std::mem::size_of::<Slot>());
    }
}
