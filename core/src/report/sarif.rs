//! SARIF 2.1.0 for code-scanning tools (`stagecraft check --format sarif`): one run, the rules
//! that fired (build checks with BuildKit's documentation links), and one result per
//! diagnostic with its region in UTF-16 columns (SARIF's default column unit).

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rules;
use crate::text::{ColumnUnit, LineIndex, Span};

/// One analysed file.
#[derive(Debug)]
pub struct SarifFile<'a> {
    /// The path as given, relative to the repository when possible.
    pub uri: &'a str,
    pub text: &'a str,
    pub diagnostics: Vec<&'a Diagnostic>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(text: &str, index: &LineIndex, span: Span) -> Value {
    let start = index.line_col(text, span.start, ColumnUnit::Utf16);
    let end = index.line_col(text, span.end, ColumnUnit::Utf16);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// The SARIF log for some files.
#[must_use]
pub fn log(files: &[SarifFile<'_>], version: &str) -> Value {
    let mut codes: Vec<crate::Code> = files.iter().flat_map(|f| f.diagnostics.iter().map(|d| d.code)).collect();
    crate::sort::sort_dedup(&mut codes);
    let rule_list: Vec<Value> = codes
        .iter()
        .map(|&code| match rules::rule(code) {
            Some(rule) => {
                let e = rules::explanation(rule.name()).unwrap_or_else(|| rules::Explanation {
                    what: String::new(),
                    why: String::new(),
                    bad: String::new(),
                    good: String::new(),
                });
                json!({
                    "id": code.name(),
                    "name": code.name(),
                    "shortDescription": { "text": rule.description },
                    "fullDescription": { "text": format!("{} {}", e.what, e.why) },
                    "helpUri": rule.url,
                    "help": {
                        "text": format!("{}\n\nBad:\n{}\n\nGood:\n{}", e.why, e.bad, e.good),
                    },
                    "defaultConfiguration": { "level": level(code.severity()) },
                    "properties": { "tags": ["buildkit-build-check"], "experimental": rule.experimental },
                })
            }
            None => json!({
                "id": code.name(),
                "name": code.name(),
                "shortDescription": { "text": code.summary() },
                "defaultConfiguration": { "level": level(code.severity()) },
            }),
        })
        .collect();
    let mut results = Vec::new();
    for file in files {
        let index = LineIndex::new(file.text);
        for d in &file.diagnostics {
            let location = |span: Span| {
                json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": file.uri },
                        "region": region(file.text, &index, span),
                    }
                })
            };
            let mut result = json!({
                "ruleId": d.code.name(),
                "ruleIndex": codes.iter().position(|c| *c == d.code).unwrap_or_default(),
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [location(d.span)],
            });
            if !d.related.is_empty() {
                result["relatedLocations"] = Value::Array(
                    d.related
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let mut loc = location(l.span);
                            loc["id"] = json!(i);
                            loc["message"] = json!({ "text": l.message });
                            loc
                        })
                        .collect(),
                );
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "stagecraft",
                    "version": version,
                    "informationUri": "https://docs.docker.com/reference/build-checks/",
                    "rules": rule_list,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}
