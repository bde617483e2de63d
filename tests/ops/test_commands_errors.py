"""Every class of usage error, asserting the exact sentence the user reads."""

from __future__ import annotations

import pytest

from bot.ops.commands.parse import AuditCommand, UsageError, parse
from bot.ops.commands.text import shown

TWO_DECIMALS = "a percentage takes at most 2 decimals (e.g. 12.55)"

KILL_USAGE = "`/statsig kill <gate> [--for D [--auto-restore]] [reason]`"


def error(text: str) -> str:
    result = parse(text)
    assert isinstance(result, UsageError), f"{text!r} parsed as {result!r}"
    return result.message


def test_unknown_verb_names_it_and_shows_the_closest_form() -> None:
    assert error("gate disabel checkout_v2") == (
        "Error: unknown verb `disabel` for gate. Usage: `/statsig gate disable <name> [reason]`."
        " Did you mean `gate disable`?"
    )


def test_unknown_verb_without_a_close_match_points_to_help() -> None:
    assert error("gate frobnicate checkout_v2 now") == (
        "Error: unknown verb `frobnicate` for gate. Usage: `/statsig help gate`."
    )


def test_unknown_command_suggests_the_noun_and_verb() -> None:
    assert error("gat disable checkout_v2") == (
        "Error: unknown command `gat`. Usage: `/statsig gate disable <name> [reason]`."
        " Did you mean `gate disable`?"
    )
    assert error("kil checkout_v2") == (
        f"Error: unknown command `kil`. Usage: {KILL_USAGE}. Did you mean `kill`?"
    )
    assert error("deploy everything") == "Error: unknown command `deploy`. Usage: `/statsig help`."


def test_missing_name() -> None:
    assert error("gate disable") == (
        "Error: missing gate name. Usage: `/statsig gate disable <name> [reason]`."
    )
    assert error("kill") == f"Error: missing gate name. Usage: {KILL_USAGE}."
    assert error('experiment start ""') == (
        "Error: missing experiment name. Usage: `/statsig experiment start <name> [reason]`."
    )


def test_invalid_entity_name_explains_the_pattern() -> None:
    assert error("gate disable check/out") == (
        "Error: `check/out` is not a valid gate name (letters, digits, `_`, `-` and `.`;"
        " at most 100 characters). Usage: `/statsig gate disable <name> [reason]`."
    )
    assert isinstance(parse("gate show " + "a" * 101), UsageError)
    assert not isinstance(parse("gate show " + "a" * 100), UsageError)


def test_long_names_are_shortened_when_echoed() -> None:
    assert error("config show " + "é" * 60).startswith(
        "Error: `" + "é" * 40 + "…` is not a valid config name"
    )


def test_backticks_in_echoed_input_cannot_break_the_formatting() -> None:
    assert error("gate show a`b").startswith("Error: `a'b` is not a valid gate name")


def test_a_slack_mention_is_not_a_name() -> None:
    assert error("kill <@U123|alice> now") == (
        f"Error: `@alice` is a Slack mention, not a gate name. Usage: {KILL_USAGE}."
    )


def test_a_slack_mention_is_not_an_override_id() -> None:
    assert error("gate override new_nav pass <@U123|alice>") == (
        "Error: `@alice` is a Slack mention, not a Statsig ID (write the user's ID or e-mail)."
        " Usage: `/statsig gate override <name> pass|fail|remove <ids> [--env E] [reason]`."
    )


def test_unexpected_extra_argument() -> None:
    assert error("gate show checkout_v2 now") == (
        "Error: unexpected argument `now`. Usage: `/statsig gate show <name>`."
    )
    assert error("approvals mine all") == (
        "Error: unexpected argument `all`. Usage: `/statsig approvals [mine|pending]`."
    )


ROLLOUT = "Usage: `/statsig gate rollout <name> <pct> [--rule R] [reason]`."


@pytest.mark.parametrize(
    ("pct", "problem"),
    [
        ("", "missing percentage"),
        ("101", "percentage `101` is out of range (0–100)"),
        ("100.01", "percentage `100.01` is out of range (0–100)"),
        ("12.345", f"`12.345` has too many decimals: {TWO_DECIMALS}"),
        ("12.555", f"`12.555` has too many decimals: {TWO_DECIMALS}"),
        ("1" * 40, f"`{'1' * 40}` is not a percentage (write 25, 25% or 12.5)"),
        ("-5", "percentage `-5` is out of range (0–100)"),
        ("half", "`half` is not a percentage (write 25, 25% or 12.5)"),
        ("1e2", "`1e2` is not a percentage (write 25, 25% or 12.5)"),
        ("nan", "`nan` is not a percentage (write 25, 25% or 12.5)"),
        ("٢٥", "`٢٥` is not a percentage (write 25, 25% or 12.5)"),
    ],
)
def test_bad_percentages(pct: str, problem: str) -> None:
    # 12.555 used to read "is not a percentage", as if 12.5 were not one either
    assert error(f"gate rollout new_nav {pct}") == f"Error: {problem}. {ROLLOUT}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "gate rollout new_nav 5 --rul beta",
            f"Error: unknown flag `--rul` for `gate rollout`. {ROLLOUT} Did you mean `--rule`?",
        ),
        ("gate rollout new_nav 5 --rule", f"Error: flag `--rule` needs a value. {ROLLOUT}"),
        ("gate rollout new_nav 5 --rule= x", f"Error: flag `--rule` needs a value. {ROLLOUT}"),
        ("gate rollout new_nav 5 --rule --env x", f"Error: flag `--rule` needs a value. {ROLLOUT}"),
        (
            "gate rollout new_nav 5 --env x",
            f"Error: unknown flag `--env` for `gate rollout`. {ROLLOUT}",
        ),
        (
            "gate rollout new_nav 5 --rule a --rule b",
            f"Error: flag `--rule` is given twice. {ROLLOUT}",
        ),
        (
            "kill checkout_v2 --force",
            f"Error: unknown flag `--force` for `kill`. Usage: {KILL_USAGE}. Did you mean `--for`?",
        ),
        (
            "audit --since",
            "Error: flag `--since` needs a value. Usage: `/statsig audit [name] [--since D]`.",
        ),
        (
            "gate list --page 0",
            "Error: `0` is not a page number (1 to 10000)."
            " Usage: `/statsig gate list [text] [--tag T] [--status S] [--page N]`.",
        ),
    ],
)
def test_flag_errors(text: str, message: str) -> None:
    assert error(text) == message


def test_a_trailing_flag_without_value() -> None:
    assert error("gate override n pass u1 --env") == (
        "Error: flag `--env` needs a value."
        " Usage: `/statsig gate override <name> pass|fail|remove <ids> [--env E] [reason]`."
    )


@pytest.mark.parametrize(
    ("since", "problem"),
    [
        ("2x", "`2x` is not a duration (write 30m, 2h or 7d)"),
        ("h", "`h` is not a duration (write 30m, 2h or 7d)"),
        ("0m", "duration `0m` is out of range (1m to 365d)"),
        ("400d", "duration `400d` is out of range (1m to 365d)"),
        ("99999999999d", "duration `99999999999d` is out of range (1m to 365d)"),
        ("0000000000001d", None),
        ("525600m", None),
        ("525601m", "duration `525601m` is out of range (1m to 365d)"),
        ("9" * 30 + "w", f"duration `{shown('9' * 30 + 'w')}` is out of range (1m to 365d)"),
    ],
)
def test_bad_durations(since: str, problem: str | None) -> None:
    if problem is None:  # leading zeros and the exact limit are fine
        assert isinstance(parse(f"audit --since {since}"), AuditCommand)
        return
    assert error(f"audit --since {since}") == (
        f"Error: {problem}. Usage: `/statsig audit [name] [--since D]`."
    )


def test_bad_status_lists_the_valid_ones_and_suggests() -> None:
    assert error("gate list --status lanched") == (
        "Error: unknown gate status `lanched` (one of in-progress, launched, disabled, archived)."
        " Usage: `/statsig gate list [text] [--tag T] [--status S] [--page N]`."
        " Did you mean `launched` or `archived`?"
    )


def test_bad_override_mode() -> None:
    assert error("gate override new_nav passs u1") == (
        "Error: unknown override mode `passs` (pass, fail or remove)."
        " Usage: `/statsig gate override <name> pass|fail|remove <ids> [--env E] [reason]`."
        " Did you mean `pass`?"
    )


def test_missing_ids() -> None:
    assert error("segment add-ids beta_users") == (
        "Error: missing IDs (write u1,u2 or u1 u2)."
        " Usage: `/statsig segment add-ids <name> <ids> [reason]`."
    )
    assert error("segment add-ids beta_users ,,, -- why") == (
        "Error: missing IDs (write u1,u2 or u1 u2)."
        " Usage: `/statsig segment add-ids <name> <ids> [reason]`."
    )


def test_too_many_ids() -> None:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    pairs = [a + b for a in alphabet for b in alphabet]
    ids = ",".join(pairs[:1001])
    assert error(f"segment add-ids beta {ids}").startswith(
        "Error: too many IDs (1001; at most 1000 per command)."
    )


def test_missing_search_text_and_group() -> None:
    assert error("gate search") == (
        "Error: missing search text. Usage: `/statsig gate search <text> [--page N]`."
    )
    assert error("experiment decide pricing_test") == (
        "Error: missing group name. Usage: `/statsig experiment decide <name> <group> [reason]`."
    )


def test_unknown_help_topic_and_approvals_filter() -> None:
    assert error("help gatez") == (
        "Error: unknown help topic `gatez`. Usage: `/statsig help [topic]`. Did you mean `gate`?"
    )
    assert error("approvals mien") == (
        "Error: unknown approvals filter `mien` (mine or pending)."
        " Usage: `/statsig approvals [mine|pending]`. Did you mean `mine`?"
    )


def test_edit_needs_an_entity_noun() -> None:
    assert error("edit kill foo") == (
        "Error: cannot edit `kill` (gate, config, experiment or segment)."
        " Usage: `/statsig edit <gate|config|experiment|segment> <name>`."
    )
    assert error("edit gaet foo").endswith("Did you mean `gate`?")


def test_flags_without_a_command() -> None:
    assert error("--tag x") == "Error: missing command. Usage: `/statsig help`."
    assert error("gate --tag x") == "Error: missing verb for gate. Usage: `/statsig help gate`."


def test_input_over_the_size_bound_is_refused() -> None:
    assert error("kill x " + "a" * 3994) == (
        "Error: the command is too long (4,001 characters; the limit is 4,000)."
    )
    assert not isinstance(parse("kill x " + "a" * 3993), UsageError)


def test_render_without_prefix_for_the_shell() -> None:
    result = parse("gate disabel x")
    assert isinstance(result, UsageError)
    assert result.render(prefix="") == (
        "Error: unknown verb `disabel` for gate. Usage: `gate disable <name> [reason]`."
        " Did you mean `gate disable`?"
    )
    assert str(result) == result.message
