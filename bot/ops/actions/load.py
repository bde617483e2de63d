"""Reads for the blast radius and review status that sit around the entity itself.

The entity read must succeed (a plan without it is meaningless, so its
:class:`~bot.statsig.errors.ConsoleError` propagates to the caller). The reads around it
are best effort and run concurrently: if one fails, the plan still appears, with a note
saying what could not be counted, because a person can still judge the change.

The project's environments and the owning team change rarely but are read for every plan
(their review switches, see :mod:`bot.ops.actions.review`), so they are cached per client
for :data:`LOOKUP_TTL` seconds. Failures are not cached.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from bot.ops.actions.base import Current, E, References
from bot.ops.actions.client import ConsoleAPI
from bot.statsig.errors import ConsoleError
from bot.statsig.models import DynamicConfig, Environment, Gate, GateOverrides, Rule, Team

__all__ = [
    "FINISHED_PIPELINE_STATUSES",
    "LOOKUP_TTL",
    "LookupCache",
    "load_context",
    "load_gate",
    "lookup_cache",
]

LOOKUP_TTL = 30.0
"""Seconds an environments or team read is reused: long enough for a burst of plans,
short enough that a review switch flipped in the console is seen almost at once."""

FINISHED_PIPELINE_STATUSES = frozenset({"ABORTED", "COMPLETED"})
"""Release pipeline trigger statuses that no longer change the gate."""

T = TypeVar("T")


async def _attempt(what: str, call: Awaitable[T], notes: list[str]) -> T | None:
    try:
        return await call
    except ConsoleError as exc:
        notes.append(f"could not read {what}: {exc.user_message}")
        return None


async def _zero() -> int:
    return 0


async def _project_review(client: ConsoleAPI, notes: list[str]) -> bool:
    settings = await _attempt("the project's review settings", client.get_review_settings(), notes)
    return bool(settings and settings.is_config_review_required)


class LookupCache:
    """Environments and teams of one client, each kept for ``ttl`` seconds."""

    def __init__(
        self, *, ttl: float = LOOKUP_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, tuple[float, Any]] = {}

    async def get(self, key: str, read: Callable[[], Awaitable[T]]) -> T:
        """The cached value of ``key``, or ``read()``'s (which may raise; then nothing is kept)."""
        now = self.clock()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            value: T = hit[1]
            return value
        fresh = await read()
        self._entries[key] = (now, fresh)
        return fresh

    def clear(self) -> None:
        self._entries.clear()


_CACHES: weakref.WeakKeyDictionary[Any, LookupCache] = weakref.WeakKeyDictionary()


def lookup_cache(client: ConsoleAPI) -> LookupCache:
    """The cache that belongs to ``client`` (gone with it); a throwaway one if it can't."""
    try:
        cache = _CACHES.get(client)
        if cache is None:
            cache = _CACHES[client] = LookupCache()
        return cache
    except TypeError:  # a client that cannot be weakly referenced: no caching
        return LookupCache(ttl=0.0)


async def _environments(client: ConsoleAPI, notes: list[str]) -> tuple[Environment, ...] | None:
    cache = lookup_cache(client)
    envs = await _attempt(
        "the project's environments",
        cache.get("environments", client.get_environments),
        notes,
    )
    return None if envs is None else tuple(envs)


async def _team(client: ConsoleAPI, entity: Any, notes: list[str]) -> Team | None:
    team_id = getattr(entity, "team_id", None)
    if not team_id:
        return None
    cache = lookup_cache(client)
    return await _attempt(
        "the owning team's review settings",
        cache.get(f"team:{team_id}", lambda: client.get_team(team_id)),
        notes,
    )


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
    """The review, environment, team and pipeline context around an already-read entity.

    The environments are always read (their ``requiresReview`` matters to every change);
    their names feed the blast radius only when a rule or the action spans all of them.
    """
    notes: list[str] = []
    want_names = all_environments or needs_all_environments(rules)
    pipelines: Awaitable[int] = (
        _pipelines(client, entity, notes) if isinstance(entity, Gate | DynamicConfig) else _zero()
    )
    review, envs, team, running = await asyncio.gather(
        _project_review(client, notes),
        _environments(client, notes),
        _team(client, entity, notes),
        pipelines,
    )
    names = tuple(env.name for env in envs) if envs is not None and want_names else None
    return Current(
        entity=entity,
        project_review_required=review,
        project_environments=names,
        environments=envs,
        team=team,
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
    return dataclasses.replace(
        context,
        references=None if refs is None else References.count(refs),
        overrides=current_overrides,
        notes=context.notes + tuple(notes),
    )
