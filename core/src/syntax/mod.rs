//! The syntax layer: Dockerfile text to BuildKit's parse tree, with spans and diagnostics.
//!
//! This follows BuildKit's `parser.Parse` step by step (physical lines, directives,
//! continuations, comments, heredocs, per-instruction argument splitting), because the exact
//! result is the contract: `parse --format buildkit` must print what BuildKit's own dumper
//! prints. Where BuildKit stops at the first error, this parser records a diagnostic, marks
//! the node invalid and goes on with the next line.
//!
//! Architecture invariant: parsing never fails and never panics; every diagnostic has a span.

mod args;
mod directives;
mod dump;
mod heredoc;
mod json;
mod logical;
mod node;
mod split;

use std::borrow::Cow;

pub use dump::dump;
pub use heredoc::{MarkerWord, chomp as chomp_heredoc, marker_word};
pub use node::{Args, Directive, Heredoc, KeyValue, Node, Text, Token};

use crate::diagnostic::{Code, Diagnostic};
use crate::gostr;
use crate::text::Span;
use args::{ArgsError, RawArgs};
use logical::LogicalLine;
use split::Piece;

/// BuildKit's scanner refuses a line (with its newline) longer than 64 KiB.
pub const MAX_LINE_LEN: usize = 64 * 1024;

/// ONBUILD triggers nest (`ONBUILD ONBUILD ...`); deeper than this is reported rather than
/// recursed into. BuildKit rejects any nesting later, in its instructions package.
const MAX_ONBUILD_NESTING: usize = 32;

/// The parse tree of one Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxTree {
    pub directives: Vec<Directive>,
    /// The escape character in effect: `\` or `` ` ``.
    pub escape: char,
    /// Top-level instructions in source order, including invalid ones.
    pub nodes: Vec<Node>,
    pub diagnostics: Vec<Diagnostic>,
}

impl SyntaxTree {
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The value of a directive, if the file has it.
    #[must_use]
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }
}

/// Text decoded from bytes: valid UTF-8 is borrowed; anything else is repaired and reported.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub diagnostic: Option<Diagnostic>,
}

/// Decodes Dockerfile bytes. Invalid UTF-8 becomes U+FFFD with a warning at the first bad
/// byte (spans then refer to the repaired text, which is what the tools show).
#[must_use]
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded { text: Cow::Borrowed(text), diagnostic: None },
        Err(err) => {
            let at = err.valid_up_to();
            let bad = err.error_len().unwrap_or(bytes.len() - at);
            Decoded {
                text: String::from_utf8_lossy(bytes),
                diagnostic: Some(
                    Diagnostic::new(
                        Code::InvalidUtf8,
                        Span::new(at, at + '\u{fffd}'.len_utf8()),
                        format!("invalid UTF-8 at byte {at} ({bad} byte(s)); replaced by U+FFFD"),
                    )
                    .with_help("save the Dockerfile as UTF-8"),
                ),
            }
        }
    }
}

/// Parses a Dockerfile. Never fails: problems are diagnostics in the tree.
#[must_use]
pub fn parse(text: &str) -> SyntaxTree {
    Parser::new(text).run()
}

/// A physical line: `[start, end)` including its `\n`, with `content_end` before the line ending.
#[derive(Clone, Copy, Debug)]
struct Physical {
    start: usize,
    end: usize,
}

struct DirectiveState {
    done: bool,
    seen: Vec<String>,
}

struct Parser<'a> {
    text: &'a str,
    lines: Vec<Physical>,
    next_line: usize,
    escape: char,
    directive_state: DirectiveState,
    directives: Vec<Directive>,
    nodes: Vec<Node>,
    diagnostics: Vec<Diagnostic>,
    /// The piece map of the previous logical line, reused to save an allocation per line.
    pieces: Vec<(usize, usize)>,
    /// Keywords seen so far: a file repeats a handful of them, so each is allocated once.
    keywords: Vec<Text>,
}

/// Go's `bytes.TrimRight(line, "\r\n")`.
fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn trim_left_space(s: &str) -> &str {
    s.trim_start_matches(gostr::is_space)
}

fn is_comment(s: &str) -> bool {
    trim_left_space(s).starts_with('#')
}

/// Splits text into lines the way BuildKit's `scanLines` does: at `\n`, keeping it.
fn physical_lines(text: &str) -> Vec<Physical> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(Physical { start, end: i + 1 });
        start = i + 1;
    }
    if start < text.len() {
        lines.push(Physical { start, end: text.len() });
    }
    lines
}

/// Where the continuation character is, if the line continues: the escape character last on
/// the line (trailing blanks allowed), not itself escaped. Returns the end of the kept text.
fn continuation(s: &str, escape: char) -> Option<usize> {
    let body = s.trim_end_matches([' ', '\t']);
    let kept = body.strip_suffix(escape)?;
    if kept.is_empty() || !kept.ends_with(escape) { Some(kept.len()) } else { None }
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            lines: physical_lines(text),
            next_line: 0,
            escape: '\\',
            directive_state: DirectiveState { done: false, seen: Vec::new() },
            directives: Vec::new(),
            nodes: Vec::new(),
            diagnostics: Vec::new(),
            pieces: Vec::new(),
            keywords: Vec::new(),
        }
    }

    fn diag(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(code, span, message));
    }

    /// Takes the next physical line, checking BuildKit's line-length limit.
    fn take_line(&mut self) -> Option<Physical> {
        let line = *self.lines.get(self.next_line)?;
        self.next_line += 1;
        let len = line.end - line.start;
        let ends_in_newline = self.text[..line.end].ends_with('\n');
        if len > MAX_LINE_LEN || (!ends_in_newline && len >= MAX_LINE_LEN) {
            let content_end = line.start + trim_newline(&self.text[line.start..line.end]).len();
            self.diag(
                Code::LineTooLong,
                Span::new(line.start, content_end),
                format!("dockerfile line greater than max allowed size of {}", MAX_LINE_LEN - 1),
            );
        }
        Some(line)
    }

    /// BuildKit's `possibleParserDirective` on a line; true when it was a valid directive.
    fn directive(&mut self, token: &str, token_start: usize) -> bool {
        if self.directive_state.done {
            return false;
        }
        let Some(((ks, ke), (vs, ve))) = directives::match_line(token) else {
            self.directive_state.done = true;
            return false;
        };
        let name = token[ks..ke].to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directive_state.done = true;
            return false;
        }
        let span = Span::new(token_start, token_start + token.len());
        let value_span = Span::new(token_start + vs, token_start + ve);
        if self.directive_state.seen.contains(&name) {
            self.diag(Code::DuplicateDirective, span, format!("only one {name} parser directive can be used"));
            return false;
        }
        self.directive_state.seen.push(name.clone());
        let value = token[vs..ve].to_string();
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => {
                    self.diag(
                        Code::InvalidEscapeToken,
                        value_span,
                        format!("invalid escape token '{value}' does not match ` or \\"),
                    );
                    return false;
                }
            }
        }
        self.directives.push(Directive {
            name,
            value,
            span,
            name_span: Span::new(token_start + ks, token_start + ke),
            value_span,
        });
        true
    }

    fn run(mut self) -> SyntaxTree {
        let mut comments: Vec<Span> = Vec::new();
        let mut current_line: u32 = 0;
        let mut first = true;
        while let Some(line) = self.take_line() {
            let mut start = line.start;
            if first && self.text[start..].starts_with('\u{feff}') {
                start += '\u{feff}'.len_utf8();
            }
            first = false;
            let raw = &self.text[start..line.end];
            if is_comment(raw) {
                // BuildKit trims from the second byte of the raw line, leading blanks or not.
                let from = (1..=raw.len()).find(|&i| raw.is_char_boundary(i)).unwrap_or(raw.len());
                let after = &raw[from..];
                let comment = after.trim_matches(gostr::is_space);
                if comment.is_empty() {
                    comments.clear();
                } else {
                    let at = start + from + (after.len() - after.trim_start_matches(gostr::is_space).len());
                    comments.push(Span::new(at, at + comment.len()));
                }
            }
            let token = trim_left_space(trim_newline(raw));
            let token_start = start + (trim_newline(raw).len() - token.len());
            if self.directive(token, token_start) {
                comments.pop();
            }
            let content = if is_comment(token) { "" } else { token };
            current_line += 1;
            let start_line = current_line;

            let mut logical = LogicalLine::reusing(token_start, std::mem::take(&mut self.pieces));
            logical.text.reserve(content.len());
            let mut end_of_line = if let Some(keep) = continuation(content, self.escape) {
                logical.push(self.text, token_start, token_start + keep);
                false
            } else {
                logical.push(self.text, token_start, token_start + content.len());
                true
            };
            if end_of_line && content.is_empty() {
                self.pieces = logical.into_buffer();
                continue;
            }
            let mut last_line = line;
            let mut empty_continuations = Vec::new();
            while !end_of_line {
                let Some(next) = self.take_line() else { break };
                last_line = next;
                let raw = &self.text[next.start..next.end];
                let token = trim_newline(raw);
                self.directive(token, next.start);
                current_line += 1;
                if is_comment(raw) {
                    continue;
                }
                if trim_left_space(token).is_empty() {
                    empty_continuations.push(Span::new(next.start, next.start + token.len()));
                    continue;
                }
                if let Some(keep) = continuation(token, self.escape) {
                    logical.push(self.text, next.start, next.start + keep);
                } else {
                    logical.push(self.text, next.start, next.start + token.len());
                    end_of_line = true;
                }
            }
            if !empty_continuations.is_empty() {
                // BuildKit reports the warning at the instruction's last line; the empty lines
                // themselves are labelled.
                let last = trim_newline(&self.text[last_line.start..last_line.end]);
                let at = Span::new(last_line.start, last_line.start + last.len());
                let mut diagnostic = Diagnostic::new(Code::NoEmptyContinuation, at, "Empty continuation line")
                    .with_help("remove the empty line, or end it with the escape character: empty continuation lines will become errors in a future release");
                for &empty in &empty_continuations {
                    diagnostic = diagnostic.with_related(empty, "this line is empty");
                }
                self.diagnostics.push(diagnostic);
            }

            let mut node = self.node_from_line(&logical, 0, logical.text.len(), 0);
            node.comments = std::mem::take(&mut comments);
            node.start_line = start_line;

            // Most lines have no `<<`; BuildKit skips lexing them too.
            if logical.text.contains("<<") && can_contain_heredoc(&node) {
                self.read_heredocs(&mut node, &logical, &mut current_line, &mut last_line);
            }
            node.original = std::mem::take(&mut logical.text);
            self.pieces = logical.into_buffer();
            node.end_line = current_line;
            let end = last_line.start + trim_newline(&self.text[last_line.start..last_line.end]).len();
            node.span = Span::new(node.keyword.span.start as usize, end.max(node.keyword.span.end as usize));
            self.nodes.push(node);
        }
        if self.nodes.is_empty() {
            let len = self.text.len();
            self.diag(Code::NoInstructions, Span::new(0, len), "file with no instructions");
        }
        SyntaxTree {
            directives: self.directives,
            escape: self.escape,
            nodes: self.nodes,
            diagnostics: self.diagnostics,
        }
    }

    /// Reads the bodies of the heredocs that `node`'s line opens.
    fn read_heredocs(
        &mut self,
        node: &mut Node,
        logical: &LogicalLine,
        current_line: &mut u32,
        last_line: &mut Physical,
    ) {
        let markers = match heredoc::markers_in_line(&logical.text) {
            Ok(markers) => markers,
            Err(message) => {
                self.diag(Code::InvalidHeredoc, node.keyword.span.cover(logical.span(0, logical.text.len())), message);
                node.invalid = true;
                return;
            }
        };
        for marker in markers {
            let marker_span = logical.span(marker.start, marker.end);
            let content_start = self.lines.get(self.next_line).map_or(self.text.len(), |l| l.start);
            let mut content_end = content_start;
            let mut terminator_span = None;
            while let Some(line) = self.take_line() {
                *current_line += 1;
                *last_line = line;
                let raw = &self.text[line.start..line.end];
                let mut candidate = trim_newline(raw);
                if marker.chomp {
                    candidate = candidate.trim_start_matches('\t');
                }
                if candidate == marker.name {
                    terminator_span = Some(Span::new(line.start, line.start + trim_newline(raw).len()));
                    break;
                }
                content_end = line.end;
            }
            let content_span = Span::new(content_start, content_end);
            let terminator_span = terminator_span.unwrap_or_else(|| {
                self.diagnostics.push(
                    Diagnostic::new(Code::UnterminatedHeredoc, marker_span, "unterminated heredoc")
                        .with_help(format!("end the heredoc with a line that holds only `{}`", marker.name)),
                );
                node.invalid = true;
                Span::empty(self.text.len())
            });
            node.heredocs.push(Heredoc {
                name: marker.name,
                file_descriptor: marker.file_descriptor,
                expand: marker.expand,
                chomp: marker.chomp,
                content: content_span.slice(self.text).to_string(),
                marker_span,
                content_span,
                terminator_span,
            });
        }
    }

    /// The shared text of a keyword.
    fn intern(&mut self, keyword: &str) -> Text {
        if let Some(known) = self.keywords.iter().find(|k| ***k == *keyword) {
            return known.clone();
        }
        let text: Text = keyword.into();
        if self.keywords.len() < 64 {
            self.keywords.push(text.clone());
        }
        text
    }

    fn token(logical: &LogicalLine, piece: Piece) -> Token {
        Token { span: logical.span(piece.start(), piece.end()), value: piece.value }
    }

    /// BuildKit's `newNodeFromLine` for `logical[offset..end]` (the whole logical line, or
    /// the trigger of an ONBUILD at nesting `depth`).
    fn node_from_line(&mut self, logical: &LogicalLine, offset: usize, end: usize, depth: usize) -> Node {
        let line = &logical.text;
        let split = split::split_command(&line[offset..end], '\\');
        let shift = |p: Piece| p.shifted(offset);
        let (ks, ke) = (split.keyword.0 + offset, split.keyword.1 + offset);
        let keyword = Piece::shared(self.intern(&line[ks..ke]), ks, ke);
        let flags: Vec<Piece> = split.flags.into_iter().map(shift).collect();
        let (args_start, args_end) = (split.args.0 + offset, split.args.1 + offset);
        let cmd = instruction_name(&keyword.value).unwrap_or("");
        let escape = self.escape;

        let mut node = Node {
            keyword: Self::token(logical, keyword),
            flags: flags.into_iter().map(|p| Self::token(logical, p)).collect(),
            args: Args::None,
            json: false,
            // The caller moves the logical line in for a whole-line node; a trigger copies its part.
            original: if offset == 0 && end == line.len() { String::new() } else { line[offset..end].to_string() },
            heredocs: Vec::new(),
            span: Span::default(),
            start_line: 0,
            end_line: 0,
            comments: Vec::new(),
            invalid: false,
        };
        let result: Result<(RawArgs, bool), ArgsError> = match cmd {
            "add" | "copy" | "volume" => args::maybe_json_to_list(line, args_start, args_end),
            "arg" => Ok((args::name_or_name_val(line, args_start, args_end, escape), false)),
            "cmd" | "entrypoint" | "run" | "shell" => args::maybe_json(line, args_start, args_end),
            "env" => args::name_val(line, args_start, args_end, escape, "ENV"),
            "label" => args::name_val(line, args_start, args_end, escape, "LABEL"),
            "expose" | "from" => Ok((args::whitespace_list(line, args_start, args_end), false)),
            "healthcheck" => args::health(line, args_start, args_end),
            "maintainer" | "stopsignal" | "user" | "workdir" => Ok((args::single(line, args_start, args_end), false)),
            "onbuild" => {
                if args_start == args_end {
                    Ok((RawArgs::None, false))
                } else if depth >= MAX_ONBUILD_NESTING {
                    let span = logical.span(args_start, args_end);
                    self.diag(Code::InvalidOnbuildTrigger, span, "ONBUILD triggers nested too deeply");
                    node.invalid = true;
                    Ok((RawArgs::None, false))
                } else {
                    let mut sub = self.node_from_line(logical, args_start, args_end, depth + 1);
                    sub.span =
                        Span::new(sub.keyword.span.start as usize, logical.span(args_start, args_end).end as usize);
                    node.invalid |= sub.invalid;
                    node.args = Args::Sub(Box::new(sub));
                    return node;
                }
            }
            // BuildKit ignores the arguments of an unknown instruction but keeps one empty node.
            _ => Ok((RawArgs::List(vec![Piece::new("", args_start, args_start)]), false)),
        };
        match result {
            Ok((raw, json)) => {
                node.json = json;
                node.args = match raw {
                    RawArgs::None => Args::None,
                    RawArgs::List(list) => Args::List(list.into_iter().map(|p| Self::token(logical, p)).collect()),
                    RawArgs::Pairs(pairs) => Args::Pairs(
                        pairs
                            .into_iter()
                            .map(|(k, v, equals)| KeyValue {
                                key: Self::token(logical, k),
                                value: Self::token(logical, v),
                                equals,
                            })
                            .collect(),
                    ),
                    RawArgs::Health(kind, command) => Args::Health {
                        kind: Self::token(logical, kind),
                        command: command.into_iter().map(|p| Self::token(logical, p)).collect(),
                    },
                };
            }
            Err(ArgsError::NotStringArray { start, end }) => {
                node.invalid = true;
                let span = logical.span(start, end);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::JsonNotStringArray,
                        span,
                        "when using JSON array syntax, arrays must be comprised of strings only",
                    )
                    .with_help("quote every element, or write the shell form without brackets"),
                );
            }
            Err(ArgsError::KeyValue { message, start, end }) => {
                node.invalid = true;
                let span = if start == end { node.keyword.span } else { logical.span(start, end) };
                self.diagnostics.push(
                    Diagnostic::new(Code::InvalidKeyValue, span, message)
                        .with_help("write `key=value` pairs, quoting values that hold spaces"),
                );
            }
        }
        node
    }
}

/// The lower-case name of the instruction `keyword` names (BuildKit lowercases before it
/// dispatches), or `None` for an unknown word.
pub(crate) fn instruction_name(keyword: &str) -> Option<&'static str> {
    const NAMES: [&str; 18] = [
        "add",
        "arg",
        "cmd",
        "copy",
        "entrypoint",
        "env",
        "expose",
        "from",
        "healthcheck",
        "label",
        "maintainer",
        "onbuild",
        "run",
        "shell",
        "stopsignal",
        "user",
        "volume",
        "workdir",
    ];
    if !keyword.is_ascii() {
        // Go lowercases rune by rune: the Kelvin sign, for one, becomes `k`.
        let lower = gostr::to_lower(keyword);
        return NAMES.into_iter().find(|name| *name == lower);
    }
    if keyword.len() > 11 {
        return None;
    }
    let mut buf = [0u8; 11];
    for (b, k) in buf.iter_mut().zip(keyword.bytes()) {
        *b = k.to_ascii_lowercase();
    }
    let lower = &buf[..keyword.len()];
    NAMES.into_iter().find(|name| name.as_bytes() == lower)
}

/// BuildKit's `canContainHeredoc`: RUN, COPY and ADD (also as an ONBUILD trigger), not in JSON form.
fn can_contain_heredoc(node: &Node) -> bool {
    let node = match (&node.args, instruction_name(&node.keyword.value) == Some("onbuild")) {
        (Args::Sub(sub), true) => sub,
        _ => node,
    };
    matches!(instruction_name(&node.keyword.value), Some("add" | "copy" | "run")) && !node.json
}

#[cfg(test)]
mod tests;
