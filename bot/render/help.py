"""Help, rendered from structured entries (the command registry produces them).

The input is a small read-only protocol, not the parser's own classes, so help rendering
does not depend on the command language's internals. Usage lines such as
``gate rollout <name> <pct>`` are escaped like any other text.

Usage::

    render_help([HelpItem("gate <name>", "Show a gate.", ("gate checkout_v2",))])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.render.common import Message, context, esc, esc_plain, header, ident, message, section
from bot.render.parts import packed_sections

__all__ = ["HelpEntry", "HelpItem", "render_help"]


class HelpEntry(Protocol):
    """What help needs from a command: how to call it, what it does, examples."""

    @property
    def usage(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def examples(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class HelpItem:
    """A ready-made :class:`HelpEntry`, for callers without their own type."""

    usage: str
    summary: str
    examples: Sequence[str] = ()


def _detail(entry: HelpEntry) -> str:
    lines = [f"{ident(entry.usage, 200)}", esc(entry.summary, 1000)]
    lines += [f"• e.g. {ident(example, 200)}" for example in entry.examples[:8]]
    return "\n".join(lines)


def _line(entry: HelpEntry) -> str:
    line = f"{ident(entry.usage, 150)} — {esc(entry.summary, 200)}"
    if entry.examples:
        line += f"\n      e.g. {ident(entry.examples[0], 150)}"
    return line


def render_help(
    items: Sequence[HelpEntry], *, title: str = "/statsig help", note: str | None = None
) -> Message:
    """One entry in full (a help topic) or many as a compact list."""
    body: list[dict[str, Any]] = [header(f"❓ {esc_plain(title, 120)}")]
    if note:
        body.append(context([esc(note, 300)]))
    if len(items) == 1:
        body.append(section(_detail(items[0])))
    elif items:
        body += packed_sections([_line(i) for i in items], noun="command", max_chars=9000)
    else:
        body.append(section("No help found for that topic."))
    usages = "; ".join(item.usage for item in items[:20])
    return message(f"{esc_plain(title, 120)}: {esc_plain(usages, 1500)}", body)
