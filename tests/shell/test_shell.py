"""The shell driven through injected stdin/stdout: what a newcomer sees, line by line."""

from __future__ import annotations

from tests.shell.shell_support import after, shell


async def test_first_line_says_sandbox_fakeredis_and_who() -> None:
    ran = await shell()
    assert ran.code == 0
    first = ran.first_line
    assert "sandbox with demo data" in first
    assert "in-process fakeredis" in first
    assert "you are alice@example.com (Admin in Statsig)" in first


async def test_gate_list_and_show() -> None:
    ran = await shell("gate list", "gate checkout_v2")
    listed = after(ran.out, "🚦 Gates")
    assert "checkout_v2" in listed and "new_nav" in listed and "[1] Next page" in listed
    shown = after(ran.out, "🚦 Gate: checkout_v2")
    assert "✅ enabled" in shown and "New checkout flow" in shown


async def test_disable_with_plan_and_confirmation_then_shows_disabled() -> None:
    ran = await shell('gate disable checkout_v2 "testing"', "y", "gate checkout_v2")
    assert "📝 Plan: disable gate checkout_v2" in ran.out
    assert "• enabled: true → false" in ran.out
    assert "Apply? [y/N]" in ran.out
    assert "Now disabled." in ran.out
    shown = after(ran.out, "🚦 Gate: checkout_v2")
    assert "⛔ disabled" in shown and "Disabled" in shown


async def test_no_answer_or_end_of_input_changes_nothing() -> None:
    ran = await shell("gate disable checkout_v2", "n", "gate checkout_v2")
    assert "Not confirmed: nothing was changed." in ran.out
    assert "✅ enabled" in after(ran.out, "🚦 Gate: checkout_v2")
    eof = await shell("gate disable checkout_v2")  # input ends at the question
    assert eof.code == 0 and "Not confirmed: nothing was changed." in eof.out


async def test_smart_quotes_are_handled() -> None:
    ran = await shell("gate disable checkout_v2 “errors spiking”", "y")
    assert "Reason errors spiking" in ran.out and "Now disabled." in ran.out


async def test_rollout_needs_approval_and_bob_approves_with_the_button() -> None:
    ran = await shell(
        "gate rollout new_nav 25 ramp", "y", ":as bob@example.com", "1", "gate new_nav"
    )
    assert "This change needs 1 approval from group approvers (anyone)." in ran.out
    assert "Request approval? [y/N]" in ran.out
    card = after(ran.out, "⏳ Approval:")
    assert "[1] Approve" in card and "[2] Reject" in card
    assert "You are now bob@example.com (Member in Statsig)." in ran.out
    assert "Direct message to alice@example.com" in ran.out  # the requester hears about it
    assert "1. Rollout — 25% pass" in after(ran.out, "🚦 Gate: new_nav")


async def test_usage_error_and_unknown_gate() -> None:
    ran = await shell("gate disabel checkout_v2", "gate chekout_v2")
    assert "Error: unknown verb `disabel` for gate" in ran.out
    assert "Usage: gate disable <name> [reason]" in ran.out
    assert "Error: no gate named chekout_v2" in ran.out
    assert "Did you mean checkout_v2?" in ran.out


async def test_help_lists_commands_and_shell_commands() -> None:
    ran = await shell("help")
    assert "gate rollout <name> <pct>" in ran.out
    assert ":as <email>" in ran.out and "approve <request-id>" in ran.out


async def test_exit_stops_reading() -> None:
    ran = await shell("exit", "gate list")
    assert ran.code == 0 and "🚦 Gates" not in ran.out


async def test_shell_command_mistakes() -> None:
    ran = await shell(":as bob", "approve", "7")
    assert "Usage: :as <email>" in ran.out
    assert "missing arguments for approve" in ran.out
    assert "There is no button 7 on the last message." in ran.out


async def test_as_flag_sets_the_actor() -> None:
    ran = await shell(actor="dave@example.com")
    assert "you are dave@example.com (Read Only in Statsig)" in ran.first_line


async def test_read_only_user_is_denied_without_a_question() -> None:
    ran = await shell("gate disable checkout_v2", actor="dave@example.com")
    assert "You can't change gates through the bot" in ran.out and "Apply?" not in ran.out
