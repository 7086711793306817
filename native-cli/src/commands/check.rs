//! `stagecraft check`: every diagnostic of every layer that exists, for a person or a tool.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use stagecraft_core::report::{CheckReport, SCHEMA, diagnostic_views};
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, Diagnostic, LineIndex, Severity};

use crate::{Outcome, input, render};

/// Diagnostics shown in full by the human format; a machine-generated file can have thousands.
const MAX_SHOWN: usize = 200;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Dockerfiles, or `-` for standard input. With several files, `--format json` prints one
    /// report per line, each with a `file` field.
    #[arg(default_value = "Dockerfile")]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
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
                        if check_one(&mut buffer, file, args.format, many)? == Outcome::DockerfileErrors {
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

fn check_one(out: &mut impl Write, file: &PathBuf, format: Format, many: bool) -> Result<Outcome, String> {
    let source = input::read(file)?;
    let analysis = Analysis::new(&source.text);
    let mut diagnostics: Vec<&Diagnostic> = source.decode_diagnostic.iter().collect();
    diagnostics.extend(analysis.diagnostics());
    let has_errors = diagnostics.iter().any(|d| d.is_error());
    match format {
        Format::Json => {
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
