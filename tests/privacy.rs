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

/// Every check character of the standard (ISO 7064 MOD 11-2, GB 11643-1999) is the one the
/// check finds, and every other one is refused: a swap of two entries of the table would let
/// one kind of ID number through and flag numbers that are none.
#[test]
fn each_check_character_is_the_standards() {
    use shegong::domain::privacy::id_number_problems;
    // The table and the weights as the standard writes them, kept here on their own.
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let mut residues_seen = [false; 11];
    for sequence in 0..1000u32 {
        // Region 110105, born 1949-12-31, sequence 000 to 999.
        let body = format!("11010519491231{sequence:03}");
        let sum: u32 = body
            .chars()
            .zip(WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        let residue = (sum % 11) as usize;
        if residues_seen[residue] {
            continue;
        }
        residues_seen[residue] = true;
        for candidate in CHECK {
            let number = format!("{body}{candidate}");
            let found = !id_number_problems(&[("note", &number)]).is_empty();
            assert_eq!(
                found,
                candidate == CHECK[residue],
                "{number}: sum mod 11 is {residue}, so its check character is {}",
                CHECK[residue]
            );
        }
    }
    assert!(residues_seen.iter().all(|s| *s), "every residue tried");
}
