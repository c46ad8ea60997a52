//! The words of the store's errors (`store::StoreError`): what happened to the store, and what
//! the user can do about it.

catalogue! {
    /// The key of a text about the store.
    D {
        StoreMissing =>
            "{} 中还没有数据库。请先运行 `shegong init`（或 `shegong init --empty`）。",
            "There is no store in {}. Run `shegong init` (or `shegong init --empty`) first.";
        StoreAlreadyExists =>
            "{} 中已有数据库，未做任何改动。",
            "A store with data already exists in {}; nothing was changed.";
        StoreInUse =>
            "数据库 {} 正被另一个 shegong 进程使用。请先关闭那个程序，再试一次。",
            "The store in {} is in use by another shegong process. Close that one and try again.";
        StoreNotAFolder =>
            "数据目录 {} 是一个文件，不是文件夹。请用 --data-dir 指定一个文件夹；未做任何改动。",
            "The data folder {} is a file, not a folder. Choose a folder with --data-dir; nothing was changed.";
        StoreNewerSchema =>
            "数据库格式版本为 {}，本程序只支持到 {}。请升级 shegong；数据未被改动。",
            "The store has format version {}; this shegong reads up to {}. Upgrade shegong; the store was not changed.";
        StoreOlderSchema =>
            "数据库格式版本为 {}，需要升级到 {} 才能使用。请不带 --readonly 打开一次，程序会先自动备份再升级；数据未被改动。",
            "The store has format version {} and must be upgraded to {} before use. Open it once without --readonly: shegong backs it up first, then upgrades it. The store was not changed.";
        StoreCorrupt =>
            "数据库已损坏，无法读取。请用 `shegong restore` 从备份恢复（备份在数据目录的 backups 文件夹中）。技术细节：{}",
            "The store is damaged and cannot be read. Restore it from a backup with `shegong restore` (backups are in the backups folder of the data folder). Technical detail: {}";
        StoreReadOnly =>
            "只读模式（--readonly）下不能修改数据。",
            "Read-only mode (--readonly): no change is allowed.";
        StoreNotAllowed =>
            "登录 {} 不能修改单位 {} 的数据（不在本登录负责的范围内），未做任何改动。",
            "Login {} may not change the data of unit {} (outside the units this login may write); nothing was changed.";
        StoreUnreachable =>
            "无法连接共享服务器 {}：{}",
            "Cannot use the shared server {}: {}";
        // Unit `{0}` was saved by login `{1}` at `{2}` after the form read it.
        StoreConflict =>
            "单位 {} 已被 {} 于 {} 修改，未保存；您填写的内容仍在表单中。请核对后再保存。",
            "Unit {} was changed by {} at {}; nothing was saved, and what you typed is still in the form. Check it, then save again.";
        StoreRejected => "有 {} 处错误，未保存任何数据：", "{} problem(s); nothing was stored:";
        StoreUnknownUnit => "没有编码为 {} 的单位。", "There is no unit with code {}.";
        StoreUnknownRecord => "没有编号为 {} 的记录。", "There is no record {}.";
        StoreNothingToUndo => "没有可以撤销的变更。", "There is no change to undo.";
        StoreCannotUndo =>
            "最近的变更（{}）不能撤销：它是旧版本记下的批量导入，没有记下导入了哪些记录。请从备份恢复。",
            "The last change ({}) cannot be undone: it is a bulk import journaled by an older version, which did not keep which records it added. Restore from a backup instead.";
        StoreOverflow => "合计金额超出可表示的范围，未保存。", "A total is out of range; nothing was stored.";
        // What (`{0}`) would be about `{1}` MB, over the limit of `{2}` MB.
        StoreValueTooLarge =>
            "要保存的数据（{0}）约 {1} MB，超过数据库单个值的上限 {2} MB；未保存任何数据。",
            "A {0} to store would be about {1} MB, more than the store's limit of {2} MB for one value; nothing was stored.";
        StoreCannotEncode =>
            "无法编码要保存的数据（{}）：{}；未保存任何数据。",
            "A {} could not be encoded: {}; nothing was stored.";
        // Unit `{0}`'s records of kind `{2}` (below) in year `{1}` would pass `{3}` MB.
        StorePageFull =>
            "单位 {0} {1} 年的{2}记录连同已保存的将超过 {3} MB，超出一个单位一年能保存的上限；未保存任何数据。请检查文件是否重复或有误。",
            "unit {0}'s {2} records of {1}, with those stored already, would pass {3} MB, more than the store keeps for one unit and year; nothing was stored. Check the file for repeated or wrong rows.";
        // Unit `{0}`'s records of kind `{2}` (plural) in year `{1}` pass `{3}` MB at this row.
        PageFullAtRow =>
            "单位 {0} {1} 年的{2}记录到这一行已超过 {3} MB，超出一个单位一年能保存的上限；请检查文件是否重复或有误",
            "unit {0}'s {2} of {1} pass {3} MB at this row, more than the store keeps for one unit and year; check the file for repeated or wrong rows";
        // A kind of record in `StorePageFull`: the English is the kind's name.
        PageKindEvaluation => "评估", "evaluation";
        PageKindTraining => "培训", "training";
        PageKindBudget => "资金", "budget";
        StoreWriteFailed =>
            "无法写入数据库（磁盘已满或出错）：本次写入未保存；未完成的部分会在下次打开数据库时自动回滚。请腾出磁盘空间后重试。{}",
            "The store could not be written (the disk is full or failing): this write was not kept, and what it began is rolled back when the store is next opened. Free some disk space and try again. {}";
        StoreIo => "读写数据库出错：{}", "Could not read or write the store: {}";

        // The shared server (`pg`): a database `{}` that `init` has not made a shegong one yet.
        PgNotInitialized =>
            "服务器上的数据库 {} 还没有 shegong 的表。请先用有权限的登录运行 `shegong --db URL init`。",
            "The database {} on the server has no shegong tables yet. Run `shegong --db URL init` with a login allowed to, first.";
        // The server refused a write for a rule of its schema, in its own words `{}`.
        PgRefused => "服务器拒绝了这次修改，未做任何改动：{}", "The server refused the change; nothing was changed: {}";
        // Refusals (`StoreError::Refused`): a change not made, and why.
        ReversalStoredAlready =>
            "这条冲销记录已经存在，未重复保存。",
            "This reversing entry is stored already; it was not stored again.";
        // A batch's record that must be new (a correction's corrected entry) is stored already.
        BatchStoredAlready =>
            "更正后的记录与已有的一条完全相同，整批未保存，未做任何改动。",
            "The corrected entry is the same as one stored already; nothing of the correction was saved.";
        // Reversed by entry number `{}`, said as its date and amount `{}`.
        ReversedAlready =>
            "这条资金记录已由 #{} 冲销（{}），不能再次冲销。",
            "This budget entry was reversed already by #{} ({}); it cannot be reversed twice.";
        ReversalNotReversible =>
            "这是一条冲销记录（#{}），冲销记录不能再冲销；录错了请撤销它。",
            "This is a reversal (#{}); a reversal cannot itself be reversed: undo it instead.";
        DeleteHasChildren =>
            "单位 {} 下还有下级单位，不能删除：先删除下级单位。",
            "Unit {} has units below it and cannot be deleted: delete those first.";
        DeleteHasRecords =>
            "单位 {} 还有评估、培训或资金记录，不能删除。",
            "Unit {} has evaluations, trainings or budget entries and cannot be deleted.";
        DeleteServed =>
            "单位 {} 是某条培训的服务站点，不能删除。",
            "Unit {} is served by a training and cannot be deleted.";
        UndoAddHasChild =>
            "单位 {} 下还有下级单位 {}，不能撤销它的新增。",
            "Unit {} has the unit {} below it: its adding cannot be undone.";
        UndoAddHasRecords =>
            "单位 {} 已有评估、培训或资金记录，不能撤销它的新增。",
            "Unit {} has evaluations, trainings or budget entries: its adding cannot be undone.";
        UndoAddServed =>
            "单位 {} 是某条培训的服务站点，不能撤销它的新增。",
            "Unit {} is served by a training: its adding cannot be undone.";
        // A bug in the caller: an import of one kind (plural) given records of another.
        ImportWrongKind => "内部错误：{}导入收到了{}记录。", "internal error: an import of {} was given {}.";
        // Said in both languages at once (from a drop, where the language is not at hand).
        TempCopyNotRemoved => "无法删除临时副本", "could not remove the temporary copy";
    }
}
