//! The difference between two snapshots, as a layer: what was added, modified and deleted
//! (whiteouts), and which directories became opaque (everything they held was deleted). Every
//! subtree the two snapshots share is skipped, so a diff costs what the layer changed; a
//! directory added whole is one change that holds the subtree (shared, not copied), so a layer
//! that grafts 100,000 files costs one entry.

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
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    /// The entry's type after the change (before it, for a deletion).
    pub entry: EntryKind,
    /// Bytes the layer carries for it: a regular file's size, or the files of an added
    /// directory; 0 for a deletion.
    pub size: u64,
    /// How many paths the change stands for: 1, or every entry of an added directory.
    pub entries: usize,
    /// An added directory, whole (its paths are listed by [`Layer::paths`]).
    #[serde(skip)]
    pub subtree: Option<Entry>,
}

impl Change {
    fn single(path: String, kind: ChangeKind, entry: EntryKind, size: u64) -> Self {
        Self { path, kind, entry, size, entries: 1, subtree: None }
    }

    /// A new entry as one change: a directory keeps its subtree (counted, not listed).
    fn added(path: String, entry: &Entry) -> Self {
        if !entry.is_dir() {
            return Self::single(path, ChangeKind::Added, entry.kind(), entry.size());
        }
        let (mut entries, mut size) = (0usize, 0u64);
        let mut stack = vec![entry.clone()];
        while let Some(e) = stack.pop() {
            entries += 1;
            size += e.size();
            if let Some(dir) = e.as_dir() {
                stack.extend(dir.iter().map(|(_, c)| c.clone()));
            }
        }
        Self { path, kind: ChangeKind::Added, entry: EntryKind::Dir, size, entries, subtree: Some(entry.clone()) }
    }
}

/// A layer: the changes from one snapshot to the next, in path order.
#[derive(Clone, Debug, Default, Serialize)]
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

    /// How many paths changed in a way.
    #[must_use]
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).map(|c| c.entries).sum()
    }

    /// Every changed path with its kind, added directories expanded, in path order.
    #[must_use]
    pub fn paths(&self) -> Vec<(String, ChangeKind)> {
        let mut out = Vec::new();
        for c in &self.changes {
            match &c.subtree {
                Some(entry) => {
                    let mut stack = vec![(c.path.clone(), entry.clone())];
                    while let Some((p, e)) = stack.pop() {
                        if let Some(dir) = e.as_dir() {
                            stack.extend(dir.iter().map(|(n, child)| (child_path(&p, n), child.clone())));
                        }
                        out.push((p, ChangeKind::Added));
                    }
                }
                None => out.push((c.path.clone(), c.kind)),
            }
        }
        crate::sort::sort_by(&mut out, |a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        out
    }
}

fn child_path(parent: &str, name: &Name) -> String {
    if parent == "/" { format!("/{name}") } else { format!("{parent}/{name}") }
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
                layer.changes.push(Change::single(child_path(&path, name), ChangeKind::Deleted, old_child.kind(), 0));
            }
        }
        if deleted_here > 0 && deleted_here == old_dir.len() && !new_dir.is_empty() {
            layer.opaque.push(path.clone());
        }
        for (name, new_child) in new_dir.iter() {
            let p = child_path(&path, name);
            match old_dir.get(name) {
                None => layer.changes.push(Change::added(p, new_child)),
                Some(old_child) if old_child.same(new_child) => {}
                Some(old_child) => match (&old_child.node, &new_child.node) {
                    (Node::Dir(_), Node::Dir(_)) => {
                        if old_child.meta != new_child.meta {
                            layer.changes.push(Change::single(p.clone(), ChangeKind::Modified, EntryKind::Dir, 0));
                        }
                        stack.push((p, old_child.clone(), new_child.clone()));
                    }
                    (_, Node::Dir(_)) | (Node::Dir(_), _) => {
                        // A type change: the old entry goes, the new one comes.
                        layer.changes.push(Change::single(p.clone(), ChangeKind::Deleted, old_child.kind(), 0));
                        layer.changes.push(Change::added(p, new_child));
                    }
                    _ => {
                        layer.changes.push(Change::single(p, ChangeKind::Modified, new_child.kind(), new_child.size()));
                    }
                },
            }
        }
    }
    crate::sort::sort_by(&mut layer.changes, |a, b| a.path.cmp(&b.path).then(b.kind.cmp(&a.kind)));
    crate::sort::sort(&mut layer.opaque);
    layer
}
