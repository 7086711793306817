//! Every RUN script of the real-world corpus (`../shared/corpus/realworld`, or
//! `$STAGECRAFT_SHARED_DIR/corpus/realworld`) parses with the shell parser and no error node,
//! except those of Windows stages (PowerShell or cmd). The scripts are taken as the Dockerfile
//! parser gives them: the shell form after the Dockerfile's own continuation handling, the
//! heredoc body for `RUN <<EOF` (or `<<EOF bash`), the line plus its heredocs for `RUN cat
//! <<EOF > f`, and the `-c` argument of an exec form that runs a shell. `SH_CORPUS_DUMP=text`
//! prints the tree of every script that contains `text`.
// Tests read the corpus; the core's own code stays free of I/O.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::{Path, PathBuf};

use stagecraft_core::Analysis;
use stagecraft_core::instructions::Kind;
use stagecraft_core::sh::{CommandKind, Dialect, Script, parse};

fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STAGECRAFT_SHARED_DIR") {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    [root.join("../shared"), PathBuf::from("/work/shared")].into_iter().find(|d| d.is_dir())
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn is_shell(s: &str) -> bool {
    matches!(basename(s), "sh" | "bash" | "dash" | "ash")
}

/// Error nodes anywhere in the tree (the diagnostics say the same; this checks the tree).
fn has_error_node(script: &Script) -> bool {
    script.items.iter().any(|item| {
        std::iter::once(&item.and_or.first)
            .chain(item.and_or.rest.iter().map(|(_, p)| p))
            .flat_map(|p| &p.commands)
            .any(|c| matches!(c.kind, CommandKind::Error))
    })
}

struct RunScript {
    file: String,
    line_offset: u32,
    text: String,
    dialect: Dialect,
}

fn run_scripts(file: &str, text: &str, windows_skipped: &mut usize) -> Vec<RunScript> {
    let analysis = Analysis::new(text);
    let heredoc_marker = regex_lite::Regex::new(r#"<<-?\s*(['"]?)[A-Za-z0-9_.-]+(['"]?)"#).expect("regex");
    let windows_file = analysis.tree.escape == '`' || file.to_lowercase().contains("windows");
    let mut windows = windows_file;
    let mut shell: Vec<String> = vec!["/bin/sh".into(), "-c".into()];
    let mut out = Vec::new();
    for ins in &analysis.instructions.items {
        match &ins.kind {
            Kind::From(from) => {
                shell = vec!["/bin/sh".into(), "-c".into()];
                let image = from.image.value.to_lowercase();
                windows = windows_file
                    || ["windows", "nanoserver", "servercore", "dotnet/framework"].iter().any(|w| image.contains(w));
            }
            Kind::Shell(args) => shell = args.iter().map(|t| t.value.to_string()).collect(),
            Kind::Run(run) => {
                let stage_shell = shell.join(" ").to_lowercase();
                if windows || stage_shell.contains("powershell") || stage_shell.contains("cmd") {
                    *windows_skipped += 1;
                    continue;
                }
                let bash = stage_shell.contains("bash");
                let args: Vec<&str> = run.command.args.iter().map(|t| &*t.value).collect();
                let (script, dialect) = if run.command.shell_form {
                    let line = args.first().copied().unwrap_or_default();
                    let dialect = if bash { Dialect::Bash } else { Dialect::Posix };
                    if run.files.is_empty() {
                        (line.to_string(), dialect)
                    } else {
                        let rest = heredoc_marker.replace_all(line, "").trim().to_string();
                        let words: Vec<&str> = rest.split_whitespace().collect();
                        if words.is_empty() || (is_shell(words[0]) && words[1..].iter().all(|w| w.starts_with('-'))) {
                            let d = if words.first().is_some_and(|w| basename(w) == "bash") {
                                Dialect::Bash
                            } else {
                                dialect
                            };
                            (run.files[0].content.clone(), d)
                        } else if words.first().is_some_and(|w| basename(w).starts_with("python")) {
                            continue; // an interpreter reading the heredoc, not a shell script
                        } else {
                            let mut full = format!("{line}\n");
                            for f in &run.files {
                                full.push_str(&f.content);
                                full.push_str(&f.name);
                                full.push('\n');
                            }
                            (full, dialect)
                        }
                    }
                } else {
                    match args.iter().position(|a| *a == "-c") {
                        Some(i) if is_shell(args[0]) && i + 1 < args.len() => (
                            args[i + 1].to_string(),
                            if basename(args[0]) == "bash" { Dialect::Bash } else { Dialect::Posix },
                        ),
                        _ => continue, // exec form without a shell
                    }
                };
                out.push(RunScript { file: file.to_string(), line_offset: ins.span.start, text: script, dialect });
            }
            _ => {}
        }
    }
    out
}

#[test]
fn corpus_run_scripts_parse_clean() {
    let Some(shared) = shared_dir() else {
        assert!(std::env::var_os("CI").is_none(), "the shared corpus is required in CI (CI is set)");
        eprintln!(
            "\n=====================================================\nSKIPPED: ../shared/corpus/realworld is absent\n=====================================================\n"
        );
        return;
    };
    let dir = shared.join("corpus/realworld");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && !p.extension().is_some_and(|e| e == "md" || e == "tsv"))
        .collect();
    files.sort();
    assert!(files.len() > 150, "corpus too small: {}", files.len());
    let mut windows = 0;
    let mut total = 0;
    let mut bash = 0;
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(path).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for run in run_scripts(&name, &text, &mut windows) {
            total += 1;
            bash += usize::from(run.dialect == Dialect::Bash);
            let parsed = parse(&run.text, run.dialect);
            if let Some(pattern) = std::env::var_os("SH_CORPUS_DUMP")
                && run.text.contains(&*pattern.to_string_lossy())
            {
                eprintln!(
                    "=== {} @{}\n{}\n---\n{}",
                    run.file,
                    run.line_offset,
                    run.text,
                    stagecraft_core::sh::dump(&parsed.script)
                );
            }
            let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
            if !errors.is_empty() || has_error_node(&parsed.script) {
                let detail: Vec<String> = errors
                    .iter()
                    .map(|d| format!("{} at {}..{} {:?}", d.message, d.span.start, d.span.end, d.span.slice(&run.text)))
                    .collect();
                failures.push(format!(
                    "{} (RUN at byte {}, {:?}): {}",
                    run.file,
                    run.line_offset,
                    run.dialect,
                    detail.join("; ")
                ));
            }
        }
    }
    eprintln!(
        "shell corpus: {total} RUN scripts ({bash} as bash), {} parse clean, {windows} Windows RUNs skipped",
        total - failures.len()
    );
    assert!(total > 500, "too few RUN scripts: {total}");
    assert!(failures.is_empty(), "{} RUN scripts do not parse:\n{}", failures.len(), failures.join("\n"));
}
