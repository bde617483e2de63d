"""The App Home tab: what waits for me, what I asked for, and what changed lately.

A pure function of the workflow's data, published with ``views.publish`` whenever the
person opens the tab. The Approve/Reject buttons are the very buttons of the approval card
(same ``action_id`` and ``value``), so one listener handles both places.

Usage::

    view = home_view(waiting=[...], mine=[...], recent=[...])
    await client.views_publish(user_id=user_id, view=view)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.ops.actions.registry import action_words
from bot.ops.model.freeze import Freeze
from bot.ops.model.requests import ApprovalRequest, AuditEvent
from bot.ops.model.timers import KillTimer
from bot.render.common import context, divider, esc, fmt_time, header, ident, person, section
from bot.render.freeze import freeze_line
from bot.render.ids import APPROVAL_APPROVE, APPROVAL_REJECT
from bot.render.states import state_badge
from bot.render.timers import render_timers

__all__ = ["MAX_HOME_ITEMS", "approve_confirm", "home_view"]

MAX_HOME_ITEMS = 10
_UNAVAILABLE = (
    "Approvals are unavailable right now: Redis cannot be reached, so I cannot tell what is "
    "waiting for you. Try again in a minute."
)
_CHANGE_EVENTS = frozenset({"finished", "finished_interrupted"})


def approve_confirm(request_id: str) -> dict[str, Any]:
    """The confirm dialog every Approve button shows: the change runs right after."""
    return {
        "title": {"type": "plain_text", "text": "Approve this change?"},
        "text": {
            "type": "mrkdwn",
            "text": f"Request {ident(request_id, 60)} may run in Statsig as soon as you approve.",
        },
        "confirm": {"type": "plain_text", "text": "Approve"},
        "deny": {"type": "plain_text", "text": "Not yet"},
    }


def _request_line(request: ApprovalRequest) -> str:
    line = (
        f"{esc(state_badge(request), 60)} · {ident(request.id, 40)} "
        f"{esc(action_words(request.action), 40)} {ident(request.entity_id, 80)}"
    )
    if request.reason:
        line += f" — {esc(request.reason, 200)}"
    return line


def _waiting_blocks(request: ApprovalRequest) -> list[dict[str, Any]]:
    approve = {
        "type": "button",
        "action_id": APPROVAL_APPROVE,
        "text": {"type": "plain_text", "text": "Approve"},
        "style": "primary",
        "value": request.id,
        "confirm": approve_confirm(request.id),
    }
    reject = {
        "type": "button",
        "action_id": APPROVAL_REJECT,
        "text": {"type": "plain_text", "text": "Reject"},
        "style": "danger",
        "value": request.id,
    }
    asked = f"asked by {person(request.requester.user_id)} {_when(request.created_at)}"
    return [
        section(f"{_request_line(request)}\n{asked}"),
        {"type": "actions", "block_id": f"home_{request.id}"[:255], "elements": [approve, reject]},
    ]


def _when(value: datetime) -> str:
    return fmt_time(value)


def _change_line(event: AuditEvent) -> str:
    actor = person(event.shown_actor, 60)
    return (
        f"• {ident(event.entity_id, 80)} {ident(event.action, 40)} → {esc(event.to_state, 30)} "
        f"by {actor} {fmt_time(event.at)}"
    )


def _list_section(title: str, lines: Sequence[str], empty: str) -> list[dict[str, Any]]:
    body = "\n".join(lines) if lines else f"_{empty}_"
    return [section(f"*{title}*"), section(body)]


def home_view(
    *,
    waiting: Sequence[ApprovalRequest],
    mine: Sequence[ApprovalRequest],
    recent: Sequence[AuditEvent],
    note: str | None = None,
    approvals_available: bool = True,
    freeze: Freeze | None = None,
    timers: Sequence[KillTimer] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """The Home tab for one person; every list is capped at :data:`MAX_HOME_ITEMS`.

    ``approvals_available=False`` (Redis unreachable) says so instead of showing empty
    lists, which would read as "nothing is waiting for you".
    """
    blocks: list[dict[str, Any]] = [header("Statsig Ops")]
    if note:
        blocks.append(context([esc(note, 500)]))
    if freeze is not None:
        blocks.append(section(freeze_line(freeze)))
    if timers and now is not None:
        blocks += render_timers(list(timers), now)
    blocks.append(section("*Waiting for your approval*"))
    if not approvals_available:
        blocks.append(section(f"⚠️ {_UNAVAILABLE}"))
        blocks.append(context(["Use `/statsig help` for every command."]))
        return {"type": "home", "blocks": blocks}
    if waiting:
        for request in waiting[:MAX_HOME_ITEMS]:
            blocks += _waiting_blocks(request)
    else:
        blocks.append(section("_Nothing is waiting for you._"))
    blocks.append(divider())
    blocks += _list_section(
        "Your recent requests",
        [_request_line(r) for r in mine[:MAX_HOME_ITEMS]],
        "You have not asked for any change recently.",
    )
    blocks.append(divider())
    changes = [e for e in recent if e.event in _CHANGE_EVENTS and e.entity_kind == "gate"]
    blocks += _list_section(
        "Recently changed gates",
        [_change_line(e) for e in changes[:MAX_HOME_ITEMS]],
        "No gate was changed from chat recently.",
    )
    blocks.append(context(["Use `/statsig help` for every command."]))
    return {"type": "home", "blocks": blocks[:100]}
