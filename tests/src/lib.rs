//! Shared helpers for Stagecraft's cross-crate tests: conformance data, the official parser
//! as an oracle, the CLI binary, and data folders that may be absent locally.

pub mod conformance;
pub mod oracle;

use std::path::{Path, PathBuf};

use stagecraft_core::CheckOptions;
use stagecraft_core::catalog::{Catalog, Entry, ImageConfig};
use stagecraft_core::plan::BuildOptions;

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

/// The built-in catalog with the shipped base-image trees (`core/catalog-data`) of the images
/// named in `needed` (familiar names) and the package catalog, read from the working tree.
///
/// # Panics
/// When the index or a listing is missing or broken: the shipped data must load.
#[must_use]
pub fn shipped_catalog(needed: &[&str]) -> Catalog {
    let data = workspace_root().join("core/catalog-data");
    let index = std::fs::read_to_string(data.join("index.json")).expect("core/catalog-data/index.json");
    let index = stagecraft_core::catalog::Index::parse(&index).expect("index.json parses");
    let needed: Vec<String> = needed.iter().map(ToString::to_string).collect();
    let mut catalog = Catalog::builtin();
    catalog
        .add_index(&index, Some(&needed), &mut |name| std::fs::read_to_string(data.join(name)).ok())
        .expect("the shipped catalog loads");
    let packages = std::fs::read_to_string(data.join("packages/debian-bookworm.txt")).expect("the package catalog");
    catalog.set_packages(stagecraft_core::catalog::Packages::parse(&packages).expect("the package catalog parses"));
    catalog
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

/// Check options from a fixture's `# options:` line, in the CLI's spelling: `--target T`,
/// `--build-arg K=V`, `--build-context N=V`, `--platform P`, `--all-stages`,
/// `--dockerignore PATTERN` (repeatable), `--catalog-image NAME=OS/ARCH` (a one-platform image).
///
/// # Panics
/// On an option it does not know, or a value without its `=`: fixtures are ours.
#[must_use]
pub fn check_options(line: &str) -> CheckOptions {
    let mut build = BuildOptions::default();
    let mut all_stages = false;
    let mut dockerignore = None::<String>;
    let mut catalog = None::<Catalog>;
    let mut words = line.split_whitespace();
    while let Some(flag) = words.next() {
        let mut value = || words.next().expect("option value").to_string();
        let pair = |v: String| {
            let (k, v) = v.split_once('=').expect("NAME=VALUE");
            (k.to_string(), v.to_string())
        };
        match flag {
            "--target" => build.target = Some(value()),
            "--build-arg" => build.build_args.push(pair(value())),
            "--build-context" => build.build_contexts.push(pair(value())),
            "--platform" => build.platform = Some(value()),
            "--all-stages" => all_stages = true,
            "--catalog-image" => {
                let (name, platform) = pair(value());
                let (os, arch) = platform.split_once('/').expect("os/arch");
                let entry = Entry {
                    name,
                    tags: Vec::new(),
                    config: ImageConfig {
                        env: vec![("PATH".into(), "/usr/bin:/bin".into())],
                        os: os.into(),
                        architectures: vec![arch.into()],
                        ..ImageConfig::empty_linux()
                    },
                    tree: None,
                    source: "test fixture".into(),
                    shell: None,
                };
                catalog.get_or_insert_with(Catalog::empty).add(entry);
            }
            "--dockerignore" => {
                let pattern = value();
                dockerignore = Some(dockerignore.map_or(pattern.clone(), |d| format!("{d}\n{pattern}")));
            }
            other => panic!("unknown option {other}"),
        }
    }
    CheckOptions { build, all_stages, dockerignore, catalog }
}

/// The build context of a directory, as Docker's CLI sends it: every file, directory (with
/// its mode) and symlink, owned by root.
///
/// # Panics
/// When the directory cannot be read.
#[must_use]
pub fn context_of_dir(dir: &Path, dockerignore: Option<&str>) -> stagecraft_core::sim::BuildContext {
    use stagecraft_core::fs::{Content, Entry, Meta};
    let mut context = stagecraft_core::sim::BuildContext::from_files(Vec::new(), dockerignore).expect("context");
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&at).expect("read_dir").filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            let rel = format!("/{}", path.strip_prefix(dir).expect("under").to_string_lossy());
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
            let node = if meta.file_type().is_symlink() {
                Entry::symlink(
                    std::fs::read_link(&path).expect("link").to_string_lossy().into_owned(),
                    Meta::new(0o777, 0, 0),
                )
            } else if meta.is_dir() {
                stack.push(path.clone());
                Entry::dir(Meta::new(mode, 0, 0))
            } else {
                Entry::file(Content::bytes(std::fs::read(&path).expect("read")), Meta::new(mode, 0, 0))
            };
            context.files.insert(&rel, node).expect("insert");
        }
    }
    context
}
