//! Regular expressions: POSIX basic and extended (as GNU sed, grep and expr read them, in the C
//! locale), and the subset of Go's RE2 that BuildKit's shell patterns and `.dockerignore`
//! translate to.
//!
//! POSIX matching is leftmost-longest: of the matches starting leftmost, the longest, with
//! the groups of the first way (in the order the alternatives and repetitions are written)
//! that reaches it. Go's is leftmost-first: the first way that matches, lazy repetitions
//! (`*?`) included. Back-references (`\1`) are POSIX's.
//!
//! A backtracking machine runs a compiled program. Each (instruction, position) state is
//! explored once per search, so a search costs at most the program's length times the text's
//! (a pattern with back-references cannot be memoised, and has a step budget instead).
//! Written for this crate: it replaced a general regex crate the browser build could not
//! afford, and which has neither POSIX's longest match nor back-references.

/// How the pattern is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flavor {
    /// POSIX BRE, with GNU's `\+`, `\?`, `\|`.
    Basic,
    /// POSIX ERE.
    Extended,
    /// Go's RE2 syntax, as far as BuildKit's translations use it (leftmost-first, `*?`).
    Go,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Look {
    Bol,
    Eol,
    Word,
    NotWord,
    WordStart,
    WordEnd,
    /// Not after a word character (`grep -w` at the start of a match).
    NoWordBefore,
    /// Not before a word character (`grep -w` at its end).
    NoWordAfter,
}

#[derive(Clone, Debug)]
enum Node {
    Empty,
    Char(char),
    /// Any character (`false`: but a newline, Go's `.`).
    Any(bool),
    Class(usize),
    Look(Look),
    Group(Box<Node>, usize),
    Cat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
    Backref(usize),
}

#[derive(Clone, Copy, Debug)]
enum Inst {
    Char(char),
    /// Any character (`false`: but a newline, Go's `.`).
    Any(bool),
    Class(usize),
    Look(Look),
    /// Try the first target, then the second.
    Split(usize, usize),
    Jump(usize),
    Save(usize),
    /// Where an unbounded repetition's pass began (its loop register).
    Mark(usize),
    /// Back to the repetition's top; a pass that matched nothing fails (it would loop on
    /// the spot).
    LoopBack(usize, usize),
    Backref(usize),
    Match,
}

/// A bracket expression: ranges and named classes, maybe negated.
#[derive(Clone, Debug, Default)]
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
    /// Named classes (`[:alpha:]`), as the functions that test them.
    named: Vec<fn(char) -> bool>,
}

impl Class {
    fn has(&self, c: char, icase: bool) -> bool {
        let test = |c: char| self.ranges.iter().any(|&(a, b)| a <= c && c <= b) || self.named.iter().any(|f| f(c));
        let found = test(c) || (icase && (test(c.to_ascii_lowercase()) || test(c.to_ascii_uppercase())));
        found != self.negated
    }
}

fn named_class(name: &str) -> Option<fn(char) -> bool> {
    Some(match name {
        "alpha" => |c: char| c.is_ascii_alphabetic(),
        "digit" => |c: char| c.is_ascii_digit(),
        "alnum" => |c: char| c.is_ascii_alphanumeric(),
        "upper" => |c: char| c.is_ascii_uppercase(),
        "lower" => |c: char| c.is_ascii_lowercase(),
        "space" => |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'),
        "blank" => |c: char| matches!(c, ' ' | '\t'),
        "punct" => |c: char| c.is_ascii_punctuation(),
        "print" => |c: char| matches!(c, ' '..='~'),
        "graph" => |c: char| c.is_ascii_graphic(),
        "cntrl" => |c: char| c.is_ascii_control(),
        "xdigit" => |c: char| c.is_ascii_hexdigit(),
        "word" => is_word,
        _ => return None,
    })
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The largest program a pattern may compile to (`x{255}{255}` would be 65,025 copies).
const MAX_PROGRAM: usize = 20_000;
/// The steps a search may take when it cannot be memoised (back-references).
const MAX_STEPS: u64 = 20_000_000;
/// glibc's `RE_DUP_MAX` (a larger count is refused; the program's size bounds the rest).
const DUP_MAX: u32 = 32_767;
/// The letters GNU sed reads as escapes (with `\\`), besides the regex operators.
const SED_ESCAPES: &str = "ntrfvaxodc";

/// How deeply groups may nest, and how many repetitions may follow one atom: the parse tree
/// and the compiler recurse over them, inside the browser's 1 MiB stack.
const MAX_DEPTH: usize = 50;
const MAX_STACKED: usize = 8;

struct Parser<'a> {
    chars: Vec<char>,
    i: usize,
    flavor: Flavor,
    groups: usize,
    classes: &'a mut Vec<Class>,
    backrefs: bool,
    /// The groups whose `)` has been read: a back-reference may name only those.
    closed: Vec<usize>,
    /// Whether sed's escapes (`\\t`, `\\n`) apply, in brackets too.
    sed: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek2(&self) -> Option<char> {
        self.chars.get(self.i + 1).copied()
    }

    /// `\X` ahead (BRE's operators are escaped).
    fn escaped(&self, c: char) -> bool {
        self.peek() == Some('\\') && self.peek2() == Some(c)
    }

    fn at_alt(&self) -> bool {
        match self.flavor {
            Flavor::Basic => self.escaped('|'),
            _ => self.peek() == Some('|'),
        }
    }

    fn at_close(&self) -> bool {
        match self.flavor {
            Flavor::Basic => self.escaped(')'),
            _ => self.peek() == Some(')'),
        }
    }

    fn alternation(&mut self, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err("groups nested too deeply".into());
        }
        let mut branches = vec![self.branch(depth)?];
        while self.at_alt() {
            self.i += if self.flavor == Flavor::Basic { 2 } else { 1 };
            branches.push(self.branch(depth)?);
        }
        Ok(if branches.len() == 1 { branches.pop().unwrap_or(Node::Empty) } else { Node::Alt(branches) })
    }

    fn branch(&mut self, depth: usize) -> Result<Node, String> {
        let mut items = Vec::new();
        let start = self.i;
        while self.peek().is_some() && !self.at_alt() && !self.at_close() {
            // BRE: first in the branch, or just after its leading `^`.
            let first = self.i == start || (self.i == start + 1 && self.chars[start] == '^');
            let atom = self.atom(depth, first)?;
            // BRE: a `*` after the leading `^` is a literal, not a repetition of the anchor.
            if matches!(atom, Node::Look(Look::Bol)) && self.flavor == Flavor::Basic {
                items.push(atom);
                continue;
            }
            items.push(self.quantified(atom)?);
        }
        Ok(if items.len() == 1 { items.pop().unwrap_or(Node::Empty) } else { Node::Cat(items) })
    }

    fn atom(&mut self, depth: usize, first: bool) -> Result<Node, String> {
        let c = self.peek().unwrap_or_default();
        self.i += 1;
        let basic = self.flavor == Flavor::Basic;
        Ok(match c {
            '.' => Node::Any(self.flavor != Flavor::Go),
            '[' => self.bracket()?,
            // BRE: `^` is an anchor only first, `*` is literal first.
            '^' if !basic || first => Node::Look(Look::Bol),
            '$' if !basic || self.peek().is_none() || self.at_close() || self.at_alt() => Node::Look(Look::Eol),
            '*' if first => Node::Char('*'),
            '(' if !basic => self.group(depth)?,
            '*' | '+' | '?' if !basic => return Err(format!("repetition-operator operand invalid: {c}")),
            '{' if !basic && first => Node::Char('{'),
            '\\' => {
                let Some(e) = self.peek() else { return Err("trailing backslash".into()) };
                self.i += 1;
                match e {
                    '(' if basic => self.group(depth)?,
                    '{' if basic && first => Node::Char('{'),
                    '1'..='9' if self.flavor != Flavor::Go => {
                        let n = e as usize - '0' as usize;
                        if !self.closed.contains(&n) {
                            return Err("invalid back reference".into());
                        }
                        self.backrefs = true;
                        Node::Backref(n)
                    }
                    'n' | 't' if self.flavor == Flavor::Go => Node::Char(if e == 'n' { '\n' } else { '\t' }),
                    e if self.sed && SED_ESCAPES.contains(e) => Node::Char(self.sed_escape(e)),
                    'w' | 'W' | 's' | 'S' => self.perl_class(e),
                    'd' | 'D' if self.flavor == Flavor::Go => self.perl_class(e),
                    'b' => Node::Look(Look::Word),
                    'B' => Node::Look(Look::NotWord),
                    '<' => Node::Look(Look::WordStart),
                    '>' => Node::Look(Look::WordEnd),
                    '`' => Node::Look(Look::Bol),
                    '\'' => Node::Look(Look::Eol),
                    other => Node::Char(other),
                }
            }
            other => Node::Char(other),
        })
    }

    /// A sed escape's character, after `\\` and `e` (GNU sed's: `\\t`, `\\n`, `\\r`, `\\f`,
    /// `\\v`, `\\a`, `\\xHH`, `\\oNNN`, `\\dNNN`, `\\cX`); digits it takes are consumed.
    fn sed_escape(&mut self, e: char) -> char {
        let (radix, most) = match e {
            'x' => (16, 2),
            'o' => (8, 3),
            'd' => (10, 3),
            'c' => {
                let c = self.peek().unwrap_or('@');
                self.i += 1;
                return char::from((c.to_ascii_uppercase() as u8) ^ 0x40);
            }
            other => {
                return match other {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'f' => '\x0c',
                    'v' => '\x0b',
                    _ => '\x07',
                };
            }
        };
        let mut value = 0u32;
        let mut taken = 0;
        while taken < most
            && let Some(d) = self.peek().and_then(|c| c.to_digit(radix))
        {
            value = value * radix + d;
            self.i += 1;
            taken += 1;
        }
        if taken == 0 { e } else { char::from_u32(value.min(255)).unwrap_or(e) }
    }

    /// `\\w`, `\\s`, `\\d` and their negations.
    fn perl_class(&mut self, e: char) -> Node {
        let named = match e.to_ascii_lowercase() {
            'w' => is_word as fn(char) -> bool,
            's' => |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'),
            _ => |c: char| c.is_ascii_digit(),
        };
        self.classes.push(Class { negated: e.is_ascii_uppercase(), ranges: Vec::new(), named: vec![named] });
        Node::Class(self.classes.len() - 1)
    }

    fn group(&mut self, depth: usize) -> Result<Node, String> {
        self.groups += 1;
        let index = self.groups;
        let inner = self.alternation(depth + 1)?;
        if !self.at_close() {
            return Err("unmatched ( or \\(".into());
        }
        self.i += if self.flavor == Flavor::Basic { 2 } else { 1 };
        self.closed.push(index);
        Ok(Node::Group(Box::new(inner), index))
    }

    /// The repetitions after an atom.
    fn quantified(&mut self, mut node: Node) -> Result<Node, String> {
        for stacked in 0.. {
            // `a{1}{1}{1}...`: each is a level of the tree, bounded like the groups' nesting.
            if stacked > MAX_STACKED {
                return Err("regular expression too big".into());
            }
            let basic = self.flavor == Flavor::Basic;
            let (min, max) = match self.peek() {
                Some('*') => {
                    self.i += 1;
                    (0, None)
                }
                Some('+') if !basic => {
                    self.i += 1;
                    (1, None)
                }
                Some('?') if !basic => {
                    self.i += 1;
                    (0, Some(1))
                }
                Some('\\') if basic && matches!(self.peek2(), Some('+' | '?')) => {
                    self.i += 2;
                    if self.chars[self.i - 1] == '+' { (1, None) } else { (0, Some(1)) }
                }
                Some('{') if !basic => match self.interval(self.i + 1)? {
                    Some(bounds) => bounds,
                    // GNU ERE: a `{` that starts no interval is literal.
                    None => return Ok(node),
                },
                Some('\\') if basic && self.peek2() == Some('{') => {
                    self.interval(self.i + 2)?.ok_or("invalid content of \\{\\}")?
                }
                _ => return Ok(node),
            };
            let greedy = !(self.flavor == Flavor::Go && self.peek() == Some('?') && {
                self.i += 1;
                true
            });
            node = Node::Repeat { node: Box::new(node), min, max, greedy };
        }
        Ok(node)
    }

    /// `{m}`, `{m,}`, `{m,n}`, `{,n}` from `from` (after the brace); moves past it.
    fn interval(&mut self, from: usize) -> Result<Option<(u32, Option<u32>)>, String> {
        let basic = self.flavor == Flavor::Basic;
        let invalid = || Err("invalid content of \\{\\}".to_string());
        // The body: digits and one comma, up to the closing brace (`\\}` in a BRE).
        let mut end = from;
        while self.chars.get(end).is_some_and(|c| c.is_ascii_digit() || *c == ',') {
            end += 1;
        }
        let closes = if basic {
            self.chars.get(end) == Some(&'\\') && self.chars.get(end + 1) == Some(&'}')
        } else {
            self.chars.get(end) == Some(&'}')
        };
        let body: String = self.chars.get(from..end).unwrap_or_default().iter().collect();
        if !closes || body.is_empty() || body.matches(',').count() > 1 {
            // GNU ERE: a `{` that starts no interval is literal.
            return if basic { invalid() } else { Ok(None) };
        }
        let number = |s: &str| -> Option<Option<u32>> {
            if s.is_empty() { Some(None) } else { s.parse().ok().filter(|n| *n <= DUP_MAX).map(Some) }
        };
        let bounds = match body.split_once(',') {
            None => number(&body).and_then(|n| n.map(|n| (n, Some(n)))),
            Some((a, b)) => number(a).zip(number(b)).map(|(a, b)| (a.unwrap_or(0), b)),
        };
        match bounds {
            Some((min, max)) if max.is_none_or(|m| m >= min) => {
                self.i = end + if basic { 2 } else { 1 };
                Ok(Some((min, max)))
            }
            _ => invalid(),
        }
    }

    /// A bracket expression, after its `[`.
    fn bracket(&mut self) -> Result<Node, String> {
        let mut class = Class::default();
        if self.peek() == Some('^') {
            class.negated = true;
            self.i += 1;
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else { return Err("unmatched [".into()) };
            self.i += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = match c {
                '[' if matches!(self.peek(), Some(':' | '=' | '.')) => {
                    let kind = self.peek().unwrap_or(':');
                    let start = self.i + 1;
                    let Some(len) = self.chars[start..].windows(2).position(|w| w[0] == kind && w[1] == ']') else {
                        return Err("unmatched [".into());
                    };
                    let name: String = self.chars[start..start + len].iter().collect();
                    let name = name.as_str();
                    self.i = start + len + 2;
                    if kind == ':' {
                        class.named.push(named_class(name).ok_or_else(|| format!("invalid character class {name}"))?);
                        continue;
                    }
                    name.chars().next().unwrap_or(' ')
                }
                // GNU sed reads its escapes (`\\t`, `\\n`, `\\x27`) in a bracket too, and `\\\\` as
                // one backslash.
                '\\' if self.sed && self.peek().is_some_and(|e| e == '\\' || SED_ESCAPES.contains(e)) => {
                    let e = self.peek().unwrap_or('\\');
                    self.i += 1;
                    if e == '\\' { e } else { self.sed_escape(e) }
                }
                '\\' if self.flavor == Flavor::Go => {
                    let Some(e) = self.peek() else { return Err("unmatched [".into()) };
                    self.i += 1;
                    e
                }
                other => other,
            };
            if self.peek() == Some('-') && self.peek2().is_some_and(|n| n != ']') {
                self.i += 1;
                let mut high = self.peek().unwrap_or(low);
                self.i += 1;
                if high == '\\' && self.flavor == Flavor::Go {
                    high = self.peek().unwrap_or(high);
                    self.i += 1;
                }
                if high < low {
                    return Err("invalid range end".into());
                }
                class.ranges.push((low, high));
            } else {
                class.ranges.push((low, low));
            }
        }
        self.classes.push(class);
        Ok(Node::Class(self.classes.len() - 1))
    }
}

/// A compiled regular expression.
#[derive(Clone, Debug)]
pub(crate) struct Regex {
    program: Vec<Inst>,
    classes: Vec<Class>,
    groups: usize,
    longest: bool,
    backrefs: bool,
    options: Options,
    /// The loop registers (one per unbounded repetition).
    loops: usize,
}

/// How a pattern is matched besides its text: the tools' own independent switches.
#[derive(Clone, Copy, Default, Debug)]
#[allow(clippy::struct_excessive_bools)]
pub(crate) struct Options {
    pub icase: bool,
    /// `grep -w`: no word character just before or after the match.
    pub words: bool,
    /// `grep -x`: the whole line.
    pub line: bool,
    /// Only at the search's start.
    pub anchored: bool,
    /// sed's escapes: `\\t` and `\\n` are a tab and a newline, in a bracket too (GNU sed).
    pub sed: bool,
}

impl Regex {
    pub(crate) fn new(pattern: &str, flavor: Flavor, options: Options) -> Result<Self, String> {
        let mut classes = Vec::new();
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            i: 0,
            flavor,
            groups: 0,
            classes: &mut classes,
            backrefs: false,
            closed: Vec::new(),
            sed: options.sed,
        };
        let node = parser.alternation(0)?;
        if parser.i < parser.chars.len() {
            return Err("unmatched ) or \\)".into());
        }
        let (groups, backrefs) = (parser.groups, parser.backrefs);
        let (program, loops) = program(node, options)?;
        Ok(Self { program, classes, groups, longest: flavor != Flavor::Go, backrefs, options, loops })
    }

    /// A fixed string (`grep -F`).
    pub(crate) fn literal(text: &str, options: Options) -> Result<Self, String> {
        let node = Node::Cat(text.chars().map(Node::Char).collect());
        let (program, loops) = program(node, options)?;
        Ok(Self { program, classes: Vec::new(), groups: 0, longest: true, backrefs: false, options, loops })
    }

    /// Successive searches over `text` (cheaper than one `find_at` each).
    pub(crate) fn matcher<'t>(&'t self, text: &'t str) -> Matcher<'t> {
        Matcher::new(self, text)
    }

    /// The number of groups.
    pub(crate) fn groups(&self) -> usize {
        self.groups
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        Matcher::new(self, text).at(0).is_some()
    }

    /// The first match at or after `start`: its bounds.
    pub(crate) fn find_at(&self, text: &str, start: usize) -> Option<(usize, usize)> {
        Matcher::new(self, text).at(start).map(|m| m[0].unwrap_or_default())
    }

    /// The first match at or after `start`: the bounds of the match (0) and of each group.
    pub(crate) fn captures_at(&self, text: &str, start: usize) -> Option<Captures> {
        Matcher::new(self, text).at(start)
    }

    /// Every match, left to right, as `sed s///g` and `grep -o` take them: after an empty
    /// match the next search starts a character later, and an empty match where the last one
    /// ended does not count.
    pub(crate) fn all(&self, text: &str) -> Vec<Captures> {
        let mut matcher = Matcher::new(self, text);
        let mut out = Vec::new();
        let (mut at, mut last_end) = (0, None);
        while at <= text.len() {
            let Some(m) = matcher.at(at) else { break };
            let (start, end) = m[0].unwrap_or_default();
            at = if end > start { end } else { end + text[end..].chars().next().map_or(1, char::len_utf8) };
            // An empty match just where the last one ended is not one (`sed 's/b*/x/g'` on
            // `abc` gives `xaxcx`).
            if end > start || last_end != Some(start) {
                out.push(m);
            }
            last_end = Some(end);
        }
        out
    }
}

/// The bounds of a match (0) and of each group (`None`: the group took no part).
pub(crate) type Captures = Vec<Option<(usize, usize)>>;

/// The program of a whole pattern: the match is group 0, wrapped as the options say.
fn program(mut node: Node, options: Options) -> Result<(Vec<Inst>, usize), String> {
    if options.words {
        node = Node::Cat(vec![Node::Look(Look::NoWordBefore), node, Node::Look(Look::NoWordAfter)]);
    }
    if options.line {
        node = Node::Cat(vec![Node::Look(Look::Bol), node, Node::Look(Look::Eol)]);
    }
    let mut out = vec![Inst::Save(0)];
    let mut loops = 0;
    compile(&node, &mut out, &mut loops)?;
    out.extend([Inst::Save(1), Inst::Match]);
    Ok((out, loops))
}

fn compile(node: &Node, out: &mut Vec<Inst>, loops: &mut usize) -> Result<(), String> {
    if out.len() > MAX_PROGRAM {
        return Err("regular expression too big".into());
    }
    match node {
        Node::Empty => {}
        Node::Char(c) => out.push(Inst::Char(*c)),
        Node::Any(newline) => out.push(Inst::Any(*newline)),
        Node::Class(i) => out.push(Inst::Class(*i)),
        Node::Look(l) => out.push(Inst::Look(*l)),
        Node::Backref(n) => out.push(Inst::Backref(*n)),
        Node::Group(inner, n) => {
            out.push(Inst::Save(2 * n));
            compile(inner, out, loops)?;
            out.push(Inst::Save(2 * n + 1));
        }
        Node::Cat(items) => {
            for item in items {
                compile(item, out, loops)?;
            }
        }
        Node::Alt(branches) => {
            let mut jumps = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                if i + 1 < branches.len() {
                    let split = out.len();
                    out.push(Inst::Split(split + 1, 0));
                    compile(branch, out, loops)?;
                    jumps.push(out.len());
                    out.push(Inst::Jump(0));
                    let next = out.len();
                    out[split] = Inst::Split(split + 1, next);
                } else {
                    compile(branch, out, loops)?;
                }
            }
            let end = out.len();
            for j in jumps {
                out[j] = Inst::Jump(end);
            }
        }
        Node::Repeat { node, min, max, greedy } => {
            // What compiles to nothing (`a{0}`) repeats to nothing, at once.
            let before = out.len();
            compile(node, out, loops)?;
            if out.len() == before {
                return Ok(());
            }
            out.truncate(before);
            for _ in 0..*min {
                compile(node, out, loops)?;
            }
            let split =
                |body: usize, exit: usize| if *greedy { Inst::Split(body, exit) } else { Inst::Split(exit, body) };
            match max {
                None => {
                    // `x*` as `(x x*)?`: the first pass may match nothing; a later one that
                    // matches nothing fails (it would loop on the spot), so captures come from
                    // the passes that matched something, as GNU's do.
                    let optional = (*min == 0).then(|| {
                        out.push(Inst::Split(0, 0));
                        out.len() - 1
                    });
                    if optional.is_some() {
                        compile(node, out, loops)?;
                    }
                    let mark = *loops;
                    *loops += 1;
                    let top = out.len();
                    out.push(Inst::Split(0, 0));
                    out.push(Inst::Mark(mark));
                    compile(node, out, loops)?;
                    out.push(Inst::LoopBack(mark, top));
                    let exit = out.len();
                    out[top] = split(top + 1, exit);
                    if let Some(first) = optional {
                        out[first] = split(first + 1, exit);
                    }
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(out.len());
                        out.push(Inst::Split(0, 0));
                        compile(node, out, loops)?;
                    }
                    let exit = out.len();
                    for s in splits {
                        out[s] = split(s + 1, exit);
                    }
                }
            }
        }
    }
    if out.len() > MAX_PROGRAM { Err("regular expression too big".into()) } else { Ok(()) }
}

/// Searches over one text: which (instruction, position) states were explored, kept between
/// successive searches (`Regex::matcher`).
pub(crate) struct Matcher<'a> {
    re: &'a Regex,
    text: &'a str,
    /// One bit per state, position-major; `None` when the pattern has back-references or
    /// the text is too long to keep one.
    seen: Option<Vec<u64>>,
    /// The lowest and highest positions the last search reached (what to clear before the next).
    low: usize,
    reached: usize,
    steps: u64,
}

enum Frame {
    Try(usize, usize),
    Restore(usize, Option<usize>),
}

impl<'a> Matcher<'a> {
    fn new(re: &'a Regex, text: &'a str) -> Self {
        let states = re.program.len().saturating_mul(text.len() + 1);
        let seen = (!re.backrefs && states <= 1 << 26).then(|| vec![0u64; states.div_ceil(64)]);
        Self { re, text, seen, low: 0, reached: 0, steps: 0 }
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos..).and_then(|t| t.chars().next())
    }

    fn char_before(&self, pos: usize) -> Option<char> {
        self.text.get(..pos).and_then(|t| t.chars().next_back())
    }

    fn look(&self, look: Look, pos: usize) -> bool {
        let before = self.char_before(pos).is_some_and(is_word);
        let after = self.char_at(pos).is_some_and(is_word);
        match look {
            Look::Bol => pos == 0,
            Look::Eol => pos == self.text.len(),
            Look::Word => before != after,
            Look::NotWord => before == after,
            Look::WordStart => !before && after,
            Look::WordEnd => before && !after,
            Look::NoWordBefore => !before,
            Look::NoWordAfter => !after,
        }
    }

    /// The first match at or after `start`: its bounds.
    pub(crate) fn find(&mut self, start: usize) -> Option<(usize, usize)> {
        self.at(start).and_then(|m| m.first().copied().flatten())
    }

    /// The first match at or after `start`.
    fn at(&mut self, start: usize) -> Option<Captures> {
        // Forget what the last search explored from `start` on.
        if let Some(seen) = &mut self.seen {
            let width = self.re.program.len();
            let from = start.min(self.low) * width / 64;
            let to = ((self.reached + 1) * width).div_ceil(64).min(seen.len());
            for word in seen.get_mut(from..to).unwrap_or_default() {
                *word = 0;
            }
            (self.low, self.reached) = (start, start);
        }
        let mut pos = start;
        loop {
            if !self.text.is_char_boundary(pos) {
                pos += 1;
                continue;
            }
            if let Some(found) = self.from(pos) {
                return Some(found);
            }
            if self.re.options.anchored || pos >= self.text.len() || (self.steps > MAX_STEPS && self.seen.is_none()) {
                return None;
            }
            pos += 1;
        }
    }

    /// The match starting at `start`, if there is one.
    fn from(&mut self, start: usize) -> Option<Captures> {
        let re = self.re;
        let marks = 2 * (re.groups + 1);
        let mut slots: Vec<Option<usize>> = vec![None; marks + re.loops];
        let mut best: Option<(usize, Vec<Option<usize>>)> = None;
        let mut stack = vec![Frame::Try(0, start)];
        while let Some(frame) = stack.pop() {
            let (mut pc, mut pos) = match frame {
                Frame::Restore(slot, old) => {
                    slots[slot] = old;
                    continue;
                }
                Frame::Try(pc, pos) => (pc, pos),
            };
            loop {
                // Without a memo (back-references), a budget of steps bounds the search.
                self.steps += 1;
                if self.steps > MAX_STEPS && self.seen.is_none() {
                    return None;
                }
                if let Some(seen) = &mut self.seen {
                    let bit = pos * re.program.len() + pc;
                    if seen[bit / 64] & (1 << (bit % 64)) != 0 {
                        break;
                    }
                    seen[bit / 64] |= 1 << (bit % 64);
                    self.reached = self.reached.max(pos);
                }
                match re.program[pc] {
                    Inst::Char(want) => match self.char_at(pos) {
                        Some(c) if c == want || (re.options.icase && c.eq_ignore_ascii_case(&want)) => {
                            pos += c.len_utf8();
                            pc += 1;
                        }
                        _ => break,
                    },
                    Inst::Any(newline) => match self.char_at(pos) {
                        Some(c) if newline || c != '\n' => {
                            pos += c.len_utf8();
                            pc += 1;
                        }
                        _ => break,
                    },
                    Inst::Class(i) => match self.char_at(pos) {
                        Some(c) if re.classes[i].has(c, re.options.icase) => {
                            pos += c.len_utf8();
                            pc += 1;
                        }
                        _ => break,
                    },
                    Inst::Look(look) => {
                        if !self.look(look, pos) {
                            break;
                        }
                        pc += 1;
                    }
                    Inst::Split(first, second) => {
                        stack.push(Frame::Try(second, pos));
                        pc = first;
                    }
                    Inst::Jump(to) => pc = to,
                    Inst::Save(slot) => {
                        stack.push(Frame::Restore(slot, slots[slot]));
                        slots[slot] = Some(pos);
                        pc += 1;
                    }
                    Inst::Mark(k) => {
                        stack.push(Frame::Restore(marks + k, slots[marks + k]));
                        slots[marks + k] = Some(pos);
                        pc += 1;
                    }
                    Inst::LoopBack(k, top) => {
                        if slots[marks + k] == Some(pos) {
                            break;
                        }
                        pc = top;
                    }
                    Inst::Backref(n) => {
                        let Some((Some(a), Some(b))) =
                            slots.get(2 * n).zip(slots.get(2 * n + 1)).map(|(a, b)| (*a, *b))
                        else {
                            break;
                        };
                        let group = &self.text[a..b];
                        let here = &self.text[pos..];
                        let same = here.len() >= group.len()
                            && (here.as_bytes()[..group.len()] == *group.as_bytes()
                                || (re.options.icase
                                    && here.as_bytes()[..group.len()].eq_ignore_ascii_case(group.as_bytes())));
                        if !same {
                            break;
                        }
                        pos += group.len();
                        pc += 1;
                    }
                    Inst::Match => {
                        if !re.longest {
                            return Some(pairs(&slots, re.groups));
                        }
                        if best.as_ref().is_none_or(|(end, _)| pos > *end) {
                            best = Some((pos, slots.clone()));
                        }
                        break;
                    }
                }
            }
        }
        best.map(|(_, slots)| pairs(&slots, re.groups))
    }
}

fn pairs(slots: &[Option<usize>], groups: usize) -> Captures {
    slots[..2 * (groups + 1)].chunks(2).map(|p| p[0].zip(p[1])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posix(pattern: &str, extended: bool) -> Regex {
        Regex::new(pattern, if extended { Flavor::Extended } else { Flavor::Basic }, Options::default()).unwrap()
    }

    fn found<'t>(re: &Regex, text: &'t str) -> Option<&'t str> {
        re.find_at(text, 0).map(|(a, b)| &text[a..b])
    }

    #[test]
    fn posix_matches_are_leftmost_longest() {
        // GNU sed: `echo abcd | sed -E 's/a|ab/X/'` prints Xcd; a leftmost-first engine, Xbcd.
        assert_eq!(found(&posix("a|ab", true), "abcd"), Some("ab"));
        assert_eq!(found(&posix("\\(a\\|ab\\)\\(c\\|bcd\\)", false), "abcd"), Some("abcd"));
        assert_eq!(found(&posix("x*", true), "aaa"), Some(""));
        assert_eq!(found(&posix("[0-9]\\+", false), "ab 123 4"), Some("123"));
        // Go's leftmost-first, with lazy repetition.
        let go = |p: &str| Regex::new(p, Flavor::Go, Options::default()).unwrap();
        assert_eq!(found(&go("a|ab"), "abcd"), Some("a"));
        assert_eq!(found(&go("^.*?/"), "a/b/c"), Some("a/"));
        assert_eq!(found(&go("^.*/"), "a/b/c"), Some("a/b/"));
    }

    #[test]
    fn basic_and_extended_syntax() {
        // (pattern, ERE?, text, the match)
        let cases = [
            // BRE: the bare operators are literal, `*` first is literal, `^` only first.
            ("a+(b)", false, "xa+(b)", "a+(b)"),
            ("*a", false, "x*a", "*a"),
            ("a^b", false, "a^b", "a^b"),
            ("a\\{2,3\\}", false, "aaaa", "aaa"),
            ("a{,2}b", true, "aaab", "aab"),
            // ERE: a `{` that starts no interval is literal (GNU).
            ("a{x", true, "a{x", "a{x"),
            // Back-references, in BRE and (GNU) ERE.
            ("\\(ab*\\)-\\1", false, "abb-ab abb-abb", "abb-abb"),
            ("(.)\\1", true, "abccd", "cc"),
            // Bracket expressions: `]` first, ranges, classes, negation; backslash is literal.
            ("[]a]*", true, "]a]b", "]a]"),
            ("[[:digit:]][[:alpha:]_-]*", true, "x 1a_b-c!", "1a_b-c"),
            ("[^[:space:]]*", true, "abc def", "abc"),
            ("[\\n]", true, "a\\b", "\\"),
            // Word boundaries and GNU's \< \>.
            ("\\<is\\>", false, "this is", "is"),
        ];
        for (pattern, extended, text, want) in cases {
            assert_eq!(found(&posix(pattern, extended), text), Some(want), "{pattern} on {text}");
        }
        assert_eq!(posix("\\bis\\b", false).find_at("this is", 0), Some((5, 7)));
        // Errors are errors, not panics.
        let basic = [
            "a\\",
            "\\(ab",
            "[ab",
            "a\\{1",
            "[b-a]",
            "\\(a\\)\\2",
            "[[:nope:]]",
            "a\\{1,x\\}",
            "\\(\\(a\\|b\\2\\)x\\)*",
        ];
        let extended = ["(ab", "x{3}{40000}", "x{300}{300}", "a{3,1}", "a)", "((a|b\\2)x)*"];
        for (bad, flavor) in
            basic.iter().map(|b| (b, Flavor::Basic)).chain(extended.iter().map(|b| (b, Flavor::Extended)))
        {
            assert!(Regex::new(bad, flavor, Options::default()).is_err(), "{bad}");
        }
    }

    #[test]
    fn groups_options_and_every_match() {
        let re = posix("\\([a-z]*\\)=\\([0-9]*\\)", false);
        let caps = re.captures_at("k=1 key=22", 0).unwrap();
        assert_eq!(caps, vec![Some((0, 3)), Some((0, 1)), Some((2, 3))]);
        let all: Vec<(usize, usize)> = re.all("k=1 key=22").iter().map(|c| c[0].unwrap()).collect();
        assert_eq!(all, vec![(0, 3), (4, 10)]);
        // An empty match moves on a character: `echo abc | sed 's/x*/-/g'` prints -a-b-c-.
        assert_eq!(posix("x*", false).all("abc").len(), 4);
        let b: Vec<(usize, usize)> = posix("b*", false).all("abc").iter().map(|c| c[0].unwrap()).collect();
        assert_eq!(b, vec![(0, 0), (1, 2), (3, 3)]);
        // grep -w, -x, -i.
        let words = Regex::new("ab", Flavor::Basic, Options { words: true, ..Options::default() }).unwrap();
        assert!(!words.is_match("abc xab") && words.is_match("abc ab."));
        let line = Regex::literal("a.b", Options { line: true, icase: true, ..Options::default() }).unwrap();
        assert!(line.is_match("A.B") && !line.is_match("a.bc") && !line.is_match("axb"));
        // A group that took no part.
        assert_eq!(posix("a\\(x\\)*b", false).captures_at("ab", 0).unwrap()[1], None);
    }

    #[test]
    fn searches_stay_bounded() {
        // Nested repetition over a long text that does not match: every state once.
        let text = "a".repeat(5000);
        assert!(!posix("\\(a*\\)*b", false).is_match(&text));
        assert!(!posix("(a|aa)*c", true).is_match(&text));
        // With a back-reference there is no memo; a repetition of what matches empty does not
        // loop on the spot, so this ends at once.
        assert!(!posix("\\(a*\\)*\\1b", false).is_match(&text[..200]));
        // Hostile patterns are refused quickly, without deep recursion: stacked repetitions,
        // deep groups, a long run of intervals.
        for hostile in [
            format!("a{}", "{1}".repeat(10)),
            "(".repeat(60) + "a" + &")".repeat(60),
            format!("a{}", "{1}".repeat(20_000)),
        ] {
            assert!(Regex::new(&hostile, Flavor::Extended, Options::default()).is_err());
        }
        // grep's `\\t` is a `t`; sed's is a tab.
        assert!(posix("a\\tb", false).is_match("atb"));
        let sed = Regex::new("[\\t]", Flavor::Basic, Options { sed: true, ..Options::default() }).unwrap();
        assert!(sed.is_match("\t") && !sed.is_match("t"));
    }
}
