"""The base of the typed input and output classes: conversion to and from the
engine's JSON shape (a tag key such as ``"type"`` plus the fields)."""

from __future__ import annotations

import keyword
from typing import Any, Callable, ClassVar, Dict, Type, TypeVar

T = TypeVar("T", bound="Tagged")


def _python_name(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name


def _json_name(name: str) -> str:
    return name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name


class Tagged:
    """A value the engine reads or writes as ``{TAG_KEY: TAG, **fields}``."""

    TAG: ClassVar[str]
    _TAG_KEY: ClassVar[str]
    _REGISTRY: ClassVar[Dict[str, Type["Tagged"]]]
    _RENAMED: ClassVar[Dict[str, str]] = {}

    def to_dict(self) -> Dict[str, Any]:
        """The engine's JSON shape of this value."""
        d: Dict[str, Any] = {self._TAG_KEY: self.TAG}
        renamed = self._RENAMED
        for k, v in self.__dict__.items():
            d[renamed.get(k, k)] = v
        return d


def tag(name: str) -> Callable[[Type[T]], Type[T]]:
    """Registers a class for the tag ``name`` in its family's registry."""

    def register(cls: Type[T]) -> Type[T]:
        cls.TAG = name
        fields = getattr(cls, "__dataclass_fields__", {})
        cls._RENAMED = {f: _json_name(f) for f in fields if _json_name(f) != f}
        cls._REGISTRY[name] = cls
        return cls

    return register


def from_dict(registry: Dict[str, Type[T]], tag_key: str, d: Dict[str, Any]) -> T:
    """Builds the typed value of an engine dictionary (consumed)."""
    cls = registry[d.pop(tag_key)]
    if cls._RENAMED:
        d = {_python_name(k): v for k, v in d.items()}
    return cls(**d)
