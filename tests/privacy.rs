//! Personal ID numbers are never stored: a file or a form that carries one in any text field is
//! refused at the field, in words, without echoing the number, and nothing is written.

mod interchange_support;
use interchange_support::*;

// The worked example of GB 11643-1999, not a real person's number.
const ID: &str = "11010519491231002X";

#[test]
fn an_import_with_an_id_number_is_refused_at_its_field() {
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS_CSV);
    let csv = format!(
        "id,date,unit,kind,amount,voucher,note\n\
         B-1,2021-01-01,S1,allocation,100,V1,拨付\n\
         B-2,2021-01-02,S1,allocation,100,V2,经办人身份证 {ID}\n\
         B-3,2021-01-03,S1,allocation,100,{},\n",
        ID.to_lowercase()
    );
    let err = env.import_refused("budget", "b.csv", &csv);
    let got: Vec<&str> = err
        .lines()
        .filter_map(|l| l.find("b.csv:3").or(l.find("b.csv:4")).map(|i| &l[i..]))
        .collect();
    assert_eq!(
        got,
        [
            "b.csv:3: note: looks like a resident ID number from character 8: shegong does not keep personal ID numbers; remove it",
            "b.csv:4: voucher: looks like a resident ID number from character 1: shegong does not keep personal ID numbers; remove it",
        ],
        "{err}"
    );
    assert!(
        !err.to_lowercase().contains(&ID.to_lowercase()),
        "the number is echoed: {err}"
    );

    let units = format!("{UNITS_CSV}C2,S1,community,{ID},none,,0,0\n");
    let err = env.import_refused("units", "u2.csv", units);
    assert!(err.contains("u2.csv:6: name: looks like a resident ID number"), "{err}");
}

#[test]
fn a_form_with_an_id_number_is_refused_by_the_store() {
    use shegong::domain::{PartialDate, Training, TrainingKind};
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS_CSV);
    let store = shegong::store::Store::open(&env.dir, false).unwrap();
    let training = Training {
        id: None,
        date: PartialDate::parse("2022-05-01").unwrap(),
        host: "S1".into(),
        kind: TrainingKind::Class,
        mode: None,
        topic: format!("学员 {ID}"),
        hours: Some(2),
        attendees: Some(10),
        units: Vec::new(),
        note: String::new(),
    };
    match store.add_records(&[training]) {
        Err(shegong::store::StoreError::Rejected(problems)) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].problem.field, "topic");
            assert!(problems[0].problem.zh.contains("身份证"));
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    assert_eq!(store.counts().unwrap()[2], 0);
}
