"""Signature checks over real HTTP: anything Slack did not sign is refused with no effect."""

from __future__ import annotations

import time

import pytest

from tests.slack.harness import CHANNEL, BotInstance
from tests.support.slack_signing import sign, slash_command_body


def _command_body(bot: BotInstance) -> bytes:
    url = bot.slack.new_response_url(channel_id=CHANNEL, user_id="U1ALICE")
    return slash_command_body("gate disable mobile_dark_mode", "U1ALICE", CHANNEL, url,
                              bot.slack.new_trigger_id())  # fmt: skip


def _no_side_effects(bot: BotInstance) -> None:
    assert bot.slack.calls == []
    assert bot.world.sandbox.state.request_log == []


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("missing", {"signed": False}),
        ("wrong secret", {"secret": "not-the-signing-secret"}),
        # Offsets, not timestamps: parametrize runs at collection, long before the test.
        ("six minutes old", {"age": 360}),
        ("from the future", {"age": -360}),
    ],
)
async def test_unsigned_or_stale_requests_are_refused(
    bot: BotInstance, case: str, kwargs: dict[str, object]
) -> None:
    age = kwargs.pop("age", None)
    if isinstance(age, int):
        kwargs["timestamp"] = int(time.time()) - age
    response = await bot.post(_command_body(bot), **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 401, case
    _no_side_effects(bot)


async def test_replayed_body_with_fresh_timestamp_and_old_signature_is_refused(
    bot: BotInstance,
) -> None:
    body = _command_body(bot)
    old = sign(body, "test-signing-secret-5f2b9c", int(time.time()) - 400)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": old["X-Slack-Signature"],
    }
    response = await bot.http.post(f"{bot.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    _no_side_effects(bot)


async def test_tampered_body_is_refused(bot: BotInstance) -> None:
    body = _command_body(bot)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **sign(body, "test-signing-secret-5f2b9c", int(time.time())),
    }
    tampered = body.replace(b"mobile_dark_mode", b"checkout_v2")
    response = await bot.http.post(f"{bot.url}/slack/events", content=tampered, headers=headers)
    assert response.status_code == 401
    _no_side_effects(bot)


async def test_a_correctly_signed_request_is_accepted(bot: BotInstance) -> None:
    response = await bot.post(_command_body(bot))
    assert response.status_code == 200


async def test_unsigned_garbage_is_401_and_signed_garbage_is_400(bot: BotInstance) -> None:
    assert (await bot.post(b"payload=not-json", signed=False)).status_code == 401
    assert (await bot.post(b"payload=not-json")).status_code == 400
    _no_side_effects(bot)
