//! The catalog the CLI simulates with: the core's built-in image configs, plus the base-image
//! file trees shipped in `core/catalog-data` (embedded in the binary; the core itself reads
//! no files, and the browser loads them as separate assets).

use stagecraft_core::catalog::{Catalog, tree_from_listing};

const TREES: [(&str, &str, &str); 3] = [
    ("alpine", "3.18", include_str!("../../core/catalog-data/alpine-3.18.jsonl")),
    ("alpine", "3.19", include_str!("../../core/catalog-data/alpine-3.19.jsonl")),
    ("alpine", "3.20", include_str!("../../core/catalog-data/alpine-3.20.jsonl")),
];

/// The built-in catalog with every shipped file tree.
pub(crate) fn catalog() -> Result<Catalog, String> {
    let mut catalog = Catalog::builtin();
    for (name, tag, listing) in TREES {
        let tree = tree_from_listing(listing).map_err(|e| format!("catalog {name}:{tag}: {e}"))?;
        catalog.add_tree(name, tag, tree, &format!("{name} {tag} minirootfs, exact file list"));
    }
    Ok(catalog)
}
