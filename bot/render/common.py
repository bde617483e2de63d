"""The building blocks every renderer shares: escaping, truncation and Block Kit builders.

Escaping happens here and nowhere else. Anything that came from a user or from Statsig goes
through :func:`esc` (free text) or :func:`ident` (identifiers) before it is placed into
mrkdwn, so ``<!channel>``, ``<@U123>`` or ``<http://evil|link>`` arrive as inert text.
Slack has no escape for its formatting characters, so :func:`esc` defuses ``* _ ~ `` ` by
putting an invisible zero-width space in front of each one that could open or close a span:
Slack only formats a marker that follows or precedes whitespace or punctuation, so data can
never open or close our bold/code spans. A marker between two letters or digits
(``str_contains_any``, ``user_1``) cannot, and is left alone, so what people copy out of a
message is exactly what they can paste into the Statsig console. Backticks always get one.
Identifiers instead go inside a code span, with any backticks of their own removed.

The builders clamp every text to its Slack limit as a last line of defence; renderers size
user data well below those limits first, so that clamping never cuts our own markup.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.ops.model.identity import SHELL_ID_PREFIX

__all__ = [
    "ELLIPSIS",
    "FALLBACK_LIMIT",
    "Message",
    "MAX_BLOCKS",
    "TEXT_BUDGET",
    "ZWSP",
    "actions",
    "block_text_size",
    "bold_label",
    "button",
    "clamp",
    "compact_json",
    "context",
    "divider",
    "esc",
    "esc_plain",
    "fields_section",
    "fmt_number",
    "fmt_pct",
    "fmt_time",
    "header",
    "ident",
    "link",
    "message",
    "person",
    "plural",
    "plural_form",
    "section",
    "truncate",
]

ELLIPSIS = "…"
ZWSP = "\u200b"
FALLBACK_LIMIT = 3000
"""Our own cap for the plain-text fallback: notifications show only its start anyway."""

_SECTION_TEXT = 3000
_FIELD_TEXT = 2000
_MAX_FIELDS = 10
_HEADER_TEXT = 150
_BUTTON_TEXT = 75
_BUTTON_VALUE = 2000
_CONTEXT_ELEMENTS = 10
# A marker that could open or close a span: not between two word characters. Backticks
# open code spans anywhere, so every one of them counts.
_EDGE_MARKER = re.compile(r"`|(?<!\w)[*_~]|[*_~](?!\w)")
MAX_BLOCKS = 50
TEXT_BUDGET = 12000
"""Total block text we allow: Slack rejects messages near 13k characters (msg_blocks_too_long)."""


@dataclass(frozen=True)
class Message:
    """A rendered message: ``text`` is the notification/fallback text, always present."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The payload shape ``chat.postMessage`` and ``respond()`` accept."""
        return {"text": self.text, "blocks": self.blocks}


def truncate(value: str, limit: int) -> str:
    """Cut ``value`` to at most ``limit`` characters, marking the cut with an ellipsis."""
    if len(value) <= limit:
        return value
    if limit <= 0:
        return ""
    return value[: limit - 1].rstrip() + ELLIPSIS


def _escape_entities(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc(value: object, limit: int = 500) -> str:
    """Free text from users or Statsig, safe for mrkdwn; truncated *before* escaping."""
    raw = truncate(_one_text(value), limit)
    return _EDGE_MARKER.sub(lambda m: ZWSP + m.group(0), _escape_entities(raw))


def esc_plain(value: object, limit: int = 150) -> str:
    """Text for ``plain_text`` objects (headers, buttons): entities escaped, no markers."""
    return _escape_entities(truncate(_one_text(value), limit))


def ident(value: object, limit: int = 120) -> str:
    """An identifier as a code span: backticks removed, escaped, truncated."""
    raw = truncate(_one_text(value).replace("`", ""), limit).strip()
    if not raw:
        return "–"
    return f"`{_escape_entities(raw)}`"


def _one_text(value: object) -> str:
    """Collapse line breaks so that one value cannot start a quote or list of its own."""
    text = value if isinstance(value, str) else str(value)
    return " ".join(text.split()) if "\n" in text or "\r" in text else text


_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,20}")


def person(user_id: str, limit: int = 80) -> str:
    """Who someone is, for mrkdwn: a ``<@U…>`` mention for a Slack user ID, the email of a
    shell user (``shell:alice@example.com`` → ``alice@example.com``), else escaped text.

    Mentions also work in a message's fallback ``text``, so this serves both.
    """
    if _SLACK_USER.fullmatch(user_id):
        return f"<@{user_id}>"
    return esc(user_id.removeprefix(SHELL_ID_PREFIX), limit)


def bold_label(label: str) -> str:
    """A bold label written by us (never data): ``*Status*``."""
    return f"*{label}*"


def link(url: str, label: str) -> str:
    """A mrkdwn link. ``url`` must be one we built (quoted); ``label`` is escaped here."""
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe_url}|{esc(label, 100)}>"


def clamp(text: str, limit: int) -> str:
    """Hard-limit already escaped mrkdwn without splitting an ``&amp;``-style entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def fmt_time(value: datetime | None) -> str:
    """A timestamp every Slack client shows in its own time zone, with a UTC fallback."""
    if value is None:
        return "–"
    fallback = value.strftime("%Y-%m-%d %H:%M UTC") if value.tzinfo else value.isoformat()
    epoch = int(value.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{fallback}>"


def fmt_number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 rule``, ``3 rules``, ``2 entries``: counts read naturally everywhere.

    ``noun`` is the singular; ``many`` overrides the regular plural (``entry`` → ``entries``,
    ``match`` → ``matches``, otherwise ``+s``) for irregular nouns.
    """
    return f"{count:,} {noun if count == 1 else many or plural_form(noun)}"


def plural_form(noun: str) -> str:
    """The regular English plural of ``noun`` (its last word, so "dynamic config" works)."""
    if noun.endswith("y") and noun[-2:-1] not in ("", "a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def fmt_pct(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}%"


def compact_json(value: Any, limit: int = 200) -> str:
    """A short one-line JSON rendering of a Statsig value, as an identifier-style span."""
    try:
        text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return ident(text, limit)


def header(text: str) -> dict[str, Any]:
    """A header block; ``text`` must already be escaped with :func:`esc_plain`."""
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clamp(text, _HEADER_TEXT), "emoji": True},
    }


def section(text: str, *, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clamp(text or " ", _SECTION_TEXT)},
    }
    if block_id:
        block["block_id"] = block_id[:255]
    return block


def fields_section(pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Label/value pairs as section fields, ten per block (Slack's maximum)."""
    fields = [
        {"type": "mrkdwn", "text": clamp(f"{bold_label(label)}\n{value}", _FIELD_TEXT)}
        for label, value in pairs
    ]
    return [
        {"type": "section", "fields": fields[start : start + _MAX_FIELDS]}
        for start in range(0, len(fields), _MAX_FIELDS)
    ]


def context(parts: Iterable[str]) -> dict[str, Any]:
    """A context line; at most ten elements, the rest are joined into the last one."""
    texts = [part for part in parts if part]
    if len(texts) > _CONTEXT_ELEMENTS:
        texts = [*texts[: _CONTEXT_ELEMENTS - 1], " · ".join(texts[_CONTEXT_ELEMENTS - 1 :])]
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clamp(t, _SECTION_TEXT)} for t in texts or [" "]],
    }


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    """A button; ``text`` is ours, ``value`` is clamped to Slack's 2000 characters."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": clamp(text, _BUTTON_TEXT), "emoji": True},
        "action_id": action_id[:255],
        "value": value[:_BUTTON_VALUE],
    }
    if style:
        element["style"] = style
    return element


def actions(elements: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)[:25]}


def block_text_size(block: dict[str, Any]) -> int:
    """Characters of text a block carries (what Slack's aggregate size limit counts)."""
    size = 0
    text = block.get("text")
    if isinstance(text, dict):
        size += len(str(text.get("text", "")))
    for element in [*block.get("fields", []), *block.get("elements", [])]:
        inner = element.get("text")
        if isinstance(inner, dict):
            inner = inner.get("text")
        size += len(str(inner or ""))
    return size


def message(
    fallback: str, body: Sequence[dict[str, Any]], tail: Sequence[dict[str, Any]] = ()
) -> Message:
    """Assemble a :class:`Message` that always fits Slack's limits.

    ``fallback`` must already be escaped. ``tail`` (links, buttons) is always kept; body
    blocks beyond the block count or the aggregate text budget are replaced by one note, a
    safety net behind the renderers' own, friendlier summarising.
    """
    text = clamp(fallback.strip() or " ", FALLBACK_LIMIT)
    budget_blocks = MAX_BLOCKS - len(tail)
    budget_text = TEXT_BUDGET - sum(block_text_size(b) for b in tail)
    kept: list[dict[str, Any]] = []
    for index, block in enumerate(body):
        size = block_text_size(block)
        room_for_note = len(body) - index > 1
        if len(kept) + (2 if room_for_note else 1) > budget_blocks or size > budget_text - 100:
            hidden = plural(len(body) - index, "more block")
            kept.append(context([f"{ELLIPSIS}and {hidden} not shown"]))
            break
        kept.append(block)
        budget_text -= size
    return Message(text=text, blocks=[*kept, *tail])
