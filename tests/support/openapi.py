"""httpx ↔ openapi-core: validate captured requests and responses against an OpenAPI document.

openapi-core reads requests and responses through small protocols; these adapters present
an ``httpx.Request``/``httpx.Response`` that way, and :class:`PathTemplates` maps a concrete
path back to the document's template (most specific first), for tests that look things up
in the raw document.

Usage::

    openapi = OpenAPI.from_file_path(str(spec_path))
    openapi.validate_request(HttpxOpenAPIRequest(request))
    openapi.validate_response(HttpxOpenAPIRequest(request), HttpxOpenAPIResponse(response))
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

__all__ = ["HttpxOpenAPIRequest", "HttpxOpenAPIResponse", "PathTemplates"]

_PARAMETER = r"\\\{[^/]+?\\\}"  # "{id}" once re.escape() has escaped the braces


class HttpxOpenAPIRequest:
    """openapi-core's ``Request`` protocol over an ``httpx.Request``."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.url.params.multi_items()),
            header=Headers(request.headers.multi_items()),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._request.url.scheme}://{self._request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return str(self._request.headers.get("content-type", "")).lower()


class HttpxOpenAPIResponse:
    """openapi-core's ``Response`` protocol over an ``httpx.Response``."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(self._response.headers.multi_items())

    @property
    def data(self) -> bytes:
        return self._response.content


class PathTemplates:
    """The document's path templates; :meth:`match` finds the one a concrete path fits.

    Templates with fewer parameters win, then longer ones, so ``/gates/{id}/rules`` is not
    mistaken for ``/gates/{id}/{x}``.
    """

    def __init__(self, templates: Iterable[str]) -> None:
        ordered = sorted(templates, key=lambda t: (t.count("{"), -len(t)))
        self._patterns = [
            (re.compile(re.sub(_PARAMETER, "[^/]+", re.escape(template))), template)
            for template in ordered
        ]

    def match(self, path: str) -> str:
        for pattern, template in self._patterns:
            if pattern.fullmatch(path):
                return template
        raise AssertionError(f"{path} is not in the document")
