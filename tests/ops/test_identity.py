"""Actors and Statsig roles."""

from __future__ import annotations

import dataclasses

import pytest

from bot.ops.model.identity import Actor, role_may_edit


@pytest.mark.parametrize(
    ("role", "may_edit"),
    [
        ("Admin", True),
        ("Member", True),
        ("member", True),
        ("Read Only", False),
        ("read only", False),
        (None, False),
        ("Release Manager", False),
    ],
)
def test_default_editor_roles(role: str | None, may_edit: bool) -> None:
    assert role_may_edit(role) is may_edit


def test_custom_role_may_edit_only_when_listed() -> None:
    assert role_may_edit("Release Manager", ["Admin", "Release Manager"])
    assert not role_may_edit("Member", ["Admin"])


def test_read_only_never_edits_even_when_listed() -> None:
    assert not role_may_edit("Read Only", ["Read Only", "Admin"])


def test_actor_is_frozen_and_hashable() -> None:
    alice = Actor("U1ALICE", "alice@example.com", "Alice", frozenset({"S1"}), "Member")
    with pytest.raises(dataclasses.FrozenInstanceError):
        alice.email = "mallory@example.com"  # type: ignore[misc]
    assert (
        len({alice, Actor("U1ALICE", "alice@example.com", "Alice", frozenset({"S1"}), "Member")})
        == 1
    )


def test_shell_actor_uses_a_pseudo_id_and_its_email() -> None:
    bob = Actor.for_shell("bob@example.com", usergroups=["S9"], statsig_role="Admin")
    assert bob.user_id == "shell:bob@example.com"
    assert bob.usergroups == frozenset({"S9"})
    assert bob.label == "bob@example.com"


def test_label_falls_back_from_name_to_email_to_id() -> None:
    assert Actor("U1", "a@example.com", "Ann").label == "Ann"
    assert Actor("U1", "a@example.com").label == "a@example.com"
    assert Actor("U1").label == "U1"


def test_same_person_by_id_or_email_case_insensitively() -> None:
    slack = Actor("U1ALICE", "Alice@Example.com")
    assert slack.is_same_person(Actor.for_shell("alice@example.com"))
    assert slack.is_same_person(Actor("U1ALICE"))
    assert not slack.is_same_person(Actor("U2BOB", "bob@example.com"))
    assert not Actor("U1").is_same_person(Actor("U2"))
