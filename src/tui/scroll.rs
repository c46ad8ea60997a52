//! Moving a cursor in a list and keeping it on screen, and scrolling a pane of lines: one rule
//! for the tree, the records table, the find list, the pickers, the history view, the help and
//! the overview and coverage panes.

/// The selection moved by `delta` within a list of `len` items (0 when the list is empty).
pub fn moved(selected: usize, delta: isize, len: usize) -> usize {
    let last = len.saturating_sub(1) as isize;
    (selected as isize + delta).clamp(0, last) as usize
}

/// The first row to show so that row `selected` is among the `height` rows shown, moving the
/// current `offset` as little as possible.
pub fn offset_showing(selected: usize, offset: usize, height: usize) -> usize {
    let height = height.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}

/// The furthest a pane of `len` lines, `height` shown, scrolls: its last page fills the pane.
pub fn last_offset(len: usize, height: usize) -> usize {
    len.saturating_sub(height)
}

/// A pane's first line moved by `delta` lines, not before the first line (the pane bounds the
/// end with `last_offset` when it knows its lines and height).
pub fn scrolled(offset: usize, delta: isize) -> usize {
    offset.saturating_add_signed(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_stays_in_the_list_and_on_screen() {
        assert_eq!(moved(0, -1, 5), 0);
        assert_eq!(moved(3, 10, 5), 4);
        assert_eq!(moved(0, 1, 0), 0);
        assert_eq!(offset_showing(2, 5, 10), 2);
        assert_eq!(offset_showing(20, 5, 10), 11);
        assert_eq!(offset_showing(7, 5, 10), 5);
        assert_eq!(offset_showing(3, 0, 0), 3);
        assert_eq!(last_offset(30, 10), 20);
        assert_eq!(last_offset(5, 10), 0);
        assert_eq!(scrolled(3, -5), 0);
        assert_eq!(scrolled(3, 4), 7);
        assert_eq!(scrolled(3, isize::MAX / 2).min(last_offset(30, 10)), 20);
    }
}
