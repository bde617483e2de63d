"""Modal and Home builders: Slack's limits, stable IDs, metadata and inline validation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from slack_sdk.models.views import View

from bot.approvals.models import ApprovalRequest, Requester
from bot.approvals.states import ApprovalState
from bot.slack.blocks import modals
from bot.slack.blocks.common import Message, section
from bot.slack.blocks.home import MAX_HOME_ITEMS, home_view
from bot.slack.blocks.modals import ModalMeta, RuleChoice
from bot.slack.dedupe import EventDedupe
from bot.slack.listeners import forms
from bot.slack.listeners.views import validate_disable, validate_overrides, validate_rollout
from tests.fakes.slack_blocks import check_view

LONG = "x" * 400


def _valid(view: dict[str, Any]) -> None:
    View(**view).validate_json()  # slack_sdk's own limits
    assert check_view(view, allowed_types=("modal", "home")) == []  # the fake's (Slack's)


def _request(index: int) -> ApprovalRequest:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return ApprovalRequest(
        id=f"req{index:04d}", state=ApprovalState.PENDING, action="gate.disable",
        entity_kind="gate", entity_id=f"gate_{index}<!channel>", plan_json="{}",
        plan_fingerprint="f", requester=Requester(user_id="U1ALICE"), reason=LONG, quorum=1,
        created_at=now, expires_at=now,
    )  # fmt: skip


def test_every_modal_fits_slacks_limits_even_with_long_data() -> None:
    meta = ModalMeta(gate=LONG, channel="C1", request_id=LONG, ts="1.2")
    rules = [RuleChoice(f"{LONG}{i}", 12.5) for i in range(150)]
    preview = Message("plan", [section(f"line {i}") for i in range(60)])
    for view in (
        modals.loading_modal(LONG),
        modals.rollout_modal(meta, rules, rule=rules[3].name[:150], pct="10", preview=preview),
        modals.rollout_modal(meta, []),
        modals.overrides_modal(meta, [f"env{i}" for i in range(200)]),
        modals.disable_gate_modal(meta),
        modals.reject_modal(meta),
        modals.message_modal(LONG, preview),
    ):
        _valid(view)


def test_form_ids_are_stable_constants() -> None:
    view = modals.rollout_modal(ModalMeta(gate="g"), [RuleChoice("Beta", 5)])
    inputs = {b["block_id"]: b["element"]["action_id"] for b in view["blocks"]
              if b["type"] == "input"}  # fmt: skip
    assert inputs == {
        modals.ROLLOUT_RULE_BLOCK: modals.ROLLOUT_RULE,
        modals.ROLLOUT_PCT_BLOCK: modals.ROLLOUT_PCT,
        modals.REASON_BLOCK: modals.REASON,
    }
    assert modals.ALL_CALLBACK_IDS.isdisjoint(modals.ALL_MODAL_ACTION_IDS)


def test_home_view_is_capped_and_escaped() -> None:
    many = [_request(i) for i in range(30)]
    view = home_view(waiting=many, mine=many, recent=[], note="Hi <!here>")
    _valid(view)
    approve_buttons = [e for b in view["blocks"] for e in b.get("elements", [])
                       if e.get("action_id") == "approval_approve"]  # fmt: skip
    assert len(approve_buttons) == MAX_HOME_ITEMS
    assert all("confirm" in button for button in approve_buttons)
    assert "<!channel>" not in str(view) and "<!here>" not in str(view)


@pytest.mark.parametrize("raw", ["", "not json", "[1]", '{"g": 5}'])
def test_modal_meta_never_raises(raw: str) -> None:
    meta = ModalMeta.decode(raw)
    assert isinstance(meta.gate, str)
    assert ModalMeta.decode(ModalMeta("g", "C", "r", "t").encode()) == ModalMeta("g", "C", "r", "t")


def _state(**blocks: dict[str, Any]) -> dict[str, Any]:
    return {"state": {"values": blocks}}


PCTS = [("0", True), ("100", True), ("12.5%", True), ("-1", False), ("101", False), ("x", False)]


@pytest.mark.parametrize(("pct", "ok"), PCTS)
def test_rollout_validation(pct: str, ok: bool) -> None:
    view = _state(**{
        modals.ROLLOUT_RULE_BLOCK: {modals.ROLLOUT_RULE: {"selected_option": {"value": "R"}}},
        modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: {"value": pct}},
    })  # fmt: skip
    assert (validate_rollout(view) == {}) is ok


def test_override_ids_validation_and_command_text() -> None:
    bad = _state(**{modals.OVERRIDE_IDS_BLOCK: {modals.OVERRIDE_IDS: {"value": "ok_1 <bad>"}}})
    assert "<bad>" in validate_overrides(bad)[modals.OVERRIDE_IDS_BLOCK]
    ids, rejected = forms.parse_ids("a,b  c\na")
    assert (ids, rejected) == (["a", "b", "c"], [])
    text = forms.overrides_command("g", "pass", ids, "staging", "it's QA")
    assert text == "gate override g pass a,b,c --env staging -- 'it'\"'\"'s QA'"
    assert validate_disable(_state()).keys() == {modals.GATE_BLOCK, modals.CHANNEL_BLOCK}


async def test_dedupe_is_first_come_across_clients(redis_client: aioredis.Redis) -> None:
    one = EventDedupe(redis_client, prefix="t:", ttl=30)
    two = EventDedupe(redis_client, prefix="t:", ttl=30)
    assert await one.first_delivery("Ev1") is True
    assert await two.first_delivery("Ev1") is False
    assert await two.first_delivery("Ev2") is True
    assert 0 < await redis_client.ttl("t:slack:event:Ev1") <= 30
