//! `stagecraft check`: every diagnostic of every layer that exists, for a person or a tool.

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
    let mut outcome = Outcome::Clean;
    let many = args.files.len() > 1;
    for file in &args.files {
        match check_one(file, args.format, many)? {
            Outcome::Clean => {}
            other => outcome = other,
        }
    }
    Ok(outcome)
}

#[derive(serde::Serialize)]
struct FileReport<'a> {
    schema: u32,
    file: &'a str,
    diagnostics: Vec<stagecraft_core::report::DiagnosticView>,
}

fn check_one(file: &PathBuf, format: Format, many: bool) -> Result<Outcome, String> {
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
            println!("{}", line.map_err(|e| e.to_string())?);
        }
        Format::Human => {
            let index = LineIndex::new(&source.text);
            let renderer = render::renderer(render::stdout_is_terminal());
            for d in diagnostics.iter().take(MAX_SHOWN) {
                println!("{}\n", render::diagnostic(&renderer, &source.name, &source.text, &index, d));
            }
            if diagnostics.len() > MAX_SHOWN {
                println!("... and {} more (`--format json` lists them all)\n", diagnostics.len() - MAX_SHOWN);
            }
            let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
            let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
            if diagnostics.is_empty() {
                println!("{}: no problems found", source.name);
            } else {
                println!("{}: {errors} error(s), {warnings} warning(s)", source.name);
            }
        }
    }
    Ok(if has_errors { Outcome::DockerfileErrors } else { Outcome::Clean })
}
