"""The read side of :class:`~bot.chatops.service.ChatOps`: summaries, lists and history.

Reads never change anything, so they skip the policy (it allows every read anyway) and go
straight to Statsig. Names are tried as typed first; only when Statsig says "not found"
does the resolver list the names of that kind, either to fix the case (``Checkout_V2``)
or to suggest what was meant. Lists come whole from the shared
:class:`~bot.chatops.catalog.Catalog` (every replica, refreshed in the background) and are
filtered here (Statsig's list endpoints cannot search descriptions).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from bot.chatops.catalog import Catalog, Listed
from bot.chatops.replies import Reply
from bot.chatops.resolve import EntityResolver, Resolved
from bot.ops.commands.models import HistoryCommand, ListCommand, ShowCommand
from bot.ops.model.plans import EntityKind
from bot.render import (
    render_config,
    render_error,
    render_experiment,
    render_gate,
    render_history,
    render_list,
    render_list_loading,
    render_segment,
)
from bot.render.common import Message
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ConsoleError, NotFound, Timeout
from bot.statsig.models import DynamicConfig, Gate

__all__ = ["LIST_WAIT", "PAGE_SIZE", "Reads", "list_filters", "list_query"]

PAGE_SIZE = 20
LIST_WAIT = 2.0
"""Seconds a list may wait for Statsig before the person hears "loading" first."""

T = TypeVar("T")


def list_query(command: ListCommand) -> str:
    """The list's filters as command words, so a "Next page" button can repeat them."""
    words = [command.text] if command.text else []
    words += [f"--tag {tag}" for tag in command.tags]
    if command.status:
        words.append(f"--status {command.status.lower().replace(' ', '-')}")
    return " ".join(words)


def list_filters(command: ListCommand) -> list[str]:
    """The list's filters for people ("tag: payments", "status: disabled"), not its text."""
    filters = [f"tag: {tag}" for tag in command.tags]
    if command.status:
        filters.append(f"status: {command.status.lower()}")
    return filters


def _matches(item: Listed, command: ListCommand) -> bool:
    if command.text:
        needle = command.text.casefold()
        haystack = " ".join(filter(None, (item.id, item.name, item.description))).casefold()
        if needle not in haystack:
            return False
    if command.tags and not {t.casefold() for t in command.tags} & {
        t.casefold() for t in item.tags
    }:
        return False
    status = getattr(item, "status", None)
    return not command.status or str(status).casefold() == command.status.casefold()


class Reads:
    """Reads for one deployment: a client, a resolver and a console project ID."""

    def __init__(
        self,
        client: ConsoleClient,
        resolver: EntityResolver,
        catalog: Catalog,
        *,
        project_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        list_wait: float = LIST_WAIT,
    ) -> None:
        self._client = client
        self._resolver = resolver
        self._project_id = project_id
        self._clock = clock
        self._catalog = catalog
        self._list_wait = list_wait

    def changed(self, kind: EntityKind, after: dict[str, Any] | None) -> None:
        """The bot changed an entity of ``kind``: lists show ``after`` at once, or are
        read again soon when the change did not say what it left."""
        if after is not None:
            self._catalog.put(kind, after)
        else:
            self._catalog.forget(kind)

    async def resolved(
        self, kind: EntityKind, name: str, fetch: Callable[[str], Awaitable[T]]
    ) -> T | Reply:
        """``fetch(name)``; on "not found", retry with the name as Statsig spells it, or
        answer with "did you mean" suggestions (without them while the names are still
        loading: nobody waits for a walk of 10,000 gates to hear "not found")."""
        try:
            return await fetch(name)
        except NotFound:
            if not await self._catalog.ready(kind, wait=self._list_wait):
                return unknown_reply(kind, name, [])
            found = await self._resolver.resolve(kind, name)
            if isinstance(found, Resolved) and found.name != name:
                return await fetch(found.name)
            suggestions = [] if isinstance(found, Resolved) else found.suggestions
            return unknown_reply(kind, name, suggestions)

    async def show(self, command: ShowCommand) -> Reply:
        got = await self.resolved(command.noun, command.name, self._summary(command.noun))
        return got if isinstance(got, Reply) else Reply(message=got)

    async def share(self, kind: EntityKind, entity_id: str, view: str) -> Reply:
        """A read meant for the channel (the "Share in channel" button)."""
        if view == "history":
            got = await self.resolved(kind, entity_id, self._history(kind, shareable=False))
        else:
            got = await self.resolved(kind, entity_id, self._summary(kind, shareable=False))
        if isinstance(got, Reply):
            return got
        return Reply(message=got, visibility="channel")

    def _summary(
        self, kind: EntityKind, shareable: bool = True
    ) -> Callable[[str], Awaitable[Message]]:
        client, pid = self._client, self._project_id

        async def gate(name: str) -> Message:
            found = await client.get_gate(name)
            overrides, refs = await asyncio.gather(
                _optional(client.get_gate_overrides(found.id)),
                _optional(client.list_gate_references(found.id)),
            )
            references = None
            if refs is not None:
                references = {
                    "gates": [g.id for g in refs.gates],
                    "experiments": [e.id for e in refs.experiments],
                    "configs": [c.id for c in refs.configs],
                }
            return render_gate(
                found,
                overrides_count=overrides.count if overrides is not None else None,
                references=references,
                project_id=pid,
                shareable=shareable,
            )

        async def config(name: str) -> Message:
            return render_config(await client.get_config(name), project_id=pid, shareable=shareable)

        async def experiment(name: str) -> Message:
            found = await client.get_experiment(name)
            return render_experiment(found, project_id=pid, shareable=shareable)

        async def segment(name: str) -> Message:
            found = await client.get_segment(name)
            return render_segment(found, project_id=pid, shareable=shareable)

        return {"gate": gate, "config": config, "experiment": experiment, "segment": segment}[kind]

    async def history(self, command: HistoryCommand) -> Reply:
        got = await self.resolved(command.noun, command.name, self._history(command.noun))
        return got if isinstance(got, Reply) else Reply(message=got)

    def _history(
        self, kind: EntityKind, shareable: bool = True
    ) -> Callable[[str], Awaitable[Message]]:
        client, pid = self._client, self._project_id

        async def fetch(name: str) -> Message:
            versions: Sequence[Gate | DynamicConfig]
            if kind == "gate":
                versions = (await client.list_gate_versions(name)).data
            elif kind == "config":
                versions = (await client.list_config_versions(name)).data
            else:
                raise NotFound(kind, name)
            return render_history(kind, name, versions, project_id=pid, shareable=shareable)

        return fetch

    async def listing(self, command: ListCommand, *, first: bool = True) -> Reply:
        """One page of a list; "loading" first (and the list as ``follow_up``) when
        Statsig has not been walked yet and the walk takes longer than ``list_wait``."""
        listed = await self._catalog.items(command.noun, wait=self._list_wait if first else None)
        if listed is None and first:
            return Reply(
                message=render_list_loading(command.noun),
                follow_up=lambda: self.listing(command, first=False),
            )
        if listed is None:  # another replica's walk neither landed nor let go in time
            raise Timeout(f"no {command.noun} list from the replica walking Statsig")
        items = [i for i in listed if _matches(i, command)]
        start = (command.page - 1) * PAGE_SIZE
        pages = max(1, -(-len(items) // PAGE_SIZE))
        if items and command.page > pages:  # an empty page would read as "none found"
            total = f"{pages} page" + ("s" if pages != 1 else "")
            title = f"page {command.page} is past the end ({total})"
            return Reply(message=render_error(title), ok=False)
        shown = items[start : start + PAGE_SIZE]
        has_next = len(items) > start + PAGE_SIZE
        kw: dict[str, Any] = {
            "page": command.page,
            "has_next": has_next,
            "query": list_query(command),
            "text": command.text,
            "filters": list_filters(command),
        }
        return Reply(message=render_list(command.noun, shown, **kw))


async def _optional(call: Awaitable[T]) -> T | None:
    """An extra for a summary (overrides, references): shown as "not loaded" if it fails."""
    try:
        return await call
    except ConsoleError:
        return None


def unknown_reply(kind: str, name: str, suggestions: Sequence[str]) -> Reply:
    """ "No gate named x. Did you mean …?" as an error reply; with nothing close, the
    search that finds it by part of its name."""
    finder = "gate search" if kind == "gate" else f"{kind} list"
    hint = () if suggestions else ("Try {}.", f"{finder} {name}")
    return Reply(
        message=render_error(
            f"no {kind} named {name}", suggestions=list(suggestions), next_step=hint
        ),
        ok=False,
    )
