"""The "Disable a gate" global shortcut: open the form while the trigger is fresh.

The form needs no Statsig data up front (the gate picker loads its options by itself), so
the shortcut opens it directly, then makes sure the gate-name cache is being filled for the
picker's first keystroke (in the background: the options listener never waits long).
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.render.errors import render_error
from bot.slack.deps import SlackDeps
from bot.slack.listeners.registry import Registrar
from bot.slack.listeners.support import Target, run_guarded, send_private, slack_error_code
from bot.slack.views import modals

__all__ = ["register"]

_log = structlog.get_logger(__name__)


def register(app: Registrar, deps: SlackDeps) -> None:
    async def on_disable_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        target = Target(str((body.get("user") or {}).get("id") or ""))

        async def work() -> None:
            view = modals.disable_gate_modal()
            try:
                await deps.client.views_open(trigger_id=str(body.get("trigger_id")), view=view)
            except SlackApiError as exc:  # an expired or reused trigger, mostly
                _log.warning("slack.views_open_failed", error=slack_error_code(exc))
                await send_private(deps, target, render_error(
                    "Slack did not let me open the form",
                    "Please use the shortcut again, or type /statsig kill <gate> <reason>.",
                ))  # fmt: skip
                return
            if deps.gate_names is not None:
                deps.gate_names.prefetch()

        await run_guarded(deps, "shortcut", target, work)

    app.shortcut(modals.DISABLE_GATE_SHORTCUT, on_disable_shortcut)
