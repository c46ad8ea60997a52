//! Reading a CSV file into a header and rows of text cells: the encoding detected (UTF-8 with or
//! without a BOM, else GB18030, which covers GBK), CRLF or LF, the line of each row kept.

use super::FileProblem;
use crate::domain::Problem;

/// A file's cells, before they mean anything.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    /// (line of the row in the file, header = 1; the cells)
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Text from bytes: UTF-8 (a BOM is dropped), else GB18030 as Excel on Chinese Windows writes.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            text.into_owned()
        }
    }
}

pub fn read_csv(bytes: &[u8]) -> Result<Table, Vec<FileProblem>> {
    // The csv crate counts a CRLF line only when it reads the LF, one record late: LF only.
    let text = decode_text(bytes).replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    let mut problems = Vec::new();
    let mut first = true;
    let mut record = csv::StringRecord::new();
    loop {
        // The position before reading is where the record starts: its line, header = 1.
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let cells: Vec<String> = record.iter().map(|c| c.to_string()).collect();
                if first {
                    table.headers = cells.iter().map(|h| h.trim().to_string()).collect();
                    first = false;
                } else if cells.iter().any(|c| !c.trim().is_empty()) {
                    table.rows.push((line, cells));
                }
            }
            Err(e) => {
                problems.push(FileProblem {
                    line,
                    column: String::new(),
                    problem: Problem::new("", format!("无法读取此行：{e}"), format!("cannot read this line: {e}")),
                });
                if problems.len() > super::PROBLEM_LIST_LIMIT * 10 {
                    break;
                }
            }
        }
    }
    if first {
        problems.push(FileProblem {
            line: 1,
            column: String::new(),
            problem: Problem::new("", "文件是空的，没有标题行", "the file is empty: no header row"),
        });
    }
    if problems.is_empty() {
        Ok(table)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gbk_and_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode("编码,名称\r\n1,西苑街道\r\n");
        let t = read_csv(&gbk).unwrap();
        assert_eq!(t.headers, vec!["编码", "名称"]);
        assert_eq!(t.rows[0], (2, vec!["1".to_string(), "西苑街道".to_string()]));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("code\n1\n".as_bytes());
        assert_eq!(read_csv(&bom).unwrap().headers, vec!["code"]);
    }
}
