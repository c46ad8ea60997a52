//! The words of the terminal UI: one entry per key, its Chinese then its English text. The UI
//! code names them `S::Key` (re-exported by `tui::strings`) and looks them up with `tr`/`fill`.

catalogue! {
    /// The key of a text of the terminal UI.
    S {
        AppTitle => "社工站", "Stations";
        AsOfHeader => "截至 {}", "as of {}";
        NotToday => " （历史）", " (past)";
        ReadonlyTag => " · 只读", " · read-only";
        AsOfSet => "截至日期：{}（[ ] 按月、{ } 按年移动，. 回到今天）", "As of {} ([ ] month, { } year, . today)";
        FirstRun =>
            "首次运行：已在 {} 创建数据库并载入西山区数据。按 ? 查看所有按键。",
            "First run: created the store in {} with the Xishan data. Press ? for every key.";
        EmptyStore => "数据库中还没有单位：按 + 新增一个。", "The store holds no unit yet: press + to add one.";
        RowOf => "第 {}/{} 行", "row {}/{}";
        TreeTitle => "单位", "Units";
        ColName => "名称", "Name";
        ColStation => "站点", "Station";
        ColCoverage => "覆盖", "Covered";
        ColAllocated => "拨付", "Allocated";
        ColSpent => "支出", "Spent";
        ColDate => "日期", "Date";
        ColUnit => "单位", "Unit";
        ColHost => "主办", "Host";
        ColKind => "类型", "Kind";
        ColMode => "形式", "Mode";
        ColTopic => "主题", "Topic";
        ColHours => "课时", "Hours";
        ColAttendees => "人数", "People";
        ColScore => "得分", "Score";
        ColGrade => "等级", "Grade";
        ColEvaluator => "评估机构", "Evaluator";
        ColNote => "备注", "Note";
        ColAmount => "金额（元）", "Amount ¥";
        ColCategory => "科目", "Category";
        ColSource => "来源", "Source";
        ColVoucher => "凭证号", "Voucher";
        TabOverview => "概况", "Overview";
        TabEvaluations => "评估", "Evaluations";
        TabTrainings => "培训", "Trainings";
        TabBudget => "资金", "Budget";
        TabCoverage => "覆盖趋势", "Coverage";
        TabFunding => "资金图", "Funding";
        TabOverviewShort => "概况", "Info";
        TabEvaluationsShort => "评估", "Evals";
        TabTrainingsShort => "培训", "Train";
        TabBudgetShort => "资金", "Budget";
        TabCoverageShort => "覆盖", "Cov.";
        TabFundingShort => "资金图", "Funds";
        WithSubtree => "含下级", "with units below";
        SubtreeOn => "记录含下级单位", "records of units below included";
        SubtreeOff => "只看本单位的记录", "records of this unit only";
        // `s` on the per-indicator tab (issue 15), which changes nothing there.
        SubtreeAlwaysOnIndicators =>
            "分项指标总是统计整个下级范围；s 只用于评估、培训、资金记录",
            "the indicators tab always covers every unit below; s is for the record tabs";
        FieldCode => "编码", "Code";
        FieldLevel => "层级", "Level";
        FieldParent => "上级", "Parent";
        FieldStationStatus => "站点状态", "Station";
        FieldOperator => "运营机构", "Operator";
        FieldStaff => "社工", "Staff";
        FieldAddress => "地址", "Address";
        FieldContact => "联系人", "Contact";
        FieldPhone => "电话", "Phone";
        FieldNote => "备注", "Note";
        FieldName => "名称", "Name";
        FieldOpened => "建站日期", "Opened on";
        FieldClosed => "撤站日期", "Closed on";
        FieldWorkers => "专职社工", "Social workers";
        FieldCertified => "持证社工", "Certified";
        FieldDate => "日期", "Date";
        FieldHost => "主办单位", "Host";
        FieldTrainingKind => "培训类型", "Kind";
        FieldMode => "形式", "Mode";
        FieldTopic => "主题", "Topic";
        FieldHours => "课时", "Hours";
        FieldAttendees => "参训人数", "Attendees";
        FieldServed => "服务站点", "Stations served";
        FieldStation => "站点", "Station";
        FieldEvalKind => "评估类型", "Kind";
        FieldEvaluator => "评估机构", "Evaluator";
        FieldScore => "得分", "Score";
        FieldGrade => "等级", "Grade";
        FieldScheme => "方案", "Scheme";
        SchemeNone => "不按方案", "none";
        NotePointsSum => "各指标之和，满分 {}", "sum of the points, out of {}";
        NotePointsRunning => "合计 {} / {}", "sum {} of {}";
        FieldUnit => "单位", "Unit";
        FieldBudgetKind => "收支类型", "Kind";
        FieldCategory => "科目", "Category";
        FieldSource => "资金来源", "Source";
        FieldAmount => "金额", "Amount";
        FieldVoucher => "凭证号", "Voucher";
        OpenedOn => "，{} 建站", ", opened {}";
        ClosedOn => "，{} 撤站", ", closed {}";
        FiguresAsOf => "截至 {} 的合计（含下级）", "Totals as of {}";
        Coverage => "覆盖", "Covered";
        Allocated => "拨付", "Allocated";
        Spent => "支出", "Spent";
        RateValue => "执行率 {}", "{} spent";
        ByCategory => "按科目", "By category";
        NotStated => "未注明", "not stated";
        CountValue => "共 {} 次", "{} in all";
        NoGrade => "无等级", "no grade";
        WithoutEvaluation => "尚无评估的运营站点：{} 个", "operating stations not yet evaluated: {}";
        StaffPair => "专职 {}，持证 {}", "social workers {}, certified {}";
        PeopleCount => "{} 人", "{}";
        HoursGiven => "课时 {}，共 {} 次给出", "{} hours (given by {})";
        HoursNotStated => "课时未注明", "hours not stated";
        AttendeesGiven => "参训 {} 人次，共 {} 次给出", "{} attendees (given by {})";
        AttendeesNotStated => "参训人数未注明", "attendees not stated";
        StationOnDateValue => "；截至 {}：{}", "; on {}: {}";
        OwnFunds => "{}（本级）", "{} (own)";
        RecordCount => "共 {} 条，最新在前", "{} records, newest first";
        NewestOnly => "（只列最新的）", " (newest only)";
        EmptyEvaluations => "没有评估记录。按 v 录入一条。", "No evaluations. Press v to record one.";
        EmptyTrainings => "没有培训记录。按 t 录入一条。", "No trainings. Press t to record one.";
        EmptyBudget => "没有资金记录。按 b 录入一条。", "No budget entries. Press b to record one.";
        CoverageChanges => "覆盖变化（运营站点数/单位数）", "Changes in coverage (covered/units)";
        NoCoverageYet => "截至该日尚无运营站点。", "No station operating by this date.";
        FundingTotal => "截至 {}：拨付 {}，支出 {}", "As of {}: allocated {}, spent {}";
        BarLegend => "█ 已支出  ░ 未支出 · 金额为拨付 / 支出", "█ spent  ░ not yet spent · allocated / spent";
        ByChild => "按下级单位（{} 个）", "By unit below ({})";
        MoreChildren => "  …另有 {} 个下级单位", "  … and {} more units";
        NoChildren => "无下级单位", "no units below";
        NoFunding => "截至该日无资金记录", "no funding by this date";
        NoChildrenHere => "该单位没有下级单位。", "This unit has no units below it.";
        DepthShown => "显示到第 {} 层。", "Showing {} levels.";
        DepthTooMany =>
            "单位太多，已显示前 {} 行；请逐个展开。",
            "Too many units: stopped at {} rows; open units one by one.";
        FindPrompt => "查找：", "Find:";
        FindTitle => "查找结果（{}）", "Matches ({})";
        FindHelp =>
            "名称、编码或拼音首字母；Enter 转到，Esc 取消",
            "name, code or pinyin initials; Enter goes, Esc cancels";
        NoMatch => "没有与“{}”匹配的单位。", "No unit matches “{}”.";
        NoMatchShort => "无匹配", "no match";
        NoFindYet => "还没有查找：按 / 查找。", "Nothing found yet: press / to find.";
        MatchOf => "第 {}/{} 个匹配（n 下一个，N 上一个）", "Match {} of {} (n next, N previous)";
        FormTraining => "录入培训 · {}", "Record a training · {}";
        FormEvaluation => "录入评估 · {}", "Record an evaluation · {}";
        FormBudget => "录入资金 · {}", "Record a budget entry · {}";
        FormReverse => "冲销资金记录 · {}", "Reverse a budget entry · {}";
        // Correcting the entry `{0}` (its date and amount) of unit `{1}`.
        FormCorrect => "更正资金记录（{}）· {}", "Correct the budget entry of {} · {}";
        FormNewUnit => "新增下级单位 · {}", "New unit under {}";
        FormNewRoot => "新增单位", "New unit";
        FormEditUnit => "修改单位 · {}", "Edit unit · {}";
        FormHelp =>
            "* 为必填。Enter 或 Ctrl-S 保存，Esc 取消。",
            "* is required. Enter or Ctrl-S saves, Esc cancels.";
        ProblemsLeft => "还有 {} 处需要修改。", "{} problem(s) to fix.";
        PickHint => "←→ 切换，空格或打字选择", "←→ change, space or type to pick";
        PickerTitle => "选择（{}）", "Pick ({})";
        ServedDefault => "— 默认为主办单位", "— the host";
        ReverseNote => "冲销 {}", "reverses {}";
        NoteAmount => "即 {} 元{}", "= ¥{}{}";
        NoteGrade => "按得分为“{}”", "grade from score: {}";
        NotePartialDate => "按 {} 计入", "counts from {}";
        DashNotStated => "；— 为未注明", "; — unstated";
        TypeADate =>
            "请输入日期：可写 2021-11-09、2021-11 或 2021",
            "type a date: 2021-11-09, 2021-11 or 2021";
        FixFirst => "有 {} 处需要修改，尚未保存。", "{} problem(s) to fix; nothing was saved.";
        SavedTraining => "已保存培训：{}。", "Saved the training: {}.";
        SavedEvaluation => "已保存评估：{}。", "Saved the evaluation: {}.";
        SavedBudget => "已保存资金记录：{}。", "Saved the budget entry: {}.";
        // A correction: the entry `{0}` reversed and the entry `{1}` saved, in one write.
        SavedCorrection =>
            "已更正：冲销 {}，并保存 {}。",
            "Corrected: reversed {} and saved {}.";
        SavedUnit => "已保存单位：{}。", "Saved the unit: {}.";
        // An evaluation corrected (`c` on the evaluations tab, issue 15): the stored one
        // deleted and the corrected one saved, in one write.
        FormCorrectEvaluation => "更正评估（{}）· {}", "Correct the evaluation of {} · {}";
        SavedEvaluationCorrection =>
            "已更正评估：{}（原记录已删除；u 可撤销）。",
            "Corrected the evaluation: {} (the stored one deleted; u undoes it).";
        CorrectionUnchanged => "没有改动，未保存。", "Nothing was changed; nothing was saved.";
        CorrectionSchemeMissing =>
            "这条评估的分项属于未存储的方案“{}”，无法更正。",
            "This evaluation's points are of the scheme “{}”, which is not stored: it cannot be corrected.";
        Deleted => "已删除。", "Deleted.";
        Cancelled => "已取消。", "Cancelled.";
        AskQuit => "表单中有未保存的输入。确定退出吗？", "The form holds unsaved input. Quit anyway?";
        AskDiscard => "放弃表单中未保存的输入吗？", "Discard the unsaved input of the form?";
        AskDeleteEvaluation => "删除这条评估记录吗？{}", "Delete this evaluation? {}";
        AskDeleteTraining => "删除这条培训记录吗？{}", "Delete this training? {}";
        ConfirmTitle => "请确认", "Please confirm";
        OtherKeys => "其他键", "other keys";
        BudgetNotDeleted =>
            "资金记录不能删除：按 r 录入一条冲销记录。",
            "Budget entries are not deleted: press r to enter a reversing entry.";
        ReverseOnlyBudget =>
            "冲销只用于资金记录：先切换到“资金”标签。",
            "Reversing is for budget entries: switch to the Budget tab first.";
        DeleteWhat => "在评估或培训标签中选择一条记录再删除。", "Select an evaluation or a training to delete.";
        NothingSelected => "没有选中的记录。", "No record is selected.";
        TooSmall =>
            "窗口太小：至少需要 {}×{}，现在是 {}×{}。请放大窗口。",
            "The window is too small: it needs at least {}×{} and is {}×{}. Please enlarge it.";
        HelpTitle => "按键一览（Esc、q 或 ? 关闭）", "Keys (Esc, q or ? closes)";
        HelpMore => "… ↓ PgDn 查看更多，Esc、q 或 ? 关闭", "… ↓ PgDn for more; Esc, q or ? closes";
        MoreAbove => "↑ 上面还有", "↑ more above";
        MoreBelow => "↓ 下面还有", "↓ more below";
        MoreAboveK => "↑ 上面还有 K", "↑ more above K";
        MoreBelowJ => "↓ 下面还有 J", "↓ more below J";
        HelpMain => "浏览（单位树和记录表）", "Browsing (tree and records)";
        HelpTree => "单位树", "The tree";
        HelpRecords => "记录表（按 f 进入）", "The records table (f enters it)";
        HelpForm => "表单", "Forms";
        HelpPicker => "选择列表", "Pickers";
        HelpFind => "查找", "Find";
        HelpAny => "任何时候", "Anywhere";
        HelpNoteAsOf =>
            "截至日期：汇总只计入该日及以前的记录；部分日期（2021-11、2021）在其整个时段结束时才计入。",
            "As of: figures count records dated on or before it; a partial date (2021-11, 2021) counts once its whole period has ended.";
        HelpNoteMoney =>
            "金额可写 120000、1,200.50、¥300、12万；以分为单位存储，从不使用浮点数。",
            "Amounts: 120000, 1,200.50 or ¥300; stored in whole fen, never as floats.";
        HelpNoteBudget =>
            "资金记录不修改也不删除：录错时按 r 录入冲销记录（金额取负）。",
            "Budget entries are never edited or deleted: a wrong one is corrected with a reversing entry (r).";
        SpaceKey => "空格", "Space";
        KeyHelp => "帮助", "help";
        KeyQuit => "退出", "quit";
        KeyQuitAnywhere => "退出（表单有未保存输入时先询问）", "quit (asks when a form holds unsaved input)";
        KeyMove => "移动", "move";
        KeyPageUp => "上一页", "page up";
        KeyPageDown => "下一页", "page down";
        KeyHome => "第一行", "first row";
        KeyEnd => "最后一行", "last row";
        KeyTab => "切换标签", "next tab";
        KeyPrevTab => "上一个标签", "previous tab";
        KeyFocus => "进入/离开记录表", "records table";
        KeyAddTraining => "录入培训", "add training";
        KeyAddEvaluation => "录入评估", "add evaluation";
        KeyAddBudget => "录入资金", "add budget entry";
        KeyMonth => "按月", "month";
        KeyYear => "按年", "year";
        KeyToday => "截至今天", "as of today";
        KeyFind => "查找", "find";
        KeyFindNext => "下一个匹配", "next match";
        KeySubtree => "记录含下级", "records below";
        KeyAddUnit => "新增下级单位", "add unit";
        KeyEditUnit => "修改单位", "edit unit";
        KeyZoom => "放大详情", "zoom details";
        KeyClearFind => "清除查找标记", "clear find marks";
        KeyOpen => "展开", "open";
        KeyClose => "收起/上级", "close/up";
        KeyDepth => "显示层数", "levels shown";
        KeyDelete => "删除记录", "delete record";
        KeyReverse => "冲销资金", "reverse entry";
        KeyCorrect => "更正记录", "correct entry";
        KeyBackToTree => "回到单位树", "back to tree";
        KeySave => "保存", "save";
        KeyCancel => "取消", "cancel";
        KeyNextField => "下一项", "next field";
        KeyPrevField => "上一项", "previous field";
        KeyPick => "打开选择", "pick";
        KeyLeftRight => "切换", "change";
        KeyLineStart => "行首", "start of line";
        KeyLineEnd => "行尾", "end of line";
        KeyBackspace => "删除前一字", "delete back";
        KeyDeleteForward => "删除后一字", "delete forward";
        KeyChoose => "选定", "choose";
        KeyGoTo => "转到", "go to";
        KeyConfirm => "确认", "confirm";
        SubtreeTooLarge =>
            "下级单位 {} 个，太多：只列本单位的记录（请到区、街道一级查看含下级的记录）。",
            "{} units below are too many to list: this unit's own records only (list them at district or street level).";
        FootDepth => "层数", "levels";
        FootFocus => "记录表", "records";
        FootTab => "标签", "tabs";
        FootToday => "今天", "today";
        FootPage => "翻页", "page";
        WarnAfterToday => "日期 {} 晚于今天（{}）。", "The date {} is after today ({}).";
        WarnBeforeOpened => "日期 {} 早于{}建站（{}）。", "The date {} is before {}'s station opened ({}).";
        WarnNegativeAllocation =>
            "拨付金额为负（{} 元）：这是一笔更正（冲减已拨付的钱），不是新的拨付。",
            "A negative allocation (¥{}) is a correction (it takes back money allocated), not new money.";
        AskSaveAnyway => "仍然保存吗？", "Save anyway?";
        NoteCorrection => "，是更正（冲减）", ", a correction";
        HelpDatePrompt => "输入截至日期（g）", "An as-of date (g)";
        KeyGoToDate =>
            "输入任意截至日期（2021-05-30、2021/11/9、2021年11月、2021）",
            "type any as-of date (2021-05-30, 2021/11/9, 2021-11, 2021)";
        FootGoToDate => "日期", "date";
        KeyShowDate => "按此日期显示", "show as of this date";
        DatePromptLabel => "截至日期：", "As of:";
        DateAfterToday =>
            "“{}”晚于今天（{}）：只能查看今天及以前",
            "“{}” is after today ({}): only today and earlier can be shown";
        KeyDetailsDown => "详情向下滚动", "scroll the details down";
        KeyDetailsUp => "详情向上滚动", "scroll the details up";
        FootDetailsScroll => "滚动详情", "scroll details";
        FootMore => "其余按键", "more keys";
        FootHomeEnd => "首/尾", "top/end";
        UiFailed => "终端界面出错：", "the terminal UI failed: ";
        NeedsTerminal =>
            "不带命令运行 shegong 会打开终端界面，需要在终端中运行。命令一览：shegong --help",
            "shegong without a command opens the terminal UI and needs a terminal. For the commands: shegong --help";
        ChartShares => "（纵轴为覆盖比例）", "(shares covered)";
        BySourcePair => "按来源（拨付 / 支出）", "By source (allocated / spent)";
        ByCategoryPair => "按科目（拨付 / 支出）", "By category (allocated / spent)";
        KeyCloseHelp => "关闭", "close";
        HelpHelp => "本帮助", "This help";
        HelpConfirm => "确认对话框（其他键都是取消）", "A confirmation (every other key cancels)";
        KeyClearField => "清空本项", "clear the field";
        KeyRight => "光标右移或下一个选项", "caret right, or next choice";
        KeyLeft => "光标左移或上一个选项", "caret left, or previous choice";
        HelpEdit => "编辑文字（表单、查找、日期、筛选）", "Editing text (forms, find, date, filter)";
        KeyCaretLeft => "光标左移", "caret left";
        KeyCaretRight => "光标右移", "caret right";
        KeyWordLeft => "光标移到前一个词的开头", "caret to the start of the word before";
        KeyWordRight => "光标移到后一个词的末尾", "caret to the end of the word after";
        KeyOpenClose => "展开/收起", "open/close";
        KeyFindNextPrev => "下/上一个", "next/prev match";
        KeyFindPrev => "上一个匹配", "previous match";
        KeyYearForward => "截至日期推后到下年末（不晚于今天）", "as of the end of the next year (not after today)";
        KeyYearBack => "截至日期提前到上年末", "as of the end of the previous year";
        KeyMonthForward => "截至日期推后一个月（不晚于今天）", "as of the end of the next month (not after today)";
        KeyMonthBack => "截至日期提前一个月（月末）", "as of the end of the previous month";
        KeyDown => "下移", "down";
        KeyUp => "上移", "up";
        KeyHistory => "本单位（或选中记录）的变更记录", "history of the unit (or of the selected record)";
        FootHistory => "变更记录", "history";
        KeyUndo => "撤销最近一次变更（先询问）", "undo the last change (asks first)";
        FootUndo => "撤销", "undo";
        KeyHistorySubtree => "含/不含下级单位的变更", "changes of the units below too, or not";
        HelpHistory => "变更记录（按 H 打开）", "History (H opens it)";
        HistoryTitle => "变更记录 · {}", "History · {}";
        HistoryCount => "（{} 条）", " ({})";
        ColWhen => "时间", "when";
        ColWho => "操作人", "who";
        ColChange => "变更", "change";
        HistoryEmpty => "没有变更记录。", "No changes recorded.";
        HistoryUndone => "（已撤销）", " (undone)";
        HistoryAdded => "新增的记录：", "The record added:";
        HistoryRemoved => "删除的记录：", "The record removed:";
        HistoryChanged => "修改的字段（之前 → 之后）：", "Fields changed (before → after):";
        HistoryNoField => "没有字段改变。", "No field changed.";
        HistoryBulk =>
            "批量变更只记录条数，不逐条记录字段。",
            "A bulk change is journaled as counts, not field by field.";
        HistoryBefore => "之前：", "before: ";
        HistoryAfter => "之后：", "after: ";
        HistoryRecordOnly =>
            "这是一条记录的变更；单位的变更请在单位树中按 H。",
            "This is one record's history; press H in the tree for the unit's.";
        AskUndo =>
            "撤销这次变更吗？\n{}\n（{}，{}）\n撤销本身也会记入变更记录。",
            "Undo this change?\n{}\n(by {}, {})\nThe undo is journaled too.";
        Undone => "已撤销：{}", "Undone: {}";
        NothingToUndo => "没有可以撤销的变更。", "There is no change to undo.";
        UndoMoved =>
            "最近的变更已不是询问时的那一次，未撤销：请再按 u。",
            "The last change is no longer the one asked about; nothing was undone: press u again.";
        // Units deleted, codes unlike their siblings', reversals (the journal helper's words).
        KeyDeleteUnit => "删除单位", "delete unit";
        AskDeleteUnit =>
            "删除单位 {} 吗？它没有下级单位，也没有任何记录。删除会记入变更记录，可以撤销（u）。",
            "Delete the unit {}? It has no units below it and no records. The deletion is journaled and can be undone (u).";
        DeletedUnit => "已删除单位 {}（按 u 可撤销）。", "Deleted the unit {} (u undoes it).";
        CodeUnlikeSiblings =>
            "编码与同级单位的编码（如 {}）长度或前缀不同：确认无误请再按一次回车保存。",
            "The code differs in length or prefix from its siblings' (such as {}): press Enter again to save it as it is.";
        CodeUnlikeParent =>
            "编码长度与上级单位的编码（{}）不同：确认无误请再按一次回车保存。",
            "The code differs in length from its parent's ({}): press Enter again to save it as it is.";
        ReversedBy => "已由 #{} 冲销", "reversed by #{}";
        IsReversal => "冲销", "reversal";
        // A field's name, then what it says (a problem).
        LabelValue => "{}：{}", "{}: {}";
        // Said in both languages at once (from the panic hook too, where the language is not
        // at hand).
        TerminalNotRestored => "终端未能复原，请运行 `reset`。", "The terminal could not be restored: run `reset`.";
        // Another session's change, on a shared server (`tui::app::live`): who, what, which
        // unit, at what time (HH:MM).
        LiveChanged => "{} 更新了{}：{}（{}）", "{} updated {}: {} ({})";
        LiveWhatUnits => "单位", "units";
        LiveWhatEvaluations => "评估", "evaluations";
        LiveWhatTrainings => "培训", "trainings";
        LiveWhatBudget => "资金", "the budget";
        LiveMoreUnits => "{} 等另 {} 个单位", "{} and {} more";
        LiveManyUnits => "多个单位", "many units";
        LiveUnreadable => "收到无法读取的变更通知，已全部重读：{}", "A change notice could not be read; everything was read again: {}";
        // The banner while the shared server cannot be reached (`tui::app::outage`): the
        // server (`login@host:port/db`), and since when (HH:MM).
        ServerAway =>
            "⚠ 自 {1} 起无法连接共享服务器 {0}。已输入的内容不会丢失，程序每隔几秒自动重试。",
            "⚠ The shared server {0} cannot be reached since {1}. Nothing you typed is lost; retrying by itself every few seconds.";
        // The server answers again: which one, at what time (HH:MM).
        ServerBack =>
            "共享服务器 {} 已恢复连接（{}），数字已重新读取。",
            "The shared server {} is back ({}); the figures were read again.";
        // The details pane of a unit not read before the server went away.
        ShownWhenBack => "— 服务器恢复后显示", "— shown when the server is back";
        // A save refused because the server cannot be reached; `{}` says why.
        NotSavedServerAway =>
            "未保存：无法连接共享服务器（{}）。表单保留了输入的内容，服务器恢复后再按 Ctrl-S 保存。",
            "Not saved: the shared server cannot be reached ({}). The form keeps what you typed; press Ctrl-S again once it is back.";
        // The per-indicator tab (issue 15, `tui::indicator_view`).
        TabIndicators => "分项指标", "Indicators";
        TabIndicatorsShort => "分项", "Ind.";
        NoSchemeYet =>
            "尚无评估方案：用 shegong import schemes 文件 导入一个（或 import schemes example 载入示例方案），再导入带分项得分的评估。",
            "No evaluation scheme yet: import one with shegong import schemes FILE (or import schemes example for the example scheme), then evaluations with points per indicator.";
        // The as-of date.
        NoPointsYet =>
            "截至 {}，本单位及下级站点的最新评估都没有分项得分。",
            "As of {}, no latest evaluation in this subtree gives points per indicator.";
        // The scheme, how many stations, the as-of date.
        IndicatorsHead => "{} · {} 个站点的最新评估 · 截至 {}", "{} · latest evaluations of {} stations · as of {}";
        IndicatorsLegend => "各指标平均得分率（得分 ÷ 满分）", "Mean share of each indicator's maximum";
        LowestHead => "各维度得分率最低的站点（↑↓ 选择，Enter 在单位树中打开）", "Lowest stations per group (↑↓ choose, Enter opens in the tree)";
        KeyOpenStation => "在单位树中打开所选站点", "open the chosen station in the tree";
        // The station's name.
        StationOpened => "已在单位树中打开 {}", "Opened {} in the tree";
    }
}
