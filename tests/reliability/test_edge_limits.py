"""The door of ``/slack/events``: timestamps, encodings, sizes and slow bodies, unsigned or
signed, always end in a plain 4xx (never a 500, never a traceback) and change nothing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.slack.edge import MAX_BODY_BYTES, EdgeLimits
from tests.reliability.raw_http import connection, read_response, request_head
from tests.slack.harness import SECRET, BotInstance, World, bot_instance
from tests.support.slack_signing import FORM, sign

SLOW = EdgeLimits(body_timeout=0.5)


def _no_effect(bot: BotInstance) -> None:
    assert bot.slack.calls == []
    assert bot.world.sandbox.state.request_log == []


def _assert_plain(response_body: bytes) -> None:
    assert b"Traceback" not in response_body
    assert b'File "' not in response_body


@pytest.mark.parametrize(
    "stamp", ["abc", "", "1.7e9", "0x10", "+1700000000", "1_700_000_000", "-5", "9" * 40]
)
async def test_a_malformed_timestamp_is_401(bot: BotInstance, stamp: str) -> None:
    body = b"command=%2Fstatsig&text=kill+mobile_dark_mode&user_id=U2BOB&team_id=T1"
    signature = sign(body, SECRET, int(time.time()))["X-Slack-Signature"]
    headers = {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    response = await bot.http.post(f"{bot.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    _assert_plain(response.content)
    _no_effect(bot)


async def test_a_body_that_is_not_utf8_is_401_unsigned_and_400_signed(bot: BotInstance) -> None:
    body = b"command=%2Fstatsig&text=\xff\xfe\xfa&user_id=U2BOB"
    unsigned = await bot.post(body, signed=False)
    signed = await bot.post(body)
    assert (unsigned.status_code, signed.status_code) == (401, 400)
    _assert_plain(unsigned.content + signed.content)
    _no_effect(bot)


async def test_a_declared_oversized_body_is_refused_before_it_is_sent(bot: BotInstance) -> None:
    headers = {"Content-Type": FORM, "Content-Length": str(10 * 1024 * 1024)}
    async with connection(bot.url) as (reader, writer):
        writer.write(request_head(f"{bot.url}/slack/events", headers) + b"x" * 65_536)
        await writer.drain()
        started = time.monotonic()
        answer = await read_response(reader, timeout=2.0)
    assert answer.status == 413
    assert time.monotonic() - started < 1.0  # not held open waiting for 10 MB
    _no_effect(bot)


async def test_an_undeclared_body_is_cut_at_the_cap(bot: BotInstance) -> None:
    """Chunked, unsigned, 10 MB: answered 413 once the cap is passed, not read to the end."""
    headers = {"Content-Type": FORM, "Transfer-Encoding": "chunked"}
    chunk = b"a" * 65_536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    async with connection(bot.url) as (reader, writer):
        writer.write(request_head(f"{bot.url}/slack/events", headers))
        sent = 0
        answer = None
        while sent < 10 * 1024 * 1024:
            writer.write(framed)
            sent += len(chunk)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            if sent > MAX_BODY_BYTES + 4 * len(chunk):
                answer = await read_response(reader, timeout=2.0)
                break
    assert answer is not None and answer.status == 413
    assert sent < 2 * MAX_BODY_BYTES
    _no_effect(bot)


@pytest.fixture
async def impatient(w: World) -> AsyncIterator[BotInstance]:
    async with bot_instance(w, limits=SLOW) as instance:
        yield instance


async def test_a_body_that_trickles_in_is_408(impatient: BotInstance) -> None:
    headers = {"Content-Type": FORM, "Content-Length": "1000"}
    async with connection(impatient.url) as (reader, writer):
        writer.write(request_head(f"{impatient.url}/slack/events", headers) + b"command=%2F")
        await writer.drain()
        started = time.monotonic()
        answer = await read_response(reader, timeout=3.0)
    assert answer.status == 408
    assert time.monotonic() - started < 2.0
    _no_effect(impatient)


async def test_eight_oversized_unsigned_bodies_at_once_are_all_refused(bot: BotInstance) -> None:
    big = b"payload=" + b"a" * (10 * 1024 * 1024)

    async def send() -> int | str:
        try:
            response = await bot.http.post(
                f"{bot.url}/slack/events", content=big, headers={"Content-Type": FORM}
            )
        except httpx.TransportError:  # the server answered and closed while we still wrote
            return "closed early"
        return response.status_code

    outcomes = await asyncio.gather(*(send() for _ in range(8)))
    assert set(outcomes) <= {413, "closed early"}, outcomes
    _no_effect(bot)
