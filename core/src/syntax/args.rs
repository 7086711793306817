//! BuildKit's line parsers (`line_parsers.go`): how each instruction's arguments are split
//! into nodes. They work on the arguments of one logical line and report byte ranges in it.

use super::json::{self, JsonArray};
use super::split::Piece;
use crate::gostr;

/// What a line parser produced, before spans are mapped to the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawArgs {
    None,
    List(Vec<Piece>),
    Pairs(Vec<(Piece, Piece, bool)>),
    Health(Piece, Vec<Piece>),
}

/// A parse error of the syntax layer, in BuildKit's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ArgsError {
    NotStringArray { start: usize, end: usize },
    KeyValue { message: String, start: usize, end: usize },
}

pub(crate) type ArgsResult = Result<(RawArgs, bool), ArgsError>;

fn piece(line: &str, start: usize, end: usize) -> Piece {
    Piece::new(&line[start..end], start, end)
}

/// `parseStringsWhitespaceDelimited`: split on runs of `[\t\v\f\r ]`, no quoting.
pub(crate) fn whitespace_list(line: &str, start: usize, end: usize) -> RawArgs {
    if start == end {
        return RawArgs::None;
    }
    let mut out = Vec::new();
    let mut word_start = start;
    let mut in_ws = false;
    for (i, c) in line[start..end].char_indices() {
        let i = start + i;
        if gostr::is_split_space(c) {
            if !in_ws {
                out.push(piece(line, word_start, i));
                in_ws = true;
            }
        } else if in_ws {
            word_start = i;
            in_ws = false;
        }
    }
    if in_ws {
        // The text ends in whitespace that `TrimSpace` did not remove: Go's Split still
        // yields an empty last element, which BuildKit then drops.
    } else {
        out.push(piece(line, word_start, end));
    }
    RawArgs::List(out)
}

/// `parseString`: the whole rest of the line as one node.
pub(crate) fn single(line: &str, start: usize, end: usize) -> RawArgs {
    if start == end { RawArgs::None } else { RawArgs::List(vec![piece(line, start, end)]) }
}

/// `parseJSON` on `line[start..end]`: `Some` with the outcome when the text starts with `[`.
fn json_array(line: &str, start: usize, end: usize) -> Option<Result<RawArgs, ArgsError>> {
    let text = &line[start..end];
    let lead = text.len() - text.trim_start_matches(gostr::is_space).len();
    let body = &text[lead..];
    if !body.starts_with('[') {
        return None;
    }
    let base = start + lead;
    match json::parse_array(body) {
        JsonArray::Strings(strings) => Some(Ok(RawArgs::List(
            strings.into_iter().map(|(value, range)| Piece::new(value, base + range.start, base + range.end)).collect(),
        ))),
        JsonArray::NotStringArray => Some(Err(ArgsError::NotStringArray { start: base, end })),
        JsonArray::Invalid => None,
    }
}

/// `parseMaybeJSON`: a JSON array of strings, or else the whole rest as one node.
pub(crate) fn maybe_json(line: &str, start: usize, end: usize) -> ArgsResult {
    if start == end {
        return Ok((RawArgs::None, false));
    }
    match json_array(line, start, end) {
        Some(Ok(args)) => Ok((args, true)),
        Some(Err(e)) => Err(e),
        None => Ok((single(line, start, end), false)),
    }
}

/// `parseMaybeJSONToList`: a JSON array of strings, or else whitespace-separated words.
pub(crate) fn maybe_json_to_list(line: &str, start: usize, end: usize) -> ArgsResult {
    match json_array(line, start, end) {
        Some(Ok(args)) => Ok((args, true)),
        Some(Err(e)) => Err(e),
        None => Ok((whitespace_list(line, start, end), false)),
    }
}

/// `parseWords`: words split on whitespace, quotes and escapes kept as written.
///
/// BuildKit copies each character it keeps, in order, so a word is always a slice of the
/// line: from its first character to the last one kept (a final escape is dropped).
pub(crate) fn words(line: &str, start: usize, end: usize, escape: char) -> Vec<Piece> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let text = &line[start..end];
    let mut out = Vec::new();
    let mut phase = Phase::Spaces;
    let mut blank_ok = false;
    let mut word_start = 0;
    // Just past the last character kept in the current word, if any was kept.
    let mut kept_end: Option<usize> = None;
    let push = |out: &mut Vec<Piece>, word_start: usize, kept_end: Option<usize>, blank_ok: bool| {
        if blank_ok || kept_end.is_some() {
            let word_end = kept_end.unwrap_or(word_start);
            out.push(Piece::new(&text[word_start..word_end], start + word_start, start + word_end));
        }
    };
    let mut chars = text.char_indices().peekable();
    loop {
        let Some((pos, ch)) = chars.next() else {
            if phase != Phase::Spaces {
                push(&mut out, word_start, kept_end, blank_ok);
            }
            break;
        };
        if phase == Phase::Spaces {
            if gostr::is_space(ch) {
                continue;
            }
            phase = Phase::Word;
            word_start = pos;
            kept_end = None;
        }
        let mut keep_through = pos + ch.len_utf8();
        match phase {
            Phase::Word => {
                if gostr::is_space(ch) {
                    phase = Phase::Spaces;
                    push(&mut out, word_start, kept_end, blank_ok);
                    blank_ok = false;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    // An escape character at the very end is dropped; otherwise the escape and
                    // the character after it are kept as they are.
                    let Some((next_pos, next)) = chars.next() else { continue };
                    keep_through = next_pos + next.len_utf8();
                }
            }
            Phase::Quote(quote) => {
                if ch == quote {
                    phase = Phase::Word;
                }
                if ch == escape && quote != '\'' {
                    let Some((next_pos, next)) = chars.next() else {
                        phase = Phase::Word;
                        continue;
                    };
                    keep_through = next_pos + next.len_utf8();
                }
            }
            Phase::Spaces => unreachable!("handled above"),
        }
        kept_end = Some(keep_through);
    }
    out
}

/// `parseNameVal` for `ENV` and `LABEL` (`key` is the instruction name for messages).
pub(crate) fn name_val(line: &str, start: usize, end: usize, escape: char, key: &str) -> ArgsResult {
    let words = words(line, start, end, escape);
    let Some(first) = words.first() else { return Ok((RawArgs::None, false)) };
    if !first.value.contains('=') {
        // The legacy form `KEY value with spaces`: one pair, the value is the rest of the line.
        let text = &line[start..end];
        let Some(ws) = text.find(gostr::is_split_space) else {
            return Err(ArgsError::KeyValue { message: format!("{key} must have two arguments"), start, end });
        };
        let value_start = start + ws + (text[ws..].len() - text[ws..].trim_start_matches(gostr::is_split_space).len());
        return Ok((
            RawArgs::Pairs(vec![(piece(line, start, start + ws), piece(line, value_start, end), false)]),
            false,
        ));
    }
    let mut pairs = Vec::with_capacity(words.len());
    for word in words {
        let Some(eq) = word.value.find('=') else {
            return Err(ArgsError::KeyValue {
                message: format!(
                    "Syntax error - can't find = in {}. Must be of the form: name=value",
                    gostr::quote(&word.value)
                ),
                start: word.start(),
                end: word.end(),
            });
        };
        // The word is the source text (less a dropped final escape), so offsets carry over;
        // the key keeps the word's buffer and the value takes the rest.
        let (start, end) = (word.start(), word.end());
        pairs.push((
            Piece::new(&word.value[..eq], start, start + eq),
            Piece::new(&word.value[eq + 1..], start + eq + 1, end),
            true,
        ));
    }
    Ok((RawArgs::Pairs(pairs), false))
}

/// `parseNameOrNameVal` for `ARG`: each word is one node, kept verbatim.
pub(crate) fn name_or_name_val(line: &str, start: usize, end: usize, escape: char) -> RawArgs {
    let words = words(line, start, end, escape);
    if words.is_empty() { RawArgs::None } else { RawArgs::List(words) }
}

/// `parseHealthConfig`: the first word is the type (`CMD`, `NONE`, ...), the rest is parsed
/// like `CMD`. BuildKit finds the word end byte by byte (see `split::byte_is_space`).
pub(crate) fn health(line: &str, start: usize, end: usize) -> ArgsResult {
    let text = &line[start..end];
    let is_sep = |c: char| {
        let mut buf = [0; 4];
        c.encode_utf8(&mut buf).bytes().any(|b| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0x85 | 0xA0))
    };
    let sep = text.find(is_sep).unwrap_or(text.len());
    if sep == 0 {
        return Ok((RawArgs::None, false));
    }
    // Skip the separator, then the space bytes after it. A multi-byte character never starts
    // with a space byte, so only ASCII blanks follow.
    let after_sep = sep + text[sep..].chars().next().map_or(0, char::len_utf8);
    let next = after_sep
        + (text[after_sep..].len()
            - text[after_sep..].trim_start_matches(['\t', '\n', '\u{b}', '\u{c}', '\r', ' ']).len());
    let kind = piece(line, start, start + sep);
    let (command, json) = maybe_json(line, start + next, end)?;
    let command = match command {
        RawArgs::List(list) => list,
        _ => Vec::new(),
    };
    Ok((RawArgs::Health(kind, command), json))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(args: &RawArgs) -> Vec<String> {
        match args {
            RawArgs::None => vec![],
            RawArgs::List(l) => l.iter().map(|p| p.value.to_string()).collect(),
            RawArgs::Pairs(p) => p
                .iter()
                .flat_map(|(k, v, e)| {
                    [k.value.to_string(), v.value.to_string(), if *e { "=".into() } else { String::new() }]
                })
                .collect(),
            RawArgs::Health(k, c) => {
                std::iter::once(k.value.to_string()).chain(c.iter().map(|p| p.value.to_string())).collect()
            }
        }
    }

    #[test]
    fn env_forms() {
        let line = r#"a="b c" d=e\ f"#;
        let (args, _) = name_val(line, 0, line.len(), '\\', "ENV").unwrap();
        assert_eq!(values(&args), ["a", "\"b c\"", "=", "d", "e\\ f", "="]);
        let line = "PATH  /usr/bin  /bin";
        let (args, _) = name_val(line, 0, line.len(), '\\', "ENV").unwrap();
        assert_eq!(values(&args), ["PATH", "/usr/bin  /bin", ""]);
        assert!(name_val("PATH", 0, 4, '\\', "ENV").is_err());
        let line = "a=b c";
        assert!(matches!(
            name_val(line, 0, line.len(), '\\', "ENV"),
            Err(ArgsError::KeyValue { start: 4, end: 5, .. })
        ));
    }

    #[test]
    fn arg_words_keep_quotes() {
        let line = r#"abc="123 456" def"#;
        assert_eq!(values(&name_or_name_val(line, 0, line.len(), '\\')), ["abc=\"123 456\"", "def"]);
    }

    #[test]
    fn healthcheck_split() {
        let line = "CMD  [\"a\", \"b\"]";
        let (args, json) = health(line, 0, line.len()).unwrap();
        assert!(json);
        assert_eq!(values(&args), ["CMD", "a", "b"]);
    }
}
