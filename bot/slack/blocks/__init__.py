"""Block Kit rendering: pure functions from core data to Slack messages.

Every renderer returns a :class:`Message` (``text`` fallback + ``blocks``) that fits Slack's
limits and has every user or Statsig string escaped. The shell shows the same messages via
:func:`bot.shell.render.render_text`.
"""

from __future__ import annotations

from bot.slack.blocks.common import Message
from bot.slack.blocks.entities import render_config, render_experiment, render_gate, render_segment
from bot.slack.blocks.errors import render_error
from bot.slack.blocks.help import HelpEntry, HelpItem, render_help
from bot.slack.blocks.history import render_audit, render_history
from bot.slack.blocks.limits import check_message, sdk_problems
from bot.slack.blocks.lists import (
    render_config_list,
    render_experiment_list,
    render_gate_list,
    render_segment_list,
)
from bot.slack.blocks.plans import render_outcome, render_plan
from bot.slack.blocks.values import PageRef, ShareRef

__all__ = [
    "HelpEntry",
    "HelpItem",
    "Message",
    "PageRef",
    "ShareRef",
    "check_message",
    "render_audit",
    "render_config",
    "render_config_list",
    "render_error",
    "render_experiment",
    "render_experiment_list",
    "render_gate",
    "render_gate_list",
    "render_help",
    "render_history",
    "render_outcome",
    "render_plan",
    "render_segment",
    "render_segment_list",
    "sdk_problems",
]
