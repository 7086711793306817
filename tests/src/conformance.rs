//! BuildKit's conformance data (parser test files, negative cases, the line-number case and
//! the shell-expansion vectors), run against the core in the formats BuildKit's own tests use.
//! `tests/conformance/buildkit/README.md` describes the data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use stagecraft_core::shell::{Env, Lexer};
use stagecraft_core::syntax::{self, SyntaxTree};

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub suite: &'static str,
    pub name: String,
    /// `None` when it passed; otherwise what went wrong.
    pub failure: Option<String>,
}

/// The folder to run: `STAGECRAFT_CONFORMANCE_DIR` if set, else the vendored copy.
#[must_use]
pub fn root() -> (PathBuf, bool) {
    match std::env::var_os("STAGECRAFT_CONFORMANCE_DIR") {
        Some(dir) => (PathBuf::from(dir), false),
        None => (crate::workspace_root().join("tests/conformance/buildkit"), true),
    }
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

fn name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn parse_file(path: &Path) -> Result<(String, SyntaxTree), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let decoded = syntax::decode(&bytes);
    let text = decoded.text.into_owned();
    let tree = syntax::parse(&text);
    Ok((text, tree))
}

fn errors(tree: &SyntaxTree) -> Vec<String> {
    tree.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.code.name(), d.message)).collect()
}

/// `parser/testfiles/*/`: the dump must equal `result` exactly, and parsing must succeed.
#[must_use]
pub fn parser_cases(root: &Path) -> Vec<CaseResult> {
    subdirs(&root.join("parser/testfiles"))
        .into_iter()
        .filter(|dir| dir.join("Dockerfile").is_file() && dir.join("result").is_file())
        .map(|dir| {
            let name = name_of(&dir);
            let failure = (|| -> Result<(), String> {
                let (_, tree) = parse_file(&dir.join("Dockerfile"))?;
                let expected = std::fs::read_to_string(dir.join("result")).map_err(|e| e.to_string())?;
                let errors = errors(&tree);
                if !errors.is_empty() {
                    return Err(format!("parse failed: {}", errors.join("; ")));
                }
                let actual = syntax::dump(&tree);
                if actual != expected {
                    return Err(format!("dump differs\n--- expected\n{expected}--- actual\n{actual}"));
                }
                Ok(())
            })()
            .err();
            CaseResult { suite: "parser", name, failure }
        })
        .collect()
}

/// `parser/testfiles-negative/*/`: the parser must reject each one.
#[must_use]
pub fn negative_cases(root: &Path) -> Vec<CaseResult> {
    subdirs(&root.join("parser/testfiles-negative"))
        .into_iter()
        .filter(|dir| dir.join("Dockerfile").is_file())
        .map(|dir| {
            let name = name_of(&dir);
            let failure = match parse_file(&dir.join("Dockerfile")) {
                Err(e) => Some(e),
                Ok((_, tree)) if errors(&tree).is_empty() => Some("accepted, but BuildKit rejects it".into()),
                Ok(_) => None,
            };
            CaseResult { suite: "negative", name, failure }
        })
        .collect()
}

/// `parser/testfile-line/Dockerfile`: BuildKit's `TestParseIncludesLineNumbers`.
#[must_use]
pub fn line_case(root: &Path) -> Vec<CaseResult> {
    let path = root.join("parser/testfile-line/Dockerfile");
    if !path.is_file() {
        return Vec::new();
    }
    let failure = (|| -> Result<(), String> {
        let (_, tree) = parse_file(&path)?;
        let lines: Vec<(u32, u32)> = tree.nodes.iter().map(|n| (n.start_line, n.end_line)).collect();
        let expected = vec![(5, 5), (11, 12), (17, 31)];
        if lines != expected {
            return Err(format!("children span {lines:?}, expected {expected:?}"));
        }
        Ok(())
    })()
    .err();
    vec![CaseResult { suite: "line-numbers", name: "testfile-line".into(), failure }]
}

/// `shell/envVarTest`: single-word expansion. Unix runs `A` and `U` vectors; the Windows
/// mode (case-insensitive names) runs `A` and `W` ones.
#[must_use]
pub fn env_var_vectors(root: &Path) -> Vec<CaseResult> {
    let Ok(text) = std::fs::read_to_string(root.join("shell/envVarTest")) else { return Vec::new() };
    let mut results = Vec::new();
    for (windows, tags) in [(false, ["A", "U"]), (true, ["A", "W"])] {
        let mut env = if windows { Env::case_insensitive() } else { Env::new() };
        for entry in ["PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="] {
            env.push_entry(entry);
        }
        for (lineno, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = format!("{}:{} {}", if windows { "windows" } else { "unix" }, lineno + 1, line.trim());
            if fields.len() != 3 {
                results.push(CaseResult { suite: "envVarTest", name, failure: Some("malformed vector line".into()) });
                continue;
            }
            if !["A", "U", "W"].contains(&fields[0]) {
                results.push(CaseResult {
                    suite: "envVarTest",
                    name,
                    failure: Some(format!("unknown platform tag {}", fields[0])),
                });
                continue;
            }
            if !tags.contains(&fields[0]) {
                continue;
            }
            let got = Lexer::new('\\').process_word(fields[1], &env);
            let failure = match (fields[2], got) {
                ("error", Ok(v)) => Some(format!("expected an error, got {v:?}")),
                ("error", Err(_)) => None,
                (want, Ok(v)) if v == want => None,
                (want, Ok(v)) => Some(format!("expected {want:?}, got {v:?}")),
                (want, Err(e)) => Some(format!("expected {want:?}, got error {e}")),
            };
            results.push(CaseResult { suite: "envVarTest", name, failure });
        }
    }
    results
}

/// `shell/wordsTest`: expansion then word splitting, with `ENV` lines building the environment.
#[must_use]
pub fn words_vectors(root: &Path) -> Vec<CaseResult> {
    let Ok(text) = std::fs::read_to_string(root.join("shell/wordsTest")) else { return Vec::new() };
    let mut env = Env::new();
    let mut results = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(entry) = line.strip_prefix("ENV ") {
            env.push_entry(entry.trim_start());
            continue;
        }
        let name = format!("{}: {}", lineno + 1, line.trim());
        let Some((input, expected)) = line.split_once('|') else {
            results.push(CaseResult { suite: "wordsTest", name, failure: Some("malformed vector line".into()) });
            continue;
        };
        let expected: Vec<&str> = expected.trim_start().split(',').collect();
        let got = match Lexer::new('\\').process_words(input.trim(), &env) {
            Ok(words) => words,
            Err(_) => vec!["error".to_string()],
        };
        let failure = (got != expected).then(|| format!("expected {expected:?}, got {got:?}"));
        results.push(CaseResult { suite: "wordsTest", name, failure });
    }
    results
}

/// Every case found under `root`.
#[must_use]
pub fn run_all(root: &Path) -> Vec<CaseResult> {
    let mut all = parser_cases(root);
    all.extend(negative_cases(root));
    all.extend(line_case(root));
    all.extend(env_var_vectors(root));
    all.extend(words_vectors(root));
    all
}

/// The scoreboard: `Passed N/M`, one line per suite, then the failing cases.
#[must_use]
pub fn scoreboard(results: &[CaseResult]) -> String {
    let passed = results.iter().filter(|r| r.failure.is_none()).count();
    let mut out = String::from("# BuildKit conformance scoreboard\n\n");
    let _ = writeln!(out, "Passed {passed}/{}\n", results.len());
    let mut suites: Vec<&str> = results.iter().map(|r| r.suite).collect();
    suites.dedup();
    for suite in suites {
        let of = results.iter().filter(|r| r.suite == suite);
        let total = of.clone().count();
        let ok = of.filter(|r| r.failure.is_none()).count();
        let _ = writeln!(out, "- {suite}: {ok}/{total}");
    }
    let failing: Vec<&CaseResult> = results.iter().filter(|r| r.failure.is_some()).collect();
    out.push_str("\n## Failing cases\n\n");
    if failing.is_empty() {
        out.push_str("None.\n");
    }
    for r in failing {
        let _ = writeln!(
            out,
            "- {} / {}: {}",
            r.suite,
            r.name,
            r.failure.as_deref().unwrap_or_default().lines().next().unwrap_or_default()
        );
    }
    out
}
