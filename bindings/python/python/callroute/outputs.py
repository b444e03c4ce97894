"""Everything the engine tells the host: :class:`Action` subclasses to carry out and
:class:`Event` subclasses to observe, as returned by :meth:`callroute.Engine.poll`
and :meth:`callroute.Engine.drain`. Nested structures (offers, announcements, agent
states, interval reports) stay dictionaries in the engine's JSON shape. Fields that
are Python keywords take a trailing underscore (``from_``, ``class_``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Dict, List, Optional, Type, Union

from ._tagged import Tagged, from_dict, tag


class Action(Tagged):
    """Something the host must do."""

    _TAG_KEY = "action"
    _REGISTRY: ClassVar[Dict[str, Type[Tagged]]] = {}


class Event(Tagged):
    """Something that happened, for observers."""

    _TAG_KEY = "event"
    _REGISTRY: ClassVar[Dict[str, Type[Tagged]]] = {}


Output = Union[Action, Event]


def output_from_dict(d: Dict[str, Any]) -> Output:
    """The typed output of an engine dictionary (the dictionary is consumed)."""
    if "action" in d:
        return from_dict(Action._REGISTRY, "action", d)  # type: ignore[return-value]
    return from_dict(Event._REGISTRY, "event", d)  # type: ignore[return-value]


@tag("ring-agent")
@dataclass
class RingAgent(Action):
    """Ring the agent's device and pop the offer on its screen."""

    call: int
    agent: int
    offer: Dict[str, Any]


@tag("cancel-ring")
@dataclass
class CancelRing(Action):
    """Stop ringing the agent's device."""

    call: int
    agent: int


@tag("connect")
@dataclass
class Connect(Action):
    """Bridge the caller and the agent."""

    call: int
    agent: int


@tag("play")
@dataclass
class Play(Action):
    """Play an announcement to the caller."""

    call: int
    announcement: Dict[str, Any]


@tag("start-music-on-hold")
@dataclass
class StartMusicOnHold(Action):
    """Start music on hold (``class_`` is the music class)."""

    call: int
    class_: str


@tag("stop-music-on-hold")
@dataclass
class StopMusicOnHold(Action):
    """Stop music on hold."""

    call: int


@tag("transfer")
@dataclass
class Transfer(Action):
    """Transfer the caller out of the engine."""

    call: int
    destination: str


@tag("hang-up")
@dataclass
class HangUp(Action):
    """Hang up the call."""

    call: int


@tag("start-recording")
@dataclass
class StartRecording(Action):
    """Start recording."""

    call: int


@tag("stop-recording")
@dataclass
class StopRecording(Action):
    """Stop recording."""

    call: int


@tag("start-supervision")
@dataclass
class StartSupervision(Action):
    """Connect a supervisor to the call."""

    call: int
    supervisor: int
    mode: str


@tag("stop-supervision")
@dataclass
class StopSupervision(Action):
    """Disconnect a supervisor."""

    call: int
    supervisor: int


@tag("conference")
@dataclass
class Conference(Action):
    """Bridge these agents and the caller in a conference."""

    call: int
    agents: List[int]


@tag("dial-callback")
@dataclass
class DialCallback(Action):
    """Dial the callback number now that the agent accepted it."""

    call: int
    number: str
    agent: int


@tag("stop-playback")
@dataclass
class StopPlayback(Action):
    """Stop the announcement playing to the caller."""

    call: int


@tag("lookup")
@dataclass
class Lookup(Action):
    """Fetch data for the IVR and answer with ``LookupResult``."""

    call: int
    request: int
    name: str
    params: Dict[str, str]


@tag("record")
@dataclass
class Record(Action):
    """Record a voicemail and answer with ``RecordingFinished``."""

    call: int
    mailbox: str
    max_secs: int


@tag("disconnect")
@dataclass
class Disconnect(Action):
    """Remove the agent from the call."""

    call: int
    agent: int


@tag("agent-state-changed")
@dataclass
class AgentStateChanged(Event):
    """An agent's state changed (``from_`` is the previous state)."""

    agent: int
    from_: Dict[str, Any]
    to: Dict[str, Any]


@tag("agent-membership-changed")
@dataclass
class AgentMembershipChanged(Event):
    """An agent signed in to (or out of) a queue."""

    agent: int
    queue: int
    signed_in: bool


@tag("call-arrived")
@dataclass
class CallArrived(Event):
    """A contact arrived."""

    call: int
    ani: str
    dnis: str
    channel: str


@tag("call-queued")
@dataclass
class CallQueued(Event):
    """A call joined a queue."""

    call: int
    queue: int
    position: int
    priority: int


@tag("call-offered")
@dataclass
class CallOffered(Event):
    """A call was offered to agents."""

    call: int
    queue: Optional[int]
    agents: List[int]


@tag("call-answered")
@dataclass
class CallAnswered(Event):
    """An agent answered."""

    call: int
    queue: Optional[int]
    agent: int
    wait_ms: int


@tag("call-abandoned")
@dataclass
class CallAbandoned(Event):
    """The caller hung up while waiting."""

    call: int
    ani: str
    queue: int
    wait_ms: int
    short: bool


@tag("call-overflowed")
@dataclass
class CallOverflowed(Event):
    """A call left its queue for somewhere else."""

    call: int
    queue: int
    to: Any
    reason: str


@tag("call-completed")
@dataclass
class CallCompleted(Event):
    """The agent's part of the call ended."""

    call: int
    agent: int
    talk_ms: int
    hold_ms: int


@tag("call-transferred")
@dataclass
class CallTransferred(Event):
    """A call was transferred (``from_`` is the transferring agent)."""

    call: int
    from_: int
    to: Dict[str, Any]


@tag("callback-requested")
@dataclass
class CallbackRequested(Event):
    """The caller asked for a callback."""

    call: int
    queue: int
    number: str


@tag("priority-changed")
@dataclass
class PriorityChanged(Event):
    """A waiting call's priority changed."""

    call: int
    priority: int


@tag("call-ended")
@dataclass
class CallEnded(Event):
    """A call ended; emitted exactly once per call."""

    call: int
    outcome: str


@tag("sla-at-risk")
@dataclass
class SlaAtRisk(Event):
    """The running interval of a queue is heading below its target."""

    queue: int
    interval_start: int
    projected: float
    target: float


@tag("interval-stats")
@dataclass
class IntervalStats(Event):
    """A closed interval's statistics for one queue."""

    report: Dict[str, Any]


@tag("ivr-started")
@dataclass
class IvrStarted(Event):
    """The call entered an IVR flow."""

    call: int
    flow: str


@tag("ivr-node")
@dataclass
class IvrNode(Event):
    """The call reached an IVR node."""

    call: int
    flow: str
    node: str


@tag("digits-collected")
@dataclass
class DigitsCollected(Event):
    """Digits were collected into a variable (``None`` when sensitive)."""

    call: int
    var: str
    digits: Optional[str]
    valid: bool


@tag("survey-answer")
@dataclass
class SurveyAnswer(Event):
    """A survey answer."""

    call: int
    question: str
    answer: int


@tag("voicemail-left")
@dataclass
class VoicemailLeft(Event):
    """A voicemail was left."""

    call: int
    mailbox: str
    ani: str
    data: Dict[str, str]


@tag("ivr-ended")
@dataclass
class IvrEnded(Event):
    """A call that went through the IVR ended."""

    call: int
    flow: str
    node: str
    vars: Dict[str, str]


@tag("caller-blocked")
@dataclass
class CallerBlocked(Event):
    """The caller was blocked by an ANI rule."""

    call: int
    ani: str


@tag("routing-decision")
@dataclass
class RoutingDecision(Event):
    """Why a routing decision went as it did."""

    decision: Dict[str, Any]


__all__ = ["Action", "Event", "Output", "output_from_dict", "RingAgent", "CancelRing", "Connect", "Play", "StartMusicOnHold", "StopMusicOnHold", "Transfer", "HangUp", "StartRecording", "StopRecording", "StartSupervision", "StopSupervision", "Conference", "DialCallback", "StopPlayback", "Lookup", "Record", "Disconnect", "AgentStateChanged", "AgentMembershipChanged", "CallArrived", "CallQueued", "CallOffered", "CallAnswered", "CallAbandoned", "CallOverflowed", "CallCompleted", "CallTransferred", "CallbackRequested", "PriorityChanged", "CallEnded", "SlaAtRisk", "IntervalStats", "IvrStarted", "IvrNode", "DigitsCollected", "SurveyAnswer", "VoicemailLeft", "IvrEnded", "CallerBlocked", "RoutingDecision"]
