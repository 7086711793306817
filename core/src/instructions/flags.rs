//! Typed instruction flags, as BuildKit's `BFlags` reads the `--flag` words the parser kept:
//! each instruction declares the flags it takes, and each word is checked in order.

use super::suggest::with_suggestion;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::Token;
use crate::text::Span;

/// What a flag takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `--f`, `--f=true|false` (any case).
    Bool,
    /// `--f=value`, once.
    String,
    /// `--f=value`, repeatable.
    Strings,
}

/// One value given to a flag, with the span of its flag word and of the value text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagValue {
    pub value: String,
    /// The whole `--name=value` word.
    pub span: Span,
    /// The value part; empty at the end of the word for a bare `--name`.
    pub value_span: Span,
}

/// The flags of one instruction after checking.
#[derive(Clone, Debug, Default)]
pub(crate) struct Flags {
    values: Vec<(&'static str, FlagValue)>,
}

impl Flags {
    /// The single value of a bool or string flag.
    pub(crate) fn get(&self, name: &str) -> Option<&FlagValue> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// All values of a repeatable flag, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<FlagValue> {
        self.values.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.clone()).collect()
    }

    /// A bool flag: `Some(true|false)` when given, `None` when absent.
    pub(crate) fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v.value.eq_ignore_ascii_case("true") || v.value.is_empty())
    }

    /// A string flag's value, `None` when absent or given as `--name=` (BuildKit's "not set").
    pub(crate) fn string(&self, name: &str) -> Option<Token> {
        self.get(name)
            .filter(|v| !v.value.is_empty())
            .map(|v| Token { value: v.value.as_str().into(), span: v.value_span })
    }

    pub(crate) fn strings(&self, name: &str) -> Vec<Token> {
        self.all(name).into_iter().map(|v| Token { value: v.value.into(), span: v.value_span }).collect()
    }
}

/// Where the value of a flag word starts in the source: the flag word is the source text with
/// quotes and escapes removed, so this is exact when neither appears before the `=`.
fn value_span(word: &Token, name_len: usize) -> Span {
    let start = (word.span.start as usize + name_len + 1).min(word.span.end as usize);
    Span::new(start, word.span.end as usize)
}

/// BuildKit's `BFlags.Parse`, reporting every bad flag (BuildKit stops at the first).
pub(crate) fn parse(words: &[Token], specs: &[(&'static str, Kind)], diagnostics: &mut Vec<Diagnostic>) -> Flags {
    let mut flags = Flags::default();
    for word in words {
        let text = word.value.as_ref();
        if text == "--" {
            break;
        }
        let (flag_name, value, has_value) = match text.split_once('=') {
            Some((name, value)) => (name, value, true),
            None => (text, "", false),
        };
        let name = flag_name.strip_prefix("--").unwrap_or(flag_name);
        let Some(&(spec_name, kind)) = specs.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = specs.iter().map(|(n, _)| *n).collect();
            let message = with_suggestion(format!("unknown flag: {flag_name}"), name, &names, true);
            diagnostics.push(Diagnostic::new(Code::UnknownFlag, word.span, message));
            continue;
        };
        if kind != Kind::Strings && flags.get(spec_name).is_some() {
            diagnostics.push(Diagnostic::new(
                Code::DuplicateFlag,
                word.span,
                format!("duplicate flag specified: {flag_name}"),
            ));
            continue;
        }
        let value_span = value_span(word, flag_name.len());
        match kind {
            Kind::Bool => {
                if has_value && value.is_empty() {
                    diagnostics.push(Diagnostic::new(
                        Code::InvalidFlagValue,
                        word.span,
                        format!("missing a value on flag: {flag_name}"),
                    ));
                    continue;
                }
                let lower = value.to_ascii_lowercase();
                if !matches!(lower.as_str(), "" | "true" | "false") {
                    diagnostics.push(Diagnostic::new(
                        Code::InvalidFlagValue,
                        value_span,
                        format!("expecting boolean value for flag {flag_name}, not: {value}"),
                    ));
                    continue;
                }
            }
            Kind::String | Kind::Strings => {
                if !has_value {
                    diagnostics.push(Diagnostic::new(
                        Code::InvalidFlagValue,
                        word.span,
                        format!("missing a value on flag: {flag_name}"),
                    ));
                    continue;
                }
            }
        }
        flags.values.push((spec_name, FlagValue { value: value.to_string(), span: word.span, value_span }));
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<Token> {
        list.iter().map(|w| Token { value: (*w).into(), span: Span::default() }).collect()
    }

    fn messages(list: &[&str], specs: &[(&'static str, Kind)]) -> Vec<String> {
        let mut diags = Vec::new();
        parse(&words(list), specs, &mut diags);
        diags.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn buildkit_messages() {
        let specs = [("from", Kind::String), ("link", Kind::Bool), ("exclude", Kind::Strings)];
        assert_eq!(messages(&["--form=a"], &specs), ["unknown flag: --form (did you mean from?)"]);
        assert_eq!(messages(&["--link=1"], &specs), ["expecting boolean value for flag --link, not: 1"]);
        assert_eq!(messages(&["--link="], &specs), ["missing a value on flag: --link"]);
        assert_eq!(messages(&["--from"], &specs), ["missing a value on flag: --from"]);
        assert_eq!(messages(&["--from=a", "--from=b"], &specs), ["duplicate flag specified: --from"]);
        assert_eq!(messages(&["--=x"], &specs), ["unknown flag: --"]);
        assert!(messages(&["--exclude=a", "--exclude=b", "--link=TRUE", "--from="], &specs).is_empty());
    }

    #[test]
    fn values() {
        let specs = [("from", Kind::String), ("link", Kind::Bool), ("exclude", Kind::Strings)];
        let mut diags = Vec::new();
        let flags = parse(&words(&["--link", "--exclude=a", "--exclude=", "--from="]), &specs, &mut diags);
        assert_eq!(flags.bool("link"), Some(true));
        assert_eq!(flags.strings("exclude").len(), 2);
        assert_eq!(flags.string("from"), None);
    }
}
