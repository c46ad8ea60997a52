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
        Upgraded =>
            "数据库格式已从版本 {} 升级到 {}；升级前的备份：{}",
            "The store was upgraded from format version {} to {}; the backup made before: {}";
    }
}
