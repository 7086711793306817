//! Byte spans into the original Dockerfile text, and the line index that turns them into
//! lines and columns (bytes, chars or UTF-16 code units) at the edges.

use serde::Serialize;

/// A half-open byte range `[start, end)` into the text that was parsed.
///
/// Spans are `u32` (as in oxc and ruff): a Dockerfile larger than 4 GiB is not a use case,
/// and [`Span::new`] saturates rather than wraps if one ever comes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// Builds a span from `usize` offsets, saturating at `u32::MAX`.
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        Self { start, end }
    }

    /// An empty span at `offset`.
    #[must_use]
    pub fn empty(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    #[must_use]
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    #[must_use]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span that covers both.
    #[must_use]
    pub fn cover(self, other: Self) -> Self {
        Self { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    #[must_use]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The text this span covers, or `""` when it does not fall on char boundaries of `text`.
    #[must_use]
    pub fn slice(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or("")
    }

    /// `[start, end]` as serialised in every JSON schema.
    #[must_use]
    pub fn pair(self) -> [u32; 2] {
        [self.start, self.end]
    }
}

/// A 1-based line and column. Columns count in the unit the caller asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// How columns are counted: bytes, Unicode scalar values, or UTF-16 code units (for JS editors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    Byte,
    Char,
    Utf16,
}

/// Start offsets of every line of a text, for turning byte offsets into lines and columns.
///
/// Only `\n` ends a line, as in BuildKit's scanner; a `\r` before it belongs to the line.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
    /// Every [`CHECKPOINT`] bytes, the first char boundary at or after it, with the chars and
    /// UTF-16 units between its line's start and it; columns on a long line then cost
    /// O(`CHECKPOINT`), not O(line length).
    checkpoints: Vec<Checkpoint>,
}

const CHECKPOINT: usize = 256;

#[derive(Clone, Copy, Debug)]
struct Checkpoint {
    at: u32,
    chars: u32,
    utf16: u32,
}

impl LineIndex {
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT + 1);
        let (mut chars, mut utf16) = (0u32, 0u32);
        let mut next = 0;
        for (i, c) in text.char_indices() {
            if i >= next {
                checkpoints.push(Checkpoint { at: u32::try_from(i).unwrap_or(u32::MAX), chars, utf16 });
                next = (checkpoints.len()) * CHECKPOINT;
            }
            if c == '\n' {
                (chars, utf16) = (0, 0);
            } else {
                chars += 1;
                utf16 += u32::try_from(c.len_utf16()).unwrap_or(2);
            }
        }
        Self { starts, len: u32::try_from(text.len()).unwrap_or(u32::MAX), checkpoints }
    }

    /// Number of lines; a final line without a newline counts, an empty last line after `\n` too.
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line that holds `offset`.
    #[must_use]
    pub fn line_of(&self, offset: u32) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte range of 0-based line `line`, without its line ending.
    #[must_use]
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.starts.get(line).copied().unwrap_or(self.len) as usize;
        let mut end = self.starts.get(line + 1).map_or(self.len as usize, |&s| s as usize);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// 1-based line and column of `offset`, counting the column in `unit`.
    #[must_use]
    pub fn line_col(&self, text: &str, offset: u32, unit: ColumnUnit) -> LineCol {
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        let mut offset = (offset.min(self.len) as usize).max(start);
        while offset > start && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // Count from the nearest checkpoint on the same line, or from the line's start.
        let (from, base_chars, base_utf16) = match self.checkpoints.get(offset / CHECKPOINT) {
            Some(cp) if cp.at as usize >= start && cp.at as usize <= offset => {
                (cp.at as usize, cp.chars as usize, cp.utf16 as usize)
            }
            _ => (start, 0, 0),
        };
        let prefix = text.get(from..offset).unwrap_or("");
        let column = match unit {
            ColumnUnit::Byte => offset - start,
            ColumnUnit::Char => base_chars + prefix.chars().count(),
            ColumnUnit::Utf16 => base_utf16 + prefix.chars().map(char::len_utf16).sum::<usize>(),
        };
        LineCol {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_units() {
        let text = "FROM a\r\nRUN é😀x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(index.line_col(text, x, ColumnUnit::Byte), LineCol { line: 2, column: 11 });
        assert_eq!(index.line_col(text, x, ColumnUnit::Char), LineCol { line: 2, column: 7 });
        assert_eq!(index.line_col(text, x, ColumnUnit::Utf16), LineCol { line: 2, column: 8 });
        assert_eq!(index.line_span(text, 0).slice(text), "FROM a");
        assert_eq!(index.line_count(), 3);
    }

    #[test]
    fn checkpoints_give_the_same_columns() {
        let line = "aé😀\t".repeat(300);
        let text = format!("x\n{line}\n{line}");
        let index = LineIndex::new(&text);
        for offset in (0..text.len()).filter(|&o| text.is_char_boundary(o)).step_by(7) {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let prefix = &text[line_start..offset];
            let want = prefix.chars().map(char::len_utf16).sum::<usize>() + 1;
            assert_eq!(index.line_col(&text, offset as u32, ColumnUnit::Utf16).column as usize, want, "at {offset}");
            assert_eq!(
                index.line_col(&text, offset as u32, ColumnUnit::Char).column as usize,
                prefix.chars().count() + 1
            );
        }
    }

    #[test]
    fn span_new_saturates_and_orders() {
        assert_eq!(Span::new(5, 2), Span { start: 5, end: 5 });
        assert_eq!(Span::new(1, 3).cover(Span::new(2, 9)), Span::new(1, 9));
    }
}
