//! A logical line: physical lines joined across continuations, with a map from every byte of
//! the joined text back to the source, so that tokens found in the joined text get source spans.

use crate::text::Span;

#[derive(Clone, Debug, Default)]
pub(crate) struct LogicalLine {
    pub(crate) text: String,
    /// `(logical_start, source_start)` of each contiguous piece, in order.
    pieces: Vec<(usize, usize)>,
    /// Where an empty line maps to.
    anchor: usize,
}

impl LogicalLine {
    /// A new line that reuses `buffer` (cleared) for its piece map.
    pub(crate) fn reusing(anchor: usize, mut buffer: Vec<(usize, usize)>) -> Self {
        buffer.clear();
        Self { text: String::new(), pieces: buffer, anchor }
    }

    /// Gives the piece map's buffer back for the next line.
    pub(crate) fn into_buffer(self) -> Vec<(usize, usize)> {
        self.pieces
    }

    /// Appends `source[start..end]`.
    pub(crate) fn push(&mut self, source: &str, start: usize, end: usize) {
        if start >= end {
            return;
        }
        self.pieces.push((self.text.len(), start));
        self.text.push_str(&source[start..end]);
    }

    /// The source offset of logical byte `offset` (`offset == len` maps past the last byte).
    pub(crate) fn source_offset(&self, offset: usize) -> usize {
        if self.pieces.is_empty() {
            return self.anchor;
        }
        let i = match self.pieces.binary_search_by(|&(l, _)| l.cmp(&offset)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let (l, s) = self.pieces[i];
        s + offset.saturating_sub(l)
    }

    /// The source span of logical range `[start, end)`: from the first byte to just after the
    /// last one, so a token split by a continuation covers the lines in between.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.source_offset(start.min(self.text.len()));
            return Span::empty(at);
        }
        Span::new(self.source_offset(start), self.source_offset(end - 1) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_across_pieces() {
        let src = "RUN a \\\n  b";
        let mut line = LogicalLine::reusing(0, Vec::new());
        line.push(src, 0, 6);
        line.push(src, 8, 11);
        assert_eq!(line.text, "RUN a   b");
        assert_eq!(line.span(4, 9).slice(src), "a \\\n  b");
        assert_eq!(line.span(8, 9).slice(src), "b");
        assert_eq!(line.span(9, 9), Span::empty(11));
    }
}
