//! `stagecraft outline`: what building the target asks of the user (build args, secrets, ssh),
//! in the spirit of `docker buildx build --call=outline`.

use std::fmt::Write as _;

use stagecraft_core::report::plan::OutlineReport;
use stagecraft_core::text::ColumnUnit;

use crate::build_flags::{BuildFlags, TextOrJson as Format};
use crate::{Outcome, render};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    build: BuildFlags,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let loaded = args.build.check()?;
    let report =
        OutlineReport::new(&loaded.analysis, &loaded.checked, &loaded.source.text, &loaded.extra, ColumnUnit::Char);
    let errors: Vec<_> = loaded.diagnostics().filter(|d| d.is_error()).collect();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?),
        Format::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "TARGET:\t{}", report.name.as_deref().unwrap_or("(default)"));
            if let Some(d) = &report.description {
                let _ = writeln!(out, "DESCRIPTION:\t{d}");
            }
            out.push('\n');
            table(
                &mut out,
                ["BUILD ARG", "VALUE", "DESCRIPTION"],
                report.args.iter().map(|a| {
                    [a.name.clone(), a.value.clone().unwrap_or_default(), a.description.clone().unwrap_or_default()]
                }),
            );
            for (title, mounts) in [("SECRET", &report.secrets), ("SSH", &report.ssh)] {
                if !mounts.is_empty() {
                    out.push('\n');
                    table(
                        &mut out,
                        [title, "REQUIRED", "LINE"],
                        mounts.iter().map(|m| {
                            [
                                m.name.clone(),
                                if m.required { "true".into() } else { "false".into() },
                                m.line.to_string(),
                            ]
                        }),
                    );
                }
            }
            render::append(&mut out, &loaded.source.name, &loaded.source.text, errors.iter().copied());
            print!("{out}");
        }
    }
    Ok(if errors.is_empty() { Outcome::Clean } else { Outcome::DockerfileErrors })
}

/// A left-aligned table with a header, columns as wide as their widest cell.
pub(crate) fn table<const N: usize>(out: &mut String, header: [&str; N], rows: impl Iterator<Item = [String; N]>) {
    let rows: Vec<[String; N]> = rows.collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut String, cells: [&str; N]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == N {
                s.push_str(cell);
            } else {
                let _ = write!(s, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(out, header);
    for row in &rows {
        line(out, std::array::from_fn(|i| row[i].as_str()));
    }
}
