"""Reads for the blast radius and review status that sit around the entity itself.

The entity read must succeed (a plan without it is meaningless, so its
:class:`~bot.statsig.errors.ConsoleError` propagates to the caller). The reads around it
are best effort and run concurrently: if one fails, the plan still appears, with a note
saying what could not be counted, because a person can still judge the change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from bot.ops.actions_base import Current, E, References
from bot.ops.actions_client import ConsoleAPI
from bot.statsig.errors import ConsoleError
from bot.statsig.models import DynamicConfig, Gate, GateOverrides, Rule

__all__ = ["FINISHED_PIPELINE_STATUSES", "load_context", "load_gate"]

FINISHED_PIPELINE_STATUSES = frozenset({"ABORTED", "COMPLETED"})
"""Release pipeline trigger statuses that no longer change the gate."""

T = TypeVar("T")


async def _attempt(what: str, call: Awaitable[T], notes: list[str]) -> T | None:
    try:
        return await call
    except ConsoleError as exc:
        notes.append(f"could not read {what}: {exc.user_message}")
        return None


async def _none() -> None:
    return None


async def _zero() -> int:
    return 0


async def _project_review(client: ConsoleAPI, notes: list[str]) -> bool:
    settings = await _attempt("the project's review settings", client.get_review_settings(), notes)
    return bool(settings and settings.is_config_review_required)


async def _environments(client: ConsoleAPI, notes: list[str]) -> tuple[str, ...] | None:
    envs = await _attempt("the project's environments", client.get_environments(), notes)
    return None if envs is None else tuple(env.name for env in envs)


async def _pipelines(client: ConsoleAPI, entity: Gate | DynamicConfig, notes: list[str]) -> int:
    if not entity.release_pipeline_id:
        return 0
    if isinstance(entity, Gate):
        call = client.list_pipeline_triggers(gate_id=entity.id)
    else:
        call = client.list_pipeline_triggers(config_id=entity.id)
    page = await _attempt("release pipeline triggers", call, notes)
    if page is None:
        return 0
    return sum(
        1
        for trigger in page.data
        if (trigger.status or "").upper() not in FINISHED_PIPELINE_STATUSES
    )


def needs_all_environments(rules: Sequence[Rule]) -> bool:
    """A rule without an environment list applies in every environment of the project."""
    return any(rule.environments is None for rule in rules)


async def load_context(
    client: ConsoleAPI,
    entity: E,
    *,
    rules: Sequence[Rule] = (),
    all_environments: bool = False,
) -> Current[E]:
    """The review, environment and pipeline context around an already-read entity."""
    notes: list[str] = []
    want_envs = all_environments or needs_all_environments(rules)
    pipelines: Awaitable[int] = (
        _pipelines(client, entity, notes) if isinstance(entity, Gate | DynamicConfig) else _zero()
    )
    review, envs, running = await asyncio.gather(
        _project_review(client, notes),
        _environments(client, notes) if want_envs else _none(),
        pipelines,
    )
    return Current(
        entity=entity,
        project_review_required=review,
        project_environments=envs,
        running_pipelines=running,
        notes=tuple(notes),
    )


async def load_gate(
    client: ConsoleAPI,
    gate_id: str,
    *,
    overrides: bool = False,
    all_environments: bool = False,
) -> Current[Gate]:
    """The gate, its references and context; its overrides too when asked (must succeed)."""
    gate = await client.get_gate(gate_id)
    current_overrides: GateOverrides | None = None
    if overrides:
        current_overrides = await client.get_gate_overrides(gate_id)
    notes: list[str] = []
    context, refs = await asyncio.gather(
        load_context(client, gate, rules=gate.rules, all_environments=all_environments),
        _attempt("the gate's references", client.list_gate_references(gate_id), notes),
    )
    return Current(
        entity=gate,
        references=References() if refs is None else References.count(refs),
        overrides=current_overrides,
        project_review_required=context.project_review_required,
        project_environments=context.project_environments,
        running_pipelines=context.running_pipelines,
        notes=context.notes + tuple(notes),
    )
