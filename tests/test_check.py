"""``statsig-bot check``: one line per check, failures exit non-zero, secrets never printed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import redis

from bot import check
from bot.config import load_settings
from bot.sandbox import create_sandbox_app
from tests.fakes.slack import FakeSlack
from tests.support.asgi_server import serve_asgi
from tests.support.ports import free_port
from tests.support.redis_server import RedisServer

ENV_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "STATSIG_CONSOLE_API_KEY",
    "STATSIG_API_URL",
    "REDIS_URL",
    "STATSIG_BOT_POLICY",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def _run() -> tuple[int, list[str]]:
    out = io.StringIO()
    code = check.run(env_file=None, out=out)
    return code, out.getvalue().splitlines()


def test_nothing_configured_is_fine_for_the_shell(env: pytest.MonkeyPatch) -> None:
    code, lines = _run()
    assert code == 0
    assert lines[0] == "✓ settings: environment is valid"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "✓ policy", "– slack", "– statsig", "– redis"
    ]  # fmt: skip


def test_invalid_setting_is_one_failing_line(env: pytest.MonkeyPatch) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xapp-wrong-kind")
    code, lines = _run()
    assert code == 2  # a configuration error, as serve and shell answer it (issue 9.14)
    assert lines == [
        "✗ settings: SLACK_BOT_TOKEN: must be a bot token starting with xoxb- (or xoxp-)"
    ]
    assert "xapp-wrong-kind" not in "\n".join(lines)


def test_invalid_policy_fails(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[defaults]\napprovers = "nobody"\n')
    env.setenv("STATSIG_BOT_POLICY", str(policy))
    code, lines = _run()
    assert code == 2  # like serve and shell (issue 9.14)
    assert lines[-1] == f"✗ policy: {policy}: defaults.approvers: unknown group 'nobody'"


def test_serve_mode_without_a_console_key_fails(env: pytest.MonkeyPatch) -> None:
    """Issue 9.17: Slack credentials without a Console API key would serve on demo data."""
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    env.setenv("SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")
    env.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    code, lines = _run()
    assert code == 1
    [statsig] = [line for line in lines if line.startswith("✗ statsig")]
    assert "STATSIG_CONSOLE_API_KEY is not set" in statsig and "--sandbox" in statsig


def test_redis_reachable_and_unreachable(
    env: pytest.MonkeyPatch, redis_server: RedisServer
) -> None:
    env.setenv("REDIS_URL", redis_server.url)
    code, lines = _run()
    assert code == 0 and any(line.startswith("✓ redis: PING ok") for line in lines)
    env.setenv("REDIS_URL", f"redis://:hunter2secret@127.0.0.1:{free_port()}/0")
    code, lines = _run()
    assert code == 1 and any(line.startswith("✗ redis: cannot reach Redis") for line in lines)
    assert "hunter2secret" not in "\n".join(lines)


async def test_statsig_and_slack_reached(env: pytest.MonkeyPatch) -> None:
    key = "console-supersecretkey123"
    async with serve_asgi(create_sandbox_app(api_key=key)) as base, FakeSlack() as slack:
        settings = load_settings(
            {
                "STATSIG_CONSOLE_API_KEY": key,
                "STATSIG_API_URL": base,
                "SLACK_BOT_TOKEN": slack.bot_token,
                "SLACK_API_URL": slack.api_url,
                "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            },
            env_file=None,
        )
        lines = {line.name: line for line in await check.run_checks(settings)}
        assert lines["statsig"].verdict == "ok", lines["statsig"]
        assert lines["slack"].verdict == "ok", lines["slack"]
        wrong = load_settings(
            {
                "STATSIG_CONSOLE_API_KEY": "console-wrongwrongwrong",
                "STATSIG_API_URL": base,
                "SLACK_BOT_TOKEN": "xoxb-not-the-right-token",
                "SLACK_API_URL": slack.api_url,
            },
            env_file=None,
        )
        failed = {line.name: line for line in await check.run_checks(wrong)}
    assert failed["statsig"].verdict == "fail" and "Console API key" in failed["statsig"].detail
    assert failed["slack"].verdict == "fail" and "auth.test failed" in failed["slack"].detail
    rendered = "\n".join(line.render() for line in failed.values())
    assert "console-wrongwrongwrong" not in rendered and "xoxb-not-the-right-token" not in rendered


def test_redis_eviction_policy_is_a_warning(
    env: pytest.MonkeyPatch, redis_server: RedisServer
) -> None:
    """An evicting maxmemory-policy could drop pending approvals: a warning, not a failure."""
    env.setenv("REDIS_URL", redis_server.url)
    admin = redis.Redis.from_url(redis_server.url)
    try:
        admin.config_set("maxmemory-policy", "allkeys-lru")
        code, lines = _run()
    finally:
        admin.config_set("maxmemory-policy", "noeviction")
        admin.close()
    assert code == 0
    warnings = [line for line in lines if line.startswith("! redis:")]
    assert any("maxmemory-policy is allkeys-lru" in line for line in warnings), lines
    code, lines = _run()
    assert not any("maxmemory-policy" in line for line in lines)
    # The session's server runs without persistence: that warning stays, as it should.
    assert any(line.startswith("! redis: persistence is off") for line in lines)
