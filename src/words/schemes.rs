//! The words of evaluation schemes (issue 15): their files' problems, their import and export,
//! the per-indicator rollup in the report, the workbook and the UI.

catalogue! {
    /// The key of a text about evaluation schemes and their indicators.
    K {
        // A scheme's own rules (`domain::scheme`).
        IndicatorTwice => "指标编码“{}”在方案中出现了两次", "the indicator code “{}” is in the scheme twice";
        SchemeOverHundred =>
            "各指标满分合计 {} 分，超过 100 分（得分最多 100 分）",
            "the indicators' maximum points add up to {}, more than 100 (a score is at most 100)";
        NotAnIndicator => "“{}”不是方案“{}”的指标", "“{}” is not an indicator of the scheme “{}”";
        PointsOverMax => "{} 分超过该指标满分 {} 分", "{} is more than the indicator's {} points";
        ScoreDisagreesWithPoints =>
            "得分 {} 与各指标分数之和 {} 不符",
            "{} does not agree with the sum of the indicators' points, {}";
        UnknownScheme => "没有名为“{}”的评估方案（先导入方案：shegong import schemes 文件）",
            "there is no evaluation scheme “{}” (import it first: shegong import schemes FILE)";
        // An evaluation's points checked without their scheme (`Evaluation::validate`).
        IndicatorGivenTwice => "指标 {} 的分数给了两次", "the indicator {} is given points twice";
        IndicatorOverHundred => "指标 {}：{} 分超过 100 分", "indicator {}: {} is more than 100 points";
        PointsNameNoScheme => "给了各指标分数，但没有说明是哪个方案", "gives points per indicator but names no scheme";
        PointsWithoutScheme => "填了指标分数，但“方案”一栏为空", "has points but the scheme column is empty";
        UnknownIndicatorColumn =>
            "不是任何已导入评估方案的指标（编码或名称），也不是评估文件的列",
            "is not an indicator (code or name) of any stored evaluation scheme, nor a column of an evaluations file";
        SchemeChanged =>
            "方案“{}”已存有不同内容：方案导入后不能修改（请换一个方案名称）",
            "the scheme “{}” is stored already with different content: a stored scheme is not changed (give the new one another name)";
        SchemeRowsDisagree =>
            "方案“{}”的指标“{}”在文件中出现了两次",
            "the scheme “{}” has the indicator “{}” twice in the file";
        SchemesSheet => "评估方案", "Schemes";
        // The workbook (`report_book`) and the report.
        IndicatorsSheet => "指标", "Indicators";
        LowestSheet => "各维度最低站点", "Lowest by group";
        IndicatorRowsAre =>
            "每行一个指标：各站点截至该日最新一次评估中给出该指标分数的，平均得分与平均得分率",
            "one row per indicator: over each station's latest evaluation as of the date that gives it, the mean points and mean share of the maximum";
        LowestRowsAre =>
            "每个维度得分率最低的 {} 个站点（该维度内已评指标的得分 ÷ 满分）",
            "the {} stations lowest on each group (points ÷ maximum over the group's indicators they were given)";
        IndicatorShareHeader => "{}·{} 平均得分率", "{} {} mean share";
        HeaderScheme => "方案", "Scheme";
        HeaderGroup => "维度", "Group";
        HeaderIndicator => "指标编码", "Indicator";
        HeaderIndicatorName => "指标名称", "Name";
        HeaderMaxPoints => "满分", "Max points";
        HeaderGiven => "评分站点数", "Stations given";
        HeaderMeanPoints => "平均得分", "Mean points";
        HeaderMeanShare => "平均得分率", "Mean share";
        HeaderRank => "名次", "Rank";
        HeaderStationCode => "站点编码", "Station code";
        HeaderStationName => "站点名称", "Station";
        HeaderPoints => "得分", "Points";
        HeaderShare => "得分率", "Share";
        // The UI's evaluations tab.
        PointsInNote => "{} 分项：{}", "{} points: {}";
        // The selected evaluation's points under the evaluations table: date, unit, scheme,
        // score; the group of indicators its scheme does not have; the block cut short.
        PointsDetailHead => "{} {} · {} 分项（得分 {}）", "{} {} · points of {} (score {})";
        PointsOtherGroup => "其他", "Other";
        PointsDetailCut => "……（z 放大详情可看全部分项）", "… (z zooms the details to show all points)";
        // The import's summary, put together from counts each said whole in its number (as
        // ImportProblem / ImportProblems): "imported 1 evaluation scheme (20 indicators); 0
        // were stored already, identical".
        SchemesImported => "已导入 {}（共 {}）；{}", "imported {} ({}); {}";
        SchemesCountOne => "1 个评估方案", "1 evaluation scheme";
        SchemesCount => "{} 个评估方案", "{} evaluation schemes";
        IndicatorsCountOne => "1 个指标", "1 indicator";
        IndicatorsCount => "{} 个指标", "{} indicators";
        SchemesStoredOne => "1 个方案已存在且相同", "1 was stored already, identical";
        SchemesStored => "{} 个方案已存在且相同", "{} were stored already, identical";
    }
}
