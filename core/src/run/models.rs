//! Tool models: commands that cannot run here (package managers, openssl, downloads) whose
//! effect on the files is estimated, each run noted as `modeled` with what was estimated.
//!
//! The estimates are declared here: a package adds an executable named after it (or the
//! files this table knows for it) with a size from this table, and the package databases
//! record it; `openssl` writes PEM files of the sizes its defaults give; a download writes a
//! file whose content is unknown.

use super::utils::{Env, open_for_write, read_text};
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
        match applet {
            "apk" => self.apk(args),
            "apt-get" | "apt" => self.apt(args),
            "openssl" => self.openssl(args),
            "curl" | "wget" => self.download(applet, args),
            _ => None,
        }
    }

    /// Writes a file of unknown content (`size` bytes) at `path`, as the user.
    fn synthetic(&mut self, path: &str, size: u64, id: &str, mode: u32) -> Result<(), String> {
        let path = self.shell.abs(path);
        if let Some(parent) = path.rsplit_once('/').map(|(p, _)| if p.is_empty() { "/" } else { p }) {
            self.shell.fs.mkdir_all(parent, Meta::new(0o755, 0, 0)).map_err(|e| e.to_string())?;
        }
        let canonical = open_for_write(self.shell, &path, false)?;
        let meta = Meta::new(mode, self.shell.uid, self.shell.gid);
        self.shell.written += usize::try_from(size).unwrap_or(usize::MAX);
        self.shell
            .fs
            .insert(&canonical, Entry::file(Content::synthetic(size, id.to_string()), meta))
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Installs `packages` (names without version constraints): their files, root-owned.
    fn install_packages(&mut self, manager: &str, packages: &[String]) {
        for p in packages {
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
    }

    fn apk(&mut self, args: &[String]) -> Option<i32> {
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
                s => packages.push(s.split(['=', '<', '>', '~']).next().unwrap_or(s).to_string()),
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
            "add" => {
                let mut world: Vec<String> =
                    read_text(self.shell, "/etc/apk/world").unwrap_or_default().lines().map(str::to_string).collect();
                match &virtual_name {
                    Some(v) => world.push(v.clone()),
                    None => world.extend(packages.iter().cloned()),
                }
                world.sort();
                world.dedup();
                let text = world.join("\n") + "\n";
                let meta = self.shell.fs.stat("/etc/apk/world").map_or(Meta::FILE, |e| e.meta);
                self.shell.fs.insert("/etc/apk/world", Entry::file(Content::bytes(text.into_bytes()), meta)).ok()?;
                self.record_installed("/lib/apk/db/installed", &packages, "apk");
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
    fn record_installed(&mut self, path: &str, packages: &[String], manager: &str) {
        let Some(Entry { node: Node::File { content, .. }, meta }) = self.shell.fs.stat(path) else { return };
        let size = content.size() + 900 * packages.len() as u64;
        let id = format!("{manager} database with {}", packages.join(" "));
        let _ = self.shell.fs.insert(path, Entry::file(Content::synthetic(size, id), meta));
    }

    fn apt(&mut self, args: &[String]) -> Option<i32> {
        let command = args.iter().find(|a| !a.starts_with('-'))?.as_str();
        let packages: Vec<String> = args
            .iter()
            .filter(|a| !a.starts_with('-') && a.as_str() != command)
            .map(|p| p.split(['=', ':']).next().unwrap_or(p).to_string())
            .collect();
        match command {
            "update" => {
                let lists = ["InRelease", "main_binary-amd64_Packages.lz4"];
                for suffix in ["bookworm", "bookworm-updates", "bookworm-security"] {
                    for (i, list) in lists.iter().enumerate() {
                        let size = if i == 0 {
                            150_000
                        } else if suffix == "bookworm" {
                            8_800_000
                        } else {
                            60_000
                        };
                        let path = format!("/var/lib/apt/lists/deb.debian.org_debian_dists_{suffix}_{list}");
                        self.synthetic(&path, size, &format!("apt list {suffix} {list}"), 0o644).ok()?;
                    }
                }
                self.shell.model(
                    "apt-get update downloads package lists: the simulation writes them with estimated names and sizes",
                );
                Some(0)
            }
            "install" => {
                self.record_installed("/var/lib/dpkg/status", &packages, "dpkg");
                self.install_packages("apt-get", &packages);
                Some(0)
            }
            "clean" | "autoclean" | "autoremove" | "purge" | "remove" => {
                if command == "purge" || command == "remove" {
                    for p in &packages {
                        let _ = self.shell.fs.remove(&format!("/usr/bin/{p}"));
                    }
                }
                self.shell.model(&format!("apt-get {command}: modeled"));
                Some(0)
            }
            _ => None,
        }
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
        let url = args.iter().find(|a| a.contains("://"))?;
        let name_from_url = || {
            url.split(['?', '#'])
                .next()
                .unwrap_or(url)
                .rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or("index.html")
                .to_string()
        };
        let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
        let path = match tool {
            "curl" if args.iter().any(|a| a == "-O" || a == "--remote-name") => name_from_url(),
            "curl" => value("-o").or_else(|| value("--output"))?,
            _ => match value("-O") {
                Some(p) if p == "-" => return None,
                Some(p) => p,
                None if args.iter().any(|a| a == "-qO-" || a == "-O-") => return None,
                None => name_from_url(),
            },
        };
        self.synthetic(&path, 1_000_000, &format!("download of {url}"), 0o644).ok()?;
        self.shell.model(&format!(
            "{tool} downloads from the network: the file's content and size (1 MB here) are not known"
        ));
        Some(0)
    }
}
