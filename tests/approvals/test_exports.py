"""Public names match ``__all__``; each Lua script documents KEYS/ARGV and touches only KEYS."""

from __future__ import annotations

import importlib
import re

import pytest

from bot.approvals.store import scripts

MODULES = [
    "bot.approvals.store",
    "bot.approvals.store.keys",
    "bot.ops.model.requests",
    "bot.approvals.store.scripts",
    "bot.ops.model.states",
    "bot.approvals.store.requests",
    "bot.approvals.store.base",
    "bot.approvals.store.execution",
    "bot.approvals.authorize",
    "bot.approvals.execute",
    "bot.approvals.reviews_watch",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_are_unique(name: str) -> None:
    module = importlib.import_module(name)
    assert len(set(module.__all__)) == len(module.__all__)
    for exported in module.__all__:
        assert hasattr(module, exported), exported


def test_package_exports_every_public_class() -> None:
    import bot.approvals.store as store

    classes = {n for n, v in vars(store).items() if isinstance(v, type)}
    assert classes == set(store.__all__) == {"ApprovalStore"}


_CALL = re.compile(r"redis\.call\('(\w+)',\s*([^,)]+)")
_SERVER_TIME = """if now == '' then
  local t = redis.call('TIME')"""


@pytest.mark.parametrize("name", scripts.__all__)
def test_every_script_documents_keys_and_argv_and_only_touches_keys(name: str) -> None:
    source: str = getattr(scripts, name)
    header = source.strip().split("\n\n")[0]
    assert header.startswith(f"-- {name.lower()}:")
    assert "KEYS" in header and "ARGV" in header
    calls = _CALL.findall(source)
    assert calls
    for command, first_arg in calls:
        # Every command's key argument is KEYS[i] (or the `key` parameter of a helper that
        # is itself only called with KEYS[i]); nothing is built from strings inside Lua.
        assert first_arg.startswith("KEYS[") or first_arg == "key", (command, first_arg)
    # The server clock is read in one place only: when the caller passed no time (ARGV[2]).
    assert re.findall(r"redis\.call\('(\w+)'", source).count("TIME") <= 1
    if "redis.call('TIME')" in source:
        assert _SERVER_TIME in source
