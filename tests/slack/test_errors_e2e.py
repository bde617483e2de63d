"""Error paths end to end: a friendly private message for the person and a log line for us.

Redis down (a dedicated redis-server, stopped mid-test), Slack refusing to identify the
person, a failing options load, and Statsig answering 503 to everything.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from bot.slack.views import modals
from tests.slack.harness import (
    BotInstance,
    World,
    all_text,
    bot_instance,
    visible,
    wait_responses,
    world,
)
from tests.support.redis_server import RedisServer
from tests.support.slack_signing import interactivity_body


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server only this test uses, so stopping it disturbs nobody."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def down(own_redis: RedisServer) -> AsyncIterator[tuple[World, BotInstance]]:
    async with world(own_redis.url) as shared, bot_instance(shared) as bot:
        own_redis.stop()
        yield shared, bot


def _events(logs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in logs if e["event"] == name]


async def test_redis_down_during_a_change_says_approvals_are_unavailable(
    down: tuple[World, BotInstance],
) -> None:
    w, bot = down
    with structlog.testing.capture_logs() as logs:
        _, url = await bot.command("gate disable mobile_dark_mode flaky")
        [answer] = await wait_responses(bot.slack, url)
    text = all_text(answer)
    assert answer["response_type"] == "ephemeral"
    assert "Approvals are unavailable: Redis cannot be reached" in text
    assert "Traceback" not in text
    [line] = _events(logs, "slack.approvals_unavailable")
    assert line["redis"] == "unreachable" and line["action"] == "gate.disable"
    assert visible(w.slack) == [] and w.mutations() == []


async def test_home_says_approvals_are_unavailable_when_redis_is_down(
    down: tuple[World, BotInstance],
) -> None:
    w, bot = down
    with structlog.testing.capture_logs() as logs:
        await bot.event({"type": "app_home_opened", "user": "U2BOB", "tab": "home"})
        await w.slack.wait_for_calls("views.publish")
    home = w.slack.home_view("U2BOB")
    assert home is not None
    text = all_text(home.data)
    assert "Approvals are unavailable right now" in text
    assert "Nothing is waiting for you" not in text
    assert _events(logs, "slack.home_approvals_unavailable")


IDENTITY_CASES = [
    ("scope", "U1ALICE", "users:read scope", "missing_scope"),
    ("bot", "U9BOT", "no email", "bot_user"),
    ("no email", "U5NOMAIL", "cannot see your email address", "missing_email"),
]


@pytest.mark.parametrize(("case", "user", "says", "reason"), IDENTITY_CASES)
async def test_identity_problems_are_explained_and_logged(
    bot: BotInstance, case: str, user: str, says: str, reason: str
) -> None:
    bot.slack.add_user("U5NOMAIL", "nomail", email=None)
    if case == "scope":
        bot.slack.fail_with("users.info", "missing_scope", needed="users:read", provided="x")
    with structlog.testing.capture_logs() as logs:
        _, url = await bot.command("gate disable mobile_dark_mode", user=user)
        [answer] = await wait_responses(bot.slack, url)
    assert answer["response_type"] == "ephemeral"
    assert "I could not identify you" in all_text(answer) and says in all_text(answer)
    [line] = _events(logs, "slack.identity_failed")
    assert line["reason"] == reason and line["user"] == user
    assert visible(bot.slack) == []


async def test_missing_email_scope_is_explained_and_logged(bot: BotInstance) -> None:
    bot.slack.scopes.discard("users:read.email")
    with structlog.testing.capture_logs() as logs:
        _, url = await bot.command("gate disable mobile_dark_mode")
        [answer] = await wait_responses(bot.slack, url)
    assert "users:read.email" in all_text(answer)
    assert _events(logs, "slack.identity_failed")[0]["reason"] == "missing_email"
    assert visible(bot.slack) == [] and bot.world.mutations() == []


class _BrokenNames:
    async def search(self, query: str, limit: int = 100) -> list[str]:
        raise RuntimeError("index corrupted")

    async def aclose(self) -> None:
        return None


def _suggestion(query: str) -> bytes:
    return interactivity_body(
        {
            "type": "block_suggestion",
            "action_id": modals.GATE_PICKER,
            "block_id": modals.GATE_BLOCK,
            "value": query,
            "team": {"id": "T1"},
            "user": {"id": "U1ALICE", "team_id": "T1"},
            "view": {"id": "V1", "callback_id": modals.DISABLE_GATE_MODAL},
        }
    )


async def test_a_failing_options_load_is_logged_and_answered_empty(bot: BotInstance) -> None:
    bot.deps.gate_names = _BrokenNames()  # type: ignore[assignment]
    with structlog.testing.capture_logs() as logs:
        started = time.perf_counter()
        response = await bot.post(_suggestion("mob"))
        assert time.perf_counter() - started < 2.5
    assert response.status_code == 200 and response.json() == {"options": []}
    [line] = _events(logs, "slack.options_failed")
    assert line["exc_info"] is True


async def test_statsig_down_everywhere_is_a_friendly_message(bot: BotInstance) -> None:
    bot.world.faults.add(r".*", "503", times=None)
    for text in ("gate show mobile_dark_mode", "gate disable mobile_dark_mode"):
        _, url = await bot.command(text)
        [answer] = await wait_responses(bot.slack, url)
        said = all_text(answer)
        assert answer["response_type"] == "ephemeral"
        assert "Statsig" in said and "Traceback" not in said, said
    assert visible(bot.slack) == []
