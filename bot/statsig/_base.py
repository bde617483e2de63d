"""The plumbing every endpoint group of :class:`ConsoleClient` shares.

Each group (gates, configs, …) is a small mixin over :class:`ClientBase`; the base turns
Statsig's envelopes (``{message, data}`` and ``{message, data: [...], pagination}``) into
models and raises :class:`MalformedResponse` when a body does not fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from bot.statsig._http import Entity, HttpTransport
from bot.statsig.errors import InvalidRequest, MalformedResponse
from bot.statsig.models import Page, Pagination

__all__ = ["ClientBase", "M", "path_id"]

M = TypeVar("M", bound=BaseModel)
PREFIX = "/console/v1"


def path_id(value: str) -> str:
    """An id made safe for one path segment (ids may hold ``.``; emails hold ``@``).

    Every reserved character is percent-encoded, so an id can never add a segment or a
    query. ``.`` and ``..`` are refused outright: a URL normaliser (httpx's, a proxy's,
    Statsig's) resolves them to the parent path, so ``gate ..`` would read
    ``GET /console/v1`` instead of a gate; encoding them as ``%2E`` is not safe either,
    since some servers decode before normalising. Nothing is sent for such an id.
    """
    if value in ("", ".", ".."):
        shown = "an empty name" if not value else f"{value!r}"
        raise InvalidRequest(f"{shown} is not a Statsig ID", status=400)
    return quote(value, safe="@.-_~")


def parse(model: type[M], payload: Any) -> M:
    """Validate ``payload`` as ``model``; a mismatch is Statsig's fault, not a bug here."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors()
        where = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
        reason = errors[0]["msg"] if errors else "invalid"
        raise MalformedResponse(
            f"{model.__name__} did not match Statsig's answer at {where or 'top level'}: {reason}"
        ) from None


def data_of(body: Any) -> Any:
    """The ``data`` of a ``{message, data}`` envelope (a bare object is taken as is)."""
    if not isinstance(body, dict):
        raise MalformedResponse("expected a JSON object from Statsig")
    return body.get("data", body)


def message_of(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return ""


class ClientBase:
    """Shared request helpers; subclasses only describe endpoints."""

    _http: HttpTransport

    async def _get(
        self, path: str, *, params: Mapping[str, Any] | None = None, entity: Entity | None = None
    ) -> Any:
        return await self._http.request("GET", PREFIX + path, params=params, entity=entity)

    async def _get_one(self, path: str, model: type[M], *, entity: Entity | None = None) -> M:
        return parse(model, data_of(await self._get(path, entity=entity)))

    async def _get_page(
        self,
        path: str,
        model: type[M],
        *,
        page: int,
        limit: int,
        params: Mapping[str, Any] | None = None,
        entity: Entity | None = None,
    ) -> Page[M]:
        query = {**(params or {}), "page": page, "limit": limit}
        body = await self._get(path, params=query, entity=entity)
        return parse_page(body, model)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        entity: Entity | None = None,
        idempotent: bool = False,
        priority: bool = False,
    ) -> Any:
        return await self._http.request(
            method,
            PREFIX + path,
            body=body,
            entity=entity,
            idempotent=idempotent,
            priority=priority,
        )

    async def _send_one(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: Any = None,
        entity: Entity | None = None,
        idempotent: bool = False,
        priority: bool = False,
    ) -> M:
        answer = await self._send(
            method, path, body=body, entity=entity, idempotent=idempotent, priority=priority
        )
        return parse(model, data_of(answer))

    async def _send_message(
        self, method: str, path: str, *, body: Any = None, entity: Entity | None = None
    ) -> str:
        return message_of(await self._send(method, path, body=body, entity=entity))


def parse_page(body: Any, model: type[M]) -> Page[M]:
    """A ``{message, data: [...], pagination}`` envelope with each item parsed."""
    if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
        raise MalformedResponse("expected a paginated list from Statsig")
    items = [parse(model, item) for item in body.get("data", [])]
    raw_pagination = body.get("pagination")
    pagination = parse(Pagination, raw_pagination) if raw_pagination is not None else None
    page: Page[M] = Page(message=message_of(body), data=items, pagination=pagination)
    return page
