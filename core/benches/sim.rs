//! The simulation's performance targets (issue 4), measured here rather than in timed tests:
//!
//! - copying a 100,000-file tree through 10 stages costs at most twice the memory of one tree
//!   (structural sharing), in time linear in the files touched;
//! - simulating the nginx-cert example over the shipped base-image trees (alpine and nginx
//!   from `core/catalog-data`), and simulating it again after a one-character edit (with the
//!   cache comparison), in microseconds.
//!
//! Memory is measured with dhat's counting allocator: live bytes after building one tree, and
//! after the ten-stage build. The ratio is printed.

// A benchmark reads its inputs from disk; the core library itself never does.
#![allow(clippy::disallowed_methods, clippy::disallowed_types, clippy::print_stdout)]

use criterion::{Criterion, criterion_group, criterion_main};
use stagecraft_core::catalog::{Catalog, Index};
use stagecraft_core::fs::{Content, Entry, Meta, Snapshot};
use stagecraft_core::plan::BuildOptions;
use stagecraft_core::sim::{BuildContext, Session, simulate};
use stagecraft_core::{Analysis, CheckOptions};

// dhat's allocator counts live bytes (the workspace forbids unsafe code, so no hand-written
// counting allocator).
#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

fn live() -> usize {
    dhat::HeapStats::get().curr_bytes
}

/// A context with `n` small files under `/tree`, 100 per directory.
fn big_context(n: usize) -> BuildContext {
    let mut files = Snapshot::new();
    for d in 0..n.div_ceil(100) {
        files.mkdir_all(&format!("/tree/d{d}"), Meta::DIR).expect("dir");
        for f in 0..100.min(n - d * 100) {
            files
                .insert(&format!("/tree/d{d}/f{f}"), Entry::file(Content::synthetic(100, "x"), Meta::FILE))
                .expect("file");
        }
    }
    BuildContext { files, dockerignore: None, unknown: false }
}

const TEN_STAGES: &str = "FROM scratch AS s0\nCOPY tree /tree\nFROM scratch AS s1\nCOPY --from=s0 /tree /tree\nFROM scratch AS s2\nCOPY --from=s1 /tree /tree\nFROM scratch AS s3\nCOPY --from=s2 /tree /tree\nFROM scratch AS s4\nCOPY --from=s3 /tree /tree\nFROM scratch AS s5\nCOPY --from=s4 /tree /tree\nFROM scratch AS s6\nCOPY --from=s5 /tree /tree\nFROM scratch AS s7\nCOPY --from=s6 /tree /tree\nFROM scratch AS s8\nCOPY --from=s7 /tree /tree\nFROM scratch AS s9\nCOPY --from=s8 /tree /tree\n";

#[allow(clippy::cast_precision_loss)] // byte counts far below 2^52
fn memory_ratio() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = live();
    let context = big_context(100_000);
    let one_tree = live() - before;
    let analysis = Analysis::new(TEN_STAGES);
    let checked = analysis.check(TEN_STAGES, &CheckOptions::default());
    let start = live();
    let sim = simulate(TEN_STAGES, &analysis, &checked, &context, Catalog::shared());
    let simulation = live() - start;
    assert_eq!(sim.stages.len(), 10);
    let ratio = (one_tree + simulation) as f64 / one_tree as f64;
    println!(
        "memory: one 100,000-file tree {:.1} MB; the 10-stage simulation adds {:.1} kB (snapshots, layers, cache keys): {ratio:.3}x one tree in all (target: at most 2x)",
        one_tree as f64 / 1e6,
        simulation as f64 / 1e3
    );
}

fn bench(c: &mut Criterion) {
    memory_ratio();
    let context = big_context(100_000);
    let analysis = Analysis::new(TEN_STAGES);
    let checked = analysis.check(TEN_STAGES, &CheckOptions::default());
    let mut group = c.benchmark_group("sim");
    group.sample_size(10);
    group.bench_function("100k files through 10 stages", |b| {
        b.iter(|| simulate(TEN_STAGES, &analysis, &checked, &context, Catalog::shared()).stages.len());
    });

    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/nginx-cert");
    let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("nginx-cert Dockerfile");
    let mut files = Snapshot::new();
    for name in ["cert_defaults.txt", "default.conf"] {
        let bytes = std::fs::read(dir.join(name)).expect("context file");
        files.insert(&format!("/{name}"), Entry::file(Content::bytes(bytes), Meta::FILE)).expect("insert");
    }
    let nginx = BuildContext { files, dockerignore: None, unknown: false };
    // The shipped trees of the images the example uses, built once as the CLI builds them.
    let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("catalog-data");
    let index = Index::parse(&std::fs::read_to_string(data.join("index.json")).expect("index.json")).expect("index");
    let mut catalog = Catalog::builtin();
    catalog
        .add_index(&index, Some(&["alpine".to_string(), "nginx".to_string()]), &mut |name| {
            std::fs::read_to_string(data.join(name)).ok()
        })
        .expect("shipped listings");
    let catalog = &catalog;
    let edited = text.replace("EXPOSE 443", "EXPOSE 444");
    group.sample_size(100);
    group.bench_function("nginx-cert: simulate", |b| {
        b.iter(|| {
            let analysis = Analysis::new(&text);
            let checked = analysis.check(&text, &CheckOptions::lint(BuildOptions::default()));
            simulate(&text, &analysis, &checked, &nginx, catalog).stages.len()
        });
    });
    group.bench_function("nginx-cert: edit one character and simulate again", |b| {
        let mut session = Session::new();
        let analysis = Analysis::new(&text);
        let checked = analysis.check(&text, &CheckOptions::default());
        let _ = session.simulate(&text, &analysis, &checked, &nginx, catalog);
        b.iter(|| {
            let analysis = Analysis::new(&edited);
            let checked = analysis.check(&edited, &CheckOptions::default());
            let (_, statuses) = session.simulate(&edited, &analysis, &checked, &nginx, catalog);
            statuses.len()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
