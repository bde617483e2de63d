"""The prompt-toolkit loop, fed keystrokes through a pipe input (as a terminal would)."""

from __future__ import annotations

import io

from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.runtime import build_runtime
from bot.shell.repl import RegistryCompleter, interactive_loop
from bot.shell.session import Printer, Session
from tests.shell.shell_support import after, settings


def _complete(text: str) -> list[str]:
    found = RegistryCompleter().get_completions(Document(text), CompleteEvent())
    return [c.display_text for c in found]


async def test_tab_completes_names_and_leaves_a_space_for_the_next_word() -> None:
    """Issue 9.15: verbs came without a trailing space and names never completed."""
    runtime = await build_runtime(settings())
    try:
        completer = RegistryCompleter(runtime.ops.entity_names)

        async def texts(line: str) -> list[str]:
            found = completer.get_completions_async(Document(line), CompleteEvent())
            return [c.text async for c in found]

        assert await texts("gate dis") == ["disable "]
        assert await texts("gate disable checkout_v") == ["checkout_v2 "]
        assert "checkout_v2 " in await texts("kill chec")
        assert "pricing_test " in await texts("exp show pric")
        assert "checkout_v2 " in await texts("gate chec")  # the default verb, show
        assert await texts("gate rollout checkout_v2 ") == []  # a percentage comes next
    finally:
        await runtime.aclose()


def test_completion_from_the_registry_and_shell_words() -> None:
    assert _complete("ga") == ["gate"]
    assert _complete("gate dis") == ["disable"]
    assert _complete("gate rollout x 5 --r") == ["--rule"]
    assert ":as" in _complete(":")
    assert "approve" in _complete("appr")


async def test_interactive_loop_confirms_and_keeps_history() -> None:
    out = io.StringIO()
    runtime = await build_runtime(settings())
    history = InMemoryHistory()
    try:
        session = Session(runtime, Printer(out), ask=None)
        await session.become("alice@example.com")
        with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
            keys.send_text("gate disable checkout_v2 testing\r")
            keys.send_text("y\r")
            keys.send_text("gate checkout_v2\r")
            keys.send_text("\x03")  # Ctrl-C on an empty line: ignored
            keys.send_text("\x04")  # Ctrl-D: leave
            code = await interactive_loop(session, history=history)
    finally:
        await runtime.aclose()
    assert code == 0
    assert "Now disabled." in out.getvalue()
    assert "⛔ disabled" in after(out.getvalue(), "🚦 Gate: checkout_v2")
    assert "gate checkout_v2" in list(history.get_strings())
