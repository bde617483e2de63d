"""Paged lists of gates, configs, experiments and segments.

One line per entity, packed into as few sections as fit. When the caller knows there is a
next page, a "Next page" button carries everything needed to fetch it (kind, page, query)
as a :class:`~bot.render.values.PageRef`, so no list state lives in the bot.

The heading names only the search text ("Gates matching “checkout”"); filters such as
``--status disabled`` are shown as filters on the line below it, never as if they had
been searched for. ``query`` is what the "Next page" button repeats (text and flags).

Usage::

    msg = render_list("gate", page.data, page=1, has_next=True, query="checkout")
    msg = render_list("gate", page.data, page=1, has_next=False, query="--status disabled",
                      text=None, filters=["status: disabled"])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.ops.model.words import segment_type_words, status_words
from bot.render.common import (
    Message,
    actions,
    button,
    context,
    esc,
    esc_plain,
    fmt_pct,
    header,
    ident,
    message,
    plural,
    section,
    truncate,
)
from bot.render.ids import LIST_NEXT_PAGE
from bot.render.parts import packed_sections, tags_text
from bot.render.values import ListKind, PageRef
from bot.statsig.models import DynamicConfig, Experiment, Gate, Segment

__all__ = ["Listed", "render_list", "render_list_loading"]

_TITLES: dict[ListKind, tuple[str, str]] = {
    "gate": ("🚦", "Gates"),
    "config": ("🔧", "Dynamic configs"),
    "experiment": ("🧪", "Experiments"),
    "segment": ("👥", "Segments"),
}
_NOUNS: dict[ListKind, str] = {
    "gate": "gate",
    "config": "dynamic config",
    "experiment": "experiment",
    "segment": "segment",
}


def _state(enabled: bool) -> str:
    return "✅" if enabled else "⛔"


def _gate_line(gate: Gate) -> str:
    top = max((rule.pass_percentage for rule in gate.rules), default=None)
    rollout = f" · up to {fmt_pct(top)}" if top is not None else ""
    tags = f" · {tags_text(gate.tags)}" if gate.tags else ""
    return (
        f"{_state(gate.is_enabled)} {ident(gate.id)} · {esc(gate.status, 30)}"
        f" · {plural(len(gate.rules), 'rule')}{rollout}{tags}"
    )


def _config_line(config: DynamicConfig) -> str:
    tags = f" · {tags_text(config.tags)}" if config.tags else ""
    rules = plural(len(config.rules), "rule")
    return f"{_state(config.is_enabled)} {ident(config.id)} · {rules}{tags}"


def _experiment_line(experiment: Experiment) -> str:
    groups = plural(len(experiment.groups), "group")
    return (
        f"{ident(experiment.id)} · {esc(status_words(experiment.status), 30)}"
        f" · {groups} · allocation {fmt_pct(experiment.allocation)}"
    )


def _segment_line(segment: Segment) -> str:
    counted = segment.count is not None and segment.type != "rule_based"
    size = f" · {plural(segment.count or 0, 'ID')}" if counted else ""
    kind = esc(segment_type_words(segment.type), 30)
    return f"{_state(segment.is_enabled)} {ident(segment.id)} · {kind}{size}"


@dataclass(frozen=True)
class _Search:
    """What the list was asked for: the next page's query, the text, the filters."""

    query: str
    text: str | None
    filters: Sequence[str]

    @classmethod
    def of(cls, query: str, text: str | None, filters: Sequence[str]) -> _Search:
        """Without ``text`` or ``filters`` (callers that only know the query), the query
        is taken as the search text."""
        if text is None and not filters:
            return cls(query, query or None, ())
        return cls(query, text, tuple(filters))


def _render_list(
    kind: ListKind,
    lines: Sequence[str],
    ids: Sequence[str],
    *,
    page: int,
    has_next: bool,
    search: _Search,
) -> Message:
    icon, title = _TITLES[kind]
    heading = f"{icon} {title}"
    if search.text:
        heading += f" matching “{esc_plain(search.text, 60)}”"
    status = [f"page {page} · {len(lines)} shown"]
    if search.filters:
        status.insert(0, "filtered by " + ", ".join(esc(f, 60) for f in search.filters[:6]))
    if has_next:
        status[-1] += " · more on the next page"
    body: list[dict[str, Any]] = [header(heading), context(status)]
    if lines:
        body += packed_sections(lines, noun=_NOUNS[kind], max_chars=9000, max_sections=8)
    else:
        body.append(section(f"No {title.lower()} found."))
    tail = []
    if has_next:
        value = PageRef(kind, page + 1, search.query).encode()
        tail.append(actions([button("Next page ▶", LIST_NEXT_PAGE, value)]))
    names = truncate(", ".join(ids), 500) if ids else "none"
    fallback = f"{title} (page {page}): {esc_plain(names, 600)}"
    return message(fallback, body, tail)


Listed = Gate | DynamicConfig | Experiment | Segment
"""What a list shows: one kind of entity per list."""


def _line(item: Listed) -> str:
    if isinstance(item, Gate):
        return _gate_line(item)
    if isinstance(item, DynamicConfig):
        return _config_line(item)
    if isinstance(item, Experiment):
        return _experiment_line(item)
    if isinstance(item, Segment):
        return _segment_line(item)
    raise TypeError(f"cannot list a {type(item).__name__}")


def render_list(
    kind: ListKind,
    page_items: Sequence[Listed],
    *,
    page: int,
    has_next: bool,
    query: str = "",
    text: str | None = None,
    filters: Sequence[str] = (),
) -> Message:
    """One page of ``kind``; ``text`` heads it, ``filters`` sit below, ``query`` pages on."""
    lines = [_line(item) for item in page_items]
    ids = [item.id for item in page_items]
    search = _Search.of(query, text, filters)
    return _render_list(kind, lines, ids, page=page, has_next=has_next, search=search)


def render_list_loading(kind: ListKind) -> Message:
    """The first answer to a list while Statsig is read for the first time (10,000 gates
    take a while): the list itself follows as soon as it is in."""
    icon, title = _TITLES[kind]
    text = f"⏳ Loading every {_NOUNS[kind]} from Statsig; the list follows in a moment."
    return message(f"{title}: loading from Statsig…", [header(f"{icon} {title}"), section(text)])
