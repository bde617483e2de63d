""" "Still trying": what people hear while Statsig fails and the bot retries a change.

Slack's command listener hands one of these to ``ChatOps.commit(progress=…)``; each retry
of a Statsig call below that commit calls it. The first retry is said at once, later ones
at most every :attr:`SlackDeps.progress_every` seconds, so an outage reads as a few clear
lines instead of silence or a flood. An incident change (a kill) says it in the channel,
where everyone waiting on the kill looks; anything else says it to the person privately.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import structlog

from bot.chatops.replies import StillTrying
from bot.render.common import Message
from bot.render.replies import render_still_trying
from bot.slack.deps import SlackDeps
from bot.slack.listeners.delivery import post_channel
from bot.slack.listeners.support import Target, send_private

__all__ = ["ProgressReporter"]

_log = structlog.get_logger(__name__)


class ProgressReporter:
    """The listener for one change; :meth:`drain` waits for the posts it started."""

    def __init__(
        self,
        deps: SlackDeps,
        target: Target,
        summary: str,
        *,
        in_channel: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._deps = deps
        self._target = target
        self._summary = summary
        self._in_channel = in_channel and target.channel_id is not None
        self._clock = clock
        self._last: float | None = None
        self._posts: list[asyncio.Task[None]] = []
        self.said = 0

    def __call__(self, notice: StillTrying) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._deps.progress_every:
            return
        self._last = now
        self.said += 1
        message = render_still_trying(self._summary, notice.reason, notice.attempt, notice.wait_s)
        self._posts.append(asyncio.get_running_loop().create_task(self._post(message)))

    async def _post(self, message: Message) -> None:
        try:
            if self._in_channel and self._target.channel_id is not None:
                posted = await post_channel(self._deps, self._target.channel_id, message)
                if posted.ts is not None:
                    return
            await send_private(self._deps, self._target, message)
        except Exception:  # progress is a courtesy; the change itself goes on
            _log.warning("slack.progress_post_failed")

    async def drain(self) -> None:
        if self._posts:
            await asyncio.gather(*self._posts, return_exceptions=True)
