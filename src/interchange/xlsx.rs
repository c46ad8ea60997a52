//! Excel files: read the first sheet into a table (XLSX support lands with the interchange
//! issue; until then an .xlsx file gets a clear message).

use super::load::file_problem;
use super::{FileProblem, Table};

pub fn read_xlsx(_bytes: &[u8]) -> Result<Table, Vec<FileProblem>> {
    Err(file_problem(
        "暂不支持 .xlsx 文件，请在 Excel 中另存为 CSV（UTF-8）".into(),
        ".xlsx files are not read yet; save the sheet as CSV (UTF-8) in Excel".into(),
    ))
}
