"""``ChatOps``: the core every surface drives, from command text to replies and proposals.

A surface hands over the text someone typed and who they are; it gets back a
:class:`~bot.chatops.replies.Reply` to show, or a :class:`~bot.chatops.replies.Proposal` (a planned
change with the policy's decision) to confirm and pass to :meth:`ChatOps.commit`. Nothing
raises to a surface: usage errors, unknown names, policy denials and Statsig failures are
replies; anything unexpected is logged with a short error ID that the reply quotes.

Usage::

    ops = ChatOps(client, policy, workflow=workflow)
    actor = await ops.enrich(Actor.for_shell("alice@example.com"))
    ctx = Context(actor, surface="shell")
    result = await ops.handle("gate disable checkout_v2 errors spiking", ctx)
    if isinstance(result, Proposal):
        reply = await ops.commit(result, ctx)
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.catalog import Catalog
from bot.chatops.changes import Changes
from bot.chatops.freeze import Freezes, with_freeze
from bot.chatops.listings import approvals_reply, audit_reply
from bot.chatops.pipelines import Pipelines
from bot.chatops.reads import LIST_WAIT, Reads, list_query
from bot.chatops.recent import recent_reply
from bot.chatops.replies import Context, Progress, Proposal, Reply, StillTrying, sandboxed
from bot.chatops.requests import Requests
from bot.chatops.resolve import EntityResolver
from bot.chatops.timers import TimedKills
from bot.ops.actions.base import Action
from bot.ops.actions.incident import Restore
from bot.ops.commands.help import help_for, help_topics
from bot.ops.commands.models import (
    ApprovalsCommand,
    AuditCommand,
    Command,
    DecisionCommand,
    EditCommand,
    FreezeCommand,
    HelpCommand,
    HistoryCommand,
    ListCommand,
    OverrideCommand,
    RecentCommand,
    RestoreCommand,
    SegmentIdsCommand,
    ShowCommand,
    UsageError,
)
from bot.ops.commands.parse import parse
from bot.ops.commands.registry import COMMAND_PREFIX, CommandKind
from bot.ops.model.identity import Actor, People
from bot.ops.model.plans import EntityKind
from bot.ops.model.tickets import RestoreTicket
from bot.ops.policy.directory import StatsigDirectory
from bot.ops.policy.rules import Policy
from bot.render import HelpItem, render_error, render_help
from bot.render.replies import render_ids_question
from bot.render.values import ReplyRef, ShareRef, duration_text
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ConsoleError
from bot.statsig.models import Gate
from bot.statsig.progress import RetryNotice, listening

__all__ = ["ChatOps", "share_ref", "strip_prefix"]

log = structlog.get_logger(__name__)
R = TypeVar("R", Reply, Reply | Proposal)
RP = TypeVar("RP", Reply, Proposal, Reply | Proposal)

# What each Slack form edits, as shell commands with what each one does.
_EDIT_ALTERNATIVES = {
    "gate": (
        ("gate rollout {name} <pct> [--rule R]", "set a rule's pass %"),
        ("gate override {name} pass|fail|remove <ids>", "force IDs to pass or fail"),
    ),
    "config": (
        ("config enable {name}", "turn it on"),
        ("config disable {name}", "turn it off"),
    ),
    "experiment": (
        ("experiment start {name}", "start it"),
        ("experiment decide {name} <group>", "ship one group"),
    ),
    "segment": (
        ("segment add-ids {name} <ids>", "add IDs"),
        ("segment remove-ids {name} <ids>", "remove IDs"),
    ),
}


HELP_NOTE = "Type help <topic> for details, e.g. help gate rollout."
# The examples use these short forms; say once what they stand for.
ALIASES_NOTE = "Short forms: dc = config, exp = experiment, seg = segment, on/off = enable/disable."


def strip_prefix(text: str) -> str:
    """``"/statsig gate x"`` → ``"gate x"``; other text unchanged."""
    stripped = text.strip()
    head, _, rest = stripped.partition(" ")
    return rest.strip() if head.lower() == COMMAND_PREFIX else stripped


class ChatOps:
    """Commands in, replies and proposals out; one instance per process, shared by users."""

    def __init__(
        self,
        client: ConsoleClient,
        policy: Policy,
        *,
        workflow: ApprovalWorkflow | None = None,
        resolver: EntityResolver | None = None,
        project_id: str | None = None,
        directory: StatsigDirectory | None = None,
        clock: Callable[[], float] = time.monotonic,
        sandbox: bool = False,
        people: People | None = None,
        catalog: Catalog | None = None,
        list_wait: float = LIST_WAIT,
    ) -> None:
        self.client = client
        self.sandbox = sandbox
        self._people = people
        """Statsig is the demo sandbox (``serve --sandbox``): every Slack reply says so."""
        self.policy = policy
        self.workflow = workflow
        self.directory = directory if directory is not None else StatsigDirectory(client)
        self._catalog = catalog if catalog is not None else Catalog(client)
        resolver = resolver or EntityResolver(self._catalog.ids, clock=clock)
        self._resolver = resolver
        self._reads = Reads(
            client, resolver, self._catalog, project_id=project_id, clock=clock, list_wait=list_wait
        )
        self.freezes = Freezes(workflow, policy)
        """The change freeze: ``freeze`` commands and the check every change passes."""
        self.timers = TimedKills(workflow, policy, run=self._run_as, enrich=self.enrich)
        """Timed kills: the due reminders and auto-restores, Keep disabled (for good)."""
        self._changes = Changes(
            client,
            policy,
            self._reads,
            workflow,
            project_id=project_id,
            freezes=self.freezes,
            noop_kill=self.timers.after_noop_kill,
        )
        self.requests = Requests(workflow, policy, sandbox=sandbox)
        """Approve, reject and cancel clicks, request cards and the Home tab's data."""
        self.timers = TimedKills(workflow, policy, run=self._run_as, enrich=self.enrich)
        self.pipelines = Pipelines(client, workflow, policy)
        """A killed gate's running release pipelines: the notice, Pause and Abort."""
        """Timed kills: the due reminders and auto-restores, Keep disabled (for good)."""

    @property
    def incident_channel(self) -> str | None:
        """Where kills and restores are announced besides their own channel (the policy's)."""
        return self.policy.incident_channel

    async def gate_for_form(self, gate_id: str) -> Gate | Reply:
        """The gate a form edits (its rules for the rollout form), or why it cannot load."""
        try:
            return await self.client.get_gate(gate_id)
        except ConsoleError as exc:
            return Reply(
                message=render_error(f"I could not load gate {gate_id}", exc.user_message),
                ok=False,
            )

    async def entity_names(self, kind: EntityKind) -> list[str]:
        """Every name of ``kind`` (cached for a few seconds), for completion; empty when
        Statsig cannot be read."""
        try:
            return await self._resolver.names(kind)
        except ConsoleError as exc:
            log.warning("statsig.names_failed", kind=kind, error=exc.user_message)
            return []

    async def gate_ids(self) -> list[str]:
        """Every gate's ID (the type-ahead picker's list), from the shared catalog."""
        return await self._catalog.ids("gate")

    async def aclose(self) -> None:
        """Stop the catalog's background walks (before the Statsig client closes)."""
        await self._catalog.aclose()

    async def environment_names(self) -> list[str]:
        """The project's environments for a form's picker; empty when Statsig cannot say."""
        try:
            return [e.name for e in await self.client.get_environments()]
        except ConsoleError as exc:
            log.warning("statsig.environments_failed", error=exc.user_message)
            return []

    def unresolved_groups(self) -> list[str]:
        """The policy's Slack user groups when nobody here can say who is in them (the
        shell without a Slack token): their members are not counted as members."""
        if self._people is not None:
            return []
        named = {m for members in self.policy.model.groups.values() for m in members}
        return sorted(m for m in named if m.startswith("S"))

    async def enrich(self, actor: Actor) -> Actor:
        """``actor`` with its chat groups (a shell user, through the people directory) and
        its Statsig role filled in; unchanged where unknown or unreachable."""
        if self._people is not None and actor.email and not actor.usergroups:
            try:
                found = await self._people.by_email(actor.email)
            except Exception:  # an outage must not stop the session; groups stay unknown
                log.warning("people.lookup_failed")
                found = None
            if found is not None:
                actor = dataclasses.replace(
                    actor,
                    usergroups=found.usergroups,
                    display_name=actor.display_name or found.display_name,
                    statsig_role=actor.statsig_role or found.statsig_role,
                )
        if actor.statsig_role is not None or not actor.email:
            return actor
        try:
            role = await self.directory.role_for(actor.email)
        except ConsoleError as exc:
            log.warning("directory.lookup_failed", error=exc.user_message)
            return actor
        return dataclasses.replace(actor, statsig_role=role)

    async def handle(self, text: str, ctx: Context) -> Reply | Proposal:
        """Parse and run one command; changes come back as a :class:`Proposal`."""
        return self._said(await self._handle(text, ctx), ctx)

    def _said(self, result: RP, ctx: Context) -> RP:
        """What the surface shows: in the sandbox, saying so on every Slack message."""
        return sandboxed(result) if self.sandbox and ctx.surface == "slack" else result

    async def _handle(self, text: str, ctx: Context) -> Reply | Proposal:
        command = parse(strip_prefix(text))
        if not self.policy.may_read_in(ctx.channel_id):
            # Nothing answers here, not even help or a usage error: the policy keeps the
            # bot out of this channel (changes are refused again by Policy.decide).
            return self._not_here()
        if isinstance(command, UsageError):
            prefix = ctx.prefix
            return Reply(
                message=render_error(
                    command.problem,
                    usage=f"{prefix}{command.usage}" if command.usage else None,
                    suggestions=command.suggestions,
                ),
                ok=False,
            )
        result = await self._guard(command.action, self._dispatch(command, text, ctx))
        return self._finished(command.action, result, ctx, share_ref(command))

    async def restore_from_ticket(self, value: str, ctx: Context) -> Reply | Proposal:
        """The Restore of a kill made while Redis was down: the snapshot comes from the
        button itself (:class:`RestoreTicket`), and the restore is planned, checked against
        the gate's current state and decided like any other."""
        if not self.policy.may_read_in(ctx.channel_id):
            return self._not_here()
        try:
            key = self.workflow.ticket_key if self.workflow is not None else b""
            ticket = RestoreTicket.decode(value, key)
        except ValueError:
            return Reply(message=render_error("That button is out of date"), ok=False)
        restore = Restore(
            ticket.gate_id,
            ticket.snapshot,
            reason="restored from the kill message (no audit record: Redis was down)",
            after_kill=ticket.after_kill,
        )
        command = RestoreCommand(
            action=restore.action, kind=CommandKind.INCIDENT, target=ticket.gate_id
        )
        text = f"restore {ticket.gate_id}"
        result = await self._guard(
            restore.action, self._propose(command, restore, text, ctx, lambda _n: restore)
        )
        return self._said(result, ctx)

    async def _run_as(self, text: str, ctx: Context) -> Reply:
        """Handle ``text`` and commit the change it proposes: what a typed command does."""
        result = await self.handle(text, ctx)
        return await self.commit(result, ctx) if isinstance(result, Proposal) else result

    async def commit(
        self, proposal: Proposal, ctx: Context, *, progress: Progress | None = None
    ) -> Reply:
        """Carry out a confirmed proposal: run it, ask for approval, or refuse it.

        ``progress`` hears each retry while Statsig fails (a kill retries its disable within
        the client's budget), so the surface can say "still trying" instead of nothing.
        """
        work = self._guard(proposal.plan.action, self._changes.commit(proposal, ctx))
        if progress is None:
            return self._said(await work, ctx)

        def heard(notice: RetryNotice) -> None:
            progress(StillTrying(notice.reason, notice.attempt, notice.wait_s))

        with listening(heard):
            reply = await work
        return self._said(reply, ctx)

    async def show(self, ref: str, ctx: Context) -> Reply:
        """Re-render a "Share in channel" reference (``gate:checkout_v2``) for the channel."""
        if not self.policy.may_read_in(ctx.channel_id):
            return self._not_here()
        try:
            share = ShareRef.decode(ref)
        except ValueError as exc:
            return Reply(message=render_error("cannot share that", str(exc)), ok=False)
        reply = await self._guard(
            "share", self._reads.share(share.kind, share.entity_id, share.view)
        )
        return self._said(reply, ctx)

    async def list_page(self, kind: str, page: int, query: str, ctx: Context) -> Reply:
        """One page of a list, from a "Next page" button's kind, page and query."""
        if not self.policy.may_read_in(ctx.channel_id):
            return self._not_here()
        command = parse(f"{kind} list {query} --page {page}")
        if not isinstance(command, ListCommand):
            return Reply(message=render_error("cannot show that page"), ok=False)
        reply = await self._guard(command.action, self._reads.listing(command))
        return self._said(self._finished(command.action, reply, ctx), ctx)

    def _finished(self, what: str, result: RP, ctx: Context, share: ReplyRef | None = None) -> RP:
        """``result`` as surfaces get it: a read that worked names what "Share in channel"
        re-runs, and the rest of a slow answer (``follow_up``) is guarded and shared like
        the first part, so a Statsig failure then is a reply too, never an exception."""
        if not isinstance(result, Reply):
            return result
        rest = result.follow_up
        if rest is None:
            return dataclasses.replace(result, share=share) if result.ok and share else result

        async def follow_up() -> Reply:
            later = await self._guard(what, rest())
            return self._said(self._finished(what, later, ctx, share), ctx)

        return dataclasses.replace(result, follow_up=follow_up)

    def _not_here(self) -> Reply:
        return Reply(message=render_error(self.policy.channel_denial().reason), ok=False)

    async def _guard(self, what: str, call: Awaitable[R]) -> R | Reply:
        try:
            return await call
        except ConsoleError as exc:
            log.warning("statsig.error", command=what, error=repr(exc))
            return Reply(
                message=render_error("Statsig could not do that", exc.user_message), ok=False
            )
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("command.failed", command=what, error_id=error_id)
            return Reply(
                message=render_error(
                    f"Something went wrong (error {error_id})",
                    "The error was logged; quote its ID when you ask for help.",
                ),
                ok=False,
            )

    async def _dispatch(self, command: Command, text: str, ctx: Context) -> Reply | Proposal:
        match command:
            case HelpCommand(topic=topic):
                return with_freeze(self._help(topic, ctx), await self.freezes.current())
            case FreezeCommand():
                return await self.freezes.handle(command, dataclasses.replace(
                    ctx, actor=await self.enrich(ctx.actor)))  # fmt: skip
            case ShowCommand():
                return await self._reads.show(command)
            case ListCommand():
                return await self._reads.listing(command)
            case HistoryCommand():
                return await self._reads.history(command)
            case ApprovalsCommand(scope=scope):
                return await approvals_reply(self.workflow, scope, ctx.actor, policy=self.policy)
            case DecisionCommand(verb=verb, request_id=request_id, reason=reason):
                if verb == "approve":
                    return await self.requests.approve(request_id, ctx)
                if verb == "reject":
                    return await self.requests.reject(request_id, ctx, reason)
                return await self.requests.cancel(request_id, ctx)
            case RecentCommand():
                return await recent_reply(self.workflow, self.client, self._catalog, command)
            case AuditCommand(name=name, since=since):
                seconds = since.total_seconds() if since is not None else None
                return await audit_reply(self.workflow, self.client, name, seconds)
            case EditCommand(noun=noun, name=name):
                return _edit_reply(noun, name, ctx)
            case RestoreCommand(target=target, reason=reason, anyway=anyway):
                restore = await self._changes.restore_action(target, reason, anyway=anyway)
                if isinstance(restore, Reply):
                    return restore
                return await self._propose(command, restore, text, ctx, lambda _n: restore)
        action = command.to_action()
        if action is None:
            return Reply(message=render_error(f"{command.action} is not supported"), ok=False)

        def rename(name: str) -> Action:
            renamed = command.renamed(name).to_action()
            assert renamed is not None
            return renamed

        proposed = await self._propose(command, action, text, ctx, rename)
        if (
            isinstance(proposed, Proposal)
            and isinstance(command, OverrideCommand | SegmentIdsCommand)
            and command.ambiguous_ids
        ):
            return _ask_about_ids(proposed, command.ids, ctx)
        return proposed

    async def _propose(
        self,
        command: Command,
        action: Action,
        text: str,
        ctx: Context,
        rename: Callable[[str], Action],
    ) -> Reply | Proposal:
        ctx = dataclasses.replace(ctx, actor=await self.enrich(ctx.actor))
        return await self._changes.propose(
            action, command.kind.value, ctx, text, rename, override_freeze=command.override_freeze
        )

    def _help(self, topic: str | None, ctx: Context) -> Reply:
        prefix = ctx.prefix
        found = help_for(topic) if topic else None
        topics = [found] if found is not None else help_topics()
        items = [
            HelpItem(f"{prefix}{e.usage}", e.summary, tuple(f"{prefix}{x}" for x in e.examples))
            for t in topics
            for e in t.entries
        ]
        title = f"{prefix}help {topic}" if found is not None else f"{prefix}help".strip()
        note = None if found else f"{HELP_NOTE} {ALIASES_NOTE}"
        return Reply(message=render_help(items, title=title, note=note))


def _ask_about_ids(proposal: Proposal, ids: tuple[str, ...], ctx: Context) -> Reply | Proposal:
    """Space-separated IDs ran to the end of the line, so a reason typed without ``--``
    would have become IDs. Never guess: Slack (where the command *is* the confirmation) gets
    the plan and the question, and nothing is sent; the shell asks before it confirms."""
    slack = ctx.surface == "slack"
    question = render_ids_question(proposal.message, ids, prefix=ctx.prefix, not_sent=slack)
    if slack:
        return Reply(message=question, ok=False)
    return dataclasses.replace(proposal, message=question)


def _edit_reply(noun: str, name: str, ctx: Context) -> Reply:
    if ctx.surface == "slack":
        text = f"Editing {noun} {name} opens a form in Slack."
        return Reply(message=render_help([HelpItem(f"edit {noun} {name}", text)], title="Edit"))
    forms = _EDIT_ALTERNATIVES.get(noun, ())
    items = [HelpItem(form.format(name=name), what) for form, what in forms]
    note = (
        f"Editing {noun} {name} opens a form in Slack; these shell commands make the same changes."
    )
    return Reply(message=render_help(items, title=f"edit {noun} {name}", note=note))


def share_ref(command: Command) -> ReplyRef | None:
    """What a "Share in channel" button re-runs for a read that has no share button of its
    own (lists, help, approvals, audit; summaries carry theirs)."""
    match command:
        case ListCommand():
            return ReplyRef("list", noun=command.noun, page=command.page, query=list_query(command))
        case HelpCommand(topic=topic):
            return ReplyRef("help", query=topic or "")
        case ApprovalsCommand(scope=scope):
            return ReplyRef("approvals", scope=scope)
        case AuditCommand(name=name, since=since):
            return ReplyRef("audit", query=name or "", since=duration_text(since) if since else "")
    return None
