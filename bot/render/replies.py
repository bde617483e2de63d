"""The application service's own short answers, rendered here so the service never escapes.

A request ID line, a pointer to a result announced in the channel, "nothing to change", the
list of approval requests, an unknown request, and the requester's explanation of a channel
post Slack refused: each was once built by hand in the layer that needed it; now every
user or Statsig string is escaped in one place, as the rest of :mod:`bot.render` does.

Usage::

    render_note("Approval requested: req_01.")
    render_pointer(outcome, "C0OPS", warnings=render_run_warnings(audit_saved=False))
    render_request_list("Open approval requests", requests)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.ops.actions.registry import action_words
from bot.ops.model.plans import Outcome, Plan
from bot.ops.model.requests import ApprovalRequest
from bot.render.approvals_incident import used_by_text
from bot.render.common import (
    MAX_BLOCKS,
    Message,
    context,
    esc,
    esc_plain,
    header,
    ident,
    message,
    person,
    plural,
    section,
)
from bot.render.parts import packed_sections
from bot.render.states import state_badge

__all__ = [
    "SANDBOX_NOTE",
    "channel_mention",
    "render_note",
    "render_nothing_to_change",
    "render_pointer",
    "render_post_failure",
    "render_references",
    "render_request_list",
    "render_ids_question",
    "render_still_trying",
    "render_unknown_request",
    "with_sandbox_note",
]

_CHANNEL_ID = re.compile(r"[CDG][A-Z0-9]{2,40}")
_NOT_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
_LISTED_REQUESTS = 40


def channel_mention(channel_id: str | None, fallback: str = "this conversation") -> str:
    """``<#C123>`` for a channel ID we were given; built here, so it is never escaped."""
    if channel_id and _CHANNEL_ID.fullmatch(channel_id):
        return f"<#{channel_id}>"
    return fallback


SANDBOX_NOTE = "🧪 Sandbox: built-in demo data, not a real Statsig project."


def with_sandbox_note(msg: Message) -> Message:
    """``msg`` saying that it comes from the demo sandbox (``serve --sandbox``), so nobody
    mistakes a "Killed" for a real kill."""
    if len(msg.blocks) >= MAX_BLOCKS or SANDBOX_NOTE in str(msg.blocks[-1:]):
        return msg
    return Message(msg.text, [*msg.blocks, context([SANDBOX_NOTE])])


def render_ids_question(
    plan: Message, ids: Sequence[str], *, prefix: str, not_sent: bool
) -> Message:
    """The plan of a change whose space-separated IDs ran to the end of the line, with the
    question: were the last words a reason? (``prefix`` is ``/statsig `` in Slack;
    ``not_sent`` where the command itself would have been the confirmation.)"""
    shown = ", ".join(ident(i, 60) for i in ids[:20])
    head = "Not sent: are all of these IDs?" if not_sent else "Are all of these IDs?"
    text = (
        f"⚠️ *{head}* {shown}\n"
        f"If the last words are the reason, put `--` before it "
        f"(`{esc(prefix, 20)}… {esc(ids[0], 60)} -- the reason`). To mean exactly these IDs, "
        f"separate them with commas (`{esc(','.join(ids[:4]), 200)}`)"
        + (" and run it again." if not_sent else ".")
    )
    fallback = f"{head} {esc_plain(', '.join(ids[:20]), 300)}"
    return message(fallback, [section(text), *plan.blocks])


def render_references(plan: Plan | None) -> Message:
    """ "ℹ️ Used by: 2 experiments" for a kill whose references were counted after it."""
    text = f"Used by: {used_by_text(plan, unreadable=True)}" if plan else "Used by: unknown"
    return message(esc_plain(text, 300), [section(f"ℹ️ {esc(text, 500)}")])


def render_note(text: str) -> Message:
    """One plain private line (``Approval requested: req_01.``)."""
    return message(esc(text, 2000), [section(esc(text, 2000))])


def render_still_trying(summary: str, reason: str, attempt: int, wait_s: float) -> Message:
    """Progress while Statsig fails and the bot retries (a kill must never go silent)."""
    text = (
        f"⏳ Still trying: {esc(reason, 200)} (attempt {attempt}); trying again in "
        f"{max(wait_s, 0.1):.1f} s. {esc(summary, 300)}"
    )
    return message(esc_plain(f"Still trying: {reason}, attempt {attempt}", 200), [section(text)])


def render_nothing_to_change(plan: Plan) -> Message:
    """The private answer to a change that would change nothing ("25% → 25%")."""
    said = (" already ", "nothing to ")
    why = next((w for w in plan.warnings if any(s in f" {w}" for s in said)), plan.summary)
    text = f"Nothing to change: {why.rstrip('.')}."
    return message(esc(text, 1000), [section(f"ℹ️ {esc(text, 1000)}")])


def render_pointer(outcome: Outcome, channel: str | None, *, warnings: Message | None) -> Message:
    """ "Killed: gate x is disabled. Announced in #channel." plus what went wrong around it:
    the requester's private copy of a result the channel already shows in full."""
    # A DM's ID is not a channel anyone else reads: say "the channel" rather than link it.
    dm = channel is not None and channel.startswith("D")
    where = "the channel" if dm else channel_mention(channel, "the channel")
    icon = "✅" if outcome.succeeded else "🚨"
    line = f"{icon} {esc(outcome.message.rstrip('.'), 800)}. Announced in {where}."
    extra = warnings.blocks if warnings is not None else []
    fallback = esc_plain(f"{outcome.message.rstrip('.')}. Announced.", 500)
    return message(fallback, [section(line), *extra])


def _request_line(request: ApprovalRequest) -> str:
    reason = f" — {esc(request.reason, 200)}" if request.reason else ""
    return (
        f"{ident(request.id, 40)} · {esc(state_badge(request), 60)} · "
        f"{esc(action_words(request.action), 40)} {ident(request.entity_id, 100)} "
        f"· by {person(request.requester.user_id)} "
        f"· {len(request.approvals)}/{plural(request.quorum, 'approval')}{reason}"
    )


def render_request_list(title: str, requests: Sequence[ApprovalRequest]) -> Message:
    """``approvals [mine|pending]``: one line per request (the first 40), or "No requests."."""
    lines = [_request_line(r) for r in requests[:_LISTED_REQUESTS]] or ["No requests."]
    body = [header(f"🗳️ {esc_plain(title, 100)}"), *packed_sections(lines, noun="request")]
    return message(f"{title}: {len(requests)}", body)


def render_unknown_request(request_id: str) -> Message:
    """No such open request: say which ID, and where the open ones are listed."""
    shown = ident(request_id, 40) if request_id.strip() else "with that ID"
    text = f"⚠️ No open request {shown}. {ident('approvals')} lists open ones."
    return message(f"No open request {esc_plain(request_id, 40)}.", [section(text)])


def _cause(channel: str | None, code: str) -> tuple[str, str]:
    """What went wrong, and what would fix it, in words."""
    where = channel_mention(channel)
    if code == "no_channel":
        return "There is no channel to post in here", ""
    if code == "ratelimited":
        return f"Slack is rate-limiting my messages in {where} right now", ""
    if code in _NOT_MEMBER:
        return (
            f"I am not a member of {where}",
            "Invite me with `/invite @statsig-ops` so cards there update themselves.",
        )
    if code == "is_archived":
        return f"{where} is archived", ""
    return f"Slack refused my message in {where} ({esc(code, 60)})", ""


def render_post_failure(
    channel: str | None, code: str, *, request_id: str | None, via_response_url: bool
) -> Message:
    """The requester's private explanation of a channel post Slack refused."""
    cause, fix = _cause(channel, code)
    if request_id and via_response_url:
        what = (
            "so I posted the approval request there through your command instead. That copy "
            "does not update itself; its buttons still work and show the request's state."
        )
    elif request_id:
        what = (
            f"so approval request {ident(request_id, 40)} has no card there. Approvers find "
            "it in my Home tab and with `/statsig approvals pending`."
        )
    elif via_response_url:
        what = "so I posted the announcement there through your command instead."
    else:
        what = "so the announcement was not posted."
    text = f"⚠️ {cause}, {what}" + (f" {fix}" if fix else "")
    return message(text, [section(text)])
