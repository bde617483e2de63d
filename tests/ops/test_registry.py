"""The registry is the single source: every entry parses, has help and examples."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from bot.ops.commands.help import complete, help_for, help_topics
from bot.ops.commands.parse import HelpCommand, UsageError, handled_keys, parse
from bot.ops.commands.registry import (
    NOUNS,
    REGISTRY,
    CommandKind,
    CommandSpec,
    noun_for,
    spec_by_key,
    spec_for,
)


def test_keys_are_unique_and_every_entry_has_a_handler() -> None:
    keys = [spec.key for spec in REGISTRY]
    assert len(keys) == len(set(keys))
    assert set(keys) == handled_keys()


def test_aliases_never_collide() -> None:
    words = [w for n in NOUNS for w in (n.name, *n.aliases)]
    assert len(words) == len(set(words))
    for noun in NOUNS:
        verbs = [
            w for s in REGISTRY if s.noun == noun.name and s.verb for w in (s.verb, *s.aliases)
        ]
        assert len(verbs) == len(set(verbs)), noun.name


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.key)
def test_every_entry_has_help_and_examples_that_parse_to_it(spec: CommandSpec) -> None:
    assert spec.summary.strip() and spec.usage.startswith(spec.noun)
    assert spec.examples
    for example in spec.examples:
        command = parse(example)
        assert not isinstance(command, UsageError), f"{example!r}: {command.message}"
        assert fnmatchcase(command.action, spec.action), example
        assert command.kind is spec.kind
        if spec.key != "help":
            assert not isinstance(command, HelpCommand)


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.key)
def test_every_alias_reaches_its_entry(spec: CommandSpec) -> None:
    for alias in spec.aliases:
        assert spec_for(spec.noun, alias.upper()) is spec


def test_safety_metadata() -> None:
    assert spec_by_key("kill").kind is CommandKind.INCIDENT
    assert spec_by_key("kill").action == "incident.kill"
    assert spec_by_key("gate disable").kind is CommandKind.CHANGE
    assert spec_by_key("gate list").kind is CommandKind.READ
    for spec in REGISTRY:
        noun, _, verb = spec.action.partition(".")
        assert noun and verb, spec.action


def test_help_topics_cover_every_command_once() -> None:
    topics = help_topics()
    assert [t.name for t in topics] == [n.name for n in NOUNS]
    listed = [e.command for t in topics for e in t.entries]
    assert sorted(listed) == sorted(s.key for s in REGISTRY)


def test_help_for_nouns_commands_and_aliases() -> None:
    gate = help_for("gate")
    assert gate is not None and "gate rollout" in [e.command for e in gate.entries]
    one = help_for("FLAG off")
    assert one is not None and one.name == "gate disable"
    assert [e.usage for e in one.entries] == ["gate disable <name> [reason]"]
    assert one.entries[0].examples == spec_by_key("gate disable").examples
    assert help_for("nothing") is None
    assert help_for("gate nothing") is None
    assert help_for("kill extra") is None
    assert help_for("") is None


def test_noun_lookup() -> None:
    config = noun_for("DC")
    assert config is not None and config.name == "config"
    assert noun_for("nope") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", [n.name for n in NOUNS]),
        ("ga", ["gate"]),
        ("gate dis", ["disable"]),
        ("flags ro", ["rollout"]),
        ("gate rollout x 5 --r", ["--rule"]),
        ("gate list ", []),
        ("gate list --", ["--tag", "--status", "--page"]),
        ("audit --s", ["--since"]),
        ("nope x", []),
    ],
)
def test_completion(line: str, expected: list[str]) -> None:
    assert complete(line) == expected
