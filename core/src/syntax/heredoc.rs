//! Heredoc markers (`<<EOF`, `<<-EOF`, `3<<"EOF"`), found as BuildKit finds them: the line is
//! lexed into words and each word is matched against `^(\d*)<<(-?)([^<]*)$`.

use nom::{
    IResult, Parser,
    bytes::complete::{tag, take_while},
    character::complete::char,
    combinator::{all_consuming, opt},
};

use crate::shell::{Env, Lexer};

/// A heredoc marker word, before its body is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub(crate) name: String,
    pub(crate) file_descriptor: u64,
    pub(crate) expand: bool,
    pub(crate) chomp: bool,
    /// Byte range of the word in the line it came from.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Go's `\s` in a regular expression.
fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// `(\d*)<<(-?)\s*([^<]*)`: file descriptor digits, chomp flag, blanks, and the delimiter word.
fn marker_shape(word: &str) -> IResult<&str, (&str, bool, &str)> {
    all_consuming((
        take_while(|c: char| c.is_ascii_digit()),
        tag("<<"),
        opt(char('-')),
        take_while(is_re_space),
        take_while(|c| c != '<'),
    ))
    .map(|(fd, _, chomp, _, rest)| (fd, chomp.is_some(), rest))
    .parse(word)
}

/// BuildKit's `ParseHeredoc`: `Ok(None)` when the word is not a heredoc marker.
pub(crate) fn parse_marker(word: &str) -> Result<Option<Marker>, String> {
    let Ok((_, (fd, chomp, rest))) = marker_shape(word) else { return Ok(None) };
    if rest.is_empty() {
        return Ok(None);
    }
    // Go's ParseUint saturates on overflow and BuildKit ignores the error.
    let file_descriptor = if fd.is_empty() { 0 } else { fd.parse::<u64>().unwrap_or(u64::MAX) };
    let empty = Env::new();
    let unquoted = Lexer { skip_unset_env: true, ..Lexer::new('\\') };
    let words = unquoted.process_words(rest, &empty).map_err(|e| e.message)?;
    // The delimiter must be exactly one word.
    if words.len() != 1 {
        return Ok(None);
    }
    let raw = Lexer { raw_quotes: true, ..unquoted };
    let raw_words = raw.process_words(rest, &empty).map_err(|e| e.message)?;
    if raw_words.len() != words.len() {
        return Err(format!("internal lexing of heredoc produced inconsistent results: {rest}"));
    }
    // Quotes anywhere in the delimiter turn expansion of the body off.
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let expand = quotes(&words[0]) == quotes(&raw_words[0]);
    Ok(Some(Marker { name: words[0].clone(), file_descriptor, expand, chomp, start: 0, end: 0 }))
}

/// BuildKit's `heredocsFromLine`: every heredoc marker of a logical line, in order.
pub(crate) fn markers_in_line(line: &str) -> Result<Vec<Marker>, String> {
    let lexer = Lexer { raw_quotes: true, raw_escapes: true, skip_unset_env: true, ..Lexer::new('\\') };
    // BuildKit ignores a lexing error here: the line simply has no heredocs.
    let Ok(expansion) = lexer.process(line, &Env::new()) else { return Ok(Vec::new()) };
    let mut markers = Vec::new();
    for word in expansion.words {
        if let Some(mut marker) = parse_marker(&word.text)? {
            marker.start = word.start;
            marker.end = word.end;
            markers.push(marker);
        }
    }
    Ok(markers)
}

/// BuildKit's `ChompHeredocContent`: leading tabs removed from every line.
#[must_use]
pub fn chomp(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    for line in content.split_inclusive('\n') {
        out.push_str(line.trim_start_matches('\t'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        let found = markers_in_line("RUN 3<<-\"EOF\" cat <<'A'B <<x cat<<nope \"<<no\"").unwrap();
        let names: Vec<_> = found.iter().map(|m| (m.name.as_str(), m.file_descriptor, m.expand, m.chomp)).collect();
        assert_eq!(names, [("EOF", 3, false, true), ("AB", 0, false, false), ("x", 0, true, false)]);
        assert_eq!((found[0].start, found[0].end), (4, 13));
    }

    #[test]
    fn blanks_after_the_operator() {
        let found = markers_in_line("RUN cat <<  EOF").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "EOF");
        assert_eq!((found[0].start, found[0].end), (8, 15));
    }

    #[test]
    fn not_markers() {
        assert!(markers_in_line("RUN echo <<").unwrap().is_empty());
        assert!(markers_in_line("RUN echo \"unterminated <<EOF").unwrap().is_empty());
        assert!(parse_marker("<<a b").unwrap().is_none());
    }

    #[test]
    fn chomps_tabs_per_line() {
        assert_eq!(chomp("\t\ta\n\tb\n c"), "a\nb\n c");
    }
}

/// What a heredoc word (`<<EOF`, `<<-"EOF"`) says, without its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerWord {
    pub name: String,
    pub file_descriptor: u64,
    pub expand: bool,
    pub chomp: bool,
}

/// BuildKit's `MustParseHeredoc`: the heredoc a single word names, if any (errors count as
/// "not a heredoc").
#[must_use]
pub fn marker_word(word: &str) -> Option<MarkerWord> {
    parse_marker(word).ok().flatten().map(|m| MarkerWord {
        name: m.name,
        file_descriptor: m.file_descriptor,
        expand: m.expand,
        chomp: m.chomp,
    })
}
