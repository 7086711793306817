//! BuildKit's build-check rules as data: the name (which is the diagnostic code), BuildKit's
//! description and documentation URL; and, in `explanations.json`, a short explanation of
//! each (what, why, a bad and a good example) that the CLI and the playground show.
//!
//! Descriptions are BuildKit's own (`frontend/dockerfile/linter/ruleset.go`); the
//! explanations are ours. They are a JSON file rather than fields here so that the browser
//! build does not carry them: the playground bundles the same file into its JavaScript.

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
}

/// A rule explained (`explanations.json`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    /// What the rule looks for.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// A Dockerfile fragment that triggers it.
    pub bad: String,
    /// The same fragment, fixed.
    pub good: String,
}

/// The explanation of rule `name`, from `explanations.json`.
#[must_use]
pub fn explanation(name: &str) -> Option<Explanation> {
    let crate::json::Value::Object(rules) = crate::json::parse(include_str!("explanations.json")).ok()? else {
        return None;
    };
    let value = rules.into_iter().find(|(k, _)| k == name)?.1;
    let mut fields = crate::json::Fields::of(value).ok()?;
    Some(Explanation {
        what: fields.str("what").ok()?,
        why: fields.str("why").ok()?,
        bad: fields.str("bad").ok()?,
        good: fields.str("good").ok()?,
    })
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
    },
    Rule {
        code: Code::FromAsCasing,
        description: "The 'as' keyword should match the case of the 'from' keyword",
        url: url!("from-as-casing"),
        experimental: false,
    },
    Rule {
        code: Code::NoEmptyContinuation,
        description: "Empty continuation lines will become errors in a future release",
        url: url!("no-empty-continuation"),
        experimental: false,
    },
    Rule {
        code: Code::ConsistentInstructionCasing,
        description: "All commands within the Dockerfile should use the same casing (either upper or lower)",
        url: url!("consistent-instruction-casing"),
        experimental: false,
    },
    Rule {
        code: Code::DuplicateStageName,
        description: "Stage names should be unique",
        url: url!("duplicate-stage-name"),
        experimental: false,
    },
    Rule {
        code: Code::ReservedStageName,
        description: "Reserved words should not be used as stage names",
        url: url!("reserved-stage-name"),
        experimental: false,
    },
    Rule {
        code: Code::JSONArgsRecommended,
        description: "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
        url: url!("json-args-recommended"),
        experimental: false,
    },
    Rule {
        code: Code::MaintainerDeprecated,
        description: "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
        url: url!("maintainer-deprecated"),
        experimental: false,
    },
    Rule {
        code: Code::UndefinedArgInFrom,
        description: "FROM command must use declared ARGs",
        url: url!("undefined-arg-in-from"),
        experimental: false,
    },
    Rule {
        code: Code::WorkdirRelativePath,
        description: "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
        url: url!("workdir-relative-path"),
        experimental: false,
    },
    Rule {
        code: Code::UndefinedVar,
        description: "Variables should be defined before their use",
        url: url!("undefined-var"),
        experimental: false,
    },
    Rule {
        code: Code::MultipleInstructionsDisallowed,
        description: "Multiple instructions of the same type should not be used in the same stage",
        url: url!("multiple-instructions-disallowed"),
        experimental: false,
    },
    Rule {
        code: Code::LegacyKeyValueFormat,
        description: "Legacy key/value format with whitespace separator should not be used",
        url: url!("legacy-key-value-format"),
        experimental: false,
    },
    Rule {
        code: Code::InvalidBaseImagePlatform,
        description: "Base image platform does not match expected target platform",
        url: "https://docs.docker.com/reference/build-checks/",
        experimental: false,
    },
    Rule {
        code: Code::RedundantTargetPlatform,
        description: "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
        url: url!("redundant-target-platform"),
        experimental: false,
    },
    Rule {
        code: Code::SecretsUsedInArgOrEnv,
        description: "Sensitive data should not be used in the ARG or ENV commands",
        url: url!("secrets-used-in-arg-or-env"),
        experimental: false,
    },
    Rule {
        code: Code::InvalidDefaultArgInFrom,
        description: "Default value for global ARG results in an empty or invalid base image name",
        url: url!("invalid-default-arg-in-from"),
        experimental: false,
    },
    Rule {
        code: Code::FromPlatformFlagConstDisallowed,
        description: "FROM --platform flag should not use a constant value",
        url: url!("from-platform-flag-const-disallowed"),
        experimental: false,
    },
    Rule {
        code: Code::CopyIgnoredFile,
        description: "Attempting to Copy file that is excluded by .dockerignore",
        url: url!("copy-ignored-file"),
        experimental: false,
    },
    Rule {
        code: Code::InvalidDefinitionDescription,
        description: "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.",
        url: url!("invalid-definition-description"),
        experimental: true,
    },
    Rule {
        code: Code::ExposeProtoCasing,
        description: "Protocol in EXPOSE instruction should be lowercase",
        url: url!("expose-proto-casing"),
        experimental: false,
    },
    Rule {
        code: Code::ExposeInvalidFormat,
        description: "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
        url: url!("expose-invalid-format"),
        experimental: false,
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
            let e = explanation(rule.name()).unwrap_or_else(|| panic!("{} is not in explanations.json", rule.name()));
            assert!(!e.what.is_empty() && !e.why.is_empty() && !e.bad.is_empty() && !e.good.is_empty());
            assert_eq!(rule.code.severity(), crate::Severity::Warning, "{}", rule.name());
        }
        assert!(RULES.iter().filter(|r| r.url.starts_with(DOCS)).count() == 21);
        assert_eq!(by_name("UndefinedVar").map(|r| r.code), Some(Code::UndefinedVar));
        assert!(by_name("undefinedvar").is_none());
        // Nothing in explanations.json that is not a rule.
        let crate::json::Value::Object(all) = crate::json::parse(include_str!("explanations.json")).expect("json")
        else {
            panic!("explanations.json is not an object")
        };
        assert_eq!(all.len(), RULES.len());
        assert!(all.iter().all(|(name, _)| by_name(name).is_some()));
    }
}
