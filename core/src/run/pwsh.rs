//! RUN in a Windows image through PowerShell (`SHELL ["powershell", "-Command", ...]`, or
//! `powershell -Command ...` in cmd's line): the statements Windows Dockerfiles write to
//! fetch, check, unpack and place a runtime. Variables (`$x = ...`, `$x += ...`, `$env:X`),
//! strings (`'...'`, `"..."` and bare words with `$x` in them), `+` between strings, `-f`,
//! and the cmdlets that change files, each with the parameters it is given here (full names):
//! `Invoke-WebRequest -OutFile`, `Expand-Archive`, `Remove-Item`, `Move-Item`, `Copy-Item`,
//! `Rename-Item`, `New-Item`, `Set-Content`/`Add-Content`, and their aliases;
//! `$ErrorActionPreference` and `-ErrorAction`; programs piped into programs. Any other
//! program runs as cmd would run it ([`super::cmd`]). A checksum test (`if ((Get-FileHash
//! F).Hash -ne ...)`) is taken to pass, as the real build went on.
//!
//! Windows PowerShell 5.1's behaviour (`powershell`), or PowerShell 7's (`pwsh`) where they
//! differ. What is not here (another `if`, loops, functions, .NET calls, a cmdlet, alias or
//! parameter not listed, `Set-Location`, `-Encoding`, a pipeline into a cmdlet, a
//! redirection, arithmetic, a format with a specifier) stops the step as opaque: the
//! `.wasm`'s size budget decides how much of the language is here.
//!
//! The script is the SHELL's words and the RUN line, as BuildKit passes them (the line one
//! argument, its quotes kept); the classic builder joins them into one command line instead.

use super::{Finished, Flow, Io, Shell, Start, Stop};
use crate::fs::{Content, Entry, Meta, Node};
use crate::text::Span;

/// How PowerShell says a path is missing, or its folder.
const NOT_THERE: &str = " because it does not exist.";
const NO_FOLDER: &str = "Could not find a part of the path";

/// The longest value a variable may hold (a script that doubles a string in a loop stops).
const MAX_VALUE: usize = 1 << 20;

/// Runs a PowerShell script (the text after `-Command`); `core` for PowerShell 7 (`pwsh`).
#[must_use]
pub fn run_powershell(script: &str, core: bool, start: Start) -> Finished {
    let mut shell = Shell::new(start);
    let mut io = Io::default();
    let flow = shell.powershell(script, core, &mut io);
    shell.finish(flow, io)
}

impl Shell {
    /// A PowerShell script, in this shell's files and environment.
    pub(super) fn powershell(&mut self, script: &str, core: bool, io: &mut Io) -> Flow {
        self.model(
            "PowerShell runs in a Windows container: its files show with C:\\ as / and without Windows' permissions",
        );
        if script.contains("<#") {
            return opaque("block comment");
        }
        let mut ps = Ps { vars: Vec::new(), ok: true, core, depth: 0 };
        let depth = self.depth;
        let flow = match ps.block(self, script, io) {
            Ok(()) => Flow::Exit(i32::from(!ps.ok)),
            Err(flow) => flow,
        };
        self.depth = depth;
        flow
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

/// The cmdlets modeled: their names (the cmdlet's, then its aliases), the parameters that
/// take a value, and the switches. Windows PowerShell's `curl`, `wget` and `sc` are added
/// where the edition has them.
const CMDLETS: [(&[&str], &[&str], &[&str]); 10] = [
    (&["write-host"], &["object", "foregroundcolor", "backgroundcolor"], &["nonewline"]),
    (&["write-output", "echo", "write"], &["inputobject"], &["noenumerate"]),
    (
        &["invoke-webrequest", "iwr"],
        &["uri", "outfile", "method", "timeoutsec", "useragent", "maximumredirection"],
        &["usebasicparsing", "passthru", "disablekeepalive"],
    ),
    (&["expand-archive"], &["path", "literalpath", "destinationpath"], &["force"]),
    (&["remove-item", "rm", "del", "erase", "rd", "rmdir", "ri"], &["path", "literalpath"], &["recurse", "force"]),
    (&["move-item", "mv", "move", "mi"], &["path", "literalpath", "destination"], &["force"]),
    (&["copy-item", "cp", "copy", "cpi"], &["path", "literalpath", "destination"], &["force", "recurse", "container"]),
    (&["rename-item", "ren", "rni"], &["path", "literalpath", "newname"], &["force"]),
    (&["new-item", "ni", "mkdir", "md"], &["path", "name", "itemtype", "type", "value"], &["force"]),
    (&["set-content", "add-content", "ac"], &["path", "literalpath", "value"], &["nonewline", "force"]),
];

/// The variables of one script, and whether its last command succeeded (`$?`).
struct Ps {
    vars: Vec<(String, String)>,
    ok: bool,
    /// PowerShell 7 (`pwsh`), not Windows PowerShell 5.1.
    core: bool,
    /// Nesting of parentheses being evaluated.
    depth: u32,
}

/// What is not modeled: `kind` and the text met.
fn gap(kind: &str, what: &str) -> Flow {
    let what: String = what.chars().take(200).collect();
    opaque(&format!("{kind} {what}"))
}

fn opaque(what: &str) -> Flow {
    Flow::Stop(Stop::Unknown { command: format!("PowerShell's {what}"), span: Span::default() })
}

/// Each character of `text` with its bracket depth when it is outside quotes (`None` inside
/// quotes, for a quote and for an escaped character). An opening bracket has the depth
/// outside it, and so has its closing one. In double quotes `""` is a quote, in single
/// quotes `''`. A comment (a `#` that starts a word, to the end of its line) is left out; a
/// `[` opens a bracket only where a word starts (`[Type]`), elsewhere it is a character.
fn levels(text: &str) -> Vec<(usize, char, Option<usize>)> {
    let (mut out, mut open, mut quote, mut escaped, mut comment) = (Vec::new(), Vec::new(), None, false, false);
    let mut chars = text.char_indices().peekable();
    let mut previous = ' ';
    while let Some((i, c)) = chars.next() {
        if comment {
            if c != '\n' {
                continue;
            }
            comment = false;
        }
        let depth = open.len();
        let level = if std::mem::take(&mut escaped) {
            None
        } else if c == '`' && quote != Some('\'') {
            escaped = true;
            None
        } else if let Some(q) = quote {
            // A doubled quote is the quote itself.
            if c == q && chars.peek().is_some_and(|(_, n)| *n == q) {
                out.push((i, c, None));
                let (j, n) = chars.next().unwrap_or((i, c));
                out.push((j, n, None));
                previous = n;
                continue;
            }
            if c == q {
                quote = None;
            }
            None
        } else {
            let starts_word =
                previous.is_whitespace() || matches!(previous, '(' | '{' | '[' | ',' | '=' | '+' | ';' | '|');
            match c {
                '#' if starts_word => {
                    comment = true;
                    continue;
                }
                '\'' | '"' => {
                    quote = Some(c);
                    None
                }
                '(' | '{' => {
                    open.push(c);
                    Some(depth)
                }
                '[' if starts_word => {
                    open.push(c);
                    Some(depth)
                }
                ')' | '}' | ']'
                    if open.last()
                        == Some(&match c {
                            ')' => '(',
                            '}' => '{',
                            _ => '[',
                        }) =>
                {
                    open.pop();
                    Some(depth - 1)
                }
                _ => Some(depth),
            }
        };
        previous = c;
        out.push((i, c, level));
    }
    out
}

/// `text` cut at `;`, newlines and `|` (`sep`) outside quotes and brackets, without its
/// comments (a `#` that starts a word, to the end of its line) and with a backquote at the end
/// of a line joining the next. `None` for `&&` or `||`.
fn split(text: &str, sep: &[char]) -> Option<Vec<String>> {
    let (mut out, mut cur, mut joined) = (Vec::new(), String::new(), false);
    let levels = levels(text);
    for (k, &(_, c, level)) in levels.iter().enumerate() {
        let next = levels.get(k + 1).map(|(_, n, _)| *n);
        if std::mem::take(&mut joined) {
            continue;
        }
        if c == '`' && level.is_none() && next == Some('\n') {
            // A backquote at the end of a line joins the next.
            cur.push(' ');
            joined = true;
        } else if level == Some(0) && matches!((c, next), ('&', Some('&')) | ('|', Some('|'))) {
            return None;
        } else if level == Some(0) && sep.contains(&c) {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.retain(|s| !s.trim().is_empty());
    Some(out)
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

/// Words, as written: cut at spaces, with `,` and `+` (`ops`) words of their own, outside
/// quotes and brackets.
fn words(s: &str, ops: &[char]) -> Vec<String> {
    let (mut out, mut cur) = (Vec::new(), String::new());
    for (_, c, level) in levels(s) {
        if level == Some(0) && (c.is_whitespace() || ops.contains(&c)) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
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

/// `$name` at the start of `w` (`$x`, `$env:X`, `${env:X}`), and what follows it.
fn variable(w: &str) -> Option<(&str, &str)> {
    let rest = w.strip_prefix('$')?;
    if let Some(braced) = rest.strip_prefix('{') {
        let end = braced.find('}')?;
        return Some((&braced[..end], &braced[end + 1..]));
    }
    let mut end = 0;
    for (i, c) in rest.char_indices() {
        // `$env:X`: one scope before the name.
        let scope = c == ':' && rest[..i].eq_ignore_ascii_case("env");
        if !(c.is_alphanumeric() || c == '_' || c == '?' && i == 0 || scope) {
            break;
        }
        end = i + c.len_utf8();
        if c == '?' {
            break;
        }
    }
    // `$name:more` names a variable of a drive or scope other than env: not modeled.
    if end > 0 && rest[end..].starts_with(':') && rest[end + 1..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    {
        return Some(("scoped variable", ""));
    }
    (end > 0).then(|| (&rest[..end], &rest[end..]))
}

/// .NET's composite format (`'{0}\bin;{1}' -f $a, $b`): `{{` and `}}` are braces; an index
/// out of range, an alignment or a format specifier is not modeled.
fn format(text: &str, args: &[String]) -> Result<String, Flow> {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let spec: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let index = spec.bytes().all(|b| b.is_ascii_digit()).then(|| spec.parse::<usize>().ok()).flatten();
                let arg = index.and_then(|i| args.get(i));
                out.push_str(arg.ok_or_else(|| opaque(&format!("format item {{{spec}}}")))?);
            }
            '}' => return Err(opaque("format string")),
            c => out.push(c),
        }
        if out.len() > MAX_VALUE {
            return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
        }
    }
    Ok(out)
}

impl Ps {
    fn block(&mut self, sh: &mut Shell, text: &str, io: &mut Io) -> Result<(), Flow> {
        sh.depth += 1;
        if sh.depth > super::MAX_DEPTH {
            return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
        }
        for statement in split(text, &[';', '\n']).ok_or_else(|| opaque("&& or ||"))? {
            sh.tick(Span::default())?;
            self.statement(sh, statement.trim(), io)?;
        }
        sh.depth -= 1;
        Ok(())
    }

    fn statement(&mut self, sh: &mut Shell, s: &str, io: &mut Io) -> Result<(), Flow> {
        // A redirection (`> f`, `2>&1`, `*>$null`) is not modeled.
        if levels(s).iter().any(|(_, c, level)| *level == Some(0) && matches!(c, '>' | '<')) {
            return Err(gap("redirection in", s));
        }
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("if").filter(|r| r.trim_start().starts_with('(')) {
            return self.test(sh, s[s.len() - rest.len()..].trim_start(), io);
        }
        if lower == "exit" || lower.starts_with("exit ") {
            let code = s[4..].trim();
            let code = if code.is_empty() {
                i32::from(!self.ok)
            } else {
                match code.parse() {
                    Ok(n) => n,
                    Err(_) => self.value(sh, code)?.parse().map_err(|_| gap("exit", code))?,
                }
            };
            return Err(Flow::Exit(code));
        }
        if lower == "throw" || lower.starts_with("throw ") {
            let text = if s.len() > 5 { self.value(sh, s[5..].trim())? } else { "ScriptHalted".into() };
            io.stderr.extend_from_slice(format!("{text}\r\n").as_bytes());
            return Err(Flow::Exit(1));
        }
        let dotnet = lower.replacen("[system.", "[", 1);
        if dotnet.starts_with("[net.servicepointmanager]::securityprotocol") {
            sh.model("PowerShell's .NET settings (the protocols to download with) change no file");
            self.ok = true;
            return Ok(());
        }
        if let Some(call) = dotnet.strip_prefix("[environment]::setenvironmentvariable") {
            return self.set_environment(sh, &s[s.len() - call.len()..]);
        }
        // `$x = ...`, `$x += ...`, `$env:X = ...`.
        if let Some((name, rest)) = variable(s)
            && let Some((op, expr)) = rest.trim_start().split_once('=')
            && matches!(op, "" | "+")
            && !expr.starts_with('=')
        {
            let mut value = self.value(sh, expr.trim())?;
            if op == "+" {
                value = self.var(sh, name)? + &value;
            }
            if value.len() > MAX_VALUE {
                return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
            }
            if name.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("env:")) {
                sh.set_windows_var(&name[4..], &value);
            } else {
                self.vars.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                self.vars.push((name.to_string(), value));
            }
            self.ok = true;
            return Ok(());
        }
        // A value where a command should be (`$x`, `'text'`, `(1 + 2)`) prints it, or is a
        // syntax error: not modeled.
        if s.starts_with(['$', '\'', '"', '(', '@', '[', '{']) || s.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(gap("statement", s));
        }
        let stages = split(s, &['|']).ok_or_else(|| opaque("&& or ||"))?;
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
            // What the command prints, thrown away.
            [one, null] if null.trim().eq_ignore_ascii_case("out-null") => {
                let before = io.stdout.len();
                self.command(sh, one, io)?;
                io.stdout.truncate(before);
                Ok(())
            }
            // Programs piped into each other (`ngen ... | ngen ...`): each one's output is the
            // next one's input.
            stages if stages.iter().all(|t| Self::program(t)) => {
                let (mut input, mut unknown) = (Vec::new(), None);
                for (i, stage) in stages.iter().enumerate() {
                    let mut pipe =
                        Io { stdin: std::mem::take(&mut input), unknown_in: unknown.take(), ..Io::default() };
                    if i + 1 == stages.len() {
                        io.stdin = pipe.stdin;
                        io.unknown_in = pipe.unknown_in;
                        return self.command(sh, stage, io);
                    }
                    self.command(sh, stage, &mut pipe)?;
                    io.stderr.append(&mut pipe.stderr);
                    (input, unknown) = (pipe.stdout, pipe.unknown_out);
                }
                Ok(())
            }
            _ => Err(opaque("pipeline")),
        }
    }

    /// Whether a command runs a program (a path, or a name with `.exe`), not a cmdlet.
    fn program(text: &str) -> bool {
        let first = words(text.trim(), &[]).into_iter().next().unwrap_or_default();
        let first = first.trim_start_matches('&');
        first.contains(['\\', '/']) || first.to_ascii_lowercase().ends_with(".exe")
    }

    /// `[Environment]::SetEnvironmentVariable(NAME, VALUE, TARGET)`: the machine's or the
    /// user's variable is in the registry, not kept; the process's is not modeled.
    fn set_environment(&mut self, sh: &mut Shell, call: &str) -> Result<(), Flow> {
        let target = call.rsplit(',').next().unwrap_or_default().to_ascii_lowercase();
        if !(target.contains("::machine") || target.contains("::user")) {
            return Err(opaque("SetEnvironmentVariable"));
        }
        sh.model("a machine's or a user's environment variable is in the registry, which the simulation does not keep");
        self.ok = true;
        Ok(())
    }

    /// `if ((Get-FileHash F ...).Hash -ne X) { ... }` and `-eq`: a download's checksum is
    /// taken to match, as the real build went on. Any other `if` is not modeled.
    fn test(&mut self, sh: &mut Shell, s: &str, io: &mut Io) -> Result<(), Flow> {
        let not_modeled = || opaque("if");
        let (cond, rest) = group(s).ok_or_else(not_modeled)?;
        let (then, rest) = group(rest.trim_start()).ok_or_else(not_modeled)?;
        let rest = rest.trim_start();
        let otherwise = match rest.get(..4) {
            Some(e) if e.eq_ignore_ascii_case("else") => Some(group(rest[4..].trim_start()).ok_or_else(not_modeled)?.0),
            _ if rest.is_empty() => None,
            _ => return Err(not_modeled()),
        };
        let cond = cond.trim();
        let (hash, compare) = group(cond).ok_or_else(not_modeled)?;
        let compare = compare.to_ascii_lowercase();
        let equal = match words(&compare, &[]).as_slice() {
            [h, op, _] if h == ".hash" && op == "-ne" => false,
            [h, op, _] if h == ".hash" && op == "-eq" => true,
            _ => return Err(not_modeled()),
        };
        if !hash.trim_start().to_ascii_lowercase().starts_with("get-filehash ") {
            return Err(not_modeled());
        }
        sh.model("a download's checksum is taken to match, as the real build went on");
        match (equal, otherwise) {
            (true, _) => self.block(sh, then, io),
            (false, Some(block)) => self.block(sh, block, io),
            (false, None) => Ok(()),
        }
    }

    /// A variable's value: the script's own, `$env:X` (any case, Windows' defaults), `$true`.
    fn var(&self, sh: &Shell, name: &str) -> Result<String, Flow> {
        if let Some(env) = name.get(..4).filter(|p| p.eq_ignore_ascii_case("env:")).map(|_| &name[4..]) {
            // The machine's own (its name, its processors, its domain) are not known here.
            let lower = env.to_ascii_lowercase();
            if [
                "computername",
                "number_of_processors",
                "userdomain",
                "logonserver",
                "psmodulepath",
                "processor_identifier",
            ]
            .contains(&lower.as_str())
            {
                return Err(gap("variable", name));
            }
            return Ok(sh.windows_var(env).unwrap_or_default());
        }
        if let Some((_, v)) = self.vars.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            return Ok(v.clone());
        }
        match name.to_ascii_lowercase().as_str() {
            "true" => Ok("True".into()),
            "false" => Ok("False".into()),
            "null" => Ok(String::new()),
            _ => Err(gap("variable", name)),
        }
    }

    /// `"..."` or a bare word: `$x`, `$env:X`, `${env:X}` replaced, backquote escapes read.
    fn expand(&self, sh: &Shell, text: &str) -> Result<String, Flow> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if c == '`' {
                let mut chars = rest[1..].chars();
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    Some('a') => out.push('\u{7}'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('v') => out.push('\u{b}'),
                    Some('e' | 'u') if self.core => return Err(opaque("escape")),
                    Some(n) => out.push(n),
                    None => {}
                }
                rest = chars.as_str();
            } else if c == '"' && rest[1..].starts_with('"') {
                out.push('"');
                rest = &rest[2..];
            } else if rest.starts_with("$(") {
                return Err(opaque("$(...) in a string"));
            } else if let Some((name, after)) = variable(rest) {
                out.push_str(&self.var(sh, name)?);
                rest = after;
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
            if out.len() > MAX_VALUE {
                return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
            }
        }
        Ok(out)
    }

    /// One operand of an expression: a string, a variable, `( ... )`, `$( ... )`.
    fn operand(&mut self, sh: &mut Shell, w: &str) -> Result<String, Flow> {
        // A quoted string is one word only when its quote closes at its end.
        if w.starts_with(['\'', '"']) && levels(w).iter().skip(1).any(|(_, _, level)| level.is_some()) {
            return Err(gap("expression", w));
        }
        if let Some(inner) = w.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).filter(|_| w.len() > 1) {
            return Ok(inner.replace("''", "'"));
        }
        if let Some(inner) = w.strip_prefix('"').and_then(|r| r.strip_suffix('"')).filter(|_| w.len() > 1) {
            return self.expand(sh, inner);
        }
        if let Some((name, "")) = variable(w) {
            return self.var(sh, name);
        }
        if let Some((inner, "")) = group(w.strip_prefix('$').unwrap_or(w)) {
            self.depth += 1;
            if self.depth > super::MAX_DEPTH {
                return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
            }
            let value = self.value(sh, inner.trim());
            self.depth -= 1;
            return value;
        }
        Err(gap("expression", w))
    }

    /// An argument of a command: an operand, or a bare word (`$x` in it replaced).
    fn argument(&mut self, sh: &mut Shell, w: &str) -> Result<String, Flow> {
        let quoted =
            w.len() > 1 && (w.starts_with('\'') && w.ends_with('\'') || w.starts_with('"') && w.ends_with('"'));
        if quoted || w.starts_with('(') || w.starts_with("$(") {
            return self.operand(sh, w);
        }
        // `$x.Name` and `$x[0]` are a member and an element; quotes inside a word join
        // strings: neither is modeled.
        if w.contains(['\'', '"', '@', '{']) || variable(w).is_some_and(|(_, rest)| rest.starts_with(['.', '['])) {
            return Err(gap("argument", w));
        }
        self.expand(sh, w)
    }

    /// An expression: operands joined by `+` (strings only), or `FORMAT -f A, B`.
    fn value(&mut self, sh: &mut Shell, expr: &str) -> Result<String, Flow> {
        let ws = words(expr, &[',', '+']);
        if let Some(at) = ws.iter().position(|w| w.eq_ignore_ascii_case("-f")) {
            // `-f` binds tighter than `+`: not modeled together.
            if ws.iter().any(|w| w == "+") {
                return Err(gap("expression", expr));
            }
            let text = self.concat(sh, &ws[..at])?;
            let mut args = Vec::new();
            for part in ws[at + 1..].split(|w| w == ",") {
                args.push(self.concat(sh, part)?);
            }
            return format(&text, &args);
        }
        self.concat(sh, &ws)
    }

    /// `A + B + ...`, each a string or a variable (a number would add: not modeled).
    fn concat(&mut self, sh: &mut Shell, ws: &[String]) -> Result<String, Flow> {
        let mut out = String::new();
        for (i, w) in ws.iter().enumerate() {
            if i % 2 == 1 {
                if w != "+" {
                    return Err(gap("operator", w));
                }
                continue;
            }
            out.push_str(&self.operand(sh, w)?);
            if out.len() > MAX_VALUE {
                return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
            }
        }
        if ws.is_empty() || ws.len().is_multiple_of(2) {
            return Err(opaque("expression"));
        }
        Ok(out)
    }

    /// A cmdlet's arguments, checked against the parameters it has here: `valued` take a
    /// value, `switches` do not (each matched by an unambiguous prefix, as PowerShell does).
    fn arguments(
        &mut self,
        sh: &mut Shell,
        ws: &[String],
        valued: &[&'static str],
        switches: &[&'static str],
    ) -> Result<Args, Flow> {
        let mut args = Args::default();
        let mut i = 0;
        while i < ws.len() {
            let w = &ws[i];
            i += 1;
            if let Some(given) = w.strip_prefix('-').filter(|n| n.starts_with(char::is_alphabetic)) {
                let (given, inline) = given.split_once(':').map_or((given, None), |(n, v)| (n, Some(v)));
                let given = given.to_ascii_lowercase();
                // Full names only: a prefix may be ambiguous with a parameter not listed here.
                let pick = |list: &[&'static str]| -> Vec<&'static str> {
                    list.iter().copied().filter(|p| *p == given).collect()
                };
                let (v, s) = (pick(valued), pick(switches));
                let name = match (v.as_slice(), s.as_slice()) {
                    ([one], []) => *one,
                    ([], [one]) => {
                        // `-Force:$false` and the like.
                        if inline.is_some_and(|v| !v.eq_ignore_ascii_case("$true")) {
                            return Err(gap("parameter", w));
                        }
                        args.named.push((one, String::new()));
                        continue;
                    }
                    _ if matches!(given.as_str(), "erroraction" | "ea") => "erroraction",
                    _ if matches!(given.as_str(), "verbose" | "debug" | "confirm") => continue,
                    _ => return Err(gap("parameter", w)),
                };
                // A value, and more after commas.
                let mut values = Vec::new();
                if let Some(v) = inline {
                    values.push(self.argument(sh, v)?);
                } else {
                    while let Some(v) = ws.get(i).filter(|v| !v.starts_with('-') || v.len() == 1) {
                        values.push(self.argument(sh, v)?);
                        i += 1;
                        if ws.get(i).map(String::as_str) != Some(",") {
                            break;
                        }
                        i += 1;
                    }
                }
                if values.is_empty() {
                    return Err(opaque(&format!("parameter {w} without a value")));
                }
                for v in values {
                    args.named.push((name, v));
                }
            } else if w == "," {
                args.comma = true;
            } else {
                // Words after a comma are one more value of the same argument (an array).
                if ws.get(i.wrapping_sub(2)).is_none_or(|p| p != ",") {
                    args.slots += 1;
                }
                args.positional.push(self.argument(sh, w)?);
            }
        }
        if args.named.iter().map(|(_, v)| v.len()).chain(args.positional.iter().map(String::len)).sum::<usize>()
            > MAX_VALUE
        {
            return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
        }
        Ok(args)
    }

    /// A path as the layer has it, relative to the working directory.
    fn path(sh: &Shell, written: &str) -> Result<String, Flow> {
        if let Some((drive, _)) = written.split_once(':')
            && !drive.eq_ignore_ascii_case("c")
        {
            return Err(gap("path", written));
        }
        Ok(sh.abs(&super::cmd::windows_arg(written)))
    }

    /// A path that must not hold wildcards (which would match other files).
    fn literal(sh: &Shell, written: &str) -> Result<String, Flow> {
        if written.contains(['*', '?', '[']) {
            return Err(gap("wildcard", written));
        }
        Self::path(sh, written)
    }

    fn command(&mut self, sh: &mut Shell, text: &str, io: &mut Io) -> Result<(), Flow> {
        let mut ws = words(text.trim(), &[',']);
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
        let name = self.argument(sh, first)?;
        let lower = name.to_ascii_lowercase();
        let rest = &ws[1..];
        let id = CMDLETS.iter().position(|(names, ..)| names.contains(&lower.as_str())).or(match lower.as_str() {
            "curl" | "wget" if !self.core => Some(2),
            "sc" if !self.core => Some(9),
            _ => None,
        });
        let (id, args) = match id {
            Some(i) => (i, self.arguments(sh, rest, CMDLETS[i].1, CMDLETS[i].2)?),
            None => (usize::MAX, Args::default()),
        };
        let result = match id {
            0 => {
                let mut text =
                    args.all("object").into_iter().chain(args.positional.iter().cloned()).collect::<Vec<_>>().join(" ");
                if !args.has("nonewline") {
                    text.push_str("\r\n");
                }
                emit(io, text.as_bytes())?;
                Ok(0)
            }
            1 => {
                for object in args.all("inputobject").into_iter().chain(args.positional.iter().cloned()) {
                    emit(io, format!("{object}\r\n").as_bytes())?;
                }
                Ok(0)
            }
            2 => Self::download(sh, &args, io)?,
            3 => {
                args.fits(2, false)?;
                let archive = args.bind(&[&["path", "literalpath"], &["destinationpath"]], 0).unwrap_or_default();
                // Without a destination: a folder named after the archive, here.
                let dest = args.bind(&[&["path", "literalpath"], &["destinationpath"]], 1).unwrap_or_else(|| {
                    let name = archive.rsplit(['\\', '/']).next().unwrap_or(&archive);
                    name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_string()
                });
                let (path, dest) = (Self::literal(sh, &archive)?, Self::literal(sh, &dest)?);
                if kind(sh, &path, false) == Kind::Missing && !sh.partial {
                    Err(error(
                        "Expand-Archive",
                        "The path",
                        &archive,
                        " either does not exist or is not a valid file system path.",
                    ))
                } else {
                    let _ = sh.fs.mkdir_all(&dest, Meta::DIR);
                    sh.model(&format!("Expand-Archive unpacks {archive}: the files it holds are not known here"));
                    sh.partial = true;
                    Ok(0)
                }
            }
            4 => {
                args.fits(1, true)?;
                let mut paths: Vec<(String, bool)> = args.all("path").into_iter().map(|p| (p, true)).collect();
                paths.extend(args.all("literalpath").into_iter().map(|p| (p, false)));
                paths.extend(args.positional.iter().map(|p| (p.clone(), true)));
                remove(sh, &paths, args.has("recurse"))?
            }
            5 | 6 => {
                let moving = id == 5;
                args.fits(2, false)?;
                let order: [&[&str]; 2] = [&["path", "literalpath"], &["destination"]];
                let from = args.bind(&order, 0).unwrap_or_default();
                let to = args.bind(&order, 1).unwrap_or_else(|| ".".into());
                let (from_path, to_path) = (Self::literal(sh, &from)?, Self::literal(sh, &to)?);
                // Into itself, or over a file that is there: not modeled.
                if to_path.starts_with(&format!("{}/", from_path.trim_end_matches('/')))
                    || kind(sh, &to_path, false) == Kind::File
                {
                    return Err(gap(&name, &to));
                }
                match kind(sh, &from_path, false) {
                    Kind::Missing if sh.partial => {
                        // From an archive not known here: taken to be a folder there.
                        let _ = sh.fs.mkdir_all(&to_path, Meta::DIR);
                        sh.model(&format!(
                            "{name} of {from}, which is not known here: {to} is taken to be a folder holding it"
                        ));
                        Ok(0)
                    }
                    Kind::Folder | Kind::Full if !moving && !args.has("recurse") => {
                        return Err(opaque("Copy-Item of a folder without -Recurse"));
                    }
                    _ => {
                        let (tool, words) = if moving {
                            ("mv", vec![from_path, to_path])
                        } else {
                            ("cp", vec!["-r".into(), from_path, to_path])
                        };
                        let mut env = super::utils::Env { shell: sh, io, name: tool.into() };
                        match env.run(tool, &words) {
                            Some(0) => Ok(0),
                            _ => Err(error(&name, "Cannot find path", &from, NOT_THERE)),
                        }
                    }
                }
            }
            7 => {
                args.fits(2, false)?;
                let order: [&[&str]; 2] = [&["path", "literalpath"], &["newname"]];
                let written = args.bind(&order, 0).unwrap_or_default();
                let from = Self::literal(sh, &written)?;
                let new = super::cmd::windows_arg(&args.bind(&order, 1).unwrap_or_default());
                // A new name is a name in the same folder (a full path must be in that folder).
                let to = if new.contains('/') {
                    sh.abs(&new)
                } else {
                    format!("{}/{new}", from.rsplit_once('/').map_or("", |(d, _)| d))
                };
                if kind(sh, &to, true) != Kind::Missing || to.contains(['*', '?', '[', ':']) {
                    return Err(gap("Rename-Item to", &to));
                }
                let found = kind(sh, &from, true) != Kind::Missing;
                if !found && sh.partial {
                    let _ = sh.fs.mkdir_all(&to, Meta::DIR);
                    sh.model(&format!("Rename-Item of {written}, which is not known here: it is taken to be a folder"));
                    Ok(0)
                } else if !found {
                    Err(error("Rename-Item", "Cannot rename because item at", &written, " does not exist."))
                } else {
                    let mut env = super::utils::Env { shell: sh, io, name: "mv".into() };
                    Ok(env.run("mv", &[from, to]).unwrap_or(1))
                }
            }
            8 => {
                args.fits(1, false)?;
                let mut written =
                    args.bind(&[&["path"], &["name"]], 0).ok_or_else(|| opaque("New-Item without -Path"))?;
                if let Some(name) =
                    args.get("name").filter(|_| args.get("path").is_some() || !args.positional.is_empty())
                {
                    written = format!("{}\\{name}", written.trim_end_matches(['\\', '/']));
                }
                let path = Self::literal(sh, &written)?;
                let item = args
                    .get("itemtype")
                    .or_else(|| args.get("type"))
                    .unwrap_or_else(|| "file".into())
                    .to_ascii_lowercase();
                let directory = lower == "mkdir" || lower == "md" || item == "directory";
                if !directory && item != "file" {
                    return Err(gap("New-Item -ItemType", &item));
                }
                if kind(sh, &path, false) != Kind::Missing && !args.has("force") {
                    Err(error("New-Item", "An item with the specified name", &written, " already exists."))
                } else if directory {
                    if sh.fs.mkdir_all(&path, Meta::DIR).is_err() {
                        Err(error("New-Item", NO_FOLDER, &written, "."))
                    } else {
                        Ok(0)
                    }
                } else {
                    // With -Force the folders on the way are made.
                    if args.has("force") {
                        let _ = sh.fs.mkdir_all(super::utils::parent(&path), Meta::DIR);
                    }
                    let value = args.get("value").unwrap_or_default();
                    write(sh, &path, &written, value.into_bytes())
                }
            }
            9 => self.content(sh, lower == "add-content" || lower == "ac", &args)?,
            _ => match lower.as_str() {
                "add-windowsfeature" | "install-windowsfeature" | "enable-windowsoptionalfeature" => {
                    sh.model(&format!("{name} installs Windows features: their files are not known here"));
                    sh.partial = true;
                    Ok(0)
                }
                "start-sleep" | "sleep" => Ok(0),
                "set-executionpolicy" | "import-module" => {
                    sh.model(&format!("{name} changes only the session's settings"));
                    Ok(0)
                }
                // IIS's configuration (`Set-ItemProperty IIS:\...`, `New-Website`, `New-WebAppPool`).
                _ if lower.contains("-web")
                    || lower == "set-itemproperty"
                        && rest
                            .iter()
                            .any(|w| w.trim_matches(['\'', '"']).to_ascii_lowercase().starts_with("iis:")) =>
                {
                    sh.model(&format!(
                        "{name} changes IIS's configuration (applicationHost.config): its content is not known here"
                    ));
                    sh.partial = true;
                    Ok(0)
                }
                // Another cmdlet (a verb, a dash, a noun), an alias of one, or a cmd builtin: not modeled.
                _ if lower.contains('-') && !lower.contains(['\\', '/', '.'])
                    || [
                        "ls", "dir", "gci", "cat", "gc", "type", "sort", "tee", "where", "select", "measure",
                        "foreach", "%", "?", "mklink", "set", "sv", "gv", "pwd", "pushd", "popd", "start", "saps",
                        "kill", "ps", "cls", "clear", "out-file", "iex", "icm", "curl", "wget", "sc", "ac", "diff",
                        "compare", "gi", "si", "sp", "gp", "r", "h", "history", "assoc", "ftype", "ver", "vol", "call",
                        "goto", "if", "for",
                    ]
                    .contains(&lower.as_str()) =>
                {
                    return Err(opaque(&name));
                }
                _ => {
                    let mut argv = vec![name.clone()];
                    for w in rest {
                        if w != "," {
                            argv.push(self.argument(sh, w)?);
                        }
                    }
                    match sh.cmd_command(&argv, io).map_err(Flow::Stop)? {
                        // A program that is not there is an error of PowerShell's own.
                        127 if !sh.partial => Err(format!(
                            "{name} : The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program."
                        )),
                        status => Ok(status),
                    }
                }
            },
        };
        match result {
            Ok(status) => self.ok = status == 0,
            Err(message) => {
                io.stderr.extend_from_slice(format!("{message}\r\n").as_bytes());
                self.ok = false;
                // `-ErrorAction Stop`, or `$ErrorActionPreference = 'Stop'` without a
                // command's own `-ErrorAction`: the error ends the script.
                let action = match args.get("erroraction") {
                    Some(own) => own,
                    None => self.var(sh, "ErrorActionPreference").unwrap_or_default(),
                };
                let action = action.trim_matches(['\'', '"']).to_ascii_lowercase();
                if action == "stop" {
                    return Err(Flow::Exit(1));
                }
                if !matches!(action.as_str(), "" | "continue" | "silentlycontinue" | "ignore" | "0") {
                    return Err(gap("-ErrorAction", &action));
                }
            }
        }
        Ok(())
    }

    /// `Invoke-WebRequest URI -OutFile F`: the download model's file.
    fn download(sh: &mut Shell, args: &Args, io: &mut Io) -> Result<Result<i32, String>, Flow> {
        if args.get("method").is_some_and(|m| !m.eq_ignore_ascii_case("get")) {
            return Err(opaque("Invoke-WebRequest -Method"));
        }
        let uri = args.bind(&[&["uri"]], 0).ok_or_else(|| opaque("Invoke-WebRequest without -Uri"))?;
        let Some(out) = args.get("outfile") else {
            sh.model("Invoke-WebRequest without -OutFile keeps nothing");
            return Ok(Ok(0));
        };
        let file = Self::literal(sh, &out)?;
        if !sh.partial && kind(sh, super::utils::parent(&file), false) < Kind::Folder {
            return Ok(Err(error("Invoke-WebRequest", NO_FOLDER, &out, ".")));
        }
        let words = vec!["-fsSL".into(), "-o".into(), file, uri];
        let mut env = super::utils::Env { shell: sh, io, name: "curl".into() };
        Ok(match env.run("curl", &words) {
            Some(0) => Ok(0),
            _ => Err(error("Invoke-WebRequest", "The download to", &out, " failed.")),
        })
    }

    /// `Set-Content` and `Add-Content`: the values, one per line (CRLF), in Windows
    /// PowerShell's default encoding (ASCII text only here) or UTF-8 (with a byte-order mark
    /// in 5.1); PowerShell 7 writes UTF-8 without one.
    fn content(&mut self, sh: &mut Shell, add: bool, args: &Args) -> Result<Result<i32, String>, Flow> {
        args.fits(2, true)?;
        let cmdlet = if add { "add-content" } else { "set-content" };
        let order: [&[&str]; 2] = [&["path", "literalpath"], &["value"]];
        let written = args.bind(&order, 0).ok_or_else(|| opaque(&format!("{cmdlet} without -Path")))?;
        let mut values = args.all("value");
        if values.is_empty() {
            values.extend(
                args.positional
                    .iter()
                    .skip(usize::from(args.get("path").is_none() && args.get("literalpath").is_none()))
                    .cloned(),
            );
        }
        let mut text = values.join(if args.has("nonewline") { "" } else { "\r\n" });
        if !args.has("nonewline") {
            text.push_str("\r\n");
        }
        // Windows PowerShell writes the system's code page (ASCII text only here); 7 UTF-8.
        if !self.core && !text.is_ascii() {
            return Err(opaque("text in the system's code page"));
        }
        if values.is_empty() || text.len() > MAX_VALUE {
            return Err(opaque(&format!("{cmdlet} without a value, or a huge one")));
        }
        let path = Self::literal(sh, &written)?;
        let old = match sh.fs.stat(&path) {
            Some(Entry { node: Node::File { content, .. }, .. }) => Some(content.as_bytes().map(<[u8]>::to_vec)),
            Some(_) => return Err(opaque(&format!("{cmdlet} of a folder"))),
            None => None,
        };
        let mut bytes = match (cmdlet, old) {
            ("set-content", _) | (_, None) => Vec::new(),
            (_, Some(Some(old))) => old,
            (_, Some(None)) => return Err(opaque("Add-Content to a file not known here")),
        };
        bytes.extend_from_slice(text.as_bytes());
        Ok(write(sh, &path, &written, bytes))
    }
}

/// What is at `path` (`lstat`: the link itself): nothing, a file or link, a folder, a
/// folder with entries. One place that looks, so that the entry is not copied at each.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd)]
enum Kind {
    Missing,
    File,
    Folder,
    Full,
}

#[inline(never)]
fn kind(sh: &Shell, path: &str, lstat: bool) -> Kind {
    let entry = if lstat { sh.fs.lstat(path) } else { sh.fs.stat(path) };
    match entry.as_ref().map(|e| e.as_dir().map(|d| d.iter().next().is_some())) {
        None => Kind::Missing,
        Some(None) => Kind::File,
        Some(Some(false)) => Kind::Folder,
        Some(Some(true)) => Kind::Full,
    }
}

/// A cmdlet's error, as PowerShell words it: `CMDLET : TEXT 'PATH'AFTER`.
fn error(cmdlet: &str, text: &str, path: &str, after: &str) -> String {
    format!("{cmdlet} : {text} '{path}'{after}")
}

/// What a cmdlet prints, within the step's budget of output.
fn emit(io: &mut Io, bytes: &[u8]) -> Result<(), Flow> {
    if io.stdout.len() + bytes.len() > super::MAX_OUTPUT {
        return Err(Flow::Stop(Stop::Budget { span: Span::default() }));
    }
    io.stdout.extend_from_slice(bytes);
    Ok(())
}

/// A file of `bytes` at `path` (as written: `written`); its folder must exist.
fn write(sh: &mut Shell, path: &str, written: &str, bytes: Vec<u8>) -> Result<i32, String> {
    let parent = super::utils::parent(path);
    if kind(sh, parent, false) < Kind::Folder {
        // Over partly unknown files the folder may be one of them.
        if !sh.partial || sh.fs.mkdir_all(parent, Meta::DIR).is_err() {
            return Err(error("Set-Content", NO_FOLDER, written, "."));
        }
    }
    sh.fs.insert(path, Entry::file(Content::bytes(bytes), Meta::FILE)).map(|_| 0).map_err(|e| format!("{written}: {e}"))
}

/// `Remove-Item`: each path (`true` when a `*` or `?` in its last name matches names in its
/// folder); a folder with files needs `recurse`.
fn remove(sh: &mut Shell, paths: &[(String, bool)], recurse: bool) -> Result<Result<i32, String>, Flow> {
    for (written, wildcards) in paths {
        let path = Ps::path(sh, written)?;
        let (dir, last) = (super::utils::parent(&path), path.rsplit('/').next().unwrap_or_default());
        if *wildcards && (dir.contains(['*', '?', '[']) || last.contains('[')) {
            return Err(gap("Remove-Item of the wildcard", written));
        }
        let doomed: Vec<String> = if *wildcards && last.contains(['*', '?']) {
            sh.fs
                .stat(dir)
                .and_then(|e| e.as_dir().map(|d| d.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>()))
                .unwrap_or_default()
                .into_iter()
                .filter(|n| super::cmd::wildcard(last, n))
                .map(|n| format!("{}/{n}", dir.trim_end_matches('/')))
                .collect()
        } else if kind(sh, &path, true) != Kind::Missing {
            vec![path.clone()]
        } else if sh.partial {
            Vec::new()
        } else {
            return Ok(Err(error("Remove-Item", "Cannot find path", written, NOT_THERE)));
        };
        for p in doomed {
            // A folder with files asks to confirm without -Recurse: not modeled.
            if !recurse && kind(sh, &p, true) == Kind::Full {
                return Err(opaque(&format!("Remove-Item of the folder {p} without -Recurse")));
            }
            let _ = sh.fs.remove(&p);
        }
    }
    Ok(Ok(0))
}

/// A cmdlet's arguments.
#[derive(Default)]
struct Args {
    named: Vec<(&'static str, String)>,
    positional: Vec<String>,
    /// How many positional arguments (an array, `a, b`, is one).
    slots: usize,
    /// A comma was given (an array somewhere).
    comma: bool,
}

impl Args {
    /// At most `slots` positional arguments, and no array unless `arrays`: otherwise PowerShell
    /// binds them in ways not modeled here (or refuses them).
    fn fits(&self, slots: usize, arrays: bool) -> Result<(), Flow> {
        if self.slots > slots || self.comma && !arrays {
            return Err(opaque("arguments"));
        }
        Ok(())
    }

    fn get(&self, name: &str) -> Option<String> {
        self.named.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.named.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.clone()).collect()
    }

    fn has(&self, name: &str) -> bool {
        self.named.iter().any(|(n, _)| *n == name)
    }

    /// The value of the positional parameter `at` of `order` (each a list of names), given by
    /// name or by position, the positions counted over the parameters not given by name.
    fn bind(&self, order: &[&[&str]], at: usize) -> Option<String> {
        let named = |names: &[&str]| names.iter().find_map(|n| self.get(n));
        if let Some(v) = named(order[at]) {
            return Some(v);
        }
        let before = order[..at].iter().filter(|names| named(names).is_none()).count();
        self.positional.get(before).cloned()
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

    fn run_powershell_(script: &str, start: Start) -> Finished {
        run_powershell(script, false, start)
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
        let f = run_powershell_(&script, image(false, &[]));
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
        let f = run_powershell_(
            &format!("{STOP}Remove-Item C:\\nope; New-Item -Path C:\\x -ItemType Directory"),
            image(false, &[]),
        );
        assert_eq!(f.status, 1);
        assert!(f.output.contains("Cannot find path 'C:\\nope' because it does not exist."), "{}", f.output);
        assert!(f.snapshot.lstat("/x").is_none());
        let f = run_powershell_("Remove-Item C:\\nope; mkdir C:\\x", image(false, &[]));
        assert_eq!(f.status, 0, "{}", f.output);
        assert!(f.snapshot.lstat("/x").is_some());
        // Over files partly unknown, what is missing may be there.
        assert_eq!(run_powershell_(&format!("{STOP}Remove-Item C:\\nope"), image(true, &[])).status, 0);
        // exit and throw.
        assert_eq!(run_powershell_("exit 3; mkdir C:\\y", image(false, &[])).status, 3);
        let f = run_powershell_("throw 'bad sum'", image(false, &[]));
        assert_eq!((f.status, f.output.as_str()), (1, "bad sum\r\n"));
    }

    /// Wildcards in a folder's last name; listing a folder into Remove-Item is not modeled.
    #[test]
    fn wildcards_remove_by_name() {
        let files = [("/d/sdk/a", "x"), ("/d/LICENSE.txt", "x"), ("/w/a.log", ""), ("/w/b.txt", "")];
        let f = run_powershell_("Remove-Item -Recurse C:\\w\\*.log; Remove-Item C:\\d\\*.txt", image(false, &files));
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        let left: Vec<bool> = ["/w/a.log", "/w/b.txt", "/d/LICENSE.txt", "/d/sdk/a"]
            .iter()
            .map(|p| f.snapshot.lstat(p).is_some())
            .collect();
        assert_eq!(left, [false, true, false, true]);
        let f =
            run_powershell_("Get-ChildItem -Exclude 'sdk' -Path d | Remove-Item -Force -Recurse", image(false, &files));
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
            let f = run_powershell_(script, image(false, &[("/d/f", "")]));
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

    /// Expressions: `+` without spaces, `+=`, `-f` with its braces and precedence, `${env:X}`,
    /// case-insensitive variables; what would add numbers or needs .NET stops.
    #[test]
    fn expressions_as_powershell_reads_them() {
        let f = run_powershell_(
            "$a='x'+'y'; $a += \"-$a\"; $env:Path = 'C:\\go\\bin;' + ${env:PATH}; $env:foo = 'bar'; \
             [Environment]::SetEnvironmentVariable('PATH', $env:Path, [EnvironmentVariableTarget]::Machine); \
             Write-Host ('{{0}} {0}|{1}' -f $a, 'bc') $env:PATH; Write-Output $env:FOO two",
            image(false, &[]),
        );
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        assert_eq!(f.output, "{0} xy-xy|bc C:\\go\\bin;C:\\Windows\\system32;C:\\Windows\r\nbar\r\ntwo\r\n");
        for script in [
            "$x = 5 + 3",
            "$v = Get-Date",
            "Write-Host ('{0:N2}' -f 1)",
            "Write-Host ('{0}|{1}' -f 'a', 'b' + 'c')",
            "echo hi > C:\\out.txt",
            "Remove-Item C:\\d\\f C:\\d\\g",
            "mkdir C:\\m1, C:\\m2",
            "Remove-Item C:\\d -r -f",
            "New-Item -ItemType Directory D:\\data",
            "New-Item -Path HKLM:\\SOFTWARE -Name Foo -ItemType Directory -Force",
            "Write-Host $env:COMPUTERNAME",
            "Write-Host \"$s:8080\"",
            "Write-Host 'a'+'b'",
            "Set-Content C:\\d\\*.txt new",
            "Move-Item C:\\d C:\\d\\sub",
            "Write-Host ('{1}' -f 'a')",
            "$x",
            "'text'",
            "Write-Host a && Write-Host b",
            "exit abc",
            "Write-Host $env:PATH.Length",
            "Remove-Item C:\\d -Include *.log",
            "New-Item -ItemType SymbolicLink -Path C:\\l -Value C:\\t",
            "ls C:\\",
            "Out-File -FilePath C:\\x",
            "if (-not ((Get-FileHash f).Hash -eq 'x')) { throw 'bad' }",
            "echo y | C:\\t\\tool.exe",
            "Remove-Item C:\\d",
        ] {
            let f = run_powershell_(script, image(false, &[("/d/f", "")]));
            assert!(f.stopped.is_some(), "{script}: {}", f.output);
        }
    }

    /// A comment's quotes and brackets are the comment's: the lines after it run.
    #[test]
    fn comments_end_at_their_line() {
        let f = run_powershell_(
            "# don't (see docs\nRemove-Item C:\\d\\f # it's gone [\nmkdir C:\\a; mkdir C:\\b",
            image(false, &[("/d/f", "")]),
        );
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        assert!(
            f.snapshot.lstat("/d/f").is_none() && f.snapshot.lstat("/a").is_some() && f.snapshot.lstat("/b").is_some()
        );
    }

    /// Set-Content and Add-Content: the value positional or named, CRLF, `-NoNewline`, the
    /// encodings; `-ErrorAction SilentlyContinue` keeps an error from ending the script.
    #[test]
    fn content_and_error_actions() {
        let f = run_powershell_(
            &format!(
                "{STOP}New-Item -Path C:\\ -Name app -ItemType Directory; Set-Content C:\\app\\a.txt 'hello'; \
                 Add-Content -Path C:\\app\\a.txt -Value x, y; Set-Content C:\\app\\b.txt -Value v -NoNewline; \
                 Remove-Item C:\\nope -ErrorAction SilentlyContinue; Set-Content C:\\no\\d.txt 1 -ea 0; \
                 # don't stop here\nmkdir C:\\ok"
            ),
            image(false, &[]),
        );
        assert_eq!(f.status, 0, "{}", f.output);
        assert_eq!(text(&f, "/app/a.txt"), "hello\r\nx\r\ny\r\n");
        assert_eq!(text(&f, "/app/b.txt"), "v");
        assert!(f.snapshot.lstat("/ok").is_some() && f.snapshot.lstat("/no").is_none());
        // PowerShell 7 writes UTF-8; Windows PowerShell its code page, not modeled past ASCII.
        let f = run_powershell("Set-Content C:\\c.txt é", true, image(false, &[]));
        assert_eq!(text(&f, "/c.txt"), "é\r\n");
        assert!(run_powershell_("Set-Content C:\\c.txt é", image(false, &[])).stopped.is_some());
        assert!(run_powershell_("Set-Content C:\\c.txt u -Encoding utf8", image(false, &[])).stopped.is_some());
        // Expand-Archive without a destination: a folder named after the archive.
        let f = run_powershell_("Expand-Archive C:\\go.zip", image(false, &[("/go.zip", "PK")]));
        assert!(f.snapshot.lstat("/go").is_some_and(|e| e.is_dir()), "{}", f.output);
    }

    /// Programs piped into each other run in turn, each one's output the next one's input.
    #[test]
    fn programs_piped_into_programs() {
        let f = run_powershell_(
            "&$Env:windir\\Microsoft.NET\\Framework64\\v4.0.30319\\ngen install C:\\r\\csc.exe | \
             &$Env:windir\\Microsoft.NET\\Framework\\v4.0.30319\\ngen install C:\\r\\vbc.exe",
            image(true, &[]),
        );
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        assert!(f.modeled.iter().any(|m| m.starts_with("ngen compiles")), "{:?}", f.modeled);
    }

    /// Deep parentheses and a value that doubles stop on the budget, not the stack or memory.
    #[test]
    fn deep_or_huge_scripts_stop_on_the_budget() {
        let deep = format!("Write-Host {}'a'{}", "(".repeat(3000), ")".repeat(3000));
        assert!(matches!(run_powershell_(&deep, image(false, &[])).stopped, Some(Stop::Budget { .. })));
        let doubling = format!("$a='xxxxxxxx'; {}", "$a=$a+$a; ".repeat(40));
        assert!(matches!(run_powershell_(&doubling, image(false, &[])).stopped, Some(Stop::Budget { .. })));
        let formats = format!("$a='xxxxxxxx'; {}", "$a=('{0}{0}{0}{0}' -f $a); ".repeat(40));
        assert!(matches!(run_powershell_(&formats, image(false, &[])).stopped, Some(Stop::Budget { .. })));
    }

    /// cmd runs PowerShell as a process of its own: its folder and variables stay there.
    #[test]
    fn powershell_from_cmd_keeps_its_state_to_itself() {
        let f = super::super::run_cmd(
            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -Command \"New-Item -ItemType Directory C:\\d\\n; $env:X = 'y'; Write-Host \\\"a  b\\\"\" && mkdir x && echo %X%",
            image(false, &[("/d/f", "")]),
        );
        assert!(f.stopped.is_none(), "{:?}", f.stopped);
        assert!(f.snapshot.lstat("/x").is_some() && f.snapshot.lstat("/d/n").is_some(), "{}", f.output);
        assert_eq!(f.output, "a  b\r\n%X%\r\n");
        // `""` inside quotes: a quote for pwsh; Windows PowerShell reads it otherwise.
        let doubled = |program: &str| {
            super::super::run_cmd(&format!("{program} -c \"Write-Host \"\"a  b\"\"\""), image(false, &[]))
        };
        assert_eq!(doubled("pwsh").output, "a  b\r\n");
        assert!(doubled("powershell").stopped.is_some());
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
            let script: Vec<&str> = (0..=(seed % 40))
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    TOKENS[usize::try_from(seed >> 33).unwrap_or(0) % TOKENS.len()]
                })
                .collect();
            let _ = run_powershell(&script.join(" "), seed.is_multiple_of(3), image(seed.is_multiple_of(2), &[]));
        }
    }
}
