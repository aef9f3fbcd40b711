//! Where each help service of `safety:` -> `resources:` is written in
//! `mend.yaml`, for errors that point at the one they are about.
//!
//! Takes the file's text; gives the offset of each resource's first key,
//! and errors located there. serde reads the list without positions, so
//! this finds the items by their indentation. Never validates a value.

use crate::error::Diagnostic;
use crate::yaml::Block;

/// Where resource `i` is written, for locating the errors about it.
pub(super) struct ItemAt<'b> {
    pub(super) block: &'b Block<'b>,
    /// [`resource_items`] of the block.
    pub(super) items: &'b [usize],
    pub(super) i: usize,
}

impl ItemAt<'_> {
    /// An error at the item, or at `resources:` when the item is not found.
    pub(super) fn error(&self, message: String) -> Diagnostic {
        match self.items.get(self.i) {
            Some(&offset) => self.block.error_at(offset, 1, message),
            None => self.block.error_at_key("resources", message),
        }
    }

    /// An error at a value as written inside this item, or at the item itself.
    pub(super) fn error_at_value(&self, value: &str, message: String) -> Diagnostic {
        let text = self.block.text;
        let start = self.items.get(self.i).copied().unwrap_or(text.len());
        let end = self.items.get(self.i + 1).copied().unwrap_or(text.len());
        match text[start..end].find(value) {
            Some(found) => self.block.error_at(start + found, value.len(), message),
            None => self.error(message),
        }
    }
}

/// Offsets (in `text`, all of `mend.yaml`) of the first key of each block
/// list item under `safety:` -> `resources:`, for locating errors about one
/// resource. Empty for flow lists (errors then point at `resources:`).
pub(super) fn resource_items(text: &str) -> Vec<usize> {
    let mut items = Vec::new();
    let mut offset = 0;
    let mut in_safety = false;
    let mut list_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let blank = trimmed.trim().is_empty() || trimmed.starts_with('#');
        if !blank && indent == 0 {
            in_safety = trimmed.starts_with("safety:");
            list_indent = None;
        } else if in_safety && !blank {
            match list_indent {
                Some(at) if indent < at || (indent == at && !trimmed.starts_with('-')) => {
                    list_indent = None;
                }
                _ => {}
            }
            if let Some(at) = list_indent {
                if indent == at
                    && let Some(rest) = trimmed.strip_prefix('-')
                {
                    items.push(offset + indent + 1 + (rest.len() - rest.trim_start().len()));
                }
            } else if let Some(rest) = trimmed.strip_prefix("resources:")
                && rest.trim().is_empty()
            {
                // Items may sit at the key's indentation or deeper: take the first.
                list_indent =
                    Some(next_item_indent(&text[offset + line.len()..]).unwrap_or(indent));
            }
        }
        offset += line.len();
    }
    items
}

/// The indentation of the first non-blank line of `rest`.
fn next_item_indent(rest: &str) -> Option<usize> {
    rest.lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_resource_item_at_either_indentation() {
        let text = "title: T\nsafety:\n  resources:\n    - name: A\n      phone: 1\n    -   name: B\n  note: x\nthemes: {}\n";
        let items = resource_items(text);
        let at: Vec<&str> = items.iter().map(|&i| &text[i..i + 7]).collect();
        assert_eq!(at, ["name: A", "name: B"]);
        let text = "safety:\n  resources:\n  - name: A\n  - url: x\n";
        let items = resource_items(text);
        assert_eq!(items.len(), 2);
        assert_eq!(&text[items[1]..items[1] + 3], "url");
    }
}
