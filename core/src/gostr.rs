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

/// A decimal number (`[+-]digits[.digits][e[+-]digits]`) as `0.DIGITS × 10^exp`: the sign,
/// the significant digits without leading or trailing zeros (empty for zero), the power.
#[allow(clippy::cast_possible_wrap)] // text lengths are far below 2^63
fn decimal(s: &str) -> Option<(bool, String, i64)> {
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Past any double's range either way; saturate instead of overflowing.
            let magnitude = digits.parse::<i64>().unwrap_or(1 << 40).min(1 << 40);
            if e.starts_with('-') { -magnitude } else { magnitude }
        }
    };
    let all: String = int.chars().chain(frac.chars()).collect();
    let leading = all.len() - all.trim_start_matches('0').len();
    exp += int.len() as i64 - leading as i64;
    let digits = all.trim_start_matches('0').trim_end_matches('0').to_string();
    Some((negative, digits, exp))
}

/// Exact powers of ten as doubles: every one up to 10^22 is representable.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Go's `strconv.ParseFloat(s, 64)` for decimal text, `None` where Go returns an error (bad
/// syntax, or out of range).
///
/// Correctly rounded, as Go's, when the significant digits fit in 53 bits and the power of ten
/// is at most 22 (sizes, versions, sort keys: every number a Dockerfile or a script here
/// parses); past that, within a few units in the last place. Why not `str::parse`: its
/// Eisel-Lemire table is 10 KiB of incompressible data in the browser's `.wasm`.
#[must_use]
#[allow(clippy::cast_possible_wrap)] // at most 19 digits
pub fn parse_float(s: &str) -> Option<f64> {
    let (negative, digits, exp) = decimal(s)?;
    if overflows(&digits, exp) {
        return None;
    }
    let sign = if negative { -1.0 } else { 1.0 };
    if digits.is_empty() || exp < -400 {
        return Some(sign * 0.0);
    }
    let kept = &digits[..digits.len().min(19)];
    let mantissa: u64 = kept.parse().ok()?;
    let power = exp - kept.len() as i64;
    #[allow(clippy::cast_precision_loss, clippy::cast_sign_loss)]
    let value = if mantissa < 1 << 53 && kept.len() == digits.len() && power.unsigned_abs() <= 22 {
        let scale = POW10[power.unsigned_abs() as usize];
        if power < 0 { mantissa as f64 / scale } else { mantissa as f64 * scale }
    } else {
        // Two steps keep 10^power inside the double range near its ends.
        let half = (power / 2) as i32;
        let value = mantissa as f64 * 10f64.powi(half) * 10f64.powi(power as i32 - half);
        // Below the exact threshold (checked above), so rounding error must not make it infinite.
        value.min(f64::MAX)
    };
    Some(sign * value)
}

/// Whether decimal text is past the largest double once rounded (Go's `json.Unmarshal` into
/// a float64 fails there): at or above `2^1024 - 2^970`, the halfway point past `f64::MAX`,
/// compared digit by digit, so exactly.
#[must_use]
pub fn float_overflows(s: &str) -> bool {
    decimal(s).is_some_and(|(_, digits, exp)| overflows(&digits, exp))
}

fn overflows(digits: &str, exp: i64) -> bool {
    const HALFWAY: &str = "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";
    exp > 309 || exp == 309 && digits >= HALFWAY
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
    #[allow(clippy::disallowed_methods, clippy::float_cmp)]
    fn floats_parse_as_go_does() {
        for text in [
            "0",
            "1",
            "1.5",
            "0.1",
            "64",
            "2.5",
            "1e10",
            "123456789012345",
            "-3.25",
            "1e22",
            "9007199254740991",
            ".5",
            "5.",
            "0.000001",
            "7e-22",
        ] {
            assert_eq!(parse_float(text), Some(text.parse::<f64>().expect("std")), "{text}");
        }
        // Past the exact path: close to the correctly rounded value.
        for text in
            ["12345678901234567890123", "1.7976931348623157e308", "2.2250738585072014e-308", "123.456e-100", "4.9e-324"]
        {
            let want: f64 = text.parse().expect("std");
            let got = parse_float(text).expect("parses");
            assert!((got - want).abs() <= want.abs() * 1e-14, "{text}: {got} vs {want}");
        }
        for bad in ["", ".", "-", "1e", "1e+", "abc", "1.2.3", "0x10", "1_0"] {
            assert_eq!(parse_float(bad), None, "{bad:?}");
        }
        assert_eq!(parse_float("1e400"), None);
        assert_eq!(parse_float("1e-400"), Some(0.0));
        // The overflow threshold is exact: f64::MAX's halfway point rounds up to infinity.
        assert!(!float_overflows("1.7976931348623157e308"));
        assert!(!float_overflows(
            "1.79769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791e308"
        ));
        assert!(float_overflows(
            "1.7976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797758720709633028641669288791094655554785194040263065748867150582068190890200070838367627385484581771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155969950809304288017790417449779200e308"
        ));
        assert!(float_overflows("1.8e308"));
        assert!(float_overflows("-1e309"));
        assert!(!float_overflows("0.00001e309"));
        for text in ["1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "2e308"] {
            assert_eq!(float_overflows(text), text.parse::<f64>().expect("std").is_infinite(), "{text}");
        }
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
