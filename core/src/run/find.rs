//! `find`: its expression language (tests, `!`, `-a`, `-o`, parentheses), the options that
//! shape the walk (`-maxdepth`, `-mindepth`, `-depth`, `-xdev`), and its actions (`-print`,
//! `-print0`, `-delete`, `-prune`, `-exec ... ;` and `-exec ... {} +`), over the simulated
//! files. It runs commands, so it lives with the shell rather than the plain utilities.
//!
//! Real `find` walks each directory in the order the filesystem keeps it (hashed on ext4 and
//! overlayfs), which differs between machines; here entries come by name, and a listing of
//! more than two paths says so (`modeled`).

use super::{Flow, Io, Shell, Span, Stop, Userland};
use crate::fs::{Entry, Node};

/// A test or action of the expression.
#[derive(Clone, Debug)]
enum Primary {
    Name {
        pattern: String,
        fold: bool,
    },
    Path {
        pattern: String,
        fold: bool,
    },
    /// `-type f,d` (GNU takes a comma list).
    Type(Vec<char>),
    Executable,
    Empty,
    /// `-perm MODE` (exact), `-perm -MODE` (all of these bits), `-perm /MODE` (any).
    Perm {
        mode: u32,
        how: u8,
    },
    /// `-uid N`, `-gid N`: the entry's owner, by number.
    Owner {
        id: u32,
        group: bool,
    },
    Const(bool),
    Print {
        nul: bool,
    },
    Delete,
    Prune,
    /// `-exec ARGV ;` (one run per path) or `-exec ARGV {} +` (the paths gathered).
    Exec {
        argv: Vec<String>,
        batch: bool,
    },
}

/// An expression: chains of `-a` and `-o` are lists (a long chain is no deeper than a short
/// one), and nesting by `!` and parentheses is bounded by [`MAX_NESTING`].
#[derive(Clone, Debug)]
enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Primary(Primary),
}

/// How deep `!` and parentheses may nest (the parser and the evaluator recurse per level).
const MAX_NESTING: usize = 100;

impl Expr {
    /// Does the expression hold an action? Without one, `-print` is implied.
    fn acts(&self) -> bool {
        match self {
            Self::And(list) | Self::Or(list) => list.iter().any(Self::acts),
            Self::Not(e) => e.acts(),
            Self::Primary(p) => matches!(p, Primary::Print { .. } | Primary::Delete | Primary::Exec { .. }),
        }
    }
}

struct Parser<'a> {
    args: &'a [String],
    at: usize,
    /// Options met among the expression's words: max depth, min depth, depth-first.
    max: usize,
    min: usize,
    depth_first: bool,
    /// How deep the parser is in `!` and parentheses.
    nesting: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.args.get(self.at).map(String::as_str)
    }

    fn value(&mut self) -> Result<String, String> {
        let word = self.args.get(self.at).cloned().ok_or_else(|| {
            format!("missing argument to `{}'", self.args.get(self.at.wrapping_sub(1)).map_or("", String::as_str))
        })?;
        self.at += 1;
        Ok(word)
    }

    fn or(&mut self) -> Result<Option<Expr>, String> {
        let Some(first) = self.and()? else { return Ok(None) };
        let mut list = vec![first];
        while matches!(self.peek(), Some("-o" | "-or")) {
            self.at += 1;
            list.push(self.and()?.ok_or("expected an expression after -o")?);
        }
        Ok(Some(if list.len() == 1 { list.remove(0) } else { Expr::Or(list) }))
    }

    fn and(&mut self) -> Result<Option<Expr>, String> {
        let Some(first) = self.unary()? else { return Ok(None) };
        let mut list = vec![first];
        loop {
            match self.peek() {
                Some("-a" | "-and") => {
                    self.at += 1;
                    list.push(self.unary()?.ok_or("expected an expression after -a")?);
                }
                None | Some("-o" | "-or" | ")") => break,
                Some(_) => match self.unary()? {
                    Some(next) => list.push(next),
                    None => break,
                },
            }
        }
        Ok(Some(if list.len() == 1 { list.remove(0) } else { Expr::And(list) }))
    }

    fn unary(&mut self) -> Result<Option<Expr>, String> {
        if matches!(self.peek(), Some("!" | "-not" | "(")) {
            if self.nesting >= MAX_NESTING {
                return Err("unsupported: the expression nests too deeply".into());
            }
            self.nesting += 1;
            let e = self.nested();
            self.nesting -= 1;
            return e;
        }
        match self.peek() {
            None | Some(")" | "-o" | "-or") => Ok(None),
            Some(_) => self.primary().map(Some),
        }
    }

    /// `! EXPR` or `( EXPR )`.
    fn nested(&mut self) -> Result<Option<Expr>, String> {
        if self.peek() == Some("(") {
            self.at += 1;
            let e = self.or()?.ok_or("empty parentheses are not allowed")?;
            if self.peek() != Some(")") {
                return Err("missing `)'".into());
            }
            self.at += 1;
            return Ok(Some(e));
        }
        self.at += 1;
        let e = self.unary()?.ok_or("expected an expression after !")?;
        Ok(Some(Expr::Not(Box::new(e))))
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let word = self.value()?;
        let p = match word.as_str() {
            "-name" | "-iname" => Primary::Name { pattern: self.value()?, fold: word == "-iname" },
            "-path" | "-wholename" | "-ipath" | "-iwholename" => {
                Primary::Path { pattern: self.value()?, fold: word.starts_with("-i") }
            }
            "-type" => {
                let v = self.value()?;
                let kinds: Vec<char> = v.split(',').filter_map(|k| k.chars().next()).collect();
                if kinds.is_empty() || kinds.iter().any(|k| !"fdlbcps".contains(*k)) {
                    return Err(format!("Unknown argument to -type: {v}"));
                }
                Primary::Type(kinds)
            }
            "-executable" => Primary::Executable,
            "-empty" => Primary::Empty,
            "-perm" => {
                let v = self.value()?;
                let (how, digits) = match v.as_bytes().first() {
                    Some(b'-') => (b'-', &v[1..]),
                    Some(b'/') => (b'/', &v[1..]),
                    _ => (b'=', v.as_str()),
                };
                // A symbolic mode (`/u+s`) is not read here: what it selects is not known.
                let mode = u32::from_str_radix(digits, 8).map_err(|_| format!("unsupported: -perm {v}"))?;
                Primary::Perm { mode, how }
            }
            "-uid" | "-gid" => {
                let v = self.value()?;
                // `+N` and `-N` compare; only an exact id is read here.
                if v.starts_with(['+', '-']) {
                    return Err(format!("unsupported: {word} {v}"));
                }
                let id = v.parse().map_err(|_| format!("invalid argument `{v}' to `{word}'"))?;
                Primary::Owner { id, group: word == "-gid" }
            }
            // Options that shape nothing here (one filesystem, no races).
            "-true" | "-xdev" | "-mount" | "-noleaf" | "-ignore_readdir_race" => Primary::Const(true),
            "-false" => Primary::Const(false),
            "-print" => Primary::Print { nul: false },
            "-print0" => Primary::Print { nul: true },
            "-delete" => {
                self.depth_first = true;
                Primary::Delete
            }
            "-prune" => Primary::Prune,
            "-exec" => {
                let mut argv = Vec::new();
                loop {
                    let w = self.value().map_err(|_| "missing argument to `-exec'".to_string())?;
                    if w == ";" {
                        break Primary::Exec { argv, batch: false };
                    }
                    if w == "+" && argv.last().is_some_and(|l| l == "{}") {
                        argv.pop();
                        break Primary::Exec { argv, batch: true };
                    }
                    argv.push(w);
                }
            }
            "-maxdepth" | "-mindepth" => {
                let v = self.value()?;
                let n = v
                    .parse()
                    .map_err(|_| format!("Expected a positive decimal integer argument to {word}, but got `{v}'"))?;
                if word == "-maxdepth" {
                    self.max = n;
                } else {
                    self.min = n;
                }
                Primary::Const(true)
            }
            "-depth" => {
                self.depth_first = true;
                Primary::Const(true)
            }
            other => return Err(format!("unsupported: the predicate `{other}'")),
        };
        Ok(Expr::Primary(p))
    }
}

/// What evaluating one path did.
struct Walk<'a> {
    io: &'a mut Io,
    span: Span,
    status: i32,
    /// Paths `-exec ... +` gathered, by the index of their primary in the walk.
    batches: Vec<(Vec<String>, Vec<String>)>,
    pruned: bool,
    printed: usize,
    stop: Option<Flow>,
}

impl Shell {
    /// `find [-H|-L|-P] [PATH...] [EXPRESSION]`.
    pub(super) fn find(&mut self, args: &[String], span: Span, io: &mut Io) -> (i32, Flow) {
        let options: Vec<&String> = args.iter().take_while(|a| matches!(a.as_str(), "-H" | "-L" | "-P")).collect();
        if options.iter().any(|o| *o == "-L") {
            // Following every symbolic link: not modeled.
            return (0, Flow::Stop(Stop::Unknown { command: "find -L".into(), span }));
        }
        let args = &args[options.len()..];
        let first_expr = args.iter().position(|a| a.starts_with('-') || a == "!" || a == "(").unwrap_or(args.len());
        let mut roots: Vec<String> = args[..first_expr].to_vec();
        if roots.is_empty() {
            roots.push(".".into());
        }
        let mut parser =
            Parser { args: &args[first_expr..], at: 0, max: usize::MAX, min: 0, depth_first: false, nesting: 0 };
        let parsed = parser.or().and_then(|e| {
            if parser.at < parser.args.len() {
                Err(format!("paths must precede expression: `{}'", parser.args[parser.at]))
            } else {
                Ok(e)
            }
        });
        let expr = match parsed {
            Ok(e) => e,
            // A predicate the model lacks (-newer, -mtime, -size, -regex...): what it
            // selects is not known here.
            Err(e) if e.starts_with("unsupported: ") => {
                let what = e.trim_start_matches("unsupported: ");
                return (0, Flow::Stop(Stop::Unknown { command: format!("find ({what})"), span }));
            }
            Err(e) => {
                io.stderr.extend_from_slice(format!("find: {e}\n").as_bytes());
                return (1, Flow::Next);
            }
        };
        let print = !expr.as_ref().is_some_and(Expr::acts);
        let before = io.stderr.len();
        let (min, max, depth_first) = (parser.min, parser.max, parser.depth_first);
        let mut walk = Walk { io, span, status: 0, batches: Vec::new(), pruned: false, printed: 0, stop: None };
        for root in &roots {
            let base = self.abs(root);
            // The starting point as find -P takes it: the links on the way are followed, a
            // link named last is examined itself (not followed) unless the path ends in `/`.
            let Some(canonical) =
                self.fs.resolve(&base, root.ends_with('/')).ok().filter(|r| r.entry.is_some()).map(|r| r.path())
            else {
                self.find_error(walk.io, &format!("{root}: No such file or directory"));
                walk.status = 1;
                continue;
            };
            let top = self.fs.lstat(&canonical).unwrap_or_else(|| Entry::dir(crate::fs::Meta::DIR));
            let listed = if top.is_dir() { self.fs.walk(&canonical) } else { vec![(canonical.clone(), top)] };
            let prefix = canonical.trim_end_matches('/').to_string();
            let mut entries: Vec<(String, usize)> = listed
                .into_iter()
                .filter_map(|(path, _)| {
                    let rel = path.strip_prefix(prefix.as_str()).unwrap_or("");
                    let depth = rel.split('/').filter(|p| !p.is_empty()).count();
                    (depth <= max).then_some((path, depth))
                })
                .collect();
            if depth_first {
                entries.reverse();
            }
            // The walk is depth first: what is under a pruned (or vanished) directory comes
            // right after it, so one prefix at a time is enough.
            let mut pruned: Option<String> = None;
            for (path, depth) in entries {
                if let Err(flow) = self.tick(walk.span) {
                    return (walk.status, flow);
                }
                if walk.io.stdout.len() > super::MAX_OUTPUT {
                    return (walk.status, Flow::Stop(Stop::Budget { span: walk.span }));
                }
                if pruned
                    .as_ref()
                    .is_some_and(|p| path.starts_with(p.as_str()) && path.as_bytes().get(p.len()) == Some(&b'/'))
                {
                    continue;
                }
                let rel = path.strip_prefix(prefix.as_str()).unwrap_or("").to_string();
                let shown = if rel.is_empty() { root.clone() } else { format!("{}{rel}", root.trim_end_matches('/')) };
                // An earlier action (`-exec rm -rf {} ;`) removed it: find cannot go in.
                let Some(entry) = self.fs.lstat(&path) else {
                    self.find_error(walk.io, &format!("{shown}: No such file or directory"));
                    walk.status = 1;
                    pruned = Some(path);
                    continue;
                };
                if depth < min {
                    continue;
                }
                walk.pruned = false;
                let holds = match &expr {
                    None => true,
                    Some(e) => self.find_eval(e, &shown, &path, &entry, &mut walk),
                };
                if let Some(flow) = walk.stop.take() {
                    return (walk.status, flow);
                }
                if holds && print {
                    walk.io.stdout.extend_from_slice(format!("{shown}\n").as_bytes());
                    walk.printed += 1;
                }
                if walk.pruned && !depth_first && entry.is_dir() {
                    pruned = Some(path);
                }
            }
        }
        // `-exec ... {} +`: each command once, with the paths it gathered.
        for (argv, paths) in std::mem::take(&mut walk.batches) {
            if paths.is_empty() {
                continue;
            }
            let full: Vec<String> = argv.iter().cloned().chain(paths).collect();
            let (s, flow) = self.external(&full[0], &full[1..], walk.span, walk.io, false);
            if flow != Flow::Next {
                return (s, flow);
            }
            if s != 0 {
                walk.status = 1;
            }
        }
        if walk.printed > 2 {
            self.model("find lists directories in the filesystem's own order, which differs between machines: here they are listed by name");
        }
        // Over partly unknown files a missing path may be there in the real build.
        let status = self.assume_present(walk.status, &walk.io.stderr[before..]);
        (status, Flow::Next)
    }

    fn find_error(&self, io: &mut Io, message: &str) {
        let text = match self.userland {
            Userland::Busybox => format!("find: {message}\n"),
            Userland::Gnu => {
                let (path, why) = message.rsplit_once(": ").unwrap_or((message, ""));
                format!("find: '{path}': {why}\n")
            }
        };
        io.stderr.extend_from_slice(text.as_bytes());
    }

    fn find_eval(&mut self, e: &Expr, shown: &str, path: &str, entry: &Entry, walk: &mut Walk<'_>) -> bool {
        if walk.stop.is_some() {
            return false;
        }
        match e {
            Expr::And(list) => list.iter().all(|x| self.find_eval(x, shown, path, entry, walk)),
            Expr::Or(list) => list.iter().any(|x| self.find_eval(x, shown, path, entry, walk)),
            Expr::Not(a) => !self.find_eval(a, shown, path, entry, walk),
            Expr::Primary(p) => self.find_primary(p, shown, path, entry, walk),
        }
    }

    fn find_primary(&mut self, p: &Primary, shown: &str, path: &str, entry: &Entry, walk: &mut Walk<'_>) -> bool {
        let mode = entry.meta.mode & 0o7777;
        match p {
            Primary::Name { pattern, fold } => {
                let name =
                    if path == "/" { "/" } else { shown.trim_end_matches('/').rsplit('/').next().unwrap_or(shown) };
                if *fold {
                    crate::fs::copy::glob_match(&pattern.to_ascii_lowercase(), &name.to_ascii_lowercase())
                } else {
                    crate::fs::copy::glob_match(pattern, name)
                }
            }
            Primary::Path { pattern, fold } => {
                let chars = |s: &str| -> Vec<super::expand::Ch> {
                    s.chars().map(|c| super::expand::Ch::literal(c, true)).collect()
                };
                if *fold {
                    super::expand::pattern_matches(&chars(&pattern.to_ascii_lowercase()), &shown.to_ascii_lowercase())
                } else {
                    super::expand::pattern_matches(&chars(pattern), shown)
                }
            }
            Primary::Type(kinds) => kinds.iter().any(|k| match k {
                'f' => matches!(entry.node, Node::File { .. }),
                'd' => entry.is_dir(),
                'l' => matches!(entry.node, Node::Symlink(_)),
                _ => false,
            }),
            // Root may run a file with any execute bit, and search any directory.
            Primary::Executable => {
                if self.uid == 0 {
                    entry.is_dir() || mode & 0o111 != 0
                } else {
                    let shift = if entry.meta.uid == self.uid {
                        6
                    } else if entry.meta.gid == self.gid {
                        3
                    } else {
                        0
                    };
                    (mode >> shift) & 1 != 0
                }
            }
            Primary::Empty => match &entry.node {
                Node::File { content, .. } => content.size() == 0,
                Node::Dir(d) => d.is_empty(),
                Node::Symlink(_) => false,
            },
            Primary::Perm { mode: want, how } => match how {
                b'-' => mode & want == *want,
                b'/' => *want == 0 || mode & want != 0,
                _ => mode == *want,
            },
            Primary::Owner { id, group } => *id == if *group { entry.meta.gid } else { entry.meta.uid },
            Primary::Const(b) => *b,
            Primary::Print { nul } => {
                walk.io.stdout.extend_from_slice(shown.as_bytes());
                walk.io.stdout.push(if *nul { 0 } else { b'\n' });
                walk.printed += 1;
                true
            }
            Primary::Prune => {
                walk.pruned = true;
                true
            }
            Primary::Delete => {
                // GNU find leaves the starting point `.` alone, and says nothing.
                if shown == "." {
                    return true;
                }
                if entry.as_dir().is_some_and(|d| !d.is_empty()) {
                    self.find_error(walk.io, &format!("cannot delete {shown}: Directory not empty"));
                    walk.status = 1;
                    return false;
                }
                if path != "/" {
                    let _ = self.fs.remove(path);
                }
                true
            }
            Primary::Exec { argv, batch: true } => {
                let key: Vec<String> = argv.clone();
                match walk.batches.iter_mut().find(|(a, _)| *a == key) {
                    Some((_, paths)) => paths.push(shown.to_string()),
                    None => walk.batches.push((key, vec![shown.to_string()])),
                }
                true
            }
            Primary::Exec { argv, batch: false } => {
                if let Err(flow) = self.tick(walk.span) {
                    walk.stop = Some(flow);
                    return false;
                }
                let full: Vec<String> = argv.iter().map(|a| a.replace("{}", shown)).collect();
                let Some((name, rest)) = full.split_first() else { return false };
                let (s, flow) = self.external(name, rest, walk.span, walk.io, false);
                if flow != Flow::Next {
                    walk.stop = Some(flow);
                    walk.status = s;
                    return false;
                }
                s == 0
            }
        }
    }
}
