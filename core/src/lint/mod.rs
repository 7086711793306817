//! BuildKit's build checks: which rules run ([`config`], the `# check=` directive, the
//! `BUILDKIT_DOCKERFILE_CHECK` build argument and per-instruction `# check=` comments), the
//! rules as data ([`rules`]), and the checks BuildKit makes over every stage, reachable or not.
//!
//! The checks BuildKit makes while it dispatches a stage live in [`crate::plan::dispatch`],
//! because they need the stage's state; they ask the same [`Linter`] whether a rule is on.

pub mod config;
pub mod rules;

use std::fmt::Write as _;

pub use config::LintConfig;
pub use rules::{RULES, Rule};

use crate::diagnostic::{Code, Diagnostic};
use crate::instructions::{Instruction, Keyword, Kind};
use crate::plan::{BuildOptions, Plan};
use crate::shell::{Env, Lexer};
use crate::syntax::SyntaxTree;
use crate::text::Span;

/// The build argument that replaces the `# check=` directive.
pub const CHECK_BUILD_ARG: &str = "BUILDKIT_DOCKERFILE_CHECK";

/// Decides which rules are reported, with the file's configuration and each instruction's
/// `# check=` comments.
#[derive(Clone, Debug)]
pub struct Linter {
    pub global: LintConfig,
    /// Per node: the configuration merged with the node's `# check=` comment, when it has a
    /// valid one.
    merged: Vec<Option<LintConfig>>,
}

impl Linter {
    /// The linter for a file: `BUILDKIT_DOCKERFILE_CHECK` when given (even empty), else the
    /// `# check=` directive. An unparsable configuration is an error BuildKit fails on.
    #[must_use]
    pub fn new(text: &str, tree: &SyntaxTree, options: &BuildOptions) -> (Self, Option<Diagnostic>) {
        let (global, error) = if let Some(value) = options.build_arg(CHECK_BUILD_ARG) {
            match LintConfig::parse(value) {
                Ok(c) => (c, None),
                Err(e) => (
                    LintConfig::default(),
                    Some(Diagnostic::new(
                        Code::InvalidCheckOption,
                        Span::default(),
                        format!("failed to parse build-arg:{CHECK_BUILD_ARG}: {e}"),
                    )),
                ),
            }
        } else if let Some(directive) = tree.directive("check") {
            // BuildKit keeps only the value's first word (so `skip=A // why` works).
            let value = directive.value.split(' ').next().unwrap_or_default();
            match LintConfig::parse(value) {
                Ok(c) => (c, None),
                Err(e) => (
                    LintConfig::default(),
                    Some(
                        Diagnostic::new(
                            Code::InvalidCheckOption,
                            directive.value_span,
                            format!("failed to parse check options: {e}"),
                        )
                        .with_help("the check directive takes skip=<rules>|all;error=true|false;experimental=<rules>|all, with no spaces"),
                    ),
                ),
            }
        } else {
            (LintConfig::default(), None)
        };
        let merged = tree.nodes.iter().map(|node| merge_comments(text, &global, &node.comments)).collect();
        (Self { global, merged }, error)
    }

    /// A linter with every non-experimental rule on.
    #[must_use]
    pub fn all_on(tree: &SyntaxTree) -> Self {
        Self { global: LintConfig::default(), merged: vec![None; tree.nodes.len()] }
    }

    /// Is `code` reported for a finding governed by `node`'s comments (`None`: the file's
    /// configuration only)? Codes that are not build checks always are.
    #[must_use]
    pub fn allows(&self, code: Code, node: Option<usize>) -> bool {
        let Some(rule) = rules::rule(code) else { return true };
        let config = node.and_then(|n| self.merged.get(n)).and_then(Option::as_ref).unwrap_or(&self.global);
        config.enabled(rule)
    }
}

/// BuildKit's `WithMergedConfigFromComments`: the first `check=` comment above an instruction
/// adds its skips and experimental rules (never `error=`); an unparsable one changes nothing.
fn merge_comments(text: &str, global: &LintConfig, comments: &[Span]) -> Option<LintConfig> {
    for comment in comments {
        let comment = comment.slice(text);
        let Some((key, value)) = comment.split_once('=') else { continue };
        let key = key.trim();
        if key.is_empty()
            || !key.starts_with(|c: char| c.is_ascii_alphabetic())
            || !key.chars().all(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        if key.eq_ignore_ascii_case("check") {
            let value = value.trim().split(' ').next().unwrap_or_default();
            let Ok(local) = LintConfig::parse(value) else { return None };
            let mut merged = global.clone();
            merged.skip_all |= local.skip_all;
            merged.experimental_all |= local.experimental_all;
            merged.skip.extend(local.skip);
            merged.experimental.extend(local.experimental);
            return Some(merged);
        }
    }
    None
}

/// The checks BuildKit makes over every stage, whatever the target: those of the parser and
/// the instruction parser, stage names, instruction casing, and the FROM lines.
#[must_use]
pub fn stage_checks(
    text: &str,
    tree: &SyntaxTree,
    items: &[Instruction],
    plan: &Plan,
    linter: &Linter,
    options: &BuildOptions,
) -> Vec<Diagnostic> {
    let mut out = Checks { text, linter, out: Vec::new() };
    out.parse_time(tree, items);
    out.stage_names(plan);
    out.casing(items, plan);
    out.default_args(tree, items, plan, options);
    out.base_lines(tree, items, plan);
    out.out
}

struct Checks<'a> {
    text: &'a str,
    linter: &'a Linter,
    out: Vec<Diagnostic>,
}

impl Checks<'_> {
    fn warn(&mut self, code: Code, node: Option<usize>, span: Span, message: String) -> Option<&mut Diagnostic> {
        if !self.linter.allows(code, node) {
            return None;
        }
        self.out.push(Diagnostic::new(code, span, message));
        self.out.last_mut()
    }

    /// `StageNameCasing`, `FromAsCasing`, `MaintainerDeprecated` and `InvalidDefinitionDescription`:
    /// BuildKit's `instructions.Parse`, every instruction.
    fn parse_time(&mut self, tree: &SyntaxTree, items: &[Instruction]) {
        for item in items {
            let node = &tree.nodes[item.node];
            match &item.kind {
                Kind::From(from) => {
                    if let Some(name) = &from.name {
                        let written = name.span.slice(self.text);
                        if written != crate::gostr::to_lower(written) {
                            self.warn(
                                Code::StageNameCasing,
                                Some(item.node),
                                name.span,
                                format!("Stage name '{written}' should be lowercase"),
                            );
                        }
                    }
                    if let Some(as_word) = &from.as_keyword {
                        let keyword = item.keyword_span.slice(self.text);
                        let as_text = as_word.span.slice(self.text);
                        let lower = keyword == crate::gostr::to_lower(keyword);
                        let upper = keyword == crate::gostr::to_upper(keyword);
                        let mismatch = (lower && as_text != crate::gostr::to_lower(as_text))
                            || (!lower && upper && as_text != crate::gostr::to_upper(as_text));
                        if mismatch {
                            self.warn(
                                Code::FromAsCasing,
                                Some(item.node),
                                as_word.span,
                                format!("'{as_text}' and '{keyword}' keywords' casing do not match"),
                            );
                        }
                    }
                    if let Some(name) = &from.name {
                        self.definition_description(node, item.node, "FROM", &[(&name.value, name.span)]);
                    }
                }
                Kind::Arg(defs) => {
                    let keys: Vec<(&str, Span)> = defs.iter().map(|d| (d.name.value.as_ref(), d.name.span)).collect();
                    self.definition_description(node, item.node, "ARG", &keys);
                }
                _ => {}
            }
            if item.keyword == Some(Keyword::Maintainer) {
                self.warn(
                    Code::MaintainerDeprecated,
                    Some(item.node),
                    item.keyword_span,
                    "Maintainer instruction is deprecated in favor of using label".into(),
                );
            }
        }
    }

    /// `InvalidDefinitionDescription`: the last comment above the definition must start with
    /// one of its names.
    fn definition_description(
        &mut self,
        node: &crate::syntax::Node,
        index: usize,
        instruction: &str,
        keys: &[(&str, Span)],
    ) {
        let (Some(last), Some(&(first, first_span))) = (node.comments.last(), keys.first()) else { return };
        let word = last.slice(self.text).split(' ').next().unwrap_or_default();
        if keys.iter().any(|(k, _)| *k == word) {
            return;
        }
        let example = if keys.len() > 1 { "<arg_key>" } else { first };
        if let Some(d) = self.warn(
            Code::InvalidDefinitionDescription,
            Some(index),
            first_span,
            format!("Comment for {instruction} should follow the format: `# {example} <description>`"),
        ) {
            d.related.push(crate::diagnostic::Label {
                span: *last,
                message: "this comment is taken as the description".into(),
            });
        }
    }

    /// `ReservedStageName` and `DuplicateStageName` (file configuration only).
    fn stage_names(&mut self, plan: &Plan) {
        // Each name's first stage (the map type the plan uses: no other copy of its code).
        let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for (index, stage) in plan.stages.iter().enumerate() {
            let (Some(name), Some(span)) = (stage.name.as_deref(), stage.name_span) else { continue };
            if name == "context" || name == "scratch" {
                self.warn(
                    Code::ReservedStageName,
                    None,
                    span,
                    format!("Stage name should not use the same name as reserved stage {}", crate::gostr::quote(name)),
                );
            }
            if let Some(first) = seen.get(name).map(|&i| plan.stages[i].from_span) {
                if let Some(d) = self.warn(
                    Code::DuplicateStageName,
                    None,
                    span,
                    format!("Duplicate stage name {}, stage names should be unique", crate::gostr::quote(name)),
                ) {
                    d.related.push(crate::diagnostic::Label { span: first, message: "first defined here".into() });
                }
            } else {
                seen.insert(name.to_string(), index);
            }
        }
    }

    /// `ConsistentInstructionCasing`: the keywords of every stage (not the global ARGs), against
    /// the majority; a tie counts as uppercase.
    fn casing(&mut self, items: &[Instruction], plan: &Plan) {
        let keywords: Vec<Span> = plan
            .stages
            .iter()
            .flat_map(|s| std::iter::once(s.from).chain(s.instructions.iter().copied()))
            .map(|i| items[i].keyword_span)
            .collect();
        let (mut lower, mut upper) = (0usize, 0usize);
        for span in &keywords {
            let word = span.slice(self.text);
            if word == crate::gostr::to_lower(word) {
                lower += 1;
            } else if word == crate::gostr::to_upper(word) {
                upper += 1;
            }
        }
        let majority_lower = lower > upper;
        for span in keywords {
            let word = span.slice(self.text);
            let wrong = if majority_lower {
                (word != crate::gostr::to_lower(word)).then_some("lowercase")
            } else {
                (word != crate::gostr::to_upper(word)).then_some("uppercase")
            };
            if let Some(casing) = wrong {
                self.warn(
                    Code::ConsistentInstructionCasing,
                    None,
                    span,
                    format!("Command '{word}' should match the case of the command majority ({casing})"),
                );
            }
        }
    }

    /// `InvalidDefaultArgInFrom`: with the global ARGs' defaults alone (build arguments only
    /// replace the automatic ones), every FROM must name a valid image.
    fn default_args(&mut self, tree: &SyntaxTree, items: &[Instruction], plan: &Plan, options: &BuildOptions) {
        let automatic = crate::plan::automatic_arg_names();
        let defaults_only = BuildOptions {
            build_args: options.build_args.iter().filter(|(k, _)| automatic.contains(&k.as_str())).cloned().collect(),
            ..options.clone()
        };
        let Some(env) = crate::plan::global_env_with(tree, items, plan, &defaults_only) else { return };
        let lexer = Lexer::new(tree.escape);
        for stage in &plan.stages {
            let Kind::From(from) = &items[stage.from].kind else { continue };
            let Ok(name) = lexer.process_word(&from.image.value, &env) else { return };
            if crate::plan::reference::parse_normalized(&name).is_err() {
                self.warn(
                    Code::InvalidDefaultArgInFrom,
                    None,
                    from.image.span,
                    format!("Default value for ARG {} results in empty or invalid base image name", from.image.value),
                );
            }
        }
    }

    /// `UndefinedArgInFrom`, `RedundantTargetPlatform` and `FromPlatformFlagConstDisallowed`, for
    /// every FROM, against the global ARGs (with build arguments).
    fn base_lines(&mut self, tree: &SyntaxTree, items: &[Instruction], plan: &Plan) {
        let lexer = Lexer::new(tree.escape);
        let env = crate::plan::meta::env_of(&plan.args);
        let declared: Vec<&str> = plan.args.iter().map(|a| a.name.as_str()).collect();
        let target_platform = env.get("TARGETPLATFORM").unwrap_or_default().to_string();
        for stage in &plan.stages {
            let item = &items[stage.from];
            let Kind::From(from) = &item.kind else { continue };
            self.undeclared(lexer, &env, &declared, &from.image, item.node);
            let Some(platform) = &from.platform else { continue };
            self.undeclared(lexer, &env, &declared, platform, item.node);
            let Ok(expansion) = lexer.process(&platform.value, &env) else { continue };
            if expansion.matched.len() == 1
                && expansion.unmatched.is_empty()
                && expansion.matched.contains("TARGETPLATFORM")
                && expansion.result == target_platform
            {
                self.warn(
                    Code::RedundantTargetPlatform,
                    Some(item.node),
                    platform.span,
                    format!(
                        "Setting platform to predefined {} in FROM is redundant as this is the default behavior",
                        platform.value
                    ),
                );
            }
            if expansion.matched.is_empty()
                && expansion.unmatched.is_empty()
                && let Ok(p) = crate::platform::Platform::parse(&expansion.result, &plan.build_platform)
            {
                let name = stage.name.as_deref().unwrap_or_default();
                if !name.contains(p.os.as_str()) && !name.contains(p.architecture.as_str()) {
                    self.warn(
                        Code::FromPlatformFlagConstDisallowed,
                        Some(item.node),
                        platform.span,
                        format!(
                            "FROM --platform flag should not use constant value {}",
                            crate::gostr::quote(&expansion.result)
                        ),
                    );
                }
            }
        }
    }

    fn undeclared(&mut self, lexer: Lexer, env: &Env, declared: &[&str], word: &crate::syntax::Token, node: usize) {
        let unmatched = match lexer.process(&word.value, env) {
            Ok(e) => e.unmatched,
            Err(_) => return,
        };
        for name in unmatched {
            if declared.contains(&name.as_str()) {
                continue;
            }
            let mut message = format!("FROM argument '{name}' is not declared");
            if let Some(s) = crate::instructions::suggest::suggest(&name, declared, true) {
                let _ = write!(message, " (did you mean {s}?)");
            }
            let span = variable_span(self.text, word.span, &name);
            if let Some(d) = self.warn(Code::UndefinedArgInFrom, Some(node), span, message) {
                d.help = Some(format!("declare it before the first FROM: ARG {name}=<default>"));
            }
        }
    }
}

/// The span of `$name` or `${name...}` inside a word, or the whole word when the reference
/// cannot be found in the source (escaped, or spread over a continuation).
#[must_use]
pub fn variable_span(text: &str, word: Span, name: &str) -> Span {
    let source = word.slice(text);
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = source[from..].find('$') {
        let at = from + i;
        let rest = &source[at + 1..];
        let base = word.start as usize;
        if let Some(inner) = rest.strip_prefix('{')
            && inner.starts_with(name)
            && !inner[name.len()..].starts_with(is_name_char)
        {
            let end = inner.find('}').map_or(source.len(), |c| at + 2 + c + 1);
            return Span::new(base + at, base + end);
        }
        if rest.starts_with(name) && !rest[name.len()..].starts_with(is_name_char) {
            return Span::new(base + at, base + at + 1 + name.len());
        }
        from = at + 1;
    }
    word
}

#[cfg(test)]
mod tests;
