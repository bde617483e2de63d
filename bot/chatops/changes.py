"""The change side of :class:`~bot.chatops.service.ChatOps`: command → plan → decision → commit.

Every change is planned before anything runs (``load`` → ``plan``), then the policy
decides for this actor, on this entity's tags, in this channel, with what Statsig itself
demands (a review). The result is a :class:`Proposal` the surface confirms; committing it
hands the plan to the approval workflow, which either runs it at once (recording it for
the audit trail and for ``restore``) or opens an approval request.

A plan that changes nothing (a rollout to the percentage the rule already has, enabling an
enabled gate) is answered privately with "Nothing to change: …" instead of a proposal, so
no approval request is ever opened for it.

Until the workflow is wired in (``workflow=None``), allowed changes run directly and
changes that need approval are refused with "approvals are unavailable".
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from bot.approvals.results import RunResult
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.freeze import Freezes
from bot.chatops.listings import held_in_review, unavailable
from bot.chatops.locks import open_request_lock
from bot.chatops.reads import Reads
from bot.chatops.replies import Context, Proposal, Reply
from bot.ops.actions.base import Action, PlanError
from bot.ops.actions.incident import Restore, RestoreRefused, with_references
from bot.ops.actions.registry import KILL_ACTION, is_incident
from bot.ops.model.decisions import (
    Allowed,
    Denied,
    NeedsApproval,
    ReviewRequirement,
    TeamAccess,
)
from bot.ops.model.plans import Plan
from bot.ops.policy.rules import Policy
from bot.render import render_error, render_outcome, render_plan
from bot.render.approvals import render_restore_refused
from bot.render.common import Message
from bot.render.freeze import with_override_note
from bot.render.replies import render_note, render_nothing_to_change, render_pointer
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ConsoleError

__all__ = ["Changes"]

_REMEMBERED_PLANS = 256
log = logging.getLogger(__name__)


class Changes:
    """Plans, decisions and commits for one deployment."""

    def __init__(
        self,
        client: ConsoleClient,
        policy: Policy,
        reads: Reads,
        workflow: ApprovalWorkflow | None,
        *,
        project_id: str | None = None,
        freezes: Freezes | None = None,
        noop_kill: Callable[[Plan, Context], Awaitable[Message | None]] | None = None,
    ) -> None:
        self._noop_kill = noop_kill
        self._freezes = freezes if freezes is not None else Freezes(workflow, policy)
        self._client = client
        self._policy = policy
        self._reads = reads
        self._workflow = workflow
        self._project_id = project_id
        # Only for running allowed plans without a workflow: plan fingerprint → action.
        self._actions: OrderedDict[str, Action] = OrderedDict()

    async def propose(
        self,
        action: Action,
        kind: str,
        ctx: Context,
        text: str,
        rename: Callable[[str], Action],
        *,
        override_freeze: str | None = None,
    ) -> Proposal | Reply:
        """Load and plan ``action`` (``rename`` rebuilds it for a corrected name), decide.

        A change freeze refuses it first (nothing is read from Statsig for a change that
        cannot happen), unless an admin overrides it with a reason.
        """
        frozen = await self._freezes.check(action.action, action.entity_id, override_freeze, ctx)
        if frozen.refusal is not None:
            return frozen.refusal

        async def load(name: str) -> tuple[Action, Any]:
            chosen = action if name == action.entity_id else rename(name)
            return chosen, await chosen.load(self._client)

        got = await self._reads.resolved(action.entity_kind, action.entity_id, load)
        if isinstance(got, Reply):
            return got
        chosen, current = got
        try:
            plan = chosen.plan(current)
        except RestoreRefused as exc:
            refused = render_restore_refused(
                exc.gate_id, exc.headline, exc.lines, exc.way_out, exc.source_request
            )
            return Reply(message=refused, ok=False)
        except PlanError as exc:
            return Reply(
                message=render_error("cannot plan this change", exc.user_message), ok=False
            )
        if plan.is_noop:
            # Already in the intended state: nothing to approve, run or announce. A kill of
            # a gate a timed kill holds off still says how long it stays off now.
            message = render_nothing_to_change(plan)
            if plan.action == KILL_ACTION and self._noop_kill is not None:
                said = await self._noop_kill(plan, ctx)
                if said is not None:
                    message = Message(message.text, [*message.blocks, *said.blocks])
            return Reply(message=message)
        decision = self._policy.decide(
            ctx.actor,
            plan.action,
            tags=plan.tags,
            channel=ctx.channel_id,
            kind=kind,
            review=ReviewRequirement(
                required=plan.review_required, allowed_reviewers=tuple(plan.allowed_reviewers)
            ),
            team=TeamAccess.of(plan),
        )
        unchecked = plan.entity_kind == "gate" and not plan.blast_radius.references_checked
        if isinstance(decision, NeedsApproval) and unchecked:
            # A kill waiting for a responder is not in a hurry: count what uses the gate,
            # so the approval card shows the blast radius the fast path skipped.
            try:
                plan = await with_references(self._client, plan)
            except ConsoleError as exc:
                log.info("references unreadable for %s: %s", plan.entity_id, exc.user_message)
        if not isinstance(decision, Denied):
            locked = await open_request_lock(self._workflow, plan, ctx.actor, decision)
            if locked is not None:
                return locked
        self._remember(plan, chosen)
        warnings = tuple(plan.warnings)
        shown = render_plan(plan)
        if frozen.overriding is not None:
            warnings += (f"Changes are frozen; this overrides the freeze: {override_freeze}",)
            shown = with_override_note(shown, frozen.overriding, override_freeze or "")
        return Proposal(
            plan=plan,
            decision=decision,
            message=shown,
            command_text=text,
            warnings=warnings,
            freeze_override=override_freeze if frozen.overriding is not None else None,
        )

    async def restore_action(
        self, target: str, reason: str, *, anyway: bool = False
    ) -> Action | Reply:
        """The :class:`Restore` for a request ID or gate, from the workflow's snapshot."""
        if self._workflow is None:
            return unavailable("Restoring a snapshot")
        source = await self._workflow.snapshot_for_restore(target)
        if source is None:
            held = await held_in_review(self._workflow, target)
            if held is not None:
                return held
            return Reply(
                message=render_error(
                    f"nothing to restore for {target}",
                    "There is no kill, disable or change of that gate or request with a "
                    "snapshot. Give the request ID from the kill message, or the gate name.",
                ),
                ok=False,
            )
        return Restore(
            source.gate_id,
            dict(source.snapshot),
            reason=reason,
            after_kill=dict(source.after_kill) if source.after_kill is not None else None,
            source=source.action,
            source_request=source.request_id,
            anyway=anyway,
        )

    async def commit(self, proposal: Proposal, ctx: Context) -> Reply:
        """Run, request approval for, or refuse a confirmed proposal."""
        plan, decision = proposal.plan, proposal.decision
        if isinstance(decision, Denied):
            return Reply(message=render_error("not allowed", decision.reason), ok=False)
        # Again: a freeze may have started since the plan was shown.
        override = proposal.freeze_override
        frozen = await self._freezes.check(plan.action, plan.entity_id, override, ctx)
        if frozen.refusal is not None:
            return frozen.refusal
        why = override if frozen.overriding is not None and override else ""
        if isinstance(decision, NeedsApproval):
            reply = await self._submit(plan, decision, ctx, why)
        else:
            reply = await self._run_now(plan, decision, ctx, why)
            if reply.outcome is not None and reply.outcome.succeeded:
                self._reads.changed(plan.entity_kind, reply.outcome.after)
        if frozen.overriding is not None and reply.ok:
            loud = self._freezes.override_notice(frozen.overriding, plan.summary, ctx, why)
            reply = dataclasses.replace(
                reply, announcements=(*reply.announcements, loud), incident_announcement=loud
            )
        return reply

    async def _submit(self, plan: Plan, need: NeedsApproval, ctx: Context, override: str) -> Reply:
        if self._workflow is None:
            return unavailable("This change")
        result = await self._workflow.submit(
            plan, need, ctx.actor, channel=ctx.channel_id, freeze_override=override
        )
        if result.request is None:
            return Reply(message=result.message, ok=False)
        request_id = result.request.id
        # The card below says who must approve; the private line only names the request.
        return Reply(
            message=render_note(f"Approval requested: {request_id}."),
            announcements=(result.message,),
            request_id=request_id,
        )

    async def _run_now(self, plan: Plan, decision: Allowed, ctx: Context, override: str) -> Reply:
        incident = is_incident(plan.action)
        if self._workflow is None:
            action = self._actions.get(plan.fingerprint())
            if action is None:
                return Reply(message=render_error("this plan has expired; plan it again"), ok=False)
            outcome = await action.execute(self._client, plan)
            message = render_outcome(outcome, project_id=self._project_id)
            ran = RunResult(message, outcome, None, audit_saved=False)
            return _ran(ran, message if incident else None, ctx.channel_id)
        result = await self._workflow.run_now(
            plan, ctx.actor, channel=ctx.channel_id, freeze_override=override
        )
        loud = result.announcement
        if loud is None and incident:
            loud = result.message
        return _ran(result, loud, ctx.channel_id)

    def _remember(self, plan: Plan, action: Action) -> None:
        key = plan.fingerprint()
        self._actions[key] = action
        self._actions.move_to_end(key)
        while len(self._actions) > _REMEMBERED_PLANS:
            self._actions.popitem(last=False)


def _ran(result: RunResult, loud: Message | None, channel: str | None) -> Reply:
    """A change that ran: shown in the channel when it worked; a kill is also announced.

    When the channel gets the loud announcement, the requester's private copy is only a
    pointer to it (plus any warning, such as a lost audit record), not the result again.
    """
    outcome, message = result.outcome, result.message
    ok = outcome is not None and outcome.succeeded
    extra = (loud,) if loud is not None and loud is not message else ()
    if extra and outcome is not None:
        message = render_pointer(outcome, channel, warnings=result.warnings)
    return Reply(
        message=message,
        visibility="channel" if ok and not extra else "private",
        ok=ok,
        announcements=extra,
        incident_announcement=loud if ok else None,
        request_id=result.request_id,
        outcome=outcome,
        warnings=result.warnings,
    )
