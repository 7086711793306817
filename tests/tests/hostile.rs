//! Hostile and pathological input: the parser and `check` never panic, never hang, and stay
//! linear in time, and `stagecraft check` exits with 0 or 1 within a few seconds.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use stagecraft_core::catalog::Catalog;
use stagecraft_core::report::ParseReport;
use stagecraft_core::report::plan::{GraphReport, OutlineReport, TargetsReport};
use stagecraft_core::report::sim::SimulationReport;
use stagecraft_core::sim::{BuildContext, simulate};
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, CheckOptions, syntax};

/// Every layer and every view over `bytes`; a panic anywhere fails the test, and so does a
/// span outside the text.
fn run_everything(bytes: &[u8]) -> usize {
    let decoded = syntax::decode(bytes);
    let analysis = Analysis::new(&decoded.text);
    let len = decoded.text.len();
    for d in analysis.diagnostics() {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= len, "{d:?} outside {len} bytes");
    }
    for node in &analysis.tree.nodes {
        assert!(node.span.end as usize <= len);
        for t in node.arg_tokens().into_iter().chain(&node.flags) {
            assert!(t.span.start <= t.span.end && t.span.end as usize <= len, "{t:?} outside {len} bytes");
        }
    }
    let report = ParseReport::new(&analysis.tree, &decoded.text, &[], ColumnUnit::Utf16);
    let json = serde_json::to_string(&report).expect("serialisable");
    let dump = syntax::dump(&analysis.tree);
    // The plan, dispatch and build checks: as a lint run (every stage) and as a build of the
    // default target, with every view.
    let text = decoded.text.as_ref();
    let lint = analysis.check(text, &CheckOptions { all_stages: true, ..CheckOptions::default() });
    let build = analysis.check(text, &CheckOptions::default());
    for d in lint.diagnostics.iter().chain(&build.diagnostics) {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= len, "{d:?} outside {len} bytes");
        for l in &d.related {
            assert!(l.span.end as usize <= len, "{l:?} outside {len} bytes");
        }
    }
    // The simulation, over an empty context, with its report.
    let sim = simulate(text, &analysis, &build, &BuildContext::default(), Catalog::shared());
    let sim_json =
        serde_json::to_string(&SimulationReport::new(&build, &sim, text, None, ColumnUnit::Utf16)).expect("simulation");
    let graph =
        serde_json::to_string(&GraphReport::new(&analysis, &build, text, &[], ColumnUnit::Utf16)).expect("graph");
    let outline =
        serde_json::to_string(&OutlineReport::new(&analysis, &build, text, &[], ColumnUnit::Utf16)).expect("outline");
    let targets = serde_json::to_string(&TargetsReport::new(&analysis, &build.plan, text, &[], ColumnUnit::Utf16))
        .expect("targets");
    analysis.diagnostics().len()
        + json.len()
        + dump.len()
        + graph.len()
        + outline.len()
        + targets.len()
        + lint.diagnostics.len()
        + sim_json.len()
}

/// Pathological inputs of a given size `n`.
fn cases(n: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    out.push(("one long line", format!("FROM a\nRUN {}\n", "x ".repeat(n)).into_bytes()));
    out.push(("continuation lines", format!("FROM a\nRUN a \\\n{}b\n", "  c \\\n".repeat(n / 4)).into_bytes()));
    out.push(("empty continuation lines", format!("FROM a\nRUN a \\\n{}b\n", "\n# c\n".repeat(n / 4)).into_bytes()));
    out.push(("many heredocs on one line", {
        let (mut markers, mut bodies) = (String::new(), String::new());
        for i in 0..n / 16 {
            let _ = write!(markers, " <<E{i}");
            let _ = write!(bodies, "body\nE{i}\n");
        }
        format!("FROM a\nRUN cat{markers}\n{bodies}").into_bytes()
    }));
    out.push((
        "many heredoc instructions",
        format!("FROM a\n{}", "COPY <<EOF /x\nhi\nEOF\n".repeat(n / 20)).into_bytes(),
    ));
    out.push(("unterminated heredoc", format!("FROM a\nRUN <<EOF\n{}", "line\n".repeat(n / 5)).into_bytes()));
    out.push(("NUL bytes", format!("FROM a\x00b\nRUN \x00{}\n", "\x00".repeat(n)).into_bytes()));
    out.push(("invalid UTF-8", {
        let mut v = b"FROM a\nRUN ".to_vec();
        v.extend(std::iter::repeat_n([0xff, 0xc3, b'x'], n / 3).flatten());
        v
    }));
    out.push((
        "nested ${",
        format!(
            "FROM a\nCOPY --from={}x{} a b\nRUN <<EOF {}\nEOF\n",
            "${a:-".repeat(n / 5),
            "}".repeat(n / 5),
            "${b:-".repeat(n / 5)
        )
        .into_bytes(),
    ));
    out.push(("nested JSON", format!("FROM a\nCMD {}{}\n", "[".repeat(n), "]".repeat(n)).into_bytes()));
    out.push(("nested ONBUILD", format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(n / 8)).into_bytes()));
    out.push(("many flags", format!("FROM a\nCOPY {} a b\n", "--link ".repeat(n / 7)).into_bytes()));
    out.push(("long keyword", format!("FROM a\n{} x\n", "R".repeat(n)).into_bytes()));
    out.push(("many instructions", "RUNN x\n".repeat(n / 7).into_bytes()));
    out.push(("backslashes", "\\".repeat(n).into_bytes()));
    out.push(("carriage returns", "FROM a\r".repeat(n / 7).into_bytes()));
    out.push(("quotes", format!("FROM a\nENV a=\"{}\nARG {}\n", "'".repeat(n / 2), "\"".repeat(n / 2)).into_bytes()));
    out.push((
        "mounts",
        format!("FROM a\nRUN {} x\n", "--mount=type=cache,target=/x,\"a\"\"b\" ".repeat(n / 40)).into_bytes(),
    ));
    // Plans: thousands of stages, long dependency chains, cycles, duplicate names, fan-in.
    let stages = n / 40;
    out.push(("stages chained by FROM", {
        let mut t = String::from("FROM alpine AS s0\n");
        for i in 1..stages {
            let _ = write!(t, "FROM s{} AS s{i}\nENV V{i}=$V{} A{i}=x\nARG B{i}\n", i - 1, i - 1);
        }
        t.into_bytes()
    }));
    out.push(("stages copying from the previous", {
        let mut t = String::from("FROM alpine AS s0\n");
        for i in 1..stages {
            let _ = write!(t, "FROM alpine AS s{i}\nCOPY --from=s{} / /\n", i - 1);
        }
        t.into_bytes()
    }));
    out.push(("a cycle through every stage", {
        let mut t = String::new();
        for i in 0..stages {
            let _ = write!(t, "FROM alpine AS s{i}\nCOPY --from=s{} / /\n", (i + 1) % stages.max(1));
        }
        t.into_bytes()
    }));
    out.push((
        "every stage with the same name",
        "FROM alpine AS same\nCOPY --from=same / /\n".repeat(stages).into_bytes(),
    ));
    out.push(("many copies from one stage", {
        format!("FROM alpine AS base\nFROM alpine\n{}", "COPY --from=base / /\nCOPY --from=0 / /\n".repeat(stages))
            .into_bytes()
    }));
    out.push((
        "many ONBUILD triggers",
        format!("FROM alpine AS p\n{}FROM p\n", "ONBUILD COPY --from=p / /\n".repeat(stages)).into_bytes(),
    ));
    out.push(("many global ARGs", {
        let mut t = String::new();
        for i in 0..stages {
            let _ = writeln!(t, "ARG A{i}=${{A{}:-x}}", i.saturating_sub(1));
        }
        t.push_str("FROM alpine:${A0}\n");
        t.into_bytes()
    }));
    out
}

/// The fastest of three runs, to keep a busy machine's noise out of the ratio.
fn time_of(bytes: &[u8]) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(run_everything(bytes));
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn pathological_inputs_are_handled_in_linear_time() {
    let small = cases(50_000);
    let large = cases(200_000);
    for ((name, a), (_, b)) in small.iter().zip(&large) {
        let (ta, tb) = (time_of(a), time_of(b));
        // Four times the input: linear work takes about 4x; quadratic work would take 16x.
        let ratio = tb.as_secs_f64() / ta.as_secs_f64().max(1e-4);
        eprintln!("{name:28} {:>8} bytes {ta:>10.2?}   {:>8} bytes {tb:>10.2?}   ratio {ratio:.1}", a.len(), b.len());
        assert!(ratio < 10.0, "{name}: 4x the input took {ratio:.1}x the time ({ta:?} -> {tb:?})");
        assert!(tb < Duration::from_secs(10), "{name}: {tb:?}");
    }
}

#[test]
fn megabyte_inputs_through_the_cli_exit_0_or_1_quickly() {
    let bin = stagecraft_tests::stagecraft_bin();
    if !bin.exists() {
        stagecraft_tests::skip_or_fail(&format!("{} is not built (cargo build -p stagecraft-cli)", bin.display()));
        return;
    }
    for (name, input) in cases(1_000_000) {
        for format in ["human", "json"] {
            let start = Instant::now();
            let mut child = Command::new(&bin)
                .args(["check", "--format", format, "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start stagecraft");
            let mut stdin = child.stdin.take().expect("stdin");
            let bytes = input.clone();
            let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &bytes));
            let status = loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    break status;
                }
                if start.elapsed() > Duration::from_secs(20) {
                    let _ = child.kill();
                    panic!("{name} ({format}): stagecraft check did not answer within 20 s");
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            let _ = writer.join();
            assert!(matches!(status.code(), Some(0 | 1)), "{name} ({format}): exit status {status}");
            eprintln!("{name:28} {format:5} exit {:?} in {:.2?}", status.code(), start.elapsed());
        }
    }
}

/// Edits that tend to break parsers: continuation characters, quotes, brackets, heredoc
/// markers, expansions, directives, NUL and invalid UTF-8 bytes.
fn insertion() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        &b"\\"[..],
        b"\n",
        b"\r\n",
        b"\"",
        b"'",
        b"[",
        b"]",
        b"<<EOF",
        b"<<-'E'",
        b"${",
        b"}",
        b"${a:-",
        b"\0",
        b"\xff",
        b"\xc3",
        b"#",
        b" ",
        b"\t",
        b"--",
        b"=",
        b"ONBUILD ",
        b"# escape=`\n",
        b"`",
        b"--mount=",
        b"\\\n",
        b"EOF\n",
        b"\xe2\x80\xa8",
        b"\xc2\xa0",
    ])
    .prop_map(<[u8]>::to_vec)
}

fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len().max(1);
    prop::collection::vec((0..len, 0..4usize, insertion(), 0..len), 1..12).prop_map(move |edits| {
        let mut bytes = seed.clone();
        for (at, op, insert, other) in edits {
            let at = at.min(bytes.len());
            match op {
                0 => {
                    bytes.splice(at..at, insert);
                }
                1 => {
                    let end = other.clamp(at, bytes.len());
                    bytes.drain(at..end.min(at + 64));
                }
                2 => {
                    let end = other.clamp(at, bytes.len()).min(at + 64);
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                _ => bytes.truncate(at),
            }
        }
        bytes
    })
}

fn seeds() -> Vec<Vec<u8>> {
    let mut files = stagecraft_tests::files_under(
        &stagecraft_tests::workspace_root().join("tests/conformance/buildkit/parser"),
        stagecraft_tests::is_input,
    );
    if let Some(shared) = stagecraft_tests::shared_dir() {
        files.extend(stagecraft_tests::files_under(&shared.join("corpus/realworld"), stagecraft_tests::is_input));
    }
    files.iter().map(|p| std::fs::read(p).expect("read seed")).collect()
}

#[test]
fn mutated_dockerfiles_never_panic() {
    let seeds = seeds();
    assert!(!seeds.is_empty());
    let cases = std::env::var("STAGECRAFT_MUTATION_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy = prop::sample::select(seeds).prop_flat_map(mutated);
    runner
        .run(&strategy, |bytes| {
            run_everything(&bytes);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Inputs that once crashed the fuzzer (`cargo xtask fuzz`) stay fixed.
#[test]
fn fuzz_regressions_replay() {
    let dir = stagecraft_tests::workspace_root().join("tests/fixtures/fuzz-regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("regression folder").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        run_everything(&std::fs::read(&path).expect("read regression input"));
        count += 1;
    }
    eprintln!("{count} fuzz regression inputs replayed");
}
