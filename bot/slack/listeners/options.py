"""Type-ahead options for the gate picker (``external_select``), answered from a cache.

Slack waits 3 seconds for options. The answer comes from
:class:`~bot.slack.gate_names.GateNameCache` (in memory, refreshed in the background), so
it takes microseconds even for 10,000 gates; at most 100 options go back, as Slack allows.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.blocks.modals import GATE_PICKER
from bot.slack.deps import SlackDeps

__all__ = ["MAX_OPTIONS", "gate_options", "register"]

MAX_OPTIONS = 100
_MAX_VALUE = 150
_MAX_TEXT = 75


def _option(name: str) -> dict[str, Any]:
    label = name if len(name) <= _MAX_TEXT else name[: _MAX_TEXT - 1] + "…"
    return {"text": {"type": "plain_text", "text": label}, "value": name}


async def gate_options(deps: SlackDeps, query: str) -> list[dict[str, Any]]:
    """Options for what was typed so far (names too long for an option value are skipped)."""
    if deps.gate_names is None:
        return []
    names = await deps.gate_names.search(query, limit=MAX_OPTIONS)
    return [_option(n) for n in names if len(n) <= _MAX_VALUE]


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def on_gate_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        try:
            options = await gate_options(deps, str(body.get("value") or ""))
        except Exception:
            options = []
        await ack(options=options)

    app.options(GATE_PICKER)(on_gate_options)
