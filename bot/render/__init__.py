"""Block Kit rendering: the product's one output language, pure functions of core values.

Every renderer returns a :class:`Message` (``text`` fallback + ``blocks``) that fits Slack's
limits and has every user or Statsig string escaped here and nowhere else. Slack posts these
messages and the shell shows the same ones (:func:`bot.shell.render.render_text`). No I/O,
no ``slack_bolt``: may import :mod:`bot.ops` and :mod:`bot.statsig` only. Modules inside
this package import each other's modules, never the package itself.
"""

from __future__ import annotations

from bot.render.common import Message
from bot.render.entities import render_config, render_experiment, render_gate, render_segment
from bot.render.errors import render_error
from bot.render.help import HelpEntry, HelpItem, render_help
from bot.render.history import render_audit, render_history
from bot.render.limits import check_message, sdk_problems
from bot.render.lists import render_list, render_list_loading
from bot.render.plans import render_outcome, render_plan
from bot.render.values import PageRef, ShareRef

__all__ = [
    "HelpEntry",
    "HelpItem",
    "Message",
    "PageRef",
    "ShareRef",
    "check_message",
    "render_audit",
    "render_config",
    "render_error",
    "render_experiment",
    "render_gate",
    "render_help",
    "render_history",
    "render_list",
    "render_list_loading",
    "render_outcome",
    "render_plan",
    "render_segment",
    "sdk_problems",
]
