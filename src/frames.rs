//! The printer's writer in a worker: renders one file's output into a
//! buffer and sends it to the parent as frames (chunks of a big output, a
//! done record per file, one quiet record per run of silent files).
//!
//! It never writes anywhere but its pipe, and it never sends a frame the
//! parent could not take: a line longer than `HUGE` leaves in pieces, so no
//! frame nears the wire's limit and the worker holds at most `HUGE` bytes
//! of any output.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use grep_printer::Stats;
use termcolor::{ColorSpec, WriteColor};

use crate::wire::{self, Done};

/// Output of one file above this size is sent ahead as a chunk frame, cut
/// at the last line end.
const CHUNK_LIMIT: usize = 1 << 20;
/// Output without a line end above this size is sent ahead as it is (a
/// huge line leaves in pieces instead of growing the buffer).
const HUGE: usize = 8 << 20;
/// Output waits at most this long in a worker before it is sent.
const STREAM_DELAY: Duration = Duration::from_millis(2);
/// Encoded frames above this size are written to the pipe at once.
const FLUSH_LIMIT: usize = 64 << 10;

/// The printer's writer: renders into a buffer, and owns the pipe through
/// which that buffer leaves as frames.
pub(crate) struct FrameWriter<W> {
    /// The current file's rendered output not yet sent.
    cur: Vec<u8>,
    /// Encoded frames waiting to be written to the pipe.
    frames: Vec<u8>,
    /// Whether colour escapes are written.
    color: bool,
    /// Whether control characters from files are escaped (a terminal).
    sanitize: bool,
    /// The generation of the query being searched.
    gen: u64,
    /// The file whose output is being rendered.
    seq: u64,
    /// The write end of this worker's result pipe.
    pipe: W,
    /// When frames were last written.
    flushed_at: Instant,
    /// Queued frames include some file's output.
    pending_output: bool,
    /// A run of consecutive files that ended silently, not yet encoded:
    /// first sequence number, count and summed stats.
    quiet: Option<(u64, u32, Stats)>,
}

impl<W: Write> FrameWriter<W> {
    /// Creates a writer that sends frames down `pipe`.
    pub(crate) fn new(pipe: W, color: bool) -> FrameWriter<W> {
        FrameWriter {
            cur: Vec::new(),
            frames: Vec::new(),
            color,
            sanitize: false,
            gen: 0,
            seq: 0,
            pipe,
            flushed_at: Instant::now(),
            pending_output: false,
            quiet: None,
        }
    }

    /// The pipe (or memory) frames are written to.
    pub(crate) fn sink(&mut self) -> &mut W {
        &mut self.pipe
    }

    /// Turns colour escapes, and the escaping of control characters, on or
    /// off (a new query may say otherwise).
    pub(crate) fn set_style(&mut self, color: bool, sanitize: bool) {
        self.color = color;
        self.sanitize = sanitize;
    }

    /// Starts rendering file `seq` of query `gen`; any leftover output is
    /// discarded.
    pub(crate) fn begin(&mut self, gen: u64, seq: u64) -> io::Result<()> {
        if gen != self.gen {
            self.end_quiet();
            self.gen = gen;
        }
        self.seq = seq;
        self.cur.clear();
        if self.output_is_stale() {
            self.flush_frames()?;
        }
        Ok(())
    }

    /// Drops the current file's output: its query was superseded.
    pub(crate) fn abandon(&mut self) {
        self.cur.clear();
    }

    /// Queued frames hold output that has waited `STREAM_DELAY` or more.
    fn output_is_stale(&self) -> bool {
        self.pending_output && self.flushed_at.elapsed() >= STREAM_DELAY
    }

    /// Queues the done frame for the current file (or adds a silent file to
    /// the quiet run).
    pub(crate) fn done(
        &mut self,
        has_match: bool,
        stats: Stats,
        error: Option<String>,
    ) -> io::Result<()> {
        let had_output = !self.cur.is_empty();
        if !had_output && !has_match && error.is_none() {
            self.add_quiet(stats);
            return Ok(());
        }
        self.end_quiet();
        let done = Done { gen: self.gen, seq: self.seq, has_match, stats, error, bytes: vec![] };
        wire::encode_done(&mut self.frames, &done, &self.cur);
        self.cur.clear();
        // Output should reach the printer soon, but one write per file
        // costs more than the search of a small file: output leaves when
        // the last write is `STREAM_DELAY` old; silent records go in bulk.
        self.pending_output |= had_output;
        if self.output_is_stale() || self.frames.len() >= FLUSH_LIMIT {
            self.flush_frames()?;
        }
        Ok(())
    }

    /// Adds the current (silent) file to the quiet run, or starts a new run
    /// if it does not follow the last one. (Stale output waiting is sent by
    /// the next `begin` or at the batch's end.)
    fn add_quiet(&mut self, stats: Stats) {
        match &mut self.quiet {
            Some((first, count, sum)) if *first + u64::from(*count) == self.seq => {
                *count += 1;
                *sum += stats;
            }
            _ => {
                self.end_quiet();
                self.quiet = Some((self.seq, 1, stats));
            }
        }
    }

    /// Encodes the quiet run, if any, so frames keep the order of the files.
    fn end_quiet(&mut self) {
        if let Some((first, count, stats)) = self.quiet.take() {
            wire::encode_quiet(&mut self.frames, self.gen, first, count, &stats);
        }
    }

    /// Writes every queued frame to the pipe.
    pub(crate) fn flush_frames(&mut self) -> io::Result<()> {
        self.end_quiet();
        if !self.frames.is_empty() {
            self.pipe.write_all(&self.frames)?;
            self.frames.clear();
        }
        self.flushed_at = Instant::now();
        self.pending_output = false;
        Ok(())
    }

    /// Sends the current output ahead as a chunk (big outputs stream).
    /// Only whole lines leave, so a cancelled search never prints half a
    /// line (or half a colour escape), unless one line alone is over `HUGE`:
    /// then it leaves in pieces.
    fn send_chunk(&mut self) -> io::Result<()> {
        let end = match memchr::memrchr(b'\n', &self.cur) {
            Some(end) => end + 1,
            None if self.cur.len() >= HUGE => self.cur.len(),
            None => return Ok(()),
        };
        self.end_quiet();
        wire::encode_chunk(&mut self.frames, self.gen, self.seq, &self.cur[..end]);
        self.cur.drain(..end);
        self.flush_frames()
    }

    /// Sends `buf`, the start of a big write, straight to the pipe as chunks
    /// of at most `HUGE` bytes, without copying it: its whole lines, and a
    /// line that alone is over `HUGE` (a huge line leaves in pieces);
    /// returns how much of `buf` was sent (the rest, under `HUGE` and
    /// without a line end, is for the buffer).
    fn send_direct(&mut self, buf: &[u8]) -> io::Result<usize> {
        let whole = memchr::memrchr(b'\n', buf).map_or(0, |nl| nl + 1);
        let end = if buf.len() - whole >= HUGE { buf.len() } else { whole };
        if end == 0 {
            return Ok(0);
        }
        self.flush_frames()?;
        for piece in buf[..end].chunks(HUGE) {
            let mut head = Vec::with_capacity(32);
            wire::encode_chunk_head(&mut head, self.gen, self.seq, piece.len());
            self.pipe.write_all(&head)?;
            self.pipe.write_all(piece)?;
        }
        Ok(end)
    }
}

impl<W: Write> Write for FrameWriter<W> {
    /// Appends to the current file's output, sending a chunk when it is big
    /// (a big write of plain output goes to the pipe without a copy).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.cur.is_empty() && !self.sanitize && buf.len() >= CHUNK_LIMIT {
            let sent = self.send_direct(buf)?;
            if sent > 0 {
                return Ok(sent);
            }
        }
        // Take at most what fits under `HUGE`, so one write of a huge line
        // does not grow the buffer past it (the printer writes the rest).
        let room = HUGE.saturating_sub(self.cur.len()).max(1);
        let buf = &buf[..buf.len().min(room)];
        if self.sanitize && !crate::sanitize::is_clean(buf) {
            crate::sanitize::escape_into(&mut self.cur, buf, self.color);
        } else {
            self.cur.extend_from_slice(buf);
        }
        let big = self.cur.len() >= CHUNK_LIMIT && buf.contains(&b'\n');
        if big || self.cur.len() >= HUGE {
            self.send_chunk()?;
        }
        Ok(buf.len())
    }

    /// Nothing to do: frames leave at file and batch boundaries.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> WriteColor for FrameWriter<W> {
    /// Colour is on when the parent decided so.
    fn supports_color(&self) -> bool {
        self.color
    }

    /// Writes the ANSI escape for `spec` into the output.
    fn set_color(&mut self, spec: &ColorSpec) -> io::Result<()> {
        if self.color {
            termcolor::Ansi::new(&mut self.cur).set_color(spec)?;
        }
        Ok(())
    }

    /// Writes the ANSI reset escape into the output.
    fn reset(&mut self) -> io::Result<()> {
        if self.color {
            termcolor::Ansi::new(&mut self.cur).reset()?;
        }
        Ok(())
    }

    /// Hyperlinks go with colour, as in ripgrep.
    fn supports_hyperlinks(&self) -> bool {
        self.color
    }

    /// Writes the escape that opens (or closes) a hyperlink into the output.
    fn set_hyperlink(&mut self, link: &termcolor::HyperlinkSpec) -> io::Result<()> {
        if self.color {
            termcolor::Ansi::new(&mut self.cur).set_hyperlink(link)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Response;

    /// The frames a `FrameWriter` sends while `write` drives it, then
    /// flushes it.
    fn frames_of(write: impl FnOnce(&mut FrameWriter<Vec<u8>>)) -> Vec<Response> {
        let mut w = FrameWriter::new(Vec::new(), false);
        write(&mut w);
        w.flush_frames().unwrap();
        let (mut rdr, mut payload, mut got) = (&w.pipe[..], Vec::new(), Vec::new());
        while let Some(tag) = wire::read_frame(&mut rdr, &mut payload).unwrap() {
            got.push(wire::decode_response(tag, &payload).unwrap());
        }
        got
    }

    /// Stats of one searched file of `bytes` bytes.
    fn one(bytes: u64) -> Stats {
        let mut s = Stats::new();
        s.add_searches(1);
        s.add_bytes_searched(bytes);
        s
    }

    /// Big output leaves in chunks that end at line ends, and nothing is
    /// lost or reordered across chunks and the final done frame.
    #[test]
    fn chunks_cut_only_at_line_ends() {
        let text: Vec<u8> = (0..200_000).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let frames = frames_of(|w| {
            w.begin(1, 7).unwrap();
            for piece in text.chunks(7) {
                w.write_all(piece).unwrap();
            }
            w.done(true, Stats::new(), None).unwrap();
        });
        let (mut all, mut chunks) = (Vec::new(), 0);
        for frame in frames {
            match frame {
                Response::Chunk { gen, seq, bytes } => {
                    assert_eq!((gen, seq), (1, 7));
                    assert_eq!(bytes.last(), Some(&b'\n'), "a chunk ends mid-line");
                    chunks += 1;
                    all.extend(bytes);
                }
                Response::Done(done) => all.extend(done.bytes),
                other => panic!("unexpected frame {other:?}"),
            }
        }
        assert!(chunks >= 1, "output over the limit was not chunked");
        assert!(all == text, "chunked output differs from what was written");
    }

    /// A line longer than `HUGE`, written in one call, leaves in pieces of
    /// at most `HUGE` bytes, whole and in order.
    #[test]
    fn a_huge_line_leaves_in_pieces() {
        let mut line = vec![b'a'; 3 * HUGE + 5];
        line.push(b'\n');
        let frames = frames_of(|w| {
            w.begin(1, 0).unwrap();
            w.write_all(&line).unwrap();
            assert!(w.cur.capacity() <= 2 * HUGE, "the buffer grew to {}", w.cur.capacity());
            w.done(true, Stats::new(), None).unwrap();
        });
        let mut all = Vec::new();
        for frame in frames {
            match frame {
                Response::Chunk { bytes, .. } => {
                    assert!(bytes.len() <= HUGE, "a chunk of {}", bytes.len());
                    all.extend(bytes);
                }
                Response::Done(done) => all.extend(done.bytes),
                other => panic!("unexpected frame {other:?}"),
            }
        }
        assert!(all == line, "the line came back changed");
    }

    /// A big write of many lines and a tail leaves without a copy: its whole
    /// lines as chunks, the tail (no line end yet) with the done frame.
    #[test]
    fn a_big_write_sends_its_whole_lines_at_once() {
        let mut text: Vec<u8> = b"a line of text\n".repeat(CHUNK_LIMIT / 10);
        text.extend_from_slice(b"tail");
        let frames = frames_of(|w| {
            w.begin(1, 3).unwrap();
            w.write_all(&text).unwrap();
            assert_eq!(w.cur, b"tail", "only the tail was buffered");
            w.done(true, Stats::new(), None).unwrap();
        });
        let mut all = Vec::new();
        for frame in frames {
            match frame {
                Response::Chunk { bytes, .. } => {
                    assert!(bytes.ends_with(b"\n"));
                    all.extend(bytes)
                }
                Response::Done(done) => all.extend(done.bytes),
                other => panic!("unexpected frame {other:?}"),
            }
        }
        assert!(all == text);
    }

    /// Silent files that follow one another travel as one quiet frame; a
    /// file with output, a gap in the numbers or a new query ends the run.
    #[test]
    fn silent_files_travel_as_quiet_runs() {
        let got = frames_of(|w| {
            for (gen, seq) in [(1, 0), (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 7), (2, 8)] {
                w.begin(gen, seq).unwrap();
                if seq == 3 {
                    w.write_all(b"hit\n").unwrap();
                }
                w.done(seq == 3, one(10), None).unwrap();
            }
        });
        let mut three = one(10);
        three += one(10);
        three += one(10);
        let mut two = one(10);
        two += one(10);
        let hit = Done { gen: 1, seq: 3, has_match: true, stats: one(10), ..Done::default() };
        assert_eq!(
            got,
            vec![
                Response::Quiet { gen: 1, first: 0, count: 3, stats: three },
                Response::Done(Box::new(Done { bytes: b"hit\n".to_vec(), ..hit })),
                Response::Quiet { gen: 1, first: 4, count: 2, stats: two },
                Response::Quiet { gen: 1, first: 7, count: 1, stats: one(10) },
                Response::Quiet { gen: 2, first: 8, count: 1, stats: one(10) },
            ]
        );
    }
}
