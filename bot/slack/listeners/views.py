"""Form submissions: validate inline (``response_action: errors``), then act after the ack.

Validation is local and instant, so it happens before the ack and a person sees their
mistake next to the field. Everything else (identity, plan, policy, Statsig) runs after the
ack has closed the form; the answer arrives as an ephemeral message in the channel the form
came from, or as a DM.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.deps import SlackDeps
from bot.slack.listeners.commands import run_command
from bot.slack.listeners.events import publish_home
from bot.slack.listeners.forms import (
    MAX_IDS,
    checked,
    chosen_rule,
    kill_command,
    overrides_command,
    parse_ids,
    parse_pct,
    restore_anyway_command,
    rollout_command,
    selected,
    typed,
)
from bot.slack.listeners.registry import Registrar
from bot.slack.listeners.support import (
    Target,
    context_for,
    run_guarded,
    send_private,
)
from bot.slack.views import modals
from bot.slack.views.modals import ModalMeta

__all__ = [
    "MIN_REJECT_REASON",
    "register",
    "validate_disable",
    "validate_overrides",
    "validate_reject",
    "validate_rollout",
]

MIN_REJECT_REASON = 3
Errors = dict[str, str]
View = Mapping[str, Any]


def validate_rollout(view: View) -> Errors:
    """A rule, a percentage, and a change: the rule's current % comes with its option."""
    errors: Errors = {}
    rule = chosen_rule(view)
    if rule is None:
        errors[modals.ROLLOUT_RULE_BLOCK] = "Choose the rule to roll out."
    pct = parse_pct(typed(view, modals.ROLLOUT_PCT_BLOCK, modals.ROLLOUT_PCT))
    if pct is None:
        errors[modals.ROLLOUT_PCT_BLOCK] = "Enter a percentage from 0 to 100."
    elif rule is not None and rule[1] == pct:
        errors[modals.ROLLOUT_PCT_BLOCK] = (
            f"The rule already passes {pct:g}%: nothing to change. Pick another percentage."
        )
    return errors


def validate_overrides(view: View) -> Errors:
    good, bad = parse_ids(typed(view, modals.OVERRIDE_IDS_BLOCK, modals.OVERRIDE_IDS))
    if bad:
        shown = ", ".join(b[:40] for b in bad[:3])
        return {modals.OVERRIDE_IDS_BLOCK: f"These are not valid IDs: {shown}"}
    if not good:
        return {modals.OVERRIDE_IDS_BLOCK: "Enter at least one ID."}
    if len(good) > MAX_IDS:
        return {modals.OVERRIDE_IDS_BLOCK: f"At most {MAX_IDS} IDs at a time."}
    return {}


def validate_disable(view: View) -> Errors:
    errors: Errors = {}
    if not selected(view, modals.GATE_BLOCK, modals.GATE_PICKER):
        errors[modals.GATE_BLOCK] = "Pick the gate to disable."
    if not selected(view, modals.CHANNEL_BLOCK, modals.CHANNEL_PICKER):
        errors[modals.CHANNEL_BLOCK] = "Pick the channel to announce the change in."
    window = selected(view, modals.KILL_WINDOW_BLOCK, modals.KILL_WINDOW)
    auto = checked(view, modals.KILL_AUTO_RESTORE_BLOCK, modals.KILL_AUTO_RESTORE)
    if modals.AUTO_RESTORE in auto and window in ("", modals.UNTIL_RESTORED):
        errors[modals.KILL_AUTO_RESTORE_BLOCK] = (
            "Pick how long it stays disabled, to restore it then."
        )
    return errors


def validate_reject(view: View) -> Errors:
    if len(typed(view, modals.REASON_BLOCK, modals.REASON)) < MIN_REJECT_REASON:
        return {modals.REASON_BLOCK: "Say why, so the requester knows what to change."}
    return {}


def _command_text(callback_id: str, view: View) -> str:
    meta = ModalMeta.decode(view.get("private_metadata"))
    reason = typed(view, modals.REASON_BLOCK, modals.REASON)
    if callback_id == modals.ROLLOUT_MODAL:
        rule = chosen_rule(view)
        pct = parse_pct(typed(view, modals.ROLLOUT_PCT_BLOCK, modals.ROLLOUT_PCT)) or 0.0
        return rollout_command(meta.gate, rule[0] if rule else "", pct, reason)
    if callback_id == modals.OVERRIDES_MODAL:
        ids, _ = parse_ids(typed(view, modals.OVERRIDE_IDS_BLOCK, modals.OVERRIDE_IDS))
        mode = selected(view, modals.OVERRIDE_MODE_BLOCK, modals.OVERRIDE_MODE) or "pass"
        env = selected(view, modals.OVERRIDE_ENV_BLOCK, modals.OVERRIDE_ENV)
        return overrides_command(meta.gate, mode, ids, env, reason)
    gate = selected(view, modals.GATE_BLOCK, modals.GATE_PICKER)
    window = selected(view, modals.KILL_WINDOW_BLOCK, modals.KILL_WINDOW)
    auto = modals.AUTO_RESTORE in checked(
        view, modals.KILL_AUTO_RESTORE_BLOCK, modals.KILL_AUTO_RESTORE
    )
    timed = window if window and window != modals.UNTIL_RESTORED else None
    return kill_command(gate, reason, window=timed, auto_restore=auto and timed is not None)


def _channel(callback_id: str, view: View) -> str | None:
    if callback_id == modals.DISABLE_GATE_MODAL:
        return selected(view, modals.CHANNEL_BLOCK, modals.CHANNEL_PICKER) or None
    return ModalMeta.decode(view.get("private_metadata")).channel or None


def _submission(
    deps: SlackDeps, callback_id: str, validate: Callable[[View], Errors]
) -> Callable[..., Awaitable[None]]:
    async def listener(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        errors = validate(view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        user_id = str((body.get("user") or {}).get("id") or "")
        target = Target(user_id, _channel(callback_id, view))
        text = _command_text(callback_id, view)
        await run_guarded(deps, "form", target, lambda: run_command(deps, text, user_id, target))

    return listener


def register(app: Registrar, deps: SlackDeps) -> None:
    app.view(modals.ROLLOUT_MODAL, _submission(deps, modals.ROLLOUT_MODAL, validate_rollout))
    app.view(modals.OVERRIDES_MODAL, _submission(deps, modals.OVERRIDES_MODAL, validate_overrides))
    app.view(modals.DISABLE_GATE_MODAL, _submission(deps, modals.DISABLE_GATE_MODAL,
                                                    validate_disable))  # fmt: skip

    async def on_reject(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        errors = validate_reject(view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        meta = ModalMeta.decode(view.get("private_metadata"))
        user_id = str((body.get("user") or {}).get("id") or "")
        target = Target(user_id, meta.channel or None)
        reason = typed(view, modals.REASON_BLOCK, modals.REASON)

        async def work() -> None:
            ctx = await context_for(deps, user_id, target.channel_id)
            reply = await deps.chatops.requests.reject(meta.request_id, ctx, reason)
            await send_private(deps, target, reply.message)
            if meta.from_home:  # the rejected request must leave the person's Home tab
                await publish_home(deps, user_id)

        await run_guarded(deps, "reject", target, work)

    app.view(modals.REJECT_MODAL, on_reject)

    async def on_restore_anyway(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        if len(typed(view, modals.REASON_BLOCK, modals.REASON)) < MIN_REJECT_REASON:
            await ack(response_action="errors", errors={
                modals.REASON_BLOCK: "Say why: the changes made since will be lost."})  # fmt: skip
            return
        await ack()
        meta = ModalMeta.decode(view.get("private_metadata"))
        user_id = str((body.get("user") or {}).get("id") or "")
        target = Target(user_id, meta.channel or None)
        reason = typed(view, modals.REASON_BLOCK, modals.REASON)
        text = restore_anyway_command(meta.request_id, reason)
        await run_guarded(deps, "restore", target, lambda: run_command(deps, text, user_id, target))

    app.view(modals.RESTORE_ANYWAY_MODAL, on_restore_anyway)

    async def on_informational(ack: AsyncAck) -> None:
        await ack()

    app.view(modals.RESULT_MODAL, on_informational)
    app.view(modals.LOADING_MODAL, on_informational)
