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
        // The import's summary.
        SchemesImported =>
            "已导入 {} 个评估方案（共 {} 个指标）；{} 个方案已存在且相同",
            "imported {} evaluation schemes ({} indicators); {} were stored already, identical";
    }
}
