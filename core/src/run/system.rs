//! System-tool models that need code rather than a line of the table (`declared.rs`): the
//! account tools, whose edits of `/etc/passwd` and `/etc/group` are exact, `getent`,
//! `python -m pip`, `yes`, and the dispatch of the rest to the table (cross compilers as the
//! native ones).

// File names are matched as the tools match them on Linux: case-sensitively.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use super::builds::{operands, opt};
use super::utils::{Env, read_text};
use crate::fs::{Content, Entry};

impl Env<'_> {
    /// Runs a system-tool model; `None` when `applet` is not one.
    pub(crate) fn system_tool(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        match applet {
            "usermod" | "userdel" | "groupdel" | "deluser" | "delgroup" => self.account_edit(applet, args),
            "getent" => self.getent(args),
            "python" | "python3" => self.python(args),
            "yes" => {
                // Endless in a real run; whatever reads it takes a few lines.
                let line = format!("{}\n", if args.is_empty() { "y".to_string() } else { args.join(" ") });
                // At most 64 KiB, whatever the line's length.
                let lines = (64 * 1024 / line.len()).clamp(1, 1024);
                self.io.stdout.extend_from_slice(line.repeat(lines).as_bytes());
                self.shell.model("yes writes without end: up to 1024 lines stand for it");
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
        let valued = [
            "-G",
            "-g",
            "-u",
            "-s",
            "-d",
            "-l",
            "-c",
            "-p",
            "-e",
            "-f",
            "-R",
            "--groups",
            "--gid",
            "--uid",
            "--shell",
            "--home",
            "--password",
            "--root",
        ];
        let names = operands(args, &valued);
        let user = (*names.first()?).to_string();
        // `deluser USER GROUP` and `delgroup USER GROUP` take the user out of the group only.
        let from_group =
            if matches!(applet, "deluser" | "delgroup") { names.get(1).map(ToString::to_string) } else { None };
        // Both files as rows of fields.
        let mut files: Vec<(&str, Vec<Vec<String>>)> = ["/etc/passwd", "/etc/group"]
            .into_iter()
            .map(|f| {
                let text = read_text(self.shell, f).unwrap_or_default();
                (f, text.lines().map(|l| l.split(':').map(ToString::to_string).collect()).collect())
            })
            .collect();
        let [(_, passwd), (_, group)] = files.as_mut_slice() else { return None };
        let is_user = |row: &Vec<String>| row[0] == user;
        let not_user = |m: &&str| *m != user && !m.is_empty();
        // The tools refuse a name that is not there (status 6), unless the files are partly
        // unknown (an unknown step may have made it).
        let exists = if applet.ends_with("group") { group.iter().any(is_user) } else { passwd.iter().any(is_user) };
        if !exists && from_group.is_none() && applet != "usermod" {
            if self.shell.partial {
                self.shell.model(&format!("{applet}: {user} is not in the files known here, so nothing is removed"));
                return Some(0);
            }
            self.io.stderr.extend_from_slice(format!("{applet}: '{user}' does not exist\n").as_bytes());
            return Some(6);
        }
        if let Some(g) = &from_group {
            for row in group.iter_mut().filter(|r| r.len() == 4 && r[0] == *g) {
                row[3] = row[3].split(',').filter(not_user).collect::<Vec<_>>().join(",");
            }
        }
        match applet {
            _ if from_group.is_some() => {}
            "usermod" => {
                let Some(row) = passwd.iter_mut().find(|r| is_user(r)) else {
                    if self.shell.partial {
                        // Made by a step whose files are not known: taken to be there.
                        self.shell.model(&format!(
                            "usermod: the user {user} is not in the files known here, so it is not edited"
                        ));
                        return Some(0);
                    }
                    self.io.stderr.extend_from_slice(format!("usermod: user '{user}' does not exist\n").as_bytes());
                    return Some(6);
                };
                for (flags, i) in
                    [(["-u", "--uid"], 2), (["-g", "--gid"], 3), (["-d", "--home"], 5), (["-s", "--shell"], 6)]
                {
                    if let (Some(value), Some(slot)) = (opt(args, &flags), row.get_mut(i)) {
                        *slot = value;
                    }
                }
                // `-g NAME`: passwd holds the group's id.
                if let Some(slot) = row.get_mut(3).filter(|g| g.parse::<u32>().is_err()) {
                    let Some(gid) = group.iter().find(|r| r[0] == **slot).and_then(|r| r.get(2)) else {
                        let line = format!("usermod: group '{slot}' does not exist\n");
                        self.io.stderr.extend_from_slice(line.as_bytes());
                        return Some(6);
                    };
                    gid.clone_into(slot);
                }
                if let Some(wanted) = opt(args, &["-G", "--groups"]) {
                    // Without -a the user leaves the groups not named.
                    let append = args.iter().any(|a| a == "-a" || a == "--append");
                    for row in group.iter_mut().filter(|r| r.len() == 4) {
                        let has = row[3].split(',').any(|m| m == user);
                        if has == (wanted.split(',').any(|g| g == row[0]) || (append && has)) {
                            continue;
                        }
                        let mut members: Vec<&str> = row[3].split(',').filter(not_user).collect();
                        if !has {
                            members.push(&user);
                        }
                        row[3] = members.join(",");
                    }
                }
            }
            "userdel" | "deluser" => {
                let home = passwd.iter().find(|r| is_user(r)).and_then(|r| r.get(5).cloned());
                passwd.retain(|r| !is_user(r));
                // The user's own group goes too, and the user leaves every group.
                group.retain(|r| !is_user(r));
                for row in group.iter_mut().filter(|r| r.len() == 4) {
                    row[3] = row[3].split(',').filter(not_user).collect::<Vec<_>>().join(",");
                }
                if args.iter().any(|a| a == "-r" || a == "--remove-home")
                    && let Some(home) = home
                {
                    let _ = self.shell.fs.remove(&home);
                }
            }
            _ => group.retain(|r| !is_user(r)),
        }
        for (file, rows) in files {
            let Some(meta) = self.shell.fs.stat(file).map(|e| e.meta) else { continue };
            let text: String = rows.iter().map(|r| r.join(":") + "\n").collect();
            self.shell.fs.insert(file, Entry::file(Content::bytes(text.into_bytes()), meta)).ok()?;
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

    /// `python -m pip install ...` as pip; other modules (`venv`) from the table; a program
    /// read for its effects on files ([`Env::python_program`]).
    fn python(&mut self, args: &[String]) -> Option<i32> {
        let Some(at) = args.iter().position(|a| a == "-m") else { return self.python_program(args) };
        match (args.get(at + 1).map(String::as_str), args.get(at + 2).map(String::as_str)) {
            (Some("pip"), Some("install")) => self.pip(&args[at + 2..]),
            (Some("pip"), _) => Some(0),
            _ => self.declared("python", args),
        }
    }
}
