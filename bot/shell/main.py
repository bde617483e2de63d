"""``statsig-bot shell``: start a session, run one command (``-c``) or the REPL.

Exit codes (for scripts using ``-c``): 0 done, 1 the command failed or was denied,
2 usage error (or bad settings, an empty ``-c`` or a bad ``--as``), 3 a change was planned
but not confirmed (pass ``--yes``), 4 a change was requested but not applied (it waits for
approval, or for a review in Statsig); ``statsig-bot shell --help`` lists them too.

With ``-c`` buttons are not offered (nobody is left to press them), and a request made
against the in-process fakeredis says that it ends with the process.

An interactive or piped session also runs the approval workflow's background duties
(expiry, recovery, Statsig review watch; :mod:`bot.approvals.duties`) while it is open; a
one-shot ``-c`` command does not, so it stays a single quick round trip.

The first line says which Statsig (the sandbox, or the real Console API), which Redis
(in-process fakeredis, or ``REDIS_URL``) and who you are. With ``-c`` it goes to stderr,
so stdout holds only the command's own output.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from typing import TextIO

from bot.approvals.duties import BackgroundDuties
from bot.approvals.notify import Notifier
from bot.config import ConfigError, Settings, load_settings
from bot.logging import configure_logging
from bot.render.common import Message
from bot.runtime import ChatSide, build_runtime
from bot.shell.emails import email_problem
from bot.shell.render import render_text
from bot.shell.repl import PlainInput, interactive_loop
from bot.shell.session import Printer, Session, Status
from bot.shell.wiring import default_actor

__all__ = ["DUTIES_INTERVAL", "ShellNotifier", "run", "run_session"]

USAGE_C = 'Usage: statsig-bot shell -c "<command>", e.g. statsig-bot shell -c "gate checkout_v2"'

DUTIES_INTERVAL = 15.0
"""Seconds between the background duties' rounds while a session is open."""


class ShellNotifier(Notifier):
    """The workflow's notifications, printed in the terminal.

    Card updates are not reprinted (the command's own reply already shows the new state);
    direct messages are, unless they go to the person at the keyboard, who just saw the
    same result. So after ``:as bob`` + ``approve``, alice's "executed" DM shows up.
    Announcements (a kill or restore that ran after an approval) are always printed: they
    are what the whole channel would see.
    """

    def __init__(self, printer: Printer, *, incident_channel: str | None = None) -> None:
        self.printer = printer
        self.session: Session | None = None
        # Named in an incident announcement only when the policy configures one.
        self.incident_channel = incident_channel

    async def request_updated(self, request_id: str) -> None:
        return None

    async def notify_user(self, user_id: str, message: Message) -> None:
        if self.session is not None and user_id == self.session.actor.user_id:
            return
        self.printer.line(f"✉️  Direct message to {user_id.removeprefix('shell:')}:")
        self.printer.out.write(render_text(message, width=self.printer.width))

    async def update_message(self, channel_id: str, ts: str, message: Message) -> None:
        return None  # a terminal has no earlier message to redraw; the reply said it

    async def post_in_thread(self, channel_id: str, thread_ts: str, message: Message) -> None:
        self.printer.line("🧵 In the kill's thread:")
        self.printer.messages(message)  # its buttons become numbered choices

    async def announce(
        self,
        channel_id: str | None,
        message: Message,
        *,
        incident: bool,
        request_id: str | None = None,
    ) -> None:
        where = f"channel {channel_id}" if channel_id else "the channel"
        channel = self.incident_channel if incident else None
        also = f" and the incident channel {channel}" if channel else ""
        self.printer.line(f"📣 Announcement in {where}{also}:")
        self.printer.out.write(render_text(message, width=self.printer.width))
        self.printer.out.flush()


async def run_session(
    settings: Settings,
    *,
    command: str | None,
    assume_yes: bool,
    actor: str | None,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    interactive: bool = False,
    chat: ChatSide | None = None,
) -> int:
    """One shell session over the given streams; returns the exit code.

    ``chat`` is the chat workspace's side (Slack's), when one is configured."""
    refused = _refuse_arguments(command, actor)
    if refused is not None:
        stderr.write(refused + "\n")
        stderr.flush()
        return int(Status.USAGE)
    one_shot = command is not None
    width = shutil.get_terminal_size((100, 24)).columns if interactive else 100
    printer = Printer(
        stdout, width=max(60, min(width, 120)), color=interactive, buttons=not one_shot
    )
    notifier = ShellNotifier(printer)
    runtime = await build_runtime(settings, notifier=notifier, chat=chat)
    notifier.incident_channel = runtime.ops.incident_channel
    duties: BackgroundDuties | None = None
    try:
        session = notifier.session = Session(
            runtime, printer, ask=None, assume_yes=assume_yes, one_shot=one_shot
        )
        await session.become(actor or default_actor(settings))
        if command is not None:
            stderr.write(session.banner() + "\n")
            stderr.flush()
            status = await session.execute(command)
            return 0 if status is Status.EXIT else int(status)
        printer.line(session.banner())
        printer.line("Type help for commands, exit to leave.")
        duties = runtime.start_duties(interval=DUTIES_INTERVAL)
        if interactive:
            return await interactive_loop(session)
        return await PlainInput(session, stdin).run()
    finally:
        if duties is not None:
            await duties.stop()
        await runtime.aclose()


def _refuse_arguments(command: str | None, actor: str | None) -> str | None:
    """A usage line for an empty ``-c`` or an unusable ``--as``, else ``None``."""
    if command is not None and not command.strip():
        return f"statsig-bot: -c needs a command. {USAGE_C}"
    if actor is not None and (problem := email_problem(actor)) is not None:
        return f"statsig-bot: --as: {problem}. Usage: --as EMAIL, e.g. --as bob@example.com"
    return None


def _log_level(settings: Settings) -> str:
    # Log lines would garble the terminal: only errors, unless LOG_LEVEL asks for more.
    return settings.log_level if os.environ.get("LOG_LEVEL") else "ERROR"


def run(
    command: str | None,
    assume_yes: bool,
    actor: str | None,
    *,
    chat: Callable[[Settings], ChatSide | None] | None = None,
) -> int:
    """Entry point of ``statsig-bot shell`` (see the module docstring for exit codes)."""
    try:
        settings = load_settings()
    except ConfigError as exc:  # a bad setting or policy: one line each, never a traceback
        for line in str(exc).splitlines():
            print(f"statsig-bot: {line}", file=sys.stderr)
        return 2
    configure_logging(_log_level(settings), secrets=settings.secret_values(), stream=sys.stderr)
    interactive = command is None and sys.stdin.isatty() and sys.stdout.isatty()
    try:
        return asyncio.run(
            run_session(
                settings,
                command=command,
                assume_yes=assume_yes,
                actor=actor,
                stdin=sys.stdin,
                stdout=sys.stdout,
                stderr=sys.stderr,
                interactive=interactive,
                chat=chat(settings) if chat is not None else None,
            )
        )
    except ConfigError as exc:  # a bad setting or policy: one line each, never a traceback
        for line in str(exc).splitlines():
            print(f"statsig-bot: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
