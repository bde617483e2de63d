"""Release pipelines that would undo a kill: found after the disable, paused or aborted.

The kill itself reads nothing but the gate (every extra round trip delays it), so the
pipeline check comes after the disable has landed, and only for a gate that names a
release pipeline (``releasePipelineID`` in its snapshot): one list call then. Pausing and
aborting are for incident responders, like the kill.
"""

from __future__ import annotations

import logging

from bot.approvals.results import stored_plan
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.replies import Context, Reply
from bot.ops.actions.load import FINISHED_PIPELINE_STATUSES
from bot.ops.actions.registry import KILL_ACTION
from bot.ops.model.states import ApprovalState
from bot.ops.policy.rules import Policy
from bot.render import render_error
from bot.render.common import Message
from bot.render.pipelines import PipelineView, render_pipeline_done, render_running_pipelines
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ConsoleError

__all__ = ["Pipelines"]

log = logging.getLogger(__name__)


class Pipelines:
    """The killed gate's running pipelines, and the Pause / Abort buttons."""

    def __init__(
        self, client: ConsoleClient, workflow: ApprovalWorkflow | None, policy: Policy
    ) -> None:
        self._client = client
        self._workflow = workflow
        self._policy = policy

    async def after_kill(self, request_id: str) -> Message | None:
        """The notice for an executed kill whose gate has a running pipeline, else ``None``
        (no pipeline, none running, or Statsig cannot say: logged)."""
        if self._workflow is None:
            return None
        request = await self._workflow.get(request_id)
        if request is None or request.action != KILL_ACTION:
            return None
        if request.state is not ApprovalState.EXECUTED:
            return None
        stored = stored_plan(request)
        if stored is None or not (stored.plan.snapshot or {}).get("releasePipelineID"):
            return None
        try:
            page = await self._client.list_pipeline_triggers(gate_id=request.entity_id)
        except ConsoleError as exc:
            log.warning("pipelines of %s unreadable: %s", request.entity_id, exc.user_message)
            return None
        running: list[PipelineView] = [
            (t.id, t.current_phase_id or "", t.current_phase or "", t.description or "")
            for t in page.data
            if (t.status or "").upper() not in FINISHED_PIPELINE_STATUSES
        ]
        return render_running_pipelines(request.entity_id, running) if running else None

    async def pause(self, value: str, ctx: Context) -> Reply:
        """**Pause pipeline** (``value`` is ``trigger|phase``)."""
        trigger_id, _, phase_id = value.partition("|")
        refused = self._refusal(ctx)
        if refused is not None:
            return refused
        try:
            trigger = await self._client.pause_pipeline_trigger(trigger_id, phase_id=phase_id)
        except ConsoleError as exc:
            return Reply(message=render_error("the pipeline was not paused", exc.user_message),
                         ok=False)  # fmt: skip
        done = render_pipeline_done(trigger.id, "paused", ctx.actor.user_id, trigger.status or "")
        return Reply(message=done, visibility="channel")

    async def abort(self, trigger_id: str, ctx: Context) -> Reply:
        """**Abort pipeline**."""
        refused = self._refusal(ctx)
        if refused is not None:
            return refused
        try:
            trigger = await self._client.abort_pipeline_trigger(trigger_id)
        except ConsoleError as exc:
            return Reply(message=render_error("the pipeline was not aborted", exc.user_message),
                         ok=False)  # fmt: skip
        done = render_pipeline_done(trigger.id, "aborted", ctx.actor.user_id, trigger.status or "")
        return Reply(message=done, visibility="channel")

    def _refusal(self, ctx: Context) -> Reply | None:
        if self._policy.is_responder(ctx.actor):
            return None
        return Reply(
            message=render_error(
                "only incident responders pause or abort a release pipeline",
                "Ask a responder, or do it in the Statsig console.",
            ),
            ok=False,
        )
