//! Go's string and Unicode semantics, which BuildKit's parser inherits and which Rust's
//! standard library spells differently: `unicode.IsSpace`, `IsLetter`, `IsDigit`, `IsPrint`,
//! `strings.ToLower`, `strings.EqualFold` and `strconv.Quote`.

use std::fmt::Write as _;

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Go's `unicode.IsSpace`. Rust's `char::is_whitespace` tests the same Unicode `White_Space` set.
#[must_use]
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// The class `[\t\v\f\r ]` that BuildKit's parser splits words on (`reWhitespace`).
#[must_use]
pub fn is_split_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Go's `unicode.IsLetter`: general category L.
#[must_use]
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    c.general_category_group() == GeneralCategoryGroup::Letter
}

/// Go's `unicode.IsDigit`: general category Nd.
#[must_use]
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    c.general_category() == GeneralCategory::DecimalNumber
}

/// Go's `unicode.IsPrint`: categories L, M, N, P, S and the ASCII space.
#[must_use]
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_ascii() {
        return c.is_ascii_graphic();
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Mark
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    )
}

/// Go's `unicode.ToLower` for one rune: the simple (one-to-one) mapping.
///
/// Rust only exposes full mappings; the only rune whose full lowercase is longer than one
/// char is U+0130, whose simple mapping is the first char of the full one.
#[must_use]
pub fn to_lower_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `unicode.ToUpper` for one rune, approximated where Rust's full mapping expands
/// (`ß` → `SS`): Go keeps such runes as they are.
#[must_use]
pub fn to_upper_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `strings.ToLower`: rune by rune, without Rust's context rule for final sigma.
#[must_use]
pub fn to_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(to_lower_char).collect()
}

/// `to_lower(s) == lower_ascii` without allocating, for comparing keywords.
#[must_use]
pub fn lower_equals(s: &str, lower_ascii: &str) -> bool {
    if s.is_ascii() {
        return s.eq_ignore_ascii_case(lower_ascii);
    }
    s.chars().map(to_lower_char).eq(lower_ascii.chars())
}

/// Go's `strings.ToUpper`, rune by rune.
#[must_use]
pub fn to_upper(s: &str) -> String {
    s.chars().map(to_upper_char).collect()
}

/// Go's `strings.EqualFold` against an ASCII word: simple case folding, in which the
/// Kelvin sign folds to `k` and the long s to `s`.
#[must_use]
pub fn equal_fold_ascii(s: &str, ascii: &str) -> bool {
    let mut chars = s.chars();
    for want in ascii.chars() {
        let Some(c) = chars.next() else { return false };
        let folded = match c {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            c => c.to_ascii_lowercase(),
        };
        if folded != want.to_ascii_lowercase() {
            return false;
        }
    }
    chars.next().is_none()
}

/// Go's `strings.EqualFold` for two arbitrary strings, by simple case folding per rune.
#[must_use]
pub fn equal_fold(a: &str, b: &str) -> bool {
    let mut a = a.chars();
    let mut b = b.chars();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                if x != y && to_lower_char(x) != to_lower_char(y) && to_upper_char(x) != to_upper_char(y) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Go's `strconv.Quote`: a double-quoted literal with Go escapes, printable runes kept raw.
#[must_use]
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_go() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("\u{0}\t\u{1b}\u{7f}"), r#""\x00\t\x1b\x7f""#);
        assert_eq!(quote("☃ é"), "\"☃ é\"");
        assert_eq!(quote("\u{a0}\u{200b}"), r#""\u00a0\u200b""#);
        assert_eq!(quote("\u{e0001}"), r#""\U000e0001""#);
    }

    #[test]
    fn folding_follows_go() {
        assert!(equal_fold_ascii("aS", "as"));
        assert!(equal_fold_ascii("a\u{17F}", "as"));
        assert!(!equal_fold_ascii("a", "as"));
        assert_eq!(to_lower("İΣ"), "iσ");
        assert_eq!(to_upper("ßa"), "ßA");
        assert!(equal_fold("Straße", "STRAßE"));
    }

    #[test]
    fn categories_follow_go() {
        assert!(is_letter('한'));
        assert!(!is_letter('\u{93E}'), "a Devanagari vowel sign is a mark, not a letter");
        assert!(is_digit('٣'));
        assert!(!is_digit('Ⅳ'));
        assert!(!is_print('\u{a0}'));
        assert!(is_space('\u{85}') && is_space('\u{3000}') && !is_space('\u{200b}'));
    }
}
