//! What can go wrong with the store, each in words in both languages, with the exit code the
//! command line returns for it.

use crate::domain::Problem;
use crate::i18n::Lang;
use std::path::PathBuf;

/// A problem with one row of a batch of writes; `row` counts from 0 in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub problem: Problem,
}

#[derive(Debug)]
pub enum StoreError {
    /// No store in this folder.
    Missing(PathBuf),
    /// `init` or `restore` into a store that already holds data.
    AlreadyExists(PathBuf),
    /// Another process has the store open.
    InUse(PathBuf),
    /// The data folder (or a folder above it) is a file.
    NotAFolder(PathBuf),
    /// The store was written by a newer version of shegong.
    NewerSchema {
        found: u32,
        supported: u32,
    },
    /// The store was written by an older version of shegong and must be upgraded first (which
    /// `--readonly` forbids).
    OlderSchema {
        found: u32,
        supported: u32,
    },
    /// The store's files are damaged.
    Corrupt(String),
    /// Writing was refused because of `--readonly`.
    ReadOnly,
    /// The batch was refused; nothing was written.
    Rejected(Vec<RowProblem>),
    /// A unit code that does not exist.
    UnknownUnit(String),
    /// A record key that does not exist.
    UnknownRecord(String),
    /// `undo` found nothing to undo.
    NothingToUndo,
    /// The newest change cannot be undone: its entry lacks what undoing needs (a bulk import
    /// journaled by a shegong before schema 3, which did not keep the keys it added).
    CannotUndo(String),
    /// A total left the range of a 64-bit integer.
    Overflow,
    /// A value would be larger than the store writes (`codec::MAX_VALUE_BYTES`), or could not
    /// be encoded at all; nothing was stored.
    TooLarge {
        what: &'static str,
        bytes: Option<u64>,
        detail: String,
    },
    Io(String),
    /// A change refused for a reason said in words (a unit that still has records, an entry
    /// reversed already); nothing was written.
    Refused {
        zh: String,
        en: String,
    },
    /// One unit's records of one kind in one year would pass `codec::PAGE_LIMIT` together with
    /// those stored already; nothing was stored.
    PageFull {
        unit: String,
        year: u16,
        kind: &'static str,
    },
    /// sled could not write (the disk is full, or failing): the write was not kept. With the
    /// OS's words when this is the error itself; `None` for a later attempt in the same process.
    WriteFailed(Option<String>),
}

impl StoreError {
    pub fn exit_code(&self) -> i32 {
        match self {
            StoreError::InUse(_) => 3,
            // SPEC.md: 4, the write is not allowed.
            StoreError::ReadOnly => 4,
            _ => 1,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            StoreError::Missing(p) => {
                if zh {
                    format!(
                        "{} 中还没有数据库。请先运行 `shegong init`（或 `shegong init --empty`）。",
                        p.display()
                    )
                } else {
                    format!(
                        "There is no store in {}. Run `shegong init` (or `shegong init --empty`) first.",
                        p.display()
                    )
                }
            }
            StoreError::AlreadyExists(p) => {
                if zh {
                    format!("{} 中已有数据库，未做任何改动。", p.display())
                } else {
                    format!(
                        "A store with data already exists in {}; nothing was changed.",
                        p.display()
                    )
                }
            }
            StoreError::InUse(p) => {
                if zh {
                    format!(
                        "数据库 {} 正被另一个 shegong 进程使用。请先关闭那个程序，再试一次。",
                        p.display()
                    )
                } else {
                    format!(
                        "The store in {} is in use by another shegong process. Close that one and try again.",
                        p.display()
                    )
                }
            }
            StoreError::NotAFolder(p) => {
                if zh {
                    format!(
                        "数据目录 {} 是一个文件，不是文件夹。请用 --data-dir 指定一个文件夹；未做任何改动。",
                        p.display()
                    )
                } else {
                    format!(
                        "The data folder {} is a file, not a folder. Choose a folder with --data-dir; nothing was changed.",
                        p.display()
                    )
                }
            }
            StoreError::NewerSchema { found, supported } => {
                if zh {
                    format!("数据库格式版本为 {found}，本程序只支持到 {supported}。请升级 shegong；数据未被改动。")
                } else {
                    format!(
                        "The store has format version {found}; this shegong reads up to {supported}. Upgrade shegong; the store was not changed."
                    )
                }
            }
            StoreError::OlderSchema { found, supported } => {
                if zh {
                    format!("数据库格式版本为 {found}，需要升级到 {supported} 才能使用。请不带 --readonly 打开一次，程序会先自动备份再升级；数据未被改动。")
                } else {
                    format!(
                        "The store has format version {found} and must be upgraded to {supported} before use. Open it once without --readonly: shegong backs it up first, then upgrades it. The store was not changed."
                    )
                }
            }
            // The detail comes from deep inside (sled, the decoder) and is for whoever helps
            // the user: the sentence before it says what happened and what to do.
            StoreError::Corrupt(what) => {
                if zh {
                    format!("数据库已损坏，无法读取。请用 `shegong restore` 从备份恢复（备份在数据目录的 backups 文件夹中）。技术细节：{what}")
                } else {
                    format!("The store is damaged and cannot be read. Restore it from a backup with `shegong restore` (backups are in the backups folder of the data folder). Technical detail: {what}")
                }
            }
            StoreError::ReadOnly => lang
                .pick(
                    "只读模式（--readonly）下不能修改数据。",
                    "Read-only mode (--readonly): no change is allowed.",
                )
                .into(),
            StoreError::Rejected(problems) => {
                let head = if zh {
                    format!("有 {} 处错误，未保存任何数据：", problems.len())
                } else {
                    format!("{} problem(s); nothing was stored:", problems.len())
                };
                let mut out = head;
                for p in problems.iter().take(50) {
                    out.push_str(&format!("\n  {}: {}", p.row + 1, p.problem.render(lang)));
                }
                out
            }
            StoreError::UnknownUnit(code) => {
                if zh {
                    format!("没有编码为 {code} 的单位。")
                } else {
                    format!("There is no unit with code {code}.")
                }
            }
            StoreError::UnknownRecord(key) => {
                if zh {
                    format!("没有编号为 {key} 的记录。")
                } else {
                    format!("There is no record {key}.")
                }
            }
            StoreError::NothingToUndo => lang.pick("没有可以撤销的变更。", "There is no change to undo.").into(),
            StoreError::CannotUndo(what) => {
                if zh {
                    format!("最近的变更（{what}）不能撤销：它是旧版本记下的批量导入，没有记下导入了哪些记录。请从备份恢复。")
                } else {
                    format!("The last change ({what}) cannot be undone: it is a bulk import journaled by an older version, which did not keep which records it added. Restore from a backup instead.")
                }
            }
            StoreError::Overflow => lang
                .pick(
                    "合计金额超出可表示的范围，未保存。",
                    "A total is out of range; nothing was stored.",
                )
                .into(),
            StoreError::TooLarge { what, bytes, detail } => {
                let limit = super::codec::MAX_VALUE_BYTES / (1024 * 1024);
                match bytes {
                    Some(b) => {
                        let mb = b.div_ceil(1024 * 1024);
                        if zh {
                            format!(
                                "要保存的数据（{what}）约 {mb} MB，超过数据库单个值的上限 {limit} MB；未保存任何数据。"
                            )
                        } else {
                            format!("A {what} to store would be about {mb} MB, more than the store's limit of {limit} MB for one value; nothing was stored.")
                        }
                    }
                    None => {
                        if zh {
                            format!("无法编码要保存的数据（{what}）：{detail}；未保存任何数据。")
                        } else {
                            format!("A {what} could not be encoded: {detail}; nothing was stored.")
                        }
                    }
                }
            }
            StoreError::PageFull { unit, year, kind } => {
                let limit = super::codec::PAGE_LIMIT / (1024 * 1024);
                let zh_kind = match *kind {
                    "evaluation" => "评估",
                    "training" => "培训",
                    _ => "资金",
                };
                if zh {
                    format!("单位 {unit} {year} 年的{zh_kind}记录连同已保存的将超过 {limit} MB，超出一个单位一年能保存的上限；未保存任何数据。请检查文件是否重复或有误。")
                } else {
                    format!("unit {unit}'s {kind} records of {year}, with those stored already, would pass {limit} MB, more than the store keeps for one unit and year; nothing was stored. Check the file for repeated or wrong rows.")
                }
            }
            StoreError::WriteFailed(detail) => {
                let detail = detail.as_deref().unwrap_or("");
                if zh {
                    format!("无法写入数据库（磁盘已满或出错）：本次写入未保存；未完成的部分会在下次打开数据库时自动回滚。请腾出磁盘空间后重试。{detail}")
                } else {
                    format!("The store could not be written (the disk is full or failing): this write was not kept, and what it began is rolled back when the store is next opened. Free some disk space and try again. {detail}")
                }
            }
            StoreError::Io(e) => {
                if zh {
                    format!("读写数据库出错：{e}")
                } else {
                    format!("Could not read or write the store: {e}")
                }
            }
            StoreError::Refused { zh: z, en } => lang.pick(z, en).to_string(),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for StoreError {}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            // sled's own words name internal pointers ("at Inline(1329) backtrace ()").
            sled::Error::Corruption { .. } => {
                StoreError::Corrupt("data in sled/db is missing or fails its checksum".into())
            }
            sled::Error::Io(io) => {
                // Any I/O error of sled ends this process's writing (see `mark_write_failed`).
                super::mark_write_failed();
                StoreError::WriteFailed(Some(io.to_string()))
            }
            other => StoreError::Corrupt(format!("sled: {other}")),
        }
    }
}

impl From<super::codec::DecodeError> for StoreError {
    fn from(e: super::codec::DecodeError) -> Self {
        StoreError::Corrupt(e.0)
    }
}

impl From<super::codec::EncodeError> for StoreError {
    fn from(e: super::codec::EncodeError) -> Self {
        StoreError::TooLarge {
            what: e.name,
            bytes: e.bytes,
            detail: e.detail,
        }
    }
}

impl From<crate::rollup::Overflow> for StoreError {
    fn from(_: crate::rollup::Overflow) -> Self {
        StoreError::Overflow
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
