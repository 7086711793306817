//! `stagecraft parse`: BuildKit's parser only, as BuildKit's dump or as JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use stagecraft_core::report::ParseReport;
use stagecraft_core::syntax;
use stagecraft_core::text::ColumnUnit;

use crate::{Outcome, input};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// The s-expression dump of BuildKit's parser test files.
    Buildkit,
    /// The nine fields of BuildKit's official parser, with spans and diagnostics.
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Dockerfiles, or `-` for standard input. With several files, `--format json` prints one
    /// report per line, each with a `file` field.
    #[arg(default_value = "Dockerfile")]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let mut outcome = Outcome::Clean;
    let many = args.files.len() > 1;
    let mut out = std::io::stdout().lock();
    for file in &args.files {
        if parse_one(&mut out, file, args.format, many)? == Outcome::DockerfileErrors {
            outcome = Outcome::DockerfileErrors;
        }
    }
    Ok(outcome)
}

#[derive(serde::Serialize)]
struct FileReport<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: ParseReport,
}

fn parse_one(out: &mut impl Write, file: &PathBuf, format: Format, many: bool) -> Result<Outcome, String> {
    let source = input::read(file)?;
    let tree = syntax::parse(&source.text);
    let extra: Vec<_> = source.decode_diagnostic.clone().into_iter().collect();
    let has_errors = tree.has_errors() || extra.iter().any(stagecraft_core::Diagnostic::is_error);
    let write_error = |e: std::io::Error| format!("cannot write the report: {e}");
    match format {
        Format::Buildkit => {
            if many {
                writeln!(out, "# {}", source.name).map_err(write_error)?;
            }
            write!(out, "{}", syntax::dump(&tree)).map_err(write_error)?;
            let index = stagecraft_core::LineIndex::new(&source.text);
            let renderer = crate::render::renderer(std::io::IsTerminal::is_terminal(&std::io::stderr()));
            for d in extra.iter().chain(&tree.diagnostics) {
                eprintln!("{}", crate::render::diagnostic(&renderer, &source.name, &source.text, &index, d));
            }
        }
        Format::Json => {
            let report = ParseReport::new(&tree, &source.text, &extra, ColumnUnit::Char);
            let line = if many {
                serde_json::to_string(&FileReport { file: &source.name, report })
            } else {
                serde_json::to_string(&report)
            };
            writeln!(out, "{}", line.map_err(|e| e.to_string())?).map_err(write_error)?;
        }
    }
    Ok(if has_errors { Outcome::DockerfileErrors } else { Outcome::Clean })
}
