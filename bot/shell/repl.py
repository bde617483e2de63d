"""The read–eval–print loop around a :class:`~bot.shell.session.Session`.

At a terminal it uses prompt-toolkit: line editing, history (kept in
``~/.statsig-bot_history``) and completion from the command registry. When stdin is not a
terminal (a pipe, a test) it reads plain lines, so the same loop can be scripted: an
answer to "Apply? [y/N]" is simply the next line. End of input (Ctrl-D) leaves the
shell; Ctrl-C abandons the current line or answers "no" to a question.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from bot.ops.commands.help import complete
from bot.ops.model.plans import EntityKind
from bot.shell.session import Session, Status

__all__ = ["HISTORY_FILE", "PlainInput", "RegistryCompleter", "interactive_loop"]

HISTORY_FILE = Path.home() / ".statsig-bot_history"
_SHELL_WORDS = ("exit", "quit", ":as", "approve", "reject", "cancel")


class RegistryCompleter(Completer):
    """Completes the word being typed from the command registry (and shell commands), and
    entity names from Statsig when ``names`` is given (the door's cached listing).

    A completed word is followed by a space, so the next Tab completes the next word.
    """

    def __init__(self, names: Callable[[EntityKind], Awaitable[list[str]]] | None = None) -> None:
        self._names = names
        self._known: dict[EntityKind, list[str]] = {}

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        return self._completions(document.text_before_cursor)

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        line = document.text_before_cursor
        if self._names is not None:
            for kind in ("gate", "config", "experiment", "segment"):
                self._known[kind] = await self._names(kind)
        for completion in self._completions(line):
            yield completion

    def _completions(self, line: str) -> list[Completion]:
        words = line.split()
        current = "" if not words or line[-1:].isspace() else words[-1]
        known = self._known
        source = (lambda kind: known.get(kind, [])) if self._names is not None else None
        candidates = complete(line, source)
        if len(words) <= 1 and not line[-1:].isspace():
            candidates += [w for w in _SHELL_WORDS if w.startswith(current.lower())]
        return [Completion(f"{c} ", start_position=-len(current), display=c) for c in candidates]


class PlainInput:
    """Lines from a non-terminal ``stdin``; questions read the next line."""

    def __init__(self, session: Session, stdin: TextIO) -> None:
        self.session = session
        self.stdin = stdin
        session.ask = self.ask

    async def ask(self, question: str) -> str | None:
        self.session.printer.line(question.rstrip())
        answer = self.stdin.readline()
        return answer.rstrip("\n") if answer else None

    async def run(self) -> int:
        while True:
            line = self.stdin.readline()
            if not line:
                return 0
            if await self.session.execute(line.rstrip("\n")) is Status.EXIT:
                return 0


async def interactive_loop(session: Session, *, history: History | None = None) -> int:
    """The prompt-toolkit loop at a terminal."""
    prompt: PromptSession[str] = PromptSession(
        history=history if history is not None else _history(),
        completer=RegistryCompleter(session.runtime.ops.entity_names),
        complete_while_typing=False,
    )

    async def ask(question: str) -> str | None:
        try:
            return await prompt.prompt_async(question)
        except (EOFError, KeyboardInterrupt):
            return None

    session.ask = ask
    while True:
        try:
            line = await prompt.prompt_async(f"{session.actor.email}> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        if await session.execute(line) is Status.EXIT:
            return 0


def _history() -> History:
    try:
        HISTORY_FILE.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(HISTORY_FILE))
