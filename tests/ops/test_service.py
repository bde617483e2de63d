"""ChatOps against the demo sandbox: reads, usage errors, plans, decisions and commits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.chatops.replies import Context, Proposal, Reply
from bot.chatops.service import strip_prefix
from bot.ops.model.decisions import Allowed, Denied, NeedsApproval
from bot.ops.policy.rules import Policy
from bot.render.values import PageRef
from tests.ops.service_support import ALICE, DAVE, Env, service_env, text_of


@pytest.fixture
async def env() -> Any:
    async with service_env() as built:
        yield built


async def _reply(env: Env, text: str, email: str = ALICE) -> Reply:
    result = await env.ops.handle(text, await env.ctx(email))
    assert isinstance(result, Reply), f"{text!r} gave {type(result).__name__}"
    return result


async def _proposal(env: Env, text: str, email: str = ALICE) -> Proposal:
    result = await env.ops.handle(text, await env.ctx(email))
    assert isinstance(result, Proposal), text_of(result)
    return result


def test_strip_prefix() -> None:
    assert strip_prefix("/statsig gate x") == "gate x"
    assert strip_prefix("  /STATSIG   help ") == "help"
    assert strip_prefix("gate /statsig") == "gate /statsig"


async def test_show_gate_has_overrides_and_references(env: Env) -> None:
    reply = await _reply(env, "gate checkout_v2")
    text = text_of(reply)
    assert reply.ok and reply.visibility == "private"
    assert "Gate: checkout_v2" in text
    raw = env.state.gate_overrides["checkout_v2"]
    overrides = len(raw["passingUserIDs"]) + len(raw["failingUserIDs"])
    overrides_row = text.splitlines()[
        text.splitlines().index(
            next(line for line in text.splitlines() if line.startswith("Environments"))
        )
        + 1
    ]
    assert overrides_row.split()[-1] == str(overrides)
    assert "pricing_test" in text  # the experiment that references the gate
    assert "Share in channel" in text


async def test_show_other_kinds(env: Env) -> None:
    assert "Config: checkout_config" in text_of(await _reply(env, "config checkout_config"))
    assert "pricing_test" in text_of(await _reply(env, "experiment pricing_test"))
    segment = next(iter(env.state.segments))
    assert segment in text_of(await _reply(env, f"segment {segment}"))


async def test_unknown_gate_suggests_the_closest(env: Env) -> None:
    reply = await _reply(env, "gate chekout_v2")
    assert not reply.ok
    assert "no gate named chekout_v2" in text_of(reply)
    assert "Did you mean checkout_v2?" in text_of(reply)


async def test_name_in_other_case_resolves(env: Env) -> None:
    reply = await _reply(env, "/statsig gate Checkout_V2")
    assert reply.ok and "Gate: checkout_v2" in text_of(reply)


async def test_usage_error_shows_usage_and_suggestion(env: Env) -> None:
    reply = await _reply(env, "gate disabel checkout_v2")
    text = text_of(reply)
    assert not reply.ok
    assert "unknown verb `disabel` for gate" in text
    assert "Usage: gate disable <name> [reason]" in text
    slack = await env.ops.handle("gate disabel x", Context((await env.ctx()).actor))
    assert "Usage: /statsig gate disable" in text_of(slack)


async def test_help_and_help_topic(env: Env) -> None:
    everything = text_of(await _reply(env, "help"))
    assert "gate rollout <name> <pct>" in everything and "kill <gate>" in everything
    topic = text_of(await _reply(env, "help gate rollout"))
    assert "help gate rollout" in topic and "e.g. gate rollout new_nav 25" in topic
    assert "kill <gate>" not in topic


async def test_list_filters_by_tag_and_text(env: Env) -> None:
    tagged = {g for g, raw in env.state.gates.items() if "payments" in raw["tags"]}
    text = text_of(await _reply(env, "gate list --tag payments"))
    for gate_id in tagged:
        assert gate_id in text
    assert "new_nav" not in text
    found = text_of(await _reply(env, "gate search 3-d secure"))  # matches a description
    assert "payments_3ds" in found and "checkout_v2" not in found


async def test_list_pages_and_next_page_button(env: Env) -> None:
    first = await _reply(env, "gate list")
    assert "more on the next page" in text_of(first)
    button = first.message.blocks[-1]["elements"][0]
    ref = PageRef.decode(button["value"])
    assert (ref.kind, ref.page) == ("gate", 2)
    second = await env.ops.list_page(ref.kind, ref.page, ref.query, await env.ctx())
    ids = sorted(env.state.gates)
    assert "page 2" in text_of(second)
    shown_first = [g for g in ids if f" {g} " in text_of(first)]
    shown_second = [g for g in ids if f" {g} " in text_of(second)]
    assert shown_first and shown_second and not set(shown_first) & set(shown_second)


async def test_list_status_filter_keeps_the_query_for_paging(env: Env) -> None:
    reply = await _reply(env, "gate list --status disabled")
    text = text_of(reply)
    disabled = [g for g, raw in env.state.gates.items() if raw["status"] == "Disabled"]
    assert disabled and all(g in text for g in disabled)
    assert "⛔" in text and "✅" not in text


async def test_history_lists_versions(env: Env) -> None:
    text = text_of(await _reply(env, "gate history checkout_v2"))
    assert "History of checkout_v2" in text and "v1" in text


async def test_share_reference_is_for_the_channel(env: Env) -> None:
    reply = await env.ops.show("gate:checkout_v2", await env.ctx())
    assert reply.visibility == "channel" and "Share in channel" not in text_of(reply)
    bad = await env.ops.show("nonsense", await env.ctx())
    assert not bad.ok


async def test_edit_in_the_shell_suggests_commands(env: Env) -> None:
    text = text_of(await _reply(env, "edit gate new_nav"))
    assert "opens a form in Slack" in text and "gate rollout new_nav" in text


async def test_disable_is_planned_allowed_and_applied(env: Env) -> None:
    proposal = await _proposal(env, 'gate disable checkout_v2 "testing"')
    assert isinstance(proposal.decision, Allowed)
    assert "enabled: true → false" in text_of(proposal)
    assert env.state.gates["checkout_v2"]["isEnabled"] is True  # planning changed nothing
    reply = await env.ops.commit(proposal, await env.ctx())
    assert reply.ok and reply.outcome is not None and reply.outcome.succeeded
    assert env.state.gates["checkout_v2"]["isEnabled"] is False
    assert "Disabled" in text_of(await _reply(env, "gate checkout_v2"))
    listed = text_of(await _reply(env, "gate list checkout_v2"))
    assert "⛔ checkout_v2" in listed  # the list cache was dropped after the change


async def test_read_only_user_is_denied(env: Env) -> None:
    proposal = await _proposal(env, "gate disable checkout_v2", email=DAVE)
    assert isinstance(proposal.decision, Denied)
    reply = await env.ops.commit(proposal, await env.ctx(DAVE))
    assert (
        not reply.ok
        and "You can't change gates through the bot: your Statsig role is" in text_of(reply)
    )
    assert env.state.gates["checkout_v2"]["isEnabled"] is True


async def test_approval_without_workflow_is_unavailable(env: Env) -> None:
    proposal = await _proposal(env, "gate rollout new_nav 25")
    assert isinstance(proposal.decision, NeedsApproval)
    reply = await env.ops.commit(proposal, await env.ctx())
    assert not reply.ok and "approvals are unavailable" in text_of(reply)
    approvals = await _reply(env, "approvals")
    assert not approvals.ok and "approvals are unavailable" in text_of(approvals)


async def test_plan_error_is_a_reply(env: Env) -> None:
    reply = await _reply(env, "gate rollout new_nav 25 --rule nosuchrule")
    assert not reply.ok and "cannot plan this change" in text_of(reply)


async def test_unknown_entity_in_a_change_suggests(env: Env) -> None:
    reply = await _reply(env, "gate disable chekout_v2")
    assert not reply.ok and "Did you mean checkout_v2?" in text_of(reply)


async def test_statsig_error_becomes_a_friendly_reply(env: Env) -> None:
    env.faults.add(r"/gates/checkout_v2$", "malformed", method="GET")
    reply = await _reply(env, "gate checkout_v2")
    assert not reply.ok
    assert "Statsig sent an answer the bot could not read" in text_of(reply)


async def test_unexpected_error_is_logged_with_an_id(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(env.client, "get_gate", boom)
    reply = await _reply(env, "gate checkout_v2")
    text = text_of(reply)
    assert not reply.ok and "Something went wrong (error " in text
    assert "secret internals" not in text


async def test_enrich_fills_the_statsig_role(env: Env) -> None:
    assert (await env.ctx(ALICE)).actor.statsig_role == "Admin"
    assert (await env.ctx(DAVE)).actor.statsig_role == "Read Only"
    assert (await env.ctx("nobody@example.com")).actor.statsig_role is None


async def test_default_policy_needs_approval_for_a_disable() -> None:
    async with service_env(policy=Policy()) as env:
        proposal = await _proposal(env, "gate disable checkout_v2")
        assert isinstance(proposal.decision, NeedsApproval)


async def test_kill_by_a_responder_runs_at_once_without_workflow(env: Env) -> None:
    proposal = await _proposal(env, "kill checkout_v2 INC-1 errors")
    assert isinstance(proposal.decision, Allowed)
    reply = await env.ops.commit(proposal, await env.ctx())
    assert reply.ok and reply.incident_announcement is not None
    assert env.state.gates["checkout_v2"]["isEnabled"] is False


async def test_restore_without_workflow_is_unavailable(env: Env) -> None:
    reply = await _reply(env, "restore checkout_v2")
    assert not reply.ok and "approvals are unavailable" in text_of(reply)


async def test_audit_without_workflow_shows_statsig_entries(env: Env) -> None:
    text = text_of(await _reply(env, "audit"))
    assert "Audit log" in text and "no approval workflow" in text
