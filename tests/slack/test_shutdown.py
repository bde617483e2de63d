"""A clean stop with work in flight (issue 11.6): SIGTERM during a kill's disable.

``statsig-bot serve`` runs as a real process against a sandbox served over HTTP by the test,
whose disable is held until the signal has been sent: the process must let the execution
finish, record it, and exit 0. A second instance's duty then sees nothing to recover.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import redis.asyncio as aioredis

from bot.sandbox import Faults, create_sandbox_app
from bot.sandbox.demo import demo_state
from tests.fakes.slack import FakeSlack
from tests.slack.harness import CHANNEL, SECRET, wait_responses
from tests.slack.test_serve_process import _env, _ready, _serve, _stop, slack  # noqa: F401
from tests.support.asgi_server import serve_asgi
from tests.support.ports import free_port
from tests.support.redis_server import RedisServer
from tests.support.slack_signing import signed_headers, slash_command_body

POLICY = (
    '[groups]\nresponders = ["U1ALICE"]\n[incident]\nresponders = "responders"\n'
    "break_glass = true\n"
)


async def test_sigterm_during_a_kill_lets_it_finish_record_and_exit_0(
    slack: FakeSlack,  # noqa: F811
    redis_server: RedisServer,
    redis_client: aioredis.Redis,
    tmp_path: Path,
) -> None:
    state, faults = demo_state(), Faults()
    sandbox = create_sandbox_app(state, faults=faults, api_key="console-test")
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    hold = faults.hold(r"/gates/checkout_v2/disable$", method="PUT")
    async with serve_asgi(sandbox) as statsig:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = _env(
            slack,
            redis_server,
            SLACK_SIGNING_SECRET=SECRET,
            STATSIG_CONSOLE_API_KEY="console-test",
            STATSIG_API_URL=statsig,
            STATSIG_BOT_POLICY=str(policy),
            STATSIG_BOT_SPOOL_DIR=str(tmp_path / "spool"),
        )
        process = await _serve(
            ["--http", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path
        )
        try:
            await _ready(url, process)
            response_url = slack.new_response_url(channel_id=CHANNEL, user_id="U1ALICE")
            body = slash_command_body("kill checkout_v2 INC-22", "U1ALICE", CHANNEL,
                                      response_url, "t1")  # fmt: skip
            async with httpx.AsyncClient() as http:
                headers = signed_headers(body, SECRET, int(time.time()))
                ack = await http.post(f"{url}/slack/events", content=body, headers=headers)
            assert ack.status_code == 200
            await asyncio.wait_for(hold.arrived(), 10)  # the disable is on its way
            process.send_signal(15)  # SIGTERM, mid-execution
            await asyncio.sleep(0.5)
            assert process.returncode is None, "it waits for the execution in flight"
            hold.release()
            code = await asyncio.wait_for(process.wait(), 20)
        finally:
            await _stop(process)
        assert code == 0, (await process.stderr.read()).decode()  # type: ignore[union-attr]
    assert state.gates["checkout_v2"]["isEnabled"] is False
    states = []
    async for key in redis_client.scan_iter(match="statsig-bot:*:request"):
        states.append((await redis_client.hget(key, "state") or b"").decode())
    assert states == ["executed"], "recorded before the process ended"
    assert await wait_responses(slack, response_url)
