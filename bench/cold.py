#!/usr/bin/env python3
"""Cold answers: the dashboard and the reports computed from the data, not served from the copy
the server keeps while the data is unchanged. Each request asks something not asked before (a
year, a past day, a period), so each is computed; they are timed one at a time.

    bench/cold.py [--scale county|city|province] [--engines sqlite,postgres] [--skip-build]

It uses run.py's dataset (generated once under bench/work/ or in zhaoyin_bench_SCALE), starts
`zhaoyin serve` on loopback, and times, for the county's supervisor and for the province-wide
account: the dashboard for each of the last five years, the dashboard as of five past days, the
report of each of the last five months and of the last four quarters. It prints one table and
writes bench/results/DATE-SCALE-cold.json.
"""

import argparse
import datetime
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402


def timed(base, path, bearer):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {bearer}"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=120) as r:
        body = r.read()
        status = r.status
    elapsed = (time.monotonic() - started) * 1000
    assert status == 200, f"{path}: {status}"
    return elapsed, len(body)


def months_back(today, n):
    """YYYY-MM of the n months before today's."""
    first = today.replace(day=1)
    out = []
    for _ in range(n):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        out.append(first.strftime("%Y-%m"))
    return out


def quarters_back(today, n):
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(n):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        out.append(f"{year}-Q{quarter}")
    return out


def measure(engine, scale, url):
    product = bench.Server([bench.ZHAOYIN, "--database-url", url, "serve", "--listen", "127.0.0.1:0"], "招引")
    product.wait_healthy()
    today = datetime.date.today()
    asks = [
        ("dashboard, a year", [f"/api/v1/dashboard?year={today.year - k}" for k in range(5)]),
        ("dashboard, as of a past day",
         [f"/api/v1/dashboard?as_of={today - datetime.timedelta(days=30 * k + 1)}" for k in range(5)]),
        ("report, a month", [f"/api/v1/reports?period={m}" for m in months_back(today, 5)]),
        ("report, a quarter", [f"/api/v1/reports?period={q}" for q in quarters_back(today, 4)]),
    ]
    rows = []
    for account in ["supervisor", "province"]:
        bearer = bench.token(url, account)
        for name, paths in asks:
            times, sizes = [], []
            for path in paths:
                ms, size = timed(product.base, path, bearer)
                times.append(ms)
                sizes.append(size)
            rows.append({"engine": engine, "scale": scale, "account": account, "ask": name,
                         "requests": len(times), "median_ms": round(statistics.median(times), 1),
                         "max_ms": round(max(times), 1), "kb": round(max(sizes) / 1024, 1)})
            bench.log(f"{engine} {account} {name}: {rows[-1]['median_ms']} ms (max {rows[-1]['max_ms']})")
    memory = product.memory_mb()
    product.stop()
    return rows, memory


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="county", choices=["county", "city", "province"])
    ap.add_argument("--engines", default="sqlite,postgres")
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    if not args.skip_build:
        bench.run(["cargo", "build", "--release", "-p", "zhaoyin"], cwd=bench.ROOT)
    rows, memory = [], {}
    try:
        for engine in args.engines.split(","):
            url = bench.prepare(engine, args.scale)
            r, memory[engine] = measure(engine, args.scale, url)
            rows += r
    finally:
        for server in list(bench.RUNNING):
            server.stop()
    lines = ["| engine | account | asked | requests | median ms | max ms | answer KB |",
             "|---|---|---|--:|--:|--:|--:|"]
    for r in rows:
        lines.append(f"| {r['engine']} | {r['account']} | {r['ask']} | {r['requests']} | "
                     f"{r['median_ms']:,} | {r['max_ms']:,} | {r['kb']:,} |")
    lines += ["", "| engine | own memory after | its peak | file pages mapped |", "|---|--:|--:|--:|"]
    for engine, m in memory.items():
        lines.append(f"| {engine} | {m['own']:.0f} MB | {m['own_peak']:.0f} MB | {m['mapped']:.0f} MB |")
    text = "\n".join(lines)
    print(text)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=bench.ROOT, capture_output=True,
                            text=True).stdout.strip()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    day = datetime.date.today().isoformat()
    path = bench.RESULTS / f"{day}-{args.scale}-cold.json"
    path.write_text(json.dumps({"date": day, "commit": commit, "scale": args.scale, "rows": rows,
                                "memory_mb": memory, "table": text}, ensure_ascii=False, indent=2) + "\n")
    bench.log(f"wrote {path.relative_to(bench.ROOT)}")


if __name__ == "__main__":
    main()
