//! Go's `time.ParseDuration` and `strconv.ParseInt`/`ParseUint`/`ParseBool`, with Go's error
//! texts, for the flags and mount options that BuildKit parses with them.

use std::fmt::Write as _;

use crate::gostr;

/// Go's limit for a duration in nanoseconds (`1 << 63`, compared before the sign).
const LIMIT: u64 = 1 << 63;

/// Go's `time` package quoting: non-ASCII and control bytes become `\xNN`.
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if !c.is_ascii() || c < ' ' {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\x{b:02x}");
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub(crate) fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let first = s.as_bytes()[0];
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let mut v: u64 = 0;
        for b in s[..digits].bytes() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(b - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
        }
        let pre = digits > 0;
        s = &s[digits..];
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if let Some(rest) = s.strip_prefix('.') {
            s = rest;
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for b in s[..digits].bytes() {
                if overflow {
                    continue;
                }
                if fraction > (i64::MAX as u64 - 9) / 10 {
                    overflow = true;
                    continue;
                }
                fraction = fraction * 10 + u64::from(b - b'0');
                scale *= 10.0;
            }
            post = digits > 0;
            s = &s[digits..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s.bytes().take_while(|b| !(*b == b'.' || b.is_ascii_digit())).count();
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", time_quote(orig)));
        }
        let unit_text = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match unit_text {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("time: unknown unit {} in duration {}", time_quote(unit_text), time_quote(orig))),
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if fraction > 0 {
            #[allow(clippy::cast_precision_loss, clippy::cast_sign_loss)]
            let extra = (fraction as f64 * (unit as f64 / scale)) as u64;
            v += extra;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        #[allow(clippy::cast_possible_wrap)]
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Go's `strconv.ParseInt(s, 10, bits)`.
pub(crate) fn parse_int(s: &str, bits: u32) -> Result<i64, String> {
    let syntax = || format!("strconv.ParseInt: parsing {}: invalid syntax", gostr::quote(s));
    let range = || format!("strconv.ParseInt: parsing {}: value out of range", gostr::quote(s));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    let magnitude: u128 = digits
        .bytes()
        .try_fold(0u128, |acc, b| {
            let next = acc * 10 + u128::from(b - b'0');
            if next > u128::from(u64::MAX) { None } else { Some(next) }
        })
        .ok_or_else(range)?;
    let limit = 1u128 << (bits - 1);
    if (!neg && magnitude >= limit) || (neg && magnitude > limit) {
        return Err(range());
    }
    #[allow(clippy::cast_possible_wrap)]
    let value = magnitude as i64;
    Ok(if neg { value.wrapping_neg() } else { value })
}

/// Go's `strconv.ParseUint(s, base, bits)` (no sign, no prefix), `None` on any error.
pub(crate) fn parse_uint(s: &str, base: u32, bits: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let value = u64::from_str_radix(s, base).ok()?;
    if s.starts_with(['+', '-']) || (bits < 64 && value >> bits != 0) {
        return None;
    }
    Some(value)
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration(".5ms"), Ok(500_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("-2us"), Ok(-2000));
        assert_eq!(parse_duration("5"), Err("time: missing unit in duration \"5\"".into()));
        assert_eq!(parse_duration("5x"), Err("time: unknown unit \"x\" in duration \"5x\"".into()));
        assert_eq!(parse_duration(""), Err("time: invalid duration \"\"".into()));
        assert_eq!(parse_duration(".s"), Err("time: invalid duration \".s\"".into()));
        assert_eq!(parse_duration("9999999999h"), Err("time: invalid duration \"9999999999h\"".into()));
        assert_eq!(parse_duration("1µs"), Ok(1000));
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int("+7", 32), Ok(7));
        assert_eq!(parse_int("-1", 32), Ok(-1));
        assert_eq!(parse_int("abc", 32), Err("strconv.ParseInt: parsing \"abc\": invalid syntax".into()));
        assert_eq!(
            parse_int("2147483648", 32),
            Err("strconv.ParseInt: parsing \"2147483648\": value out of range".into())
        );
        assert_eq!(parse_uint("0755", 8, 32), Some(0o755));
        assert_eq!(parse_uint("4294967296", 10, 32), None);
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }
}
