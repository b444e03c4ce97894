"""The engine through typed inputs and outputs, and errors by stable code."""

import pytest

import callroute
from callroute import errors
from callroute.inputs import CallOffered, DeviceAnswered, Dtmf, EnterQueue, HangUp, Input, Login, NotReady, Ready
from callroute.outputs import AgentStateChanged, CallEnded, Connect, RingAgent, StartMusicOnHold

CENTER = """
not_ready_reasons = ["break", "missed-calls"]
[[queues]]
id = 1
name = "support"
[[agents]]
id = 7
queues = [1]
"""


@pytest.fixture
def engine() -> callroute.Engine:
    engine = callroute.Engine(callroute.Config.from_toml(CENTER), seed=42)
    engine.handle_input(0, Login(agent=7))
    engine.handle_input(0, Ready(agent=7))
    engine.drain()
    return engine


def test_a_call_rings_the_ready_agent_and_connects(engine: callroute.Engine) -> None:
    engine.handle_input(1000, CallOffered(call=1, ani="+15550001", dnis="800"))
    engine.handle_input(1000, EnterQueue(call=1, queue=1))
    outputs = engine.drain()
    rings = [o for o in outputs if isinstance(o, RingAgent)]
    assert [(r.call, r.agent, r.offer["ani"]) for r in rings] == [(1, 7, "+15550001")]
    assert StartMusicOnHold(call=1, class_="default") in outputs
    engine.handle_input(3000, DeviceAnswered(agent=7, call=1))
    assert Connect(call=1, agent=7) in engine.drain()
    engine.handle_input(63000, HangUp(call=1))
    outputs = list(engine)
    assert outputs[-1] == CallEnded(call=1, outcome="completed")
    assert engine.poll() is None


def test_typed_outputs_round_trip_their_json_shape(engine: callroute.Engine) -> None:
    engine.handle_input(10, NotReady(agent=7, reason="break"))
    (changed,) = engine.drain()
    assert isinstance(changed, AgentStateChanged)
    assert changed.from_ == {"state": "ready"}
    assert changed.to_dict() == {
        "event": "agent-state-changed",
        "agent": 7,
        "from": {"state": "ready"},
        "to": {"state": "not-ready", "reason": "break"},
    }


def test_inputs_convert_from_and_to_the_engine_shape() -> None:
    assert Input.from_dict({"type": "dtmf", "call": 5, "digits": "12"}) == Dtmf(call=5, digits="12")
    assert HangUp(call=5, by={"agent": 7}).to_dict() == {"type": "hang-up", "call": 5, "by": {"agent": 7}}
    assert EnterQueue(call=1, queue=2).to_dict() == {
        "type": "enter-queue", "call": 1, "queue": 2, "priority": None, "requirement": None,
    }


def test_errors_follow_the_stable_codes_and_change_nothing(engine: callroute.Engine) -> None:
    before = engine.snapshot()
    with pytest.raises(errors.UnknownAgent) as unknown:
        engine.handle_input(100, Ready(agent=99))
    assert unknown.value.code == 1003
    assert str(unknown.value) == "unknown agent 99"
    assert isinstance(unknown.value, LookupError)
    with pytest.raises(errors.UnknownReason):
        engine.handle_input(100, NotReady(agent=7, reason="lunch"))
    with pytest.raises(errors.InvalidInput) as invalid:
        engine.handle_input(100, {"type": "ready"})
    assert invalid.value.code == 1017
    assert engine.snapshot() == before


def test_time_going_backwards_is_refused(engine: callroute.Engine) -> None:
    engine.handle_timeout(5000)
    with pytest.raises(errors.TimeWentBackwards) as e:
        engine.handle_input(4000, Ready(agent=7))
    assert e.value.code == 1001


def test_config_errors_are_a_separate_family() -> None:
    with pytest.raises(callroute.ConfigError) as e:
        callroute.Config.from_toml("[[queues]]\nid = 'one'\n", "bad.toml")
    assert e.value.code == 1100
    assert "bad.toml" in str(e.value)
    assert not isinstance(e.value, errors.EngineError)


def test_snapshot_restores_an_identical_engine(engine: callroute.Engine) -> None:
    engine.handle_input(1000, CallOffered(call=9, ani="+1555"))
    copy = callroute.Engine.restore(engine.snapshot())
    assert copy.snapshot() == engine.snapshot()
    assert copy.next_deadline == engine.next_deadline == 900_000
    with pytest.raises(errors.SnapshotError):
        callroute.Engine.restore("{}")


def test_64_bit_call_ids_keep_every_digit(engine: callroute.Engine) -> None:
    big = 2**63 + 11
    engine.handle_input(1000, CallOffered(call=big))
    (arrived,) = engine.drain()
    assert arrived.call == big
