//! The build context as Docker's CLI sends it: a tar of the context directory, walked with
//! the core's `.dockerignore` matcher, every entry owned by root with its mode and mtime,
//! symlinks kept as symlinks (never followed, so never out of the context), special files
//! left out with a warning, and the Dockerfile always included (under a generated name when
//! it lives outside the context or comes from standard input).
//!
//! Written while it is sent: entries go through a [`ChunkWriter`] into a bounded channel, so
//! the memory used does not depend on the context's size.

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use stagecraft_core::dockerignore::Matcher;
use tar::{EntryType, Header};

/// What was packed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Packed {
    pub(crate) entries: u64,
    pub(crate) file_bytes: u64,
    pub(crate) warnings: Vec<String>,
}

/// The Dockerfile, as the context carries it.
#[derive(Debug, Clone)]
pub(crate) enum Dockerfile {
    /// Inside the context, at this relative path (forward slashes).
    Inside(String),
    /// Outside the context (or standard input): added under `name`.
    Extra { name: String, text: Vec<u8> },
}

impl Dockerfile {
    /// The `dockerfile` parameter of `/build`.
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Inside(path) => path,
            Self::Extra { name, .. } => name,
        }
    }

    /// Where the Dockerfile at `file` goes, `text` being its bytes.
    pub(crate) fn locate(context: &Path, file: &Path, text: &[u8]) -> Self {
        let inside = (file.as_os_str() != "-")
            .then(|| {
                let context = context.canonicalize().ok()?;
                let file = file.canonicalize().ok()?;
                let rel = file.strip_prefix(&context).ok()?;
                let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
                Some(parts?.join("/"))
            })
            .flatten();
        match inside {
            Some(path) if !path.is_empty() => Self::Inside(path),
            _ => {
                // Docker's CLI uses `.dockerfile.` and random hex; a digest of the text is as
                // unlikely to collide and keeps the context the same for the same input.
                let digest = stagecraft_core::report::sim::sha256_hex(text);
                Self::Extra { name: format!(".dockerfile.{}", &digest[..20]), text: text.to_vec() }
            }
        }
    }
}

/// Writes the context under `dir` as a tar to `out`.
pub(crate) fn pack(
    dir: &Path,
    ignore: Option<&Matcher>,
    dockerfile: &Dockerfile,
    out: impl Write,
) -> Result<Packed, String> {
    let mut walk = Walk {
        builder: tar::Builder::new(out),
        packed: Packed::default(),
        ignore,
        dockerfile,
        descend_excluded: ignore.is_some_and(Matcher::has_exclusions),
    };
    walk.dir(dir, "")?;
    let Walk { mut builder, mut packed, .. } = walk;
    if let Dockerfile::Extra { name, text } = dockerfile {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(text.len() as u64);
        builder.append_data(&mut header, name, text.as_slice()).map_err(|e| write_error(name, &e))?;
        packed.entries += 1;
    }
    builder.into_inner().and_then(|mut out| out.flush()).map_err(|e| write_error("the end of the archive", &e))?;
    Ok(packed)
}

/// A depth-first walk in name order, as Go's `filepath.Walk` (which Docker's CLI uses).
struct Walk<'a, W: Write> {
    builder: tar::Builder<W>,
    packed: Packed,
    ignore: Option<&'a Matcher>,
    dockerfile: &'a Dockerfile,
    /// `!` patterns may bring back files under an excluded directory.
    descend_excluded: bool,
}

impl<W: Write> Walk<'_, W> {
    /// The Dockerfile and `.dockerignore` are sent even when `.dockerignore` names them: the
    /// daemon needs both (Docker's CLI adds `!` patterns for them).
    fn excluded(&self, rel: &str) -> bool {
        let keep = rel == ".dockerignore" || matches!(self.dockerfile, Dockerfile::Inside(p) if p == rel);
        !keep && self.ignore.is_some_and(|m| m.excludes(rel))
    }

    fn dir(&mut self, path: &Path, rel: &str) -> Result<(), String> {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                let message = format!("{}: the name is not UTF-8; left out of the context", entry.path().display());
                self.packed.warnings.push(message);
                continue;
            };
            let child = if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
            self.entry(&entry.path(), &child)?;
        }
        Ok(())
    }

    fn entry(&mut self, path: &Path, child: &str) -> Result<(), String> {
        let meta = path.symlink_metadata().map_err(|e| format!("{}: {e}", path.display()))?;
        let skip = self.excluded(child);
        let ft = meta.file_type();
        if ft.is_dir() {
            if skip && !self.descend_excluded {
                return Ok(());
            }
            if !skip {
                let mut header = header(&meta, EntryType::Directory, 0);
                self.builder
                    .append_data(&mut header, format!("{child}/"), io::empty())
                    .map_err(|e| write_error(child, &e))?;
                self.packed.entries += 1;
            }
            return self.dir(path, child);
        }
        if skip {
            return Ok(());
        }
        if ft.is_symlink() {
            // Kept as a link, never followed: a link out of the context stays a link.
            let target = std::fs::read_link(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut header = header(&meta, EntryType::Symlink, 0);
            self.builder.append_link(&mut header, child, &target).map_err(|e| write_error(child, &e))?;
        } else if ft.is_file() {
            let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut header = header(&meta, EntryType::Regular, meta.len());
            // A file that grows while it is read would corrupt the archive: send exactly the
            // size the header says (a file that shrinks fails the append).
            let mut reader = file.take(meta.len());
            self.builder.append_data(&mut header, child, &mut reader).map_err(|e| write_error(child, &e))?;
            self.packed.file_bytes += meta.len();
        } else {
            self.packed.warnings.push(format!(
                "{child}: not a file, directory or symlink (a socket, FIFO or device); left out of the context"
            ));
            return Ok(());
        }
        self.packed.entries += 1;
        Ok(())
    }
}

fn write_error(what: &str, e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::BrokenPipe {
        "the daemon stopped reading the context".to_string()
    } else {
        format!("cannot pack {what}: {e}")
    }
}

fn header(meta: &std::fs::Metadata, kind: EntryType, size: u64) -> Header {
    let mut header = Header::new_gnu();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(mode_of(meta));
    header.set_uid(0);
    header.set_gid(0);
    let mtime =
        meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs());
    header.set_mtime(mtime);
    header
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777
}

#[cfg(not(unix))]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    if meta.is_dir() { 0o755 } else { 0o644 }
}

/// Chunks of the archive, sent through a bounded channel as they fill.
pub(crate) struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
    sent: Arc<AtomicU64>,
}

/// The size of one chunk of the archive.
const CHUNK: usize = 256 * 1024;

impl ChunkWriter {
    /// A writer, and the stream of its chunks (at most `depth` waiting); `sent` counts bytes.
    pub(crate) fn new(
        depth: usize,
        sent: Arc<AtomicU64>,
    ) -> (Self, tokio::sync::mpsc::Receiver<Result<Bytes, io::Error>>) {
        let (tx, rx) = tokio::sync::mpsc::channel(depth);
        (Self { tx, buf: Vec::with_capacity(CHUNK), sent }, rx)
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        let len = chunk.len() as u64;
        self.tx.blocking_send(Ok(chunk)).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        self.sent.fetch_add(len, Ordering::Relaxed);
        Ok(())
    }

    /// Ends the stream with an error, so the request fails instead of sending a cut archive.
    pub(crate) fn fail(self, message: String) {
        let _ = self.tx.blocking_send(Err(io::Error::other(message)));
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let n = data.len().min(room);
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(tar_bytes: &[u8]) -> Vec<(String, EntryType, String)> {
        let mut archive = tar::Archive::new(tar_bytes);
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let link = e.link_name().unwrap().map(|l| l.display().to_string()).unwrap_or_default();
                (e.path().unwrap().display().to_string(), e.header().entry_type(), link)
            })
            .collect()
    }

    #[test]
    fn walks_in_order_keeps_symlinks_and_honours_dockerignore() {
        let dir = std::env::temp_dir().join(format!("stagecraft-pack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src/deep")).unwrap();
        std::fs::create_dir_all(dir.join("node_modules/x")).unwrap();
        std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(dir.join(".dockerignore"), "node_modules\n*.log\nDockerfile\n.dockerignore\n").unwrap();
        std::fs::write(dir.join("src/deep/a.txt"), "a").unwrap();
        std::fs::write(dir.join("debug.log"), "x").unwrap();
        std::fs::write(dir.join("node_modules/x/i.js"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("src/escape")).unwrap();
        let ignore = Matcher::parse(&std::fs::read_to_string(dir.join(".dockerignore")).unwrap()).unwrap();
        let mut out = Vec::new();
        let packed = pack(&dir, Some(&ignore), &Dockerfile::Inside("Dockerfile".into()), &mut out).unwrap();
        let found = entries(&out);
        let names: Vec<&str> = found.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(names, [".dockerignore", "Dockerfile", "src/", "src/deep/", "src/deep/a.txt", "src/escape"]);
        assert_eq!(found[5].1, EntryType::Symlink);
        assert_eq!(found[5].2, "/etc/passwd");
        assert_eq!(packed.entries, 6);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_dockerfile_outside_the_context_is_added_under_a_generated_name() {
        let dir = std::env::temp_dir().join(format!("stagecraft-pack-extra-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dockerfile = Dockerfile::locate(&dir, Path::new("-"), b"FROM scratch\n");
        assert!(dockerfile.name().starts_with(".dockerfile."), "{}", dockerfile.name());
        let mut out = Vec::new();
        pack(&dir, None, &dockerfile, &mut out).unwrap();
        assert_eq!(entries(&out)[0].0, dockerfile.name());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn chunks_are_bounded_and_counted() {
        let sent = Arc::new(AtomicU64::new(0));
        let (mut writer, mut rx) = ChunkWriter::new(2, sent.clone());
        let reader = std::thread::spawn(move || {
            let mut total = 0;
            while let Some(chunk) = rx.blocking_recv() {
                let chunk = chunk.unwrap();
                assert!(chunk.len() <= CHUNK);
                total += chunk.len();
            }
            total
        });
        writer.write_all(&vec![7u8; CHUNK * 3 + 5]).unwrap();
        writer.flush().unwrap();
        drop(writer);
        assert_eq!(reader.join().unwrap(), CHUNK * 3 + 5);
        assert_eq!(sent.load(Ordering::Relaxed), (CHUNK * 3 + 5) as u64);
    }
}
