//! Tool models: commands that cannot run here (package managers, openssl, downloads) whose
//! effect on the files is estimated, each run noted as `modeled` with what was estimated.
//!
//! The estimates are declared here: a package adds an executable named after it (or the
//! files this table knows for it) with a size from this table, and the package databases
//! record it; `openssl` writes PEM files of the sizes its defaults give; a download writes a
//! file whose content is unknown.

use std::fmt::Write as _;

use super::utils::{Env, UNKNOWN_CONTENT, make_parents, open_for_write, read_file, read_text, writable};
use crate::fs::{Content, Entry, Meta, Node};

/// What a package installs, as far as the model knows: paths, modes and sizes (bytes). The
/// sizes are those of Alpine 3.20's and Debian 12's packages, rounded.
fn package_files(name: &str) -> Vec<(&'static str, u32, u64)> {
    match name {
        "openssl" => vec![("/usr/bin/openssl", 0o755, 720_000)],
        "curl" => vec![("/usr/bin/curl", 0o755, 260_000)],
        "wget" => vec![("/usr/bin/wget", 0o755, 480_000)],
        "bash" => vec![("/bin/bash", 0o755, 1_300_000)],
        "git" => vec![("/usr/bin/git", 0o755, 3_600_000)],
        "ca-certificates" => vec![("/etc/ssl/certs/ca-certificates.crt", 0o644, 220_000)],
        "tzdata" => vec![("/usr/share/zoneinfo/UTC", 0o644, 114)],
        "jq" => vec![("/usr/bin/jq", 0o755, 300_000)],
        "make" => vec![("/usr/bin/make", 0o755, 250_000)],
        "unzip" => vec![("/usr/bin/unzip", 0o755, 180_000)],
        "python3" => vec![("/usr/bin/python3", 0o755, 14_000)],
        "nodejs" => vec![("/usr/bin/node", 0o755, 45_000_000)],
        "tini" => vec![("/sbin/tini", 0o755, 40_000)],
        "su-exec" => vec![("/sbin/su-exec", 0o755, 10_000)],
        _ => Vec::new(),
    }
}

/// The estimate for a package the table does not know.
const UNKNOWN_PACKAGE_SIZE: u64 = 250_000;

impl Env<'_> {
    /// Runs a modeled tool; `None` when `applet` is not one (or is used in a way not modeled).
    pub(crate) fn model_tool(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        if self.shell.network_none
            && let Some(status) = self.offline(applet, args)
        {
            return Some(status);
        }
        let coded = match applet {
            // tonistiigi/xx's cross-compilation wrappers run the tool for the target.
            "apk" | "xx-apk" => self.apk(args),
            "apt-get" | "apt" | "xx-apt-get" | "xx-apt" => self.apt(args),
            "openssl" => self.openssl(args),
            "curl" | "wget" => self.download(applet, args),
            "mktemp" => self.mktemp(args),
            "adduser" | "addgroup" | "useradd" | "groupadd" => self.accounts(applet, args),
            "pip" | "pip3" => self.pip(args),
            "apt-mark" => {
                self.shell.model("apt-mark changes which packages count as installed by hand: not kept here");
                Some(0)
            }
            "dpkg" | "dpkg-query" if matches!(args.first().map(String::as_str), Some("-L" | "--listfiles")) => {
                self.dpkg_list(&args[1..])
            }
            "git" => self.git(args),
            "go" | "xx-go" => self.go(args),
            "npm" | "yarn" | "pnpm" => self.node_packages(applet, args).or_else(|| self.build_tool(applet, args)),
            _ => return self.build_tool(applet, args),
        };
        // The uses a coded model leaves out may be in the table (`apk info`, `git push`).
        coded.or_else(|| self.declared(applet.trim_start_matches("xx-"), args))
    }

    /// Writes a file of unknown content (`size` bytes) at `path`, as the user.
    pub(crate) fn synthetic(&mut self, path: &str, size: u64, id: &str, mode: u32) -> Result<(), String> {
        let path = self.shell.abs(path);
        // A tool makes the directories it needs as the user it runs as.
        make_parents(self.shell, &path)?;
        let canonical = open_for_write(self.shell, &path, false)?;
        let meta = Meta::new(mode, self.shell.uid, self.shell.gid);
        // Its bytes take no memory here: it counts against the budget as an entry.
        self.shell.written += 256;
        self.shell
            .fs
            .insert(&canonical, Entry::file(Content::synthetic(size, id.to_string()), meta))
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Installs `packages` (names without version constraints): their files, root-owned.
    pub(crate) fn install_packages(&mut self, manager: &str, packages: &[String]) {
        // A name from text not known here (`apk add $(scanelf ...)`): its package is not known.
        if packages.iter().any(|p| p.contains(super::expand::UNKNOWN_TEXT)) {
            self.shell.model(&format!(
                "{manager} installs packages whose names are not known here: their files are not added"
            ));
        }
        for p in packages.iter().filter(|p| !p.contains(super::expand::UNKNOWN_TEXT)) {
            let files = package_files(p);
            let files = if files.is_empty() { vec![("", 0o755, UNKNOWN_PACKAGE_SIZE)] } else { files };
            for (path, mode, size) in files {
                let path = if path.is_empty() { format!("/usr/bin/{p}") } else { path.to_string() };
                let parent = path.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d }).to_string();
                let _ = self.shell.fs.mkdir_all(&parent, Meta::DIR);
                let entry = Entry::file(
                    Content::synthetic(size, format!("{manager} package {p}: {path}")),
                    Meta::new(mode, 0, 0),
                );
                let _ = self.shell.fs.insert(&path, entry);
            }
        }
        self.shell.model(&format!(
            "{manager} installs packages from the network; the simulation adds each package's main files with estimated sizes"
        ));
        // The packages' other files are unknown: what follows runs over partly unknown files.
        self.shell.partial = true;
    }

    fn apk(&mut self, args: &[String]) -> Option<i32> {
        if args.iter().any(|a| a == "--print-arch") {
            // The simulation builds for linux/amd64.
            self.io.stdout.extend_from_slice(b"x86_64\n");
            return Some(0);
        }
        let (command, rest) =
            args.iter().position(|a| !a.starts_with('-')).map(|i| (args[i].as_str(), &args[i + 1..]))?;
        let flags: Vec<&String> = args.iter().filter(|a| a.starts_with('-')).collect();
        let no_cache = flags.iter().any(|f| *f == "--no-cache");
        let mut virtual_name = None;
        let mut packages = Vec::new();
        let mut iter = rest.iter();
        while let Some(a) = iter.next() {
            match a.as_str() {
                "--virtual" | "-t" => virtual_name = iter.next().cloned(),
                s if s.starts_with('-') => {}
                // `name=1.2`, `name>1`, `name@testing`: the name.
                s => packages.push(s.split(['=', '<', '>', '~', '@']).next().unwrap_or(s).to_string()),
            }
        }
        let update =
            command == "update" || flags.iter().any(|f| *f == "-U" || *f == "--update-cache" || *f == "--update");
        if update && !no_cache {
            let repositories = read_text(self.shell, "/etc/apk/repositories").unwrap_or_default();
            for url in repositories.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let digest = crate::report::sim::sha256_hex(url.as_bytes());
                let size = if url.ends_with("community") { 1_400_000 } else { 720_000 };
                let path = format!("/var/cache/apk/APKINDEX.{}.tar.gz", &digest[..8]);
                self.synthetic(&path, size, &format!("apk index of {url}"), 0o644).ok()?;
            }
            self.shell.model(
                "apk update downloads package indexes: the simulation writes them with estimated names and sizes",
            );
        }
        match command {
            "update" => Some(0),
            "upgrade" | "fix" | "cache" => {
                self.shell.model(&format!("apk {command} changes installed packages to newer versions: not kept here"));
                Some(0)
            }
            "add" => {
                let mut world: Vec<String> =
                    read_text(self.shell, "/etc/apk/world").unwrap_or_default().lines().map(str::to_string).collect();
                match &virtual_name {
                    Some(v) => world.push(v.clone()),
                    None => world.extend(packages.iter().filter(|p| !p.contains(super::expand::UNKNOWN_TEXT)).cloned()),
                }
                crate::sort::sort_dedup(&mut world);
                let text = world.join("\n") + "\n";
                let meta = self.shell.fs.stat("/etc/apk/world").map_or(Meta::FILE, |e| e.meta);
                let _ = self.shell.fs.mkdir_all("/etc/apk", Meta::DIR);
                self.shell.fs.insert("/etc/apk/world", Entry::file(Content::bytes(text.into_bytes()), meta)).ok()?;
                let known: Vec<String> =
                    packages.iter().filter(|p| !p.contains(super::expand::UNKNOWN_TEXT)).cloned().collect();
                self.record_installed("/lib/apk/db/installed", &known, "apk");
                self.install_packages("apk", &packages);
                Some(0)
            }
            "del" => {
                let mut world: Vec<String> =
                    read_text(self.shell, "/etc/apk/world").unwrap_or_default().lines().map(str::to_string).collect();
                world.retain(|w| !packages.contains(w));
                let text = world.join("\n") + "\n";
                let meta = self.shell.fs.stat("/etc/apk/world").map_or(Meta::FILE, |e| e.meta);
                self.shell.fs.insert("/etc/apk/world", Entry::file(Content::bytes(text.into_bytes()), meta)).ok()?;
                for p in &packages {
                    for (path, _, _) in package_files(p) {
                        let _ = self.shell.fs.remove(path);
                    }
                    let _ = self.shell.fs.remove(&format!("/usr/bin/{p}"));
                }
                self.shell.model(
                    "apk del removes what the packages installed: the simulation removes the files it added for them",
                );
                Some(0)
            }
            _ => None,
        }
    }

    /// The package database grows by an estimated stanza per package.
    pub(crate) fn record_installed(&mut self, path: &str, packages: &[String], manager: &str) {
        let Some(Entry { node: Node::File { content, .. }, meta }) = self.shell.fs.stat(path) else { return };
        let size = content.size() + 900 * packages.len() as u64;
        let id = format!("{manager} database with {}", packages.join(" "));
        let _ = self.shell.fs.insert(path, Entry::file(Content::synthetic(size, id), meta));
    }

    fn apt(&mut self, args: &[String]) -> Option<i32> {
        // The words that are not options nor an option's value (`-o NAME=VALUE`, `-t SUITE`).
        let mut words = Vec::new();
        let mut iter = args.iter();
        while let Some(a) = iter.next() {
            if matches!(a.as_str(), "-o" | "-t" | "-c" | "--option" | "--target-release" | "--config-file") {
                iter.next();
            } else if !a.starts_with('-') {
                words.push(a);
            }
        }
        let (command, rest) = words.split_first()?;
        let command = command.as_str();
        let packages: Vec<String> = rest.iter().map(|p| p.split(['=', ':']).next().unwrap_or(p).to_string()).collect();
        match command {
            "update" => {
                // apt names each list after its source: the URI without its scheme, `/` as
                // `_`, then `dists_SUITE_...`. The sources come from the image's files; when
                // they are not known, MIRROR stands for the URI.
                let sources = self.apt_sources();
                let sources = if sources.is_empty() {
                    let codename = read_text(self.shell, "/etc/os-release")
                        .and_then(|t| {
                            t.lines().find_map(|l| {
                                l.strip_prefix("VERSION_CODENAME=").map(|v| v.trim_matches('"').to_string())
                            })
                        })
                        .unwrap_or_else(|| "stable".into());
                    self.shell.model("the image's apt sources are not known here: MIRROR stands for their address");
                    [String::new(), "-updates".into(), "-security".into()]
                        .iter()
                        .map(|s| ("MIRROR".to_string(), format!("{codename}{s}"), vec!["main".to_string()]))
                        .collect()
                } else {
                    sources
                };
                for (uri, suite, components) in &sources {
                    let prefix =
                        uri.split_once("://").map_or(uri.as_str(), |(_, r)| r).trim_end_matches('/').replace('/', "_");
                    let suite = &suite.trim_end_matches('/').replace('/', "_");
                    self.synthetic(
                        &format!("/var/lib/apt/lists/{prefix}_dists_{suite}_InRelease"),
                        150_000,
                        &format!("apt list {uri} {suite}"),
                        0o644,
                    )
                    .ok()?;
                    for c in components {
                        // The main suite's main component is the big one.
                        let size = if c == "main" && !suite.contains('-') { 8_800_000 } else { 60_000 };
                        self.synthetic(
                            &format!("/var/lib/apt/lists/{prefix}_dists_{suite}_{c}_binary-amd64_Packages.lz4"),
                            size,
                            &format!("apt list {uri} {suite} {c}"),
                            0o644,
                        )
                        .ok()?;
                    }
                }
                self.shell
                    .model("apt-get update downloads package lists: the simulation writes them with estimated sizes");
                Some(0)
            }
            "install" => {
                let recommends = !args.iter().any(|a| {
                    a == "--no-install-recommends"
                        || a.eq_ignore_ascii_case("APT::Install-Recommends=false")
                        || a.eq_ignore_ascii_case("APT::Install-Recommends=0")
                });
                let unknown = self.install_debs(&packages, recommends);
                self.record_installed("/var/lib/dpkg/status", &packages, "dpkg");
                if unknown.len() < packages.len() {
                    // Their file lists are real; what their maintainer scripts do is not known.
                    self.shell.partial = true;
                }
                if !unknown.is_empty() {
                    self.install_packages("apt-get", &unknown);
                }
                Some(0)
            }
            "download" => {
                // `NAME[:ARCH]` as NAME_VERSION_ARCH.deb in the working directory, the version
                // the package catalog has (else `0`).
                for word in rest {
                    let (name, arch) = word.split_once(':').unwrap_or((word.as_str(), "amd64"));
                    let version = self.shell.packages.as_ref().and_then(|p| p.get(name).map(|p| p.version.to_string()));
                    let file = format!("{name}_{}_{arch}.deb", version.as_deref().unwrap_or("0").replace(':', "%3a"));
                    self.synthetic(&file, UNKNOWN_PACKAGE_SIZE, &format!("apt-get download {word}"), 0o644).ok()?;
                }
                self.shell.model("apt-get download fetches .deb files: their bytes are not known here");
                Some(0)
            }
            "upgrade" | "dist-upgrade" | "full-upgrade" | "reinstall" | "dist-clean" | "clean" | "autoclean"
            | "autoremove" | "purge" | "remove" => {
                if command == "purge" || command == "remove" {
                    for p in &packages {
                        self.remove_package(p);
                    }
                }
                self.shell.model(&format!("apt-get {command}: modeled"));
                Some(0)
            }
            _ => None,
        }
    }

    /// Where dpkg keeps the record of what `name` installed (`NAME.list`, or `NAME:amd64.list`
    /// for a Multi-Arch package), when the package is installed.
    fn dpkg_record(&self, name: &str) -> Option<String> {
        ["", ":amd64"]
            .iter()
            .map(|arch| format!("/var/lib/dpkg/info/{name}{arch}.list"))
            .find(|p| self.shell.fs.lstat(p).is_some())
    }

    /// Removes what a package installed: the files of its `.list` record when its bytes are
    /// known (directories only when left empty, as dpkg does), else its main executable.
    fn remove_package(&mut self, name: &str) {
        let record = self.dpkg_record(name);
        let Some(text) = record.as_deref().and_then(|p| read_text(self.shell, p)) else {
            let _ = self.shell.fs.remove(&format!("/usr/bin/{name}"));
            return;
        };
        for path in text.lines().rev().filter(|p| p.starts_with('/') && *p != "/.") {
            match self.shell.fs.lstat(path) {
                Some(e) if e.as_dir().is_some_and(|d| !d.is_empty()) => {}
                Some(_) => {
                    let _ = self.shell.fs.remove(path);
                }
                None => {}
            }
        }
        if let Some(record) = record {
            let _ = self.shell.fs.remove(&record);
        }
    }

    /// `dpkg -L NAME...`: the paths dpkg recorded for each package (its `.list`), or, when
    /// that record's bytes are not known, the package catalog's list for it (modeled).
    fn dpkg_list(&mut self, names: &[String]) -> Option<i32> {
        let mut out = String::new();
        let mut status = 0;
        for name in names {
            let record = self.dpkg_record(name);
            if let Some(text) = record.as_deref().and_then(|p| read_text(self.shell, p)) {
                out.push_str(&text);
                continue;
            }
            let catalog = self.shell.packages.clone()?;
            let package = catalog.get(name)?;
            if record.is_none() && !self.shell.partial {
                // Not installed: dpkg says so, lists the others, and fails.
                let line = format!("dpkg-query: package '{name}' is not installed\n");
                self.io.stderr.extend_from_slice(line.as_bytes());
                status = 1;
                continue;
            }
            out.push_str("/.\n");
            for e in package.entries() {
                out.push_str(e.path());
                out.push('\n');
            }
            self.shell.model(&format!(
                "dpkg -L {name}: the files of {name} {} as the package catalog lists them",
                package.version
            ));
        }
        self.io.stdout.extend_from_slice(out.as_bytes());
        Some(status)
    }

    /// The image's apt sources as (URI, suite, components): `/etc/apt/sources.list`'s `deb`
    /// lines and the deb822 files of `/etc/apt/sources.list.d`, as far as their text is known.
    fn apt_sources(&self) -> Vec<(String, String, Vec<String>)> {
        let mut out = Vec::new();
        let dir = "/etc/apt/sources.list.d";
        let names: Vec<String> = self
            .shell
            .fs
            .stat(dir)
            .and_then(|e| e.as_dir().map(|d| d.iter().map(|(n, _)| format!("{dir}/{n}")).collect()))
            .unwrap_or_default();
        // One-line sources: `deb [OPTION=VALUE ...] URI SUITE COMPONENT...`.
        let one_line = std::iter::once("/etc/apt/sources.list".to_string())
            .chain(names.iter().filter(|n| n.rsplit_once('.').is_some_and(|(_, e)| e == "list")).cloned());
        for file in one_line {
            let Some(text) = read_text(self.shell, &file) else { continue };
            for line in text.lines().map(str::trim) {
                let mut w = line.split_whitespace();
                if w.next() != Some("deb") {
                    continue;
                }
                let mut w = w.peekable();
                if w.peek().is_some_and(|x| x.starts_with('[')) {
                    for x in w.by_ref() {
                        if x.ends_with(']') {
                            break;
                        }
                    }
                }
                if let (Some(uri), Some(suite)) = (w.next(), w.next()) {
                    out.push((uri.to_string(), suite.to_string(), w.map(str::to_string).collect()));
                }
            }
        }
        for name in names.iter().filter(|n| n.ends_with(".sources")) {
            let Some(text) = read_text(self.shell, name) else { continue };
            for stanza in text.split("\n\n") {
                let field = |key: &str| {
                    stanza.lines().find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')).map(str::trim))
                };
                if !field("Types").is_some_and(|t| t.split_whitespace().any(|t| t == "deb")) {
                    continue;
                }
                let components: Vec<String> =
                    field("Components").unwrap_or_default().split_whitespace().map(str::to_string).collect();
                for uri in field("URIs").unwrap_or_default().split_whitespace() {
                    for suite in field("Suites").unwrap_or_default().split_whitespace() {
                        out.push((uri.to_string(), suite.to_string(), components.clone()));
                    }
                }
            }
        }
        out
    }

    /// Installs `requested` from the package catalog with what they depend on (and recommend,
    /// with `recommends`) that the image lacks, as dpkg unpacks them: their real paths, modes,
    /// sizes and links, and the `.list` record of each. Only in a Debian 12 image (the
    /// catalog's release). Returns the requested names the catalog does not have.
    fn install_debs(&mut self, requested: &[String], recommends: bool) -> Vec<String> {
        let Some(catalog) = self.shell.packages.clone() else { return requested.to_vec() };
        if !read_text(self.shell, "/etc/debian_version").is_some_and(|v| v.starts_with("12.")) {
            return requested.to_vec();
        }
        let mut unknown = Vec::new();
        let mut planned: Vec<crate::catalog::packages::Package<'_>> = Vec::new();
        let mut queue: Vec<(&str, bool)> = requested.iter().rev().map(|r| (r.as_str(), true)).collect();
        while let Some((name, asked)) = queue.pop() {
            if planned.iter().any(|p| p.name == name) || self.dpkg_record(name).is_some() {
                continue;
            }
            match catalog.get(name) {
                Some(p) => {
                    queue.extend(p.depends.iter().map(|d| (*d, false)));
                    if recommends {
                        queue.extend(p.recommends.iter().map(|d| (*d, false)));
                    }
                    planned.push(p);
                }
                None if asked => unknown.push(name.to_string()),
                // A dependency the catalog leaves out: a required package, in every Debian image.
                None => {}
            }
        }
        let (mut files, mut bytes) = (0_u64, 0_u64);
        for p in &planned {
            let mut list = String::from("/.\n");
            for e in p.entries() {
                let path = e.path();
                list.push_str(path);
                list.push('\n');
                let parent = path.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
                let _ = self.shell.fs.mkdir_all(parent, Meta::DIR);
                self.shell.written += 64;
                let entry = match e {
                    crate::catalog::packages::PackageEntry::Dir { mode, owner, .. } => {
                        // dpkg leaves a directory that is there as it is.
                        if self.shell.fs.lstat(path).is_some() {
                            continue;
                        }
                        Entry::dir(Meta::new(mode, owner.0, owner.1))
                    }
                    crate::catalog::packages::PackageEntry::File { mode, size, owner, .. } => {
                        files += 1;
                        bytes += size;
                        Entry::file(
                            Content::synthetic(size, format!("deb {} {} {path}", p.name, p.version)),
                            Meta::new(mode, owner.0, owner.1),
                        )
                    }
                    crate::catalog::packages::PackageEntry::Symlink { target, .. } => {
                        Entry::symlink(target, Meta::new(0o777, 0, 0))
                    }
                    crate::catalog::packages::PackageEntry::Hardlink { target, .. } => {
                        let Some(e) = self.shell.fs.lstat(target) else { continue };
                        e
                    }
                };
                let _ = self.shell.fs.remove(path);
                let _ = self.shell.fs.insert(path, entry);
            }
            let record = format!("/var/lib/dpkg/info/{}.list", p.name);
            let _ =
                self.shell.fs.insert(&record, Entry::file(Content::bytes(list.into_bytes()), Meta::new(0o644, 0, 0)));
        }
        if !planned.is_empty() {
            self.shell.model(&format!(
                "apt-get installs {} packages from Debian 12's archive ({files} files, {} MB): their paths, modes and sizes as the package catalog lists them (its versions, the first choice of each dependency); their contents and what their maintainer scripts do are not known here",
                planned.len(),
                bytes / 1_000_000
            ));
        }
        unknown
    }

    /// `openssl req|genrsa|x509|rand`: the files named by `-out` and `-keyout`.
    fn openssl(&mut self, args: &[String]) -> Option<i32> {
        let sub = args.first()?.as_str();
        let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
        let bits: u64 = value("-newkey")
            .and_then(|k| k.strip_prefix("rsa:").and_then(|b| b.parse().ok()))
            .or_else(|| args.iter().rev().find_map(|a| a.parse().ok()).filter(|_| sub == "genrsa"))
            .unwrap_or(2048);
        // PEM sizes: an RSA key in PKCS#8 is about 0.83 bytes per key bit; a self-signed
        // certificate about 0.63.
        let key_size = bits * 1704 / 2048;
        let cert_size = bits * 1294 / 2048;
        match sub {
            "req" | "x509" => {
                if let Some(out) = value("-out") {
                    self.synthetic(&out, cert_size, &format!("openssl {sub} certificate {out}"), 0o644).ok()?;
                }
                if let Some(key) = value("-keyout") {
                    // OpenSSL 3 writes private keys readable by their owner only.
                    self.synthetic(&key, key_size, &format!("openssl private key {key}"), 0o600).ok()?;
                }
            }
            "genrsa" | "genpkey" => {
                let out = value("-out")?;
                self.synthetic(&out, key_size, &format!("openssl private key {out}"), 0o600).ok()?;
            }
            "rand" => {
                let n: u64 = args.last()?.parse().ok()?;
                let size = if args.iter().any(|a| a == "-hex") {
                    n * 2 + 1
                } else if args.iter().any(|a| a == "-base64") {
                    n.div_ceil(3) * 4 + 1
                } else {
                    n
                };
                match value("-out") {
                    Some(out) => self.synthetic(&out, size, "openssl rand", 0o644).ok()?,
                    None => return None,
                }
            }
            _ => return None,
        }
        self.shell.model(
            "openssl makes keys and certificates of random content: the simulation writes files of their usual sizes",
        );
        Some(0)
    }

    /// `curl -o FILE URL`, `curl -O URL`, `wget -O FILE URL`, `wget URL`: a file of unknown
    /// content; output to standard output is not modeled.
    fn download(&mut self, tool: &str, args: &[String]) -> Option<i32> {
        // Which option letter names the output file, and which one "the URL's own name".
        let (out_letter, remote_letter) = if tool == "curl" { ('o', 'O') } else { ('O', '\0') };
        let mut output: Option<String> = None;
        let mut prefix: Option<String> = None;
        let mut remote = tool == "wget";
        let mut urls: Vec<&String> = Vec::new();
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if let Some(long) = a.strip_prefix("--") {
                let (key, value) = long.split_once('=').map_or((long, None), |(k, v)| (k, Some(v.to_string())));
                match key {
                    "output" | "output-document" | "directory-prefix" => {
                        let value = value.or_else(|| {
                            i += 1;
                            args.get(i).cloned()
                        });
                        if key == "directory-prefix" {
                            prefix = value;
                        } else {
                            output = value;
                        }
                    }
                    "remote-name" | "remote-name-all" => remote = true,
                    _ => {}
                }
            } else if let Some(bundle) = a.strip_prefix('-').filter(|b| !b.is_empty()) {
                for (at, c) in bundle.char_indices() {
                    if c == remote_letter {
                        remote = true;
                    } else if c == out_letter || (tool == "wget" && c == 'P') {
                        let rest = &bundle[at + 1..];
                        let value = if rest.is_empty() {
                            i += 1;
                            args.get(i).cloned()
                        } else {
                            Some(rest.to_string())
                        };
                        if c == 'P' {
                            prefix = value;
                        } else {
                            output = value;
                        }
                        break;
                    }
                }
            } else if a.contains("://") {
                urls.push(a);
            }
            i += 1;
        }
        let url = urls.first()?;
        if output.as_deref() == Some("-") || (output.is_none() && !remote) {
            self.io.unknown_out = Some(format!("the download of {url}"));
            self.shell.model(&format!("{tool} downloads from the network: what it prints is not known"));
            return Some(0);
        }
        let name_of = |url: &str| {
            url.split(['?', '#'])
                .next()
                .unwrap_or(url)
                .rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or("index.html")
                .to_string()
        };
        let paths: Vec<(String, &String)> = match output {
            Some(o) => vec![(o, *url)],
            None => urls.iter().map(|u| (name_of(u), *u)).collect(),
        };
        for (path, url) in paths {
            let path = prefix.as_ref().map_or_else(|| path.clone(), |p| format!("{}/{path}", p.trim_end_matches('/')));
            if let Some(parent) = prefix.as_ref() {
                let _ = self.shell.fs.mkdir_all(&self.shell.abs(parent), super::new_meta(self.shell, true));
            }
            self.synthetic(&path, 1_000_000, &format!("download of {url}"), 0o644).ok()?;
        }
        self.shell.model(&format!(
            "{tool} downloads from the network: the file's content and size (1 MB here) are not known"
        ));
        Some(0)
    }
}

impl Env<'_> {
    /// `mktemp [-d] [TEMPLATE]`: the name is random in a real build; here it is fixed.
    fn mktemp(&mut self, args: &[String]) -> Option<i32> {
        let dir = args.iter().any(|a| a == "-d");
        let template =
            args.iter().find(|a| !a.starts_with('-')).cloned().unwrap_or_else(|| "/tmp/tmp.XXXXXXXXXX".into());
        let x = template.chars().rev().take_while(|&c| c == 'X').count();
        let path = format!("{}{}", &template[..template.len() - x], "s".repeat(x.max(6)));
        let path = if path.starts_with('/') { path } else { format!("/tmp/{path}") };
        let meta = Meta::new(if dir { 0o700 } else { 0o600 }, self.shell.uid, self.shell.gid);
        let entry = if dir { Entry::dir(meta) } else { Entry::file(Content::bytes(Vec::new()), meta) };
        if self.shell.partial {
            let parent = path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
            let _ = self.shell.fs.mkdir_all(parent, Meta::new(0o1777, 0, 0));
        }
        self.shell.fs.insert(&path, entry).ok()?;
        self.shell.model("mktemp picks a random name; here it is a fixed one");
        self.io.stdout.extend_from_slice(format!("{path}\n").as_bytes());
        Some(0)
    }

    /// Users and groups: a line in `/etc/passwd` or `/etc/group` (and a home directory),
    /// with the next free id; `/etc/shadow` lines carry the build's date, so modeled.
    fn accounts(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        // `--gid=1654` is `--gid 1654`.
        let args: &[String] = &args
            .iter()
            .flat_map(|a| match a.strip_prefix("--").and_then(|l| l.split_once('=')) {
                Some((name, value)) => vec![format!("--{name}"), value.to_string()],
                None => vec![a.clone()],
            })
            .collect::<Vec<String>>();
        let group = matches!(applet, "addgroup" | "groupadd");
        let value = |flags: &[&str]| {
            args.iter().position(|a| flags.contains(&a.as_str())).and_then(|i| args.get(i + 1)).cloned()
        };
        let system = args.iter().any(|a| a == "-S" || a == "-r" || a == "--system");
        let takes_value = [
            "-g",
            "-G",
            "-u",
            "-h",
            "-s",
            "-d",
            "-k",
            "-c",
            "--comment",
            "--gid",
            "--uid",
            "--home",
            "--home-dir",
            "--firstuid",
            "--lastuid",
            "--firstgid",
            "--lastgid",
            "--groups",
            "--password",
            "--expiredate",
            "--inactive",
            "--key",
            "-p",
            "-K",
            "-e",
            "-Z",
            "--shell",
            "--ingroup",
            "--gecos",
        ];
        let name = (*super::builds::operands(args, &takes_value).first()?).to_string();
        let file = if group { "/etc/group" } else { "/etc/passwd" };
        let Some(text) = read_text(self.shell, file) else {
            if self.shell.partial {
                self.shell.model(&format!("{applet}: {file} is not known here, so the account is not written"));
                return Some(0);
            }
            return None;
        };
        let operands = super::builds::operands(args, &takes_value);
        // `adduser USER GROUP`, `addgroup USER GROUP`: USER joins GROUP.
        if let [user, target] = operands[..]
            && matches!(applet, "adduser" | "addgroup")
        {
            let users = read_text(self.shell, "/etc/passwd").unwrap_or_default();
            if !users.lines().any(|l| l.split(':').next() == Some(user)) {
                return Some(self.fail(&format!("unknown user {user}")));
            }
            let groups = read_text(self.shell, "/etc/group").unwrap_or_default();
            let Some(line) = groups.lines().find(|l| l.split(':').next() == Some(target)) else {
                return Some(self.fail(&format!("group '{target}' does not exist")));
            };
            if line.rsplit(':').next().is_some_and(|m| m.split(',').any(|u| u == user)) {
                return Some(0);
            }
            let joined = format!("{line}{}{user}", if line.ends_with(':') { "" } else { "," });
            let edited: String =
                groups.lines().map(|l| if l == line { format!("{joined}\n") } else { format!("{l}\n") }).collect();
            let meta = self.shell.fs.stat("/etc/group").map_or(Meta::FILE, |e| e.meta);
            self.shell.fs.insert("/etc/group", Entry::file(Content::bytes(edited.into_bytes()), meta)).ok()?;
            return Some(0);
        }
        // A name that is there already: each tool refuses it its own way.
        if text.lines().any(|l| l.split(':').next() == Some(name.as_str())) {
            let what = if group { "group" } else { "user" };
            return Some(match (applet, self.gnu()) {
                ("groupadd", _) if args.iter().any(|a| a == "-f" || a == "--force") => 0,
                ("useradd" | "groupadd", _) => {
                    self.fail(&format!("{what} '{name}' already exists"));
                    9
                }
                // Debian's adduser: an existing system account is left as it is.
                (_, true) if system => 0,
                (_, true) => self.fail(&format!("The {what} `{name}' already exists.")),
                (_, false) => self.fail(&format!("{what} '{name}' in use")),
            });
        }
        let used: Vec<u32> = text.lines().filter_map(|l| l.split(':').nth(2)?.parse().ok()).collect();
        let requested = value(&[if group { "-g" } else { "-u" }, if group { "--gid" } else { "--uid" }])
            .and_then(|v| v.parse().ok());
        let start = if system { 100 } else { 1000 };
        let id = requested.unwrap_or_else(|| (start..60000).find(|i| !used.contains(i)).unwrap_or(start));
        let line = if group {
            format!("{name}:x:{id}:\n")
        } else {
            // The group and the comment, as each tool spells them: useradd `-g`/`-c`, busybox
            // adduser `-G`/`-g`, Debian's adduser `--ingroup`/`--gecos`.
            let (group_flags, gecos_flags, gecos_default): (&[&str], &[&str], &str) = match (applet, self.gnu()) {
                ("useradd", _) => (&["-g", "--gid"], &["-c", "--comment"], ""),
                (_, true) => (&["--ingroup", "--gid"], &["--gecos", "--comment"], ",,,"),
                (_, false) => (&["-G", "--ingroup"], &["-g", "--gecos"], "Linux User,,,"),
            };
            let gecos = value(gecos_flags).unwrap_or_else(|| gecos_default.to_string());
            let gid = value(group_flags)
                .and_then(|g| {
                    let groups = read_text(self.shell, "/etc/group")?;
                    g.parse().ok().or_else(|| {
                        groups
                            .lines()
                            .find(|l| l.split(':').next() == Some(g.as_str()))?
                            .split(':')
                            .nth(2)?
                            .parse()
                            .ok()
                    })
                })
                .unwrap_or(id);
            let home = value(&["-h", "-d", "--home", "--home-dir"]).unwrap_or_else(|| format!("/home/{name}"));
            // Debian's adduser gives bash (adduser.conf's DSHELL); useradd and busybox sh.
            let shell =
                value(&["-s", "--shell"]).unwrap_or_else(|| match (system, applet == "adduser" && self.gnu()) {
                    (true, true) => "/usr/sbin/nologin".into(),
                    (true, false) => "/sbin/nologin".into(),
                    (false, true) => "/bin/bash".into(),
                    (false, false) => "/bin/sh".into(),
                });
            let no_home = args.iter().any(|a| a == "-H" || a == "-M" || a == "--no-create-home")
                || (applet == "useradd" && !args.iter().any(|a| a == "-m" || a == "--create-home"));
            if !no_home {
                let _ = self.shell.fs.mkdir_all(
                    home.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p }),
                    Meta::DIR,
                );
                let _ = self.shell.fs.insert(&home, Entry::dir(Meta::new(0o755, id, gid)));
            }
            format!("{name}:x:{id}:{gid}:{gecos}:{home}:{shell}\n")
        };
        let meta = self.shell.fs.stat(file).map_or(Meta::FILE, |e| e.meta);
        let new = format!("{text}{}{line}", if text.ends_with('\n') || text.is_empty() { "" } else { "\n" });
        self.shell.fs.insert(file, Entry::file(Content::bytes(new.into_bytes()), meta)).ok()?;
        self.shell.model(&format!(
            "{applet}: the id is the next free one, and /etc/shadow (dated by the build) is not written here"
        ));
        Some(0)
    }

    /// `git clone URL [DIR]`: a repository of unknown files (a `.git` directory stands for it).
    fn git(&mut self, args: &[String]) -> Option<i32> {
        let rest: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        match rest.first()?.as_str() {
            "clone" => {
                let url = rest.get(1)?;
                let name = url.trim_end_matches('/').trim_end_matches(".git").rsplit(['/', ':']).next()?.to_string();
                let dir = rest.get(2).map_or(name, |d| (*d).clone());
                let dir = self.shell.abs(&dir);
                self.shell
                    .fs
                    .mkdir_all(&format!("{dir}/.git"), Meta::new(0o755, self.shell.uid, self.shell.gid))
                    .ok()?;
                self.synthetic(&format!("{dir}/.git/packed-refs"), 1_000_000, &format!("git clone {url}"), 0o644)
                    .ok()?;
                self.shell.model("git clone fetches a repository: its files are not known here");
                Some(0)
            }
            _ => self.declared("git", args),
        }
    }

    /// `go build [-o OUT]`, `go mod download`, `go install`: a binary of estimated size.
    fn go(&mut self, args: &[String]) -> Option<i32> {
        match args.first()?.as_str() {
            "build" => {
                let out =
                    args.iter().position(|a| a == "-o").and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| {
                        self.shell.cwd.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("main").to_string()
                    });
                let out = if out.ends_with('/') { format!("{out}app") } else { out };
                self.synthetic(&out, 12_000_000, "go build output", 0o755).ok()?;
                self.shell.model("go build compiles: the binary is estimated at 12 MB");
                Some(0)
            }
            "install" if args[1..].iter().any(|a| a.contains('@')) => {
                // `go install PATH@VERSION`: the command's binary in GOBIN, else GOPATH/bin
                // (GOPATH defaults to ~/go), named after the last element of its path that is
                // not a major version (`/v2`).
                let dir = match (self.shell.var("GOBIN"), self.shell.var("GOPATH")) {
                    (Some(bin), _) if !bin.is_empty() => bin.to_string(),
                    (_, Some(path)) if !path.is_empty() => format!("{}/bin", path.split(':').next().unwrap_or(path)),
                    _ => format!("{}/go/bin", self.shell.var("HOME").unwrap_or("/root")),
                };
                for target in args[1..].iter().filter(|a| !a.starts_with('-')) {
                    let path = target.split('@').next().unwrap_or(target);
                    let name = path
                        .split('/')
                        .rev()
                        .find(|e| !(e.len() > 1 && e.starts_with('v') && e[1..].bytes().all(|b| b.is_ascii_digit())))
                        .filter(|n| !n.is_empty() && *n != "...")?;
                    self.synthetic(&format!("{dir}/{name}"), 12_000_000, &format!("go install {target}"), 0o755)
                        .ok()?;
                }
                self.shell.model("go install builds each command: its binary is estimated at 12 MB; the module cache is not kept here");
                Some(0)
            }
            "mod" | "get" | "install" | "generate" | "vet" | "test" | "env" | "version" => {
                self.shell.model("go fetches modules or runs tools: their files (module cache) are not kept here");
                Some(0)
            }
            _ => None,
        }
    }

    /// `npm ci|install`, `yarn [install]`, `pnpm install`: a `node_modules` of unknown files.
    /// (`npm run build` is not modeled: what it writes decides what later steps copy.)
    fn node_packages(&mut self, tool: &str, args: &[String]) -> Option<i32> {
        let command = args.iter().find(|a| !a.starts_with('-')).map_or("install", String::as_str);
        match command {
            "config" | "c" if tool == "npm" => self.npm_config(args),
            "ci" | "install" | "i" | "add" | "clean-install" | "ic" | "install-clean" => {
                let dir = self.shell.cwd.clone();
                // Without a package.json npm fails, unless the files are partly unknown.
                if !self.shell.partial
                    && read_text(self.shell, &format!("{}/package.json", dir.trim_end_matches('/'))).is_none()
                    && !args.iter().any(|a| a == "-g" || a == "--global")
                {
                    let line = format!(
                        "npm error code ENOENT\nnpm error path {}/package.json\nnpm error enoent Could not read package.json\n",
                        dir.trim_end_matches('/')
                    );
                    self.io.stderr.extend_from_slice(line.as_bytes());
                    return Some(254);
                }
                let base = if args.iter().any(|a| a == "-g" || a == "--global") {
                    format!("{}/lib", self.npm_prefix(false))
                } else {
                    dir
                };
                let lock = format!("{}/node_modules/.package-lock.json", base.trim_end_matches('/'));
                if let Err(e) = self.synthetic(&lock, 50_000_000, &format!("{tool} {command}"), 0o644) {
                    self.io
                        .stderr
                        .extend_from_slice(format!("npm error code EACCES\nnpm error path {lock}: {e}\n").as_bytes());
                    return Some(243);
                }
                self.shell.model(&format!("{tool} {command} installs packages: node_modules is estimated at 50 MB"));
                // What node_modules holds (its tools in .bin) is not known.
                self.shell.partial = true;
                Some(0)
            }
            "cache" | "config" | "prune" | "test" => {
                self.shell.model(&format!("{tool} {command} runs scripts whose output is not known here"));
                Some(0)
            }
            _ => None,
        }
    }
}

impl Env<'_> {
    /// npm's global prefix: `NPM_CONFIG_PREFIX`, else `prefix=` in the user's npmrc, else (but
    /// for finding the global npmrc itself, as npm does) in the global npmrc, else Node's own
    /// (the directory above the one holding `node`: `/usr/local` in the node images).
    fn npm_prefix(&self, for_global_file: bool) -> String {
        let home = self.shell.var("HOME").unwrap_or("/root").trim_end_matches('/').to_string();
        let from = |t: String| {
            t.lines().find_map(|l| {
                l.split_once('=').filter(|(k, _)| k.trim() == "prefix").map(|(_, v)| v.trim().to_string())
            })
        };
        let own = self
            .shell
            .which("node")
            .and_then(|p| p.rsplit_once('/').and_then(|(bin, _)| bin.rsplit_once('/')).map(|(d, _)| d.to_string()))
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/usr/local".to_string());
        ["NPM_CONFIG_PREFIX", "npm_config_prefix"]
            .iter()
            .find_map(|v| self.shell.var(v).map(ToString::to_string))
            .or_else(|| read_text(self.shell, &format!("{home}/.npmrc")).and_then(from))
            .or_else(|| {
                (!for_global_file).then(|| read_text(self.shell, &format!("{own}/etc/npmrc")).and_then(from)).flatten()
            })
            .unwrap_or(own)
            .trim_end_matches('/')
            .to_string()
    }

    /// `npm config set KEY VALUE|KEY=VALUE...` and `npm config delete KEY...`, with `-g`
    /// the global npmrc (`PREFIX/etc/npmrc`), else the user's (`~/.npmrc`): as npm writes it,
    /// one `key=value` line per setting in the file's order, new ones last, comments dropped.
    fn npm_config(&mut self, args: &[String]) -> Option<i32> {
        let words: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
        let global = args.iter().any(|a| matches!(a.as_str(), "-g" | "--global" | "--location=global"));
        let set = match words.get(1) {
            Some(&"set") => true,
            Some(&("delete" | "rm" | "del")) => false,
            _ => {
                self.shell.model("npm config reads settings: no file changes");
                return Some(0);
            }
        };
        let file = if global {
            format!("{}/etc/npmrc", self.npm_prefix(true))
        } else {
            self.shell.var("NPM_CONFIG_USERCONFIG").map_or_else(
                || format!("{}/.npmrc", self.shell.var("HOME").unwrap_or("/root").trim_end_matches('/')),
                ToString::to_string,
            )
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut rest = words[2..].iter();
        while let Some(w) = rest.next() {
            pairs.push(match w.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None if set => ((*w).to_string(), rest.next()?.to_string()),
                None => ((*w).to_string(), String::new()),
            });
        }
        let path = self.shell.abs(&file);
        let old = match read_file(self.shell, &path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e == UNKNOWN_CONTENT => return None,
            Err(_) => String::new(),
        };
        let mut lines: Vec<(String, String)> = old
            .lines()
            .filter(|l| !l.trim_start().starts_with([';', '#']))
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
            .collect();
        for (key, value) in pairs {
            match lines.iter_mut().find(|(k, _)| *k == key) {
                Some(line) if set => line.1 = value,
                None if set => lines.push((key, value)),
                _ => lines.retain(|(k, _)| *k != key),
            }
        }
        let text = lines.iter().fold(String::new(), |mut t, (k, v)| {
            let _ = writeln!(t, "{k}={v}");
            t
        });
        let canonical = match make_parents(self.shell, &path).and_then(|()| open_for_write(self.shell, &path, false)) {
            Ok(c) => c,
            Err(e) => return Some(self.fail(&format!("{path}: {e}"))),
        };
        let meta = self.shell.fs.stat(&canonical).map_or(Meta::FILE, |e| e.meta);
        self.shell.written += text.len();
        self.shell.fs.insert(&canonical, Entry::file(Content::bytes(text.into_bytes()), meta)).ok()?;
        Some(0)
    }
}

impl Env<'_> {
    /// `pip install NAME... | -r FILE | -e .`: a package directory per name in the
    /// interpreter's site-packages, of estimated size.
    pub(crate) fn pip(&mut self, args: &[String]) -> Option<i32> {
        let sub = args.first().map(String::as_str);
        if !matches!(sub, Some("install" | "wheel" | "download")) {
            return None;
        }
        // `pip wheel -w DIR` and `pip download -d DIR` write the packages' files there.
        let mut out_dir = None;
        let mut names: Vec<String> = Vec::new();
        let mut iter = args[1..].iter();
        while let Some(a) = iter.next() {
            match a.as_str() {
                "-r" | "--requirement" => {
                    let file = iter.next()?;
                    match read_text(self.shell, &self.shell.abs(file)) {
                        Some(text) => names.extend(
                            text.lines()
                                .map(|l| l.split('#').next().unwrap_or("").trim())
                                .filter(|l| !l.is_empty() && !l.starts_with('-'))
                                .map(|l| {
                                    l.split(['=', '<', '>', '~', '!', '[', ';', ' ']).next().unwrap_or(l).to_string()
                                }),
                        ),
                        None if self.shell.partial => names.push("requirements".into()),
                        None => {
                            let line = format!(
                                "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{file}'\n"
                            );
                            self.io.stderr.extend_from_slice(line.as_bytes());
                            return Some(1);
                        }
                    }
                }
                "-e" | "--editable" => {
                    iter.next();
                    names.push("editable-project".into());
                }
                "-c" | "--constraint" | "-i" | "--index-url" | "--extra-index-url" | "-t" | "--target" | "--prefix" => {
                    iter.next();
                }
                "-w" | "--wheel-dir" | "-d" | "--dest" => out_dir = iter.next().cloned(),
                s if s.starts_with("--wheel-dir=") || s.starts_with("--dest=") => {
                    out_dir = s.split_once('=').map(|(_, d)| d.to_string());
                }
                // A local project (`.`, a directory): named after its directory here.
                // `.[dev]`: the project, with extras.
                s if {
                    let project = s.split('[').next().unwrap_or(s);
                    project == "."
                        || project.ends_with('/')
                        || self.shell.fs.stat(&self.shell.abs(project)).is_some_and(|e| e.is_dir())
                } =>
                {
                    let path = crate::dockerignore::clean(&self.shell.abs(s.split('[').next().unwrap_or(s)));
                    names.push(path.rsplit('/').find(|n| !n.is_empty()).unwrap_or("project").to_string());
                }
                s if s.starts_with('-') => {}
                // A wheel or an archive by its path: the project named in its file name.
                s if s.contains('/') || s.to_ascii_lowercase().ends_with(".whl") => {
                    let file = s.rsplit('/').next().unwrap_or(s);
                    names
                        .push(file.split(['-', '*']).next().filter(|n| !n.is_empty()).unwrap_or("package").to_string());
                }
                s => names.push(s.split(['=', '<', '>', '~', '!', '[']).next().unwrap_or(s).to_string()),
            }
        }
        if sub != Some("install") {
            let dir = self.shell.abs(out_dir.as_deref().unwrap_or("."));
            for name in &names {
                let path = format!("{}/{name}-0-py3-none-any.whl", dir.trim_end_matches('/'));
                if let Err(e) = self.synthetic(&path, 400_000, &format!("pip wheel {name}"), 0o644) {
                    return Some(self.fail(&e));
                }
            }
            self.shell.model("pip builds or fetches wheels from the network: one of about 400 kB per package here, their dependencies' not known");
            self.shell.partial = true;
            return Some(0);
        }
        // Where this Python keeps packages: the first python3 under /usr/local/lib.
        let version = self.shell.fs.stat("/usr/local/lib").and_then(|e| {
            e.as_dir().and_then(|d| d.iter().map(|(n, _)| n.to_string()).find(|n| n.starts_with("python3")))
        });
        let system = version.as_ref().map_or_else(
            || "/usr/lib/python3/dist-packages".to_string(),
            |p| format!("/usr/local/lib/{p}/site-packages"),
        );
        let version = version.unwrap_or_else(|| "python3".into());
        // In a virtual environment (VIRTUAL_ENV), its own; for a user who may not write the
        // system's, the user's (pip's "Defaulting to user installation").
        let site = match self.shell.var("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
            Some(venv) => format!("{}/lib/{version}/site-packages", venv.trim_end_matches('/')),
            None if self.shell.uid != 0 && !args.iter().any(|a| a == "--target" || a == "-t" || a == "--prefix") => {
                let home = self.shell.var("HOME").unwrap_or("/root").trim_end_matches('/').to_string();
                if writable(self.shell, &system) {
                    system
                } else {
                    format!("{home}/.local/lib/{version}/site-packages")
                }
            }
            None => system,
        };
        for name in names.iter().filter(|n| n.as_str() != "pip") {
            let dir = name.to_ascii_lowercase().replace('-', "_");
            if let Err(e) =
                self.synthetic(&format!("{site}/{dir}/__init__.py"), 400_000, &format!("pip package {name}"), 0o644)
            {
                return Some(self.fail(&format!("ERROR: Could not install packages due to an OSError: {e}")));
            }
        }
        self.shell.model("pip installs packages from the network: each is a package directory of about 400 kB here");
        self.shell.partial = true;
        Some(0)
    }
}

impl Env<'_> {
    /// A network tool under `RUN --network=none`: it fails as it would, with its status.
    fn offline(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let first = args.iter().find(|a| !a.starts_with('-')).map(String::as_str);
        let (message, status) = match (applet, first) {
            ("curl", _) if args.iter().any(|a| a.contains("://")) => ("(6) Could not resolve host", 6),
            ("wget", _) if args.iter().any(|a| a.contains("://")) => ("bad address", 1),
            ("apk", Some("add" | "update" | "upgrade")) if !args.iter().any(|a| a == "--no-network") => {
                ("ERROR: unable to select packages (the network is off)", 1)
            }
            ("apt-get" | "apt", Some("install")) => ("E: Unable to locate package (the network is off)", 100),
            ("pip" | "pip3", Some("install")) => ("ERROR: Could not find a version that satisfies the requirement", 1),
            ("npm" | "yarn" | "pnpm", Some("ci" | "install" | "i" | "add")) => ("npm ERR! network request failed", 1),
            ("git", Some("clone" | "fetch")) => {
                ("fatal: unable to access: Could not resolve host (the network is off)", 128)
            }
            _ => return None,
        };
        self.fail(message);
        Some(status)
    }
}
