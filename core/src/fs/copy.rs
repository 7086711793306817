//! Copying between snapshots as BuildKit's file backend does (`docopy` over tonistiigi/fsutil's
//! `copy.Copy`), for COPY and ADD:
//!
//! - a source path is resolved inside its root, symlinks followed (`FollowSymlinks`);
//!   wildcards (`*`, `?`, `[...]`, Go's `filepath.Match`) are matched component by component
//!   and may match nothing (`AllowEmptyWildcard`);
//! - a directory source copies its contents (`CopyDirContentsOnly`); a file lands in the
//!   destination directory when the destination ends with `/` or is an existing directory,
//!   else at the destination path;
//! - missing parent directories are created (`0755`, owned by `--chown`'s user), a created
//!   destination directory takes the source directory's mode and owner, an existing one keeps
//!   its own; files keep their mode unless `--chmod`, and their owner unless `--chown`;
//! - a file cannot replace a directory (`cannot replace to directory ... with file`).
//!
//! Untouched subtrees are grafted, not copied: a whole directory copied without `--chown`,
//! `--chmod` or `--exclude` costs one path, however many files it holds.

use super::{Content, Entry, FsError, Meta, Node, Snapshot};
use crate::dockerignore::Matcher;

/// `--chmod`: an octal mode, or a symbolic one applied to each entry's own mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chmod {
    Octal(u32),
    Symbolic(Vec<SymbolicClause>),
}

/// One clause of a symbolic mode (`u+x`, `go-w`, `a=rX`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolicClause {
    /// Bits of `ugo` the clause is about (`0o700`, `0o070`, `0o007`), `a` or none = all.
    who: u32,
    op: char,
    perms: String,
}

impl Chmod {
    /// BuildKit's `--chmod` parsing: octal up to `07777`, else a symbolic mode.
    ///
    /// # Errors
    /// BuildKit's message for a bad value.
    pub fn parse(value: &str) -> Result<Self, String> {
        Self::parse_with(value, false)
    }

    /// chmod(1)'s modes: BuildKit's, and a class's bits copied to others (`g=u`, `o+g`).
    ///
    /// # Errors
    /// As [`Chmod::parse`].
    pub fn parse_utility(value: &str) -> Result<Self, String> {
        Self::parse_with(value, true)
    }

    fn parse_with(value: &str, copies: bool) -> Result<Self, String> {
        let non_octal =
            || format!("invalid chmod parameter: '{value}'. it should be octal string and between 0 and 07777");
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            let mode = u32::from_str_radix(value, 8).map_err(|_| non_octal())?;
            return if mode > 0o7777 { Err(non_octal()) } else { Ok(Self::Octal(mode)) };
        }
        let mut clauses = Vec::new();
        for clause in value.split(',') {
            let op_at = clause.find(['+', '-', '=']).ok_or_else(|| format!("invalid mode: {value}"))?;
            let (who_text, rest) = clause.split_at(op_at);
            let mut who = 0;
            for c in who_text.chars() {
                who |= match c {
                    'u' => 0o4700,
                    'g' => 0o2070,
                    'o' => 0o1007,
                    'a' => 0o7777,
                    _ => return Err(format!("invalid mode: {value}")),
                };
            }
            let op = rest.chars().next().unwrap_or('+');
            let perms = rest[1..].to_string();
            let copy = copies && matches!(perms.as_str(), "u" | "g" | "o");
            if !copy && perms.chars().any(|c| !"rwxXst".contains(c)) {
                return Err(format!("invalid mode: {value}"));
            }
            clauses.push(SymbolicClause { who: if who == 0 { 0o7777 } else { who }, op, perms });
        }
        if clauses.is_empty() || value.is_empty() {
            return Err(non_octal());
        }
        Ok(Self::Symbolic(clauses))
    }

    /// The mode for an entry whose own mode is `mode`.
    #[must_use]
    pub fn apply(&self, mode: u32, is_dir: bool) -> u32 {
        match self {
            Self::Octal(m) => *m,
            Self::Symbolic(clauses) => {
                let mut mode = mode & 0o7777;
                for c in clauses {
                    // `u`, `g`, `o`: that class's permissions now, for every class.
                    let shift = match c.perms.as_str() {
                        "u" => Some(6),
                        "g" => Some(3),
                        "o" => Some(0),
                        _ => None,
                    };
                    let mut bits = shift.map_or(0, |s| ((mode >> s) & 0o7) * 0o111);
                    for p in c.perms.chars().filter(|_| shift.is_none()) {
                        bits |= match p {
                            'r' => 0o444,
                            'w' => 0o222,
                            'x' => 0o111,
                            'X' if is_dir || mode & 0o111 != 0 => 0o111,
                            's' => 0o6000,
                            't' => 0o1000,
                            _ => 0,
                        };
                    }
                    let bits = bits & c.who;
                    mode = match c.op {
                        '+' => mode | bits,
                        '-' => mode & !bits,
                        _ => (mode & !(c.who & 0o777)) | bits,
                    };
                }
                mode
            }
        }
    }
}

/// How a copy treats its sources (the options BuildKit's COPY and ADD set).
#[derive(Clone, Debug, Default)]
pub struct CopyOptions {
    /// `--chown`, resolved to numbers.
    pub chown: Option<(u32, u32)>,
    pub chmod: Option<Chmod>,
    /// Sources may hold wildcards, and may match nothing.
    pub wildcards: bool,
    /// `--exclude` patterns, matched against paths relative to each source.
    pub exclude: Option<Matcher>,
}

/// Why a copy failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyError {
    /// The source does not exist (BuildKit: `"/path": not found`).
    NotFound(String),
    /// A path operation failed.
    Fs(FsError),
    /// A file where a directory is (`cannot replace to directory ... with file`), or the
    /// reverse (`cannot copy to non-directory: ...`).
    Replace(String),
}

impl std::fmt::Display for CopyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound(p) => write!(f, "{}: not found", crate::gostr::quote(p)),
            Self::Fs(e) => write!(f, "{e}"),
            Self::Replace(m) => f.write_str(m),
        }
    }
}

impl From<FsError> for CopyError {
    fn from(e: FsError) -> Self {
        match e {
            FsError::NotFound(p) => Self::NotFound(p),
            other => Self::Fs(other),
        }
    }
}

/// Does a path hold wildcard characters (BuildKit's `containsWildcards`)?
#[must_use]
pub fn has_wildcards(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'*' | b'?' | b'[' => return true,
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    false
}

/// Go's `filepath.Match` for one path component: `*`, `?`, `[...]` (with `^` negation and
/// ranges) and `\` escapes. A malformed pattern matches nothing.
#[must_use]
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn class(p: &[char], mut i: usize, c: char) -> Option<(bool, usize)> {
        // p[i] is just after '['.
        let negate = p.get(i) == Some(&'^');
        if negate {
            i += 1;
        }
        let mut matched = false;
        let mut first = true;
        loop {
            let &ch = p.get(i)?;
            if ch == ']' && !first {
                return Some((matched != negate, i + 1));
            }
            first = false;
            let mut lo = ch;
            if lo == '\\' {
                i += 1;
                lo = *p.get(i)?;
            }
            i += 1;
            let mut hi = lo;
            if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&c| c != ']') {
                hi = p[i + 1];
                if hi == '\\' {
                    hi = *p.get(i + 2)?;
                    i += 1;
                }
                i += 2;
            }
            if lo <= c && c <= hi {
                matched = true;
            }
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with one backtrack point for `*` (linear in practice).
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class(&p, pi + 1, n[ni])
                        && ok
                        && n[ni] != '/'
                    {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() && p[pi + 1] == n[ni] => {
                    pi += 2;
                    ni += 1;
                    continue;
                }
                c if c != '\\' && c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) if n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The paths a source pattern matches in `root`, sorted (BuildKit's `ResolveWildcards`).
#[must_use]
pub fn resolve_wildcards(root: &Snapshot, pattern: &str) -> Vec<String> {
    let mut current = vec![String::from("/")];
    for component in pattern.split('/').filter(|c| !c.is_empty() && *c != ".") {
        let mut next = Vec::new();
        for dir in &current {
            if component == ".." || !has_wildcards(component) {
                let path = if dir == "/" { format!("/{component}") } else { format!("{dir}/{component}") };
                if root.stat(&path).is_some() {
                    next.push(path);
                }
                continue;
            }
            let Some(entry) = root.stat(dir) else { continue };
            let Some(d) = entry.as_dir() else { continue };
            for (name, _) in d.iter() {
                if glob_match(component, name) {
                    next.push(if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") });
                }
            }
        }
        current = next;
    }
    crate::sort::sort_dedup(&mut current);
    current
}

/// Copies `src` from `from` into `to` at `dest` (absolute; a trailing `/` means a directory).
/// Returns how many sources were copied (0 when a wildcard matched nothing).
///
/// # Errors
/// A missing source, a file over a directory, a path that cannot be resolved.
pub fn copy(
    from: &Snapshot,
    src: &str,
    to: &mut Snapshot,
    dest: &str,
    options: &CopyOptions,
) -> Result<usize, CopyError> {
    let sources =
        if options.wildcards && has_wildcards(src) { resolve_wildcards(from, src) } else { vec![src.to_string()] };
    let dir_dest = dest.ends_with('/') || dest.ends_with("/.");
    let parent_owner = options.chown.unwrap_or((0, 0));
    // fsutil's `ensureDstPath`: the destination's directory (or the destination itself, when
    // it ends with `/`) is created first, owned by `--chown`'s user.
    let ensure = if dir_dest { dest.trim_end_matches('.').to_string() } else { parent_of(dest) };
    mkdir_owned(to, &ensure, parent_owner)?;
    for source in &sources {
        let resolved = from.resolve(source, true)?;
        let Some(entry) = resolved.entry else { return Err(CopyError::NotFound(display_source(source))) };
        let base = source.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string();
        let existing = to.stat(dest);
        let mut target = dest.trim_end_matches('/').to_string();
        if target.is_empty() {
            target = "/".into();
        }
        if !entry.is_dir() && existing.as_ref().is_some_and(Entry::is_dir) && !base.is_empty() && base != "." {
            target = if target == "/" { format!("/{base}") } else { format!("{target}/{base}") };
        }
        mkdir_owned(to, &parent_of(&target), parent_owner)?;
        copy_entry(&entry, to, &target, options, "")?;
    }
    Ok(sources.len())
}

fn display_source(source: &str) -> String {
    let trimmed = source.trim_end_matches('/');
    if trimmed.starts_with('/') { trimmed.to_string() } else { format!("/{trimmed}") }
}

fn parent_of(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => trimmed[..i].to_string(),
    }
}

/// `MkdirAll(path, 0755, chown)`.
fn mkdir_owned(to: &mut Snapshot, path: &str, (uid, gid): (u32, u32)) -> Result<(), CopyError> {
    to.mkdir_all(path, Meta::new(0o755, uid, gid)).map(|_| ()).map_err(CopyError::from)
}

fn meta_for(entry: &Entry, options: &CopyOptions) -> Meta {
    let (uid, gid) = options.chown.unwrap_or((entry.meta.uid, entry.meta.gid));
    let mode = match (&options.chmod, &entry.node) {
        (Some(chmod), Node::Dir(_) | Node::File { .. }) => chmod.apply(entry.meta.mode, entry.is_dir()),
        _ => entry.meta.mode,
    };
    Meta::new(mode, uid, gid)
}

/// Does the copy change anything about the entries under this one?
fn rewrites(options: &CopyOptions) -> bool {
    options.chown.is_some() || options.chmod.is_some() || options.exclude.is_some()
}

/// Copies one resolved source entry to `target` (fsutil's `copy`): a file or symlink
/// replaces what is there (not a directory); a directory merges into an existing directory
/// (keeping its metadata) or is created with the source's.
fn copy_entry(
    entry: &Entry,
    to: &mut Snapshot,
    target: &str,
    options: &CopyOptions,
    rel: &str,
) -> Result<(), CopyError> {
    let existing = to.lstat(target);
    match &entry.node {
        Node::Dir(dir) => {
            match &existing {
                Some(e) if !e.is_dir() => {
                    return Err(CopyError::Replace(format!("cannot copy to non-directory: {target}")));
                }
                None if !rewrites(options) => {
                    // Graft the whole subtree: nothing about it changes.
                    to.insert(target, entry.clone())?;
                    return Ok(());
                }
                None => {
                    to.insert(target, Entry::dir(meta_for(entry, options)))?;
                }
                Some(_) => {}
            }
            for (name, child) in dir.iter() {
                let child_rel = if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
                if options.exclude.as_ref().is_some_and(|m| m.excludes(&child_rel)) {
                    continue;
                }
                let child_target = if target == "/" { format!("/{name}") } else { format!("{target}/{name}") };
                copy_entry(child, to, &child_target, options, &child_rel)?;
            }
            Ok(())
        }
        Node::File { content, link } => {
            if existing.as_ref().is_some_and(Entry::is_dir) {
                return Err(CopyError::Replace(format!("cannot replace to directory {target} with file")));
            }
            let copied =
                Entry { node: Node::File { content: content.clone(), link: *link }, meta: meta_for(entry, options) };
            to.insert(target, copied)?;
            Ok(())
        }
        Node::Symlink(_) => {
            if existing.as_ref().is_some_and(Entry::is_dir) {
                return Err(CopyError::Replace(format!("cannot replace to directory {target} with file")));
            }
            let meta = Meta { mode: entry.meta.mode, ..meta_for(entry, options) };
            to.insert(target, Entry { node: entry.node.clone(), meta })?;
            Ok(())
        }
    }
}

/// A file made from text (a heredoc source: `0644`, root, like BuildKit's `Mkfile`).
#[must_use]
pub fn inline_file(name: &str, data: &str) -> Snapshot {
    let mut s = Snapshot::new();
    let _ = s.insert(
        &format!("/{}", name.trim_start_matches('/')),
        Entry::file(Content::bytes(data.as_bytes()), Meta::FILE),
    );
    s
}
