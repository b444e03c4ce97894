#!/usr/bin/env python3
"""pyworkforce side of the staffing comparison: time per required-agents solve.

The same workload as `callroute staff ... --repeat N`: 425 calls per 30 minutes,
AHT 180 s (42.5 Erlangs), 80% answered within 20 s; Erlang A adds a mean patience of
120 s. Each solve builds the model and calls `required_positions`, in this process,
in a loop that runs for at least --min-secs (and at most --max-iter solves).

    python staff_timing.py --model erlang-c
    python staff_timing.py --model erlang-a
"""

import argparse
import json
import sys
import time

import pyworkforce
from pyworkforce.queuing import ErlangC

CALLS = 425.0
INTERVAL_MIN = 30.0
AHT_MIN = 3.0
SL = 0.8
THRESHOLD_MIN = 20.0 / 60.0
PATIENCE_MIN = 2.0


def solve_c():
    r = ErlangC(transactions=CALLS, aht=AHT_MIN, asa=THRESHOLD_MIN, interval=INTERVAL_MIN).required_positions(
        service_level=SL
    )
    return r["raw_positions"], r["service_level"]


def solve_a():
    from pyworkforce.queuing import ErlangA  # pyworkforce >= 0.5.4

    r = ErlangA(
        transactions=CALLS, aht=AHT_MIN, asa=THRESHOLD_MIN, interval=INTERVAL_MIN, patience=PATIENCE_MIN
    ).required_positions(service_level=SL)
    return r["raw_positions"], r["service_level"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=["erlang-c", "erlang-a"], required=True)
    ap.add_argument("--min-secs", type=float, default=2.0)
    ap.add_argument("--max-iter", type=int, default=1_000_000)
    args = ap.parse_args()
    solve = solve_c if args.model == "erlang-c" else solve_a
    try:
        agents, sl = solve()  # warm-up, and the answer
    except ImportError:
        print(json.dumps({"tool": f"pyworkforce {pyworkforce.__version__}", "unavailable": "no ErlangA (needs pyworkforce >= 0.5.4, Python >= 3.12)"}))
        return 0
    n = 0
    t0 = time.perf_counter()
    while True:
        solve()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= args.min_secs or n >= args.max_iter:
            break
    print(
        json.dumps(
            {
                "tool": f"pyworkforce {pyworkforce.__version__}",
                "model": args.model,
                "agents": agents,
                "service_level": sl,
                "solves": n,
                "ns_per_solve": elapsed / n * 1e9,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
