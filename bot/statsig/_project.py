"""Project-wide endpoints: audit logs, users, teams, environments, tags, review settings,
release pipeline triggers."""

from __future__ import annotations

from datetime import date

from bot.statsig._base import ClientBase, path_id
from bot.statsig.models import (
    AuditLogEntry,
    Environment,
    EnvironmentList,
    Page,
    ReleasePipelineTrigger,
    ReviewsSettings,
    Tag,
    Team,
    User,
)

__all__ = ["ProjectMixin"]


def _day(value: date | str | None) -> str | None:
    """Statsig wants ``YYYY-MM-DD``."""
    return value.isoformat()[:10] if isinstance(value, date) else value


class ProjectMixin(ClientBase):
    """Who, what and how of the project around the entities."""

    async def list_audit_logs(
        self,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        action_types: list[str] | None = None,
        tags: list[str] | str | None = None,
        page: int = 1,
        limit: int = 100,
        sort_order: str = "desc",
    ) -> Page[AuditLogEntry]:
        params = {
            "startDate": _day(start_date),
            "endDate": _day(end_date),
            "actionTypes": action_types,
            "tags": tags,
            "sortOrder": sort_order,
        }
        return await self._get_page(
            "/audit_logs", AuditLogEntry, page=page, limit=limit, params=params
        )

    async def list_users(self, *, page: int = 1, limit: int = 100) -> Page[User]:
        return await self._get_page("/users", User, page=page, limit=limit)

    async def get_user(self, email: str) -> User:
        return await self._get_one(f"/users/{path_id(email)}", User, entity=("user", email))

    async def list_teams(self, *, page: int = 1, limit: int = 100) -> Page[Team]:
        return await self._get_page("/users/teams", Team, page=page, limit=limit)

    async def get_team(self, id: str) -> Team:
        return await self._get_one(f"/users/teams/{path_id(id)}", Team, entity=("team", id))

    async def get_environments(self) -> list[Environment]:
        return (await self._get_one("/environments", EnvironmentList)).environments

    async def list_tags(self, *, page: int = 1, limit: int = 100) -> Page[Tag]:
        return await self._get_page("/tags", Tag, page=page, limit=limit)

    async def get_review_settings(self) -> ReviewsSettings:
        return await self._get_one("/settings/reviews", ReviewsSettings)

    async def list_pipeline_triggers(
        self,
        *,
        gate_id: str | None = None,
        config_id: str | None = None,
        status: str | None = None,
        page: int = 1,
        limit: int = 100,
    ) -> Page[ReleasePipelineTrigger]:
        params = {"gateID": gate_id, "dynamicConfigID": config_id, "status": status}
        return await self._get_page(
            "/release_pipeline_triggers",
            ReleasePipelineTrigger,
            page=page,
            limit=limit,
            params=params,
        )

    async def pause_pipeline_trigger(self, id: str, *, phase_id: str) -> ReleasePipelineTrigger:
        return await self._send_one(
            "PUT",
            f"/release_pipeline_triggers/{path_id(id)}/pause",
            ReleasePipelineTrigger,
            body={"phaseID": phase_id},
            entity=("release pipeline trigger", id),
        )

    async def abort_pipeline_trigger(self, id: str) -> ReleasePipelineTrigger:
        return await self._send_one(
            "PUT",
            f"/release_pipeline_triggers/{path_id(id)}/abort",
            ReleasePipelineTrigger,
            entity=("release pipeline trigger", id),
        )
