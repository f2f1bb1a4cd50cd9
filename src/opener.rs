//! Opens the regular files a worker reads itself: through a handle on their
//! directory (one lookup of the directory's path for a run of files in it,
//! not one a file), and knows the file systems on which a short read of a
//! regular file is its end (so `wire::fill` need not make the read that
//! would return 0).

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{open, openat, OFlag};
use nix::sys::stat::Mode;
use nix::sys::statfs::{self, FsType};

/// The file systems whose read of a regular file returns every byte asked
/// for that the file has (their reads go through the kernel's page cache,
/// which loops until the request is filled or the file ends): less comes
/// back only at the end of the file, or on an I/O error or a fatal signal
/// after some bytes. Not procfs, sysfs, FUSE or network file systems, whose
/// reads may come back short anywhere. (ext2, ext3 and ext4 share a magic
/// number; overlayfs reads from the file system beneath it.)
const WHOLE_READS: [FsType; 6] = [
    statfs::EXT4_SUPER_MAGIC,
    statfs::XFS_SUPER_MAGIC,
    statfs::BTRFS_SUPER_MAGIC,
    statfs::TMPFS_MAGIC,
    statfs::F2FS_SUPER_MAGIC,
    statfs::OVERLAYFS_SUPER_MAGIC,
];

/// The directory the last file was opened in.
struct Dir {
    /// Its path, as the file's path spells it.
    path: Vec<u8>,
    /// A handle on it (O_PATH: it needs no permission to read it).
    fd: OwnedFd,
    /// It is on one of the `WHOLE_READS` file systems.
    whole_reads: bool,
}

/// Opens files for reading, keeping a handle on the last one's directory.
/// Holding it across batches could open a file in a directory that was
/// since replaced, so a worker calls `forget` at the end of each batch.
#[derive(Default)]
pub(crate) struct Opener {
    dir: Option<Dir>,
    /// A file could not be opened for want of a descriptor while a
    /// directory handle held one: from then on files are opened by their
    /// whole path (dn's descriptor budget leaves a worker one for a file).
    starved: bool,
}

/// A file opened for reading.
pub(crate) struct Opened {
    pub(crate) file: File,
    /// A read of it that returns less than asked for reached its end.
    pub(crate) short_read_ends: bool,
}

impl Opener {
    /// Opens `path` for reading as `File::open` does (the same file, the
    /// same error): through a handle on its directory when the directory
    /// can be opened, else by the whole path. A link (`-L`, or named) is
    /// opened by the whole path, and its short reads do not end it: the
    /// file it leads to may be on another file system (/etc/mtab is a link
    /// into procfs).
    pub(crate) fn open(&mut self, path: &Path) -> io::Result<Opened> {
        let whole = |path| File::open(path).map(|file| Opened { file, short_read_ends: false });
        let split = split(path.as_os_str().as_bytes()).filter(|_| !self.starved);
        let Some((parent, name)) = split else { return whole(path) };
        if self.dir.as_ref().is_none_or(|d| d.path != parent) {
            self.dir = open_dir(parent);
        }
        let Some(dir) = &self.dir else { return whole(path) };
        // Not through a link: its target may be on another file system.
        let flags = OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW;
        match openat(&dir.fd, OsStr::from_bytes(name), flags, Mode::empty()) {
            Ok(fd) => Ok(Opened { file: File::from(fd), short_read_ends: dir.whole_reads }),
            Err(Errno::EMFILE | Errno::ENFILE) => {
                (self.dir, self.starved) = (None, true);
                whole(path)
            }
            // A link (ELOOP) is opened as it is; for an error, opening by
            // the whole path gives the error it names the path with.
            Err(_) => whole(path),
        }
    }

    /// Lets go of the directory handle.
    pub(crate) fn forget(&mut self) {
        self.dir = None;
    }
}

/// Splits a file's path into its directory ("." for a bare name) and its
/// last component; `None` when that component is not a file's name (empty,
/// "." or "..").
fn split(path: &[u8]) -> Option<(&[u8], &[u8])> {
    let (parent, name) = match memchr::memrchr(b'/', path) {
        Some(0) => (&path[..1], &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&b"."[..], path),
    };
    (!matches!(name, b"" | b"." | b"..")).then_some((parent, name))
}

/// A handle on the directory `path`, and what its file system is; `None`
/// when it cannot be opened.
fn open_dir(path: &[u8]) -> Option<Dir> {
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let fd = open(OsStr::from_bytes(path), flags, Mode::empty()).ok()?;
    let whole_reads =
        statfs::fstatfs(&fd).is_ok_and(|s| WHOLE_READS.contains(&s.filesystem_type()));
    Some(Dir { path: path.to_vec(), fd, whole_reads })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A fresh directory under `base` for one test, removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        /// Makes `base/dn-opener-PID-name`, empty.
        fn new(base: &Path, name: &str) -> Scratch {
            let dir = base.join(format!("dn-opener-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        /// Removes the directory and what is in it.
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A path splits at its last slash; what is not a file's name does not.
    #[test]
    fn a_path_splits_into_its_directory_and_name() {
        assert_eq!(split(b"a/b/c.txt"), Some((&b"a/b"[..], &b"c.txt"[..])));
        assert_eq!(split(b"/c"), Some((&b"/"[..], &b"c"[..])));
        assert_eq!(split(b"c"), Some((&b"."[..], &b"c"[..])));
        assert_eq!(split(b"a//c"), Some((&b"a/"[..], &b"c"[..])));
        for odd in [&b"a/"[..], b"a/.", b"a/..", b"..", b".", b""] {
            assert_eq!(split(odd), None, "{}", String::from_utf8_lossy(odd));
        }
    }

    /// Files opened through their directory read as `File::open`'s do;
    /// the handle follows the path (one directory, then another); a file
    /// that is missing fails with `File::open`'s own error.
    #[test]
    fn opens_the_same_files_and_fails_the_same_way() {
        let tmp = Scratch::new(&std::env::temp_dir(), "same");
        let (a, b) = (tmp.0.join("a"), tmp.0.join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        let files = [a.join("1"), a.join("2"), b.join("1"), a.join("1")];
        for (i, f) in files[..3].iter().enumerate() {
            std::fs::write(f, format!("file {i}\n").repeat(i + 1)).unwrap();
        }
        let mut opener = Opener::default();
        for f in &files {
            let mut got = Vec::new();
            opener.open(f).unwrap().file.read_to_end(&mut got).unwrap();
            assert_eq!(got, std::fs::read(f).unwrap(), "{}", f.display());
        }
        let missing = a.join("missing");
        let ours = opener.open(&missing).err().unwrap().to_string();
        assert_eq!(ours, File::open(&missing).unwrap_err().to_string());
        let in_missing_dir = tmp.0.join("nodir/x");
        let ours = opener.open(&in_missing_dir).err().unwrap().to_string();
        assert_eq!(ours, File::open(&in_missing_dir).unwrap_err().to_string());
    }

    /// A file of procfs, whose reads stop short before its end, is not
    /// one whose short reads end it; one of tmpfs is.
    #[test]
    fn short_reads_end_a_file_only_where_reads_are_whole() {
        let opened = Opener::default().open(Path::new("/proc/self/maps")).unwrap();
        assert!(!opened.short_read_ends);
        // Through a link from a directory whose reads are whole, too.
        let tmp = Scratch::new(&std::env::temp_dir(), "link");
        let link = tmp.0.join("maps");
        std::os::unix::fs::symlink("/proc/self/maps", &link).unwrap();
        let mut opened = Opener::default().open(&link).unwrap();
        assert!(!opened.short_read_ends);
        let mut maps = vec![0; 1 << 20];
        let n = crate::wire::fill(&mut opened.file, opened.short_read_ends, &mut maps).unwrap();
        assert!(n > 0 && maps[n - 1] == b'\n', "{n} bytes");
        let shm = Path::new("/dev/shm");
        if statfs::statfs(shm).map(|s| s.filesystem_type()) != Ok(statfs::TMPFS_MAGIC) {
            return; // no tmpfs to try
        }
        let tmp = Scratch::new(shm, "shm");
        std::fs::write(tmp.0.join("f"), b"x").unwrap();
        assert!(Opener::default().open(&tmp.0.join("f")).unwrap().short_read_ends);
    }
}
