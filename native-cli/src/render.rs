//! Human rendering of diagnostics: the source lines with the span underlined.

use std::io::IsTerminal;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use stagecraft_core::{Diagnostic, LineIndex, Severity, Span};

/// Colours when the stream is a terminal and `NO_COLOR` is not set.
pub(crate) fn renderer(terminal: bool) -> Renderer {
    if terminal && std::env::var_os("NO_COLOR").is_none() { Renderer::styled() } else { Renderer::plain() }
}

pub(crate) fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Lines shown around a diagnostic at most; a span over many lines is cut after these.
const MAX_LINES: usize = 8;

/// Bytes of context kept on each side of a span on a very long line.
const CONTEXT: usize = 160;

/// The nearest char boundary at or below `at`.
fn floor(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The nearest char boundary at or above `at`.
fn ceil(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Renders one diagnostic against `text` (a file named `name`).
/// The source lines around `span` (whole lines, cut to a window on a very long line) as a
/// snippet with the span underlined.
fn snippet<'a>(
    name: &'a str,
    text: &'a str,
    index: &LineIndex,
    span: Span,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let first = index.line_of(span.start);
    let last = index.line_of(span.end.saturating_sub(1).max(span.start)).min(first + MAX_LINES - 1);
    let start =
        (index.line_span(text, first).start as usize).max(floor(text, (span.start as usize).saturating_sub(CONTEXT)));
    let end = (index.line_span(text, last).end as usize)
        .min(ceil(text, span.end as usize + CONTEXT).max(ceil(text, span.start as usize + CONTEXT)))
        .max(start);
    let lo = (span.start as usize).clamp(start, end) - start;
    let hi = (span.end as usize).clamp(start, end) - start;
    Snippet::source(&text[start..end])
        .line_start(first + 1)
        .path(name)
        .annotation(AnnotationKind::Primary.span(lo..hi.max(lo)))
}

/// A message about the instruction at `span` that is not a core diagnostic (a step a real
/// build failed).
pub(crate) fn error_at(renderer: &Renderer, name: &str, text: &str, span: Span, message: &str) -> String {
    let index = LineIndex::new(text);
    renderer.render(&[Level::ERROR.primary_title(message).element(snippet(name, text, &index, span))])
}

/// Renders one diagnostic against `text` (a file named `name`).
pub(crate) fn diagnostic(renderer: &Renderer, name: &str, text: &str, index: &LineIndex, d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let snippet = snippet(name, text, index, d.span);
    let mut report = vec![level.primary_title(d.message.as_str()).id(d.code.name()).element(snippet)];
    // Related places, each with its own line.
    let mut related = Vec::new();
    for label in d.related.iter().take(MAX_LINES) {
        let line = index.line_of(label.span.start);
        let line_span = index.line_span(text, line);
        let (ls, le) = (line_span.start as usize, line_span.end as usize);
        let ls = ls.max(floor(text, (label.span.start as usize).saturating_sub(CONTEXT)));
        let le = le.min(ceil(text, label.span.start as usize + CONTEXT)).max(ls);
        let lo = (label.span.start as usize).clamp(ls, le) - ls;
        let hi = (label.span.end as usize).clamp(ls, le) - ls;
        related.push((label.message.as_str(), &text[ls..le], line + 1, lo, hi));
    }
    for (message, excerpt, line, lo, hi) in &related {
        report.push(
            Group::with_title(Level::NOTE.secondary_title(*message)).element(
                Snippet::source(*excerpt)
                    .line_start(*line)
                    .path(name)
                    .annotation(AnnotationKind::Context.span(*lo..(*hi).max(*lo))),
            ),
        );
    }
    if let Some(help) = &d.help {
        report.push(Group::with_title(Level::HELP.secondary_title(help.as_str())));
    }
    let url = stagecraft_core::lint::rules::rule(d.code)
        .map(|r| format!("build check {}: {} (`stagecraft rules {}` explains it)", r.name(), r.url, r.name()));
    if let Some(url) = &url {
        report.push(Group::with_title(Level::NOTE.secondary_title(url.as_str())));
    }
    renderer.render(&report)
}

/// Appends diagnostics to a report, each after a blank line.
pub(crate) fn append<'a>(
    out: &mut String,
    name: &str,
    text: &str,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
) {
    let index = LineIndex::new(text);
    let renderer = renderer(stdout_is_terminal());
    for d in diagnostics {
        out.push('\n');
        out.push_str(&diagnostic(&renderer, name, text, &index, d));
        out.push('\n');
    }
}
