"""Every public module under ``bot/`` says what it exports, and exports only what exists.

A module's ``__all__`` is its contract with the rest of the code base (and with ``from m
import *``): a missing ``__all__`` makes every helper look public, a stale name breaks the
star import, and a ``_private`` name listed there is a contradiction.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bot

_SKIPPED = {"bot.__main__"}  # running it starts the CLI


def _public_modules() -> list[str]:
    names = ["bot"]
    for info in pkgutil.walk_packages(bot.__path__, prefix="bot."):
        parts = info.name.split(".")
        if info.name not in _SKIPPED and not any(p.startswith("_") for p in parts[1:]):
            names.append(info.name)
    return sorted(names)


MODULES = _public_modules()


def test_the_walk_finds_the_packages() -> None:
    expected = {
        "bot.approvals.workflow",
        "bot.render.approvals",
        "bot.chatops.service",
        "bot.ops.actions.registry",
        "bot.approvals.store.keys",
        "bot.runtime",
    }
    assert expected <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_public_module_declares_existing_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list | tuple), f"{name} has no __all__"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == [], f"{name}.__all__ lists names it does not define: {missing}"
    private = [n for n in exported if n.startswith("_") and n != "__version__"]
    assert private == [], f"{name}.__all__ lists private names: {private}"
