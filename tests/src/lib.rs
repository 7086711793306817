//! Shared helpers for Stagecraft's cross-crate tests: conformance data, the official parser
//! as an oracle, the CLI binary, and data folders that may be absent locally.

pub mod conformance;
pub mod oracle;

use std::path::{Path, PathBuf};

/// The workspace root.
#[must_use]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ lives in the workspace").to_path_buf()
}

/// True when running in CI, where nothing may be skipped.
#[must_use]
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Skips a test whose data or tool is missing: loudly on a developer machine, never in CI.
///
/// # Panics
/// In CI, always: a missing prerequisite there is a broken set-up, not a reason to pass.
pub fn skip_or_fail(what: &str) {
    assert!(!in_ci(), "{what}: required in CI (CI is set), cannot skip");
    eprintln!();
    eprintln!("==================================================================");
    eprintln!("SKIPPED: {what}");
    eprintln!("==================================================================");
    eprintln!();
}

/// The shared folder (`../shared` beside the project): `$STAGECRAFT_SHARED_DIR`, else
/// `../shared` next to this checkout, else the workplace's `/work/shared` (a CI clone may live
/// elsewhere on the same machine).
#[must_use]
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STAGECRAFT_SHARED_DIR") {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    [workspace_root().join("../shared"), PathBuf::from("/work/shared")].into_iter().find(|d| d.is_dir())
}

/// Every file under `dir` (recursively) that `pick` accepts, sorted.
pub fn files_under(dir: &Path, pick: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if pick(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Test inputs, not documentation or manifests, in a data folder.
#[must_use]
pub fn is_input(path: &Path) -> bool {
    !path.extension().is_some_and(|e| e == "md" || e == "tsv")
}

/// The `stagecraft` binary built for this test run.
#[must_use]
pub fn stagecraft_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("STAGECRAFT_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    target.join(profile).join("stagecraft")
}
