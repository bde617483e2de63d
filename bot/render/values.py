"""Compact, parseable button values: what a click needs to redo a read.

A value is all the state a button carries (Slack gives it back verbatim on a click), so it
is short, versionless text that a listener can parse without trusting it: parsing raises
``ValueError`` on anything malformed, and the listener re-checks permissions as usual.

Usage::

    ShareRef("gate", "checkout_v2").encode()        # 'gate:checkout_v2'
    ShareRef.decode("gate.history:checkout_v2")     # ShareRef('gate', 'checkout_v2', 'history')
    PageRef("gate", 2, "checkout").encode()         # '{"k":"gate","p":2,"q":"checkout"}'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, cast, get_args

__all__ = [
    "ListKind",
    "PageRef",
    "ReplyRef",
    "ShareKind",
    "ShareRef",
    "ShareView",
    "duration_text",
]

ListKind = Literal["gate", "config", "experiment", "segment"]
ShareView = Literal["summary", "history"]
_KINDS: tuple[str, ...] = get_args(ListKind)
_VIEWS: tuple[str, ...] = get_args(ShareView)
_MAX_VALUE = 2000
_MAX_QUERY = 1500


def _kind(value: str) -> ListKind:
    if value not in _KINDS:
        raise ValueError(f"unknown entity kind {value!r}")
    return cast(ListKind, value)


@dataclass(frozen=True)
class ShareRef:
    """What a "Share in channel" button re-renders: ``gate:checkout_v2``."""

    kind: ListKind
    entity_id: str
    view: ShareView = "summary"

    def encode(self) -> str:
        head = self.kind if self.view == "summary" else f"{self.kind}.{self.view}"
        return f"{head}:{self.entity_id}"[:_MAX_VALUE]

    @classmethod
    def decode(cls, value: str) -> ShareRef:
        head, sep, entity_id = value.partition(":")
        if not sep or not entity_id:
            raise ValueError("a share reference looks like 'gate:checkout_v2'")
        kind, _, view = head.partition(".")
        view = view or "summary"
        if view not in _VIEWS:
            raise ValueError(f"unknown view {view!r}")
        return cls(_kind(kind), entity_id, cast(ShareView, view))


@dataclass(frozen=True)
class PageRef:
    """What a "Next page" button asks for: a kind, a 1-based page and the list's query."""

    kind: ListKind
    page: int
    query: str = ""

    def encode(self) -> str:
        """JSON that fits a button value; an overlong query is shortened, never cut mid-JSON."""
        query = self.query[:_MAX_QUERY]
        while True:
            encoded = json.dumps(
                {"k": self.kind, "p": self.page, "q": query},
                separators=(",", ":"),
                ensure_ascii=False,
            )
            if len(encoded) <= _MAX_VALUE:
                return encoded
            query = query[: len(query) // 2]

    @classmethod
    def decode(cls, value: str) -> PageRef:
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError("a page reference is a JSON object") from exc
        if not isinstance(data, dict):
            raise ValueError("a page reference is a JSON object")
        page, query = data.get("p"), data.get("q", "")
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            raise ValueError("page must be a positive integer")
        if not isinstance(query, str):
            raise ValueError("query must be text")
        return cls(_kind(str(data.get("k"))), page, query)


ShareKind = Literal["list", "help", "approvals", "audit"]
_SHARE_KINDS: tuple[str, ...] = get_args(ShareKind)
_SCOPES = ("all", "mine", "pending")
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
            if noun not in _KINDS or not page_text.isdigit() or int(page_text) < 1:
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
