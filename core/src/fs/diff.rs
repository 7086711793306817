//! The difference between two snapshots, as a layer: what was added, modified and deleted
//! (whiteouts), and which directories became opaque (everything they held was deleted). Every
//! subtree the two snapshots share is skipped, so a diff costs what the layer changed.

use serde::Serialize;

use super::{Entry, EntryKind, Name, Node, Snapshot, join};

/// What happened to a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One changed path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    /// The entry's type after the change (before it, for a deletion).
    pub entry: EntryKind,
    /// Bytes the layer carries for it (a regular file's size; 0 for a deletion).
    pub size: u64,
}

/// A layer: the changes from one snapshot to the next, in path order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub changes: Vec<Change>,
    /// Directories whose earlier content is wholly replaced (an opaque whiteout).
    pub opaque: Vec<String>,
}

impl Layer {
    /// Bytes the layer adds: its added and modified regular files.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.changes.iter().map(|c| c.size).sum()
    }

    /// How many changes of a kind.
    #[must_use]
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
}

fn child_path(parent: &str, name: &Name) -> String {
    if parent == "/" { format!("/{name}") } else { format!("{parent}/{name}") }
}

/// Everything under (and including) a new entry, as additions.
fn added(path: String, entry: &Entry, out: &mut Vec<Change>) {
    let mut stack = vec![(path, entry.clone())];
    while let Some((p, e)) = stack.pop() {
        if let Some(dir) = e.as_dir() {
            stack.extend(dir.iter().map(|(n, c)| (child_path(&p, n), c.clone())));
        }
        out.push(Change { path: p, kind: ChangeKind::Added, entry: e.kind(), size: e.size() });
    }
}

/// The changes from `before` to `after`.
#[must_use]
pub fn diff(before: &Snapshot, after: &Snapshot) -> Layer {
    let mut layer = Layer::default();
    // Pairs of directories (same path in both) whose contents differ.
    let mut stack: Vec<(String, Entry, Entry)> = vec![(join(&[]), before.root.clone(), after.root.clone())];
    while let Some((path, old, new)) = stack.pop() {
        let (Some(old_dir), Some(new_dir)) = (old.as_dir(), new.as_dir()) else { continue };
        let mut deleted_here = 0usize;
        for (name, old_child) in old_dir.iter() {
            if new_dir.get(name).is_none() {
                deleted_here += 1;
                layer.changes.push(Change {
                    path: child_path(&path, name),
                    kind: ChangeKind::Deleted,
                    entry: old_child.kind(),
                    size: 0,
                });
            }
        }
        if deleted_here > 0 && deleted_here == old_dir.len() && !new_dir.is_empty() {
            layer.opaque.push(path.clone());
        }
        for (name, new_child) in new_dir.iter() {
            let p = child_path(&path, name);
            match old_dir.get(name) {
                None => added(p, new_child, &mut layer.changes),
                Some(old_child) if old_child.same(new_child) => {}
                Some(old_child) => match (&old_child.node, &new_child.node) {
                    (Node::Dir(_), Node::Dir(_)) => {
                        if old_child.meta != new_child.meta {
                            layer.changes.push(Change {
                                path: p.clone(),
                                kind: ChangeKind::Modified,
                                entry: EntryKind::Dir,
                                size: 0,
                            });
                        }
                        stack.push((p, old_child.clone(), new_child.clone()));
                    }
                    (_, Node::Dir(_)) | (Node::Dir(_), _) => {
                        // A type change: the old entry goes, the new one comes.
                        layer.changes.push(Change {
                            path: p.clone(),
                            kind: ChangeKind::Deleted,
                            entry: old_child.kind(),
                            size: 0,
                        });
                        added(p, new_child, &mut layer.changes);
                    }
                    _ => layer.changes.push(Change {
                        path: p,
                        kind: ChangeKind::Modified,
                        entry: new_child.kind(),
                        size: new_child.size(),
                    }),
                },
            }
        }
    }
    layer.changes.sort_by(|a, b| a.path.cmp(&b.path).then(b.kind.cmp(&a.kind)));
    layer.opaque.sort();
    layer
}
