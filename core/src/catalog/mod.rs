//! The base-image catalog: what the planner and the simulator know about an image without
//! pulling it. For now, the image configuration (environment, working directory, user,
//! command, entrypoint, exposed ports) of the images tutorials use; file trees come with the
//! simulation layer.
//!
//! An image that is not in the catalog is unknown: layers that need its data say so rather
//! than guess (for example, `UndefinedVar` is not checked against an unknown base's
//! environment).

mod builtin;
mod index;
pub mod packages;

pub use index::{Index, IndexImage, Shell};
pub use packages::Packages;

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
    /// `VOLUME`s the image declares (gradle's `/home/gradle/.gradle`).
    pub volumes: Vec<String>,
    pub stop_signal: Option<String>,
    pub os: String,
    pub architectures: Vec<String>,
}

impl Default for ImageConfig {
    fn default() -> Self {
        Self::empty_linux()
    }
}

impl ImageConfig {
    /// Reads the config as the catalog stores it (the fields of this struct; `env` as
    /// `[name, value]` pairs); a field that is absent or null keeps its default.
    ///
    /// # Errors
    /// A field of the wrong type, named.
    pub fn from_json(value: crate::json::Value) -> Result<Self, String> {
        use crate::json::Value;
        let mut f = crate::json::Fields::of(value)?;
        let mut config = Self::empty_linux();
        if let Some(pairs) = f.opt_array("env")? {
            config.env = pairs
                .into_iter()
                .map(|pair| match pair {
                    Value::Array(kv) => match <[Value; 2]>::try_from(kv) {
                        Ok([Value::String(k), Value::String(v)]) => Ok((k, v)),
                        _ => Err("`env`: expected [name, value] pairs of strings".to_string()),
                    },
                    other => Err(format!("`env`: expected [name, value] pairs of strings, found {}", other.kind())),
                })
                .collect::<Result<_, _>>()?;
        }
        config.working_dir = f.opt_str("working_dir")?.unwrap_or_default();
        config.user = f.opt_str("user")?.unwrap_or_default();
        config.cmd = f.opt_strings("cmd")?;
        config.entrypoint = f.opt_strings("entrypoint")?;
        config.exposed_ports = f.opt_strings("exposed_ports")?.unwrap_or_default();
        config.volumes = f.opt_strings("volumes")?.unwrap_or_default();
        config.stop_signal = f.opt_str("stop_signal")?;
        if let Some(os) = f.opt_str("os")? {
            config.os = os;
        }
        if let Some(architectures) = f.opt_strings("architectures")? {
            config.architectures = architectures;
        }
        Ok(config)
    }

    /// A Linux image with nothing set.
    #[must_use]
    pub fn empty_linux() -> Self {
        Self {
            env: Vec::new(),
            working_dir: String::new(),
            user: String::new(),
            cmd: None,
            entrypoint: None,
            exposed_ports: Vec::new(),
            volumes: Vec::new(),
            stop_signal: None,
            os: "linux".into(),
            architectures: vec!["amd64".into(), "arm64".into()],
        }
    }
}

/// One catalog entry: an image (by familiar name, with the tags it answers for), its config
/// and, when known, its files.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub name: String,
    /// Tags this entry stands for; empty means every tag.
    pub tags: Vec<String>,
    pub config: ImageConfig,
    /// The image's root filesystem, when the catalog has it.
    #[serde(skip)]
    pub tree: Option<crate::fs::Snapshot>,
    /// Where the data came from.
    pub source: String,
    /// The image's default shell, when known.
    pub shell: Option<Shell>,
}

/// A set of entries: the built-in one, plus any the caller adds.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
    /// What Debian's packages install (the apt model's file lists), when loaded.
    packages: Option<std::sync::Arc<Packages>>,
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
        BUILTIN.get_or_init(|| Self { entries: builtin::entries(), packages: None })
    }

    /// An empty catalog: every image is unknown.
    #[must_use]
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn add(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// Adds the files of `name:tag` (with the config of the name's entry, if the catalog has
    /// one): the simulation then starts stages FROM that image with these files.
    pub fn add_tree(&mut self, name: &str, tags: &[&str], tree: crate::fs::Snapshot, source: &str) {
        let config = self
            .entries
            .iter()
            .rev()
            .find(|e| e.name == name)
            .map_or_else(ImageConfig::empty_linux, |e| e.config.clone());
        self.entries.push(Entry {
            name: name.to_string(),
            tags: tags.iter().map(ToString::to_string).collect(),
            config,
            tree: Some(tree),
            source: source.to_string(),
            shell: self.entries.iter().rev().find(|e| e.name == name).and_then(|e| e.shell.clone()),
        });
    }

    /// Adds every entry of `other`; they win over this catalog's.
    /// Does the catalog hold no image?
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn extend(&mut self, other: &Catalog) {
        self.entries.extend(other.entries.iter().cloned());
        if other.packages.is_some() {
            self.packages.clone_from(&other.packages);
        }
    }

    /// Sets the package catalog the apt model installs from.
    pub fn set_packages(&mut self, packages: Packages) {
        self.packages = Some(std::sync::Arc::new(packages));
    }

    /// The package catalog, when one was set.
    #[must_use]
    pub fn packages(&self) -> Option<&std::sync::Arc<Packages>> {
        self.packages.as_ref()
    }

    /// The entry for an image reference: the entry with that tag, else the name's entry for
    /// every tag. Later entries (added by the caller) win.
    #[must_use]
    pub fn lookup(&self, image: &str) -> Option<&Entry> {
        self.resolve(image).map(|r| r.entry)
    }

    /// The entry for an image reference, and a note when it is not the exact tag: the entry
    /// with that tag; else the nearest versioned entry of the name (the newest one not newer
    /// than the tag, else the oldest; the newest for `latest` or a word); else the name's entry
    /// for every tag. Later entries (added by the caller) win.
    #[must_use]
    pub fn resolve(&self, image: &str) -> Option<Resolution<'_>> {
        let reference: Reference = reference::parse_normalized(image).ok()?;
        let name = reference.familiar_name();
        let tag = reference.tag_or_latest();
        let of_name = || self.entries.iter().rev().filter(|e| e.name == name);
        if let Some(entry) = of_name().find(|e| e.tags.iter().any(|t| t == tag)) {
            return Some(Resolution { entry, note: None });
        }
        // Candidates are the tags of the same variant family (`12.8-slim` looks among the
        // `-slim` and `-slim-bookworm` tags, `22` among `22-bookworm`, `alpine` among the
        // `-alpine3.20` ones); when the family has none, every tag of the name.
        let family_of_tag = family(tag);
        let family_of_tag = family_of_tag.as_str();
        let of_family = |same: bool| -> Vec<(Option<Vec<u64>>, &str, &Entry)> {
            of_name()
                .filter(|e| e.tree.is_some())
                .flat_map(|e| {
                    e.tags
                        .iter()
                        .filter(move |t| !same || family(t) == family_of_tag)
                        .map(move |t| (version(t), t.as_str(), e))
                })
                .collect()
        };
        let mut candidates = of_family(true);
        if candidates.is_empty() {
            candidates = of_family(false);
        }
        let wanted = version(tag);
        let versioned = || candidates.iter().filter(|(v, _, _)| v.is_some());
        let nearest = match &wanted {
            Some(w) => versioned()
                .filter(|(v, _, _)| v.as_ref() <= Some(w))
                .max_by(|a, b| a.0.cmp(&b.0))
                .or_else(|| versioned().min_by(|a, b| a.0.cmp(&b.0))),
            None => versioned().max_by(|a, b| a.0.cmp(&b.0)),
        }
        .or_else(|| candidates.first());
        if let Some((_, nearest_tag, entry)) = nearest {
            let asked = match (&reference.tag, &reference.digest) {
                (None, Some(d)) => format!("{name}@{d}"),
                _ => format!("{name}:{tag}"),
            };
            let why = if reference.digest.is_some() {
                "pinned by digest, which the catalog cannot match"
            } else {
                "not in the catalog"
            };
            return Some(Resolution {
                entry,
                note: Some(format!("{asked} is {why}: the simulation uses {name}:{nearest_tag}, the nearest")),
            });
        }
        of_name().find(|e| e.tags.is_empty()).map(|entry| Resolution { entry, note: None })
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

/// A catalog answer: the entry, and why it is not exactly what was asked for.
#[derive(Clone, Debug)]
pub struct Resolution<'a> {
    pub entry: &'a Entry,
    pub note: Option<String>,
}

/// A tag's variant family: what follows its version, without the distribution release it is
/// built on and without channel words (`12.8-slim` and `bookworm-slim` are `slim`,
/// `22-alpine3.20` is `alpine`, `3.20`, `latest` and `bookworm` are the default, empty).
fn family(tag: &str) -> String {
    const RELEASES: &[&str] = &[
        "trixie", "bookworm", "bullseye", "buster", "stretch", "sid", "resolute", "noble", "jammy", "focal", "bionic",
    ];
    const CHANNELS: &[&str] =
        &["latest", "stable", "oldstable", "mainline", "lts", "current", "edge", "hydrogen", "iron", "jod", "krypton"];
    tag.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
        .split('-')
        .filter(|t| !t.is_empty() && !RELEASES.contains(t) && !CHANNELS.contains(t))
        .map(|t| if t.starts_with("alpine") { "alpine" } else { t })
        .collect::<Vec<_>>()
        .join("-")
}

/// The leading dotted numbers of a tag (`3.20`, `3.19.1`, `22-alpine` -> `[22]`).
fn version(tag: &str) -> Option<Vec<u64>> {
    let numeric: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let parts: Vec<u64> = numeric.split('.').filter(|p| !p.is_empty()).map_while(|p| p.parse().ok()).collect();
    (!parts.is_empty()).then_some(parts)
}

/// A catalog file: `{"schema": 1, "images": [{"name", "tags", "config", "source", "files": [listing lines]}]}`.
/// The native CLI's `image snapshot` writes them from real images; the CLI's `--catalog` and
/// the playground load them.
impl Catalog {
    /// Adds the images of a catalog file (they win over the entries already here).
    ///
    /// # Errors
    /// What is wrong with the file, with the image it is about.
    pub fn load(&mut self, text: &str) -> Result<usize, String> {
        let file = crate::json::parse(text).map_err(|e| format!("not a catalog file: {e}"))?;
        let mut f = crate::json::Fields::of(file).map_err(|e| format!("not a catalog file: {e}"))?;
        let schema = f.opt_u64("schema").map_err(|e| format!("not a catalog file: {e}"))?;
        match schema {
            Some(1) => {}
            Some(n) => return Err(format!("catalog schema {n} is not supported (this build reads schema 1)")),
            None => return Err("not a catalog file: missing `schema`".into()),
        }
        let images = f.opt_array("images").map_err(|e| format!("not a catalog file: {e}"))?;
        let images = images.ok_or("not a catalog file: missing `images`")?;
        let mut entries = Vec::with_capacity(images.len());
        for (i, image) in images.into_iter().enumerate() {
            let mut f = crate::json::Fields::of(image).map_err(|e| format!("image {}: {e}", i + 1))?;
            let name = f.str("name").map_err(|e| format!("image {}: {e}", i + 1))?;
            let mut read = || -> Result<Entry, String> {
                let tree = match f.opt_array("files")? {
                    None => None,
                    Some(lines) => {
                        let mut parsed = lines.into_iter().enumerate().map(|(i, v)| (i + 1, ListingLine::from_json(v)));
                        Some(apply_listing(crate::fs::Snapshot::new(), &mut parsed)?)
                    }
                };
                Ok(Entry {
                    name: String::new(),
                    tags: f.opt_strings("tags")?.unwrap_or_default(),
                    config: f.take("config").map(ImageConfig::from_json).transpose()?.unwrap_or_default(),
                    tree,
                    source: f.opt_str("source")?.unwrap_or_default(),
                    shell: f.take("shell").map(Shell::from_json).transpose()?,
                })
            };
            let entry = read().map_err(|e| format!("{name}: {e}"))?;
            entries.push(Entry { name, ..entry });
        }
        let count = entries.len();
        self.entries.extend(entries);
        Ok(count)
    }
}

/// One line of a file listing (`../shared/data/images/*.jsonl`, and the catalog's own trees):
/// `{"path","type":"file|dir|symlink|link","mode":"0755","uid","gid","size","sha256","content","target"}`.
#[derive(Debug)]
struct ListingLine {
    path: String,
    kind: String,
    /// Absent only on whiteouts.
    mode: String,
    uid: u32,
    gid: u32,
    size: u64,
    sha256: Option<String>,
    content: Option<String>,
    target: Option<String>,
}

impl ListingLine {
    fn from_json(value: crate::json::Value) -> Result<Self, String> {
        let mut f = crate::json::Fields::of(value)?;
        let mut id = |key: &str| -> Result<u32, String> {
            f.opt_u64(key)?.unwrap_or(0).try_into().map_err(|_| format!("`{key}`: out of range"))
        };
        let (uid, gid) = (id("uid")?, id("gid")?);
        Ok(Self {
            path: f.str("path")?,
            kind: f.str("type")?,
            mode: f.opt_str("mode")?.unwrap_or_default(),
            uid,
            gid,
            size: f.opt_u64("size")?.unwrap_or(0),
            sha256: f.opt_str("sha256")?,
            content: f.opt_str("content")?,
            target: f.opt_str("target")?,
        })
    }
}

/// A root filesystem from a file listing, one JSON object per line. Files with `content`
/// hold those bytes; others are synthetic, identified by their digest (or path) and size.
///
/// # Errors
/// The line number and what is wrong with it.
pub fn tree_from_listing(text: &str) -> Result<crate::fs::Snapshot, String> {
    tree_over(crate::fs::Snapshot::new(), text)
}

/// `base` with a layer applied: a listing of what the layer adds or changes (an entry listed
/// again replaces the old one; a directory replaced by something else takes its subtree
/// with it), and `{"path", "type": "whiteout"}` for what it deletes (with everything below
/// it). This is how derived images are stored: `node:22-bookworm-slim` is the
/// `debian:bookworm-slim` tree plus the node layer, sharing the base's unchanged subtrees.
///
/// # Errors
/// The line number and what is wrong with it.
pub fn tree_over(base: crate::fs::Snapshot, text: &str) -> Result<crate::fs::Snapshot, String> {
    let mut lines =
        text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, line)| {
            (i + 1, crate::json::parse(line).map_err(|e| e.to_string()).and_then(ListingLine::from_json))
        });
    apply_listing(base, &mut lines)
}

/// `base` with the listing's lines applied (each with its line number), one at a time, so the
/// first line in error is the one named.
fn apply_listing(
    base: crate::fs::Snapshot,
    lines: &mut dyn Iterator<Item = (usize, Result<ListingLine, String>)>,
) -> Result<crate::fs::Snapshot, String> {
    use crate::fs::{Content, Entry, Meta};
    let mut tree = base;
    let mut last_link = None;
    for (number, line) in lines {
        let at = |e: String| format!("line {number}: {e}");
        let l = line.map_err(at)?;
        if l.kind == "whiteout" {
            if tree.lstat(&l.path).is_none() {
                return Err(at(format!("whiteout of {}, which the base does not have", l.path)));
            }
            tree.remove(&l.path).map_err(|e| at(e.to_string()))?;
            continue;
        }
        if l.kind != "dir" && tree.lstat(&l.path).is_some_and(|e| e.is_dir()) {
            tree.remove(&l.path).map_err(|e| at(e.to_string()))?;
        }
        let mode = u32::from_str_radix(&l.mode, 8).map_err(|e| at(format!("mode {}: {e}", l.mode)))?;
        let meta = Meta::new(mode, l.uid, l.gid);
        let entry = match l.kind.as_str() {
            "dir" => {
                tree.mkdir_all(&l.path, meta).map_err(|e| at(e.to_string()))?;
                // An existing directory (made as a parent earlier) takes its own metadata.
                if let Some(existing) = tree.lstat(&l.path) { Entry { meta, ..existing } } else { Entry::dir(meta) }
            }
            "file" => match l.content {
                Some(text) => Entry::file(Content::bytes(text.into_bytes()), meta),
                None => Entry::file(Content::synthetic(l.size, l.sha256.unwrap_or_else(|| l.path.clone())), meta),
            },
            "symlink" => Entry::symlink(l.target.ok_or_else(|| at("a symlink without target".into()))?, meta),
            "hardlink" | "link" => {
                let target = l.target.ok_or_else(|| at("a hard link without target".into()))?;
                let linked = tree.lstat(&target).ok_or_else(|| at(format!("hard link to missing {target}")))?;
                let crate::fs::Node::File { content, link } = linked.node else {
                    return Err(at(format!("hard link to {target}, which is not a file")));
                };
                // Both names share one file: give the group an id (the target's, or a new one).
                let id = link.unwrap_or_else(|| {
                    let id = last_link.unwrap_or_else(|| max_link(&tree)) + 1;
                    last_link = Some(id);
                    id
                });
                tree.insert(
                    &target,
                    Entry {
                        node: crate::fs::Node::File { content: content.clone(), link: Some(id) },
                        meta: linked.meta,
                    },
                )
                .map_err(|e| at(e.to_string()))?;
                Entry { node: crate::fs::Node::File { content, link: Some(id) }, meta }
            }
            other => return Err(at(format!("unknown type {other}"))),
        };
        let parent = l.path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        tree.mkdir_all(parent, Meta::DIR).map_err(|e| at(e.to_string()))?;
        tree.insert(&l.path, entry).map_err(|e| at(e.to_string()))?;
    }
    Ok(tree)
}

/// The largest hard-link group id in `tree` (0 when there is none): new groups count up from it.
fn max_link(tree: &crate::fs::Snapshot) -> u64 {
    tree.walk("/")
        .iter()
        .filter_map(|(_, e)| match e.node {
            crate::fs::Node::File { link, .. } => link,
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod listing_tests {
    use super::*;

    #[test]
    fn listings_become_trees() {
        let text = r#"{"gid": 0, "mode": "0755", "path": "/bin", "type": "dir", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/bin/busybox", "sha256": "42de", "size": 808712, "type": "file", "uid": 0}
{"gid": 0, "mode": "0777", "path": "/bin/sh", "target": "/bin/busybox", "type": "symlink", "uid": 0}
{"content": "3.20.3\n", "gid": 0, "mode": "0644", "path": "/etc/alpine-release", "size": 7, "type": "file", "uid": 0}
{"gid": 0, "mode": "1777", "path": "/tmp", "type": "dir", "uid": 0}
"#;
        let tree = tree_from_listing(text).unwrap();
        assert_eq!(tree.stat("/bin/sh").unwrap().size(), 808_712);
        assert_eq!(tree.stat("/tmp").unwrap().meta.mode, 0o1777);
        assert_eq!(tree.stat("/etc/alpine-release").unwrap().size(), 7);
        assert_eq!(tree.size(), 808_712 + 7);
        assert!(
            tree_from_listing("{\"path\": \"/x\", \"type\": \"fifo\", \"mode\": \"0644\"}")
                .unwrap_err()
                .starts_with("line 1:")
        );
        assert!(tree_from_listing("not json").is_err());
        let links = tree_from_listing(
            "{\"path\": \"/a\", \"type\": \"file\", \"mode\": \"0755\", \"size\": 5}\n{\"path\": \"/b\", \"type\": \"hardlink\", \"mode\": \"0755\", \"target\": \"/a\"}\n",
        )
        .unwrap();
        assert_eq!(links.size(), 5, "hard links count once");
    }

    #[test]
    fn catalog_files_add_images() {
        let mut catalog = Catalog::empty();
        let text = r#"{"schema": 1, "images": [
            {"name": "example.com/tools", "tags": ["1.0"], "source": "image snapshot",
             "config": {"env": [["PATH", "/usr/bin"]], "cmd": ["tool"], "architectures": ["arm64"]},
             "files": [{"path": "/usr/bin/tool", "type": "file", "mode": "0755", "size": 42, "sha256": "ab"}]},
            {"name": "configonly"}
        ]}"#;
        assert_eq!(catalog.load(text), Ok(2));
        let tools = catalog.lookup("example.com/tools:1.0").unwrap();
        assert_eq!(tools.config.cmd.as_deref(), Some(&["tool".to_string()][..]));
        assert_eq!(tools.config.os, "linux");
        assert_eq!(tools.tree.as_ref().unwrap().stat("/usr/bin/tool").unwrap().size(), 42);
        assert!(catalog.lookup("configonly").unwrap().tree.is_none());
        assert!(catalog.load("{\"schema\": 2, \"images\": []}").unwrap_err().contains("schema 2"));
        assert!(catalog.load("[]").is_err());
    }

    #[test]
    fn the_nearest_tag_stands_in() {
        let mut catalog = Catalog::builtin();
        for tag in ["3.18", "3.19", "3.20"] {
            let mut e = catalog.lookup("alpine").cloned().unwrap();
            e.tags = vec![tag.into()];
            e.tree = Some(crate::fs::Snapshot::new());
            e.source = format!("minirootfs {tag}");
            catalog.add(e);
        }
        let pick = |image: &str| catalog.resolve(image).map(|r| (r.entry.tags.join(","), r.note.is_some()));
        assert_eq!(pick("alpine:3.19"), Some(("3.19".into(), false)));
        assert_eq!(pick("alpine:3.19.4"), Some(("3.19".into(), true)));
        assert_eq!(pick("alpine:3.4"), Some(("3.18".into(), true)));
        assert_eq!(pick("alpine:3.22"), Some(("3.20".into(), true)));
        assert_eq!(pick("alpine"), Some(("3.20".into(), true)));
        assert_eq!(
            catalog.resolve("alpine:edge").and_then(|r| r.note),
            Some("alpine:edge is not in the catalog: the simulation uses alpine:3.20, the nearest".into())
        );
        let pinned = format!("alpine@sha256:{}", "0".repeat(64));
        assert_eq!(
            catalog.resolve(&pinned).and_then(|r| r.note),
            Some(format!(
                "{pinned} is pinned by digest, which the catalog cannot match: the simulation uses alpine:3.20, the nearest"
            ))
        );
        // Variants look among their own kind.
        let mut debian = Catalog::builtin();
        for (tags, id) in [(&["bookworm", "12"][..], "full"), (&["bookworm-slim", "12-slim"][..], "slim")] {
            let mut e = debian.lookup("debian").cloned().unwrap();
            e.tags = tags.iter().map(ToString::to_string).collect();
            e.tree = Some(crate::fs::Snapshot::new());
            e.source = id.into();
            debian.add(e);
        }
        let source = |image: &str| debian.resolve(image).map(|r| r.entry.source.clone());
        assert_eq!(source("debian:12.8"), Some("full".into()));
        assert_eq!(source("debian:12.8-slim"), Some("slim".into()));
        assert_eq!(source("debian:bookworm-slim"), Some("slim".into()));
        // An image without versioned trees keeps its config-only entry.
        assert_eq!(catalog.resolve("nginx:1.27").map(|r| (r.entry.tree.is_none(), r.note)), Some((true, None)));
        // Tags name the release a variant is built on; a tag without it finds its family.
        let mut node = Catalog::builtin();
        for (tags, id) in [
            (&["22.23.3-bookworm", "22-bookworm", "jod-bookworm"][..], "default"),
            (&["22.23.3-bookworm-slim", "22-bookworm-slim"][..], "slim"),
            (&["22.23.3-alpine", "22-alpine", "jod-alpine"][..], "alpine"),
        ] {
            let mut e = node.lookup("node").cloned().unwrap();
            e.tags = tags.iter().map(ToString::to_string).collect();
            e.tree = Some(crate::fs::Snapshot::new());
            e.source = id.into();
            node.add(e);
        }
        let pick = |image: &str| node.resolve(image).map(|r| (r.entry.source.clone(), r.note.is_some()));
        assert_eq!(pick("node:22-bookworm"), Some(("default".into(), false)));
        for (image, id) in [
            ("node", "default"),
            ("node:22", "default"),
            ("node:20", "default"),
            ("node:lts", "default"),
            ("node:22.1-trixie", "default"),
            ("node:22-slim", "slim"),
            ("node:slim", "slim"),
            ("node:20-alpine3.19", "alpine"),
            ("node:alpine", "alpine"),
            ("node:lts-alpine", "alpine"),
            // No family of its own: the nearest tag of any family, still with a note.
            ("node:22-windowsservercore", "default"),
        ] {
            assert_eq!(pick(image), Some((id.into(), true)), "{image}");
        }
        assert_eq!(family("3.12.1-slim-bookworm"), "slim");
        assert_eq!(family("10.1-jdk17-temurin-jammy"), "jdk17-temurin");
        assert_eq!(family("latest"), "");
    }
}
