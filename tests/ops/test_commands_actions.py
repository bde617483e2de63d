"""Every change command of the registry becomes its action, with its arguments."""

from __future__ import annotations

import pytest

from bot.ops.actions.config import ConfigDisable
from bot.ops.actions.experiment import ExperimentDecide
from bot.ops.actions.gate import GateArchive, GateRollout
from bot.ops.actions.incident import IncidentKill
from bot.ops.actions.override import GateOverride
from bot.ops.actions.segment import SegmentRemoveIds
from bot.ops.commands.parse import UsageError, parse
from bot.ops.commands.registry import REGISTRY, CommandKind


def _parsed(text: str):  # type: ignore[no-untyped-def]
    command = parse(text)
    assert not isinstance(command, UsageError), command.message
    return command


def test_every_change_example_has_an_action_with_the_same_policy_key() -> None:
    for spec in REGISTRY:
        # Decisions and controls (freeze) act on the bot itself, not on a Statsig entity.
        skipped = (CommandKind.READ, CommandKind.DECISION, CommandKind.CONTROL)
        if spec.kind in skipped or spec.key in ("restore", "edit"):
            continue
        for example in spec.examples:
            action = _parsed(example).to_action()
            assert action is not None, example
            assert action.action == spec.action, example


def test_reads_and_special_commands_have_no_action() -> None:
    for text in ("gate checkout_v2", "gate list", "restore checkout_v2", "edit gate x", "help"):
        assert _parsed(text).to_action() is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gate rollout nav 12.5% --rule Beta up", GateRollout("nav", 12.5, "Beta", reason="up")),
        ("gate override nav fail u1,u2 --env stg QA",
         GateOverride("nav", "fail", ("u1", "u2"), environment="stg", reason="QA")),
        ('experiment decide pt "Test B" winner', ExperimentDecide("pt", "Test B", reason="winner")),
        ("seg remove-ids beta u3", SegmentRemoveIds("beta", ("u3",))),
        ("dc off cfg bad values", ConfigDisable("cfg", reason="bad values")),
        ("gate archive old cleanup", GateArchive("old", reason="cleanup")),
        ("kill checkout_v2 INC-1 errors", IncidentKill("checkout_v2", reason="INC-1 errors")),
    ],
)  # fmt: skip
def test_arguments_are_carried_over(text: str, expected: object) -> None:
    assert _parsed(text).to_action() == expected


def test_entity_and_renaming() -> None:
    kill = _parsed("kill Checkout_V2 oops")
    assert kill.entity == ("gate", "Checkout_V2")
    assert kill.renamed("checkout_v2").entity == ("gate", "checkout_v2")
    assert _parsed("experiment decide pt control why").entity == ("experiment", "pt")
    assert _parsed("help").entity is None
    renamed = _parsed("gate rollout NEW_NAV 5").renamed("new_nav").to_action()
    assert renamed == GateRollout("new_nav", 5.0, None)
