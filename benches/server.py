#!/usr/bin/env python3
"""The shared server's figures beside sled's, from one run at one size (issue 13).

Generates the synthetic data (../shared/tools/gen_synthetic.py, the default size unless
--size), starts a throwaway PostgreSQL cluster the way tests/pg_support does (Debian's binaries
in /usr/lib/postgresql/*/bin, as the `postgres` user when run as root, a temp folder, the Unix
socket only, the password in a password file; stopped by its own pid and removed at the end),
and, on a folder store (sled) and on a database of that cluster, in the same run:

  - imports the four files (`init --empty`, then `import KIND FILE`), timing each; budget rows/s;
  - times `report --format json --depth 1` at the root (median of --runs);
  - runs tests/tui_perf.rs (key to frame in the UI) on each (SHEGONG_PERF_DIR / SHEGONG_PERF_DB);
  - runs the saves benchmark of tests/pg_concurrency.rs (`saves_on_a_large_store`): 16 writers,
    each its own connection, on the server; one writer on sled, whose store is one process's at
    a time (a second writer is refused with exit 3).

Needs the release build of the binary and of the two test programs:

    cargo build --release && cargo test --release --no-run --test tui_perf --test pg_concurrency
    python3 benches/server.py --runs 3 [--size tiny] [--keep-data DIR]
    python3 benches/server.py --imports-only [--bin OLD/shegong]   # imports and report only

The server runs with fsync=off and synchronous_commit=off, as the tests' clusters do (a
throwaway server): a real server's commits wait for its disk. Prints a Markdown table.
"""
import argparse, glob, json, os, pwd, re, secrets, shutil, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(os.path.dirname(ROOT), "shared", "tools", "gen_synthetic.py")
PROFILE = "release"  # --profile debug: the debug builds, to try the script quickly
IMPORTS_ONLY = False  # --imports-only: imports and the root report, nothing else
SERVER_OPTIONS = ""  # --wal-minimal: the server without WAL for tables made in the writing transaction
KINDS = ["units", "evaluations", "trainings", "budget"]
SIZES = {
    "tiny": ["--districts", "2", "--streets", "3", "--communities", "4", "--evaluations", "300",
             "--trainings", "150", "--budget", "3000"],
    "default": [],
}


def test_program(name):
    """The newest release build of tests/NAME.rs."""
    found = [p for p in glob.glob(os.path.join(ROOT, "target", PROFILE, "deps", name + "-*"))
             if os.access(p, os.X_OK) and not p.endswith(".d")]
    if not found:
        sys.exit(f"no {PROFILE} build of tests/{name}.rs: cargo test --release --no-run --test {name}")
    return max(found, key=os.path.getmtime)


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "SHEGONG_"))}
    env["LANG"] = "en_US.UTF-8"
    env.update(extra or {})
    return env


def run(cmd, env=None, capture=True):
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env or clean_env(), stdout=subprocess.PIPE if capture else None,
                         stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr}")
    return took, out.stdout


class Cluster:
    """A throwaway cluster: temp folder, socket only, stopped by its pid."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = os.path.dirname(bins[-1])
        self.root = tempfile.mkdtemp(prefix="shegong-bench-pg")
        self.as_postgres = os.geteuid() == 0
        self.password = secrets.token_hex(16)
        self.passfile = os.path.join(self.root, "pgpass")
        with open(self.passfile, "w") as f:
            f.write(f"*:*:*:postgres:{self.password}\n")
        os.chmod(self.passfile, 0o600)
        pw = os.path.join(self.root, "pw")
        with open(pw, "w") as f:
            f.write(self.password + "\n")
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            for path in (self.root, pw):
                os.chown(path, user.pw_uid, user.pw_gid)
        data = os.path.join(self.root, "data")
        self.server(["initdb", "-D", data, "-U", "postgres", "--auth=scram-sha-256", "-E", "UTF8",
                     "--locale=C.UTF-8", "--no-sync", f"--pwfile={pw}"])
        os.remove(pw)
        options = (f"-c listen_addresses='' -c port=5432 -c unix_socket_directories='{self.root}' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" + SERVER_OPTIONS)
        self.server(["pg_ctl", "-D", data, "-l", os.path.join(self.root, "log"), "-w", "-t", "60",
                     "-o", options, "start"])
        with open(os.path.join(data, "postmaster.pid")) as f:
            self.pid = int(f.readline())

    def server(self, cmd):
        cmd = [os.path.join(self.bin, cmd[0])] + cmd[1:]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        out = subprocess.run(cmd, cwd=self.root, env=clean_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            sys.exit(f"{cmd[0]}: {out.stderr}")

    def psql(self, sql, db="postgres"):
        env = clean_env({"PGHOST": self.root, "PGPORT": "5432", "PGUSER": "postgres",
                         "PGDATABASE": db, "PGPASSFILE": self.passfile})
        run([os.path.join(self.bin, "psql"), "-X", "-w", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env)

    def database(self, db):
        """A database owned by a new login that may create roles; its URL (no password)."""
        owner = f"{db}_owner"
        password = secrets.token_hex(16)
        with open(self.passfile, "a") as f:
            f.write(f"*:*:*:{owner}:{password}\n")
        self.psql(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{password}'")
        self.psql(f"CREATE DATABASE {db} OWNER {owner}")
        return f"postgresql://{owner}@/{db}?host={self.root}&passfile={self.passfile}"

    def cpu(self):
        """CPU seconds the server spent so far: the postmaster, its children now running, and
        those it has reaped (a finished connection's backend), from /proc."""
        def fields(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                return None
        own = fields(self.pid)
        ticks = sum(int(x) for x in own[11:15]) if own else 0  # utime stime cutime cstime
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                child = fields(int(entry))
                if child and int(child[1]) == self.pid:
                    ticks += int(child[11]) + int(child[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        os.kill(self.pid, signal.SIGINT)
        for _ in range(600):
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)


def measure(store_args, perf_env, saves_env, data, runs, server_cpu=None):
    """Import, root report, UI and saves on one store; a dict of figures. `server_cpu`: the
    server's CPU seconds so far (the server's own share of each import, which the load of
    other programs on the machine does not inflate as it does the wall time)."""
    fig = {}
    run([BIN] + store_args + ["init", "--empty"])
    for kind in KINDS:
        before = server_cpu() if server_cpu else None
        took, _ = run([BIN] + store_args + ["import", kind, os.path.join(data, f"{kind}.csv")])
        fig[f"import {kind} (s)"] = round(took, 2)
        if server_cpu:
            time.sleep(0.5)  # the backend of the import's connection reaped
            fig[f"import {kind}: server CPU (s)"] = round(server_cpu() - before, 2)
        fig[f"import {kind}: load average at its end"] = round(os.getloadavg()[0], 1)
    with open(os.path.join(data, "budget.csv")) as f:
        rows = sum(1 for _ in f) - 1
    fig["budget rows/s"] = round(rows / fig["import budget (s)"])
    times = [run([BIN] + store_args + ["report", "--format", "json", "--depth", "1"])[0] for _ in range(runs)]
    fig["report --depth 1 at the root (s), median"] = round(statistics.median(times), 3)
    if IMPORTS_ONLY:
        return fig
    _, ui = run([test_program("tui_perf"), "--ignored", "--nocapture", "--test-threads=1"],
                env=clean_env(perf_env))
    for line in ui.splitlines():
        m = re.match(r"(open \+ first frame.*?|↓ ×100 in the tree|PgDn ×5|open a district \(→\)|"
                     r"Tab → funding chart of the root.*?)\s+(?:mean\s+)?([\d.]+ ms)", line)
        if m:
            fig["UI: " + m.group(1).strip() + (" (mean per key)" if "×" in m.group(1) else "")] = m.group(2)
    _, saves = run([test_program("pg_concurrency"), "--ignored", "--nocapture", "--exact",
                    "saves_on_a_large_store"], env=clean_env(saves_env))
    m = re.search(r"saves: (\d+) writers, (\d+) saves in ([\d.]+) s = (\d+) saves/s, p99 ([\d.]+) ms", saves)
    if m:
        fig["saves/s"] = f"{m.group(4)} ({m.group(1)} writer{'s' if m.group(1) != '1' else ''})"
        fig["p99 of one save"] = f"{m.group(5)} ms"
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="default")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep-data", help="generate into (or reuse) this folder and keep it")
    ap.add_argument("--profile", choices=["release", "debug"], default="release")
    ap.add_argument("--imports-only", action="store_true",
                    help="the imports and the root report only (no UI, no saves: no test programs needed)")
    ap.add_argument("--bin", help="this build of shegong instead of target/PROFILE/shegong (a before)")
    ap.add_argument("--hold", type=int, default=0, metavar="SECONDS",
                    help="keep the server (with the data loaded) up this long after the run, "
                         "printing its URL, to look at queries on it (EXPLAIN ANALYZE)")
    ap.add_argument("--wal-minimal", action="store_true",
                    help="the server with wal_level=minimal (no replicas: a table made by the transaction "
                         "that fills it, such as a bulk import's partition, is not WAL-logged)")
    args = ap.parse_args()
    global PROFILE, BIN, IMPORTS_ONLY, SERVER_OPTIONS
    if args.wal_minimal:
        SERVER_OPTIONS = " -c wal_level=minimal -c max_wal_senders=0"
    PROFILE = args.profile
    IMPORTS_ONLY = args.imports_only
    BIN = args.bin or os.path.join(ROOT, "target", PROFILE, "shegong")
    if not os.access(BIN, os.X_OK):
        sys.exit(f"no {PROFILE} build at {BIN}: cargo build --{PROFILE}")
    work = tempfile.mkdtemp(prefix="shegong-bench-server")
    cluster = None
    try:
        data = args.keep_data or os.path.join(work, "data")
        if not os.path.exists(os.path.join(data, "budget.csv")):
            run([sys.executable, GEN, "--out", data] + SIZES[args.size])
        print(f"load before: {os.getloadavg()}", flush=True)
        store = os.path.join(work, "store")
        sled = measure(["--data-dir", store], {"SHEGONG_PERF_DIR": store}, {"SHEGONG_BENCH_DIR": store},
                       data, args.runs)
        shutil.rmtree(store, ignore_errors=True)
        print(f"sled done; load: {os.getloadavg()}", flush=True)
        cluster = Cluster()
        url = cluster.database("bench")
        server = measure(["--db", url], {"SHEGONG_PERF_DB": url}, {"SHEGONG_BENCH_DB": url}, data, args.runs,
                         cluster.cpu)
        print(f"server done; load: {os.getloadavg()}", flush=True)
        print(f"\n| measure ({args.size} size, {PROFILE} build) | sled | server |\n|---|---|---|")
        for key in list(dict.fromkeys(list(sled) + list(server))):
            print(f"| {key} | {sled.get(key, '—')} | {server.get(key, '—')} |")
        print(json.dumps({"sled": sled, "server": server}, ensure_ascii=False), flush=True)
        if args.hold:
            print(f"holding the server {args.hold} s: {url} (pid {cluster.pid})", flush=True)
            time.sleep(args.hold)
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
