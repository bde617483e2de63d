"""The command language: ``parse(text) -> Command | UsageError``.

``parse`` is pure and total: for any string it returns either a typed command (see
:mod:`bot.ops.commands.models`) or a :class:`UsageError` to show the user; it never raises.
The grammar is ``<noun> <verb> <name> [args] [reason…]`` (DESIGN.md §3). Nouns, verbs,
aliases and flags come from :mod:`bot.ops.commands.registry`; this module only walks the words.

Rules worth knowing:

- ``--flag value`` and ``--flag=value`` may appear anywhere; a bare ``--`` (or
  ``--reason``) ends the flags and everything after it is the reason. A quoted word is
  never a flag or a verb.
- ``gate <name>`` means ``gate show <name>``; a bare ``gate`` shows help for gates.
- ID lists are comma-separated (``a,b`` or ``a, b``) or space-separated (``a b c``).
  A comma list ends at the first word not joined to it by a comma, and the reason may
  follow as plain words (``u1,u2 QA team``). A space-separated list takes every word up to
  a quoted word, ``--`` or ``--reason``, so after it the reason must be quoted or marked
  (``u1 u2 u3 -- QA team``): otherwise it would be read as more IDs, as a person reading
  ``add-ids beta u1 u2 u3`` expects.

>>> parse("flag off checkout_v2 errors spiking")
ToggleCommand(action='gate.disable', kind=<CommandKind.CHANGE: 'change'>, reason='errors spiking', noun='gate', name='checkout_v2', shape='toggle', enabled=False)
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ops.commands.arguments import REASON_FLAG, ArgumentProblem
from bot.ops.commands.handlers import HANDLERS, Args, handled_keys
from bot.ops.commands.models import (
    COMMAND_ADAPTER,
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
    UsageError,
)
from bot.ops.commands.registry import (
    NOUNS,
    OVERRIDE_FREEZE,
    SWITCHES,
    CommandSpec,
    noun_for,
    spec_for,
    specs_for_noun,
)
from bot.ops.commands.text import MAX_INPUT_CHARS, Token, normalize, readable_text, shown
from bot.ops.commands.text import tokenize as _tokenize
from bot.ops.model.words import suggest

__all__ = [
    "COMMAND_ADAPTER",
    "ApprovalsCommand",
    "AuditCommand",
    "Command",
    "DecideCommand",
    "DecisionCommand",
    "EditCommand",
    "FreezeCommand",
    "HelpCommand",
    "HistoryCommand",
    "KillCommand",
    "LifecycleCommand",
    "ListCommand",
    "OverrideCommand",
    "RecentCommand",
    "RestoreCommand",
    "RolloutCommand",
    "SegmentIdsCommand",
    "ShowCommand",
    "ToggleCommand",
    "UsageError",
    "handled_keys",
    "parse",
]


@dataclass
class _Words:
    """Tokens with the flags taken out; positionals from ``forced`` on came after ``--``."""

    positionals: list[Token] = field(default_factory=list)
    forced: int | None = None
    flags: list[tuple[str, str | None]] = field(default_factory=list)


SWITCH_ON = "on"
"""The value a switch flag (``--auto-restore``) carries once parsed."""


def _is_flag(token: Token) -> bool:
    return not token.quoted and token.value.startswith("--")


def _split_flags(tokens: list[Token]) -> _Words:
    words = _Words()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if words.forced is None and _is_flag(token):
            name, eq, value = token.value[2:].partition("=")
            if token.value == "--" or name.lower() == REASON_FLAG:
                words.forced = len(words.positionals)
                if eq and value:  # --reason=TEXT: the reason starts with TEXT
                    words.positionals.append(Token(value, quoted=True))
                i += 1
                continue
            if eq:
                words.flags.append((name.lower(), value))
                i += 1
            elif name.lower() in SWITCHES:
                words.flags.append((name.lower(), SWITCH_ON))
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


def _unknown_noun(word: str, next_word: str | None) -> UsageError:
    names = {alias: n.name for n in NOUNS for alias in (n.name, *n.aliases)}
    nouns = tuple(dict.fromkeys(names[m] for m in suggest(word, names)))
    problem = f"unknown command `{shown(word)}`"
    as_verb = _verb_without_noun(word)
    if as_verb is not None:  # "rollout new_nav 25": the verb of a noun they left out
        return UsageError(problem, as_verb.usage, (as_verb.key,))
    if not nouns or (noun := noun_for(nouns[0])) is None:
        return UsageError(problem, "help", nouns)
    spec = spec_for(noun.name, next_word) if noun.has_verbs and next_word else None
    if spec is not None:  # "gat disable x": the verb shows what they meant
        return UsageError(problem, spec.usage, (spec.key,))
    fallback = spec_for(noun.name, noun.default_verb)
    return UsageError(problem, fallback.usage if fallback else "help", nouns)


def _verb_without_noun(word: str) -> CommandSpec | None:
    """The one command whose verb is ``word`` (``rollout`` → ``gate rollout``), if unambiguous."""
    lowered = word.lower()
    found = [
        spec
        for n in NOUNS
        for spec in specs_for_noun(n.name)
        if spec.verb is not None and lowered in (spec.verb, *spec.aliases)
    ]
    return found[0] if len({s.noun for s in found}) == 1 else None


def _unknown_verb(noun: str, word: str) -> UsageError:
    verbs = {v: s for s in specs_for_noun(noun) if s.verb for v in (s.verb, *s.aliases)}
    keys = tuple(dict.fromkeys(verbs[m].key for m in suggest(word, verbs)))
    usage = verbs[keys[0].split(" ", 1)[1]].usage if keys else f"help {noun}"
    return UsageError(f"unknown verb `{shown(word)}` for {noun}", usage, keys)


def _identify(words: _Words) -> tuple[CommandSpec, str, int] | Command | UsageError:
    """The command the first words name, and how many positionals they used.

    A bare entity noun is already a complete command (its help); unknown words are errors.
    """
    pos = words.positionals
    noun = noun_for(pos[0].value)
    if noun is None:
        return _unknown_noun(pos[0].value, pos[1].value if len(pos) > 1 else None)
    if not noun.has_verbs:
        spec = spec_for(noun.name, None)
        assert spec is not None, f"registry has no entry for noun {noun.name}"
        return spec, noun.name, 1
    if len(pos) == 1:
        if words.flags:
            return UsageError(f"missing verb for {noun.name}", f"help {noun.name}")
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
    return _unknown_verb(noun.name, verb.value)


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
        if not flag_spec.takes_value and value != SWITCH_ON:
            raise ArgumentProblem(f"flag `--{name}` takes no value")
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
    found = _identify(words)
    if not isinstance(found, tuple):
        return found
    spec, noun, used = found
    forced = len(words.positionals) if words.forced is None else words.forced
    try:
        flags = _check_flags(spec, words.flags)
        args = Args(spec, noun, words.positionals[used:], max(forced - used, 0), flags,
                    marked=words.forced is not None)  # fmt: skip
        command = HANDLERS[spec.key](args)
        override = flags.get(OVERRIDE_FREEZE.name)
        if override:
            command = command.model_copy(update={"override_freeze": readable_text(override[-1])})
        return command
    except ArgumentProblem as problem:
        return UsageError(problem.problem, spec.usage, problem.suggestions)
