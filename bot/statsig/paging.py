"""Walk a paginated Console API list by counting pages.

Statsig's ``nextPage`` values are inconsistent (sometimes without a scheme, sometimes
relative), so we never follow them: we ask for page 1, 2, 3 … and stop when a page is
empty, shorter than the page size, or when ``totalItems`` items have been seen.

Usage::

    async for gate in iterate_pages(lambda page, limit: client.list_gates(page=page,
                                                                          limit=limit)):
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from bot.statsig.models import Page

__all__ = ["MAX_PAGES", "iterate_pages"]

MAX_PAGES = 100_000
"""A backstop against a server that keeps answering full pages forever."""

T = TypeVar("T")


async def iterate_pages(
    fetch: Callable[[int, int], Awaitable[Page[T]]],
    *,
    limit: int = 100,
    first_page: int = 1,
) -> AsyncIterator[T]:
    """Yield every item of every page that ``fetch(page, limit)`` returns."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    seen = (first_page - 1) * limit
    for number in range(first_page, first_page + MAX_PAGES):
        page = await fetch(number, limit)
        for item in page.data:
            yield item
        seen += len(page.data)
        page_size = limit
        total = None
        if page.pagination is not None:
            total = page.pagination.total_items
            # Statsig may cap the page size below what we asked for; trust its number.
            if 0 < page.pagination.items_per_page < limit:
                page_size = page.pagination.items_per_page
        if len(page.data) < page_size or (total is not None and seen >= total):
            return
