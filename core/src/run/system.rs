//! System-tool models: package managers beyond apk and apt (dpkg, the RPM family, conda,
//! PHP's extension scripts, language package managers), key and certificate tools, and the
//! account and alternatives tools whose effect on `/etc` is written exactly where it can be.
//!
//! Where the result is a file the tool computes from the network or from binaries (a
//! keyring, a linker cache, a compiled extension), it is written with an estimated size and
//! the step is `modeled`; where the tool only edits text files known here (`usermod`,
//! `update-alternatives`, `a2enmod`), the edit is exact.

// File names are matched as the tools match them on Linux: case-sensitively.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use super::builds::{operands, opt};
use super::utils::{Env, read_text};
use crate::fs::{Content, Entry, Meta};

impl Env<'_> {
    /// Runs a system-tool model; `None` when `applet` is not one.
    pub(crate) fn system_tool(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        match applet {
            "gpg" | "gpg2" | "gpgv" | "gpgconf" | "apt-key" => self.gpg(applet, args),
            "dpkg" | "dpkg-architecture" => self.dpkg(applet, args),
            "dnf" | "yum" | "microdnf" | "tdnf" => self.rpm_packages(applet, args),
            "conda" | "mamba" | "micromamba" => self.conda(applet, args),
            "docker-php-ext-install"
            | "docker-php-ext-enable"
            | "docker-php-ext-configure"
            | "docker-php-source"
            | "pecl"
            | "install-php-extensions" => self.php_extensions(applet, args),
            "gem" | "bundle" | "composer" | "pipx" | "uv" | "poetry" | "luarocks" => {
                self.language_packages(applet, args)
            }
            "update-alternatives" => self.alternatives(args),
            "usermod" | "userdel" | "groupdel" | "deluser" | "delgroup" | "chpasswd" | "passwd" => {
                self.account_edit(applet, args)
            }
            "getent" => self.getent(args),
            "a2enmod" | "a2enconf" | "a2ensite" | "a2dismod" | "a2disconf" | "a2dissite" => {
                self.apache_links(applet, args)
            }
            "ldconfig"
            | "update-ca-certificates"
            | "locale-gen"
            | "setcap"
            | "fc-cache"
            | "update-mime-database"
            | "systemctl"
            | "update-rc.d"
            | "mandb"
            | "c_rehash"
            | "dpkg-reconfigure"
            | "ssh-keygen" => self.system_cache(applet, args),
            "python" | "python3" => self.python(args),
            "gcc" | "cc" | "g++" | "c++" | "clang" | "clang++" | "musl-gcc" | "as" | "ld" => {
                self.compiler(applet, args)
            }
            // Cross binutils and compilers: `aarch64-linux-gnu-gcc`, `i686-linux-gnu-as`.
            _ if applet.contains("-linux-")
                && ["-gcc", "-g++", "-as", "-ld", "-cc"].iter().any(|t| applet.ends_with(t)) =>
            {
                self.compiler(applet, args)
            }
            "strip" | "upx" => self.strip(applet, args),
            _ if applet.contains("-linux-") && applet.ends_with("-strip") => self.strip(applet, args),
            "fix-permissions" => self.fix_permissions(args),
            "unzip" => self.unzip(args),
            "yes" => {
                // Endless in a real run; whatever reads it takes a few lines.
                let word = if args.is_empty() { "y".to_string() } else { args.join(" ") };
                let line = format!("{word}\n");
                self.io.stdout.extend_from_slice(line.repeat(1024).as_bytes());
                self.shell.model("yes writes without end: 1024 lines stand for it");
                Some(0)
            }
            _ => None,
        }
    }

    /// Keys: `--verify` is taken to pass (the real build's signatures are good); importing
    /// keys writes a keyring; `--dearmor`/`--export -o FILE` a key file.
    fn gpg(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let home = self
            .shell
            .var("GNUPGHOME")
            .map_or_else(|| format!("{}/.gnupg", self.shell.var("HOME").unwrap_or("/root")), ToString::to_string);
        if applet == "apt-key" {
            if args.iter().any(|a| a == "add" || a == "adv") {
                self.synthetic("/etc/apt/trusted.gpg", 2_500, "apt-key keyring", 0o644).ok()?;
            }
            self.shell.model("apt-key adds keys from the network: the keyring's content is not known here");
            return Some(0);
        }
        if applet == "gpgconf" || args.iter().any(|a| a == "--version" || a == "--list-keys" || a == "-k") {
            self.shell.model(&format!("{applet}: no file the image keeps changes"));
            return Some(0);
        }
        let output = opt(args, &["-o", "--output"]);
        if args.iter().any(|a| a == "--dearmor" || a == "--dearmour" || a == "--export" || a == "--enarmor") {
            let out = output?;
            self.synthetic(&out, 1_200, "gpg key", 0o644).ok()?;
        } else if args.iter().any(|a| {
            matches!(a.as_str(), "--recv-keys" | "--recv-key" | "--import" | "--receive-keys" | "--fetch-keys")
        }) {
            let _ = self.shell.fs.mkdir_all(&home, Meta::new(0o700, self.shell.uid, self.shell.gid));
            self.synthetic(&format!("{home}/pubring.kbx"), 3_000, "gpg keyring", 0o644).ok()?;
        } else if !(applet == "gpgv" || args.iter().any(|a| a == "--verify" || a == "--batch")) {
            return None;
        }
        self.shell.model("gpg fetches or checks keys: signatures are taken to be good, as in the real build, and keyrings are of estimated size");
        Some(0)
    }

    /// `dpkg --print-architecture`, `--add-architecture`, `-i FILE.deb`, and
    /// `dpkg-architecture -q VARIABLE`: the simulation builds for linux/amd64.
    fn dpkg(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        if applet == "dpkg-architecture" {
            let var = opt(args, &["-q", "--query"])?;
            let value = match var.as_str() {
                v if v.ends_with("_MULTIARCH") || v.ends_with("_GNU_TYPE") => "x86_64-linux-gnu",
                v if v.ends_with("_ARCH") || v.ends_with("_ARCH_CPU") => "amd64",
                v if v.ends_with("_ARCH_OS") => "linux",
                v if v.ends_with("_ARCH_BITS") => "64",
                _ => return None,
            };
            self.io.stdout.extend_from_slice(format!("{value}\n").as_bytes());
            return Some(0);
        }
        if args.iter().any(|a| a == "--print-architecture") {
            self.io.stdout.extend_from_slice(b"amd64\n");
            return Some(0);
        }
        if let Some(arch) = opt(args, &["--add-architecture"]) {
            let old = read_text(self.shell, "/var/lib/dpkg/arch").unwrap_or_else(|| "amd64\n".into());
            let text = format!("{old}{arch}\n");
            self.shell
                .fs
                .insert("/var/lib/dpkg/arch", Entry::file(Content::bytes(text.into_bytes()), Meta::FILE))
                .ok()?;
            return Some(0);
        }
        if args.iter().any(|a| a == "-i" || a == "--install") {
            let packages: Vec<String> = operands(args, &[])
                .iter()
                .map(|f| f.rsplit('/').next().unwrap_or(f).split('_').next().unwrap_or(f).to_string())
                .collect();
            self.record_installed("/var/lib/dpkg/status", &packages, "dpkg");
            self.install_packages("dpkg", &packages);
            return Some(0);
        }
        None
    }

    /// `dnf|yum|microdnf|tdnf install|update|clean|...`: as apt-get, with the RPM database.
    fn rpm_packages(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let valued = ["--setopt", "--nodocs", "--enablerepo", "--disablerepo", "--releasever", "--installroot"];
        let words = operands(args, &valued);
        let (command, packages) = words.split_first()?;
        let packages: Vec<String> = packages
            .iter()
            .filter(|p| !p.starts_with("http") && !p.contains('/'))
            .map(|p| p.split(['-', '.']).next().unwrap_or(p).to_string())
            .collect();
        match *command {
            "install" | "reinstall" | "groupinstall" => {
                self.synthetic(
                    "/var/lib/rpm/rpmdb.sqlite",
                    5_000_000 + 200_000 * packages.len() as u64,
                    "rpm database",
                    0o644,
                )
                .ok()?;
                self.install_packages(applet, &packages);
            }
            "update" | "upgrade" | "makecache" | "clean" | "remove" | "erase" | "autoremove" | "module"
            | "config-manager" | "check-update" => {
                self.shell.model(&format!("{applet} {command}: modeled"));
                // `check-update` exits 100 when updates exist; the simulation says none.
            }
            _ => return None,
        }
        Some(0)
    }

    /// `conda|mamba|micromamba install|create|clean|...`: packages in the prefix.
    fn conda(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let valued = ["-n", "--name", "-p", "--prefix", "-c", "--channel", "-f", "--file", "--override-channels"];
        let words = operands(args, &valued);
        let (command, rest) = words.split_first()?;
        let root = self
            .shell
            .var("CONDA_DIR")
            .or_else(|| self.shell.var("MAMBA_ROOT_PREFIX"))
            .or_else(|| self.shell.var("CONDA_PREFIX"))
            .unwrap_or("/opt/conda")
            .to_string();
        let prefix = opt(args, &["-p", "--prefix"])
            .or_else(|| opt(args, &["-n", "--name"]).map(|n| format!("{root}/envs/{n}")))
            .unwrap_or_else(|| root.clone());
        match *command {
            "install" | "create" | "update" | "upgrade" => {
                let mut names: Vec<String> =
                    rest.iter().map(|p| p.split(['=', '<', '>']).next().unwrap_or(p).to_string()).collect();
                if let Some(file) = opt(args, &["-f", "--file"]) {
                    names.push(file.rsplit('/').next().unwrap_or(&file).to_string());
                }
                for name in &names {
                    let dir = format!("{prefix}/conda-meta/{name}.json");
                    self.synthetic(&dir, 3_000_000, &format!("{applet} package {name}"), 0o644).ok()?;
                }
                self.synthetic(
                    &format!("{root}/pkgs/.stagecraft-cache"),
                    50_000_000,
                    &format!("{applet} cache"),
                    0o644,
                )
                .ok()?;
                self.shell.partial = true;
            }
            "clean" => {
                let _ = self.shell.fs.remove(&format!("{root}/pkgs"));
                let _ = self.shell.fs.mkdir_all(&format!("{root}/pkgs"), Meta::DIR);
            }
            "env" if rest.first() == Some(&"create") || rest.first() == Some(&"update") => {
                self.synthetic(
                    &format!("{prefix}/conda-meta/history"),
                    50_000_000,
                    &format!("{applet} environment"),
                    0o644,
                )
                .ok()?;
                self.shell.partial = true;
            }
            "config" | "init" | "info" | "list" | "shell" | "run" | "activate" | "env" => {}
            _ => return None,
        }
        self.shell.model(&format!(
            "{applet} {command} installs packages from the network: each package is one file of an estimated 3 MB in conda-meta, the cache one of 50 MB"
        ));
        Some(0)
    }

    /// The PHP images' scripts: an extension is a `.so` in the extension directory and an
    /// `.ini` in `conf.d` that enables it (written exactly, as `docker-php-ext-enable` does).
    fn php_extensions(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let names: Vec<String> = operands(args, &["-j", "--ini-name"])
            .iter()
            .map(|n| n.rsplit('/').next().unwrap_or(n).split('-').next().unwrap_or(n).to_string())
            .filter(|n| !n.is_empty())
            .collect();
        let ext_dir = self
            .shell
            .fs
            .stat("/usr/local/lib/php/extensions")
            .and_then(|e| {
                e.as_dir().and_then(|d| d.iter().map(|(n, _)| n.to_string()).find(|n| n.starts_with("no-debug")))
            })
            .map_or_else(
                || "/usr/local/lib/php/extensions/no-debug-non-zts-20230831".to_string(),
                |d| format!("/usr/local/lib/php/extensions/{d}"),
            );
        let conf = self.shell.var("PHP_INI_DIR").unwrap_or("/usr/local/etc/php").to_string();
        match applet {
            "docker-php-ext-configure" => {}
            "docker-php-source" => match names.first().map(String::as_str) {
                Some("extract") => {
                    self.synthetic("/usr/src/php/configure", 3_000_000, "php source", 0o755).ok()?;
                    self.shell.partial = true;
                }
                Some("delete") => {
                    let _ = self.shell.fs.remove("/usr/src/php");
                }
                _ => return None,
            },
            _ => {
                for name in &names {
                    if applet != "docker-php-ext-enable" {
                        self.synthetic(
                            &format!("{ext_dir}/{name}.so"),
                            400_000,
                            &format!("php extension {name}"),
                            0o755,
                        )
                        .ok()?;
                    }
                    if applet == "pecl" {
                        continue;
                    }
                    let zend = matches!(name.as_str(), "opcache" | "xdebug");
                    let line = format!("{}extension={name}\n", if zend { "zend_" } else { "" });
                    let path = format!("{conf}/conf.d/docker-php-ext-{name}.ini");
                    let _ = self.shell.fs.mkdir_all(&format!("{conf}/conf.d"), Meta::DIR);
                    self.shell.fs.insert(&path, Entry::file(Content::bytes(line.into_bytes()), Meta::FILE)).ok()?;
                }
            }
        }
        self.shell.model(&format!("{applet} compiles PHP extensions: each is a .so of an estimated 400 kB"));
        Some(0)
    }

    /// `gem install`, `bundle install`, `composer install`, `pipx install`, `uv`,
    /// `poetry install`, `luarocks install`: the packages' usual folders, of estimated size.
    fn language_packages(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let words =
            operands(args, &["--path", "--without", "--with", "-j", "--jobs", "--only", "--deployment", "--tree"]);
        let command = words.first().copied().unwrap_or("install");
        let cwd = self.shell.cwd.trim_end_matches('/').to_string();
        let home = self.shell.var("HOME").unwrap_or("/root").trim_end_matches('/').to_string();
        let (path, size) = match (applet, command) {
            ("gem", "install") => {
                let home = self.shell.var("GEM_HOME").unwrap_or("/usr/local/bundle").to_string();
                for name in words.iter().skip(1) {
                    self.synthetic(
                        &format!("{home}/gems/{name}/.stagecraft-gem"),
                        500_000,
                        &format!("gem {name}"),
                        0o644,
                    )
                    .ok()?;
                }
                (format!("{home}/specifications/.stagecraft-specs"), 10_000)
            }
            ("bundle", "install") => {
                let home =
                    self.shell.var("BUNDLE_PATH").or_else(|| self.shell.var("GEM_HOME")).unwrap_or("/usr/local/bundle");
                (format!("{home}/gems/.stagecraft-bundle"), 60_000_000)
            }
            ("composer", "install" | "update" | "require") => (format!("{cwd}/vendor/autoload.php"), 30_000_000),
            ("pipx", "install") => {
                let name = words.get(1)?;
                (format!("{home}/.local/bin/{name}"), 300_000)
            }
            ("uv", "sync") | ("poetry", "install") => (format!("{cwd}/.venv/pyvenv.cfg"), 50_000_000),
            ("uv", "pip") if words.get(1) == Some(&"install") => return self.pip(&args[1..]),
            ("luarocks", "install" | "make") => ("/usr/local/lib/luarocks/rocks/.stagecraft-rocks".into(), 2_000_000),
            (
                "bundle" | "composer" | "gem" | "poetry" | "uv",
                "config" | "lock" | "dump-autoload" | "clean" | "cache" | "update",
            ) => {
                self.shell.model(&format!("{applet} {command}: no file the image is known to keep changes"));
                return Some(0);
            }
            _ => return None,
        };
        self.synthetic(&path, size, &format!("{applet} {command}"), 0o644).ok()?;
        self.shell.partial = true;
        self.shell.model(&format!("{applet} {command} installs packages from the network: their folder is estimated"));
        Some(0)
    }
}

impl Env<'_> {
    /// `update-alternatives --install LINK NAME PATH PRIORITY` and `--set NAME PATH`: the
    /// two symbolic links, as the tool makes them.
    fn alternatives(&mut self, args: &[String]) -> Option<i32> {
        let at = |flag: &str| args.iter().position(|a| a == flag);
        let (link, name, path) = if let Some(i) = at("--install") {
            (Some(args.get(i + 1)?.clone()), args.get(i + 2)?.clone(), args.get(i + 3)?.clone())
        } else if let Some(i) = at("--set") {
            (None, args.get(i + 1)?.clone(), args.get(i + 2)?.clone())
        } else {
            self.shell.model("update-alternatives: its administrative files are not kept here");
            return Some(0);
        };
        let _ = self.shell.fs.mkdir_all("/etc/alternatives", Meta::DIR);
        let alternative = format!("/etc/alternatives/{name}");
        // `--install` of a lower priority than the current choice leaves it be.
        if link.is_none() || self.shell.fs.lstat(&alternative).is_none() {
            self.shell.fs.insert(&alternative, Entry::symlink(path.as_str(), Meta::SYMLINK)).ok()?;
        }
        if let Some(link) = link {
            let parent = link.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d }).to_string();
            let _ = self.shell.fs.mkdir_all(&parent, Meta::DIR);
            self.shell.fs.insert(&link, Entry::symlink(alternative.as_str(), Meta::SYMLINK)).ok()?;
        }
        self.shell.model("update-alternatives: the links are exact; /var/lib/dpkg/alternatives is not written here");
        Some(0)
    }

    /// `usermod -aG GROUPS USER`, `-s`, `-d`, `-u`, `-g`; `userdel`/`deluser`, `groupdel`/
    /// `delgroup`: the lines of `/etc/passwd` and `/etc/group` edited as the tools do;
    /// `chpasswd` and `passwd` change only `/etc/shadow`, which carries the build's date.
    fn account_edit(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        if matches!(applet, "chpasswd" | "passwd") {
            self.shell
                .model(&format!("{applet} changes /etc/shadow, which carries the build's date: not written here"));
            return Some(0);
        }
        // Bundled letters (`-aG`) one by one.
        let split: Vec<String> = args
            .iter()
            .flat_map(|a| match a.strip_prefix('-') {
                Some(b) if !b.starts_with('-') && b.len() > 1 => b.chars().map(|c| format!("-{c}")).collect(),
                _ => vec![a.clone()],
            })
            .collect();
        let args = split.as_slice();
        let valued =
            ["-G", "-g", "-u", "-s", "-d", "-l", "-c", "--groups", "--gid", "--uid", "--shell", "--home", "--login"];
        let names = operands(args, &valued);
        let user = (*names.first()?).to_string();
        let edit = |env: &mut Self, file: &str, f: &dyn Fn(&str) -> Option<String>| -> Option<()> {
            let text = read_text(env.shell, file)?;
            let mut out = String::new();
            for line in text.lines() {
                if let Some(new) = f(line) {
                    if !new.is_empty() {
                        out.push_str(&new);
                        out.push('\n');
                    }
                } else {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            let meta = env.shell.fs.stat(file).map_or(Meta::FILE, |e| e.meta);
            env.shell.fs.insert(file, Entry::file(Content::bytes(out.into_bytes()), meta)).ok()?;
            Some(())
        };
        let field = |line: &str, i: usize| line.split(':').nth(i).map(ToString::to_string);
        match applet {
            "usermod" => {
                let passwd = read_text(self.shell, "/etc/passwd")?;
                if !passwd.lines().any(|l| l.split(':').next() == Some(user.as_str())) {
                    self.io.stderr.extend_from_slice(format!("usermod: user '{user}' does not exist\n").as_bytes());
                    return Some(6);
                }
                let set = [
                    (opt(args, &["-u", "--uid"]), 2),
                    (opt(args, &["-g", "--gid"]), 3),
                    (opt(args, &["-d", "--home"]), 5),
                    (opt(args, &["-s", "--shell"]), 6),
                ];
                edit(self, "/etc/passwd", &|line| {
                    (field(line, 0)? == user).then(|| {
                        let mut parts: Vec<String> = line.split(':').map(ToString::to_string).collect();
                        for (value, i) in &set {
                            if let (Some(v), Some(slot)) = (value, parts.get_mut(*i)) {
                                v.clone_into(slot);
                            }
                        }
                        parts.join(":")
                    })
                })?;
                if let Some(groups) = opt(args, &["-G", "--groups"]) {
                    let append = args.iter().any(|a| a == "-a" || a == "--append");
                    let wanted: Vec<String> = groups.split(',').map(ToString::to_string).collect();
                    edit(self, "/etc/group", &|line| {
                        let name = field(line, 0)?;
                        let members: Vec<&str> =
                            line.rsplit(':').next()?.split(',').filter(|m| !m.is_empty()).collect();
                        let has = members.contains(&user.as_str());
                        let want = wanted.contains(&name);
                        let mut members: Vec<String> = members.iter().map(ToString::to_string).collect();
                        if want && !has {
                            members.push(user.clone());
                        } else if !want && has && !append {
                            members.retain(|m| *m != user);
                        } else {
                            return None;
                        }
                        let head: Vec<&str> = line.split(':').take(3).collect();
                        Some(format!("{}:{}", head.join(":"), members.join(",")))
                    })?;
                }
            }
            "userdel" | "deluser" => {
                let home = read_text(self.shell, "/etc/passwd")?
                    .lines()
                    .find(|l| l.split(':').next() == Some(user.as_str()))
                    .and_then(|l| field(l, 5));
                edit(self, "/etc/passwd", &|line| (field(line, 0)? == user).then(String::new))?;
                // The user's own group goes too, and the user leaves every group.
                edit(self, "/etc/group", &|line| {
                    if field(line, 0)? == user {
                        return Some(String::new());
                    }
                    let members = line.rsplit(':').next()?;
                    members.split(',').any(|m| m == user).then(|| {
                        let kept: Vec<&str> = members.split(',').filter(|m| *m != user && !m.is_empty()).collect();
                        let head: Vec<&str> = line.split(':').take(3).collect();
                        format!("{}:{}", head.join(":"), kept.join(","))
                    })
                })?;
                if args.iter().any(|a| a == "-r" || a == "--remove" || a == "--remove-home")
                    && let Some(home) = home
                {
                    let _ = self.shell.fs.remove(&home);
                }
            }
            _ => {
                edit(self, "/etc/group", &|line| (field(line, 0)? == user).then(String::new))?;
            }
        }
        self.shell.model(&format!(
            "{applet}: /etc/passwd and /etc/group are edited exactly; /etc/shadow is not written here"
        ));
        Some(0)
    }

    /// `getent passwd|group [NAME]`: the matching lines of the files.
    fn getent(&mut self, args: &[String]) -> Option<i32> {
        let (db, keys) = args.split_first()?;
        let file = match db.as_str() {
            "passwd" => "/etc/passwd",
            "group" => "/etc/group",
            _ => return None,
        };
        let text = read_text(self.shell, file).unwrap_or_default();
        let mut status = if keys.is_empty() { 0 } else { 2 };
        for line in text.lines() {
            let mut fields = line.split(':');
            let (name, id) = (fields.next().unwrap_or(""), fields.nth(1).unwrap_or(""));
            if keys.is_empty() || keys.iter().any(|k| k == name || k == id) {
                self.io.stdout.extend_from_slice(format!("{line}\n").as_bytes());
                status = 0;
            }
        }
        Some(status)
    }

    /// `a2enmod NAME`: the links in `mods-enabled` to `mods-available` (and the same for
    /// `conf` and `sites`), as Debian's apache2 scripts make them; `a2dis*` remove them.
    fn apache_links(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let kind = if applet.ends_with("mod") {
            "mods"
        } else if applet.ends_with("conf") {
            "conf"
        } else {
            "sites"
        };
        let enable = applet.starts_with("a2en");
        for name in operands(args, &[]) {
            let available = format!("/etc/apache2/{kind}-available");
            let mut found = false;
            for ext in ["load", "conf"] {
                let file =
                    if kind == "mods" || !name.ends_with(".conf") { format!("{name}.{ext}") } else { name.to_string() };
                if self.shell.fs.stat(&format!("{available}/{file}")).is_none() {
                    continue;
                }
                found = true;
                let link = format!("/etc/apache2/{kind}-enabled/{file}");
                if enable {
                    let _ = self.shell.fs.mkdir_all(&format!("/etc/apache2/{kind}-enabled"), Meta::DIR);
                    let target = format!("../{kind}-available/{file}");
                    self.shell.fs.insert(&link, Entry::symlink(target.as_str(), Meta::SYMLINK)).ok()?;
                } else {
                    let _ = self.shell.fs.remove(&link);
                }
            }
            if !found && !self.shell.partial {
                self.io.stderr.extend_from_slice(format!("ERROR: Module {name} does not exist!\n").as_bytes());
                return Some(1);
            }
        }
        Some(0)
    }

    /// Caches and settings rebuilt from what is installed: the files they write, of
    /// estimated size, or none the image keeps.
    fn system_cache(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let written = match applet {
            "ldconfig" => Some(("/etc/ld.so.cache", 20_000)),
            "update-ca-certificates" | "c_rehash" => Some(("/etc/ssl/certs/ca-certificates.crt", 220_000)),
            "locale-gen" => Some(("/usr/lib/locale/locale-archive", 3_000_000)),
            "fc-cache" => Some(("/var/cache/fontconfig/CACHEDIR.TAG", 200)),
            "ssh-keygen" => {
                let file = opt(args, &["-f"])?;
                self.synthetic(&format!("{file}.pub"), 100, "ssh public key", 0o644).ok()?;
                self.synthetic(&file, 400, "ssh private key", 0o600).ok()?;
                None
            }
            _ => None,
        };
        if let Some((path, size)) = written {
            let size = self.shell.fs.stat(path).map_or(size, |e| e.size().max(size));
            self.synthetic(path, size, applet, 0o644).ok()?;
        }
        self.shell.model(&format!("{applet} rebuilds caches or settings from what is installed: modeled"));
        Some(0)
    }

    /// `python -m pip ...` as pip; `python -m venv DIR`: the environment's layout.
    fn python(&mut self, args: &[String]) -> Option<i32> {
        let at = args.iter().position(|a| a == "-m")?;
        let module = args.get(at + 1)?.as_str();
        let rest = &args[at + 2..];
        match module {
            "pip" => match rest.first().map(String::as_str) {
                Some("install") => self.pip(rest),
                Some("--version" | "list" | "freeze" | "cache" | "config") => Some(0),
                _ => None,
            },
            "venv" | "virtualenv" => {
                let dir = self.shell.abs(rest.iter().find(|a| !a.starts_with('-'))?);
                let version =
                    self.shell.var("PYTHON_VERSION").map(|v| v.split('.').take(2).collect::<Vec<_>>().join("."));
                let version = version.unwrap_or_else(|| "3.11".into());
                self.shell.fs.mkdir_all(&format!("{dir}/bin"), super::new_meta(self.shell, true)).ok()?;
                let meta = super::new_meta(self.shell, false);
                let config =
                    format!("home = /usr/local/bin\ninclude-system-site-packages = false\nversion = {version}\n");
                self.shell
                    .fs
                    .insert(&format!("{dir}/pyvenv.cfg"), Entry::file(Content::bytes(config.into_bytes()), meta))
                    .ok()?;
                let link = Meta::new(0o777, self.shell.uid, self.shell.gid);
                self.shell
                    .fs
                    .insert(&format!("{dir}/bin/python"), Entry::symlink("/usr/local/bin/python3", link))
                    .ok()?;
                self.shell.fs.insert(&format!("{dir}/bin/python3"), Entry::symlink("python", link)).ok()?;
                self.synthetic(&format!("{dir}/bin/pip"), 250, "venv pip", 0o755).ok()?;
                self.synthetic(
                    &format!("{dir}/lib/python{version}/site-packages/.stagecraft-pip"),
                    12_000_000,
                    "venv site-packages",
                    0o644,
                )
                .ok()?;
                self.shell.model("python -m venv: the layout is the usual one; pyvenv.cfg names the base interpreter as /usr/local/bin");
                Some(0)
            }
            "compileall" | "ensurepip" => {
                self.shell.model(&format!("python -m {module}: byte-code caches are not written here"));
                Some(0)
            }
            _ => None,
        }
    }

    /// `cc -o OUT ...`: a binary (or `-c`: one object per source), of estimated size.
    fn compiler(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        if args.iter().any(|a| a == "--version" || a == "-v" || a == "-dumpmachine") {
            return None;
        }
        let sources: Vec<&String> = args
            .iter()
            .filter(|a| !a.starts_with('-') && (a.ends_with(".c") || a.ends_with(".cc") || a.ends_with(".cpp")))
            .collect();
        if let Some(out) = opt(args, &["-o"]) {
            self.synthetic(
                &out,
                200_000,
                &format!("{applet} output"),
                if args.iter().any(|a| a == "-c") { 0o644 } else { 0o755 },
            )
            .ok()?;
        } else if args.iter().any(|a| a == "-c") {
            for s in sources {
                let stem = s.rsplit('/').next().unwrap_or(s).rsplit_once('.').map_or(s.as_str(), |(st, _)| st);
                self.synthetic(&format!("{stem}.o"), 20_000, &format!("{applet} object"), 0o644).ok()?;
            }
        } else {
            self.synthetic("a.out", 200_000, &format!("{applet} output"), 0o755).ok()?;
        }
        self.shell.model(&format!("{applet} compiles: the output's size is estimated"));
        Some(0)
    }

    /// `strip FILE...`, `upx FILE...`: the files shrink by an estimated half.
    fn strip(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        for file in operands(args, &["-o", "-R", "-K"]) {
            let path = self.shell.abs(file);
            match self.shell.fs.stat(&path) {
                Some(e) => {
                    let mode = e.meta.mode;
                    self.synthetic(&path, e.size() / 2, &format!("{applet}ped {path}"), mode).ok()?;
                }
                None if self.shell.partial => {}
                None => return Some(self.fail(&format!("'{file}': No such file"))),
            }
        }
        self.shell.model(&format!("{applet} rewrites binaries: their new size is estimated at half"));
        Some(0)
    }

    /// The Jupyter images' `fix-permissions DIR...`: the group `NB_GID` and `g+rwX` on
    /// everything, and the set-id bits on directories, as the script does.
    fn fix_permissions(&mut self, args: &[String]) -> Option<i32> {
        let gid = self.shell.var("NB_GID").unwrap_or("100").to_string();
        for dir in args {
            let path = self.shell.abs(dir);
            if self.shell.fs.stat(&path).is_none() {
                continue;
            }
            self.run("chgrp", &["-R".into(), gid.clone(), path.clone()])?;
            self.run("chmod", &["-R".into(), "g+rwX".into(), path.clone()])?;
            for (p, entry) in self.shell.fs.walk(&path) {
                if entry.is_dir() && entry.meta.mode & 0o6000 != 0o6000 {
                    let mut e = entry.clone();
                    e.meta.mode |= 0o6000;
                    self.shell.fs.insert(&p, e).ok()?;
                }
            }
        }
        Some(0)
    }

    /// `unzip [-q] [-o] ARCHIVE [-d DIR]` of a download: its files are not known.
    fn unzip(&mut self, args: &[String]) -> Option<i32> {
        let archive = operands(args, &["-d"]).first().map(|a| self.shell.abs(a))?;
        match self.shell.fs.stat(&archive) {
            Some(Entry { node: crate::fs::Node::File { content, .. }, .. }) if content.as_bytes().is_none() => {
                self.unpack_unknown(args);
                Some(0)
            }
            None if self.shell.partial => {
                self.unpack_unknown(args);
                Some(0)
            }
            // A zip whose bytes are known is not read yet.
            Some(_) => None,
            None => {
                let name = archive.rsplit('/').next().unwrap_or(&archive);
                self.io.stderr.extend_from_slice(
                    format!("unzip:  cannot find or open {name}, {name}.zip or {name}.ZIP.\n").as_bytes(),
                );
                Some(9)
            }
        }
    }

    fn unpack_unknown(&mut self, args: &[String]) {
        if let Some(dir) = opt(args, &["-d"]) {
            let _ = self.shell.fs.mkdir_all(&self.shell.abs(&dir), super::new_meta(self.shell, true));
        }
        self.shell.model("unzip extracts an archive whose content is not known here: its files are unknown");
        self.shell.partial = true;
    }
}
