//! A worker that searches in dn's own process: the last resort when no
//! worker process could be started (no process or descriptor was left for
//! one). It takes the same batches and yields the same frames as a worker
//! process, through memory instead of a pipe, one file per turn of the
//! main loop.
//!
//! It never memory-maps a file: a file truncated under a map would kill dn
//! itself, where it only kills a worker process. It reads the stderr of
//! --pre and -z commands after their output, without a thread (threads are
//! what is scarce when it runs). A search that panics ends
//! it, as a crash ends a worker process; the pool reports it the same way.

use std::collections::VecDeque;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::frames::FrameWriter;
use crate::pool::worker::Initial;
use crate::search::SearchWorker;
use crate::wire::{self, Job, Response, Split};

/// The exit code a local worker "ends with" after a panic (what a worker
/// process that panics exits with).
const PANICKED: i32 = 101;

/// A worker in this process.
pub(crate) struct Local {
    /// The searcher; None once a search panicked.
    worker: Option<SearchWorker<Vec<u8>>>,
    /// Files sent and not yet searched, in order.
    queue: VecDeque<(Job, bool)>,
    /// No more batches will come.
    closed: bool,
}

impl std::fmt::Debug for Local {
    /// Its queue and state, without the searcher.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local")
            .field("queued", &self.queue.len())
            .field("closed", &self.closed)
            .field("dead", &self.worker.is_none())
            .finish()
    }
}

impl Local {
    /// A local worker searching `initial`'s query (without memory maps).
    pub(crate) fn new(initial: Initial) -> Local {
        let mut query = initial.query.clone();
        query.searcher.mmap = false;
        let out = FrameWriter::new(Vec::new(), false);
        let mut worker = SearchWorker::new(&query, initial.gen, initial.matcher.clone(), out, None);
        worker.read_stderr_after();
        Local { worker: Some(worker), queue: VecDeque::new(), closed: false }
    }

    /// Queues a batch of query `gen`, files from position `render_below` on
    /// only counted (a batch of another query is dropped,
    /// as a worker process drops it); fails once closed or dead, as a
    /// closed pipe would.
    pub(crate) fn push<J: AsRef<Job>>(
        &mut self,
        gen: u64,
        render_below: u64,
        jobs: &[J],
    ) -> io::Result<()> {
        match &self.worker {
            Some(w) if !self.closed => {
                if w.gen() == gen {
                    self.queue.extend(
                        jobs.iter().map(|j| (j.as_ref().clone(), j.as_ref().seq >= render_below)),
                    );
                }
                Ok(())
            }
            _ => Err(io::Error::new(io::ErrorKind::BrokenPipe, "the local worker has ended")),
        }
    }

    /// No more batches will come: it ends once its queue is searched.
    pub(crate) fn close(&mut self) {
        self.closed = true;
    }

    /// True while a file waits to be searched.
    pub(crate) fn has_work(&self) -> bool {
        self.worker.is_some() && !self.queue.is_empty()
    }

    /// Searches the next queued file, its frames kept for `read`; with the
    /// queue empty, lets go of the directory handle. A panic ends the
    /// worker (its queue is dropped: the scheduler still holds those files
    /// and hands them on when it hears of the death).
    pub(crate) fn step(&mut self) {
        let (Some(w), Some((job, counting))) = (self.worker.as_mut(), self.queue.pop_front())
        else {
            return;
        };
        // Writing into memory cannot fail: the results are always Ok.
        let searched =
            catch_unwind(AssertUnwindSafe(|| w.search(&job, counting).and_then(|()| w.flush())));
        if searched.is_err() {
            self.worker = None;
            self.queue.clear();
        } else if self.queue.is_empty() {
            w.forget_dirs();
        }
    }

    /// Decodes the frames produced so far into `out`, in order; true once
    /// the worker has ended (closed and done, or dead).
    pub(crate) fn read(&mut self, out: &mut Vec<Response>) -> Result<bool, wire::WireError> {
        if let Some(w) = self.worker.as_mut() {
            let bytes = w.sink();
            let mut at = 0;
            while let Split::Frame { tag, payload, used } = wire::split_frame(&bytes[at..])? {
                out.push(wire::decode_response(tag, payload)?);
                at += used;
            }
            bytes.drain(..at);
        }
        Ok(self.worker.is_none() || (self.closed && self.queue.is_empty()))
    }

    /// The exit code it ends with: 0, or `PANICKED` after a panic.
    pub(crate) fn exit_code(&self) -> i32 {
        if self.worker.is_some() {
            0
        } else {
            PANICKED
        }
    }
}
