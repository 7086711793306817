//! `python PROGRAM`, `python -c CODE`, `python - <<EOF`: a Python program is not interpreted,
//! but read for what it does to files. Calls that name their paths with string literals are
//! carried out (a file opened for writing is made, of content not known; a directory made; a
//! file removed, copied or linked); a call that names a path some other way, or a program
//! that runs commands, leaves the files partly unknown. What it prints is not known.

use super::utils::{Env, UNKNOWN_CONTENT, make_parents, read_file};
use crate::fs::{Entry, Meta};

/// The calls read for their effect, by the name before `(`.
const WRITE_CALLS: [&str; 13] = [
    "open",
    "urlretrieve",
    "write_text",
    "write_bytes",
    "touch",
    "makedirs",
    "mkdir",
    "remove",
    "unlink",
    "rmtree",
    "copy",
    "copyfile",
    "symlink",
];

/// Calls whose effects on files this reading does not follow.
const UNFOLLOWED: [&str; 15] = [
    "subprocess",
    "os.system",
    "os.popen",
    "exec(",
    "eval(",
    "rename(",
    "move(",
    "copytree(",
    "extractall(",
    "extract(",
    "unpack_archive(",
    "make_archive(",
    "urlopen(",
    "chmod(",
    "__import__",
];

/// Standard-library modules whose use this reading follows (or that change no file).
const PLAIN_MODULES: [&str; 24] = [
    "os",
    "sys",
    "json",
    "pathlib",
    "shutil",
    "re",
    "time",
    "datetime",
    "platform",
    "textwrap",
    "glob",
    "hashlib",
    "base64",
    "string",
    "random",
    "math",
    "collections",
    "itertools",
    "functools",
    "typing",
    "io",
    "csv",
    "uuid",
    "urllib",
];

/// The top-level modules a line imports (`import a.b, c as d` gives `a` and `c`; `from a.b
/// import c` gives `a`; a relative `from . import x` gives `.`, which is no plain module).
fn imported(line: &str) -> Vec<&str> {
    let line = line.trim_start();
    if let Some(rest) = line.strip_prefix("from ") {
        let module = rest.split_whitespace().next().unwrap_or_default();
        return vec![if module.starts_with('.') { "." } else { module.split('.').next().unwrap_or_default() }];
    }
    let Some(rest) = line.strip_prefix("import ") else { return Vec::new() };
    rest.split(';')
        .next()
        .unwrap_or_default()
        .split(',')
        .filter_map(|m| m.split_whitespace().next())
        .map(|m| m.split('.').next().unwrap_or(m))
        .collect()
}

/// The estimated size of a file a program writes, its content not known.
const WRITTEN_SIZE: u64 = 1024;

impl Env<'_> {
    /// `python [OPTIONS] (-c CODE | - | FILE) [ARGS]`; `None` when the program's text is not
    /// known (a file of unknown content).
    pub(crate) fn python_program(&mut self, args: &[String]) -> Option<i32> {
        let mut i = 0;
        while let Some(a) = args.get(i).filter(|a| a.starts_with('-') && a.len() > 1 && *a != "-c") {
            i += if matches!(a.as_str(), "-W" | "-X") { 2 } else { 1 };
        }
        let code = match args.get(i).map(String::as_str) {
            Some("-c") => args.get(i + 1)?.clone(),
            None | Some("-") => String::from_utf8_lossy(&std::mem::take(&mut self.io.stdin)).into_owned(),
            Some(file) => match read_file(self.shell, &self.shell.abs(file)) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) if e == UNKNOWN_CONTENT => return None,
                Err(_) => {
                    let line = format!(
                        "python: can't open file '{}': [Errno 2] No such file or directory\n",
                        self.shell.abs(file)
                    );
                    self.io.stderr.extend_from_slice(line.as_bytes());
                    return Some(2);
                }
            },
        };
        if self.io.unknown_in.is_some() && args.get(i).is_none_or(|a| a == "-") {
            return None;
        }
        self.python_effects(&code)
    }

    fn python_effects(&mut self, code: &str) -> Option<i32> {
        let code: String = code.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
        // Effects this reading does not follow: the files are partly unknown after them. So is
        // a program that imports a module beyond the standard library's plain ones (its own
        // code, a framework's), whose calls may write anything.
        let mut unknown = UNFOLLOWED.iter().any(|c| {
            // The name alone (`move(`, not `remove(`).
            code.match_indices(c)
                .any(|(i, _)| !code[..i].chars().next_back().is_some_and(|p| p.is_ascii_alphanumeric() || p == '_'))
        }) || code.lines().any(|l| imported(l).iter().any(|m| !PLAIN_MODULES.contains(m)));
        let mut at = 0;
        while let Some(found) = code[at..].find('(') {
            let open = at + found;
            let name_start = code[..open]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |p| p + code[p..].chars().next().map_or(1, char::len_utf8));
            let name = &code[name_start..open];
            let before = &code[..name_start];
            // The receiver of a method call: a `Path('x')` literal, a module (`os.`,
            // `shutil.`), none (a builtin or an imported name), or something else.
            let receiver = before.strip_suffix(").").and_then(|b| {
                let (_, lit) = b.rsplit_once("Path(")?;
                literal(lit).filter(|(_, after)| after.trim().is_empty()).map(|(s, _)| s)
            });
            let module = ["os.", "shutil.", "os.path.", "io.", "tarfile.", "gzip.", "request."]
                .iter()
                .any(|m| before.ends_with(m));
            let other = receiver.is_none() && !module && before.ends_with('.');
            at = open + 1;
            if !WRITE_CALLS.contains(&name) {
                continue;
            }
            let arguments = arguments(&code[at..]);
            let mut literals =
                arguments.iter().map(|a| literal(a).filter(|(_, t)| t.trim().is_empty()).map(|(s, _)| s));
            let (first, second) = match &receiver {
                Some(r) => (Some(r.clone()), literals.next().flatten()),
                None => (literals.next().flatten(), literals.next().flatten()),
            };
            // urlretrieve(URL, FILE): the file is the second.
            let first = if name == "urlretrieve" { second.clone() } else { first };
            if name == "open" {
                let skip = usize::from(receiver.is_none());
                let mode = arguments
                    .iter()
                    .skip(skip)
                    .find_map(|a| literal(a.trim().strip_prefix("mode=").unwrap_or(a.trim())).map(|(m, _)| m))
                    .unwrap_or_default();
                if !mode.contains(['w', 'a', 'x', '+']) {
                    continue;
                }
            } else if other || (receiver.is_none() && matches!(name, "write_text" | "write_bytes" | "touch")) {
                // A method of a value not known here (`p.write_text(...)`, `items.remove(x)`).
                unknown = true;
                continue;
            }
            let Some(written) = first else {
                unknown = true;
                continue;
            };
            let path = self.shell.abs(&written);
            match name {
                "open" | "urlretrieve" | "write_text" | "write_bytes" | "touch" => {
                    let id = format!("written by a Python program: {path}");
                    if let Err(e) = self.synthetic(&path, WRITTEN_SIZE, &id, 0o644) {
                        return Some(self.python_error(&path, &e));
                    }
                }
                "makedirs" | "mkdir" => {
                    if let Err(e) = make_parents(self.shell, &format!("{path}/x")) {
                        return Some(self.python_error(&path, &e));
                    }
                }
                "remove" | "unlink" | "rmtree" => {
                    if self.shell.fs.remove(&path).is_err() && !self.shell.partial {
                        return Some(self.python_error(&path, "No such file or directory"));
                    }
                }
                _ => {
                    let Some(to) = second else {
                        unknown = true;
                        continue;
                    };
                    if name == "symlink" {
                        let link = self.shell.abs(&to);
                        let meta = Meta::new(0o777, self.shell.uid, self.shell.gid);
                        // The target as written: a relative one resolves beside the link.
                        let _ = self.shell.fs.insert(&link, Entry::symlink(written.as_str(), meta));
                    } else if self.run("cp", &[path, to])? != 0 {
                        return Some(1);
                    }
                }
            }
        }
        if code.contains("print(") || code.contains("sys.stdout") {
            self.io.unknown_out = Some("what the Python program prints".into());
        }
        if unknown {
            self.shell.partial = true;
        }
        self.shell.model(
            "python runs a program that is not interpreted here: the files it names by string literals are made or removed, \
             their content not known; what it prints is not known",
        );
        Some(0)
    }

    fn python_error(&mut self, path: &str, error: &str) -> i32 {
        let line = format!("OSError: {error}: '{path}'\n");
        self.io.stderr.extend_from_slice(line.as_bytes());
        1
    }
}

/// The top-level arguments of a call, from after its `(` to the matching `)`.
fn arguments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut quote) = (0usize, 0, None::<char>);
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') if depth == 0 => {
                if !text[start..i].trim().is_empty() {
                    out.push(text[start..i].trim());
                }
                return out;
            }
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// A plain string literal at the start of `text` (no f-string, no concatenation) and what
/// follows it.
fn literal(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    let text = text.strip_prefix(['r', 'b']).filter(|t| t.starts_with(['\'', '"'])).unwrap_or(text);
    let quote = text.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let mut out = String::new();
    let mut chars = text[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c if c == quote => return Some((out, &text[i + 2..])),
            c => out.push(c),
        }
    }
    None
}
