"""JSON logs with configured secrets masked, for our loggers and the libraries' alike."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from bot.logging import REDACTED, SecretRedactor, configure_logging

SECRET = "xoxb-1111-very-secret-bot-token"
KEY = "console-very-secret-api-key"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Configure logging into a buffer; put the previous root state back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    configure_logging("INFO", secrets=[SECRET, KEY], stream=buffer)
    try:
        yield buffer
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        structlog.reset_defaults()


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_structlog_events_are_json_with_secrets_masked(stream: io.StringIO) -> None:
    log = structlog.get_logger("bot.test")
    log.info("calling slack", token=SECRET, url=f"https://x/?key={KEY}", nested={"k": [SECRET]})
    (event,) = lines(stream)
    assert event["event"] == "calling slack"
    assert event["level"] == "info"
    assert event["logger"] == "bot.test"
    assert "timestamp" in event
    assert event["token"] == REDACTED
    assert event["url"] == f"https://x/?key={REDACTED}"
    assert event["nested"] == {"k": [REDACTED]}
    assert SECRET not in stream.getvalue() and KEY not in stream.getvalue()


def test_library_logs_and_tracebacks_are_masked(stream: io.StringIO) -> None:
    library = logging.getLogger("slack_sdk.test")
    try:
        raise RuntimeError(f"bad token {SECRET}")
    except RuntimeError:
        library.exception("request failed for %s", KEY)
    (event,) = lines(stream)
    assert event["event"] == f"request failed for {REDACTED}"
    assert "RuntimeError: bad token [REDACTED]" in event["exception"]
    assert SECRET not in stream.getvalue() and KEY not in stream.getvalue()


def test_level_filters(stream: io.StringIO) -> None:
    structlog.get_logger("bot.test").debug("noise")
    logging.getLogger("other").debug("noise")
    assert stream.getvalue() == ""


def test_reconfiguring_replaces_the_handler(stream: io.StringIO) -> None:
    second = io.StringIO()
    configure_logging("DEBUG", secrets=[], stream=second)
    structlog.get_logger("bot.test").debug("visible", token=SECRET)
    assert stream.getvalue() == ""
    assert lines(second)[0]["token"] == SECRET  # nothing configured to mask any more


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("LOUD")


def test_redactor_masks_longest_secret_first_and_leaves_other_values() -> None:
    redact = SecretRedactor(["abc", "abcdef", ""])
    out = redact(None, "info", {"a": "xabcdefy abc", "n": 3, "b": True, "none": None})
    assert out == {"a": f"x{REDACTED}y {REDACTED}", "n": 3, "b": True, "none": None}


async def test_stdlib_extra_fields_reach_the_line(stream: io.StringIO) -> None:
    """Issue 9.20: "statsig request failed" carried no method, path or status."""
    import httpx

    from bot.statsig.client import ConsoleClient

    def fail(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"message": "boom"})

    async with ConsoleClient(
        KEY, base_url="http://statsig", transport=httpx.MockTransport(fail), retry_budget=0.0
    ) as client:
        with pytest.raises(Exception):  # noqa: B017 - the log line is what is asserted
            await client.get_gate("checkout_v2")
    failed = [line for line in lines(stream) if line["logger"] == "bot.statsig"]
    assert failed, stream.getvalue()
    assert {"method", "path", "status"} <= failed[-1].keys(), failed[-1]
    assert failed[-1]["method"] == "GET" and failed[-1]["status"] == 500
    assert "/gates/checkout_v2" in failed[-1]["path"]
    assert KEY not in stream.getvalue()
