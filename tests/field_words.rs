//! The importer and the forms read a field with the same parser (`domain::fields`) and the same
//! record rules (`validate`): the same bad value is refused with the same words in both, the
//! file's message only adding `FILE:LINE: column:` and the form's putting it under the field.

use chrono::NaiveDate;
use shegong::domain::Problem;
use shegong::interchange::{parse_file, Kind};
use shegong::tui::form::{Form, UnitRef};
use shegong::tui::records::{self, Recent};
use shegong::tui::text_input::TextInput;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 11, 8).expect("a day")
}

fn station() -> UnitRef {
    UnitRef {
        code: "530102001".into(),
        name: "翠湖社工站".into(),
        has_station: true,
    }
}

/// The problem the importer names for `field` of the file's first data row.
fn from_file(kind: Kind, csv: &str, field: &str) -> Problem {
    let problems = match parse_file(kind, csv.as_bytes()) {
        Ok(_) => panic!("the file should be refused: {csv}"),
        Err(p) => p,
    };
    let found = problems.shown.iter().find(|p| p.line == 2 && p.problem.field == field);
    match found {
        Some(p) => p.problem.clone(),
        None => panic!("no problem with {field} in {:?}", problems.shown),
    }
}

/// The problem the form shows under `field` once `text` is typed there.
fn from_form(form: Form, field: &str, text: &str) -> Problem {
    from_filled(form, &[], field, text)
}

/// `from_form`, with other fields filled first (`(name, text)`), so that the record is whole.
fn from_filled(mut form: Form, others: &[(&str, &str)], field: &str, text: &str) -> Problem {
    for (name, value) in others.iter().chain([(field, text)].iter()) {
        match form.field_mut(name) {
            Some(f) => f.text = TextInput::new(*value),
            None => panic!("the form has no field {name}"),
        }
    }
    assert!(records::check(&mut form).is_none(), "the form should refuse {text:?}");
    match form.field(field).and_then(|f| f.problem.clone()) {
        Some(p) => p,
        None => panic!("no problem under {field}"),
    }
}

fn same(file: Problem, form: Problem) {
    assert_eq!(file.field, form.field);
    assert_eq!(file.zh, form.zh, "Chinese");
    assert_eq!(file.en, form.en, "English");
}

#[test]
fn a_bad_date_reads_the_same_in_a_file_and_a_form() {
    for bad in ["去年11月", "2021-02-30", "2021/13", "21.11.8"] {
        let csv = format!("date,unit,kind,amount\n{bad},530102001,allocation,100\n");
        let form = records::budget_form(day(), station(), &Recent::default());
        same(from_file(Kind::Budget, &csv, "date"), from_form(form, "date", bad));
    }
}

#[test]
fn a_bad_amount_reads_the_same_in_a_file_and_a_form() {
    let huge = "9".repeat(25);
    for bad in ["12万5", "一百元", "1.234", huge.as_str()] {
        let csv = format!("date,unit,kind,amount\n2021-11-08,530102001,allocation,{bad}\n");
        let form = records::budget_form(day(), station(), &Recent::default());
        same(from_file(Kind::Budget, &csv, "amount"), from_form(form, "amount", bad));
    }
}

#[test]
fn an_id_number_in_a_note_reads_the_same_in_a_file_and_a_form() {
    let note = "身份证 11010519491231002X";
    let csv = format!("date,unit,kind,amount,note\n2021-11-08,530102001,allocation,100,{note}\n");
    let form = records::budget_form(day(), station(), &Recent::default());
    let file = from_file(Kind::Budget, &csv, "note");
    assert!(!file.zh.contains("11010519491231002X"), "never echoed: {}", file.zh);
    same(file, from_filled(form, &[("amount", "100")], "note", note));
}

#[test]
fn a_bad_phone_number_reads_the_same_in_a_file_and_a_form() {
    let phone = "call me";
    let csv = format!("code,level,name,phone\n530102001,community,翠湖,{phone}\n");
    let mut unit = shegong::domain::Unit::new("530102001", None, shegong::domain::Level::Community, "翠湖");
    unit.phone = String::new();
    let form = records::edit_unit_form(&unit, None);
    same(from_file(Kind::Units, &csv, "phone"), from_form(form, "phone", phone));
}

#[test]
fn bad_numbers_read_the_same_in_a_file_and_a_form() {
    let training = |field: &str, bad: &str| {
        let csv = format!("date,host,kind,{field}\n2021-11-08,530102001,class,{bad}\n");
        let form = records::training_form(day(), station(), &Recent::default());
        same(from_file(Kind::Trainings, &csv, field), from_form(form, field, bad));
    };
    training("attendees", "-3");
    training("attendees", "twelve");
    training("hours", "1.25");
    training("hours", "10000.5");
    for bad in ["101", "85.55"] {
        let csv = format!("unit,date,kind,score\n530102001,2021-11-08,annual,{bad}\n");
        let form = records::evaluation_form(day(), station(), &Recent::default(), Vec::new());
        same(
            from_file(Kind::Evaluations, &csv, "score"),
            from_form(form, "score", bad),
        );
    }
}
