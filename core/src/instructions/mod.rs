//! The instruction layer: each syntax node typed and checked as BuildKit's `instructions`
//! package does it (argument counts, flags, `--mount`, HEALTHCHECK, ONBUILD triggers, ...).
//!
//! Values stay as written: expansion needs the plan (ARG scoping), which comes later. Checks
//! that BuildKit makes only when it dispatches an instruction (for example most `--mount`
//! rules) are kept apart in [`Instruction::dispatch_diagnostics`], so that the plan can report
//! them for built stages only, as BuildKit does.

mod flags;
pub(crate) mod goparse;
mod mount;
pub mod suggest;

use serde::Serialize;

pub use flags::{FlagValue, Kind as FlagKind};
pub use mount::{Mount, MountField, MountType};

use crate::diagnostic::{Code, Diagnostic};
use crate::gostr;
use crate::shell::{Env, Lexer};
use crate::syntax::{self, Args, Node, SyntaxTree, Token};
use crate::text::Span;
use flags::Kind as F;

/// The 18 Dockerfile instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
}

impl Keyword {
    pub const ALL: [Keyword; 18] = [
        Self::Add,
        Self::Arg,
        Self::Cmd,
        Self::Copy,
        Self::Entrypoint,
        Self::Env,
        Self::Expose,
        Self::From,
        Self::Healthcheck,
        Self::Label,
        Self::Maintainer,
        Self::Onbuild,
        Self::Run,
        Self::Shell,
        Self::Stopsignal,
        Self::User,
        Self::Volume,
        Self::Workdir,
    ];

    /// The upper-case name, as BuildKit prints it in messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Add => "ADD",
            Self::Arg => "ARG",
            Self::Cmd => "CMD",
            Self::Copy => "COPY",
            Self::Entrypoint => "ENTRYPOINT",
            Self::Env => "ENV",
            Self::Expose => "EXPOSE",
            Self::From => "FROM",
            Self::Healthcheck => "HEALTHCHECK",
            Self::Label => "LABEL",
            Self::Maintainer => "MAINTAINER",
            Self::Onbuild => "ONBUILD",
            Self::Run => "RUN",
            Self::Shell => "SHELL",
            Self::Stopsignal => "STOPSIGNAL",
            Self::User => "USER",
            Self::Volume => "VOLUME",
            Self::Workdir => "WORKDIR",
        }
    }

    /// The flags BuildKit accepts on this instruction (`BFlags` declarations), in its order.
    #[must_use]
    pub fn flags(self) -> &'static [(&'static str, F)] {
        match self {
            Self::From => &[("platform", F::String)],
            Self::Run => {
                &[("device", F::Strings), ("mount", F::Strings), ("network", F::String), ("security", F::String)]
            }
            Self::Copy => &[
                ("chown", F::String),
                ("from", F::String),
                ("chmod", F::String),
                ("link", F::Bool),
                ("exclude", F::Strings),
                ("parents", F::Bool),
            ],
            Self::Add => &[
                ("chown", F::String),
                ("chmod", F::String),
                ("link", F::Bool),
                ("keep-git-dir", F::Bool),
                ("checksum", F::String),
                ("unpack", F::Bool),
                ("exclude", F::Strings),
            ],
            Self::Healthcheck => &[
                ("interval", F::String),
                ("timeout", F::String),
                ("start-period", F::String),
                ("start-interval", F::String),
                ("retries", F::String),
            ],
            _ => &[],
        }
    }

    /// What the instruction does, in one line (hover docs, completion).
    #[must_use]
    pub fn summary(self) -> &'static str {
        match self {
            Self::From => "Starts a stage from a base image, an earlier stage or scratch.",
            Self::Run => "Runs a command in a new layer, in the stage's shell or exec form.",
            Self::Cmd => "Sets the default command the container runs (the last CMD wins).",
            Self::Label => "Adds key=value metadata to the image config.",
            Self::Maintainer => "Deprecated: sets the author field; use a LABEL instead.",
            Self::Expose => "Documents the ports the container listens on (port[/tcp|udp]).",
            Self::Env => "Sets environment variables for later instructions and the container.",
            Self::Add => "Copies files, URLs or git repositories into the image; extracts local tar archives.",
            Self::Copy => "Copies files from the build context, a stage or an image into the image.",
            Self::Entrypoint => "Sets the executable the container runs; CMD becomes its arguments.",
            Self::Volume => "Declares mount points; later changes to them in the build are discarded.",
            Self::User => "Sets the user (and group) for later RUN, CMD and ENTRYPOINT.",
            Self::Workdir => "Sets the working directory for later instructions, creating it if needed.",
            Self::Arg => "Declares a build argument, with an optional default, that --build-arg can set.",
            Self::Onbuild => "Registers an instruction to run when another build uses this image as its base.",
            Self::Stopsignal => "Sets the signal that stops the container.",
            Self::Healthcheck => "Sets the command that checks the container is healthy (or NONE).",
            Self::Shell => "Sets the shell (exec form) for the shell form of later RUN, CMD and ENTRYPOINT.",
        }
    }

    /// The instruction a keyword names, in any case (as BuildKit dispatches).
    #[must_use]
    pub fn parse(word: &str) -> Option<Self> {
        let name = crate::syntax::instruction_name(word)?;
        Self::ALL.into_iter().find(|k| k.lower_name() == name)
    }

    fn lower_name(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Arg => "arg",
            Self::Cmd => "cmd",
            Self::Copy => "copy",
            Self::Entrypoint => "entrypoint",
            Self::Env => "env",
            Self::Expose => "expose",
            Self::From => "from",
            Self::Healthcheck => "healthcheck",
            Self::Label => "label",
            Self::Maintainer => "maintainer",
            Self::Onbuild => "onbuild",
            Self::Run => "run",
            Self::Shell => "shell",
            Self::Stopsignal => "stopsignal",
            Self::User => "user",
            Self::Volume => "volume",
            Self::Workdir => "workdir",
        }
    }
}

/// A command line of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommandLine {
    /// The arguments: one string for the shell form, the array for the exec (JSON) form.
    pub args: Vec<Token>,
    /// Shell form: the stage's SHELL runs it.
    pub shell_form: bool,
}

/// A file given inline by a heredoc (`RUN <<EOF`, `COPY <<EOF /file`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InlineFile {
    pub name: String,
    /// The body; for COPY and ADD with `<<-`, leading tabs are already removed.
    pub content: String,
    /// Expand variables in the body (the delimiter was not quoted).
    pub expand: bool,
    pub chomp: bool,
    pub span: Span,
}

/// A COPY or ADD source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    Path(Token),
    Heredoc(InlineFile),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct From {
    pub image: Token,
    /// The stage name, lowercased as BuildKit does; the span is the name as written.
    pub name: Option<Token>,
    /// The `AS` word.
    pub as_keyword: Option<Token>,
    pub platform: Option<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Run {
    pub command: CommandLine,
    pub files: Vec<InlineFile>,
    #[serde(skip)]
    pub mounts: Vec<Mount>,
    pub network: Option<Token>,
    pub security: Option<Token>,
    pub devices: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Copy {
    pub sources: Vec<Source>,
    pub dest: Token,
    pub from: Option<Token>,
    pub chown: Option<Token>,
    pub chmod: Option<Token>,
    pub link: bool,
    pub parents: bool,
    pub excludes: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Add {
    pub sources: Vec<Source>,
    pub dest: Token,
    pub chown: Option<Token>,
    pub chmod: Option<Token>,
    pub link: bool,
    pub keep_git_dir: Option<bool>,
    pub checksum: Option<Token>,
    pub unpack: Option<bool>,
    pub excludes: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub key: Token,
    pub value: Token,
    /// The legacy `KEY value` form.
    pub legacy: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArgDef {
    pub name: Token,
    pub default: Option<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: disable the base image's check.
    None,
    Cmd {
        /// `["CMD", ...]` or `["CMD-SHELL", "..."]`, as in the image config.
        test: Vec<String>,
        command: CommandLine,
        /// Durations in nanoseconds; 0 means the default.
        interval: i64,
        timeout: i64,
        start_period: i64,
        start_interval: i64,
        retries: i64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Onbuild {
    /// The trigger as BuildKit stores it in the image: the instruction text, heredoc bodies
    /// appended; it is parsed again when a later stage is built FROM this one.
    pub expression: String,
    pub trigger: Token,
}

/// What an instruction says, typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "instruction", rename_all = "UPPERCASE")]
pub enum Kind {
    From(From),
    Run(Run),
    Cmd(CommandLine),
    Entrypoint(CommandLine),
    Copy(Copy),
    Add(Add),
    Env(Vec<Pair>),
    Label(Vec<Pair>),
    Arg(Vec<ArgDef>),
    Expose(Vec<Token>),
    User(Token),
    Workdir(Token),
    Volume(Vec<Token>),
    Stopsignal(Token),
    Healthcheck(Healthcheck),
    Shell(Vec<Token>),
    Maintainer(Token),
    Onbuild(Onbuild),
    /// BuildKit rejects the instruction; a diagnostic says why.
    Invalid,
}

/// One typed instruction, pointing back at its syntax node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Index of the node in [`SyntaxTree::nodes`].
    pub node: usize,
    pub keyword: Option<Keyword>,
    pub span: Span,
    pub keyword_span: Span,
    pub kind: Kind,
    /// Errors BuildKit reports only when it builds this instruction's stage.
    pub dispatch_diagnostics: Vec<Diagnostic>,
}

/// All instructions of a Dockerfile, and the diagnostics of this layer.
#[derive(Clone, Debug, Default)]
pub struct Instructions {
    pub items: Vec<Instruction>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Instructions {
    /// Every diagnostic of this layer, dispatch-time ones included.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().chain(self.items.iter().flat_map(|i| i.dispatch_diagnostics.iter()))
    }
}

/// Types and checks every valid node of `tree` (BuildKit's `instructions.Parse`).
#[must_use]
pub fn lower(tree: &SyntaxTree) -> Instructions {
    let mut out = Instructions::default();
    let mut seen_from = false;
    let mut before_from_error = false;
    for (index, node) in tree.nodes.iter().enumerate() {
        if node.invalid {
            continue;
        }
        let mut lowering = Lowering { node, escape: tree.escape, diagnostics: Vec::new(), dispatch: Vec::new() };
        let keyword = Keyword::parse(&node.keyword.value);
        let kind = if let Some(k) = keyword {
            lowering.lower(k)
        } else {
            let names: Vec<&str> = Keyword::ALL.iter().map(|k| k.name()).collect();
            let message = suggest::with_suggestion(
                format!("unknown instruction: {}", node.keyword.value),
                &node.keyword.value,
                &names,
                false,
            );
            lowering.error(Code::UnknownInstruction, node.keyword.span, message);
            Kind::Invalid
        };
        match keyword {
            Some(Keyword::From) => seen_from = true,
            Some(Keyword::Arg) | None => {}
            Some(_) if !seen_from => {
                lowering.error(Code::InstructionBeforeFrom, node.keyword.span, "no build stage in current context");
                before_from_error = true;
            }
            Some(_) => {}
        }
        out.diagnostics.append(&mut lowering.diagnostics);
        out.items.push(Instruction {
            node: index,
            keyword,
            span: node.span,
            keyword_span: node.keyword.span,
            kind,
            dispatch_diagnostics: lowering.dispatch,
        });
    }
    if !seen_from && !before_from_error && !tree.nodes.is_empty() && !tree.has_errors() {
        let span = tree
            .nodes
            .first()
            .map(|n| n.span)
            .unwrap_or_default()
            .cover(tree.nodes.last().map(|n| n.span).unwrap_or_default());
        out.diagnostics.push(
            Diagnostic::new(Code::NoStages, span, "dockerfile contains no stages to build")
                .with_help("add a FROM instruction: every build stage starts with one"),
        );
    }
    out
}

struct Lowering<'a> {
    node: &'a Node,
    escape: char,
    diagnostics: Vec<Diagnostic>,
    dispatch: Vec<Diagnostic>,
}

impl<'a> Lowering<'a> {
    fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(code, span, message));
    }

    /// The argument list of a list-shaped instruction (empty for the other shapes).
    fn args(&self) -> &'a [Token] {
        match &self.node.args {
            Args::List(list) => list,
            _ => &[],
        }
    }

    /// The span to blame for an argument-count error: the arguments, or the keyword.
    fn args_span(&self) -> Span {
        let args = self.node.arg_tokens();
        match (args.first(), args.last()) {
            (Some(a), Some(b)) => a.span.cover(b.span),
            _ => self.node.keyword.span,
        }
    }

    fn flags(&mut self, specs: &[(&'static str, F)]) -> flags::Flags {
        flags::parse(&self.node.flags, specs, &mut self.diagnostics)
    }

    fn arity(&mut self, ok: bool, message: String) -> bool {
        if !ok {
            let span = self.args_span();
            self.error(Code::InvalidArguments, span, message);
        }
        ok
    }

    /// BuildKit's `handleJSONArgs`: the JSON array as it is, or the shell form as one string.
    fn command_line(&self, args: &[Token]) -> CommandLine {
        if self.node.json || args.is_empty() {
            return CommandLine { args: args.to_vec(), shell_form: !self.node.json };
        }
        if let [only] = args {
            return CommandLine { args: vec![only.clone()], shell_form: true };
        }
        let value = args.iter().map(|t| t.value.as_ref()).collect::<Vec<_>>().join(" ");
        let span = args[0].span.cover(args[args.len() - 1].span);
        CommandLine { args: vec![Token { value: value.into(), span }], shell_form: true }
    }

    fn lower(&mut self, keyword: Keyword) -> Kind {
        let name = keyword.name();
        match keyword {
            Keyword::From => self.from(),
            Keyword::Run => self.run(),
            Keyword::Cmd | Keyword::Entrypoint => {
                self.flags(&[]);
                let cmd = self.command_line(self.args());
                if keyword == Keyword::Cmd { Kind::Cmd(cmd) } else { Kind::Entrypoint(cmd) }
            }
            Keyword::Copy | Keyword::Add => self.copy_or_add(keyword),
            Keyword::Env | Keyword::Label => {
                self.flags(&[]);
                let node = self.node;
                let Args::Pairs(pairs) = &node.args else {
                    self.arity(false, format!("{name} requires at least one argument"));
                    return Kind::Invalid;
                };
                let mut out = Vec::new();
                for p in pairs {
                    if p.key.value.is_empty() {
                        self.error(
                            Code::InvalidArguments,
                            p.key.span.cover(p.value.span),
                            format!("{name} names can not be blank"),
                        );
                        return Kind::Invalid;
                    }
                    out.push(Pair { key: p.key.clone(), value: p.value.clone(), legacy: !p.equals });
                }
                if keyword == Keyword::Env { Kind::Env(out) } else { Kind::Label(out) }
            }
            Keyword::Arg => {
                // BuildKit never parses ARG's flags: they are silently ignored.
                let args = self.args();
                if !self.arity(!args.is_empty(), "ARG requires at least one argument".into()) {
                    return Kind::Invalid;
                }
                let mut defs = Vec::new();
                for word in args {
                    let def = match word.value.split_once('=') {
                        Some((key, value)) => {
                            if key.is_empty() {
                                self.error(Code::InvalidArguments, word.span, "ARG names can not be blank");
                                return Kind::Invalid;
                            }
                            let split = word.span.start as usize + key.len();
                            ArgDef {
                                name: Token { value: key.into(), span: Span::new(word.span.start as usize, split) },
                                default: Some(Token {
                                    value: value.into(),
                                    span: Span::new(split + 1, word.span.end as usize),
                                }),
                            }
                        }
                        None => ArgDef { name: word.clone(), default: None },
                    };
                    defs.push(def);
                }
                Kind::Arg(defs)
            }
            Keyword::Expose | Keyword::Volume => {
                let args = self.args();
                if !self.arity(!args.is_empty(), format!("{name} requires at least one argument")) {
                    return Kind::Invalid;
                }
                self.flags(&[]);
                let list = args.to_vec();
                if keyword == Keyword::Expose {
                    return Kind::Expose(list);
                }
                for v in &list {
                    if v.value.trim_matches(gostr::is_space).is_empty() {
                        self.error(Code::InvalidArguments, v.span, "VOLUME specified can not be an empty string");
                        return Kind::Invalid;
                    }
                }
                Kind::Volume(list)
            }
            Keyword::User | Keyword::Workdir | Keyword::Maintainer | Keyword::Stopsignal => {
                let args = self.args();
                if !self.arity(args.len() == 1, format!("{name} requires exactly one argument")) {
                    return Kind::Invalid;
                }
                // BuildKit never parses STOPSIGNAL's flags.
                if keyword != Keyword::Stopsignal {
                    self.flags(&[]);
                }
                let value = args[0].clone();
                match keyword {
                    Keyword::User => Kind::User(value),
                    Keyword::Workdir => Kind::Workdir(value),
                    Keyword::Maintainer => Kind::Maintainer(value),
                    _ => Kind::Stopsignal(value),
                }
            }
            Keyword::Shell => {
                self.flags(&[]);
                let args = self.args();
                if args.is_empty() {
                    self.arity(false, "SHELL requires at least one argument".into());
                    return Kind::Invalid;
                }
                if !self.node.json {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::ShellNotJson,
                            self.args_span(),
                            "SHELL requires the arguments to be in JSON form",
                        )
                        .with_help("write the shell as a JSON array, for example SHELL [\"/bin/bash\", \"-c\"]"),
                    );
                    return Kind::Invalid;
                }
                Kind::Shell(args.to_vec())
            }
            Keyword::Healthcheck => self.healthcheck(),
            Keyword::Onbuild => self.onbuild(),
        }
    }

    fn from(&mut self) -> Kind {
        let args = self.args();
        let (name, as_keyword) = if args.len() == 3 && gostr::equal_fold_ascii(&args[1].value, "as") {
            let lowered = gostr::to_lower(&args[2].value);
            let valid = lowered.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
                && lowered
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
            if !valid {
                self.error(
                    Code::InvalidStageName,
                    args[2].span,
                    format!(
                        "invalid name for build stage: {}, name can't start with a number or contain symbols",
                        gostr::quote(&args[2].value)
                    ),
                );
                return Kind::Invalid;
            }
            (Some(Token { value: lowered.into(), span: args[2].span }), Some(args[1].clone()))
        } else if args.len() != 1 {
            self.arity(false, "FROM requires either one or three arguments".into());
            return Kind::Invalid;
        } else {
            (None, None)
        };
        let flags = self.flags(Keyword::From.flags());
        Kind::From(From { image: args[0].clone(), name, as_keyword, platform: flags.string("platform") })
    }

    fn inline_files(&self) -> Vec<InlineFile> {
        self.node
            .heredocs
            .iter()
            .map(|h| InlineFile {
                name: h.name.clone(),
                content: h.content.clone(),
                expand: h.expand,
                chomp: h.chomp,
                span: h.marker_span.cover(h.terminator_span),
            })
            .collect()
    }

    fn run(&mut self) -> Kind {
        let flags = self.flags(Keyword::Run.flags());
        let command = self.command_line(self.args());
        let devices = flags.strings("device");
        for device in &devices {
            self.device(device);
        }
        let mut mounts = Vec::new();
        for m in flags.all("mount") {
            if let Some(mount) = mount::parse(&m.value, m.span, m.value_span, &mut self.diagnostics, &mut self.dispatch)
            {
                mounts.push(mount);
            }
        }
        let network = flags.get("network").map(|v| Token { value: v.value.as_str().into(), span: v.value_span });
        if let Some(n) = &network
            && !matches!(n.value.as_ref(), "default" | "none" | "host")
        {
            let span = n.span;
            self.error(Code::InvalidFlagValue, span, format!("invalid network mode {}", gostr::quote(&n.value)));
        }
        let security = flags.get("security").map(|v| Token { value: v.value.as_str().into(), span: v.value_span });
        if let Some(s) = &security
            && !matches!(s.value.as_ref(), "sandbox" | "insecure")
        {
            let span = s.span;
            self.error(Code::InvalidFlagValue, span, format!("security {} is not valid", gostr::quote(&s.value)));
        }
        Kind::Run(Run { command, files: self.inline_files(), mounts, network, security, devices })
    }

    /// `--device`: a CDI device name and an optional `required`.
    fn device(&mut self, device: &Token) {
        let value = device.value.as_ref();
        let mut name: Option<&str> = None;
        if value.trim_end_matches(['\r', '\n']).is_empty() {
            self.error(Code::InvalidFlagValue, device.span, "failed to parse csv devices: EOF");
            return;
        }
        for field in value.split(',') {
            match field.split_once('=') {
                None if field.eq_ignore_ascii_case("required") => {}
                None if name.is_none() => name = Some(field),
                None => {
                    self.error(
                        Code::InvalidFlagValue,
                        device.span,
                        format!("invalid field '{field}' must be a key=value pair"),
                    );
                    return;
                }
                Some((key, val)) => match key.to_ascii_lowercase().as_str() {
                    "name" => {
                        if let Some(existing) = name {
                            self.error(
                                Code::InvalidFlagValue,
                                device.span,
                                format!("device name already set to {existing}"),
                            );
                            return;
                        }
                        name = Some(val);
                    }
                    "required" => {
                        if goparse::parse_bool(val).is_none() {
                            self.error(
                                Code::InvalidFlagValue,
                                device.span,
                                format!("invalid value for required: {val}"),
                            );
                            return;
                        }
                    }
                    _ if name.is_none() => name = Some(field),
                    other => {
                        let message = suggest::with_suggestion(
                            format!("unexpected key '{other}' in '{field}'"),
                            other,
                            &["name", "required"],
                            true,
                        );
                        self.error(Code::InvalidFlagValue, device.span, message);
                        return;
                    }
                },
            }
        }
    }

    fn sources_and_dest(&mut self, keyword: Keyword) -> Option<(Vec<Source>, Token)> {
        let args = self.args();
        let (dest, sources) = args.split_last()?;
        if syntax::marker_word(&dest.value).is_some() {
            self.error(
                Code::HeredocNotAllowed,
                dest.span,
                format!("{} cannot accept a heredoc as a destination", keyword.name()),
            );
            return None;
        }
        let mut out = Vec::new();
        for src in sources {
            if let Some(marker) = syntax::marker_word(&src.value) {
                // The body of the last heredoc with that name; BuildKit keys them by name.
                let heredoc = self.node.heredocs.iter().rev().find(|h| h.name == marker.name);
                let raw = heredoc.map(|h| h.content.clone()).unwrap_or_default();
                let content = if marker.chomp { syntax::chomp_heredoc(&raw) } else { raw };
                let span = heredoc.map_or(src.span, |h| src.span.cover(h.terminator_span));
                out.push(Source::Heredoc(InlineFile {
                    name: marker.name,
                    content,
                    expand: marker.expand,
                    chomp: marker.chomp,
                    span,
                }));
            } else {
                out.push(Source::Path(src.clone()));
            }
        }
        Some((out, dest.clone()))
    }

    fn copy_or_add(&mut self, keyword: Keyword) -> Kind {
        let name = keyword.name();
        if !self.arity(
            self.args().len() >= 2,
            format!(
                "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
            ),
        ) {
            return Kind::Invalid;
        }
        let flags = self.flags(keyword.flags());
        let Some((sources, dest)) = self.sources_and_dest(keyword) else { return Kind::Invalid };
        if keyword == Keyword::Add {
            return Kind::Add(Add {
                sources,
                dest,
                chown: flags.string("chown"),
                chmod: flags.string("chmod"),
                link: flags.bool("link").unwrap_or(false),
                keep_git_dir: flags.bool("keep-git-dir"),
                checksum: flags.string("checksum"),
                unpack: flags.bool("unpack"),
                excludes: flags.strings("exclude"),
            });
        }
        let from = flags.string("from");
        if let Some(from) = &from {
            self.check_from(from);
        }
        Kind::Copy(Copy {
            sources,
            dest,
            from,
            chown: flags.string("chown"),
            chmod: flags.string("chmod"),
            link: flags.bool("link").unwrap_or(false),
            parents: flags.bool("parents").unwrap_or(false),
            excludes: flags.strings("exclude"),
        })
    }

    /// BuildKit's check on `COPY --from` (made for every stage): no variable expansion.
    fn check_from(&mut self, from: &Token) {
        match Lexer::new(self.escape).process_word(&from.value, &Env::new()) {
            Err(e) => self.error(Code::FromVariableExpansion, from.span, e.message),
            Ok(expanded) if *expanded != *from.value => self.diagnostics.push(
                Diagnostic::new(
                    Code::FromVariableExpansion,
                    from.span,
                    "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
                )
                .with_help("declare the ARG before the first FROM, add `FROM ${ARG} AS alias`, and COPY --from=alias"),
            ),
            Ok(_) => {}
        }
    }

    fn healthcheck(&mut self) -> Kind {
        let node = self.node;
        let Args::Health { kind, command } = &node.args else {
            self.arity(false, "HEALTHCHECK requires at least one argument".into());
            return Kind::Invalid;
        };
        let typ = gostr::to_upper(&kind.value);
        if typ == "NONE" {
            // BuildKit neither declares nor parses flags for NONE.
            if !command.is_empty() {
                let span = command[0].span.cover(command[command.len() - 1].span);
                self.error(Code::InvalidHealthcheck, span, "HEALTHCHECK NONE takes no arguments");
                return Kind::Invalid;
            }
            return Kind::Healthcheck(Healthcheck::None);
        }
        let flags = self.flags(Keyword::Healthcheck.flags());
        if typ != "CMD" {
            self.error(
                Code::InvalidHealthcheck,
                kind.span,
                format!("Unknown type {} in HEALTHCHECK (try CMD)", gostr::quote(&typ)),
            );
            return Kind::Invalid;
        }
        let cmd = self.command_line(command);
        if cmd.args.is_empty() {
            self.error(Code::InvalidHealthcheck, kind.span, "Missing command after HEALTHCHECK CMD");
            return Kind::Invalid;
        }
        let mut test = vec![if self.node.json { "CMD".to_string() } else { "CMD-SHELL".to_string() }];
        test.extend(cmd.args.iter().map(|t| t.value.to_string()));
        let duration = |this: &mut Self, name: &str| -> Option<i64> {
            let Some(v) = flags.get(name) else { return Some(0) };
            if v.value.is_empty() {
                return Some(0);
            }
            match goparse::parse_duration(&v.value) {
                Err(e) => {
                    this.error(Code::InvalidHealthcheck, v.value_span, e);
                    None
                }
                Ok(d) if d != 0 && d < 1_000_000 => {
                    this.error(
                        Code::InvalidHealthcheck,
                        v.value_span,
                        format!("Interval {} cannot be less than 1ms", gostr::quote(name)),
                    );
                    None
                }
                Ok(d) => Some(d),
            }
        };
        let (Some(interval), Some(timeout), Some(start_period), Some(start_interval)) = (
            duration(self, "interval"),
            duration(self, "timeout"),
            duration(self, "start-period"),
            duration(self, "start-interval"),
        ) else {
            return Kind::Invalid;
        };
        let retries = match flags.get("retries").filter(|v| !v.value.is_empty()) {
            None => 0,
            Some(v) => match goparse::parse_int(&v.value, 32) {
                Err(e) => {
                    self.error(Code::InvalidHealthcheck, v.value_span, e);
                    return Kind::Invalid;
                }
                Ok(r) if r < 0 => {
                    self.error(Code::InvalidHealthcheck, v.value_span, format!("--retries cannot be negative ({r})"));
                    return Kind::Invalid;
                }
                Ok(r) => r,
            },
        };
        Kind::Healthcheck(Healthcheck::Cmd {
            test,
            command: cmd,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        })
    }

    fn onbuild(&mut self) -> Kind {
        let node = self.node;
        let Some(sub) = node.sub() else {
            self.arity(false, "ONBUILD requires at least one argument".into());
            return Kind::Invalid;
        };
        self.flags(&[]);
        let trigger = gostr::to_upper(sub.keyword.value.trim_matches(gostr::is_space));
        match trigger.as_str() {
            "ONBUILD" => {
                self.error(
                    Code::InvalidOnbuildTrigger,
                    sub.keyword.span,
                    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                );
                return Kind::Invalid;
            }
            "MAINTAINER" | "FROM" => {
                self.error(
                    Code::InvalidOnbuildTrigger,
                    sub.keyword.span,
                    format!("{trigger} isn't allowed as an ONBUILD trigger"),
                );
                return Kind::Invalid;
            }
            _ => {}
        }
        // `(?i)^\s*ONBUILD\s*` removed from the original line, heredoc bodies appended.
        let original = self.node.original.trim_start_matches(is_re_space);
        let rest = original.get(..7).filter(|k| k.eq_ignore_ascii_case("onbuild")).map_or(original, |_| &original[7..]);
        let mut expression = rest.trim_start_matches(is_re_space).to_string();
        for h in &self.node.heredocs {
            expression.push('\n');
            expression.push_str(&h.content);
            expression.push_str(&h.name);
        }
        Kind::Onbuild(Onbuild { expression, trigger: sub.keyword.clone() })
    }
}

fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

#[cfg(test)]
mod tests;
