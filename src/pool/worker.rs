//! The worker process's main loop: read batches of paths, search each file,
//! send each file's output and stats back as frames.
//!
//! A worker never prints and never decides an exit code. It exits when the
//! request pipe reaches EOF (the parent is done or gone), or when the result
//! pipe breaks (the parent is gone).

use std::io::BufReader;

use grep_regex::RegexMatcher;

use crate::config::Config;
use crate::pool::spawn::WorkerIo;
use crate::search::{FrameWriter, SearchWorker};
use crate::wire;

/// Exit code of a worker that saw a malformed request.
const EXIT_PROTOCOL: i32 = 3;

/// Runs the worker loop until EOF; returns the process exit code.
pub(crate) fn run(cfg: &Config, matcher: &RegexMatcher, io: WorkerIo) -> i32 {
    let mut requests = BufReader::with_capacity(64 << 10, io.requests);
    let mut worker = SearchWorker::new(cfg, matcher, FrameWriter::new(io.results, cfg.color));
    let mut payload = Vec::new();
    loop {
        let tag = match wire::read_frame(&mut requests, &mut payload) {
            Ok(Some(tag)) => tag,
            Ok(None) => return 0,
            Err(_) => return EXIT_PROTOCOL,
        };
        let Ok(jobs) = wire::decode_batch(tag, &payload) else { return EXIT_PROTOCOL };
        for job in &jobs {
            if worker.search(job).is_err() {
                return 0; // the result pipe broke: the parent is gone
            }
        }
        if worker.flush().is_err() {
            return 0;
        }
    }
}
