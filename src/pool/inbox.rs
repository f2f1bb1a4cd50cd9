//! The bytes read from one worker's result pipe and not yet decoded: a
//! buffer that grows only as a frame's bytes arrive and hands out whole
//! frames, decoded, without copying them first.

use crate::wire::{self, Response, Split};

/// Least room offered to one read from a result pipe: small, so that a
/// search with little output never touches (page-faults in) more; a read
/// that fills it doubles it, up to `OFFER_MAX`.
const READ_MIN: usize = 8 << 10;
/// Most room offered to a read beyond what the frame at the front needs: a
/// bigger buffer costs memory in every worker's inbox and saves little.
const OFFER_MAX: usize = 128 << 10;
/// Most bytes taken from one result pipe per read, so that a frame of a
/// big output grows the buffer only as its bytes arrive.
const READ_MAX: usize = 1 << 20;

/// Bytes read from a result pipe and not yet decoded.
#[derive(Debug)]
pub(crate) struct Inbox {
    buf: Vec<u8>,
    /// Room to offer the next read (grows while reads fill it).
    offer: usize,
    /// Start of the bytes not yet decoded.
    start: usize,
    /// End of the bytes read.
    end: usize,
    /// Size of the frame at the front.
    need: usize,
}

impl Default for Inbox {
    /// An empty inbox, waiting for a frame's length prefix.
    fn default() -> Inbox {
        Inbox { buf: Vec::new(), offer: 0, start: 0, end: 0, need: 4 }
    }
}

impl Inbox {
    /// Makes room for the next read; returns the free space to read into.
    pub(crate) fn room(&mut self) -> &mut [u8] {
        let have = self.end - self.start;
        let want = self.need.saturating_sub(have).min(READ_MAX).max(self.offer).max(READ_MIN);
        if self.buf.len() - self.end < want {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, have);
            if self.buf.len() < have + want {
                self.buf.resize(have + want, 0);
            }
        }
        &mut self.buf[self.end..]
    }

    /// Counts `n` bytes just read into the room; a read that filled it
    /// offers twice the room next time.
    pub(crate) fn filled(&mut self, n: usize) {
        if self.end + n == self.buf.len() {
            self.offer = (2 * self.offer).clamp(READ_MIN, OFFER_MAX);
        }
        self.end += n;
    }

    /// True while bytes of an unfinished frame are held.
    pub(crate) fn is_mid_frame(&self) -> bool {
        self.start < self.end
    }

    /// Decodes every whole frame read so far into `out`.
    pub(crate) fn decode(&mut self, out: &mut Vec<Response>) -> Result<(), wire::WireError> {
        loop {
            match wire::split_frame(&self.buf[self.start..self.end])? {
                Split::Frame { tag, payload, used } => {
                    out.push(wire::decode_response(tag, payload)?);
                    self.start += used;
                }
                Split::Need(n) => {
                    if self.start == self.end {
                        (self.start, self.end) = (0, 0);
                    }
                    self.need = n;
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Done;

    /// Frames fed in reads of any size come out whole and in order, and
    /// the buffer never holds much more than the biggest frame.
    #[test]
    fn frames_come_out_whole_whatever_the_reads() {
        let mut bytes = Vec::new();
        let big = vec![b'x'; 3 << 20];
        wire::encode_chunk(&mut bytes, 1, 0, &big);
        wire::encode_done(&mut bytes, &Done { seq: 0, ..Done::default() }, b"end\n");
        for step in [1usize, 7, 4096, 1 << 20] {
            let (mut inbox, mut out, mut at) = (Inbox::default(), Vec::new(), 0);
            while at < bytes.len() {
                let room = inbox.room();
                let n = room.len().min(step).min(bytes.len() - at);
                room[..n].copy_from_slice(&bytes[at..at + n]);
                inbox.filled(n);
                at += n;
                inbox.decode(&mut out).unwrap();
            }
            assert!(!inbox.is_mid_frame());
            assert_eq!(out.len(), 2, "step {step}");
            assert!(matches!(&out[0], Response::Chunk { bytes, .. } if *bytes == big));
            assert!(inbox.buf.len() <= (3 << 20) + (2 << 20), "buffer of {}", inbox.buf.len());
        }
    }
}
