"""``freeze`` and ``--override-freeze`` in the command language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.ops.commands.models import FreezeCommand, RolloutCommand, UsageError
from bot.ops.commands.parse import parse
from bot.ops.commands.registry import REGISTRY, CommandKind


def test_freeze_alone_is_its_status() -> None:
    command = parse("freeze")
    assert isinstance(command, FreezeCommand) and command.switch == "status"
    assert command.kind is CommandKind.CONTROL


def test_freeze_on_takes_a_reason_and_a_window() -> None:
    command = parse("freeze on INC-231 checkout errors --for 2h")
    assert isinstance(command, FreezeCommand)
    assert (command.switch, command.reason, command.duration) == (
        "on",
        "INC-231 checkout errors",
        timedelta(hours=2),
    )
    off = parse("freeze off all clear")
    assert isinstance(off, FreezeCommand) and (off.switch, off.reason) == ("off", "all clear")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("freeze on", "a freeze needs a reason"),
        ("freeze on --for 2h", "a freeze needs a reason"),
        ("freeze of", "unknown freeze switch"),
        ("freeze off --for 2h", "`--for` goes with `freeze on`"),
        ("freeze on INC-1 --for forever", "is not a duration"),
        ("freeze --for 2h", "`--for` goes with `freeze on"),
    ],
)
def test_malformed_freezes_say_what_is_wrong(text: str, problem: str) -> None:
    error = parse(text)
    assert isinstance(error, UsageError) and problem in error.message, error


def test_every_change_command_takes_override_freeze_and_kill_does_not_need_it() -> None:
    changes = [s for s in REGISTRY if s.kind is CommandKind.CHANGE and s.action != "*.edit"]
    assert changes and all(s.flag("override-freeze") for s in changes)
    assert all(
        s.flag("override-freeze") is None for s in REGISTRY if s.kind is not CommandKind.CHANGE
    )
    command = parse('gate rollout new_nav 25 --override-freeze "INC-3 hotfix" ramp')
    assert isinstance(command, RolloutCommand)
    assert (command.override_freeze, command.reason) == ("INC-3 hotfix", "ramp")
    assert parse("gate rollout new_nav 25 ramp").override_freeze is None  # type: ignore[union-attr]
    assert isinstance(parse("kill checkout_v2 --override-freeze x"), UsageError)
