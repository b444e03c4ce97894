"""Workforce math: Erlang B, C and A, and staffing solvers.

Loads are in Erlangs (``offered_load`` turns calls per interval into one); times are
in seconds. Invalid arguments raise :class:`callroute.errors.WorkforceError`::

    load = staffing.offered_load(calls=100, interval_secs=1800, aht_secs=180)  # 10.0
    staffing.required_agents(load, 180, service_level=0.8, threshold_secs=20)["agents"]  # 14
"""

from ._callroute import (
    erlang_a_metrics,
    erlang_b,
    erlang_b_trunks,
    erlang_c,
    erlang_c_metrics,
    offered_load,
    required_agents,
    scheduled_agents,
)

__all__ = [
    "erlang_a_metrics",
    "erlang_b",
    "erlang_b_trunks",
    "erlang_c",
    "erlang_c_metrics",
    "offered_load",
    "required_agents",
    "scheduled_agents",
]
