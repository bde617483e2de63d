"""Entity name resolution: exact, case-insensitive, suggestions, caching with a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from bot.chatops.resolve import EntityResolver, Resolved, Unknown
from bot.ops.model.plans import EntityKind

GATES = ["checkout_v2", "checkout_legacy", "new_nav", "Dark_Mode", "dark_mode", "search_v3"]


class Lister:
    """Counts calls so tests can see the cache working."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.calls: list[str] = []

    async def __call__(self, kind: EntityKind) -> list[str]:
        self.calls.append(kind)
        await asyncio.sleep(0)  # let concurrent resolves interleave
        return list(self.names.get(kind, []))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def lister() -> Lister:
    return Lister({"gate": GATES, "config": ["pricing"]})


async def test_exact_and_case_insensitive_matches(lister: Lister) -> None:
    resolver = EntityResolver(lister)
    assert await resolver.resolve("gate", "new_nav") == Resolved("gate", "new_nav")
    assert await resolver.resolve("gate", "NEW_NAV") == Resolved("gate", "new_nav", exact=False)
    assert await resolver.resolve("gate", "dark_mode") == Resolved("gate", "dark_mode")


async def test_ambiguous_case_is_not_guessed(lister: Lister) -> None:
    result = await EntityResolver(lister).resolve("gate", "DARK_MODE")
    assert result == Unknown("gate", "DARK_MODE", ["Dark_Mode", "dark_mode"])


async def test_unknown_names_get_close_suggestions(lister: Lister) -> None:
    result = await EntityResolver(lister).resolve("gate", "chekout_v2")
    assert isinstance(result, Unknown)
    assert result.suggestions[0] == "checkout_v2"
    assert "new_nav" not in result.suggestions
    assert result.message.startswith(
        "Error: no gate named `chekout_v2`. Did you mean `checkout_v2`"
    )


async def test_substring_matches_fill_in_and_suggestions_are_capped() -> None:
    names = [f"team_payments_flag_{i}" for i in range(20)]
    result = await EntityResolver(Lister({"gate": names})).resolve("gate", "payments")
    assert isinstance(result, Unknown)
    assert len(result.suggestions) == 5
    assert all("payments" in s for s in result.suggestions)


async def test_nothing_close_gives_no_suggestions(lister: Lister) -> None:
    result = await EntityResolver(lister).resolve("config", "zzzzzz")
    assert result == Unknown("config", "zzzzzz", [])
    assert result.message == "Error: no config named `zzzzzz`."


async def test_each_kind_is_cached_for_ttl(lister: Lister) -> None:
    clock = Clock()
    resolver = EntityResolver(lister, ttl=30.0, clock=clock)
    await resolver.resolve("gate", "new_nav")
    await resolver.resolve("gate", "nope")
    await resolver.resolve("config", "pricing")
    assert lister.calls == ["gate", "config"]
    clock.now += 29.9
    lister.names["gate"] = [*GATES, "brand_new"]
    assert isinstance(await resolver.resolve("gate", "brand_new"), Unknown)
    clock.now += 0.1
    assert await resolver.resolve("gate", "brand_new") == Resolved("gate", "brand_new")
    assert lister.calls == ["gate", "config", "gate"]


async def test_invalidate_forgets(lister: Lister) -> None:
    resolver = EntityResolver(lister, clock=Clock())
    await resolver.resolve("gate", "new_nav")
    resolver.invalidate("gate")
    await resolver.resolve("gate", "new_nav")
    resolver.invalidate()
    await resolver.resolve("gate", "new_nav")
    assert lister.calls == ["gate", "gate", "gate"]


async def test_concurrent_lookups_share_one_fetch(lister: Lister) -> None:
    resolver = EntityResolver(lister, clock=Clock())
    results = await asyncio.gather(*(resolver.resolve("gate", "new_nav") for _ in range(10)))
    assert set(results) == {Resolved("gate", "new_nav")}
    assert lister.calls == ["gate"]


async def test_listing_errors_propagate_and_are_not_cached() -> None:
    attempts = 0

    async def flaky(kind: EntityKind) -> list[str]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionError("statsig down")
        return ["new_nav"]

    resolver = EntityResolver(flaky, clock=Clock())
    with pytest.raises(ConnectionError):
        await resolver.resolve("gate", "new_nav")
    assert await resolver.resolve("gate", "new_nav") == Resolved("gate", "new_nav")
