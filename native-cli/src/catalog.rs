//! The catalog the CLI simulates with: the core's built-in image configs, plus the base-image
//! file trees of `core/catalog-data` (its `index.json` and listings, embedded in the binary by
//! `build.rs`; the core itself reads no files, and the browser loads them as separate assets).

use std::io::Read as _;

use stagecraft_core::catalog::{Catalog, Index};

include!(concat!(env!("OUT_DIR"), "/catalog_data.rs"));

/// The text of an embedded listing.
fn listing(name: &str) -> Option<String> {
    let (_, packed) = LISTINGS.iter().find(|(n, _)| *n == name)?;
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(*packed).read_to_string(&mut text).ok()?;
    Some(text)
}

/// The built-in catalog with the shipped file trees of the images in `needed` (familiar
/// names; building a tree costs time, so only the trees a build uses are read).
pub(crate) fn catalog(needed: &[String]) -> Result<Catalog, String> {
    let mut catalog = Catalog::builtin();
    let index = Index::parse(INDEX)?;
    catalog.add_index(&index, Some(needed), &mut listing)?;
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listing_of_the_index_builds() {
        let index = Index::parse(INDEX).unwrap();
        let names: Vec<String> = index.images.iter().map(|i| i.name.clone()).collect();
        let mut catalog = Catalog::empty();
        assert_eq!(catalog.add_index(&index, Some(&names), &mut listing), Ok(index.images.len()));
        for image in &index.images {
            let entry = catalog.lookup(&format!("{}:{}", image.name, image.tags[0])).unwrap();
            let tree = entry.tree.as_ref().unwrap();
            assert!(tree.size() > 0, "{} has files", image.name);
            if let Some(sh) = image.shell.as_ref().and_then(|s| s.path.as_deref()) {
                assert!(tree.stat(sh).is_some(), "{}:{} has its shell {sh}", image.name, image.tags[0]);
            }
        }
    }
}
