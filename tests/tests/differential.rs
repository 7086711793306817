//! Differential tests against the official parser (BuildKit's Go parser through the PyPI
//! package `dockerfile` 3.4.0): real-world Dockerfiles, BuildKit's conformance inputs, and
//! generated Dockerfile-like text. Same fields on every input; both reject the same inputs.
//!
//! The package embeds BuildKit v0.12.5. Where BuildKit today behaves differently, BuildKit
//! today wins; `stagecraft_tests::oracle::known_difference` lists those cases with the reason,
//! and they are reported, not compared.

use std::path::PathBuf;
use std::sync::{Mutex, Once, OnceLock};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use stagecraft_tests::oracle::{self, Answer, Oracle};
use stagecraft_tests::{files_under, is_input, shared_dir, skip_or_fail, stagecraft_bin, workspace_root};

fn oracle() -> Option<&'static Mutex<Oracle>> {
    static ORACLE: OnceLock<Result<Mutex<Oracle>, String>> = OnceLock::new();
    match ORACLE.get_or_init(|| Oracle::start().map(Mutex::new)) {
        Ok(o) => Some(o),
        Err(why) => {
            skip_or_fail(&format!("differential tests need the official parser: {why}"));
            None
        }
    }
}

/// Builds the CLI once per test run, so that the binary under test is the current one.
fn cli() -> PathBuf {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = std::process::Command::new(cargo);
        cmd.current_dir(workspace_root()).args(["build", "--quiet", "-p", "stagecraft-cli"]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "building stagecraft failed");
    });
    stagecraft_bin()
}

/// Compares `stagecraft parse --format json FILE` with the oracle on each file.
fn compare_files(files: &[PathBuf]) -> (usize, Vec<String>, Vec<String>) {
    let Some(oracle) = oracle() else { return (0, Vec::new(), Vec::new()) };
    let mut oracle = oracle.lock().expect("oracle lock");
    let bin = cli();
    let (mut compared, mut failures, mut differences) = (0, Vec::new(), Vec::new());
    for file in files {
        let bytes = std::fs::read(file).expect("read input");
        let Ok(text) = String::from_utf8(bytes) else {
            differences.push(format!("{}: not UTF-8; the package cannot take it", file.display()));
            continue;
        };
        if let Some(reason) = oracle::known_difference(&text) {
            differences.push(format!("{}: {reason}", file.display()));
            continue;
        }
        let output = std::process::Command::new(&bin)
            .args(["parse", "--format", "json"])
            .arg(file)
            .output()
            .expect("run stagecraft");
        let code = output.status.code();
        assert!(matches!(code, Some(0 | 1)), "{}: stagecraft exited with {code:?}", file.display());
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stagecraft prints JSON");
        let ours = oracle::from_report(&report);
        assert_eq!(ours.is_err(), code == Some(1), "{}: exit status and diagnostics disagree", file.display());
        let answer = oracle.parse(&text).expect("oracle answers");
        if let Err(diff) = oracle::compare_result(ours, &answer) {
            failures.push(format!("{}: {diff}", file.display()));
        }
        compared += 1;
    }
    (compared, failures, differences)
}

fn report(label: &str, compared: usize, failures: &[String], differences: &[String]) {
    eprintln!("{label}: {compared} compared, {} known BuildKit-today differences", differences.len());
    for d in differences {
        eprintln!("  known difference: {d}");
    }
    assert!(failures.is_empty(), "{label}: {} mismatch(es):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn realworld_corpus_matches_the_official_parser() {
    let Some(shared) = shared_dir() else {
        skip_or_fail("../shared/corpus/realworld is absent");
        return;
    };
    let corpus = shared.join("corpus/realworld");
    if !corpus.is_dir() {
        skip_or_fail("../shared/corpus/realworld is absent");
        return;
    }
    let files = files_under(&corpus, is_input);
    assert!(files.len() > 100, "the corpus holds {} files", files.len());
    let (compared, failures, differences) = compare_files(&files);
    report("real-world corpus", compared, &failures, &differences);
}

#[test]
fn conformance_inputs_match_the_official_parser() {
    let root = workspace_root().join("tests/conformance/buildkit/parser");
    let files = files_under(&root, |p| p.file_name().is_some_and(|n| n == "Dockerfile"));
    assert!(files.len() > 20);
    let (compared, failures, differences) = compare_files(&files);
    report("conformance inputs", compared, &failures, &differences);
}

/// Pieces of Dockerfile-like text: keywords in any case, flags, quotes, escapes, JSON-like
/// arrays, heredoc markers, odd whitespace and non-ASCII text.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9_./:-]{1,8}",
        1 => Just("\"a b\"".to_string()),
        1 => Just("'c d'".to_string()),
        1 => Just("\"unterminated".to_string()),
        1 => Just("\\ ".to_string()),
        1 => Just("\\\"".to_string()),
        1 => Just("$VAR".to_string()),
        1 => Just("${X:-y z}".to_string()),
        1 => Just("[\"a\", \"b c\"]".to_string()),
        1 => Just("[ \"x\" ]".to_string()),
        1 => Just("[\"a\",]".to_string()),
        1 => Just("['a']".to_string()),
        1 => Just("[1]".to_string()),
        1 => Just("[\"a\\u00e9\\t\"]".to_string()),
        1 => Just("a=b".to_string()),
        1 => Just("k=\"v w\"".to_string()),
        1 => Just("=".to_string()),
        1 => Just("#".to_string()),
        1 => Just("<<EOF".to_string()),
        1 => Just("<<-EOF".to_string()),
        1 => Just("<<\"EOF\"".to_string()),
        1 => Just("<<'EOF'".to_string()),
        1 => Just("3<<EOF".to_string()),
        1 => Just("é".to_string()),
        1 => Just("한국어".to_string()),
        1 => Just("😀".to_string()),
        1 => Just("\t".to_string()),
        1 => Just("\u{b}".to_string()),
        1 => Just("\u{c}".to_string()),
        1 => Just("\u{a0}".to_string()),
        1 => Just("  ".to_string()),
    ]
}

fn keyword() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "FROM",
        "RUN",
        "CMD",
        "COPY",
        "ADD",
        "ENV",
        "LABEL",
        "ARG",
        "EXPOSE",
        "USER",
        "WORKDIR",
        "VOLUME",
        "SHELL",
        "HEALTHCHECK",
        "ONBUILD",
        "STOPSIGNAL",
        "MAINTAINER",
        "ENTRYPOINT",
        "from",
        "Run",
        "copy",
        "onbuild run",
        "ONBUILD COPY",
        "HEALTHCHECK CMD",
        "HEALTHCHECK NONE",
        "FOO",
    ]);
    known.prop_map(str::to_string)
}

fn flag() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "--from=build",
        "--chown=\"a b\"",
        "--mount=type=cache,target=/x",
        "--link",
        "--",
        "--x=\\\"q",
        "--from=é",
        "--a='b c'",
    ])
    .prop_map(str::to_string)
}

fn instruction_line() -> impl Strategy<Value = String> {
    (
        keyword(),
        prop::collection::vec(flag(), 0..3),
        prop::collection::vec(fragment(), 0..6),
        prop::sample::select(vec![" ", "\t", "  "]),
    )
        .prop_map(|(k, flags, args, sep)| {
            let mut line = k;
            for f in flags {
                line.push(' ');
                line.push_str(&f);
            }
            for a in args {
                line.push_str(sep);
                line.push_str(&a);
            }
            line
        })
}

/// A whole Dockerfile-like text: directives, comments, blank lines, continuations (with
/// comments and empty lines inside), heredoc bodies, CRLF or LF.
fn dockerfile() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        6 => instruction_line(),
        1 => Just("# a comment".to_string()),
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
        1 => (instruction_line(), instruction_line()).prop_map(|(a, b)| format!("{a} \\\n{b}")),
        1 => (instruction_line(), fragment()).prop_map(|(a, b)| format!("{a} \\\n# inside\n\n  {b}")),
        1 => (fragment()).prop_map(|b| format!("RUN <<EOF cat\n{b}\n$HOME \\\nEOF")),
        1 => (fragment()).prop_map(|b| format!("COPY <<-A <<B /dst/\n\t{b}\n\tA\nb\nB")),
        1 => Just("RUN <<EOF\nnever closed".to_string()),
        1 => Just("\\".to_string()),
    ];
    let directives = prop::sample::select(vec![
        "",
        "# escape=`\n",
        "# syntax=docker/dockerfile:1\n",
        "# escape=\\\n# syntax=x\n",
        "#\n",
    ]);
    (directives, prop::collection::vec(line, 0..12), any::<bool>(), any::<bool>()).prop_map(
        |(d, lines, crlf, final_newline)| {
            let mut text = d.to_string() + &lines.join("\n");
            if final_newline {
                text.push('\n');
            }
            if crlf { text.replace('\n', "\r\n") } else { text }
        },
    )
}

#[test]
fn generated_inputs_match_the_official_parser() {
    let Some(oracle) = oracle() else { return };
    let cases = std::env::var("STAGECRAFT_DIFF_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let known: Mutex<std::collections::BTreeMap<&'static str, usize>> = Mutex::default();
    let count = |reason: &'static str| *known.lock().expect("lock").entry(reason).or_default() += 1;
    let result = runner.run(&dockerfile(), |text| {
        if let Some(reason) = oracle::known_difference(&text) {
            count(reason);
            return Ok(());
        }
        let answer = oracle.lock().expect("oracle lock").parse(&text).map_err(TestCaseError::fail)?;
        if let Answer::Error { kind, .. } = &answer
            && kind == "UnicodeDecodeError"
        {
            count("the package cannot return text where BuildKit cut a UTF-8 character in two");
            return Ok(());
        }
        oracle::compare(&text, &answer).map_err(|e| TestCaseError::fail(format!("{text:?}\n{e}")))
    });
    let known = known.into_inner().expect("lock");
    eprintln!("generated inputs: {cases} cases, {} skipped as known differences", known.values().sum::<usize>());
    for (reason, n) in &known {
        eprintln!("  {n:6}  {reason}");
    }
    if let Err(e) = result {
        panic!("{e}");
    }
}
