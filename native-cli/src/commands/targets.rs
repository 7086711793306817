//! `stagecraft targets`: every stage a build can target, with its description, in the spirit
//! of `docker buildx build --call=targets`.

use stagecraft_core::Analysis;
use stagecraft_core::report::plan::TargetsReport;
use stagecraft_core::text::ColumnUnit;

use crate::build_flags::{BuildFlags, TextOrJson as Format};
use crate::commands::outline::table;
use crate::{Outcome, render};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    build: BuildFlags,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let (source, options) = args.build.load(false)?;
    let analysis = Analysis::new(&source.text);
    let plan = analysis.plan(&source.text, &options.build);
    let extra: Vec<_> = source.decode_diagnostic.clone().into_iter().collect();
    let report = TargetsReport::new(&analysis, &plan, &source.text, &extra, ColumnUnit::Char);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?),
        Format::Text => {
            let mut out = String::new();
            table(
                &mut out,
                ["TARGET", "DESCRIPTION"],
                report.targets.iter().map(|t| {
                    let mut name =
                        t.name.clone().unwrap_or_else(|| format!("stage-{} (unnamed: not selectable)", t.index));
                    if t.default {
                        name.push_str(" (default)");
                    }
                    [name, t.description.clone().unwrap_or_default()]
                }),
            );
            let errors = extra.iter().chain(analysis.diagnostics()).filter(|d| d.is_error());
            render::append(&mut out, &source.name, &source.text, errors);
            print!("{out}");
        }
    }
    Ok(if report.diagnostics.is_empty() { Outcome::Clean } else { Outcome::DockerfileErrors })
}
