"""The shared httpx → openapi-core adapter and path-template matching."""

from __future__ import annotations

import httpx
import pytest

from tests.support.openapi import HttpxOpenAPIRequest, HttpxOpenAPIResponse, PathTemplates


def test_literal_segments_win_over_parameters() -> None:
    templates = PathTemplates(
        ["/v1/users/{email}", "/v1/users/teams", "/v1/gates/{id}/rules", "/v1/gates/{id}"]
    )
    assert templates.match("/v1/users/teams") == "/v1/users/teams"
    assert templates.match("/v1/users/a.b@example.com") == "/v1/users/{email}"
    assert templates.match("/v1/gates/g1/rules") == "/v1/gates/{id}/rules"
    with pytest.raises(AssertionError, match="not in the document"):
        templates.match("/v1/gates/g1/rules/extra")


def test_adapters_expose_what_openapi_core_reads() -> None:
    request = httpx.Request(
        "PATCH",
        "https://statsigapi.net/console/v1/gates/g1?tags=a&tags=b",
        json={"isEnabled": False},
        headers={"STATSIG-API-KEY": "k"},
    )
    adapted = HttpxOpenAPIRequest(request)
    assert (adapted.host_url, adapted.path, adapted.method) == (
        "https://statsigapi.net", "/console/v1/gates/g1", "patch"
    )  # fmt: skip
    assert adapted.parameters.query.getlist("tags") == ["a", "b"]
    assert adapted.content_type == "application/json" and adapted.body == request.content
    response = HttpxOpenAPIResponse(httpx.Response(201, json={"ok": 1}, request=request))
    assert response.status_code == 201 and response.content_type == "application/json"
    assert response.data == b'{"ok":1}'
