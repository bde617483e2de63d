"""The operational endpoints and ``serve``'s fail-fast start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.slack.app import create_app
from bot.slack.server import create_http_app, redacted_url, run
from tests.slack.harness import BotInstance, World, bot_instance, settings_for
from tests.support.asgi_server import serve_asgi
from tests.support.ports import free_port


async def test_healthz_says_alive(bot: BotInstance) -> None:
    response = await bot.http.get(f"{bot.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_this_process_and_metrics_probe_the_dependencies(bot: BotInstance) -> None:
    response = await bot.http.get(f"{bot.url}/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "statsig": "console"}
    text = (await bot.http.get(f"{bot.url}/metrics")).text
    assert 'statsig_bot_dependency_up{dependency="redis"} 1.0' in text
    assert 'statsig_bot_dependency_up{dependency="statsig"} 1.0' in text


async def test_shared_outages_keep_replicas_ready_and_show_in_metrics(w: World) -> None:
    """Issue 9.19: a slow Statsig or a dead Redis must not take every replica out at once."""
    async with bot_instance(w) as healthy:
        dead = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
        deps = healthy.deps
        deps.redis = dead
        w.faults.add(r"/gates$", "500", times=None)
        http_app = create_http_app(create_app(settings_for(w.slack, w.redis_url), deps), deps)
        try:
            async with serve_asgi(http_app) as url:
                response = await healthy.http.get(f"{url}/readyz")
                text = (await healthy.http.get(f"{url}/metrics")).text
        finally:
            await dead.aclose()
        assert response.status_code == 200 and response.json()["status"] == "ready"
        assert 'statsig_bot_dependency_up{dependency="redis"} 0.0' in text
        assert 'statsig_bot_dependency_up{dependency="statsig"} 0.0' in text


async def test_metrics_count_slack_requests(bot: BotInstance) -> None:
    await bot.post(b"payload=%7B%7D", signed=False)
    text = (await bot.http.get(f"{bot.url}/metrics")).text
    assert 'statsig_bot_slack_requests_total{status="401"} 1.0' in text
    assert "statsig_bot_slack_response_seconds_bucket" in text


def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **values: str) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    names = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "REDIS_URL",
             "STATSIG_CONSOLE_API_KEY", "STATSIG_BOT_POLICY")  # fmt: skip
    for name in names:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_serve_without_signing_secret_fails_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, tmp_path, SLACK_BOT_TOKEN="xoxb-secret-token-value")
    assert run("http", "127.0.0.1", free_port()) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "statsig-bot: SLACK_SIGNING_SECRET: missing (required for serving Slack over HTTP)"
    )


def test_socket_mode_needs_an_app_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, tmp_path, SLACK_BOT_TOKEN="xoxb-secret-token-value")
    assert run("socket", "127.0.0.1", free_port()) == 2
    assert "SLACK_APP_TOKEN: missing" in capsys.readouterr().err


def test_serve_fails_fast_when_redis_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    _env(
        monkeypatch,
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-secret-token-value",
        SLACK_SIGNING_SECRET="signing-secret-value",
        STATSIG_CONSOLE_API_KEY="console-key-value",
        REDIS_URL=f"redis://:hunter2@127.0.0.1:{port}/0",
    )
    assert run("http", "127.0.0.1", free_port()) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"statsig-bot: Redis is unreachable at redis://***@127.0.0.1:{port}/0")
    assert len(err.splitlines()) == 1
    assert "hunter2" not in err and "xoxb" not in err and "signing-secret" not in err


def test_redacted_url_keeps_urls_without_credentials() -> None:
    assert redacted_url("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_serve_refuses_slacks_oauth_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Bolt would silently switch to the multi-workspace OAuth flow with these set.
    _env(
        monkeypatch,
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-secret-token-value",
        SLACK_SIGNING_SECRET="signing-secret-value",
        SLACK_CLIENT_ID="123.456",
        SLACK_CLIENT_SECRET="client-secret-value",
    )
    assert run("http", "127.0.0.1", free_port()) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("statsig-bot: SLACK_CLIENT_ID/SLACK_CLIENT_SECRET: unset them")
    assert "client-secret-value" not in err


def test_serve_refuses_to_run_on_demo_data_unless_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9.17: Slack credentials without a Console API key served the sandbox."""
    _env(monkeypatch, tmp_path, SLACK_BOT_TOKEN="xoxb-secret-token-value",
         SLACK_SIGNING_SECRET="signing-secret-value")  # fmt: skip
    assert run("http", "127.0.0.1", free_port()) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("statsig-bot: STATSIG_CONSOLE_API_KEY: missing")
    assert "--sandbox" in err and len(err.splitlines()) == 1


def test_serve_with_a_bad_policy_says_which_key_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9.14: a bad policy printed a 51-line traceback."""
    policy = tmp_path / "policy.toml"
    policy.write_text('[[rules]]\nactions = ["gate.*"]\napprovers = "leads"\n')
    _env(monkeypatch, tmp_path, SLACK_BOT_TOKEN="xoxb-secret-token-value",
         SLACK_SIGNING_SECRET="signing-secret-value", STATSIG_BOT_POLICY=str(policy))  # fmt: skip
    assert run("http", "127.0.0.1", free_port(), sandbox=True) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"statsig-bot: {policy}: rules[0].approvers: unknown group 'leads'"
