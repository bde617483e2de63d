"""Dynamic config endpoints (``/console/v1/dynamic_configs``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from bot.statsig._base import ClientBase, path_id
from bot.statsig._gates import rules_from
from bot.statsig.models import DynamicConfig, Page, Rule
from bot.statsig.paging import iterate_pages

__all__ = ["ConfigsMixin"]


class ConfigsMixin(ClientBase):
    """Read, toggle and edit dynamic configs."""

    async def list_configs(
        self,
        *,
        page: int = 1,
        limit: int = 100,
        tags: list[str] | str | None = None,
        creator_id: str | None = None,
        release_pipeline_id: str | None = None,
    ) -> Page[DynamicConfig]:
        params = {"tags": tags, "creatorID": creator_id, "releasePipelineID": release_pipeline_id}
        return await self._get_page(
            "/dynamic_configs", DynamicConfig, page=page, limit=limit, params=params
        )

    def iter_configs(self, *, limit: int = 100, **filters: Any) -> AsyncIterator[DynamicConfig]:
        return iterate_pages(
            lambda page, size: self.list_configs(page=page, limit=size, **filters), limit=limit
        )

    async def get_config(self, id: str) -> DynamicConfig:
        return await self._get_one(
            f"/dynamic_configs/{path_id(id)}", DynamicConfig, entity=("dynamic config", id)
        )

    async def enable_config(self, id: str, *, priority: bool = False) -> DynamicConfig:
        return await self._config_put(id, "enable", priority)

    async def disable_config(self, id: str, *, priority: bool = False) -> DynamicConfig:
        return await self._config_put(id, "disable", priority)

    async def get_config_rules(self, id: str) -> list[Rule]:
        body = await self._get(
            f"/dynamic_configs/{path_id(id)}/rules", entity=("dynamic config", id)
        )
        return rules_from(body.get("data", []) if isinstance(body, dict) else [])

    async def update_config_rule(
        self, id: str, rule_id: str, patch: dict[str, Any]
    ) -> DynamicConfig:
        # Statsig spells this one ``/rule/{ruleId}`` (singular), unlike gates.
        path = f"/dynamic_configs/{path_id(id)}/rule/{path_id(rule_id)}"
        return await self._send_one(
            "PATCH", path, DynamicConfig, body=patch, entity=("dynamic config rule", rule_id)
        )

    async def list_config_versions(
        self, id: str, *, page: int = 1, limit: int = 20
    ) -> Page[DynamicConfig]:
        return await self._get_page(
            f"/dynamic_configs/{path_id(id)}/versions",
            DynamicConfig,
            page=page,
            limit=limit,
            entity=("dynamic config", id),
        )

    async def _config_put(self, id: str, action: str, priority: bool) -> DynamicConfig:
        return await self._send_one(
            "PUT",
            f"/dynamic_configs/{path_id(id)}/{action}",
            DynamicConfig,
            entity=("dynamic config", id),
            idempotent=True,
            priority=priority,
        )
