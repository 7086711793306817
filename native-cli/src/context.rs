//! The build context from disk, as Docker's CLI sends it: every file under the context
//! directory with its mode, owned by root, symlinks kept as symlinks (never followed out of
//! the context). Files `.dockerignore` excludes are recorded by size only (never read), so the
//! simulation can say which pattern excluded a missing source.

use std::path::Path;

use stagecraft_core::dockerignore::Matcher;
use stagecraft_core::fs::{Content, Entry, Meta, Snapshot};
use stagecraft_core::sim::BuildContext;

/// Reads `dir` into a build context with `dockerignore` (its text, if any).
pub(crate) fn load(dir: &Path, dockerignore: Option<&str>) -> Result<(BuildContext, Vec<String>), String> {
    let matcher = match dockerignore.map(Matcher::parse) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err((line, e))) => return Err(format!(".dockerignore line {line}: {e}")),
    };
    let mut files = Snapshot::new();
    let mut warnings = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        let entries = std::fs::read_dir(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child_rel = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            let target = format!("/{child_rel}");
            let Ok(meta) = entry.path().symlink_metadata() else { continue };
            let mode = mode_of(&meta);
            let excluded = matcher.as_ref().is_some_and(|m| m.excludes(&child_rel));
            let ft = meta.file_type();
            let result = if ft.is_symlink() {
                let link = std::fs::read_link(entry.path()).map_err(|e| format!("{}: {e}", entry.path().display()))?;
                files.insert(&target, Entry::symlink(link.to_string_lossy().into_owned(), Meta::new(0o777, 0, 0)))
            } else if ft.is_dir() {
                stack.push((entry.path(), child_rel.clone()));
                files.insert(&target, Entry::dir(Meta::new(mode, 0, 0)))
            } else if ft.is_file() {
                let content = if excluded {
                    Content::synthetic(meta.len(), format!("excluded by .dockerignore: {child_rel}"))
                } else {
                    let bytes = std::fs::read(entry.path())
                        .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
                    Content::bytes(bytes)
                };
                files.insert(&target, Entry::file(content, Meta::new(mode, 0, 0)))
            } else {
                warnings.push(format!("{child_rel}: not a file, directory or symlink; left out of the context"));
                continue;
            };
            result.map_err(|e| format!("{child_rel}: {e}"))?;
        }
    }
    Ok((BuildContext { files, dockerignore: matcher, unknown: false }, warnings))
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777
}

#[cfg(not(unix))]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    if meta.is_dir() {
        0o755
    } else if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}
