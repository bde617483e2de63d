"""Human words for the internal names people would otherwise read in messages.

Action keys (``incident.kill``), Statsig field names (``isEnabled``) and enum values
(``decision_made``, ``id_list``) are right for code and search, wrong as the main wording
of a message. Renderers call these helpers; unknown names fall back to a readable form of
the raw name, so a new action never shows up blank.

Usage::

    action_words("incident.kill")     # "kill gate"
    field_words("passPercentage")     # "pass %"
    status_words("experiment_stopped")  # "stopped"
    override_words("production/pass:u1")  # "u1 passes in production"
"""

from __future__ import annotations

__all__ = [
    "action_words",
    "field_words",
    "gate_type_words",
    "override_words",
    "segment_type_words",
    "status_words",
]

_ACTIONS = {
    "gate.enable": "enable gate",
    "gate.disable": "disable gate",
    "gate.rollout": "roll out gate",
    "gate.override": "override gate",
    "gate.launch": "launch gate",
    "gate.archive": "archive gate",
    "config.enable": "enable config",
    "config.disable": "disable config",
    "experiment.start": "start experiment",
    "experiment.abandon": "abandon experiment",
    "experiment.decide": "decide experiment",
    "segment.add-ids": "add IDs to segment",
    "segment.remove-ids": "remove IDs from segment",
    "incident.kill": "kill gate",
    "incident.restore": "restore gate",
}

_FIELDS = {
    "isEnabled": "enabled",
    "passPercentage": "pass %",
    "defaultValue": "default value",
    "allocation": "allocation",
    "status": "status",
    "description": "description",
    "targetApps": "target apps",
}

_STATUSES = {
    "decision_made": "decision made",
    "experiment_stopped": "stopped",
    "setup": "setup",
    "abandoned": "abandoned",
    "archived": "archived",
}

_SEGMENT_TYPES = {"id_list": "ID list", "rule_based": "rule-based"}


def _readable(raw: str) -> str:
    return raw.replace("_", " ").replace(".", " ").replace("-", " ")


def action_words(action: str) -> str:
    """``gate.rollout`` → ``roll out gate``; unknown keys become their words."""
    return _ACTIONS.get(action) or _readable(action)


def field_words(field: str) -> str:
    """A Statsig field name in words (``isEnabled`` → ``enabled``); others unchanged."""
    return _FIELDS.get(field, field)


def status_words(status: str) -> str:
    """An experiment status in words (``experiment_stopped`` → ``stopped``)."""
    return _STATUSES.get(status) or _readable(status)


def segment_type_words(kind: str) -> str:
    """A segment type in words (``id_list`` → ``ID list``)."""
    return _SEGMENT_TYPES.get(kind) or _readable(kind)


def gate_type_words(kind: str) -> str:
    """A gate type in words (``PERMANENT`` → ``permanent``)."""
    return _readable(kind).lower()


def override_words(entry: str) -> str:
    """An override entry (``production/pass:u1``, ``fail:u2``) as a sentence fragment.

    ``all/…`` is an environment entry without a name: it applies everywhere.
    """
    scope, _, rest = entry.rpartition("/")
    mode, sep, unit = rest.partition(":")
    if not sep or mode not in ("pass", "fail"):
        return entry
    verb = "passes" if mode == "pass" else "fails"
    if not scope:
        return f"{unit} {verb}"
    where = "all environments" if scope == "all" else scope
    return f"{unit} {verb} in {where}"
