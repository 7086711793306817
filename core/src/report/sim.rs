//! The simulation as `stagecraft simulate --format json` shows it: every stage (built or
//! skipped) with its layers, and the chosen stage's image: config, every file with where it
//! came from, and sizes.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::plan::TargetView;
use super::{DiagnosticView, SCHEMA, diagnostic_views};
use crate::analysis::Checked;
use crate::fs::{ChangeKind, Content, Entry, EntryKind, Node, Snapshot};
use crate::plan::Base;
use crate::sim::{Fidelity, ImageConfig, Simulation};
use crate::text::ColumnUnit;

/// One layer of a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerView {
    pub instruction: String,
    pub span: [u32; 2],
    pub fidelity: Fidelity,
    /// Only RUN, COPY, ADD and WORKDIR make filesystem layers; the others change the config.
    pub makes_layer: bool,
    pub added: usize,
    pub modified: usize,
    pub deleted: usize,
    pub size: u64,
    /// The step's cache key (layer steps only).
    pub cache_key: Option<String>,
}

/// One stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimStageView {
    pub index: usize,
    pub name: Option<String>,
    pub built: bool,
    /// Where the stage starts: `image alpine:3.20 (...)`, `stage build`, `scratch`.
    pub base: String,
    /// The base's default shell (`{"path": "/bin/sh", "flavour": "dash"}`), when known.
    pub shell: Option<crate::catalog::Shell>,
    pub layers: Vec<LayerView>,
    /// Bytes of the stage's whole filesystem (0 when not built).
    pub size: u64,
    /// Part of the stage's files is unknown (an opaque step, an image without files).
    pub opaque: bool,
}

/// Which step last wrote a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LayerRef {
    pub stage: usize,
    pub index: usize,
}

/// One file of the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileView {
    pub path: String,
    #[serde(rename = "type")]
    pub kind: EntryKind,
    /// Octal, four digits (`0644`, `4755`).
    pub mode: String,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    /// The content's digest when its bytes are known; `null` for synthetic content.
    pub sha256: Option<String>,
    /// A symlink's target.
    pub target: Option<String>,
    /// The step that last wrote it; `null` for the base image's files.
    pub layer: Option<LayerRef>,
}

/// The image a stage produces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageView {
    pub stage: usize,
    pub config: ImageConfig,
    pub files: Vec<FileView>,
    pub size: u64,
}

/// `stagecraft simulate --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimulationReport {
    pub schema: u32,
    pub target: Option<TargetView>,
    pub stages: Vec<SimStageView>,
    pub image: Option<ImageView>,
    /// What the multi-stage build saves, when an image was simulated.
    pub sizes: Option<SizesView>,
    pub diagnostics: Vec<DiagnosticView>,
}

/// The image's size against the largest stage and against one stage doing every step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SizesView {
    pub image: u64,
    /// The image's stage (or one it is built from) has opaque steps: its size is a lower bound.
    pub image_lower_bound: bool,
    /// The built stage with the most bytes (often the build stage).
    pub largest_stage: LargestStage,
    /// The same steps in one stage: the largest base image among the built stages plus every
    /// built stage's own layers (what the image would carry had nothing been left behind).
    pub single_stage: u64,
    /// Some built stage has opaque steps: the estimate is a lower bound.
    pub single_stage_lower_bound: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LargestStage {
    pub index: usize,
    pub size: u64,
    pub lower_bound: bool,
}

impl SizesView {
    fn new(checked: &Checked, sim: &Simulation, image: &ImageView) -> Option<Self> {
        let largest = sim.stages.iter().max_by_key(|s| (s.snapshot.size(), std::cmp::Reverse(s.index)))?;
        let base = sim
            .stages
            .iter()
            .filter(|s| !matches!(checked.plan.stages[s.index].base, Base::Stage(_)))
            .map(|s| s.base.size())
            .max()
            .unwrap_or(0);
        let own: u64 = sim.stages.iter().map(crate::sim::StageSim::added_size).sum();
        Some(Self {
            image: image.size,
            image_lower_bound: sim.stage(image.stage).is_some_and(|s| s.opaque),
            largest_stage: LargestStage {
                index: largest.index,
                size: largest.snapshot.size(),
                lower_bound: largest.opaque,
            },
            single_stage: base + own,
            single_stage_lower_bound: sim.stages.iter().any(|s| s.opaque),
        })
    }
}

/// The hex SHA-256 of some bytes.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The steps that wrote each path of a stage's image: its own and those of the stages it is
/// built FROM, oldest first. A directory added whole is recorded at its root (what it holds
/// inherits the owner), so 100,000 grafted files cost one record.
fn attribution(checked: &Checked, sim: &Simulation, stage: usize, upto: Option<usize>) -> Owners {
    let mut chain = vec![stage];
    let mut current = stage;
    while let Base::Stage(parent) = checked.plan.stages[current].base {
        chain.push(parent);
        current = parent;
    }
    let mut owners = Owners::default();
    for &s in chain.iter().rev() {
        let Some(stage_sim) = sim.stage(s) else { continue };
        for (index, step) in stage_sim.steps.iter().enumerate() {
            if s == stage && upto.is_some_and(|u| index > u) {
                break;
            }
            for change in &step.layer.changes {
                // What was under the path before is gone or replaced.
                let prefix = format!("{}/", change.path);
                let stale: Vec<String> = owners
                    .paths
                    .range(prefix.clone()..)
                    .take_while(|(p, _)| p.starts_with(&prefix))
                    .map(|(p, _)| p.clone())
                    .collect();
                for p in stale {
                    owners.paths.remove(&p);
                }
                match change.kind {
                    ChangeKind::Deleted => {
                        owners.paths.remove(&change.path);
                    }
                    ChangeKind::Added | ChangeKind::Modified => {
                        if owners.layers.last() != Some(&LayerRef { stage: s, index }) {
                            owners.layers.push(LayerRef { stage: s, index });
                        }
                        owners.paths.insert(change.path.clone(), owners.layers.len() - 1);
                    }
                }
            }
        }
    }
    owners
}

/// Which step wrote each path: an index into `layers` (a map of small values shares its code
/// with the other maps of the browser build, whose .wasm has a size budget).
#[derive(Default)]
struct Owners {
    paths: BTreeMap<String, usize>,
    layers: Vec<LayerRef>,
}

/// The owner of a path: its own record, or that of the nearest directory above it.
fn owner_of(owners: &Owners, path: &str) -> Option<LayerRef> {
    let mut p = path;
    loop {
        if let Some(o) = owners.paths.get(p) {
            return owners.layers.get(*o).copied();
        }
        match p.rfind('/') {
            Some(0) | None => return None,
            Some(i) => p = &p[..i],
        }
    }
}

fn file_view(path: String, entry: &Entry, owners: &Owners) -> FileView {
    let (sha256, target) = match &entry.node {
        Node::File { content: Content::Bytes(b), .. } => (Some(sha256_hex(b)), None),
        Node::Symlink(t) => (None, Some(t.to_string())),
        _ => (None, None),
    };
    FileView {
        layer: owner_of(owners, &path),
        kind: entry.kind(),
        mode: format!("{:04o}", entry.meta.mode),
        uid: entry.meta.uid,
        gid: entry.meta.gid,
        size: entry.size(),
        sha256,
        target,
        path,
    }
}

impl SimulationReport {
    /// The report without the image's file list (`image.files` empty), for views that browse
    /// the tree a directory at a time ([`Browse`]).
    #[must_use]
    pub fn summary(
        checked: &Checked,
        sim: &Simulation,
        text: &str,
        image_stage: Option<usize>,
        unit: ColumnUnit,
    ) -> Self {
        Self::build(checked, sim, text, image_stage, unit, false)
    }

    /// The report for `sim`, with the image of `image_stage` (the target when `None`).
    #[must_use]
    pub fn new(checked: &Checked, sim: &Simulation, text: &str, image_stage: Option<usize>, unit: ColumnUnit) -> Self {
        Self::build(checked, sim, text, image_stage, unit, true)
    }

    fn build(
        checked: &Checked,
        sim: &Simulation,
        text: &str,
        image_stage: Option<usize>,
        unit: ColumnUnit,
        with_files: bool,
    ) -> Self {
        let plan = &checked.plan;
        let stages = plan
            .stages
            .iter()
            .map(|stage| {
                let simulated = sim.stage(stage.index);
                SimStageView {
                    index: stage.index,
                    name: stage.name.clone(),
                    built: stage.built,
                    base: simulated.map_or_else(String::new, |s| s.base_description.clone()),
                    shell: simulated.and_then(|s| s.shell.clone()),
                    layers: simulated.map_or_else(Vec::new, |s| {
                        s.steps
                            .iter()
                            .map(|step| LayerView {
                                instruction: step.text.lines().next().unwrap_or_default().to_string(),
                                span: step.span.pair(),
                                fidelity: step.fidelity,
                                makes_layer: step.makes_layer,
                                added: step.layer.count(ChangeKind::Added),
                                modified: step.layer.count(ChangeKind::Modified),
                                deleted: step.layer.count(ChangeKind::Deleted),
                                size: step.layer.size(),
                                cache_key: step.cache.as_ref().map(|c| c.key.clone()),
                            })
                            .collect()
                    }),
                    size: simulated.map_or(0, |s| s.snapshot.size()),
                    opaque: simulated.is_some_and(|s| s.opaque),
                }
            })
            .collect();
        let image = image_stage.or(plan.target).and_then(|i| sim.stage(i)).map(|stage_sim| {
            let files = if with_files {
                let owners = attribution(checked, sim, stage_sim.index, None);
                stage_sim
                    .snapshot
                    .walk("/")
                    .into_iter()
                    .filter(|(path, _)| path != "/")
                    .map(|(path, entry)| file_view(path, &entry, &owners))
                    .collect()
            } else {
                Vec::new()
            };
            ImageView {
                stage: stage_sim.index,
                config: stage_sim.config.clone(),
                files,
                size: stage_sim.snapshot.size(),
            }
        });
        let mut diagnostics: Vec<&crate::Diagnostic> = checked.diagnostics.iter().chain(&sim.diagnostics).collect();
        crate::sort::sort_by_key(&mut diagnostics, |d| (d.span.start, d.span.end, d.code));
        Self {
            schema: SCHEMA,
            target: plan.target.map(|t| TargetView { index: t, name: plan.stages[t].name.clone() }),
            stages,
            sizes: image.as_ref().and_then(|i| SizesView::new(checked, sim, i)),
            image,
            diagnostics: diagnostic_views(diagnostics, text, unit),
        }
    }
}

/// One change of a layer, for a diff view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeView {
    pub path: String,
    pub kind: ChangeKind,
    /// The entry's type after the change (before it, for a deletion).
    pub entry: EntryKind,
    pub size: u64,
}

/// A file's content as a viewer shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileContent {
    /// UTF-8 text.
    Text(String),
    /// Other bytes.
    Bytes(Vec<u8>),
    /// Known by size and identity only (base-image files, modeled output).
    Synthetic { size: u64, identity: String },
}

/// The filesystem of any simulated stage after any of its steps, a directory at a time, with
/// where each entry came from: what a tree view needs without listing every file.
#[derive(Debug)]
pub struct Browse<'a> {
    checked: &'a Checked,
    sim: &'a Simulation,
}

impl<'a> Browse<'a> {
    #[must_use]
    pub fn new(checked: &'a Checked, sim: &'a Simulation) -> Self {
        Self { checked, sim }
    }

    /// The stage's filesystem after step `layer` (its final state when `None`).
    fn snapshot(&self, stage: usize, layer: Option<usize>) -> Result<&'a Snapshot, String> {
        let stage_sim = self.sim.stage(stage).ok_or_else(|| format!("stage {stage} is not built"))?;
        match layer {
            None => Ok(&stage_sim.snapshot),
            Some(i) => stage_sim.steps.get(i).map(|s| &s.after).ok_or_else(|| format!("stage {stage} has no step {i}")),
        }
    }

    /// The entries of directory `dir` (not following a symlink as the last component), sorted
    /// by name, each with the step that wrote it.
    ///
    /// # Errors
    /// A stage that is not built, a step it does not have, or a path that is not a directory.
    pub fn list(&self, stage: usize, layer: Option<usize>, dir: &str) -> Result<Vec<FileView>, String> {
        let snapshot = self.snapshot(stage, layer)?;
        let resolved = snapshot.resolve(dir, true).map_err(|e| format!("{dir}: {e}"))?;
        let base = resolved.path();
        let entry = resolved.entry.ok_or_else(|| format!("{dir}: no such file or directory"))?;
        let children = entry.as_dir().ok_or_else(|| format!("{dir}: not a directory"))?;
        let owners = attribution(self.checked, self.sim, stage, layer);
        Ok(children
            .iter()
            .map(|(name, child)| {
                let path = if base == "/" { format!("/{name}") } else { format!("{base}/{name}") };
                file_view(path, child, &owners)
            })
            .collect())
    }

    /// What step `layer` of the stage added, modified and deleted.
    ///
    /// # Errors
    /// A stage that is not built or a step it does not have.
    pub fn diff(&self, stage: usize, layer: usize) -> Result<Vec<ChangeView>, String> {
        let stage_sim = self.sim.stage(stage).ok_or_else(|| format!("stage {stage} is not built"))?;
        let step = stage_sim.steps.get(layer).ok_or_else(|| format!("stage {stage} has no step {layer}"))?;
        Ok(step
            .layer
            .changes
            .iter()
            .map(|c| ChangeView { path: c.path.clone(), kind: c.kind, entry: c.entry, size: c.size })
            .collect())
    }

    /// The content of the file at `path` (symlinks followed, inside the root).
    ///
    /// # Errors
    /// A missing path or one that is not a regular file.
    pub fn read(&self, stage: usize, layer: Option<usize>, path: &str) -> Result<FileContent, String> {
        let snapshot = self.snapshot(stage, layer)?;
        let entry = snapshot.stat(path).ok_or_else(|| format!("{path}: no such file or directory"))?;
        match entry.node {
            Node::File { content: Content::Bytes(b), .. } => Ok(match std::str::from_utf8(&b) {
                Ok(text) => FileContent::Text(text.to_string()),
                Err(_) => FileContent::Bytes(b.to_vec()),
            }),
            Node::File { content: Content::Synthetic { size, id }, .. } => {
                Ok(FileContent::Synthetic { size, identity: id.to_string() })
            }
            _ => Err(format!("{path}: not a regular file")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"3.20.3\n"), "84cce5af664e3dd0fb0305d3a3484c37d0d95e0ef7ce0d168b9c03f7dd89631e");
    }
}
