//! Every date and money form of SPEC.md, and English or Chinese enumeration words, read to the
//! same stored values (checked through the canonical export).

mod interchange_support;
use interchange_support::*;

fn budget_env() -> Env {
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS_CSV);
    env
}

#[test]
fn every_date_form() {
    let env = budget_env();
    let forms = [
        ("2021-11-08", "2021-11-08"),
        ("2021/11/8", "2021-11-08"),
        ("2021.11.8", "2021-11-08"),
        ("2021年11月8日", "2021-11-08"),
        (" 2021-11-8 ", "2021-11-08"),
        ("2021/3/5", "2021-03-05"),
        ("2021-11", "2021-11"),
        ("2021年11月", "2021-11"),
        ("2021", "2021"),
        ("2021年", "2021"),
    ];
    let mut csv = String::from("id,date,unit,kind,amount\n");
    for (i, (form, _)) in forms.iter().enumerate() {
        csv.push_str(&format!("B{i},{form},S1,allocation,1\n"));
    }
    env.import_ok("budget", "b.csv", csv);
    let mut stored: Vec<(String, String)> = env
        .export_json("budget")
        .iter()
        .map(|r| (field(r, "id").to_string(), field(r, "date").to_string()))
        .collect();
    stored.sort();
    for (i, (form, expected)) in forms.iter().enumerate() {
        let got = &stored.iter().find(|(id, _)| *id == format!("B{i}")).unwrap().1;
        assert_eq!(got, expected, "{form}");
    }
}

#[test]
fn partial_dates_count_once_their_period_ends() {
    let env = budget_env();
    env.import_ok(
        "budget",
        "b.csv",
        "date,unit,kind,amount\n2021-11,S1,拨付,100\n2021,S1,拨付,200\n",
    );
    let allocated = |as_of: &str| {
        env.report_at(as_of, Some("S1"))["funding"]["allocated_fen"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(allocated("2021-11-29"), 0);
    assert_eq!(allocated("2021-11-30"), 10_000);
    assert_eq!(allocated("2021-12-31"), 30_000);
}

#[test]
fn every_money_form_exact_to_the_fen() {
    let env = budget_env();
    let forms: [(&str, &str); 16] = [
        ("1700000", "1700000.00"),
        ("\"1,700,000.00\"", "1700000.00"),
        ("¥1700000", "1700000.00"),
        ("￥300", "300.00"),
        ("170万", "1700000.00"),
        ("170万元", "1700000.00"),
        ("1.5万", "15000.00"),
        ("2万", "20000.00"),
        ("2万元", "20000.00"),
        ("\"1,200.50\"", "1200.50"),
        ("1200.5", "1200.50"),
        ("0.01", "0.01"),
        ("1.234567万", "12345.67"),
        ("-20.5", "-20.50"),
        ("-￥300", "-300.00"),
        ("\" ¥1,200.50 \"", "1200.50"),
    ];
    let mut csv = String::from("id,date,unit,kind,amount\n");
    for (i, (form, _)) in forms.iter().enumerate() {
        csv.push_str(&format!("M{i},2021-01-01,S1,allocation,{form}\n"));
    }
    env.import_ok("budget", "b.csv", csv);
    let stored = env.export_json("budget");
    for (i, (form, expected)) in forms.iter().enumerate() {
        let r = stored.iter().find(|r| field(r, "id") == format!("M{i}")).unwrap();
        assert_eq!(field(r, "amount"), *expected, "{form}");
    }
    let total: i64 = forms
        .iter()
        .map(|(_, e)| {
            let (y, f) = e.trim_start_matches('-').split_once('.').unwrap();
            let fen = y.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap();
            if e.starts_with('-') {
                -fen
            } else {
                fen
            }
        })
        .sum();
    assert_eq!(
        env.report_at("2021-12-31", Some("S1"))["funding"]["allocated_fen"]
            .as_i64()
            .unwrap(),
        total
    );
}

#[test]
fn a_negative_expenditure_corrects_spending() {
    let env = budget_env();
    env.import_ok(
        "budget",
        "b.csv",
        "date,unit,kind,category,source,amount\n2021-03-01,S1,支出,运营,财政,5000\n2021-03-02,S1,支出,运营,财政,-1200.50\n",
    );
    let r = env.report_at("2021-12-31", Some("S1"));
    assert_eq!(r["funding"]["spent_fen"].as_i64(), Some(379_950));
}

#[test]
fn english_and_chinese_words_are_the_same_values() {
    let env = budget_env();
    let english =
        "id,date,unit,kind,category,source,amount\nE1,2021-01-01,S1,allocation,service_purchase,welfare_lottery,1\n";
    let chinese = "编号,日期,站点,类型,科目,来源,金额\nZ1,2021-01-01,S1,拨付,购买服务,福彩公益金,1\n";
    let mixed = "ID,Date,UNIT,Kind,Category,Source,Amount\nX1,2021-01-01,S1,ALLOCATION,购买服务,Welfare_Lottery,1\n";
    env.import_ok("budget", "e.csv", english);
    env.import_ok("budget", "z.csv", chinese);
    env.import_ok("budget", "x.csv", mixed);
    let stored = env.export_json("budget");
    assert_eq!(stored.len(), 3);
    for r in &stored {
        assert_eq!(field(r, "kind"), "allocation");
        assert_eq!(field(r, "category"), "service_purchase");
        assert_eq!(field(r, "source"), "welfare_lottery");
    }
}

#[test]
fn evaluation_and_training_words_and_numbers() {
    let env = budget_env();
    env.import_ok(
        "evaluations",
        "e.csv",
        "站点,日期,类型,评估机构,得分,等级\nS1,2021年11月8日,中期,第三方,85.5,\nS2,2021/11/8,年度,第三方,,优秀\nS1,2021.12.1,自评,,90,excellent\n",
    );
    env.import_ok(
        "trainings",
        "t.csv",
        "日期,主办,类型,形式,主题,课时,参训人数,服务站点\n2021-11-09,D1,培训班,线下,专题培训,3.5,40,S1；S2\n2021-11-09,D1,一对一辅导,线上,,,,\n",
    );
    let evals = env.export_json("evaluations");
    let e = evals.iter().find(|r| field(r, "score") == "85.5").unwrap();
    assert_eq!(field(e, "kind"), "midterm");
    assert_eq!(field(e, "grade"), "");
    let r = env.report_at("2021-12-31", Some("D1"));
    assert_eq!(r["evaluations"]["by_grade"]["good"].as_i64(), Some(1), "{r}");
    assert_eq!(r["evaluations"]["by_grade"]["excellent"].as_i64(), Some(2), "{r}");
    let trainings = env.export_json("trainings");
    let t = trainings.iter().find(|r| field(r, "kind") == "class").unwrap();
    assert_eq!(field(t, "units"), "S1;S2");
    assert_eq!(field(t, "hours"), "3.5");
    assert_eq!(field(t, "mode"), "offline");
}
