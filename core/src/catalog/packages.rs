//! The package catalog: what Debian packages install, file by file, read from the real `.deb`
//! files by `cargo xtask packages` (`core/catalog-data/packages/`, whose README gives the
//! format). The RUN interpreter's apt model installs a package and its dependencies from it:
//! the real paths, modes, sizes and links, and the `.list` records dpkg writes.
//!
//! The text is kept as it is and indexed by package: a package's entries are read when it is
//! installed, so a catalog of thousands of files costs one pass to load.

use std::sync::Arc;

/// A package catalog (one distribution release).
#[derive(Clone, Debug)]
pub struct Packages {
    text: Arc<str>,
    /// Each package's name and the byte range of its block (the `package` line and those after
    /// it), sorted by name.
    index: Vec<(Arc<str>, usize, usize)>,
}

/// One package of the catalog.
#[derive(Clone, Debug)]
pub struct Package<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// The first alternative of each `Depends` and `Pre-Depends` entry.
    pub depends: Vec<&'a str>,
    /// The first alternative of each `Recommends` entry (apt installs them unless told not to).
    pub recommends: Vec<&'a str>,
    block: &'a str,
}

/// One entry of a package's data archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageEntry<'a> {
    Dir { path: &'a str, mode: u32, owner: (u32, u32) },
    File { path: &'a str, mode: u32, size: u64, owner: (u32, u32) },
    Symlink { path: &'a str, target: &'a str },
    Hardlink { path: &'a str, target: &'a str },
}

impl PackageEntry<'_> {
    #[must_use]
    pub fn path(&self) -> &str {
        match self {
            Self::Dir { path, .. }
            | Self::File { path, .. }
            | Self::Symlink { path, .. }
            | Self::Hardlink { path, .. } => path,
        }
    }
}

fn owner(field: Option<&str>) -> Option<(u32, u32)> {
    match field {
        None => Some((0, 0)),
        Some(f) => {
            let (u, g) = f.split_once(':')?;
            Some((u.parse().ok()?, g.parse().ok()?))
        }
    }
}

/// One entry line (`d`, `f`, `l`, `h`), or `None` when it is not one.
fn entry(line: &str) -> Option<PackageEntry<'_>> {
    let mut f = line.split('\t');
    let kind = f.next()?;
    let absolute = |p: &str| p.starts_with('/');
    let e = match kind {
        "d" => {
            let mode = u32::from_str_radix(f.next()?, 8).ok()?;
            let path = f.next().filter(|p| absolute(p))?;
            PackageEntry::Dir { path, mode, owner: owner(f.next())? }
        }
        "f" => {
            let mode = u32::from_str_radix(f.next()?, 8).ok()?;
            let size = f.next()?.parse().ok()?;
            let path = f.next().filter(|p| absolute(p))?;
            PackageEntry::File { path, mode, size, owner: owner(f.next())? }
        }
        "l" => PackageEntry::Symlink { path: f.next().filter(|p| absolute(p))?, target: f.next()? },
        "h" => PackageEntry::Hardlink { path: f.next().filter(|p| absolute(p))?, target: f.next()? },
        _ => return None,
    };
    f.next().is_none().then_some(e)
}

impl Packages {
    /// Reads a catalog, checking every line.
    ///
    /// # Errors
    /// A line of no known form, an entry before the first `package` line, or a package given
    /// twice, with its line number.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut index: Vec<(Arc<str>, usize, usize)> = Vec::new();
        let mut offset = 0;
        for (n, line) in text.split_inclusive('\n').enumerate() {
            let start = offset;
            offset += line.len();
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || format!("packages line {}: {}", n + 1, line.chars().take(80).collect::<String>());
            if let Some(rest) = line.strip_prefix("package\t") {
                let name = rest.split('\t').next().filter(|n| !n.is_empty()).ok_or_else(bad)?;
                if rest.split('\t').count() < 2 {
                    return Err(bad());
                }
                if let Some(last) = index.last_mut() {
                    last.2 = start;
                }
                index.push((name.into(), start, text.len()));
                continue;
            }
            if index.is_empty() {
                return Err(format!("packages line {}: an entry before the first package line", n + 1));
            }
            if !(line.starts_with("depends\t") || line.starts_with("recommends\t") || entry(line).is_some()) {
                return Err(bad());
            }
        }
        crate::sort::sort_by(&mut index, |a, b| a.0.cmp(&b.0));
        if let Some(w) = index.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format!("packages: {} is given twice", w[0].0));
        }
        Ok(Self { text: text.into(), index })
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The package `name`, when the catalog has it.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Package<'_>> {
        let i = self.index.binary_search_by(|(n, _, _)| n.as_ref().cmp(name)).ok()?;
        let (_, start, end) = &self.index[i];
        let block = &self.text[*start..*end];
        let mut lines = block.lines();
        let mut head = lines.next()?.split('\t').skip(1);
        let (name, version) = (head.next()?, head.next()?);
        let mut package = Package { name, version, depends: Vec::new(), recommends: Vec::new(), block };
        for line in lines {
            if let Some(rest) = line.strip_prefix("depends\t") {
                package.depends.extend(rest.split('\t'));
            } else if let Some(rest) = line.strip_prefix("recommends\t") {
                package.recommends.extend(rest.split('\t'));
            }
        }
        Some(package)
    }
}

impl<'a> Package<'a> {
    /// The package's entries, in the order of its data archive.
    pub fn entries(&self) -> impl Iterator<Item = PackageEntry<'a>> + 'a {
        self.block.lines().skip(1).filter_map(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# a comment\n\
package\tcurl\t7.88.1-10+deb12u15\tabc\n\
depends\tlibc6\tlibcurl4\tzlib1g\n\
d\t755\t/usr\n\
d\t755\t/usr/bin\n\
f\t755\t280000\t/usr/bin/curl\n\
l\t/usr/bin/curl-link\tcurl\n\
package\tlibcurl4\t7.88.1\tdef\n\
recommends\tca-certificates\n\
f\t644\t12\t/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0\t0:0\n\
h\t/usr/lib/x86_64-linux-gnu/copy\t/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0\n";

    #[test]
    fn a_catalog_is_read_and_indexed_by_package() {
        let p = Packages::parse(SAMPLE).unwrap();
        assert_eq!(p.len(), 2);
        let curl = p.get("curl").unwrap();
        assert_eq!(curl.version, "7.88.1-10+deb12u15");
        assert_eq!(curl.depends, ["libc6", "libcurl4", "zlib1g"]);
        assert!(curl.recommends.is_empty());
        let entries: Vec<_> = curl.entries().collect();
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[2], PackageEntry::File { path: "/usr/bin/curl", mode: 0o755, size: 280_000, owner: (0, 0) });
        assert_eq!(entries[3], PackageEntry::Symlink { path: "/usr/bin/curl-link", target: "curl" });
        let lib = p.get("libcurl4").unwrap();
        assert_eq!(lib.recommends, ["ca-certificates"]);
        assert_eq!(lib.entries().count(), 2);
        assert!(p.get("wget").is_none());
    }

    #[test]
    fn a_bad_line_is_an_error_with_its_number() {
        let e = Packages::parse("package\tx\t1\ts\nf\t644\tbig\t/x\n").unwrap_err();
        assert!(e.starts_with("packages line 2:"), "{e}");
        let e = Packages::parse("f\t644\t1\t/x\n").unwrap_err();
        assert!(e.contains("before the first package"), "{e}");
        let e = Packages::parse("package\tx\t1\ts\npackage\tx\t2\ts\n").unwrap_err();
        assert!(e.contains("given twice"), "{e}");
        assert!(Packages::parse("package\tx\t1\ts\nf\t644\t1\trelative\n").is_err());
    }
}
