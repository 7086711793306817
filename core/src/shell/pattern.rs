//! The shell patterns of `${VAR#p}`, `${VAR%p}` and `${VAR/p/r}`, matched as BuildKit does:
//! translated to a regular expression (`*` and `?` only, no bracket expressions) and run with
//! leftmost-first semantics, as Go's RE2 does.

use crate::regex::{Flavor, Options, Regex};

/// BuildKit's `convertShellPatternToRegex`.
fn to_regex(pattern: &str, greedy: bool, anchored: bool) -> Result<Regex, String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    if anchored {
        out.push('^');
    }
    let star = if greedy { ".*" } else { ".*?" };
    // Go's text/scanner drops a leading byte-order mark here too.
    let mut chars = pattern.strip_prefix('\u{feff}').unwrap_or(pattern).chars().peekable();
    while let Some(tok) = chars.next() {
        match tok {
            '*' => out.push_str(star),
            '?' => out.push('.'),
            '\\' => {
                // `}` and `/` are escaped only to get them past the `${...}` parser.
                if matches!(chars.peek(), Some('}' | '/')) {
                    continue;
                }
                let next = chars.next();
                match next {
                    Some(c @ ('*' | '?' | '\\')) => {
                        out.push('\\');
                        out.push(c);
                    }
                    other => return Err(format!("invalid escape '\\{}'", other.unwrap_or('\u{fffd}'))),
                }
            }
            '[' | ']' | '{' | '}' | '.' | '+' | '(' | ')' | '|' | '^' | '$' => {
                out.push('\\');
                out.push(tok);
            }
            c => out.push(c),
        }
    }
    Regex::new(&out, Flavor::Go, Options::default())
}

fn invalid(pattern: &str, err: &str) -> String {
    format!("invalid pattern ({pattern}) in substitution: {err}")
}

/// `${VAR#pattern}` / `${VAR##pattern}`.
pub(super) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let re = to_regex(pattern, greedy, true).map_err(|e| invalid(pattern, &e))?;
    Ok(match re.find_at(value, 0) {
        Some((_, end)) => value[end..].to_string(),
        None => value.to_string(),
    })
}

/// `${VAR%pattern}` / `${VAR%%pattern}`: a prefix match on the reversed value with the
/// reversed pattern, since a regular expression cannot find the shortest rightmost match.
pub(super) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let reversed_pattern = reverse_pattern(pattern);
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed_pattern, &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern but keeps each `\x` escape in order.
fn reverse_pattern(pattern: &str) -> String {
    let runes: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; runes.len()];
    let last = runes.len().saturating_sub(1);
    let mut i = 0;
    while i < runes.len() {
        let out_idx = last - i;
        if runes[i] == '\\' && i != last {
            out[out_idx - 1] = '\\';
            out[out_idx] = runes[i + 1];
            i += 2;
        } else {
            out[out_idx] = runes[i];
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// `${VAR/pattern/replacement}` and `${VAR//pattern/replacement}`.
pub(super) fn replace(pattern: &str, value: &str, replacement: &str, all: bool) -> Result<String, String> {
    let re = to_regex(pattern, true, false).map_err(|e| invalid(pattern, &e))?;
    if !all {
        return Ok(match re.find_at(value, 0) {
            Some((start, end)) => format!("{}{replacement}{}", &value[..start], &value[end..]),
            None => value.to_string(),
        });
    }
    // Go's Regexp.ReplaceAllString: successive non-overlapping matches, an empty match right
    // after a match is not replaced, and the replacement is a template (`$0` is the match).
    let mut out = String::with_capacity(value.len());
    let mut last_end = 0;
    let mut search = 0;
    let mut matcher = re.matcher(value);
    while search <= value.len() {
        let Some((start, end)) = matcher.find(search) else { break };
        out.push_str(&value[last_end..start]);
        if end > last_end || start == 0 {
            expand_template(&mut out, replacement, &value[start..end]);
        }
        last_end = end;
        let width = value[search..].chars().next().map_or(1, char::len_utf8);
        if search + width > end {
            search += width;
        } else if search + 1 > end {
            search += 1;
        } else {
            search = end;
        }
    }
    out.push_str(&value[last_end..]);
    Ok(out)
}

/// Go's `Regexp.expand` for a pattern without groups: `$$` is a dollar, `$0`/`${0}` the whole
/// match, any other well-formed reference is empty, and a malformed `$` is kept.
fn expand_template(out: &mut String, template: &str, whole: &str) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let (braced, body) = match rest.strip_prefix('{') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let name_len: usize = body
            .chars()
            .take_while(|&c| crate::gostr::is_letter(c) || crate::gostr::is_digit(c) || c == '_')
            .map(char::len_utf8)
            .sum();
        if name_len == 0 || (braced && !body[name_len..].starts_with('}')) {
            out.push('$');
            continue;
        }
        let name = &body[..name_len];
        rest = &body[name_len + usize::from(braced)..];
        if name == "0" {
            out.push_str(whole);
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_like_bash() {
        assert_eq!(trim_prefix("*/", "a/b/c", false).unwrap(), "b/c");
        assert_eq!(trim_prefix("*/", "a/b/c", true).unwrap(), "c");
        assert_eq!(trim_suffix("/*", "a/b/c", false).unwrap(), "a/b");
        assert_eq!(trim_suffix("/*", "a/b/c", true).unwrap(), "a");
        assert_eq!(trim_suffix("\\*c", "ab*c", false).unwrap(), "ab");
        assert!(trim_prefix("a\\x", "v", false).is_err());
    }

    #[test]
    fn replace_all_follows_go() {
        assert_eq!(replace("", "abc", "X", true).unwrap(), "XaXbXcX");
        assert_eq!(replace("a*", "baaac", "X", true).unwrap(), "bX");
        assert_eq!(replace("o", "foo", "0", false).unwrap(), "f0o");
        assert_eq!(replace("o", "foo", "[\\$0]", true).unwrap(), "f[\\o][\\o]");
        assert_eq!(replace("o", "foo", "$1$$", true).unwrap(), "f$$");
    }
}
