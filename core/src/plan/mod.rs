//! The plan layer: stages, global ARGs, `--from` resolution, named contexts, ONBUILD triggers,
//! the target and the stages it builds, each with the edges that pull it in.
//!
//! This mirrors BuildKit's `dockerfile2llb.toDispatchState` up to dispatch: the same lookups
//! in the same order, so that the set of built stages is exactly BuildKit's. Per-instruction
//! environments (which ARG value each line sees) come from [`dispatch`].

pub mod dispatch;
pub(crate) mod meta;
pub mod reference;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::instructions::{self, Instruction, Instructions, Keyword, Kind};
use crate::platform::Platform;
use crate::shell::{Env, Lexer};
use crate::syntax::SyntaxTree;
use crate::text::Span;

pub use meta::{ArgSource, GlobalArg};

/// The names of the arguments BuildKit defines itself.
#[must_use]
pub fn automatic_arg_names() -> [&'static str; 11] {
    meta::automatic_args(&Platform::linux_amd64(), &Platform::linux_amd64(), "").map(|(name, _)| name)
}

/// The global ARGs' environment for `options`, or `None` when a default cannot be expanded.
#[must_use]
pub fn global_env_with(tree: &SyntaxTree, items: &[Instruction], plan: &Plan, options: &BuildOptions) -> Option<Env> {
    let mut errors = Vec::new();
    let args = meta::evaluate(
        &meta::Inputs {
            items,
            meta: &plan.meta_instructions,
            options,
            lexer: lexer(tree),
            build_platform: &plan.build_platform,
            target_platform: &plan.target_platform,
            target_stage: &plan.target_stage_name,
        },
        &mut errors,
    );
    errors.is_empty().then(|| meta::env_of(&args))
}

/// What the user asks BuildKit for, besides the Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// `--target`: a stage name, matched case-insensitively. The last stage when `None`.
    pub target: Option<String>,
    /// `--build-arg NAME=VALUE`, in order (a later one wins).
    pub build_args: Vec<(String, String)>,
    /// `--build-context NAME=VALUE`.
    pub build_contexts: Vec<(String, String)>,
    /// `--platform`: the target platform. The build platform when `None`.
    pub platform: Option<String>,
    /// The platform of the builder (BuildKit's worker); `linux/amd64` when `None`.
    pub build_platform: Option<Platform>,
}

impl BuildOptions {
    /// The value of a build argument, the last one given winning.
    #[must_use]
    pub fn build_arg(&self, name: &str) -> Option<&str> {
        self.build_args.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of a named build context for an image or stage name. BuildKit looks the
    /// name up normalised: its familiar form without `:latest` (`docker.io/library/alpine:latest`
    /// and `alpine` both find `--build-context alpine=...`); `scratch` and `context` never.
    #[must_use]
    pub fn build_context(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case("scratch") || name.eq_ignore_ascii_case("context") {
            return None;
        }
        let normalized = reference::parse_normalized(name).ok().map(|r| {
            let familiar = r.familiar_string();
            familiar.strip_suffix(":latest").map_or(familiar.clone(), str::to_string)
        })?;
        self.build_contexts.iter().rev().find(|(k, _)| *k == normalized).map(|(_, v)| v.as_str())
    }
}

/// How one stage depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// `FROM <stage>`.
    From,
    /// `COPY --from=<stage>`.
    Copy,
    /// `RUN --mount=...,from=<stage>`.
    Mount,
    /// A `COPY --from` or `RUN --mount from=` in an ONBUILD trigger that fired here.
    Onbuild,
}

impl EdgeKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::From => "from",
            Self::Copy => "copy",
            Self::Mount => "mount",
            Self::Onbuild => "onbuild",
        }
    }
}

/// An edge between stages, with the span of the text that makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The other stage: the dependency in [`Stage::deps`], the dependent in [`Stage::pulled_in_by`].
    pub stage: usize,
    pub kind: EdgeKind,
    pub span: Span,
}

/// Where a stage starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Base {
    /// An image reference, after global ARG expansion (as written, not normalised).
    Image(String),
    /// An earlier stage.
    Stage(usize),
    /// `scratch`: the empty image.
    Scratch,
    /// A named build context replaces the image (`--build-context NAME=VALUE`).
    Context { name: String, value: String },
    /// The FROM line is invalid or its base could not be resolved; a diagnostic says why.
    Unknown,
}

/// Another image a stage reads files from (`COPY --from=<image>`, `RUN --mount from=<image>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageSource {
    pub reference: String,
    pub kind: EdgeKind,
    pub span: Span,
}

/// One build stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The name after `AS`, lowercased as BuildKit does.
    pub name: Option<String>,
    pub name_span: Option<Span>,
    /// The FROM instruction's index in [`Instructions::items`].
    pub from: usize,
    /// The FROM instruction's span.
    pub from_span: Span,
    /// The whole stage: FROM to the end of its last instruction.
    pub span: Span,
    pub base: Base,
    /// The base as written in the FROM line.
    pub base_text: String,
    pub base_span: Span,
    /// `--platform`, expanded; `None` when the stage has no `--platform`.
    pub platform: Option<String>,
    /// Does the chosen target build this stage?
    pub built: bool,
    /// Stages this one reads from, in instruction order.
    pub deps: Vec<Edge>,
    /// Built stages whose edges make this one built (empty for the target itself and for
    /// stages that are not built).
    pub pulled_in_by: Vec<Edge>,
    /// Images other than the base that the stage reads from.
    pub images: Vec<ImageSource>,
    /// Indices of the stage's instructions (after FROM) in [`Instructions::items`].
    pub instructions: Vec<usize>,
    /// The description BuildKit takes from the comment above the FROM (`# name text`).
    pub description: Option<String>,
    /// The stage is replaced by a named build context: its instructions do not run.
    pub replaced_by_context: Option<String>,
}

impl Stage {
    /// The name BuildKit uses for the stage in messages: its name, or `stage-N`.
    #[must_use]
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| format!("stage-{}", self.index))
    }
}

/// The plan for one Dockerfile and one set of options.
#[derive(Clone, Debug)]
pub struct Plan {
    pub stages: Vec<Stage>,
    /// Global ARGs (before the first FROM) and the automatic platform arguments.
    pub args: Vec<GlobalArg>,
    /// The target stage, when the Dockerfile has stages and the target exists.
    pub target: Option<usize>,
    /// `TARGETSTAGE`: the target's name, the last stage's name, or `default`.
    pub target_stage_name: String,
    pub build_platform: Platform,
    pub target_platform: Platform,
    /// Indices of the global ARG instructions in [`Instructions::items`].
    pub meta_instructions: Vec<usize>,
    pub diagnostics: Vec<Diagnostic>,
    /// Lowercased stage name to stage: the last stage of that name, as BuildKit registers
    /// names (a later duplicate replaces an earlier one).
    by_name: BTreeMap<String, usize>,
}

impl Plan {
    /// The stages the target builds, in definition order.
    pub fn built(&self) -> impl Iterator<Item = &Stage> {
        self.stages.iter().filter(|s| s.built)
    }

    /// The stage at `index`, if any.
    #[must_use]
    pub fn stage(&self, index: usize) -> Option<&Stage> {
        self.stages.get(index)
    }

    /// The stage BuildKit finds by name (`--target`, `COPY --from`, `RUN --mount from=`): the
    /// last one with that name, compared case-insensitively.
    #[must_use]
    pub fn stage_named(&self, name: &str) -> Option<usize> {
        self.by_name.get(&crate::gostr::to_lower(name)).copied()
    }

    /// The image references the built stages read from (their bases and `--from` images), as
    /// written, with their tags, in stage order.
    fn references_built(&self) -> impl Iterator<Item = &str> {
        self.stages.iter().filter(|s| s.built).flat_map(|stage| {
            let base = match &stage.base {
                Base::Image(i) => Some(i.as_str()),
                _ => None,
            };
            base.into_iter().chain(stage.images.iter().map(|i| i.reference.as_str()))
        })
    }

    /// The familiar names of the images the built stages read from (their bases and
    /// `--from` images), each once: the catalog entries a simulation needs.
    #[must_use]
    pub fn images_used(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for reference in self.references_built() {
            if let Ok(r) = reference::parse_normalized(reference) {
                let name = r.familiar_name();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The image references the built stages read from, as written (with their tags), sorted,
    /// each once: what to pull or snapshot to reproduce the build's inputs.
    #[must_use]
    pub fn image_references(&self) -> Vec<String> {
        let mut references: Vec<String> = self.references_built().map(str::to_string).collect();
        crate::sort::sort_dedup(&mut references);
        references
    }

    /// The stage an instruction belongs to.
    #[must_use]
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.stages.iter().find(|s| s.from == instruction || s.instructions.contains(&instruction))
    }
}

/// The lexer BuildKit uses for a Dockerfile: its escape character.
#[must_use]
pub fn lexer(tree: &SyntaxTree) -> Lexer {
    Lexer::new(tree.escape)
}

/// Plans the build of `instructions` (typed from `tree`, parsed from `text`) with `options`.
#[must_use]
pub fn plan(text: &str, tree: &SyntaxTree, instructions: &Instructions, options: &BuildOptions) -> Plan {
    Planner::new(text, tree, instructions, options).run()
}

struct Planner<'a> {
    by_name: BTreeMap<String, usize>,
    text: &'a str,
    tree: &'a SyntaxTree,
    items: &'a [Instruction],
    options: &'a BuildOptions,
    lexer: Lexer,
    diagnostics: Vec<Diagnostic>,
}

/// Where a `--from` value points.
enum FromTarget {
    Stage(usize),
    Image(String),
    Invalid,
}

impl<'a> Planner<'a> {
    fn new(text: &'a str, tree: &'a SyntaxTree, instructions: &'a Instructions, options: &'a BuildOptions) -> Self {
        Self {
            by_name: BTreeMap::new(),
            text,
            tree,
            items: &instructions.items,
            options,
            lexer: lexer(tree),
            diagnostics: Vec::new(),
        }
    }

    fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(code, span, message));
    }

    fn run(mut self) -> Plan {
        let (meta_instructions, mut stages) = self.split_stages();
        for s in &stages {
            if let Some(name) = &s.name {
                self.by_name.insert(name.clone(), s.index);
            }
        }
        let build_platform = self.options.build_platform.clone().unwrap_or_else(Platform::linux_amd64);
        let target_platform = match &self.options.platform {
            None => build_platform.clone(),
            Some(p) => match Platform::parse(p, &build_platform) {
                Ok(p) => p,
                Err(e) => {
                    self.error(
                        Code::InvalidPlatform,
                        Span::default(),
                        format!("failed to parse target platform {p}: {e}"),
                    );
                    build_platform.clone()
                }
            },
        };
        let target = self.resolve_target(&stages);
        let target_stage_name = match (&self.options.target, stages.last()) {
            (Some(t), _) if !t.is_empty() => t.clone(),
            (_, Some(last)) => last.name.clone().unwrap_or_else(|| "default".into()),
            _ => "default".into(),
        };
        let args = meta::evaluate(
            &meta::Inputs {
                items: self.items,
                meta: &meta_instructions,
                options: self.options,
                lexer: self.lexer,
                build_platform: &build_platform,
                target_platform: &target_platform,
                target_stage: &target_stage_name,
            },
            &mut self.diagnostics,
        );
        let mut args = args;
        for arg in &mut args {
            let Some(span) = arg.span else { continue };
            let owner = meta_instructions
                .iter()
                .map(|&i| &self.items[i])
                .find(|it| it.span.start <= span.start && span.end <= it.span.end);
            if let Some(item) = owner {
                arg.description = description_of(self.text, &self.tree.nodes[item.node], &arg.name);
            }
        }
        let global_env = meta::env_of(&args);
        self.resolve_bases(&mut stages, &global_env);
        self.resolve_deps(&mut stages);
        self.detect_cycles(&stages);
        if let Some(target) = target {
            mark_built(&mut stages, target);
        }
        Plan {
            stages,
            args,
            target,
            target_stage_name,
            build_platform,
            target_platform,
            meta_instructions,
            diagnostics: self.diagnostics,
            by_name: self.by_name,
        }
    }

    /// Global ARGs, and stages with their instructions, as BuildKit's `instructions.Parse`
    /// groups them (a FROM BuildKit would refuse still starts a stage, with an unknown base).
    fn split_stages(&self) -> (Vec<usize>, Vec<Stage>) {
        let mut meta = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            match (item.keyword, &item.kind) {
                (Some(Keyword::From), kind) => {
                    let from = if let Kind::From(f) = kind { Some(f) } else { None };
                    let node = &self.tree.nodes[item.node];
                    let description =
                        from.and_then(|f| f.name.as_ref()).and_then(|n| description_of(self.text, node, &n.value));
                    let (base_text, base_span) = from.map_or_else(
                        || (String::new(), item.keyword_span),
                        |f| (f.image.value.to_string(), f.image.span),
                    );
                    stages.push(Stage {
                        index: stages.len(),
                        name: from.and_then(|f| f.name.as_ref()).map(|n| n.value.to_string()),
                        name_span: from.and_then(|f| f.name.as_ref()).map(|n| n.span),
                        from: i,
                        from_span: item.span,
                        span: item.span,
                        base: Base::Unknown,
                        base_text,
                        base_span,
                        platform: None,
                        built: false,
                        deps: Vec::new(),
                        pulled_in_by: Vec::new(),
                        images: Vec::new(),
                        instructions: Vec::new(),
                        description,
                        replaced_by_context: None,
                    });
                }
                (Some(Keyword::Arg), _) if stages.is_empty() => meta.push(i),
                _ => {
                    if let Some(stage) = stages.last_mut() {
                        stage.instructions.push(i);
                        stage.span = stage.span.cover(item.span);
                    }
                }
            }
        }
        (meta, stages)
    }

    /// The target: `--target` matched case-insensitively, or the last stage.
    fn resolve_target(&mut self, stages: &[Stage]) -> Option<usize> {
        let Some(wanted) = self.options.target.as_deref().filter(|t| !t.is_empty()) else {
            return stages.len().checked_sub(1);
        };
        let lower = crate::gostr::to_lower(wanted);
        if let Some(&s) = self.by_name.get(&lower) {
            return Some(s);
        }
        // BuildKit suggests among every stage's internal name, `stage-N` included (which
        // `--target` cannot select).
        let internal: Vec<String> = stages.iter().map(Stage::display_name).collect();
        let internal: Vec<&str> = internal.iter().map(String::as_str).collect();
        let names: Vec<&str> = stages.iter().filter_map(|s| s.name.as_deref()).collect();
        let message = instructions::suggest::with_suggestion(
            format!("target stage {} could not be found", crate::gostr::quote(wanted)),
            wanted,
            &internal,
            true,
        );
        self.diagnostics.push(Diagnostic::new(Code::UnknownTarget, Span::default(), message).with_help(
            if names.is_empty() {
                "the Dockerfile has no named stage: name one with FROM ... AS <name>".to_string()
            } else {
                format!("the named stages are: {}", names.join(", "))
            },
        ));
        None
    }

    /// FROM: the base expanded with the global ARGs, then a stage, a named context, scratch
    /// or an image; `--platform` expanded the same way.
    fn resolve_bases(&mut self, stages: &mut [Stage], global_env: &Env) {
        for i in 0..stages.len() {
            let item = &self.items[stages[i].from];
            let Kind::From(from) = &item.kind else { continue };
            let base = match self.lexer.process_word(&from.image.value, global_env) {
                Err(e) => {
                    self.error(Code::InvalidBase, from.image.span, e.message);
                    continue;
                }
                Ok(b) => b,
            };
            if base.is_empty() {
                let unset: Vec<String> = self
                    .lexer
                    .process(&from.image.value, global_env)
                    .map(|e| e.unmatched.into_iter().collect())
                    .unwrap_or_default();
                let mut d = Diagnostic::new(
                    Code::InvalidBase,
                    from.image.span,
                    format!("base name ({}) should not be blank", from.image.value),
                );
                if let Some(name) = unset.first() {
                    d = d.with_help(format!(
                        "{name} has no value: give `ARG {name}` a default before the first FROM, or pass --build-arg {name}=<image>"
                    ));
                }
                self.diagnostics.push(d);
                continue;
            }
            if let Some(platform) = &from.platform {
                match self.lexer.process_word(&platform.value, global_env) {
                    Err(e) => self.error(
                        Code::InvalidPlatform,
                        platform.span,
                        format!("failed to process arguments for platform {}: {}", platform.value, e.message),
                    ),
                    Ok(p) if p.is_empty() => self.error(
                        Code::InvalidPlatform,
                        platform.span,
                        format!("empty platform value from expression {}", platform.value),
                    ),
                    Ok(p) => {
                        let host = self.options.build_platform.clone().unwrap_or_else(Platform::linux_amd64);
                        if let Err(e) = Platform::parse(&p, &host) {
                            self.error(
                                Code::InvalidPlatform,
                                platform.span,
                                format!("failed to parse platform {p}: {e}"),
                            );
                        }
                        stages[i].platform = Some(p);
                    }
                }
            }
            if let Some(name) = stages[i].name.clone()
                && let Some(value) = self.options.build_context(&name)
            {
                // A stage named like a named context is replaced by it.
                stages[i].replaced_by_context = Some(value.to_string());
                stages[i].base = Base::Context { name, value: value.to_string() };
                continue;
            }
            // Only an earlier stage can be a base, matched exactly against lowercased names.
            if let Some(parent) = stages[..i].iter().rposition(|s| s.name.as_deref() == Some(base.as_str())) {
                stages[i].base = Base::Stage(parent);
                stages[i].deps.push(Edge { stage: parent, kind: EdgeKind::From, span: from.image.span });
                continue;
            }
            if let Some(value) = self.options.build_context(&base) {
                stages[i].base = Base::Context { name: base, value: value.to_string() };
                continue;
            }
            if base == "scratch" {
                // BuildKit builds `scratch` for the target platform, whatever `--platform` says.
                stages[i].base = Base::Scratch;
                stages[i].platform = None;
            } else {
                self.check_reference(&base, from.image.span);
                stages[i].base = Base::Image(base);
            }
        }
    }

    /// `COPY --from=` (index, then name, then image) and `RUN --mount from=` (name, then
    /// image): first every stage's own instructions, then the ONBUILD triggers inherited from
    /// a parent stage, in BuildKit's order (which matters for indices, see [`Implicit`]).
    fn resolve_deps(&mut self, stages: &mut [Stage]) {
        let mut implicit = Implicit::default();
        for i in 0..stages.len() {
            if stages[i].replaced_by_context.is_some() {
                continue;
            }
            let kinds: Vec<&Kind> = stages[i].instructions.iter().map(|&j| &self.items[j].kind).collect();
            let (edges, images) = self.edges_of(stages, &kinds, None, &mut implicit);
            stages[i].deps.extend(edges);
            stages[i].images.extend(images);
        }
        for i in 0..stages.len() {
            if stages[i].replaced_by_context.is_some() {
                continue;
            }
            let triggers = self.onbuild_triggers(stages, i);
            for (kind, span) in &triggers {
                let (edges, images) = self.edges_of(stages, &[kind], Some(*span), &mut implicit);
                stages[i].deps.extend(edges);
                stages[i].images.extend(images);
            }
        }
    }

    /// The stage and image sources of some instructions. `onbuild` is the span of the ONBUILD
    /// instruction when they are fired triggers.
    fn edges_of(
        &mut self,
        stages: &[Stage],
        kinds: &[&Kind],
        onbuild: Option<Span>,
        implicit: &mut Implicit,
    ) -> (Vec<Edge>, Vec<ImageSource>) {
        let mut edges = Vec::new();
        let mut images = Vec::new();
        for kind in kinds {
            match kind {
                Kind::Copy(copy) => {
                    let Some(from) = &copy.from else { continue };
                    let edge_kind = if onbuild.is_some() { EdgeKind::Onbuild } else { EdgeKind::Copy };
                    let span = onbuild.unwrap_or(from.span);
                    match self.copy_from(stages, &from.value, from.span, implicit) {
                        FromTarget::Stage(s) => edges.push(Edge { stage: s, kind: edge_kind, span }),
                        FromTarget::Image(r) => {
                            self.check_reference(&r, span);
                            images.push(ImageSource { reference: r, kind: edge_kind, span });
                        }
                        FromTarget::Invalid => {}
                    }
                }
                Kind::Run(run) => {
                    for mount in &run.mounts {
                        let Some(from) = mount.from.as_deref().filter(|f| !f.is_empty()) else {
                            // BuildKit gives every mount a source: without `from`, `scratch` (a
                            // stage of that name if there is one, else an implicit state).
                            match self.by_name.get("scratch").copied() {
                                Some(s) => edges.push(Edge { stage: s, kind: EdgeKind::Mount, span: mount.span }),
                                None => implicit.images.push("scratch".into()),
                            }
                            continue;
                        };
                        let edge_kind = if onbuild.is_some() { EdgeKind::Onbuild } else { EdgeKind::Mount };
                        let span = onbuild.or(mount.from_span).unwrap_or(mount.span);
                        let lower = crate::gostr::to_lower(from);
                        if let Some(&s) = self.by_name.get(&lower) {
                            edges.push(Edge { stage: s, kind: edge_kind, span });
                        } else {
                            implicit.images.push(from.to_string());
                            self.check_reference(from, span);
                            images.push(ImageSource { reference: from.to_string(), kind: edge_kind, span });
                        }
                    }
                }
                _ => {}
            }
        }
        (edges, images)
    }

    /// BuildKit resolves every image state, reachable or not, and first parses its name.
    fn check_reference(&mut self, name: &str, span: Span) {
        if name == "scratch" {
            return;
        }
        if let Err(e) = reference::parse_normalized(name) {
            self.error(
                Code::InvalidBase,
                span,
                format!("failed to parse stage name {}: {e}", crate::gostr::quote(name)),
            );
        }
    }

    /// BuildKit's `--from` lookup: an integer is an index into its list of states, else a
    /// stage name (case-insensitive), else an image.
    fn copy_from(&mut self, stages: &[Stage], from: &str, span: Span, implicit: &mut Implicit) -> FromTarget {
        // Variables are refused (reported by the instruction layer); nothing to resolve.
        if self.lexer.process_word(from, &Env::new()).ok().as_deref() != Some(from) {
            return FromTarget::Invalid;
        }
        if let Some(index) = go_atoi(from) {
            let count = stages.len() + implicit.images.len();
            return match usize::try_from(index).ok().filter(|&i| i < count) {
                Some(i) if i < stages.len() => FromTarget::Stage(i),
                // BuildKit's list also holds the images earlier `--from`s named.
                Some(i) => FromTarget::Image(implicit.images[i - stages.len()].clone()),
                None => {
                    self.error(Code::InvalidStageReference, span, format!("invalid stage index {index}"));
                    FromTarget::Invalid
                }
            };
        }
        let lower = crate::gostr::to_lower(from);
        if let Some(&i) = self.by_name.get(&lower) {
            FromTarget::Stage(i)
        } else {
            implicit.images.push(from.to_string());
            FromTarget::Image(from.to_string())
        }
    }

    /// The ONBUILD triggers that fire in stage `i`: those of its parent stage, parsed again,
    /// each with the span of its ONBUILD instruction.
    fn onbuild_triggers(&mut self, stages: &[Stage], i: usize) -> Vec<(Kind, Span)> {
        let Base::Stage(parent) = stages[i].base else { return Vec::new() };
        let mut out = Vec::new();
        for &j in &stages[parent].instructions {
            let Kind::Onbuild(onbuild) = &self.items[j].kind else { continue };
            let tree = crate::syntax::parse(&onbuild.expression);
            if tree.nodes.len() != 1 {
                self.error(
                    Code::InvalidOnbuildTrigger,
                    self.items[j].span,
                    "onbuild trigger should be a single expression",
                );
                continue;
            }
            let lowered = instructions::lower(&tree);
            if let Some(first) = lowered.items.into_iter().next() {
                out.push((first.kind, self.items[j].span));
            }
        }
        out
    }

    /// BuildKit's `validateCircularDependency`: a cycle through `COPY --from` and
    /// `RUN --mount from=` edges (FROM can only name earlier stages, and ONBUILD edges are
    /// added after this check) is an error, reported once, on the first stage (in definition
    /// order) that reaches it, with every step of the cycle's path.
    fn detect_cycles(&mut self, stages: &[Stage]) {
        let deps: Vec<Vec<Edge>> = stages
            .iter()
            .map(|s| s.deps.iter().filter(|e| matches!(e.kind, EdgeKind::Copy | EdgeKind::Mount)).copied().collect())
            .collect();
        let mut visited = vec![false; stages.len()];
        let mut on_path = vec![false; stages.len()];
        for start in 0..stages.len() {
            if visited[start] {
                continue;
            }
            // Iterative depth-first search, so that thousands of stages cannot overflow the stack.
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            let mut path: Vec<Edge> = Vec::new();
            visited[start] = true;
            on_path[start] = true;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(edge) = deps[node].get(*next) {
                    *next += 1;
                    path.push(*edge);
                    if on_path[edge.stage] {
                        let mut d = Diagnostic::new(
                            Code::CircularDependency,
                            path[0].span,
                            format!("circular dependency detected on stage: {}", stages[start].display_name()),
                        )
                        .with_help("a stage cannot read, directly or through other stages, from itself");
                        for step in &path[1..] {
                            d = d.with_related(step.span, format!("then stage {}", stages[step.stage].display_name()));
                        }
                        self.diagnostics.push(d);
                        return;
                    }
                    if visited[edge.stage] {
                        path.pop();
                        continue;
                    }
                    visited[edge.stage] = true;
                    on_path[edge.stage] = true;
                    stack.push((edge.stage, 0));
                } else {
                    on_path[node] = false;
                    stack.pop();
                    path.pop();
                }
            }
        }
    }
}

/// The images that `COPY --from=<image>` and `RUN --mount from=<image>` add to BuildKit's list
/// of states, in the order BuildKit adds them: `COPY --from=<n>` with `n` past the last stage
/// lands on one of them.
#[derive(Default)]
struct Implicit {
    images: Vec<String>,
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, within 64 bits.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Marks the target and every stage it reaches through FROM, COPY --from, RUN --mount from
/// and ONBUILD edges, recording for each the edges that pull it in.
fn mark_built(stages: &mut [Stage], target: usize) {
    let mut queue = vec![target];
    stages[target].built = true;
    while let Some(s) = queue.pop() {
        for i in 0..stages[s].deps.len() {
            let edge = stages[s].deps[i];
            stages[edge.stage].pulled_in_by.push(Edge { stage: s, kind: edge.kind, span: edge.span });
            if !stages[edge.stage].built {
                stages[edge.stage].built = true;
                queue.push(edge.stage);
            }
        }
    }
    for stage in stages.iter_mut() {
        crate::sort::sort_by_key(&mut stage.pulled_in_by, |e| (e.stage, e.span.start, e.span.end, e.kind));
        stage.pulled_in_by.dedup();
    }
}

/// BuildKit's `getComment`: the first comment line above the instruction that starts with
/// `<name> `, without that prefix.
#[must_use]
pub fn description_of(text: &str, node: &crate::syntax::Node, name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    node.comments
        .iter()
        .map(|c| c.slice(text))
        .find_map(|c| c.strip_prefix(name)?.strip_prefix(' '))
        .map(str::to_string)
}
