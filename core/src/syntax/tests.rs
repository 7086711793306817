//! Unit tests of the syntax layer; BuildKit's own cases run in `tests/` (conformance).

use super::*;

fn dumped(text: &str) -> String {
    dump(&parse(text))
}

#[test]
fn continuation_comments_and_empty_lines() {
    let text = "FROM a\nRUN echo a \\\n# comment\n\n   b\nCMD x";
    let tree = parse(text);
    assert_eq!(dump(&tree), "(from \"a\")\n(run \"echo a    b\")\n(cmd \"x\")\n");
    let run = &tree.nodes[1];
    assert_eq!((run.start_line, run.end_line), (2, 5));
    assert_eq!(run.span.slice(text), "RUN echo a \\\n# comment\n\n   b");
    assert_eq!(tree.diagnostics.len(), 1);
    assert_eq!(tree.diagnostics[0].code, Code::NoEmptyContinuation);
    // Reported where BuildKit reports it (the instruction's last line), the empty line labelled.
    assert_eq!(tree.diagnostics[0].span.slice(text), "   b");
    assert_eq!(tree.diagnostics[0].related.len(), 1);
    assert_eq!(tree.diagnostics[0].related[0].span.slice(text), "");
    assert_eq!(tree.diagnostics[0].related[0].span.start, 30);
}

#[test]
fn directives_and_escape() {
    let tree = parse("# escape=`\n# syntax=x\nFROM a\nRUN a `\n  b\n");
    assert_eq!(tree.escape, '`');
    assert_eq!(tree.directives.len(), 2);
    assert_eq!(dump(&tree), "(from \"a\")\n(run \"a   b\")\n");
    let dup = parse("# escape=`\n# escape=\\\nFROM a\n");
    assert_eq!(dup.diagnostics[0].code, Code::DuplicateDirective);
    assert_eq!(dup.diagnostics[0].message, "only one escape parser directive can be used");
    let after = parse("# comment\n# escape=`\nFROM a\n");
    assert!(after.directives.is_empty());
    assert_eq!(after.escape, '\\');
}

#[test]
fn heredocs_are_read() {
    let text = "FROM a\nRUN <<EOF cat <<-'B'\nline $x\nEOF\n\tbody\n\tB\nCMD y\n";
    let tree = parse(text);
    assert_eq!(dump(&tree), "(from \"a\")\n(run \"<<EOF cat <<-'B'\")\n(cmd \"y\")\n");
    let run = &tree.nodes[1];
    assert_eq!(run.heredocs.len(), 2);
    assert_eq!(run.heredocs[0].content, "line $x\n");
    assert!(run.heredocs[0].expand);
    assert_eq!(run.heredocs[1].content, "\tbody\n");
    assert!(!run.heredocs[1].expand && run.heredocs[1].chomp);
    assert_eq!(run.heredocs[1].marker_span.slice(text), "<<-'B'");
    assert_eq!(run.heredocs[1].terminator_span.slice(text), "\tB");
    assert_eq!((run.start_line, run.end_line), (2, 6));
}

#[test]
fn heredocs_only_where_allowed() {
    let tree = parse("FROM a\nCMD <<EOF\nx\nEOF\nRUN [\"<<EOF\"]\n");
    assert!(tree.nodes.iter().all(|n| n.heredocs.is_empty()));
    assert_eq!(tree.nodes.len(), 5);
    let onbuild = parse("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n");
    assert_eq!(onbuild.nodes.len(), 2);
    assert_eq!(onbuild.nodes[1].heredocs[0].content, "x\n");
}

#[test]
fn errors_recover_at_the_next_line() {
    let text = "FROM a\nENV PATH\nRUN [\"a\", 1]\nRUN <<EOF\nnever closed\n";
    let tree = parse(text);
    let codes: Vec<_> = tree.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::InvalidKeyValue, Code::JsonNotStringArray, Code::UnterminatedHeredoc]);
    assert_eq!(tree.diagnostics[0].message, "ENV must have two arguments");
    assert_eq!(tree.diagnostics[1].span.slice(text), "[\"a\", 1]");
    assert_eq!(tree.diagnostics[2].span.slice(text), "<<EOF");
    assert_eq!(dump(&tree), "(from \"a\")\n");
}

#[test]
fn empty_and_comment_only_files_have_no_instructions() {
    for text in ["", "\n\n", "# only\n# comments\n", "\u{feff}"] {
        let tree = parse(text);
        assert_eq!(tree.diagnostics.len(), 1, "{text:?}");
        assert_eq!(tree.diagnostics[0].message, "file with no instructions");
    }
}

#[test]
fn onbuild_and_unknown_instructions() {
    assert_eq!(dumped("ONBUILD RUN echo test\n"), "(onbuild (run \"echo test\"))\n");
    assert_eq!(dumped("foo bar baz\n"), "(foo \"\")\n");
    assert_eq!(dumped("HEALTHCHECK --interval=5s CMD [\"a\"]\n"), "(healthcheck [\"--interval=5s\"] \"CMD\" \"a\")\n");
    assert_eq!(dumped("ENV a=b c=\"d e\"\n"), "(env \"a\" \"b\" \"=\" \"c\" \"\\\"d e\\\"\" \"=\")\n");
}

#[test]
fn line_length_limit() {
    let ok = format!("RUN {}\n", "x".repeat(MAX_LINE_LEN - 5));
    assert!(!parse(&ok).has_errors());
    let long = format!("RUN {}\n", "x".repeat(MAX_LINE_LEN - 4));
    assert_eq!(parse(&long).diagnostics[0].code, Code::LineTooLong);
    let last_ok = format!("RUN {}", "x".repeat(MAX_LINE_LEN - 5));
    assert!(!parse(&last_ok).has_errors());
    let last_long = format!("RUN {}", "x".repeat(MAX_LINE_LEN - 4));
    assert!(parse(&last_long).has_errors());
}

#[test]
fn decode_reports_invalid_utf8() {
    let decoded = decode(b"FROM a\nRUN \xff\n");
    assert_eq!(decoded.text, "FROM a\nRUN \u{fffd}\n");
    assert_eq!(decoded.diagnostic.unwrap().span, Span::new(11, 14));
}
