//! `cargo xtask dist` (the static site in `web/dist/`) and `cargo xtask serve`.
//!
//! dist: the WASM adapter built with cargo (profile `wasm-release`), bound with the pinned
//! wasm-bindgen CLI, shrunk with npm binaryen's `wasm-opt` (Debian's breaks the output, see
//! `../shared/notes/toolchain.md`), bundled with the page by `web/build.mjs` (esbuild), plus
//! the base-image catalog as gzip assets loaded on demand; then the size budget is checked.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, ensure_wasm_target, output, root, run};

/// The wasm-bindgen CLI must match the `wasm-bindgen` crate in Cargo.lock exactly.
const WASM_BINDGEN: &str = "0.2.130";
/// `.wasm` gzipped, and everything the page loads before it is usable, gzipped.
const WASM_BUDGET: u64 = 400 * 1024;
const PAGE_BUDGET: u64 = 1024 * 1024;

/// The toolchain the browser build is compiled with: nightly, for `-Zbuild-std` and the
/// `immediate-abort` panic strategy (std rebuilt with its panic messages and formatting left
/// out: about 18 KiB gzipped less, measured with gzip -9 on wasm-opt's output). Native builds
/// and the tests stay on stable.
const WASM_TOOLCHAIN: &str = "nightly";

/// The nightly toolchain with the standard library's sources and the wasm32 target, added
/// with rustup when missing.
fn ensure_wasm_toolchain() -> Result {
    let rustup = |args: &[&str]| output(Command::new("rustup").args(args)).unwrap_or_default();
    if !rustup(&["toolchain", "list"]).lines().any(|l| l.starts_with(&format!("{WASM_TOOLCHAIN}-"))) {
        run(Command::new("rustup").args(["toolchain", "install", WASM_TOOLCHAIN, "--profile", "minimal"]))?;
    }
    if !rustup(&["component", "list", "--installed", "--toolchain", WASM_TOOLCHAIN])
        .lines()
        .any(|l| l.trim() == "rust-src")
    {
        run(Command::new("rustup").args(["component", "add", "rust-src", "--toolchain", WASM_TOOLCHAIN]))?;
    }
    if !rustup(&["target", "list", "--installed", "--toolchain", WASM_TOOLCHAIN])
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown", "--toolchain", WASM_TOOLCHAIN]))?;
    }
    Ok(())
}

pub(crate) fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(WASM_BINDGEN) {
        return Ok(PathBuf::from("wasm-bindgen"));
    }
    // `--locked` fails with this registry (a pinned webpki-roots is missing): see toolchain.md.
    run(cargo().args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]))?;
    let bin = std::env::var_os("CARGO_HOME")
        .map_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"), PathBuf::from)
        .join("bin/wasm-bindgen");
    Ok(if bin.exists() { bin } else { PathBuf::from("wasm-bindgen") })
}

/// Chromium for the end-to-end tests: installed with apt when missing on Debian as root;
/// elsewhere the test says what to install (and fails under CI).
pub(crate) fn ensure_chromium() -> Result {
    if Path::new("/usr/bin/chromium").exists() || std::env::var_os("STAGECRAFT_CHROMIUM").is_some() {
        return Ok(());
    }
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    if root_user && output(Command::new("apt-get").arg("--version")).is_some() {
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        return run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive"));
    }
    // Not root or not Debian: the end-to-end test skips loudly (or fails under CI).
    Ok(())
}

/// `npm ci` in `web/` when its `node_modules` is missing or older than the lock file.
pub(crate) fn ensure_npm() -> Result {
    let web = root().join("web");
    let lock = web.join("package-lock.json");
    let marker = web.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&marker).is_some_and(|m| Some(m) >= modified(&lock)) {
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        return Err("npm is required to build the playground (Debian: apt-get install nodejs npm)".into());
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&web))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).map_err(|e| e.to_string())?;
    z.finish().map_err(|e| e.to_string())
}

pub(crate) fn dist() -> Result {
    ensure_wasm_target()?;
    let bindgen = ensure_wasm_bindgen()?;
    ensure_npm()?;
    let root = root();
    // Paths in panic locations as short fixed names: the .wasm is the same from any checkout
    // (a clone elsewhere made it 1 KiB larger) and a little smaller.
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    // As CARGO_ENCODED_RUSTFLAGS (one flag per \x1f-separated field, so a path with spaces
    // stays whole), after the caller's own flags.
    let mut flags: Vec<String> = match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(encoded) if !encoded.is_empty() => encoded.split('\x1f').map(str::to_string).collect(),
        _ => std::env::var("RUSTFLAGS").unwrap_or_default().split_whitespace().map(str::to_string).collect(),
    };
    for (from, to) in [(root.clone(), "s"), (cargo_home.join("registry/src"), "r")] {
        flags.push(format!("--remap-path-prefix={}={to}", from.display()));
    }
    // A panic stops the module where it happens (a trap the page recovers from, as it did
    // with `panic = "abort"`), without the machinery that formats its message.
    // Panic locations (files and lines) are left out too: nothing prints them.
    flags.extend(["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none"].map(String::from));
    ensure_wasm_toolchain()?;
    // The standard library is built from the toolchain's sources: their paths as a fixed
    // name too. The nightly used is printed, as the size depends on it.
    let nightly = |args: &[&str]| output(Command::new("rustup").args(["run", WASM_TOOLCHAIN, "rustc"]).args(args));
    if let Some(sysroot) = nightly(&["--print", "sysroot"]) {
        flags.push(format!("--remap-path-prefix={}/lib/rustlib/src/rust=std", sysroot.trim()));
    }
    eprintln!("wasm built with {}", nightly(&["--version"]).unwrap_or_default().trim());
    run(Command::new("rustup")
        .args(["run", WASM_TOOLCHAIN, "cargo", "build", "-p", "stagecraft-wasm", "--target", "wasm32-unknown-unknown"])
        .args(["--profile", "wasm-release", "-Zbuild-std=std,panic_abort"])
        .current_dir(&root)
        // The stable toolchain that runs xtask must not leak into nightly's cargo.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("RUSTFLAGS")
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f")))?;
    let pkg = root.join("target/wasm-pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    run(Command::new(&bindgen)
        .args(["--target", "web", "--out-dir"])
        .arg(&pkg)
        .arg(root.join("target/wasm32-unknown-unknown/wasm-release/stagecraft_wasm.wasm")))?;
    let wasm = pkg.join("stagecraft_wasm_bg.wasm");
    run(Command::new(root.join("web/node_modules/.bin/wasm-opt"))
        .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-reference-types"])
        // Folding near-identical monomorphised functions, then optimising to a fixed point:
        // about 1 KiB gzipped more than -Oz alone (measured with twiggy and gzip -9).
        .args(["--merge-similar-functions", "-Oz", "--converge"])
        // Control flow flattened and rebuilt by the Relooper, then optimised again: about
        // 2.8 KiB gzipped less (gzip -9 on the output), for about 50 s more of wasm-opt;
        // the e2e bench measures the result's speed against its budget.
        .args(["--flatten", "--rereloop", "-Oz", "--converge"])
        // Optimised again as a closed world (only the exports and the table are entered from
        // outside): about 0.4 KiB gzipped less (gzip -9 on the output); the e2e run checks the
        // page's calls into the module still work.
        .args(["--closed-world", "-Oz", "--converge"])
        // Safe Rust cannot load out of bounds or divide by zero without checking first (its
        // checks are explicit traps, which stay): about 0.2 KiB gzipped less (cargo xtask dist).
        .args(["--ignore-implicit-traps", "-Oz"])
        // Functions in the order of their names, so that related code (one module's, one
        // generic's instances) sits together within gzip's window: about 5 KiB gzipped less,
        // with the same code (measured with gzip -9 on the output).
        .arg("--reorder-functions-by-name")
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    let dist = root.join("web/dist");
    let _ = std::fs::remove_dir_all(&dist);
    run(Command::new("node").arg(root.join("web/build.mjs")).arg("--pkg").arg(&pkg).arg("--out").arg(&dist))?;
    catalog(&dist.join("catalog"))?;
    budget(&dist)
}

/// `catalog/index.json` and each listing it names as `catalog/<name>.gz`, and the package
/// catalog as `catalog/packages-debian-bookworm.txt.gz`.
fn catalog(out: &Path) -> Result {
    let data = root().join("core/catalog-data");
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let index = std::fs::read_to_string(data.join("index.json")).map_err(|e| format!("index.json: {e}"))?;
    std::fs::write(out.join("index.json"), &index).map_err(|e| e.to_string())?;
    let images: Vec<serde_json::Value> = serde_json::from_str(&index).map_err(|e| format!("index.json: {e}"))?;
    let mut names: Vec<&str> = Vec::new();
    for image in &images {
        let layers = image["layers"].as_array().ok_or("index.json: an image without layers")?;
        for name in layers.iter().filter_map(serde_json::Value::as_str) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        return Err("index.json names no listings".into());
    }
    let mut total = 0;
    for name in &names {
        let text = std::fs::read(data.join(name)).map_err(|e| format!("{name}: {e}"))?;
        let packed = gzip(&text)?;
        total += packed.len();
        std::fs::write(out.join(format!("{name}.gz")), packed).map_err(|e| e.to_string())?;
    }
    println!("catalog: {} listings, {:.1} MiB gzipped (loaded on demand)", names.len(), total as f64 / 1_048_576.0);
    // The package catalog, fetched when a Dockerfile installs with apt.
    let text = std::fs::read(data.join("packages/debian-bookworm.txt")).map_err(|e| format!("packages: {e}"))?;
    let packed = gzip(&text)?;
    println!("packages: {:.1} MiB gzipped (loaded on demand)", packed.len() as f64 / 1_048_576.0);
    std::fs::write(out.join("packages-debian-bookworm.txt.gz"), packed).map_err(|e| e.to_string())?;
    Ok(())
}

/// The size budget: fails when the `.wasm` or what the page loads first is too big.
fn budget(dist: &Path) -> Result {
    let mut first = 0u64;
    let mut wasm = 0u64;
    let entries = std::fs::read_dir(dist).map_err(|e| e.to_string())?;
    for entry in entries.filter_map(std::result::Result::ok) {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_lowercase();
        // The widget is an alternative entry point, not part of the playground's first load.
        if name == "embed.js" || path.extension().is_some_and(|e| e == "map") {
            continue;
        }
        let size = gzip(&std::fs::read(&path).map_err(|e| e.to_string())?)?.len() as u64;
        println!("  {name:<28} {:>8.1} KiB gzipped", size as f64 / 1024.0);
        first += size;
        if path.extension().is_some_and(|e| e == "wasm") {
            wasm += size;
        }
    }
    println!(
        "budget: wasm {:.1} KiB of {} KiB; first load {:.1} KiB of {} KiB (gzipped)",
        wasm as f64 / 1024.0,
        WASM_BUDGET / 1024,
        first as f64 / 1024.0,
        PAGE_BUDGET / 1024
    );
    if wasm == 0 {
        return Err("web/dist has no .wasm".into());
    }
    if wasm > WASM_BUDGET || first > PAGE_BUDGET {
        return Err("the size budget is exceeded".into());
    }
    Ok(())
}

/// Serves `web/dist/` at 127.0.0.1:PORT (8080), building it first when it is missing.
pub(crate) fn serve(port: u16) -> Result {
    let dist = root().join("web/dist");
    if !dist.join("index.html").exists() {
        dist_or_explain()?;
    }
    let server =
        tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("Stagecraft playground: http://127.0.0.1:{port}/  (Ctrl-C stops)");
    for request in server.incoming_requests() {
        let _ = respond(request, &dist);
    }
    Ok(())
}

fn dist_or_explain() -> Result {
    dist().map_err(|e| format!("{e}\n  (serve builds web/dist first: cargo xtask dist)"))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// One request: GET or HEAD of a file under `dist` (no `..`, no hidden files). Everything
/// is public and static, so any origin may load it (a docs site embedding the widget).
fn respond(request: tiny_http::Request, dist: &Path) -> std::io::Result<()> {
    if !matches!(request.method(), tiny_http::Method::Get | tiny_http::Method::Head) {
        return request.respond(tiny_http::Response::empty(405));
    }
    let path = request.url().split(['?', '#']).next().unwrap_or("/").to_string();
    let clean: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if clean.iter().any(|p| p.starts_with('.') || p.contains('\\') || p.contains('%')) {
        return request.respond(tiny_http::Response::empty(404));
    }
    let mut file = dist.join(clean.join("/"));
    if file.is_dir() {
        file = file.join("index.html");
    }
    let Ok(body) = std::fs::read(&file) else {
        return request.respond(tiny_http::Response::empty(404));
    };
    let mut response = tiny_http::Response::from_data(body).with_chunked_threshold(usize::MAX);
    for (name, value) in [
        ("content-type", content_type(&file)),
        ("cache-control", "no-cache"),
        ("access-control-allow-origin", "*"),
        ("x-content-type-options", "nosniff"),
    ] {
        if let Ok(h) = tiny_http::Header::from_bytes(name, value) {
            response.add_header(h);
        }
    }
    request.respond(response)
}
