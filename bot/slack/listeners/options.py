"""Type-ahead options for the gate picker (``external_select``), answered from a cache.

Slack waits 3 seconds for options. The answer comes from
:class:`~bot.slack.gate_names.GateNameCache` (in memory, refreshed in the background), so
it takes microseconds even for 10,000 gates; at most 100 options go back, as Slack allows.
On a cold cache with a slow Statsig the answer is whatever is known within
:data:`OPTIONS_BUDGET_SECONDS` (possibly nothing) while the listing goes on in the
background; a failure is logged and answered with an empty list, never a timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck

from bot.slack.deps import SlackDeps
from bot.slack.listeners.registry import Registrar
from bot.slack.views.modals import GATE_PICKER

__all__ = ["MAX_OPTIONS", "OPTIONS_BUDGET_SECONDS", "gate_options", "register"]

MAX_OPTIONS = 100
OPTIONS_BUDGET_SECONDS = 1.5
"""How long the options listener may work before it answers with what it has."""
_MAX_VALUE = 150
_MAX_TEXT = 75
_log = structlog.get_logger(__name__)


def _option(name: str) -> dict[str, Any]:
    label = name if len(name) <= _MAX_TEXT else name[: _MAX_TEXT - 1] + "…"
    return {"text": {"type": "plain_text", "text": label}, "value": name}


async def gate_options(deps: SlackDeps, query: str) -> list[dict[str, Any]]:
    """Options for what was typed so far (names too long for an option value are skipped)."""
    if deps.gate_names is None:
        return []
    names = await deps.gate_names.search(query, limit=MAX_OPTIONS)
    return [_option(n) for n in names if len(n) <= _MAX_VALUE]


def register(app: Registrar, deps: SlackDeps) -> None:
    async def on_gate_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        query = str(body.get("value") or "")
        try:
            options = await asyncio.wait_for(gate_options(deps, query), OPTIONS_BUDGET_SECONDS)
        except TimeoutError:
            _log.warning("slack.options_slow", budget=OPTIONS_BUDGET_SECONDS)
            options = []
        except Exception:
            _log.exception("slack.options_failed")
            options = []
        await ack(options=options)

    app.options(GATE_PICKER, on_gate_options)
