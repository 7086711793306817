//! `stagecraft check`: every diagnostic of every layer and BuildKit's build checks, for a
//! person, a tool (JSON) or a code-scanning service (SARIF).

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use stagecraft_core::report::{CheckReport, SCHEMA, diagnostic_views};
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, CheckOptions, Diagnostic, LineIndex, Severity};

use crate::build_flags::{OptionFlags, dockerignore};
use crate::{Outcome, input, render};

/// Diagnostics shown in full by the human format; a machine-generated file can have thousands.
const MAX_SHOWN: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, one log for all files (for code-scanning tools).
    Sarif,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Dockerfiles, or `-` for standard input. With several files, `--format json` prints one
    /// report per line, each with a `file` field.
    #[arg(default_value = "Dockerfile")]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The build context, for `.dockerignore` (default: each Dockerfile's directory).
    #[arg(long)]
    context: Option<PathBuf>,
    /// Without `--target`, every stage is checked (as `docker build --check` does); with it,
    /// only the stages the target builds.
    #[command(flatten)]
    options: OptionFlags,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    if args.format == Format::Sarif {
        return sarif(args);
    }
    let many = args.files.len() > 1;
    // Files are independent: check them on every core, then print the reports in order.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(args.files.len()).max(1);
    let chunk = args.files.len().div_ceil(threads);
    let results: Vec<Result<(Vec<u8>, Outcome), String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = args
            .files
            .chunks(chunk.max(1))
            .map(|files| {
                scope.spawn(move || {
                    let mut buffer = Vec::new();
                    let mut outcome = Outcome::Clean;
                    for file in files {
                        if check_one(&mut buffer, file, args, many)? == Outcome::DockerfileErrors {
                            outcome = Outcome::DockerfileErrors;
                        }
                    }
                    Ok((buffer, outcome))
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err("a worker thread panicked".into()))).collect()
    });
    let mut out = std::io::stdout().lock();
    let mut outcome = Outcome::Clean;
    for result in results {
        let (buffer, o) = result?;
        out.write_all(&buffer).map_err(write_error)?;
        if o == Outcome::DockerfileErrors {
            outcome = o;
        }
    }
    out.flush().map_err(write_error)?;
    Ok(outcome)
}

#[derive(serde::Serialize)]
struct FileReport<'a> {
    schema: u32,
    file: &'a str,
    diagnostics: Vec<stagecraft_core::report::DiagnosticView>,
}

/// Reads one Dockerfile and checks it: the file, and every diagnostic.
fn analyse(file: &PathBuf, args: &Args) -> Result<(input::Source, Vec<Diagnostic>), String> {
    let source = input::read(file)?;
    let context = args.context.clone().unwrap_or_else(|| match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    });
    let options = CheckOptions {
        dockerignore: dockerignore(file, &context)?,
        ..CheckOptions::lint(args.options.build_options()?)
    };
    let analysis = Analysis::new(&source.text);
    let checked = analysis.check(&source.text, &options);
    let mut diagnostics: Vec<Diagnostic> = source.decode_diagnostic.iter().cloned().collect();
    diagnostics.extend(checked.diagnostics);
    Ok((source, diagnostics))
}

fn sarif(args: &Args) -> Result<Outcome, String> {
    let mut analysed = Vec::new();
    for file in &args.files {
        analysed.push(analyse(file, args)?);
    }
    let files: Vec<stagecraft_core::report::sarif::SarifFile<'_>> = analysed
        .iter()
        .map(|(source, diagnostics)| stagecraft_core::report::sarif::SarifFile {
            uri: &source.name,
            text: &source.text,
            diagnostics: diagnostics.iter().collect(),
        })
        .collect();
    let log = stagecraft_core::report::sarif::log(&files, env!("CARGO_PKG_VERSION"));
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?).map_err(write_error)?;
    let errors = analysed.iter().any(|(_, ds)| ds.iter().any(Diagnostic::is_error));
    Ok(if errors { Outcome::DockerfileErrors } else { Outcome::Clean })
}

fn check_one(out: &mut impl Write, file: &PathBuf, args: &Args, many: bool) -> Result<Outcome, String> {
    let (source, diagnostics) = analyse(file, args)?;
    let diagnostics: Vec<&Diagnostic> = diagnostics.iter().collect();
    let has_errors = diagnostics.iter().any(|d| d.is_error());
    match args.format {
        // SARIF is one log for every file, written by `sarif()`; never per file.
        Format::Json | Format::Sarif => {
            let views = diagnostic_views(diagnostics, &source.text, ColumnUnit::Char);
            let line = if many {
                serde_json::to_string(&FileReport { schema: SCHEMA, file: &source.name, diagnostics: views })
            } else {
                serde_json::to_string(&CheckReport { schema: SCHEMA, diagnostics: views })
            };
            writeln!(out, "{}", line.map_err(|e| e.to_string())?).map_err(write_error)?;
        }
        Format::Human => {
            let index = LineIndex::new(&source.text);
            let renderer = render::renderer(render::stdout_is_terminal());
            for d in diagnostics.iter().take(MAX_SHOWN) {
                writeln!(out, "{}\n", render::diagnostic(&renderer, &source.name, &source.text, &index, d))
                    .map_err(write_error)?;
            }
            if diagnostics.len() > MAX_SHOWN {
                writeln!(out, "... and {} more (`--format json` lists them all)\n", diagnostics.len() - MAX_SHOWN)
                    .map_err(write_error)?;
            }
            let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
            let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
            if diagnostics.is_empty() {
                writeln!(out, "{}: no problems found", source.name).map_err(write_error)?;
            } else {
                writeln!(out, "{}: {errors} error(s), {warnings} warning(s)", source.name).map_err(write_error)?;
            }
        }
    }
    Ok(if has_errors { Outcome::DockerfileErrors } else { Outcome::Clean })
}

#[allow(clippy::needless_pass_by_value)] // the shape `map_err` wants
fn write_error(e: std::io::Error) -> String {
    format!("cannot write the report: {e}")
}
