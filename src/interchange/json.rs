//! The JSON form of an interchange file (`export --format json`): an array of objects whose
//! keys are column names (English or Chinese) and whose values are the cells. Read back into a
//! table so that the same parser checks it; each object's line is the line it starts on. Values
//! are the stored text exactly: JSON carries no formula guard.

use super::table::{clean_headers, Table};
use super::{FileProblem, Problems};
use crate::domain::Problem;
use csv::StringRecord;
use serde_json::{Map, Value};

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
    Problems::one(FileProblem::new(
        line,
        "",
        Problem::new(
            "",
            format!("JSON 格式错误：{what}"),
            format!("this is not valid JSON: {what}"),
        ),
    ))
}

/// Reads the array into a table: the headers are every key in order of first appearance.
pub fn read_json(bytes: &[u8]) -> Result<Table, Problems> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(Problems::file(
            "JSON 文件须为 UTF-8 编码",
            "a JSON file must be UTF-8 text",
        ));
    }
    let mut pos = skip_ws(bytes, 0) + 1; // past '['
    let mut objects: Vec<(usize, Map<String, Value>)> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let mut lines = Lines { bytes, pos: 0, line: 1 };
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            None => return Err(syntax(line_of(bytes, pos), "the array is not closed with ]".into())),
            Some(b']') if objects.is_empty() => break,
            _ => {}
        }
        let line = lines.at(pos);
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Map<String, Value>>();
        match stream.next() {
            Some(Ok(map)) => {
                for key in map.keys() {
                    if !headers.contains(key) {
                        headers.push(key.clone());
                    }
                }
                objects.push((line, map));
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
    for (line, map) in objects {
        let mut cells = Vec::with_capacity(headers.len());
        for (key, header) in headers.iter().zip(&header_names) {
            let text = match map.get(key) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(_) => {
                    problems.push(FileProblem::new(
                        line,
                        header.clone(),
                        Problem::new(
                            "",
                            "值须为文字或数字，不能是列表或对象",
                            "must be text or a number, not a list or an object",
                        ),
                    ));
                    String::new()
                }
            };
            cells.push(text);
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
