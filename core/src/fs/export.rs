//! A snapshot as a tar archive, like `docker export`: every entry with its mode, owner and
//! type, hard links as tar links, timestamps at zero (they are not modelled).
//!
//! Synthetic content (known only by size and identity) cannot be written as its bytes: such a
//! file holds a one-line note instead, and PAX records `STAGECRAFT.synthetic.size` and
//! `STAGECRAFT.synthetic.id` keep what is known, so a reader can tell.

use std::collections::BTreeMap;

use super::{Content, Node, Snapshot};

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
    let mut links: BTreeMap<u64, String> = BTreeMap::new();
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
                if let Some(first) = link.and_then(|l| links.get(&l)) {
                    let mut h = header(tar::EntryType::Link, meta.mode, meta.uid, meta.gid, 0);
                    builder.append_link(&mut h, &name, first.as_str())
                } else {
                    if let Some(l) = link {
                        links.insert(*l, name.clone());
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
