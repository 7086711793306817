//! BuildKit's shell word expansion (`frontend/dockerfile/shell/lex.go`), exactly.
//!
//! This is not a shell: it is the small lexer that BuildKit runs over Dockerfile words to
//! remove quotes, process the escape character, expand `$VAR` and `${VAR...}` forms and split
//! words. Its quirks are BuildKit's, kept on purpose (see the conformance vectors in
//! `tests/conformance/buildkit/shell`).

mod pattern;

use crate::gostr;

/// Variables visible to an expansion.
///
/// Unix builds match names exactly. Windows builds (`case_insensitive`) match them as
/// Go's `strings.EqualFold` does; an exact match wins so the result stays deterministic.
///
/// The map is persistent: a clone is O(1) and shares its entries, so the environment each
/// instruction sees, and each stage built FROM another, costs only what it changes.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: rpds::RedBlackTreeMapSync<String, String>,
    case_insensitive: bool,
}

impl Env {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An environment whose names compare case-insensitively, as on Windows.
    #[must_use]
    pub fn case_insensitive() -> Self {
        Self { vars: rpds::RedBlackTreeMapSync::new_sync(), case_insensitive: true }
    }

    /// Sets `name`; a later value replaces an earlier one.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert_mut(name.into(), value.into());
    }

    /// Adds a `NAME=value` entry (or `NAME`, set and empty), as BuildKit's `BuildEnvs` does.
    pub fn push_entry(&mut self, entry: &str) {
        match entry.split_once('=') {
            Some((name, value)) => self.set(name, value),
            None => self.set(entry, ""),
        }
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        if let Some(value) = self.vars.get(name) {
            return Some(value);
        }
        if self.case_insensitive {
            return self.vars.iter().find(|(k, _)| gostr::equal_fold(k, name)).map(|(_, v)| v.as_str());
        }
        None
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Options of the lexer; the defaults are BuildKit's defaults.
///
/// The flags are BuildKit's own (`shell.Lex`), kept one to one so that each call site reads
/// like the BuildKit code it mirrors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct Lexer {
    /// The escape character: a backslash by default, or a backtick after `# escape=`.
    pub escape: char,
    /// Keep quote characters in the output (BuildKit's `RawQuotes`).
    pub raw_quotes: bool,
    /// Keep escape characters in the output (BuildKit's `RawEscapes`).
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters (BuildKit's `SkipProcessQuotes`).
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written (BuildKit's `SkipUnsetEnv`).
    pub skip_unset_env: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Self::new('\\')
    }
}

/// One word of the split result, with the byte range of the input it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Everything one run of the lexer produces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The processed word, not split (BuildKit's `ProcessWord`).
    pub result: String,
    /// The processed text split into words (BuildKit's `ProcessWords`).
    pub words: Vec<Word>,
    /// Variable names that were found in the environment.
    pub matched: crate::sort::Names,
    /// Variable names that were referenced but unset.
    pub unmatched: crate::sort::Names,
}

impl Expansion {
    #[must_use]
    pub fn word_texts(&self) -> Vec<&str> {
        self.words.iter().map(|w| w.text.as_str()).collect()
    }
}

/// Why a word could not be expanded, in BuildKit's words: `failed to process "<input>": <cause>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    pub cause: String,
    pub message: String,
}

impl std::fmt::Display for ExpandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpandError {}

impl Lexer {
    #[must_use]
    pub fn new(escape: char) -> Self {
        Self { escape, raw_quotes: false, raw_escapes: false, skip_process_quotes: false, skip_unset_env: false }
    }

    /// Expands `input` against `env` (BuildKit's `process`).
    pub fn process(&self, input: &str, env: &Env) -> Result<Expansion, ExpandError> {
        let mut state = State {
            opts: *self,
            raw_escapes: self.raw_escapes,
            input,
            pos: 0,
            env,
            matched: crate::sort::Names::new(),
            unmatched: crate::sort::Names::new(),
            depth: 0,
        };
        // Go's text/scanner drops a byte-order mark at the very start of its input.
        if input.starts_with('\u{feff}') {
            state.pos = '\u{feff}'.len_utf8();
        }
        match state.process_stop_on(None, self.raw_escapes) {
            Ok((result, words)) => Ok(Expansion { result, words, matched: state.matched, unmatched: state.unmatched }),
            Err(cause) => {
                Err(ExpandError { message: format!("failed to process {}: {cause}", gostr::quote(input)), cause })
            }
        }
    }

    /// BuildKit's `ProcessWord`: the expanded word, unsplit.
    pub fn process_word(&self, input: &str, env: &Env) -> Result<String, ExpandError> {
        self.process(input, env).map(|e| e.result)
    }

    /// BuildKit's `ProcessWords`: the expanded text, split into words.
    pub fn process_words(&self, input: &str, env: &Env) -> Result<Vec<String>, ExpandError> {
        self.process(input, env).map(|e| e.words.into_iter().map(|w| w.text).collect())
    }
}

/// Nesting bound for `${a:-${b:-...}}`: deeper input is reported, not recursed into, so that
/// hostile text cannot overflow the stack. BuildKit has no bound; no real word comes near it.
const MAX_DEPTH: usize = 256;

struct State<'a> {
    opts: Lexer,
    raw_escapes: bool,
    input: &'a str,
    pos: usize,
    env: &'a Env,
    matched: crate::sort::Names,
    unmatched: crate::sort::Names,
    depth: usize,
}

/// BuildKit's `wordsStruct`: accumulates the split words while the result is built.
#[derive(Default)]
struct Words {
    word: String,
    done: Vec<Word>,
    in_word: bool,
    start: usize,
    end: usize,
}

impl Words {
    fn push_current(&mut self) {
        let text = std::mem::take(&mut self.word);
        self.done.push(Word { text, start: self.start, end: self.end });
        self.in_word = false;
    }

    fn add_char(&mut self, ch: char, at: usize, end: usize) {
        if gostr::is_space(ch) && self.in_word {
            if !self.word.is_empty() {
                self.push_current();
            }
        } else if !gostr::is_space(ch) {
            self.add_raw_char(ch, at, end);
        }
    }

    fn begin(&mut self, at: usize) {
        if !self.in_word {
            self.start = at;
        }
    }

    fn add_raw_char(&mut self, ch: char, at: usize, end: usize) {
        self.begin(at);
        self.word.push(ch);
        self.in_word = true;
        self.end = end;
    }

    fn add_string(&mut self, s: &str, at: usize, end: usize) {
        for ch in s.chars() {
            self.add_char(ch, at, end);
        }
    }

    fn add_raw_string(&mut self, s: &str, at: usize, end: usize) {
        self.begin(at);
        self.word.push_str(s);
        self.in_word = true;
        self.end = end;
    }

    fn finish(mut self) -> Vec<Word> {
        if !self.word.is_empty() {
            self.push_current();
        }
        self.done
    }
}

type Step<T> = Result<T, String>;

impl State<'_> {
    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    /// Go's `string(rune)` for the scanner's EOF (-1) is U+FFFD.
    fn rune_str(ch: Option<char>) -> String {
        ch.unwrap_or('\u{fffd}').to_string()
    }

    fn process_stop_on(&mut self, stop: Option<char>, raw_escapes: bool) -> Step<(String, Vec<Word>)> {
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let out = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        out
    }

    fn process_stop_on_inner(&mut self, stop: Option<char>) -> Step<(String, Vec<Word>)> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            let at = self.pos;
            if Some(ch) == stop {
                self.next();
                return Ok((result, words.finish()));
            }
            let quotes = !self.opts.skip_process_quotes;
            if ch == '$' {
                let tmp = self.process_dollar()?;
                result.push_str(&tmp);
                words.add_string(&tmp, at, self.pos);
            } else if quotes && (ch == '\'' || ch == '"') {
                let tmp = if ch == '\'' { self.process_single_quote()? } else { self.process_double_quote()? };
                result.push_str(&tmp);
                words.add_raw_string(&tmp, at, self.pos);
            } else if ch == '<' {
                let tmp = self.process_possible_heredoc();
                result.push_str(&tmp);
                words.add_raw_string(&tmp, at, self.pos);
            } else {
                let mut ch = ch;
                self.next();
                if ch == self.opts.escape {
                    if self.raw_escapes {
                        words.add_raw_char(ch, at, self.pos);
                        result.push(ch);
                    }
                    // The escape character escapes the next character, except at the end.
                    match self.next() {
                        None => break,
                        Some(c) => ch = c,
                    }
                    words.add_raw_char(ch, at, self.pos);
                } else {
                    words.add_char(ch, at, self.pos);
                }
                result.push(ch);
            }
        }
        match stop {
            Some(stop) => Err(format!("unexpected end of statement while looking for matching {stop}")),
            None => Ok((result, words.finish())),
        }
    }

    /// `<<` keeps the blanks after it in the same word, so that `<< EOF` is one heredoc word
    /// (BuildKit 0.22, "allow whitespace in heredocs").
    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.next();
        let mut result = String::from("<<");
        while let Some(c) = self.peek().filter(|&c| c == ' ' || c == '\t') {
            self.next();
            result.push(c);
        }
        result
    }

    fn process_single_quote(&mut self) -> Step<String> {
        // Everything between single quotes is literal; a single quote cannot be escaped.
        let mut result = String::new();
        let open = self.next();
        if self.opts.raw_quotes {
            result.push_str(&Self::rune_str(open));
        }
        loop {
            match self.next() {
                None => return Err("unexpected end of statement while looking for matching single-quote".into()),
                Some('\'') => {
                    if self.opts.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Step<String> {
        // Everything up to the next `"` is literal except `$` and the escape character,
        // which escapes only `"`, `$` and itself.
        let mut result = String::new();
        let open = self.next();
        if self.opts.raw_quotes {
            result.push_str(&Self::rune_str(open));
        }
        loop {
            match self.peek() {
                None => return Err("unexpected end of statement while looking for matching double-quote".into()),
                Some('"') => {
                    self.next();
                    if self.opts.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let Some(mut ch) = self.next() else { continue };
                    if ch == self.opts.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            // An escape character at the very end is dropped.
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.opts.escape => {
                                self.next();
                                ch = c;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        if let Some(v) = self.env.get(name) {
            self.matched.insert(name.to_string());
            Some(v.to_string())
        } else {
            self.unmatched.insert(name.to_string());
            None
        }
    }

    fn process_dollar(&mut self) -> Step<String> {
        self.depth += 1;
        let out = if self.depth > MAX_DEPTH {
            Err(format!("expansion nested deeper than {MAX_DEPTH} levels"))
        } else {
            self.process_dollar_inner()
        };
        self.depth -= 1;
        out
    }

    fn process_dollar_inner(&mut self) -> Step<String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.opts.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.process_name();
        let mut ch = self.next();
        let mut chs = Self::rune_str(ch);
        let mut null_is_unset = false;
        match ch {
            Some('}') => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.opts.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                if ch == Some(':') {
                    // `${VAR:x...}`: whatever follows the colon is taken as the modifier,
                    // and an unsupported one is reported only after the word is processed.
                    null_is_unset = true;
                    ch = self.next();
                    chs.push_str(&Self::rune_str(ch));
                }
                let raw = matches!(ch, Some('#' | '%'));
                if null_is_unset && raw {
                    return Err(format!("unsupported modifier ({chs}) in substitution"));
                }
                let word = match self.process_stop_on(Some('}'), raw) {
                    Ok((word, _)) => word,
                    Err(e) => {
                        return Err(if self.peek().is_none() { "syntax error: missing '}'".into() } else { e });
                    }
                };
                let value = self.get_env(&name);
                let Some(value) = value else {
                    if self.opts.skip_unset_env {
                        return Ok(format!("${{{name}{chs}{word}}}"));
                    }
                    return Self::apply_modifier(ch, &chs, &name, None, null_is_unset, word);
                };
                Self::apply_modifier(ch, &chs, &name, Some(value), null_is_unset, word)
            }
            Some('/') => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true) {
                    Ok((p, _)) => p,
                    Err(e) => {
                        return Err(if self.peek().is_none() { "syntax error: missing '/' in ${}".into() } else { e });
                    }
                };
                let replacement = match self.process_stop_on(Some('}'), true) {
                    Ok((r, _)) => r,
                    Err(e) => {
                        return Err(if self.peek().is_none() { "syntax error: missing '}'".into() } else { e });
                    }
                };
                let value = self.get_env(&name);
                let Some(value) = value else {
                    if self.opts.skip_unset_env {
                        return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                    }
                    return pattern::replace(&pattern, "", &replacement, replace_all);
                };
                pattern::replace(&pattern, &value, &replacement, replace_all)
            }
            _ => Err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }

    fn apply_modifier(
        ch: Option<char>,
        chs: &str,
        name: &str,
        value: Option<String>,
        null_is_unset: bool,
        word: String,
    ) -> Step<String> {
        let set = value.is_some();
        let value = value.unwrap_or_default();
        let unset_or_null = !set || (null_is_unset && value.is_empty());
        match ch {
            Some('-') => Ok(if unset_or_null { word } else { value }),
            Some('+') => Ok(if unset_or_null { String::new() } else { word }),
            Some('?') => {
                if !set {
                    let message = if word.is_empty() { "is not allowed to be unset" } else { &word };
                    return Err(format!("{name}: {message}"));
                }
                if null_is_unset && value.is_empty() {
                    let message = if word.is_empty() { "is not allowed to be empty" } else { &word };
                    return Err(format!("{name}: {message}"));
                }
                Ok(value)
            }
            Some(c @ ('%' | '#')) => {
                // `%`/`#` remove the shortest match, `%%`/`##` the longest.
                let (greedy, word) = match word.strip_prefix(c) {
                    Some(rest) => (true, rest),
                    None => (false, word.as_str()),
                };
                if c == '%' {
                    pattern::trim_suffix(word, &value, greedy)
                } else {
                    pattern::trim_prefix(word, &value, greedy)
                }
            }
            _ => Err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }

    /// A name: letters, digits and `_`; or a run of digits; or one special parameter.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && gostr::is_digit(ch) {
                while let Some(d) = self.peek().filter(|&c| gostr::is_digit(c)) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !gostr::is_letter(ch) && !gostr::is_digit(ch) && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        let mut env = Env::new();
        env.set("PWD", "/home");
        env.set("NULL", "");
        env
    }

    fn word(input: &str) -> Result<String, ExpandError> {
        Lexer::default().process_word(input, &env())
    }

    #[test]
    fn modifiers() {
        assert_eq!(word("he${XXX:-${PWD:-yyy}}xx").unwrap(), "he/homexx");
        assert_eq!(word("${PWD#/h}").unwrap(), "ome");
        assert_eq!(word("${PWD%/*}").unwrap(), "");
        assert_eq!(word("${PWD//o/0}").unwrap(), "/h0me");
        assert!(word("he${NULL:?}").unwrap_err().message.contains("NULL: is not allowed to be empty"));
        assert_eq!(word("he${XXX:YYY}").unwrap_err().cause, "unsupported modifier (:Y) in substitution");
        assert_eq!(word("${PWD:#x}").unwrap_err().cause, "unsupported modifier (:#) in substitution");
    }

    #[test]
    fn words_and_positions() {
        let mut env = Env::new();
        env.set("x", "a b");
        let e = Lexer::default().process(" <<EOF $x 'c d'", &env).unwrap();
        assert_eq!(e.word_texts(), ["<<EOF", "a", "b", "c d"]);
        assert_eq!((e.words[0].start, e.words[0].end), (1, 6));
        assert_eq!((e.words[3].start, e.words[3].end), (10, 15));
    }

    #[test]
    fn heredoc_operator_keeps_following_blanks() {
        let e = Lexer::default().process("cat <<  EOF <a", &Env::new()).unwrap();
        assert_eq!(e.word_texts(), ["cat", "<<  EOF", "<a"]);
        assert_eq!(e.result, "cat <<  EOF <a");
    }

    #[test]
    fn skip_unset_keeps_references() {
        let lexer = Lexer { skip_unset_env: true, raw_quotes: true, ..Lexer::default() };
        assert_eq!(lexer.process_word("$A ${B} ${C:-x} '$D'", &Env::new()).unwrap(), "$A ${B} ${C:-x} '$D'");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let input = "${a:-".repeat(100_000) + &"}".repeat(100_000);
        assert!(word(&input).is_err());
    }
}
