//! An image in the daemon as the simulation sees a base image: every path of its root
//! filesystem (`docker create` + `docker export`, read as the export streams) with type,
//! mode, owner, size, content digest and link target, small text files inline; its config;
//! and its default shell with the flavour that decides which utilities RUN gets.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use futures_util::StreamExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Daemon;

/// Small text files kept inline (so `/etc/passwd` names can be looked up, and RUN can read
/// configuration files); bigger ones are known by digest and size.
const INLINE_LIMIT: u64 = 16 * 1024;

/// One exported path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExportedPath {
    pub(crate) kind: &'static str,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    pub(crate) size: u64,
    /// A file's sha256, a symlink's target, a hard link's first name.
    pub(crate) data: String,
    pub(crate) text: Option<String>,
}

/// The root filesystem of `image`, read from `docker export` of a container created (never
/// started) from it. The export is spooled to a temporary file, so memory stays small.
pub(crate) async fn export(daemon: &Daemon, image: &str) -> Result<BTreeMap<String, ExportedPath>, String> {
    let body = bollard::models::ContainerCreateBody {
        image: Some(image.to_string()),
        // Never run: a command is needed only because images without one cannot be created.
        cmd: Some(vec!["/stagecraft-snapshot".into()]),
        network_disabled: Some(true),
        ..Default::default()
    };
    let created = daemon
        .docker
        .create_container(None::<bollard::query_parameters::CreateContainerOptions>, body)
        .await
        .map_err(|e| format!("cannot create a container from {image}: {e}"))?;
    let id = created.id;
    let result = spool(daemon, &id).await;
    let _ = daemon
        .docker
        .remove_container(
            &id,
            Some(bollard::query_parameters::RemoveContainerOptions { force: true, ..Default::default() }),
        )
        .await;
    let mut file = result?;
    let paths = tokio::task::spawn_blocking(move || read_export(&mut file)).await.map_err(|e| e.to_string())??;
    Ok(paths)
}

async fn spool(daemon: &Daemon, id: &str) -> Result<std::fs::File, String> {
    let mut file = tempfile_in_temp()?;
    let mut stream = daemon.docker.export_container(id);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("docker export: {e}"))?;
        file.write_all(&chunk).map_err(|e| format!("cannot spool the export: {e}"))?;
    }
    std::io::Seek::rewind(&mut file).map_err(|e| e.to_string())?;
    Ok(file)
}

/// An anonymous temporary file (unlinked at once, so nothing is left behind).
fn tempfile_in_temp() -> Result<std::fs::File, String> {
    let path = std::env::temp_dir().join(format!("stagecraft-export-{}-{}", std::process::id(), unique()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn read_export(file: &mut std::fs::File) -> Result<BTreeMap<String, ExportedPath>, String> {
    let mut archive = tar::Archive::new(file);
    let mut out = BTreeMap::new();
    for entry in archive.entries().map_err(|e| format!("the export is not a tar: {e}"))? {
        let mut entry = entry.map_err(|e| format!("the export is not a tar: {e}"))?;
        let raw = entry.path().map_err(|e| e.to_string())?.to_string_lossy().into_owned();
        let path = format!("/{}", raw.trim_start_matches("./").trim_end_matches('/'));
        if path == "/" || stagecraft_core::fs::runtime_path(&path) {
            continue;
        }
        let header = entry.header().clone();
        let mode = header.mode().map_err(|e| e.to_string())? & 0o7777;
        let (uid, gid) = (header.uid().map_err(|e| e.to_string())?, header.gid().map_err(|e| e.to_string())?);
        let link = || entry.link_name().ok().flatten().map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
        let (kind, data, size, text) = match header.entry_type() {
            tar::EntryType::Directory => ("dir", String::new(), 0, None),
            tar::EntryType::Symlink => ("symlink", link(), 0, None),
            tar::EntryType::Link => ("link", format!("/{}", link().trim_start_matches('/')), 0, None),
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                let size = header.size().map_err(|e| e.to_string())?;
                let mut hasher = Sha256::new();
                let mut small = Vec::new();
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = entry.read(&mut buf).map_err(|e| format!("{path}: {e}"))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    if size <= INLINE_LIMIT {
                        small.extend_from_slice(&buf[..n]);
                    }
                }
                let text = (size <= INLINE_LIMIT)
                    .then(|| String::from_utf8(small).ok())
                    .flatten()
                    .filter(|t| !t.contains('\0'));
                ("file", hex(&hasher.finalize()), size, text)
            }
            // Devices, FIFOs: not something a build makes.
            _ => continue,
        };
        out.insert(path, ExportedPath { kind, mode, uid, gid, size, data, text });
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The listing lines of the catalog format for `paths`.
pub(crate) fn listing(paths: &BTreeMap<String, ExportedPath>) -> Vec<Value> {
    paths
        .iter()
        .map(|(path, p)| {
            let mut line =
                json!({ "path": path, "type": p.kind, "mode": format!("{:04o}", p.mode), "uid": p.uid, "gid": p.gid });
            match p.kind {
                "file" => {
                    line["size"] = p.size.into();
                    line["sha256"] = p.data.clone().into();
                    if let Some(text) = &p.text {
                        line["content"] = text.clone().into();
                    }
                }
                "symlink" | "link" => line["target"] = p.data.clone().into(),
                _ => {}
            }
            line
        })
        .collect()
}

/// The shell RUN would use (`/bin/sh`) and its flavour, from what the files say.
pub(crate) fn shell_of(paths: &BTreeMap<String, ExportedPath>) -> Value {
    // Follow /bin/sh through its links (relative or absolute) to the program it is.
    let mut at = "/bin/sh".to_string();
    for _ in 0..8 {
        match paths.get(&at) {
            Some(p) if p.kind == "symlink" => {
                at = if p.data.starts_with('/') {
                    p.data.clone()
                } else {
                    let dir = at.rsplit_once('/').map_or("", |(d, _)| d);
                    stagecraft_core::dockerignore::clean(&format!("{dir}/{}", p.data))
                };
            }
            Some(p) if p.kind == "link" => at.clone_from(&p.data),
            Some(p) if p.kind == "file" => {
                let flavour = match at.rsplit('/').next().unwrap_or_default() {
                    "busybox" => Some("busybox-ash"),
                    "dash" => Some("dash"),
                    "bash" => Some("bash"),
                    _ => None,
                };
                return json!({ "path": "/bin/sh", "flavour": flavour });
            }
            _ => break,
        }
    }
    json!({ "path": null, "flavour": null })
}

/// `KEY=value` entries as the catalog's `[key, value]` pairs.
pub(crate) fn env_pairs(entries: &[String]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| {
            let (k, v) = e.split_once('=').unwrap_or((e, ""));
            json!([k, v])
        })
        .collect()
}

/// The image's config in the catalog's form.
pub(crate) async fn config(daemon: &Daemon, image: &str) -> Result<Value, String> {
    let inspect = daemon.docker.inspect_image(image).await.map_err(|e| format!("cannot inspect {image}: {e}"))?;
    let raw = serde_json::to_value(&inspect.config).map_err(|e| e.to_string())?;
    let strings = |v: &Value| -> Option<Vec<String>> {
        v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
    };
    let env = env_pairs(&strings(&raw["Env"]).unwrap_or_default());
    let keys = |v: &Value| -> Vec<String> {
        match v {
            Value::Object(m) => m.keys().cloned().collect(),
            Value::Array(a) => a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    };
    Ok(json!({
        "env": env,
        "working_dir": raw["WorkingDir"].as_str().unwrap_or(""),
        "user": raw["User"].as_str().unwrap_or(""),
        "cmd": strings(&raw["Cmd"]),
        "entrypoint": strings(&raw["Entrypoint"]),
        "exposed_ports": keys(&raw["ExposedPorts"]),
        "volumes": keys(&raw["Volumes"]),
        "stop_signal": raw["StopSignal"].as_str(),
        "os": inspect.os.unwrap_or_else(|| "linux".into()),
        "architectures": [inspect.architecture.unwrap_or_else(|| "amd64".into())],
    }))
}

/// `name` and `tag` of a reference as the catalog keys them: the core's familiar name
/// (`docker.io/library/alpine` is `alpine`) and the tag (`latest` when none is written, also
/// beside a digest).
pub(crate) fn name_and_tag(reference: &str) -> Result<(String, String), String> {
    let r = stagecraft_core::plan::reference::parse_normalized(reference)?;
    Ok((r.familiar_name(), r.tag.unwrap_or_else(|| "latest".into())))
}

/// A catalog file (schema 1) with one image: `reference` as the daemon has it.
pub(crate) async fn catalog_file(daemon: &Daemon, reference: &str) -> Result<Value, String> {
    let paths = export(daemon, reference).await?;
    let config = config(daemon, reference).await?;
    let (name, tag) = name_and_tag(reference)?;
    Ok(json!({
        "schema": 1,
        "images": [{
            "name": name,
            "tags": [tag],
            "config": config,
            "source": format!("stagecraft image snapshot {reference} (Docker {})", daemon.version),
            "shell": shell_of(&paths),
            "files": listing(&paths),
        }],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(kind: &'static str, data: &str) -> ExportedPath {
        ExportedPath { kind, mode: 0o755, uid: 0, gid: 0, size: 0, data: data.into(), text: None }
    }

    #[test]
    fn the_shell_flavour_follows_links() {
        let mut paths = BTreeMap::new();
        paths.insert("/bin/sh".to_string(), path("symlink", "dash"));
        paths.insert("/bin/dash".to_string(), path("file", "ab"));
        assert_eq!(shell_of(&paths)["flavour"], "dash");
        paths.insert("/bin/sh".to_string(), path("symlink", "/bin/busybox"));
        paths.insert("/bin/busybox".to_string(), path("file", "cd"));
        assert_eq!(shell_of(&paths)["flavour"], "busybox-ash");
        paths.clear();
        assert_eq!(shell_of(&paths)["path"], Value::Null);
    }

    #[test]
    fn references_split_into_name_and_tag() {
        let split = |r: &str| name_and_tag(r).expect("a reference");
        assert_eq!(split("local/busybox:1"), ("local/busybox".into(), "1".into()));
        assert_eq!(split("registry:5000/app"), ("registry:5000/app".into(), "latest".into()));
        assert_eq!(split("docker.io/library/alpine:3.20"), ("alpine".into(), "3.20".into()));
        let digest = format!("alpine@sha256:{}", "0".repeat(64));
        assert_eq!(split(&digest), ("alpine".into(), "latest".into()));
        assert!(name_and_tag("Upper/Case").is_err());
    }
}
