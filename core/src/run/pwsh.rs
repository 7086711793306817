//! RUN in a Windows image through PowerShell (`SHELL ["powershell", "-Command", ...]`, or
//! `powershell -Command ...` in cmd's line): the statements Windows Dockerfiles write to
//! fetch, check, unpack and place a runtime. Variables (`$x = ...`, `$env:X`), strings (`'...'`,
//! `"..."` and bare words with `$x` in them), `+` and `-f`, and the cmdlets that change files:
//! `Invoke-WebRequest -OutFile`, `Expand-Archive`, `Remove-Item`, `Move-Item`, `Copy-Item`,
//! `New-Item`, `Set-Content`, `Get-ChildItem | Remove-Item`, with their usual aliases. Any
//! other program runs as cmd would run it ([`super::cmd`]). A checksum test (`if ((Get-FileHash
//! F).Hash -ne ...)`) is taken to pass, as the real build went on. What is not here (another
//! `if`, loops, functions, .NET calls, a cmdlet not listed) stops the step as opaque.

use super::{Finished, Flow, Io, Shell, Start, Stop};
use crate::fs::{Entry, Meta};
use crate::text::Span;

/// Parameters that take no value.
const SWITCHES: [&str; 9] =
    ["force", "recurse", "usebasicparsing", "passthru", "verbose", "nonewline", "wait", "nonewwindow", "confirm"];

/// Runs a PowerShell script (the text after `-Command`).
#[must_use]
pub fn run_powershell(script: &str, start: Start) -> Finished {
    let mut shell = Shell::new(start);
    let mut io = Io::default();
    let flow = shell.powershell(script, &mut io);
    shell.finish(flow, io)
}

impl Shell {
    /// A PowerShell script, in this shell's files and environment.
    pub(super) fn powershell(&mut self, script: &str, io: &mut Io) -> Flow {
        self.model(
            "PowerShell runs in a Windows container: its files show with C:\\ as / and without Windows' permissions",
        );
        let mut ps = Ps { vars: Vec::new(), ok: true };
        match ps.block(self, script, io) {
            Ok(()) => Flow::Exit(i32::from(!ps.ok)),
            Err(flow) => flow,
        }
    }
}

/// The text after `powershell`'s own options (`-NoProfile`, `-ExecutionPolicy Bypass`,
/// `-Command`): the script, or `None` when it is a file (`-File`) or nothing.
#[must_use]
pub fn script_of(args: &[String]) -> Option<String> {
    let mut i = 0;
    while let Some(a) = args.get(i).filter(|a| a.starts_with('-')) {
        match a.to_ascii_lowercase().as_str() {
            "-command" | "-c" => {
                i += 1;
                break;
            }
            "-executionpolicy" | "-ep" | "-inputformat" | "-outputformat" => i += 2,
            "-noprofile" | "-nologo" | "-noninteractive" | "-nop" => i += 1,
            _ => return None,
        }
    }
    let script = args.get(i..)?.join(" ");
    (!script.trim().is_empty()).then_some(script)
}

/// The variables of one script, and whether its last command succeeded (`$?`).
struct Ps {
    vars: Vec<(String, String)>,
    ok: bool,
}

fn opaque(what: &str) -> Flow {
    Flow::Stop(Stop::Unknown { command: format!("PowerShell's {what}"), span: Span::default() })
}

/// Each character of `text` with its bracket depth when it is outside quotes (`None` inside
/// quotes, for a quote and for an escaped character). An opening bracket has the depth
/// outside it, and so has its closing one.
fn levels(text: &str) -> Vec<(usize, char, Option<usize>)> {
    let (mut out, mut depth, mut quote, mut escaped) = (Vec::new(), 0usize, None, false);
    for (i, c) in text.char_indices() {
        let level = if std::mem::take(&mut escaped) {
            None
        } else if c == '`' && quote != Some('\'') {
            escaped = true;
            None
        } else if quote.is_some() {
            if quote == Some(c) {
                quote = None;
            }
            None
        } else {
            match c {
                '\'' | '"' => {
                    quote = Some(c);
                    None
                }
                '(' | '{' | '[' => {
                    depth += 1;
                    Some(depth - 1)
                }
                ')' | '}' | ']' => {
                    depth = depth.saturating_sub(1);
                    Some(depth)
                }
                _ => Some(depth),
            }
        };
        out.push((i, c, level));
    }
    out
}

/// `text` cut at `;`, newlines and `|` (`sep`) outside quotes and brackets; a `#` starts a
/// comment to the end of the line.
fn split(text: &str, sep: &[char]) -> Vec<String> {
    let (mut out, mut cur, mut comment) = (Vec::new(), String::new(), false);
    for (_, c, level) in levels(text) {
        if comment && c != '\n' {
            continue;
        }
        comment = false;
        if level == Some(0) && c == '#' && (cur.trim().is_empty() || cur.ends_with([' ', '\t'])) {
            comment = true;
        } else if level == Some(0) && sep.contains(&c) {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.retain(|s| !s.trim().is_empty());
    out
}

/// The text inside the bracket that opens `s` (`(`, `{`), and what follows it.
fn group(s: &str) -> Option<(&str, &str)> {
    let close = match s.chars().next()? {
        '(' => ')',
        '{' => '}',
        _ => return None,
    };
    let (i, c, _) =
        levels(s).into_iter().skip(1).find(|(_, c, level)| *level == Some(0) && matches!(c, ')' | '}' | ']'))?;
    (c == close).then(|| (&s[1..i], &s[i + 1..]))
}

/// One command's words, as written: cut at spaces, and at `,` (a word of its own), outside
/// quotes and brackets.
fn words(s: &str) -> Vec<String> {
    let (mut out, mut cur) = (Vec::new(), String::new());
    for (_, c, level) in levels(s) {
        if level == Some(0) && (c.is_whitespace() || c == ',') {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if c == ',' {
                out.push(",".into());
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl Ps {
    fn block(&mut self, sh: &mut Shell, text: &str, io: &mut Io) -> Result<(), Flow> {
        sh.depth += 1;
        if sh.depth > super::MAX_DEPTH {
            return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
        }
        for statement in split(text, &[';', '\n']) {
            sh.tick(Span::default())?;
            self.statement(sh, statement.trim(), io)?;
        }
        sh.depth -= 1;
        Ok(())
    }

    fn statement(&mut self, sh: &mut Shell, s: &str, io: &mut Io) -> Result<(), Flow> {
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("if").filter(|r| r.trim_start().starts_with('(')) {
            return self.test(sh, s[s.len() - rest.len()..].trim_start(), io);
        }
        if lower == "exit" || lower.starts_with("exit ") {
            let code = s[4..].trim();
            let code = if code.is_empty() { i32::from(!self.ok) } else { self.value(sh, code)?.parse().unwrap_or(0) };
            return Err(Flow::Exit(code));
        }
        if lower == "throw" || lower.starts_with("throw ") {
            io.stderr.extend_from_slice(format!("{}\r\n", self.value(sh, s[5..].trim())?).as_bytes());
            return Err(Flow::Exit(1));
        }
        let dotnet = lower.replacen("[system.", "[", 1);
        if dotnet.starts_with("[net.servicepointmanager]::securityprotocol")
            || dotnet.starts_with("[environment]::setenvironmentvariable")
        {
            sh.model(
                "PowerShell's .NET settings (the protocols, the machine's environment in the registry) are not kept",
            );
            return Ok(());
        }
        // `$x = ...`, `$env:X = ...`.
        if let Some((name, expr)) = s.strip_prefix('$').and_then(|r| r.split_once('='))
            && name.trim().chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':')
            && !expr.starts_with('=')
        {
            let value = self.value(sh, expr.trim())?;
            let name = name.trim();
            if name.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("env:")) {
                sh.set_var(&name[4..], &value);
            } else {
                self.vars.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                self.vars.push((name.to_string(), value));
            }
            return Ok(());
        }
        let stages = split(s, &['|']);
        // A script fetched and run (`iex ((New-Object Net.WebClient).DownloadString(URL))`,
        // `iwr URL | iex`): a well-known installer, from the table.
        let run_fetched = |t: &str| {
            let t = t.trim().to_ascii_lowercase();
            t.starts_with("iex ") || t.starts_with("invoke-expression ") || t == "iex" || t == "invoke-expression"
        };
        if stages.first().is_some_and(|t| run_fetched(t)) || stages.len() == 2 && run_fetched(&stages[1]) {
            let url = s.split(['\'', '"', ' ', '(', ')']).find(|w| w.starts_with("http")).unwrap_or_default();
            let mut env = super::utils::Env { shell: sh, io, name: "installer".into() };
            return match env.declared("installer", &[url.to_string()]) {
                Some(status) => {
                    self.ok = status == 0;
                    Ok(())
                }
                None => Err(opaque("Invoke-Expression of a script not known here")),
            };
        }
        match &stages[..] {
            [one] => self.command(sh, one, io),
            [list, remove]
                if list.trim().to_ascii_lowercase().starts_with("get-childitem")
                    && remove.trim().to_ascii_lowercase().starts_with("remove-item") =>
            {
                self.remove_listed(sh, list, io)
            }
            // What the command prints, thrown away.
            [one, null] if null.trim().eq_ignore_ascii_case("out-null") => {
                let before = io.stdout.len();
                self.command(sh, one, io)?;
                io.stdout.truncate(before);
                Ok(())
            }
            // Programs piped into each other (`ngen ... | ngen ...`), none reading the other.
            stages => {
                for stage in stages {
                    let name = words(stage).first().map(|w| w.to_ascii_lowercase()).unwrap_or_default();
                    if name.contains('-') && !name.contains(['\\', '/', '.']) {
                        return Err(opaque(&format!("pipeline into {name}")));
                    }
                    self.command(sh, stage, io)?;
                }
                Ok(())
            }
        }
    }

    /// `if (COND) { ... } [else { ... }]`: only a checksum test, taken to pass.
    fn test(&mut self, sh: &mut Shell, s: &str, io: &mut Io) -> Result<(), Flow> {
        let (cond, rest) = group(s).ok_or_else(|| opaque("if"))?;
        let (then, rest) = group(rest.trim_start()).ok_or_else(|| opaque("if"))?;
        let rest = rest.trim_start();
        let otherwise = match rest.get(..4) {
            Some(e) if e.eq_ignore_ascii_case("else") => {
                Some(group(rest[4..].trim_start()).ok_or_else(|| opaque("if"))?.0)
            }
            _ if rest.is_empty() => None,
            _ => return Err(opaque("if")),
        };
        let cond = cond.to_ascii_lowercase();
        if !cond.contains("get-filehash") || !(cond.contains("-ne") || cond.contains("-eq")) {
            return Err(opaque("if"));
        }
        sh.model("a download's checksum is taken to match, as the real build went on");
        // `-ne`: the block for a mismatch is not run; `-eq`: the block for a match is.
        match (cond.contains("-eq"), otherwise) {
            (true, _) => self.block(sh, then, io),
            (false, Some(block)) => self.block(sh, block, io),
            (false, None) => Ok(()),
        }
    }

    /// A variable's value: the script's own, `$env:X` (any case, Windows' defaults), `$true`.
    fn var(&self, sh: &Shell, name: &str) -> Result<String, Flow> {
        let name = name.trim_start_matches('{').trim_end_matches('}');
        if let Some(env) = name.get(..4).filter(|p| p.eq_ignore_ascii_case("env:")).map(|_| &name[4..]) {
            return Ok(sh.windows_var(env).unwrap_or_default());
        }
        if let Some((_, v)) = self.vars.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            return Ok(v.clone());
        }
        match name.to_ascii_lowercase().as_str() {
            "true" => Ok("True".into()),
            "false" | "null" => Ok(String::new()),
            _ => Err(opaque(&format!("variable ${name}"))),
        }
    }

    /// `"..."` or a bare word: `$x`, `$env:X`, `${env:X}` replaced, backquote escapes read.
    fn expand(&self, sh: &Shell, text: &str) -> Result<String, Flow> {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '`' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    Some(n) => out.push(n),
                    None => {}
                },
                '$' if chars.peek() == Some(&'(') => return Err(opaque("$(...)")),
                '$' if chars.peek() == Some(&'{') => {
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    out.push_str(&self.var(sh, &name)?);
                }
                '$' if chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '_') => {
                    let mut name = String::new();
                    while let Some(&n) = chars.peek() {
                        // `$env:X`: one scope before the name.
                        let scope = n == ':' && name.eq_ignore_ascii_case("env");
                        if !(n.is_alphanumeric() || n == '_' || scope) {
                            break;
                        }
                        name.push(n);
                        chars.next();
                    }
                    out.push_str(&self.var(sh, &name)?);
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }

    /// One operand: a string, a variable, a number, `( ... )`, a bare word.
    fn operand(&self, sh: &mut Shell, w: &str) -> Result<String, Flow> {
        if let Some(inner) = w.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            return Ok(inner.replace("''", "'"));
        }
        if let Some(inner) = w.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            return self.expand(sh, inner);
        }
        if let Some((inner, "")) = group(w.strip_prefix('$').unwrap_or(w)) {
            return self.value(sh, inner.trim());
        }
        if w.starts_with('(') || w.starts_with('{') || w.starts_with('[') || w.starts_with('@') {
            return Err(opaque(&format!("expression {w}")));
        }
        self.expand(sh, w)
    }

    /// An expression: operands joined by `+`, or `FORMAT -f A, B`.
    fn value(&self, sh: &mut Shell, expr: &str) -> Result<String, Flow> {
        let ws = words(expr);
        if let Some(at) = ws.iter().position(|w| w.eq_ignore_ascii_case("-f")) {
            let format = self.value(sh, &ws[..at].join(" "))?;
            let args: Vec<String> =
                ws[at + 1..].iter().filter(|w| *w != ",").map(|w| self.operand(sh, w)).collect::<Result<_, _>>()?;
            let mut out = format;
            for (i, a) in args.iter().enumerate() {
                out = out.replace(&format!("{{{i}}}"), a);
            }
            return Ok(out);
        }
        let mut out = String::new();
        let mut want = true;
        for w in &ws {
            match (want, w.as_str()) {
                (false, "+") => want = true,
                (true, w) => {
                    out.push_str(&self.operand(sh, w)?);
                    want = false;
                }
                _ => return Err(opaque(&format!("expression {expr}"))),
            }
        }
        Ok(out)
    }

    /// A command's arguments: named parameters with their values, and the positional ones.
    fn arguments(&self, sh: &mut Shell, ws: &[String]) -> Result<Args, Flow> {
        let mut args = Args::default();
        let mut i = 0;
        while i < ws.len() {
            let w = &ws[i];
            i += 1;
            if let Some(name) = w.strip_prefix('-').filter(|n| n.starts_with(char::is_alphabetic)) {
                let (name, inline) = name.split_once(':').map_or((name, None), |(n, v)| (n, Some(v)));
                let name = name.to_ascii_lowercase();
                let mut values = Vec::new();
                if let Some(v) = inline {
                    values.push(self.operand(sh, v)?);
                } else if !SWITCHES.contains(&name.as_str()) {
                    // A value, and more after commas.
                    while let Some(v) = ws.get(i).filter(|v| !v.starts_with('-') || v.len() == 1) {
                        values.push(self.operand(sh, v)?);
                        i += 1;
                        if ws.get(i).map(String::as_str) != Some(",") {
                            break;
                        }
                        i += 1;
                    }
                }
                args.named.push((name, values));
            } else if w != "," {
                args.positional.push(self.operand(sh, w)?);
            }
        }
        Ok(args)
    }

    fn command(&mut self, sh: &mut Shell, text: &str, io: &mut Io) -> Result<(), Flow> {
        let mut ws = words(text.trim());
        // The call operator: `& PATH args`, `&$env:X\prog args`.
        if let Some(first) = ws.first_mut()
            && let Some(rest) = first.strip_prefix('&')
        {
            *first = rest.to_string();
            if first.is_empty() {
                ws.remove(0);
            }
        }
        let Some(first) = ws.first() else { return Ok(()) };
        let name = self.operand(sh, first)?;
        let args = self.arguments(sh, &ws[1..])?;
        let lower = name.to_ascii_lowercase();
        let result = match lower.as_str() {
            "write-host" | "write-output" | "echo" | "write" => {
                let text = args.positional.join(" ");
                io.stdout.extend_from_slice(format!("{text}\r\n").as_bytes());
                Ok(0)
            }
            "invoke-webrequest" | "iwr" => {
                let uri = args.get(&["uri"], 0).ok_or_else(|| opaque("Invoke-WebRequest without -Uri"))?;
                let Some(out) = args.get(&["outfile"], usize::MAX) else {
                    sh.model("Invoke-WebRequest without -OutFile keeps nothing");
                    return Ok(());
                };
                let words = vec!["-fsSL".into(), "-o".into(), super::cmd::windows_arg(&out), uri];
                let mut env = super::utils::Env { shell: sh, io, name: "curl".into() };
                Ok(env.run("curl", &words).unwrap_or(1))
            }
            "expand-archive" => {
                let order: [&[&str]; 2] = [&["path", "literalpath"], &["destinationpath"]];
                let path = sh.abs(&super::cmd::windows_arg(&args.bind(&order, 0).unwrap_or_default()));
                let dest = args.bind(&order, 1).unwrap_or_else(|| ".".into());
                let dest = sh.abs(&super::cmd::windows_arg(&dest));
                if sh.fs.stat(&path).is_none() && !sh.partial {
                    Err(format!(
                        "Expand-Archive : The path '{path}' either does not exist or is not a valid file system path."
                    ))
                } else {
                    let _ = sh.fs.mkdir_all(&dest, Meta::DIR);
                    sh.model(&format!("Expand-Archive unpacks {path}: the files it holds are not known here"));
                    sh.partial = true;
                    Ok(0)
                }
            }
            "remove-item" | "rm" | "del" | "erase" | "rd" | "rmdir" | "ri" => {
                let mut paths = args.all(&["path", "literalpath"]);
                paths.extend(args.positional.iter().cloned());
                remove(sh, &paths)
            }
            "move-item" | "mv" | "move" | "mi" | "copy-item" | "cp" | "copy" | "cpi" => {
                let order: [&[&str]; 2] = [&["path", "literalpath"], &["destination"]];
                let from = sh.abs(&super::cmd::windows_arg(&args.bind(&order, 0).unwrap_or_default()));
                let to = sh.abs(&super::cmd::windows_arg(&args.bind(&order, 1).unwrap_or_else(|| ".".into())));
                let moving = lower.starts_with('m');
                if sh.fs.stat(&from).is_none() && sh.partial {
                    // From an archive not known here: taken to be there.
                    let _ = sh.fs.mkdir_all(&to, Meta::DIR);
                    sh.model(&format!("{name} of {from}, which is not known here: {to} is taken to hold it"));
                    Ok(0)
                } else {
                    let words = if moving { vec![from, to] } else { vec!["-r".into(), from, to] };
                    let tool = if moving { "mv" } else { "cp" };
                    let mut env = super::utils::Env { shell: sh, io, name: tool.into() };
                    Ok(env.run(tool, &words).unwrap_or(1))
                }
            }
            "new-item" | "ni" | "mkdir" | "md" => {
                let path = args.get(&["path"], 0).ok_or_else(|| opaque("New-Item without -Path"))?;
                let path = sh.abs(&super::cmd::windows_arg(&path));
                let kind = args.get(&["itemtype", "type"], usize::MAX).unwrap_or_else(|| "file".into());
                let directory = kind.eq_ignore_ascii_case("directory") || lower == "md" || lower == "mkdir";
                if sh.fs.stat(&path).is_some() && !args.has("force") {
                    Err(format!("New-Item : An item with the specified name {path} already exists."))
                } else if directory {
                    Ok(i32::from(sh.fs.mkdir_all(&path, Meta::DIR).is_err()))
                } else {
                    let value = args.get(&["value"], 1).unwrap_or_default();
                    write(sh, &path, value.into_bytes())
                }
            }
            "set-content" | "add-content" | "out-file" => {
                let path =
                    args.get(&["path", "filepath"], 0).ok_or_else(|| opaque(&format!("{name} without -Path")))?;
                let path = sh.abs(&super::cmd::windows_arg(&path));
                let value = args.all(&["value", "inputobject"]).join("\r\n") + "\r\n";
                let old = match sh.fs.stat(&path) {
                    Some(Entry { node: crate::fs::Node::File { content, .. }, .. }) => {
                        content.as_bytes().map(<[u8]>::to_vec)
                    }
                    _ => None,
                };
                let mut bytes = match (lower.as_str(), old) {
                    ("add-content", Some(old)) => old,
                    _ => Vec::new(),
                };
                bytes.extend_from_slice(value.as_bytes());
                write(sh, &path, bytes)
            }
            "set-location" | "cd" | "sl" | "chdir" => {
                let dir = args.get(&["path"], 0).unwrap_or_default();
                sh.cwd = sh.abs(&super::cmd::windows_arg(&dir));
                Ok(0)
            }
            "add-windowsfeature" | "install-windowsfeature" | "enable-windowsoptionalfeature" => {
                sh.model(&format!("{name} installs Windows features: their files are not known here"));
                sh.partial = true;
                Ok(0)
            }
            "start-sleep" | "sleep" | "out-null" => Ok(0),
            "set-executionpolicy" | "import-module" => {
                sh.model(&format!("{name} changes only the session's settings"));
                Ok(0)
            }
            "rename-item" | "ren" | "rni" => {
                let order: [&[&str]; 2] = [&["path", "literalpath"], &["newname"]];
                let from = sh.abs(&super::cmd::windows_arg(&args.bind(&order, 0).unwrap_or_default()));
                let name = args.bind(&order, 1).unwrap_or_default();
                // A new name is a name in the same folder; a full path must be in that folder too.
                let new = super::cmd::windows_arg(&name);
                let to = if new.contains('/') {
                    sh.abs(&new)
                } else {
                    format!("{}/{new}", from.rsplit_once('/').map_or("", |(d, _)| d))
                };
                if sh.fs.lstat(&from).is_none() && sh.partial {
                    let _ = sh.fs.mkdir_all(&to, Meta::DIR);
                    sh.model(&format!("Rename-Item of {from}, which is not known here: {to} is taken to hold it"));
                    Ok(0)
                } else {
                    let mut env = super::utils::Env { shell: sh, io, name: "mv".into() };
                    Ok(env.run("mv", &[from, to]).unwrap_or(1))
                }
            }
            // IIS's configuration (`Set-ItemProperty IIS:\...`, `New-Website`, `New-WebAppPool`).
            _ if lower.contains("-web")
                || lower == "set-itemproperty"
                    && args.get(&["path"], 0).is_some_and(|p| p.to_ascii_lowercase().starts_with("iis:")) =>
            {
                sh.model(&format!(
                    "{name} changes IIS's configuration (applicationHost.config): its content is not known here"
                ));
                sh.partial = true;
                Ok(0)
            }
            // Another cmdlet (a verb, a dash, a noun), or a program: cmd's way.
            _ if lower.contains('-') && !lower.contains(['\\', '/', '.']) => return Err(opaque(&name)),
            _ => {
                let mut argv = vec![name.clone()];
                for w in &ws[1..] {
                    if w != "," {
                        argv.push(if w.starts_with('-') { w.clone() } else { self.operand(sh, w)? });
                    }
                }
                match sh.cmd_command(&argv, io).map_err(Flow::Stop)? {
                    // A program that is not there is an error of PowerShell's own.
                    127 => Err(format!(
                        "{name} : The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program."
                    )),
                    status => Ok(status),
                }
            }
        };
        match result {
            Ok(status) => self.ok = status == 0,
            Err(message) => {
                io.stderr.extend_from_slice(format!("{message}\r\n").as_bytes());
                self.ok = false;
                // `$ErrorActionPreference = 'Stop'`: the error ends the script.
                if self
                    .vars
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("ErrorActionPreference") && v.eq_ignore_ascii_case("stop"))
                {
                    return Err(Flow::Exit(1));
                }
            }
        }
        Ok(())
    }

    /// `Get-ChildItem -Path DIR [-Exclude NAMES] | Remove-Item`: the children not excluded.
    fn remove_listed(&mut self, sh: &mut Shell, list: &str, io: &mut Io) -> Result<(), Flow> {
        let args = self.arguments(sh, &words(list.trim())[1..])?;
        let dir = sh.abs(&super::cmd::windows_arg(&args.get(&["path"], 0).unwrap_or_else(|| ".".into())));
        let exclude = args.all(&["exclude"]);
        let names: Vec<String> = sh
            .fs
            .stat(&dir)
            .and_then(|e| e.as_dir().map(|d| d.iter().map(|(n, _)| n.to_string()).collect()))
            .unwrap_or_default();
        let doomed: Vec<String> = names
            .into_iter()
            .filter(|n| !exclude.iter().any(|x| super::cmd::wildcard(x, n)))
            .map(|n| format!("{}/{n}", dir.trim_end_matches('/')))
            .collect();
        if sh.partial {
            sh.model("Get-ChildItem lists what is known here: what else the folder holds stays as it is");
        }
        let _ = io;
        self.ok = remove(sh, &doomed).is_ok();
        Ok(())
    }
}

fn write(sh: &mut Shell, path: &str, bytes: Vec<u8>) -> Result<i32, String> {
    let _ = sh.fs.mkdir_all(path.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d }), Meta::DIR);
    sh.fs
        .insert(path, Entry::file(crate::fs::Content::bytes(bytes), Meta::FILE))
        .map(|_| 0)
        .map_err(|e| format!("{path}: {e}"))
}

/// `Remove-Item`: each path (a `*` or `?` in its last name matches names in its folder).
fn remove(sh: &mut Shell, paths: &[String]) -> Result<i32, String> {
    for path in paths {
        let path = sh.abs(&super::cmd::windows_arg(path));
        let (dir, last) = path.rsplit_once('/').unwrap_or(("", &path));
        let dir = if dir.is_empty() { "/" } else { dir };
        let doomed: Vec<String> = if last.contains(['*', '?']) {
            sh.fs
                .stat(dir)
                .and_then(|e| e.as_dir().map(|d| d.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>()))
                .unwrap_or_default()
                .into_iter()
                .filter(|n| super::cmd::wildcard(last, n))
                .map(|n| format!("{}/{n}", dir.trim_end_matches('/')))
                .collect()
        } else if sh.fs.lstat(&path).is_some() {
            vec![path.clone()]
        } else if sh.partial {
            Vec::new()
        } else {
            return Err(format!("Remove-Item : Cannot find path '{path}' because it does not exist."));
        };
        for p in doomed {
            let _ = sh.fs.remove(&p);
        }
    }
    Ok(0)
}

/// A cmdlet's arguments.
#[derive(Default)]
struct Args {
    named: Vec<(String, Vec<String>)>,
    positional: Vec<String>,
}

impl Args {
    /// The first value of the first of `names` given (a prefix of it will do, as PowerShell
    /// takes), or else the positional argument at `position`.
    fn get(&self, names: &[&str], position: usize) -> Option<String> {
        self.all(names).into_iter().next().or_else(|| self.positional.get(position).cloned())
    }

    /// The value of the positional parameter `at` of `order` (each a list of names), given by
    /// name or by position, the positions counted over the parameters not given by name.
    fn bind(&self, order: &[&[&str]], at: usize) -> Option<String> {
        if let Some(v) = self.all(order[at]).into_iter().next() {
            return Some(v);
        }
        let before = order[..at].iter().filter(|names| self.all(names).is_empty()).count();
        self.positional.get(before).cloned()
    }

    fn all(&self, names: &[&str]) -> Vec<String> {
        self.named
            .iter()
            .filter(|(n, _)| names.iter().any(|full| full.starts_with(n.as_str()) && n.len() >= 2))
            .flat_map(|(_, v)| v.iter().cloned())
            .collect()
    }

    fn has(&self, name: &str) -> bool {
        self.named.iter().any(|(n, _)| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{Content, Node, Snapshot};

    /// A Windows image whose files are known (`partial` false) or not.
    fn image(partial: bool, files: &[(&str, &str)]) -> Start {
        let mut snapshot = Snapshot::new();
        for (path, text) in files {
            snapshot.mkdir_all(path.rsplit_once('/').map_or("/", |(d, _)| d), Meta::DIR).unwrap();
            snapshot.insert(path, Entry::file(Content::bytes(text.as_bytes().to_vec()), Meta::FILE)).unwrap();
        }
        Start {
            snapshot,
            env: vec![("PATH".into(), "C:\\Windows\\system32;C:\\Windows".into()), ("GOPATH".into(), "C:\\go".into())],
            workdir: "/".into(),
            uid: 0,
            gid: 0,
            userland: super::super::Userland::Gnu,
            dialect: crate::sh::Dialect::Posix,
            partial,
            network_none: false,
            packages: None,
        }
    }

    fn text(f: &Finished, path: &str) -> String {
        match f.snapshot.lstat(path) {
            Some(Entry { node: Node::File { content, .. }, .. }) => {
                String::from_utf8_lossy(content.as_bytes().unwrap_or_default()).into_owned()
            }
            other => panic!("{path}: {other:?}"),
        }
    }

    const STOP: &str = "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; ";

    /// docker-library's golang for Windows, in short: download, checksum, unpack, move, clean.
    #[test]
    fn a_runtime_is_fetched_checked_unpacked_and_moved() {
        let script = format!(
            "{STOP}$url = 'https://dl.google.com/go/go1.26.7.windows-amd64.zip'; \
             Write-Host ('Downloading {{0}} from {{1}} ...' -f $url, \"$env:GOPATH\\bin\"); \
             [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; \
             Invoke-WebRequest -Uri $url -OutFile 'go.zip'; \
             $sha256 = 'f4f5'; \
             if ((Get-FileHash go.zip -Algorithm sha256).Hash -ne $sha256) {{ Write-Host 'FAILED!'; exit 1; }}; \
             Expand-Archive go.zip -DestinationPath C:\\; \
             Move-Item -Path C:\\go -Destination 'C:\\Program Files\\Go'; \
             Remove-Item go.zip -Force; \
             $env:PATH = 'C:\\git\\cmd;' + $env:PATH; \
             New-Item -ItemType Directory -Path C:\\data | Out-Null; \
             Set-Content -Path C:\\data\\path.txt -Value $env:PATH; \
             Add-Content C:\\data\\path.txt -Value done; \
             Write-Host 'Complete.' # a comment; Remove-Item C:\\data"
        );
        let f = run_powershell(&script, image(false, &[]));
        assert_eq!(f.status, 0, "{}", f.output);
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        assert!(
            f.output.starts_with(
                "Downloading https://dl.google.com/go/go1.26.7.windows-amd64.zip from C:\\go\\bin ...\r\n"
            ) && f.output.ends_with("Complete.\r\n"),
            "{}",
            f.output
        );
        assert!(f.snapshot.lstat("/go.zip").is_none(), "removed");
        assert!(f.snapshot.lstat("/Program Files/Go").is_some_and(|e| e.is_dir()));
        assert_eq!(text(&f, "/data/path.txt"), "C:\\git\\cmd;C:\\Windows\\system32;C:\\Windows\r\ndone\r\n");
        assert!(f.estimated, "the archive's files are not known");
        assert!(f.modeled.iter().any(|m| m.contains("checksum is taken to match")), "{:?}", f.modeled);
    }

    /// Errors: with `Stop` the first one ends the script with 1; without it the script goes
    /// on, and its status is the last command's.
    #[test]
    fn errors_stop_the_script_only_when_asked() {
        let f = run_powershell(
            &format!("{STOP}Remove-Item C:\\nope; New-Item -Path C:\\x -ItemType Directory"),
            image(false, &[]),
        );
        assert_eq!(f.status, 1);
        assert!(f.output.contains("Cannot find path '/nope' because it does not exist."), "{}", f.output);
        assert!(f.snapshot.lstat("/x").is_none());
        let f = run_powershell("Remove-Item C:\\nope; mkdir C:\\x", image(false, &[]));
        assert_eq!(f.status, 0, "{}", f.output);
        assert!(f.snapshot.lstat("/x").is_some());
        // Over files partly unknown, what is missing may be there.
        assert_eq!(run_powershell(&format!("{STOP}Remove-Item C:\\nope"), image(true, &[])).status, 0);
        // exit and throw.
        assert_eq!(run_powershell("exit 3; mkdir C:\\y", image(false, &[])).status, 3);
        let f = run_powershell("throw 'bad sum'", image(false, &[]));
        assert_eq!((f.status, f.output.as_str()), (1, "bad sum\r\n"));
    }

    /// Wildcards and `Get-ChildItem -Exclude ... | Remove-Item`, as dotnet-docker trims a folder.
    #[test]
    fn folders_are_trimmed_by_name() {
        let files =
            [("/d/sdk/a", "x"), ("/d/packs/b", "x"), ("/d/LICENSE.txt", "x"), ("/d/extra.dll", "x"), ("/w/a.log", "")];
        let f = run_powershell(
            "Get-ChildItem -Exclude 'LICENSE.txt','sdk' -Path d | Remove-Item -Force -Recurse; Remove-Item -Recurse C:\\w\\*",
            image(false, &files),
        );
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        let left: Vec<bool> = ["/d/sdk/a", "/d/LICENSE.txt", "/d/packs", "/d/extra.dll", "/w/a.log", "/w"]
            .iter()
            .map(|p| f.snapshot.lstat(p).is_some())
            .collect();
        assert_eq!(left, [true, true, false, false, false, true]);
    }

    /// Chocolatey's installer run by `iex`, choco's packages, Rename-Item, and IIS's settings.
    #[test]
    fn chocolatey_renames_and_iis() {
        let f = run_powershell(
            &format!(
                "{STOP}Set-ExecutionPolicy Bypass -Scope Process -Force; \
                 [System.Net.ServicePointManager]::SecurityProtocol = 3072; \
                 iex ((New-Object System.Net.WebClient).DownloadString('https://community.chocolatey.org/install.ps1')); \
                 choco install -y git nodejs-lts; \
                 New-Item -ItemType Directory -Path C:\\node-v20-win-x64 | Out-Null; \
                 Rename-Item -Path C:\\node-v20-win-x64 -NewName nodejs; \
                 Import-Module WebAdministration; \
                 Set-ItemProperty 'IIS:\\Sites\\Default Web Site' -Name logFile.directory -Value 'C:\\logs'"
            ),
            // The installer's change to PATH is the machine's, in the registry: not kept.
            image(true, &[]),
        );
        assert_eq!(f.status, 0, "{}", f.output);
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        for path in ["/ProgramData/chocolatey/bin/choco.exe", "/ProgramData/chocolatey/lib/nodejs-lts", "/nodejs"] {
            assert!(f.snapshot.lstat(path).is_some(), "{path}");
        }
        assert!(f.snapshot.lstat("/node-v20-win-x64").is_none());
        assert!(f.modeled.iter().any(|m| m.contains("IIS's configuration")), "{:?}", f.modeled);
        // A script fetched from elsewhere is not known.
        let f = run_powershell("iwr https://example.com/setup.ps1 -UseBasicParsing | iex", image(false, &[]));
        assert!(f.stopped.is_some());
    }

    /// What the subset does not have stops the step as opaque, with what it met.
    #[test]
    fn what_is_not_modeled_is_opaque() {
        for script in [
            "if (Test-Path C:\\x) { mkdir C:\\y }",
            "foreach ($v in @('a')) { mkdir $v }",
            "Write-Host \"$(Get-Date)\"",
            "Get-Process",
            "Write-Host $undefined",
            "[IO.File]::WriteAllText('C:\\x', 'y')",
            "busybox.exe --list | %{ cmd /c mklink C:\\bin\\$_.exe busybox.exe }",
        ] {
            let f = run_powershell(script, image(false, &[]));
            assert!(f.stopped.is_some(), "{script}: {}", f.output);
        }
    }

    /// cmd hands PowerShell its command line, which PowerShell cuts itself (`\"` is a quote).
    #[test]
    fn powershell_in_cmd_reads_its_own_quotes() {
        let f = super::super::run_cmd(
            "powershell -NoProfile -Command \"$p = \\\"C:\\Program Files\\x\\\"; New-Item -ItemType Directory -Path $p\" && echo ok",
            image(false, &[]),
        );
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        assert!(f.snapshot.lstat("/Program Files/x").is_some_and(|e| e.is_dir()), "{}", f.output);
        assert!(f.output.ends_with("ok\r\n"), "{}", f.output);
        assert_eq!(script_of(&["-File".into(), "x.ps1".into()]), None);
    }

    /// Random scripts of PowerShell's tokens: none may panic or loop.
    #[test]
    fn random_scripts_never_panic() {
        const TOKENS: [&str; 26] = [
            "$x",
            "=",
            "'a'",
            "\"b$x\"",
            "+",
            "-f",
            "(",
            ")",
            "{",
            "}",
            ";",
            "|",
            "if",
            "exit",
            "Remove-Item",
            "New-Item",
            "-Path",
            "C:\\a",
            ",",
            "`",
            "#",
            "$env:PATH",
            "Get-FileHash",
            "-ne",
            "&",
            "throw",
        ];
        let mut seed: u64 = 0x5eed;
        for _ in 0..5000 {
            let script: Vec<&str> = (0..=(seed % 14))
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    TOKENS[usize::try_from(seed >> 33).unwrap_or(0) % TOKENS.len()]
                })
                .collect();
            let _ = run_powershell(&script.join(" "), image(seed.is_multiple_of(2), &[]));
        }
    }
}
