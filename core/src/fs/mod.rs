//! The layered filesystem: snapshots are persistent trees with structural sharing, so that a
//! layer costs memory in proportion to what it changed, never to the size of the tree, and a
//! stage built FROM another (or a `COPY --from` of a whole directory) shares the tree instead
//! of copying it.
//!
//! - [`Snapshot`]: a root directory. Cloning one is O(1); changing a path copies only the
//!   directories on that path (each directory's children are a persistent map).
//! - Paths are resolved inside the root as in a container ([`Snapshot::resolve`]): `..` stops
//!   at `/`, symlinks (absolute ones from the root, relative ones from their directory, chains)
//!   are followed up to Linux's 40, and a loop is an error, not a hang.
//! - [`diff`] compares two snapshots into a layer (added, modified, deleted, opaque
//!   directories), skipping every subtree the two share; [`export`] writes a snapshot as a tar
//!   archive, like `docker export`.
//!
//! Timestamps are not modelled.

pub mod archive;
pub mod copy;
mod diff;
mod export;
pub mod gzip;

use std::sync::Arc;

use serde::Serialize;

pub use diff::{Change, ChangeKind, Layer, diff};
pub use export::{PathFacts, path_facts, runtime_path, to_tar};

/// Linux follows at most this many symlinks while resolving one path (`MAXSYMLINKS`).
pub const MAX_SYMLINKS: usize = 40;

/// Linux's `PATH_MAX`: a longer path is refused, which also bounds every walk's depth.
pub const MAX_PATH: usize = 4096;

/// A name inside a directory (never empty, never `.` or `..`, never containing `/`).
pub type Name = Arc<str>;

/// What a regular file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Content {
    /// The real bytes (context files, heredocs, files a command wrote).
    Bytes(#[serde(skip)] Arc<[u8]>),
    /// Known only by size and an identity (base-image files, tool models): two synthetic files
    /// with the same identity have the same bytes.
    Synthetic { size: u64, id: Arc<str> },
}

impl Content {
    #[must_use]
    pub fn bytes(data: impl Into<Arc<[u8]>>) -> Self {
        Self::Bytes(data.into())
    }

    #[must_use]
    pub fn synthetic(size: u64, id: impl Into<Arc<str>>) -> Self {
        Self::Synthetic { size, id: id.into() }
    }

    #[must_use]
    pub fn size(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::Synthetic { size, .. } => *size,
        }
    }

    /// The bytes, when they are known.
    #[must_use]
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            Self::Synthetic { .. } => None,
        }
    }
}

/// Permissions (with setuid, setgid and sticky) and ownership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Meta {
    /// `0o7777` bits; the file type is the node's.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

impl Meta {
    #[must_use]
    pub const fn new(mode: u32, uid: u32, gid: u32) -> Self {
        Self { mode: mode & 0o7777, uid, gid }
    }

    /// `0755`, root: a directory as BuildKit creates it.
    pub const DIR: Self = Self::new(0o755, 0, 0);
    /// `0644`, root.
    pub const FILE: Self = Self::new(0o644, 0, 0);
    /// `0777`, root: symlinks carry no meaningful mode.
    pub const SYMLINK: Self = Self::new(0o777, 0, 0);
}

/// A directory's children, shared between snapshots until one of them changes. It also
/// knows the bytes of the regular files under it, so a snapshot's size costs nothing to ask:
/// `bytes` for files without a hard-link id, `linked` (id -> size) for hard-linked ones, which
/// count once however many names they have.
#[derive(Clone, Debug, Default)]
pub struct DirNode {
    children: rpds::RedBlackTreeMapSync<Name, Entry>,
    bytes: u64,
    linked: rpds::RedBlackTreeMapSync<u64, u64>,
}

/// What an entry adds to its directory's totals: plain bytes, and whether it holds hard links.
fn contribution(entry: &Entry) -> (u64, bool) {
    match &entry.node {
        Node::File { content, link: None } => (content.size(), false),
        Node::File { link: Some(_), .. } => (0, true),
        Node::Dir(d) => (d.bytes, !d.linked.is_empty()),
        Node::Symlink(_) => (0, false),
    }
}

/// Adds the hard-linked files `entry` holds to `linked`.
fn add_links(linked: &mut rpds::RedBlackTreeMapSync<u64, u64>, entry: &Entry) {
    match &entry.node {
        Node::File { content, link: Some(id) } => linked.insert_mut(*id, content.size()),
        Node::Dir(d) => {
            for (id, size) in &d.linked {
                linked.insert_mut(*id, *size);
            }
        }
        _ => {}
    }
}

impl DirNode {
    /// The directory with `name` replaced by `entry` (or removed), totals kept up to date
    /// without visiting the other children (unless a hard-linked file leaves).
    fn with(&self, name: &Name, entry: Option<Entry>) -> Self {
        let (old_bytes, old_links) = self.children.get(name).map_or((0, false), contribution);
        let (new_bytes, new_links) = entry.as_ref().map_or((0, false), contribution);
        let bytes = self.bytes - old_bytes + new_bytes;
        // When a hard-linked file leaves, another name may still hold it: count again from
        // the children below; otherwise add what arrives.
        let mut linked = (!old_links).then(|| self.linked.clone());
        if let (Some(linked), Some(e), true) = (linked.as_mut(), entry.as_ref(), new_links) {
            add_links(linked, e);
        }
        let children = match entry {
            Some(e) => self.children.insert(name.clone(), e),
            None => self.children.remove(name),
        };
        let linked = linked.unwrap_or_else(|| {
            let mut linked = rpds::RedBlackTreeMapSync::new_sync();
            for (_, child) in &children {
                add_links(&mut linked, child);
            }
            linked
        });
        Self { children, bytes, linked }
    }

    /// Bytes of the regular files under this directory (each hard-linked file once).
    #[must_use]
    pub fn total_size(&self) -> u64 {
        self.bytes + self.linked.values().sum::<u64>()
    }
    /// The children in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Entry)> {
        self.children.iter()
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.children.get(name)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.children.size()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

/// What a directory entry is.
#[derive(Clone, Debug)]
pub enum Node {
    Dir(Arc<DirNode>),
    File {
        content: Content,
        /// Entries with the same id are hard links to one file (as tar archives bring them).
        link: Option<u64>,
    },
    Symlink(Arc<str>),
}

/// One directory entry: a node and its metadata.
#[derive(Clone, Debug)]
pub struct Entry {
    pub node: Node,
    pub meta: Meta,
}

impl Entry {
    #[must_use]
    pub fn dir(meta: Meta) -> Self {
        Self { node: Node::Dir(Arc::default()), meta }
    }

    #[must_use]
    pub fn file(content: Content, meta: Meta) -> Self {
        Self { node: Node::File { content, link: None }, meta }
    }

    #[must_use]
    pub fn symlink(target: impl Into<Arc<str>>, meta: Meta) -> Self {
        Self { node: Node::Symlink(target.into()), meta }
    }

    #[must_use]
    pub fn is_dir(&self) -> bool {
        matches!(self.node, Node::Dir(_))
    }

    #[must_use]
    pub fn as_dir(&self) -> Option<&DirNode> {
        match &self.node {
            Node::Dir(d) => Some(d),
            _ => None,
        }
    }

    /// The bytes a regular file holds (directories and symlinks have none).
    #[must_use]
    pub fn size(&self) -> u64 {
        match &self.node {
            Node::File { content, .. } => content.size(),
            _ => 0,
        }
    }

    /// The same entry, by identity: an unchanged subtree shared by two snapshots.
    #[must_use]
    pub fn same(&self, other: &Self) -> bool {
        self.meta == other.meta
            && match (&self.node, &other.node) {
                (Node::Dir(a), Node::Dir(b)) => Arc::ptr_eq(a, b),
                (Node::File { content: a, link: la }, Node::File { content: b, link: lb }) => a == b && la == lb,
                (Node::Symlink(a), Node::Symlink(b)) => a == b,
                _ => false,
            }
    }

    /// The type as `ls -l` and tar show it.
    #[must_use]
    pub fn kind(&self) -> EntryKind {
        match self.node {
            Node::Dir(_) => EntryKind::Dir,
            Node::File { .. } => EntryKind::File,
            Node::Symlink(_) => EntryKind::Symlink,
        }
    }
}

/// The type of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
}

/// Why a path operation failed, in the words Linux (and so a build) uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsError {
    /// `ENOENT`: a component is missing.
    NotFound(String),
    /// `ENOTDIR`: a component that must be a directory is not one.
    NotADirectory(String),
    /// `ELOOP`: more than [`MAX_SYMLINKS`] symlinks.
    Loop(String),
    /// `EISDIR`.
    IsADirectory(String),
    /// `ENAMETOOLONG`.
    NameTooLong,
    /// `EINVAL`: the root itself cannot be replaced or removed.
    Root,
}

impl std::fmt::Display for FsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound(p) => write!(f, "{p}: no such file or directory"),
            Self::NotADirectory(p) => write!(f, "{p}: not a directory"),
            Self::Loop(p) => write!(f, "{p}: too many levels of symbolic links"),
            Self::IsADirectory(p) => write!(f, "{p}: is a directory"),
            Self::NameTooLong => f.write_str("file name too long"),
            Self::Root => f.write_str("the root directory cannot be replaced"),
        }
    }
}

impl std::error::Error for FsError {}

/// A path resolved inside the root.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The canonical path, symlinks and `..` resolved: the components from the root.
    pub components: Vec<Name>,
    /// The entry there; `None` when only the last component is missing (its parent exists
    /// and is a directory).
    pub entry: Option<Entry>,
}

impl Resolved {
    /// The canonical path as text (`/` for the root).
    #[must_use]
    pub fn path(&self) -> String {
        join(&self.components)
    }
}

/// Components as an absolute path.
#[must_use]
pub fn join(components: &[Name]) -> String {
    if components.is_empty() {
        return "/".into();
    }
    let mut out = String::new();
    for c in components {
        out.push('/');
        out.push_str(c);
    }
    out
}

/// The components of a path, without empty and `.` parts (`..` is kept: only resolution can
/// say what it means, since a symlink may come before it).
fn split(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".")
}

/// A root filesystem.
#[derive(Clone, Debug)]
pub struct Snapshot {
    root: Entry,
}

impl Default for Snapshot {
    fn default() -> Self {
        Self::new()
    }
}

impl Snapshot {
    /// An empty root (`scratch`).
    #[must_use]
    pub fn new() -> Self {
        Self { root: Entry::dir(Meta::DIR) }
    }

    /// The root directory entry.
    #[must_use]
    pub fn root(&self) -> &Entry {
        &self.root
    }

    /// Do the two snapshots share their whole tree?
    #[must_use]
    pub fn same(&self, other: &Self) -> bool {
        self.root.same(&other.root)
    }

    /// Resolves `path` from the root (a relative path too: a container's root is its only
    /// anchor here), following symlinks in every component and, with `follow_last`, in the
    /// last one.
    pub fn resolve(&self, path: &str, follow_last: bool) -> Result<Resolved, FsError> {
        if path.len() > MAX_PATH {
            return Err(FsError::NameTooLong);
        }
        // The directories walked so far, with their entries, so that `..` is a pop.
        let mut stack: Vec<(Name, Entry)> = Vec::new();
        let mut pending: std::collections::VecDeque<Name> = split(path).map(Name::from).collect();
        let mut links = 0usize;
        let current =
            |stack: &[(Name, Entry)]| -> Entry { stack.last().map_or_else(|| self.root.clone(), |(_, e)| e.clone()) };
        let names = |stack: &[(Name, Entry)]| -> Vec<Name> { stack.iter().map(|(n, _)| n.clone()).collect() };
        while let Some(name) = pending.pop_front() {
            if &*name == ".." {
                stack.pop();
                continue;
            }
            let dir = current(&stack);
            let Some(d) = dir.as_dir() else {
                return Err(FsError::NotADirectory(join(&names(&stack))));
            };
            let last = pending.is_empty();
            match d.get(&name).cloned() {
                None => {
                    let mut components = names(&stack);
                    components.push(name);
                    if last {
                        return Ok(Resolved { components, entry: None });
                    }
                    return Err(FsError::NotFound(join(&components)));
                }
                Some(Entry { node: Node::Symlink(target), .. }) if !last || follow_last => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        let mut components = names(&stack);
                        components.push(name);
                        return Err(FsError::Loop(join(&components)));
                    }
                    if target.starts_with('/') {
                        stack.clear();
                    }
                    for part in split(&target).rev() {
                        pending.push_front(Name::from(part));
                    }
                }
                Some(entry) => {
                    if !last && !entry.is_dir() && !matches!(entry.node, Node::Symlink(_)) {
                        let mut components = names(&stack);
                        components.push(name);
                        return Err(FsError::NotADirectory(join(&components)));
                    }
                    stack.push((name, entry));
                }
            }
        }
        let entry = current(&stack);
        Ok(Resolved { components: names(&stack), entry: Some(entry) })
    }

    /// The entry at `path`, symlinks followed (`stat`).
    #[must_use]
    pub fn stat(&self, path: &str) -> Option<Entry> {
        self.resolve(path, true).ok()?.entry
    }

    /// The entry at `path`, the last component not followed (`lstat`).
    #[must_use]
    pub fn lstat(&self, path: &str) -> Option<Entry> {
        self.resolve(path, false).ok()?.entry
    }

    /// Replaces (or removes, with `None`) the entry at canonical `components`, copying only the
    /// directories on the way. The parent must exist and be a directory.
    fn set(&mut self, components: &[Name], entry: Option<Entry>) -> Result<(), FsError> {
        if components.is_empty() {
            return Err(FsError::Root);
        }
        // Walk down, remembering each directory, then rebuild upwards.
        let mut dirs: Vec<Entry> = vec![self.root.clone()];
        for (i, name) in components[..components.len() - 1].iter().enumerate() {
            let next = dirs[i]
                .as_dir()
                .and_then(|d| d.get(name))
                .cloned()
                .ok_or_else(|| FsError::NotFound(join(&components[..=i])))?;
            if !next.is_dir() {
                return Err(FsError::NotADirectory(join(&components[..=i])));
            }
            dirs.push(next);
        }
        let mut child = entry;
        for (dir, name) in dirs.into_iter().rev().zip(components.iter().rev()) {
            let Node::Dir(node) = &dir.node else { return Err(FsError::NotADirectory(join(components))) };
            child = Some(Entry { node: Node::Dir(Arc::new(node.with(name, child))), meta: dir.meta });
        }
        if let Some(root) = child {
            self.root = root;
        }
        Ok(())
    }

    /// Puts `entry` at `path`, replacing what is there (not following a symlink in the last
    /// component). The parent directory must exist (symlinks on the way are followed).
    pub fn insert(&mut self, path: &str, entry: Entry) -> Result<Resolved, FsError> {
        let resolved = self.resolve(path, false)?;
        self.set(&resolved.components, Some(entry))?;
        Ok(resolved)
    }

    /// Removes what is at `path` (a directory with everything under it). Missing is fine.
    pub fn remove(&mut self, path: &str) -> Result<(), FsError> {
        let resolved = self.resolve(path, false)?;
        if resolved.entry.is_some() {
            self.set(&resolved.components, None)?;
        }
        Ok(())
    }

    /// `mkdir -p`: creates every missing directory of `path` with `meta` (symlinks on the way
    /// are followed, as `mkdir -p` follows them). Returns the canonical path.
    pub fn mkdir_all(&mut self, path: &str, meta: Meta) -> Result<String, FsError> {
        if path.len() > MAX_PATH {
            return Err(FsError::NameTooLong);
        }
        let mut done = String::new();
        let mut canonical = String::from("/");
        for part in split(path) {
            done.push('/');
            done.push_str(part);
            let resolved = self.resolve(&done, true)?;
            match &resolved.entry {
                Some(e) if e.is_dir() => {}
                Some(_) => return Err(FsError::NotADirectory(resolved.path())),
                None => self.set(&resolved.components, Some(Entry::dir(meta)))?,
            }
            canonical = resolved.path();
            // Continue from the canonical path, so that `..` after a symlink means what it
            // meant in the resolution.
            done.clone_from(&canonical);
        }
        Ok(canonical)
    }

    /// Every entry under `path` (itself included), depth first in name order, with absolute
    /// paths. The walk is iterative: no tree can overflow the stack.
    #[must_use]
    pub fn walk(&self, path: &str) -> Vec<(String, Entry)> {
        let Ok(Resolved { components, entry: Some(start) }) = self.resolve(path, true) else { return Vec::new() };
        let mut out = Vec::new();
        let mut stack = vec![(join(&components), start)];
        while let Some((p, entry)) = stack.pop() {
            if let Some(dir) = entry.as_dir() {
                let base = if p == "/" { String::new() } else { p.clone() };
                let children: Vec<(String, Entry)> =
                    dir.iter().map(|(n, e)| (format!("{base}/{n}"), e.clone())).collect();
                stack.extend(children.into_iter().rev());
            }
            out.push((p, entry));
        }
        out
    }

    /// Bytes of every regular file (each hard-linked file once), kept by the directories:
    /// asking costs nothing.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.root.as_dir().map_or(0, DirNode::total_size)
    }
}

#[cfg(test)]
mod tests;
