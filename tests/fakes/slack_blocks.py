"""Block Kit and view checks the fake applies the way Slack's servers do.

``slack_sdk.models`` only validates objects built with its classes; plain dicts (what most code
sends) are checked by Slack itself, which answers ``invalid_blocks`` / ``invalid_arguments`` with
``response_metadata.messages`` like ``[ERROR] must be less than 3001 characters
[json-pointer:/blocks/0/text/text]``. This module produces those messages so tests see the same
failures production would.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "MAX_MESSAGE_BLOCKS",
    "MAX_VIEW_BLOCKS",
    "check_blocks",
    "check_view",
    "decode_json_field",
    "view_too_large",
]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_VIEW_BYTES = 250_000

KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "context_actions",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
_SELECT_TYPES = frozenset(
    {"static_select", "multi_static_select", "external_select", "multi_external_select"}
)


def _err(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def decode_json_field(value: Any) -> tuple[Any, bool]:
    """A ``blocks``/``view`` argument as data: JSON strings (form bodies) are parsed.

    Returns ``(data, ok)``; ``ok`` is False for malformed JSON.
    """
    if isinstance(value, str | bytes):
        try:
            return json.loads(value), True
        except ValueError:
            return None, False
    return value, True


def _check_len(value: Any, limit: int, pointer: str, out: list[str]) -> None:
    if not isinstance(value, str):
        out.append(_err("must be a string", pointer))
    elif len(value) > limit:
        out.append(_err(f"must be less than {limit + 1} characters", pointer))


def _check_text(
    obj: Any, limit: int, pointer: str, out: list[str], *, plain_only: bool = False
) -> None:
    """A composition text object: ``{"type": "plain_text"|"mrkdwn", "text": ...}``."""
    if not isinstance(obj, dict):
        out.append(_err("must be an object", pointer))
        return
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in allowed:
        out.append(_err(f"must be one of {', '.join(allowed)}", f"{pointer}/type"))
    text = obj.get("text")
    if isinstance(text, str) and not text:
        out.append(_err("must be more than 0 characters", f"{pointer}/text"))
    else:
        _check_len(text, limit, f"{pointer}/text", out)


def _check_options(options: Any, limit: int, pointer: str, out: list[str]) -> None:
    if not isinstance(options, list):
        out.append(_err("must be an array", pointer))
        return
    if len(options) > limit:
        out.append(_err(f"no more than {limit} items allowed", pointer))
    for i, option in enumerate(options):
        where = f"{pointer}/{i}"
        if not isinstance(option, dict):
            out.append(_err("must be an object", where))
            continue
        _check_text(option.get("text"), 75, f"{where}/text", out)
        _check_len(option.get("value"), 150, f"{where}/value", out)


def _check_confirm(confirm: Any, pointer: str, out: list[str]) -> None:
    if confirm is None:
        return
    if not isinstance(confirm, dict):
        out.append(_err("must be an object", pointer))
        return
    for key, limit in (("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)):
        if key in confirm:
            _check_text(confirm[key], limit, f"{pointer}/{key}", out, plain_only=key != "text")


def _check_element(element: Any, pointer: str, out: list[str]) -> None:
    """Interactive elements (buttons, selects, overflow, inputs) and their ids."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        out.append(_err("must be an object with a type", pointer))
        return
    kind = element["type"]
    if "action_id" in element:
        _check_len(element["action_id"], 255, f"{pointer}/action_id", out)
    if kind == "button":
        _check_text(element.get("text"), 75, f"{pointer}/text", out, plain_only=True)
        if "value" in element:
            _check_len(element["value"], 2000, f"{pointer}/value", out)
        if "url" in element:
            _check_len(element["url"], 3000, f"{pointer}/url", out)
    elif kind in _SELECT_TYPES:
        if "options" in element:
            _check_options(element["options"], 100, f"{pointer}/options", out)
        if "placeholder" in element:
            _check_text(element["placeholder"], 150, f"{pointer}/placeholder", out, plain_only=True)
    elif kind == "overflow":
        _check_options(element.get("options"), 5, f"{pointer}/options", out)
    _check_confirm(element.get("confirm"), f"{pointer}/confirm", out)


def _check_elements(block: dict[str, Any], limit: int, pointer: str, out: list[str]) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        out.append(_err("must provide at least 1 item", f"{pointer}/elements"))
        return
    if len(elements) > limit:
        out.append(_err(f"no more than {limit} items allowed", f"{pointer}/elements"))
    for i, element in enumerate(elements):
        where = f"{pointer}/elements/{i}"
        if block["type"] == "context" and isinstance(element, dict):
            if element.get("type") in ("plain_text", "mrkdwn"):
                _check_text(element, 3000, where, out)
        else:
            _check_element(element, where, out)


def _check_section(block: dict[str, Any], pointer: str, out: list[str]) -> None:
    if "text" not in block and "fields" not in block:
        out.append(_err("must provide either text or fields", pointer))
    if "text" in block:
        _check_text(block["text"], 3000, f"{pointer}/text", out)
    fields = block.get("fields")
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > 10:
            out.append(_err("no more than 10 items allowed", f"{pointer}/fields"))
        else:
            for i, field in enumerate(fields):
                _check_text(field, 2000, f"{pointer}/fields/{i}", out)
    if "accessory" in block:
        _check_element(block["accessory"], f"{pointer}/accessory", out)


def _check_block(block: Any, pointer: str, out: list[str]) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        out.append(_err("must be an object with a type", pointer))
        return
    kind = block["type"]
    if kind not in KNOWN_BLOCK_TYPES:
        out.append(_err(f"unsupported type: {kind}", f"{pointer}/type"))
        return
    if "block_id" in block:
        _check_len(block["block_id"], 255, f"{pointer}/block_id", out)
    if kind == "section":
        _check_section(block, pointer, out)
    elif kind == "header":
        _check_text(block.get("text"), 150, f"{pointer}/text", out, plain_only=True)
    elif kind == "actions":
        _check_elements(block, 25, pointer, out)
    elif kind == "context":
        _check_elements(block, 10, pointer, out)
    elif kind == "markdown":
        _check_len(block.get("text"), 12000, f"{pointer}/text", out)
    elif kind == "input":
        _check_text(block.get("label"), 2000, f"{pointer}/label", out, plain_only=True)
        if "hint" in block:
            _check_text(block["hint"], 2000, f"{pointer}/hint", out, plain_only=True)
        _check_element(block.get("element"), f"{pointer}/element", out)


def check_blocks(
    blocks: Any, *, pointer: str = "/blocks", limit: int = MAX_MESSAGE_BLOCKS
) -> list[str]:
    """Slack-style error messages for a list of blocks; empty when Slack would accept it."""
    if not isinstance(blocks, list):
        return [_err("must be an array", pointer)]
    out: list[str] = []
    if len(blocks) > limit:
        out.append(_err(f"no more than {limit} items allowed", pointer))
    for i, block in enumerate(blocks):
        _check_block(block, f"{pointer}/{i}", out)
    return out


def _check_modal_fields(view: dict[str, Any], out: list[str]) -> None:
    if "title" not in view:
        out.append(_err("missing required field: title", "/view/title"))
    else:
        _check_text(view["title"], 24, "/view/title", out, plain_only=True)
    for key in ("submit", "close"):
        if view.get(key) is not None:
            _check_text(view[key], 24, f"/view/{key}", out, plain_only=True)
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view["blocks"])
    if has_input and view.get("submit") is None:
        out.append(_err("submit is required when an input block is present", "/view/submit"))


def view_too_large(view: Any) -> bool:
    """Slack refuses views over 250 kB with its own error code, ``view_too_large``."""
    return len(json.dumps(view)) > MAX_VIEW_BYTES


def check_view(view: Any, *, allowed_types: tuple[str, ...]) -> list[str]:
    """Slack-style ``invalid_arguments`` messages for a modal or Home tab view."""
    if not isinstance(view, dict):
        return [_err("must be an object", "/view")]
    if view.get("type") not in allowed_types:
        return [_err(f"must be one of {', '.join(allowed_types)}", "/view/type")]
    if not isinstance(view.get("blocks"), list):
        return [_err("missing required field: blocks", "/view/blocks")]
    out: list[str] = []
    if view["type"] == "modal":
        _check_modal_fields(view, out)
    for key, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        if key in view:
            _check_len(view[key], limit, f"/view/{key}", out)
    out.extend(check_blocks(view["blocks"], pointer="/view/blocks", limit=MAX_VIEW_BLOCKS))
    return out
