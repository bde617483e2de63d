"""Every rendered message passes slack_sdk's Block Kit models and our own limit checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from bot.render import Message, check_message, sdk_problems
from bot.render.common import FALLBACK_LIMIT, header, section
from tests.blocks.cases import CASES, spec_cases


def _assert_valid(message: Message) -> None:
    for raw in message.blocks:
        block = Block.parse(raw)
        assert block is not None, f"slack_sdk does not know {raw.get('type')!r}"
        block.validate_json()
        assert block.to_dict() == raw  # the SDK reads back exactly what we built
    assert sdk_problems(message) == []
    assert check_message(message) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_message_is_valid_block_kit(name: str) -> None:
    _assert_valid(CASES[name]())


def test_openapi_example_messages_are_valid(openapi_spec_path: Path) -> None:
    for message in spec_cases(openapi_spec_path).values():
        _assert_valid(message)


@pytest.mark.parametrize("name", sorted(CASES))
def test_plain_text_fallback_is_present_and_sized(name: str) -> None:
    message = CASES[name]()
    assert message.text.strip()
    assert len(message.text) <= FALLBACK_LIMIT
    assert message.to_dict()["text"] == message.text


def test_check_message_reports_what_breaks_the_limits() -> None:
    too_many = Message(text="", blocks=[section("x")] * 51)
    problems = check_message(too_many)
    assert "the plain-text fallback is empty" in problems
    assert "message blocks: 51 > 50" in problems
    oversized = {
        "text": "ok",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}] * 11},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b" * 76},
                        "action_id": "a" * 256,
                        "value": "v" * 2001,
                    }
                ],
            },
        ],
    }
    text = "\n".join(check_message(oversized))
    for expected in (
        "block 0 (header) text: 151 > 150",
        "block 1 (section) fields: 11 > 10",
        "block 1 (section) field 0: 2001 > 2000",
        "block 2 (context) elements: 11 > 10",
        "block 3 (actions) element 0 text: 76 > 75",
        "block 3 (actions) element 0 value: 2001 > 2000",
        "block 3 (actions) element 0 action_id: 256 > 255",
        "total block text",
    ):
        assert expected in text


def test_sdk_problems_reports_sdk_rejections() -> None:
    bad = {
        "text": "x",
        "blocks": [{"type": "no_such_block"}, {**header("h"), "block_id": "b" * 256}],
    }
    problems = sdk_problems(bad)
    assert "does not know type 'no_such_block'" in problems[0]
    assert "block_id" in problems[1]
