//! Word expansion as the shell does it (XCU 2.6): tilde, parameters, command substitution,
//! arithmetic, field splitting on `IFS`, pathname expansion against the simulated
//! filesystem, and quote removal; and the patterns of `case` and `${x#pattern}`.

use super::{Flow, Io, Shell, Stop};
use crate::sh::{self, ParamOp, Part, PartKind, Word};
use crate::text::Span;

/// What a command substitution gives when its command printed what is not known here.
pub(crate) const UNKNOWN_TEXT: &str = "\u{2026}";

/// `text`, unless a command substitution's unknown output is in it: a decision on it (a
/// test, a `case`) cannot be made here.
pub(super) fn known(text: String, span: crate::text::Span) -> Result<String, Flow> {
    if text.contains(UNKNOWN_TEXT) {
        return Err(Flow::Stop(Stop::Unknown { command: format!("a test of text not known here ({text})"), span }));
    }
    Ok(text)
}

/// One character of an expanded word: `active` when it may act as a pattern character (it
/// came from the script unquoted, or from an unquoted expansion), `split` when field
/// splitting may cut there (an unquoted expansion's result).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ch {
    pub(crate) c: char,
    pub(crate) active: bool,
    split: bool,
}

impl Ch {
    /// A pattern character (`active` when `*`, `?` and `[` act as such).
    pub(crate) fn literal(c: char, active: bool) -> Self {
        Self { c, active, split: false }
    }
}

/// A pattern: characters with their quoting.
pub(crate) type Pattern = Vec<Ch>;

/// Expanded pieces of one word: characters, and breaks between fields (`"$@"`).
#[derive(Default)]
struct Pieces {
    fields: Vec<Vec<Ch>>,
    /// The current field had a quoted part (so an empty result still makes a field).
    quoted: Vec<bool>,
}

impl Pieces {
    fn new() -> Self {
        Self { fields: vec![Vec::new()], quoted: vec![false] }
    }

    fn push(&mut self, text: &str, active: bool, split: bool) {
        let field = self.fields.last_mut().expect("one field");
        field.extend(text.chars().map(|c| Ch { c, active, split }));
    }

    /// `"$@"` and `"${a[@]}"`: one quoted field per item; no items make no field at all.
    fn each_a_field(&mut self, items: &[String]) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.break_field();
            }
            self.push(item, false, false);
        }
        if items.is_empty() {
            self.quoted.pop();
            self.fields.pop();
            if self.fields.is_empty() {
                self.fields.push(Vec::new());
                self.quoted.push(false);
            }
        }
    }

    fn mark_quoted(&mut self) {
        *self.quoted.last_mut().expect("one field") = true;
    }

    fn break_field(&mut self) {
        self.fields.push(Vec::new());
        self.quoted.push(true);
    }
}

impl Shell {
    /// The fields of `words` (a command's arguments, a `for` list).
    pub(super) fn fields(&mut self, words: &[Word]) -> Result<Vec<String>, Flow> {
        let mut out = Vec::new();
        for word in words {
            let pieces = self.pieces(word, false)?;
            let ifs = self.var("IFS").unwrap_or(" \t\n").to_string();
            for (field, quoted) in pieces.fields.into_iter().zip(pieces.quoted) {
                for f in split(&field, &ifs, quoted) {
                    out.extend(self.glob(&f));
                }
            }
        }
        Ok(out)
    }

    /// `word` as one string: no field splitting, no pathname expansion (assignments,
    /// redirection targets, `case` subjects).
    pub(super) fn word_string(&mut self, word: &Word) -> Result<String, Flow> {
        let pieces = self.pieces(word, false)?;
        let fields: Vec<String> = pieces.fields.iter().map(|f| f.iter().map(|c| c.c).collect()).collect();
        Ok(fields.join(" "))
    }

    /// `word` as a pattern (`case`, `${x#word}`).
    pub(super) fn pattern(&mut self, word: &Word) -> Result<Pattern, Flow> {
        let pieces = self.pieces(word, true)?;
        Ok(pieces.fields.into_iter().flatten().collect())
    }

    fn pieces(&mut self, word: &Word, pattern: bool) -> Result<Pieces, Flow> {
        let mut pieces = Pieces::new();
        for (i, part) in word.parts.iter().enumerate() {
            self.part(part, i == 0, false, pattern, &mut pieces)?;
        }
        Ok(pieces)
    }

    fn part(&mut self, part: &Part, first: bool, quoted: bool, pattern: bool, out: &mut Pieces) -> Result<(), Flow> {
        match &part.kind {
            PartKind::Literal(text) => {
                if first && !quoted && text.starts_with('~') {
                    let (user, rest) = text[1..].split_once('/').map_or((&text[1..], None), |(u, r)| (u, Some(r)));
                    if let Some(home) = self.home(user) {
                        out.push(&home, false, false);
                        if let Some(rest) = rest {
                            out.push("/", !quoted, false);
                            out.push(rest, !quoted, false);
                        }
                        return Ok(());
                    }
                }
                out.push(text, !quoted, false);
            }
            PartKind::Glob(text) => out.push(text, !quoted, false),
            PartKind::SingleQuoted(text) => {
                out.mark_quoted();
                out.push(text, false, false);
            }
            PartKind::Escaped(c) => {
                out.mark_quoted();
                out.push(&c.to_string(), false, false);
            }
            PartKind::DoubleQuoted(parts) => {
                out.mark_quoted();
                for p in parts {
                    self.part(p, false, true, pattern, out)?;
                }
            }
            PartKind::Param(param) => self.param(param, part.span, quoted, pattern, out)?,
            PartKind::CommandSub(script) | PartKind::Backquote(script) => {
                let text = self.substitute(script)?;
                out.push(&text, !quoted, !quoted);
            }
            PartKind::Arithmetic(expr) => {
                let expanded = self.expand_text(expr, part.span)?;
                let value = arith(self, &expanded).ok_or_else(|| {
                    Flow::Stop(Stop::Unknown { command: format!("the arithmetic $(({expr}))"), span: part.span })
                })?;
                out.push(&value.to_string(), !quoted, !quoted);
            }
            PartKind::AnsiC(_) => {
                return Err(Flow::Stop(Stop::Unknown { command: "bash $'...' quoting".into(), span: part.span }));
            }
        }
        Ok(())
    }

    /// Parameter expansions inside an arithmetic expression's text.
    fn expand_text(&mut self, text: &str, span: Span) -> Result<String, Flow> {
        if !text.contains('$') && !text.contains('`') {
            return Ok(text.to_string());
        }
        let parsed = sh::parse(&format!("\"{}\"", text.replace('"', "\\\"")), self.dialect);
        let word = parsed.script.items.first().and_then(|i| match &i.and_or.first.commands.first()?.kind {
            sh::CommandKind::Simple { words, .. } => words.first().cloned(),
            _ => None,
        });
        match word {
            Some(w) => self.word_string(&w),
            None => Err(Flow::Stop(Stop::Unknown { command: format!("the arithmetic $(({text}))"), span })),
        }
    }

    fn home(&self, user: &str) -> Option<String> {
        if user.is_empty() {
            return Some(self.var("HOME").unwrap_or("/").to_string());
        }
        let passwd = super::utils::read_text(self, "/etc/passwd")?;
        passwd.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&user)).then(|| f.get(5).copied().unwrap_or("/").to_string())
        })
    }

    /// `$(...)`: the script in a subshell; its output without trailing newlines.
    fn substitute(&mut self, script: &sh::Script) -> Result<String, Flow> {
        let mut sub = self.clone();
        let mut io = Io::default();
        let flow = sub.script(script, &mut io);
        self.fs = sub.fs.clone();
        self.modeled.clone_from(&sub.modeled);
        self.partial = sub.partial;
        self.steps = sub.steps;
        self.written = sub.written;
        if let Flow::Stop(stop) = flow {
            return Err(Flow::Stop(stop));
        }
        self.status = match flow {
            Flow::Exit(s) | Flow::Return(s) => s,
            _ => sub.status,
        };
        self.subst_status = Some(self.status);
        if let Some(what) = io.unknown_out {
            // The text stands in for what was printed: the step goes on over partly unknown
            // files, and a test or `case` that looks at the text stops it (`known`).
            self.model(&format!("$(...) prints {what}, which is not known here: `{UNKNOWN_TEXT}` stands for it"));
            self.partial = true;
            return Ok(UNKNOWN_TEXT.to_string());
        }
        // Errors of the substituted command go to the step's output.
        self.pending_stderr.extend(io.stderr);
        let mut text = String::from_utf8_lossy(&io.stdout).into_owned();
        while text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    }

    fn special(&self, name: &str) -> Option<String> {
        Some(match name {
            "?" => self.status().to_string(),
            "#" => self.positional().len().to_string(),
            // RUN's shell is the container's first process.
            "$" => "1".into(),
            "!" => String::new(),
            "-" => {
                let mut f = String::new();
                if self.errexit {
                    f.push('e');
                }
                if self.nounset {
                    f.push('u');
                }
                if self.xtrace {
                    f.push('x');
                }
                f
            }
            "0" => self.name.clone(),
            "@" | "*" => self.positional().join(" "),
            n if n.bytes().all(|b| b.is_ascii_digit()) => {
                let i: usize = n.parse().ok()?;
                self.positional().get(i.checked_sub(1)?)?.clone()
            }
            n => self.var(n)?.to_string(),
        })
    }

    fn param(
        &mut self,
        param: &sh::Param,
        span: Span,
        quoted: bool,
        pattern: bool,
        out: &mut Pieces,
    ) -> Result<(), Flow> {
        let unknown = |what: &str| Flow::Stop(Stop::Unknown { command: what.to_string(), span });
        if param.indirect {
            return Err(unknown("a bash ${!name} expansion"));
        }
        let name = param.name.as_str();
        // bash arrays: `${a[@]}`, `${a[*]}`, `${#a[@]}`, `${a[i]}` (a variable is an array of one).
        let element = match param.subscript.as_deref().map(str::trim) {
            None => None,
            Some(sub) => {
                let elements: Vec<String> = match self.arrays.iter().find(|(n, _)| n == name) {
                    Some((_, e)) => e.clone(),
                    None => self.var(name).map(|v| vec![v.to_string()]).unwrap_or_default(),
                };
                if sub == "@" || sub == "*" {
                    if param.op.is_some() {
                        return Err(unknown("an operation on a whole bash array"));
                    }
                    if param.length {
                        out.push(&elements.len().to_string(), !quoted, !quoted);
                    } else if sub == "@" && quoted {
                        out.each_a_field(&elements);
                    } else {
                        out.push(&elements.join(" "), !quoted, !quoted);
                    }
                    return Ok(());
                }
                let index: usize = match sub.parse() {
                    Ok(i) => i,
                    Err(_) => match self.var(sub).and_then(|v| v.parse().ok()) {
                        Some(i) => i,
                        None => return Err(unknown("a bash array subscript that is not a number")),
                    },
                };
                if matches!(param.op, Some(ParamOp::Assign { .. })) {
                    return Err(unknown("an assignment to a bash array element"));
                }
                Some(elements.get(index).cloned())
            }
        };
        // "$@": one field per positional parameter.
        if name == "@" && quoted && param.op.is_none() && !param.length {
            let args = self.positional().to_vec();
            out.each_a_field(&args);
            return Ok(());
        }
        let value = match element {
            Some(element) => element,
            None => self.special(name),
        };
        // A length, a part or a test of text not known here is not known either.
        if (param.length || param.op.is_some()) && value.as_deref().is_some_and(|v| v.contains(UNKNOWN_TEXT)) {
            return Err(unknown("an expansion of text not known here"));
        }
        if param.length {
            let len = value.as_deref().unwrap_or("").chars().count();
            out.push(&len.to_string(), !quoted, !quoted);
            return Ok(());
        }
        let result: Option<String> = match &param.op {
            None => value.clone(),
            Some(op) => match op {
                ParamOp::Default { colon, word }
                | ParamOp::Assign { colon, word }
                | ParamOp::Alternative { colon, word }
                | ParamOp::Error { colon, word } => {
                    let set = value.as_deref().is_some_and(|v| !(*colon && v.is_empty()));
                    match op {
                        ParamOp::Default { .. } => {
                            Some(if set { value.clone().unwrap_or_default() } else { self.word_string(word)? })
                        }
                        ParamOp::Assign { .. } => {
                            if set {
                                value.clone()
                            } else {
                                let v = self.word_string(word)?;
                                self.set_var(name, &v);
                                Some(v)
                            }
                        }
                        ParamOp::Alternative { .. } => Some(if set { self.word_string(word)? } else { String::new() }),
                        _ => {
                            if set {
                                value.clone()
                            } else {
                                let message = self.word_string(word)?;
                                let message =
                                    if message.is_empty() { "parameter not set".to_string() } else { message };
                                self.pending_stderr.extend(format!("{}: {name}: {message}\n", self.name).into_bytes());
                                return Err(Flow::Exit(2));
                            }
                        }
                    }
                }
                ParamOp::RemoveSmallestPrefix(w)
                | ParamOp::RemoveLargestPrefix(w)
                | ParamOp::RemoveSmallestSuffix(w)
                | ParamOp::RemoveLargestSuffix(w) => {
                    let p = self.pattern(w)?;
                    let v = value.clone().unwrap_or_default();
                    Some(match op {
                        ParamOp::RemoveSmallestPrefix(_) => remove_prefix(&v, &p, false),
                        ParamOp::RemoveLargestPrefix(_) => remove_prefix(&v, &p, true),
                        ParamOp::RemoveSmallestSuffix(_) => remove_suffix(&v, &p, false),
                        _ => remove_suffix(&v, &p, true),
                    })
                }
                ParamOp::Replace { op, pattern, replacement } => {
                    let p = self.pattern(pattern)?;
                    let with = match replacement {
                        Some(w) => self.word_string(w)?,
                        None => String::new(),
                    };
                    Some(replace(&value.clone().unwrap_or_default(), &p, &with, op))
                }
                ParamOp::Substring(text) => {
                    let v: Vec<char> = value.clone().unwrap_or_default().chars().collect();
                    let (offset, length) = text.split_once(':').map_or((text.as_str(), None), |(o, l)| (o, Some(l)));
                    let eval = |shell: &Shell, t: &str| arith(shell, t.trim());
                    let offset = eval(self, offset).ok_or_else(|| unknown("the offset of ${name:offset}"))?;
                    let len = i64::try_from(v.len()).unwrap_or(i64::MAX);
                    let start = if offset < 0 { (len + offset).max(0) } else { offset.min(len) };
                    let end = match length {
                        None => len,
                        Some(l) => {
                            let l = eval(self, l).ok_or_else(|| unknown("the length of ${name:offset:length}"))?;
                            if l < 0 { (len + l).max(start) } else { (start + l).min(len) }
                        }
                    };
                    let (start, end) = (usize::try_from(start).unwrap_or(0), usize::try_from(end).unwrap_or(0));
                    Some(v[start.min(v.len())..end.min(v.len()).max(start.min(v.len()))].iter().collect())
                }
                ParamOp::Case { op, pattern } => {
                    if !pattern.parts.is_empty() {
                        return Err(unknown("a bash ${name^pattern} expansion"));
                    }
                    let v = value.clone().unwrap_or_default();
                    let mut chars = v.chars();
                    Some(match op.as_str() {
                        // A build's RUN has no locale set: bash changes ASCII letters only.
                        "^^" => v.to_ascii_uppercase(),
                        ",," => v.to_ascii_lowercase(),
                        "^" => chars
                            .next()
                            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                            .unwrap_or_default(),
                        _ => chars
                            .next()
                            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                            .unwrap_or_default(),
                    })
                }
            },
        };
        if result.is_none() && self.nounset() && !matches!(name, "@" | "*") {
            self.pending_stderr.extend(format!("{}: {name}: parameter not set\n", self.name).into_bytes());
            return Err(Flow::Exit(2));
        }
        let text = result.unwrap_or_default();
        let _ = pattern;
        out.push(&text, !quoted, !quoted);
        Ok(())
    }

    /// Pathname expansion of one field against the filesystem.
    fn glob(&self, field: &[Ch]) -> Vec<String> {
        let plain: String = field.iter().map(|c| c.c).collect();
        if !field.iter().any(|c| c.active && matches!(c.c, '*' | '?' | '[')) {
            return vec![plain];
        }
        let absolute = plain.starts_with('/');
        // Split the pattern into components, keeping quoting.
        let mut components: Vec<Vec<Ch>> = vec![Vec::new()];
        for ch in field {
            if ch.c == '/' {
                components.push(Vec::new());
            } else {
                components.last_mut().expect("one").push(*ch);
            }
        }
        let mut matches: Vec<String> = vec![if absolute { String::new() } else { ".".into() }];
        let last = components.len() - 1;
        for (i, comp) in components.iter().enumerate() {
            if comp.is_empty() {
                if i == 0 && absolute {
                    continue;
                }
                matches = matches.into_iter().map(|m| format!("{m}/")).collect();
                continue;
            }
            let has_glob = comp.iter().any(|c| c.active && matches!(c.c, '*' | '?' | '['));
            let mut next = Vec::new();
            for base in &matches {
                let dir = if base.is_empty() { "/".to_string() } else { self.abs(base) };
                if has_glob {
                    let Some(entry) = self.fs.stat(&dir) else { continue };
                    let Some(d) = entry.as_dir() else { continue };
                    let mut names: Vec<&str> = d.iter().map(|(n, _)| &**n).collect();
                    crate::sort::sort(&mut names);
                    for name in names {
                        if name.starts_with('.') && comp.first().is_none_or(|c| c.c != '.') {
                            continue;
                        }
                        if pattern_matches(comp, name) {
                            let joined = join(base, name);
                            if i < last && !self.fs.stat(&self.abs(&joined)).is_some_and(|e| e.is_dir()) {
                                continue;
                            }
                            next.push(joined);
                        }
                    }
                } else {
                    let name: String = comp.iter().map(|c| c.c).collect();
                    let joined = join(base, &name);
                    if self.fs.lstat(&self.abs(&joined)).is_some() {
                        next.push(joined);
                    }
                }
            }
            matches = next;
            if matches.is_empty() {
                break;
            }
        }
        if matches.is_empty() {
            return vec![plain];
        }
        matches.into_iter().map(|m| m.strip_prefix("./").map(str::to_string).unwrap_or(m)).collect()
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        format!("/{name}")
    } else if base.ends_with('/') {
        format!("{base}{name}")
    } else {
        format!("{base}/{name}")
    }
}

/// Field splitting (XCU 2.6.5): only characters from unquoted expansions split.
fn split(field: &[Ch], ifs: &str, quoted: bool) -> Vec<Vec<Ch>> {
    let is_ifs = |c: &Ch| c.split && ifs.contains(c.c);
    let is_white = |c: &Ch| is_ifs(c) && matches!(c.c, ' ' | '\t' | '\n');
    let mut out = Vec::new();
    let mut current: Vec<Ch> = Vec::new();
    let mut i = 0;
    let mut have = false;
    // Leading IFS white space is skipped.
    while i < field.len() && is_white(&field[i]) {
        i += 1;
    }
    while i < field.len() {
        let c = field[i];
        if is_ifs(&c) {
            out.push(std::mem::take(&mut current));
            have = false;
            // White space around one separator counts once.
            let mut j = i + 1;
            if is_white(&c) {
                while j < field.len() && is_white(&field[j]) {
                    j += 1;
                }
                if j < field.len() && is_ifs(&field[j]) && !is_white(&field[j]) {
                    j += 1;
                    while j < field.len() && is_white(&field[j]) {
                        j += 1;
                    }
                }
            } else {
                while j < field.len() && is_white(&field[j]) {
                    j += 1;
                }
            }
            i = j;
            continue;
        }
        current.push(c);
        have = true;
        i += 1;
    }
    if have || (out.is_empty() && quoted) {
        out.push(current);
    }
    out
}

/// Does `pattern` match all of `text`? `*`, `?` and bracket expressions act only where the
/// pattern's character is active (unquoted).
pub(crate) fn pattern_matches(pattern: &[Ch], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() {
            let ch = pattern[p];
            if ch.active && ch.c == '*' {
                star = Some((p, t));
                p += 1;
                continue;
            }
            if ch.active && ch.c == '?' {
                p += 1;
                t += 1;
                continue;
            }
            if ch.active && ch.c == '[' {
                if let Some((matched, len)) = bracket(&pattern[p..], text[t]) {
                    if matched {
                        p += len;
                        t += 1;
                        continue;
                    }
                } else if text[t] == '[' {
                    p += 1;
                    t += 1;
                    continue;
                }
            } else if ch.c == text[t] {
                p += 1;
                t += 1;
                continue;
            }
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while p < pattern.len() && pattern[p].active && pattern[p].c == '*' {
        p += 1;
    }
    p == pattern.len()
}

/// A bracket expression at the start of `pattern`: whether it matches `c`, and its length;
/// `None` when it is not closed (then `[` is literal).
fn bracket(pattern: &[Ch], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = pattern.get(i).is_some_and(|ch| ch.active && matches!(ch.c, '!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < pattern.len() {
        let ch = pattern[i];
        if ch.c == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if ch.c == '[' && pattern.get(i + 1).is_some_and(|n| n.c == ':') {
            let rest: String = pattern[i + 2..].iter().map(|c| c.c).collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                matched |= match class {
                    "alpha" => c.is_ascii_alphabetic(),
                    "digit" => c.is_ascii_digit(),
                    "alnum" => c.is_ascii_alphanumeric(),
                    "upper" => c.is_ascii_uppercase(),
                    "lower" => c.is_ascii_lowercase(),
                    "space" => c.is_ascii_whitespace(),
                    "xdigit" => c.is_ascii_hexdigit(),
                    "punct" => c.is_ascii_punctuation(),
                    _ => false,
                };
                i += 2 + end + 2;
                continue;
            }
        }
        if pattern.get(i + 1).is_some_and(|d| d.c == '-') && pattern.get(i + 2).is_some_and(|e| e.c != ']') {
            let hi = pattern[i + 2].c;
            matched |= ch.c <= c && c <= hi;
            i += 3;
            continue;
        }
        matched |= ch.c == c;
        i += 1;
    }
    None
}

/// bash `${v/p/r}` (first), `${v//p/r}` (all), `${v/#p/r}` (at the start), `${v/%p/r}` (at
/// the end): the longest match at the leftmost place.
fn replace(value: &str, pattern: &[Ch], with: &str, op: &str) -> String {
    let bounds: Vec<usize> = value.char_indices().map(|(i, _)| i).chain(std::iter::once(value.len())).collect();
    let longest_at = |start: usize| {
        bounds.iter().rev().copied().filter(|&e| e >= start).find(|&e| pattern_matches(pattern, &value[start..e]))
    };
    match op {
        "/#" => match longest_at(0) {
            Some(e) => format!("{with}{}", &value[e..]),
            None => value.to_string(),
        },
        "/%" => match bounds.iter().copied().find(|&b| pattern_matches(pattern, &value[b..])) {
            Some(b) => format!("{}{with}", &value[..b]),
            None => value.to_string(),
        },
        _ => {
            let all = op == "//";
            let mut out = String::new();
            let mut i = 0;
            while i < bounds.len() {
                let start = bounds[i];
                match longest_at(start).filter(|&e| e > start || !pattern.is_empty()) {
                    Some(end) if end > start => {
                        out.push_str(with);
                        i = bounds.iter().position(|&b| b == end).unwrap_or(bounds.len());
                        if !all {
                            out.push_str(&value[end..]);
                            return out;
                        }
                    }
                    _ => {
                        if let Some(c) = value[start..].chars().next() {
                            out.push(c);
                        }
                        i += 1;
                    }
                }
            }
            out
        }
    }
}

fn remove_prefix(value: &str, pattern: &[Ch], largest: bool) -> String {
    let bounds: Vec<usize> = value.char_indices().map(|(i, _)| i).chain(std::iter::once(value.len())).collect();
    let order: Box<dyn Iterator<Item = &usize>> =
        if largest { Box::new(bounds.iter().rev()) } else { Box::new(bounds.iter()) };
    for &end in order {
        if pattern_matches(pattern, &value[..end]) {
            return value[end..].to_string();
        }
    }
    value.to_string()
}

fn remove_suffix(value: &str, pattern: &[Ch], largest: bool) -> String {
    let bounds: Vec<usize> = value.char_indices().map(|(i, _)| i).chain(std::iter::once(value.len())).collect();
    let order: Box<dyn Iterator<Item = &usize>> =
        if largest { Box::new(bounds.iter()) } else { Box::new(bounds.iter().rev()) };
    for &start in order {
        if pattern_matches(pattern, &value[start..]) {
            return value[..start].to_string();
        }
    }
    value.to_string()
}

/// Shell arithmetic (XCU 2.6.4), signed 64-bit: numbers, variables, `+ - * / %`, comparisons,
/// `&& || !`, `<< >> & | ^ ~`, parentheses and `?:`. `None` when it cannot be evaluated.
pub(crate) fn arith(shell: &Shell, text: &str) -> Option<i64> {
    let tokens = tokenize(text)?;
    let mut p = Arith { tokens, pos: 0, shell };
    let v = p.ternary()?;
    (p.pos == p.tokens.len()).then_some(v)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
}

fn tokenize(text: &str) -> Option<Vec<Tok>> {
    const OPS: [&str; 24] = [
        "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^",
        "(", ")", "?", ":",
    ];
    let b = text.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            out.push(Tok::Num(parse_int(&text[start..i])?));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Name(text[start..i].to_string()));
        } else {
            let op = OPS.iter().find(|op| text[i..].starts_with(**op))?;
            // Assignments (`=`, `+=`, `++`) change variables: not evaluated here.
            if text[i + op.len()..].starts_with('=') && !matches!(*op, "<" | ">" | "!" | "=") {
                return None;
            }
            if matches!(*op, "+" | "-") && text[i + 1..].starts_with(*op) {
                return None;
            }
            out.push(Tok::Op(op));
            i += op.len();
        }
    }
    Some(out)
}

fn parse_int(s: &str) -> Option<i64> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

struct Arith<'a> {
    tokens: Vec<Tok>,
    pos: usize,
    shell: &'a Shell,
}

impl Arith<'_> {
    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.tokens.get(self.pos), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ternary(&mut self) -> Option<i64> {
        let c = self.binary(0)?;
        if self.eat("?") {
            let a = self.ternary()?;
            if !self.eat(":") {
                return None;
            }
            let b = self.ternary()?;
            return Some(if c != 0 { a } else { b });
        }
        Some(c)
    }

    fn binary(&mut self, level: usize) -> Option<i64> {
        const LEVELS: [&[&str]; 10] = [
            &["||"],
            &["&&"],
            &["|"],
            &["^"],
            &["&"],
            &["==", "!="],
            &["<", "<=", ">", ">="],
            &["<<", ">>"],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            let Some(Tok::Op(op)) = self.tokens.get(self.pos).cloned() else { return Some(left) };
            if !LEVELS[level].contains(&op) {
                return Some(left);
            }
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = match op {
                "||" => i64::from(left != 0 || right != 0),
                "&&" => i64::from(left != 0 && right != 0),
                "|" => left | right,
                "^" => left ^ right,
                "&" => left & right,
                "==" => i64::from(left == right),
                "!=" => i64::from(left != right),
                "<" => i64::from(left < right),
                "<=" => i64::from(left <= right),
                ">" => i64::from(left > right),
                ">=" => i64::from(left >= right),
                "<<" => left.wrapping_shl(u32::try_from(right).ok()?),
                ">>" => left.wrapping_shr(u32::try_from(right).ok()?),
                "+" => left.wrapping_add(right),
                "-" => left.wrapping_sub(right),
                "*" => left.wrapping_mul(right),
                "/" => left.checked_div(right)?,
                "%" => left.checked_rem(right)?,
                _ => return None,
            };
        }
    }

    fn unary(&mut self) -> Option<i64> {
        if self.eat("-") {
            return Some(self.unary()?.wrapping_neg());
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("!") {
            return Some(i64::from(self.unary()? == 0));
        }
        if self.eat("~") {
            return Some(!self.unary()?);
        }
        if self.eat("(") {
            let v = self.ternary()?;
            return self.eat(")").then_some(v);
        }
        match self.tokens.get(self.pos).cloned()? {
            Tok::Num(n) => {
                self.pos += 1;
                Some(n)
            }
            Tok::Name(name) => {
                self.pos += 1;
                let value = self.shell.var(&name).unwrap_or("").trim().to_string();
                if value.is_empty() { Some(0) } else { parse_int(&value) }
            }
            Tok::Op(_) => None,
        }
    }
}
