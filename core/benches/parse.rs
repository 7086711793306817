//! Throughput of the core on the real-world corpus, in bytes per second: parse, parse plus
//! typed lowering, and the whole check (plan, dispatch of every stage, build checks).
//!
//! The corpus is read from `$STAGECRAFT_CORPUS_DIR`, else `../shared/corpus/realworld`
//! beside the workspace. `cargo xtask bench-parser` compares whole processes with the
//! official parser on the same bytes.

// A benchmark reads its inputs from disk; the core library itself never does.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stagecraft_core::plan::BuildOptions;
use stagecraft_core::{Analysis, CheckOptions, instructions, syntax};

fn corpus() -> Vec<String> {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/realworld");
    let dir = std::env::var_os("STAGECRAFT_CORPUS_DIR").map_or_else(
        || if beside.is_dir() { beside } else { PathBuf::from("/work/shared/corpus/realworld") },
        PathBuf::from,
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.extension().is_some_and(|e| e == "md" || e == "tsv"))
        .collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).map(|b| String::from_utf8_lossy(&b).into_owned()).collect()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse", |b| {
        b.iter(|| files.iter().map(|f| syntax::parse(f).nodes.len()).sum::<usize>());
    });
    group.bench_function("parse+lower", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| {
                    let tree = syntax::parse(f);
                    instructions::lower(&tree).items.len()
                })
                .sum::<usize>()
        });
    });
    let options = CheckOptions::lint(BuildOptions::default());
    group.bench_function("check", |b| {
        b.iter(|| files.iter().map(|f| Analysis::new(f).check(f, &options).diagnostics.len()).sum::<usize>());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
