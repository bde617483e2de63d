"""Approval and incident messages: valid Block Kit, escaped data, buttons only while pending."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.ops.model.decisions import GroupRef, NeedsApproval
from bot.ops.model.plans import FieldChange, Outcome, OutcomeStatus, Plan, RuleChange
from bot.ops.model.requests import (
    Approval,
    ApprovalRequest,
    AuditEvent,
    LockHeld,
    Rejection,
    Requester,
)
from bot.ops.model.states import ApprovalState
from bot.render import Message, check_message, sdk_problems
from bot.render.approvals import (
    ApprovalCard,
    mention,
    render_approval_card,
    render_approver_invitation,
    render_kill_announcement,
    render_lock_held,
    render_notice,
    render_requester_dm,
    render_restore_result,
    render_run_result,
    render_thread_entry,
    render_unavailable,
)
from bot.render.ids import APPROVAL_APPROVE, APPROVAL_CANCEL, APPROVAL_REJECT, INCIDENT_RESTORE

EVIL = "<!channel> *bold* <http://evil|click> `code`"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _plan(rules: int = 1) -> Plan:
    return Plan(
        action="gate.rollout",
        entity_kind="gate",
        entity_id="checkout_v2",
        summary=f"roll out checkout_v2 {EVIL}",
        reason=EVIL,
        rule_changes=[
            RuleChange(
                rule_name=f"rule {i} {EVIL}",
                kind="changed",
                changes=[FieldChange(field="passPercentage", before=10, after=25)],
            )
            for i in range(rules)
        ],
        snapshot={"id": "checkout_v2", "isEnabled": True, "rules": [{"name": EVIL}]},
    )


def _need() -> NeedsApproval:
    return NeedsApproval(
        approvers=GroupRef(name="approvers", members=("UBOB",)),
        approvals_required=2,
        allow_self_approval=False,
        ttl_seconds=3600,
        rule_index=None,
        statsig_reviewers=("carol@example.com",),
    )


def _request(state: ApprovalState, **fields: Any) -> ApprovalRequest:
    return ApprovalRequest(
        id="req_abcdefgh1234",
        state=state,
        action="gate.rollout",
        entity_kind="gate",
        entity_id="checkout_v2",
        plan_json="{}",
        plan_fingerprint="fp",
        requester=Requester(user_id="UALICE", email="alice@example.com"),
        reason=EVIL,
        quorum=2,
        approver_group="approvers",
        approvals=[Approval(user_id="UBOB", at=T0)],
        created_at=T0,
        expires_at=T0,
        **fields,
    )


def _outcome(status: OutcomeStatus = OutcomeStatus.APPLIED, **fields: Any) -> Outcome:
    return Outcome(
        status=status, message=f"Done {EVIL}", entity_kind="gate", entity_id="checkout_v2",
        **fields,
    )  # fmt: skip


def _valid(message: Message) -> None:
    for raw in message.blocks:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()
    assert sdk_problems(message) == [] and check_message(message) == []
    rendered = str(message.blocks) + message.text
    assert "<!channel>" not in rendered and "<http://evil" not in rendered


def _buttons(message: Message) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def _card(state: ApprovalState, **kw: Any) -> Message:
    outcome = kw.pop("outcome", None)
    review = kw.pop("review_result", None)
    card = ApprovalCard(_request(state, **kw), _plan(), _need(), outcome, review)
    return render_approval_card(card)


def test_pending_card_has_the_three_buttons_with_a_confirm_on_approve() -> None:
    message = _card(ApprovalState.PENDING)
    _valid(message)
    rid = "req_abcdefgh1234"
    assert _buttons(message) == [
        (APPROVAL_APPROVE, rid),
        (APPROVAL_REJECT, rid),
        (APPROVAL_CANCEL, rid),
    ]
    approve = next(b for b in message.blocks if b["type"] == "actions")["elements"][0]
    assert approve["confirm"]["confirm"]["text"] == "Approve"
    text = str(message.blocks)
    assert "<@UALICE>" in text and "<@UBOB>" in text and "1 of 2" in text
    assert "carol@example.com" in text


DECIDED: dict[str, tuple[ApprovalState, dict[str, Any], str]] = {
    "executed": (ApprovalState.EXECUTED, {"outcome": _outcome()}, "Executed"),
    "verified": (
        ApprovalState.EXECUTED,
        {"outcome": _outcome(), "interrupted_at": T0},
        "verified after interruption",
    ),
    "interrupted": (ApprovalState.FAILED, {"interrupted_at": T0}, "Failed: interrupted"),
    "failed": (
        ApprovalState.FAILED,
        {"outcome": _outcome(OutcomeStatus.FAILED, error="stale plan")},
        "stale plan",
    ),
    "review": (
        ApprovalState.SUBMITTED_FOR_REVIEW,
        {"outcome": _outcome(OutcomeStatus.PENDING_REVIEW, review_id="rev_1")},
        "Submitted for review in Statsig",
    ),
    "committed": (
        ApprovalState.SUBMITTED_FOR_REVIEW,
        {
            "outcome": _outcome(OutcomeStatus.PENDING_REVIEW, review_id="rev_1"),
            "review_result": "committed",
        },
        "was committed",
    ),  # fmt: skip
    "rejected": (
        ApprovalState.REJECTED,
        {"rejection": Rejection(user_id="UCAROL", at=T0, reason=EVIL)},
        "Rejected",
    ),
    "cancelled": (ApprovalState.CANCELLED, {}, "Cancelled"),
    "expired": (ApprovalState.EXPIRED, {}, "Expired"),
}


@pytest.mark.parametrize("name", sorted(DECIDED))
def test_decided_cards_have_no_buttons_and_say_the_verdict(name: str) -> None:
    state, fields, expected = DECIDED[name]
    message = _card(state, **fields)
    _valid(message)
    assert _buttons(message) == []
    assert expected in str(message.blocks)
    assert state.value.replace("_", " ") in message.text  # words, not keys (issue 9.15)


def test_huge_plans_still_fit() -> None:
    card = ApprovalCard(_request(ApprovalState.PENDING), _plan(rules=400), _need())
    message = render_approval_card(card)
    _valid(message)
    assert len(_buttons(message)) == 3


def test_thread_entries_per_event() -> None:
    cases = [
        ("approval", ApprovalState.PENDING),
        ("finished", ApprovalState.FAILED),
        ("rejected", ApprovalState.REJECTED),
        ("weird_new", ApprovalState.PENDING),
    ]
    for event, to in cases:
        entry = AuditEvent(
            id="1-0", request_id="req_abcdefgh1234", event=event,
            from_state=ApprovalState.PENDING, to_state=to, actor="UBOB", at=T0,
            entity_kind="gate", entity_id="checkout_v2", action="gate.rollout",
            detail={"approvals": "1", "quorum": "2", "reason": EVIL},
        )  # fmt: skip
        message = render_thread_entry(entry)
        _valid(message)
        # "finished" is the executor's step: the bot is named, never its host:pid.
        who = "statsig-bot" if event == "finished" else "<@UBOB>"
        assert who in str(message.blocks)


RENDERERS: dict[str, Callable[[], Message]] = {
    "dm": lambda: render_requester_dm(
        ApprovalCard(_request(ApprovalState.EXECUTED), _plan(), outcome=_outcome())
    ),
    "invitation": lambda: render_approver_invitation(
        ApprovalCard(_request(ApprovalState.PENDING), _plan(), _need()), channel="C0123"
    ),
    "lock": lambda: render_lock_held(
        LockHeld(holder_request_id="req_x1234567", holder_requester="UCAROL"),
        action="gate.rollout",
        entity_id=EVIL,
    ),
    "unavailable": render_unavailable,
    "notice": lambda: render_notice(EVIL, ok=False, details=[f"line one {EVIL}\nline two"]),
    "restore_refused": lambda: render_restore_result("checkout_v2", refusal=f"moved\n{EVIL}"),
    "restore_done": lambda: render_restore_result("checkout_v2", _outcome()),
    "run_result": lambda: render_run_result(_outcome(), audit_saved=False, note=EVIL),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_other_messages_are_valid_and_escaped(name: str) -> None:
    _valid(RENDERERS[name]())


def test_invitation_has_no_buttons_and_points_to_the_channel_card() -> None:
    # Only the channel card (re-rendered when the plan changes) can be approved.
    message = RENDERERS["invitation"]()
    assert _buttons(message) == []
    assert "<#C0123>" in str(message.blocks) and "card" in str(message.blocks)


def test_kill_announcement_offers_restore_only_with_a_request() -> None:
    plan = _plan()
    saved = render_kill_announcement(
        plan, _outcome(), request_id="req_abcdefgh1234", requester=EVIL, audit_saved=True
    )
    _valid(saved)
    assert _buttons(saved) == [(INCIDENT_RESTORE, "req_abcdefgh1234")]
    lost = render_kill_announcement(
        plan, _outcome(), request_id=None, requester="On-call", audit_saved=False
    )
    _valid(lost)
    assert _buttons(lost) == []
    assert "could not be saved" in str(lost.blocks) and "isEnabled" in str(lost.blocks)
    failed = render_kill_announcement(
        plan, _outcome(OutcomeStatus.FAILED, error="boom"), request_id="r12345678",
        requester="x", audit_saved=True,
    )  # fmt: skip
    assert _buttons(failed) == [] and "NOT DONE" in failed.text


def test_mentions_only_for_slack_ids() -> None:
    assert mention("U012ABC") == "<@U012ABC>"
    assert "<@" not in mention("shell:alice@example.com")
    assert "<!" not in mention("<!channel>")
