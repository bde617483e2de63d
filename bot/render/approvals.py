"""Approval and incident messages: one import for the card, kill notices and short notices.

The card lives in :mod:`bot.render.approvals_card`, the kill announcement and restore
results in :mod:`bot.render.approvals_incident`; both are re-exported here. This
module keeps the short private answers of the approval path (notices, a held lock, Redis
unavailable, a change that ran at once).

Usage::

    render_approval_card(ApprovalCard(request, plan, need=need))
    render_kill_announcement(plan, outcome, request_id=rid, requester="Alice", audit_saved=True)
    render_unavailable()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ops.actions.registry import action_words
from bot.ops.model.plans import Outcome
from bot.ops.model.requests import LockHeld
from bot.render.approvals_card import (
    ApprovalCard,
    mention,
    render_approval_card,
    render_approver_invitation,
    render_requester_dm,
    render_thread_entry,
)
from bot.render.approvals_incident import (
    esc_multiline,
    render_kill_announcement,
    render_restore_refused,
    render_restore_result,
    render_review_verdict,
)
from bot.render.common import Message, esc, esc_plain, ident, message, section
from bot.render.plans import render_outcome

__all__ = [
    "ApprovalCard",
    "mention",
    "render_approval_card",
    "render_approver_invitation",
    "render_kill_announcement",
    "render_lock_held",
    "render_notice",
    "render_requester_dm",
    "render_restore_refused",
    "render_restore_result",
    "render_review_verdict",
    "render_run_result",
    "render_run_warnings",
    "render_thread_entry",
    "render_unavailable",
]

UNAVAILABLE = (
    "Approvals are unavailable: Redis cannot be reached, so nothing was recorded or changed. "
    "Try again in a minute; for an emergency, a responder's `kill` still works."
)


def render_notice(text: str, *, ok: bool = True, details: Sequence[str] = ()) -> Message:
    """A short private answer (to a click, a refused request); ``text`` is escaped here."""
    icon = "✅" if ok else "⚠️"
    lines = [f"{icon} {esc(text, 1500)}", *(esc_multiline(d, 1500) for d in details)]
    return message(esc_plain(text, 500), [section("\n".join(lines))])


def render_lock_held(
    holder: LockHeld, *, action: str, entity_id: str, yours: bool = False
) -> Message:
    """Another open request holds this entity (Atlantis-style lock: one open change per
    entity, whatever the action).

    ``yours`` when the holder is the person asking again: "You already have …", and the
    way out is their own ``cancel``. The holder's own action is named when it differs.
    """
    rid = holder.holder_request_id
    words = action_words(holder.holder_action or action)
    what = f"{esc(words, 60)} request for {ident(entity_id)}"
    cancel = f"`cancel {esc(rid, 70)}`"
    if yours:
        text = (
            f"⚠️ You already have an open {what}: {ident(rid, 70)}. "
            f"Wait for it to finish, or {cancel} it first."
        )
    else:
        text = (
            f"⚠️ There is already an open {what}: {ident(rid, 70)} by "
            f"{mention(holder.holder_requester)}. Wait for it to finish, or ask them to {cancel}."
        )
    fallback = (
        f"Locked: an open {esc_plain(words, 60)} request exists for {esc_plain(entity_id, 100)}"
    )
    return message(fallback, [section(text)])


def render_unavailable(detail: str = "") -> Message:
    """Redis is down: the approval path fails closed and says so."""
    text = UNAVAILABLE + (f" ({detail})" if detail else "")
    return message(esc_plain(text, 500), [section("⚠️ " + esc(text, 1500))])


def render_run_warnings(*, audit_saved: bool, note: str = "") -> Message | None:
    """What went wrong around a change that ran at once (a lost audit record, a kill that
    ran past another request's lock); ``None`` when nothing did. Shown with the result and
    again wherever only a pointer to the result is shown."""
    blocks: list[dict[str, Any]] = []
    if not audit_saved:
        blocks.append(
            section(
                "⚠️ *The audit record could not be saved* (Redis unreachable); "
                "the change ran anyway."
            )
        )
    if note:
        blocks.append(section("⚠️ " + esc(note, 1000)))
    if not blocks:
        return None
    fallback = "Audit record NOT saved." if not audit_saved else esc_plain(note, 500)
    return message(fallback, blocks)


def render_run_result(
    outcome: Outcome, *, audit_saved: bool, note: str = "", project_id: str | None = None
) -> Message:
    """A change that ran at once; says loudly when its audit record is missing."""
    base = render_outcome(outcome, project_id=project_id)
    warnings = render_run_warnings(audit_saved=audit_saved, note=note)
    extra = warnings.blocks if warnings is not None else []
    suffix = " (audit record NOT saved)" if not audit_saved else ""
    return message(base.text + suffix, [*extra, *base.blocks])
