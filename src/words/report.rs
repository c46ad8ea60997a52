//! The words of the rollup report (`report`: its table; `report_book`: its workbook's sheets,
//! headers and notes).

catalogue! {
    /// The key of a text of the report.
    R {
        // Arguments: unit, amount.
        MoneyTooLargeForSheet =>
            "{0}的金额 {1} 元超出电子表格能准确到分显示的范围（15 位有效数字，即不足 10 万亿元），未写出工作簿；请改用 --format csv 或 json",
            "the amount ¥{1} of {0} is more than a spreadsheet shows exactly to the fen (15 significant digits: under 10 trillion yuan); no workbook was written: use --format csv or json";
        OneRowPerUnit =>
            "每行为其下一个单位（含其下各级的合计），按层级顺序排列",
            "One row per unit below it (each with the units below that), in tree order";
        OneRowPerChild =>
            "每行为一个下级单位（含其下各级的合计）",
            "One row per child unit (each with the units below it)";
        HeaderCode => "编码", "code";
        HeaderName => "名称", "name";
        HeaderLevel => "层级", "level";
        HeaderParent => "上级编码", "parent";
        HeaderSection => "分类", "section";
        HeaderItem => "项目", "item";
        HeaderValue => "数值", "value";
        SheetSummary => "汇总", "Summary";
        HeaderAsOf => "截至", "as of";
        OwnStationDate => "本级站点（截至当日）", "own station on the date";
        StationStored => "站点现状", "station (stored)";
        HeaderOpened => "建站日期", "opened on";
        HeaderClosed => "撤站日期", "closed on";
        SectionCoverage => "覆盖", "coverage";
        UnitsAtLevel => "{}单位数", "{} units";
        CoveredAtLevel => "{}有运营站点", "{} covered";
        SectionFunding => "资金", "funding";
        AllocatedYuan => "拨付（元）", "allocated ¥";
        SpentYuan => "支出（元）", "spent ¥";
        SpentShare => "执行率", "spent/allocated";
        CategoryNotStated => "未注明科目", "category not stated";
        AllocatedLower => "拨付", "allocated";
        SpentLower => "支出", "spent";
        MeasureYuan => "{}·{}（元）", "{}: {} ¥";
        SourceNotStated => "未注明来源", "source not stated";
        EvaluationCount => "评估次数", "evaluations";
        GradeNotSet => "未定等级", "no grade";
        StationsEvaluated => "已评估站点", "stations evaluated";
        OperatingStationsWithoutOne => "未评估的运营站点", "operating stations without one";
        TrainingCount => "培训次数", "trainings";
        ModeNotStated => "未注明形式", "mode not stated";
        HeaderHours => "课时", "hours";
        TrainingsGivingHours => "给出课时的培训", "trainings giving hours";
        HeaderAttendees => "参训人次", "attendees";
        TrainingsGivingAttendees => "给出人数的培训", "trainings giving attendees";
        KindIs => "类型：{}", "kind: {}";
        GradeIs => "等级：{}", "grade: {}";
        ModeIs => "形式：{}", "mode: {}";
        SheetCoverage => "覆盖", "Coverage";
        AllocatedYuanOf => "{}·拨付（元）", "{}: allocated ¥";
        SpentYuanOf => "{}·支出（元）", "{}: spent ¥";
        FundingBySource => "资金（按来源）", "Funding by source";
        FundingByCategory => "资金（按科目）", "Funding by category";
        OwnLatestEvaluation => "本级最近评估日期", "own latest evaluation";
        HeaderKind => "类型", "kind";
        HeaderEvaluator => "评估机构", "evaluator";
        HeaderScore => "得分", "score";
        HeaderGrade => "等级", "grade";
        OpenedOnDate => "建站 {}", "opened {}";
        ClosedOnDate => "撤站 {}", "closed {}";
        CoverageCoveredUnits => "覆盖（有运营站点/单位数）：", "Coverage (covered/units): ";
        HoursGivenBy => "课时 {}（{} 次给出）", "hours {} (given by {})";
        AttendeesGivenBy => "参训 {} 人次（{} 次给出）", "attendees {} (given by {})";
        HeaderStation => "站点", "station";
        CoveredSuffix => "覆盖", " covered";
        HeaderEvals => "评估", "evals";
        // The report's table (`report::to_table`) and the workbook's heading.
        TitleAsOf => "{} · {} · 截至 {}", "{} · {} · as of {}";
        MadeFrom => "数据来源：{}（shegong 数据库）· 报表生成于 {}", "Source: the shegong store in {} · report made {}";
        OwnStationStored => "本级站点（截至 {}）：{}（现状：{}）", "Own station on {}: {} (stored: {})";
        FundingLine =>
            "资金：拨付 {} 元  支出 {} 元  执行率 {}",
            "Funding: allocated ¥{}  spent ¥{}  spent/allocated {}";
        EvaluationsLine =>
            "评估：{} 次{}  已评估站点 {}  未评估的运营站点 {}",
            "Evaluations: {}{}  stations evaluated {}  operating stations without one {}";
        TrainingsLine => "培训：{} 次{}{}", "Trainings: {}{}{}";
        // Counts by kind after a total: `（中期 1，终期 2）`.
        Bracketed => "（{}）", " ({})";
    }
}
