//! One entry point over the layers: parse, type the instructions, plan, dispatch, build checks,
//! and every diagnostic in source order. The CLI's `check` and `graph` and the JS API use it.

use crate::catalog::Catalog;
use crate::diagnostic::{Code, Diagnostic};
use crate::dockerignore::Matcher;
use crate::instructions::{self, Instructions};
use crate::lint::{self, Linter};
use crate::plan::dispatch::{self, Dispatch, DispatchOptions};
use crate::plan::{self, BuildOptions, Plan};
use crate::syntax::{self, SyntaxTree};
use crate::text::Span;

/// A Dockerfile parsed and typed.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub tree: SyntaxTree,
    pub instructions: Instructions,
}

/// What a check or a plan needs besides the Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub build: BuildOptions,
    /// The build context's `.dockerignore` text, if it has one.
    pub dockerignore: Option<String>,
    /// Dispatch every stage, as BuildKit's lint does without a target; otherwise only the
    /// stages the target builds.
    pub all_stages: bool,
    /// Image configs beyond the built-in catalog (later entries win).
    pub catalog: Option<Catalog>,
}

impl CheckOptions {
    /// Options for `check`: every stage without a target, the target's stages with one.
    #[must_use]
    pub fn lint(build: BuildOptions) -> Self {
        let all_stages = build.target.as_deref().is_none_or(str::is_empty);
        Self { build, all_stages, ..Self::default() }
    }
}

/// Everything the layers found.
#[derive(Clone, Debug)]
pub struct Checked {
    pub plan: Plan,
    pub dispatch: Dispatch,
    /// Every diagnostic of every layer, in source order.
    pub diagnostics: Vec<Diagnostic>,
    pub linter: Linter,
}

impl Checked {
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

impl Analysis {
    #[must_use]
    pub fn new(text: &str) -> Self {
        let tree = syntax::parse(text);
        let instructions = instructions::lower(&tree);
        Self { tree, instructions }
    }

    /// The diagnostics of the syntax and instruction layers, in source order (then by code).
    /// Errors BuildKit reports only when it builds a stage are included for every stage.
    #[must_use]
    pub fn diagnostics(&self) -> Vec<&Diagnostic> {
        let mut all: Vec<&Diagnostic> =
            self.tree.diagnostics.iter().chain(self.instructions.all_diagnostics()).collect();
        crate::sort::sort_by_key(&mut all, |d| (d.span.start, d.span.end, d.code));
        all
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics().iter().any(|d| d.is_error())
    }

    /// The plan for `options`: stages, targets, edges, global ARGs.
    #[must_use]
    pub fn plan(&self, text: &str, options: &BuildOptions) -> Plan {
        plan::plan(text, &self.tree, &self.instructions, options)
    }

    /// Every layer, as BuildKit runs them for a build (or a lint run): plan, dispatch of the
    /// stages it builds, and the build checks the file's configuration turns on.
    #[must_use]
    pub fn check(&self, text: &str, options: &CheckOptions) -> Checked {
        let plan = self.plan(text, &options.build);
        let (linter, config_error) = Linter::new(text, &self.tree, &options.build);
        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        diagnostics.extend(config_error);

        let combined;
        let catalog = match &options.catalog {
            None => Catalog::shared(),
            Some(extra) => {
                let mut both = Catalog::builtin();
                both.extend(extra);
                combined = both;
                &combined
            }
        };
        let matcher = match options.dockerignore.as_deref().map(Matcher::parse) {
            None => None,
            Some(Ok(m)) => Some(m),
            Some(Err((line, message))) => {
                diagnostics.push(Diagnostic::new(
                    Code::InvalidDockerignore,
                    Span::default(),
                    format!("failed to parse .dockerignore line {line}: {message}"),
                ));
                None
            }
        };
        let dispatched = dispatch::dispatch(
            text,
            &self.tree,
            &self.instructions.items,
            &plan,
            &options.build,
            DispatchOptions {
                all_stages: options.all_stages,
                catalog,
                dockerignore: matcher.as_ref(),
                linter: &linter,
            },
        );

        // Parse-level findings: the syntax layer's (NoEmptyContinuation obeys the file's
        // configuration), the instruction layer's; dispatch-time errors only for the stages
        // BuildKit dispatches.
        for d in &self.tree.diagnostics {
            if linter.allows(d.code, None) {
                diagnostics.push(d.clone());
            }
        }
        diagnostics.extend(self.instructions.diagnostics.iter().cloned());
        diagnostics.extend(plan.diagnostics.iter().cloned());
        diagnostics.extend(lint::stage_checks(
            text,
            &self.tree,
            &self.instructions.items,
            &plan,
            &linter,
            &options.build,
        ));
        diagnostics.extend(dispatched.diagnostics.iter().cloned());

        if linter.global.error {
            let mut rules: Vec<&str> =
                diagnostics.iter().filter(|d| lint::rules::rule(d.code).is_some()).map(|d| d.code.name()).collect();
            crate::sort::sort_dedup(&mut rules);
            if !rules.is_empty() {
                let span = self.tree.directive("check").map_or_else(Span::default, |d| d.span);
                diagnostics.push(
                    Diagnostic::new(Code::LintViolation, span, format!("lint violation found for rules: {}", rules.join(", ")))
                        .with_help("the check directive (or BUILDKIT_DOCKERFILE_CHECK) sets error=true: build checks fail the build"),
                );
            }
        }
        crate::sort::sort_by_key(&mut diagnostics, |d| (d.span.start, d.span.end, d.code));
        diagnostics.dedup();
        Checked { plan, dispatch: dispatched, diagnostics, linter }
    }
}
