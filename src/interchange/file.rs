//! A file to import, read from disk. CSV is read as it streams by, so that a file of any size
//! costs a buffer and a row; a workbook or a JSON file is read whole, as its format requires,
//! and refused in words above `WHOLE_FILE_LIMIT` rather than exhausting memory. What cannot be
//! opened is said in words, not as an OS error.

use super::stream::{Digest, Hashed};
use super::table::{read_csv, Sheet};
use super::Problems;
use crate::domain::Problem;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest workbook or JSON file read. Both are read whole and then held as a table of
/// strings: a JSON export of a million budget entries (170 MB) peaks at 1.45 GB, so this limit
/// keeps a JSON import near 2 GB. A workbook holds at most 1,048,576 rows, about 45 MB zipped
/// (1.2 GB at peak), far below it. A larger file of records is to be given as CSV.
pub const WHOLE_FILE_LIMIT: u64 = 256 << 20;

/// What the start of a file says it is.
pub(super) enum Opened {
    /// A workbook or JSON (or what is not a plain file, such as a pipe, which cannot be read
    /// twice): its bytes.
    Whole(Vec<u8>),
    /// CSV, `size` bytes: to be read with `csv_sheet`, once per pass.
    Csv { size: u64 },
}

/// Enough of a file to tell a workbook (its magic number) or JSON (`[` first) from CSV.
const HEAD_BYTES: u64 = 64 << 10;

/// Opens a file and tells what it holds; a workbook or JSON file over `whole_limit` bytes
/// (`WHOLE_FILE_LIMIT` but in tests) is refused.
pub(super) fn open(path: &Path, whole_limit: u64) -> Result<Opened, Problem> {
    let (file, meta) = open_file(path)?;
    let mut head = Vec::new();
    (&file).take(HEAD_BYTES).read_to_end(&mut head).map_err(read_failed)?;
    let whole = super::xlsx::is_workbook(&head) || super::json::is_json(&head);
    if !whole && meta.is_file() {
        return Ok(Opened::Csv { size: meta.len() });
    }
    if meta.is_file() && meta.len() > whole_limit {
        return Err(too_big(meta.len(), whole_limit));
    }
    let mut bytes = head;
    (&file)
        .take((whole_limit + 1).saturating_sub(bytes.len() as u64))
        .read_to_end(&mut bytes)
        .map_err(read_failed)?;
    if bytes.len() as u64 > whole_limit {
        return Err(too_big(bytes.len() as u64, whole_limit));
    }
    Ok(Opened::Whole(bytes))
}

/// A CSV file as a sheet read from disk, hashed as it is read (see `Sheet::digest`).
pub(super) fn csv_sheet(path: &Path) -> Result<Sheet<'static>, Problems> {
    let (file, _) = open_file(path).map_err(|p| Problems::one(super::FileProblem::new(0, "", p)))?;
    let digest = Digest::default();
    Ok(read_csv(Hashed::new(file, digest.clone()))?.hashed_by(digest))
}

fn open_file(path: &Path) -> Result<(File, std::fs::Metadata), Problem> {
    let file = File::open(path).map_err(|e| cannot_open(&e))?;
    let meta = file.metadata().map_err(|e| cannot_open(&e))?;
    if meta.is_dir() {
        return Err(Problem::new(
            "",
            "无法打开：这是一个文件夹，不是文件",
            "cannot open it: it is a folder, not a file",
        ));
    }
    Ok((file, meta))
}

fn cannot_open(e: &io::Error) -> Problem {
    match e.kind() {
        io::ErrorKind::NotFound => Problem::new(
            "",
            "无法打开文件：文件不存在",
            "cannot open the file: there is no such file",
        ),
        io::ErrorKind::PermissionDenied => Problem::new(
            "",
            "无法打开文件：没有读取它的权限",
            "cannot open the file: you are not allowed to read it",
        ),
        _ => Problem::new("", format!("无法打开文件：{e}"), format!("cannot open the file: {e}")),
    }
}

fn read_failed(e: io::Error) -> Problem {
    Problem::new(
        "",
        format!("读取文件时出错：{e}"),
        format!("error while reading the file: {e}"),
    )
}

fn too_big(size: u64, limit: u64) -> Problem {
    let (mb, limit) = (size.div_ceil(1 << 20), limit.div_ceil(1 << 20));
    Problem::new(
        "",
        format!(
            "此文件有 {mb} MB，超过 Excel 或 JSON 文件可导入的上限 {limit} MB（这类文件须整个读入内存）。请另存为 CSV（UTF-8）后导入：CSV 文件不限大小"
        ),
        format!(
            "this file has {mb} MB, more than the {limit} MB an Excel or JSON file may have (such files are read into memory whole); save it as CSV (UTF-8) and import that: a CSV file may have any size"
        ),
    )
}
