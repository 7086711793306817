//! Unit tests of the instruction layer: BuildKit's messages for each instruction.

use super::*;
use crate::syntax::parse;

fn lowered(text: &str) -> Instructions {
    lower(&parse(text))
}

fn messages(text: &str) -> Vec<String> {
    lowered(text).all_diagnostics().map(|d| d.message.clone()).collect()
}

#[test]
fn valid_file_has_no_diagnostics() {
    let text = "ARG V=1\nFROM alpine:$V AS build\nRUN --mount=type=cache,target=/c --network=none echo hi\n\
                COPY --from=build --chown=1:1 --link a b /dst/\nENV A=1 B=\"2 3\"\nLABEL x=y\nEXPOSE 80/tcp\n\
                USER app\nWORKDIR /app\nVOLUME [\"/data\"]\nSTOPSIGNAL SIGTERM\nSHELL [\"/bin/bash\", \"-c\"]\n\
                HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/\nONBUILD RUN make\nCMD [\"a\"]\nENTRYPOINT x\n";
    let out = lowered(text);
    assert_eq!(messages(text), Vec::<String>::new());
    assert!(out.items.iter().all(|i| i.kind != Kind::Invalid));
    let Kind::From(from) = &out.items[1].kind else { panic!() };
    assert_eq!(&*from.name.as_ref().unwrap().value, "build");
    let Kind::Healthcheck(Healthcheck::Cmd { test, interval, retries, .. }) = &out.items[12].kind else { panic!() };
    assert_eq!(test, &["CMD-SHELL", "curl -f http://x/"]);
    assert_eq!((*interval, *retries), (5_000_000_000, 3));
}

#[test]
fn unknown_instruction_and_flags() {
    assert_eq!(messages("FROM a\nRUNN x\n"), ["unknown instruction: RUNN (did you mean RUN?)"]);
    assert_eq!(messages("FROM a\nfoo x\n"), ["unknown instruction: foo (did you mean from?)"]);
    assert_eq!(messages("FROM a\nCOPY --form=b x y\n"), ["unknown flag: --form (did you mean from?)"]);
    assert_eq!(messages("FROM a\nCOPY --link=yes x y\n"), ["expecting boolean value for flag --link, not: yes"]);
    assert_eq!(messages("FROM a\nRUN --network=bridge x\n"), ["invalid network mode \"bridge\""]);
    assert_eq!(messages("FROM a\nRUN --security=Insecure x\n"), ["security \"Insecure\" is not valid"]);
    assert_eq!(messages("FROM a\nENV --x=1 a=b\n"), ["unknown flag: --x"]);
    assert!(messages("FROM a\nARG --x a\nSTOPSIGNAL --y 9\n").is_empty(), "BuildKit ignores these flags");
}

#[test]
fn arity_messages() {
    assert_eq!(messages("FROM a b\n"), ["FROM requires either one or three arguments"]);
    assert_eq!(
        messages("FROM a AS 1x\n"),
        ["invalid name for build stage: \"1x\", name can't start with a number or contain symbols"]
    );
    assert_eq!(
        messages("FROM a\nCOPY x\n"),
        ["COPY requires at least two arguments, but only one was provided. Destination could not be determined"]
    );
    assert_eq!(messages("FROM a\nUSER\n"), ["USER requires exactly one argument"]);
    assert_eq!(messages("FROM a\nENV\n"), ["ENV requires at least one argument"]);
    assert_eq!(messages("FROM a\nENV =x\n"), ["ENV names can not be blank"]);
    assert_eq!(messages("FROM a\nARG =x\n"), ["ARG names can not be blank"]);
    assert_eq!(messages("FROM a\nVOLUME [\"\"]\n"), ["VOLUME specified can not be an empty string"]);
    assert_eq!(messages("FROM a\nSHELL /bin/sh -c\n"), ["SHELL requires the arguments to be in JSON form"]);
    assert_eq!(messages("FROM a\nSHELL []\n"), ["SHELL requires at least one argument"]);
}

#[test]
fn healthcheck_messages() {
    assert_eq!(messages("FROM a\nHEALTHCHECK NONE x\n"), ["HEALTHCHECK NONE takes no arguments"]);
    assert_eq!(messages("FROM a\nHEALTHCHECK foo bar\n"), ["Unknown type \"FOO\" in HEALTHCHECK (try CMD)"]);
    assert_eq!(messages("FROM a\nHEALTHCHECK CMD\n"), ["Missing command after HEALTHCHECK CMD"]);
    assert_eq!(
        messages("FROM a\nHEALTHCHECK --interval=1us CMD x\n"),
        ["Interval \"interval\" cannot be less than 1ms"]
    );
    assert_eq!(messages("FROM a\nHEALTHCHECK --timeout=5 CMD x\n"), ["time: missing unit in duration \"5\""]);
    assert_eq!(messages("FROM a\nHEALTHCHECK --retries=-1 CMD x\n"), ["--retries cannot be negative (-1)"]);
    assert!(messages("FROM a\nHEALTHCHECK --bogus NONE\n").is_empty());
}

#[test]
fn onbuild_triggers() {
    assert_eq!(messages("FROM a\nONBUILD ONBUILD RUN x\n"), ["Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"]);
    assert_eq!(messages("FROM a\nONBUILD from b\n"), ["FROM isn't allowed as an ONBUILD trigger"]);
    assert_eq!(messages("FROM a\nONBUILD\n"), ["ONBUILD requires at least one argument"]);
    let out = lowered("FROM a\nonbuild  RUN <<EOF\nhi\nEOF\n");
    let Kind::Onbuild(onbuild) = &out.items[1].kind else { panic!() };
    assert_eq!(onbuild.expression, "RUN <<EOF\nhi\nEOF");
}

#[test]
fn copy_heredocs_and_from() {
    let out = lowered("FROM a\nCOPY <<-EOF <<B /dst/\n\t\tx\nEOF\ny\nB\n");
    let Kind::Copy(copy) = &out.items[1].kind else { panic!() };
    let contents: Vec<_> = copy
        .sources
        .iter()
        .map(|s| match s {
            Source::Heredoc(f) => f.content.as_str(),
            Source::Path(p) => p.value.as_ref(),
        })
        .collect();
    assert_eq!(contents, ["x\n", "y\n"]);
    assert_eq!(messages("FROM a\nCOPY x <<EOF\nEOF\n"), ["COPY cannot accept a heredoc as a destination"]);
    assert_eq!(
        messages("FROM a\nCOPY --from=$X a b\n"),
        [
            "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround"
        ]
    );
    assert_eq!(
        messages("FROM a\nRUN --mount=from=$S,target=/x y\n"),
        ["'from' doesn't support variable expansion, define alias stage instead"]
    );
}

#[test]
fn stage_structure() {
    assert_eq!(messages("RUN x\nFROM a\n"), ["no build stage in current context"]);
    assert_eq!(messages("ARG a=1\n"), ["dockerfile contains no stages to build"]);
}

#[test]
fn spans_point_at_tokens() {
    let text = "FROM a\nCOPY --form=b x y\n";
    let out = lowered(text);
    assert_eq!(out.diagnostics[0].span.slice(text), "--form=b");
    let text = "FROM a\nRUN --mount=type=cache,taget=/x y\n";
    let out = lowered(text);
    assert_eq!(out.items[1].dispatch_diagnostics[0].span.slice(text), "taget=/x");
}
