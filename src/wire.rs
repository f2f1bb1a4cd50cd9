//! Framed messages between the parent and its forked workers; pure encoding
//! and decoding, with no knowledge of processes, pipes or the search itself.
//!
//! Every frame is `u32 length (LE) | u8 tag | payload`, where the length
//! counts the tag and the payload. Paths travel as raw bytes, so names that
//! are not UTF-8 survive the trip. A frame cut short is an error, never a
//! silent success: the caller treats it as a dead worker.

use std::io::{self, Read};

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

/// Largest frame accepted, a guard against a corrupt length prefix.
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
    /// The path as raw bytes.
    pub(crate) path: Vec<u8>,
}

impl AsRef<Job> for Job {
    /// A job is its own job.
    fn as_ref(&self) -> &Job {
        self
    }
}

/// Search counters for one file, mirroring `grep_printer::Stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FileStats {
    pub(crate) elapsed_nanos: u64,
    pub(crate) searches: u64,
    pub(crate) searches_with_match: u64,
    pub(crate) bytes_searched: u64,
    pub(crate) bytes_printed: u64,
    pub(crate) matched_lines: u64,
    pub(crate) matches: u64,
}

impl FileStats {
    /// Adds `other`'s counters to these.
    pub(crate) fn add(&mut self, other: &FileStats) {
        self.elapsed_nanos += other.elapsed_nanos;
        self.searches += other.searches;
        self.searches_with_match += other.searches_with_match;
        self.bytes_searched += other.bytes_searched;
        self.bytes_printed += other.bytes_printed;
        self.matched_lines += other.matched_lines;
        self.matches += other.matches;
    }
}

/// A message from a worker to the parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Response {
    /// Part of the rendered output of file `seq`; more follows.
    Chunk { seq: u64, bytes: Vec<u8> },
    /// File `seq` is finished: the rest of its output, its stats, whether it
    /// matched, and the error that ended its search, if any.
    Done { seq: u64, has_match: bool, stats: FileStats, error: Option<String>, bytes: Vec<u8> },
    /// Files `first .. first + count` are finished, in that order, with no
    /// output, no match and no error; `stats` is the sum of theirs.
    Quiet { first: u64, count: u32, stats: FileStats },
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
    out.extend_from_slice(&((len + 1) as u32).to_le_bytes());
    out.push(tag);
}

/// Appends a length-prefixed byte string.
fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Appends a batch frame holding `jobs` (anything that holds a `Job`) to
/// `out`, without copying the jobs first.
pub(crate) fn encode_batch<J: AsRef<Job>>(out: &mut Vec<u8>, jobs: &[J]) {
    let len = 4 + jobs.iter().map(|j| 8 + 1 + 4 + j.as_ref().path.len()).sum::<usize>();
    put_header(out, TAG_BATCH, len);
    out.extend_from_slice(&(jobs.len() as u32).to_le_bytes());
    for job in jobs.iter().map(AsRef::as_ref) {
        out.extend_from_slice(&job.seq.to_le_bytes());
        out.push(u8::from(job.explicit) | (u8::from(job.stdin) << 1));
        put_bytes(out, &job.path);
    }
}

/// Appends a chunk frame (part of file `seq`'s output) to `out`.
pub(crate) fn encode_chunk(out: &mut Vec<u8>, seq: u64, bytes: &[u8]) {
    put_header(out, TAG_CHUNK, 8 + 4 + bytes.len());
    out.extend_from_slice(&seq.to_le_bytes());
    put_bytes(out, bytes);
}

/// Appends a done frame for file `seq` to `out`.
pub(crate) fn encode_done(
    out: &mut Vec<u8>,
    seq: u64,
    has_match: bool,
    stats: &FileStats,
    error: Option<&str>,
    bytes: &[u8],
) {
    let err = error.map_or(&b""[..], str::as_bytes);
    put_header(out, TAG_DONE, 8 + 1 + 7 * 8 + 4 + err.len() + 4 + bytes.len());
    out.extend_from_slice(&seq.to_le_bytes());
    out.push(u8::from(has_match) | (u8::from(error.is_some()) << 1));
    for n in stats_fields(stats) {
        out.extend_from_slice(&n.to_le_bytes());
    }
    put_bytes(out, err);
    put_bytes(out, bytes);
}

/// Appends a quiet frame (files `first .. first + count` finished without
/// output, match or error; `stats` summed) to `out`.
pub(crate) fn encode_quiet(out: &mut Vec<u8>, first: u64, count: u32, stats: &FileStats) {
    put_header(out, TAG_QUIET, 8 + 4 + 7 * 8);
    out.extend_from_slice(&first.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    for n in stats_fields(stats) {
        out.extend_from_slice(&n.to_le_bytes());
    }
}

/// Lists the stats counters in wire order.
fn stats_fields(s: &FileStats) -> [u64; 7] {
    [
        s.elapsed_nanos,
        s.searches,
        s.searches_with_match,
        s.bytes_searched,
        s.bytes_printed,
        s.matched_lines,
        s.matches,
    ]
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
    let mut got = 0;
    while got < buf.len() {
        match rdr.read(&mut buf[got..]) {
            Ok(0) => break,
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
    fn stats(&mut self) -> Result<FileStats, WireError> {
        Ok(FileStats {
            elapsed_nanos: self.u64()?,
            searches: self.u64()?,
            searches_with_match: self.u64()?,
            bytes_searched: self.u64()?,
            bytes_printed: self.u64()?,
            matched_lines: self.u64()?,
            matches: self.u64()?,
        })
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

/// Decodes a batch payload (the frame must carry `TAG_BATCH`).
pub(crate) fn decode_batch(tag: u8, payload: &[u8]) -> Result<Vec<Job>, WireError> {
    if tag != TAG_BATCH {
        return Err(WireError::Corrupt("expected a batch"));
    }
    let mut c = Cursor { buf: payload };
    let n = c.u32()? as usize;
    let mut jobs = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let seq = c.u64()?;
        let flags = c.u8()?;
        let path = c.bytes()?.to_vec();
        jobs.push(Job { seq, explicit: flags & 1 != 0, stdin: flags & 2 != 0, path });
    }
    c.finish()?;
    Ok(jobs)
}

/// Decodes a worker response payload.
pub(crate) fn decode_response(tag: u8, payload: &[u8]) -> Result<Response, WireError> {
    let mut c = Cursor { buf: payload };
    let resp = match tag {
        TAG_CHUNK => Response::Chunk { seq: c.u64()?, bytes: c.bytes()?.to_vec() },
        TAG_DONE => {
            let seq = c.u64()?;
            let flags = c.u8()?;
            let stats = c.stats()?;
            let err = c.bytes()?;
            let error = (flags & 2 != 0).then(|| String::from_utf8_lossy(err).into_owned());
            let bytes = c.bytes()?.to_vec();
            Response::Done { seq, has_match: flags & 1 != 0, stats, error, bytes }
        }
        TAG_QUIET => {
            let first = c.u64()?;
            let count = c.u32()?;
            if count == 0 {
                return Err(WireError::Corrupt("empty quiet run"));
            }
            Response::Quiet { first, count, stats: c.stats()? }
        }
        _ => return Err(WireError::Corrupt("unknown tag")),
    };
    c.finish()?;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A batch survives encoding with non-UTF-8 and empty paths intact.
    #[test]
    fn batch_round_trip_keeps_raw_paths() {
        let jobs = vec![
            Job { seq: 0, explicit: true, stdin: false, path: b"a/b.rs".to_vec() },
            Job { seq: 1, explicit: false, stdin: false, path: vec![0xff, 0xfe, b'/', 0x80] },
            Job { seq: u64::MAX, explicit: false, stdin: true, path: Vec::new() },
        ];
        let mut buf = Vec::new();
        encode_batch(&mut buf, &jobs);
        let mut rdr = &buf[..];
        let mut payload = Vec::new();
        let tag = read_frame(&mut rdr, &mut payload).unwrap().unwrap();
        assert_eq!(decode_batch(tag, &payload).unwrap(), jobs);
        assert!(read_frame(&mut rdr, &mut payload).unwrap().is_none());
    }

    /// An empty batch round-trips.
    #[test]
    fn empty_batch_round_trips() {
        let mut buf = Vec::new();
        encode_batch::<Job>(&mut buf, &[]);
        let mut rdr = &buf[..];
        let mut payload = Vec::new();
        let tag = read_frame(&mut rdr, &mut payload).unwrap().unwrap();
        assert!(decode_batch(tag, &payload).unwrap().is_empty());
    }

    /// Chunk and done frames round-trip with empty and 5 MiB payloads.
    #[test]
    fn responses_round_trip_with_empty_and_huge_payloads() {
        let stats = FileStats { elapsed_nanos: 7, searches: 1, matches: 3, ..Default::default() };
        let huge = vec![b'x'; 5 << 20];
        let mut buf = Vec::new();
        encode_chunk(&mut buf, 4, &huge);
        encode_done(&mut buf, 4, true, &stats, None, b"");
        encode_done(&mut buf, 5, false, &FileStats::default(), Some("gone: No such file"), b"tail");
        encode_quiet(&mut buf, 6, 40, &stats);
        let got = read_all(&buf).unwrap();
        assert_eq!(
            got,
            vec![
                Response::Chunk { seq: 4, bytes: huge },
                Response::Done { seq: 4, has_match: true, stats, error: None, bytes: vec![] },
                Response::Done {
                    seq: 5,
                    has_match: false,
                    stats: FileStats::default(),
                    error: Some("gone: No such file".into()),
                    bytes: b"tail".to_vec(),
                },
                Response::Quiet { first: 6, count: 40, stats },
            ]
        );
    }

    /// A quiet run of no files is refused as corrupt.
    #[test]
    fn empty_quiet_run_is_corrupt() {
        let mut buf = Vec::new();
        encode_quiet(&mut buf, 3, 0, &FileStats::default());
        assert!(matches!(read_all(&buf), Err(WireError::Corrupt(_))));
    }

    /// Output bytes that are not UTF-8 arrive unchanged.
    #[test]
    fn non_utf8_output_survives() {
        let mut buf = Vec::new();
        let bytes = vec![0u8, 0xff, b'\n', 0xc3];
        encode_done(&mut buf, 9, true, &FileStats::default(), None, &bytes);
        match &read_all(&buf).unwrap()[0] {
            Response::Done { bytes: got, .. } => assert_eq!(got, &bytes),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// A frame cut at any byte is a Truncated error, never a success.
    #[test]
    fn a_frame_cut_short_is_an_error() {
        let mut buf = Vec::new();
        encode_done(&mut buf, 1, true, &FileStats::default(), None, b"hello\n");
        for cut in 1..buf.len() {
            let err = read_all(&buf[..cut]).unwrap_err();
            assert!(matches!(err, WireError::Truncated), "cut at {cut}: {err}");
        }
    }

    /// Unknown tags, wrong lengths and trailing bytes are rejected.
    #[test]
    fn corrupt_frames_are_rejected() {
        let mut buf = Vec::new();
        put_header(&mut buf, 99, 0);
        assert!(matches!(read_all(&buf), Err(WireError::Corrupt(_))));
        let mut buf = Vec::new();
        encode_chunk(&mut buf, 1, b"abc");
        buf[0] += 1; // the length now claims one byte more than the fields use
        buf.push(0);
        assert!(matches!(read_all(&buf), Err(WireError::Corrupt(_))));
        assert!(matches!(read_all(&[0, 0, 0, 0]), Err(WireError::Corrupt(_))));
    }

    /// Fed one byte at a time, `split_frame` waits for each whole frame,
    /// says how much it needs, and yields the frames in order, unchanged.
    #[test]
    fn split_frame_finds_whole_frames_only() {
        let mut buf = Vec::new();
        encode_chunk(&mut buf, 2, b"first\n");
        let first_len = buf.len();
        encode_done(&mut buf, 2, true, &FileStats::default(), None, b"rest\n");
        encode_quiet(&mut buf, 3, 5, &FileStats::default());
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
