"""Fixtures for the sandbox tests: a demo project on a fake clock, its app and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bot.sandbox import Faults, SandboxState, create_sandbox_app
from bot.sandbox.demo import demo_state

BASE_URL = "https://statsigapi.net"
START_MS = 1_800_000_000_000  # 2027-01-15T08:00:00Z


class FakeClock:
    """Epoch milliseconds (``ms``) and monotonic seconds (``seconds``) under test control."""

    def __init__(self) -> None:
        self.now_ms = START_MS
        self.now_s = 0.0

    def ms(self) -> int:
        return self.now_ms

    def seconds(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_ms += int(seconds * 1000)
        self.now_s += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> SandboxState:
    return demo_state(clock_ms=clock.ms)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def app(state: SandboxState, faults: Faults) -> Starlette:
    return create_sandbox_app(state, faults=faults)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http
