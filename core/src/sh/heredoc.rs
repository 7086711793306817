//! Here-document bodies are read after the line that holds their operators, when the
//! redirection is already in the tree: this pass moves each body into its redirection,
//! matched by the start of the delimiter word.

use super::ast::{AssignValue, Command, CommandKind, ParamOp, Part, PartKind, RedirectTarget, Script, Word};
use crate::text::Span;

/// By the start of the delimiter word, sorted (a list searched by halves; a map of this
/// type would add its own code to the browser build). A body moved into the tree is `None`.
pub(super) type Bodies = Vec<(u32, Option<(Word, Span)>)>;

pub(super) fn attach(script: &mut Script, bodies: &mut Bodies) {
    for item in &mut script.items {
        let and_or = &mut item.and_or;
        for pipeline in std::iter::once(&mut and_or.first).chain(and_or.rest.iter_mut().map(|(_, p)| p)) {
            for command in &mut pipeline.commands {
                command_bodies(command, bodies);
            }
        }
    }
}

fn command_bodies(command: &mut Command, bodies: &mut Bodies) {
    for r in &mut command.redirects {
        match &mut r.target {
            RedirectTarget::Word(w) => word_bodies(w, bodies),
            RedirectTarget::HereDoc(h) => {
                if let Ok(at) = bodies.binary_search_by_key(&h.delimiter_span.start, |(k, _)| *k)
                    && let Some((body, end)) = bodies[at].1.take()
                {
                    h.body = body;
                    h.end_span = end;
                }
                word_bodies(&mut h.body, bodies);
            }
        }
    }
    match &mut command.kind {
        CommandKind::Simple { assignments, words } => {
            for a in assignments {
                match &mut a.value {
                    AssignValue::Word(w) => word_bodies(w, bodies),
                    AssignValue::Array(ws) => ws.iter_mut().for_each(|w| word_bodies(w, bodies)),
                }
            }
            for w in words.iter_mut() {
                word_bodies(w, bodies);
            }
        }
        CommandKind::Brace(s) | CommandKind::Subshell(s) => attach(s, bodies),
        CommandKind::If { branches, otherwise } => {
            for (c, b) in branches {
                attach(c, bodies);
                attach(b, bodies);
            }
            if let Some(o) = otherwise {
                attach(o, bodies);
            }
        }
        CommandKind::For { words, body, .. } => {
            words.iter_mut().flatten().for_each(|w| word_bodies(w, bodies));
            attach(body, bodies);
        }
        CommandKind::While { condition, body, .. } => {
            attach(condition, bodies);
            attach(body, bodies);
        }
        CommandKind::Case { word, arms } => {
            word_bodies(word, bodies);
            for arm in arms {
                arm.patterns.iter_mut().for_each(|w| word_bodies(w, bodies));
                attach(&mut arm.body, bodies);
            }
        }
        CommandKind::Function { body, .. } => command_bodies(body, bodies),
        CommandKind::Test(words) => words.iter_mut().for_each(|w| word_bodies(w, bodies)),
        CommandKind::Arithmetic(_) | CommandKind::Error => {}
    }
}

fn word_bodies(word: &mut Word, bodies: &mut Bodies) {
    parts_bodies(&mut word.parts, bodies);
}

fn parts_bodies(parts: &mut [Part], bodies: &mut Bodies) {
    for part in parts {
        match &mut part.kind {
            PartKind::DoubleQuoted(inner) => parts_bodies(inner, bodies),
            PartKind::CommandSub(s) => attach(s, bodies),
            PartKind::Param(p) => match &mut p.op {
                Some(
                    ParamOp::Default { word, .. }
                    | ParamOp::Assign { word, .. }
                    | ParamOp::Error { word, .. }
                    | ParamOp::Alternative { word, .. }
                    | ParamOp::RemoveSmallestPrefix(word)
                    | ParamOp::RemoveLargestPrefix(word)
                    | ParamOp::RemoveSmallestSuffix(word)
                    | ParamOp::RemoveLargestSuffix(word)
                    | ParamOp::Case { pattern: word, .. },
                ) => word_bodies(word, bodies),
                Some(ParamOp::Replace { pattern, replacement, .. }) => {
                    word_bodies(pattern, bodies);
                    if let Some(r) = replacement {
                        word_bodies(r, bodies);
                    }
                }
                Some(ParamOp::Substring(_)) | None => {}
            },
            _ => {}
        }
    }
}
