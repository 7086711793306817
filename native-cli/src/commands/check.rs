//! `stagecraft check`: every diagnostic of every layer that exists, for a person or a tool.

use std::path::PathBuf;

use clap::ValueEnum;
use stagecraft_core::report::{CheckReport, SCHEMA, diagnostic_views};
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Diagnostic, LineIndex, Severity, instructions, syntax};

use crate::{Outcome, input, render};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The Dockerfile, or `-` for standard input.
    #[arg(default_value = "Dockerfile")]
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let source = input::read(&args.file)?;
    let tree = syntax::parse(&source.text);
    let lowered = instructions::lower(&tree);
    let mut diagnostics: Vec<&Diagnostic> = source.decode_diagnostic.iter().collect();
    diagnostics.extend(&tree.diagnostics);
    diagnostics.extend(lowered.all_diagnostics());
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    let has_errors = diagnostics.iter().any(|d| d.is_error());
    match args.format {
        Format::Json => {
            let report = CheckReport { schema: SCHEMA, diagnostics: diagnostic_views(diagnostics, &source.text, ColumnUnit::Char) };
            println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?);
        }
        Format::Human => {
            let index = LineIndex::new(&source.text);
            let renderer = render::renderer(render::stdout_is_terminal());
            for d in &diagnostics {
                println!("{}\n", render::diagnostic(&renderer, &source.name, &source.text, &index, d));
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
