"""Turning raw command text into tokens: normalisation, quoting, Slack escapes, suggestions.

Chat clients rewrite what people type: macOS and iOS turn ``"`` into ``“ ”``, ``'`` into
``’`` and ``--`` into ``—``; Slack wraps mentions, channels and anything that looks like a
link or an e-mail address in ``<…>`` escapes and HTML-encodes ``&``, ``<`` and ``>``.
Everything here undoes that so the grammar in :mod:`bot.ops.commands` only sees plain words.

We tokenise by hand instead of with :mod:`shlex` for two reasons: reasons are prose, and an
apostrophe in "don't" must not be an unterminated quote; and the parser needs to know
whether a token was quoted (a quoted ``"--rule"`` is a word, not a flag). A quote opens a
quoted section only at the start of a word and only when a partner ends a later word;
otherwise it is an ordinary character.
No function in this module raises on any input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "MAX_INPUT_CHARS",
    "SLACK_ESCAPE",
    "Token",
    "contains_mention",
    "normalize",
    "plain_value",
    "readable_text",
    "shown",
    "tokenize",
]

#: Slack caps slash-command text at about this length; longer input is refused outright.
MAX_INPUT_CHARS = 4000

_CHAR_MAP = str.maketrans(
    {
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u00a0": " ",  # no-break space
    }
)
# An em- or en-dash that starts a word was a "--" before autocorrect: "—tag x" → "--tag x".
# Dashes inside prose ("errors — spiking") are left alone.
_DASH_FLAG = re.compile(r"(?<!\S)[\u2014\u2013](?=\w)")
_DROP_CATEGORIES = frozenset({"Cf", "Cs"})  # zero-width, bidi overrides, lone surrogates

#: One Slack escape: ``<@U1|alice>``, ``<#C1|ops>``, ``<!here>``, ``<https://x|label>``,
#: ``<mailto:a@b|a@b>``. Anything else in angle brackets is ordinary text.
SLACK_ESCAPE = re.compile(
    r"<(?P<target>[@#!][^<>|\s]*|[A-Za-z][A-Za-z0-9+.\-]*:[^<>|\s]+)(?:\|(?P<label>[^<>]*))?>"
)
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
# A quote opens a quoted section only at the start of a word (or after ``--flag=``) and is
# closed by the same quote at the end of a word, so "don't" and "it's" stay ordinary words.
_CLOSING = {q: re.compile(q + r"(?=\s|$)") for q in "\"'"}
_SHOWN_LIMIT = 40


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the command; ``quoted`` when it began with a quote (so never a flag)."""

    value: str
    quoted: bool = False


def normalize(text: str) -> str:
    """Undo typographic autocorrect and drop characters that only hide or disguise text.

    Control characters (newlines and tabs included) become spaces, so a multi-line paste is
    one line of words; invisible format characters and lone surrogates are removed.
    """
    text = _DASH_FLAG.sub("--", text.translate(_CHAR_MAP))
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            out.append(" ")
        elif category not in _DROP_CATEGORIES:
            out.append(ch)
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    """Split normalised text into words, honouring quotes and Slack escapes.

    >>> [t.value for t in tokenize('kill gate "errors spiking" don\\'t')]
    ['kill', 'gate', 'errors spiking', "don't"]
    """
    tokens: list[Token] = []
    buf: list[str] = []
    in_token = quoted = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            if in_token:
                tokens.append(Token("".join(buf), quoted))
                buf, in_token, quoted = [], False, False
            i += 1
            continue
        if ch == "<" and (match := SLACK_ESCAPE.match(text, i)):
            buf.append(match.group(0))
            in_token, i = True, match.end()
            continue
        if (
            ch in _CLOSING
            and (not in_token or text[i - 1] == "=")
            and (close := _CLOSING[ch].search(text, i + 1))
        ):
            quoted = quoted or not in_token
            buf.append(text[i + 1 : close.start()])
            in_token, i = True, close.end()
            continue
        buf.append(ch)
        in_token, i = True, i + 1
    if in_token:
        tokens.append(Token("".join(buf), quoted))
    return tokens


def _decode_entities(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _mention_text(target: str, label: str | None) -> str:
    """``@alice`` for users and groups, ``#ops`` for channels, ``@here`` for broadcasts."""
    if target.startswith("!date") and label:  # a formatted date: its fallback text
        return label
    if label:
        return label if label[0] in "@#" else ("#" if target[0] == "#" else "@") + label
    if target.startswith("!"):
        return "@" + target[1:].split("^", 1)[0]
    return target


def _link_value(target: str, label: str | None) -> str:
    """What a person typed before Slack auto-linked it: the label, else the address."""
    if label:
        return label
    return target.removeprefix("mailto:")


def readable_text(text: str) -> str:
    """Text for a reason or a search: mentions as ``@name``, links as ``label (url)``."""

    def replace(match: re.Match[str]) -> str:
        target, label = match.group("target"), match.group("label")
        if target[0] in "@#!":
            return _mention_text(target, label)
        value = _link_value(target, label)
        bare = target.split(":", 1)[1].lstrip("/")
        if label and label != bare and not target.startswith("mailto:"):
            return f"{value} ({target})"
        return value

    return _decode_entities(SLACK_ESCAPE.sub(replace, text))


def plain_value(text: str) -> str:
    """A name or an ID as typed: auto-links unwrapped to their label; mentions as ``@name``.

    Callers reject mentions with :func:`contains_mention` first when they are not allowed.
    """

    def replace(match: re.Match[str]) -> str:
        target, label = match.group("target"), match.group("label")
        if target[0] in "@#!":
            return _mention_text(target, label)
        return _link_value(target, label)

    return _decode_entities(SLACK_ESCAPE.sub(replace, text))


def contains_mention(text: str) -> bool:
    """True when ``text`` holds a user, channel, group or broadcast escape."""
    return any(m.group("target")[0] in "@#!" for m in SLACK_ESCAPE.finditer(text))


def shown(value: str) -> str:
    """A fragment of user input safe to quote back inside backticks in an error message."""
    value = value.replace("`", "'")
    if len(value) > _SHOWN_LIMIT:
        value = value[:_SHOWN_LIMIT] + "…"
    return value
