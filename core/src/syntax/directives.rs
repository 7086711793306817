//! Parser directives (`# syntax=`, `# escape=`, `# check=`), read as BuildKit's
//! `DirectiveParser` reads them: only at the very top, each at most once.

use nom::{
    IResult, Parser,
    bytes::complete::take_while,
    character::complete::{char, satisfy},
    combinator::recognize,
};

/// Go's `\s` in a regular expression: ASCII whitespace without `\v`.
fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=`, returning the key.
fn key_and_equals(input: &str) -> IResult<&str, &str> {
    let key = recognize((satisfy(|c| c.is_ascii_alphabetic()), take_while(|c: char| c.is_ascii_alphanumeric())));
    let (rest, (key, _, _)) = (key, take_while(is_re_space), char('=')).parse(input)?;
    Ok((rest, key))
}

/// A directive line's key and value with their byte ranges in `line`, if it has the shape
/// `#\s*key\s*=\s*value\s*` (any key; the caller checks it is a known one).
pub(crate) fn match_line(line: &str) -> Option<((usize, usize), (usize, usize))> {
    let after_hash = line.strip_prefix('#')?;
    let body = after_hash.trim_start_matches(crate::gostr::is_space);
    let body_start = line.len() - body.len();
    let (after_equals, key) = key_and_equals(body).ok()?;
    let key_range = (body_start, body_start + key.len());
    let post_start = line.len() - after_equals.len();
    // `\s*(.+?)\s*$`: the value is what lies between the blanks; when there is nothing but
    // blanks, the lazy group still takes one character and backtracking gives it the last one.
    let value = after_equals.trim_matches(is_re_space);
    if value.is_empty() {
        let last = after_equals.chars().next_back()?;
        let end = post_start + after_equals.len();
        return Some((key_range, (end - last.len_utf8(), end)));
    }
    let value_start = post_start + (after_equals.len() - after_equals.trim_start_matches(is_re_space).len());
    Some((key_range, (value_start, value_start + value.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(line: &str) -> Option<(&str, &str)> {
        match_line(line).map(|((ks, ke), (vs, ve))| (&line[ks..ke], &line[vs..ve]))
    }

    #[test]
    fn directive_shapes() {
        assert_eq!(parts("# escape=`"), Some(("escape", "`")));
        assert_eq!(parts("#ESCAPE = \\  "), Some(("ESCAPE", "\\")));
        assert_eq!(parts("# syntax=docker/dockerfile:1 x "), Some(("syntax", "docker/dockerfile:1 x")));
        assert_eq!(parts("# escape=   "), Some(("escape", " ")));
        assert_eq!(parts("# escape="), None);
        assert_eq!(parts("# 1x=y"), None);
        assert_eq!(parts("escape=y"), None);
        assert_eq!(parts("# this is a comment"), None);
    }
}
