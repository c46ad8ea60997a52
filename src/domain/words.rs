//! Every enumeration of the domain, each value with its English and Chinese word. Import
//! accepts either word; export writes the English one; the UI shows the user's language.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $en:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            pub fn label(self, lang: Lang) -> &'static str {
                match lang { Lang::Zh => self.zh(), Lang::En => self.en() }
            }

            /// The English or the Chinese word, case-insensitive for English.
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim();
                $name::ALL.iter().copied().find(|v| v.en().eq_ignore_ascii_case(t) || v.zh() == t)
            }

            pub fn index(self) -> usize {
                self as usize
            }

            /// "a/甲, b/乙": what an error message lists as the accepted words.
            pub fn choices() -> String {
                $name::ALL.iter().map(|v| format!("{}/{}", v.en(), v.zh())).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

words!(
    /// Administrative level of a unit; deeper levels have larger values.
    Level {
        Province = "province" / "省",
        City = "city" / "市",
        District = "district" / "区",
        Street = "street" / "街道",
        Community = "community" / "社区",
    }
);

words!(
    StationStatus {
        None = "none" / "无",
        Planned = "planned" / "筹建",
        Building = "building" / "在建",
        Operating = "operating" / "运营",
        Closed = "closed" / "撤销",
    }
);

words!(
    /// A unit's own station as it stood on a date (SPEC.md "Rollups"): covered, opened only
    /// later, closed by then, or the stored status of a station without dates.
    StationOnDate {
        // Two characters, as wide as the stored statuses, for the tree's narrow column.
        Covered = "covered" / "运营",
        NotYet = "not_yet" / "未建",
        Closed = "closed" / "已撤",
        None = "none" / "无",
        Planned = "planned" / "筹建",
        Building = "building" / "在建",
    }
);

impl StationOnDate {
    /// The word shown to a reader: `label`, except that English reads "not yet" where the
    /// token (JSON, CSV) stays `not_yet`; the workbook, read by people, says "not yet" too.
    pub fn shown(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (StationOnDate::NotYet, Lang::En) => "not yet",
            _ => self.label(lang),
        }
    }
}

words!(
    EvalKind {
        Midterm = "midterm" / "中期",
        Annual = "annual" / "年度",
        Final = "final" / "终期",
        SelfAssessment = "self" / "自评",
        Spot = "spot" / "抽查",
    }
);

words!(
    Grade {
        Excellent = "excellent" / "优秀",
        Good = "good" / "良好",
        Pass = "pass" / "合格",
        Fail = "fail" / "不合格",
    }
);

words!(
    TrainingKind {
        Class = "class" / "培训班",
        Coaching = "coaching" / "一对一辅导",
        Supervision = "supervision" / "督导",
        Meeting = "meeting" / "调度会",
    }
);

words!(
    TrainingMode {
        Online = "online" / "线上",
        Offline = "offline" / "线下",
        Mixed = "mixed" / "混合",
    }
);

words!(
    BudgetKind {
        Allocation = "allocation" / "拨付",
        Expenditure = "expenditure" / "支出",
    }
);

words!(
    Category {
        Construction = "construction" / "建设",
        Operation = "operation" / "运营",
        ServicePurchase = "service_purchase" / "购买服务",
        Training = "training" / "培训",
        Equipment = "equipment" / "设备",
        Other = "other" / "其他",
    }
);

words!(
    Source {
        Fiscal = "fiscal" / "财政",
        WelfareLottery = "welfare_lottery" / "福彩公益金",
        Other = "other" / "其他",
    }
);

impl Grade {
    /// The grade a score earns: ≥90 excellent, ≥80 good, ≥60 pass, below fail. Score in tenths.
    pub fn from_score_tenths(tenths: u16) -> Grade {
        match tenths {
            900.. => Grade::Excellent,
            800.. => Grade::Good,
            600.. => Grade::Pass,
            _ => Grade::Fail,
        }
    }
}

impl StationStatus {
    /// Whether a station in this status has been opened (and so needs `opened_on`).
    pub fn has_opened(self) -> bool {
        matches!(self, StationStatus::Operating | StationStatus::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_words() {
        assert_eq!(Level::parse("街道"), Some(Level::Street));
        assert_eq!(Level::parse("Street"), Some(Level::Street));
        assert_eq!(EvalKind::parse("self"), Some(EvalKind::SelfAssessment));
        assert_eq!(Category::parse("购买服务"), Some(Category::ServicePurchase));
        assert_eq!(Source::parse("nonsense"), None);
        assert!(Level::Community > Level::Street);
    }

    #[test]
    fn grades_follow_scores() {
        assert_eq!(Grade::from_score_tenths(900), Grade::Excellent);
        assert_eq!(Grade::from_score_tenths(899), Grade::Good);
        assert_eq!(Grade::from_score_tenths(600), Grade::Pass);
        assert_eq!(Grade::from_score_tenths(599), Grade::Fail);
    }

    #[test]
    fn a_station_on_a_date_reads_not_yet_in_english_only_where_shown() {
        assert_eq!(StationOnDate::NotYet.shown(Lang::En), "not yet");
        assert_eq!(StationOnDate::NotYet.label(Lang::En), "not_yet");
        assert_eq!(StationOnDate::NotYet.shown(Lang::Zh), "未建");
        assert_eq!(StationOnDate::Covered.shown(Lang::En), "covered");
        assert_eq!(StationOnDate::Closed.shown(Lang::Zh), "已撤");
    }

    #[test]
    fn only_an_operating_or_closed_station_has_opened() {
        let opened: Vec<_> = StationStatus::ALL.iter().filter(|s| s.has_opened()).collect();
        assert_eq!(opened, [&StationStatus::Operating, &StationStatus::Closed]);
    }
}
