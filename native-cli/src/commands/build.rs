//! `stagecraft build`: the same Dockerfile, context, target and build args, built for real by
//! a Docker daemon. Pre-flight first (parse, plan, build checks, and for the classic builder
//! the lines it cannot build): a Dockerfile with errors never reaches the daemon. Then the
//! context is packed while it is sent, and the daemon's output is streamed back with each
//! step tied to its instruction.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::ValueEnum;
use futures_util::StreamExt;
use serde_json::{Value, json};
use stagecraft_core::builders::classic_builder_gaps;
use stagecraft_core::dockerignore::Matcher;

use crate::build_flags::{BuildFlags, Loaded};
use crate::docker::pack::{ChunkWriter, Dockerfile, Packed, pack};
use crate::docker::progress::{StepMap, StepSource, decode_trace};
use crate::docker::{self, Daemon};
use crate::{Outcome, render};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Progress {
    /// `plain` for now (the same lines on a terminal or not), with an upload bar on a terminal.
    Auto,
    /// The daemon's output as it comes, each step with its Dockerfile line.
    Plain,
    /// One JSON event per line on standard output.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Builder {
    /// The classic builder, unless the Dockerfile needs BuildKit and the daemon has it.
    Auto,
    /// The daemon's classic builder (`DOCKER_BUILDKIT=0 docker build`).
    Classic,
    /// The daemon's BuildKit.
    Buildkit,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    build: BuildFlags,
    /// Name and tag the image (`name:tag`); may be given more than once.
    #[arg(short = 't', long = "tag", value_name = "NAME[:TAG]")]
    tags: Vec<String>,
    /// Do not use the daemon's build cache.
    #[arg(long)]
    no_cache: bool,
    /// The network RUN steps use (`default`, `none`, `host`, or a network's name).
    #[arg(long)]
    network: Option<String>,
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    progress: Progress,
    #[arg(long, value_enum, default_value_t = Builder::Auto)]
    builder: Builder,
    /// After the build, compare the image with the simulation of the same input (the base
    /// images snapshotted from the daemon): exit 0 only when they agree.
    #[arg(long)]
    verify: bool,
}

/// Where the build's lines go: plain text, or JSON events.
struct Out {
    json: bool,
}

impl Out {
    fn event(&self, value: &Value) {
        if self.json {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{value}");
            let _ = stdout.flush();
        }
    }

    fn text(&self, text: &str) {
        if !self.json {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
        }
    }
}

fn source_json(source: Option<StepSource>) -> Value {
    source.map_or(Value::Null, |s| json!({ "line": s.line, "span": [s.span.start, s.span.end] }))
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    if !args.build.options.build_contexts.is_empty() {
        return Err("--build-context: the Engine API's /build has no named contexts (use `docker buildx build`)".into());
    }
    let out = Out { json: args.progress == Progress::Json };
    let loaded = args.build.check()?;
    let renderer = render::renderer(std::io::stderr().is_terminal());
    let diagnostics: Vec<_> = loaded.diagnostics().collect();
    report_diagnostics(&out, &renderer, &loaded, &diagnostics);
    if loaded.has_errors() {
        let message = "the Dockerfile has errors; nothing was sent to the Docker daemon";
        out.event(&json!({ "event": "stopped", "reason": message }));
        if !out.json {
            eprintln!("stagecraft: {message}");
        }
        return Ok(Outcome::DockerfileErrors);
    }
    let gaps = classic_builder_gaps(&loaded.analysis.tree, &loaded.checked);
    if args.builder == Builder::Classic && !gaps.is_empty() {
        let gaps: Vec<_> = gaps.iter().collect();
        report_diagnostics(&out, &renderer, &loaded, &gaps);
        let message = "the classic builder cannot build these lines; nothing was sent to the Docker daemon";
        out.event(&json!({ "event": "stopped", "reason": message }));
        if !out.json {
            eprintln!("stagecraft: {message} (use --builder buildkit)");
        }
        return Ok(Outcome::DockerfileErrors);
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let daemon = docker::connect().await?;
        let buildkit = match args.builder {
            Builder::Classic => false,
            Builder::Buildkit | Builder::Auto if daemon.has_buildkit() => {
                args.builder == Builder::Buildkit || !gaps.is_empty()
            }
            Builder::Buildkit => {
                return Err(format!("the Docker daemon at {} ({}) has no BuildKit", daemon.host_text, daemon.os));
            }
            Builder::Auto => {
                let gaps: Vec<_> = gaps.iter().collect();
                report_diagnostics(&out, &renderer, &loaded, &gaps);
                return Err(format!(
                    "these lines need BuildKit, which the Docker daemon at {} ({}) does not offer",
                    daemon.host_text, daemon.os
                ));
            }
        };
        build(args, &out, &loaded, &daemon, buildkit).await
    })
}

fn report_diagnostics(
    out: &Out,
    renderer: &annotate_snippets::Renderer,
    loaded: &Loaded,
    diagnostics: &[&stagecraft_core::Diagnostic],
) {
    let text = &loaded.source.text;
    let index = stagecraft_core::LineIndex::new(text);
    for d in diagnostics {
        if out.json {
            let at = index.line_col(text, d.span.start, stagecraft_core::text::ColumnUnit::Char);
            out.event(&json!({
                "event": "diagnostic",
                "severity": d.severity.as_str(),
                "code": d.code.name(),
                "message": d.message,
                "line": at.line,
                "span": [d.span.start, d.span.end],
            }));
        } else {
            eprintln!("{}\n", render::diagnostic(renderer, &loaded.source.name, text, &index, d));
        }
    }
}

/// The build itself, once pre-flight passed and the daemon answered.
async fn build(args: &Args, out: &Out, loaded: &Loaded, daemon: &Daemon, buildkit: bool) -> Result<Outcome, String> {
    let context = args.build.context.clone();
    let file = args.build.file.clone().unwrap_or_else(|| context.join("Dockerfile"));
    if !context.is_dir() {
        return Err(format!("the build context {} is not a directory", context.display()));
    }
    let dockerfile = Dockerfile::locate(&context, &file, loaded.source.text.as_bytes());
    let ignore_text = crate::build_flags::dockerignore(&file, &context)?;
    let ignore = ignore_text
        .as_deref()
        .map(|text| Matcher::parse(text).map_err(|(line, e)| format!(".dockerignore line {line}: {e}")))
        .transpose()?;

    let mut query: Vec<(&str, String)> = vec![
        ("dockerfile", dockerfile.name().to_string()),
        ("version", if buildkit { "2" } else { "1" }.to_string()),
        ("rm", "1".into()),
        ("forcerm", "1".into()),
    ];
    query.extend(args.tags.iter().map(|t| ("t", t.clone())));
    if let Some(target) = &args.build.options.target {
        query.push(("target", target.clone()));
    }
    let options = args.build.options.build_options()?;
    if !options.build_args.is_empty() {
        let map: serde_json::Map<String, Value> =
            options.build_args.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        query.push(("buildargs", Value::Object(map).to_string()));
    }
    if let Some(platform) = &args.build.options.platform {
        query.push(("platform", platform.clone()));
    }
    if let Some(network) = &args.network {
        query.push(("networkmode", network.clone()));
    }
    if args.no_cache {
        query.push(("nocache", "1".into()));
    }

    let builder_name = if buildkit { "BuildKit" } else { "the classic builder" };
    if !buildkit {
        let extra: Vec<String> = stagecraft_core::builders::classic_unneeded_stages(&loaded.checked.plan)
            .into_iter()
            .map(stagecraft_core::plan::Stage::display_name)
            .collect();
        if !extra.is_empty() {
            let message = format!(
                "the classic builder also builds {} (before the target, though the target does not need {}); \
                 BuildKit would skip {}",
                extra.join(", "),
                if extra.len() == 1 { "it" } else { "them" },
                if extra.len() == 1 { "it" } else { "them" },
            );
            out.event(&json!({ "event": "note", "message": message, "stages": extra }));
            out.text(&format!("note: {message}\n"));
        }
    }
    out.text(&format!(
        "building with {builder_name} on Docker {} at {} (Engine API {}.{})\n",
        daemon.version, daemon.host_text, daemon.api.0, daemon.api.1
    ));
    out.event(&json!({
        "event": "start",
        "builder": if buildkit { "buildkit" } else { "classic" },
        "daemon": daemon.version,
        "api": format!("{}.{}", daemon.api.0, daemon.api.1),
    }));

    // Pack on a thread of its own while the request streams the chunks.
    let sent = Arc::new(AtomicU64::new(0));
    let (mut writer, rx) = ChunkWriter::new(8, sent.clone());
    let pack_dir = context.clone();
    let packer = std::thread::spawn(move || {
        let result = pack(&pack_dir, ignore.as_ref(), &dockerfile, &mut writer);
        if let Err(e) = &result {
            writer.fail(e.clone());
        }
        result
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let bar = upload_bar(out, &sent);
    let mut lines = daemon.build(&query, body).await?;

    let map = StepMap::new(&loaded.analysis, &loaded.checked.plan);
    let mut state = Follow { buildkit, current: None, failed: None, image: None, vertices: Vec::new() };
    let mut packed: Option<Result<Packed, String>> = None;
    let mut packer = Some(packer);
    let cancelled = loop {
        tokio::select! {
            line = lines.next() => {
                let Some(line) = line else { break false };
                if let Some(bar) = &bar { bar.finish_and_clear(); }
                if packed.is_none() && packer.as_ref().is_some_and(std::thread::JoinHandle::is_finished) {
                    packed = packer.take().map(|p| p.join().unwrap_or_else(|_| Err("packing the context panicked".into())));
                    report_packed(out, packed.as_ref());
                }
                state.line(out, &map, &line?);
            }
            _ = tokio::signal::ctrl_c() => break true,
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if cancelled {
        // Dropping the response closes the connection: the daemon cancels the build, and
        // with `forcerm` removes its containers.
        drop(lines);
        out.event(&json!({ "event": "cancelled" }));
        if !out.json {
            eprintln!("stagecraft: build cancelled");
        }
        return Ok(Outcome::Failure);
    }
    if let Some(packer) = packer.take() {
        packed = Some(packer.join().unwrap_or_else(|_| Err("packing the context panicked".into())));
        report_packed(out, packed.as_ref());
    }
    if let Some(Err(e)) = &packed {
        return Err(format!("the context was not sent: {e}"));
    }
    if let Some((message, source)) = state.failed {
        out.event(&json!({ "event": "error", "message": message, "at": source_json(source) }));
        if !out.json {
            let renderer = render::renderer(std::io::stderr().is_terminal());
            match source {
                Some(s) => eprintln!(
                    "{}",
                    render::error_at(&renderer, &loaded.source.name, &loaded.source.text, s.span, &message)
                ),
                None => eprintln!("stagecraft: {message}"),
            }
        }
        return Ok(Outcome::DockerfileErrors);
    }
    let image = state.image.unwrap_or_default();
    // The image's size, as `docker images` shows it.
    let size = daemon.docker.inspect_image(&image).await.ok().and_then(|i| i.size);
    out.event(&json!({ "event": "built", "image": image, "tags": args.tags, "size": size }));
    let size = size.map(|s| format!(" ({s} bytes)")).unwrap_or_default();
    out.text(&format!("image {image}{size}\n"));
    if args.verify {
        let report = crate::docker::verify::verify(daemon, loaded, &context, ignore_text.as_deref(), &image).await?;
        out.event(&json!({ "event": "verify", "agrees": report.agrees(), "report": report }));
        out.text(&report.human());
        if !report.agrees() {
            return Ok(Outcome::DockerfileErrors);
        }
    }
    Ok(Outcome::Clean)
}

fn report_packed(out: &Out, packed: Option<&Result<Packed, String>>) {
    let Some(Ok(packed)) = packed else { return };
    for w in &packed.warnings {
        out.event(&json!({ "event": "warning", "message": w }));
        if !out.json {
            eprintln!("stagecraft: {w}");
        }
    }
    out.event(&json!({ "event": "context", "entries": packed.entries, "bytes": packed.file_bytes }));
    out.text(&format!("context: {} entries, {} bytes of files\n", packed.entries, packed.file_bytes));
}

/// A spinner with the bytes sent so far, on a terminal only.
fn upload_bar(out: &Out, sent: &Arc<AtomicU64>) -> Option<indicatif::ProgressBar> {
    if out.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} sending the context {bytes} ({bytes_per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let (bar2, sent) = (bar.clone(), sent.clone());
    tokio::spawn(async move {
        while !bar2.is_finished() {
            bar2.set_position(sent.load(Ordering::Relaxed));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Some(bar)
}

/// What the daemon's lines said so far.
struct Follow {
    buildkit: bool,
    /// The classic builder's step being run.
    current: Option<StepSource>,
    failed: Option<(String, Option<StepSource>)>,
    image: Option<String>,
    /// BuildKit vertices seen: digest, started shown, done shown.
    vertices: Vec<(String, bool, bool)>,
}

impl Follow {
    fn line(&mut self, out: &Out, map: &StepMap<'_>, line: &[u8]) {
        let Ok(value) = serde_json::from_slice::<Value>(line) else {
            out.text(&String::from_utf8_lossy(line));
            return;
        };
        if let Some(aux) = value.get("aux") {
            if let Some(trace) =
                aux.as_str().filter(|_| value.get("id").and_then(Value::as_str) == Some("moby.buildkit.trace"))
            {
                match decode_trace(trace) {
                    Ok(status) => self.trace(out, map, &status),
                    Err(e) => out.text(&format!("stagecraft: {e}\n")),
                }
            } else if let Some(id) = aux.get("ID").and_then(Value::as_str) {
                self.image = Some(id.to_string());
            }
        }
        if let Some(text) = value.get("stream").and_then(Value::as_str) {
            for l in text.split_inclusive('\n') {
                if let Some(source) = map.classic(l) {
                    self.current = Some(source);
                    out.event(&json!({ "event": "step", "name": l.trim_end(), "at": source_json(Some(source)) }));
                    let end = if l.ends_with('\n') { "\n" } else { "" };
                    out.text(&format!("{} (Dockerfile:{}){end}", l.trim_end(), source.line));
                } else {
                    out.event(&json!({ "event": "output", "text": l }));
                    out.text(l);
                }
            }
        }
        if let Some(status) = value.get("status").and_then(Value::as_str) {
            out.event(&json!({ "event": "status", "text": status }));
            out.text(&format!("{status}\n"));
        }
        if let Some(message) = value
            .get("errorDetail")
            .and_then(|d| d.get("message"))
            .and_then(Value::as_str)
            .or_else(|| value.get("error").and_then(Value::as_str))
        {
            let at = if self.buildkit { self.failed.as_ref().and_then(|(_, s)| *s) } else { self.current };
            self.failed = Some((message.to_string(), at));
        }
    }

    fn trace(&mut self, out: &Out, map: &StepMap<'_>, status: &crate::docker::progress::StatusResponse) {
        for v in &status.vertexes {
            let number = if let Some(i) = self.vertices.iter().position(|(d, _, _)| *d == v.digest) {
                i
            } else {
                self.vertices.push((v.digest.clone(), false, false));
                self.vertices.len() - 1
            };
            let source = map.buildkit(&v.name);
            let entry = &mut self.vertices[number];
            if (v.started.is_some() || v.cached) && !entry.1 {
                entry.1 = true;
                let at = source.map(|s| format!(" (Dockerfile:{})", s.line)).unwrap_or_default();
                out.text(&format!("#{} {}{at}\n", number + 1, v.name));
                out.event(&json!({ "event": "step", "number": number + 1, "name": v.name, "at": source_json(source) }));
            }
            if !v.error.is_empty() {
                out.text(&format!("#{} ERROR: {}\n", number + 1, v.error));
                if source.is_some() || self.failed.is_none() {
                    self.failed = Some((v.error.clone(), source));
                }
            } else if (v.cached || v.completed.is_some()) && !entry.2 {
                entry.2 = true;
                let word = if v.cached { "CACHED" } else { "DONE" };
                out.text(&format!("#{} {word}\n", number + 1));
                out.event(&json!({ "event": "step-done", "number": number + 1, "cached": v.cached }));
            }
        }
        for log in &status.logs {
            let number = self.vertices.iter().position(|(d, _, _)| *d == log.vertex).map_or(0, |i| i + 1);
            let text = String::from_utf8_lossy(&log.msg);
            for l in text.lines() {
                out.text(&format!("#{number} {l}\n"));
            }
            out.event(&json!({ "event": "output", "number": number, "stream": log.stream, "text": text }));
        }
    }
}
