"""A kill's restore data carried in the kill message itself, for when Redis is down.

A break-glass kill still runs without Redis (DESIGN §5), but then nothing records the
snapshot a Restore needs. The kill message can: its Restore button's value holds the
snapshot (``isEnabled`` and rules) and the gate's ``version``/``lastModifiedTime`` as the
kill left them, compressed to fit Slack's 2,000 characters and signed with the bot's
key (HMAC), so a click can only restore what this bot itself recorded. A click rebuilds the restore
from the value alone, and it is checked against the gate's current state like any
restore (an edit since the kill refuses it with the difference).

Usage::

    value = RestoreTicket.of(plan.entity_id, plan.snapshot, outcome.after).encode(key)
    ticket = RestoreTicket.decode(value, key)  # ValueError unless this bot signed it
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_TICKET_CHARS", "RestoreTicket"]

MAX_TICKET_CHARS = 1_990
"""A button value may hold 2,000 characters; the prefix and a margin come off that."""
_PREFIX = "t1."
_MAX_RAW = 256 * 1024


@dataclass(frozen=True)
class RestoreTicket:
    gate_id: str
    enabled: bool
    rules: list[dict[str, Any]]
    version: int | None = None
    modified: int | None = None

    @classmethod
    def of(
        cls, gate_id: str, snapshot: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> RestoreTicket:
        before, later = snapshot or {}, after or {}
        return cls(
            gate_id=gate_id,
            enabled=bool(before.get("isEnabled")),
            rules=list(before.get("rules") or []),
            version=later.get("version") if isinstance(later.get("version"), int) else None,
            modified=_int(later.get("lastModifiedTime")),
        )

    def encode(self, key: bytes) -> str | None:
        """The signed button value, or ``None`` when the snapshot is too big for one (or
        the kill's answer named no version: then nothing could check the gate since)."""
        if self.version is None or self.modified is None:
            return None
        raw = json.dumps(
            {"g": self.gate_id, "e": self.enabled, "r": self.rules, "v": self.version,
             "m": self.modified},
            separators=(",", ":"),
        )  # fmt: skip
        packed = base64.urlsafe_b64encode(zlib.compress(raw.encode(), 9)).decode()
        value = f"{_PREFIX}{_sign(key, packed)}.{packed}"
        return value if len(value) <= MAX_TICKET_CHARS else None

    @classmethod
    def decode(cls, value: str, key: bytes) -> RestoreTicket:
        """The ticket in a button value; ``ValueError`` unless this bot signed it."""
        if not key or not value.startswith(_PREFIX) or len(value) > MAX_TICKET_CHARS + 10:
            raise ValueError("not a restore ticket")
        signature, _, packed = value[len(_PREFIX) :].partition(".")
        if not hmac.compare_digest(signature.encode(), _sign(key, packed).encode()):
            raise ValueError("a restore ticket this bot did not sign")
        try:
            inflate = zlib.decompressobj()
            raw = inflate.decompress(base64.urlsafe_b64decode(packed), _MAX_RAW)
            if inflate.unconsumed_tail:
                raise ValueError("restore ticket too large")
            data = json.loads(raw)
        except (binascii.Error, zlib.error, ValueError) as exc:
            raise ValueError("unreadable restore ticket") from exc
        if not isinstance(data, dict) or not isinstance(data.get("g"), str):
            raise ValueError("unreadable restore ticket")
        rules = data.get("r")
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise ValueError("unreadable restore ticket")
        return cls(data["g"], bool(data.get("e")), rules, _int(data.get("v")), _int(data.get("m")))

    @property
    def snapshot(self) -> dict[str, Any]:
        return {"id": self.gate_id, "isEnabled": self.enabled, "rules": self.rules}

    @property
    def after_kill(self) -> dict[str, Any] | None:
        """The gate as the kill left it (disabled, same rules, its version and save time)."""
        if self.version is None or self.modified is None:
            return None
        return {**self.snapshot, "isEnabled": False, "version": self.version,
                "lastModifiedTime": self.modified}  # fmt: skip


def _sign(key: bytes, packed: str) -> str:
    digest = hmac.new(key, packed.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
