//! The real-world corpus (`../shared/corpus/realworld`, read in place: its files keep their own
//! licenses) through the planner: for the default target and for every named stage as
//! `--target`, the graph is built without a panic, its built set agrees with a reachability
//! computed here independently, every built stage says why, and the JSON serialises. For a
//! sample of files, the built sets were written by hand from reading the files
//! (`tests/fixtures/corpus-expected-built.tsv`).

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_core::instructions::Kind;
use stagecraft_core::plan::{Base, BuildOptions, Plan};
use stagecraft_core::report::plan::GraphReport;
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, CheckOptions, syntax};
use stagecraft_tests::{files_under, shared_dir, skip_or_fail, workspace_root};

/// Stage index for a `--from` value, resolved the way the BuildKit docs describe it: a number
/// is an index, else a stage name in any case.
fn by_name_or_index(plan: &Plan, value: &str, index_allowed: bool) -> Option<usize> {
    if index_allowed && let Ok(i) = value.parse::<usize>() {
        return (i < plan.stages.len()).then_some(i);
    }
    let lower = value.to_lowercase();
    plan.stages.iter().rposition(|s| s.name.as_deref() == Some(lower.as_str()))
}

/// The stages a target reaches, computed from the typed instructions without the planner's
/// edge list.
fn reachable(analysis: &Analysis, plan: &Plan, target: usize) -> BTreeSet<usize> {
    let items = &analysis.instructions.items;
    let sources = |stage: usize| -> Vec<usize> {
        let s = &plan.stages[stage];
        let mut out = Vec::new();
        if let Base::Stage(p) = s.base {
            out.push(p);
        }
        let mut kinds: Vec<Kind> = s.instructions.iter().map(|&i| items[i].kind.clone()).collect();
        if let Base::Stage(p) = s.base {
            for &i in &plan.stages[p].instructions {
                if let Kind::Onbuild(o) = &items[i].kind {
                    kinds.extend(Analysis::new(&o.expression).instructions.items.into_iter().map(|it| it.kind));
                }
            }
        }
        for kind in &kinds {
            match kind {
                Kind::Copy(c) => out.extend(c.from.as_ref().and_then(|f| by_name_or_index(plan, &f.value, true))),
                Kind::Run(r) => out.extend(
                    r.mounts.iter().filter_map(|m| m.from.as_deref().and_then(|f| by_name_or_index(plan, f, false))),
                ),
                _ => {}
            }
        }
        out
    };
    let mut seen = BTreeSet::from([target]);
    let mut queue = vec![target];
    while let Some(s) = queue.pop() {
        for d in sources(s) {
            if seen.insert(d) {
                queue.push(d);
            }
        }
    }
    seen
}

fn expected_rows() -> BTreeMap<(String, String), String> {
    let path = workspace_root().join("tests/fixtures/corpus-expected-built.tsv");
    let text = std::fs::read_to_string(&path).expect("expected built sets");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            ((f[0].to_string(), f[1].to_string()), f.get(2).copied().unwrap_or_default().to_string())
        })
        .collect()
}

#[test]
fn corpus_graphs_for_every_target() {
    let Some(shared) = shared_dir() else {
        skip_or_fail("../shared/corpus/realworld is absent");
        return;
    };
    let dir = shared.join("corpus/realworld");
    let files = files_under(&dir, |p| !p.extension().is_some_and(|e| e == "md" || e == "tsv"));
    assert!(files.len() > 150, "corpus too small: {}", files.len());
    let expected = expected_rows();
    let mut matched = 0;
    let mut problems = Vec::new();
    let mut runs = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(file).expect("read");
        let decoded = syntax::decode(&bytes);
        let text = decoded.text.as_ref();
        let analysis = Analysis::new(text);
        let names: Vec<String> =
            analysis.plan(text, &BuildOptions::default()).stages.iter().filter_map(|s| s.name.clone()).collect();
        let targets: Vec<Option<String>> = std::iter::once(None).chain(names.into_iter().map(Some)).collect();
        for target in targets {
            runs += 1;
            let options = CheckOptions {
                build: BuildOptions { target: target.clone(), ..BuildOptions::default() },
                ..CheckOptions::default()
            };
            let checked = analysis.check(text, &options);
            let plan = &checked.plan;
            let label = format!("{name} --target {}", target.as_deref().unwrap_or("(default)"));
            let Some(t) = plan.target else {
                problems.push(format!("{label}: no target"));
                continue;
            };
            let built: BTreeSet<usize> = plan.built().map(|s| s.index).collect();
            let independent = reachable(&analysis, plan, t);
            if built != independent {
                problems.push(format!("{label}: built {built:?}, independent reachability {independent:?}"));
            }
            for s in plan.built() {
                for e in &s.deps {
                    if !plan.stages[e.stage].built {
                        problems.push(format!("{label}: {} is built but its dependency {} is not", s.index, e.stage));
                    }
                }
                if s.index != t && s.pulled_in_by.is_empty() {
                    problems.push(format!("{label}: stage {} is built with no reason", s.index));
                }
            }
            if plan.stages.iter().any(|s| !s.built && !s.pulled_in_by.is_empty()) {
                problems.push(format!("{label}: a skipped stage says it is pulled in"));
            }
            let report = GraphReport::new(&analysis, &checked, text, &[], ColumnUnit::Char);
            let json = serde_json::to_value(&report).expect("graph JSON");
            assert_eq!(json["schema"], 1);
            let key = (name.clone(), target.clone().unwrap_or_else(|| "(default)".into()));
            if let Some(want) = expected.get(&key) {
                matched += 1;
                let got: Vec<String> = plan.built().map(stagecraft_core::plan::Stage::display_name).collect();
                if got.join(",") != *want {
                    problems.push(format!("{label}: built {}, expected (read by hand) {want}", got.join(",")));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    assert_eq!(matched, expected.len(), "every hand-written row names a file and target of the corpus");
    assert!(runs > 400, "only {runs} graphs");
}
