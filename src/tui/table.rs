//! Columns of text laid out in terminal cells: natural widths capped, one flexible column
//! taking what is left, less important columns dropped when the pane is narrow.

use super::fmt;

pub struct Column {
    pub title: String,
    /// Widest the column grows.
    pub cap: usize,
    pub right: bool,
    /// Takes the width left over.
    pub flex: bool,
    /// Lower is more important; the least important go first when space runs out.
    pub priority: u8,
}

impl Column {
    pub fn new(title: &str, cap: usize, priority: u8) -> Column {
        Column {
            title: title.to_string(),
            cap,
            right: false,
            flex: false,
            priority,
        }
    }

    pub fn right(mut self) -> Column {
        self.right = true;
        self
    }

    pub fn flex(mut self) -> Column {
        self.flex = true;
        self
    }
}

/// The columns kept, each with its width, in their order.
pub fn layout(cols: &[Column], rows: &[Vec<String>], width: usize) -> Vec<(usize, usize)> {
    let natural: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|s| crate::text::width(s))
                .max()
                .unwrap_or(0);
            widest.max(crate::text::width(&c.title)).min(c.cap)
        })
        .collect();
    let mut kept: Vec<usize> = (0..cols.len()).collect();
    loop {
        let gaps = kept.len().saturating_sub(1);
        let fixed: usize = kept.iter().filter(|i| !cols[**i].flex).map(|i| natural[*i]).sum();
        let flex_min = kept.iter().filter(|i| cols[**i].flex).count() * 6;
        if fixed + gaps + flex_min <= width || kept.len() <= 1 {
            let left = width.saturating_sub(fixed + gaps);
            // Flexible columns, in order, each take up to their natural width, leaving at least
            // 6 cells to each one after them; the last takes what remains.
            let mut remaining = left;
            let mut flex_after = kept.iter().filter(|i| cols[**i].flex).count();
            let widths: Vec<(usize, usize)> = kept
                .iter()
                .map(|i| {
                    if !cols[*i].flex {
                        return (*i, natural[*i]);
                    }
                    flex_after -= 1;
                    let room = remaining.saturating_sub(6 * flex_after);
                    let w = if flex_after == 0 {
                        room.min(natural[*i].max(6))
                    } else {
                        room.min(natural[*i])
                    };
                    remaining = remaining.saturating_sub(w);
                    (*i, w)
                })
                .collect();
            return widths;
        }
        // Drop the least important column.
        let Some(pos) = kept
            .iter()
            .enumerate()
            .max_by_key(|(_, i)| cols[**i].priority)
            .map(|(p, _)| p)
        else {
            return Vec::new();
        };
        kept.remove(pos);
    }
}

/// One row as text, its cells padded or cut to the layout.
pub fn line(cells: &[String], cols: &[Column], layout: &[(usize, usize)]) -> String {
    layout
        .iter()
        .map(|(i, w)| {
            let cell = cells.get(*i).map(String::as_str).unwrap_or("");
            if cols[*i].right {
                fmt::right(cell, *w)
            } else {
                fmt::left(cell, *w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The header row.
pub fn header(cols: &[Column], layout: &[(usize, usize)]) -> String {
    let titles: Vec<String> = cols.iter().map(|c| c.title.clone()).collect();
    line(&titles, cols, layout)
}
