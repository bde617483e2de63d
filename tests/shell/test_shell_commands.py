"""``-c`` exit codes and ``--yes``; approvals by request ID, on fakeredis and on real Redis."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest

from bot.chatops.service import ChatOps
from bot.runtime import build_runtime
from bot.shell.session import Printer, Session, Status
from tests.shell.shell_support import REQUEST_ID, settings, shell
from tests.support.redis_server import RedisServer


async def test_c_read_succeeds_and_prints_to_stdout_only() -> None:
    ran = await shell(command="gate checkout_v2")
    assert ran.code == 0
    assert ran.out.startswith("🚦 Gate: checkout_v2")
    assert "sandbox with demo data" in ran.err  # the first line goes to stderr with -c


async def test_c_exit_codes() -> None:
    assert (await shell(command="gate nosuchgate")).code == 1
    assert (await shell(command="gate disabel checkout_v2")).code == 2
    assert (await shell(command="/statsig gate list --tag payments")).code == 0


async def test_c_change_without_yes_prints_the_plan_and_exits_3() -> None:
    ran = await shell(command="gate disable checkout_v2 testing")
    assert ran.code == 3
    assert "📝 Plan: disable gate checkout_v2" in ran.out
    assert "pass --yes to confirm" in ran.out


async def test_c_change_with_yes_is_applied() -> None:
    ran = await shell(command="gate disable checkout_v2 testing", yes=True)
    assert ran.code == 0 and "Now disabled." in ran.out


async def test_c_denied_change_exits_1() -> None:
    ran = await shell(command="gate disable checkout_v2", yes=True, actor="dave@example.com")
    assert ran.code == 1 and "You can't change gates through the bot" in ran.out


async def test_c_rollout_with_yes_requests_approval_and_exits_4() -> None:
    ran = await shell(command="gate rollout new_nav 30", yes=True)
    assert ran.code == 4 and REQUEST_ID.search(ran.out)


class Driver:
    """A session driven line by line, reading what each line printed."""

    def __init__(self, session: Session, out: io.StringIO) -> None:
        self.session, self.out = session, out

    async def run(self, line: str) -> tuple[Status, str]:
        start = len(self.out.getvalue())
        status = await self.session.execute(line)
        return status, self.out.getvalue()[start:]


async def _driver(**env: str) -> AsyncIterator[Driver]:
    out = io.StringIO()
    printer = Printer(out)
    runtime = await build_runtime(settings(**env))
    try:
        session = Session(runtime, printer, ask=None, assume_yes=True)
        await session.become("alice@example.com")
        yield Driver(session, out)
    finally:
        await runtime.aclose()


@pytest.fixture
async def driver() -> AsyncIterator[Driver]:
    async for built in _driver():
        yield built


async def _request(driver: Driver, text: str) -> str:
    status, printed = await driver.run(text)
    assert status is Status.REQUESTED, printed
    found = REQUEST_ID.search(printed)
    assert found, printed
    return found.group(1)


async def test_approve_by_id_as_someone_else(driver: Driver) -> None:
    request_id = await _request(driver, "gate rollout new_nav 40 ramp")
    status, printed = await driver.run(f"approve {request_id}")
    assert status is Status.FAILED and "own request" in printed  # four eyes
    await driver.run(":as bob@example.com")
    status, printed = await driver.run(f"approve {request_id}")
    assert status is Status.OK, printed
    _, shown = await driver.run("gate new_nav")
    assert "1. Rollout — 40% pass" in shown


async def test_reject_needs_a_reason_and_cancel_is_for_the_requester(driver: Driver) -> None:
    first = await _request(driver, "gate rollout new_nav 50")
    await driver.run(":as bob@example.com")
    status, _ = await driver.run(f"reject {first}")
    assert status is Status.USAGE
    status, printed = await driver.run(f"reject {first} not during the freeze")
    assert status is Status.OK, printed
    second = await _request(driver, "gate rollout new_nav 60")  # bob asks this time
    await driver.run(":as carol@example.com")
    status, _ = await driver.run(f"cancel {second}")
    assert status is Status.FAILED
    await driver.run(":as bob@example.com")
    status, printed = await driver.run(f"cancel {second}")
    assert status is Status.OK, printed
    _, listing = await driver.run("approvals")
    assert first not in listing and second not in listing


async def test_approvals_on_a_real_redis(redis_server: RedisServer) -> None:
    async for drv in _driver(REDIS_URL=redis_server.url):
        assert "REDIS_URL redis://127.0.0.1" in drv.session.banner()
        request_id = await _request(drv, "gate rollout new_nav 35 real redis")
        _, listing = await drv.run("approvals mine")
        assert request_id in listing
        await drv.run(":as bob@example.com")
        status, printed = await drv.run(f"approve {request_id}")
        assert status is Status.OK, printed
        await drv.session.runtime.redis.flushall()


async def test_a_slow_list_prints_loading_then_the_list() -> None:
    out = io.StringIO()
    runtime = await build_runtime(settings())
    try:
        assert runtime.sandbox is not None
        runtime.sandbox.add_many_gates(10_000)
        ops = runtime.ops
        # No waiting at all for the first walk: the shell must still print the list.
        runtime.ops = ChatOps(runtime.client, ops.policy, workflow=runtime.workflow, list_wait=0.0)
        session = Session(runtime, Printer(out), ask=None, assume_yes=True)
        await session.become("alice@example.com")
        status = await session.execute("gate list bulk_gate_0000")
        await runtime.ops.aclose()
    finally:
        await runtime.aclose()
    printed = out.getvalue()
    assert status is Status.OK, printed
    loading, listed = printed.index("Loading every gate"), printed.index("bulk_gate_00009")
    assert loading < listed
