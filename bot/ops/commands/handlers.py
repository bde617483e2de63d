"""One handler per command shape: they walk the words after the verb and build the command.

Handlers raise :class:`~bot.ops.commands.arguments.ArgumentProblem` for a value that does not fit;
:func:`bot.ops.commands.parse` turns it into a ``UsageError`` with the command's usage line.
:data:`HANDLERS` is keyed by registry key (``"gate disable"``); a test checks it matches the
registry exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from bot.ops.commands import arguments as arg
from bot.ops.commands.arguments import ArgumentProblem
from bot.ops.commands.help import help_for
from bot.ops.commands.models import (
    ApprovalsCommand,
    AuditCommand,
    Command,
    DecideCommand,
    DecisionCommand,
    EditCommand,
    FreezeCommand,
    HelpCommand,
    HistoryCommand,
    KillCommand,
    LifecycleCommand,
    ListCommand,
    OverrideCommand,
    RecentCommand,
    RestoreCommand,
    RolloutCommand,
    SegmentIdsCommand,
    ShowCommand,
    ToggleCommand,
)
from bot.ops.commands.registry import NOUNS, CommandSpec, noun_for, specs_for_noun
from bot.ops.commands.text import Token, plain_value, readable_text, shown
from bot.ops.model.plans import EntityKind
from bot.ops.model.words import suggest

__all__ = ["ENTITY_NOUNS", "HANDLERS", "Args", "handled_keys"]

ENTITY_NOUNS = ("gate", "config", "experiment", "segment")


class Args:
    """A cursor over the words after the verb, for one command's handler."""

    def __init__(self, spec: CommandSpec, noun: str, tokens: list[Token], forced: int,
                 flags: dict[str, list[str]], *, marked: bool = False) -> None:  # fmt: skip
        self.spec, self.noun, self.flags = spec, noun, flags
        self._tokens, self._forced, self._pos = tokens, forced, 0
        self._marked = marked  # a ``--`` (or ``--reason``) ended the positionals
        self.ambiguous_ids = False
        """A space-separated ID list ran to the end of the line: were its last words a
        reason? Set by :meth:`ids`; the command then says it and asks instead of guessing."""

    @property
    def entity(self) -> EntityKind:
        assert self.noun in ENTITY_NOUNS, f"{self.noun} is not an entity noun"
        return cast(EntityKind, self.noun)

    @property
    def base(self) -> dict[str, Any]:
        action = f"{self.noun}.edit" if self.spec.action == "*.edit" else self.spec.action
        return {"action": action, "kind": self.spec.kind}

    def next(self) -> Token | None:
        """The next word before any ``--``, or ``None``."""
        if self._pos >= min(self._forced, len(self._tokens)):
            return None
        self._pos += 1
        return self._tokens[self._pos - 1]

    def require(self, label: str) -> str:
        token = self.next()
        if token is None or not token.value.strip():
            raise ArgumentProblem(f"missing {label}")
        return token.value

    def name(self, noun: str | None = None) -> str:
        label = f"{noun or self.noun} name"
        return arg.entity_name(self.require(label), label)

    def rest(self) -> str:
        """Everything left, as readable text (the reason, or a search text)."""
        words = [readable_text(t.value) for t in self._tokens[self._pos :]]
        self._pos = len(self._tokens)
        return " ".join(w for w in words if w.strip()).strip()

    def done(self) -> None:
        if self._pos < len(self._tokens):
            raise ArgumentProblem(f"unexpected argument `{shown(self._tokens[self._pos].value)}`")

    def ids(self) -> tuple[str, ...]:
        """An ID list: comma-joined words, or every word up to a quoted one or ``--``.

        See :mod:`bot.ops.commands` for the rule and why a space-separated list is greedy.
        """
        first = self.next()
        if first is None:
            raise ArgumentProblem(arg.MISSING_IDS)
        raws = [first.value]
        end = min(self._forced, len(self._tokens))
        following = self._tokens[self._pos] if self._pos < end else None
        commas = "," in first.value or (following is not None and following.value.startswith(","))
        stopped = False
        while self._pos < end:
            token = self._tokens[self._pos]
            joined = raws[-1].endswith(",") or token.value.startswith(",")
            if token.quoted or (commas and not joined):
                stopped = True
                break
            raws.append(token.value)
            self._pos += 1
        ran_to_the_end = not stopped and not self._marked and self._pos == len(self._tokens)
        self.ambiguous_ids = not commas and len(raws) > 1 and ran_to_the_end
        return arg.id_list(raws)

    def flag(self, name: str) -> str | None:
        values = self.flags.get(name)
        return values[-1] if values else None


def _help(a: Args) -> Command:
    topic = a.rest()
    if not topic:
        return HelpCommand(**a.base)
    found = help_for(topic)
    if found is None:
        keys = [n.name for n in NOUNS] + [s.key for n in NOUNS for s in specs_for_noun(n.name)]
        raise ArgumentProblem(f"unknown help topic `{shown(topic)}`", tuple(suggest(topic, keys)))
    return HelpCommand(topic=found.name, **a.base)


def _show(a: Args) -> Command:
    name = a.name()
    a.done()
    return ShowCommand(noun=a.entity, name=name, **a.base)


def _history(a: Args) -> Command:
    name = a.name()
    a.done()
    return HistoryCommand(noun=a.entity, name=name, **a.base)


def _tags(a: Args) -> tuple[str, ...]:
    """``--tag a --tag b,c``: each tag once, in order."""
    tags: dict[str, None] = {}
    for value in a.flags.get("tag", []):
        for piece in value.split(","):
            if piece.strip():
                tags[arg.label_value(piece, "tag")] = None
    return tuple(tags)


def _list(a: Args) -> Command:
    text = a.rest() or None
    if a.spec.verb == "search" and text is None:
        raise ArgumentProblem("missing search text")
    tags = _tags(a)
    status = a.flag("status")
    page = a.flag("page")
    return ListCommand(
        noun=a.entity,
        text=text,
        tags=tags,
        status=arg.status_value(a.noun, status) if status is not None else None,
        page=arg.page_number(page) if page is not None else 1,
        **a.base,
    )


def _toggle(a: Args) -> Command:
    name = a.name()
    return ToggleCommand(
        noun=a.entity, name=name, enabled=a.spec.verb == "enable", reason=a.rest(), **a.base
    )


def _lifecycle(a: Args) -> Command:
    name = a.name()
    operation: Any = a.spec.verb
    return LifecycleCommand(
        noun=a.entity, name=name, operation=operation, reason=a.rest(), **a.base
    )


def _rollout(a: Args) -> Command:
    name = a.name()
    pct = arg.percentage(a.require("percentage"))
    rule = a.flag("rule")
    return RolloutCommand(
        name=name,
        percentage=pct,
        rule=arg.label_value(rule, "rule") if rule is not None else None,
        reason=a.rest(),
        **a.base,
    )


_MODES = ("pass", "fail", "remove")


def _override(a: Args) -> Command:
    name = a.name()
    mode = plain_value(a.require("override mode (pass, fail or remove)")).lower()
    if mode not in _MODES:
        raise ArgumentProblem(
            f"unknown override mode `{shown(mode)}` (pass, fail or remove)",
            tuple(suggest(mode, _MODES)),
        )
    ids = a.ids()
    env = a.flag("env")
    return OverrideCommand(
        ambiguous_ids=a.ambiguous_ids,
        name=name,
        mode=mode,
        ids=ids,
        environment=arg.label_value(env, "environment") if env is not None else None,
        reason=a.rest(),
        **a.base,
    )


def _decide(a: Args) -> Command:
    name = a.name()
    group = arg.label_value(a.require("group name"), "group name")
    return DecideCommand(name=name, group=group, reason=a.rest(), **a.base)


def _segment_ids(a: Args) -> Command:
    name = a.name()
    operation: Any = "add" if a.spec.verb == "add-ids" else "remove"
    ids = a.ids()
    return SegmentIdsCommand(
        name=name,
        operation=operation,
        ids=ids,
        ambiguous_ids=a.ambiguous_ids,
        reason=a.rest(),
        **a.base,
    )


MIN_KILL_WINDOW = timedelta(minutes=2)
MAX_KILL_WINDOW = timedelta(days=30)
"""A timer's records live 30 days; longer windows would end silently."""


def _kill(a: Args) -> Command:
    gate = a.name("gate")
    window_text = a.flag("for")
    auto_restore = a.flag("auto-restore") is not None
    window = arg.duration(window_text) if window_text is not None else None
    if auto_restore and window is None:
        raise ArgumentProblem("`--auto-restore` needs `--for D` (when to restore the gate)")
    if window is not None and window < MIN_KILL_WINDOW:
        raise ArgumentProblem("a timed kill lasts at least 2 minutes (`--for 2m`)")
    if window is not None and window > MAX_KILL_WINDOW:
        raise ArgumentProblem("a timed kill lasts at most 30 days; kill without --for instead")
    return KillCommand(
        gate=gate, window=window, auto_restore=auto_restore, reason=a.rest(), **a.base
    )


def _restore(a: Args) -> Command:
    label = "request ID or gate name"
    target = arg.entity_name(a.require(label), label)
    anyway = a.flag("anyway") is not None
    reason = a.rest()
    if anyway and not reason:
        raise ArgumentProblem("`--anyway` needs a reason: restore <id> --anyway <why>")
    return RestoreCommand(target=target, anyway=anyway, reason=reason, **a.base)


_SCOPES = ("all", "mine", "pending")


def _approvals(a: Args) -> Command:
    token = a.next()
    scope = "all" if token is None else plain_value(token.value).lower()
    if scope not in _SCOPES:
        raise ArgumentProblem(
            f"unknown approvals filter `{shown(scope)}` (mine or pending)",
            tuple(suggest(scope, _SCOPES)),
        )
    a.done()
    return ApprovalsCommand(scope=scope, **a.base)


def _decision(a: Args) -> Command:
    verb: Any = a.spec.noun
    token = a.next()
    if token is None or not token.value.strip():
        raise ArgumentProblem(f"missing arguments for {verb}: give the request ID")
    request_id = arg.entity_name(token.value, "request ID")
    reason = a.rest()
    if verb == "reject" and not reason:
        raise ArgumentProblem("a rejection needs a reason: reject <request-id> <reason>")
    if verb != "reject":
        a.done()
    return DecisionCommand(verb=verb, request_id=request_id, reason=reason, **a.base)


_SWITCHES = ("on", "off")


def _freeze(a: Args) -> Command:
    token = a.next()
    if token is None:
        if a.flag("for") is not None:
            raise ArgumentProblem("`--for` goes with `freeze on <reason>`")
        return FreezeCommand(**a.base)
    switch = plain_value(token.value).lower()
    if switch not in _SWITCHES:
        raise ArgumentProblem(
            f"unknown freeze switch `{shown(switch)}` (on or off)",
            tuple(suggest(switch, _SWITCHES)),
        )
    reason = a.rest()
    window = a.flag("for")
    if switch == "off" and window is not None:
        raise ArgumentProblem("`--for` goes with `freeze on`; `freeze off` ends the freeze now")
    if switch == "on" and not reason:
        raise ArgumentProblem("a freeze needs a reason: freeze on <reason> [--for 2h]")
    duration = arg.duration(window) if window is not None else None
    return FreezeCommand(switch=switch, duration=duration, reason=reason, **a.base)


def _recent(a: Args) -> Command:
    token = a.next()
    a.done()
    window = arg.duration(token.value) if token is not None else None
    tags = _tags(a)
    if window is None:
        return RecentCommand(tags=tags, **a.base)
    return RecentCommand(window=window, tags=tags, **a.base)


def _audit(a: Args) -> Command:
    token = a.next()
    name = arg.entity_name(token.value, "name") if token is not None else None
    a.done()
    since = a.flag("since")
    return AuditCommand(
        name=name, since=arg.duration(since) if since is not None else None, **a.base
    )


def _edit(a: Args) -> Command:
    word = a.require("what to edit (gate, config, experiment or segment)")
    noun = noun_for(plain_value(word))
    if noun is None or noun.name not in ENTITY_NOUNS:
        raise ArgumentProblem(
            f"cannot edit `{shown(word)}` (gate, config, experiment or segment)",
            tuple(suggest(word, ENTITY_NOUNS)),
        )
    a.noun = noun.name
    name = a.name()
    a.done()
    return EditCommand(noun=a.entity, name=name, **a.base)


_Handler = Callable[[Args], Command]
HANDLERS: dict[str, _Handler] = {
    "help": _help,
    **{f"{noun} show": _show for noun in ENTITY_NOUNS},
    **{f"{noun} list": _list for noun in ENTITY_NOUNS},
    "gate search": _list,
    **{f"{noun} history": _history for noun in ("gate", "config")},
    **{f"{noun} {verb}": _toggle for noun in ("gate", "config") for verb in ("enable", "disable")},
    "gate launch": _lifecycle,
    "gate archive": _lifecycle,
    "gate unarchive": _lifecycle,
    "gate rollout": _rollout,
    "gate override": _override,
    "experiment start": _lifecycle,
    "experiment abandon": _lifecycle,
    "experiment decide": _decide,
    "segment add-ids": _segment_ids,
    "segment remove-ids": _segment_ids,
    "kill": _kill,
    "restore": _restore,
    "approvals": _approvals,
    "approve": _decision,
    "reject": _decision,
    "cancel": _decision,
    "freeze": _freeze,
    "recent": _recent,
    "audit": _audit,
    "edit": _edit,
}


def handled_keys() -> frozenset[str]:
    """Registry keys the parser has a handler for (a test checks it covers the registry)."""
    return frozenset(HANDLERS)
