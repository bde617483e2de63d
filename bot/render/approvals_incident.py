"""Incident messages: the loud kill announcement and the result of a restore.

A kill is announced in the channel (and the policy's incident channel) with a one-click
**Restore**; without an audit record (Redis down) the snapshot is written into the message
itself, so the previous state is never lost.

Usage::

    render_kill_announcement(plan, outcome, request_id=rid, requester="Alice", audit_saved=True)
    render_restore_result("checkout_v2", outcome)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ops.actions.registry import KILL_ACTION
from bot.ops.model.plans import Outcome, OutcomeStatus, Plan
from bot.ops.model.requests import Restoration
from bot.ops.model.timers import REMINDER_LEAD, kill_window, span_words
from bot.render.common import (
    Message,
    actions,
    button,
    compact_json,
    context,
    esc,
    esc_plain,
    fmt_time,
    header,
    ident,
    link,
    message,
    person,
    plural,
    section,
)
from bot.render.ids import (
    INCIDENT_RESTORE,
    INCIDENT_RESTORE_TICKET,
    RESTORE_ANYWAY,
    RESTORE_KEEP,
)
from bot.statsig.links import console_url

__all__ = [
    "render_restore_refused",
    "render_review_verdict",
    "esc_multiline",
    "render_kill_announcement",
    "render_restore_result",
    "restore_button",
    "restored_line",
    "used_by_text",
]


def _snapshot_text(snapshot: dict[str, Any] | None) -> str:
    if not snapshot:
        return "–"
    kept = {k: snapshot.get(k) for k in ("id", "isEnabled", "rules", "version") if k in snapshot}
    return compact_json(kept, 2500)


def render_kill_announcement(
    plan: Plan,
    outcome: Outcome,
    *,
    request_id: str | None,
    requester: str,
    audit_saved: bool,
    project_id: str | None = None,
    approved_by: Sequence[str] = (),
    restored: Restoration | None = None,
    references_unreadable: bool = False,
    ticket: str | None = None,
) -> Message:
    """The loud channel message of a kill, with a Restore button when it can be restored.

    Without an audit record (Redis down) the snapshot is written into the message itself,
    so the previous state is never lost. ``approved_by`` names who approved a kill that
    was not break-glass (user IDs). Once ``restored``, the same message says who put the
    gate back and when, and offers no Restore any more.
    """
    killed = outcome.status in (OutcomeStatus.APPLIED, OutcomeStatus.NOOP)
    gate = ident(plan.entity_id)
    if restored is not None:
        title = f"↩️ RESTORED: gate {esc_plain(plan.entity_id, 100)} (it had been killed)"
    elif killed:
        title = f"🚨 KILLED: gate {esc_plain(plan.entity_id, 100)} is disabled"
    elif outcome.status is OutcomeStatus.UNKNOWN:
        title = f"❓ KILL UNCONFIRMED: gate {esc_plain(plan.entity_id, 100)} may still be on"
    else:
        title = f"🚨 KILL NOT DONE: gate {esc_plain(plan.entity_id, 100)}"
    by = f"*Gate* {gate} · *by* {esc(requester, 80)}"
    if approved_by:
        by += " · *approved by* " + ", ".join(person(a) for a in approved_by[:10])
    lines = [by]
    if outcome.status is not OutcomeStatus.APPLIED:  # "Killed: … is disabled" is the title
        lines.append(esc(outcome.message, 800))
    if plan.reason:
        lines.append(f"*Reason* {esc(plan.reason, 500)}")
    if killed:
        lines.append(f"*Used by* {used_by_text(plan, unreadable=references_unreadable)}")
    window = kill_window(plan)
    if killed and window is not None and restored is None:
        then = "then restored automatically" if window[1] else "then a reminder asks again"
        early = window[0] > REMINDER_LEAD.total_seconds()
        when = "5 minutes before the time is up" if early else "when the time is up"
        lines.append(f"*For* {span_words(window[0])}, {then} (a reminder in this thread {when})")
    if outcome.error and outcome.error not in outcome.message:
        lines.append(f"*Error* {esc(outcome.error, 500)}")
    if restored is not None:
        lines.append(restored_line(restored))
    body: list[dict[str, Any]] = [header(title), section("\n".join(lines))]
    if not audit_saved and ticket is not None and killed:
        body.append(
            section(
                "⚠️ *The audit record could not be saved* (Redis unreachable). The Restore "
                "button below carries the snapshot itself, so it works from this message; the "
                "record is written once Redis is back."
            )
        )
    elif not audit_saved:
        body.append(
            section(
                "⚠️ *The audit record could not be saved* (Redis unreachable). "
                f"The state before the kill, to restore by hand:\n{_snapshot_text(plan.snapshot)}"
            )
        )
    tail: list[dict[str, Any]] = []
    if killed and request_id is not None and restored is None:
        tail.append(restore_button(request_id))
    elif killed and ticket is not None and restored is None:
        tail.append(actions([button("Restore", INCIDENT_RESTORE_TICKET, ticket, style="danger")]))
    url = console_url("gate", plan.entity_id, project_id)
    tail.append(
        context(
            [link(url, "Open in Statsig")]
            + ([f"request {ident(request_id, 70)}"] if request_id else [])
            + ([f"Statsig review {ident(outcome.review_id, 70)}"] if outcome.review_id else [])
        )
    )
    fallback = esc_plain(title, 200)
    if outcome.status is not OutcomeStatus.APPLIED:
        fallback += f". {esc_plain(outcome.message, 300)}"
    return message(fallback, body, tail)


def used_by_text(plan: Plan, *, unreadable: bool) -> str:
    """What else the gate feeds: counted after the disable landed (the kill skips the read)."""
    radius = plan.blast_radius
    counts = (radius.gate_references, radius.experiment_references, radius.config_references)
    if None in counts:
        return "could not be read from Statsig" if unreadable else "checking…"
    gates, experiments, configs = (c or 0 for c in counts)
    if not (gates or experiments or configs):
        return "no other gate, config or experiment"
    parts = [(experiments, "experiment"), (configs, "dynamic config"), (gates, "gate")]
    return ", ".join(plural(n, noun) for n, noun in parts if n)


def restored_line(restored: Restoration) -> str:
    """ "↩️ Restored by @bob · 2026-12-02 18:40 UTC (request req_…)"."""
    return (
        f"↩️ *Restored* by {person(restored.user_id)} · {fmt_time(restored.at)} "
        f"(request {ident(restored.request_id, 70)})"
    )


def restore_button(request_id: str) -> dict[str, Any]:
    return actions([button("Restore", INCIDENT_RESTORE, request_id, style="danger")])


def render_restore_result(
    gate_id: str, outcome: Outcome | None = None, *, refusal: str | None = None
) -> Message:
    """What ``restore`` did, or why it refused (with the diff in ``refusal``)."""
    if refusal is not None or outcome is None:
        text = f"↩️ *Restore refused* for gate {ident(gate_id)}\n{esc_multiline(refusal or '')}"
        return message(f"Restore refused for {esc_plain(gate_id, 100)}", [section(text)])
    ok = outcome.status in (OutcomeStatus.APPLIED, OutcomeStatus.NOOP)
    icon = "✅ *Restored*" if ok else "❌ *Restore failed*"
    lines = [f"{icon}: gate {ident(gate_id)}", esc(outcome.message, 800)]
    if outcome.error:
        lines.append(f"*Error* {esc(outcome.error, 500)}")
    fallback = f"{'Restored' if ok else 'Restore failed'}: {esc_plain(gate_id, 100)}"
    return message(fallback, [section("\n".join(lines))])


def esc_multiline(value: str, limit: int = 2500) -> str:
    """Escape text line by line, keeping its line breaks (diffs span several lines)."""
    lines = value.splitlines()[:40]
    return "\n".join(esc(line, 300) for line in lines)[:limit]


def render_review_verdict(plan: Plan, *, committed: bool, requester: str) -> Message:
    """A held kill's (or restore's) Statsig review was decided: say so where it was held.

    The first announcement said loudly that the gate was NOT changed yet; the people who
    read it must hear just as loudly that it now is (or that it never will be)."""
    gate, name = ident(plan.entity_id), esc_plain(plan.entity_id, 100)
    what = "kill" if plan.action == KILL_ACTION else "restore"
    by = esc(requester, 80)
    if committed:
        state = "disabled" if plan.action == KILL_ACTION else "restored"
        title = f"✅ Statsig review committed: gate {name} is {state} now"
        body = f"The {what} of gate {gate} by {by} was held for review; it is in force now."
    else:
        title = f"🚫 Statsig review rejected: the {what} of gate {name} did not happen"
        body = (
            f"The {what} of gate {gate} by {by} was rejected or withdrawn in "
            f"Statsig: the gate is unchanged. Run `/statsig {what}` again if it is still needed."
        )
    return message(esc_plain(title, 200), [header(title), section(body)])


def render_restore_refused(
    gate_id: str, headline: str, lines: Sequence[str], way_out: str, request_id: str
) -> Message:
    """A restore refused because the gate changed since the kill: the three states side by
    side (snapshot · after the kill · now), and the two ways on: **Restore snapshot
    anyway** (asks why; through approval unless a responder) or **Keep current**."""
    diff = "\n".join(f"• {esc(line, 300)}" for line in lines[:15])
    if len(lines) > 15:
        diff += f"\n• …and {len(lines) - 15} more"
    body = [
        section(f"↩️ *Restore refused* for gate {ident(gate_id)}\n{esc(headline, 400)}"),
        section(diff or "_no visible difference_"),
        context([esc(way_out, 300)]),
    ]
    tail: list[dict[str, Any]] = []
    if request_id:
        tail.append(
            actions(
                [
                    button("Restore snapshot anyway", RESTORE_ANYWAY, request_id, style="danger"),
                    button("Keep current", RESTORE_KEEP, request_id),
                ]
            )
        )
    return message(f"Restore refused for {esc_plain(gate_id, 100)}: it changed since", body, tail)
