//! The base-image catalog: what the planner and the simulator know about an image without
//! pulling it. For now, the image configuration (environment, working directory, user,
//! command, entrypoint, exposed ports) of the images tutorials use; file trees come with the
//! simulation layer.
//!
//! An image that is not in the catalog is unknown: layers that need its data say so rather
//! than guess (for example, `UndefinedVar` is not checked against an unknown base's
//! environment).

mod builtin;

use serde::Serialize;

use crate::plan::reference::{self, Reference};

/// The parts of an OCI image config that a Dockerfile can observe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageConfig {
    pub env: Vec<(String, String)>,
    pub working_dir: String,
    pub user: String,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub exposed_ports: Vec<String>,
    pub stop_signal: Option<String>,
    pub os: String,
    pub architectures: Vec<String>,
}

/// One catalog entry: an image (by familiar name, with the tags it answers for) and its config.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub name: String,
    /// Tags this entry stands for; empty means every tag.
    pub tags: Vec<String>,
    pub config: ImageConfig,
    /// Where the data came from.
    pub source: String,
}

/// A set of entries: the built-in one, plus any the caller adds.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
}

impl Catalog {
    /// The images shipped with Stagecraft.
    #[must_use]
    pub fn builtin() -> Self {
        Self::shared().clone()
    }

    /// The built-in catalog, built once and shared.
    #[must_use]
    pub fn shared() -> &'static Catalog {
        static BUILTIN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(|| Self { entries: builtin::entries() })
    }

    /// An empty catalog: every image is unknown.
    #[must_use]
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn add(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// Adds every entry of `other`; they win over this catalog's.
    pub fn extend(&mut self, other: &Catalog) {
        self.entries.extend(other.entries.iter().cloned());
    }

    /// The entry for an image reference: the entry with that tag, else the name's entry for
    /// every tag. Later entries (added by the caller) win.
    #[must_use]
    pub fn lookup(&self, image: &str) -> Option<&Entry> {
        let reference: Reference = reference::parse_normalized(image).ok()?;
        let name = reference.familiar_name();
        let tag = reference.tag_or_latest();
        let of_name = || self.entries.iter().rev().filter(|e| e.name == name);
        of_name().find(|e| e.tags.iter().any(|t| t == tag)).or_else(|| of_name().find(|e| e.tags.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_normalises_names() {
        let catalog = Catalog::builtin();
        for name in ["python", "python:3.13-slim", "docker.io/library/python:3", "index.docker.io/library/python"] {
            let entry = catalog.lookup(name).unwrap_or_else(|| panic!("{name}"));
            assert!(entry.config.env.iter().any(|(k, _)| k == "PYTHON_VERSION"), "{name}");
        }
        assert_eq!(
            catalog.lookup("gcr.io/distroless/static:nonroot").map(|e| e.name.as_str()),
            Some("gcr.io/distroless/static")
        );
        assert!(catalog.lookup("example.com/unknown").is_none());
        assert!(catalog.lookup("Not A Reference").is_none());
        let mut custom = Catalog::empty();
        let mut pinned = catalog.lookup("alpine").cloned().expect("alpine");
        pinned.tags = vec!["3.20".into()];
        pinned.config.user = "nobody".into();
        custom.add(pinned);
        let mut both = Catalog::builtin();
        both.extend(&custom);
        assert_eq!(both.lookup("alpine:3.20").map(|e| e.config.user.as_str()), Some("nobody"));
        assert_eq!(both.lookup("alpine:3.19").map(|e| e.config.user.as_str()), Some(""));
    }
}
