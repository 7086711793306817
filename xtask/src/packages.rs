//! `cargo xtask packages`: writes `core/catalog-data/packages/debian-bookworm.txt`, the file
//! lists of the Debian 12 (bookworm, amd64) packages a Dockerfile's `apt-get install` commonly
//! asks for, so that a simulated install can add the files the real one would.
//!
//! The lists are read from the real `.deb` files, not from `apt-file` or a package index: only
//! the data archive has the modes, sizes, links and directories a build can observe. apt does the
//! resolving (`apt-cache show`) and the fetching (`apt-get download`), so the versions are the
//! candidates of this machine's apt sources; run it as root on Debian 12 amd64 with apt
//! configured. The downloads are kept in `target/debian-bookworm-debs`, so a rerun fetches only
//! what changed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

use crate::{Result, root, run};

/// The wanted packages, one name a line.
const LIST: &str = "core/catalog-data/packages/debian-bookworm.list";
/// The generated catalog.
const OUT: &str = "core/catalog-data/packages/debian-bookworm.txt";
/// The size the catalog should stay under: the CLI embeds it and the playground downloads it.
/// Past it, Recommends are no longer followed (the wanted packages are never cut).
const BUDGET: usize = 6_000_000;

/// A dependency field: the package names of each `a | b` group, in order.
type Groups = Vec<Vec<String>>;

/// What the closure needs of a package: apt's candidate record.
#[derive(Debug, Clone)]
struct Candidate {
    version: String,
    priority: String,
    /// Depends, then Pre-Depends.
    depends: Groups,
    recommends: Groups,
}

/// The packages to list, and every real package the closure reached: those and the ones of
/// Priority required, which decide which alternative of a group is the one installed.
#[derive(Debug)]
struct Closure {
    packages: BTreeMap<String, Candidate>,
    present: HashSet<String>,
}

/// apt's answers, asked once per name: resolving calls `apt-cache` for a whole level of the
/// closure at a time, since one call per package costs seconds over hundreds of packages.
#[derive(Debug, Default)]
struct Apt {
    /// Candidate records by package name; `None` for a name without one (virtual or unknown).
    records: HashMap<String, Option<Candidate>>,
    /// The real package chosen for a virtual name; `None` when nothing provides it.
    providers: HashMap<String, Option<String>>,
}

/// One package as read from its `.deb`.
#[derive(Debug)]
struct Package {
    name: String,
    version: String,
    sha256: String,
    /// Depends, then Pre-Depends.
    depends: Groups,
    recommends: Groups,
    /// The `d`, `f`, `l` and `h` lines, in archive order.
    entries: Vec<String>,
}

pub(crate) fn generate() -> Result {
    let start = Instant::now();
    check_system()?;
    let wanted = read_list(&root().join(LIST))?;
    let mut apt = Apt::default();

    let with_recommends = closure(&mut apt, &wanted, true)?;
    let debs = download(&root().join("target/debian-bookworm-debs"), &with_recommends.packages)?;
    let mut packages = Vec::with_capacity(debs.len());
    for (name, path) in &debs {
        let package = read_deb(path)?;
        let expected = &with_recommends.packages[name].version;
        if package.name != *name || package.version != *expected {
            return Err(format!(
                "{}: holds {} {}, expected {name} {expected}",
                path.display(),
                package.name,
                package.version
            ));
        }
        packages.push(package);
    }

    let date = today();
    let mut chosen: Vec<&Package> = packages.iter().collect();
    let mut text = render(&chosen, &apt, &with_recommends.present, &date, None);
    if text.len() > BUDGET {
        let mut largest = chosen.clone();
        largest.sort_by_key(|p| std::cmp::Reverse(p.entries.len()));
        println!(
            "with Recommends: {} packages, {} bytes, over the {BUDGET}-byte aim; the largest:",
            chosen.len(),
            text.len()
        );
        for p in largest.iter().take(15) {
            println!("  {:>7} entries  {}", p.entries.len(), p.name);
        }
        println!("dropping Recommends from the closure (the recommends lines stay)");
        let without = closure(&mut apt, &wanted, false)?;
        chosen.retain(|p| without.packages.contains_key(&p.name));
        text = render(&chosen, &apt, &without.present, &date, Some(text.len()));
        if text.len() > BUDGET {
            eprintln!("xtask: warning: still {} bytes without Recommends", text.len());
        }
    }

    let out = root().join(OUT);
    std::fs::write(&out, &text).map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "{}: {} packages (from {} wanted), {} entries, {} bytes, in {:.1?}",
        out.strip_prefix(root()).unwrap_or(&out).display(),
        chosen.len(),
        wanted.len(),
        chosen.iter().map(|p| p.entries.len()).sum::<usize>(),
        text.len(),
        start.elapsed()
    );
    Ok(())
}

/// The file claims bookworm amd64, so refuse to write it from anything else; and apt must
/// know the packages (a fresh container has empty lists until `apt-get update`).
fn check_system() -> Result {
    let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let arch = command_output(Command::new("dpkg").arg("--print-architecture"), "dpkg --print-architecture")?;
    if !os.lines().any(|l| l == "VERSION_CODENAME=bookworm") || arch.trim() != "amd64" {
        return Err("`cargo xtask packages` must run on Debian 12 (bookworm) amd64, with apt configured".into());
    }
    let knows_curl = Command::new("apt-cache")
        .args(["show", "--no-all-versions", "curl"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if !knows_curl {
        run(Command::new("apt-get").args(["update", "-qq"]))
            .map_err(|e| format!("{e}\n  apt knows no packages and `apt-get update` failed (run as root)"))?;
    }
    Ok(())
}

/// The names of the list file: one a line, `#` comments, blank lines ignored.
fn read_list(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let names: Vec<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if names.is_empty() {
        return Err(format!("{}: no package names", path.display()));
    }
    Ok(names)
}

/// Every package `apt-get install WANTED...` would add to a Debian base image: the closure over
/// Depends and Pre-Depends, and Recommends when `recommends` (apt installs them by default),
/// without the packages of Priority required, which every Debian base image already has.
///
/// Of a group `a | b`, the first alternative, unless another is wanted or already reached:
/// apt installs nothing for a group that is satisfied (vim-common recommends
/// `vim | ... | vim-tiny`, and `apt-get install vim-tiny` does not bring vim).
fn closure(apt: &mut Apt, wanted: &[String], recommends: bool) -> Result<Closure> {
    let mut included = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut level: Vec<String> = wanted.to_vec();
    let is_wanted = |name: &str| wanted.iter().any(|w| w == name);
    while !level.is_empty() {
        apt.fetch(&level)?;
        let mut next = Vec::new();
        for name in level {
            let Some(real) = apt.resolve(&name, &seen)? else {
                if is_wanted(&name) {
                    return Err(format!("{name}: apt knows no such package and nothing provides it"));
                }
                eprintln!("xtask: warning: {name}: no such package and nothing provides it; skipped");
                continue;
            };
            if !seen.insert(real.clone()) {
                continue;
            }
            let Some(Some(candidate)) = apt.records.get(&real) else { continue };
            if candidate.priority == "required" {
                if is_wanted(&real) {
                    eprintln!("xtask: note: {real} is of Priority required (in every base image): not listed");
                }
                continue;
            }
            let groups =
                candidate.depends.iter().chain(recommends.then_some(&candidate.recommends).into_iter().flatten());
            for group in groups {
                let has = |a: &&String| seen.contains(apt.real_name(a)) || is_wanted(a);
                if let Some(pick) = group.iter().find(has).or(group.first()) {
                    next.push(pick.clone());
                }
            }
            included.insert(real, candidate.clone());
        }
        level = next.into_iter().filter(|n| !seen.contains(n)).collect();
        level.sort();
        level.dedup();
    }
    Ok(Closure { packages: included, present: seen })
}

impl Apt {
    /// Asks `apt-cache show` for the candidate records of the names not asked yet, in one call.
    fn fetch(&mut self, names: &[String]) -> Result {
        let mut missing: Vec<&str> =
            names.iter().map(String::as_str).filter(|n| !self.records.contains_key(*n)).collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let out = Command::new("apt-cache")
            .args(["show", "--no-all-versions"])
            .args(&missing)
            .output()
            .map_err(|e| format!("cannot run apt-cache: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        // With only unknown names, apt-cache fails with "No packages found"; a name without a
        // record is resolved (or reported) by `resolve`.
        let only_unknown = out.stdout.is_empty() && stderr.contains("No packages found");
        if !(out.status.success() || only_unknown) {
            return Err(format!("apt-cache show {} failed: {}", missing.join(" "), stderr.trim()));
        }
        for record in parse_control(&String::from_utf8_lossy(&out.stdout)) {
            let field = |k: &str| record.get(k).cloned().unwrap_or_default();
            let name = field("Package");
            let mut depends = groups(&field("Depends"));
            depends.extend(groups(&field("Pre-Depends")));
            let candidate = Candidate {
                version: field("Version"),
                priority: field("Priority"),
                depends,
                recommends: groups(&field("Recommends")),
            };
            self.records.insert(name, Some(candidate));
        }
        for name in missing {
            self.records.entry(name.to_string()).or_insert(None);
        }
        Ok(())
    }

    /// The real package for a name: itself when it has a record, else a provider of the
    /// virtual name (`apt-cache showpkg`'s Reverse Provides). apt's choice depends on what is
    /// installed, so prefer a provider already in the closure, then the highest Priority (what a
    /// base image is likeliest to have: `awk` is `mawk`), then the first listed.
    fn resolve(&mut self, name: &str, taken: &HashSet<String>) -> Result<Option<String>> {
        if matches!(self.records.get(name), Some(Some(_))) {
            return Ok(Some(name.to_string()));
        }
        if let Some(chosen) = self.providers.get(name) {
            return Ok(chosen.clone());
        }
        let text =
            command_output(Command::new("apt-cache").args(["showpkg", name]), &format!("apt-cache showpkg {name}"))?;
        let mut providers: Vec<String> = text
            .lines()
            .skip_while(|l| !l.starts_with("Reverse Provides:"))
            .skip(1)
            .filter_map(|l| l.split_whitespace().next().map(String::from))
            .collect();
        dedup_in_order(&mut providers);
        self.fetch(&providers)?;
        let rank = |p: &String| match self.records.get(p) {
            Some(Some(c)) => {
                let priority = ["required", "important", "standard", "optional"]
                    .iter()
                    .position(|&r| r == c.priority)
                    .unwrap_or(4);
                (usize::from(!taken.contains(p)), priority)
            }
            _ => (2, 5),
        };
        let chosen = providers.iter().min_by_key(|p| rank(p)).filter(|p| rank(p).0 < 2).cloned();
        if let Some(p) = &chosen {
            eprintln!("xtask: {name} is virtual: provided by {p} (of {})", providers.join(", "));
        }
        self.providers.insert(name.to_string(), chosen.clone());
        Ok(chosen)
    }

    /// The name a depends line gives: the provider chosen for a virtual name, else as written.
    fn real_name<'a>(&'a self, name: &'a str) -> &'a str {
        match (self.records.get(name), self.providers.get(name)) {
            (Some(None), Some(Some(provider))) => provider,
            _ => name,
        }
    }
}

/// The records of control text (`apt-cache show`, `dpkg-deb -f`): `Field: value` lines, a
/// continuation line (starting with a space) joined to its field, records split by blank lines.
fn parse_control(text: &str) -> Vec<HashMap<String, String>> {
    let mut records = Vec::new();
    let mut record: HashMap<String, String> = HashMap::new();
    let mut last = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !record.is_empty() {
                records.push(std::mem::take(&mut record));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some(value) = record.get_mut(&last) {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((key, value)) = line.split_once(':') {
            last = key.to_string();
            record.insert(last.clone(), value.trim().to_string());
        }
    }
    if !record.is_empty() {
        records.push(record);
    }
    records
}

/// The package names of a dependency field, by `a | b` group, without version constraints
/// (`(>= 1.2)`), architecture qualifiers (`:any`, `:amd64`) or restrictions.
fn groups(field: &str) -> Groups {
    field
        .split(',')
        .map(|group| {
            group
                .split('|')
                .filter_map(|alternative| {
                    let a = alternative.trim();
                    let end = a
                        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
                        .unwrap_or(a.len());
                    (end > 0).then(|| a[..end].to_string())
                })
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// The names of a depends or recommends line: of each group the first alternative the closure
/// has (else the first), a virtual name replaced by its chosen provider, each name once.
fn line_names(groups: &Groups, apt: &Apt, present: &HashSet<String>) -> Vec<String> {
    let mut names: Vec<String> = groups
        .iter()
        .filter_map(|g| g.iter().find(|a| present.contains(apt.real_name(a))).or(g.first()))
        .map(|a| apt.real_name(a).to_string())
        .collect();
    dedup_in_order(&mut names);
    names
}

fn dedup_in_order(names: &mut Vec<String>) {
    let mut seen = HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
}

/// The `.deb` of each package, downloaded into `dir` when not there yet (one `apt-get download`
/// for all of them); files of other versions are removed so the cache does not grow.
fn download(dir: &Path, packages: &BTreeMap<String, Candidate>) -> Result<BTreeMap<String, PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // apt names the file NAME_VERSION_ARCH.deb, with the epoch's colon escaped.
    let prefix = |name: &str, c: &Candidate| format!("{name}_{}_", c.version.replace(':', "%3a"));
    let find = |files: &[String], name: &str, c: &Candidate| {
        let prefix = prefix(name, c);
        files.iter().find(|f| f.starts_with(&prefix) && is_deb(f)).map(|f| dir.join(f))
    };
    let list = || -> Result<Vec<String>> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
    };
    let files = list()?;
    let missing: Vec<String> = packages
        .iter()
        .filter(|(name, c)| find(&files, name, c).is_none())
        .map(|(name, c)| format!("{name}={}", c.version))
        .collect();
    if !missing.is_empty() {
        eprintln!("+ apt-get download ({} packages into {})", missing.len(), dir.display());
        let out = Command::new("apt-get")
            .arg("download")
            .args(&missing)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run apt-get: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "apt-get download failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .filter(|l| !l.starts_with("W: Download is performed unsandboxed"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    let files = list()?;
    let mut debs = BTreeMap::new();
    for (name, c) in packages {
        let path =
            find(&files, name, c).ok_or_else(|| format!("{name} {}: apt-get download left no .deb", c.version))?;
        debs.insert(name.clone(), path);
    }
    let keep: HashSet<&PathBuf> = debs.values().collect();
    for file in &files {
        let path = dir.join(file);
        if is_deb(file) && !keep.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
    Ok(debs)
}

fn is_deb(file: &str) -> bool {
    Path::new(file).extension().is_some_and(|e| e == "deb")
}

/// A package's control fields, digest and data archive entries.
fn read_deb(path: &Path) -> Result<Package> {
    let shown = path.display();
    let fields = command_output(
        Command::new("dpkg-deb").arg("-f").arg(path).args([
            "Package",
            "Version",
            "Depends",
            "Pre-Depends",
            "Recommends",
        ]),
        &format!("dpkg-deb -f {shown}"),
    )?;
    let control = parse_control(&fields).into_iter().next().unwrap_or_default();
    let field = |k: &str| control.get(k).cloned().unwrap_or_default();
    let mut depends = groups(&field("Depends"));
    depends.extend(groups(&field("Pre-Depends")));
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    let sha256 = Sha256::digest(&bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    let name = field("Package");
    Ok(Package {
        entries: entries(path, &name)?,
        name,
        version: field("Version"),
        sha256,
        depends,
        recommends: groups(&field("Recommends")),
    })
}

/// The lines of the entries of a `.deb`'s data archive, which `dpkg-deb --fsys-tarfile` gives
/// as a plain tar whatever its compression.
fn entries(path: &Path, package: &str) -> Result<Vec<String>> {
    let shown = path.display();
    let mut child = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run dpkg-deb: {e}"))?;
    let stdout = child.stdout.take().ok_or("dpkg-deb: no output pipe")?;
    let mut archive = tar::Archive::new(stdout);
    let mut lines = Vec::new();
    let tar_error = |e: std::io::Error| format!("{shown}: reading the data archive: {e}");
    for entry in archive.entries().map_err(tar_error)? {
        let entry = entry.map_err(tar_error)?;
        let header = entry.header();
        let warn = |why: &str| eprintln!("xtask: warning: {package}: {why}; skipped");
        let path = match clean_path(&entry.path_bytes()) {
            Ok(p) if p == "/" => continue,
            Ok(p) => p,
            Err(why) => {
                warn(&format!("{why}: {:?}", String::from_utf8_lossy(&entry.path_bytes())));
                continue;
            }
        };
        let mode = header.mode().map_err(tar_error)? & 0o7777;
        let (uid, gid) = (header.uid().map_err(tar_error)?, header.gid().map_err(tar_error)?);
        let owner = if (uid, gid) == (0, 0) { String::new() } else { format!("\t{uid}:{gid}") };
        let link = || -> Option<String> {
            let target = entry.link_name_bytes()?;
            match std::str::from_utf8(&target) {
                Ok(t) if !t.contains(['\t', '\n']) && !t.is_empty() => Some(t.to_string()),
                _ => None,
            }
        };
        let kind = header.entry_type();
        let line = if kind.is_dir() {
            format!("d\t{mode:o}\t{path}{owner}")
        } else if kind.is_file() {
            format!("f\t{mode:o}\t{}\t{path}{owner}", entry.size())
        } else if kind.is_symlink() {
            let Some(target) = link() else {
                warn(&format!("{path}: a link target that is empty, not UTF-8 or has a tab or newline"));
                continue;
            };
            format!("l\t{path}\t{target}")
        } else if kind.is_hard_link() {
            let Some(target) = link().and_then(|t| clean_path(t.as_bytes()).ok()) else {
                warn(&format!("{path}: a link target that is empty, not UTF-8 or has a tab or newline"));
                continue;
            };
            format!("h\t{path}\t{target}")
        } else {
            warn(&format!("{path}: an entry of type {kind:?}"));
            continue;
        };
        lines.push(line);
    }
    // Read to the end, so dpkg-deb does not fail writing the archive's padding to a closed pipe.
    let mut rest = archive.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(tar_error)?;
    drop(rest);
    let out = child.wait_with_output().map_err(|e| format!("dpkg-deb --fsys-tarfile {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!("dpkg-deb --fsys-tarfile {shown} failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(lines)
}

/// An archive path made absolute: `./usr/bin/curl` → `/usr/bin/curl`, `./usr/` → `/usr`,
/// `./` → `/`. A path the line format cannot carry (not UTF-8, a tab or a newline) is an error.
fn clean_path(raw: &[u8]) -> std::result::Result<String, &'static str> {
    let text = std::str::from_utf8(raw).map_err(|_| "a path that is not UTF-8")?;
    if text.contains(['\t', '\n']) {
        return Err("a path with a tab or newline");
    }
    let rest = text.strip_prefix("./").or_else(|| text.strip_prefix('/')).unwrap_or(text);
    let rest = if rest == "." { "" } else { rest.trim_end_matches('/') };
    Ok(format!("/{rest}"))
}

/// The catalog text: the header, then each package (sorted by name) with its entries.
/// `dropped` is the size the file had with Recommends, when they were dropped to fit.
fn render(packages: &[&Package], apt: &Apt, present: &HashSet<String>, date: &str, dropped: Option<usize>) -> String {
    let over = match dropped {
        None => "Depends, Pre-Depends and Recommends,".to_string(),
        Some(size) => format!(
            "Depends and Pre-Depends (not Recommends: with them this file was {size} bytes,\n\
             # over its {BUDGET}-byte aim; the recommends lines still name them),"
        ),
    };
    let mut text = format!(
        "# Debian 12 (bookworm) amd64 packages: file lists read from the .deb files by `cargo xtask packages` on {date}.\n\
         # What `apt-get install` adds to a Debian base image for the packages of debian-bookworm.list: their\n\
         # closure over {over}\n\
         # in the versions apt offered that day. Of `a | b`, the first alternative unless the closure has\n\
         # another, as apt does; a virtual name stands for the provider chosen. Packages of Priority required\n\
         # are left out (every Debian base image has them) but still named in the depends lines.\n\
         # Each package's entries are read from its data archive, in archive order: modes, sizes and link\n\
         # targets are the real ones (sizes are real file sizes in bytes), as dpkg unpacks them before any\n\
         # maintainer script runs. No file contents are included; they are under their packages' own\n\
         # licenses (/usr/share/doc/NAME/copyright). The format is in README.md; one tab between fields:\n\
         #   package NAME VERSION SHA256-OF-THE-DEB, depends NAME..., recommends NAME...\n\
         #   d MODE PATH [UID:GID], f MODE SIZE PATH [UID:GID], l PATH TARGET, h PATH TARGET\n"
    );
    let mut sorted = packages.to_vec();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for p in sorted {
        let _ = writeln!(text, "package\t{}\t{}\t{}", p.name, p.version, p.sha256);
        for (kind, groups) in [("depends", &p.depends), ("recommends", &p.recommends)] {
            let names = line_names(groups, apt, present);
            if !names.is_empty() {
                let _ = writeln!(text, "{kind}\t{}", names.join("\t"));
            }
        }
        for line in &p.entries {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

/// A command's standard output; its failure, with its standard error, names `what`.
fn command_output(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd.output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Today's date (UTC) as `YYYY-MM-DD`, without a date crate: Howard Hinnant's `civil_from_days`.
fn today() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let z = i64::try_from(secs / 86_400).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
