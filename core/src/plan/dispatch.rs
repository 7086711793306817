//! Dispatch: the stages walked instruction by instruction as BuildKit's `dispatch` walks them,
//! to know what each line sees (its variables, and where each value comes from) and to run
//! the checks BuildKit makes only when it builds a stage: expansion errors, `EXPOSE`,
//! `STOPSIGNAL`, `VOLUME` and `WORKDIR` values, stage order, and the dispatch-time build checks
//! (`UndefinedVar`, `WorkdirRelativePath`, `JSONArgsRecommended`, ...).
//!
//! Only the stages BuildKit dispatches are walked: the target's, or every stage for a lint run
//! without a target (BuildKit's `AllStages`).

use std::fmt::Write as _;

use serde::Serialize;

use super::{Base, EdgeKind, Plan, Stage};
use crate::catalog::Catalog;
use crate::diagnostic::{Code, Diagnostic};
use crate::dockerignore::Matcher;
use crate::instructions::{self, Instruction, Kind, Source};
use crate::platform::Platform;
use crate::shell::{Env, Lexer};
use crate::syntax::{SyntaxTree, Token};
use crate::text::Span;

/// The default `PATH` BuildKit adds on Linux when the base image has none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Arguments BuildKit never puts into the environment.
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// What dispatch needs besides the plan.
#[derive(Clone, Copy, Debug)]
pub struct DispatchOptions<'a> {
    /// Dispatch every stage (a lint run without a target), not only the target's.
    pub all_stages: bool,
    pub catalog: &'a Catalog,
    /// The build context's `.dockerignore`, for `CopyIgnoredFile`.
    pub dockerignore: Option<&'a Matcher>,
    /// Which build checks are on.
    pub linter: &'a crate::lint::Linter,
}

/// Where a variable's value comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// The base image's config.
    BaseImage { image: String },
    /// The `PATH` BuildKit adds when the base image has none.
    DefaultPath,
    /// An `ENV` instruction (the key's span).
    Env { span: Span },
    /// An `ARG` instruction in the stage or a stage it is built from (the name's span).
    Arg { span: Span, from: ArgValueSource },
}

/// Which rule gave an in-stage `ARG` its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArgValueSource {
    /// `--build-arg` (wins over everything, and is not expanded).
    BuildArg,
    /// The ARG's own default, expanded.
    Default,
    /// `ARG NAME` without a default picks up the global value (or an automatic one).
    Global,
    /// No value anywhere: the name is declared, the variable stays unset.
    Unset,
}

/// One `ARG` definition inside a stage, and the value it ends up with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArgBinding {
    pub name: String,
    pub value: Option<String>,
    pub source: ArgValueSource,
    /// The name as written.
    pub span: Span,
}

/// A variable an instruction refers to, and what it resolved to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VarUse {
    pub name: String,
    /// `None` when the variable is unset.
    pub value: Option<String>,
    pub origin: Option<Origin>,
}

/// The state BuildKit carries from instruction to instruction, and into stages built FROM
/// this one.
#[derive(Clone, Debug)]
///
/// Every collection is persistent (cloning is O(1) and shares entries), so that thousands of
/// stages built FROM one another cost linear time.
pub struct State {
    /// What expansion sees: the base image's variables, then ENV and ARG values.
    pub env: Env,
    pub origins: rpds::RedBlackTreeMapSync<String, Origin>,
    /// ARG names declared so far (in this stage and the stages it is built from), in order.
    pub declared_args: rpds::VectorSync<String>,
    /// The same names, for lookups.
    pub declared: rpds::RedBlackTreeSetSync<String>,
    pub workdir: String,
    /// A WORKDIR instruction (not the image) set the working directory.
    pub workdir_set: bool,
    pub user: String,
    /// `SHELL`, when one was set (in the stage or a stage it is built from).
    pub shell: Option<Vec<String>>,
    pub platform: Platform,
    /// The base image's config is known (catalog, scratch or an earlier stage); when it is
    /// not, checks that need its variables are not made.
    pub base_known: bool,
}

/// Where a step comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepSource {
    /// An instruction of the stage (index into [`instructions::Instructions::items`]).
    Instruction { index: usize },
    /// An ONBUILD trigger of the parent stage firing (the index of that ONBUILD instruction).
    Trigger { onbuild: usize },
}

/// One dispatched instruction.
#[derive(Clone, Debug)]
pub struct Step {
    pub source: StepSource,
    /// The environment the instruction sees (before its own effect).
    pub env: Env,
    /// Variables its expanded fields refer to.
    pub uses: Vec<VarUse>,
}

/// One stage, walked.
#[derive(Clone, Debug)]
pub struct StageRun {
    pub stage: usize,
    pub steps: Vec<Step>,
    /// ONBUILD triggers that fired, typed (the parent's ONBUILD index, the instruction).
    pub triggers: Vec<(usize, Instruction)>,
    pub args: Vec<ArgBinding>,
    /// The state after the last instruction.
    pub end: State,
}

/// The dispatched stages of a plan.
#[derive(Clone, Debug, Default)]
pub struct Dispatch {
    /// In definition order; stages BuildKit does not dispatch are absent.
    pub stages: Vec<StageRun>,
    pub diagnostics: Vec<Diagnostic>,
    /// Checks that could not be made, and why (for example an image outside the catalog).
    pub notes: Vec<String>,
}

impl Dispatch {
    /// The walk of stage `index`, if it was dispatched.
    #[must_use]
    pub fn stage(&self, index: usize) -> Option<&StageRun> {
        self.stages.iter().find(|s| s.stage == index)
    }
}

/// Walks the stages of `plan` that BuildKit dispatches.
#[must_use]
pub fn dispatch(
    text: &str,
    tree: &SyntaxTree,
    items: &[Instruction],
    plan: &Plan,
    options: &super::BuildOptions,
    dispatch_options: DispatchOptions<'_>,
) -> Dispatch {
    let mut walker = Walker {
        text,
        items,
        plan,
        build_options: options,
        options: dispatch_options,
        lexer: Lexer::new(tree.escape),
        global: super::meta::env_of(&plan.args),
        out: Dispatch::default(),
        span_override: None,
        node: None,
    };
    walker.run();
    crate::sort::sort_by_key(&mut walker.out.diagnostics, |d| (d.span.start, d.span.end, d.code));
    walker.out
}

struct Walker<'a> {
    text: &'a str,
    items: &'a [Instruction],
    plan: &'a Plan,
    build_options: &'a super::BuildOptions,
    options: DispatchOptions<'a>,
    lexer: Lexer,
    global: Env,
    out: Dispatch,
    /// While an ONBUILD trigger runs, every finding is reported at the FROM that fired it.
    span_override: Option<Span>,
    /// The syntax node of the instruction being dispatched: its `# check=` comments decide
    /// which build checks run (none for ONBUILD triggers: the file's configuration).
    node: Option<usize>,
}

/// BuildKit's `instructionTracker`: the last CMD, ENTRYPOINT or HEALTHCHECK of a stage.
#[derive(Default)]
struct Trackers {
    cmd: Option<Span>,
    entrypoint: Option<Span>,
    healthcheck: Option<Span>,
}

impl Walker<'_> {
    fn run(&mut self) {
        let mut ends: Vec<Option<State>> = vec![None; self.plan.stages.len()];
        for stage in &self.plan.stages {
            if !(self.options.all_stages || stage.built) {
                continue;
            }
            let Some(start) = self.initial_state(stage, &ends) else { continue };
            let mut run =
                StageRun { stage: stage.index, steps: Vec::new(), triggers: Vec::new(), args: Vec::new(), end: start };
            if stage.replaced_by_context.is_none() {
                self.walk(stage, &mut run);
            }
            ends[stage.index] = Some(run.end.clone());
            self.out.stages.push(run);
        }
    }

    fn at(&self, span: Span) -> Span {
        self.span_override.unwrap_or(span)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.out.diagnostics.push(diagnostic);
    }

    fn lint(&mut self, code: Code, span: Span, message: String) {
        if !self.options.linter.allows(code, self.node) {
            return;
        }
        let span = self.at(span);
        self.out.diagnostics.push(Diagnostic::new(code, span, message));
    }

    /// BuildKit's state at the start of a stage: the parent stage's end, or the base image's
    /// config (with `PATH` always set on Linux).
    fn initial_state(&mut self, stage: &Stage, ends: &[Option<State>]) -> Option<State> {
        let platform =
            stage.platform.as_deref().and_then(|p| Platform::parse(p, &self.plan.build_platform).ok()).unwrap_or_else(
                || {
                    let mut platform = self.plan.target_platform.clone();
                    // A Windows image is built by a Windows daemon, for Windows.
                    if matches!(&stage.base, Base::Image(image) if windows_image(image)) {
                        platform.os = "windows".into();
                    }
                    platform
                },
            );
        let mut state = State {
            env: Env::new(),
            origins: rpds::RedBlackTreeMapSync::new_sync(),
            declared_args: rpds::VectorSync::new_sync(),
            declared: rpds::RedBlackTreeSetSync::new_sync(),
            workdir: "/".into(),
            workdir_set: false,
            user: String::new(),
            shell: None,
            platform,
            base_known: true,
        };
        match &stage.base {
            Base::Stage(parent) => return ends.get(*parent).cloned().flatten(),
            Base::Scratch => {}
            Base::Image(image) => {
                if let Some(entry) = self.options.catalog.lookup(image) {
                    for (k, v) in &entry.config.env {
                        state.env.set(k.clone(), v.clone());
                        state.origins.insert_mut(k.clone(), Origin::BaseImage { image: image.clone() });
                    }
                    if !entry.config.working_dir.is_empty() {
                        state.workdir = normalize_workdir("/", &entry.config.working_dir);
                    }
                    state.user.clone_from(&entry.config.user);
                    self.check_base_platform(stage, &entry.config.os, &entry.config.architectures, &state.platform);
                } else {
                    state.base_known = false;
                    self.out.notes.push(format!(
                        "{}: the base image {image} is not in the catalog, so its variables are unknown and UndefinedVar is not checked in this stage",
                        stage.display_name()
                    ));
                }
            }
            Base::Context { name, .. } => {
                state.base_known = false;
                self.out.notes.push(format!(
                    "{}: the base is the named build context {name}, whose variables are unknown",
                    stage.display_name()
                ));
            }
            Base::Unknown => state.base_known = false,
        }
        if state.env.get("PATH").is_none() && state.platform.os != "windows" {
            state.env.set("PATH", DEFAULT_PATH);
            state.origins.insert_mut("PATH".into(), Origin::DefaultPath);
        }
        Some(state)
    }

    /// `InvalidBaseImagePlatform`, against the catalog: an image published for one platform
    /// only, and not the one this stage is built for.
    fn check_base_platform(&mut self, stage: &Stage, os: &str, architectures: &[String], want: &Platform) {
        if let [only] = architectures
            && (os != want.os || *only != want.architecture)
        {
            let actual = format!("{os}/{only}");
            self.lint(
                Code::InvalidBaseImagePlatform,
                stage.base_span,
                format!(
                    "Base image {} was pulled with platform {}, expected {} for current build",
                    stage.base_text,
                    crate::gostr::quote(&actual),
                    crate::gostr::quote(&want.format())
                ),
            );
        }
    }

    fn walk(&mut self, stage: &Stage, run: &mut StageRun) {
        let mut trackers = Trackers::default();
        // The parent's ONBUILD triggers run first, reported at this FROM. BuildKit fires them
        // only in stages reachable from the target (even when it dispatches every stage).
        if let Base::Stage(parent) = stage.base
            && stage.built
        {
            for &j in &self.plan.stages[parent].instructions {
                let Kind::Onbuild(onbuild) = &self.items[j].kind else { continue };
                let tree = crate::syntax::parse(&onbuild.expression);
                let lowered = instructions::lower(&tree);
                if tree.nodes.len() != 1 {
                    continue; // The plan reports the malformed trigger.
                }
                let Some(trigger) = lowered.items.into_iter().next() else { continue };
                self.span_override = Some(stage.from_span);
                self.node = None;
                self.step(stage, run, &trigger, StepSource::Trigger { onbuild: j }, &mut trackers);
                self.span_override = None;
                run.triggers.push((j, trigger));
            }
        }
        for &i in &stage.instructions {
            let item = &self.items[i];
            self.node = Some(item.node);
            self.step(stage, run, item, StepSource::Instruction { index: i }, &mut trackers);
        }
    }

    fn step(
        &mut self,
        stage: &Stage,
        run: &mut StageRun,
        item: &Instruction,
        source: StepSource,
        trackers: &mut Trackers,
    ) {
        for d in &item.dispatch_diagnostics {
            let mut d = d.clone();
            d.span = self.at(d.span);
            self.push(d);
        }
        let mut step = Step { source, env: run.end.env.clone(), uses: Vec::new() };
        let keyword = item.keyword_span.slice(self.text).to_string();
        let keyword = if self.span_override.is_some() {
            item.keyword.map_or(String::new(), |k| k.name().to_string())
        } else {
            keyword
        };
        match &item.kind {
            Kind::Arg(defs) => self.arg(run, defs, &mut step),
            Kind::Env(pairs) => {
                let mut expanded = Vec::new();
                for pair in pairs {
                    let key = self.expand(&run.end, &pair.key, &mut step);
                    let value = self.expand(&run.end, &pair.value, &mut step);
                    expanded.push((pair, key, value));
                }
                for (pair, key, value) in expanded {
                    if pair.legacy {
                        self.lint(Code::LegacyKeyValueFormat, pair.key.span, legacy_message(&keyword));
                    }
                    let key = key.unwrap_or_else(|| pair.key.value.to_string());
                    self.secret_check("ENV", &key, pair.key.span);
                    let value = value.unwrap_or_default();
                    run.end.env.set(key.clone(), value);
                    run.end.origins.insert_mut(key, Origin::Env { span: self.at(pair.key.span) });
                }
            }
            Kind::Label(pairs) => {
                for pair in pairs {
                    self.expand(&run.end, &pair.key, &mut step);
                    self.expand(&run.end, &pair.value, &mut step);
                }
                for pair in pairs.iter().filter(|p| p.legacy) {
                    self.lint(Code::LegacyKeyValueFormat, pair.key.span, legacy_message(&keyword));
                }
            }
            Kind::Copy(copy) => {
                for token in [&copy.chown, &copy.chmod].into_iter().flatten() {
                    self.expand(&run.end, token, &mut step);
                }
                self.sources(&run.end, &copy.sources, copy.from.is_none(), "Copy", &mut step);
                self.expand(&run.end, &copy.dest, &mut step);
                if let Some(from) = &copy.from {
                    self.order_check(stage, EdgeKind::Copy, &from.value, "", from.span);
                }
            }
            Kind::Add(add) => {
                for token in [&add.chown, &add.chmod, &add.checksum].into_iter().flatten() {
                    self.expand(&run.end, token, &mut step);
                }
                self.sources(&run.end, &add.sources, true, "Add", &mut step);
                self.expand(&run.end, &add.dest, &mut step);
            }
            Kind::Workdir(path) => {
                let Some(expanded) = self.expand(&run.end, path, &mut step) else { return self.finish(run, step) };
                if expanded.is_empty() {
                    self.push(Diagnostic::new(
                        Code::InvalidInstruction,
                        self.at(path.span),
                        "normalizing workdir: cannot normalize nothing",
                    ));
                    return self.finish(run, step);
                }
                if !run.end.workdir_set && !is_abs(&expanded, &run.end.platform.os) {
                    self.lint(
                        Code::WorkdirRelativePath,
                        path.span,
                        format!(
                            "Relative workdir {} can have unexpected results if the base image changes",
                            crate::gostr::quote(&expanded)
                        ),
                    );
                }
                run.end.workdir_set = true;
                let expanded = if run.end.platform.os == "windows" {
                    match windows_path(&expanded) {
                        Ok(p) => p,
                        Err(e) => {
                            let message = format!(
                                "normalizing workdir: normalizing working directory: removing drive letter: {e}"
                            );
                            self.push(Diagnostic::new(Code::InvalidInstruction, self.at(path.span), message));
                            return self.finish(run, step);
                        }
                    }
                } else {
                    expanded
                };
                run.end.workdir = normalize_workdir(&run.end.workdir, &expanded);
            }
            Kind::User(user) => {
                if let Some(u) = self.expand(&run.end, user, &mut step) {
                    run.end.user = u;
                }
            }
            Kind::Volume(volumes) => {
                for v in volumes {
                    if self.expand(&run.end, v, &mut step).is_some_and(|e| e.is_empty()) {
                        self.push(Diagnostic::new(
                            Code::InvalidInstruction,
                            self.at(v.span),
                            "VOLUME specified can not be an empty string",
                        ));
                    }
                }
            }
            Kind::Stopsignal(signal) => {
                if let Some(s) = self.expand(&run.end, signal, &mut step)
                    && !valid_signal(&s)
                {
                    self.push(Diagnostic::new(
                        Code::InvalidInstruction,
                        self.at(signal.span),
                        format!("invalid signal: {s}"),
                    ));
                }
            }
            Kind::Expose(ports) => self.expose(&run.end, ports, &mut step),
            Kind::Run(run_cmd) => {
                for mount in &run_cmd.mounts {
                    for field in &mount.fields {
                        let token = Token { value: field.value.as_str().into(), span: field.span };
                        self.expand(&run.end, &token, &mut step);
                    }
                    if let Some(from) = mount.from.as_deref().filter(|f| !f.is_empty()) {
                        let target = mount.target.as_deref().unwrap_or_default();
                        self.order_check(stage, EdgeKind::Mount, from, target, mount.from_span.unwrap_or(mount.span));
                    }
                }
            }
            Kind::Cmd(command) | Kind::Entrypoint(command) => {
                let is_cmd = matches!(item.kind, Kind::Cmd(_));
                let tracker = if is_cmd { &mut trackers.cmd } else { &mut trackers.entrypoint };
                if let Some(previous) = tracker.replace(self.at(item.keyword_span)) {
                    self.lint(Code::MultipleInstructionsDisallowed, previous, multiple_message(&keyword));
                }
                if command.shell_form && run.end.shell.is_none() {
                    self.lint(
                        Code::JSONArgsRecommended,
                        item.keyword_span,
                        format!("JSON arguments recommended for {keyword} to prevent unintended behavior related to OS signals"),
                    );
                }
            }
            Kind::Healthcheck(_) => {
                if let Some(previous) = trackers.healthcheck.replace(self.at(item.keyword_span)) {
                    self.lint(Code::MultipleInstructionsDisallowed, previous, multiple_message(&keyword));
                }
            }
            Kind::Shell(words) => run.end.shell = Some(words.iter().map(|t| t.value.to_string()).collect()),
            Kind::From(_) | Kind::Maintainer(_) | Kind::Onbuild(_) | Kind::Invalid => {}
        }
        self.finish(run, step);
    }

    #[allow(clippy::unused_self)] // a method, so that every arm of `step` ends the same way
    fn finish(&mut self, run: &mut StageRun, step: Step) {
        run.steps.push(step);
    }

    /// BuildKit's `dispatchArg`: build-arg, else the ARG's default (expanded), else the
    /// global value; the value joins the environment.
    fn arg(&mut self, run: &mut StageRun, defs: &[instructions::ArgDef], step: &mut Step) {
        for def in defs {
            let name = def.name.value.to_string();
            self.secret_check("ARG", &name, def.name.span);
            let (value, source) = if let Some(v) = self.build_options.build_arg(&name) {
                (Some(v.to_string()), ArgValueSource::BuildArg)
            } else if let Some(default) = &def.default {
                (self.expand(&run.end, default, step), ArgValueSource::Default)
            } else if let Some(v) = self.global.get(&name) {
                (Some(v.to_string()), ArgValueSource::Global)
            } else {
                (None, ArgValueSource::Unset)
            };
            if let Some(v) = &value
                && !NON_ENV_ARGS.contains(&name.as_str())
            {
                run.end.env.set(name.clone(), v.clone());
                run.end.origins.insert_mut(name.clone(), Origin::Arg { span: self.at(def.name.span), from: source });
            }
            run.end.declared_args.push_back_mut(name.clone());
            run.end.declared.insert_mut(name.clone());
            run.args.push(ArgBinding { name, value, source, span: self.at(def.name.span) });
        }
    }

    /// Expands one word against the stage's environment, as BuildKit's single-word expander:
    /// unset variables that are not declared ARGs are `UndefinedVar`; an error is reported and
    /// gives `None`.
    fn expand(&mut self, state: &State, token: &Token, step: &mut Step) -> Option<String> {
        self.expand_with(self.lexer, state, token, step)
    }

    fn expand_with(&mut self, lexer: Lexer, state: &State, token: &Token, step: &mut Step) -> Option<String> {
        if !token.value.contains('$') && !token.value.contains(lexer.escape) && !token.value.contains(['"', '\'']) {
            return Some(token.value.to_string());
        }
        match lexer.process(&token.value, &state.env) {
            Err(e) => {
                self.push(Diagnostic::new(Code::ExpansionError, self.at(token.span), e.message));
                None
            }
            Ok(expansion) => {
                for name in &expansion.matched {
                    record_use(step, state, name);
                }
                for name in &expansion.unmatched {
                    record_use(step, state, name);
                    if !state.base_known || state.declared.contains(name) || NON_ENV_ARGS.contains(&name.as_str()) {
                        continue;
                    }
                    let keys: Vec<&str> = state.env.iter().map(|(k, _)| k).collect();
                    let mut message = format!("Usage of undefined variable '${name}'");
                    if let Some(s) = instructions::suggest::suggest(name, &keys, true) {
                        let _ = write!(message, " (did you mean ${s}?)");
                    }
                    let span = crate::lint::variable_span(self.text, token.span, name);
                    self.lint(Code::UndefinedVar, span, message);
                }
                // With an unknown base image, a variable we cannot see may well be defined
                // there: the value is unknown, and checks of it are not made.
                if !state.base_known && !expansion.unmatched.is_empty() {
                    return None;
                }
                Some(expansion.result)
            }
        }
    }

    /// COPY and ADD sources: paths expanded (and checked against `.dockerignore` when they
    /// come from the context), heredoc bodies expanded raw when their delimiter was unquoted.
    fn sources(&mut self, state: &State, sources: &[Source], from_context: bool, verb: &str, step: &mut Step) {
        let raw = Lexer { skip_process_quotes: true, ..Lexer::new('\\') };
        for source in sources {
            match source {
                Source::Path(token) => {
                    let Some(path) = self.expand(state, token, step) else { continue };
                    if from_context && !is_remote(&path) {
                        self.ignored_check(&path, token.span, verb);
                    }
                }
                Source::Heredoc(file) if file.expand => {
                    let token = Token { value: file.content.as_str().into(), span: file.span };
                    self.expand_with(raw, state, &token, step);
                }
                Source::Heredoc(_) => {}
            }
        }
    }

    /// `CopyIgnoredFile` (BuildKit's `validateCopySourcePath`).
    fn ignored_check(&mut self, source: &str, span: Span, verb: &str) {
        let Some(matcher) = self.options.dockerignore else { return };
        if matcher.has_exclusions() {
            return;
        }
        let cleaned = crate::dockerignore::clean(source);
        if (cleaned == "." || cleaned == "/") && !matcher.excludes_root() {
            return;
        }
        if matcher.excludes(&cleaned) {
            if !self.options.linter.allows(Code::CopyIgnoredFile, self.node) {
                return;
            }
            let mut d = Diagnostic::new(
                Code::CopyIgnoredFile,
                self.at(span),
                format!(
                    "Attempting to {verb} file {} that is excluded by .dockerignore",
                    crate::gostr::quote(&cleaned)
                ),
            );
            if let Some(p) = matcher.deciding_pattern(&cleaned) {
                d = d.with_help(format!("line {} of .dockerignore excludes it: {}", p.line, p.text));
            }
            self.push(d);
        }
    }

    fn secret_check(&mut self, instruction: &str, key: &str, span: Span) {
        if is_secret_name(key) {
            self.lint(
                Code::SecretsUsedInArgOrEnv,
                span,
                format!(
                    "Do not use ARG or ENV instructions for sensitive data ({instruction} {})",
                    crate::gostr::quote(key)
                ),
            );
        }
    }

    /// A stage may only read from stages BuildKit has already dispatched: those defined before
    /// it (or itself).
    fn order_check(&mut self, stage: &Stage, kind: EdgeKind, from: &str, mount_target: &str, span: Span) {
        // A cycle stops BuildKit before dispatch; its error already says what is wrong.
        if self.plan.diagnostics.iter().any(|d| d.code == Code::CircularDependency) {
            return;
        }
        let Some(source) = self.resolve_source(kind, from) else { return };
        if source <= stage.index || (!self.options.all_stages && !self.plan.stages[source].built) {
            return;
        }
        let other = &self.plan.stages[source];
        let message = match kind {
            EdgeKind::Mount => format!(
                "cannot mount from stage {} to {}, stage needs to be defined before current command",
                crate::gostr::quote(from),
                crate::gostr::quote(mount_target),
            ),
            _ => format!(
                "cannot copy from stage {}, it needs to be defined before current stage {}",
                crate::gostr::quote(from),
                crate::gostr::quote(&stage.display_name()),
            ),
        };
        let d = Diagnostic::new(Code::ForwardStageReference, self.at(span), message)
            .with_help(format!("move stage {} above stage {}", other.display_name(), stage.display_name()))
            .with_related(other.from_span, format!("stage {} is defined here", other.display_name()));
        self.push(d);
    }

    fn resolve_source(&self, kind: EdgeKind, from: &str) -> Option<usize> {
        let stages = &self.plan.stages;
        if kind == EdgeKind::Copy
            && let Ok(index) = from.parse::<i64>()
        {
            return usize::try_from(index).ok().filter(|&i| i < stages.len());
        }
        self.plan.stage_named(from)
    }

    /// `EXPOSE`: each word expanded and split, then BuildKit's port-spec parsing and the two
    /// EXPOSE build checks.
    fn expose(&mut self, state: &State, ports: &[Token], step: &mut Step) {
        for token in ports {
            let words = match self.lexer.process(&token.value, &state.env) {
                Err(e) => {
                    self.push(Diagnostic::new(Code::ExpansionError, self.at(token.span), e.message));
                    continue;
                }
                Ok(expansion) => {
                    for name in expansion.matched.iter().chain(&expansion.unmatched) {
                        record_use(step, state, name);
                    }
                    if !state.base_known && !expansion.unmatched.is_empty() {
                        continue; // The value depends on the unknown base image.
                    }
                    expansion.words
                }
            };
            for word in words {
                let spec = word.text;
                match expose_checks(&spec) {
                    Err(message) => {
                        self.push(Diagnostic::new(Code::InvalidInstruction, self.at(token.span), message));
                    }
                    Ok(found) => {
                        if found.proto_casing {
                            self.lint(
                                Code::ExposeProtoCasing,
                                token.span,
                                format!("Defined protocol '{spec}' in EXPOSE instruction should be lowercase"),
                            );
                        }
                        if found.mapping {
                            self.lint(
                                Code::ExposeInvalidFormat,
                                token.span,
                                format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{spec}'"),
                            );
                        }
                        if let Some(message) = found.error {
                            self.push(Diagnostic::new(Code::InvalidInstruction, self.at(token.span), message));
                        }
                    }
                }
            }
        }
    }
}

fn record_use(step: &mut Step, state: &State, name: &str) {
    if step.uses.iter().any(|u| u.name == name) {
        return;
    }
    step.uses.push(VarUse {
        name: name.to_string(),
        value: state.env.get(name).map(str::to_string),
        origin: state.origins.get(name).cloned(),
    });
}

fn legacy_message(keyword: &str) -> String {
    format!("{keyword} key=value should be used instead of legacy \"{keyword} key value\" format")
}

fn multiple_message(keyword: &str) -> String {
    format!(
        "Multiple {keyword} instructions should not be used in the same stage because only the last one will be used"
    )
}

fn is_remote(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://") || source.starts_with("git@")
}

/// BuildKit's `system.IsAbs`: `/` on Unix; a drive or a separator on Windows.
fn is_abs(path: &str, os: &str) -> bool {
    if os == "windows" {
        let b = path.as_bytes();
        return path.starts_with(['/', '\\']) || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':');
    }
    path.starts_with('/')
}

/// BuildKit's `system.CheckSystemDriveAndRemoveDriveLetter` for a Windows stage's path, with
/// its backslashes made slashes: `C:\\app` is `/app`, `app` stays relative; `C:` alone, a UNC
/// path and another drive are errors.
///
/// # Errors
/// BuildKit's message for a path it refuses.
pub fn windows_path(path: &str) -> Result<String, String> {
    let slashed = path.replace('\\', "/");
    if path.len() == 2 && path.as_bytes()[1] == b':' {
        return Err(format!("No relative path specified in {}", crate::gostr::quote(path)));
    }
    if slashed.starts_with("//") {
        return Err("UNC paths are not supported".into());
    }
    match slashed.split_once(':') {
        None => Ok(crate::dockerignore::clean(&slashed)),
        Some((drive, _)) if !drive.eq_ignore_ascii_case("c") => {
            Err("The specified path is not on the system drive (C:)".into())
        }
        Some((_, rest)) => Ok(crate::dockerignore::clean(rest)),
    }
}

/// A Windows base image, by its name (Server Core, Nano Server, the .NET Framework images, or
/// a tag that says so): its stage is a Windows one, as a Windows daemon would build it.
#[must_use]
pub fn windows_image(reference: &str) -> bool {
    let r = reference.to_ascii_lowercase();
    ["windows/servercore", "windows/nanoserver", "windows/server:", "/windows:", "dotnet/framework/"]
        .iter()
        .any(|p| r.contains(p))
        || r.rsplit_once(':').is_some_and(|(_, tag)| {
            tag.contains("windowsservercore") || tag.contains("nanoserver") || tag.contains("ltsc20")
        })
}

/// BuildKit's `system.NormalizeWorkdir` on Unix: relative paths join the current directory.
fn normalize_workdir(current: &str, requested: &str) -> String {
    if requested.starts_with('/') {
        crate::dockerignore::clean(requested)
    } else {
        crate::dockerignore::clean(&format!("/{current}/{requested}"))
    }
}

/// BuildKit's secret-name check: a token such as `password` or `token`, alone or between
/// underscores, and no allowed token (`public`, `file`, `version`).
#[must_use]
pub fn is_secret_name(key: &str) -> bool {
    const DENY: [&str; 10] =
        ["apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"];
    const ALLOW: [&str; 3] = ["public", "file", "version"];
    // `(?i)(?:_|^)(?:tokens)(?:_|$)`: a token must sit between underscores or the ends.
    let has = |tokens: &[&str]| {
        let lower = crate::gostr::to_lower(key);
        tokens.iter().any(|t| {
            lower.match_indices(t).any(|(i, _)| {
                let before = i == 0 || lower.as_bytes()[i - 1] == b'_';
                let after = i + t.len() == lower.len() || lower.as_bytes()[i + t.len()] == b'_';
                before && after
            })
        })
    };
    has(&DENY) && !has(&ALLOW)
}

/// moby/sys `signal.ParseSignal` with Linux's signal names.
fn valid_signal(raw: &str) -> bool {
    const NAMES: [&str; 35] = [
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL",
        "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1",
        "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "UNUSED",
    ];
    if let Ok(n) = raw.parse::<i64>() {
        return n != 0;
    }
    let upper = crate::gostr::to_upper(raw);
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if NAMES.contains(&name) || name == "RTMIN" || name == "RTMAX" {
        return true;
    }
    let offset = |prefix: &str, max: u32| {
        name.strip_prefix(prefix).and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| (1..=max).contains(&n))
    };
    offset("RTMIN+", 15) || offset("RTMAX-", 14)
}

/// BuildKit's `splitParts`: `[ip:][hostPort:]containerPort`.
fn split_port_parts(raw: &str) -> (String, String, String) {
    let parts: Vec<&str> = raw.split(':').collect();
    match parts.len() {
        1 => (String::new(), String::new(), parts[0].into()),
        2 => (String::new(), parts[0].into(), parts[1].into()),
        3 => (parts[0].into(), parts[1].into(), parts[2].into()),
        n => (parts[..n - 2].join(":"), parts[n - 2].into(), parts[n - 1].into()),
    }
}

/// What BuildKit's `parsePortSpec` finds in one EXPOSE word: the two build checks (made
/// before validation) and the validation error, if any. `Err` is an error found before the
/// checks run (no port, unknown protocol).
struct ExposeFindings {
    proto_casing: bool,
    mapping: bool,
    error: Option<String>,
}

fn expose_checks(raw: &str) -> Result<ExposeFindings, String> {
    let (ip, host_port, container) = split_port_parts(raw);
    let (port, proto) = container.split_once('/').unwrap_or((container.as_str(), ""));
    if port.is_empty() {
        return Err(format!("invalid port: {}: no port specified", crate::gostr::quote(raw)));
    }
    if !matches!(crate::gostr::to_lower(proto).as_str(), "" | "tcp" | "udp" | "sctp") {
        return Err(format!("invalid port: {}: invalid proto: {proto}", crate::gostr::quote(raw)));
    }
    let found = ExposeFindings {
        proto_casing: proto != crate::gostr::to_lower(proto),
        mapping: !ip.is_empty() || !host_port.is_empty(),
        error: None,
    };
    let bare_ip = ip.strip_prefix('[').and_then(|i| i.strip_suffix(']')).unwrap_or(&ip);
    let error = if !ip.is_empty() && bare_ip.parse::<std::net::IpAddr>().is_err() {
        Some(format!("invalid IP address: {ip}"))
    } else if let Some((start, end)) = port_range(port) {
        match (host_port.is_empty(), port_range(&host_port)) {
            (true, _) => None,
            (false, None) => Some(format!("invalid hostPort: {host_port}")),
            (false, Some((host_start, host_end))) => (end - start != host_end - host_start && end != start)
                .then(|| format!("invalid ranges specified for container and host Ports: {port} and {host_port}")),
        }
    } else {
        Some(format!("invalid containerPort: {port}"))
    };
    Ok(ExposeFindings { error, ..found })
}

fn port_range(ports: &str) -> Option<(u64, u64)> {
    let parse = |s: &str| crate::instructions::goparse::parse_uint(s, 10, 16);
    match ports.split_once('-') {
        None => parse(ports).map(|p| (p, p)),
        Some((a, b)) => {
            if b.contains('-') {
                return None;
            }
            let (start, end) = (parse(a)?, parse(b)?);
            (end >= start).then_some((start, end))
        }
    }
}

#[cfg(test)]
mod tests;
