//! `--chown` and the user a WORKDIR is created as: names resolved through the stage's
//! `/etc/passwd` and `/etc/group`, as BuildKit's file operations resolve them.
//!
//! A user given by name takes its uid and primary gid from `/etc/passwd`; a numeric user is
//! used as both uid and gid; a group (by name from `/etc/group`, or numeric) replaces the gid.

use crate::fs::{Node, Snapshot};

/// The bytes of a small text file, when the snapshot knows them.
fn text(snapshot: &Snapshot, path: &str) -> Result<Option<String>, String> {
    match snapshot.stat(path) {
        None => Ok(None),
        Some(entry) => match &entry.node {
            Node::File { content, .. } => match content.as_bytes() {
                Some(bytes) => Ok(Some(String::from_utf8_lossy(bytes).into_owned())),
                None => Err(format!("{path} is only known by its size here, so names cannot be looked up in it")),
            },
            _ => Ok(None),
        },
    }
}

/// A `name:x:uid:gid:...` line's numbers, for `name`.
fn lookup(file: &str, name: &str, want_gid: bool) -> Option<(u32, u32)> {
    file.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.first() != Some(&name) {
            return None;
        }
        let id = fields.get(2)?.parse().ok()?;
        let gid = if want_gid { fields.get(3)?.parse().ok()? } else { id };
        Some((id, gid))
    })
}

fn numeric(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Resolves `user[:group]` against `snapshot`.
///
/// # Errors
/// BuildKit's messages for an unknown user or group.
pub fn resolve(spec: &str, snapshot: &Snapshot) -> Result<(u32, u32), String> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let (mut uid, mut gid) = if let Some(id) = numeric(user) {
        (id, id)
    } else if user.is_empty() {
        (0, 0)
    } else {
        let passwd = text(snapshot, "/etc/passwd")?
            .ok_or_else(|| format!("unable to find user {user}: no matching entries in passwd file"))?;
        lookup(&passwd, user, true)
            .ok_or_else(|| format!("unable to find user {user}: no matching entries in passwd file"))?
    };
    if let Some(group) = group.filter(|g| !g.is_empty()) {
        gid = if let Some(id) = numeric(group) {
            id
        } else {
            let groups = text(snapshot, "/etc/group")?
                .ok_or_else(|| format!("unable to find group {group}: no matching entries in group file"))?;
            lookup(&groups, group, false)
                .ok_or_else(|| format!("unable to find group {group}: no matching entries in group file"))?
                .0
        };
    }
    if user.is_empty() {
        uid = 0;
    }
    Ok((uid, gid))
}

/// The home directory of `uid` in the stage's `/etc/passwd` (`HOME` for RUN when the image
/// sets none): `/root` for root and `/` for a user it does not list.
#[must_use]
pub fn home(uid: u32, snapshot: &Snapshot) -> String {
    let passwd = text(snapshot, "/etc/passwd").ok().flatten().unwrap_or_default();
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.get(2)?.parse::<u32>().ok()? == uid).then(|| fields.get(5).map(|h| (*h).to_string()))?
        })
        .unwrap_or_else(|| if uid == 0 { "/root".into() } else { "/".into() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{Content, Entry, Meta};

    #[test]
    fn names_come_from_the_stage() {
        let mut s = Snapshot::new();
        s.mkdir_all("/etc", Meta::DIR).unwrap();
        let passwd = "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1001:node:/home/node:/bin/sh\n";
        s.insert("/etc/passwd", Entry::file(Content::bytes(passwd.as_bytes()), Meta::FILE)).unwrap();
        s.insert("/etc/group", Entry::file(Content::bytes(&b"root:x:0:\nstaff:x:50:\n"[..]), Meta::FILE)).unwrap();
        assert_eq!(resolve("node", &s), Ok((1000, 1001)));
        assert_eq!(resolve("node:staff", &s), Ok((1000, 50)));
        assert_eq!(resolve("55", &s), Ok((55, 55)));
        assert_eq!(resolve("55:7", &s), Ok((55, 7)));
        assert_eq!(resolve("nobody", &s), Err("unable to find user nobody: no matching entries in passwd file".into()));
        assert_eq!(
            resolve("node:wheel", &s),
            Err("unable to find group wheel: no matching entries in group file".into())
        );
        assert_eq!(resolve("1:1", &Snapshot::new()), Ok((1, 1)));
        assert!(resolve("app", &Snapshot::new()).is_err());
    }
}
