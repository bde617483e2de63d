"""The "Disable a gate" global shortcut: open the form while the trigger is fresh.

The form needs no Statsig data up front (the gate picker loads its options by itself), so
the shortcut opens it directly, then makes sure the gate-name cache is being filled for the
picker's first keystroke (in the background: the options listener never waits long).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.deps import SlackDeps
from bot.slack.listeners.registry import Registrar
from bot.slack.listeners.support import Target, run_guarded
from bot.slack.views import modals

__all__ = ["register"]


def register(app: Registrar, deps: SlackDeps) -> None:
    async def on_disable_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        target = Target(str((body.get("user") or {}).get("id") or ""))

        async def work() -> None:
            view = modals.disable_gate_modal()
            await deps.client.views_open(trigger_id=str(body.get("trigger_id")), view=view)
            if deps.gate_names is not None:
                deps.gate_names.prefetch()

        await run_guarded(deps, "shortcut", target, work)

    app.shortcut(modals.DISABLE_GATE_SHORTCUT, on_disable_shortcut)
