//! The columns of each kind of file: English name and Chinese alias, in export order.

use super::Kind;

#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub alias: &'static str,
}

const fn c(name: &'static str, alias: &'static str) -> Column {
    Column { name, alias }
}

const UNITS: &[Column] = &[
    c("code", "编码"),
    c("parent", "上级编码"),
    c("level", "层级"),
    c("name", "名称"),
    c("station", "站点状态"),
    c("opened_on", "建站日期"),
    c("closed_on", "撤站日期"),
    c("operator", "运营机构"),
    c("address", "地址"),
    c("contact", "联系人"),
    c("phone", "电话"),
    c("social_workers", "专职社工"),
    c("certified_workers", "持证社工"),
    c("note", "备注"),
];

const EVALUATIONS: &[Column] = &[
    c("id", "编号"),
    c("unit", "站点"),
    c("date", "日期"),
    c("kind", "类型"),
    c("evaluator", "评估机构"),
    c("score", "得分"),
    c("grade", "等级"),
    c("note", "备注"),
];

const TRAININGS: &[Column] = &[
    c("id", "编号"),
    c("date", "日期"),
    c("host", "主办"),
    c("kind", "类型"),
    c("mode", "形式"),
    c("topic", "主题"),
    c("hours", "课时"),
    c("attendees", "参训人数"),
    c("units", "服务站点"),
    c("note", "备注"),
];

const BUDGET: &[Column] = &[
    c("id", "编号"),
    c("date", "日期"),
    c("unit", "站点"),
    c("kind", "类型"),
    c("category", "科目"),
    c("source", "来源"),
    c("amount", "金额"),
    c("voucher", "凭证号"),
    c("note", "备注"),
];

pub fn columns_of(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::Units => UNITS,
        Kind::Evaluations => EVALUATIONS,
        Kind::Trainings => TRAININGS,
        Kind::Budget => BUDGET,
    }
}

/// Positions of each kind's columns in `columns_of(kind)`, for reading cells without looking
/// names up per cell. A test checks them against the lists above.
pub mod unit_col {
    pub const CODE: usize = 0;
    pub const PARENT: usize = 1;
    pub const LEVEL: usize = 2;
    pub const NAME: usize = 3;
    pub const STATION: usize = 4;
    pub const OPENED_ON: usize = 5;
    pub const CLOSED_ON: usize = 6;
    pub const OPERATOR: usize = 7;
    pub const ADDRESS: usize = 8;
    pub const CONTACT: usize = 9;
    pub const PHONE: usize = 10;
    pub const SOCIAL_WORKERS: usize = 11;
    pub const CERTIFIED_WORKERS: usize = 12;
    pub const NOTE: usize = 13;
}

pub mod eval_col {
    pub const ID: usize = 0;
    pub const UNIT: usize = 1;
    pub const DATE: usize = 2;
    pub const KIND: usize = 3;
    pub const EVALUATOR: usize = 4;
    pub const SCORE: usize = 5;
    pub const GRADE: usize = 6;
    pub const NOTE: usize = 7;
}

pub mod training_col {
    pub const ID: usize = 0;
    pub const DATE: usize = 1;
    pub const HOST: usize = 2;
    pub const KIND: usize = 3;
    pub const MODE: usize = 4;
    pub const TOPIC: usize = 5;
    pub const HOURS: usize = 6;
    pub const ATTENDEES: usize = 7;
    pub const UNITS: usize = 8;
    pub const NOTE: usize = 9;
}

pub mod budget_col {
    pub const ID: usize = 0;
    pub const DATE: usize = 1;
    pub const UNIT: usize = 2;
    pub const KIND: usize = 3;
    pub const CATEGORY: usize = 4;
    pub const SOURCE: usize = 5;
    pub const AMOUNT: usize = 6;
    pub const VOUCHER: usize = 7;
    pub const NOTE: usize = 8;
}

/// The most columns any kind has.
pub const MAX_COLUMNS: usize = 14;

/// The position of a column in its kind's list, by English name.
pub fn position(kind: Kind, name: &str) -> Option<usize> {
    columns_of(kind).iter().position(|c| c.name == name)
}

/// The column a header names, by English name (any case) or Chinese alias.
pub fn find(kind: Kind, header: &str) -> Option<&'static Column> {
    let h = header.trim();
    columns_of(kind)
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(h) || c.alias == h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_match_the_lists() {
        let checks: [(Kind, &[(usize, &str)]); 4] = [
            (
                Kind::Units,
                &[
                    (unit_col::CODE, "code"),
                    (unit_col::PARENT, "parent"),
                    (unit_col::LEVEL, "level"),
                    (unit_col::NAME, "name"),
                    (unit_col::STATION, "station"),
                    (unit_col::OPENED_ON, "opened_on"),
                    (unit_col::CLOSED_ON, "closed_on"),
                    (unit_col::OPERATOR, "operator"),
                    (unit_col::ADDRESS, "address"),
                    (unit_col::CONTACT, "contact"),
                    (unit_col::PHONE, "phone"),
                    (unit_col::SOCIAL_WORKERS, "social_workers"),
                    (unit_col::CERTIFIED_WORKERS, "certified_workers"),
                    (unit_col::NOTE, "note"),
                ],
            ),
            (
                Kind::Evaluations,
                &[
                    (eval_col::ID, "id"),
                    (eval_col::UNIT, "unit"),
                    (eval_col::DATE, "date"),
                    (eval_col::KIND, "kind"),
                    (eval_col::EVALUATOR, "evaluator"),
                    (eval_col::SCORE, "score"),
                    (eval_col::GRADE, "grade"),
                    (eval_col::NOTE, "note"),
                ],
            ),
            (
                Kind::Trainings,
                &[
                    (training_col::ID, "id"),
                    (training_col::DATE, "date"),
                    (training_col::HOST, "host"),
                    (training_col::KIND, "kind"),
                    (training_col::MODE, "mode"),
                    (training_col::TOPIC, "topic"),
                    (training_col::HOURS, "hours"),
                    (training_col::ATTENDEES, "attendees"),
                    (training_col::UNITS, "units"),
                    (training_col::NOTE, "note"),
                ],
            ),
            (
                Kind::Budget,
                &[
                    (budget_col::ID, "id"),
                    (budget_col::DATE, "date"),
                    (budget_col::UNIT, "unit"),
                    (budget_col::KIND, "kind"),
                    (budget_col::CATEGORY, "category"),
                    (budget_col::SOURCE, "source"),
                    (budget_col::AMOUNT, "amount"),
                    (budget_col::VOUCHER, "voucher"),
                    (budget_col::NOTE, "note"),
                ],
            ),
        ];
        for (kind, list) in checks {
            assert_eq!(columns_of(kind).len(), list.len(), "{kind:?}");
            assert!(list.len() <= MAX_COLUMNS);
            for (i, name) in list {
                assert_eq!(columns_of(kind)[*i].name, *name, "{kind:?}");
            }
        }
    }
}
