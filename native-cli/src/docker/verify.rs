//! `stagecraft build --verify`: the image the daemon built, against the simulation of the
//! same input with the base images snapshotted from that daemon. Paths only in one of them,
//! paths that differ (type, content, mode, owner, link target), and config fields that
//! differ; what the container runtime adds is left out.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use stagecraft_core::fs::Snapshot;
use stagecraft_core::sim::simulate;

use super::Daemon;
use super::snapshot::{self, ExportedPath};
use crate::build_flags::Loaded;

/// What the comparison found.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Report {
    /// Base images snapshotted from the daemon for the simulation.
    pub(crate) bases: Vec<String>,
    /// Paths compared (in the real image).
    pub(crate) paths: usize,
    pub(crate) only_real: Vec<String>,
    pub(crate) only_simulated: Vec<String>,
    /// Path, what differs, real, simulated.
    pub(crate) differing: Vec<(String, String, String, String)>,
    /// Config field, real, simulated.
    pub(crate) config: Vec<(String, Value, Value)>,
    /// Why parts of the simulation are not exact (the steps it could not run).
    pub(crate) gaps: Vec<String>,
}

impl Report {
    pub(crate) fn agrees(&self) -> bool {
        self.only_real.is_empty()
            && self.only_simulated.is_empty()
            && self.differing.is_empty()
            && self.config.is_empty()
    }

    pub(crate) fn human(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "verify: {} paths of the real image against the simulation (bases from the daemon: {})",
            self.paths,
            if self.bases.is_empty() { "none".into() } else { self.bases.join(", ") }
        );
        for p in &self.only_real {
            let _ = writeln!(out, "  only in the real image:    {p}");
        }
        for p in &self.only_simulated {
            let _ = writeln!(out, "  only in the simulation:    {p}");
        }
        for (p, what, real, sim) in &self.differing {
            let _ = writeln!(out, "  differs ({what}): {p}: real {real}, simulated {sim}");
        }
        for (field, real, sim) in &self.config {
            let _ = writeln!(out, "  config {field}: real {real}, simulated {sim}");
        }
        for g in &self.gaps {
            let _ = writeln!(out, "  note: {g}");
        }
        if self.agrees() {
            out.push_str("verify: the simulation agrees with the real image\n");
        } else {
            let n = self.only_real.len() + self.only_simulated.len() + self.differing.len() + self.config.len();
            let _ = writeln!(out, "verify: {n} difference{}", if n == 1 { "" } else { "s" });
        }
        out
    }
}

/// One path as both sides are described.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    kind: &'static str,
    mode: u32,
    uid: u64,
    gid: u64,
    data: String,
}

fn seen_real(paths: &BTreeMap<String, ExportedPath>) -> BTreeMap<String, Seen> {
    paths
        .iter()
        .map(|(path, p)| {
            // A hard link is the file it names.
            let (kind, data) = match p.kind {
                "link" => ("file", paths.get(&p.data).map_or_else(String::new, |t| t.data.clone())),
                k => (k, p.data.clone()),
            };
            (path.clone(), Seen { kind, mode: p.mode, uid: p.uid, gid: p.gid, data })
        })
        .collect()
}

fn seen_simulated(snapshot: &Snapshot) -> BTreeMap<String, Seen> {
    stagecraft_core::fs::path_facts(snapshot)
        .into_iter()
        .map(|(path, f)| {
            let seen = Seen { kind: f.kind, mode: f.mode, uid: u64::from(f.uid), gid: u64::from(f.gid), data: f.data };
            (path, seen)
        })
        .collect()
}

/// Compares `image` (built from `loaded` with `context`) with the simulation.
pub(crate) async fn verify(
    daemon: &Daemon,
    loaded: &Loaded,
    context: &std::path::Path,
    dockerignore: Option<&str>,
    image: &str,
) -> Result<Report, String> {
    let mut report = Report::default();
    let plan = &loaded.checked.plan;
    let mut catalog = crate::catalog::catalog(&plan.images_used())?;
    for reference in &plan.image_references() {
        if daemon.docker.inspect_image(reference).await.is_err() {
            report.gaps.push(format!("{reference} is not in the daemon: the simulation used the built-in catalog's"));
            continue;
        }
        let file = snapshot::catalog_file(daemon, reference).await?;
        catalog.load(&file.to_string()).map_err(|e| format!("snapshot of {reference}: {e}"))?;
        report.bases.push(reference.clone());
    }
    let (ctx, _) = crate::context::load(context, dockerignore)?;
    let text = &loaded.source.text;
    let sim = simulate(text, &loaded.analysis, &loaded.checked, &ctx, &catalog);
    for d in sim.diagnostics.iter().filter(|d| d.code == stagecraft_core::Code::SimulationGap) {
        let line = stagecraft_core::LineIndex::new(text).line_of(d.span.start) + 1;
        report.gaps.push(format!("Dockerfile:{line}: {}", d.message));
    }
    let target = loaded.checked.plan.target.ok_or("the Dockerfile has no target stage")?;
    let stage = sim.stage(target).ok_or("the target was not simulated")?;
    let real_paths = snapshot::export(daemon, image).await?;
    let real = seen_real(&real_paths);
    let simulated = seen_simulated(&stage.snapshot);
    report.paths = real.len();
    for (path, r) in &real {
        match simulated.get(path) {
            None => report.only_real.push(path.clone()),
            Some(s) if s != r => {
                let (what, rv, sv) = if s.kind != r.kind {
                    ("type", r.kind.to_string(), s.kind.to_string())
                } else if s.data != r.data {
                    (if r.kind == "symlink" { "target" } else { "content" }, short(&r.data), short(&s.data))
                } else if s.mode != r.mode {
                    ("mode", format!("{:04o}", r.mode), format!("{:04o}", s.mode))
                } else {
                    ("owner", format!("{}:{}", r.uid, r.gid), format!("{}:{}", s.uid, s.gid))
                };
                report.differing.push((path.clone(), what.into(), rv, sv));
            }
            Some(_) => {}
        }
    }
    report.only_simulated = simulated.keys().filter(|p| !real.contains_key(*p)).cloned().collect();
    // The config fields a Dockerfile sets.
    let real_config = snapshot::config(daemon, image).await?;
    let c = &stage.config;
    let sim_env = snapshot::env_pairs(&c.env_list());
    let fields = [
        ("env", Value::Array(sim_env)),
        (
            "working_dir",
            json!(if c.workdir == "/" && real_config["working_dir"] == "" { String::new() } else { c.workdir.clone() }),
        ),
        ("user", json!(c.user)),
        ("cmd", json!(c.cmd)),
        ("entrypoint", json!(c.entrypoint)),
        ("exposed_ports", json!(c.exposed_ports.iter().collect::<Vec<_>>())),
        ("volumes", json!(c.volumes.iter().collect::<Vec<_>>())),
    ];
    for (field, sim_value) in fields {
        let mut real_value = real_config[field].clone();
        let mut sim_value = sim_value;
        for v in [&mut real_value, &mut sim_value] {
            if let Value::Array(a) = v
                && matches!(field, "exposed_ports" | "volumes")
            {
                a.sort_by_key(ToString::to_string);
            }
            if v.is_null() && matches!(field, "cmd" | "entrypoint") {
                *v = Value::Null;
            }
        }
        if real_value != sim_value {
            report.config.push((field.to_string(), real_value, sim_value));
        }
    }
    Ok(report)
}

fn short(data: &str) -> String {
    if data.len() == 64 && data.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("sha256:{}", &data[..12])
    } else {
        data.to_string()
    }
}
