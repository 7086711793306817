//! `stagecraft graph`: the stages, which ones the target builds and why, drawn or listed.

use std::fmt::Write as _;

use clap::ValueEnum;
use stagecraft_core::report::plan::{BaseView, GraphReport, StageView, edge_phrase};
use stagecraft_core::text::ColumnUnit;

use crate::build_flags::BuildFlags;
use crate::{Outcome, render};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// For a person: every stage, built or skipped, and why.
    Text,
    Json,
    /// Graphviz.
    Dot,
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    build: BuildFlags,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let loaded = args.build.check()?;
    let text = &loaded.source.text;
    let report = GraphReport::new(&loaded.analysis, &loaded.checked, text, &loaded.extra, ColumnUnit::Char);
    let out = match args.format {
        Format::Json => serde_json::to_string(&report).map_err(|e| e.to_string())? + "\n",
        Format::Dot => dot(&report),
        Format::Mermaid => mermaid(&report),
        Format::Text => {
            let mut out = self::text(&report);
            render::append(&mut out, &loaded.source.name, text, loaded.diagnostics());
            out
        }
    };
    print!("{out}");
    Ok(if loaded.has_errors() { Outcome::DockerfileErrors } else { Outcome::Clean })
}

fn stage_label(stage: &StageView) -> String {
    stage.name.clone().unwrap_or_else(|| format!("stage-{}", stage.index))
}

fn base_label(report: &GraphReport, base: &BaseView) -> String {
    match base {
        BaseView::Image(i) => i.clone(),
        BaseView::Stage(s) => format!("stage {} ({})", s, stage_label(&report.stages[*s])),
        BaseView::Context { name, value } => format!("context {name}={value}"),
        BaseView::Unknown(text) => format!("{text} (unresolved)"),
    }
}

fn text(report: &GraphReport) -> String {
    let mut out = String::new();
    match &report.target {
        Some(t) => {
            let _ = writeln!(
                out,
                "target: {} (stage {})",
                t.name.clone().unwrap_or_else(|| format!("stage-{}", t.index)),
                t.index
            );
        }
        None => out.push_str("target: none\n"),
    }
    let built = report.stages.iter().filter(|s| s.built).count();
    let _ = writeln!(out, "{} stage(s), {built} built, {} skipped\n", report.stages.len(), report.stages.len() - built);
    let name_width = report.stages.iter().map(|s| stage_label(s).len()).max().unwrap_or(5).max(5);
    let base_width = report.stages.iter().map(|s| base_label(report, &s.base).len()).max().unwrap_or(4).clamp(4, 40);
    let _ = writeln!(out, "  {:>3}  {:<name_width$}  {:<base_width$}  {:>5}  STATUS", "#", "STAGE", "BASE", "LINE");
    for s in &report.stages {
        let mut base = base_label(report, &s.base);
        if base.chars().count() > base_width {
            base = base.chars().take(base_width - 1).collect::<String>() + "…";
        }
        let _ = writeln!(
            out,
            "  {:>3}  {:<name_width$}  {:<base_width$}  {:>5}  {}",
            s.index,
            stage_label(s),
            base,
            s.line,
            s.why
        );
    }
    let declared: Vec<_> = report.args.iter().filter(|a| a.span.is_some()).collect();
    if !declared.is_empty() {
        out.push_str("\nglobal args (usable in FROM lines; redeclare with ARG inside a stage):\n");
        for a in declared {
            let value = a.value.as_deref().map_or_else(|| "(unset)".to_string(), |v| format!("{v:?}"));
            let source = match a.source {
                stagecraft_core::plan::ArgSource::Default => "default",
                stagecraft_core::plan::ArgSource::BuildArg => "--build-arg",
                stagecraft_core::plan::ArgSource::Automatic => "automatic",
            };
            let _ = writeln!(out, "  {} = {value}  ({source})", a.name);
        }
    }
    let auto: Vec<String> = report
        .args
        .iter()
        .filter(|a| a.span.is_none() && matches!(a.name.as_str(), "TARGETPLATFORM" | "BUILDPLATFORM" | "TARGETSTAGE"))
        .map(|a| format!("{}={}", a.name, a.value.as_deref().unwrap_or_default()))
        .collect();
    let _ = writeln!(out, "\nautomatic: {}", auto.join("  "));
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn dot(report: &GraphReport) -> String {
    let mut out = String::from(
        "digraph stages {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for s in &report.stages {
        let label = format!("{}: {}\n{}", s.index, stage_label(s), base_label(report, &s.base));
        let style = if s.built {
            "fillcolor=\"#d6e9ff\", color=\"#1f6feb\""
        } else {
            "fillcolor=\"#f3f3f3\", color=\"#999999\", fontcolor=\"#777777\", style=\"rounded,filled,dashed\""
        };
        let target = if report.target.as_ref().is_some_and(|t| t.index == s.index) { ", penwidth=2.5" } else { "" };
        let _ = writeln!(out, "  s{} [label=\"{}\", {style}{target}];", s.index, dot_escape(&label));
    }
    for (i, s) in report.stages.iter().enumerate() {
        if let BaseView::Image(image) = &s.base {
            let _ = writeln!(out, "  i{i} [label=\"{}\", shape=plaintext, style=\"\"];", dot_escape(image));
            let _ = writeln!(out, "  i{i} -> s{} [label=\"FROM\", style=dotted];", s.index);
        }
        for e in &s.deps {
            let style = if s.built { "" } else { ", style=dashed, color=\"#999999\"" };
            let _ = writeln!(
                out,
                "  s{} -> s{} [label=\"{} (line {})\"{style}];",
                e.stage,
                s.index,
                dot_escape(edge_phrase(e.kind)),
                e.line
            );
        }
    }
    out.push_str("}\n");
    out
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;")
}

fn mermaid(report: &GraphReport) -> String {
    let mut out = String::from("flowchart LR\n");
    for s in &report.stages {
        let class = if s.built { "built" } else { "skipped" };
        let _ = writeln!(
            out,
            "  s{}[\"{}: {}<br/>{}\"]:::{class}",
            s.index,
            s.index,
            mermaid_escape(&stage_label(s)),
            mermaid_escape(&base_label(report, &s.base))
        );
    }
    for s in &report.stages {
        for e in &s.deps {
            let arrow = if s.built { "-->" } else { "-.->" };
            let _ = writeln!(out, "  s{} {arrow}|\"{}\"| s{}", e.stage, mermaid_escape(edge_phrase(e.kind)), s.index);
        }
    }
    out.push_str("  classDef built fill:#d6e9ff,stroke:#1f6feb;\n");
    out.push_str("  classDef skipped fill:#f3f3f3,stroke:#999999,stroke-dasharray: 4 3,color:#777777;\n");
    if let Some(t) = &report.target {
        let _ = writeln!(out, "  style s{} stroke-width:3px", t.index);
    }
    out
}
