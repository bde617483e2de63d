"""Only the workspace (and app) this bot is installed in may drive it.

The signing secret belongs to the app, not to a workspace: if the app is ever installed in
a second workspace (or an Enterprise Grid org shares it), requests from there are signed
just as well. This bot holds one bot token for one workspace, so a command or an Approve
click naming another ``team``, ``enterprise`` or ``api_app_id`` is dropped: logged, answered
200 with nothing, and nothing run (answering through that workspace's ``response_url``
would already be acting on its behalf).

The installed identity comes from ``auth.test`` on the bot token, asked once per process
(Bolt asks it too, before us). ``auth.test`` names the team and enterprise always, and
the app when Slack includes ``app_id``; without it the app check rests on the signing
secret, which is the app's own.

Users from another workspace in a shared (Slack Connect) channel are dropped too: their
``user.team_id`` is not ours, and the policy's groups and emails describe our people only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import structlog
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["Installation", "WorkspaceGuard", "foreign_reason"]

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Installation:
    """Where the bot token lives, as ``auth.test`` says."""

    team_id: str
    enterprise_id: str | None = None
    app_id: str | None = None
    org_wide: bool = False
    """An org-wide Enterprise Grid install: any workspace of ``enterprise_id`` is ours."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _teams(body: dict[str, Any], *, grid: bool) -> Iterator[object]:
    """Every team ID a payload names (commands, interactivity, views, events). On
    Enterprise Grid ``user.team_id`` is the person's primary workspace, not where they
    clicked, so there it is left to the enterprise check."""
    yield body.get("team_id")
    yield _dict(body.get("team")).get("id")
    if not grid:
        yield _dict(body.get("user")).get("team_id")
    yield _dict(body.get("view")).get("team_id")
    yield from _authorizations(body, "team_id")


def _authorizations(body: dict[str, Any], field: str) -> Iterator[object]:
    """The Events API's ``authorizations`` (Bolt reads the first for the team)."""
    grants = body.get("authorizations")
    for grant in grants if isinstance(grants, list) else ():
        yield _dict(grant).get(field)


def _enterprises(body: dict[str, Any]) -> Iterator[object]:
    yield body.get("enterprise_id")
    enterprise = body.get("enterprise")
    yield enterprise if isinstance(enterprise, str) else _dict(enterprise).get("id")
    yield _dict(body.get("team")).get("enterprise_id")
    yield _dict(body.get("user")).get("enterprise_id")
    yield from _authorizations(body, "enterprise_id")


def _apps(body: dict[str, Any]) -> Iterator[object]:
    yield body.get("api_app_id")
    yield _dict(body.get("view")).get("app_id")


def _named(values: Iterator[object]) -> set[str]:
    return {v for v in values if isinstance(v, str) and v}


def foreign_reason(body: dict[str, Any], installed: Installation) -> str | None:
    """``None`` when ``body`` comes from the installed workspace and app; else why not."""
    enterprises = _named(_enterprises(body))
    if installed.enterprise_id is None and enterprises:
        return "an enterprise this bot is not installed in"
    if installed.enterprise_id is not None and enterprises - {installed.enterprise_id}:
        return "another enterprise"
    teams = _named(_teams(body, grid=installed.enterprise_id is not None))
    if not installed.org_wide:
        if not teams:
            return "no workspace named"
        if teams - {installed.team_id}:
            return "another workspace"
    elif not enterprises:
        return "no enterprise named"
    if installed.app_id is not None and _named(_apps(body)) - {installed.app_id}:
        return "another app"
    return None


class WorkspaceGuard:
    """Learns the installation once (``auth.test``) and judges each payload against it."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        installed: Installation | None = None,
    ) -> None:
        self._client = client
        self._installed = installed
        self._lock = asyncio.Lock()

    async def installation(self) -> Installation | None:
        """The installation, asking Slack the first time; ``None`` while Slack cannot say."""
        if self._installed is not None:
            return self._installed
        async with self._lock:
            if self._installed is None:
                self._installed = await self._ask()
        return self._installed

    async def _ask(self) -> Installation | None:
        try:
            answer = await self._client.auth_test()
        except Exception as exc:  # SlackApiError, aiohttp errors, timeouts: fail closed
            _log.warning("slack.workspace.auth_test_failed", error=type(exc).__name__)
            return None
        team = answer.get("team_id")
        if not isinstance(team, str) or not team:
            _log.warning("slack.workspace.auth_test_without_team")
            return None
        enterprise = answer.get("enterprise_id")
        app = answer.get("app_id")
        return Installation(
            team_id=team,
            enterprise_id=enterprise if isinstance(enterprise, str) and enterprise else None,
            app_id=app if isinstance(app, str) and app else None,
            org_wide=answer.get("is_enterprise_install") is True,
        )

    async def refusal(self, body: dict[str, Any]) -> str | None:
        """Why ``body`` must be dropped (``None``: it is ours). Fails closed: while the
        installation is unknown nothing runs (and Bolt could not authorise it either)."""
        installed = await self.installation()
        if installed is None:
            return "the installed workspace is unknown (auth.test failed)"
        return foreign_reason(body, installed)
