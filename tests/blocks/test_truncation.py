"""Huge inputs are summarised, never overflow Slack's limits."""

from __future__ import annotations

import re

from bot.ops.model.plans import Plan, RuleChange
from bot.render import (
    Message,
    PageRef,
    check_message,
    render_audit,
    render_config,
    render_experiment,
    render_gate,
    render_help,
    render_history,
    render_list,
    render_plan,
    render_segment,
    sdk_problems,
)
from bot.render.common import ELLIPSIS, context, message, section, truncate
from bot.render.help import HelpItem
from bot.statsig.models import (
    AuditLogEntry,
    Condition,
    DynamicConfig,
    Experiment,
    ExperimentGroup,
    Gate,
    Rule,
    Segment,
)
from tests.blocks import fixtures as fx

HUGE = "x" * 100_000


def _valid(msg: Message) -> str:
    assert check_message(msg) == [], check_message(msg)
    assert sdk_problems(msg) == []
    return "\n".join(str(b) for b in msg.blocks)


def _more(dump: str, noun: str) -> int:
    match = re.search(rf"{ELLIPSIS}and (\d+) more {noun}", dump)
    assert match, f"no '…and N more {noun}' note"
    return int(match.group(1))


def _rules(count: int) -> list[Rule]:
    condition = Condition(type="user_id", operator="any", target_value=[f"u{i}" for i in range(50)])
    return [
        Rule(name=f"rule {i} " + "n" * 200, pass_percentage=i % 101, conditions=[condition] * 8)
        for i in range(count)
    ]


def test_truncate_marks_the_cut() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"
    assert truncate("abc", 0) == ""


def test_huge_strings_are_cut_with_an_ellipsis() -> None:
    gate = Gate(id=HUGE, name=HUGE, description=HUGE, is_enabled=True, tags=[HUGE] * 50)
    dump = _valid(render_gate(gate))
    assert ELLIPSIS in dump
    assert "(+40 more)" in dump  # tags beyond ten are counted, not listed


def test_500_rules_are_summarised() -> None:
    gate = Gate(id="big", is_enabled=True, rules=_rules(500))
    dump = _valid(render_gate(gate))
    shown = len(re.findall(r"\*\d+\.\* rule", dump))
    assert 0 < shown < 500
    assert _more(dump, "rules") == 500 - shown
    assert "+3 more conditions" in dump and "(+47 more)" in dump


def test_config_and_segment_with_500_rules_are_summarised() -> None:
    config = DynamicConfig(id="c", rules=_rules(500), default_value={"k": HUGE})
    segment = Segment(id="s", type="rule_based", rules=_rules(500))
    for msg in (render_config(config), render_segment(segment)):
        assert _more(_valid(msg), "rules") > 0


def test_200_groups_are_summarised() -> None:
    groups = [ExperimentGroup(name=f"group {i} " + "g" * 100, size=0.5) for i in range(200)]
    experiment = Experiment(id="e", status="active", groups=groups, hypothesis=HUGE)
    dump = _valid(render_experiment(experiment))
    shown = dump.count("• `group")
    assert _more(dump, "groups") == 200 - shown


def test_long_lists_history_audit_and_help_stay_within_limits() -> None:
    gates = [fx.full_gate(id=f"gate_{i}_" + "z" * 100) for i in range(500)]
    assert _more(_valid(render_list("gate", gates, page=1, has_next=True, query=HUGE)), "gates")
    versions = [fx.full_gate(version=i, description=f"d{i}") for i in range(300, 0, -1)]
    assert _more(_valid(render_history("gate", "g", versions)), "versions")
    entries = [AuditLogEntry(id=str(i), change_log=HUGE, updated_by=HUGE) for i in range(1000)]
    assert _more(_valid(render_audit(entries)), "entries")
    items = [HelpItem(f"cmd{i} " + "u" * 300, HUGE, (HUGE,)) for i in range(300)]
    assert _more(_valid(render_help(items)), "commands")


def test_next_page_value_fits_and_round_trips_with_a_huge_query() -> None:
    msg = render_list("gate", [fx.full_gate()], page=3, has_next=True, query='"' * 5000)
    value = msg.blocks[-1]["elements"][0]["value"]
    assert len(value) <= 2000
    ref = PageRef.decode(value)
    assert (ref.kind, ref.page) == ("gate", 4) and set(ref.query) == {'"'}


def test_huge_plan_is_summarised() -> None:
    plan = Plan(
        action="gate.override",
        entity_kind="gate",
        entity_id="g",
        summary=HUGE,
        reason=HUGE,
        rule_changes=[RuleChange(rule_name=f"r{i}", kind="added") for i in range(500)],
        overrides_added=[f"user_{i}" for i in range(5000)],
        warnings=[HUGE] * 200,
    )
    dump = _valid(render_plan(plan))
    assert _more(dump, "changes") > 0
    assert 0 < _more(dump, "warnings") < 200


def test_message_safety_net_keeps_the_tail_and_counts_what_it_dropped() -> None:
    tail = [context(["footer"])]
    msg = message("fallback", [section(f"block {i}") for i in range(80)], tail)
    assert len(msg.blocks) == 50
    assert msg.blocks[-1] == tail[0]
    assert msg.blocks[-2]["elements"][0]["text"] == f"{ELLIPSIS}and 32 more blocks not shown"
    big = message("f", [section("y" * 2900) for _ in range(10)])
    assert check_message(big) == []
