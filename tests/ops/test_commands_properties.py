"""Property tests: whatever arrives from Slack, ``parse`` answers with a value, never raises."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ops.commands.models import COMMAND_ADAPTER
from bot.ops.commands.parse import UsageError, parse
from bot.ops.commands.registry import NOUNS, REGISTRY
from bot.ops.commands.text import MAX_INPUT_CHARS

settings.register_profile("ops-ci", max_examples=2000, deadline=None)
settings.register_profile("ops-dev", max_examples=300, deadline=None)
PROFILE = settings.get_profile("ops-ci" if os.environ.get("CI") else "ops-dev")

_VOCABULARY = sorted(
    {w for n in NOUNS for w in (n.name, *n.aliases)}
    | {w for s in REGISTRY if s.verb for w in (s.verb, *s.aliases)}
    | {f"--{f.name}" for s in REGISTRY for f in s.flags}
    | {"pass", "fail", "remove", "mine", "pending", "--", "25%", "12.5", "2h", "u1,u2", ","}
)
_SLACK = st.sampled_from(
    [
        "<@U123|alice>",
        "<@U123>",
        "<#C1|ops>",
        "<!here>",
        "<!subteam^S1|@oncall>",
        "<http://x.co|x.co>",
        "<https://a.b/c?d=e&amp;f|link text>",
        "<mailto:a@b.co|a@b.co>",
        "<",
        ">",
        "<|>",
        "<@>",
        "&amp;",
        "&lt;",
        "&gt;",
    ]
)
_PUNCT = st.sampled_from(['"', "'", "\u201c", "\u201d", "\u2019", "\u2014", "=", "\\", "`", "%"])
_NAME = st.from_regex(r"[a-zA-Z0-9_\-.]{1,12}", fullmatch=True)
_WORD = st.one_of(st.sampled_from(_VOCABULARY), _SLACK, _PUNCT, _NAME, st.text(max_size=8))
_SEP = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u200b", "=", ""])


@st.composite
def command_like(draw: st.DrawFn) -> str:
    """Mostly a real command's first words (so handlers run) followed by random words."""
    spec = draw(st.sampled_from(REGISTRY))
    noun = next(n for n in NOUNS if n.name == spec.noun)
    head = [draw(st.sampled_from((noun.name, *noun.aliases)))]
    if spec.verb:
        head.append(draw(st.sampled_from((spec.verb, *spec.aliases))))
    if draw(st.booleans()):
        head = [w.upper() for w in head]
    if draw(st.integers(0, 9)) == 0:
        head = []
    words = draw(st.lists(st.tuples(_WORD, _SEP), max_size=12))
    return " ".join(head) + " " + "".join(word + sep for word, sep in words)


def check(text: str) -> None:
    result = parse(text)
    if isinstance(result, UsageError):
        message = result.message
        assert message.startswith("Error: ") and "\n" not in message
        assert len(message) < 1200
    else:
        assert COMMAND_ADAPTER.validate_python(result.model_dump()) == result


@PROFILE
@given(st.text(max_size=200))
def test_random_text_never_raises(text: str) -> None:
    check(text)


@PROFILE
@given(command_like())
def test_command_like_text_never_raises(text: str) -> None:
    check(text)


@settings(PROFILE, max_examples=max(PROFILE.max_examples // 20, 15))
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=3_900, max_size=4_100))
def test_huge_input_is_bounded(text: str) -> None:
    result = parse(text)
    if len(text) > MAX_INPUT_CHARS:
        assert isinstance(result, UsageError) and "too long" in result.problem
    else:
        check(text)


@PROFILE
@given(
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Zs", "Zl", "Zp"]), max_size=60)
)
def test_control_and_space_characters_only(text: str) -> None:
    check(text)


@settings(PROFILE, max_examples=max(PROFILE.max_examples // 20, 15))
@given(command_like(), st.integers(min_value=50, max_value=400))
def test_long_command_like_text_near_the_bound(text: str, repeat: int) -> None:
    check((text + " ") * repeat)
