//! `RUN --mount=...`: the CSV of `key=value` fields, read and checked as BuildKit reads and
//! checks it (`commands_runmount.go`, with the strict CSV reader of go-csvvalue).
//!
//! BuildKit parses each mount twice: while parsing instructions (only the CSV syntax and a
//! `$` in `from=` are errors there, for every stage) and again when the RUN is dispatched,
//! after expanding the values (everything else, reachable stages only). [`parse`] does the
//! second check too, on values without `$`, and marks those diagnostics as dispatch-time.

use super::goparse::{parse_bool, parse_uint};
use super::suggest::with_suggestion;
use crate::diagnostic::{Code, Diagnostic};
use crate::text::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

impl MountType {
    /// Every type, as `--mount=type=` spells it.
    pub const NAMES: [&'static str; 5] = ["bind", "cache", "tmpfs", "secret", "ssh"];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bind => "bind",
            Self::Cache => "cache",
            Self::Tmpfs => "tmpfs",
            Self::Secret => "secret",
            Self::Ssh => "ssh",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "bind" => Self::Bind,
            "cache" => Self::Cache,
            "tmpfs" => Self::Tmpfs,
            "secret" => Self::Secret,
            "ssh" => Self::Ssh,
            _ => return None,
        })
    }
}

/// One `--mount`, with values as written (expansion happens when the RUN is planned).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Mount {
    pub kind: Option<MountType>,
    /// `type=` as written when it holds a variable.
    pub kind_text: Option<String>,
    pub from: Option<String>,
    pub source: Option<String>,
    pub target: Option<String>,
    pub read_only: Option<bool>,
    pub id: Option<String>,
    pub sharing: Option<String>,
    pub required: bool,
    pub size: Option<String>,
    pub mode: Option<String>,
    pub uid: Option<String>,
    pub gid: Option<String>,
    pub env: Option<String>,
    /// The whole `--mount=...` flag word.
    pub span: Span,
    /// The span of the `from=` field, when there is one.
    pub from_span: Option<Span>,
    /// Every `key=value` field as written (values unexpanded), for dispatch-time expansion.
    pub fields: Vec<MountField>,
}

/// One `key=value` field of a `--mount` value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountField {
    /// The key, lowercased.
    pub key: String,
    pub value: String,
    /// The value's span (exact when the flag word has no quotes or escapes before it).
    pub span: Span,
}

impl Mount {
    /// The type, `bind` when none was given.
    #[must_use]
    pub fn mount_type(&self) -> MountType {
        self.kind.unwrap_or(MountType::Bind)
    }

    /// Read-only unless `rw` was given; bind, secret and ssh mounts default to read-only.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.read_only.unwrap_or(matches!(self.mount_type(), MountType::Bind | MountType::Secret | MountType::Ssh))
    }
}

const KEYS: [&str; 20] = [
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
    "readwrite",
];

/// One CSV field: its text and byte range in the flag value.
struct Field<'a> {
    text: std::borrow::Cow<'a, str>,
    start: usize,
    end: usize,
}

/// go-csvvalue in strict mode: `,`-separated fields, a field starting with `"` is quoted
/// (`""` inside is a quote), a quote inside an unquoted field is an error.
fn split_csv(input: &str) -> Result<Vec<Field<'_>>, String> {
    let body = input.strip_suffix("\r\n").or_else(|| input.strip_suffix('\n')).unwrap_or(input);
    if body.is_empty() {
        return Err("EOF".into());
    }
    let mut fields = Vec::new();
    let mut pos = 0;
    let bytes = body.as_bytes();
    loop {
        if bytes.get(pos) == Some(&b'"') {
            let start = pos;
            let mut text = String::new();
            let mut i = pos + 1;
            loop {
                let Some(q) = body[i..].find('"') else {
                    return Err(format!(
                        "parse error on line 1, column {}: extraneous or missing \" in quoted-field",
                        body.len() + 1
                    ));
                };
                text.push_str(&body[i..i + q]);
                i += q + 1;
                if bytes.get(i) == Some(&b'"') {
                    text.push('"');
                    i += 1;
                    continue;
                }
                break;
            }
            match bytes.get(i) {
                None => {
                    fields.push(Field { text: text.into(), start, end: i });
                    break;
                }
                Some(b',') => {
                    fields.push(Field { text: text.into(), start, end: i });
                    pos = i + 1;
                }
                Some(_) => {
                    return Err(format!("parse error on line 1, column {i}: extraneous or missing \" in quoted-field"));
                }
            }
        } else {
            let end = body[pos..].find(',').map_or(body.len(), |c| pos + c);
            let text = &body[pos..end];
            if let Some(q) = text.find('"') {
                return Err(format!("parse error on line 1, column {}: bare \" in non-quoted-field", pos + q + 1));
            }
            fields.push(Field { text: text.into(), start: pos, end });
            if end == body.len() {
                break;
            }
            pos = end + 1;
        }
    }
    Ok(fields)
}

/// docker/go-units `RAMInBytes`: `^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`, binary units.
fn ram_in_bytes(s: &str) -> Option<u64> {
    let number_len = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let number = &s[..number_len];
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') || number.contains("..") {
        return None;
    }
    let mut rest = s[number_len..].strip_prefix(' ').unwrap_or(&s[number_len..]);
    let mut multiplier: f64 = 1.0;
    if let Some(c) = rest.chars().next().filter(|c| "kKmMgGtTpP".contains(*c)) {
        let exponent = "kmgtp".find(c.to_ascii_lowercase()).map_or(0, |i| i + 1);
        multiplier = 1024f64.powi(i32::try_from(exponent).unwrap_or(0));
        rest = &rest[1..];
    }
    rest = rest.strip_prefix(['i', 'I']).unwrap_or(rest);
    rest = rest.strip_prefix(['b', 'B']).unwrap_or(rest);
    if !rest.is_empty() {
        return None;
    }
    // Go parses the number with ParseFloat, which takes only the first `\d+(\.\d+)?`.
    let value = crate::gostr::parse_float(&number.split('.').take(2).collect::<Vec<_>>().join("."))?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((value * multiplier) as u64)
}

fn expands(value: &str) -> bool {
    value.contains('$')
}

/// Parses one `--mount` value. Parse-time errors (CSV syntax, `from` with a variable) go to
/// `parse_errors`; the checks BuildKit makes when it dispatches the RUN go to `dispatch_errors`.
pub(crate) fn parse(
    value: &str,
    word_span: Span,
    value_span: Span,
    parse_errors: &mut Vec<Diagnostic>,
    dispatch_errors: &mut Vec<Diagnostic>,
) -> Option<Mount> {
    let fields = match split_csv(value) {
        Ok(fields) => fields,
        Err(e) => {
            parse_errors.push(Diagnostic::new(
                Code::InvalidMount,
                value_span,
                format!("failed to parse csv mounts: {e}"),
            ));
            return None;
        }
    };
    // Field spans are exact when the flag word had no quotes or escapes before the value.
    let field_span = |f: &Field<'_>| {
        let base = value_span.start as usize;
        let end = (base + f.end).min(value_span.end as usize).max(base);
        Span::new((base + f.start).min(end), end)
    };
    let mut mount = Mount { span: word_span, ..Mount::default() };
    let mut kind = MountType::Bind;
    let mut kind_unknown = false;
    let bad = |errors: &mut Vec<Diagnostic>, span: Span, message: String| {
        errors.push(Diagnostic::new(Code::InvalidMount, span, message));
    };
    for field in &fields {
        let span = field_span(field);
        let text = field.text.as_ref();
        let Some((key, val)) = text.split_once('=') else {
            match text.to_ascii_lowercase().as_str() {
                "ro" | "readonly" => mount.read_only = Some(true),
                "rw" | "readwrite" => mount.read_only = Some(false),
                "required" => {
                    if matches!(kind, MountType::Secret | MountType::Ssh) || kind_unknown {
                        mount.required = true;
                    } else {
                        bad(
                            dispatch_errors,
                            span,
                            format!("unexpected key 'required' for mount type '{}'", kind.as_str()),
                        );
                    }
                }
                _ => bad(dispatch_errors, span, format!("invalid field '{text}' must be a key=value pair")),
            }
            continue;
        };
        let key = key.to_ascii_lowercase();
        let val = val.to_string();
        let value_start = (span.start as usize + key.len() + 1).min(span.end as usize);
        mount.fields.push(MountField {
            key: key.clone(),
            value: val.clone(),
            span: Span::new(value_start, span.end as usize),
        });
        if key == "from" {
            // BuildKit refuses a variable here at parse time: stage dependencies must be static.
            if let Some(i) = val.find('$')
                && i != val.len() - 1
            {
                parse_errors.push(Diagnostic::new(
                    Code::FromVariableExpansion,
                    span,
                    "'from' doesn't support variable expansion, define alias stage instead",
                ));
            }
            mount.from = Some(val);
            mount.from_span = Some(span);
            continue;
        }
        // Values with variables can only be checked once they are expanded.
        let deferred = expands(&val);
        match key.as_str() {
            "type" => {
                if deferred {
                    kind_unknown = true;
                    mount.kind_text = Some(val);
                } else if let Some(t) = MountType::parse(&val.to_ascii_lowercase()) {
                    kind = t;
                    kind_unknown = false;
                    mount.kind = Some(t);
                } else {
                    let message = with_suggestion(
                        format!("unsupported mount type {}", crate::gostr::quote(&val)),
                        &val,
                        &MountType::NAMES,
                        true,
                    );
                    bad(dispatch_errors, span, message);
                }
            }
            "source" | "src" => mount.source = Some(val),
            "target" | "dst" | "destination" => mount.target = Some(val),
            "readonly" | "ro" | "readwrite" | "rw" => match parse_bool(&val) {
                Some(b) => mount.read_only = Some(if key.starts_with("readw") || key == "rw" { !b } else { b }),
                None if deferred => {}
                None => bad(dispatch_errors, span, format!("invalid value for {key}: {val}")),
            },
            "required" => {
                if !(matches!(kind, MountType::Secret | MountType::Ssh) || kind_unknown) {
                    bad(dispatch_errors, span, format!("unexpected key 'required' for mount type '{}'", kind.as_str()));
                } else if let Some(b) = parse_bool(&val) {
                    mount.required = b;
                } else if !deferred {
                    bad(dispatch_errors, span, format!("invalid value for required: {val}"));
                }
            }
            "size" => {
                if !(kind == MountType::Tmpfs || kind_unknown) {
                    bad(dispatch_errors, span, format!("unexpected key 'size' for mount type '{}'", kind.as_str()));
                } else if !deferred && ram_in_bytes(&val).is_none() {
                    bad(dispatch_errors, span, format!("invalid value for size: {val}"));
                }
                mount.size = Some(val);
            }
            "id" => mount.id = Some(val),
            "sharing" => {
                if !deferred && !matches!(val.to_ascii_lowercase().as_str(), "shared" | "private" | "locked") {
                    let message = with_suggestion(
                        format!("unsupported sharing value {}", crate::gostr::quote(&val)),
                        &val,
                        &["shared", "private", "locked"],
                        true,
                    );
                    bad(dispatch_errors, span, message);
                }
                mount.sharing = Some(val);
            }
            "mode" => {
                if !deferred && parse_uint(&val, 8, 32).is_none() {
                    bad(dispatch_errors, span, format!("invalid value {val} for mode"));
                }
                mount.mode = Some(val);
            }
            "uid" | "gid" => {
                if !deferred && parse_uint(&val, 10, 32).is_none() {
                    bad(dispatch_errors, span, format!("invalid value {val} for {key}"));
                }
                if key == "uid" { mount.uid = Some(val) } else { mount.gid = Some(val) }
            }
            "env" => mount.env = Some(val),
            _ => {
                let message = with_suggestion(format!("unexpected key '{key}' in '{text}'"), &key, &KEYS[..19], true);
                bad(dispatch_errors, span, message);
            }
        }
    }
    if !kind_unknown {
        let metadata_allowed = matches!(kind, MountType::Secret | MountType::Ssh | MountType::Cache);
        for (name, present) in
            [("mode", mount.mode.is_some()), ("uid", mount.uid.is_some()), ("gid", mount.gid.is_some())]
        {
            if present && !metadata_allowed {
                bad(
                    dispatch_errors,
                    value_span,
                    format!("{name} not allowed for {} type mounts", crate::gostr::quote(kind.as_str())),
                );
                break;
            }
        }
        if kind == MountType::Secret {
            if mount.from.is_some() {
                bad(dispatch_errors, value_span, "secret mount should not have a from".into());
            } else if mount.sharing.is_some() {
                bad(dispatch_errors, value_span, "secret mount should not define sharing".into());
            } else if mount.source.is_none() && mount.target.is_none() && mount.id.is_none() {
                bad(dispatch_errors, value_span, "invalid secret mount. one of source, target required".into());
            } else if mount.source.is_some() && mount.id.is_some() {
                bad(dispatch_errors, value_span, "both source and id can't be set".into());
            }
        } else if mount.sharing.is_some() && kind != MountType::Cache {
            bad(dispatch_errors, value_span, format!("invalid cache sharing set for {} mount", kind.as_str()));
        }
    }
    Some(mount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str) -> (Option<Mount>, Vec<String>, Vec<String>) {
        let (mut p, mut d) = (Vec::new(), Vec::new());
        let span = Span::new(0, value.len());
        let m = parse(value, span, span, &mut p, &mut d);
        (m, p.into_iter().map(|d| d.message).collect(), d.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn valid_mounts() {
        let (m, p, d) = check("type=cache,target=/root/.cache,sharing=locked,id=x");
        assert!(p.is_empty() && d.is_empty(), "{p:?} {d:?}");
        let m = m.unwrap();
        assert_eq!(m.mount_type(), MountType::Cache);
        assert!(!m.is_read_only());
        let (m, _, d) = check("type=secret,id=npmrc,target=/root/.npmrc,required");
        assert!(d.is_empty(), "{d:?}");
        assert!(m.unwrap().required);
        let (m, _, d) = check("type=tmpfs,target=/t,size=64m");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.unwrap().size.as_deref(), Some("64m"));
        let (m, _, _) = check("from=build,source=/out,target=/in,rw");
        let m = m.unwrap();
        assert_eq!(m.from.as_deref(), Some("build"));
        assert!(!m.is_read_only());
    }

    #[test]
    fn errors_follow_buildkit() {
        assert_eq!(check("").1, ["failed to parse csv mounts: EOF"]);
        assert_eq!(
            check("source=a\"b").1,
            ["failed to parse csv mounts: parse error on line 1, column 9: bare \" in non-quoted-field"]
        );
        assert_eq!(check("from=$STAGE").1, ["'from' doesn't support variable expansion, define alias stage instead"]);
        assert!(check("from=a$").1.is_empty());
        assert_eq!(check("type=bogus").2, ["unsupported mount type \"bogus\""]);
        assert_eq!(check("type=cahce").2, ["unsupported mount type \"cahce\" (did you mean cache?)"]);
        assert_eq!(check("taget=/x").2, ["unexpected key 'taget' in 'taget=/x' (did you mean target?)"]);
        assert_eq!(check("size=1g,type=tmpfs").2, ["unexpected key 'size' for mount type 'bind'"]);
        assert_eq!(check("type=secret,from=a,id=x").2, ["secret mount should not have a from"]);
        assert_eq!(check("type=secret").2, ["invalid secret mount. one of source, target required"]);
        assert_eq!(check("type=bind,mode=0700").2, ["mode not allowed for \"bind\" type mounts"]);
        assert_eq!(check("sharing=locked").2, ["invalid cache sharing set for bind mount"]);
        assert_eq!(check("type=cache,uid=x").2, ["invalid value x for uid"]);
        assert_eq!(check("foo").2, ["invalid field 'foo' must be a key=value pair"]);
        assert!(check("type=$T,target=/x").2.is_empty(), "deferred until expansion");
    }

    #[test]
    fn quoted_fields() {
        let (m, p, _) = check("type=bind,\"source=a,b\",target=/x");
        assert!(p.is_empty());
        assert_eq!(m.unwrap().source.as_deref(), Some("a,b"));
        assert_eq!(ram_in_bytes("1.5g"), Some(1_610_612_736));
        assert_eq!(ram_in_bytes("64 MiB"), Some(67_108_864));
        assert_eq!(ram_in_bytes("x"), None);
    }
}
