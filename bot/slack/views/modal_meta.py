"""What a form carries between Slack round trips: ``private_metadata`` and rule options.

Slack hands both back verbatim, and both have hard limits (3000 characters of metadata,
150 per option value), so they are encoded here, compactly, and never cut: a shortened
gate ID or rule reference would silently name something else. Decoding never raises; the
listener treats what it gets back as untrusted input.

Usage::

    meta = ModalMeta(gate="new_nav", channel="C1")
    assert ModalMeta.decode(meta.encode()) == meta
    parse_rule_value(rule_value("6hGz1uKx", 25.0))     # ('6hGz1uKx', 25.0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["MAX_META_ID", "ModalMeta", "parse_rule_value", "rule_value"]

MAX_META_ID = 100
"""The longest ID (gate, channel, request, message ts) a form's metadata carries."""
_MAX_METADATA = 3000
_META_FIELDS = {"g": "gate", "c": "channel", "r": "request_id", "t": "ts"}


@dataclass(frozen=True)
class ModalMeta:
    """What a form carries in ``private_metadata``: gate, channel, request, message ts, and
    whether the form was opened from the App Home tab (so the tab is refreshed afterwards)."""

    gate: str = ""
    channel: str = ""
    request_id: str = ""
    ts: str = ""
    from_home: bool = False

    def encode(self) -> str:
        """Compact JSON that always fits Slack's 3000 characters and always decodes.

        Nothing is ever cut: an ID longer than :data:`MAX_META_ID` raises ``ValueError``
        (a shortened ID would name another gate or request), and four IDs of at most 100
        characters stay far below the limit even when every character needs escaping.
        """
        data: dict[str, object] = {}
        for key, name in _META_FIELDS.items():
            value = getattr(self, name)
            if len(value) > MAX_META_ID:
                raise ValueError(f"{name} is longer than {MAX_META_ID} characters")
            if value:
                data[key] = value
        if self.from_home:
            data["h"] = 1
        encoded = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(encoded) > _MAX_METADATA:  # unreachable with the checks above; never cut
            raise ValueError("form metadata does not fit in 3000 characters")
        return encoded

    @classmethod
    def decode(cls, value: str | None) -> ModalMeta:
        """Never raises: malformed metadata decodes to an empty value the listener rejects."""
        try:
            data = json.loads(value or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        fields = {name: str(data.get(key, "")) for key, name in _META_FIELDS.items()}
        return cls(**fields, from_home=data.get("h") == 1)


_MAX_OPTION_VALUE = 150


def rule_value(ref: str, pass_percentage: float) -> str | None:
    """``"25.0|<base id>"``: the rule's current % and reference in one option value."""
    value = f"{float(pass_percentage)!r}|{ref}"
    return value if ref and len(value) <= _MAX_OPTION_VALUE else None


def parse_rule_value(value: str) -> tuple[str, float] | None:
    """``(ref, pass %)`` from :func:`rule_value`'s text; ``None`` when it is not one."""
    pct_text, sep, ref = value.partition("|")
    if not sep or not ref:
        return None
    try:
        pct = float(pct_text)
    except ValueError:
        return None
    return (ref, pct) if 0.0 <= pct <= 100.0 else None
