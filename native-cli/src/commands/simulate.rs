//! `stagecraft simulate`: the build simulated over an in-memory filesystem: every stage and
//! layer, the final image's files and config, as text, JSON, or the image's files as a tar.

use std::fmt::Write as _;
use std::io::Write as _;

use clap::ValueEnum;
use stagecraft_core::report::sim::SimulationReport;
use stagecraft_core::sim::{Fidelity, simulate};
use stagecraft_core::text::ColumnUnit;

use crate::build_flags::BuildFlags;
use crate::{Outcome, render};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Stages, layers, and the image's files and config.
    Text,
    Json,
    /// The chosen stage's root filesystem as a tar archive on standard output.
    Tar,
    /// A build log in BuildKit's plain progress style.
    Log,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    build: BuildFlags,
    /// The stage whose image to show or export (a name or an index); the target by default.
    #[arg(long)]
    stage: Option<String>,
    /// Extra catalog files (base-image configs and file trees); their images win.
    #[arg(long = "catalog", value_name = "FILE")]
    catalogs: Vec<std::path::PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Simulate without the context's files (a Dockerfile read without its directory): what
    /// COPY and bind mounts take from the context stands in as files of unknown content, and
    /// the steps after them are modeled.
    #[arg(long)]
    no_context: bool,
}

fn human(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes < 1000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{:.1} kB", b / 1e3)
    } else if bytes < 1_000_000_000 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    // Extra base images: for the checks (their configs) and the simulation (their files).
    let mut extra = stagecraft_core::catalog::Catalog::empty();
    for file in &args.catalogs {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        extra.load(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let loaded = args.build.check_with((!extra.is_empty()).then(|| extra.clone()))?;
    let context = if args.no_context {
        stagecraft_core::sim::BuildContext::unknown()
    } else {
        let dockerignore = {
            let file = args.build.file.clone().unwrap_or_else(|| args.build.context.join("Dockerfile"));
            crate::build_flags::dockerignore(&file, &args.build.context)?
        };
        let (context, warnings) = crate::context::load(&args.build.context, dockerignore.as_deref())?;
        for w in warnings {
            eprintln!("stagecraft: {w}");
        }
        context
    };
    let text = &loaded.source.text;
    let needed = loaded.checked.plan.images_used();
    let mut catalog = crate::catalog::catalog(&needed)?;
    catalog.extend(&extra);
    let sim = simulate(text, &loaded.analysis, &loaded.checked, &context, &catalog);
    let stage = match &args.stage {
        None => None,
        Some(s) => Some(
            s.parse::<usize>()
                .ok()
                .filter(|&i| i < loaded.checked.plan.stages.len())
                .or_else(|| loaded.checked.plan.stage_named(s))
                .ok_or_else(|| format!("--stage {s}: no such stage"))?,
        ),
    };
    if let Some(i) = stage
        && sim.stage(i).is_none()
    {
        return Err(format!(
            "--stage {}: the target does not build it (choose it with --target)",
            args.stage.as_deref().unwrap_or_default()
        ));
    }
    let report = SimulationReport::new(&loaded.checked, &sim, text, stage, ColumnUnit::Char);
    let errors = loaded.has_errors() || sim.diagnostics.iter().any(stagecraft_core::Diagnostic::is_error);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?),
        Format::Log => {
            let statuses = stagecraft_core::sim::cache::compare(None, &sim);
            let name = loaded.source.name.rsplit('/').next().unwrap_or("Dockerfile").to_string();
            print!("{}", stagecraft_core::sim::cache::build_log(&loaded.checked, &sim, &statuses, &name));
        }
        Format::Tar => {
            let index = stage.or(loaded.checked.plan.target).ok_or("no stage to export")?;
            let stage_sim = sim.stage(index).ok_or("the stage was not simulated")?;
            let bytes = stagecraft_core::fs::to_tar(&stage_sim.snapshot, "/")?;
            std::io::stdout().lock().write_all(&bytes).map_err(|e| format!("cannot write the archive: {e}"))?;
        }
        Format::Text => {
            let mut out = String::new();
            for s in &report.stages {
                let name = s.name.clone().unwrap_or_else(|| format!("stage-{}", s.index));
                if !s.built {
                    let _ = writeln!(out, "stage {} {name}: skipped\n", s.index);
                    continue;
                }
                let _ = writeln!(
                    out,
                    "stage {} {name}: from {}{}",
                    s.index,
                    s.base,
                    if s.opaque { " (partly opaque)" } else { "" }
                );
                if let Some(shell) = &s.shell {
                    let _ = match (&shell.path, &shell.flavour) {
                        (Some(path), Some(flavour)) => writeln!(out, "  shell: {path} ({flavour})"),
                        (Some(path), None) => writeln!(out, "  shell: {path}"),
                        _ => writeln!(out, "  shell: none (RUN needs an exec form or a shell of your own)"),
                    };
                }
                for (i, layer) in s.layers.iter().enumerate() {
                    let fidelity = match layer.fidelity {
                        Fidelity::Exact => "exact",
                        Fidelity::Modeled => "modeled",
                        Fidelity::Opaque => "opaque",
                        Fidelity::Failed => "FAILED",
                    };
                    let effect = if layer.makes_layer {
                        format!("+{} ~{} -{}  {}", layer.added, layer.modified, layer.deleted, human(layer.size))
                    } else {
                        "config".to_string()
                    };
                    let mut instruction = layer.instruction.clone();
                    if instruction.chars().count() > 60 {
                        instruction = instruction.chars().take(59).collect::<String>() + "…";
                    }
                    let _ = writeln!(out, "  #{:<3} {instruction:<60}  {fidelity:<8} {effect}", i + 1);
                }
                let _ = writeln!(out, "  size {}\n", human(s.size));
            }
            if let Some(image) = &report.image {
                let _ =
                    writeln!(out, "image (stage {}): {} files, {}", image.stage, image.files.len(), human(image.size));
                if let Some(sizes) = &report.sizes {
                    let _ = writeln!(
                        out,
                        "  largest stage: #{} {}; the same steps in one stage: {}",
                        sizes.largest_stage.index,
                        human(sizes.largest_stage.size),
                        human(sizes.single_stage)
                    );
                }
                let c = &image.config;
                for (label, value) in [
                    ("Env", c.env.iter().cloned().collect::<Vec<_>>().join(" ")),
                    ("WorkingDir", c.workdir.clone()),
                    ("User", c.user.clone()),
                    ("Entrypoint", c.entrypoint.as_ref().map(|e| format!("{e:?}")).unwrap_or_default()),
                    ("Cmd", c.cmd.as_ref().map(|e| format!("{e:?}")).unwrap_or_default()),
                    ("ExposedPorts", c.exposed_ports.iter().cloned().collect::<Vec<_>>().join(" ")),
                    ("Volumes", c.volumes.iter().cloned().collect::<Vec<_>>().join(" ")),
                ] {
                    if !value.is_empty() {
                        let _ = writeln!(out, "  {label}: {value}");
                    }
                }
                out.push('\n');
                for f in &image.files {
                    let from =
                        f.layer.map_or_else(|| "base".to_string(), |l| format!("stage {} #{}", l.stage, l.index + 1));
                    let link = f.target.as_deref().map(|t| format!(" -> {t}")).unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "  {} {:>5}:{:<5} {:>9}  {}{link}  ({from})",
                        f.mode,
                        f.uid,
                        f.gid,
                        human(f.size),
                        f.path
                    );
                }
            }
            let all: Vec<&stagecraft_core::Diagnostic> = loaded.diagnostics().chain(&sim.diagnostics).collect();
            render::append(&mut out, &loaded.source.name, text, all);
            print!("{out}");
        }
    }
    Ok(if errors { Outcome::DockerfileErrors } else { Outcome::Clean })
}
