"""The client against the sandbox emulator over real HTTP on loopback: injected 429s, 5xx
and timeouts, a big pagination walk, and the mutation limiter under a burst."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import stamina

from bot.sandbox import Faults, SandboxState, create_sandbox_app
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ServerError, Timeout
from bot.statsig.limiter import DEFAULT_WINDOWS, MutationLimiter
from tests.statsig.helpers import API_KEY
from tests.support.asgi_server import serve_asgi

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def instant_retries() -> Iterator[None]:
    """Real waits here: these tests check that Retry-After and budgets hold in real time."""
    with stamina.set_testing(False):
        yield


@dataclass
class Sandbox:
    url: str
    app: Any
    state: SandboxState
    faults: Faults

    @property
    def log(self) -> list[Any]:
        return list(self.app.state.request_log)

    def requests_to(self, method: str, path: str) -> list[Any]:
        return [r for r in self.log if r.method == method and r.path == path]

    async def answered(self, method: str, path: str, *, within: float = 5.0) -> list[Any]:
        """Wait until every request to ``path`` has been answered (abandoned ones included)."""
        deadline = time.monotonic() + within
        while any(not r.status for r in self.requests_to(method, path)):
            if time.monotonic() > deadline:
                pytest.fail(f"{method} {path} still unanswered after {within}s")
            await asyncio.sleep(0.01)
        return self.requests_to(method, path)

    def client(self, **kwargs: Any) -> ConsoleClient:
        kwargs.setdefault("limiter", MutationLimiter(((1000, 1.0),)))
        return ConsoleClient(API_KEY, base_url=self.url, **kwargs)


async def _serve(state: SandboxState, **app_kwargs: Any) -> AsyncIterator[Sandbox]:
    faults = Faults()
    app = create_sandbox_app(state, faults=faults, api_key=API_KEY, **app_kwargs)
    async with serve_asgi(app) as url:
        yield Sandbox(url, app, state, faults)
        faults.clear()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    state = SandboxState.empty()
    state.add_gate("checkout_v2")
    async for running in _serve(state):
        yield running


GATE = "/console/v1/gates/checkout_v2"


async def test_429_without_retry_after_is_retried_with_backoff(sandbox: Sandbox) -> None:
    sandbox.faults.add(f"{GATE}$", "429", method="GET", times=2)
    async with sandbox.client() as client:
        gate = await client.get_gate("checkout_v2")
    assert gate.id == "checkout_v2"
    assert [r.status for r in sandbox.requests_to("GET", GATE)] == [429, 429, 200]


async def test_429_retry_after_is_honoured(sandbox: Sandbox) -> None:
    sandbox.faults.add(f"{GATE}/disable$", "429", method="PUT", times=1, retry_after=1)
    async with sandbox.client() as client:
        started = time.monotonic()
        gate = await client.disable_gate("checkout_v2")
        elapsed = time.monotonic() - started
    assert gate.is_enabled is False
    assert elapsed >= 1.0
    assert [r.status for r in sandbox.requests_to("PUT", f"{GATE}/disable")] == [429, 200]


async def test_503_on_an_idempotent_put_is_retried(sandbox: Sandbox) -> None:
    sandbox.faults.add(f"{GATE}/disable$", "503", method="PUT", times=2)
    async with sandbox.client() as client:
        gate = await client.disable_gate("checkout_v2")
    assert gate.is_enabled is False
    assert sandbox.state.gates["checkout_v2"]["isEnabled"] is False
    assert len(sandbox.requests_to("PUT", f"{GATE}/disable")) == 3


async def test_the_retry_budget_ends_a_persistent_outage(sandbox: Sandbox) -> None:
    sandbox.faults.add(f"{GATE}$", "503", method="GET", times=None)
    async with sandbox.client(retry_budget=1.0) as client:
        started = time.monotonic()
        with pytest.raises(ServerError) as caught:
            await client.get_gate("checkout_v2")
        elapsed = time.monotonic() - started
    assert caught.value.status == 503
    assert len(sandbox.requests_to("GET", GATE)) >= 2
    assert elapsed < 1.5


async def test_a_read_timeout_on_a_read_is_retried(sandbox: Sandbox) -> None:
    sandbox.faults.add(f"{GATE}$", "timeout", method="GET", times=1, delay=0.6)
    async with sandbox.client(timeout=0.2) as client:
        gate = await client.get_gate("checkout_v2")
    assert gate.id == "checkout_v2"
    assert len(sandbox.requests_to("GET", GATE)) == 2
    # Let the abandoned request finish before the server stops.
    assert len(await sandbox.answered("GET", GATE)) == 2


@pytest.mark.parametrize(
    ("method", "path", "call"),
    [
        (
            "POST",
            f"{GATE}/overrides",
            lambda c: c.replace_gate_overrides(
                "checkout_v2", {"passingUserIDs": ["u1"], "failingUserIDs": []}
            ),
        ),
        ("PATCH", GATE, lambda c: c.update_gate("checkout_v2", {"description": "new"})),
    ],
    ids=["POST", "PATCH"],
)
async def test_a_mutation_is_not_resent_after_a_timeout(
    sandbox: Sandbox, method: str, path: str, call: Any
) -> None:
    sandbox.faults.add(f"{path}$", "timeout", method=method, times=1, delay=0.6)
    async with sandbox.client(timeout=0.2) as client:
        with pytest.raises(Timeout) as caught:
            await call(client)
    assert caught.value.may_have_applied
    # Once the server has finished the abandoned request, it has seen it exactly once.
    assert len(await sandbox.answered(method, path)) == 1


async def test_pagination_walks_more_than_a_thousand_gates() -> None:
    state = SandboxState.empty()
    ids = state.add_many_gates(1_050)
    async for sandbox in _serve(state):
        async with sandbox.client() as client:
            seen = [gate.id async for gate in client.iter_gates(limit=100)]
        pages = [r for r in sandbox.log if r.path == "/console/v1/gates"]
    assert sorted(seen) == sorted(ids)
    assert len(set(seen)) == 1_050
    assert len(pages) == 11


async def test_a_burst_is_spread_under_the_limit_and_the_incident_lane_is_not_delayed() -> None:
    limits = ((40, 1.0),)  # scaled down from 100 / 10 s so the test stays quick
    state = SandboxState.empty()
    gate_ids = state.add_many_gates(150, prefix="burst_")
    state.add_gate("checkout_v2")
    async for sandbox in _serve(state, enforce_rate_limits=True, mutation_limits=limits):
        client = sandbox.client(limiter=MutationLimiter(limits), retry_budget=0)
        async with client:
            burst = asyncio.gather(
                *(client.update_gate(g, {"description": "bulk edit"}) for g in gate_ids),
                return_exceptions=True,
            )
            try:
                while sum(1 for r in sandbox.log if r.method == "PATCH") < 60:
                    await asyncio.sleep(0.01)
                killed = await client.disable_gate("checkout_v2", priority=True)
            finally:
                results = await burst
        statuses = [r.status for r in sandbox.log]
        after_kill = _patches_after_the_kill(sandbox.log)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert killed.is_enabled is False
    assert 429 not in statuses
    assert statuses.count(200) == 151
    # The kill went in while at least a whole window of bulk edits (36 = 40 - reserve) was
    # still queued: it did not wait behind them.
    assert after_kill >= 36


async def test_the_documented_limits_spread_a_burst_and_the_incident_lane_is_not_delayed() -> None:
    """The real numbers on both sides (100 / 10 s and 900 / 15 min): ~10 s of waiting."""
    limits = DEFAULT_WINDOWS
    state = SandboxState.empty()
    gate_ids = state.add_many_gates(150, prefix="burst_")
    state.add_gate("checkout_v2")
    async for sandbox in _serve(state, enforce_rate_limits=True, mutation_limits=limits):
        client = sandbox.client(limiter=MutationLimiter(limits), retry_budget=0)
        async with client:
            started_burst = time.monotonic()
            burst = asyncio.gather(
                *(client.update_gate(g, {"description": "bulk edit"}) for g in gate_ids),
                return_exceptions=True,
            )
            try:
                while sum(1 for r in sandbox.log if r.method == "PATCH") < 60:
                    await asyncio.sleep(0.01)
                killed = await client.disable_gate("checkout_v2", priority=True)
            finally:
                results = await burst
                burst_total = time.monotonic() - started_burst
        statuses = [r.status for r in sandbox.log]
        patches = [r for r in sandbox.log if r.method == "PATCH"]
        after_kill = _patches_after_the_kill(sandbox.log)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert killed.is_enabled is False
    assert 429 not in statuses
    assert statuses.count(200) == 151
    assert len(patches) == 150
    # 90 bulk edits fit the 10 s window (100 - reserve); the other 60 had to wait for it to
    # slide, and the kill was admitted before every one of them instead of queueing behind.
    assert after_kill >= 60
    assert burst_total > 9.0  # the bulk lane really waited for the 10 s window to slide


def _patches_after_the_kill(log: list[Any]) -> int:
    """How many bulk PATCHes reached Statsig after the incident PUT did."""
    kill = next(i for i, r in enumerate(log) if r.method == "PUT" and r.path.endswith("/disable"))
    return sum(1 for r in log[kill + 1 :] if r.method == "PATCH")
