//! The syntax tree of a shell script (POSIX XCU 2.10, plus the bash forms Dockerfiles use).
//!
//! Every node carries a [`Span`]: byte offsets into the script text that was parsed. Words are
//! lists of parts, so that quoting survives until expansion: the interpreter needs to know
//! which `*` was quoted and which `$x` was inside double quotes.

use crate::text::Span;

/// Which shell's grammar to accept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// POSIX sh as dash and busybox ash accept it.
    #[default]
    Posix,
    /// bash: adds `[[ ]]`, `(( ))`, `$'...'`, `&>`, `<<<`, `;&`, `;;&`, `function name`, and
    /// `a=(x y)` arrays.
    Bash,
}

/// A list of complete commands (a whole script, a `$(...)` body, a compound command's body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    pub items: Vec<Item>,
    pub span: Span,
}

/// An and-or list with its terminator: `a && b;` or `a &` (asynchronous).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub and_or: AndOr,
    /// Ended by `&`: run asynchronously.
    pub background: bool,
    pub span: Span,
}

/// `pipeline (&& | ||) pipeline ...`, evaluated left to right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// `[!] command | command ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub bang: bool,
    pub commands: Vec<Command>,
    pub span: Span,
}

/// One command with the redirections that apply to it (for a compound command, those after
/// its closing word).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub kind: CommandKind,
    pub redirects: Vec<Redirect>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandKind {
    /// Assignments and words (the redirections are in [`Command::redirects`]).
    Simple { assignments: Vec<Assignment>, words: Vec<Word> },
    /// `{ list; }`
    Brace(Script),
    /// `( list )`
    Subshell(Script),
    /// `if list then list [elif list then list]... [else list] fi`
    If { branches: Vec<(Script, Script)>, otherwise: Option<Script> },
    /// `for name [in word...]; do list done`; `words` is `None` without `in` (the positional
    /// parameters).
    For { name: Name, words: Option<Vec<Word>>, body: Script },
    /// `while list do list done`, or `until` when `until` is set.
    While { until: bool, condition: Script, body: Script },
    /// `case word in pattern) list ;; ... esac`
    Case { word: Word, arms: Vec<CaseArm> },
    /// `name() compound-command` (or bash's `function name`).
    Function { name: Name, body: Box<Command> },
    /// bash `[[ ... ]]`: its words, operators included, kept as words.
    Test(Vec<Word>),
    /// bash `(( expression ))`: the expression text (evaluated later).
    Arithmetic(String),
    /// Text that could not be parsed (a diagnostic says why).
    Error,
}

/// A name with its span (`for NAME`, `NAME()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseArm {
    pub patterns: Vec<Word>,
    pub body: Script,
    /// How the arm ends: `;;`, bash's `;&` and `;;&`, or nothing before `esac`.
    pub end: ArmEnd,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmEnd {
    Break,
    FallThrough,
    Continue,
    None,
}

/// `NAME=value`, or bash's `NAME=(a b c)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: Name,
    pub value: AssignValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignValue {
    Word(Word),
    Array(Vec<Word>),
}

/// `[n]op target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The io number (`2>`), when written.
    pub fd: Option<u32>,
    pub op: RedirectOp,
    pub target: RedirectTarget,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectOp {
    /// `<`
    Input,
    /// `>`
    Output,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    ReadWrite,
    /// `<&`
    DupInput,
    /// `>&`
    DupOutput,
    /// bash `&>`: standard output and error.
    OutputAll,
    /// bash `&>>`
    AppendAll,
    /// `<<`
    HereDoc,
    /// `<<-`: leading tabs stripped from the body and the delimiter line.
    HereDocStrip,
    /// bash `<<<word`: the word and a newline as standard input.
    HereString,
}

impl RedirectOp {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Input => "<",
            Self::Output => ">",
            Self::Append => ">>",
            Self::Clobber => ">|",
            Self::ReadWrite => "<>",
            Self::DupInput => "<&",
            Self::DupOutput => ">&",
            Self::OutputAll => "&>",
            Self::AppendAll => "&>>",
            Self::HereDoc => "<<",
            Self::HereDocStrip => "<<-",
            Self::HereString => "<<<",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectTarget {
    Word(Word),
    HereDoc(HereDoc),
}

/// A here-document: the delimiter word and the body read from the lines after the operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HereDoc {
    /// The delimiter with quotes removed.
    pub delimiter: String,
    /// The delimiter word as written.
    pub delimiter_span: Span,
    /// Part of the delimiter was quoted: the body is taken literally, with no expansion.
    pub quoted: bool,
    /// The body. Quoted: literal parts (one per line after tab stripping). Unquoted: parsed as
    /// inside double quotes (`$`, backquotes and `\` before `$`, `` ` ``, `\` or a newline).
    pub body: Word,
    /// The delimiter line; empty at the end of the text when it is missing.
    pub end_span: Span,
}

/// A word: its parts in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<Part>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub kind: PartKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// Text as written, line continuations removed.
    Literal(String),
    /// `'...'`: the text between the quotes.
    SingleQuoted(String),
    /// `"..."`: its parts (literals, escapes, expansions).
    DoubleQuoted(Vec<Part>),
    /// `\c`: the escaped character.
    Escaped(char),
    /// `$name`, `${...}`.
    Param(Box<Param>),
    /// `$(...)`.
    CommandSub(Script),
    /// `` `...` ``. Spans inside are exact when the text holds no backslash; otherwise they
    /// point into the text with the backquote escapes removed, shifted to the opening quote.
    Backquote(Script),
    /// `$((...))`: the expression text (evaluated later).
    Arithmetic(String),
    /// An unquoted `*`, `?` or bracket expression `[...]`, for pathname expansion.
    Glob(String),
    /// bash `$'...'`: the text between the quotes, escapes not yet decoded.
    AnsiC(String),
}

/// A parameter expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// A name, a positional parameter (`1`, `10`) or a special one (`@ * # ? $ ! - 0`).
    pub name: String,
    /// Written with braces.
    pub braced: bool,
    /// `${#name}`: the length.
    pub length: bool,
    /// bash `${!name}`: indirection.
    pub indirect: bool,
    /// bash `${name[sub]}`: the subscript text.
    pub subscript: Option<String>,
    pub op: Option<ParamOp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamOp {
    /// `-` / `:-`
    Default { colon: bool, word: Word },
    /// `=` / `:=`
    Assign { colon: bool, word: Word },
    /// `?` / `:?`
    Error { colon: bool, word: Word },
    /// `+` / `:+`
    Alternative { colon: bool, word: Word },
    /// `#`
    RemoveSmallestPrefix(Word),
    /// `##`
    RemoveLargestPrefix(Word),
    /// `%`
    RemoveSmallestSuffix(Word),
    /// `%%`
    RemoveLargestSuffix(Word),
    /// bash `/p/r`, `//p/r`, `/#p/r`, `/%p/r`: `op` is the operator as written.
    Replace { op: String, pattern: Word, replacement: Option<Word> },
    /// bash `:offset[:length]`: the text after the colon.
    Substring(String),
    /// bash `^`, `^^`, `,`, `,,` with an optional pattern.
    Case { op: String, pattern: Word },
}
