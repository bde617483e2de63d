"""``statsig-bot check``: is this deployment ready? One line per check, non-zero on failure.

Validates the settings and the policy file, then reaches each service the way the bot
will: Slack (``auth.test``), Statsig (one cheap GET) and Redis (``PING``, plus the warnings of
:func:`bot.approvals.store.health.check_redis`: an evicting ``maxmemory-policy`` or no
persistence would silently lose pending approvals). Services that are not configured
are reported as skipped, not failed: the shell runs without any of them. No line ever
contains a secret: messages come from error types and Statsig's ``user_message``, and pass
through a redaction of every configured secret as a last guard.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TextIO
from urllib.parse import urlsplit

import redis.asyncio as aioredis

from bot.approvals.store.health import check_redis
from bot.config import ConfigError, Settings, load_settings
from bot.ops.policy.rules import load_policy
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ConsoleError

__all__ = ["CheckLine", "run", "run_checks"]

TIMEOUT = 10.0
Verdict = Literal["ok", "fail", "skip", "warn"]
_MARKS = {"ok": "✓", "fail": "✗", "skip": "–", "warn": "!"}


@dataclass(frozen=True)
class CheckLine:
    name: str
    verdict: Verdict
    detail: str

    def render(self) -> str:
        return f"{_MARKS[self.verdict]} {self.name}: {self.detail}"


def _secrets(settings: Settings) -> list[str]:
    found = list(settings.secret_values())
    if settings.redis_url:
        password = urlsplit(settings.redis_url).password
        if password:
            found.append(password)
    return found


def _safe(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text


async def _slack(settings: Settings) -> CheckLine:
    if settings.slack_bot_token is None:
        return CheckLine("slack", "skip", "SLACK_BOT_TOKEN is not set (the shell needs no Slack)")
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        return CheckLine("slack", "fail", f"auth.test failed: {exc.response.get('error')}")
    finally:
        session = getattr(client, "session", None)
        if session is not None:
            await session.close()
    team, user = answer.get("team", "?"), answer.get("user", "?")
    return CheckLine("slack", "ok", f"auth.test ok (workspace {team}, bot user {user})")


async def _statsig(settings: Settings) -> CheckLine:
    if settings.statsig_console_api_key is None and settings.slack_bot_token is not None:
        return CheckLine(
            "statsig",
            "fail",
            "STATSIG_CONSOLE_API_KEY is not set: serve refuses to start without it "
            "(serve --sandbox runs on the built-in demo data instead)",
        )
    if settings.statsig_console_api_key is None:
        return CheckLine(
            "statsig", "skip", "STATSIG_CONSOLE_API_KEY is not set (the shell uses the sandbox)"
        )
    async with ConsoleClient(
        settings.statsig_console_api_key.get_secret_value(),
        base_url=settings.statsig_api_url,
        retry_budget=2.0,
    ) as client:
        try:
            environments = await client.get_environments()
        except ConsoleError as exc:
            return CheckLine("statsig", "fail", exc.user_message)
    names = ", ".join(e.name for e in environments) or "none"
    return CheckLine("statsig", "ok", f"Console API reachable (environments: {names})")


async def _redis(settings: Settings) -> list[CheckLine]:
    if settings.redis_url is None and settings.slack_bot_token is None:
        return [CheckLine("redis", "skip", "REDIS_URL is not set (the shell uses fakeredis)")]
    url = settings.effective_redis_url()
    client: aioredis.Redis = aioredis.Redis.from_url(url, socket_connect_timeout=TIMEOUT)
    where = "REDIS_URL" if settings.redis_url else f"default {url}"
    try:
        await client.ping()
        lines = [CheckLine("redis", "ok", f"PING ok ({where})")]
        lines += [CheckLine("redis", "warn", w) for w in await check_redis(client)]
        return lines
    except aioredis.RedisError as exc:
        return [CheckLine("redis", "fail", f"cannot reach Redis ({where}): {type(exc).__name__}")]
    finally:
        await client.aclose()


async def _guarded(name: str, check: Callable[[], Awaitable[Any]]) -> list[CheckLine]:
    try:
        result = await asyncio.wait_for(check(), TIMEOUT * 2)
    except TimeoutError:
        return [CheckLine(name, "fail", "timed out")]
    except Exception as exc:  # a check must report, never crash the command
        return [CheckLine(name, "fail", f"unexpected {type(exc).__name__}")]
    return result if isinstance(result, list) else [result]


async def run_checks(settings: Settings) -> list[CheckLine]:
    """Every check after the settings: policy, Slack, Statsig, Redis."""
    lines: list[CheckLine] = []
    try:
        policy = load_policy(settings.statsig_bot_policy)
    except ConfigError as exc:
        lines += [CheckLine("policy", "fail", line) for line in str(exc).splitlines()]
        return lines  # nothing else is worth reaching with a policy the bot refuses
    else:
        source = settings.statsig_bot_policy or "built-in defaults (STATSIG_BOT_POLICY unset)"
        lines.append(CheckLine("policy", "ok", f"{source}: {len(policy.model.rules)} rule(s)"))
    for name, check in (
        ("slack", lambda: _slack(settings)),
        ("statsig", lambda: _statsig(settings)),
        ("redis", lambda: _redis(settings)),
    ):
        lines += await _guarded(name, check)
    return lines


def run(*, env_file: str | None = ".env", out: TextIO | None = None) -> int:
    """Run the checks, print one line each.

    Exit 2 when the settings or the policy are invalid (as ``serve`` and ``shell`` do), 1
    when anything else failed, 0 otherwise.
    """
    stream = out or sys.stdout
    try:
        settings = load_settings(env_file=env_file)
    except ConfigError as exc:
        for problem in str(exc).splitlines():
            stream.write(CheckLine("settings", "fail", problem).render() + "\n")
        return 2
    stream.write(CheckLine("settings", "ok", "environment is valid").render() + "\n")
    lines = asyncio.run(run_checks(settings))
    secrets = _secrets(settings)
    for line in lines:
        stream.write(_safe(line.render(), secrets) + "\n")
    if any(line.verdict == "fail" and line.name == "policy" for line in lines):
        return 2
    return 1 if any(line.verdict == "fail" for line in lines) else 0
