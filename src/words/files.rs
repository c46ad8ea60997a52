//! The words of whole files: backup and restore (`backup`), the upgrade of an older store
//! (`upgrade`).

catalogue! {
    /// The key of a text about backups, restores and upgrades.
    F {
        BackupIo => "无法读写文件 {}：{}", "cannot read or write {}: {}";
        NotABackup =>
            "{} 不是 shegong 备份文件（应为 `shegong backup` 生成的文件）；未做任何改动。",
            "{} is not a shegong backup (a file made by `shegong backup`); nothing was changed.";
        // Arguments: file, format found, format read.
        BackupNewerFormat =>
            "{} 是较新版本的 shegong 生成的备份（格式 {}），本程序只能读取格式 {}。请升级 shegong 后再恢复；未做任何改动。",
            "{} was made by a newer shegong (backup format {}); this one reads format {}. Upgrade shegong and restore again; nothing was changed.";
        BackupDamaged =>
            "备份文件 {} 已损坏或不完整（{}）；未做任何改动。",
            "The backup {} is damaged or incomplete ({}); nothing was changed.";
        // Arguments: file, item, problem.
        BackupBadValue =>
            "备份文件 {0} 的第 {1} 项数据不合规则（{2}）；未做任何改动。",
            "Item {1} of the backup {0} breaks a rule ({2}); nothing was changed.";
        RestoreNotEmpty =>
            "{} 中的数据库已有数据（{} 个单位、{} 条评估、{} 条培训、{} 条资金记录），恢复只能写入新的或空的数据库。请用 --data-dir 指定一个新文件夹；未做任何改动。",
            "The store in {} already holds data ({} units, {} evaluations, {} trainings, {} budget entries); restore only fills a new or empty store. Choose a new folder with --data-dir; nothing was changed.";
        // Arguments: expected, kind, added.
        RestoreIncomplete =>
            "恢复未完成：备份中有 {} 条 {}，只写入了 {} 条。",
            "The restore is incomplete: the backup holds {} {}, only {} were stored.";
        // Writing files (export, report).
        OutputInStore =>
            "不能写入 {}：它在数据库文件夹 {} 里，会毁坏数据库。请写到数据库文件夹以外（或其 backups 子文件夹）",
            "will not write {}: it is inside the store folder {}, and would destroy the store; write it outside that folder (or into its backups folder)";
        OutputFolder => "不能写入 {}：这是一个文件夹，请给出文件名", "cannot write {}: it is a folder; name a file";
        OutputDanglingLink =>
            "不能写入 {}：这是一个指向不存在文件的符号链接；请给出实际的文件名",
            "will not write {}: it is a symbolic link to a file that does not exist; name the real file";
        XlsxFailed => "无法生成 Excel 工作簿：{}", "cannot make the Excel workbook: {}";
        TooManyRowsForXlsx =>
            "记录超过 Excel 工作表的上限（{} 行），请改用 --format csv",
            "more records than an Excel sheet holds ({} rows); use --format csv";
        // What a clerk calls the records of a kind, in messages and sheet names.
        KindPluralUnits => "单位", "units";
        KindPluralEvaluations => "评估", "evaluations";
        KindPluralTrainings => "培训", "trainings";
        KindPluralBudget => "资金", "budget entries";
        Upgraded =>
            "数据库格式已从版本 {} 升级到 {}；升级前的备份：{}",
            "The store was upgraded from format version {} to {}; the backup made before: {}";
        // Said in both languages at once, beside the error that stopped the write.
        UnfinishedFileNotRemoved =>
            "未能删除未写完的文件 {}（{}），可以手动删除。",
            "The unfinished file {} could not be removed ({}); it can be deleted by hand.";
    }
}
