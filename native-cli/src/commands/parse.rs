//! `stagecraft parse`: BuildKit's parser only, as BuildKit's dump or as JSON.

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
    /// The Dockerfile, or `-` for standard input.
    #[arg(default_value = "Dockerfile")]
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let source = input::read(&args.file)?;
    let tree = syntax::parse(&source.text);
    let extra: Vec<_> = source.decode_diagnostic.clone().into_iter().collect();
    let has_errors = tree.has_errors() || extra.iter().any(stagecraft_core::Diagnostic::is_error);
    match args.format {
        Format::Buildkit => {
            print!("{}", syntax::dump(&tree));
            let index = stagecraft_core::LineIndex::new(&source.text);
            let renderer = crate::render::renderer(std::io::IsTerminal::is_terminal(&std::io::stderr()));
            for d in extra.iter().chain(&tree.diagnostics) {
                eprintln!("{}", crate::render::diagnostic(&renderer, &source.name, &source.text, &index, d));
            }
        }
        Format::Json => {
            let report = ParseReport::new(&tree, &source.text, &extra, ColumnUnit::Char);
            println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?);
        }
    }
    Ok(if has_errors { Outcome::DockerfileErrors } else { Outcome::Clean })
}
