"""StatsigDirectory: roles by email, cached with an injected clock; 404 is "no account"."""

from __future__ import annotations

import pytest

from bot.ops.policy.directory import StatsigDirectory
from bot.statsig.errors import NotFound, ServerError
from bot.statsig.models import User
from tests.ops.service_support import sandbox_client


class FakeUsers:
    def __init__(self) -> None:
        self.roles: dict[str, str] = {"alice@example.com": "Admin"}
        self.calls: list[str] = []
        self.fail = False

    async def get_user(self, email: str, /) -> User:
        self.calls.append(email)
        if self.fail:
            raise ServerError("boom", status=503)
        if email not in self.roles:
            raise NotFound("user", email)
        return User(email=email, role=self.roles[email])


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_roles_are_cached_until_the_ttl_passes() -> None:
    users, clock = FakeUsers(), Clock()
    directory = StatsigDirectory(users, ttl=60, clock=clock)
    assert await directory.role_for("alice@example.com") == "Admin"
    users.roles["alice@example.com"] = "Member"
    clock.now = 59
    assert await directory.role_for("Alice@Example.com ") == "Admin"
    assert len(users.calls) == 1
    clock.now = 61
    assert await directory.role_for("alice@example.com") == "Member"
    assert len(users.calls) == 2


async def test_unknown_user_is_none_and_cached() -> None:
    users = FakeUsers()
    directory = StatsigDirectory(users, clock=Clock())
    assert await directory.role_for("zed@example.com") is None
    assert await directory.role_for("zed@example.com") is None
    assert users.calls == ["zed@example.com"]


async def test_outage_propagates_and_is_not_cached() -> None:
    users = FakeUsers()
    directory = StatsigDirectory(users, clock=Clock())
    users.fail = True
    with pytest.raises(ServerError):
        await directory.role_for("alice@example.com")
    users.fail = False
    assert await directory.role_for("alice@example.com") == "Admin"


async def test_forget_drops_cached_answers() -> None:
    users = FakeUsers()
    directory = StatsigDirectory(users, clock=Clock())
    await directory.role_for("alice@example.com")
    users.roles["alice@example.com"] = "Read Only"
    directory.forget("alice@example.com")
    assert await directory.role_for("alice@example.com") == "Read Only"


async def test_against_the_sandbox_users() -> None:
    async with sandbox_client() as (client, _app):
        directory = StatsigDirectory(client)
        assert await directory.role_for("bob@example.com") == "Member"
        assert await directory.role_for("dave@example.com") == "Read Only"
        assert await directory.role_for("nobody@example.com") is None
