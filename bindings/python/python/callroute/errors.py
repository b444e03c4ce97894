"""Exceptions, one class per stable error code of the engine.

Every exception carries ``code`` (the engine's stable number) and the engine's
message. Catch a family (``CallrouteError``, ``UnknownId``, ``ConfigError``) or one
kind (``UnknownAgent``)::

    try:
        engine.handle_input(now, Ready(agent=99))
    except UnknownAgent as e:
        assert e.code == 1003
"""

from __future__ import annotations


class CallrouteError(Exception):
    """Base of every callroute error. ``code`` is the engine's stable error code."""

    code: int = 0

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class EngineError(CallrouteError):
    """An input the engine rejected (codes 1001-1099); nothing changed."""


class TimeWentBackwards(EngineError, ValueError):
    code = 1001


class UnknownId(EngineError, LookupError):
    """No call, agent or queue has this id."""


class UnknownCall(UnknownId):
    code = 1002


class UnknownAgent(UnknownId):
    code = 1003


class UnknownQueue(UnknownId):
    code = 1004


class DuplicateId(EngineError, ValueError):
    """A call, agent or queue already has this id."""


class DuplicateCall(DuplicateId):
    code = 1005


class DuplicateAgent(DuplicateId):
    code = 1006


class DuplicateQueue(DuplicateId):
    code = 1007


class IllegalAgentTransition(EngineError):
    code = 1010


class IllegalCallState(EngineError):
    code = 1011


class NotAMember(EngineError):
    code = 1012


class UnknownReason(EngineError, ValueError):
    code = 1013


class QueueFull(EngineError):
    code = 1014


class QueueNotEmpty(EngineError):
    code = 1015


class AgentBusy(EngineError):
    code = 1016


class InvalidInput(EngineError, ValueError):
    """An input field is out of range or malformed (also a value that does not
    convert to an input)."""

    code = 1017


class UnknownStrategy(EngineError):
    code = 1018


class ConfigError(CallrouteError, ValueError):
    """The configuration is invalid; the message says where."""

    code = 1100


class SnapshotError(CallrouteError, ValueError):
    code = 1101


class WorkforceError(CallrouteError, ValueError):
    """Invalid input to the Erlang and staffing functions (codes 4000-4099)."""


class TicketError(CallrouteError):
    """A ticket command or definition the desk rejected (codes 6000-6999)."""


_BY_CODE: dict[int, type[CallrouteError]] = {
    cls.code: cls
    for cls in (
        TimeWentBackwards, UnknownCall, UnknownAgent, UnknownQueue, DuplicateCall,
        DuplicateAgent, DuplicateQueue, IllegalAgentTransition, IllegalCallState,
        NotAMember, UnknownReason, QueueFull, QueueNotEmpty, AgentBusy, InvalidInput,
        UnknownStrategy, ConfigError, SnapshotError,
    )
}


def error_for(code: int, message: str) -> CallrouteError:
    """The exception for an error code (used by the native module)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        if 4000 <= code < 4100:
            cls = WorkforceError
        elif 6000 <= code < 7000:
            cls = TicketError
        elif 1000 <= code < 1100:
            cls = EngineError
        else:
            cls = CallrouteError
    return cls(message, code)


__all__ = [name for name, value in globals().items() if isinstance(value, type) and issubclass(value, Exception)]
__all__ += ["error_for"]
