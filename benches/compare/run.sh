#!/usr/bin/env bash
# Side-by-side comparison of callroute with Python tools, in one run:
#   1. simulation of M/M/50 with exponential abandonment (AHT 180 s, patience 120 s,
#      85% load, one simulated day per replication): calls per second of wall time,
#      Ciw (ciw_mmc.py, 3 replications, about a second) vs `callroute simulate
#      mm50.toml` (release build, 30 replications, so that its timed window is also
#      about half a second or more rather than a few hundredths of a second);
#   2. Erlang C required agents: pyworkforce ErlangC vs callroute, in-process
#      (`callroute staff erlang-c --repeat N` vs a Python timing loop);
#   3. Erlang A required agents: pyworkforce's exact ErlangA vs callroute, likewise.
# Prints a table with the ratios and the targets; results land in target/compare/.
#
# Usage: benches/compare/run.sh            (from anywhere)
# Env:   COMPARE_RUNS=3 (best of N runs), COMPARE_STRICT=1 (exit 1 when a target is
#        missed), COMPARE_OUT=dir, COMPARE_SIM_REPLICATIONS=30 (callroute's
#        replications), CARGO_TARGET_DIR as usual.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
out="${COMPARE_OUT:-$root/target/compare}"
runs="${COMPARE_RUNS:-3}"
sim_reps="${COMPARE_SIM_REPLICATIONS:-30}"
mkdir -p "$out"
rm -f "$out"/*.jsonl "$out"/env.json

say() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- Python environment
# pyworkforce's ErlangA needs pyworkforce >= 0.5.4, which needs Python >= 3.12: take
# the newest Python 3.12+ found, else python3 (the Erlang A row is then skipped).
pick_python() {
    local c
    for c in python3.14 python3.13 python3.12 \
        "$HOME"/.pyenv/versions/3.1[234]*/bin/python3 python3; do
        if command -v "$c" >/dev/null 2>&1 || [ -x "$c" ]; then
            if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
                echo "$c"; return
            fi
        fi
    done
    echo python3
}
py_base="$(pick_python)"
venv="$out/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import ciw, pyworkforce' 2>/dev/null; then
    say "creating $venv with $("$py_base" --version 2>&1)"
    rm -rf "$venv"
    "$py_base" -m venv "$venv"
    timeout 900 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check ciw pyworkforce
fi
py="$venv/bin/python"

# -------------------------------------------------------------------------- callroute
say "building callroute (release)"
timeout 3600 cargo build --release --quiet -p callroute-cli
bin="${CARGO_TARGET_DIR:-$root/target}/release/callroute"
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

# ------------------------------------------------------------------- the environment
cores="$(nproc 2>/dev/null || echo 1)"
"$py" - "$out/env.json" "$runs" "$cores" <<'PY'
import json, os, platform, sys
cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
except OSError:
    pass
sl = ab = float("nan")
try:
    from pyworkforce.queuing import ErlangA
    e = ErlangA(transactions=425, aht=3, asa=20 / 60, interval=30, patience=2)
    sl, ab = e.service_level(50), e.abandonment_probability(50)
except Exception:
    pass
json.dump({"cpu": cpu, "cores": int(sys.argv[3]), "load": os.getloadavg()[0],
           "python": platform.python_version(), "runs": int(sys.argv[2]),
           "erlang_a_sl": sl, "erlang_a_abandon": ab}, open(sys.argv[1], "w"))
PY

# Extracts the figures of a `callroute simulate --json` run as one JSON line.
sim_line() {
    "$py" -c 'import json,sys; v=json.load(sys.stdin); s=v["summary"]; print(json.dumps({"calls": v["calls"], "replications": v["replications"], "wall_secs": v["wall_secs"], "calls_per_sec": v["calls_per_sec"], "jobs": v["jobs"], "sl": s["service_level"]["mean"], "abandon": s["abandon_share"]["mean"]}))'
}
staff_line() {
    "$py" -c 'import json,sys; v=json.load(sys.stdin); print(json.dumps({"agents": v["agents"], "service_level": v["service_level"], "ns": v["timing"]["ns_per_solve"]}))'
}

# ------------------------------------------------------------------ 1. simulation
for i in $(seq "$runs"); do
    say "simulation run $i/$runs: Ciw"
    timeout 600 "$py" "$here/ciw_mmc.py" --replications 3 --seed 1 >>"$out/ciw.jsonl"
    say "simulation run $i/$runs: callroute, 1 thread and $cores threads"
    timeout 600 "$bin" simulate "$here/mm50.toml" --replications "$sim_reps" --json --no-report --jobs 1 \
        | sim_line >>"$out/sim_1.jsonl"
    timeout 600 "$bin" simulate "$here/mm50.toml" --replications "$sim_reps" --json --no-report --jobs "$cores" \
        | sim_line >>"$out/sim_n.jsonl"
done

# ----------------------------------------------------------- 2. and 3. staffing
workload=(--calls 425 --interval-secs 1800 --aht-secs 180 --sl 0.8 --threshold-secs 20)
say "Erlang C: pyworkforce"
timeout 600 "$py" "$here/staff_timing.py" --model erlang-c --min-secs 3 >"$out/py_erlang_c.jsonl"
say "Erlang A: pyworkforce (slow: about 50 ms per solve)"
timeout 900 "$py" "$here/staff_timing.py" --model erlang-a --min-secs 5 --max-iter 2000 >"$out/py_erlang_a.jsonl"
for i in $(seq "$runs"); do
    say "Erlang C and A: callroute run $i/$runs"
    timeout 300 "$bin" staff erlang-c "${workload[@]}" --json --repeat 200000 | staff_line >>"$out/cr_erlang_c.jsonl"
    timeout 300 "$bin" staff erlang-a "${workload[@]}" --patience-secs 120 --json --repeat 20000 \
        | staff_line >>"$out/cr_erlang_a.jsonl"
done

echo
"$py" "$here/report.py" "$out"
