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
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    #[must_use]
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self { code, severity: code.severity(), message: message.into(), span, help: None }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
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
