//! The words of the commands (`cli`, `main`): what they report and how they fail.

catalogue! {
    /// The key of a text of the commands.
    C {
        // init, backup, restore
        CreatedWithXishan => "已在 {} 创建数据库，并载入西山区数据。", "Created the store in {} with the Xishan data.";
        CreatedEmpty => "已在 {} 创建空数据库。", "Created an empty store in {}.";
        BackedUp =>
            "已将 {} 个单位、{} 条评估、{} 条培训、{} 条资金记录及 {} 条变更日志备份到 {}。",
            "Backed up {} units, {} evaluations, {} trainings, {} budget entries and {} journal entries to {}.";
        // Arguments: units, evaluations, trainings, budget, journal, file, version, when, store.
        Restored =>
            "已从 {5}（shegong {6} 于 {7} 备份）恢复 {0} 个单位、{1} 条评估、{2} 条培训、{3} 条资金记录及 {4} 条变更日志到 {8}。",
            "Restored {0} units, {1} evaluations, {2} trainings, {3} budget entries and {4} journal entries from {5} (backed up by shegong {6} at {7}) into {8}.";
        AutoBackupFailed => "自动备份失败：", "The automatic backup failed: ";
        OldBackupNotRemoved => "未能删除旧的自动备份 ", "Could not remove the old automatic backup ";
        BackedUpAutomatically => "已自动备份：", "Backed up automatically: ";
        TeamHint =>
            "多人同时录入：请使用共享的 PostgreSQL 服务器（--db URL，见 docs/SHARED.md）；否则请轮流使用，或各自录入后用 export / import 合并。",
            "For a team working at once, use a shared PostgreSQL server (--db URL, see docs/SHARED.md); otherwise take turns, or enter records apart and merge them with export / import.";
        // the shared server (--db)
        DbAndDataDir =>
            "--db 与 --data-dir 不能同时使用：共享服务器与本机数据库只能选一个。",
            "--db and --data-dir cannot be used together: choose the shared server or a store on this machine.";
        DbAndDataDirInEnv =>
            "环境变量 SHEGONG_DB 与 SHEGONG_DATA_DIR 都已设置：请用 --db 或 --data-dir 指明使用哪一个。",
            "Both SHEGONG_DB and SHEGONG_DATA_DIR are set: say which to use with --db or --data-dir.";
        OperatorWithDb =>
            "使用共享服务器（--db）时不能用 --operator：变更日志记录的是连接服务器的登录名。",
            "--operator cannot be used with --db: on the shared server the journal records the login you connect as.";
        StaffNeedsDb =>
            "staff 命令只用于共享服务器：请加上 --db URL（或设置 SHEGONG_DB）。",
            "staff works on a shared server only: add --db URL (or set SHEGONG_DB).";
        // import
        UnknownKind =>
            "未知的类别“{}”：可用 units、evaluations、trainings、budget",
            "unknown kind “{}”: use units, evaluations, trainings or budget";
        ImportProblem =>
            "{}：发现 1 处错误，此文件中的数据均未导入。请改正后重新导入整个文件：",
            "{}: 1 problem; nothing from this file was stored. Fix it and import the whole file again:";
        ImportProblems =>
            "{}：发现 {} 处错误，此文件中的数据均未导入。请改正后重新导入整个文件：",
            "{}: {} problems; nothing from this file was stored. Fix them and import the whole file again:";
        ImportNoRows => "{}：文件中没有数据行，未导入任何记录。", "{}: the file has no data rows; nothing was imported.";
        ImportAllStored =>
            "{}：{} 行均已在库中，未新增或更改任何记录。",
            "{}: all {} rows are already stored; nothing was added or changed.";
        // The rows of a file, then the parts below joined by the separator.
        ImportRows => "{}：{} 行：{}。", "{}: {} rows: {}.";
        ListSeparator => "，", ", ";
        AddedUnits => "新增 {} 个", "{} added";
        AddedRecords => "新增 {} 条", "{} added";
        UpdatedUnits => "更新 {} 个", "{} updated";
        UpdatedRecords => "更新 {} 条", "{} updated";
        SameUnits => "{} 个已在库中且无变化", "{} already stored unchanged";
        SameRecords => "{} 条已在库中", "{} already stored";
        ImportedToCheck => "{}：已导入，但有 {} 处请核对：", "{}: imported, but {} to check:";
        // export, report
        Exported => "已将 {} 条{}记录导出到 {}。", "Exported {} {} to {}.";
        XlsxNotToTerminal =>
            "Excel 工作簿不能显示在终端上：请用 -o 文件名.xlsx 指定输出文件",
            "an Excel workbook cannot be shown in a terminal: name the file with -o FILE.xlsx";
        ReportBookNotToTerminal =>
            "报表工作簿须写入文件，不能输出到终端：请用 -o 文件名.xlsx 指定输出文件",
            "a report workbook is written to a file, not to a terminal: name the file with -o FILE.xlsx";
        AsOfUnreadable =>
            "--as-of：无法识别日期“{}”（例如 2021-11-09）",
            "--as-of: cannot read the date “{}” (e.g. 2021-11-09)";
        JsonFailed => "无法生成 JSON：{}", "cannot write the JSON: {}";
        ReportWritten => "已将报表写入 {}。", "Wrote the report to {}.";
        CannotWriteFile => "无法写入 {}: {}", "cannot write {}: {}";
        WriteFailed => "写出失败：{}", "cannot write the output: {}";
        // unit delete, check
        UnitDeleted =>
            "已删除单位 {}（{}）；`shegong undo` 可撤销。",
            "Deleted the unit {} ({}); `shegong undo` brings it back.";
        CheckPassed =>
            "检查通过：{} 个单位、{} 条评估、{} 条培训、{} 条资金记录，所有汇总与重新计算一致。",
            "Check passed: {} units, {} evaluations, {} trainings, {} budget entries; every stored total equals the recomputation.";
        CheckFailed =>
            "检查未通过：{} 处汇总与重新计算不一致：",
            "Check failed: {} stored totals differ from the recomputation:";
        // Said in both languages at once (the language is not at hand in the panic hook); `{}`
        // is where it stopped.
        InternalError =>
            "shegong 内部错误，操作已中止{}。数据不会写一半：请运行 `shegong check`，如有问题用备份恢复。",
            "shegong stopped on an internal error{}. No write is left half done: run `shegong check`, and restore from a backup if it fails.";
    }
}
