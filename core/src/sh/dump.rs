//! A compact S-expression dump of the tree, for the fixture tests and for debugging.
//!
//! One line per list item; a compound command's body follows on indented lines. Commands and
//! words show their spans (`start..end`, bytes).

use std::fmt::Write as _;

use super::ast::{
    AndOr, ArmEnd, AssignValue, Command, CommandKind, Connector, Item, ParamOp, Part, PartKind, Pipeline,
    RedirectTarget, Script, Word,
};
use crate::text::Span;

/// The tree as indented S-expressions.
#[must_use]
pub fn dump(script: &Script) -> String {
    let mut out = String::new();
    for item in &script.items {
        self::item(&mut out, item, 0);
        out.push('\n');
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn span(out: &mut String, s: Span) {
    let _ = write!(out, "{}..{}", s.start, s.end);
}

fn block(out: &mut String, label: &str, script: &Script, indent: usize) {
    let _ = write!(out, "({label}");
    for item in &script.items {
        out.push('\n');
        pad(out, indent + 1);
        self::item(out, item, indent + 1);
    }
    out.push(')');
}

fn item(out: &mut String, item: &Item, indent: usize) {
    if item.background {
        out.push_str("(bg ");
    }
    and_or(out, &item.and_or, indent);
    if item.background {
        out.push(')');
    }
}

fn and_or(out: &mut String, a: &AndOr, indent: usize) {
    if a.rest.is_empty() {
        return pipeline(out, &a.first, indent);
    }
    out.push_str("(and-or ");
    pipeline(out, &a.first, indent);
    for (c, p) in &a.rest {
        out.push_str(match c {
            Connector::And => " && ",
            Connector::Or => " || ",
        });
        pipeline(out, p, indent);
    }
    out.push(')');
}

fn pipeline(out: &mut String, p: &Pipeline, indent: usize) {
    if !p.bang && p.commands.len() == 1 {
        return command(out, &p.commands[0], indent);
    }
    out.push_str("(pipe");
    if p.bang {
        out.push_str(" !");
    }
    for (i, c) in p.commands.iter().enumerate() {
        out.push_str(if i == 0 { " " } else { " | " });
        command(out, c, indent);
    }
    out.push(')');
}

fn command(out: &mut String, c: &Command, indent: usize) {
    match &c.kind {
        CommandKind::Simple { assignments, words } => {
            out.push_str("(cmd ");
            span(out, c.span);
            for a in assignments {
                let _ = write!(out, " (= {:?} ", a.name.text);
                match &a.value {
                    AssignValue::Word(w) => word(out, w, indent),
                    AssignValue::Array(ws) => {
                        out.push_str("(array");
                        for w in ws {
                            out.push(' ');
                            word(out, w, indent);
                        }
                        out.push(')');
                    }
                }
                out.push(')');
            }
            for w in words {
                out.push(' ');
                word(out, w, indent);
            }
        }
        CommandKind::Brace(s) => {
            out.push_str("(brace ");
            span(out, c.span);
            out.push(' ');
            block(out, "do", s, indent);
        }
        CommandKind::Subshell(s) => {
            out.push_str("(subshell ");
            span(out, c.span);
            out.push(' ');
            block(out, "do", s, indent);
        }
        CommandKind::If { branches, otherwise } => {
            out.push_str("(if ");
            span(out, c.span);
            for (cond, body) in branches {
                out.push('\n');
                pad(out, indent + 1);
                block(out, "cond", cond, indent + 1);
                out.push('\n');
                pad(out, indent + 1);
                block(out, "then", body, indent + 1);
            }
            if let Some(o) = otherwise {
                out.push('\n');
                pad(out, indent + 1);
                block(out, "else", o, indent + 1);
            }
        }
        CommandKind::For { name, words, body } => {
            let _ = write!(out, "(for ");
            span(out, c.span);
            let _ = write!(out, " {:?}", name.text);
            if let Some(ws) = words {
                out.push_str(" (in");
                for w in ws {
                    out.push(' ');
                    word(out, w, indent);
                }
                out.push(')');
            }
            out.push(' ');
            block(out, "do", body, indent);
        }
        CommandKind::While { until, condition, body } => {
            out.push_str(if *until { "(until " } else { "(while " });
            span(out, c.span);
            out.push(' ');
            block(out, "cond", condition, indent);
            out.push(' ');
            block(out, "do", body, indent);
        }
        CommandKind::Case { word: w, arms } => {
            out.push_str("(case ");
            span(out, c.span);
            out.push(' ');
            word(out, w, indent);
            for arm in arms {
                out.push('\n');
                pad(out, indent + 1);
                out.push_str("(arm (");
                for (i, p) in arm.patterns.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" | ");
                    }
                    word(out, p, indent + 1);
                }
                out.push_str(") ");
                block(out, "do", &arm.body, indent + 1);
                out.push_str(match arm.end {
                    ArmEnd::Break => " ;;",
                    ArmEnd::FallThrough => " ;&",
                    ArmEnd::Continue => " ;;&",
                    ArmEnd::None => "",
                });
                out.push(')');
            }
        }
        CommandKind::Function { name, body } => {
            let _ = write!(out, "(function {:?} ", name.text);
            command(out, body, indent);
        }
        CommandKind::Test(words) => {
            out.push_str("([[ ");
            span(out, c.span);
            for w in words {
                out.push(' ');
                word(out, w, indent);
            }
        }
        CommandKind::Arithmetic(text) => {
            out.push_str("((( ");
            span(out, c.span);
            let _ = write!(out, " {text:?}");
        }
        CommandKind::Error => {
            out.push_str("(error ");
            span(out, c.span);
        }
    }
    for r in &c.redirects {
        out.push_str(" (");
        if let Some(fd) = r.fd {
            let _ = write!(out, "{fd}");
        }
        out.push_str(r.op.as_str());
        out.push(' ');
        match &r.target {
            RedirectTarget::Word(w) => word(out, w, indent),
            RedirectTarget::HereDoc(h) => {
                let _ = write!(out, "{:?}{} ", h.delimiter, if h.quoted { " quoted" } else { "" });
                word(out, &h.body, indent);
                out.push_str(" end ");
                span(out, h.end_span);
            }
        }
        out.push(')');
    }
    out.push(')');
}

fn word(out: &mut String, w: &Word, indent: usize) {
    out.push_str("(w ");
    span(out, w.span);
    for p in &w.parts {
        out.push(' ');
        part(out, p, indent);
    }
    out.push(')');
}

fn part(out: &mut String, p: &Part, indent: usize) {
    match &p.kind {
        PartKind::Literal(s) => {
            let _ = write!(out, "{s:?}");
        }
        PartKind::SingleQuoted(s) => {
            let _ = write!(out, "(sq {s:?})");
        }
        PartKind::DoubleQuoted(parts) => {
            out.push_str("(dq");
            for p in parts {
                out.push(' ');
                part(out, p, indent);
            }
            out.push(')');
        }
        PartKind::Escaped(c) => {
            let _ = write!(out, "(esc {c:?})");
        }
        PartKind::Param(param) => {
            out.push_str("(param ");
            if param.length {
                out.push('#');
            }
            if param.indirect {
                out.push('!');
            }
            let _ = write!(out, "{:?}", param.name);
            if let Some(sub) = &param.subscript {
                let _ = write!(out, " [{sub:?}]");
            }
            if let Some(op) = &param.op {
                let (name, w) = match op {
                    ParamOp::Default { colon, word } => (if *colon { ":-" } else { "-" }, word),
                    ParamOp::Assign { colon, word } => (if *colon { ":=" } else { "=" }, word),
                    ParamOp::Error { colon, word } => (if *colon { ":?" } else { "?" }, word),
                    ParamOp::Alternative { colon, word } => (if *colon { ":+" } else { "+" }, word),
                    ParamOp::RemoveSmallestPrefix(word) => ("#", word),
                    ParamOp::RemoveLargestPrefix(word) => ("##", word),
                    ParamOp::RemoveSmallestSuffix(word) => ("%", word),
                    ParamOp::RemoveLargestSuffix(word) => ("%%", word),
                    ParamOp::Case { op, pattern } => (op.as_str(), pattern),
                    ParamOp::Replace { op, pattern, replacement } => {
                        let _ = write!(out, " {op} ");
                        word(out, pattern, indent);
                        if let Some(r) = replacement {
                            out.push_str(" / ");
                            word(out, r, indent);
                        }
                        out.push(')');
                        return;
                    }
                    ParamOp::Substring(text) => {
                        let _ = write!(out, " : {text:?})");
                        return;
                    }
                };
                let _ = write!(out, " {name} ");
                word(out, w, indent);
            }
            out.push(')');
        }
        PartKind::CommandSub(s) => block(out, "cmdsub", s, indent),
        PartKind::Backquote(s) => block(out, "backquote", s, indent),
        PartKind::Arithmetic(s) => {
            let _ = write!(out, "(arith {s:?})");
        }
        PartKind::Glob(s) => {
            let _ = write!(out, "(glob {s:?})");
        }
        PartKind::AnsiC(s) => {
            let _ = write!(out, "(ansi-c {s:?})");
        }
    }
}
