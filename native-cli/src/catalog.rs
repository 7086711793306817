//! The catalog the CLI simulates with: the core's built-in image configs, plus the base-image
//! file trees of `core/catalog-data` (its `index.json` and listings, embedded in the binary by
//! `build.rs`; the core itself reads no files, and the browser loads them as separate assets).

use std::io::Read as _;

use stagecraft_core::catalog::{Catalog, Index, Packages};

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
    catalog.set_packages(packages()?);
    Ok(catalog)
}

/// The embedded package catalog (what Debian's packages install, for the apt model).
pub(crate) fn packages() -> Result<Packages, String> {
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(PACKAGES)
        .read_to_string(&mut text)
        .map_err(|e| format!("the embedded package catalog: {e}"))?;
    Packages::parse(&text)
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

    /// The paths a user looks for in each image are there, with the type a real image has.
    #[test]
    fn the_paths_users_look_for_are_there() {
        const PATHS: &[(&str, &str, &str)] = &[
            ("alpine:3.20", "/etc/alpine-release", "file"),
            ("debian:bookworm", "/etc/os-release", "symlink"),
            ("debian:bookworm-slim", "/usr/bin/apt-get", "file"),
            ("busybox", "/bin/busybox", "file"),
            ("gcr.io/distroless/static-debian12", "/etc/ssl/certs/ca-certificates.crt", "file"),
            ("ubuntu:24.04", "/etc/lsb-release", "file"),
            ("ubuntu:22.04", "/usr/bin/bash", "file"),
            ("eclipse-temurin:21-jdk", "/opt/java/openjdk/bin/javac", "file"),
            ("eclipse-temurin:21-jre", "/opt/java/openjdk/bin/java", "file"),
            ("maven:3.9-eclipse-temurin-21", "/usr/share/maven/bin/mvn", "file"),
            ("gradle:jdk21", "/opt/gradle/bin/gradle", "file"),
            ("tomcat:10.1-jdk17", "/usr/local/tomcat/webapps", "dir"),
            ("tomcat:10.1-jdk17", "/usr/local/tomcat/conf/server.xml", "file"),
            ("buildpack-deps:bookworm", "/usr/bin/gcc", "symlink"),
            ("node:22-bookworm", "/usr/local/bin/node", "file"),
            ("node:22-bookworm-slim", "/usr/local/bin/docker-entrypoint.sh", "file"),
            ("node:22-alpine", "/usr/local/bin/npm", "symlink"),
            ("python:3.12-slim-bookworm", "/usr/local/bin/python3", "symlink"),
            ("python:3.12-bookworm", "/usr/local/lib/libpython3.12.so.1.0", "file"),
            ("python:3.12-alpine", "/usr/local/bin/pip", "symlink"),
            ("nginx:1.27", "/etc/nginx/nginx.conf", "file"),
            ("nginx:1.27", "/usr/share/nginx/html/index.html", "file"),
            ("nginx:1.27", "/docker-entrypoint.sh", "file"),
            ("golang:1.27-bookworm", "/usr/local/go/bin/go", "file"),
            ("golang:1.27-alpine", "/go/bin", "dir"),
            ("rust:1-bookworm", "/usr/local/cargo/bin/cargo", "file"),
            ("rust:1-slim-bookworm", "/usr/local/rustup/settings.toml", "file"),
            ("rust:1-alpine", "/usr/local/cargo/bin/rustc", "file"),
        ];
        let names: Vec<String> = PATHS.iter().map(|(r, _, _)| r.split(':').next().unwrap().to_string()).collect();
        let catalog = catalog(&names).unwrap();
        for (reference, path, kind) in PATHS {
            let entry = catalog.lookup(reference).unwrap_or_else(|| panic!("{reference} is in the catalog"));
            let tree = entry.tree.as_ref().unwrap_or_else(|| panic!("{reference} has a tree"));
            let found = tree.lstat(path).unwrap_or_else(|| panic!("{reference} has {path}"));
            let is = match found.node {
                stagecraft_core::fs::Node::Dir(_) => "dir",
                stagecraft_core::fs::Node::File { .. } => "file",
                stagecraft_core::fs::Node::Symlink(_) => "symlink",
            };
            assert_eq!(is, *kind, "{reference}: {path}");
        }
    }
}
