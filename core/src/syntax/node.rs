//! The syntax tree: BuildKit's `parser.Node`, with a byte span on every piece.

use crate::text::Span;

/// Immutable shared text of tokens.
pub type Text = std::sync::Arc<str>;

/// A piece of text from the Dockerfile with where it came from.
///
/// `value` is what BuildKit's parser makes of the text (quotes kept or removed as it does);
/// `span` covers the source bytes it was made from, across line continuations.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Token {
    /// Shared, so that the typed instructions and later layers hold the same text without
    /// copying it.
    pub value: Text,
    pub span: Span,
}

/// A parser directive from the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The key, lowercased (`syntax`, `escape` or `check`).
    pub name: String,
    pub value: String,
    /// The whole directive line.
    pub span: Span,
    pub name_span: Span,
    pub value_span: Span,
}

/// One `KEY=value` (or legacy `KEY value`) pair of `ENV` or `LABEL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Token,
    /// The value exactly as written: quotes and escapes are removed later, by expansion.
    pub value: Token,
    /// True for `key=value`, false for the legacy whitespace form.
    pub equals: bool,
}

/// How BuildKit's parser splits the arguments of an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Args {
    /// No argument nodes (`CMD` alone, or an unknown instruction).
    None,
    /// A list of argument nodes (most instructions).
    List(Vec<Token>),
    /// `ENV` and `LABEL`.
    Pairs(Vec<KeyValue>),
    /// `HEALTHCHECK`: the type word (`CMD`, `NONE`, ...) and what follows it.
    Health { kind: Token, command: Vec<Token> },
    /// `ONBUILD`: the trigger instruction.
    Sub(Box<Node>),
}

/// A heredoc attached to an instruction (`RUN <<EOF`, `COPY <<EOF /file`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter with quotes removed.
    pub name: String,
    /// The file descriptor before `<<` (`3<<EOF`), 0 when absent.
    pub file_descriptor: u64,
    /// False when any part of the delimiter was quoted: the body is then not expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the body when it is used.
    pub chomp: bool,
    /// The body exactly as in the file, line endings included, without the delimiter line.
    pub content: String,
    /// The `<<EOF` word in the instruction line.
    pub marker_span: Span,
    /// The body lines.
    pub content_span: Span,
    /// The closing delimiter line; empty at the end of the file when it is missing.
    pub terminator_span: Span,
}

/// One instruction, as BuildKit's parser sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The keyword as written (BuildKit keeps its case; `cmd()` gives it lowercased).
    pub keyword: Token,
    /// Leading `--flags`, with quotes removed as BuildKit's `extractBuilderFlags` does.
    pub flags: Vec<Token>,
    pub args: Args,
    /// The arguments were a JSON array.
    pub json: bool,
    /// BuildKit's `Node.Original`: the logical line, continuations joined.
    pub original: String,
    pub heredocs: Vec<Heredoc>,
    /// The whole instruction: keyword to end of the last line, heredoc bodies included.
    pub span: Span,
    /// 1-based first and last physical line, as BuildKit reports them.
    pub start_line: u32,
    pub end_line: u32,
    /// Comment lines directly above the instruction: the text after `#`, trimmed (BuildKit's
    /// `PrevComment`, which gives stage and argument descriptions).
    pub comments: Vec<Span>,
    /// BuildKit's parser rejects this line; a diagnostic says why.
    pub invalid: bool,
}

impl Node {
    /// The keyword lowercased, the way BuildKit dispatches on it.
    #[must_use]
    pub fn cmd(&self) -> String {
        crate::gostr::to_lower(&self.keyword.value)
    }

    /// The instruction's argument values in BuildKit's node order (for `ENV`: key, value,
    /// separator triples; for `HEALTHCHECK`: the type, then the command).
    #[must_use]
    pub fn values(&self) -> Vec<&str> {
        match &self.args {
            Args::None | Args::Sub(_) => Vec::new(),
            Args::List(list) => list.iter().map(|t| t.value.as_ref()).collect(),
            Args::Pairs(pairs) => pairs
                .iter()
                .flat_map(|p| [p.key.value.as_ref(), p.value.value.as_ref(), if p.equals { "=" } else { "" }])
                .collect(),
            Args::Health { kind, command } => {
                std::iter::once(kind.value.as_ref()).chain(command.iter().map(|t| t.value.as_ref())).collect()
            }
        }
    }

    /// The trigger of an `ONBUILD`.
    #[must_use]
    pub fn sub(&self) -> Option<&Node> {
        match &self.args {
            Args::Sub(node) => Some(node),
            _ => None,
        }
    }

    /// The argument tokens in node order, with the span of each.
    #[must_use]
    pub fn arg_tokens(&self) -> Vec<&Token> {
        match &self.args {
            Args::None | Args::Sub(_) => Vec::new(),
            Args::List(list) => list.iter().collect(),
            Args::Pairs(pairs) => pairs.iter().flat_map(|p| [&p.key, &p.value]).collect(),
            Args::Health { kind, command } => std::iter::once(kind).chain(command.iter()).collect(),
        }
    }
}
