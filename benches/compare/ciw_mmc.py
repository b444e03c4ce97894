#!/usr/bin/env python3
"""Ciw side of the simulation comparison: M/M/50 with exponential abandonment.

AHT 180 s, mean patience 120 s, 85% load (lambda = 0.85 * 50 / 180 calls per second),
one simulated day per replication. Prints one JSON object: calls simulated, the wall
time of the simulation itself (perf_counter around simulate_until_max_time, interpreter
start-up and imports excluded) and the service level and abandonment it measured.

    python ciw_mmc.py --replications 3 --seed 1
"""

import argparse
import json
import sys
import time

import ciw

AGENTS = 50
AHT = 180.0
PATIENCE = 120.0
LOAD = 0.85
DAY = 86_400.0
THRESHOLD = 20.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=float, default=1.0)
    args = ap.parse_args()

    lam = LOAD * AGENTS / AHT
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / PATIENCE)],
    )
    wall = 0.0
    calls = answered = within = abandoned = 0
    for i in range(args.replications):
        ciw.seed(args.seed + i)
        sim = ciw.Simulation(network)
        t0 = time.perf_counter()
        sim.simulate_until_max_time(DAY * args.days)
        wall += time.perf_counter() - t0
        records = sim.get_all_records()
        waiting_now = sum(len(n.all_individuals) for n in sim.nodes[1:-1])
        calls += len(records) + waiting_now
        for r in records:
            if r.record_type == "renege":
                abandoned += 1
            else:
                answered += 1
                within += r.waiting_time <= THRESHOLD
    finished = answered + abandoned
    print(
        json.dumps(
            {
                "tool": f"Ciw {ciw.__version__}",
                "replications": args.replications,
                "days": args.days,
                "calls": calls,
                "wall_secs": wall,
                "calls_per_sec": calls / wall if wall > 0 else 0.0,
                "service_level": within / finished if finished else None,
                "abandon_share": abandoned / finished if finished else None,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
