//! Snapshot fixtures for diagnostics: every diagnostic any layer can give (syntax,
//! instructions, plan, dispatch, build checks), with its code, message, help, related places
//! and the exact text its span covers. Fixtures are the files in `tests/fixtures/diagnostics/`,
//! checked as a lint run (every stage) unless a `# options:` line says otherwise (`--simulate`
//! also simulates the build, over a context of `# file: PATH TEXT` lines; `--classic` adds
//! what the classic builder cannot build);
//! `cargo insta review` updates the snapshots beside this file.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use stagecraft_core::catalog::Catalog;
use stagecraft_core::fs::{Content, Entry, Meta, Snapshot};
use stagecraft_core::sim::{BuildContext, simulate};
use stagecraft_core::text::{ColumnUnit, LineIndex};
use stagecraft_core::{Analysis, CheckOptions, Code, syntax};
use stagecraft_tests::check_options;

/// The diagnostics of one file, one per block: position, severity, code, message, help, and
/// the source the span covers (long spans are cut in the middle).
fn render(bytes: &[u8]) -> (String, BTreeSet<Code>) {
    let decoded = syntax::decode(bytes);
    let text = decoded.text.as_ref();
    let options_line = text.lines().find_map(|l| l.strip_prefix("# options:"));
    // `--simulate` also runs the simulation, over a context of `# file: PATH TEXT` lines.
    let simulating = options_line.is_some_and(|l| l.split_whitespace().any(|w| w == "--simulate"));
    let classic = options_line.is_some_and(|l| l.split_whitespace().any(|w| w == "--classic"));
    let options = options_line.map_or_else(
        || CheckOptions { all_stages: true, ..CheckOptions::default() },
        |l| check_options(&l.replace("--simulate", "").replace("--classic", "")),
    );
    let analysis = Analysis::new(text);
    let mut checked = analysis.check(text, &options);
    if classic {
        checked.diagnostics.extend(stagecraft_core::builders::classic_builder_gaps(&analysis.tree, &checked));
        checked.diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    }
    let simulated = simulating.then(|| {
        let mut files = Snapshot::new();
        for (path, body) in text.lines().filter_map(|l| l.strip_prefix("# file: ")?.split_once(' ')) {
            let parent = path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
            files.mkdir_all(parent, Meta::DIR).expect("context directory");
            files
                .insert(path, Entry::file(Content::bytes(format!("{body}\n").into_bytes()), Meta::FILE))
                .expect("context file");
        }
        let context = BuildContext { files, dockerignore: None, unknown: false };
        simulate(text, &analysis, &checked, &context, Catalog::shared())
    });
    let index = LineIndex::new(text);
    let mut codes = BTreeSet::new();
    let mut out = String::new();
    let mut all: Vec<&stagecraft_core::Diagnostic> = decoded.diagnostic.iter().chain(&checked.diagnostics).collect();
    if let Some(sim) = &simulated {
        all.extend(&sim.diagnostics);
        all.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    }
    for d in all {
        codes.insert(d.code);
        let a = index.line_col(text, d.span.start, ColumnUnit::Char);
        let b = index.line_col(text, d.span.end, ColumnUnit::Char);
        let covered = d.span.slice(text);
        let shown = if covered.chars().count() > 60 {
            let head: String = covered.chars().take(28).collect();
            let tail: String = covered.chars().rev().take(28).collect::<Vec<_>>().into_iter().rev().collect();
            format!("{head}…{tail}")
        } else {
            covered.to_string()
        };
        let _ = writeln!(
            out,
            "{}:{}-{}:{} {} {}: {}",
            a.line,
            a.column,
            b.line,
            b.column,
            d.severity.as_str(),
            d.code.name(),
            d.message
        );
        let _ = writeln!(out, "  span {:?} = {shown:?}", d.span.pair());
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  help: {help}");
        }
        for label in &d.related {
            let at = index.line_col(text, label.span.start, ColumnUnit::Char);
            let _ =
                writeln!(out, "  related {}:{} {:?}: {}", at.line, at.column, label.span.slice(text), label.message);
        }
    }
    if out.is_empty() {
        out.push_str("no diagnostics\n");
    }
    (out, codes)
}

#[test]
fn diagnostic_fixtures() {
    let mut seen = BTreeSet::new();
    insta::glob!("../fixtures/diagnostics", "*.Dockerfile", |path| {
        let bytes = std::fs::read(path).expect("read fixture");
        let (rendered, codes) = render(&bytes);
        seen.extend(codes);
        insta::assert_snapshot!(rendered);
    });
    let missing: Vec<&str> = Code::ALL.iter().filter(|c| !seen.contains(c)).map(|c| c.name()).collect();
    assert!(missing.is_empty(), "no fixture triggers {missing:?}: add one to tests/fixtures/diagnostics");
}
