//! The JSON form of `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `COPY`, `ADD` and `VOLUME`, read
//! exactly as BuildKit's `parseJSON` reads it through Go's `encoding/json`.
//!
//! The outcome has three cases, and BuildKit treats them differently: an array of strings is
//! the exec form; valid JSON that is not an array of strings is a hard error; anything else
//! (not JSON, or JSON that Go cannot decode) silently falls back to the shell form.

use std::borrow::Cow;

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_while, take_while_m_n, take_while1},
    character::complete::{char, one_of},
    combinator::{opt, recognize},
};

/// What BuildKit makes of text that starts with `[`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum JsonArray<'a> {
    /// An array of strings: each decoded string with its byte range in the input.
    Strings(Vec<(Cow<'a, str>, std::ops::Range<usize>)>),
    /// Valid JSON, but some element is not a string.
    NotStringArray,
    /// Not an array, not valid JSON, or JSON that Go's decoder rejects.
    Invalid,
}

/// Go's `encoding/json` nesting limit (`maxNestingDepth`).
const MAX_DEPTH: usize = 10_000;

fn is_json_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// A JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number(input: &str) -> IResult<&str, &str> {
    let digits = || take_while1(|c: char| c.is_ascii_digit());
    recognize((
        opt(char('-')),
        alt((tag("0"), recognize((one_of("123456789"), take_while(|c: char| c.is_ascii_digit()))))),
        opt((char('.'), digits())),
        opt((one_of("eE"), opt(one_of("+-")), digits())),
    ))
    .parse(input)
}

/// One escape sequence after a backslash inside a string.
fn escape(input: &str) -> IResult<&str, &str> {
    alt((
        recognize(one_of("\"\\/bfnrt")),
        recognize((char('u'), take_while_m_n(4, 4, |c: char| c.is_ascii_hexdigit()))),
    ))
    .parse(input)
}

/// A JSON string literal, validated (no raw control characters, known escapes only).
fn string_literal(input: &str) -> IResult<&str, &str> {
    let body = take_while(|c: char| c != '"' && c != '\\' && c >= ' ');
    recognize((
        char('"'),
        body,
        nom::multi::many0_count((char('\\'), escape, take_while(|c: char| c != '"' && c != '\\' && c >= ' '))),
        char('"'),
    ))
    .parse(input)
}

/// Decodes a validated string literal as Go does: surrogate pairs combine, lone surrogates
/// become U+FFFD. A literal without escapes is its own content.
fn decode_string(literal: &str) -> Cow<'_, str> {
    let inner = &literal[1..literal.len() - 1];
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    let hex4 = |chars: &mut std::str::Chars<'_>| -> u32 {
        let s: String = chars.by_ref().take(4).collect();
        u32::from_str_radix(&s, 16).unwrap_or(0xFFFD)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let first = hex4(&mut chars);
                if (0xD800..0xDC00).contains(&first) {
                    // A high surrogate combines only with a following `\u` low surrogate.
                    let rest = chars.as_str();
                    if let Some(low) =
                        rest.strip_prefix("\\u").and_then(|r| r.get(..4)).and_then(|h| u32::from_str_radix(h, 16).ok())
                        && (0xDC00..0xE000).contains(&low)
                    {
                        chars = rest[6..].chars();
                        let combined = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                        out.push(char::from_u32(combined).unwrap_or('\u{FFFD}'));
                        continue;
                    }
                    out.push('\u{FFFD}');
                } else {
                    out.push(char::from_u32(first).unwrap_or('\u{FFFD}'));
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Cow::Owned(out)
}

enum Frame {
    Array { first: bool },
    Object { first: bool },
}

fn skip_ws(s: &str) -> &str {
    s.trim_start_matches(is_json_space)
}

/// Parses `input` (already starting with `[`) as BuildKit does.
pub(crate) fn parse_array(input: &str) -> JsonArray<'_> {
    let mut rest = input;
    let pos = |rest: &str| input.len() - rest.len();
    let mut stack: Vec<Frame> = Vec::new();
    let mut top_strings: Vec<(Cow<'_, str>, std::ops::Range<usize>)> = Vec::new();
    let mut all_strings = true;
    let mut overflow = false;

    // Iterative so that deep nesting cannot overflow the stack; Go stops at 10,000 levels.
    let mut expect_value = true;
    loop {
        rest = skip_ws(rest);
        if expect_value {
            let depth = stack.len();
            let Some(c) = rest.chars().next() else { return JsonArray::Invalid };
            match c {
                '[' | '{' => {
                    if depth + 1 > MAX_DEPTH {
                        return JsonArray::Invalid;
                    }
                    if depth == 1 {
                        all_strings = false;
                    }
                    rest = skip_ws(&rest[1..]);
                    let close = if c == '[' { ']' } else { '}' };
                    if let Some(after) = rest.strip_prefix(close) {
                        // An empty array or object.
                        if depth == 0 {
                            rest = after;
                            break;
                        }
                        rest = after;
                        expect_value = false;
                        continue;
                    }
                    stack.push(if c == '[' { Frame::Array { first: true } } else { Frame::Object { first: true } });
                    if c == '{' {
                        // An object member starts with a key.
                        let Ok((after, _)) = string_literal(rest) else { return JsonArray::Invalid };
                        rest = skip_ws(after);
                        let Some(after) = rest.strip_prefix(':') else { return JsonArray::Invalid };
                        rest = after;
                    }
                    if let Some(Frame::Array { first } | Frame::Object { first }) = stack.last_mut() {
                        *first = false;
                    }
                    continue;
                }
                '"' => {
                    let Ok((after, lit)) = string_literal(rest) else { return JsonArray::Invalid };
                    if depth == 1 {
                        let start = pos(rest);
                        top_strings.push((decode_string(lit), start..start + lit.len()));
                    }
                    rest = after;
                }
                _ => {
                    if depth == 0 {
                        return JsonArray::Invalid;
                    }
                    if depth == 1 {
                        all_strings = false;
                    }
                    if let Some(after) = rest
                        .strip_prefix("true")
                        .or_else(|| rest.strip_prefix("false"))
                        .or_else(|| rest.strip_prefix("null"))
                    {
                        rest = after;
                    } else if let Ok((after, num)) = number(rest) {
                        // Go decodes numbers into float64 and fails on overflow, which makes
                        // BuildKit fall back to the shell form.
                        if crate::gostr::float_overflows(num) {
                            overflow = true;
                        }
                        rest = after;
                    } else {
                        return JsonArray::Invalid;
                    }
                }
            }
            expect_value = false;
            continue;
        }
        // After a value: a comma or the end of the enclosing container.
        let Some(frame) = stack.last() else { break };
        let close = match frame {
            Frame::Array { .. } => ']',
            Frame::Object { .. } => '}',
        };
        if let Some(after) = rest.strip_prefix(',') {
            rest = skip_ws(after);
            if matches!(frame, Frame::Object { .. }) {
                let Ok((after, _)) = string_literal(rest) else { return JsonArray::Invalid };
                rest = skip_ws(after);
                let Some(after) = rest.strip_prefix(':') else { return JsonArray::Invalid };
                rest = after;
            }
            expect_value = true;
        } else if let Some(after) = rest.strip_prefix(close) {
            rest = after;
            stack.pop();
            if stack.is_empty() {
                break;
            }
        } else {
            return JsonArray::Invalid;
        }
    }
    if !skip_ws(rest).is_empty() || overflow {
        return JsonArray::Invalid;
    }
    if all_strings { JsonArray::Strings(top_strings) } else { JsonArray::NotStringArray }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(input: &str) -> Vec<String> {
        match parse_array(input) {
            JsonArray::Strings(s) => s.into_iter().map(|(s, _)| s.into_owned()).collect(),
            other => panic!("{input}: {other:?}"),
        }
    }

    #[test]
    fn exec_forms() {
        assert_eq!(strings(r#"["a", "b c"]"#), ["a", "b c"]);
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(strings("[ \"x\" ] \r\n"), ["x"]);
        assert_eq!(strings(r#"["\u00e9\ud83d\ude00\ud800\/\b"]"#), ["é😀\u{fffd}/\u{8}"]);
    }

    #[test]
    fn outcomes() {
        assert_eq!(parse_array(r#"["a", 1]"#), JsonArray::NotStringArray);
        assert_eq!(parse_array(r#"["a", {"b": [1, null]}]"#), JsonArray::NotStringArray);
        assert_eq!(parse_array(r#"[["a"]]"#), JsonArray::NotStringArray);
        assert_eq!(parse_array(r#"["a",]"#), JsonArray::Invalid);
        assert_eq!(parse_array("['a']"), JsonArray::Invalid);
        assert_eq!(parse_array(r#"["a"] x"#), JsonArray::Invalid);
        assert_eq!(parse_array("[\"a\"]\u{b}"), JsonArray::Invalid);
        assert_eq!(parse_array(r#"["a", 1e400]"#), JsonArray::Invalid);
        assert_eq!(parse_array(r#"["a", 1e-400]"#), JsonArray::NotStringArray);
        assert_eq!(parse_array(r#"["\x"]"#), JsonArray::Invalid);
        assert_eq!(parse_array("[\"a\tb\"]"), JsonArray::Invalid);
        assert_eq!(parse_array("[01]"), JsonArray::Invalid);
        assert_eq!(parse_array(r#"[{"a" 1}]"#), JsonArray::Invalid);
    }

    #[test]
    fn nesting_limit_follows_go() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(parse_array(&ok), JsonArray::NotStringArray);
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(parse_array(&deep), JsonArray::Invalid);
    }

    #[test]
    fn spans_cover_literals() {
        let JsonArray::Strings(s) = parse_array(r#"[ "a",  "bc" ]"#) else { panic!() };
        assert_eq!(s[1].1, 8..12);
    }
}
