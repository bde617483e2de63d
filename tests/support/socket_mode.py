"""Slack's side of Socket Mode on a loopback websocket, for end-to-end tests.

The client gets the URL from ``apps.connections.open`` (point ``FakeSlack.socket_mode_url`` at
``server.url``), connects, receives ``hello`` and then envelopes, and must ack each one with
``{"envelope_id": ..., "payload"?: ...}``.

Example::

    async with SocketModeServer() as server:
        slack.socket_mode_url = server.url
        ...  # start the app's SocketModeClient against slack.api_url
        await server.wait_connected()
        ack = await server.request("slash_commands", {"command": "/statsig", ...})
"""

from __future__ import annotations

import asyncio
import json
import uuid
from types import TracebackType
from typing import Any

from aiohttp import WSMsgType, web

__all__ = ["SocketModeServer"]


class SocketModeServer:
    """An aiohttp server with one websocket route, ``/link``, speaking Socket Mode envelopes."""

    def __init__(self, *, app_id: str = "A0APP") -> None:
        self.app_id = app_id
        self.acks: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.connection_count = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """``ws://127.0.0.1:PORT/link``, as ``apps.connections.open`` hands it out."""
        if self._url is None:
            raise RuntimeError("SocketModeServer is not running")
        return self._url

    async def __aenter__(self) -> SocketModeServer:
        app = web.Application()
        app.router.add_get("/link", self._link)
        app.on_shutdown.append(self._close_sockets)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"ws://{host}:{port}/link"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for future in self._pending.values():
            future.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        """Until ``count`` connections (reconnects included) have been made and sent ``hello``."""
        async with self._connected:
            await asyncio.wait_for(
                self._connected.wait_for(lambda: self.connection_count >= count), timeout
            )

    async def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Push one envelope (``slash_commands`` | ``interactive`` | ``events_api``)."""
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type != "events_api"
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self._pending[envelope_id] = asyncio.get_running_loop().create_future()
        await self._send_json(envelope)
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's ack for ``envelope_id``: ``{"envelope_id", "payload"?}``."""
        return await asyncio.wait_for(asyncio.shield(self._pending[envelope_id]), timeout)

    async def request(
        self, envelope_type: str, payload: dict[str, Any], timeout: float = 5.0, **options: Any
    ) -> dict[str, Any]:
        """``send()`` then ``wait_ack()``."""
        envelope_id = await self.send(envelope_type, payload, **options)
        return await self.wait_ack(envelope_id, timeout)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before rotating servers."""
        await self._send_json({"type": "disconnect", "reason": reason})

    async def _send_json(self, message: dict[str, Any]) -> None:
        live = [ws for ws in self._sockets if not ws.closed]
        if not live:
            raise RuntimeError("no Socket Mode client is connected")
        self.sent.append(message)
        await live[-1].send_str(json.dumps(message))

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        hello = {
            "type": "hello",
            "num_connections": len([s for s in self._sockets if not s.closed]),
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        await ws.send_str(json.dumps(hello))
        async with self._connected:
            self.connection_count += 1
            self._connected.notify_all()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self._on_text(message.data)
        return ws

    def _on_text(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            return
        if not isinstance(ack, dict) or "envelope_id" not in ack:
            return
        self.acks.append(ack)
        future = self._pending.get(str(ack["envelope_id"]))
        if future is not None and not future.done():
            future.set_result(ack)

    async def _close_sockets(self, app: web.Application) -> None:
        for ws in self._sockets:
            await ws.close()
