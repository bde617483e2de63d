"""Kill results, held kills and approval cards state each fact once."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from bot.chatops.replies import Reply
from bot.ops.model.decisions import GroupRef, NeedsApproval
from bot.ops.model.plans import FieldChange, Outcome, OutcomeStatus, Plan
from bot.ops.model.requests import ApprovalRequest, Requester
from bot.ops.model.states import ApprovalState
from bot.render.approvals import (
    ApprovalCard,
    render_approval_card,
    render_kill_announcement,
    render_run_result,
    render_run_warnings,
)
from bot.runtime import build_runtime
from bot.shell.render import render_text
from bot.shell.session import Printer, Session, _to_print
from tests.shell.shell_support import settings, shell

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _kill_plan() -> Plan:
    return Plan(
        action="incident.kill",
        entity_kind="gate",
        entity_id="payments_3ds",
        summary="KILL gate payments_3ds: disable it for everyone",
        reason="INC-7 3DS failing",
        changes=[FieldChange(field="isEnabled", before=True, after=False)],
    )


async def test_a_break_glass_kill_says_killed_once() -> None:
    ran = await shell(command="kill checkout_v2 INC-1 errors spiking", yes=True)
    assert ran.code == 0
    after_question = ran.out.split("Apply? [y/N]", 1)[1]
    assert after_question.count("is disabled") == 1, after_question
    assert "Now disabled." not in after_question
    assert after_question.count("INC-1 errors spiking") == 1


async def test_a_kill_held_for_review_says_not_disabled_once() -> None:
    plan = _kill_plan()
    outcome = Outcome(
        status=OutcomeStatus.PENDING_REVIEW,
        message="Gate payments_3ds is still ON (not disabled yet): Statsig holds the kill for "
        "review. Ask a Statsig reviewer of the gate (alice@example.com) to approve and commit "
        "it in the Statsig console now.",
        entity_kind="gate",
        entity_id="payments_3ds",
        review_id="rev_4",
    )
    loud = render_kill_announcement(
        plan, outcome, request_id="req_1", requester="alice", audit_saved=True
    )
    reply = Reply(
        message=render_run_result(outcome, audit_saved=True),
        ok=False,
        announcements=(loud,),
        request_id="req_1",
        outcome=outcome,
    )
    out = io.StringIO()
    runtime = await build_runtime(settings())
    try:
        Session(runtime, Printer(out), ask=None)._show(reply)
    finally:
        await runtime.aclose()
    printed = out.getvalue()
    assert printed.count("not disabled yet") == 1, printed
    assert printed.count("rev_4") == 1 and "KILL NOT DONE" in printed


def test_the_run_result_keeps_its_warnings_next_to_the_announcement() -> None:
    outcome = Outcome(
        status=OutcomeStatus.APPLIED,
        message="Killed: gate payments_3ds is disabled.",
        entity_kind="gate",
        entity_id="payments_3ds",
        after={"isEnabled": False},
    )
    note = "another open kill request (req_0) holds this gate; ran anyway"
    loud = render_kill_announcement(
        _kill_plan(), outcome, request_id="req_1", requester="alice", audit_saved=True
    )
    reply = Reply(
        message=render_run_result(outcome, audit_saved=True, note=note),
        announcements=(loud,),
        outcome=outcome,
        warnings=render_run_warnings(audit_saved=True, note=note),
    )
    printed = "".join(render_text(m) for m in _to_print(reply))
    assert note in printed and printed.count("is disabled") == 1


def test_the_approval_card_gives_the_reason_and_the_quorum_once() -> None:
    plan = Plan(
        action="gate.rollout",
        entity_kind="gate",
        entity_id="new_nav",
        summary="roll out gate new_nav rule Rollout: 10% → 25%",
        reason="ramp for the launch",
    )
    request = ApprovalRequest(
        id="req_abcdefgh1234",
        state=ApprovalState.PENDING,
        action="gate.rollout",
        entity_kind="gate",
        entity_id="new_nav",
        plan_json="{}",
        plan_fingerprint="fp",
        requester=Requester(user_id="UALICE", email="alice@example.com"),
        reason="ramp for the launch",
        quorum=2,
        approver_group="approvers",
        created_at=T0,
        expires_at=T0,
    )
    need = NeedsApproval(
        approvers=GroupRef(name="approvers", members=("UBOB",)),
        approvals_required=2,
        allow_self_approval=False,
        ttl_seconds=3600,
        rule_index=None,
    )
    text = render_text(render_approval_card(ApprovalCard(request, plan, need=need)))
    assert text.count("ramp for the launch") == 1, text
    assert text.count("2 approvals") == 1, text
    assert "Waiting for approval: 0 of 2 approvals from an approver (UBOB)" in text


async def test_a_second_restore_says_already_restored() -> None:
    ran = await shell(
        "kill checkout_v2 INC-2 checkout down",
        "restore checkout_v2 fixed",
        "restore checkout_v2 fixed again",
        yes=True,
    )
    last = ran.out.rsplit("restore", 1)[-1]
    assert "Done: restore gate checkout_v2" in ran.out
    assert "checkout_v2 is already restored" in ran.out
    assert "edited" not in last and "Not restoring" not in ran.out
    assert "unknown command" not in ran.out
