"""How the sandbox emulates Statsig review settings for Console API mutations.

What Statsig documents (NOTES §4.1, §4.2) — and nothing more:
  * [spec] a header ``x-respect-review-settings`` (``type: string``, optional) whose whole
    description is "Optional header to respect review settings for mutation endpoints."
  * [spec] the fields: ``reviewSettings {requiredReview, allowedReviewers}`` and
    ``activeReview {reviewID, reviewStatus, description}`` on gates and experiments, and the
    project switch ``is_config_review_required`` (``GET /console/v1/settings/reviews``).
  * [spec] audit-log action types ``config_review_create``, ``config_review_commit``,
    ``config_review_reject`` exist.

What is our inference (not documented; verify against a real project before relying on it):
  * Truthy header values are ``true``/``1``/``yes``/``on`` (case-insensitive); anything else,
    or no header, means "bypass": the Console key applies the change at once.
  * With the header, a mutation on an entity that requires review (its own
    ``reviewSettings.requiredReview``, the project's ``is_config_review_required``, or the
    ``requireReviews`` of the team its ``teamID`` names) is NOT applied. Environments'
    ``requiresReview`` is not emulated. The entity gains
    ``activeReview {reviewID, reviewStatus: "pending", description}``,
    the answer is the usual 200 with the *unchanged* entity (or message) and a message saying
    the change was submitted for review. ``version`` is not bumped; an audit entry
    ``config_review_create`` is written.
  * The project switch applies to gates, dynamic configs and experiments. Segments, gate and
    experiment overrides and segment ID lists are never held for review.
  * A second reviewed mutation while one is pending replaces the pending one (the old review
    is logged as ``config_review_delete``).
  * Committing applies the stored change exactly as submitted, against the entity as it is
    then (a normal mutation: version bump, ``/versions`` snapshot, audit entry), then logs
    ``config_review_commit``. Rejecting only clears ``activeReview`` and logs
    ``config_review_reject``. Statsig's newer review endpoints (NOTES §4.4) are not emulated;
    tests resolve reviews with :func:`commit` / :func:`reject`.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.state import Change, PendingReview, SandboxState

__all__ = [
    "REVIEW_HEADER",
    "REVIEW_SUBMITTED_MESSAGE",
    "commit",
    "header_is_truthy",
    "reject",
    "requires_review",
    "submit",
]

REVIEW_HEADER = "x-respect-review-settings"
REVIEW_SUBMITTED_MESSAGE = "Change submitted for review. It will be applied once approved."
_TRUTHY = {"true", "1", "yes", "on"}
_PROJECT_REVIEWED_KINDS = {"gate", "config", "experiment"}


def header_is_truthy(value: str | None) -> bool:
    """Whether the review header asks Statsig to respect review settings."""
    return value is not None and value.strip().lower() in _TRUTHY


def requires_review(state: SandboxState, change: Change) -> bool:
    """Whether ``change`` must become a pending review instead of being applied."""
    if not change.reviewable:
        return False
    entity = state.get(change.kind, change.entity_id)
    if entity is None:
        return False
    settings = entity.get("reviewSettings") or {}
    if settings.get("requiredReview"):
        return True
    owner = entity.get("teamID")
    if owner and any(t.get("id") == owner and t.get("requireReviews") for t in state.teams):
        return True
    project = bool(state.review_settings.get("is_config_review_required"))
    return project and change.kind in _PROJECT_REVIEWED_KINDS


def submit(state: SandboxState, change: Change) -> dict[str, Any]:
    """Hold ``change`` back as a pending review; returns the (otherwise unchanged) entity."""
    entity = state.store(change.kind)[change.entity_id]
    previous = entity.get("activeReview")
    if previous:
        state.reviews.pop(previous["reviewID"], None)
        state.log(entity, action_type="config_review_delete", change_log="Deleted Review")
    review_id = state.next_id("review")
    description = f"{change.change_log} (submitted via Console API)"
    state.reviews[review_id] = PendingReview(review_id, change, description)
    entity["activeReview"] = {
        "reviewID": review_id,
        "reviewStatus": "pending",
        "description": description,
    }
    state.log(entity, action_type="config_review_create", change_log="Submitted Review")
    return entity


def _take(state: SandboxState, review_id: str) -> PendingReview:
    review = state.reviews.pop(review_id, None)
    if review is None:
        raise KeyError(f"no pending review {review_id!r}")
    entity = state.get(review.change.kind, review.change.entity_id)
    if entity is not None and (entity.get("activeReview") or {}).get("reviewID") == review_id:
        entity.pop("activeReview", None)
    return review


def commit(state: SandboxState, review_id: str) -> dict[str, Any]:
    """Apply the stored change, clear ``activeReview``; returns the entity."""
    review = _take(state, review_id)
    entity = state.apply(review.change)
    state.log(entity, action_type="config_review_commit", change_log="Committed Review")
    return entity


def reject(state: SandboxState, review_id: str) -> dict[str, Any]:
    """Drop the stored change and clear ``activeReview``; returns the entity."""
    review = _take(state, review_id)
    entity = state.store(review.change.kind)[review.change.entity_id]
    state.log(entity, action_type="config_review_reject", change_log="Rejected Review")
    return entity
