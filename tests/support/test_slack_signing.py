"""Our signing helpers agree with slack_sdk's SignatureVerifier and Bolt's body parsing."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import Clock, SignatureVerifier

from tests.support.slack_signing import (
    FORM,
    JSON,
    event_body,
    interactivity_body,
    sign,
    signed_headers,
    slash_command_body,
    url_verification_body,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_700_000_000


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def verifier(secret: str = SECRET, now: float = NOW) -> SignatureVerifier:
    return SignatureVerifier(secret, clock=FixedClock(now))


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


BODIES = {
    "command": slash_command_body("gate list", "U1", "C1", "http://127.0.0.1/r", "1.2.abc"),
    "interactivity": interactivity_body({"type": "block_actions", "actions": []}),
    "event": event_body({"type": "app_home_opened", "user": "U1", "tab": "home"}, "Ev1"),
    "url_verification": url_verification_body("challenge-xyz"),
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_signature_verifies(kind: str) -> None:
    body = BODIES[kind]
    assert verifier().is_valid_request(body, lower(sign(body, SECRET, NOW)))


def test_signature_matches_sdk_generation() -> None:
    body = BODIES["command"]
    expected = verifier().generate_signature(timestamp=str(NOW), body=body)
    assert sign(body, SECRET, NOW)["X-Slack-Signature"] == expected
    assert sign(body, SECRET, NOW)["X-Slack-Request-Timestamp"] == str(NOW)


def test_wrong_secret_fails() -> None:
    body = BODIES["event"]
    assert not verifier(secret="another-secret").is_valid_request(
        body, lower(sign(body, SECRET, NOW))
    )


def test_stale_timestamp_fails() -> None:
    body = BODIES["event"]
    assert verifier(now=NOW + 300).is_valid_request(body, lower(sign(body, SECRET, NOW)))
    assert not verifier(now=NOW + 301).is_valid_request(body, lower(sign(body, SECRET, NOW)))


def test_tampered_body_fails() -> None:
    headers = lower(sign(BODIES["command"], SECRET, NOW))
    assert not verifier().is_valid_request(BODIES["command"] + b"&x=1", headers)


def test_slash_command_body_has_slacks_fields() -> None:
    body = slash_command_body(
        "gate enable checkout_v2 INC-1",
        user_id="U1",
        channel_id="C1",
        response_url="http://127.0.0.1:9/commands/T1/1/x",
        trigger_id="1.2.abc",
    )
    fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert fields["command"] == "/statsig"
    assert fields["team_id"] == "T1"
    assert fields["text"] == "gate enable checkout_v2 INC-1"
    assert fields["response_url"] == "http://127.0.0.1:9/commands/T1/1/x"
    assert parse_body(body.decode(), FORM) == fields  # what Bolt hands to a command listener


def test_interactivity_body_round_trips_through_bolt() -> None:
    payload = {
        "type": "block_actions",
        "actions": [{"action_id": "approval_approve", "value": "r&1"}],
    }
    assert parse_body(interactivity_body(payload).decode(), FORM) == payload


def test_event_body_is_an_event_callback() -> None:
    event = {"type": "app_home_opened", "user": "U1", "tab": "home"}
    envelope = json.loads(event_body(event, "Ev123"))
    assert (envelope["type"], envelope["event_id"], envelope["event"]) == (
        "event_callback",
        "Ev123",
        event,
    )
    assert envelope["team_id"] == "T1"


def test_url_verification_body() -> None:
    body = json.loads(url_verification_body("abc"))
    assert (body["type"], body["challenge"]) == ("url_verification", "abc")


def test_signed_headers_pick_the_content_type() -> None:
    assert signed_headers(BODIES["event"], SECRET, NOW)["Content-Type"] == JSON
    assert signed_headers(BODIES["command"], SECRET, NOW)["Content-Type"] == FORM
