"""Statsig's envelopes and error bodies, plus the request helpers every route shares.

* ``{message, data}`` (``SingleDataResponse``), ``{message}`` (message-only mutations),
* ``{message, data: [...], pagination: {itemsPerPage, pageNumber, nextPage, previousPage,
  totalItems}}`` (``PaginationResponseWithMessage``),
* errors ``{status, message}``, raised as :class:`ApiError` anywhere inside a route.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.sandbox.state import ENTITY_KINDS, SandboxState

__all__ = [
    "ApiError",
    "DECLARED_MAX_LIMIT",
    "INVALID_REQUEST",
    "MAX_PAGE_LIMIT",
    "entity_or_404",
    "error_response",
    "json_body",
    "message_only",
    "multi_query",
    "ok",
    "page_of",
    "paginated",
    "path_id",
    "sandbox_state",
]

INVALID_REQUEST = "Invalid request. Please check the request input and try again."
MAX_PAGE_LIMIT = 1000
"""The largest ``limit`` a list accepts (the sandbox's own cap; see ``page_params``)."""
DECLARED_MAX_LIMIT = 100
"""The maximum the document declares for gate references and pipeline triggers."""


class ApiError(Exception):
    """An error answer in Statsig's shape; raised by routes, rendered by the app."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"status": status, "message": message}, status_code=status, headers=headers)


def ok(data: Any, message: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"message": message, "data": data}, status_code=status)


def message_only(message: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


def _positive_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a positive integer") from None
    if value < 1:
        raise ApiError(400, f"{name} must be a positive integer")
    return value


def page_params(
    request: Request, default_limit: int = 100, max_limit: int = MAX_PAGE_LIMIT
) -> tuple[int, int]:
    """``(page, limit)`` from the query string; 1-based pages, 400 on nonsense.

    ``limit`` is capped at ``max_limit``: the document's maximum where it declares one
    (100 for gate references and pipeline triggers), else :data:`MAX_PAGE_LIMIT`, the
    sandbox's own cap (a deviation, listed in ``bot.sandbox``). A bigger one gets the 400
    Statsig gives for invalid input.
    """
    limit = _positive_int(request, "limit", default_limit)
    if limit > max_limit:
        raise ApiError(400, f"{INVALID_REQUEST} (limit must be at most {max_limit})")
    return _positive_int(request, "page", 1), limit


def _page_link(request: Request, page: int, limit: int) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "limit")]
    query += [("page", str(page)), ("limit", str(limit))]
    return f"{request.url.path}?{urlencode(query)}"


def page_of(
    request: Request,
    items: Sequence[Any],
    *,
    default_limit: int = 100,
    max_limit: int = MAX_PAGE_LIMIT,
) -> tuple[list[Any], dict[str, Any]]:
    """Slice ``items`` by ``page``/``limit``; returns the chunk and Statsig's pagination dict.

    ``nextPage``/``previousPage`` are relative links (one of the two styles Statsig's own
    examples show), ``None`` at the ends.
    """
    page, limit = page_params(request, default_limit, max_limit)
    start = (page - 1) * limit
    chunk = list(items[start : start + limit])
    has_next = start + limit < len(items)
    pagination = {
        "itemsPerPage": limit,
        "pageNumber": page,
        "nextPage": _page_link(request, page + 1, limit) if has_next else None,
        "previousPage": _page_link(request, page - 1, limit) if page > 1 else None,
        "totalItems": len(items),
    }
    return chunk, pagination


def paginated(
    request: Request,
    items: Sequence[Any],
    message: str,
    *,
    default_limit: int = 100,
    max_limit: int = MAX_PAGE_LIMIT,
) -> JSONResponse:
    """Statsig's paginated envelope around one page of ``items``."""
    chunk, pagination = page_of(request, items, default_limit=default_limit, max_limit=max_limit)
    return JSONResponse({"message": message, "data": chunk, "pagination": pagination})


def multi_query(request: Request, *names: str) -> list[str]:
    """Every value of the named query parameters, repeated or comma-separated."""
    values: list[str] = []
    for name in names:
        for raw in request.query_params.getlist(name):
            values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


async def json_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The JSON object sent, ``{}`` when absent and optional; 400 for anything else."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ApiError(400, INVALID_REQUEST)
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, INVALID_REQUEST) from None
    if not isinstance(body, dict):
        raise ApiError(400, INVALID_REQUEST)
    return body


def sandbox_state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def path_id(request: Request, name: str = "id") -> str:
    return str(request.path_params[name])


def entity_or_404(request: Request, kind: str, name: str = "id") -> dict[str, Any]:
    """The entity named in the path, or Statsig's 404 naming what was not found."""
    entity_id = path_id(request, name)
    entity = sandbox_state(request).get(kind, entity_id)
    if entity is None:
        raise ApiError(404, f"{ENTITY_KINDS[kind]} {entity_id} not found.")
    return entity
