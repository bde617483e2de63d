"""A change that would change nothing is answered privately, never proposed or submitted."""

from __future__ import annotations

from typing import Any

import pytest

from bot.chatops.replies import Reply
from tests.ops.service_support import ALICE, service_env, text_of


class _SpyWorkflow:
    """Records submissions and immediate runs; a no-op must reach neither."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def submit(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("submit")
        raise AssertionError("a no-op was submitted for approval")

    async def run_now(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("run_now")
        raise AssertionError("a no-op was run")

    async def freeze_state(self) -> None:
        return None  # never frozen


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("gate rollout mobile_dark_mode 25 --rule Android", "rule Android already passes 25%"),
        ("gate enable mobile_dark_mode", "mobile_dark_mode is already enabled"),
    ],
)
async def test_noop_change_answers_nothing_to_change(text: str, why: str) -> None:
    spy = _SpyWorkflow()
    async with service_env(workflow=spy) as env:
        result = await env.ops.handle(text, await env.ctx(ALICE))
        assert isinstance(result, Reply)
        assert result.ok and result.visibility == "private"
        assert result.announcements == () and result.request_id is None
        assert text_of(result).strip() == f"ℹ️ Nothing to change: {why}."
        assert spy.calls == []
        mutations = [r for r in env.app.state.request_log if r.method != "GET"]
        assert mutations == []


async def test_a_real_change_is_still_proposed() -> None:
    async with service_env(workflow=_SpyWorkflow()) as env:
        result = await env.ops.handle(
            "gate rollout mobile_dark_mode 30 --rule Android", await env.ctx(ALICE)
        )
        assert not isinstance(result, Reply)
        assert not result.plan.is_noop
