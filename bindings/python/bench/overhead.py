"""Per-input round trip through the Python binding: an agent logs in, then out, and the
outputs are drained after each input (the same cycle as the native benchmark in
bindings/c/benches/overhead.rs). Prints nanoseconds per input, best of 5."""

import time

import callroute
from callroute.inputs import Login, Logout

CONFIG = "[[queues]]\nid = 1\n[[agents]]\nid = 7\nqueues = [1]\n"
N = 100_000


def best(run) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter_ns()
        run()
        times.append((time.perf_counter_ns() - start) / N)
    return min(times)


def typed() -> None:
    engine = callroute.Engine(CONFIG, seed=1)
    for i in range(N):
        engine.handle_input(0, Login(agent=7) if i % 2 == 0 else Logout(agent=7))
        engine.drain()


def dicts() -> None:
    engine = callroute.Engine(CONFIG, seed=1)
    login, logout = {"type": "login", "agent": 7}, {"type": "logout", "agent": 7}
    for i in range(N):
        engine.handle_input(0, login if i % 2 == 0 else logout)
        engine.drain_dicts()


for name, run in (("python typed round trip", typed), ("python dict round trip", dicts)):
    print(f"{name}: {best(run):.0f} ns")
