"""The policy file's schema (TOML, validated with pydantic) and its loader.

Validation is strict on purpose: an unknown key, a group that is not defined, a member
that is neither a Slack ID nor an email — each is a load error, because a typo in a
policy must never silently leave an action unprotected. Errors name the file, the key
path and the reason, one problem per line::

    policy.toml: rules[1].approvers: unknown group 'aprovers'

Rules are numbered from 0, in file order, like ``rule_index`` in decisions.
"""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot.config import ConfigError
from bot.ops.actions.registry import ACTIONS
from bot.ops.model.decisions import ANYONE
from bot.ops.model.identity import DEFAULT_EDITOR_ROLES, READ_ONLY_ROLE
from bot.ops.model.words import suggest

__all__ = [
    "KNOWN_ACTIONS",
    "ChannelsConfig",
    "DefaultsConfig",
    "IdentityConfig",
    "IncidentConfig",
    "NotificationsConfig",
    "PolicyError",
    "PolicyFile",
    "RuleConfig",
    "action_matches",
    "parse_duration",
    "parse_policy",
    "read_policy_file",
]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_PATTERN_PART = re.compile(r"[a-z0-9_\-*?\[\]!]+")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,}")
_MEMBER = re.compile(r"[UWS][A-Z0-9]{2,}|[^@\s]+@[^@\s]+\.[^@\s]+")


class PolicyError(ConfigError):
    """The policy file is missing or invalid. ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


def parse_duration(value: object) -> int:
    """Seconds from ``"90s"``, ``"30m"``, ``"24h"``, ``"7d"``, ``"1h30m"`` or an integer."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30m, 24h or 7d")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and re.fullmatch(r"(\s*\d+\s*[smhdw])+\s*", value):
        seconds = sum(int(n) * _UNITS[u] for n, u in _DURATION.findall(value))
    else:
        raise ValueError(f"invalid duration {value!r} (use e.g. 30m, 24h or 7d)")
    if seconds <= 0:
        raise ValueError("duration must be positive")
    return seconds


def action_matches(pattern: str, action: str) -> bool:
    """``"gate.*"`` matches ``"gate.disable"``; ``"*"`` matches everything; per-part globs."""
    if pattern == ANYONE:
        return True
    noun, _, verb = action.lower().partition(".")
    p_noun, _, p_verb = pattern.lower().partition(".")
    return fnmatchcase(noun, p_noun) and fnmatchcase(verb, p_verb)


KNOWN_ACTIONS: tuple[str, ...] = (
    *ACTIONS,
    *(f"{noun}.edit" for noun in ("gate", "config", "experiment", "segment")),
)
"""What a rule's ``actions`` can name: every change the bot makes, and the edit forms."""


def _action_pattern(value: object) -> object:
    if not isinstance(value, str):
        return value
    parts = value.split(".")
    ok = value == ANYONE or (len(parts) == 2 and all(_PATTERN_PART.fullmatch(p) for p in parts))
    if not ok:
        raise ValueError(f"invalid action pattern {value!r} (use noun.verb, e.g. gate.* or *)")
    if not any(action_matches(value, action) for action in KNOWN_ACTIONS):
        # A typo would never match and silently leave the change to a looser rule.
        close = suggest(value, KNOWN_ACTIONS, n=2)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"{value!r} matches no action the bot has{hint}")
    return value


def _member(value: object) -> object:
    if isinstance(value, str) and value != ANYONE and not _MEMBER.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a Slack user ID (U…), user-group ID (S…), email, or '*'"
        )
    return value


def _channel(value: object) -> object:
    if isinstance(value, str) and not _CHANNEL.fullmatch(value):
        raise ValueError(f"{value!r} is not a Slack channel ID (C…, G… or D…)")
    return value


Duration = Annotated[int, BeforeValidator(parse_duration)]
ActionPattern = Annotated[str, BeforeValidator(_action_pattern)]
Member = Annotated[str, BeforeValidator(_member)]
ChannelId = Annotated[str, BeforeValidator(_channel)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelsConfig(_Section):
    """``[channels]``: where the bot acts (empty = everywhere) and where incidents go.

    The allow-list covers reads too (a gate's summary, the audit log), so a team that limits
    the bot to its ops channels does not answer in every DM; ``reads_anywhere = true`` lets
    people read (never change) from anywhere, their DMs with the bot included.
    """

    allowed: tuple[ChannelId, ...] = ()
    incident: ChannelId | None = None
    reads_anywhere: bool = False


class DefaultsConfig(_Section):
    """``[defaults]``: what applies to a mutation no rule matches."""

    approvals_required: int = Field(default=1, ge=0)
    allow_self_approval: bool = False
    approvers: str = ANYONE
    ttl: Duration = 24 * 3600


class RuleConfig(_Section):
    """One ``[[rules]]`` entry; unset fields fall back to ``[defaults]``."""

    actions: tuple[ActionPattern, ...] = Field(min_length=1)
    tags: tuple[str, ...] = ()
    requesters: str = ANYONE
    approvers: str | None = None
    approvals_required: int | None = Field(default=None, ge=0)
    allow_self_approval: bool | None = None
    ttl: Duration | None = None


class IncidentConfig(_Section):
    """``[incident]``: who responds to incidents and whether their kills skip approval."""

    responders: str | None = None
    break_glass: bool = True


class IdentityConfig(_Section):
    """``[identity]``: how Statsig accounts gate who may change things."""

    require_statsig_user: bool = True
    editor_roles: tuple[str, ...] = DEFAULT_EDITOR_ROLES


class NotificationsConfig(_Section):
    """``[notifications]``: whether approvers are also told by direct message."""

    dm_approvers: bool = False


class PolicyFile(_Section):
    """The whole policy file. ``PolicyFile()`` is the built-in default policy."""

    channels: ChannelsConfig = ChannelsConfig()
    groups: dict[str, tuple[Member, ...]] = Field(default_factory=dict)
    defaults: DefaultsConfig = DefaultsConfig()
    rules: tuple[RuleConfig, ...] = ()
    incident: IncidentConfig = IncidentConfig()
    identity: IdentityConfig = IdentityConfig()
    notifications: NotificationsConfig = NotificationsConfig()


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _reason(item: Any) -> str:
    if item["type"] == "extra_forbidden":
        return "unknown key"
    if item["type"] == "missing":
        return "required key is missing"
    if item["type"] == "too_short":
        return "must not be empty"
    return str(item["msg"]).removeprefix("Value error, ")


def _innermost(items: list[Any]) -> list[Any]:
    """Drop an error on a container when an item inside it already has one."""
    locs = [tuple(item["loc"]) for item in items]
    return [
        item
        for item, loc in zip(items, locs, strict=True)
        if not any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs)
    ]


def _cross_references(policy: PolicyFile) -> list[tuple[str, str]]:
    """Problems pydantic cannot see: group names used by rules and the incident section."""
    problems: list[tuple[str, str]] = []

    def check(path: str, name: str | None) -> None:
        if name is not None and name != ANYONE and name not in policy.groups:
            problems.append((path, f"unknown group {name!r}"))

    check("defaults.approvers", policy.defaults.approvers)
    for i, rule in enumerate(policy.rules):
        check(f"rules[{i}].requesters", rule.requesters)
        check(f"rules[{i}].approvers", rule.approvers)
    check("incident.responders", policy.incident.responders)
    for i, role in enumerate(policy.identity.editor_roles):
        if role.strip().casefold() == READ_ONLY_ROLE.casefold():
            problems.append((f"identity.editor_roles[{i}]", "'Read Only' can never edit"))
    return problems


def parse_policy(text: str, source: str = "policy.toml") -> PolicyFile:
    """Parse and validate policy TOML; ``source`` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([f"{source}: invalid TOML: {exc}"]) from None
    try:
        policy = PolicyFile.model_validate(data)
    except ValidationError as exc:
        items = _innermost(exc.errors(include_url=False, include_input=False))
        raise PolicyError(
            [f"{source}: {_path(tuple(item['loc']))}: {_reason(item)}" for item in items]
        ) from None
    problems = _cross_references(policy)
    if problems:
        raise PolicyError([f"{source}: {path}: {reason}" for path, reason in problems])
    return policy


def read_policy_file(path: str | Path) -> PolicyFile:
    """Read and validate the policy file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([f"{path}: cannot read: {exc.__class__.__name__}"]) from None
    return parse_policy(text, source=str(path))
