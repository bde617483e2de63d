"""``recent``: what changed lately, one block per entity, newest first, with the buttons an
incident commander reaches for (Disable a gate; Restore it when the bot kept a snapshot).

Each entity shows its latest few entries (who, when, what in words) from both trails, the
bot's own (marked ``[bot]``) and Statsig's audit log, so a change made in the console and
one made from chat read the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.render.common import (
    Message,
    actions,
    button,
    context,
    esc,
    esc_plain,
    header,
    ident,
    message,
    plural,
    section,
)
from bot.render.history import audit_line
from bot.render.ids import INCIDENT_KILL, INCIDENT_RESTORE
from bot.statsig.models import AuditLogEntry

__all__ = ["MAX_ENTITIES", "RecentChange", "render_recent"]

MAX_ENTITIES = 12
"""Entities shown; each takes up to three blocks and Slack allows 50."""
_LINES_PER_ENTITY = 3


@dataclass(frozen=True)
class RecentChange:
    """One entity that changed: its kind (``None`` when neither trail nor the catalog can
    say), its entries newest first, and what its buttons do."""

    name: str
    kind: str | None
    entries: Sequence[AuditLogEntry] = field(default_factory=tuple)
    restore_request: str | None = None
    """The executed kill or disable whose snapshot ``restore`` would put back."""
    may_disable: bool = False


def _buttons(change: RecentChange) -> list[dict[str, Any]]:
    row: list[dict[str, Any]] = []
    if change.may_disable:
        kill = button("Disable", INCIDENT_KILL, change.name, style="danger")
        kill["confirm"] = {
            "title": {"type": "plain_text", "text": "Disable this gate?"},
            "text": {"type": "mrkdwn", "text": f"Everyone will fail {ident(change.name, 80)}, "
                     "as `kill` does (responders at once, anyone else after an approval)."},
            "confirm": {"type": "plain_text", "text": "Disable"},
            "deny": {"type": "plain_text", "text": "Back"},
        }  # fmt: skip
        row.append(kill)
    if change.restore_request is not None:
        row.append(button("Restore", INCIDENT_RESTORE, change.restore_request))
    return [actions(row)] if row else []


def render_recent(
    changes: Sequence[RecentChange], *, window: str, notes: Sequence[str] = ()
) -> Message:
    """The changes of the last ``window`` ("2h"), grouped by entity."""
    body: list[dict[str, Any]] = [header(f"🕘 What changed in the last {esc_plain(window, 20)}")]
    if notes:
        body.append(context([esc(n, 300) for n in notes]))
    if not changes:
        body.append(section(f"Nothing changed in the last {esc(window, 20)}."))
    for change in changes[:MAX_ENTITIES]:
        kind = f"{change.kind} " if change.kind else ""
        count = len(change.entries)
        lines = [audit_line(e) for e in change.entries[:_LINES_PER_ENTITY]]
        more = count - len(lines)
        if more > 0:
            lines.append(f"_and {plural(more, 'earlier change')}_")
        body.append(section(f"*{esc(kind, 20)}{ident(change.name, 80)}*\n" + "\n".join(lines)))
        body += _buttons(change)
    hidden = len(changes) - MAX_ENTITIES
    if hidden > 0:
        body.append(context([f"…and {plural(hidden, 'more entity', 'more entities')} "
                             "(narrow it down with a shorter window or --tag)"]))  # fmt: skip
    fallback = f"Changed in the last {esc_plain(window, 20)}: " + (
        ", ".join(esc_plain(c.name, 60) for c in changes[:MAX_ENTITIES]) or "nothing"
    )
    return message(fallback, body)
