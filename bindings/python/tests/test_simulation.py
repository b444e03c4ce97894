"""A simulation written the way a user writes one: a small help desk described in
Python, simulated, and checked against Erlang C and the service-level target."""

import pytest

import callroute
from callroute import staffing


def help_desk(agents: int, calls_per_hour: float) -> dict:
    return {
        "seed": 7,
        "replications": 4,
        "hours": 4,
        "arrivals": {"calls_per_hour": [calls_per_hour]},
        "traffic": [
            {
                "name": "support",
                "queue": 1,
                "talk": {"exponential": {"mean_secs": 180}},
            }
        ],
        "answer_after": {"fixed": {"secs": 0}},
        "center": {
            "queues": [{"id": 1, "name": "support", "service_level": {"percent": 80, "within_secs": 20}}],
            "agents": [{"id": n, "queues": [1]} for n in range(1, agents + 1)],
            "agent_defaults": {"wrap_up_secs": 0},
        },
    }


def test_simulated_help_desk_meets_what_erlang_c_predicts() -> None:
    load = staffing.offered_load(calls=100, interval_secs=3600, aht_secs=180)
    assert load == pytest.approx(5.0)
    needed = staffing.required_agents(load, 180, service_level=0.8, threshold_secs=20)
    assert needed["agents"] == 8

    result = callroute.simulate(help_desk(agents=needed["agents"], calls_per_hour=100))
    assert len(result.replications) == 4
    offered = result.summary["offered"]
    assert offered["n"] == 4
    assert 300 < offered["mean"] < 500  # about 100 calls an hour for 4 hours
    predicted = staffing.erlang_c_metrics(8, load, 180, 20)["service_level"]
    service = result.summary["service_level"]
    assert service["low"] - 0.05 < predicted < service["high"] + 0.05
    assert result.summary["abandoned"]["mean"] == 0  # nobody is impatient

    records = result.interval_records()
    assert {r["replication"] for r in records} == {0, 1, 2, 3}
    assert sum(r["offered"] for r in records) == pytest.approx(offered["mean"] * 4)


def test_the_same_seed_gives_the_same_result() -> None:
    scenario = help_desk(agents=6, calls_per_hour=90)
    assert callroute.simulate(scenario).summary == callroute.simulate(scenario).summary


def test_results_become_data_frames() -> None:
    pandas = pytest.importorskip("pandas")
    result = callroute.simulate(help_desk(agents=6, calls_per_hour=90))
    frame = result.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert {"replication", "queue", "start", "offered", "service_level"} <= set(frame.columns)
    assert len(frame) == len(result.interval_records())
    summary = result.summary_to_pandas()
    assert summary.loc["offered", "n"] == 4


def test_an_invalid_scenario_names_the_field() -> None:
    scenario = help_desk(agents=2, calls_per_hour=60)
    scenario["hours"] = 0
    with pytest.raises(callroute.ConfigError) as e:
        callroute.simulate(scenario, "desk.toml")
    assert "hours" in str(e.value)
