//! Unit tests: hostile input (each returns quickly with diagnostics, no stack overflow), the
//! dialect switch, and span invariants. The grammar's fixtures are data, in `core/tests/sh/`.

use super::{CommandKind, Dialect, MAX_DEPTH, Parsed, dump, parse};
use crate::diagnostic::Code;

fn posix(text: &str) -> Parsed {
    parse(text, Dialect::Posix)
}

fn codes(p: &Parsed) -> Vec<Code> {
    p.diagnostics.iter().map(|d| d.code).collect()
}

/// Every diagnostic span lies inside the text, on char boundaries.
fn spans_in_text(p: &Parsed, text: &str) {
    for d in &p.diagnostics {
        assert!(d.span.end as usize <= text.len(), "{d:?} past the end");
        assert!(text.get(d.span.range()).is_some(), "{d:?} not on char boundaries");
    }
}

#[test]
fn deeply_nested_command_substitutions() {
    let text = "$(".repeat(100_000);
    let p = posix(&text);
    assert!(
        p.diagnostics.iter().any(|d| d.message.contains(&format!("deeper than {MAX_DEPTH}"))),
        "{:?}",
        p.diagnostics
    );
    assert!(p.diagnostics.len() <= 3, "one report, not one per level: {}", p.diagnostics.len());
    spans_in_text(&p, &text);
}

#[test]
fn deeply_nested_everything() {
    for unit in ["(", "{ ", "if ", "${a:-", "\"$(", "$((", "for a in; do ", "case x in x) ", "a=$(", "`\\`", "[[ "] {
        for dialect in [Dialect::Posix, Dialect::Bash] {
            let text = unit.repeat(50_000);
            let p = parse(&text, dialect);
            // In POSIX sh, `[[` is an ordinary word.
            let error_expected = !(unit == "[[ " && dialect == Dialect::Posix);
            assert_eq!(p.diagnostics.iter().any(|d| d.code == Code::ShellSyntax), error_expected, "{unit:?}");
            spans_in_text(&p, &text);
        }
    }
}

#[test]
fn a_megabyte_of_quotes() {
    for q in ["\"", "'", "`", "\\", "$", "${", "}", ")", ";;", "|", "&&", "<<EOF "] {
        let even = q.repeat(1 << 20 >> q.len().min(2));
        let odd = format!("{even}{q}");
        for text in [even, odd] {
            let p = posix(&text);
            spans_in_text(&p, &text);
        }
    }
    let p = posix(&"'".repeat(1 << 20 | 1));
    assert_eq!(codes(&p), vec![Code::ShellSyntax]);
    assert!(p.diagnostics[0].message.contains("unterminated quoted string"));
}

#[test]
fn heredoc_without_end() {
    let text = format!("cat <<EOF\n{}", "line $x\n".repeat(100_000));
    let p = posix(&text);
    assert_eq!(codes(&p), vec![Code::ShellHereDocAtEof]);
    assert_eq!(p.diagnostics[0].span.slice(&text), "EOF");
    let many = "cat <<A <<B <<C\n".repeat(10_000);
    let p = posix(&many);
    assert!(p.diagnostics.iter().all(|d| d.code == Code::ShellHereDocAtEof));
}

#[test]
fn many_errors_each_reported() {
    let text = ")\n".repeat(100_000);
    let p = posix(&text);
    assert_eq!(p.diagnostics.len(), 100_000);
    assert_eq!(p.script.items.len(), 100_000);
    assert!(p.script.items.iter().all(|i| matches!(i.and_or.first.commands[0].kind, CommandKind::Error)));
}

#[test]
fn long_flat_lists_are_iterative() {
    for unit in ["a | ", "a && ", "a; ", "a\n", "x=1 ", "a b ", ">f ", "case x in a) ;; esac\n"] {
        let text = format!("{}a", unit.repeat(50_000));
        let p = posix(&text);
        assert!(p.diagnostics.is_empty(), "{unit:?}: {:?}", p.diagnostics.first());
    }
}

#[test]
fn bash_forms_need_the_bash_dialect() {
    let text = "[[ -n $x ]] && echo $'a\\tb' &>log; a=(1 2)";
    let bash = parse(text, Dialect::Bash);
    assert!(bash.diagnostics.is_empty(), "{:?}", bash.diagnostics);
    assert!(dump(&bash.script).contains("([[ 0..11"));
    assert!(dump(&bash.script).contains("(ansi-c \"a\\\\tb\")"));
    assert!(dump(&bash.script).contains("(&> "));
    assert!(dump(&bash.script).contains("(array "));
    // In POSIX sh `[[` is a command name, `$'` a literal dollar and a quoted string, `&>`
    // runs in the background then redirects, and `a=(` is a syntax error.
    let sh = posix(text);
    let tree = dump(&sh.script);
    assert!(tree.contains("(w 0..2 \"[[\")"), "{tree}");
    assert!(tree.contains("\"$\" (sq \"a\\\\tb\")"), "{tree}");
    assert!(tree.contains("(bg "), "{tree}");
    assert_eq!(codes(&sh), vec![Code::ShellSyntax]);
    assert_eq!(sh.diagnostics[0].message, "syntax error: unexpected \"(\"");
}

#[test]
fn spans_are_byte_offsets() {
    let text = "échò \"ü$(x)\" # ß\nÿ=1";
    let p = posix(text);
    assert!(p.diagnostics.is_empty());
    let tree = dump(&p.script);
    assert!(tree.contains("(w 0..6 \"échò\")"), "{tree}");
    // `ÿ=1` is a word, not an assignment: names are ASCII (XCU 3.216).
    assert!(tree.contains("(cmd 21..25 (w 21..25 \"ÿ=1\"))"), "{tree}");
}

#[test]
fn keywords_only_in_command_position() {
    let p = posix("echo if; x=1 then; if=2; ! fi");
    let messages: Vec<&str> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages, vec!["syntax error: unexpected \"fi\""]);
}

/// Random sequences of shell tokens (a fixed linear congruential generator, so the cases are
/// the same on every run): no panic, and every span in the tree and the diagnostics lies on
/// char boundaries inside the text.
#[test]
fn token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "echo", " ", "\n", ";", ";;", "&", "&&", "|", "||", "(", ")", "{", "}", "if", "then", "elif", "else", "fi",
        "for", "in", "do", "done", "while", "case", "esac", "'", "\"", "`", "\\", "$", "${", "$(", "$((", "))", "#",
        "<<", "<<-", "EOF", "\t", ">", "2>&1", "<", "=", "x=", "*", "?", "[", "]", "[[", "]]", "é", "ü$x", ":-", "%%",
        "function", "f()", "!", "a=(", "$'", "&>",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap_or(0)
    };
    for _ in 0..20_000 {
        let len = next() % 24;
        let text: String = (0..len).map(|_| TOKENS[next() % TOKENS.len()]).collect();
        for dialect in [Dialect::Posix, Dialect::Bash] {
            let p = parse(&text, dialect);
            spans_in_text(&p, &text);
            let tree = dump(&p.script);
            for piece in tree.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
                if let Some((a, b)) = piece.split_once("..")
                    && let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>())
                {
                    assert!(a <= b && b <= text.len() && text.get(a..b).is_some(), "{text:?}: span {a}..{b}\n{tree}");
                }
            }
        }
    }
}

/// A redirection inside a `for` word list ended no word and was never consumed: the parser
/// pushed empty words until memory ran out (found by the mutation test).
#[test]
fn a_redirection_in_a_for_list_is_a_syntax_error() {
    for text in ["for k in a <<-'E' b; do :; done\n", "for k in a<b; do :; done", "for k in >x; do :; done"] {
        let p = posix(text);
        assert!(codes(&p).contains(&Code::ShellSyntax), "{text}: {:?}", p.diagnostics);
        spans_in_text(&p, text);
    }
}
