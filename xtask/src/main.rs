//! Stagecraft's development tasks, run as `cargo xtask <task>` (aliased in `.cargo/config.toml`).
//!
//! Each task installs what it needs when it is missing, or says exactly what to install.

// A task runner reports on standard output; its measurements are small byte counts.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

mod bench_context;
mod docker;
mod packages;
mod unicode;
mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const HELP: &str = "\
cargo xtask <task>

  dist           build the playground into web/dist (WASM, page, catalog assets) and check its size budget
  serve [PORT]   build web/dist if missing and serve it at http://127.0.0.1:8080 (the playground)
  docker         start a Docker daemon for the daemon tests and make their base image (Debian, root)
  demo           build the CLI and run it on examples/nginx-cert (parse, check)
  test           every test suite, with its prerequisites (what README.md and .ci/run run)
  oracle         install the official parser (PyPI dockerfile 3.4.0) used by the differential tests
  bench-parser   whole-process throughput against the official parser, on the real-world corpus
  bench-context  sending a 200 MiB context: stagecraft build against docker build (classic), side by side
  packages       regenerate core/catalog-data/packages/debian-bookworm.txt from the .deb files (Debian 12, root)
  gen-unicode    regenerate core/src/gostr/tables.rs (the core's compact Unicode class and case tables)
  fuzz [SECS]    run the cargo-fuzz target over parse and lowering (default 600 s; needs nightly)
";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dist") => web::dist(),
        Some("serve") => web::serve(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(8080)),
        Some("docker") => docker::ensure(),
        Some("demo") => demo(),
        Some("test") => test(),
        Some("oracle") => oracle().map(|_| ()),
        Some("bench-parser") => bench_parser(),
        Some("bench-context") => bench_context::bench(),
        Some("gen-unicode") => unicode::generate(),
        Some("packages") => packages::generate(),
        Some("fuzz") => fuzz(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(600)),
        _ => {
            eprint!("{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn run(cmd: &mut Command) -> Result {
    eprintln!("+ {cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {status}")) }
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn demo() -> Result {
    run(cargo().args(["build", "--release", "-p", "stagecraft-cli"]))?;
    let bin = root().join("target/release/stagecraft");
    let example = root().join("examples/nginx-cert/Dockerfile");
    let context = example.parent().unwrap_or(&example).to_path_buf();
    run(Command::new(&bin).args(["parse", "--format", "buildkit"]).arg(&example))?;
    run(Command::new(&bin).arg("check").arg(&example))?;
    run(Command::new(&bin).arg("targets").arg(&context))?;
    run(Command::new(&bin).arg("graph").arg(&context))?;
    run(Command::new(&bin).arg("outline").arg(&context))
}

/// The wasm32 target, which the core must build for.
fn ensure_wasm_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// A Python 3 interpreter: `$PYTHON`, `python3` or `python`.
fn python() -> Result<String> {
    for candidate in [std::env::var("PYTHON").ok(), Some("python3".into()), Some("python".into())].into_iter().flatten()
    {
        if output(Command::new(&candidate).args(["-c", "import sys; assert sys.version_info >= (3, 8)"])).is_some() {
            return Ok(candidate);
        }
    }
    Err("no Python 3.8+ found: install python3 (Debian: apt-get install python3 python3-venv)".into())
}

/// The virtual environment with the official parser; created when missing.
fn oracle() -> Result<PathBuf> {
    let venv = root().join("target/oracle-venv");
    let py = venv.join("bin/python");
    let probe = || output(Command::new(&py).args(["-c", "import dockerfile"])).is_some();
    if py.exists() && probe() {
        return Ok(py);
    }
    let system = python()?;
    run(Command::new(&system).args(["-m", "venv"]).arg(&venv)).map_err(|e| {
        format!("{e}\n  creating a virtual environment failed: on Debian, apt-get install python3-venv")
    })?;
    run(Command::new(&py)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(root().join("tests/oracle/requirements.txt")))?;
    if probe() { Ok(py) } else { Err("the oracle package does not import after installing it".into()) }
}

fn test() -> Result {
    ensure_wasm_target()?;
    let oracle = oracle()?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // The daemon tests build for real: a daemon and the base image, where this machine allows.
    docker::ensure()?;
    // The CLI binary must exist before the tests that run it.
    run(cargo().args(["build", "--workspace"]))?;
    run(cargo().args(["test", "--workspace", "--no-fail-fast"]).env("STAGECRAFT_ORACLE_PYTHON", &oracle))?;
    // The core (and its WASM adapter) must build for the browser: no I/O, no threads.
    run(cargo().args([
        "build",
        "-p",
        "stagecraft-core",
        "-p",
        "stagecraft-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    // The WASM API on node, then the playground built and driven in Chromium.
    let bindgen = web::ensure_wasm_bindgen()?;
    let runner = bindgen.with_file_name("wasm-bindgen-test-runner");
    run(cargo().args(["test", "-p", "stagecraft-wasm", "--target", "wasm32-unknown-unknown"]).env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        if runner.exists() { runner.as_os_str() } else { "wasm-bindgen-test-runner".as_ref() },
    ))?;
    web::dist()?;
    // The CLI again, now that web/dist exists: `stagecraft serve` embeds it.
    run(cargo().args(["build", "-p", "stagecraft-cli"]))?;
    run(cargo().args(["test", "-p", "stagecraft-tests", "--test", "serve"]).env("STAGECRAFT_EXPECT_PLAYGROUND", "1"))?;
    web::ensure_chromium()?;
    run(Command::new("node").arg(root().join("web/tests/e2e.mjs")))?;
    eprintln!("xtask test: all suites passed");
    Ok(())
}

fn corpus_files() -> Result<Vec<PathBuf>> {
    let dir = std::env::var_os("STAGECRAFT_CORPUS_DIR").map_or_else(
        || {
            let beside = root().join("../shared/corpus/realworld");
            if beside.is_dir() { beside } else { PathBuf::from("/work/shared/corpus/realworld") }
        },
        PathBuf::from,
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("corpus {}: {e} (set STAGECRAFT_CORPUS_DIR)", dir.display()))?
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && !p.extension().is_some_and(|e| e == "md" || e == "tsv"))
        .collect();
    files.sort();
    Ok(files)
}

/// The median wall time of `runs` runs of `cmd`.
fn median_time(runs: usize, mut make: impl FnMut() -> Command) -> Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut cmd = make();
        cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        let start = Instant::now();
        let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
        times.push(start.elapsed());
        // `check` exits 1 when a file has errors; only a crash or usage error is a failure.
        if !matches!(status.code(), Some(0 | 1)) {
            return Err(format!("{cmd:?} failed: {status}"));
        }
    }
    times.sort();
    Ok(times[runs / 2])
}

fn bench_parser() -> Result {
    let oracle = oracle()?;
    run(cargo().args(["build", "--release", "-p", "stagecraft-cli"]))?;
    let bin = root().join("target/release/stagecraft");
    let files = corpus_files()?;
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let script = "import sys, dockerfile\nfor f in sys.argv[1:]:\n    try:\n        dockerfile.parse_file(f)\n    except Exception:\n        pass\n";
    let mb = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!("corpus: {} files, {bytes} bytes", files.len());

    // One process over the whole corpus: the official parser's `parse_file` per file versus
    // `stagecraft parse` over the same files (like for like), and `stagecraft check` (parse,
    // plan, dispatch of every stage and build checks) for scale.
    // The machines are shared and noisy: many runs, and the median.
    let runs = 51;
    let theirs = median_time(runs, || {
        let mut c = Command::new(&oracle);
        c.args(["-c", script]).args(&files);
        c
    })?;
    let ours = median_time(runs, || {
        let mut c = Command::new(&bin);
        c.args(["parse", "--format", "json"]).args(&files);
        c
    })?;
    let checked = median_time(runs, || {
        let mut c = Command::new(&bin);
        c.args(["check", "--format", "json"]).args(&files);
        c
    })?;
    println!("one process, whole corpus (median of {runs} runs):");
    println!("  official parser (python + dockerfile 3.4.0): {theirs:>10.2?}  {:>8.2} MB/s", mb(theirs));
    println!("  stagecraft parse --format json:              {ours:>10.2?}  {:>8.2} MB/s", mb(ours));
    println!("  stagecraft check --format json (all layers): {checked:>10.2?}  {:>8.2} MB/s", mb(checked));
    println!("  ratio (parse): {:.1}x", theirs.as_secs_f64() / ours.as_secs_f64());
    println!("  ratio (check): {:.1}x", theirs.as_secs_f64() / checked.as_secs_f64());

    // One process per file, as each tool is used from a shell.
    let per_file = |make: &dyn Fn(&Path) -> Command| -> Result<Duration> {
        let mut total = Duration::ZERO;
        for f in &files {
            total += median_time(3, || make(f))?;
        }
        Ok(total)
    };
    let theirs = per_file(&|f| {
        let mut c = Command::new(&oracle);
        c.args(["-c", script]).arg(f);
        c
    })?;
    let ours = per_file(&|f| {
        let mut c = Command::new(&bin);
        c.args(["parse", "--format", "json"]).arg(f);
        c
    })?;
    println!("one process per file (sum of medians of 3 runs):");
    println!("  official parser: {theirs:>10.2?}  {:>8.2} MB/s", mb(theirs));
    println!("  stagecraft parse: {ours:>9.2?}  {:>8.2} MB/s", mb(ours));
    println!("  ratio: {:.1}x", theirs.as_secs_f64() / ours.as_secs_f64());
    // In-process, for the criterion benchmark of the core to compare with.
    let timing = "import sys, time, dockerfile\ntexts = [open(f, encoding='utf-8', errors='replace').read() for f in sys.argv[1:]]\nn = sum(len(t.encode()) for t in texts)\nbest = None\nfor _ in range(15):\n    t = time.perf_counter()\n    for s in texts:\n        try:\n            dockerfile.parse_string(s)\n        except Exception:\n            pass\n    d = time.perf_counter() - t\n    best = d if best is None else min(best, d)\nprint(f'{n / best / 2**20:.2f}')\n";
    let out = output(Command::new(&oracle).args(["-c", timing]).args(&files))
        .ok_or("timing the official parser in-process failed")?;
    println!(
        "in-process: official parser {} MiB/s (best of 15 passes); compare `cargo bench -p stagecraft-core --bench parse`",
        out.trim()
    );
    Ok(())
}

fn fuzz(seconds: u64) -> Result {
    if output(Command::new("cargo").args(["+nightly", "fuzz", "--version"])).is_none() {
        run(Command::new("cargo").args(["+nightly", "install", "cargo-fuzz", "--locked"]))
            .or_else(|_| run(Command::new("cargo").args(["+nightly", "install", "cargo-fuzz"])))?;
    }
    let fuzz_dir = root().join("core/fuzz");
    let corpus = fuzz_dir.join("corpus/parse");
    std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
    // Seed with BuildKit's cases and the regression inputs.
    for dir in
        ["tests/conformance/buildkit/parser/testfiles", "tests/fixtures/fuzz-regressions", "tests/fixtures/diagnostics"]
    {
        for entry in walk(&root().join(dir)) {
            let name = entry.strip_prefix(root()).unwrap_or(&entry).to_string_lossy().replace('/', "_");
            let _ = std::fs::copy(&entry, corpus.join(name));
        }
    }
    run(Command::new("cargo").current_dir(root().join("core")).args([
        "+nightly",
        "fuzz",
        "run",
        "parse",
        "--",
        &format!("-max_total_time={seconds}"),
        "-max_len=65536",
        "-rss_limit_mb=4096",
    ]))
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
