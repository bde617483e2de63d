"""Switches that make the sandbox misbehave on purpose, and the log of what it was asked.

Usage in a test::

    faults = Faults()
    faults.add(r"/gates/checkout_v2/disable$", "429", method="PUT", retry_after=2)
    faults.add(r"/gates$", "malformed")                 # 200 with a truncated JSON body
    faults.latency = 0.05                               # added to every response
    hold = faults.hold(r"/gates/new_nav$", method="GET")
    ...                                                 # the request now waits
    await hold.arrived()                                # ... until it has reached the hold
    hold.release()

Kinds: ``"429"`` (``Retry-After`` only when ``retry_after`` is given), ``"500"`` (Statsig's
JSON error body), ``"502"``/``"503"``/``"504"`` (a gateway's HTML page, as load balancers send),
``"timeout"`` (sleeps ``delay`` seconds, default 30, then answers normally — so a client that
gave up may still have changed state, the ambiguous outcome real timeouts have),
``"lost_answer"`` (handles the request at once, then holds the answer ``delay`` seconds: the
change is made and the client hears nothing in time), ``"hang"`` (sleeps ``delay`` seconds,
then answers 504 without handling the request: the change is never made) and
``"malformed"`` (200, ``application/json``, body cut in half).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAULT_KINDS", "Fault", "Faults", "Hold", "RecordedRequest"]

FAULT_KINDS = frozenset(
    {"429", "500", "502", "503", "504", "timeout", "lost_answer", "hang", "malformed"}
)


@dataclass
class Fault:
    """One armed fault; ``times=None`` means every matching request, forever."""

    pattern: re.Pattern[str]
    kind: str
    method: str | None
    times: int | None
    retry_after: float | None
    delay: float

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.pattern.search(path) is not None


class Hold:
    """Matching requests wait here until :meth:`release`; :meth:`arrived` tells you they did."""

    def __init__(self, pattern: re.Pattern[str], method: str | None) -> None:
        self.pattern = pattern
        self.method = method
        self.waiting = 0
        self._released = asyncio.Event()
        self._arrival = asyncio.Event()

    def matches(self, method: str, path: str) -> bool:
        if self._released.is_set():
            return False
        if self.method is not None and self.method != method:
            return False
        return self.pattern.search(path) is not None

    async def wait(self) -> None:
        self.waiting += 1
        self._arrival.set()
        try:
            await self._released.wait()
        finally:
            self.waiting -= 1

    async def arrived(self) -> None:
        """Return once at least one request is waiting at this hold."""
        await self._arrival.wait()

    def release(self) -> None:
        """Let every waiting (and future) matching request through."""
        self._released.set()


@dataclass
class Faults:
    """Latency, per-path error injection and holds, shared by one sandbox app."""

    latency: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)

    def add(
        self,
        path_regex: str,
        kind: str,
        *,
        method: str | None = None,
        times: int | None = 1,
        retry_after: float | None = None,
        delay: float | None = None,
    ) -> Fault:
        """Arm a fault for requests whose path matches ``path_regex`` (``re.search``)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        fault = Fault(
            pattern=re.compile(path_regex),
            kind=kind,
            method=method.upper() if method else None,
            times=times,
            retry_after=retry_after,
            delay=30.0 if delay is None else delay,
        )
        self.faults.append(fault)
        return fault

    def hold(self, path_regex: str, method: str | None = None) -> Hold:
        """Make matching requests wait until the returned hold is released."""
        hold = Hold(re.compile(path_regex), method.upper() if method else None)
        self.holds.append(hold)
        return hold

    def clear(self) -> None:
        """Disarm every fault, release every hold, remove latency."""
        for hold in self.holds:
            hold.release()
        self.faults.clear()
        self.holds.clear()
        self.latency = 0.0

    def take(self, method: str, path: str) -> Fault | None:
        """The first armed fault matching this request, consuming one of its ``times``."""
        for fault in self.faults:
            if fault.matches(method, path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    async def wait_for_holds(self, method: str, path: str) -> None:
        for hold in list(self.holds):
            if hold.matches(method, path):
                await hold.wait()


@dataclass
class RecordedRequest:
    """One request the sandbox received, with the status it answered.

    ``headers`` keys are lower-case. They are left out of ``repr`` because they carry the API
    key, which must never reach a log or an assertion message.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str] = field(repr=False)
    json_body: Any
    status: int = 0
