//! "Did you mean ...?" suggestions, as BuildKit's `util/suggest` makes them: the closest
//! option by Levenshtein distance (code points, no transpositions), only when it is closer
//! than 3, the first one on a tie.

use crate::gostr;

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The suggestion for `value` among `options`, re-cased as BuildKit re-cases it, or `None`
/// when nothing is close or `value` is itself an option.
///
/// BuildKit builds `options` from Go maps, so its choice on a tie is random; callers pass
/// options in a fixed order (the order BuildKit declares them) so ours is deterministic.
#[must_use]
pub fn suggest(value: &str, options: &[&str], case_sensitive: bool) -> Option<String> {
    // Hostile input (a megabyte keyword) must not cost quadratic time: nothing that long is
    // within distance 2 of a short option anyway.
    if value.chars().count() > 64 {
        return None;
    }
    let folded = if case_sensitive { value.to_string() } else { gostr::to_lower(value) };
    let mut best: Option<&str> = None;
    let mut min = 3;
    for &option in options {
        let candidate = if case_sensitive { option.to_string() } else { gostr::to_lower(option) };
        if candidate == folded {
            return None;
        }
        // The distance is at least the difference in length: most options end here.
        if candidate.chars().count().abs_diff(folded.chars().count()) >= min {
            continue;
        }
        let distance = levenshtein(&folded, &candidate);
        if distance < min {
            min = distance;
            best = Some(option);
        }
    }
    let best = best?;
    if case_sensitive {
        return Some(best.to_string());
    }
    Some(if gostr::to_lower(value) == value {
        gostr::to_lower(best)
    } else if gostr::to_upper(value) == value {
        gostr::to_upper(best)
    } else {
        gostr::to_lower(best)
    })
}

/// `message` with BuildKit's suggestion appended, when there is one.
#[must_use]
pub fn with_suggestion(message: String, value: &str, options: &[&str], case_sensitive: bool) -> String {
    match suggest(value, options, case_sensitive) {
        Some(best) => format!("{message} (did you mean {best}?)"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("form", "from"), 2);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }

    #[test]
    fn recasing_follows_buildkit() {
        let names = ["ADD", "ARG", "CMD", "COPY", "FROM", "RUN"];
        assert_eq!(suggest("RUNN", &names, false).as_deref(), Some("RUN"));
        assert_eq!(suggest("runn", &names, false).as_deref(), Some("run"));
        assert_eq!(suggest("Runn", &names, false).as_deref(), Some("run"));
        assert_eq!(suggest("FOO", &names, false).as_deref(), Some("FROM"));
        assert_eq!(suggest("run", &names, false), None);
        assert_eq!(suggest("XYZZY", &names, false), None);
        assert_eq!(suggest("form", &["chown", "from"], true).as_deref(), Some("from"));
    }
}
