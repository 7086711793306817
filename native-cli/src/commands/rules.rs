//! `stagecraft rules [NAME]`: BuildKit's build checks, listed or explained one at a time.

use std::fmt::Write as _;

use stagecraft_core::lint::rules::{Explanation, explanation};
use stagecraft_core::lint::{RULES, Rule};

/// A rule with its explanation, as `--format json` prints it.
#[derive(serde::Serialize)]
struct Explained<'a> {
    #[serde(flatten)]
    rule: &'a Rule,
    #[serde(flatten)]
    explanation: Explanation,
}

fn explained(rule: &Rule) -> Explanation {
    explanation(rule.name()).unwrap_or_else(|| Explanation {
        what: String::new(),
        why: String::new(),
        bad: String::new(),
        good: String::new(),
    })
}

use crate::Outcome;
use crate::build_flags::TextOrJson as Format;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A rule to explain (its name as BuildKit spells it, any case); all rules when absent.
    name: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn indent(text: &str) -> String {
    text.lines().fold(String::new(), |mut out, l| {
        let _ = writeln!(out, "    {l}");
        out
    })
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let selected: Vec<&Rule> = match &args.name {
        None => RULES.iter().collect(),
        Some(name) => {
            let rule = RULES.iter().find(|r| r.name().eq_ignore_ascii_case(name)).ok_or_else(|| {
                let names: Vec<&str> = RULES.iter().map(Rule::name).collect();
                format!("no build check named {name}; the rules are: {}", names.join(", "))
            })?;
            vec![rule]
        }
    };
    let mut out = String::new();
    match args.format {
        Format::Json => {
            let all: Vec<Explained> =
                selected.iter().map(|r| Explained { rule: r, explanation: explained(r) }).collect();
            out = serde_json::to_string(&all).map_err(|e| e.to_string())? + "\n";
        }
        Format::Text if args.name.is_none() => {
            let width = RULES.iter().map(|r| r.name().len()).max().unwrap_or(0);
            for r in &selected {
                let flag = if r.experimental { " (experimental)" } else { "" };
                let _ = writeln!(out, "{:<width$}  {}{flag}", r.name(), r.description);
            }
            out.push_str("\n`stagecraft rules NAME` explains one; `# check=skip=NAME` turns one off.\n");
        }
        Format::Text => {
            for r in &selected {
                let e = explained(r);
                let flag = if r.experimental {
                    "\nexperimental: on only with # check=experimental=".to_string() + r.name()
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    "{}: {}{flag}\n\nWhat: {}\nWhy:  {}\n\nBad:\n{}\nGood:\n{}\nDocs: {}\n",
                    r.name(),
                    r.description,
                    e.what,
                    e.why,
                    indent(&e.bad),
                    indent(&e.good),
                    r.url
                );
            }
        }
    }
    print!("{out}");
    Ok(Outcome::Clean)
}
