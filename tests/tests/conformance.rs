//! BuildKit's conformance cases against the core; see `tests/conformance/buildkit/README.md`.
//!
//! With `STAGECRAFT_CONFORMANCE_DIR=DIR` the cases under DIR run instead of the vendored ones
//! (any of `parser/testfiles/*/`, `parser/testfiles-negative/*/`, `parser/testfile-line/`,
//! `shell/envVarTest`, `shell/wordsTest`); other files are ignored.
//! `UPDATE_SCOREBOARD=1` rewrites the checked-in scoreboard for the vendored data.

use stagecraft_tests::conformance;

#[test]
fn buildkit_conformance() {
    let (root, vendored) = conformance::root();
    assert!(root.is_dir(), "conformance folder {} does not exist", root.display());
    let results = conformance::run_all(&root);
    assert!(!results.is_empty(), "no conformance case found under {}", root.display());
    let board = conformance::scoreboard(&results);
    println!("{board}");
    if vendored {
        let path = stagecraft_tests::workspace_root().join("tests/conformance/SCOREBOARD.md");
        if std::env::var_os("UPDATE_SCOREBOARD").is_some() {
            std::fs::write(&path, &board).expect("write scoreboard");
        } else {
            let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(checked_in, board, "the scoreboard changed: run with UPDATE_SCOREBOARD=1 and commit it");
        }
    }
    let failures: Vec<String> =
        results.iter().filter_map(|r| r.failure.as_ref().map(|f| format!("{} / {}:\n{f}", r.suite, r.name))).collect();
    assert!(failures.is_empty(), "{} conformance case(s) failed:\n\n{}", failures.len(), failures.join("\n\n"));
}
