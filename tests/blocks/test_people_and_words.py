"""How people, counts and outcomes read: mentions, singular/plural, no "Done: Done:"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.approvals.audit import event_as_entry
from bot.ops.model.plans import BlastRadius, Outcome, OutcomeStatus, Plan
from bot.ops.model.requests import ApprovalRequest, AuditEvent, Requester
from bot.ops.model.states import ApprovalState
from bot.render import render_audit, render_outcome, render_plan
from bot.render.approvals import ApprovalCard, render_approval_card, render_thread_entry
from bot.render.common import person, plural
from bot.render.parts import packed_sections
from bot.shell.render import render_text

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "experiment", "1 experiment"),
        (0, "experiment", "0 experiments"),
        (2, "entry", "2 entries"),
        (1, "entry", "1 entry"),
        (3, "dynamic config", "3 dynamic configs"),
        (2, "match", "2 matches"),
        (2, "day", "2 days"),
        (1234, "ID", "1,234 IDs"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_person_mentions_slack_users_and_names_shell_users() -> None:
    assert person("U012ALICE") == "<@U012ALICE>"
    assert person("shell:alice@example.com") == "alice@example.com"
    assert person("<!channel>") == "&lt;!channel&gt;"


def _request(requester: str) -> ApprovalRequest:
    return ApprovalRequest(
        id="req_1",
        state=ApprovalState.PENDING,
        action="gate.disable",
        entity_kind="gate",
        entity_id="checkout_v2",
        plan_json="{}",
        plan_fingerprint="fp",
        requester=Requester(user_id=requester, email="alice@example.com"),
        quorum=1,
        created_at=T0,
        expires_at=T0,
    )


@pytest.mark.parametrize(
    ("requester", "shown"),
    [("shell:alice@example.com", "alice@example.com"), ("U012ALICE", "<@U012ALICE>")],
)
def test_approval_card_names_the_requester(requester: str, shown: str) -> None:
    card = render_approval_card(ApprovalCard(_request(requester), None))
    text = "\n".join(b["text"]["text"] for b in card.blocks if b.get("type") == "section")
    assert f"*Requested by* {shown}" in text
    assert "shell:" not in text and "shell:" not in card.text
    assert card.text.endswith(f"(requested by {shown})")


def test_thread_entry_and_audit_name_shell_users_by_email() -> None:
    event = AuditEvent(
        id="1-0",
        request_id="req_1",
        event="created",
        from_state=None,
        to_state=ApprovalState.PENDING,
        actor="shell:bob@example.com",
        at=T0,
        entity_kind="gate",
        entity_id="checkout_v2",
        action="gate.disable",
    )
    entry = render_thread_entry(event)
    assert entry.text.startswith("bob@example.com:")
    assert "bob@example.com requested this change" in entry.blocks[0]["text"]["text"]
    audit = render_text(render_audit([event_as_entry(event)]))
    assert "bob@example.com" in audit and "shell:" not in audit


def test_outcome_heading_is_not_repeated() -> None:
    outcome = Outcome(
        status=OutcomeStatus.APPLIED,
        message="Done: disable gate checkout_v2",
        entity_kind="gate",
        entity_id="checkout_v2",
    )
    message = render_outcome(outcome)
    assert message.text == "✅ Done: disable gate checkout_v2"
    assert "Done: Done" not in render_text(message)


def test_blast_radius_counts_read_naturally() -> None:
    plan = Plan(
        action="gate.disable",
        entity_kind="gate",
        entity_id="g",
        summary="disable gate g",
        blast_radius=BlastRadius(gate_references=6, experiment_references=1, config_references=1),
    )
    assert "6 gates, 1 experiment, 1 config" in render_text(render_plan(plan))


def test_the_review_reason_is_shown_once_with_the_reviewers() -> None:
    why = "Statsig requires a review of this change (team Payments requires reviews); it may "
    plan = Plan(
        action="gate.disable",
        entity_kind="gate",
        entity_id="g",
        summary="disable gate g",
        review_required=True,
        allowed_reviewers=["ana@example.com"],
        warnings=["g is busy.", why + "wait for that review in Statsig."],
    )
    text = render_text(render_plan(plan), width=400)
    assert text.count("requires a review") == 1
    assert text.index("team Payments") < text.index("Statsig reviewers: ana@example.com")
    assert text.index("Statsig reviewers") < text.index("g is busy.")


def test_more_note_is_singular_for_one() -> None:
    blocks = packed_sections(["x" * 100] * 3, noun="request", max_chars=250)
    assert blocks[-1]["elements"][0]["text"].endswith("and 1 more request")
