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
        Self { entries: builtin::entries() }
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
