"""No line typed or piped into the shell ends the session with a traceback."""

from __future__ import annotations

import asyncio
import io

import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ops.commands.text import normalize
from bot.runtime import build_runtime
from bot.shell.session import Printer, Session, Status
from tests.shell.shell_support import settings as shell_settings
from tests.shell.shell_support import shell
from tests.support.redis_server import RedisServer

HUGE_EMAIL = "x" * 70_000 + "@example.com"


async def test_unicode_digits_are_not_button_numbers() -> None:
    ran = await shell(command="²")
    assert ran.code == 2 and "unknown command" in ran.out
    piped = await shell("²", "¹²", "gate checkout_v2")
    assert piped.code == 0 and "🚦 Gate: checkout_v2" in piped.out


async def test_a_huge_or_malformed_as_is_refused_and_the_session_goes_on() -> None:
    ran = await shell(f":as {HUGE_EMAIL}", ":as a@b@c", ":as", "gate checkout_v2")
    assert ran.out.count("Usage: :as <email>") == 3
    assert "too long" in ran.out and "exactly one @" in ran.out and "is empty" in ran.out
    assert "🚦 Gate: checkout_v2" in ran.out
    assert "you are alice@example.com" in ran.first_line  # nobody else was adopted


async def test_bad_as_flag_and_empty_c_exit_2_with_usage() -> None:
    for actor in ("", "   ", HUGE_EMAIL, "bob"):
        ran = await shell(command="gate checkout_v2", actor=actor)
        assert ran.code == 2 and "--as:" in ran.err and ran.out == "", actor
    for command in ("", "  "):
        ran = await shell(command=command)
        assert ran.code == 2 and 'Usage: statsig-bot shell -c "<command>"' in ran.err


async def test_an_unexpected_error_is_one_line_with_an_id_and_the_session_goes_on() -> None:
    out = io.StringIO()
    runtime = await build_runtime(shell_settings())
    try:
        session = Session(runtime, Printer(out), ask=None)
        await session.become("alice@example.com")

        async def broken(text: str, ctx: object) -> object:
            raise RuntimeError("a bug in the core")

        runtime.ops.handle = broken  # type: ignore[method-assign]
        with structlog.testing.capture_logs() as logs:
            status = await session.execute("gate checkout_v2")
        assert status is Status.FAILED
        printed = out.getvalue().strip().splitlines()
        assert len(printed) == 1 and printed[0].startswith("❌ Something went wrong (error ")
        failed = [e for e in logs if e["event"] == "shell.line_failed"]
        assert failed and failed[0]["error_id"] in printed[0] and failed[0].get("exc_info")
        assert await session.execute("exit") is Status.EXIT  # still alive
    finally:
        await runtime.aclose()


async def test_shell_only_help_topics() -> None:
    ran = await shell("help approve", "help reject", "help cancel", "help :as", "help exit")
    assert "Approve a request" in ran.out and "Reject a request" in ran.out
    assert "Withdraw your own request" in ran.out and "Act as someone else" in ran.out
    assert "Leave the shell" in ran.out and "unknown help topic" not in ran.out


async def test_a_requested_change_exits_4_and_says_it_lives_only_in_this_process() -> None:
    ran = await shell(command="gate rollout new_nav 30", yes=True)
    assert ran.code == 4
    assert "Approval requested:" in ran.out
    assert "lives only in this process" in ran.out
    assert "[1] Approve" not in ran.out and "[1]" not in ran.out  # no buttons after exit


async def test_a_requested_change_on_real_redis_says_how_to_approve(
    redis_server: RedisServer,
) -> None:
    env = {"REDIS_URL": redis_server.url}
    ran = await shell(command="gate rollout new_nav 31", yes=True, env=env)
    assert ran.code == 4
    assert "lives only in this process" not in ran.out
    assert 'statsig-bot shell --as <their email> -c "approve ' in ran.out


_LINE = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Cc", "Zs"]), max_size=20),
    st.sampled_from(
        ["²", "١", "𝟙", "1\x00", "123456", "9" * 40, ":as", ":as \x07@x", "approve", "help ²"]
    ),
    st.builds(
        lambda verb, rest: f"{verb} {rest}",
        st.sampled_from(["approve", "reject", "cancel", "help", ":as", "restore", "gate"]),
        st.text(max_size=60),
    ),
    st.builds(lambda n: "gate " + "a" * n, st.integers(0, 5_000)),
    st.builds(lambda n: ":as " + "y" * n + "@example.com", st.integers(200, 80_000)),
)
_QUIET = ("exit", "quit", ":q")


def test_random_lines_never_raise_and_always_print_something() -> None:
    loop = asyncio.new_event_loop()
    out = io.StringIO()
    seen: list[str] = []
    runtime = loop.run_until_complete(build_runtime(shell_settings()))
    try:
        session = Session(runtime, Printer(out), ask=None)
        loop.run_until_complete(session.become("alice@example.com"))

        @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(line=_LINE)
        def check(line: str) -> None:
            seen.append(line)
            start = len(out.getvalue())
            status = loop.run_until_complete(session.execute(line))
            assert isinstance(status, Status)
            printed = out.getvalue()[start:]
            # The safety net must not be what saved the line: that would be a bug below.
            assert "Something went wrong" not in printed, (line, printed)
            word = line.strip().split(" ", 1)[0].lower() if line.strip() else ""
            if status is not Status.EXIT and word not in _QUIET and printed == "":
                # Only a line that is blank once normalised may print nothing.
                assert status is Status.OK and not normalize(line).strip()

        check()
        assert len(seen) >= 100  # the lines really went through the session
    finally:
        loop.run_until_complete(runtime.aclose())
        loop.close()


async def test_a_kill_statsig_holds_for_review_exits_4_not_0() -> None:
    ran = await shell(command="kill payments_3ds INC-1 errors", yes=True)
    assert "is still ON (not disabled yet)" in ran.out
    assert ran.code == 4


async def test_disabling_a_review_required_gate_exits_4() -> None:
    ran = await shell(command="gate disable payments_3ds testing", yes=True)
    assert "Approval requested:" in ran.out
    assert ran.code == 4
