//! Global ARGs: the automatic platform arguments and the ARGs before the first FROM, evaluated
//! in order as BuildKit's `buildMetaArgs` does (each default expanded against the global
//! values so far; a `--build-arg` replaces the value and is not expanded).

use serde::Serialize;

use super::BuildOptions;
use crate::diagnostic::{Code, Diagnostic};
use crate::instructions::{Instruction, Kind};
use crate::platform::Platform;
use crate::shell::{Env, Lexer};
use crate::text::Span;

/// Where a global argument's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArgSource {
    /// The ARG's default (or no value at all, when it has none).
    Default,
    /// `--build-arg`.
    BuildArg,
    /// An argument BuildKit defines (`TARGETPLATFORM`, `BUILDARCH`, `TARGETSTAGE`, ...).
    Automatic,
}

/// One global argument and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GlobalArg {
    pub name: String,
    /// `None` when the ARG has no default and no `--build-arg` gives it one.
    pub value: Option<String>,
    pub source: ArgSource,
    /// The ARG's name in the Dockerfile; `None` for automatic arguments.
    pub span: Option<Span>,
    /// The description from the comment above the ARG (`# NAME text`).
    pub description: Option<String>,
}

pub(super) struct Inputs<'a> {
    pub(super) items: &'a [Instruction],
    pub(super) meta: &'a [usize],
    pub(super) options: &'a BuildOptions,
    pub(super) lexer: Lexer,
    pub(super) build_platform: &'a Platform,
    pub(super) target_platform: &'a Platform,
    pub(super) target_stage: &'a str,
}

/// BuildKit's `defaultArgs`: the automatic arguments, each replaceable by a `--build-arg`.
#[must_use]
pub(crate) fn automatic_args(build: &Platform, target: &Platform, target_stage: &str) -> [(&'static str, String); 11] {
    [
        ("BUILDPLATFORM", build.format()),
        ("BUILDOS", build.os.clone()),
        ("BUILDOSVERSION", String::new()),
        ("BUILDARCH", build.architecture.clone()),
        ("BUILDVARIANT", build.variant.clone()),
        ("TARGETPLATFORM", target.format()),
        ("TARGETOS", target.os.clone()),
        ("TARGETOSVERSION", String::new()),
        ("TARGETARCH", target.architecture.clone()),
        ("TARGETVARIANT", target.variant.clone()),
        ("TARGETSTAGE", target_stage.to_string()),
    ]
}

/// The automatic arguments and the global ARGs, in that order, with their values.
pub(super) fn evaluate(inputs: &Inputs<'_>, diagnostics: &mut Vec<Diagnostic>) -> Vec<GlobalArg> {
    let mut args: Vec<GlobalArg> = automatic_args(inputs.build_platform, inputs.target_platform, inputs.target_stage)
        .into_iter()
        .map(|(name, value)| match inputs.options.build_arg(name) {
            Some(v) => GlobalArg {
                name: name.into(),
                value: Some(v.into()),
                source: ArgSource::BuildArg,
                span: None,
                description: None,
            },
            None => GlobalArg {
                name: name.into(),
                value: Some(value),
                source: ArgSource::Automatic,
                span: None,
                description: None,
            },
        })
        .collect();
    // The environment and the name index grow as the definitions are read: each default is
    // expanded against the values so far, in linear time however many ARGs there are.
    let mut env = env_of(&args);
    // Extend, not collect: collecting a map sorts its items, one more sort compiled (src/sort.rs).
    let mut index: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    index.extend(args.iter().enumerate().map(|(i, a)| (a.name.clone(), i)));
    for &i in inputs.meta {
        let Kind::Arg(defs) = &inputs.items[i].kind else { continue };
        for def in defs {
            let name = def.name.value.to_string();
            let (value, source) = if let Some(v) = inputs.options.build_arg(&name) {
                (Some(v.to_string()), ArgSource::BuildArg)
            } else if let Some(default) = &def.default {
                match inputs.lexer.process_word(&default.value, &env) {
                    Ok(v) => (Some(v), ArgSource::Default),
                    Err(e) => {
                        diagnostics.push(Diagnostic::new(Code::ExpansionError, default.span, e.message));
                        (None, ArgSource::Default)
                    }
                }
            } else if let Some(&previous) = index.get(&name) {
                // A global ARG without a value keeps an earlier value (an automatic one).
                (args[previous].value.clone(), args[previous].source)
            } else {
                (None, ArgSource::Default)
            };
            if let Some(v) = &value {
                env.set(name.clone(), v.clone());
            }
            let arg = GlobalArg { name: name.clone(), value, source, span: Some(def.name.span), description: None };
            if let Some(&existing) = index.get(&name) {
                args[existing] = arg;
            } else {
                index.insert(name, args.len());
                args.push(arg);
            }
        }
    }
    args
}

/// The environment global ARGs give to FROM lines: every argument that has a value.
#[must_use]
pub(crate) fn env_of(args: &[GlobalArg]) -> Env {
    let mut env = Env::new();
    for arg in args {
        if let Some(v) = &arg.value {
            env.set(arg.name.clone(), v.clone());
        }
    }
    env
}
