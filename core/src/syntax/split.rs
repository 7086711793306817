//! Splitting a logical line into keyword, leading `--flags` and the rest
//! (BuildKit's `splitCommand` and `extractBuilderFlags`).

use crate::gostr;
use crate::syntax::node::Text;

/// A piece of a logical line: its text as BuildKit produces it and its byte range in the line.
///
/// It has the size and alignment of [`crate::syntax::Token`], so that turning a list of pieces
/// into tokens reuses the list's allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    pub(crate) value: Text,
    start: u32,
    end: u32,
}

impl Piece {
    pub(crate) fn new(value: impl Into<Text>, start: usize, end: usize) -> Self {
        Self {
            value: value.into(),
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn start(&self) -> usize {
        self.start as usize
    }

    pub(crate) fn end(&self) -> usize {
        self.end as usize
    }

    /// A piece whose text is already shared.
    pub(crate) fn shared(value: Text, start: usize, end: usize) -> Self {
        Self::new(value, start, end)
    }

    /// The same piece, `offset` bytes further into the line.
    pub(crate) fn shifted(self, offset: usize) -> Self {
        let start = self.start() + offset;
        let end = self.end() + offset;
        Self::new(self.value, start, end)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    /// Where the keyword is in the line (the caller makes the token, sharing repeated keywords).
    pub(crate) keyword: (usize, usize),
    pub(crate) flags: Vec<Piece>,
    /// Start and end of the arguments (trimmed) in the line.
    pub(crate) args: (usize, usize),
}

/// Start and end of `s[start..end]` with Unicode whitespace trimmed (Go's `strings.TrimSpace`).
pub(crate) fn trim_range(s: &str, start: usize, end: usize) -> (usize, usize) {
    let sub = &s[start..end];
    let lead = sub.len() - sub.trim_start_matches(gostr::is_space).len();
    let trimmed = sub.trim_matches(gostr::is_space);
    (start + lead, start + lead + trimmed.len())
}

/// BuildKit's `splitCommand`: the keyword is everything up to the first run of `[\t\v\f\r ]`.
pub(crate) fn split_command(line: &str, escape: char) -> Split {
    let (start, end) = trim_range(line, 0, line.len());
    let body = &line[start..end];
    let Some(ws) = body.find(gostr::is_split_space) else {
        return Split { keyword: (start, end), flags: Vec::new(), args: (end, end) };
    };
    let keyword = (start, start + ws);
    let rest_start = start + ws + (body[ws..].len() - body[ws..].trim_start_matches(gostr::is_split_space).len());
    let (flags, args_start) = extract_flags(line, rest_start, end, escape);
    let args = trim_range(line, args_start, end);
    Split { keyword, flags, args }
}

/// Go's `unicode.IsSpace(rune(b))` for one byte: BuildKit scans flags byte by byte, so the
/// continuation bytes 0x85 and 0xA0 of a UTF-8 character count as spaces there.
fn byte_is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0x85 | 0xA0)
}

/// Moves `pos` forward to a char boundary. BuildKit can cut a line inside a UTF-8 character
/// (see [`byte_is_space`]); Rust strings cannot, so the partial bytes are dropped.
fn boundary(line: &str, mut pos: usize) -> usize {
    while pos < line.len() && !line.is_char_boundary(pos) {
        pos += 1;
    }
    pos
}

/// BuildKit's `extractBuilderFlags` over `line[start..end]`: the leading words that start
/// with `--`, with quotes removed and escapes processed. Each byte becomes one rune, as in Go,
/// so non-ASCII text in a flag comes out as its bytes read as Latin-1. Returns the flags and
/// where the arguments begin.
fn extract_flags(line: &str, start: usize, end: usize, escape: char) -> (Vec<Piece>, usize) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(u8),
    }
    let bytes = &line.as_bytes()[..end];
    let escape = u8::try_from(escape).unwrap_or(b'\\');
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut word_start = start;
    let mut blank_ok = false;
    let mut pos = start;
    loop {
        if phase == Phase::Spaces {
            if pos == end {
                break;
            }
            let b = bytes[pos];
            if byte_is_space(b) {
                pos += 1;
                continue;
            }
            // Only a word that starts with `--` is a flag; anything else starts the arguments.
            if b != b'-' || pos + 1 == end || bytes[pos + 1] != b'-' {
                return (flags, boundary(line, pos));
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if pos == end {
            if word != "--" && (blank_ok || !word.is_empty()) {
                flags.push(Piece::new(word.as_str(), word_start, pos));
            }
            break;
        }
        let mut b = bytes[pos];
        match phase {
            Phase::Word => {
                if byte_is_space(b) {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return (flags, boundary(line, pos));
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(Piece::new(word.as_str(), word_start, pos));
                    }
                    word.clear();
                    blank_ok = false;
                    pos += 1;
                    continue;
                }
                if b == b'\'' || b == b'"' {
                    phase = Phase::Quote(b);
                    blank_ok = true;
                    pos += 1;
                    continue;
                }
                if b == escape {
                    if pos + 1 == end {
                        pos += 1;
                        continue;
                    }
                    pos += 1;
                    b = bytes[pos];
                }
                word.push(char::from(b));
            }
            Phase::Quote(quote) => {
                if b == quote {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                if b == escape {
                    if pos + 1 == end {
                        phase = Phase::Word;
                        pos += 1;
                        continue;
                    }
                    pos += 1;
                    b = bytes[pos];
                }
                word.push(char::from(b));
            }
            Phase::Spaces => unreachable!("handled above"),
        }
        pos += 1;
    }
    (flags, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(line: &str) -> (Vec<String>, String) {
        let split = split_command(line, '\\');
        (split.flags.into_iter().map(|p| p.value.to_string()).collect(), line[split.args.0..split.args.1].to_string())
    }

    #[test]
    fn flags_and_args() {
        assert_eq!(
            flags("COPY --from=a --chown='x y' src dst"),
            (vec!["--from=a".to_string(), "--chown=x y".to_string()], "src dst".to_string())
        );
        assert_eq!(flags("COPY -- --x dst"), (vec![], "--x dst".into()));
        assert_eq!(flags("CMD --doit [ \"a\" ]"), (vec!["--doit".into()], "[ \"a\" ]".into()));
        assert_eq!(flags("RUN --mount=type=cache"), (vec!["--mount=type=cache".into()], String::new()));
        assert_eq!(flags("RUN --a=\"\""), (vec!["--a=".into()], String::new()));
        assert_eq!(flags("COPY --from=é a b").0, vec!["--from=Ã©".to_string()]);
    }

    #[test]
    fn keyword_split() {
        let s = split_command("  run\t\u{b} echo hi  ", '\\');
        assert_eq!(s.keyword, (2, 5));
        assert_eq!(s.args, (8, 15));
        assert_eq!(split_command("onbuild", '\\').keyword, (0, 7));
    }
}
