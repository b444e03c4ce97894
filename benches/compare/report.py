#!/usr/bin/env python3
"""Reads the measurements of run.sh (JSON files in a directory) and prints the
comparison table with the ratios and targets; also writes results.json and
results.md (a Markdown table) next to them."""

import json
import os
import platform
import sys


def load(d, name):
    with open(os.path.join(d, name)) as f:
        return [json.loads(line) for line in f if line.strip()]


def best(runs, key, largest=True):
    runs = [r for r in runs if r.get(key) is not None]
    if not runs:
        return None
    return (max if largest else min)(runs, key=lambda r: r[key])


def fmt_rate(x):
    return f"{x:,.0f} calls/s"


def fmt_ns(ns):
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main():
    d = sys.argv[1]
    env = load(d, "env.json")[0]
    ciw = best(load(d, "ciw.jsonl"), "calls_per_sec")
    sim1 = best(load(d, "sim_1.jsonl"), "calls_per_sec")
    simn = best(load(d, "sim_n.jsonl"), "calls_per_sec")
    pyc = load(d, "py_erlang_c.jsonl")[0]
    pya = load(d, "py_erlang_a.jsonl")[0]
    rc = best(load(d, "cr_erlang_c.jsonl"), "ns", largest=False)
    ra = best(load(d, "cr_erlang_a.jsonl"), "ns", largest=False)

    rows = []
    rows.append({
        "what": f"simulation, M/M/50+M, 1 day per replication (1 thread; {sim1.get('replications', '?')} replications, Ciw {ciw['replications']})",
        "callroute": fmt_rate(sim1["calls_per_sec"]),
        "reference": f"{fmt_rate(ciw['calls_per_sec'])} ({ciw['tool']})",
        "ratio": sim1["calls_per_sec"] / ciw["calls_per_sec"],
        "target": 20.0,
        "note": "aim 50x",
    })
    rows.append({
        "what": f"simulation, same, replications on {simn['jobs']} threads",
        "callroute": fmt_rate(simn["calls_per_sec"]),
        "reference": f"{fmt_rate(ciw['calls_per_sec'])} ({ciw['tool']}, 1 process)",
        "ratio": simn["calls_per_sec"] / ciw["calls_per_sec"],
        "target": None,
        "note": "informative",
    })
    rows.append({
        "what": "Erlang C required agents (42.5 E, 80/20)",
        "callroute": f"{fmt_ns(rc['ns'])} ({rc['agents']} agents)",
        "reference": f"{fmt_ns(pyc['ns_per_solve'])} ({pyc['agents']} agents, {pyc['tool']})",
        "ratio": pyc["ns_per_solve"] / rc["ns"],
        "target": 50.0,
        "note": "",
    })
    if "unavailable" in pya:
        rows.append({
            "what": "Erlang A required agents (patience 120 s)",
            "callroute": f"{fmt_ns(ra['ns'])} ({ra['agents']} agents)",
            "reference": f"n/a: {pya['unavailable']}",
            "ratio": None,
            "target": 1000.0,
            "note": "",
        })
    else:
        rows.append({
            "what": "Erlang A required agents (patience 120 s)",
            "callroute": f"{fmt_ns(ra['ns'])} ({ra['agents']} agents)",
            "reference": f"{fmt_ns(pya['ns_per_solve'])} ({pya['agents']} agents, {pya['tool']} exact ErlangA)",
            "ratio": pya["ns_per_solve"] / ra["ns"],
            "target": 1000.0,
            "note": "",
        })

    def verdict(r):
        if r["ratio"] is None:
            return "not measured"
        if r["target"] is None:
            return ""
        return "met" if r["ratio"] >= r["target"] else "MISSED"

    head = ["comparison", "callroute", "reference", "ratio", "target", ""]
    table = [[r["what"], r["callroute"], r["reference"],
              "-" if r["ratio"] is None else f"{r['ratio']:,.1f}x",
              "-" if r["target"] is None else f">= {r['target']:,.0f}x" + (f" ({r['note']})" if r["note"] else ""),
              verdict(r)] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(line(head))
    print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for t in table:
        print(line(t))

    agree = []
    agree.append(f"Erlang C agents: callroute {rc['agents']}, pyworkforce {pyc['agents']}"
                 f" (SL {rc['service_level']:.6f} vs {pyc['service_level']:.6f})")
    if "unavailable" not in pya:
        agree.append(f"Erlang A agents: callroute {ra['agents']}, pyworkforce {pya['agents']}"
                     f" (SL {ra['service_level']:.6f} vs {pya['service_level']:.6f})")
    agree.append(f"simulated SL within 20 s: callroute {sim1['sl']:.4f}, Ciw {ciw['service_level']:.4f};"
                 f" abandoned: callroute {sim1['abandon']:.4f}, Ciw {ciw['abandon_share']:.4f}"
                 f" (Erlang A: SL {env['erlang_a_sl']:.4f}, abandoned {env['erlang_a_abandon']:.4f})")
    print()
    for a in agree:
        print(a)
    print()
    print(f"machine: {env['cpu']}, {env['cores']} cores, load average at start {env['load']};"
          f" Python {env['python']}; best of {env['runs']} runs each")

    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"rows": rows, "agreement": agree, "env": env}, f, indent=2)
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write("| " + " | ".join(head[:-1] + ["verdict"]) + " |\n")
        f.write("|" + "---|" * len(head) + "\n")
        for t in table:
            f.write("| " + " | ".join(str(c) for c in t) + " |\n")
    missed = [r for r in rows if verdict(r) == "MISSED"]
    return 1 if missed and os.environ.get("COMPARE_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
