//! Tool models declared as data: what a tool writes, read from a table rather than coded
//! one by one. A table of text costs the browser build a fraction of what the same models
//! cost as code, and adding a tool is adding a line.
//!
//! Each line of the table (`tools.txt`) is `TOOLS WHEN: OP; OP; ...`:
//! - `TOOLS`: names separated by `|`;
//! - `WHEN`: `*` (any use), `a|b` (the first operand is one of these: a subcommand), `-x|--y`
//!   (one of these options is given), or `~TEXT` (an argument contains TEXT); the first line
//!   that matches is the model, and when one of its paths cannot be made (an option it needs is
//!   missing) the next line is tried;
//! - `OP`: `w PATH SIZE` a file of unknown content (0644); `x PATH SIZE` the same, executable;
//!   `k PATH SIZE` the same, private (0600); `t PATH TEXT` a file of this text (`\n` for a
//!   newline); `d PATH` removed; `u PATH` rewritten, its content unknown, its size kept; `o
//!   TEXT` printed; `l PATH TARGET` a symbolic link (`L`: only when TARGET, taken from the
//!   link's directory, exists); `r UTILITY ARGS` a utility the interpreter has, run; `s` a stream of unknown bytes printed; `i DB` the operands installed as
//!   packages and recorded in the database file DB; `p` the files are partly unknown from here
//!   on; `n NOTE` what the model estimates (a default note otherwise).
//!
//! An op whose text names `{op}` (an operand after the subcommand) or `{base}` (its file name
//! without the extension) or `{conf}` (without `.conf`) runs once for each operand. `{1}`,
//! `{2}`, `{3}` are the operands by position (an empty one cannot be used), `{last}` the last. The other templates: `{cwd}`, `{home}`,
//! `{tool}`, `{sub}`, `{name}` (the working directory's name), `{o:-x|--y=DEFAULT}` (an option's
//! value), `{e:VAR=DEFAULT}` (a variable), `{phpext}` (PHP's extension directory), `{zend}`
//! (`zend_` for the PHP extensions that are Zend extensions), `{mixapp}` (the app `mix.exs`
//! names). Sizes are estimates, in bytes.

use super::builds::operands;
use super::utils::{Env, make_parents, open_for_write, read_text};
use crate::fs::{Content, Entry, Meta};

/// The models (`tools.txt`; see the module's documentation for the form of a line). Native
/// builds carry them; the browser build is handed the same file by the playground
/// ([`load_tool_models`]), so that its .wasm does not carry the text.
#[cfg(not(target_arch = "wasm32"))]
const BUILTIN: &str = include_str!("tools.txt");
#[cfg(target_arch = "wasm32")]
const BUILTIN: &str = "";

static LOADED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Hands the tool models (the text of `core/src/run/tools.txt`) to a build that does not carry
/// them (the browser's); the first call wins.
pub fn load_tool_models(text: &str) {
    let _ = LOADED.set(text.to_string());
}

fn table() -> &'static str {
    LOADED.get().map_or(BUILTIN, String::as_str)
}

/// Options whose value is the next word, so that it is not taken for an operand.
const VALUED: [&str; 26] = [
    "--maxlevel",
    "--title",
    "--entryprefix",
    "-o",
    "-f",
    "-d",
    "-C",
    "-n",
    "-p",
    "-j",
    "-s",
    "-k",
    "--output",
    "--file",
    "--name",
    "--prefix",
    "--channel",
    "--path",
    "--jobs",
    "--ini-name",
    "--root",
    "--outDir",
    "--version",
    "--tool-path",
    "--add-source",
    "--configfile",
];

impl Env<'_> {
    /// Runs the declared model of `tool`; `None` when no line of the table is for this use.
    pub(crate) fn declared(&mut self, tool: &str, args: &[String]) -> Option<i32> {
        // An operand of text not known here (a package named by a command substitution) names
        // nothing known: left out.
        let mut words = operands(args, &VALUED);
        words.retain(|w| !w.contains(super::expand::UNKNOWN_TEXT));
        let sub = words.first().copied().unwrap_or("");
        for line in table().lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (head, ops) = line.split_once(": ")?;
            let (tools, when) = head.split_once(' ')?;
            if !tools.split('|').any(|t| t == tool) {
                continue;
            }
            let matches = when == "*"
                || when.split('|').any(|w| {
                    if let Some(text) = w.strip_prefix('~') {
                        args.iter().any(|a| a.contains(text))
                    } else if w.starts_with('-') {
                        args.iter().any(|a| a == w || a.split_once('=').is_some_and(|(k, _)| k == w))
                    } else {
                        w == sub
                    }
                });
            if !matches {
                continue;
            }
            // The operands after the subcommand (all of them when the line is for options).
            let each: Vec<&str> = if when == "*" || when.starts_with(['-', '~']) {
                words.clone()
            } else {
                words.iter().skip(1).copied().collect()
            };
            if let Some(status) = self.apply(tool, sub, ops, &each, args) {
                return Some(status);
            }
        }
        None
    }

    /// The ops of one line; `None` when a path cannot be made (the next line is tried).
    fn apply(&mut self, tool: &str, sub: &str, ops: &str, each: &[&str], args: &[String]) -> Option<i32> {
        // Every path first: a line whose option is missing changes nothing.
        let mut plan: Vec<(char, String, String)> = Vec::new();
        let mut note = None;
        for op in ops.split("; ") {
            // The table may come from the page: any text, so no byte slicing.
            let mut chars = op.chars();
            let kind = chars.next()?.to_string();
            let kind = kind.as_str();
            let rest = chars.as_str().trim_start();
            if kind == "n" {
                note = Some(self.template(rest, tool, sub, "", args, each)?);
                continue;
            }
            let per_operand = ["{op}", "{base}", "{conf}"].iter().any(|t| rest.contains(t));
            let operands: &[&str] = if per_operand { each } else { &[""] };
            for operand in operands {
                let (target, value) = match kind {
                    "w" | "x" | "k" | "t" | "l" | "L" => rest.split_once(' ')?,
                    _ => (rest, ""),
                };
                let target = self.template(target, tool, sub, operand, args, each)?;
                let value = self.template(value, tool, sub, operand, args, each)?;
                plan.push((kind.chars().next()?, target, value));
            }
        }
        for (kind, target, value) in plan {
            let path = self.shell.abs(&target);
            match kind {
                'w' | 'x' | 'k' => {
                    let mode = match kind {
                        'x' => 0o755,
                        'k' => 0o600,
                        _ => 0o644,
                    };
                    let size = value.parse().ok()?;
                    if let Err(e) = self.synthetic(&path, size, &format!("{tool} {sub}: {path}"), mode) {
                        return Some(self.fail(&format!("{target}: {e}")));
                    }
                }
                't' => {
                    // Written as the user, as `>` writes it: an existing file keeps its owner.
                    let made = make_parents(self.shell, &path);
                    let canonical = match made.and_then(|()| open_for_write(self.shell, &path, false)) {
                        Ok(c) => c,
                        Err(e) => return Some(self.fail(&format!("{target}: {e}"))),
                    };
                    let meta = self.shell.fs.stat(&canonical).map_or(Meta::FILE, |e| e.meta);
                    let text = value.replace("\\n", "\n");
                    self.shell.fs.insert(&canonical, Entry::file(Content::bytes(text.into_bytes()), meta)).ok()?;
                }
                // A link to a file that exists, next to the link (`a2enmod`).
                'L' if self
                    .shell
                    .fs
                    .stat(&crate::dockerignore::clean(&format!("{}/{value}", path.rsplit_once('/')?.0)))
                    .is_none() => {}
                'r' => {
                    let words: Vec<String> = target.split_whitespace().map(ToString::to_string).collect();
                    let (utility, rest) = words.split_first()?;
                    let status = self.run(utility, rest)?;
                    if status != 0 {
                        return Some(status);
                    }
                }
                'l' | 'L' => {
                    let _ = make_parents(self.shell, &path);
                    let link = Meta::new(0o777, self.shell.uid, self.shell.gid);
                    self.shell.fs.insert(&path, Entry::symlink(value.as_str(), link)).ok()?;
                }
                'd' => {
                    let _ = self.shell.fs.remove(&path);
                }
                'u' => match self.shell.fs.stat(&path) {
                    Some(e) => {
                        let mode = e.meta.mode;
                        self.synthetic(&path, e.size(), &format!("{tool} of {path}"), mode).ok()?;
                    }
                    None if self.shell.partial => {}
                    None => return Some(self.fail(&format!("'{target}': No such file"))),
                },
                'o' => self.io.stdout.extend_from_slice(target.replace("\\n", "\n").as_bytes()),
                's' => self.io.unknown_out = Some(format!("the output of {tool}")),
                'i' => {
                    let names: Vec<String> = each
                        .iter()
                        .map(|f| {
                            let base = f.rsplit('/').next().unwrap_or(f);
                            base.split(['_', '=', '<', '>']).next().unwrap_or(base).to_string()
                        })
                        .collect();
                    self.record_installed(&path, &names, tool);
                    self.install_packages(tool, &names);
                }
                'p' => self.shell.partial = true,
                _ => return None,
            }
        }
        let note =
            note.unwrap_or_else(|| format!("{tool} {sub} is modeled: the names are the tool's, the sizes estimates"));
        self.shell.model(&note);
        Some(0)
    }

    /// `text` with its templates filled; `None` when one cannot be (a missing option without
    /// a default).
    fn template(
        &self,
        text: &str,
        tool: &str,
        sub: &str,
        operand: &str,
        args: &[String],
        each: &[&str],
    ) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}')?;
            // A default may hold a template of its own (`{e:GNUPGHOME={home}/.gnupg}`).
            let end = if rest[start + 1..end].contains('{') { end + 1 + rest[end + 1..].find('}')? } else { end };
            let key = &rest[start + 1..end];
            let value = match key {
                "cwd" => self.shell.cwd.trim_end_matches('/').to_string(),
                "home" => self.shell.var("HOME").unwrap_or("/root").trim_end_matches('/').to_string(),
                "tool" => tool.to_string(),
                "sub" => sub.to_string(),
                "op" => operand.to_string(),
                "conf" => operand.trim_end_matches(".conf").to_string(),
                "1" | "2" | "3" => {
                    each.get(usize::from(key.as_bytes()[0] - b'1')).filter(|o| !o.is_empty())?.to_string()
                }
                "last" => each.last()?.to_string(),
                "base" => {
                    let name = operand.rsplit('/').next().unwrap_or(operand);
                    name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_string()
                }
                "name" => self.shell.cwd.rsplit('/').find(|n| !n.is_empty()).unwrap_or("app").to_string(),
                "zend" => if matches!(operand, "opcache" | "xdebug") { "zend_" } else { "" }.to_string(),
                "phpext" => self
                    .shell
                    .fs
                    .stat("/usr/local/lib/php/extensions")
                    .and_then(|e| {
                        e.as_dir()
                            .and_then(|d| d.iter().map(|(n, _)| n.to_string()).find(|n| n.starts_with("no-debug")))
                    })
                    .map_or_else(
                        || "/usr/local/lib/php/extensions/no-debug-non-zts-20230831".to_string(),
                        |d| format!("/usr/local/lib/php/extensions/{d}"),
                    ),
                "mixapp" => read_text(self.shell, &format!("{}/mix.exs", self.shell.cwd.trim_end_matches('/')))
                    .and_then(|t| {
                        let rest = t.split("app: :").nth(1)?;
                        let app: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                        (!app.is_empty()).then_some(app)
                    })
                    .unwrap_or_else(|| self.shell.cwd.rsplit('/').find(|n| !n.is_empty()).unwrap_or("app").to_string()),
                _ => {
                    let (kind, spec) = key.split_once(':')?;
                    let (names, default) = spec.split_once('=').map_or((spec, None), |(n, d)| (n, Some(d)));
                    let found = match kind {
                        "e" => self.shell.var(names).filter(|v| !v.is_empty()).map(ToString::to_string),
                        _ => super::builds::opt(args, &names.split('|').collect::<Vec<_>>()),
                    };
                    match (found, default) {
                        (Some(v), _) => v,
                        (None, Some(d)) => self.template(d, tool, sub, operand, args, each)?,
                        (None, None) => return None,
                    }
                }
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}
