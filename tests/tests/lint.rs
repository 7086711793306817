//! BuildKit's documented build-check examples (`tests/conformance/buildkit-lint`, vendored
//! with its license): every `bad` example fires its rule with BuildKit's message at BuildKit's
//! line, every `good` example stays silent, and the diagnostic code is the rule's name.

use std::collections::BTreeMap;
use std::path::Path;

use stagecraft_core::lint::rules;
use stagecraft_core::plan::BuildOptions;
use stagecraft_core::text::LineIndex;
use stagecraft_core::{Analysis, CheckOptions, Code};
use stagecraft_tests::workspace_root;

/// One row of an `expect.tsv`.
#[derive(Debug)]
struct Row {
    file: String,
    rule: String,
    warn: bool,
    line: usize,
    message: String,
}

/// Splits a TSV line whose fields may be quoted (`"..."`, with `""` for a quote).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        break;
                    }
                } else {
                    field.push(c);
                }
            }
            // Skip to the tab.
            for c in chars.by_ref() {
                if c == '\t' {
                    out.push(field);
                    field = String::new();
                    break;
                }
            }
            if chars.peek().is_none() {
                if !field.is_empty() || out.len() < 6 {
                    out.push(field);
                }
                return out;
            }
            continue;
        }
        for c in chars.by_ref() {
            if c == '\t' {
                break;
            }
            field.push(c);
        }
        out.push(field);
        if chars.peek().is_none() {
            return out;
        }
    }
}

fn rows(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("expect.tsv")).expect("expect.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f = fields(l);
            Row {
                file: f[0].clone(),
                rule: f[1].clone(),
                warn: f[2] == "warn",
                line: f.get(3).and_then(|s| s.parse().ok()).unwrap_or(0),
                message: f.get(4).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// The warnings of `rule` in one example: (line, message), sorted.
fn found(path: &Path, rule: Code) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("example");
    let ignore = path.with_file_name(format!("{}.dockerignore", path.file_name().expect("a file").to_string_lossy()));
    let options = CheckOptions {
        dockerignore: std::fs::read_to_string(ignore).ok(),
        ..CheckOptions::lint(BuildOptions::default())
    };
    let checked = Analysis::new(&text).check(&text, &options);
    let index = LineIndex::new(&text);
    let mut out: Vec<(usize, String)> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == rule)
        .map(|d| (index.line_of(d.span.start) + 1, d.message.clone()))
        .collect();
    out.sort();
    out
}

#[test]
fn documented_examples_of_every_rule() {
    let root = workspace_root().join("tests/conformance/buildkit-lint");
    let mut failures = Vec::new();
    let mut checked_rules = BTreeMap::new();
    let mut warnings = 0;
    for rule in rules::RULES {
        let dir = root.join(rule.name());
        if !dir.is_dir() {
            assert_eq!(rule.code, Code::InvalidBaseImagePlatform, "no examples for {}", rule.name());
            continue;
        }
        let mut by_file: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
        let all = rows(&dir);
        for row in &all {
            assert_eq!(row.rule, rule.name());
            by_file.entry(row.file.clone()).or_default().push(row);
        }
        for (file, rows) in by_file {
            let got = found(&dir.join(&file), rule.code);
            let mut want: Vec<(usize, String)> =
                rows.iter().filter(|r| r.warn).map(|r| (r.line, r.message.clone())).collect();
            want.sort();
            warnings += got.len();
            if got != want {
                failures.push(format!("{}/{file}: want {want:?}, got {got:?}", rule.name()));
            }
            *checked_rules.entry(rule.name()).or_insert(0) += 1;
        }
    }
    assert!(failures.is_empty(), "{} example(s) differ:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked_rules.len(), 21, "every rule with examples was run");
    assert!(warnings >= 25, "the bad examples fired {warnings} warnings");
}

#[test]
fn tsv_fields_are_unquoted() {
    let f = fields("a.Dockerfile\tR\twarn\t4\t\"Say \"\"hi\"\"\"\t\"note, with \"\"quotes\"\"\"");
    assert_eq!(f, ["a.Dockerfile", "R", "warn", "4", "Say \"hi\"", "note, with \"quotes\""]);
    let none = fields("g.Dockerfile\tR\tnone\t\t\tnote");
    assert_eq!(none[2], "none");
    assert_eq!(none[3], "");
}
