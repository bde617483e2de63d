"""A faithful fake of Slack's Web API over real HTTP on loopback, for tests.

Usage::

    async with FakeSlack(clock=clock) as slack:
        slack.add_channel("C1", "ops")
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        await client.chat_postMessage(channel="C1", text="hi")
        assert slack.calls_to("chat.postMessage")[0].args["text"] == "hi"

It keeps state (messages, views, DMs), answers with Slack's shapes and error codes (checked
against the slack-api-ref data in ``../shared/slack/api-ref``), enforces Block Kit limits, and
injects faults (429 with ``Retry-After``, 5xx, latency, any ``ok: false`` code).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes import slack_directory as directory
from tests.fakes import slack_messages as chat
from tests.fakes import slack_views as views
from tests.fakes.slack_http import parse_request
from tests.fakes.slack_reference import MethodSpec, load_reference
from tests.fakes.slack_response_url import post_to_response_url
from tests.fakes.slack_state import (
    DEFAULT_SCOPES,
    Call,
    Channel,
    Clock,
    Message,
    ResponseUrl,
    SlackApiFailure,
    User,
    View,
    Workspace,
)
from tests.support.asgi_server import serve_asgi

__all__ = ["FakeSlack"]

Handler = Callable[[Workspace, dict[str, Any], frozenset[str]], dict[str, Any]]

HANDLERS: dict[str, Handler] = {
    "auth.test": directory.auth_test,
    "chat.postMessage": chat.chat_post_message,
    "chat.update": chat.chat_update,
    "chat.postEphemeral": chat.chat_post_ephemeral,
    "chat.delete": chat.chat_delete,
    "views.open": views.views_open,
    "views.update": views.views_update,
    "views.push": views.views_push,
    "views.publish": views.views_publish,
    "users.info": directory.users_info,
    "users.lookupByEmail": directory.users_lookup_by_email,
    "usergroups.users.list": directory.usergroups_users_list,
    "conversations.info": directory.conversations_info,
    "conversations.open": directory.conversations_open,
}
# Their scope depends on the channel kind, so the handler checks it.
_OWN_SCOPE_CHECK = frozenset({"conversations.info", "conversations.open"})
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass
class _Fault:
    status: int = 200
    retry_after: int | None = None
    body: dict[str, Any] = field(default_factory=dict)


class FakeSlack:
    """Slack's Web API for one workspace and one app, served on ``127.0.0.1``."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-1-fake-bot-token",
        app_token: str = "xapp-1-fake-app-token",
        scopes: Iterable[str] = DEFAULT_SCOPES,
        clock: Clock = time.time,
        team_id: str = "T1",
        api_ref_dir: Path | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.scopes: set[str] = set(scopes)
        self.workspace = Workspace(clock, team_id=team_id)
        self.calls: list[Call] = []
        self.socket_mode_url: str | None = None
        self._specs: dict[str, MethodSpec] = load_reference(api_ref_dir)
        self._faults: dict[str, deque[_Fault]] = {}
        self._latency: dict[str | None, float] = {}
        self._hook_ids = itertools.count(1)
        self._base_url: str | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._changed: asyncio.Condition | None = None

    def __repr__(self) -> str:  # tokens stay out of reprs
        return f"FakeSlack(base_url={self._base_url!r}, calls={len(self.calls)})"

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        routes = [
            Route("/api/{method}", self._api, methods=["GET", "POST"]),
            Route("/commands/{team}/{hook}/{secret}", self._response_url, methods=["POST"]),
        ]
        self._changed = asyncio.Condition()
        self._stack = contextlib.AsyncExitStack()
        self._base_url = await self._stack.enter_async_context(serve_asgi(Starlette(routes=routes)))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stack is not None:
            await self._stack.aclose()
        self._stack = None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("FakeSlack is not running; use `async with FakeSlack() as slack`")
        return self._base_url

    @property
    def api_url(self) -> str:
        """For ``SLACK_API_URL`` / ``AsyncWebClient(base_url=...)``; ends with ``/api/``."""
        return f"{self.base_url}/api/"

    # -- seeding -----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        is_bot: bool = False,
        real_name: str = "",
        deleted: bool = False,
    ) -> User:
        user = User(user_id, name, email, is_bot, real_name, deleted, self.workspace.team_id)
        self.workspace.users[user_id] = user
        return user

    def add_usergroup(self, group_id: str, members: Iterable[str]) -> None:
        self.workspace.usergroups[group_id] = list(members)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
        members: Iterable[str] | None = None,
    ) -> Channel:
        """``members=None`` means every user is in the channel (for ``chat.postEphemeral``)."""
        channel = Channel(
            channel_id,
            name,
            is_private=is_private,
            is_archived=is_archived,
            is_member=is_member,
            members=None if members is None else set(members),
        )
        self.workspace.channels[channel_id] = channel
        return channel

    def add_message(self, channel_id: str, text: str, *, user: str, blocks: Any = None) -> str:
        """A message someone else posted (the bot may not edit it); returns its ``ts``."""
        ts = self.workspace.next_ts()
        message = Message(channel_id, ts, text, list(blocks or []), user, bot_id=None)
        self.workspace.messages[(channel_id, ts)] = message
        return ts

    def new_trigger_id(self, view_id: str | None = None) -> str:
        """A trigger as a command or click would carry; ``view_id`` for clicks inside a modal."""
        return self.workspace.new_trigger_id(view_id)

    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A ``response_url`` on this fake; ``message_ts`` is the message a click came from."""
        ws = self.workspace
        path = f"/commands/{ws.team_id}/{next(self._hook_ids)}/{secrets.token_hex(12)}"
        url = f"{self.base_url}{path}"
        ws.response_urls[path] = ResponseUrl(url, ws.clock(), channel_id, user_id, message_ts)
        return url

    # -- inspection --------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (for work done after ``ack()``)."""
        assert self._changed is not None, "FakeSlack is not running"
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.calls_to(method)) >= count), timeout
            )
        return self.calls_to(method)

    def message(self, channel_id: str, ts: str) -> Message:
        """The message as it looks now (``KeyError`` when unknown or deleted)."""
        message = self.workspace.messages.get((channel_id, ts))
        if message is None or message.deleted:
            raise KeyError((channel_id, ts))
        return message

    def messages(self, channel_id: str | None = None) -> list[Message]:
        """Live messages, oldest first, optionally in one channel."""
        found = self.workspace.messages.values()
        return [m for m in found if not m.deleted and channel_id in (None, m.channel)]

    def thread(self, channel_id: str, ts: str) -> list[Message]:
        """Replies to ``ts`` in posting order."""
        return [m for m in self.messages(channel_id) if m.thread_ts == ts and m.ts != ts]

    def view(self, view_id: str) -> View:
        return self.workspace.views[view_id]

    def home_view(self, user_id: str) -> View | None:
        view_id = self.workspace.home_views.get(user_id)
        return None if view_id is None else self.workspace.views[view_id]

    def responses(self, url: str) -> list[dict[str, Any]]:
        """Accepted payloads posted to ``url`` (a ``new_response_url()`` result)."""
        return [p.payload for p in self._hook(url).posts if p.status == 200]

    def response_url_state(self, url: str) -> ResponseUrl:
        return self._hook(url)

    def _hook(self, url: str) -> ResponseUrl:
        path = url.removeprefix(self.base_url)
        return self.workspace.response_urls[path]

    # -- faults ------------------------------------------------------------------------------

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` calls to ``method`` answer HTTP 429 with ``Retry-After``."""
        body = {"ok": False, "error": "ratelimited"}
        self._add_fault(method, times, _Fault(429, retry_after, body))

    def server_error(self, method: str, *, times: int = 1, status: int = 500) -> None:
        """The next ``times`` calls to ``method`` answer a 5xx."""
        body = {"ok": False, "error": "internal_error" if status == 500 else "service_unavailable"}
        self._add_fault(method, times, _Fault(status, None, body))

    def fail_with(self, method: str, error: str, *, times: int = 1, **extra: Any) -> None:
        """The next ``times`` calls answer HTTP 200 ``{"ok": false, "error": error, **extra}``."""
        self._add_fault(method, times, _Fault(200, None, {"ok": False, "error": error, **extra}))

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay answers (all methods, or one) to exercise client timeouts."""
        self._latency[method] = seconds

    def reset(self) -> None:
        """Forget calls, pending faults and latency; workspace state stays."""
        self.calls.clear()
        self._faults.clear()
        self._latency.clear()

    def _add_fault(self, method: str, times: int, fault: _Fault) -> None:
        self._faults.setdefault(method, deque()).extend(fault for _ in range(times))

    # -- HTTP --------------------------------------------------------------------------------

    async def _api(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        token: str | None = None
        args: dict[str, Any] = {}
        status, headers = 200, {}
        try:
            parsed = await parse_request(request)
            args, token = parsed.args, parsed.token
            delay = self._latency.get(method, self._latency.get(None, 0.0))
            if delay:
                await asyncio.sleep(delay)
            self._authenticate(method, token)
            fault = self._next_fault(method)
            if fault is not None:
                status, body = fault.status, dict(fault.body)
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
            else:
                body = self._handle(method, args)
        except SlackApiFailure as failure:
            self._check_documented(method, failure.error)
            body = failure.body()
        await self._record(Call(method, args, token, request.method, status, body))
        return JSONResponse(body, status_code=status, headers=headers)

    def _authenticate(self, method: str, token: str | None) -> None:
        if token is None:
            raise SlackApiFailure("not_authed")
        if token.startswith("xapp-"):
            if token != self.app_token:
                raise SlackApiFailure("invalid_auth")
            if method not in _APP_TOKEN_METHODS:
                raise SlackApiFailure("not_allowed_token_type")
            return
        if token != self.bot_token:
            raise SlackApiFailure("invalid_auth")
        if method in _APP_TOKEN_METHODS:
            raise SlackApiFailure("not_allowed_token_type")

    def _next_fault(self, method: str) -> _Fault | None:
        pending = self._faults.get(method)
        return pending.popleft() if pending else None

    def _handle(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return self._connections_open()
        handler = HANDLERS.get(method)
        if handler is None:
            raise SlackApiFailure("unknown_method")
        spec = self._specs[method]
        scopes = frozenset(self.scopes)
        if method not in _OWN_SCOPE_CHECK:
            chat.require_scope(scopes, *spec.bot_scopes)
        return handler(self.workspace, args, scopes)

    def _connections_open(self) -> dict[str, Any]:
        if self.socket_mode_url is None:
            raise SlackApiFailure("internal_error")  # a test forgot to start the server
        ticket = secrets.token_hex(8)
        return {"ok": True, "url": f"{self.socket_mode_url}?ticket={ticket}"}

    def _check_documented(self, method: str, error: str) -> None:
        """The fake must only answer with codes Slack documents for the method."""
        spec = self._specs.get(method)
        if spec is not None and not spec.allows_error(error):
            raise AssertionError(f"fake Slack answered {method} with undocumented error {error}")

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    async def _response_url(self, request: Request) -> JSONResponse:
        hook = self.workspace.response_urls.get(request.url.path)
        status, body = post_to_response_url(self.workspace, hook, await request.body())
        return JSONResponse(body, status_code=status)
