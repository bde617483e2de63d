"""One narrative test per row of the grammar table (DESIGN.md §3), plus flag tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from bot.ops.commands.parse import (
    COMMAND_ADAPTER,
    ApprovalsCommand,
    AuditCommand,
    Command,
    DecideCommand,
    EditCommand,
    HelpCommand,
    HistoryCommand,
    KillCommand,
    LifecycleCommand,
    ListCommand,
    OverrideCommand,
    RestoreCommand,
    RolloutCommand,
    SegmentIdsCommand,
    ShowCommand,
    ToggleCommand,
    UsageError,
    parse,
)
from bot.ops.commands.registry import CommandKind

C = TypeVar("C", bound=BaseModel)


def ok(text: str) -> Command:
    result = parse(text)
    assert not isinstance(result, UsageError), result.message
    return result


def as_(text: str, cls: type[C]) -> C:
    result = parse(text)
    assert isinstance(result, cls), getattr(result, "message", result)
    return result


def fields(command: Command) -> dict[str, Any]:
    # ``ambiguous_ids`` has a test of its own (test_space_separated_ids_that_run_to_the_end)
    # ``override_freeze`` too (tests/ops/test_commands_freeze.py)
    return command.model_dump(exclude={"shape", "ambiguous_ids", "override_freeze"})


# --- help ---------------------------------------------------------------------------------


def test_empty_text_and_help_show_all_help() -> None:
    for text in ("", "   ", "help", "HELP", "?"):
        assert ok(text) == HelpCommand(action="help.show", kind=CommandKind.READ)


def test_help_topic_is_canonicalised_through_aliases() -> None:
    assert as_("help flags", HelpCommand).topic == "gate"
    assert as_("help flag off", HelpCommand).topic == "gate disable"
    assert as_("help kill", HelpCommand).topic == "kill"


def test_bare_noun_shows_help_for_that_noun() -> None:
    assert ok("gate") == HelpCommand(action="help.show", kind=CommandKind.READ, topic="gate")
    assert as_("exp", HelpCommand).topic == "experiment"


# --- gates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "gate checkout_v2",
        "gate show checkout_v2",
        "FLAG Show checkout_v2",
        "gates checkout_v2",
        "flags info checkout_v2",
    ],
)
def test_gate_show_and_its_shortcut(text: str) -> None:
    assert ok(text) == ShowCommand(
        action="gate.show", kind=CommandKind.READ, noun="gate", name="checkout_v2"
    )


def test_gate_name_keeps_its_case_for_the_resolver() -> None:
    assert as_("gate Checkout_V2", ShowCommand).name == "Checkout_V2"


def test_a_quoted_verb_is_a_name() -> None:
    assert ok('gate "list"') == ShowCommand(
        action="gate.show", kind=CommandKind.READ, noun="gate", name="list"
    )


def test_gate_list_with_text_and_filters() -> None:
    assert fields(ok("gate list checkout --tag payments --status launched --page 3")) == {
        "action": "gate.list",
        "kind": CommandKind.READ,
        "reason": "",
        "noun": "gate",
        "text": "checkout",
        "tags": ("payments",),
        "status": "Launched",
        "page": 3,
    }


def test_gate_list_defaults() -> None:
    assert ok("gate ls") == ListCommand(action="gate.list", kind=CommandKind.READ, noun="gate")


def test_gate_search_is_a_list_with_required_text() -> None:
    assert ok("gate search new checkout") == ListCommand(
        action="gate.search", kind=CommandKind.READ, noun="gate", text="new checkout"
    )


def test_gate_history() -> None:
    assert ok("gate history checkout_v2") == HistoryCommand(
        action="gate.history", kind=CommandKind.READ, noun="gate", name="checkout_v2"
    )


@pytest.mark.parametrize(
    ("text", "action", "enabled"),
    [
        ("gate disable checkout_v2 errors spiking", "gate.disable", False),
        ("gate off checkout_v2 errors spiking", "gate.disable", False),
        ("gate enable checkout_v2 errors spiking", "gate.enable", True),
        ("flag ON checkout_v2 'errors spiking'", "gate.enable", True),
    ],
)
def test_gate_enable_disable_with_reason(text: str, action: str, enabled: bool) -> None:
    assert ok(text) == ToggleCommand(
        action=action,
        kind=CommandKind.CHANGE,
        noun="gate",
        name="checkout_v2",
        enabled=enabled,
        reason="errors spiking",
    )


def test_reason_is_optional_and_empty_when_absent() -> None:
    assert ok("gate disable checkout_v2").reason == ""


@pytest.mark.parametrize(
    ("text", "pct", "rule", "reason"),
    [
        ("gate rollout new_nav 25", 25.0, None, ""),
        ("gate rollout new_nav 25%", 25.0, None, ""),
        ("gate rollout new_nav 12.5 ramping up", 12.5, None, "ramping up"),
        ("gate rollout new_nav 0.05", 0.05, None, ""),
        ("gate rollout new_nav 100", 100.0, None, ""),
        ("gate rollout new_nav 0", 0.0, None, ""),
        ("gate rollout new_nav 50 --rule beta", 50.0, "beta", ""),
        ("gate rollout new_nav 50 --rule=beta ramp", 50.0, "beta", "ramp"),
        ('gate rollout --rule "Beta users" new_nav 50 ramp', 50.0, "Beta users", "ramp"),
        ('gate rollout new_nav 50 ramp --rule "Beta users" now', 50.0, "Beta users", "ramp now"),
        (
            "gate ramp new_nav 50 -- --rule is not a flag here",
            50.0,
            None,
            "--rule is not a flag here",
        ),
    ],
)
def test_gate_rollout_percentages_rules_and_reasons(
    text: str, pct: float, rule: str | None, reason: str
) -> None:
    assert ok(text) == RolloutCommand(
        action="gate.rollout",
        kind=CommandKind.CHANGE,
        name="new_nav",
        percentage=pct,
        rule=rule,
        reason=reason,
    )


@pytest.mark.parametrize(
    ("text", "mode", "ids", "env", "reason"),
    [
        ("gate override new_nav pass u1", "pass", ("u1",), None, ""),
        ("gate override new_nav fail u1,u2 QA team", "fail", ("u1", "u2"), None, "QA team"),
        (
            "gate override new_nav PASS u1, u2 ,u3 , u4 why",
            "pass",
            ("u1", "u2", "u3", "u4"),
            None,
            "why",
        ),
        ("gate override new_nav remove u1 --env staging", "remove", ("u1",), "staging", ""),
        (
            'gate override new_nav pass u1 u2 u3 "QA team"',
            "pass",
            ("u1", "u2", "u3"),
            None,
            "QA team",
        ),
        ("gate override new_nav pass u1 u2 -- QA team", "pass", ("u1", "u2"), None, "QA team"),
        ("gate override new_nav pass u1 u2", "pass", ("u1", "u2"), None, ""),
        (
            "gate override new_nav pass u1 u2 --reason QA team",
            "pass",
            ("u1", "u2"),
            None,
            "QA team",
        ),
        ('gate override new_nav pass u1 --reason="QA" team', "pass", ("u1",), None, "QA team"),
        ("gate override new_nav pass u1,u2 u3", "pass", ("u1", "u2"), None, "u3"),
        ("gate override new_nav pass u1,u1,u2", "pass", ("u1", "u2"), None, ""),
        ("gate override new_nav pass --env=prod u1,a@b.com", "pass", ("u1", "a@b.com"), "prod", ""),
    ],
)
def test_gate_override_id_lists(
    text: str, mode: str, ids: tuple[str, ...], env: str | None, reason: str
) -> None:
    assert fields(ok(text)) == {
        "action": "gate.override",
        "kind": CommandKind.CHANGE,
        "name": "new_nav",
        "mode": mode,
        "ids": ids,
        "environment": env,
        "reason": reason,
    }
    assert isinstance(ok(text), OverrideCommand)


@pytest.mark.parametrize(("verb", "operation"), [("launch", "launch"), ("archive", "archive")])
def test_gate_launch_and_archive(verb: str, operation: str) -> None:
    assert ok(f"gate {verb} new_nav shipped it") == LifecycleCommand.model_validate(
        {
            "action": f"gate.{verb}",
            "kind": "change",
            "noun": "gate",
            "name": "new_nav",
            "operation": operation,
            "reason": "shipped it",
        }
    )


# --- configs, experiments, segments -------------------------------------------------------


def test_config_rows() -> None:
    assert ok("dc pricing") == ShowCommand(
        action="config.show", kind=CommandKind.READ, noun="config", name="pricing"
    )
    assert as_("configs list --status disabled", ListCommand).status == "Disabled"
    assert ok("config history pricing").action == "config.history"
    assert ok("config off pricing bad values") == ToggleCommand(
        action="config.disable",
        kind=CommandKind.CHANGE,
        noun="config",
        name="pricing",
        enabled=False,
        reason="bad values",
    )
    assert ok("config enable pricing").action == "config.enable"


def test_experiment_rows() -> None:
    assert ok("exp pricing_test") == ShowCommand(
        action="experiment.show", kind=CommandKind.READ, noun="experiment", name="pricing_test"
    )
    listed = as_("experiment list --status decision-made", ListCommand)
    assert listed.status == "decision_made"
    start = as_("experiment start pricing_test go", LifecycleCommand)
    assert (start.action, start.operation, start.reason) == (
        "experiment.start",
        "start",
        "go",
    )
    assert as_("exp abandon pricing_test", LifecycleCommand).operation == "abandon"
    assert ok('experiment decide pricing_test "Test B" clear winner') == DecideCommand(
        action="experiment.decide",
        kind=CommandKind.CHANGE,
        name="pricing_test",
        group="Test B",
        reason="clear winner",
    )


def test_segment_rows() -> None:
    assert ok("seg beta_users").action == "segment.show"
    assert as_("segment list beta", ListCommand).text == "beta"
    assert ok("segment add-ids beta_users u1,u2 new testers") == SegmentIdsCommand(
        action="segment.add-ids",
        kind=CommandKind.CHANGE,
        name="beta_users",
        operation="add",
        ids=("u1", "u2"),
        reason="new testers",
    )
    spaced = as_("segment add-ids beta_users u1 u2 u3", SegmentIdsCommand)
    assert (spaced.ids, spaced.reason) == (("u1", "u2", "u3"), "")
    marked = as_('segment add-ids beta_users u1 u2 "new testers"', SegmentIdsCommand)
    assert (marked.ids, marked.reason) == (("u1", "u2"), "new testers")
    removed = as_("seg remove-ids beta_users u3", SegmentIdsCommand)
    assert (removed.action, removed.operation, removed.ids) == (
        "segment.remove-ids",
        "remove",
        ("u3",),
    )


# --- shortcuts -----------------------------------------------------------------------------


def test_kill_is_an_incident_command() -> None:
    assert ok("kill checkout_v2 INC-231 errors spiking") == KillCommand(
        action="incident.kill",
        kind=CommandKind.INCIDENT,
        gate="checkout_v2",
        reason="INC-231 errors spiking",
    )


def test_restore_takes_a_request_id_or_a_gate() -> None:
    assert ok("restore req_01HZX3 all clear") == RestoreCommand(
        action="incident.restore",
        kind=CommandKind.INCIDENT,
        target="req_01HZX3",
        reason="all clear",
    )
    assert as_("RESTORE checkout_v2", RestoreCommand).target == "checkout_v2"


@pytest.mark.parametrize(
    ("text", "scope"),
    [("approvals", "all"), ("approvals mine", "mine"), ("approval PENDING", "pending")],
)
def test_approvals_filters(text: str, scope: str) -> None:
    expected = {"action": "approvals.list", "kind": "read", "scope": scope}
    assert ok(text) == ApprovalsCommand.model_validate(expected)


@pytest.mark.parametrize(
    ("text", "name", "since"),
    [
        ("audit", None, None),
        ("audit checkout_v2", "checkout_v2", None),
        ("audit --since 30m", None, timedelta(minutes=30)),
        ("audit checkout_v2 --since 2h", "checkout_v2", timedelta(hours=2)),
        ("audit --since=7D checkout_v2", "checkout_v2", timedelta(days=7)),
        ("audit --since 1w", None, timedelta(weeks=1)),
    ],
)
def test_audit_name_and_since(text: str, name: str | None, since: timedelta | None) -> None:
    assert ok(text) == AuditCommand(
        action="audit.list", kind=CommandKind.READ, name=name, since=since
    )


@pytest.mark.parametrize(
    ("noun_word", "noun"),
    [("gate", "gate"), ("dc", "config"), ("exp", "experiment"), ("SEG", "segment")],
)
def test_edit_opens_a_modal_for_any_entity_noun(noun_word: str, noun: str) -> None:
    assert ok(f"edit {noun_word} some_name") == EditCommand.model_validate(
        {"action": f"{noun}.edit", "kind": "change", "noun": noun, "name": "some_name"}
    )


# --- input hygiene ------------------------------------------------------------------------


def test_smart_quotes_and_em_dash_flags_from_autocorrect() -> None:
    text = "gate rollout new_nav 25 \u2014rule \u201cBeta users\u201d it\u2019s time"
    command = as_(text, RolloutCommand)
    assert (command.rule, command.reason) == ("Beta users", "it's time")


def test_apostrophes_in_reasons_are_not_quotes() -> None:
    assert ok("kill checkout_v2 don't wait, it's broken").reason == "don't wait, it's broken"


def test_slack_escapes_in_reasons_are_unwrapped() -> None:
    command = ok("kill checkout_v2 <@U123|alice> in <#C1|incidents> see <https://x.io/i/1|INC-1>")
    assert command.reason == "@alice in #incidents see INC-1 (https://x.io/i/1)"


def test_slack_autolinked_ids_are_unwrapped() -> None:
    command = as_(
        "segment add-ids beta <mailto:a@b.co|a@b.co>,<http://x.co|x.co>", SegmentIdsCommand
    )
    assert command.ids == ("a@b.co", "x.co")


def test_slack_html_entities_are_decoded_in_reasons() -> None:
    assert ok("kill checkout_v2 R&amp;D &lt;3").reason == "R&D <3"


def test_multiline_paste_is_one_line() -> None:
    assert ok("gate disable\ncheckout_v2\n\tbroken").reason == "broken"


def test_commands_round_trip_through_the_adapter() -> None:
    for text in (
        "gate override new_nav pass u1,u2 --env prod why",
        "audit --since 2h",
        "kill checkout_v2 now",
        "gate list --tag a --tag b",
    ):
        command = ok(text)
        assert COMMAND_ADAPTER.validate_json(COMMAND_ADAPTER.dump_json(command)) == command


@pytest.mark.parametrize(
    ("text", "ambiguous"),
    [
        ("gate override new_nav pass user_1 QA team", True),
        ("gate override new_nav pass u1 u2", True),
        ("segment add-ids beta u1 u2 u3", True),
        ("gate override new_nav pass u1", False),
        ("gate override new_nav pass u1,u2 QA team", False),
        ("gate override new_nav pass u1 u2 -- QA team", False),
        ('gate override new_nav pass u1 u2 "QA team"', False),
        ("gate override new_nav pass u1 u2 --", False),
        ("segment add-ids beta u1, u2", False),
    ],
)
def test_space_separated_ids_that_run_to_the_end(text: str, ambiguous: bool) -> None:
    """Issue 9.10: the surface asks instead of silently taking trailing words as IDs."""
    command = ok(text)
    assert isinstance(command, OverrideCommand | SegmentIdsCommand)
    assert command.ambiguous_ids is ambiguous
