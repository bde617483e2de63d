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
    return [c.text for c in found]


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
