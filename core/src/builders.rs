//! Which of Docker's builders can build a Dockerfile. The classic builder (the daemon's
//! `/build` without BuildKit) reads the same syntax, but refuses or misreads BuildKit's
//! additions: heredocs, `RUN --mount`/`--network`/`--security`/`--device`, and `COPY`/`ADD`
//! `--chmod`, `--link`, `--parents`, `--exclude`, `--checksum`, `--keep-git-dir`, `--unpack`.
//! A build through it must name those lines before anything is sent to the daemon. And
//! which instruction each step of either builder's output runs.

use crate::analysis::{Analysis, Checked};
use crate::diagnostic::{Code, Diagnostic};
use crate::gostr;
use crate::instructions::Keyword;
use crate::plan::{Base, Plan};
use crate::syntax::{Args, Node, SyntaxTree};
use crate::text::Span;

/// The flags each instruction has only under BuildKit.
fn buildkit_flags(cmd: &str) -> &'static [&'static str] {
    match cmd {
        "run" => &["mount", "network", "security", "device"],
        "copy" => &["chmod", "link", "parents", "exclude"],
        "add" => &["chmod", "link", "parents", "exclude", "checksum", "keep-git-dir", "unpack"],
        _ => &[],
    }
}

fn node_gaps(node: &Node, out: &mut Vec<Diagnostic>) {
    let cmd = node.cmd();
    let keyword = node.keyword.value.to_string();
    for flag in &node.flags {
        let name = flag.value.strip_prefix("--").unwrap_or(&flag.value);
        let name = gostr::to_lower(name.split_once('=').map_or(name, |(n, _)| n));
        if buildkit_flags(&cmd).contains(&name.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::NeedsBuildKit,
                    flag.span,
                    format!("{keyword} --{name} needs BuildKit; the classic builder does not understand it"),
                )
                .with_help("build with BuildKit (`--builder buildkit`)"),
            );
        }
    }
    if let Some(first) = node.heredocs.first() {
        let last = node.heredocs.last().map_or(first.marker_span, |h| h.marker_span);
        let span = Span::new(first.marker_span.start as usize, last.end as usize);
        out.push(
            Diagnostic::new(
                Code::NeedsBuildKit,
                span,
                format!("heredocs need BuildKit; the classic builder would read the {keyword} body as instructions"),
            )
            .with_help("build with BuildKit (`--builder buildkit`)"),
        );
    }
    if let Args::Sub(trigger) = &node.args {
        node_gaps(trigger, out);
    }
}

/// The lines of the stages the classic builder would run for this plan that it cannot build,
/// in source order. The classic builder runs every stage from the first up to the target
/// (it does not skip the stages the target does not need), so those are the ones checked.
#[must_use]
pub fn classic_builder_gaps(tree: &SyntaxTree, checked: &Checked) -> Vec<Diagnostic> {
    let end = checked.plan.target.and_then(|t| checked.plan.stage(t)).map_or(u32::MAX, |s| s.span.end);
    let mut out = Vec::new();
    for node in tree.nodes.iter().filter(|n| n.span.start < end) {
        node_gaps(node, &mut out);
    }
    out
}

/// The stages the classic builder builds that the target does not need: it runs every stage
/// from the first up to the target, where BuildKit builds only what the target reaches.
#[must_use]
pub fn classic_unneeded_stages(plan: &Plan) -> Vec<&crate::plan::Stage> {
    plan.stages.iter().take_while(|s| Some(s.index) != plan.target).filter(|s| !s.built).collect()
}

/// One instruction a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepSource {
    pub span: Span,
    /// 1-based line of the instruction.
    pub line: u32,
}

/// Maps the builders' step names back to instructions.
#[derive(Debug)]
pub struct StepMap<'a> {
    analysis: &'a Analysis,
    plan: &'a Plan,
}

impl<'a> StepMap<'a> {
    #[must_use]
    pub fn new(analysis: &'a Analysis, plan: &'a Plan) -> Self {
        Self { analysis, plan }
    }

    fn node_source(&self, node: usize) -> Option<StepSource> {
        let node = self.analysis.tree.nodes.get(node)?;
        Some(StepSource { span: node.span, line: node.start_line })
    }

    /// The classic builder's `Step N/M : ...`: the Nth instruction of the file (global ARGs
    /// first, then every stage in order up to the target).
    #[must_use]
    pub fn classic(&self, line: &str) -> Option<StepSource> {
        let rest = line.trim_start().strip_prefix("Step ")?;
        let (n, _) = rest.split_once('/')?;
        let n: usize = n.parse().ok()?;
        self.node_source(n.checked_sub(1)?)
    }

    /// BuildKit's `[stage k/n] INSTRUCTION`: BuildKit numbers only the instructions that make
    /// a vertex of the build graph: the FROM of an image, then RUN, COPY, ADD and WORKDIR
    /// (ARG, ENV, a FROM of another stage and the config instructions make none).
    #[must_use]
    pub fn buildkit(&self, name: &str) -> Option<StepSource> {
        let inner = name.strip_prefix('[')?;
        let (label, _) = inner.split_once(']')?;
        let (stage, step) = label.rsplit_once(' ')?;
        let (k, _) = step.split_once('/')?;
        let k: usize = k.parse().ok()?;
        // `[linux/amd64 build 2/3]`: a platform may come first.
        let stage_name = stage.rsplit(' ').next()?;
        let stage = self.plan.stages.iter().find(|s| s.display_name() == stage_name)?;
        let items = &self.analysis.instructions.items;
        let from = matches!(stage.base, Base::Image(_)).then_some(stage.from);
        let vertices = stage.instructions.iter().copied().filter(|&i| {
            items.get(i).is_some_and(|item| {
                matches!(item.keyword, Some(Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Workdir))
            })
        });
        let instruction = from.into_iter().chain(vertices).nth(k.checked_sub(1)?)?;
        self.node_source(items.get(instruction)?.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analysis, CheckOptions};

    fn gaps(text: &str, target: Option<&str>) -> Vec<(String, String)> {
        let analysis = Analysis::new(text);
        let mut options = CheckOptions::default();
        options.build.target = target.map(str::to_string);
        let checked = analysis.check(text, &options);
        classic_builder_gaps(&analysis.tree, &checked)
            .into_iter()
            .map(|d| (d.span.slice(text).to_string(), d.message))
            .collect()
    }

    #[test]
    fn the_classic_builder_also_runs_the_stages_before_the_target() {
        let text = "FROM alpine:3.20 AS base\nFROM busybox AS unused\nFROM base AS app\nCOPY --from=golang:1.27 /x /x\nFROM scratch AS after\n";
        let analysis = Analysis::new(text);
        let mut options = CheckOptions::default();
        options.build.target = Some("app".into());
        let plan = analysis.check(text, &options).plan;
        let names: Vec<String> =
            classic_unneeded_stages(&plan).into_iter().map(crate::plan::Stage::display_name).collect();
        assert_eq!(names, ["unused"]);
        // What the built stages read, as written: not busybox, which only `unused` needs.
        assert_eq!(plan.image_references(), ["alpine:3.20", "golang:1.27"]);
    }

    #[test]
    fn names_each_buildkit_only_flag_and_heredoc() {
        let text = "FROM alpine AS a\nRUN --mount=type=cache,target=/c --network=none echo\n\
                    COPY --chmod=644 --from=x a /b\nCOPY --link a /b\nADD --checksum=sha256:00 a /b\n\
                    RUN <<EOF\necho hi\nEOF\nONBUILD COPY --chmod=600 a /b\nCOPY --chown=1 a /b\n";
        let found = gaps(text, None);
        let spans: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            spans,
            [
                "--mount=type=cache,target=/c",
                "--network=none",
                "--chmod=644",
                "--link",
                "--checksum=sha256:00",
                "<<EOF",
                "--chmod=600"
            ]
        );
        assert_eq!(found[0].1, "RUN --mount needs BuildKit; the classic builder does not understand it");
        assert!(found[5].1.starts_with("heredocs need BuildKit"), "{}", found[5].1);
    }

    #[test]
    fn stages_after_the_target_are_not_run_by_the_classic_builder() {
        let text = "FROM alpine AS a\nCOPY --chmod=644 x /x\nFROM alpine AS b\nRUN --mount=type=tmpfs,target=/t true\n";
        assert_eq!(gaps(text, Some("a")).len(), 1);
        assert_eq!(gaps(text, Some("b")).len(), 2);
        // Stages before the target are built even when the target does not need them.
        let text = "FROM alpine AS a\nCOPY --chmod=644 x /x\nFROM alpine AS b\nRUN true\n";
        assert_eq!(gaps(text, Some("b")).len(), 1);
    }

    #[test]
    fn a_classic_dockerfile_has_no_gaps() {
        let text = "FROM alpine AS a\nCOPY --chown=1:1 --from=b x /x\nRUN echo hi\nFROM a\nADD x.tar /\n";
        assert!(gaps(text, None).is_empty());
    }

    #[test]
    fn steps_map_to_their_lines() {
        let text = "ARG V=1\nFROM busybox AS base\nARG V\nRUN true\nCOPY a /a\nFROM base\nENV X=1\nRUN exit 3\n";
        let analysis = Analysis::new(text);
        let checked = analysis.check(text, &CheckOptions::default());
        let map = StepMap::new(&analysis, &checked.plan);
        assert_eq!(map.classic("Step 5/8 : COPY a /a").map(|s| s.line), Some(5));
        assert_eq!(map.classic("Step 1/8 : ARG V=1").map(|s| s.line), Some(1));
        // As the 20.10 daemon's BuildKit named them: ARG and ENV make no vertex.
        assert_eq!(map.buildkit("[base 1/3] FROM docker.io/library/busybox").map(|s| s.line), Some(2));
        assert_eq!(map.buildkit("[base 2/3] RUN true").map(|s| s.line), Some(4));
        assert_eq!(map.buildkit("[base 3/3] COPY a /a").map(|s| s.line), Some(5));
        assert_eq!(map.buildkit("[stage-1 1/1] RUN exit 3").map(|s| s.line), Some(8));
        assert_eq!(map.buildkit("[linux/amd64 stage-1 1/1] RUN exit 3").map(|s| s.line), Some(8));
        assert_eq!(map.buildkit("[internal] load remote build context"), None);
    }
}
