//! The text utilities: `seq`, `sort`, `uniq`, `cut`, `tr`, `grep`, `sed`, `base64`,
//! `sha256sum`, as busybox and GNU coreutils behave in the C locale (a build's default).
//! Regular expressions are POSIX basic (BRE) or extended (ERE), matched leftmost-longest
//! ([`crate::regex`]).

use std::fmt::Write as _;

use crate::regex::{Captures, Flavor, Options, Regex};

use super::utils::{Env, UNKNOWN_CONTENT, read_file};

/// A BRE or ERE (or, `-F`, a fixed string).
pub(crate) fn compile(pattern: &str, extended: bool, fixed: bool, options: Options) -> Result<Regex, String> {
    if fixed {
        Regex::literal(pattern, options)
    } else {
        Regex::new(pattern, if extended { Flavor::Extended } else { Flavor::Basic }, options)
    }
}

/// Lines of `bytes`, without their newlines; a last line without one counts.
fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<String> = text.split('\n').map(str::to_string).collect();
    if out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// A list of 1-based positions as `cut` reads it (`1,3-5,7-`).
fn ranges(list: &str) -> Option<Vec<(usize, usize)>> {
    list.split(',')
        .map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let a = if a.is_empty() { 1 } else { a.parse().ok()? };
            let b = if b.is_empty() { usize::MAX } else { b.parse().ok()? };
            (a >= 1 && a <= b).then_some((a, b))
        })
        .collect()
}

fn in_ranges(ranges: &[(usize, usize)], i: usize) -> bool {
    ranges.iter().any(|&(a, b)| a <= i && i <= b)
}

/// A `tr` set: ranges, escapes and `[:class:]` expanded to characters.
fn tr_set(spec: &str) -> Vec<char> {
    let mut chars: Vec<char> = Vec::new();
    let raw: Vec<char> = spec.chars().collect();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == '[' && raw.get(i + 1) == Some(&':') {
            let rest: String = raw[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                let all = (0u8..128).map(char::from);
                chars.extend(all.filter(|c| match class {
                    "upper" => c.is_ascii_uppercase(),
                    "lower" => c.is_ascii_lowercase(),
                    "digit" => c.is_ascii_digit(),
                    "alpha" => c.is_ascii_alphabetic(),
                    "alnum" => c.is_ascii_alphanumeric(),
                    "space" => c.is_ascii_whitespace() || *c == '\x0b',
                    "blank" => *c == ' ' || *c == '\t',
                    "punct" => c.is_ascii_punctuation(),
                    "xdigit" => c.is_ascii_hexdigit(),
                    _ => false,
                }));
                i += 2 + end + 2;
                continue;
            }
        }
        let (c, width) = if raw[i] == '\\' && i + 1 < raw.len() {
            let c = match raw[i + 1] {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' => '\\',
                other => other,
            };
            (c, 2)
        } else {
            (raw[i], 1)
        };
        if raw.get(i + width) == Some(&'-') && i + width + 1 < raw.len() {
            let hi = raw[i + width + 1];
            for x in (c as u32)..=(hi as u32) {
                chars.extend(char::from_u32(x));
            }
            i += width + 2;
        } else {
            chars.push(c);
            i += width;
        }
    }
    chars
}

/// `text` with each `$NAME` and `${NAME}` (NAME: a letter or `_`, then letters, digits, `_`)
/// replaced by what `value` gives for it; a reference it gives `None` for stays as written.
fn env_references(text: &str, limit: usize, mut value: impl FnMut(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(text.len().min(limit));
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        if out.len() > limit {
            return None;
        }
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let braced = after.starts_with('{');
        let body = if braced { &after[1..] } else { after };
        let len = body
            .char_indices()
            .take_while(|&(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
            .count();
        let name = &body[..len];
        let closed = !braced || body[len..].starts_with('}');
        let taken = if braced { len + 2 } else { len };
        if let Some(v) = (len > 0 && closed).then(|| value(name)).flatten() {
            out.push_str(&v);
            rest = &after[taken..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    (out.len() <= limit).then_some(out)
}

/// The hex digest `applet` (`sha256sum`, `sha384sum`, `sha512sum`, `md5sum`) prints for `bytes`.
fn digest_hex(applet: &str, bytes: &[u8]) -> String {
    let raw: Vec<u8> = match applet {
        "sha512sum" => {
            use sha2::Digest as _;
            sha2::Sha512::digest(bytes).to_vec()
        }
        "sha384sum" => {
            use sha2::Digest as _;
            sha2::Sha384::digest(bytes).to_vec()
        }
        "md5sum" => md5(bytes).to_vec(),
        _ => return crate::report::sim::sha256_hex(bytes),
    };
    raw.iter().fold(String::with_capacity(raw.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

// K[i] = floor(abs(sin(i + 1)) * 2^32), written out: computing it would bring libm's sin
// into the browser build (a test checks the table against the formula).
pub(super) const MD5_K: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

/// MD5 (RFC 1321): what `md5sum` prints; not for security. The names are the RFC's.
#[allow(clippy::many_single_char_names)]
fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ];
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in message.chunks(64) {
        let m: Vec<u32> = chunk.chunks(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a.wrapping_add(f).wrapping_add(MD5_K[i]).wrapping_add(m[g]).rotate_left(S[i]);
            (a, d, c) = (d, c, b);
            b = b.wrapping_add(rotated);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d]) {
            *s = s.wrapping_add(v);
        }
    }
    let mut out = [0u8; 16];
    for (i, word) in state.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// Named inputs: a file's name (`-` for standard input) and its bytes.
type Inputs = Vec<(String, Vec<u8>)>;

impl Env<'_> {
    /// Standard input, or the files named (`-` is standard input); `None` when a file's
    /// content is not known here.
    fn read_inputs(&mut self, files: &[String]) -> Option<Result<Inputs, i32>> {
        if files.is_empty() {
            return Some(Ok(vec![("-".into(), std::mem::take(&mut self.io.stdin))]));
        }
        let mut out = Vec::new();
        let mut status = 0;
        for f in files {
            if f == "-" {
                out.push((f.clone(), std::mem::take(&mut self.io.stdin)));
                continue;
            }
            match read_file(self.shell, &self.shell.abs(f)) {
                Ok(b) => out.push((f.clone(), b)),
                Err(e) if e == UNKNOWN_CONTENT => return None,
                Err(e) => status = self.fail(&format!("{f}: {e}")),
            }
        }
        if status != 0 && out.is_empty() {
            return Some(Err(status));
        }
        Some(Ok(out))
    }

    /// `None`: not a text tool; `Some(None)`: one, used in a way not simulated.
    #[allow(clippy::option_option)]
    pub(crate) fn text_tool(&mut self, applet: &str, args: &[String]) -> Option<Option<i32>> {
        Some(match applet {
            "seq" => self.seq(args),
            "sort" => self.sort(args),
            "uniq" => self.uniq(args),
            "cut" => self.cut(args),
            "tr" => self.tr(args),
            "grep" | "egrep" | "fgrep" => self.grep(args, applet),
            "sed" => self.sed(args),
            "base64" => self.base64(args),
            "sha256sum" | "sha384sum" | "sha512sum" | "md5sum" => self.shasum(args, applet),
            "envsubst" => self.envsubst(args),
            _ => return None,
        })
    }

    fn seq(&mut self, args: &[String]) -> Option<i32> {
        let mut sep = "\n".to_string();
        let mut nums = Vec::new();
        let mut iter = args.iter();
        while let Some(a) = iter.next() {
            match a.as_str() {
                "-s" => iter.next()?.clone_into(&mut sep),
                "-w" | "-f" => return None,
                _ => nums.push(a.parse::<i64>().ok()?),
            }
        }
        let (first, step, last) = match nums.as_slice() {
            [l] => (1, 1, *l),
            [f, l] => (*f, 1, *l),
            [f, s, l] => (*f, *s, *l),
            _ => return Some(self.fail("missing operand")),
        };
        if step == 0 {
            return None;
        }
        let mut values = Vec::new();
        let mut v = first;
        while (step > 0 && v <= last) || (step < 0 && v >= last) {
            values.push(v.to_string());
            if values.len() > 1_000_000 {
                return None;
            }
            v += step;
        }
        if !values.is_empty() {
            let text = values.join(&sep) + "\n";
            self.io.stdout.extend_from_slice(text.as_bytes());
        }
        Some(0)
    }

    fn sort(&mut self, args: &[String]) -> Option<i32> {
        let (mut reverse, mut numeric, mut unique) = (false, false, false);
        let mut files = Vec::new();
        let mut output = None;
        let mut iter = args.iter();
        while let Some(a) = iter.next() {
            if a == "-o" {
                output = Some(iter.next()?.clone());
            } else if let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) {
                for f in flags.chars() {
                    match f {
                        'r' => reverse = true,
                        'n' => numeric = true,
                        'u' => unique = true,
                        _ => return None,
                    }
                }
            } else {
                files.push(a.clone());
            }
        }
        let inputs = match self.read_inputs(&files)? {
            Ok(i) => i,
            Err(s) => return Some(s),
        };
        let mut all: Vec<String> = inputs.iter().flat_map(|(_, b)| lines(b)).collect();
        let number = |s: &str| -> f64 {
            let t = s.trim_start();
            let end = t
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
                .map_or(t.len(), |(i, _)| i);
            crate::gostr::parse_float(&t[..end]).unwrap_or(0.0)
        };
        if numeric {
            // Each line's number once, not once per comparison.
            let mut keyed: Vec<(f64, String)> = all.into_iter().map(|l| (number(&l), l)).collect();
            crate::sort::sort_by(&mut keyed, |(x, a), (y, b)| {
                x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.cmp(b))
            });
            all = keyed.into_iter().map(|(_, l)| l).collect();
        } else {
            crate::sort::sort(&mut all);
        }
        if reverse {
            all.reverse();
        }
        if unique {
            all.dedup_by(|a, b| if numeric { number(a).total_cmp(&number(b)).is_eq() } else { a == b });
        }
        let mut text = all.join("\n");
        if !all.is_empty() {
            text.push('\n');
        }
        match output {
            Some(path) => {
                let canonical = match super::utils::open_for_write(self.shell, &self.shell.abs(&path), false) {
                    Ok(c) => c,
                    Err(e) => return Some(self.fail(&format!("{path}: {e}"))),
                };
                super::utils::append(self.shell, &canonical, text.as_bytes());
            }
            None => self.io.stdout.extend_from_slice(text.as_bytes()),
        }
        Some(0)
    }

    fn uniq(&mut self, args: &[String]) -> Option<i32> {
        let (mut count, mut dups, mut singles) = (false, false, false);
        let mut files = Vec::new();
        for a in args {
            match a.as_str() {
                "-c" => count = true,
                "-d" => dups = true,
                "-u" => singles = true,
                s if s.starts_with('-') && s.len() > 1 => return None,
                _ => files.push(a.clone()),
            }
        }
        if files.len() > 1 {
            return None;
        }
        let inputs = match self.read_inputs(&files)? {
            Ok(i) => i,
            Err(s) => return Some(s),
        };
        let all: Vec<String> = inputs.iter().flat_map(|(_, b)| lines(b)).collect();
        let mut out = String::new();
        let mut i = 0;
        while i < all.len() {
            let mut j = i + 1;
            while j < all.len() && all[j] == all[i] {
                j += 1;
            }
            let n = j - i;
            if (!dups || n > 1) && (!singles || n == 1) {
                if count {
                    let _ = write!(out, "{n:>7} ");
                }
                out.push_str(&all[i]);
                out.push('\n');
            }
            i = j;
        }
        self.io.stdout.extend_from_slice(out.as_bytes());
        Some(0)
    }

    fn cut(&mut self, args: &[String]) -> Option<i32> {
        let mut delim = '\t';
        let mut fields = None;
        let mut chars = None;
        let mut only_delimited = false;
        let mut files = Vec::new();
        let mut iter = args.iter();
        while let Some(a) = iter.next() {
            let (flag, inline) = if a.starts_with('-') && a.len() > 1 { (&a[..2], &a[2..]) } else { ("", "") };
            let value = |iter: &mut std::slice::Iter<'_, String>| {
                if inline.is_empty() { iter.next().cloned() } else { Some(inline.to_string()) }
            };
            match flag {
                "-d" => delim = value(&mut iter)?.chars().next().unwrap_or('\t'),
                "-f" => fields = Some(ranges(&value(&mut iter)?)?),
                "-c" | "-b" => chars = Some(ranges(&value(&mut iter)?)?),
                "-s" => only_delimited = true,
                "" => files.push(a.clone()),
                _ => return None,
            }
        }
        let inputs = match self.read_inputs(&files)? {
            Ok(i) => i,
            Err(s) => return Some(s),
        };
        let mut out = String::new();
        for line in inputs.iter().flat_map(|(_, b)| lines(b)) {
            if let Some(r) = &chars {
                let picked: String =
                    line.chars().enumerate().filter(|(i, _)| in_ranges(r, i + 1)).map(|(_, c)| c).collect();
                out.push_str(&picked);
            } else if let Some(r) = &fields {
                if line.contains(delim) {
                    let picked: Vec<&str> =
                        line.split(delim).enumerate().filter(|(i, _)| in_ranges(r, i + 1)).map(|(_, f)| f).collect();
                    out.push_str(&picked.join(&delim.to_string()));
                } else {
                    if only_delimited {
                        continue;
                    }
                    out.push_str(&line);
                }
            } else {
                return Some(self.fail("you must specify a list of bytes, characters, or fields"));
            }
            out.push('\n');
        }
        self.io.stdout.extend_from_slice(out.as_bytes());
        Some(0)
    }

    fn tr(&mut self, args: &[String]) -> Option<i32> {
        let (mut delete, mut squeeze) = (false, false);
        let mut sets = Vec::new();
        for a in args {
            match a.as_str() {
                "-d" => delete = true,
                "-s" => squeeze = true,
                "-ds" | "-sd" => {
                    delete = true;
                    squeeze = true;
                }
                s if s.starts_with('-') && s.len() > 1 => return None,
                _ => sets.push(tr_set(a)),
            }
        }
        let input = String::from_utf8_lossy(&std::mem::take(&mut self.io.stdin)).into_owned();
        let set1 = sets.first()?.clone();
        let mut out = String::new();
        let mut last: Option<char> = None;
        let squeeze_set: Vec<char> =
            if delete { sets.get(1).cloned().unwrap_or_default() } else { sets.last().cloned().unwrap_or_default() };
        for c in input.chars() {
            let mapped = if delete {
                if set1.contains(&c) {
                    continue;
                }
                c
            } else if let Some(set2) = sets.get(1) {
                match set1.iter().rposition(|&x| x == c) {
                    Some(i) => *set2.get(i).or_else(|| set2.last()).unwrap_or(&c),
                    None => c,
                }
            } else {
                c
            };
            if squeeze && last == Some(mapped) && squeeze_set.contains(&mapped) {
                continue;
            }
            last = Some(mapped);
            out.push(mapped);
        }
        self.io.stdout.extend_from_slice(out.as_bytes());
        Some(0)
    }

    fn grep(&mut self, args: &[String], applet: &str) -> Option<i32> {
        let (mut extended, mut fixed) = (applet == "egrep", applet == "fgrep");
        let (
            mut icase,
            mut invert,
            mut quiet,
            mut count,
            mut list,
            mut number,
            mut recursive,
            mut word,
            mut line_x,
            mut no_name,
            mut with_name,
            mut only,
        ) = (false, false, false, false, false, false, false, false, false, false, false, false);
        let mut patterns: Vec<String> = Vec::new();
        let mut operands = Vec::new();
        let mut iter = args.iter();
        while let Some(a) = iter.next() {
            if a == "--" {
                operands.extend(iter.by_ref().cloned());
                break;
            }
            if let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty() && !f.starts_with('-')) {
                let cs: Vec<char> = flags.chars().collect();
                for (i, f) in cs.iter().enumerate() {
                    match f {
                        'E' => extended = true,
                        'F' => fixed = true,
                        'G' => extended = false,
                        'i' => icase = true,
                        'v' => invert = true,
                        'q' | 's' => quiet |= *f == 'q',
                        'c' => count = true,
                        'l' => list = true,
                        'n' => number = true,
                        'r' | 'R' => recursive = true,
                        'w' => word = true,
                        'x' => line_x = true,
                        'h' => no_name = true,
                        'H' => with_name = true,
                        'o' => only = true,
                        'e' => {
                            let rest: String = cs[i + 1..].iter().collect();
                            patterns.push(if rest.is_empty() { iter.next()?.clone() } else { rest });
                            break;
                        }
                        _ => return None,
                    }
                }
            } else if a.starts_with("--") {
                return None;
            } else {
                operands.push(a.clone());
            }
        }
        if patterns.is_empty() {
            if operands.is_empty() {
                return Some(self.fail("usage") + 1);
            }
            patterns.push(operands.remove(0));
        }
        let mut regexes = Vec::new();
        for p in patterns.iter().flat_map(|p| p.split('\n')) {
            match compile(p, extended, fixed, Options { icase, words: word, line: line_x, ..Options::default() }) {
                Ok(r) => regexes.push(r),
                Err(e) => return Some(self.fail(&e) + 1),
            }
        }
        // The files: directories walked with -r (in name order, as the filesystem lists them).
        let mut files: Vec<String> = Vec::new();
        for op in &operands {
            let path = self.shell.abs(op);
            match self.shell.fs.stat(&path) {
                Some(e) if e.is_dir() => {
                    if !recursive {
                        self.fail(&format!("{op}: Is a directory"));
                        continue;
                    }
                    for (p, entry) in self.shell.fs.walk(&path) {
                        if matches!(entry.node, crate::fs::Node::File { .. }) {
                            let rel = p.strip_prefix(path.trim_end_matches('/')).unwrap_or(&p);
                            files.push(format!("{}{rel}", op.trim_end_matches('/')));
                        }
                    }
                }
                _ => files.push(op.clone()),
            }
        }
        let show_name = with_name || (!no_name && (files.len() > 1 || recursive));
        let inputs = if files.is_empty() && recursive {
            return None;
        } else {
            match self.read_inputs(&files)? {
                Ok(i) => i,
                Err(s) => return Some(if quiet { 2 } else { s + 1 }),
            }
        };
        let mut matched_any = false;
        let mut out = String::new();
        for (name, bytes) in &inputs {
            let shown = if name == "-" { "(standard input)" } else { name.as_str() };
            let mut n = 0;
            for (i, line) in lines(bytes).iter().enumerate() {
                let hit = regexes.iter().any(|r| r.is_match(line)) != invert;
                if !hit {
                    continue;
                }
                n += 1;
                matched_any = true;
                if quiet {
                    break;
                }
                if list || count {
                    continue;
                }
                let prefix = format!(
                    "{}{}",
                    if show_name { format!("{shown}:") } else { String::new() },
                    if number { format!("{}:", i + 1) } else { String::new() }
                );
                if only && !invert {
                    for r in &regexes {
                        for (a, b) in r.all(line).iter().filter_map(|m| m[0]).filter(|(a, b)| b > a) {
                            let _ = writeln!(out, "{prefix}{}", &line[a..b]);
                        }
                    }
                } else {
                    let _ = writeln!(out, "{prefix}{line}");
                }
            }
            if quiet && matched_any {
                break;
            }
            if list && n > 0 {
                let _ = writeln!(out, "{shown}");
            } else if count {
                let _ = writeln!(out, "{}{n}", if show_name { format!("{shown}:") } else { String::new() });
            }
        }
        self.io.stdout.extend_from_slice(out.as_bytes());
        Some(i32::from(!matched_any))
    }

    fn base64(&mut self, args: &[String]) -> Option<i32> {
        use base64_engine::{decode, encode};
        let decoding = args.iter().any(|a| a == "-d" || a == "--decode");
        let files: Vec<String> = args.iter().filter(|a| !a.starts_with('-')).cloned().collect();
        let inputs = match self.read_inputs(&files)? {
            Ok(i) => i,
            Err(s) => return Some(s),
        };
        let data: Vec<u8> = inputs.into_iter().flat_map(|(_, b)| b).collect();
        if decoding {
            let clean: Vec<u8> = data.into_iter().filter(|b| !b.is_ascii_whitespace()).collect();
            match decode(&clean) {
                Some(bytes) => self.io.stdout.extend(bytes),
                None => return Some(self.fail("invalid input")),
            }
        } else {
            let text = encode(&data);
            for chunk in text.as_bytes().chunks(76) {
                self.io.stdout.extend_from_slice(chunk);
                self.io.stdout.push(b'\n');
            }
        }
        Some(0)
    }

    fn shasum(&mut self, args: &[String], applet: &str) -> Option<i32> {
        let check = args.iter().any(|a| a == "-c" || a == "--check");
        let quiet = args.iter().any(|a| a == "-s" || a == "--status" || a == "--quiet" || a == "-w" || a == "--strict");
        if args.iter().any(|a| {
            a.starts_with('-')
                && a != "-"
                && !["-c", "--check", "-s", "--status", "--quiet", "-w", "--strict", "--ignore-missing"]
                    .contains(&a.as_str())
        }) {
            return None;
        }
        // GNU's --ignore-missing: a line for a file that is not there is skipped.
        let ignore_missing = args.iter().any(|a| a == "--ignore-missing");
        let mut verified = 0;
        if check {
            let files: Vec<String> = args.iter().filter(|a| !a.starts_with('-') || *a == "-").cloned().collect();
            // A checksum list downloaded beside the files: its lines are not known here, and
            // the real build went on past it.
            if files
                .iter()
                .any(|f| f != "-" && read_file(self.shell, &self.shell.abs(f)).is_err_and(|e| e == UNKNOWN_CONTENT))
            {
                self.shell.model("a checksum list whose content is not known here is taken to pass");
                return Some(0);
            }
            let lists = match self.read_inputs(&files)? {
                Ok(i) => i,
                Err(s) => return Some(s),
            };
            let mut failed = 0;
            for (_, list) in lists {
                for line in lines(&list) {
                    let Some((expected, file)) = line.split_once(' ') else { continue };
                    let file = file.trim_start_matches([' ', '*']);
                    let ok = match read_file(self.shell, &self.shell.abs(file)) {
                        Ok(bytes) => {
                            let digest = digest_hex(applet, &bytes);
                            digest.eq_ignore_ascii_case(expected)
                        }
                        // A downloaded file of unknown content: its checksum is taken to match.
                        Err(e) if e == UNKNOWN_CONTENT => {
                            self.shell.model("a checksum of a file whose content is not known here is taken to match");
                            true
                        }
                        Err(_) if ignore_missing => continue,
                        Err(_) => false,
                    };
                    verified += 1;
                    if !ok {
                        failed += 1;
                    }
                    if !quiet {
                        let text = format!("{file}: {}\n", if ok { "OK" } else { "FAILED" });
                        self.io.stdout.extend_from_slice(text.as_bytes());
                    }
                }
            }
            if ignore_missing && verified == 0 {
                let list = files.first().map_or("-", String::as_str);
                return Some(
                    self.fail(&format!("{}: no file was verified", if list == "-" { "standard input" } else { list })),
                );
            }
            return Some(i32::from(failed > 0));
        }
        let inputs = match self.read_inputs(args)? {
            Ok(i) => i,
            Err(s) => return Some(s),
        };
        for (name, bytes) in inputs {
            let digest = digest_hex(applet, &bytes);
            let line = format!("{digest}  {name}\n");
            self.io.stdout.extend_from_slice(line.as_bytes());
        }
        Some(0)
    }

    /// `envsubst [SHELL-FORMAT]` (GNU gettext's): standard input with each `$NAME` and
    /// `${NAME}` replaced by the environment's value (empty when unset); with SHELL-FORMAT,
    /// only the names it mentions. Other `$` text (`${A:-b}`, `$1`) stays as it is.
    fn envsubst(&mut self, args: &[String]) -> Option<i32> {
        if args.len() > 1 || args.iter().any(|a| a.starts_with('-')) {
            return None;
        }
        let only: Option<Vec<String>> = args.first().map(|format| {
            let mut names = Vec::new();
            env_references(format, usize::MAX, |name| {
                names.push(name.to_string());
                None
            });
            names
        });
        let input = String::from_utf8_lossy(&std::mem::take(&mut self.io.stdin)).into_owned();
        let Some(out) = env_references(&input, super::MAX_OUTPUT, |name| {
            if only.as_ref().is_some_and(|o| !o.iter().any(|n| n == name)) {
                return None;
            }
            Some(self.shell.exported(name).unwrap_or_default().to_string())
        }) else {
            // Past what one RUN may write: the budget check ends the script.
            self.shell.written = super::MAX_OUTPUT + 1;
            return Some(self.fail("the output grows past the simulation's budget"));
        };
        self.io.stdout.extend_from_slice(out.as_bytes());
        Some(0)
    }

    /// `sed`: `-n`, `-e`, `-i`, `-E`/`-r`; commands `s` (flags `g`, `p`, `I`, a number),
    /// `d`, `p`, `q`, with line, `$` and `/re/` addresses and ranges, `!` to negate.
    fn sed(&mut self, args: &[String]) -> Option<i32> {
        let (mut quiet, mut in_place, mut extended) = (false, false, false);
        let mut scripts = Vec::new();
        let mut files = Vec::new();
        let mut iter = args.iter();
        while let Some(a) = iter.next() {
            match a.as_str() {
                "-n" => quiet = true,
                "-i" => in_place = true,
                "-E" | "-r" => extended = true,
                "-e" => scripts.push(iter.next()?.clone()),
                s if s.starts_with("-i") && s.len() > 2 => return None,
                s if s.starts_with('-') && s.len() > 1 => {
                    for f in s[1..].chars() {
                        match f {
                            'n' => quiet = true,
                            'i' => in_place = true,
                            'E' | 'r' => extended = true,
                            _ => return None,
                        }
                    }
                }
                _ => files.push(a.clone()),
            }
        }
        if scripts.is_empty() {
            if files.is_empty() {
                return Some(self.fail("no script"));
            }
            scripts.push(files.remove(0));
        }
        let program = parse_sed(&scripts.join("\n"), extended)?;
        if in_place {
            let mut status = 0;
            for f in &files {
                let path = self.shell.abs(f);
                let bytes = match read_file(self.shell, &path) {
                    Ok(b) => b,
                    Err(e) if e == UNKNOWN_CONTENT => {
                        // Edited, but from bytes not known here: its new bytes are not known
                        // either. The size is kept as the estimate.
                        let (size, mode) = self.shell.fs.stat(&path).map_or((0, 0o644), |e| (e.size(), e.meta.mode));
                        self.synthetic(&path, size, &format!("sed -i of {path}"), mode).ok()?;
                        self.shell.model("sed -i edits a file whose content is not known here: so is its new content (its size kept)");
                        continue;
                    }
                    Err(e) => {
                        status = self.fail(&format!("{f}: {e}"));
                        continue;
                    }
                };
                let out = run_sed(&program, &bytes, quiet)?;
                if let Some(crate::fs::Entry { node: crate::fs::Node::File { link, .. }, meta }) =
                    self.shell.fs.stat(&path)
                {
                    let canonical = self.shell.fs.resolve(&path, true).ok()?.path();
                    self.shell.written += out.len();
                    let entry = crate::fs::Entry {
                        node: crate::fs::Node::File { content: crate::fs::Content::bytes(out), link },
                        meta,
                    };
                    let _ = self.shell.fs.insert(&canonical, entry);
                }
            }
            return Some(status);
        }
        let inputs = match self.read_inputs(&files)? {
            Ok(i) => i,
            Err(s) => return Some(s),
        };
        let data: Vec<u8> = inputs.into_iter().flat_map(|(_, b)| b).collect();
        let out = run_sed(&program, &data, quiet)?;
        self.io.stdout.extend(out);
        Some(0)
    }
}

#[derive(Debug)]
enum Address {
    Line(usize),
    Last,
    Match(Regex),
}

#[derive(Debug)]
enum SedCommand {
    Substitute { re: Regex, replacement: String, global: bool, print: bool, nth: usize },
    Delete,
    Print,
    Quit,
}

#[derive(Debug)]
struct SedLine {
    from: Option<Address>,
    to: Option<Address>,
    negate: bool,
    command: SedCommand,
}

fn parse_regex_until(chars: &[char], i: &mut usize, delim: char) -> Option<String> {
    let mut out = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        if c == '\\' && *i + 1 < chars.len() {
            if chars[*i + 1] == delim {
                out.push(delim);
            } else {
                out.push('\\');
                out.push(chars[*i + 1]);
            }
            *i += 2;
            continue;
        }
        if c == delim {
            *i += 1;
            return Some(out);
        }
        out.push(c);
        *i += 1;
    }
    None
}

/// `None`: a malformed address; `Some(None)`: no address here.
#[allow(clippy::option_option)]
fn parse_address(chars: &[char], i: &mut usize, extended: bool) -> Option<Option<Address>> {
    match chars.get(*i) {
        Some(c) if c.is_ascii_digit() => {
            let start = *i;
            while chars.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            let n: usize = chars[start..*i].iter().collect::<String>().parse().ok()?;
            Some(Some(Address::Line(n)))
        }
        Some('$') => {
            *i += 1;
            Some(Some(Address::Last))
        }
        Some('/') => {
            *i += 1;
            let re = parse_regex_until(chars, i, '/')?;
            Some(Some(Address::Match(compile(&re, extended, false, Options { sed: true, ..Options::default() }).ok()?)))
        }
        _ => Some(None),
    }
}

fn parse_sed(script: &str, extended: bool) -> Option<Vec<SedLine>> {
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ';') {
            i += 1;
        }
        if i >= chars.len() {
            return Some(out);
        }
        let from = parse_address(&chars, &mut i, extended)?;
        let to = if from.is_some() && chars.get(i) == Some(&',') {
            i += 1;
            parse_address(&chars, &mut i, extended)?
        } else {
            None
        };
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
        let negate = chars.get(i) == Some(&'!');
        if negate {
            i += 1;
        }
        let command = match chars.get(i)? {
            's' => {
                let delim = *chars.get(i + 1)?;
                i += 2;
                let pattern = parse_regex_until(&chars, &mut i, delim)?;
                let replacement = parse_regex_until(&chars, &mut i, delim)?;
                let (mut global, mut print, mut icase, mut nth) = (false, false, false, 1);
                while let Some(&f) = chars.get(i) {
                    match f {
                        'g' => global = true,
                        'p' => print = true,
                        'I' | 'i' => icase = true,
                        d if d.is_ascii_digit() => nth = d.to_digit(10)? as usize,
                        _ => break,
                    }
                    i += 1;
                }
                let re = compile(&pattern, extended, false, Options { icase, sed: true, ..Options::default() }).ok()?;
                SedCommand::Substitute { re, replacement, global, print, nth }
            }
            'd' => {
                i += 1;
                SedCommand::Delete
            }
            'p' => {
                i += 1;
                SedCommand::Print
            }
            'q' => {
                i += 1;
                SedCommand::Quit
            }
            _ => return None,
        };
        out.push(SedLine { from, to, negate, command });
    }
}

/// The replacement of one match: `&` the match, `\1`-`\9` groups, `\n` a newline.
fn replacement_text(template: &str, line: &str, caps: &Captures) -> String {
    let group = |n: usize| caps.get(n).copied().flatten().map_or("", |(a, b)| &line[a..b]);
    let mut out = String::new();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str(group(0)),
            '\\' => match chars.next() {
                Some(d @ '0'..='9') => out.push_str(group(d.to_digit(10).unwrap_or(0) as usize)),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                // `\xHH`: the character of that code (`\x27`, a quote).
                Some('x') => {
                    let hex: String = chars.clone().take(2).take_while(char::is_ascii_hexdigit).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(ch) => {
                            out.push(ch);
                            for _ in 0..hex.len() {
                                chars.next();
                            }
                        }
                        None => out.push('x'),
                    }
                }
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

fn run_sed(program: &[SedLine], input: &[u8], quiet: bool) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(input);
    let ends_with_newline = text.ends_with('\n');
    let all = lines(input);
    let total = all.len();
    let mut out = String::new();
    let mut active: Vec<bool> = vec![false; program.len()];
    'lines: for (index, original) in all.iter().enumerate() {
        let n = index + 1;
        let mut line = original.clone();
        let mut deleted = false;
        let matches = |a: &Address, line: &str| match a {
            Address::Line(k) => *k == n,
            Address::Last => n == total,
            Address::Match(re) => re.is_match(line),
        };
        for (k, cmd) in program.iter().enumerate() {
            let selected = match (&cmd.from, &cmd.to) {
                (None, _) => true,
                (Some(a), None) => matches(a, &line),
                (Some(a), Some(b)) => {
                    if active[k] {
                        let end = match b {
                            Address::Line(m) => n >= *m,
                            _ => matches(b, &line),
                        };
                        if end {
                            active[k] = false;
                        }
                        true
                    } else if matches(a, &line) {
                        let ends_now = match b {
                            Address::Line(m) => *m <= n,
                            _ => false,
                        };
                        active[k] = !ends_now;
                        true
                    } else {
                        false
                    }
                }
            };
            if selected == cmd.negate {
                continue;
            }
            match &cmd.command {
                SedCommand::Delete => {
                    deleted = true;
                    break;
                }
                SedCommand::Print => {
                    out.push_str(&line);
                    out.push('\n');
                }
                SedCommand::Quit => {
                    if !quiet {
                        out.push_str(&line);
                        out.push('\n');
                    }
                    break 'lines;
                }
                SedCommand::Substitute { re, replacement, global, print, nth } => {
                    let mut result = String::new();
                    let mut last = 0;
                    let mut count = 0;
                    let mut changed = false;
                    for caps in re.all(&line) {
                        let (start, end) = caps.first().copied().flatten()?;
                        count += 1;
                        if count < *nth {
                            continue;
                        }
                        result.push_str(&line[last..start]);
                        result.push_str(&replacement_text(replacement, &line, &caps));
                        last = end;
                        changed = true;
                        if !global {
                            break;
                        }
                    }
                    if changed {
                        result.push_str(&line[last..]);
                        line = result;
                        if *print {
                            out.push_str(&line);
                            out.push('\n');
                        }
                    }
                }
            }
        }
        if !deleted && !quiet {
            out.push_str(&line);
            if n < total || ends_with_newline {
                out.push('\n');
            }
        }
    }
    Some(out.into_bytes())
}

/// Standard base64 (RFC 4648, with padding).
mod base64_engine {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(super) fn encode(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
        for chunk in data.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for k in 0..4 {
                if k <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub(super) fn decode(text: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut acc = 0u32;
        let mut bits = 0;
        for &c in text {
            if c == b'=' {
                break;
            }
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push(((acc >> bits) & 0xff) as u8);
            }
        }
        Some(out)
    }
}

impl Env<'_> {
    pub(crate) fn archive_tool(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        match applet {
            "tar" => self.tar(args),
            "gunzip" | "zcat" => self.gunzip(args, applet == "zcat"),
            "gzip" if args.iter().any(|a| a == "-d" || a == "-dc" || a == "-cd") => {
                self.gunzip(args, args.iter().any(|a| a.contains('c')))
            }
            "uname" => {
                let text = match args.first().map(String::as_str) {
                    None | Some("-s") => "Linux",
                    Some("-m" | "-p") => "x86_64",
                    Some("-o") => "GNU/Linux",
                    _ => return None,
                };
                self.io.stdout.extend_from_slice(format!("{text}\n").as_bytes());
                Some(0)
            }
            "expr" => self.expr(args),
            "awk" | "gawk" | "mawk" => self.awk_without_input(args),
            _ => None,
        }
    }

    /// awk is not interpreted here, but a program of pattern-action rules alone (no `BEGIN`,
    /// no `END`) over an empty standard input prints nothing and succeeds, whatever its
    /// rules (a pipeline that found nothing upstream).
    fn awk_without_input(&mut self, args: &[String]) -> Option<i32> {
        let mut i = 0;
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-F" | "-v" => i += 2,
                s if (s.starts_with("-F") || s.starts_with("-v")) && s.len() > 2 => i += 1,
                _ => break,
            }
        }
        let [program] = &args[i.min(args.len())..] else { return None };
        let empty = self.io.stdin.is_empty() && self.io.unknown_in.is_none();
        (empty && !program.contains("BEGIN") && !program.contains("END")).then_some(0)
    }

    /// `tar -x` (`-f FILE|-`, `-C DIR`, gzip/bzip2/xz by content): the archive's files, owned
    /// as in the archive when root runs it.
    fn tar(&mut self, args: &[String]) -> Option<i32> {
        // The first word may be bundled letters without a dash (`tar xzf file`).
        let mut words: Vec<String> = super::utils::spelled_short(args, super::utils::TAR_VALUED);
        if let Some(first) = words.first_mut()
            && !first.starts_with('-')
        {
            *first = format!("-{first}");
        }
        let (mut extract, mut create) = (false, false);
        let mut file: Option<String> = None;
        let mut dir: Option<String> = None;
        // Options that change which files come out, and how: only with a known archive.
        let mut shaped = false;
        let mut members: Vec<String> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let w = words[i].clone();
            if let Some(long) = w.strip_prefix("--") {
                match long.split_once('=') {
                    Some(("directory", d)) => dir = Some(d.to_string()),
                    Some(("file", f)) => file = Some(f.to_string()),
                    Some(("strip-components" | "exclude" | "transform" | "owner" | "group" | "mode", _)) => {
                        shaped = true;
                    }
                    None if matches!(long, "extract" | "get") => extract = true,
                    None if long == "create" => create = true,
                    None if matches!(
                        long,
                        "no-same-owner"
                            | "no-same-permissions"
                            | "gzip"
                            | "gunzip"
                            | "xz"
                            | "bzip2"
                            | "verbose"
                            | "overwrite"
                            | "keep-old-files"
                            | "warning=no-unknown-keyword"
                            | "numeric-owner"
                    ) => {}
                    None if matches!(long, "wildcards" | "anchored" | "same-owner" | "preserve-permissions") => {
                        shaped = true;
                    }
                    _ => return None,
                }
            } else if let Some(flags) = w.strip_prefix('-').filter(|f| !f.is_empty()) {
                for c in flags.chars() {
                    match c {
                        'x' => extract = true,
                        'c' => create = true,
                        'f' => {
                            i += 1;
                            file = Some(words.get(i)?.clone());
                        }
                        'C' => {
                            i += 1;
                            dir = Some(words.get(i)?.clone());
                        }
                        'z' | 'j' | 'J' | 'v' | 'o' | 'p' | 'a' => {}
                        _ => return None,
                    }
                }
            } else {
                members.push(w);
            }
            i += 1;
        }
        if create {
            return self.tar_create(file.as_deref(), dir.as_deref(), &members);
        }
        if !extract {
            return None;
        }
        let bytes = match file.as_deref() {
            None | Some("-") => std::mem::take(&mut self.io.stdin),
            Some(f) => match read_file(self.shell, &self.shell.abs(f)) {
                Ok(b) => b,
                // A download: what it holds is not known; the step goes on over partly
                // unknown files.
                Err(e) if e == UNKNOWN_CONTENT => {
                    self.shell.model("tar extracts an archive whose content is not known here: its files are unknown");
                    self.shell.partial = true;
                    return Some(0);
                }
                Err(e) => return Some(self.fail(&format!("can't open '{f}': {e}"))),
            },
        };
        if shaped || !members.is_empty() {
            return None;
        }
        let dest = self.shell.abs(dir.as_deref().unwrap_or("."));
        let dest = crate::dockerignore::clean(&dest);
        if self.shell.fs.stat(&dest).is_none_or(|e| !e.is_dir()) {
            return Some(self.fail(&format!("can't change directory to '{dest}': No such file or directory")));
        }
        let chown = (self.shell.uid != 0).then_some((self.shell.uid, self.shell.gid));
        match crate::fs::archive::unpack(&bytes, &mut self.shell.fs, &dest, chown) {
            Ok(_) => Some(0),
            Err(e) => Some(self.fail(&e)),
        }
    }

    /// `tar -c -f FILE [-C DIR] PATH...`: an archive of the paths, its bytes not computed
    /// (they carry the build's times): its size is that of a tar of those files.
    fn tar_create(&mut self, file: Option<&str>, dir: Option<&str>, members: &[String]) -> Option<i32> {
        let file = file.filter(|f| *f != "-")?;
        let base = self.shell.abs(dir.unwrap_or("."));
        let mut size = 1024_u64;
        for m in members {
            let path = if m.starts_with('/') { m.clone() } else { format!("{}/{m}", base.trim_end_matches('/')) };
            let walked = self.shell.fs.walk(&path);
            if walked.is_empty() {
                return Some(self.fail(&format!("{m}: Cannot stat: No such file or directory")));
            }
            for (_, entry) in walked {
                size += 512 + entry.size().div_ceil(512) * 512;
            }
        }
        let size = size.div_ceil(10240) * 10240;
        let out = self.shell.abs(file);
        self.synthetic(&out, size, &format!("tar of {}", members.join(" ")), 0o644).ok()?;
        self.shell.model("tar creates an archive carrying the build's times: its size is estimated from the files");
        Some(0)
    }

    fn gunzip(&mut self, args: &[String], to_stdout: bool) -> Option<i32> {
        let files: Vec<String> = args.iter().filter(|a| !a.starts_with('-')).cloned().collect();
        let inputs: Vec<(Option<String>, Vec<u8>)> = if files.is_empty() {
            vec![(None, std::mem::take(&mut self.io.stdin))]
        } else {
            let mut v = Vec::new();
            for f in &files {
                match read_file(self.shell, &self.shell.abs(f)) {
                    Ok(b) => v.push((Some(f.clone()), b)),
                    Err(e) if e == UNKNOWN_CONTENT => return None,
                    Err(e) => return Some(self.fail(&format!("can't open '{f}': {e}"))),
                }
            }
            v
        };
        for (name, bytes) in inputs {
            let out = match crate::fs::gzip::decode(&bytes, super::MAX_OUTPUT) {
                Ok(out) => out,
                Err(crate::fs::gzip::Error::Header) => return Some(self.fail("invalid magic")),
                Err(crate::fs::gzip::Error::TooLarge) => {
                    // Past what one RUN may write: the budget check ends the script.
                    self.shell.written = super::MAX_OUTPUT + 1;
                    return Some(self.fail("the data expands past the simulation's output budget"));
                }
                Err(crate::fs::gzip::Error::Checksum) => return Some(self.fail("crc error")),
                Err(_) => return Some(self.fail("corrupted data")),
            };
            match name {
                Some(n) if !to_stdout => {
                    let Some(stripped) = n.strip_suffix(".gz").or_else(|| n.strip_suffix(".tgz")) else {
                        return Some(self.fail(&format!("{n}: unknown suffix")));
                    };
                    let target =
                        if n.len() > stripped.len() + 3 { format!("{stripped}.tar") } else { stripped.to_string() };
                    let src = self.shell.abs(&n);
                    let meta = self.shell.fs.stat(&src).map_or(super::new_meta(self.shell, false), |e| e.meta);
                    self.shell.written += out.len();
                    self.shell
                        .fs
                        .insert(&self.shell.abs(&target), crate::fs::Entry::file(crate::fs::Content::bytes(out), meta))
                        .ok()?;
                    let _ = self.shell.fs.remove(&src);
                }
                _ => self.io.stdout.extend(out),
            }
        }
        Some(0)
    }

    /// `expr`: integer arithmetic, comparisons, `:` (an anchored BRE match), `length`.
    fn expr(&mut self, args: &[String]) -> Option<i32> {
        let value = match args {
            [left, op, right] => {
                let (lhs, rhs) = (left.parse::<i64>().ok(), right.parse::<i64>().ok());
                match (op.as_str(), lhs, rhs) {
                    ("+", Some(l), Some(r)) => l.checked_add(r)?.to_string(),
                    ("-", Some(l), Some(r)) => l.checked_sub(r)?.to_string(),
                    ("*", Some(l), Some(r)) => l.checked_mul(r)?.to_string(),
                    ("/", Some(l), Some(r)) => l.checked_div(r)?.to_string(),
                    ("%", Some(l), Some(r)) => l.checked_rem(r)?.to_string(),
                    ("=" | "==", ..) => i32::from(left == right).to_string(),
                    ("!=", ..) => i32::from(left != right).to_string(),
                    ("<" | "<=" | ">" | ">=", Some(l), Some(r)) => i32::from(match op.as_str() {
                        "<" => l < r,
                        "<=" => l <= r,
                        ">" => l > r,
                        _ => l >= r,
                    })
                    .to_string(),
                    (":", ..) => {
                        let anchored = Options { anchored: true, ..Options::default() };
                        let re = Regex::new(right, Flavor::Basic, anchored).ok()?;
                        let found = re.captures_at(left, 0);
                        let part = |n: usize| found.as_ref().and_then(|c| c.get(n).copied().flatten());
                        if re.groups() > 0 {
                            part(1).map_or_else(String::new, |(a, b)| left[a..b].to_string())
                        } else {
                            part(0).map_or(0, |(a, b)| left[a..b].chars().count()).to_string()
                        }
                    }
                    _ => return None,
                }
            }
            [len, text] if len == "length" => text.chars().count().to_string(),
            [only] => only.clone(),
            _ => return None,
        };
        let status = i32::from(value.is_empty() || value == "0");
        self.io.stdout.extend_from_slice(format!("{value}\n").as_bytes());
        Some(status)
    }
}
