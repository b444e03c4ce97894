"""The simulator: callers, IVR behaviour, patience and agents' shifts driving the real
engine, with confidence intervals across replications."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Union

from . import _callroute


@dataclass
class Simulation:
    """The result of :func:`simulate`.

    ``summary`` holds one estimate (``mean``, ``low``, ``high``, ``n``) per KPI;
    ``replications`` holds each run's interval reports and totals, as dictionaries.
    """

    summary: Dict[str, Dict[str, float]]
    replications: List[Dict[str, Any]]
    interval_ms: int

    def interval_records(self) -> List[Dict[str, Any]]:
        """One flat record per replication, queue and interval: ``replication``,
        ``queue``, ``start``, ``end`` and every counter and KPI."""
        rows = []
        for index, rep in enumerate(self.replications):
            for queue, reports in rep["intervals"].items():
                for report in reports:
                    row: Dict[str, Any] = {"replication": index, "queue": int(queue)}
                    row["start"], row["end"] = report["start"], report["end"]
                    row.update(report["counters"])
                    row.update(report["kpis"])
                    rows.append(row)
        return rows

    def summary_records(self) -> List[Dict[str, Any]]:
        """One record per KPI: ``kpi``, ``mean``, ``low``, ``high``, ``n``."""
        return [{"kpi": kpi, **estimate} for kpi, estimate in self.summary.items()]

    def to_pandas(self) -> Any:
        """The interval records as a ``pandas.DataFrame`` (needs pandas)."""
        import pandas

        return pandas.DataFrame.from_records(self.interval_records())

    def summary_to_pandas(self) -> Any:
        """The summary as a ``pandas.DataFrame`` indexed by KPI (needs pandas)."""
        import pandas

        return pandas.DataFrame.from_records(self.summary_records(), index="kpi")


def simulate(scenario: Union[Mapping[str, Any], str, "os.PathLike[str]"], file: str = "<scenario>") -> Simulation:
    """Runs a scenario: a mapping with the scenario file's structure (its ``center``
    inline), TOML text, or the path of a scenario file (``center_file`` is read
    relative to it). Raises :class:`callroute.errors.ConfigError` for an invalid one."""
    raw = _callroute.simulate(scenario, file)
    return Simulation(summary=raw["summary"], replications=raw["replications"], interval_ms=raw["interval_ms"])
