//! A doorbell: a non-blocking eventfd (one descriptor, where a pipe takes
//! two: descriptors may be scarce) that lets a thread wake the main loop's
//! `poll` right after it has put something on a channel, so the loop can
//! wait on channels and worker pipes at once.
//!
//! The ringer sends first, then rings; the loop drains the bell, then empties
//! the channel. A message sent after the loop found the channel empty is
//! therefore always followed by a ring the loop has not drained yet.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use nix::errno::Errno;
use nix::sys::eventfd::{EfdFlags, EventFd};

/// The loop's side: a descriptor to poll, readable once rung.
#[derive(Debug)]
pub(crate) struct Doorbell {
    bell: Arc<OwnedFd>,
}

/// A thread's side: rings the bell. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Ringer {
    bell: Arc<OwnedFd>,
}

/// Creates a doorbell and its ringer (close-on-exec, never inherited by a
/// worker: call it after the fork).
pub(crate) fn doorbell() -> io::Result<(Doorbell, Ringer)> {
    let fd: OwnedFd = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)?.into();
    let bell = Arc::new(fd);
    Ok((Doorbell { bell: bell.clone() }, Ringer { bell }))
}

impl Doorbell {
    /// The descriptor to poll for readability.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.bell.as_fd()
    }

    /// Silences the bell: takes every ring so far (never blocks).
    pub(crate) fn drain(&self) {
        let mut count = [0u8; 8];
        while let Err(Errno::EINTR) = nix::unistd::read(&*self.bell, &mut count) {}
    }
}

impl Ringer {
    /// Rings the bell (never blocks: a counter near its top already rings).
    pub(crate) fn ring(&self) {
        while let Err(Errno::EINTR) = nix::unistd::write(&*self.bell, &1u64.to_ne_bytes()) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

    /// True when the bell's descriptor polls readable right now.
    fn rung(bell: &Doorbell) -> bool {
        let mut fds = [PollFd::new(bell.fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::ZERO).unwrap() == 1
    }

    /// A ring makes the bell readable until drained, however many rings
    /// came (more than a pipe holds included), and ringing never blocks.
    #[test]
    fn rings_until_drained() {
        let (bell, ringer) = doorbell().unwrap();
        assert!(!rung(&bell));
        ringer.ring();
        assert!(rung(&bell));
        bell.drain();
        assert!(!rung(&bell));
        let other = ringer.clone();
        for _ in 0..100_000 {
            other.ring();
        }
        assert!(rung(&bell));
        bell.drain();
        assert!(!rung(&bell));
    }
}
