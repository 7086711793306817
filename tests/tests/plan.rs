//! Plan fixtures with inline expectations (`tests/fixtures/plan/*.Dockerfile`): which stages a
//! target builds and through which edges, the value every ARG gets and where it comes from,
//! what each line sees, and every diagnostic (a fixture lists all of them: anything else
//! fails the test).
//!
//! Expectation lines are comments at the end of the fixture (where they attach to no
//! instruction):
//!
//! ```text
//! # options: --target T --build-arg K=V --build-context N=V --platform P --all-stages
//! #          --dockerignore PATTERN --catalog-image NAME=OS/ARCH
//! # expect built: a stage-1          (exactly these stages are built)
//! # expect edge: base <- app copy    (base is pulled in by app through COPY --from)
//! # expect base app = stage build    (or `image X`, `scratch`, `context NAME=VALUE`)
//! # expect global NAME = VALUE source           (`-` for no value)
//! # expect arg LINE NAME = VALUE source         (the ARG on LINE)
//! # expect sees LINE NAME = VALUE               (the instruction on LINE expands NAME to VALUE)
//! # expect CODE LINE message                    (a diagnostic)
//! ```

use stagecraft_core::plan::Base;
use stagecraft_core::plan::dispatch::{ArgValueSource, StepSource};
use stagecraft_core::text::LineIndex;
use stagecraft_core::{Analysis, CheckOptions, Checked};
use stagecraft_tests::{check_options, files_under, workspace_root};

fn stage_label(checked: &Checked, index: usize) -> String {
    checked.plan.stages[index].display_name()
}

fn source_name(source: ArgValueSource) -> &'static str {
    match source {
        ArgValueSource::BuildArg => "build-arg",
        ArgValueSource::Default => "default",
        ArgValueSource::Global => "global",
        ArgValueSource::Unset => "unset",
    }
}

/// Runs one fixture; returns the differences.
fn run(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let expectations: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# ")).collect();
    let opts =
        expectations.iter().find_map(|l| l.strip_prefix("options:")).map_or_else(CheckOptions::default, check_options);
    let analysis = Analysis::new(&text);
    let checked = analysis.check(&text, &opts);
    let index = LineIndex::new(&text);
    let line_of = |offset: u32| index.line_of(offset) + 1;
    let mut problems = Vec::new();
    let mut expected_diagnostics: Vec<(String, usize, String)> = Vec::new();
    for e in expectations.iter().filter_map(|l| l.strip_prefix("expect ")) {
        if let Some(list) = e.strip_prefix("built:") {
            let want: Vec<&str> = list.split_whitespace().collect();
            let got: Vec<String> = checked.plan.built().map(stagecraft_core::plan::Stage::display_name).collect();
            if got != want {
                problems.push(format!("built: want {want:?}, got {got:?}"));
            }
        } else if let Some(edge) = e.strip_prefix("edge:") {
            let w: Vec<&str> = edge.split_whitespace().collect();
            let [dep, "<-", by, kind] = w.as_slice() else { panic!("bad edge line {e}") };
            let found = checked.plan.stages.iter().any(|s| {
                s.display_name() == *dep
                    && s.pulled_in_by.iter().any(|p| stage_label(&checked, p.stage) == *by && p.kind.as_str() == *kind)
            });
            if !found {
                problems.push(format!("edge {dep} <- {by} ({kind}) missing"));
            }
        } else if let Some(rest) = e.strip_prefix("base ") {
            let (stage, want) = rest.split_once(" = ").expect("base STAGE = WHAT");
            let got = checked.plan.stages.iter().find(|s| s.display_name() == stage).map(|s| match &s.base {
                Base::Image(i) => format!("image {i}"),
                Base::Scratch => "scratch".into(),
                Base::Stage(p) => format!("stage {}", stage_label(&checked, *p)),
                Base::Context { name, value } => format!("context {name}={value}"),
                Base::Unknown => "unknown".into(),
            });
            if got.as_deref() != Some(want) {
                problems.push(format!("base of {stage}: want {want}, got {got:?}"));
            }
        } else if let Some(rest) = e.strip_prefix("global ") {
            let (name, rest) = rest.split_once(" = ").expect("global NAME = VALUE source");
            let (value, source) = rest.rsplit_once(' ').expect("source");
            let got = checked.plan.args.iter().find(|a| a.name == name);
            let got = got.map(|a| {
                (
                    a.value.clone().unwrap_or_else(|| "-".into()),
                    serde_json::to_value(a.source).expect("serialises").as_str().expect("a string").to_string(),
                )
            });
            if got != Some((value.to_string(), source.to_string())) {
                problems.push(format!("global {name}: want {value} ({source}), got {got:?}"));
            }
        } else if let Some(rest) = e.strip_prefix("arg ") {
            let (line, rest) = rest.split_once(' ').expect("arg LINE ...");
            let line: usize = line.parse().expect("line");
            let (name, rest) = rest.split_once(" = ").expect("NAME = VALUE source");
            let (value, source) = rest.rsplit_once(' ').expect("source");
            let got: Vec<(String, &str)> = checked
                .dispatch
                .stages
                .iter()
                .flat_map(|s| &s.args)
                .filter(|b| b.name == name && line_of(b.span.start) == line)
                .map(|b| (b.value.clone().unwrap_or_else(|| "-".into()), source_name(b.source)))
                .collect();
            if got != [(value.to_string(), source)] {
                problems.push(format!("arg line {line} {name}: want {value} ({source}), got {got:?}"));
            }
        } else if let Some(rest) = e.strip_prefix("sees ") {
            let (line, rest) = rest.split_once(' ').expect("sees LINE ...");
            let line: usize = line.parse().expect("line");
            let (name, value) = rest.split_once(" = ").expect("NAME = VALUE");
            let mut got = Vec::new();
            for run in &checked.dispatch.stages {
                for step in &run.steps {
                    let StepSource::Instruction { index: i } = step.source else { continue };
                    if line_of(analysis.instructions.items[i].span.start) != line {
                        continue;
                    }
                    got.extend(
                        step.uses
                            .iter()
                            .filter(|u| u.name == name)
                            .map(|u| u.value.clone().unwrap_or_else(|| "-".into())),
                    );
                }
            }
            if got != [value.to_string()] {
                problems.push(format!("line {line} sees {name}: want {value:?}, got {got:?}"));
            }
        } else {
            let (code, rest) = e.split_once(' ').expect("CODE LINE message");
            let (line, message) = rest.split_once(' ').expect("LINE message");
            expected_diagnostics.push((code.to_string(), line.parse().expect("line"), message.to_string()));
        }
    }
    let mut got: Vec<(String, usize, String)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code.name().to_string(), line_of(d.span.start), d.message.clone()))
        .collect();
    got.sort();
    expected_diagnostics.sort();
    if got != expected_diagnostics {
        for g in got.iter().filter(|g| !expected_diagnostics.contains(g)) {
            problems.push(format!("unexpected diagnostic {g:?}"));
        }
        for w in expected_diagnostics.iter().filter(|w| !got.contains(w)) {
            problems.push(format!("missing diagnostic {w:?}"));
        }
    }
    problems
}

#[test]
fn plan_fixtures() {
    let dir = workspace_root().join("tests/fixtures/plan");
    let files = files_under(&dir, |p| p.extension().is_some_and(|e| e == "Dockerfile"));
    assert!(files.len() >= 10, "plan fixtures missing in {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        for problem in run(file) {
            failures.push(format!("{}: {problem}", file.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}
