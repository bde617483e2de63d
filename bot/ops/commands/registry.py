"""The command registry: one table that drives parsing, help, policy metadata and completion.

Every command the bot understands has exactly one :class:`CommandSpec` here, next to its
usage line, help and examples, and its safety metadata: ``kind`` (read, change or
incident) and the policy ``action`` string (``"gate.disable"``, the key of the action in
:mod:`bot.ops.actions.registry`). The parser looks nouns and verbs up here, help and the
shell's completion are derived from it (:mod:`bot.ops.commands.help`), and the policy reads
``kind`` and ``action`` from the parsed command. A test checks that every entry parses its
own examples and that every change entry names a registered action.

Usage lines and examples are written without the ``/statsig`` prefix; renderers add
:data:`COMMAND_PREFIX` (the shell shows them bare).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "COMMAND_PREFIX",
    "REGISTRY",
    "NOUNS",
    "OVERRIDE_FREEZE",
    "SWITCHES",
    "CommandKind",
    "CommandSpec",
    "FlagSpec",
    "NounSpec",
    "noun_for",
    "spec_by_key",
    "spec_for",
    "specs_for_noun",
]

COMMAND_PREFIX = "/statsig"


class CommandKind(StrEnum):
    READ = "read"  # shows something; never changes Statsig
    CHANGE = "change"  # changes Statsig; by default it needs an approval
    INCIDENT = "incident"  # the break-glass path of DESIGN.md §5 (kill, restore)
    DECISION = "decision"  # approve, reject or cancel a request; the workflow judges it
    CONTROL = "control"  # switches the bot itself (a change freeze): responders and admins


@dataclass(frozen=True, slots=True)
class FlagSpec:
    """A ``--name value`` option, or a ``--name`` switch (``takes_value`` false)."""

    name: str
    metavar: str
    help: str
    repeatable: bool = False
    takes_value: bool = True


@dataclass(frozen=True, slots=True)
class NounSpec:
    """A first word. ``default_verb`` is used for ``gate <name>`` (meaning ``gate show``)."""

    name: str
    summary: str
    aliases: tuple[str, ...] = ()
    default_verb: str | None = None

    @property
    def has_verbs(self) -> bool:
        return self.default_verb is not None


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command shape. ``key`` is its words (``"gate disable"``), unique in the registry.

    ``action`` is the policy key. For ``edit`` it is the pattern ``"*.edit"``; the parsed
    command carries the concrete action (``"gate.edit"``).
    """

    noun: str
    verb: str | None
    usage: str
    summary: str
    examples: tuple[str, ...]
    kind: CommandKind
    action: str
    aliases: tuple[str, ...] = ()
    flags: tuple[FlagSpec, ...] = ()

    @property
    def key(self) -> str:
        return self.noun if self.verb is None else f"{self.noun} {self.verb}"

    def flag(self, name: str) -> FlagSpec | None:
        return next((f for f in self.flags if f.name == name), None)


_TAG = FlagSpec("tag", "T", "only entities with this Statsig tag (repeat for several)", True)
_PAGE = FlagSpec("page", "N", "page number of a long list")
_RULE = FlagSpec("rule", "R", "the rule's ID or name (default: the only or last rule)")
_ENV = FlagSpec("env", "E", "only in this environment")
_SINCE = FlagSpec("since", "D", "how far back: 30m, 2h, 7d")
_FOR = FlagSpec("for", "D", "how long: 30m, 2h, 1d (then it ends by itself)")
_KILL_FOR = FlagSpec("for", "D", "how long it stays off: 30m, 2h (a reminder comes before)")
_AUTO_RESTORE = FlagSpec(
    "auto-restore", "", "with --for: restore the gate when the time is up", takes_value=False
)
_ANYWAY = FlagSpec(
    "anyway",
    "",
    "restore the snapshot even over edits made since (needs a reason)",
    takes_value=False,
)
OVERRIDE_FREEZE = FlagSpec(
    "override-freeze", "WHY", "admins only: run this change during a freeze (announced)"
)
"""Accepted by every change command (see :data:`REGISTRY`)."""


def _status(values: str) -> FlagSpec:
    return FlagSpec("status", "S", f"only this status: {values}")


_R, _C, _I = CommandKind.READ, CommandKind.CHANGE, CommandKind.INCIDENT
_D, _X = CommandKind.DECISION, CommandKind.CONTROL

NOUNS: tuple[NounSpec, ...] = (
    NounSpec("gate", "feature gates", ("flag", "flags", "gates"), "show"),
    NounSpec("config", "dynamic configs", ("dc", "configs"), "show"),
    NounSpec("experiment", "experiments", ("exp", "experiments"), "show"),
    NounSpec("segment", "segments", ("seg", "segments"), "show"),
    NounSpec("kill", "incident: disable a gate at once"),
    NounSpec("restore", "put a gate back as it was before a kill or a disable"),
    NounSpec("approvals", "open approval requests", ("approval",)),
    NounSpec("approve", "approve an open request, as its Approve button does"),
    NounSpec("reject", "reject an open request, with a reason"),
    NounSpec("cancel", "withdraw your own open request"),
    NounSpec("freeze", "incident: stop every change but kill and restore"),
    NounSpec("recent", "incident: what changed recently, grouped by entity"),
    NounSpec("audit", "who changed what, from chat and from Statsig"),
    NounSpec("edit", "open a form for richer edits"),
    NounSpec("help", "usage and examples", ("?",)),
)

_IDS = (
    "IDs are comma- or space-separated (`a,b,c` or `a b c`); after space-separated IDs, "
    "quote the reason or put it after `--`."
)

_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help", None, "help [topic]", "Show commands, usage and examples.",
                ("help", "help gate", "help gate rollout"), _R, "help.show"),
    # Gates
    CommandSpec("gate", "show", "gate show <name>",
                "Summary of a gate: status, rules and pass %, environments, overrides, owner.",
                ("gate checkout_v2", "gate show checkout_v2"), _R, "gate.show", ("get", "info")),
    CommandSpec("gate", "list", "gate list [text] [--tag T] [--status S] [--page N]",
                "List gates, optionally filtered by text, tag or status.",
                ("gate list", "gate list checkout --tag critical", "gates ls --status launched"),
                _R, "gate.list", ("ls",),
                (_TAG, _status("in-progress, launched, disabled, archived"), _PAGE)),
    CommandSpec("gate", "search", "gate search <text> [--page N]",
                "Find gates whose name or description contains the text.",
                ("gate search checkout",), _R, "gate.search", ("find",), (_PAGE,)),
    CommandSpec("gate", "history", "gate history <name>",
                "Recent versions and audit entries of a gate.",
                ("gate history checkout_v2",), _R, "gate.history", ("log",)),
    CommandSpec("gate", "enable", "gate enable <name> [reason]", "Turn a gate on.",
                ("gate enable checkout_v2 fix deployed", "flag on checkout_v2"),
                _C, "gate.enable", ("on",)),
    CommandSpec("gate", "disable", "gate disable <name> [reason]",
                "Turn a gate off: everyone fails it.",
                ('gate disable checkout_v2 "errors spiking"', "flag off checkout_v2"),
                _C, "gate.disable", ("off",)),
    CommandSpec("gate", "rollout", "gate rollout <name> <pct> [--rule R] [reason]",
                "Set a rule's pass percentage (0 to 100, e.g. 25, 25% or 12.5).",
                ("gate rollout new_nav 25", "gate rollout new_nav 12.5% --rule Staging ramp"),
                _C, "gate.rollout", ("ramp",), (_RULE,)),
    CommandSpec("gate", "override",
                "gate override <name> pass|fail|remove <ids> [--env E] [reason]",
                "Force IDs to pass or fail a gate, or remove their overrides. " + _IDS,
                ("gate override new_nav pass user_1,user_2 QA team",
                 "gate override new_nav fail u_42 u_43 --env staging -- broken on staging",
                 "gate override checkout_v2 remove qa_user_1"),
                _C, "gate.override", (), (_ENV,)),
    CommandSpec("gate", "launch", "gate launch <name> [reason]",
                "Launch a gate: it passes for everyone and its rules are retired.",
                ("gate launch new_nav shipped",), _C, "gate.launch"),
    CommandSpec("gate", "archive", "gate archive <name> [reason]",
                "Archive a gate that is no longer checked.",
                ("gate archive legacy_banner cleanup",), _C, "gate.archive"),
    CommandSpec("gate", "unarchive", "gate unarchive <name> [reason]",
                "Bring an archived gate back: its rules apply again.",
                ("gate unarchive holiday_sale sale is back",), _C, "gate.unarchive"),
    # Dynamic configs
    CommandSpec("config", "show", "config show <name>",
                "Summary of a dynamic config: status, rules, return values.",
                ("config pricing_tiers", "dc show pricing_tiers"), _R, "config.show",
                ("get", "info")),
    CommandSpec("config", "list", "config list [text] [--tag T] [--status S] [--page N]",
                "List dynamic configs.", ("config list", "configs ls --status enabled"),
                _R, "config.list", ("ls",), (_TAG, _status("enabled, disabled, archived"), _PAGE)),
    CommandSpec("config", "history", "config history <name>",
                "Recent versions of a dynamic config.", ("config history pricing_tiers",),
                _R, "config.history", ("log",)),
    CommandSpec("config", "enable", "config enable <name> [reason]", "Turn a dynamic config on.",
                ("config enable rate_limits",), _C, "config.enable", ("on",)),
    CommandSpec("config", "disable", "config disable <name> [reason]",
                "Turn a dynamic config off: everyone gets the default value.",
                ("dc off pricing_tiers bad values",), _C, "config.disable", ("off",)),
    # Experiments
    CommandSpec("experiment", "show", "experiment show <name>",
                "Status, groups, allocation, dates and decision of an experiment.",
                ("experiment pricing_test", "exp show pricing_test"), _R, "experiment.show",
                ("get", "info")),
    CommandSpec("experiment", "list", "experiment list [text] [--tag T] [--status S] [--page N]",
                "List experiments.", ("experiment list --status active",), _R, "experiment.list",
                ("ls",),
                (_TAG, _status("active, setup, decision_made, abandoned, archived, "
                               "experiment_stopped, assignment_stopped"), _PAGE)),
    CommandSpec("experiment", "start", "experiment start <name> [reason]",
                "Start an experiment that is in setup.", ("exp start onboarding_tour",),
                _C, "experiment.start"),
    CommandSpec("experiment", "abandon", "experiment abandon <name> [reason]",
                "Stop an experiment without shipping a group.",
                ("experiment abandon pricing_test broken metric",), _C, "experiment.abandon"),
    CommandSpec("experiment", "decide", "experiment decide <name> <group> [reason]",
                "Ship one group of an experiment to everyone.",
                ("experiment decide pricing_test Higher clear winner",),
                _C, "experiment.decide", ("ship",)),
    # Segments
    CommandSpec("segment", "show", "segment show <name>", "Summary of a segment.",
                ("segment beta_users", "seg show beta_users"), _R, "segment.show",
                ("get", "info")),
    CommandSpec("segment", "list", "segment list [text] [--tag T] [--page N]", "List segments.",
                ("segment list", "seg ls beta"), _R, "segment.list", ("ls",), (_TAG, _PAGE)),
    CommandSpec("segment", "add-ids", "segment add-ids <name> <ids> [reason]",
                "Add IDs to an ID-list segment. " + _IDS,
                ("segment add-ids beta_users user_1,user_2 new testers",
                 "segment add-ids beta_users u1 u2 u3 -- new testers"),
                _C, "segment.add-ids", ("add",)),
    CommandSpec("segment", "remove-ids", "segment remove-ids <name> <ids> [reason]",
                "Remove IDs from an ID-list segment. " + _IDS,
                ("seg remove-ids beta_users u_1003",), _C, "segment.remove-ids", ("remove",)),
    # Shortcuts
    CommandSpec("kill", None, "kill <gate> [--for D [--auto-restore]] [reason]",
                "Incident: disable a gate now (responders) or ask any responder to approve. "
                "With --for, the kill's thread gets a reminder 5 minutes before the time is "
                "up and at the end (Restore now, Keep disabled, Keep disabled for good); "
                "--auto-restore restores it then.",
                ("kill checkout_v2 INC-231 errors spiking",
                 "kill checkout_v2 --for 30m --auto-restore INC-231 bad deploy"),
                _I, "incident.kill", (), (_KILL_FOR, _AUTO_RESTORE)),
    CommandSpec("restore", None, "restore <request-id|gate> [--anyway] [reason]",
                "Put a gate back as it was before a kill or a gate disable (the changes that "
                "keep a snapshot); undo other changes with their opposite command. A gate "
                "edited since is refused with what changed; --anyway (with a reason) "
                "restores the snapshot over those edits.",
                ("restore checkout_v2 incident over",
                 "restore checkout_v2 --anyway the hotfix is reverted too"),
                _I, "incident.restore", (), (_ANYWAY,)),
    CommandSpec("approvals", None, "approvals [mine|pending]",
                "Open approval requests: all, the ones you asked for (mine), "
                "or the ones waiting for you (pending).",
                ("approvals", "approvals mine"), _R, "approvals.list"),
    CommandSpec("approve", None, "approve <request-id>",
                "Approve an open request, judged like a click on its Approve button.",
                ("approve req_01HZX3ABCD",), _D, "approvals.approve"),
    CommandSpec("reject", None, "reject <request-id> <reason>",
                "Reject an open request; the reason is shown to the requester.",
                ('reject req_01HZX3ABCD "not during the sale"',), _D, "approvals.reject"),
    CommandSpec("cancel", None, "cancel <request-id>",
                "Withdraw your own open request (it frees the gate for another change).",
                ("cancel req_01HZX3ABCD",), _D, "approvals.cancel"),
    CommandSpec("freeze", None, "freeze [on <reason> [--for D] | off [reason]]",
                "Incident: freeze every change but kill and restore (responders and admins); "
                "`freeze` alone says whether changes are frozen.",
                ("freeze", "freeze on INC-231 checkout errors --for 2h",
                 "freeze off incident resolved"), _X, "freeze.set", (), (_FOR,)),
    CommandSpec("recent", None, "recent [D] [--tag T]",
                "Incident: what changed in the last 2 hours (or D) across gates, configs, "
                "experiments and segments, from chat and from Statsig, newest first, with "
                "Disable and Restore buttons.",
                ("recent", "recent 30m", "recent 6h --tag checkout"), _R, "recent.list", (),
                (_TAG,)),
    CommandSpec("audit", None, "audit [name] [--since D]",
                "Who changed what, from chat and from Statsig's audit log.",
                ("audit", "audit checkout_v2 --since 2h"), _R, "audit.list", (), (_SINCE,)),
    CommandSpec("edit", None, "edit <gate|config|experiment|segment> <name>",
                "Open a form for richer edits (rules, overrides).",
                ("edit gate checkout_v2",), _C, "*.edit"),
)  # fmt: skip


def _overridable(spec: CommandSpec) -> CommandSpec:
    """Every change command takes ``--override-freeze`` (edit opens a form instead)."""
    if spec.kind is not CommandKind.CHANGE or spec.action == "*.edit":
        return spec
    return dataclasses.replace(spec, flags=(*spec.flags, OVERRIDE_FREEZE))


REGISTRY: tuple[CommandSpec, ...] = tuple(_overridable(spec) for spec in _COMMANDS)

_BY_KEY = {spec.key: spec for spec in REGISTRY}


SWITCHES: frozenset[str] = frozenset(
    f.name for spec in REGISTRY for f in spec.flags if not f.takes_value
)
"""Flags that never take a value, wherever they appear (``--auto-restore``)."""


def noun_for(word: str) -> NounSpec | None:
    """The noun a word names (case-insensitive, aliases included)."""
    word = word.lower()
    return next((n for n in NOUNS if word == n.name or word in n.aliases), None)


def specs_for_noun(noun: str) -> list[CommandSpec]:
    return [spec for spec in REGISTRY if spec.noun == noun]


def spec_for(noun: str, verb: str | None) -> CommandSpec | None:
    """The command for a canonical noun and a (possibly aliased, any case) verb."""
    if verb is None:
        return _BY_KEY.get(noun)
    verb = verb.lower()
    return next(
        (s for s in specs_for_noun(noun) if s.verb is not None and verb in (s.verb, *s.aliases)),
        None,
    )


def spec_by_key(key: str) -> CommandSpec:
    """The spec for ``"gate disable"``; raises ``KeyError`` for a key not in the registry."""
    return _BY_KEY[key]
