//! BuildKit's build-check rules as data: the name (which is the diagnostic code), BuildKit's
//! description and documentation URL, and a short explanation the CLI and the playground show.
//!
//! Descriptions are BuildKit's own (`frontend/dockerfile/linter/ruleset.go`); the
//! explanations are ours.

use crate::diagnostic::Code;

/// One build-check rule. It serialises with its code as `name` (`stagecraft rules --format
/// json`, the JS API's `rules`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rule {
    #[serde(rename = "name")]
    pub code: Code,
    /// BuildKit's one-line description.
    pub description: &'static str,
    /// BuildKit's documentation page for the rule.
    pub url: &'static str,
    /// Off unless `# check=experimental=<name>` (or `all`) turns it on.
    pub experimental: bool,
    /// What the rule looks for.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A Dockerfile fragment that triggers it.
    pub bad: &'static str,
    /// The same fragment, fixed.
    pub good: &'static str,
}

impl Rule {
    /// The rule's name, as BuildKit spells it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.code.name()
    }
}

macro_rules! url {
    ($slug:literal) => {
        concat!("https://docs.docker.com/go/dockerfile/rule/", $slug, "/")
    };
}

/// Every rule, in BuildKit's order.
pub static RULES: &[Rule] = &[
    Rule {
        code: Code::StageNameCasing,
        description: "Stage names should be lowercase",
        url: url!("stage-name-casing"),
        experimental: false,
        what: "A stage name after AS that is not all lowercase.",
        why: "BuildKit lowercases stage names, so `--target Build` and `COPY --from=Build` find the stage anyway; writing the name as BuildKit sees it avoids the surprise.",
        bad: "FROM alpine AS BuilderBase",
        good: "FROM alpine AS builder-base",
    },
    Rule {
        code: Code::FromAsCasing,
        description: "The 'as' keyword should match the case of the 'from' keyword",
        url: url!("from-as-casing"),
        experimental: false,
        what: "`FROM ... as` or `from ... AS`: the two keywords cased differently.",
        why: "Mixed casing in one line reads like a typo; keep the keywords consistent.",
        bad: "FROM debian:latest as builder",
        good: "FROM debian:latest AS builder",
    },
    Rule {
        code: Code::NoEmptyContinuation,
        description: "Empty continuation lines will become errors in a future release",
        url: url!("no-empty-continuation"),
        experimental: false,
        what: "An empty line inside an instruction continued with the escape character.",
        why: "The empty line is silently dropped today; a future Dockerfile syntax will refuse it, and it often hides a forgotten `\\`.",
        bad: "RUN apk add \\\n\n    curl",
        good: "RUN apk add \\\n    curl",
    },
    Rule {
        code: Code::ConsistentInstructionCasing,
        description: "All commands within the Dockerfile should use the same casing (either upper or lower)",
        url: url!("consistent-instruction-casing"),
        experimental: false,
        what: "An instruction keyword whose case differs from the majority of the file's keywords.",
        why: "Instructions are case-insensitive, but one casing throughout is easier to read and to search.",
        bad: "FROM alpine\nRun echo hello",
        good: "FROM alpine\nRUN echo hello",
    },
    Rule {
        code: Code::DuplicateStageName,
        description: "Stage names should be unique",
        url: url!("duplicate-stage-name"),
        experimental: false,
        what: "Two stages with the same name.",
        why: "`--target` and `COPY --from` pick one of them by name; which one is easy to get wrong.",
        bad: "FROM debian AS builder\nFROM golang AS builder",
        good: "FROM debian AS deb-builder\nFROM golang AS go-builder",
    },
    Rule {
        code: Code::ReservedStageName,
        description: "Reserved words should not be used as stage names",
        url: url!("reserved-stage-name"),
        experimental: false,
        what: "A stage named `scratch` or `context`.",
        why: "`scratch` is the empty image and `context` the build context; a stage with either name hides them.",
        bad: "FROM alpine AS scratch",
        good: "FROM alpine AS base",
    },
    Rule {
        code: Code::JSONArgsRecommended,
        description: "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
        url: url!("json-args-recommended"),
        experimental: false,
        what: "A shell-form CMD or ENTRYPOINT while no SHELL instruction chose the shell.",
        why: "The shell form runs the command under `/bin/sh -c`: the shell is PID 1 and does not pass SIGTERM on, so `docker stop` waits and then kills the container.",
        bad: "ENTRYPOINT my-server --port 80",
        good: "ENTRYPOINT [\"my-server\", \"--port\", \"80\"]",
    },
    Rule {
        code: Code::MaintainerDeprecated,
        description: "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
        url: url!("maintainer-deprecated"),
        experimental: false,
        what: "A MAINTAINER instruction.",
        why: "MAINTAINER sets a deprecated image field; the OCI label `org.opencontainers.image.authors` replaces it.",
        bad: "MAINTAINER Moby <moby@example.com>",
        good: "LABEL org.opencontainers.image.authors=\"moby@example.com\"",
    },
    Rule {
        code: Code::UndefinedArgInFrom,
        description: "FROM command must use declared ARGs",
        url: url!("undefined-arg-in-from"),
        experimental: false,
        what: "A FROM line that uses a variable no global ARG (before the first FROM) declares.",
        why: "An undeclared variable expands to nothing, so the base image silently changes (`node:${VERSION}` becomes `node:`).",
        bad: "FROM node:22${VARIANT} AS devcontainer",
        good: "ARG VARIANT=-bookworm\nFROM node:22${VARIANT} AS devcontainer",
    },
    Rule {
        code: Code::WorkdirRelativePath,
        description: "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
        url: url!("workdir-relative-path"),
        experimental: false,
        what: "The first WORKDIR of a stage (and of the stages it is built from) is a relative path.",
        why: "A relative WORKDIR is resolved against the base image's working directory, which the Dockerfile does not control.",
        bad: "FROM nginx AS web\nWORKDIR usr/share/nginx/html",
        good: "FROM nginx AS web\nWORKDIR /usr/share/nginx/html",
    },
    Rule {
        code: Code::UndefinedVar,
        description: "Variables should be defined before their use",
        url: url!("undefined-var"),
        experimental: false,
        what: "A `$VARIABLE` in an instruction BuildKit expands, while no ENV, ARG or base-image variable defines it.",
        why: "An undefined variable expands to an empty string, which usually means a typo or an ARG that was not redeclared in the stage.",
        bad: "FROM alpine\nCOPY $foo .",
        good: "FROM alpine\nARG foo\nCOPY $foo .",
    },
    Rule {
        code: Code::MultipleInstructionsDisallowed,
        description: "Multiple instructions of the same type should not be used in the same stage",
        url: url!("multiple-instructions-disallowed"),
        experimental: false,
        what: "More than one CMD, ENTRYPOINT or HEALTHCHECK in one stage; the warning is on the one that is ignored.",
        why: "Only the last one takes effect; the others are dead code that misleads readers.",
        bad: "FROM alpine\nENTRYPOINT [\"echo\", \"hello\"]\nENTRYPOINT [\"echo\", \"world\"]",
        good: "FROM alpine\nENTRYPOINT [\"echo\", \"hello\", \"world\"]",
    },
    Rule {
        code: Code::LegacyKeyValueFormat,
        description: "Legacy key/value format with whitespace separator should not be used",
        url: url!("legacy-key-value-format"),
        experimental: false,
        what: "`ENV key value` or `LABEL key value`: the form without `=`.",
        why: "The legacy form takes one pair per instruction and everything after the first space as the value, which surprises; `key=value` is unambiguous.",
        bad: "ENV DEPS curl git",
        good: "ENV DEPS=\"curl git\"",
    },
    Rule {
        code: Code::InvalidBaseImagePlatform,
        description: "Base image platform does not match expected target platform",
        url: "https://docs.docker.com/reference/build-checks/",
        experimental: false,
        what: "A base image (known to the catalog) that exists only for another OS or architecture than the stage is built for.",
        why: "The stage then runs under emulation or fails at run time on the target machine.",
        bad: "FROM --platform=linux/arm64 some/amd64-only-image",
        good: "FROM --platform=linux/amd64 some/amd64-only-image",
    },
    Rule {
        code: Code::RedundantTargetPlatform,
        description: "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
        url: url!("redundant-target-platform"),
        experimental: false,
        what: "`FROM --platform=$TARGETPLATFORM`.",
        why: "Stages are built for the target platform by default; the flag adds nothing.",
        bad: "FROM --platform=$TARGETPLATFORM alpine AS builder",
        good: "FROM alpine AS builder",
    },
    Rule {
        code: Code::SecretsUsedInArgOrEnv,
        description: "Sensitive data should not be used in the ARG or ENV commands",
        url: url!("secrets-used-in-arg-or-env"),
        experimental: false,
        what: "An ARG or ENV whose name contains a word such as password, token, secret, key, auth or credentials.",
        why: "ARG and ENV values end up in the image's history and config, readable by anyone who pulls it; use `RUN --mount=type=secret`.",
        bad: "ARG AWS_SECRET_ACCESS_KEY",
        good: "RUN --mount=type=secret,id=aws,env=AWS_SECRET_ACCESS_KEY aws s3 cp ...",
    },
    Rule {
        code: Code::InvalidDefaultArgInFrom,
        description: "Default value for global ARG results in an empty or invalid base image name",
        url: url!("invalid-default-arg-in-from"),
        experimental: false,
        what: "A FROM line that, with the global ARGs' default values alone, names no valid image.",
        why: "The build then fails unless every user remembers to pass the right `--build-arg`.",
        bad: "ARG TAG\nFROM busybox:${TAG}",
        good: "ARG TAG=latest\nFROM busybox:${TAG}",
    },
    Rule {
        code: Code::FromPlatformFlagConstDisallowed,
        description: "FROM --platform flag should not use a constant value",
        url: url!("from-platform-flag-const-disallowed"),
        experimental: false,
        what: "`FROM --platform=` with a constant such as `linux/amd64`, in a stage whose name does not mention that OS or architecture.",
        why: "A constant platform defeats multi-platform builds: every target platform gets the same image.",
        bad: "FROM --platform=linux/amd64 alpine AS base",
        good: "FROM --platform=$BUILDPLATFORM alpine AS base",
    },
    Rule {
        code: Code::CopyIgnoredFile,
        description: "Attempting to Copy file that is excluded by .dockerignore",
        url: url!("copy-ignored-file"),
        experimental: false,
        what: "A COPY or ADD source from the build context that `.dockerignore` excludes (checked only when `.dockerignore` has no `!` exceptions).",
        why: "Excluded files are not sent to the builder, so the instruction copies nothing or fails.",
        bad: "# .dockerignore: *.md\nCOPY README.md /docs/",
        good: "# .dockerignore: *.md\n#                 !README.md\nCOPY README.md /docs/",
    },
    Rule {
        code: Code::InvalidDefinitionDescription,
        description: "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.",
        url: url!("invalid-definition-description"),
        experimental: true,
        what: "A comment right above `FROM ... AS name` or `ARG name` that does not start with the name.",
        why: "BuildKit takes `# name description` above a stage or argument as its description (shown by `--call=outline` and `targets`); other comments are not descriptions.",
        bad: "# build the app\nFROM golang AS builder",
        good: "# builder compiles the app\nFROM golang AS builder",
    },
    Rule {
        code: Code::ExposeProtoCasing,
        description: "Protocol in EXPOSE instruction should be lowercase",
        url: url!("expose-proto-casing"),
        experimental: false,
        what: "An EXPOSE port whose protocol is not lowercase, such as `80/TCP`.",
        why: "Protocols are lowercase in the image config; other casing only works because BuildKit lowercases it.",
        bad: "EXPOSE 80/TcP",
        good: "EXPOSE 80/tcp",
    },
    Rule {
        code: Code::ExposeInvalidFormat,
        description: "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
        url: url!("expose-invalid-format"),
        experimental: false,
        what: "An EXPOSE with an IP address or a `host:container` mapping.",
        why: "EXPOSE only documents the container's ports; publishing to the host is `docker run -p`'s job, and the host part is dropped.",
        bad: "EXPOSE 127.0.0.1:80:80",
        good: "EXPOSE 80",
    },
];

/// The rule behind a diagnostic code, if the code is a build check.
#[must_use]
pub fn rule(code: Code) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// The rule with a name, as written in `# check=skip=` (case-sensitive, as in BuildKit).
#[must_use]
pub fn by_name(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &str = "https://docs.docker.com/go/dockerfile/rule/";

    #[test]
    fn twenty_two_rules_with_documentation() {
        assert_eq!(RULES.len(), 22);
        for rule in RULES {
            assert!(rule.url.starts_with("https://docs.docker.com/"), "{}", rule.name());
            assert!(!rule.what.is_empty() && !rule.why.is_empty() && !rule.bad.is_empty() && !rule.good.is_empty());
            assert_eq!(rule.code.severity(), crate::Severity::Warning, "{}", rule.name());
        }
        assert!(RULES.iter().filter(|r| r.url.starts_with(DOCS)).count() == 21);
        assert_eq!(by_name("UndefinedVar").map(|r| r.code), Some(Code::UndefinedVar));
        assert!(by_name("undefinedvar").is_none());
    }
}
