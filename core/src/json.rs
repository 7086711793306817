//! A small JSON reader for the data the core is handed: the catalog's index, its file
//! listings, and the catalog files `stagecraft image snapshot` writes.
//!
//! Why not `serde_json` with derived `Deserialize`: each derived type compiles its own visitor
//! and `serde_json` its generic deserializer, and serde's error type formats floats with the
//! standard library's float printer; together some 50 KB of the browser's `.wasm` (a budget of
//! 400 KiB gzipped) for files that hold strings, small integers, arrays and objects. The core
//! still writes JSON with `serde_json`.
//!
//! RFC 8259, strictly: one value with optional whitespace around it, no trailing commas, no
//! comments, strings without raw control characters. Numbers keep their text. Nesting is
//! bounded, so a hostile file cannot exhaust the stack.

use std::fmt;

/// A parsed JSON value. Objects keep their members in order; a repeated key keeps both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text, as written (`-1.5e3`).
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON: what, and where (a byte offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

/// How deep arrays and objects may nest.
const MAX_DEPTH: usize = 128;

/// Parses one JSON value.
///
/// # Errors
/// The first thing that is not JSON, with its offset.
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut reader = Reader { text, bytes: text.as_bytes(), at: 0 };
    let value = reader.value(0)?;
    reader.space();
    if reader.at < reader.bytes.len() {
        return Err(reader.error("trailing characters"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> Error {
        Error { message: message.to_string(), offset: self.at }
    }

    fn space(&mut self) {
        while self.bytes.get(self.at).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.space();
        let Some(&first) = self.bytes.get(self.at) else { return Err(self.error("unexpected end of input")) };
        match first {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if self.eat(b'}') {
                    return Ok(Value::Object(members));
                }
                loop {
                    self.space();
                    if self.bytes.get(self.at) != Some(&b'"') {
                        return Err(self.error("expected a string key"));
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return Err(self.error("expected `:`"));
                    }
                    members.push((key, self.value(depth + 1)?));
                    if self.eat(b'}') {
                        return Ok(Value::Object(members));
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected `,` or `}`"));
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Ok(Value::Array(items));
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected `,` or `]`"));
                    }
                }
            }
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            _ => {
                for (word, value) in [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)]
                {
                    if self.bytes[self.at..].starts_with(word.as_bytes()) {
                        self.at += word.len();
                        return Ok(value);
                    }
                }
                Err(self.error("expected a value"))
            }
        }
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while r.bytes.get(r.at).is_some_and(u8::is_ascii_digit) {
                r.at += 1;
            }
            r.at - from
        };
        if self.bytes[self.at] == b'-' {
            self.at += 1;
        }
        let invalid = Error { message: "invalid number".into(), offset: start };
        let int_start = self.at;
        let int = digits(self);
        if int == 0 || int > 1 && self.bytes[int_start] == b'0' {
            return Err(invalid);
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(invalid);
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(invalid);
            }
        }
        Ok(Value::Number(self.text[start..self.at].to_string()))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let text = self.bytes.get(self.at..self.at + 4).ok_or_else(|| self.error("a short \\u escape"))?;
        let mut value = 0;
        for &b in text {
            let digit = char::from(b).to_digit(16).ok_or_else(|| self.error("a bad \\u escape"))?;
            value = value * 16 + digit;
        }
        self.at += 4;
        Ok(value)
    }

    /// A string; `self.at` is on its opening quote.
    fn string(&mut self) -> Result<String, Error> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while self.bytes.get(self.at).is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            // The run starts and stops at ASCII bytes, so it is whole characters of the &str.
            out.push_str(&self.text[start..self.at]);
            match self.bytes.get(self.at) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let Some(&escape) = self.bytes.get(self.at) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.at += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let unit = self.hex4()?;
                            let pair = (0xd800..0xdc00).contains(&unit) && self.bytes[self.at..].starts_with(b"\\u");
                            let code = if pair {
                                let save = self.at;
                                self.at += 2;
                                let low = self.hex4()?;
                                if (0xdc00..0xe000).contains(&low) {
                                    0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                                } else {
                                    self.at = save;
                                    unit
                                }
                            } else {
                                unit
                            };
                            // A lone surrogate becomes U+FFFD, as Go's decoder makes it.
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => {
                            self.at -= 1;
                            return Err(self.error("an invalid escape"));
                        }
                    };
                    out.push(c);
                }
                Some(_) => return Err(self.error("a control character in a string")),
            }
        }
    }
}

impl Value {
    /// A non-negative integer written without fraction or exponent.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        if let Value::Number(n) = self { n.parse().ok() } else { None }
    }

    /// What kind of value this is, for messages.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Typed reading of an object's members, with messages that name the field. It owns the
/// members and hands each value out by moving it, so reading a listing of thousands of
/// lines copies no string twice.
#[derive(Debug)]
pub struct Fields {
    members: Vec<(String, Value)>,
}

impl Fields {
    /// The members of `value`, which must be an object.
    ///
    /// # Errors
    /// When it is not an object.
    pub fn of(value: Value) -> Result<Self, String> {
        match value {
            Value::Object(members) => Ok(Self { members }),
            other => Err(format!("expected an object, found {}", other.kind())),
        }
    }

    /// Takes a member out (the first with that key not yet taken); absent or `null` both as
    /// `None`.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        let (_, value) = self.members.iter_mut().find(|(k, v)| k == key && *v != Value::Null)?;
        Some(std::mem::replace(value, Value::Null))
    }

    fn wrong(key: &str, want: &str, found: &Value) -> String {
        format!("`{key}`: expected {want}, found {}", found.kind())
    }

    /// A string member; `None` when absent or null.
    ///
    /// # Errors
    /// When present and not a string.
    pub fn opt_str(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Self::wrong(key, "a string", &other)),
        }
    }

    /// A string member that must be there.
    ///
    /// # Errors
    /// When absent or not a string.
    pub fn str(&mut self, key: &str) -> Result<String, String> {
        self.opt_str(key)?.ok_or_else(|| format!("missing `{key}`"))
    }

    /// An integer member; `None` when absent or null.
    ///
    /// # Errors
    /// When present and not a non-negative integer.
    pub fn opt_u64(&mut self, key: &str) -> Result<Option<u64>, String> {
        self.take(key).map(|v| v.as_u64().ok_or_else(|| Self::wrong(key, "a non-negative integer", &v))).transpose()
    }

    /// An array member; `None` when absent or null.
    ///
    /// # Errors
    /// When present and not an array.
    pub fn opt_array(&mut self, key: &str) -> Result<Option<Vec<Value>>, String> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(Self::wrong(key, "an array", &other)),
        }
    }

    /// An array of strings; `None` when absent or null.
    ///
    /// # Errors
    /// When present and not an array of strings.
    pub fn opt_strings(&mut self, key: &str) -> Result<Option<Vec<String>>, String> {
        let Some(items) = self.opt_array(key)? else { return Ok(None) };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(Self::wrong(key, "an array of strings", &other)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_string())
    }

    fn member<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
        let Value::Object(members) = object else { return None };
        members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    #[test]
    fn reads_every_kind_of_value() {
        let v =
            parse(r#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "c": {}} "#)
                .expect("JSON");
        assert_eq!(
            member(&v, "a"),
            Some(&Value::Array(vec![
                Value::Number("1".into()),
                Value::Number("-2.5e3".into()),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null
            ]))
        );
        assert_eq!(member(&v, "b"), Some(&s("x\"\\/\u{8}\u{c}\n\r\té😀")));
        assert_eq!(member(&v, "c"), Some(&Value::Object(vec![])));
        assert_eq!(parse("\"\\ud800x\"").expect("lone surrogate"), s("\u{fffd}x"));
        assert_eq!(parse("[]").expect("empty"), Value::Array(vec![]));
        assert_eq!(parse("0").expect("zero").as_u64(), Some(0));
    }

    #[test]
    fn refuses_what_is_not_json_with_an_offset() {
        for (text, offset) in [
            ("", 0),
            ("[1,]", 3),
            ("{\"a\" 1}", 5),
            ("{a: 1}", 1),
            ("[1 2]", 3),
            ("01", 0),
            ("1.", 0),
            ("-", 0),
            ("1e", 0),
            ("\"a\nb\"", 2),
            ("\"\\x\"", 2),
            ("\"abc", 4),
            ("nul", 0),
            ("[1] x", 4),
            ("\"\\u12\"", 3),
        ] {
            let e = parse(text).expect_err(text);
            assert_eq!(e.offset, offset, "{text:?}: {e}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep).expect_err("deep").message, "nested too deeply");
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn fields_name_what_is_wrong() {
        let v = parse(r#"{"name": "x", "n": 3, "tags": ["a", 1], "none": null, "name": "second", "s": "t"}"#)
            .expect("JSON");
        let mut f = Fields::of(v).expect("object");
        assert_eq!(f.str("name").as_deref(), Ok("x"));
        assert_eq!(f.opt_u64("n"), Ok(Some(3)));
        assert_eq!(f.opt_str("none"), Ok(None));
        assert_eq!(f.str("missing"), Err("missing `missing`".to_string()));
        assert_eq!(f.opt_strings("tags"), Err("`tags`: expected an array of strings, found a number".to_string()));
        assert_eq!(f.opt_u64("s"), Err("`s`: expected a non-negative integer, found a string".to_string()));
        assert!(Fields::of(Value::Null).is_err());
        // A member is handed out once: taking it again finds the next one with that key, if any.
        assert_eq!(f.take("n"), None);
        assert_eq!(f.opt_str("name"), Ok(Some("second".to_string())));
        assert_eq!(f.opt_str("name"), Ok(None));
    }
}
