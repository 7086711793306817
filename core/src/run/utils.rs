//! The utilities RUN scripts call, over the simulated filesystem, as the image's userland
//! has them: busybox applets, or GNU coreutils (and dash's or bash's `echo`). Each returns
//! its exit status; `None` means the interpreter does not know the utility (the step turns
//! opaque there).

use std::fmt::Write as _;

use super::{Io, Shell, Userland, errno_text, new_meta};
use crate::fs::copy::Chmod;
use crate::fs::{Content, Entry, FsError, Meta, Node};

/// A utility being run: the shell (files, user, variables) and its streams.
pub(crate) struct Env<'a> {
    pub(crate) shell: &'a mut Shell,
    pub(crate) io: &'a mut Io,
    /// The name it was called by (for messages).
    pub(crate) name: String,
}

/// The tools a stream of unknown bytes (a download piped in) may go to: they pass it on,
/// save it or unpack it ([`Env::run`]); anything else reading it stops the interpreter.
pub(crate) const STREAM_TOOLS: [&str; 27] = [
    "tar",
    "tee",
    "cat",
    "gunzip",
    "zcat",
    "gzip",
    "xz",
    "unxz",
    "bzip2",
    "bunzip2",
    "gpg",
    "gpg2",
    "apt-key",
    "awk",
    "sort",
    "uniq",
    "cut",
    "tr",
    "sed",
    "grep",
    "head",
    "tail",
    "sha256sum",
    "sha512sum",
    "sha384sum",
    "sha1sum",
    "md5sum",
];

/// The error of reading a file the simulation knows only by size.
pub(crate) const UNKNOWN_CONTENT: &str = "its content is not known here";

/// The bytes of a file (symlinks followed), or the error text.
pub(crate) fn read_file(shell: &Shell, path: &str) -> Result<Vec<u8>, String> {
    match shell.fs.resolve(path, true) {
        Ok(r) => match r.entry {
            Some(Entry { node: Node::File { content, .. }, meta }) => {
                if !may(shell, &meta, 4) {
                    return Err("Permission denied".into());
                }
                content.as_bytes().map(<[u8]>::to_vec).ok_or_else(|| UNKNOWN_CONTENT.into())
            }
            Some(Entry { node: Node::Dir(_), .. }) => Err("Is a directory".into()),
            _ => Err("No such file or directory".into()),
        },
        Err(e) => Err(errno_text(&e).into()),
    }
}

/// A small text file's content, when known.
pub(crate) fn read_text(shell: &Shell, path: &str) -> Option<String> {
    match shell.fs.stat(path)?.node {
        Node::File { content, .. } => content.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// May the shell's user do `want` (4 read, 2 write, 1 search) with an entry of `meta`?
fn may(shell: &Shell, meta: &Meta, want: u32) -> bool {
    if shell.uid == 0 {
        return true;
    }
    let bits = if meta.uid == shell.uid {
        meta.mode >> 6
    } else if meta.gid == shell.gid {
        meta.mode >> 3
    } else {
        meta.mode
    };
    bits & want == want
}

/// The parent directory of canonical `path` may be written by the user.
fn parent_writable(shell: &Shell, path: &str) -> Result<(), String> {
    let parent = path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
    match shell.fs.stat(parent) {
        Some(e) if e.is_dir() => {
            if may(shell, &e.meta, 3) {
                Ok(())
            } else {
                Err("Permission denied".into())
            }
        }
        Some(_) => Err("Not a directory".into()),
        None => Err("No such file or directory".into()),
    }
}

/// The directory `path` is in (`/` for a name at the top).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p })
}

/// `dir`, or the nearest directory above it that exists (`/` at the most).
fn nearest_existing<'p>(shell: &Shell, dir: &'p str) -> &'p str {
    let mut existing = dir;
    while existing != "/" && shell.fs.stat(existing).is_none() {
        existing = parent(existing);
    }
    existing
}

/// May the shell's user make files in `dir` (or, if it is missing, in the nearest directory
/// above it that exists)?
pub(crate) fn writable(shell: &Shell, dir: &str) -> bool {
    parent_writable(shell, &format!("{}/x", nearest_existing(shell, dir).trim_end_matches('/'))).is_ok()
}

/// Makes the directories above `path` that are missing, as the shell's user makes them (as a
/// tool's `mkdir -p` would): the user must be allowed to write where the first is made.
pub(crate) fn make_parents(shell: &mut Shell, path: &str) -> Result<(), String> {
    let parent = parent(path);
    let existing = nearest_existing(shell, parent);
    if existing != parent
        && let Err(e) = parent_writable(shell, &format!("{}/x", existing.trim_end_matches('/')))
    {
        // Over partly unknown files the directory's owner may not be the one known here.
        if !shell.partial {
            return Err(e);
        }
        shell.model("a directory the step writes into is not known to be writable here: it is taken to be, as the real build went on");
    }
    shell.fs.mkdir_all(parent, new_meta(shell, true)).map(|_| ()).map_err(|e| errno_text(&e).to_string())
}

/// Opens `path` for writing as `>` or `>>` does: creates it (0644 under umask 022, owned by
/// the user) or truncates it. Returns the canonical path the output goes to.
pub(crate) fn open_for_write(shell: &mut Shell, path: &str, append: bool) -> Result<String, String> {
    let resolved = shell.fs.resolve(path, true).map_err(|e| errno_text(&e).to_string())?;
    let canonical = resolved.path();
    match resolved.entry {
        Some(Entry { node: Node::Dir(_), .. }) => Err("Is a directory".into()),
        Some(Entry { node: Node::File { content, link }, meta }) => {
            if !may(shell, &meta, 2) {
                return Err("Permission denied".into());
            }
            if !append {
                let entry = Entry { node: Node::File { content: Content::bytes(Vec::new()), link }, meta };
                shell.fs.insert(&canonical, entry).map_err(|e| errno_text(&e).to_string())?;
            } else if content.as_bytes().is_none() {
                return Err(UNKNOWN_CONTENT.into());
            }
            Ok(canonical)
        }
        Some(_) => Err("No such file or directory".into()),
        None => {
            parent_writable(shell, &canonical)?;
            let entry = Entry::file(Content::bytes(Vec::new()), new_meta(shell, false));
            shell.fs.insert(&canonical, entry).map_err(|e| errno_text(&e).to_string())?;
            Ok(canonical)
        }
    }
}

/// Appends `bytes` to the file at canonical `path` (made by [`open_for_write`]).
pub(crate) fn append(shell: &mut Shell, path: &str, bytes: &[u8]) {
    shell.written += bytes.len();
    if let Some(Entry { node: Node::File { content, link }, meta }) = shell.fs.stat(path) {
        let mut data = content.as_bytes().map(<[u8]>::to_vec).unwrap_or_default();
        data.extend_from_slice(bytes);
        let _ = shell.fs.insert(path, Entry { node: Node::File { content: Content::bytes(data), link }, meta });
    }
}

/// Splits `args` into flags (single letters, `-abc` grouped, until `--` or the first
/// operand) and operands. Long options are kept as flags by name.
/// Short options with their values, as [`options`] returns them.
type Flags = Vec<(char, Option<String>)>;

/// `args` with the long options `table` names spelled as their short forms (`--mode=755` and
/// `--mode 755` as `-m 755`), for [`options`]; others are left as they are.
/// tar's long options that take the next word, as their letters.
pub(super) const TAR_VALUED: &[(&str, char)] = &[("file", 'f'), ("directory", 'C')];

pub(super) fn spelled_short(args: &[String], table: &[(&str, char)]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            out.push(arg.clone());
            out.extend(iter.cloned());
            break;
        }
        let Some(long) = arg.strip_prefix("--") else {
            out.push(arg.clone());
            continue;
        };
        let (name, value) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v)));
        match table.iter().find(|(n, _)| *n == name) {
            Some((_, c)) => {
                out.push(format!("-{c}"));
                out.extend(value.map(str::to_string));
            }
            None => out.push(arg.clone()),
        }
    }
    out
}

fn options(args: &[String], with_value: &[char]) -> (Flags, Vec<String>, Vec<String>) {
    let mut flags = Vec::new();
    let mut long = Vec::new();
    let mut operands = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            operands.extend(iter.cloned());
            break;
        }
        if let Some(name) = arg.strip_prefix("--") {
            long.push(name.to_string());
            continue;
        }
        if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg[1..].chars().collect();
            let mut i = 0;
            while i < chars.len() {
                let c = chars[i];
                if with_value.contains(&c) {
                    let rest: String = chars[i + 1..].iter().collect();
                    let value = if rest.is_empty() { iter.next().cloned() } else { Some(rest) };
                    flags.push((c, value));
                    break;
                }
                flags.push((c, None));
                i += 1;
            }
            continue;
        }
        operands.push(arg.clone());
    }
    (flags, operands, long)
}

/// Where `cp`, `mv` and `ln` put `src`: into `dest` when it is a directory (under the source's
/// last name), else at `dest`.
fn into(dest: &str, dest_is_dir: bool, src: &str) -> String {
    if dest_is_dir {
        let base = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
        format!("{}/{base}", dest.trim_end_matches('/'))
    } else {
        dest.to_string()
    }
}

fn has(flags: &[(char, Option<String>)], c: char) -> bool {
    flags.iter().any(|(f, _)| *f == c)
}

fn value(flags: &[(char, Option<String>)], c: char) -> Option<String> {
    flags.iter().rev().find(|(f, _)| *f == c).and_then(|(_, v)| v.clone())
}

impl Env<'_> {
    /// Runs utility `applet`; `None` when it is not one the interpreter has.
    pub(crate) fn run(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        if self.io.unknown_in.is_some() {
            if let Some(status) = self.pass_unknown(applet, args) {
                return Some(status);
            }
            // Declined with the stream still there: a tool that would read it, not known.
            if self.io.unknown_in.is_some() {
                return None;
            }
        }
        Some(match applet {
            // `sleep` and `sync` change no file.
            "true" | "sleep" | "sync" => 0,
            "false" => 1,
            "echo" => self.echo(args),
            "printf" => self.printf(args),
            "pwd" => {
                let cwd = self.shell.cwd.clone();
                self.out(&format!("{cwd}\n"));
                0
            }
            "cat" => self.cat(args),
            "mkdir" => self.mkdir(args),
            "rmdir" => self.rmdir(args),
            "touch" => self.touch(args),
            "rm" => self.rm(args),
            "cp" => self.cp(args)?,
            "mv" => self.mv(args),
            "ln" => self.ln(args)?,
            "chmod" => self.chmod(args),
            "chown" | "chgrp" => self.chown(args, applet == "chgrp"),
            "test" | "[" => self.test(args, applet == "["),
            // busybox's `[[` applet (and ash's builtin) is `test` closed by `]]`.
            "[[" if !self.gnu() => match args.split_last() {
                Some((last, rest)) if last == "]]" => self.test(rest, false),
                _ => self.fail("missing ]]") + 1,
            },
            "arch" if args.is_empty() => {
                self.out("x86_64\n");
                0
            }
            "nproc" => {
                self.shell.model("nproc prints the builder's processor count, not known here: 2 stands for it");
                self.out("2\n");
                0
            }
            "basename" => {
                let Some(path) = args.first() else { return Some(self.fail("missing operand")) };
                let mut base = path.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
                if base.is_empty() {
                    base = if path.is_empty() { String::new() } else { "/".into() };
                }
                if let Some(suffix) = args.get(1)
                    && base.len() > suffix.len()
                    && base.ends_with(suffix.as_str())
                {
                    base.truncate(base.len() - suffix.len());
                }
                self.out(&format!("{base}\n"));
                0
            }
            "dirname" => {
                let Some(path) = args.first() else { return Some(self.fail("missing operand")) };
                self.out(&format!("{}\n", dirname(path)));
                0
            }
            "whoami" => {
                let name = self.user_name(self.shell.uid, "/etc/passwd").unwrap_or_else(|| self.shell.uid.to_string());
                self.out(&format!("{name}\n"));
                0
            }
            "id" => self.id(args),
            "tee" => self.tee(args),
            "head" | "tail" => self.head_tail(args, applet == "head")?,
            "wc" => self.wc(args)?,
            "readlink" => self.readlink(args),
            "realpath" => self.realpath(args),
            "which" => self.which(args),
            "install" => self.install(args)?,
            "ls" => self.ls(args)?,
            "hostname" if args.is_empty() => {
                // BuildKit names every RUN container so; the classic builder uses its id.
                self.shell.model("hostname is the container's: buildkitsandbox under BuildKit");
                self.out("buildkitsandbox\n");
                0
            }
            "date" if args.iter().all(|a| a.starts_with('+') || a == "-u") => {
                self.shell.model("date prints the time of the build, not known here: the epoch stands for it");
                let format = args.iter().find(|a| a.starts_with('+')).map(|f| &f[1..]);
                let text = match format {
                    None => "Thu Jan  1 00:00:00 UTC 1970".to_string(),
                    Some(f) => f
                        .replace("%Y", "1970")
                        .replace("%m", "01")
                        .replace("%d", "01")
                        .replace("%H", "00")
                        .replace("%M", "00")
                        .replace("%S", "00")
                        .replace("%s", "0"),
                };
                self.out(&format!("{text}\n"));
                0
            }
            "stat" => self.stat(args)?,
            "tar" | "gunzip" | "zcat" | "gzip" | "uname" | "expr" | "awk" | "gawk" | "mawk" => {
                return self.archive_tool(applet, args);
            }
            _ => return self.text_tool(applet, args).unwrap_or_else(|| self.model_tool(applet, args)),
        })
    }

    /// A tool reading a stream whose bytes are not known (a download piped in): decompressors,
    /// `cat` and the text filters pass it on, `tee` saves it, `tar` unpacks files that are not
    /// known; `None` for anything else.
    fn pass_unknown(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        if !STREAM_TOOLS.contains(&applet) {
            return None;
        }
        let what = self.io.unknown_in.take()?;
        let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        match applet {
            "cat" | "gunzip" | "zcat" | "gzip" | "xz" | "unxz" | "bzip2" | "bunzip2" if operands.is_empty() => {
                self.io.unknown_out = Some(what);
            }
            // A text filter over unknown text prints unknown text; one whose status decides
            // something (`sed -i`, `grep -l`) is not passed.
            "awk" | "sort" | "uniq" | "cut" | "tr" | "head" | "tail" => self.io.unknown_out = Some(what),
            // `grep -q` over unknown text: taken to find a match, as the real build went on.
            "grep"
                if args.iter().any(|a| {
                    matches!(a.as_str(), "--quiet" | "--silent")
                        || (a.starts_with('-') && !a.starts_with("--") && a.contains('q') && !a.contains('l'))
                }) =>
            {
                self.shell.model("grep over text that is not known here is taken to find a match");
            }
            "sed" | "grep"
                if !args.iter().any(|a| {
                    a.starts_with("-i")
                        || matches!(
                            a.as_str(),
                            "--quiet" | "--silent" | "--files-with-matches" | "--files-without-match"
                        )
                        || a.starts_with("--in-place")
                        || (a.starts_with('-') && !a.starts_with("--") && (a.contains('q') || a.contains('l')))
                }) =>
            {
                if applet == "grep" {
                    // Whether anything matched is not known: the pipeline goes on as if it did.
                    self.shell.model("grep over text that is not known here is taken to find a match");
                }
                self.io.unknown_out = Some(what);
            }
            // A checksum of unknown bytes is not known; a checksum list of unknown bytes (`echo
            // "$(curl URL.sha256)  file" | sha256sum -c -`) is taken to pass, as the real build
            // went on past it.
            "sha256sum" | "sha512sum" | "sha384sum" | "sha1sum" | "md5sum" if operands.is_empty() => {
                if args.iter().any(|a| a == "-c" || a == "--check") {
                    self.shell.model("a checksum list whose content is not known here is taken to pass");
                } else {
                    self.io.unknown_out = Some(format!("the checksum of {what}"));
                }
            }
            "tee" => {
                for file in operands {
                    self.synthetic(file, 1_000_000, &what, 0o644).ok()?;
                }
                self.io.unknown_out = Some(what);
            }
            "gpg" | "gpg2" | "apt-key" => {
                self.io.unknown_in = Some(what);
                let status = self.model_tool(applet, args);
                self.io.unknown_in = None;
                return status;
            }
            "tar" => {
                // The options as tar reads them: bundled letters (the first word may lack its
                // dash), `f` and `C` taking the next word.
                let args = &spelled_short(args, TAR_VALUED);
                let (mut extracts, mut file, mut dir) = (false, None, None);
                let mut i = 0;
                while let Some(w) = args.get(i) {
                    if let Some(long) = w.strip_prefix("--") {
                        match long.split_once('=') {
                            Some(("file", f)) => file = Some(f.to_string()),
                            Some(("directory", d)) => dir = Some(d.to_string()),
                            _ => extracts |= matches!(long, "extract" | "get"),
                        }
                    } else if let Some(bundle) = w.strip_prefix('-').or(if i == 0 { Some(w.as_str()) } else { None }) {
                        for c in bundle.chars() {
                            match c {
                                'x' => extracts = true,
                                'f' | 'C' => {
                                    i += 1;
                                    let value = args.get(i).cloned();
                                    if c == 'f' { file = value } else { dir = value }
                                }
                                _ => {}
                            }
                        }
                    }
                    i += 1;
                }
                if file.as_deref().is_some_and(|f| f != "-") {
                    // tar reads its archive from a file, not from the stream: it runs as usual.
                    return None;
                }
                if !extracts {
                    self.io.unknown_in = Some(what);
                    return None;
                }
                if let Some(dir) = dir {
                    let dir = self.shell.abs(&dir);
                    if self.shell.fs.stat(&dir).is_none() && !self.shell.partial {
                        return Some(
                            self.fail(&format!("can't change directory to '{dir}': No such file or directory")),
                        );
                    }
                }
                self.shell.model(&format!("tar unpacks {what}: the files it holds are not known here"));
                self.shell.partial = true;
            }
            _ => {
                self.io.unknown_in = Some(what);
                return None;
            }
        }
        Some(0)
    }

    fn out(&mut self, text: &str) {
        self.io.stdout.extend_from_slice(text.as_bytes());
    }

    /// An error line `name: message`, status 1.
    pub(crate) fn fail(&mut self, message: &str) -> i32 {
        let line = format!("{}: {message}\n", self.name);
        self.io.stderr.extend_from_slice(line.as_bytes());
        1
    }

    pub(super) fn gnu(&self) -> bool {
        self.shell.userland == Userland::Gnu
    }

    /// busybox says "can't", GNU "cannot".
    fn cant(&self) -> &'static str {
        if self.gnu() { "cannot" } else { "can't" }
    }

    /// A path as GNU quotes it in messages ('x'), busybox the same.
    fn q(path: &str) -> String {
        format!("'{path}'")
    }

    fn echo(&mut self, args: &[String]) -> i32 {
        // The shell's builtin echo: dash interprets escapes always and takes only -n; busybox
        // ash and bash take -n, -e, -E and interpret escapes only with -e.
        let dash = self.gnu() && self.shell.dialect == crate::sh::Dialect::Posix;
        let mut newline = true;
        let mut escapes = dash;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            let Some(flags) = a.strip_prefix('-') else { break };
            let allowed = if dash { "n" } else { "neE" };
            if flags.is_empty() || !flags.chars().all(|c| allowed.contains(c)) {
                break;
            }
            for c in flags.chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            i += 1;
        }
        let mut text = args[i..].join(" ");
        if escapes {
            let (decoded, stop) = decode_escapes(&text, true);
            text = decoded;
            if stop {
                newline = false;
            }
        }
        if newline {
            text.push('\n');
        }
        self.out(&text);
        0
    }

    fn printf(&mut self, args: &[String]) -> i32 {
        let Some((format, mut rest)) = args.split_first() else {
            return self.fail("missing format") + 1;
        };
        let mut out = String::new();
        let mut status = 0;
        loop {
            let consumed_before = rest.len();
            let (text, stop) = format_once(format, &mut rest, &mut status);
            out.push_str(&text);
            if stop || rest.is_empty() || rest.len() == consumed_before {
                break;
            }
        }
        self.out(&out);
        status
    }

    fn cat(&mut self, args: &[String]) -> i32 {
        let (_, operands, _) = options(args, &[]);
        let operands = if operands.is_empty() { vec!["-".to_string()] } else { operands };
        let mut status = 0;
        for file in operands {
            if file == "-" {
                let input = std::mem::take(&mut self.io.stdin);
                self.io.stdout.extend(input);
                continue;
            }
            match read_file(self.shell, &self.shell.abs(&file)) {
                Ok(bytes) => self.io.stdout.extend(bytes),
                // A file known only by its size, or (over partly unknown files) one not known
                // here at all: what is read from it is a stream of unknown bytes.
                Err(e) if e == UNKNOWN_CONTENT || (self.shell.partial && e == "No such file or directory") => {
                    if e != UNKNOWN_CONTENT {
                        self.shell
                            .model("a file cat reads is not in the files known here: what it prints is not known");
                    }
                    self.io.unknown_out = Some(format!("the content of {file}"));
                }
                Err(e) => {
                    status = self.fail(&format!(
                        "{}{e}",
                        if self.gnu() { format!("{file}: ") } else { format!("can't open {}: ", Self::q(&file)) }
                    ));
                }
            }
        }
        status
    }

    fn mkdir(&mut self, args: &[String]) -> i32 {
        let (flags, operands, long) = options(args, &['m']);
        let parents = has(&flags, 'p') || long.iter().any(|l| l == "parents");
        let mode = match value(&flags, 'm') {
            Some(m) => match Chmod::parse(&m) {
                Ok(c) => Some(c.apply(0o777 & !0o022, true)),
                Err(_) => return self.fail(&format!("invalid mode {}", Self::q(&m))),
            },
            None => None,
        };
        let mut status = 0;
        for dir in operands {
            let path = crate::dockerignore::clean(&self.shell.abs(&dir));
            let meta = new_meta(self.shell, true);
            if parents {
                // Each missing parent is made 0755 (umask), the last with -m's mode.
                let mut done = String::new();
                let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
                for (i, part) in parts.iter().enumerate() {
                    done.push('/');
                    done.push_str(part);
                    match self.shell.fs.stat(&done) {
                        Some(e) if e.is_dir() => continue,
                        Some(_) => {
                            status = self.fail(&format!(
                                "{} create directory {}: Not a directory",
                                self.cant(),
                                Self::q(&dir)
                            ));
                            break;
                        }
                        None => {}
                    }
                    if let Err(e) = parent_writable(self.shell, &done) {
                        status = self.fail(&format!("{} create directory {}: {e}", self.cant(), Self::q(&dir)));
                        break;
                    }
                    let m = if i + 1 == parts.len() { mode.map_or(meta, |m| Meta { mode: m, ..meta }) } else { meta };
                    if let Err(e) = self.shell.fs.insert(&done, Entry::dir(m)) {
                        status = self.fail(&format!(
                            "{} create directory {}: {}",
                            self.cant(),
                            Self::q(&dir),
                            errno_text(&e)
                        ));
                        break;
                    }
                }
                continue;
            }
            let result = match self.shell.fs.resolve(&path, false) {
                Ok(r) if r.entry.is_some() => Err("File exists".to_string()),
                Ok(r) => parent_writable(self.shell, &r.path()).and_then(|()| {
                    let m = mode.map_or(meta, |m| Meta { mode: m, ..meta });
                    self.shell.fs.insert(&r.path(), Entry::dir(m)).map(|_| ()).map_err(|e| errno_text(&e).to_string())
                }),
                Err(e) => Err(errno_text(&e).to_string()),
            };
            if let Err(e) = result {
                status = self.fail(&format!("{} create directory {}: {e}", self.cant(), Self::q(&dir)));
            }
        }
        status
    }

    fn rmdir(&mut self, args: &[String]) -> i32 {
        let (_, operands, _) = options(args, &[]);
        let mut status = 0;
        for dir in operands {
            let path = self.shell.abs(&dir);
            match self.shell.fs.lstat(&path) {
                Some(e) if e.as_dir().is_some_and(super::super::fs::DirNode::is_empty) => {
                    let _ = self.shell.fs.remove(&path);
                }
                Some(e) if e.is_dir() => {
                    status = self.fail(&format!(
                        "{}: Directory not empty",
                        if self.gnu() { format!("failed to remove {}", Self::q(&dir)) } else { format!("'{dir}'") }
                    ));
                }
                Some(_) => status = self.fail(&format!("failed to remove {}: Not a directory", Self::q(&dir))),
                None => status = self.fail(&format!("failed to remove {}: No such file or directory", Self::q(&dir))),
            }
        }
        status
    }

    fn touch(&mut self, args: &[String]) -> i32 {
        let (flags, operands, _) = options(args, &['d', 't', 'r']);
        let no_create = has(&flags, 'c');
        let mut status = 0;
        for file in operands {
            let path = self.shell.abs(&file);
            match self.shell.fs.resolve(&path, true) {
                Ok(r) if r.entry.is_some() => {}
                Ok(_) if no_create => {}
                Ok(r) => {
                    let canonical = r.path();
                    if let Err(e) = parent_writable(self.shell, &canonical) {
                        status = self.fail(&format!("{}: {e}", Self::q(&file)));
                        continue;
                    }
                    let entry = Entry::file(Content::bytes(Vec::new()), new_meta(self.shell, false));
                    let _ = self.shell.fs.insert(&canonical, entry);
                }
                Err(e) => status = self.fail(&format!("{}: {}", Self::q(&file), errno_text(&e))),
            }
        }
        status
    }

    fn rm(&mut self, args: &[String]) -> i32 {
        let (flags, operands, _) = options(args, &[]);
        let recursive = has(&flags, 'r') || has(&flags, 'R');
        let force = has(&flags, 'f');
        let mut status = 0;
        for file in operands {
            let path = self.shell.abs(&file);
            let trimmed = path.trim_end_matches('/');
            match self.shell.fs.lstat(if trimmed.is_empty() { "/" } else { trimmed }) {
                None => {
                    if !force {
                        status =
                            self.fail(&format!("{} remove {}: No such file or directory", self.cant(), Self::q(&file)));
                    }
                }
                Some(e) if e.is_dir() && !recursive => {
                    status = self.fail(&format!("{} remove {}: Is a directory", self.cant(), Self::q(&file)));
                }
                Some(_) => {
                    if let Err(e) = parent_writable(self.shell, &crate::dockerignore::clean(trimmed)) {
                        status = self.fail(&format!("{} remove {}: {e}", self.cant(), Self::q(&file)));
                        continue;
                    }
                    if let Err(FsError::Root) = self.shell.fs.remove(trimmed) {
                        status = self.fail("it is dangerous to operate recursively on '/'");
                    }
                }
            }
        }
        status
    }

    /// `cp`: files, and with `-r`/`-R`/`-a` directories; `-p`/`-a` keep mode and owner.
    fn cp(&mut self, args: &[String]) -> Option<i32> {
        let (flags, mut operands, long) = options(args, &[]);
        let archive = has(&flags, 'a') || long.iter().any(|l| l == "archive");
        let recursive = archive || has(&flags, 'r') || has(&flags, 'R') || long.iter().any(|l| l == "recursive");
        let preserve = archive || has(&flags, 'p');
        // -L/-H (follow links when recursing), -l/-s (links instead of copies), -u, -n, -i:
        // not modelled. Without -R, -L is what cp does anyway; -v is modeled for plain copies.
        let verbose = has(&flags, 'v') || long.iter().any(|l| l == "verbose");
        if ["H", "l", "s", "u", "n", "i", "t", "T"].iter().any(|f| has(&flags, f.chars().next().unwrap_or(' ')))
            || (recursive && (has(&flags, 'L') || verbose))
        {
            return None;
        }
        let Some(dest) = operands.pop() else { return Some(self.fail("missing file operand")) };
        if operands.is_empty() {
            return Some(self.fail(&format!("missing destination file operand after {}", Self::q(&dest))));
        }
        let dest_path = self.shell.abs(&dest);
        let dest_is_dir = self.shell.fs.stat(&dest_path).is_some_and(|e| e.is_dir());
        if operands.len() > 1 && !dest_is_dir {
            return Some(self.fail(&format!("target {} is not a directory", Self::q(&dest))));
        }
        let mut status = 0;
        for src in operands {
            let src_path = self.shell.abs(&src);
            // Without -R a symlink operand is followed; with -R it is copied as a link.
            let entry = if recursive { self.shell.fs.lstat(&src_path) } else { self.shell.fs.stat(&src_path) };
            let Some(entry) = entry else {
                status = self.fail(&format!("{} stat {}: No such file or directory", self.cant(), Self::q(&src)));
                continue;
            };
            if entry.is_dir() && !recursive {
                status = self.fail(&format!(
                    "{}omitting directory {}",
                    if self.gnu() { "-r not specified; " } else { "" },
                    Self::q(&src)
                ));
                continue;
            }
            let target = into(&dest_path, dest_is_dir, &src);
            if let Err(e) = self.copy_entry(&entry, &target, preserve) {
                status = self.fail(&format!("{} create {}: {e}", self.cant(), Self::q(&target)));
            } else if verbose {
                // GNU: 'SRC' -> 'DEST' (the destination as named, with the source's name when
                // it is a directory).
                let shown = if dest_is_dir {
                    format!(
                        "{}/{}",
                        dest.trim_end_matches('/'),
                        src.trim_end_matches('/').rsplit('/').next().unwrap_or(&src)
                    )
                } else {
                    dest.clone()
                };
                self.out(&format!("'{src}' -> '{shown}'\n"));
            }
        }
        Some(status)
    }

    fn copy_entry(&mut self, entry: &Entry, target: &str, preserve: bool) -> Result<(), String> {
        let user = (self.shell.uid, self.shell.gid);
        let meta_for = |meta: Meta, existing: Option<&Entry>| -> Meta {
            if preserve {
                // -p keeps the owner only for root.
                if user.0 == 0 { meta } else { Meta { uid: user.0, gid: user.1, ..meta } }
            } else if let Some(e) = existing {
                e.meta
            } else {
                Meta::new(meta.mode & !0o022, user.0, user.1)
            }
        };
        let existing = self.shell.fs.stat(target);
        match &entry.node {
            Node::File { content, .. } => {
                if existing.as_ref().is_some_and(Entry::is_dir) {
                    return Err("Is a directory".into());
                }
                let resolved = self.shell.fs.resolve(target, true).map_err(|e| errno_text(&e).to_string())?;
                let canonical = resolved.path();
                if resolved.entry.is_none() {
                    parent_writable(self.shell, &canonical)?;
                }
                let meta = meta_for(entry.meta, existing.as_ref());
                self.shell.written += usize::try_from(content.size()).unwrap_or(usize::MAX);
                self.shell
                    .fs
                    .insert(&canonical, Entry::file(content.clone(), meta))
                    .map_err(|e| errno_text(&e).to_string())?;
            }
            Node::Symlink(link) => {
                if existing.as_ref().is_some_and(Entry::is_dir) {
                    return Err("Is a directory".into());
                }
                let _ = self.shell.fs.remove(target);
                let meta = Meta::new(
                    0o777,
                    if preserve && user.0 == 0 { entry.meta.uid } else { user.0 },
                    if preserve && user.0 == 0 { entry.meta.gid } else { user.1 },
                );
                self.shell
                    .fs
                    .insert(target, Entry::symlink(link.clone(), meta))
                    .map_err(|e| errno_text(&e).to_string())?;
            }
            Node::Dir(dir) => {
                match &existing {
                    Some(e) if e.is_dir() => {}
                    Some(_) => return Err("Not a directory".into()),
                    None => {
                        parent_writable(self.shell, target)?;
                        let meta = meta_for(entry.meta, None);
                        self.shell.fs.insert(target, Entry::dir(meta)).map_err(|e| errno_text(&e).to_string())?;
                    }
                }
                let children: Vec<(String, Entry)> = dir.iter().map(|(n, e)| (n.to_string(), e.clone())).collect();
                for (name, child) in children {
                    self.copy_entry(&child, &format!("{}/{name}", target.trim_end_matches('/')), preserve)?;
                }
                if preserve && let Some(e) = existing.filter(Entry::is_dir) {
                    let _ = e;
                }
            }
        }
        Ok(())
    }

    fn mv(&mut self, args: &[String]) -> i32 {
        let (_, mut operands, _) = options(args, &[]);
        let Some(dest) = operands.pop() else { return self.fail("missing file operand") };
        let dest_path = self.shell.abs(&dest);
        let dest_is_dir = self.shell.fs.stat(&dest_path).is_some_and(|e| e.is_dir());
        let mut status = 0;
        for src in operands {
            let src_path = self.shell.abs(&src);
            let Some(entry) = self.shell.fs.lstat(&src_path) else {
                status = self.fail(&format!("{} stat {}: No such file or directory", self.cant(), Self::q(&src)));
                continue;
            };
            let target = into(&dest_path, dest_is_dir, &src);
            // Into itself: the rename fails (it would otherwise take the source away).
            if target.starts_with(&format!("{}/", src_path.trim_end_matches('/'))) {
                let message = if self.gnu() {
                    format!("cannot move {} to a subdirectory of itself, {}", Self::q(&src), Self::q(&target))
                } else {
                    format!("can't rename {}: Invalid argument", Self::q(&src))
                };
                status = self.fail(&message);
                continue;
            }
            let existing = self.shell.fs.lstat(&target);
            if existing.as_ref().is_some_and(Entry::is_dir) && !entry.is_dir() {
                status = self.fail(&format!("{} overwrite directory {}", self.cant(), Self::q(&target)));
                continue;
            }
            let _ = self.shell.fs.remove(&target);
            match self.shell.fs.insert(&target, entry) {
                Ok(_) => {
                    let _ = self.shell.fs.remove(&src_path);
                }
                Err(e) => status = self.fail(&format!("{} move {}: {}", self.cant(), Self::q(&src), errno_text(&e))),
            }
        }
        status
    }

    fn ln(&mut self, args: &[String]) -> Option<i32> {
        let (flags, mut operands, _) = options(args, &[]);
        if !has(&flags, 's') {
            return self.hard_link(&flags, operands);
        }
        let force = has(&flags, 'f');
        let no_deref = has(&flags, 'n') || has(&flags, 'T');
        if operands.len() == 1 {
            operands.push(".".into());
        }
        let Some(dest) = operands.pop() else { return Some(self.fail("missing file operand")) };
        let dest_path = self.shell.abs(&dest);
        let dest_is_dir = !no_deref && self.shell.fs.stat(&dest_path).is_some_and(|e| e.is_dir());
        let mut status = 0;
        for target in operands {
            let link = into(&dest_path, dest_is_dir, &target);
            if let Some(existing) = self.shell.fs.lstat(&link) {
                if !force {
                    status = self.fail(&format!(
                        "{}: File exists",
                        if self.gnu() {
                            format!("failed to create symbolic link {}", Self::q(&link))
                        } else {
                            link.clone()
                        }
                    ));
                    continue;
                }
                if existing.is_dir() {
                    status = self.fail(&format!("{}: Is a directory", Self::q(&link)));
                    continue;
                }
                let _ = self.shell.fs.remove(&link);
            }
            let meta = Meta::new(0o777, self.shell.uid, self.shell.gid);
            if let Err(e) = parent_writable(self.shell, &crate::dockerignore::clean(&link)) {
                status = self.fail(&format!("{}: {e}", Self::q(&link)));
                continue;
            }
            if let Err(e) = self.shell.fs.insert(&link, Entry::symlink(target.as_str(), meta)) {
                status = self.fail(&format!("{}: {}", Self::q(&link), errno_text(&e)));
            }
        }
        Some(status)
    }

    fn chmod(&mut self, args: &[String]) -> i32 {
        // A mode like `-x` looks like a flag: chmod takes the first non-flag-looking word, or
        // a `-rwx`-style word, as the mode.
        let recursive = args.iter().any(|a| a == "-R");
        let rest: Vec<&String> =
            args.iter().filter(|a| a.as_str() != "-R" && a.as_str() != "-f" && a.as_str() != "-v").collect();
        let Some((mode, files)) = rest.split_first() else { return self.fail("missing operand") };
        // GNU chmod also takes an operator before octal digits: `=2775`, `+100`, `-2000`.
        let numeric = mode
            .strip_prefix(['=', '+', '-'])
            .filter(|d| self.gnu() && !d.is_empty() && d.bytes().all(|b| (b'0'..=b'7').contains(&b)))
            .and_then(|d| u32::from_str_radix(d, 8).ok())
            .filter(|m| *m <= 0o7777)
            .map(|m| (mode.as_bytes()[0], m));
        let chmod = match Chmod::parse_utility(mode) {
            _ if numeric.is_some() => None,
            Ok(c) => Some(c),
            Err(_) => return self.fail(&format!("invalid mode {}", Self::q(mode))),
        };
        let mut status = 0;
        for file in files {
            let path = self.shell.abs(file);
            let Ok(resolved) = self.shell.fs.resolve(&path, true) else {
                status = self.fail(&format!("{}: No such file or directory", Self::q(file)));
                continue;
            };
            if resolved.entry.is_none() {
                status = self.fail(&format!(
                    "{}{}: No such file or directory",
                    if self.gnu() { "cannot access " } else { "" },
                    Self::q(file)
                ));
                continue;
            }
            let root = resolved.path();
            let paths: Vec<(String, Entry)> = if recursive {
                self.shell.fs.walk(&root)
            } else {
                vec![(root.clone(), resolved.entry.clone().unwrap_or_else(|| Entry::dir(Meta::DIR)))]
            };
            for (p, entry) in paths {
                if matches!(entry.node, Node::Symlink(_)) {
                    continue;
                }
                if self.shell.uid != 0 && entry.meta.uid != self.shell.uid {
                    status = self.fail(&format!("changing permissions of {}: Operation not permitted", Self::q(&p)));
                    continue;
                }
                let mode = match (&chmod, numeric) {
                    (Some(c), _) => c.apply(entry.meta.mode, entry.is_dir()),
                    (None, Some((b'+', bits))) => entry.meta.mode | bits,
                    (None, Some((b'-', bits))) => entry.meta.mode & !bits,
                    (None, Some((_, bits))) => bits,
                    (None, None) => entry.meta.mode,
                };
                let _ = self.shell.fs.insert(&p, Entry { meta: Meta { mode, ..entry.meta }, ..entry });
            }
        }
        status
    }

    fn chown(&mut self, args: &[String], group_only: bool) -> i32 {
        let (flags, operands, _) = options(args, &[]);
        let recursive = has(&flags, 'R');
        let no_deref = has(&flags, 'h');
        let Some((spec, files)) = operands.split_first() else { return self.fail("missing operand") };
        let spec = if group_only { format!(":{spec}") } else { spec.clone() };
        let (user, group) = match spec.split_once(':').or_else(|| spec.split_once('.')) {
            Some((u, g)) => (u.to_string(), Some(g.to_string())),
            None => (spec.clone(), None),
        };
        let uid = if user.is_empty() {
            None
        } else {
            match self.id_of(&user, "/etc/passwd") {
                Some(id) => Some(id),
                // root is 0 in every image, whatever its files say.
                None if self.shell.partial && user == "root" => Some(0),
                // A user an unknown step made: the first id useradd gives stands for it.
                None if self.shell.partial => {
                    self.shell
                        .model(&format!("the user {user} is not in the files known here: 1000 stands for its id"));
                    Some(1000)
                }
                None => return self.fail(&format!("unknown user {user}")),
            }
        };
        let gid = match group.as_deref() {
            None | Some("") => {
                // `user:` takes the user's login group.
                if group.is_some() { uid.and_then(|u| self.login_group(u)) } else { None }
            }
            Some(g) => match self.id_of(g, "/etc/group") {
                Some(id) => Some(id),
                None if self.shell.partial && g == "root" => Some(0),
                None if self.shell.partial => {
                    self.shell.model(&format!("the group {g} is not in the files known here: 1000 stands for its id"));
                    Some(1000)
                }
                None => return self.fail(&format!("unknown group {g}")),
            },
        };
        let mut status = 0;
        for file in files {
            let path = self.shell.abs(file);
            let start = if no_deref || recursive {
                self.shell.fs.resolve(&path, false)
            } else {
                self.shell.fs.resolve(&path, true)
            };
            let Ok(resolved) = start else {
                status = self.fail(&format!("{}: No such file or directory", Self::q(file)));
                continue;
            };
            let Some(entry) = resolved.entry.clone() else {
                status = self.fail(&format!(
                    "{}{}: No such file or directory",
                    if self.gnu() { "cannot access " } else { "" },
                    Self::q(file)
                ));
                continue;
            };
            if self.shell.uid != 0 {
                status = self.fail(&format!("changing ownership of {}: Operation not permitted", Self::q(file)));
                continue;
            }
            let root = resolved.path();
            let paths = if recursive && entry.is_dir() { self.shell.fs.walk(&root) } else { vec![(root, entry)] };
            for (p, e) in paths {
                let meta = Meta { uid: uid.unwrap_or(e.meta.uid), gid: gid.unwrap_or(e.meta.gid), ..e.meta };
                // Changing the owner clears set-user-id and set-group-id on files.
                let meta = if e.is_dir() || matches!(e.node, Node::Symlink(_)) {
                    meta
                } else {
                    Meta { mode: meta.mode & !0o6000, ..meta }
                };
                let _ = self.shell.fs.insert(&p, Entry { meta, ..e });
            }
        }
        status
    }

    fn id_of(&self, name: &str, file: &str) -> Option<u32> {
        if let Ok(n) = name.parse::<u32>() {
            return Some(n);
        }
        let text = read_text(self.shell, file)?;
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&name)).then(|| f.get(2)?.parse().ok()).flatten()
        })
    }

    fn login_group(&self, uid: u32) -> Option<u32> {
        let text = read_text(self.shell, "/etc/passwd")?;
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.get(2)?.parse::<u32>().ok()? == uid).then(|| f.get(3)?.parse().ok()).flatten()
        })
    }

    fn user_name(&self, id: u32, file: &str) -> Option<String> {
        let text = read_text(self.shell, file)?;
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.get(2)?.parse::<u32>().ok()? == id).then(|| f[0].to_string())
        })
    }

    fn id(&mut self, args: &[String]) -> i32 {
        let (flags, _, _) = options(args, &[]);
        let (uid, gid) = (self.shell.uid, self.shell.gid);
        let name = has(&flags, 'n');
        let text = if has(&flags, 'u') {
            if name { self.user_name(uid, "/etc/passwd").unwrap_or_else(|| uid.to_string()) } else { uid.to_string() }
        } else if has(&flags, 'g') {
            if name { self.user_name(gid, "/etc/group").unwrap_or_else(|| gid.to_string()) } else { gid.to_string() }
        } else {
            let u = self.user_name(uid, "/etc/passwd").map(|n| format!("({n})")).unwrap_or_default();
            let g = self.user_name(gid, "/etc/group").map(|n| format!("({n})")).unwrap_or_default();
            format!("uid={uid}{u} gid={gid}{g} groups={gid}{g}")
        };
        self.out(&format!("{text}\n"));
        0
    }

    fn tee(&mut self, args: &[String]) -> i32 {
        let (flags, operands, _) = options(args, &[]);
        let append = has(&flags, 'a');
        let input = std::mem::take(&mut self.io.stdin);
        let mut status = 0;
        for file in operands {
            let path = self.shell.abs(&file);
            match open_for_write(self.shell, &path, append) {
                Ok(canonical) => {
                    if let Some(Entry { node: Node::File { content, link }, meta }) = self.shell.fs.stat(&canonical) {
                        let mut data = content.as_bytes().map(<[u8]>::to_vec).unwrap_or_default();
                        data.extend_from_slice(&input);
                        self.shell.written += input.len();
                        let _ = self.shell.fs.insert(
                            &canonical,
                            Entry { node: Node::File { content: Content::bytes(data), link }, meta },
                        );
                    }
                }
                Err(e) => status = self.fail(&format!("{file}: {e}")),
            }
        }
        self.io.stdout.extend(input);
        status
    }

    fn input_of(&mut self, operands: &[String]) -> Option<Result<Vec<u8>, i32>> {
        if operands.is_empty() || operands == ["-"] {
            return Some(Ok(std::mem::take(&mut self.io.stdin)));
        }
        let mut all = Vec::new();
        for file in operands {
            match read_file(self.shell, &self.shell.abs(file)) {
                Ok(b) => all.extend(b),
                Err(e) if e == UNKNOWN_CONTENT => return None,
                Err(e) => return Some(Err(self.fail(&format!("{file}: {e}")))),
            }
        }
        Some(Ok(all))
    }

    fn head_tail(&mut self, args: &[String], head: bool) -> Option<i32> {
        // `-5` is `-n 5`.
        let args: Vec<String> = args
            .iter()
            .map(|a| match a.strip_prefix('-') {
                Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => format!("-n{n}"),
                _ => a.clone(),
            })
            .collect();
        let (flags, operands, _) = options(&args, &['n', 'c']);
        if operands.len() > 1 {
            return None;
        }
        if let Some(count) = value(&flags, 'c') {
            let n: usize = count.trim_start_matches(['+', '-']).parse().ok()?;
            let bytes = match self.input_of(&operands)? {
                Ok(b) => b,
                Err(status) => return Some(status),
            };
            let chosen = if head {
                &bytes[..n.min(bytes.len())]
            } else if count.starts_with('+') {
                &bytes[n.saturating_sub(1).min(bytes.len())..]
            } else {
                &bytes[bytes.len().saturating_sub(n)..]
            };
            self.io.stdout.extend_from_slice(chosen);
            return Some(0);
        }
        let n_text = value(&flags, 'n').unwrap_or_else(|| "10".into());
        let from_start = n_text.starts_with('+');
        let n: usize = n_text.trim_start_matches(['+', '-']).parse().ok()?;
        let bytes = match self.input_of(&operands)? {
            Ok(b) => b,
            Err(status) => return Some(status),
        };
        let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
        let chosen: &[&[u8]] = if head {
            &lines[..n.min(lines.len())]
        } else if from_start {
            &lines[n.saturating_sub(1).min(lines.len())..]
        } else {
            &lines[lines.len().saturating_sub(n)..]
        };
        for l in chosen {
            self.io.stdout.extend_from_slice(l);
        }
        Some(0)
    }

    fn wc(&mut self, args: &[String]) -> Option<i32> {
        let (flags, operands, _) = options(args, &[]);
        if operands.len() > 1 {
            return None;
        }
        let bytes = match self.input_of(&operands)? {
            Ok(b) => b,
            Err(status) => return Some(status),
        };
        let lines = bytes.split(|&b| b == b'\n').count() - 1;
        let words = String::from_utf8_lossy(&bytes).split_whitespace().count();
        let chosen: Vec<usize> = match (has(&flags, 'l'), has(&flags, 'w'), has(&flags, 'c')) {
            (true, false, false) => vec![lines],
            (false, true, false) => vec![words],
            (false, false, true) => vec![bytes.len()],
            (false, false, false) => vec![lines, words, bytes.len()],
            _ => return None,
        };
        let name = operands.first().map(|f| format!(" {f}")).unwrap_or_default();
        let text = if chosen.len() == 1 {
            format!("{}{name}\n", chosen[0])
        } else if self.gnu() && operands.is_empty() {
            format!("{:>7} {:>7} {:>7}\n", chosen[0], chosen[1], chosen[2])
        } else if self.gnu() {
            let w = chosen.iter().map(|n| n.to_string().len()).max().unwrap_or(1);
            format!("{:>w$} {:>w$} {:>w$}{name}\n", chosen[0], chosen[1], chosen[2])
        } else {
            format!("{:>9} {:>9} {:>9}{name}\n", chosen[0], chosen[1], chosen[2])
        };
        self.out(&text);
        Some(0)
    }

    /// `readlink [-f|-e|-m] [-n] [-v] FILE...`: a link's target, or the canonical path (`-f`:
    /// all but the last component must exist, `-e`: all of them, `-m`: none, GNU only); `-v`
    /// says why it failed.
    fn readlink(&mut self, args: &[String]) -> i32 {
        let args = spelled_short(
            args,
            &[
                ("canonicalize", 'f'),
                ("canonicalize-existing", 'e'),
                ("canonicalize-missing", 'm'),
                ("no-newline", 'n'),
                ("verbose", 'v'),
            ],
        );
        let (flags, operands, _) = options(&args, &[]);
        if !self.gnu() && (has(&flags, 'e') || has(&flags, 'm')) {
            return self.fail("unrecognized option");
        }
        if operands.is_empty() {
            return self.fail("missing operand");
        }
        let end = if has(&flags, 'n') { "" } else { "\n" };
        let mut status = 0;
        for file in &operands {
            let path = self.shell.abs(file);
            let found = if has(&flags, 'f') || has(&flags, 'e') || has(&flags, 'm') {
                match self.shell.fs.resolve(&path, true) {
                    Ok(r) if r.entry.is_some() || !has(&flags, 'e') => Some(r.path()),
                    // -m: what cannot be resolved is taken as written.
                    _ if has(&flags, 'm') => Some(crate::dockerignore::clean(&path)),
                    _ => None,
                }
            } else {
                match self.shell.fs.lstat(&path) {
                    Some(Entry { node: Node::Symlink(t), .. }) => Some(t.to_string()),
                    _ => None,
                }
            };
            if let Some(p) = found {
                self.out(&format!("{p}{end}"));
                continue;
            }
            status = 1;
            if has(&flags, 'v') {
                let why =
                    if self.shell.fs.lstat(&path).is_some() { "Invalid argument" } else { "No such file or directory" };
                self.fail(&format!("{file}: {why}"));
            }
        }
        status
    }

    /// `test` and `[`: the POSIX operators (by argument count, as XCU `test` says).
    fn test(&mut self, args: &[String], bracket: bool) -> i32 {
        let args = if bracket {
            match args.split_last() {
                Some((last, rest)) if last == "]" => rest,
                _ => return self.fail("missing ]") + 1,
            }
        } else {
            args
        };
        match self.eval_test(args) {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        }
    }

    fn eval_test(&mut self, args: &[String]) -> Option<bool> {
        // -o binds looser than -a, both looser than ! and the primaries.
        if let Some(i) = args.iter().rposition(|a| a == "-o").filter(|&i| i > 0 && i + 1 < args.len()) {
            return Some(self.eval_test(&args[..i])? || self.eval_test(&args[i + 1..])?);
        }
        if let Some(i) = args.iter().rposition(|a| a == "-a").filter(|&i| i > 0 && i + 1 < args.len()) {
            return Some(self.eval_test(&args[..i])? && self.eval_test(&args[i + 1..])?);
        }
        match args {
            [] => Some(false),
            [a] => Some(!a.is_empty()),
            [not, rest @ ..] if not == "!" => Some(!self.eval_test(rest)?),
            [open, inner @ .., close] if open == "(" && close == ")" => self.eval_test(inner),
            [op, operand] => self.unary_test(op, operand),
            [a, op, b] => self.binary_test(a, op, b),
            _ => {
                self.fail("too many arguments");
                None
            }
        }
    }

    pub(crate) fn unary_test(&mut self, op: &str, operand: &str) -> Option<bool> {
        let path = self.shell.abs(operand);
        let stat = || self.shell.fs.stat(&path);
        Some(match op {
            "-z" => operand.is_empty(),
            "-n" => !operand.is_empty(),
            "-e" => stat().is_some(),
            "-f" => stat().is_some_and(|e| matches!(e.node, Node::File { .. })),
            "-d" => stat().is_some_and(|e| e.is_dir()),
            "-L" | "-h" => self.shell.fs.lstat(&path).is_some_and(|e| matches!(e.node, Node::Symlink(_))),
            "-s" => stat().is_some_and(|e| e.size() > 0 && !e.is_dir() || e.is_dir()),
            "-r" => stat().is_some_and(|e| may(self.shell, &e.meta, 4)),
            "-w" => stat().is_some_and(|e| may(self.shell, &e.meta, 2)),
            "-x" => stat().is_some_and(|e| {
                if self.shell.uid == 0 { e.is_dir() || e.meta.mode & 0o111 != 0 } else { may(self.shell, &e.meta, 1) }
            }),
            "-u" => stat().is_some_and(|e| e.meta.mode & 0o4000 != 0),
            "-g" => stat().is_some_and(|e| e.meta.mode & 0o2000 != 0),
            "-k" => stat().is_some_and(|e| e.meta.mode & 0o1000 != 0),
            // No pipes, sockets, devices or terminals in an image's files here.
            "-p" | "-S" | "-b" | "-c" | "-t" => false,
            _ => {
                self.fail(&format!("{op}: unary operator expected"));
                return None;
            }
        })
    }

    pub(crate) fn binary_test(&mut self, a: &str, op: &str, b: &str) -> Option<bool> {
        let int = |s: &str| s.trim().parse::<i64>().ok();
        Some(match op {
            "=" | "==" => a == b,
            "!=" => a != b,
            "<" => a < b,
            ">" => a > b,
            "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
                let (Some(x), Some(y)) = (int(a), int(b)) else {
                    let bad = if int(a).is_none() { a } else { b };
                    self.fail(&format!("invalid number '{bad}'"));
                    return None;
                };
                match op {
                    "-eq" => x == y,
                    "-ne" => x != y,
                    "-lt" => x < y,
                    "-le" => x <= y,
                    "-gt" => x > y,
                    _ => x >= y,
                }
            }
            "-nt" | "-ot" | "-ef" => return None,
            _ => {
                self.fail(&format!("{op}: binary operator expected"));
                return None;
            }
        })
    }
}

fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.starts_with('/') { "/".into() } else { ".".into() };
    }
    match trimmed.rsplit_once('/') {
        None => ".".into(),
        Some((dir, _)) => {
            let dir = dir.trim_end_matches('/');
            if dir.is_empty() { "/".into() } else { dir.into() }
        }
    }
}

/// Backslash escapes as `echo -e` and `printf %b` read them; the flag says `\c` was met
/// (stop output).
fn decode_escapes(text: &str, echo: bool) -> (String, bool) {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('e') => out.push('\x1b'),
            Some('c') => return (out, true),
            Some('0') if echo => out.push(octal(&mut chars, 3)),
            Some(d @ '0'..='7') if !echo => {
                let mut v = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(x) => {
                            v = v * 8 + x;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v & 0xff).unwrap_or('\0'));
            }
            Some('\\') | None => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    (out, false)
}

fn octal(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, max: usize) -> char {
    let mut v = 0u32;
    for _ in 0..max {
        match chars.peek().and_then(|c| c.to_digit(8)) {
            Some(x) => {
                v = v * 8 + x;
                chars.next();
            }
            None => break,
        }
    }
    char::from_u32(v & 0xff).unwrap_or('\0')
}

/// One pass of `printf FORMAT` over `args` (consumed as used).
fn format_once(format: &str, args: &mut &[String], status: &mut i32) -> (String, bool) {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let next_arg = |args: &mut &[String]| -> Option<String> {
        let (first, rest) = args.split_first()?;
        *args = rest;
        Some(first.clone())
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut esc = String::from("\\");
                if let Some(n) = chars.next() {
                    esc.push(n);
                    if n.is_digit(8) {
                        for _ in 0..2 {
                            if let Some(d) = chars.peek().copied().filter(|d| d.is_digit(8)) {
                                esc.push(d);
                                chars.next();
                            }
                        }
                    }
                }
                let (decoded, stop) = decode_escapes(&esc, false);
                out.push_str(&decoded);
                if stop {
                    return (out, true);
                }
            }
            '%' => {
                let mut spec = String::new();
                while let Some(&f) = chars.peek() {
                    if "-+ #0123456789.".contains(f) {
                        spec.push(f);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let Some(conv) = chars.next() else {
                    out.push('%');
                    break;
                };
                let (left, width, precision) = parse_spec(&spec);
                let text = match conv {
                    '%' => "%".to_string(),
                    's' => {
                        let mut s = next_arg(args).unwrap_or_default();
                        if let Some(p) = precision {
                            s = s.chars().take(p).collect();
                        }
                        s
                    }
                    'b' => {
                        let (s, stop) = decode_escapes(&next_arg(args).unwrap_or_default(), true);
                        if stop {
                            out.push_str(&s);
                            return (out, true);
                        }
                        s
                    }
                    'c' => next_arg(args).and_then(|s| s.chars().next()).map(String::from).unwrap_or_default(),
                    'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                        let arg = next_arg(args).unwrap_or_default();
                        let n = if arg.is_empty() {
                            0
                        } else if let Some(c) = arg.strip_prefix(['\'', '"']) {
                            c.chars().next().map_or(0, |c| i64::from(u32::from(c)))
                        } else {
                            arg.trim().parse::<i64>().unwrap_or_else(|_| {
                                *status = 1;
                                0
                            })
                        };
                        let digits = match conv {
                            'x' => format!("{n:x}"),
                            'X' => format!("{n:X}"),
                            'o' => format!("{n:o}"),
                            _ => n.to_string(),
                        };
                        if spec.contains('0') && !left {
                            let w = width.unwrap_or(0);
                            if n < 0 {
                                format!("-{:0>w$}", &digits[1..], w = w.saturating_sub(1))
                            } else {
                                format!("{digits:0>w$}")
                            }
                        } else {
                            digits
                        }
                    }
                    other => format!("%{spec}{other}"),
                };
                let w = width.unwrap_or(0);
                let _ = if left { write!(out, "{text:<w$}") } else { write!(out, "{text:>w$}") };
            }
            _ => out.push(c),
        }
    }
    (out, false)
}

fn parse_spec(spec: &str) -> (bool, Option<usize>, Option<usize>) {
    let left = spec.contains('-');
    let digits = spec.trim_start_matches(['-', '+', ' ', '#', '0']);
    let (w, p) = digits.split_once('.').map_or((digits, None), |(w, p)| (w, Some(p)));
    (left, w.parse().ok(), p.map(|p| p.parse().unwrap_or(0)))
}

impl Env<'_> {
    fn realpath(&mut self, args: &[String]) -> i32 {
        let mut status = 0;
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            match self.shell.fs.resolve(&self.shell.abs(a), true) {
                Ok(r) => {
                    let p = r.path();
                    self.out(&format!("{p}\n"));
                }
                Err(e) => status = self.fail(&format!("{a}: {}", errno_text(&e))),
            }
        }
        status
    }

    fn which(&mut self, args: &[String]) -> i32 {
        let mut status = 0;
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            match self.shell.which(a) {
                Some(p) => self.out(&format!("{p}\n")),
                None => status = 1,
            }
        }
        status
    }

    /// `install`: `-d` directories, or files copied with `-m` (default 0755), `-o`, `-g`.
    fn install(&mut self, args: &[String]) -> Option<i32> {
        let args = spelled_short(
            args,
            &[("directory", 'd'), ("mode", 'm'), ("owner", 'o'), ("group", 'g'), ("target-directory", 't')],
        );
        let (flags, mut operands, long) = options(&args, &['m', 'o', 'g', 't']);
        if !long.is_empty() || has(&flags, 't') {
            return None;
        }
        let mode = match value(&flags, 'm') {
            Some(m) => Chmod::parse(&m).ok()?.apply(0o755, false),
            None => 0o755,
        };
        let uid = match value(&flags, 'o') {
            Some(u) => Some(self.id_of(&u, "/etc/passwd")?),
            None => None,
        };
        let gid = match value(&flags, 'g') {
            Some(g) => Some(self.id_of(&g, "/etc/group")?),
            None => None,
        };
        let meta = |shell: &Shell| Meta::new(mode, uid.unwrap_or(shell.uid), gid.unwrap_or(shell.gid));
        // `-D`: the destination's missing directories are made first (0755, as install does),
        // where the user may write.
        if has(&flags, 'D') && !has(&flags, 'd') {
            let dest = self.shell.abs(operands.last()?);
            let parent = dest.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p }).to_string();
            let mut missing = parent.clone();
            while self.shell.fs.stat(&missing).is_none() {
                missing = missing.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p }).to_string();
            }
            if self.shell.fs.stat(&parent).is_none() {
                if let Err(e) = parent_writable(self.shell, &format!("{}/x", missing.trim_end_matches('/'))) {
                    return Some(self.fail(&format!("cannot create directory {}: {e}", Self::q(&parent))));
                }
                if let Err(e) = self.shell.fs.mkdir_all(&parent, Meta::new(0o755, self.shell.uid, self.shell.gid)) {
                    return Some(self.fail(&format!("cannot create directory {}: {e}", Self::q(&parent))));
                }
            }
        }
        if has(&flags, 'd') {
            for dir in operands {
                let path = crate::dockerignore::clean(&self.shell.abs(&dir));
                let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
                let mut done = String::new();
                for (i, part) in parts.iter().enumerate() {
                    done.push('/');
                    done.push_str(part);
                    let last = i + 1 == parts.len();
                    match self.shell.fs.stat(&done) {
                        Some(e) if e.is_dir() => {
                            if last {
                                let _ = self.shell.fs.insert(&done, Entry { meta: meta(self.shell), ..e });
                            }
                        }
                        Some(_) => return Some(self.fail(&format!("cannot create directory '{dir}': File exists"))),
                        None => {
                            let m = if last { meta(self.shell) } else { new_meta(self.shell, true) };
                            if self.shell.fs.insert(&done, Entry::dir(m)).is_err() {
                                return Some(self.fail(&format!("cannot create directory '{dir}'")));
                            }
                        }
                    }
                }
            }
            return Some(0);
        }
        let dest = operands.pop()?;
        let dest_path = self.shell.abs(&dest);
        let into_dir = self.shell.fs.stat(&dest_path).is_some_and(|e| e.is_dir());
        for src in operands {
            let Some(Entry { node: Node::File { content, .. }, .. }) = self.shell.fs.stat(&self.shell.abs(&src)) else {
                return Some(self.fail(&format!("cannot stat '{src}': No such file or directory")));
            };
            let target = if into_dir {
                format!("{}/{}", dest_path.trim_end_matches('/'), src.rsplit('/').next().unwrap_or(&src))
            } else {
                dest_path.clone()
            };
            let _ = self.shell.fs.remove(&target);
            if self.shell.fs.insert(&target, Entry::file(content, meta(self.shell))).is_err() {
                return Some(self.fail(&format!("cannot create '{target}'")));
            }
        }
        Some(0)
    }
}

impl Env<'_> {
    /// `ls [-1aA] [PATH]...` as it prints to a pipe or a file: one name per line, sorted, dot
    /// files hidden unless `-a`/`-A`. Long listings carry times the simulation does not know.
    fn ls(&mut self, args: &[String]) -> Option<i32> {
        let (flags, operands, long) = options(args, &[]);
        // Options that change which names are printed, or their order (`-d`, `-t`, `-r`,
        // `-R`, `-F`), are not modeled.
        if flags.iter().any(|(f, _)| !matches!(f, '1' | 'a' | 'A' | 'l' | 'h' | 'n' | 'o' | 'g' | 's' | 'i'))
            || long.iter().any(|l| !(l.starts_with("color") || l == "human-readable" || l == "full-time"))
        {
            return None;
        }
        if flags.iter().any(|(f, _)| !matches!(f, '1' | 'a' | 'A')) || !long.is_empty() {
            // `ls -l`, `-la`, `-lh`: what it prints carries times and sizes this listing does
            // not give; it changes no file. The names stand for it.
            self.shell
                .model("ls with these options prints details (times, sizes) not given here: the names stand for them");
        }
        let all = has(&flags, 'a');
        let almost = has(&flags, 'A');
        let operands = if operands.is_empty() { vec![".".to_string()] } else { operands };
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        let mut status = 0;
        for op in &operands {
            match self.shell.fs.stat(&self.shell.abs(op)) {
                Some(e) if e.is_dir() => dirs.push((op.clone(), e)),
                Some(_) => files.push(op.clone()),
                None if self.shell.fs.lstat(&self.shell.abs(op)).is_some() => files.push(op.clone()),
                None => {
                    status = self.fail(&format!(
                        "{}: No such file or directory",
                        if self.gnu() { format!("cannot access {}", Self::q(op)) } else { op.clone() }
                    ));
                }
            }
        }
        crate::sort::sort(&mut files);
        crate::sort::sort_by(&mut dirs, |a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        for f in &files {
            out.push_str(f);
            out.push('\n');
        }
        let headers = operands.len() > 1;
        for (i, (name, entry)) in dirs.iter().enumerate() {
            if headers {
                if i > 0 || !files.is_empty() {
                    out.push('\n');
                }
                out.push_str(name);
                out.push_str(":\n");
            }
            let mut names: Vec<String> =
                entry.as_dir().map(|d| d.iter().map(|(n, _)| n.to_string()).collect()).unwrap_or_default();
            if all {
                names.push(".".into());
                names.push("..".into());
            }
            names.retain(|n| all || almost || !n.starts_with('.'));
            crate::sort::sort(&mut names);
            for n in names {
                out.push_str(&n);
                out.push('\n');
            }
        }
        self.out(&out);
        Some(status)
    }

    /// `stat -c FORMAT PATH...` with `%n %a %A %u %g %U %G %s %F %%`.
    fn stat(&mut self, args: &[String]) -> Option<i32> {
        let (flags, operands, _) = options(args, &['c']);
        let format = value(&flags, 'c')?;
        if flags.iter().any(|(f, _)| !matches!(f, 'c' | 'L')) {
            return None;
        }
        let follow = has(&flags, 'L');
        let mut status = 0;
        for op in operands {
            let path = self.shell.abs(&op);
            let entry = if follow { self.shell.fs.stat(&path) } else { self.shell.fs.lstat(&path) };
            let Some(entry) = entry else {
                status = self.fail(&format!("can't stat {}: No such file or directory", Self::q(&op)));
                continue;
            };
            let mut out = String::new();
            let mut chars = format.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    out.push(c);
                    continue;
                }
                let m = entry.meta;
                match chars.next()? {
                    'n' => out.push_str(&op),
                    'a' => {
                        let _ = write!(out, "{:o}", m.mode);
                    }
                    'A' => out.push_str(&symbolic(&entry)),
                    'u' => out.push_str(&m.uid.to_string()),
                    'g' => out.push_str(&m.gid.to_string()),
                    'U' => out.push_str(&self.user_name(m.uid, "/etc/passwd").unwrap_or_else(|| "UNKNOWN".into())),
                    'G' => out.push_str(&self.user_name(m.gid, "/etc/group").unwrap_or_else(|| "UNKNOWN".into())),
                    's' => match &entry.node {
                        Node::Symlink(target) => out.push_str(&target.len().to_string()),
                        Node::Dir(_) => {
                            // A directory's size is the filesystem's (a 4 KiB block on ext4 and
                            // overlayfs while it is small).
                            self.shell.model("stat reports a directory's size as the filesystem keeps it: 4096 here");
                            out.push_str("4096");
                        }
                        Node::File { .. } => out.push_str(&entry.size().to_string()),
                    },
                    'F' => out.push_str(match &entry.node {
                        Node::Dir(_) => "directory",
                        Node::Symlink(_) => "symbolic link",
                        Node::File { .. } if entry.size() == 0 => "regular empty file",
                        Node::File { .. } => "regular file",
                    }),
                    '%' => out.push('%'),
                    _ => return None,
                }
            }
            out.push('\n');
            self.out(&out);
        }
        Some(status)
    }
}

/// `-rwxr-xr-x`, as `ls -l` and `stat %A` write a mode.
fn symbolic(entry: &Entry) -> String {
    let kind = match entry.node {
        Node::Dir(_) => 'd',
        Node::Symlink(_) => 'l',
        Node::File { .. } => '-',
    };
    let m = entry.meta.mode;
    let mut out = String::from(kind);
    for (shift, special, special_char) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (m >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        out.push(match (m & special != 0, x) {
            (true, true) => special_char,
            (true, false) => special_char.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

impl Env<'_> {
    /// `ln TARGET LINK`: one file under two names (both carry the same link id, as an
    /// archive's hard links do).
    fn hard_link(&mut self, flags: &Flags, mut operands: Vec<String>) -> Option<i32> {
        let force = has(flags, 'f');
        if operands.len() != 2 {
            return None;
        }
        let link = operands.pop()?;
        let target = operands.pop()?;
        let target_path = self.shell.abs(&target);
        let Some(Entry { node: Node::File { content, link: id }, meta }) = self.shell.fs.lstat(&target_path) else {
            return Some(self.fail(&format!(
                "{}: {}",
                Self::q(&target),
                if self.shell.fs.lstat(&target_path).is_some() {
                    "hard link not allowed for directory"
                } else {
                    "No such file or directory"
                }
            )));
        };
        let link_path = self.shell.abs(&link);
        let link_path = if self.shell.fs.stat(&link_path).is_some_and(|e| e.is_dir()) {
            format!("{}/{}", link_path.trim_end_matches('/'), target.rsplit('/').next().unwrap_or(&target))
        } else {
            link_path
        };
        if self.shell.fs.lstat(&link_path).is_some() {
            if !force {
                return Some(self.fail(&format!("{}: File exists", Self::q(&link))));
            }
            let _ = self.shell.fs.remove(&link_path);
        }
        // An id no archive in the build would use: derived from the first name.
        let id = id.unwrap_or_else(|| {
            let digest = crate::report::sim::sha256_hex(target_path.as_bytes());
            u64::from_str_radix(&digest[..15], 16).unwrap_or(1) | (1 << 62)
        });
        let entry = Entry { node: Node::File { content, link: Some(id) }, meta };
        self.shell.fs.insert(&target_path, entry.clone()).ok()?;
        match self.shell.fs.insert(&link_path, entry) {
            Ok(_) => Some(0),
            Err(e) => Some(self.fail(&format!("{}: {}", Self::q(&link), errno_text(&e)))),
        }
    }
}
