"""The shared golden scenarios replay through the Python binding exactly: every line's
outputs, converted to typed classes and back, equal the expected JSON."""

import json
from pathlib import Path

import pytest

import callroute
from callroute.errors import CallrouteError

GOLDEN = Path(__file__).resolve().parents[3] / "tests" / "golden"
SCENARIOS = sorted(p for p in GOLDEN.iterdir() if (p / "inputs.jsonl").is_file())


def lines(path: Path) -> list:
    return [line for line in path.read_text().splitlines() if line.strip()]


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 3


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_golden_scenario_replays(scenario: Path) -> None:
    config = callroute.Config.from_path(scenario / "config.toml")
    engine = callroute.Engine(config, seed=1)
    inputs = lines(scenario / "inputs.jsonl")
    expected = [json.loads(line) for line in lines(scenario / "expected.jsonl")]
    assert len(inputs) == len(expected)
    for number, (entry, want) in enumerate(zip(inputs, expected), start=1):
        try:
            engine.apply_entry(entry)
            got = [output.to_dict() for output in engine.drain()]
        except CallrouteError as e:
            got = {"error": e.code}
        assert got == want, f"{scenario.name} line {number}"
