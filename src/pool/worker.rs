//! The worker process's main loop: read queries and batches of paths,
//! search each file, send each file's output and stats back as frames.
//!
//! A worker never prints and never decides an exit code. It exits when the
//! request pipe reaches EOF (the parent is done or gone), or when the result
//! pipe breaks (the parent is gone). A forked worker starts with the query
//! it inherited; a re-executed one waits for its first query frame.

use std::io::BufReader;
use std::sync::atomic::AtomicU64;

use crate::frames::FrameWriter;
use crate::matcher::Matcher;
use crate::pool::spawn::{self, WorkerIo};
use crate::query::Query;
use crate::search::{Currency, SearchWorker};
use crate::wire::{self, Request};

/// Exit code of a worker that saw a malformed request.
const EXIT_PROTOCOL: i32 = 3;

/// The query a forked worker starts with, compiled by the parent.
pub(crate) struct Initial<'a> {
    /// Its generation.
    pub(crate) gen: u64,
    /// The query.
    pub(crate) query: &'a Query,
    /// Its patterns, compiled.
    pub(crate) matcher: &'a Matcher,
}

/// Runs the worker loop until EOF; returns the process exit code. `now`
/// is the shared generation counter, when queries can change.
pub(crate) fn run(io: WorkerIo, initial: Option<Initial>, now: Option<&'static AtomicU64>) -> i32 {
    let mut requests = BufReader::with_capacity(64 << 10, io.requests);
    let mut idle = Some(FrameWriter::new(io.results, false));
    let mut worker = initial.map(|i| {
        let out = idle.take().expect("a fresh writer");
        let currency = now.map(|now| Currency::new(now, i.gen));
        SearchWorker::new(i.query, i.gen, i.matcher.clone(), out, currency)
    });
    let mut payload = Vec::new();
    loop {
        let tag = match wire::read_frame(&mut requests, &mut payload) {
            Ok(Some(tag)) => tag,
            Ok(None) => return 0,
            Err(_) => return EXIT_PROTOCOL,
        };
        match wire::decode_request(tag, &payload) {
            Ok(Request::Query { gen, spec }) => {
                let Ok(query) = Query::decode(&spec) else { return EXIT_PROTOCOL };
                // The parent compiled the same query: this cannot fail.
                let Ok(matcher) = crate::matcher::build(&query.matcher) else {
                    return EXIT_PROTOCOL;
                };
                let out = match worker.take() {
                    Some(w) => w.into_writer(),
                    None => idle.take().expect("a writer when no worker holds it"),
                };
                let currency = now.map(|now| Currency::new(now, gen));
                worker = Some(SearchWorker::new(&query, gen, matcher, out, currency));
            }
            Ok(Request::Batch { gen, render_below, jobs }) => {
                let Some(w) = worker.as_mut() else { return EXIT_PROTOCOL };
                if w.gen() != gen {
                    continue; // a batch of a query superseded before it came
                }
                for job in &jobs {
                    if w.superseded() {
                        break;
                    }
                    if w.search(job, job.seq >= render_below).is_err() {
                        return 0; // the result pipe broke: the parent is gone
                    }
                }
                w.forget_dirs();
                if w.flush().is_err() {
                    return 0;
                }
            }
            Err(_) => return EXIT_PROTOCOL,
        }
    }
}

/// The whole life of a re-executed worker (`dn --dragnet-worker-v1 PID`):
/// takes its pipes, maps the shared generation counter if it was given
/// one, and runs the loop; returns the exit code.
pub(crate) fn reexeced(parent: &str) -> i32 {
    let Ok(parent) = parent.parse::<i32>() else { return EXIT_PROTOCOL };
    let Some((io, shared)) = spawn::adopt(nix::unistd::Pid::from_raw(parent)) else { return 0 };
    // stderr was the memfd, or /dev/null (which cannot be mapped).
    let now = shared.and_then(|fd| crate::pool::shared::map(&fd).ok());
    run(io, None, now)
}
