#!/usr/bin/env python3
"""shegong beside its peers, at a given size: import, report, past-date report, memory.

Generates the synthetic data (../shared/tools/gen_synthetic.py), then, in the same run and for
each of --runs rounds: imports the four files into a new shegong store and into SQLite
(`.import`), times shegong's root report beside sled's bare open of the same store and beside
the same rollup as one SQL query, and (once) `hledger balance` over the budget rows as a journal.
Prints a table of medians and ratios and the targets of the scale issue; writes it to
bench-results/. `--size tiny --check` is what CI runs: it exercises every step and times nothing.

    python3 benches/run.py --size default --runs 3
    python3 benches/run.py --size national --runs 3
"""
import argparse, csv, os, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(os.path.dirname(ROOT), "shared", "tools", "gen_synthetic.py")
SIZES = {
    "tiny": ["--districts", "2", "--streets", "3", "--communities", "4", "--evaluations", "300",
             "--trainings", "150", "--budget", "3000"],
    "default": [],
    "national": ["--districts", "2850", "--budget", "5000000", "--evaluations", "500000", "--trainings", "250000"],
}
KINDS = ["units", "evaluations", "trainings", "budget"]
PAST = "2022-06-15"


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


def sqlite_rollup_sql(today):
    """Coverage per child of the root and money per child's subtree, as one SQL query."""
    return f"""
WITH RECURSIVE
  root(code) AS (SELECT code FROM units WHERE parent = ''),
  top(code, top) AS (
    SELECT u.code, u.code FROM units u JOIN root r ON u.parent = r.code
    UNION ALL
    SELECT u.code, t.top FROM units u JOIN top t ON u.parent = t.code),
  coverage AS (
    SELECT t.top,
      SUM(u.level = 'street') AS streets,
      SUM(u.level = 'street' AND u.station = 'operating' AND u.opened_on <= '{today}') AS streets_covered,
      SUM(u.level = 'community') AS communities,
      SUM(u.level = 'community' AND u.station = 'operating' AND u.opened_on <= '{today}') AS communities_covered
    FROM top t JOIN units u ON u.code = t.code GROUP BY t.top),
  money AS (
    SELECT t.top,
      SUM(CASE WHEN b.kind = 'allocation' THEN CAST(REPLACE(b.amount, '.', '') AS INTEGER) ELSE 0 END) AS allocated_fen,
      SUM(CASE WHEN b.kind = 'expenditure' THEN CAST(REPLACE(b.amount, '.', '') AS INTEGER) ELSE 0 END) AS spent_fen
    FROM top t JOIN budget b ON b.unit = t.code WHERE b.date <= '{today}' GROUP BY t.top)
SELECT c.top, c.streets, c.streets_covered, c.communities, c.communities_covered,
       m.allocated_fen, m.spent_fen
FROM coverage c LEFT JOIN money m ON m.top = c.top ORDER BY c.top;
"""


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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=SIZES, default="default")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--work", default=os.path.join(ROOT, "bench-data"))
    p.add_argument("--check", action="store_true", help="exercise every step; judge no timing (CI)")
    p.add_argument("--hledger-timeout", type=int, default=1800)
    a = p.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "shegong", "--example", "sled_open"],
                   cwd=ROOT, check=True)
    shegong = os.path.join(ROOT, "target", "release", "shegong")
    sled_open = os.path.join(ROOT, "target", "release", "examples", "sled_open")
    data = os.path.join(a.work, a.size, "data")
    if not os.path.exists(os.path.join(data, "budget.csv")):
        os.makedirs(data, exist_ok=True)
        subprocess.run([sys.executable, GEN, "--out", data] + SIZES[a.size], check=True)
    with open(os.path.join(data, "budget.csv"), encoding="utf-8") as f:
        budget_rows = sum(1 for _ in f) - 1
    today = time.strftime("%Y-%m-%d")

    results = {k: [] for k in ["import_total", "import_budget", "budget_mem", "import_peak_mem", "sqlite_import",
                               "report", "report_mem", "sled_open", "past", "past_mem", "sqlite_query"]}
    for n in range(a.runs):
        store = os.path.join(a.work, a.size, "store")
        shutil.rmtree(store, ignore_errors=True)
        timed([shegong, "--data-dir", store, "init", "--empty"])
        total, peak = 0.0, 0.0
        for kind in KINDS:
            secs, mem, _ = timed([shegong, "--data-dir", store, "import", kind, os.path.join(data, kind + ".csv")])
            total += secs
            peak = max(peak, mem)
            if kind == "budget":
                results["import_budget"].append(secs)
                results["budget_mem"].append(mem)
        results["import_total"].append(total)
        results["import_peak_mem"].append(peak)

        db = os.path.join(a.work, a.size, "peer.sqlite")
        if os.path.exists(db):
            os.remove(db)
        script = os.path.join(a.work, a.size, "import.sql")
        with open(script, "w") as f:
            f.write(".mode csv\n" + "".join(f".import '{os.path.join(data, k + '.csv')}' {k}\n" for k in KINDS))
        secs, _, _ = timed(["sqlite3", db], stdin_path=script)
        results["sqlite_import"].append(secs)

        secs, _, _ = timed([sled_open, os.path.join(store, "sled")])
        results["sled_open"].append(secs)
        secs, mem, out = timed([shegong, "--data-dir", store, "report", "--format", "json", "--depth", "1"], capture=True)
        results["report"].append(secs)
        results["report_mem"].append(mem)
        secs, mem, _ = timed([shegong, "--data-dir", store, "report", "--format", "json", "--depth", "1",
                              "--as-of", PAST])
        results["past"].append(secs)
        results["past_mem"].append(mem)
        query = os.path.join(a.work, a.size, "rollup.sql")
        with open(query, "w") as f:
            f.write(sqlite_rollup_sql(today))
        secs, _, _ = timed(["sqlite3", db], stdin_path=query)
        results["sqlite_query"].append(secs)
        print(f"run {n + 1}/{a.runs} done", file=sys.stderr)

    hledger = None
    if shutil.which("hledger"):
        journal = os.path.join(a.work, a.size, "budget.journal")
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
        ("sled bare open of the store", fmt(m["sled_open"]), ""),
        ("report --depth 1 at the root", fmt(m["report"]),
         f"on top of open: {fmt((m['report'] or 0) - (m['sled_open'] or 0))}"),
        ("same rollup as one SQL query (sqlite3)", fmt(m["sqlite_query"]),
         f"sqlite/shegong = {ratio(m['sqlite_query'], m['report']):.1f}×"),
        ("hledger balance over the budget rows", fmt(hledger) if hledger else "— (not run or timed out)",
         f"hledger/shegong = {ratio(hledger, m['report']):.1f}×" if hledger else ""),
        (f"report as of {PAST}", fmt(m["past"]), ""),
        ("peak memory of a report", fmt(max(m["report_mem"] or 0, m["past_mem"] or 0), "MB"), ""),
    ]
    head = f"## shegong at size `{a.size}` ({budget_rows:,} budget rows), medians of {a.runs} run(s), {today}\n"
    lines = [head, "| measure | value | note |", "|---|---|---|"] + [f"| {a_} | {b} | {c} |" for a_, b, c in rows]
    table = "\n".join(lines)
    print(table)
    if not a.check:
        os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench-results", f"{a.size}.md"), "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
