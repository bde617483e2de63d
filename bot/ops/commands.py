"""The command language: ``parse(text) -> Command | UsageError``.

``parse`` is pure and total: for any string it returns either a typed command (see
:mod:`bot.ops.command_models`) or a :class:`UsageError` to show the user; it never raises.
The grammar is ``<noun> <verb> <name> [args] [reason…]`` (DESIGN.md §3). Nouns, verbs,
aliases and flags come from :mod:`bot.ops.registry`; this module only walks the words.

Rules worth knowing:

- ``--flag value`` and ``--flag=value`` may appear anywhere; a bare ``--`` ends the flags
  and everything after it is the reason. A quoted word is never a flag or a verb.
- ``gate <name>`` means ``gate show <name>``; a bare ``gate`` shows help for gates.
- ID lists are comma-separated (``a,b`` or ``a, b``). Space-separated IDs are taken only
  when the reason is marked off (quoted, or after ``--``), so a reason is never read as IDs.

>>> parse("flag off checkout_v2 errors spiking")
ToggleCommand(action='gate.disable', kind=<CommandKind.CHANGE: 'change'>, reason='errors spiking', shape='toggle', noun='gate', name='checkout_v2', enabled=False)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from bot.ops import arguments as arg
from bot.ops.arguments import ArgumentProblem
from bot.ops.command_models import (
    COMMAND_ADAPTER,
    ApprovalsCommand,
    AuditCommand,
    Command,
    DecideCommand,
    EditCommand,
    HelpCommand,
    HistoryCommand,
    KillCommand,
    LifecycleCommand,
    ListCommand,
    OverrideCommand,
    RestoreCommand,
    RolloutCommand,
    SegmentIdsCommand,
    ShowCommand,
    ToggleCommand,
    UsageError,
)
from bot.ops.plans import EntityKind
from bot.ops.registry import NOUNS, CommandSpec, help_for, noun_for, spec_for, specs_for_noun
from bot.ops.text import (
    MAX_INPUT_CHARS,
    Token,
    normalize,
    plain_value,
    readable_text,
    shown,
    suggest,
)
from bot.ops.text import tokenize as _tokenize

__all__ = [
    "COMMAND_ADAPTER",
    "ApprovalsCommand",
    "AuditCommand",
    "Command",
    "DecideCommand",
    "EditCommand",
    "HelpCommand",
    "HistoryCommand",
    "KillCommand",
    "LifecycleCommand",
    "ListCommand",
    "OverrideCommand",
    "RestoreCommand",
    "RolloutCommand",
    "SegmentIdsCommand",
    "ShowCommand",
    "ToggleCommand",
    "UsageError",
    "handled_keys",
    "parse",
]

_ENTITY_NOUNS = ("gate", "config", "experiment", "segment")


class _Reply(Exception):
    """Carries a finished UsageError out of deeply nested parsing; caught in :func:`parse`."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error.problem)
        self.error = error


@dataclass
class _Words:
    """Tokens with the flags taken out; positionals from ``forced`` on came after ``--``."""

    positionals: list[Token] = field(default_factory=list)
    forced: int | None = None
    flags: list[tuple[str, str | None]] = field(default_factory=list)


def _is_flag(token: Token) -> bool:
    return not token.quoted and token.value.startswith("--")


def _split_flags(tokens: list[Token]) -> _Words:
    words = _Words()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if words.forced is None and _is_flag(token):
            if token.value == "--":
                words.forced = len(words.positionals)
                i += 1
                continue
            name, eq, value = token.value[2:].partition("=")
            if eq:
                words.flags.append((name.lower(), value))
                i += 1
            elif i + 1 < len(tokens) and not _is_flag(tokens[i + 1]):
                words.flags.append((name.lower(), tokens[i + 1].value))
                i += 2
            else:
                words.flags.append((name.lower(), None))
                i += 1
            continue
        words.positionals.append(token)
        i += 1
    return words


class _Args:
    """A cursor over the words after the verb, for one command's handler."""

    def __init__(self, spec: CommandSpec, noun: str, tokens: list[Token], forced: int,
                 flags: dict[str, list[str]]) -> None:  # fmt: skip
        self.spec, self.noun, self.flags = spec, noun, flags
        self._tokens, self._forced, self._pos = tokens, forced, 0

    @property
    def entity(self) -> EntityKind:
        assert self.noun in _ENTITY_NOUNS, f"{self.noun} is not an entity noun"
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
        first = self.next()
        if first is None:
            raise ArgumentProblem("missing IDs")
        raws = [first.value]
        end = min(self._forced, len(self._tokens))
        explicit = self._forced < len(self._tokens) or any(
            t.quoted for t in self._tokens[self._pos : end]
        )
        while self._pos < end:
            token = self._tokens[self._pos]
            more = (not token.quoted) if explicit else (
                raws[-1].endswith(",") or token.value.startswith(",")
            )  # fmt: skip
            if not more:
                break
            raws.append(token.value)
            self._pos += 1
        return arg.id_list(raws)

    def flag(self, name: str) -> str | None:
        values = self.flags.get(name)
        return values[-1] if values else None


def _help(a: _Args) -> Command:
    topic = a.rest()
    if not topic:
        return HelpCommand(**a.base)
    found = help_for(topic)
    if found is None:
        keys = [n.name for n in NOUNS] + [s.key for n in NOUNS for s in specs_for_noun(n.name)]
        raise ArgumentProblem(f"unknown help topic `{shown(topic)}`", tuple(suggest(topic, keys)))
    return HelpCommand(topic=found.name, **a.base)


def _show(a: _Args) -> Command:
    name = a.name()
    a.done()
    return ShowCommand(noun=a.entity, name=name, **a.base)


def _history(a: _Args) -> Command:
    name = a.name()
    a.done()
    return HistoryCommand(noun=a.entity, name=name, **a.base)


def _list(a: _Args) -> Command:
    text = a.rest() or None
    if a.spec.verb == "search" and text is None:
        raise ArgumentProblem("missing search text")
    tags: dict[str, None] = {}
    for value in a.flags.get("tag", []):
        for piece in value.split(","):
            if piece.strip():
                tags[arg.label_value(piece, "tag")] = None
    status = a.flag("status")
    page = a.flag("page")
    return ListCommand(
        noun=a.entity,
        text=text,
        tags=tuple(tags),
        status=arg.status_value(a.noun, status) if status is not None else None,
        page=arg.page_number(page) if page is not None else 1,
        **a.base,
    )


def _toggle(a: _Args) -> Command:
    name = a.name()
    return ToggleCommand(
        noun=a.entity, name=name, enabled=a.spec.verb == "enable", reason=a.rest(), **a.base
    )


def _lifecycle(a: _Args) -> Command:
    name = a.name()
    operation: Any = a.spec.verb
    return LifecycleCommand(
        noun=a.entity, name=name, operation=operation, reason=a.rest(), **a.base
    )


def _rollout(a: _Args) -> Command:
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


def _override(a: _Args) -> Command:
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
        name=name,
        mode=mode,
        ids=ids,
        environment=arg.label_value(env, "environment") if env is not None else None,
        reason=a.rest(),
        **a.base,
    )


def _decide(a: _Args) -> Command:
    name = a.name()
    group = arg.label_value(a.require("group name"), "group name")
    return DecideCommand(name=name, group=group, reason=a.rest(), **a.base)


def _segment_ids(a: _Args) -> Command:
    name = a.name()
    operation: Any = "add" if a.spec.verb == "add-ids" else "remove"
    return SegmentIdsCommand(name=name, operation=operation, ids=a.ids(), reason=a.rest(), **a.base)


def _kill(a: _Args) -> Command:
    gate = a.name("gate")
    return KillCommand(gate=gate, reason=a.rest(), **a.base)


def _restore(a: _Args) -> Command:
    label = "request ID or gate name"
    target = arg.entity_name(a.require(label), label)
    return RestoreCommand(target=target, reason=a.rest(), **a.base)


_SCOPES = ("all", "mine", "pending")


def _approvals(a: _Args) -> Command:
    token = a.next()
    scope = "all" if token is None else plain_value(token.value).lower()
    if scope not in _SCOPES:
        raise ArgumentProblem(
            f"unknown approvals filter `{shown(scope)}` (mine or pending)",
            tuple(suggest(scope, _SCOPES)),
        )
    a.done()
    return ApprovalsCommand(scope=scope, **a.base)


def _audit(a: _Args) -> Command:
    token = a.next()
    name = arg.entity_name(token.value, "name") if token is not None else None
    a.done()
    since = a.flag("since")
    return AuditCommand(
        name=name, since=arg.duration(since) if since is not None else None, **a.base
    )


def _edit(a: _Args) -> Command:
    word = a.require("what to edit (gate, config, experiment or segment)")
    noun = noun_for(plain_value(word))
    if noun is None or noun.name not in _ENTITY_NOUNS:
        raise ArgumentProblem(
            f"cannot edit `{shown(word)}` (gate, config, experiment or segment)",
            tuple(suggest(word, _ENTITY_NOUNS)),
        )
    a.noun = noun.name
    name = a.name()
    a.done()
    return EditCommand(noun=a.entity, name=name, **a.base)


_Handler = Callable[[_Args], Command]
_HANDLERS: dict[str, _Handler] = {
    "help": _help,
    **{f"{noun} show": _show for noun in _ENTITY_NOUNS},
    **{f"{noun} list": _list for noun in _ENTITY_NOUNS},
    "gate search": _list,
    **{f"{noun} history": _history for noun in ("gate", "config")},
    **{f"{noun} {verb}": _toggle for noun in ("gate", "config") for verb in ("enable", "disable")},
    "gate launch": _lifecycle,
    "gate archive": _lifecycle,
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
    "audit": _audit,
    "edit": _edit,
}


def handled_keys() -> frozenset[str]:
    """Registry keys the parser has a handler for (a test checks it covers the registry)."""
    return frozenset(_HANDLERS)


def _unknown_noun(word: str, next_word: str | None) -> UsageError:
    names = {alias: n.name for n in NOUNS for alias in (n.name, *n.aliases)}
    nouns = tuple(dict.fromkeys(names[m] for m in suggest(word, names)))
    problem = f"unknown command `{shown(word)}`"
    if not nouns or (noun := noun_for(nouns[0])) is None:
        return UsageError(problem, "help", nouns)
    spec = spec_for(noun.name, next_word) if noun.has_verbs and next_word else None
    if spec is not None:  # "gat disable x": the verb shows what they meant
        return UsageError(problem, spec.usage, (spec.key,))
    fallback = spec_for(noun.name, noun.default_verb)
    return UsageError(problem, fallback.usage if fallback else "help", nouns)


def _unknown_verb(noun: str, word: str) -> UsageError:
    verbs = {v: s for s in specs_for_noun(noun) if s.verb for v in (s.verb, *s.aliases)}
    keys = tuple(dict.fromkeys(verbs[m].key for m in suggest(word, verbs)))
    usage = verbs[keys[0].split(" ", 1)[1]].usage if keys else f"help {noun}"
    return UsageError(f"unknown verb `{shown(word)}` for {noun}", usage, keys)


def _identify(words: _Words) -> tuple[CommandSpec, str, int] | Command:
    """The command the first words name, and how many positionals they used."""
    pos = words.positionals
    noun = noun_for(pos[0].value)
    if noun is None:
        raise _Reply(_unknown_noun(pos[0].value, pos[1].value if len(pos) > 1 else None))
    if not noun.has_verbs:
        spec = spec_for(noun.name, None)
        assert spec is not None, f"registry has no entry for noun {noun.name}"
        return spec, noun.name, 1
    if len(pos) == 1:
        if words.flags:
            raise _Reply(UsageError(f"missing verb for {noun.name}", f"help {noun.name}"))
        help_spec = spec_for("help", None)
        assert help_spec is not None
        return HelpCommand(topic=noun.name, action=help_spec.action, kind=help_spec.kind)
    verb = pos[1]
    spec = None if verb.quoted else spec_for(noun.name, verb.value)
    if spec is not None:
        return spec, noun.name, 2
    if len(pos) == 2 and noun.default_verb:
        default = spec_for(noun.name, noun.default_verb)
        assert default is not None
        return default, noun.name, 1
    raise _Reply(_unknown_verb(noun.name, verb.value))


def _check_flags(spec: CommandSpec, flags: list[tuple[str, str | None]]) -> dict[str, list[str]]:
    collected: dict[str, list[str]] = {}
    for name, value in flags:
        flag_spec = spec.flag(name)
        if flag_spec is None:
            known = [f"--{f.name}" for f in spec.flags]
            raise ArgumentProblem(
                f"unknown flag `--{shown(name)}` for `{spec.key}`",
                tuple(suggest(f"--{name}", known)),
            )
        if not value:
            raise ArgumentProblem(f"flag `--{name}` needs a value")
        if name in collected and not flag_spec.repeatable:
            raise ArgumentProblem(f"flag `--{name}` is given twice")
        collected.setdefault(name, []).append(value)
    return collected


def parse(text: str) -> Command | UsageError:
    """Parse one line of ``/statsig`` text (without the ``/statsig`` itself).

    >>> parse("gate rollout new_nav 25%").percentage
    25.0
    >>> print(parse("gate disabel checkout_v2").message)
    Error: unknown verb `disabel` for gate. Usage: `/statsig gate disable <name> [reason]`. Did you mean `gate disable`?
    """  # noqa: E501
    if len(text) > MAX_INPUT_CHARS:
        return UsageError(
            f"the command is too long ({len(text):,} characters; the limit is {MAX_INPUT_CHARS:,})"
        )
    words = _split_flags(_tokenize(normalize(text)))
    if not words.positionals:
        if words.flags:
            return UsageError("missing command", "help")
        return parse("help")
    try:
        found = _identify(words)
    except _Reply as reply:
        return reply.error
    if not isinstance(found, tuple):
        return found
    spec, noun, used = found
    forced = len(words.positionals) if words.forced is None else words.forced
    try:
        flags = _check_flags(spec, words.flags)
        args = _Args(spec, noun, words.positionals[used:], max(forced - used, 0), flags)
        return _HANDLERS[spec.key](args)
    except ArgumentProblem as problem:
        return UsageError(problem.problem, spec.usage, problem.suggestions)
