"""The door of ``POST /slack/events``: a request is bounded, verified and decoded here,
before Bolt or any listener sees a byte of it.

Everything that reaches this door is unauthenticated until the signature says otherwise,
so the order matters:

1. **Bounded.** A declared ``Content-Length`` above :data:`MAX_BODY_BYTES` is refused
   with 413 before reading; an undeclared body is read up to that cap, and a body that
   trickles in is given :data:`BODY_TIMEOUT_SECONDS` in all (408). Slack's payloads are a
   few kilobytes; nobody needs to hold a connection open or fill our memory.
2. **Verified.** Slack signs ``v0:{timestamp}:{raw body}`` with HMAC-SHA256. The
   timestamp must be a plain decimal within five minutes of now; anything else (``abc``,
   ``1.7e9``, ``0x10``, empty) is a 401 like a wrong signature, never an exception.
3. **Decoded.** Only what Slack sends: ``application/x-www-form-urlencoded`` (commands, and
   interactivity as one ``payload`` field holding a JSON object) and ``application/json``
   (the Events API), in UTF-8, with one JSON *object* at the top. Another type is 415;
   anything else signed but malformed is 400.

The decoded value is handed to Bolt as is (:func:`bolt_request`), so Bolt's own guess at
the body's format (it treats any form body containing the word ``payload`` as
interactivity, which made ``/statsig gate payload_v2`` vanish) never runs on our input.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from starlette.requests import ClientDisconnect, Request

from bot.slack.payloads import EVENTS_API_TYPES

__all__ = [
    "BODY_TIMEOUT_SECONDS",
    "DEFAULT_LIMITS",
    "EdgeLimits",
    "FORM",
    "JSON",
    "MAX_BODY_BYTES",
    "MAX_FORM_FIELDS",
    "SIGNATURE_MAX_AGE_SECONDS",
    "SHAPE_CHECKED",
    "Refused",
    "bolt_request",
    "decode",
    "is_ssl_check",
    "read_body",
    "verify_signature",
]

SHAPE_CHECKED = "statsig_bot_shape_checked"
"""Context key: the edge already checked the payload's shape (the middleware need not)."""
MAX_BODY_BYTES = 1_000_000
"""Far above any payload Slack sends (a full modal's state is tens of kilobytes)."""
BODY_TIMEOUT_SECONDS = 5.0
"""Slack gives up after 3 s; a body still arriving after 5 s is not from Slack."""
SIGNATURE_MAX_AGE_SECONDS = 300
MAX_FORM_FIELDS = 50
"""A slash command has 13 fields and interactivity one; more is not Slack's."""
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class EdgeLimits:
    """How much and how slowly a request may arrive (tests shrink the timeout)."""

    max_body_bytes: int = MAX_BODY_BYTES
    body_timeout: float = BODY_TIMEOUT_SECONDS


DEFAULT_LIMITS = EdgeLimits()


class Refused(Exception):
    """The request stops at the door: ``status`` for the HTTP answer, ``reason`` for the log
    (a short fixed phrase; never the body, never a header value)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: Request, limits: EdgeLimits = DEFAULT_LIMITS) -> bytes:
    """The raw body, at most ``limits.max_body_bytes``, read within ``limits.body_timeout``."""
    limit = limits.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise Refused(400, "unreadable Content-Length")
        if int(declared) > limit:
            raise Refused(413, "declared body over the cap")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limits.body_timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Refused(413, "body over the cap")
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(408, "body too slow") from None
    except ClientDisconnect:
        raise Refused(400, "client went away mid-body") from None
    return b"".join(chunks)


def verify_signature(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    now: Callable[[], float] = time.time,
) -> None:
    """Raise :class:`Refused` (401) unless Slack signed exactly these bytes, recently."""
    if not secret:
        raise Refused(401, "no signing secret configured")
    stamp = headers.get("x-slack-request-timestamp", "")
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > _MAX_TIMESTAMP_DIGITS:
        raise Refused(401, "malformed timestamp")
    if abs(now() - int(stamp)) > SIGNATURE_MAX_AGE_SECONDS:
        raise Refused(401, "stale timestamp")
    signature = headers.get("x-slack-signature", "")
    if not signature.isascii():
        raise Refused(401, "malformed signature")
    base = b"v0:" + stamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise Refused(401, "bad signature")


def is_ssl_check(body: bytes, content_type: str | None) -> bool:
    """Slack's certificate probe of a slash command URL (``ssl_check=1``, unsigned): it
    only wants a 200, and it carries nothing that could act."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != FORM or len(body) > 200:
        return False
    try:
        fields = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return False
    return fields.get("ssl_check") == "1" and set(fields) <= {"ssl_check", "token"}


def decode(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The payload as Slack meant it; :class:`Refused` (415/400) for anything else."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in (FORM, JSON):
        raise Refused(415, "content type Slack does not send")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if media == JSON:
        event = _json_object(text)
        if _kind(event) not in EVENTS_API_TYPES:
            raise Refused(400, "JSON that is not an Events API payload")
        return event
    try:
        fields = parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:
        raise Refused(400, "unreadable form body") from None
    names = [name for name, _ in fields]
    if len(set(names)) != len(names):
        raise Refused(400, "a form field given twice")
    form = dict(fields)
    if "payload" in form:
        if len(form) != 1:
            raise Refused(400, "interactivity with extra fields")
        interaction = _json_object(form["payload"])
        if _kind(interaction) in EVENTS_API_TYPES:
            raise Refused(400, "an Events API payload sent as a form")
        return interaction
    if "command" not in form:
        raise Refused(400, "form body that is neither a command nor interactivity")
    return dict(form)


def _kind(payload: dict[str, Any]) -> str:
    kind = payload.get("type")
    return kind if isinstance(kind, str) else ""


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise Refused(400, "body is not JSON") from None
    except RecursionError:
        raise Refused(400, "JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise Refused(400, "JSON that is not an object")
    return value


def bolt_request(raw: bytes, payload: dict[str, Any], request: Request) -> AsyncBoltRequest:
    """A Bolt request carrying the payload we decoded (and the raw body, which Bolt's own
    signature check verifies again)."""
    bolt = AsyncBoltRequest(body="", headers=dict(request.headers))
    bolt.raw_body = raw.decode("utf-8")
    bolt.body = payload
    bolt.context = build_async_context(AsyncBoltContext({}), payload)
    bolt.context[SHAPE_CHECKED] = True
    return bolt
