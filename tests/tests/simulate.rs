//! Simulation fixtures (`tests/fixtures/sim/*.Dockerfile`), written from the Docker
//! documentation's COPY, ADD, WORKDIR, USER and config examples: each fixture gives its build
//! context and what the final image must hold, file for file.
//!
//! ```text
//! # file: PATH [MODE] TEXT       a context file (MODE like 0755; TEXT up to the end of the line)
//! # expect: KIND PATH MODE UID:GID   KIND f, d or l; the image has exactly this entry
//! # expect: absent PATH              the image has nothing there
//! # expect: content PATH TEXT        the file holds TEXT (and a newline)
//! # expect: config FIELD VALUE       a config field, as JSON (`workdir "/a/b/c"`)
//! # expect: error LINE MESSAGE       a simulation error (every error must be listed)
//! ```
//!
//! Base images come from the catalog with the shipped file trees (`core/catalog-data`).

use stagecraft_core::catalog::Catalog;
use stagecraft_core::fs::{Content, Entry, Meta, Node, Snapshot};
use stagecraft_core::report::sim::SimulationReport;
use stagecraft_core::sim::{BuildContext, simulate};
use stagecraft_core::text::{ColumnUnit, LineIndex};
use stagecraft_core::{Analysis, CheckOptions};
use stagecraft_tests::{files_under, shipped_catalog, workspace_root};

fn catalog() -> Catalog {
    shipped_catalog(&["alpine", "debian", "busybox", "gcr.io/distroless/static-debian12"])
}

fn context(text: &str) -> BuildContext {
    let mut files = Snapshot::new();
    for line in text.lines().filter_map(|l| l.strip_prefix("# file: ")) {
        let (path, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (mode, body) = match rest.split_once(' ') {
            Some((m, b)) if m.len() == 4 && m.bytes().all(|c| (b'0'..=b'7').contains(&c)) => {
                (u32::from_str_radix(m, 8).expect("mode"), b)
            }
            _ => (0o644, rest),
        };
        let parent = path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        files.mkdir_all(parent, Meta::DIR).expect("context dir");
        files
            .insert(path, Entry::file(Content::bytes(format!("{body}\n").into_bytes()), Meta::new(mode, 0, 0)))
            .expect("context file");
    }
    BuildContext { files, dockerignore: None, unknown: false }
}

fn run(path: &std::path::Path, catalog: &Catalog) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let analysis = Analysis::new(&text);
    let checked = analysis.check(&text, &CheckOptions::default());
    let sim = simulate(&text, &analysis, &checked, &context(&text), catalog);
    let index = LineIndex::new(&text);
    let mut problems = Vec::new();
    let Some(image) = checked.plan.target.and_then(|t| sim.stage(t)) else {
        return vec!["the target was not simulated".into()];
    };
    let report = SimulationReport::new(&checked, &sim, &text, None, ColumnUnit::Char);
    let config = serde_json::to_value(&report.image.as_ref().expect("image").config).expect("config");
    let mut expected_errors = Vec::new();
    for e in text.lines().filter_map(|l| l.strip_prefix("# expect: ")) {
        let mut words = e.splitn(3, ' ');
        let (kind, path, rest) =
            (words.next().unwrap_or_default(), words.next().unwrap_or_default(), words.next().unwrap_or_default());
        match kind {
            "absent" => {
                if image.snapshot.lstat(path).is_some() {
                    problems.push(format!("{path} should be absent"));
                }
            }
            "content" => match image.snapshot.stat(path).map(|e| e.node) {
                Some(Node::File { content, .. }) => {
                    let want = format!("{rest}\n");
                    if content.as_bytes() != Some(want.as_bytes()) {
                        problems.push(format!(
                            "{path}: content {:?}, want {want:?}",
                            content.as_bytes().map(String::from_utf8_lossy)
                        ));
                    }
                }
                other => problems.push(format!("{path}: not a file ({other:?})")),
            },
            "config" => {
                let want: serde_json::Value = serde_json::from_str(rest).expect("config value as JSON");
                if config[path] != want {
                    problems.push(format!("config {path}: {}, want {want}", config[path]));
                }
            }
            "error" => expected_errors.push((path.parse::<usize>().expect("line"), rest.to_string())),
            "f" | "d" | "l" => {
                let (mode, owner) = rest.split_once(' ').unwrap_or((rest, ""));
                match image.snapshot.lstat(path) {
                    None => problems.push(format!("{path} missing")),
                    Some(entry) => {
                        let got_kind = match entry.node {
                            Node::File { .. } => "f",
                            Node::Dir(_) => "d",
                            Node::Symlink(_) => "l",
                        };
                        let got = format!("{got_kind} {:04o} {}:{}", entry.meta.mode, entry.meta.uid, entry.meta.gid);
                        let want = format!("{kind} {mode} {owner}");
                        if got != want {
                            problems.push(format!("{path}: {got}, want {want}"));
                        }
                    }
                }
            }
            other => problems.push(format!("unknown expectation {other}")),
        }
    }
    let mut errors: Vec<(usize, String)> = sim
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (index.line_of(d.span.start) + 1, d.message.clone()))
        .collect();
    errors.sort();
    expected_errors.sort();
    if errors != expected_errors {
        problems.push(format!("errors {errors:?}, want {expected_errors:?}"));
    }
    problems
}

#[test]
fn documented_copy_add_workdir_user_and_config() {
    let catalog = catalog();
    let dir = workspace_root().join("tests/fixtures/sim");
    let files = files_under(&dir, |p| p.extension().is_some_and(|e| e == "Dockerfile"));
    assert!(files.len() >= 6, "simulation fixtures missing in {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        for p in run(file, &catalog) {
            failures.push(format!("{}: {p}", file.file_name().expect("name").to_string_lossy()));
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}
