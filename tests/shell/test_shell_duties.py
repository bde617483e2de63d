"""The shell runs the approval workflow's background duties while a session is open."""

from __future__ import annotations

import io
from typing import Any

import pytest

from bot import runtime
from bot.approvals.duties import BackgroundDuties
from bot.shell import main as shell_main
from tests.shell.shell_support import settings


async def test_shell_session_runs_duties_while_open(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    stopped: list[Any] = []

    class Recording(BackgroundDuties):
        def __init__(self, workflow: Any, **kwargs: Any) -> None:
            super().__init__(workflow, **kwargs)
            started.append(workflow)

        async def stop(self, *, timeout: float = 5.0) -> None:
            await super().stop(timeout=timeout)
            stopped.append(self)

    monkeypatch.setattr(runtime, "BackgroundDuties", Recording)
    streams = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    code = await shell_main.run_session(
        settings(), command=None, assume_yes=False, actor=None, stdin=io.StringIO("exit\n"),
        **streams,
    )  # fmt: skip
    assert code == 0
    assert len(started) == 1 and started[0] is not None and len(stopped) == 1
    one_shot = await shell_main.run_session(
        settings(), command="help", assume_yes=False, actor=None, stdin=io.StringIO(), **streams
    )
    assert one_shot == 0 and len(started) == 1  # -c does not start them
