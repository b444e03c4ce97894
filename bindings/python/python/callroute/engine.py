"""The engine with typed inputs and outputs."""

from __future__ import annotations

import json
from typing import Any, Iterator, List, Mapping, Optional, Union

from . import _callroute
from ._callroute import Config
from .inputs import Input
from .outputs import Output, output_from_dict


class Engine:
    """The sans-IO contact-center engine.

    The host feeds inputs with its current time in milliseconds, drains the outputs
    after each one, and calls :meth:`handle_timeout` at :attr:`next_deadline`::

        engine = Engine(Config.from_toml(text), seed=42)
        engine.handle_input(0, Login(agent=7))
        for output in engine.drain():
            ...

    An input that raises changed nothing.
    """

    __slots__ = ("_native",)

    def __init__(self, config: Union[Config, str], seed: int = 0) -> None:
        if isinstance(config, str):
            config = Config.from_toml(config)
        self._native = _callroute.Engine(config, seed)

    @classmethod
    def restore(cls, snapshot: str) -> "Engine":
        """Rebuilds an engine from :meth:`snapshot`."""
        engine = cls.__new__(cls)
        engine._native = _callroute.Engine.restore(snapshot)
        return engine

    def handle_input(self, now_ms: int, input: Union[Input, Mapping[str, Any]]) -> None:
        """Feeds one input (a typed input or its dictionary) at host time ``now_ms``."""
        self._native.handle_input(now_ms, input.to_dict() if isinstance(input, Input) else input)

    def handle_timeout(self, now_ms: int) -> None:
        """Fires every timer due at or before ``now_ms``; early calls do nothing."""
        self._native.handle_timeout(now_ms)

    def apply_entry(self, entry: Union[str, Mapping[str, Any]]) -> None:
        """Applies a journal entry ``{"at": ms, "input": {...} | None}`` (a mapping or
        its JSON text); an entry without input is a timeout."""
        self._native.apply_entry_json(entry if isinstance(entry, str) else json.dumps(entry))

    def poll(self) -> Optional[Output]:
        """The next output, or ``None`` when idle until the next input or deadline."""
        d = self._native.poll()
        return None if d is None else output_from_dict(d)

    def drain(self) -> List[Output]:
        """Every pending output, in order."""
        return [output_from_dict(d) for d in self._native.drain()]

    def drain_dicts(self) -> List[dict]:
        """Every pending output as the engine's JSON-shaped dictionaries."""
        return self._native.drain()  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[Output]:
        """Iterates over the pending outputs, taking each."""
        while (output := self.poll()) is not None:
            yield output

    @property
    def next_deadline(self) -> Optional[int]:
        """The earliest pending timer, in host milliseconds."""
        return self._native.next_deadline  # type: ignore[no-any-return]

    @property
    def now(self) -> int:
        """The latest host time the engine has seen."""
        return self._native.now  # type: ignore[no-any-return]

    def snapshot(self) -> str:
        """The whole state as JSON, for :meth:`restore`."""
        return self._native.snapshot()  # type: ignore[no-any-return]
