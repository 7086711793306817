//! The shell language of RUN: POSIX sh (XCU 2.10), with the bash forms Dockerfiles use behind
//! [`Dialect::Bash`], parsed into a tree with byte spans.
//!
//! This is the shell that runs RUN scripts, not [`crate::shell`], which is BuildKit's word
//! expansion of Dockerfile arguments. Parsing never fails: text that dash or bash would reject
//! becomes a [`CommandKind::Error`] node with a diagnostic (`ShellSyntax`), and parsing goes
//! on at the next newline or `;` at the same nesting level. Nesting is bounded
//! ([`MAX_DEPTH`]), so hostile input cannot overflow the stack.
//!
//! `ast.rs` is the tree, `parse.rs` the grammar, `heredoc.rs` puts here-document bodies in
//! their redirections, `dump.rs` the S-expression text the fixture tests compare.

pub mod ast;
mod dump;
mod heredoc;
mod parse;

pub use ast::*;
pub use dump::dump;
pub use parse::MAX_DEPTH;

use crate::diagnostic::Diagnostic;

/// A parsed script and what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub script: Script,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses shell text. Never fails, never panics; spans are byte offsets into `text`.
#[must_use]
pub fn parse(text: &str, dialect: Dialect) -> Parsed {
    let mut parser = parse::Parser::new(text, dialect);
    let script = parser.program();
    let mut diagnostics = parser.diagnostics;
    crate::sort::sort_by_key(&mut diagnostics, |d| (d.span.start, d.span.end));
    Parsed { script, diagnostics }
}

#[cfg(test)]
mod tests;
