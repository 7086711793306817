//! The parser: POSIX "Shell Command Language" (XCU 2.10 grammar), recursive descent over the
//! bytes of the script, with nom for the operator tokens.
//!
//! The lexer is not a separate pass: as in dash and bash, what a character means depends on
//! where the parser is (a `)` ends a `case` pattern, a `$(...)` body is parsed to find its end,
//! reserved words are recognised only in command position). Every function documents the
//! grammar rule it parses.
//!
//! Errors never stop the parse. A rule that cannot go on returns a [`Fail`]; the nearest list
//! records it as a diagnostic, skips to the next newline or `;` at the same nesting level and
//! leaves an error command covering what it skipped. Recursion is bounded by [`MAX_DEPTH`]:
//! deeper nesting is reported once and the rest of the text is given up.

use nom::{IResult, Parser as _, branch::alt, bytes::complete::tag, combinator::value};

use super::ast::{
    AndOr, ArmEnd, AssignValue, Assignment, CaseArm, Command, CommandKind, Connector, Dialect, HereDoc, Item, Name,
    Param, ParamOp, Part, PartKind, Pipeline, Redirect, RedirectOp, RedirectTarget, Script, Word,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::text::Span;

/// Deepest nesting of compound commands, substitutions, quotes and expansions.
pub const MAX_DEPTH: usize = 100;

/// A rule that could not go on: where, and the message (`None` when already reported).
#[derive(Debug)]
pub(crate) struct Fail {
    span: Span,
    message: Option<String>,
}

/// Control operators (XCU 2.10.1 `AND_IF`, `OR_IF`, `DSEMI`, ...), newline included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    AndIf,
    OrIf,
    DSemiAmp,
    DSemi,
    SemiAmp,
    Semi,
    Amp,
    Pipe,
    LParen,
    RParen,
    Newline,
}

/// `control_operator`: the longest control operator at the start of `input`.
fn control_op(input: &str) -> IResult<&str, Op> {
    alt((
        value(Op::AndIf, tag("&&")),
        value(Op::OrIf, tag("||")),
        value(Op::DSemiAmp, tag(";;&")),
        value(Op::DSemi, tag(";;")),
        value(Op::SemiAmp, tag(";&")),
        value(Op::Semi, tag(";")),
        value(Op::Amp, tag("&")),
        value(Op::Pipe, tag("|")),
        value(Op::LParen, tag("(")),
        value(Op::RParen, tag(")")),
        value(Op::Newline, tag("\n")),
    ))
    .parse(input)
}

/// `redirection operator`: `<<-`, `<<<` (bash), `<<`, `<&`, `<>`, `<`, `>>`, `>&`, `>|`, `>`,
/// and bash's `&>>`, `&>`.
fn redirect_op(input: &str) -> IResult<&str, RedirectOp> {
    alt((
        value(RedirectOp::HereDocStrip, tag("<<-")),
        value(RedirectOp::HereString, tag("<<<")),
        value(RedirectOp::HereDoc, tag("<<")),
        value(RedirectOp::DupInput, tag("<&")),
        value(RedirectOp::ReadWrite, tag("<>")),
        value(RedirectOp::Input, tag("<")),
        value(RedirectOp::Append, tag(">>")),
        value(RedirectOp::DupOutput, tag(">&")),
        value(RedirectOp::Clobber, tag(">|")),
        value(RedirectOp::Output, tag(">")),
        value(RedirectOp::AppendAll, tag("&>>")),
        value(RedirectOp::OutputAll, tag("&>")),
    ))
    .parse(input)
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::AndIf => "&&",
            Op::OrIf => "||",
            Op::DSemiAmp => ";;&",
            Op::DSemi => ";;",
            Op::SemiAmp => ";&",
            Op::Semi => ";",
            Op::Amp => "&",
            Op::Pipe => "|",
            Op::LParen => "(",
            Op::RParen => ")",
            Op::Newline => "newline",
        }
    }
}

/// Reserved words (XCU 2.4), plus bash's `[[` and `function`.
const KEYWORDS: &[&str] =
    &["if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "{", "}", "!"];

/// Reserved words that end a list: they close the construct that holds it.
const CLOSERS: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

fn is_meta(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')')
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// How a word ends and what is special inside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordMode {
    /// A command word: ends at a blank or an operator.
    Normal,
    /// The word of `${name op word}`: ends at `}` (or at `/` for a bash replacement pattern);
    /// blanks and operators are literal. Inside double quotes, `'` is literal and globs are
    /// not marked.
    Param { in_dq: bool, stop_slash: bool },
}

struct PendingHereDoc {
    delimiter: String,
    quoted: bool,
    strip: bool,
    key: u32,
    word_span: Span,
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    pos: usize,
    end: usize,
    /// Added to every span (backquote bodies parsed from an unescaped copy).
    base: usize,
    dialect: Dialect,
    depth: usize,
    aborted: bool,
    eof_reported: bool,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pending: Vec<PendingHereDoc>,
    /// Here-document bodies by the start of their delimiter word.
    bodies: super::heredoc::Bodies,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str, dialect: Dialect) -> Self {
        Self {
            src,
            pos: 0,
            end: src.len(),
            base: 0,
            dialect,
            depth: 0,
            aborted: false,
            eof_reported: false,
            diagnostics: Vec::new(),
            pending: Vec::new(),
            bodies: Vec::new(),
        }
    }

    /// `program : linebreak complete_commands linebreak`: the whole text.
    pub(crate) fn program(&mut self) -> Script {
        let mut script = self.list(false);
        self.heredocs_at_eof();
        if !self.bodies.is_empty() {
            let mut bodies = std::mem::take(&mut self.bodies);
            crate::sort::sort_by_key(&mut bodies, |(k, _)| *k);
            super::heredoc::attach(&mut script, &mut bodies);
        }
        script
    }

    // --- characters -------------------------------------------------------------------------

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    fn peek(&self) -> Option<u8> {
        if self.aborted || self.pos >= self.end { None } else { Some(self.src.as_bytes()[self.pos]) }
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        let i = self.pos + offset;
        if self.aborted || i >= self.end { None } else { Some(self.src.as_bytes()[i]) }
    }

    fn at_end(&self) -> bool {
        self.peek().is_none()
    }

    fn rest(&self) -> &'a str {
        if self.aborted { "" } else { self.src.get(self.pos..self.end).unwrap_or("") }
    }

    /// The char at the cursor (the text is UTF-8; the cursor is always on a boundary).
    fn next_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Blanks, line continuations (`\` newline) and a comment up to (not including) its newline.
    fn blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    let rest = self.rest();
                    self.pos += rest.find('\n').unwrap_or(rest.len());
                }
                _ => return,
            }
        }
    }

    /// `linebreak : newline_list | (empty)`: blanks, comments and newlines; here-document
    /// bodies are read after each newline.
    fn linebreak(&mut self) {
        loop {
            self.blanks();
            if self.peek() == Some(b'\n') {
                self.pos += 1;
                self.read_heredocs();
            } else {
                return;
            }
        }
    }

    fn peek_op(&self) -> Option<Op> {
        if !matches!(self.peek(), Some(b'&' | b'|' | b';' | b'(' | b')' | b'\n')) {
            return None;
        }
        control_op(self.rest()).ok().map(|(_, op)| op)
    }

    /// The reserved word at the cursor, if the text there is one followed by a delimiter.
    fn peek_keyword(&self) -> Option<&'static str> {
        let rest = self.rest();
        let bash: &[&'static str] = if self.dialect == Dialect::Bash { &["[[", "function"] } else { &[] };
        KEYWORDS
            .iter()
            .chain(bash)
            .copied()
            .find(|k| rest.starts_with(k) && rest.as_bytes().get(k.len()).is_none_or(|&b| is_meta(b)))
    }

    /// The text of the token at the cursor, for messages.
    fn token_text(&self) -> String {
        if self.at_end() {
            return "end of file".into();
        }
        if let Some(op) = self.peek_op() {
            return op.text().into();
        }
        if let Ok((rest, _)) = redirect_op(self.rest()) {
            return self.rest()[..self.rest().len() - rest.len()].into();
        }
        let rest = self.rest();
        let n = rest.bytes().position(is_meta).unwrap_or(rest.len());
        rest[..n].chars().take(40).collect()
    }

    /// `syntax error: unexpected "X"`, with what was expected.
    fn unexpected(&self, expecting: Option<&str>) -> Fail {
        let token = self.token_text();
        let mut message = if self.at_end() {
            "syntax error: unexpected end of file".to_string()
        } else if token == "newline" {
            "syntax error: unexpected newline".to_string()
        } else {
            format!("syntax error: unexpected \"{token}\"")
        };
        if let Some(e) = expecting {
            message = format!("{message} (expecting \"{e}\")");
        }
        let len = if self.at_end() || token == "newline" { usize::from(token == "newline") } else { token.len() };
        Fail { span: self.span(self.pos, (self.pos + len).min(self.end)), message: Some(message) }
    }

    fn fail(&self, start: usize, message: impl Into<String>) -> Fail {
        Fail { span: self.span(start, self.pos.max(start)), message: Some(message.into()) }
    }

    fn record(&mut self, fail: Fail) {
        let Some(message) = fail.message else { return };
        let at_eof = fail.span.start as usize >= self.base + self.end || message.contains("end of file");
        if at_eof && self.eof_reported {
            return;
        }
        self.eof_reported |= at_eof;
        self.diagnostics.push(Diagnostic::new(Code::ShellSyntax, fail.span, message));
    }

    /// One level deeper; past [`MAX_DEPTH`] the rest of the text is given up.
    fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth <= MAX_DEPTH {
            return Ok(());
        }
        let at = self.pos;
        if !self.aborted {
            self.diagnostics.push(Diagnostic::new(
                Code::ShellSyntax,
                self.span(at, self.end),
                format!("syntax error: nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.aborted = true;
        self.pos = self.end;
        Err(Fail { span: self.span(at, self.end), message: None })
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), Fail> {
        self.blanks();
        if self.peek_keyword() == Some(keyword) {
            self.pos += keyword.len();
            Ok(())
        } else {
            Err(self.unexpected(Some(keyword)))
        }
    }

    /// After a syntax error in the item that starts at `item_start`: skip to the first newline
    /// or `;` past the error at the item's nesting level (quotes, parentheses, and the reserved
    /// words `if`/`fi`, `case`/`esac`, `for`/`while`/`until`/`done`, `{`/`}` balanced from the
    /// item's start), always past the offending token. Returns where the error node ends.
    fn recover(&mut self, item_start: usize, nested: bool) -> usize {
        let error_at = self.pos;
        if self.aborted {
            return error_at.min(self.end);
        }
        let token_len = match self.peek() {
            None | Some(b'\n') => 0,
            _ => self.token_text().len().max(1),
        };
        let token_end = (error_at + token_len).min(self.end);
        let bytes = self.src.as_bytes();
        let mut i = item_start;
        let mut depth = 0usize;
        let mut word_start = true;
        while i < self.end {
            let b = bytes[i];
            let past = i >= token_end;
            if word_start && !is_meta(b) {
                let rest = &self.src[i..self.end];
                let keyword = ["if", "case", "for", "while", "until", "{", "fi", "esac", "done", "}"]
                    .into_iter()
                    .find(|k| rest.starts_with(k) && rest.as_bytes().get(k.len()).is_none_or(|&b| is_meta(b)));
                match keyword {
                    Some(k @ ("if" | "case" | "for" | "while" | "until" | "{")) => {
                        depth += 1;
                        i += k.len();
                        continue;
                    }
                    Some(k) => {
                        depth = depth.saturating_sub(1);
                        i += k.len();
                        continue;
                    }
                    None => {}
                }
            }
            word_start = is_meta(b);
            match b {
                b'\\' => i += 1,
                b'\'' | b'"' | b'`' => {
                    i += 1;
                    while i < self.end && bytes[i] != b {
                        if bytes[i] == b'\\' && b != b'\'' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b')' if nested && past => {
                    self.pos = i;
                    return i;
                }
                b'\n' if depth == 0 && past => {
                    self.pos = i;
                    return i;
                }
                b';' if depth == 0 && past => {
                    self.pos = i + 1;
                    return i;
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = self.end;
        self.end
    }

    // --- lists ------------------------------------------------------------------------------

    /// `compound_list : linebreak term [separator]` and `complete_commands`: and-or lists
    /// separated by `;`, `&` or newlines. A nested list ends before `)`, `;;` or a closing
    /// reserved word, which its construct then checks.
    /// `compound_list` where the grammar needs at least one command (`if`, `while`, `for`,
    /// `{ }`, `( )` bodies): dash and bash reject an empty one at the token that follows
    /// (`if then` is `"then" unexpected`).
    fn compound_list(&mut self) -> Result<Script, Fail> {
        let list = self.list(true);
        if list.items.is_empty() {
            self.blanks();
            return Err(self.unexpected(None));
        }
        Ok(list)
    }

    fn list(&mut self, nested: bool) -> Script {
        let start = self.pos;
        let mut items = Vec::new();
        loop {
            self.linebreak();
            if self.at_end() || (nested && self.ends_list()) {
                break;
            }
            let item_start = self.pos;
            match self.and_or() {
                Ok(and_or) => {
                    self.blanks();
                    let mut background = false;
                    let mut separator_error = false;
                    match self.peek_op() {
                        Some(Op::Semi) => self.pos += 1,
                        Some(Op::Amp) => {
                            self.pos += 1;
                            background = true;
                        }
                        None if self.at_end() => {}
                        Some(Op::Newline) => {}
                        _ if nested && self.ends_list() => {}
                        _ => separator_error = true,
                    }
                    let span = self.span(item_start, self.pos);
                    items.push(Item { and_or, background, span });
                    if separator_error {
                        let at = self.pos;
                        let fail = self.unexpected(None);
                        self.record(fail);
                        let end = self.recover(at, nested);
                        items.push(self.error_item(at, end));
                    }
                }
                Err(fail) => {
                    self.record(fail);
                    let end = self.recover(item_start, nested);
                    items.push(self.error_item(item_start, end));
                }
            }
        }
        let end = items.last().map_or(start, |i: &Item| i.span.end as usize - self.base);
        Script { items, span: self.span(start, end.max(start)) }
    }

    /// Whether the token at the cursor ends a nested list.
    fn ends_list(&self) -> bool {
        matches!(self.peek_op(), Some(Op::RParen | Op::DSemi | Op::DSemiAmp | Op::SemiAmp))
            || self.peek_keyword().is_some_and(|k| CLOSERS.contains(&k))
    }

    fn error_item(&self, start: usize, end: usize) -> Item {
        let mut end = end.max(start);
        while end > start && matches!(self.src.as_bytes()[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        let span = self.span(start, end);
        let command = Command { kind: CommandKind::Error, redirects: Vec::new(), span };
        let pipeline = Pipeline { bang: false, commands: vec![command], span };
        Item { and_or: AndOr { first: pipeline, rest: Vec::new(), span }, background: false, span }
    }

    /// `and_or : pipeline | and_or (AND_IF | OR_IF) linebreak pipeline`.
    fn and_or(&mut self) -> Result<AndOr, Fail> {
        let start = self.pos;
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            self.blanks();
            let connector = match self.peek_op() {
                Some(Op::AndIf) => Connector::And,
                Some(Op::OrIf) => Connector::Or,
                _ => break,
            };
            self.pos += 2;
            self.linebreak();
            rest.push((connector, self.pipeline()?));
        }
        let end = rest.last().map_or(first.span.end, |(_, p)| p.span.end);
        Ok(AndOr { first, rest, span: Span::new(self.base + start, end as usize) })
    }

    /// `pipeline : [Bang] pipe_sequence`, `pipe_sequence : command | pipe_sequence '|'
    /// linebreak command`.
    fn pipeline(&mut self) -> Result<Pipeline, Fail> {
        self.blanks();
        let start = self.pos;
        let bang = self.peek_keyword() == Some("!");
        if bang {
            self.pos += 1;
        }
        let mut commands = vec![self.command()?];
        loop {
            self.blanks();
            if self.peek_op() != Some(Op::Pipe) {
                break;
            }
            self.pos += 1;
            self.linebreak();
            commands.push(self.command()?);
        }
        let end = commands.last().map_or(start, |c| c.span.end as usize - self.base);
        Ok(Pipeline { bang, commands, span: self.span(start, end) })
    }

    // --- commands ---------------------------------------------------------------------------

    /// `command : simple_command | compound_command [redirect_list] | function_definition`.
    fn command(&mut self) -> Result<Command, Fail> {
        self.blanks();
        let start = self.pos;
        let keyword = self.peek_keyword();
        let compound = match keyword {
            Some(k) if CLOSERS.contains(&k) || k == "in" => return Err(self.unexpected(None)),
            Some(k) if k != "!" => true,
            _ => self.peek_op() == Some(Op::LParen),
        };
        if self.dialect == Dialect::Bash
            && self.rest().starts_with("((")
            && let Some(close) = self.arithmetic_end(start + 2)
        {
            // bash `(( expression ))`
            let text = self.src[start + 2..close].to_string();
            self.pos = close + 2;
            let mut command = Command {
                kind: CommandKind::Arithmetic(text),
                redirects: Vec::new(),
                span: self.span(start, self.pos),
            };
            self.redirect_list(&mut command.redirects)?;
            if let Some(r) = command.redirects.last() {
                command.span = command.span.cover(r.span);
            }
            return Ok(command);
        }
        if compound {
            return self.compound_command();
        }
        if let Some(name) = self.function_head() {
            return self.function_body(start, name);
        }
        self.simple_command()
    }

    /// `compound_command : brace_group | subshell | for_clause | case_clause | if_clause |
    /// while_clause | until_clause`, then its `redirect_list`.
    fn compound_command(&mut self) -> Result<Command, Fail> {
        self.enter()?;
        let result = self.compound_inner();
        self.leave();
        let mut command = result?;
        self.redirect_list(&mut command.redirects)?;
        if let Some(r) = command.redirects.last() {
            command.span = command.span.cover(r.span);
        }
        Ok(command)
    }

    fn compound_inner(&mut self) -> Result<Command, Fail> {
        let start = self.pos;
        let kind = match self.peek_keyword() {
            Some("{") => {
                self.pos += 1;
                let body = self.compound_list()?;
                self.expect_keyword("}")?;
                CommandKind::Brace(body)
            }
            Some("if") => self.if_clause()?,
            Some(k @ ("while" | "until")) => {
                self.pos += k.len();
                let condition = self.compound_list()?;
                self.expect_keyword("do")?;
                let body = self.compound_list()?;
                self.expect_keyword("done")?;
                CommandKind::While { until: k == "until", condition, body }
            }
            Some("for") => self.for_clause()?,
            Some("case") => self.case_clause()?,
            Some("[[") => self.test_command()?,
            Some("function") => {
                self.pos += "function".len();
                self.blanks();
                let name_start = self.pos;
                let n = self.rest().bytes().take_while(|&b| !is_meta(b)).count();
                if n == 0 {
                    return Err(self.unexpected(None));
                }
                self.pos += n;
                let name = Name { text: self.src[name_start..self.pos].into(), span: self.span(name_start, self.pos) };
                self.blanks();
                if self.rest().starts_with('(') {
                    self.pos += 1;
                    self.blanks();
                    if self.peek_op() != Some(Op::RParen) {
                        return Err(self.unexpected(Some(")")));
                    }
                    self.pos += 1;
                }
                return self.function_body(start, name);
            }
            _ => {
                // `subshell : '(' compound_list ')'`
                self.pos += 1;
                let body = self.compound_list()?;
                self.blanks();
                if self.peek_op() != Some(Op::RParen) {
                    return Err(self.unexpected(Some(")")));
                }
                self.pos += 1;
                CommandKind::Subshell(body)
            }
        };
        Ok(Command { kind, redirects: Vec::new(), span: self.span(start, self.pos) })
    }

    /// `if_clause : If compound_list Then compound_list else_part Fi`, `else_part : Elif
    /// compound_list Then compound_list [else_part] | Else compound_list`.
    fn if_clause(&mut self) -> Result<CommandKind, Fail> {
        self.pos += 2;
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let condition = self.compound_list()?;
            self.expect_keyword("then")?;
            let body = self.compound_list()?;
            branches.push((condition, body));
            self.blanks();
            match self.peek_keyword() {
                Some("elif") => self.pos += 4,
                Some("else") => {
                    self.pos += 4;
                    otherwise = Some(self.compound_list()?);
                    self.expect_keyword("fi")?;
                    break;
                }
                _ => {
                    self.expect_keyword("fi")?;
                    break;
                }
            }
        }
        Ok(CommandKind::If { branches, otherwise })
    }

    /// `for_clause : For name do_group | For name sequential_sep do_group | For name linebreak
    /// in [wordlist] sequential_sep do_group`.
    fn for_clause(&mut self) -> Result<CommandKind, Fail> {
        self.pos += 3;
        self.blanks();
        let name_start = self.pos;
        let n = self.rest().bytes().take_while(|&b| is_name_char(b)).count();
        if n == 0 || !is_name_start(self.src.as_bytes()[self.pos]) {
            return Err(self.unexpected(None));
        }
        self.pos += n;
        if self.peek().is_some_and(|b| !is_meta(b)) {
            self.pos += self.rest().bytes().take_while(|&b| !is_meta(b)).count();
            return Err(self.fail(name_start, "syntax error: bad for loop variable"));
        }
        let name = Name { text: self.src[name_start..self.pos].into(), span: self.span(name_start, self.pos) };
        self.linebreak();
        let mut words = None;
        if self.peek_keyword() == Some("in") {
            self.pos += 2;
            let mut list = Vec::new();
            loop {
                self.blanks();
                match self.peek_op() {
                    Some(Op::Semi) => {
                        self.pos += 1;
                        break;
                    }
                    Some(Op::Newline) => break,
                    Some(_) => return Err(self.unexpected(None)),
                    None if self.at_end() => return Err(self.unexpected(Some("do"))),
                    // A redirection (`<`, `>`) cannot be in the list: no word starts there.
                    None if self.peek().is_some_and(is_meta) => return Err(self.unexpected(None)),
                    None => list.push(self.word(WordMode::Normal)?),
                }
            }
            words = Some(list);
        } else if self.peek_op() == Some(Op::Semi) {
            self.pos += 1;
        }
        self.linebreak();
        self.expect_keyword("do")?;
        let body = self.compound_list()?;
        self.expect_keyword("done")?;
        Ok(CommandKind::For { name, words, body })
    }

    /// `case_clause : Case WORD linebreak in linebreak case_list Esac`, each `case_item : ['(']
    /// pattern ')' (linebreak | compound_list) [DSEMI linebreak]`, `pattern : WORD ('|'
    /// WORD)*`.
    fn case_clause(&mut self) -> Result<CommandKind, Fail> {
        self.pos += 4;
        self.blanks();
        if self.at_end() || self.peek().is_some_and(is_meta) {
            return Err(self.unexpected(None));
        }
        let word = self.word(WordMode::Normal)?;
        self.linebreak();
        self.expect_keyword("in")?;
        let mut arms = Vec::new();
        loop {
            self.linebreak();
            if self.peek_keyword() == Some("esac") {
                self.pos += 4;
                break;
            }
            if self.at_end() {
                return Err(self.unexpected(Some("esac")));
            }
            let arm_start = self.pos;
            if self.peek_op() == Some(Op::LParen) {
                self.pos += 1;
            }
            let mut patterns = Vec::new();
            loop {
                self.blanks();
                if self.at_end() || self.peek().is_some_and(is_meta) {
                    return Err(self.unexpected(None));
                }
                patterns.push(self.word(WordMode::Normal)?);
                self.blanks();
                if self.peek_op() == Some(Op::Pipe) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            if self.peek_op() != Some(Op::RParen) {
                return Err(self.unexpected(Some(")")));
            }
            self.pos += 1;
            let body = self.list(true);
            self.blanks();
            let end = match self.peek_op() {
                Some(Op::DSemi) => ArmEnd::Break,
                Some(Op::SemiAmp) if self.dialect == Dialect::Bash => ArmEnd::FallThrough,
                Some(Op::DSemiAmp) if self.dialect == Dialect::Bash => ArmEnd::Continue,
                _ => ArmEnd::None,
            };
            self.pos += match end {
                ArmEnd::Break | ArmEnd::FallThrough => 2,
                ArmEnd::Continue => 3,
                ArmEnd::None => 0,
            };
            arms.push(CaseArm { patterns, body, end, span: self.span(arm_start, self.pos) });
            if end == ArmEnd::None {
                self.linebreak();
                self.expect_keyword("esac")?;
                break;
            }
        }
        Ok(CommandKind::Case { word, arms })
    }

    /// bash `[[ expression ]]`: its words up to `]]`; operators (`&&`, `||`, `(`, `)`, `<`,
    /// `>`, `!`) are kept as literal words.
    fn test_command(&mut self) -> Result<CommandKind, Fail> {
        self.pos += 2;
        let mut words = Vec::new();
        loop {
            self.blanks();
            while self.peek() == Some(b'\n') {
                self.pos += 1;
                self.blanks();
            }
            let rest = self.rest();
            if rest.starts_with("]]") && rest.as_bytes().get(2).is_none_or(|&b| is_meta(b)) {
                self.pos += 2;
                break;
            }
            let start = self.pos;
            let op_len = ["&&", "||", "(", ")", "<", ">", "|"].iter().find(|o| rest.starts_with(**o)).map(|o| o.len());
            if let Some(len) = op_len {
                self.pos += len;
                let span = self.span(start, self.pos);
                let part = Part { kind: PartKind::Literal(rest[..len].into()), span };
                words.push(Word { parts: vec![part], span });
                continue;
            }
            if self.at_end() || self.peek().is_some_and(is_meta) {
                return Err(self.unexpected(Some("]]")));
            }
            words.push(self.word(WordMode::Normal)?);
        }
        Ok(CommandKind::Test(words))
    }

    /// `fname '(' ')'` at the cursor: the name, with the cursor after `)`. Nothing is consumed
    /// when the text is not a function head.
    fn function_head(&mut self) -> Option<Name> {
        let rest = self.rest().as_bytes();
        if !rest.first().is_some_and(|&b| is_name_start(b)) {
            return None;
        }
        let n = rest.iter().take_while(|&&b| is_name_char(b)).count();
        let mut i = n;
        while matches!(rest.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if rest.get(i) != Some(&b'(') {
            return None;
        }
        i += 1;
        while matches!(rest.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if rest.get(i) != Some(&b')') {
            return None;
        }
        let name = Name { text: self.src[self.pos..self.pos + n].into(), span: self.span(self.pos, self.pos + n) };
        self.pos += i + 1;
        Some(name)
    }

    /// `function_body : compound_command [redirect_list]`, after `linebreak`.
    fn function_body(&mut self, start: usize, name: Name) -> Result<Command, Fail> {
        self.linebreak();
        let keyword = self.peek_keyword();
        let compound = matches!(keyword, Some("{" | "if" | "while" | "until" | "for" | "case" | "[["))
            || self.peek_op() == Some(Op::LParen);
        if !compound {
            return Err(self.unexpected(None));
        }
        let body = self.compound_command()?;
        let span = self.span(start, body.span.end as usize - self.base);
        Ok(Command { kind: CommandKind::Function { name, body: Box::new(body) }, redirects: Vec::new(), span })
    }

    /// `simple_command : cmd_prefix [cmd_word [cmd_suffix]] | cmd_name [cmd_suffix]`:
    /// assignments and redirections, then words and redirections.
    fn simple_command(&mut self) -> Result<Command, Fail> {
        let start = self.pos;
        let mut assignments = Vec::new();
        let mut words = Vec::new();
        let mut redirects = Vec::new();
        loop {
            self.blanks();
            if self.at_end() || self.peek_op().is_some() && !self.at_redirect() {
                break;
            }
            if let Some(r) = self.redirect()? {
                redirects.push(r);
                continue;
            }
            if self.peek().is_some_and(is_meta) {
                break;
            }
            if words.is_empty()
                && let Some(a) = self.assignment()?
            {
                assignments.push(a);
                continue;
            }
            words.push(self.word(WordMode::Normal)?);
        }
        if assignments.is_empty() && words.is_empty() && redirects.is_empty() {
            return Err(self.unexpected(None));
        }
        let end = [
            assignments.last().map(|a: &Assignment| a.span.end),
            words.last().map(|w: &Word| w.span.end),
            redirects.last().map(|r: &Redirect| r.span.end),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
        let span = Span::new(self.base + start, end as usize);
        Ok(Command { kind: CommandKind::Simple { assignments, words }, redirects, span })
    }

    fn at_redirect(&self) -> bool {
        if !matches!(self.peek(), Some(b'0'..=b'9' | b'<' | b'>' | b'&')) {
            return false;
        }
        let rest = self.rest();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        matches!(redirect_op(&rest[digits..]), Ok((_, op)) if self.dialect == Dialect::Bash
            || !matches!(op, RedirectOp::OutputAll | RedirectOp::AppendAll | RedirectOp::HereString))
    }

    /// `redirect_list : io_redirect+`, after a compound command.
    fn redirect_list(&mut self, into: &mut Vec<Redirect>) -> Result<(), Fail> {
        loop {
            self.blanks();
            match self.redirect()? {
                Some(r) => into.push(r),
                None => return Ok(()),
            }
        }
    }

    /// `io_redirect : [IO_NUMBER] (io_file | io_here)`, `io_file : op filename`, `io_here :
    /// (DLESS | DLESSDASH) here_end`. `None`, with nothing consumed, when the cursor is not at
    /// a redirection.
    fn redirect(&mut self) -> Result<Option<Redirect>, Fail> {
        if !self.at_redirect() {
            return Ok(None);
        }
        let start = self.pos;
        let rest = self.rest();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let fd = if digits > 0 {
            match rest[..digits].parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => return Ok(None),
            }
        } else {
            None
        };
        let Ok((after, op)) = redirect_op(&rest[digits..]) else { return Ok(None) };
        self.pos += rest.len() - after.len();
        self.blanks();
        if self.at_end() || self.peek().is_some_and(is_meta) {
            return Err(self.unexpected(None));
        }
        let word = self.word(WordMode::Normal)?;
        let span = Span::new(self.base + start, word.span.end as usize);
        let target = if matches!(op, RedirectOp::HereDoc | RedirectOp::HereDocStrip) {
            let raw = word.span.slice_shifted(self.src, self.base);
            let (delimiter, quoted) = unquote(raw);
            self.pending.push(PendingHereDoc {
                delimiter: delimiter.clone(),
                quoted,
                strip: op == RedirectOp::HereDocStrip,
                key: word.span.start,
                word_span: word.span,
            });
            RedirectTarget::HereDoc(HereDoc {
                delimiter,
                delimiter_span: word.span,
                quoted,
                body: Word { parts: Vec::new(), span: Span::empty(word.span.end as usize) },
                end_span: Span::empty(word.span.end as usize),
            })
        } else {
            RedirectTarget::Word(word)
        };
        Ok(Some(Redirect { fd, op, target, span }))
    }

    /// `ASSIGNMENT_WORD` (XCU 2.10.2 rule 7): `name=value` before the command name; in bash
    /// also `name=(word...)`.
    fn assignment(&mut self) -> Result<Option<Assignment>, Fail> {
        let rest = self.rest().as_bytes();
        if !rest.first().is_some_and(|&b| is_name_start(b)) {
            return Ok(None);
        }
        let n = rest.iter().take_while(|&&b| is_name_char(b)).count();
        if rest.get(n) != Some(&b'=') {
            return Ok(None);
        }
        let start = self.pos;
        let name = Name { text: self.src[start..start + n].into(), span: self.span(start, start + n) };
        self.pos += n + 1;
        let value = if self.dialect == Dialect::Bash && self.peek() == Some(b'(') {
            self.pos += 1;
            let mut words = Vec::new();
            loop {
                self.linebreak();
                match self.peek() {
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    None => return Err(self.unexpected(Some(")"))),
                    Some(b) if is_meta(b) => return Err(self.unexpected(Some(")"))),
                    Some(_) => words.push(self.word(WordMode::Normal)?),
                }
            }
            AssignValue::Array(words)
        } else {
            AssignValue::Word(self.word(WordMode::Normal)?)
        };
        Ok(Some(Assignment { name, value, span: self.span(start, self.pos) }))
    }

    // --- here-documents ---------------------------------------------------------------------

    /// The bodies of the here-documents whose operators came before the newline just read, in
    /// order (XCU 2.7.4): each runs to a line equal to its delimiter (after leading tabs for
    /// `<<-`).
    fn read_heredocs(&mut self) {
        for h in std::mem::take(&mut self.pending) {
            let body_start = self.pos;
            let (body_end, end_span) = loop {
                let rest = self.rest();
                if self.aborted || rest.is_empty() {
                    self.heredoc_at_eof(&h);
                    break (self.end, self.span(self.end, self.end));
                }
                let line_len = rest.find('\n').unwrap_or(rest.len());
                let line = &rest[..line_len];
                let line = if h.strip { line.trim_start_matches('\t') } else { line };
                let line_start = self.pos;
                self.pos = (self.pos + line_len + 1).min(self.end);
                if line == h.delimiter {
                    break (line_start, self.span(line_start, line_start + line_len));
                }
            };
            let after = self.pos;
            let body = if h.quoted {
                self.literal_body(body_start, body_end, h.strip)
            } else {
                let saved_end = self.end;
                self.end = body_end;
                self.pos = body_start;
                let parts = self.quoted_parts(Some(h.strip), body_start);
                self.end = saved_end;
                match parts {
                    Ok(parts) => Word { parts, span: self.span(body_start, body_end) },
                    Err(fail) => {
                        self.record(fail);
                        self.literal_body(body_start, body_end, h.strip)
                    }
                }
            };
            self.pos = after;
            self.bodies.push((h.key, Some((body, end_span))));
        }
    }

    /// A quoted here-document's body: one literal per line (tabs stripped for `<<-`).
    fn literal_body(&self, start: usize, end: usize, strip: bool) -> Word {
        let mut parts = Vec::new();
        let mut at = start;
        for line in self.src[start..end].split_inclusive('\n') {
            let text = if strip { line.trim_start_matches('\t') } else { line };
            let from = at + (line.len() - text.len());
            if !text.is_empty() {
                parts.push(Part { kind: PartKind::Literal(text.into()), span: self.span(from, at + line.len()) });
            }
            at += line.len();
        }
        Word { parts, span: self.span(start, end) }
    }

    fn heredoc_at_eof(&mut self, h: &PendingHereDoc) {
        let span = h.word_span;
        self.diagnostics.push(Diagnostic::new(
            Code::ShellHereDocAtEof,
            span,
            format!("here-document delimited by end-of-file (wanted \"{}\")", h.delimiter),
        ));
    }

    /// Here-documents still waiting for a newline at the end of the text.
    fn heredocs_at_eof(&mut self) {
        if !self.pending.is_empty() {
            self.read_heredocs();
        }
    }

    // --- words ------------------------------------------------------------------------------

    /// `WORD` (XCU 2.3, 2.6): literals, quotes, escapes, expansions and glob characters, up to
    /// the delimiter that `mode` says.
    fn word(&mut self, mode: WordMode) -> Result<Word, Fail> {
        self.enter()?;
        let result = self.word_inner(mode);
        self.leave();
        result
    }

    fn word_inner(&mut self, mode: WordMode) -> Result<Word, Fail> {
        let start = self.pos;
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut lit_start = self.pos;
        let (in_dq, stop_slash) = match mode {
            WordMode::Normal => (false, false),
            WordMode::Param { in_dq, stop_slash } => (in_dq, stop_slash),
        };
        let globs = !in_dq;
        while let Some(b) = self.peek() {
            let ends = match mode {
                WordMode::Normal => is_meta(b),
                WordMode::Param { .. } => b == b'}' || (stop_slash && b == b'/'),
            };
            if ends {
                break;
            }
            if b == b'\\' && self.peek_at(1) == Some(b'\n') {
                self.pos += 2;
                continue;
            }
            let special = matches!(b, b'\\' | b'"' | b'$' | b'`')
                || (b == b'\'' && !in_dq)
                || (globs && matches!(b, b'*' | b'?'))
                || (globs && b == b'[' && self.bracket_len(mode).is_some());
            if !special {
                if lit.is_empty() {
                    lit_start = self.pos;
                }
                let c = self.next_char().unwrap_or('\u{fffd}');
                lit.push(c);
                self.pos += c.len_utf8();
                continue;
            }
            let part_start = self.pos;
            let kind = match b {
                b'\\' => {
                    self.pos += 1;
                    match self.next_char() {
                        Some(c) => {
                            self.pos += c.len_utf8();
                            PartKind::Escaped(c)
                        }
                        None => PartKind::Literal("\\".into()),
                    }
                }
                b'\'' => self.single_quoted()?,
                b'"' => {
                    self.pos += 1;
                    let inner = self.quoted_parts(None, part_start)?;
                    PartKind::DoubleQuoted(inner)
                }
                b'$' => {
                    let Some(kind) = self.dollar(in_dq)? else {
                        if lit.is_empty() {
                            lit_start = self.pos;
                        }
                        lit.push('$');
                        self.pos += 1;
                        continue;
                    };
                    kind
                }
                b'`' => self.backquote(false)?,
                b'[' => {
                    let n = self.bracket_len(mode).unwrap_or(1);
                    self.pos += n;
                    PartKind::Glob(self.src[part_start..self.pos].into())
                }
                _ => {
                    self.pos += 1;
                    PartKind::Glob(self.src[part_start..self.pos].into())
                }
            };
            if !lit.is_empty() {
                let span = self.span(lit_start, part_start);
                parts.push(Part { kind: PartKind::Literal(std::mem::take(&mut lit)), span });
            }
            parts.push(Part { kind, span: self.span(part_start, self.pos) });
        }
        if !lit.is_empty() {
            parts.push(Part { kind: PartKind::Literal(lit), span: self.span(lit_start, self.pos) });
        }
        Ok(Word { parts, span: self.span(start, self.pos) })
    }

    /// A bracket expression `[...]` at the cursor (XCU 2.13.1): its length, or `None` when no
    /// `]` closes it within the word (then `[` is an ordinary character).
    fn bracket_len(&self, mode: WordMode) -> Option<usize> {
        let bytes = self.rest().as_bytes();
        let mut i = 1;
        if matches!(bytes.get(i), Some(b'!' | b'^')) {
            i += 1;
        }
        if bytes.get(i) == Some(&b']') {
            i += 1;
        }
        while let Some(&b) = bytes.get(i) {
            match b {
                b']' => return Some(i + 1),
                b'\'' | b'"' | b'\\' | b'$' | b'`' => return None,
                b'}' if mode != WordMode::Normal => return None,
                _ if is_meta(b) => return None,
                _ => i += 1,
            }
        }
        None
    }

    /// `'...'`: everything up to the next `'`.
    fn single_quoted(&mut self) -> Result<PartKind, Fail> {
        let start = self.pos;
        self.pos += 1;
        let Some(n) = self.rest().find('\'') else {
            self.pos = self.end;
            return Err(self.fail(start, "syntax error: unterminated quoted string"));
        };
        let text = self.rest()[..n].to_string();
        self.pos += n + 1;
        Ok(PartKind::SingleQuoted(text))
    }

    /// The inside of `"..."` (`heredoc` is `None`; the closing quote is consumed), or an
    /// unquoted here-document body (`Some(strip_tabs)`; up to the end of the region): `$`,
    /// backquotes, and `\` before `$`, `` ` ``, `"` (not in a here-document), `\` or a newline.
    fn quoted_parts(&mut self, heredoc: Option<bool>, open: usize) -> Result<Vec<Part>, Fail> {
        self.enter()?;
        let result = self.quoted_inner(heredoc, open);
        self.leave();
        result
    }

    fn quoted_inner(&mut self, heredoc: Option<bool>, open: usize) -> Result<Vec<Part>, Fail> {
        let strip = heredoc == Some(true);
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut lit_start = self.pos;
        let mut line_start = true;
        loop {
            if strip && line_start {
                while self.peek() == Some(b'\t') {
                    self.pos += 1;
                }
                if !lit.is_empty() {
                    // Tabs were stripped: the literal goes on from here, in a new part.
                    parts.push(Part {
                        kind: PartKind::Literal(std::mem::take(&mut lit)),
                        span: self.span(lit_start, self.pos),
                    });
                }
                lit_start = self.pos;
            }
            line_start = false;
            let Some(b) = self.peek() else {
                if heredoc.is_none() {
                    self.pos = self.end;
                    return Err(self.fail(open, "syntax error: unterminated quoted string"));
                }
                break;
            };
            if b == b'"' && heredoc.is_none() {
                if !lit.is_empty() {
                    parts.push(Part {
                        kind: PartKind::Literal(std::mem::take(&mut lit)),
                        span: self.span(lit_start, self.pos),
                    });
                }
                self.pos += 1;
                return Ok(parts);
            }
            let part_start = self.pos;
            let kind = match b {
                b'\\' => match self.peek_at(1) {
                    Some(b'\n') => {
                        self.pos += 2;
                        continue;
                    }
                    Some(c @ (b'$' | b'`' | b'\\')) => {
                        self.pos += 2;
                        PartKind::Escaped(char::from(c))
                    }
                    Some(b'"') if heredoc.is_none() => {
                        self.pos += 2;
                        PartKind::Escaped('"')
                    }
                    _ => {
                        if lit.is_empty() {
                            lit_start = self.pos;
                        }
                        lit.push('\\');
                        self.pos += 1;
                        continue;
                    }
                },
                b'$' => {
                    let Some(kind) = self.dollar(true)? else {
                        if lit.is_empty() {
                            lit_start = self.pos;
                        }
                        lit.push('$');
                        self.pos += 1;
                        continue;
                    };
                    kind
                }
                b'`' => self.backquote(heredoc.is_none())?,
                _ => {
                    if lit.is_empty() {
                        lit_start = self.pos;
                    }
                    let c = self.next_char().unwrap_or('\u{fffd}');
                    lit.push(c);
                    self.pos += c.len_utf8();
                    line_start = c == '\n';
                    continue;
                }
            };
            if !lit.is_empty() {
                parts.push(Part {
                    kind: PartKind::Literal(std::mem::take(&mut lit)),
                    span: self.span(lit_start, part_start),
                });
            }
            parts.push(Part { kind, span: self.span(part_start, self.pos) });
        }
        if !lit.is_empty() {
            parts.push(Part { kind: PartKind::Literal(lit), span: self.span(lit_start, self.pos) });
        }
        Ok(parts)
    }

    /// `$` at the cursor (XCU 2.6.2 to 2.6.4): `$name`, `$1`, `$@` and the other special
    /// parameters, `${...}`, `$(...)`, `$((...))`, bash `$'...'`. `None` (nothing consumed)
    /// when the `$` is literal.
    fn dollar(&mut self, in_dq: bool) -> Result<Option<PartKind>, Fail> {
        let start = self.pos;
        let Some(next) = self.peek_at(1) else { return Ok(None) };
        let simple = |name: String| {
            Some(PartKind::Param(Box::new(Param {
                name,
                braced: false,
                length: false,
                indirect: false,
                subscript: None,
                op: None,
            })))
        };
        match next {
            b'{' => self.braced_param(in_dq).map(Some),
            b'(' => {
                if self.peek_at(2) == Some(b'(')
                    && let Some(close) = self.arithmetic_end(start + 3)
                {
                    let text = self.src[start + 3..close].to_string();
                    self.pos = close + 2;
                    return Ok(Some(PartKind::Arithmetic(text)));
                }
                self.enter()?;
                self.pos += 2;
                let script = self.list(true);
                self.linebreak();
                self.leave();
                if self.peek_op() != Some(Op::RParen) {
                    let expecting = if self.at_end() { Some(")") } else { None };
                    return Err(self.unexpected(expecting));
                }
                self.pos += 1;
                Ok(Some(PartKind::CommandSub(script)))
            }
            b'\'' if self.dialect == Dialect::Bash && !in_dq => {
                self.pos += 2;
                let bytes = self.rest().as_bytes();
                let mut i = 0;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i >= bytes.len() {
                    self.pos = self.end;
                    return Err(self.fail(start, "syntax error: unterminated quoted string"));
                }
                let text = self.rest()[..i].to_string();
                self.pos += i + 1;
                Ok(Some(PartKind::AnsiC(text)))
            }
            b if is_name_start(b) => {
                let n = self.rest()[1..].bytes().take_while(|&b| is_name_char(b)).count();
                let name = self.rest()[1..=n].to_string();
                self.pos += 1 + n;
                Ok(simple(name))
            }
            b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-' => {
                self.pos += 2;
                Ok(simple(char::from(next).to_string()))
            }
            _ => Ok(None),
        }
    }

    /// Where the `))` of a `$((` (or bash `((`) whose expression starts at `from` is, parentheses balanced; `None` when a `)`
    /// closes it alone (then it is `$( (...) ...)`, a command substitution).
    fn arithmetic_end(&self, from: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let mut depth = 0usize;
        let mut i = from;
        while i < self.end {
            match bytes[i] {
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b')' => return (bytes.get(i + 1) == Some(&b')') && i + 1 < self.end).then_some(i),
                b'\\' => i += 1,
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// `${...}`: `${name}`, `${#name}`, `${name op word}` with every POSIX operator (`:-`,
    /// `-`, `:=`, `=`, `:?`, `?`, `:+`, `+`, `#`, `##`, `%`, `%%`), and bash's `${!name}`,
    /// `${name[i]}`, `${name/p/r}`, `${name:o:l}`, `${name^^}`.
    fn braced_param(&mut self, in_dq: bool) -> Result<PartKind, Fail> {
        self.enter()?;
        let result = self.braced_inner(in_dq);
        self.leave();
        result
    }

    fn braced_inner(&mut self, in_dq: bool) -> Result<PartKind, Fail> {
        let start = self.pos;
        self.pos += 2;
        let mut param =
            Param { name: String::new(), braced: true, length: false, indirect: false, subscript: None, op: None };
        if self.dialect == Dialect::Bash && self.peek() == Some(b'!') && self.peek_at(1).is_some_and(is_name_start) {
            param.indirect = true;
            self.pos += 1;
        }
        if self.peek() == Some(b'#') {
            let after = self.peek_at(1);
            let name_follows = after.is_some_and(|b| is_name_char(b) || b"@*#?$!-".contains(&b));
            if name_follows {
                let save = self.pos;
                self.pos += 1;
                let name = self.param_name();
                if self.peek() == Some(b'}') || (self.dialect == Dialect::Bash && self.peek() == Some(b'[')) {
                    param.length = true;
                    param.name = name;
                } else {
                    self.pos = save;
                }
            }
        }
        if param.name.is_empty() {
            param.name = self.param_name();
        }
        if param.name.is_empty() {
            return Err(self.bad_substitution(start));
        }
        if self.dialect == Dialect::Bash && self.peek() == Some(b'[') {
            let rest = self.rest();
            let Some(n) = rest.find(']') else { return Err(self.bad_substitution(start)) };
            param.subscript = Some(rest[1..n].into());
            self.pos += n + 1;
        }
        let word_mode = WordMode::Param { in_dq, stop_slash: false };
        let rest = self.rest();
        let op2 = rest.get(..2).unwrap_or("");
        let op = match self.peek() {
            Some(b'}') => None,
            None => return Err(self.missing_brace(start)),
            _ if param.length => return Err(self.bad_substitution(start)),
            Some(b':') if matches!(self.peek_at(1), Some(b'-' | b'=' | b'?' | b'+')) => {
                let which = self.peek_at(1);
                self.pos += 2;
                let word = self.word(word_mode)?;
                Some(colon_op(which, true, word))
            }
            Some(b':') => {
                self.pos += 1;
                let text_start = self.pos;
                let n = self.rest().find('}').unwrap_or(self.rest().len());
                self.pos += n;
                Some(ParamOp::Substring(self.src[text_start..self.pos].into()))
            }
            Some(b @ (b'-' | b'=' | b'?' | b'+')) => {
                self.pos += 1;
                let word = self.word(word_mode)?;
                Some(colon_op(Some(b), false, word))
            }
            Some(b'#' | b'%') => {
                let double = op2 == "##" || op2 == "%%";
                let hash = op2.starts_with('#');
                self.pos += if double { 2 } else { 1 };
                let word = self.word(word_mode)?;
                Some(match (hash, double) {
                    (true, false) => ParamOp::RemoveSmallestPrefix(word),
                    (true, true) => ParamOp::RemoveLargestPrefix(word),
                    (false, false) => ParamOp::RemoveSmallestSuffix(word),
                    (false, true) => ParamOp::RemoveLargestSuffix(word),
                })
            }
            Some(b'/') => {
                let n = if matches!(op2, "//" | "/#" | "/%") { 2 } else { 1 };
                let op = rest[..n].to_string();
                self.pos += n;
                let pattern = self.word(WordMode::Param { in_dq, stop_slash: true })?;
                let replacement = if self.peek() == Some(b'/') {
                    self.pos += 1;
                    Some(self.word(word_mode)?)
                } else {
                    None
                };
                Some(ParamOp::Replace { op, pattern, replacement })
            }
            Some(b'^' | b',') => {
                let n = if op2 == "^^" || op2 == ",," { 2 } else { 1 };
                let op = rest[..n].to_string();
                self.pos += n;
                let pattern = self.word(word_mode)?;
                Some(ParamOp::Case { op, pattern })
            }
            Some(_) => return Err(self.bad_substitution(start)),
        };
        if self.peek() != Some(b'}') {
            return Err(self.missing_brace(start));
        }
        self.pos += 1;
        param.op = op;
        Ok(PartKind::Param(Box::new(param)))
    }

    /// A parameter name inside `${`: a name, digits, or one special character.
    fn param_name(&mut self) -> String {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let n = match bytes.first() {
            Some(&b) if is_name_start(b) => bytes.iter().take_while(|&&b| is_name_char(b)).count(),
            Some(b) if b.is_ascii_digit() => bytes.iter().take_while(|b| b.is_ascii_digit()).count(),
            Some(b) if b"@*#?$!-".contains(b) => 1,
            _ => 0,
        };
        self.pos += n;
        rest[..n].to_string()
    }

    fn bad_substitution(&mut self, start: usize) -> Fail {
        let rest = self.rest();
        let n = rest.find(['}', '\n']).map_or(rest.len(), |n| n + usize::from(rest[n..].starts_with('}')));
        self.pos += n;
        self.fail(start, "syntax error: bad substitution")
    }

    fn missing_brace(&mut self, start: usize) -> Fail {
        self.fail(start, "syntax error: missing \"}\"")
    }

    /// `` `...` ``: the text up to the closing backquote, with `\$`, ``\` `` and `\\` unescaped
    /// (and `\"` inside double quotes), parsed as a script of its own.
    fn backquote(&mut self, in_dq: bool) -> Result<PartKind, Fail> {
        let open = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = open + 1;
        let mut text = String::new();
        let mut escaped = false;
        let mut copied = open + 1;
        while i < self.end && bytes[i] != b'`' {
            if bytes[i] == b'\\'
                && i + 1 < self.end
                && (matches!(bytes[i + 1], b'$' | b'`' | b'\\') || (in_dq && bytes[i + 1] == b'"'))
            {
                text.push_str(&self.src[copied..i]);
                escaped = true;
                copied = i + 1;
                i += 2;
            } else {
                i += 1;
            }
        }
        if i >= self.end {
            self.pos = self.end;
            return Err(self.fail(open, "syntax error: EOF in backquote substitution"));
        }
        text.push_str(&self.src[copied..i]);
        self.enter()?;
        let (script, diagnostics, aborted) = if escaped {
            let mut sub = Parser::new(&text, self.dialect);
            sub.base = self.base + open + 1;
            sub.depth = self.depth;
            let script = sub.program();
            (script, sub.diagnostics, sub.aborted)
        } else {
            let mut sub = Parser::new(&self.src[..i], self.dialect);
            sub.pos = open + 1;
            sub.base = self.base;
            sub.depth = self.depth;
            let script = sub.program();
            (script, sub.diagnostics, sub.aborted)
        };
        self.leave();
        self.diagnostics.extend(diagnostics);
        if aborted {
            self.aborted = true;
        }
        self.pos = i + 1;
        Ok(PartKind::Backquote(script))
    }
}

fn colon_op(which: Option<u8>, colon: bool, word: Word) -> ParamOp {
    match which {
        Some(b'-') => ParamOp::Default { colon, word },
        Some(b'=') => ParamOp::Assign { colon, word },
        Some(b'?') => ParamOp::Error { colon, word },
        _ => ParamOp::Alternative { colon, word },
    }
}

/// Quote removal on a here-document delimiter (XCU 2.7.4): the text, and whether any part
/// of it was quoted.
fn unquote(raw: &str) -> (String, bool) {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                quoted = true;
                out.extend(chars.next());
            }
            '\'' => {
                quoted = true;
                out.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                quoted = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => out.extend(chars.next()),
                        _ => out.push(c),
                    }
                }
            }
            _ => out.push(c),
        }
    }
    (out, quoted)
}

trait SliceShifted {
    fn slice_shifted(self, text: &str, base: usize) -> &str;
}

impl SliceShifted for Span {
    /// The text of a span made with `base` added, in the text it was parsed from.
    fn slice_shifted(self, text: &str, base: usize) -> &str {
        text.get(self.start as usize - base..self.end as usize - base).unwrap_or("")
    }
}
