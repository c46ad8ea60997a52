//! The words of the change journal (`history`): its kinds and actions, and how a line about
//! one change is put together. The UI's history view shares the texts both say (`S::History…`).

catalogue! {
    /// The key of a text of the journal in words.
    J {
        KindUnit => "单位", "unit";
        KindEvaluation => "评估", "evaluation";
        KindTraining => "培训", "training";
        KindBudget => "资金记录", "budget entry";
        KindStore => "数据库", "store";
        ActionAdd => "新增", "added";
        ActionUpdate => "修改", "updated";
        ActionDelete => "删除", "deleted";
        ActionImport => "导入", "imported";
        ActionUndo => "撤销", "undo";
        ActionRestore => "恢复", "restored";
        // An action and a kind: Chinese writes the two words together.
        ActionOnKind => "{}{}", "{} {}";
        AddedReversal => "新增冲销", "added reversal";
        // A unit by name and code.
        UnitBrief => "{}（{}）", "{} ({})";
        ImportAdded => "新增 {} 条", "{} added";
        ImportAddedUpdated => "新增 {} 条，修改 {} 条", "{} added, {} updated";
        // Between a label and what it names.
        Colon => "：", ": ";
        UndoScope => "（连同同一次导入的共 {} 条）", " (all {} rows of that import)";
    }
}
