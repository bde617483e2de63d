"""One shell session: who you are, and what each typed line does.

The session is the shell's adapter (Hubot's Shell adapter, Errbot's text backend): it
moves text between a person and the core and renders replies with the same Block Kit →
text renderer the tests pin, so the shell shows exactly what Slack would. It decides
nothing: plans, policy and approvals are the core's. Input and output are injected, so the
REPL and the tests drive the same object.

Shell-only commands: ``:as EMAIL`` (act as someone else, to try approvals), ``approve
<id>``, ``reject <id> <reason>``, ``cancel <id>`` (the approval card's buttons), a button's
number (``1``), ``help`` and ``exit``; ``help <shell command>`` explains one of them.
Everything else is ``/statsig`` command text.

:meth:`Session.execute` never raises for a line (bar Ctrl-C): a bug anywhere below it is
logged with its traceback and a short error ID, and the person sees one line quoting that
ID, so one bad line cannot end a session or a script.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Protocol, TextIO

import structlog

from bot.chatops.replies import Context, Proposal, Reply
from bot.chatops.service import ChatOps, strip_prefix
from bot.ops.commands.parse import UsageError, parse
from bot.ops.commands.text import normalize
from bot.ops.model.decisions import Denied, NeedsApproval
from bot.ops.model.identity import Actor
from bot.ops.model.plans import OutcomeStatus
from bot.render import HelpItem, render_error, render_help
from bot.render.common import Message, plural
from bot.render.ids import (
    APPROVAL_APPROVE,
    APPROVAL_CANCEL,
    APPROVAL_REJECT,
    INCIDENT_KILL,
    INCIDENT_RESTORE,
    LIST_NEXT_PAGE,
    RESTORE_ANYWAY,
    RESTORE_KEEP,
    SHARE_IN_CHANNEL,
    TIMER_EXTEND,
    TIMER_KEEP,
)
from bot.render.values import PageRef
from bot.shell.emails import email_problem
from bot.shell.render import Choice, render_text_with_choices

__all__ = ["Ask", "Printer", "SHELL_HELP", "SHELL_TOPICS", "Session", "ShellCore", "Status"]

log = structlog.get_logger(__name__)

Ask = Callable[[str], Awaitable[str | None]]
"""Ask a question, get the answer (``None``: end of input or Ctrl-C, which means no)."""

SHELL_HELP = (
    HelpItem(":as <email>", "Act as someone else (try approving your own request as bob)."),
    HelpItem("approve <request-id>", "Approve a request (the card's Approve button)."),
    HelpItem("reject <request-id> <reason>", "Reject a request, saying why."),
    HelpItem("cancel <request-id>", "Withdraw your own request."),
    HelpItem("<number>", "Press the numbered button of the last message, e.g. 1."),
    HelpItem("exit", "Leave the shell (also quit, or Ctrl-D)."),
)

SHELL_TOPICS: dict[str, HelpItem] = {
    ":as": SHELL_HELP[0],
    "as": SHELL_HELP[0],
    "approve": SHELL_HELP[1],
    "reject": SHELL_HELP[2],
    "cancel": SHELL_HELP[3],
    "exit": SHELL_HELP[5],
    "quit": SHELL_HELP[5],
}
"""``help <word>`` topics that only the shell knows (the core's help has the rest)."""

_BUTTON_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: "²".isdigit() is true


class Status(IntEnum):
    """What a line did; the values are ``-c``'s exit codes."""

    OK = 0
    FAILED = 1
    USAGE = 2
    NOT_CONFIRMED = 3
    REQUESTED = 4  # an approval request (or a Statsig review) was opened; nothing applied yet
    EXIT = 100


class Printer:
    """Renders messages to the output, numbering their buttons across one reply.

    ``buttons=False`` leaves buttons out (``-c``: nobody is left to press them).
    """

    def __init__(
        self, out: TextIO, *, width: int = 100, color: bool = False, buttons: bool = True
    ) -> None:
        self.out = out
        self.width = width
        self.color = color
        self.buttons = buttons
        self.choices: list[Choice] = []

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def messages(self, *messages: Message) -> None:
        """Print messages; their buttons become the choices a number picks."""
        self.choices = []
        for msg in messages:
            if not self.buttons:
                msg = Message(msg.text, [b for b in msg.blocks if b.get("type") != "actions"])
            text, choices = render_text_with_choices(
                msg, width=self.width, color=self.color, first_choice=len(self.choices) + 1
            )
            self.out.write(text)
            self.choices += choices
        self.out.flush()


class ShellCore(Protocol):
    """What a session needs of the composition root (:class:`bot.runtime.Runtime` fits):
    the door, and the words for its first line."""

    @property
    def ops(self) -> ChatOps: ...

    @property
    def statsig_label(self) -> str: ...

    @property
    def redis_label(self) -> str: ...

    @property
    def policy_label(self) -> str: ...

    @property
    def persistent_redis(self) -> bool: ...


class Session:
    """A person at a terminal, talking to the core through ``runtime``."""

    def __init__(
        self,
        runtime: ShellCore,
        printer: Printer,
        *,
        ask: Ask | None,
        assume_yes: bool = False,
        one_shot: bool = False,
    ) -> None:
        self.runtime = runtime
        self.printer = printer
        self.ask = ask
        self.assume_yes = assume_yes
        self.one_shot = one_shot
        self.actor = Actor.for_shell("nobody@localhost")

    @property
    def ctx(self) -> Context:
        return Context(self.actor, surface="shell")

    async def become(self, email: str) -> Actor:
        """Act as ``email`` from now on, with the role Statsig knows them by."""
        self.actor = await self.runtime.ops.enrich(Actor.for_shell(email))
        return self.actor

    def who(self) -> str:
        role = self.actor.statsig_role
        what = f"{role} in Statsig" if role else "no Statsig account: changes will be denied"
        return f"{self.actor.email} ({what})"

    def banner(self) -> str:
        """The first line: which Statsig, which Redis, who you are."""
        rt = self.runtime
        parts = [
            f"Statsig: {rt.statsig_label}",
            f"Redis: {rt.redis_label}",
            f"policy: {rt.policy_label}",
            f"you are {self.who()}",
        ]
        unresolved = rt.ops.unresolved_groups()
        if unresolved:
            parts.append(
                f"Slack user groups {', '.join(unresolved[:5])} cannot be resolved without "
                "SLACK_BOT_TOKEN: nobody counts as their member here"
            )
        return "statsig-bot shell · " + " · ".join(parts)

    async def execute(self, line: str) -> Status:
        """Run one typed line and print what it did; never raises (see the module doc)."""
        try:
            return await self._execute(line)
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("shell.line_failed", error_id=error_id, line_chars=len(line))
            self.printer.line(
                f"❌ Something went wrong (error {error_id}); the details were logged. "
                "The session goes on."
            )
            return Status.FAILED

    async def _execute(self, line: str) -> Status:
        text = normalize(line).strip()
        if not text:
            return Status.OK
        word, _, rest = text.partition(" ")
        lowered = word.lower()
        if lowered in ("exit", "quit", ":q"):
            return Status.EXIT
        if lowered == ":as":
            return await self._as(rest.strip())
        if lowered in ("help", "?") and rest.strip().lower() in SHELL_TOPICS:
            item = SHELL_TOPICS[rest.strip().lower()]
            self.printer.messages(render_help([item], title=f"help {rest.strip()}"))
            return Status.OK
        if _BUTTON_NUMBER.fullmatch(text):
            return await self._choice(int(text))
        return await self._command(text)

    async def _as(self, email: str) -> Status:
        problem = email_problem(email)
        if problem is not None:
            usage = ":as <email>, e.g. :as bob@example.com"
            self.printer.messages(render_error(problem, usage=usage))
            return Status.USAGE
        await self.become(email)
        self.printer.line(f"You are now {self.who()}.")
        return Status.OK

    async def _choice(self, number: int) -> Status:
        choice = next((c for c in self.printer.choices if c.number == number), None)
        if choice is None or choice.value is None:
            self.printer.line(f"There is no button {number} on the last message.")
            return Status.USAGE
        ops, value = self.runtime.ops, choice.value
        if choice.action_id == SHARE_IN_CHANNEL:
            return self._show(await ops.show(value, self.ctx))
        if choice.action_id == LIST_NEXT_PAGE:
            ref = PageRef.decode(value)
            return await self._show_all(
                await ops.list_page(ref.kind, ref.page, ref.query, self.ctx)
            )
        if choice.action_id == APPROVAL_APPROVE:
            return self._show(await ops.requests.approve(value, self.ctx))
        if choice.action_id == APPROVAL_CANCEL:
            return self._show(await ops.requests.cancel(value, self.ctx))
        if choice.action_id == APPROVAL_REJECT:
            self.printer.line(f"Say why: reject {value} <reason>")
            return Status.OK
        if choice.action_id == INCIDENT_RESTORE:
            return await self._command(f"restore {value}")
        if choice.action_id == INCIDENT_KILL:
            return await self._command(f"kill {value} -- disabled from the list of recent changes")
        if choice.action_id == RESTORE_ANYWAY:
            self.printer.line(f"Say why: restore {value} --anyway <reason>")
            return Status.OK
        if choice.action_id == RESTORE_KEEP:
            return self._show(await ops.timers.keep_current(value, self.ctx))
        if choice.action_id == TIMER_EXTEND:
            return self._show(await ops.timers.extend(value, self.ctx))
        if choice.action_id == TIMER_KEEP:
            return self._show(await ops.timers.keep(value, self.ctx))
        self.printer.line("That button only works in Slack.")
        return Status.USAGE

    async def _command(self, text: str) -> Status:
        body = strip_prefix(text)
        parsed = parse(body)
        result = await self.runtime.ops.handle(body, self.ctx)
        if isinstance(result, Proposal):
            return await self._propose(result)
        status = await self._show_all(result)
        if isinstance(parsed, UsageError):
            return Status.USAGE
        if body.lower() in ("help", "?", ""):
            print_shell_help = render_help(SHELL_HELP, title="shell commands")
            self.printer.out.write(render_text_with_choices(print_shell_help)[0])
        return status

    def _show(self, reply: Reply) -> Status:
        self.printer.messages(*_to_print(reply))
        return Status.OK if reply.ok else Status.FAILED

    async def _show_all(self, reply: Reply) -> Status:
        """Print ``reply`` and, for a slow answer, the rest of it when it arrives."""
        status = self._show(reply)
        while reply.follow_up is not None:
            reply = await reply.follow_up()
            status = self._show(reply)
        return status

    async def _propose(self, proposal: Proposal) -> Status:
        self.printer.messages(proposal.message)
        decision = proposal.decision
        if isinstance(decision, Denied):
            return self._show(await self.runtime.ops.commit(proposal, self.ctx))
        if isinstance(decision, NeedsApproval):
            who = decision.approvers.described()
            self.printer.line(
                f"This change needs {plural(decision.approvals_required, 'approval')} from {who}."
            )
            question = "Request approval? [y/N] "
        else:
            question = "Apply? [y/N] "
        if not await self._confirm(question):
            self.printer.line("Not confirmed: nothing was changed.")
            return Status.NOT_CONFIRMED
        reply = await self.runtime.ops.commit(proposal, self.ctx)
        status = self._show(reply)
        if reply.incident_announcement is not None and reply.request_id:
            used_by = await self.runtime.ops.requests.fill_in_references(reply.request_id)
            if used_by is not None:  # the kill skipped this read; now it has landed
                self.printer.messages(used_by)
        if _requested(reply):
            self._requested_note(reply)
            return Status.REQUESTED
        return status

    def _requested_note(self, reply: Reply) -> None:
        """After ``-c``, say where the request lives and how it can still be approved."""
        if not self.one_shot or reply.request_id is None:
            return
        if not self.runtime.persistent_redis:
            self.printer.line(
                "Note: this request lives only in this process (in-process fakeredis, no "
                "REDIS_URL) and is gone when it exits. Set REDIS_URL to keep requests, or "
                "request and approve in one interactive `statsig-bot shell`."
            )
            return
        self.printer.line(
            "Requested, not applied. An approver can run: statsig-bot shell --as <their email> "
            f'-c "approve {reply.request_id}"'
        )

    async def _confirm(self, question: str) -> bool:
        if self.assume_yes:
            self.printer.line(f"{question}y (--yes)")
            return True
        if self.ask is None:
            self.printer.line(f"{question.strip()} Not asked: pass --yes to confirm.")
            return False
        answer = await self.ask(question)
        return answer is not None and answer.strip().lower() in ("y", "yes")


def _requested(reply: Reply) -> bool:
    """Whether a committed change only opened a request (ours, or a Statsig review)."""
    if reply.outcome is not None:
        return reply.outcome.status is OutcomeStatus.PENDING_REVIEW
    return reply.ok and reply.request_id is not None


def _to_print(reply: Reply) -> list[Message]:
    """The reply's messages, each fact once.

    A change that ran with a channel announcement (a kill) has two copies of one result:
    the requester's private one and the channel's. In Slack they reach different places;
    in a terminal the person reads both, so the private copy keeps only its warnings.
    """
    if reply.outcome is None or not reply.announcements:
        return [reply.message, *reply.announcements]
    private = [reply.warnings] if reply.warnings is not None else []
    return [*private, *reply.announcements]
