"""Human words for the internal names people would otherwise read in messages.

Statsig field names (``isEnabled``) and enum values
(``decision_made``, ``id_list``) are right for code and search, wrong as the main wording
of a message. Renderers call these helpers; unknown names fall back to a readable form of
the raw name, so a new action never shows up blank.

Usage::

    field_words("passPercentage")     # "pass %"
    status_words("experiment_stopped")  # "stopped"
    override_words("production/pass:u1")  # "u1 passes in production"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "field_words",
    "gate_type_words",
    "override_words",
    "segment_type_words",
    "status_words",
    "suggest",
]

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


def suggest(word: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The closest candidates to ``word`` (case-insensitive), best first, via :mod:`difflib`."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    # Long input cannot be close to a short keyword; capping keeps difflib cheap.
    matches = difflib.get_close_matches(word.lower()[:100], list(by_lower), n=n, cutoff=cutoff)
    return [by_lower[m] for m in matches]
