//! Framed messages between the parent and its workers; pure encoding and
//! decoding, with no knowledge of processes, pipes or the search itself.
//!
//! Every frame is `u32 length (LE) | u8 tag | payload`, where the length
//! counts the tag and the payload. Paths travel as raw bytes, so names that
//! are not UTF-8 survive the trip. A frame cut short is an error, never a
//! silent success: the caller treats it as a dead worker. Every frame about
//! a search carries the generation of the query it belongs to, so that the
//! results of a superseded query can be told apart and dropped.

use std::io::{self, Read};
use std::time::Duration;

use grep_printer::Stats;

/// Tag of a parent → worker batch of files to search.
const TAG_BATCH: u8 = 1;
/// Tag of a worker → parent piece of one file's output, sent before `Done`.
const TAG_CHUNK: u8 = 2;
/// Tag of a worker → parent end-of-file record (stats, error, last bytes).
const TAG_DONE: u8 = 3;
/// Tag of a worker → parent record for a run of consecutive files that
/// ended with no output, no match and no error (most files, most of the
/// time): one small frame instead of one per file.
const TAG_QUIET: u8 = 4;
/// Tag of a parent → worker query: the search options of a generation.
const TAG_QUERY: u8 = 5;

/// Largest frame accepted, a guard against a corrupt length prefix. Output
/// bigger than this leaves a worker in several chunks.
pub(crate) const MAX_FRAME: usize = 1 << 31;

/// One file to search, as the parent hands it to a worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Job {
    /// Position of this file in the sorted walk.
    pub(crate) seq: u64,
    /// The user named this path on the command line (binary files are then
    /// searched rather than skipped, as ripgrep does).
    pub(crate) explicit: bool,
    /// Search standard input instead of a path.
    pub(crate) stdin: bool,
    /// The path was a regular file (or a link to one) when it was walked or
    /// named: a worker may read its head before searching it (a read of a
    /// FIFO or a device could wait for data that a search would stream).
    pub(crate) regular: bool,
    /// The path as raw bytes.
    pub(crate) path: Vec<u8>,
}

impl AsRef<Job> for Job {
    /// A job is its own job.
    fn as_ref(&self) -> &Job {
        self
    }
}

/// A message from the parent to a worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Request {
    /// From now on, search with these options (a serialized query) and
    /// label results with `gen`.
    Query { gen: u64, spec: Vec<u8> },
    /// Search these files for query `gen`; a file at or after position
    /// `render_below` is only counted (its matches), not rendered: the
    /// screen that asked has no room left for it.
    Batch { gen: u64, render_below: u64, jobs: Vec<Job> },
}

/// A message from a worker to the parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Response {
    /// Part of the rendered output of file `seq`; more follows.
    Chunk { gen: u64, seq: u64, bytes: Vec<u8> },
    /// File `seq` is finished: the rest of its output, its stats, whether it
    /// matched, and the error that ended its search, if any.
    Done(Box<Done>),
    /// Files `first .. first + count` are finished, in that order, with no
    /// output, no match and no error; `stats` is the sum of theirs.
    Quiet { gen: u64, first: u64, count: u32, stats: Stats },
}

/// The end of one file's search, as a worker reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Done {
    /// The query generation it was searched for.
    pub(crate) gen: u64,
    /// The file's position in the walk.
    pub(crate) seq: u64,
    /// Whether the file matched.
    pub(crate) has_match: bool,
    /// The search counters of this file.
    pub(crate) stats: Stats,
    /// The message of the error that ended the search, if one did.
    pub(crate) error: Option<String>,
    /// The last of its rendered output.
    pub(crate) bytes: Vec<u8>,
}

/// Why a frame could not be read.
#[derive(Debug)]
pub(crate) enum WireError {
    /// The stream ended inside a frame (the writer died mid-message).
    Truncated,
    /// The frame is malformed (unknown tag, bad length, trailing bytes).
    Corrupt(&'static str),
    /// The underlying read failed.
    Io(io::Error),
}

impl std::fmt::Display for WireError {
    /// Renders the error as one short phrase.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Truncated => write!(f, "frame cut short"),
            WireError::Corrupt(why) => write!(f, "corrupt frame: {why}"),
            WireError::Io(err) => write!(f, "{err}"),
        }
    }
}

/// Appends the frame header for a payload of `len` bytes after the tag.
fn put_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    debug_assert!(len < MAX_FRAME, "frame of {len} bytes");
    out.extend_from_slice(&((len + 1) as u32).to_le_bytes());
    out.push(tag);
}

/// Appends a length-prefixed byte string.
fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Appends a query frame for generation `gen` with the serialized `spec`.
pub(crate) fn encode_query(out: &mut Vec<u8>, gen: u64, spec: &[u8]) {
    put_header(out, TAG_QUERY, 8 + 4 + spec.len());
    out.extend_from_slice(&gen.to_le_bytes());
    put_bytes(out, spec);
}

/// Appends a batch frame of query `gen` holding `jobs` (anything that holds
/// a `Job`) to `out`, without copying the jobs first; files from position
/// `render_below` on are only counted.
pub(crate) fn encode_batch<J: AsRef<Job>>(
    out: &mut Vec<u8>,
    gen: u64,
    render_below: u64,
    jobs: &[J],
) {
    let len = 8 + 8 + 4 + jobs.iter().map(|j| 8 + 1 + 4 + j.as_ref().path.len()).sum::<usize>();
    put_header(out, TAG_BATCH, len);
    out.extend_from_slice(&gen.to_le_bytes());
    out.extend_from_slice(&render_below.to_le_bytes());
    out.extend_from_slice(&(jobs.len() as u32).to_le_bytes());
    for job in jobs.iter().map(AsRef::as_ref) {
        out.extend_from_slice(&job.seq.to_le_bytes());
        out.push(
            u8::from(job.explicit) | (u8::from(job.stdin) << 1) | (u8::from(job.regular) << 2),
        );
        put_bytes(out, &job.path);
    }
}

/// Appends a chunk frame (part of file `seq`'s output) to `out`.
pub(crate) fn encode_chunk(out: &mut Vec<u8>, gen: u64, seq: u64, bytes: &[u8]) {
    encode_chunk_head(out, gen, seq, bytes.len());
    out.extend_from_slice(bytes);
}

/// Appends everything of a chunk frame of `len` output bytes but those
/// bytes (which the caller writes right after, without copying them).
pub(crate) fn encode_chunk_head(out: &mut Vec<u8>, gen: u64, seq: u64, len: usize) {
    put_header(out, TAG_CHUNK, 8 + 8 + 4 + len);
    out.extend_from_slice(&gen.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&(len as u32).to_le_bytes());
}

/// Appends a done frame to `out`: `done` with its output `bytes` (given
/// apart, so the caller's buffer need not move into it).
pub(crate) fn encode_done(out: &mut Vec<u8>, done: &Done, bytes: &[u8]) {
    let err = done.error.as_deref().map_or(&b""[..], str::as_bytes);
    put_header(out, TAG_DONE, 8 + 8 + 1 + 7 * 8 + 4 + err.len() + 4 + bytes.len());
    out.extend_from_slice(&done.gen.to_le_bytes());
    out.extend_from_slice(&done.seq.to_le_bytes());
    out.push(u8::from(done.has_match) | (u8::from(done.error.is_some()) << 1));
    put_stats(out, &done.stats);
    put_bytes(out, err);
    put_bytes(out, bytes);
}

/// Appends a quiet frame (files `first .. first + count` finished without
/// output, match or error; `stats` summed) to `out`.
pub(crate) fn encode_quiet(out: &mut Vec<u8>, gen: u64, first: u64, count: u32, stats: &Stats) {
    put_header(out, TAG_QUIET, 8 + 8 + 4 + 7 * 8);
    out.extend_from_slice(&gen.to_le_bytes());
    out.extend_from_slice(&first.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    put_stats(out, stats);
}

/// Appends the stats counters in wire order.
fn put_stats(out: &mut Vec<u8>, s: &Stats) {
    let fields = [
        s.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64,
        s.searches(),
        s.searches_with_match(),
        s.bytes_searched(),
        s.bytes_printed(),
        s.matched_lines(),
        s.matches(),
    ];
    for n in fields {
        out.extend_from_slice(&n.to_le_bytes());
    }
}

/// The length (tag and payload) a frame's prefix announces; fails unless it
/// is plausible.
fn frame_len(prefix: [u8; 4]) -> Result<usize, WireError> {
    let len = u32::from_le_bytes(prefix) as usize;
    if len == 0 || len > MAX_FRAME {
        return Err(WireError::Corrupt("bad length"));
    }
    Ok(len)
}

/// Reads one frame's tag and payload; `Ok(None)` on a clean EOF between
/// frames, `Truncated` on an EOF inside one.
pub(crate) fn read_frame<R: Read>(rdr: &mut R, buf: &mut Vec<u8>) -> Result<Option<u8>, WireError> {
    let mut len = [0u8; 4];
    match read_full(rdr, &mut len).map_err(WireError::Io)? {
        0 => return Ok(None),
        4 => {}
        _ => return Err(WireError::Truncated),
    }
    let len = frame_len(len)?;
    buf.clear();
    buf.resize(len, 0);
    if read_full(rdr, buf).map_err(WireError::Io)? != len {
        return Err(WireError::Truncated);
    }
    let tag = buf[0];
    buf.drain(..1);
    Ok(Some(tag))
}

/// What the front of a byte buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Split<'a> {
    /// A whole frame: its tag, its payload, and how many bytes it took.
    Frame { tag: u8, payload: &'a [u8], used: usize },
    /// Only part of a frame: the frame needs this many bytes in all (or 4,
    /// while its length prefix is incomplete).
    Need(usize),
}

/// Looks for a whole frame at the front of `buf` without copying it; fails
/// on a corrupt length prefix.
pub(crate) fn split_frame(buf: &[u8]) -> Result<Split<'_>, WireError> {
    let Some(prefix) = buf.get(..4) else { return Ok(Split::Need(4)) };
    let len = frame_len(prefix.try_into().unwrap())?;
    match buf.get(4..4 + len) {
        Some(frame) => Ok(Split::Frame { tag: frame[0], payload: &frame[1..], used: 4 + len }),
        None => Ok(Split::Need(4 + len)),
    }
}

/// Reads until `buf` is full or EOF; returns the number of bytes read.
pub(crate) fn read_full<R: Read>(rdr: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    fill(rdr, false, buf)
}

/// Reads `rdr` into `buf` until it is full or the file ends, and returns
/// how many bytes came (retrying an interrupted read); when
/// `short_read_ends`, a read that returns less than asked for is the end.
pub(crate) fn fill<R: Read>(
    rdr: &mut R,
    short_read_ends: bool,
    buf: &mut [u8],
) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match rdr.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) if short_read_ends && got + n < buf.len() => return Ok(got + n),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A cursor over one frame's payload that fails on overrun.
struct Cursor<'a> {
    buf: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// Takes the next `n` bytes, or fails if the payload is shorter.
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.buf.len() < n {
            return Err(WireError::Corrupt("payload shorter than its fields"));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// Takes a little-endian u64.
    fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }

    /// Takes a little-endian u32.
    fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }

    /// Takes one byte.
    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    /// Takes a length-prefixed byte string.
    fn bytes(&mut self) -> Result<&'a [u8], WireError> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// Takes the stats counters, in wire order.
    fn stats(&mut self) -> Result<Stats, WireError> {
        let mut s = Stats::new();
        s.add_elapsed(Duration::from_nanos(self.u64()?));
        s.add_searches(self.u64()?);
        s.add_searches_with_match(self.u64()?);
        s.add_bytes_searched(self.u64()?);
        s.add_bytes_printed(self.u64()?);
        s.add_matched_lines(self.u64()?);
        s.add_matches(self.u64()?);
        Ok(s)
    }

    /// Fails unless the whole payload was consumed.
    fn finish(&self) -> Result<(), WireError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(WireError::Corrupt("trailing bytes"))
        }
    }
}

/// Decodes a parent → worker payload.
pub(crate) fn decode_request(tag: u8, payload: &[u8]) -> Result<Request, WireError> {
    let mut c = Cursor { buf: payload };
    let req = match tag {
        TAG_QUERY => Request::Query { gen: c.u64()?, spec: c.bytes()?.to_vec() },
        TAG_BATCH => {
            let (gen, render_below) = (c.u64()?, c.u64()?);
            let n = c.u32()? as usize;
            let mut jobs = Vec::with_capacity(n.min(4096));
            for _ in 0..n {
                let seq = c.u64()?;
                let flags = c.u8()?;
                let path = c.bytes()?.to_vec();
                let (explicit, stdin, regular) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
                jobs.push(Job { seq, explicit, stdin, regular, path });
            }
            Request::Batch { gen, render_below, jobs }
        }
        _ => return Err(WireError::Corrupt("unknown request tag")),
    };
    c.finish()?;
    Ok(req)
}

/// Decodes a worker → parent payload.
pub(crate) fn decode_response(tag: u8, payload: &[u8]) -> Result<Response, WireError> {
    let mut c = Cursor { buf: payload };
    let resp = match tag {
        TAG_CHUNK => Response::Chunk { gen: c.u64()?, seq: c.u64()?, bytes: c.bytes()?.to_vec() },
        TAG_DONE => {
            let (gen, seq) = (c.u64()?, c.u64()?);
            let flags = c.u8()?;
            let stats = c.stats()?;
            let err = c.bytes()?;
            let error = (flags & 2 != 0).then(|| String::from_utf8_lossy(err).into_owned());
            let bytes = c.bytes()?.to_vec();
            let has_match = flags & 1 != 0;
            Response::Done(Box::new(Done { gen, seq, has_match, stats, error, bytes }))
        }
        TAG_QUIET => {
            let (gen, first, count) = (c.u64()?, c.u64()?, c.u32()?);
            if count == 0 {
                return Err(WireError::Corrupt("empty quiet run"));
            }
            Response::Quiet { gen, first, count, stats: c.stats()? }
        }
        _ => return Err(WireError::Corrupt("unknown response tag")),
    };
    c.finish()?;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `piece` bytes a read, and counts
    /// its reads.
    struct Pieces<'a> {
        bytes: &'a [u8],
        piece: usize,
        reads: usize,
    }

    impl Read for Pieces<'_> {
        /// Gives the next piece (or what fits of it).
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            let n = self.piece.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// `fill` reads on after a short read unless told it ends the file;
    /// a read that fills the buffer is never taken as the end.
    #[test]
    fn fill_stops_at_a_short_read_only_when_told() {
        let bytes = b"0123456789";
        let mut buf = [0; 8];
        let mut r = Pieces { bytes, piece: 3, reads: 0 };
        assert_eq!((fill(&mut r, false, &mut buf).unwrap(), r.reads), (8, 3));
        let mut r = Pieces { bytes, piece: 3, reads: 0 };
        assert_eq!((fill(&mut r, true, &mut buf).unwrap(), r.reads), (3, 1));
        assert_eq!(&buf[..3], b"012");
        let mut r = Pieces { bytes, piece: 8, reads: 0 };
        assert_eq!((fill(&mut r, true, &mut buf).unwrap(), r.reads), (8, 1));
        let mut r = Pieces { bytes: b"0123", piece: 8, reads: 0 };
        let mut big = [0; 64];
        assert_eq!((fill(&mut r, false, &mut big).unwrap(), r.reads), (4, 2));
    }

    /// Reads back every response frame in `buf`.
    fn read_all(buf: &[u8]) -> Result<Vec<Response>, WireError> {
        let mut rdr = buf;
        let mut payload = Vec::new();
        let mut out = Vec::new();
        while let Some(tag) = read_frame(&mut rdr, &mut payload)? {
            out.push(decode_response(tag, &payload)?);
        }
        Ok(out)
    }

    /// Reads back the one request frame in `buf`.
    fn read_request(buf: &[u8]) -> Request {
        let mut rdr = buf;
        let mut payload = Vec::new();
        let tag = read_frame(&mut rdr, &mut payload).unwrap().unwrap();
        assert!(read_frame(&mut rdr, &mut payload).unwrap().is_none());
        decode_request(tag, &payload).unwrap()
    }

    /// Stats with every counter set, so a field lost on the wire shows.
    fn stats(n: u64) -> Stats {
        let mut s = Stats::new();
        s.add_elapsed(Duration::from_nanos(n));
        s.add_searches(n + 1);
        s.add_searches_with_match(n + 2);
        s.add_bytes_searched(n + 3);
        s.add_bytes_printed(n + 4);
        s.add_matched_lines(n + 5);
        s.add_matches(n + 6);
        s
    }

    /// A batch survives encoding with non-UTF-8 and empty paths intact.
    #[test]
    fn batch_round_trip_keeps_raw_paths() {
        let jobs = vec![
            Job { seq: 0, explicit: true, stdin: false, regular: true, path: b"a/b.rs".to_vec() },
            Job { seq: 1, explicit: false, stdin: false, regular: false, path: vec![0xff, 0x80] },
            Job { seq: u64::MAX, explicit: false, stdin: true, regular: false, path: Vec::new() },
        ];
        let mut buf = Vec::new();
        encode_batch(&mut buf, 7, 2, &jobs);
        assert_eq!(read_request(&buf), Request::Batch { gen: 7, render_below: 2, jobs });
    }

    /// An empty batch and a query round-trip.
    #[test]
    fn empty_batch_and_query_round_trip() {
        let mut buf = Vec::new();
        encode_batch::<Job>(&mut buf, 1, u64::MAX, &[]);
        let empty = Request::Batch { gen: 1, render_below: u64::MAX, jobs: vec![] };
        assert_eq!(read_request(&buf), empty);
        let mut buf = Vec::new();
        encode_query(&mut buf, u64::MAX, b"{\"x\":1}");
        assert_eq!(
            read_request(&buf),
            Request::Query { gen: u64::MAX, spec: b"{\"x\":1}".to_vec() }
        );
    }

    /// Chunk, done and quiet frames round-trip with empty and 5 MiB
    /// payloads, every stats counter included.
    #[test]
    fn responses_round_trip_with_empty_and_huge_payloads() {
        let huge = vec![b'x'; 5 << 20];
        let mut buf = Vec::new();
        encode_chunk(&mut buf, 2, 4, &huge);
        let first = Done { gen: 2, seq: 4, has_match: true, stats: stats(7), ..Done::default() };
        encode_done(&mut buf, &first, b"");
        let error = Some("gone: No such file".to_string());
        let second = Done { gen: 3, seq: 5, error, ..Done::default() };
        encode_done(&mut buf, &second, b"tail");
        encode_quiet(&mut buf, 3, 6, 40, &stats(100));
        let got = read_all(&buf).unwrap();
        assert_eq!(
            got,
            vec![
                Response::Chunk { gen: 2, seq: 4, bytes: huge },
                Response::Done(Box::new(first)),
                Response::Done(Box::new(Done { bytes: b"tail".to_vec(), ..second })),
                Response::Quiet { gen: 3, first: 6, count: 40, stats: stats(100) },
            ]
        );
    }

    /// A quiet run of no files is refused as corrupt.
    #[test]
    fn empty_quiet_run_is_corrupt() {
        let mut buf = Vec::new();
        encode_quiet(&mut buf, 1, 3, 0, &Stats::new());
        assert!(matches!(read_all(&buf), Err(WireError::Corrupt(_))));
    }

    /// Output bytes that are not UTF-8 arrive unchanged.
    #[test]
    fn non_utf8_output_survives() {
        let mut buf = Vec::new();
        let bytes = vec![0u8, 0xff, b'\n', 0xc3];
        encode_done(&mut buf, &Done { seq: 9, has_match: true, ..Done::default() }, &bytes);
        match &read_all(&buf).unwrap()[0] {
            Response::Done(done) => assert_eq!(done.bytes, bytes),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// A frame cut at any byte is a Truncated error, never a success.
    #[test]
    fn a_frame_cut_short_is_an_error() {
        let mut buf = Vec::new();
        encode_done(&mut buf, &Done { seq: 1, has_match: true, ..Done::default() }, b"hello\n");
        for cut in 1..buf.len() {
            let err = read_all(&buf[..cut]).unwrap_err();
            assert!(matches!(err, WireError::Truncated), "cut at {cut}: {err}");
        }
    }

    /// Unknown tags, wrong lengths and trailing bytes are rejected, and a
    /// request tag is not a response.
    #[test]
    fn corrupt_frames_are_rejected() {
        let mut buf = Vec::new();
        put_header(&mut buf, 99, 0);
        assert!(matches!(read_all(&buf), Err(WireError::Corrupt(_))));
        let mut buf = Vec::new();
        encode_chunk(&mut buf, 1, 1, b"abc");
        buf[0] += 1; // the length now claims one byte more than the fields use
        buf.push(0);
        assert!(matches!(read_all(&buf), Err(WireError::Corrupt(_))));
        assert!(matches!(read_all(&[0, 0, 0, 0]), Err(WireError::Corrupt(_))));
        let mut buf = Vec::new();
        encode_query(&mut buf, 1, b"{}");
        assert!(matches!(read_all(&buf), Err(WireError::Corrupt(_))));
    }

    /// Fed one byte at a time, `split_frame` waits for each whole frame,
    /// says how much it needs, and yields the frames in order, unchanged.
    #[test]
    fn split_frame_finds_whole_frames_only() {
        let mut buf = Vec::new();
        encode_chunk(&mut buf, 1, 2, b"first\n");
        let first_len = buf.len();
        encode_done(&mut buf, &Done { seq: 2, has_match: true, ..Done::default() }, b"rest\n");
        encode_quiet(&mut buf, 1, 3, 5, &Stats::new());
        let (mut got, mut start) = (Vec::new(), 0);
        for end in 0..=buf.len() {
            while let Split::Frame { tag, payload, used } = split_frame(&buf[start..end]).unwrap() {
                got.push(decode_response(tag, payload).unwrap());
                start += used;
            }
            if let Split::Need(n) = split_frame(&buf[start..end]).unwrap() {
                assert!(n > end - start, "needs {n} with {} in hand", end - start);
                if start == 0 && end >= 4 {
                    assert_eq!(n, first_len);
                }
            }
        }
        assert_eq!(start, buf.len());
        assert_eq!(got, read_all(&buf).unwrap());
        assert_eq!(got.len(), 3);
        assert!(matches!(split_frame(&[0, 0, 0, 0]), Err(WireError::Corrupt(_))));
    }
}
