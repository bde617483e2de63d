"""What a user tripped over in a shell walkthrough, fixed and pinned down."""

from __future__ import annotations

from tests.shell.shell_support import after, shell

ALICE = ":as alice@example.com"


async def test_audit_shows_one_line_per_event_newest_first_with_the_reason() -> None:
    ran = await shell(
        ALICE,
        "kill checkout_v2 INC-231 errors spiking",
        "restore checkout_v2",
        "audit checkout_v2 --since 2h",
        yes=True,
    )
    audit = after(ran.out, "📜 Audit: checkout_v2").replace("\n", " ")
    assert "lease renewed" not in audit and "started executing" not in audit
    assert "incident.kill" not in audit
    assert "requested kill gate checkout_v2: INC-231 errors spiking" in audit
    order = [
        audit.index("executed restore gate"),
        audit.index("requested restore gate"),
        audit.index("executed kill gate"),
        audit.index("requested kill gate"),
    ]
    assert order == sorted(order)


async def test_a_kill_held_for_review_is_listed_and_cannot_be_restored() -> None:
    ran = await shell(
        ALICE,
        "kill payments_3ds INC-5 3ds failing",
        "approvals",
        "restore payments_3ds",
        yes=True,
    )
    kill = after(ran.out, "KILL NOT DONE").replace("\n", " ")
    assert "Gate payments_3ds is still ON" in kill
    assert "Statsig reviewer of the gate (alice@example.com, bob@example.com)" in kill
    listing = after(ran.out, "Open approval requests").replace("\n", " ")
    assert "waiting for a Statsig review · kill gate payments_3ds" in listing
    assert "payments_3ds was never disabled" in after(ran.out, "Error:")


async def test_gate_card_and_plan_name_the_same_reviewers() -> None:
    ran = await shell(ALICE, "gate payments_3ds", "kill payments_3ds INC-5 x")
    card = after(ran.out, "🚦 Gate: payments_3ds")
    assert "reviewers: alice@example.com, bob@example.com" in card
    assert "Statsig reviewers: alice@example.com, bob@example.com" in after(ran.out, "📝 Plan")


async def test_who_can_approve_a_kill_is_named() -> None:
    ran = await shell(":as carol@example.com", "kill checkout_v2 INC-9 broken", yes=True)
    wanted = "needs 1 approval from a responder (alice@example.com, bob@example.com)."
    assert wanted in ran.out


async def test_a_read_only_user_is_told_why_and_what_to_do() -> None:
    ran = await shell(":as dave@example.com", "gate disable new_nav not needed", yes=True)
    out = ran.out.replace("\n", " ")
    assert "You can't change gates through the bot: your Statsig role is Read Only." in out
    assert "Ask a Statsig project admin for an editor role" in out
