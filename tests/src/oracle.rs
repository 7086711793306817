//! The official parser as an oracle: BuildKit's Go parser through the PyPI package
//! `dockerfile` 3.4.0, run as a long-lived Python process (`tests/oracle/server.py`), and the
//! comparison of its answer with `stagecraft parse --format json`.
//!
//! The package embeds BuildKit v0.12.5. Where BuildKit today (the conformance data and its
//! current source) behaves differently, BuildKit today wins: [`known_difference`] names those
//! cases and the tests report them instead of comparing.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};
use stagecraft_core::report::InstructionView;
use stagecraft_core::syntax::{self, Args, Node, SyntaxTree};

/// The Python interpreter that has the package: `STAGECRAFT_ORACLE_PYTHON`, else the virtual
/// environment that `cargo xtask oracle` (and `.ci/run`) create.
#[must_use]
pub fn python() -> PathBuf {
    std::env::var_os("STAGECRAFT_ORACLE_PYTHON")
        .map_or_else(|| crate::workspace_root().join("target/oracle-venv/bin/python"), PathBuf::from)
}

/// A running oracle process.
#[derive(Debug)]
pub struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    /// Starts the oracle, or says why it cannot.
    pub fn start() -> Result<Self, String> {
        let python = python();
        if !python.exists() {
            return Err(format!("no oracle interpreter at {} (run `cargo xtask oracle`)", python.display()));
        }
        let server = crate::workspace_root().join("tests/oracle/server.py");
        let mut child = Command::new(&python)
            .arg(&server)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut oracle = Self { child, stdin, stdout };
        // Fail early, with a clear message, when the package is not installed.
        match oracle.parse("FROM scratch\n")? {
            Answer::Commands(_) => Ok(oracle),
            Answer::Error { message, .. } => Err(format!("the oracle does not work: {message}")),
        }
    }

    /// Parses `text` with the official parser.
    pub fn parse(&mut self, text: &str) -> Result<Answer, String> {
        let request = json!({ "text": text }).to_string();
        writeln!(self.stdin, "{request}").map_err(|e| format!("oracle write: {e}"))?;
        self.stdin.flush().map_err(|e| format!("oracle flush: {e}"))?;
        let mut line = String::new();
        self.stdout.read_line(&mut line).map_err(|e| format!("oracle read: {e}"))?;
        let value: Value = serde_json::from_str(&line).map_err(|e| format!("oracle answer {line:?}: {e}"))?;
        if let Some(commands) = value.get("ok").and_then(Value::as_array) {
            return Ok(Answer::Commands(commands.iter().map(normalise).collect()));
        }
        Ok(Answer::Error {
            message: value.get("error").and_then(Value::as_str).unwrap_or_default().to_string(),
            kind: value.get("type").and_then(Value::as_str).unwrap_or_default().to_string(),
        })
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the official parser said.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Commands(Vec<Value>),
    Error { message: String, kind: String },
}

/// The package turns empty strings into `None` for `cmd`, `sub_cmd` and `original`.
fn normalise(command: &Value) -> Value {
    let mut c = command.clone();
    for key in ["cmd", "sub_cmd", "original"] {
        if c.get(key).is_some_and(Value::is_null) {
            c[key] = json!("");
        }
    }
    c
}

/// Our answer for `text`, in the oracle's shape: the nine fields of each instruction, or the
/// error messages when the syntax layer rejects the file.
pub fn ours(text: &str) -> Result<Vec<Value>, Vec<String>> {
    let tree = syntax::parse(text);
    if tree.has_errors() {
        return Err(tree.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect());
    }
    Ok(tree
        .nodes
        .iter()
        .map(|n| {
            let v = InstructionView::new(n);
            json!({
                "cmd": v.cmd,
                "sub_cmd": v.sub_cmd.unwrap_or_default(),
                "json": v.json,
                "original": v.original,
                "start_line": v.start_line,
                "end_line": v.end_line,
                "flags": v.flags,
                "value": v.value,
                "heredocs": v.heredocs.iter().map(|h| json!({
                    "name": h.name, "file_descriptor": h.file_descriptor, "content": h.content,
                })).collect::<Vec<_>>(),
            })
        })
        .collect())
}

/// The nine fields of the instructions in a `stagecraft parse --format json` report, in the
/// oracle's shape, or the error messages when the report has errors.
pub fn from_report(report: &Value) -> Result<Vec<Value>, Vec<String>> {
    let errors: Vec<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(report["instructions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let mut c = json!({});
            for key in ["cmd", "sub_cmd", "json", "original", "start_line", "end_line", "flags", "value"] {
                c[key] = i[key].clone();
            }
            if c["sub_cmd"].is_null() {
                c["sub_cmd"] = json!("");
            }
            c["heredocs"] = i["heredocs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| json!({"name": h["name"], "file_descriptor": h["file_descriptor"], "content": h["content"]}))
                .collect();
            c
        })
        .collect())
}

/// Compares our result for `text` with the oracle's; `Err` describes the first difference.
pub fn compare(text: &str, answer: &Answer) -> Result<(), String> {
    compare_result(ours(text), answer)
}

/// Compares a result in the oracle's shape with the oracle's answer.
pub fn compare_result(ours: Result<Vec<Value>, Vec<String>>, answer: &Answer) -> Result<(), String> {
    // The package returns every string through a C string, so it ends at the first NUL
    // (a JSON `\u0000`); cut ours the same way before comparing.
    let ours = ours.map(|list| list.into_iter().map(|v| cut_at_nul(&v)).collect::<Vec<_>>());
    match (ours, answer) {
        (Err(_), Answer::Error { .. }) => Ok(()),
        (Ok(_), Answer::Error { message, kind }) => {
            Err(format!("the oracle rejects it ({kind}: {message}), we accept it"))
        }
        (Err(errors), Answer::Commands(_)) => {
            Err(format!("we reject it ({}), the oracle accepts it", errors.join("; ")))
        }
        (Ok(ours), Answer::Commands(theirs)) => {
            if ours.len() != theirs.len() {
                return Err(format!(
                    "{} instructions here, {} in the oracle\nours:   {ours:?}\ntheirs: {theirs:?}",
                    ours.len(),
                    theirs.len()
                ));
            }
            for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
                if a != b {
                    return Err(format!("instruction {i} differs\nours:   {a}\ntheirs: {b}"));
                }
            }
            Ok(())
        }
    }
}

fn cut_at_nul(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.split('\0').next().unwrap_or_default().to_string()),
        Value::Array(items) => Value::Array(items.iter().map(cut_at_nul).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), cut_at_nul(v))).collect()),
        other => other.clone(),
    }
}

/// Why BuildKit today and the oracle's BuildKit v0.12.5 may legitimately disagree on `text`,
/// if they may. BuildKit today wins in each of these cases.
#[must_use]
pub fn known_difference(text: &str) -> Option<&'static str> {
    if text.contains('\0') {
        return Some("the package passes text through a C string and cuts it at the first NUL");
    }
    let tree = syntax::parse(text);
    let check_then_more = tree.directives.iter().position(|d| d.name == "check").is_some_and(|i| {
        i + 1 < tree.directives.len()
            || tree.diagnostics.iter().any(|d| d.message == "only one check parser directive can be used")
    });
    if check_then_more {
        return Some(
            "`# check=` is a parser directive since Dockerfile frontend 1.8; v0.12.5 ends the directive block at it",
        );
    }
    if tree.escape == '`' && tree.nodes.iter().any(|n| flags_use_escapes(text, n)) {
        return Some(
            "flags honour the `# escape=` character in current BuildKit (splitCommand takes the directives); v0.12.5 always used a backslash",
        );
    }
    let lines_with_heredoc_words = text.lines().filter(|l| l.contains("<<"));
    for line in lines_with_heredoc_words {
        if heredoc_operator_then_blank(line) {
            return Some(
                "`<< EOF` (blanks after `<<`) is a heredoc since moby/buildkit#5817 (2025); v0.12.5 reads two words",
            );
        }
        if pattern_modifier(line) {
            return Some(
                "`${VAR#p}`, `${VAR%p}` and `${VAR/p/r}` lex since Dockerfile frontend 1.7; v0.12.5 fails and finds no heredoc on such a line",
            );
        }
    }
    if tree.nodes.iter().any(|n| json_with_trailing_text(n) || n.sub().is_some_and(json_with_trailing_text)) {
        return Some(
            "text after a JSON array makes it the shell form since moby/buildkit#5107 (json.Unmarshal, 2024); v0.12.5 decoded only the first value",
        );
    }
    None
}

fn flags_use_escapes(text: &str, node: &Node) -> bool {
    node.flags.iter().any(|f| f.span.slice(text).contains(['\\', '`']))
        || node.sub().is_some_and(|s| flags_use_escapes(text, s))
}

fn heredoc_operator_then_blank(line: &str) -> bool {
    line.match_indices("<<").any(|(i, _)| {
        let rest = line[i + 2..].strip_prefix('-').unwrap_or(&line[i + 2..]);
        rest.starts_with([' ', '\t']) && !rest.trim_start().is_empty()
    })
}

fn pattern_modifier(line: &str) -> bool {
    line.match_indices("${").any(|(i, _)| {
        let rest = &line[i + 2..];
        let name_len = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum::<usize>();
        rest[name_len..].starts_with(['#', '%', '/'])
            || rest[name_len..].starts_with(":#")
            || rest[name_len..].starts_with(":%")
    })
}

/// The arguments start with a JSON value that Go's streaming decoder accepts, but more text follows.
fn json_with_trailing_text(node: &Node) -> bool {
    let args: Vec<&str> = match &node.args {
        Args::List(list) if !node.json => list.iter().map(|t| t.value.as_ref()).collect(),
        Args::Health { command, .. } if !node.json => command.iter().map(|t| t.value.as_ref()).collect(),
        _ => return false,
    };
    let joined = args.join(" ");
    let trimmed = joined.trim_start();
    if !trimmed.starts_with('[') {
        return false;
    }
    let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<Value>();
    matches!(stream.next(), Some(Ok(Value::Array(_))))
}

/// For tests: the syntax tree, when a comparison needs to look at it.
#[must_use]
pub fn tree(text: &str) -> SyntaxTree {
    syntax::parse(text)
}
