"""One Console API request: headers, limiter, retries, and HTTP status → typed error.

This is the only module that touches ``httpx``. It holds the API key as a
:class:`pydantic.SecretStr` and scrubs it from every message it stores or logs.

Every exception ``httpx`` can raise becomes a :class:`~bot.statsig.errors.ConsoleError`,
so callers catch one class:

* transport failures (connect, read, write, protocol, proxy) → ``Unreachable``,
  ``Timeout`` or ``ServerError`` as before;
* a request that could not even be built or sent — an invalid URL (say, a 70,000-character
  e-mail in ``/users/{email}``), an unsupported scheme in ``STATSIG_API_URL``, a cookie
  conflict → :class:`InvalidRequest` (never retried: it would fail the same way);
* an answer that could not be decoded (bad content encoding, redirect loops, a broken
  stream) → ``MalformedResponse``.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from bot.statsig.errors import (
    BadRequest,
    ConsoleError,
    Forbidden,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReviewRequired,
    ServerError,
    Timeout,
    Unauthorized,
    Unreachable,
    redact,
)
from bot.statsig.limiter import MutationLimiter
from bot.statsig.retry import RetryPolicy, call_with_retries

__all__ = ["API_VERSION", "Entity", "HttpTransport", "parse_retry_after"]

API_VERSION = "20240601"
REVIEW_HEADER = "x-respect-review-settings"
MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Entity = tuple[str, str]
"""``(kind, id)`` of what a request is about, so a 404 can say what was missing."""

_log = logging.getLogger("bot.statsig")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HttpTransport:
    """Sends requests with the house headers and turns failures into ``ConsoleError``."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str,
        respect_reviews: bool,
        timeout: float,
        retry_policy: RetryPolicy,
        limiter: MutationLimiter,
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        self._key = SecretStr(api_key)
        self._respect_reviews = respect_reviews
        self._policy = retry_policy
        self._limiter = limiter
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={
                "STATSIG-API-KEY": api_key,
                "STATSIG-API-VERSION": API_VERSION,
                "Content-Type": "application/json",
            },
        )

    def __repr__(self) -> str:
        return f"HttpTransport(base_url={str(self._http.base_url)!r}, api_key={self._key!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        entity: Entity | None = None,
        idempotent: bool | None = None,
        priority: bool = False,
    ) -> Any:
        """Send one call (with retries when safe) and return the decoded JSON body."""
        method = method.upper()
        safe = method == "GET" if idempotent is None else idempotent

        async def attempt() -> Any:
            return await self._attempt(method, path, params, body, entity, priority)

        return await call_with_retries(
            attempt, policy=self._policy, idempotent=safe, what=f"{method} {path}"
        )

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        entity: Entity | None,
        priority: bool,
    ) -> Any:
        mutation = method in MUTATIONS
        headers = {REVIEW_HEADER: "true"} if mutation and self._respect_reviews else {}
        query = {k: v for k, v in (params or {}).items() if v is not None}
        started = time.monotonic()
        slot = self._limiter.slot(priority=priority) if mutation else contextlib.nullcontext()
        try:
            async with slot:
                response = await self._http.request(
                    method, path, params=query, json=body, headers=headers
                )
        except (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError) as exc:
            error = self._client_error(exc, mutation)
            self._log_failure(method, path, error, started)
            raise error from None
        try:
            return self._decode(response, entity)
        except ConsoleError as error:
            self._log_failure(method, path, error, started)
            raise
        finally:
            _log.debug(
                "statsig request",
                extra={
                    "method": method,
                    "path": path,
                    "status": response.status_code,
                    "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )

    def _client_error(self, exc: Exception, mutation: bool) -> ConsoleError:
        """The typed error for anything ``httpx`` raised (see the module docstring)."""
        detail = self._scrub(f"{type(exc).__name__}: {str(exc)[:300]}")
        if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol | httpx.CookieConflict):
            return InvalidRequest(_invalid_reason(exc), status=400)
        if isinstance(exc, httpx.TransportError):
            return self._transport_error(exc, detail, mutation)
        # DecodingError, TooManyRedirects, stream errors: the answer could not be read.
        return MalformedResponse(detail)

    def _transport_error(
        self, exc: httpx.TransportError, detail: str, mutation: bool
    ) -> ConsoleError:
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return Timeout(detail, may_have_applied=False)
        if isinstance(exc, httpx.ConnectError):
            return Unreachable(detail)
        if isinstance(exc, httpx.TimeoutException):
            return Timeout(detail, may_have_applied=mutation)
        # The connection broke after sending: the server may have acted on it.
        return ServerError(detail, status=None)

    def _decode(self, response: httpx.Response, entity: Entity | None) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            if not response.content:
                return {}
            try:
                return response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise MalformedResponse(f"HTTP {status} with a body that is not JSON") from None
        raise self._status_error(response, entity)

    def _status_error(self, response: httpx.Response, entity: Entity | None) -> ConsoleError:
        status = response.status_code
        message = self._scrub(_error_message(response))
        if status == 401:
            return Unauthorized(message, status=401)
        if status == 404:
            kind, entity_id = entity or ("resource", response.request.url.path)
            return NotFound(kind, entity_id, message)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimited(message, retry_after=retry_after)
        if status >= 500:
            return ServerError(message or f"HTTP {status}", status=status)
        if "review" in message.lower():
            return ReviewRequired(message, status=status)
        if status == 403:
            return Forbidden(message, status=403)
        return BadRequest(message, status=status)

    def _log_failure(self, method: str, path: str, error: ConsoleError, started: float) -> None:
        _log.info(
            "statsig request failed",
            extra={
                "method": method,
                "path": path,
                "error": type(error).__name__,
                "status": error.status,
                "detail": error.detail,
                "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )

    def _scrub(self, text: str) -> str:
        return redact(text, self._key.get_secret_value())


def _invalid_reason(exc: Exception) -> str:
    """Why a request could not be built, without echoing the (possibly huge) URL."""
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "the Statsig API URL has an unsupported scheme (check STATSIG_API_URL)"
    if isinstance(exc, httpx.CookieConflict):
        return "conflicting cookies"
    return "its URL is invalid (a name or e-mail in it may be too long or malformed)"


def _error_message(response: httpx.Response) -> str:
    """Statsig's ``{"status", "message"}`` message, or a short excerpt of the body."""
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200].strip()
    if isinstance(payload, dict):
        message = payload.get("message")
        if isinstance(message, str):
            return message
        if isinstance(message, list):
            return "; ".join(str(part) for part in message)
    return str(payload)[:200]
