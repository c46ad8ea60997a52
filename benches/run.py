#!/usr/bin/env python3
"""shegong beside its peers, at a given size and shape: import, report, past-date report, memory.

Generates the synthetic data (../shared/tools/gen_synthetic.py), then, in the same run and for
each of --runs rounds: imports the four files into a new shegong store and into SQLite
(`.import`), times shegong's root report beside sled's bare open of the same store and beside
the same rollup as one SQL query, runs `check` on the store, times the UI on it (tests/tui_perf.rs:
first frame, first `/`, each key in find, the root's funding chart) and (once) `hledger balance`
over the budget rows as a journal. Prints a table of medians and ratios, then the scale issue's
table (each figure beside its target, met or not); writes both to bench-results/SIZE-SHAPE.md. `--size tiny --check` is what CI runs: it exercises every step and
times nothing.

The benchmark checks its own answer: the SQL rollup computes the report's figures by the rules
of SPEC.md ("Rollups"), and every figure of shegong's root report (today and as of a past date,
the root and each child) must equal it; so must the reports of a small file of the rules' edge
cases (partial dates, closings, corrections, figures not stated) at dates on either side of each
edge. The first differing figure is named with both values and the run fails (exit 1).

    python3 benches/run.py --size default --runs 3
    python3 benches/run.py --size default --shape wide --runs 3
    python3 benches/run.py --size national --runs 1 --no-hledger
"""
import argparse, csv, io, json, os, re, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(os.path.dirname(ROOT), "shared", "tools", "gen_synthetic.py")
SIZES = {
    "tiny": ["--districts", "2", "--streets", "3", "--communities", "4", "--evaluations", "300",
             "--trainings", "150", "--budget", "3000"],
    "default": [],
    "national": ["--districts", "2850", "--budget", "5000000", "--evaluations", "500000", "--trainings", "250000"],
}
# The tree's shape at each size, as (districts, streets per district, communities per street);
# None keeps the size's own (default: 12 streets of 15 communities). `wide` and `deep` hold about
# as many units as the default shape at the same size, so that only the shape differs.
SHAPES = {
    "default": {"tiny": None, "default": None, "national": None},
    # Wide districts with many small streets: one community per street. The generator's district
    # codes have four digits, so the national size has 9,999 districts of 27 streets.
    "wide": {"tiny": (2, 8, 1), "default": (1450, 20, 1), "national": (9999, 27, 1)},
    # Deep streets with many communities each: 480 communities per street.
    "deep": {"tiny": (1, 2, 15), "default": (30, 4, 480), "national": (285, 4, 480)},
}
KINDS = ["units", "evaluations", "trainings", "budget"]
PAST = "2022-06-15"

# The words of SPEC.md's enumerations that the report names (English forms).
LEVELS = ["province", "city", "district", "street", "community"]
CATEGORIES = ["construction", "operation", "service_purchase", "training", "equipment", "other"]
SOURCES = ["fiscal", "welfare_lottery", "other"]
EVAL_KINDS = ["midterm", "annual", "final", "self", "spot"]
GRADES = ["excellent", "good", "pass", "fail"]
TRAIN_KINDS = ["class", "coaching", "supervision", "meeting"]
MODES = ["online", "offline", "mixed"]
# The columns the SQL reads; a file without one (the generator writes no closed_on, no grade)
# gets it as an empty column, so that one query serves every file.
SQL_COLUMNS = {
    "units": ["code", "parent", "level", "station", "opened_on", "closed_on"],
    "evaluations": ["unit", "date", "kind", "score", "grade"],
    "trainings": ["date", "host", "kind", "mode", "hours", "attendees"],
    "budget": ["date", "unit", "kind", "category", "source", "amount"],
}


def timed(cmd, timeout=None, stdin_path=None, capture=False):
    """Runs a command, measuring wall time and its own peak memory (os.wait4)."""
    stdin = open(stdin_path) if stdin_path else None
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=stdin)
    deadline = None if timeout is None else start + timeout
    out = b""
    if capture:
        out = proc.stdout.read()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline and time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return None, None, None
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    if stdin:
        stdin.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode(errors="replace")
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n{err}")
    return seconds, usage.ru_maxrss / 1024, out.decode(errors="replace") if capture else None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, unit="s"):
    if v is None:
        return "—"
    return f"{v:.3f} {unit}" if unit == "s" else f"{v:.0f} {unit}"


# ---- the rollup as one SQL query ----

def period_end(col):
    """SQL for the last day of a date's period ('2020' → '2020-12-31', '2021-06' → '2021-06-30'):
    a partial date counts, as of D, once its whole period has ended (SPEC, interchange files)."""
    return (f"(CASE length({col}) WHEN 4 THEN {col} || '-12-31' "
            f"WHEN 7 THEN date({col} || '-01', '+1 month', '-1 day') ELSE {col} END)")


def scaled(col, places):
    """SQL for a decimal text as a whole number of 1/10^places, exactly (money is never a float):
    with places=2, '12.5' → 1250, '-0.05' → -5, '3' → 300."""
    return (f"(CASE WHEN instr({col}, '.') = 0 THEN CAST({col} AS INTEGER) * {10 ** places} "
            f"ELSE CAST(replace({col}, '.', '') AS INTEGER) * "
            f"(CASE {places} - (length({col}) - instr({col}, '.')) WHEN 1 THEN 10 ELSE 1 END) END)")


def stated(col):
    """SQL: the cell holds a value (an empty cell or an added column is "not stated")."""
    return f"ifnull({col}, '') <> ''"


def covered(u, day):
    """SQL for SPEC's rule: covered on D when the station is operating or closed, with
    opened_on ≤ D and (no closed_on, or closed_on > D), partial dates at their period's end."""
    return (f"({u}.station IN ('operating', 'closed') AND {stated(u + '.opened_on')} "
            f"AND {period_end(u + '.opened_on')} <= '{day}' "
            f"AND (NOT {stated(u + '.closed_on')} OR {period_end(u + '.closed_on')} > '{day}'))")


def effective_grade(e):
    """SQL for an evaluation's grade: the one given, else derived from the score (≥90, ≥80, ≥60)."""
    score = scaled(f"{e}.score", 1)
    return (f"(CASE WHEN {stated(e + '.grade')} THEN {e}.grade WHEN {stated(e + '.score')} THEN "
            f"CASE WHEN {score} >= 900 THEN 'excellent' WHEN {score} >= 800 THEN 'good' "
            f"WHEN {score} >= 600 THEN 'pass' ELSE 'fail' END END)")


def rollup_figures(day):
    """The figures the SQL computes, by table: the table's columns and sums per (unit, those
    columns), then each figure as a sum over those few groups. Grouping first is how one would
    write it for SQLite: each row's amount is parsed once, not once per figure. Names are the
    report's JSON paths; each sums over the unit's subtree, dated on or before D."""
    def pick(value, **where):
        test = " AND ".join(f"{col} = '{word}'" if word else f"{col} = ''" for col, word in where.items())
        return f"SUM(CASE WHEN {test} THEN {value} END)"
    money = []
    for kind, side in (("allocation", "allocated_fen"), ("expenditure", "spent_fen")):
        money.append((f"funding.{side}", pick("fen", kind=kind)))
        money += [(f"funding.by_category.{c}.{side}", pick("fen", kind=kind, category=c)) for c in CATEGORIES]
        money += [(f"funding.by_source.{s}.{side}", pick("fen", kind=kind, source=s)) for s in SOURCES]
        money.append((f"funding.category_unspecified.{side}", pick("fen", kind=kind, category="")))
        money.append((f"funding.source_unspecified.{side}", pick("fen", kind=kind, source="")))
    evaluations = [("evaluations.count", "SUM(n)")]
    evaluations += [(f"evaluations.by_kind.{k}", pick("n", kind=k)) for k in EVAL_KINDS]
    evaluations += [(f"evaluations.by_grade.{g}", pick("n", grade=g)) for g in GRADES]
    evaluations.append(("evaluations.ungraded", pick("n", grade="")))
    trainings = [("trainings.count", "SUM(n)")]
    trainings += [(f"trainings.by_kind.{k}", pick("n", kind=k)) for k in TRAIN_KINDS]
    trainings += [(f"trainings.by_mode.{m}", pick("n", mode=m)) for m in MODES]
    trainings.append(("trainings.mode_unspecified", pick("n", mode="")))
    trainings += [(f"trainings.{x}", f"SUM({x.replace('.', '_')})")
                  for x in ("hours_tenths", "hours_stated", "attendees", "attendees_stated")]
    units = []
    for level in LEVELS:
        units.append((f"coverage.{level}.units", f"SUM(u.level = '{level}')"))
        units.append((f"coverage.{level}.covered", f"SUM(u.level = '{level}' AND {covered('u', day)})"))
    evaluated = f"f.first <= '{day}'"
    units.append(("evaluations.evaluated_stations", f"SUM({evaluated})"))
    units.append(("evaluations.stations_without_evaluation",
                  f"SUM({covered('u', day)} AND NOT ifnull({evaluated}, 0))"))
    grade = effective_grade("e")
    groups = {
        "budget": ("b", "b.unit", 3, "b.kind, ifnull(b.category, '') AS category, ifnull(b.source, '') AS source",
                   f"SUM({scaled('b.amount', 2)}) AS fen"),
        "evaluations": ("e", "e.unit", 2, f"e.kind, ifnull({grade}, '') AS grade", "COUNT(*) AS n"),
        "trainings": ("t", "t.host", 2, "t.kind, ifnull(t.mode, '') AS mode",
                      f"COUNT(*) AS n, SUM(CASE WHEN {stated('t.hours')} THEN {scaled('t.hours', 1)} END) AS hours_tenths, "
                      f"SUM({stated('t.hours')}) AS hours_stated, "
                      f"SUM(CASE WHEN {stated('t.attendees')} THEN CAST(t.attendees AS INTEGER) END) AS attendees, "
                      f"SUM({stated('t.attendees')}) AS attendees_stated"),
    }
    return units, {"budget": money, "evaluations": evaluations, "trainings": trainings}, groups


def sqlite_rollup_sql(unit, day):
    """The report of `unit` and of each of its children as of `day`, as one SQL query.

    Each unit of the subtree is mapped to the child it lies under (the unit itself to itself);
    each table is summed once per child; the unit's row is the sum of all of them. A node's own
    station is read in the same pass (a lookup per child would scan the table per child).
    Output: one CSV row per node, with a header naming each figure by its JSON path."""
    units, pivots, groups = rollup_figures(day)
    names = [name for name, _ in units] + [name for table in pivots for name, _ in pivots[table]]

    def figures(pairs):
        return ",\n      ".join(f'{agg} AS "{name}"' for name, agg in pairs)

    def grouped(table):
        """Sums per (unit, the table's columns), dated on or before D, then the figures per child.
        Grouping the table alone first, then joining the few groups to the tree, is much faster
        in SQLite than grouping the joined rows."""
        alias, owner, n_columns, columns, sums = groups[table]
        return (f"""  {table}_groups AS (
    SELECT {owner} AS unit, {columns}, {sums}
    FROM {table} {alias} WHERE {period_end(alias + '.date')} <= '{day}'
    GROUP BY {", ".join(str(i) for i in range(1, n_columns + 2))}),
  {table}_sums AS (
    SELECT t.top,
      {figures(pivots[table])}
    FROM top t JOIN {table}_groups g ON g.unit = t.code GROUP BY t.top)""")
    total = ",\n  ".join(f'ifnull(SUM("{n}"), 0) AS "{n}"' for n in names)
    each = ",\n  ".join(f'ifnull("{n}", 0) AS "{n}"' for n in names)
    return f""".headers on
.mode csv
WITH RECURSIVE
  top(code, top) AS (
    SELECT code, code FROM units WHERE code = '{unit}'
    UNION ALL
    SELECT u.code, CASE WHEN t.code = '{unit}' THEN u.code ELSE t.top END
    FROM units u JOIN top t ON u.parent = t.code),
  first_eval(unit, first) AS (SELECT unit, MIN({period_end('date')}) FROM evaluations GROUP BY unit),
  units_sums AS (
    SELECT t.top, MAX(u.code = t.top AND {covered('u', day)}) AS own_station,
      {figures(units)}
    FROM top t JOIN units u ON u.code = t.code LEFT JOIN first_eval f ON f.unit = u.code GROUP BY t.top),
{grouped("budget")},
{grouped("evaluations")},
{grouped("trainings")},
  per_child AS (
    SELECT * FROM units_sums LEFT JOIN budget_sums USING (top) LEFT JOIN evaluations_sums USING (top)
    LEFT JOIN trainings_sums USING (top))
SELECT '{unit}' AS node, (SELECT own_station FROM per_child WHERE top = '{unit}') AS "station.covered",
  {total}
FROM per_child
UNION ALL
SELECT top, own_station,
  {each}
FROM per_child WHERE top <> '{unit}';
"""


def parse_sql_rows(text):
    """The query's CSV output as {node code: {figure: int}}."""
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        node = row.pop("node")
        rows[node] = {k: int(v) for k, v in row.items()}
    return rows


def prepare_sqlite(db, data):
    """Adds, untimed, each column the SQL reads that a file does not have (as empty values)."""
    ddl = []
    for kind, wanted in SQL_COLUMNS.items():
        with open(os.path.join(data, kind + ".csv"), encoding="utf-8-sig") as f:
            header = next(csv.reader(f))
        ddl += [f"ALTER TABLE {kind} ADD COLUMN {c} TEXT;\n" for c in wanted if c not in header]
    if ddl:
        subprocess.run(["sqlite3", db], input="".join(ddl), text=True, check=True)


def sqlite_import_script(data, path):
    """Writes the sqlite3 script that imports the four files, each into a table of its name."""
    with open(path, "w") as f:
        f.write(".mode csv\n" + "".join(f".import '{os.path.join(data, k + '.csv')}' {k}\n" for k in KINDS))


# ---- shegong's report beside the SQL's ----

def json_figure(node, path):
    """A figure of a report node by its JSON path; a count map omits zeros, so a missing last
    key under by_kind/by_grade/by_mode is 0. None when the report has no such figure."""
    *parents, last = path.split(".")
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    if not isinstance(node, dict):
        return None
    if last not in node and parents[-1] in ("by_kind", "by_grade", "by_mode"):
        return 0
    return node.get(last)


def report_figures(node, sql):
    """(figure, shegong's value, the SQL's value) for every figure both compute for one node.

    Figures the report does not carry (another version may drop or rename optional keys) are
    left out; the documented core (coverage below the unit, funding, evaluation and training
    counts) must be there. Hours and attendees may be "not stated" (null): then no training
    may have given them."""
    core = ["funding.allocated_fen", "funding.spent_fen", "evaluations.count", "trainings.count"]
    core += [f"coverage.{level}.{k}" for level in LEVELS[LEVELS.index(node["level"]) + 1:]
             for k in ("units", "covered")]
    core += [f"funding.by_{kind}.{w}.{side}" for kind, words in (("category", CATEGORIES), ("source", SOURCES))
             for w in words for side in ("allocated_fen", "spent_fen")]
    out = []
    for name, expected in sql.items():
        if name.startswith("coverage.") and name not in core:
            continue  # levels at or above the unit: not in the report
        if name.startswith(("trainings.hours", "trainings.attendees", "station.")):
            continue  # compared below, by their own rules
        value = json_figure(node, name)
        if value is None and name not in core:
            continue
        out.append((name, value, expected))
    station = node.get("station", {})
    if "on_date" in station:
        out.append(("station.on_date is covered", int(station["on_date"] == "covered"), sql["station.covered"]))
    elif isinstance(station.get("covered"), bool):
        out.append(("station.covered", int(station["covered"]), sql["station.covered"]))
    trainings = node.get("trainings", {})
    for key, total, count in (("hours", "trainings.hours_tenths", "trainings.hours_stated"),
                              ("attendees", "trainings.attendees", "trainings.attendees_stated")):
        value = trainings.get(key)
        if value is None and key in trainings:
            out.append((f"trainings.{key} (trainings that gave it)", 0, sql[count]))
        elif isinstance(value, (int, float)):
            out.append((f"trainings.{key}", round(value * 10) if key == "hours" else value, sql[total]))
    return out


def compare(report_text, sql_text, label):
    """Exits naming the first figure where shegong's report and the SQL differ; returns how many
    figures agreed. The report's root and each child are compared with the SQL's row of the same
    code; a child present on one side only is a difference too."""
    report = json.loads(report_text)
    rows = parse_sql_rows(sql_text)
    nodes = [report] + report.get("children", [])
    if sorted(n["code"] for n in nodes) != sorted(rows):
        sys.exit(f"check failed ({label}): the report's units {sorted(n['code'] for n in nodes)[:5]}… "
                 f"are not the SQL's {sorted(rows)[:5]}…")
    agreed = 0
    for node in nodes:
        for name, ours, theirs in report_figures(node, rows[node["code"]]):
            if ours != theirs:
                unit = "tenths of an hour" if name == "trainings.hours" else ""
                sys.exit(f"check failed ({label}, as of {report['as_of']}): unit {node['code']} {name}: "
                         f"shegong {ours} ≠ SQL {theirs} {unit}".rstrip())
            agreed += 1
    return agreed


def check_report(shegong, store, db, work, label, as_of=None, unit=None):
    """Runs shegong's report (depth 1) and the SQL for the same unit and date; compares them."""
    cmd = [shegong, "--data-dir", store, "report", "--format", "json", "--depth", "1"]
    cmd += ["--as-of", as_of] if as_of else []
    cmd += ["--unit", unit] if unit else []
    _, _, out = timed(cmd, capture=True)
    report = json.loads(out)
    sql_text = run_sql(db, work, report["code"], report["as_of"])[1]
    return compare(out, sql_text, label)


def run_sql(db, work, unit, day):
    """Writes the rollup query for `unit` as of `day` and runs it with sqlite3: (seconds, output)."""
    query = os.path.join(work, "rollup.sql")
    with open(query, "w") as f:
        f.write(sqlite_rollup_sql(unit, day))
    secs, _, out = timed(["sqlite3", db], stdin_path=query, capture=True)
    return secs, out


# ---- the rules' edge cases ----

# A small tree with one case of each rule: partial years and months, a closing on a date checked,
# a station opened and closed the same day, a correction, amounts with one or no decimals, scores
# of exactly 60 and 90, a grade without a score, and unstated category, source, mode, hours and
# attendees.
RULES_FILES = {
    "units": """code,parent,level,name,station,opened_on,closed_on
R,,city,测试市,operating,2020,
D1,R,district,甲区,operating,2020-10,
S11,D1,street,甲一街道,operating,2020,
S12,D1,street,甲二街道,closed,2020-11-15,2021-06
S13,D1,street,甲三街道,closed,2021-03-01,2021-03-01
S14,D1,street,甲四街道,building,,
C111,S11,community,甲一一社区,operating,2021-06-30,
C112,S11,community,甲一二社区,closed,2021,2022
C121,S12,community,甲二一社区,planned,,
D2,R,district,乙区,none,,
S21,D2,street,乙一街道,operating,2022-06-15,
C211,S21,community,乙一一社区,closed,2021-05,2022-06-15
""",
    "evaluations": """unit,date,kind,evaluator,score,grade,note
S11,2020,midterm,第三方,,excellent,
S12,2021-06,annual,第三方,89.9,,
C111,2021-06-30,spot,第三方,59.9,,
S11,2022-06-15,final,第三方,60,,
D1,2020-12,self,第三方,,,
C211,2022-06-14,midterm,第三方,90,,
""",
    "trainings": """date,host,kind,mode,topic,hours,attendees,units,note
2021,R,class,,专题培训,,,,
2021-06-30,S11,coaching,online,辅导,1.5,12,,
2022-06,C211,meeting,mixed,调度会,2,,,
2020-12-31,D2,supervision,offline,督导,,5,,
2022-06-15,C111,class,offline,培训,0.5,0,,
""",
    "budget": """date,unit,kind,category,source,amount,voucher,note
2021,R,allocation,,,1700000,V1,
2021-06,D1,allocation,construction,fiscal,12.5,V2,
2021-06-30,S12,expenditure,operation,welfare_lottery,-0.05,V3,
2022-06-15,S21,expenditure,training,other,100.01,V4,
2020-12,C211,allocation,equipment,,3.1,V5,
2023-01-01,S11,expenditure,service_purchase,fiscal,42,V6,
2022-06-14,C112,allocation,other,other,7.07,V7,
""",
}
# Each date is on one side of an edge of RULES_FILES (a period's last day, a closing, an opening).
RULES_DATES = ["2020-11-30", "2020-12-30", "2020-12-31", "2021-03-01", "2021-06-29", "2021-06-30",
               "2021-12-31", "2022-06-14", "2022-06-15", "2022-12-31", "2023-01-01", None]


def check_rules(shegong, work):
    """The SQL and shegong on the rules' edge cases, at the root, a district and a street, at
    dates on either side of each edge: the synthetic data has no partial date and no closing."""
    work = os.path.join(work, "rules")
    data, store, db = (os.path.join(work, x) for x in ("data", "store", "peer.sqlite"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(data)
    for kind, text in RULES_FILES.items():
        with open(os.path.join(data, kind + ".csv"), "w", encoding="utf-8") as f:
            f.write(text)
    load(shegong, store, db, data, work)
    agreed = 0
    for day in RULES_DATES:
        for unit in (None, "D1", "S11"):
            agreed += check_report(shegong, store, db, work, f"rules, unit {unit or 'root'}", day, unit)
    return agreed


def load(shegong, store, db, data, work):
    """Imports the four files into a new shegong store and a new SQLite database: [(secs, MB)]
    of each shegong import, and the seconds of sqlite3's."""
    shutil.rmtree(store, ignore_errors=True)
    timed([shegong, "--data-dir", store, "init", "--empty"])
    imports = [timed([shegong, "--data-dir", store, "import", kind, os.path.join(data, kind + ".csv")])[:2]
               for kind in KINDS]
    if os.path.exists(db):
        os.remove(db)
    script = os.path.join(work, "import.sql")
    sqlite_import_script(data, script)
    sqlite_secs, _, _ = timed(["sqlite3", db], stdin_path=script)
    prepare_sqlite(db, data)
    return imports, sqlite_secs


def write_journal(data, path):
    """The budget rows as an hledger journal: one account per unit path, by category."""
    parents, names = {}, {}
    with open(os.path.join(data, "units.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            parents[row["code"]] = row["parent"]
    def account(code):
        path = []
        while code:
            path.append(code)
            code = parents.get(code, "")
        return ":".join(reversed(path))
    with open(os.path.join(data, "budget.csv"), encoding="utf-8") as f, open(path, "w", encoding="utf-8") as out:
        for row in csv.DictReader(f):
            side = "allocated" if row["kind"] == "allocation" else "spent"
            out.write(f"{row['date']} {row['voucher']}\n    {side}:{account(row['unit'])}:{row['category']}  "
                      f"{row['amount']} CNY\n    source:{row['source']}\n\n")


def shape_args(size, shape):
    """The generator's options for a size and shape: the size's record counts, the shape's tree."""
    tree = SHAPES[shape][size]
    if tree is None:
        return SIZES[size]
    args = SIZES[size]
    for flag in ("--districts", "--streets", "--communities"):
        if flag in args:
            i = args.index(flag)
            args = args[:i] + args[i + 2:]
    districts, streets, communities = tree
    return args + ["--districts", str(districts), "--streets", str(streets), "--communities", str(communities)]


def build(profile):
    """Builds shegong, sled_open and tests/tui_perf.rs; returns their paths. CI and real figures
    use release; a debug build is for trying the script out at --size tiny without a release build."""
    release = ["--release"] if profile == "release" else []
    cmd = ["cargo", "build", "--quiet", "--bin", "shegong", "--example", "sled_open"]
    subprocess.run(cmd + release, cwd=ROOT, check=True)
    target = os.path.join(ROOT, "target", profile)
    # The UI's figures come from the test program that times key → frame on a given store;
    # cargo names the program it built in its JSON messages.
    out = subprocess.run(["cargo", "test", "--quiet", "--no-run", "--test", "tui_perf",
                          "--message-format=json"] + release,
                         cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    ui = [m["executable"] for m in map(json.loads, out.splitlines())
          if m.get("reason") == "compiler-artifact" and m.get("executable")
          and m.get("target", {}).get("name") == "tui_perf"]
    if not ui:
        sys.exit("cargo built no tests/tui_perf.rs program")
    return os.path.join(target, "shegong"), os.path.join(target, "examples", "sled_open"), ui[-1]


# The lines of tests/tui_perf.rs's output that the issue's table names, and how each is named here.
UI_LINES = [
    ("ui_open", r"open \+ first frame"),
    ("ui_find_first", r"/ \(find"),
    ("ui_chart", r"Tab → funding chart of the root"),
]


def ui_figures(perf, store):
    """Key → frame on the store, in ms: the first frame, the first `/`, the funding chart of the
    root (means), and the slowest single key typed into find (the max over every typed query)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEGONG_")}
    # Opened in place: a private copy of a national store would be timed as the open.
    env.update(SHEGONG_PERF_DIR=store, SHEGONG_PERF_READONLY="0", LANG="en_US.UTF-8")
    out = subprocess.run([perf, "--ignored", "--nocapture", "--test-threads=1"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"tests/tui_perf.rs failed on {store}:\n{out.stdout}\n{out.stderr}")
    fig, find_keys = {}, []
    for line in out.stdout.splitlines():
        times = [float(t) for t in re.findall(r"([\d.]+) ms", line)]
        if not times:
            continue
        for key, pattern in UI_LINES:
            if re.match(pattern, line):
                fig[key] = times[0]
        if re.match(r"typing .* in find", line):
            find_keys.append(times[-1])
    fig["ui_find_key_max"] = max(find_keys) if find_keys else None
    missing = [key for key, _ in UI_LINES if key not in fig]
    if missing:
        sys.exit(f"tests/tui_perf.rs printed no {missing}:\n{out.stdout}")
    return fig


def verdict(ok):
    return "—" if ok is None else ("met" if ok else "**not met**")


def issue_table(m, budget_rows):
    """Each row of issue 14's table: the figure of these runs, the target, and whether it is met."""
    ms = lambda v: "—" if v is None else f"{v:.1f} ms"
    below = lambda v, limit: None if v is None else v < limit
    mems = [m[f"import_{kind}_mem"] for kind in KINDS]
    ratio = m["import_total"] / m["sqlite_import"] if m["import_total"] and m["sqlite_import"] else None
    rate = budget_rows / m["import_budget"] if m["import_budget"] else None
    on_top = None if m["report"] is None or m["sled_open"] is None else m["report"] - m["sled_open"]
    rows = [
        ("`/` the first time; each key in find (slowest key)",
         f"{ms(m['ui_find_first'])}; {ms(m['ui_find_key_max'])}", "first `/` < 100 ms; < 16 ms per key",
         verdict(None if m["ui_find_first"] is None else
                 below(m["ui_find_first"], 100) and below(m["ui_find_key_max"], 16))),
        ("funding chart of the root (key → frame)", ms(m["ui_chart"]), "< 16 ms", verdict(below(m["ui_chart"], 16))),
        ("root `report --depth 1` on top of sled's bare open", fmt(on_top),
         "at most 2× the default size's", "compare with the default size's run"),
        ("peak memory of each import (units, evaluations, trainings, budget)",
         ", ".join(fmt(v, "MB") for v in mems), "< 500 MB",
         verdict(None if None in mems else all(v < 500 for v in mems))),
        ("peak memory of `check`", fmt(m["check_mem"], "MB"), "< 500 MB", verdict(below(m["check_mem"], 500))),
        ("import of all four files against `sqlite3 .import`; budget rows/s",
         f"{ratio:.2f}×; {rate:,.0f}/s" if ratio and rate else "—", "≤ 3×; ≥ 100,000/s",
         verdict(None if ratio is None else ratio <= 3 and rate >= 100_000)),
        ("kept: report against the SQL rollup", f"{m['sqlite_query'] / m['report']:.1f}×" if m["report"] else "—",
         "≥ 20×", verdict(None if not m["report"] else m["sqlite_query"] / m["report"] >= 20)),
        (f"kept: report as of {PAST}", fmt(m["past"]), "< 2 s", verdict(below(m["past"], 2))),
        ("kept: open + first frame of the UI", ms(m["ui_open"]), "—", ""),
    ]
    return ["| measure | this run | target | |", "|---|---|---|---|"] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=SIZES, default="default")
    p.add_argument("--shape", choices=SHAPES, default="default",
                   help="default: 12 streets of 15 communities per district; wide: many districts of "
                        "20 (national: 27) one-community streets; deep: few districts of 4 streets with 480 communities")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--work", default=os.path.join(ROOT, "bench-data"))
    p.add_argument("--check", action="store_true", help="exercise every step; judge no timing (CI)")
    p.add_argument("--profile", choices=["release", "debug"], default="release",
                   help="the build measured (debug only to try the script out)")
    p.add_argument("--hledger-timeout", type=int, default=1800)
    p.add_argument("--no-hledger", action="store_true", help="skip hledger (it takes hours at national size)")
    p.add_argument("--shegong", metavar="BINARY",
                   help="measure this shegong binary instead of the one built here (e.g. an older "
                        "commit's release build, to compare before and after in one session)")
    a = p.parse_args()

    shegong, sled_open, ui_perf = build(a.profile)
    if a.shegong:
        shegong = os.path.abspath(a.shegong)
    name = a.size if a.shape == "default" else f"{a.size}-{a.shape}"
    work = os.path.join(a.work, name)
    data = os.path.join(work, "data")
    if not os.path.exists(os.path.join(data, "budget.csv")):
        os.makedirs(data, exist_ok=True)
        subprocess.run([sys.executable, GEN, "--out", data] + shape_args(a.size, a.shape), check=True)
    with open(os.path.join(data, "budget.csv"), encoding="utf-8") as f:
        budget_rows = sum(1 for _ in f) - 1
    with open(os.path.join(data, "units.csv"), encoding="utf-8") as f:
        unit_rows = sum(1 for _ in f) - 1
    rules_agreed = check_rules(shegong, a.work)

    results = {k: [] for k in ["import_total", "import_budget", "budget_mem", "import_peak_mem", "sqlite_import",
                               "report", "report_mem", "sled_open", "past", "past_mem", "sqlite_query",
                               "check", "check_mem", "ui_open", "ui_find_first", "ui_find_key_max", "ui_chart"]
               + [f"import_{kind}" for kind in KINDS] + [f"import_{kind}_mem" for kind in KINDS]}
    store = os.path.join(work, "store")
    db = os.path.join(work, "peer.sqlite")
    agreed = 0
    for n in range(a.runs):
        imports, sqlite_secs = load(shegong, store, db, data, work)
        results["import_total"].append(sum(secs for secs, _ in imports))
        results["import_peak_mem"].append(max(mem for _, mem in imports))
        results["import_budget"].append(imports[KINDS.index("budget")][0])
        results["budget_mem"].append(imports[KINDS.index("budget")][1])
        results["sqlite_import"].append(sqlite_secs)
        for kind, (secs, mem) in zip(KINDS, imports):
            results[f"import_{kind}"].append(secs)
            results[f"import_{kind}_mem"].append(mem)

        # Once untimed: the first open after the imports reads the store cold, and the report
        # after it would be compared with that.
        timed([sled_open, os.path.join(store, "sled")])
        secs, _, _ = timed([sled_open, os.path.join(store, "sled")])
        results["sled_open"].append(secs)
        secs, mem, out = timed([shegong, "--data-dir", store, "report", "--format", "json", "--depth", "1"], capture=True)
        results["report"].append(secs)
        results["report_mem"].append(mem)
        secs, mem, past = timed([shegong, "--data-dir", store, "report", "--format", "json", "--depth", "1",
                                 "--as-of", PAST], capture=True)
        results["past"].append(secs)
        results["past_mem"].append(mem)
        report = json.loads(out)
        secs, sql_out = run_sql(db, work, report["code"], report["as_of"])
        results["sqlite_query"].append(secs)
        agreed = compare(out, sql_out, f"{name}, run {n + 1}")
        if n == 0:
            agreed += compare(past, run_sql(db, work, report["code"], PAST)[1], f"{name}, past date")
        secs, mem, _ = timed([shegong, "--readonly", "--data-dir", store, "check"])
        results["check"].append(secs)
        results["check_mem"].append(mem)
        for key, value in ui_figures(ui_perf, store).items():
            results[key].append(value)
        print(f"run {n + 1}/{a.runs} done", file=sys.stderr)
    print(f"checked: {agreed} figures of the root reports (today and {PAST}) and {rules_agreed} of the "
          f"rules' edge cases equal the SQL rollup's", file=sys.stderr)

    hledger = None
    if shutil.which("hledger") and not a.no_hledger:
        journal = os.path.join(work, "budget.journal")
        if not os.path.exists(journal):
            write_journal(data, journal)
        hledger, _, _ = timed(["hledger", "-f", journal, "balance", "--depth", "3"], timeout=a.hledger_timeout)

    m = {k: median(v) for k, v in results.items()}
    ratio = lambda x, y: (x / y) if x and y else None
    rows = [
        ("import, all four files (shegong)", fmt(m["import_total"]), ""),
        ("import, all four files (sqlite3 .import)", fmt(m["sqlite_import"]),
         f"shegong/sqlite = {ratio(m['import_total'], m['sqlite_import']):.2f}" if m["sqlite_import"] else ""),
        ("budget rows per second (shegong)", f"{budget_rows / m['import_budget']:,.0f}/s", f"{budget_rows:,} rows"),
        ("peak memory of an import", fmt(m["import_peak_mem"], "MB"), ""),
    ] + [
        (f"import {kind}: time; peak memory", f"{fmt(m[f'import_{kind}'])}; {fmt(m[f'import_{kind}_mem'], 'MB')}", "")
        for kind in KINDS
    ] + [
        ("`check` (recomputes everything): time; peak memory", f"{fmt(m['check'])}; {fmt(m['check_mem'], 'MB')}", ""),
        ("sled bare open of the store", fmt(m["sled_open"]), ""),
        ("report --depth 1 at the root", fmt(m["report"]),
         f"on top of open: {fmt((m['report'] or 0) - (m['sled_open'] or 0))}"),
        ("same rollup as one SQL query (sqlite3)", fmt(m["sqlite_query"]),
         f"sqlite/shegong = {ratio(m['sqlite_query'], m['report']):.1f}×; every figure equal"),
        ("hledger balance over the budget rows", fmt(hledger) if hledger else "— (not run or timed out)",
         f"hledger/shegong = {ratio(hledger, m['report']):.1f}×" if hledger else ""),
        (f"report as of {PAST}", fmt(m["past"]), ""),
        ("peak memory of a report", fmt(max(m["report_mem"] or 0, m["past_mem"] or 0), "MB"), ""),
    ]
    tree = SHAPES[a.shape][a.size]
    head = (f"## shegong at size `{a.size}`, shape `{a.shape}`"
            f"{f' ({tree[0]:,} districts of {tree[1]} streets of {tree[2]} communities)' if tree else ''}: "
            f"{unit_rows:,} units, {budget_rows:,} budget rows; medians of {a.runs} run(s), "
            f"{time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.1f} at the end\n")
    lines = [head, "| measure | value | note |", "|---|---|---|"] + [f"| {a_} | {b} | {c} |" for a_, b, c in rows]
    lines += ["", "The scale issue's table (issue 14), from the same runs:", ""] + issue_table(m, budget_rows)
    table = "\n".join(lines)
    print(table)
    if not a.check:
        os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench-results", f"{a.size}-{a.shape}.md"), "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
