"""``statsig-bot serve`` as a process: probes in both modes, a clean stop on SIGTERM, and a
sandbox that says it is one (issue 9: items 17 to 19)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.slack import FakeSlack
from tests.shell.test_shell_subprocess import clean_env
from tests.slack.harness import CHANNEL, SECRET, manifest_scopes, wait_responses
from tests.support.ports import free_port
from tests.support.redis_server import RedisServer
from tests.support.slack_signing import signed_headers, slash_command_body
from tests.support.socket_mode import SocketModeServer


async def _ready(url: str, process: asyncio.subprocess.Process, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                said = (await process.stderr.read()).decode() if process.stderr else ""
                raise AssertionError(f"serve exited with {process.returncode}: {said}")
            try:
                response = await http.get(f"{url}/readyz", timeout=1.0)
                if response.status_code == 200:
                    body: dict = response.json()
                    return body
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("serve never became ready")


async def _stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), 15)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("serve did not stop on SIGTERM") from None


async def _serve(args: list[str], env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", *args,
        env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(scopes=manifest_scopes()) as fake:
        fake.add_user("U1ALICE", "alice", email="alice@example.com")
        fake.add_channel(CHANNEL, "ops")
        yield fake


def _env(slack: FakeSlack, redis_server: RedisServer, **extra: str) -> dict[str, str]:
    env = clean_env()
    for name in ("STATSIG_CONSOLE_API_KEY", "STATSIG_BOT_POLICY", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    env.update(
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_API_URL=slack.api_url,
        REDIS_URL=redis_server.url,
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


async def test_http_sandbox_says_so_and_stops_cleanly_on_sigterm(
    slack: FakeSlack, redis_server: RedisServer, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(slack, redis_server, SLACK_SIGNING_SECRET=SECRET)
    process = await _serve(["--http", "--host", "127.0.0.1", "--port", str(port), "--sandbox"],
                           env, tmp_path)  # fmt: skip
    try:
        assert await _ready(url, process) == {"status": "ready", "statsig": "sandbox"}
        response_url = slack.new_response_url(channel_id=CHANNEL, user_id="U1ALICE")
        body = slash_command_body("gate checkout_v2", "U1ALICE", CHANNEL, response_url, "t1")
        async with httpx.AsyncClient() as http:
            headers = signed_headers(body, SECRET, int(time.time()))
            ack = await http.post(f"{url}/slack/events", content=body, headers=headers)
        assert ack.status_code == 200
        [answer] = await wait_responses(slack, response_url)
        assert "Sandbox: built-in demo data" in str(answer)
    finally:
        code = await _stop(process)
    assert code == 0, (await process.stderr.read()).decode()  # type: ignore[union-attr]


async def test_socket_mode_serves_probes_and_metrics_and_stops_on_sigterm(
    slack: FakeSlack, redis_server: RedisServer, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with SocketModeServer() as server:
        slack.socket_mode_url = server.url
        env = _env(slack, redis_server, SLACK_APP_TOKEN=slack.app_token)
        process = await _serve(
            ["--socket", "--host", "127.0.0.1", "--port", str(port), "--sandbox"], env, tmp_path
        )
        try:
            assert (await _ready(url, process))["status"] == "ready"
            await asyncio.wait_for(server.wait_connected(), 20)
            async with httpx.AsyncClient() as http:
                metrics = await http.get(f"{url}/metrics")
                events = await http.post(f"{url}/slack/events", content=b"{}")
            assert 'statsig_bot_dependency_up{dependency="redis"} 1.0' in metrics.text
            assert events.status_code == 404  # Socket Mode takes no HTTP events
        finally:
            code = await _stop(process)
    assert code == 0, (await process.stderr.read()).decode()  # type: ignore[union-attr]


def test_signals_are_caught_as_pid_1_would_need() -> None:
    """A process that never installs a SIGTERM handler ignores SIGTERM as PID 1; ours does."""
    if os.name != "posix":
        pytest.skip("POSIX signals")
    from bot.slack import server

    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, server._stop_requested)  # noqa: SLF001
        os.kill(os.getpid(), signal.SIGTERM)  # handled: the test process goes on
    finally:
        signal.signal(signal.SIGTERM, previous)
