"""Which headers go out with which requests."""

from __future__ import annotations

import pytest

from tests.statsig.helpers import API_KEY, Recorder, gate_json, make_client, ok


async def test_reads_carry_key_version_and_content_type_but_no_review_header() -> None:
    recorder = Recorder([ok(gate_json())])
    async with make_client(recorder) as client:
        await client.get_gate("a_gate")
    headers = recorder.requests[0].headers
    assert headers["STATSIG-API-KEY"] == API_KEY
    assert headers["STATSIG-API-VERSION"] == "20240601"
    assert headers["Content-Type"] == "application/json"
    assert "x-respect-review-settings" not in headers
    assert recorder.requests[0].url.path == "/console/v1/gates/a_gate"


@pytest.mark.parametrize(
    ("call", "method"),
    [
        (lambda c: c.disable_gate("a_gate"), "PUT"),
        (lambda c: c.update_gate("a_gate", {"description": "x"}), "PATCH"),
        (lambda c: c.replace_gate_overrides("a_gate", {"passingUserIDs": []}), "POST"),
        (lambda c: c.delete_gate_overrides("a_gate"), "DELETE"),
    ],
)
async def test_every_mutation_asks_statsig_to_respect_reviews(call: object, method: str) -> None:
    recorder = Recorder([ok(gate_json())])
    async with make_client(recorder) as client:
        await call(client)  # type: ignore[operator]
    request = recorder.requests[0]
    assert request.method == method
    assert request.headers["x-respect-review-settings"] == "true"


async def test_review_header_can_be_turned_off() -> None:
    recorder = Recorder([ok(gate_json(isEnabled=False))])
    async with make_client(recorder, respect_reviews=False) as client:
        await client.disable_gate("a_gate")
    assert "x-respect-review-settings" not in recorder.requests[0].headers
    assert recorder.requests[0].headers["STATSIG-API-KEY"] == API_KEY


async def test_ids_are_escaped_into_one_path_segment() -> None:
    recorder = Recorder([ok({"email": "a.b@example.com", "role": "Member"})])
    async with make_client(recorder) as client:
        user = await client.get_user("a.b@example.com")
    assert user.email == "a.b@example.com"
    assert recorder.requests[0].url.raw_path == b"/console/v1/users/a.b@example.com"

    recorder = Recorder([ok(gate_json("odd/id"))])
    async with make_client(recorder) as client:
        await client.get_gate("odd/id")
    assert recorder.requests[0].url.raw_path == b"/console/v1/gates/odd%2Fid"
