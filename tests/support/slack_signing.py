"""Requests as Slack sends them to ``/slack/events``, signed with the app's signing secret.

Slack signs ``v0:{timestamp}:{raw body}`` with HMAC-SHA256 and sends ``v0=<hex>`` in
``X-Slack-Signature`` next to ``X-Slack-Request-Timestamp``. Bolt refuses anything unsigned,
mis-signed or older than 5 minutes, so end-to-end tests build their bodies here.

Example::

    body = slash_command_body("gate list", user_id="U1", channel_id="C1",
                              response_url=slack.new_response_url(),
                              trigger_id=slack.new_trigger_id())
    headers = signed_headers(body, SECRET, int(time.time()))  # content type + signature
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "FORM",
    "JSON",
    "event_body",
    "interactivity_body",
    "sign",
    "signed_headers",
    "slash_command_body",
    "url_verification_body",
]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The two headers Slack adds to every request it sends to the app."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """``sign()`` plus the content type matching the body (JSON for events, else form)."""
    content_type = JSON if body.lstrip().startswith(b"{") else FORM
    return {"Content-Type": content_type, **sign(body, secret, timestamp)}


def slash_command_body(
    text: str,
    user_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str,
    team_id: str = "T1",
    command: str = "/statsig",
    *,
    user_name: str = "tester",
    channel_name: str = "ops",
    api_app_id: str = "A0APP",
) -> bytes:
    """A slash command invocation: form-encoded fields, as Slack posts them."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": "fake-workspace",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return urlencode(fields).encode()


def interactivity_body(payload: dict[str, Any]) -> bytes:
    """Block actions, view submissions, shortcuts: one form field ``payload`` holding JSON."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()


def event_body(
    event: dict[str, Any],
    event_id: str,
    *,
    team_id: str = "T1",
    api_app_id: str = "A0APP",
    event_time: int = 1_700_000_000,
) -> bytes:
    """An Events API ``event_callback`` envelope, JSON-encoded."""
    envelope = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {"team_id": team_id, "user_id": "U0BOT", "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }
    return json.dumps(envelope).encode()


def url_verification_body(challenge: str) -> bytes:
    """The handshake Slack sends when the Events request URL is saved."""
    body = {"token": "deprecated-verification-token", "challenge": challenge}
    return json.dumps({**body, "type": "url_verification"}).encode()
