"""Help pages and the shell's completion, derived from the command registry.

Nothing here is written twice: a command's usage, summary and examples come from its
:class:`~bot.ops.commands.registry.CommandSpec`, so help can never disagree with the parser.

Usage::

    help_for("flag off")          # HelpTopic("gate disable", …)
    complete("gate dis")          # ["disable"]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from bot.ops.commands.registry import (
    NOUNS,
    CommandKind,
    CommandSpec,
    noun_for,
    spec_for,
    specs_for_noun,
)
from bot.ops.commands.text import normalize, tokenize
from bot.ops.model.plans import EntityKind

__all__ = ["HelpEntry", "HelpTopic", "NameSource", "complete", "help_for", "help_topics"]


@dataclass(frozen=True, slots=True)
class HelpEntry:
    """Help for one command, ready for a renderer (usage without the ``/statsig`` prefix)."""

    command: str
    usage: str
    summary: str
    examples: tuple[str, ...]
    kind: CommandKind
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HelpTopic:
    """A help page: a noun (all its commands) or one command."""

    name: str
    summary: str
    entries: tuple[HelpEntry, ...]
    aliases: tuple[str, ...] = ()


def _entry(spec: CommandSpec) -> HelpEntry:
    return HelpEntry(spec.key, spec.usage, spec.summary, spec.examples, spec.kind, spec.aliases)


def help_topics() -> list[HelpTopic]:
    """One topic per noun, in the order of the table in DESIGN.md §3."""
    return [
        HelpTopic(n.name, n.summary, tuple(_entry(s) for s in specs_for_noun(n.name)), n.aliases)
        for n in NOUNS
    ]


def help_for(topic: str) -> HelpTopic | None:
    """Help for ``"gate"``, ``"gate disable"``, ``"flag off"`` …; ``None`` if unknown."""
    words = [t.value for t in tokenize(normalize(topic))]
    if not words or len(words) > 2 or (noun := noun_for(words[0])) is None:
        return None
    if len(words) == 1:
        return next(t for t in help_topics() if t.name == noun.name)
    spec = spec_for(noun.name, words[1]) if noun.has_verbs else None
    if spec is None:
        return None
    return HelpTopic(spec.key, spec.summary, (_entry(spec),))


NameSource = Callable[[EntityKind], Sequence[str]]
"""The names of one kind of entity, as known now (the shell passes a cached listing)."""

_NAME_SLOTS = ("<name>", "<gate>", "<request-id|gate>")
_MAX_NAMES = 50


def _name_kind(spec: CommandSpec) -> EntityKind | None:
    """The kind of entity the command's first argument names, if it names one."""
    args = spec.usage.split()[len(spec.key.split()) :]
    if not args or args[0] not in _NAME_SLOTS:
        return None
    if spec.noun in ("gate", "config", "experiment", "segment"):
        return cast(EntityKind, spec.noun)
    return "gate" if spec.noun in ("kill", "restore") else None


def complete(line: str, names: NameSource | None = None) -> list[str]:
    """Candidates for the word being typed at the end of ``line`` (for the shell).

    ``complete("ga")`` → ``["gate"]``; ``complete("gate dis")`` → ``["disable"]``;
    ``complete("gate rollout x 5 --r")`` → ``["--rule"]``; with ``names``,
    ``complete("gate disable chec", names)`` → ``["checkout_v2", …]``.
    """
    words = line.split()
    current = "" if not words or line[-1:].isspace() else words.pop()
    lowered = current.lower()
    if not words:
        return [n.name for n in NOUNS if n.name.startswith(lowered)]
    noun = noun_for(words[0])
    if noun is None:
        return []
    if len(words) == 1 and noun.has_verbs and not current.startswith("-"):
        verbs = [s.verb for s in specs_for_noun(noun.name) if s.verb and s.verb.startswith(lowered)]
        show = spec_for(noun.name, noun.default_verb)
        if verbs or names is None or show is None or current == "":
            return verbs
        return complete(f"{noun.name} {show.verb} {current}", names)  # "gate chec": a name
    spec = spec_for(noun.name, words[1] if noun.has_verbs else None)
    if spec is None:
        return []
    if current.startswith("-"):
        return [f"--{f.name}" for f in spec.flags if f"--{f.name}".startswith(lowered)]
    kind = _name_kind(spec)
    if names is None or kind is None or len(words) != len(spec.key.split()):
        return []
    matching = [n for n in names(kind) if n.lower().startswith(lowered)]
    return sorted(matching)[:_MAX_NAMES]
