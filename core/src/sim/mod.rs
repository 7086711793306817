//! The simulation: each stage the target builds, run over the layered filesystem, step by
//! step as BuildKit dispatches it: FROM (an earlier stage, `scratch`, or a catalog image),
//! COPY and ADD (from the build context, a stage or an image), WORKDIR, and the config
//! instructions into an OCI image config. Every step records its layer (the diff it made) and
//! its fidelity: `exact` when every effect is computed, `modeled` when part is estimated (an
//! ADD of a URL), `opaque` when nothing is known (RUN, until the shell lands), `failed` when
//! the step errs (its layer is empty and the simulation goes on).

pub mod cache;
pub mod config;
pub mod users;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

pub use config::{HealthConfig, ImageConfig};

use crate::analysis::{Analysis, Checked};
use crate::catalog::Catalog;
use crate::diagnostic::{Code, Diagnostic};
use crate::dockerignore::Matcher;
use crate::fs::copy::{Chmod, CopyError, CopyOptions, copy, inline_file};
use crate::fs::{Content, Entry, Layer, Meta, Snapshot, diff};
use crate::instructions::{Healthcheck, Instruction, Kind, Source};
use crate::plan::dispatch::{StageRun, StepSource};
use crate::plan::{Base, Stage};
use crate::shell::{Env, Lexer};
use crate::syntax::Token;
use crate::text::Span;

/// How a layer was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fidelity {
    /// Every effect computed.
    Exact,
    /// Part of the effect is estimated.
    Modeled,
    /// The effect is unknown: the filesystem is left as it was.
    Opaque,
    /// The step fails in a real build; its layer is empty.
    Failed,
}

/// The build context, as the builder receives it.
#[derive(Clone, Debug, Default)]
pub struct BuildContext {
    /// Every file of the context directory (owned by root, as Docker sends them).
    pub files: Snapshot,
    /// The `.dockerignore` in effect, if any.
    pub dockerignore: Option<Matcher>,
    /// The context's files are not given (a Dockerfile read without its directory): what a
    /// COPY or a bind mount names from it and `files` lacks stands in as a file or directory
    /// of unknown content, and the steps after it are `modeled` over partly unknown files.
    pub unknown: bool,
}

impl BuildContext {
    /// A context from files a caller hands over (the playground's): `path` relative to the
    /// context root (`/` separated; a leading `/` or `./` is dropped), content, permission
    /// bits. Directories on the way are made (0755); everything is owned by root, as Docker
    /// sends a context.
    ///
    /// # Errors
    /// An empty path, a `..` component, a path given twice, a file where a directory is
    /// needed, or a `.dockerignore` that does not parse (with its line).
    pub fn from_files(
        files: impl IntoIterator<Item = (String, Content, u32)>,
        dockerignore: Option<&str>,
    ) -> Result<Self, String> {
        let dockerignore = match dockerignore.map(Matcher::parse) {
            None => None,
            Some(Ok(m)) => Some(m),
            Some(Err((line, e))) => return Err(format!(".dockerignore line {line}: {e}")),
        };
        let mut snapshot = Snapshot::new();
        for (path, content, mode) in files {
            let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
            if parts.is_empty() {
                return Err(format!("context file {}: empty path", crate::gostr::quote(&path)));
            }
            if parts.contains(&"..") {
                return Err(format!("context file {}: `..` would leave the context", crate::gostr::quote(&path)));
            }
            if path.contains('\0') {
                return Err(format!("context file {}: NUL in the name", crate::gostr::quote(&path)));
            }
            let clean = format!("/{}", parts.join("/"));
            if snapshot.lstat(&clean).is_some() {
                return Err(format!("context file {}: given twice", crate::gostr::quote(&path)));
            }
            if parts.len() > 1 {
                let parent = format!("/{}", parts[..parts.len() - 1].join("/"));
                snapshot
                    .mkdir_all(&parent, Meta::new(0o755, 0, 0))
                    .map_err(|e| format!("context file {}: {e}", crate::gostr::quote(&path)))?;
            }
            snapshot
                .insert(&clean, Entry::file(content, Meta::new(mode & 0o7777, 0, 0)))
                .map_err(|e| format!("context file {}: {e}", crate::gostr::quote(&path)))?;
        }
        Ok(Self { files: snapshot, dockerignore, unknown: false })
    }

    /// A context whose files are not given: every COPY from it is modeled.
    #[must_use]
    pub fn unknown() -> Self {
        Self { unknown: true, ..Self::default() }
    }

    /// The context as a tar archive that `docker build - < context.tar` builds: its files,
    /// plus the Dockerfile (`name`, `text`) and `.dockerignore` (`dockerignore`) at the root.
    ///
    /// # Errors
    /// When a name cannot be written or the Dockerfile's name is not a plain file name.
    pub fn to_tar(&self, dockerfile: (&str, &str), dockerignore: Option<&str>) -> Result<Vec<u8>, String> {
        let mut files = self.files.clone();
        let (name, text) = dockerfile;
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(format!("{} is not a file name", crate::gostr::quote(name)));
        }
        let root = |n: &str| format!("/{n}");
        files
            .insert(&root(name), Entry::file(Content::bytes(text.as_bytes().to_vec()), Meta::new(0o644, 0, 0)))
            .map_err(|e| format!("{name}: {e}"))?;
        if let Some(ignore) = dockerignore {
            files
                .insert(
                    &root(".dockerignore"),
                    Entry::file(Content::bytes(ignore.as_bytes().to_vec()), Meta::new(0o644, 0, 0)),
                )
                .map_err(|e| format!(".dockerignore: {e}"))?;
        }
        crate::fs::to_tar(&files, "/")
    }

    /// What the builder sees: the files `.dockerignore` does not exclude.
    #[must_use]
    pub fn visible(&self) -> Snapshot {
        let Some(matcher) = &self.dockerignore else { return self.files.clone() };
        let mut out = self.files.clone();
        for (path, _) in self.files.walk("/") {
            let rel = path.trim_start_matches('/');
            if !rel.is_empty() && matcher.excludes(rel) && out.lstat(&path).is_some() {
                let _ = out.remove(&path);
            }
        }
        out
    }
}

/// One step of a stage.
#[derive(Clone, Debug)]
pub struct Step {
    pub source: StepSource,
    /// The instruction as written (for an ONBUILD trigger, the trigger).
    pub text: String,
    pub span: Span,
    pub fidelity: Fidelity,
    /// Does the step make a filesystem layer (RUN, COPY, ADD, WORKDIR), or only change the
    /// config?
    pub makes_layer: bool,
    pub layer: Layer,
    /// The cache key and what it is made of (layer steps only).
    pub cache: Option<cache::StepCache>,
    /// The stage's filesystem after this step (shares structure with the one before: a
    /// step costs what it changed).
    pub after: Snapshot,
    /// What an interpreted RUN printed (standard output and error).
    pub output: String,
}

/// One stage, simulated.
#[derive(Clone, Debug)]
pub struct StageSim {
    pub index: usize,
    pub base: Snapshot,
    pub snapshot: Snapshot,
    pub steps: Vec<Step>,
    pub config: ImageConfig,
    /// Where the base came from, in words.
    pub base_description: String,
    /// The base image's default shell (`/bin/sh` and which shell it is), when the catalog
    /// knows it; a stage built on another inherits its shell.
    pub shell: Option<crate::catalog::Shell>,
    /// Part of the filesystem is unknown (an opaque step here or in a stage it is built from,
    /// or a base image whose files are not in the catalog): a missing path may exist in reality.
    pub opaque: bool,
    /// The key of the stage's last layer (its base's, when it has none): stages built FROM
    /// this one hang from it.
    pub last_key: String,
}

impl StageSim {
    /// Bytes the stage's own layers add.
    #[must_use]
    pub fn added_size(&self) -> u64 {
        self.steps.iter().map(|s| s.layer.size()).sum()
    }
}

/// The whole simulation.
#[derive(Clone, Debug, Default)]
pub struct Simulation {
    /// Simulated stages (the built ones), in definition order.
    pub stages: Vec<StageSim>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Simulation {
    #[must_use]
    pub fn stage(&self, index: usize) -> Option<&StageSim> {
        // Stages are simulated (and kept) in definition order.
        self.stages.binary_search_by_key(&index, |s| s.index).ok().map(|i| &self.stages[i])
    }
}

/// Simulate, change the Dockerfile, the context or the build args, simulate again: each
/// step of the new run is `CACHED` when the previous run built the same thing, or says why it
/// missed.
#[derive(Clone, Debug, Default)]
pub struct Session {
    last: Option<Simulation>,
}

impl Session {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs the simulation and compares it with the previous run of this session.
    pub fn simulate(
        &mut self,
        text: &str,
        analysis: &Analysis,
        checked: &Checked,
        context: &BuildContext,
        catalog: &Catalog,
    ) -> (Simulation, Vec<cache::StepStatus>) {
        let sim = simulate(text, analysis, checked, context, catalog);
        let statuses = cache::compare(self.last.as_ref(), &sim);
        self.last = Some(sim.clone());
        (sim, statuses)
    }
}

/// Simulates the stages `checked` builds (its plan and dispatch), with `context` and the
/// base images of `catalog`.
#[must_use]
pub fn simulate(
    text: &str,
    analysis: &Analysis,
    checked: &Checked,
    context: &BuildContext,
    catalog: &Catalog,
) -> Simulation {
    let visible = context.visible();
    let mut sim = Simulator {
        text,
        analysis,
        checked,
        context,
        visible,
        catalog,
        lexer: Lexer::new(analysis.tree.escape),
        out: Simulation::default(),
        base_shell: None,
        caches: Vec::new(),
    };
    for stage in checked.plan.stages.iter().filter(|s| s.built) {
        let Some(run) = checked.dispatch.stage(stage.index) else { continue };
        let stage_sim = sim.stage(stage, run);
        sim.out.stages.push(stage_sim);
    }
    crate::sort::sort_by_key(&mut sim.out.diagnostics, |d| (d.span.start, d.span.end, d.code));
    sim.out
}

struct Simulator<'a> {
    text: &'a str,
    analysis: &'a Analysis,
    checked: &'a Checked,
    context: &'a BuildContext,
    visible: Snapshot,
    catalog: &'a Catalog,
    lexer: Lexer,
    out: Simulation,
    /// The shell of the stage being simulated's base.
    base_shell: Option<crate::catalog::Shell>,
    /// Cache mounts' content by id (the `id=`, else the target), kept from one RUN to the
    /// next within the build, as BuildKit keeps them.
    caches: Vec<(String, crate::fs::Entry)>,
}

impl Simulator<'_> {
    fn diag(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.out.diagnostics.push(Diagnostic::new(code, span, message));
    }

    /// The base image's files and config, or an empty base with a note; the image's shell
    /// goes to `self.base_shell`.
    fn image(&mut self, reference: &str, span: Span) -> (Snapshot, ImageConfig, String, bool) {
        let Some(resolution) = self.catalog.resolve(reference) else {
            self.diag(
                Code::SimulationGap,
                span,
                format!(
                    "{reference} is not in the catalog: the stage starts from an empty filesystem and an empty config"
                ),
            );
            return (Snapshot::new(), ImageConfig::default(), format!("image {reference} (unknown)"), true);
        };
        let entry = resolution.entry;
        self.base_shell.clone_from(&entry.shell);
        if let Some(note) = resolution.note {
            self.diag(Code::SimulationNote, span, note);
        }
        let config = ImageConfig::from(&entry.config);
        if let Some(tree) = &entry.tree {
            return (tree.clone(), config, format!("image {reference} ({})", entry.source), false);
        }
        let description = format!("image {reference} (config only: its files are not in the catalog)");
        self.diag(
            Code::SimulationGap,
            span,
            format!("the catalog knows the config of {reference} but not its files: the stage starts from an empty filesystem"),
        );
        (Snapshot::new(), config, description, true)
    }

    fn stage(&mut self, stage: &Stage, run: &StageRun) -> StageSim {
        self.base_shell = None;
        let (base, mut config, base_description, opaque) = match &stage.base {
            Base::Stage(p) => match self.out.stage(*p) {
                Some(parent) => {
                    self.base_shell.clone_from(&parent.shell);
                    let mut config = parent.config.clone();
                    config.onbuild.clear();
                    let name = format!("stage {}", self.checked.plan.stages[*p].display_name());
                    (parent.snapshot.clone(), config, name, parent.opaque)
                }
                None => (Snapshot::new(), ImageConfig::default(), "an unknown stage".into(), true),
            },
            Base::Scratch => (Snapshot::new(), ImageConfig::default(), "scratch".into(), false),
            Base::Image(reference) => self.image(reference, stage.base_span),
            Base::Context { name, value } => {
                self.diag(
                    Code::SimulationGap,
                    stage.base_span,
                    format!(
                        "the named context {name}={value} is not available to the simulation: the stage starts empty"
                    ),
                );
                (Snapshot::new(), ImageConfig::default(), format!("named context {name}"), true)
            }
            Base::Unknown => (Snapshot::new(), ImageConfig::default(), "an unresolved base".into(), true),
        };
        if stage.platform.as_deref().is_some_and(|p| p.starts_with("windows"))
            || matches!(&stage.base, Base::Image(reference) if crate::plan::dispatch::windows_image(reference))
        {
            config.windows = true;
        }
        if config.env_value("PATH").is_none() && !config.windows {
            config.set_env("PATH", crate::plan::dispatch::DEFAULT_PATH);
        }
        let base_key = match &stage.base {
            Base::Stage(p) => self.out.stage(*p).map_or_else(|| cache::base_key("unknown"), |s| s.last_key.clone()),
            _ => cache::base_key(&base_description),
        };
        let mut parent_key = base_key;
        let mut state = StageState {
            snapshot: base.clone(),
            config,
            cmd_set: false,
            opaque,
            sources: BTreeMap::new(),
            source_entries: Vec::new(),
            link: false,
            output: String::new(),
            failed_before: false,
        };
        let mut steps = Vec::new();
        for step in &run.steps {
            let (item, span, text) = match step.source {
                StepSource::Instruction { index } => {
                    let item = &self.analysis.instructions.items[index];
                    (item, item.span, item.span.slice(self.text).to_string())
                }
                StepSource::Trigger { onbuild } => {
                    let Some((_, trigger)) = run.triggers.iter().find(|(o, _)| *o == onbuild) else { continue };
                    let expression = match &self.analysis.instructions.items[onbuild].kind {
                        Kind::Onbuild(o) => o.expression.clone(),
                        _ => String::new(),
                    };
                    (trigger, stage.from_span, format!("ONBUILD {expression}"))
                }
            };
            let trigger_text = matches!(step.source, StepSource::Trigger { .. });
            let before = state.snapshot.clone();
            let (fidelity, makes_layer) = self.apply(item, trigger_text, span, &step.env, &mut state);
            if fidelity == Fidelity::Opaque {
                state.opaque = true;
            }
            // A real build stops at a failed step; what it would have done is unknown, so the
            // RUN steps after it run over partly unknown files.
            state.failed_before |= fidelity == Fidelity::Failed;
            let layer = if makes_layer { diff(&before, &state.snapshot) } else { Layer::default() };
            let sources = std::mem::take(&mut state.sources);
            let source_entries = std::mem::take(&mut state.source_entries);
            let link = std::mem::take(&mut state.link);
            let output = std::mem::take(&mut state.output);
            let cache = makes_layer.then(|| {
                let mut instruction = text.clone();
                for u in &step.uses {
                    let _ = write!(instruction, "\n${}={}", u.name, u.value.as_deref().unwrap_or_default());
                }
                let mut env = BTreeMap::new();
                if matches!(item.kind, Kind::Run(_)) {
                    env.extend(step.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
                }
                let parent = if link { String::new() } else { parent_key.clone() };
                cache::StepCache { key: String::new(), parent, instruction, sources, source_entries, env }.sealed()
            });
            if let Some(c) = &cache {
                // A --link layer is merged onto the stage: what follows depends on both.
                parent_key = if link {
                    crate::report::sim::sha256_hex(format!("merge {parent_key} {}", c.key).as_bytes())
                } else {
                    c.key.clone()
                };
            }
            let after = state.snapshot.clone();
            steps.push(Step { source: step.source, text, span, fidelity, makes_layer, layer, cache, after, output });
        }
        StageSim {
            index: stage.index,
            base,
            snapshot: state.snapshot,
            steps,
            config: state.config,
            base_description,
            shell: self.base_shell.take(),
            opaque: state.opaque,
            last_key: parent_key,
        }
    }

    fn expand(&self, token: &Token, env: &Env) -> String {
        self.lexer.process_word(&token.value, env).unwrap_or_else(|_| token.value.to_string())
    }

    /// Applies one instruction; returns its fidelity and whether it makes a layer.
    #[allow(clippy::too_many_lines)]
    fn apply(
        &mut self,
        item: &Instruction,
        trigger: bool,
        span: Span,
        env: &Env,
        state: &mut StageState,
    ) -> (Fidelity, bool) {
        // Spans inside an ONBUILD trigger point into the trigger's text: report at the FROM.
        let at = |s: Span| if trigger { span } else { s };
        match &item.kind {
            Kind::Env(pairs) => {
                for pair in pairs {
                    let key = self.expand(&pair.key, env);
                    let value = self.expand(&pair.value, env);
                    state.config.set_env(&key, &value);
                }
                (Fidelity::Exact, false)
            }
            Kind::Label(pairs) => {
                for pair in pairs {
                    state.config.set_label(self.expand(&pair.key, env), self.expand(&pair.value, env));
                }
                (Fidelity::Exact, false)
            }
            Kind::User(user) => {
                state.config.user = self.expand(user, env);
                (Fidelity::Exact, false)
            }
            Kind::Expose(ports) => {
                for token in ports {
                    for word in self.lexer.process_words(&token.value, env).unwrap_or_default() {
                        if let Some(port) = normalize_port(&word) {
                            state.config.expose(port);
                        }
                    }
                }
                (Fidelity::Exact, false)
            }
            Kind::Volume(volumes) => {
                for v in volumes {
                    let v = self.expand(v, env);
                    if !v.is_empty() {
                        state.config.add_volume(v);
                    }
                }
                (Fidelity::Exact, false)
            }
            Kind::Stopsignal(signal) => {
                state.config.stop_signal = Some(self.expand(signal, env));
                (Fidelity::Exact, false)
            }
            Kind::Shell(words) => {
                state.config.shell = words.iter().map(|w| w.value.to_string()).collect();
                (Fidelity::Exact, false)
            }
            Kind::Maintainer(name) => {
                state.config.author = Some(name.value.to_string());
                (Fidelity::Exact, false)
            }
            Kind::Onbuild(onbuild) => {
                state.config.onbuild.push(onbuild.expression.clone());
                (Fidelity::Exact, false)
            }
            Kind::Cmd(command) => {
                let args: Vec<String> = command.args.iter().map(|t| t.value.to_string()).collect();
                state.config.cmd = Some(if command.shell_form { with_shell(&state.config, &args) } else { args });
                state.cmd_set = true;
                (Fidelity::Exact, false)
            }
            Kind::Entrypoint(command) => {
                let args: Vec<String> = command.args.iter().map(|t| t.value.to_string()).collect();
                let value = if command.shell_form { with_shell(&state.config, &args) } else { args };
                // An empty shell form clears the entrypoint (BuildKit's `emptyAsNil`).
                state.config.entrypoint = if command.shell_form || !value.is_empty() { Some(value) } else { None };
                if !state.cmd_set {
                    state.config.cmd = None;
                }
                (Fidelity::Exact, false)
            }
            Kind::Healthcheck(health) => {
                state.config.healthcheck = Some(match health {
                    Healthcheck::None => HealthConfig {
                        test: vec!["NONE".into()],
                        interval: 0,
                        timeout: 0,
                        start_period: 0,
                        start_interval: 0,
                        retries: 0,
                    },
                    Healthcheck::Cmd { test, interval, timeout, start_period, start_interval, retries, .. } => {
                        HealthConfig {
                            test: test.clone(),
                            interval: *interval,
                            timeout: *timeout,
                            start_period: *start_period,
                            start_interval: *start_interval,
                            retries: *retries,
                        }
                    }
                });
                (Fidelity::Exact, false)
            }
            Kind::Workdir(path) => {
                let requested = self.expand(path, env);
                if requested.is_empty() {
                    return (Fidelity::Failed, true);
                }
                // A Windows stage's path loses its drive letter (BuildKit's NormalizeWorkdir),
                // and the config keeps it with backslashes.
                let requested = if state.config.windows {
                    match crate::plan::dispatch::windows_path(&requested) {
                        Ok(p) => p,
                        Err(_) => return (Fidelity::Failed, true),
                    }
                } else {
                    requested
                };
                let workdir = if requested.starts_with('/') {
                    crate::dockerignore::clean(&requested)
                } else {
                    crate::dockerignore::clean(&format!("/{}/{requested}", state.config.workdir_path()))
                };
                state.config.workdir = if state.config.windows { workdir.replace('/', "\\") } else { workdir.clone() };
                if workdir == "/" {
                    return (Fidelity::Exact, false);
                }
                let owner = if state.config.user.is_empty() {
                    Ok(((0, 0), None))
                } else {
                    resolve_ids(&state.config.user, &state.snapshot, state.opaque)
                };
                let mut fidelity = Fidelity::Exact;
                let (uid, gid) = match owner {
                    Ok((o, None)) => o,
                    Ok((o, Some(note))) => {
                        fidelity = Fidelity::Modeled;
                        self.diag(Code::SimulationNote, at(path.span), format!("modeled: {note}"));
                        o
                    }
                    Err(e) => {
                        self.diag(Code::SimulationError, at(path.span), e);
                        return (Fidelity::Failed, true);
                    }
                };
                match state.snapshot.mkdir_all(&workdir, Meta::new(0o755, uid, gid)) {
                    Ok(_) => (fidelity, true),
                    Err(e) => {
                        self.diag(Code::SimulationError, at(path.span), format!("mkdir {workdir}: {e}"));
                        (Fidelity::Failed, true)
                    }
                }
            }
            Kind::Copy(c) => {
                let source = match &c.from {
                    None => CopySource::Context,
                    Some(from) => {
                        let Some((files, opaque)) = self.source_files(&from.value, at(from.span)) else {
                            self.diag(
                                Code::SimulationGap,
                                at(from.span),
                                format!("the files of {} are not known: the copy is opaque", from.value),
                            );
                            return (Fidelity::Opaque, true);
                        };
                        CopySource::Other(files, opaque)
                    }
                };
                state.link = c.link;
                let request = CopyRequest {
                    sources: &c.sources,
                    dest: &c.dest,
                    chown: c.chown.as_ref(),
                    chmod: c.chmod.as_ref(),
                    excludes: &c.excludes,
                    is_add: false,
                    parents: c.parents,
                };
                let (fidelity, layer) = self.copy(&request, &source, env, state, &at);
                // Files from a stage whose steps were modeled are estimates too.
                let plan = &self.checked.plan;
                let modeled_source = c.from.as_ref().is_some_and(|from| {
                    let index = from
                        .value
                        .parse::<usize>()
                        .ok()
                        .filter(|&i| i < plan.stages.len())
                        .or_else(|| plan.stage_named(&from.value));
                    index
                        .and_then(|i| self.out.stage(i))
                        .is_some_and(|s| s.steps.iter().any(|st| st.fidelity == Fidelity::Modeled))
                });
                if modeled_source && fidelity == Fidelity::Exact {
                    self.diag(
                        Code::SimulationNote,
                        at(item.keyword_span),
                        "the copied files come from modeled steps: their content and sizes are estimates (modeled)",
                    );
                    return (Fidelity::Modeled, layer);
                }
                (fidelity, layer)
            }
            Kind::Add(a) => {
                state.link = a.link;
                let request = CopyRequest {
                    sources: &a.sources,
                    dest: &a.dest,
                    chown: a.chown.as_ref(),
                    chmod: a.chmod.as_ref(),
                    excludes: &a.excludes,
                    is_add: true,
                    parents: false,
                };
                self.copy(&request, &CopySource::Context, env, state, &at)
            }
            Kind::Run(run) => {
                if self.shell_syntax(run, state, &at) {
                    return (Fidelity::Failed, true);
                }
                self.run(run, item, env, state, &at)
            }
            Kind::Arg(_) | Kind::From(_) | Kind::Invalid => (Fidelity::Exact, false),
        }
    }

    /// RUN, interpreted over the stage's files ([`crate::run`]) when they are all known and
    /// the step needs nothing the interpreter lacks (mounts, a shell it does not know).
    fn run(
        &mut self,
        run: &crate::instructions::Run,
        item: &Instruction,
        env: &Env,
        state: &mut StageState,
        at: &dyn Fn(Span) -> Span,
    ) -> (Fidelity, bool) {
        let keyword = at(item.keyword_span);
        // Partly unknown files: an opaque step came before, or a failed one.
        let partial = state.opaque || state.failed_before;
        let gap = |sim: &mut Self, why: &str| {
            sim.diag(
                Code::SimulationGap,
                keyword,
                format!("{why}: the layer is opaque (the files it would change are unknown)"),
            );
            (Fidelity::Opaque, true)
        };
        let shell = state.config.shell_or_default();
        let Some(token) = run.command.args.first() else { return (Fidelity::Exact, true) };
        // Shell form: the stage's SHELL with the script. As BuildKit gives it: a heredoc alone
        // is the script (`<<-` strips its tabs), or, starting with `#!`, a file in /dev/pipes
        // run by itself; a command with heredocs goes to the shell with each body and delimiter
        // after the line, and the shell reads them.
        let mut pipe: Option<(String, String)> = None;
        let script: Option<String> = if !run.command.shell_form {
            None
        } else if run.files.is_empty() {
            Some(token.value.to_string())
        } else if run.files.len() == 1 && heredoc_only(&token.value, &run.files[0].name) {
            let file = &run.files[0];
            let body = if file.chomp {
                file.content.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
            } else {
                file.content.clone()
            };
            if body.starts_with("#!") && !state.config.windows {
                pipe = Some((format!("/dev/pipes/{}", file.name), body));
                None
            } else {
                Some(body)
            }
        } else {
            let mut full = token.value.to_string();
            for file in &run.files {
                full.push('\n');
                full.push_str(&file.content);
                full.push_str(&file.name);
            }
            Some(full)
        };
        // The shell, and the options before its `-c`.
        let mut options: Vec<String> = Vec::new();
        let windows = state.config.windows;
        let mut wrapper_note = None;
        let mut ps_script = None;
        let (dialect, shell_path) = if script.is_none() {
            (crate::sh::Dialect::Posix, None)
        } else {
            let Some((path, args)) = shell.split_first() else { return gap(self, "RUN with an empty SHELL") };
            let name = path.rsplit('/').next().unwrap_or_default();
            // Windows: cmd's command lines and PowerShell's scripts are interpreted (a Windows
            // SHELL may name its program by a path with backslashes).
            let program = name.rsplit('\\').next().unwrap_or_default().to_ascii_lowercase();
            let program = program.trim_end_matches(".exe");
            let cmd = program == "cmd";
            if windows && matches!(program, "powershell" | "pwsh") {
                // The line is one more argument after SHELL's: `-Command` joins them.
                let mut argv = args.to_vec();
                argv.push(script.clone().unwrap_or_default());
                ps_script = crate::run::pwsh_script(&argv).map(|s| (s, program == "pwsh"));
            }
            if windows && ps_script.is_none() && !(cmd && args.last().is_some_and(|a| a.eq_ignore_ascii_case("/c"))) {
                return gap(self, &format!("RUN in a Windows image (through {}) is not simulated", shell.join(" ")));
            }
            if windows {
                (crate::sh::Dialect::Posix, None)
            } else if let Some(at) = wrapped_shell(&shell) {
                // A wrapper before the shell (`conda run -n ENV /bin/bash -c`): the script runs
                // through that shell, in what the wrapper sets up.
                wrapper_note = Some(format!(
                    "the script runs through {} as {} would run it: what {} sets up around it is not simulated",
                    shell[at],
                    shell[..at].join(" "),
                    shell[0]
                ));
                options.extend(shell[at + 1..shell.len() - 1].iter().cloned());
                let dialect =
                    if shell[at].ends_with("bash") { crate::sh::Dialect::Bash } else { crate::sh::Dialect::Posix };
                (dialect, Some(shell[at].clone()))
            } else if !matches!(name, "sh" | "bash" | "ash" | "dash") || args.last().map(String::as_str) != Some("-c") {
                return gap(self, &format!("RUN through {} is not simulated", shell.join(" ")));
            } else {
                options.extend(args[..args.len() - 1].iter().cloned());
                let dialect = if name == "bash" { crate::sh::Dialect::Bash } else { crate::sh::Dialect::Posix };
                (dialect, Some(path.clone()))
            }
        };
        let userland = match self.base_shell.as_ref().and_then(|s| s.flavour.as_deref()) {
            Some("busybox-ash") => crate::run::Userland::Busybox,
            Some("dash" | "bash") => crate::run::Userland::Gnu,
            // Partly unknown files in an image the catalog does not describe: most images
            // are Debian's userland, and what runs is modeled anyway.
            _ if partial => crate::run::Userland::Gnu,
            _ => return gap(self, "RUN in an image whose userland the catalog does not name"),
        };
        let mut user_note = None;
        let (uid, gid) = if state.config.user.is_empty() {
            (0, 0)
        } else {
            match resolve_ids(&state.config.user, &state.snapshot, partial) {
                Ok((ids, note)) => {
                    user_note = note;
                    ids
                }
                Err(e) => {
                    self.diag(Code::SimulationError, keyword, e);
                    return (Fidelity::Failed, true);
                }
            }
        };
        let mut vars: Vec<(String, String)> = state
            .config
            .env_list()
            .iter()
            .filter_map(|e| e.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        for (k, v) in env.iter() {
            vars.retain(|(name, _)| name != k);
            vars.push((k.to_string(), v.to_string()));
        }
        if !vars.iter().any(|(k, _)| k == "HOME") {
            vars.push(("HOME".into(), users::home(uid, &state.snapshot)));
        }
        // The mounts: present during the step, not in its layer (a mount point that did not
        // exist stays as an empty directory, as BuildKit leaves it).
        let mut during = state.snapshot.clone();
        let mut mounted: Vec<(String, Option<crate::fs::Entry>)> = Vec::new();
        // Cache mounts to keep after the step: their id and target.
        let mut caches: Vec<(String, String)> = Vec::new();
        let mut mount_notes: Vec<&str> = Vec::new();
        let mut mount_partial = false;
        for m in &run.mounts {
            use crate::instructions::MountType;
            let target = match (m.mount_type(), &m.target) {
                (MountType::Ssh, _) => continue,
                (MountType::Secret, None) => {
                    format!("/run/secrets/{}", m.id.clone().or_else(|| m.source.clone()).unwrap_or_default())
                }
                (_, Some(t)) => crate::dockerignore::clean(&if t.starts_with('/') {
                    t.clone()
                } else {
                    format!("/{}/{t}", state.config.workdir_path())
                }),
                (_, None) => return gap(self, "RUN --mount without a target"),
            };
            mounted.push((target.clone(), during.lstat(&target)));
            let parent = target.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p }).to_string();
            let _ = during.mkdir_all(&parent, Meta::DIR);
            let _ = during.remove(&target);
            let entry = match m.mount_type() {
                MountType::Tmpfs => crate::fs::Entry::dir(Meta::new(0o1777, 0, 0)),
                MountType::Cache => {
                    let id = m.id.clone().unwrap_or_else(|| target.clone());
                    caches.push((id.clone(), target.clone()));
                    if let Some((_, kept)) = self.caches.iter().find(|(k, _)| *k == id) {
                        kept.clone()
                    } else {
                        mount_notes.push(
                            "a cache mount starts empty here; a real build may find what earlier builds left in it",
                        );
                        crate::fs::Entry::dir(Meta::DIR)
                    }
                }
                MountType::Secret => {
                    mount_notes.push("a secret's content is not known here");
                    crate::fs::Entry::file(crate::fs::Content::synthetic(0, "secret"), Meta::new(0o400, 0, 0))
                }
                MountType::Bind => {
                    let source = m.source.clone().unwrap_or_else(|| "/".into());
                    let (files, unknown) = match &m.from {
                        None => (self.visible.clone(), self.context.unknown),
                        Some(from) => match self.source_files(from, keyword) {
                            Some(found) => found,
                            None => return gap(self, &format!("the files of --mount from={from} are not known")),
                        },
                    };
                    if unknown {
                        // A stage with opaque steps: what is known of it is mounted, the step
                        // runs over partly unknown files.
                        mount_partial = true;
                        mount_notes.push(if m.from.is_none() {
                            "the build context is not given: a bind mount from it holds files that are not known here"
                        } else {
                            "a bind mount from a stage with opaque steps holds files that are not known here"
                        });
                    }
                    match files.stat(&source) {
                        Some(e) => e,
                        None if unknown => context_stand_in(&source, "a bind mount's source"),
                        None => {
                            // BuildKit cannot compute the mount's cache key: the build fails.
                            let path = crate::dockerignore::clean(&format!("/{source}"));
                            self.diag(
                                Code::SimulationError,
                                at(item.span),
                                format!("RUN --mount failed: {}: not found", crate::gostr::quote(&path)),
                            );
                            return (Fidelity::Failed, true);
                        }
                    }
                }
                MountType::Ssh => continue,
            };
            if during.insert(&target, entry).is_err() {
                return gap(self, &format!("--mount target {target} cannot be made here"));
            }
        }
        let partial = partial || mount_partial;
        // A heredoc starting with `#!`: BuildKit mounts it at /dev/pipes (0755) and runs it.
        // /dev is the container's own (a tmpfs), so nothing of it stays in the layer.
        let dev_before = during.lstat("/dev");
        if let Some((path, body)) = &pipe {
            let _ = during.mkdir_all("/dev/pipes", Meta::DIR);
            let _ = during
                .insert(path, crate::fs::Entry::file(Content::bytes(body.as_bytes().to_vec()), Meta::new(0o755, 0, 0)));
        }
        // The random devices, for a step that names one: their bytes are random, so a fixed
        // sequence stands for them (modeled) and what is made from them is not exact.
        let random_note = [script.as_deref().unwrap_or_default(), &token.value]
            .iter()
            .any(|t| t.contains("/dev/urandom") || t.contains("/dev/random"))
            .then(|| {
                for device in ["/dev/urandom", "/dev/random"] {
                    let _ = during.mkdir_all("/dev", Meta::DIR);
                    let _ = during.insert(device, crate::fs::Entry::file(random_bytes(), Meta::new(0o666, 0, 0)));
                }
                "random bytes (/dev/urandom) are not known ahead: a fixed sequence of 1 MiB stands for them".to_string()
            });
        let start = crate::run::Start {
            snapshot: during,
            env: vars,
            workdir: state.config.workdir_path(),
            uid,
            gid,
            userland,
            dialect,
            partial,
            network_none: run.network.as_ref().is_some_and(|n| n.value.as_ref() == "none"),
            packages: self.catalog.packages().cloned(),
        };
        // Over partly unknown files a missing shell may exist in reality: the script runs
        // as if it did (modeled).
        if let Some(path) = &shell_path
            && state.snapshot.stat(path).is_none()
            && !partial
        {
            self.diag(
                Code::SimulationError,
                keyword,
                format!("runc run failed: unable to start container process: exec: \"{path}\": stat {path}: no such file or directory"),
            );
            return (Fidelity::Failed, true);
        }
        let finished = if windows {
            if let Some((ps, core)) = &ps_script {
                crate::run::run_powershell(ps, *core, start)
            } else if let Some(line) = &script {
                crate::run::run_cmd(line, start)
            } else {
                let argv: Vec<String> = run.command.args.iter().map(|t| t.value.to_string()).collect();
                crate::run::run_windows_exec(&argv, start)
            }
        } else if let Some(script) = &script {
            let script =
                if options.is_empty() { script.clone() } else { format!("set {}\n{script}", options.join(" ")) };
            crate::run::run_script(&script, start)
        } else if let Some((path, _)) = &pipe {
            crate::run::run_exec(std::slice::from_ref(path), start)
        } else {
            let argv: Vec<String> = run.command.args.iter().map(|t| t.value.to_string()).collect();
            crate::run::run_exec(&argv, start)
        };
        let mut finished = finished;
        state.output = std::mem::take(&mut finished.output);
        for (id, target) in &caches {
            if let Some(entry) = finished.snapshot.lstat(target) {
                self.caches.retain(|(k, _)| k != id);
                self.caches.push((id.clone(), entry));
            }
        }
        for (target, original) in mounted.iter().rev() {
            let _ = finished.snapshot.remove(target);
            let restored = original.clone().unwrap_or_else(|| crate::fs::Entry::dir(Meta::DIR));
            let _ = finished.snapshot.insert(target, restored);
        }
        // What the step did in /dev stays in the container's tmpfs.
        let _ = finished.snapshot.remove("/dev");
        if let Some(dev) = dev_before {
            let _ = finished.snapshot.insert("/dev", dev);
        }
        finished.modeled.extend(mount_notes.iter().map(|n| (*n).to_string()));
        finished.modeled.extend(user_note);
        finished.modeled.extend(random_note);
        finished.modeled.extend(wrapper_note);
        match finished.stopped {
            Some(crate::run::Stop::Unknown { command, .. }) => {
                state.snapshot = finished.snapshot;
                self.diag(
                    Code::SimulationGap,
                    keyword,
                    format!(
                        "`{command}` is not simulated yet: what ran before it is kept, the rest of the step is opaque"
                    ),
                );
                (Fidelity::Opaque, true)
            }
            Some(crate::run::Stop::Budget { .. }) => {
                gap(self, "RUN ran past the simulation's budget of steps (an endless loop?)")
            }
            None if finished.status != 0 && partial => {
                // A failure over partly unknown files may be an artefact of what is unknown.
                gap(self, &format!("RUN exited with {} over files that are partly unknown here", finished.status))
            }
            None if finished.status != 0 => {
                let shown = match &script {
                    Some(s) => format!("{} {s}", shell.join(" ")),
                    None => run.command.args.iter().map(|t| t.value.to_string()).collect::<Vec<_>>().join(" "),
                };
                let mut message = format!("The command '{shown}' returned a non-zero code: {}", finished.status);
                if let Some(last) = state.output.lines().rev().find(|l| !l.trim().is_empty()) {
                    let _ = write!(message, " ({last})");
                }
                self.diag(Code::SimulationError, at(item.span), message);
                (Fidelity::Failed, true)
            }
            None if partial || finished.estimated => {
                state.snapshot = finished.snapshot;
                // Packages were installed by a model, or a mount brought unknown files: the
                // stage's files are only partly known from here.
                let why = if state.failed_before {
                    Some("a step before failed")
                } else if state.opaque {
                    Some("an earlier step left some unknown")
                } else if mount_partial {
                    Some("a mount holds files not known here")
                } else {
                    None
                };
                state.opaque |= finished.estimated || mount_partial;
                if let Some(why) = why {
                    self.diag(
                        Code::SimulationNote,
                        keyword,
                        format!("modeled: the step ran over files that are partly unknown ({why})"),
                    );
                }
                for why in &finished.modeled {
                    self.diag(Code::SimulationNote, keyword, format!("modeled: {why}"));
                }
                (Fidelity::Modeled, true)
            }
            None if !finished.modeled.is_empty() => {
                state.snapshot = finished.snapshot;
                for why in &finished.modeled {
                    self.diag(Code::SimulationNote, keyword, format!("modeled: {why}"));
                }
                (Fidelity::Modeled, true)
            }
            None => {
                state.snapshot = finished.snapshot;
                (Fidelity::Exact, true)
            }
        }
    }

    /// RUN's shell-form script as the stage's shell reads it: a syntax error fails the step,
    /// as it fails a real build, and is reported where it is. (Heredoc scripts wait for the
    /// interpreter, which knows how BuildKit joins them with the command line.)
    fn shell_syntax(&mut self, run: &crate::instructions::Run, state: &StageState, at: &dyn Fn(Span) -> Span) -> bool {
        let Some(token) = run.command.args.first() else { return false };
        if !run.command.shell_form || !run.files.is_empty() {
            return false;
        }
        // Only a POSIX shell's script is read here (not cmd's or PowerShell's).
        let shell = state.config.shell_or_default();
        let name = shell.first().map_or("", |s| s.rsplit('/').next().unwrap_or_default());
        if !matches!(name, "sh" | "bash" | "ash" | "dash") {
            return false;
        }
        let dialect = if name == "bash" { crate::sh::Dialect::Bash } else { crate::sh::Dialect::Posix };
        let script: &str = &token.value;
        let parsed = crate::sh::parse(script, dialect);
        // On one line the script is the source text itself, so spans map exactly; across
        // continuations they point at the whole command.
        let exact = token.span.slice(self.text) == script;
        let shift = |outer: Span, inner: Span| Span {
            start: outer.start.saturating_add(inner.start),
            end: outer.start.saturating_add(inner.end),
        };
        let mut failed = false;
        // The shell stops at its first syntax error: what follows it is never read.
        for mut d in parsed.diagnostics {
            if failed {
                break;
            }
            let inner = shift(token.span, d.span);
            d.span = at(if exact { inner } else { token.span });
            for label in &mut d.related {
                let inner = shift(token.span, label.span);
                label.span = at(if exact { inner } else { token.span });
            }
            failed |= d.is_error();
            self.out.diagnostics.push(d);
        }
        failed
    }

    /// The files `--from` names (a stage simulated before this one, or a catalog image, with
    /// a note when the catalog's nearest tag stands in), and whether part of them is unknown.
    fn source_files(&mut self, from: &str, span: Span) -> Option<(Snapshot, bool)> {
        let plan = &self.checked.plan;
        let index = from.parse::<usize>().ok().filter(|&i| i < plan.stages.len()).or_else(|| plan.stage_named(from));
        if let Some(i) = index {
            return self.out.stage(i).map(|s| (s.snapshot.clone(), s.opaque));
        }
        let resolution = self.catalog.resolve(from)?;
        let tree = resolution.entry.tree.clone()?;
        if let Some(note) = resolution.note {
            self.diag(Code::SimulationNote, span, note);
        }
        Some((tree, false))
    }

    fn copy(
        &mut self,
        request: &CopyRequest<'_>,
        source: &CopySource,
        env: &Env,
        state: &mut StageState,
        at: &dyn Fn(Span) -> Span,
    ) -> (Fidelity, bool) {
        let verb = if request.is_add { "ADD" } else { "COPY" };
        let dest_raw = self.expand(request.dest, env);
        let dest_raw = if state.config.windows {
            match crate::plan::dispatch::windows_path(&dest_raw) {
                // NormalizePath keeps a trailing slash ("a directory").
                Ok(p) if dest_raw.ends_with(['/', '\\']) && !p.ends_with('/') => format!("{p}/"),
                Ok(p) => p,
                Err(e) => {
                    self.diag(Code::SimulationError, at(request.dest.span), format!("{verb} {dest_raw}: {e}"));
                    return (Fidelity::Failed, true);
                }
            }
        } else {
            dest_raw
        };
        let dest = resolve_dest(&state.config.workdir_path(), &dest_raw);
        let mut fidelity = Fidelity::Exact;
        let chown = match request.chown.map(|c| self.expand(c, env)) {
            None => None,
            Some(spec) => match resolve_ids(&spec, &state.snapshot, state.opaque) {
                Ok((ids, None)) => Some(ids),
                Ok((ids, Some(note))) => {
                    fidelity = Fidelity::Modeled;
                    let span = at(request.chown.map_or(request.dest.span, |c| c.span));
                    self.diag(Code::SimulationNote, span, format!("modeled: {note}"));
                    Some(ids)
                }
                Err(e) => {
                    self.diag(Code::SimulationError, at(request.chown.map_or(request.dest.span, |c| c.span)), e);
                    return (Fidelity::Failed, true);
                }
            },
        };
        let chmod = match request.chmod.map(|c| self.expand(c, env)) {
            None => None,
            Some(value) => match Chmod::parse(&value) {
                Ok(m) => Some(m),
                Err(e) => {
                    self.diag(Code::SimulationError, at(request.chmod.map_or(request.dest.span, |c| c.span)), e);
                    return (Fidelity::Failed, true);
                }
            },
        };
        let exclude = if request.excludes.is_empty() {
            None
        } else {
            let patterns: Vec<String> = request.excludes.iter().map(|t| t.value.to_string()).collect();
            Matcher::parse(&patterns.join("\n")).ok()
        };
        let options = CopyOptions { chown, chmod, wildcards: true, exclude };
        let mut failed = false;
        let context_unknown = matches!(source, CopySource::Context) && self.context.unknown;
        let source_opaque = match source {
            CopySource::Context => false,
            CopySource::Other(_, opaque) => *opaque,
        };
        let mut working = state.snapshot.clone();
        // Several sources with a file destination: Docker requires a directory.
        for src in request.sources {
            match src {
                Source::Heredoc(file) => {
                    state
                        .sources
                        .insert(format!("<<{}", file.name), crate::report::sim::sha256_hex(file.content.as_bytes()));
                    let body = if file.expand {
                        Lexer { skip_process_quotes: true, ..Lexer::new('\\') }
                            .process_word(&file.content, env)
                            .unwrap_or_else(|_| file.content.clone())
                    } else {
                        file.content.clone()
                    };
                    let inline = inline_file(&file.name, &body);
                    let no_wildcards = CopyOptions { wildcards: false, ..options.clone() };
                    if let Err(e) = copy(
                        &inline,
                        &format!("/{}", file.name.trim_start_matches('/')),
                        &mut working,
                        &dest,
                        &no_wildcards,
                    ) {
                        self.diag(Code::SimulationError, at(file.span), format!("{verb} failed: {e}"));
                        failed = true;
                    }
                }
                Source::Path(token) => {
                    let path = self.expand(token, env);
                    if request.is_add
                        && (path.starts_with("http://") || path.starts_with("https://") || path.starts_with("git@"))
                    {
                        fidelity = Fidelity::Modeled;
                        self.add_remote(&path, &dest, &mut working, &options, at(token.span));
                        continue;
                    }
                    let root = match source {
                        CopySource::Context => &self.visible,
                        CopySource::Other(s, _) => s,
                    };
                    // A Windows stage's sources lose their drive too (BuildKit's dispatchCopy
                    // runs them through NormalizePath): `C:\app\bin` is `/app/bin`.
                    let path = if state.config.windows && !request.parents {
                        match crate::plan::dispatch::windows_path(&path) {
                            Ok(p) => p,
                            Err(e) => {
                                self.diag(Code::SimulationError, at(token.span), format!("{verb} {path}: {e}"));
                                failed = true;
                                continue;
                            }
                        }
                    } else {
                        path
                    };
                    let normalized = crate::dockerignore::clean(&format!("/{path}"));
                    let matches = if crate::fs::copy::has_wildcards(&normalized) {
                        crate::fs::copy::resolve_wildcards(root, &normalized)
                    } else {
                        vec![normalized.clone()]
                    };
                    for matched in &matches {
                        if let Some((digest, entry)) = cache::digest(root, matched, options.exclude.as_ref()) {
                            state.sources.insert(matched.clone(), digest);
                            state.source_entries.retain(|(p, _)| p != matched);
                            state.source_entries.push((matched.clone(), entry));
                        }
                    }
                    // ADD extracts local archives (each match that is one) instead of copying.
                    if request.is_add {
                        let archives: Vec<(String, Vec<u8>)> =
                            matches.iter().filter_map(|m| archive_bytes(root, m).map(|b| (m.clone(), b))).collect();
                        if !archives.is_empty() {
                            let mut errors = Vec::new();
                            for (m, bytes) in &archives {
                                if let Err(e) = crate::fs::archive::unpack(bytes, &mut working, &dest, options.chown) {
                                    errors.push(format!("ADD failed: extracting {m}: {e}"));
                                }
                            }
                            let single = CopyOptions { wildcards: false, ..options.clone() };
                            for m in matches.iter().filter(|m| !archives.iter().any(|(a, _)| a == *m)) {
                                if let Err(e) = copy(root, m, &mut working, &dest, &single) {
                                    errors.push(format!("ADD failed: {e}"));
                                }
                            }
                            failed |= !errors.is_empty();
                            for e in errors {
                                self.diag(Code::SimulationError, at(token.span), e);
                            }
                            continue;
                        }
                    }
                    if request.parents {
                        // Each match lands at its own path below the pivot (`a/./b/c` keeps `b/c`).
                        let pivot = path
                            .split_once("/./")
                            .map_or("/".to_string(), |(p, _)| crate::dockerignore::clean(&format!("/{p}")));
                        let mut errors = Vec::new();
                        for m in &matches {
                            let rel = m.strip_prefix(pivot.trim_end_matches('/')).unwrap_or(m).trim_start_matches('/');
                            let parent = rel.rsplit_once('/').map_or("", |(p, _)| p);
                            let is_dir = root.stat(m).is_some_and(|e| e.is_dir());
                            let target = match (is_dir, parent.is_empty()) {
                                (true, _) => format!("{}/{rel}/", dest.trim_end_matches('/')),
                                (false, true) => format!("{}/", dest.trim_end_matches('/')),
                                (false, false) => format!("{}/{parent}/", dest.trim_end_matches('/')),
                            };
                            if let Err(e) = copy(
                                root,
                                m,
                                &mut working,
                                &target,
                                &CopyOptions { wildcards: false, ..options.clone() },
                            ) {
                                errors.push(format!("{verb} failed: {e}"));
                            }
                        }
                        failed |= !errors.is_empty();
                        for e in errors {
                            self.diag(Code::SimulationError, at(token.span), e);
                        }
                        continue;
                    }
                    match copy(root, &normalized, &mut working, &dest, &options) {
                        Ok(copied) if context_unknown => {
                            if fidelity == Fidelity::Exact {
                                fidelity = Fidelity::Modeled;
                            }
                            state.opaque = true;
                            let note = if copied == 0 {
                                format!(
                                    "modeled: the build context is not given, so what {path} matches there is not known"
                                )
                            } else {
                                format!(
                                    "modeled: the build context is not given; {path} copies the files given for it, and there may be more"
                                )
                            };
                            self.diag(Code::SimulationNote, at(token.span), note);
                        }
                        Ok(0) if source_opaque => {
                            fidelity = Fidelity::Opaque;
                            self.diag(
                                Code::SimulationGap,
                                at(token.span),
                                format!("{path} matches no file in the source as simulated: an opaque step there may create some, so this copy is opaque"),
                            );
                        }
                        Ok(0) => self.out.diagnostics.push(
                            Diagnostic::new(
                                Code::SimulationNote,
                                at(token.span),
                                format!("{path} matches no file: {verb} copies nothing for it"),
                            )
                            .with_help("BuildKit allows a wildcard that matches nothing"),
                        ),
                        Ok(_) if source_opaque => {
                            state.opaque = true;
                            if fidelity == Fidelity::Exact {
                                fidelity = Fidelity::Modeled;
                            }
                            self.diag(
                                Code::SimulationGap,
                                at(token.span),
                                format!("{path} comes from a source with opaque steps: what they changed there is unknown, so the copy may carry more or other files (modeled)"),
                            );
                        }
                        Ok(_) => {}
                        Err(CopyError::NotFound(_)) if context_unknown => {
                            // A file or directory of unknown content stands in for it, placed
                            // as Docker places the source it names.
                            let mut stand_in = Snapshot::new();
                            let parent =
                                normalized.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
                            let _ = stand_in.mkdir_all(parent, Meta::DIR);
                            let _ = stand_in.insert(&normalized, context_stand_in(&normalized, "a context file"));
                            let single = CopyOptions { wildcards: false, ..options.clone() };
                            if let Err(e) = copy(&stand_in, &normalized, &mut working, &dest, &single) {
                                failed = true;
                                self.diag(Code::SimulationError, at(token.span), format!("{verb} failed: {e}"));
                                continue;
                            }
                            if fidelity == Fidelity::Exact {
                                fidelity = Fidelity::Modeled;
                            }
                            state.opaque = true;
                            let what = if stand_in.stat(&normalized).is_some_and(|e| e.is_dir()) {
                                "a directory"
                            } else {
                                "a file"
                            };
                            self.diag(
                                Code::SimulationNote,
                                at(token.span),
                                format!("modeled: the build context is not given; {what} of unknown content stands in for {path}"),
                            );
                        }
                        Err(CopyError::NotFound(missing)) if source_opaque => {
                            fidelity = Fidelity::Opaque;
                            self.diag(
                                Code::SimulationGap,
                                at(token.span),
                                format!("{missing} is not in the source as simulated: an opaque step there may create it, so this copy is opaque"),
                            );
                        }
                        Err(e) => {
                            failed = true;
                            let mut d =
                                Diagnostic::new(Code::SimulationError, at(token.span), format!("{verb} failed: {e}"));
                            if matches!(source, CopySource::Context)
                                && matches!(e, CopyError::NotFound(_))
                                && let Some(matcher) = &self.context.dockerignore
                                && self.context.files.lstat(&normalized).is_some()
                                && let Some(p) = matcher.deciding_pattern(normalized.trim_start_matches('/'))
                            {
                                d = d.with_help(format!(
                                    "it is excluded by .dockerignore (line {}: {})",
                                    p.line, p.text
                                ));
                            } else if path.starts_with("..") {
                                d = d.with_help("paths are resolved inside the build context: .. cannot leave it");
                            }
                            self.out.diagnostics.push(d);
                        }
                    }
                }
            }
        }
        if failed {
            return (Fidelity::Failed, true);
        }
        state.snapshot = working;
        (fidelity, true)
    }

    /// ADD of a URL or a git repository: no network, ever. A file (or directory) of unknown
    /// content stands in for it.
    fn add_remote(&mut self, url: &str, dest: &str, working: &mut Snapshot, options: &CopyOptions, span: Span) {
        let name = url.trim_end_matches('/').rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("__unnamed__");
        let lower = url.to_ascii_lowercase();
        let is_git = lower.starts_with("git@")
            || std::path::Path::new(&lower).extension().is_some_and(|e| e == "git")
            || lower.contains(".git#");
        let mut stand_in = Snapshot::new();
        let entry = if is_git {
            Entry::dir(Meta::DIR)
        } else {
            Entry::file(Content::synthetic(0, url.to_string()), Meta::new(0o600, 0, 0))
        };
        let _ = stand_in.insert(&format!("/{name}"), entry);
        let src = if is_git { "/".to_string() + name } else { format!("/{name}") };
        let _ = copy(&stand_in, &src, working, dest, &CopyOptions { wildcards: false, ..options.clone() });
        self.diag(
            Code::SimulationGap,
            span,
            if is_git {
                format!("ADD of the git repository {url}: the simulation does not fetch it, the destination holds an empty directory")
            } else {
                format!("ADD of {url}: the simulation does not download it, the file's content and size are unknown")
            },
        );
    }
}

enum CopySource {
    Context,
    /// Another stage or an image, and whether part of it is unknown.
    Other(Snapshot, bool),
}

struct CopyRequest<'a> {
    sources: &'a [Source],
    dest: &'a Token,
    chown: Option<&'a Token>,
    chmod: Option<&'a Token>,
    excludes: &'a [Token],
    is_add: bool,
    /// `COPY --parents`: keep each source's path (below a `/./` pivot) under the destination.
    parents: bool,
}

#[allow(clippy::struct_excessive_bools)] // independent facts about the stage so far
struct StageState {
    snapshot: Snapshot,
    config: ImageConfig,
    /// A CMD was set in this stage (so ENTRYPOINT keeps it).
    cmd_set: bool,
    /// Part of the filesystem is unknown.
    opaque: bool,
    /// The digests of the sources the current COPY/ADD read, for its cache key.
    sources: BTreeMap<String, String>,
    source_entries: Vec<(String, crate::fs::Entry)>,
    /// The current COPY/ADD has `--link`.
    link: bool,
    /// What the current RUN printed.
    output: String,
    /// A step before failed.
    failed_before: bool,
}

/// Is a RUN command line only the marker of its one heredoc (`RUN <<EOF`, `RUN <<-'EOF'`)?
/// Then BuildKit gives the heredoc's body to the shell as the script.
fn heredoc_only(command: &str, name: &str) -> bool {
    let Some(marker) = command.trim().strip_prefix("<<") else { return false };
    let marker = marker.strip_prefix('-').unwrap_or(marker);
    let unquoted = marker.trim_matches(|c| c == '\'' || c == '"');
    unquoted == name && !marker.contains(char::is_whitespace)
}

/// Does `reference` name a Windows image (Server Core, Nano Server, .NET Framework, or a tag
/// that says so)? The catalog describes Linux images only, so the name is what tells.
/// The uid and gid of `spec` (`user`, `user:group`, numeric ids) from the stage's files. Over
/// partly unknown files a name they lack is taken to exist, with 1000:1000 (the first ids
/// useradd and adduser give) standing for it and a note that says so.
fn resolve_ids(spec: &str, snapshot: &Snapshot, partial: bool) -> Result<((u32, u32), Option<String>), String> {
    match users::resolve(spec, snapshot) {
        Ok(ids) => Ok((ids, None)),
        Err(e) if !partial => Err(e),
        // root is uid 0 whatever /etc/passwd says.
        Err(_) if spec.split(':').next() == Some("root") => Ok(((0, 0), None)),
        Err(_) => Ok((
            (1000, 1000),
            Some(format!(
                "the user {spec} is not in the files known here: its files are owned by 1000:1000, the first ids useradd gives"
            )),
        )),
    }
}

/// What stands in for `path` of a build context that is not given: a file of unknown content
/// when its name reads as a file's (an extension, a well-known name such as `Makefile` or
/// `.npmrc`), else a directory (`src`, `.mvn`) whose content is unknown.
fn context_stand_in(path: &str, what: &str) -> crate::fs::Entry {
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let known_files = [
        "Makefile",
        "GNUmakefile",
        "Dockerfile",
        "Gemfile",
        "Pipfile",
        "Procfile",
        "Rakefile",
        "LICENSE",
        "NOTICE",
        "VERSION",
        "gradlew",
        "mvnw",
        "Jenkinsfile",
        "Caddyfile",
        "Justfile",
        "Taskfile",
    ];
    let file_like = !path.ends_with('/')
        && (name.trim_start_matches('.').contains('.')
            || known_files.contains(&name)
            || [".env", ".gitignore", ".dockerignore", ".editorconfig", ".tool-versions"].contains(&name)
            || (name.starts_with('.') && (name.ends_with("rc") || name.ends_with("-version"))));
    if file_like {
        // Scripts are usually kept executable.
        let script = std::path::Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("sh"));
        let mode = if script || name == "gradlew" || name == "mvnw" { 0o755 } else { 0o644 };
        Entry::file(Content::synthetic(0, format!("{what} not given: {path}")), Meta::new(mode, 0, 0))
    } else {
        Entry::dir(Meta::DIR)
    }
}

/// BuildKit's destination: relative to WORKDIR, a trailing `/` (or `.`) kept as "a directory".
fn resolve_dest(workdir: &str, dest: &str) -> String {
    let dir_suffix = dest.ends_with('/') || dest == "." || dest.is_empty() || dest.ends_with("/.");
    let joined = if dest.starts_with('/') { dest.to_string() } else { format!("/{workdir}/{dest}") };
    let mut cleaned = crate::dockerignore::clean(&joined);
    if dir_suffix && cleaned != "/" {
        cleaned.push('/');
    }
    cleaned
}

fn with_shell(config: &ImageConfig, args: &[String]) -> Vec<String> {
    let mut shell = config.shell_or_default();
    shell.push(args.join(" "));
    shell
}

/// `80`, `80/TCP`, `8080-8081/udp` as the image config keys them (one per port).
fn normalize_port(word: &str) -> Option<String> {
    let container = word.rsplit(':').next()?;
    let (port, proto) = container.split_once('/').unwrap_or((container, "tcp"));
    let proto = if proto.is_empty() { "tcp".to_string() } else { crate::gostr::to_lower(proto) };
    port.parse::<u16>().ok().map(|p| format!("{p}/{proto}"))
}

/// The bytes of a file ADD would extract (a tar, possibly compressed), if it is one.
fn archive_bytes(root: &Snapshot, path: &str) -> Option<Vec<u8>> {
    let entry = root.stat(path)?;
    let crate::fs::Node::File { content, .. } = &entry.node else { return None };
    let bytes = content.as_bytes()?;
    crate::fs::archive::detect(bytes).map(|_| bytes.to_vec())
}

/// Where a shell (`sh`, `bash`, ...) stands after a wrapper in a SHELL that ends with `-c`
/// (`["conda", "run", "-n", "env", "/bin/bash", "-c"]`).
fn wrapped_shell(shell: &[String]) -> Option<usize> {
    if shell.last().map(String::as_str) != Some("-c") {
        return None;
    }
    let at = shell.iter().position(|a| matches!(a.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash")))?;
    (at > 0).then_some(at)
}

/// A fixed stand-in for the random devices' bytes (1 MiB of xorshift output), made once.
fn random_bytes() -> Content {
    static BYTES: std::sync::OnceLock<std::sync::Arc<[u8]>> = std::sync::OnceLock::new();
    Content::Bytes(
        BYTES
            .get_or_init(|| {
                let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
                (0..1 << 20)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        x.to_le_bytes()[3]
                    })
                    .collect()
            })
            .clone(),
    )
}

#[cfg(test)]
mod tests;
