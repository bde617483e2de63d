"""The API key never shows up in errors, reprs or log output, even when Statsig echoes it."""

from __future__ import annotations

import logging

import httpx
import pytest

from bot.statsig.errors import ConsoleError
from bot.statsig.retry import RetryPolicy
from tests.statsig.helpers import API_KEY, Recorder, error, gate_json, make_client, ok

# Statsig's documented 401 body, echoing the key that was sent.
ECHO_401 = (
    f"This endpoint only accepts an active CONSOLE key, but an invalid key was sent. Key: {API_KEY}"
)

FAILURES: list[httpx.Response | Exception] = [
    error(401, ECHO_401),
    error(400, f"bad input for key {API_KEY}"),
    error(403, f"{API_KEY} may not do that"),
    error(404, f"no gate for {API_KEY}"),
    error(429, f"slow down {API_KEY}", {"Retry-After": "1"}),
    error(503, f"down, key={API_KEY}"),
    httpx.Response(200, content=f"not json {API_KEY}".encode()),
    httpx.ReadTimeout(f"timed out with {API_KEY}"),
    httpx.ConnectError(f"refused {API_KEY}"),
]


def _assert_clean(text: str) -> None:
    assert API_KEY not in text
    assert API_KEY[len("console-") :] not in text


@pytest.mark.parametrize("failure", FAILURES, ids=lambda f: type(f).__name__)
async def test_key_appears_in_no_error_or_log_line(
    failure: httpx.Response | Exception, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's included
    recorder = Recorder([failure, ok(gate_json())])
    # Retries on, so the retry log lines are checked too.
    async with make_client(recorder, policy=RetryPolicy(random=lambda: 0.0)) as client:
        try:
            await client.disable_gate("g")
            await client.update_gate("g", {"description": "d"})
        except ConsoleError as err:
            for text in (str(err), repr(err), err.user_message, err.detail, repr(err.args)):
                _assert_clean(text)
            assert err.__cause__ is None or API_KEY not in repr(err.__cause__)
        _assert_clean(repr(client))
    assert caplog.records, "the client should have logged something"
    for record in caplog.records:
        _assert_clean(record.getMessage())
        _assert_clean(repr(record.__dict__))


async def test_401_keeps_the_rest_of_statsigs_message() -> None:
    recorder = Recorder([error(401, ECHO_401)])
    async with make_client(recorder) as client:
        with pytest.raises(ConsoleError) as caught:
            await client.get_gate("g")
    assert "an invalid key was sent" in str(caught.value)
    assert "[redacted]" in str(caught.value)
