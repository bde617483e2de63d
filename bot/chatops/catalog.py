"""Every gate, config, experiment and segment, listed once and shared: stale while it refreshes.

Lists, searches, "did you mean" and the gate picker all need the whole list of a kind, and
Statsig only gives it 100 at a time: 10,000 gates are 100 calls and several seconds. So the
list is kept (per process, and in Redis for every replica), served as it is while one
replica walks Statsig again in the background once it is older than ``ttl``, and never
makes a person wait for a walk: a caller that finds nothing at all waits at most ``wait``
seconds and otherwise hears "loading" (see :meth:`Catalog.items`).

In Redis (``PREFIX catalog:KIND``) the list is compressed JSON behind a 20-byte header
holding the time it was read (so a replica checks the time before fetching the list);
a short ``catalog:KIND:walk`` lock lets one replica walk while the others keep serving. A
change the bot makes itself is written into the list at once (:meth:`Catalog.put`), so a
list right after a change shows it. Without Redis (tests, a bare shell) the same happens
in this process only.

Usage::

    catalog = Catalog(client, redis, prefix="statsig-bot:")
    gates = await catalog.items("gate", wait=2.0)     # None: still loading, say so
    gates = await catalog.items("gate")               # waits for the walk if it must
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from pydantic import TypeAdapter
from redis.exceptions import RedisError

from bot.ops.model.plans import EntityKind
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ConsoleError
from bot.statsig.models import DynamicConfig, Experiment, Gate, Segment

__all__ = ["DEFAULT_TTL", "Catalog", "Listed"]

log = logging.getLogger(__name__)

Listed = Gate | DynamicConfig | Experiment | Segment
DEFAULT_TTL = 30.0
"""Seconds a list is fresh; older, it is still served while it is read again."""
MAX_STALE = 3600.0
"""Seconds a list may be served at all; older, it is read again before use."""
_WALK_LOCK_MS = 120_000
_HEAD = 20  # bytes of the shared list's header: the time it was read, as text
_MODELS: dict[EntityKind, type[Listed]] = {
    "gate": Gate,
    "config": DynamicConfig,
    "experiment": Experiment,
    "segment": Segment,
}


_ADAPTERS: dict[EntityKind, TypeAdapter[Any]] = {
    "gate": TypeAdapter(list[Gate]),
    "config": TypeAdapter(list[DynamicConfig]),
    "experiment": TypeAdapter(list[Experiment]),
    "segment": TypeAdapter(list[Segment]),
}


@dataclass
class _Snapshot:
    items: list[Listed]
    at: float  # wall-clock seconds (shared by replicas through Redis)


class Catalog:
    """One list per entity kind, shared through Redis, refreshed in the background."""

    def __init__(
        self,
        client: ConsoleClient,
        redis: aioredis.Redis | None = None,
        *,
        prefix: str = "statsig-bot:",
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl
        self._clock = clock
        self._local: dict[EntityKind, _Snapshot] = {}
        self._walks: dict[EntityKind, asyncio.Task[_Snapshot | None]] = {}

    async def items(self, kind: EntityKind, *, wait: float | None = None) -> list[Listed] | None:
        """The list of ``kind``: at once when one is known (refreshed behind the scenes when
        old), else after a walk; ``None`` if that walk takes longer than ``wait`` seconds
        (it goes on: ask again, or without ``wait`` to wait for it)."""
        local = self._local.get(kind)
        if local is not None and self._age(local) < MAX_STALE:
            if self._age(local) >= self._ttl:
                self._refresh(kind)  # stale while revalidating
            return local.items
        refresh = self._refresh(kind)
        try:
            done = await asyncio.wait_for(asyncio.shield(refresh), wait)
        except TimeoutError:
            return None
        if done is None:  # another replica walks: use its list when it lands
            return await self._await_shared(kind, wait)
        return done.items  # a failed walk raised its ConsoleError above

    async def ready(self, kind: EntityKind, *, wait: float) -> bool:
        """Whether the list of ``kind`` is known within ``wait`` seconds (a walk goes on)."""
        return await self.items(kind, wait=wait) is not None

    async def ids(self, kind: EntityKind) -> list[str]:
        """Every ID of ``kind`` (waits for a walk when nothing is known)."""
        return [item.id for item in await self.items(kind) or []]

    def put(self, kind: EntityKind, entity: dict[str, Any]) -> None:
        """The bot changed ``entity``: show the change in this process's lists at once (the
        next walk, at most ``ttl`` away, brings it to every replica)."""
        snapshot = self._local.get(kind)
        if snapshot is None:
            return
        try:
            fresh = _MODELS[kind].model_validate(entity)
        except ValueError:
            return
        items = [fresh if item.id == fresh.id else item for item in snapshot.items]
        self._local[kind] = _Snapshot(items, snapshot.at)

    def forget(self, kind: EntityKind | None = None) -> None:
        """Read ``kind`` again soon (all kinds without one); keep serving what is known."""
        for known in [kind] if kind is not None else list(self._local):
            snapshot = self._local.get(known)
            if snapshot is not None:
                self._local[known] = _Snapshot(snapshot.items, 0.0)

    async def aclose(self) -> None:
        """Stop the walks this process started."""
        for task in self._walks.values():
            task.cancel()
        for task in list(self._walks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._walks.clear()

    # -- what is known ------------------------------------------------------------------

    def _age(self, snapshot: _Snapshot) -> float:
        return self._clock() - snapshot.at

    async def _await_shared(self, kind: EntityKind, wait: float | None) -> list[Listed] | None:
        """The list another replica is walking, polled from Redis; walked here instead when
        that replica lets go of its lock without sharing one (it failed or died)."""
        deadline = self._clock() + (wait if wait is not None else _WALK_LOCK_MS / 1000)
        while self._clock() < deadline:
            shared = await self._read_shared(kind)
            if shared is not None and self._age(shared) < MAX_STALE:
                self._local[kind] = shared
                return shared.items
            if not await self._walk_locked(kind):
                walked = await self._refresh(kind)  # the other replica gave up: walk here
                return walked.items if walked is not None else None
            await asyncio.sleep(0.2)
        return None

    # -- walking Statsig ------------------------------------------------------------------

    def _refresh(self, kind: EntityKind) -> asyncio.Task[_Snapshot | None]:
        """The refresh of ``kind`` running in this process, started if there is none."""
        running = self._walks.get(kind)
        if running is not None and not running.done():
            return running
        task = asyncio.create_task(self._refresh_once(kind), name=f"catalog-refresh-{kind}")
        task.add_done_callback(_retrieved)  # a background refresh's failure is logged only
        self._walks[kind] = task
        return task

    async def _refresh_once(self, kind: EntityKind) -> _Snapshot | None:
        """A newer list from Redis when another replica shared one, else a walk of Statsig.

        A replica with nothing at all takes a shared list even if it is stale (it is
        refreshed on the next call); ``None`` when another replica is walking.
        """
        local = self._local.get(kind)
        shared = await self._read_shared(kind, newer_than=local.at if local else -1.0)
        if shared is not None and self._age(shared) < MAX_STALE:
            self._local[kind] = shared
            if local is None or self._age(shared) < self._ttl:
                return shared
        return await self._walk_once(kind)

    async def _walk_once(self, kind: EntityKind) -> _Snapshot | None:
        """Read every ``kind`` from Statsig, unless another replica is already doing it
        (then ``None``: its list arrives in Redis). Statsig's errors propagate to whoever
        waits; a stale list stays in use meanwhile."""
        if not await self._take_walk(kind):
            return None
        try:
            started = self._clock()
            items = await _fetch_all(self._client, kind)
            snapshot = _Snapshot(items, started)
            self._local[kind] = snapshot
            await self._write_shared(kind, snapshot)
            return snapshot
        except ConsoleError as exc:
            log.warning("catalog: listing %ss from Statsig failed: %s", kind, exc.user_message)
            raise
        finally:
            await self._release_walk(kind)

    # -- Redis --------------------------------------------------------------------------

    def _key(self, kind: EntityKind) -> str:
        return f"{self._prefix}catalog:{kind}"

    async def _read_shared(self, kind: EntityKind, newer_than: float = -1.0) -> _Snapshot | None:
        """The list in Redis if it was read after ``newer_than``: its time is checked first
        (a few bytes), so a replica holding the same list does not fetch it again."""
        if self._redis is None:
            return None
        try:
            head = await self._redis.getrange(self._key(kind), 0, _HEAD - 1)
            if not head or _read_at(head) <= newer_than:
                return None
            raw = await self._redis.get(self._key(kind))
        except (RedisError, OSError, ValueError):
            return None
        if not isinstance(raw, bytes) or not raw:
            return None  # gone meanwhile (or a client decoding replies: not ours)
        try:
            # ~0.3 s for 10,000 gates: off the event loop, so acks are not held up.
            return await asyncio.to_thread(_unpack, kind, raw)
        except (ValueError, TypeError, zlib.error):
            log.warning("catalog: the shared %s list is unreadable; walking Statsig", kind)
            return None

    async def _write_shared(self, kind: EntityKind, snapshot: _Snapshot) -> None:
        if self._redis is None:
            return
        packed = await asyncio.to_thread(_pack, kind, snapshot)
        try:
            await self._redis.set(self._key(kind), packed, ex=int(MAX_STALE * 2))
        except (RedisError, OSError):
            log.warning("catalog: could not share the %s list", kind)

    async def _take_walk(self, kind: EntityKind) -> bool:
        if self._redis is None:
            return True
        try:
            taken = await self._redis.set(f"{self._key(kind)}:walk", "1", nx=True, px=_WALK_LOCK_MS)
        except (RedisError, OSError):
            return True  # no Redis: walk here rather than never
        return bool(taken)

    async def _walk_locked(self, kind: EntityKind) -> bool:
        if self._redis is None:
            return False
        try:
            return bool(await self._redis.exists(f"{self._key(kind)}:walk"))
        except (RedisError, OSError):
            return False

    async def _release_walk(self, kind: EntityKind) -> None:
        if self._redis is None:
            return
        with contextlib.suppress(RedisError, OSError):
            await self._redis.delete(f"{self._key(kind)}:walk")


async def _fetch_all(client: ConsoleClient, kind: EntityKind) -> list[Listed]:
    if kind == "gate":
        return [g async for g in client.iter_gates()]
    if kind == "config":
        return [c async for c in client.iter_configs()]
    if kind == "experiment":
        return [e async for e in client.iter_experiments()]
    return [s async for s in client.iter_segments()]


def _pack(kind: EntityKind, snapshot: _Snapshot) -> bytes:
    body = _ADAPTERS[kind].dump_json(snapshot.items, by_alias=True, exclude_unset=True)
    return f"{snapshot.at:0{_HEAD}.6f}".encode() + zlib.compress(body, 6)


def _unpack(kind: EntityKind, raw: bytes) -> _Snapshot:
    items = _ADAPTERS[kind].validate_json(zlib.decompress(raw[_HEAD:]))
    return _Snapshot(list(items), _read_at(raw[:_HEAD]))


def _read_at(head: bytes | str) -> float:
    return float(head.decode() if isinstance(head, bytes) else head)


def _retrieved(task: asyncio.Task[_Snapshot | None]) -> None:
    """Mark a walk's error as seen: it was logged, and a waiting caller gets it too."""
    if not task.cancelled():
        task.exception()
