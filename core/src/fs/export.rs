//! A snapshot as a tar archive, like `docker export`: every entry with its mode, owner and
//! type, hard links as tar links, timestamps at zero (they are not modelled).
//!
//! Synthetic content (known only by size and identity) cannot be written as its bytes: such a
//! file holds a one-line note instead, and PAX records `STAGECRAFT.synthetic.size` and
//! `STAGECRAFT.synthetic.id` keep what is known, so a reader can tell.

use std::collections::BTreeMap;

use super::{Content, Node, Snapshot};

/// Paths a container runtime puts into every container (`docker export` of a container has
/// them; the image does not): the bind-mounted `/etc/hosts`, `/etc/hostname`,
/// `/etc/resolv.conf`, `/.dockerenv`, `/etc/mtab`, and `/dev`, `/proc`, `/sys` with all below.
#[must_use]
pub fn runtime_path(path: &str) -> bool {
    matches!(path, "/.dockerenv" | "/etc/hosts" | "/etc/hostname" | "/etc/resolv.conf" | "/etc/mtab")
        || ["/dev", "/proc", "/sys"]
            .iter()
            .any(|p| path.strip_prefix(p).is_some_and(|r| r.is_empty() || r.starts_with('/')))
}

/// One path of a filesystem as an image comparison sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathFacts {
    /// `dir`, `file` or `symlink` (a hard link is the file it names).
    pub kind: &'static str,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// A file's sha256 when its bytes are known (its synthetic id otherwise), a symlink's
    /// target, empty for a directory.
    pub data: String,
    pub size: u64,
}

/// Every path of `snapshot` but the root and the runtime's ([`runtime_path`]), described for
/// comparing with a real image (`stagecraft build --verify`, the daemon differential tests).
#[must_use]
pub fn path_facts(snapshot: &Snapshot) -> BTreeMap<String, PathFacts> {
    snapshot
        .walk("/")
        .into_iter()
        .filter(|(path, _)| path != "/" && !runtime_path(path))
        .map(|(path, entry)| {
            let (kind, data) = match &entry.node {
                Node::Dir(_) => ("dir", String::new()),
                Node::Symlink(t) => ("symlink", t.to_string()),
                Node::File { content: Content::Bytes(b), .. } => ("file", crate::report::sim::sha256_hex(b)),
                Node::File { content: Content::Synthetic { id, .. }, .. } => ("file", id.to_string()),
            };
            let m = entry.meta;
            (path, PathFacts { kind, mode: m.mode, uid: m.uid, gid: m.gid, data, size: entry.size() })
        })
        .collect()
}

fn header(kind: tar::EntryType, mode: u32, uid: u32, gid: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(u64::from(uid));
    h.set_gid(u64::from(gid));
    h.set_size(size);
    h.set_mtime(0);
    h
}

/// The tar archive of the tree under `path` (`/` for the whole root), paths relative to it.
///
/// # Errors
/// Only if tar cannot represent an entry (a name too long even for a PAX header).
pub fn to_tar(snapshot: &Snapshot, path: &str) -> Result<Vec<u8>, String> {
    let entries = snapshot.walk(path);
    let base = entries.first().map(|(p, _)| p.clone()).unwrap_or_default();
    let mut builder = tar::Builder::new(Vec::new());
    // A hard link's first path, by the link's id written out (the map type the reports use:
    // no other copy of its code in the browser build).
    let mut links: BTreeMap<String, String> = BTreeMap::new();
    for (full, entry) in &entries {
        let rel = full.strip_prefix(base.as_str()).unwrap_or(full).trim_start_matches('/');
        let (name, is_root) = if rel.is_empty() { ("./".to_string(), true) } else { (rel.to_string(), false) };
        let meta = entry.meta;
        let result = match &entry.node {
            Node::Dir(_) => {
                let mut h = header(tar::EntryType::Directory, meta.mode, meta.uid, meta.gid, 0);
                let dir_name = if is_root { name.clone() } else { format!("{name}/") };
                builder.append_data(&mut h, dir_name, std::io::empty())
            }
            Node::Symlink(target) => {
                let mut h = header(tar::EntryType::Symlink, meta.mode, meta.uid, meta.gid, 0);
                builder.append_link(&mut h, &name, target.as_ref())
            }
            Node::File { content, link } => {
                if let Some(first) = link.and_then(|l| links.get(&l.to_string())) {
                    let mut h = header(tar::EntryType::Link, meta.mode, meta.uid, meta.gid, 0);
                    builder.append_link(&mut h, &name, first.as_str())
                } else {
                    if let Some(l) = link {
                        links.insert(l.to_string(), name.clone());
                    }
                    match content {
                        Content::Bytes(bytes) => {
                            let mut h =
                                header(tar::EntryType::Regular, meta.mode, meta.uid, meta.gid, bytes.len() as u64);
                            builder.append_data(&mut h, &name, bytes.as_ref())
                        }
                        Content::Synthetic { size, id } => {
                            let note = format!("stagecraft: synthetic content, {size} bytes ({id})\n");
                            let size_text = size.to_string();
                            let pax: [(&str, &[u8]); 2] = [
                                ("STAGECRAFT.synthetic.size", size_text.as_bytes()),
                                ("STAGECRAFT.synthetic.id", id.as_bytes()),
                            ];
                            builder.append_pax_extensions(pax).map_err(|e| e.to_string())?;
                            let mut h =
                                header(tar::EntryType::Regular, meta.mode, meta.uid, meta.gid, note.len() as u64);
                            builder.append_data(&mut h, &name, note.as_bytes())
                        }
                    }
                }
            }
        };
        result.map_err(|e| format!("{full}: {e}"))?;
    }
    builder.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod runtime_tests {
    use super::*;
    use crate::fs::{Entry, Meta};

    #[test]
    fn runtime_paths_are_left_out_of_the_facts() {
        assert!(runtime_path("/etc/hosts") && runtime_path("/proc/1") && runtime_path("/dev"));
        assert!(!runtime_path("/devices") && !runtime_path("/etc/passwd") && !runtime_path("/"));
        let mut snap = Snapshot::new();
        snap.mkdir_all("/etc", Meta::DIR).expect("etc");
        snap.insert("/etc/hosts", Entry::file(Content::bytes(b"x".to_vec()), Meta::new(0o644, 0, 0))).expect("hosts");
        snap.insert("/app", Entry::file(Content::bytes(b"hi\n".to_vec()), Meta::new(0o600, 1, 2))).expect("app");
        snap.insert("/ln", Entry::symlink("/app", Meta::new(0o777, 0, 0))).expect("ln");
        let facts = path_facts(&snap);
        let paths: Vec<&str> = facts.keys().map(String::as_str).collect();
        assert_eq!(paths, ["/app", "/etc", "/ln"]);
        let app = &facts["/app"];
        assert_eq!((app.kind, app.mode, app.uid, app.gid, app.size), ("file", 0o600, 1, 2, 3));
        assert_eq!(app.data, crate::report::sim::sha256_hex(b"hi\n"));
        assert_eq!((facts["/ln"].kind, facts["/ln"].data.as_str()), ("symlink", "/app"));
    }
}
