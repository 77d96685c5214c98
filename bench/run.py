#!/usr/bin/env python3
"""The HTTP benchmark: the product against its ceilings, on SQLite and on PostgreSQL.

    bench/run.py [--scale county|city|province] [--engines sqlite,postgres]
                 [--duration SECONDS] [--connections 16,64] [--skip-build] [--only NAME]
                 [--heaptrack]

It installs wrk (Debian) if missing, builds the release binaries, generates the dataset once
per engine and scale (`zhaoyin demo --scale … --no-serve`; kept under bench/work/ and in the
PostgreSQL database zhaoyin_bench_SCALE), starts `zhaoyin serve` and `zhaoyin-ceiling` on
loopback against the same database, signs in, and measures every endpoint at each number of
connections: requests/s, p50 and p99. Every figure is also given as a ratio to its ceiling,
measured in the same run. It prints one table and writes bench/results/DATE-SCALE.json.
After the load it also asks the server's glibc allocator what it holds (gdb, `malloc_stats()`);
`--heaptrack` instead profiles the server's heap and prints its largest live allocations.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
ZHAOYIN = ROOT / "target" / "release" / "zhaoyin"
CEILING = ROOT / "target" / "release" / "zhaoyin-ceiling"
COMPANIES_XLSX = ROOT / "target" / "release" / "companies-xlsx"
# Companies in the import benchmark's workbook.
IMPORT_ROWS = 100_000
PASSWORD = "Zhaoyin@2026"
PG_ADMIN = os.environ.get("ZHAOYIN_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# The task list as a supervisor filters it: open tasks, by deadline, 50 rows.
LIST_QUERY = "open=true&sort=deadline&per_page=50"
# The project list as a supervisor filters it: projects under construction, last changed first.
PROJECT_QUERY = "stage=started&per_page=50"
# The company library filtered by a mark, by name.
COMPANY_QUERY = "flags=china500&sort=name&per_page=50"
# Counted trips of the county (about 270 a year): a page of 50.
ACTIVITY_QUERY = "kind=trip&counted=1&per_page=50"

# wrk scripts, removed on exit.
SCRIPTS = tempfile.TemporaryDirectory(prefix="zhaoyin-bench-")
# Goals of issue 4, by endpoint kind: least ratio of requests/s to the ceiling's, most ratio
# of p99 to the ceiling's.
GOALS = {"api": (0.50, 2.0), "page": (0.35, 2.0)}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, **kw)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "wrk"], env=env)


def database_url(engine, scale):
    if engine == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        return f"sqlite://{WORK / (scale + '.db')}"
    return f"{PG_ADMIN}/zhaoyin_bench_{scale}"


def prepare(engine, scale):
    """Generates the dataset unless it is there already. Returns the database URL."""
    url = database_url(engine, scale)
    if engine == "postgres":
        name = url.rsplit("/", 1)[1]
        exists = subprocess.run(
            ["psql", f"{PG_ADMIN}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            check=True, capture_output=True, text=True).stdout.strip() == "1"
        if not exists:
            run(["psql", f"{PG_ADMIN}/postgres", "-qc", f"CREATE DATABASE {name}"])
            try:
                generate(url, scale)
            except BaseException:
                # A half-filled database would be taken for a ready one next time.
                run(["psql", f"{PG_ADMIN}/postgres", "-qc", f"DROP DATABASE {name}"])
                raise
    else:
        path = Path(url.removeprefix("sqlite://"))
        if not path.exists():
            try:
                generate(url, scale)
            except BaseException:
                for leftover in path.parent.glob(path.name + "*"):
                    leftover.unlink()
                raise
    return url


def generate(url, scale):
    started = time.monotonic()
    run([ZHAOYIN, "--database-url", url, "demo", "--scale", scale, "--no-serve"])
    log(f"generated {scale} in {time.monotonic() - started:.1f} s")


RUNNING = []


class Server:
    """A process that prints the address it serves on; stopped on exit, even by an error."""

    def __init__(self, cmd, marker):
        self.started = time.monotonic()
        WORK.mkdir(parents=True, exist_ok=True)
        self.log = open(WORK / f"{Path(cmd[0]).name}.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, LANG="zh_CN.UTF-8"))
        RUNNING.append(self)
        self.own_peak_kb = 0
        threading.Thread(target=self.sample, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = Path(self.log.name).read_text()
            m = re.search(rf"{marker}.*(http://127\.0\.0\.1:\d+)", text)
            if m:
                self.base = m.group(1)
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.002)
        else:
            self.proc.kill()
        if not hasattr(self, "base"):
            raise RuntimeError(f"{cmd[0]} did not start:\n{Path(self.log.name).read_text()}")

    def wait_healthy(self):
        """Seconds from spawning to the first answered health check (polled every 2 ms)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic() - self.started
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.002)
        raise RuntimeError("no answer to /healthz within a minute")

    def status_kb(self):
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return {k: int(v.split()[0]) for k, v in re.findall(r"^(Rss\w+|VmHWM):\s+(.+)$", status, re.M)}

    def sample(self):
        """Keeps the most of the process's own memory seen, every 20 ms, while it runs."""
        while self.proc.poll() is None:
            try:
                kb = self.status_kb()
                own = kb["RssAnon"] + kb["RssShmem"]
            except (OSError, KeyError):
                return  # the process has ended
            self.own_peak_kb = max(self.own_peak_kb, own)
            time.sleep(0.02)

    def memory_mb(self):
        """Resident memory in MB: `own` is the process's own (heap and stacks: RssAnon +
        RssShmem), the memory goal's figure; `mapped` is the database file's pages that SQLite's
        readers map (RssFile, with the binary's): the operating system's file cache, shared with
        every reader of the file and reclaimed like any cached file; `own_peak` is the most of its
        own memory seen so far (sampled every 20 ms); `peak` is VmHWM, both together."""
        kb = self.status_kb()
        return {"own": (kb["RssAnon"] + kb["RssShmem"]) / 1024, "mapped": kb["RssFile"] / 1024,
                "own_peak": max(self.own_peak_kb, kb["RssAnon"] + kb["RssShmem"]) / 1024,
                "peak": kb["VmHWM"] / 1024}

    def heap_mb(self):
        """What glibc's allocator holds in the process, asked of it through gdb
        (`malloc_stats()`, which prints to the process's standard error, its log here): `held` is
        what it has taken from the system, `in_use` what the program has allocated and not
        freed; the difference is free memory kept in its arenas (one per thread that allocated,
        up to eight per core), blocks mapped on their own included. None where gdb is missing or
        cannot attach."""
        if not shutil.which("gdb"):
            return None
        self.log.flush()
        before = Path(self.log.name).stat().st_size
        subprocess.run(["gdb", "-p", str(self.proc.pid), "-batch", "-nx",
                        "-ex", "call (void) malloc_stats()"], capture_output=True, timeout=120)
        with open(self.log.name, "rb") as f:
            f.seek(before)
            text = f.read().decode(errors="replace")
        total = re.search(r"Total \(incl\. mmap\):\s+system bytes\s+=\s+(\d+)\s+in use bytes\s+=\s+(\d+)", text)
        if not total:
            return None
        return {"held": int(total.group(1)) / 2**20, "in_use": int(total.group(2)) / 2**20,
                "arenas": len(re.findall(r"^Arena \d+:", text, re.M))}

    def stop(self):
        RUNNING.remove(self)
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser():
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    return jar, opener


def fetch(opener, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def csrf_in(html):
    m = re.search(r'name="_csrf" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    return m.group(1)


def cookie_header(jar):
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def sign_in(base, username):
    """Signs in through the form; returns the cookie header of the session."""
    jar, opener = browser()
    _, html = fetch(opener, base + "/login")
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "next": "/",
                                   "_csrf": csrf_in(html)}).encode()
    status, _ = fetch(opener, base + "/login", body)
    assert status == 303, f"sign-in as {username}: {status}"
    return cookie_header(jar)


def token(url, username):
    out = subprocess.run([ZHAOYIN, "--database-url", url, "user", "token", username, "--name", "bench"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def api(base, path, bearer, body=None):
    headers = {"Authorization": f"Bearer {bearer}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    status, text = fetch(urllib.request.build_opener(NoRedirect), base + path, data, headers)
    return status, (json.loads(text) if text.startswith(("{", "[")) else text)


def report_body(n):
    return {"progress": f"基准测试进展 {n}", "percent": 60, "on_track": True}


def writable_task(base, clerk):
    """A task the clerk's unit leads whose current report can be (re)submitted."""
    status, page = api(base, "/api/v1/tasks?open=true&per_page=200", clerk)
    assert status == 200, page
    for item in page["items"]:
        s, d = api(base, f"/api/v1/tasks/{item['id']}", clerk)
        if s == 200 and d["may_report"]:
            s, _ = api(base, f"/api/v1/tasks/{item['id']}/reports", clerk, report_body(0))
            if s == 201:
                return item["id"]
    raise RuntimeError("no task the clerk can report on")


def lua(method="GET", body=None, headers=None, bodies=None):
    """A wrk script; with `bodies`, each request takes the next of them (from a random start in
    each thread)."""
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for k, v in (headers or {}).items():
        lines.append(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}")
    if bodies:
        lines.append("local bodies = {" + ", ".join(json.dumps(b) for b in bodies) + "}")
        lines.append("local n = 0")
        lines.append("function init(args) n = math.random(#bodies) end")
        lines.append("function request() n = n % #bodies + 1; "
                     "return wrk.format(nil, nil, nil, bodies[n]) end")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=SCRIPTS.name, delete=False) as f:
        f.write("\n".join(lines) + "\n")
    return f.name


def sign_in_accounts(url, base, bearer):
    """Accounts for the sign-in benchmark, one per connection: more than five sign-ins of one
    account in flight at once lock it (the lockout counts attempts before checking them)."""
    _, units = api(base, "/api/v1/units?per_page=1", bearer)
    unit = units["items"][0]["code"]
    names = [f"bench{i:02}" for i in range(1, 65)]
    _, existing = api(base, "/api/v1/users?q=bench&per_page=200", bearer)
    have = {u["username"] for u in existing.get("items", [])} if isinstance(existing, dict) else set()
    for name in names:
        if name not in have:
            subprocess.run([ZHAOYIN, "--database-url", url, "user", "add", "--username", name, "--name", name,
                            "--unit", unit, "--role", "viewer", "--password-stdin"],
                           input=PASSWORD, text=True, check=True, capture_output=True)
    return names


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url, script, connections, duration):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
                          "-s", script, url],
                         check=True, capture_output=True, text=True).stdout

    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * UNITS[m.group(2)]

    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(g) for g in m.groups())
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": latency(50), "p99_ms": latency(99), "errors": errors, "requests": requests}


def measure(engine, scale, url, args):
    product = Server([ZHAOYIN, "--database-url", url, "serve", "--listen", "127.0.0.1:0"], "招引")
    startup = product.wait_healthy()
    ceiling = Server([CEILING, "--database-url", url], "ceiling")
    idle = product.memory_mb()
    if args.heaptrack:
        # Every allocation from here on, with its backtrace, until the process ends; heaptrack
        # writes heaptrack.zhaoyin.PID.zst into its working directory.
        subprocess.Popen(["heaptrack", "-p", str(product.proc.pid)], cwd=WORK,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3)  # attaching takes a moment; allocations before it are not seen
    sup_token, clerk_token = token(url, "supervisor"), token(url, "clerk")
    province_token = token(url, "province")
    session = sign_in(product.base, "supervisor")
    jar, opener = browser()
    _, html = fetch(opener, product.base + "/login")
    pre_csrf, pre_cookie = csrf_in(html), cookie_header(jar)
    _, page = api(product.base, f"/api/v1/tasks?{LIST_QUERY}", sup_token)
    assert len(page["items"]) == 50, "the filtered list fills a page"
    task_id = page["items"][0]["id"]
    write_id = writable_task(product.base, clerk_token)
    _, projects = api(product.base, f"/api/v1/projects?{PROJECT_QUERY}", sup_token)
    assert len(projects["items"]) == 50, "the filtered project list fills a page"
    project_id = projects["items"][0]["id"]
    _, acts = api(product.base, f"/api/v1/activities?{ACTIVITY_QUERY}", sup_token)
    assert len(acts["items"]) == 50, "the filtered activity list fills a page"
    # Last month: complete, and every unit has figures in it.
    month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    asset = re.search(r'href="(/assets/css/app\.css\?v=[^"]+)"', html).group(1)
    admin = token(url, "admin")
    logins = [urllib.parse.urlencode({"username": name, "password": PASSWORD, "next": "/", "_csrf": pre_csrf})
              for name in sign_in_accounts(url, product.base, admin)]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    as_json = {"Content-Type": "application/json"}
    bearer = {"Authorization": f"Bearer {sup_token}"}
    province = {"Authorization": f"Bearer {province_token}"}
    clerk = {"Authorization": f"Bearer {clerk_token}"}
    cookie = {"Cookie": session}
    report = json.dumps(report_body(1))
    # name, kind, (product path, script), (ceiling path, script)
    endpoints = [
        ("static", "static", (asset, lua()), ("/static", lua())),
        ("login", "login",
         ("/login", lua("POST", logins[0], {**form, "Cookie": pre_cookie}, logins)),
         ("/login", lua("POST", logins[0], form, logins))),
        ("task list (API)", "api", (f"/api/v1/tasks?{LIST_QUERY}", lua(headers=bearer)),
         (f"/api/tasks?{LIST_QUERY}", lua())),
        ("task list (page)", "page", (f"/tasks?{LIST_QUERY}", lua(headers=cookie)),
         (f"/tasks?{LIST_QUERY}", lua())),
        ("task (API)", "api", (f"/api/v1/tasks/{task_id}", lua(headers=bearer)),
         (f"/tasks/{task_id}", lua())),
        ("task (page)", "page", (f"/tasks/{task_id}", lua(headers=cookie)), (f"/tasks/{task_id}", lua())),
        ("project list (API)", "api", (f"/api/v1/projects?{PROJECT_QUERY}", lua(headers=bearer)),
         (f"/api/projects?{PROJECT_QUERY}", lua())),
        ("project list, all counties (API)", "api",
         (f"/api/v1/projects?{PROJECT_QUERY}", lua(headers=province)),
         (f"/api/projects/province?{PROJECT_QUERY}", lua())),
        ("project list (page)", "page", (f"/projects?{PROJECT_QUERY}", lua(headers=cookie)),
         (f"/projects?{PROJECT_QUERY}", lua())),
        ("project (API)", "api", (f"/api/v1/projects/{project_id}", lua(headers=bearer)),
         (f"/projects/{project_id}", lua())),
        ("project (page)", "page", (f"/projects/{project_id}", lua(headers=cookie)),
         (f"/projects/{project_id}/page", lua())),
        ("company list (API)", "api", (f"/api/v1/companies?{COMPANY_QUERY}", lua(headers=bearer)),
         (f"/api/companies?{COMPANY_QUERY}", lua())),
        ("activity list (API)", "api", (f"/api/v1/activities?{ACTIVITY_QUERY}", lua(headers=bearer)),
         (f"/api/activities?{ACTIVITY_QUERY}", lua())),
        ("activity list (page)", "page", (f"/activities?{ACTIVITY_QUERY}", lua(headers=cookie)),
         (f"/activities?{ACTIVITY_QUERY}", lua())),
        ("activity statistics (API)", "api", (f"/api/v1/activities/stats?month={month}", lua(headers=bearer)),
         (f"/api/activities/stats?month={month}", lua())),
        ("activity statistics (page)", "page", (f"/activities/stats?month={month}", lua(headers=cookie)),
         (f"/api/activities/stats?month={month}", lua())),
        ("dashboard (API)", "dashboard", ("/api/v1/dashboard", lua(headers=bearer)),
         ("/api/dashboard", lua())),
        ("dashboard (page)", "dashboard", ("/dashboard", lua(headers=cookie)), ("/api/dashboard", lua())),
        ("dashboard, province (API)", "dashboard wide", ("/api/v1/dashboard", lua(headers=province)),
         ("/api/dashboard/province", lua())),
        ("report (write)", "write",
         (f"/api/v1/tasks/{write_id}/reports", lua("POST", report, {**clerk, **as_json})),
         (f"/tasks/{write_id}/reports", lua("POST", report, as_json))),
    ]
    rows = []
    for name, kind, (p_path, p_script), (c_path, c_script) in endpoints:
        if args.only not in name:
            continue
        for conns in args.connections:
            # Unrecorded warm-up of both: caches filled, and SQLite's write-ahead log left by the
            # previous endpoint's writes checkpointed, whichever runs first.
            wrk(product.base + p_path, p_script, conns, 2)
            wrk(ceiling.base + c_path, c_script, conns, 2)
            p = wrk(product.base + p_path, p_script, conns, args.duration)
            c = wrk(ceiling.base + c_path, c_script, conns, args.duration)
            row = {"engine": engine, "scale": scale, "endpoint": name, "kind": kind,
                   "connections": conns, "product": p, "ceiling": c,
                   "rps_ratio": p["rps"] / c["rps"] if c["rps"] else None,
                   "p99_ratio": p["p99_ms"] / c["p99_ms"] if c["p99_ms"] else None}
            row["goal"] = verdict(row)
            rows.append(row)
            log(f"  {name:34} c={conns:<3} {p['rps']:9.0f}/s p99 {p['p99_ms']:7.1f} ms "
                f"| ceiling {c['rps']:9.0f}/s p99 {c['p99_ms']:7.1f} ms | {row['goal']}")
    loaded = product.memory_mb()
    log(f"  own memory after the load: {loaded['own']:.0f} MB (its peak {loaded['own_peak']:.0f} MB)")
    heap = product.heap_mb()
    if heap:
        log(f"  the allocator's: {heap['in_use']:.0f} MB in use, {heap['held']:.0f} MB held "
            f"in {heap['arenas']} arenas")
    if args.heaptrack:
        product.stop()
        ceiling.stop()
        # The largest live allocations at the peak, which is the end of the load (no import).
        time.sleep(5)  # heaptrack writes its file as the process ends
        for profile in WORK.glob(f"heaptrack.zhaoyin.{product.proc.pid}.*"):
            print(subprocess.run(["heaptrack_print", "-f", str(profile), "-p", "-n", "20", "-s", "2",
                                  "-a", "0", "-T", "0"], capture_output=True, text=True).stdout)
        return rows, None
    imported = import_companies(product, session)
    product.stop()
    ceiling.stop()
    # Start-up to serving on the existing database, once more, now that it is warm on disk.
    again = Server([ZHAOYIN, "--database-url", url, "serve", "--listen", "127.0.0.1:0"], "招引")
    restart = again.wait_healthy()
    again.stop()
    return rows, {"engine": engine, "scale": scale, "startup_s": startup, "restart_s": restart,
                  "idle_own_mb": idle["own"], "own_after_mb": loaded["own"],
                  "own_peak_mb": loaded["own_peak"], "mapped_after_mb": loaded["mapped"],
                  "peak_rss_mb": loaded["peak"], "heap_after": heap, **imported}


def import_companies(product, session):
    """Uploads a workbook of IMPORT_ROWS new companies through the import page, as a supervisor
    would, and times it (after the other measurements, so its memory is reported apart)."""
    stamp = datetime.datetime.now().strftime("%H%M%S")
    path = WORK / "companies.xlsx"
    run([COMPANIES_XLSX, str(IMPORT_ROWS), f"基准{stamp}", str(path)])
    data = path.read_bytes()
    product.own_peak_kb = 0  # the peak of the import alone
    jar, opener = browser()
    _, page = fetch(opener, product.base + "/companies/import", headers={"Cookie": session})
    token = csrf_in(page)
    boundary = "zhaoyinbench" + stamp
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"companies.xlsx\"\r\n"
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(product.base + "/companies/import", data=body, headers={
        "Cookie": session, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    started = time.monotonic()
    with urllib.request.build_opener(NoRedirect).open(req, timeout=600) as r:
        text = r.read().decode()
    seconds = time.monotonic() - started
    assert f"新增 {IMPORT_ROWS} 家" in text, "the import page reports every company added"
    peak = product.memory_mb()["own_peak"]
    log(f"  import of {IMPORT_ROWS:,} companies ({len(data) / 1e6:.1f} MB): {seconds:.1f} s, peak {peak:.0f} MB")
    return {"import_rows": IMPORT_ROWS, "import_mb": len(data) / 1e6, "import_s": seconds,
            "import_own_peak_mb": peak}


def verdict(row):
    p = row["product"]
    if p["requests"] == 0:
        # Every request outlasted the measurement: nothing was answered in time.
        return "missed (no answer within the measurement)"
    if row["kind"] in GOALS and (row["rps_ratio"] is None or row["p99_ratio"] is None):
        return "missed (the ceiling answered nothing in time)"
    if row["kind"] in GOALS:
        least, most = GOALS[row["kind"]]
        ok = row["rps_ratio"] >= least and row["p99_ratio"] <= most and p["errors"] == 0
        return ("met" if ok else "missed") + f" (≥{least:.0%}, p99 ≤{most:g}×, 0 errors)"
    if row["kind"] == "dashboard":
        # A county's dashboard: at least 1,000 a second.
        ok = p["rps"] >= 1000 and p["errors"] == 0
        return ("met" if ok else "missed") + " (≥1,000/s, 0 errors)"
    if row["kind"] == "dashboard wide":
        # The province's: under a second each.
        ok = p["p99_ms"] < 1000 and p["errors"] == 0
        return ("met" if ok else "missed") + " (p99 < 1 s, 0 errors)"
    if row["kind"] == "write":
        if row["engine"] != "sqlite":
            return "no goal"
        ok = p["rps"] >= 1000 and p["errors"] == 0
        return ("met" if ok else "missed") + " (≥1,000/s, 0 errors)"
    return "no goal"


def ratio(value, fmt):
    return "—" if value is None else fmt.format(value)


def table(rows, machines):
    out = ["| engine | endpoint | conns | req/s | p50 ms | p99 ms | ceiling req/s | ceiling p99 ms "
           "| req/s ratio | p99 ratio | errors | goal |",
           "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for r in rows:
        p, c = r["product"], r["ceiling"]
        out.append(f"| {r['engine']} | {r['endpoint']} | {r['connections']} | {p['rps']:,.0f} | "
                   f"{p['p50_ms']:.2f} | {p['p99_ms']:.2f} | {c['rps']:,.0f} | {c['p99_ms']:.2f} | "
                   f"{ratio(r['rps_ratio'], '{:.0%}')} | {ratio(r['p99_ratio'], '{:.2f}×')} | {p['errors']} | {r['goal']} |")
    out.append("")
    out.append("| engine | start-up to serving | again, warm | own memory idle | after the load "
               "| its peak under the load | file pages mapped | import of 100,000 companies "
               "| own peak while importing |")
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for m in machines:
        out.append(f"| {m['engine']} | {m['startup_s'] * 1000:.0f} ms | {m['restart_s'] * 1000:.0f} ms | "
                   f"{m['idle_own_mb']:.0f} MB | {m['own_after_mb']:.0f} MB | {m['own_peak_mb']:.0f} MB "
                   f"| {m['mapped_after_mb']:.0f} MB | {m['import_s']:.1f} s | {m['import_own_peak_mb']:.0f} MB |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="county", choices=["county", "city", "province"])
    ap.add_argument("--engines", default="sqlite,postgres")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", default="16,64")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--only", default="", help="measure only endpoints whose name contains this")
    ap.add_argument("--heaptrack", action="store_true",
                    help="profile the product's heap (heaptrack, attached after start; no import): "
                         "prints the largest live allocations at the end of the load, writes no results")
    args = ap.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    ensure_wrk()
    if not args.skip_build:
        run(["cargo", "build", "--release", "-p", "zhaoyin", "-p", "zhaoyin-bench"], cwd=ROOT)
    rows, machines = [], []
    try:
        for engine in args.engines.split(","):
            url = prepare(engine, args.scale)
            log(f"{engine} / {args.scale}")
            r, m = measure(engine, args.scale, url, args)
            rows += r
            machines.append(m)
    finally:
        for server in list(RUNNING):
            server.stop()
    if args.heaptrack:
        return  # the figures of a profiled run are not the product's
    text = table(rows, machines)
    print(text)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    RESULTS.mkdir(parents=True, exist_ok=True)
    day = datetime.date.today().isoformat()
    # A run of some endpoints (--only) does not replace the day's full table.
    only = re.sub(r"[^a-z0-9]+", "-", args.only.lower()).strip("-")
    path = RESULTS / f"{day}-{args.scale}{'-' + only if only else ''}.json"
    path.write_text(json.dumps({
        "date": day, "commit": commit, "scale": args.scale, "duration_s": args.duration,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "cpu": next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                                 if l.startswith("model name")), "")},
        "rows": rows, "processes": machines, "table": text,
    }, ensure_ascii=False, indent=2) + "\n")
    log(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
