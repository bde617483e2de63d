"""``SlackNotifier.announce``: the request's channel, the incident channel, never raising."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.ops.policy.rules import Policy
from bot.render.common import message, section
from bot.slack.notifier import SlackNotifier
from bot.slack.wiring import slack_client
from tests.fakes.slack import FakeSlack

LOUD = message("KILLED: gate g", [section("🚨 *KILLED*")])


def _policy(incident: str | None) -> Policy:
    channels = f'[channels]\nincident = "{incident}"\n' if incident else ""
    return Policy.from_toml(channels)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel("C0OPS", "ops")
        fake.add_channel("C0INC", "incidents")
        yield fake


def _texts(slack: FakeSlack, channel: str) -> list[str]:
    return [m.text for m in slack.messages(channel)]


async def _announce(
    slack: FakeSlack, policy: Policy | None, channel: str | None, *, incident: bool
) -> None:
    # A client without its own aiohttp session opens and closes one per call.
    notifier = SlackNotifier(slack_client(slack.bot_token, slack.api_url), policy=policy)
    await notifier.announce(channel, LOUD, incident=incident)


async def test_posts_in_the_channel_and_the_incident_channel(slack: FakeSlack) -> None:
    await _announce(slack, _policy("C0INC"), "C0OPS", incident=True)
    assert _texts(slack, "C0OPS") == [LOUD.text]
    assert _texts(slack, "C0INC") == [LOUD.text]


async def test_the_incident_channel_itself_gets_one_copy(slack: FakeSlack) -> None:
    await _announce(slack, _policy("C0INC"), "C0INC", incident=True)
    assert _texts(slack, "C0INC") == [LOUD.text]


async def test_not_an_incident_or_no_incident_channel_posts_only_in_the_channel(
    slack: FakeSlack,
) -> None:
    await _announce(slack, _policy("C0INC"), "C0OPS", incident=False)
    await _announce(slack, _policy(None), "C0OPS", incident=True)
    assert _texts(slack, "C0OPS") == [LOUD.text, LOUD.text]
    assert _texts(slack, "C0INC") == []


async def test_a_refused_channel_is_logged_and_the_incident_copy_still_goes_out(
    slack: FakeSlack,
) -> None:
    slack.add_channel("C0ARCH", "old", is_archived=True)
    await _announce(slack, _policy("C0INC"), "C0ARCH", incident=True)  # no exception
    assert _texts(slack, "C0ARCH") == []
    assert _texts(slack, "C0INC") == [LOUD.text]


async def test_a_shell_request_without_a_channel_goes_to_the_incident_channel(
    slack: FakeSlack,
) -> None:
    await _announce(slack, _policy("C0INC"), None, incident=True)
    assert _texts(slack, "C0INC") == [LOUD.text]
