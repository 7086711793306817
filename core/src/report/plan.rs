//! Views of the plan: `graph` (which stages the target builds, and why), `outline` (what the
//! target needs from the user: build args, secrets, ssh) and `targets` (every stage), in the
//! spirit of `docker buildx build --call=outline|targets`.

use serde::Serialize;

use super::{DiagnosticView, SCHEMA, diagnostic_views};
use crate::analysis::{Analysis, Checked};
use crate::instructions::{Kind, MountType};
use crate::plan::dispatch::ArgValueSource;
use crate::plan::{ArgSource, Base, EdgeKind, Plan, Stage, description_of};
use crate::text::{ColumnUnit, LineIndex, Span};

/// The target of a graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetView {
    pub index: usize,
    pub name: Option<String>,
}

/// A stage's base, as the graph JSON shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaseView {
    Image(String),
    Stage(usize),
    /// A named build context (`--build-context name=value`).
    Context {
        name: String,
        value: String,
    },
    /// The FROM line could not be resolved (a diagnostic says why).
    Unknown(String),
}

/// An edge between stages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeView {
    pub stage: usize,
    pub kind: EdgeKind,
    pub span: [u32; 2],
    pub line: u32,
}

/// One stage in the graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageView {
    pub index: usize,
    pub name: Option<String>,
    pub base: BaseView,
    pub platform: Option<String>,
    pub built: bool,
    pub deps: Vec<EdgeView>,
    pub pulled_in_by: Vec<EdgeView>,
    /// Images other than the base that the stage reads from (`COPY --from=<image>`, mounts).
    pub images: Vec<String>,
    /// 1-based line of the FROM.
    pub line: u32,
    pub span: [u32; 2],
    pub description: Option<String>,
    /// Why the stage is built or skipped, in words.
    pub why: String,
}

/// A global argument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArgView {
    pub name: String,
    pub value: Option<String>,
    pub source: ArgSource,
    pub span: Option<[u32; 2]>,
    pub description: Option<String>,
}

/// `stagecraft graph --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphReport {
    pub schema: u32,
    pub target: Option<TargetView>,
    pub stages: Vec<StageView>,
    pub args: Vec<ArgView>,
    pub diagnostics: Vec<DiagnosticView>,
    /// Checks that could not be made, and why.
    pub notes: Vec<String>,
}

fn edge_view(edge: &crate::plan::Edge, text: &str, index: &LineIndex) -> EdgeView {
    EdgeView { stage: edge.stage, kind: edge.kind, span: edge.span.pair(), line: line_of(text, index, edge.span) }
}

fn line_of(_text: &str, index: &LineIndex, span: Span) -> u32 {
    u32::try_from(index.line_of(span.start) + 1).unwrap_or(u32::MAX)
}

/// How an edge reads in a sentence.
#[must_use]
pub fn edge_phrase(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::From => "FROM",
        EdgeKind::Copy => "COPY --from",
        EdgeKind::Mount => "RUN --mount from",
        EdgeKind::Onbuild => "an ONBUILD trigger",
    }
}

/// Why a stage is built or skipped.
#[must_use]
pub fn why(plan: &Plan, stage: &Stage, text: &str, index: &LineIndex) -> String {
    if plan.target == Some(stage.index) {
        return "built: it is the target".into();
    }
    if stage.built {
        let reasons: Vec<String> = stage
            .pulled_in_by
            .iter()
            .map(|e| {
                format!(
                    "{} (line {}) in {}",
                    edge_phrase(e.kind),
                    line_of(text, index, e.span),
                    plan.stages[e.stage].display_name()
                )
            })
            .collect();
        return format!("built: needed by {}", reasons.join(", "));
    }
    match plan.target {
        None => "skipped: there is no target".into(),
        Some(t) => format!(
            "skipped: the target {} does not depend on it, through FROM, COPY --from, RUN --mount or ONBUILD",
            plan.stages[t].display_name()
        ),
    }
}

impl GraphReport {
    #[must_use]
    pub fn new(
        analysis: &Analysis,
        checked: &Checked,
        text: &str,
        extra: &[crate::Diagnostic],
        unit: ColumnUnit,
    ) -> Self {
        let plan = &checked.plan;
        let index = LineIndex::new(text);
        let stages = plan
            .stages
            .iter()
            .map(|s| StageView {
                index: s.index,
                name: s.name.clone(),
                base: match &s.base {
                    Base::Image(i) => BaseView::Image(i.clone()),
                    Base::Scratch => BaseView::Image("scratch".into()),
                    Base::Stage(p) => BaseView::Stage(*p),
                    Base::Context { name, value } => BaseView::Context { name: name.clone(), value: value.clone() },
                    Base::Unknown => BaseView::Unknown(s.base_text.clone()),
                },
                platform: s.platform.clone(),
                built: s.built,
                deps: s.deps.iter().map(|e| edge_view(e, text, &index)).collect(),
                pulled_in_by: s.pulled_in_by.iter().map(|e| edge_view(e, text, &index)).collect(),
                images: s.images.iter().map(|i| i.reference.clone()).collect(),
                line: line_of(text, &index, s.from_span),
                span: s.from_span.pair(),
                description: s.description.clone(),
                why: why(plan, s, text, &index),
            })
            .collect();
        let args = plan
            .args
            .iter()
            .map(|a| ArgView {
                name: a.name.clone(),
                value: a.value.clone(),
                source: a.source,
                span: a.span.map(Span::pair),
                description: a.description.clone(),
            })
            .collect();
        let _ = analysis;
        Self {
            schema: SCHEMA,
            target: plan.target.map(|t| TargetView { index: t, name: plan.stages[t].name.clone() }),
            stages,
            args,
            diagnostics: diagnostic_views(extra.iter().chain(&checked.diagnostics), text, unit),
            notes: checked.dispatch.notes.clone(),
        }
    }
}

/// One build argument the target uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutlineArg {
    pub name: String,
    pub value: Option<String>,
    pub description: Option<String>,
    pub line: u32,
    pub span: [u32; 2],
}

/// A secret or ssh mount the target uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutlineMount {
    pub name: String,
    pub required: bool,
    pub line: u32,
    pub span: [u32; 2],
}

/// `stagecraft outline --format json`, in the spirit of `--call=outline`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutlineReport {
    pub schema: u32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub args: Vec<OutlineArg>,
    pub secrets: Vec<OutlineMount>,
    pub ssh: Vec<OutlineMount>,
    pub diagnostics: Vec<DiagnosticView>,
}

impl OutlineReport {
    /// The build args (declared ARGs the target's stages use), secrets and ssh mounts of the
    /// stages the target builds. An in-stage `ARG X` that takes the global value is reported
    /// at the global definition, as BuildKit does.
    #[must_use]
    pub fn new(
        analysis: &Analysis,
        checked: &Checked,
        text: &str,
        extra: &[crate::Diagnostic],
        unit: ColumnUnit,
    ) -> Self {
        let plan = &checked.plan;
        let items = &analysis.instructions.items;
        let index = LineIndex::new(text);
        let line = |span: Span| line_of(text, &index, span);
        let mut args: Vec<OutlineArg> = Vec::new();
        let add = |args: &mut Vec<OutlineArg>, arg: OutlineArg| {
            if !args.iter().any(|a| a.name == arg.name) {
                args.push(arg);
            }
        };
        let global = |name: &str| plan.args.iter().find(|a| a.name == name && a.span.is_some());
        // A global ARG, reported at its definition.
        let from_global = |g: &crate::plan::GlobalArg| {
            let span = g.span.unwrap_or_default();
            OutlineArg {
                name: g.name.clone(),
                value: g.value.clone(),
                description: g.description.clone(),
                line: line(span),
                span: span.pair(),
            }
        };
        let lexer = crate::plan::lexer(&analysis.tree);
        let env = crate::plan::meta::env_of(&plan.args);
        let (mut secrets, mut ssh) = (Vec::new(), Vec::new());
        for stage in plan.built() {
            // Global ARGs the FROM line uses (and those their defaults use).
            if let Kind::From(from) = &items[stage.from].kind {
                let mut words = vec![from.image.value.to_string()];
                words.extend(from.platform.as_ref().map(|p| p.value.to_string()));
                let mut pending: Vec<String> = Vec::new();
                for word in words {
                    if let Ok(e) = lexer.process(&word, &env) {
                        pending.extend(e.matched);
                    }
                }
                let mut seen = crate::sort::Names::new();
                while let Some(name) = pending.pop() {
                    if !seen.insert(name.clone()) {
                        continue;
                    }
                    let Some(g) = global(&name) else { continue };
                    add(&mut args, from_global(g));
                    pending.extend(meta_deps(analysis, plan, &name, lexer));
                }
            }
            if let Some(run) = checked.dispatch.stage(stage.index) {
                for binding in &run.args {
                    let arg = match (binding.source, global(&binding.name)) {
                        (ArgValueSource::Global, Some(g)) => from_global(g),
                        _ => OutlineArg {
                            name: binding.name.clone(),
                            value: binding.value.clone(),
                            description: arg_description(analysis, text, stage, binding.span),
                            line: line(binding.span),
                            span: binding.span.pair(),
                        },
                    };
                    add(&mut args, arg);
                }
            }
            for &i in &stage.instructions {
                let Kind::Run(run) = &items[i].kind else { continue };
                for mount in &run.mounts {
                    let entry = |name: String| OutlineMount {
                        name,
                        required: mount.required,
                        line: line(items[i].span),
                        span: items[i].span.pair(),
                    };
                    match mount.kind {
                        Some(MountType::Secret) => {
                            let name = mount.source.clone().or_else(|| mount.id.clone()).unwrap_or_else(|| {
                                mount
                                    .target
                                    .as_deref()
                                    .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
                                    .unwrap_or_default()
                            });
                            if !secrets.iter().any(|s: &OutlineMount| s.name == name) {
                                secrets.push(entry(name));
                            }
                        }
                        Some(MountType::Ssh) => {
                            let name = mount.id.clone().unwrap_or_else(|| "default".into());
                            if !ssh.iter().any(|s: &OutlineMount| s.name == name) {
                                ssh.push(entry(name));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        crate::sort::sort_by_key(&mut args, |a| a.span[0]);
        crate::sort::sort_by_key(&mut secrets, |s| s.span[0]);
        crate::sort::sort_by_key(&mut ssh, |s| s.span[0]);
        let target = plan.target.map(|t| &plan.stages[t]);
        Self {
            schema: SCHEMA,
            name: target.and_then(|t| t.name.clone()),
            description: target.and_then(|t| t.description.clone()),
            args,
            secrets,
            ssh,
            diagnostics: diagnostic_views(extra.iter().chain(&checked.diagnostics), text, unit),
        }
    }
}

/// The global ARGs another global ARG's default refers to.
fn meta_deps(analysis: &Analysis, plan: &Plan, name: &str, lexer: crate::shell::Lexer) -> Vec<String> {
    let mut out = Vec::new();
    for &i in &plan.meta_instructions {
        let Kind::Arg(defs) = &analysis.instructions.items[i].kind else { continue };
        for def in defs.iter().filter(|d| &*d.name.value == name) {
            if let Some(default) = &def.default
                && let Ok(e) = lexer.process(&default.value, &crate::shell::Env::new())
            {
                out.extend(e.unmatched.into_iter().filter(|n| n != name));
            }
        }
    }
    out
}

/// The description of an in-stage ARG: `# NAME text` above it.
fn arg_description(analysis: &Analysis, text: &str, stage: &Stage, name_span: Span) -> Option<String> {
    let items = &analysis.instructions.items;
    let item = stage
        .instructions
        .iter()
        .map(|&i| &items[i])
        .find(|it| it.span.start <= name_span.start && name_span.end <= it.span.end)?;
    let name = name_span.slice(text);
    description_of(text, &analysis.tree.nodes[item.node], name)
}

/// One stage, as `targets` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetEntry {
    pub name: Option<String>,
    pub index: usize,
    pub description: Option<String>,
    pub default: bool,
    /// The base as written (not expanded).
    pub base: String,
    /// `--platform` as written.
    pub platform: Option<String>,
    pub line: u32,
    pub span: [u32; 2],
}

/// `stagecraft targets --format json`, in the spirit of `--call=targets`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetsReport {
    pub schema: u32,
    pub targets: Vec<TargetEntry>,
    pub diagnostics: Vec<DiagnosticView>,
}

impl TargetsReport {
    /// Every stage: BuildKit's `ListTargets` parses and reads the stages, nothing more.
    #[must_use]
    pub fn new(analysis: &Analysis, plan: &Plan, text: &str, extra: &[crate::Diagnostic], unit: ColumnUnit) -> Self {
        let index = LineIndex::new(text);
        let items = &analysis.instructions.items;
        let last = plan.stages.len().checked_sub(1);
        let targets = plan
            .stages
            .iter()
            .map(|s| {
                let platform = match &items[s.from].kind {
                    Kind::From(f) => f.platform.as_ref().map(|p| p.value.to_string()),
                    _ => None,
                };
                TargetEntry {
                    name: s.name.clone(),
                    index: s.index,
                    description: s.description.clone(),
                    default: Some(s.index) == last,
                    base: s.base_text.clone(),
                    platform,
                    line: line_of(text, &index, s.from_span),
                    span: s.from_span.pair(),
                }
            })
            .collect();
        let diagnostics =
            diagnostic_views(extra.iter().chain(analysis.diagnostics()).filter(|d| d.is_error()), text, unit);
        Self { schema: SCHEMA, targets, diagnostics }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CheckOptions;
    use crate::plan::BuildOptions;

    const TEXT: &str = "\
# GO_VERSION the Go toolchain
ARG GO_VERSION=1.22
ARG UNUSED=1
# build compiles the binary
FROM golang:${GO_VERSION} AS build
ARG GO_VERSION
# LDFLAGS extra linker flags
ARG LDFLAGS=-s
RUN --mount=type=secret,id=netrc,required --mount=type=ssh go build
RUN --mount=type=secret,target=/run/secrets/token true

FROM alpine AS test
ARG ONLY_IN_TEST=1
RUN --mount=type=secret,id=other true

# app runs it
FROM alpine AS app
COPY --from=build /out /out
";

    fn outline(target: Option<&str>) -> OutlineReport {
        let analysis = Analysis::new(TEXT);
        let options = CheckOptions {
            build: BuildOptions { target: target.map(str::to_string), ..BuildOptions::default() },
            ..CheckOptions::default()
        };
        let checked = analysis.check(TEXT, &options);
        OutlineReport::new(&analysis, &checked, TEXT, &[], ColumnUnit::Char)
    }

    #[test]
    fn outline_lists_what_the_target_uses() {
        let report = outline(None);
        assert_eq!((report.name.as_deref(), report.description.as_deref()), (Some("app"), Some("runs it")));
        let args: Vec<(&str, Option<&str>, Option<&str>, u32)> = report
            .args
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_deref(), a.description.as_deref(), a.line))
            .collect();
        // GO_VERSION is used by a built FROM and redeclared: reported once, at the global ARG.
        assert_eq!(
            args,
            [
                ("GO_VERSION", Some("1.22"), Some("the Go toolchain"), 2),
                ("LDFLAGS", Some("-s"), Some("extra linker flags"), 8)
            ]
        );
        let secrets: Vec<(&str, bool)> = report.secrets.iter().map(|s| (s.name.as_str(), s.required)).collect();
        assert_eq!(secrets, [("netrc", true), ("token", false)]);
        assert_eq!(report.ssh.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["default"]);

        let test = outline(Some("test"));
        assert_eq!(test.args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["ONLY_IN_TEST"]);
        assert_eq!(test.secrets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["other"]);
    }

    #[test]
    fn targets_list_every_stage() {
        let analysis = Analysis::new(TEXT);
        let plan = analysis.plan(TEXT, &BuildOptions::default());
        let report = TargetsReport::new(&analysis, &plan, TEXT, &[], ColumnUnit::Char);
        let rows: Vec<(Option<&str>, bool, Option<&str>, &str)> = report
            .targets
            .iter()
            .map(|t| (t.name.as_deref(), t.default, t.description.as_deref(), t.base.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                (Some("build"), false, Some("compiles the binary"), "golang:${GO_VERSION}"),
                (Some("test"), false, None, "alpine"),
                (Some("app"), true, Some("runs it"), "alpine"),
            ]
        );
    }
}
