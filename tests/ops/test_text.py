"""Normalisation, tokenising and Slack escapes."""

from __future__ import annotations

import pytest

from bot.ops.commands.text import (
    Token,
    contains_mention,
    normalize,
    plain_value,
    readable_text,
    shown,
    tokenize,
)
from bot.ops.model.words import suggest


def values(text: str) -> list[str]:
    return [t.value for t in tokenize(normalize(text))]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u201cBeta users\u201d", '"Beta users"'),
        ("\u2018x\u2019 it\u2019s", "'x' it's"),
        ("\u201equoted\u201f", '"quoted"'),
        ("\u2014rule x", "--rule x"),
        ("a \u2013tag b", "a --tag b"),
        ("errors \u2014 spiking", "errors \u2014 spiking"),  # prose dashes stay
        ("a\nb\tc\x00d", "a b c d"),
        ("zero\u200bwidth \u202eevil", "zerowidth evil"),
        ("no\u00a0break", "no break"),
        ("lone \ud800 surrogate", "lone  surrogate"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a  b   c", ["a", "b", "c"]),
        ('kill x "errors spiking"', ["kill", "x", "errors spiking"]),
        ("kill x 'errors spiking'", ["kill", "x", "errors spiking"]),
        ("don't stop, it's fine", ["don't", "stop,", "it's", "fine"]),
        ("'don't do it' now", ["don't do it", "now"]),
        ('"unterminated quote', ['"unterminated', "quote"]),
        ('--rule="Beta users" x', ["--rule=Beta users", "x"]),
        ('""', [""]),
        ("<http://x.co|a label> b", ["<http://x.co|a label>", "b"]),
        ("a <b c", ["a", "<b", "c"]),
        ("", []),
    ],
)
def test_tokenize(text: str, expected: list[str]) -> None:
    assert values(text) == expected


def test_tokens_remember_whether_they_were_quoted() -> None:
    assert tokenize('--a "--b" c') == [Token("--a"), Token("--b", quoted=True), Token("c")]


@pytest.mark.parametrize(
    ("raw", "reason", "value"),
    [
        ("<@U123|alice>", "@alice", "@alice"),
        ("<@U123>", "@U123", "@U123"),
        ("<#C1|incidents>", "#incidents", "#incidents"),
        ("<!here>", "@here", "@here"),
        ("<!subteam^S1|@oncall>", "@oncall", "@oncall"),
        ("<!date^1392734382^{date}|Feb 18>", "Feb 18", "Feb 18"),
        ("<mailto:a@b.co|a@b.co>", "a@b.co", "a@b.co"),
        ("<http://x.co|x.co>", "x.co", "x.co"),
        ("<https://x.co/i/1|INC-1>", "INC-1 (https://x.co/i/1)", "INC-1"),
        ("<https://x.co/i/1>", "https://x.co/i/1", "https://x.co/i/1"),
        ("R&amp;D &lt;b&gt;", "R&D <b>", "R&D <b>"),
        ("&lt;@U1|x&gt;", "<@U1|x>", "<@U1|x>"),  # typed text, not an escape
    ],
)
def test_slack_escapes(raw: str, reason: str, value: str) -> None:
    assert readable_text(raw) == reason
    assert plain_value(raw) == value


def test_contains_mention() -> None:
    assert contains_mention("<@U1|a>")
    assert contains_mention("x<#C1>")
    assert not contains_mention("<mailto:a@b|a@b>")
    assert not contains_mention("&lt;@U1&gt;")


def test_shown_is_short_and_backtick_free() -> None:
    assert shown("a`b") == "a'b"
    assert shown("x" * 41) == "x" * 40 + "…"


def test_suggest_is_case_insensitive_and_keeps_spelling() -> None:
    assert suggest("DISABEL", ["enable", "disable"]) == ["disable"]
    assert suggest("zzz", ["enable", "disable"]) == []
