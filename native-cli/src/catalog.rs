//! The catalog the CLI simulates with: the core's built-in image configs, plus the base-image
//! file trees shipped in `core/catalog-data` (embedded in the binary; the core itself reads
//! no files, and the browser loads them as separate assets).

use stagecraft_core::catalog::{Catalog, tree_from_listing};

/// Image name, the tags a tree stands for, the listing, and how it was made.
type Tree = (&'static str, &'static [&'static str], &'static str, &'static str);

const TREES: [Tree; 9] = [
    ("alpine", &["3.18"], include_str!("../../core/catalog-data/alpine-3.18.jsonl"), "alpine 3.18 minirootfs, exact"),
    ("alpine", &["3.19"], include_str!("../../core/catalog-data/alpine-3.19.jsonl"), "alpine 3.19 minirootfs, exact"),
    (
        "alpine",
        &["3.20", "latest"],
        include_str!("../../core/catalog-data/alpine-3.20.jsonl"),
        "alpine 3.20 minirootfs, exact",
    ),
    (
        "debian",
        &["bookworm", "12", "stable", "latest"],
        include_str!("../../core/catalog-data/debian-bookworm.jsonl"),
        "debian bookworm, reconstructed from its packages",
    ),
    (
        "debian",
        &["bookworm-slim", "12-slim", "stable-slim"],
        include_str!("../../core/catalog-data/debian-bookworm-slim.jsonl"),
        "debian bookworm-slim, reconstructed from its packages",
    ),
    (
        "busybox",
        &["1.35", "latest", "glibc", "stable"],
        include_str!("../../core/catalog-data/busybox-1.35.jsonl"),
        "busybox 1.35 (glibc), reconstructed",
    ),
    (
        "gcr.io/distroless/static-debian12",
        &["latest", "12"],
        include_str!("../../core/catalog-data/distroless-static-debian12.jsonl"),
        "distroless static (debian12), reconstructed from its packages",
    ),
    (
        "gcr.io/distroless/static",
        &["latest"],
        include_str!("../../core/catalog-data/distroless-static-debian12.jsonl"),
        "distroless static (debian12), reconstructed from its packages",
    ),
    (
        "gcr.io/distroless/base-debian12",
        &["latest", "12"],
        include_str!("../../core/catalog-data/distroless-base-debian12.jsonl"),
        "distroless base (debian12), reconstructed from its packages",
    ),
];

/// The built-in catalog with the shipped file trees of the images in `needed` (familiar
/// names; parsing a tree costs time, so only the trees a build uses are read).
pub(crate) fn catalog(needed: &[String]) -> Result<Catalog, String> {
    let mut catalog = Catalog::builtin();
    // The debian12 names share the config of the built-in distroless entries.
    for (alias, of) in [
        ("gcr.io/distroless/static-debian12", "gcr.io/distroless/static"),
        ("gcr.io/distroless/base-debian12", "gcr.io/distroless/base"),
    ] {
        if let Some(mut entry) = catalog.lookup(of).cloned() {
            entry.name = alias.to_string();
            catalog.add(entry);
        }
    }
    for (name, tags, listing, source) in TREES {
        if !needed.iter().any(|n| n == name) {
            continue;
        }
        let tree = tree_from_listing(listing).map_err(|e| format!("catalog {name}: {e}"))?;
        catalog.add_tree(name, tags, tree, source);
        // distroless `:nonroot` is the same files, run as 65532 in /home/nonroot.
        if name.starts_with("gcr.io/distroless/")
            && let Some(mut nonroot) = catalog.lookup(&format!("{name}:latest")).cloned()
        {
            nonroot.tags = vec!["nonroot".into()];
            nonroot.config.user = "65532".into();
            nonroot.config.working_dir = "/home/nonroot".into();
            catalog.add(nonroot);
        }
    }
    Ok(catalog)
}
