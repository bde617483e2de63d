"""Every exception httpx can raise leaves the client as a typed ``ConsoleError``."""

from __future__ import annotations

import httpx
import pytest

from bot.statsig.client import ConsoleClient
from bot.statsig.errors import (
    ConsoleError,
    InvalidRequest,
    MalformedResponse,
    ServerError,
    Unreachable,
)
from bot.statsig.limiter import MutationLimiter
from bot.statsig.retry import RetryPolicy
from tests.statsig.helpers import API_KEY, Recorder, gate_json, make_client, ok

NO_RETRY = RetryPolicy(budget=0)


async def test_a_huge_email_in_the_path_is_an_invalid_request_not_an_httpx_error() -> None:
    recorder = Recorder([ok(gate_json())])
    async with make_client(recorder, policy=NO_RETRY) as client:
        with pytest.raises(InvalidRequest) as caught:
            await client.get_user("x" * 70_000 + "@example.com")
    assert recorder.requests == []  # nothing was sent
    assert "could not send that request" in caught.value.user_message
    assert "xxxx" not in caught.value.user_message and len(str(caught.value)) < 400


async def test_an_unsupported_scheme_is_an_invalid_request_and_not_retried() -> None:
    policy = RetryPolicy(budget=10.0, random=lambda: 0.0)
    async with ConsoleClient(
        API_KEY,
        base_url="ftp://statsig.invalid",
        retry_policy=policy,
        limiter=MutationLimiter(((1000, 1.0),)),
    ) as client:
        with pytest.raises(InvalidRequest) as caught:
            await client.get_gate("checkout_v2")
    assert "STATSIG_API_URL" in caught.value.user_message


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpx.DecodingError("bad gzip"), MalformedResponse),
        (httpx.TooManyRedirects("loop"), MalformedResponse),
        (httpx.StreamConsumed(), MalformedResponse),
        (httpx.RemoteProtocolError("peer closed"), ServerError),
        (httpx.ConnectError("refused"), Unreachable),
        (httpx.InvalidURL("bad"), InvalidRequest),
        (httpx.UnsupportedProtocol("gopher"), InvalidRequest),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
async def test_httpx_exceptions_map_to_typed_errors(
    raised: Exception, expected: type[ConsoleError]
) -> None:
    async with make_client(Recorder([raised]), policy=NO_RETRY) as client:
        with pytest.raises(ConsoleError) as caught:
            await client.get_gate("checkout_v2")
    assert type(caught.value) is expected
    assert caught.value.user_message
    assert API_KEY not in repr(caught.value) and API_KEY not in str(caught.value)
