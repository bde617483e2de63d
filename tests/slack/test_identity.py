"""Slack user → email → actor, against the fake Slack and a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.slack.identity import IdentityError, SlackIdentity
from bot.slack.wiring import slack_client
from tests.fakes.slack import FakeSlack


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_user("U1ALICE", "alice", email="alice@example.com", real_name="Alice Adams")
        fake.add_user("U2BOB", "bob", email="bob@example.com")
        fake.add_user("U9BOT", "deploybot", is_bot=True)
        fake.add_usergroup("S0ONCALL", ["U2BOB"])
        yield fake


def _identity(slack: FakeSlack, redis: aioredis.Redis, **kwargs: object) -> SlackIdentity:
    client = slack_client(slack.bot_token, slack.api_url)
    return SlackIdentity(client, redis, prefix="t:", **kwargs)  # type: ignore[arg-type]


async def _role(email: str) -> str | None:
    return {"alice@example.com": "Admin"}.get(email)


async def test_actor_has_email_groups_and_role(
    slack: FakeSlack, redis_client: aioredis.Redis
) -> None:
    identity = _identity(slack, redis_client, watched_groups={"S0ONCALL", "alice@x"},
                         role_lookup=_role)  # fmt: skip
    alice = await identity.actor("U1ALICE")
    bob = await identity.actor("U2BOB")
    assert (alice.email, alice.statsig_role, alice.usergroups) == (
        "alice@example.com", "Admin", frozenset()
    )  # fmt: skip
    assert bob.usergroups == frozenset({"S0ONCALL"}) and bob.statsig_role is None


async def test_lookups_are_cached_in_redis_with_a_ttl(
    slack: FakeSlack, redis_client: aioredis.Redis
) -> None:
    identity = _identity(slack, redis_client, user_ttl=600, group_ttl=60,
                         watched_groups={"S0ONCALL"})  # fmt: skip
    await identity.actor("U2BOB")
    other_replica = _identity(slack, redis_client, watched_groups={"S0ONCALL"})
    await other_replica.actor("U2BOB")
    assert len(slack.calls_to("users.info")) == 1
    assert len(slack.calls_to("usergroups.users.list")) == 1
    assert 0 < await redis_client.ttl("t:slack:user:U2BOB") <= 600
    assert 0 < await redis_client.ttl("t:slack:usergroup:S0ONCALL") <= 60


async def test_bot_users_have_no_email(slack: FakeSlack, redis_client: aioredis.Redis) -> None:
    with pytest.raises(IdentityError, match="Bots and apps"):
        await _identity(slack, redis_client).actor("U9BOT")


async def test_missing_email_scope_is_named(slack: FakeSlack, redis_client: aioredis.Redis) -> None:
    slack.scopes.discard("users:read.email")
    with pytest.raises(IdentityError, match="users:read.email"):
        await _identity(slack, redis_client).actor("U1ALICE")
    assert await redis_client.get("t:slack:user:U1ALICE") is None  # failures are not cached


async def test_unknown_user(slack: FakeSlack, redis_client: aioredis.Redis) -> None:
    with pytest.raises(IdentityError, match="U404"):
        await _identity(slack, redis_client).actor("U404")


async def test_unknown_group_counts_as_empty(
    slack: FakeSlack, redis_client: aioredis.Redis
) -> None:
    identity = _identity(slack, redis_client, watched_groups={"S0GONE"})
    assert (await identity.actor("U2BOB")).usergroups == frozenset()
