"""``/statsig``: ack at once, then parse, plan, decide and answer through ``response_url``.

The ack carries nothing (Slack shows nothing for an empty ack), so Slack gets its answer
within milliseconds whatever Statsig or Redis are doing; everything slow happens after it.
A proposal from a slash command is committed right away: typing the command *is* the
confirmation, and the policy still decides whether it runs now or becomes an approval
request posted in the channel. ``edit <noun> <name>`` opens a form instead, and uses the
command's trigger before it expires (see :mod:`bot.slack.listeners.forms`).

Private read replies get a "Share in channel" button (:mod:`bot.slack.share`) when their
renderer did not already add one.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import structlog
from slack_bolt.async_app import AsyncAck

from bot.chatops.replies import Context, Proposal, Reply
from bot.ops.commands.models import EditCommand
from bot.ops.commands.parse import parse
from bot.ops.model.identity import Actor
from bot.render.errors import render_error
from bot.slack.deps import SlackDeps
from bot.slack.identity import IdentityError
from bot.slack.listeners.delivery import deliver
from bot.slack.listeners.forms import open_edit_form
from bot.slack.listeners.progress import ProgressReporter
from bot.slack.listeners.registry import Registrar
from bot.slack.listeners.support import (
    Target,
    run_guarded,
    send_private,
)
from bot.slack.share import with_share_button

__all__ = ["COMMAND", "register", "run_command"]

COMMAND: Final = "/statsig"
_log = structlog.get_logger(__name__)


async def run_command(deps: SlackDeps, text: str, user_id: str, target: Target) -> None:
    """Handle one command's text for ``user_id`` and deliver the answer to ``target``."""
    identity_problem: IdentityError | None = None
    try:
        ctx = Context(actor=await deps.identity.actor(user_id), channel_id=target.channel_id)
    except IdentityError as exc:
        # Reads need no identity; a change does, and then the person learns why.
        identity_problem = exc
        ctx = Context(actor=Actor(user_id), channel_id=target.channel_id)
    result = await deps.chatops.handle(text, ctx)
    if isinstance(result, Proposal):
        if identity_problem is not None:
            raise identity_problem
        progress = ProgressReporter(deps, target, result.plan.summary, in_channel=result.announced)
        reply: Reply = await deps.chatops.commit(result, ctx, progress=progress)
        await progress.drain()
        if not reply.ok:
            await _log_refused_change(deps, result, user_id)
    else:
        reply = _shareable(result)
    await deliver(deps, reply, target)


def _shareable(reply: Reply) -> Reply:
    """A private, successful read gets a "Share in channel" button (a slow one when its
    rest arrives)."""
    rest = reply.follow_up
    if rest is not None:

        async def follow_up() -> Reply:
            return _shareable(await rest())

        return dataclasses.replace(reply, follow_up=follow_up)
    if not reply.ok or reply.visibility != "private" or reply.announcements:
        return reply
    if reply.share is None:
        return reply
    return Reply(message=with_share_button(reply.message, reply.share), ok=True)


async def _log_refused_change(deps: SlackDeps, proposal: Proposal, user_id: str) -> None:
    """One line saying why a change went nowhere; Redis down is the case to page on."""
    redis_up = await deps.chatops.requests.available()
    fields = {"action": proposal.plan.action, "entity": proposal.plan.entity_id, "user": user_id}
    if redis_up:
        _log.info("slack.change_refused", redis="ok", **fields)
    else:
        _log.warning("slack.approvals_unavailable", redis="unreachable", **fields)


def register(app: Registrar, deps: SlackDeps) -> None:
    async def on_statsig(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        text = str(body.get("text") or "").strip()
        user_id = str(body.get("user_id") or "")
        target = Target(user_id, body.get("channel_id"), body.get("response_url"))

        async def work() -> None:
            command = parse(text) if text else None
            if isinstance(command, EditCommand):
                await open_edit_form(deps, command, str(body.get("trigger_id") or ""), target)
            elif not user_id:
                await send_private(deps, target, render_error("This command has no user"))
            else:
                await run_command(deps, text or "help", user_id, target)

        await run_guarded(deps, "command", target, work)

    app.command(COMMAND, on_statsig)
