//! Property tests: after random sequences of writes (records added and deleted, stations
//! opened and closed, communities moved), the stored rollups equal a brute-force recomputation
//! from the records, at any date; and money and dates print and parse back to themselves.

use chrono::NaiveDate;
use proptest::prelude::*;
use shegong::domain::RecordId;
use shegong::domain::*;
use shegong::store::Store;

const STREETS: usize = 3;
const COMMUNITIES: usize = 6;

fn code(i: usize) -> String {
    // 0 = district, 1..=3 streets, 4..=9 communities
    format!("U{i:02}")
}

fn base_units() -> Vec<Unit> {
    let mut units = vec![Unit::new(&code(0), None, Level::District, "区")];
    for s in 1..=STREETS {
        units.push(Unit::new(&code(s), Some(&code(0)), Level::Street, &format!("街道{s}")));
    }
    for c in 0..COMMUNITIES {
        let parent = code(1 + c % STREETS);
        units.push(Unit::new(
            &code(1 + STREETS + c),
            Some(&parent),
            Level::Community,
            &format!("社区{c}"),
        ));
    }
    units
}

#[derive(Clone, Debug)]
enum Op {
    Budget {
        unit: usize,
        date: PartialDate,
        expenditure: bool,
        category: Option<usize>,
        fen: i64,
    },
    Evaluation {
        unit: usize,
        date: PartialDate,
        score: Option<u16>,
    },
    Training {
        unit: usize,
        date: PartialDate,
        hours: Option<u32>,
    },
    Station {
        unit: usize,
        status: usize,
        opened: PartialDate,
        closed_after_days: Option<i64>,
    },
    DeleteEvaluation {
        nth: usize,
    },
    DeleteTraining {
        nth: usize,
    },
    Move {
        community: usize,
        street: usize,
    },
}

fn date() -> impl Strategy<Value = PartialDate> {
    (2019u16..2024, 0u8..=12, 0u8..=28).prop_map(|(y, m, d)| {
        let day = if m == 0 { 0 } else { d };
        PartialDate { year: y, month: m, day }
    })
}

fn op() -> impl Strategy<Value = Op> {
    let units = 0..(1 + STREETS + COMMUNITIES);
    prop_oneof![
        3 => (units.clone(), date(), any::<bool>(), proptest::option::of(0usize..6), -500_000i64..50_000_000)
            .prop_filter("not zero", |t| t.4 != 0)
            .prop_map(|(unit, date, expenditure, category, fen)| Op::Budget { unit, date, expenditure, category, fen }),
        2 => (units.clone(), date(), proptest::option::of(0u16..=1000))
            .prop_map(|(unit, date, score)| Op::Evaluation { unit, date, score }),
        2 => (units.clone(), date(), proptest::option::of(1u32..100))
            .prop_map(|(unit, date, hours)| Op::Training { unit, date, hours }),
        2 => (units.clone(), 0usize..5, date(), proptest::option::of(-30i64..900))
            .prop_map(|(unit, status, opened, closed_after_days)| Op::Station { unit, status, opened, closed_after_days }),
        1 => (0usize..20).prop_map(|nth| Op::DeleteEvaluation { nth }),
        1 => (0usize..20).prop_map(|nth| Op::DeleteTraining { nth }),
        1 => (0..COMMUNITIES, 1..=STREETS).prop_map(|(community, street)| Op::Move { community, street }),
    ]
}

/// What the records say, kept beside the store and summed the slow, obvious way.
struct Model {
    units: Vec<Unit>,
    budget: Vec<BudgetEntry>,
    evaluations: Vec<(RecordId, Evaluation)>,
    trainings: Vec<(RecordId, Training)>,
}

impl Model {
    fn in_subtree(&self, code: &str, root: &str) -> bool {
        let mut current = Some(code.to_string());
        while let Some(c) = current {
            if c == root {
                return true;
            }
            current = self.units.iter().find(|u| u.code == c).and_then(|u| u.parent.clone());
        }
        false
    }

    fn check_node(&self, store: &Store, root: &Unit, as_of: NaiveDate) {
        let m = store.subtree_measures(&root.code, as_of).unwrap();
        let counts = |u: &Unit, d: &PartialDate| self.in_subtree(&u.code, &root.code) && d.counts_on(as_of);
        let _ = counts;
        let allocated: i64 = self
            .budget
            .iter()
            .filter(|b| {
                b.kind == BudgetKind::Allocation && b.date.counts_on(as_of) && self.in_subtree(&b.unit, &root.code)
            })
            .map(|b| b.amount.0)
            .sum();
        let spent: i64 = self
            .budget
            .iter()
            .filter(|b| {
                b.kind == BudgetKind::Expenditure && b.date.counts_on(as_of) && self.in_subtree(&b.unit, &root.code)
            })
            .map(|b| b.amount.0)
            .sum();
        assert_eq!(m.allocated().0, allocated, "allocated of {} as of {as_of}", root.code);
        assert_eq!(m.spent().0, spent, "spent of {} as of {as_of}", root.code);
        let evaluations = self
            .evaluations
            .iter()
            .filter(|(_, e)| e.date.counts_on(as_of) && self.in_subtree(&e.unit, &root.code))
            .count();
        assert_eq!(
            m.evaluations(),
            evaluations as i64,
            "evaluations of {} as of {as_of}",
            root.code
        );
        let trainings = self
            .trainings
            .iter()
            .filter(|(_, t)| t.date.counts_on(as_of) && self.in_subtree(&t.host, &root.code))
            .count();
        assert_eq!(m.trainings(), trainings as i64);
        let hours: i64 = self
            .trainings
            .iter()
            .filter(|(_, t)| t.date.counts_on(as_of) && self.in_subtree(&t.host, &root.code))
            .map(|(_, t)| t.hours.unwrap_or(0) as i64)
            .sum();
        assert_eq!(m.training_hours_tenths(), hours);
        // The totals say how many trainings gave hours and attendees: unstated is not 0.
        let counted = |f: fn(&Training) -> bool| {
            self.trainings
                .iter()
                .filter(|(_, t)| t.date.counts_on(as_of) && self.in_subtree(&t.host, &root.code) && f(t))
                .count() as i64
        };
        assert_eq!(m.trainings_with_hours(), counted(|t| t.hours.is_some()));
        assert_eq!(m.trainings_with_attendees(), counted(|t| t.attendees.is_some()));
        for level in [Level::Street, Level::Community] {
            let in_level: Vec<&Unit> = self
                .units
                .iter()
                .filter(|u| u.level == level && self.in_subtree(&u.code, &root.code))
                .collect();
            assert_eq!(
                m.units(level),
                in_level.len() as i64,
                "{level:?} units under {}",
                root.code
            );
            let covered = in_level.iter().filter(|u| u.covered_on(as_of)).count();
            assert_eq!(
                m.covered(level),
                covered as i64,
                "{level:?} covered under {} as of {as_of}",
                root.code
            );
        }
        // Covered stations with no evaluation on or before the date.
        let without = self
            .units
            .iter()
            .filter(|u| self.in_subtree(&u.code, &root.code) && u.covered_on(as_of))
            .filter(|u| {
                !self
                    .evaluations
                    .iter()
                    .any(|(_, e)| e.unit == u.code && e.date.counts_on(as_of))
            })
            .count();
        assert_eq!(
            m.stations_without_evaluation(),
            without as i64,
            "without evaluation under {}",
            root.code
        );
    }
}

fn run(ops: Vec<Op>, dates: Vec<NaiveDate>) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::create(&tmp.path().join("s")).unwrap();
    let mut model = Model {
        units: base_units(),
        budget: vec![],
        evaluations: vec![],
        trainings: vec![],
    };
    store.apply_units(&model.units).unwrap();
    for op in ops {
        match op {
            Op::Budget {
                unit,
                date,
                expenditure,
                category,
                fen,
            } => {
                let entry = BudgetEntry {
                    id: None,
                    date,
                    unit: code(unit),
                    kind: if expenditure {
                        BudgetKind::Expenditure
                    } else {
                        BudgetKind::Allocation
                    },
                    category: category.map(|c| Category::ALL[c]),
                    source: None,
                    amount: Fen(fen),
                    voucher: String::new(),
                    note: String::new(),
                };
                store.add_records(std::slice::from_ref(&entry)).unwrap();
                model.budget.push(entry);
            }
            Op::Evaluation { unit, date, score } => {
                let e = Evaluation {
                    id: None,
                    unit: code(unit),
                    date,
                    kind: EvalKind::Annual,
                    evaluator: String::new(),
                    score,
                    grade: None,
                    note: String::new(),
                };
                let has_station = model.units[unit].station != StationStatus::None;
                match store.add_records(std::slice::from_ref(&e)) {
                    Ok(outcome) => {
                        assert!(has_station);
                        if let Some(key) = outcome.keys.first() {
                            model.evaluations.push((key.clone(), e));
                        } else {
                            assert_eq!(outcome.already_present, 1);
                        }
                    }
                    Err(_) => assert!(!has_station, "an evaluation of a station was refused"),
                }
            }
            Op::Training { unit, date, hours } => {
                let t = Training {
                    id: None,
                    date,
                    host: code(unit),
                    kind: TrainingKind::Class,
                    mode: None,
                    topic: String::new(),
                    hours,
                    // Stated for some trainings only, apart from the hours.
                    attendees: hours.filter(|h| h % 2 == 0).map(|h| h / 2),
                    units: vec![],
                    note: String::new(),
                };
                let outcome = store.add_records(std::slice::from_ref(&t)).unwrap();
                if let Some(key) = outcome.keys.first() {
                    model.trainings.push((key.clone(), t));
                }
            }
            Op::Station {
                unit,
                status,
                opened,
                closed_after_days,
            } => {
                let mut u = model.units[unit].clone();
                u.station = StationStatus::ALL[status];
                u.opened_on = if u.station.has_opened() { Some(opened) } else { None };
                u.closed_on = None;
                if u.station == StationStatus::Closed {
                    let end = opened.end() + chrono::Duration::days(closed_after_days.unwrap_or(10).max(0));
                    u.closed_on = Some(PartialDate::full(end));
                }
                // Evaluations need a station: a unit that has some keeps its station.
                if u.station == StationStatus::None && model.evaluations.iter().any(|(_, e)| e.unit == u.code) {
                    continue;
                }
                store.apply_units(std::slice::from_ref(&u)).unwrap();
                model.units[unit] = u;
            }
            Op::DeleteEvaluation { nth } => {
                if !model.evaluations.is_empty() {
                    let (key, e) = model.evaluations.remove(nth % model.evaluations.len());
                    let deleted: Evaluation = store.delete_record(&key).unwrap();
                    assert_eq!(deleted, e);
                }
            }
            Op::DeleteTraining { nth } => {
                if !model.trainings.is_empty() {
                    let (key, t) = model.trainings.remove(nth % model.trainings.len());
                    let deleted: Training = store.delete_record(&key).unwrap();
                    assert_eq!(deleted, t);
                }
            }
            Op::Move { community, street } => {
                let i = 1 + STREETS + community;
                let mut u = model.units[i].clone();
                u.parent = Some(code(street));
                store.apply_units(std::slice::from_ref(&u)).unwrap();
                model.units[i] = u;
            }
        }
    }
    assert_eq!(
        store.check().unwrap(),
        vec![],
        "stored totals differ from the recomputation"
    );
    for as_of in dates {
        for unit in &model.units {
            model.check_node(&store, unit, as_of);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn stored_rollups_equal_brute_force(
        ops in proptest::collection::vec(op(), 1..30),
        dates in proptest::collection::vec((2019i32..2025, 1u32..=12, 1u32..=28), 1..4),
    ) {
        let dates = dates.into_iter().map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()).collect();
        run(ops, dates);
    }

    #[test]
    fn money_prints_and_parses_back(fen in -10_000_000_000_000i64..10_000_000_000_000) {
        let f = Fen(fen);
        prop_assert_eq!(Fen::parse(&f.plain()), Ok(f));
        prop_assert_eq!(Fen::parse(&f.yuan()), Ok(f));
        prop_assert_eq!(Fen::parse(&format!("¥{}", f.plain().trim_start_matches('-'))).map(|x| x.0.abs()), Ok(fen.abs()));
    }

    #[test]
    fn wan_parses_exactly(wan in 0i64..100_000, frac in 0u32..1_000_000) {
        // 万 with up to six decimals is still a whole number of fen.
        let text = format!("{wan}.{frac:06}万");
        let expected = wan * 1_000_000 + frac as i64;
        prop_assert_eq!(Fen::parse(&text), Ok(Fen(expected)));
    }

    #[test]
    fn dates_print_and_parse_back(y in 1900u16..2999, m in 0u8..=12, d in 1u8..=28, full in any::<bool>()) {
        let date = PartialDate { year: y, month: m, day: if m != 0 && full { d } else { 0 } };
        prop_assert_eq!(PartialDate::parse(&date.to_string()), Ok(date));
        if date.is_full() {
            let slashes = format!("{}/{}/{}", date.year, date.month, date.day);
            prop_assert_eq!(PartialDate::parse(&slashes), Ok(date));
            let chinese = format!("{}年{}月{}日", date.year, date.month, date.day);
            prop_assert_eq!(PartialDate::parse(&chinese), Ok(date));
        }
    }
}
