//! The generation counter that the parent and its workers share: one
//! 8-byte atomic in a page of memory (a memfd, so that a re-executed worker
//! can map it too). The parent stores a new generation when a query is
//! superseded; a worker reads it without a syscall between reads of a file
//! and drops a search whose generation is no longer current.

use std::io;
use std::num::NonZeroUsize;
use std::os::fd::OwnedFd;
use std::sync::atomic::AtomicU64;

use nix::sys::mman::{MapFlags, ProtFlags};

/// The size of the mapping (one page).
const SIZE: usize = 4096;

/// The shared page: the descriptor (to hand to re-executed workers) and
/// the counter in it.
pub(crate) struct Shared {
    /// The memfd behind the page.
    pub(crate) fd: OwnedFd,
    /// The current generation, as every process of the pool sees it.
    pub(crate) now: &'static AtomicU64,
}

/// Creates the page, with the counter at 0.
pub(crate) fn create() -> io::Result<Shared> {
    let fd =
        nix::sys::memfd::memfd_create(c"dn-generation", nix::sys::memfd::MFdFlags::MFD_CLOEXEC)?;
    nix::unistd::ftruncate(&fd, SIZE as i64)?;
    let now = map(&fd)?;
    Ok(Shared { fd, now })
}

/// Maps the page of `fd` (created by `create`, possibly in the parent) and
/// returns its counter. The mapping lives as long as the process.
pub(crate) fn map(fd: &OwnedFd) -> io::Result<&'static AtomicU64> {
    let len = NonZeroUsize::new(SIZE).expect("non-zero");
    // SAFETY: a fresh shared mapping of a memfd page of `SIZE` bytes that
    // is never unmapped or truncated, so the pointer stays valid for the
    // life of the process. Its first 8 bytes are only ever accessed as an
    // `AtomicU64` (page-aligned, so aligned), by this and the other
    // processes that map it: atomics are the right way to share them.
    unsafe {
        let ptr = nix::sys::mman::mmap(
            None,
            len,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
            fd,
            0,
        )?;
        Ok(&*(ptr.as_ptr() as *const AtomicU64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    /// Two mappings of the same page see each other's stores.
    #[test]
    fn two_mappings_share_the_counter() {
        let shared = create().unwrap();
        let other = map(&shared.fd).unwrap();
        assert_eq!(other.load(Ordering::SeqCst), 0);
        shared.now.store(42, Ordering::SeqCst);
        assert_eq!(other.load(Ordering::SeqCst), 42);
    }
}
