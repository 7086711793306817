//! Unit tests of the build-check configuration and spans; BuildKit's documented examples run
//! in `tests/` (lint conformance).

use super::*;
use crate::syntax;

#[test]
fn instruction_comments_add_skips_but_not_errors() {
    let text = "# check=error=true\nFROM alpine\n# first line\n# check=skip=UndefinedVar;error=false\n# check=skip=JSONArgsRecommended\nCOPY $x /\n# check=bogus\nCMD run\n";
    let tree = syntax::parse(text);
    let (linter, error) = Linter::new(text, &tree, &BuildOptions::default());
    assert!(error.is_none());
    assert!(linter.global.error);
    // The first `check=` comment above COPY decides: UndefinedVar is skipped there only.
    // Nodes: 0 FROM, 1 COPY, 2 CMD.
    assert!(!linter.allows(Code::UndefinedVar, Some(1)));
    assert!(linter.allows(Code::JSONArgsRecommended, Some(1)));
    assert!(linter.allows(Code::UndefinedVar, Some(0)));
    // An unparsable comment changes nothing.
    assert!(linter.allows(Code::JSONArgsRecommended, Some(2)));
    // Experimental rules stay off unless named.
    assert!(!linter.allows(Code::InvalidDefinitionDescription, None));
    // Codes that are not build checks are always reported.
    assert!(linter.allows(Code::InvalidBase, None));
}

#[test]
fn build_arg_replaces_the_directive() {
    let text = "# check=skip=all\nFROM alpine\n";
    let tree = syntax::parse(text);
    let options = BuildOptions { build_args: vec![(CHECK_BUILD_ARG.into(), String::new())], ..BuildOptions::default() };
    let (linter, _) = Linter::new(text, &tree, &options);
    assert!(linter.allows(Code::UndefinedVar, None), "an empty build-arg still replaces the directive");
    let bad = BuildOptions { build_args: vec![(CHECK_BUILD_ARG.into(), "nope".into())], ..BuildOptions::default() };
    let (_, error) = Linter::new(text, &tree, &bad);
    assert_eq!(
        error.map(|d| d.message),
        Some("failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: invalid check option \"nope\"".into())
    );
}

#[test]
fn variable_spans_point_at_the_reference() {
    let text = "COPY ${A}/$AB/$A_ /x";
    let word = Span::new(5, 17);
    assert_eq!(variable_span(text, word, "A").slice(text), "${A}");
    assert_eq!(variable_span(text, word, "AB").slice(text), "$AB");
    assert_eq!(variable_span(text, word, "A_").slice(text), "$A_");
    assert_eq!(variable_span(text, word, "Z"), word);
}
