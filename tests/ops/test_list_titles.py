"""List headings name the search text; filters are shown as filters."""

from __future__ import annotations

from tests.ops.service_support import service_env, text_of


async def test_filters_are_not_titled_as_a_search() -> None:
    async with service_env() as env:
        ctx = await env.ctx()
        listed = text_of(await env.ops.handle("gate list --status disabled", ctx))
        both = text_of(await env.ops.handle("gate list flag --tag search", ctx))
        plain = text_of(await env.ops.handle("gate list checkout", ctx))
    first = listed.splitlines()[0]
    assert first == "🚦 Gates" and "--status" not in listed
    assert "filtered by status: disabled" in listed and "legacy_banner" in listed
    assert both.splitlines()[0] == "🚦 Gates matching “flag”"
    assert "filtered by tag: search" in both and "--tag" not in both
    assert plain.splitlines()[0] == "🚦 Gates matching “checkout”" and "filtered" not in plain
