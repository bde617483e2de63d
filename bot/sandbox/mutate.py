"""The one path every mutating route takes: review check, then apply, then answer.

Keeping it in one place means review semantics (``reviews.py``) hold for every endpoint
alike, and routes only describe *what* changes.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.sandbox import reviews
from bot.sandbox.responses import message_only, ok, sandbox_state
from bot.sandbox.state import Change

__all__ = ["mutate", "mutate_message"]


def _held_for_review(request: Request, change: Change) -> bool:
    state = sandbox_state(request)
    wants_reviews = reviews.header_is_truthy(request.headers.get(reviews.REVIEW_HEADER))
    if wants_reviews and reviews.requires_review(state, change):
        reviews.submit(state, change)
        return True
    return False


def mutate(request: Request, change: Change, message: str, status: int = 200) -> JSONResponse:
    """Apply ``change`` (or hold it for review) and answer ``{message, data: entity}``."""
    state = sandbox_state(request)
    if _held_for_review(request, change):
        entity: dict[str, Any] = state.store(change.kind)[change.entity_id]
        return ok(entity, reviews.REVIEW_SUBMITTED_MESSAGE, status)
    return ok(state.apply(change), message, status)


def mutate_message(
    request: Request, change: Change, message: str, status: int = 200
) -> JSONResponse:
    """Like :func:`mutate` for endpoints that answer with only ``{message}``."""
    if _held_for_review(request, change):
        return message_only(reviews.REVIEW_SUBMITTED_MESSAGE, status)
    sandbox_state(request).apply(change)
    return message_only(message, status)
