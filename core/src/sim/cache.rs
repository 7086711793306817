//! Cache keys in the spirit of BuildKit's, the comparison of two simulations (each step
//! `CACHED` or the reason it missed), and a build log in BuildKit's plain progress style.
//!
//! A step's key digests its parent's key (except for `COPY --link`, whose layer does not
//! depend on what is under it), the instruction with the values its variables expanded to,
//! the environment a RUN sees, and the content of every COPY/ADD source (after
//! `.dockerignore` and `--exclude`). Two runs share a step when the keys are equal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Fidelity, Simulation};
use crate::analysis::Checked;
use crate::fs::{Content, Node, Snapshot};
use crate::plan::Base;

/// What a step's cache key is made of.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StepCache {
    /// The key (hex SHA-256 of the rest).
    pub key: String,
    /// The key of the step before (empty for `COPY --link`).
    pub parent: String,
    /// The instruction with its expanded variables.
    pub instruction: String,
    /// Source path to the digest of everything under it, for COPY and ADD.
    pub sources: BTreeMap<String, String>,
    /// The source entries themselves (shared with their snapshots), to say which files
    /// changed when a digest differs; a list, since a step has few sources.
    #[serde(skip)]
    pub source_entries: Vec<(String, crate::fs::Entry)>,
    /// The variables a RUN sees (and the build args in effect).
    pub env: BTreeMap<String, String>,
}

impl StepCache {
    /// Computes the key from the parts.
    #[must_use]
    pub fn sealed(mut self) -> Self {
        let mut material = String::new();
        let _ = writeln!(material, "parent {}", self.parent);
        let _ = writeln!(material, "instruction {}", self.instruction);
        for (path, digest) in &self.sources {
            let _ = writeln!(material, "source {path} {digest}");
        }
        for (k, v) in &self.env {
            let _ = writeln!(material, "env {k}={v}");
        }
        self.key = crate::report::sim::sha256_hex(material.as_bytes());
        self
    }
}

/// The key a stage's first step hangs from: its base.
#[must_use]
pub fn base_key(description: &str) -> String {
    crate::report::sim::sha256_hex(format!("base {description}").as_bytes())
}

/// The digest of one entry: content and mode for a file, target for a symlink.
fn entry_digest(node: &Node, mode: u32) -> String {
    match node {
        Node::File { content: Content::Bytes(b), .. } => format!("file {mode:o} {}", crate::report::sim::sha256_hex(b)),
        Node::File { content: Content::Synthetic { size, id }, .. } => format!("file {mode:o} synthetic {size} {id}"),
        Node::Dir(_) => format!("dir {mode:o}"),
        Node::Symlink(t) => format!("symlink {t}"),
    }
}

/// The per-path digests under an entry (relative paths; the empty path is the entry itself).
fn tree_digests(entry: &crate::fs::Entry) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(String::new(), entry.clone())];
    while let Some((p, e)) = stack.pop() {
        if let Some(dir) = e.as_dir() {
            stack.extend(dir.iter().map(|(n, c)| (format!("{p}/{n}"), c.clone())));
        }
        out.insert(p, entry_digest(&e.node, e.meta.mode));
    }
    out
}

/// One digest of everything under `path` in `root` (paths, modes and contents), streamed: no
/// per-file record is kept. `None` when the path does not exist.
#[must_use]
pub fn digest(
    root: &Snapshot,
    path: &str,
    exclude: Option<&crate::dockerignore::Matcher>,
) -> Option<(String, crate::fs::Entry)> {
    use sha2::Digest as _;
    let entry = root.stat(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut stack = vec![(String::new(), entry.clone())];
    while let Some((p, e)) = stack.pop() {
        if exclude.is_some_and(|m| !p.is_empty() && m.excludes(p.trim_start_matches('/'))) {
            continue;
        }
        if let Some(dir) = e.as_dir() {
            let children: Vec<(String, crate::fs::Entry)> =
                dir.iter().map(|(n, c)| (format!("{p}/{n}"), c.clone())).collect();
            stack.extend(children.into_iter().rev());
        }
        hasher.update(p.as_bytes());
        hasher.update(b"\0");
        hasher.update(entry_digest(&e.node, e.meta.mode).as_bytes());
        hasher.update(b"\n");
    }
    let digest = hasher.finalize().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    Some((digest, entry))
}

/// Whether a step can reuse the previous run's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum CacheStatus {
    Cached,
    Missed { reason: String },
}

/// A step of the current simulation and its cache status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepStatus {
    pub stage: usize,
    pub step: usize,
    #[serde(flatten)]
    pub status: CacheStatus,
}

/// Why `now` missed, against the step at the same place before (if any).
fn reason(before: Option<&StepCache>, now: &StepCache) -> String {
    let Some(before) = before else { return "a new step".into() };
    if before.parent != now.parent {
        return "a step before it changed".into();
    }
    if before.instruction != now.instruction {
        return "the instruction changed".into();
    }
    if before.sources != now.sources {
        // Which files: compare the changed sources path by path (only now, only for them).
        let mut changed: Vec<String> = Vec::new();
        for (source, digest) in &now.sources {
            if before.sources.get(source) == Some(digest) {
                continue;
            }
            let entry =
                |c: &StepCache| c.source_entries.iter().find(|(p, _)| p == source).map(|(_, e)| tree_digests(e));
            let old = entry(before).unwrap_or_default();
            let new = entry(now).unwrap_or_default();
            for (rel, d) in &new {
                if old.get(rel) != Some(d) {
                    changed.push(format!("{source}{rel}"));
                }
            }
            changed.extend(old.keys().filter(|rel| !new.contains_key(*rel)).map(|rel| format!("{source}{rel}")));
        }
        changed.extend(before.sources.keys().filter(|p| !now.sources.contains_key(*p)).cloned());
        crate::sort::sort_dedup(&mut changed);
        let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
        let shown: Vec<&str> = changed.iter().take(5).copied().collect();
        let more = if changed.len() > 5 { format!(" and {} more", changed.len() - 5) } else { String::new() };
        return format!("these source files changed: {}{more}", shown.join(", "));
    }
    if before.env != now.env {
        let mut names: Vec<&str> = now
            .env
            .iter()
            .filter(|(k, v)| before.env.get(*k) != Some(v))
            .map(|(k, _)| k.as_str())
            .chain(before.env.keys().filter(|k| !now.env.contains_key(*k)).map(String::as_str))
            .collect();
        crate::sort::sort_dedup(&mut names);
        return format!("these variables changed: {}", names.join(", "));
    }
    "its key changed".into()
}

/// Each layer step of `now`, cached when `before` had a step with the same key.
#[must_use]
pub fn compare(before: Option<&Simulation>, now: &Simulation) -> Vec<StepStatus> {
    let mut known = crate::sort::Names::new();
    // By (stage, step): a list, sorted below for lookups.
    let mut at: Vec<((usize, usize), &StepCache)> = Vec::new();
    if let Some(before) = before {
        for stage in &before.stages {
            for (i, step) in stage.steps.iter().enumerate() {
                if let Some(cache) = &step.cache {
                    known.insert(cache.key.clone());
                    at.push(((stage.index, i), cache));
                }
            }
        }
    }
    crate::sort::sort_by_key(&mut at, |(k, _)| *k);
    let mut out = Vec::new();
    for stage in &now.stages {
        for (i, step) in stage.steps.iter().enumerate() {
            let Some(cache) = &step.cache else { continue };
            let status = if known.contains(&cache.key) {
                CacheStatus::Cached
            } else {
                CacheStatus::Missed {
                    reason: reason(
                        at.binary_search_by_key(&(stage.index, i), |(k, _)| *k).ok().map(|j| at[j].1),
                        cache,
                    ),
                }
            };
            out.push(StepStatus { stage: stage.index, step: i, status });
        }
    }
    out
}

/// An instruction as BuildKit names it in progress output: its logical line (continuation
/// lines joined, heredoc bodies left out).
fn logical_line(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if let Some(part) = line.strip_suffix('\\') {
            out.push_str(part);
        } else {
            out.push_str(line);
            break;
        }
    }
    out.trim().to_string()
}

/// The most bytes of a step's output the build log shows (BuildKit's limit).
const LOG_BYTES: usize = 2 << 20;

/// A build log in BuildKit's plain progress style, from the simulation (deterministic: no
/// timings). With `statuses`, steps that the previous run already built say `CACHED`.
#[must_use]
pub fn build_log(checked: &Checked, sim: &Simulation, statuses: &[StepStatus], dockerfile: &str) -> String {
    let mut out = String::new();
    let mut n = 0usize;
    // What a step printed goes between its name and its status, as BuildKit's plain progress
    // shows it: each line after the time since the step began (0.000 here: a simulation takes
    // no time), clipped past BuildKit's 2 MiB with its message.
    let mut vertex = |out: &mut String, name: &str, status: &str, printed: &str| {
        n += 1;
        let _ = writeln!(out, "#{n} {name}");
        let mut shown = 0;
        for line in printed.lines() {
            shown += line.len() + 1;
            if shown > LOG_BYTES {
                let _ = writeln!(out, "#{n} [output clipped, log limit 2MiB reached]");
                break;
            }
            let _ = writeln!(out, "#{n} 0.000 {line}");
        }
        let _ = writeln!(out, "#{n} {status}\n");
    };
    vertex(&mut out, &format!("[internal] load build definition from {dockerfile}"), "DONE", "");
    let plan = &checked.plan;
    let mut images: Vec<String> = sim
        .stages
        .iter()
        .filter_map(|s| match &plan.stages[s.index].base {
            Base::Image(i) => {
                Some(crate::plan::reference::parse_normalized(i).map_or_else(|_| i.clone(), |r| r.normalized()))
            }
            _ => None,
        })
        .collect();
    crate::sort::sort_dedup(&mut images);
    for image in &images {
        vertex(&mut out, &format!("[internal] load metadata for {image}"), "DONE", "");
    }
    vertex(&mut out, "[internal] load .dockerignore", "DONE", "");
    let single = plan.stages.len() == 1;
    for stage_sim in &sim.stages {
        let stage = &plan.stages[stage_sim.index];
        let name = if single { String::new() } else { format!("{} ", stage.display_name()) };
        let from_image = matches!(stage.base, Base::Image(_));
        let total = usize::from(from_image) + stage_sim.steps.iter().filter(|s| s.makes_layer).count();
        let width = total.to_string().len();
        let mut index = 0;
        if let Base::Image(image) = &stage.base {
            index += 1;
            let full =
                crate::plan::reference::parse_normalized(image).map_or_else(|_| image.clone(), |r| r.normalized());
            vertex(&mut out, &format!("[{name}{index:>width$}/{total}] FROM {full}"), "CACHED", "");
        }
        for (i, step) in stage_sim.steps.iter().enumerate() {
            if !step.makes_layer {
                continue;
            }
            index += 1;
            let first_line = logical_line(&step.text);
            let cached = statuses
                .iter()
                .any(|s| s.stage == stage_sim.index && s.step == i && matches!(s.status, CacheStatus::Cached));
            let status = if cached {
                "CACHED"
            } else {
                match step.fidelity {
                    Fidelity::Exact => "DONE",
                    Fidelity::Modeled => "DONE (simulated: modeled)",
                    Fidelity::Opaque => "DONE (simulated: opaque)",
                    Fidelity::Failed => "ERROR",
                }
            };
            let printed = if cached { "" } else { step.output.as_str() };
            vertex(&mut out, &format!("[{name}{index:>width$}/{total}] {first_line}"), status, printed);
        }
    }
    vertex(&mut out, "exporting to image", "DONE", "");
    out
}
