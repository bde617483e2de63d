"""In the shell, a kill that runs after an approval prints its loud announcement."""

from __future__ import annotations

import io

from bot.render.common import message, section
from bot.runtime import build_runtime
from bot.shell.main import ShellNotifier
from bot.shell.session import Printer, Session, Status
from tests.shell.shell_support import REQUEST_ID, after, settings


async def test_an_approved_kill_prints_the_announcement_with_restore() -> None:
    out = io.StringIO()
    printer = Printer(out)
    notifier = ShellNotifier(printer)
    runtime = await build_runtime(settings(), notifier=notifier)
    try:
        session = notifier.session = Session(runtime, printer, ask=None, assume_yes=True)
        await session.become("carol@example.com")  # not a responder: her kill needs approval
        assert await session.execute("kill checkout_v2 INC-9 broken checkout") is Status.REQUESTED
        found = REQUEST_ID.search(out.getvalue())
        assert found, out.getvalue()
        assert "KILLED" not in out.getvalue()

        await session.become("bob@example.com")
        assert await session.execute(f"approve {found.group(1)}") is Status.OK

        printed = after(out.getvalue(), "📣 Announcement")
        # The sandbox policy configures no incident channel: none is claimed.
        assert "incident channel" not in printed.splitlines()[0]
        assert "KILLED: gate checkout_v2 is disabled" in printed
        assert "INC-9 broken checkout" in printed and "Restore" in printed
        assert printed.count("📣 Announcement") == 1
        await session.execute("gate checkout_v2")
        assert "⛔ disabled" in after(out.getvalue(), "🚦 Gate: checkout_v2")
    finally:
        await runtime.aclose()


async def test_an_incident_announcement_names_the_incident_channel_only_when_configured() -> None:
    out = io.StringIO()
    loud = message("KILLED", [section("KILLED")])
    await ShellNotifier(Printer(out)).announce("C1", loud, incident=True)
    await ShellNotifier(Printer(out), incident_channel="C0INC").announce("C1", loud, incident=True)
    first, second = [line for line in out.getvalue().splitlines() if "📣" in line]
    assert first == "📣 Announcement in channel C1:"
    assert second == "📣 Announcement in channel C1 and the incident channel C0INC:"


async def test_a_shell_kill_says_what_uses_the_gate_once_it_landed() -> None:
    """Issue 9.5: the kill's plan said "not checked"; after the disable the shell says."""
    from tests.shell.shell_support import shell

    ran = await shell(command="kill checkout_v2 INC-15", yes=True)
    assert ran.code == 0, ran.out
    assert "Used by:" in ran.out.split("KILLED", 1)[1]
