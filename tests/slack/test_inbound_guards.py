"""The inbound guards on their own: which payloads count as ours, and replays with and
without Redis (the HTTP behaviour is in ``tests/reliability``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.slack.replays import ReplayGuard, remember_for
from bot.slack.wiring import slack_client
from bot.slack.workspace import Installation, WorkspaceGuard, foreign_reason
from tests.fakes.slack import FakeSlack
from tests.support.redis_server import RedisServer

OURS = Installation(team_id="T1", app_id="A1")
GRID = Installation(team_id="T1", enterprise_id="E1", app_id="A1")
ORG_WIDE = Installation(team_id="T1", enterprise_id="E1", app_id="A1", org_wide=True)


def _click(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1",
    }
    body.update(fields)
    return body


@pytest.mark.parametrize(
    ("installed", "body", "verdict"),
    [
        (OURS, _click(), None),
        (OURS, _click(team={"id": "T2"}), "another workspace"),
        (OURS, _click(user={"id": "U1", "team_id": "T2"}), "another workspace"),
        (OURS, _click(api_app_id="A2"), "another app"),
        (OURS, _click(enterprise={"id": "E1"}), "an enterprise this bot is not installed in"),
        (OURS, {"type": "block_actions", "user": {"id": "U1"}}, "no workspace named"),
        (GRID, _click(enterprise={"id": "E1"}), None),
        (GRID, _click(enterprise={"id": "E2"}), "another enterprise"),
        (GRID, _click(team={"id": "T9"}, enterprise={"id": "E1"}), "another workspace"),
        # An org-wide install serves every workspace of its enterprise, and only those.
        (ORG_WIDE, _click(team={"id": "T9"}, enterprise={"id": "E1"}), None),
        (ORG_WIDE, _click(team={"id": "T9"}), "no enterprise named"),
        (ORG_WIDE, _click(enterprise="E2"), "another enterprise"),
        # Without an app ID from auth.test the app is not checked (the secret is the app's).
        (Installation(team_id="T1"), _click(api_app_id="A2"), None),
        # On Grid, user.team_id is the person's primary workspace, not where they clicked.
        (GRID, _click(enterprise={"id": "E1"}, user={"id": "U1", "team_id": "T3"}), None),
        # Events name the team in their authorizations too.
        (
            OURS,
            {"type": "event_callback", "team_id": "T1", "authorizations": [{"team_id": "T2"}]},
            "another workspace",
        ),
    ],
)
def test_foreign_reason(installed: Installation, body: dict[str, Any], verdict: str | None) -> None:
    assert foreign_reason(body, installed) == verdict


async def test_the_installation_is_learned_once_and_an_outage_fails_closed() -> None:
    async with FakeSlack() as slack:
        guard = WorkspaceGuard(slack_client(slack.bot_token, slack.api_url))
        slack.fail_with("auth.test", "internal_error")
        assert await guard.refusal(_click(team={"id": "T1"})) is not None  # unknown: refused
        answers = await asyncio.gather(*(guard.installation() for _ in range(5)))
        assert {a.team_id for a in answers if a is not None} == {"T1"}
        assert all(answers)
        assert len(slack.calls_to("auth.test")) == 2  # the failed call, then one for all five


async def test_replays_are_dropped_across_replicas_and_without_redis(
    redis_server: RedisServer, redis_client: aioredis.Redis
) -> None:
    one, two = ReplayGuard(redis_client), ReplayGuard(redis_client)
    assert await one.first_delivery("v0=abc")
    assert not await two.first_delivery("v0=abc")  # the other replica took it
    assert await two.first_delivery("v0=def")

    dead = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    alone = ReplayGuard(dead)
    try:
        results = await asyncio.gather(*(alone.first_delivery("v0=xyz") for _ in range(4)))
    finally:
        await dead.aclose()
    assert sorted(results) == [False, False, False, True]  # memory still says "seen"


def test_a_signature_is_remembered_as_long_as_it_is_valid() -> None:
    assert remember_for(1000, 360, now=1000) == 360
    assert remember_for(1250, 360, now=1000) == 610  # signed 250 s "ahead" of our clock
    assert remember_for(None, 360, now=1000) == 360


def test_the_local_memory_forgets_after_the_window() -> None:
    now = [0.0]
    guard = ReplayGuard(aioredis.Redis(), window=10, clock=lambda: now[0])
    assert guard._remember("d", 10)  # noqa: SLF001
    assert not guard._remember("d", 10)  # noqa: SLF001
    now[0] = 11.0
    assert guard._remember("d", 10)  # noqa: SLF001
