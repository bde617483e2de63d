"""Drive the shell in-process: scripted stdin, captured stdout/stderr, no credentials."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from bot.config import Settings, load_settings
from bot.shell.main import run_session

REQUEST_ID = re.compile(r"Approval requested: (\S+)\.")


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def first_line(self) -> str:
        return self.out.splitlines()[0]

    def request_id(self) -> str:
        found = REQUEST_ID.search(self.out)
        assert found, self.out
        return found.group(1)


def settings(**env: str) -> Settings:
    return load_settings(env, env_file=None)


async def shell(
    *lines: str,
    command: str | None = None,
    yes: bool = False,
    actor: str | None = None,
    env: dict[str, str] | None = None,
) -> Ran:
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    stdout, stderr = io.StringIO(), io.StringIO()
    code = await run_session(
        settings(**(env or {})),
        command=command,
        assume_yes=yes,
        actor=actor,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    )
    return Ran(code, stdout.getvalue(), stderr.getvalue())


def after(text: str, marker: str) -> str:
    """The output after the last occurrence of ``marker`` (what the last command printed)."""
    index = text.rfind(marker)
    assert index != -1, f"{marker!r} not in output:\n{text}"
    return text[index:]
