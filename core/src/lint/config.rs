//! Which build checks run: the `# check=` directive or the `BUILDKIT_DOCKERFILE_CHECK` build
//! argument, parsed as BuildKit's `linter.ParseLintOptions` does.

use super::rules::Rule;

/// `skip=`, `error=` and `experimental=`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintConfig {
    pub skip_all: bool,
    pub skip: crate::sort::Names,
    pub experimental_all: bool,
    pub experimental: crate::sort::Names,
    /// `error=true`: any warning fails the build.
    pub error: bool,
}

impl LintConfig {
    /// Parses a check string such as `skip=JSONArgsRecommended,StageNameCasing;error=true`.
    ///
    /// # Errors
    /// BuildKit's message for an option it does not know or a bad `error=` value.
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        let mut config = Self::default();
        if input.is_empty() {
            return Ok(config);
        }
        // BuildKit splits into at most three parts; a fourth option stays inside the third.
        for part in input.splitn(3, ';') {
            let Some((key, value)) = part.split_once('=') else {
                return Err(format!("invalid check option {}", crate::gostr::quote(part)));
            };
            let list = |value: &str| -> (bool, crate::sort::Names) {
                let value = value.trim();
                if value == "all" {
                    (true, crate::sort::Names::new())
                } else {
                    let mut rules = crate::sort::Names::new();
                    rules.extend(value.split(',').map(|r| r.trim().to_string()));
                    (false, rules)
                }
            };
            match key.trim() {
                "skip" => (config.skip_all, config.skip) = list(value),
                "experimental" => (config.experimental_all, config.experimental) = list(value),
                "error" => {
                    config.error = crate::instructions::goparse::parse_bool(value.trim()).ok_or_else(|| {
                        format!(
                            "failed to parse check option {}: strconv.ParseBool: parsing {}: invalid syntax",
                            crate::gostr::quote(part),
                            crate::gostr::quote(value.trim())
                        )
                    })?;
                }
                other => return Err(format!("invalid check option {}", crate::gostr::quote(other))),
            }
        }
        // Naming an experimental rule also takes it out of the skip list.
        for rule in &config.experimental {
            config.skip.remove(rule);
        }
        Ok(config)
    }

    /// Does BuildKit report this rule under this configuration?
    #[must_use]
    pub fn enabled(&self, rule: &Rule) -> bool {
        if rule.experimental {
            self.experimental_all || self.experimental.contains(rule.name())
        } else {
            !(self.skip_all || self.skip.contains(rule.name()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::lint::rules::rule;

    #[test]
    fn parses_buildkit_check_strings() {
        let c = LintConfig::parse(" skip = JSONArgsRecommended, StageNameCasing ; error=true").unwrap();
        assert!(c.error);
        assert!(!c.enabled(rule(Code::JSONArgsRecommended).unwrap()));
        assert!(!c.enabled(rule(Code::StageNameCasing).unwrap()));
        assert!(c.enabled(rule(Code::UndefinedVar).unwrap()));
        assert!(!c.enabled(rule(Code::InvalidDefinitionDescription).unwrap()));

        let all = LintConfig::parse("skip=all;experimental=all").unwrap();
        assert!(!all.enabled(rule(Code::UndefinedVar).unwrap()));
        assert!(all.enabled(rule(Code::InvalidDefinitionDescription).unwrap()));

        let exp =
            LintConfig::parse("skip=InvalidDefinitionDescription;experimental=InvalidDefinitionDescription").unwrap();
        assert!(exp.enabled(rule(Code::InvalidDefinitionDescription).unwrap()));

        assert_eq!(LintConfig::parse("").unwrap(), LintConfig::default());
        assert_eq!(LintConfig::parse("bogus").unwrap_err(), "invalid check option \"bogus\"");
        assert_eq!(LintConfig::parse("warn=1").unwrap_err(), "invalid check option \"warn\"");
        assert!(LintConfig::parse("error=maybe").unwrap_err().contains("failed to parse check option"));
        assert!(LintConfig::parse("error=1").unwrap().error);
    }
}
