//! `.dockerignore`: reading the file as Docker's CLI does (`moby/buildkit`'s
//! `frontend/dockerfile/dockerignore.ReadAll`) and matching paths as `moby/patternmatcher`
//! does, quirks included (for example `*/tmp/*` needs one path segment before `tmp`).
//!
//! The build checks use it for `CopyIgnoredFile`; the context packer uses the same matcher.

use crate::regex::{Flavor, Options, Regex};

/// One pattern line.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The cleaned pattern, without the leading `!`.
    pub text: String,
    /// A `!pattern` line: re-includes what earlier lines excluded.
    pub exclusion: bool,
    /// 1-based line in the `.dockerignore` file.
    pub line: usize,
    kind: MatchKind,
}

#[derive(Clone, Debug)]
enum MatchKind {
    Exact,
    /// `foo/**`: everything under a prefix.
    Prefix(String),
    /// `**/foo`: a suffix.
    Suffix(String),
    Regex(Regex),
}

/// A parsed `.dockerignore`.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    pub patterns: Vec<Pattern>,
}

/// Go's `path.Clean` (lexical: `.` and `..` elements, repeated and trailing slashes).
#[must_use]
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

impl Matcher {
    /// Reads a `.dockerignore` file: one pattern per line, `#` comments, `!` exceptions,
    /// each pattern cleaned and relative to the context root.
    ///
    /// # Errors
    /// A pattern Go's `filepath.Match` rejects, or a lone `!`, with its 1-based line.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let mut pattern = line.trim();
            if pattern.starts_with('#') || pattern.is_empty() {
                continue;
            }
            let exclusion = pattern.starts_with('!');
            if exclusion {
                pattern = pattern[1..].trim();
            }
            let mut cleaned = if pattern.is_empty() { String::new() } else { clean(pattern) };
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            if exclusion && cleaned.is_empty() {
                return Err((i + 1, "illegal exclusion pattern: \"!\"".into()));
            }
            if cleaned.is_empty() {
                continue;
            }
            // patternmatcher cleans once more (a no-op on a cleaned pattern, except for `!`).
            let kind = compile(&cleaned).map_err(|()| (i + 1, "syntax error in pattern".to_string()))?;
            patterns.push(Pattern { text: cleaned, exclusion, line: i + 1, kind });
        }
        Ok(Self { patterns })
    }

    /// Does the file have `!` exceptions? (Build checks give up on `CopyIgnoredFile` then.)
    #[must_use]
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// patternmatcher's `MatchesOrParentMatches`: is `path` (relative, `/`-separated) or one of
    /// its parent directories excluded? The last pattern that decides wins.
    #[must_use]
    pub fn excludes(&self, path: &str) -> bool {
        self.deciding_pattern(path).is_some_and(|p| !p.exclusion)
    }

    /// The pattern that decides `path`'s fate, if any does.
    #[must_use]
    pub fn deciding_pattern(&self, path: &str) -> Option<&Pattern> {
        let parent = match path.rfind('/') {
            Some(0) => "/",
            Some(i) => &path[..i],
            None => ".",
        };
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        let mut decided = None;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.matches(path);
            if !hit && parent != "." {
                hit = (1..=parent_dirs.len()).any(|i| pattern.matches(&parent_dirs[..i].join("/")));
            }
            if hit {
                matched = !pattern.exclusion;
                decided = Some(pattern);
            }
        }
        decided
    }

    /// Is every entry of the context root excluded (`*`, `**` or `**/*`)? Used for `.` sources.
    #[must_use]
    pub fn excludes_root(&self) -> bool {
        self.patterns.iter().any(|p| !p.exclusion && matches!(p.text.as_str(), "*" | "**" | "**/*"))
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            MatchKind::Exact => path == self.text,
            MatchKind::Prefix(prefix) => path.starts_with(prefix.as_str()),
            MatchKind::Suffix(suffix) => {
                path.ends_with(suffix.as_str()) || suffix.strip_prefix('/').is_some_and(|s| path == s)
            }
            MatchKind::Regex(re) => re.is_match(path),
        }
    }
}

/// patternmatcher's `compile`: a pattern becomes an exact, prefix, suffix or regexp match.
fn compile(pattern: &str) -> Result<MatchKind, ()> {
    #[derive(PartialEq)]
    enum T {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut kind = T::Exact;
    let mut i = 0;
    let mut index = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == T::Exact {
                        kind = T::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = T::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = T::Regex;
                }
                if index == 0 {
                    kind = T::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = T::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                kind = T::Regex;
            }
            '.' | '$' | '+' | '(' | ')' | '|' | '{' | '}' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => {
                if let Some(&next) = chars.get(i) {
                    i += 1;
                    re.push('\\');
                    re.push(next);
                    kind = T::Regex;
                } else {
                    re.push_str("\\\\");
                }
            }
            '[' | ']' => {
                re.push(ch);
                kind = T::Regex;
            }
            c => re.push(c),
        }
        index += 1;
    }
    // `filepath.Match` must accept the pattern, and the regexp must compile.
    re.push('$');
    let compiled = Regex::new(&re, Flavor::Go, Options::default()).map_err(|_| ())?;
    if pattern.ends_with('\\') || unbalanced_class(pattern) {
        return Err(());
    }
    Ok(match kind {
        T::Exact => MatchKind::Exact,
        T::Prefix => MatchKind::Prefix(pattern[..pattern.len() - 2].to_string()),
        T::Suffix => MatchKind::Suffix(pattern[2..].to_string()),
        T::Regex => MatchKind::Regex(compiled),
    })
}

/// `filepath.Match` refuses a `[` without its `]`.
fn unbalanced_class(pattern: &str) -> bool {
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            _ => {}
        }
    }
    in_class
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Matcher {
        Matcher::parse(text).unwrap()
    }

    #[test]
    fn cleans_like_go() {
        for (input, want) in
            [("", "."), ("./a/b/", "a/b"), ("/../a", "/a"), ("a/../../b", "../b"), ("a//b/./c/..", "a/b"), ("/", "/")]
        {
            assert_eq!(clean(input), want, "{input}");
        }
    }

    #[test]
    fn matches_like_patternmatcher() {
        let ignore = m("# comment\n*.md\n!README.md\nnode_modules\n/build/\n**/*.log\ntmp/**\n");
        assert!(ignore.excludes("CHANGES.md"));
        assert!(!ignore.excludes("README.md"));
        assert!(!ignore.excludes("docs/x.md"), "* does not cross /");
        assert!(ignore.excludes("node_modules/a/b.js"), "a parent directory matches");
        assert!(ignore.excludes("build/out"));
        assert!(ignore.excludes("a/b/c.log") && ignore.excludes("c.log"));
        assert!(ignore.excludes("tmp/x/y"));
        assert!(!ignore.excludes("src/main.rs"));
        assert!(ignore.has_exclusions());
        // The documented example: `*/tmp/*` needs a segment before tmp.
        let docs = m("*/tmp/*");
        assert!(!docs.excludes("tmp/helloworld.txt"));
        assert!(docs.excludes("app/tmp/helloworld.txt"));
        assert!(m("*").excludes_root() && !m("a").excludes_root());
        assert!(Matcher::parse("!").is_err());
        assert!(Matcher::parse("a[b").is_err());
    }
}
