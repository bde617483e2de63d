"""The action registry proves itself: nothing about an action can be forgotten.

Every change command names a registered action; every registered action has its words and
rebuilds itself from a stored plan into an action that plans the very same change (the
executor of an approved request only ever has the plan).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.ops.actions.base import Action, PlanError
from bot.ops.actions.incident import IncidentKill, Restore
from bot.ops.actions.registry import (
    ACTIONS,
    action_from_plan,
    action_words,
    is_announced,
    is_incident,
    is_lock_exempt,
    is_restorable,
)
from bot.ops.commands.parse import UsageError, parse
from bot.ops.commands.registry import REGISTRY, CommandKind
from bot.ops.model.plans import Plan
from bot.sandbox import create_sandbox_app, demo_state
from bot.statsig.client import ConsoleClient

CHANGE_SPECS = [
    s for s in REGISTRY if s.kind in (CommandKind.CHANGE, CommandKind.INCIDENT) and s.key != "edit"
]


def test_every_change_command_names_a_registered_action() -> None:
    for spec in CHANGE_SPECS:
        assert spec.action in ACTIONS, spec.key
    named = {s.action for s in CHANGE_SPECS}
    assert named == set(ACTIONS), "an action no command can reach, or a command without one"


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_has_words_and_its_key(name: str) -> None:
    cls = ACTIONS[name]
    assert cls.action == name
    assert action_words(name) == cls.words and cls.words.strip()
    assert "." not in cls.words and "_" not in cls.words


def test_what_each_action_is_lives_on_the_action() -> None:
    assert {n for n in ACTIONS if is_incident(n)} == {"incident.kill", "incident.restore"}
    assert {n for n in ACTIONS if is_lock_exempt(n)} == {"incident.kill"}
    assert {n for n in ACTIONS if is_announced(n)} == {"incident.kill", "incident.restore"}
    assert {n for n in ACTIONS if is_restorable(n)} == {"incident.kill", "gate.disable"}
    # keys read back from an older request are answered, not raised on
    assert not is_announced("gate.explode") and action_words("gate.explode") == "gate explode"


@pytest.fixture
async def client() -> AsyncIterator[ConsoleClient]:
    app = create_sandbox_app(demo_state())
    console = ConsoleClient("k", base_url="http://sandbox", transport=httpx.ASGITransport(app=app))
    yield console
    await console.aclose()


async def _plan(action: Action, client: ConsoleClient) -> Plan:
    return action.plan(await action.load(client))


EXAMPLES = [
    (spec.key, example)
    for spec in CHANGE_SPECS
    if spec.key != "restore"
    for example in spec.examples
]


@pytest.mark.parametrize(("key", "example"), EXAMPLES)
async def test_every_example_survives_the_store(
    client: ConsoleClient, key: str, example: str
) -> None:
    command = parse(example)
    assert not isinstance(command, UsageError), command
    action = command.to_action()
    assert action is not None, key
    plan = await _plan(action, client)  # every example plans against the demo data
    stored = Plan.model_validate_json(plan.model_dump_json())
    rebuilt = action_from_plan(stored)
    assert type(rebuilt) is type(action)
    again = await _plan(rebuilt, client)
    assert again.fingerprint() == plan.fingerprint(), (plan.change, again.change)


async def test_a_restore_survives_the_store(client: ConsoleClient) -> None:
    kill = IncidentKill("checkout_v2", reason="INC-1")
    killed = await _plan(kill, client)
    await kill.execute(client, killed)
    assert killed.snapshot is not None
    restore = Restore("checkout_v2", killed.snapshot, reason="over")
    plan = await _plan(restore, client)
    rebuilt = action_from_plan(Plan.model_validate_json(plan.model_dump_json()))
    assert isinstance(rebuilt, Restore)
    assert (await _plan(rebuilt, client)).change == plan.change


def test_a_plan_that_cannot_be_rebuilt_says_so() -> None:
    plan = Plan(action="gate.rollout", entity_kind="gate", entity_id="x", summary="s")
    with pytest.raises(PlanError, match="incomplete"):
        action_from_plan(plan)
    with pytest.raises(PlanError, match="Unknown action"):
        action_from_plan(plan.model_copy(update={"action": "gate.explode"}))
    ids = plan.model_copy(update={"action": "segment.add-ids"})
    with pytest.raises(PlanError, match="names no IDs"):
        action_from_plan(ids)
