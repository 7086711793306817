//! Serialisable views of the pipeline's results: one schema for the CLI's JSON and the JS API.
//!
//! Every view is versioned (`"schema": 1`) and deterministic: the same input gives the same
//! bytes. Spans are byte offsets `[start, end]`; lines and columns are computed here, at the
//! edge, in the unit the consumer asks for.

use std::collections::BTreeMap;

use serde::Serialize;

pub mod plan;
pub mod sarif;
pub mod sim;

use crate::diagnostic::Diagnostic;
use crate::syntax::{Args, Node, SyntaxTree};
use crate::text::{ColumnUnit, LineIndex};

pub const SCHEMA: u32 = 1;

/// A diagnostic with lines and columns (1-based; the end is exclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiagnosticView {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub span: [u32; 2],
    pub help: Option<String>,
    /// The build check's documentation, for build-check codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'static str>,
    /// Other places that take part.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedView>,
}

/// A secondary location of a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelatedView {
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub span: [u32; 2],
}

impl DiagnosticView {
    #[must_use]
    pub fn new(diagnostic: &Diagnostic, text: &str, index: &LineIndex, unit: ColumnUnit) -> Self {
        let start = index.line_col(text, diagnostic.span.start, unit);
        let end = index.line_col(text, diagnostic.span.end, unit);
        Self {
            code: diagnostic.code.name(),
            severity: diagnostic.severity.as_str(),
            message: diagnostic.message.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            span: diagnostic.span.pair(),
            help: diagnostic.help.clone(),
            url: crate::lint::rules::rule(diagnostic.code).map(|r| r.url),
            related: diagnostic
                .related
                .iter()
                .map(|l| {
                    let at = index.line_col(text, l.span.start, unit);
                    RelatedView { message: l.message.clone(), line: at.line, column: at.column, span: l.span.pair() }
                })
                .collect(),
        }
    }
}

/// Diagnostics in source order (then by code), each with its position.
#[must_use]
pub fn diagnostic_views<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    text: &str,
    unit: ColumnUnit,
) -> Vec<DiagnosticView> {
    let mut sorted: Vec<&Diagnostic> = diagnostics.into_iter().collect();
    if sorted.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(text);
    crate::sort::sort_by_key(&mut sorted, |d| (d.span.start, d.span.end, d.code));
    sorted.into_iter().map(|d| DiagnosticView::new(d, text, &index, unit)).collect()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeredocView {
    pub name: String,
    pub file_descriptor: u64,
    pub content: String,
    /// The `<<EOF` word.
    pub span: [u32; 2],
    pub content_span: [u32; 2],
}

/// One instruction as BuildKit's official parser reports it (the nine fields of the PyPI
/// package `dockerfile`), plus spans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstructionView {
    pub cmd: String,
    pub sub_cmd: Option<String>,
    pub json: bool,
    pub original: String,
    pub start_line: u32,
    pub end_line: u32,
    pub flags: Vec<String>,
    pub value: Vec<String>,
    pub heredocs: Vec<HeredocView>,
    pub span: [u32; 2],
    pub keyword_span: [u32; 2],
    /// One span per element of `flags`.
    pub flag_spans: Vec<[u32; 2]>,
    /// One span per element of `value`.
    pub value_spans: Vec<[u32; 2]>,
}

impl InstructionView {
    #[must_use]
    pub fn new(node: &Node) -> Self {
        // ONBUILD reports its trigger's values (and, like the package, not its heredocs).
        let inner = node.sub().unwrap_or(node);
        let (value, value_spans) = match &inner.args {
            // ENV and LABEL: key, value pairs. BuildKit's tree also has a separator node per
            // pair, which `parse --format buildkit` prints; the package's layout has none.
            Args::Pairs(pairs) => pairs
                .iter()
                .flat_map(|p| [(&p.key.value, p.key.span), (&p.value.value, p.value.span)])
                .map(|(v, s)| (v.to_string(), s.pair()))
                .unzip(),
            // A nested ONBUILD: BuildKit's node chain holds one empty node above the trigger.
            Args::Sub(sub) => (vec![String::new()], vec![sub.keyword.span.pair()]),
            _ => inner.arg_tokens().into_iter().map(|t| (t.value.to_string(), t.span.pair())).unzip(),
        };
        let heredocs: Vec<HeredocView> = if node.sub().is_some() {
            Vec::new()
        } else {
            node.heredocs
                .iter()
                .map(|h| HeredocView {
                    name: h.name.clone(),
                    file_descriptor: h.file_descriptor,
                    content: h.content.clone(),
                    span: h.marker_span.pair(),
                    content_span: h.content_span.pair(),
                })
                .collect()
        };
        // The package rebuilds the original text of a heredoc instruction: the line, then
        // each body followed by its delimiter.
        let mut original = node.original.clone();
        if !heredocs.is_empty() {
            original.push('\n');
            for h in &heredocs {
                original.push_str(&h.content);
                original.push_str(&h.name);
                original.push('\n');
            }
        }
        Self {
            cmd: node.keyword.value.to_string(),
            sub_cmd: node.sub().map(|s| s.keyword.value.to_string()),
            json: inner.json,
            original,
            start_line: node.start_line,
            end_line: node.end_line,
            flags: node.flags.iter().map(|f| f.value.to_string()).collect(),
            value,
            heredocs,
            span: node.span.pair(),
            keyword_span: node.keyword.span.pair(),
            flag_spans: node.flags.iter().map(|f| f.span.pair()).collect(),
            value_spans,
        }
    }
}

/// `stagecraft parse --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseReport {
    pub schema: u32,
    pub directives: BTreeMap<String, String>,
    pub instructions: Vec<InstructionView>,
    pub diagnostics: Vec<DiagnosticView>,
}

impl ParseReport {
    /// The syntax layer's view of `tree`, parsed from `text`. Invalid nodes, which BuildKit
    /// would have refused, appear only as diagnostics.
    #[must_use]
    pub fn new(tree: &SyntaxTree, text: &str, extra: &[Diagnostic], unit: ColumnUnit) -> Self {
        Self {
            schema: SCHEMA,
            directives: {
                let mut directives = BTreeMap::new();
                directives.extend(tree.directives.iter().map(|d| (d.name.clone(), d.value.clone())));
                directives
            },
            instructions: tree.nodes.iter().filter(|n| !n.invalid).map(InstructionView::new).collect(),
            diagnostics: diagnostic_views(extra.iter().chain(&tree.diagnostics), text, unit),
        }
    }
}

/// `stagecraft check --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub schema: u32,
    pub diagnostics: Vec<DiagnosticView>,
}

/// One instruction for an editor's completion and hover docs: what it does and the flags it
/// takes (the same tables the instruction layer checks flags against).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstructionDoc {
    pub name: &'static str,
    pub summary: &'static str,
    pub flags: Vec<FlagView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlagView {
    pub name: &'static str,
    /// `bool` (`--link`), `string` (`--from=x`, once) or `strings` (`--mount=...`, repeatable).
    pub takes: crate::instructions::FlagKind,
}

/// Every instruction, with `--mount=type=` values: what an editor offers as you type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstructionsReport {
    pub schema: u32,
    pub instructions: Vec<InstructionDoc>,
    pub mount_types: &'static [&'static str],
}

impl InstructionsReport {
    #[must_use]
    pub fn new() -> Self {
        let instructions = crate::instructions::Keyword::ALL
            .into_iter()
            .map(|k| InstructionDoc {
                name: k.name(),
                summary: k.summary(),
                flags: k.flags().iter().map(|&(name, takes)| FlagView { name, takes }).collect(),
            })
            .collect();
        Self { schema: SCHEMA, instructions, mount_types: &crate::instructions::MountType::NAMES }
    }
}

impl Default for InstructionsReport {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn instruction_views_follow_the_package() {
        let text = "FROM a\nENV a b c d\nENV x=\"y z\"\nONBUILD RUN --m x\nRUN <<EOF cat\nhi\nEOF\n";
        let tree = parse(text);
        let report = ParseReport::new(&tree, text, &[], ColumnUnit::Char);
        let env = &report.instructions[1];
        assert_eq!(env.value, ["a", "b c d"]);
        assert_eq!(report.instructions[2].value, ["x", "\"y z\""]);
        let onbuild = &report.instructions[3];
        assert_eq!(
            (onbuild.sub_cmd.as_deref(), onbuild.value.clone(), onbuild.flags.len()),
            (Some("RUN"), vec!["x".to_string()], 0)
        );
        let run = &report.instructions[4];
        assert_eq!(run.original, "RUN <<EOF cat\nhi\nEOF\n");
        assert_eq!(run.heredocs[0].content, "hi\n");
        for view in &report.instructions {
            assert_eq!(view.value.len(), view.value_spans.len());
        }
    }
}
