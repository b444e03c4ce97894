//! Plain-text tables and number formats for terminal output.

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Left.
    Left,
    /// Right.
    Right,
}

/// A table printed with aligned columns.
#[derive(Clone, Debug)]
pub struct TextTable {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    align: Vec<Align>,
    rules: Vec<usize>,
}

impl TextTable {
    /// A table with these column titles; columns are right-aligned by default.
    pub fn new(head: &[&str]) -> TextTable {
        TextTable {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            align: vec![Align::Right; head.len()],
            rules: Vec::new(),
        }
    }

    /// Sets a column's alignment.
    pub fn align(&mut self, column: usize, align: Align) {
        if let Some(a) = self.align.get_mut(column) {
            *a = align;
        }
    }

    /// Adds a row (missing cells are blank, extra cells are dropped).
    pub fn row(&mut self, mut cells: Vec<String>) {
        cells.resize(self.head.len(), String::new());
        self.rows.push(cells);
    }

    /// Draws a rule before the next row.
    pub fn rule(&mut self) {
        self.rules.push(self.rows.len());
    }

    /// The table as text, one line per row, with a rule under the titles.
    pub fn render(&self) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.head.iter().map(|h| width(h)).collect();
        for r in &self.rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(width(c));
            }
        }
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    s.push_str("  ");
                }
                let pad = w.saturating_sub(width(c));
                match self.align.get(i).copied().unwrap_or(Align::Right) {
                    Align::Left => {
                        s.push_str(c);
                        s.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(c);
                    }
                }
            }
            s.trim_end().to_string() + "\n"
        };
        let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        let rule = "-".repeat(total) + "\n";
        let mut out = line(&self.head);
        out.push_str(&rule);
        for (i, r) in self.rows.iter().enumerate() {
            if self.rules.contains(&i) {
                out.push_str(&rule);
            }
            out.push_str(&line(r));
        }
        out
    }
}

/// A share as a percentage with one decimal (`81.3%`); `-` when not a number.
pub fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "-".into()
    }
}
