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
            "update-alternatives" => self.alternatives(args),
            "usermod" | "userdel" | "groupdel" | "deluser" | "delgroup" => self.account_edit(applet, args),
            "getent" => self.getent(args),
            "a2enmod" | "a2enconf" | "a2ensite" | "a2dismod" | "a2disconf" | "a2dissite" => {
                self.apache_links(applet, args)
            }
            "python" | "python3" => self.python(args),
            "fix-permissions" => self.fix_permissions(args),
            "yes" => {
                // Endless in a real run; whatever reads it takes a few lines.
                let word = if args.is_empty() { "y".to_string() } else { args.join(" ") };
                self.io.stdout.extend_from_slice(format!("{word}\n").repeat(1024).as_bytes());
                self.shell.model("yes writes without end: 1024 lines stand for it");
                Some(0)
            }
            // Cross binutils and compilers (`aarch64-linux-gnu-gcc`) as the native ones.
            _ if applet.contains("-linux-") && ["-gcc", "-g++", "-as", "-ld"].iter().any(|t| applet.ends_with(t)) => {
                self.declared("cc", args)
            }
            _ if applet.contains("-linux-") && applet.ends_with("-strip") => self.declared("strip", args),
            _ => self.declared(applet, args),
        }
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

    /// `python -m pip install ...` as pip; other modules (`venv`) from the table.
    fn python(&mut self, args: &[String]) -> Option<i32> {
        let at = args.iter().position(|a| a == "-m")?;
        match (args.get(at + 1).map(String::as_str), args.get(at + 2).map(String::as_str)) {
            (Some("pip"), Some("install")) => self.pip(&args[at + 2..]),
            (Some("pip"), _) => Some(0),
            _ => self.declared("python", args),
        }
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
}
