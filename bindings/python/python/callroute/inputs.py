"""Everything the host tells the engine, one class per input.

Pass them to :meth:`callroute.Engine.handle_input`. Optional fields left at ``None``
take the engine's default. ``Input.from_dict`` reads the engine's JSON shape
(``{"type": "login", "agent": 7}``) and ``to_dict`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, Optional, Type, Union

from ._tagged import Tagged, from_dict, tag

Party = Union[str, Dict[str, int]]
"""Who hung up: ``"caller"`` or ``{"agent": id}``."""


class Input(Tagged):
    """An input from the host."""

    _TAG_KEY = "type"
    _REGISTRY: ClassVar[Dict[str, Type[Tagged]]] = {}

    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "Input":
        """The typed input of an engine dictionary such as ``{"type": "login", "agent": 7}``."""
        return from_dict(Input._REGISTRY, "type", dict(d))  # type: ignore[return-value]


@tag("call-offered")
@dataclass
class CallOffered(Input):
    """A new contact arrived."""

    call: int
    ani: str = ""
    dnis: str = ""
    channel: str = "voice"
    attributes: Dict[str, str] = field(default_factory=dict)
    data: Dict[str, str] = field(default_factory=dict)
    priority: int = 0


@tag("enter-queue")
@dataclass
class EnterQueue(Input):
    """The call joins a queue."""

    call: int
    queue: int
    priority: Optional[int] = None
    requirement: Optional[Dict[str, Any]] = None


@tag("dtmf")
@dataclass
class Dtmf(Input):
    """The caller pressed keys, in order (``0``-``9``, ``*``, ``#``)."""

    call: int
    digits: str


@tag("prompt-finished")
@dataclass
class PromptFinished(Input):
    """The announcement playing to the caller finished."""

    call: int


@tag("lookup-result")
@dataclass
class LookupResult(Input):
    """The answer to a ``Lookup`` action."""

    call: int
    request: int
    ok: bool
    values: Dict[str, str] = field(default_factory=dict)


@tag("recording-finished")
@dataclass
class RecordingFinished(Input):
    """The voicemail recording finished."""

    call: int


@tag("device-ringing")
@dataclass
class DeviceRinging(Input):
    """The agent's device started ringing."""

    agent: int
    call: int


@tag("device-answered")
@dataclass
class DeviceAnswered(Input):
    """The agent answered."""

    agent: int
    call: int


@tag("device-rejected")
@dataclass
class DeviceRejected(Input):
    """The agent rejected the offer."""

    agent: int
    call: int


@tag("device-no-answer")
@dataclass
class DeviceNoAnswer(Input):
    """The device rang out."""

    agent: int
    call: int


@tag("hang-up")
@dataclass
class HangUp(Input):
    """A party hung up: ``by`` is ``"caller"`` or ``{"agent": id}``."""

    call: int
    by: Party = "caller"


@tag("hold")
@dataclass
class Hold(Input):
    """The agent put the caller on hold."""

    call: int


@tag("unhold")
@dataclass
class Unhold(Input):
    """The agent took the caller off hold."""

    call: int


@tag("transfer")
@dataclass
class Transfer(Input):
    """The agent transfers the call: ``to`` is ``{"agent": id}``, ``{"queue": id}`` or ``{"external": number}``; ``mode`` is ``"blind"`` or ``"consult"``."""

    call: int
    to: Dict[str, Any]
    mode: str = "blind"
    consult_call: Optional[int] = None


@tag("complete-transfer")
@dataclass
class CompleteTransfer(Input):
    """Completes a consult transfer."""

    call: int


@tag("cancel-transfer")
@dataclass
class CancelTransfer(Input):
    """Cancels a consult transfer."""

    call: int


@tag("conference")
@dataclass
class Conference(Input):
    """Turns a consult into a three-way conference."""

    call: int


@tag("login")
@dataclass
class Login(Input):
    """The agent logs in."""

    agent: int


@tag("logout")
@dataclass
class Logout(Input):
    """The agent logs out."""

    agent: int


@tag("ready")
@dataclass
class Ready(Input):
    """The agent is ready."""

    agent: int


@tag("not-ready")
@dataclass
class NotReady(Input):
    """The agent is not ready, with a configured reason."""

    agent: int
    reason: Optional[str] = None


@tag("wrap-up-done")
@dataclass
class WrapUpDone(Input):
    """The agent finished after-call work."""

    agent: int


@tag("sign-in")
@dataclass
class SignIn(Input):
    """The agent signs in to a queue."""

    agent: int
    queue: int
    penalty: int = 0


@tag("sign-out")
@dataclass
class SignOut(Input):
    """The agent signs out of a queue."""

    agent: int
    queue: int


@tag("request-callback")
@dataclass
class RequestCallback(Input):
    """The caller asks to be called back, keeping their place."""

    call: int
    number: str


@tag("supervise")
@dataclass
class Supervise(Input):
    """A supervisor joins: ``mode`` is ``"monitor"``, ``"whisper"`` or ``"barge"``."""

    call: int
    supervisor: int
    mode: str


@tag("stop-supervising")
@dataclass
class StopSupervising(Input):
    """A supervisor ends supervision."""

    call: int
    supervisor: int


@tag("take-over")
@dataclass
class TakeOver(Input):
    """A supervisor takes the call over."""

    call: int
    supervisor: int


@tag("force-release")
@dataclass
class ForceRelease(Input):
    """A supervisor ends a call."""

    call: int


@tag("force-state")
@dataclass
class ForceState(Input):
    """A supervisor sets an agent ready or not ready."""

    agent: int
    ready: bool
    reason: Optional[str] = None


@tag("force-logout")
@dataclass
class ForceLogout(Input):
    """A supervisor logs an agent out."""

    agent: int


@tag("move-call")
@dataclass
class MoveCall(Input):
    """A supervisor moves a waiting call to another queue."""

    call: int
    queue: int


@tag("set-priority")
@dataclass
class SetPriority(Input):
    """A supervisor changes a waiting call's priority."""

    call: int
    priority: int


@tag("add-agent")
@dataclass
class AddAgent(Input):
    """Adds an agent at run time (its configuration as a mapping)."""

    agent: Dict[str, Any]


@tag("remove-agent")
@dataclass
class RemoveAgent(Input):
    """Removes a logged-out agent."""

    agent: int


@tag("set-skills")
@dataclass
class SetSkills(Input):
    """Replaces an agent's skills."""

    agent: int
    skills: Dict[str, int]


@tag("add-queue")
@dataclass
class AddQueue(Input):
    """Adds a queue at run time (its configuration as a mapping)."""

    queue: Dict[str, Any]


@tag("update-queue")
@dataclass
class UpdateQueue(Input):
    """Replaces a queue's settings; waiting calls stay."""

    queue: Dict[str, Any]


@tag("remove-queue")
@dataclass
class RemoveQueue(Input):
    """Removes an empty queue."""

    queue: int


__all__ = ["Input", "Party", "CallOffered", "EnterQueue", "Dtmf", "PromptFinished", "LookupResult", "RecordingFinished", "DeviceRinging", "DeviceAnswered", "DeviceRejected", "DeviceNoAnswer", "HangUp", "Hold", "Unhold", "Transfer", "CompleteTransfer", "CancelTransfer", "Conference", "Login", "Logout", "Ready", "NotReady", "WrapUpDone", "SignIn", "SignOut", "RequestCallback", "Supervise", "StopSupervising", "TakeOver", "ForceRelease", "ForceState", "ForceLogout", "MoveCall", "SetPriority", "AddAgent", "RemoveAgent", "SetSkills", "AddQueue", "UpdateQueue", "RemoveQueue"]
