//! ADD's local archives: a tar file (plain, gzip, bzip2 or xz, detected by its first bytes as
//! Docker detects them) is extracted into the destination instead of copied.
//!
//! Entries keep their mode and owner (unless `--chown`), symlinks stay symlinks, hard links
//! share their file. An entry whose path leaves the destination (`..`) is an error, as Docker's
//! `Untar` refuses a breakout; absolute paths are taken relative to the destination. Limits
//! keep a hostile archive from exhausting memory: at most [`MAX_BYTES`] extracted and
//! [`MAX_ENTRIES`] entries.

use std::io::Read;

use super::{Content, Entry, Meta, Node, Snapshot};

/// The most bytes one archive may extract in the simulation.
pub const MAX_BYTES: u64 = 512 * 1024 * 1024;
/// The most entries one archive may hold.
pub const MAX_ENTRIES: usize = 1_000_000;

/// How an archive is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
}

/// Docker's `DetectCompression`, plus a check that an uncompressed file really is a tar.
#[must_use]
pub fn detect(bytes: &[u8]) -> Option<Compression> {
    if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
        return Some(Compression::Gzip);
    }
    if bytes.starts_with(b"BZh") {
        return Some(Compression::Bzip2);
    }
    if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        return Some(Compression::Xz);
    }
    // A tar header: the checksum field must match the header's bytes.
    if bytes.len() >= 512 && is_tar_header(&bytes[..512]) {
        return Some(Compression::None);
    }
    None
}

fn is_tar_header(h: &[u8]) -> bool {
    let field = &h[148..156];
    let text: String = field.iter().take_while(|&&b| b != 0 && b != b' ').map(|&b| b as char).collect();
    let Ok(stored) = u32::from_str_radix(text.trim(), 8) else { return false };
    let sum: u32 =
        h.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { u32::from(b' ') } else { u32::from(b) }).sum();
    sum == stored
}

fn decompress(bytes: &[u8], compression: Compression) -> Result<Vec<u8>, String> {
    let limit = MAX_BYTES + 1024 * 1024;
    let out = match compression {
        Compression::None => bytes.to_vec(),
        Compression::Gzip => {
            super::gzip::decode(bytes, usize::try_from(limit).unwrap_or(usize::MAX)).map_err(|e| match e {
                super::gzip::Error::TooLarge => too_large(),
                e => e.to_string(),
            })?
        }
        #[cfg(feature = "archive-bzip2")]
        Compression::Bzip2 => {
            let mut out = Vec::new();
            bzip2::read::MultiBzDecoder::new(bytes).take(limit + 1).read_to_end(&mut out).map_err(|e| e.to_string())?;
            out
        }
        #[cfg(feature = "archive-xz")]
        Compression::Xz => {
            let mut out = Vec::new();
            let mut reader = std::io::BufReader::new(bytes);
            lzma_rs::xz_decompress(&mut reader, &mut out).map_err(|e| format!("xz: {e}"))?;
            out
        }
        #[allow(unreachable_patterns)]
        other => {
            let name = if other == Compression::Bzip2 { "bzip2" } else { "xz" };
            return Err(format!(
                "a {name} archive: this build leaves the {name} decoder out (the browser playground, to stay small); `stagecraft simulate` extracts it"
            ));
        }
    };
    if out.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(out)
}

fn too_large() -> String {
    format!("the archive expands to more than {} MiB", MAX_BYTES / 1024 / 1024)
}

/// The path of an archive entry inside the destination, or `None` when it leaves it.
fn inside(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Extracts the archive `bytes` into `to` under `dest` (a directory, created when missing).
/// Returns how many entries were extracted.
///
/// # Errors
/// A corrupt archive, an entry that leaves the destination, or one past the limits.
pub fn unpack(bytes: &[u8], to: &mut Snapshot, dest: &str, chown: Option<(u32, u32)>) -> Result<usize, String> {
    let compression = detect(bytes).ok_or("not an archive")?;
    let data = decompress(bytes, compression)?;
    let dest = dest.trim_end_matches('/');
    let dest = if dest.is_empty() { "/" } else { dest };
    to.mkdir_all(dest, Meta::new(0o755, chown.map_or(0, |c| c.0), chown.map_or(0, |c| c.1)))
        .map_err(|e| e.to_string())?;
    let mut archive = tar::Archive::new(data.as_slice());
    let mut count = 0usize;
    let mut total = 0u64;
    // Hard links by path (the map type the planner uses: no other copy of its code).
    let mut links: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut next_link = 1u64;
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| format!("corrupt archive: {e}"))?;
        count += 1;
        if count > MAX_ENTRIES {
            return Err(format!("the archive has more than {MAX_ENTRIES} entries"));
        }
        let raw = entry.path().map_err(|e| e.to_string())?.to_string_lossy().into_owned();
        let rel = inside(&raw).ok_or_else(|| format!("{raw}: the entry leaves the destination (..)"))?;
        if rel.is_empty() {
            continue;
        }
        let path = if dest == "/" { format!("/{rel}") } else { format!("{dest}/{rel}") };
        let header = entry.header();
        let mode = header.mode().unwrap_or(0o644) & 0o7777;
        let (uid, gid) = chown.unwrap_or((
            u32::try_from(header.uid().unwrap_or(0)).unwrap_or(0),
            u32::try_from(header.gid().unwrap_or(0)).unwrap_or(0),
        ));
        let meta = Meta::new(mode, uid, gid);
        let parent = path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        to.mkdir_all(parent, Meta::new(0o755, chown.map_or(0, |c| c.0), chown.map_or(0, |c| c.1)))
            .map_err(|e| format!("{rel}: {e}"))?;
        let kind = header.entry_type();
        let new = if kind.is_dir() {
            match to.lstat(&path) {
                Some(existing) if existing.is_dir() => Entry { meta, ..existing },
                _ => Entry::dir(meta),
            }
        } else if kind.is_symlink() {
            let target = entry
                .link_name()
                .map_err(|e| e.to_string())?
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            Entry::symlink(target, meta)
        } else if kind.is_hard_link() {
            let target = entry
                .link_name()
                .map_err(|e| e.to_string())?
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            let target_rel =
                inside(&target).ok_or_else(|| format!("{raw}: a hard link that leaves the destination"))?;
            let target_path = if dest == "/" { format!("/{target_rel}") } else { format!("{dest}/{target_rel}") };
            let linked = to.lstat(&target_path).ok_or_else(|| format!("{raw}: hard link to missing {target}"))?;
            let Node::File { content, link } = linked.node else {
                return Err(format!("{raw}: hard link to {target}, not a file"));
            };
            let id = link.or_else(|| links.get(&target_path).map(|&id| id as u64)).unwrap_or_else(|| {
                next_link += 1;
                next_link
            });
            links.insert(target_path.clone(), usize::try_from(id).unwrap_or(usize::MAX));
            let shared = Node::File { content: content.clone(), link: Some(id) };
            to.insert(&target_path, Entry { node: shared, meta: linked.meta }).map_err(|e| e.to_string())?;
            Entry { node: Node::File { content, link: Some(id) }, meta }
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            let size = entry.size();
            total += size;
            if total > MAX_BYTES {
                return Err(format!("the archive expands to more than {} MiB", MAX_BYTES / 1024 / 1024));
            }
            let mut body = Vec::with_capacity(usize::try_from(size.min(64 * 1024 * 1024)).unwrap_or(0));
            entry.read_to_end(&mut body).map_err(|e| format!("{raw}: {e}"))?;
            Entry::file(Content::bytes(body), meta)
        } else {
            // Devices, fifos and PAX metadata entries are not files of the image here.
            continue;
        };
        if to.lstat(&path).is_some_and(|e| e.is_dir()) && !new.is_dir() {
            to.remove(&path).map_err(|e| e.to_string())?;
        }
        to.insert(&path, new).map_err(|e| format!("{rel}: {e}"))?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(entries: &[(&str, &[u8], u32)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, body, mode) in entries {
            let mut h = tar::Header::new_gnu();
            // Raw name bytes: the builder would refuse a hostile `..` path.
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_size(body.len() as u64);
            h.set_mode(*mode);
            h.set_uid(1000);
            h.set_gid(1000);
            h.set_entry_type(tar::EntryType::Regular);
            h.set_cksum();
            b.append(&h, *body).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn archives_are_detected_and_extracted() {
        let plain = tar_of(&[("app/bin/tool", b"#!/bin/sh\n", 0o755), ("app/README", b"hi\n", 0o644)]);
        assert_eq!(detect(&plain), Some(Compression::None));
        assert_eq!(detect(b"just text, not an archive, long enough? no"), None);
        let mut gz = Vec::new();
        {
            use std::io::Write as _;
            let mut enc = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::fast());
            enc.write_all(&plain).unwrap();
            enc.finish().unwrap();
        }
        assert_eq!(detect(&gz), Some(Compression::Gzip));
        let mut s = Snapshot::new();
        assert_eq!(unpack(&gz, &mut s, "/opt/", None).unwrap(), 2);
        let tool = s.stat("/opt/app/bin/tool").unwrap();
        assert_eq!((tool.meta.mode, tool.meta.uid, tool.size()), (0o755, 1000, 10));
        let mut owned = Snapshot::new();
        unpack(&plain, &mut owned, "/x", Some((0, 0))).unwrap();
        assert_eq!(owned.stat("/x/app/README").unwrap().meta.uid, 0);
    }

    #[test]
    fn hostile_archives_are_refused() {
        let escape = tar_of(&[("../../etc/passwd", b"root::0:0\n", 0o644)]);
        let mut s = Snapshot::new();
        assert!(unpack(&escape, &mut s, "/opt", None).unwrap_err().contains("leaves the destination"));
        assert!(s.stat("/etc/passwd").is_none());
        let absolute = tar_of(&[("/etc/motd", b"hi\n", 0o644)]);
        unpack(&absolute, &mut s, "/opt", None).unwrap();
        assert!(s.stat("/opt/etc/motd").is_some(), "absolute paths are taken inside the destination");
        // A header that claims a huge size with no data behind it is corrupt, not a hang.
        let mut h = tar::Header::new_gnu();
        h.set_path("big").unwrap();
        h.set_size(1 << 40);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        let mut lying = h.as_bytes().to_vec();
        lying.extend_from_slice(&[0u8; 1024]);
        assert!(unpack(&lying, &mut Snapshot::new(), "/x", None).is_err());
        assert!(unpack(&[0x1f, 0x8b, 0x08, 0, 0, 0], &mut Snapshot::new(), "/x", None).is_err());
    }
}
