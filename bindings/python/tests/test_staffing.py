"""Erlang B, C and A through the binding, with the workforce error family."""

import pytest

from callroute import errors, staffing


def test_erlang_functions() -> None:
    assert staffing.erlang_b(10, 5.0) == pytest.approx(0.018384, abs=1e-6)
    assert staffing.erlang_c(12, 10.0) == pytest.approx(0.449388, abs=1e-6)
    metrics = staffing.erlang_c_metrics(14, 10.0, 180, 20)
    assert set(metrics) == {"p_wait", "service_level", "asa_secs", "occupancy"}
    assert metrics["occupancy"] == pytest.approx(10 / 14)
    patient = staffing.erlang_a_metrics(14, 10.0, 180, 120, 20)
    assert 0 < patient["p_abandon"] < patient["p_wait"] < metrics["p_wait"]


def test_staffing_solvers() -> None:
    result = staffing.required_agents(10.0, 180, service_level=0.8, threshold_secs=20)
    assert result["agents"] == 14
    assert staffing.scheduled_agents(14, 0.3) == 20
    assert staffing.erlang_b_trunks(5.0, 0.01) == 11


def test_unstable_and_invalid_inputs_raise_workforce_errors() -> None:
    with pytest.raises(errors.WorkforceError) as unstable:
        staffing.erlang_c(10, 10.0)
    assert unstable.value.code == 4005
    with pytest.raises(errors.WorkforceError) as invalid:
        staffing.erlang_b(10, -1.0)
    assert isinstance(invalid.value, ValueError)
    with pytest.raises(errors.WorkforceError) as no_targets:
        staffing.required_agents(10.0, 180)
    assert no_targets.value.code == 4004
