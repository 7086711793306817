//! Go's string and Unicode semantics, which BuildKit's parser inherits and which Rust's
//! standard library spells differently: `unicode.IsSpace`, `IsLetter`, `IsDigit`, `IsPrint`,
//! `strings.ToLower`, `strings.EqualFold` and `strconv.Quote`.

use std::fmt::Write as _;

// Generated (`cargo xtask gen-unicode`): long hex literals, laid out by the generator.
#[rustfmt::skip]
#[allow(clippy::unreadable_literal)]
mod tables;

/// The class of a non-ASCII code point in [`tables::CLASSES`]: 0 not printable, 1 letter,
/// 2 decimal digit, 3 other printable.
fn class(c: char) -> u32 {
    let key = (c as u32) << 2 | 3;
    let i = tables::CLASSES.partition_point(|&run| run <= key);
    i.checked_sub(1).map_or(0, |i| tables::CLASSES[i] & 3)
}

/// A simple case mapping from its runs ([`tables::LOWER`], [`tables::UPPER`]).
fn map_case(runs: &[(u32, u32, i32)], c: char) -> char {
    let cp = c as u32;
    let i = runs.partition_point(|&(first, _, _)| first & 0x7fff_ffff <= cp);
    let Some(&(first, last, delta)) = i.checked_sub(1).map(|i| &runs[i]) else { return c };
    let stride = 1 + (first >> 31);
    if cp > last || !(cp - (first & 0x7fff_ffff)).is_multiple_of(stride) {
        return c;
    }
    char::from_u32(cp.wrapping_add_signed(delta)).unwrap_or(c)
}

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
    class(c) == 1
}

/// Go's `unicode.IsDigit`: general category Nd.
#[must_use]
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    class(c) == 2
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
    class(c) != 0
}

/// Go's `unicode.ToLower` for one rune: the simple (one-to-one) mapping.
///
/// Rust only exposes full mappings; the only rune whose full lowercase is longer than one
/// char is U+0130, whose simple mapping is the first char of the full one (the tables are
/// generated that way).
#[must_use]
pub fn to_lower_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    map_case(&tables::LOWER, c)
}

/// Go's `unicode.ToUpper` for one rune, approximated where Rust's full mapping expands
/// (`ß` → `SS`): Go keeps such runes as they are.
#[must_use]
pub fn to_upper_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    map_case(&tables::UPPER, c)
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
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

    use super::*;

    /// The compact tables against their sources, code point by code point; when a toolchain or
    /// `unicode-properties` update moves Unicode on, `cargo xtask gen-unicode` regenerates them.
    #[test]
    #[allow(clippy::disallowed_methods)]
    fn tables_agree_with_every_code_point() {
        let (a, b, c) = unicode_properties::UNICODE_VERSION;
        assert_eq!(tables::CATEGORY_VERSION, (a as u32, b as u32, c as u32), "run cargo xtask gen-unicode");
        let (a, b, c) = char::UNICODE_VERSION;
        assert_eq!(tables::CASE_VERSION, (u32::from(a), u32::from(b), u32::from(c)), "run cargo xtask gen-unicode");
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let group = c.general_category_group();
            assert_eq!(is_letter(c), group == GeneralCategoryGroup::Letter, "{c:?}");
            assert_eq!(is_digit(c), c.general_category() == GeneralCategory::DecimalNumber, "{c:?}");
            let print = c == ' '
                || matches!(
                    group,
                    GeneralCategoryGroup::Letter
                        | GeneralCategoryGroup::Mark
                        | GeneralCategoryGroup::Number
                        | GeneralCategoryGroup::Punctuation
                        | GeneralCategoryGroup::Symbol
                );
            assert_eq!(is_print(c), print, "{c:?}");
            assert_eq!(to_lower_char(c), c.to_lowercase().next().unwrap_or(c), "{c:?}");
            let mut upper = c.to_uppercase();
            let want = match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => c,
            };
            assert_eq!(to_upper_char(c), want, "{c:?}");
        }
        assert_eq!(to_lower_char('\u{130}'), 'i');
        assert_eq!(to_lower_char('\u{212A}'), 'k');
        assert_eq!(to_upper_char('ß'), 'ß');
        assert_eq!(to_upper_char('ǆ'), 'Ǆ');
    }

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
