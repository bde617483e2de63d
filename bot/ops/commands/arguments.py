"""Converters for the values inside commands: names, percentages, durations, ID lists …

Each converter returns the typed value or raises :class:`ArgumentProblem` with the
user-facing sentence. The exception never leaves :func:`bot.ops.commands.parse`, which turns
it into a :class:`~bot.ops.commands.models.UsageError` carrying the command's usage line.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from bot.ops.commands.text import contains_mention, plain_value, shown
from bot.ops.model.words import suggest
from bot.statsig.models import DynamicConfigStatus, ExperimentStatus, GateStatus

__all__ = [
    "MAX_IDS",
    "MISSING_IDS",
    "NAME_PATTERN",
    "REASON_FLAG",
    "STATUSES",
    "ArgumentProblem",
    "duration",
    "entity_name",
    "id_list",
    "label_value",
    "page_number",
    "percentage",
    "status_value",
]

#: Statsig's ID pattern for gates, configs, experiments and segments.
NAME_PATTERN = re.compile(r"[a-zA-Z0-9_\-.]{1,100}")
MAX_IDS = 1000
MISSING_IDS = "missing IDs (write u1,u2 or u1 u2)"
REASON_FLAG = "reason"
"""``--reason`` works like ``--``: everything after it is the reason."""
_MAX_ID_CHARS = 256
_MAX_LABEL_CHARS = 100
_MAX_NUMBER_CHARS = 20
_PERCENT = re.compile(r"([0-9]+)(?:\.([0-9]+))?%?")
_DURATION = re.compile(r"([0-9]+)([mhdw])", re.IGNORECASE)
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
         "w": timedelta(weeks=1)}  # fmt: skip
_MAX_SINCE = timedelta(days=365)
_MAX_PAGE = 10_000
#: The statuses ``--status`` accepts per noun, in Statsig's spelling.
STATUSES: dict[str, tuple[str, ...]] = {
    "gate": tuple(s.value for s in GateStatus),
    "config": tuple(s.value for s in DynamicConfigStatus),
    "experiment": tuple(s.value for s in ExperimentStatus),
}


class ArgumentProblem(Exception):
    """A value the user typed that does not fit; ``problem`` is the sentence to show."""

    def __init__(self, problem: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(problem)
        self.problem = problem
        self.suggestions = suggestions


def _no_mention(raw: str, what: str) -> None:
    if contains_mention(raw):
        raise ArgumentProblem(f"`{shown(plain_value(raw))}` is a Slack mention, not {what}")


def entity_name(raw: str, label: str) -> str:
    """A Statsig ID such as ``checkout_v2``; ``label`` is e.g. ``"gate name"``."""
    _no_mention(raw, f"a {label}")
    value = plain_value(raw).strip()
    if not value:
        raise ArgumentProblem(f"missing {label}")
    if not NAME_PATTERN.fullmatch(value):
        raise ArgumentProblem(
            f"`{shown(value)}` is not a valid {label} "
            "(letters, digits, `_`, `-` and `.`; at most 100 characters)"
        )
    return value


def label_value(raw: str, label: str) -> str:
    """Free text naming something (a rule, an environment, a group, a tag)."""
    value = " ".join(plain_value(raw).split())
    if not value:
        raise ArgumentProblem(f"missing {label}")
    if len(value) > _MAX_LABEL_CHARS:
        raise ArgumentProblem(f"the {label} is too long (at most {_MAX_LABEL_CHARS} characters)")
    return value


def percentage(raw: str) -> float:
    """``25``, ``25%`` or ``12.5``: 0 to 100 with at most two decimals."""
    value = plain_value(raw).strip()
    match = _PERCENT.fullmatch(value) if len(value) <= _MAX_NUMBER_CHARS else None
    if match is None:
        if value.startswith("-") and _PERCENT.fullmatch(value[1:]):  # "-5": a number, too low
            raise ArgumentProblem(f"percentage `{shown(value)}` is out of range (0–100)")
        raise ArgumentProblem(f"`{shown(value)}` is not a percentage (write 25, 25% or 12.5)")
    if match.group(2) is not None and len(match.group(2)) > 2:
        raise ArgumentProblem(
            f"`{shown(value)}` has too many decimals: a percentage takes at most 2 decimals "
            "(e.g. 12.55)"
        )
    number = Decimal(value.rstrip("%"))
    if number > 100:
        raise ArgumentProblem(f"percentage `{shown(value)}` is out of range (0–100)")
    return float(number)


def duration(raw: str) -> timedelta:
    """``30m``, ``2h``, ``7d`` or ``1w``, up to a year."""
    value = plain_value(raw).strip()
    match = _DURATION.fullmatch(value)
    if match is None:
        raise ArgumentProblem(f"`{shown(value)}` is not a duration (write 30m, 2h or 7d)")
    digits = match.group(1).lstrip("0") or "0"
    unit = _UNIT[match.group(2).lower()]
    # Compare digit counts first: a 5,000-digit number need not become a timedelta.
    too_big = len(digits) > len(str(_MAX_SINCE // unit)) or int(digits) * unit > _MAX_SINCE
    if too_big or int(digits) == 0:
        raise ArgumentProblem(f"duration `{shown(value)}` is out of range (1m to 365d)")
    return int(digits) * unit


def page_number(raw: str) -> int:
    value = plain_value(raw).strip()
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= _MAX_PAGE:
        raise ArgumentProblem(f"`{shown(value)}` is not a page number (1 to {_MAX_PAGE})")
    return int(value)


def status_value(noun: str, raw: str) -> str:
    """A status in Statsig's spelling; ``in-progress`` and ``In_Progress`` both work."""
    allowed = STATUSES.get(noun, ())
    typed = plain_value(raw).strip()
    key = _status_key(typed)
    for status in allowed:
        if _status_key(status) == key:
            return status
    names = [_status_key(s).replace(" ", "-") for s in allowed]
    raise ArgumentProblem(
        f"unknown {noun} status `{shown(typed)}` (one of {', '.join(names)})",
        tuple(suggest(key.replace(" ", "-"), names)),
    )


def _status_key(value: str) -> str:
    return " ".join(value.lower().replace("-", " ").replace("_", " ").split())


def id_list(raws: list[str]) -> tuple[str, ...]:
    """IDs from tokens such as ``["a,b", "c"]``: split on commas, deduplicated, in order.

    Auto-linked e-mail addresses and URLs are unwrapped; Slack mentions are refused, since a
    Slack user ID is not the ID Statsig evaluates.
    """
    ids: dict[str, None] = {}
    for raw in raws:
        _no_mention(raw, "a Statsig ID (write the user's ID or e-mail)")
        for piece in plain_value(raw).split(","):
            item = piece.strip()
            if not item:
                continue
            if len(item) > _MAX_ID_CHARS:
                raise ArgumentProblem(f"ID `{shown(item)}` is too long (at most 256 characters)")
            ids[item] = None
    if not ids:
        raise ArgumentProblem(MISSING_IDS)
    if len(ids) > MAX_IDS:
        raise ArgumentProblem(f"too many IDs ({len(ids)}; at most {MAX_IDS} per command)")
    return tuple(ids)
