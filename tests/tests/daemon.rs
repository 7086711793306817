//! The simulation against a real Docker daemon: each fixture in `tests/fixtures/daemon/` is
//! built for real (the classic builder, no network) and simulated; the image's filesystem
//! (`docker create` + `docker export`) must equal the simulated one file for file: paths,
//! types, modes, owners, contents and symlink targets.
//!
//! The base image is `local/busybox:1`, which `cargo xtask test` (and so CI) makes from
//! Debian's busybox-static; the simulation reads that same image's files, exported, as its
//! catalog entry. Without a daemon the test skips loudly, and fails under `CI`.
//!
//! A fixture's Dockerfile may start with `# options: --target T --build-arg K=V ...`, and
//! say `# classic-root-workdir: PATH...` for WORKDIRs made under a USER: the simulation
//! follows BuildKit, which makes them owned by that user, while the classic builder (the
//! only one this daemon's CLI drives) makes them owned by root; those paths are checked to
//! differ in exactly that way.

use std::collections::BTreeMap;
use std::process::Command;

use stagecraft_core::catalog::Catalog;
use stagecraft_core::fs::Snapshot;
use stagecraft_core::report::sim::sha256_hex;
use stagecraft_core::sim::simulate;
use stagecraft_core::{Analysis, Diagnostic};
use stagecraft_tests::{check_options, context_of_dir as context, skip_or_fail, workspace_root};

const BASE: &str = "local/busybox:1";

/// One path as both sides describe it.
#[derive(Debug, Clone)]
struct Seen {
    kind: &'static str,
    mode: u32,
    uid: u64,
    gid: u64,
    /// The sha256 of a file's bytes, a symlink's target.
    data: String,
    /// A small text file's content (what `--chown` names are looked up in), not compared.
    text: Option<String>,
    /// A file's size (what `stat` and `wc -c` see), not compared: the digest covers it.
    size: u64,
}

impl PartialEq<Seen> for Seen {
    fn eq(&self, other: &Seen) -> bool {
        (self.kind, self.mode, self.uid, self.gid, &self.data)
            == (other.kind, other.mode, other.uid, other.gid, &other.data)
    }
}
impl Eq for Seen {}

fn docker(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("docker")
        .args(args)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "docker {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The root filesystem of `image`, as `docker export` gives it.
fn exported(image: &str) -> BTreeMap<String, Seen> {
    let id = String::from_utf8(docker(&["create", image, "/bin/true"]).expect("docker create")).expect("utf-8");
    let id = id.trim().to_string();
    let tar_bytes = docker(&["export", &id]);
    let _ = docker(&["rm", &id]);
    let tar_bytes = tar_bytes.expect("docker export");
    let mut out = BTreeMap::new();
    let mut archive = tar::Archive::new(tar_bytes.as_slice());
    for entry in archive.entries().expect("tar") {
        let mut entry = entry.expect("tar entry");
        let path = format!("/{}", entry.path().expect("path").to_string_lossy().trim_end_matches('/'));
        let path = if path == "/." { "/".to_string() } else { path.replace("/./", "/") };
        if path == "/" || stagecraft_core::fs::runtime_path(&path) {
            continue;
        }
        let header = entry.header().clone();
        let mut text = None;
        let (kind, data) = match header.entry_type() {
            tar::EntryType::Directory => ("dir", String::new()),
            tar::EntryType::Symlink => (
                "symlink",
                entry.link_name().expect("link").map(|l| l.to_string_lossy().into_owned()).unwrap_or_default(),
            ),
            tar::EntryType::Link => {
                let target = entry.link_name().expect("link").expect("hard link target").to_string_lossy().into_owned();
                let target = format!("/{}", target.trim_start_matches('/'));
                let seen: &Seen = out.get(&target).expect("hard link to an earlier entry");
                ("file", seen.data.clone())
            }
            _ => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read");
                if path.starts_with("/etc/") && bytes.len() < 4096 {
                    text = String::from_utf8(bytes.clone()).ok();
                }
                ("file", sha256_hex(&bytes))
            }
        };
        let mode = header.mode().expect("mode") & 0o7777;
        let size = header.size().unwrap_or(0);
        let seen =
            Seen { kind, mode, uid: header.uid().expect("uid"), gid: header.gid().expect("gid"), data, text, size };
        out.insert(path, seen);
    }
    out
}

/// The simulated filesystem, described the same way.
fn simulated(snapshot: &Snapshot) -> BTreeMap<String, Seen> {
    stagecraft_core::fs::path_facts(snapshot)
        .into_iter()
        .map(|(path, f)| {
            let (uid, gid) = (u64::from(f.uid), u64::from(f.gid));
            (path, Seen { kind: f.kind, mode: f.mode, uid, gid, data: f.data, text: None, size: f.size })
        })
        .collect()
}

/// The base image as a catalog file: its exported files, each known by digest.
fn base_catalog(files: &BTreeMap<String, Seen>) -> Catalog {
    let listing: Vec<serde_json::Value> = files
        .iter()
        .map(|(path, s)| {
            let mut line = serde_json::json!({
                "path": path, "type": s.kind, "mode": format!("{:04o}", s.mode), "uid": s.uid, "gid": s.gid,
            });
            match s.kind {
                "file" => {
                    line["sha256"] = s.data.clone().into();
                    line["size"] = s.size.into();
                    if let Some(text) = &s.text {
                        line["content"] = text.clone().into();
                    }
                }
                "symlink" => line["target"] = s.data.clone().into(),
                _ => {}
            }
            line
        })
        .collect();
    let file = serde_json::json!({"schema": 1, "images": [{
        "name": "local/busybox", "tags": ["1"], "config": {}, "source": "docker export of local/busybox:1",
        "shell": {"path": "/bin/sh", "flavour": "busybox-ash"},
        "files": listing,
    }]});
    let mut catalog = Catalog::builtin();
    catalog.load(&file.to_string()).expect("catalog file");
    catalog
}

#[test]
fn simulation_equals_real_builds() {
    if docker(&["version", "--format", "{{.Server.APIVersion}}"]).is_err() {
        skip_or_fail("the daemon tests need a Docker daemon (cargo xtask test starts one on Debian as root)");
        return;
    }
    if docker(&["image", "inspect", BASE]).is_err() {
        skip_or_fail(&format!("the daemon tests need the base image {BASE} (cargo xtask test makes it)"));
        return;
    }
    let base = exported(BASE);
    let catalog = base_catalog(&base);
    let fixtures = workspace_root().join("tests/fixtures/daemon");
    let mut cases: Vec<_> =
        std::fs::read_dir(&fixtures).expect("fixtures").filter_map(Result::ok).map(|e| e.path()).collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures in {}", fixtures.display());
    let mut failures = Vec::new();
    for dir in cases {
        let name = dir.file_name().expect("name").to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
        let options_line =
            text.lines().next().and_then(|l| l.strip_prefix("# options:")).unwrap_or("").trim().to_string();
        let dockerignore = std::fs::read_to_string(dir.join(".dockerignore")).ok();
        // Real: the classic builder, no network.
        let tag = format!("stagecraft-test/{name}:latest");
        let mut args = vec!["build", "-q", "--network", "none", "-t", &tag];
        let words: Vec<&str> = options_line.split_whitespace().collect();
        args.extend(&words);
        let dir_arg = dir.to_string_lossy().into_owned();
        args.push(&dir_arg);
        if let Err(e) = docker(&args) {
            failures.push(format!("{name}: the real build failed: {e}"));
            continue;
        }
        let real = exported(&tag);
        let _ = docker(&["rmi", &tag]);
        // Simulated, with the same options.
        let mut options = check_options(&options_line);
        options.dockerignore = dockerignore.clone();
        let analysis = Analysis::new(&text);
        let checked = analysis.check(&text, &options);
        let ctx = context(&dir, dockerignore.as_deref());
        let sim = simulate(&text, &analysis, &checked, &ctx, &catalog);
        let errors: Vec<&Diagnostic> =
            checked.diagnostics.iter().chain(&sim.diagnostics).filter(|d| d.is_error()).collect();
        if !errors.is_empty() {
            failures.push(format!("{name}: the simulation reports errors: {errors:?}"));
            continue;
        }
        let target = checked.plan.target.expect("a target");
        let stage = sim.stage(target).expect("the target is simulated");
        let mut predicted = simulated(&stage.snapshot);
        let classic_root: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# classic-root-workdir:"))
            .flat_map(str::split_whitespace)
            .collect();
        for path in classic_root {
            let seen = predicted.get_mut(path).unwrap_or_else(|| panic!("{name}: {path} is not in the simulation"));
            assert!(seen.kind == "dir" && seen.uid != 0, "{name}: {path} should be a WORKDIR owned by the USER");
            (seen.uid, seen.gid) = (0, 0);
        }
        let mut differences = Vec::new();
        for (path, seen) in &real {
            match predicted.get(path) {
                None => differences.push(format!("only in the real image: {path} {seen:?}")),
                Some(p) if p != seen => differences.push(format!("{path}: real {seen:?}, simulated {p:?}")),
                Some(_) => {}
            }
        }
        for path in predicted.keys().filter(|p| !real.contains_key(*p)) {
            differences.push(format!("only in the simulation: {path}"));
        }
        if differences.is_empty() {
            eprintln!("ok   {name}: {} paths agree", real.len());
        } else {
            // What the simulation could not run explains most differences.
            let gaps: Vec<&str> = sim
                .diagnostics
                .iter()
                .filter(|d| d.code == stagecraft_core::Code::SimulationGap)
                .map(|d| d.message.as_str())
                .collect();
            failures.push(format!(
                "{name}: {} differences:\n  {}\n  gaps: {gaps:?}",
                differences.len(),
                differences.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
