"""The installed package ships its type information."""

from pathlib import Path

import callroute


def test_package_ships_stubs_and_py_typed() -> None:
    package = Path(callroute.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_callroute.pyi").is_file()
    assert callroute.staffing.erlang_c.__module__ in {"callroute._callroute", "builtins"}
