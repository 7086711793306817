//! One entry point over the layers that exist: parse, then type the instructions, and every
//! diagnostic of both in source order. The CLI's `check` and the JS API's `check` both use it.

use crate::diagnostic::Diagnostic;
use crate::instructions::{self, Instructions};
use crate::syntax::{self, SyntaxTree};

/// A Dockerfile analysed by every layer that exists.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub tree: SyntaxTree,
    pub instructions: Instructions,
}

impl Analysis {
    #[must_use]
    pub fn new(text: &str) -> Self {
        let tree = syntax::parse(text);
        let instructions = instructions::lower(&tree);
        Self { tree, instructions }
    }

    /// Every diagnostic, in source order (then by code).
    #[must_use]
    pub fn diagnostics(&self) -> Vec<&Diagnostic> {
        let mut all: Vec<&Diagnostic> =
            self.tree.diagnostics.iter().chain(self.instructions.all_diagnostics()).collect();
        all.sort_by_key(|d| (d.span.start, d.span.end, d.code));
        all
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics().iter().any(|d| d.is_error())
    }
}
