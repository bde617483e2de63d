"""Loading and validating the policy file: every error names the file, the key and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.ops.policy.model import PolicyFile, parse_duration
from bot.ops.policy.rules import Policy, PolicyError, load_policy

REPO = Path(__file__).resolve().parents[2]


def error_lines(text: str, source: str = "policy.toml") -> list[str]:
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml(text, source)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return list(caught.value.problems)


def test_example_policy_loads(tmp_path: Path) -> None:
    policy = load_policy(REPO / "policy.example.toml")
    assert policy.incident_channel == "C0INCIDENT"
    assert policy.model.groups["responders"] == ("S0ONCALL", "alice@example.com")
    assert [r.approvals_required for r in policy.model.rules] == [2, 1]
    assert policy.model.rules[1].ttl == 8 * 3600
    assert policy.model.defaults.ttl == 24 * 3600
    assert policy.dm_approvers is False


def test_no_file_means_defaults() -> None:
    policy = load_policy(None)
    assert policy.model == PolicyFile()
    assert policy.model.defaults.approvals_required == 1
    assert policy.model.defaults.allow_self_approval is False
    assert policy.model.incident.responders is None
    assert policy.model.identity.require_statsig_user is True
    assert policy.model.identity.editor_roles == ("Admin", "Member")


def test_empty_file_means_defaults() -> None:
    assert Policy.from_toml("").model == PolicyFile()


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}: file not found"
    assert isinstance(caught.value, ConfigError)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[[rules]]\nactions = ["gate.*"]\napprovers = "aprovers"\n')
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}: rules[0].approvers: unknown group 'aprovers'"


def test_invalid_toml() -> None:
    (line,) = error_lines("[groups\n")
    assert line.startswith("policy.toml: invalid TOML: ")
    assert "line 1" in line


def test_unknown_group_in_second_rule() -> None:
    text = """
[groups]
approvers = ["*"]
[[rules]]
actions = ["gate.enable"]
approvers = "approvers"
[[rules]]
actions = ["gate.*"]
approvers = "aprovers"
"""
    assert error_lines(text) == ["policy.toml: rules[1].approvers: unknown group 'aprovers'"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[rules]]\nactions = ["*"]\nrequesters = "devs"\n',
            "rules[0].requesters: unknown group 'devs'",
        ),
        ('[incident]\nresponders = "oncall"\n', "incident.responders: unknown group 'oncall'"),
        ('[defaults]\napprovers = "leads"\n', "defaults.approvers: unknown group 'leads'"),
        (
            '[identity]\neditor_roles = ["Admin", "Read Only"]\n',
            "identity.editor_roles[1]: 'Read Only' can never edit",
        ),
        (
            '[channels]\nallowed = ["#ops"]\n',
            "channels.allowed[0]: '#ops' is not a Slack channel ID (C…, G… or D…)",
        ),
        (
            '[channels]\nincident = "incidents"\n',
            "channels.incident: 'incidents' is not a Slack channel ID (C…, G… or D…)",
        ),
        (
            '[groups]\nleads = ["U1ALICE", "bob"]\n',
            "groups.leads[1]: 'bob' is not a Slack user ID (U…), user-group ID (S…), email, or '*'",
        ),
        (
            '[defaults]\nttl = "24x"\n',
            "defaults.ttl: invalid duration '24x' (use e.g. 30m, 24h or 7d)",
        ),
        ('[defaults]\nttl = "0h"\n', "defaults.ttl: duration must be positive"),
        (
            "[defaults]\napprovals_required = -1\n",
            "defaults.approvals_required: Input should be greater than or equal to 0",
        ),
        (
            '[defaults]\nallow_self_approval = "yes please"\n',
            "defaults.allow_self_approval: Input should be a valid boolean",
        ),
        ("[defaults]\napprovals = 2\n", "defaults.approvals: unknown key"),
        ("[chanels]\nallowed = []\n", "chanels: unknown key"),
        ('[[rules]]\napprovers = "*"\n', "rules[0].actions: required key is missing"),
        ("[[rules]]\nactions = []\n", "rules[0].actions: must not be empty"),
        (
            '[[rules]]\nactions = ["gate"]\n',
            "rules[0].actions[0]: invalid action pattern 'gate' (use noun.verb, e.g. gate.* or *)",
        ),
        (
            '[[rules]]\nactions = ["gate.disable.now"]\n',
            "rules[0].actions[0]: invalid action pattern 'gate.disable.now' "
            "(use noun.verb, e.g. gate.* or *)",
        ),
        (
            '[[rules]]\nactions = ["*"]\napprovals_required = 1.5\n',
            "rules[0].approvals_required: Input should be a valid integer, got a number with a "
            "fractional part",
        ),
        (
            "[notifications]\ndm_approvers = 3\n",
            "notifications.dm_approvers: Input should be a valid boolean",
        ),
        (
            '[identity]\nrequire_statsig_user = "maybe"\n',
            "identity.require_statsig_user: Input should be a valid boolean",
        ),
    ],
)
def test_each_validation_error_names_key_and_reason(text: str, expected: str) -> None:
    lines = error_lines(text)
    assert lines[0].startswith(f"policy.toml: {expected}"), lines


def test_all_problems_are_reported_one_per_line() -> None:
    text = '[defaults]\nttl = "x"\napprovals = 1\n[[rules]]\nactions = ["bad"]\n'
    assert error_lines(text, "p.toml") == [
        "p.toml: defaults.ttl: invalid duration 'x' (use e.g. 30m, 24h or 7d)",
        "p.toml: defaults.approvals: unknown key",
        "p.toml: rules[0].actions[0]: invalid action pattern 'bad' "
        "(use noun.verb, e.g. gate.* or *)",
    ]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90s", 90),
        ("30m", 1800),
        ("24h", 86400),
        ("7d", 604800),
        ("1w", 604800),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        (600, 600),
    ],
)
def test_durations(value: str | int, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "h", "1y", "-1h", True, 0, 1.5])
def test_bad_durations(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


def test_a_misspelt_action_is_refused_with_the_closest_names() -> None:
    """Issue 9.22: ``gate.rolout`` passed ``check`` and never matched, so the rule meant to
    tighten rollouts silently fell back to the defaults."""
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml('[[rules]]\nactions = ["gate.*", "gate.rolout"]\n', source="p.toml")
    assert str(caught.value) == (
        "p.toml: rules[0].actions[1]: 'gate.rolout' matches no action the bot has; "
        "did you mean 'gate.rollout' or 'gate.launch'?"
    )
    with pytest.raises(PolicyError, match="'flag.disable' matches no action"):
        Policy.from_toml('[[rules]]\nactions = ["flag.disable"]\n')
    for fine in ("*", "gate.*", "*.disable", "incident.kill", "segment.add-ids", "config.edit"):
        Policy.from_toml(f'[[rules]]\nactions = ["{fine}"]\n')
