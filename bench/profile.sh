#!/usr/bin/env bash
# Where the time goes: samples `zhaoyin serve` with perf (cpu-clock, call graphs) while wrk
# drives one endpoint, and prints the hottest functions, self time first.
#   bench/profile.sh [PATH_AND_QUERY] [sqlite://bench/work/county.db]
# Run bench/run.py first (it builds release, generates the data and leaves bench/work/).
set -euo pipefail
cd "$(dirname "$0")/.."
path="${1:-/api/v1/tasks?open=true&sort=deadline&per_page=50}"
url="${2:-sqlite://$PWD/bench/work/county.db}"
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf; }
bin=target/release/zhaoyin
work="$(mktemp -d)"
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" --database-url "$url" serve --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pid=$!
base=""
for _ in $(seq 1 100); do
  base="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -1 || true)"
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$base" ] || { cat "$work/serve.log"; exit 1; }
token="$("$bin" --database-url "$url" user token supervisor --name profile | tail -1)"
cat >"$work/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
wrk -t2 -c16 -d3s -s "$work/auth.lua" "$base$path" >/dev/null # warm up
wrk -t2 -c16 -d12s -s "$work/auth.lua" "$base$path" >"$work/wrk.txt" &
perf record -e cpu-clock -F 999 -g -p "$pid" -o "$work/perf.data" -- sleep 10 2>/dev/null
wait %2 || true
grep -E "Requests/sec|Latency " "$work/wrk.txt"
echo "--- self time (top 30)"
perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' | head -30
echo "--- including callees (top 30)"
perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' | head -30
