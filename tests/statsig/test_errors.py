"""HTTP outcomes become typed errors with a user-facing sentence."""

from __future__ import annotations

import httpx
import pytest

from bot.statsig.errors import (
    BadRequest,
    ConsoleError,
    Forbidden,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReviewRequired,
    ServerError,
    Timeout,
    Unauthorized,
    Unreachable,
    redact,
)
from bot.statsig.retry import RetryPolicy
from tests.statsig.helpers import Recorder, error, gate_json, make_client, ok

NO_RETRY = RetryPolicy(budget=0)


async def _fail(response: httpx.Response | Exception) -> ConsoleError:
    recorder = Recorder([response])
    async with make_client(recorder, policy=NO_RETRY) as client:
        with pytest.raises(ConsoleError) as caught:
            await client.get_gate("checkout_v2")
    return caught.value


async def test_400_carries_statsigs_message() -> None:
    err = await _fail(error(400, "Name is already in use"))
    assert type(err) is BadRequest
    assert err.message == "Name is already in use"
    assert err.user_message == "Statsig rejected the request: Name is already in use"


@pytest.mark.parametrize("status", [400, 403])
async def test_review_required_is_recognised(status: int) -> None:
    err = await _fail(error(status, "This change requires a review before it can be applied"))
    assert isinstance(err, ReviewRequired)
    assert err.status == status
    assert "review" in err.user_message


async def test_401_is_unauthorized() -> None:
    err = await _fail(error(401, "This endpoint only accepts an active CONSOLE key"))
    assert isinstance(err, Unauthorized)
    assert "STATSIG_CONSOLE_API_KEY" in err.user_message


async def test_403_is_forbidden() -> None:
    err = await _fail(error(403, "Forbidden resource"))
    assert isinstance(err, Forbidden)
    assert err.user_message == "The bot's Statsig key is not allowed to do that."


async def test_404_names_the_entity() -> None:
    err = await _fail(error(404, "Not Found. The requested resource could not be found."))
    assert isinstance(err, NotFound)
    assert (err.kind, err.entity_id) == ("gate", "checkout_v2")
    assert err.user_message == "Statsig has no gate called checkout_v2."


async def test_404_on_a_segment_names_the_segment() -> None:
    recorder = Recorder([error(404, "Segment not found.")])
    async with make_client(recorder) as client:
        with pytest.raises(NotFound) as caught:
            await client.get_segment("beta_users")
    assert caught.value.user_message == "Statsig has no segment called beta_users."


async def test_409_and_other_4xx_are_bad_requests_with_their_status() -> None:
    err = await _fail(error(409, "conflict"))
    assert isinstance(err, BadRequest)
    assert err.status == 409


@pytest.mark.parametrize(
    ("headers", "retry_after", "sentence"),
    [
        ({"Retry-After": "7"}, 7.0, "try again in 7 s"),
        ({}, None, "try again in a minute"),
    ],
)
async def test_429_is_rate_limited(
    headers: dict[str, str], retry_after: float | None, sentence: str
) -> None:
    err = await _fail(error(429, "Too Many Requests", headers))
    assert isinstance(err, RateLimited)
    assert err.retry_after == retry_after
    assert sentence in err.user_message


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_a_server_error(status: int) -> None:
    err = await _fail(error(status, "oops"))
    assert isinstance(err, ServerError)
    assert err.status == status
    assert f"HTTP {status}" in err.user_message


async def test_non_json_success_is_malformed() -> None:
    err = await _fail(httpx.Response(200, content=b"<html>gateway</html>"))
    assert isinstance(err, MalformedResponse)
    assert err.user_message == "Statsig sent an answer the bot could not read."


async def test_wrong_shape_is_malformed_and_says_where() -> None:
    err = await _fail(ok({"id": "checkout_v2", "isEnabled": "sometimes"}))
    assert isinstance(err, MalformedResponse)
    assert "isEnabled" in str(err)


async def test_read_timeout_on_a_read_is_a_timeout() -> None:
    err = await _fail(httpx.ReadTimeout("slow"))
    assert isinstance(err, Timeout)
    assert not err.may_have_applied


async def test_read_timeout_on_a_mutation_may_have_applied() -> None:
    recorder = Recorder([httpx.ReadTimeout("slow")])
    async with make_client(recorder, policy=NO_RETRY) as client:
        with pytest.raises(Timeout) as caught:
            await client.update_gate("a", {"description": "x"})
    assert caught.value.may_have_applied
    assert "may or may not have been applied" in caught.value.user_message


async def test_connect_error_is_unreachable() -> None:
    err = await _fail(httpx.ConnectError("refused"))
    assert isinstance(err, Unreachable)


async def test_message_only_answers_return_the_message() -> None:
    recorder = Recorder([ok(message="Experiment successfully started.")])
    async with make_client(recorder) as client:
        assert await client.start_experiment("exp") == "Experiment successfully started."
    assert recorder.body() == {}


async def test_success_parses_the_entity() -> None:
    recorder = Recorder([ok(gate_json("g", isEnabled=False, status="Disabled"))])
    async with make_client(recorder) as client:
        gate = await client.disable_gate("g")
    assert (gate.id, gate.is_enabled, gate.status) == ("g", False, "Disabled")


def test_redact_removes_the_secret_and_key_shaped_tokens() -> None:
    text = "invalid key was sent. Key: console-abcdefABCDEF123 (also secret-zzzzzzzz9)"
    cleaned = redact(text, "console-abcdefABCDEF123")
    assert "console-abcdef" not in cleaned
    assert "secret-zzzz" not in cleaned
    assert "invalid key was sent" in cleaned
