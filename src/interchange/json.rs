//! The JSON form of an interchange file (`export --format json`): an array of objects whose
//! keys are column names (English or Chinese) and whose values are the cells. Read back into a
//! table so that the same parser checks it; each object's line is the line it starts on. Values
//! are the stored text exactly: JSON carries no formula guard.

use super::table::{clean_headers, Table};
use super::{FileProblem, Problems};
use crate::domain::Problem;
use crate::words::P;
use csv::StringRecord;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// Whether the bytes look like a JSON array (after an optional BOM and white space).
pub fn is_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &bytes[..pos.min(bytes.len())]).count()
}

/// Lines of positions asked in increasing order, each byte counted once: counting from the
/// start for every object made a file of a million objects take hours.
struct Lines<'b> {
    bytes: &'b [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len());
        if pos > self.pos {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.pos..pos]).count();
            self.pos = pos;
        }
        self.line
    }
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

fn syntax(line: usize, what: String) -> Problems {
    Problems::one(FileProblem::new(line, "", Problem::said("", P::NotJson, &[&what])))
}

/// Distinct keys a JSON file may use. A kind has at most 14 columns; a file of 20,000 objects
/// each with a key of its own would make a table of 20,000 × 20,000 cells (5 GB from 249 KB).
pub const MAX_JSON_KEYS: usize = 64;

/// One object of the array: its keys in order, each with the value's JSON text exactly as the
/// file writes it (a number is never read through a float: `90071992547409.93` stays so).
struct Object<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Object<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Object<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Object<'a>, M::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'a RawValue>()? {
                    entries.push((k, v));
                }
                Ok(Object(entries))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A value as the text of a cell: a string's text, a number's digits as written, `true` or
/// `false`, empty for null; `None` for a list or an object.
fn cell_of(raw: &RawValue) -> Option<String> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).ok(),
        Some(b'n') => Some(String::new()),
        Some(b'[' | b'{') | None => None,
        // A number or `true`/`false`: the text as the file has it.
        Some(_) => Some(text.to_string()),
    }
}

/// An object's cells: (the key's index, its text; `None` for a list or an object).
type Cells = Vec<(usize, Option<String>)>;

/// Reads the array into a table: the headers are every key in order of first appearance.
pub fn read_json(bytes: &[u8]) -> Result<Table, Problems> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(Problems::file(P::JsonNotUtf8, &[]));
    }
    let mut pos = skip_ws(bytes, 0) + 1; // past '['
                                         // Each object as (line, [(key's index, cell)]): memory in proportion to the file.
    let mut objects: Vec<(usize, Cells)> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut lines = Lines { bytes, pos: 0, line: 1 };
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            None => return Err(syntax(line_of(bytes, pos), "the array is not closed with ]".into())),
            Some(b']') if objects.is_empty() => break,
            _ => {}
        }
        let line = lines.at(pos);
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Object>();
        match stream.next() {
            Some(Ok(Object(entries))) => {
                let mut cells = Vec::with_capacity(entries.len());
                for (key, raw) in entries {
                    let i = match index.get(&key) {
                        Some(i) => *i,
                        None => {
                            if headers.len() >= MAX_JSON_KEYS {
                                return Err(too_many_keys(line));
                            }
                            headers.push(key.clone());
                            index.insert(key, headers.len() - 1);
                            headers.len() - 1
                        }
                    };
                    cells.push((i, cell_of(raw)));
                }
                objects.push((line, cells));
            }
            Some(Err(e)) => return Err(syntax(line + e.line().saturating_sub(1), e.to_string())),
            None => return Err(syntax(line, "an object was expected".into())),
        }
        pos = skip_ws(bytes, pos + stream.byte_offset());
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') => break,
            _ => {
                return Err(syntax(
                    line_of(bytes, pos),
                    "a comma or ] was expected after an object".into(),
                ))
            }
        }
    }
    let header_names = clean_headers(headers.iter().map(String::as_str));
    let mut problems = Problems::default();
    let mut rows = Vec::with_capacity(objects.len());
    for (line, entries) in objects {
        let mut cells = vec![String::new(); headers.len()];
        for (i, cell) in entries {
            match cell {
                Some(text) => cells[i] = text,
                None => problems.push(FileProblem::new(
                    line,
                    header_names[i].clone(),
                    Problem::said("", P::JsonValueNotText, &[]),
                )),
            }
        }
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((line, StringRecord::from(cells)));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Table {
        headers: header_names,
        header_line: 1,
        rows,
        guarded: false,
    })
}

fn too_many_keys(line: usize) -> Problems {
    Problems::one(FileProblem::new(
        line,
        "",
        Problem::said("", P::JsonTooManyKeys, &[&MAX_JSON_KEYS]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_lines() {
        let text = "[\n{\"a\":\"1\",\"b\":2},\n{\"a\":\"x\",\n \"c\":null}\n]\n";
        assert!(is_json(text.as_bytes()));
        let t = read_json(text.as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["a", "b", "c"]);
        assert_eq!(t.rows[0].0, 2);
        assert_eq!(t.rows[1].0, 3);
        assert_eq!(t.rows[0].1.iter().collect::<Vec<_>>(), vec!["1", "2", ""]);
        assert!(read_json(b"[{\"a\":1} {\"a\":2}]").is_err());
        assert!(read_json(b"[]").unwrap().rows.is_empty());
    }

    #[test]
    fn many_objects_read_in_linear_time() {
        // 50,000 objects took minutes in a debug build when each counted its line from the start.
        let n = 50_000;
        let objects: Vec<String> = (0..n).map(|i| format!("{{\"a\":\"{i}\",\"b\":\"x\"}}")).collect();
        let text = format!("[\n{}\n]\n", objects.join(",\n"));
        let started = std::time::Instant::now();
        let t = read_json(text.as_bytes()).unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(t.rows.len(), n);
        assert_eq!(t.rows[n - 1].0, n + 1);
    }
}
