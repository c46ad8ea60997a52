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

/// The column a header names, by English name (any case) or Chinese alias.
pub fn find(kind: Kind, header: &str) -> Option<&'static Column> {
    let h = header.trim();
    columns_of(kind)
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(h) || c.alias == h)
}

/// The column a header names in any kind (for locating a store problem's field in a file).
pub fn find_any(header: &str) -> Option<&'static Column> {
    Kind::ALL.iter().find_map(|k| find(*k, header))
}
