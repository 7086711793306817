//! The shell parser's fixtures: each `tests/sh/NAME.sh` is parsed and its tree dump and
//! diagnostics compared with `tests/sh/NAME.expected`. `UPDATE_EXPECT=1` rewrites the
//! expectations (review the diff). A first line `# dialect: bash` selects bash.
// Tests read their fixtures; the core's own code stays free of I/O.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::fmt::Write as _;
use std::path::Path;

use stagecraft_core::sh::{Dialect, dump, parse};

fn render(text: &str) -> String {
    let dialect = if text.starts_with("# dialect: bash") { Dialect::Bash } else { Dialect::Posix };
    let parsed = parse(text, dialect);
    let mut out = dump(&parsed.script);
    if !parsed.diagnostics.is_empty() {
        out.push_str("--- diagnostics\n");
        for d in &parsed.diagnostics {
            let _ = writeln!(
                out,
                "{} {} {}..{} {:?}: {}",
                d.severity.as_str(),
                d.code.name(),
                d.span.start,
                d.span.end,
                d.span.slice(text),
                d.message
            );
        }
    }
    out
}

#[test]
fn fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sh");
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/sh")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "only {} fixtures in {}", names.len(), dir.display());
    let mut failures = Vec::new();
    for path in &names {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let actual = render(&text);
        let expected_path = path.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &actual).expect("write expectation");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "--- {}\n=== expected\n{expected}=== actual\n{actual}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ (UPDATE_EXPECT=1 rewrites them):\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
