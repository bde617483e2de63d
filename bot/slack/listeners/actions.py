"""Button clicks: approval decisions, restore, timed kills, share, next page, form clicks.

Every click is acked first. Approval decisions go through ``ChatOps.requests``, which answers
the clicker privately and moves the shared card itself through the workflow's notifier
(``chat.update`` + a thread entry), so a refused or late click changes nothing and still
gets an explanation. Reject opens a form for the reason (a rejection needs one) while the
click's trigger is fresh. A click on a *detached* card (one Slack would not let us post
with ``chat.postMessage``, see :mod:`bot.slack.listeners.delivery`) also redraws that card
from the request's state through the click's ``response_url``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.chatops.replies import Context, Proposal, Reply
from bot.ops.model.identity import Actor
from bot.render.errors import render_error
from bot.render.ids import (
    APPROVAL_APPROVE,
    APPROVAL_CANCEL,
    APPROVAL_REJECT,
    INCIDENT_KILL,
    INCIDENT_RESTORE,
    INCIDENT_RESTORE_TICKET,
    LIST_NEXT_PAGE,
    PIPELINE_ABORT,
    PIPELINE_PAUSE,
    RESTORE_ANYWAY,
    RESTORE_KEEP,
    SHARE_IN_CHANNEL,
    TIMER_EXTEND,
    TIMER_KEEP,
)
from bot.render.values import PageRef, ReplyRef
from bot.slack.deps import SlackDeps
from bot.slack.identity import IdentityError
from bot.slack.listeners.delivery import complete, deliver, refresh_clicked_card
from bot.slack.listeners.events import publish_home
from bot.slack.listeners.forms import open_overrides_form, preview_rollout, update_view
from bot.slack.listeners.progress import ProgressReporter
from bot.slack.listeners.registry import Registrar
from bot.slack.listeners.support import (
    Target,
    context_for,
    run_guarded,
    send_private,
)
from bot.slack.share import with_share_button, without_buttons
from bot.slack.views import modals
from bot.slack.views.modals import ModalMeta

__all__ = ["click_target", "register"]

Work = Callable[[dict[str, Any], Target], Awaitable[None]]
_GATE_ID = re.compile(r"[A-Za-z0-9_.\-]{1,100}")


def click_target(body: Mapping[str, Any]) -> Target:
    """Where a click's private answer goes (a Home tab click has no channel: a DM)."""
    user_id = str((body.get("user") or {}).get("id") or "")
    channel = (body.get("channel") or {}).get("id")
    return Target(user_id, channel, body.get("response_url"))


def _value(body: Mapping[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def _from_home(body: Mapping[str, Any]) -> bool:
    return (body.get("view") or {}).get("type") == "home"


class _Clicks:
    """The click handlers, closed over the app's dependencies."""

    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    def wrap(self, kind: str, work: Work) -> Callable[..., Awaitable[None]]:
        async def listener(ack: AsyncAck, body: dict[str, Any]) -> None:
            await ack()
            target = click_target(body)
            await run_guarded(self.deps, kind, target, lambda: work(body, target))

        return listener

    async def decide(self, body: dict[str, Any], target: Target) -> None:
        requests = self.deps.chatops.requests
        request_id = _value(body)
        action_id = str((body.get("actions") or [{}])[0].get("action_id"))
        ctx = await context_for(self.deps, target.user_id, target.channel_id)
        if action_id == APPROVAL_APPROVE:
            reply = await requests.approve(request_id, ctx)
        else:
            reply = await requests.cancel(request_id, ctx)
        await send_private(self.deps, target, reply.message)
        if _from_home(body):
            await publish_home(self.deps, target.user_id)
        else:
            await refresh_clicked_card(self.deps, target, request_id)

    async def reject(self, body: dict[str, Any], target: Target) -> None:
        message_ts = str((body.get("container") or {}).get("message_ts") or "")
        request_id = _value(body)
        if len(request_id) > modals.MAX_META_ID or len(message_ts) > modals.MAX_META_ID:
            await send_private(self.deps, target, render_error("That button is out of date"))
            return
        ctx = Context(actor=Actor(target.user_id), channel_id=target.channel_id)
        closed = await self.deps.chatops.requests.why_not_open(request_id, ctx)
        if closed is not None:  # executed, cancelled, expired: no form for nothing
            await send_private(self.deps, target, closed.message)
            await refresh_clicked_card(self.deps, target, request_id)
            return
        meta = ModalMeta(
            request_id=request_id,
            channel=target.channel_id or "",
            ts=message_ts,
            from_home=_from_home(body),
        )
        try:
            await self.deps.client.views_open(
                trigger_id=str(body.get("trigger_id")), view=modals.reject_modal(meta)
            )
        except SlackApiError:
            await send_private(self.deps, target, render_error(
                "Slack did not let me open the reject form", "Please click Reject again."
            ))  # fmt: skip
            return
        if not _from_home(body):
            await refresh_clicked_card(self.deps, target, request_id)

    async def restore(self, body: dict[str, Any], target: Target) -> None:
        await self._command(f"restore {_value(body)}", target)

    async def restore_ticket(self, body: dict[str, Any], target: Target) -> None:
        """Restore of a kill made while Redis was down: the button carries the snapshot."""
        ops = self.deps.chatops
        ctx = await context_for(self.deps, target.user_id, target.channel_id)
        result = await ops.restore_from_ticket(_value(body), ctx)
        await self._commit(result, ctx, target)

    async def kill(self, body: dict[str, Any], target: Target) -> None:
        """A Disable button on ``recent``: the kill path, as if ``kill <gate>`` was typed."""
        gate = _value(body)
        if not _GATE_ID.fullmatch(gate):
            await send_private(self.deps, target, render_error("That button is out of date"))
            return
        await self._command(f"kill {gate} -- disabled from the list of recent changes", target)

    async def timer(self, body: dict[str, Any], target: Target) -> None:
        """A timed kill's reminder: Keep disabled (the same window again) or for good."""
        action_id = str((body.get("actions") or [{}])[0].get("action_id"))
        ctx = await context_for(self.deps, target.user_id, target.channel_id)
        timers = self.deps.chatops.timers
        kill_id = _value(body)
        if action_id == TIMER_EXTEND:
            reply = await timers.extend(kill_id, ctx)
        else:
            reply = await timers.keep(kill_id, ctx)
        await send_private(self.deps, target, reply.message)

    async def pipeline(self, body: dict[str, Any], target: Target) -> None:
        """Pause or abort a release pipeline that would change a killed gate again."""
        action_id = str((body.get("actions") or [{}])[0].get("action_id"))
        ctx = await context_for(self.deps, target.user_id, target.channel_id)
        pipelines = self.deps.chatops.pipelines
        if action_id == PIPELINE_PAUSE:
            reply = await pipelines.pause(_value(body), ctx)
        else:
            reply = await pipelines.abort(_value(body), ctx)
        await send_private(self.deps, target, reply.message, in_channel=reply.ok)

    async def restore_anyway(self, body: dict[str, Any], target: Target) -> None:
        """A refused restore's "Restore snapshot anyway": ask why first (a form)."""
        request_id = _value(body)
        if len(request_id) > modals.MAX_META_ID:
            await send_private(self.deps, target, render_error("That button is out of date"))
            return
        meta = ModalMeta(request_id=request_id, channel=target.channel_id or "")
        try:
            await self.deps.client.views_open(
                trigger_id=str(body.get("trigger_id")), view=modals.restore_anyway_modal(meta)
            )
        except SlackApiError:
            await send_private(self.deps, target, render_error(
                "Slack did not let me open the form",
                f"Type /statsig restore {request_id} --anyway <why> instead.",
            ))  # fmt: skip

    async def keep_current(self, body: dict[str, Any], target: Target) -> None:
        """A refused restore's "Keep current": the gate stays as it is now."""
        ctx = await context_for(self.deps, target.user_id, target.channel_id)
        reply = await self.deps.chatops.timers.keep_current(_value(body), ctx)
        await send_private(self.deps, target, reply.message)

    async def _command(self, text: str, target: Target) -> None:
        ops = self.deps.chatops
        ctx = await context_for(self.deps, target.user_id, target.channel_id)
        await self._commit(await ops.handle(text, ctx), ctx, target)

    async def _commit(self, result: Reply | Proposal, ctx: Context, target: Target) -> None:
        """Deliver a reply, or commit a proposal (saying "still trying" while Statsig fails)."""
        if not isinstance(result, Proposal):
            await deliver(self.deps, result, target)
            return
        progress = ProgressReporter(
            self.deps, target, result.plan.summary, in_channel=result.announced
        )
        reply = await self.deps.chatops.commit(result, ctx, progress=progress)
        await progress.drain()
        await deliver(self.deps, reply, target)

    async def share(self, body: dict[str, Any], target: Target) -> None:
        """Re-render the read a button names, for the whole channel (without its buttons)."""
        ops = self.deps.chatops
        value = _value(body)
        ctx = Context(actor=await self._reader(target), channel_id=target.channel_id)
        try:
            ref: ReplyRef | None = ReplyRef.decode(value)
        except ValueError:
            ref = None
        if ref is None:
            reply = await ops.show(value, ctx)
        elif ref.kind == "list":
            reply = await complete(await ops.list_page(ref.noun, ref.page, ref.query, ctx))
        else:
            result = await ops.handle(ref.command_text(), ctx)
            if isinstance(result, Proposal):  # a reference only ever names a read
                reply = Reply(message=render_error("That button is out of date"), ok=False)
            else:
                reply = await complete(result)
        shown = without_buttons(reply.message) if reply.ok else reply.message
        await send_private(self.deps, target, shown, in_channel=reply.ok)

    async def next_page(self, body: dict[str, Any], target: Target) -> None:
        ops = self.deps.chatops
        try:
            ref = PageRef.decode(_value(body))
        except ValueError:
            await send_private(self.deps, target, render_error("That button is out of date"))
            return
        ctx = Context(actor=await self._reader(target), channel_id=target.channel_id)
        reply = await complete(await ops.list_page(ref.kind, ref.page, ref.query, ctx))
        shown = reply.message
        if reply.ok:
            page = ReplyRef("list", noun=ref.kind, page=ref.page, query=ref.query)
            shown = with_share_button(shown, page)
        await send_private(self.deps, target, shown, replace_original=True)

    async def _reader(self, target: Target) -> Actor:
        """Reads need no email: fall back to a bare actor when identity is unavailable."""
        try:
            return await self.deps.identity.actor(target.user_id)
        except IdentityError:
            return Actor(target.user_id)

    async def form_changed(self, body: dict[str, Any], target: Target) -> None:
        view = body.get("view") or {}
        ctx = await context_for(self.deps, target.user_id, None)
        updated = await preview_rollout(self.deps, view, ctx)
        if updated is not None:
            # Guarded by the hash of the view this click saw: a newer state (the person
            # typed on, and a later preview landed first) is never overwritten by an older.
            view_hash = str(view.get("hash") or "") or None
            await update_view(self.deps, str(view.get("id")), updated, view_hash=view_hash)

    async def to_overrides(self, body: dict[str, Any], target: Target) -> None:
        await open_overrides_form(self.deps, body.get("view") or {})


async def _ack_only(ack: AsyncAck) -> None:
    """Selections inside forms that need no work until the form is submitted."""
    await ack()


def register(app: Registrar, deps: SlackDeps) -> None:
    clicks = _Clicks(deps)
    app.action(APPROVAL_APPROVE, clicks.wrap("approve", clicks.decide))
    app.action(APPROVAL_CANCEL, clicks.wrap("cancel", clicks.decide))
    app.action(APPROVAL_REJECT, clicks.wrap("reject", clicks.reject))
    app.action(INCIDENT_RESTORE, clicks.wrap("restore", clicks.restore))
    app.action(INCIDENT_KILL, clicks.wrap("kill", clicks.kill))
    app.action(INCIDENT_RESTORE_TICKET, clicks.wrap("restore", clicks.restore_ticket))
    app.action(TIMER_EXTEND, clicks.wrap("timer", clicks.timer))
    app.action(TIMER_KEEP, clicks.wrap("timer", clicks.timer))
    app.action(RESTORE_ANYWAY, clicks.wrap("restore", clicks.restore_anyway))
    app.action(PIPELINE_PAUSE, clicks.wrap("pipeline", clicks.pipeline))
    app.action(PIPELINE_ABORT, clicks.wrap("pipeline", clicks.pipeline))
    app.action(RESTORE_KEEP, clicks.wrap("restore", clicks.keep_current))
    app.action(SHARE_IN_CHANNEL, clicks.wrap("share", clicks.share))
    app.action(LIST_NEXT_PAGE, clicks.wrap("next_page", clicks.next_page))
    app.action(modals.ROLLOUT_RULE, clicks.wrap("form_preview", clicks.form_changed))
    app.action(modals.ROLLOUT_PCT, clicks.wrap("form_preview", clicks.form_changed))
    app.action(modals.OPEN_OVERRIDES, clicks.wrap("form_switch", clicks.to_overrides))
    for action_id in (modals.GATE_PICKER, modals.CHANNEL_PICKER, modals.OVERRIDE_MODE,
                      modals.OVERRIDE_ENV):  # fmt: skip
        app.action(action_id, _ack_only)
