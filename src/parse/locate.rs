//! Where things are in an article: byte offsets met in increasing order turned
//! into lines and columns in one pass over the text.
//!
//! Takes the article's text and offsets; gives [`Position`]s. Each byte is
//! read a bounded number of times whatever the offsets are, so 20,000 links on
//! one 300 KB line cost one pass over that line, not one per link. Never keeps
//! a copy of a line.

use crate::error::Position;

/// [`Position::of`] for offsets met in increasing order. An offset before
/// the last one is located from the start (events come in document order,
/// so that is rare).
pub(crate) struct LineCursor<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
    line_start: usize,
    /// The column of `offset`.
    col: usize,
    /// The end of the current line, once looked for.
    line_end: Option<usize>,
    /// Bytes read so far, for the tests that bound the work.
    pub(crate) scanned: usize,
}

impl<'t> LineCursor<'t> {
    pub fn new(text: &'t str) -> Self {
        LineCursor {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
            col: 1,
            line_end: None,
            scanned: 0,
        }
    }

    pub(crate) fn position(&mut self, offset: usize) -> Position {
        let text = self.text;
        if offset < self.offset || offset > text.len() || !text.is_char_boundary(offset) {
            self.scanned += offset.min(text.len());
            return Position::of(text, offset);
        }
        let passed = &text[self.offset..offset];
        self.scanned += passed.len();
        match passed.rfind('\n') {
            Some(last) => {
                self.line += passed.bytes().filter(|&b| b == b'\n').count();
                self.line_start = self.offset + last + 1;
                self.col = text[self.line_start..offset].chars().count() + 1;
                self.line_end = None;
            }
            None => self.col += passed.chars().count(),
        }
        self.offset = offset;
        let line_end = match self.line_end {
            Some(end) => end,
            None => {
                let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
                self.scanned += end - offset;
                self.line_end = Some(end);
                end
            }
        };
        Position {
            line: self.line,
            col: self.col,
            line_start: self.line_start,
            line_end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_cursor_agrees_with_position() {
        let text = "ab\nçd\n\nef gh\nlast";
        let mut cursor = LineCursor::new(text);
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for &at in offsets.iter().chain([3, 0, text.len()].iter()) {
            assert_eq!(cursor.position(at), Position::of(text, at), "{at}");
        }
    }

    #[test]
    fn many_offsets_on_one_long_line_read_it_about_once() {
        let line = "<https://a.b/> ".repeat(20_000);
        let text = format!("head\n{line}\ntail\n");
        let mut cursor = LineCursor::new(&text);
        for (at, _) in text.match_indices('<') {
            let pos = cursor.position(at);
            assert_eq!(pos.line, 2);
        }
        assert!(
            cursor.scanned <= 2 * text.len(),
            "read {} bytes of a {}-byte text",
            cursor.scanned,
            text.len()
        );
    }
}
