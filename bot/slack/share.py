"""The "Share in channel" button for every read: what the button carries and how a click redoes it.

Entity summaries and histories already carry a :class:`~bot.slack.blocks.values.ShareRef`
(``gate:checkout_v2``) from their renderer. Lists, searches, help, approvals and audit
replies get their button here, from the command that produced them, as a
:class:`ReplyRef`: a short, parseable value (at most 2000 characters, as Slack allows)
that names the read, never its result, so a click re-renders it fresh for the channel::

    list:gate:2:checkout --tag critical     help:gate rollout     approvals:pending
    audit:2h:checkout_v2                    gate:checkout_v2 (a ShareRef)

A value is user-controlled as far as we are concerned: decoding raises ``ValueError`` on
anything malformed, and a click only ever re-runs a *read*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, get_args

from bot.ops.command_models import (
    ApprovalsCommand,
    AuditCommand,
    Command,
    HelpCommand,
    ListCommand,
)
from bot.ops.service_reads import list_query
from bot.slack.blocks.common import MAX_BLOCKS, Message, actions, button
from bot.slack.blocks.ids import LIST_NEXT_PAGE, SHARE_IN_CHANNEL
from bot.slack.blocks.values import ListKind

__all__ = [
    "ReplyRef",
    "ShareKind",
    "duration_text",
    "ref_for",
    "with_share_button",
    "without_buttons",
]

ShareKind = Literal["list", "help", "approvals", "audit"]
_SHARE_KINDS: tuple[str, ...] = get_args(ShareKind)
_LIST_KINDS: tuple[str, ...] = get_args(ListKind)
_SCOPES = ("all", "mine", "pending")
_MAX_VALUE = 2000
_MAX_ACTIONS = 25
_UNITS = (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60))


def duration_text(since: timedelta) -> str:
    """``timedelta(hours=2)`` → ``"2h"``, in the command language's units."""
    seconds = max(60, int(since.total_seconds()))
    for unit, size in _UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


@dataclass(frozen=True)
class ReplyRef:
    """A read reply to re-render: ``kind`` plus the fields that read needs."""

    kind: ShareKind
    noun: str = ""  # list: the entity kind
    page: int = 1  # list
    query: str = ""  # list: its filters; help: the topic; audit: the entity name
    scope: str = ""  # approvals: all, mine or pending
    since: str = ""  # audit: "2h", or "" for everything

    def encode(self) -> str | None:
        """The button value, or ``None`` when it would not fit (no button then)."""
        if self.kind == "list":
            value = f"list:{self.noun}:{self.page}:{self.query}"
        elif self.kind == "help":
            value = f"help:{self.query}"
        elif self.kind == "approvals":
            value = f"approvals:{self.scope}"
        else:
            value = f"audit:{self.since}:{self.query}"
        return value if len(value) <= _MAX_VALUE else None

    @classmethod
    def decode(cls, value: str) -> ReplyRef:
        kind, sep, rest = value.partition(":")
        if not sep or kind not in _SHARE_KINDS:
            raise ValueError("not a reply reference")
        if kind == "list":
            noun, _, tail = rest.partition(":")
            page_text, _, query = tail.partition(":")
            if noun not in _LIST_KINDS or not page_text.isdigit() or int(page_text) < 1:
                raise ValueError("a list reference looks like 'list:gate:1:query'")
            return cls("list", noun=noun, page=int(page_text), query=query)
        if kind == "help":
            return cls("help", query=rest)
        if kind == "approvals":
            if rest not in _SCOPES:
                raise ValueError(f"unknown approvals scope {rest!r}")
            return cls("approvals", scope=rest)
        since, _, name = rest.partition(":")
        return cls("audit", query=name, since=since)

    def command_text(self) -> str:
        """The read command this reference re-runs (lists go through ``list_page``)."""
        if self.kind == "help":
            return f"help {self.query}".strip()
        if self.kind == "approvals":
            return f"approvals {self.scope}"
        if self.kind == "audit":
            since = f" --since {self.since}" if self.since else ""
            return f"audit {self.query}".strip() + since
        return f"{self.noun} list {self.query} --page {self.page}"


def ref_for(command: Command) -> ReplyRef | None:
    """The reference for a read reply that has no share button of its own."""
    match command:
        case ListCommand():
            return ReplyRef("list", noun=command.noun, page=command.page, query=list_query(command))
        case HelpCommand(topic=topic):
            return ReplyRef("help", query=topic or "")
        case ApprovalsCommand(scope=scope):
            return ReplyRef("approvals", scope=scope)
        case AuditCommand(name=name, since=since):
            return ReplyRef("audit", query=name or "", since=duration_text(since) if since else "")
    return None


def _has_share_button(msg: Message) -> bool:
    return any(
        isinstance(e, dict) and e.get("action_id") == SHARE_IN_CHANNEL
        for block in msg.blocks
        for e in block.get("elements", []) or []
    )


def with_share_button(msg: Message, ref: ReplyRef) -> Message:
    """``msg`` with a "Share in channel" button (next to "Next page" when there is one)."""
    value = ref.encode()
    if value is None or _has_share_button(msg):
        return msg
    share = button("Share in channel", SHARE_IN_CHANNEL, value)
    blocks = list(msg.blocks)
    last = blocks[-1] if blocks else None
    if last is not None and last.get("type") == "actions":
        elements = list(last.get("elements") or [])
        if len(elements) < _MAX_ACTIONS:
            blocks[-1] = {**last, "elements": [*elements, share]}
            return Message(msg.text, blocks)
    if len(blocks) >= MAX_BLOCKS:
        return msg
    return Message(msg.text, [*blocks, actions([share])])


def without_buttons(msg: Message, action_ids: frozenset[str] = frozenset()) -> Message:
    """The channel's copy of a read: no share or paging buttons (they are the reader's)."""
    drop = action_ids or frozenset({SHARE_IN_CHANNEL, LIST_NEXT_PAGE})
    blocks: list[dict[str, Any]] = []
    for block in msg.blocks:
        if block.get("type") != "actions":
            blocks.append(block)
            continue
        kept = [e for e in block.get("elements") or [] if e.get("action_id") not in drop]
        if kept:
            blocks.append({**block, "elements": kept})
    return Message(msg.text, blocks)
