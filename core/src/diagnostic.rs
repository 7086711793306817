//! The one diagnostic type, and the catalogue of every code the core can report.
//!
//! Every diagnostic carries a byte span into the parsed text; lines and columns are computed
//! at the edges (see [`crate::text::LineIndex`]). Messages use BuildKit's wording wherever
//! BuildKit has one, so that a user can search for them.

use serde::Serialize;

use crate::text::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident => $severity:ident, )*) => {
        /// Every diagnostic code. The name is what `check --format json` prints as `code`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $( Code::$name => stringify!($name), )* }
            }

            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $( Code::$name => Severity::$severity, )* }
            }

            /// One sentence on what the code means, from its doc comment.
            #[must_use]
            pub fn summary(self) -> &'static str {
                match self { $( Code::$name => concat!($($doc),*).trim_ascii(), )* }
            }
        }
    };
}

codes! {
    // --- syntax layer (BuildKit's `parser` package) ---
    /// The file is not valid UTF-8; invalid bytes were replaced by U+FFFD before parsing.
    InvalidUtf8 => Warning,
    /// A parser directive (`syntax`, `escape`, `check`) appears twice at the top of the file.
    DuplicateDirective => Error,
    /// The `escape` directive names something other than a backslash or a backtick.
    InvalidEscapeToken => Error,
    /// A physical line is longer than BuildKit's scanner accepts (65535 bytes).
    LineTooLong => Error,
    /// The file holds no instruction at all.
    NoInstructions => Error,
    /// An `ENV` or `LABEL` line is neither `key=value ...` nor the legacy `KEY value`.
    InvalidKeyValue => Error,
    /// A JSON array holds something other than strings.
    JsonNotStringArray => Error,
    /// A heredoc is never closed by its delimiter line.
    UnterminatedHeredoc => Error,
    /// A heredoc delimiter word cannot be lexed.
    InvalidHeredoc => Error,
    /// An empty line inside a continuation (BuildKit's `NoEmptyContinuation` build check).
    NoEmptyContinuation => Warning,

    // --- instruction layer (BuildKit's `instructions` package) ---
    /// The keyword is not one of the 18 Dockerfile instructions.
    UnknownInstruction => Error,
    /// An instruction before the first `FROM` that is not an `ARG`.
    InstructionBeforeFrom => Error,
    /// The Dockerfile has no `FROM`, so there is no stage to build.
    NoStages => Error,
    /// A flag that the instruction does not accept.
    UnknownFlag => Error,
    /// A flag given twice where only repeatable flags may be.
    DuplicateFlag => Error,
    /// A flag whose value is missing or malformed.
    InvalidFlagValue => Error,
    /// The instruction has too few or too many arguments.
    InvalidArguments => Error,
    /// A `FROM ... AS name` stage name that BuildKit rejects.
    InvalidStageName => Error,
    /// An `ONBUILD` trigger that BuildKit forbids (`ONBUILD`, `FROM`, `MAINTAINER`).
    InvalidOnbuildTrigger => Error,
    /// A malformed `HEALTHCHECK`.
    InvalidHealthcheck => Error,
    /// `SHELL` written in shell form; it must be a JSON array.
    ShellNotJson => Error,
    /// A malformed `RUN --mount`.
    InvalidMount => Error,
    /// A heredoc where the instruction cannot take one (for example as a COPY destination).
    HeredocNotAllowed => Error,
    /// A `COPY --from` or `RUN --mount from=` value that uses variable expansion.
    FromVariableExpansion => Error,

    // --- plan layer (BuildKit's `dockerfile2llb` up to dispatch) ---
    /// `--target` names no stage.
    UnknownTarget => Error,
    /// A FROM base that is blank after expansion, or cannot be expanded.
    InvalidBase => Error,
    /// A `--platform` that cannot be expanded or parsed.
    InvalidPlatform => Error,
    /// `COPY --from=N` with an index out of range.
    InvalidStageReference => Error,
    /// Stages that depend on each other in a cycle.
    CircularDependency => Error,
    /// A built stage reads from a stage defined after it.
    ForwardStageReference => Error,
    /// A word BuildKit cannot expand (`${VAR:?message}` unset, bad substitution, ...).
    ExpansionError => Error,
    /// An instruction BuildKit refuses when it builds the stage (a bad `EXPOSE` port, an
    /// unknown `STOPSIGNAL`, an empty `VOLUME`, ...).
    InvalidInstruction => Error,
    /// A `# check=` directive or `BUILDKIT_DOCKERFILE_CHECK` value BuildKit cannot parse.
    InvalidCheckOption => Error,
    /// `# check=error=true`: the build fails because build checks found something.
    LintViolation => Error,
    /// A `.dockerignore` pattern Docker cannot use.
    InvalidDockerignore => Error,

    // --- shell (the scripts RUN gives to /bin/sh or bash) ---
    /// A shell script that dash or bash would reject before running it (`syntax error:
    /// unexpected "fi"`, an unterminated quoted string, nesting too deep).
    ShellSyntax => Error,
    /// A here-document whose delimiter line never comes: bash warns and ends it at the end of
    /// the script.
    ShellHereDocAtEof => Warning,

    // --- simulation ---
    /// A step a real build would fail (a missing COPY source, an unknown `--chown` user, ...).
    SimulationError => Error,
    /// Something the simulation cannot know (a base image outside the catalog, RUN until the
    /// shell lands, an ADD of a URL): the result is marked opaque or modeled.
    SimulationGap => Info,
    /// A remark about what the simulation did (a wildcard that matched nothing).
    SimulationNote => Info,

    // --- builders (what a real build through the Docker daemon can run) ---
    /// A line the classic builder (Docker's builder without BuildKit) does not understand: a
    /// heredoc, `RUN --mount`, `COPY --chmod`, ...
    NeedsBuildKit => Error,

    // --- build checks (BuildKit's linter rules, by their names; see `lint::rules`) ---
    /// A stage name that is not lowercase.
    StageNameCasing => Warning,
    /// The `AS` keyword's case differs from the `FROM` keyword's.
    FromAsCasing => Warning,
    /// An instruction keyword cased differently from the file's majority.
    ConsistentInstructionCasing => Warning,
    /// Two stages with the same name.
    DuplicateStageName => Warning,
    /// A stage named `scratch` or `context`.
    ReservedStageName => Warning,
    /// A shell-form `CMD` or `ENTRYPOINT`.
    JSONArgsRecommended => Warning,
    /// `MAINTAINER` instead of a label.
    MaintainerDeprecated => Warning,
    /// A FROM line uses an ARG that no global `ARG` declares.
    UndefinedArgInFrom => Warning,
    /// The first `WORKDIR` of a stage is relative.
    WorkdirRelativePath => Warning,
    /// A variable used before anything defines it.
    UndefinedVar => Warning,
    /// More than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in a stage.
    MultipleInstructionsDisallowed => Warning,
    /// `ENV key value` or `LABEL key value` instead of `key=value`.
    LegacyKeyValueFormat => Warning,
    /// The base image's platform is not the platform the build asks for.
    InvalidBaseImagePlatform => Warning,
    /// `FROM --platform=$TARGETPLATFORM`, which is the default anyway.
    RedundantTargetPlatform => Warning,
    /// An `ARG` or `ENV` whose name suggests a secret.
    SecretsUsedInArgOrEnv => Warning,
    /// With only the global ARGs' defaults, a FROM line names no valid image.
    InvalidDefaultArgInFrom => Warning,
    /// `FROM --platform=` with a constant value.
    FromPlatformFlagConstDisallowed => Warning,
    /// A `COPY` or `ADD` source that `.dockerignore` excludes.
    CopyIgnoredFile => Warning,
    /// A comment above `FROM ... AS name` or `ARG name` that is not `# name description`.
    InvalidDefinitionDescription => Warning,
    /// An `EXPOSE` protocol that is not lowercase.
    ExposeProtoCasing => Warning,
    /// An `EXPOSE` with an IP address or a host-port mapping.
    ExposeInvalidFormat => Warning,
}

/// A code serialises as its name (`"UndefinedVar"`).
impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A secondary location of a diagnostic: another place that takes part in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A finding about the Dockerfile, with the exact span it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// What to do about it, when there is something useful to say.
    pub help: Option<String>,
    /// Other places that take part (the rest of a dependency cycle, the comment a check is
    /// about, ...).
    pub related: Vec<Label>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    #[must_use]
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self { code, severity: code.severity(), message: message.into(), span, help: None, related: Vec::new() }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label { span, message: message.into() });
        self
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_summary_and_unique_name() {
        let mut names = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(!code.summary().is_empty(), "{code:?} has no doc comment");
            assert!(names.insert(code.name()), "{} is listed twice", code.name());
        }
    }
}
