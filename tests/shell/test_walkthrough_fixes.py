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


async def test_a_second_request_on_a_locked_gate_is_refused_before_confirmation() -> None:
    ran = await shell(
        ALICE,
        "gate rollout new_nav 30 go",
        "gate rollout new_nav 30 again",
        ":as bob@example.com",
        "gate rollout new_nav 40 go",
        yes=True,
    )
    rid = ran.request_id()
    mine = after(ran.out, "You already have").replace("\n", " ")
    assert f"open roll out gate request for new_nav: {rid}" in mine
    assert f"cancel {rid}" in mine
    assert mine.count("Request approval?") == 0
    theirs = after(ran.out, "There is already an open").replace("\n", " ")
    assert f"{rid} by alice@example.com" in theirs and f"ask them to cancel {rid}" in theirs
    assert "Request approval?" not in theirs


async def test_errors_point_to_the_next_step() -> None:
    ran = await shell(
        ALICE,
        "gate foo",
        "approve zzz",
        "rollout new_nav 25",
        "gat new_nav",
        "gate rollout new_nav -5 x",
        "reject zzz",
        "gate list --page 999",
    )
    out = ran.out
    assert "no gate named foo\nTry gate search foo." in out
    assert "No open request zzz. approvals lists open ones." in out
    assert "unknown command `rollout`\nDid you mean gate rollout?\nUsage: gate rollout" in out
    assert "unknown command `gat`\nDid you mean gate?\nUsage:" in out
    assert "percentage `-5` is out of range (0–100)" in out
    assert "a rejection needs a reason: reject <request-id> <reason>" in out
    assert "page 999 is past the end (2 pages)" in out


async def test_plans_and_cards_use_words_not_internal_names() -> None:
    ran = await shell(
        ALICE,
        "kill checkout_v2 INC-1 broken",
        "gate override new_nav pass u1 --env production",
        "gate checkout_v2",
        "experiment list",
        "segment list",
        yes=True,
    )
    kill = after(ran.out, "📝 Plan: KILL")
    assert "Action kill gate checkout_v2" in kill and "incident.kill" not in kill
    assert "• enabled: true → false" in kill and "isEnabled" not in kill
    assert "not checked (kills skip this to stay fast)" in kill
    assert "overrides added (1): u1 passes in production" in ran.out
    card = after(ran.out, "🚦 Gate: checkout_v2")
    assert "permanent" in card and "PERMANENT" not in card
    experiments = after(ran.out, "🧪 Experiments")
    assert "· decision made ·" in experiments and "· stopped ·" in experiments
    assert "decision_made" not in experiments and "experiment_stopped" not in experiments
    segments = after(ran.out, "👥 Segments")
    assert "beta_users · ID list · 25 IDs" in segments
    assert "eu_users · rule-based\n" in segments and "id_list" not in segments


async def test_cards_and_plans_do_not_contradict_each_other() -> None:
    ran = await shell(
        ALICE,
        "experiment nav_icons",
        "segment eu_users",
        "gate new_nav",
        "gate checkout_v2",
        "restore checkout_v2",
        "kill checkout_v2 INC-2 broken",
        "gate rollout new_nav 30 go",
        yes=True,
    )
    assert "→ stopped" in after(ran.out, "🧪 Experiment: nav_icons").splitlines()[7]
    assert "running" not in after(ran.out, "🧪 Experiment: nav_icons").split("👥")[0]
    assert "0 IDs" not in after(ran.out, "👥 Segment: eu_users")
    assert "all environments" in after(ran.out, "🚦 Gate: checkout_v2")
    assert "all environments" in after(ran.out, "📝 Plan: KILL")
    plan = after(ran.out, "📝 Plan: roll out gate new_nav")
    assert "not used by other gates, configs or experiments" in plan
    assert "0 gates" not in plan


async def test_help_explains_short_forms_and_edit_lists_what_each_command_does() -> None:
    ran = await shell("help", "edit gate new_nav", ":as")
    assert (
        "Short forms: dc = config, exp = experiment, seg = segment, on/off = enable/disable."
        in (ran.out.replace("\n", " "))
    )
    edit = after(ran.out, "❓ edit gate new_nav")
    assert "equivalent of the Slack form" not in edit
    assert "gate rollout new_nav <pct> [--rule R] — set a rule's pass %" in edit
    assert "❌ Error: the e-mail address is empty" in ran.out


async def test_a_restore_after_a_plain_disable_says_before_it_was_disabled() -> None:
    ran = await shell(
        ALICE, "gate disable checkout_v2 testing", "restore checkout_v2 done", yes=True
    )
    assert "Done: restore gate checkout_v2 to its state before it was disabled" in ran.out
    assert "before the kill" not in ran.out
