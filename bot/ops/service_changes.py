"""The change side of :class:`~bot.ops.service.ChatOps`: command → plan → decision → commit.

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

import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from bot.ops.actions import Action, PlanError, Restore
from bot.ops.identity import Actor
from bot.ops.plans import Outcome, Plan
from bot.ops.policy import Allowed, Denied, NeedsApproval, Policy, ReviewRequirement
from bot.ops.replies import Context, Proposal, Reply
from bot.ops.service_listings import held_in_review, redis_unavailable, unavailable
from bot.ops.service_locks import open_request_lock
from bot.ops.service_reads import Reads
from bot.slack.blocks import render_error, render_outcome, render_plan
from bot.slack.blocks.common import (
    Message,
    esc,
    esc_plain,
    message,
    section,
)
from bot.statsig.client import ConsoleClient

__all__ = [
    "Changes",
    "RestoreSourceLike",
    "WorkflowLike",
    "nothing_to_change",
    "redis_unavailable",
    "unavailable",
]

INCIDENT_ACTIONS = ("incident.kill", "incident.restore")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
_REMEMBERED_PLANS = 256


class RestoreSourceLike(Protocol):
    """What ``snapshot_for_restore`` gives back: the gate and its state before the change."""

    @property
    def gate_id(self) -> str: ...

    @property
    def snapshot(self) -> dict[str, Any]: ...


class WorkflowLike(Protocol):
    """The parts of :class:`bot.approvals.workflow.ApprovalWorkflow` the core calls."""

    async def submit(
        self, plan: Plan, need: NeedsApproval, requester: Actor, *, channel: str | None
    ) -> Any: ...

    async def run_now(self, plan: Plan, requester: Actor, *, channel: str | None) -> Any: ...

    async def snapshot_for_restore(self, ref: str) -> Any: ...

    async def pending(self) -> Any: ...

    async def in_review(self) -> Any: ...

    async def mine(self, actor: Actor) -> Any: ...

    async def audit_entries(
        self, *, entity: tuple[str, str] | None = None, since_seconds: float | None = None
    ) -> Any: ...

    async def get(self, request_id: str) -> Any: ...


class Changes:
    """Plans, decisions and commits for one deployment."""

    def __init__(
        self,
        client: ConsoleClient,
        policy: Policy,
        reads: Reads,
        workflow: WorkflowLike | None,
        *,
        project_id: str | None = None,
    ) -> None:
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
    ) -> Proposal | Reply:
        """Load and plan ``action`` (``rename`` rebuilds it for a corrected name), decide."""

        async def load(name: str) -> tuple[Action, Any]:
            chosen = action if name == action.entity_id else rename(name)
            return chosen, await chosen.load(self._client)

        got = await self._reads.resolved(action.entity_kind, action.entity_id, load)
        if isinstance(got, Reply):
            return got
        chosen, current = got
        try:
            plan = chosen.plan(current)
        except PlanError as exc:
            return Reply(
                message=render_error("cannot plan this change", exc.user_message), ok=False
            )
        if plan.is_noop:
            # Already in the intended state: nothing to approve, run or announce.
            return Reply(message=nothing_to_change(plan))
        decision = self._policy.decide(
            ctx.actor,
            plan.action,
            tags=plan.tags,
            channel=ctx.channel_id,
            kind=kind,
            review=ReviewRequirement(
                required=plan.review_required, allowed_reviewers=tuple(plan.allowed_reviewers)
            ),
        )
        if not isinstance(decision, Denied):
            locked = await open_request_lock(self._workflow, plan, ctx.actor)
            if locked is not None:
                return locked
        self._remember(plan, chosen)
        return Proposal(
            plan=plan,
            decision=decision,
            message=render_plan(plan),
            command_text=text,
            warnings=tuple(plan.warnings),
        )

    async def restore_action(self, target: str, reason: str) -> Action | Reply:
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
        after_kill = getattr(source, "after_kill", None)
        return Restore(
            source.gate_id,
            dict(source.snapshot),
            reason=reason,
            after_kill=dict(after_kill) if isinstance(after_kill, dict) else None,
            source=str(getattr(source, "action", "incident.kill")),
        )

    async def commit(self, proposal: Proposal, ctx: Context) -> Reply:
        """Run, request approval for, or refuse a confirmed proposal."""
        plan, decision = proposal.plan, proposal.decision
        if isinstance(decision, Denied):
            return Reply(message=render_error("not allowed", decision.reason), ok=False)
        self._reads.forget(plan.entity_kind)
        if isinstance(decision, NeedsApproval):
            return await self._submit(plan, decision, ctx)
        return await self._run_now(plan, decision, ctx)

    async def _submit(self, plan: Plan, need: NeedsApproval, ctx: Context) -> Reply:
        if self._workflow is None:
            return unavailable("This change")
        result = await self._workflow.submit(plan, need, ctx.actor, channel=ctx.channel_id)
        request = getattr(result, "request", None)
        message: Message = result.message
        if request is None:
            return Reply(message=message, ok=False)
        request_id = str(request.id)
        # The card below says who must approve; the private line only names the request.
        return Reply(
            message=_note(f"Approval requested: {request_id}."),
            announcements=(message,),
            request_id=request_id,
        )

    async def _run_now(self, plan: Plan, decision: Allowed, ctx: Context) -> Reply:
        incident = plan.action in INCIDENT_ACTIONS
        if self._workflow is None:
            action = self._actions.get(plan.fingerprint())
            if action is None:
                return Reply(message=render_error("this plan has expired; plan it again"), ok=False)
            outcome = await action.execute(self._client, plan)
            message = render_outcome(outcome, project_id=self._project_id)
            return _ran(message, outcome, None, message if incident else None, ctx.channel_id)
        result = await self._workflow.run_now(plan, ctx.actor, channel=ctx.channel_id)
        ran: Outcome | None = getattr(result, "outcome", None)
        loud: Message | None = getattr(result, "announcement", None)
        if loud is None and incident:
            loud = result.message
        request_id = getattr(result, "request_id", None)
        return _ran(result.message, ran, request_id, loud, ctx.channel_id)

    def _remember(self, plan: Plan, action: Action) -> None:
        key = plan.fingerprint()
        self._actions[key] = action
        self._actions.move_to_end(key)
        while len(self._actions) > _REMEMBERED_PLANS:
            self._actions.popitem(last=False)


def _ran(
    message: Message,
    outcome: Outcome | None,
    request_id: str | None,
    loud: Message | None,
    channel: str | None,
) -> Reply:
    """A change that ran: shown in the channel when it worked; a kill is also announced.

    When the channel gets the loud announcement, the requester's private copy is only a
    pointer to it (plus any warning, such as a lost audit record), not the result again.
    """
    ok = outcome is not None and outcome.succeeded
    extra = (loud,) if loud is not None and loud is not message else ()
    if extra and outcome is not None:
        message = _pointer(message, outcome, channel)
    return Reply(
        message=message,
        visibility="channel" if ok and not extra else "private",
        ok=ok,
        announcements=extra,
        incident_announcement=loud if ok else None,
        request_id=request_id,
        outcome=outcome,
    )


def _pointer(full: Message, outcome: Outcome, channel: str | None) -> Message:
    """ "Killed: gate x is disabled. Announced in #channel." with the full copy's warnings."""
    where = f"<#{channel}>" if channel and _CHANNEL_ID.fullmatch(channel) else "the channel"
    icon = "✅" if outcome.succeeded else "🚨"
    line = f"{icon} {esc(outcome.message.rstrip('.'), 800)}. Announced in {where}."
    warnings = [b for b in full.blocks if _is_warning(b)]
    return message(esc_plain(f"{outcome.message.rstrip('.')}. Announced.", 500),
                   [section(line), *warnings])  # fmt: skip


def _is_warning(block: dict[str, Any]) -> bool:
    text = block.get("text")
    value = text.get("text") if isinstance(text, dict) else None
    return block.get("type") == "section" and isinstance(value, str) and value.startswith("⚠️")


def nothing_to_change(plan: Plan) -> Message:
    """The private answer to a change that would change nothing ("25% → 25%")."""
    said = (" already ", "nothing to ")
    why = next((w for w in plan.warnings if any(s in f" {w}" for s in said)), plan.summary)
    text = f"Nothing to change: {why.rstrip('.')}."
    return message(esc(text, 1000), [section(f"ℹ️ {esc(text, 1000)}")])


def _note(text: str) -> Message:
    return message(esc(text, 2000), [section(esc(text, 2000))])
