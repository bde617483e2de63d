"""Iterators walk pages by counting, never by following ``nextPage``."""

from __future__ import annotations

from typing import Any

import httpx

from tests.statsig.helpers import Recorder, gate_json, make_client


def _paged(total: int, *, report_total: bool, cap: int | None = None) -> Recorder:
    ids = [f"gate_{n:04d}" for n in range(total)]

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        size = min(limit, cap) if cap else limit
        chunk = ids[(page - 1) * size : page * size]
        pagination: dict[str, Any] = {
            "itemsPerPage": size,
            "pageNumber": page,
            # Deliberately useless, like the documented examples.
            "nextPage": "statsigapi.net/console/v1/gates?page=999",
            "previousPage": None,
        }
        if report_total:
            pagination["totalItems"] = total
        data = [gate_json(gate_id) for gate_id in chunk]
        return httpx.Response(200, json={"message": "", "data": data, "pagination": pagination})

    return Recorder(handler=handler)


async def test_walks_until_a_short_page() -> None:
    recorder = _paged(25, report_total=False)
    async with make_client(recorder) as client:
        ids = [gate.id async for gate in client.iter_gates(limit=10)]
    assert ids == [f"gate_{n:04d}" for n in range(25)]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]


async def test_stops_at_an_empty_page_when_the_total_divides_evenly() -> None:
    recorder = _paged(20, report_total=False)
    async with make_client(recorder) as client:
        ids = [gate.id async for gate in client.iter_gates(limit=10)]
    assert len(ids) == 20
    assert len(recorder.requests) == 3  # the third page is empty


async def test_stops_when_total_items_is_reached_without_an_extra_request() -> None:
    recorder = _paged(20, report_total=True)
    async with make_client(recorder) as client:
        ids = [gate.id async for gate in client.iter_gates(limit=10)]
    assert len(ids) == 20
    assert len(recorder.requests) == 2


async def test_a_server_side_page_cap_does_not_end_the_walk_early() -> None:
    recorder = _paged(12, report_total=False, cap=5)
    async with make_client(recorder) as client:
        ids = [gate.id async for gate in client.iter_gates(limit=100)]
    assert len(ids) == 12
    assert len(recorder.requests) == 3


async def test_filters_reach_every_page_request() -> None:
    recorder = _paged(3, report_total=False)
    async with make_client(recorder) as client:
        gates = [g async for g in client.iter_gates(limit=2, tags=["critical", "web"])]
    assert len(gates) == 3
    for request in recorder.requests:
        assert request.url.params.get_list("tags") == ["critical", "web"]
