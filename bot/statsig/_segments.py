"""Segment endpoints (``/console/v1/segments``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from bot.statsig._base import ClientBase, parse, path_id
from bot.statsig.errors import MalformedResponse
from bot.statsig.models import IdList, Page, Segment
from bot.statsig.paging import iterate_pages

__all__ = ["SegmentsMixin"]


class SegmentsMixin(ClientBase):
    """Read segments and edit ``id_list`` segments."""

    async def list_segments(self, *, page: int = 1, limit: int = 100) -> Page[Segment]:
        return await self._get_page("/segments", Segment, page=page, limit=limit)

    def iter_segments(self, *, limit: int = 100) -> AsyncIterator[Segment]:
        return iterate_pages(
            lambda page, size: self.list_segments(page=page, limit=size), limit=limit
        )

    async def get_segment(self, id: str) -> Segment:
        return await self._get_one(f"/segments/{path_id(id)}", Segment, entity=("segment", id))

    async def get_segment_ids(self, id: str, *, page: int = 1, limit: int = 1000) -> IdList:
        """One page of an ``id_list`` segment's IDs (``data`` is a single ``IDListDto``)."""
        body = await self._get(
            f"/segments/{path_id(id)}/id_list",
            params={"page": page, "limit": limit},
            entity=("segment", id),
        )
        if not isinstance(body, dict) or "data" not in body:
            raise MalformedResponse("expected {data: IDListDto} from Statsig")
        return parse(IdList, body["data"])

    async def add_segment_ids(self, id: str, ids: Iterable[str]) -> str:
        return await self._id_list("PATCH", id, ids)

    async def remove_segment_ids(self, id: str, ids: Iterable[str]) -> str:
        # The document declares no body for this DELETE, yet it removes the IDs given.
        return await self._id_list("DELETE", id, ids)

    async def _id_list(self, method: str, id: str, ids: Iterable[str]) -> str:
        return await self._send_message(
            method,
            f"/segments/{path_id(id)}/id_list",
            body={"ids": list(ids)},
            entity=("segment", id),
        )
