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
        SchemeChanged =>
            "方案“{}”已存有不同内容：方案导入后不能修改（请换一个方案名称）",
            "the scheme “{}” is stored already with different content: a stored scheme is not changed (give the new one another name)";
    }
}
