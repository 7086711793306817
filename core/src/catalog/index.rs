//! The catalog's index of base-image file trees (`core/catalog-data/index.json`): for each
//! image variant its tags, config, shell, fidelity, and the chain of listings that make its
//! tree (a full listing, then one layer listing per derived image). The core reads no files:
//! the caller hands over the listing texts (the CLI embeds them; the playground fetches them).

use super::{Catalog, Entry, ImageConfig, tree_over};
use crate::fs::Snapshot;

/// The default shell of an image, and which shell it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shell {
    /// `/bin/sh` in nearly every image; `None` when the image has no shell (scratch, distroless).
    pub path: Option<String>,
    /// `dash`, `bash` or `busybox-ash`; `None` with no shell.
    pub flavour: Option<String>,
}

impl Shell {
    /// `{"path", "flavour"}`, either absent or null.
    ///
    /// # Errors
    /// A field of the wrong type.
    pub fn from_json(value: crate::json::Value) -> Result<Self, String> {
        let mut f = crate::json::Fields::of(value).map_err(|e| format!("`shell`: {e}"))?;
        Ok(Self { path: f.opt_str("path")?, flavour: f.opt_str("flavour")? })
    }
}

/// One image variant of the index.
#[derive(Clone, Debug)]
pub struct IndexImage {
    pub name: String,
    pub tags: Vec<String>,
    /// Listing file names, the first a full tree, each next one a layer over the previous.
    pub layers: Vec<String>,
    pub config: ImageConfig,
    pub shell: Option<Shell>,
    /// `exact`, `reconstructed` or `approximated`.
    pub fidelity: String,
    pub source: String,
}

impl IndexImage {
    fn from_json(value: crate::json::Value) -> Result<Self, String> {
        let mut f = crate::json::Fields::of(value)?;
        let name = f.str("name")?;
        let mut read = || -> Result<Self, String> {
            Ok(Self {
                name: String::new(),
                tags: f.opt_strings("tags")?.ok_or("missing `tags`")?,
                layers: f.opt_strings("layers")?.ok_or("missing `layers`")?,
                config: f.take("config").map(ImageConfig::from_json).transpose()?.unwrap_or_default(),
                shell: f.take("shell").map(Shell::from_json).transpose()?,
                fidelity: f.str("fidelity")?,
                source: f.str("source")?,
            })
        };
        let image = read().map_err(|e| format!("{name}: {e}"))?;
        Ok(Self { name, ..image })
    }
}

/// The parsed index.
#[derive(Clone, Debug)]
pub struct Index {
    pub images: Vec<IndexImage>,
}

impl Index {
    /// Parses `index.json` (a JSON array of images).
    ///
    /// # Errors
    /// What is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let items = match crate::json::parse(text).map_err(|e| format!("catalog index: {e}"))? {
            crate::json::Value::Array(items) => items,
            other => return Err(format!("catalog index: expected an array, found {}", other.kind())),
        };
        let mut images = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let image = IndexImage::from_json(item).map_err(|e| format!("catalog index: image {}: {e}", i + 1))?;
            if image.layers.is_empty() {
                return Err(format!("catalog index: {} has no layers", image.name));
            }
            images.push(image);
        }
        Ok(Self { images })
    }

    /// The listing files that the images named in `needed` (familiar names) are made of.
    #[must_use]
    pub fn files_for(&self, needed: &[String]) -> Vec<&str> {
        let mut files: Vec<&str> = Vec::new();
        for image in self.images.iter().filter(|i| needed.contains(&i.name)) {
            for layer in &image.layers {
                if !files.contains(&layer.as_str()) {
                    files.push(layer);
                }
            }
        }
        files
    }
}

impl Catalog {
    /// Adds the images of `index` whose names are in `needed` (all when `needed` is `None`),
    /// building each tree from its chain of listings, which `listing` hands over by file name.
    /// Images sharing a chain prefix (every image over `debian:bookworm`) share its tree.
    ///
    /// # Errors
    /// A listing that `listing` does not have, or that does not parse (with its name and line).
    pub fn add_index(
        &mut self,
        index: &Index,
        needed: Option<&[String]>,
        listing: &mut dyn FnMut(&str) -> Option<String>,
    ) -> Result<usize, String> {
        let mut built: Vec<(Vec<String>, Snapshot)> = Vec::new();
        let mut added = 0;
        for image in &index.images {
            if needed.is_some_and(|n| !n.contains(&image.name)) {
                continue;
            }
            let mut tree = Snapshot::new();
            for depth in 1..=image.layers.len() {
                let chain = &image.layers[..depth];
                if let Some((_, done)) = built.iter().find(|(c, _)| c.as_slice() == chain) {
                    tree = done.clone();
                    continue;
                }
                let name = &image.layers[depth - 1];
                let text = listing(name).ok_or_else(|| format!("catalog: listing {name} is missing"))?;
                tree = tree_over(if depth == 1 { Snapshot::new() } else { tree }, &text)
                    .map_err(|e| format!("catalog listing {name}: {e}"))?;
                built.push((chain.to_vec(), tree.clone()));
            }
            self.entries.push(Entry {
                name: image.name.clone(),
                tags: image.tags.clone(),
                config: image.config.clone(),
                tree: Some(tree),
                source: format!("{}, {}", image.source, image.fidelity),
                shell: image.shell.clone(),
            });
            added += 1;
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"{"path": "/bin", "type": "dir", "mode": "0755"}
{"path": "/bin/sh", "type": "file", "mode": "0755", "size": 100, "sha256": "aa"}
{"path": "/etc", "type": "dir", "mode": "0755"}
{"path": "/etc/passwd", "type": "file", "mode": "0644", "content": "root:x:0:0::/root:/bin/sh\n"}
{"path": "/usr/share/doc", "type": "dir", "mode": "0755"}
{"path": "/usr/share/doc/a", "type": "file", "mode": "0644", "size": 5}
"#;

    const LAYER: &str = r#"{"path": "/etc/passwd", "type": "file", "mode": "0644", "content": "root:x:0:0::/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/bash\n"}
{"path": "/home/node", "type": "dir", "mode": "0755", "uid": 1000, "gid": 1000}
{"path": "/usr/share/doc", "type": "whiteout"}
{"path": "/bin/sh", "type": "symlink", "mode": "0777", "target": "dash"}
"#;

    const INDEX: &str = r#"[
 {"name": "base", "tags": ["1"], "layers": ["base.jsonl"], "fidelity": "exact", "source": "test base",
  "shell": {"path": "/bin/sh", "flavour": "dash"}},
 {"name": "derived", "tags": ["2", "2-slim"], "layers": ["base.jsonl", "layer.jsonl"], "fidelity": "approximated",
  "source": "test layer", "config": {"env": [["PATH", "/bin"]], "cmd": ["node"]}},
 {"name": "other", "tags": ["1"], "layers": ["missing.jsonl"], "fidelity": "exact", "source": "not loaded"}
]"#;

    #[test]
    fn derived_images_are_their_parent_plus_a_layer() {
        let index = Index::parse(INDEX).unwrap();
        assert_eq!(index.files_for(&["derived".into()]), ["base.jsonl", "layer.jsonl"]);
        let mut reads = Vec::new();
        let mut catalog = Catalog::empty();
        let needed = ["base".to_string(), "derived".to_string()];
        let added = catalog
            .add_index(&index, Some(&needed), &mut |name| {
                reads.push(name.to_string());
                match name {
                    "base.jsonl" => Some(BASE.into()),
                    "layer.jsonl" => Some(LAYER.into()),
                    _ => None,
                }
            })
            .unwrap();
        assert_eq!(added, 2);
        assert_eq!(reads, ["base.jsonl", "layer.jsonl"], "the shared base is read once");
        let base = catalog.lookup("base:1").unwrap();
        assert_eq!(base.shell.as_ref().and_then(|s| s.flavour.as_deref()), Some("dash"));
        let base_tree = base.tree.as_ref().unwrap();
        assert_eq!(base_tree.size(), 100 + 26 + 5);
        let derived = catalog.lookup("derived:2-slim").unwrap();
        assert_eq!(derived.config.cmd.as_deref(), Some(&["node".to_string()][..]));
        assert!(derived.source.ends_with("approximated"));
        let tree = derived.tree.as_ref().unwrap();
        assert!(tree.lstat("/usr/share/doc").is_none(), "the whiteout deletes the subtree");
        assert!(tree.lstat("/usr/share").is_some());
        assert_eq!(tree.lstat("/home/node").unwrap().meta.uid, 1000);
        assert_eq!(tree.lstat("/bin/sh").unwrap().kind(), crate::fs::EntryKind::Symlink);
        assert!(base_tree.lstat("/usr/share/doc/a").is_some(), "the parent is untouched");
        // A missing listing, a bad line and a whiteout of nothing are errors, with names.
        let err = Catalog::empty().add_index(&index, None, &mut |_| None).unwrap_err();
        assert!(err.contains("base.jsonl is missing"), "{err}");
        let err = tree_over(Snapshot::new(), "{\"path\": \"/x\", \"type\": \"whiteout\"}").unwrap_err();
        assert!(err.contains("line 1") && err.contains("/x"), "{err}");
        assert!(
            Index::parse(
                "[{\"name\": \"x\", \"tags\": [], \"layers\": [], \"fidelity\": \"exact\", \"source\": \"\"}]"
            )
            .is_err()
        );
    }
}
