"""IDs typed in Slack never change which Console API path is asked for."""

from __future__ import annotations

import json

import pytest

from bot.statsig._base import path_id
from bot.statsig.errors import InvalidRequest
from tests.slack.harness import BotInstance, wait_responses


@pytest.mark.parametrize("typed", ["gate ..", "gate .", "kill .. INC-1", "gate history .."])
async def test_dot_segments_never_reach_statsig(bot: BotInstance, typed: str) -> None:
    _, url = await bot.command(typed, user="U2BOB")
    [answer] = await wait_responses(bot.slack, url)
    text = json.dumps(answer)
    assert "not a Statsig ID" in text or "not a gate" in text.lower(), text
    paths = [r.path.rstrip("/") for r in bot.world.sandbox.state.request_log]
    assert "/console/v1" not in paths and "/console/v1/gates" not in paths, paths


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("a/../b", "a%2F..%2Fb"),
        ("x?limit=1#y", "x%3Flimit%3D1%23y"),
        ("100%", "100%25"),
        ("dev@example.com", "dev@example.com"),
        ("v1.2_beta-x~", "v1.2_beta-x~"),
        ("sp ace", "sp%20ace"),
    ],
)
def test_reserved_characters_are_encoded_into_one_segment(value: str, segment: str) -> None:
    assert path_id(value) == segment


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_empty_and_dot_ids_are_refused_before_sending(value: str) -> None:
    with pytest.raises(InvalidRequest):
        path_id(value)
