"""Hostile and failing conditions at the Slack edge, over real HTTP (issue 17).

Each test drives ``/slack/events`` of the real app served by uvicorn on loopback, with the
fake Slack, the sandbox and a real redis-server, the way the black-box review did; the
``w`` (world) and ``bot`` fixtures are the Slack suite's own.
"""

from __future__ import annotations

from tests.slack.conftest import bot, w

__all__ = ["bot", "w"]
