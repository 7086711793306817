//! RUN in a Windows image, through `cmd /S /C`: the command line split at `&&`, `||` and `&`
//! as cmd splits it (`"` quotes, `^` escapes, `%VAR%` expanded first), cmd's own commands
//! that change files (`mkdir`, `del`, `rmdir`, `copy`, `move`, `mklink`, `cd`, `set`,
//! `setx`, `echo`, `type`, `exit`), and any other program as the Linux interpreter models it
//! (curl, dotnet, git, ...). Paths lose their `C:` drive, as BuildKit's do, and show with `/`:
//! `C:\app` is `/app`. A pipe, a redirection to a file, a block (`if`, `for`) or PowerShell
//! stops it as opaque.

use super::{Finished, Flow, Io, Shell, Start, Stop};
use crate::fs::{Entry, Meta};
use crate::text::Span;

/// Windows' own variables, as a container's cmd has them.
const DEFAULTS: [(&str, &str); 20] = [
    ("USERNAME", "ContainerAdministrator"),
    ("PROCESSOR_ARCHITECTURE", "AMD64"),
    ("OS", "Windows_NT"),
    ("ComSpec", "C:\\Windows\\system32\\cmd.exe"),
    ("PATHEXT", ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC;.CPL"),
    (
        "PATH",
        "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\;C:\\Users\\ContainerAdministrator\\AppData\\Local\\Microsoft\\WindowsApps",
    ),
    ("LOCALAPPDATA", "C:\\Users\\ContainerAdministrator\\AppData\\Local"),
    ("TMP", "C:\\Users\\ContainerAdministrator\\AppData\\Local\\Temp"),
    ("ALLUSERSPROFILE", "C:\\ProgramData"),
    ("ProgramW6432", "C:\\Program Files"),
    ("PUBLIC", "C:\\Users\\Public"),
    ("ProgramFiles", "C:\\Program Files"),
    ("ProgramFiles(x86)", "C:\\Program Files (x86)"),
    ("ProgramData", "C:\\ProgramData"),
    ("windir", "C:\\Windows"),
    ("SystemRoot", "C:\\Windows"),
    ("SystemDrive", "C:"),
    ("USERPROFILE", "C:\\Users\\ContainerAdministrator"),
    ("APPDATA", "C:\\Users\\ContainerAdministrator\\AppData\\Roaming"),
    ("TEMP", "C:\\Users\\ContainerAdministrator\\AppData\\Local\\Temp"),
];

/// cmd's own commands (no program of that name exists).
const BUILTINS: [&str; 15] = [
    "mkdir", "md", "del", "erase", "rmdir", "rd", "mklink", "cd", "chdir", "set", "echo", "exit", "copy", "move",
    "type",
];

/// Runs a shell-form RUN's command line through cmd.
#[must_use]
pub fn run_cmd(line: &str, start: Start) -> Finished {
    let mut shell = Shell::new(start);
    let mut io = Io::default();
    shell.model("cmd runs in a Windows container: its files show with C:\\ as / and without Windows' permissions");
    let flow = shell.cmd_line(line, &mut io);
    shell.finish(flow, io)
}

/// Runs an exec-form RUN in a Windows image: the program, without cmd.
#[must_use]
pub fn run_windows_exec(argv: &[String], start: Start) -> Finished {
    let mut shell = Shell::new(start);
    let mut io = Io::default();
    shell.model("the program runs in a Windows container: its files show with C:\\ as /");
    // cmd's own commands are not programs: the exec form cannot start them.
    let name = argv.first().map(|n| n.to_ascii_lowercase()).unwrap_or_default();
    if BUILTINS.contains(&name.as_str()) {
        let line = format!("{name}: not a program (a command of cmd's, which the exec form does not run)\r\n");
        io.stderr.extend_from_slice(line.as_bytes());
        return shell.finish(Flow::Exit(1), io);
    }
    let flow = match shell.cmd_command(argv, &mut io) {
        Ok(status) => Flow::Exit(status),
        Err(stop) => Flow::Stop(stop),
    };
    shell.finish(flow, io)
}

/// One command of a line: the operator before it (`&`, `&&`, `||`), its words, and its text
/// as written (what `echo` prints), without its redirections.
struct Command {
    op: &'static str,
    words: Vec<String>,
    raw: String,
    /// Its standard output goes to `nul`.
    quiet: bool,
}

/// A command line split into commands as cmd splits it.
fn split(line: &str) -> Result<Vec<Command>, String> {
    let mut out: Vec<Command> = Vec::new();
    let mut op: &'static str = "&";
    let (mut words, mut word, mut raw, mut quoted, mut has_word, mut quiet) =
        (Vec::new(), String::new(), String::new(), false, false, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                has_word = true;
                raw.push(c);
            }
            '^' if !quoted => {
                if let Some(n) = chars.next().filter(|n| *n != '\n') {
                    word.push(n);
                    raw.push(n);
                    has_word = true;
                }
            }
            '&' | '|' if !quoted => {
                let doubled = chars.peek() == Some(&c);
                if doubled {
                    chars.next();
                }
                if c == '|' && !doubled {
                    return Err("a pipe".into());
                }
                if std::mem::take(&mut has_word) {
                    words.push(std::mem::take(&mut word));
                }
                out.push(Command {
                    op,
                    words: std::mem::take(&mut words),
                    raw: std::mem::take(&mut raw),
                    quiet: std::mem::take(&mut quiet),
                });
                op = match (c, doubled) {
                    ('&', true) => "&&",
                    ('|', _) => "||",
                    _ => "&",
                };
            }
            '<' | '>' if !quoted => {
                // Only output thrown away (`>nul`, `2>nul`, `2>&1` after it) is modeled.
                while chars.peek().is_some_and(|n| *n == '>' || *n == ' ') {
                    chars.next();
                }
                let mut target = String::new();
                while let Some(&n) = chars.peek() {
                    let dup = target.is_empty() && n == '&';
                    if !dup && (n.is_whitespace() || matches!(n, '&' | '|' | '<' | '>')) {
                        break;
                    }
                    target.push(n);
                    chars.next();
                }
                if c == '<' || !(target.eq_ignore_ascii_case("nul") || target == "&1" || target == "&2") {
                    return Err("a redirection".into());
                }
                let stderr = has_word && word == "2";
                quiet |= !stderr && !target.starts_with('&');
                if has_word && (word == "2" || word == "1") {
                    word.clear();
                    has_word = false;
                    raw.pop();
                }
            }
            c if c.is_whitespace() && !quoted => {
                if std::mem::take(&mut has_word) {
                    words.push(std::mem::take(&mut word));
                }
                if !raw.is_empty() {
                    raw.push(c);
                }
            }
            c => {
                word.push(c);
                raw.push(c);
                has_word = true;
            }
        }
    }
    if has_word {
        words.push(word);
    }
    out.push(Command { op, words, raw, quiet });
    out.retain(|c| !c.words.is_empty());
    Ok(out)
}

/// A command line cut into arguments as Windows' C runtime cuts it: `"` quotes (and is
/// removed), `\"` is a quote, backslashes before a quote are halved.
fn crt_args(line: &str, doubled_quote: bool) -> Option<Vec<String>> {
    let (mut out, mut cur, mut quoted, mut has) = (Vec::new(), String::new(), false, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut n = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    n += 1;
                }
                if chars.peek() == Some(&'"') {
                    cur.push_str(&"\\".repeat(n / 2));
                    if n % 2 == 1 {
                        chars.next();
                        cur.push('"');
                    }
                } else {
                    cur.push_str(&"\\".repeat(n));
                }
                has = true;
            }
            // Inside quotes, `""` is a quote (and the quoting goes on) for the C runtime since
            // 2008 and for pwsh; Windows PowerShell reads it otherwise: not modeled there.
            '"' if quoted && chars.peek() == Some(&'"') => {
                if !doubled_quote {
                    return None;
                }
                chars.next();
                cur.push('"');
            }
            '"' => {
                quoted = !quoted;
                has = true;
            }
            c if c.is_whitespace() && !quoted => {
                if std::mem::take(&mut has) {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        out.push(cur);
    }
    Some(out)
}

/// cmd's `*` and `?` over one name, in any case.
pub(super) fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) =
        (pattern.to_ascii_lowercase().chars().collect(), name.to_ascii_lowercase().chars().collect());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// A path as the layer has it: the `C:` drive removed, slashes for backslashes.
pub(super) fn windows_arg(arg: &str) -> String {
    let b = arg.as_bytes();
    if b.len() > 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && matches!(b[2], b'\\' | b'/')
        && let Ok(path) = crate::plan::dispatch::windows_path(arg)
    {
        return path;
    }
    if arg.starts_with('/') { arg.to_string() } else { arg.replace('\\', "/") }
}

impl Shell {
    /// A variable of a Windows container (names in any case), or one of Windows' own.
    pub(super) fn windows_var(&self, name: &str) -> Option<String> {
        self.exported(name)
            .or_else(|| {
                self.vars
                    .0
                    .iter()
                    .find(|(k, v)| v.exported && k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.value.as_str())
            })
            .map(ToString::to_string)
            .or_else(|| DEFAULTS.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| (*v).to_string()))
    }

    /// Sets a variable of a Windows container (exported): an existing one in another case
    /// keeps its name.
    pub(super) fn set_windows_var(&mut self, name: &str, value: &str) {
        let existing = self.vars.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(k, _)| k.clone());
        let name = existing.as_deref().unwrap_or(name);
        self.set_var(name, value);
        if let Some(v) = self.vars.get_mut(name) {
            v.exported = true;
        }
    }

    /// `%NAME%` replaced by the variable (any case), Windows' own, or left as it is.
    fn cmd_expand(&self, line: &str) -> String {
        let mut out = String::new();
        let mut rest = line;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let Some(end) = after.find('%') else {
                rest = &rest[start..];
                break;
            };
            let name = &after[..end];
            match self.windows_var(name) {
                Some(v) if !name.is_empty() => {
                    out.push_str(&v);
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push('%');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn cmd_line(&mut self, line: &str, io: &mut Io) -> Flow {
        let commands = match split(&self.cmd_expand(line)) {
            Ok(c) => c,
            Err(what) => {
                return Flow::Stop(Stop::Unknown { command: format!("cmd with {what}"), span: Span::default() });
            }
        };
        for command in commands {
            if (command.op == "&&" && self.status != 0) || (command.op == "||" && self.status == 0) {
                continue;
            }
            let name = command.words[0].to_ascii_lowercase();
            if name == "echo" || name.starts_with("echo.") {
                // echo prints the rest of its text as written (`echo.` an empty line).
                let text = command.raw.get(5..).unwrap_or_default();
                if !command.quiet {
                    io.stdout.extend_from_slice(format!("{text}\r\n").as_bytes());
                }
                self.model("echo prints the text as cmd does, with CRLF");
                self.status = 0;
                continue;
            }
            // PowerShell parses its own command line (`\"` is a quote), as Windows' C runtime does.
            let program = name.rsplit(['\\', '/']).next().unwrap_or_default();
            let program = program.trim_end_matches(".exe");
            let words = if matches!(program, "powershell" | "pwsh") {
                match crt_args(&command.raw, program == "pwsh") {
                    Some(words) => words,
                    None => {
                        return Flow::Stop(Stop::Unknown {
                            command: "powershell with \"\" inside quotes".into(),
                            span: Span::default(),
                        });
                    }
                }
            } else {
                command.words
            };
            match self.cmd_command(&words, io) {
                Ok(status) => self.status = status,
                Err(stop) => return Flow::Stop(stop),
            }
            // exit ends the line (without a code, with the last one).
            if name == "exit" {
                return Flow::Exit(self.status);
            }
        }
        Flow::Exit(self.status)
    }

    /// One command (its words as written, paths not yet mapped): cmd's own, or a program.
    pub(super) fn cmd_command(&mut self, words: &[String], io: &mut Io) -> Result<i32, Stop> {
        let Some((name, raw)) = words.split_first() else { return Ok(0) };
        let lower = name.to_ascii_lowercase();
        let lower =
            lower.strip_suffix(".exe").unwrap_or(&lower).rsplit(['/', '\\']).next().unwrap_or_default().to_string();
        // cmd's switches (`/s`, `/M`) stay as they are; the other words are paths.
        let args: Vec<String> =
            raw.iter().map(|a| if a.starts_with('/') { a.clone() } else { windows_arg(a) }).collect();
        let operands: Vec<String> = raw.iter().filter(|a| !a.starts_with('/')).map(|a| windows_arg(a)).collect();
        let err = |io: &mut Io, text: String| io.stderr.extend_from_slice(format!("{text}\r\n").as_bytes());
        match lower.as_str() {
            "mkdir" | "md" => {
                let mut status = 0;
                let written = raw.iter().filter(|a| !a.starts_with('/'));
                for (dir, as_written) in operands.iter().zip(written) {
                    let path = self.abs(dir);
                    if self.fs.stat(&path).is_some() {
                        err(io, format!("A subdirectory or file {as_written} already exists."));
                        status = 1;
                    } else if self.fs.mkdir_all(&path, Meta::DIR).is_err() {
                        err(io, "The system cannot find the path specified.".into());
                        status = 1;
                    }
                }
                Ok(status)
            }
            "del" | "erase" => {
                let recurse = raw.iter().any(|a| a.eq_ignore_ascii_case("/s"));
                let written = raw.iter().filter(|a| !a.starts_with('/'));
                for (target, as_written) in operands.iter().zip(written) {
                    let path = self.abs(target);
                    let (dir, pattern) = match path.rsplit_once('/') {
                        _ if self.fs.stat(&path).is_some_and(|e| e.is_dir()) => (path.as_str(), "*"),
                        // A wildcard, or with /s a name: matched here and, with /s, below.
                        Some((d, name)) if recurse || name.contains(['*', '?']) => {
                            (if d.is_empty() { "/" } else { d }, name)
                        }
                        _ => {
                            // One file: it goes; a missing one is reported (errorlevel stays 0).
                            if self.fs.remove(&path).is_err() && !self.partial {
                                err(io, format!("Could Not Find {as_written}"));
                            }
                            continue;
                        }
                    };
                    // del takes the files that match in the directory (and, with /s, under
                    // it); directories stay.
                    let doomed: Vec<String> = self
                        .fs
                        .walk(dir)
                        .into_iter()
                        .filter(|(p, e)| {
                            let rel = p.strip_prefix(dir.trim_end_matches('/')).unwrap_or(p).trim_start_matches('/');
                            !e.is_dir()
                                && (recurse || !rel.contains('/'))
                                && wildcard(pattern, rel.rsplit('/').next().unwrap_or(rel))
                        })
                        .map(|(p, _)| p)
                        .collect();
                    if doomed.is_empty() && !self.partial {
                        err(io, format!("Could Not Find {as_written}"));
                    }
                    for p in doomed {
                        let _ = self.fs.remove(&p);
                    }
                }
                Ok(0)
            }
            "rmdir" | "rd" => {
                let recurse = raw.iter().any(|a| a.eq_ignore_ascii_case("/s"));
                for target in &operands {
                    let path = self.abs(target);
                    let (message, status) = match self.fs.stat(&path) {
                        None if self.partial => continue,
                        None => ("The system cannot find the file specified.", 2),
                        Some(e) if !e.is_dir() => ("The directory name is invalid.", 267),
                        Some(e) if !recurse && e.as_dir().is_some_and(|d| !d.is_empty()) => {
                            ("The directory is not empty.", 145)
                        }
                        Some(_) => {
                            let _ = self.fs.remove(&path);
                            continue;
                        }
                    };
                    err(io, message.into());
                    return Ok(status);
                }
                Ok(0)
            }
            "mklink" => {
                let [link, target] = &operands[..] else { return Ok(1) };
                let link = self.abs(link);
                Ok(i32::from(self.fs.insert(&link, Entry::symlink(target.as_str(), Meta::SYMLINK)).is_err()))
            }
            "cd" | "chdir" => {
                if let Some(dir) = operands.first() {
                    self.cwd = self.abs(dir);
                }
                Ok(0)
            }
            "set" if raw.first().is_some_and(|a| a.starts_with('/')) => {
                Err(Stop::Unknown { command: format!("set {}", raw[0]), span: Span::default() })
            }
            "set" => {
                if let Some((k, v)) = raw.join(" ").split_once('=') {
                    self.set_var(k, v);
                }
                Ok(0)
            }
            "setx" => {
                self.model(
                    "setx writes the registry (an environment for later steps), which the simulation does not keep",
                );
                Ok(0)
            }
            "exit" => Ok(raw
                .iter()
                .find(|a| !a.eq_ignore_ascii_case("/b"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(self.status)),
            "copy" | "move" | "type" => {
                let tool = match lower.as_str() {
                    "copy" => "cp",
                    "move" => "mv",
                    _ => "cat",
                };
                Ok(self.external(tool, &operands, Span::default(), io, false).0)
            }
            // PowerShell's script: the words after its options, as written.
            // PowerShell is a process of its own: its folder and variables do not come back.
            "powershell" | "pwsh" if let Some(script) = super::pwsh::script_of(raw) => {
                let (cwd, vars) = (self.cwd.clone(), self.vars.clone());
                let flow = self.powershell(&script, lower == "pwsh", io);
                (self.cwd, self.vars) = (cwd, vars);
                match flow {
                    Flow::Stop(stop) => Err(stop),
                    Flow::Exit(status) | Flow::Return(status) => Ok(status),
                    _ => Ok(self.status),
                }
            }
            "cmd" | "powershell" | "pwsh" | "start" | "call" | "if" | "for" | "goto" | "xcopy" | "robocopy" => {
                Err(Stop::Unknown { command: name.clone(), span: Span::default() })
            }
            _ => match self.external(&lower, &args, Span::default(), io, false) {
                (_, Flow::Stop(stop)) => Err(stop),
                (status, _) => Ok(status),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty Windows image, its files not known.
    fn empty() -> Start {
        Start {
            snapshot: crate::fs::Snapshot::new(),
            env: vec![],
            workdir: "/".into(),
            uid: 0,
            gid: 0,
            userland: super::super::Userland::Gnu,
            dialect: crate::sh::Dialect::Posix,
            partial: true,
            network_none: false,
            packages: None,
        }
    }

    #[test]
    fn command_lines_split_as_cmd_splits_them() {
        let words = |line: &str| {
            split(line).unwrap().into_iter().map(|c| format!("{} {}", c.op, c.words.join("|"))).collect::<Vec<_>>()
        };
        assert_eq!(
            words("mkdir c:\\a && mkdir \"c:\\b c\" & echo x^&y"),
            ["& mkdir|c:\\a", "&& mkdir|c:\\b c", "& echo|x&y"]
        );
        assert_eq!(words("del x 2>nul || exit 1"), ["& del|x", "|| exit|1"]);
        assert!(split("dir | findstr x").is_err() && split("echo x > f.txt").is_err());
        assert_eq!(windows_arg("C:\\Program Files\\x"), "/Program Files/x");
        assert_eq!(windows_arg("bin\\Release"), "bin/Release");
        assert_eq!(windows_arg("/p:Configuration=Release"), "/p:Configuration=Release");
    }

    #[test]
    fn cmd_makes_and_removes_files() {
        let f = run_cmd("mkdir c:\\config && mkdir \"%ProgramFiles%\\NuGet\" & md c:\\config || echo again", empty());
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        assert!(f.snapshot.stat("/config").is_some_and(|e| e.is_dir()), "{} {} {:?}", f.output, f.status, f.modeled);
        assert!(f.snapshot.stat("/Program Files/NuGet").is_some());
        assert!(
            f.output.contains("A subdirectory or file c:\\config already exists.") && f.output.contains("again"),
            "{}",
            f.output
        );
    }

    /// del, rd, exit, echo and redirections as cmd has them (found by a review).
    #[test]
    fn cmd_commands_as_cmd_runs_them() {
        let mut known = Start { partial: false, ..empty() };
        known.snapshot.mkdir_all("/t/sub", Meta::DIR).unwrap();
        for file in ["/t/a.txt", "/t/b.log", "/t/sub/c.txt"] {
            known.snapshot.insert(file, Entry::file(crate::fs::Content::bytes(b"x".to_vec()), Meta::FILE)).unwrap();
        }
        let run = |line: &str| run_cmd(line, Start { snapshot: known.snapshot.clone(), partial: false, ..empty() });
        // del of a directory takes its files and keeps it; with a wildcard, the matching ones.
        let f = run("del /q C:\\t\\*.TXT");
        assert!(f.snapshot.stat("/t/a.txt").is_none() && f.snapshot.stat("/t/b.log").is_some());
        assert!(f.snapshot.stat("/t/sub/c.txt").is_some(), "without /s the subdirectory's files stay");
        let f = run("del /s /q C:\\t");
        assert!(f.snapshot.stat("/t/sub").is_some() && f.snapshot.stat("/t/sub/c.txt").is_none());
        // rd of a file, of a missing directory, of a full one: each fails as cmd's does.
        let f = run("rd C:\\t\\a.txt || rd C:\\nope || echo fallback");
        assert!(f.output.contains("The directory name is invalid.") && f.output.contains("fallback"), "{}", f.output);
        assert_eq!(run("rd C:\\t").status, 145);
        // exit ends the line; echo prints its text as written; >nul 2>&1 is thrown away.
        let f = run("mkdir C:\\y >nul 2>&1 && echo \"hi\"   there& exit 3 & mkdir C:\\z");
        assert_eq!(f.status, 3, "{}", f.output);
        assert!(f.snapshot.stat("/y").is_some() && f.snapshot.stat("/z").is_none());
        assert_eq!(f.output, "\"hi\"   there\r\n");
        assert!(run_cmd("set /a N=1+2", empty()).stopped.is_some());
        assert_eq!(run("echo hi >nul & echo there 2>nul").output, "there \r\n");
        assert_eq!(run_windows_exec(&["mkdir".into(), "x".into()], empty()).status, 1);
    }

    /// Random command lines of cmd's tokens: none may panic or loop.
    #[test]
    fn random_command_lines_never_panic() {
        const TOKENS: [&str; 24] = [
            "mkdir", "md", "del", "rd", "/s", "/q", "mklink", "cd", "set", "X=1", "setx", "echo", "exit", "copy",
            "c:\\a", "C:/b", "d:\\x", "\"", "^", "&", "&&", "||", "%X%", ">nul",
        ];
        let mut seed: u64 = 0xc0de;
        for _ in 0..5000 {
            let line: Vec<&str> = (0..=(seed % 12))
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    TOKENS[usize::try_from(seed >> 33).unwrap_or(0) % TOKENS.len()]
                })
                .collect();
            let _ = run_cmd(&line.join(" "), empty());
        }
    }
}
