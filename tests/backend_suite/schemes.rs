//! Evaluation schemes and points per indicator (issue 15), on every backend: schemes stored
//! and read back, a stored scheme never changed, an evaluation's points stored with it (the
//! same evaluation again adds nothing; other points are another evaluation), and a backup of
//! the backend restored into a sled store with both.

use super::{evaluation, with_hierarchy, Fixture, STREET_A};
use shegong::domain::*;
use shegong::store::StoreError;

pub fn scheme(name: &str) -> Scheme {
    let indicator = |code: &str, name: &str, group: &str, max: u16| Indicator {
        code: code.into(),
        name: name.into(),
        group: group.into(),
        max_points: max,
    };
    Scheme {
        name: name.into(),
        indicators: vec![
            indicator("P1", "服务场所", "场所", 200),
            indicator("S1", "专职社工", "人员", 300),
            indicator("R1", "制度上墙", "制度", 125),
        ],
    }
}

pub fn schemes_and_points_are_stored_and_backed_up(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    assert_eq!(r.schemes().expect("read"), []);
    let added = r
        .add_schemes(&[scheme("示例方案"), scheme("另一方案")])
        .expect("stored");
    assert_eq!((added.added, added.indicators, added.already_present), (2, 6, 0));
    let mut names: Vec<String> = r.schemes().expect("read").into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(names, ["另一方案", "示例方案"]);
    assert_eq!(r.scheme("示例方案").expect("read"), Some(scheme("示例方案")));
    // The same again adds nothing; a changed one is refused, and nothing of the file is kept.
    let again = r.add_schemes(&[scheme("示例方案")]).expect("the same");
    assert_eq!((again.added, again.already_present), (0, 1));
    let mut changed = scheme("示例方案");
    changed.indicators[0].max_points = 100;
    let refused = r.add_schemes(&[scheme("第三方案"), changed]);
    assert!(
        matches!(&refused, Err(StoreError::Rejected(p)) if p.len() == 1 && p[0].row == 1),
        "{refused:?}"
    );
    assert_eq!(r.scheme("第三方案").expect("read"), None);

    let mut e = evaluation("2021-11-08", STREET_A);
    e.score = Some(455);
    e.grade = None;
    e.points = Some(Points {
        scheme: "示例方案".into(),
        given: vec![("P1".into(), 200), ("R1".into(), 0), ("S1".into(), 255)],
    });
    assert!(e.validate().is_empty(), "{:?}", e.validate());
    let plain = evaluation("2021-11-08", STREET_A);
    assert_eq!(r.add_records(&[e.clone(), plain.clone()]).expect("stored").added, 2);
    let again = r.add_records(std::slice::from_ref(&e)).expect("the same again");
    assert_eq!((again.added, again.already_present), (0, 1));
    let mut other = e.clone();
    other.points = Some(Points {
        scheme: "示例方案".into(),
        given: vec![("P1".into(), 150), ("R1".into(), 50), ("S1".into(), 255)],
    });
    assert_eq!(
        r.add_records(std::slice::from_ref(&other)).expect("other points").added,
        1
    );
    let mut stored: Vec<Evaluation> = r
        .records_of::<Evaluation>(STREET_A, false, usize::MAX)
        .expect("read")
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    stored.sort_by_key(|e| format!("{:?}", e.points));
    let mut expected = vec![plain, e, other];
    expected.sort_by_key(|e| format!("{:?}", e.points));
    assert_eq!(stored, expected);

    // A backup carries both, into a sled store.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let file = tmp.path().join("b.sgbak");
    shegong::backup::backup(r.storage(), &file).expect("backed up");
    shegong::backup::restore(&tmp.path().join("restored"), &file, "tester").expect("restored");
    let restored = shegong::registry::Registry::open(&tmp.path().join("restored"), true).expect("opens");
    let mut names: Vec<String> = restored.schemes().expect("read").into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(names, ["另一方案", "示例方案"]);
    assert_eq!(restored.scheme("示例方案").expect("read"), Some(scheme("示例方案")));
    let mut back: Vec<Evaluation> = restored
        .records_of::<Evaluation>(STREET_A, false, usize::MAX)
        .expect("read")
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    back.sort_by_key(|e| format!("{:?}", e.points));
    assert_eq!(back, expected);
}

/// An evaluation's correction (its points mistyped, `Registry::correct_evaluation`): the stored
/// one deleted and the corrected one added in one batch, the figures those of the corrected
/// one alone, its key the one returned; undo takes it back in two steps (the corrected one,
/// then the deletion). A correction to an evaluation stored already is refused whole.
pub fn an_evaluations_correction_replaces_it_whole(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    r.add_schemes(&[scheme("示例方案")]).expect("stored");
    let with = |p1: u16, id: &str| {
        let mut e = evaluation("2022-05-01", STREET_A);
        e.id = Some(id.into());
        e.points = Some(Points {
            scheme: "示例方案".into(),
            given: vec![("P1".into(), p1), ("R1".into(), 100), ("S1".into(), 300)],
        });
        e.score = Some(p1 + 400);
        e.grade = None;
        e
    };
    let stored = r.add_records(&[with(100, "E-1")]).expect("stored").keys[0].clone();
    let other = r.add_records(&[with(50, "E-2")]).expect("stored").keys[0].clone();
    let added = r.correct_evaluation(&stored, &with(150, "E-1")).expect("corrected");
    let mut all = r.all_records::<Evaluation>().expect("read");
    all.sort_by_key(|e| e.id.clone());
    let given: Vec<(Option<String>, Option<u16>)> = all
        .iter()
        .map(|e| (e.id.clone(), e.points.as_ref().and_then(|p| p.of("P1"))))
        .collect();
    assert_eq!(given, [(Some("E-1".into()), Some(150)), (Some("E-2".into()), Some(50))]);
    assert_eq!(r.counts().expect("counts")[1], 2);
    let listed = r.records_of::<Evaluation>(STREET_A, false, 10).expect("read");
    assert!(
        listed.iter().any(|(k, _)| *k == added),
        "the key returned is the new one's"
    );
    assert!(!listed.iter().any(|(k, _)| *k == stored), "the old one is gone");
    // A correction into an evaluation stored already (E-2's very content) is refused whole.
    let before = r.all_records::<Evaluation>().expect("read");
    assert!(r.correct_evaluation(&added, &with(50, "E-2")).is_err());
    assert_eq!(r.all_records::<Evaluation>().expect("read"), before);
    let _ = other;
    // Undo: the corrected one, then the deletion.
    r.undo_last().expect("undone");
    assert_eq!(r.counts().expect("counts")[1], 1);
    r.undo_last().expect("undone");
    let mut back: Vec<Option<u16>> = r
        .all_records::<Evaluation>()
        .expect("read")
        .iter()
        .map(|e| e.points.as_ref().and_then(|p| p.of("P1")))
        .collect();
    back.sort();
    assert_eq!(back, [Some(50), Some(100)]);
    assert!(r.check().expect("checked").is_empty());
}
