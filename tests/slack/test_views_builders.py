"""Modal and Home builders: Slack's limits, stable IDs, metadata and inline validation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from slack_sdk.models.views import View

from bot.ops.model.requests import ApprovalRequest, Requester
from bot.ops.model.states import ApprovalState
from bot.render.common import Message, section
from bot.render.states import STATE_ICONS, STATE_LABELS
from bot.slack.dedupe import EventDedupe
from bot.slack.listeners import forms
from bot.slack.listeners.views import validate_disable, validate_overrides, validate_rollout
from bot.slack.views import modals
from bot.slack.views.home import MAX_HOME_ITEMS, home_view
from bot.slack.views.modals import ModalMeta, RuleChoice
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
    longest = "x" * modals.MAX_META_ID
    meta = ModalMeta(gate=longest, channel="C1", request_id=longest, ts="1.2")
    rules = [RuleChoice(f"{LONG}{i}", 12.5, ref=f"rule{i}") for i in range(150)]
    preview = Message("plan", [section(f"line {i}") for i in range(60)])
    for view in (
        modals.loading_modal(LONG),
        modals.rollout_modal(meta, rules, rule=rules[3].value, pct="10", preview=preview),
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


def test_home_names_every_state_with_its_own_icon_and_label() -> None:
    mine = [
        _request(i).model_copy(update={"state": state}) for i, state in enumerate(ApprovalState)
    ]
    interrupted = _request(99).model_copy(
        update={"state": ApprovalState.FAILED, "interrupted_at": datetime(2026, 1, 1, tzinfo=UTC)}
    )
    view = home_view(waiting=[], mine=[*mine[:9], interrupted], recent=[])
    _valid(view)
    shown = str(view)
    assert "• " not in shown  # no state falls back to a bare bullet
    assert "🚫 Statsig review rejected" in shown and "🕒 waiting for a Statsig review" in shown
    assert "❌ failed: interrupted" in shown
    assert set(STATE_ICONS) == set(STATE_LABELS) == set(ApprovalState)
    view = home_view(waiting=[], mine=mine[9:], recent=[])
    assert "↩️ cancelled" in str(view) and "⌛ expired" in str(view)
    assert "⌛ Statsig review unresolved" in shown


def test_home_view_is_capped_and_escaped() -> None:
    many = [_request(i) for i in range(30)]
    view = home_view(waiting=many, mine=many, recent=[], note="Hi <!here>")
    _valid(view)
    approve_buttons = [e for b in view["blocks"] for e in b.get("elements", [])
                       if e.get("action_id") == "approval_approve"]  # fmt: skip
    assert len(approve_buttons) == MAX_HOME_ITEMS
    assert all("confirm" in button for button in approve_buttons)
    assert "<!channel>" not in str(view) and "<!here>" not in str(view)


@pytest.mark.parametrize("raw", ["", "not json", "[1]", '{"g": 5}', '{"g": "x"'])
def test_modal_meta_decode_never_raises(raw: str) -> None:
    meta = ModalMeta.decode(raw)
    assert isinstance(meta.gate, str)
    full = ModalMeta("g", "C", "r", "t", from_home=True)
    assert ModalMeta.decode(full.encode()) == full


@pytest.mark.parametrize("char", ["x", "\u0001", '"', "\\", "é", "😀"])
def test_modal_meta_with_the_largest_ids_always_fits_and_decodes(char: str) -> None:
    biggest = char * modals.MAX_META_ID
    meta = ModalMeta(gate=biggest, channel=biggest, request_id=biggest, ts=biggest)
    encoded = meta.encode()
    assert len(encoded) <= 3000 and len(encoded.encode("utf-16-le")) // 2 <= 3000
    assert ModalMeta.decode(encoded) == meta


@pytest.mark.parametrize("field", ["gate", "channel", "request_id", "ts"])
def test_modal_meta_refuses_an_overlong_id_instead_of_cutting_it(field: str) -> None:
    meta = ModalMeta(**{field: "y" * 5000})
    with pytest.raises(ValueError, match=field):
        meta.encode()


def test_rule_options_carry_the_rule_reference_and_exact_percentage() -> None:
    long_name = "Users in the very long named beta cohort for the spring launch " * 3
    rules = [RuleChoice(long_name, 33.333333333, ref="7hGzBase"), RuleChoice("Beta", 5, ref="")]
    view = modals.rollout_modal(ModalMeta(gate="g"), rules)
    [block] = [b for b in view["blocks"] if b.get("block_id") == modals.ROLLOUT_RULE_BLOCK]
    options = block["element"]["options"]
    assert options[0]["text"]["text"].endswith("…")  # the label is cut ...
    assert modals.parse_rule_value(options[0]["value"]) == ("7hGzBase", 33.333333333)  # not this
    assert modals.parse_rule_value(options[1]["value"]) == ("Beta", 5.0)  # name: the fallback
    again = [RuleChoice.from_option(o) for o in options]
    rebuilt = modals.rollout_modal(ModalMeta(gate="g"), [c for c in again if c is not None])
    assert rebuilt["blocks"] == view["blocks"]  # a preview redraws the same options


@pytest.mark.parametrize("value", ["", "25", "x|r", "25|", "101|r", "-1|r"])
def test_malformed_rule_values_are_refused(value: str) -> None:
    assert modals.parse_rule_value(value) is None


def test_a_reference_too_long_for_an_option_value_is_not_offered() -> None:
    view = modals.rollout_modal(ModalMeta(gate="g"), [RuleChoice("n", 1, ref="r" * 200)])
    assert modals.ROLLOUT_RULE_BLOCK not in {b.get("block_id") for b in view["blocks"]}


def _state(**blocks: dict[str, Any]) -> dict[str, Any]:
    return {"state": {"values": blocks}}


PCTS = [("0", True), ("100", True), ("12.5%", True), ("-1", False), ("101", False), ("x", False)]


def _rollout_state(rule_value: str | None, pct: str) -> dict[str, Any]:
    chosen = {"selected_option": {"value": rule_value}}
    return _state(**{
        modals.ROLLOUT_RULE_BLOCK: {modals.ROLLOUT_RULE: chosen},
        modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: {"value": pct}},
    })  # fmt: skip


@pytest.mark.parametrize(("pct", "ok"), PCTS)
def test_rollout_validation(pct: str, ok: bool) -> None:
    assert (validate_rollout(_rollout_state(modals.rule_value("R", 50), pct)) == {}) is ok


def test_rollout_to_the_current_percentage_is_an_inline_error() -> None:
    errors = validate_rollout(_rollout_state(modals.rule_value("R", 25), "25"))
    assert errors == {
        modals.ROLLOUT_PCT_BLOCK: "The rule already passes 25%: nothing to change. "
        "Pick another percentage."
    }
    missing = validate_rollout(_rollout_state("not a rule value", "25"))
    assert missing == {modals.ROLLOUT_RULE_BLOCK: "Choose the rule to roll out."}


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
