//! Image references (`alpine:3.20`, `ghcr.io/o/r@sha256:...`), parsed and normalised as
//! docker/distribution's `reference.ParseNormalizedNamed` does: `alpine` is
//! `docker.io/library/alpine:latest`.

use serde::Serialize;

/// A parsed, normalised image reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The registry, `docker.io` when none is written.
    pub domain: String,
    /// The repository path, `library/<name>` for official images on Docker Hub.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// The full name: `docker.io/library/alpine:3.20`, with `latest` when there is neither a
    /// tag nor a digest (`reference.TagNameOnly`).
    #[must_use]
    pub fn normalized(&self) -> String {
        let mut s = format!("{}/{}", self.domain, self.path);
        match (&self.tag, &self.digest) {
            (Some(t), _) => {
                s.push(':');
                s.push_str(t);
            }
            (None, None) => s.push_str(":latest"),
            (None, Some(_)) => {}
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The short name people write: `alpine`, `nginx`, `ghcr.io/o/r`.
    #[must_use]
    pub fn familiar_name(&self) -> String {
        if self.domain == "docker.io" {
            self.path.strip_prefix("library/").unwrap_or(&self.path).to_string()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// `reference.FamiliarString`: the familiar name with the tag and digest as written.
    #[must_use]
    pub fn familiar_string(&self) -> String {
        let mut s = self.familiar_name();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The tag, `latest` when none is written and there is no digest.
    #[must_use]
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or(if self.digest.is_some() { "" } else { "latest" })
    }
}

const INVALID: &str = "invalid reference format";

/// `path-component := [a-z0-9]+ (separator [a-z0-9]+)*`, separator `[_.]|__|[-]+`.
fn is_path_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let run = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && alnum(bytes[*i]) {
            *i += 1;
        }
        *i > start
    };
    if !run(&mut i) {
        return false;
    }
    while i < bytes.len() {
        match bytes[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if bytes.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while bytes.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if !run(&mut i) {
            return false;
        }
    }
    true
}

fn is_domain(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || s.starts_with('[') => (h, Some(p)),
        _ => (s, None),
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    }
    !host.is_empty()
        && host.split('.').all(|c| {
            let b = c.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        })
}

fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
}

fn is_digest(s: &str) -> bool {
    let Some((algorithm, hex)) = s.split_once(':') else { return false };
    let algorithm_ok = algorithm.split(['+', '.', '-', '_']).all(|c| {
        let b = c.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `reference.ParseNormalizedNamed`, with its error texts.
pub fn parse_normalized(s: &str) -> Result<Reference, String> {
    if s.is_empty() {
        return Err(format!("{INVALID}: repository name must have at least one component"));
    }
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(format!("invalid repository name ({s}), cannot specify 64-byte hexadecimal strings"));
    }
    // `splitDockerDomain` on the whole string, then the case check on the name up to the
    // first ':' (so the message names `library/Alpine`).
    {
        let remainder = match s.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':']) || first == "localhost" || crate::gostr::to_lower(first) != first =>
            {
                rest.to_string()
            }
            _ if !s.contains('/') => format!("library/{s}"),
            _ => s.to_string(),
        };
        let remote = remainder.split(':').next().unwrap_or_default();
        if crate::gostr::to_lower(remote) != remote {
            return Err(format!("{INVALID}: repository name ({remote}) must be lowercase"));
        }
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => {
            if !is_digest(d) {
                return Err(INVALID.into());
            }
            (r, Some(d.to_string()))
        }
        None => (s, None),
    };
    // A tag follows the last ':' after the last '/'.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => {
            let t = &rest[last_slash + i + 1..];
            if !is_tag(t) {
                return Err(INVALID.into());
            }
            (&rest[..last_slash + i], Some(t.to_string()))
        }
        None => (rest, None),
    };
    let (domain, remainder) = match name.split_once('/') {
        Some((first, remainder))
            if first.contains(['.', ':']) || first == "localhost" || crate::gostr::to_lower(first) != first =>
        {
            (first.to_string(), remainder.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let path =
        if domain == "docker.io" && !remainder.contains('/') { format!("library/{remainder}") } else { remainder };
    if !is_domain(&domain) || path.split('/').any(|c| !is_path_component(c)) {
        return Err(INVALID.into());
    }
    if domain.len() + 1 + path.len() > 255 {
        return Err(format!("{INVALID}: repository name must not be more than 255 characters"));
    }
    let domain = if domain == "index.docker.io" { "docker.io".to_string() } else { domain };
    Ok(Reference { domain, path, tag, digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        parse_normalized(s).map_or_else(|e| format!("error: {e}"), |r| r.normalized())
    }

    #[test]
    fn normalizes_like_docker() {
        assert_eq!(norm("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(norm("alpine:3.20"), "docker.io/library/alpine:3.20");
        assert_eq!(norm("bitnami/redis"), "docker.io/bitnami/redis:latest");
        assert_eq!(norm("ghcr.io/o/r:v1"), "ghcr.io/o/r:v1");
        assert_eq!(norm("localhost:5000/x"), "localhost:5000/x:latest");
        assert_eq!(
            norm("golang@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "docker.io/library/golang@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        );
        assert_eq!(
            parse_normalized("mcr.microsoft.com/windows/servercore:ltsc2022").unwrap().familiar_name(),
            "mcr.microsoft.com/windows/servercore"
        );
    }

    #[test]
    fn rejects_like_docker() {
        assert_eq!(norm("busybox:"), "error: invalid reference format");
        assert_eq!(
            norm("Alpine"),
            "error: invalid reference format: repository name (library/Alpine) must be lowercase"
        );
        assert_eq!(
            norm("Not_An:Image"),
            "error: invalid reference format: repository name (library/Not_An) must be lowercase"
        );
        assert_eq!(norm("ghcr.io/Org/r"), "error: invalid reference format: repository name (Org/r) must be lowercase");
        assert_eq!(norm(""), "error: invalid reference format: repository name must have at least one component");
        assert_eq!(norm("a b"), "error: invalid reference format");
        assert_eq!(norm("foo/"), "error: invalid reference format");
    }
}
