//! RUN, interpreted: the stage's shell reads the script ([`crate::sh`]) and this module runs
//! it over the simulated filesystem, with the utilities a real build would find in the image
//! (busybox applets, or GNU coreutils under dash or bash) implemented here.
//!
//! Where the result is computed it must be the one a real build gives: the same files,
//! contents, modes, owners and symlinks, and the same exit status. A command the interpreter
//! does not know (a package manager, a compiler) stops it: what ran before it is kept, and the
//! step is opaque from there ([`Stop::Unknown`]). Every script runs under a budget of steps
//! and output, so `while true; do :; done` ends (opaque) instead of hanging the page.
//!
//! `expand.rs` does word expansion and patterns, `utils.rs` the utilities.

mod builds;
mod cmd;
mod declared;
pub use cmd::{run_cmd, run_windows_exec};
pub use declared::load_tool_models;
pub use pwsh::{run_powershell, script_of as pwsh_script};
mod expand;
mod find;
mod models;
mod pwsh;
mod python;
mod system;
mod text;
mod utils;

use crate::fs::{Content, Entry, FsError, Meta, Node, Snapshot};
use crate::sh::{
    self, AndOr, Command, CommandKind, Connector, Dialect, Pipeline, Redirect, RedirectOp, RedirectTarget, Script,
};
use crate::text::Span;

/// Which userland the image has: the utilities differ in details (`echo -e`, messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Userland {
    /// busybox applets (busybox and alpine images).
    Busybox,
    /// GNU coreutils under dash or bash (debian, ubuntu and images built on them).
    Gnu,
}

/// What a RUN step starts from.
#[derive(Clone, Debug)]
pub struct Start {
    pub snapshot: Snapshot,
    /// The environment: the image's, then ENV and the ARGs in effect.
    pub env: Vec<(String, String)>,
    /// The working directory (absolute).
    pub workdir: String,
    pub uid: u32,
    pub gid: u32,
    pub userland: Userland,
    pub dialect: Dialect,
    /// `RUN --network=none`: network tools fail as they would.
    pub network_none: bool,
    /// Part of the files are unknown (an opaque step ran before): a command or file that is
    /// missing may exist in reality, so "not found" stops the interpreter (opaque) instead of
    /// failing the step, and what does run is an estimate.
    pub partial: bool,
    /// What Debian's packages install, for the apt model.
    pub packages: Option<std::sync::Arc<crate::catalog::Packages>>,
}

/// Why the interpreter stopped before the end of the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// A command it cannot run: what it would change is unknown from here on.
    Unknown { command: String, span: Span },
    /// The budget of steps or output ran out (an endless loop, a huge output).
    Budget { span: Span },
}

/// What a RUN step did.
#[derive(Clone, Debug)]
pub struct Finished {
    pub snapshot: Snapshot,
    pub status: i32,
    /// Standard output and error, as the build log shows them.
    pub output: String,
    /// Set when the interpreter could not run the whole script.
    pub stopped: Option<Stop>,
    /// Why the result is an estimate rather than exact (a directory listed in the order the
    /// simulation chose, not the real filesystem's), once per reason.
    pub modeled: Vec<String>,
    /// A model added files it knows only in part (a package's main files, not all of them):
    /// what follows runs over partly unknown files.
    pub estimated: bool,
}

/// The most commands (and loop rounds) one RUN may take.
const MAX_STEPS: u64 = 200_000;
/// The most variables a RUN may define: the variables are a sorted list, and no real script
/// comes near this.
const MAX_VARS: usize = 4096;
/// The most bytes of output (the log and files written by redirections) one RUN may make,
/// and the longest value a variable may hold.
const MAX_OUTPUT: usize = 64 << 20;
/// How deep scripts may nest (function calls, `eval`, `$(...)`, `sh -c`, `.`). Each level
/// is a few frames of the interpreter on the stack: 100 stay well inside the 1 MiB stack
/// the browser build has (and a debug test thread's 2 MiB), and no real script nests so.
const MAX_DEPTH: u32 = 100;

/// Control flow out of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Flow {
    Next,
    Break(u32),
    Continue(u32),
    Return(i32),
    Exit(i32),
    Stop(Stop),
}

/// One variable.
#[derive(Clone, Debug)]
struct Var {
    value: String,
    exported: bool,
}

/// The shell's variables, sorted by name: a list searched by halves. A script has tens of
/// them, and a list costs the browser build less code than one more kind of map.
#[derive(Clone, Debug, Default)]
struct Vars(Vec<(String, Var)>);

impl Vars {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    fn get(&self, name: &str) -> Option<&Var> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Var> {
        self.find(name).ok().map(|i| &mut self.0[i].1)
    }

    fn insert(&mut self, name: String, var: Var) {
        match self.find(&name) {
            Ok(i) => self.0[i].1 = var,
            Err(i) => self.0.insert(i, (name, var)),
        }
    }

    /// The variable `name`, made with `var` when there is none.
    fn get_or_insert(&mut self, name: String, var: Var) -> &mut Var {
        let i = match self.find(&name) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (name, var));
                i
            }
        };
        &mut self.0[i].1
    }

    fn remove(&mut self, name: &str) {
        if let Ok(i) = self.find(name) {
            self.0.remove(i);
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&Var) -> bool) {
        self.0.retain(|(_, v)| keep(v));
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &Var)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

/// Standard input, output and error of the command being run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Io {
    pub(crate) stdin: Vec<u8>,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    /// Standard input is a stream whose bytes are not known (a download piped in): what it
    /// is.
    pub(crate) unknown_in: Option<String>,
    /// Standard output carried such a stream.
    pub(crate) unknown_out: Option<String>,
}

/// The shell's state.
#[derive(Clone)]
#[allow(clippy::struct_excessive_bools)] // the shell's options are flags
pub(crate) struct Shell {
    pub(crate) fs: Snapshot,
    vars: Vars,
    positional: Vec<String>,
    /// Defined functions, by name (a few: a list costs less code than a map).
    functions: Vec<(String, Command)>,
    /// bash's indexed arrays, by name (their element 0 is the variable's value too).
    pub(crate) arrays: Vec<(String, Vec<String>)>,
    pub(crate) cwd: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) userland: Userland,
    dialect: Dialect,
    /// See [`Start::network_none`].
    pub(crate) network_none: bool,
    /// See [`Start::partial`]; set too once a model installed packages.
    pub(crate) partial: bool,
    /// `partial` as the step began.
    started_partial: bool,
    status: i32,
    errexit: bool,
    nounset: bool,
    xtrace: bool,
    pipefail: bool,
    /// `set -a`: every variable assigned is exported.
    allexport: bool,
    /// Inside a condition (`if`, `while`, `&&`, `!`): `set -e` does not apply.
    condition: u32,
    steps: u64,
    pub(crate) written: usize,
    /// The status of the last command substitution of the command being expanded.
    subst_status: Option<i32>,
    /// Errors raised while expanding words, written before the command's own.
    pending_stderr: Vec<u8>,
    /// Why the result is modeled rather than exact.
    pub(crate) modeled: Vec<String>,
    /// How deep scripts are nested now.
    depth: u32,
    /// The file mode creation mask (022, as in a container).
    umask: u32,
    /// The shell's name in its messages (`$0`).
    name: String,
    /// See [`Start::packages`].
    pub(crate) packages: Option<std::sync::Arc<crate::catalog::Packages>>,
}

/// Runs a shell-form RUN: `script` through the stage's shell.
#[must_use]
pub fn run_script(script: &str, start: Start) -> Finished {
    let parsed = sh::parse(script, start.dialect);
    let mut shell = Shell::new(start);
    let mut io = Io::default();
    let flow = shell.script(&parsed.script, &mut io);
    shell.finish(flow, io)
}

/// Runs an exec-form RUN: `argv` without a shell.
#[must_use]
pub fn run_exec(argv: &[String], start: Start) -> Finished {
    let mut shell = Shell::new(start);
    let mut io = Io::default();
    let flow = match argv.split_first() {
        None => Flow::Exit(0),
        Some((name, args)) => {
            let (status, flow) = shell.external(name, args, Span::default(), &mut io, true);
            shell.status = status;
            flow
        }
    };
    shell.finish(flow, io)
}

impl Shell {
    fn new(start: Start) -> Self {
        let mut vars = Vars::default();
        for (k, v) in start.env {
            vars.insert(k, Var { value: v, exported: true });
        }
        let mut shell = Self {
            fs: start.snapshot,
            vars,
            positional: Vec::new(),
            functions: Vec::new(),
            arrays: Vec::new(),
            cwd: start.workdir,
            uid: start.uid,
            gid: start.gid,
            userland: start.userland,
            partial: start.partial,
            started_partial: start.partial,
            network_none: start.network_none,
            dialect: start.dialect,
            status: 0,
            errexit: false,
            nounset: false,
            xtrace: false,
            pipefail: false,
            allexport: false,
            condition: 0,
            steps: 0,
            written: 0,
            subst_status: None,
            pending_stderr: Vec::new(),
            modeled: Vec::new(),
            depth: 0,
            umask: 0o022,
            name: "/bin/sh".into(),
            packages: start.packages,
        };
        shell.vars.get_or_insert("IFS".into(), Var { value: " \t\n".into(), exported: false });
        let pwd = shell.cwd.clone();
        shell.set_var("PWD", &pwd);
        shell
    }

    fn finish(mut self, flow: Flow, mut io: Io) -> Finished {
        io.stderr.append(&mut self.pending_stderr);
        let mut output = String::from_utf8_lossy(&io.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&io.stderr));
        let (status, stopped) = match flow {
            Flow::Exit(s) | Flow::Return(s) => (s, None),
            Flow::Stop(stop) => (self.status, Some(stop)),
            _ => (self.status, None),
        };
        Finished {
            snapshot: self.fs,
            status,
            output,
            stopped,
            modeled: self.modeled,
            estimated: self.partial && !self.started_partial,
        }
    }

    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }

    /// A variable of the environment commands see (an exported one).
    pub(crate) fn exported(&self, name: &str) -> Option<&str> {
        self.vars.get(name).filter(|v| v.exported).map(|v| v.value.as_str())
    }

    pub(crate) fn set_var(&mut self, name: &str, value: &str) {
        if let Some((_, elements)) = self.arrays.iter_mut().find(|(n, _)| n == name) {
            match elements.first_mut() {
                Some(first) => value.clone_into(first),
                None => elements.push(value.to_string()),
            }
        }
        let allexport = self.allexport;
        match self.vars.get_mut(name) {
            Some(v) => {
                value.clone_into(&mut v.value);
                v.exported |= allexport;
            }
            None => {
                self.vars.insert(name.to_string(), Var { value: value.to_string(), exported: allexport });
            }
        }
    }

    /// Notes that the result is modeled, once per reason.
    pub(crate) fn model(&mut self, why: &str) {
        if !self.modeled.iter().any(|m| m == why) {
            self.modeled.push(why.to_string());
        }
    }

    pub(crate) fn status(&self) -> i32 {
        self.status
    }

    pub(crate) fn positional(&self) -> &[String] {
        &self.positional
    }

    pub(crate) fn nounset(&self) -> bool {
        self.nounset
    }

    /// Counts one step against the budget.
    fn tick(&mut self, span: Span) -> Result<(), Flow> {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.written > MAX_OUTPUT || self.vars.0.len() > MAX_VARS {
            return Err(Flow::Stop(Stop::Budget { span }));
        }
        Ok(())
    }

    /// An absolute path for `path`, relative to the working directory.
    pub(crate) fn abs(&self, path: &str) -> String {
        if path.starts_with('/') {
            path.to_string()
        } else if self.cwd == "/" {
            format!("/{path}")
        } else {
            format!("{}/{path}", self.cwd)
        }
    }

    fn script(&mut self, script: &Script, io: &mut Io) -> Flow {
        // Functions, `eval`, `$(...)` and `sh -c` nest: a script that recurses without end
        // (`f() { f; }; f`) stops here, not in the stack.
        self.depth += 1;
        let flow = if self.depth > MAX_DEPTH {
            Flow::Stop(Stop::Budget { span: script.span })
        } else {
            self.items(script, io)
        };
        self.depth -= 1;
        flow
    }

    fn items(&mut self, script: &Script, io: &mut Io) -> Flow {
        for item in &script.items {
            if let Err(flow) = self.tick(item.span) {
                return flow;
            }
            // `&` runs in the background: its effects happen, the shell does not wait. The
            // build waits for the whole script, so the files are there in the end.
            let flow = self.and_or(&item.and_or, io);
            if flow != Flow::Next {
                return flow;
            }
            // Output kept in memory counts against the budget as files written do.
            if io.stdout.len() + io.stderr.len() > MAX_OUTPUT {
                return Flow::Stop(Stop::Budget { span: item.span });
            }
        }
        Flow::Next
    }

    fn and_or(&mut self, list: &AndOr, io: &mut Io) -> Flow {
        let conditional = !list.rest.is_empty();
        if conditional {
            self.condition += 1;
        }
        let mut flow = self.pipeline(&list.first, io);
        // `set -e` ignores every pipeline of an and-or list but the last.
        let mut last_ran = !conditional;
        for (i, (connector, pipeline)) in list.rest.iter().enumerate() {
            if flow != Flow::Next {
                break;
            }
            let run = match connector {
                Connector::And => self.status == 0,
                Connector::Or => self.status != 0,
            };
            if run {
                // The last pipeline of the list is not a condition: `set -e` applies to it.
                if i + 1 == list.rest.len() {
                    self.condition -= 1;
                    flow = self.pipeline(pipeline, io);
                    self.condition += 1;
                    last_ran = true;
                } else {
                    flow = self.pipeline(pipeline, io);
                }
            }
        }
        if conditional {
            self.condition -= 1;
        }
        // Nor does it apply to a pipeline that starts with `!`.
        let bang = list.rest.last().map_or(list.first.bang, |(_, p)| p.bang);
        if flow == Flow::Next && last_ran && !bang && self.errexit && self.condition == 0 && self.status != 0 {
            return Flow::Exit(self.status);
        }
        flow
    }

    fn pipeline(&mut self, pipeline: &Pipeline, io: &mut Io) -> Flow {
        if pipeline.bang {
            self.condition += 1;
        }
        let flow = if pipeline.commands.len() == 1 {
            self.command(&pipeline.commands[0], io)
        } else {
            // Each part runs in a subshell (variables stay there; files are shared), its output
            // the next one's input.
            let mut input = std::mem::take(&mut io.stdin);
            let mut unknown = io.unknown_in.take();
            let mut statuses = Vec::new();
            let mut flow = Flow::Next;
            for (i, command) in pipeline.commands.iter().enumerate() {
                let mut sub = self.clone();
                let mut part = Io { stdin: std::mem::take(&mut input), unknown_in: unknown.take(), ..Io::default() };
                let f = sub.command(command, &mut part);
                self.fs = sub.fs;
                self.modeled = sub.modeled;
                self.partial = sub.partial;
                self.steps = sub.steps;
                self.written = sub.written;
                io.stderr.append(&mut part.stderr);
                statuses.push(match f {
                    Flow::Exit(s) | Flow::Return(s) => s,
                    _ => sub.status,
                });
                if let Flow::Stop(stop) = f {
                    flow = Flow::Stop(stop);
                    break;
                }
                if i + 1 == pipeline.commands.len() {
                    io.stdout.append(&mut part.stdout);
                    io.unknown_out = part.unknown_out;
                } else {
                    input = part.stdout;
                    unknown = part.unknown_out;
                }
            }
            if flow == Flow::Next {
                self.status = if self.pipefail {
                    statuses.iter().rev().copied().find(|&s| s != 0).unwrap_or(0)
                } else {
                    statuses.last().copied().unwrap_or(0)
                };
            }
            flow
        };
        if pipeline.bang {
            self.condition -= 1;
            if flow == Flow::Next {
                self.status = i32::from(self.status == 0);
            }
        }
        flow
    }

    fn command(&mut self, command: &Command, io: &mut Io) -> Flow {
        if let Err(flow) = self.tick(command.span) {
            return flow;
        }
        match &command.kind {
            CommandKind::Simple { assignments, words } => self.simple(command, assignments, words, io),
            CommandKind::Function { name, body } => {
                self.functions.retain(|(n, _)| *n != name.text);
                self.functions.push((name.text.clone(), (**body).clone()));
                self.status = 0;
                Flow::Next
            }
            _ => self.with_redirects(command, io, |shell, io| shell.compound(command, io)),
        }
    }

    fn compound(&mut self, command: &Command, io: &mut Io) -> Flow {
        match &command.kind {
            CommandKind::Brace(body) => self.script(body, io),
            CommandKind::Subshell(body) => {
                let mut sub = self.clone();
                let flow = sub.script(body, io);
                self.fs = sub.fs;
                self.modeled = sub.modeled;
                self.partial = sub.partial;
                self.steps = sub.steps;
                self.written = sub.written;
                self.status = match flow {
                    Flow::Exit(s) | Flow::Return(s) => s,
                    Flow::Stop(stop) => return Flow::Stop(stop),
                    _ => sub.status,
                };
                Flow::Next
            }
            CommandKind::If { branches, otherwise } => {
                for (condition, body) in branches {
                    self.condition += 1;
                    let flow = self.script(condition, io);
                    self.condition -= 1;
                    if flow != Flow::Next {
                        return flow;
                    }
                    if self.status == 0 {
                        return self.script(body, io);
                    }
                }
                self.status = 0;
                match otherwise {
                    Some(body) => self.script(body, io),
                    None => Flow::Next,
                }
            }
            CommandKind::For { name, words, body } => {
                let items = match words {
                    Some(words) => match self.fields(words) {
                        Ok(items) => items,
                        Err(flow) => return flow,
                    },
                    None => self.positional.clone(),
                };
                if items.iter().any(|i| i.contains(expand::UNKNOWN_TEXT)) {
                    return Flow::Stop(Stop::Unknown {
                        command: "a loop over text not known here".into(),
                        span: command.span,
                    });
                }
                self.status = 0;
                for item in items {
                    if let Err(flow) = self.tick(command.span) {
                        return flow;
                    }
                    self.set_var(&name.text, &item);
                    match self.script(body, io) {
                        Flow::Next | Flow::Continue(1) => {}
                        Flow::Break(1) => break,
                        Flow::Break(n) => return Flow::Break(n - 1),
                        Flow::Continue(n) => return Flow::Continue(n - 1),
                        other => return other,
                    }
                }
                Flow::Next
            }
            CommandKind::While { until, condition, body } => {
                let mut last = 0;
                loop {
                    if let Err(flow) = self.tick(command.span) {
                        return flow;
                    }
                    self.condition += 1;
                    let flow = self.script(condition, io);
                    self.condition -= 1;
                    if flow != Flow::Next {
                        return flow;
                    }
                    if (self.status == 0) == *until {
                        break;
                    }
                    match self.script(body, io) {
                        Flow::Next | Flow::Continue(1) => {}
                        Flow::Break(1) => break,
                        Flow::Break(n) => return Flow::Break(n - 1),
                        Flow::Continue(n) => return Flow::Continue(n - 1),
                        other => return other,
                    }
                    last = self.status;
                }
                self.status = last;
                Flow::Next
            }
            CommandKind::Case { word, arms } => {
                let subject = match self.word_string(word).and_then(|s| expand::known(s, word.span)) {
                    Ok(s) => s,
                    Err(flow) => return flow,
                };
                self.status = 0;
                let mut falling = false;
                for arm in arms {
                    let mut matched = falling;
                    if !matched {
                        for pattern in &arm.patterns {
                            match self.pattern(pattern) {
                                Ok(p) => {
                                    if expand::pattern_matches(&p, &subject) {
                                        matched = true;
                                        break;
                                    }
                                }
                                Err(flow) => return flow,
                            }
                        }
                    }
                    if matched {
                        let flow = self.script(&arm.body, io);
                        if flow != Flow::Next {
                            return flow;
                        }
                        match arm.end {
                            sh::ArmEnd::FallThrough => falling = true,
                            sh::ArmEnd::Continue => falling = false,
                            _ => return Flow::Next,
                        }
                    }
                }
                Flow::Next
            }
            CommandKind::Test(words) => match self.bash_test(words, io) {
                Ok(Some(result)) => {
                    self.status = i32::from(!result);
                    Flow::Next
                }
                Ok(None) => {
                    self.status = 2;
                    Flow::Next
                }
                Err(flow) => flow,
            },
            CommandKind::Arithmetic(text) => match expand::arith(self, text) {
                Some(v) => {
                    self.status = i32::from(v == 0);
                    Flow::Next
                }
                None => Flow::Stop(Stop::Unknown { command: format!("(( {text} ))"), span: command.span }),
            },
            CommandKind::Error => {
                Flow::Stop(Stop::Unknown { command: "a command that does not parse".into(), span: command.span })
            }
            CommandKind::Simple { .. } | CommandKind::Function { .. } => Flow::Next,
        }
    }

    fn simple(&mut self, command: &Command, assignments: &[sh::Assignment], words: &[sh::Word], io: &mut Io) -> Flow {
        self.subst_status = None;
        let mut values = Vec::new();
        let mut arrays = Vec::new();
        for a in assignments {
            let value = match &a.value {
                sh::AssignValue::Word(w) => match self.word_string(w) {
                    Ok(v) => v,
                    Err(flow) => return flow,
                },
                // `name=(a b c)`: the words expanded as a command's are.
                sh::AssignValue::Array(words) if self.dialect == Dialect::Bash => match self.fields(words) {
                    Ok(elements) if elements.iter().map(String::len).sum::<usize>() > MAX_OUTPUT => {
                        return Flow::Stop(Stop::Budget { span: a.span });
                    }
                    Ok(elements) => {
                        let first = elements.first().cloned().unwrap_or_default();
                        arrays.push((a.name.text.clone(), elements));
                        first
                    }
                    Err(flow) => return flow,
                },
                sh::AssignValue::Array(_) => {
                    return Flow::Stop(Stop::Unknown { command: "an array outside bash".into(), span: a.span });
                }
            };
            if value.len() > MAX_OUTPUT {
                return Flow::Stop(Stop::Budget { span: a.span });
            }
            values.push((a.name.text.clone(), value));
        }
        let argv = self.fields(words);
        io.stderr.append(&mut self.pending_stderr);
        let argv = match argv {
            Ok(argv) => argv,
            Err(flow) => return flow,
        };
        if self.xtrace {
            let mut line = String::from("+");
            for (k, v) in &values {
                line.push(' ');
                line.push_str(k);
                line.push('=');
                line.push_str(v);
            }
            for a in &argv {
                line.push(' ');
                line.push_str(a);
            }
            line.push('\n');
            io.stderr.extend_from_slice(line.as_bytes());
        }
        let Some((name, args)) = argv.split_first() else {
            // Assignments alone set shell variables; redirections alone open their files.
            for (k, v) in &values {
                self.set_var(k, v);
            }
            for (k, elements) in arrays {
                self.arrays.retain(|(n, _)| *n != k);
                self.arrays.push((k, elements));
            }
            // The status of the last command substitution, or 0.
            self.status = self.subst_status.unwrap_or(0);
            return self.with_redirects(command, io, |_, _| Flow::Next);
        };
        if !arrays.is_empty() {
            // bash refuses an array assignment before a command.
            return Flow::Stop(Stop::Unknown {
                command: "an array assignment before a command".into(),
                span: command.span,
            });
        }
        // Text not known here (a command substitution's) may be printed by echo, kept by the
        // assignment builtins, and name packages to apk, apt and conda (which leave them out);
        // anything else given it (a test, a path, a number, a pattern) is not known either.
        if argv.iter().any(|a| a.contains(expand::UNKNOWN_TEXT)) {
            let allowed = ["echo", "export", "readonly", "local", "declare", "typeset"];
            let installs = ["apk", "apt-get", "apt", "conda", "mamba", "micromamba"];
            if name == "echo" {
                // What it prints is not known: a stream of unknown bytes.
                self.status = 0;
                return self.with_redirects(command, io, |_, io| {
                    io.unknown_out = Some("text not known here".into());
                    Flow::Next
                });
            }
            if !(allowed.contains(&name.as_str()) || installs.contains(&name.as_str())) {
                let text: String = argv.join(" ").chars().take(200).collect();
                return Flow::Stop(Stop::Unknown {
                    command: format!("{name} given text not known here ({text})"),
                    span: command.span,
                });
            }
        }
        let name = name.clone();
        let args = args.to_vec();
        // Assignments before a special builtin stay; before anything else they are for that
        // command only (its environment).
        let saved: Vec<(String, Option<Var>)> = if is_special_builtin(&name) {
            for (k, v) in &values {
                self.set_var(k, v);
            }
            Vec::new()
        } else {
            values
                .iter()
                .map(|(k, v)| {
                    let old = self.vars.get(k).cloned();
                    self.vars.insert(k.clone(), Var { value: v.clone(), exported: true });
                    (k.clone(), old)
                })
                .collect()
        };
        let flow = self.with_redirects(command, io, |shell, io| {
            let (status, flow) = shell.invoke(&name, &args, command.span, io);
            shell.status = status;
            flow
        });
        for (k, old) in saved {
            match old {
                Some(v) => {
                    self.vars.insert(k, v);
                }
                None => {
                    self.vars.remove(&k);
                }
            }
        }
        flow
    }

    /// A function, a shell builtin, or a utility found on `PATH`.
    fn invoke(&mut self, name: &str, args: &[String], span: Span, io: &mut Io) -> (i32, Flow) {
        if let Some(body) = self.functions.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone()) {
            let saved = std::mem::replace(&mut self.positional, args.to_vec());
            let flow = self.command(&body, io);
            self.positional = saved;
            return match flow {
                Flow::Return(s) => (s, Flow::Next),
                Flow::Next => (self.status, Flow::Next),
                other => (self.status, other),
            };
        }
        if let Some(result) = self.builtin(name, args, span, io) {
            return result;
        }
        // Builtins of dash, bash and busybox ash too: they run without a file on PATH.
        if matches!(name, "echo" | "printf" | "test" | "[" | "pwd") {
            let mut env = utils::Env { shell: self, io, name: name.to_string() };
            if let Some(status) = env.run(name, args) {
                return (self.assume_test_held(name, status, args), Flow::Next);
            }
        }
        self.external(name, args, span, io, false)
    }

    /// The shell's own builtins (not looked up on `PATH`).
    fn builtin(&mut self, name: &str, args: &[String], span: Span, io: &mut Io) -> Option<(i32, Flow)> {
        let result = match name {
            ":" | "true" => (0, Flow::Next),
            "false" => (1, Flow::Next),
            "exit" => {
                let status = args.first().and_then(|a| a.parse::<i32>().ok()).unwrap_or(self.status) & 0xff;
                (status, Flow::Exit(status))
            }
            "return" => {
                let status = args.first().and_then(|a| a.parse::<i32>().ok()).unwrap_or(self.status) & 0xff;
                (status, Flow::Return(status))
            }
            "break" | "continue" => {
                let n = args.first().and_then(|a| a.parse::<u32>().ok()).unwrap_or(1).max(1);
                (0, if name == "break" { Flow::Break(n) } else { Flow::Continue(n) })
            }
            "cd" => (self.cd(args, io), Flow::Next),
            "read" if io.unknown_in.is_some() => {
                let what = io.unknown_in.clone().unwrap_or_default();
                (0, Flow::Stop(Stop::Unknown { command: format!("read of {what}, not known here"), span }))
            }
            "read" => (self.read(args, io), Flow::Next),
            "pwd" => {
                io.stdout.extend_from_slice(format!("{}\n", self.cwd).as_bytes());
                (0, Flow::Next)
            }
            "export" | "readonly" => {
                for arg in args.iter().filter(|a| !a.starts_with('-')) {
                    let (k, v) = match arg.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (arg.clone(), None),
                    };
                    let var = self.vars.get_or_insert(k, Var { value: String::new(), exported: false });
                    if let Some(v) = v {
                        var.value = v;
                    }
                    if name == "export" {
                        var.exported = true;
                    }
                }
                (0, Flow::Next)
            }
            "unset" => {
                for arg in args.iter().filter(|a| !a.starts_with('-')) {
                    self.vars.remove(arg);
                    self.arrays.retain(|(n, _)| n != arg);
                    self.functions.retain(|(n, _)| n != arg);
                }
                (0, Flow::Next)
            }
            "set" => (self.set(args, io), Flow::Next),
            "shift" => {
                let n = args.first().and_then(|a| a.parse::<usize>().ok()).unwrap_or(1);
                if n > self.positional.len() {
                    (1, Flow::Next)
                } else {
                    self.positional.drain(..n);
                    (0, Flow::Next)
                }
            }
            "eval" => {
                let text = args.join(" ");
                let parsed = sh::parse(&text, self.dialect);
                if let Some(d) = parsed.diagnostics.iter().find(|d| d.is_error()) {
                    io.stderr.extend_from_slice(format!("{}: eval: {}\n", self.name, d.message).as_bytes());
                    return Some((2, Flow::Next));
                }
                let flow = self.script(&parsed.script, io);
                (self.status, flow)
            }
            "." | "source" => return Some(self.source(args, span, io)),
            "exec" | "trap" | "wait" | "umask" | "ulimit" | "alias" | "local" | "getopts" => {
                match name {
                    "exec" if args.is_empty() => (0, Flow::Next),
                    "exec" => {
                        let (status, flow) = self.external(&args[0], &args[1..], span, io, false);
                        (status, if flow == Flow::Next { Flow::Exit(status) } else { flow })
                    }
                    "wait" | "trap" => (0, Flow::Next),
                    "umask" => match args.first().map(|a| u32::from_str_radix(a, 8)) {
                        None => {
                            io.stdout.extend_from_slice(format!("{:04o}\n", self.umask).as_bytes());
                            (0, Flow::Next)
                        }
                        Some(Ok(mask)) if mask <= 0o777 => {
                            self.umask = mask;
                            (0, Flow::Next)
                        }
                        // A symbolic mask (`u=rwx,g=rx`) is not read.
                        _ => (0, Flow::Stop(Stop::Unknown { command: format!("umask {}", args.join(" ")), span })),
                    },
                    _ => (0, Flow::Stop(Stop::Unknown { command: name.to_string(), span })),
                }
            }
            "command" => match args.split_first() {
                Some((flag, rest)) if flag == "-v" => {
                    let mut status = 0;
                    for n in rest {
                        if self.functions.iter().any(|(f, _)| f == n) || is_shell_builtin(n) {
                            io.stdout.extend_from_slice(format!("{n}\n").as_bytes());
                        } else if let Some(path) = self.which(n) {
                            io.stdout.extend_from_slice(format!("{path}\n").as_bytes());
                        } else {
                            status = 1;
                        }
                    }
                    (status, Flow::Next)
                }
                Some((n, rest)) => {
                    if let Some(result) = self.builtin(n, rest, span, io) {
                        result
                    } else {
                        self.external(n, rest, span, io, false)
                    }
                }
                None => (0, Flow::Next),
            },
            _ => return None,
        };
        Some(result)
    }

    /// `. FILE [ARG...]` (bash's `source`): the file's commands in this shell. A name without
    /// a slash is looked up on `PATH` (and, in bash, in the working directory).
    fn source(&mut self, args: &[String], span: Span, io: &mut Io) -> (i32, Flow) {
        let Some(file) = args.first() else { return (2, Flow::Next) };
        let path = if file.contains('/') {
            self.abs(file)
        } else {
            let path = self.var("PATH").unwrap_or(crate::plan::dispatch::DEFAULT_PATH).to_string();
            let found = path
                .split(':')
                .map(|d| format!("{}/{file}", d.trim_end_matches('/')))
                .find(|p| self.fs.stat(p).is_some_and(|e| !e.is_dir()));
            match found {
                Some(p) => p,
                // bash also looks in the working directory; dash and busybox ash do not.
                None if self.dialect == Dialect::Bash || self.partial => self.abs(file),
                None => {
                    let line = match self.userland {
                        Userland::Busybox => format!("{}: .: line 0: {file}: not found\n", self.name),
                        Userland::Gnu => format!("{}: 1: .: {file}: not found\n", self.name),
                    };
                    io.stderr.extend_from_slice(line.as_bytes());
                    return (2, Flow::Exit(2));
                }
            }
        };
        let text = match utils::read_file(self, &path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e == utils::UNKNOWN_CONTENT => {
                return (
                    0,
                    Flow::Stop(Stop::Unknown { command: format!(". {file} (its content is not known here)"), span }),
                );
            }
            Err(_) if self.partial => {
                return (
                    0,
                    Flow::Stop(Stop::Unknown { command: format!(". {file} (not in the files known here)"), span }),
                );
            }
            Err(e) => {
                self.error(io, &format!(".: can't open '{file}': {e}"), &format!(".: cannot open {file}: {e}"));
                return if self.dialect == Dialect::Bash { (1, Flow::Next) } else { (2, Flow::Exit(2)) };
            }
        };
        let parsed = sh::parse(&text, self.dialect);
        if let Some(d) = parsed.diagnostics.iter().find(|d| d.is_error()) {
            io.stderr.extend_from_slice(format!("{}: {file}: {}\n", self.name, d.message).as_bytes());
            return (2, Flow::Exit(2));
        }
        let saved = (args.len() > 1).then(|| std::mem::replace(&mut self.positional, args[1..].to_vec()));
        // `script` counts the depth: a file sourcing itself ends at the budget.
        let flow = self.script(&parsed.script, io);
        if let Some(p) = saved {
            self.positional = p;
        }
        match flow {
            Flow::Return(s) => (s, Flow::Next),
            other => (self.status, other),
        }
    }

    fn cd(&mut self, args: &[String], io: &mut Io) -> i32 {
        let target = match args.iter().find(|a| !a.starts_with('-') || a.as_str() == "-") {
            Some(t) if t == "-" => self.var("OLDPWD").unwrap_or("/").to_string(),
            Some(t) => t.clone(),
            None => self.var("HOME").unwrap_or("/").to_string(),
        };
        let path = crate::dockerignore::clean(&self.abs(&target));
        match self.fs.stat(&path) {
            Some(e) if e.is_dir() => {
                let old = std::mem::replace(&mut self.cwd, path.clone());
                self.set_var("OLDPWD", &old);
                self.set_var("PWD", &path);
                0
            }
            Some(_) => {
                self.error(
                    io,
                    &format!("cd: can't cd to {target}: Not a directory"),
                    &format!("cd: {target}: Not a directory"),
                );
                2
            }
            None if self.partial => {
                // One of the unknown files, as in the real build.
                self.model("a directory `cd` enters is not in the files known here: it is taken to be there");
                let old = std::mem::replace(&mut self.cwd, path.clone());
                self.set_var("OLDPWD", &old);
                self.set_var("PWD", &path);
                0
            }
            None => {
                self.error(
                    io,
                    &format!("cd: can't cd to {target}: No such file or directory"),
                    &format!("cd: {target}: No such file or directory"),
                );
                2
            }
        }
    }

    /// The shell's own error line (busybox ash and dash word them differently).
    fn error(&self, io: &mut Io, busybox: &str, dash: &str) {
        let text = match self.userland {
            Userland::Busybox => format!("{}: {busybox}\n", self.name),
            Userland::Gnu => format!("{}: 1: {dash}\n", self.name),
        };
        io.stderr.extend_from_slice(text.as_bytes());
    }

    fn set(&mut self, args: &[String], io: &mut Io) -> i32 {
        let mut iter = args.iter().peekable();
        while let Some(arg) = iter.next() {
            if arg == "--" {
                self.positional = iter.cloned().collect();
                return 0;
            }
            let (on, flags) = match arg.strip_prefix('-') {
                Some(f) => (true, f),
                None => {
                    if let Some(f) = arg.strip_prefix('+') {
                        (false, f)
                    } else {
                        self.positional = std::iter::once(arg).chain(iter).cloned().collect();
                        return 0;
                    }
                }
            };
            for flag in flags.chars() {
                match flag {
                    'e' => self.errexit = on,
                    'u' => self.nounset = on,
                    'x' => self.xtrace = on,
                    'o' => {
                        let Some(option) = iter.next() else { return 0 };
                        match option.as_str() {
                            "errexit" => self.errexit = on,
                            "nounset" => self.nounset = on,
                            "xtrace" => self.xtrace = on,
                            "pipefail" => self.pipefail = on,
                            "allexport" => self.allexport = on,
                            _ => {
                                io.stderr.extend_from_slice(
                                    format!("{}: set: Illegal option -o {option}\n", self.name).as_bytes(),
                                );
                                return 2;
                            }
                        }
                    }
                    'a' => self.allexport = on,
                    // -f (no globbing), -v, -h, -m, -C: no effect on the files made here.
                    'f' | 'v' | 'h' | 'm' | 'C' | 'b' | 'n' => {}
                    _ => {
                        io.stderr.extend_from_slice(format!("{}: set: Illegal option -{flag}\n", self.name).as_bytes());
                        return 2;
                    }
                }
            }
        }
        0
    }

    /// `name` on `PATH`, as the shell finds it: the first executable regular file.
    pub(crate) fn which(&self, name: &str) -> Option<String> {
        if name.contains('/') {
            let path = self.abs(name);
            return self.fs.stat(&path).filter(|e| matches!(e.node, Node::File { .. })).map(|_| path);
        }
        let path = self.var("PATH").unwrap_or(crate::plan::dispatch::DEFAULT_PATH).to_string();
        path.split(':').filter(|d| !d.is_empty()).find_map(|dir| {
            let full = format!("{}/{name}", dir.trim_end_matches('/'));
            let entry = self.fs.stat(&full)?;
            (matches!(entry.node, Node::File { .. }) && entry.meta.mode & 0o111 != 0).then_some(full)
        })
    }

    /// A utility: it must exist in the image (as a real build would find it), and be one the
    /// interpreter knows.
    fn external(&mut self, name: &str, args: &[String], span: Span, io: &mut Io, exec_form: bool) -> (i32, Flow) {
        // A well-known installer script piped into a shell, python or php (NodeSource's,
        // rustup's, Poetry's, Composer's): what it installs, from the table (over partly
        // unknown files, an interpreter not known here is taken to be there).
        let base_name = name.rsplit('/').next().unwrap_or(name);
        if let Some(url) = io.unknown_in.as_deref().and_then(|w| w.strip_prefix("the download of "))
            && matches!(base_name, "sh" | "bash" | "dash" | "ash" | "python" | "python3" | "php")
            && (self.partial || self.which(name).is_some())
        {
            // The URL, then the words given to the script (`php -- --install-dir=...`).
            let words: Vec<String> = std::iter::once(url.to_string()).chain(args.iter().cloned()).collect();
            let status = utils::Env { shell: self, io, name: base_name.to_string() }.declared("installer", &words);
            if let Some(status) = status {
                io.unknown_in = None;
                return (status, Flow::Next);
            }
        }
        let Some(path) = self.which(name) else {
            if self.partial {
                // An opaque step before may have installed it. A utility the interpreter has
                // runs as that utility would (modeled); anything else stops it.
                let applet = name.rsplit('/').next().unwrap_or(name).to_string();
                if let Some(result) = self.runs_commands(&applet, &applet, args, span, io) {
                    self.model(&format!(
                        "`{applet}` is not in the files known here: it ran as the usual {applet} would"
                    ));
                    return result;
                }
                {
                    let mut snapshot =
                        utils::Env { shell: &mut self.clone(), io: &mut Io::default(), name: applet.clone() };
                    if snapshot.run(&applet, args).is_some() {
                        let before = io.stderr.len();
                        let mut env = utils::Env { shell: self, io, name: applet.clone() };
                        if let Some(status) = env.run(&applet, args) {
                            self.model(&format!(
                                "`{applet}` is not in the files known here: it ran as the usual {applet} would"
                            ));
                            return (self.assume_present(status, &io.stderr[before..]), Flow::Next);
                        }
                    }
                }
                if let Some(status) = self.query_only(&applet, args) {
                    return (status, Flow::Next);
                }
                return (
                    127,
                    Flow::Stop(Stop::Unknown { command: format!("{name} (not in the files known here)"), span }),
                );
            }
            if exec_form {
                io.stderr.extend_from_slice(
                    format!("runc run failed: unable to start container process: exec: \"{name}\": executable file not found in $PATH\n").as_bytes(),
                );
                return (127, Flow::Exit(127));
            }
            self.error(io, &format!("{name}: not found"), &format!("{name}: not found"));
            return (127, Flow::Next);
        };
        // The utility the file is: busybox applets are links to /bin/busybox, named by the
        // name they are called by.
        let resolved = self.fs.resolve(&path, true).ok().map(|r| r.path()).unwrap_or_default();
        let base = resolved.rsplit('/').next().unwrap_or_default().to_string();
        let called = name.rsplit('/').next().unwrap_or(name).to_string();
        let applet = if base == "busybox" { called.clone() } else { base.clone() };
        // A stream of unknown bytes goes only to the tools that can pass it on or unpack it,
        // and to xargs running a tool that only reads or keeps apt's records.
        if io.unknown_in.is_some() && called == "xargs" {
            let command = args.iter().find(|a| !a.starts_with('-')).map(String::as_str);
            if matches!(command, Some("apt-mark" | "dpkg-query")) {
                io.unknown_in = None;
                // What they print (the packages found or marked) is not known either.
                io.unknown_out = Some(format!("the output of {}", command.unwrap_or_default()));
                self.model(&format!(
                    "xargs runs {} with words that are not known here: it changes only apt's records",
                    command.unwrap_or_default()
                ));
                return (0, Flow::Next);
            }
        }
        if let Some(what) = &io.unknown_in
            && !utils::STREAM_TOOLS.contains(&called.as_str())
        {
            return (0, Flow::Stop(Stop::Unknown { command: format!("{name} reading {what}, not known here"), span }));
        }
        if let Some(result) = self.runs_commands(&applet, &called, args, span, io) {
            return result;
        }
        // The file a link leads to may be named otherwise (`npm` is `npm-cli.js`, `python3`
        // is `python3.11`): the utility is known by either name, the resolved one first.
        let before = io.stderr.len();
        let mut status = None;
        let script = self.script_shell(&resolved);
        for candidate in [applet, called.clone()] {
            let mut env = utils::Env { shell: self, io, name: candidate.clone() };
            status = env.run(&candidate, args);
            if status.is_some() {
                break;
            }
        }
        match (status, script) {
            (Some(status), _) => (self.assume_present(status, &io.stderr[before..]), Flow::Next),
            // A shell script (a COPY from the context, a helper of the image): its commands.
            (None, Some(shell)) => {
                let argv: Vec<String> = std::iter::once(path).chain(args.iter().cloned()).collect();
                self.sub_shell(&shell, &argv, span, io)
            }
            (None, None) => match self.query_only(&called, args) {
                Some(status) => (status, Flow::Next),
                None => (0, Flow::Stop(Stop::Unknown { command: name.to_string(), span })),
            },
        }
    }

    /// A program asked only for its version or its usage (`vector --version`, `java
    /// -version`, `gofumpt version`): it prints and changes no file, whatever it is (modeled:
    /// what it prints is not known here).
    fn query_only(&mut self, program: &str, args: &[String]) -> Option<i32> {
        let [arg] = args else { return None };
        // (`-v` and `-h` mean verbose or a host for many tools: they are not asked.)
        if !matches!(arg.as_str(), "--version" | "-version" | "version" | "-V" | "--help" | "help") {
            return None;
        }
        self.model(&format!(
            "`{program} {arg}` prints what it is and changes no file; what it prints is not known here"
        ));
        Some(0)
    }

    /// The shell a script file names on its `#!` line (`sh`, `bash`, `ash`, `dash`, directly
    /// or through `/usr/bin/env`), when its content is known.
    fn script_shell(&self, path: &str) -> Option<String> {
        let Some(Entry { node: Node::File { content, .. }, .. }) = self.fs.stat(path) else { return None };
        let first = content.as_bytes()?.split(|b| *b == b'\n').next()?;
        let line = std::str::from_utf8(first).ok()?.strip_prefix("#!")?.trim();
        let mut words = line.split_whitespace();
        let program = words.next()?.rsplit('/').next()?;
        let program = if program == "env" { words.find(|w| !w.starts_with('-'))? } else { program };
        matches!(program, "sh" | "bash" | "ash" | "dash").then(|| program.to_string())
    }

    /// The utilities that run other commands, which need the shell: `None` when `applet`
    /// (the file's name) or `called` (the name it was called by) is none of them.
    fn runs_commands(
        &mut self,
        applet: &str,
        called: &str,
        args: &[String],
        span: Span,
        io: &mut Io,
    ) -> Option<(i32, Flow)> {
        if matches!(called, "npm" | "yarn" | "pnpm" | "npx")
            && let Some(result) = self.node_script(called, args, span, io)
        {
            return Some(result);
        }
        Some(match applet {
            "xargs" => self.xargs(args, span, io),
            "find" => self.find(args, span, io),
            "env" => self.env(args, span, io),
            "sh" | "ash" | "dash" | "bash" => self.sub_shell(applet, args, span, io),
            "gosu" | "su-exec" | "sudo" => return self.as_user(applet, args, span, io),
            "su" => return self.su(args, span, io),
            "timeout" | "nice" | "nohup" => return self.wrapped(applet, args, span, io),
            // `mold -run COMMAND`: the command, linking with mold.
            "mold" if args.first().is_some_and(|a| a == "-run" || a == "--run") => {
                return self.wrapped(applet, args, span, io);
            }
            "rsync" => return self.rsync(args, io),
            _ => return None,
        })
    }

    /// `su [-|-l] [-s SHELL] USER -c SCRIPT`, as root: the script through the user's shell (or
    /// SHELL) as that user, with HOME, SHELL, USER and LOGNAME set (and, with `-`, in the
    /// home directory). A login shell of nologin or false refuses; without `-c` the shell
    /// would be interactive, which is not modeled.
    fn su(&mut self, args: &[String], span: Span, io: &mut Io) -> Option<(i32, Flow)> {
        let (mut user, mut shell, mut script, mut login) = (None, None, None, false);
        let mut i = 0;
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-" | "-l" | "--login" => login = true,
                "-m" | "-p" | "--preserve-environment" => {}
                "-c" | "--command" => {
                    script = Some(args.get(i + 1)?.clone());
                    i += 1;
                }
                "-s" | "--shell" => {
                    shell = Some(args.get(i + 1)?.clone());
                    i += 1;
                }
                s if s.starts_with('-') => return None,
                s if user.is_none() => user = Some(s.to_string()),
                _ => return None,
            }
            i += 1;
        }
        let script = script?;
        let user = user.unwrap_or_else(|| "root".into());
        if self.uid != 0 {
            io.stderr.extend_from_slice(b"su: Authentication failure\n");
            return Some((1, Flow::Next));
        }
        let passwd = utils::read_text(self, "/etc/passwd").unwrap_or_default();
        let Some(line) = passwd.lines().find(|l| l.split(':').next() == Some(user.as_str())) else {
            io.stderr.extend_from_slice(
                format!("su: user {user} does not exist or the user entry does not contain all the required fields\n")
                    .as_bytes(),
            );
            return Some((1, Flow::Next));
        };
        let fields: Vec<&str> = line.split(':').collect();
        let (uid, gid) = (fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?);
        let home = fields.get(5).copied().unwrap_or("/").to_string();
        let shell =
            shell.unwrap_or_else(|| fields.get(6).copied().filter(|s| !s.is_empty()).unwrap_or("/bin/sh").to_string());
        match shell.rsplit('/').next().unwrap_or_default() {
            "nologin" => {
                io.stdout.extend_from_slice(b"This account is currently not available.\n");
                return Some((1, Flow::Next));
            }
            "false" => return Some((1, Flow::Next)),
            _ => {}
        }
        let saved = (self.uid, self.gid, self.vars.clone(), self.cwd.clone());
        (self.uid, self.gid) = (uid, gid);
        for (k, v) in
            [("HOME", home.as_str()), ("SHELL", shell.as_str()), ("USER", user.as_str()), ("LOGNAME", user.as_str())]
        {
            self.vars.insert(k.to_string(), Var { value: v.to_string(), exported: true });
        }
        if login {
            home.clone_into(&mut self.cwd);
        }
        let result = self.external(&shell, &["-c".to_string(), script], span, io, false);
        (self.uid, self.gid) = (saved.0, saved.1);
        self.vars = saved.2;
        self.cwd = saved.3;
        Some(result)
    }

    /// `timeout [-s SIG] [-k T] DURATION COMMAND...`, `nice [-n N] COMMAND...`, `nohup
    /// COMMAND...`: the command, as it runs (a simulation takes no time, has no priorities
    /// and no terminal).
    fn wrapped(&mut self, applet: &str, args: &[String], span: Span, io: &mut Io) -> Option<(i32, Flow)> {
        let mut i = 0;
        while let Some(a) = args.get(i).filter(|a| a.starts_with('-') && a.len() > 1) {
            let valued = match applet {
                "timeout" => matches!(a.as_str(), "-s" | "-k" | "--signal" | "--kill-after"),
                "nice" => a == "-n" || a == "--adjustment",
                _ => false,
            };
            i += if valued { 2 } else { 1 };
        }
        if applet == "timeout" {
            i += 1; // the duration
        }
        let (program, rest) = args.get(i..)?.split_first()?;
        Some(self.external(program, rest, span, io, false))
    }

    /// `gosu USER COMMAND...`, `su-exec USER COMMAND...`, `sudo [-u USER] COMMAND...`: the
    /// command as that user (a name from `/etc/passwd`, or `uid[:gid]`).
    fn as_user(&mut self, applet: &str, args: &[String], span: Span, io: &mut Io) -> Option<(i32, Flow)> {
        let (user, command) = if applet == "sudo" {
            let mut user = "root".to_string();
            let mut i = 0;
            while let Some(a) = args.get(i).filter(|a| a.starts_with('-')) {
                if a == "-u" {
                    user.clone_from(args.get(i + 1)?);
                    i += 1;
                } else if !matches!(a.as_str(), "-E" | "-H" | "-n" | "--preserve-env") {
                    return None;
                }
                i += 1;
            }
            (user, args[i..].to_vec())
        } else {
            (args.first()?.clone(), args.get(1..)?.to_vec())
        };
        let (program, rest) = command.split_first()?;
        let (name, group) = user.split_once(':').map_or((user.as_str(), None), |(u, g)| (u, Some(g)));
        let passwd = utils::read_text(self, "/etc/passwd").unwrap_or_default();
        let line = passwd.lines().find(|l| l.split(':').next() == Some(name));
        let uid = name.parse().ok().or_else(|| line?.split(':').nth(2)?.parse().ok())?;
        let gid = match group {
            Some(g) => g.parse().ok().or_else(|| {
                let groups = utils::read_text(self, "/etc/group")?;
                groups.lines().find(|l| l.split(':').next() == Some(g))?.split(':').nth(2)?.parse().ok()
            })?,
            None => line.and_then(|l| l.split(':').nth(3)?.parse().ok()).unwrap_or(uid),
        };
        let saved = (self.uid, self.gid);
        (self.uid, self.gid) = (uid, gid);
        let result = self.external(program, rest, span, io, false);
        (self.uid, self.gid) = saved;
        Some(result)
    }

    /// `rsync -a SRC... DEST` between local paths: as `cp -a`, a source ending in `/`
    /// copying its content (into DEST, made if missing, with the source's mode and owner).
    fn rsync(&mut self, args: &[String], io: &mut Io) -> Option<(i32, Flow)> {
        let mut paths = Vec::new();
        for a in args {
            match a.as_str() {
                "-a" | "--archive" | "-r" | "--recursive" | "-v" | "--verbose" | "-h" | "-z" | "--progress" | "-q"
                | "-av" | "-avz" | "-avh" | "-ah" | "-aq" | "-rv" => {}
                s if s.starts_with('-') => return None,
                s if s.contains(':') => return None,
                s => paths.push(s.to_string()),
            }
        }
        let dest = paths.pop()?;
        let dest_path = self.abs(&dest);
        let mut cp_args = vec!["-a".to_string()];
        for src in &paths {
            if src.ends_with('/') {
                let src_path = self.abs(src);
                let entry = self.fs.stat(&src_path)?;
                if self.fs.stat(&dest_path).is_none() {
                    self.fs.insert(&dest_path, Entry::dir(entry.meta)).ok()?;
                }
                for (child, _) in entry.as_dir()?.iter() {
                    cp_args.push(format!("{}/{child}", src_path.trim_end_matches('/')));
                }
            } else {
                cp_args.push(src.clone());
            }
        }
        if cp_args.len() == 1 {
            return Some((0, Flow::Next));
        }
        if self.fs.stat(&dest_path).is_none() && paths.len() == 1 && !paths[0].ends_with('/') {
            // rsync makes the destination directory and puts the source inside.
            let meta = new_meta(self, true);
            self.fs.insert(&dest_path, Entry::dir(meta)).ok()?;
        }
        cp_args.push(format!("{}/", dest_path.trim_end_matches('/')));
        let mut env = utils::Env { shell: self, io, name: "rsync".into() };
        Some((env.run("cp", &cp_args)?, Flow::Next))
    }

    /// Over partly unknown files, a test of a path not known here that would end the script
    /// under `set -e` held in the real build, which went on.
    #[inline(never)]
    fn assume_test_held(&mut self, name: &str, status: i32, args: &[String]) -> i32 {
        if status == 1
            && matches!(name, "test" | "[")
            && self.partial
            && self.errexit
            && self.condition == 0
            && args.iter().any(|a| a.starts_with('/') && self.fs.lstat(a).is_none())
        {
            self.model(
                "a `test` of a path not in the files known here is taken to hold, as the real build went on past it",
            );
            return 0;
        }
        status
    }

    /// Over partly unknown files, a utility that failed only because a path it names is not
    /// in the files known here is taken to have succeeded: the path is one of the unknown
    /// files (a COPY from a context not given, a package's files), as in the real build.
    fn assume_present(&mut self, status: i32, stderr: &[u8]) -> i32 {
        if status == 0 || !self.partial {
            return status;
        }
        let text = String::from_utf8_lossy(stderr);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() || !lines.iter().all(|l| l.contains("No such file or directory")) {
            return status;
        }
        self.model(
            "a path the step names is not in the files known here: it is taken to be there, as in the real build",
        );
        0
    }

    /// bash `[[ ... ]]`: `!`, `&&`, `||`, parentheses, the unary tests, `==`/`!=` against a
    /// pattern, `=~` against an extended regular expression, and the comparisons. Words are
    /// not split or globbed. `None` is a syntax error (status 2).
    fn bash_test(&mut self, words: &[sh::Word], io: &mut Io) -> Result<Option<bool>, Flow> {
        // The operator a word is, when it is written bare.
        let bare = |w: &sh::Word| -> Option<String> {
            let mut out = String::new();
            for p in &w.parts {
                match &p.kind {
                    sh::PartKind::Literal(t) | sh::PartKind::Glob(t) => out.push_str(t),
                    _ => return None,
                }
            }
            Some(out)
        };
        let ops: Vec<Option<String>> = words.iter().map(bare).collect();
        let mut pos = 0;
        self.test_chain(words, &ops, &mut pos, io, true).map(|r| r.filter(|_| pos == words.len()))
    }

    /// `a || b ...` (`or`) or `a && b ...`: left to right, `&&` binding tighter. The right
    /// side is expanded even when the left decides (a `$(...)` there runs, where bash would
    /// skip it); the result is the same otherwise.
    fn test_chain(
        &mut self,
        words: &[sh::Word],
        ops: &[Option<String>],
        pos: &mut usize,
        io: &mut Io,
        or: bool,
    ) -> Result<Option<bool>, Flow> {
        let operand = |shell: &mut Self, pos: &mut usize, io: &mut Io| {
            if or { shell.test_chain(words, ops, pos, io, false) } else { shell.test_not(words, ops, pos, io) }
        };
        let Some(mut value) = operand(self, pos, io)? else { return Ok(None) };
        let op = if or { "||" } else { "&&" };
        while ops.get(*pos).and_then(Option::as_deref) == Some(op) {
            *pos += 1;
            let Some(right) = operand(self, pos, io)? else { return Ok(None) };
            value = if or { value || right } else { value && right };
        }
        Ok(Some(value))
    }

    fn test_not(
        &mut self,
        words: &[sh::Word],
        ops: &[Option<String>],
        pos: &mut usize,
        io: &mut Io,
    ) -> Result<Option<bool>, Flow> {
        let op = |i: usize| ops.get(i).and_then(Option::as_deref);
        if op(*pos) == Some("!") {
            *pos += 1;
            return Ok(self.test_not(words, ops, pos, io)?.map(|v| !v));
        }
        if op(*pos) == Some("(") {
            *pos += 1;
            let inner = self.test_chain(words, ops, pos, io, true)?;
            if op(*pos) != Some(")") {
                return Ok(None);
            }
            *pos += 1;
            return Ok(inner);
        }
        let Some(first) = words.get(*pos) else { return Ok(None) };
        if let Some(bin) = op(*pos + 1).filter(|o| TEST_BINARY.contains(o)) {
            let bin = bin.to_string();
            let left = self.word_string(first)?;
            let left = expand::known(left, first.span)?;
            let Some(right_word) = words.get(*pos + 2) else { return Ok(None) };
            if bin == "=~" {
                // A regular expression's parentheses are read as separate words: the
                // expression runs to the next `&&` or `||`.
                let mut end = *pos + 2;
                let mut regex = String::new();
                while end < words.len() && !matches!(op(end), Some("&&" | "||")) {
                    regex.push_str(&self.word_string(&words[end])?);
                    end += 1;
                }
                *pos = end;
                return Ok(crate::regex::Regex::new(
                    &regex,
                    crate::regex::Flavor::Extended,
                    crate::regex::Options::default(),
                )
                .ok()
                .map(|re| re.is_match(&left)));
            }
            *pos += 3;
            return Ok(match bin.as_str() {
                "==" | "=" | "!=" => {
                    let pattern = self.pattern(right_word)?;
                    Some(expand::pattern_matches(&pattern, &left) == (bin != "!="))
                }
                _ => {
                    let right = self.word_string(right_word)?;
                    let right = expand::known(right, right_word.span)?;
                    let mut env = utils::Env { shell: self, io, name: "[[".into() };
                    env.binary_test(&left, &bin, &right)
                }
            });
        }
        if let Some(unary) = op(*pos).filter(|o| o.len() == 2 && o.starts_with('-'))
            && let Some(operand) = words.get(*pos + 1)
        {
            let unary = unary.to_string();
            let span = operand.span;
            let operand = self.word_string(operand)?;
            let operand = expand::known(operand, span)?;
            *pos += 2;
            let mut env = utils::Env { shell: self, io, name: "[[".into() };
            return Ok(env.unary_test(&unary, &operand));
        }
        let single = self.word_string(first)?;
        let single = expand::known(single, first.span)?;
        *pos += 1;
        Ok(Some(!single.is_empty()))
    }

    /// `sh -c SCRIPT [NAME [ARG]...]` or `sh FILE [ARG]...` (with `-e`, `-x`, `-u` flags): a
    /// new shell process, so its variables do not come back; its files do.
    fn sub_shell(&mut self, program: &str, args: &[String], span: Span, io: &mut Io) -> (i32, Flow) {
        let mut i = 0;
        let mut flags = Vec::new();
        let mut command = false;
        while let Some(a) = args.get(i) {
            if a == "-c" {
                command = true;
                i += 1;
                break;
            }
            match a.strip_prefix('-') {
                Some(f) if !f.is_empty() && f.chars().all(|c| "eux".contains(c)) => flags.push(a.clone()),
                Some(f) if f.contains('c') && f.chars().all(|c| "euxc".contains(c)) => {
                    flags.push(format!("-{}", f.replace('c', "")));
                    command = true;
                    i += 1;
                    break;
                }
                _ => break,
            }
            i += 1;
        }
        let (text, name, positional) = if command {
            let Some(script) = args.get(i) else { return (2, Flow::Next) };
            (script.clone(), args.get(i + 1).cloned(), args.get(i + 2..).map(<[String]>::to_vec).unwrap_or_default())
        } else if let Some(file) = args.get(i) {
            match utils::read_file(self, &self.abs(file)) {
                Ok(bytes) => (String::from_utf8_lossy(&bytes).into_owned(), Some(file.clone()), args[i + 1..].to_vec()),
                Err(e) if e == utils::UNKNOWN_CONTENT => {
                    return (0, Flow::Stop(Stop::Unknown { command: format!("{program} {file}"), span }));
                }
                Err(e) => {
                    self.error(io, &format!("can't open '{file}': {e}"), &format!("cannot open {file}: {e}"));
                    return (if self.userland == Userland::Busybox { 2 } else { 127 }, Flow::Next);
                }
            }
        } else {
            // A shell reading its script from standard input.
            (String::from_utf8_lossy(&std::mem::take(&mut io.stdin)).into_owned(), None, Vec::new())
        };
        let dialect = if program == "bash" { Dialect::Bash } else { Dialect::Posix };
        let parsed = sh::parse(&text, dialect);
        if let Some(d) = parsed.diagnostics.iter().find(|d| d.is_error()) {
            io.stderr.extend_from_slice(format!("{program}: {}\n", d.message).as_bytes());
            return (2, Flow::Next);
        }
        let mut sub = self.clone();
        // A new process: only exported variables, no functions, fresh options.
        sub.vars.retain(|v| v.exported);
        sub.arrays.clear();
        sub.functions.clear();
        (sub.errexit, sub.nounset, sub.xtrace, sub.pipefail) = (false, false, false, false);
        sub.dialect = dialect;
        sub.positional = positional;
        if let Some(n) = name {
            sub.name = n;
        }
        if !flags.is_empty() {
            let _ = sub.set(&flags, io);
        }
        let flow = sub.script(&parsed.script, io);
        self.fs = sub.fs;
        self.steps = sub.steps;
        self.written = sub.written;
        self.modeled = sub.modeled;
        self.partial = sub.partial;
        match flow {
            Flow::Stop(stop) => (0, Flow::Stop(stop)),
            Flow::Exit(s) | Flow::Return(s) => (s, Flow::Next),
            _ => (sub.status, Flow::Next),
        }
    }

    /// `npm run NAME`, `npm start|test`, `yarn [run] NAME`, `pnpm [run] NAME`: the script
    /// `package.json` names, run by `sh -c` with `node_modules/.bin` first on `PATH` (npm runs
    /// its `pre` and `post` scripts around it); `npx TOOL ARGS` runs the tool. `None` when the
    /// command is not a script run (an install, say).
    fn node_script(&mut self, tool: &str, args: &[String], span: Span, io: &mut Io) -> Option<(i32, Flow)> {
        // The commands of yarn and pnpm: any other first word names a script.
        const COMMANDS: [&str; 27] = [
            "install",
            "i",
            "add",
            "remove",
            "ci",
            "cache",
            "config",
            "global",
            "set",
            "workspaces",
            "workspace",
            "prune",
            "store",
            "fetch",
            "dlx",
            "exec",
            "link",
            "upgrade",
            "up",
            "info",
            "why",
            "plugin",
            "policies",
            "audit",
            "import",
            "deploy",
            "version",
        ];
        let at = args.iter().position(|a| !a.starts_with('-'))?;
        let first = args[at].as_str();
        if tool == "npx" {
            let program = first.split('@').next().filter(|p| !p.is_empty()).unwrap_or(first).to_string();
            return Some(self.external(&program, &args[at + 1..], span, io, false));
        }
        let name = match first {
            "run" | "run-script" => args[at + 1..].iter().find(|a| !a.starts_with('-'))?.as_str(),
            "start" | "test" if tool == "npm" => first,
            "t" if tool == "npm" => "test",
            _ if tool != "npm" && !COMMANDS.contains(&first) => first,
            _ => return None,
        };
        let cwd = self.cwd.trim_end_matches('/').to_string();
        let Some(text) = utils::read_text(self, &format!("{cwd}/package.json")) else {
            if self.partial {
                let command = format!("{tool} run {name} (package.json is not known here)");
                return Some((0, Flow::Stop(Stop::Unknown { command, span })));
            }
            let line =
                format!("npm error code ENOENT\nnpm error enoent Could not read package.json: {cwd}/package.json\n");
            io.stderr.extend_from_slice(line.as_bytes());
            return Some((254, Flow::Next));
        };
        let scripts = match crate::json::parse(&text) {
            Ok(crate::json::Value::Object(members)) => {
                members.into_iter().find(|(k, _)| k == "scripts").map(|(_, v)| v)
            }
            _ => None,
        };
        let scripts = match scripts {
            Some(crate::json::Value::Object(members)) => members,
            _ => Vec::new(),
        };
        let script = |key: &str| {
            scripts.iter().find(|(k, _)| k == key).and_then(|(_, v)| match v {
                crate::json::Value::String(s) => Some(s.clone()),
                _ => None,
            })
        };
        let Some(main) = script(name) else {
            if args.iter().any(|a| a == "--if-present") {
                return Some((0, Flow::Next));
            }
            io.stderr.extend_from_slice(format!("npm error Missing script: \"{name}\"\n").as_bytes());
            return Some((1, Flow::Next));
        };
        // Arguments after `--` go to the script, quoted.
        let mut line = main;
        for a in args.iter().skip_while(|a| *a != "--").skip(1) {
            line = format!("{line} '{}'", a.replace('\'', "'\\''"));
        }
        // npm runs `pre<name>` and `post<name>` around it.
        let pre = if tool == "npm" { script(&format!("pre{name}")) } else { None };
        let post = if tool == "npm" { script(&format!("post{name}")) } else { None };
        let steps: Vec<String> = pre.into_iter().chain(std::iter::once(line)).chain(post).collect();
        let path = self.var("PATH").unwrap_or(crate::plan::dispatch::DEFAULT_PATH).to_string();
        let saved = self.vars.get("PATH").cloned();
        self.vars.insert("PATH".into(), Var { value: format!("{cwd}/node_modules/.bin:{path}"), exported: true });
        let mut result = (0, Flow::Next);
        for step in steps {
            result = self.sub_shell("sh", &["-c".to_string(), step], span, io);
            if result.0 != 0 || result.1 != Flow::Next {
                break;
            }
        }
        match saved {
            Some(v) => self.vars.insert("PATH".into(), v),
            None => self.vars.remove("PATH"),
        }
        Some(result)
    }

    /// `xargs [-n N] [-I R] [COMMAND [ARG]...]`: words of standard input (blank-separated,
    /// quotes not interpreted) appended to the command (default `echo`), or put in place of
    /// `R` once per line.
    fn xargs(&mut self, args: &[String], span: Span, io: &mut Io) -> (i32, Flow) {
        let mut per = usize::MAX;
        let mut replace: Option<String> = None;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-n" => {
                    let Some(n) = args.get(i + 1).and_then(|n| n.parse().ok()) else {
                        return (0, Flow::Stop(Stop::Unknown { command: "xargs -n".into(), span }));
                    };
                    per = n;
                    i += 2;
                }
                "-I" => {
                    replace = args.get(i + 1).cloned();
                    i += 2;
                }
                "-r" | "--no-run-if-empty" => i += 1,
                // Parallel runs (-P) give the same files; -t only traces to standard error.
                "-P" => i += 2,
                s if s.starts_with('-') && s.len() > 1 && s[1..].chars().all(|c| matches!(c, 'r' | 't')) => i += 1,
                s if s.starts_with('-') => {
                    return (0, Flow::Stop(Stop::Unknown { command: format!("xargs {s}"), span }));
                }
                _ => break,
            }
        }
        // An option missing its value (`xargs -P`) leaves nothing to run: xargs refuses.
        let Some(rest) = args.get(i..) else {
            io.stderr.extend_from_slice(b"xargs: option requires an argument\n");
            return (1, Flow::Next);
        };
        let command: Vec<String> = if rest.is_empty() { vec!["echo".into()] } else { rest.to_vec() };
        let input = String::from_utf8_lossy(&std::mem::take(&mut io.stdin)).into_owned();
        let batches: Vec<Vec<String>> = if let Some(r) = &replace {
            input
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| command.iter().map(|a| a.replace(r.as_str(), l.trim())).collect())
                .collect()
        } else {
            let words: Vec<String> = input.split_whitespace().map(str::to_string).collect();
            if words.is_empty() {
                // GNU xargs runs the command once anyway; busybox and `-r` do not.
                let no_run = args[..i.min(args.len())].iter().any(|a| {
                    a == "--no-run-if-empty" || (a.starts_with('-') && !a.starts_with("--") && a.contains('r'))
                });
                if self.userland == Userland::Gnu && !no_run { vec![command.clone()] } else { Vec::new() }
            } else {
                words
                    .chunks(per.max(1))
                    .map(|chunk| command.iter().cloned().chain(chunk.iter().cloned()).collect())
                    .collect()
            }
        };
        let mut status = 0;
        for argv in batches {
            let (name, rest) = argv.split_first().map(|(n, r)| (n.clone(), r.to_vec())).unwrap_or_default();
            let (s, flow) = self.external(&name, &rest, span, io, false);
            if flow != Flow::Next {
                return (s, flow);
            }
            if s != 0 {
                // 123: a command failed; 127: not found.
                status = if s == 127 { 127 } else { 123 };
            }
        }
        (status, Flow::Next)
    }

    /// `env [-i] [NAME=VALUE]... [COMMAND [ARG]...]`.
    fn env(&mut self, args: &[String], span: Span, io: &mut Io) -> (i32, Flow) {
        let mut i = 0;
        let mut clear = false;
        while let Some(a) = args.get(i) {
            if a == "-i" || a == "-" {
                clear = true;
                i += 1;
            } else if a.starts_with('-') {
                return (0, Flow::Stop(Stop::Unknown { command: format!("env {a}"), span }));
            } else {
                break;
            }
        }
        let saved = self.vars.clone();
        if clear {
            self.vars.retain(|v| !v.exported);
        }
        while let Some((k, v)) = args.get(i).and_then(|a| a.split_once('=')) {
            self.vars.insert(k.to_string(), Var { value: v.to_string(), exported: true });
            i += 1;
        }
        let result = if let Some((name, rest)) = args[i..].split_first() {
            self.external(name, rest, span, io, false)
        } else {
            // The process environment's order is the order variables were set, which the
            // simulation does not keep: listed by name.
            self.model("env prints the environment in the order it was set; here it is listed by name");
            let mut text = String::new();
            for (k, v) in self.vars.iter().filter(|(_, v)| v.exported) {
                text.push_str(k);
                text.push('=');
                text.push_str(&v.value);
                text.push('\n');
            }
            io.stdout.extend_from_slice(text.as_bytes());
            (0, Flow::Next)
        };
        self.vars = saved;
        result
    }

    /// `read [-r] [NAME]...`: one line of standard input into the names (the last takes the
    /// rest), split on `IFS`; status 1 at the end of the input.
    fn read(&mut self, args: &[String], io: &mut Io) -> i32 {
        let raw = args.iter().any(|a| a == "-r");
        let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if io.stdin.is_empty() {
            for n in &names {
                self.set_var(n, "");
            }
            return 1;
        }
        let end = io.stdin.iter().position(|&b| b == b'\n');
        let line_bytes: Vec<u8> = match end {
            Some(e) => io.stdin.drain(..=e).take(e).collect(),
            None => std::mem::take(&mut io.stdin),
        };
        let mut line = String::from_utf8_lossy(&line_bytes).into_owned();
        if !raw {
            line = line.replace("\\\n", "").replace('\\', "");
        }
        let ifs = self.var("IFS").unwrap_or(" \t\n").to_string();
        let names: Vec<String> =
            if names.is_empty() { vec!["REPLY".into()] } else { names.into_iter().cloned().collect() };
        let trimmed = line.trim_matches(|c: char| ifs.contains(c) && c.is_whitespace());
        let mut rest = trimmed;
        for (i, name) in names.iter().enumerate() {
            if i + 1 == names.len() || name == "REPLY" {
                let value =
                    if name == "REPLY" && args.iter().all(|a| a.starts_with('-')) { line.as_str() } else { rest };
                self.set_var(name, value);
                break;
            }
            let cut = rest.find(|c: char| ifs.contains(c)).unwrap_or(rest.len());
            self.set_var(name, &rest[..cut]);
            rest = rest[cut..].trim_start_matches(|c: char| ifs.contains(c) && c.is_whitespace());
            if let Some(r) = rest.strip_prefix(|c: char| ifs.contains(c) && !c.is_whitespace()) {
                rest = r.trim_start_matches(|c: char| ifs.contains(c) && c.is_whitespace());
            }
        }
        i32::from(end.is_none())
    }

    /// Applies `command`'s redirections around `run`.
    fn with_redirects(&mut self, command: &Command, io: &mut Io, run: impl FnOnce(&mut Self, &mut Io) -> Flow) -> Flow {
        if command.redirects.is_empty() {
            return run(self, io);
        }
        // Where each descriptor goes: `None` is the caller's stream.
        let mut out_to: Option<Target> = None;
        let mut err_to: Option<Target> = None;
        let mut stdin: Option<Vec<u8>> = None;
        for r in &command.redirects {
            match self.redirect(r, &mut out_to, &mut err_to, &mut stdin, io) {
                Ok(()) => {}
                Err(Ok(status)) => {
                    self.status = status;
                    return Flow::Next;
                }
                Err(Err(flow)) => return flow,
            }
        }
        let unknown_in = if stdin.is_some() { None } else { io.unknown_in.take() };
        let mut inner =
            Io { stdin: stdin.unwrap_or_else(|| std::mem::take(&mut io.stdin)), unknown_in, ..Io::default() };
        let flow = run(self, &mut inner);
        let out = std::mem::take(&mut inner.stdout);
        let err = std::mem::take(&mut inner.stderr);
        if let Some(what) = inner.unknown_out.take() {
            self.deliver_unknown(what, out_to.as_ref(), io);
        }
        self.deliver(out, out_to.as_ref(), io, false);
        self.deliver(err, err_to.as_ref(), io, true);
        flow
    }

    /// Output of unknown bytes (a download) to where standard output goes.
    #[inline(never)]
    fn deliver_unknown(&mut self, what: String, target: Option<&Target>, io: &mut Io) {
        match target {
            // A download saved with `>`: a file of unknown content.
            Some(Target::File(path)) => {
                let meta = self.fs.stat(path).map_or(Meta::FILE, |e| e.meta);
                self.written += 256;
                let _ = self.fs.insert(path, Entry::file(Content::synthetic(1_000_000, what), meta));
                self.model("a download written to a file: its content and size (1 MB here) are not known");
            }
            Some(Target::Null) => {}
            _ => io.unknown_out = Some(what),
        }
    }

    fn deliver(&mut self, bytes: Vec<u8>, target: Option<&Target>, io: &mut Io, is_err: bool) {
        match target {
            None => {
                if is_err {
                    io.stderr.extend(bytes);
                } else {
                    io.stdout.extend(bytes);
                }
            }
            Some(Target::Null) => {}
            Some(Target::Stdout) => io.stdout.extend(bytes),
            Some(Target::Stderr) => io.stderr.extend(bytes),
            Some(Target::File(path)) => {
                self.written += bytes.len();
                if let Some(Entry { node: Node::File { content, link }, meta }) = self.fs.stat(path) {
                    let content = match content.as_bytes() {
                        Some(old) => {
                            let mut data = old.to_vec();
                            data.extend(bytes);
                            Content::bytes(data)
                        }
                        None => Content::synthetic(
                            content.size() + bytes.len() as u64,
                            format!("{path} with {} bytes appended", bytes.len()),
                        ),
                    };
                    let _ = self.fs.insert(path, Entry { node: Node::File { content, link }, meta });
                }
            }
        }
    }

    /// Opens one redirection. `Err(Ok(status))`: the command does not run (a file cannot be
    /// opened); `Err(Err(flow))`: the script stops.
    fn redirect(
        &mut self,
        r: &Redirect,
        out_to: &mut Option<Target>,
        err_to: &mut Option<Target>,
        stdin: &mut Option<Vec<u8>>,
        io: &mut Io,
    ) -> Result<(), Result<i32, Flow>> {
        let fd = r.fd.unwrap_or(match r.op {
            RedirectOp::Input
            | RedirectOp::DupInput
            | RedirectOp::HereDoc
            | RedirectOp::HereDocStrip
            | RedirectOp::HereString
            | RedirectOp::ReadWrite => 0,
            _ => 1,
        });
        let word = match &r.target {
            RedirectTarget::HereDoc(doc) => {
                let body = if doc.quoted {
                    doc.body
                        .parts
                        .iter()
                        .map(|p| match &p.kind {
                            sh::PartKind::Literal(s) | sh::PartKind::SingleQuoted(s) => s.clone(),
                            sh::PartKind::Escaped(c) => c.to_string(),
                            _ => String::new(),
                        })
                        .collect()
                } else {
                    self.word_string(&doc.body).map_err(Err)?
                };
                let body = expand::known(body, r.span).map_err(Err)?;
                if fd == 0 {
                    *stdin = Some(body.into_bytes());
                }
                return Ok(());
            }
            RedirectTarget::Word(w) => self.word_string(w).map_err(Err)?,
        };
        let word = expand::known(word, r.span).map_err(Err)?;
        let set = |target: Target, out_to: &mut Option<Target>, err_to: &mut Option<Target>| match fd {
            1 => *out_to = Some(target),
            2 => *err_to = Some(target),
            _ => {}
        };
        match r.op {
            RedirectOp::HereString => {
                if fd == 0 {
                    *stdin = Some(format!("{word}\n").into_bytes());
                }
            }
            RedirectOp::Input | RedirectOp::ReadWrite => {
                if fd == 0 {
                    match utils::read_file(self, &self.abs(&word)) {
                        Ok(bytes) => *stdin = Some(bytes),
                        Err(e) => return Err(self.redirect_failed(io, &e, &word, r.span, true)),
                    }
                }
            }
            RedirectOp::DupOutput | RedirectOp::DupInput => {
                let target = match word.as_str() {
                    "1" => Some(out_to.clone().unwrap_or(Target::Stdout)),
                    "2" => Some(err_to.clone().unwrap_or(Target::Stderr)),
                    "-" => Some(Target::Null),
                    _ => None,
                };
                match target {
                    Some(t) => set(t, out_to, err_to),
                    None => {
                        return Err(Err(Flow::Stop(Stop::Unknown {
                            command: format!("redirection to descriptor {word}"),
                            span: r.span,
                        })));
                    }
                }
            }
            RedirectOp::Output
            | RedirectOp::Clobber
            | RedirectOp::Append
            | RedirectOp::OutputAll
            | RedirectOp::AppendAll => {
                let append = matches!(r.op, RedirectOp::Append | RedirectOp::AppendAll);
                let target = if word == "/dev/null" {
                    Target::Null
                } else if word == "/dev/stdout" {
                    Target::Stdout
                } else if word == "/dev/stderr" {
                    Target::Stderr
                } else {
                    let path = self.abs(&word);
                    match utils::open_for_write(self, &path, append) {
                        Ok(canonical) => Target::File(canonical),
                        // Appending to a file known only by size: it grows, its content
                        // still unknown.
                        Err(e) if e == utils::UNKNOWN_CONTENT => {
                            self.model("output appended to a file whose content is not known here: only its size is");
                            Target::File(self.fs.resolve(&path, true).map(|r| r.path()).unwrap_or(path))
                        }
                        // A directory that one of the unknown files is.
                        Err(e) if self.partial && e == "No such file or directory" => {
                            let parent = path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
                            let _ = self.fs.mkdir_all(parent, Meta::DIR);
                            self.model("a directory a redirection writes into is not in the files known here: it is taken to be there");
                            match utils::open_for_write(self, &path, append) {
                                Ok(canonical) => Target::File(canonical),
                                Err(e) => return Err(self.redirect_failed(io, &e, &word, r.span, false)),
                            }
                        }
                        Err(e) => return Err(self.redirect_failed(io, &e, &word, r.span, false)),
                    }
                };
                if matches!(r.op, RedirectOp::OutputAll | RedirectOp::AppendAll) {
                    *out_to = Some(target.clone());
                    *err_to = Some(target);
                } else {
                    set(target, out_to, err_to);
                }
            }
            RedirectOp::HereDoc | RedirectOp::HereDocStrip => {}
        }
        Ok(())
    }
}

impl Shell {
    /// A redirection's file could not be opened (`reading` it, or for writing): a file known
    /// only by its size stops the interpreter; any other error fails the command as the shell
    /// does (busybox status 1, dash 2).
    fn redirect_failed(&self, io: &mut Io, e: &str, word: &str, span: Span, reading: bool) -> Result<i32, Flow> {
        if e == utils::UNKNOWN_CONTENT {
            let command = if reading { format!("reading {word}") } else { format!("appending to {word}") };
            return Err(Flow::Stop(Stop::Unknown { command, span }));
        }
        if reading {
            self.error(io, &format!("can't open '{word}': {e}"), &format!("cannot open {word}: {e}"));
        } else {
            self.error(io, &format!("can't create {word}: {e}"), &format!("cannot create {word}: {e}"));
        }
        Ok(if self.userland == Userland::Busybox { 1 } else { 2 })
    }
}

/// Where a redirected descriptor writes.
#[derive(Clone, Debug)]
enum Target {
    Null,
    Stdout,
    Stderr,
    /// A file (canonical path), already created or truncated.
    File(String),
}

/// The binary operators of bash's `[[ ]]`.
const TEST_BINARY: [&str; 14] =
    ["==", "=", "!=", "=~", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot"];

fn is_special_builtin(name: &str) -> bool {
    matches!(
        name,
        ":" | "."
            | "break"
            | "continue"
            | "eval"
            | "exec"
            | "exit"
            | "export"
            | "readonly"
            | "return"
            | "set"
            | "shift"
            | "trap"
            | "unset"
    )
}

fn is_shell_builtin(name: &str) -> bool {
    is_special_builtin(name)
        || matches!(name, "cd" | "pwd" | "true" | "false" | "command" | "echo" | "printf" | "test" | "[")
}

/// The error text of a filesystem error, as the C library words it.
pub(crate) fn errno_text(e: &FsError) -> &'static str {
    match e {
        FsError::NotFound(_) => "No such file or directory",
        FsError::NotADirectory(_) => "Not a directory",
        FsError::Loop(_) => "Symbolic link loop",
        FsError::NameTooLong => "File name too long",
        _ => "Invalid argument",
    }
}

/// The meta of a new file or directory made by the user (umask 022).
pub(crate) fn new_meta(shell: &Shell, dir: bool) -> Meta {
    Meta::new((if dir { 0o777 } else { 0o666 }) & !shell.umask, shell.uid, shell.gid)
}

#[cfg(test)]
mod tests;
