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
const DEFAULTS: [(&str, &str); 9] = [
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
    let flow = match shell.cmd_command(argv, &mut io) {
        Ok(status) => Flow::Exit(status),
        Err(stop) => Flow::Stop(stop),
    };
    shell.finish(flow, io)
}

/// A command line split into commands, each with the operator before it (`&`, `&&`, `||`).
fn split(line: &str) -> Result<Vec<(&'static str, Vec<String>)>, String> {
    let mut out: Vec<(&'static str, Vec<String>)> = Vec::new();
    let mut op: &'static str = "&";
    let (mut words, mut word, mut quoted, mut has_word) = (Vec::new(), String::new(), false, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                has_word = true;
            }
            '^' if !quoted => {
                if let Some(n) = chars.next().filter(|n| *n != '\n') {
                    word.push(n);
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
                out.push((op, std::mem::take(&mut words)));
                op = match (c, doubled) {
                    ('&', true) => "&&",
                    ('|', _) => "||",
                    _ => "&",
                };
            }
            '<' | '>' if !quoted => {
                // Only output thrown away (`>nul`, `2>nul`) is modeled.
                let target: String =
                    chars.by_ref().skip_while(|c| *c == '>' || *c == ' ').take_while(|c| !c.is_whitespace()).collect();
                if c == '<' || !target.eq_ignore_ascii_case("nul") {
                    return Err("a redirection".into());
                }
                if word == "2" || word == "1" {
                    word.clear();
                    has_word = false;
                }
            }
            c if c.is_whitespace() && !quoted => {
                if std::mem::take(&mut has_word) {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => {
                word.push(c);
                has_word = true;
            }
        }
    }
    if has_word {
        words.push(word);
    }
    out.push((op, words));
    out.retain(|(_, w)| !w.is_empty());
    Ok(out)
}

/// A path as the layer has it: the `C:` drive removed, slashes for backslashes.
fn windows_arg(arg: &str) -> String {
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
            let value =
                self.var(name).or_else(|| self.var(&name.to_ascii_uppercase())).map(ToString::to_string).or_else(
                    || DEFAULTS.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| (*v).to_string()),
                );
            match value {
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
        for (op, words) in commands {
            if (op == "&&" && self.status != 0) || (op == "||" && self.status == 0) {
                continue;
            }
            match self.cmd_command(&words, io) {
                Ok(status) => self.status = status,
                Err(stop) => return Flow::Stop(stop),
            }
        }
        Flow::Exit(self.status)
    }

    /// One command (its words as written, paths not yet mapped): cmd's own, or a program.
    fn cmd_command(&mut self, words: &[String], io: &mut Io) -> Result<i32, Stop> {
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
                for dir in &operands {
                    let path = self.abs(dir);
                    if self.fs.stat(&path).is_some() {
                        err(io, format!("A subdirectory or file {dir} already exists."));
                        status = 1;
                    } else if self.fs.mkdir_all(&path, Meta::DIR).is_err() {
                        err(io, "The system cannot find the path specified.".into());
                        status = 1;
                    }
                }
                Ok(status)
            }
            "del" | "erase" | "rmdir" | "rd" => {
                for target in &operands {
                    let path = self.abs(target);
                    let dir = self.fs.stat(&path).is_some_and(|e| e.is_dir());
                    // rmdir without /s leaves a directory that is not empty.
                    let keep = dir
                        && lower.starts_with('r')
                        && !args.iter().any(|a| a.eq_ignore_ascii_case("/s"))
                        && self.fs.stat(&path).and_then(|e| e.as_dir().map(|d| !d.is_empty())).unwrap_or(false);
                    if keep {
                        err(io, "The directory is not empty.".into());
                        return Ok(145);
                    }
                    if self.fs.remove(&path).is_err() && !self.partial {
                        err(io, format!("Could Not Find {target}"));
                    }
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
            "echo" => {
                self.model("echo prints the text as cmd does, with CRLF");
                io.stdout.extend_from_slice(format!("{}\r\n", raw.join(" ")).as_bytes());
                Ok(0)
            }
            "exit" => Ok(args.iter().find(|a| !a.eq_ignore_ascii_case("/b")).and_then(|n| n.parse().ok()).unwrap_or(0)),
            "copy" | "move" | "type" => {
                let tool = match lower.as_str() {
                    "copy" => "cp",
                    "move" => "mv",
                    _ => "cat",
                };
                Ok(self.external(tool, &operands, Span::default(), io, false).0)
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
            split(line).unwrap().into_iter().map(|(op, w)| format!("{op} {}", w.join("|"))).collect::<Vec<_>>()
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
            f.output.contains("A subdirectory or file /config already exists.") && f.output.contains("again"),
            "{}",
            f.output
        );
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
