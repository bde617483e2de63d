"""Our own Block Kit limit checks, for what ``slack_sdk.models`` does not check.

The SDK validates a block's own attributes, but not the 50-block message limit, the
per-field 2000 characters, the fallback text size or Slack's undocumented aggregate text
limit (``msg_blocks_too_long`` near 13k characters). Plain dicts sent to the Web API are not
validated at all, so tests run every rendered message through :func:`check_message` and
:func:`sdk_problems`.

Usage::

    assert check_message(render_gate(gate)) == []
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.render.common import FALLBACK_LIMIT, MAX_BLOCKS, TEXT_BUDGET, Message, block_text_size

__all__ = ["LIMITS", "check_message", "sdk_problems"]

LIMITS: Mapping[str, int] = {
    "blocks": MAX_BLOCKS,
    "section_text": 3000,
    "fields": 10,
    "field_text": 2000,
    "header_text": 150,
    "button_text": 75,
    "button_value": 2000,
    "action_id": 255,
    "block_id": 255,
    "context_elements": 10,
    "actions_elements": 25,
    "fallback_text": FALLBACK_LIMIT,
    "total_text": TEXT_BUDGET,
}


def _as_payload(msg: Message | Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    if isinstance(msg, Message):
        return msg.text, msg.blocks
    return str(msg.get("text") or ""), list(msg.get("blocks") or [])


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, Mapping) else ""


def _over(what: str, size: int, key: str) -> Iterator[str]:
    if size > LIMITS[key]:
        yield f"{what}: {size} > {LIMITS[key]}"


def _block_problems(i: int, block: Mapping[str, Any]) -> Iterator[str]:
    kind = block.get("type")
    where = f"block {i} ({kind})"
    yield from _over(f"{where} block_id", len(str(block.get("block_id", ""))), "block_id")
    if kind == "header":
        yield from _over(f"{where} text", len(_text(block.get("text"))), "header_text")
    if kind == "section":
        yield from _over(f"{where} text", len(_text(block.get("text"))), "section_text")
        fields = block.get("fields") or []
        yield from _over(f"{where} fields", len(fields), "fields")
        for j, field in enumerate(fields):
            yield from _over(f"{where} field {j}", len(_text(field)), "field_text")
        if not block.get("text") and not fields:
            yield f"{where}: a section needs text or fields"
    elements = block.get("elements") or []
    if kind == "context":
        yield from _over(f"{where} elements", len(elements), "context_elements")
    if kind == "actions":
        yield from _over(f"{where} elements", len(elements), "actions_elements")
        for j, element in enumerate(elements):
            label = f"{where} element {j}"
            yield from _over(f"{label} text", len(_text(element.get("text"))), "button_text")
            yield from _over(f"{label} value", len(str(element.get("value", ""))), "button_value")
            yield from _over(
                f"{label} action_id", len(str(element.get("action_id", ""))), "action_id"
            )


def check_message(msg: Message | Mapping[str, Any]) -> list[str]:
    """Every limit a message breaks, as readable lines; empty when it is fine to send."""
    text, blocks = _as_payload(msg)
    problems: list[str] = []
    if not text.strip():
        problems.append("the plain-text fallback is empty")
    problems += _over("fallback text", len(text), "fallback_text")
    problems += _over("message blocks", len(blocks), "blocks")
    problems += _over("total block text", sum(block_text_size(b) for b in blocks), "total_text")
    for i, block in enumerate(blocks):
        problems += _block_problems(i, block)
    return problems


def sdk_problems(msg: Message | Mapping[str, Any]) -> list[str]:
    """What ``slack_sdk.models`` rejects: unknown block types and attribute limits."""
    _, blocks = _as_payload(msg)
    problems: list[str] = []
    for i, raw in enumerate(blocks):
        block = Block.parse(raw)
        if block is None:
            problems.append(f"block {i}: slack_sdk does not know type {raw.get('type')!r}")
            continue
        try:
            block.validate_json()
            block.to_dict()
        except SlackObjectFormationError as exc:
            problems.append(f"block {i} ({raw.get('type')}): {exc}")
    return problems
