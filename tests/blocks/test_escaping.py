"""User and Statsig text cannot inject mentions, links or layout into our messages."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ops.model.plans import Outcome, OutcomeStatus, Plan
from bot.render import (
    Message,
    render_audit,
    render_error,
    render_experiment,
    render_gate,
    render_help,
    render_list,
    render_outcome,
    render_plan,
)
from bot.render.common import ZWSP, esc, ident
from bot.render.help import HelpItem
from bot.shell.render import render_text
from bot.statsig.models import (
    AuditLogEntry,
    Condition,
    Experiment,
    ExperimentGroup,
    Gate,
    Owner,
    Rule,
)

ATTACKS = [
    "<!channel>",
    "<!here|here>",
    "<@U0123ABC>",
    "<http://evil.example|click me>",
    "<!subteam^S123>",
    "a & b <b>",
    "`code` *bold* _it_ ~s~ ```block```",
]
_OURS = re.compile(r"^(https://console\.statsig\.com/[^|]*\|[^<>]*|!date\^\d+\^[^|]*\|[^<>]*)$")


def _texts(value: Any) -> list[str]:
    """Every displayed string (``text`` keys); button values are data Slack never shows."""
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) else []
        return own + [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _assert_inert(message: Message) -> None:
    """Only links and dates we built use angle brackets; every ``&`` starts an entity."""
    for text in _texts(message.to_dict()):
        for construct in re.findall(r"<([^>]*)>", text):
            assert _OURS.match(construct), f"foreign construct <{construct}> in {text!r}"
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text
        assert "<!channel>" not in text and "<@U" not in text


def _hostile_gate(text: str) -> Gate:
    return Gate(
        id=f"id_{text}",
        name=text,
        description=text,
        is_enabled=True,
        status=text,
        type=text,
        owner=Owner(owner_name=text, owner_email=text),
        tags=[text, text],
        last_modifier_name=text,
        rules=[
            Rule(
                name=text,
                pass_percentage=10,
                environments=[text],
                conditions=[
                    Condition(type=text, operator=text, target_value=[text]),
                    Condition(type="custom_field", field=text, target_value={text: text}),
                ],
            )
        ],
    )


def test_every_renderer_neutralises_injection_attempts() -> None:
    for attack in ATTACKS:
        gate = _hostile_gate(attack)
        experiment = Experiment(
            id=attack,
            status=attack,
            hypothesis=attack,
            decision_reason=attack,
            launched_group_id="g",
            groups=[ExperimentGroup(name=attack, id="g", size=100)],
        )
        plan = Plan(
            action=attack, entity_kind="gate", entity_id=attack, summary=attack,
            reason=attack, warnings=[attack], allowed_reviewers=[attack], review_required=True,
            overrides_added=[attack],
        )  # fmt: skip
        outcome = Outcome(
            status=OutcomeStatus.FAILED, message=attack, error=attack,
            entity_kind="gate", entity_id=attack,
        )  # fmt: skip
        for message in (
            render_gate(gate, references={attack: [attack]}),
            render_list("gate", [gate], page=1, has_next=True, query=attack),
            render_experiment(experiment),
            render_plan(plan),
            render_outcome(outcome),
            render_audit(
                [AuditLogEntry(id="1", name=attack, change_log=attack, updated_by=attack)]
            ),
            render_help([HelpItem(attack, attack, (attack,))], title=attack),
            render_error(attack, attack, usage=attack, suggestions=[attack]),
        ):
            _assert_inert(message)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_random_text_never_escapes_its_place(text: str) -> None:
    _assert_inert(render_gate(_hostile_gate(text)))


def test_identifiers_lose_their_backticks_before_being_wrapped() -> None:
    assert ident("check`out`_v2") == "`checkout_v2`"
    assert ident("```") == "–"
    message = render_gate(Gate(id="a`b`c", is_enabled=True))
    assert "`abc`" in json.dumps(message.blocks)


def test_formatting_markers_from_data_are_defused_but_still_shown() -> None:
    escaped = esc("*bold* _it_ ~s~ `c`")
    assert escaped == f"{ZWSP}*bold{ZWSP}* {ZWSP}_it{ZWSP}_ {ZWSP}~s{ZWSP}~ {ZWSP}`c{ZWSP}`"
    shown = render_text(render_gate(Gate(id="g", description="*not bold*", is_enabled=True)))
    assert "*not bold*" in shown


def test_line_breaks_in_a_value_cannot_start_a_quote_or_list() -> None:
    assert esc("one\n> quoted\n• item") == "one &gt; quoted • item"


def test_entities_are_escaped_once_and_never_split_by_truncation() -> None:
    assert esc("a & <b>") == "a &amp; &lt;b&gt;"
    cut = esc("&" * 50, 10)
    assert cut == "&amp;" * 9 + "…"


def test_what_people_copy_is_what_they_can_paste() -> None:
    """Issue 9.15: zero-width spaces inside IDs and condition names broke copy and paste
    into the Statsig console; a marker between two letters or digits cannot format."""
    for name in ("str_contains_any", "checkout_v2", "user_1", "a~b", "x*y"):
        assert esc(name) == name
    assert ZWSP not in esc("custom_field plan_tier fail_open_v2")
    assert esc("_lead") == f"{ZWSP}_lead" and esc("trail_") == f"trail{ZWSP}_"
